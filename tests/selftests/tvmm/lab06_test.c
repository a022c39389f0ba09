// SPDX-License-Identifier: GPL-2.0
/*
 * lab06_test - de-privileging: a ring-0 kernel runs unchanged at ring 1.
 *
 * Grades lab 06 (module/deprivilege.c TODO(lab06.1) the shadow GDT behind
 * LGDT, TODO(lab06.2) the shadow IDT behind LIDT; module/emulate.c
 * TODO(lab06.3) IN/OUT at ring 1 handed to exit_io()).
 *
 * Rule under test (the notes' "de-privileging" and "trap-and-emulate";
 * docs/concepts.md; SDM vol. 3A 5.9 "Privileged
 * instructions", vol. 2 LGDT/LIDT/LTR/MOV CR/IN/OUT/HLT): at CPL 1 with
 * IOPL 0 every privileged instruction faults with #GP; exception-bitmap
 * bit 13 turns the #GP into a VM exit (reason 0, vector 13); tvmm decodes
 * the instruction at CS.base + RIP, performs its effect on the virtual
 * machine (shadow tables, CR0 shadow, the console) and resumes after it.
 * The guest kernel never sees the difference, except where an instruction
 * is sensitive but not privileged: MOV from CS shows RPL 1, the notes'
 * "virtual kernel mode".
 *
 * guests/privileged.S loads a GDT (DPL-0 code and data), far-jumps and
 * reloads its segments, loads an IDT and a TSS, sets and clears CR0.TS,
 * reads port 0xE9, prints "privileged: ok cpl=N" and halts. It uses no
 * CLI, STI or INT and runs with the timer off, so lab 06 is graded with
 * labs 07-10 still stubs (it needs lab 05's exit_io() for the console).
 *
 * guests/shadow.S then looks at what tvmm built for it: SGDT and SIDT do
 * not trap at ring 1, so it reads the shadow GDT and IDT and prints their
 * access bytes and limits next to its own tables'; it loads a GDT too big
 * for the shadow (refused: a #GP), a second IDT (debugfs then shows its
 * system-call gates only), and runs IN/OUT in every form. No CLI, STI or
 * INT either.
 *
 * Needs: a VT-x CPU with EPT, unrestricted guest and the preemption timer
 * (the Bochs lab VM).
 */
#include "vm_util.h"
#include "../kselftest_harness.h"

#define PRIV_GUEST		"privileged.bin"
#define PRIV_TEXT_RING1		"privileged: ok cpl=1\n"
#define PRIV_TEXT_RING0		"privileged: ok cpl=0\n"
#define PRIV_KCODE_SEL		0x08	/* privileged.S's code selector */
#define SHADOW_GUEST		"shadow.bin"
/*
 * shadow.S's console in --mode deprivileged after its first line (which
 * gives its tables' addresses): the access bytes of the shadow GDT
 * (descriptors 0-7: null, code and data DPL 0 -> DPL 1, TSS and LDT kept,
 * DPL-3 code and data kept, the last one a DPL-0 data) and IDT (gates 0-6
 * and 13: 32-bit interrupt gates -> trap gates, DPL 3 -> DPL 0, the task
 * gate, the 16-bit gate and the DPL-1 gate's DPL kept), the limits as the
 * guest loaded them, the guest's own tables unchanged, the too-big GDT
 * and IDT refused with #GP(0), and what IN read in each form.
 */
#define SHADOW_TEXT_DEPRIV							\
	"gdt: limit 003f shadow 00 bb b3 89 fb f3 82 b3 own 00 9b 93 89 fb f3 82 93\n" \
	"idt: limit 040f shadow 8f 8f 85 86 8f 8f af 8f own 8e 8f 85 86 ee ef ae 8e\n" \
	"big gdt: refused with #GP 0000\n"					\
	"big idt: refused with #GP 0000\n"					\
	"io: in16 1234ffff in32 ffffffff in8imm 123456ff in8dx1e9 123456ff\n"	\
	"shadow: done\n"
#define SHADOW_GDT_LIMIT	0x3f
#define SHADOW_IDT_LIMIT	0x40f
#define NO_DEVICE_PORT		0x80
#define PRIV_MAX_EXITS		10000	/* a broken emulator fails, not hangs */
#define X86_EXC_GP		13
#define INTR_INFO_VECTOR(i)	((i) & 0xff)
#define SEL_RPL_MASK		3
#define CPL_VIRTUAL_KERNEL	1

/*
 * The privileged instructions of privileged.S in program order, with
 * tvmm's mnemonic for each, how many times the guest runs it, and its
 * first opcode bytes (checked when the record carries them).
 */
static const struct {
	const char *mnemonic;
	unsigned int count;
	unsigned char op[2];
	unsigned int op_len;
} priv_insns[] = {
	{ "lgdt", 1, { 0x0f, 0x01 }, 2 },
	{ "mov ss", 1, { 0x8e }, 1 },
	{ "lidt", 1, { 0x0f, 0x01 }, 2 },
	{ "ltr", 1, { 0x0f, 0x00 }, 2 },
	{ "mov from cr", 3, { 0x0f, 0x20 }, 2 },
	{ "mov cr0", 2, { 0x0f, 0x22 }, 2 },
	{ "in", 1, { 0xe4, TVMM_CONSOLE_PORT }, 2 },
	{ "out", sizeof(PRIV_TEXT_RING1) - 1, { 0xee }, 1 },
	{ "hlt", 1, { 0xf4 }, 1 },
};
#define NR_PRIV_INSNS	(sizeof(priv_insns) / sizeof(priv_insns[0]))

FIXTURE(depriv) {
	struct vm_result res;
	int fd;
};

FIXTURE_SETUP(depriv)
{
	memset(&self->res, 0, sizeof(self->res));
	self->fd = -1;
	REQUIRE_VMX_AND_TVMM();
	REQUIRE_GUEST(PRIV_GUEST);
	REQUIRE_GUEST(SHADOW_GUEST);
}

FIXTURE_TEARDOWN(depriv)
{
	vm_result_free(&self->res);
	if (self->fd >= 0)
		close(self->fd);
}

/* Run privileged.bin in @mode, traced, timer off; it must end with HLT. */
#define RUN_PRIVILEGED(mode)							\
	do {									\
		struct tvmm_config __c = vm_config(mode, TVMM_CONFIG_TRACE,	\
						   PRIV_MAX_EXITS);		\
		int __ret;							\
		__c.timer_ticks = TVMM_TIMER_OFF;				\
		__ret = vm_run_guest(&__c, PRIV_GUEST, &self->res, &self->fd);	\
		ASSERT_EQ(0, __ret) TH_LOG("running %s in mode %d: %s%s", PRIV_GUEST, \
			mode, strerror(-__ret), __ret == -ENOPKG ?		\
			" (a lab stub: dmesg names the TODO)" : "");		\
		TH_LOG("ended with %s (end_info 0x%llx): %s",			\
		       end_name(self->res.run.end), self->res.run.end_info,	\
		       self->res.run.message);					\
		ASSERT_NE(TVMM_END_TODO, self->res.run.end)			\
			TH_LOG("a lab stub ran: %s", self->res.run.message);	\
		EXPECT_EQ(TVMM_END_HLT, self->res.run.end);			\
		ASSERT_LT(0, self->res.nrecs) TH_LOG("no exit records");	\
	} while (0)

/*
 * Deprivileged: the kernel's console is right, and every privileged
 * instruction it executed (LGDT, MOV SS, LIDT, LTR, MOV from/to CR0, IN,
 * OUT, HLT) is one #GP exit at ring 1 that tvmm emulated, in program
 * order, as many times as the guest ran it.
 */
TEST_F(depriv, privileged_insns_trap_and_are_emulated)
{
	struct vm_result *r = &self->res;
	ssize_t prev = -1;

	RUN_PRIVILEGED(TVMM_MODE_DEPRIVILEGED);
	EXPECT_STREQ(PRIV_TEXT_RING1, r->console);
	for (size_t k = 0; k < NR_PRIV_INSNS; k++) {
		const char *m = priv_insns[k].mnemonic;
		ssize_t first = find_mnemonic(r, 0, m);

		EXPECT_EQ(priv_insns[k].count, count_mnemonic(r, m))
			TH_LOG("\"%s\" records: the guest runs it %u times", m,
			       priv_insns[k].count);
		EXPECT_LE(0, first) TH_LOG("no \"%s\" record: it did not trap or was not emulated",
					   m);
		if (first < 0)
			continue;
		EXPECT_LT(prev, first) TH_LOG("\"%s\" (seq %llu) out of program order", m,
					      r->recs[first].seq);
		prev = first;
		for (size_t i = first; i < r->nrecs; i++) {
			const struct tvmm_exit_record *rec = &r->recs[i];

			if (!rec_is(rec, m))
				continue;
			EXPECT_EQ(EXIT_REASON_EXCEPTION_NMI, rec->reason_code)
				TH_LOG("%s (seq %llu): reason %u, not a #GP exit", m, rec->seq,
				       rec->reason_code);
			EXPECT_EQ(X86_EXC_GP, INTR_INFO_VECTOR(rec->intr_info))
				TH_LOG("%s: intr_info 0x%x", m, rec->intr_info);
			EXPECT_EQ(TVMM_ACTION_EMULATED, rec->action)
				TH_LOG("%s (seq %llu): action %u", m, rec->seq, rec->action);
			EXPECT_EQ(CPL_VIRTUAL_KERNEL, rec->cpl) TH_LOG("%s", m);
			if (rec->insn_len >= priv_insns[k].op_len) {
				EXPECT_EQ(0, memcmp(rec->insn, priv_insns[k].op,
						    priv_insns[k].op_len))
					TH_LOG("%s: instruction bytes %02x %02x", m, rec->insn[0],
					       rec->insn[1]);
			}
		}
	}
	/* The last record is the HLT that ended it. */
	EXPECT_TRUE(rec_is(&r->recs[r->nrecs - 1], "hlt"))
		TH_LOG("last record: \"%s\"", r->recs[r->nrecs - 1].mnemonic);
}

/*
 * Deprivileged: nothing ran at ring 0 and nothing else happened: every
 * exit the guest caused is an emulated #GP at ring 1 (no VT-x I/O or
 * CR-access exits, no reflected or injected events: no timer, no INT).
 */
TEST_F(depriv, only_gp_exits_at_ring1)
{
	struct vm_result *r = &self->res;

	RUN_PRIVILEGED(TVMM_MODE_DEPRIVILEGED);
	for (size_t i = 0; i < r->nrecs; i++) {
		const struct tvmm_exit_record *rec = &r->recs[i];

		EXPECT_NE(0, rec->cpl) TH_LOG("seq %llu (%s): the guest ran at ring 0",
					      rec->seq, rec->mnemonic);
		if (exit_is_host_noise(rec))
			continue;
		EXPECT_EQ(EXIT_REASON_EXCEPTION_NMI, rec->reason_code)
			TH_LOG("seq %llu (%s): reason %u", rec->seq, rec->mnemonic,
			       rec->reason_code);
		EXPECT_EQ(TVMM_ACTION_EMULATED, rec->action)
			TH_LOG("seq %llu (%s): action %u", rec->seq, rec->mnemonic, rec->action);
		EXPECT_NE('\0', rec->mnemonic[0]) TH_LOG("seq %llu: no mnemonic", rec->seq);
	}
	EXPECT_EQ(0, count_reason(r, EXIT_REASON_IO_INSTRUCTION));
	EXPECT_EQ(0, count_reason(r, EXIT_REASON_CR_ACCESS));
}

/*
 * The kernel believes it is at ring 0, but MOV from CS (not privileged:
 * no trap) tells the truth: RPL 1. After its far jump CS is its own code
 * selector with RPL 1, SS was loaded with RPL 1 too.
 */
TEST_F(depriv, guest_sees_cpl1)
{
	struct vm_result *r = &self->res;
	struct tvmm_regs regs;
	ssize_t in;

	RUN_PRIVILEGED(TVMM_MODE_DEPRIVILEGED);
	EXPECT_STREQ(PRIV_TEXT_RING1, r->console);
	/* The IN comes after the far jump: the guest's own selector, RPL 1. */
	in = find_mnemonic(r, 0, "in");
	ASSERT_LE(0, in) TH_LOG("no \"in\" record");
	EXPECT_EQ(PRIV_KCODE_SEL | CPL_VIRTUAL_KERNEL, r->recs[in].cs)
		TH_LOG("cs 0x%x at the IN: the guest's GDT selector 0x%x with RPL 1",
		       r->recs[in].cs, PRIV_KCODE_SEL);
	ASSERT_EQ(0, ioctl(self->fd, TVMM_GET_REGS, &regs)) TH_LOG("%s", strerror(errno));
	EXPECT_EQ(CPL_VIRTUAL_KERNEL, regs.cpl);
	EXPECT_EQ(CPL_VIRTUAL_KERNEL, regs.cs & SEL_RPL_MASK) TH_LOG("cs 0x%x", regs.cs);
	EXPECT_EQ(CPL_VIRTUAL_KERNEL, regs.ss & SEL_RPL_MASK) TH_LOG("ss 0x%x", regs.ss);
}

/*
 * IN and OUT at ring 1 reach the same handler as VT-x I/O exits: the
 * record carries the I/O exit qualification tvmm built from the decoded
 * instruction (port 0xE9, direction), and the IN read 0xE9 (the guest
 * checks it, or prints FAIL).
 */
TEST_F(depriv, io_decoded_like_vtx)
{
	struct vm_result *r = &self->res;
	unsigned int outs = 0, ins = 0;

	RUN_PRIVILEGED(TVMM_MODE_DEPRIVILEGED);
	EXPECT_STREQ(PRIV_TEXT_RING1, r->console);
	for (size_t i = 0; i < r->nrecs; i++) {
		const struct tvmm_exit_record *rec = &r->recs[i];
		bool in = rec_is(rec, "in");

		if (!in && !rec_is(rec, "out"))
			continue;
		ins += in;
		outs += !in;
		EXPECT_EQ(TVMM_CONSOLE_PORT, io_qual_port(rec->qual))
			TH_LOG("seq %llu (%s): qualification 0x%llx, port 0x%x", rec->seq,
			       rec->mnemonic, rec->qual, io_qual_port(rec->qual));
		EXPECT_EQ(in, !!(rec->qual & IO_QUAL_IN))
			TH_LOG("seq %llu (%s): qualification 0x%llx, wrong direction", rec->seq,
			       rec->mnemonic, rec->qual);
		EXPECT_EQ(0, rec->qual & 7) TH_LOG("seq %llu: size %llu, the guest uses bytes",
						   rec->seq, (rec->qual & 7) + 1);
	}
	EXPECT_EQ(1, ins);
	EXPECT_EQ(strlen(PRIV_TEXT_RING1), outs);
}

/*
 * The same kernel in hw mode runs at ring 0: no #GP exits at all, the
 * guest's LGDT/LIDT/LTR do not exit, only I/O, MOV to CR0 (TS is tvmm's)
 * and HLT do; it prints cpl=0.
 */
TEST_F(depriv, hw_runs_it_at_ring0)
{
	struct vm_result *r = &self->res;

	RUN_PRIVILEGED(TVMM_MODE_HW);
	EXPECT_STREQ(PRIV_TEXT_RING0, r->console);
	EXPECT_EQ(0, count_reason(r, EXIT_REASON_EXCEPTION_NMI));
	EXPECT_EQ(strlen(PRIV_TEXT_RING0) + 1, count_reason(r, EXIT_REASON_IO_INSTRUCTION))
		TH_LOG("one OUT per byte and the IN");
	EXPECT_EQ(2, count_reason(r, EXIT_REASON_CR_ACCESS)) TH_LOG("MOV to CR0, twice");
	EXPECT_EQ(1, count_reason(r, EXIT_REASON_HLT));
	EXPECT_EQ(0, count_mnemonic(r, "lgdt"));
	EXPECT_EQ(0, count_mnemonic(r, "lidt"));
	EXPECT_EQ(0, count_mnemonic(r, "ltr"));
	for (size_t i = 0; i < r->nrecs; i++) {
		if (exit_is_host_noise(&r->recs[i]))
			continue;
		EXPECT_EQ(0, r->recs[i].cpl) TH_LOG("seq %llu (%s) at cpl %u", r->recs[i].seq,
						    r->recs[i].mnemonic, r->recs[i].cpl);
	}
}

/*
 * shadow.bin (deprivileged, default timer): its own GDT and IDT, then the
 * shadow ones as SGDT/SIDT show them at ring 1 (they do not trap): every
 * code/data descriptor of DPL 0 has DPL 1 and nothing else changed (system
 * descriptors, DPL-3 segments, the last descriptor included); interrupt
 * gates are trap gates, DPL-3 gates DPL 0, and nothing else changed; the
 * GDTR and IDTR limits are the guest's; the guest's own tables are as it
 * wrote them; a GDT or an IDT one byte bigger than the shadow is refused
 * with a #GP to the guest. debugfs shows what tvmm remembered: the guest's GDT and
 * IDT (base and limit), the system-call gates of its last IDT (0x80; the
 * first IDT's 4 and 5 are gone), and the virtual timer started by LIDT.
 */
TEST_F(depriv, shadow_tables_as_the_guest_sees_them)
{
	struct tvmm_config c = vm_config(TVMM_MODE_DEPRIVILEGED, TVMM_CONFIG_TRACE,
					 PRIV_MAX_EXITS);
	struct vm_result *r = &self->res;
	unsigned int gdt = 0, idt = 0;
	char want[128], got[128];
	const char *rest;
	int ret, vm_id;

	ret = vm_run_guest(&c, SHADOW_GUEST, r, &self->fd);
	ASSERT_EQ(0, ret) TH_LOG("running %s: %s", SHADOW_GUEST, strerror(-ret));
	ASSERT_NE(TVMM_END_TODO, r->run.end) TH_LOG("a lab stub ran: %s", r->run.message);
	EXPECT_EQ(TVMM_END_HLT, r->run.end) TH_LOG("ended with %s: %s", end_name(r->run.end),
						   r->run.message);
	ASSERT_EQ(2, sscanf(r->console, "tables: gdt %x idt %x\n", &gdt, &idt))
		TH_LOG("console: %s", r->console);
	rest = strchr(r->console, '\n');
	ASSERT_NE(NULL, rest);
	EXPECT_STREQ(SHADOW_TEXT_DEPRIV, rest + 1);

	vm_id = ioctl(self->fd, TVMM_GET_VM_ID);
	ASSERT_LE(0, vm_id) TH_LOG("TVMM_GET_VM_ID: %s", strerror(errno));
	ASSERT_EQ(0, vm_state_field(vm_id, "guest gdt", got, sizeof(got)))
		TH_LOG("no \"guest gdt\" line in debugfs tvmm/vm%d/state", vm_id);
	snprintf(want, sizeof(want), "base 0x%x limit 0x%x", gdt, SHADOW_GDT_LIMIT);
	EXPECT_STREQ(want, got) TH_LOG("the GDT the guest loaded last");
	ASSERT_EQ(0, vm_state_field(vm_id, "guest idt", got, sizeof(got)));
	snprintf(want, sizeof(want), "base 0x%x limit 0x%x", idt, SHADOW_IDT_LIMIT);
	EXPECT_STREQ(want, got) TH_LOG("the IDT the guest loaded last");
	ASSERT_EQ(0, vm_state_field(vm_id, "user gates", got, sizeof(got)));
	EXPECT_STREQ("128", got)
		TH_LOG("system-call gates: only vector 0x80 is DPL 3 in the guest's last IDT");
	ASSERT_EQ(0, vm_state_field(vm_id, "timer", got, sizeof(got)));
	EXPECT_STREQ("on", got) TH_LOG("LIDT starts the virtual timer");
}

/*
 * shadow.bin's IN/OUT to port 0x80 (no device) at ring 1: each one is a
 * #GP tvmm decoded into the I/O qualification VT-x would give: the port
 * from the imm8 or from all of DX (0x1e9, not DL's 0xe9), the size from
 * the opcode and the 0x66 prefix, the direction; and the guest resumed
 * after the whole instruction (the values IN read, on the console, show
 * it: only the low `size` bytes of EAX became ones).
 */
TEST_F(depriv, io_forms_decoded_at_ring1)
{
	static const struct { bool in; unsigned int size, port; } want[] = {
		{ true, 2, NO_DEVICE_PORT }, { true, 4, NO_DEVICE_PORT },
		{ true, 1, NO_DEVICE_PORT }, { true, 1, 0x1e9 },
		{ false, 1, NO_DEVICE_PORT }, { false, 2, NO_DEVICE_PORT },
	};
	struct tvmm_config c = vm_config(TVMM_MODE_DEPRIVILEGED, TVMM_CONFIG_TRACE,
					 PRIV_MAX_EXITS);
	struct vm_result *r = &self->res;
	size_t k = 0;
	int ret;

	c.timer_ticks = TVMM_TIMER_OFF;
	ret = vm_run_guest(&c, SHADOW_GUEST, r, &self->fd);
	ASSERT_EQ(0, ret) TH_LOG("running %s: %s", SHADOW_GUEST, strerror(-ret));
	ASSERT_NE(TVMM_END_TODO, r->run.end) TH_LOG("a lab stub ran: %s", r->run.message);
	EXPECT_NE(NULL, strstr(r->console,
			       "io: in16 1234ffff in32 ffffffff in8imm 123456ff in8dx1e9 123456ff\n"))
		TH_LOG("console: %s", r->console);
	EXPECT_EQ(NULL, strchr(r->console, 'X')) TH_LOG("OUT to imm8 port 0x80 printed");
	for (size_t i = 0; i < r->nrecs; i++) {
		const struct tvmm_exit_record *rec = &r->recs[i];
		bool in = rec_is(rec, "in");

		if ((!in && !rec_is(rec, "out")) || io_qual_port(rec->qual) == TVMM_CONSOLE_PORT)
			continue;
		ASSERT_GT(sizeof(want) / sizeof(want[0]), k)
			TH_LOG("seq %llu: more I/O to other ports than the guest made", rec->seq);
		EXPECT_EQ(EXIT_REASON_EXCEPTION_NMI, rec->reason_code)
			TH_LOG("seq %llu: reason %u, not a #GP", rec->seq, rec->reason_code);
		EXPECT_EQ(want[k].in, in) TH_LOG("I/O #%zu (seq %llu): %s", k, rec->seq,
						 rec->mnemonic);
		EXPECT_EQ(want[k].in, !!(rec->qual & IO_QUAL_IN))
			TH_LOG("I/O #%zu: qualification 0x%llx, direction", k, rec->qual);
		EXPECT_EQ(want[k].size - 1, rec->qual & 7)
			TH_LOG("I/O #%zu: qualification 0x%llx, want size %u", k, rec->qual,
			       want[k].size);
		EXPECT_EQ(want[k].port, io_qual_port(rec->qual))
			TH_LOG("I/O #%zu: qualification 0x%llx, want port 0x%x", k, rec->qual,
			       want[k].port);
		EXPECT_EQ(TVMM_ACTION_IGNORED, rec->action)
			TH_LOG("I/O #%zu: action %u: no device on port 0x%x", k, rec->action,
			       want[k].port);
		k++;
	}
	EXPECT_EQ(sizeof(want) / sizeof(want[0]), k) TH_LOG("I/O records to other ports");
}

TEST_HARNESS_MAIN
