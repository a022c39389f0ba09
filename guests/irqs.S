/*
 * irqs.S - a ring-0 kernel that checks the virtual CPU's interrupt rules.
 *
 * Concept: the notes' CLI example and the three flows (lab 07), seen from
 * inside. In --mode deprivileged tvmm keeps this kernel's IF (the virtual
 * IF), injects the timer tick and reflects system calls; here the kernel
 * checks what a real CPU guarantees:
 *   1. the STI shadow: a tick held while IF was 0 comes after the
 *      instruction that follows STI, not before it;
 *   2. delivery through an interrupt gate clears IF: a tick that falls due
 *      while the handler runs (IF 0) waits for its STI; no nesting;
 *   3. a run of STIs with IF already 1 does not hold a due tick back (a
 *      second STI opens no shadow);
 *   4. from ring 3: `int $0x80` and `int $0x81` (DPL-3 gates) reach their
 *      own handlers; `int $0x21` through a DPL-0 gate is a #GP with error
 *      code 0x21 * 8 + 2 (IDT, vector) and EIP *at* the INT;
 *   5. it ends with IF 1 (its last STI), then HLT once the handler leaves
 *      IF 0.
 * Console (every mode where the checks hold):
 *   irqs: sti shadow: the tick came after the next instruction
 *   irqs: no tick while the handler ran with IF 0
 *   irqs: a run of stis took the due tick inside it
 *   irqs: syscalls 0x80 0x81; int 0x21 from ring 3: #GP 010a at the int
 *   irqs: ticks N      (timer handler runs so far; one more ends the run)
 * Timing: the default timer period (TIMER_DEFAULT TSC ticks); the spins
 * are 2.5 periods, so a tick always falls due inside them.
 * tests/selftests/tvmm/deprivilege_test.c runs it twice in a row and
 * checks the trace and tvmm's count of delivered ticks (debugfs).
 */
	.include "guest.inc"

	.equ KCODE_SEL, 0x08
	.equ KDATA_SEL, 0x10
	.equ UCODE_SEL, 0x18 | 3
	.equ UDATA_SEL, 0x20 | 3
	.equ TSS_SEL, 0x28
	.equ KSTACK_TOP, 0x80000
	.equ USTACK_TOP, 0x70000
	.equ NR_GATES, 0x82
	.equ GP_VECTOR, 13
	.equ FORBIDDEN_VECTOR, 0x21	/* a DPL-0 gate: not for ring 3 */
	.equ SPIN_TSC, TIMER_DEFAULT * 5 / 2
	.equ STI_RUN, 4096		/* STIs in a row: several timer periods of exits */
	.equ TSS_ESP0, 4
	.equ TSS_SS0, 8

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
2:	mov	$unexpected, %eax
	mov	$0x8e, %bl		/* interrupt gate, DPL 0 */
	call	set_gate
	inc	%ecx
	cmp	$NR_GATES, %ecx
	jb	2b
	mov	$GP_VECTOR, %ecx
	mov	$gp_handler, %eax
	call	set_gate
	mov	$TIMER_VECTOR, %ecx
	mov	$timer_isr, %eax
	call	set_gate
	mov	$FORBIDDEN_VECTOR, %ecx
	mov	$forbidden_isr, %eax
	call	set_gate
	mov	$0x80, %ecx
	mov	$sys80, %eax
	mov	$0xee, %bl		/* interrupt gate, DPL 3: a system call */
	call	set_gate
	mov	$0x81, %ecx
	mov	$sys81, %eax
	call	set_gate
	lidt	idt_desc		/* the virtual timer starts */
	mov	$TSS_SEL, %ax
	ltr	%ax

	/*
	 * 1. IF is 0 (the guest ABI's start): spin until a tick is due and
	 * held, then STI. The tick must come after the MOVL, not before.
	 */
	mov	$SPIN_TSC, %ecx
	call	delay
	sti
	movl	$1, after_sti
	mov	$1, %eax
	call	wait_ticks
	mov	$msg_shadow_ok, %esi
	cmpl	$1, seen_after_sti
	je	3f
	mov	$msg_shadow_bad, %esi
3:	call	puts

	/* 2. The next handler spins 2.5 periods with IF 0: no tick may nest. */
	movl	$1, isr_spin
	mov	ticks, %eax
	add	$2, %eax
	call	wait_ticks
	mov	$msg_nest_ok, %esi
	cmpl	$0, nested
	je	4f
	mov	$msg_nest_bad, %esi
4:	call	puts

	/* 3. IF is 1: a due tick comes in during a run of STIs. */
	mov	$SPIN_TSC, %ecx
	call	delay			/* a tick is due: it comes in here or... */
	movl	$0, in_sti_run
	movl	$1, count_sti_run
sti_run:
	.rept	STI_RUN
	sti
	.endr
sti_run_end:
	movl	$0, count_sti_run
	mov	$msg_run_ok, %esi
	cmpl	$0, in_sti_run
	jne	5f
	mov	$msg_run_bad, %esi
5:	call	puts

	/* 4. Ring 3: two system calls and a forbidden vector. */
	pushl	$UDATA_SEL
	pushl	$USTACK_TOP
	pushfl
	pushl	$UCODE_SEL
	pushl	$app
	iret
after_app:
	mov	$KSTACK_TOP, %esp
	mov	$KDATA_SEL, %ax
	mov	%ax, %ds
	mov	%ax, %es
	mov	$msg_sys, %esi
	call	puts
	mov	$msg_80, %esi
	cmpl	$0, sys80_count
	jne	6f
	mov	$msg_none, %esi
6:	call	puts
	mov	$msg_81, %esi
	cmpl	$0, sys81_count
	jne	7f
	mov	$msg_none, %esi
7:	call	puts
	mov	$msg_forbidden, %esi
	call	puts
	mov	$msg_reached, %esi
	cmpl	$0, forbidden_reached
	jne	9f
	mov	$msg_no_gp, %esi
	cmpl	$0, gp_count
	je	9f
	mov	$msg_gp, %esi
	call	puts
	mov	gp_error, %eax
	call	puthex16
	mov	$msg_at_int, %esi
	cmpl	$app_forbidden, gp_eip
	je	9f
	mov	$msg_not_at_int, %esi
9:	call	puts

	/*
	 * 5. The tick count (IF 0 while it is printed), then end with IF 1
	 * (an STI last); the next handler returns with IF 0 and HLT ends it.
	 */
	cli
	mov	$msg_ticks, %esi
	call	puts
	mov	ticks, %eax
	call	putdec
	call	newline
	movl	$1, ending
	sti
10:	hlt
	jmp	10b

unexpected:
	mov	$msg_unexpected, %esi
	call	puts
	cli
11:	hlt
	jmp	11b

/* The timer (vector 0x20, an interrupt gate): count, check, STI; IRET. */
timer_isr:
	push	%eax
	push	%ecx
	push	%edx
	push	%ds
	mov	$KDATA_SEL, %ax
	mov	%ax, %ds
	incl	depth
	cmpl	$1, depth
	je	1f
	movl	$1, nested
1:	cmpl	$0, ticks
	jne	2f
	mov	after_sti, %eax
	mov	%eax, seen_after_sti
2:	incl	ticks
	cmpl	$0, count_sti_run
	je	3f
	mov	16(%esp), %eax		/* the interrupted EIP */
	cmp	$sti_run, %eax
	jbe	3f
	cmp	$sti_run_end, %eax
	ja	3f
	incl	in_sti_run
3:	cmpl	$0, isr_spin
	je	4f
	movl	$0, isr_spin
	mov	$SPIN_TSC, %ecx
	call	delay
4:	decl	depth
	cmpl	$0, ending
	pop	%ds
	pop	%edx
	pop	%ecx
	pop	%eax
	jne	5f
	sti				/* its shadow covers the IRET */
	iret
5:	andl	$~0x200, 8(%esp)	/* the end: IF 0 after IRET at ring 0 too */
	iret

/* #GP: from the app's forbidden INT; keep error code and EIP, leave the app. */
gp_handler:
	mov	$KDATA_SEL, %ax
	mov	%ax, %ds
	incl	gp_count
	popl	gp_error
	popl	gp_eip
	jmp	after_app

/* Vector 0x21, kernel only: reached from ring 3 means the DPL check failed. */
forbidden_isr:
	push	%ds
	push	%eax
	mov	$KDATA_SEL, %ax
	mov	%ax, %ds
	incl	forbidden_reached
	pop	%eax
	pop	%ds
	iret

/* System calls: 0x80 with EAX 0 leaves the app, else counts; 0x81 counts. */
sys80:
	push	%ds
	push	%ebx
	mov	$KDATA_SEL, %bx
	mov	%bx, %ds
	test	%eax, %eax
	jz	after_app
	incl	sys80_count
	pop	%ebx
	pop	%ds
	iret
sys81:
	push	%ds
	push	%ebx
	mov	$KDATA_SEL, %bx
	mov	%bx, %ds
	incl	sys81_count
	pop	%ebx
	pop	%ds
	iret

/* wait_ticks: HLT (IF 1) until ticks >= EAX. */
wait_ticks:
1:	cmp	%eax, ticks
	jae	2f
	hlt
	jmp	1b
2:	ret

/* delay: spin until the TSC has advanced by ECX ticks. Clobbers EAX, EDX. */
delay:
	push	%ebx
	rdtsc
	mov	%eax, %ebx
1:	pause
	rdtsc
	sub	%ebx, %eax
	cmp	%ecx, %eax
	jb	1b
	pop	%ebx
	ret

/* set_gate: gate ECX -> handler EAX, access byte BL, selector KCODE_SEL. */
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

/* puthex16: EAX's low 4 hex digits. */
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

/* putdec: EAX in decimal. */
putdec:
	push	%ecx
	push	%edx
	push	%ebx
	mov	$10, %ebx
	xor	%ecx, %ecx
1:	xor	%edx, %edx
	div	%ebx
	push	%edx
	inc	%ecx
	test	%eax, %eax
	jnz	1b
2:	pop	%eax
	add	$'0', %al
	call	putc
	loop	2b
	pop	%ebx
	pop	%edx
	pop	%ecx
	ret

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

/* The application, ring 3. */
app:
	mov	$UDATA_SEL, %ax
	mov	%ax, %ds
	mov	%ax, %es
	mov	$1, %eax
	int	$0x80
	int	$0x81
app_forbidden:
	int	$FORBIDDEN_VECTOR
	xor	%eax, %eax
	int	$0x80			/* leave */
12:	jmp	12b

msg_shadow_ok:	.asciz "irqs: sti shadow: the tick came after the next instruction\n"
msg_shadow_bad:	.asciz "irqs: sti shadow: the tick came before the next instruction\n"
msg_nest_ok:	.asciz "irqs: no tick while the handler ran with IF 0\n"
msg_nest_bad:	.asciz "irqs: a tick nested in the handler (IF 0)\n"
msg_run_ok:	.asciz "irqs: a run of stis took the due tick inside it\n"
msg_run_bad:	.asciz "irqs: a run of stis held the due tick back\n"
msg_sys:	.asciz "irqs: syscalls"
msg_80:		.asciz " 0x80"
msg_81:		.asciz " 0x81"
msg_none:	.asciz " -"
msg_forbidden:	.asciz "; int 0x21 from ring 3: "
msg_reached:	.asciz "reached its kernel-only handler\n"
msg_no_gp:	.asciz "no #GP\n"
msg_gp:		.asciz "#GP "
msg_at_int:	.asciz " at the int\n"
msg_not_at_int:	.asciz " not at the int\n"
msg_ticks:	.asciz "irqs: ticks "
msg_unexpected:	.asciz "irqs: unexpected exception\n"

	.balign 4
ticks:		.long 0
depth:		.long 0
nested:		.long 0
after_sti:	.long 0
seen_after_sti:	.long 0
isr_spin:	.long 0
count_sti_run:	.long 0
in_sti_run:	.long 0
ending:		.long 0
gp_count:	.long 0
gp_error:	.long 0
gp_eip:		.long 0
sys80_count:	.long 0
sys81_count:	.long 0
forbidden_reached: .long 0

	.balign 8
gdt:
	.quad	0
	.quad	0x00cf9a000000ffff	/* 0x08: kernel code */
	.quad	0x00cf92000000ffff	/* 0x10: kernel data */
	.quad	0x00cffa000000ffff	/* 0x18: user code */
	.quad	0x00cff2000000ffff	/* 0x20: user data */
gdt_tss:
	.word	103, 0			/* 0x28: TSS */
	.byte	0, 0x89, 0, 0
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
