// SPDX-License-Identifier: GPL-2.0
/*
 * robustness_test - the edges of /dev/tvmm a hostile or unlucky user hits:
 * a signal in the middle of a line, a timer period near 2^64, a read()
 * buffer that faults half-way, poll() after the VM is gone, and a VMX
 * instruction failing over and over.
 *
 * Rules under test (docs/abi.md):
 *   - console bytes pending when a signal interrupts TVMM_RUN are returned
 *     (state TVMM_RUN_CONSOLE), not dropped;
 *   - timer_ticks above TVMM_TIMER_MAX (other than TVMM_TIMER_OFF) is
 *     EINVAL: rdtsc() + period must not wrap;
 *   - read() advances the record ring only past records it copied whole:
 *     a buffer whose second half is unmapped gets the first record(s), the
 *     next read() the rest, with no seq missing;
 *   - poll() reports POLLHUP once the VM has ended and its last record
 *     was read, and wakes a poller waiting when the VM ends;
 *   - a failing VMREAD is logged rate-limited (helper vmread_probe.ko);
 *   - WRMSR of a non-canonical IA32_SYSENTER_ESP/EIP is #GP for the guest
 *     (its handler ends the VM), not a failed VM entry (make fuzz found it).
 *
 * Each of these failed before its fix (tests/fuzz/README.md, "Findings").
 * Needs: a VT-x CPU with EPT and unrestricted guest (the Bochs lab VM).
 */
#include "vm_util.h"
#include "../kselftest_harness.h"

#include <poll.h>
#include <pthread.h>
#include <sys/mman.h>

#define VMREAD_PROBE_KO		"vmread_probe.ko"
#define VMREAD_PROBE_READS	300	/* the reads= below */
/* printk's default rate limit: 10 lines per 5 s; a margin for the rest. */
#define VMREAD_LINES_MAX	30
#define POLL_WAIT_MS		20000

static volatile sig_atomic_t alarm_fired;

static void on_alarm(int sig)
{
	(void)sig;
	alarm_fired = 1;
}

/* SIGALRM in @seconds, interrupting (not restarting) a blocking ioctl. */
static void arm_alarm(unsigned int seconds)
{
	struct sigaction sa;

	memset(&sa, 0, sizeof(sa));
	sa.sa_handler = on_alarm;
	sigemptyset(&sa.sa_mask);
	sigaction(SIGALRM, &sa, NULL);
	alarm_fired = 0;
	alarm(seconds);
}

/*
 * 32-bit flat guest: print "abc" on the console port with no newline (so
 * tvmm keeps the bytes until the line is complete), then spin forever.
 */
static const unsigned char partial_line_guest[] = {
	0xb0, 'a', 0xe6, TVMM_CONSOLE_PORT,	/* mov $'a', %al; out %al, $0xe9 */
	0xb0, 'b', 0xe6, TVMM_CONSOLE_PORT,
	0xb0, 'c', 0xe6, TVMM_CONSOLE_PORT,
	0xeb, 0xfe,				/* 1: jmp 1b */
};

FIXTURE(robust) {
	int fd;
	struct vm_result res;
};

FIXTURE_SETUP(robust)
{
	self->fd = -1;
	memset(&self->res, 0, sizeof(self->res));
	REQUIRE_VMX_AND_TVMM();
	REQUIRE_GUEST("hello.bin");
}

FIXTURE_TEARDOWN(robust)
{
	vm_result_free(&self->res);
	if (self->fd >= 0)
		close(self->fd);
	alarm(0);
}

/* Ctrl-C while the guest is in the middle of a line: the bytes still come. */
TEST_F(robust, console_flushed_on_signal)
{
	struct tvmm_config cfg = vm_config(TVMM_MODE_HW, 0, 0);
	struct tvmm_run run;
	char console[64] = "";
	size_t len = 0;
	int i, ret = 0;

	self->fd = vm_create(&cfg);
	ASSERT_LE(0, self->fd);
	ASSERT_EQ(0, vm_load(self->fd, partial_line_guest, sizeof(partial_line_guest)));
	arm_alarm(2);
	/* Until the signal has been seen: an EINTR, or a return after it. */
	for (i = 0; i < 1000 && !alarm_fired; i++) {
		memset(&run, 0, sizeof(run));
		ret = ioctl(self->fd, TVMM_RUN, &run) ? -errno : 0;
		if (ret)
			break;
		ASSERT_NE(TVMM_RUN_ENDED, run.state) TH_LOG("the spinning guest ended: %s", run.message);
		ASSERT_GE(TVMM_CONSOLE_MAX, run.console_len);
		if (len + run.console_len < sizeof(console)) {
			memcpy(console + len, run.console, run.console_len);
			len += run.console_len;
			console[len] = '\0';
		}
	}
	ASSERT_TRUE(alarm_fired);
	EXPECT_TRUE(ret == 0 || ret == -EINTR) TH_LOG("TVMM_RUN: %s", strerror(-ret));
	EXPECT_STREQ("abc", console)
		TH_LOG("the console bytes pending when SIGALRM came were %s",
		       len ? "garbled" : "dropped (TVMM_RUN failed with EINTR and lost them)");
	/* And the VM is intact: it runs again, and is interrupted again. */
	arm_alarm(1);
	memset(&run, 0, sizeof(run));
	EXPECT_EQ(-1, ioctl(self->fd, TVMM_RUN, &run));
	EXPECT_EQ(EINTR, errno);
}

/* The timer period has a documented maximum; only TVMM_TIMER_OFF is above. */
TEST_F(robust, timer_period_bounded)
{
	static const struct {
		__u64 ticks;
		int err;
	} cases[] = {
		{ 0, 0 },				/* the default */
		{ TVMM_TIMER_MIN, 0 },
		{ TVMM_TIMER_MAX, 0 },
		{ TVMM_TIMER_OFF, 0 },
		{ TVMM_TIMER_MIN - 1, EINVAL },
		{ TVMM_TIMER_MAX + 1, EINVAL },
		{ 1ULL << 63, EINVAL },
		{ ~0ULL / 1000 + 1, EINVAL },		/* "* 1000" would overflow */
		{ TVMM_TIMER_OFF - 1, EINVAL },		/* rdtsc() + period would wrap */
	};
	struct tvmm_config cfg = vm_config(TVMM_MODE_HW, 0, 0);
	size_t i;
	int ret;

	self->fd = vm_create(NULL);
	ASSERT_LE(0, self->fd);
	for (i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		cfg.timer_ticks = cases[i].ticks;
		ret = ioctl(self->fd, TVMM_SET_CONFIG, &cfg) ? errno : 0;
		EXPECT_EQ(cases[i].err, ret)
			TH_LOG("timer_ticks %llu: got %s, want %s",
			       (unsigned long long)cases[i].ticks,
			       ret ? strerror(ret) : "success",
			       cases[i].err ? strerror(cases[i].err) : "success");
	}
}

/*
 * read() into a buffer whose second page is unmapped: the first record
 * lies wholly in the mapped page, the second crosses into the hole.
 */
TEST_F(robust, trace_read_partial_fault)
{
	struct tvmm_config cfg = vm_config(TVMM_MODE_HW, TVMM_CONFIG_TRACE, 0);
	const size_t rec = sizeof(struct tvmm_exit_record);
	long page = sysconf(_SC_PAGESIZE);
	struct tvmm_exit_record got[512], *first;
	struct tvmm_stats stats;
	struct tvmm_run run;
	size_t n = 0, i;
	ssize_t r;
	char *map;
	int runs;

	self->fd = vm_create(&cfg);
	ASSERT_LE(0, self->fd);
	ASSERT_LT(0, vm_load_file(self->fd, "hello.bin"));
	/* Run to the end without reading: hello's few exits fit the ring. */
	for (runs = 0; runs < 1000; runs++) {
		memset(&run, 0, sizeof(run));
		ASSERT_EQ(0, ioctl(self->fd, TVMM_RUN, &run)) TH_LOG("TVMM_RUN: %s", strerror(errno));
		ASSERT_NE(TVMM_RUN_TRACE_FULL, run.state);
		if (run.state == TVMM_RUN_ENDED)
			break;
	}
	ASSERT_EQ(TVMM_RUN_ENDED, run.state);
	ASSERT_EQ(0, ioctl(self->fd, TVMM_GET_STATS, &stats));
	ASSERT_EQ(0, stats.records_dropped);
	ASSERT_LE(2, stats.exits) TH_LOG("hello.bin should exit more than once");

	map = mmap(NULL, 2 * page, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
	ASSERT_NE(MAP_FAILED, map);
	ASSERT_EQ(0, munmap(map + page, page));
	first = (struct tvmm_exit_record *)(map + page - rec - rec / 2);
	r = read(self->fd, first, 4 * rec);
	EXPECT_EQ((ssize_t)rec, r)
		TH_LOG("read() of 4 records into a buffer faulting in the 2nd: %zd (%s); want one record",
		       r, r < 0 ? strerror(errno) : "");
	if (r == (ssize_t)rec)
		got[n++] = *first;
	munmap(map, page);
	/* The rest, with an ordinary buffer. */
	for (i = 0; i < 100; i++) {
		r = read(self->fd, got + n, (sizeof(got) / rec - n) * rec);
		ASSERT_LE(0, r) TH_LOG("read: %s", strerror(errno));
		if (!r)
			break;
		n += r / rec;
	}
	EXPECT_EQ(stats.exits, n) TH_LOG("%zu records read for %llu exits: some were lost",
					  n, (unsigned long long)stats.exits);
	for (i = 0; i < n && got[i].seq == i; i++)
		;
	EXPECT_EQ(n, i) TH_LOG("record %zu has seq %llu: a gap", i,
			       (unsigned long long)got[i < n ? i : 0].seq);
}

/* A VM that has ended and been drained hangs up; one with records waiting does not. */
TEST_F(robust, poll_reports_hangup)
{
	struct tvmm_config cfg = vm_config(TVMM_MODE_HW, TVMM_CONFIG_TRACE, 0);
	struct pollfd p;
	int ret;

	self->fd = vm_create(&cfg);
	ASSERT_LE(0, self->fd);
	ASSERT_LT(0, vm_load_file(self->fd, "hello.bin"));
	p = (struct pollfd){ .fd = self->fd, .events = POLLIN };
	ASSERT_EQ(0, poll(&p, 1, 0)) TH_LOG("a VM that has not run: nothing to say");

	/* Run to the end, leaving the records queued. */
	for (ret = 0; ret < 1000; ret++) {
		memset(&self->res.run, 0, sizeof(self->res.run));
		ASSERT_EQ(0, ioctl(self->fd, TVMM_RUN, &self->res.run));
		if (self->res.run.state == TVMM_RUN_ENDED)
			break;
	}
	ASSERT_EQ(TVMM_RUN_ENDED, self->res.run.state);
	p.revents = 0;
	ASSERT_EQ(1, poll(&p, 1, 0));
	EXPECT_TRUE(p.revents & POLLIN);
	EXPECT_FALSE(p.revents & POLLHUP) TH_LOG("hang-up while records still wait");

	ASSERT_EQ(0, vm_drain(self->fd, &self->res));
	ASSERT_LT(0, self->res.nrecs);
	p.revents = 0;
	EXPECT_EQ(1, poll(&p, 1, 0)) TH_LOG("poll() after the last record of an ended VM: nothing reported");
	EXPECT_TRUE(p.revents & POLLHUP) TH_LOG("revents 0x%x, want POLLHUP", p.revents);
	EXPECT_FALSE(p.revents & POLLIN);
}

struct poller {
	int fd;
	int ret;
	short revents;
};

static void *poll_thread(void *arg)
{
	struct poller *w = arg;
	struct pollfd p = { .fd = w->fd, .events = POLLIN };

	w->ret = poll(&p, 1, POLL_WAIT_MS);
	w->revents = p.revents;
	return NULL;
}

/* A reader already waiting in poll() (no tracing: no record wakes it) hears the end. */
TEST_F(robust, poll_woken_at_end)
{
	struct tvmm_config cfg = vm_config(TVMM_MODE_HW, 0, 0);
	struct poller w = { .ret = -2 };
	pthread_t t;

	self->fd = vm_create(&cfg);
	ASSERT_LE(0, self->fd);
	ASSERT_LT(0, vm_load_file(self->fd, "hello.bin"));
	w.fd = self->fd;
	ASSERT_EQ(0, pthread_create(&t, NULL, poll_thread, &w));
	ASSERT_EQ(0, vm_run_to_end(self->fd, &self->res));
	ASSERT_EQ(0, pthread_join(t, NULL));
	EXPECT_EQ(1, w.ret) TH_LOG("poll() returned %d: not woken when the VM ended", w.ret);
	EXPECT_TRUE(w.revents & POLLHUP) TH_LOG("revents 0x%x", w.revents);
}

/*
 * A guest with its own flat GDT (interrupt delivery reads the gate's code
 * segment from it) and a #GP handler that ends the VM with the exit
 * hypercall, status 0x47; its code writes 0x12345678_00000000 (not
 * canonical) to MSR @msr. SDM vol. 4: #GP; vol. 3C 27.3.1.1: VM entry
 * refuses such a value in the SYSENTER fields.
 */
#define WG_HANDLER		0x30
#define WG_GDTR			0x40
#define WG_GDT			0x48
#define WG_IDTR			0x60
#define WG_IDT			0x70
#define WG_GATE13		(WG_IDT + 13 * 8)
#define WRMSR_GUEST_SIZE	(WG_IDT + 14 * 8)
#define WRMSR_GP_STATUS		0x47

static void put32(unsigned char *p, __u32 v)
{
	memcpy(p, &v, 4);
}

static void wrmsr_guest(unsigned char *g, __u32 msr)
{
	static const unsigned char code[] = {
		0x0f, 0x01, 0x15, 0, 0, 0, 0,	/* lgdt GDTR */
		0x66, 0x8c, 0xc8,		/* mov %cs, %ax */
		0x66, 0xa3, 0, 0, 0, 0,		/* mov %ax, gate13.selector */
		0x0f, 0x01, 0x1d, 0, 0, 0, 0,	/* lidt IDTR: ring 1 copies the gates now */
		0xb9, 0, 0, 0, 0,		/* mov $msr, %ecx */
		0xb8, 0, 0, 0, 0,		/* mov $0, %eax */
		0xba, 0x78, 0x56, 0x34, 0x12,	/* mov $0x12345678, %edx */
		0x0f, 0x30,			/* wrmsr */
		0xfa, 0xf4,			/* cli; hlt: no #GP came */
	};
	static const unsigned char handler[] = {
		0xb8, 0, 0, 0, 0,		/* mov $0, %eax: exit */
		0xbb, WRMSR_GP_STATUS, 0, 0, 0,	/* mov $0x47, %ebx */
		0x0f, 0x01, 0xc1, 0xf4,		/* vmcall; hlt */
	};
	static const unsigned char gdt[] = {
		0, 0, 0, 0, 0, 0, 0, 0,
		0xff, 0xff, 0, 0, 0, 0x9a, 0xcf, 0,	/* 0x08: flat code */
		0xff, 0xff, 0, 0, 0, 0x92, 0xcf, 0,	/* 0x10: flat data */
	};
	__u32 load = TVMM_GUEST_LOAD_GPA, h = load + WG_HANDLER;

	memset(g, 0, WRMSR_GUEST_SIZE);
	memcpy(g, code, sizeof(code));
	put32(g + 3, load + WG_GDTR);
	put32(g + 12, load + WG_GATE13 + 2);
	put32(g + 19, load + WG_IDTR);
	put32(g + 24, msr);
	memcpy(g + WG_HANDLER, handler, sizeof(handler));
	g[WG_GDTR] = sizeof(gdt) - 1;		/* limit, base */
	put32(g + WG_GDTR + 2, load + WG_GDT);
	memcpy(g + WG_GDT, gdt, sizeof(gdt));
	g[WG_IDTR] = 14 * 8 - 1;
	put32(g + WG_IDTR + 2, load + WG_IDT);
	g[WG_GATE13] = h & 0xff;		/* interrupt gate, DPL 0 */
	g[WG_GATE13 + 1] = (h >> 8) & 0xff;
	g[WG_GATE13 + 5] = 0x8e;
	g[WG_GATE13 + 6] = (h >> 16) & 0xff;
	g[WG_GATE13 + 7] = h >> 24;
}

TEST_F(robust, wrmsr_noncanonical_sysenter_gp)
{
	static const __u32 modes[] = { TVMM_MODE_HW, TVMM_MODE_DEPRIVILEGED };
	static const __u32 msrs[] = { 0x175, 0x176 };	/* SYSENTER_ESP, _EIP */
	unsigned char g[WRMSR_GUEST_SIZE];
	size_t i, j;

	for (i = 0; i < 2; i++) {
		for (j = 0; j < 2; j++) {
			struct tvmm_config cfg = vm_config(modes[i], 0, 1000);
			int fd = vm_create(&cfg);

			ASSERT_LE(0, fd);
			wrmsr_guest(g, msrs[j]);
			ASSERT_EQ(0, vm_load(fd, g, sizeof(g)));
			ASSERT_EQ(0, vm_run_to_end(fd, &self->res));
			close(fd);
			/* The bug: the value went into the VMCS, the entry failed. */
			EXPECT_NE(TVMM_END_ENTRY_FAILED, self->res.run.end)
				TH_LOG("mode %u, wrmsr 0x%x: %s", modes[i], msrs[j],
				       self->res.run.message);
			/*
			 * The #GP reaches the guest's handler in both modes.
			 * (Until 2026-12-06 the guest wrote gate 13 after
			 * LIDT, which ring 1's shadow IDT, a copy made at LIDT,
			 * never saw: the #GP's delivery faulted, and tvmm took
			 * that #GP for the WRMSR's again, until --max-exits.
			 * event.c now makes it a #DF, here a triple fault.)
			 */
			EXPECT_TRUE(self->res.run.end == TVMM_END_HYPERCALL &&
				    self->res.run.exit_status == WRMSR_GP_STATUS)
				TH_LOG("wrmsr 0x%x: end %s, status 0x%x (%s); want the #GP handler's exit(0x%x)",
				       msrs[j], end_name(self->res.run.end),
				       self->res.run.exit_status, self->res.run.message,
				       WRMSR_GP_STATUS);
		}
	}
}

/* Count the lines of the kernel log that contain @needle. */
static int count_log_lines(const char *needle)
{
	char *log = kernel_log(), *p;
	int n = 0;

	for (p = log; p && (p = strstr(p, needle)); p += strlen(needle))
		n++;
	free(log);
	return n;
}

/* 300 failing VMREADs in a row must not become 300 log lines. */
TEST_F(robust, vmread_failure_ratelimited)
{
	char path[PATH_MAX];
	int ret, lines;

	guest_path(VMREAD_PROBE_KO, path, sizeof(path));
	if (access(path, R_OK))
		SKIP(return, "%s not installed", VMREAD_PROBE_KO);
	module_unload("vmread_probe");
	/* VMX off: every VMREAD raises #UD, caught by the wrapper's fixup. */
	ret = tvmm_ensure_unloaded();
	ASSERT_EQ(0, ret) TH_LOG("unloading tvmm: %s", strerror(-ret));
	kernel_log_clear();
	ret = module_load(path, "reads=300");
	ASSERT_EQ(0, ret) TH_LOG("loading %s: %s", path, strerror(-ret));
	EXPECT_EQ(0, module_unload("vmread_probe"));
	ASSERT_EQ(1, count_log_lines("VMREADs failed"))
		TH_LOG("the probe did not report its reads");
	EXPECT_FALSE(kernel_log_contains("vmread_probe: 0 of"))
		TH_LOG("no VMREAD failed: VMX was on with a VMCS current, the test proves nothing");
	lines = count_log_lines("VMREAD f");
	EXPECT_LE(1, lines) TH_LOG("no VMREAD failure was logged at all");
	EXPECT_GE(VMREAD_LINES_MAX, lines)
		TH_LOG("%d log lines for %d failing VMREADs: not rate-limited",
		       lines, VMREAD_PROBE_READS);
}

TEST_HARNESS_MAIN
