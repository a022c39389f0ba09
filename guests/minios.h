/*
 * minios.h - the mini-OS's privileged operations, in two builds.
 *
 * Concept: the three CPU-virtualization techniques of the notes, seen from
 * the guest. minios.S never writes a sensitive instruction directly; it
 * uses the macros below, and this file decides what they become:
 *
 *   default build (minios.bin, for --mode hw and --mode deprivileged):
 *     the real instructions, CLI, STI, OUT, HLT. Under `hw` they run at
 *     ring 0 (OUT and HLT exit, CLI/STI do not); under `deprivileged` the
 *     same bytes run at ring 1, fault (#GP), and tvmm emulates them: the
 *     classic trap-and-emulate, with an unmodified guest.
 *   -DPARAVIRT (minios_pv.bin, for --mode paravirt):
 *     hypercalls instead (VMCALL, number in EAX, argument in EBX; see
 *     guest.inc): the guest *knows* it runs on tvmm and asks. The binary
 *     then holds no CLI, STI, OUT or HLT at all (tests/host/guests_test.c
 *     checks that).
 *
 * minios.S goes through the C preprocessor (a .S file built with `cc -c`),
 * so #ifdef PARAVIRT picks one set of GNU as macros. The macro names are
 * not the instructions' own (GNU as would let a macro named `cli` hide the
 * instruction): intr_off/intr_on as in xv6.
 *
 * Every macro preserves all registers and, like the instruction it
 * replaces, changes no memory other than the stack below ESP.
 */
#ifndef MINIOS_H
#define MINIOS_H

#ifndef PARAVIRT

/* Interrupts off: CLI (deprivileged: #GP, tvmm clears the virtual IF). */
.macro intr_off
	cli
.endm

/*
 * Interrupts on: STI (deprivileged: #GP, tvmm sets the virtual IF). Like
 * the real STI, it delays a pending interrupt by one instruction.
 */
.macro intr_on
	sti
.endm

/* Put the byte in AL on the console: OUT to port 0xE9 (an I/O exit, or #GP). */
.macro console_putc
	push	%edx
	mov	$CONSOLE_PORT, %dx
	outb	%al, %dx
	pop	%edx
.endm

/* Wait for the next interrupt (interrupts must be on): HLT. */
.macro idle
	hlt
.endm

/*
 * Stop for good, EBX = status: CLI then HLT, the guest ABI's end (reason
 * hlt). The status only shows on the console; the hypercall build passes
 * it to `tvmm run`.
 */
.macro poweroff
	cli
99:	hlt
	jmp	99b
.endm

#else /* PARAVIRT */

/* One hypercall: EAX = number, EBX = argument; every register preserved. */
.macro hypercall nr, arg
	push	%eax
	push	%ebx
	mov	\arg, %ebx
	mov	$\nr, %eax
	vmcall
	pop	%ebx
	pop	%eax
.endm

/* Interrupts off: hypercall "set IF" (2) with 0. */
.macro intr_off
	hypercall HC_SET_IF, $0
.endm

/* Interrupts on: hypercall "set IF" (2) with 1; a pending tick comes at once. */
.macro intr_on
	hypercall HC_SET_IF, $1
.endm

/* Put the byte in AL on the console: hypercall putc (1). */
.macro console_putc
	push	%ebx
	movzbl	%al, %ebx
	hypercall HC_PUTC, %ebx
	pop	%ebx
.endm

/*
 * Wait for the next interrupt. tvmm's hypercall ABI has no "halt until an
 * interrupt" call, so a paravirtual guest just spins (PAUSE tells the CPU
 * it is a spin loop); the timer tick still arrives, injected at one of the
 * exits tvmm forces with the preemption timer.
 */
.macro idle
	pause
.endm

/* Stop for good, EBX = status: hypercall exit (0); `tvmm run` exits with it. */
.macro poweroff
	hypercall HC_EXIT, %ebx
99:	jmp	99b			/* never reached */
.endm

#endif /* PARAVIRT */

#endif /* MINIOS_H */
