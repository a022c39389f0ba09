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
 * change the count and the line: SEED_BLOCK, guest.inc.) It prints with
 * the putc hypercall (VMCALL, guest ABI), not port 0xE9: the line then
 * reaches the console whether or not the I/O exit works (lab 05.1), so
 * lab 05.2's test of CPUID does not depend on lab 05.1.
 *
 * Expected trace: 100 CPUID exits (mnemonic "cpuid"), 17 VMCALL (putc),
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
	mov	$msg, %edx		/* keep ESI (checksum), EDI, EBP intact */
3:	movzbl	(%edx), %ebx
	inc	%edx
	test	%ebx, %ebx
	jz	4f
	mov	$HC_PUTC, %eax
	vmcall				/* exit: VMCALL, putc(EBX) */
	jmp	3b
4:	hlt				/* exit: HLT -> the end */
	jmp	4b

	SEED_BLOCK			/* per-seed: the count and the line below */
iterations:
	.long ITERATIONS
msg:	.asciz "cpuid: 100 exits\n"
	.fill SEED_TEXT_MAX - (. - msg), 1, 0
