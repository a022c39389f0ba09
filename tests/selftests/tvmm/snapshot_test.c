// SPDX-License-Identifier: GPL-2.0
/*
 * snapshot_test - save a running VM and continue it in a new one
 * (TVMM_PAUSE_AT, TVMM_GET_STATE, TVMM_SET_STATE), and refuse a crafted
 * state without building anything.
 *
 * Rule under test (docs/snapshot-format.md; the notes' "migrate"): the
 * guest cannot tell it was saved and restored. For the mini-OS in every
 * mode (hw, deprivileged, patch, paravirt), paused after N exits (four
 * points through its run), saved, and continued in a fresh VM:
 *   console(first VM) + console(restored VM) == console(a run never stopped);
 *   the first VM's trace followed by the restored one's equals the
 *     uninterrupted trace, record for record (reason, RIP, action), once
 *     what depends on host time is set aside: host interrupts, the
 *     preemption timer and the interrupt window, and where the virtual
 *     timer's ticks land (an exit that injected a tick counts as emulated,
 *     and the timer handler's own exit, its STI at ring 1 or its set-IF
 *     hypercall, is dropped: how many ticks fall in a spin depends on
 *     host time);
 *   the restored VM's records go on with the next seq number.
 * The virtual CPU tvmm emulates is saved with it (lab 11's TODO(lab11.1)):
 * a timer deadline that passed while the VM was paused is a tick due now
 * (0 ticks left, not a period, not a wrapped difference), and the guest's
 * clock goes on from the value saved, not from the host's: saved again
 * after a restore, it has advanced by no more than the new VM existed.
 * Paused in a HLT, the state says halted; paused inside the guest's CLI
 * section after its tick fell due, it says a tick is pending.
 * And a state TVMM_SET_STATE refuses (a de-privileged guest at ring 0 or
 * with IOPL 3, GDTR off the shadow table, an NMI queued, a patch site in
 * the wrong mode, a timer phase longer than its period, ...) gets EINVAL
 * and the reason in error[], and leaves the VM fresh: TVMM_RUN finds
 * nothing to run, and the good state is still accepted afterwards.
 *
 * Needs: a VT-x CPU with EPT, unrestricted guest and the preemption timer
 * (Bochs), labs 06-08's modes (else those cases skip).
 */
#include "vm_util.h"
#include "../kselftest_harness.h"
#include "minios_util.h"

#define EXIT_REASON_INTERRUPT_WINDOW	7

/* One saved VM: its state and its RAM (state.ram_addr points there). */
struct saved {
	struct tvmm_vm_state state;
	unsigned char *ram;
};

/*
 * Run @guest in @mode (the seed's timer, traced) until exactly @n exits,
 * collecting its console and records in @a, then save it into @sv.
 * Return: 0, -ECHILD if the VM ended first, or -errno.
 */
static int save_at_gap(__u32 mode, const char *guest, __u64 n, __u64 gap,
		       struct vm_result *a, struct saved *sv);

static int save_at(__u32 mode, const char *guest, __u64 n, struct vm_result *a,
		   struct saved *sv)
{
	return save_at_gap(mode, guest, n, 0, a, sv);
}

/* The host TSC (the clock tvmm's timer and the guest's RDTSC run on). */
static inline __u64 host_tsc(void)
{
	__u32 lo, hi;

	__asm__ __volatile__("rdtsc" : "=a"(lo), "=d"(hi));
	return ((__u64)hi << 32) | lo;
}

/* Let the host TSC advance by @ticks: a gap made on purpose, not a measurement. */
static void tsc_gap(__u64 ticks)
{
	__u64 t0 = host_tsc();

	while (host_tsc() - t0 < ticks)
		;
}

/* save_at(), waiting @gap host TSC ticks between the pause and the save. */
static int save_at_gap(__u32 mode, const char *guest, __u64 n, __u64 gap,
		       struct vm_result *a, struct saved *sv)
{
	struct tvmm_config c = vm_config(mode, TVMM_CONFIG_TRACE, MINIOS_MAX_EXITS);
	ssize_t size;
	int fd, ret;

	c.timer_ticks = MINIOS_TIMER_PERIOD;
	fd = vm_create(&c);
	if (fd < 0)
		return fd;
	size = vm_load_file(fd, guest);
	ret = size < 0 ? (int)size : 0;
	if (!ret && ioctl(fd, TVMM_PAUSE_AT, &n))
		ret = -errno;
	vm_result_free(a);
	memset(a, 0, sizeof(*a));
	while (!ret) {
		ret = vm_run_step(fd, a);
		if (!ret && a->run.state == TVMM_RUN_ENDED)
			ret = -ECHILD;
		/* Paused: CONSOLE, or TRACE_FULL if the ring filled at that exit. */
		if (!ret && a->run.exits >= n)
			break;
	}
	if (!ret) {
		tsc_gap(gap);
		memset(&sv->state, 0, sizeof(sv->state));
		sv->state.version = TVMM_STATE_VERSION;
		sv->state.size = sizeof(sv->state);
		free(sv->ram);
		sv->ram = malloc(c.mem_size ? c.mem_size : TVMM_GUEST_MEM_DEFAULT);
		sv->state.ram_addr = (unsigned long)sv->ram;
		if (!sv->ram)
			ret = -ENOMEM;
		else if (ioctl(fd, TVMM_GET_STATE, &sv->state))
			ret = -errno;
	}
	close(fd);
	return ret;
}

/* TVMM_SET_STATE of @st on a fresh VM; its fd, or -errno (*st gets error[]). */
static int restore_state(struct tvmm_vm_state *st, const struct saved *sv)
{
	int fd = vm_create(NULL);

	if (fd < 0)
		return fd;
	st->ram_addr = (unsigned long)sv->ram;
	if (ioctl(fd, TVMM_SET_STATE, st)) {
		int err = -errno;

		close(fd);
		return err;
	}
	return fd;
}

/* What a trace says about the guest, without what depends on host time. */
struct step {
	__u32 reason;
	__u64 rip;
	__u8 action;
};

#define MAX_ISR_RIPS	8

/* Exits that only host time causes: host interrupts, the preemption timer, the window. */
static bool host_timed(const struct tvmm_exit_record *rec)
{
	return exit_is_host_noise(rec) || rec->reason_code == EXIT_REASON_INTERRUPT_WINDOW;
}

/*
 * Where the timer handler exits: the first guest exit after each exit
 * that injected a tick (its STI at ring 1, its set-IF hypercall in
 * paravirt; not for hw, where its STI does not exit and the next exit
 * is the guest's own). Added to @rips (*@n of them).
 */
static void find_isr_rips(const struct vm_result *r, __u64 *rips, size_t *n)
{
	bool after = false;
	size_t i, k;

	for (i = 0; i < r->nrecs; i++) {
		const struct tvmm_exit_record *rec = &r->recs[i];
		bool tick = rec->action == TVMM_ACTION_INJECTED;

		if (host_timed(rec)) {
			after |= tick;
			continue;
		}
		if (after) {
			for (k = 0; k < *n && rips[k] != rec->rip; k++)
				;
			if (k == *n && *n < MAX_ISR_RIPS)
				rips[(*n)++] = rec->rip;
		}
		after = tick;
	}
}

/*
 * The records of @r that do not depend on host time, appended to @out
 * after @n: no host-timed exit, none of the timer handler's (@rips: how
 * many ticks land in a spin depends on host time), and an "injected"
 * action counted as "emulated" (the tick went in at this exit or another).
 * Return: the new count.
 */
static size_t timeless(const struct vm_result *r, const __u64 *rips, size_t nrips,
		       struct step *out, size_t n)
{
	size_t i, k;

	for (i = 0; i < r->nrecs; i++) {
		const struct tvmm_exit_record *rec = &r->recs[i];

		if (host_timed(rec))
			continue;
		for (k = 0; k < nrips && rips[k] != rec->rip; k++)
			;
		if (k < nrips)
			continue;
		out[n].reason = rec->reason_code;
		out[n].rip = rec->rip;
		out[n].action = rec->action == TVMM_ACTION_INJECTED ? TVMM_ACTION_EMULATED :
				rec->action;
		n++;
	}
	return n;
}

FIXTURE(snapshot) {
	struct vm_result full, a, b;
	struct saved sv;
	struct step *want, *got;
};

FIXTURE_SETUP(snapshot)
{
	memset(self, 0, sizeof(*self));
	REQUIRE_VMX_AND_TVMM();
	REQUIRE_GUEST("minios.bin");
	REQUIRE_GUEST("minios_pv.bin");
	REQUIRE_GUEST("hello.bin");
}

FIXTURE_TEARDOWN(snapshot)
{
	vm_result_free(&self->full);
	vm_result_free(&self->a);
	vm_result_free(&self->b);
	free(self->sv.ram);
	free(self->want);
	free(self->got);
}

/*
 * The proof for one mode: the uninterrupted run, then for four points
 * (1/8, 3/8, 5/8, 7/8 of its exits) run to the point, save, restore, run
 * to the end, and compare.
 */
static void check_mode(struct __test_metadata *_metadata, FIXTURE_DATA(snapshot) *self,
		       __u32 mode, const char *guest)
{
	const char *name = tvmm_mode_name(mode);
	char console[sizeof(self->full.console) * 2];
	size_t nwant, ngot, i, k, nrips = 0;
	__u64 total, points[4], rips[MAX_ISR_RIPS] = { 0 };
	int ret, fd;

	ret = run_minios(mode, guest, &self->full);
	if (ret == -EOPNOTSUPP)
		SKIP(return, "tvmm.ko refuses mode %s: its lab (06-08) is not in this build", name);
	ASSERT_EQ(0, ret) TH_LOG("%s: the uninterrupted run: %s", name, strerror(-ret));
	ASSERT_EQ(TVMM_RUN_ENDED, self->full.run.state);
	ASSERT_STREQ(MINIOS_TEXT, self->full.console);
	total = self->full.run.exits;
	/* The boot's HLT waits, the CLI section, the app's spin, its last lines. */
	for (k = 0; k < 4; k++)
		points[k] = total * (2 * k + 1) / 8;
	self->want = calloc(self->full.nrecs + 1, sizeof(*self->want));
	ASSERT_NE(NULL, self->want);
	/* hw: the handler's STI does not exit, the guest's next exit is its own. */
	if (mode != TVMM_MODE_HW)
		find_isr_rips(&self->full, rips, &nrips);
	nwant = timeless(&self->full, rips, nrips, self->want, 0);
	TH_LOG("%s: %llu exits uninterrupted, %zu that do not depend on host time; the timer handler exits at %zu RIP(s)%s0x%llx",
	       name, (unsigned long long)total, nwant, nrips, nrips ? ", the first " : ", ",
	       nrips ? (unsigned long long)rips[0] : 0ULL);
	/* Elsewhere it exits at one place: timer_isr's STI or set-IF VMCALL. */
	EXPECT_EQ(mode == TVMM_MODE_HW ? 0 : 1, nrips);

	for (k = 0; k < 4; k++) {
		ret = save_at(mode, guest, points[k], &self->a, &self->sv);
		ASSERT_EQ(0, ret) TH_LOG("%s: run to %llu exits and save: %s", name,
					 (unsigned long long)points[k], strerror(-ret));
		/* Paused after exactly that exit, alive, and the state says so. */
		EXPECT_EQ(points[k], self->a.run.exits);
		EXPECT_EQ(points[k], self->sv.state.exits);
		EXPECT_EQ(mode, self->sv.state.config.mode);

		fd = restore_state(&self->sv.state, &self->sv);
		ASSERT_LE(0, fd) TH_LOG("%s: TVMM_SET_STATE of its own state: %s (%.*s)", name,
					strerror(-fd), TVMM_MESSAGE_MAX, self->sv.state.error);
		ret = vm_run_to_end(fd, &self->b);
		close(fd);
		ASSERT_EQ(0, ret) TH_LOG("%s: running the restored VM: %s", name, strerror(-ret));
		EXPECT_EQ(self->full.run.end, self->b.run.end)
			TH_LOG("%s: restored VM ended with %s: %s", name, end_name(self->b.run.end),
			       self->b.run.message);
		EXPECT_EQ(self->full.run.exit_status, self->b.run.exit_status);

		snprintf(console, sizeof(console), "%s%s", self->a.console, self->b.console);
		EXPECT_STREQ(self->full.console, console)
			TH_LOG("%s, saved at %llu exits: before \"%s\", after \"%s\"", name,
			       (unsigned long long)points[k], self->a.console, self->b.console);

		ASSERT_LT(0, self->b.nrecs);
		EXPECT_EQ(self->a.nrecs, self->b.recs[0].seq)
			TH_LOG("%s: the restored VM's first record is seq %llu, after %zu records",
			       name, (unsigned long long)self->b.recs[0].seq, self->a.nrecs);

		free(self->got);
		self->got = calloc(self->a.nrecs + self->b.nrecs + 1, sizeof(*self->got));
		ASSERT_NE(NULL, self->got);
		ngot = timeless(&self->a, rips, nrips, self->got, 0);
		ngot = timeless(&self->b, rips, nrips, self->got, ngot);
		for (i = 0; i < ngot && i < nwant; i++)
			if (memcmp(&self->got[i], &self->want[i], sizeof(self->got[i])))
				break;
		EXPECT_EQ(nwant, ngot) TH_LOG("%s, saved at %llu: %zu time-independent exits, uninterrupted %zu",
					      name, (unsigned long long)points[k], ngot, nwant);
		EXPECT_EQ(ngot, i) TH_LOG("%s, saved at %llu: exit %zu differs: reason %u rip 0x%llx action %s, uninterrupted: reason %u rip 0x%llx action %s",
					  name, (unsigned long long)points[k], i,
					  self->got[i].reason, (unsigned long long)self->got[i].rip,
					  tvmm_action_name(self->got[i].action), self->want[i].reason,
					  (unsigned long long)self->want[i].rip,
					  tvmm_action_name(self->want[i].action));
		TH_LOG("%s: saved at %llu exits (%zu records), restored: %zu more records, same console and trace",
		       name, (unsigned long long)points[k], self->a.nrecs, self->b.nrecs);
	}
}

TEST_F_TIMEOUT(snapshot, minios_hw, 600)
{
	check_mode(_metadata, self, TVMM_MODE_HW, "minios.bin");
}

TEST_F_TIMEOUT(snapshot, minios_deprivileged, 600)
{
	check_mode(_metadata, self, TVMM_MODE_DEPRIVILEGED, "minios.bin");
}

TEST_F_TIMEOUT(snapshot, minios_patch, 600)
{
	check_mode(_metadata, self, TVMM_MODE_PATCH, "minios.bin");
}

TEST_F_TIMEOUT(snapshot, minios_paravirt, 600)
{
	check_mode(_metadata, self, TVMM_MODE_PARAVIRT, "minios_pv.bin");
}

/* TVMM_GET_STATE of a VM that never ran, or has ended: nothing to save. */
TEST_F(snapshot, get_state_needs_a_live_vm)
{
	struct tvmm_config c = vm_config(TVMM_MODE_HW, 0, 0);
	struct tvmm_vm_state *st = calloc(1, sizeof(*st));
	int fd = vm_create(&c);

	ASSERT_NE(NULL, st);
	ASSERT_LE(0, fd);
	ASSERT_LT(0, vm_load_file(fd, "hello.bin"));
	st->version = TVMM_STATE_VERSION;
	st->size = sizeof(*st);
	self->sv.ram = malloc(TVMM_GUEST_MEM_DEFAULT);
	st->ram_addr = (unsigned long)self->sv.ram;
	EXPECT_EQ(-1, ioctl(fd, TVMM_GET_STATE, st));
	EXPECT_EQ(EAGAIN, errno) TH_LOG("a VM that has not run: %s", strerror(errno));
	ASSERT_EQ(0, vm_run_to_end(fd, &self->b));
	EXPECT_EQ(-1, ioctl(fd, TVMM_GET_STATE, st));
	EXPECT_EQ(ESRCH, errno) TH_LOG("a VM that has ended: %s", strerror(errno));
	st->version = TVMM_STATE_VERSION + 1;
	EXPECT_EQ(-1, ioctl(fd, TVMM_GET_STATE, st));
	EXPECT_EQ(EINVAL, errno) TH_LOG("another state version: %s", strerror(errno));
	close(fd);
	free(st);
}

/*
 * The virtual CPU's timer and clock (TODO(lab11.1)). The deprivileged
 * mini-OS, its timer running, is paused after 80 exits and saved three
 * timer periods later: the deadline passed while it was paused, so the
 * state says a tick is due now (0 ticks left). Restored three periods
 * later again, run 20 exits and saved again: the guest's clock went on
 * from the first state's value, so it advanced by no more than the host
 * TSC between the restore and the second save (a clock taken from the
 * host instead would have jumped by the gaps), and the console is still
 * the mini-OS's.
 */
TEST_F_TIMEOUT(snapshot, virtual_cpu_saved, 300)
{
	__u64 period = MINIOS_TIMER_PERIOD, first_tsc, t_restore, t_saved, n;
	struct tvmm_vm_state *st = malloc(sizeof(*st));
	char console[sizeof(self->a.console) * 3];
	int ret, fd;

	ASSERT_NE(NULL, st);
	ret = save_at_gap(TVMM_MODE_DEPRIVILEGED, "minios.bin", 80, 3 * period, &self->a,
			  &self->sv);
	if (ret == -EOPNOTSUPP)
		SKIP(free(st); return, "tvmm.ko has no deprivileged mode (lab 06)");
	ASSERT_EQ(0, ret) TH_LOG("save minios deprivileged at 80 exits: %s", strerror(-ret));
	ASSERT_EQ(1, self->sv.state.timer_on) TH_LOG("the mini-OS's timer is not running at 80 exits");
	EXPECT_EQ(0, self->sv.state.timer_left)
		TH_LOG("saved 3 periods (%llu ticks) after the pause, the timer has %llu ticks left: a deadline already passed is a tick due now",
		       (unsigned long long)(3 * period),
		       (unsigned long long)self->sv.state.timer_left);
	first_tsc = self->sv.state.tsc;
	n = self->sv.state.exits + 20;

	tsc_gap(3 * period);
	t_restore = host_tsc();
	*st = self->sv.state;
	fd = restore_state(st, &self->sv);
	ASSERT_LE(0, fd) TH_LOG("TVMM_SET_STATE: %s (%.*s)", strerror(-fd), TVMM_MESSAGE_MAX,
				st->error);
	ASSERT_EQ(0, ioctl(fd, TVMM_PAUSE_AT, &n));
	vm_result_free(&self->b);
	memset(&self->b, 0, sizeof(self->b));
	ret = 0;
	while (!ret && self->b.run.exits < n) {
		ret = vm_run_step(fd, &self->b);
		if (!ret && self->b.run.state == TVMM_RUN_ENDED)
			ret = -ECHILD;
	}
	ASSERT_EQ(0, ret) TH_LOG("running the restored VM to %llu exits: %s",
				 (unsigned long long)n, strerror(-ret));
	memset(st, 0, sizeof(*st));
	st->version = TVMM_STATE_VERSION;
	st->size = sizeof(*st);
	st->ram_addr = (unsigned long)self->sv.ram;
	ASSERT_EQ(0, ioctl(fd, TVMM_GET_STATE, st)) TH_LOG("saving the restored VM: %s",
							   strerror(errno));
	t_saved = host_tsc();
	EXPECT_LT(first_tsc, st->tsc) TH_LOG("the guest's clock went back: %llu, then %llu",
					     (unsigned long long)first_tsc,
					     (unsigned long long)st->tsc);
	EXPECT_GE(t_saved - t_restore, st->tsc - first_tsc)
		TH_LOG("the guest's clock advanced by %llu ticks while the restored VM existed for %llu: it follows the host's clock, not its own",
		       (unsigned long long)(st->tsc - first_tsc),
		       (unsigned long long)(t_saved - t_restore));
	EXPECT_LE(st->timer_left, period);
	ASSERT_EQ(0, vm_run_to_end(fd, &self->full));
	close(fd);
	snprintf(console, sizeof(console), "%s%s%s", self->a.console, self->b.console,
		 self->full.console);
	EXPECT_STREQ(MINIOS_TEXT, console);
	TH_LOG("guest clock %llu at the first save, +%llu at the second (the restored VM existed %llu host ticks)",
	       (unsigned long long)first_tsc, (unsigned long long)(st->tsc - first_tsc),
	       (unsigned long long)(t_saved - t_restore));
	free(st);
}

/* TVMM_GET_STATE of @fd into @sv (its RAM buffer of @mem bytes). Return: 0 or -errno. */
static int get_state(int fd, struct saved *sv, size_t mem)
{
	if (!sv->ram)
		sv->ram = malloc(mem);
	if (!sv->ram)
		return -ENOMEM;
	memset(&sv->state, 0, sizeof(sv->state));
	sv->state.version = TVMM_STATE_VERSION;
	sv->state.size = sizeof(sv->state);
	sv->state.ram_addr = (unsigned long)sv->ram;
	return ioctl(fd, TVMM_GET_STATE, &sv->state) ? -errno : 0;
}

/* Has a record from @from on mnemonic @m? */
static bool recs_have(const struct vm_result *r, size_t from, const char *m)
{
	for (; from < r->nrecs; from++)
		if (!strncmp(r->recs[from].mnemonic, m, sizeof(r->recs[from].mnemonic)))
			return true;
	return false;
}

/*
 * The virtual CPU's waits (TODO(lab11.1)): the de-privileged mini-OS run
 * one exit at a time. Paused at its first HLT (it sleeps until a tick,
 * the virtual IF on), the state says halted, with that HLT exit pending,
 * the virtual IF 1 and the timer on. Paused at the exit just before the
 * STI that ends its CLI section (2.5 timer periods with the virtual IF
 * off: the tick that fell inside waits), the state says a tick is pending
 * and the virtual IF is 0; restored there, the held tick comes right after
 * the STI, and the console says so.
 */
TEST_F_TIMEOUT(snapshot, waits_saved, 600)
{
	struct tvmm_config c = vm_config(TVMM_MODE_DEPRIVILEGED, TVMM_CONFIG_TRACE,
					 MINIOS_MAX_EXITS);
	size_t mem = TVMM_GUEST_MEM_DEFAULT, cli_from = 0;
	char console[sizeof(self->a.console) * 2];
	struct saved cur = { 0 }, tmp;
	int phase = 0, ret = 0, fd;
	__u64 n;

	c.timer_ticks = MINIOS_TIMER_PERIOD;
	fd = vm_create(&c);
	if (fd == -EOPNOTSUPP)
		SKIP(return, "tvmm.ko has no deprivileged mode (lab 06)");
	ASSERT_LE(0, fd);
	ASSERT_LT(0, vm_load_file(fd, "minios.bin"));
	/* 0: until halted; 1: until the CLI; 2: until the STI after it. */
	for (n = 1; n < MINIOS_MAX_EXITS && phase < 3 && !ret; n++) {
		size_t before = self->a.nrecs;

		ASSERT_EQ(0, ioctl(fd, TVMM_PAUSE_AT, &n)) TH_LOG("pause at %llu: %s",
								(unsigned long long)n, strerror(errno));
		while (!ret && self->a.run.exits < n) {
			ret = vm_run_step(fd, &self->a);
			if (!ret && self->a.run.state == TVMM_RUN_ENDED)
				ret = -ECHILD;
		}
		if (ret)
			break;
		switch (phase) {
		case 0:
			ret = get_state(fd, &cur, mem);
			if (ret || !cur.state.halted)
				break;
			EXPECT_EQ(1, cur.state.halt_pending);
			EXPECT_EQ(1, cur.state.vif) TH_LOG("halted with the virtual IF off: no tick could wake it");
			EXPECT_EQ(1, cur.state.timer_on);
			EXPECT_GE(MINIOS_TIMER_PERIOD, cur.state.timer_left);
			TH_LOG("halted after %llu exits: HLT pending, vif 1, timer on, %llu ticks left",
			       (unsigned long long)n, (unsigned long long)cur.state.timer_left);
			phase = 1;
			break;
		case 1:
			if (recs_have(&self->a, before, "cli")) {
				cli_from = before;
				phase = 2;
				ret = get_state(fd, &cur, mem);
			}
			break;
		default:
			if (!recs_have(&self->a, before, "sti")) {
				ret = get_state(fd, &cur, mem);
				break;
			}
			/* @cur: the pause just before the STI exit. */
			EXPECT_EQ(0, cur.state.vif) TH_LOG("inside the CLI section the virtual IF is 1");
			EXPECT_EQ(1, cur.state.irq_pending)
				TH_LOG("the tick raised in the CLI section, before its STI, is not pending in the state (exit %llu)",
				       (unsigned long long)(n - 1));
			TH_LOG("CLI section: %zu records from its CLI to its STI; before the STI: tick pending, vif 0",
			       self->a.nrecs - cli_from);
			phase = 3;
		}
	}
	ASSERT_EQ(0, ret) TH_LOG("stepping the mini-OS, exit %llu: %s", (unsigned long long)n,
				 strerror(-ret));
	ASSERT_EQ(3, phase) TH_LOG("the run never %s", phase == 0 ? "halted" :
				   phase == 1 ? "reached its CLI section" : "left its CLI section");
	close(fd);

	/* The state before the STI, restored: the held tick comes after the STI. */
	tmp = cur;
	fd = restore_state(&tmp.state, &cur);
	ASSERT_LE(0, fd) TH_LOG("TVMM_SET_STATE: %s (%.*s)", strerror(-fd), TVMM_MESSAGE_MAX,
				tmp.state.error);
	ASSERT_EQ(0, vm_run_to_end(fd, &self->b));
	close(fd);
	snprintf(console, sizeof(console), "%s%s", self->a.console, self->b.console);
	EXPECT_STREQ(MINIOS_TEXT, console);
	free(cur.ram);
}

/* One crafted state: what is changed, and a word the refusal must contain. */
struct craft {
	const char *what, *reason;
	void (*apply)(struct tvmm_vm_state *s);
};

#define SEG_CS	1
#define SEG_SS	2
#define AR_DPL_MASK	(3u << 5)

static void craft_version(struct tvmm_vm_state *s) { s->version++; }
static void craft_size(struct tvmm_vm_state *s) { s->size -= 8; }
static void craft_ring0(struct tvmm_vm_state *s)
{
	s->seg[SEG_CS].ar &= ~AR_DPL_MASK;
	s->seg[SEG_SS].ar &= ~AR_DPL_MASK;
	s->seg[SEG_SS].selector &= ~3;
	s->seg[SEG_CS].selector &= ~3;
}
static void craft_iopl(struct tvmm_vm_state *s) { s->rflags |= 3u << 12; }
static void craft_vm86(struct tvmm_vm_state *s) { s->rflags |= 1u << 17; }
static void craft_gdtr(struct tvmm_vm_state *s) { s->gdtr_base = 0x1000; }
static void craft_nmi(struct tvmm_vm_state *s) { s->entry_intr_info = (1u << 31) | (2u << 8) | 2; }
static void craft_gp_no_code(struct tvmm_vm_state *s) { s->entry_intr_info = (1u << 31) | (3u << 8) | 13; }
static void craft_patch_site(struct tvmm_vm_state *s)
{
	s->nr_patch_sites = 1;
	s->patch_sites[0].gpa = 0x10000;
	s->patch_sites[0].len = 1;
	s->patch_sites[0].kind = 1;
}
static void craft_exec(struct tvmm_vm_state *s) { s->exec_pages[0] = 1; }
static void craft_timer(struct tvmm_vm_state *s) { s->timer_left = 1ULL << 41; }
/* A real HLT exit pending: only the rule the craft breaks refuses it. */
static void pending_hlt(struct tvmm_vm_state *s)
{
	memset(&s->halt, 0, sizeof(s->halt));
	s->halt_pending = 1;
	s->halt.reason = 12;	/* HLT */
	strcpy(s->halt.mnemonic, "hlt");
}
static void craft_halted(struct tvmm_vm_state *s)
{
	pending_hlt(s);
	s->halted = 1;
	s->timer_on = 0;
	s->irq_pending = 0;
	s->timer_left = 0;
}
static void craft_no_timer_config(struct tvmm_vm_state *s)
{
	s->timer_on = 1;
	s->config.timer_ticks = ~0ULL;	/* TVMM_TIMER_OFF */
}
static void craft_halt_reason(struct tvmm_vm_state *s)
{
	pending_hlt(s);
	s->halt.reason = 10;	/* CPUID, named "hlt" */
}
static void craft_halt_name(struct tvmm_vm_state *s)
{
	pending_hlt(s);
	strcpy(s->halt.mnemonic, "cpuid");	/* a HLT exit, named "cpuid" */
}
static void craft_phase_no_timer(struct tvmm_vm_state *s)
{
	s->timer_on = 0;
	s->irq_pending = 0;
	s->halted = 0;
	s->halt_pending = 0;
	memset(&s->halt, 0, sizeof(s->halt));
	s->timer_left = 5;
}
static void craft_halted_no_exit(struct tvmm_vm_state *s)
{
	s->timer_on = 1;
	s->halted = 1;
	s->halt_pending = 0;
	memset(&s->halt, 0, sizeof(s->halt));
}
static void craft_halt_fields(struct tvmm_vm_state *s)
{
	s->halted = 0;
	s->halt_pending = 0;
	memset(&s->halt, 0, sizeof(s->halt));
	s->halt.rip = 0x1234;
}
static void craft_flag(struct tvmm_vm_state *s) { s->vif = 2; }
static void craft_paging(struct tvmm_vm_state *s) { s->cr0 |= 1ULL << 31; }
static void craft_cr4(struct tvmm_vm_state *s) { s->cr4 |= 1ULL << 13; }	/* VMXE */
static void craft_base(struct tvmm_vm_state *s) { s->seg[3].base = 1ULL << 32; }
static void craft_tr(struct tvmm_vm_state *s) { s->seg[7].ar |= 1u << 16; }
static void craft_reserved(struct tvmm_vm_state *s) { s->reserved[3] = 1; }
static void craft_ram_size(struct tvmm_vm_state *s) { s->config.mem_size += 100; }
static void craft_halt_exit(struct tvmm_vm_state *s)
{
	s->halt_pending = 1;
	s->halt.reason = 10;	/* CPUID */
	strcpy(s->halt.mnemonic, "cpuid");
}

static const struct craft crafts[] = {
	{ "another state version", "version", craft_version },
	{ "another state size", "size", craft_size },
	{ "the de-privileged kernel at ring 0", "DPL 0", craft_ring0 },
	{ "IOPL 3 in a de-privileged guest", "IOPL", craft_iopl },
	{ "RFLAGS.VM", "RFLAGS", craft_vm86 },
	{ "GDTR off tvmm's shadow GDT", "GDTR", craft_gdtr },
	{ "an NMI queued for the next entry", "queued event", craft_nmi },
	{ "a #GP queued without its error code", "error code", craft_gp_no_code },
	{ "a patch site in deprivileged mode", "patch sites", craft_patch_site },
	{ "an executable page in deprivileged mode", "executable pages", craft_exec },
	{ "a timer phase longer than its period", "timer", craft_timer },
	{ "halted with no timer to wake it", "timer", craft_halted },
	{ "a flag that is not 0 or 1", "flag", craft_flag },
	{ "a timer running in a VM configured without one", "timer", craft_no_timer_config },
	{ "a timer phase with no timer running", "timer", craft_phase_no_timer },
	{ "halted, with no HLT exit to wait in", "HLT", craft_halted_no_exit },
	{ "HLT exit fields without a HLT pending", "HLT", craft_halt_fields },
	{ "paging on in a de-privileged guest", "paging", craft_paging },
	{ "CR4.VMXE", "CR4", craft_cr4 },
	{ "a segment base above 4 GiB", "base", craft_base },
	{ "TR unusable", "TSS", craft_tr },
	{ "a reserved field set", "reserved", craft_reserved },
	{ "a RAM size no VM has", "RAM size", craft_ram_size },
	{ "a pending HLT exit that is a CPUID", "not a HLT", craft_halt_exit },
	{ "a pending HLT exit with a CPUID's reason", "not a HLT", craft_halt_reason },
	{ "a pending HLT exit with another mnemonic", "not a HLT", craft_halt_name },
};

/*
 * Each crafted state: EINVAL, the reason, nothing built (TVMM_RUN finds no
 * VM to run). Then the same fd takes the good state and runs to the end.
 */
TEST_F_TIMEOUT(snapshot, crafted_states_refused, 600)
{
	struct tvmm_vm_state *st = malloc(sizeof(*st));
	struct tvmm_run run;
	char console[sizeof(self->a.console) * 2];
	size_t i;
	int fd = -1, ret;

	ASSERT_NE(NULL, st);
	ret = save_at(TVMM_MODE_DEPRIVILEGED, "minios.bin", 80, &self->a, &self->sv);
	if (ret == -EOPNOTSUPP)
		SKIP(return, "tvmm.ko has no deprivileged mode (lab 06)");
	ASSERT_EQ(0, ret) TH_LOG("save minios deprivileged at 80 exits: %s", strerror(-ret));

	for (i = 0; i < sizeof(crafts) / sizeof(crafts[0]); i++) {
		*st = self->sv.state;
		crafts[i].apply(st);
		if (fd >= 0)
			close(fd);
		fd = vm_create(NULL);
		ASSERT_LE(0, fd);
		st->ram_addr = (unsigned long)self->sv.ram;
		errno = 0;
		ret = ioctl(fd, TVMM_SET_STATE, st);
		EXPECT_EQ(-1, ret) TH_LOG("%s: accepted", crafts[i].what);
		EXPECT_EQ(EINVAL, errno) TH_LOG("%s: %s", crafts[i].what, strerror(errno));
		EXPECT_NE(NULL, strstr(st->error, crafts[i].reason))
			TH_LOG("%s: the reason \"%.*s\" does not say \"%s\"", crafts[i].what,
			       TVMM_MESSAGE_MAX, st->error, crafts[i].reason);
		EXPECT_EQ(-1, ioctl(fd, TVMM_RUN, &run)) TH_LOG("%s: a VM was built", crafts[i].what);
		EXPECT_EQ(EINVAL, errno);
		TH_LOG("refused: %s: \"%.*s\"", crafts[i].what, TVMM_MESSAGE_MAX, st->error);
	}
	/* A RAM pointer the kernel cannot read: EFAULT, and still nothing built. */
	*st = self->sv.state;
	st->ram_addr = 8;
	EXPECT_EQ(-1, ioctl(fd, TVMM_SET_STATE, st));
	EXPECT_EQ(EFAULT, errno);
	EXPECT_EQ(-1, ioctl(fd, TVMM_RUN, &run));
	EXPECT_EQ(EINVAL, errno);

	/* The same fd, after all those refusals, takes the good state. */
	*st = self->sv.state;
	st->ram_addr = (unsigned long)self->sv.ram;
	ASSERT_EQ(0, ioctl(fd, TVMM_SET_STATE, st))
		TH_LOG("the good state after the refusals: %s (%.*s)", strerror(errno),
		       TVMM_MESSAGE_MAX, st->error);
	EXPECT_EQ(-1, ioctl(fd, TVMM_SET_STATE, st));
	EXPECT_EQ(EBUSY, errno) TH_LOG("a second state into a built VM");
	ASSERT_EQ(0, vm_run_to_end(fd, &self->b));
	close(fd);
	snprintf(console, sizeof(console), "%s%s", self->a.console, self->b.console);
	EXPECT_STREQ(MINIOS_TEXT, console);
	free(st);
}

/*
 * The tool, end to end: `tvmm run --snapshot` saves on SIGUSR1 (spin.bin
 * never ends by itself; the signal comes a second in), `tvmm restore`
 * continues it and, with --snapshot-at 5 more exits, saves it again: the
 * exit count goes on from the saved one.
 */
TEST_F_TIMEOUT(snapshot, tool_sigusr1_and_restore, 300)
{
	char dir[PATH_MAX], cmd[PATH_MAX + 1024], out[512] = "";
	unsigned long long saved = 0, again = 0;
	FILE *f;
	int status;

	if (system("command -v tvmm >/dev/null 2>&1"))
		SKIP(return, "the tvmm tool is not in PATH");
	REQUIRE_GUEST("spin.bin");
	guest_path("spin.bin", dir, sizeof(dir));
	snprintf(cmd, sizeof(cmd),
		 "cd /tmp && rm -f u1.snap u2.snap && { tvmm run --snapshot u1.snap --max-exits 1000000 %s >u1.out 2>&1 & "
		 "pid=$!; sleep 1; kill -USR1 $pid; wait $pid; }", dir);
	status = system(cmd);
	ASSERT_TRUE(WIFEXITED(status));
	f = fopen("/tmp/u1.out", "r");
	if (f) {
		out[fread(out, 1, sizeof(out) - 1, f)] = '\0';
		fclose(f);
	}
	EXPECT_EQ(0, WEXITSTATUS(status)) TH_LOG("tvmm run --snapshot, SIGUSR1: %s", out);
	ASSERT_EQ(1, sscanf(strstr(out, "after ") ? strstr(out, "after ") : "", "after %llu exits", &saved))
		TH_LOG("no \"saved to u1.snap after N exits\": %s", out);
	ASSERT_LT(0, saved);

	snprintf(cmd, sizeof(cmd),
		 "cd /tmp && tvmm restore --snapshot u2.snap --snapshot-at %llu u1.snap >u2.out 2>&1",
		 saved + 5);
	status = system(cmd);
	ASSERT_TRUE(WIFEXITED(status));
	f = fopen("/tmp/u2.out", "r");
	out[0] = '\0';
	if (f) {
		out[fread(out, 1, sizeof(out) - 1, f)] = '\0';
		fclose(f);
	}
	EXPECT_EQ(0, WEXITSTATUS(status)) TH_LOG("tvmm restore: %s", out);
	EXPECT_NE(NULL, strstr(out, "restored spin.bin"));
	ASSERT_NE(NULL, strstr(out, "saved to u2.snap after "))
		TH_LOG("the restored VM was not saved again: %s", out);
	sscanf(strstr(out, "saved to u2.snap after ") + strlen("saved to u2.snap after "),
	       "%llu", &again);
	EXPECT_EQ(saved + 5, again) TH_LOG("saved at %llu, then %llu", saved, again);
	TH_LOG("saved on SIGUSR1 after %llu exits; restored, saved again after %llu", saved, again);
	system("rm -f /tmp/u1.snap /tmp/u2.snap /tmp/u1.out /tmp/u2.out");
}

TEST_HARNESS_MAIN
