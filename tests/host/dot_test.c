// SPDX-License-Identifier: GPL-2.0
/*
 * dot_test.c - `tvmm dot`: the DOT it writes for known traces.
 *
 * Rule (tvmm.1, dot): --sequence draws four lifelines (guest app ring 3,
 * guest kernel, tvmm in VMX root, Linux host), one row per arrow: the
 * exit into tvmm from whoever caused it (the app's ring 3 crosses the
 * kernel's column, a host interrupt comes from the host), then tvmm's
 * action (emulate back to where it stopped, reflect and inject to the
 * guest kernel, fatal to the host); a run of identical exits is one step
 * "×N"; --max steps, the rest counted in a note; --from/--to select by
 * seq. --graph: a node per kind of exit, an edge per transition with its
 * count; --rings: nested ring clusters with per-ring counts. The output
 * format follows -o's extension, and svg/png need Graphviz's `dot`.
 * dot_minios.jsonl is a real trace: guests/minios.bin de-privileged in
 * the lab VM (`tvmm run --mode deprivileged --trace`).
 */
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "../../userspace/cli.h"
#include "tap.h"

#define TMP		"/tmp/tvmm-dot-test"
#define MINIOS		"dot_minios.jsonl"

/* Written by hand: every lane and every action, and a run of three OUTs. */
static const char small[] =
	"{\"seq\":0,\"reason\":\"EXCEPTION_NMI\",\"reason_code\":0,\"cpl\":1,\"insn\":\"0f0115\",\"mnemonic\":\"lgdt\",\"action\":\"emulated\",\"cycles\":500}\n"
	"{\"seq\":1,\"reason\":\"EXCEPTION_NMI\",\"reason_code\":0,\"cpl\":1,\"insn\":\"ee\",\"mnemonic\":\"out\",\"action\":\"emulated\",\"cycles\":400}\n"
	"{\"seq\":2,\"reason\":\"EXCEPTION_NMI\",\"reason_code\":0,\"cpl\":1,\"insn\":\"ee\",\"mnemonic\":\"out\",\"action\":\"emulated\",\"cycles\":400}\n"
	"\n"
	"{\"seq\":3,\"reason\":\"EXCEPTION_NMI\",\"reason_code\":0,\"cpl\":1,\"insn\":\"ee\",\"mnemonic\":\"out\",\"action\":\"emulated\",\"cycles\":400}\n"
	"{\"seq\":4,\"reason\":\"EXCEPTION_NMI\",\"reason_code\":0,\"cpl\":3,\"insn\":\"cd80\",\"mnemonic\":\"int\",\"action\":\"reflected\",\"cycles\":400}\n"
	"{\"seq\":5,\"reason\":\"EXTERNAL_INTERRUPT\",\"reason_code\":1,\"cpl\":3,\"insn\":\"\",\"mnemonic\":\"\",\"action\":\"ignored\",\"cycles\":2000}\n"
	"{\"seq\":6,\"reason\":\"EXCEPTION_NMI\",\"reason_code\":0,\"cpl\":1,\"insn\":\"f4\",\"mnemonic\":\"hlt\",\"action\":\"injected\",\"cycles\":500}\n"
	"{\"seq\":7,\"reason\":\"PREEMPTION_TIMER\",\"reason_code\":52,\"cpl\":1,\"insn\":\"\",\"mnemonic\":\"\",\"action\":\"injected\",\"cycles\":300}\n"
	"{\"seq\":8,\"reason\":\"IO_INSTRUCTION\",\"reason_code\":30,\"qual\":\"0xe90000\",\"cpl\":0,\"insn\":\"ee\",\"mnemonic\":\"out\",\"action\":\"emulated\",\"cycles\":300}\n"
	"{\"seq\":9,\"reason\":\"TRIPLE_FAULT\",\"reason_code\":2,\"cpl\":1,\"insn\":\"\",\"mnemonic\":\"\",\"action\":\"fatal\",\"cycles\":100}\n";

static char errbuf[4096];
static bool have_graphviz;

static char *slurp(const char *path)
{
	FILE *f = fopen(path, "r");
	char *buf;
	long n;

	if (!f)
		return NULL;
	fseek(f, 0, SEEK_END);
	n = ftell(f);
	rewind(f);
	buf = calloc(1, n + 1);
	if (buf && fread(buf, 1, n, f) != (size_t)n) {
		free(buf);
		buf = NULL;
	}
	fclose(f);
	return buf;
}

static void write_file(const char *path, const char *text)
{
	FILE *f = fopen(path, "w");

	fputs(text, f);
	fclose(f);
}

/*
 * `tvmm dot ARGS` in this process (ARGS: space-separated, no quoting),
 * its stderr into errbuf. Return: the exit status.
 */
static int dot(const char *args)
{
	char line[1024], *argv[32], *save = NULL, *tok;
	FILE *saved = stderr, *cap;
	char *buf = NULL;
	size_t len = 0;
	int argc = 0, status;

	snprintf(line, sizeof(line), "dot %s", args);
	for (tok = strtok_r(line, " ", &save); tok && argc < 31;
	     tok = strtok_r(NULL, " ", &save))
		argv[argc++] = tok;
	argv[argc] = NULL;
	cap = open_memstream(&buf, &len);
	stderr = cap;
	status = cmd_dot(argc, argv);
	stderr = saved;
	fclose(cap);
	snprintf(errbuf, sizeof(errbuf), "%s", buf ? buf : "");
	free(buf);
	return status;
}

/* `tvmm dot ARGS -o TMP/out.dot`: the DOT text (free it), or NULL. */
static char *dot_text(const char *args)
{
	char full[512];
	int status;

	unlink(TMP "/out.dot");
	snprintf(full, sizeof(full), "%s -o " TMP "/out.dot", args);
	status = dot(full);
	if (status) {
		diag("  tvmm dot %s: status %d: %s", full, status, errbuf);
		return NULL;
	}
	return slurp(TMP "/out.dot");
}

/* The line of @doc that starts with a tab and @start, or NULL. */
static const char *line_of(const char *doc, const char *start, char *buf,
			   size_t size)
{
	const char *p = doc;
	size_t n = strlen(start);

	while (p && *p) {
		const char *end = strchr(p, '\n');

		if (*p == '\t' && !strncmp(p + 1, start, n)) {
			size_t len = end ? (size_t)(end - p) : strlen(p);

			snprintf(buf, size, "%.*s", (int)(len < size ? len : size - 1), p);
			return buf;
		}
		p = end ? end + 1 : NULL;
	}
	return NULL;
}

/* Does the line starting with @start contain @text (if given)? */
static void has_line(const char *doc, const char *start, const char *text,
		     const char *what)
{
	char buf[512];
	const char *l = line_of(doc, start, buf, sizeof(buf));

	if (!ok(l && (!text || strstr(l, text)), "%s", what))
		diag("  line '%s...': %s; want '%s'", start, l ? l : "(none)",
		     text ? text : "-");
}

static unsigned int count(const char *doc, const char *needle)
{
	unsigned int n = 0;
	const char *p = doc;

	while ((p = strstr(p, needle))) {
		n++;
		p += strlen(needle);
	}
	return n;
}

/* Graphviz must take it: `dot -Tsvg`, when installed. */
static void graphviz_accepts(const char *what)
{
	char cmd[256];

	if (!have_graphviz) {
		ok(1, "%s: dot -Tsvg accepts it # SKIP Graphviz's dot is not installed", what);
		return;
	}
	snprintf(cmd, sizeof(cmd), "dot -Tsvg -o /dev/null " TMP "/out.dot 2>" TMP "/dot.err");
	if (!ok(system(cmd) == 0, "%s: dot -Tsvg accepts it", what)) {
		char *e = slurp(TMP "/dot.err");

		diag("  %s", e ? e : "");
		free(e);
	}
}

static void test_sequence_small(void)
{
	char *d = dot_text("--sequence " TMP "/small.jsonl");

	if (!ok(d, "sequence of the hand-written trace"))
		return;
	ok(strstr(d, "digraph tvmm_sequence {"), "a digraph");
	ok(strstr(d, "label=\"guest app\\n(ring 3)\"") &&
	   strstr(d, "label=\"guest kernel\\n(ring 0/1)\"") &&
	   strstr(d, "label=\"tvmm\\n(VMX root)\"") &&
	   strstr(d, "label=\"Linux host\""),
	   "four participants; the kernel ran at rings 0 and 1");
	/* 10 exits, 8 steps (the three OUTs are one): 16 rows + header + footer */
	ok_eq(count(d, "{ rank=same;"), 18, "8 steps of 2 rows, header and footer");
	ok(strstr(d, "8 steps shown"), "the title counts the steps");

	has_line(d, "n1_0 -> n2_0 [dir=forward", "label=\"trap: lgdt\"",
		 "step 1: kernel -> tvmm, trap: lgdt");
	has_line(d, "n1_1 -> n2_1 [dir=back", "label=\"emulate, resume\"",
		 "step 1: tvmm -> kernel, emulate");
	has_line(d, "n1_2 -> n2_2 [dir=forward", "label=\"trap: out \xc3\x97" "3\"",
		 "step 2: three OUTs collapsed, x3");
	has_line(d, "{ rank=same; s2 ", "#1-3\\nEXCEPTION_NMI",
		 "step 2: the seq column says #1-3 and the reason");
	has_line(d, "n0_4 -> n1_4 [dir=none", "label=\"trap: int 0x80\"",
		 "step 3: from the app (ring 3), labelled where it starts");
	has_line(d, "n1_4 -> n2_4 [dir=forward", NULL,
		 "step 3: ... crossing the kernel's column to tvmm");
	has_line(d, "n1_5 -> n2_5 [dir=back", "reflect \xe2\x86\x92 int 0x80 handler",
		 "step 3: reflected to the guest kernel's int 0x80 handler");
	has_line(d, "n2_6 -> n3_6 [dir=back", "EXTERNAL_INTERRUPT: Linux handles it",
		 "step 4: a host interrupt, host -> tvmm");
	has_line(d, "n0_7 -> n1_7 [dir=back", NULL,
		 "step 4: then back to the app, where it came");
	has_line(d, "n1_9 -> n2_9 [dir=back", "inject vector 0x20 (timer)",
		 "step 5: hlt, then the timer injected");
	has_line(d, "n1_10 -> n2_10 [dir=forward", "exit: PREEMPTION_TIMER",
		 "step 6: an exit with no instruction is named by its reason");
	has_line(d, "n1_12 -> n2_12 [dir=forward", "trap: out 0xe9",
		 "step 7: an I/O exit shows its port (qualification)");
	has_line(d, "n2_15 -> n3_15 [dir=forward", "fatal: the VM ends",
		 "step 8: fatal goes to the host");
	ok(!strstr(d, "more [shape=note"), "nothing omitted, no note");
	graphviz_accepts("the sequence");
	free(d);
}

static void test_sequence_minios(void)
{
	char *d = dot_text("--sequence " MINIOS);

	if (!ok(d, "sequence of the real minios trace"))
		return;
	/* 256 exits, 39 steps after collapsing: all fit in the default 40. */
	ok(strstr(d, "256 exits, seq 0-255; 39 steps shown"), "title: 256 exits, 39 steps");
	ok_eq(count(d, "{ rank=same;"), 2 * 39 + 2, "39 steps drawn");
	ok(strstr(d, "label=\"guest kernel\\n(ring 1)\""), "the guest kernel ran at ring 1");
	ok(strstr(d, "trap: out \xc3\x97" "41"), "the first 41 OUTs are one step");
	ok_eq(count(d, "reflect \xe2\x86\x92 int 0x80 handler"), 4,
	      "4 reflect steps (5 system calls, two in a row)");
	graphviz_accepts("the minios sequence");
	free(d);

	d = dot_text("--max 10 " MINIOS);
	if (!ok(d, "--max 10"))
		return;
	ok_eq(count(d, "{ rank=same;"), 2 * 10 + 2, "--max 10: 10 steps");
	ok(strstr(d, "more [shape=note") &&
	   strstr(d, "and 206 more exits (seq 50-255) in 29 more steps"),
	   "--max 10: a note counts what is not drawn");
	graphviz_accepts("the --max sequence");
	free(d);

	d = dot_text("--from 149 --to 168 " MINIOS);
	if (!ok(d, "--from 149 --to 168"))
		return;
	ok(strstr(d, "20 exits selected, seq 149-168; 3 steps shown"),
	   "--from/--to: 20 exits in 3 steps, int / out x18 / int");
	has_line(d, "n0_0 -> n1_0", "trap: int 0x80", "--from: the first step is seq 149");
	free(d);
}

static void test_graph(void)
{
	char *d = dot_text("--graph " TMP "/small.jsonl");

	if (!ok(d, "graph of the hand-written trace"))
		return;
	ok(strstr(d, "digraph tvmm_graph {"), "a digraph");
	/* 10 exits, 9 transitions: out -> out twice is one edge */
	ok_eq(count(d, "\tk"), 8 + 8 + 1, "8 kinds, 8 distinct transitions, 1 edge to the end");
	has_line(d, "k1 [", "EXCEPTION_NMI\\nout\\n3 exits (30.0%)\\nemulated",
		 "a node: reason, instruction, count, action");
	has_line(d, "k1 -> k1 ", "label=\"2\"", "out -> out: twice");
	has_line(d, "k4 [", "color=\"#23813a\"", "hlt's node is coloured by its action (injected)");
	has_line(d, "start -> k0", NULL, "start -> the first exit");
	has_line(d, "k7 -> end", NULL, "the last exit -> end");
	graphviz_accepts("the graph");
	free(d);

	d = dot_text("--graph --max 3 " MINIOS);
	if (!ok(d, "graph of minios, --max 3"))
		return;
	ok_eq(count(d, "penwidth=") - 1, 3, "--max 3: 3 edges");
	ok(strstr(d, "rarer transitions of"), "the title says edges were left out");
	has_line(d, "k4 -> k4 ", "label=\"210\"", "the heaviest: out -> out, 210 times");
	graphviz_accepts("the --max graph");
	free(d);
}

static void test_rings(void)
{
	char *d = dot_text("--rings " TMP "/small.jsonl");

	if (!ok(d, "rings of the hand-written trace"))
		return;
	ok(strstr(d, "subgraph cluster_ring3") && strstr(d, "subgraph cluster_ring1") &&
	   strstr(d, "subgraph cluster_ring0") && strstr(d, "subgraph cluster_root"),
	   "clusters for rings 3, 1, 0 and VMX root");
	ok(strstr(d, "cluster_ring3") < strstr(d, "cluster_ring1") &&
	   strstr(d, "cluster_ring1") < strstr(d, "cluster_ring0") &&
	   strstr(d, "cluster_ring0") < strstr(d, "cluster_root"),
	   "nested from ring 3 inwards to VMX root");
	has_line(d, "r3 -> tvmm", "label=\"2 exits\"", "ring 3: 2 exits");
	has_line(d, "r1 -> tvmm", "label=\"7 exits\"", "ring 1: 7 exits");
	has_line(d, "r0 -> tvmm", "label=\"1 exits\"", "ring 0: 1 exit");
	has_line(d, "host -> tvmm", "1 interrupts", "one host interrupt");
	has_line(d, "tvmm -> r1", "reflect 1", "reflected to the kernel ring");
	ok(strstr(d, "inject 2\\n(vector 0x20)"), "2 injections");
	ok(strstr(d, "<B>tvmm.ko: 10 exits handled</B>"), "tvmm's table");
	graphviz_accepts("the rings");
	free(d);
}

static void test_outputs(void)
{
	char *s;

	if (!have_graphviz) {
		ok(1, "-o OUT.svg renders with dot # SKIP Graphviz's dot is not installed");
		ok(1, "-o OUT.png renders with dot # SKIP Graphviz's dot is not installed");
	} else {
		unlink(TMP "/out.svg");
		ok_eq(dot("--sequence " MINIOS " -o " TMP "/out.svg"), 0, "-o OUT.svg: status 0");
		s = slurp(TMP "/out.svg");
		ok(s && strstr(s, "<svg"), "-o OUT.svg renders with dot");
		free(s);
		unlink(TMP "/out.png");
		ok_eq(dot("--rings -o " TMP "/out.png " MINIOS), 0, "-o OUT.png: status 0");
		s = slurp(TMP "/out.png");
		ok(s && !memcmp(s, "\x89PNG", 4), "-o OUT.png renders with dot (options after the file work too)");
		free(s);
	}

	/* No Graphviz: a clear error before reading anything. */
	{
		char *path = getenv("PATH") ? strdup(getenv("PATH")) : NULL;
		int status;

		setenv("PATH", TMP "/no-such-dir", 1);
		status = dot("--graph " MINIOS " -o " TMP "/x.svg");
		if (path)
			setenv("PATH", path, 1);
		free(path);
		if (!ok(status == TVMM_EXIT_FAILURE && strstr(errbuf, "needs Graphviz's `dot`") &&
			strstr(errbuf, "-o OUT.dot"), "no dot on PATH: svg refused, says why and what to do"))
			diag("  status %d: %s", status, errbuf);
		ok(access(TMP "/x.svg", F_OK), "... and writes nothing");
	}

	ok_eq(dot(MINIOS " -o " TMP "/x.pdf"), TVMM_EXIT_USAGE, "-o x.pdf: usage error");
	ok(strstr(errbuf, "OUT.svg"), "... naming the formats");
	ok_eq(dot("--graph --rings " MINIOS), TVMM_EXIT_USAGE, "two drawings: usage error");
	ok_eq(dot("--from 9 --to 3 " MINIOS), TVMM_EXIT_USAGE, "--from after --to: usage error");
	ok_eq(dot("--max 0 " MINIOS), TVMM_EXIT_USAGE, "--max 0: usage error");
	ok_eq(dot("--from 1000 " MINIOS " -o " TMP "/x.dot"), TVMM_EXIT_INPUT,
	      "--from past the end: input error");
	ok(strstr(errbuf, "no record with seq 1000 or later (256 records in all)"), "... says so");
	ok_eq(dot(TMP "/none.jsonl"), TVMM_EXIT_INPUT, "a missing file: status 8");

	write_file(TMP "/bad.jsonl", "{\"seq\":0,\"reason\":\"HLT\",\"cycles\":1}\n{\"seq\":1,\n");
	ok_eq(dot(TMP "/bad.jsonl -o " TMP "/x.dot"), TVMM_EXIT_INPUT, "a malformed line: status 8");
	ok(strstr(errbuf, TMP "/bad.jsonl:2: column"), "... with FILE:LINE: column");
	write_file(TMP "/empty.jsonl", "\n\n");
	ok_eq(dot(TMP "/empty.jsonl -o " TMP "/x.dot"), TVMM_EXIT_INPUT, "an empty trace: status 8");
	ok(access(TMP "/x.dot", F_OK), "no output file after an input error");
}

int main(void)
{
	if (system("mkdir -p " TMP))
		return 1;
	unlink(TMP "/x.dot");
	unlink(TMP "/x.svg");
	write_file(TMP "/small.jsonl", small);
	have_graphviz = system("command -v dot >/dev/null 2>&1") == 0;
	if (access(MINIOS, R_OK)) {
		printf("not ok 1 - %s missing: run from tests/host\n", MINIOS);
		return 1;
	}

	test_sequence_small();
	test_sequence_minios();
	test_graph();
	test_rings();
	test_outputs();
	return done_testing();
}
