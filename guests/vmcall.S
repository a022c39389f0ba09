/*
 * vmcall.S - hypercalls: the guest asks instead of being trapped.
 *
 * Concept: paravirtualization. A guest that knows it runs on tvmm calls
 * it directly with VMCALL (always a VM exit), the number in EAX: 1 prints
 * the byte in EBX, 0 ends the VM with the status in EBX. One hypercall
 * replaces whatever trapping instructions the same job needed.
 *
 * Expected trace: 15 VMCALL exits for putc ("Hi via VMCALL!\n"), then one
 * VMCALL exit (action "fatal"); the run ends with TVMM_END_HYPERCALL,
 * exit_status 3; `tvmm run` exits with status 3.
 */
	.include "guest.inc"
	.equ EXIT_STATUS, 3
	.code32
	.text
	.globl _start
_start:
	mov	$msg, %esi
1:	movzbl	(%esi), %ebx
	inc	%esi
	test	%ebx, %ebx
	jz	2f
	mov	$HC_PUTC, %eax
	vmcall				/* exit: VMCALL, putc(EBX) */
	jmp	1b
2:	mov	$HC_EXIT, %eax
	mov	$EXIT_STATUS, %ebx
	vmcall				/* exit: VMCALL, exit(3) -> the end */
3:	hlt				/* never reached */
	jmp	3b

msg:	.asciz "Hi via VMCALL!\n"
