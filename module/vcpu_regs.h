/* SPDX-License-Identifier: GPL-2.0 */
/*
 * vcpu_regs.h - the guest registers the VMCS does not hold.
 *
 * Concept: on a VM exit the CPU saves into the VMCS only what the VMM could
 * not otherwise recover (RIP, RSP, RFLAGS, segments, control registers).
 * The general-purpose registers stay as the guest left them, and the VMM
 * must save them itself before using them (SDM vol. 3C, 28.1 "Architectural
 * State Before a VM Exit"; 28.5 "Loading Host State" lists what the CPU
 * does restore). entry.S saves them here; the offsets below are the
 * contract between entry.S and C, checked by static_assert in vcpu.c.
 *
 * Context: any.
 */
#ifndef _TVMM_VCPU_REGS_H
#define _TVMM_VCPU_REGS_H

/* Byte offsets into struct tvmm_guest_regs, for entry.S. */
#define GUEST_REGS_RAX	0
#define GUEST_REGS_RBX	8
#define GUEST_REGS_RCX	16
#define GUEST_REGS_RDX	24
#define GUEST_REGS_RSI	32
#define GUEST_REGS_RDI	40
#define GUEST_REGS_RBP	48
#define GUEST_REGS_R8	56
#define GUEST_REGS_R9	64
#define GUEST_REGS_R10	72
#define GUEST_REGS_R11	80
#define GUEST_REGS_R12	88
#define GUEST_REGS_R13	96
#define GUEST_REGS_R14	104
#define GUEST_REGS_R15	112

/* entry.S return values */
#define VMX_ENTER_EXITED	0	/* the guest ran and a VM exit came back */
#define VMX_ENTER_FAIL_VALID	1	/* VMLAUNCH/VMRESUME: VMfailValid */
#define VMX_ENTER_FAIL_INVALID	2	/* VMLAUNCH/VMRESUME: VMfailInvalid */

#ifndef __ASSEMBLY__
#include <linux/types.h>

struct tvmm_guest_regs {
	u64 rax;	/* 0 */
	u64 rbx;	/* 8 */
	u64 rcx;	/* 16 */
	u64 rdx;	/* 24 */
	u64 rsi;	/* 32 */
	u64 rdi;	/* 40 */
	u64 rbp;	/* 48 */
	u64 r8;		/* 56 */
	u64 r9;		/* 64 */
	u64 r10;	/* 72 */
	u64 r11;	/* 80 */
	u64 r12;	/* 88 */
	u64 r13;	/* 96 */
	u64 r14;	/* 104 */
	u64 r15;	/* 112 */
};

/* Guest state copied from the VMCS at each exit, for debugfs and GET_REGS. */
struct tvmm_guest_snapshot {
	u64 rip, rsp, rflags;
	u64 cr0, cr3, cr4;
	u16 cs, ds, ss, es, fs, gs;
	u32 cpl;
};

/*
 * tvmm_vmx_enter() - load the guest GPRs, VMLAUNCH (@launched == 0) or
 * VMRESUME, and on the VM exit save them back. Interrupts must be off.
 * @host_rsp: the HOST_RSP the current VMCS holds (0: unknown); written
 * only when the stack pointer differs, and then updated
 * Return: VMX_ENTER_EXITED, or VMX_ENTER_FAIL_* if the instruction failed.
 */
int tvmm_vmx_enter(struct tvmm_guest_regs *regs, int launched, unsigned long *host_rsp);
#endif

#endif /* _TVMM_VCPU_REGS_H */
