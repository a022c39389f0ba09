/*
 * privileged.S - a ring-0 kernel that does only privileged things.
 *
 * Concept: de-privileging (the notes' "virtual kernel mode"). This is an
 * ordinary ring-0 kernel: it loads its own GDT (DPL-0 code and data),
 * reloads CS with a far jump and the data segments, loads an IDT and a
 * TSS, toggles CR0.TS with read-modify-write, reads port 0xE9 with IN,
 * writes the console with OUT and stops with HLT. Every one of those
 * instructions is privileged. Run it
 *   --mode hw --timer 0            at ring 0: they just run; only OUT/IN
 *                                  (IO_INSTRUCTION), MOV to CR0
 *                                  (CR_ACCESS) and HLT exit;
 *   --mode deprivileged --timer 0  at ring 1: each one faults (#GP) and
 *                                  tvmm emulates it; the kernel never
 *                                  notices, except that MOV from CS shows
 *                                  RPL 1 (a sensitive instruction that
 *                                  does not trap: lab 08).
 * It needs no timer and uses no CLI, STI or INT, so it runs with lab 07
 * still a stub.
 *
 * Console: "privileged: ok cpl=0" (hw) or "privileged: ok cpl=1"
 * (deprivileged); "privileged: FAIL ..." if CR0.TS or IN 0xE9 came back
 * wrong; "privileged: exception" if the CPU delivered an exception
 * through its IDT.
 *
 * Expected trace, deprivileged: EXCEPTION_NMI (#GP) records, action
 * "emulated", cpl 1, mnemonics in order: lgdt, mov ss, lidt, ltr,
 * mov from cr, mov cr0, mov from cr, mov cr0, mov from cr, in, then one
 * "out" per console byte, then hlt. hw: 2 CR_ACCESS ("mov cr0"), 1 IN and
 * one OUT per byte (IO_INSTRUCTION), HLT; no EXCEPTION_NMI; cpl 0.
 * tests/selftests/tvmm/lab06_test.c checks both.
 */
	.include "guest.inc"

/* Segment selectors: index * 8 | RPL 0 (the GDT below). */
	.equ KCODE_SEL, 0x08		/* code, DPL 0 */
	.equ KDATA_SEL, 0x10		/* data, DPL 0 */
	.equ TSS_SEL, 0x18		/* the task-state segment */

	.equ STACK_TOP, 0x80000		/* below tvmm's reserved top, any --mem */
	.equ NR_EXCEPTIONS, 32		/* the IDT covers vectors 0-31 */
	.equ GATE_INTR_KERNEL, 0x8e	/* interrupt gate, P, DPL 0 */
	.equ TSS_SIZE, 104
	.equ TSS_TYPE_AVAIL, 0x89	/* P, DPL 0, 32-bit available TSS */
	.equ SEL_RPL_MASK, 3		/* a selector's low 2 bits */

	.code32
	.text
	.globl _start
_start:
	cld
	mov	$STACK_TOP, %esp

	/* The TSS descriptor's base is split in three fields: fill them in. */
	mov	$tss, %eax
	mov	%ax, gdt_tss + 2
	shr	$16, %eax
	mov	%al, gdt_tss + 4
	mov	%ah, gdt_tss + 7

	lgdt	gdt_desc		/* deprivileged: #GP, "lgdt" */
	ljmp	$KCODE_SEL, $1f		/* CS changes only with a far jump */
1:	mov	$KDATA_SEL, %ax
	mov	%ax, %ds
	mov	%ax, %es
	mov	%ax, %fs
	mov	%ax, %gs
	mov	%ax, %ss		/* deprivileged: RPL 0 != CPL 1, "mov ss" */
	mov	$STACK_TOP, %esp

	/* Every exception vector -> one handler that says so. */
	xor	%ecx, %ecx
	mov	$exception, %eax
2:	lea	idt(, %ecx, 8), %edi
	mov	%ax, (%edi)		/* offset 15..0 */
	movw	$KCODE_SEL, 2(%edi)
	movb	$0, 4(%edi)
	movb	$GATE_INTR_KERNEL, 5(%edi)
	mov	%eax, %edx
	shr	$16, %edx
	mov	%dx, 6(%edi)		/* offset 31..16 */
	inc	%ecx
	cmp	$NR_EXCEPTIONS, %ecx
	jb	2b
	lidt	idt_desc		/* "lidt" */

	mov	$TSS_SEL, %ax
	ltr	%ax			/* "ltr" */

	/* CR0: set TS, check, clear it, check: read-modify-write twice. */
	mov	%cr0, %eax		/* "mov from cr" */
	or	$CR0_TS, %eax
	mov	%eax, %cr0		/* "mov cr0" */
	mov	%cr0, %eax
	test	$CR0_TS, %eax
	jz	bad_cr0
	and	$~CR0_TS, %eax
	mov	%eax, %cr0		/* "mov cr0" */
	mov	%cr0, %eax
	test	$CR0_TS, %eax
	jnz	bad_cr0

	/* IN from the console port reads 0xe9 (how a guest detects it). */
	xor	%eax, %eax
	in	$CONSOLE_PORT, %al	/* "in" */
	cmp	$CONSOLE_PORT, %eax
	jne	bad_in

	/* The ring this kernel really runs at: CS.RPL = CPL. */
	mov	%cs, %ax		/* no trap: sensitive, not privileged */
	and	$SEL_RPL_MASK, %eax
	add	$'0', %al
	mov	%al, msg_cpl
	mov	$msg_ok, %esi
	jmp	done

bad_cr0:
	mov	$msg_bad_cr0, %esi
	jmp	done
bad_in:
	mov	$msg_bad_in, %esi
	jmp	done
exception:
	mov	$msg_exception, %esi
done:
	call	puts
3:	hlt				/* "hlt", IF clear: the end */
	jmp	3b

/* puts: print the NUL-terminated string at ESI with OUT. */
puts:
	mov	$CONSOLE_PORT, %dx
1:	lodsb
	test	%al, %al
	jz	2f
	outb	%al, %dx		/* "out" */
	jmp	1b
2:	ret

msg_ok:		.ascii "privileged: ok cpl="
msg_cpl:	.asciz "?\n"
msg_bad_cr0:	.asciz "privileged: FAIL cr0.ts did not follow mov to cr0\n"
msg_bad_in:	.asciz "privileged: FAIL in from port 0xe9 did not read 0xe9\n"
msg_exception:	.asciz "privileged: exception\n"

/* The GDT: flat 4 GiB ring-0 code and data, and the TSS. */
	.balign 8
gdt:
	.quad	0			/* 0x00: the null descriptor */
	.quad	0x00cf9a000000ffff	/* 0x08: code, DPL 0, execute/read */
	.quad	0x00cf92000000ffff	/* 0x10: data, DPL 0, read/write */
gdt_tss:				/* 0x18: the TSS; base filled in by _start */
	.word	TSS_SIZE - 1, 0
	.byte	0, TSS_TYPE_AVAIL, 0, 0
gdt_end:

gdt_desc:
	.word	gdt_end - gdt - 1
	.long	gdt
idt_desc:
	.word	NR_EXCEPTIONS * 8 - 1
	.long	idt

/* The TSS: only SS0:ESP0 matters (no task switches, no ring 3). */
	.balign 4
tss:
	.long	0			/*   0: previous task link */
	.long	STACK_TOP		/*   4: ESP0 */
	.long	KDATA_SEL		/*   8: SS0 */
	.fill	22, 4, 0		/*  12: ESP1 ... LDT selector */
	.word	0			/* 100: debug trap flag */
	.word	TSS_SIZE		/* 102: I/O map base beyond the limit */

	.balign 8
idt:
	.fill	NR_EXCEPTIONS * 8, 1, 0
