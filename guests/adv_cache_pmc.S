/*
 * adv_cache_pmc.S - WBINVD and RDPMC, two instructions that reach past
 * the VM.
 *
 * Concept: WBINVD writes back and invalidates every cache of the
 * physical CPU (slow, and felt by every other task); RDPMC reads the
 * host's performance counters. With WBINVD exiting and RDPMC exiting on,
 * both are VM exits: tvmm skips WBINVD (guest RAM is ordinary
 * write-back memory, there is nothing to flush for it) and answers RDPMC
 * with 0, giving the guest no view of the host's counters. SDM vol. 3C,
 * 26.1.3 "Instructions That Cause VM Exits Conditionally".
 *
 * The guest runs WBINVD, then RDPMC of counter 0 with EDX:EAX preset to
 * all ones, and exits with status EAX | EDX (0 when tvmm answered 0).
 *
 * Expected trace: WBINVD (mnemonic "wbinvd"), RDPMC ("rdpmc"), the
 * VMCALL. Exit status 0.
 */
	.include "guest.inc"

	.code32
	.text
	.globl _start
_start:
	wbinvd				/* exit: WBINVD */
	xor	%ecx, %ecx
	mov	$-1, %eax
	mov	$-1, %edx
	rdpmc				/* exit: RDPMC */
	or	%edx, %eax
	mov	%eax, %ebx
	mov	$HC_EXIT, %eax
	vmcall
1:	hlt
	jmp	1b
