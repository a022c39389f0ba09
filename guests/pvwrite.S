/*
 * pvwrite.S - the paravirtual console: one hypercall per buffer (lab 08).
 *
 * Concept: paravirtualization. A guest that knows it runs on tvmm need
 * not trap once per byte on OUT to port 0xE9 (or make one putc hypercall
 * per byte): it hands tvmm a whole buffer with the write hypercall, as a
 * process hands one to write(2). VMCALL EAX=5 (HC_WRITE), EBX = the
 * buffer's guest-physical address, ECX = its length; EAX = the bytes
 * written, which may be fewer than asked (the console holds 256 bytes until
 * tvmm's userspace takes them), or -EFAULT (0xfffffff2) for a buffer not
 * wholly in guest RAM. So write_all loops, like every caller of write(2).
 * The handler is lab 08's TODO(lab08.3) in module/hypercall.c.
 *
 * What it does (--mode paravirt, the default 2 MiB of RAM):
 *   1. one line in one hypercall;
 *   2. a 300-byte text, more than the console holds: partial writes;
 *   3. a buffer that ends exactly at the end of guest RAM: allowed;
 *   4. four buffers that are not in guest RAM, each of which must be
 *      refused with -EFAULT and print nothing: at 64 MiB; at 0xfffffff0
 *      for 0x20 bytes (wraps in 32 bits); across the end of RAM; at the
 *      image for 0x7fffffff bytes;
 *   then a last line, and the exit hypercall with status = one bit per
 *   wrong answer (bit 0 a write that failed or went backwards, bits 1-4
 *   the bad buffers of step 4), 0 when all went right.
 *
 * Console (status 0):
 *   pvwrite: one line, one exit
 *   pvwrite: long text, line 1 of 3: .....  (three lines of 100 bytes)
 *   pvwrite: the last bytes of RAM
 *   pvwrite: 4 bad buffers refused
 * Expected trace: VMCALL exits only, about ten for some 400 console bytes
 * (tests/selftests/tvmm/hypercall_test.c).
 */
	.include "guest.inc"
	.equ EFAULT, 0xfffffff2
	.equ RAM_END, 0x200000		/* the default guest RAM: 2 MiB */
	.equ STACK_TOP, 0x100000	/* below the tail of step 3 */
	.code32
	.text
	.globl _start
_start:
	cld
	mov	$STACK_TOP, %esp
	xor	%edi, %edi		/* EDI: the wrong answers, one bit each */

	mov	$line1, %esi		/* 1. one line */
	mov	$line1_len, %ecx
	call	write_all
	mov	$long, %esi		/* 2. more than the console holds */
	mov	$long_len, %ecx
	call	write_all

	push	%edi			/* 3. the very end of guest RAM */
	mov	$tail, %esi
	mov	$RAM_END - tail_len, %edi
	mov	$tail_len, %ecx
	rep movsb
	pop	%edi
	mov	$RAM_END - tail_len, %esi
	mov	$tail_len, %ecx
	call	write_all

	mov	$0x4000000, %ebx	/* 4. not in guest RAM: -EFAULT */
	mov	$8, %ecx
	mov	$2, %edx
	call	write_bad
	mov	$0xfffffff0, %ebx
	mov	$0x20, %ecx
	mov	$4, %edx
	call	write_bad
	mov	$RAM_END - 4, %ebx
	mov	$8, %ecx
	mov	$8, %edx
	call	write_bad
	mov	$line1, %ebx
	mov	$0x7fffffff, %ecx
	mov	$16, %edx
	call	write_bad

	mov	$last, %esi
	mov	$last_len, %ecx
	call	write_all
	mov	%edi, %ebx
	mov	$HC_EXIT, %eax
	vmcall				/* exit: status = the wrong answers */
1:	jmp	1b

/* Write ECX bytes at ESI with HC_WRITE, as many calls as it takes. */
write_all:
	test	%ecx, %ecx
	jz	2f
	mov	%esi, %ebx
	mov	$HC_WRITE, %eax
	vmcall				/* exit: VMCALL, EAX = bytes written */
	cmp	$EFAULT, %eax
	je	1f
	test	%eax, %eax
	jz	1f			/* no progress: stop rather than spin */
	cmp	%ecx, %eax
	ja	1f			/* more than asked */
	add	%eax, %esi
	sub	%eax, %ecx
	jmp	write_all
1:	or	$1, %edi
2:	ret

/* HC_WRITE(EBX, ECX) must say -EFAULT; else set the bits EDX in EDI. */
write_bad:
	mov	$HC_WRITE, %eax
	vmcall
	cmp	$EFAULT, %eax
	je	1f
	or	%edx, %edi
1:	ret

	.data
line1:	.ascii	"pvwrite: one line, one exit\n"
	.equ line1_len, . - line1
long:
	.irp k, 1, 2, 3
1:	.ascii	"pvwrite: long text, line \k of 3: "
	.fill	99 - (. - 1b), 1, '.'
	.ascii	"\n"
	.endr
	.equ long_len, . - long
tail:	.ascii	"pvwrite: the last bytes of RAM\n"
	.equ tail_len, . - tail
last:	.ascii	"pvwrite: 4 bad buffers refused\n"
	.equ last_len, . - last
