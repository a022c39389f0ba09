/*
 * msr_cr.S - the privileged registers: an MSR and CR0.
 *
 * Concept: "istruzioni privilegiate". RDMSR and MOV to CR0 are what a
 * guest kernel does and a VMM must control: RDMSR exits unless the MSR
 * bitmap lets it through, and a MOV to CR0 exits when it changes a bit
 * tvmm owns (the CR0 guest/host mask); reads of CR0 come from the read
 * shadow without an exit.
 *
 * The guest reads IA32_TSC (0x10) twice (ESI:EDI hold the first value,
 * EDX:EAX the second), sets CR0.TS and clears it again, keeping CR0.PE,
 * then halts with EBX = CR0 as the guest sees it.
 *
 * Expected trace: 2 MSR_READ (ecx 0x10, mnemonic "rdmsr"), CR_ACCESS for
 * the MOVs to CR0 that tvmm intercepts (qual: CR number 0, access type
 * MOV to CR), one HLT. Exit status 0.
 */
	.include "guest.inc"
	.code32
	.text
	.globl _start
_start:
	mov	$MSR_IA32_TSC, %ecx
	rdmsr				/* exit: MSR_READ */
	mov	%eax, %edi
	mov	%edx, %esi
	mov	$MSR_IA32_TSC, %ecx
	rdmsr				/* exit: MSR_READ */

	mov	%cr0, %ebx		/* from the read shadow, no exit */
	or	$CR0_TS, %ebx		/* PE stays as it is */
	mov	%ebx, %cr0		/* exit: CR_ACCESS (if TS is owned) */
	and	$~CR0_TS, %ebx
	mov	%ebx, %cr0		/* exit: CR_ACCESS */
	mov	%cr0, %ebx
1:	hlt				/* exit: HLT -> the end */
	jmp	1b
