// SPDX-License-Identifier: GPL-2.0
/*
 * popek_test - sensitive instructions that do not trap break trap-and-emulate.
 *
 * Rule under test (Popek and Goldberg, 1974; the notes' "Requisiti di
 * Popek-Goldberg"; docs/concepts.md): a machine
 * can be virtualized by trap-and-emulate only if every sensitive
 * instruction is privileged, i.e. traps when run outside ring 0. On x86
 * some are not: at ring 1 with IOPL 0, PUSHF shows the real IF (1), POPF
 * leaves IF unchanged without faulting, SGDT shows tvmm's shadow GDT and
 * MOV from CS shows RPL 1. None of them exits, so tvmm cannot fix the
 * answer. guests/popek.S runs each one and compares the result with what
 * ring 0 must give:
 *   deprivileged: four lines say WRONG (MOV CS, PUSHF after CLI, POPF of
 *     IF=0, SGDT); SMSW is right only because tvmm keeps CR0's low bits as
 *     the guest set them. The trace has no record at any of those
 *     instructions (their addresses: the table at offset 16 of the image);
 *     the only guest exits are #GPs of the privileged instructions around
 *     them (lgdt, cli, sti, mov from cr, mov cr0, out, hlt), counted exactly.
 *   hw: "full virtualization with hardware support", the fix the CPU makes:
 *     the guest kernel runs at ring 0 in VMX non-root mode, every
 *     instruction gives the native answer and tvmm intercepts what it
 *     chooses (OUT, MOV to CR0, HLT) with VM exits: all OK, "popek: 0 wrong".
 *   patch: "full virtualization without hardware support" in its
 *     simplest form (module/patch.c): deprivileged mode, plus a scan of
 *     each code page at its first fetch (one EPT_VIOLATION exit, "scan
 *     page") that overwrites every sensitive-but-unprivileged instruction
 *     with INT3. Each one then exits as #BP with action "patched", at
 *     exactly the table's addresses, once each, carrying the original
 *     bytes; tvmm emulates it against the virtual CPU: all OK.
 *   paravirt (popek_pv.bin, popek.S built with -DPARAVIRT): the guest asks
 *     the VMM (hypercalls set IF, get CR0, putc, exit) or keeps its own
 *     copy (its flags, its GDTR, its code selector) instead of using these
 *     instructions: all OK, and its only exits are VMCALLs and MOV to CR0.
 * guests/sensitive.S covers what popek.S does not: every instruction lab
 * 08 classifies, in each form (register and memory, 16 and 32 bits, POPF
 * of IOPL, POPF at ring 3, a VMCALL that is no SGDT), the same answers in
 * patch mode as in hw.
 *
 * Lab: 06 (de-privileging) and the Popek-Goldberg discussion. Needs: a
 * VT-x CPU with EPT and unrestricted guest (Bochs).
 */
#include "vm_util.h"
#include "../kselftest_harness.h"

#define POPEK_TEXT_HW \
	"popek: mov cs: RPL=0 OK\n" \
	"popek: pushf after cli: IF=0 OK\n" \
	"popek: popf of IF=0 after sti: IF=0 OK\n" \
	"popek: smsw after setting TS: PE=1 TS=1 OK\n" \
	"popek: sgdt: base is our GDT OK\n" \
	"popek: 0 wrong\n"
/* The SGDT base: tvmm's shadow GDT, guest RAM (default 2 MiB) - 64 KiB. */
#define POPEK_TEXT_DEPRIV \
	"popek: mov cs: RPL=1 WRONG\n" \
	"popek: pushf after cli: IF=1 WRONG\n" \
	"popek: popf of IF=0 after sti: IF=1 WRONG\n" \
	"popek: smsw after setting TS: PE=1 TS=1 OK\n" \
	"popek: sgdt: base 0x001f0000 is not our GDT WRONG\n" \
	"popek: 4 wrong\n"

/* guests/popek.S: "POPEKTAB", count, then that many 32-bit addresses. */
#define POPEK_TABLE_OFF		16
#define POPEK_TABLE_MAGIC	"POPEKTAB"
#define POPEK_TABLE_MAX		16
#define POPEK_MAX_EXITS		10000
#define X86_EXC_GP		13
#define X86_EXC_BP		3
#define INT3_OPCODE		0xcc
/* popek_pv.bin's hypercalls besides putc: set IF x3 (incl. its POPF), get CR0, exit. */
#define POPEK_PV_HYPERCALLS	6
#define INTR_INFO_VECTOR(i)	((i) & 0xff)

/*
 * POPEK_OUT_NOTE: at ring 1 with IOPL 0, OUT faults only if the TSS's I/O
 * permission bitmap denies the port. popek loads no TSS of its own, so it
 * runs on tvmm's entry TSS, whose I/O map base lies past its limit: no
 * bitmap, every port faults, and every console byte is a #GP "out". (This
 * test found the entry TSS once had base 0, which let port 0xE9 through as
 * an I/O exit; it now asserts there is none.)
 */

/* The deprivileged guest's #GP exits: mnemonic and exact count (0: = console bytes). */
static const struct {
	const char *mnemonic;
	unsigned int count;
} depriv_gp[] = {
	{ "lgdt", 1 },
	{ "cli", 3 },		/* the check, after the POPF check, the end */
	{ "sti", 1 },
	{ "mov from cr", 2 },	/* the two reads of CR0 around SMSW */
	{ "mov cr0", 2 },	/* TS on, TS off */
	{ "out", 0 },
	{ "hlt", 1 },
};

FIXTURE(popek) {
	struct vm_result res;
	__u32 insn[POPEK_TABLE_MAX];	/* addresses of the non-trapping instructions */
	unsigned int ninsn;
};

FIXTURE_SETUP(popek)
{
	char path[PATH_MAX];
	unsigned char *img;
	ssize_t size;
	__u32 n;

	memset(&self->res, 0, sizeof(self->res));
	REQUIRE_VMX_AND_TVMM();

	size = read_whole_file(guest_path("popek.bin", path, sizeof(path)), (void **)&img);
	ASSERT_LT(0, size) TH_LOG("%s: %s: build and install the guests (make -C tests/selftests/tvmm install), or set GUEST_DIR",
				  path, strerror(-size));
	ASSERT_LE(POPEK_TABLE_OFF + 12, size);
	ASSERT_EQ(0, memcmp(img + POPEK_TABLE_OFF, POPEK_TABLE_MAGIC, 8))
		TH_LOG("%s: no address table at offset %d", path, POPEK_TABLE_OFF);
	memcpy(&n, img + POPEK_TABLE_OFF + 8, 4);
	ASSERT_LT(0, n);
	ASSERT_GE(POPEK_TABLE_MAX, n);
	ASSERT_LE(POPEK_TABLE_OFF + 12 + 4 * n, size);
	memcpy(self->insn, img + POPEK_TABLE_OFF + 12, 4 * n);
	self->ninsn = n;
	free(img);
}

FIXTURE_TEARDOWN(popek)
{
	vm_result_free(&self->res);
}

/* Run @guest in @mode, tracing, timer off; it must end with @want_end. */
#define RUN_POPEK_GUEST(mode, guest, want_end)					\
	do {									\
		struct tvmm_config __c = vm_config(mode, TVMM_CONFIG_TRACE,	\
						   POPEK_MAX_EXITS);		\
		int __ret;							\
		__c.timer_ticks = TVMM_TIMER_OFF;				\
		__ret = vm_run_guest(&__c, guest, &self->res, NULL);		\
		if (__ret == -EOPNOTSUPP)					\
			SKIP(return, "tvmm.ko refuses this mode (EOPNOTSUPP)");	\
		ASSERT_EQ(0, __ret) TH_LOG("running %s: %s", guest, strerror(-__ret)); \
		EXPECT_EQ(want_end, self->res.run.end)				\
			TH_LOG("ended with %s: %s", end_name(self->res.run.end), \
			       self->res.run.message);				\
		ASSERT_LT(0, self->res.nrecs) TH_LOG("no exit records");	\
	} while (0)

#define RUN_POPEK(mode)	RUN_POPEK_GUEST(mode, "popek.bin", TVMM_END_HLT)

/* No record at any of the sensitive, non-trapping instructions. */
static void expect_no_exit_at_table(struct __test_metadata *_metadata,
				    const struct vm_result *r, const __u32 *insn,
				    unsigned int ninsn)
{
	for (size_t i = 0; i < r->nrecs; i++) {
		const struct tvmm_exit_record *rec = &r->recs[i];

		for (unsigned int k = 0; k < ninsn; k++) {
			EXPECT_NE(insn[k], rec->rip)
				TH_LOG("seq %llu (reason %u, \"%.*s\") exited at table entry %u (0x%x)",
				       rec->seq, rec->reason_code, TVMM_MNEMONIC_MAX,
				       rec->mnemonic, k, insn[k]);
		}
	}
}

static unsigned int count_gp_mnemonic(const struct vm_result *r, const char *m)
{
	unsigned int n = 0;

	for (size_t i = 0; i < r->nrecs; i++)
		n += r->recs[i].reason_code == EXIT_REASON_EXCEPTION_NMI &&
		     !strncmp(r->recs[i].mnemonic, m, TVMM_MNEMONIC_MAX);
	return n;
}

/* Every #GP of deprivileged mode, by mnemonic, exactly as many. */
static void expect_depriv_gp_counts(struct __test_metadata *_metadata,
				    const struct vm_result *r, const char *text)
{
	for (size_t k = 0; k < sizeof(depriv_gp) / sizeof(depriv_gp[0]); k++) {
		unsigned int n = depriv_gp[k].count ? depriv_gp[k].count : strlen(text);

		EXPECT_EQ(n, count_gp_mnemonic(r, depriv_gp[k].mnemonic))
			TH_LOG("#GP exits \"%s\"", depriv_gp[k].mnemonic);
	}
}

/*
 * Deprivileged: the guest sees through the non-trapping instructions
 * (4 WRONG lines) and tvmm never saw them (no exit at their addresses).
 */
TEST_F(popek, deprivileged_sensitive_insns_do_not_trap)
{
	struct vm_result *r = &self->res;
	unsigned int guest_exits = 0, want = 0, io_exits = 0;

	RUN_POPEK(TVMM_MODE_DEPRIVILEGED);
	EXPECT_STREQ(POPEK_TEXT_DEPRIV, r->console);
	expect_no_exit_at_table(_metadata, r, self->insn, self->ninsn);

	/* Every guest exit is a #GP of a privileged instruction, emulated at ring 1. */
	for (size_t i = 0; i < r->nrecs; i++) {
		const struct tvmm_exit_record *rec = &r->recs[i];
		bool known = false;

		if (exit_is_host_noise(rec))
			continue;
		guest_exits++;
		/* A console OUT must fault at ring 1 (see POPEK_OUT_NOTE). */
		if (rec->reason_code == EXIT_REASON_IO_INSTRUCTION)
			io_exits++;
		EXPECT_EQ(EXIT_REASON_EXCEPTION_NMI, rec->reason_code)
			TH_LOG("seq %llu: reason %u, not a #GP", rec->seq, rec->reason_code);
		EXPECT_EQ(X86_EXC_GP, INTR_INFO_VECTOR(rec->intr_info))
			TH_LOG("seq %llu: intr_info 0x%x", rec->seq, rec->intr_info);
		EXPECT_EQ(1, rec->cpl) TH_LOG("seq %llu: cpl %u", rec->seq, rec->cpl);
		EXPECT_TRUE(rec->rflags & (1ULL << 9))
			TH_LOG("seq %llu: real IF clear", rec->seq);
		for (size_t k = 0; k < sizeof(depriv_gp) / sizeof(depriv_gp[0]); k++)
			known |= !strncmp(rec->mnemonic, depriv_gp[k].mnemonic,
					  TVMM_MNEMONIC_MAX);
		EXPECT_TRUE(known) TH_LOG("seq %llu: unexpected #GP \"%.*s\" at rip 0x%llx",
					  rec->seq, TVMM_MNEMONIC_MAX, rec->mnemonic,
					  rec->rip);
	}
	for (size_t k = 0; k < sizeof(depriv_gp) / sizeof(depriv_gp[0]); k++) {
		unsigned int n = depriv_gp[k].count;

		if (!n)		/* the console bytes, one #GP "out" each */
			n = strlen(POPEK_TEXT_DEPRIV);
		EXPECT_EQ(n, count_gp_mnemonic(r, depriv_gp[k].mnemonic))
			TH_LOG("#GP exits \"%s\"", depriv_gp[k].mnemonic);
		want += n;
	}
	EXPECT_EQ(0, io_exits) TH_LOG("OUT at ring 1 must fault, not make I/O exits");
	EXPECT_EQ(want, guest_exits);
	TH_LOG("console bytes: %u #GP \"out\", %u IO_INSTRUCTION exits",
	       count_gp_mnemonic(r, "out"), io_exits);
	/* The virtual IF did follow CLI/STI: the sti record saw vif 0. */
	for (size_t i = 0; i < r->nrecs; i++) {
		if (!strncmp(r->recs[i].mnemonic, "sti", TVMM_MNEMONIC_MAX)) {
			EXPECT_EQ(0, r->recs[i].vif);
		}
	}
}

/*
 * The mnemonic each table entry's instruction gets in the trace, in table
 * order (guests/popek.S: mov cs, pushf x2, popf, pushf, smsw, sgdt).
 */
static const char *const popek_mnemonics[] = {
	"mov from cs", "pushf", "pushf", "popf", "pushf", "smsw", "sgdt",
};

/*
 * patch: the same guest, unmodified, gets every answer right. Its only
 * code page is scanned once (one EPT_VIOLATION "scan page" exit, before
 * the first instruction runs); each of the table's instructions then
 * exits exactly once as #BP with action "patched", at its own address,
 * the record carrying the original bytes (not the INT3); no patched
 * record anywhere else; the privileged instructions still #GP as in
 * deprivileged mode.
 */
TEST_F(popek, patch_all_ok)
{
	struct vm_result *r = &self->res;
	unsigned int hits[POPEK_TABLE_MAX] = { 0 }, patched = 0, scans = 0;

	RUN_POPEK(TVMM_MODE_PATCH);
	EXPECT_STREQ(POPEK_TEXT_HW, r->console);
	ASSERT_EQ(sizeof(popek_mnemonics) / sizeof(popek_mnemonics[0]), self->ninsn);
	for (size_t i = 0; i < r->nrecs; i++) {
		const struct tvmm_exit_record *rec = &r->recs[i];
		unsigned int k;

		if (rec->reason_code == EXIT_REASON_EPT_VIOLATION) {
			scans++;
			EXPECT_EQ(0, i) TH_LOG("the scan must come before any other exit");
			EXPECT_EQ(0x10000, rec->gpa & ~0xfffULL);
			EXPECT_EQ(TVMM_ACTION_EMULATED, rec->action);
			EXPECT_EQ(0, strncmp(rec->mnemonic, "scan page", TVMM_MNEMONIC_MAX));
			continue;
		}
		if (rec->action != TVMM_ACTION_PATCHED)
			continue;
		patched++;
		for (k = 0; k < self->ninsn && self->insn[k] != rec->rip; k++)
			;
		EXPECT_GT(self->ninsn, k) TH_LOG("seq %llu: patched record at rip 0x%llx, not in the table",
						 rec->seq, rec->rip);
		if (k == self->ninsn)
			continue;
		hits[k]++;
		EXPECT_EQ(EXIT_REASON_EXCEPTION_NMI, rec->reason_code);
		EXPECT_EQ(X86_EXC_BP, INTR_INFO_VECTOR(rec->intr_info))
			TH_LOG("seq %llu: intr_info 0x%x", rec->seq, rec->intr_info);
		EXPECT_EQ(1, rec->cpl);
		EXPECT_STREQ(popek_mnemonics[k], rec->mnemonic) TH_LOG("table entry %u", k);
		EXPECT_LT(0, rec->insn_len);
		EXPECT_NE(INT3_OPCODE, rec->insn[0]) TH_LOG("seq %llu: the record shows the patch, not the original",
							    rec->seq);
	}
	EXPECT_EQ(1, scans);
	EXPECT_EQ(self->ninsn, patched);
	for (unsigned int k = 0; k < self->ninsn; k++) {
		EXPECT_EQ(1, hits[k]) TH_LOG("table entry %u (0x%x, %s)", k, self->insn[k],
					     popek_mnemonics[k]);
	}
	/* The POPF record: the virtual IF was 1 (after STI), the POPF cleared it. */
	for (size_t i = 0; i < r->nrecs; i++) {
		if (r->recs[i].action == TVMM_ACTION_PATCHED &&
		    !strcmp(r->recs[i].mnemonic, "popf")) {
			EXPECT_EQ(1, r->recs[i].vif);
		}
	}
	expect_depriv_gp_counts(_metadata, r, POPEK_TEXT_HW);
}

/*
 * paravirt: popek_pv.bin asks instead of executing the sensitive
 * instructions: all OK, ends with hypercall exit(0); no exit at any table
 * site; only VMCALL (one putc per byte, plus POPEK_PV_HYPERCALLS) and the
 * two MOVs to CR0.
 */
TEST_F(popek, paravirt_pv_all_ok)
{
	struct vm_result *r = &self->res;

	RUN_POPEK_GUEST(TVMM_MODE_PARAVIRT, "popek_pv.bin", TVMM_END_HYPERCALL);
	EXPECT_STREQ(POPEK_TEXT_HW, r->console);
	EXPECT_EQ(0, r->run.exit_status);
	expect_no_exit_at_table(_metadata, r, self->insn, self->ninsn);
	EXPECT_EQ(strlen(POPEK_TEXT_HW) + POPEK_PV_HYPERCALLS,
		  count_reason(r, EXIT_REASON_VMCALL));
	EXPECT_EQ(0, count_reason(r, EXIT_REASON_EXCEPTION_NMI));
	EXPECT_EQ(0, count_reason(r, EXIT_REASON_IO_INSTRUCTION));
	EXPECT_EQ(0, count_reason(r, EXIT_REASON_HLT));
	for (size_t i = 0; i < r->nrecs; i++) {
		const struct tvmm_exit_record *rec = &r->recs[i];

		if (exit_is_host_noise(rec))
			continue;
		EXPECT_EQ(0, rec->cpl);
		EXPECT_TRUE(rec->reason_code == EXIT_REASON_VMCALL ||
			    rec->reason_code == EXIT_REASON_CR_ACCESS)
			TH_LOG("seq %llu: unexpected reason %u at rip 0x%llx", rec->seq,
			       rec->reason_code, rec->rip);
	}
}

/*
 * The same popek.bin in deprivileged mode has the same privileged #GPs as
 * in patch mode but no #BP: the difference between the two traces is
 * exactly the scan and the patched sites (lab 08's "what changed").
 */
TEST_F(popek, patch_adds_only_scan_and_patched_sites)
{
	struct vm_result *r = &self->res;
	size_t depriv_guest = 0, patch_guest = 0;

	RUN_POPEK(TVMM_MODE_DEPRIVILEGED);
	for (size_t i = 0; i < r->nrecs; i++)
		depriv_guest += !exit_is_host_noise(&r->recs[i]);
	vm_result_free(r);
	memset(r, 0, sizeof(*r));
	RUN_POPEK(TVMM_MODE_PATCH);
	for (size_t i = 0; i < r->nrecs; i++)
		patch_guest += !exit_is_host_noise(&r->recs[i]);
	/*
	 * Every console byte is one #GP "out" in both modes, and the consoles
	 * differ in length: swap one for the other, add the scan and one
	 * exit per table site.
	 */
	EXPECT_EQ(depriv_guest - strlen(POPEK_TEXT_DEPRIV) + strlen(POPEK_TEXT_HW) +
		  1 + self->ninsn, patch_guest);
}

/* hw: ring 0, native answers: all OK; exits only for OUT, MOV to CR0, HLT. */
TEST_F(popek, hw_all_ok)
{
	struct vm_result *r = &self->res;

	RUN_POPEK(TVMM_MODE_HW);
	EXPECT_STREQ(POPEK_TEXT_HW, r->console);
	expect_no_exit_at_table(_metadata, r, self->insn, self->ninsn);
	EXPECT_EQ(strlen(POPEK_TEXT_HW), count_reason(r, EXIT_REASON_IO_INSTRUCTION));
	EXPECT_EQ(1, count_reason(r, EXIT_REASON_HLT));
	EXPECT_EQ(0, count_reason(r, EXIT_REASON_EXCEPTION_NMI));
	for (size_t i = 0; i < r->nrecs; i++) {
		const struct tvmm_exit_record *rec = &r->recs[i];

		if (exit_is_host_noise(rec))
			continue;
		EXPECT_EQ(0, rec->cpl) TH_LOG("seq %llu: cpl %u", rec->seq, rec->cpl);
		EXPECT_TRUE(rec->reason_code == EXIT_REASON_IO_INSTRUCTION ||
			    rec->reason_code == EXIT_REASON_CR_ACCESS ||
			    rec->reason_code == EXIT_REASON_HLT)
			TH_LOG("seq %llu: unexpected reason %u at rip 0x%llx", rec->seq,
			       rec->reason_code, rec->rip);
	}
}

/*
 * guests/sensitive.S: every sensitive-but-unprivileged instruction lab 08
 * classifies, in each of its forms, with the answer a ring-0 machine gives
 * (flags masked to IOPL | IF). The same console in --mode hw (the real
 * answers) and --mode patch (each site patched and emulated).
 */
#define SENS_EFLAGS_IF		0x200
#define SENS_EFLAGS_IOPL	0x3000
#define SENSITIVE_TEXT \
	"sensitive: mov cs 0008 ds 0010 mem a5a50008\n" \
	"sensitive: push cs 0008 esp-4\n" \
	"sensitive: pushf cli 0000 sti 0200 pushfw esp-2\n" \
	"sensitive: popf if0 0000 popfw esp+2\n" \
	"sensitive: popf iopl3 x\n" \
	"sensitive: sgdt ours sidt ours\n" \
	"sensitive: smsw same as cr0 mem a5a5\n" \
	"sensitive: sldt 0000 str 0018\n" \
	"sensitive: vmcall y\n" \
	"sensitive: user popf if0: kernel if 0200\n" \
	"sensitive: done\n"

/* Run sensitive.bin in @mode, traced, timer off, to its HLT. */
static int run_sensitive(unsigned int mode, struct vm_result *r)
{
	struct tvmm_config c = vm_config(mode, TVMM_CONFIG_TRACE, POPEK_MAX_EXITS);

	c.timer_ticks = TVMM_TIMER_OFF;
	return vm_run_guest(&c, "sensitive.bin", r, NULL);
}

/*
 * hw: the real answers. patch: the same, every one of them emulated
 * against the virtual CPU: MOV/PUSH from CS show RPL 0 and write the size
 * the instruction writes; MOV from DS is left alone; PUSHF shows the
 * virtual IF and IOPL 0 and PUSHFW pushes 2 bytes; POPF from the kernel
 * sets the virtual IF, POPFW pops 2 bytes, and POPF never sets IOPL (the
 * kernel's CLI, OUT and STI after a POPF of IOPL 3 still trap: no I/O
 * exit, the real IF 1 in every exit) nor, from ring 3, the virtual IF;
 * SGDT/SIDT show the guest's tables, SMSW its CR0 view (2 bytes to
 * memory), SLDT/STR its selectors; VMCALL is no SGDT.
 */
TEST_F(popek, patch_every_sensitive_form)
{
	struct vm_result *r = &self->res;
	int ret;

	ret = run_sensitive(TVMM_MODE_HW, r);
	ASSERT_EQ(0, ret) TH_LOG("hw: %s", strerror(-ret));
	EXPECT_EQ(TVMM_END_HLT, r->run.end) TH_LOG("hw: %s", r->run.message);
	EXPECT_STREQ(SENSITIVE_TEXT, r->console) TH_LOG("hw: the real answers");

	ret = run_sensitive(TVMM_MODE_PATCH, r);
	if (ret == -EOPNOTSUPP)
		SKIP(return, "tvmm.ko refuses mode patch");
	ASSERT_EQ(0, ret) TH_LOG("patch: %s", strerror(-ret));
	ASSERT_NE(TVMM_END_TODO, r->run.end) TH_LOG("a lab stub ran: %s", r->run.message);
	EXPECT_EQ(TVMM_END_HLT, r->run.end) TH_LOG("patch: %s: %s", end_name(r->run.end),
						   r->run.message);
	EXPECT_STREQ(SENSITIVE_TEXT, r->console) TH_LOG("patch: as in hw");
	EXPECT_EQ(0, count_reason(r, EXIT_REASON_IO_INSTRUCTION))
		TH_LOG("an OUT ran at ring 1 without trapping: IOPL was raised");
	for (size_t i = 0; i < r->nrecs; i++) {
		const struct tvmm_exit_record *rec = &r->recs[i];

		EXPECT_TRUE(rec->rflags & SENS_EFLAGS_IF)
			TH_LOG("seq %llu (%s): real RFLAGS 0x%llx has IF clear", rec->seq,
			       rec->mnemonic, rec->rflags);
		EXPECT_EQ(0, rec->rflags & SENS_EFLAGS_IOPL)
			TH_LOG("seq %llu (%s): real RFLAGS 0x%llx has IOPL set", rec->seq,
			       rec->mnemonic, rec->rflags);
	}
}

TEST_HARNESS_MAIN
