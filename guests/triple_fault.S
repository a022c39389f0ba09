/*
 * triple_fault.S - an exception with nowhere to go.
 *
 * Concept: what a VMM does when its guest dies. On bare metal a triple
 * fault resets the machine; under VMX it is a VM exit (TRIPLE_FAULT), and
 * tvmm ends only this VM. The guest loads an IDT with limit 0, so the
 * #UD from UD2 cannot be delivered (#GP), nor can that #GP (#DF), nor the
 * #DF: shutdown, i.e. triple fault.
 *
 * Expected trace: possibly EXCEPTION_NMI exits (if tvmm intercepts #UD or
 * #GP and reflects them), then TRIPLE_FAULT (action "fatal"); the run
 * ends with TVMM_END_TRIPLE_FAULT, exit status 110.
 */
	.code32
	.text
	.globl _start
_start:
	lidt	idtr			/* an IDT that holds no gate */
	ud2				/* #UD -> #GP -> #DF -> triple fault */
1:	hlt				/* never reached */
	jmp	1b

	.p2align 2
idtr:	.word 0				/* limit 0: every vector is outside */
	.long 0				/* base */
