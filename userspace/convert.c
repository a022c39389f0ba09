// SPDX-License-Identifier: GPL-2.0
/*
 * convert.c - `tvmm convert IN [-o OUT]`: a trace from JSON Lines to
 * binary or back (tracefile.h has both formats).
 *
 * Concept: the two formats hold the same exits. Binary to JSONL writes
 * each record with the writer of `tvmm run --trace`, so the lines are
 * those `tvmm run` would have written. JSONL to binary rebuilds each
 * record, and only when that is exact: the line must have every key
 * `tvmm run` writes, and the rebuilt record must read back as the very
 * same exit (jsonl_from_record()); anything else (a hand-written line
 * without "tsc", an action tvmm does not know, a reason name that is not
 * its code's) is refused, so stats and dot give the same output on both
 * files. intr_info and error_code, which the JSON does not carry, are 0.
 * Context: userspace; a host tool, no VM needed.
 */
#include <errno.h>
#include <getopt.h>
#include <string.h>
#include <unistd.h>

#include <tvmm/exit_names.h>

#include "cli.h"
#include "jsonl.h"
#include "tracefile.h"

struct converter {
	FILE *out;
	const char *in_name, *out_name;
	unsigned long long records;
};

/* Binary -> JSONL: the line `tvmm run --trace` writes for @rec. */
static int write_line(const struct tvmm_exit_record *rec, unsigned long where,
		      void *arg)
{
	struct converter *cv = arg;

	(void)where;
	if (jsonl_write_exit(cv->out, rec)) {
		print_error("convert: writing %s: %s", cv->out_name, strerror(errno));
		return TVMM_EXIT_FAILURE;
	}
	cv->records++;
	return 0;
}

/* The TVMM_ACTION_* named @name, or -1. */
static int action_from_name(const char *name)
{
	int i;

	for (i = 0; i <= TVMM_ACTION_PATCHED; i++)
		if (!strcmp(tvmm_action_name(i), name))
			return i;
	return -1;
}

/* The record behind the exit @ev of a JSON line; 0, or -1 if not exact. */
static int record_from_exit(const struct jsonl_exit *ev,
			    struct tvmm_exit_record *rec)
{
	struct jsonl_exit back;
	char why[96];
	int action = action_from_name(ev->action);

	if (ev->present != JSONL_HAS_ALL || action < 0)
		return -1;
	memset(rec, 0, sizeof(*rec));
	rec->version = TVMM_EXIT_RECORD_VERSION;
	rec->size = sizeof(*rec);
	rec->reason_code = ev->reason_code;
	rec->seq = ev->seq;
	rec->tsc = ev->tsc;
	rec->qual = ev->qual;
	rec->rip = ev->rip;
	rec->rflags = ev->rflags;
	rec->gpa = ev->gpa;
	rec->cycles = ev->cycles;
	rec->cs = ev->cs;
	rec->cpl = ev->cpl;
	rec->vif = ev->vif;
	rec->action = action;
	rec->insn_len = ev->insn_len;
	memcpy(rec->insn, ev->insn, sizeof(rec->insn));
	memcpy(rec->mnemonic, ev->mnemonic, sizeof(rec->mnemonic));
	rec->mmio_value = ev->mmio_value;
	rec->mmio_width = ev->mmio_width;
	rec->mmio_write = ev->mmio_write;
	/*
	 * Exact only if the record reads back as the same exit. Both structs
	 * were zeroed whole before being filled, so memcmp() compares fields.
	 */
	return jsonl_from_record(rec, &back, why, sizeof(why)) ||
	       memcmp(&back, ev, sizeof(back)) ? -1 : 0;
}

/* JSONL -> binary: the record behind each line, when it is exact. */
static int write_record(const struct jsonl_exit *ev, unsigned long lineno,
			void *arg)
{
	struct converter *cv = arg;
	struct tvmm_exit_record rec;

	if (record_from_exit(ev, &rec)) {
		print_error("%s:%lu: not a line `tvmm run --trace` writes (a key missing, an unknown action, extra keys, or a reason name that is not its code's): it has no exact binary record",
			    cv->in_name, lineno);
		return TVMM_EXIT_INPUT;
	}
	if (tracebin_write_record(cv->out, &rec)) {
		print_error("convert: writing %s: %s", cv->out_name, strerror(errno));
		return TVMM_EXIT_FAILURE;
	}
	cv->records++;
	return 0;
}

static void convert_usage(FILE *out)
{
	fprintf(out,
		"usage: %s convert [--to jsonl|binary] IN [-o OUT]\n"
		"  Convert a `tvmm run --trace` file between JSON Lines and binary\n"
		"  (the other format than IN's, unless --to says). IN '-' reads standard\n"
		"  input; OUT '-' (the default) writes standard output.\n"
		"  --to FORMAT   jsonl or binary\n"
		"  -o OUT        the output file\n"
		"  -h, --help\n", tvmm_prog);
}

/* Open @path for writing ('-': stdout); NULL after saying why. */
static FILE *open_output(const char *path)
{
	FILE *out;

	if (!strcmp(path, "-"))
		return stdout;
	out = fopen(path, "w");
	if (!out)
		print_error("convert: cannot create %s: %s", path, strerror(errno));
	return out;
}

/* Convert the opened trace @t to @to, into cv->out. */
static int convert_trace(struct trace_input *t, enum trace_format to,
		   struct converter *cv)
{
	struct trace_reader rd = { .arg = cv };
	unsigned long lineno;
	char err[320];
	int ret;

	if (to == trace_format(t)) {
		print_error("convert: %s is %s already", cv->in_name,
			    to == TRACE_BINARY ? "binary" : "JSON Lines");
		return TVMM_EXIT_USAGE;
	}
	if (to == TRACE_BINARY) {
		rd.exit = write_record;
		if (tracebin_write_header(cv->out)) {
			print_error("convert: writing %s: %s", cv->out_name,
				    strerror(errno));
			return TVMM_EXIT_FAILURE;
		}
	} else {
		rd.record = write_line;	/* binary input: records as they are */
		rd.exit = NULL;
	}
	ret = trace_read(t, &rd, &lineno, err, sizeof(err));
	if (ret == -1) {
		if (lineno)
			print_error("%s:%lu: %s", cv->in_name, lineno, err);
		else
			print_error("%s: %s", cv->in_name, err);
		return TVMM_EXIT_INPUT;
	}
	return ret;
}

int cmd_convert(int argc, char **argv)
{
	static const struct option opts[] = {
		{ "to", required_argument, NULL, 't' },
		{ "output", required_argument, NULL, 'o' },
		{ "help", no_argument, NULL, 'h' },
		{ NULL, 0, NULL, 0 }
	};
	struct converter cv = { .out_name = "-" };
	struct trace_input *t;
	const char *to_name = NULL;
	enum trace_format to;
	char err[320];
	FILE *in;
	int c, status;

	optind = 0;	/* options may follow IN too */
	while ((c = getopt_long(argc, argv, "o:h", opts, NULL)) != -1) {
		switch (c) {
		case 't':
			to_name = optarg;
			break;
		case 'o':
			cv.out_name = optarg;
			break;
		case 'h':
			convert_usage(stdout);
			return TVMM_EXIT_OK;
		default:
			convert_usage(stderr);
			return TVMM_EXIT_USAGE;
		}
	}
	if (to_name && strcmp(to_name, "jsonl") && strcmp(to_name, "binary")) {
		print_error("convert: --to %s: give jsonl or binary", to_name);
		return TVMM_EXIT_USAGE;
	}
	if (argc - optind != 1) {
		print_error("convert: %s", optind == argc ? "which trace? Give one IN file" :
			    "one trace file at a time");
		convert_usage(stderr);
		return TVMM_EXIT_USAGE;
	}
	cv.in_name = argv[optind];
	in = open_trace("convert", &cv.in_name);
	if (!in)
		return TVMM_EXIT_INPUT;
	t = trace_open(in, err, sizeof(err));
	if (!t) {
		print_error("%s: %s", cv.in_name, err);
		status = TVMM_EXIT_INPUT;
		goto out;
	}
	if (to_name)
		to = strcmp(to_name, "binary") ? TRACE_JSONL : TRACE_BINARY;
	else
		to = trace_format(t) == TRACE_JSONL ? TRACE_BINARY : TRACE_JSONL;
	if (to == TRACE_BINARY && !strcmp(cv.out_name, "-") && isatty(STDOUT_FILENO)) {
		print_error("convert: not writing a binary trace to a terminal: give -o OUT");
		status = TVMM_EXIT_USAGE;
		goto out;
	}
	cv.out = open_output(cv.out_name);
	if (!cv.out) {
		status = TVMM_EXIT_FAILURE;
		goto out;
	}
	status = convert_trace(t, to, &cv);
	if (cv.out != stdout ? fclose(cv.out) : fflush(stdout)) {
		print_error("convert: writing %s: %s", cv.out_name, strerror(errno));
		if (!status)
			status = TVMM_EXIT_FAILURE;
	}
	if (cv.out != stdout && status)
		unlink(cv.out_name);	/* no half-converted file left behind */
	else if (cv.out != stdout)
		fprintf(stderr, "%s: %llu exit records written to %s\n", tvmm_prog,
			cv.records, cv.out_name);
out:
	trace_close(t);
	if (in != stdin)
		fclose(in);
	return status;
}
