// SPDX-License-Identifier: GPL-2.0
/*
 * cli_test.c - `tvmm run`, `stats` and `trace` on a machine without tvmm.
 *
 * Rule (tvmm.1, EXIT STATUS): every failure has its own status and one
 * readable paragraph; a bad image is refused before the device is even
 * opened; the guest's fate maps to documented statuses (0 hlt, the
 * hypercall status clamped to 100, 110-117 when the VM dies, 130 on a
 * signal). `tvmm trace` reads ftrace lines with kvm_exit's field names;
 * TVMM_TRACEFS points it at a fake tracefs here.
 */
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>

#include "../../userspace/cli.h"
#include "tap.h"

#define TVMM		"../../userspace/tvmm"
#define GUESTS		"../../guests/"
#define TMP		"/tmp/tvmm-cli-test"

static char out[16384];

/* Run @cmd with sh, stdout+stderr into out[]; its exit status. */
static int sh(const char *cmd)
{
	char full[4096];
	FILE *f;
	size_t n;
	int status;

	snprintf(full, sizeof(full), "%s 2>&1", cmd);
	f = popen(full, "r");
	if (!f)
		return -1;
	n = fread(out, 1, sizeof(out) - 1, f);
	out[n] = '\0';
	status = pclose(f);
	return WIFEXITED(status) ? WEXITSTATUS(status) : -1;
}

static void check(const char *cmd, int want_status, const char *want_text, const char *what)
{
	int status = sh(cmd);

	if (!ok(status == want_status && (!want_text || strstr(out, want_text)), "%s", what))
		diag("  $ %s\n#   status %d (want %d), output:\n%s#   want text: %s", cmd,
		     status, want_status, out, want_text ? want_text : "-");
}

static void write_file(const char *path, const char *text)
{
	FILE *f = fopen(path, "w");

	fputs(text, f);
	fclose(f);
}

static void test_exit_status_map(void)
{
	ok_eq(run_exit_status(TVMM_END_HLT, 7), 0, "hlt -> 0 (status ignored)");
	ok_eq(run_exit_status(TVMM_END_HYPERCALL, 0), 0, "hypercall exit(0) -> 0");
	ok_eq(run_exit_status(TVMM_END_HYPERCALL, 3), 3, "hypercall exit(3) -> 3");
	ok_eq(run_exit_status(TVMM_END_HYPERCALL, 99), 99, "hypercall exit(99) -> 99");
	ok_eq(run_exit_status(TVMM_END_HYPERCALL, 100), 100, "hypercall exit(100) -> 100");
	ok_eq(run_exit_status(TVMM_END_HYPERCALL, 0xffffffff), 100, "hypercall exit(~0) clamped to 100");
	ok_eq(run_exit_status(TVMM_END_TRIPLE_FAULT, 0), 110, "triple fault -> 110");
	ok_eq(run_exit_status(TVMM_END_EPT_VIOLATION, 0), 111, "EPT violation -> 111");
	ok_eq(run_exit_status(TVMM_END_MAX_EXITS, 0), 112, "max exits -> 112");
	ok_eq(run_exit_status(TVMM_END_ENTRY_FAILED, 0), 113, "entry failed -> 113");
	ok_eq(run_exit_status(TVMM_END_UNHANDLED, 0), 114, "unhandled -> 114");
	ok_eq(run_exit_status(TVMM_END_BAD_IO, 0), 115, "bad I/O -> 115");
	ok_eq(run_exit_status(TVMM_END_INTERNAL, 0), 116, "internal -> 116");
	ok_eq(run_exit_status(TVMM_END_BAD_MMIO, 0), 119, "bad MMIO -> 119");
	ok_eq(run_exit_status(42, 0), 117, "an unknown end -> 117");
}

static void test_labels_and_sizes(void)
{
	char buf[32];
	unsigned long long v;

	ok(!strcmp(run_reason_label(30, buf, sizeof(buf)), "io"), "label: IO_INSTRUCTION is io");
	ok(!strcmp(run_reason_label(12, buf, sizeof(buf)), "hlt"), "label: HLT is hlt");
	ok(!strcmp(run_reason_label(52, buf, sizeof(buf)), "preemption_timer"),
	   "label: others are KVM's name in lower case");
	ok(parse_size("2M", &v) == 0 && v == 2 << 20, "size: 2M");
	ok(parse_size("512k", &v) == 0 && v == 512 << 10, "size: 512k");
	ok(parse_size("1MiB", &v) == 0 && v == 1 << 20, "size: 1MiB");
	ok(parse_size("4096", &v) == 0 && v == 4096, "size: plain bytes");
	ok(parse_size("2X", &v) && parse_size("-1M", &v) && parse_size("", &v) &&
	   parse_size("M", &v) && parse_size("99999999999999999999", &v) &&
	   parse_size("17179869184G", &v), "size: garbage and overflow refused");
	ok(parse_count("0x10", &v) == 0 && v == 16 && parse_count("1000", &v) == 0 &&
	   v == 1000 && parse_count("1e3", &v) && parse_count("-1", &v), "count: strict");
}

static void test_run_errors(void)
{
	const char *env = "TVMM_DEVICE=" TMP "/no-such-device TVMM_CPUINFO=" TMP "/cpuinfo-";

	check(TVMM " run " TMP "/missing.bin", TVMM_EXIT_INPUT,
	      "cannot open the guest image", "run: a missing image, status 8");
	check(TVMM " run " TMP "/empty.bin", TVMM_EXIT_INPUT, "is empty",
	      "run: an empty image, status 8");
	check(TVMM " run --mem 1M " TMP "/big.bin", TVMM_EXIT_INPUT, "has room for 983040 bytes",
	      "run: an image larger than RAM minus 0x10000, status 8");
	check(TVMM " run " TMP, TVMM_EXIT_INPUT, "not a regular file", "run: a directory");
	check(TVMM " run --mem 3 " GUESTS "hello.bin", TVMM_EXIT_USAGE, "--mem 3",
	      "run: --mem not a multiple of 4K, status 2");
	check(TVMM " run --mem 128M " GUESTS "hello.bin", TVMM_EXIT_USAGE, "from 1024K to 64M",
	      "run: --mem too large, status 2");
	check(TVMM " run --mode vmx86 " GUESTS "hello.bin", TVMM_EXIT_USAGE, "unknown mode",
	      "run: unknown mode, status 2");
	check(TVMM " run --max-exits many " GUESTS "hello.bin", TVMM_EXIT_USAGE, "--max-exits",
	      "run: bad --max-exits, status 2");
	check(TVMM " run", TVMM_EXIT_USAGE, "which guest", "run: no image, status 2");
	check(TVMM " run --help", 0, "--max-exits", "run --help");

	/* The device diagnostics of dev.c, reused. */
	char cmd[1024];

	snprintf(cmd, sizeof(cmd), "%snovmx %s run " GUESTS "hello.bin", env, TVMM);
	check(cmd, TVMM_EXIT_NO_VTX, "no VT-x", "run without VT-x: status 4, lab VM advice");
	snprintf(cmd, sizeof(cmd), "%svmx %s run " GUESTS "hello.bin", env, TVMM);
	check(cmd, TVMM_EXIT_NO_MODULE, "does not exist: the tvmm module",
	      "run with VT-x, no module: status 3");
	snprintf(cmd, sizeof(cmd), "%svmx %s run --trace " TMP "/t.jsonl " GUESTS "hello.bin", env,
		 TVMM);
	sh(cmd);
	ok(access(TMP "/t.jsonl", F_OK) != 0, "run: no trace file is created when the VM cannot start");
}

static void test_stats_cli(void)
{
	check(TVMM " stats " TMP "/good.jsonl", 0, "Total Samples:2, Total events handled time:30ticks.",
	      "stats: a good trace");
	check("cat " TMP "/good.jsonl | " TVMM " stats -", 0, "Total Samples:2", "stats: from stdin");
	check(TVMM " stats --json " TMP "/good.jsonl", 0, "\"total_ticks\": 30", "stats --json");
	check(TVMM " stats " TMP "/bad.jsonl", TVMM_EXIT_INPUT, TMP "/bad.jsonl:2: column",
	      "stats: a malformed line gives file:line: column, status 8");
	check(TVMM " stats " TMP "/none.jsonl", TVMM_EXIT_INPUT, "cannot open", "stats: a missing file");
	check(TVMM " stats", TVMM_EXIT_USAGE, "which trace", "stats: no file, status 2");
}

static const char trace_text[] =
	"# tracer: nop\n"
	"#\n"
	"            tvmm-212     [000] d..1.    76.214505: tvmm_exit: vcpu 0 reason IO_INSTRUCTION rip 0x1000f info1 0x0000000000e90000 info2 0x0000000000000000 intr_info 0x00000000 error_code 0x00000000\n"
	"     my-run-tvmm-213     [001] d..1.    76.214600: tvmm_exit: vcpu 0 reason HLT rip 0x10012 info1 0x0000000000000000 info2 0x0000000000000000 intr_info 0x00000000 error_code 0x00000000\n"
	"            bash-1       [000] d..1.    76.300000: sched_switch: prev_comm=bash\n";

static void test_trace_parser(void)
{
	struct trace_line tl;
	const char *l1 = "            tvmm-212     [000] d..1.    76.214505: tvmm_exit: vcpu 0 reason IO_INSTRUCTION rip 0x1000f info1 0x0000000000e90000 info2 0x0 intr_info 0x00000000 error_code 0x00000000\n";

	ok(trace_parse_line(l1, &tl) == 0, "trace: a tvmm_exit line parses");
	ok(!strcmp(tl.comm, "tvmm") && tl.pid == 212 && tl.cpu == 0 &&
	   !strcmp(tl.timestamp, "76.214505"), "trace: comm, pid, cpu, timestamp");
	ok_eq(tl.nfields, 7, "trace: 7 fields");
	ok(!strcmp(tl.fields[0].key, "vcpu_id") && !strcmp(tl.fields[1].key, "exit_reason") &&
	   !strcmp(tl.fields[1].value, "IO_INSTRUCTION") && !strcmp(tl.fields[2].key, "guest_rip") &&
	   !strcmp(tl.fields[3].key, "info1"), "trace: keys renamed to kvm_exit's field names");
	ok(trace_parse_line("     my-run-tvmm-213     [001] d..1.  1.5: tvmm_exit: reason HLT\n", &tl) == 0 &&
	   !strcmp(tl.comm, "my-run-tvmm") && tl.pid == 213 && tl.cpu == 1,
	   "trace: a comm with dashes");
	ok(trace_parse_line("# tracer: nop\n", &tl) == -1 &&
	   trace_parse_line("  bash-1 [000] d..1. 7.0: sched_switch: x\n", &tl) == -1,
	   "trace: comments and other events are skipped");
}

static void test_trace_cli(void)
{
	check("TVMM_TRACEFS=" TMP "/tracefs " TVMM " trace", 0,
	      "76.214505 tvmm-212 [000] IO_INSTRUCTION     vcpu_id=0 guest_rip=0x1000f",
	      "trace: prints the buffer, one line per exit");
	check("TVMM_TRACEFS=" TMP "/tracefs " TVMM " trace --json", 0,
	      "{\"timestamp\":\"76.214600\",\"comm\":\"my-run-tvmm\",\"pid\":213,\"cpu\":1,"
	      "\"vcpu_id\":0,\"exit_reason\":\"HLT\",\"reason_code\":12,\"guest_rip\":\"0x10012\"",
	      "trace --json: kvm_exit's field names, reason_code added");
	ok(sh("TVMM_TRACEFS=" TMP "/tracefs " TVMM " trace | grep -c sched_switch") == 1,
	   "trace: other events are not shown");
	write_file(TMP "/tracefs/events/tvmm/tvmm_exit/enable", "0\n");
	check("TVMM_TRACEFS=" TMP "/tracefs " TVMM " trace", 0, "It is on now",
	      "trace: an event that was off is turned on, and says so");
	ok(sh("cat " TMP "/tracefs/events/tvmm/tvmm_exit/enable") == 0 && out[0] == '1',
	   "trace: the enable file now holds 1");
	check("TVMM_TRACEFS=" TMP "/tracefs " TVMM " trace --off", 0, NULL, "trace --off");
	ok(sh("cat " TMP "/tracefs/events/tvmm/tvmm_exit/enable") == 0 && out[0] == '0',
	   "trace --off: the enable file holds 0");
	check("TVMM_TRACEFS=" TMP "/notrace " TVMM " trace", TVMM_EXIT_NO_TRACEFS,
	      "not a tracefs", "trace: not a tracefs, status 9");
	check("TVMM_DEVICE=" TMP "/nodev TVMM_CPUINFO=" TMP "/cpuinfo-vmx TVMM_TRACEFS=" TMP
	      "/emptyfs " TVMM " trace", TVMM_EXIT_NO_MODULE, "does not exist: the tvmm module",
	      "trace: no tvmm event and no device: module not loaded, status 3");
	check("TVMM_DEVICE=" TMP "/cpuinfo-vmx TVMM_TRACEFS=" TMP "/emptyfs " TVMM " trace",
	      TVMM_EXIT_NO_TRACEFS, "without its tracepoint",
	      "trace: device present but no event: status 9");
}

int main(void)
{
	char big[2 << 20];

	if (system("rm -rf " TMP " && mkdir -p " TMP "/tracefs/events/tvmm/tvmm_exit "
		   TMP "/emptyfs/events " TMP "/notrace"))
		return 1;
	write_file(TMP "/empty.bin", "");
	memset(big, 0x90, sizeof(big));
	{
		FILE *f = fopen(TMP "/big.bin", "w");

		fwrite(big, 1, (1 << 20) - 0x10000 + 1, f);
		fclose(f);
	}
	write_file(TMP "/cpuinfo-novmx", "processor\t: 0\nflags\t\t: fpu sse sse2\n");
	write_file(TMP "/cpuinfo-vmx", "processor\t: 0\nflags\t\t: fpu vmx sse2\n");
	write_file(TMP "/good.jsonl",
		   "{\"seq\":0,\"reason\":\"IO_INSTRUCTION\",\"reason_code\":30,\"cycles\":10}\n"
		   "{\"seq\":1,\"reason\":\"HLT\",\"reason_code\":12,\"cycles\":20}\n");
	write_file(TMP "/bad.jsonl",
		   "{\"seq\":0,\"reason\":\"HLT\",\"cycles\":10}\n{\"seq\":1,\"reason\":HLT}\n");
	write_file(TMP "/tracefs/trace", trace_text);
	write_file(TMP "/tracefs/tracing_on", "1\n");
	write_file(TMP "/tracefs/events/tvmm/tvmm_exit/enable", "1\n");
	write_file(TMP "/emptyfs/trace", "");

	test_exit_status_map();
	test_labels_and_sizes();
	test_run_errors();
	test_stats_cli();
	test_trace_parser();
	test_trace_cli();
	if (!getenv("KEEP_TMP"))
		(void)system("rm -rf " TMP);
	return done_testing();
}
