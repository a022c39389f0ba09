/*
 * shadow.S - a ring-0 kernel that looks at the tables tvmm builds for it.
 *
 * Concept: de-privileging's shadow tables (lab 06). SGDT and SIDT do not
 * trap at ring 1 (lab 08's problem), so in --mode deprivileged they show
 * this kernel tvmm's shadow GDT and IDT, which it then reads from guest
 * RAM: the demoted descriptors, the adjusted gates, the limits. It also
 * loads a GDT too big for the shadow (tvmm must refuse it: a #GP), a
 * second IDT (the guest's system-call gates are those of its last IDT),
 * and runs the IN/OUT forms: imm8 and DX ports, byte, word (0x66) and
 * dword, a DX port above 0xFF. It uses no CLI, STI or INT: lab 07 may be
 * a stub.
 *
 * Console, --mode deprivileged (the access bytes: descriptors 0-7, then
 * gates 0-6 and 13; "own" is the guest's table, which tvmm must not touch):
 *   tables: gdt XXXXXXXX idt XXXXXXXX
 *   gdt: limit 003f shadow 00 bb b3 89 fb f3 82 b3 own 00 9b 93 89 fb f3 82 93
 *   idt: limit 040f shadow 8f 8f 85 86 8f 8f af 8f own 8e 8f 85 86 ee ef ae 8e
 *   big gdt: refused with #GP 0000
 *   big idt: refused with #GP 0000
 *   io: in16 1234ffff in32 ffffffff in8imm 123456ff in8dx1e9 123456ff
 *   shadow: done
 * (--mode hw: SGDT/SIDT show the guest's own tables, and the big GDT is
 * loaded: no #GP.) The I/O to port 0x80 is to no device: ignored, an IN
 * reads all ones in its size. Expected I/O records other than the
 * console's: in 0x80 size 2, in 0x80 size 4, in 0x80 size 1, in 0x1e9
 * size 1, out 0x80 size 1, out 0x80 size 2.
 * tests/selftests/tvmm/lab06_test.c checks this, and the guest's GDT, IDT
 * and system-call gates (the second IDT's: vector 0x80 only) in debugfs.
 */
	.include "guest.inc"

	.equ KCODE_SEL, 0x08		/* code, DPL 0 */
	.equ KDATA_SEL, 0x10		/* data, DPL 0 */
	.equ TSS_SEL, 0x18		/* a TSS (never loaded: no ring 3 here) */
	.equ STACK_TOP, 0x80000
	.equ NR_DESCS, 8
	.equ NR_GATES, 0x82		/* vectors 0-0x81 */
	.equ GP_VECTOR, 13
	.equ NO_DEVICE_PORT, 0x80
	.equ ALIAS_PORT, 0x1e9		/* DL is the console's 0xe9, DX is not */
	.equ LGDT_BIG_LEN, 7		/* 0f 01 15 disp32 */

	.code32
	.text
	.globl _start
_start:
	cld
	mov	$STACK_TOP, %esp
	mov	$tss, %eax
	mov	%ax, gdt_tss + 2
	shr	$16, %eax
	mov	%al, gdt_tss + 4
	mov	%ah, gdt_tss + 7

	lgdt	gdt_desc
	ljmp	$KCODE_SEL, $1f
1:	mov	$KDATA_SEL, %ax
	mov	%ax, %ds
	mov	%ax, %es
	mov	%ax, %fs
	mov	%ax, %gs
	mov	%ax, %ss
	mov	$STACK_TOP, %esp

	/* Every vector: an interrupt gate, DPL 0, to "unexpected". */
	xor	%ecx, %ecx
2:	mov	$unexpected, %eax
	mov	$0x8e, %bl
	call	set_gate
	inc	%ecx
	cmp	$NR_GATES, %ecx
	jb	2b
	/* Gates 1-6 of every kind, and the #GP handler. */
	mov	$1, %ecx
	mov	$0x8f, %bl		/* trap gate, DPL 0 */
	call	set_gate
	inc	%ecx
	mov	$0x85, %bl		/* task gate */
	call	set_gate
	movw	$TSS_SEL, idt + 2 * 8 + 2
	inc	%ecx
	mov	$0x86, %bl		/* 16-bit interrupt gate */
	call	set_gate
	inc	%ecx
	mov	$0xee, %bl		/* interrupt gate, DPL 3: a system call */
	call	set_gate
	inc	%ecx
	mov	$0xef, %bl		/* trap gate, DPL 3 */
	call	set_gate
	inc	%ecx
	mov	$0xae, %bl		/* interrupt gate, DPL 1 */
	call	set_gate
	mov	$GP_VECTOR, %ecx
	mov	$gp_handler, %eax
	mov	$0x8e, %bl
	call	set_gate
	lidt	idt_desc

	mov	$msg_tables, %esi
	call	puts
	mov	$gdt, %eax
	call	puthex32
	mov	$msg_idt_at, %esi
	call	puts
	mov	$idt, %eax
	call	puthex32
	call	newline

	/* The shadow GDT, seen through SGDT, and our own. */
	sgdt	table_buf
	mov	$msg_gdt, %esi
	call	puts
	movzwl	table_buf, %eax
	call	puthex16
	mov	$msg_shadow, %esi
	call	puts
	mov	table_buf + 2, %ebx
	mov	$NR_DESCS, %ecx
	call	put_access_run
	mov	$msg_own, %esi
	call	puts
	mov	$gdt, %ebx
	mov	$NR_DESCS, %ecx
	call	put_access_run
	call	newline

	/* The shadow IDT: gates 0-6 and 13, then ours. */
	sidt	table_buf
	mov	$msg_idt, %esi
	call	puts
	movzwl	table_buf, %eax
	call	puthex16
	mov	$msg_shadow, %esi
	call	puts
	mov	table_buf + 2, %ebx
	call	put_gates
	mov	$msg_own, %esi
	call	puts
	mov	$idt, %ebx
	call	put_gates
	call	newline

	/* A GDT one byte bigger than tvmm's shadow room: refused, a #GP. */
	movl	$after_big, gp_resume
	lgdt	big_gdt_desc
after_big:
	lgdt	gdt_desc		/* back to ours, whatever happened */
	mov	$msg_big, %esi
	call	puts
	mov	$msg_refused, %esi
	cmpl	$1, gp_count
	je	3f
	mov	$msg_accepted, %esi
3:	call	puts
	mov	gp_error, %eax
	call	puthex16
	call	newline

	/* An IDT one byte bigger than tvmm's shadow room (256 gates): refused too. */
	movl	$0, gp_count
	movl	$0xffff, gp_error
	movl	$after_big_idt, gp_resume
	lidt	big_idt_desc
after_big_idt:
	lidt	idt_desc
	mov	$msg_big_idt, %esi
	call	puts
	mov	$msg_refused, %esi
	cmpl	$1, gp_count
	je	3f
	mov	$msg_accepted, %esi
3:	call	puts
	mov	gp_error, %eax
	call	puthex16
	call	newline

	/* The second IDT: gates 4 and 5 no longer DPL 3, gate 0x80 is. */
	movb	$0x8e, idt + 4 * 8 + 5
	movb	$0x8f, idt + 5 * 8 + 5
	movb	$0xee, idt + 0x80 * 8 + 5
	lidt	idt_desc

	/* IN and OUT in every form, to a port with no device. */
	mov	$NO_DEVICE_PORT, %dx
	mov	$0x12345678, %eax
	inw	%dx, %ax
	mov	%eax, io_vals
	mov	$0x12345678, %eax
	inl	%dx, %eax
	mov	%eax, io_vals + 4
	mov	$CONSOLE_PORT, %dx	/* the imm8 port is not DX */
	mov	$0x12345678, %eax
	inb	$NO_DEVICE_PORT, %al
	mov	%eax, io_vals + 8
	mov	$ALIAS_PORT, %dx
	mov	$0x12345678, %eax
	inb	%dx, %al
	mov	%eax, io_vals + 12
	mov	$CONSOLE_PORT, %dx
	mov	$'X', %al
	outb	%al, $NO_DEVICE_PORT	/* nothing on the console */
	mov	$NO_DEVICE_PORT, %dx
	mov	$0x5858, %ax
	outw	%ax, %dx
	mov	$msg_io, %esi
	call	puts
	xor	%edi, %edi
4:	mov	io_names(, %edi, 4), %esi
	call	puts
	mov	io_vals(, %edi, 4), %eax
	call	puthex32
	inc	%edi
	cmp	$4, %edi
	jb	4b
	call	newline
	mov	$msg_done, %esi
	jmp	done

unexpected:
	mov	$msg_unexpected, %esi
done:
	call	puts
5:	hlt				/* IF clear: the end */
	jmp	5b

/* #GP: count it, keep its error code, resume at gp_resume. */
gp_handler:
	incl	gp_count
	popl	gp_error
	push	%eax
	mov	gp_resume, %eax
	mov	%eax, 4(%esp)		/* the saved EIP */
	pop	%eax
	iret

/* set_gate: gate ECX of idt -> handler EAX, access byte BL, selector KCODE_SEL. */
set_gate:
	lea	idt(, %ecx, 8), %edi
	mov	%ax, (%edi)
	movw	$KCODE_SEL, 2(%edi)
	movb	$0, 4(%edi)
	mov	%bl, 5(%edi)
	mov	%eax, %edx
	shr	$16, %edx
	mov	%dx, 6(%edi)
	ret

/* put_access_run: " xx" for the access byte of ECX descriptors at EBX. */
put_access_run:
1:	movzbl	5(%ebx), %eax
	call	put_space_hex8
	add	$8, %ebx
	loop	1b
	ret

/* put_gates: " xx" for the access byte of gates 0-6 and 13 of the IDT at EBX. */
put_gates:
	push	%ebx
	mov	$7, %ecx
	call	put_access_run
	pop	%ebx
	movzbl	GP_VECTOR * 8 + 5(%ebx), %eax
	jmp	put_space_hex8

/* put_space_hex8: " xx", AL in hex; keeps ECX. */
put_space_hex8:
	push	%ecx
	push	%eax
	mov	$' ', %al
	call	putc
	pop	%eax
	mov	$2, %ecx
	call	puthex
	pop	%ecx
	ret
puthex16:
	mov	$4, %ecx
	jmp	puthex
puthex32:
	mov	$8, %ecx
/* puthex: the low ECX hex digits of EAX, most significant first; keeps ECX. */
puthex:
	push	%ecx
	push	%edx
	mov	%eax, %edx
	push	%ecx
	shl	$2, %ecx
	neg	%ecx
	add	$32, %ecx
	shl	%cl, %edx		/* the digits to print at the top */
	pop	%ecx
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

newline:
	mov	$'\n', %al
/* putc: the byte in AL on the console. */
putc:
	push	%edx
	mov	$CONSOLE_PORT, %dx
	outb	%al, %dx
	pop	%edx
	ret

/* puts: the NUL-terminated string at ESI. */
puts:
	push	%eax
1:	lodsb
	test	%al, %al
	jz	2f
	call	putc
	jmp	1b
2:	pop	%eax
	ret

msg_tables:	.asciz "tables: gdt "
msg_idt_at:	.asciz " idt "
msg_gdt:	.asciz "gdt: limit "
msg_idt:	.asciz "idt: limit "
msg_shadow:	.asciz " shadow"
msg_own:	.asciz " own"
msg_big:	.asciz "big gdt: "
msg_big_idt:	.asciz "big idt: "
msg_refused:	.asciz "refused with #GP "
msg_accepted:	.asciz "accepted, no #GP "
msg_io:		.asciz "io:"
msg_in16:	.asciz " in16 "
msg_in32:	.asciz " in32 "
msg_in8imm:	.asciz " in8imm "
msg_in8dx:	.asciz " in8dx1e9 "
msg_done:	.asciz "shadow: done\n"
msg_unexpected:	.asciz "shadow: unexpected exception\n"

	.balign 4
io_names:	.long msg_in16, msg_in32, msg_in8imm, msg_in8dx
io_vals:	.long 0, 0, 0, 0
gp_count:	.long 0
gp_error:	.long 0xffff
gp_resume:	.long 0

/* Accessed bits preset: the CPU sets them in the shadow when it loads a segment. */
	.balign 8
gdt:
	.quad	0			/* 0x00: null */
	.quad	0x00cf9b000000ffff	/* 0x08: code, DPL 0 */
	.quad	0x00cf93000000ffff	/* 0x10: data, DPL 0 */
gdt_tss:
	.word	103, 0			/* 0x18: 32-bit TSS, DPL 0 (a system descriptor) */
	.byte	0, 0x89, 0, 0
	.quad	0x00cffb000000ffff	/* 0x20: code, DPL 3 */
	.quad	0x00cff3000000ffff	/* 0x28: data, DPL 3 */
	.quad	0x0000820000000000	/* 0x30: an LDT, DPL 0 (system) */
	.quad	0x00cf93000000ffff	/* 0x38: data, DPL 0, the last one */
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
	.word	0
big_gdt_desc:
	.word	0x1000			/* the shadow holds 0x1000 bytes: limit 0xfff */
	.long	gdt
	.word	0
big_idt_desc:
	.word	0x800			/* the shadow holds 256 gates: limit 0x7ff */
	.long	idt
	.word	0
table_buf:
	.word	0
	.long	0
