/*
 * io_sizes.S - IN and OUT of each size, to the console and to no device.
 *
 * Concept: trap-and-emulate of port I/O. The exit qualification says
 * size (1, 2 or 4 bytes), direction and port; tvmm must do what the
 * hardware would: an IN changes only AL, AX or EAX, an OUT to the console
 * prints AL whatever the size, and a port with no device reads all ones
 * and swallows writes (lab 05, TODO(lab05.1)).
 *
 * Before each IN the guest loads EAX with 0x12345678, then prints what
 * the IN left in EAX. Each OUT to port 0x80 (no device) would print its
 * byte if tvmm sent it to the console. The console must read exactly:
 *
 *   in 80: 123456ff 1234ffff ffffffff
 *   in e9: 123456e9 123400e9 000000e9
 *   out: OK
 *
 * ("OK" from an OUT of a word and of a doubleword to 0xE9: only AL
 * counts), then HLT. tests/selftests/tvmm/lab05_test.c checks it, and the
 * records: every IN record says "in", every OUT "out"; port 0x80 is
 * "ignored", port 0xE9 "emulated". With the VM's strict I/O flag the
 * very first IN, from port 0x80, ends the VM instead (end_info 0x80).
 *
 * Expected trace: IO_INSTRUCTION exits only (3 INs from 0x80, 3 INs from
 * 0xE9, 3 OUTs to 0x80, one OUT per console byte), then one HLT.
 */
	.include "guest.inc"
	.equ NO_DEVICE, 0x80
	.equ PATTERN, 0x12345678
	.code32
	.text
	.globl _start
_start:
	mov	$msg_in80, %esi
	call	print_str
	mov	$PATTERN, %eax
	inb	$NO_DEVICE, %al		/* exit: IN, 1 byte, port 0x80 */
	call	print_sp_hex
	mov	$PATTERN, %eax
	inw	$NO_DEVICE, %ax		/* 2 bytes */
	call	print_sp_hex
	mov	$PATTERN, %eax
	inl	$NO_DEVICE, %eax	/* 4 bytes */
	call	print_sp_hex
	mov	$'\n', %al
	call	print_char

	mov	$msg_ine9, %esi
	call	print_str
	mov	$CONSOLE_PORT, %dx	/* the DX form this time */
	mov	$PATTERN, %eax
	inb	%dx, %al		/* exit: IN, 1 byte, port 0xe9 */
	call	print_sp_hex
	mov	$PATTERN, %eax
	inw	%dx, %ax
	call	print_sp_hex
	mov	$PATTERN, %eax
	inl	%dx, %eax
	call	print_sp_hex
	mov	$'\n', %al
	call	print_char

	mov	$'X', %al
	outb	%al, $NO_DEVICE		/* no device: must not print */
	mov	$0x5859, %ax
	outw	%ax, $NO_DEVICE
	mov	$0x5a5a5a5a, %eax
	outl	%eax, $NO_DEVICE
	mov	$msg_out, %esi
	call	print_str
	mov	$CONSOLE_PORT, %dx
	mov	$0x214f, %ax		/* AL 'O', AH '!' */
	outw	%ax, %dx		/* exit: OUT, 2 bytes: prints 'O' */
	mov	$0x2121214b, %eax	/* AL 'K' */
	outl	%eax, %dx		/* 4 bytes: prints 'K' */
	mov	$'\n', %al
	call	print_char
1:	hlt				/* exit: HLT -> the end */
	jmp	1b

/* print a space, then EAX in hex */
print_sp_hex:
	push	%eax
	mov	$' ', %al
	call	print_char
	pop	%eax
	jmp	print_hex32

/* print the NUL-terminated string at ESI */
print_str:
	push	%eax
2:	lodsb
	test	%al, %al
	jz	3f
	call	print_char
	jmp	2b
3:	pop	%eax
	ret

	.include "hex.inc"

msg_in80:	.asciz "in 80:"
msg_ine9:	.asciz "in e9:"
msg_out:	.asciz "out: "
