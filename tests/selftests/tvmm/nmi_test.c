// SPDX-License-Identifier: GPL-2.0
/*
 * nmi_test - a host NMI that arrives while a guest runs reaches Linux,
 * and only Linux.
 *
 * Rule under test (SDM vol. 3C, 26.2 "Other Causes of VM Exits"; 27.2
 * "Recording VM-Exit Information"; issue 13): with "NMI exiting" an NMI
 * in VMX non-root operation is a VM exit with reason EXCEPTION_NMI and
 * interruption type NMI, and NMIs stay blocked until the next IRET. The
 * CPU does not deliver it to Linux: tvmm must call Linux's NMI entry
 * itself, with interrupts still off (module/host_state.c), then record
 * the exit with action "ignored" and resume the guest untouched. A VMM
 * that forgets loses the NMI (a perf sample, a watchdog, the NMI that
 * stops CPUs for a crash dump); one that injects it into the guest hands
 * the host's event to a hostile guest.
 *
 * How: the helper module nmi_probe.ko (module/nmi_probe.c) sends NMIs to
 * CPU 1, one at a time, and its NMI handler claims and counts them. The
 * test runs a guest that counts in ECX with interrupts off and never
 * exits on its own, pinned to CPU 1, with tracing, while a second thread
 * on CPU 0 asks for the NMIs. Then:
 *   - every NMI reached Linux's handler (handled == sent, none missed);
 *   - the trace has NMI exits (EXCEPTION_NMI, type NMI, vector 2), at
 *     least half as many as NMIs (the guest runs nearly all the time, and
 *     must not run with the host's NMIs blocked), each with action
 *     "ignored", as many as NMIs handled through tvmm's hand-off
 *     (nmi_probe recognizes its call site), none of those with
 *     interrupts on (the NMIs that hit the host side go to Linux
 *     directly: they count as handled, not as hand-offs);
 *   - the guest was not disturbed: nothing injected, reflected or fatal,
 *     every exit at the counting loop, the VM still alive, ECX still
 *     counting afterwards (the guest has no IDT: an injected NMI would
 *     triple-fault it);
 *   - the kernel log has no "NMI received for unknown reason" (an NMI
 *     delivered twice), no "Dazed and confused", no WARNING/BUG/Oops.
 *
 * Needs: 2 CPUs (labvm.sh --cpus 2; skipped on 1) and a VT-x CPU (Bochs).
 */
#include "vm_util.h"
#include "../kselftest_harness.h"

#include <pthread.h>
#include <sched.h>
#include <sys/time.h>

#define NMI_PROBE_KO		"nmi_probe.ko"
#define NMI_PROBE_SEND		"/sys/kernel/debug/nmi_probe/send"
#define NMI_PROBE_STATS		"/sys/kernel/debug/nmi_probe/stats"
#define NMI_COUNT		20
#define GUEST_CPU		1
#define SENDER_CPU		0
/* Let the guest settle on its CPU before the NMIs (guest-time ms). */
#define SETTLE_MS		200
/* A backstop if no signal ever ends the run. */
#define MAX_EXITS		200000

#define INTR_INFO_VALID		(1U << 31)
#define INTR_INFO_TYPE(info)	(((info) >> 8) & 7)
#define INTR_TYPE_NMI		2
#define NMI_VECTOR		2

/*
 * 32-bit flat guest at TVMM_GUEST_LOAD_GPA, IF clear, no IDT: count in
 * ECX forever. It never exits on its own.
 */
static const unsigned char count_guest[] = {
	0x41,			/* 1: inc %ecx */
	0xeb, 0xfd,		/*    jmp 1b */
};

/* The sender thread's request and result. */
struct sender {
	pthread_t thread;
	int err;		/* 0, or errno of the failed step */
	volatile bool done;
};

static volatile sig_atomic_t ticks;

static void on_tick(int sig)
{
	(void)sig;
	ticks++;
}

static int pin_to_cpu(int cpu)
{
	cpu_set_t set;

	CPU_ZERO(&set);
	CPU_SET(cpu, &set);
	return sched_setaffinity(0, sizeof(set), &set) ? -errno : 0;
}

/* On CPU 0: wait for the guest to settle, then NMI_COUNT NMIs to CPU 1. */
static void *send_nmis(void *arg)
{
	struct sender *s = arg;
	char req[32];

	s->err = -pin_to_cpu(SENDER_CPU);
	if (!s->err) {
		usleep(SETTLE_MS * 1000);
		snprintf(req, sizeof(req), "%d %d", GUEST_CPU, NMI_COUNT);
		if (write_text_file(NMI_PROBE_SEND, req))
			s->err = errno;
	}
	s->done = true;
	return NULL;
}

/* "key N" of nmi_probe's stats; -1 if missing. */
static long probe_stat(const char *stats, const char *key)
{
	const char *p = stats;
	size_t len = strlen(key);

	while (p && *p) {
		if (!strncmp(p, key, len) && p[len] == ' ')
			return strtol(p + len + 1, NULL, 10);
		p = strchr(p, '\n');
		if (p)
			p++;
	}
	return -1;
}

/*
 * TVMM_RUN until @stop is true at an EINTR (the tick timer interrupts
 * it every 50 ms). Return: 0 at such a stop, 1 if the VM ended, or -errno.
 */
static int run_until(int fd, struct vm_result *res, volatile bool *stop,
		     unsigned int min_ticks)
{
	unsigned int start = ticks;
	int ret;

	for (;;) {
		memset(&res->run, 0, sizeof(res->run));
		ret = ioctl(fd, TVMM_RUN, &res->run) ? -errno : 0;
		if (vm_drain(fd, res))
			return -EPROTO;
		if (ret == -EINTR) {
			if ((!stop || *stop) && ticks - start >= min_ticks)
				return 0;
			continue;
		}
		if (ret)
			return ret;
		if (res->run.state == TVMM_RUN_ENDED)
			return 1;
	}
}

FIXTURE(nmi) {
	int fd;
	bool probe_loaded;
	struct vm_result res;
};

FIXTURE_SETUP(nmi)
{
	int ret;

	self->fd = -1;
	self->probe_loaded = false;
	memset(&self->res, 0, sizeof(self->res));
	if (!cpu_has_vmx())
		SKIP_TEST("this CPU has no VMX (CPUID.01H:ECX[5] = 0): run in the Bochs lab VM");
	if (cpus_online() < 2)
		SKIP_TEST("needs 2 CPUs (the NMIs go from CPU %d to the guest's CPU %d): labvm.sh tests --cpus 2",
			  SENDER_CPU, GUEST_CPU);
	REQUIRE_VMX_AND_TVMM();
	ret = module_load(NMI_PROBE_KO, NULL);
	ASSERT_TRUE(ret == 0 || ret == -EEXIST) TH_LOG("loading %s: %s", NMI_PROBE_KO, strerror(-ret));
	self->probe_loaded = true;
}

FIXTURE_TEARDOWN(nmi)
{
	struct itimerval off;

	memset(&off, 0, sizeof(off));
	setitimer(ITIMER_REAL, &off, NULL);
	vm_result_free(&self->res);
	if (self->fd >= 0)
		close(self->fd);
	if (self->probe_loaded)
		module_unload("nmi_probe");
}

TEST_F(nmi, host_nmis_reach_linux_not_the_guest)
{
	struct tvmm_config cfg = vm_config(TVMM_MODE_HW, TVMM_CONFIG_TRACE, MAX_EXITS);
	struct itimerval tick = { { 0, 50000 }, { 0, 50000 } };
	long handled, missed, handoff, irqs_on, sent;
	unsigned int nmi_exits = 0, disturbed = 0, elsewhere = 0;
	char stats[512], last_cpu[32], problem[256];
	struct tvmm_regs before, after;
	struct tvmm_stats vstats;
	struct sender sender;
	struct sigaction sa;
	sigset_t alrm;
	int vm_id, ret;

	cfg.timer_ticks = TVMM_TIMER_OFF;
	ASSERT_EQ(0, pin_to_cpu(GUEST_CPU)) TH_LOG("pinning to CPU %d: %s", GUEST_CPU, strerror(errno));
	kernel_log_clear();
	self->fd = vm_create(&cfg);
	ASSERT_LE(0, self->fd) TH_LOG("creating the VM: %s", strerror(-self->fd));
	ASSERT_EQ(0, vm_load(self->fd, count_guest, sizeof(count_guest)));
	vm_id = ioctl(self->fd, TVMM_GET_VM_ID);
	ASSERT_LE(0, vm_id);

	/* SIGALRM every 50 ms, for this thread only: the sender blocks it. */
	memset(&sa, 0, sizeof(sa));
	sa.sa_handler = on_tick;
	sigemptyset(&sa.sa_mask);
	ASSERT_EQ(0, sigaction(SIGALRM, &sa, NULL));
	sigemptyset(&alrm);
	sigaddset(&alrm, SIGALRM);
	pthread_sigmask(SIG_BLOCK, &alrm, NULL);
	memset(&sender, 0, sizeof(sender));
	ASSERT_EQ(0, pthread_create(&sender.thread, NULL, send_nmis, &sender));
	pthread_sigmask(SIG_UNBLOCK, &alrm, NULL);
	ASSERT_EQ(0, setitimer(ITIMER_REAL, &tick, NULL));

	/* The guest runs on CPU 1 while the NMIs come. */
	ret = run_until(self->fd, &self->res, &sender.done, 0);
	pthread_join(sender.thread, NULL);
	ASSERT_EQ(0, sender.err) TH_LOG("asking nmi_probe for the NMIs: %s", strerror(sender.err));
	ASSERT_EQ(0, ret) TH_LOG("the guest ended while the NMIs came (%s): %s",
				 ret == 1 ? end_name(self->res.run.end) : strerror(-ret),
				 self->res.run.message);
	ASSERT_EQ(0, vm_state_field(vm_id, "last cpu", last_cpu, sizeof(last_cpu)));
	EXPECT_EQ(GUEST_CPU, atoi(last_cpu)) TH_LOG("the VM ran on CPU %s", last_cpu);

	/* Every NMI reached Linux's handler, through tvmm. */
	ASSERT_LT(0, read_text_file(NMI_PROBE_STATS, stats, sizeof(stats)));
	sent = probe_stat(stats, "sent");
	handled = probe_stat(stats, "handled");
	missed = probe_stat(stats, "missed");
	handoff = probe_stat(stats, "handoff");
	irqs_on = probe_stat(stats, "handoff_irqs_on");
	for (size_t i = 0; i < self->res.nrecs; i++) {
		const struct tvmm_exit_record *rec = &self->res.recs[i];

		if (rec->action == TVMM_ACTION_INJECTED || rec->action == TVMM_ACTION_REFLECTED ||
		    rec->action == TVMM_ACTION_FATAL)
			disturbed++;
		if (rec->rip != TVMM_GUEST_LOAD_GPA && rec->rip != TVMM_GUEST_LOAD_GPA + 1)
			elsewhere++;
		if (rec->reason_code != EXIT_REASON_EXCEPTION_NMI)
			continue;
		EXPECT_TRUE((rec->intr_info & INTR_INFO_VALID) &&
			    INTR_INFO_TYPE(rec->intr_info) == INTR_TYPE_NMI &&
			    (rec->intr_info & 0xff) == NMI_VECTOR)
			TH_LOG("exit %llu: EXCEPTION_NMI with interruption info 0x%x, not an NMI",
			       (unsigned long long)rec->seq, rec->intr_info);
		EXPECT_EQ(TVMM_ACTION_IGNORED, rec->action)
			TH_LOG("exit %llu: the host's NMI got action %u, not \"ignored\"",
			       (unsigned long long)rec->seq, rec->action);
		nmi_exits++;
	}
	TH_LOG("nmi_probe: %s", stats);
	TH_LOG("%u NMI exits in %zu records", nmi_exits, self->res.nrecs);
	EXPECT_EQ(NMI_COUNT, sent);
	EXPECT_EQ(NMI_COUNT, handled)
		TH_LOG("%ld of %d NMIs sent to CPU %d never reached Linux's NMI handler (%u NMI exits): tvmm did not hand them over",
		       NMI_COUNT - handled, NMI_COUNT, GUEST_CPU, nmi_exits);
	EXPECT_EQ(0, missed);
	EXPECT_LT(0, nmi_exits) TH_LOG("no NMI exit while the guest ran: the test proves nothing");
	/*
	 * The guest runs nearly all the time, so nearly every NMI is an NMI
	 * exit. Few of them means the guest ran with the host's NMIs blocked
	 * and they waited for a host IRET (host_nmi_unblock_guest()).
	 */
	EXPECT_LE(NMI_COUNT / 2, nmi_exits)
		TH_LOG("only %u of %d NMIs were NMI exits: the guest ran with the host's NMIs blocked (interruptibility \"blocking by NMI\" left set after an NMI exit?)",
		       nmi_exits, NMI_COUNT);
	ASSERT_EQ(0, ioctl(self->fd, TVMM_GET_STATS, &vstats));
	if (!vstats.records_dropped)
		EXPECT_EQ(vstats.count[EXIT_REASON_EXCEPTION_NMI], nmi_exits);
	EXPECT_EQ(vstats.count[EXIT_REASON_EXCEPTION_NMI], handoff)
		TH_LOG("%llu NMI exits, %ld NMIs handed to Linux by tvmm: each must be handed over once",
		       (unsigned long long)vstats.count[EXIT_REASON_EXCEPTION_NMI], handoff);
	EXPECT_EQ(0, irqs_on) TH_LOG("tvmm handed %ld NMIs to Linux with interrupts on", irqs_on);

	/* The guest was not disturbed, and goes on counting. */
	EXPECT_EQ(0, disturbed) TH_LOG("%u exits injected, reflected or ended something in the guest", disturbed);
	EXPECT_EQ(0, elsewhere) TH_LOG("%u exits away from the guest's loop", elsewhere);
	ASSERT_EQ(0, ioctl(self->fd, TVMM_GET_REGS, &before));
	ret = run_until(self->fd, &self->res, NULL, 2);
	ASSERT_EQ(0, ret) TH_LOG("the guest ended after the NMIs (%s): %s",
				 ret == 1 ? end_name(self->res.run.end) : strerror(-ret),
				 self->res.run.message);
	ASSERT_EQ(0, ioctl(self->fd, TVMM_GET_REGS, &after));
	EXPECT_NE((__u32)before.rcx, (__u32)after.rcx) TH_LOG("the guest stopped counting");
	EXPECT_TRUE(after.rip == TVMM_GUEST_LOAD_GPA || after.rip == TVMM_GUEST_LOAD_GPA + 1)
		TH_LOG("the guest left its loop: rip 0x%llx", (unsigned long long)after.rip);

	/* Linux saw each NMI once, and nothing went wrong. */
	EXPECT_FALSE(kernel_log_contains("NMI received for unknown reason"))
		TH_LOG("an NMI Linux did not expect: delivered twice, or after nmi_probe gave up on it");
	EXPECT_FALSE(kernel_log_contains("Dazed and confused"));
	EXPECT_FALSE(kernel_log_has_problem(problem, sizeof(problem))) TH_LOG("kernel log: %s", problem);
}

TEST_HARNESS_MAIN
