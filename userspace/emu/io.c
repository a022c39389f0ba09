// SPDX-License-Identifier: GPL-2.0
/*
 * io.c - the instructions a VMM must trap: port I/O and the console,
 * CPUID, RDTSC, MSRs, control and debug registers, HLT, hypercalls.
 *
 * Concept: in trap-and-emulate these are the interesting instructions,
 * each one a VM exit and a handler in tvmm.ko (io.c, cpuid.c, msr.c,
 * cr.c, hlt.c, hypercall.c). In an emulator they are cases like any
 * other: the guest's "device" is a function call. The answers are the
 * guest ABI's (docs/abi.md), so a guest sees the same machine under
 * `tvmm emulate` as under `tvmm run`; each one also writes the trace
 * record the VMM would have written (events.c), so the two traces line
 * up.
 *
 * SDM: vol. 2A, IN/OUT/INS/OUTS, CPUID, HLT; vol. 2B, RDTSC, RDMSR/WRMSR,
 *      MOV CR/DR; vol. 1, 19.5 (I/O permission bitmap); vol. 3A, 2.5
 *      (CR0/CR4 and their reserved bits); vol. 3C, 28.2.1 (exit
 *      qualifications, tables 28-3 and 28-5, reused for the trace).
 * Context: userspace.
 */
#include <string.h>

#include "emu.h"

/* The hypercall numbers of the guest ABI (docs/abi.md, guests/guest.inc). */
enum { HC_EXIT, HC_PUTC, HC_SET_IF, HC_GET_TIME, HC_GET_CR0 };

/* Privileged instructions: #GP(0) above ring 0 (SDM 5.9). */
void need_cpl0(struct emu_cpu *c)
{
	if (c->cpl)
		fault(c, VEC_GP, 0);
}

/*
 * IN/OUT at CPL > IOPL are allowed only for ports whose bits are clear
 * in the TSS's I/O permission bitmap (SDM vol. 1, 19.5.2).
 */
static void io_permitted(struct emu_cpu *c, unsigned int port, unsigned int size)
{
	__u32 base, bits;

	if (c->cpl <= (c->eflags & FL_IOPL) >> 12)
		return;
	if (c->tr.limit < 0x67)
		fault(c, VEC_GP, 0);
	base = lin_read(c, c->tr.base + 0x66, 2);
	if (base + port / 8 + 1 > c->tr.limit)
		fault(c, VEC_GP, 0);
	bits = lin_read(c, c->tr.base + base + port / 8, 2);
	if ((bits >> (port & 7)) & ((1U << size) - 1))
		fault(c, VEC_GP, 0);
}

/*
 * Port I/O: 0xE9 is the console (OUT prints AL, IN reads 0xE9); nothing
 * else is there (writes dropped, reads all ones); string I/O ends the run
 * as tvmm.ko ends it (115). The trace gets the I/O exit qualification:
 * size - 1, direction, string, immediate operand, port (table 28-5).
 */
void exec_io(struct emu_cpu *c, bool in, unsigned int port, unsigned int size, bool imm)
{
	bool string = !imm && (c->in->op & 0xfc) == 0x6c;
	__u32 mask = size == 4 ? ~0U : (1U << (8 * size)) - 1;
	__u64 qual = (size - 1) | (in ? 8 : 0) | (string ? 16 : 0) |
		     (c->d->rep ? 32 : 0) | (imm ? 64 : 0) | ((__u64)port << 16);

	io_permitted(c, port, size);
	if (string) {
		event(c, EXIT_REASON_IO_INSTRUCTION, qual, TVMM_ACTION_FATAL, in ? "ins" : "outs");
		emu_end(c, TVMM_END_BAD_IO, port, "string I/O (%s) on port 0x%x is not emulated",
			in ? "ins" : "outs", port);
		return;
	}
	if (port != TVMM_CONSOLE_PORT) {
		event(c, EXIT_REASON_IO_INSTRUCTION, qual, TVMM_ACTION_IGNORED, in ? "in" : "out");
		if (in)
			c->gpr[EAX] |= mask;	/* nothing drives the bus */
		return;
	}
	event(c, EXIT_REASON_IO_INSTRUCTION, qual, TVMM_ACTION_EMULATED, in ? "in" : "out");
	if (in)
		c->gpr[EAX] = (c->gpr[EAX] & ~mask) | (TVMM_CONSOLE_PORT & mask);
	else
		c->host->console(c->host, c->gpr[EAX] & 0xff);
}

/*
 * CPUID: a small CPU of its own, not the host's: the vendor "tvmmEmulate"
 * padded to 12 bytes, family 6, and in leaf 1 only what this emulator
 * does (TSC, MSR, CMOV, CX8) plus "hypervisor present"; tvmm's leaf
 * 0x40000000 answers "TVMMtvmmTVMM" as under tvmm.ko. No VMX, of course.
 */
void exec_cpuid(struct emu_cpu *c)
{
	__u32 leaf = c->gpr[EAX], r[4] = { 0, 0, 0, 0 };

	switch (leaf) {
	case 0:
		r[0] = 1;
		memcpy(&r[1], "tvmm", 4);	/* EBX, EDX, ECX spell the vendor */
		memcpy(&r[3], "Emul", 4);
		memcpy(&r[2], "ated", 4);
		break;
	case 1:
		r[0] = 0x00000600;		/* family 6, model 0, stepping 0 */
		r[2] = 1U << 31;		/* ECX: hypervisor present */
		r[3] = (1 << 4) | (1 << 5) | (1 << 8) | (1 << 15);	/* TSC MSR CX8 CMOV */
		break;
	case 0x40000000:
		r[0] = leaf;
		memcpy(&r[1], "TVMM", 4);
		memcpy(&r[2], "tvmm", 4);
		memcpy(&r[3], "TVMM", 4);
		break;
	default:
		break;			/* beyond the maximum leaf: zeros */
	}
	c->gpr[EAX] = r[0];
	c->gpr[EBX] = r[1];
	c->gpr[ECX] = r[2];
	c->gpr[EDX] = r[3];
	event(c, EXIT_REASON_CPUID, 0, TVMM_ACTION_EMULATED, "cpuid");
}

/* RDTSC: the instruction count (cpu.c). CR4.TSD makes it ring 0 only. */
void exec_rdtsc(struct emu_cpu *c)
{
	if ((c->cr4 & 0x4) && c->cpl)
		fault(c, VEC_GP, 0);
	c->gpr[EAX] = (__u32)c->tsc;
	c->gpr[EDX] = c->tsc >> 32;
}

/* RDMSR/WRMSR: the TSC, EFER (SCE/NXE not offered: reads 0), SYSENTER. */
void exec_msr(struct emu_cpu *c, bool write)
{
	__u32 msr = c->gpr[ECX];
	__u64 v = (__u64)c->gpr[EDX] << 32 | c->gpr[EAX];
	static __u64 sysenter[3];

	need_cpl0(c);
	switch (msr) {
	case 0x10:		/* IA32_TSC */
		if (write)
			c->tsc = v;
		else
			v = c->tsc;
		break;
	case 0x174 ... 0x176:	/* IA32_SYSENTER_CS/ESP/EIP */
		if (write)
			sysenter[msr - 0x174] = v;
		else
			v = sysenter[msr - 0x174];
		break;
	case 0xc0000080:	/* IA32_EFER: nothing this CPU supports */
		if (write && v)
			fault(c, VEC_GP, 0);
		v = 0;
		break;
	default:
		fault(c, VEC_GP, 0);
	}
	if (!write) {
		c->gpr[EAX] = (__u32)v;
		c->gpr[EDX] = v >> 32;
	}
	event(c, write ? EXIT_REASON_MSR_WRITE : EXIT_REASON_MSR_READ, 0,
	      TVMM_ACTION_EMULATED, write ? "wrmsr" : "rdmsr");
}

/*
 * CR0 as a CPU takes it (SDM 2.5, and the guest ABI's module/cr.c): NW
 * without CD or PG without PE is #GP; reserved bits are ignored and ET
 * reads 1.
 */
void write_cr0(struct emu_cpu *c, __u32 v)
{
	const __u32 known = 0xe005003f;	/* PE MP EM TS ET NE WP AM NW CD PG */

	if ((v & CR0_NW && !(v & CR0_CD)) || (v & CR0_PG && !(v & CR0_PE)))
		fault(c, VEC_GP, 0);
	if (!(v & CR0_PE)) {
		c->eip = c->insn_eip;
		emu_end(c, EMU_END_UNKNOWN_INSN, c->insn_eip,
			"the guest left protected mode (CR0.PE = 0): outside the emulated subset");
		longjmp(c->fault, 1);
	}
	c->cr0 = (v & known) | CR0_ET;
}

/* MOV to/from CR0, CR2, CR3, CR4 (0f 20 / 0f 22; always a register operand). */
void exec_mov_cr(struct emu_cpu *c, bool to_cr)
{
	unsigned int cr = MODRM_REG(c->in->modrm), r = MODRM_RM(c->in->modrm);
	__u32 *crs[5] = { &c->cr0, NULL, &c->cr2, &c->cr3, &c->cr4 };
	/* CR4: VME PVI TSD DE PSE MCE PGE PCE OSFXSR OSXMMEXCPT (no PAE paging) */
	const __u32 cr4_ok = 0x7df;

	if (cr > 4 || !crs[cr])
		fault(c, VEC_UD, 0);
	need_cpl0(c);
	if (!to_cr) {
		c->gpr[r] = *crs[cr];
		return;
	}
	if (cr == 0)
		write_cr0(c, c->gpr[r]);
	else if (cr == 4 && (c->gpr[r] & ~cr4_ok))
		fault(c, VEC_GP, 0);
	else
		*crs[cr] = c->gpr[r];
	if (cr == 0 || cr == 4)	/* what tvmm.ko's CR masks make exit */
		event(c, EXIT_REASON_CR_ACCESS, cr | (__u64)r << 8, TVMM_ACTION_EMULATED, "mov cr");
}

/* MOV to/from DR0-DR7: plain registers here (no breakpoints in the subset). */
void exec_mov_dr(struct emu_cpu *c, bool to_dr)
{
	unsigned int dr = MODRM_REG(c->in->modrm), r = MODRM_RM(c->in->modrm);

	need_cpl0(c);
	if (dr == 4 || dr == 5) {
		if (c->cr4 & 0x8)
			fault(c, VEC_UD, 0);
		dr += 2;
	}
	if (!to_dr) {
		c->gpr[r] = c->dr[dr];
	} else if (dr == 7 && (c->gpr[r] & 0xff)) {
		c->eip = c->insn_eip;
		emu_end(c, EMU_END_UNKNOWN_INSN, c->insn_eip,
			"the guest enabled a hardware breakpoint (DR7): outside the emulated subset");
		longjmp(c->fault, 1);
	} else {
		c->dr[dr] = dr == 6 ? c->gpr[r] | 0xffff0ff0 : dr == 7 ? c->gpr[r] | 0x400 :
			    c->gpr[r];
	}
	event(c, EXIT_REASON_DR_ACCESS, dr | (to_dr ? 0 : 16) | (__u64)r << 8,
	      TVMM_ACTION_EMULATED, "mov dr");
}

/*
 * HLT: the end of a guest with IF 0 (status 0, as `tvmm run`). With IF 1
 * it waits for the next interrupt: an emulator does not need to wait,
 * it moves its clock to the timer's deadline and the tick is taken before
 * the next instruction. With IF 1 and no timer nothing can ever come:
 * the end as well (end_info 1, as tvmm.ko says it).
 */
void exec_hlt(struct emu_cpu *c)
{
	need_cpl0(c);
	event(c, EXIT_REASON_HLT, 0, TVMM_ACTION_EMULATED, "hlt");
	if (!(c->eflags & FL_IF)) {
		emu_end(c, TVMM_END_HLT, 0, "guest halted");
		return;
	}
	if (c->irq_pending)
		return;
	if (!c->timer_on) {
		emu_end(c, TVMM_END_HLT, 1,
			"guest halted with interrupts enabled and no virtual timer");
		return;
	}
	if ((__s64)(c->timer_deadline - c->tsc) > 0)
		c->tsc = c->timer_deadline - 1;	/* +1 for the HLT itself */
}

/* VMCALL: the guest ABI's hypercalls (docs/abi.md), ring 0 only. */
void exec_vmcall(struct emu_cpu *c)
{
	event(c, EXIT_REASON_VMCALL, 0, TVMM_ACTION_EMULATED, "vmcall");
	if (c->cpl) {
		c->gpr[EAX] = 0xffffffff;	/* -EPERM, nothing else */
		return;
	}
	switch (c->gpr[EAX]) {
	case HC_EXIT:
		c->guest_status = c->gpr[EBX];
		emu_end(c, TVMM_END_HYPERCALL, c->gpr[EBX],
			"guest exited with status %u (hypercall)", c->gpr[EBX]);
		break;
	case HC_PUTC:
		c->host->console(c->host, c->gpr[EBX] & 0xff);
		break;
	case HC_SET_IF:
		c->eflags = (c->eflags & ~FL_IF) | (c->gpr[EBX] & 1 ? FL_IF : 0);
		break;
	case HC_GET_TIME:
		c->gpr[EAX] = (__u32)c->tsc;
		c->gpr[EDX] = c->tsc >> 32;
		break;
	case HC_GET_CR0:
		c->gpr[EAX] = c->cr0;
		break;
	default:
		c->gpr[EAX] = 0xffffffff;
		break;
	}
}
