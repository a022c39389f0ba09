/*
 * mmio.S - a driver for tvmm-dev, the VM's memory-mapped device.
 *
 * Concept: memory-mapped I/O, virtualized. The guest talks to its device
 * with ordinary MOVs to guest-physical 0xfeb00000, where EPT maps no RAM:
 * every access is an EPT_VIOLATION exit, tvmm decodes the MOV, performs it
 * on its device model (module/mmio.c) and resumes the guest after it. The
 * guest cannot tell that no hardware answered. Register map: docs/abi.md.
 *
 * The guest checks every answer (console "mmio: FAIL check N" and HLT at
 * the first wrong one) and prints what it found:
 *   mmio: id TVMM version 00000001
 *   mmio: scratch 32-bit 12345678 16-bit 1234beef 8-bit 12345aa5
 *   mmio: counter 00000005 00000006 00000007
 *   tvmm-dev: doorbell 0x42 (scratch 0xc0ffee00, counter 8)
 *   mmio: doorbell rang 00000001 time(s)
 *   mmio: all checks passed
 * The "tvmm-dev:" line is printed by tvmm itself, the doorbell's effect.
 *
 * The autograder's seeds (SEED_BLOCK, guest.inc; tests/selftests/tvmm/
 * seed.h) change the 32-bit scratch value (12345678: the immediate of the
 * C7 store, which the tests patch where seed_imm says, and what the guest
 * compares with), the counter's start (5) and how often it is read (3),
 * and what SCRATCH holds when the doorbell rings (c0ffee00); the lines
 * above are seed 0's. The guest takes its expected values from the block.
 *
 * Expected trace (seed 0): 21 EPT_VIOLATION exits (action "emulated", gpa
 * 0xfeb000XX, mnemonic "mov" or "movzx"), IO_INSTRUCTION exits for the
 * console, then HLT; `tvmm run` exits with status 0. The forms used:
 * moffs (A1/A3), ModR/M with base+disp8, disp32 only, SIB base+index*4,
 * immediates (C6/C7), 16-bit (66), 8-bit including AH, MOVZX.
 */
	.include "guest.inc"
	.equ DEV, 0xfeb00000		/* TVMM_DEV_GPA */
	.equ ID, 0x00			/* offsets of the registers */
	.equ VERSION, 0x04
	.equ SCRATCH, 0x08
	.equ COUNTER, 0x0c
	.equ DOORBELL, 0x10
	.equ MAGIC, 0x4d4d5654		/* "TVMM" */

	.code32
	.text
	.globl _start
_start:
	cld
	mov	$DEV, %ebx

	/* ID: a 32-bit load through an absolute address (A1 moffs32). */
	mov	$1, %edi
	mov	DEV + ID, %eax
	cmp	$MAGIC, %eax
	jne	fail
	mov	%eax, idtext
	/* ... and one byte of it, the 'V', with MOVZX and disp32 alone. */
	mov	$2, %edi
	movzbl	DEV + ID + 1, %ecx
	cmp	$'V', %ecx
	jne	fail
	mov	$3, %edi
	mov	VERSION(%ebx), %ebp
	cmp	$1, %ebp
	jne	fail
	mov	$msg_id, %esi
	call	puts
	mov	$idtext, %esi
	call	puts
	mov	$msg_version, %esi
	call	puts
	mov	%ebp, %eax
	call	puthex
	call	newline

	/* SCRATCH, 32 bits: store an immediate (C7), load it back (8B). */
	mov	$msg_scratch, %esi
	call	puts
	mov	$4, %edi
	movl	$0x12345678, SCRATCH(%ebx)	/* the seed's value: patched */
	.set	scratch_imm, . - 4		/* where the imm32 is */
	mov	SCRATCH(%ebx), %eax
	cmp	seed_scratch, %eax
	jne	fail
	call	puthex

	/* 16 bits (66 prefix): the low half only; SI keeps its top half. */
	mov	$5, %edi
	movw	$0xbeef, SCRATCH(%ebx)
	mov	$0xffffffff, %esi
	movw	SCRATCH(%ebx), %si
	cmp	$0xffffbeef, %esi
	jne	fail
	mov	$6, %edi
	movzwl	SCRATCH + 2(%ebx), %eax		/* the upper half, 0x1234 */
	movzwl	seed_scratch + 2, %edx		/* RAM, not the device */
	cmp	%edx, %eax
	jne	fail
	mov	$msg_16, %esi
	call	puts
	mov	SCRATCH(%ebx), %eax
	call	puthex

	/* 8 bits: store CL (88), an imm8 (C6), load into AH (8A), SIB. */
	mov	$7, %edi
	mov	$0x5a, %cl
	movb	%cl, SCRATCH + 1(%ebx)
	movb	$0xa5, SCRATCH(%ebx)
	xor	%eax, %eax
	movb	SCRATCH + 1(%ebx), %ah
	cmp	$0x5a00, %eax
	jne	fail
	mov	$8, %edi
	mov	$SCRATCH / 4, %edx
	movb	(%ebx,%edx,4), %dl		/* SIB: DEV + 2 * 4 */
	cmp	$0xa5, %dl
	jne	fail
	mov	$msg_8, %esi
	call	puts
	mov	SCRATCH(%ebx), %eax
	mov	seed_scratch, %edx		/* 0x12345aa5 for seed 0 */
	and	$0xffff0000, %edx
	or	$0x5aa5, %edx
	cmp	%edx, %eax
	jne	fail
	call	puthex
	call	newline

	/*
	 * COUNTER: set it to the seed's start (a register store, 89), then
	 * each read returns it and adds 1; seed_reads reads.
	 */
	mov	$msg_counter, %esi
	call	puts
	mov	seed_counter, %ebp
	mov	%ebp, COUNTER(%ebx)
	mov	$9, %edi
	mov	seed_reads, %edx
	add	%ebp, %edx			/* the value after the last read */
1:	mov	COUNTER(%ebx), %ecx
	cmp	%ebp, %ecx
	jne	fail
	mov	$' ', %al
	call	putc
	mov	%ecx, %eax
	call	puthex
	inc	%ebp
	cmp	%edx, %ebp
	jne	1b
	call	newline

	/* DOORBELL: tvmm prints a line; reading it says how often it rang. */
	mov	seed_doorbell, %eax
	mov	%eax, DEV + SCRATCH		/* A3 moffs32 */
	movl	$0x42, DOORBELL(%ebx)
	mov	$10, %edi
	mov	DOORBELL(%ebx), %ebp
	cmp	$1, %ebp
	jne	fail
	mov	$msg_doorbell, %esi
	call	puts
	mov	%ebp, %eax
	call	puthex
	mov	$msg_times, %esi
	call	puts
	mov	$msg_pass, %esi
	call	puts
	jmp	stop

fail:	mov	$msg_fail, %esi
	call	puts
	mov	%edi, %eax
	call	puthex
	call	newline
stop:	hlt					/* exit: HLT, IF clear -> the end */
	jmp	stop

/* Print the NUL-terminated string at ESI. Clobbers EAX, ESI. */
puts:	lodsb
	test	%al, %al
	jz	1f
	call	putc
	jmp	puts
1:	ret

newline:
	mov	$'\n', %al
	/* fall through */
/* Print AL. */
putc:	push	%edx
	mov	$CONSOLE_PORT, %dx
	outb	%al, %dx			/* exit: IO_INSTRUCTION */
	pop	%edx
	ret

/* Print EAX as 8 hex digits. */
puthex:	push	%eax
	push	%ecx
	push	%edx
	mov	%eax, %edx
	mov	$8, %ecx
1:	rol	$4, %edx
	mov	%edx, %eax
	and	$0xf, %eax
	mov	hexdigits(%eax), %al
	call	putc
	loop	1b
	pop	%edx
	pop	%ecx
	pop	%eax
	ret

hexdigits:	.ascii "0123456789abcdef"
idtext:		.asciz "????"
msg_id:		.asciz "mmio: id "
msg_version:	.asciz " version "
msg_scratch:	.asciz "mmio: scratch 32-bit "
msg_16:		.asciz " 16-bit "
msg_8:		.asciz " 8-bit "
msg_counter:	.asciz "mmio: counter"
msg_doorbell:	.asciz "mmio: doorbell rang "
msg_times:	.asciz " time(s)\n"
msg_pass:	.asciz "mmio: all checks passed\n"
msg_fail:	.asciz "mmio: FAIL check "

	.balign	4
	SEED_BLOCK			/* the autograder's seeds rewrite what follows */
seed_scratch:	.long	0x12345678	/* SCRATCH's 32-bit value (and the C7's imm32) */
seed_counter:	.long	5		/* COUNTER's start */
seed_reads:	.long	3		/* COUNTER reads, at least 1 */
seed_doorbell:	.long	0xc0ffee00	/* SCRATCH when the doorbell rings */
seed_imm:	.long	scratch_imm - _start	/* image offset of the C7's imm32 */
