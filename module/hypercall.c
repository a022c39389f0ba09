// SPDX-License-Identifier: GPL-2.0
/*
 * hypercall.c - VMCALL: the paravirtual interface of the guest ABI.
 *
 * Concept: paravirtualization. A guest that knows it runs on tvmm (CPUID
 * says so, cpuid.c) does not execute sensitive instructions and wait to be
 * trapped: it asks the VMM directly, as a program makes a system call.
 * VMCALL always exits (SDM vol. 3C, 26.1.2); EAX names the request, EBX
 * carries its argument. The requests are the guest ABI's (docs/abi.md,
 * "Hypercalls"): exit with a status, print a byte, set the virtual IF (the
 * paravirtual CLI/STI), read the time, read the CR0 the guest believes in,
 * write a whole buffer to the console (lab 08's TODO: one exit where the
 * emulated OUT to port 0xE9 costs one per byte).
 * Only the guest kernel may call: from its ring 3 the answer is KVM's,
 * -EPERM, so an application cannot end the VM or open interrupts.
 *
 * SDM: vol. 2C, VMCALL; vol. 3C, 26.1.2.
 * Context: the run loop, preemption off, the VM's VMCS current.
 */
#include <asm/msr.h>
#include <asm/processor-flags.h>

#include "tvmm.h"
#include "vmx_insn.h"

/* Hypercall numbers of the guest ABI (docs/abi.md): VMCALL with EAX = nr. */
#define HC_EXIT			0	/* EBX = exit status */
#define HC_PUTC			1	/* EBX = character */
#define HC_SET_IF		2	/* EBX = new interrupt flag */
#define HC_GET_TIME		3	/* EDX:EAX = guest TSC */
#define HC_GET_CR0		4	/* EAX = the CR0 the guest believes in (paravirt SMSW) */
#define HC_WRITE		5	/* write ECX bytes at guest-physical EBX; EAX = written */
#define HC_UNKNOWN_RESULT	0xffffffffU
#define HC_EPERM_RESULT		0xffffffffU	/* -EPERM: VMCALL from CPL > 0 (as KVM) */
#define HC_EFAULT_RESULT	0xfffffff2U	/* -EFAULT: a buffer outside guest RAM */

/*
 * HC_WRITE, the paravirtual console: the guest hands tvmm a buffer, as a
 * process hands write(2) one, instead of trapping once per byte on OUT.
 * Like write(2) it may write less than asked (the console holds
 * TVMM_CONSOLE_MAX bytes until userspace takes them) and says how much.
 * EBX and ECX are the guest's, hence hostile: a buffer that is not wholly
 * in guest RAM is refused, and nothing is printed.
 */
static void hc_write(struct tvmm_vm *vm)
{
	/*
	 * TODO(lab08.3) BEGIN: the batch console write. EBX is the buffer's
	 * guest-physical address, ECX its length (both 32 bits). If
	 * [EBX, EBX + ECX) is not wholly inside guest RAM (vm->config.mem_size;
	 * compute so that no guest value can wrap), EAX = HC_EFAULT_RESULT and
	 * nothing is printed. Else copy at most the room left in vm->console
	 * (sizeof(vm->console) - vm->console_len) with guest_mem_read(), put
	 * each byte on the console with vcpu_console_putc() and return in EAX
	 * the number of bytes written. docs/abi.md, "Hypercalls". Hint: the
	 * guest loops until all is written, as with write(2).
	 */
#ifdef CONFIG_TVMM_LAB08_SOLUTION
	u64 gpa = (u32)vm->regs.rbx, count = (u32)vm->regs.rcx;
	u64 room = sizeof(vm->console) - vm->console_len;
	u8 buf[TVMM_CONSOLE_MAX];
	u64 n, i;

	static_assert(sizeof(buf) >= sizeof(vm->console));
	if (gpa > vm->config.mem_size || count > vm->config.mem_size - gpa) {
		vm->regs.rax = HC_EFAULT_RESULT;
		return;
	}
	n = min(count, room);
	if (guest_mem_read(&vm->mem, gpa, buf, n)) {
		vm->regs.rax = HC_EFAULT_RESULT;
		return;
	}
	for (i = 0; i < n; i++)
		vcpu_console_putc(vm, buf[i]);
	vm->regs.rax = n;
#else
	vcpu_lab_todo(vm, "lab08.3", "the batch console write hypercall (HC_WRITE)");
#endif
	/* TODO(lab08.3) END */
}

/* VMCALL: the paravirtual door of the guest ABI (docs/abi.md, "The guest ABI"). */
void exit_vmcall(struct tvmm_vm *vm, struct tvmm_exit_info *exit)
{
	u64 tsc, rflags;

	exit->mnemonic = "vmcall";
	vcpu_skip_instruction(vm, exit);
	/*
	 * VMCALL exits at every CPL (SDM 26.1.2), so an application could
	 * end the VM, print, or set its own IF. Only the guest kernel may make
	 * hypercalls; from CPL > 0 the answer is KVM's: -EPERM in EAX and
	 * nothing else (no #UD: the guest knows it runs on tvmm).
	 */
	if (vcpu_cpl(vm)) {
		vm->regs.rax = HC_EPERM_RESULT;
		return;
	}
	switch ((u32)vm->regs.rax) {
	case HC_EXIT:
		vm->exit_status = vm->regs.rbx;
		vcpu_end(vm, TVMM_END_HYPERCALL, vm->exit_status,
			 "guest exited with status %u (hypercall)", vm->exit_status);
		break;
	case HC_PUTC:
		vcpu_console_putc(vm, vm->regs.rbx & 0xff);
		break;
	case HC_SET_IF:		/* the paravirtual CLI/STI */
		virq_set_vif(vm, vm->regs.rbx & 1);
		/*
		 * At ring 1 (deprivileged, patch) the guest's IF is only the
		 * virtual one: the real RFLAGS.IF stays 1 (virq.c), or a later
		 * emulated STI's interrupt shadow would fail the VM entry
		 * ("blocking by STI with IF = 0", SDM 27.3.1.5; found by
		 * make fuzz, seed 20261206, guests 1811 and 1935).
		 */
		if (tvmm_mode_ring1(vm->config.mode))
			break;
		rflags = vmcs_read(VMCS_GUEST_RFLAGS) & ~(u64)X86_EFLAGS_IF;
		if (vm->regs.rbx & 1)
			rflags |= X86_EFLAGS_IF;
		vcpu_write(vm, VMCS_GUEST_RFLAGS, rflags);
		break;
	case HC_GET_TIME:
		tsc = rdtsc() + vm->tsc_offset;	/* the guest's TSC (vmcs.c) */
		vm->regs.rax = (u32)tsc;
		vm->regs.rdx = tsc >> 32;
		break;
	case HC_GET_CR0:
		vm->regs.rax = (u32)vm->cr0_shadow;
		break;
	case HC_WRITE:
		hc_write(vm);
		break;
	default:
		vm->regs.rax = HC_UNKNOWN_RESULT;
		break;
	}
}

