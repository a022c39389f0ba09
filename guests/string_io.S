/*
 * string_io.S - string I/O, which tvmm does not emulate.
 *
 * Concept: trap-and-emulate covers what the VMM chose to emulate; the
 * rest must stop the guest cleanly rather than be half done. INS/OUTS
 * move memory to or from a port (qualification bit 4); tvmm emulates
 * neither, so the VM ends with reason bad_io, end_info = the port, and
 * the exit record says "outs", action fatal (lab 05, TODO(lab05.1)).
 *
 * The guest prints "s" with a plain OUT, then `rep outsb` of "abc" to the
 * console, which must end the VM: nothing after it runs ("!" and HLT).
 *
 * Expected trace: two IO_INSTRUCTION exits (out, then outs: fatal); end
 * reason bad_io, end_info 0xe9; console "s"; `tvmm run` status 114.
 */
	.include "guest.inc"
	.code32
	.text
	.globl _start
_start:
	mov	$CONSOLE_PORT, %dx
	mov	$'s', %al
	outb	%al, %dx		/* exit: OUT -> "s" */
	cld
	mov	$text, %esi
	mov	$3, %ecx
	rep outsb			/* exit: OUTS -> the end */
	mov	$'!', %al
	outb	%al, %dx		/* never reached */
1:	hlt
	jmp	1b

text:	.ascii	"abc"
