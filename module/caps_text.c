// SPDX-License-Identifier: GPL-2.0
/*
 * The capability decoder: struct tvmm_caps as readable text.
 *
 * Concept: "supporto hardware alla virtualizzazione". caps.c asks the CPU
 * what VT-x it offers and keeps the raw answers; this file explains them:
 * for every control bit whether a VMM must set it, may set it or cannot
 * set it, and, at the end, what is missing and which tvmm feature or lab
 * needs it. The same object file is linked into tvmm.ko (debugfs "caps")
 * and into the tvmm tool (`tvmm caps`), so both print the same lines.
 *
 * SDM: vol. 3D, appendix A "VMX Capability Reporting Facility" (A.1 basic
 *      information, A.3-A.5 controls, A.6 miscellaneous data, A.7-A.8
 *      fixed CR bits, A.10 EPT and VPID capabilities).
 * Context: any. Pure functions of their arguments; output goes only
 *      through the caller's print function. No allocation.
 */
#include <asm/processor-flags.h>

#include "include/tvmm/caps_text.h"

/* NULL-terminated tables: bit (named in vmx_arch.h), SDM name, description. */
static const struct tvmm_cap_bit pinbased_bits[] = {
	{ PIN_EXT_INTR_EXITING, "EXT_INTR_EXITING", "external-interrupt exiting" },
	{ PIN_NMI_EXITING, "NMI_EXITING", "NMI exiting" },
	{ PIN_VIRTUAL_NMIS, "VIRTUAL_NMIS", "virtual NMIs" },
	{ PIN_PREEMPTION_TIMER, "PREEMPTION_TIMER", "activate VMX-preemption timer" },
	{ PIN_POSTED_INTR, "POSTED_INTR", "process posted interrupts" },
	{ 0, NULL, NULL }
};

static const struct tvmm_cap_bit procbased_bits[] = {
	{ CPU_INTR_WINDOW_EXITING, "INTR_WINDOW_EXITING", "interrupt-window exiting" },
	{ CPU_USE_TSC_OFFSETTING, "USE_TSC_OFFSETTING", "use TSC offsetting" },
	{ CPU_HLT_EXITING, "HLT_EXITING", "HLT exiting" },
	{ CPU_INVLPG_EXITING, "INVLPG_EXITING", "INVLPG exiting" },
	{ CPU_MWAIT_EXITING, "MWAIT_EXITING", "MWAIT exiting" },
	{ CPU_RDPMC_EXITING, "RDPMC_EXITING", "RDPMC exiting" },
	{ CPU_RDTSC_EXITING, "RDTSC_EXITING", "RDTSC exiting" },
	{ CPU_CR3_LOAD_EXITING, "CR3_LOAD_EXITING", "CR3-load exiting" },
	{ CPU_CR3_STORE_EXITING, "CR3_STORE_EXITING", "CR3-store exiting" },
	{ CPU_TERTIARY_CONTROLS, "TERTIARY_CONTROLS", "activate tertiary controls" },
	{ CPU_CR8_LOAD_EXITING, "CR8_LOAD_EXITING", "CR8-load exiting" },
	{ CPU_CR8_STORE_EXITING, "CR8_STORE_EXITING", "CR8-store exiting" },
	{ CPU_USE_TPR_SHADOW, "USE_TPR_SHADOW", "use TPR shadow" },
	{ CPU_NMI_WINDOW_EXITING, "NMI_WINDOW_EXITING", "NMI-window exiting" },
	{ CPU_MOV_DR_EXITING, "MOV_DR_EXITING", "MOV-DR exiting" },
	{ CPU_UNCOND_IO_EXITING, "UNCOND_IO_EXITING", "unconditional I/O exiting" },
	{ CPU_USE_IO_BITMAPS, "USE_IO_BITMAPS", "use I/O bitmaps" },
	{ CPU_MONITOR_TRAP_FLAG, "MONITOR_TRAP_FLAG", "monitor trap flag" },
	{ CPU_USE_MSR_BITMAPS, "USE_MSR_BITMAPS", "use MSR bitmaps" },
	{ CPU_MONITOR_EXITING, "MONITOR_EXITING", "MONITOR exiting" },
	{ CPU_PAUSE_EXITING, "PAUSE_EXITING", "PAUSE exiting" },
	{ CPU_SECONDARY_CONTROLS, "SECONDARY_CONTROLS", "activate secondary controls" },
	{ 0, NULL, NULL }
};

static const struct tvmm_cap_bit procbased2_bits[] = {
	{ CPU2_VIRT_APIC_ACCESSES, "VIRT_APIC_ACCESSES", "virtualize APIC accesses" },
	{ CPU2_ENABLE_EPT, "ENABLE_EPT", "enable EPT" },
	{ CPU2_DESC_TABLE_EXITING, "DESC_TABLE_EXITING", "descriptor-table exiting" },
	{ CPU2_ENABLE_RDTSCP, "ENABLE_RDTSCP", "enable RDTSCP" },
	{ CPU2_VIRT_X2APIC, "VIRT_X2APIC", "virtualize x2APIC mode" },
	{ CPU2_ENABLE_VPID, "ENABLE_VPID", "enable VPID" },
	{ CPU2_WBINVD_EXITING, "WBINVD_EXITING", "WBINVD exiting" },
	{ CPU2_UNRESTRICTED_GUEST, "UNRESTRICTED_GUEST", "unrestricted guest" },
	{ CPU2_APIC_REG_VIRT, "APIC_REG_VIRT", "APIC-register virtualization" },
	{ CPU2_VIRT_INTR_DELIVERY, "VIRT_INTR_DELIVERY", "virtual-interrupt delivery" },
	{ CPU2_PAUSE_LOOP_EXITING, "PAUSE_LOOP_EXITING", "PAUSE-loop exiting" },
	{ CPU2_RDRAND_EXITING, "RDRAND_EXITING", "RDRAND exiting" },
	{ CPU2_ENABLE_INVPCID, "ENABLE_INVPCID", "enable INVPCID" },
	{ CPU2_ENABLE_VMFUNC, "ENABLE_VMFUNC", "enable VM functions" },
	{ CPU2_VMCS_SHADOWING, "VMCS_SHADOWING", "VMCS shadowing" },
	{ CPU2_RDSEED_EXITING, "RDSEED_EXITING", "RDSEED exiting" },
	{ CPU2_ENABLE_PML, "ENABLE_PML", "enable PML" },
	{ CPU2_EPT_VIOLATION_VE, "EPT_VIOLATION_VE", "EPT-violation #VE" },
	{ CPU2_ENABLE_XSAVES, "ENABLE_XSAVES", "enable XSAVES/XRSTORS" },
	{ CPU2_TSC_SCALING, "TSC_SCALING", "use TSC scaling" },
	{ 0, NULL, NULL }
};

static const struct tvmm_cap_bit exit_bits[] = {
	{ EXIT_SAVE_DEBUG_CONTROLS, "SAVE_DEBUG_CONTROLS", "save debug controls" },
	{ EXIT_HOST_ADDR_SPACE_SIZE, "HOST_ADDR_SPACE_SIZE", "host address-space size" },
	{ EXIT_LOAD_PERF_GLOBAL_CTRL, "LOAD_PERF_GLOBAL_CTRL", "load IA32_PERF_GLOBAL_CTRL" },
	{ EXIT_ACK_INTR_ON_EXIT, "ACK_INTR_ON_EXIT", "acknowledge interrupt on exit" },
	{ EXIT_SAVE_PAT, "SAVE_PAT", "save IA32_PAT" },
	{ EXIT_LOAD_PAT, "LOAD_PAT", "load IA32_PAT" },
	{ EXIT_SAVE_EFER, "SAVE_EFER", "save IA32_EFER" },
	{ EXIT_LOAD_EFER, "LOAD_EFER", "load IA32_EFER" },
	{ EXIT_SAVE_PREEMPT_TIMER, "SAVE_PREEMPT_TIMER", "save VMX-preemption timer value" },
	{ 0, NULL, NULL }
};

static const struct tvmm_cap_bit entry_bits[] = {
	{ ENTRY_LOAD_DEBUG_CONTROLS, "LOAD_DEBUG_CONTROLS", "load debug controls" },
	{ ENTRY_IA32E_MODE_GUEST, "IA32E_MODE_GUEST", "IA-32e mode guest" },
	{ ENTRY_ENTRY_TO_SMM, "ENTRY_TO_SMM", "entry to SMM" },
	{ ENTRY_LOAD_PERF_GLOBAL_CTRL, "LOAD_PERF_GLOBAL_CTRL", "load IA32_PERF_GLOBAL_CTRL" },
	{ ENTRY_LOAD_PAT, "LOAD_PAT", "load IA32_PAT" },
	{ ENTRY_LOAD_EFER, "LOAD_EFER", "load IA32_EFER" },
	{ 0, NULL, NULL }
};

const struct tvmm_cap_bit tvmm_ept_vpid_bits[] = {
	{ EPT_VPID_EPT_EXECUTE_ONLY, "EPT_EXECUTE_ONLY", "execute-only EPT translations" },
	{ EPT_VPID_EPT_WALK_4, "EPT_WALK_4", "page-walk length 4" },
	{ EPT_VPID_EPT_MEMTYPE_UC, "EPT_MEMTYPE_UC", "EPT paging structures uncacheable" },
	{ EPT_VPID_EPT_MEMTYPE_WB, "EPT_MEMTYPE_WB", "EPT paging structures write-back" },
	{ EPT_VPID_EPT_2MB_PAGES, "EPT_2MB_PAGES", "2-MByte EPT pages" },
	{ EPT_VPID_EPT_1GB_PAGES, "EPT_1GB_PAGES", "1-GByte EPT pages" },
	{ EPT_VPID_INVEPT, "INVEPT", "INVEPT instruction" },
	{ EPT_VPID_EPT_AD_BITS, "EPT_AD_BITS", "EPT accessed and dirty flags" },
	{ EPT_VPID_INVEPT_SINGLE_CONTEXT, "INVEPT_SINGLE_CONTEXT", "single-context INVEPT" },
	{ EPT_VPID_INVEPT_ALL_CONTEXT, "INVEPT_ALL_CONTEXT", "all-context INVEPT" },
	{ EPT_VPID_INVVPID, "INVVPID", "INVVPID instruction" },
	{ EPT_VPID_INVVPID_ADDRESS, "INVVPID_ADDRESS", "individual-address INVVPID" },
	{ EPT_VPID_INVVPID_SINGLE_CONTEXT, "INVVPID_SINGLE_CONTEXT", "single-context INVVPID" },
	{ EPT_VPID_INVVPID_ALL_CONTEXT, "INVVPID_ALL_CONTEXT", "all-context INVVPID" },
	{ 0, NULL, NULL }
};

const struct tvmm_cap_bit tvmm_cr0_bits[] = {
	{ X86_CR0_PE_BIT, "PE", "protection enable" },
	{ X86_CR0_MP_BIT, "MP", "monitor coprocessor" },
	{ X86_CR0_EM_BIT, "EM", "emulation" },
	{ X86_CR0_TS_BIT, "TS", "task switched" },
	{ X86_CR0_ET_BIT, "ET", "extension type" },
	{ X86_CR0_NE_BIT, "NE", "numeric error" },
	{ X86_CR0_WP_BIT, "WP", "write protect" },
	{ X86_CR0_AM_BIT, "AM", "alignment mask" },
	{ X86_CR0_NW_BIT, "NW", "not write-through" },
	{ X86_CR0_CD_BIT, "CD", "cache disable" },
	{ X86_CR0_PG_BIT, "PG", "paging" },
	{ 0, NULL, NULL }
};

const struct tvmm_cap_bit tvmm_cr4_bits[] = {
	{ X86_CR4_VME_BIT, "VME", "virtual-8086 mode extensions" },
	{ X86_CR4_PVI_BIT, "PVI", "protected-mode virtual interrupts" },
	{ X86_CR4_TSD_BIT, "TSD", "time stamp disable" },
	{ X86_CR4_DE_BIT, "DE", "debugging extensions" },
	{ X86_CR4_PSE_BIT, "PSE", "page size extensions" },
	{ X86_CR4_PAE_BIT, "PAE", "physical address extension" },
	{ X86_CR4_MCE_BIT, "MCE", "machine-check enable" },
	{ X86_CR4_PGE_BIT, "PGE", "page global enable" },
	{ X86_CR4_PCE_BIT, "PCE", "performance-counter enable" },
	{ X86_CR4_OSFXSR_BIT, "OSFXSR", "OS support for FXSAVE/FXRSTOR" },
	{ X86_CR4_OSXMMEXCPT_BIT, "OSXMMEXCPT", "OS support for unmasked SIMD exceptions" },
	{ X86_CR4_UMIP_BIT, "UMIP", "user-mode instruction prevention" },
	{ X86_CR4_LA57_BIT, "LA57", "57-bit linear addresses" },
	{ X86_CR4_VMXE_BIT, "VMXE", "VMX enable" },
	{ X86_CR4_SMXE_BIT, "SMXE", "SMX enable" },
	{ X86_CR4_FSGSBASE_BIT, "FSGSBASE", "FSGSBASE enable" },
	{ X86_CR4_PCIDE_BIT, "PCIDE", "PCID enable" },
	{ X86_CR4_OSXSAVE_BIT, "OSXSAVE", "XSAVE enable" },
	{ X86_CR4_SMEP_BIT, "SMEP", "SMEP enable" },
	{ X86_CR4_SMAP_BIT, "SMAP", "SMAP enable" },
	{ X86_CR4_PKE_BIT, "PKE", "protection keys enable" },
	{ 0, NULL, NULL }
};

const struct tvmm_ctl_group tvmm_ctl_groups[TVMM_CTL_GROUPS] = {
	[TVMM_CTL_PINBASED] = {
		"pinbased", "Pin-based VM-execution controls", pinbased_bits },
	[TVMM_CTL_PROCBASED] = {
		"procbased", "Primary processor-based VM-execution controls",
		procbased_bits },
	[TVMM_CTL_PROCBASED2] = {
		"procbased2", "Secondary processor-based VM-execution controls",
		procbased2_bits },
	[TVMM_CTL_EXIT] = { "exit", "VM-exit controls", exit_bits },
	[TVMM_CTL_ENTRY] = { "entry", "VM-entry controls", entry_bits },
};

const struct tvmm_msr_desc tvmm_caps_msrs[] = {
	{ "IA32_FEATURE_CONTROL", TVMM_MSR_IA32_FEATURE_CONTROL },
	{ "IA32_VMX_BASIC", TVMM_MSR_IA32_VMX_BASIC },
	{ "IA32_VMX_PINBASED_CTLS", TVMM_MSR_IA32_VMX_PINBASED_CTLS },
	{ "IA32_VMX_PROCBASED_CTLS", TVMM_MSR_IA32_VMX_PROCBASED_CTLS },
	{ "IA32_VMX_EXIT_CTLS", TVMM_MSR_IA32_VMX_EXIT_CTLS },
	{ "IA32_VMX_ENTRY_CTLS", TVMM_MSR_IA32_VMX_ENTRY_CTLS },
	{ "IA32_VMX_MISC", TVMM_MSR_IA32_VMX_MISC },
	{ "IA32_VMX_CR0_FIXED0", TVMM_MSR_IA32_VMX_CR0_FIXED0 },
	{ "IA32_VMX_CR0_FIXED1", TVMM_MSR_IA32_VMX_CR0_FIXED1 },
	{ "IA32_VMX_CR4_FIXED0", TVMM_MSR_IA32_VMX_CR4_FIXED0 },
	{ "IA32_VMX_CR4_FIXED1", TVMM_MSR_IA32_VMX_CR4_FIXED1 },
	{ "IA32_VMX_VMCS_ENUM", TVMM_MSR_IA32_VMX_VMCS_ENUM },
	{ "IA32_VMX_PROCBASED_CTLS2", TVMM_MSR_IA32_VMX_PROCBASED_CTLS2 },
	{ "IA32_VMX_EPT_VPID_CAP", TVMM_MSR_IA32_VMX_EPT_VPID_CAP },
	{ "IA32_VMX_TRUE_PINBASED_CTLS", TVMM_MSR_IA32_VMX_TRUE_PINBASED_CTLS },
	{ "IA32_VMX_TRUE_PROCBASED_CTLS", TVMM_MSR_IA32_VMX_TRUE_PROCBASED_CTLS },
	{ "IA32_VMX_TRUE_EXIT_CTLS", TVMM_MSR_IA32_VMX_TRUE_EXIT_CTLS },
	{ "IA32_VMX_TRUE_ENTRY_CTLS", TVMM_MSR_IA32_VMX_TRUE_ENTRY_CTLS },
	{ "IA32_VMX_VMFUNC", TVMM_MSR_IA32_VMX_VMFUNC },
	{ NULL, 0 }
};

bool tvmm_caps_msr_value(const struct tvmm_caps *caps, __u32 index,
			 __u64 *value)
{
	bool vmx = caps->flags & TVMM_CAPS_CPUID_VMX;
	bool true_ctls = caps->flags & TVMM_CAPS_TRUE_CTLS;

	switch (index) {
	case TVMM_MSR_IA32_FEATURE_CONTROL:
		*value = caps->feature_control;
		return vmx;
	case TVMM_MSR_IA32_VMX_BASIC:
		*value = caps->vmx_basic;
		return vmx;
	case TVMM_MSR_IA32_VMX_PINBASED_CTLS:
		*value = caps->pinbased_ctls;
		return vmx;
	case TVMM_MSR_IA32_VMX_PROCBASED_CTLS:
		*value = caps->procbased_ctls;
		return vmx;
	case TVMM_MSR_IA32_VMX_EXIT_CTLS:
		*value = caps->exit_ctls;
		return vmx;
	case TVMM_MSR_IA32_VMX_ENTRY_CTLS:
		*value = caps->entry_ctls;
		return vmx;
	case TVMM_MSR_IA32_VMX_MISC:
		*value = caps->misc;
		return vmx;
	case TVMM_MSR_IA32_VMX_CR0_FIXED0:
		*value = caps->cr0_fixed0;
		return vmx;
	case TVMM_MSR_IA32_VMX_CR0_FIXED1:
		*value = caps->cr0_fixed1;
		return vmx;
	case TVMM_MSR_IA32_VMX_CR4_FIXED0:
		*value = caps->cr4_fixed0;
		return vmx;
	case TVMM_MSR_IA32_VMX_CR4_FIXED1:
		*value = caps->cr4_fixed1;
		return vmx;
	case TVMM_MSR_IA32_VMX_VMCS_ENUM:
		*value = caps->vmcs_enum;
		return vmx;
	case TVMM_MSR_IA32_VMX_PROCBASED_CTLS2:
		*value = caps->procbased_ctls2;
		return caps->flags & TVMM_CAPS_PROCBASED2;
	case TVMM_MSR_IA32_VMX_EPT_VPID_CAP:
		*value = caps->ept_vpid_cap;
		return caps->flags & TVMM_CAPS_EPT_VPID;
	case TVMM_MSR_IA32_VMX_TRUE_PINBASED_CTLS:
		*value = caps->true_pinbased_ctls;
		return true_ctls;
	case TVMM_MSR_IA32_VMX_TRUE_PROCBASED_CTLS:
		*value = caps->true_procbased_ctls;
		return true_ctls;
	case TVMM_MSR_IA32_VMX_TRUE_EXIT_CTLS:
		*value = caps->true_exit_ctls;
		return true_ctls;
	case TVMM_MSR_IA32_VMX_TRUE_ENTRY_CTLS:
		*value = caps->true_entry_ctls;
		return true_ctls;
	case TVMM_MSR_IA32_VMX_VMFUNC:
		*value = caps->vmfunc;
		return caps->flags & TVMM_CAPS_VMFUNC;
	default:
		*value = 0;
		return false;
	}
}

/*
 * SDM A.3.1: with IA32_VMX_BASIC[55] set, the TRUE_* MSRs report the
 * controls exactly; the plain MSRs keep reporting the "default1" bits as
 * required even where they may be cleared. The secondary controls have
 * no TRUE variant.
 */
__u32 tvmm_caps_ctl_msr(const struct tvmm_caps *caps,
			enum tvmm_ctl_group_id id, __u64 *value)
{
	bool true_ctls = caps->flags & TVMM_CAPS_TRUE_CTLS;
	__u32 index;

	switch (id) {
	case TVMM_CTL_PINBASED:
		index = true_ctls ? TVMM_MSR_IA32_VMX_TRUE_PINBASED_CTLS :
				    TVMM_MSR_IA32_VMX_PINBASED_CTLS;
		break;
	case TVMM_CTL_PROCBASED:
		index = true_ctls ? TVMM_MSR_IA32_VMX_TRUE_PROCBASED_CTLS :
				    TVMM_MSR_IA32_VMX_PROCBASED_CTLS;
		break;
	case TVMM_CTL_PROCBASED2:
		index = TVMM_MSR_IA32_VMX_PROCBASED_CTLS2;
		break;
	case TVMM_CTL_EXIT:
		index = true_ctls ? TVMM_MSR_IA32_VMX_TRUE_EXIT_CTLS :
				    TVMM_MSR_IA32_VMX_EXIT_CTLS;
		break;
	case TVMM_CTL_ENTRY:
		index = true_ctls ? TVMM_MSR_IA32_VMX_TRUE_ENTRY_CTLS :
				    TVMM_MSR_IA32_VMX_ENTRY_CTLS;
		break;
	default:
		*value = 0;
		return 0;
	}
	return tvmm_caps_msr_value(caps, index, value) ? index : 0;
}

const char *tvmm_msr_name(__u32 index)
{
	const struct tvmm_msr_desc *m;

	for (m = tvmm_caps_msrs; m->name; m++)
		if (m->index == index)
			return m->name;
	return "unknown MSR";
}

/* SDM vol. 3A, 11.11 "Memory Type Range Registers": the type encodings. */
const char *tvmm_memtype_name(unsigned int type)
{
	switch (type) {
	case TVMM_VMX_BASIC_MEMTYPE_UC:
		return "UC, uncacheable";
	case TVMM_VMX_BASIC_MEMTYPE_WB:
		return "WB, write-back";
	default:
		return "reserved";
	}
}

static const struct tvmm_cap_bit *find_bit(const struct tvmm_cap_bit *bits,
					   unsigned int bit)
{
	for (; bits->name; bits++)
		if (bits->bit == bit)
			return bits;
	return NULL;
}

static const char *yes_no(bool b)
{
	return b ? "yes" : "no";
}

static void describe_presence(const struct tvmm_caps *caps,
			      tvmm_print_fn print, void *ctx)
{
	__u64 fc = caps->feature_control;

	print(ctx, "%-24s %s (CPUID.01H:ECX = 0x%08x, VMX is bit 5)\n",
	      "VMX in CPUID", yes_no(caps->cpuid1_ecx & CPUID1_ECX_VMX),
	      caps->cpuid1_ecx);
	print(ctx, "%-24s 0x%016llx: %s, VMX outside SMX %s\n",
	      "IA32_FEATURE_CONTROL", fc,
	      fc & FEATURE_CONTROL_LOCKED ? "locked" : "not locked",
	      fc & FEATURE_CONTROL_VMX_OUTSIDE_SMX ? "enabled" : "disabled");
}

/* SDM A.1: how the VMXON and VMCS regions must look. */
static void describe_basic(const struct tvmm_caps *caps, tvmm_print_fn print,
			   void *ctx)
{
	__u64 basic = caps->vmx_basic;

	print(ctx, "\n%-24s 0x%016llx\n", "IA32_VMX_BASIC", basic);
	print(ctx, "  %-22s 0x%x (write it at the start of VMXON and VMCS regions)\n",
	      "VMCS revision id", vmx_basic_revision(basic));
	print(ctx, "  %-22s %u bytes\n", "VMCS region size",
	      vmx_basic_vmcs_size(basic));
	print(ctx, "  %-22s %u (%s)\n", "VMCS memory type",
	      vmx_basic_memtype(basic),
	      tvmm_memtype_name(vmx_basic_memtype(basic)));
	print(ctx, "  %-22s %s\n", "region addresses",
	      basic & TVMM_VMX_BASIC_32BIT_ADDRESSES ? "below 4 GiB only" :
						  "anywhere");
	print(ctx, "  %-22s %s\n", "INS/OUTS exit info",
	      yes_no(basic & TVMM_VMX_BASIC_INOUT_INFO));
	print(ctx, "  %-22s %s\n", "TRUE control MSRs",
	      basic & TVMM_VMX_BASIC_TRUE_CTLS ?
	      "yes (some default1 bits may be cleared)" : "no");
}

/*
 * One control field as a table: every named bit, plus every unnamed bit
 * that is not simply unavailable (the "default1" bits that must be 1).
 */
static void describe_ctl_group(const struct tvmm_caps *caps,
			       enum tvmm_ctl_group_id id,
			       tvmm_print_fn print, void *ctx)
{
	const struct tvmm_ctl_group *group = &tvmm_ctl_groups[id];
	const struct tvmm_cap_bit *named;
	enum vmx_ctl_state state;
	unsigned int bit;
	__u32 index;
	__u64 msr;

	index = tvmm_caps_ctl_msr(caps, id, &msr);
	if (!index) {
		print(ctx, "\n%s: not offered by this CPU\n", group->title);
		return;
	}
	print(ctx, "\n%s (from %s 0x%03x = 0x%016llx)\n", group->title,
	      tvmm_msr_name(index), index, msr);
	for (bit = 0; bit < 32; bit++) {
		state = vmx_ctl_bit_state(msr, bit);
		named = find_bit(group->bits, bit);
		if (named)
			print(ctx, "  %-11s  bit %2u  %-22s %s\n",
			      vmx_ctl_state_name(state), bit, named->name,
			      named->what);
		else if (state == VMX_CTL_REQUIRED)
			print(ctx, "  %-11s  bit %2u  %-22s %s\n",
			      vmx_ctl_state_name(state), bit, "-",
			      "reserved, default1");
		else if (state == VMX_CTL_OPTIONAL)
			print(ctx, "  %-11s  bit %2u  %-22s %s\n",
			      vmx_ctl_state_name(state), bit, "-",
			      "not named by tvmm");
	}
}

/* SDM A.10: plain capability flags, one per bit. */
static void describe_ept_vpid(const struct tvmm_caps *caps,
			      tvmm_print_fn print, void *ctx)
{
	const struct tvmm_cap_bit *b;
	__u64 cap = caps->ept_vpid_cap;

	if (!(caps->flags & TVMM_CAPS_EPT_VPID)) {
		print(ctx, "\nEPT and VPID capabilities: not reported\n");
		return;
	}
	print(ctx, "\nEPT and VPID capabilities (IA32_VMX_EPT_VPID_CAP 0x%03x = 0x%016llx)\n",
	      TVMM_MSR_IA32_VMX_EPT_VPID_CAP, cap);
	for (b = tvmm_ept_vpid_bits; b->name; b++)
		print(ctx, "  %-11s  bit %2u  %-22s %s\n",
		      cap & (1ULL << b->bit) ? "available" : "unavailable",
		      b->bit, b->name, b->what);
}

/* SDM A.6: the preemption timer rate, activity states, CR3 targets. */
static void describe_misc(const struct tvmm_caps *caps, tvmm_print_fn print,
			  void *ctx)
{
	__u64 misc = caps->misc;
	unsigned int shift = vmx_misc_preempt_shift(misc);

	print(ctx, "\n%-24s 0x%016llx\n", "IA32_VMX_MISC", misc);
	print(ctx, "  %-22s TSC >> %u (one tick every %llu TSC ticks)\n",
	      "preemption timer rate", shift, 1ULL << shift);
	print(ctx, "  %-22s active%s%s%s\n", "activity states",
	      misc & TVMM_VMX_MISC_ACTIVITY_HLT ? " HLT" : "",
	      misc & TVMM_VMX_MISC_ACTIVITY_SHUTDOWN ? " shutdown" : "",
	      misc & TVMM_VMX_MISC_ACTIVITY_WAIT_SIPI ? " wait-for-SIPI" : "");
	print(ctx, "  %-22s %u\n", "CR3-target values",
	      vmx_misc_cr3_targets(misc));
	print(ctx, "  %-22s %u entries each\n", "MSR load/store lists",
	      vmx_misc_max_msr_list(misc));
	print(ctx, "  %-22s %s\n", "EFER.LMA saved on exit",
	      yes_no(misc & TVMM_VMX_MISC_STORE_LMA));
	print(ctx, "  %-22s %s\n", "VMWRITE to exit info",
	      yes_no(misc & TVMM_VMX_MISC_VMWRITE_EXIT_INFO));
}

/*
 * Print " NAME" (or " bitN" for a bit tvmm does not name) for every bit
 * 0-31 of a CR in state @want.
 */
static void describe_cr_list(__u64 fixed0, __u64 fixed1,
			     const struct tvmm_cap_bit *names,
			     enum vmx_ctl_state want, const char *label,
			     tvmm_print_fn print, void *ctx)
{
	const struct tvmm_cap_bit *named;
	unsigned int bit, count = 0;

	print(ctx, "  %-22s", label);
	for (bit = 0; bit < 32; bit++) {
		if (vmx_fixed_bit_state(fixed0, fixed1, bit) != want)
			continue;
		named = find_bit(names, bit);
		if (named)
			print(ctx, " %s", named->name);
		else if (want != VMX_CTL_OPTIONAL)	/* free reserved bits: noise */
			print(ctx, " bit%u", bit);
		else
			continue;
		count++;
	}
	print(ctx, "%s\n", count ? "" : " (none)");
}

/* SDM A.7, A.8: the CR0/CR4 bits VMX operation pins to 1 or to 0. */
static void describe_fixed_cr(const char *cr, __u64 fixed0, __u64 fixed1,
			      const struct tvmm_cap_bit *names,
			      tvmm_print_fn print, void *ctx)
{
	print(ctx, "\n%s in VMX operation (FIXED0 = 0x%016llx, FIXED1 = 0x%016llx)\n",
	      cr, fixed0, fixed1);
	describe_cr_list(fixed0, fixed1, names, VMX_CTL_REQUIRED,
			 "must be 1:", print, ctx);
	describe_cr_list(fixed0, fixed1, names, VMX_CTL_UNAVAILABLE,
			 "must be 0:", print, ctx);
	describe_cr_list(fixed0, fixed1, names, VMX_CTL_OPTIONAL,
			 "free:", print, ctx);
	if (!(fixed1 >> 32))
		print(ctx, "  %-22s bits 63:32 must be 0 too\n", "");
}

/* Is a control of group @id allowed to be 1 on this CPU? */
static bool ctl_allowed(const struct tvmm_caps *caps,
			enum tvmm_ctl_group_id id, unsigned int bit)
{
	__u64 msr;

	if (!tvmm_caps_ctl_msr(caps, id, &msr))
		return false;
	return vmx_ctl_bit_state(msr, bit) != VMX_CTL_UNAVAILABLE;
}

const char *const tvmm_missing_keys[TVMM_MISSING_COUNT] = {
	[TVMM_MISSING_VMX] = "vmx",
	[TVMM_MISSING_FIRMWARE] = "vmx_firmware",
	[TVMM_MISSING_EPT] = "ept",
	[TVMM_MISSING_UNRESTRICTED_GUEST] = "unrestricted_guest",
	[TVMM_MISSING_PREEMPTION_TIMER] = "preemption_timer",
	[TVMM_MISSING_VPID] = "vpid",
	[TVMM_MISSING_TRUE_CTLS] = "true_ctls",
	[TVMM_MISSING_VMX_ON] = "vmx_on",
};

unsigned int tvmm_caps_missing(const struct tvmm_caps *caps)
{
	__u64 fc = caps->feature_control;
	unsigned int missing = 0;

	if (!(caps->flags & TVMM_CAPS_CPUID_VMX))
		return 1U << TVMM_MISSING_VMX;
	if ((fc & FEATURE_CONTROL_LOCKED) &&
	    !(fc & FEATURE_CONTROL_VMX_OUTSIDE_SMX))
		missing |= 1U << TVMM_MISSING_FIRMWARE;
	if (!ctl_allowed(caps, TVMM_CTL_PROCBASED2, CPU2_ENABLE_EPT))
		missing |= 1U << TVMM_MISSING_EPT;
	if (!ctl_allowed(caps, TVMM_CTL_PROCBASED2, CPU2_UNRESTRICTED_GUEST))
		missing |= 1U << TVMM_MISSING_UNRESTRICTED_GUEST;
	if (!ctl_allowed(caps, TVMM_CTL_PINBASED, PIN_PREEMPTION_TIMER))
		missing |= 1U << TVMM_MISSING_PREEMPTION_TIMER;
	if (!ctl_allowed(caps, TVMM_CTL_PROCBASED2, CPU2_ENABLE_VPID))
		missing |= 1U << TVMM_MISSING_VPID;
	if (!(caps->flags & TVMM_CAPS_TRUE_CTLS))
		missing |= 1U << TVMM_MISSING_TRUE_CTLS;
	if (caps->cpus_vmx_on < caps->cpus_online)
		missing |= 1U << TVMM_MISSING_VMX_ON;
	return missing;
}

/*
 * The end of the report: each missing piece, why it is missing when that
 * can be known, and which tvmm features and labs need it. Lines stay
 * under 80 columns so they read well in a terminal and in dmesg.
 */
static void describe_missing(const struct tvmm_caps *caps,
			     tvmm_print_fn print, void *ctx)
{
	unsigned int missing = tvmm_caps_missing(caps);

	print(ctx, "\nWhat is missing and why\n");
	if (missing & (1U << TVMM_MISSING_VMX)) {
		print(ctx, "  - no VMX in CPUID: this CPU or emulator does not offer VT-x:\n");
		print(ctx, "    run inside the lab VM (make labvm-shell)\n");
	}
	if (missing & (1U << TVMM_MISSING_FIRMWARE)) {
		print(ctx, "  - VMX disabled by the firmware: IA32_FEATURE_CONTROL is locked\n");
		print(ctx, "    with \"VMX outside SMX\" clear, so VMXON would fault. Enable\n");
		print(ctx, "    Intel Virtualization Technology in the BIOS/UEFI setup, or\n");
		print(ctx, "    run inside the lab VM (make labvm-shell)\n");
	}
	if (missing & (1U << TVMM_MISSING_EPT)) {
		print(ctx, "  - no EPT: tvmm maps guest RAM with EPT, so `tvmm run` and every\n");
		print(ctx, "    lab from lab04 (first launch) on need it; lab10 (memory and\n");
		print(ctx, "    I/O) is about it\n");
	}
	if (missing & (1U << TVMM_MISSING_UNRESTRICTED_GUEST)) {
		print(ctx, "  - no unrestricted guest: guests cannot start with paging off (the\n");
		print(ctx, "    guest ABI) nor in real mode (`tvmm run --mode real`)\n");
	}
	if (missing & (1U << TVMM_MISSING_PREEMPTION_TIMER)) {
		print(ctx, "  - no VMX-preemption timer: the virtual timer (`tvmm run --timer`,\n");
		print(ctx, "    lab07) and stopping a guest that spins with interrupts off\n");
		print(ctx, "    need it\n");
	}
	if (missing & (1U << TVMM_MISSING_VPID)) {
		print(ctx, "  - no VPID (optional): every VM exit and entry flushes the TLB,\n");
		print(ctx, "    so exits cost more in lab09's measurements\n");
	}
	if (missing & (1U << TVMM_MISSING_TRUE_CTLS))
		print(ctx, "  - no TRUE control MSRs (optional): the default1 controls stay set\n");
	if (missing & (1U << TVMM_MISSING_VMX_ON)) {
		print(ctx, "  - VMX is on in %u of %u online CPUs: VMXON failed on some CPU\n",
		      caps->cpus_vmx_on, caps->cpus_online);
		print(ctx, "    (see dmesg), or the lab02 stub does not turn VMX on yet\n");
	}
	if (!missing)
		print(ctx, "  nothing: this CPU offers every VT-x feature tvmm uses\n");
}

void tvmm_caps_describe(const struct tvmm_caps *caps, tvmm_print_fn print,
			void *ctx)
{
	int id;

	describe_presence(caps, print, ctx);
	if (!(caps->flags & TVMM_CAPS_CPUID_VMX)) {
		/* Without VMX the capability MSRs do not exist: nothing to decode. */
		describe_missing(caps, print, ctx);
		return;
	}
	describe_basic(caps, print, ctx);
	for (id = 0; id < TVMM_CTL_GROUPS; id++)
		describe_ctl_group(caps, id, print, ctx);
	describe_ept_vpid(caps, print, ctx);
	describe_misc(caps, print, ctx);
	describe_fixed_cr("CR0", caps->cr0_fixed0, caps->cr0_fixed1,
			  tvmm_cr0_bits, print, ctx);
	if (ctl_allowed(caps, TVMM_CTL_PROCBASED2,
			CPU2_UNRESTRICTED_GUEST))
		print(ctx, "  %-22s with unrestricted guest, a guest may clear PE and PG\n",
		      "");
	describe_fixed_cr("CR4", caps->cr4_fixed0, caps->cr4_fixed1,
			  tvmm_cr4_bits, print, ctx);
	print(ctx, "\n%-24s on in %u of %u online CPUs\n", "VMX operation",
	      caps->cpus_vmx_on, caps->cpus_online);
	describe_missing(caps, print, ctx);
}
