/* SPDX-License-Identifier: GPL-2.0 */
/*
 * entry.S - the world switch: from tvmm into the guest and back.
 *
 * Concept: the moment a VMM hands the CPU to a guest, and the moment the
 * hardware hands it back. VMLAUNCH/VMRESUME load the guest state from the
 * VMCS and start the guest; a VM exit loads the host state from the VMCS
 * and continues at HOST_RIP (tvmm_vmx_exit below) with RSP = HOST_RSP.
 * Everything the VMCS does not switch (the general-purpose registers) is
 * switched here by hand.
 *
 * SDM: vol. 3C, 27 "VM Entries"; 28.5 "Loading Host State"; vol. 2,
 *      VMLAUNCH/VMRESUME.
 * Context: called from vcpu.c with interrupts and preemption off and this
 *      VM's VMCS current on this CPU.
 */
#include <linux/linkage.h>
#include <asm/asm.h>
#include <asm/ibt.h>
#include <asm/nospec-branch.h>
#include <asm/segment.h>
#include <asm/unwind_hints.h>

#include "vcpu_regs.h"

#define VMCS_HOST_RSP_ENC	0x6c14	/* VMCS_HOST_RSP; checked in vcpu.c */

.text

/*
 * int tvmm_vmx_enter(struct tvmm_guest_regs *regs (%rdi), int launched (%esi),
 *		      unsigned long *host_rsp (%rdx))
 */
SYM_FUNC_START(tvmm_vmx_enter)
	/* Callee-saved registers: the guest will clobber them all. */
	push	%rbp
	mov	%rsp, %rbp
	push	%r15
	push	%r14
	push	%r13
	push	%r12
	push	%rbx
	/* Keep @regs where the exit path can find it: at 0(%rsp). */
	push	%rdi

	/*
	 * HOST_RSP = this stack pointer: after the exit the CPU loads it, so
	 * the exit path finds @regs and the saved registers right here. The
	 * run loop calls from the same depth each time: write it only when
	 * it differs from *@host_rsp, what the VMCS already holds (a VMWRITE
	 * per exit saved; KVM does the same).
	 */
	cmp	%rsp, (%rdx)
	je	.Lhost_rsp_ok
	mov	$VMCS_HOST_RSP_ENC, %eax
	vmwrite	%rsp, %rax
	jbe	.Lwrite_failed
	mov	%rsp, (%rdx)
.Lhost_rsp_ok:

	/* Set ZF from @launched before the guest registers are loaded. */
	test	%esi, %esi

	/* Load the guest's general registers; %rdi last (it holds @regs). */
	mov	GUEST_REGS_RAX(%rdi), %rax
	mov	GUEST_REGS_RBX(%rdi), %rbx
	mov	GUEST_REGS_RCX(%rdi), %rcx
	mov	GUEST_REGS_RDX(%rdi), %rdx
	mov	GUEST_REGS_RSI(%rdi), %rsi
	mov	GUEST_REGS_RBP(%rdi), %rbp
	mov	GUEST_REGS_R8(%rdi), %r8
	mov	GUEST_REGS_R9(%rdi), %r9
	mov	GUEST_REGS_R10(%rdi), %r10
	mov	GUEST_REGS_R11(%rdi), %r11
	mov	GUEST_REGS_R12(%rdi), %r12
	mov	GUEST_REGS_R13(%rdi), %r13
	mov	GUEST_REGS_R14(%rdi), %r14
	mov	GUEST_REGS_R15(%rdi), %r15
	mov	GUEST_REGS_RDI(%rdi), %rdi

	/*
	 * MOV does not touch the flags: ZF is still "not launched". Tell
	 * objtool the stack as it is now is what tvmm_vmx_exit finds.
	 */
	UNWIND_HINT_SAVE
	jz	.Llaunch
	vmresume
	jmp	.Lentry_failed
.Llaunch:
	vmlaunch
	/* Only reached if the instruction failed: no guest ran. */
.Lentry_failed:
	/* CF=1: VMfailInvalid, ZF=1: VMfailValid. Guest regs are untouched in memory. */
	mov	$VMX_ENTER_FAIL_INVALID, %eax
	jc	.Lout
	mov	$VMX_ENTER_FAIL_VALID, %eax
	jmp	.Lout

.Lwrite_failed:
	mov	$VMX_ENTER_FAIL_VALID, %eax
	jnc	.Lout
	mov	$VMX_ENTER_FAIL_INVALID, %eax
	jmp	.Lout

/*
 * HOST_RIP: the CPU lands here on every VM exit, with the host's CS, SS,
 * CR3, FS/GS bases ... restored from the VMCS, RSP = HOST_RSP, RFLAGS =
 * 0x2 (interrupts off) and the guest's values still in the GPRs.
 */
SYM_INNER_LABEL(tvmm_vmx_exit, SYM_L_GLOBAL)
	UNWIND_HINT_RESTORE
	ENDBR
	/* Free one register: save guest %rdi, fetch @regs from the stack. */
	push	%rdi
	mov	8(%rsp), %rdi
	mov	%rax, GUEST_REGS_RAX(%rdi)
	mov	%rbx, GUEST_REGS_RBX(%rdi)
	mov	%rcx, GUEST_REGS_RCX(%rdi)
	mov	%rdx, GUEST_REGS_RDX(%rdi)
	mov	%rsi, GUEST_REGS_RSI(%rdi)
	mov	%rbp, GUEST_REGS_RBP(%rdi)
	mov	%r8, GUEST_REGS_R8(%rdi)
	mov	%r9, GUEST_REGS_R9(%rdi)
	mov	%r10, GUEST_REGS_R10(%rdi)
	mov	%r11, GUEST_REGS_R11(%rdi)
	mov	%r12, GUEST_REGS_R12(%rdi)
	mov	%r13, GUEST_REGS_R13(%rdi)
	mov	%r14, GUEST_REGS_R14(%rdi)
	mov	%r15, GUEST_REGS_R15(%rdi)
	pop	%rax
	mov	%rax, GUEST_REGS_RDI(%rdi)
	mov	$VMX_ENTER_EXITED, %eax

.Lout:
	pop	%rdi
	pop	%rbx
	pop	%r12
	pop	%r13
	pop	%r14
	pop	%r15
	pop	%rbp
	RET
SYM_FUNC_END(tvmm_vmx_enter)

/*
 * void tvmm_call_nmi_entry(void (*entry)(void)): run Linux's NMI entry
 * (host_state.c passes the one the kernel exports for VMMs) as if the CPU
 * had just delivered an NMI here. The entry ends with IRET, so it needs
 * the frame the CPU pushes in 64-bit mode: SS, RSP, RFLAGS, CS, then the
 * return RIP (the CALL pushes it), on a 16-byte aligned stack (SDM vol.
 * 3A, 6.14.2 "64-Bit Mode Stack Frame"). Interrupts are off; the IRET
 * restores RFLAGS as pushed, so they stay off.
 */
SYM_FUNC_START(tvmm_call_nmi_entry)
	push	%rbp
	mov	%rsp, %rbp
	and	$-16, %rsp
	push	$__KERNEL_DS
	push	%rbp
	pushf
	push	$__KERNEL_CS
	CALL_NOSPEC rdi
	/* IRET came back with RSP = %rbp. */
	leave
	RET
SYM_FUNC_END(tvmm_call_nmi_entry)
