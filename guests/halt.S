/*
 * halt.S - the smallest guest: one HLT.
 *
 * Concept: the first launch. Before a guest can do anything, VM entry
 * must accept the VMCS (lab 03: controls and guest state) and the guest's
 * first instruction fetch must find memory behind EPT (lab 04). HLT with
 * IF clear (the guest ABI enters with interrupts off) then exits (HLT
 * exiting is on) and ends the run: nothing could ever wake the guest.
 *
 * Expected trace: exactly one exit, HLT (reason 12) at rip 0x10000,
 * mnemonic "hlt"; end reason hlt; `tvmm run` exits with status 0. Host
 * interrupts may add EXTERNAL_INTERRUPT exits (action "ignored").
 * tests/selftests/tvmm/lab03_test.c and lab04_test.c run it.
 */
	.code32
	.text
	.globl _start
_start:
	hlt				/* exit: HLT, IF clear -> the end */
	jmp	_start			/* never reached */
