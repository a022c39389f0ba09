// SPDX-License-Identifier: GPL-2.0
/*
 * stats.c - `tvmm stats FILE.jsonl`: per-reason exit counts and handler
 * time of a trace, in the columns of `perf kvm stat report`.
 *
 * Concept: "costo delle uscite". Every exit costs a round trip through the
 * VMM; which exits dominate, and how long tvmm spent on each kind, is what
 * lab09 measures when it compares the techniques. The table reads like
 * `perf kvm stat report --event=vmexit` so the habit carries over to KVM:
 * Samples = exits of that reason, Time% = share of the handler ticks,
 * Min/Max/Avg = ticks per exit.
 * Context: userspace; reads a file written by `tvmm run --trace` (or any
 * tool writing the same JSON Lines, see docs/trace-format.md).
 */
#include <errno.h>
#include <getopt.h>
#include <stdlib.h>
#include <string.h>

#include <tvmm/exit_names.h>

#include "cli.h"
#include "json.h"
#include "jsonl.h"
#include "tracefile.h"

static const char stats_note[] =
	"cycles are TSC ticks spent in tvmm's exit handlers; under an emulator (Bochs, QEMU TCG) they are emulated TSC ticks, not hardware time.";

void stats_init(struct trace_stats *st)
{
	memset(st, 0, sizeof(*st));
}

/* The row of reason @name, created if new; NULL when the table is full. */
static struct stats_row *stats_row(struct trace_stats *st, const char *name,
				   int code)
{
	struct stats_row *row;
	unsigned int i;

	for (i = 0; i < st->nrows; i++)
		if (!strcmp(st->rows[i].name, name))
			return &st->rows[i];
	if (st->nrows == STATS_MAX_REASONS)
		return NULL;
	row = &st->rows[st->nrows++];
	snprintf(row->name, sizeof(row->name), "%s", name);
	row->code = code;
	row->min_ticks = ~0ULL;
	return row;
}

/* tvmm-dev's registers by offset / 4 (docs/abi.md); the last: any other offset. */
static const char *const mmio_regs[STATS_MMIO_ROWS] = {
	"ID", "VERSION", "SCRATCH", "COUNTER", "DOORBELL", "(no register)",
};

/* Count a tvmm-dev access: an EPT exit in the device page. */
static void stats_add_mmio(struct trace_stats *st, const struct jsonl_exit *ev)
{
	unsigned long long off = ev->gpa - TVMM_DEV_GPA;
	unsigned int row = off < TVMM_DEV_REGS_END ? off / 4 : STATS_MMIO_ROWS - 1;

	if (!(ev->optional & JSONL_OPT_GPA) || ev->gpa < TVMM_DEV_GPA ||
	    off >= TVMM_DEV_SIZE)
		return;
	if (!(ev->optional & JSONL_OPT_MMIO))
		st->mmio_fatal++;
	else if (ev->mmio_write)
		st->mmio_writes[row]++;
	else
		st->mmio_reads[row]++;
}

/* What stats_read() hands to stats_add(). */
struct stats_reader {
	struct trace_stats *st;
	const char *name;		/* the file, for errors */
};

/* Count one parsed exit, from line @lineno. */
static int stats_add(const struct jsonl_exit *ev, unsigned long lineno,
		     void *arg)
{
	struct stats_reader *rd = arg;
	struct trace_stats *st = rd->st;
	const char *name;
	struct stats_row *row;
	int code;

	if (!(ev->present & (JSONL_HAS_REASON | JSONL_HAS_REASON_CODE))) {
		print_error("%s:%lu: no \"reason\" or \"reason_code\": is this a `tvmm run --trace` file?",
			    rd->name, lineno);
		return TVMM_EXIT_INPUT;
	}
	if (!(ev->present & JSONL_HAS_CYCLES)) {
		print_error("%s:%lu: no \"cycles\": is this a `tvmm run --trace` file?",
			    rd->name, lineno);
		return TVMM_EXIT_INPUT;
	}
	if (ev->present & JSONL_HAS_REASON_CODE)
		code = ev->reason_code & TVMM_EXIT_REASON_BASIC_MASK;
	else
		code = vmx_exit_reason_from_name(ev->reason);
	name = ev->present & JSONL_HAS_REASON ? ev->reason :
	       vmx_exit_reason_name(code);

	row = stats_row(st, name, code);
	if (!row) {
		print_error("%s:%lu: more than %d different exit reasons",
			    rd->name, lineno, STATS_MAX_REASONS);
		return TVMM_EXIT_INPUT;
	}
	row->samples++;
	row->ticks += ev->cycles;
	if (ev->cycles < row->min_ticks)
		row->min_ticks = ev->cycles;
	if (ev->cycles > row->max_ticks)
		row->max_ticks = ev->cycles;
	st->samples++;
	st->ticks += ev->cycles;
	stats_add_mmio(st, ev);

	/* seq counts every exit: a jump means records were dropped. */
	if (ev->present & JSONL_HAS_SEQ) {
		if (st->have_seq && ev->seq > st->next_seq)
			st->missing += ev->seq - st->next_seq;
		st->have_seq = true;
		st->next_seq = ev->seq + 1;
	}
	return 0;
}

/*
 * Read the trace @in with @rd: the part stats_read() and dot.c share.
 * Errors are printed "@name:LINE: column C: what" (JSONL) or "@name:
 * record N (byte B): what" (binary).
 * Return: 0, what a callback returned, or TVMM_EXIT_INPUT.
 */
int trace_read_file(FILE *in, const char *name, const struct trace_reader *rd)
{
	struct trace_input *t;
	unsigned long lineno;
	char err[320];
	int ret;

	t = trace_open(in, err, sizeof(err));
	if (!t) {
		print_error("%s: %s", name, err);
		return TVMM_EXIT_INPUT;
	}
	ret = trace_read(t, rd, &lineno, err, sizeof(err));
	trace_close(t);
	if (ret == -1) {
		if (lineno)
			print_error("%s:%lu: %s", name, lineno, err);
		else
			print_error("%s: %s", name, err);
		return TVMM_EXIT_INPUT;
	}
	return ret;
}

/**
 * stats_read() - add every exit of the trace @in (JSON Lines or binary)
 * to @st. Blank lines are skipped; any other line that is not one
 * well-formed exit object is an error naming "@name:LINE: column C: what".
 * Return: 0, or an exit status after printing why.
 */
int stats_read(FILE *in, const char *name, struct trace_stats *st)
{
	struct stats_reader rd = { st, name };
	struct trace_reader reader = { .exit = stats_add, .arg = &rd };

	return trace_read_file(in, name, &reader);
}

static int row_cmp(const void *a, const void *b)
{
	const struct stats_row *x = a, *y = b;

	if (x->samples != y->samples)
		return x->samples < y->samples ? 1 : -1;
	return strcmp(x->name, y->name);
}

/* Most samples first, as perf kvm stat sorts by default; ties by name. */
void stats_sort(struct trace_stats *st)
{
	qsort(st->rows, st->nrows, sizeof(st->rows[0]), row_cmp);
}

static double pct(unsigned long long part, unsigned long long whole)
{
	return whole ? 100.0 * part / whole : 0.0;
}

static bool stats_have_mmio(const struct trace_stats *st)
{
	unsigned int i;

	for (i = 0; i < STATS_MMIO_ROWS; i++)
		if (st->mmio_reads[i] || st->mmio_writes[i])
			return true;
	return st->mmio_fatal;
}

/* tvmm-dev's registers and how often the guest read and wrote each. */
static void stats_print_mmio(FILE *out, const struct trace_stats *st)
{
	unsigned int i;

	if (!stats_have_mmio(st))
		return;
	fprintf(out, "\ntvmm-dev accesses (EPT_VIOLATION exits emulated as MMIO):\n\n");
	fprintf(out, "%20s %12s %10s %10s\n\n", "Register", "GPA", "Reads", "Writes");
	for (i = 0; i < STATS_MMIO_ROWS; i++) {
		if (!st->mmio_reads[i] && !st->mmio_writes[i])
			continue;
		if (i < STATS_MMIO_ROWS - 1)
			fprintf(out, "%20s %#12llx %10llu %10llu\n", mmio_regs[i],
				TVMM_DEV_GPA + 4 * i, st->mmio_reads[i], st->mmio_writes[i]);
		else
			fprintf(out, "%20s %12s %10llu %10llu\n", mmio_regs[i], "",
				st->mmio_reads[i], st->mmio_writes[i]);
	}
	if (st->mmio_fatal)
		fprintf(out, "%20s %12s %10llu (not emulated: the VM ended)\n",
			"refused", "", st->mmio_fatal);
	fputc('\n', out);
}

void stats_print_text(FILE *out, const char *name, const struct trace_stats *st)
{
	unsigned int i;

	fprintf(out, "\nAnalyze exits of %s (times in TSC ticks):\n\n", name);
	fprintf(out, "%20s %10s %9s %9s %11s %11s %11s %14s\n\n",
		"Event name", "Samples", "Sample%", "Time%", "Min Time",
		"Max Time", "Avg time", "Raw ticks");
	for (i = 0; i < st->nrows; i++) {
		const struct stats_row *r = &st->rows[i];

		fprintf(out, "%20s %10llu %8.2f%% %8.2f%% %11llu %11llu %11.1f %14llu\n",
			r->name, r->samples, pct(r->samples, st->samples),
			pct(r->ticks, st->ticks), r->min_ticks, r->max_ticks,
			(double)r->ticks / r->samples, r->ticks);
	}
	fprintf(out, "\nTotal Samples:%llu, Total events handled time:%lluticks.\n",
		st->samples, st->ticks);
	if (st->missing)
		fprintf(out, "Missing: %llu records (gaps in seq: the kernel dropped them, see records_dropped).\n",
			st->missing);
	stats_print_mmio(out, st);
	fprintf(out, "Note: %s\n", stats_note);
}

void stats_print_json(FILE *out, const char *name, const struct trace_stats *st)
{
	struct json_writer w;
	unsigned int i;

	json_init(&w, out, true);
	json_begin_object(&w, NULL);
	json_string(&w, "file", name);
	json_string(&w, "time_unit", "tsc_ticks");
	json_uint(&w, "total_samples", st->samples);
	json_uint(&w, "total_ticks", st->ticks);
	json_uint(&w, "missing_records", st->missing);
	json_begin_array(&w, "events");
	for (i = 0; i < st->nrows; i++) {
		const struct stats_row *r = &st->rows[i];

		json_begin_object(&w, NULL);
		json_string(&w, "reason", r->name);
		if (r->code >= 0)
			json_uint(&w, "reason_code", r->code);
		else
			json_null(&w, "reason_code");
		json_uint(&w, "samples", r->samples);
		json_double(&w, "sample_pct", pct(r->samples, st->samples));
		json_double(&w, "time_pct", pct(r->ticks, st->ticks));
		json_uint(&w, "min_ticks", r->min_ticks);
		json_uint(&w, "max_ticks", r->max_ticks);
		json_double(&w, "avg_ticks", (double)r->ticks / r->samples);
		json_uint(&w, "raw_ticks", r->ticks);
		json_end_object(&w);
	}
	json_end_array(&w);
	if (stats_have_mmio(st)) {
		json_begin_array(&w, "mmio");
		for (i = 0; i < STATS_MMIO_ROWS; i++) {
			if (!st->mmio_reads[i] && !st->mmio_writes[i])
				continue;
			json_begin_object(&w, NULL);
			json_string(&w, "register", mmio_regs[i]);
			json_uint(&w, "reads", st->mmio_reads[i]);
			json_uint(&w, "writes", st->mmio_writes[i]);
			json_end_object(&w);
		}
		json_end_array(&w);
		json_uint(&w, "mmio_refused", st->mmio_fatal);
	}
	json_string(&w, "note", stats_note);
	json_end_object(&w);
	json_finish(&w);
}

static void stats_usage(FILE *out)
{
	fprintf(out,
		"usage: %s stats [--json] FILE\n"
		"  Per-reason exit counts and handler ticks of a `tvmm run --trace` file\n"
		"  (JSON Lines or binary), in the columns of `perf kvm stat report`.\n"
		"  FILE '-' reads standard input.\n"
		"  --json   one JSON document instead of the table\n"
		"  -h, --help\n", tvmm_prog);
}

int cmd_stats(int argc, char **argv)
{
	static const struct option opts[] = {
		{ "json", no_argument, NULL, 'j' },
		{ "help", no_argument, NULL, 'h' },
		{ NULL, 0, NULL, 0 }
	};
	static struct trace_stats st;	/* 128 rows: keep it off the stack */
	const char *path;
	bool json = false;
	FILE *in;
	int c, status;

	optind = 1;
	while ((c = getopt_long(argc, argv, "jh", opts, NULL)) != -1) {
		switch (c) {
		case 'j':
			json = true;
			break;
		case 'h':
			stats_usage(stdout);
			return TVMM_EXIT_OK;
		default:
			stats_usage(stderr);
			return TVMM_EXIT_USAGE;
		}
	}
	if (argc - optind != 1) {
		print_error("stats: %s", optind == argc ? "which trace? Give one FILE.jsonl" :
			    "one trace file at a time");
		stats_usage(stderr);
		return TVMM_EXIT_USAGE;
	}
	path = argv[optind];
	in = open_trace("stats", &path);
	if (!in)
		return TVMM_EXIT_INPUT;

	stats_init(&st);
	status = stats_read(in, path, &st);
	if (in != stdin)
		fclose(in);
	if (status)
		return status;
	stats_sort(&st);
	if (json)
		stats_print_json(stdout, path, &st);
	else
		stats_print_text(stdout, path, &st);
	if (fflush(stdout) || ferror(stdout)) {
		print_error("stats: cannot write the output: %s", strerror(errno));
		return TVMM_EXIT_FAILURE;
	}
	return TVMM_EXIT_OK;
}
