/*
 * memwrite.S - a guest that keeps writing a working set of pages: the
 * load a live migration must chase (tvmm migrate --live).
 *
 * Concept: pre-copy live migration copies RAM while the guest runs, so
 * the guest dirties pages behind the copy; the VMM sends them again,
 * round after round. Whether the rounds converge depends on how much the
 * guest writes: this guest writes WSET pages (4 here, 256 in
 * memwrite_big.bin, the same source with --defsym WSET=256) over and over.
 *
 * Each pass P (1, 2, ...) updates one word at the start of each page i of
 * the working set, at 0x80000 + i * 4096, from its own old value:
 *
 *     w[i] = w[i] * 31 + P + i
 *
 * then idles THINK loop iterations (the rest of a real workload), and
 * every PRINT_EVERY passes prints the sum of the words:
 *
 *     pass 00000080 sum 61685100
 *
 * The words carry the whole history of the pages: if a migration lost
 * one write (a page sent before the guest wrote it and never sent again),
 * the destination's next sum differs from an uninterrupted run's, and the
 * console says so. After PASSES passes: "memwrite: done", HLT.
 *
 * Expected trace, run alone: IO_INSTRUCTION exits only (the console),
 * then one HLT. During a live migration, also one EPT_VIOLATION ("log
 * dirty") per page of the working set (and of the stack) per round.
 */
	.include "guest.inc"
	.ifndef WSET
	.set	WSET, 4			/* pages written each pass */
	.endif
	.equ	WSET_BASE, 0x80000	/* above the image, below the stack */
	.equ	PASSES, 16384
	.equ	PRINT_EVERY, 128	/* a power of two */
	.equ	THINK, 4000		/* a pause between passes (LOOP iterations) */
	.code32
	.text
	.globl _start
_start:
	cld
	xor	%ebp, %ebp		/* P, the pass */
pass:
	inc	%ebp
	xor	%edi, %edi		/* the sum */
	mov	$WSET_BASE, %ebx
	xor	%esi, %esi		/* i */
1:	mov	(%ebx), %eax
	imul	$31, %eax, %eax
	add	%ebp, %eax
	add	%esi, %eax
	mov	%eax, (%ebx)		/* the first write of a round: EPT violation */
	add	%eax, %edi
	add	$4096, %ebx
	inc	%esi
	cmp	$WSET, %esi
	jb	1b
	mov	$THINK, %ecx
4:	loop	4b
	test	$PRINT_EVERY - 1, %ebp
	jnz	2f
	mov	$msg_pass, %esi
	call	print_str
	mov	%ebp, %eax
	call	print_hex32
	mov	$msg_sum, %esi
	call	print_str
	mov	%edi, %eax
	call	print_hex32
	mov	$'\n', %al
	call	print_char
2:	cmp	$PASSES, %ebp
	jb	pass
	mov	$msg_done, %esi
	call	print_str
3:	hlt				/* exit: HLT, IF clear -> the end */
	jmp	3b

/* print the NUL-terminated string at ESI */
print_str:
	lodsb
	test	%al, %al
	jz	1f
	call	print_char
	jmp	print_str
1:	ret

	.include "hex.inc"

msg_pass:	.asciz "pass "
msg_sum:	.asciz " sum "
msg_done:	.asciz "memwrite: done\n"
