/*
 * io_loop.S - port I/O in both directions, counted.
 *
 * Concept: trap-and-emulate of devices. Each OUT is one exit (the exit
 * qualification holds port, size and direction); each IN is one exit too,
 * and tvmm must invent the value the guest reads. Port 0x80 (the POST
 * diagnostic port) has no device behind it in tvmm: reads return all ones,
 * as an empty ISA bus does.
 *
 * The guest writes 100 bytes to port 0xE9 (99 '.' and a newline), reads
 * port 0x80 four times (the four bytes read end up in EBX; 0xffffffff if
 * tvmm models an empty bus), then halts.
 *
 * Expected trace: 100 IO_INSTRUCTION exits with port 0xe9, direction out
 * (qual bit 3 = 0), then 4 with port 0x80, direction in (qual bit 3 = 1),
 * then one HLT. Console: 99 dots and a newline. Exit status 0.
 * The autograder's seeds change the number of OUTs (SEED_BLOCK, guest.inc).
 */
	.include "guest.inc"
	.equ OUTS, 100
	.equ INS, 4
	.equ UNKNOWN_PORT, 0x80
	.code32
	.text
	.globl _start
_start:
	mov	$CONSOLE_PORT, %dx
	mov	outs, %ecx
	dec	%ecx
	mov	$'.', %al
1:	outb	%al, %dx		/* exit: IO_INSTRUCTION, out */
	loop	1b
	mov	$'\n', %al
	outb	%al, %dx		/* the 100th OUT */

	xor	%ebx, %ebx
	mov	$INS, %ecx
2:	inb	$UNKNOWN_PORT, %al	/* exit: IO_INSTRUCTION, in */
	shl	$8, %ebx
	mov	%al, %bl
	loop	2b

3:	hlt				/* exit: HLT -> the end */
	jmp	3b

	SEED_BLOCK			/* per-seed: the count below */
outs:	.long OUTS
