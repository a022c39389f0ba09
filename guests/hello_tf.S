/*
 * hello_tf.S - hello.S's console, then a triple fault instead of HLT.
 *
 * Concept: "correct" in `tvmm compare` (lab 09) is the right console AND a
 * normal end. This guest prints exactly what hello.bin prints and then
 * crashes the virtual machine (an INT3 through an empty IDT: #GP, double
 * fault, triple fault), so a technique that ran it is not correct though
 * its console is. tests/selftests/tvmm/compare_test.c gives it to
 * `tvmm compare --image hello.bin --pv-image hello_tf.bin`.
 * Console: "Hello from the guest!"; end: TRIPLE_FAULT. The autograder's
 * seeds rewrite the line as hello.bin's (SEED_BLOCK, guest.inc), so that
 * it stays hello.bin's console for every seed.
 */
	.include "guest.inc"
	.code32
	.text
	.globl _start
_start:
	cld
	mov	$msg, %esi
	mov	$CONSOLE_PORT, %dx
1:	lodsb
	test	%al, %al
	jz	2f
	outb	%al, %dx
	jmp	1b
2:	lidt	no_idt			/* limit 0: every vector is outside it */
	int3
3:	hlt
	jmp	3b

	SEED_BLOCK			/* per-seed: the line below, hello.bin's */
msg:	.asciz "Hello from the guest!\n"
	.fill SEED_TEXT_MAX - (. - msg), 1, 0
	.balign 2
	.word	0
no_idt:	.word	0
	.long	0
