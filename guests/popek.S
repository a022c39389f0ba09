/*
 * popek.S - sensitive but unprivileged instructions (Popek and Goldberg).
 *
 * Concept: the Popek-Goldberg condition. Trap-and-emulate works only if
 * every *sensitive* instruction (one that reads or changes the machine's
 * privileged state) is also *privileged* (traps when not at ring 0). x86
 * before VT-x breaks the rule: at ring 1 (tvmm's --mode deprivileged)
 * PUSHF shows the real IF, POPF silently leaves IF alone, SGDT returns
 * tvmm's shadow GDT, MOV from CS shows RPL 1, and none of them traps, so
 * tvmm never gets a chance to lie. This kernel runs each one and checks
 * the answer against what a real ring-0 machine must give; it needs no
 * IDT and never enables interrupts for longer than one check.
 *
 * Console (one line per check, "OK" or "WRONG", then the count):
 *   --mode hw (ring 0, VT-x: "full virtualization with hardware support"):
 *     popek: mov cs: RPL=0 OK
 *     popek: pushf after cli: IF=0 OK
 *     popek: popf of IF=0 after sti: IF=0 OK
 *     popek: smsw after setting TS: PE=1 TS=1 OK
 *     popek: sgdt: base is our GDT OK
 *     popek: 0 wrong
 *   --mode deprivileged (ring 1, real IF = 1, IOPL 0):
 *     popek: mov cs: RPL=1 WRONG
 *     popek: pushf after cli: IF=1 WRONG
 *     popek: popf of IF=0 after sti: IF=1 WRONG
 *     popek: smsw after setting TS: PE=1 TS=1 OK
 *     popek: sgdt: base 0x001f0000 is not our GDT WRONG
 *     popek: 4 wrong
 *   (SMSW is sensitive too, but tvmm keeps the real CR0's low bits equal
 *   to the guest's view, so its answer happens to be right; the SGDT base
 *   is guest RAM size - 64 KiB, here with the default 2 MiB.)
 *
 * Expected trace:
 *   hw:           IO_INSTRUCTION per console byte, CR_ACCESS for the MOVs
 *                 to CR0 that tvmm intercepts, one HLT; nothing else.
 *   deprivileged: #GP exits (EXCEPTION_NMI), action "emulated", with the
 *                 mnemonics lgdt (1), cli (3), sti (1), mov from cr (2),
 *                 mov cr0 (2) and the final hlt; the console OUTs are
 *                 IO_INSTRUCTION exits, not #GPs (popek loads no TSS, and
 *                 tvmm's all-zero entry TSS lets port 0xE9 through the I/O
 *                 permission check); *no* exit at the MOV CS, PUSHF, POPF,
 *                 SMSW or SGDT:
 *                 their addresses are in the table at offset 16 of the
 *                 image ("POPEKTAB", count, addresses), which
 *                 tests/selftests/tvmm/popek_test.c checks against the
 *                 records' rip.
 *   patch:        the deprivileged trace, plus one EPT_VIOLATION exit
 *                 ("scan page", before the first instruction runs) and
 *                 one #BP exit per table entry, action "patched", with the
 *                 original bytes (module/patch.c); console as in hw.
 * Ends with CLI; HLT (status 0).
 *
 * Paravirtual build (popek_pv.bin, this file with -DPARAVIRT, for --mode
 * paravirt): the third fix. The kernel no longer asks the CPU, it asks the
 * VMM or keeps its own copy, as Linux's paravirt ops (pv_ops.irq) and Xen
 * guests do: interrupts on/off are the "set IF" hypercall plus a copy of
 * the flags the guest keeps itself (save_flags pushes that copy, like
 * Linux's save_fl reading Xen's shared-info mask; restore_flags makes the
 * hypercall), SMSW is the "get CR0" hypercall (4), SGDT returns the GDTR
 * the kernel loaded (it remembers it), MOV from CS is the kernel's own
 * selector constant, and the console is the putc hypercall. The binary
 * holds none of PUSHF, POPF, SGDT, SMSW, MOV from CS, CLI, STI, OUT or HLT
 * (tests/host/guests_test.c checks), so it gives the hw answers in any
 * mode that honours the hypercalls, and ends with hypercall exit(0).
 * LGDT and MOV to/from CR0 stay: they are privileged, so they trap
 * wherever they are not allowed, and trap-and-emulate handles them.
 */
	.include "guest.inc"
	.equ HC_GET_CR0, 4		/* VMCALL EAX=4: EAX = the guest's CR0 */

#ifndef PARAVIRT
/* The native build: the instructions themselves. */
.macro irq_disable
	cli
.endm
.macro irq_enable
	sti
.endm
.macro save_flags		/* push EFLAGS */
	pushf
.endm
.macro restore_flags		/* pop EFLAGS */
	popf
.endm
.macro read_cs			/* AX = CS */
	mov	%cs, %ax
.endm
.macro store_msw		/* AX = CR0[15:0] */
	smsw	%ax
.endm
.macro store_gdt dst		/* dst = GDTR (limit, base) */
	sgdt	\dst
.endm
.macro putc_al			/* the byte in AL to the console */
	outb	%al, $CONSOLE_PORT
.endm
.macro poweroff			/* the end: CLI; HLT (reason hlt, status 0) */
	cli
99:	hlt
	jmp	99b
.endm
#else /* PARAVIRT */
/* The paravirtual build: ask tvmm, or use what the kernel keeps itself. */
.macro hypercall nr		/* EAX = nr, argument in EBX; EAX = result */
	mov	$\nr, %eax
	vmcall
.endm
.macro irq_disable
	push	%eax
	push	%ebx
	movl	$EFLAGS_FIXED, pv_flags
	xor	%ebx, %ebx
	hypercall HC_SET_IF
	pop	%ebx
	pop	%eax
.endm
.macro irq_enable
	push	%eax
	push	%ebx
	movl	$(EFLAGS_FIXED | EFLAGS_IF), pv_flags
	mov	$1, %ebx
	hypercall HC_SET_IF
	pop	%ebx
	pop	%eax
.endm
.macro save_flags		/* the kernel's own copy: IF as it last set it */
	pushl	pv_flags
.endm
.macro restore_flags		/* IF from the popped value, by hypercall */
	call	pv_restore_flags
	add	$4, %esp
.endm
.macro read_cs			/* the kernel knows its own code selector */
	mov	$KCODE_SEL, %ax
.endm
.macro store_msw
	push	%ebx
	hypercall HC_GET_CR0
	pop	%ebx
.endm
.macro store_gdt dst		/* the GDTR the kernel loaded, from its copy */
	push	%eax
	mov	gdt_desc, %eax
	mov	%eax, \dst
	mov	gdt_desc + 4, %ax
	mov	%ax, \dst + 4
	pop	%eax
.endm
.macro putc_al
	push	%eax
	push	%ebx
	movzbl	%al, %ebx
	hypercall HC_PUTC
	pop	%ebx
	pop	%eax
.endm
.macro poweroff			/* hypercall exit, status 0 */
	xor	%ebx, %ebx
	hypercall HC_EXIT
99:	jmp	99b
.endm
#endif /* PARAVIRT */

	.equ EFLAGS_IF, 0x200
	.equ EFLAGS_FIXED, 0x2		/* bit 1 always reads 1 */
	.equ KCODE_SEL, 0x08		/* our GDT: flat code, DPL 0 */
	.equ NR_SENSITIVE, 7		/* entries in popek_table */

	.code32
	.text
	.globl _start
_start:
	jmp	main

/*
 * At a fixed offset (16) of the image: the addresses of the sensitive,
 * non-trapping instructions below, for the test.
 */
	.org 16
popek_table:
	.ascii	"POPEKTAB"
	.long	NR_SENSITIVE
	.long	insn_mov_cs, insn_pushf1, insn_pushf2, insn_popf, insn_pushf3
	.long	insn_smsw, insn_sgdt

main:
	mov	$0x80000, %esp		/* tvmm's flat SS; below any --mem's top */
	xor	%edi, %edi		/* EDI = the number of WRONG lines */

	/* Our GDT (deprivileged: traps, tvmm builds its shadow elsewhere). */
	lgdt	gdt_desc

	/* 1. MOV from CS: the RPL is the CPL, which a kernel expects to be 0. */
insn_mov_cs:
	read_cs
	mov	%eax, %ebx
	mov	$msg_cs, %esi
	call	puts
	mov	%ebx, %eax
	and	$3, %eax
	call	print_digit
	test	$3, %ebx
	call	verdict_z		/* RPL 0: OK */

	/* 2. CLI, then PUSHF: IF must read 0. */
	irq_disable
insn_pushf1:
	save_flags
	pop	%ebx
	mov	$msg_pushf, %esi
	call	puts
	call	print_if
	test	$EFLAGS_IF, %ebx
	call	verdict_z		/* IF = 0: OK */

	/*
	 * 3. STI, then POPF of our flags with IF cleared (what a kernel's
	 * "restore flags" does after a section that ran with interrupts off):
	 * IF must read 0 again. At ring 1 with IOPL 0, POPF keeps IF as it is.
	 */
	irq_enable
insn_pushf2:
	save_flags
	pop	%eax
	and	$~EFLAGS_IF, %eax
	push	%eax
insn_popf:
	restore_flags
insn_pushf3:
	save_flags
	pop	%ebx
	irq_disable			/* whatever POPF did: interrupts off */
	mov	$msg_popf, %esi
	call	puts
	call	print_if
	test	$EFLAGS_IF, %ebx
	call	verdict_z

	/* 4. Set CR0.TS (privileged: traps), then SMSW: PE=1, TS=1. */
	mov	%cr0, %eax
	or	$CR0_TS, %eax
	mov	%eax, %cr0
	xor	%eax, %eax
insn_smsw:
	store_msw
	mov	%eax, %ebx
	mov	%cr0, %eax		/* TS off again */
	and	$~CR0_TS, %eax
	mov	%eax, %cr0
	mov	$msg_smsw, %esi
	call	puts
	mov	%ebx, %eax
	and	$CR0_PE, %eax
	call	print_digit
	mov	$msg_ts, %esi
	call	puts
	mov	%ebx, %eax
	shr	$3, %eax		/* CR0_TS is bit 3 */
	and	$1, %eax
	call	print_digit
	and	$(CR0_PE | CR0_TS), %ebx
	cmp	$(CR0_PE | CR0_TS), %ebx
	call	verdict_z

	/* 5. SGDT: the base must be the GDT we loaded. */
insn_sgdt:
	store_gdt sgdt_buf
	mov	$msg_sgdt, %esi
	call	puts
	mov	sgdt_buf + 2, %ebx
	cmp	$gdt, %ebx
	jne	1f
	mov	$msg_ours, %esi
	call	puts
	jmp	2f
1:	mov	$msg_base, %esi
	call	puts
	mov	%ebx, %eax
	call	print_hex
	mov	$msg_notours, %esi
	call	puts
2:	cmp	$gdt, %ebx
	call	verdict_z

	/* "popek: N wrong", then the end. */
	mov	$msg_prefix, %esi
	call	puts
	mov	%edi, %eax
	call	print_digit
	mov	$msg_wrong, %esi
	call	puts
	poweroff

/* verdict_z: print " OK\n" if ZF is set, else " WRONG\n" and count it. */
verdict_z:
	jz	1f
	inc	%edi
	mov	$msg_bad, %esi
	jmp	puts
1:	mov	$msg_ok, %esi
	/* fall through */

/* puts: print the NUL-terminated string at ESI. Clobbers EAX, ESI. */
puts:
1:	lodsb
	test	%al, %al
	jz	2f
	putc_al
	jmp	1b
2:	ret

/* print_if: print "IF=0" or "IF=1" from the flags in EBX. Clobbers EAX, ESI. */
print_if:
	mov	$msg_if, %esi
	call	puts
	mov	%ebx, %eax
	shr	$9, %eax		/* EFLAGS_IF is bit 9 */
	and	$1, %eax
	/* fall through */

/* print_digit: print EAX (0..9) as one digit. Clobbers EAX. */
print_digit:
	add	$'0', %al
	putc_al
	ret

/* print_hex: print EAX as 0x and 8 hex digits. Clobbers EAX. */
print_hex:
	push	%ecx
	push	%edx
	mov	%eax, %edx
	mov	$'0', %al
	putc_al
	mov	$'x', %al
	putc_al
	mov	$8, %ecx
1:	rol	$4, %edx
	mov	%dl, %al
	and	$0xf, %al
	add	$'0', %al
	cmp	$'9', %al
	jbe	2f
	add	$('a' - '9' - 1), %al
2:	putc_al
	loop	1b
	pop	%edx
	pop	%ecx
	ret

#ifdef PARAVIRT
/* restore_flags: the flags at 4(%esp) (under the return address). */
pv_restore_flags:
	push	%eax
	push	%ebx
	mov	12(%esp), %ebx
	and	$EFLAGS_IF, %ebx
	or	$EFLAGS_FIXED, %ebx
	mov	%ebx, pv_flags		/* the kernel's copy first, then tvmm's */
	shr	$9, %ebx		/* EFLAGS_IF is bit 9 */
	hypercall HC_SET_IF
	pop	%ebx
	pop	%eax
	ret

	.balign 4
pv_flags:	.long	EFLAGS_FIXED	/* interrupts off at entry (guest ABI) */
#endif

msg_cs:		.asciz	"popek: mov cs: RPL="
msg_pushf:	.asciz	"popek: pushf after cli: "
msg_popf:	.asciz	"popek: popf of IF=0 after sti: "
msg_if:		.asciz	"IF="
msg_smsw:	.asciz	"popek: smsw after setting TS: PE="
msg_ts:		.asciz	" TS="
msg_sgdt:	.asciz	"popek: sgdt: "
msg_ours:	.asciz	"base is our GDT"
msg_base:	.asciz	"base "
msg_notours:	.asciz	" is not our GDT"
msg_prefix:	.asciz	"popek: "
msg_wrong:	.asciz	" wrong\n"
msg_ok:		.asciz	" OK\n"
msg_bad:	.asciz	" WRONG\n"

/* A flat GDT like minios's kernel half: null, code (0x08), data (0x10). */
	.balign 8
gdt:
	.quad	0
	.quad	0x00cf9a000000ffff	/* code: base 0, limit 4 GiB, DPL 0 */
	.quad	0x00cf92000000ffff	/* data: base 0, limit 4 GiB, DPL 0 */
gdt_end:
	.balign 4
	.word	0			/* aligns the base of the descriptor */
gdt_desc:
	.word	gdt_end - gdt - 1
	.long	gdt
sgdt_buf:
	.word	0
	.long	0
