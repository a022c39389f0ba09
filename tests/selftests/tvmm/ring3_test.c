// SPDX-License-Identifier: GPL-2.0
/*
 * ring3_test - a guest's ring 3 stays ring 3 under every technique.
 *
 * Rule under test (the notes' virtual user mode vs virtual kernel mode;
 * SDM vol. 3A, 5.9 "Privileged Instructions", vol. 1, 19.5.1 "I/O Privilege
 * Level", vol. 3C, 26.1.2): in deprivileged and patch modes the guest
 * kernel runs at ring 1 and its applications at ring 3, and both fault
 * on a privileged instruction. tvmm may emulate only the guest kernel's
 * (ring 1 = the guest's ring 0). An application's CLI, STI, IN, OUT, HLT,
 * LGDT, LIDT, LTR, MOV CR, CLTS, INVLPG, RDMSR, WRMSR must reach the
 * guest kernel's own #GP handler as #GP(0) at the instruction, as on a
 * real CPU and in --mode hw; its VMCALL must not reach the hypercalls
 * (EAX = 0xffffffff, nothing else happens) in any mode. Also: INT3 and
 * INTO through DPL-3 gates return after 1 byte (only INT n is 2 bytes);
 * PUSHF/POPF/SGDT at ring 3 answer as at CPL 3 in patch mode; a POP SS
 * that faults leaves ESP alone; deprivileged and patch modes refuse
 * paging (tvmm's decoder reads guest-physical memory) instead of reading
 * the wrong bytes.
 *
 * guests/ring3_probe.S runs one probe per run here (the word at image
 * offset 8 selects it), timer off, and prints the vector, error code and
 * faulting EIP its handler saw; the console must be the same in hw,
 * deprivileged and patch modes, the guest's IF still 1 at its final HLT
 * (end_info 1), and in the ring-1 modes the #GP exit at cpl 3 "reflected",
 * never "emulated".
 *
 * Lab: 06/07 (what emulate.c may emulate); not graded by a lab. Needs a
 * VT-x CPU with EPT and unrestricted guest (Bochs).
 */
#include "vm_util.h"
#include "../kselftest_harness.h"

#define PROBE_GUEST		"ring3_probe.bin"
#define PROBE_MAGIC		"R3PS"
#define PROBE_MAGIC_OFF		4
#define PROBE_SELECT_OFF	8
#define PROBE_DONE		"ring3: done\n"
#define PROBE_MAX_EXITS		20000
#define PROBE_TIMEOUT_S		120

#define X86_EXC_GP		13
#define INTR_INFO_VECTOR(i)	((i) & 0xff)
#define HC_REFUSED		0xffffffffU	/* VMCALL from CPL > 0 */
#define END_INFO_IF_ON		1		/* exit_hlt(): HLT with IF 1, no timer */

/* The probes of guests/ring3_probe.S, in the order of its table. */
enum probe {
	P_CLI, P_STI, P_OUT, P_OUTDX, P_IN, P_HLT, P_LGDT, P_LIDT, P_LTR,
	P_RDCR0, P_WRCR0, P_CLTS, P_INVLPG, P_RDMSR, P_WRMSR,
	P_VMCALL_PUTC, P_VMCALL_SETIF, P_VMCALL_EXIT, P_INT3, P_INTO, P_INT3_DPL0,
	P_POPF, P_SGDT, P_VMCALL_KERNEL, P_POPSS, P_PAGING,
};

/* "NAME: vector V error E eip +OFF esp +0": what the guest's handler saw. */
#define FAULT(name, vec, err, off) \
	name ": vector " #vec " error 0x" err " eip +0x" off " esp +0x00000000\n"
#define GP0(name, off)		FAULT(name, 13, "00000000", off)
#define NO_FAULT(name, eax)	name ": no fault, eax 0x" eax "\n"

static const __u32 ring3_modes[] = {
	TVMM_MODE_HW, TVMM_MODE_DEPRIVILEGED, TVMM_MODE_PATCH,
};

static const char *mode_name(__u32 mode)
{
	switch (mode) {
	case TVMM_MODE_HW: return "hw";
	case TVMM_MODE_DEPRIVILEGED: return "deprivileged";
	case TVMM_MODE_PATCH: return "patch";
	case TVMM_MODE_PARAVIRT: return "paravirt";
	default: return "?";
	}
}

static bool mode_ring1(__u32 mode)
{
	return mode == TVMM_MODE_DEPRIVILEGED || mode == TVMM_MODE_PATCH;
}

static void on_alarm(int sig)
{
	(void)sig;
}

/*
 * Run probe @p of ring3_probe.bin in @mode, timer off, tracing.
 * Return: 0, or -errno (-EOPNOTSUPP: the module lacks the mode; -EINTR:
 * no end in time; -ENOEXEC: the image has no probe selector).
 */
static int run_probe(__u32 mode, enum probe p, struct vm_result *res)
{
	struct tvmm_config c = vm_config(mode, TVMM_CONFIG_TRACE, PROBE_MAX_EXITS);
	struct sigaction sa;
	int fd, ret;

	c.timer_ticks = TVMM_TIMER_OFF;
	fd = vm_create_with_word(&c, PROBE_GUEST, PROBE_MAGIC, PROBE_MAGIC_OFF,
				 PROBE_SELECT_OFF, p);
	if (fd < 0)
		return fd;
	memset(&sa, 0, sizeof(sa));
	sa.sa_handler = on_alarm;
	sigemptyset(&sa.sa_mask);
	sigaction(SIGALRM, &sa, NULL);	/* no SA_RESTART: TVMM_RUN fails with EINTR */
	alarm(PROBE_TIMEOUT_S);
	ret = vm_run_to_end(fd, res);
	alarm(0);
	close(fd);
	return ret;
}

FIXTURE(ring3) {
	struct vm_result res;
};

FIXTURE_SETUP(ring3)
{
	memset(&self->res, 0, sizeof(self->res));
	REQUIRE_VMX_AND_TVMM();
	REQUIRE_GUEST(PROBE_GUEST);
}

FIXTURE_TEARDOWN(ring3)
{
	vm_result_free(&self->res);
}

/* Run probe @p in @mode into self->res; skip a mode the module refuses. */
#define RUN_PROBE(mode, p)							\
	do {									\
		int __ret = run_probe(mode, p, &self->res);			\
		if (__ret == -EOPNOTSUPP)					\
			SKIP(return, "tvmm.ko refuses mode %s (EOPNOTSUPP): its lab (06-08) is not in this build", \
			     mode_name(mode));					\
		ASSERT_EQ(0, __ret) TH_LOG("probe %d in mode %s: %s%s", p,	\
					   mode_name(mode), strerror(-__ret),	\
					   __ret == -EINTR ? " (no end in time)" : ""); \
	} while (0)

/*
 * The common outcome: console @want then "ring3: done", and the final HLT
 * with the guest's IF still 1 (nothing the probe did cleared it).
 */
static void expect_console_and_if(struct __test_metadata *_metadata, __u32 mode,
				  const struct vm_result *r, const char *want)
{
	char full[512];

	snprintf(full, sizeof(full), "%s%s", want, PROBE_DONE);
	EXPECT_STREQ(full, r->console) TH_LOG("mode %s", mode_name(mode));
	EXPECT_EQ(TVMM_END_HLT, r->run.end)
		TH_LOG("mode %s: ended with %s: %s", mode_name(mode), end_name(r->run.end),
		       r->run.message);
	EXPECT_EQ(END_INFO_IF_ON, r->run.end_info)
		TH_LOG("mode %s: the final HLT ran with the guest's IF clear (%s)",
		       mode_name(mode), r->run.message);
}

/*
 * In the ring-1 modes: tvmm saw the probe's exception at cpl 3 (@reason,
 * @vector) and gave it to the guest ("reflected"); no instruction at cpl
 * 3 was "emulated" as if the guest kernel had run it (patch mode's page
 * scans, EPT violations at the probe's first fetch, are tvmm's own work).
 */
static void expect_reflected_at_cpl3(struct __test_metadata *_metadata, __u32 mode,
				     const struct vm_result *r, __u32 reason, __u32 vector)
{
	unsigned int reflected = 0;

	for (size_t i = 0; i < r->nrecs; i++) {
		const struct tvmm_exit_record *rec = &r->recs[i];

		if (rec->cpl != 3 || exit_is_host_noise(rec) ||
		    rec->reason_code == EXIT_REASON_EPT_VIOLATION)
			continue;
		EXPECT_NE(TVMM_ACTION_EMULATED, rec->action)
			TH_LOG("mode %s, seq %llu: \"%.*s\" at cpl 3 was emulated", mode_name(mode),
			       rec->seq, TVMM_MNEMONIC_MAX, rec->mnemonic);
		reflected += rec->reason_code == reason &&
			     INTR_INFO_VECTOR(rec->intr_info) == vector &&
			     rec->action == TVMM_ACTION_REFLECTED;
	}
	EXPECT_EQ(1, reflected) TH_LOG("mode %s: %u reflected cpl-3 exits of vector %u",
				       mode_name(mode), reflected, vector);
}

/* A ring-3 probe whose console must be @want (a #GP(0)) in every mode. */
static void check_gp0(struct __test_metadata *_metadata, struct vm_result *res,
		      enum probe p, const char *want)
{
	for (size_t m = 0; m < sizeof(ring3_modes) / sizeof(ring3_modes[0]); m++) {
		__u32 mode = ring3_modes[m];
		int ret = run_probe(mode, p, res);

		if (ret == -EOPNOTSUPP)
			continue;	/* a lab build without this mode */
		EXPECT_EQ(0, ret) TH_LOG("probe %d, mode %s: %s", p, mode_name(mode),
					 strerror(-ret));
		if (ret)
			continue;
		expect_console_and_if(_metadata, mode, res, want);
		if (mode_ring1(mode))
			expect_reflected_at_cpl3(_metadata, mode, res,
						 EXIT_REASON_EXCEPTION_NMI, X86_EXC_GP);
	}
}

/* CLI/STI at CPL 3 > IOPL 0: #GP(0); the virtual IF does not change. */
TEST_F(ring3, cli_sti_fault)
{
	check_gp0(_metadata, &self->res, P_CLI, GP0("cli", "00000000"));
	check_gp0(_metadata, &self->res, P_STI, GP0("sti", "00000000"));
}

/* IN/OUT at CPL 3 > IOPL 0, no I/O bitmap: #GP(0), nothing on the console. */
TEST_F(ring3, io_faults)
{
	check_gp0(_metadata, &self->res, P_OUT, GP0("out imm8", "00000002"));
	check_gp0(_metadata, &self->res, P_OUTDX, GP0("out dx", "00000006"));
	check_gp0(_metadata, &self->res, P_IN, GP0("in", "00000000"));
}

/* HLT at CPL 3: #GP(0), neither a wait nor the end of the VM. */
TEST_F(ring3, hlt_faults)
{
	check_gp0(_metadata, &self->res, P_HLT, GP0("hlt", "00000000"));
}

/* LGDT, LIDT, LTR at CPL 3: #GP(0), the tables stay the kernel's. */
TEST_F(ring3, descriptor_table_loads_fault)
{
	check_gp0(_metadata, &self->res, P_LGDT, GP0("lgdt", "00000000"));
	check_gp0(_metadata, &self->res, P_LIDT, GP0("lidt", "00000000"));
	check_gp0(_metadata, &self->res, P_LTR, GP0("ltr", "00000004"));
}

/* MOV from/to CR0, CLTS, INVLPG at CPL 3: #GP(0). */
TEST_F(ring3, control_register_access_faults)
{
	check_gp0(_metadata, &self->res, P_RDCR0, GP0("mov from cr0", "00000000"));
	check_gp0(_metadata, &self->res, P_WRCR0, GP0("mov to cr0", "00000005"));
	check_gp0(_metadata, &self->res, P_CLTS, GP0("clts", "00000000"));
	check_gp0(_metadata, &self->res, P_INVLPG, GP0("invlpg", "00000000"));
}

/* RDMSR/WRMSR at CPL 3: #GP(0), even for MSRs tvmm gives the kernel. */
TEST_F(ring3, msr_access_faults)
{
	check_gp0(_metadata, &self->res, P_RDMSR, GP0("rdmsr", "00000005"));
	check_gp0(_metadata, &self->res, P_WRMSR, GP0("wrmsr", "00000009"));
}

/*
 * VMCALL exits at any CPL (SDM 26.1.2); from CPL 3 tvmm answers as KVM
 * does: EAX = -1 (-EPERM), no putc, no IF change, no exit. In every mode,
 * paravirt included; the record is a VMCALL exit at cpl 3. The guest
 * kernel's own VMCALL (ring 1 in the ring-1 modes) still works.
 */
TEST_F(ring3, vmcall_refused)
{
	static const __u32 modes[] = {
		TVMM_MODE_HW, TVMM_MODE_PARAVIRT, TVMM_MODE_DEPRIVILEGED, TVMM_MODE_PATCH,
	};
	static const struct {
		enum probe p;
		const char *want;
	} probes[] = {
		{ P_VMCALL_PUTC, NO_FAULT("vmcall putc", "ffffffff") },
		{ P_VMCALL_SETIF, NO_FAULT("vmcall set-if", "ffffffff") },
		{ P_VMCALL_EXIT, NO_FAULT("vmcall exit", "ffffffff") },
		{ P_VMCALL_KERNEL, "vmcall kernel: +no fault, eax 0x00000001\n" },
	};

	for (size_t k = 0; k < sizeof(probes) / sizeof(probes[0]); k++) {
		for (size_t m = 0; m < sizeof(modes) / sizeof(modes[0]); m++) {
			struct vm_result *r = &self->res;
			unsigned int at_cpl3 = 0;

			RUN_PROBE(modes[m], probes[k].p);
			expect_console_and_if(_metadata, modes[m], r, probes[k].want);
			for (size_t i = 0; i < r->nrecs; i++)
				at_cpl3 += r->recs[i].reason_code == EXIT_REASON_VMCALL &&
					   r->recs[i].cpl == 3;
			EXPECT_EQ(probes[k].p == P_VMCALL_KERNEL ? 0 : 1, at_cpl3)
				TH_LOG("mode %s: %u VMCALL exits at cpl 3", mode_name(modes[m]),
				       at_cpl3);
		}
	}
}

/*
 * INT3 (CC) and INTO (CE) are one byte: through a DPL-3 gate the handler
 * sees the EIP right after them (+1 and +5 in the probes), in every mode.
 * Through a DPL-0 gate, INT3 at CPL 3 is #GP(3 << 3 | IDT) at the INT3,
 * also in patch mode, where INT3 is a #BP exit before the gate's check.
 */
TEST_F(ring3, int3_into_return_after_one_byte)
{
	static const struct {
		enum probe p;
		const char *want;
	} probes[] = {
		{ P_INT3, FAULT("int3", 3, "00000000", "00000001") },
		{ P_INTO, FAULT("into", 4, "00000000", "00000005") },
		{ P_INT3_DPL0, FAULT("int3 dpl0", 13, "0000001a", "00000000") },
	};

	for (size_t k = 0; k < sizeof(probes) / sizeof(probes[0]); k++) {
		for (size_t m = 0; m < sizeof(ring3_modes) / sizeof(ring3_modes[0]); m++) {
			__u32 mode = ring3_modes[m];
			struct vm_result *r = &self->res;
			unsigned int reflected = 0;

			RUN_PROBE(mode, probes[k].p);
			expect_console_and_if(_metadata, mode, r, probes[k].want);
			if (!mode_ring1(mode))
				continue;
			/* A #GP on the shadow gate, or (patch, INT3) a #BP exit. */
			for (size_t i = 0; i < r->nrecs; i++)
				reflected += r->recs[i].cpl == 3 &&
					     r->recs[i].action == TVMM_ACTION_REFLECTED;
			EXPECT_EQ(1, reflected) TH_LOG("mode %s: %u reflected cpl-3 exits",
						       mode_name(mode), reflected);
		}
	}
}

/*
 * Patch mode emulates ring 3's PUSHF/POPF/SGDT as a CPU does at CPL 3:
 * POPF changes neither IF nor IOPL, PUSHF shows IF 1 and IOPL 0, SGDT
 * gives the guest's own GDT base. (Deprivileged mode gets SGDT wrong at
 * any ring: Popek-Goldberg, popek_test; PUSHF/POPF happen to agree.)
 */
TEST_F(ring3, patched_sites_at_cpl3)
{
	static const __u32 popf_modes[] = {
		TVMM_MODE_HW, TVMM_MODE_DEPRIVILEGED, TVMM_MODE_PATCH,
	};
	static const __u32 sgdt_modes[] = { TVMM_MODE_HW, TVMM_MODE_PATCH };
	struct vm_result *r = &self->res;

	for (size_t m = 0; m < sizeof(popf_modes) / sizeof(popf_modes[0]); m++) {
		RUN_PROBE(popf_modes[m], P_POPF);
		expect_console_and_if(_metadata, popf_modes[m], r,
				      NO_FAULT("popf", "00000200"));
		if (popf_modes[m] != TVMM_MODE_PATCH)
			continue;
		EXPECT_EQ(2, count_action(r, TVMM_ACTION_PATCHED))
			TH_LOG("patch: the probe's POPF and PUSHF were not both patched");
	}
	for (size_t m = 0; m < sizeof(sgdt_modes) / sizeof(sgdt_modes[0]); m++) {
		RUN_PROBE(sgdt_modes[m], P_SGDT);
		expect_console_and_if(_metadata, sgdt_modes[m], r,
				      NO_FAULT("sgdt", "00000000"));
		if (sgdt_modes[m] == TVMM_MODE_PATCH)
			EXPECT_EQ(1, count_mnemonic(r, "sgdt"))
				TH_LOG("patch: the probe's SGDT was not patched");
	}
}

/*
 * The guest kernel's POP SS of a code selector: #GP(0x18) with ESP where
 * it was (a fault is all or nothing), whether the CPU or tvmm decides.
 */
TEST_F(ring3, pop_ss_fault_leaves_esp)
{
	for (size_t m = 0; m < sizeof(ring3_modes) / sizeof(ring3_modes[0]); m++) {
		RUN_PROBE(ring3_modes[m], P_POPSS);
		expect_console_and_if(_metadata, ring3_modes[m], &self->res,
				      FAULT("pop ss", 13, "00000018", "00000008"));
	}
}

/*
 * Paging: hw runs the page it maps at a second linear address ('@');
 * deprivileged and patch modes, whose decoder reads guest-physical
 * memory, end the VM at the MOV to CR0 rather than read the wrong bytes.
 */
TEST_F(ring3, paging_refused_in_ring1_modes)
{
	struct vm_result *r = &self->res;

	for (size_t m = 0; m < sizeof(ring3_modes) / sizeof(ring3_modes[0]); m++) {
		__u32 mode = ring3_modes[m];

		RUN_PROBE(mode, P_PAGING);
		if (!mode_ring1(mode)) {
			expect_console_and_if(_metadata, mode, r,
					      "paging: @no fault, eax 0x00000000\n");
			continue;
		}
		EXPECT_STREQ("paging: ", r->console) TH_LOG("mode %s", mode_name(mode));
		EXPECT_EQ(TVMM_END_UNHANDLED, r->run.end)
			TH_LOG("mode %s: ended with %s: %s", mode_name(mode),
			       end_name(r->run.end), r->run.message);
		EXPECT_NE(NULL, strstr(r->run.message, "paging"))
			TH_LOG("mode %s: message \"%s\" does not name paging", mode_name(mode),
			       r->run.message);
	}
}

TEST_HARNESS_MAIN
