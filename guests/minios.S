/*
 * minios.S - a tiny operating system: a kernel, one application, a timer.
 *
 * Concept: de-privileging and trap-and-emulate, from the guest's side.
 * minios is written like any ring-0 kernel (xv6 is the model): it loads
 * its own GDT, IDT and TSS, takes timer interrupts, protects a critical
 * section with CLI/STI, runs an application at ring 3 and serves its
 * system calls through `int $0x80`. The *same binary* runs
 *   --mode hw            at ring 0 in VMX non-root mode: CLI/STI/LGDT/...
 *                        just work; OUT and HLT exit; int $0x80 never exits;
 *   --mode deprivileged  at ring 1 ("virtual kernel mode", the notes'
 *                        de-privileging): every privileged instruction
 *                        faults and tvmm emulates it; CLI clears only the
 *                        VM's virtual IF, host interrupts keep flowing;
 *                        the app's int $0x80 traps to tvmm, which reflects
 *                        it to the kernel's handler;
 * and, rebuilt with -DPARAVIRT (minios_pv.bin, see minios.h),
 *   --mode paravirt      at ring 0, asking tvmm with hypercalls instead.
 * The console text is the same in all three; only the trace differs.
 *
 * What it does, in order (the console lines in quotes):
 *   1. boot: GDT (far jump for CS, then DS/ES/FS/GS/SS), IDT (exceptions ->
 *      panic, timer vector 0x20 -> tick counter, 0x80 -> system calls
 *      through a DPL-3 trap gate), TSS (the stack for traps from ring 3);
 *      "minios: kernel up (GDT, IDT, TSS loaded)"
 *   2. interrupts on, wait for boot_ticks (3) timer ticks with HLT
 *      (deprivileged: HLT with the virtual IF set waits for the next
 *      virtual interrupt); "minios: interrupts on, 3 timer ticks seen"
 *   3. a critical section: CLI, spin for 2.5 timer periods of TSC ticks
 *      (timer_period: tvmm's default), STI. A tick falls inside; it must be
 *      held pending, then delivered right after STI. The kernel checks that
 *      itself: "minios: cli section: the tick waited for sti"
 *   4. drop to ring 3 with IRET into the app, which prints
 *      "hello from ring 3" (write), reads the tick count (getticks), spins
 *      a while in ring 3, reads it again:
 *      "app: getticks says the timer ran in ring 3", and exits(42):
 *      "minios: app exited with 42"; the kernel powers off (CLI; HLT, or
 *      the exit hypercall with status 42).
 * The autograder's seeds (SEED_BLOCK, guest.inc; tests/selftests/tvmm/
 * seed.h) change the status, the boot ticks and the timer period the
 * spins are sized for; the tests then configure tvmm's virtual timer
 * with that period (struct tvmm_config.timer_ticks). The spins stay
 * longer than tvmm's default period for every seed, so `tvmm run` without
 * --timer runs a seed's minios too.
 * tests/selftests/tvmm/deprivilege_test.c checks this text and the trace.
 *
 * Expected trace (default timer, 1,000,000 TSC ticks):
 *   hw:           IO_INSTRUCTION per console byte, HLT (3+ waits, then the
 *                 end), timer ticks injected; no int $0x80 exits; cpl 0.
 *   deprivileged: EXCEPTION_NMI (#GP) per privileged instruction, action
 *                 "emulated", mnemonic lgdt/mov ss/lidt/ltr/out/sti/hlt/
 *                 cli; 5 system calls, action "reflected", cpl 3; timer
 *                 ticks "injected", the one raised during the CLI section
 *                 only after its STI; cpl 1 (kernel) and 3 (app), never 0.
 *   paravirt:     VMCALL per console byte and per intr_on/intr_off, ends
 *                 with the exit hypercall, status 42.
 *
 * Memory (guest-physical = linear: no paging, flat segments): the image at
 * 0x10000, the kernel stack below KSTACK_TOP, the app's stack below
 * USTACK_TOP; everything stays under 1 MiB minus tvmm's 64 KiB, so it runs
 * with any --mem.
 *
 * Only deterministic text is printed: tick counts differ from run to run.
 */
#include "minios.h"
	.include "guest.inc"

/* Segment selectors: index * 8 | RPL (the GDT below). */
	.equ KCODE_SEL, 0x08		/* kernel code, DPL 0 */
	.equ KDATA_SEL, 0x10		/* kernel data, DPL 0 */
	.equ UCODE_SEL, 0x1b		/* app code, DPL 3, RPL 3 */
	.equ UDATA_SEL, 0x23		/* app data, DPL 3, RPL 3 */
	.equ TSS_SEL, 0x28		/* the task-state segment */

/* Stacks: fixed addresses below the image's end and tvmm's reserved top. */
	.equ KSTACK_TOP, 0x80000
	.equ USTACK_TOP, 0x70000

/* Interrupt vectors. */
	.equ T_TIMER, TIMER_VECTOR	/* 0x20, tvmm's virtual timer */
	.equ T_SYSCALL, 0x80		/* system calls, as in Linux/i386 */
	.equ NR_EXCEPTIONS, 32		/* vectors 0-31: CPU exceptions */
	.equ IDT_ENTRIES, T_SYSCALL + 1

/* IDT gate access bytes: P | DPL << 5 | type (SDM vol. 3A, 6.11). */
	.equ GATE_INTR_KERNEL, 0x8e	/* interrupt gate, DPL 0: clears IF */
	.equ GATE_TRAP_USER, 0xef	/* trap gate, DPL 3: int $0x80 from ring 3 */

/* TSS (SDM vol. 3A, 7.2.1): 104 bytes, no I/O permission bitmap. */
	.equ TSS_SIZE, 104
	.equ TSS_TYPE_AVAIL, 0x89	/* P, DPL 0, 32-bit available TSS */

	.equ EFLAGS_RESERVED, 0x002	/* bit 1 always reads 1 */
	.equ EFLAGS_IF, 0x200

/* System calls: EAX = number, EBX/ECX = arguments, EAX = result. */
	.equ SYS_EXIT, 0		/* exit(EBX = status): never returns */
	.equ SYS_WRITE, 1		/* write(EBX = buffer, ECX = length) */
	.equ SYS_GETTICKS, 2		/* getticks() -> timer ticks so far */

/*
 * The trap frame a system call builds on the kernel stack, like xv6's
 * struct trapframe: PUSHAL's registers (EDI lowest), then DS and ES.
 */
	.equ TF_EAX, 28

/* Timing (the spins: 2.5 timer periods, from timer_period in the seed block). */
	.equ BOOT_TICKS, 3
	.equ CRIT_WAIT_LOOPS, 100	/* after STI: the held tick, not a new one */

	.equ APP_EXIT_STATUS, 42
	.equ PANIC_STATUS, 99

	.code32
	.text
	.globl _start
/*
 * Entry (guest ABI): 32-bit protected mode, paging off, flat segments,
 * EIP 0x10000, interrupts off. hw/paravirt: ring 0; deprivileged: ring 1,
 * though nothing here needs to know.
 */
_start:
	cld
	mov	$KSTACK_TOP, %esp	/* our stack, on tvmm's flat entry SS */

	/*
	 * The TSS descriptor's base is split in three fields; the linker cannot
	 * split an address, so fill them in now, before the GDT is loaded.
	 */
	mov	$tss, %eax
	mov	%ax, gdt_tss + 2	/* base 15..0 */
	shr	$16, %eax
	mov	%al, gdt_tss + 4	/* base 23..16 */
	mov	%ah, gdt_tss + 7	/* base 31..24 */

	/*
	 * Our own GDT. LGDT is privileged: deprivileged, it faults and tvmm
	 * builds a shadow GDT in which our DPL-0 descriptors become DPL 1, so
	 * the same selectors work at ring 1.
	 */
	lgdt	gdt_desc
	ljmp	$KCODE_SEL, $1f		/* CS can only change with a far jump */
1:	mov	$KDATA_SEL, %ax
	mov	%ax, %ds
	mov	%ax, %es
	mov	%ax, %fs
	mov	%ax, %gs
	/*
	 * MOV to SS wants RPL = CPL: at ring 1 the selector's RPL 0 faults,
	 * and tvmm loads it with RPL 1 (trace: "mov ss").
	 */
	mov	%ax, %ss
	mov	$KSTACK_TOP, %esp

	call	idt_init
	lidt	idt_desc		/* tvmm starts the virtual timer now */
	mov	$TSS_SEL, %ax
	ltr	%ax			/* the stack for traps from ring 3 */

	mov	$msg_up, %esi
	call	puts

	/*
	 * 2. Interrupts on, then sleep until boot_ticks ticks have come.
	 * HLT returns after each interrupt; if a tick lands between the
	 * compare and the HLT, HLT just waits for the next one.
	 */
	intr_on
1:	idle
	mov	boot_ticks, %eax
	cmp	%eax, ticks
	jb	1b
	mov	$msg_ticks, %esi
	call	puts
	mov	boot_ticks, %eax
	call	print_dec
	mov	$msg_ticks_end, %esi
	call	puts

	/*
	 * 3. A critical section longer than a timer period. The tick that
	 * falls inside must wait: ticks may not change before intr_on, and
	 * must change right after it. A CPU delivers it one instruction
	 * after STI (the interrupt shadow); allow a few hundred instructions,
	 * far less than a timer period, so that only the held tick can count.
	 * ESI = ticks at the start, EDI = at the end.
	 */
	intr_off
	mov	ticks, %esi
	call	spin_periods
	mov	ticks, %edi
	intr_on
	mov	$CRIT_WAIT_LOOPS, %ecx	/* STI's shadow: the tick comes after this */
1:	cmp	%esi, ticks
	jne	5f
	loop	1b
5:	cmp	%esi, %edi
	jne	2f
	cmp	%esi, ticks
	je	3f
	mov	$msg_cli_ok, %esi	/* held, then delivered */
	jmp	4f
2:	mov	$msg_cli_leak, %esi	/* delivered while interrupts were off */
	jmp	4f
3:	mov	$msg_cli_none, %esi	/* nothing came: timer slower than the spin? */
4:	call	puts

	/*
	 * 4. Drop to the app at ring 3: IRET to an outer ring pops EIP, CS,
	 * EFLAGS, then ESP and SS. The app's data selectors go in DS/ES/FS/GS
	 * first (IRET would clear any that the app may not use). EFLAGS.IF = 1:
	 * the app runs with interrupts on.
	 */
	mov	$UDATA_SEL, %ax
	mov	%ax, %ds
	mov	%ax, %es
	mov	%ax, %fs
	mov	%ax, %gs
	pushl	$UDATA_SEL		/* SS */
	pushl	$USTACK_TOP		/* ESP */
	pushl	$(EFLAGS_IF | EFLAGS_RESERVED)	/* EFLAGS */
	pushl	$UCODE_SEL		/* CS */
	pushl	$app_main		/* EIP */
	iret

/*
 * idt_init: fill the IDT. Exceptions -> their panic stubs, the timer ->
 * timer_isr (interrupt gates: the CPU clears IF on the way in), 0x80 ->
 * syscall_entry through a trap gate with DPL 3, so ring 3 may use it.
 */
idt_init:
	xor	%ecx, %ecx
1:	mov	exc_stubs(, %ecx, 4), %eax
	mov	$GATE_INTR_KERNEL, %dl
	call	set_gate
	inc	%ecx
	cmp	$NR_EXCEPTIONS, %ecx
	jb	1b
	mov	$T_TIMER, %ecx
	mov	$timer_isr, %eax
	mov	$GATE_INTR_KERNEL, %dl
	call	set_gate
	mov	$T_SYSCALL, %ecx
	mov	$syscall_entry, %eax
	mov	$GATE_TRAP_USER, %dl
	call	set_gate
	ret

/*
 * set_gate: IDT entry ECX := handler EAX in the kernel code segment, with
 * access byte DL. Gate layout: offset 15..0, selector, 0, access,
 * offset 31..16. Clobbers EAX, EDI.
 */
set_gate:
	lea	idt(, %ecx, 8), %edi
	mov	%ax, (%edi)
	movw	$KCODE_SEL, 2(%edi)
	movb	$0, 4(%edi)
	mov	%dl, 5(%edi)
	shr	$16, %eax
	mov	%ax, 6(%edi)
	ret

/*
 * The timer interrupt (vector 0x20): count the tick.
 * Why intr_on before IRET: IRET restores EFLAGS, IF included, at ring 0;
 * at ring 1 (deprivileged) IRET silently leaves IF alone (sensitive but
 * not privileged: Popek-Goldberg), so the virtual IF the interrupt
 * cleared would stay 0 forever. A trapping STI sets it; its one-
 * instruction shadow covers the IRET, so no tick can nest here. At ring 0
 * it is harmless. No EOI: tvmm's timer is no APIC.
 * DS may still be the app's: both are flat, ticks is at the same address.
 */
timer_isr:
	incl	ticks
	intr_on
	iret

/*
 * System calls: `int $0x80` from the app. Save the app's registers and
 * data segments (the trap frame), switch to kernel data, dispatch on EAX,
 * return the result in the frame's EAX. A trap gate: interrupts stay on.
 */
syscall_entry:
	push	%ds
	push	%es
	pushal
	mov	$KDATA_SEL, %dx
	mov	%dx, %ds
	mov	%dx, %es
	cmp	$SYS_WRITE, %eax
	je	sys_write
	cmp	$SYS_GETTICKS, %eax
	je	sys_getticks
	cmp	$SYS_EXIT, %eax
	je	sys_exit
	mov	$-1, %eax		/* no such call */
syscall_return:
	mov	%eax, TF_EAX(%esp)
	popal
	pop	%es
	pop	%ds
	iret

/* write(EBX = buffer, ECX = length) -> length. No pointer checks: no paging. */
sys_write:
	mov	%ecx, %edx
	mov	%ebx, %esi
	jecxz	2f
1:	lodsb
	console_putc
	loop	1b
2:	mov	%edx, %eax
	jmp	syscall_return

/* getticks() -> timer interrupts taken so far. */
sys_getticks:
	mov	ticks, %eax
	jmp	syscall_return

/* exit(EBX = status): report it and stop the machine. */
sys_exit:
	mov	$msg_exit, %esi
	call	puts
	mov	%ebx, %eax
	call	print_dec
	mov	$'\n', %al
	console_putc
	jmp	halt			/* EBX = status */

/*
 * Exceptions: each stub pushes a dummy error code where the CPU pushes
 * none, then its vector, and joins exception_entry. Vectors with an error
 * code: 8, 10-14, 17, 21, 29, 30.
 */
	.irp v, 0,1,2,3,4,5,6,7,8,9,10,11,12,13,14,15,16,17,18,19,20,21,22,23,24,25,26,27,28,29,30,31
exc_\v:
	.if !(\v == 8 || (\v >= 10 && \v <= 14) || \v == 17 || \v == 21 || \v == 29 || \v == 30)
	pushl	$0
	.endif
	pushl	$\v
	jmp	exception_entry
	.endr

/*
 * panic: an exception minios does not handle. Print the vector, error code
 * and faulting EIP, and stop with interrupts off.
 * Stack: vector, error code, EIP, CS, EFLAGS.
 */
exception_entry:
	mov	$KDATA_SEL, %ax
	mov	%ax, %ds
	mov	%ax, %es
	mov	$msg_panic, %esi
	call	puts
	mov	(%esp), %eax
	call	print_hex
	mov	$msg_panic_err, %esi
	call	puts
	mov	4(%esp), %eax
	call	print_hex
	mov	$msg_panic_eip, %esi
	call	puts
	mov	8(%esp), %eax
	call	print_hex
	mov	$'\n', %al
	console_putc
	mov	$PANIC_STATUS, %ebx
	/* fall through */

/* halt: stop the machine for good, EBX = status (minios.h: poweroff). */
halt:
	poweroff

/* puts: print the NUL-terminated string at ESI. Clobbers EAX, ESI. */
puts:
1:	lodsb
	test	%al, %al
	jz	2f
	console_putc
	jmp	1b
2:	ret

/* print_dec: print EAX in decimal. Clobbers EAX. */
print_dec:
	push	%ecx
	push	%edx
	push	%ebx
	mov	$10, %ebx
	xor	%ecx, %ecx
1:	xor	%edx, %edx		/* digits, least significant first */
	div	%ebx
	push	%edx
	inc	%ecx
	test	%eax, %eax
	jnz	1b
2:	pop	%eax			/* ... printed most significant first */
	add	$'0', %al
	console_putc
	loop	2b
	pop	%ebx
	pop	%edx
	pop	%ecx
	ret

/* print_hex: print EAX as 0x and 8 hex digits. Clobbers EAX. */
print_hex:
	push	%ecx
	push	%edx
	mov	%eax, %edx
	mov	$'0', %al
	console_putc
	mov	$'x', %al
	console_putc
	mov	$8, %ecx
1:	rol	$4, %edx
	mov	%dl, %al
	and	$0xf, %al
	add	$'0', %al
	cmp	$'9', %al
	jbe	2f
	add	$('a' - '9' - 1), %al
2:	console_putc
	loop	1b
	pop	%edx
	pop	%ecx
	ret

/*
 * delay: spin until the TSC has advanced by ECX ticks. RDTSC needs no
 * privilege (CR4.TSD is clear) and does not exit, so kernel and app share
 * this routine, like a small libc function. Clobbers EAX, EDX.
 */
delay:
	push	%ebx
	rdtsc
	mov	%eax, %ebx
1:	pause
	rdtsc
	sub	%ebx, %eax		/* 32 bits are plenty: ECX < 2^32 */
	cmp	%ecx, %eax
	jb	1b
	pop	%ebx
	ret

/*
 * spin_periods: spin for 2.5 timer periods (timer_period * 5 / 2 TSC
 * ticks), long enough that a tick must fall inside. Kernel and app share
 * it; timer_period is plain data. Clobbers EAX, ECX, EDX.
 */
spin_periods:
	mov	timer_period, %ecx
	lea	(%ecx, %ecx, 4), %ecx
	shr	$1, %ecx
	jmp	delay

/*
 * The application, at ring 3 ("virtual user mode"). Its only way into
 * the kernel is `int $0x80`. 5 system calls in all.
 */
app_main:
	mov	$SYS_WRITE, %eax
	mov	$app_hello, %ebx
	mov	$app_hello_len, %ecx
	int	$T_SYSCALL
	mov	$SYS_GETTICKS, %eax
	int	$T_SYSCALL
	mov	%eax, %esi		/* ticks before */
	call	spin_periods		/* the timer interrupts us here */
	mov	$SYS_GETTICKS, %eax
	int	$T_SYSCALL
	cmp	%esi, %eax
	ja	1f
	mov	$app_still, %ebx
	mov	$app_still_len, %ecx
	jmp	2f
1:	mov	$app_ran, %ebx
	mov	$app_ran_len, %ecx
2:	mov	$SYS_WRITE, %eax
	int	$T_SYSCALL
	mov	$SYS_EXIT, %eax
	mov	app_status, %ebx	/* APP_EXIT_STATUS, or a seed's */
	int	$T_SYSCALL
3:	jmp	3b			/* exit does not return */

/*
 * Data: strings and tables, in their own section so that a disassembler
 * (objdump -d) shows only instructions. The Makefile links with -N: .data
 * follows .text directly in the flat image.
 */
	.data
	SEED_BLOCK			/* the autograder's seeds rewrite these three */
app_status:
	.long	APP_EXIT_STATUS
timer_period:				/* TSC ticks; the tests set tvmm's timer to it */
	.long	TIMER_DEFAULT
boot_ticks:				/* ticks the boot waits for */
	.long	BOOT_TICKS
app_hello:
	.ascii	"hello from ring 3\n"
	.equ app_hello_len, . - app_hello
app_ran:
	.ascii	"app: getticks says the timer ran in ring 3\n"
	.equ app_ran_len, . - app_ran
app_still:
	.ascii	"app: getticks says no tick in ring 3 (timer off or slow?)\n"
	.equ app_still_len, . - app_still

/* The kernel's messages. */
msg_up:		.asciz "minios: kernel up (GDT, IDT, TSS loaded)\n"
msg_ticks:	.asciz "minios: interrupts on, "
msg_ticks_end:	.asciz " timer ticks seen\n"
msg_cli_ok:	.asciz "minios: cli section: the tick waited for sti\n"
msg_cli_leak:	.asciz "minios: BUG: a tick came in while interrupts were off\n"
msg_cli_none:	.asciz "minios: cli section: no tick came (timer slower than the spin?)\n"
msg_exit:	.asciz "minios: app exited with "
msg_panic:	.asciz "minios: panic: exception "
msg_panic_err:	.asciz " error "
msg_panic_eip:	.asciz " at eip "

/* The panic stubs' addresses, for idt_init. */
	.balign 4
exc_stubs:
	.irp v, 0,1,2,3,4,5,6,7,8,9,10,11,12,13,14,15,16,17,18,19,20,21,22,23,24,25,26,27,28,29,30,31
	.long	exc_\v
	.endr

/* Timer interrupts taken (timer_isr). */
ticks:	.long	0

/*
 * The GDT: flat 4 GiB segments (base 0, limit 0xfffff pages, 32-bit),
 * differing only in DPL and type, plus the TSS.
 */
	.balign 8
gdt:
	.quad	0			/* 0x00: the null descriptor */
	.quad	0x00cf9a000000ffff	/* 0x08: code, DPL 0, execute/read */
	.quad	0x00cf92000000ffff	/* 0x10: data, DPL 0, read/write */
	.quad	0x00cffa000000ffff	/* 0x18: code, DPL 3 */
	.quad	0x00cff2000000ffff	/* 0x20: data, DPL 3 */
gdt_tss:				/* 0x28: the TSS; base filled in by _start */
	.word	TSS_SIZE - 1, 0
	.byte	0, TSS_TYPE_AVAIL, 0, 0
gdt_end:

gdt_desc:				/* LGDT's operand: limit, base */
	.word	gdt_end - gdt - 1
	.long	gdt

idt_desc:				/* LIDT's operand */
	.word	IDT_ENTRIES * 8 - 1
	.long	idt

/*
 * The TSS: without hardware task switching, only the stack for traps from
 * ring 3 matters (SS0:ESP0; deprivileged, tvmm copies it to SS1:ESP1, the
 * stack of a ring-1 kernel). The I/O map base lies beyond the limit: no
 * I/O permission bitmap, so IN/OUT outside ring 0 always fault.
 */
	.balign 4
tss:
	.long	0			/*   0: previous task link */
	.long	KSTACK_TOP		/*   4: ESP0 */
	.long	KDATA_SEL		/*   8: SS0 */
	.fill	22, 4, 0		/*  12: ESP1 ... LDT selector, unused */
	.word	0			/* 100: debug trap flag */
	.word	TSS_SIZE		/* 102: I/O map base = beyond the limit */

/* The IDT, filled by idt_init; vectors 0x21-0x7f stay not-present. */
	.balign 8
idt:
	.fill	IDT_ENTRIES * 8, 1, 0
