/*
 * adv_shadow.S - a de-privileged kernel rewrites tvmm's shadow tables to
 * climb back to ring 0.
 *
 * Concept: at ring 1 ("virtual kernel mode") the CPU runs on tvmm's
 * shadow GDT and IDT, which live in guest RAM (the top 64 KiB,
 * TVMM_DEPRIV_RESERVED) and which SGDT/SIDT reveal without a trap. If the
 * guest could write them, it would forge what de-privileging took away:
 * a DPL-0 code and data descriptor (SDM vol. 3A, 3.4.5) and a gate to
 * them (a call gate, 5.8.3, or an interrupt gate, 6.11), then pass
 * through the gate to CPL 0, where CLI/STI/POPF run natively and the
 * virtual IF means nothing. A VMM must protect its own structures: tvmm
 * maps the region read-only in the EPT, so the first store is an EPT
 * violation and the VM ends ("tvmm's shadow tables (de-privileging)").
 *
 * The 32-bit word at image offset 8 picks the forged gate:
 *   0: a call gate in the shadow GDT (SGDT gives its address), LCALL;
 *   1: an interrupt gate in the shadow IDT (SIDT), INT $0x30; the IDT is
 *      written before the GDT, so its write is the one tvmm must stop;
 * or makes tvmm store there for it, past the EPT (tvmm writes through
 * the host's mapping), at the address the ABI gives (2 MiB of RAM):
 *   2: SGDT to the shadow GDT's entry 0x18 (--mode patch: emulated);
 *   3: LTR of a TSS placed at the region's start: tvmm's emulation writes
 *      the ring-1 stack (SS1:ESP1) at TSS + 12, the shadow GDT's entry 1.
 * Then the DPL-0 code prints "adv_shadow: cpl=N if=F" (CS's RPL after
 * the gate, RFLAGS.IF after a native CLI) and exits with status
 * 0xa0 | CPL | 0x10 if the CLI cleared the real IF.
 *
 * --mode deprivileged, tvmm protecting its tables: EPT violation at the
 * shadow GDT (variant 0) or IDT (variant 1) entry, status 111, nothing
 * printed; variant 3 likewise at 0x1f000c, variant 2 in --mode patch at
 * 0x1f0018. Without the protection: "adv_shadow: cpl=0 if=0", status
 * 0xb0 (176): the escape. --mode hw: the same 0xb0, legitimately (the
 * kernel is at ring 0 and SGDT shows its own GDT).
 */
	.include "guest.inc"

	.equ SEL_CODE0, 0x08		/* the kernel's own segments, DPL 0 */
	.equ SEL_DATA0, 0x10
	.equ SEL_FORGED_CODE, 0x18	/* spare entries, null in our GDT */
	.equ SEL_FORGED_DATA, 0x20
	.equ SEL_FORGED_GATE, 0x28
	.equ SEL_FORGED_DESC_ABI, SEL_FORGED_CODE
	.equ SEL_TSS, 0x30
	.equ FORGED_VECTOR, 0x30
	.equ CALL_GATE_DPL3, 0xec	/* present, DPL 3, 32-bit call gate */
	.equ INT_GATE_DPL3, 0xee	/* present, DPL 3, 32-bit interrupt gate */
	.equ EFLAGS_IF, 0x200
	.equ STATUS_BASE, 0xa0
	.equ STATUS_IF_CLEARED, 0x10
	.equ SHADOW_ABI, 0x200000 - 0x10000	/* 2 MiB RAM minus TVMM_DEPRIV_RESERVED */
	.equ TSS_ESP1, 12

	.code32
	.text
	.globl _start
_start:
	jmp	main
	.balign 4
	.ascii	"ASHD"			/* offset 4: magic the test checks */
variant:
	.long	0			/* offset 8: 0 GDT call gate, 1 IDT gate */

main:
	cmpl	$3, variant
	jne	1f
	/* Variant 3: our TSS descriptor's base := the start of tvmm's region. */
	movw	$SHADOW_ABI & 0xffff, gdt + SEL_TSS + 2
	movb	$(SHADOW_ABI >> 16) & 0xff, gdt + SEL_TSS + 4
1:	lgdt	gdt_desc		/* ring 1: emulated, the shadow is a copy */
	ljmp	$SEL_CODE0, $1f
1:	mov	$SEL_DATA0, %ax
	mov	%ax, %ds
	mov	%ax, %es
	mov	%ax, %ss
	lidt	idt_desc
	cmpl	$2, variant
	jne	1f
	sgdt	SHADOW_ABI + SEL_FORGED_DESC_ABI	/* variant 2: tvmm's store */
1:
	/* Our TSS: SS0:ESP0 = the forged DPL-0 data segment, our own stack. */
	mov	$SEL_TSS, %ax
	ltr	%ax

	sgdt	gdtr
	mov	gdtr + 2, %ebx		/* the GDT the CPU uses: tvmm's shadow */
	sidt	idtr
	mov	idtr + 2, %edi		/* the shadow IDT */

	cmpl	$1, variant
	jne	forge_gdt
	/* An interrupt gate, DPL 3, to the forged code: the first store. */
	lea	FORGED_VECTOR * 8(%edi), %edi
	mov	$ring0, %eax
	mov	%ax, (%edi)
	movw	$SEL_FORGED_CODE, 2(%edi)
	movw	$(INT_GATE_DPL3 << 8), 4(%edi)
	shr	$16, %eax
	mov	%ax, 6(%edi)

forge_gdt:
	/* A DPL-0 code and data descriptor, flat 4 GiB, accessed. */
	movl	$0x0000ffff, SEL_FORGED_CODE(%ebx)
	movl	$0x00cf9b00, SEL_FORGED_CODE + 4(%ebx)
	movl	$0x0000ffff, SEL_FORGED_DATA(%ebx)
	movl	$0x00cf9300, SEL_FORGED_DATA + 4(%ebx)
	cmpl	$1, variant
	je	through_idt
	/* A call gate, DPL 3, to the forged code. */
	mov	$ring0, %eax
	mov	%ax, SEL_FORGED_GATE(%ebx)
	movw	$SEL_FORGED_CODE, SEL_FORGED_GATE + 2(%ebx)
	movw	$(CALL_GATE_DPL3 << 8), SEL_FORGED_GATE + 4(%ebx)
	shr	$16, %eax
	mov	%ax, SEL_FORGED_GATE + 6(%ebx)
	lcall	$SEL_FORGED_GATE, $0
	jmp	confined
through_idt:
	int	$FORGED_VECTOR
confined:
	/* The gate did not lead to ring 0 (never reached if tvmm is right). */
	mov	$HC_EXIT, %eax
	mov	$STATUS_BASE + 3, %ebx
	vmcall

/* The forged gate's target: CS 0x18, DPL 0. */
ring0:
	mov	%cs, %ecx
	and	$3, %ecx		/* CS.RPL = CPL */
	cli				/* at CPL 0: no #GP, no exit */
	pushf
	pop	%edx
	mov	$msg_cpl, %esi
	call	puts
	mov	%ecx, %eax
	add	$'0', %al
	out	%al, $CONSOLE_PORT
	mov	$msg_if, %esi
	call	puts
	mov	$'1', %al
	test	$EFLAGS_IF, %edx
	jnz	1f
	mov	$'0', %al
	or	$STATUS_IF_CLEARED, %ecx
1:	out	%al, $CONSOLE_PORT
	mov	$'\n', %al
	out	%al, $CONSOLE_PORT
	mov	$HC_EXIT, %eax
	lea	STATUS_BASE(%ecx), %ebx
	vmcall

/* Print the NUL-terminated string at %esi. */
puts:
	lodsb
	test	%al, %al
	jz	1f
	out	%al, $CONSOLE_PORT
	jmp	puts
1:	ret

msg_cpl:	.asciz "adv_shadow: cpl="
msg_if:		.asciz " if="

	.balign 8
gdt:
	.quad 0
	.quad 0x00cf9a000000ffff	/* 0x08: code, DPL 0 */
	.quad 0x00cf92000000ffff	/* 0x10: data, DPL 0 */
	.quad 0				/* 0x18: spare (forged: code, DPL 0) */
	.quad 0				/* 0x20: spare (forged: data, DPL 0) */
	.quad 0				/* 0x28: spare (forged: call gate) */
	/* 0x30: our TSS, 32-bit available; its base is 0x10000 + offset. */
	.word tss_end - tss - 1
	.word tss - _start
	.byte 1, 0x89, 0, 0
gdt_end:
	.balign 4
	.word 0
gdt_desc:
	.word gdt_end - gdt - 1
	.long gdt
	.balign 8
idt:
	.fill FORGED_VECTOR + 1, 8, 0
	.word 0
idt_desc:
	.word (FORGED_VECTOR + 1) * 8 - 1
	.long idt
	.word 0
gdtr:	.word 0
	.long 0
	.word 0
idtr:	.word 0
	.long 0

	.balign 4
tss:
	.long 0				/* previous task link */
	.long stack0_top		/* ESP0 */
	.long SEL_FORGED_DATA		/* SS0: the forged DPL-0 data segment */
	.fill 22, 4, 0
	.word 0
	.word tss_end - tss		/* I/O map base past the limit: no bitmap */
tss_end:

	.balign 16
stack0:
	.fill 256, 1, 0
stack0_top:
