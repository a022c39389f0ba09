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
 * Context: userspace; no allocation. Reading a whole file, in either
 * format, is tracefile.c's.
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

/*
 * jsonl_parse_line() - jsonl_parse_exit() for a line of @len bytes read
 * from a file (NUL-terminated at line[len]): a NUL byte inside it is an
 * error ("a NUL byte in the line"), not the end of the line.
 */
int jsonl_parse_line(const char *line, size_t len, struct jsonl_exit *ev,
		     char *err, size_t err_size);

/* Is @line only blanks (such lines are skipped, not errors)? */
bool jsonl_blank(const char *line);

/*
 * jsonl_from_record() - what jsonl_parse_exit() returns for the line
 * jsonl_write_exit() writes for @rec, without the text in between: how
 * `tvmm stats` and `tvmm dot` read a binary trace, so that both formats
 * give the same output. Return: 0, or -1 with why in @err when that line
 * would not read back (a CPL above 3, a mnemonic without its NUL: a
 * damaged record), so both formats refuse the same records.
 */
int jsonl_from_record(const struct tvmm_exit_record *rec, struct jsonl_exit *ev,
		      char *err, size_t err_size);

#endif /* TVMM_JSONL_H */
