// SPDX-License-Identifier: GPL-2.0
/*
 * msr.c - RDMSR and WRMSR: the few model-specific registers a guest sees.
 *
 * Concept: MSRs are privileged state (the SYSENTER entry point, EFER, the
 * TSC, the VMX capability MSRs...). tvmm sets no MSR bitmap, so every
 * RDMSR/WRMSR exits; a short allow-list is emulated on the VM's own
 * values (the guest-state area holds SYSENTER and EFER), and any other
 * MSR gets #GP, which is what a real CPU does for one it does not have.
 * Written values are checked as the CPU checks them: an EFER bit the
 * guest's CPUID does not offer (cr.c), a non-canonical SYSENTER address.
 *
 * SDM: vol. 2B, RDMSR, WRMSR; vol. 4 (the MSRs); vol. 3C, 27.3.1.1 (the
 *      guest MSR fields VM entry checks).
 * Context: the run loop, preemption off, the VM's VMCS current.
 */
#include <asm/cpufeature.h>
#include <asm/msr.h>
#include <asm/page.h>

#include "tvmm.h"
#include "vmx_insn.h"

/* MSRs the guest may touch (anything else gets #GP, as on a real CPU). */
#define MSR_APIC_BASE_DEFAULT	0xfee00900ULL	/* enabled, BSP, at 0xfee00000 */
#define MSR_FEATURE_CONTROL_LOCKED_VMX_OFF	1ULL

/*
 * RDMSR/WRMSR: every MSR access exits (tvmm sets no MSR bitmap). A small
 * allow-list is emulated; anything else gets #GP, which is what a real CPU
 * does for an MSR it does not implement.
 */
void exit_rdmsr(struct tvmm_vm *vm, struct tvmm_exit_info *exit)
{
	u32 msr = vm->regs.rcx;
	u64 value;

	exit->mnemonic = "rdmsr";
	switch (msr) {
	case MSR_IA32_TSC:	/* what RDTSC gives the guest (TSC offsetting, vmcs.c) */
		value = rdtsc() + vm->tsc_offset;
		break;
	case MSR_IA32_APICBASE:
		value = MSR_APIC_BASE_DEFAULT;
		break;
	case MSR_IA32_FEAT_CTL:		/* locked, VMX off: no nested VMX */
		value = MSR_FEATURE_CONTROL_LOCKED_VMX_OFF;
		break;
	case MSR_EFER:
		value = vmcs_read(VMCS_GUEST_IA32_EFER);
		break;
	case MSR_IA32_SYSENTER_CS:
		value = vmcs_read(VMCS_GUEST_SYSENTER_CS);
		break;
	case MSR_IA32_SYSENTER_ESP:
		value = vmcs_read(VMCS_GUEST_SYSENTER_ESP);
		break;
	case MSR_IA32_SYSENTER_EIP:
		value = vmcs_read(VMCS_GUEST_SYSENTER_EIP);
		break;
	default:
		vcpu_inject_gp(vm, exit);
		return;
	}
	vm->regs.rax = (u32)value;
	vm->regs.rdx = value >> 32;
	vcpu_skip_instruction(vm, exit);
}

void exit_wrmsr(struct tvmm_vm *vm, struct tvmm_exit_info *exit)
{
	u64 value = (vm->regs.rdx << 32) | (u32)vm->regs.rax;

	exit->mnemonic = "wrmsr";
	switch ((u32)vm->regs.rcx) {
	case MSR_EFER:
		/* A 32-bit guest: long mode (LME) is not offered (cr.c). */
		if (!cr_check_efer(vm, value)) {
			vcpu_inject_gp(vm, exit);
			return;
		}
		vcpu_write(vm, VMCS_GUEST_IA32_EFER, value);
		break;
	case MSR_IA32_SYSENTER_CS:
		vcpu_write(vm, VMCS_GUEST_SYSENTER_CS, value);
		break;
	case MSR_IA32_SYSENTER_ESP:
	case MSR_IA32_SYSENTER_EIP:
		/*
		 * A 64-bit CPU refuses a non-canonical address with #GP (SDM
		 * vol. 4, IA32_SYSENTER_ESP/EIP), and VM entry checks the
		 * same (SDM 27.3.1.1): written as is, it would fail the entry.
		 */
		if (!__is_canonical_address(value, boot_cpu_has(X86_FEATURE_LA57) ? 57 : 48)) {
			vcpu_inject_gp(vm, exit);
			return;
		}
		vcpu_write(vm, (u32)vm->regs.rcx == MSR_IA32_SYSENTER_ESP ?
			    VMCS_GUEST_SYSENTER_ESP : VMCS_GUEST_SYSENTER_EIP, value);
		break;
	default:
		vcpu_inject_gp(vm, exit);
		return;
	}
	vcpu_skip_instruction(vm, exit);
}

