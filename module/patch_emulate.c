// SPDX-License-Identifier: GPL-2.0
/*
 * patch_emulate.c - scan-and-patch at run time: a patched site traps, and
 * tvmm does what the original instruction would have done on the machine
 * the guest believes in.
 *
 * Concept: the second half of binary translation (patch.c is the first:
 * find the sensitive-but-unprivileged instructions and write INT3 over
 * them). When the guest reaches a patched site, its INT3 raises #BP, which
 * exits (exception bitmap bit 3); patch_handle_bp() finds the site and
 * patch_emulate() runs the *original* instruction against the virtual CPU:
 * PUSHF sees the virtual IF and IOPL 0, POPF changes only the flags ring 0
 * could, SGDT/SIDT give the guest's own tables (not tvmm's shadows), SMSW
 * the CR0 the guest believes in, MOV/PUSH from CS the guest kernel's RPL
 * 0. The trace marks these exits "patched". Lab 08.2 writes the emulation.
 *
 * SDM: vol. 2, the PUSHF, POPF, SGDT, SIDT, SLDT, STR, SMSW, MOV (from
 *      segment registers) and PUSH pages; vol. 3A, 6.15 (#BP); vol. 3C,
 *      25.6.3 "Exception Bitmap".
 * Context: the run loop, preemption off, the VM's VMCS current.
 */
#define pr_fmt(fmt) KBUILD_MODNAME ": " fmt

#include <asm/processor-flags.h>

#include "tvmm.h"
#include "vmx_insn.h"
#include "include/tvmm/insn.h"

/* Flags POPF may change at CPL 1 with IOPL 0 (never IF, IOPL, VM, VIF, VIP). */
#define POPF_FLAGS	(X86_EFLAGS_CF | X86_EFLAGS_PF | X86_EFLAGS_AF | X86_EFLAGS_ZF | \
			 X86_EFLAGS_SF | X86_EFLAGS_TF | X86_EFLAGS_DF | X86_EFLAGS_OF | \
			 X86_EFLAGS_NT | X86_EFLAGS_AC | X86_EFLAGS_ID)

/* Push/pop @size (2 or 4) bytes on the guest's stack (SS base + ESP). */
static int __maybe_unused patch_push(struct tvmm_vm *vm, u32 value, unsigned int size)
{
	u32 esp = vmcs_read(VMCS_GUEST_RSP) - size;

	if (depriv_guest_store(vm, (u32)(vmcs_read(VMCS_GUEST_SS_BASE) + esp), &value, size))
		return -EFAULT;
	vcpu_write(vm, VMCS_GUEST_RSP, esp);
	return 0;
}

static int __maybe_unused patch_pop(struct tvmm_vm *vm, u32 *value, unsigned int size)
{
	u32 esp = vmcs_read(VMCS_GUEST_RSP);

	*value = 0;
	if (guest_mem_read(&vm->mem, (u32)(vmcs_read(VMCS_GUEST_SS_BASE) + esp), value, size))
		return -EFAULT;
	vcpu_write(vm, VMCS_GUEST_RSP, (u32)(esp + size));
	return 0;
}

/*
 * Store @value to the r/m operand: a register gets @size bytes (2 keeps
 * the upper half, as a 16-bit register write does), memory @mem_size.
 */
static int __maybe_unused patch_store(struct tvmm_vm *vm, const struct insn *in,
				      u64 value, unsigned int size, unsigned int mem_size)
{
	unsigned int rm = MODRM_RM(in->modrm);

	if (MODRM_MOD(in->modrm) == 3) {
		if (size == 2)
			value = (vcpu_gpr_read(vm, rm) & ~0xffffULL) | (value & 0xffff);
		vcpu_gpr_write(vm, rm, (u32)value);
		return 0;
	}
	return depriv_guest_store(vm, vcpu_insn_ea(vm, in), &value, mem_size);
}

/* SGDT/SIDT: limit (16 bits) then base (32 bits), as the guest loaded them. */
static int __maybe_unused patch_store_table(struct tvmm_vm *vm,
					    const struct insn *in,
					    u64 base, u32 limit)
{
	u8 pd[6] = { limit, limit >> 8, base, base >> 8, base >> 16, base >> 24 };

	return depriv_guest_store(vm, vcpu_insn_ea(vm, in), pd, sizeof(pd));
}

/*
 * Lab 08: what the original instruction of @site (decoded: @in) would
 * have done at ring 0 on the machine the guest believes in.
 * Return: 0, or -errno (the caller injects #GP; the stub ends the VM).
 */
static int patch_emulate(struct tvmm_vm *vm, const struct tvmm_patch_site *site,
			 const struct insn *in)
{
	/*
	 * TODO(lab08.2) BEGIN: emulate @site->kind against the *virtual* CPU:
	 * PUSHF pushes RFLAGS with IF = vm->vif and IOPL 0; POPF pops, sets
	 * the non-system flags in the real RFLAGS and (from the guest kernel,
	 * CPL 1 = its ring 0) the virtual IF, never the real IF or IOPL;
	 * SGDT/SIDT store vm->guest_gdt_base/limit, guest_idt_base/limit;
	 * SMSW stores vm->cr0_shadow; SLDT/STR the LDTR/TR selectors; MOV and
	 * PUSH from CS the selector with RPL 0. Operand size: 2 with 0x66.
	 * SDM vol. 2B PUSHF/POPF, vol. 2B SGDT, SIDT, SMSW, vol. 2A MOV
	 * (segment registers). Hint: patch_push(), patch_pop(), patch_store()
	 * and patch_store_table() above do the memory and register work.
	 */
#ifdef CONFIG_TVMM_LAB08_SOLUTION
	unsigned int size = in->opsize16 ? 2 : 4;
	u64 rflags = vmcs_read(VMCS_GUEST_RFLAGS);
	u16 cs = vmcs_read(VMCS_GUEST_CS_SELECTOR);
	bool kernel = (cs & TVMM_SEL_RPL_MASK) == TVMM_VIRTUAL_KERNEL_RING;
	u32 value, mask;
	int err = 0;

	/* Ring 1 is the guest's ring 0: its selectors carry RPL 0. */
	if (kernel)
		cs &= ~TVMM_SEL_RPL_MASK;
	switch (site->kind) {
	case PATCH_PUSHF:	/* IF as the guest set it, IOPL 0; VM, RF read 0 */
		value = rflags & ~(u64)(X86_EFLAGS_IF | X86_EFLAGS_IOPL |
					X86_EFLAGS_VM | X86_EFLAGS_RF);
		return patch_push(vm, value | (vm->vif ? X86_EFLAGS_IF : 0), size);
	case PATCH_POPF:	/* IF to the virtual IF (kernel only), the rest real */
		err = patch_pop(vm, &value, size);
		if (err)
			return err;
		mask = size == 2 ? POPF_FLAGS & 0xffff : POPF_FLAGS;
		vcpu_write(vm, VMCS_GUEST_RFLAGS, (rflags & ~(u64)mask) | (value & mask));
		if (kernel)	/* at CPL 3 (> IOPL 0) POPF leaves IF alone */
			virq_set_vif(vm, value & X86_EFLAGS_IF);
		return err;
	case PATCH_SGDT:
		return patch_store_table(vm, in, vm->guest_gdt_base, vm->guest_gdt_limit);
	case PATCH_SIDT:
		return patch_store_table(vm, in, vm->guest_idt_base, vm->guest_idt_limit);
	case PATCH_SMSW:
		return patch_store(vm, in, vm->cr0_shadow, size, 2);
	case PATCH_SLDT:
		return patch_store(vm, in, vmcs_read(VMCS_GUEST_LDTR_SELECTOR), size, 2);
	case PATCH_STR:
		return patch_store(vm, in, vmcs_read(VMCS_GUEST_TR_SELECTOR), size, 2);
	case PATCH_MOV_FROM_CS:
		return patch_store(vm, in, cs, size, 2);
	case PATCH_PUSH_CS:
		return patch_push(vm, cs, size);
	default:
		return -EINVAL;
	}
#else
	return vcpu_lab_todo(vm, "lab08.2", "emulate a patched site against the virtual CPU");
#endif
	/* TODO(lab08.2) END */
}

/* The patched site at guest-physical @gpa, or NULL. */
static struct tvmm_patch_site *patch_find(struct tvmm_vm *vm, u64 gpa)
{
	unsigned int i;

	/* A linear search: 128 sites at most. A real translator hashes. */
	for (i = 0; i < vm->patch.nr_sites; i++)
		if (vm->patch.sites[i].gpa == gpa)
			return &vm->patch.sites[i];
	return NULL;
}

/**
 * patch_handle_bp() - a #BP exit in patch mode: a patched site, or the
 * guest's own INT3.
 * @vm: the VM (patch mode)
 * @exit: the exception exit; RIP is the INT3 (SDM 28.2.2: for a software
 *        exception the exit comes before delivery, RIP unchanged)
 */
void patch_handle_bp(struct tvmm_vm *vm, struct tvmm_exit_info *exit)
{
	u64 gpa = (u32)(vmcs_read(VMCS_GUEST_CS_BASE) + exit->rip);
	struct tvmm_patch_site *site = patch_find(vm, gpa);
	struct insn in;

	if (!site) {
		exit->mnemonic = "int3";
		/*
		 * The guest's own breakpoint. From its ring 3, INT3 must pass the
		 * gate's DPL check (SDM vol. 3A, 6.12.1.1), which this exit came
		 * before: a gate the guest did not open to ring 3 gives #GP with
		 * the gate's vector, at the INT3, as on a real CPU.
		 */
		if (vcpu_cpl(vm) && !test_bit(TVMM_EXC_BP, vm->user_gates)) {
			vcpu_inject_exception(vm, exit, TVMM_EXC_GP, true,
					      (TVMM_EXC_BP << TVMM_ERR_INDEX_SHIFT) | TVMM_ERR_IDT);
			return;
		}
		/* Allowed: deliver #BP after the INT3 (a trap). */
		exit->insn_len = 1;
		vcpu_skip_instruction(vm, exit);
		vcpu_inject_exception(vm, exit, TVMM_EXC_BP, false, 0);
		return;
	}
	site->hits++;
	exit->mnemonic = patch_names[site->kind];
	exit->insn_len = site->len;
	exit->insn_bytes = site->orig;	/* the trace shows what was there */
	exit->action = TVMM_ACTION_PATCHED;
	if (insn_decode(site->orig, site->len, &in) != INSN_OK || in.addr16 ||
	    patch_emulate(vm, site, &in)) {
		if (vm->end)		/* the lab stub ended the VM */
			exit->action = TVMM_ACTION_FATAL;
		else			/* an operand tvmm cannot reach: the guest's #GP */
			vcpu_inject_exception(vm, exit, TVMM_EXC_GP, true, 0);
		return;
	}
	vcpu_skip_instruction(vm, exit);
}
