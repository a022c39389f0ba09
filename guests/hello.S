/*
 * hello.S - the smallest useful guest: print a line, stop.
 *
 * Concept: trap-and-emulate of I/O. The guest runs at ring 0 in VMX
 * non-root mode; every OUT to port 0xE9 traps to tvmm (an IO_INSTRUCTION
 * exit), which "emulates" the device by putting the byte on the console
 * and resumes the guest after the instruction. HLT with IF clear (the
 * entry state: the ABI starts guests with interrupts off) ends the run.
 *
 * Expected trace: 22 IO_INSTRUCTION exits (one per byte of the message,
 * qual port 0xe9, mnemonic "out"), then one HLT; console
 * "Hello from the guest!\n"; `tvmm run` exits with status 0.
 * Host interrupts may add EXTERNAL_INTERRUPT exits (action "ignored").
 * The autograder's seeds rewrite the line (SEED_BLOCK, guest.inc).
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
	outb	%al, %dx		/* exit: IO_INSTRUCTION */
	jmp	1b
2:	hlt				/* exit: HLT, IF clear -> the end */
	jmp	2b

	SEED_BLOCK			/* per-seed: the line below */
msg:	.asciz "Hello from the guest!\n"
	.fill SEED_TEXT_MAX - (. - msg), 1, 0
