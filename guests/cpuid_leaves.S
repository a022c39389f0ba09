/*
 * cpuid_leaves.S - the CPU a guest sees through CPUID, leaf by leaf.
 *
 * Concept: CPUID always exits (SDM 26.1.2), so the VMM decides which CPU
 * the guest sees: tvmm passes the host's answers through, for the leaf
 * in EAX and the subleaf in ECX, except in leaf 1 (VMX hidden, the
 * "hypervisor present" bit set, OSXSAVE as the guest's own CR4.OSXSAVE)
 * and in leaf 0x40000000 (EAX = 0x40000000, "TVMMtvmmTVMM" in EBX, ECX,
 * EDX) (lab 05, TODO(lab05.2)).
 *
 * For each (leaf, subleaf) of the table the guest runs CPUID with EBX
 * loaded with 0x5a5a5a5a (not the subleaf) and prints one line
 *
 *   LLLLLLLL SSSSSSSS: EAX EBX ECX EDX
 *
 * in hex. Then, if leaf 1 says XSAVE exists, it sets CR4.OSXSAVE (a
 * CR-access exit) and prints leaf 1 again, with subleaf 0xffffffff.
 * tests/selftests/tvmm/lab05_test.c compares every line with what CPUID
 * answers the test program itself on the same CPU, edited as above.
 *
 * It prints through the putc hypercall (VMCALL, guest ABI), not port 0xE9:
 * the answers then reach the console whether or not the I/O exit works
 * (lab 05.1), so a student who solved only lab 05.2 still gets its points.
 *
 * Expected trace: one CPUID exit per line plus one for the XSAVE check,
 * a CR_ACCESS exit, VMCALL exits for the text (no IO_INSTRUCTION), one
 * HLT.
 */
	.include "guest.inc"
	.equ HEX_VMCALL, 1		/* hex.inc: print with VMCALL, not OUT */
	.equ CPUID1_ECX_XSAVE, 1 << 26
	.equ CR4_OSXSAVE, 1 << 18
	.equ NOT_THE_SUBLEAF, 0x5a5a5a5a
	.code32
	.text
	.globl _start
_start:
	mov	$table, %esi
1:	mov	(%esi), %eax
	mov	4(%esi), %ecx
	cmp	$0xffffffff, %eax
	je	2f
	call	show_leaf
	add	$8, %esi
	jmp	1b

2:	mov	$1, %eax
	xor	%ecx, %ecx
	cpuid				/* exit: CPUID */
	test	$CPUID1_ECX_XSAVE, %ecx
	jz	3f
	mov	%cr4, %eax
	or	$CR4_OSXSAVE, %eax
	mov	%eax, %cr4		/* exit: CR_ACCESS, mov cr4 */
	mov	$1, %eax
	mov	$0xffffffff, %ecx	/* leaf 1 has no subleaves */
	call	show_leaf
3:	hlt				/* exit: HLT -> the end */
	jmp	3b

/* CPUID leaf EAX, subleaf ECX; print "leaf subleaf: eax ebx ecx edx" */
show_leaf:
	push	%esi
	mov	%eax, %esi
	mov	%ecx, %edi
	call	print_hex32		/* the leaf */
	mov	$' ', %al
	call	print_char
	mov	%edi, %eax
	call	print_hex32		/* the subleaf */
	mov	$':', %al
	call	print_char
	mov	%esi, %eax
	mov	%edi, %ecx
	mov	$NOT_THE_SUBLEAF, %ebx
	cpuid				/* exit: CPUID */
	call	print_sp_hex
	mov	%ebx, %eax
	call	print_sp_hex
	mov	%ecx, %eax
	call	print_sp_hex
	mov	%edx, %eax
	call	print_sp_hex
	mov	$'\n', %al
	call	print_char
	pop	%esi
	ret

/* print a space, then EAX in hex */
print_sp_hex:
	push	%eax
	mov	$' ', %al
	call	print_char
	pop	%eax
	jmp	print_hex32

	.include "hex.inc"

/* (leaf, subleaf) pairs; leaf 0xffffffff ends the table */
table:
	.long	0, 0
	.long	1, 0
	.long	4, 0
	.long	4, 1
	.long	4, 2
	.long	7, 0
	.long	0xb, 0
	.long	0xb, 1
	.long	0xd, 1
	.long	0x40000000, 0
	.long	0x40000001, 0
	.long	0x80000000, 0
	.long	0x80000001, 0
	.long	0xffffffff, 0
