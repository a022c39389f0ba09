/*
 * adv_delivery.S - faults raised while the CPU delivers an event.
 *
 * Concept: delivering an interrupt is work (read the gate, load its code
 * segment, push a frame) and the work can fault. Where tvmm intercepts
 * that fault (#GP, in deprivileged and patch modes), the VM exit comes in
 * the middle of the delivery and the instruction at RIP has not run: a
 * VMM that decodes it as the cause of the #GP emulates an instruction
 * the guest never executed and swallows the fault. The guest must see
 * what the CPU gives it in --mode hw (SDM vol. 3C, 28.2.4 "Information for
 * VM Exits During Event Delivery"; vol. 3A, 6.15, table 6-5):
 *
 *   1. The timer tick's gate names a code segment beyond the GDT: its
 *      delivery raises #GP(selector | EXT) with the saved EIP at the
 *      interrupted instruction, here one of a sled of privileged OUTs
 *      (each a trap to tvmm at ring 1, so tvmm injects the tick with RIP
 *      at the next OUT). The tick itself is consumed.
 *   2. Then the #GP gate gets the same broken selector and the guest
 *      loads a bad data segment: #GP, whose delivery raises #GP again,
 *      which makes a double fault (#DF, error code 0).
 *
 * Exit status: 0 if both came as the CPU delivers them; 1 no #GP in the
 * sled (the fault was swallowed, or no tick came); 2 wrong #GP error code;
 * 3 saved EIP not at an OUT of the sled; 4 the bad segment load did not
 * fault into #DF; 5 #DF with a non-zero error code.
 * Expected trace: IO (hw) or EXCEPTION_NMI vector 13 "emulated" (ring 1)
 * for each OUT until the tick; then, at ring 1, EXCEPTION_NMI vector 13
 * "reflected", mnemonic "in delivery", twice (#GP, then #DF).
 */
	.include "guest.inc"
	.equ ADV_IDT_VECTORS, TIMER_VECTOR + 1	/* the exceptions and the tick */
	.include "adversarial.inc"

	.equ SEL_BAD, 0x78		/* GDT entry 15: beyond adv_gdt's limit */
	.equ GP_EXPECTED, SEL_BAD | 1	/* the selector, EXT: an event's delivery */
	.equ X86_DF, 8			/* double fault */
	.equ SLED_OUTS, 8192		/* outlasts one timer period at every speed */
	.equ DELAY_PORT, 0x80		/* no device: writes are ignored */

	.code32
	.text
	.globl _start
_start:
	ADV_LOAD_GDT
	mov	$stack_top, %esp
	ADV_SET_GATE X86_GP, gp_handler, SEL_CODE0
	ADV_SET_GATE X86_DF, df_handler, SEL_CODE0
	ADV_SET_GATE TIMER_VECTOR, gp_handler, SEL_BAD
	lidt	adv_idt_desc		/* the timer starts */
	sti
sled:
	.rept SLED_OUTS
	out	%al, $DELAY_PORT
	.endr
sled_end:
	mov	$1, %ebx
	jmp	exit

/* Stage 1: the tick's delivery faulted. */
gp_handler:
	cli				/* no further ticks (ring 1: the virtual IF) */
	pop	%eax			/* the error code */
	mov	$2, %ebx
	cmp	$GP_EXPECTED, %eax
	jne	exit
	mov	(%esp), %eax		/* the saved EIP */
	mov	$3, %ebx
	cmp	$sled, %eax
	jb	exit
	cmp	$sled_end, %eax
	jae	exit
	sub	$sled, %eax
	test	$1, %al			/* each OUT is 2 bytes */
	jnz	exit

	/* Stage 2: a #GP whose own delivery faults. */
	ADV_SET_GATE X86_GP, gp_handler, SEL_BAD
	lidt	adv_idt_desc		/* ring 1: tvmm rebuilds its shadow IDT */
	mov	$4, %ebx
	mov	$SEL_BAD, %ax
	mov	%ax, %ds		/* #GP(SEL_BAD), then #GP(SEL_BAD | EXT): #DF */
	jmp	exit

df_handler:
	pop	%eax			/* #DF's error code: always 0 */
	mov	$5, %ebx
	test	%eax, %eax
	jnz	exit
	xor	%ebx, %ebx
exit:
	mov	$HC_EXIT, %eax
	vmcall

	.balign 16
	.fill 1024, 1, 0
stack_top:
	ADV_TABLES
