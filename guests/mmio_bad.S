/*
 * mmio_bad.S - a device access tvmm refuses to guess at.
 *
 * Concept: the limits of emulating MMIO by decoding. tvmm-dev's accesses
 * are EPT violations that tvmm emulates by decoding the faulting
 * instruction; it knows MOV and MOVZX, the instructions drivers use for
 * device registers. `incl` on a device register is a read-modify-write
 * that tvmm does not decode: rather than give the guest a wrong answer
 * silently, tvmm ends the VM and names the reason.
 *
 * Expected trace: IO_INSTRUCTION exits for the console line, one
 * EPT_VIOLATION exit emulated (the MOV that reads the ID), then one
 * EPT_VIOLATION with action "fatal" at gpa 0xfeb0000c; the run ends with
 * TVMM_END_BAD_MMIO, end_info 0xfeb0000c, message "read at tvmm-dev+0xc
 * ...: not a MOV/MOVZX form tvmm emulates"; `tvmm run` exits with 119.
 */
	.include "guest.inc"
	.equ DEV, 0xfeb00000		/* TVMM_DEV_GPA */
	.equ COUNTER, 0x0c
	.code32
	.text
	.globl _start
_start:
	cld
	mov	DEV, %eax			/* the ID: emulated */
	mov	$msg, %esi
	mov	$CONSOLE_PORT, %dx
1:	lodsb
	test	%al, %al
	jz	2f
	outb	%al, %dx
	jmp	1b
2:	incl	DEV + COUNTER			/* exit: EPT_VIOLATION, fatal */
3:	hlt					/* never reached */
	jmp	3b

msg:	.asciz "mmio_bad: incl on the counter register\n"
