/* SPDX-License-Identifier: GPL-2.0 */
/*
 * tracefile.h - a trace file in either of its two formats, told apart by
 * its first bytes: JSON Lines (the default, jsonl.h) or binary (the
 * kernel's exit records as read() returned them, after a small header).
 *
 * Concept: "tracciare le uscite". Text is for people and their tools
 * (grep, jq, Python); binary is the same records without the text: about
 * two thirds of the size, and read back with no parsing at all, so
 * `tvmm stats` and `tvmm dot` on a million exits are faster still. Both
 * read back into the same struct jsonl_exit, so every command gives the
 * same output for either format. docs/trace-format.md describes both.
 *
 * The binary file (little-endian, as x86 writes it):
 *
 *   struct tracebin_header	16 bytes: "TVMMEXIT", format 1, header
 *				size 16, record version, record size
 *   struct tvmm_exit_record	record_size bytes each, back to back,
 *   ...			in exit order, to the end of the file
 *
 * The header says which struct tvmm_exit_record follows; a reader that
 * knows another version or size refuses the file with a clear message
 * (never a guess at the layout), and so does a record whose own version
 * and size fields disagree with the header, or a file that ends inside
 * a record.
 * Context: userspace.
 */
#ifndef TVMM_TRACEFILE_H
#define TVMM_TRACEFILE_H

#include <stdio.h>

#include "jsonl.h"

#define TRACEBIN_MAGIC		"TVMMEXIT"	/* 8 bytes, no NUL in the file */
#define TRACEBIN_MAGIC_LEN	8
#define TRACEBIN_FORMAT		1		/* the layout of the header below */

struct tracebin_header {
	char magic[TRACEBIN_MAGIC_LEN];	/* TRACEBIN_MAGIC */
	__u16 format;			/* TRACEBIN_FORMAT */
	__u16 header_size;		/* sizeof(struct tracebin_header) */
	__u16 record_version;		/* TVMM_EXIT_RECORD_VERSION of every record */
	__u16 record_size;		/* sizeof(struct tvmm_exit_record) */
};

enum trace_format { TRACE_JSONL, TRACE_BINARY };

/* One trace being read: opened by trace_open(), freed by trace_close(). */
struct trace_input;

/* What trace_read() hands each exit to. @where: its line (JSONL) or record (binary), from 1. */
struct trace_reader {
	int (*exit)(const struct jsonl_exit *ev, unsigned long where, void *arg);
	/* If set, binary traces hand each record here instead, as it is. */
	int (*record)(const struct tvmm_exit_record *rec, unsigned long where,
		      void *arg);
	void *arg;
};

/*
 * trace_open() - start reading @f (a file or a pipe): read its first
 * bytes, tell the format, check a binary header. The caller keeps @f.
 * Return: the trace, or NULL with why in @err ("binary trace of record
 * version 3 ...", "out of memory").
 */
struct trace_input *trace_open(FILE *f, char *err, size_t err_size);

enum trace_format trace_format(const struct trace_input *in);

/*
 * trace_read() - hand every exit of @in to @rd, in file order. JSONL:
 * blank lines are skipped, any other line must be one exit object.
 * Stops at the first error and at the first non-zero return of a
 * callback.
 * Return: 0 at the end of the file; what a callback returned; or -1 with
 * the reason in @err and the line in *@lineno (0 when @err names the
 * place itself: a binary record, or a read error).
 */
int trace_read(struct trace_input *in, const struct trace_reader *rd,
	       unsigned long *lineno, char *err, size_t err_size);

void trace_close(struct trace_input *in);

/* Write the binary header for this tool's records; 0 or -1 (I/O). */
int tracebin_write_header(FILE *out);
/* Write @rec as is; 0 or -1 (I/O). */
int tracebin_write_record(FILE *out, const struct tvmm_exit_record *rec);

#endif /* TVMM_TRACEFILE_H */
