/*
 * cpuid_loop.S - CPUID, the instruction VMX always traps.
 *
 * Concept: "istruzioni sensibili". CPUID tells software what CPU it runs
 * on; a VMM must be able to lie (hide VMX from the guest, advertise a
 * hypervisor), so in VMX non-root mode CPUID exits unconditionally and
 * tvmm answers it. The guest cannot tell the difference, except by the
 * values it gets.
 *
 * The guest runs CPUID 100 times, alternating leaf 0 and leaf 1, and
 * leaves for the tests (read with TVMM_GET_REGS after the run):
 *   EBP = 100 (iterations done)
 *   EDI = the OR of every ECX of leaf 1: bit 5 (VMX) must be 0, tvmm
 *         hides VMX from its guests
 *   ESI = a checksum of EAX, ECX, EDX of every answer (EBX is left out:
 *         leaf 1 puts the APIC ID there, which depends on the host CPU);
 *         equal run after run
 * then prints "cpuid: 100 exits\n" and halts. (The autograder's seeds
 * change the count and the line: SEED_BLOCK, guest.inc.)
 *
 * Expected trace: 100 CPUID exits (mnemonic "cpuid"), 17 IO_INSTRUCTION,
 * one HLT; exit status 0.
 */
	.include "guest.inc"
	.equ ITERATIONS, 100
	.code32
	.text
	.globl _start
_start:
	xor	%ebp, %ebp		/* iterations */
	xor	%edi, %edi		/* OR of leaf-1 ECX */
	xor	%esi, %esi		/* checksum */
1:	mov	%ebp, %eax
	and	$1, %eax		/* leaf 0, 1, 0, 1, ... */
	xor	%ecx, %ecx		/* subleaf 0 */
	mov	%eax, %ebx
	cpuid				/* exit: CPUID */
	test	$1, %ebp
	jz	2f
	or	%ecx, %edi		/* leaf 1: collect ECX */
2:	rol	$5, %esi
	add	%eax, %esi
	rol	$5, %esi
	add	%ecx, %esi
	rol	$5, %esi
	add	%edx, %esi
	inc	%ebp
	cmp	iterations, %ebp
	jb	1b

	cld
	mov	$msg, %ebx		/* keep ESI (checksum) intact */
	mov	$CONSOLE_PORT, %dx
3:	mov	(%ebx), %al
	inc	%ebx
	test	%al, %al
	jz	4f
	outb	%al, %dx		/* exit: IO_INSTRUCTION */
	jmp	3b
4:	hlt				/* exit: HLT -> the end */
	jmp	4b

	SEED_BLOCK			/* per-seed: the count and the line below */
iterations:
	.long ITERATIONS
msg:	.asciz "cpuid: 100 exits\n"
	.fill SEED_TEXT_MAX - (. - msg), 1, 0
