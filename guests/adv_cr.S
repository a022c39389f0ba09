/*
 * adv_cr.S - control-register values no CPU accepts.
 *
 * Concept: a VMM that owns CR0/CR4 (guest/host masks of all ones) must
 * check what the guest writes as the CPU would, or a bad value either
 * reaches the VMCS (a failed VM entry: CR4.PCIDE outside IA-32e mode) or
 * gives the guest a feature the CPU does not announce. SDM vol. 3A, 2.5
 * "Control Registers" and vol. 2B, MOV (control registers): #GP(0).
 *
 * Each case sets `resume`, tries the write and, if no #GP came, sets its
 * bit in EDI. The #GP handler counts in `gp_count` and returns to
 * `resume`. The guest exits (VMCALL HC_EXIT) with EDI as its status: 0
 * when every bad value faulted and every good one was taken as the CPU
 * takes it. Cases 2 and 3 only apply when CPUID does not announce LA57
 * and PKU (leaf 7): then they must fault.
 *
 * Expected trace: CR_ACCESS exits, 6 to 8 of them "reflected" (#GP), one
 * MSR_WRITE "reflected" (EFER.LME), the VMCALL. Exit status 0.
 */
	.include "guest.inc"
	.include "adversarial.inc"
	.equ CR0_ET, 0x10
	.equ CR0_NW, 0x20000000
	.equ CR0_PG, 0x80000000
	.equ CR0_RESERVED_BIT6, 0x40	/* reserved: writes are ignored */
	.equ CR4_PSE, 0x10
	.equ CR4_LA57, 0x1000
	.equ CR4_VMXE, 0x2000
	.equ CR4_RESERVED_BIT15, 0x8000
	.equ CR4_PCIDE, 0x20000
	.equ CR4_PKE, 0x400000
	.equ CPUID7_ECX_PKU, 0x8
	.equ CPUID7_ECX_LA57, 0x10000
	.equ MSR_EFER, 0xc0000080
	.equ EFER_LME, 0x100

/* Case \bit: \insn with EAX = \value must #GP. */
.macro MUST_FAULT bit, cr, value
	movl	$.Lresume\@, resume
	mov	$\value, %eax
	mov	%eax, %cr\cr
	orl	$(1 << \bit), %edi	/* taken: wrong */
	mov	%ebp, %cr0		/* undo whatever it did */
	xor	%eax, %eax
	mov	%eax, %cr4
.Lresume\@:
.endm

	.code32
	.text
	.globl _start
_start:
	ADV_LOAD_GDT
	ADV_SET_GATE X86_GP, gp_handler, SEL_CODE0
	lidt	adv_idt_desc
	xor	%edi, %edi
	mov	%cr0, %ebp		/* the good CR0: PE|ET */

	MUST_FAULT 0, 4, CR4_VMXE	/* no VMX for the guest */
	MUST_FAULT 1, 4, CR4_RESERVED_BIT15
	mov	$7, %eax
	xor	%ecx, %ecx
	cpuid
	mov	%ecx, %esi		/* CPUID.(7,0):ECX */
	test	$CPUID7_ECX_LA57, %esi
	jnz	1f
	MUST_FAULT 2, 4, CR4_LA57
1:	test	$CPUID7_ECX_PKU, %esi
	jnz	2f
	MUST_FAULT 3, 4, CR4_PKE
2:	MUST_FAULT 4, 0, CR0_PE | CR0_ET | CR0_NW	/* NW without CD */
	MUST_FAULT 5, 0, CR0_ET | CR0_PG		/* PG without PE */

	/* EFER.LME: a 32-bit guest has no long mode. */
	movl	$3f, resume
	mov	$MSR_EFER, %ecx
	mov	$EFER_LME, %eax
	xor	%edx, %edx
	wrmsr
	orl	$(1 << 6), %edi
3:
	/* Good values, taken as a CPU takes them. */
	mov	%ebp, %eax
	or	$CR0_RESERVED_BIT6, %eax
	and	$~CR0_ET, %eax
	mov	%eax, %cr0		/* reserved bit ignored, ET reads 1 */
	mov	%cr0, %eax
	test	$CR0_RESERVED_BIT6, %eax
	jz	4f
	orl	$(1 << 7), %edi
4:	test	$CR0_ET, %eax
	jnz	5f
	orl	$(1 << 8), %edi
5:	mov	%ebp, %cr0
	mov	$CR4_PSE, %eax
	mov	%eax, %cr4
	mov	%cr4, %eax
	cmp	$CR4_PSE, %eax
	je	6f
	orl	$(1 << 9), %edi
6:	xor	%eax, %eax
	mov	%eax, %cr4

	/* Last: before the fix, this one reached the VMCS and entry failed. */
	MUST_FAULT 10, 4, CR4_PCIDE	/* PCIDE needs IA-32e mode */

	mov	$HC_EXIT, %eax
	mov	%edi, %ebx
	vmcall
7:	hlt
	jmp	7b

/* #GP: count it, drop the error code, continue at `resume`. */
gp_handler:
	incl	gp_count
	add	$4, %esp
	push	%eax
	mov	resume, %eax
	mov	%eax, 4(%esp)
	pop	%eax
	iret

	.balign 4
resume:	.long 0
gp_count:
	.long 0
	ADV_TABLES
