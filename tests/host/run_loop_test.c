// SPDX-License-Identifier: GPL-2.0
/*
 * run_loop_test.c - the loop of `tvmm run` against a pretend tvmm.ko.
 *
 * Rule (module/include/uapi/tvmm.h, struct tvmm_run): TVMM_RUN returns
 * CONSOLE (print console[], run again), TRACE_FULL (read() the records,
 * run again) or ENDED (end, end_info, exit_status); it fails with EINTR
 * on a signal and the tool then drains, summarizes and exits 130. Here
 * ioctl(), read() and mmap() are replaced at link time (-Wl,--wrap) by a
 * scripted VM, so the loop, the summary line and the trace file are
 * checked on a machine without VT-x. The VM gives its records either
 * through a mapped ring (docs/abi.md: the tool reads them in place) or,
 * as a tvmm.ko without mmap(), only through read().
 */
#include <errno.h>
#include <fcntl.h>
#include <signal.h>
#include <stdarg.h>
#include <stdlib.h>
#include <string.h>
#include <sys/ioctl.h>
#include <sys/mman.h>
#include <unistd.h>

#include "../../userspace/cli.h"
#include "../../userspace/tracefile.h"
#include "tap.h"

#define TMP	"/tmp/tvmm-run-loop-test"

int __real_ioctl(int fd, unsigned long req, void *arg);
ssize_t __real_read(int fd, void *buf, size_t n);
int __real_munmap(void *addr, size_t len);

/* The mapped ring: a control page and RING_NR records (one page). */
#define RING_NR		32
static bool ring_mode;
static struct tvmm_trace_mmap_page ring_page __attribute__((aligned(4096)));
static struct tvmm_exit_record ring_recs[RING_NR] __attribute__((aligned(4096)));

/* The pretend VM: one scenario, a step counter, queued records. */
static const char *scenario;
static int vm_fd = -1, step;
static struct tvmm_exit_record queue[16];
static unsigned int queued, next_seq;
static struct tvmm_stats stats;
static struct tvmm_config config;

static void exit_rec(unsigned int reason, unsigned long long rip)
{
	struct tvmm_exit_record *r = ring_mode ? &ring_recs[ring_page.head % RING_NR] :
						 &queue[queued++];

	memset(r, 0, sizeof(*r));
	r->version = TVMM_EXIT_RECORD_VERSION;
	r->size = sizeof(*r);
	r->reason_code = reason;
	r->seq = next_seq++;
	r->tsc = 1000 * r->seq;
	r->rip = rip;
	r->cs = 8;
	r->rflags = 2;
	r->cycles = 100 + reason;
	r->action = TVMM_ACTION_EMULATED;
	strcpy(r->mnemonic, reason == 30 ? "out" : "hlt");
	stats.exits++;
	stats.count[reason]++;
	stats.cycles[reason] += r->cycles;
	if (ring_mode)
		ring_page.head++;	/* published: TVMM_RUN is returning */
}

static int do_run(struct tvmm_run *run)
{
	step++;
	if (!strcmp(scenario, "hello")) {
		if (step == 1) {
			exit_rec(30, 0x1000f);
			exit_rec(30, 0x1000f);
			exit_rec(30, 0x1000f);
			run->state = TVMM_RUN_CONSOLE;
			memcpy(run->console, "Hi\n", 3);
			run->console_len = 3;
		} else {
			exit_rec(12, 0x10012);
			run->state = TVMM_RUN_ENDED;
			run->end = TVMM_END_HLT;
		}
	} else if (!strcmp(scenario, "full")) {
		if (step <= 2) {
			exit_rec(30, 0x10000);
			run->state = TVMM_RUN_TRACE_FULL;
		} else {
			exit_rec(18, 0x10002);
			run->state = TVMM_RUN_ENDED;
			run->end = TVMM_END_HYPERCALL;
			run->exit_status = 3;
		}
	} else if (!strcmp(scenario, "badring")) {
		ring_page.version = 99;	/* before the tool's first drain maps it */
		exit_rec(12, 0x10000);
		run->state = TVMM_RUN_ENDED;
		run->end = TVMM_END_HLT;
	} else if (!strcmp(scenario, "ept")) {
		exit_rec(48, 0x10000);
		run->state = TVMM_RUN_ENDED;
		run->end = TVMM_END_EPT_VIOLATION;
		run->end_info = 0x40000000;
		strcpy(run->message, "guest wrote GPA 0x40000000, outside its 2 MiB of RAM");
	} else if (!strcmp(scenario, "signal")) {
		if (step == 1) {
			exit_rec(1, 0x10000);
			raise(SIGINT);	/* the handler runs; the "ioctl" fails */
			errno = EINTR;
			return -1;
		}
		return -1;	/* never reached: the tool stops */
	}
	run->exits = stats.exits;
	return 0;
}

int __wrap_ioctl(int fd, unsigned long req, void *arg)
{
	if (req == TVMM_GET_API_VERSION) {
		vm_fd = fd;
		return TVMM_API_VERSION;
	}
	if (fd != vm_fd)
		return __real_ioctl(fd, req, arg);
	switch (req) {
	case TVMM_SET_CONFIG:
		memcpy(&config, arg, sizeof(config));
		return 0;
	case TVMM_LOAD_IMAGE:
		return 0;
	case TVMM_RUN:
		return do_run(arg);
	case TVMM_GET_STATS:
		memcpy(arg, &stats, sizeof(stats));
		return 0;
	}
	errno = ENOTTY;
	return -1;
}

ssize_t __wrap_read(int fd, void *buf, size_t n)
{
	size_t k;

	if (fd != vm_fd)
		return __real_read(fd, buf, n);
	if (n < sizeof(queue[0])) {
		errno = EINVAL;
		return -1;
	}
	k = n / sizeof(queue[0]);
	if (k > queued)
		k = queued;
	memcpy(buf, queue, k * sizeof(queue[0]));
	memmove(queue, queue + k, (queued - k) * sizeof(queue[0]));
	queued -= k;
	return k * sizeof(queue[0]);
}

/* The ring's two areas, as tvmm.ko maps them; ENODEV for read()-only. */
void *__wrap_mmap(void *addr, size_t len, int prot, int flags, int fd, off_t off)
{
	(void)addr;
	(void)prot;
	(void)flags;
	if (fd != vm_fd || !ring_mode) {
		errno = ENODEV;
		return MAP_FAILED;
	}
	if (!off && len == 4096)
		return &ring_page;
	if (off == 4096 && len == sizeof(ring_recs))
		return ring_recs;
	errno = EINVAL;
	return MAP_FAILED;
}

int __wrap_munmap(void *addr, size_t len)
{
	if (addr == &ring_page || addr == ring_recs)
		return 0;
	return __real_munmap(addr, len);
}

static char out[8192], err[8192];

static void slurp(const char *path, char *buf, size_t size)
{
	int fd = open(path, O_RDONLY);
	ssize_t n = fd >= 0 ? __real_read(fd, buf, size - 1) : 0;

	buf[n > 0 ? n : 0] = '\0';
	if (fd >= 0)
		close(fd);
}

/* Run `tvmm run ARGS...` in this process with the scenario @name. */
static int run_tool(const char *name, ...)
{
	char *argv[16] = { "run" };
	int argc = 1, status, saved_out = dup(1), saved_err = dup(2), fd;
	va_list ap;

	scenario = name;
	vm_fd = -1;	/* fd numbers are reused: forget the last VM's */
	step = 0;
	queued = next_seq = 0;
	memset(&ring_page, 0, sizeof(ring_page));
	ring_page.version = TVMM_TRACE_MMAP_VERSION;
	ring_page.record_size = sizeof(struct tvmm_exit_record);
	ring_page.nr_records = RING_NR;
	ring_page.records_offset = 4096;
	memset(&stats, 0, sizeof(stats));
	memset(&config, 0, sizeof(config));
	va_start(ap, name);
	while (argc < 15 && (argv[argc] = va_arg(ap, char *)))
		argc++;
	va_end(ap);

	fflush(stdout);
	fd = open(TMP "/out", O_WRONLY | O_CREAT | O_TRUNC, 0644);
	dup2(fd, 1);
	close(fd);
	fd = open(TMP "/err", O_WRONLY | O_CREAT | O_TRUNC, 0644);
	dup2(fd, 2);
	close(fd);
	status = cmd_run(argc, argv);
	fflush(stderr);
	dup2(saved_out, 1);
	dup2(saved_err, 2);
	close(saved_out);
	close(saved_err);
	signal(SIGINT, SIG_DFL);
	slurp(TMP "/out", out, sizeof(out));
	slurp(TMP "/err", err, sizeof(err));
	return status;
}

static int count_lines(const char *path)
{
	char buf[16384];
	int n = 0;

	slurp(path, buf, sizeof(buf));
	for (char *p = buf; *p; p++)
		n += *p == '\n';
	return n;
}

/* @path: the binary header, then @n records, each as the pretend VM made it. */
static void check_binary(const char *path, unsigned int n)
{
	struct tracebin_header h;
	struct tvmm_exit_record rec;
	unsigned int i, good = 0;
	FILE *f = fopen(path, "r");

	if (!ok(f && fread(&h, sizeof(h), 1, f) == 1, "binary trace: a header"))
		goto out;
	ok(!memcmp(h.magic, TRACEBIN_MAGIC, TRACEBIN_MAGIC_LEN) &&
	   h.format == TRACEBIN_FORMAT && h.header_size == sizeof(h) &&
	   h.record_version == TVMM_EXIT_RECORD_VERSION && h.record_size == sizeof(rec),
	   "binary trace: magic, format, header size, record version and size");
	for (i = 0; i < n && fread(&rec, sizeof(rec), 1, f) == 1; i++)
		good += rec.seq == i && rec.tsc == 1000 * i &&
			rec.version == TVMM_EXIT_RECORD_VERSION;
	ok_eq(good, n, "binary trace: the records in order, as read() returned them");
	ok(fread(&rec, 1, 1, f) == 0, "binary trace: nothing after them");
out:
	if (f)
		fclose(f);
}

/* `tvmm stats` counts the same in the JSON trace and the binary one. */
static void same_stats(const char *jsonl, const char *bin)
{
	static struct trace_stats a, b;
	FILE *fa = fopen(jsonl, "r"), *fb = fopen(bin, "r");

	stats_init(&a);
	stats_init(&b);
	ok(fa && fb && !stats_read(fa, "t", &a) && !stats_read(fb, "t", &b) &&
	   a.samples == 4 && !memcmp(&a, &b, sizeof(a)),
	   "binary trace: stats counts what it counts in the JSON trace");
	if (fa)
		fclose(fa);
	if (fb)
		fclose(fb);
}

int main(void)
{
	int status;
	char trace[16384];

	if (system("rm -rf " TMP " && mkdir -p " TMP " && printf '\\364' > " TMP "/g.bin && : > " TMP "/dev"))
		return 1;
	setenv("TVMM_DEVICE", TMP "/dev", 1);

	/* A tvmm.ko without mmap(): the records come by read(). */
	status = run_tool("hello", "--trace", TMP "/t.jsonl", TMP "/g.bin", NULL);
	ok_eq(status, 0, "hello: exit status 0");
	ok(!strcmp(out, "Hi\n"), "hello: the console on stdout, exactly");
	if (!ok(strstr(err, "tvmm: hlt after 4 exits (io 3, hlt 1); exit status 0\n") != NULL,
		"hello: the one-line summary"))
		diag("  stderr: %s", err);
	ok(config.flags & TVMM_CONFIG_TRACE, "--trace sets TVMM_CONFIG_TRACE");
	ok_eq(count_lines(TMP "/t.jsonl"), 4, "hello: 4 lines in the trace");
	slurp(TMP "/t.jsonl", trace, sizeof(trace));
	if (!ok(!strncmp(trace, "{\"seq\":0,\"tsc\":0,\"reason\":\"IO_INSTRUCTION\",\"reason_code\":30,",
			 strlen("{\"seq\":0,\"tsc\":0,\"reason\":\"IO_INSTRUCTION\",\"reason_code\":30,")),
		"hello: the trace starts with the first OUT"))
		diag("  %s", trace);
	ok(strstr(trace, "{\"seq\":3,\"tsc\":3000,\"reason\":\"HLT\"") != NULL,
	   "hello: and ends with HLT");

	/* The same run, binary: the header, then the records as read() gave them. */
	status = run_tool("hello", "--trace", TMP "/t.rec", "--trace-format", "binary",
			  TMP "/g.bin", NULL);
	ok_eq(status, 0, "hello, binary trace: exit status 0");
	check_binary(TMP "/t.rec", 4);
	same_stats(TMP "/t.jsonl", TMP "/t.rec");

	status = run_tool("full", "--trace", TMP "/f.jsonl", "--max-exits", "50", "--mem", "4M",
			  TMP "/g.bin", NULL);
	ok_eq(status, 3, "hypercall exit(3): exit status 3");
	ok_eq(count_lines(TMP "/f.jsonl"), 3, "TRACE_FULL: records drained, none lost");
	ok_eq(config.max_exits, 50, "--max-exits reaches the config");
	ok_eq(config.mem_size, 4 << 20, "--mem 4M reaches the config");
	ok(strstr(err, "hypercall exit(3) after 3 exits") != NULL, "hypercall: summary");

	/* The mapped ring: the same traces, read in place; tail ends at head. */
	ring_mode = true;
	status = run_tool("hello", "--trace", TMP "/m.rec", "--trace-format", "binary",
			  TMP "/g.bin", NULL);
	ok_eq(status, 0, "mapped ring, hello: exit status 0");
	check_binary(TMP "/m.rec", 4);
	ok(ring_page.head == 4 && ring_page.tail == 4, "mapped ring: every record consumed");
	status = run_tool("full", "--trace", TMP "/mf.jsonl", TMP "/g.bin", NULL);
	ok_eq(count_lines(TMP "/mf.jsonl"), 3, "mapped ring, TRACE_FULL: records drained, none lost");
	/* A module from another tree: refused with the reason, nothing read. */
	status = run_tool("badring", "--trace", TMP "/b.jsonl", TMP "/g.bin", NULL);
	ok_eq(status, TVMM_EXIT_API, "mapped ring of another layout: the ABI exit status");
	if (!ok(strstr(err, "different trees") != NULL, "mapped ring of another layout: says so"))
		diag("  stderr: %s", err);
	ring_mode = false;

	status = run_tool("ept", TMP "/g.bin", NULL);
	ok_eq(status, TVMM_EXIT_EPT_VIOLATION, "EPT violation: exit status 111");
	ok(strstr(err, "EPT violation at GPA 0x40000000 after 1 exit (ept_violation 1); exit status 111") &&
	   strstr(err, "outside its 2 MiB"), "EPT violation: summary and the module's message");
	ok(config.flags == 0, "no --trace: no TVMM_CONFIG_TRACE");

	status = run_tool("signal", "--trace", TMP "/s.jsonl", TMP "/g.bin", NULL);
	ok_eq(status, TVMM_EXIT_SIGNAL, "SIGINT: exit status 130");
	ok(strstr(err, "interrupted by SIGINT after 1 exit (interrupt 1); exit status 130") != NULL,
	   "SIGINT: summary");
	ok_eq(count_lines(TMP "/s.jsonl"), 1, "SIGINT: the trace is drained");

	status = run_tool("hello", "--mode", "real", TMP "/g.bin", NULL);
	ok_eq(config.mode, TVMM_MODE_REAL, "--mode real reaches the config");
	ok_eq(config.timer_ticks, 0, "no --timer: 0, the module's default period");

	/* --timer: a period goes through; 0 (off) is the ABI's TVMM_TIMER_OFF. */
	status = run_tool("hello", "--mode", "deprivileged", "--timer", "5000", TMP "/g.bin", NULL);
	ok_eq(config.mode, TVMM_MODE_DEPRIVILEGED, "--mode deprivileged reaches the config");
	ok_eq(config.timer_ticks, 5000, "--timer 5000 reaches the config");
	status = run_tool("hello", "--mode", "paravirt", "--timer", "0", TMP "/g.bin", NULL);
	ok_eq(config.mode, TVMM_MODE_PARAVIRT, "--mode paravirt reaches the config");
	ok(config.timer_ticks == TVMM_TIMER_OFF, "--timer 0 becomes TVMM_TIMER_OFF");

	if (!getenv("KEEP_TMP"))
		(void)system("rm -rf " TMP);
	return done_testing();
}
