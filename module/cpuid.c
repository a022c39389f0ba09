// SPDX-License-Identifier: GPL-2.0
/*
 * cpuid.c - CPUID: which CPU the guest is told it runs on.
 *
 * Concept: trap-and-emulate of a sensitive instruction that VT-x always
 * traps. CPUID reads no privileged state, yet it is sensitive: it tells
 * the guest what machine it is on. In VMX non-root operation it exits
 * unconditionally (SDM vol. 3C, 26.1.2), so the VMM, not the CPU, answers:
 * the host's CPU minus what tvmm does not virtualize (VMX itself: no
 * nested virtualization; the features whose CR4 bits tvmm refuses,
 * cr.c), plus the "hypervisor present" bit and a leaf naming tvmm. A
 * guest that asks learns it is virtualized, which paravirtualization
 * (hypercall.c) relies on.
 *
 * SDM: vol. 2A, CPUID; vol. 3C, 26.1.2 (instructions that cause VM exits
 *      unconditionally).
 * Context: the run loop, preemption off, the VM's VMCS current.
 */
#include <asm/processor.h>
#include <asm/processor-flags.h>

#include "tvmm.h"
#include "vmx_insn.h"

/* What the guest's "CPUID.40000000H" says: a hypervisor named tvmm. */
#define CPUID_HV_LEAF		0x40000000

/*
 * CPUID is unconditionally intercepted in VMX non-root operation, which is
 * what lets a VMM decide which CPU the guest sees (SDM 26.1.2). tvmm shows
 * the host's answers except: no VMX (no nested virtualization), the
 * "hypervisor present" bit set, and a hypervisor leaf naming tvmm.
 */
static void cpuid_emulate(struct tvmm_vm *vm, struct tvmm_exit_info *exit)
{
	/*
	 * TODO(lab05.2) BEGIN: emulate CPUID: answer leaf CPUID_HV_LEAF with
	 * "TVMMtvmmTVMM" in EBX/ECX/EDX (EAX = the leaf), every other leaf with
	 * the host's answer (cpuid_count) except in leaf 1: clear
	 * CPUID1_ECX_VMX (no nested VMX), set CPUID1_ECX_HYPERVISOR, and make
	 * OSXSAVE mirror the guest's CR4.OSXSAVE (vm->cr4_shadow). Write
	 * EAX..EDX to vm->regs, set the mnemonic, step over CPUID. SDM vol. 3C
	 * 26.1.2 (CPUID always exits), vol. 2A CPUID. Hint: the guest's
	 * registers live in vm->regs, not in the VMCS.
	 */
#ifdef CONFIG_TVMM_LAB05_SOLUTION
	u32 leaf = vm->regs.rax, subleaf = vm->regs.rcx;
	u32 eax, ebx, ecx, edx;

	if (leaf == CPUID_HV_LEAF) {
		eax = CPUID_HV_LEAF;
		memcpy(&ebx, "TVMM", 4);
		memcpy(&ecx, "tvmm", 4);
		memcpy(&edx, "TVMM", 4);
	} else {
		cpuid_count(leaf, subleaf, &eax, &ebx, &ecx, &edx);
	}
	if (leaf == 1) {
		ecx &= ~CPUID1_ECX_VMX;
		ecx |= CPUID1_ECX_HYPERVISOR;
		/* OSXSAVE mirrors the guest's CR4.OSXSAVE, not the host's. */
		ecx &= ~CPUID1_ECX_OSXSAVE;
		if (vm->cr4_shadow & X86_CR4_OSXSAVE)
			ecx |= CPUID1_ECX_OSXSAVE;
	}
	vm->regs.rax = eax;
	vm->regs.rbx = ebx;
	vm->regs.rcx = ecx;
	vm->regs.rdx = edx;
	exit->mnemonic = "cpuid";
	vcpu_skip_instruction(vm, exit);
#else
	vcpu_lab_todo(vm, "lab05.2", "the CPUID exit: host CPU minus VMX, plus tvmm's leaf");
#endif
	/* TODO(lab05.2) END */
}

/**
 * exit_cpuid() - a CPUID exit: the lab's answer (cpuid_emulate()), minus
 * the features whose CR4 bit tvmm would refuse (cr_check_hide_cpuid()).
 * @vm: the VM
 * @exit: the exit
 */
void exit_cpuid(struct tvmm_vm *vm, struct tvmm_exit_info *exit)
{
	u32 leaf = vm->regs.rax, subleaf = vm->regs.rcx;

	cpuid_emulate(vm, exit);
	/* It changes leaves 1 and 7 only: the others skip the call. */
	if (leaf == TVMM_CPUID_FEATURES || leaf == TVMM_CPUID_EXT_FEATURES)
		cr_check_hide_cpuid(leaf, subleaf, &vm->regs.rcx, &vm->regs.rdx);
}
