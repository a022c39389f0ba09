/*
 * sensitive.S - every sensitive-but-unprivileged instruction tvmm patches.
 *
 * Concept: scan-and-patch (lab 08). A ring-0 kernel runs each instruction
 * lab 08 classifies, in each form it has, and prints what it got, so that
 * --mode patch (ring 1, each site patched and emulated) can be compared
 * byte for byte with --mode hw (ring 0, the real answers): MOV from CS to
 * a register and to memory (2 bytes, the sentinel after them kept), MOV
 * from DS (not sensitive), PUSH CS (4 bytes in 32-bit code), PUSHF after
 * CLI and after STI, PUSHFW (2 bytes), POPF of IF 0 from the kernel,
 * POPFW, POPF of IOPL 3 (the kernel's CLI, OUT and STI after it must
 * still trap), SGDT, SIDT, SMSW to a register and to memory after clearing
 * CR0.NE, SLDT, STR, a VMCALL (0F 01 C1: group 7 with mod 3, not SGDT),
 * and from ring 3 a POPF of IF 0 (ignored: CPL 3 > IOPL 0).
 * Flags are shown masked to IOPL and IF (0x3200).
 *
 * Console, --mode hw and --mode patch (timer off):
 *   sensitive: mov cs 0008 ds 0010 mem a5a50008
 *   sensitive: push cs 0008 esp-4
 *   sensitive: pushf cli 0000 sti 0200 pushfw esp-2
 *   sensitive: popf if0 0000 popfw esp+2
 *   sensitive: popf iopl3 x
 *   sensitive: sgdt ours sidt ours
 *   sensitive: smsw same as cr0 mem a5a5
 *   sensitive: sldt 0000 str 0018
 *   sensitive: vmcall y
 *   sensitive: user popf if0: kernel if 0200
 *   sensitive: done
 * tests/selftests/tvmm/popek_test.c checks both, and in patch mode that
 * every exit kept the real IF set and no OUT ran untrapped.
 */
	.include "guest.inc"

	.equ KCODE_SEL, 0x08
	.equ KDATA_SEL, 0x10
	.equ TSS_SEL, 0x18
	.equ UCODE_SEL, 0x20 | 3
	.equ UDATA_SEL, 0x28 | 3
	.equ KSTACK_TOP, 0x80000
	.equ USTACK_TOP, 0x70000
	.equ NR_GATES, 0x81
	.equ FLAGS_SHOWN, 0x3200	/* IOPL, IF */
	.equ FLAGS_FIXED, 0x2		/* bit 1 of EFLAGS is always 1 */
	.equ EFLAGS_IF, 0x200
	.equ EFLAGS_IOPL3, 0x3000
	.equ CR0_NE, 0x20
	.equ TSS_ESP0, 4
	.equ TSS_SS0, 8
	.equ TSS_IOMAP, 102
	.equ SENTINEL, 0xa5a5a5a5

	.code32
	.text
	.globl _start
_start:
	cld
	mov	$KSTACK_TOP, %esp
	mov	$tss, %eax
	mov	%ax, gdt_tss + 2
	shr	$16, %eax
	mov	%al, gdt_tss + 4
	mov	%ah, gdt_tss + 7
	movl	$KSTACK_TOP, tss + TSS_ESP0
	movl	$KDATA_SEL, tss + TSS_SS0
	movw	$104, tss + TSS_IOMAP	/* no I/O bitmap: IN/OUT need IOPL */
	lgdt	gdt_desc
	ljmp	$KCODE_SEL, $1f
1:	mov	$KDATA_SEL, %ax
	mov	%ax, %ds
	mov	%ax, %es
	mov	%ax, %fs
	mov	%ax, %gs
	mov	%ax, %ss
	mov	$KSTACK_TOP, %esp
	xor	%ecx, %ecx
2:	lea	idt(, %ecx, 8), %edi
	mov	$unexpected, %eax
	mov	$0x8e, %bl		/* interrupt gate, DPL 0 */
	cmp	$0x80, %ecx
	jne	3f
	mov	$sys_check, %eax
	mov	$0xef, %bl		/* trap gate, DPL 3: IF as the app left it */
3:	mov	%ax, (%edi)
	movw	$KCODE_SEL, 2(%edi)
	movb	$0, 4(%edi)
	mov	%bl, 5(%edi)
	shr	$16, %eax
	mov	%ax, 6(%edi)
	inc	%ecx
	cmp	$NR_GATES, %ecx
	jb	2b
	lidt	idt_desc
	mov	$TSS_SEL, %ax
	ltr	%ax

	/* MOV from CS: register, memory (2 bytes); MOV from DS. */
	mov	$msg_movcs, %esi
	call	puts
	xor	%eax, %eax
	mov	%cs, %ax
	call	puthex16
	mov	$msg_ds, %esi
	call	puts
	xor	%eax, %eax
	mov	%ds, %ax
	call	puthex16
	mov	$msg_mem, %esi
	call	puts
	movl	$SENTINEL, word_buf
	mov	%cs, word_buf
	mov	word_buf, %eax
	call	puthex32
	call	newline

	/* PUSH CS: the selector, 4 bytes. */
	mov	$msg_pushcs, %esi
	call	puts
	mov	%esp, %ebx
	push	%cs
	sub	%esp, %ebx
	pop	%eax
	call	puthex16
	mov	$msg_esp_minus, %esi
	call	puts
	mov	%ebx, %eax
	call	putdigit
	call	newline

	/* PUSHF after CLI, after STI; PUSHFW's size. */
	mov	$msg_pushf, %esi
	call	puts
	cli
	pushf
	pop	%eax
	and	$FLAGS_SHOWN, %eax
	call	puthex16
	mov	$msg_sti, %esi
	call	puts
	sti
	pushf
	pop	%eax
	and	$FLAGS_SHOWN, %eax
	call	puthex16
	mov	$msg_pushfw, %esi
	call	puts
	mov	%esp, %ebx
	pushfw
	sub	%esp, %ebx
	add	%ebx, %esp
	mov	%ebx, %eax
	call	putdigit
	call	newline

	/* POPF of IF 0 from the kernel (IF 1 before); POPFW's size. */
	mov	$msg_popf, %esi
	call	puts
	pushl	$FLAGS_FIXED
	popf
	pushf
	pop	%eax
	and	$FLAGS_SHOWN, %eax
	call	puthex16
	mov	$msg_popfw, %esi
	call	puts
	pushw	$FLAGS_FIXED
	mov	%esp, %ebx
	popfw
	mov	%esp, %eax
	sub	%ebx, %eax
	call	putdigit
	call	newline

	/* POPF of IOPL 3: tvmm must keep IOPL 0, so these still trap. */
	mov	$msg_iopl, %esi
	call	puts
	pushl	$EFLAGS_IOPL3 | EFLAGS_IF | FLAGS_FIXED
	popf
	cli
	mov	$'x', %al
	call	putc
	sti
	pushl	$EFLAGS_IF | FLAGS_FIXED
	popf
	call	newline

	/* SGDT, SIDT: the tables this kernel loaded. */
	mov	$msg_sgdt, %esi
	call	puts
	sgdt	table_buf
	mov	$gdt_end - gdt - 1, %eax
	mov	$gdt, %edx
	call	check_table
	mov	$msg_sidt, %esi
	call	puts
	sidt	table_buf
	mov	$idt_end - idt - 1, %eax
	mov	$idt, %edx
	call	check_table
	call	newline

	/* SMSW after clearing CR0.NE: what MOV from CR0 says; to memory 2 bytes. */
	mov	%cr0, %eax
	and	$~CR0_NE, %eax
	mov	%eax, %cr0
	mov	%cr0, %ebx
	xor	%eax, %eax
	smsw	%ax
	mov	$msg_smsw_same, %esi
	cmp	%ax, %bx
	je	4f
	mov	$msg_smsw_diff, %esi
4:	call	puts
	movl	$SENTINEL, word_buf
	smsw	word_buf
	mov	$msg_smsw_mem, %esi
	call	puts
	mov	word_buf, %eax
	shr	$16, %eax
	call	puthex16
	call	newline

	/* SLDT (none loaded), STR. */
	mov	$msg_sldt, %esi
	call	puts
	mov	$0xffff, %eax
	sldt	%ax
	call	puthex16
	mov	$msg_str, %esi
	call	puts
	xor	%eax, %eax
	str	%ax
	call	puthex16
	call	newline

	/* VMCALL, group 7 with mod 3: a hypercall, not an SGDT. */
	mov	$msg_vmcall, %esi
	call	puts
	mov	$scratch, %ecx		/* were it taken for SGDT (%ecx)... */
	mov	$HC_PUTC, %eax
	mov	$'y', %ebx
	vmcall
	call	newline

	/* Ring 3: POPF of IF 0 there (IF is 1) must leave IF alone. */
	pushl	$UDATA_SEL
	pushl	$USTACK_TOP
	pushl	$EFLAGS_IF | FLAGS_FIXED
	pushl	$UCODE_SEL
	pushl	$app
	iret

unexpected:
	mov	$msg_unexpected, %esi
	jmp	finish

/* check_table: "ours" if table_buf holds limit AX and base EDX. */
check_table:
	mov	$msg_ours, %esi
	cmp	%ax, table_buf
	jne	1f
	cmp	%edx, table_buf + 2
	je	2f
1:	mov	$msg_not_ours, %esi
2:	jmp	puts

putdigit:
	add	$'0', %al
	jmp	putc
newline:
	mov	$'\n', %al
putc:
	push	%edx
	mov	$CONSOLE_PORT, %dx
	outb	%al, %dx
	pop	%edx
	ret
puts:
	push	%eax
1:	lodsb
	test	%al, %al
	jz	2f
	call	putc
	jmp	1b
2:	pop	%eax
	ret
puthex32:
	push	%eax
	shr	$16, %eax
	call	puthex16
	pop	%eax
puthex16:
	push	%ecx
	push	%edx
	mov	%eax, %edx
	shl	$16, %edx
	mov	$4, %ecx
1:	rol	$4, %edx
	mov	%dl, %al
	and	$0xf, %al
	add	$'0', %al
	cmp	$'9', %al
	jbe	2f
	add	$'a' - '9' - 1, %al
2:	call	putc
	loop	1b
	pop	%edx
	pop	%ecx
	ret

/* The app (ring 3), in its own page: patch mode scans it when it runs. */
	.balign 4096
app:
	pushf
	andl	$~EFLAGS_IF, (%esp)
	popf
	int	$0x80
1:	jmp	1b

/* int $0x80 (a trap gate): the IF the app left; then the end. In its own page. */
	.balign 4096
sys_check:
	pushf
	pop	%ebx
	mov	$KDATA_SEL, %ax
	mov	%ax, %ds
	mov	%ax, %es
	mov	$msg_user, %esi
	call	puts
	mov	%ebx, %eax
	and	$FLAGS_SHOWN, %eax
	call	puthex16
	call	newline
	mov	$msg_done, %esi
finish:
	call	puts
	cli
1:	hlt
	jmp	1b

msg_movcs:	.asciz "sensitive: mov cs "
msg_ds:		.asciz " ds "
msg_mem:	.asciz " mem "
msg_pushcs:	.asciz "sensitive: push cs "
msg_esp_minus:	.asciz " esp-"
msg_pushf:	.asciz "sensitive: pushf cli "
msg_sti:	.asciz " sti "
msg_pushfw:	.asciz " pushfw esp-"
msg_popf:	.asciz "sensitive: popf if0 "
msg_popfw:	.asciz " popfw esp+"
msg_iopl:	.asciz "sensitive: popf iopl3 "
msg_sgdt:	.asciz "sensitive: sgdt "
msg_sidt:	.asciz " sidt "
msg_ours:	.asciz "ours"
msg_not_ours:	.asciz "NOT ours"
msg_smsw_same:	.asciz "sensitive: smsw same as cr0"
msg_smsw_diff:	.asciz "sensitive: smsw NOT as cr0"
msg_smsw_mem:	.asciz " mem "
msg_sldt:	.asciz "sensitive: sldt "
msg_str:	.asciz " str "
msg_vmcall:	.asciz "sensitive: vmcall "
msg_user:	.asciz "sensitive: user popf if0: kernel if "
msg_done:	.asciz "sensitive: done\n"
msg_unexpected:	.asciz "sensitive: unexpected exception\n"

	.balign 4
word_buf:	.long 0
scratch:	.fill 8, 1, 0
	.balign 2
	.word	0
table_buf:	.word 0
		.long 0

	.balign 8
gdt:
	.quad	0
	.quad	0x00cf9a000000ffff	/* 0x08: kernel code */
	.quad	0x00cf92000000ffff	/* 0x10: kernel data */
gdt_tss:
	.word	103, 0			/* 0x18: TSS */
	.byte	0, 0x89, 0, 0
	.quad	0x00cffa000000ffff	/* 0x20: user code */
	.quad	0x00cff2000000ffff	/* 0x28: user data */
gdt_end:
	.balign 8
idt:
	.fill	NR_GATES, 8, 0
idt_end:
	.balign 4
tss:
	.fill	26, 4, 0
	.balign 2
	.word	0
gdt_desc:
	.word	gdt_end - gdt - 1
	.long	gdt
	.word	0
idt_desc:
	.word	idt_end - idt - 1
	.long	idt
