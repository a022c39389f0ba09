/*
 * spin.S - a guest that never exits on its own.
 *
 * Concept: the VMM keeps control. With IF clear the guest cannot be
 * interrupted by its own devices and never traps, yet the host must get
 * the CPU back: external-interrupt exiting (host interrupts always exit,
 * whatever the guest's IF) and the VMX-preemption timer guarantee it.
 * tvmm then ends the VM on --max-exits, or when the host process gets a
 * signal (Ctrl-C: TVMM_RUN fails with EINTR, `tvmm run` exits 130).
 *
 * Expected trace: only EXTERNAL_INTERRUPT / PREEMPTION_TIMER exits
 * (action "ignored"), all at the same rip; with --max-exits 1000 the run
 * ends with "max exits" and exit status 112.
 */
	.code32
	.text
	.globl _start
_start:
1:	jmp	1b			/* no exit of its own, ever */
