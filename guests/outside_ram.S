/*
 * outside_ram.S - touching memory the VM does not have.
 *
 * Concept: memory virtualization with EPT. The guest's "physical"
 * addresses go through tvmm's EPT tables; only the guest RAM (2 MiB by
 * default) is mapped. A store to GPA 0x40000000 (1 GiB, beyond any guest
 * RAM tvmm allows) finds no EPT entry: an EPT_VIOLATION exit, whose
 * guest-physical address tells tvmm where. There is no device there, so
 * tvmm ends the VM.
 *
 * Expected trace: one EPT_VIOLATION (action "fatal"); the run ends with
 * TVMM_END_EPT_VIOLATION, end_info 0x40000000, exit status 111.
 */
	.equ OUTSIDE_GPA, 0x40000000
	.code32
	.text
	.globl _start
_start:
	movl	$0x1badb002, OUTSIDE_GPA	/* exit: EPT_VIOLATION */
1:	hlt					/* never reached */
	jmp	1b
