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
 * Ends with CLI; HLT (status 0).
 */
	.include "guest.inc"

	.equ EFLAGS_IF, 0x200
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
	mov	%cs, %ax
	mov	%eax, %ebx
	mov	$msg_cs, %esi
	call	puts
	mov	%ebx, %eax
	and	$3, %eax
	call	print_digit
	test	$3, %ebx
	call	verdict_z		/* RPL 0: OK */

	/* 2. CLI, then PUSHF: IF must read 0. */
	cli
insn_pushf1:
	pushf
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
	sti
insn_pushf2:
	pushf
	pop	%eax
	and	$~EFLAGS_IF, %eax
	push	%eax
insn_popf:
	popf
insn_pushf3:
	pushf
	pop	%ebx
	cli				/* whatever POPF did: interrupts off */
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
	smsw	%ax
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
	sgdt	sgdt_buf
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
	cli
1:	hlt
	jmp	1b

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
	outb	%al, $CONSOLE_PORT
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
	outb	%al, $CONSOLE_PORT
	ret

/* print_hex: print EAX as 0x and 8 hex digits. Clobbers EAX. */
print_hex:
	push	%ecx
	push	%edx
	mov	%eax, %edx
	mov	$'0', %al
	outb	%al, $CONSOLE_PORT
	mov	$'x', %al
	outb	%al, $CONSOLE_PORT
	mov	$8, %ecx
1:	rol	$4, %edx
	mov	%dl, %al
	and	$0xf, %al
	add	$'0', %al
	cmp	$'9', %al
	jbe	2f
	add	$('a' - '9' - 1), %al
2:	outb	%al, $CONSOLE_PORT
	loop	1b
	pop	%edx
	pop	%ecx
	ret

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
