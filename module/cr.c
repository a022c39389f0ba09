// SPDX-License-Identifier: GPL-2.0
/*
 * cr.c - the guest's control registers: MOV to and from CR0/CR3/CR4, CLTS
 * and LMSW; which values a CPU would accept; what the CPU really runs with.
 *
 * Concept: trap-and-emulate of privileged state. The guest reads the CR0
 * and CR4 it believes in (the read shadows) while the CPU runs with what
 * VMX operation needs (cr_real_cr0()/cr_real_cr4()). tvmm owns every
 * CR0 and CR4 bit (guest/host masks of all ones),
 * so the hardware never checks what the guest writes: tvmm must, exactly
 * as the CPU would, or a bad value either reaches the VMCS and fails the
 * next VM entry (CR4.PCIDE outside IA-32e mode), or gives the guest a
 * feature its CPUID does not announce (CR4.PKE would let it WRPKRU the
 * protection keys of the `tvmm` process). A value the CPU would refuse is
 * a #GP(0) for the guest, as KVM does (kvm_is_valid_cr0/cr4). A value must
 * also be runnable under VMX: bits IA32_VMX_CR0/CR4_FIXED1 report as 0
 * cannot be set (unrestricted guest frees CR0.PE and CR0.PG from FIXED0;
 * the other FIXED0 bits, NE and VMXE, are forced in the real register only,
 * cr_real_cr0()/cr_real_cr4(), never in what the guest reads).
 *
 * SDM: vol. 3A, 2.5 "Control Registers"; vol. 2B, MOV (control
 *      registers) and WRMSR (#GP conditions); vol. 3D, A.7-A.8 "VMX-Fixed
 *      Bits in CR0/CR4"; vol. 3C, 27.3.1.1 (unrestricted guest).
 * Context: the checks are pure functions of the value, the guest's CPUID
 *      and the capability MSRs read at load; exit_cr_access() runs in the
 *      run loop with the VMCS current (a VT-x exit, or emulate.c at ring 1).
 */
#include <asm/msr-index.h>
#include <asm/processor.h>
#include <asm/processor-flags.h>

#include "tvmm.h"
#include "vmx_insn.h"
#include "include/tvmm/exit_names.h"

/* The CR0 bits of the architecture; the others are reserved (SDM 2.5). */
#define CR0_DEFINED	(X86_CR0_PE | X86_CR0_MP | X86_CR0_EM | X86_CR0_TS | \
			 X86_CR0_ET | X86_CR0_NE | X86_CR0_WP | X86_CR0_AM | \
			 X86_CR0_NW | X86_CR0_CD | X86_CR0_PG)

enum feat_reg { FEAT_EBX, FEAT_ECX, FEAT_EDX, FEAT_ALWAYS };

/* A CR4 bit tvmm lets a guest set, and the CPUID feature it needs. */
struct cr4_feature {
	u64 cr4;
	u32 leaf;
	enum feat_reg reg;
	u32 bit;
};

/*
 * The CR4 bits a tvmm guest may have. Not here, hence always #GP:
 * VMXE and SMXE (no nested VMX or SMX), LA57 (a 32-bit guest has no
 * 5-level paging), PKE and PKS (tvmm does not switch PKRU or
 * IA32_PKRS), CET (nor the CET state), and every reserved bit.
 */
static const struct cr4_feature cr4_features[] = {
	{ X86_CR4_VME, TVMM_CPUID_FEATURES, FEAT_EDX, CPUID1_EDX_VME },
	{ X86_CR4_PVI, TVMM_CPUID_FEATURES, FEAT_EDX, CPUID1_EDX_VME },
	{ X86_CR4_TSD, TVMM_CPUID_FEATURES, FEAT_EDX, CPUID1_EDX_TSC },
	{ X86_CR4_DE, TVMM_CPUID_FEATURES, FEAT_EDX, CPUID1_EDX_DE },
	{ X86_CR4_PSE, TVMM_CPUID_FEATURES, FEAT_EDX, CPUID1_EDX_PSE },
	{ X86_CR4_PAE, TVMM_CPUID_FEATURES, FEAT_EDX, CPUID1_EDX_PAE },
	{ X86_CR4_MCE, TVMM_CPUID_FEATURES, FEAT_EDX, CPUID1_EDX_MCE },
	{ X86_CR4_PGE, TVMM_CPUID_FEATURES, FEAT_EDX, CPUID1_EDX_PGE },
	{ X86_CR4_PCE, TVMM_CPUID_FEATURES, FEAT_ALWAYS, 0 },
	{ X86_CR4_OSFXSR, TVMM_CPUID_FEATURES, FEAT_EDX, CPUID1_EDX_FXSR },
	{ X86_CR4_OSXMMEXCPT, TVMM_CPUID_FEATURES, FEAT_EDX, CPUID1_EDX_SSE },
	{ X86_CR4_UMIP, TVMM_CPUID_EXT_FEATURES, FEAT_ECX, CPUID7_ECX_UMIP },
	{ X86_CR4_FSGSBASE, TVMM_CPUID_EXT_FEATURES, FEAT_EBX, CPUID7_EBX_FSGSBASE },
	{ X86_CR4_PCIDE, TVMM_CPUID_FEATURES, FEAT_ECX, CPUID1_ECX_PCID },
	{ X86_CR4_OSXSAVE, TVMM_CPUID_FEATURES, FEAT_ECX, CPUID1_ECX_XSAVE },
	{ X86_CR4_SMEP, TVMM_CPUID_EXT_FEATURES, FEAT_EBX, CPUID7_EBX_SMEP },
	{ X86_CR4_SMAP, TVMM_CPUID_EXT_FEATURES, FEAT_EBX, CPUID7_EBX_SMAP },
};

/* Does the guest's CPUID (the host's, as cpuid.c passes it) have @f's feature? */
static bool cr4_feature_announced(const struct cr4_feature *f)
{
	u32 regs[3], eax;

	if (f->reg == FEAT_ALWAYS)
		return true;
	cpuid_count(f->leaf, 0, &eax, &regs[FEAT_EBX], &regs[FEAT_ECX], &regs[FEAT_EDX]);
	return regs[f->reg] & f->bit;
}

/**
 * cr_check_cr4() - may the guest load @cr4?
 * @vm: the VM; its VMCS is current (for the guest's EFER)
 * @cr4: the value of MOV to CR4
 *
 * Return: true if a CPU with the guest's CPUID would load it; false for
 * a #GP(0).
 */
bool cr_check_cr4(struct tvmm_vm *vm, u64 cr4)
{
	u64 allowed = 0;
	unsigned int i;

	for (i = 0; i < ARRAY_SIZE(cr4_features); i++)
		if (cr4_feature_announced(&cr4_features[i]))
			allowed |= cr4_features[i].cr4;
	/* What VMX operation cannot run (FIXED1 = 0) is not offered either. */
	allowed &= tvmm_caps.cr4_fixed1;
	if (cr4 & ~allowed)
		return false;
	/* PCIDE only in IA-32e mode (MOV CR4's #GP conditions, vol. 2B). */
	if ((cr4 & X86_CR4_PCIDE) && !(vmcs_read(VMCS_GUEST_IA32_EFER) & EFER_LMA))
		return false;
	return true;
}

/**
 * cr_check_cr0() - may the guest load *@cr0, and as what?
 * @vm: the VM
 * @cr0: in: the value written; out: what CR0 then holds (reserved bits
 *	 dropped, ET set: it is hardwired to 1 since the P6)
 *
 * Return: true if a CPU would load it; false for a #GP(0): bits 63:32 set,
 * NW without CD, PG without PE, or a bit VMX operation cannot run.
 */
bool cr_check_cr0(struct tvmm_vm *vm, u64 *cr0)
{
	u64 value = *cr0;

	if (upper_32_bits(value))
		return false;
	/* Writes to the reserved bits of CR0[31:0] are ignored (SDM 2.5). */
	value = (value & CR0_DEFINED) | X86_CR0_ET;
	if ((value & X86_CR0_NW) && !(value & X86_CR0_CD))
		return false;
	if ((value & X86_CR0_PG) && !(value & X86_CR0_PE))
		return false;
	if (value & ~tvmm_caps.cr0_fixed1)
		return false;
	*cr0 = value;
	return true;
}

/**
 * cr_check_efer() - may the guest WRMSR @efer to IA32_EFER?
 * @vm: the VM
 * @efer: the value
 *
 * A 32-bit guest: no long mode (LME), and LMA is read-only. SCE and NXE
 * only where CPUID announces SYSCALL and NX.
 *
 * Return: true if allowed; false for a #GP(0).
 */
bool cr_check_efer(struct tvmm_vm *vm, u64 efer)
{
	u32 eax, ebx, ecx, edx;
	u64 allowed = 0;

	cpuid(TVMM_CPUID_EXT_INFO, &eax, &ebx, &ecx, &edx);
	if (edx & CPUID80000001_EDX_SYSCALL)
		allowed |= EFER_SCE;
	if (edx & CPUID80000001_EDX_NX)
		allowed |= EFER_NX;
	return !(efer & ~allowed);
}

/**
 * cr_check_hide_cpuid() - take out of a CPUID answer the features whose
 * CR4 bit cr_check_cr4() always refuses, so a guest is never told of a
 * feature it would get #GP for enabling (SMX, PKU, CET, LA57, PKS). The
 * VMX bit is the lab's part of the answer (cpuid_emulate(), cpuid.c).
 * @leaf: the leaf the guest asked for (its EAX before CPUID).
 * @subleaf: its ECX before CPUID.
 * @ecx: the answer's ECX, changed in place.
 * @edx: the answer's EDX, changed in place.
 */
void cr_check_hide_cpuid(u32 leaf, u32 subleaf, u64 *ecx, u64 *edx)
{
	if (leaf == TVMM_CPUID_FEATURES) {
		*ecx &= ~(u64)CPUID1_ECX_SMX;
	} else if (leaf == TVMM_CPUID_EXT_FEATURES && subleaf == 0) {
		*ecx &= ~(u64)(CPUID7_ECX_PKU | CPUID7_ECX_OSPKE | CPUID7_ECX_CET_SS |
			       CPUID7_ECX_LA57 | CPUID7_ECX_PKS);
		*edx &= ~(u64)CPUID7_EDX_CET_IBT;
	}
}

/* The CR0 bits LMSW can write (SDM vol. 2A, LMSW). */
#define CR0_LMSW_BITS		(X86_CR0_PE | X86_CR0_MP | X86_CR0_EM | X86_CR0_TS)

/* The guest writes CR0: keep its view in the shadow, run with the fixed bits. */
static void set_guest_cr0(struct tvmm_vm *vm, struct tvmm_exit_info *exit, u64 cr0)
{
	/* Reserved bits, NW without CD, PG without PE... (above). */
	if (!cr_check_cr0(vm, &cr0)) {
		vcpu_inject_gp(vm, exit);
		return;
	}
	/*
	 * Deprivileged and patch modes read the guest's code and operands at
	 * segment base + offset as guest-physical addresses (emulate.c,
	 * patch.c): true only without paging, as the guest ABI says. Rather
	 * than emulate from the wrong bytes, end the VM when paging goes on.
	 * Protection off (CR0.PE clear) is real mode, which has no ring 1 for
	 * the guest kernel to run in (the next VM entry would fail): end the
	 * VM too.
	 */
	if (tvmm_mode_ring1(vm->config.mode) &&
	    ((cr0 & X86_CR0_PG) || !(cr0 & X86_CR0_PE))) {
		exit->action = TVMM_ACTION_FATAL;
		vcpu_end(vm, TVMM_END_UNHANDLED, exit->reason & TVMM_EXIT_REASON_BASIC_MASK,
			 "guest turned %s at rip 0x%llx: not supported in %s mode",
			 cr0 & X86_CR0_PG ? "paging on (CR0.PG)" : "protection off (CR0.PE)",
			 exit->rip, tvmm_mode_name(vm->config.mode));
		return;
	}
	vm->cr0_shadow = cr0;
	vcpu_write(vm, VMCS_CR0_READ_SHADOW, cr0);
	vcpu_write(vm, VMCS_GUEST_CR0, cr_real_cr0(cr0));
	vcpu_skip_instruction(vm, exit);
}

void exit_cr_access(struct tvmm_vm *vm, struct tvmm_exit_info *exit)
{
	unsigned int cr = exit->qual & TVMM_CR_QUAL_NUM_MASK;
	unsigned int type = (exit->qual >> TVMM_CR_QUAL_TYPE_SHIFT) & TVMM_CR_QUAL_TYPE_MASK;
	unsigned int reg = (exit->qual >> TVMM_CR_QUAL_GPR_SHIFT) & 15;
	u64 value = vcpu_gpr_read(vm, reg) & 0xffffffffULL;	/* 32-bit guest */
	u64 lmsw;

	switch (type) {
	case TVMM_CR_QUAL_MOV_TO:
		exit->mnemonic = cr == 0 ? "mov cr0" : cr == 3 ? "mov cr3" : "mov cr4";
		if (cr == 0) {
			set_guest_cr0(vm, exit, value);
			return;
		}
		if (cr == 3) {
			vcpu_write(vm, VMCS_GUEST_CR3, value);
			break;
		}
		if (cr == 4 && cr_check_cr4(vm, value)) {	/* no VMX, PKE... (above) */
			vm->cr4_shadow = value;
			vcpu_write(vm, VMCS_CR4_READ_SHADOW, value);
			vcpu_write(vm, VMCS_GUEST_CR4, cr_real_cr4(value));
			break;
		}
		vcpu_inject_gp(vm, exit);
		return;
	case TVMM_CR_QUAL_MOV_FROM:
		/* A VM exit only for CR3; at ring 1 (emulate.c) for any CR. */
		exit->mnemonic = "mov from cr";
		vcpu_gpr_write(vm, reg, cr == 0 ? vm->cr0_shadow : cr == 4 ? vm->cr4_shadow :
			  vmcs_read(VMCS_GUEST_CR3));
		break;
	case TVMM_CR_QUAL_CLTS:
		exit->mnemonic = "clts";
		set_guest_cr0(vm, exit, vm->cr0_shadow & ~(u64)X86_CR0_TS);
		return;
	default:			/* LMSW can set PE but never clear it */
		exit->mnemonic = "lmsw";
		lmsw = (exit->qual >> TVMM_CR_QUAL_LMSW_DATA_SHIFT) & CR0_LMSW_BITS;
		set_guest_cr0(vm, exit, (vm->cr0_shadow & ~(u64)(CR0_LMSW_BITS & ~X86_CR0_PE)) |
			      lmsw);
		return;
	}
	vcpu_skip_instruction(vm, exit);
}

/*
 * The CR0 the guest really runs with: its own bits, plus what VMX
 * operation forces (IA32_VMX_CR0_FIXED0, except PE and PG which
 * unrestricted guest frees, SDM 27.3.1.1), plus TS (see the #NM exit).
 */
u64 cr_real_cr0(u64 shadow)
{
	u64 forced = tvmm_caps.cr0_fixed0 & ~(u64)(X86_CR0_PE | X86_CR0_PG);

	return (shadow | forced | X86_CR0_TS) & tvmm_caps.cr0_fixed1;
}

/* The CR4 the guest really runs with: VMXE and the other fixed-1 bits forced. */
u64 cr_real_cr4(u64 shadow)
{
	return (shadow | tvmm_caps.cr4_fixed0) & tvmm_caps.cr4_fixed1;
}
