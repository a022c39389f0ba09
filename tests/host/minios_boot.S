/*
 * minios_boot.S - boot guests/minios.bin on a bare PC (QEMU TCG, no VT-x),
 * for minios_qemu_test.sh.
 *
 * Concept: the guest ABI is an ordinary 32-bit PC: a multiboot loader
 * already enters protected mode with flat segments, paging off and
 * interrupts off. This stub adds what tvmm would provide: a timer on
 * vector 0x20 that needs no EOI (the 8259 PIC in auto-EOI mode, IRQ0 ->
 * vector 0x20, fed by the 8254 PIT), the image copied to 0x10000, and a
 * jump to it. QEMU's -debugcon shows port 0xE9. So the mini-OS's own
 * logic (GDT, IDT, TSS, ring 3, system calls, the cli section) is checked
 * at ring 0 without any VMM; the VMM-specific parts need the lab VM.
 * Built with --defsym PIT_DIVISOR=N and .incbin of minios.bin.
 */
	.code32
	.text
	.globl _start
	.equ LOAD, 0x100000		/* multiboot images live above 1 MiB */
	.equ MB_MAGIC, 0x1badb002
	.equ MB_FLAGS, 0x00010000	/* bit 16: the address fields below are valid */
mb_header:
	.long	MB_MAGIC, MB_FLAGS, -(MB_MAGIC + MB_FLAGS)
	.long	mb_header, LOAD, image_end, image_end, _start
_start:
	cli
	/* 8259 PICs: ICW1 (edge, cascade, ICW4), ICW2 (vector base), ICW3, ICW4 */
	mov	$0x11, %al
	out	%al, $0x20
	out	%al, $0xa0
	mov	$0x20, %al		/* IRQ0 -> vector 0x20 */
	out	%al, $0x21
	mov	$0x28, %al
	out	%al, $0xa1
	mov	$4, %al
	out	%al, $0x21
	mov	$2, %al
	out	%al, $0xa1
	mov	$3, %al			/* 8086 mode, auto-EOI: no EOI needed */
	out	%al, $0x21
	out	%al, $0xa1
	mov	$0xfe, %al		/* only IRQ0 */
	out	%al, $0x21
	mov	$0xff, %al
	out	%al, $0xa1
	/* 8254 PIT channel 0: rate generator (mode 2), 16-bit divisor */
	mov	$0x34, %al
	out	%al, $0x43
	mov	$PIT_DIVISOR, %ax
	out	%al, $0x40
	mov	%ah, %al
	out	%al, $0x40
	/* the guest ABI: the image at 0x10000, entered there */
	cld
	mov	$image, %esi
	mov	$0x10000, %edi
	mov	$(image_end - image), %ecx
	rep movsb
	mov	$0x1f0000, %esp
	mov	$0x10000, %eax
	jmp	*%eax

	.balign 16
image:
	.incbin	"minios.bin"
image_end:
