/* SPDX-License-Identifier: GPL-2.0 */
/*
 * jsonl.h - exit records as JSON Lines: the writer `tvmm run --trace` uses
 * and the reader `tvmm stats` (and later `tvmm dot`) uses.
 *
 * Concept: "tracciare le uscite". Every VM exit tvmm handles becomes one
 * line of text a student can grep, feed to jq or Python, or read back with
 * tvmm's own tools. The format is fixed and described in
 * docs/trace-format.md and tvmm.1 (TRACE FORMAT):
 *
 *   {"seq":0,"tsc":123,"reason":"IO_INSTRUCTION","reason_code":30,
 *    "qual":"0xe90000","rip":"0x10007","cs":8,"cpl":0,"rflags":"0x2",
 *    "vif":0,"insn":"ee","mnemonic":"out","action":"emulated","cycles":845}
 *
 * Numbers are JSON numbers, except qual, rip and rflags: 64-bit register
 * values are hex strings ("0x" and lowercase digits, no padding), because
 * a JSON number loses bits past 2^53 in jq and JavaScript. insn is the
 * instruction's bytes as lowercase hex, two digits per byte, no spaces.
 * After "cycles", an EPT exit adds "gpa":"0xfeb00008", and a tvmm-dev
 * access also "mmio":"write","width":4,"value":"0x12345678"; other exits
 * have no such keys, so their lines are unchanged.
 * Context: userspace; no allocation in the writer, none kept by the reader
 * (jsonl_read() frees its line buffer before it returns).
 */
#ifndef TVMM_JSONL_H
#define TVMM_JSONL_H

#include <stdbool.h>
#include <stdio.h>

#include <tvmm.h>

/* The fields of one trace line, as the reader returns them. */
struct jsonl_exit {
	unsigned long long seq, tsc, qual, rip, rflags, cycles;
	unsigned int reason_code;	/* basic exit reason */
	unsigned int cs, cpl, vif;
	char reason[32];		/* KVM name, "IO_INSTRUCTION" */
	char mnemonic[TVMM_MNEMONIC_MAX];
	char action[16];		/* "emulated", "reflected", ... */
	unsigned char insn[TVMM_INSN_MAX];
	unsigned int insn_len;
	unsigned int present;		/* JSONL_HAS_* bits of the keys seen */
	/* Keys only some exits have (record version 2); see JSONL_OPT_*. */
	unsigned long long gpa;		/* EPT exits: the guest-physical address */
	unsigned long long mmio_value;	/* device accesses: the value moved */
	unsigned int mmio_width;	/* ... its width in bytes */
	unsigned int mmio_write;	/* ... 1 = write, 0 = read */
	unsigned int optional;		/* JSONL_OPT_* bits of those seen */
};

/* The optional keys: "gpa" on EPT exits; "mmio", "width", "value" on device accesses. */
#define JSONL_OPT_GPA		(1U << 0)
#define JSONL_OPT_MMIO		(1U << 1)
#define JSONL_OPT_WIDTH		(1U << 2)
#define JSONL_OPT_VALUE		(1U << 3)

#define JSONL_HAS_SEQ		(1U << 0)
#define JSONL_HAS_TSC		(1U << 1)
#define JSONL_HAS_REASON	(1U << 2)
#define JSONL_HAS_REASON_CODE	(1U << 3)
#define JSONL_HAS_QUAL		(1U << 4)
#define JSONL_HAS_RIP		(1U << 5)
#define JSONL_HAS_CS		(1U << 6)
#define JSONL_HAS_CPL		(1U << 7)
#define JSONL_HAS_RFLAGS	(1U << 8)
#define JSONL_HAS_VIF		(1U << 9)
#define JSONL_HAS_INSN		(1U << 10)
#define JSONL_HAS_MNEMONIC	(1U << 11)
#define JSONL_HAS_ACTION	(1U << 12)
#define JSONL_HAS_CYCLES	(1U << 13)
#define JSONL_HAS_ALL		((1U << 14) - 1)

/* Write @rec as one JSON line (with its newline). Return: 0 or -1 (I/O). */
int jsonl_write_exit(FILE *out, const struct tvmm_exit_record *rec);

/*
 * Parse one trace line (without its newline) into @ev. Keys this version
 * does not know are skipped, so newer traces still read; a missing key
 * leaves its field zero and its JSONL_HAS_* bit clear.
 * Return: 0, or -1 with a message ("column 12: expected ':' after a key")
 * in @err.
 */
int jsonl_parse_exit(const char *line, struct jsonl_exit *ev,
		     char *err, size_t err_size);

/* Is @line only blanks (such lines are skipped, not errors)? */
bool jsonl_blank(const char *line);

/* Called by jsonl_read() with each exit and its line number (from 1). */
typedef int (*jsonl_fn)(const struct jsonl_exit *ev, unsigned long lineno,
			void *arg);

/*
 * jsonl_read() - parse every line of the trace @in and hand each exit to
 * @fn, in file order; blank lines are skipped. Stops at the first line
 * that is not one exit object, and at the first non-zero return of @fn.
 * Return: 0 at the end of the file; what @fn returned; or -1 with the
 * reason in @err ("column 3: expected a string") and the line in
 * *@lineno (0 for a read error, which says so in @err).
 */
int jsonl_read(FILE *in, jsonl_fn fn, void *arg, unsigned long *lineno,
	       char *err, size_t err_size);

#endif /* TVMM_JSONL_H */
