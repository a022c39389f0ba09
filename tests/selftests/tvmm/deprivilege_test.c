// SPDX-License-Identifier: GPL-2.0
/*
 * deprivilege_test - one guest OS, three ways to virtualize it: trap-and-
 * emulate with de-privileging, hardware-assisted, paravirtual.
 *
 * Rule under test (the notes' "De-privileging", "Trap-and-emulate" and the
 * CLI example; docs/concepts.md and docs/abi.md):
 * the mini-OS guests/minios.S, a ring-0 kernel with a ring-3 app, runs
 *   deprivileged: its kernel at ring 1, its app at ring 3, never ring 0;
 *     every privileged instruction (LGDT, LIDT, LTR, MOV SS, CLI, STI, OUT,
 *     HLT) faults and tvmm emulates it (action "emulated"); CLI clears only
 *     the virtual IF: the real RFLAGS.IF stays 1 in every exit and host
 *     interrupts keep exiting while the guest "has interrupts off"; a timer
 *     tick raised then is held and injected only after the guest's STI; the
 *     app's int $0x80 traps to tvmm and is reflected (action "reflected",
 *     cpl 3) to the kernel's handler;
 *   hw: at ring 0; no int $0x80 exits, no CLI/STI exits;
 *   paravirt (minios_pv.bin): hypercalls instead of CLI/STI/OUT/HLT;
 * and prints the same console text in all three. In guest-caused exits
 * (host interrupts and the preemption timer left out) hw has the fewest.
 * Patch mode (lab 08's scan-and-patch) is minios_patch_test's: lab 07's
 * grade must not depend on a later lab.
 *
 * guests/irqs.S checks the virtual CPU's interrupt rules from inside (the
 * STI shadow, no nesting after an injection, the gate DPL check of a
 * reflected INT), run twice in one module: per-VM state must not leak.
 *
 * Record convention: a record's vif is the guest's IF *when it exited*,
 * before tvmm handled the exit. So the cli record has vif 1, the sti
 * record vif 0, and the records between them vif 0.
 *
 * The guests are installed next to this test (or in $GUEST_DIR). A module
 * that refuses a mode (EOPNOTSUPP: its lab is not built) skips that test.
 *
 * Lab: graded for 07 (CLI, virtual IF, virtual interrupts); it also runs
 * what 06 (de-privileging) built, and logs the exit counts lab 09
 * measures (compare_test grades `tvmm compare`). Needs: a
 * VT-x CPU with EPT, unrestricted guest and the preemption timer (Bochs).
 */
#include "vm_util.h"
#include "../kselftest_harness.h"

#include "minios_util.h"

FIXTURE(deprivilege) {
	struct vm_result res;
};

FIXTURE_SETUP(deprivilege)
{
	static const char *const guests[] = { "minios.bin", "minios_pv.bin", "irqs.bin" };

	memset(&self->res, 0, sizeof(self->res));
	REQUIRE_VMX_AND_TVMM();
	for (size_t i = 0; i < sizeof(guests) / sizeof(guests[0]); i++)
		REQUIRE_GUEST(guests[i]);
}

FIXTURE_TEARDOWN(deprivilege)
{
	vm_result_free(&self->res);
}

/* guests/irqs.S's console in --mode deprivileged: each check held. */
#define IRQS_TEXT \
	"irqs: sti shadow: the tick came after the next instruction\n" \
	"irqs: no tick while the handler ran with IF 0\n" \
	"irqs: a run of stis took the due tick inside it\n" \
	"irqs: syscalls 0x80 0x81; int 0x21 from ring 3: #GP 010a at the int\n"
#define IRQS_FORBIDDEN_GP	((0x21 << 3) | 2)	/* #GP error code: IDT, vector 0x21 */

/*
 * The virtual CPU's interrupt rules, checked by the guest itself
 * (guests/irqs.S), twice in a row in one module: STI opens a one-
 * instruction shadow when it turns the virtual IF on (and only then: a run
 * of STIs with IF 1 lets a due tick in); injecting a tick clears the
 * virtual IF, as the guest's interrupt gate would (no tick nests in the
 * handler); `int $n` from ring 3 is reflected only through the guest's
 * DPL-3 gates, each to its own vector, and through a DPL-0 gate it is the
 * guest's #GP, error code IDT | vector, EIP at the INT. tvmm counts each
 * tick it injects (debugfs "ticks delivered" = the injected records), per
 * VM; the second run sees what the first did not leave behind.
 */
TEST_F(deprivilege, deprivileged_interrupt_rules)
{
	struct vm_result *r = &self->res;

	for (int run = 0; run < 2; run++) {
		struct tvmm_config c = vm_config(TVMM_MODE_DEPRIVILEGED, TVMM_CONFIG_TRACE,
						 MINIOS_MAX_EXITS);
		unsigned int reflected = 0, refused = 0, ticks = 0;
		char got[64], want[64];
		int fd = -1, ret, vm_id;

		ret = vm_run_guest(&c, "irqs.bin", r, &fd);
		if (ret == -EOPNOTSUPP)
			SKIP(return, "tvmm.ko refuses mode deprivileged");
		ASSERT_EQ(0, ret) TH_LOG("run %d of irqs.bin: %s", run + 1, strerror(-ret));
		EXPECT_EQ(TVMM_END_HLT, r->run.end) TH_LOG("run %d ended with %s: %s", run + 1,
							   end_name(r->run.end), r->run.message);
		EXPECT_EQ(0, strncmp(IRQS_TEXT, r->console, strlen(IRQS_TEXT)))
			TH_LOG("run %d: console\n%s", run + 1, r->console);
		for (size_t i = 0; i < r->nrecs; i++) {
			const struct tvmm_exit_record *rec = &r->recs[i];

			EXPECT_TRUE(rec->rflags & X86_EFLAGS_IF)
				TH_LOG("seq %llu (%s): real RFLAGS 0x%llx has IF clear", rec->seq,
				       rec->mnemonic, rec->rflags);
			if (!rec_is(rec, "int"))
				continue;
			EXPECT_EQ(3, rec->cpl) TH_LOG("seq %llu: int from cpl %u", rec->seq,
						     rec->cpl);
			/* The refused one is the guest's #GP: "reflected" too. */
			EXPECT_EQ(TVMM_ACTION_REFLECTED, rec->action)
				TH_LOG("seq %llu: int (error code 0x%x) action %u", rec->seq,
				       rec->error_code, rec->action);
			refused += rec->error_code == IRQS_FORBIDDEN_GP;
			reflected += rec->error_code != IRQS_FORBIDDEN_GP;
		}
		EXPECT_EQ(2, reflected) TH_LOG("run %d: int $0x80 and int $0x81", run + 1);
		EXPECT_EQ(1, refused) TH_LOG("run %d: int $0x21 once", run + 1);
		ASSERT_EQ(1, sscanf(strstr(r->console, "irqs: ticks ") ?: "", "irqs: ticks %u",
				    &ticks)) TH_LOG("no tick count on the console");
		vm_id = ioctl(fd, TVMM_GET_VM_ID);
		EXPECT_LE(0, vm_id) TH_LOG("TVMM_GET_VM_ID: %s", strerror(errno));
		if (vm_id >= 0) {
			ASSERT_EQ(0, vm_state_field(vm_id, "ticks delivered", got, sizeof(got)))
				TH_LOG("no \"ticks delivered\" in debugfs tvmm/vm%d/state", vm_id);
			/* The last tick, which lets the guest halt, comes after its count. */
			snprintf(want, sizeof(want), "%u", ticks + 1);
			EXPECT_STREQ(want, got)
				TH_LOG("run %d: ticks delivered (debugfs) vs the guest's handler runs + 1",
				       run + 1);
		}
		close(fd);
	}
}

/*
 * Deprivileged: the console of a ring-0 OS, though no instruction ran at
 * ring 0; kernel exits at cpl 1, app exits at cpl 3; the real IF always 1.
 */
TEST_F(deprivilege, deprivileged_runs_unmodified_kernel)
{
	struct vm_result *r = &self->res;
	unsigned int cpl1 = 0, cpl3 = 0;

	RUN_MINIOS(TVMM_MODE_DEPRIVILEGED, "minios.bin", TVMM_END_HLT);
	EXPECT_STREQ(MINIOS_TEXT, r->console);
	for (size_t i = 0; i < r->nrecs; i++) {
		const struct tvmm_exit_record *rec = &r->recs[i];

		EXPECT_NE(0, rec->cpl) TH_LOG("seq %llu (%s): the guest ran at ring 0",
					      rec->seq, rec->mnemonic);
		EXPECT_TRUE(rec->rflags & X86_EFLAGS_IF)
			TH_LOG("seq %llu (%s, vif %u): real RFLAGS 0x%llx has IF clear: the guest masked the host's interrupts",
			       rec->seq, rec->mnemonic, rec->vif, rec->rflags);
		cpl1 += rec->cpl == 1;
		cpl3 += rec->cpl == 3;
	}
	EXPECT_LT(0, cpl1) TH_LOG("no exit from the kernel at ring 1");
	EXPECT_LT(0, cpl3) TH_LOG("no exit from the app at ring 3");
	/* The kernel's privileged instructions, each emulated. */
	for (size_t k = 0; k < 6; k++) {
		static const char *const emulated[] = { "lgdt", "lidt", "ltr", "mov ss",
							"out", "hlt" };
		ssize_t i = find_mnemonic(r, 0, emulated[k]);

		EXPECT_LE(0, i) TH_LOG("no \"%s\" record", emulated[k]);
		if (i < 0)
			continue;
		EXPECT_EQ(EXIT_REASON_EXCEPTION_NMI, r->recs[i].reason_code)
			TH_LOG("%s: not a #GP exit", emulated[k]);
		EXPECT_EQ(1, r->recs[i].cpl);
		/* A HLT that waits is recorded with the tick that wakes it. */
		if (!strcmp(emulated[k], "hlt")) {
			EXPECT_EQ(TVMM_ACTION_INJECTED, r->recs[i].action)
				TH_LOG("hlt: action %u", r->recs[i].action);
		} else {
			EXPECT_EQ(TVMM_ACTION_EMULATED, r->recs[i].action)
				TH_LOG("%s: action %u", emulated[k], r->recs[i].action);
		}
	}
	/* Every console byte is one emulated OUT at ring 1 (#GP, not an I/O exit). */
	EXPECT_EQ(strlen(MINIOS_TEXT), count_mnemonic(r, "out"));
	EXPECT_EQ(0, count_reason(r, EXIT_REASON_IO_INSTRUCTION));
	log_exit_counts(_metadata, "deprivileged", r);
}

/*
 * The notes' CLI example: CLI and STI trap and change only the virtual IF;
 * the tick that falls in between waits for the STI; meanwhile the host's
 * interrupts (and tvmm's timer) keep exiting.
 */
TEST_F(deprivilege, deprivileged_cli_holds_virtual_interrupts)
{
	struct vm_result *r = &self->res;
	ssize_t cli, sti, inj;
	unsigned int host = 0;

	RUN_MINIOS(TVMM_MODE_DEPRIVILEGED, "minios.bin", TVMM_END_HLT);
	EXPECT_STREQ(MINIOS_TEXT, r->console);

	/* Boot has no CLI (the ABI enters with IF off): the first is the section's. */
	cli = find_mnemonic(r, 0, "cli");
	ASSERT_LE(0, cli) TH_LOG("no cli record: CLI did not trap");
	sti = find_mnemonic(r, cli + 1, "sti");
	ASSERT_LE(0, sti) TH_LOG("no sti record after the cli (seq %llu)", r->recs[cli].seq);
	TH_LOG("critical section: cli seq %llu, sti seq %llu", r->recs[cli].seq,
	       r->recs[sti].seq);

	/* Both are #GP exits at ring 1, emulated; the real IF stays 1. */
	for (int k = 0; k < 2; k++) {
		const struct tvmm_exit_record *rec = &r->recs[k ? sti : cli];

		EXPECT_EQ(EXIT_REASON_EXCEPTION_NMI, rec->reason_code);
		EXPECT_EQ(X86_EXC_GP, INTR_INFO_VECTOR(rec->intr_info));
		EXPECT_EQ(TVMM_ACTION_EMULATED, rec->action);
		EXPECT_EQ(1, rec->cpl);
		EXPECT_TRUE(rec->rflags & X86_EFLAGS_IF);
	}
	/* vif at the exit, before tvmm's emulation (see the header). */
	EXPECT_EQ(1, r->recs[cli].vif) TH_LOG("the cli record: vif before the CLI");
	EXPECT_EQ(0, r->recs[sti].vif) TH_LOG("the sti record: vif before the STI");
	for (ssize_t i = cli + 1; i < sti; i++) {
		const struct tvmm_exit_record *rec = &r->recs[i];

		EXPECT_EQ(0, rec->vif) TH_LOG("seq %llu inside the cli section has vif 1",
					      rec->seq);
		EXPECT_NE(TVMM_ACTION_INJECTED, rec->action)
			TH_LOG("seq %llu: a virtual interrupt went in while vif = 0", rec->seq);
		EXPECT_TRUE(rec->rflags & X86_EFLAGS_IF);
		host += exit_is_host_noise(rec);
	}
	/* 2.5 timer periods with vif = 0: tvmm's timer (and Linux's) still exit. */
	EXPECT_LT(0, host) TH_LOG("no EXTERNAL_INTERRUPT/PREEMPTION_TIMER exit between cli and sti");

	/* The held tick goes in after the STI, not before. */
	inj = find_action(r, cli, TVMM_ACTION_INJECTED);
	ASSERT_LE(0, inj) TH_LOG("no tick injected after the cli");
	EXPECT_LT(sti, inj) TH_LOG("first injection after cli: seq %llu, sti: seq %llu",
				   r->recs[inj].seq, r->recs[sti].seq);
	/* ... and soon: the next exit or two, not a timer period later. */
	EXPECT_GE(sti + 3, inj) TH_LOG("the held tick went in at seq %llu, sti was seq %llu",
				       r->recs[inj].seq, r->recs[sti].seq);
}

static __u64 tsc_distance(__u64 a, __u64 b)
{
	return a > b ? a - b : b - a;
}

/*
 * Timer ticks are injected, in the kernel and in the app, through the
 * guest IDT, one timer period apart: the period the test configured, the
 * seed's (seed.h), not tvmm's default. In the app's spin (ring 3, virtual
 * IF on, 2.5 periods long) each tick goes in at the exit its deadline
 * forces (the preemption timer), so two in a row are one period apart.
 * (The boot's HLTs wake with Linux's 10 ms tick: too coarse to measure.)
 */
TEST_F(deprivilege, deprivileged_timer_injected)
{
	struct vm_result *r = &self->res;
	unsigned int injected, at_cpl3 = 0;
	const __u64 period = MINIOS_TIMER_PERIOD;
	__u64 prev = 0, best = 0;

	RUN_MINIOS(TVMM_MODE_DEPRIVILEGED, "minios.bin", TVMM_END_HLT);
	injected = count_action(r, TVMM_ACTION_INJECTED);
	/* the boot's ticks, the held one, 2+ during the app's 2.5-period spin */
	EXPECT_LE(MINIOS_BOOT_TICKS + 1 + 1, injected);
	for (size_t i = 0; i < r->nrecs; i++) {
		const struct tvmm_exit_record *rec = &r->recs[i];

		if (rec->action != TVMM_ACTION_INJECTED || rec->cpl != 3)
			continue;
		at_cpl3++;
		/* of the gaps between ring-3 ticks, the one closest to the period */
		if (prev && (!best || tsc_distance(rec->tsc - prev, period) <
				      tsc_distance(best, period)))
			best = rec->tsc - prev;
		prev = rec->tsc;
	}
	TH_LOG("seed %lu: timer period %llu, boot ticks %u; ring-3 ticks %llu TSC ticks apart",
	       seed_params()->seed, period, MINIOS_BOOT_TICKS, best);
	EXPECT_LE(2, at_cpl3) TH_LOG("%u tick(s) injected while the app ran at ring 3, want 2+",
				     at_cpl3);
	if (at_cpl3 >= 2) {
		EXPECT_LE(period - period / 10, best)
			TH_LOG("ring-3 ticks %llu TSC ticks apart, the timer period is %llu",
			       best, period);
		EXPECT_GE(period + period / 10, best)
			TH_LOG("ring-3 ticks %llu TSC ticks apart, the timer period is %llu",
			       best, period);
	}
	/* Each tick's ISR re-enables with a trapping STI before IRET. */
	EXPECT_LE(injected, count_mnemonic(r, "sti"));
	/* The boot waits: HLT with vif 1 waited instead of ending the VM. */
	EXPECT_LE(MINIOS_BOOT_TICKS + 1, count_mnemonic(r, "hlt"));
	EXPECT_EQ(0, r->recs[r->nrecs - 1].vif) TH_LOG("the final HLT ran with vif 1");
}

/* The app's int $0x80 traps (#GP on tvmm's DPL-0 gate) and is reflected. */
TEST_F(deprivilege, deprivileged_syscalls_reflected)
{
	struct vm_result *r = &self->res;
	unsigned int reflected = 0;

	RUN_MINIOS(TVMM_MODE_DEPRIVILEGED, "minios.bin", TVMM_END_HLT);
	for (size_t i = 0; i < r->nrecs; i++) {
		const struct tvmm_exit_record *rec = &r->recs[i];

		if (rec->action != TVMM_ACTION_REFLECTED)
			continue;
		reflected++;
		EXPECT_EQ(3, rec->cpl) TH_LOG("seq %llu: reflected from cpl %u", rec->seq,
					      rec->cpl);
		EXPECT_EQ(MINIOS_UCODE_SEL, rec->cs);
		EXPECT_EQ(EXIT_REASON_EXCEPTION_NMI, rec->reason_code);
		EXPECT_EQ(X86_EXC_GP, INTR_INFO_VECTOR(rec->intr_info));
		EXPECT_EQ(GP_ERR_INT80, rec->error_code)
			TH_LOG("seq %llu: #GP error code 0x%x", rec->seq, rec->error_code);
		if (rec->insn_len >= 2) {
			EXPECT_EQ(0xcd, rec->insn[0]);	/* int imm8 */
			EXPECT_EQ(T_SYSCALL, rec->insn[1]);
		}
	}
	EXPECT_EQ(MINIOS_SYSCALLS, reflected);
}

/* hw: same console; int $0x80 and CLI/STI never exit; the kernel at cpl 0. */
TEST_F(deprivilege, hw_same_console)
{
	struct vm_result *r = &self->res;

	RUN_MINIOS(TVMM_MODE_HW, "minios.bin", TVMM_END_HLT);
	EXPECT_STREQ(MINIOS_TEXT, r->console);
	EXPECT_EQ(0, count_action(r, TVMM_ACTION_REFLECTED));
	EXPECT_EQ(0, count_mnemonic(r, "cli"));
	EXPECT_EQ(0, count_mnemonic(r, "sti"));
	EXPECT_EQ(0, count_mnemonic(r, "int"));
	EXPECT_EQ(strlen(MINIOS_TEXT), count_reason(r, EXIT_REASON_IO_INSTRUCTION));
	EXPECT_LE(MINIOS_BOOT_TICKS + 1, count_reason(r, EXIT_REASON_HLT));
	EXPECT_LE(MINIOS_BOOT_TICKS + 1, count_action(r, TVMM_ACTION_INJECTED));
	for (size_t i = 0; i < r->nrecs; i++) {
		const struct tvmm_exit_record *rec = &r->recs[i];

		if (rec->reason_code == EXIT_REASON_IO_INSTRUCTION ||
		    rec->reason_code == EXIT_REASON_HLT)
			EXPECT_EQ(0, rec->cpl) TH_LOG("seq %llu: kernel exit at cpl %u",
						      rec->seq, rec->cpl);
	}
	log_exit_counts(_metadata, "hw", r);
}

/* paravirt: same console; hypercalls only; the exit hypercall's status. */
TEST_F(deprivilege, paravirt_same_console)
{
	struct vm_result *r = &self->res;

	RUN_MINIOS(TVMM_MODE_PARAVIRT, "minios_pv.bin", TVMM_END_HYPERCALL);
	EXPECT_STREQ(MINIOS_TEXT, r->console);
	EXPECT_EQ(MINIOS_STATUS, r->run.exit_status);
	/* One putc per byte, plus intr_on/intr_off and the exit. */
	EXPECT_LT(strlen(MINIOS_TEXT), count_reason(r, EXIT_REASON_VMCALL));
	EXPECT_EQ(0, count_mnemonic(r, "cli"));
	EXPECT_EQ(0, count_mnemonic(r, "sti"));
	EXPECT_EQ(0, count_mnemonic(r, "out"));
	EXPECT_EQ(0, count_reason(r, EXIT_REASON_IO_INSTRUCTION));
	EXPECT_EQ(0, count_reason(r, EXIT_REASON_HLT));
	EXPECT_EQ(0, count_action(r, TVMM_ACTION_REFLECTED));
	EXPECT_LE(MINIOS_BOOT_TICKS + 1, count_action(r, TVMM_ACTION_INJECTED));
	EXPECT_EQ(EXIT_REASON_VMCALL, r->recs[r->nrecs - 1].reason_code);
	log_exit_counts(_metadata, "paravirt", r);
}

/*
 * The three techniques of this lab side by side: exits per mode, for lab
 * 09, and hw with the fewest guest-caused exits (minios_patch_test adds
 * patch mode to the comparison).
 */
TEST_F(deprivilege, exit_counts_per_mode)
{
	static const struct {
		__u32 mode;
		const char *guest;
	} runs[] = {
		{ TVMM_MODE_HW, "minios.bin" },
		{ TVMM_MODE_DEPRIVILEGED, "minios.bin" },
		{ TVMM_MODE_PARAVIRT, "minios_pv.bin" },
	};
	unsigned int ran = 0, by_mode[TVMM_MODE_PATCH + 1] = { 0 };

	log_exit_header(_metadata);
	for (size_t k = 0; k < sizeof(runs) / sizeof(runs[0]); k++) {
		int ret = run_and_count(_metadata, runs[k].mode, runs[k].guest, &self->res,
					&by_mode[runs[k].mode]);

		if (ret == -EOPNOTSUPP)
			continue;
		ASSERT_EQ(0, ret);
		ran++;
	}
	if (ran < 3)
		SKIP(return, "fewer than three modes in this tvmm.ko: nothing to compare");
	TH_LOG("guest-caused exits: hw %u, paravirt %u, deprivileged %u",
	       by_mode[TVMM_MODE_HW], by_mode[TVMM_MODE_PARAVIRT],
	       by_mode[TVMM_MODE_DEPRIVILEGED]);
	EXPECT_LT(by_mode[TVMM_MODE_HW], by_mode[TVMM_MODE_PARAVIRT]);
	EXPECT_LT(by_mode[TVMM_MODE_HW], by_mode[TVMM_MODE_DEPRIVILEGED]);
}

/*
 * The tool: --mode deprivileged/paravirt reach the module, the paravirt
 * exit status is the app's, --timer 0 turns the timer off (then the
 * kernel's first HLT with IF set ends the VM: nothing can wake it).
 */
TEST_F(deprivilege, cli_modes_and_timer_off)
{
	const struct {		/* not static: MINIOS_TEXT and _STATUS follow the seed */
		const char *args;
		int status;
		const char *console;
	} cases[] = {
		{ "--mode deprivileged minios.bin", 0, MINIOS_TEXT },
		{ "--mode paravirt minios_pv.bin", MINIOS_STATUS, MINIOS_TEXT },
		{ "--mode deprivileged --timer 0 minios.bin", 0, MINIOS_TEXT_NO_TIMER },
		{ "--timer 0 minios.bin", 0, MINIOS_TEXT_NO_TIMER },
	};
	char dir[PATH_MAX], cmd[PATH_MAX * 2 + 256], out[4096];
	int status;
	FILE *p;

	if (system("command -v tvmm >/dev/null 2>&1"))
		SKIP(return, "the tvmm tool is not in PATH");
	guest_path("", dir, sizeof(dir));
	for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		size_t n;

		snprintf(cmd, sizeof(cmd), "cd %s && tvmm run %s 2>/dev/null", dir,
			 cases[i].args);
		p = popen(cmd, "r");
		ASSERT_NE(NULL, p);
		n = fread(out, 1, sizeof(out) - 1, p);
		out[n] = '\0';
		status = pclose(p);
		ASSERT_TRUE(WIFEXITED(status));
		if (WEXITSTATUS(status) == 2) {
			/* the mode or the virtual timer is not in this tvmm.ko */
			TH_LOG("tvmm run %s: refused (status 2) by this tvmm.ko", cases[i].args);
			continue;
		}
		EXPECT_EQ(cases[i].status, WEXITSTATUS(status)) TH_LOG("tvmm run %s",
								       cases[i].args);
		EXPECT_STREQ(cases[i].console, out) TH_LOG("tvmm run %s", cases[i].args);
	}
}

TEST_HARNESS_MAIN
