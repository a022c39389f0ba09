// SPDX-License-Identifier: GPL-2.0
/*
 * stats_test.c - `tvmm stats`: aggregation of a fixed trace.
 *
 * Rule (perf kvm stat's report, which `tvmm stats` imitates): per exit
 * reason, Samples = number of exits, Sample% = samples / all samples,
 * Time% = handler ticks / all handler ticks, Min/Max/Avg = ticks per
 * exit; rows sorted by samples, most first. A gap in seq counts as
 * missing records. A malformed line stops the read with FILE:LINE.
 */
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "../../userspace/cli.h"
#include "tap.h"

/* 4 IO (100, 200, 300, 400 ticks), 1 HLT (1000), 1 CPUID (0); seq 0-6, 4 missing. */
static const char trace[] =
	"{\"seq\":0,\"tsc\":10,\"reason\":\"IO_INSTRUCTION\",\"reason_code\":30,\"qual\":\"0xe90000\",\"rip\":\"0x1000f\",\"cs\":8,\"cpl\":0,\"rflags\":\"0x2\",\"vif\":0,\"insn\":\"ee\",\"mnemonic\":\"out\",\"action\":\"emulated\",\"cycles\":100}\n"
	"{\"seq\":1,\"reason\":\"IO_INSTRUCTION\",\"reason_code\":30,\"cycles\":300}\n"
	"\n"
	"{\"seq\":2,\"reason\":\"CPUID\",\"reason_code\":10,\"cycles\":0}\n"
	"{\"seq\":3,\"reason_code\":30,\"cycles\":200}\n"
	"   \n"
	"{\"seq\":8,\"reason\":\"IO_INSTRUCTION\",\"cycles\":400}\n"
	"{\"seq\":9,\"reason\":\"HLT\",\"reason_code\":12,\"cycles\":1000}\n";

static int read_string(const char *text, const char *name, struct trace_stats *st,
		       char *err, size_t err_size)
{
	FILE *in = fmemopen((void *)text, strlen(text), "r");
	FILE *saved_err = stderr, *cap;
	char *buf = NULL;
	size_t len = 0;
	int status;

	cap = open_memstream(&buf, &len);
	stderr = cap;
	stats_init(st);
	status = stats_read(in, name, st);
	stderr = saved_err;
	fclose(cap);
	fclose(in);
	snprintf(err, err_size, "%s", buf ? buf : "");
	free(buf);
	return status;
}

static const struct stats_row *row(const struct trace_stats *st, const char *name)
{
	for (unsigned int i = 0; i < st->nrows; i++)
		if (!strcmp(st->rows[i].name, name))
			return &st->rows[i];
	return NULL;
}

static void test_aggregation(void)
{
	static struct trace_stats st;
	const struct stats_row *io, *hlt, *cpuid;
	char err[2048], *out = NULL;
	size_t len = 0;
	FILE *f;
	int status = read_string(trace, "fixed.jsonl", &st, err, sizeof(err));

	if (!ok(status == 0, "the fixed trace reads"))
		diag("  %s", err);
	ok_eq(st.samples, 6, "6 samples");
	ok_eq(st.ticks, 2000, "2000 ticks in all");
	ok_eq(st.nrows, 3, "3 reasons");
	ok_eq(st.missing, 4, "seq 3 -> 8: 4 records missing");
	io = row(&st, "IO_INSTRUCTION");
	hlt = row(&st, "HLT");
	cpuid = row(&st, "CPUID");
	if (!ok(io && hlt && cpuid, "rows for IO_INSTRUCTION, HLT, CPUID"))
		return;
	ok_eq(io->samples, 4, "IO: 4 samples (one named only by reason_code)");
	ok_eq(io->code, 30, "IO: reason code 30 (one row named only by reason)");
	ok_eq(io->ticks, 1000, "IO: 1000 ticks");
	ok_eq(io->min_ticks, 100, "IO: min 100");
	ok_eq(io->max_ticks, 400, "IO: max 400");
	ok_eq(cpuid->min_ticks, 0, "CPUID: a 0-tick exit is its min");
	ok_eq(hlt->samples, 1, "HLT: 1 sample");

	stats_sort(&st);
	ok(!strcmp(st.rows[0].name, "IO_INSTRUCTION"), "sorted: most samples first");
	ok(!strcmp(st.rows[1].name, "CPUID") && !strcmp(st.rows[2].name, "HLT"),
	   "sorted: ties by name");

	f = open_memstream(&out, &len);
	stats_print_text(f, "fixed.jsonl", &st);
	fclose(f);
	ok(strstr(out, "Event name") && strstr(out, "Samples") && strstr(out, "Sample%") &&
	   strstr(out, "Time%") && strstr(out, "Min Time") && strstr(out, "Max Time") &&
	   strstr(out, "Avg time") && strstr(out, "Raw ticks"), "text: perf kvm stat's columns");
	if (!ok(strstr(out, "      IO_INSTRUCTION          4    66.67%    50.00%         100         400       250.0           1000\n") != NULL,
		"text: IO row: 66.67%% of samples, 50.00%% of time, avg 250.0"))
		diag("%s", out);
	ok(strstr(out, "                 HLT          1    16.67%    50.00%        1000        1000      1000.0           1000\n") != NULL,
	   "text: HLT row");
	ok(strstr(out, "Total Samples:6, Total events handled time:2000ticks.\n") != NULL,
	   "text: perf's total line");
	ok(strstr(out, "emulated TSC ticks, not hardware time") != NULL,
	   "text: the emulator note");
	ok(strstr(out, "Missing: 4 records") != NULL, "text: missing records reported");
	free(out);

	out = NULL;
	f = open_memstream(&out, &len);
	stats_print_json(f, "fixed.jsonl", &st);
	fclose(f);
	ok(strstr(out, "\"total_samples\": 6") && strstr(out, "\"total_ticks\": 2000") &&
	   strstr(out, "\"sample_pct\": 66.67") && strstr(out, "\"time_pct\": 50.00") &&
	   strstr(out, "\"avg_ticks\": 250.00") && strstr(out, "\"min_ticks\": 100") &&
	   strstr(out, "\"reason_code\": 30"), "json: totals and the IO row");
	free(out);
}

static void test_empty(void)
{
	static struct trace_stats st;
	char err[512], *out = NULL;
	size_t len = 0;
	FILE *f;

	ok(read_string("", "empty.jsonl", &st, err, sizeof(err)) == 0 && st.samples == 0,
	   "an empty trace is 0 samples, not an error");
	f = open_memstream(&out, &len);
	stats_print_text(f, "empty.jsonl", &st);
	fclose(f);
	ok(strstr(out, "Total Samples:0, Total events handled time:0ticks.") != NULL,
	   "an empty trace prints zero totals");
	free(out);
}

static void bad_file(const char *text, const char *want, const char *what)
{
	static struct trace_stats st;
	char err[2048];
	int status = read_string(text, "bad.jsonl", &st, err, sizeof(err));

	if (!ok(status == TVMM_EXIT_INPUT && strstr(err, want), "%s", what))
		diag("  status %d, stderr: %s  expected: %s", status, err, want);
}

static void test_malformed(void)
{
	bad_file("{\"reason\":\"HLT\",\"cycles\":1}\n{\"reason\":\"HLT\",\"cycles\":1\n",
		 "bad.jsonl:2: column 27: expected ',' or '}'", "an unclosed object: file:line: column");
	bad_file("\n\n{\"reason\":\"HLT\"}\n", "bad.jsonl:3: no \"cycles\"",
		 "a line without cycles");
	bad_file("{\"cycles\":5}\n", "bad.jsonl:1: no \"reason\"", "a line without a reason");
	bad_file("not json\n", "bad.jsonl:1: column 1", "plain text");
}

int main(void)
{
	test_aggregation();
	test_empty();
	test_malformed();
	return done_testing();
}
