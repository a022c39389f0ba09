/*
 * realmode.S - a "legacy OS" boot sector, run in 16-bit real mode.
 *
 * Concept: virtualizing an OS that was never written for a VMM. Early
 * VT-x could not run real mode at all (VMX needs CR0.PE = 1); the
 * "unrestricted guest" control lets a guest run with paging and
 * protection off, so a boot sector runs unmodified. Run it with
 * `tvmm run --mode real guests/realmode.bin`: tvmm loads it at 0x7c00 and
 * starts it at 0000:7c00, as a PC BIOS does.
 *
 * Expected trace: 22 IO_INSTRUCTION exits with cs 0 and rip in
 * 0x7c00..0x7dff, then one HLT; console "Hello from real mode!\n";
 * CR0.PE stays 0 (TVMM_GET_REGS). Exit status 0.
 */
	.include "guest.inc"
	.code16
	.text
	.globl _start
_start:
	xor	%ax, %ax		/* data at 0000:msg; do not trust DS */
	mov	%ax, %ds
	cld
	mov	$msg, %si
	mov	$CONSOLE_PORT, %dx
1:	lodsb
	test	%al, %al
	jz	2f
	outb	%al, %dx		/* exit: IO_INSTRUCTION */
	jmp	1b
2:	hlt				/* exit: HLT -> the end */
	jmp	2b

msg:	.asciz "Hello from real mode!\n"

	.org 510			/* a boot sector is 512 bytes... */
	.word 0xaa55			/* ...and ends with the boot signature */
