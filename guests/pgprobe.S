/*
 * pgprobe.S - Popek and Goldberg's efficiency and resource-control
 * properties, probed from inside a guest (tvmm compare's property runs).
 *
 * Concept: a VMM, for Popek and Goldberg, has three properties:
 * equivalence (the program behaves as on the real machine: tvmm compare's
 * "correct"), efficiency (a dominant share of the instructions runs on
 * the real CPU, not in the VMM) and resource control (the program cannot
 * reach resources the VMM did not give it). This guest measures the last
 * two under any technique:
 *
 * 1. Efficiency, counted. A loop of ITERATIONS iterations that does what
 *    a kernel's "save flags, disable interrupts, update, restore flags"
 *    does (Linux's local_irq_save/restore around a counter): PUSHF, CLI,
 *    four ordinary instructions, POPF, and the loop's DEC/JNZ. The guest
 *    knows by construction how many instructions the region executes: the
 *    table at image offset 16 ("PGPROBE1", the region's first and end
 *    address, that count) says it, and tests/host/guests_test.c checks
 *    BODY_INSNS against the assembled loop. tvmm compare counts the exits
 *    whose RIP lies in the region (the instructions the VMM ran for the
 *    guest: emulated, patched or reflected); efficiency = 1 - those / the
 *    count. Expected: hw 1 (nothing in the loop exits), deprivileged 1 -
 *    1/9 (CLI traps at ring 1; PUSHF and POPF silently do not), patch
 *    1 - 3/9 (PUSHF and POPF are patched to INT3 and trap as well),
 *    paravirt (pgprobe_pv.bin, -DPARAVIRT) 1 - 1/11 (one set-IF hypercall;
 *    the flags are the kernel's own copy).
 *
 * 2. Resource control: two resources the VM was never given.
 *    - The host's CMOS clock (ports 0x70/0x71): select register 0 (the
 *      seconds, BCD, at most 0x59) and read it. tvmm has no such device:
 *      the write is dropped and the read gives all ones, so the guest
 *      prints "pgprobe: cmos seconds 000000ff" (a real RTC never says ff).
 *    - Memory above its RAM: a store at 64 MiB (TVMM_GUEST_MEM_MAX, above
 *      any RAM tvmm gives). EPT maps nothing there: an EPT violation, and
 *      tvmm ends the VM (status 111, end_info 0x4000000). Had the store
 *      gone through, the next line would print "ESCAPED".
 *
 * Console (every technique):
 *   pgprobe: counted loop done
 *   pgprobe: cmos seconds 000000ff
 *   pgprobe: store at 64 MiB
 * Ends with an EPT violation at 0x4000000 (tvmm run status 111).
 * Runs without IDT or timer (with --timer 0 or without: it never loads an
 * IDT, so no tick is ever injected).
 */
	.include "guest.inc"
	.equ ITERATIONS, 1000
	.equ NOT_GIVEN_GPA, 0x4000000	/* 64 MiB: above any guest RAM */
	.equ CMOS_INDEX, 0x70
	.equ CMOS_DATA, 0x71

#ifndef PARAVIRT
	.equ BODY_INSNS, 9		/* instructions per iteration: see count_body */
.macro save_flags
	pushf
.endm
.macro irq_disable
	cli
.endm
.macro restore_flags
	popf
.endm
#else
	.equ BODY_INSNS, 11
.macro save_flags		/* the kernel's own copy of its flags */
	pushl	pv_flags
.endm
.macro irq_disable		/* the set-IF hypercall, IF = 0 */
	mov	$HC_SET_IF, %eax
	xor	%ebx, %ebx
	vmcall
.endm
.macro restore_flags		/* IF was 0 before: nothing to tell tvmm */
	popl	pv_flags
.endm
	.equ HEX_VMCALL, 1		/* hex.inc: print with the putc hypercall */
#endif
	.code32
	.text
	.globl _start
_start:
	jmp	main
	.fill 16 - (. - _start), 1, 0x90
/* Offset 16: the counted region, for tvmm compare and the tests. */
pgprobe_table:
	.ascii	"PGPROBE1"
	.long	count_begin		/* first instruction of the region */
	.long	count_end		/* first address after it */
	.long	1 + ITERATIONS * BODY_INSNS	/* instructions the region runs */
	.long	ITERATIONS

main:
	cld
count_begin:
	mov	$ITERATIONS, %ecx
count_body:
	save_flags
	irq_disable
	addl	$1, counter		/* the critical section */
	movl	counter, %eax
	xorl	%eax, %ebx
	roll	$1, %ebx
	restore_flags
	dec	%ecx
	jnz	count_body
count_end:
	mov	$msg_loop, %esi
	call	puts

	/* The host's RTC: register 0, the seconds (BCD 00..59 on a real PC). */
	mov	$msg_cmos, %esi
	call	puts
	mov	$0x00, %al
	outb	%al, $CMOS_INDEX
	inb	$CMOS_DATA, %al
	movzbl	%al, %eax
	call	print_hex32
	mov	$'\n', %al
	call	print_char

	/* Memory the VM was not given. */
	mov	$msg_store, %esi
	call	puts
	movl	$0x1badb002, NOT_GIVEN_GPA	/* exit: EPT_VIOLATION, the end */
	mov	$msg_escaped, %esi
	call	puts
1:	hlt
	jmp	1b

/* Print the NUL-terminated string at ESI. */
puts:
	lodsb
	test	%al, %al
	jz	2f
	call	print_char
	jmp	puts
2:	ret

/* print_hex32 and print_char (OUT, or the putc hypercall when paravirtual) */
	.include "hex.inc"

	.data
counter:	.long 0
pv_flags:	.long 0x2		/* IF 0, bit 1 always set */
msg_loop:	.asciz "pgprobe: counted loop done\n"
msg_cmos:	.asciz "pgprobe: cmos seconds "
msg_store:	.asciz "pgprobe: store at 64 MiB\n"
msg_escaped:	.asciz "pgprobe: ESCAPED: the store at 64 MiB went through\n"
