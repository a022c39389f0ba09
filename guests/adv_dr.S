/*
 * adv_dr.S - debug registers and a hardware breakpoint.
 *
 * Concept: DR0-DR7 are the host's too. With MOV-DR exiting on, every MOV
 * to or from a debug register is a VM exit, and tvmm emulates it against
 * the VM's own virtual DR0-DR7; the guest's breakpoints are loaded into
 * the hardware only around VM entries, and the host's come back after
 * every exit. A breakpoint that hits is a #DB VM exit that tvmm reflects
 * to the guest, with DR6 saying which breakpoint. SDM vol. 3A, 18.2
 * "Debug Registers"; vol. 3C, 26.1.3 (MOV-DR exiting), 28.1 (#DB exits
 * leave DR6 alone; the exit qualification has its bits).
 *
 * Status bits (EDI), 0 = all right: 0 DR0 reads back, 1 DR7 reads back,
 * 2 the breakpoint hit exactly once, 3 DR6.B0 was set in the #DB handler,
 * 4 DR6 reads back with its fixed-1 bits, 5 DR3 reads back.
 *
 * Expected trace: DR_ACCESS exits ("mov dr"), one EXCEPTION_NMI vector 1
 * "reflected", the VMCALL. Exit status 0.
 */
	.include "guest.inc"
	.include "adversarial.inc"
	.equ DR7_FIXED, 0x400		/* bit 10 reads as 1 */
	.equ DR7_L0, 0x1		/* local enable of breakpoint 0 (execute, 1 byte) */
	.equ DR6_FIXED, 0xffff0ff0	/* DR6 after a write of 0 */
	.equ DR6_B0, 0x1
	.equ DR3_PATTERN, 0x12345678

	.code32
	.text
	.globl _start
_start:
	ADV_LOAD_GDT
	ADV_SET_GATE X86_DB, db_handler, SEL_CODE0
	lidt	adv_idt_desc
	xor	%edi, %edi

	mov	$DR3_PATTERN, %eax
	mov	%eax, %dr3
	mov	%dr3, %ebx
	cmp	%eax, %ebx
	je	1f
	or	$(1 << 5), %edi
1:	xor	%eax, %eax
	mov	%eax, %dr6
	mov	%dr6, %ebx
	cmp	$DR6_FIXED, %ebx
	je	2f
	or	$(1 << 4), %edi
2:	mov	$target, %eax
	mov	%eax, %dr0
	mov	%dr0, %ebx
	cmp	%eax, %ebx
	je	3f
	or	$(1 << 0), %edi
3:	mov	$(DR7_FIXED | DR7_L0), %eax
	mov	%eax, %dr7
	mov	%dr7, %ebx
	cmp	%eax, %ebx
	je	4f
	or	$(1 << 1), %edi
4:	call	target			/* #DB before its first instruction */
	cmpl	$1, db_hits
	je	5f
	or	$(1 << 2), %edi
5:	testl	$DR6_B0, db_dr6
	jnz	6f
	or	$(1 << 3), %edi
6:	mov	$HC_EXIT, %eax
	mov	%edi, %ebx
	vmcall
7:	hlt
	jmp	7b

target:
	nop
	ret

/* #DB: note it and DR6, disarm DR7 so the IRET re-runs target freely. */
db_handler:
	push	%eax
	incl	db_hits
	mov	%dr6, %eax
	mov	%eax, db_dr6
	mov	$DR7_FIXED, %eax
	mov	%eax, %dr7
	pop	%eax
	iret

	.balign 4
db_hits:
	.long 0
db_dr6:	.long 0
	ADV_TABLES
