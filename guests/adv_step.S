/*
 * adv_step.S - single-stepping over instructions the VMM emulates.
 *
 * Concept: with RFLAGS.TF set the CPU raises a #DB trap after every
 * instruction (a debugger's "step"). An instruction that exits to the VMM
 * and is emulated there (CPUID in every mode; OUT, which tvmm emulates in
 * every mode; PUSHF/POPF in patch mode) never completes on the CPU, so
 * the CPU raises no #DB for it: the VMM must, or the guest's debugger
 * silently steps over it. SDM vol. 3A, 18.3.1.4 "Single-Step Exception
 * Condition"; vol. 3C, 25.4.2 (pending debug exceptions, BS).
 *
 * The guest counts its #DB traps over seven stepped instructions and
 * notes the two that follow CPUID and OUT.
 * Exit status: (steps seen) | 0x10 (a #DB right after CPUID) | 0x20 (a
 * #DB right after OUT): 0x37 when every step is there. Before tvmm raised
 * them itself: 0x16 in deprivileged mode (no step after the OUT, a #GP
 * fault that tvmm emulated), 0x14 in patch mode (nor after PUSHF/POPF).
 * hw mode gave 0x37 already in the Bochs lab VM, whose CPUID and OUT
 * exits leave the step pending in the VMCS; tvmm does not count on that.
 */
	.include "guest.inc"
	.include "adversarial.inc"

	.equ EFLAGS_TF, 0x100		/* trap flag: single-step */
	.equ DELAY_PORT, 0x80		/* no device: writes are ignored */
	.equ SEEN_CPUID, 0x10
	.equ SEEN_OUT, 0x20

	.code32
	.text
	.globl _start
_start:
	ADV_LOAD_GDT
	mov	$stack_top, %esp
	ADV_SET_GATE X86_DB, db_handler, SEL_CODE0
	lidt	adv_idt_desc
	xor	%eax, %eax		/* CPUID leaf 0: exists everywhere */
	pushf
	orl	$EFLAGS_TF, (%esp)
	popf				/* TF on: a #DB after each instruction below */
	nop				/* 1 */
	cpuid				/* 2: emulated */
after_cpuid:
	out	%al, $DELAY_PORT	/* 3: emulated */
after_out:
	nop				/* 4 */
	pushf				/* 5 */
	andl	$~EFLAGS_TF, (%esp)	/* 6 */
	popf				/* 7: TF was still set as it began */
	mov	steps, %ebx
	or	seen, %ebx
	mov	$HC_EXIT, %eax
	vmcall

/* #DB: an interrupt gate, so TF is clear in here; IRET sets it again. */
db_handler:
	push	%eax
	incl	steps
	mov	4(%esp), %eax		/* the saved EIP: the next instruction */
	cmp	$after_cpuid, %eax
	jne	1f
	orl	$SEEN_CPUID, seen
1:	cmp	$after_out, %eax
	jne	2f
	orl	$SEEN_OUT, seen
2:	pop	%eax
	iret

	.balign 4
steps:	.long 0
seen:	.long 0
	.balign 16
	.fill 1024, 1, 0
stack_top:
	ADV_TABLES
