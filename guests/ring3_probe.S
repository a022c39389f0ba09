/*
 * ring3_probe.S - a guest kernel that runs privileged instructions from
 * its ring-3 application and reports what the CPU did.
 *
 * Concept: the notes' two modes of a de-privileged guest, virtual kernel
 * mode (the guest kernel, ring 1 in deprivileged and patch modes) and
 * virtual user mode (its applications, ring 3). Only the guest kernel's
 * privileged instructions may be emulated; an application's CLI, OUT,
 * HLT, LGDT, MOV CR0, WRMSR... must raise #GP(0) into the guest kernel,
 * exactly as on a real CPU and in --mode hw, and its VMCALL must not
 * reach tvmm's hypercalls. SDM vol. 3A, 5.9 "Privileged Instructions",
 * 2.8 "System Instruction Summary", 6.12.1.1 (gate DPL check of INT3);
 * vol. 1, 19.5.1 "I/O Privilege Level"; vol. 3C, 26.1.2 (VMCALL exits at
 * any CPL).
 *
 * The kernel loads a GDT (ring-0 and ring-3 code and data, a TSS), an
 * IDT whose exception gates are DPL-0 trap gates except #BP and #OF (DPL
 * 3: INT3 and INTO are allowed from ring 3) and a DPL-3 gate 0x30 ("the
 * probe ran to its end"), turns interrupts on and runs the probes of the
 * table at the end of the file. A ring-3 probe is entered with IRET (CPL
 * 3, IF 1, IOPL 0, ESP = USTACK_TOP); a kernel probe with a jump. Each
 * console line is the probe's name and what ended it:
 *   "cli: vector 13 error 0x00000000 eip +0x00000000 esp +0x00000000"
 *       an exception: its vector, error code, faulting (or, for a trap,
 *       next) EIP as an offset from the probe's first byte, and the
 *       probe's ESP at that point as an offset from its ESP at the start;
 *   "vmcall putc: no fault, eax 0xffffffff"
 *       the probe reached `int $0x30`, EAX as it was then.
 * Then "ring3: done" and a bare HLT: IF is still 1 unless a probe
 * managed to clear the kernel's interrupt flag, so with `--timer 0` the
 * VM ends "halted with interrupts enabled" (end_info 1); with a timer the
 * HLT waits for a tick and the guest ends with CLI; HLT.
 *
 * Probe selection: the 32-bit word at image offset 8 (after the magic
 * "R3PS" at offset 4) is the index of the only probe to run, or
 * 0xffffffff for all of them in order (as built).
 * tests/selftests/tvmm/ring3_test.c patches it and runs one probe per run
 * in hw, deprivileged and patch modes (--timer 0), and expects the same
 * console in all three. Run all by hand:
 *   tvmm run --mode deprivileged --timer 0 --trace t.jsonl ring3_probe.bin
 *
 * The probes live in their own page, entered only through the table: in
 * patch mode the first fetch there scans the page from that probe on, so
 * its PUSHF/POPF/SGDT are patched (module/patch.c). The "paging" probe
 * maps a page of code at a second linear address (ALIAS_LINEAR, outside
 * guest RAM as a physical address) and calls it there: hw runs it;
 * deprivileged and patch modes refuse paging and end the VM.
 *
 * Memory: the image at 0x10000, kernel stack below KSTACK_TOP, the app's
 * below USTACK_TOP, page tables at PAGE_DIR; all under 1 MiB - 64 KiB.
 */
	.include "guest.inc"

	.equ KCODE_SEL, 0x08		/* kernel code, DPL 0 */
	.equ KDATA_SEL, 0x10		/* kernel data, DPL 0 */
	.equ UCODE_SEL, 0x1b		/* app code, DPL 3, RPL 3 */
	.equ UDATA_SEL, 0x23		/* app data, DPL 3, RPL 3 */
	.equ TSS_SEL, 0x28		/* the task-state segment */

	.equ KSTACK_TOP, 0x80000
	.equ USTACK_TOP, 0x70000
	.equ PAGE_DIR, 0x90000		/* 4-KiB aligned, zeroed by the probe */
	.equ PAGE_TABLE, 0x91000	/* maps linear 0-4 MiB */
	.equ ALIAS_LINEAR, 0x3ff000	/* the last page of it: not RAM as a GPA */
	.equ PTE_PRESENT_RW, 0x3
	.equ PT_ENTRIES, 1024
	.equ PAGE_SHIFT, 12
	.equ CR0_PG, 0x80000000
	.equ MSR_SYSENTER_CS, 0x174	/* an MSR tvmm lets the guest kernel write */

	.equ T_DONE, 0x30		/* int $0x30: the probe ran to its end */
	.equ IDT_ENTRIES, T_DONE + 1
	.equ NR_EXCEPTIONS, 32
	.equ X86_EXC_BP, 3
	.equ X86_EXC_OF, 4
	.equ GATE_TRAP_KERNEL, 0x8f	/* trap gate, DPL 0: IF unchanged */
	.equ GATE_TRAP_USER, 0xef	/* trap gate, DPL 3 */
	.equ GATE_INTR_KERNEL, 0x8e	/* interrupt gate, DPL 0 (the timer) */

	.equ TSS_SIZE, 104
	.equ TSS_TYPE_AVAIL, 0x89
	.equ EFLAGS_RESERVED, 0x002
	.equ EFLAGS_IF, 0x200
	.equ EFLAGS_IOPL3, 0x3000
	.equ ALL_PROBES, 0xffffffff
	.equ PROBE_SIZE, 12		/* a probe table entry: name, entry, ring */
	.equ PROBE_KERNEL, 0		/* ring: run by the kernel, at its level */
	.equ PROBE_USER, 3		/* ring: run at ring 3 */
	.equ PROBE_USER_BP_CLOSED, 4	/* ring 3, after making the #BP gate DPL 0 */

	/* Exception frame offsets after the stub's pushes (vector, error code). */
	.equ FR_VECTOR, 0
	.equ FR_ERROR, 4
	.equ FR_EIP, 8
	.equ FR_CS, 12
	.equ FR_ESP, 20			/* only from ring 3 */
	.equ FR_SAME_RING_SIZE, 20	/* vector, error, EIP, CS, EFLAGS */

	.code32
	.text
	.globl _start
_start:
	jmp	1f
	.balign 4
	.ascii	"R3PS"			/* offset 4: the magic */
probe_select:
	.long	ALL_PROBES		/* offset 8: which probe (ring3_test.c) */

1:	cld
	mov	$KSTACK_TOP, %esp
	mov	$tss, %eax		/* the TSS base, split in three fields */
	mov	%ax, gdt_tss + 2
	shr	$16, %eax
	mov	%al, gdt_tss + 4
	mov	%ah, gdt_tss + 7
	lgdt	gdt_desc
	ljmp	$KCODE_SEL, $2f
2:	mov	$KDATA_SEL, %ax
	mov	%ax, %ds
	mov	%ax, %es
	mov	%ax, %fs
	mov	%ax, %gs
	mov	%ax, %ss
	mov	$KSTACK_TOP, %esp
	call	idt_init
	lidt	idt_desc
	mov	$TSS_SEL, %ax
	ltr	%ax
	sti				/* every probe must leave IF as it is: 1 */

	mov	probe_select, %eax
	mov	%eax, probe_index
	mov	%eax, probe_last
	cmp	$ALL_PROBES, %eax
	jne	next_probe
	movl	$0, probe_index
	movl	$(NR_PROBES - 1), probe_last

/*
 * Run probe number probe_index, unless past probe_last. Entered from the
 * boot code and from every handler, on any stack: starts afresh.
 */
next_probe:
	mov	$KDATA_SEL, %ax
	mov	%ax, %ds
	mov	%ax, %es
	mov	%ax, %fs
	mov	%ax, %gs
	mov	$KSTACK_TOP, %esp
	mov	probe_index, %ecx
	cmp	probe_last, %ecx
	ja	done
	cmp	$NR_PROBES, %ecx
	jae	done
	incl	probe_index
	imul	$PROBE_SIZE, %ecx, %ecx
	mov	probes(%ecx), %esi	/* name */
	call	puts
	mov	$msg_colon, %esi
	call	puts
	mov	probes + 4(%ecx), %ebx	/* entry */
	mov	%ebx, probe_entry
	mov	probes + 8(%ecx), %eax	/* ring */
	cmp	$PROBE_KERNEL, %eax
	jne	1f
	jmp	*%ebx			/* a kernel probe; it saves its own ESP */
1:	cmp	$PROBE_USER_BP_CLOSED, %eax
	jne	2f
	movb	$GATE_TRAP_KERNEL, idt + X86_EXC_BP * 8 + 5	/* the access byte */
	lidt	idt_desc		/* ring 1: tvmm rebuilds its shadow IDT */
2:	movl	$USTACK_TOP, probe_esp
	mov	$UDATA_SEL, %ax
	mov	%ax, %ds
	mov	%ax, %es
	mov	%ax, %fs
	mov	%ax, %gs
	pushl	$UDATA_SEL		/* SS */
	pushl	$USTACK_TOP		/* ESP */
	pushl	$(EFLAGS_IF | EFLAGS_RESERVED)	/* EFLAGS: IF 1, IOPL 0 */
	pushl	$UCODE_SEL		/* CS */
	pushl	%ebx			/* EIP */
	iret

done:
	mov	$msg_done, %esi
	call	puts
	hlt				/* --timer 0: ends the VM, end_info = IF */
	cli				/* a timer tick woke us: stop for good */
	hlt
	jmp	done

/* Fill the IDT: exceptions, the timer (0x20), the end-of-probe gate. */
idt_init:
	xor	%ecx, %ecx
1:	mov	exc_stubs(, %ecx, 4), %eax
	mov	$GATE_TRAP_KERNEL, %dl
	cmp	$X86_EXC_BP, %ecx
	je	2f
	cmp	$X86_EXC_OF, %ecx
	jne	3f
2:	mov	$GATE_TRAP_USER, %dl	/* INT3 and INTO are allowed at ring 3 */
3:	call	set_gate
	inc	%ecx
	cmp	$NR_EXCEPTIONS, %ecx
	jb	1b
	mov	$TIMER_VECTOR, %ecx
	mov	$timer_isr, %eax
	mov	$GATE_INTR_KERNEL, %dl
	call	set_gate
	mov	$T_DONE, %ecx
	mov	$probe_end, %eax
	mov	$GATE_TRAP_USER, %dl
	call	set_gate
	ret

/* IDT entry ECX := handler EAX, kernel code, access byte DL. Clobbers EAX, EDI. */
set_gate:
	lea	idt(, %ecx, 8), %edi
	mov	%ax, (%edi)
	movw	$KCODE_SEL, 2(%edi)
	movb	$0, 4(%edi)
	mov	%dl, 5(%edi)
	shr	$16, %eax
	mov	%ax, 6(%edi)
	ret

/* A tick (only without --timer 0): STI re-opens the virtual IF at ring 1. */
timer_isr:
	sti
	iret

/* int $0x30: the probe ran to its end. Print EAX. */
probe_end:
	mov	%eax, %ebx
	mov	$KDATA_SEL, %ax
	mov	%ax, %ds
	mov	%ax, %es
	mov	$msg_nofault, %esi
	call	puts
	mov	%ebx, %eax
	call	print_hex
	mov	$'\n', %al
	out	%al, $CONSOLE_PORT
	jmp	next_probe

/* Exception stubs: a dummy error code where the CPU pushes none, the vector. */
	.irp v, 0,1,2,3,4,5,6,7,8,9,10,11,12,13,14,15,16,17,18,19,20,21,22,23,24,25,26,27,28,29,30,31
exc_\v:
	.if !(\v == 8 || (\v >= 10 && \v <= 14) || \v == 17 || \v == 21 || \v == 29 || \v == 30)
	pushl	$0
	.endif
	pushl	$\v
	jmp	exception_entry
	.endr

/* Print the exception and go on with the next probe. */
exception_entry:
	mov	$KDATA_SEL, %ax
	mov	%ax, %ds
	mov	%ax, %es
	mov	$msg_vector, %esi
	call	puts
	mov	FR_VECTOR(%esp), %eax
	call	print_dec
	mov	$msg_error, %esi
	call	puts
	mov	FR_ERROR(%esp), %eax
	call	print_hex
	mov	$msg_eip, %esi
	call	puts
	mov	FR_EIP(%esp), %eax
	sub	probe_entry, %eax
	call	print_hex
	mov	$msg_esp, %esi
	call	puts
	/* The probe's ESP: pushed by the CPU from ring 3, else above the frame. */
	lea	FR_SAME_RING_SIZE(%esp), %eax
	cmpl	$UCODE_SEL, FR_CS(%esp)	/* the kernel's CS is 0x08, or 0x09 at ring 1 */
	jne	1f
	mov	FR_ESP(%esp), %eax
1:	sub	probe_esp, %eax
	call	print_hex
	mov	$'\n', %al
	out	%al, $CONSOLE_PORT
	jmp	next_probe

/* puts: the NUL-terminated string at ESI. Clobbers EAX, ESI. */
puts:
1:	lodsb
	test	%al, %al
	jz	2f
	out	%al, $CONSOLE_PORT
	jmp	1b
2:	ret

/* print_dec: EAX (< 100) in decimal. Clobbers EAX. */
print_dec:
	push	%edx
	xor	%edx, %edx
	mov	$10, %dl
	div	%dl			/* AL = tens, AH = units */
	test	%al, %al
	jz	1f
	add	$'0', %al
	out	%al, $CONSOLE_PORT
1:	mov	%ah, %al
	add	$'0', %al
	out	%al, $CONSOLE_PORT
	pop	%edx
	ret

/* print_hex: EAX as 0x and 8 hex digits. Clobbers EAX. */
print_hex:
	push	%ecx
	push	%edx
	mov	%eax, %edx
	mov	$'0', %al
	out	%al, $CONSOLE_PORT
	mov	$'x', %al
	out	%al, $CONSOLE_PORT
	mov	$8, %ecx
1:	rol	$4, %edx
	mov	%dl, %al
	and	$0xf, %al
	add	$'0', %al
	cmp	$'9', %al
	jbe	2f
	add	$('a' - '9' - 1), %al
2:	out	%al, $CONSOLE_PORT
	loop	1b
	pop	%edx
	pop	%ecx
	ret

/*
 * The probes, in their own page. Ring-3 ones run with CPL 3, IOPL 0 and
 * must fault with #GP(0) at their first privileged instruction (the "+N"
 * of each is its offset); kernel ones (pop ss, paging) run at the guest
 * kernel's level. Each falls through to `int $0x30` if nothing faulted.
 */
	.balign 4096
p_cli:	cli				/* +0: #GP(0), IF stays 1 */
	int	$T_DONE
p_sti:	sti				/* +0 */
	int	$T_DONE
p_out:	mov	$'!', %al
	out	%al, $CONSOLE_PORT	/* +2: no '!' on the console */
	int	$T_DONE
p_outdx: mov	$CONSOLE_PORT, %dx
	mov	$'!', %al
	out	%al, (%dx)		/* +6 */
	int	$T_DONE
p_in:	in	$CONSOLE_PORT, %al	/* +0 */
	int	$T_DONE
p_hlt:	hlt				/* +0: must not halt or end the VM */
	int	$T_DONE
p_lgdt:	lgdt	gdt_desc		/* +0 */
	int	$T_DONE
p_lidt:	lidt	idt_desc		/* +0 */
	int	$T_DONE
p_ltr:	mov	$TSS_SEL, %ax
	ltr	%ax			/* +4 */
	int	$T_DONE
p_rdcr0: mov	%cr0, %eax		/* +0 */
	int	$T_DONE
p_wrcr0: mov	$(CR0_PE | CR0_TS), %eax
	mov	%eax, %cr0		/* +5 */
	int	$T_DONE
p_clts:	clts				/* +0 */
	int	$T_DONE
p_invlpg: invlpg probe_select		/* +0 */
	int	$T_DONE
p_rdmsr: mov	$MSR_IA32_TSC, %ecx
	rdmsr				/* +5 */
	int	$T_DONE
p_wrmsr: mov	$MSR_SYSENTER_CS, %ecx
	xor	%eax, %eax
	xor	%edx, %edx
	wrmsr				/* +9 */
	int	$T_DONE
/* VMCALL from ring 3: refused, EAX = 0xffffffff, nothing else happens. */
p_vmcall_putc: mov $HC_PUTC, %eax
	mov	$'!', %ebx
	vmcall				/* no '!' */
	int	$T_DONE
p_vmcall_setif: mov $HC_SET_IF, %eax
	xor	%ebx, %ebx
	vmcall				/* IF stays 1 */
	int	$T_DONE
p_vmcall_exit: mov $HC_EXIT, %eax
	mov	$7, %ebx
	vmcall				/* the VM goes on */
	int	$T_DONE
/* INT3 and INTO through DPL-3 gates: traps, the next EIP is +1 after them. */
p_int3:	int3				/* #BP, eip +1 */
	int	$T_DONE
p_into:	mov	$0x7f, %al
	add	$1, %al			/* OF = 1 */
	into				/* #OF, eip +5 */
	int	$T_DONE
/* INT3 through a DPL-0 gate (PROBE_USER_BP_CLOSED): #GP(3 << 3 | IDT), eip +0. */
p_int3k: int3
	int	$T_DONE
/* POPF at CPL 3 > IOPL changes neither IF nor IOPL; PUSHF shows IF 1, IOPL 0. */
p_popf:	pushl	$(EFLAGS_IOPL3 | EFLAGS_RESERVED)
	popf
	pushf
	pop	%eax
	and	$(EFLAGS_IF | EFLAGS_IOPL3), %eax
	int	$T_DONE			/* eax 0x200 */
/* SGDT is allowed at CPL 3: the GDT base the kernel loaded (EAX 0). */
p_sgdt:	sgdt	sgdt_buf
	mov	sgdt_buf + 2, %eax
	sub	$gdt, %eax
	int	$T_DONE			/* eax 0 */
/* Kernel: the guest kernel's own VMCALL works (ring 1 is its ring 0). */
p_vmcall_kernel: mov $HC_PUTC, %eax
	mov	$'+', %ebx
	vmcall				/* '+' on the console, EAX unchanged: 1 */
	int	$T_DONE
/* Kernel: POP SS of a code selector faults, and leaves ESP where it was. */
p_popss: pushl	$UCODE_SEL
	mov	%esp, probe_esp
	pop	%ss			/* +8: #GP(0x18), esp +0 */
	int	$T_DONE
/* Kernel: paging on, then call the alias page through its second address. */
p_paging: mov	$PAGE_DIR, %edi
	xor	%eax, %eax
	mov	$PT_ENTRIES, %ecx
	rep stosl			/* an empty page directory */
	movl	$(PAGE_TABLE | PTE_PRESENT_RW), PAGE_DIR
	mov	$PAGE_TABLE, %edi
	mov	$PTE_PRESENT_RW, %eax
	mov	$PT_ENTRIES, %ecx
1:	stosl				/* identity: linear = physical */
	add	$(1 << PAGE_SHIFT), %eax
	loop	1b
	movl	$(alias_page + PTE_PRESENT_RW), PAGE_TABLE + (ALIAS_LINEAR >> PAGE_SHIFT) * 4
	mov	$PAGE_DIR, %eax
	mov	%eax, %cr3
	mov	%cr0, %eax
	or	$CR0_PG, %eax
	mov	%eax, %cr0		/* deprivileged, patch: the VM ends here */
	mov	$ALIAS_LINEAR, %eax
	call	*%eax
	mov	%cr0, %eax
	and	$~CR0_PG, %eax
	mov	%eax, %cr0
	xor	%eax, %eax
	int	$T_DONE

/* Reached only at ALIAS_LINEAR, through the page table. */
	.balign 4096
alias_page:
	mov	$'@', %al
	out	%al, $CONSOLE_PORT
	ret

	.balign 4096
/* name, entry, ring (PROBE_KERNEL, PROBE_USER, PROBE_USER_BP_CLOSED) */
probes:
	.long	n_cli, p_cli, PROBE_USER
	.long	n_sti, p_sti, PROBE_USER
	.long	n_out, p_out, PROBE_USER
	.long	n_outdx, p_outdx, PROBE_USER
	.long	n_in, p_in, PROBE_USER
	.long	n_hlt, p_hlt, PROBE_USER
	.long	n_lgdt, p_lgdt, PROBE_USER
	.long	n_lidt, p_lidt, PROBE_USER
	.long	n_ltr, p_ltr, PROBE_USER
	.long	n_rdcr0, p_rdcr0, PROBE_USER
	.long	n_wrcr0, p_wrcr0, PROBE_USER
	.long	n_clts, p_clts, PROBE_USER
	.long	n_invlpg, p_invlpg, PROBE_USER
	.long	n_rdmsr, p_rdmsr, PROBE_USER
	.long	n_wrmsr, p_wrmsr, PROBE_USER
	.long	n_vmcall_putc, p_vmcall_putc, PROBE_USER
	.long	n_vmcall_setif, p_vmcall_setif, PROBE_USER
	.long	n_vmcall_exit, p_vmcall_exit, PROBE_USER
	.long	n_int3, p_int3, PROBE_USER
	.long	n_into, p_into, PROBE_USER
	.long	n_int3k, p_int3k, PROBE_USER_BP_CLOSED
	.long	n_popf, p_popf, PROBE_USER
	.long	n_sgdt, p_sgdt, PROBE_USER
	.long	n_vmcall_kernel, p_vmcall_kernel, PROBE_KERNEL
	.long	n_popss, p_popss, PROBE_KERNEL
	.long	n_paging, p_paging, PROBE_KERNEL
	.equ NR_PROBES, (. - probes) / PROBE_SIZE

n_cli:		.asciz "cli"
n_sti:		.asciz "sti"
n_out:		.asciz "out imm8"
n_outdx:	.asciz "out dx"
n_in:		.asciz "in"
n_hlt:		.asciz "hlt"
n_lgdt:		.asciz "lgdt"
n_lidt:		.asciz "lidt"
n_ltr:		.asciz "ltr"
n_rdcr0:	.asciz "mov from cr0"
n_wrcr0:	.asciz "mov to cr0"
n_clts:		.asciz "clts"
n_invlpg:	.asciz "invlpg"
n_rdmsr:	.asciz "rdmsr"
n_wrmsr:	.asciz "wrmsr"
n_vmcall_putc:	.asciz "vmcall putc"
n_vmcall_setif:	.asciz "vmcall set-if"
n_vmcall_exit:	.asciz "vmcall exit"
n_int3:		.asciz "int3"
n_into:		.asciz "into"
n_int3k:	.asciz "int3 dpl0"
n_popf:		.asciz "popf"
n_sgdt:		.asciz "sgdt"
n_vmcall_kernel: .asciz "vmcall kernel"
n_popss:	.asciz "pop ss"
n_paging:	.asciz "paging"
msg_colon:	.asciz ": "
msg_nofault:	.asciz "no fault, eax "
msg_vector:	.asciz "vector "
msg_error:	.asciz " error "
msg_eip:	.asciz " eip +"
msg_esp:	.asciz " esp +"
msg_done:	.asciz "ring3: done\n"

	.balign 4
probe_index:	.long 0
probe_last:	.long 0
probe_entry:	.long 0
probe_esp:	.long 0
sgdt_buf:	.fill 8, 1, 0

exc_stubs:
	.irp v, 0,1,2,3,4,5,6,7,8,9,10,11,12,13,14,15,16,17,18,19,20,21,22,23,24,25,26,27,28,29,30,31
	.long	exc_\v
	.endr

	.balign 8
gdt:
	.quad	0			/* 0x00 */
	.quad	0x00cf9a000000ffff	/* 0x08: code, DPL 0 */
	.quad	0x00cf92000000ffff	/* 0x10: data, DPL 0 */
	.quad	0x00cffa000000ffff	/* 0x18: code, DPL 3 */
	.quad	0x00cff2000000ffff	/* 0x20: data, DPL 3 */
gdt_tss:				/* 0x28: the TSS; base filled in by _start */
	.word	TSS_SIZE - 1, 0
	.byte	0, TSS_TYPE_AVAIL, 0, 0
gdt_end:
gdt_desc:
	.word	gdt_end - gdt - 1
	.long	gdt
idt_desc:
	.word	IDT_ENTRIES * 8 - 1
	.long	idt

/* SS0:ESP0: the stack for traps from ring 3. No I/O bitmap (base > limit). */
	.balign 4
tss:
	.long	0
	.long	KSTACK_TOP		/* ESP0 */
	.long	KDATA_SEL		/* SS0 */
	.fill	22, 4, 0
	.word	0
	.word	TSS_SIZE		/* I/O map base beyond the limit */

	.balign 8
idt:
	.fill	IDT_ENTRIES * 8, 1, 0
