/*
 * adv_setif.S - the paravirtual "set IF" hypercall, then STI.
 *
 * Concept: in the de-privileged modes the guest kernel's IF is virtual
 * (the VM's vif); the real RFLAGS.IF stays 1 so that host interrupts
 * keep exiting. A hypercall that turned the *real* IF off would let the
 * next emulated STI open its one-instruction interrupt shadow with IF = 0,
 * a state VM entry refuses (SDM vol. 3C, 27.3.1.5): the VM would die with
 * status 113. Found by `make fuzz` (seed 20261206, guests 1811, 1935).
 *
 * Exit status 0 in every mode; before the fix, 113 (entry failed) at
 * ring 1. Expected trace: VMCALL, then (ring 1) EXCEPTION_NMI "sti" and
 * "cli" emulated, then VMCALL (exit).
 */
	.include "guest.inc"

	.code32
	.text
	.globl _start
_start:
	mov	$HC_SET_IF, %eax
	xor	%ebx, %ebx
	vmcall				/* interrupts off, the paravirtual way */
	sti				/* ring 1: emulated, with its shadow */
	nop
	cli
	mov	$HC_EXIT, %eax
	xor	%ebx, %ebx
	vmcall
