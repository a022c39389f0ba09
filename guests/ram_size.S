/*
 * ram_size.S - how much RAM does this VM have? Touch it and see.
 *
 * Concept: guest RAM sizing with EPT. `tvmm run --mem SIZE` decides how
 * many guest-physical pages EPT maps; the guest finds its RAM's end the
 * hard way. It writes a word at the start of each MiB from 1 MiB up and
 * prints "ram: N MiB ok" after each; the first write past the end of RAM
 * has no EPT mapping: an EPT_VIOLATION exit, and since no device is there
 * either, tvmm ends the VM. The GPA of that exit is the RAM size.
 *
 *   tvmm run guests/ram_size.bin            # 2 MiB: "ram: 1 MiB ok", GPA 0x200000
 *   tvmm run --mem 4M guests/ram_size.bin   # 4 MiB: 1, 2, 3 MiB ok, GPA 0x400000
 *
 * Expected trace: IO_INSTRUCTION exits for the console, then one
 * EPT_VIOLATION (action "fatal") at the RAM size; the run ends with
 * TVMM_END_EPT_VIOLATION, end_info = the RAM size; status 111. (It stops
 * at 64 MiB, tvmm's largest RAM, with HLT if it ever gets there.)
 */
	.include "guest.inc"
	.equ MIB, 0x100000
	.equ MAX_MIB, 64
	.code32
	.text
	.globl _start
_start:
	cld
	mov	$1, %ebx			/* EBX = N: the MiB probed */
probe:	mov	%ebx, %edi
	shl	$20, %edi
	movl	$0x5a5aa5a5, (%edi)		/* past the end: EPT_VIOLATION */
	cmpl	$0x5a5aa5a5, (%edi)
	jne	stop
	mov	$msg_ram, %esi
	call	puts
	mov	%ebx, %eax			/* N in decimal, 1..64 */
	xor	%edx, %edx
	mov	$10, %ecx
	div	%ecx
	test	%eax, %eax
	jz	1f
	add	$'0', %al
	call	putc
1:	mov	%dl, %al
	add	$'0', %al
	call	putc
	mov	$msg_ok, %esi
	call	puts
	inc	%ebx
	cmp	$MAX_MIB, %ebx
	jb	probe
stop:	hlt
	jmp	stop

/* Print the NUL-terminated string at ESI. */
puts:	lodsb
	test	%al, %al
	jz	1f
	call	putc
	jmp	puts
1:	ret

/* Print AL; keeps EDX. */
putc:	push	%edx
	mov	$CONSOLE_PORT, %dx
	outb	%al, %dx
	pop	%edx
	ret

msg_ram:	.asciz "ram: "
msg_ok:		.asciz " MiB ok\n"
