/*
 * hello_cut.S - the first half of hello.S's console, then HLT.
 *
 * Concept: "same console" in `tvmm compare` (lab 09) means equal byte for
 * byte, not "the same as far as it goes". This guest ends normally but
 * prints only a prefix of what hello.bin prints, so a technique that ran
 * it is not correct. tests/selftests/tvmm/compare_test.c gives it to
 * `tvmm compare --image hello.bin --pv-image hello_cut.bin`.
 * Console: "Hello from"; end: HLT.
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
2:	hlt
	jmp	2b

msg:	.asciz "Hello from"
