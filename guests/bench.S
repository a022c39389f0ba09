/*
 * bench.S - the guest of `make bench`: what one VM exit round trip costs.
 *
 * Concept: the price of trap-and-emulate. Every sensitive instruction that
 * traps costs a VM exit, the VMM's handler and a VM entry; the guest sees
 * that as time lost on one instruction. It measures that time itself, with
 * RDTSC (which neither tvmm nor KVM intercept), so the same image gives
 * comparable figures under tvmm, under tvmm's null handlers (the floor)
 * and under KVM (tests/bench/).
 *
 * Three timed loops of N iterations each; the only difference between them
 * is one instruction:
 *   empty:  xor %eax,%eax                        (the baseline)
 *   cpuid:  xor %eax,%eax; cpuid                 (leaf 0: exits always)
 *   io:     xor %eax,%eax; outb %al,$0x80        (no device on port 0x80:
 *           tvmm drops the byte; KVM exits to userspace, KVM_EXIT_IO)
 * Each loop runs ROUNDS times and the smallest tick count is kept (a host
 * timer interrupt landing in one round does not count). Cost of one exit
 * of a kind = (kind - empty) / N ticks.
 *
 * Results, after the timed loops:
 *   - in the results block at guest-physical 0x10010 (RESULTS_GPA), for a
 *     host that can read guest RAM (KVM):
 *       +0  "TVMMBNCH"  magic
 *       +8  N           iterations per loop
 *       +12 ROUNDS
 *       +16 empty       ticks for N iterations (minimum over ROUNDS)
 *       +20 cpuid       ticks
 *       +24 io          ticks
 *       +28 done        1 once the three are stored
 *   - on the console (OUT to port 0xE9):
 *       "bench: empty=T cpuid=T io=T n=N\n" (decimal)
 *   - in the registers at the final HLT, for a host that can only read
 *     registers (tvmm: TVMM_GET_REGS; also under null handlers, where the
 *     console OUTs are skipped and print nothing):
 *       EAX = empty, EBX = cpuid, ECX = io, EDX = N, ESI = 0x484e4242 ("BBNH")
 *
 * Expected trace (tvmm, trace on): ROUNDS*N CPUID exits, ROUNDS*N
 * IO_INSTRUCTION exits on port 0x80, then one per console byte on 0xE9,
 * then one HLT; exit status 0.
 */
	.include "guest.inc"
	/*
	 * Iterations per timed loop: a multiple of the trace ring's 2048
	 * records (TVMM_TRACE_RING), so that a traced loop always holds the
	 * same number of ring drains (one) and the figure is the writer plus
	 * its fair share of the drain. With 2000 and a ring of 1024, a loop
	 * held one drain or two, and the minimum over the rounds picked the
	 * cheaper.
	 */
	.equ N, 2048
	.equ ROUNDS, 3			/* each loop runs this often; minimum kept */
	.equ NODEV_PORT, 0x80		/* POST port: no device in tvmm or KVM */
	.equ REG_MAGIC, 0x484e4242
	.code32
	.text
	.globl _start
_start:
	jmp	main

	.org	0x10			/* RESULTS_GPA = 0x10000 + 0x10 */
results:
	.ascii	"TVMMBNCH"
res_n:	.long	N
	.long	ROUNDS
res_empty:
	.long	0
res_cpuid:
	.long	0
res_io:	.long	0
res_done:
	.long	0

main:
	cld
	mov	$loop_empty, %ebx
	call	measure
	mov	%eax, res_empty
	mov	$loop_cpuid, %ebx
	call	measure
	mov	%eax, res_cpuid
	mov	$loop_io, %ebx
	call	measure
	mov	%eax, res_io
	movl	$1, res_done

	/* untimed from here on: the console line */
	mov	$s_empty, %esi
	call	puts
	mov	res_empty, %eax
	call	putdec
	mov	$s_cpuid, %esi
	call	puts
	mov	res_cpuid, %eax
	call	putdec
	mov	$s_io, %esi
	call	puts
	mov	res_io, %eax
	call	putdec
	mov	$s_n, %esi
	call	puts
	mov	res_n, %eax
	call	putdec
	mov	$s_nl, %esi
	call	puts

	mov	res_empty, %eax
	mov	res_cpuid, %ebx
	mov	res_io, %ecx
	mov	res_n, %edx
	mov	$REG_MAGIC, %esi
1:	hlt				/* exit: HLT -> the end */
	jmp	1b

/* measure: EBX = a loop below; returns in EAX its smallest count of ROUNDS */
measure:
	push	%ecx
	push	%edx
	mov	$0xffffffff, %edx
	mov	$ROUNDS, %ecx
1:	call	*%ebx
	cmp	%edx, %eax
	jae	2f
	mov	%eax, %edx
2:	loop	1b
	mov	%edx, %eax
	pop	%edx
	pop	%ecx
	ret

/*
 * The timed loops: TSC ticks for N iterations in EAX (low 32 bits of the
 * difference; a few million at most). Every other register is preserved:
 * PUSHA saved EAX at 28(%esp), POPA restores the result from there.
 */
loop_empty:
	pusha
	mov	res_n, %esi
	rdtsc
	mov	%eax, %edi
1:	xor	%eax, %eax
	dec	%esi
	jnz	1b
	rdtsc
	sub	%edi, %eax
	mov	%eax, 28(%esp)
	popa
	ret

loop_cpuid:
	pusha
	mov	res_n, %esi
	rdtsc
	mov	%eax, %edi
1:	xor	%eax, %eax
	cpuid				/* exit: CPUID (clobbers EAX-EDX) */
	dec	%esi
	jnz	1b
	rdtsc
	sub	%edi, %eax
	mov	%eax, 28(%esp)
	popa
	ret

loop_io:
	pusha
	mov	res_n, %esi
	rdtsc
	mov	%eax, %edi
1:	xor	%eax, %eax
	outb	%al, $NODEV_PORT	/* exit: IO_INSTRUCTION, out, port 0x80 */
	dec	%esi
	jnz	1b
	rdtsc
	sub	%edi, %eax
	mov	%eax, 28(%esp)
	popa
	ret

/* puts: print the NUL-terminated string at ESI (clobbers EAX, EDX, ESI) */
puts:
	mov	$CONSOLE_PORT, %dx
1:	lodsb
	test	%al, %al
	jz	2f
	outb	%al, %dx		/* exit: IO_INSTRUCTION, port 0xE9 */
	jmp	1b
2:	ret

/* putdec: print EAX in decimal (clobbers EAX, ECX, EDX) */
putdec:
	push	%ebx
	mov	$10, %ebx
	xor	%ecx, %ecx
1:	xor	%edx, %edx
	div	%ebx
	add	$'0', %dl
	push	%edx
	inc	%ecx
	test	%eax, %eax
	jnz	1b
	mov	$CONSOLE_PORT, %dx
2:	pop	%eax
	outb	%al, %dx		/* exit: IO_INSTRUCTION, port 0xE9 */
	loop	2b
	pop	%ebx
	ret

s_empty: .asciz "bench: empty="
s_cpuid: .asciz " cpuid="
s_io:	.asciz " io="
s_n:	.asciz " n="
s_nl:	.asciz "\n"
