// SPDX-License-Identifier: GPL-2.0
/*
 * vcpu_state.c - the virtual CPU as every exit handler sees it: its
 * registers, its privilege level, and the few things a handler does to it
 * (step over an instruction, raise an exception, write a VMCS field, end
 * the VM, print on its console, read the instruction it executed).
 *
 * Concept: an exit handler works on the *virtual* machine. Whatever it
 * emulates (an OUT, a CPUID, a CLI at ring 1, a patched PUSHF, a device
 * register), it ends the same few ways: the guest goes on after the
 * instruction, or takes an exception the real CPU would have raised, or
 * the VM stops. This file is the bottom layer of tvmm.ko: every handler
 * calls down into it, and it calls nothing above it (docs/architecture.md,
 * "Layers"). What every exit runs, vcpu_write() and
 * vcpu_skip_instruction(), is inline in tvmm.h: a call there would cost
 * as much as the work.
 *
 * SDM: vol. 3C, 25.4 "Guest-State Area" (RIP, RSP, RFLAGS, SS.DPL as the
 *      CPL, interruptibility, pending debug exceptions); 27.6 "Event
 *      Injection".
 * Context: the run loop, preemption off, the VM's VMCS current.
 */
#include <linux/stdarg.h>
#include <asm/processor-flags.h>

#include "tvmm.h"
#include "vmx_insn.h"
#include "include/tvmm/insn.h"

/**
 * vcpu_write_failed() - a VMWRITE of vcpu_write() (tvmm.h) failed.
 * @vm: the VM whose VMCS is current
 * @field: the field encoding
 *
 * A failing VMWRITE is a tvmm bug (a field this CPU lacks, a read-only
 * one): vmx_vmwrite() logged it with the field; the VM ends, naming it,
 * rather than running on with state tvmm believes it wrote.
 */
void vcpu_write_failed(struct tvmm_vm *vm, unsigned long field)
{
	vcpu_end(vm, TVMM_END_INTERNAL, field,
		 "VMWRITE of VMCS field 0x%lx failed (see dmesg)", field);
}

/*
 * RFLAGS bits a guest may be given (SDM vol. 1, 3.4.3): not the reserved
 * ones (3, 5, 15, 22-63), and not VM (17): tvmm runs no virtual-8086 code,
 * and the VM entry would fail with it in a protected-mode or real-mode
 * guest (SDM vol. 3C, 27.3.1.4). Bit 1 reads as 1; vcpu.c sets it.
 * TVMM_SET_REGS (vm.c) and a restored state (snapshot_check.c) ask.
 */
#define RFLAGS_SETTABLE	(X86_EFLAGS_CF | X86_EFLAGS_FIXED | X86_EFLAGS_PF | \
			 X86_EFLAGS_AF | X86_EFLAGS_ZF | X86_EFLAGS_SF | \
			 X86_EFLAGS_TF | X86_EFLAGS_IF | X86_EFLAGS_DF | \
			 X86_EFLAGS_OF | X86_EFLAGS_IOPL | X86_EFLAGS_NT | \
			 X86_EFLAGS_RF | X86_EFLAGS_AC | X86_EFLAGS_ID)

/*
 * What TVMM_SET_REGS may put in the VMCS: a 32-bit guest's RIP and RSP
 * (a RIP above 4 GiB fails the entry outside IA-32e mode), flags the CPU
 * could hold, and in the de-privileged modes IOPL 0 (tvmm keeps it there,
 * so that ring 3's I/O traps: docs/abi.md, "Ring 3 stays ring 3").
 */
bool vcpu_regs_valid(struct tvmm_vm *vm, const struct tvmm_regs *r)
{
	if (r->rip > U32_MAX || r->rsp > U32_MAX || (r->rflags & ~(u64)RFLAGS_SETTABLE))
		return false;
	return !(tvmm_mode_ring1(vm->config.mode) && (r->rflags & X86_EFLAGS_IOPL));
}

/* The guest's general registers by ModR/M number (RSP lives in the VMCS). */
static u64 *vcpu_gpr(struct tvmm_vm *vm, unsigned int n)
{
	u64 *const regs[16] = {
		&vm->regs.rax, &vm->regs.rcx, &vm->regs.rdx, &vm->regs.rbx,
		NULL, &vm->regs.rbp, &vm->regs.rsi, &vm->regs.rdi,
		&vm->regs.r8, &vm->regs.r9, &vm->regs.r10, &vm->regs.r11,
		&vm->regs.r12, &vm->regs.r13, &vm->regs.r14, &vm->regs.r15,
	};

	return regs[n & 15];
}

u64 vcpu_gpr_read(struct tvmm_vm *vm, unsigned int n)
{
	u64 *reg = vcpu_gpr(vm, n);

	return reg ? *reg : vmcs_read(VMCS_GUEST_RSP);
}

void vcpu_gpr_write(struct tvmm_vm *vm, unsigned int n, u64 value)
{
	u64 *reg = vcpu_gpr(vm, n);

	if (reg)
		*reg = value;
	else
		vcpu_write(vm, VMCS_GUEST_RSP, value);
}

/**
 * vcpu_cpl() - the privilege level the guest believes it runs at.
 * @vm: the VM, its VMCS current
 *
 * The CPU's CPL is SS.DPL (SDM 25.4.1), read from the VMCS, never
 * assumed. In deprivileged and patch modes ring 1 is the guest kernel's
 * ring 0 ("virtual kernel mode"); ring 3 is its applications' ring 3
 * ("virtual user mode"). Everything that decides "may the guest do this
 * privileged thing" asks this, not the real CPL.
 *
 * Return: 0 for the guest kernel, else the guest's CPL (3 for its apps).
 */
unsigned int vcpu_cpl(struct tvmm_vm *vm)
{
	unsigned int cpl = (vmcs_read(VMCS_GUEST_SS_AR_BYTES) >> VMCS_AR_DPL_SHIFT) &
			   VMCS_AR_DPL_MASK;

	if (tvmm_mode_ring1(vm->config.mode) && cpl <= TVMM_VIRTUAL_KERNEL_RING)
		return 0;
	return cpl;
}

/**
 * vcpu_inject_exception() - make the guest take exception @vector at the
 * faulting instruction, exactly as the hardware would have.
 * @vm: the VM
 * @exit: the exit; its action becomes "reflected"
 * @vector: the exception (TVMM_EXC_*)
 * @has_error: the exception pushes an error code
 * @error_code: ... this one
 *
 * VM-entry event injection (SDM 27.6): the CPU delivers it through the
 * guest's IDT at the next entry. Real mode has no error codes.
 */
void vcpu_inject_exception(struct tvmm_vm *vm, struct tvmm_exit_info *exit,
			   u32 vector, bool has_error, u32 error_code)
{
	u32 info = vector | (TVMM_INTR_TYPE_HW_EXCEPTION << TVMM_INTR_INFO_TYPE_SHIFT) |
		   TVMM_INTR_INFO_VALID;

	if (has_error && (vm->cr0_shadow & X86_CR0_PE)) {
		info |= TVMM_INTR_INFO_DELIVER_CODE;
		vcpu_write(vm, VMCS_VM_ENTRY_EXCEPTION_ERROR_CODE, error_code);
	}
	vcpu_write(vm, VMCS_VM_ENTRY_INTR_INFO_FIELD, info);
	exit->action = TVMM_ACTION_REFLECTED;
}

/**
 * vcpu_end() - end the VM: record why, once. Later causes are ignored, so
 * the first reason (the real one) is what the user sees.
 * @vm: the VM
 * @end: enum tvmm_end
 * @info: end_info for userspace (a GPA, a port, an exit reason...)
 * @fmt: the message, in words
 */
void vcpu_end(struct tvmm_vm *vm, u32 end, u64 info, const char *fmt, ...)
{
	va_list args;

	if (vm->end)
		return;
	vm->end = end;
	vm->end_info = info;
	va_start(args, fmt);
	vsnprintf(vm->message, sizeof(vm->message), fmt, args);
	va_end(args);
}

/* Append one byte to the VM's console; a full line goes to userspace. */
void vcpu_console_putc(struct tvmm_vm *vm, char c)
{
	vm->console[vm->console_len++] = c;
	if (c == '\n' || vm->console_len == sizeof(vm->console))
		vm->console_flush = true;
}

/**
 * vcpu_fetch_insn() - read and decode the guest's instruction at CS:@rip.
 * @vm: the VM, its VMCS current
 * @rip: the instruction's offset in CS
 * @in: filled by insn_decode() (insn.c, tvmm's one decoder)
 *
 * CS.base + RIP is a guest-physical address only with paging off (the
 * guest ABI): with paging on, tvmm never guesses.
 *
 * Return: 0; -EFAULT if the bytes are not in guest RAM or paging is on;
 * -ENOEXEC if the decoder does not know the instruction.
 */
int vcpu_fetch_insn(struct tvmm_vm *vm, u64 rip, struct insn *in)
{
	u64 linear = vmcs_read(VMCS_GUEST_CS_BASE) + rip;
	u64 avail = vm->config.mem_size > linear ? vm->config.mem_size - linear : 0;
	u8 bytes[INSN_LEN_MAX];

	avail = min_t(u64, avail, INSN_LEN_MAX);
	if ((vm->cr0_shadow & X86_CR0_PG) || !avail ||
	    guest_mem_read(&vm->mem, linear, bytes, avail))
		return -EFAULT;
	return insn_decode(bytes, avail, in) == INSN_OK ? 0 : -ENOEXEC;
}

/* The address of @in's memory operand, from the guest's registers (insn_ea()). */
u32 vcpu_insn_ea(struct tvmm_vm *vm, const struct insn *in)
{
	u32 gpr[8];
	unsigned int i;

	for (i = 0; i < ARRAY_SIZE(gpr); i++)
		gpr[i] = vcpu_gpr_read(vm, i);
	return insn_ea(in, gpr);
}

/**
 * vcpu_lab_todo() - a lab stub ran while a guest was running: end the VM.
 * @vm: the running VM; it ends with TVMM_END_TODO and a message that
 *      `tvmm run` prints
 * @todo: "labNN.k"
 * @what: what the TODO should do
 *
 * Return: -ENOPKG (tvmm_lab_todo(), lab.c).
 */
int vcpu_lab_todo(struct tvmm_vm *vm, const char *todo, const char *what)
{
	unsigned int lab = tvmm_lab_number(todo);

	vcpu_end(vm, TVMM_END_TODO, lab, "TODO(%s) not done: %s (labs/%s/README.md)",
		 todo, what, tvmm_lab_dir(lab));
	return tvmm_lab_todo(todo, what);
}
