/* SPDX-License-Identifier: GPL-2.0 */
/*
 * vmx_arch.h - architectural VMX facts, written once, read by the module,
 * the tvmm tool and the host unit tests.
 *
 * Concept: "supporto hardware" in the notes. Before a VMM can use VT-x it
 * must ask the CPU what it offers. The answers live in model-specific
 * registers (MSRs); this file names every MSR and every bit tvmm decodes, so
 * that no part of tvmm carries a bare number.
 *
 * SDM: Intel SDM vol. 3D, appendix A "VMX Capability Reporting Facility"
 *      (A.1 basic information, A.3-A.5 controls, A.6 misc, A.7-A.8 fixed
 *      CR bits, A.10 EPT/VPID); vol. 3C, 31.4 "VM Instruction Error Numbers".
 *      Revision pinned in docs/SDM.md.
 * Context: plain data and pure inline functions; no kernel or libc calls,
 *      so the same lines compile in the kernel and in userspace.
 *
 * Control bits are enums named after the SDM (PIN_*, CPU_* for the primary
 * processor-based controls, CPU2_* for the secondary ones, EXIT_*, ENTRY_*,
 * EPT_VPID_*); their values are bit numbers, for vmx_ctl_bit_state() and
 * BIT(). caps_text.c pairs each with its SDM description for printing.
 */
#ifndef _TVMM_VMX_ARCH_H
#define _TVMM_VMX_ARCH_H

#include <linux/const.h>
#include <linux/types.h>

/* CPUID.01H:ECX bit 5: the CPU implements VMX (SDM vol. 3C, 24.6). */
#define CPUID1_ECX_VMX			_BITUL(5)

/* CR4.VMXE (bit 13): VMXON is only legal with it set (SDM vol. 3C, 24.7). */
#define TVMM_CR4_VMXE			_BITULL(13)

/*
 * The MSRs tvmm reads. Names follow the SDM; the value is the index that
 * `rdmsr` and /dev/cpu/N/msr take.
 */
enum tvmm_msr_index {
	TVMM_MSR_IA32_FEATURE_CONTROL = 0x03a,
	TVMM_MSR_IA32_VMX_BASIC = 0x480,
	TVMM_MSR_IA32_VMX_PINBASED_CTLS = 0x481,
	TVMM_MSR_IA32_VMX_PROCBASED_CTLS = 0x482,
	TVMM_MSR_IA32_VMX_EXIT_CTLS = 0x483,
	TVMM_MSR_IA32_VMX_ENTRY_CTLS = 0x484,
	TVMM_MSR_IA32_VMX_MISC = 0x485,
	TVMM_MSR_IA32_VMX_CR0_FIXED0 = 0x486,
	TVMM_MSR_IA32_VMX_CR0_FIXED1 = 0x487,
	TVMM_MSR_IA32_VMX_CR4_FIXED0 = 0x488,
	TVMM_MSR_IA32_VMX_CR4_FIXED1 = 0x489,
	TVMM_MSR_IA32_VMX_VMCS_ENUM = 0x48a,
	TVMM_MSR_IA32_VMX_PROCBASED_CTLS2 = 0x48b,
	TVMM_MSR_IA32_VMX_EPT_VPID_CAP = 0x48c,
	TVMM_MSR_IA32_VMX_TRUE_PINBASED_CTLS = 0x48d,
	TVMM_MSR_IA32_VMX_TRUE_PROCBASED_CTLS = 0x48e,
	TVMM_MSR_IA32_VMX_TRUE_EXIT_CTLS = 0x48f,
	TVMM_MSR_IA32_VMX_TRUE_ENTRY_CTLS = 0x490,
	TVMM_MSR_IA32_VMX_VMFUNC = 0x491,
};

/* IA32_FEATURE_CONTROL bits (SDM vol. 3C, 24.7 "Enabling and entering VMX operation") */
#define FEATURE_CONTROL_LOCKED			_BITULL(0)
#define FEATURE_CONTROL_VMX_INSIDE_SMX		_BITULL(1)
#define FEATURE_CONTROL_VMX_OUTSIDE_SMX		_BITULL(2)

/* IA32_VMX_BASIC fields (SDM vol. 3D, A.1 "Basic VMX Information") */
#define TVMM_VMX_BASIC_REVISION_MASK		0x7fffffffULL	/* bits 30:0 */
#define TVMM_VMX_BASIC_VMCS_SIZE_SHIFT	32		/* bits 44:32 */
#define TVMM_VMX_BASIC_VMCS_SIZE_MASK	0x1fffULL
#define TVMM_VMX_BASIC_32BIT_ADDRESSES	_BITULL(48)
#define TVMM_VMX_BASIC_DUAL_MONITOR		_BITULL(49)
#define TVMM_VMX_BASIC_MEMTYPE_SHIFT		50		/* bits 53:50 */
#define TVMM_VMX_BASIC_MEMTYPE_MASK		0xfULL
#define TVMM_VMX_BASIC_MEMTYPE_UC		0
#define TVMM_VMX_BASIC_MEMTYPE_WB		6
#define TVMM_VMX_BASIC_INOUT_INFO		_BITULL(54)
#define TVMM_VMX_BASIC_TRUE_CTLS		_BITULL(55)
#define TVMM_VMX_BASIC_NO_HW_ERRCODE_CHECK	_BITULL(56)

static inline __u32 vmx_basic_revision(__u64 basic)
{
	return basic & TVMM_VMX_BASIC_REVISION_MASK;
}

static inline __u32 vmx_basic_vmcs_size(__u64 basic)
{
	return (basic >> TVMM_VMX_BASIC_VMCS_SIZE_SHIFT) & TVMM_VMX_BASIC_VMCS_SIZE_MASK;
}

static inline __u32 vmx_basic_memtype(__u64 basic)
{
	return (basic >> TVMM_VMX_BASIC_MEMTYPE_SHIFT) & TVMM_VMX_BASIC_MEMTYPE_MASK;
}

/* IA32_VMX_MISC fields (SDM vol. 3D, A.6 "Miscellaneous Data") */
#define TVMM_VMX_MISC_PREEMPT_RATE_MASK	0x1fULL		/* timer = TSC >> N */
#define TVMM_VMX_MISC_STORE_LMA		_BITULL(5)
#define TVMM_VMX_MISC_ACTIVITY_HLT		_BITULL(6)
#define TVMM_VMX_MISC_ACTIVITY_SHUTDOWN	_BITULL(7)
#define TVMM_VMX_MISC_ACTIVITY_WAIT_SIPI	_BITULL(8)
#define TVMM_VMX_MISC_CR3_TARGETS_SHIFT	16		/* bits 24:16 */
#define TVMM_VMX_MISC_CR3_TARGETS_MASK	0x1ffULL
#define TVMM_VMX_MISC_MSR_LIST_SHIFT		25		/* bits 27:25 */
#define TVMM_VMX_MISC_MSR_LIST_MASK		0x7ULL
#define TVMM_VMX_MISC_VMWRITE_EXIT_INFO	_BITULL(29)
#define TVMM_VMX_MISC_ZERO_LEN_INJECT	_BITULL(30)

/* The preemption timer counts down by 1 every 2^N TSC ticks; this is N. */
static inline unsigned int vmx_misc_preempt_shift(__u64 misc)
{
	return misc & TVMM_VMX_MISC_PREEMPT_RATE_MASK;
}

static inline unsigned int vmx_misc_cr3_targets(__u64 misc)
{
	return (misc >> TVMM_VMX_MISC_CR3_TARGETS_SHIFT) & TVMM_VMX_MISC_CR3_TARGETS_MASK;
}

/* Recommended maximum of entries in each VM-exit/entry MSR list: 512 * (N + 1). */
static inline unsigned int vmx_misc_max_msr_list(__u64 misc)
{
	return 512 * (((misc >> TVMM_VMX_MISC_MSR_LIST_SHIFT) &
		       TVMM_VMX_MISC_MSR_LIST_MASK) + 1);
}

/*
 * A VM-execution, VM-exit or VM-entry control MSR answers, for every bit of
 * the control field, one of three things (SDM vol. 3D, A.3.1):
 *   allowed-0 setting = bit in the low half:  1 means "must be 1";
 *   allowed-1 setting = bit in the high half: 0 means "must be 0".
 *
 *   low  high | the control bit
 *   ----------+------------------------------------
 *    0    0   | must be 0 (the CPU lacks the feature)
 *    0    1   | may be 0 or 1 (the VMM chooses)
 *    1    1   | must be 1 (a "default1" bit)
 *    1    0   | impossible; treated as "must be 1"
 */
enum vmx_ctl_state {
	VMX_CTL_UNAVAILABLE,	/* must be 0 */
	VMX_CTL_OPTIONAL,	/* may be 0 or 1 */
	VMX_CTL_REQUIRED,	/* must be 1 */
};

static inline enum vmx_ctl_state vmx_ctl_bit_state(__u64 cap_msr,
						   unsigned int bit)
{
	__u32 must_be_one = (__u32)cap_msr;
	__u32 may_be_one = (__u32)(cap_msr >> 32);

	if (bit >= 32)		/* control fields are 32 bits wide */
		return VMX_CTL_UNAVAILABLE;
	if (must_be_one & _BITUL(bit))
		return VMX_CTL_REQUIRED;
	if (may_be_one & _BITUL(bit))
		return VMX_CTL_OPTIONAL;
	return VMX_CTL_UNAVAILABLE;
}

static inline const char *vmx_ctl_state_name(enum vmx_ctl_state state)
{
	switch (state) {
	case VMX_CTL_REQUIRED:
		return "required";
	case VMX_CTL_OPTIONAL:
		return "available";
	default:
		return "unavailable";
	}
}

/* A bit of a fixed-CR MSR pair: fixed0 bit 1 = must be 1, fixed1 bit 0 = must be 0 (A.7, A.8). */
static inline enum vmx_ctl_state vmx_fixed_bit_state(__u64 fixed0,
						     __u64 fixed1,
						     unsigned int bit)
{
	if (fixed0 & _BITULL(bit))
		return VMX_CTL_REQUIRED;
	if (fixed1 & _BITULL(bit))
		return VMX_CTL_OPTIONAL;
	return VMX_CTL_UNAVAILABLE;
}

/*
 * Named control bits, with the SDM's description. Only the bits a student
 * meets; the decoders print the others as "bit N".
 */

/* Pin-based VM-execution controls (SDM vol. 3C, 25.6.1, table 25-5) */
enum vmx_pinbased_bit {
	PIN_EXT_INTR_EXITING = 0,	/* external-interrupt exiting */
	PIN_NMI_EXITING = 3,	/* NMI exiting */
	PIN_VIRTUAL_NMIS = 5,	/* virtual NMIs */
	PIN_PREEMPTION_TIMER = 6,	/* activate VMX-preemption timer */
	PIN_POSTED_INTR = 7,	/* process posted interrupts */
};

/* Primary processor-based VM-execution controls (SDM vol. 3C, 25.6.2, table 25-6) */
enum vmx_procbased_bit {
	CPU_INTR_WINDOW_EXITING = 2,	/* interrupt-window exiting */
	CPU_USE_TSC_OFFSETTING = 3,	/* use TSC offsetting */
	CPU_HLT_EXITING = 7,	/* HLT exiting */
	CPU_INVLPG_EXITING = 9,	/* INVLPG exiting */
	CPU_MWAIT_EXITING = 10,	/* MWAIT exiting */
	CPU_RDPMC_EXITING = 11,	/* RDPMC exiting */
	CPU_RDTSC_EXITING = 12,	/* RDTSC exiting */
	CPU_CR3_LOAD_EXITING = 15,	/* CR3-load exiting */
	CPU_CR3_STORE_EXITING = 16,	/* CR3-store exiting */
	CPU_TERTIARY_CONTROLS = 17,	/* activate tertiary controls */
	CPU_CR8_LOAD_EXITING = 19,	/* CR8-load exiting */
	CPU_CR8_STORE_EXITING = 20,	/* CR8-store exiting */
	CPU_USE_TPR_SHADOW = 21,	/* use TPR shadow */
	CPU_NMI_WINDOW_EXITING = 22,	/* NMI-window exiting */
	CPU_MOV_DR_EXITING = 23,	/* MOV-DR exiting */
	CPU_UNCOND_IO_EXITING = 24,	/* unconditional I/O exiting */
	CPU_USE_IO_BITMAPS = 25,	/* use I/O bitmaps */
	CPU_MONITOR_TRAP_FLAG = 27,	/* monitor trap flag */
	CPU_USE_MSR_BITMAPS = 28,	/* use MSR bitmaps */
	CPU_MONITOR_EXITING = 29,	/* MONITOR exiting */
	CPU_PAUSE_EXITING = 30,	/* PAUSE exiting */
	CPU_SECONDARY_CONTROLS = 31,	/* activate secondary controls */
};

/* Secondary processor-based VM-execution controls (SDM vol. 3C, 25.6.2, table 25-7) */
enum vmx_procbased2_bit {
	CPU2_VIRT_APIC_ACCESSES = 0,	/* virtualize APIC accesses */
	CPU2_ENABLE_EPT = 1,	/* enable EPT */
	CPU2_DESC_TABLE_EXITING = 2,	/* descriptor-table exiting */
	CPU2_ENABLE_RDTSCP = 3,	/* enable RDTSCP */
	CPU2_VIRT_X2APIC = 4,	/* virtualize x2APIC mode */
	CPU2_ENABLE_VPID = 5,	/* enable VPID */
	CPU2_WBINVD_EXITING = 6,	/* WBINVD exiting */
	CPU2_UNRESTRICTED_GUEST = 7,	/* unrestricted guest */
	CPU2_APIC_REG_VIRT = 8,	/* APIC-register virtualization */
	CPU2_VIRT_INTR_DELIVERY = 9,	/* virtual-interrupt delivery */
	CPU2_PAUSE_LOOP_EXITING = 10,	/* PAUSE-loop exiting */
	CPU2_RDRAND_EXITING = 11,	/* RDRAND exiting */
	CPU2_ENABLE_INVPCID = 12,	/* enable INVPCID */
	CPU2_ENABLE_VMFUNC = 13,	/* enable VM functions */
	CPU2_VMCS_SHADOWING = 14,	/* VMCS shadowing */
	CPU2_RDSEED_EXITING = 16,	/* RDSEED exiting */
	CPU2_ENABLE_PML = 17,	/* enable PML */
	CPU2_EPT_VIOLATION_VE = 18,	/* EPT-violation #VE */
	CPU2_ENABLE_XSAVES = 20,	/* enable XSAVES/XRSTORS */
	CPU2_TSC_SCALING = 25,	/* use TSC scaling */
};

/* Primary VM-exit controls (SDM vol. 3C, 25.7.1, table 25-13) */
enum vmx_exit_bit {
	EXIT_SAVE_DEBUG_CONTROLS = 2,	/* save debug controls */
	EXIT_HOST_ADDR_SPACE_SIZE = 9,	/* host address-space size */
	EXIT_LOAD_PERF_GLOBAL_CTRL = 12,	/* load IA32_PERF_GLOBAL_CTRL */
	EXIT_ACK_INTR_ON_EXIT = 15,	/* acknowledge interrupt on exit */
	EXIT_SAVE_PAT = 18,	/* save IA32_PAT */
	EXIT_LOAD_PAT = 19,	/* load IA32_PAT */
	EXIT_SAVE_EFER = 20,	/* save IA32_EFER */
	EXIT_LOAD_EFER = 21,	/* load IA32_EFER */
	EXIT_SAVE_PREEMPT_TIMER = 22,	/* save VMX-preemption timer value */
};

/* VM-entry controls (SDM vol. 3C, 25.8.1, table 25-15) */
enum vmx_entry_bit {
	ENTRY_LOAD_DEBUG_CONTROLS = 2,	/* load debug controls */
	ENTRY_IA32E_MODE_GUEST = 9,	/* IA-32e mode guest */
	ENTRY_ENTRY_TO_SMM = 10,	/* entry to SMM */
	ENTRY_LOAD_PERF_GLOBAL_CTRL = 13,	/* load IA32_PERF_GLOBAL_CTRL */
	ENTRY_LOAD_PAT = 14,	/* load IA32_PAT */
	ENTRY_LOAD_EFER = 15,	/* load IA32_EFER */
};

/* IA32_VMX_EPT_VPID_CAP (SDM vol. 3D, A.10) */
enum vmx_ept_vpid_bit {
	EPT_VPID_EPT_EXECUTE_ONLY = 0,	/* execute-only EPT translations */
	EPT_VPID_EPT_WALK_4 = 6,	/* page-walk length 4 */
	EPT_VPID_EPT_MEMTYPE_UC = 8,	/* EPT paging structures uncacheable */
	EPT_VPID_EPT_MEMTYPE_WB = 14,	/* EPT paging structures write-back */
	EPT_VPID_EPT_2MB_PAGES = 16,	/* 2-MByte EPT pages */
	EPT_VPID_EPT_1GB_PAGES = 17,	/* 1-GByte EPT pages */
	EPT_VPID_INVEPT = 20,	/* INVEPT instruction */
	EPT_VPID_EPT_AD_BITS = 21,	/* EPT accessed and dirty flags */
	EPT_VPID_INVEPT_SINGLE_CONTEXT = 25,	/* single-context INVEPT */
	EPT_VPID_INVEPT_ALL_CONTEXT = 26,	/* all-context INVEPT */
	EPT_VPID_INVVPID = 32,	/* INVVPID instruction */
	EPT_VPID_INVVPID_ADDRESS = 40,	/* individual-address INVVPID */
	EPT_VPID_INVVPID_SINGLE_CONTEXT = 41,	/* single-context INVVPID */
	EPT_VPID_INVVPID_ALL_CONTEXT = 42,	/* all-context INVVPID */
};

/*
 * CPUID feature bits that decide which CR4 and EFER bits a guest may set
 * (SDM vol. 2A, CPUID, tables 3-10, 3-11 and the leaf 7 and 80000001H
 * entries): a CR4 bit is valid only if CPUID announces its feature.
 */
#define TVMM_CPUID_FEATURES		0x1		/* leaf 1: EDX, ECX */
#define TVMM_CPUID_EXT_FEATURES		0x7		/* leaf 7, subleaf 0: EBX, ECX */
#define TVMM_CPUID_EXT_INFO		0x80000001	/* EDX: SYSCALL, NX */
#define CPUID1_EDX_VME			_BITUL(1)	/* CR4.VME, CR4.PVI */
#define CPUID1_EDX_DE			_BITUL(2)	/* CR4.DE */
#define CPUID1_EDX_PSE			_BITUL(3)	/* CR4.PSE */
#define CPUID1_EDX_TSC			_BITUL(4)	/* CR4.TSD */
#define CPUID1_EDX_PAE			_BITUL(6)	/* CR4.PAE */
#define CPUID1_EDX_MCE			_BITUL(7)	/* CR4.MCE */
#define CPUID1_EDX_PGE			_BITUL(13)	/* CR4.PGE */
#define CPUID1_EDX_FXSR			_BITUL(24)	/* CR4.OSFXSR */
#define CPUID1_EDX_SSE			_BITUL(25)	/* CR4.OSXMMEXCPT */
#define CPUID1_ECX_PCID			_BITUL(17)	/* CR4.PCIDE */
#define CPUID1_ECX_XSAVE		_BITUL(26)	/* CR4.OSXSAVE */
#define CPUID1_ECX_OSXSAVE		_BITUL(27)	/* mirrors CR4.OSXSAVE */
#define CPUID1_ECX_HYPERVISOR		_BITUL(31)	/* a hypervisor is present */
#define CPUID7_EBX_FSGSBASE		_BITUL(0)	/* CR4.FSGSBASE */
#define CPUID7_EBX_SMEP			_BITUL(7)	/* CR4.SMEP */
#define CPUID7_EBX_SMAP			_BITUL(20)	/* CR4.SMAP */
#define CPUID7_ECX_UMIP			_BITUL(2)	/* CR4.UMIP */
/* Features whose CR4 bit tvmm always refuses (cr.c): hidden from CPUID. */
#define CPUID1_ECX_SMX			_BITUL(6)	/* CR4.SMXE */
#define CPUID7_ECX_PKU			_BITUL(3)	/* CR4.PKE */
#define CPUID7_ECX_OSPKE		_BITUL(4)	/* CR4.PKE as the OS set it */
#define CPUID7_ECX_CET_SS		_BITUL(7)	/* CR4.CET */
#define CPUID7_ECX_LA57			_BITUL(16)	/* CR4.LA57 */
#define CPUID7_ECX_PKS			_BITUL(31)	/* CR4.PKS */
#define CPUID7_EDX_CET_IBT		_BITUL(20)	/* CR4.CET */
#define CPUID80000001_EDX_SYSCALL	_BITUL(11)	/* EFER.SCE */
#define CPUID80000001_EDX_NX		_BITUL(20)	/* EFER.NXE */

/*
 * Debug registers as a guest sees them (SDM vol. 3A, 18.2 "Debug
 * Registers"): the bits software can change, and those that always read
 * as 1. DR6.RTM (bit 16) reads 1: tvmm offers no RTM debugging.
 */
#define TVMM_DR6_FIXED_1		0xffff0ff0ULL	/* also DR6 after reset */
#define TVMM_DR6_VOLATILE		0x0000e00fULL	/* B0-B3, BD, BS, BT */
#define TVMM_DR6_BD			_BITULL(13)	/* debug-register access detected */
#define TVMM_DR7_FIXED_1		0x400ULL	/* bit 10; DR7 after reset */
#define TVMM_DR7_VOLATILE		0xffff2bffULL	/* all but 10, 11, 12, 14, 15 */
#define TVMM_DR7_ENABLE_MASK		0xffULL		/* L0/G0 ... L3/G3 */
#define TVMM_DR7_GD			_BITULL(13)	/* general detect */

/*
 * Exit qualification of a MOV DR exit (SDM vol. 3C, 28.2.1, table 28-4
 * "Exit Qualification for MOV DR").
 */
#define TVMM_DR_QUAL_NUM_MASK		0x7ULL		/* bits 2:0: the debug register */
#define TVMM_DR_QUAL_FROM		_BITULL(4)	/* 1: MOV from DR */
#define TVMM_DR_QUAL_GPR_SHIFT		8		/* bits 11:8: the GPR */
#define TVMM_DR_QUAL_GPR_MASK		0xfULL

/*
 * Exit qualification of a #DB exit (SDM vol. 3C, 28.2.1, table 28-1
 * "Exit Qualification for Debug Exceptions"): what DR6 would have held.
 */
#define TVMM_DB_QUAL_DR6_BITS		0x600fULL	/* B0-B3, BD, BS */

/*
 * Guest pending debug exceptions (SDM vol. 3C, 25.4.2, table 25-4): BS, a
 * single-step trap the CPU delivers right after VM entry (27.7.3).
 */
#define TVMM_PENDING_DBG_BS		_BITULL(14)

/* VM-exit interruption information (SDM vol. 3C, 25.9.2, table 25-19). */
#define TVMM_INTR_INFO_VECTOR_MASK	0xffU
#define TVMM_INTR_INFO_TYPE_SHIFT	8
#define TVMM_INTR_INFO_TYPE_MASK	7U
#define TVMM_INTR_TYPE_EXTERNAL		0	/* an external interrupt (the timer tick) */
#define TVMM_INTR_TYPE_NMI		2
#define TVMM_INTR_TYPE_HW_EXCEPTION	3
#define TVMM_INTR_TYPE_SW_INTERRUPT	4	/* INT n */
#define TVMM_INTR_TYPE_PRIV_SW_EXCEPTION	5	/* INT1 (ICEBP) */
#define TVMM_INTR_TYPE_SW_EXCEPTION	6	/* INT3, INTO */
#define TVMM_INTR_INFO_DELIVER_CODE	_BITUL(11)
#define TVMM_INTR_INFO_NMI_UNBLOCK	_BITUL(12)	/* exit info only: IRET unblocked NMIs */
#define TVMM_INTR_INFO_VALID		_BITUL(31)

/*
 * Exception vectors tvmm raises, reflects or intercepts (SDM vol. 3A,
 * 6.3.1, table 6-1), and the bits of an exception's error code (6.13).
 */
#define TVMM_EXC_DE			0	/* divide error */
#define TVMM_EXC_DB			1	/* debug */
#define TVMM_EXC_BP			3	/* breakpoint (INT3) */
#define TVMM_EXC_OF			4	/* overflow (INTO) */
#define TVMM_EXC_UD			6	/* invalid opcode */
#define TVMM_EXC_NM			7	/* device not available (FPU) */
#define TVMM_EXC_DF			8	/* double fault */
#define TVMM_EXC_TS			10	/* invalid TSS */
#define TVMM_EXC_GP			13	/* general protection */
#define TVMM_EXC_PF			14	/* page fault */
#define TVMM_EXC_AC			17	/* alignment check */
#define TVMM_EXC_MC			18	/* machine check */
#define TVMM_ERR_EXT			_BITUL(0)	/* raised delivering an external event */
#define TVMM_ERR_IDT			_BITUL(1)	/* the index names an IDT gate */
#define TVMM_ERR_INDEX_SHIFT		3		/* the selector or gate index */

/* Exit qualification of an I/O instruction (SDM vol. 3C, 28.2.1, table 28-5). */
#define TVMM_IO_QUAL_SIZE_MASK		7ULL		/* access size minus 1 */
#define TVMM_IO_QUAL_IN			_BITULL(3)
#define TVMM_IO_QUAL_STRING		_BITULL(4)	/* INS/OUTS */
#define TVMM_IO_QUAL_IMM		_BITULL(6)	/* port in an imm8, not in DX */
#define TVMM_IO_QUAL_PORT_SHIFT		16

/* Exit qualification of a control-register access (table 28-3). */
#define TVMM_CR_QUAL_NUM_MASK		0xfULL		/* which CR */
#define TVMM_CR_QUAL_TYPE_SHIFT		4
#define TVMM_CR_QUAL_TYPE_MASK		3ULL
#define TVMM_CR_QUAL_MOV_TO		0
#define TVMM_CR_QUAL_MOV_FROM		1
#define TVMM_CR_QUAL_CLTS		2
#define TVMM_CR_QUAL_LMSW		3
#define TVMM_CR_QUAL_GPR_SHIFT		8		/* the GPR, for MOV */
#define TVMM_CR_QUAL_LMSW_DATA_SHIFT	16		/* LMSW's source operand */

/* Exit qualification of an EPT violation (table 28-7): what the access was. */
#define TVMM_EPT_QUAL_READ		_BITULL(0)
#define TVMM_EPT_QUAL_WRITE		_BITULL(1)
#define TVMM_EPT_QUAL_FETCH		_BITULL(2)

/* Segment selectors (SDM vol. 3A, 3.4.2): requested privilege, table index. */
#define TVMM_SEL_RPL_MASK		3U
#define TVMM_SEL_INDEX_MASK		(~7U)

/* CR0 and CR4 bits named by the fixed-bit decoders (SDM vol. 3A, 2.5) */
/*
 * VM-instruction error numbers (SDM vol. 3C, 31.4, table 31-1): after a
 * VMX instruction fails with VMfailValid (ZF=1), the VMCS field
 * VM_INSTRUCTION_ERROR holds one of these.
 */
/* Name of a VM-instruction error number; never NULL. */
static inline const char *vmx_insn_error_name(__u32 error)
{
	switch (error) {
	case 1:
		return "VMCALL executed in VMX root operation";
	case 2:
		return "VMCLEAR with invalid physical address";
	case 3:
		return "VMCLEAR with VMXON pointer";
	case 4:
		return "VMLAUNCH with non-clear VMCS";
	case 5:
		return "VMRESUME with non-launched VMCS";
	case 6:
		return "VMRESUME after VMXOFF";
	case 7:
		return "VM entry with invalid control field(s)";
	case 8:
		return "VM entry with invalid host-state field(s)";
	case 9:
		return "VMPTRLD with invalid physical address";
	case 10:
		return "VMPTRLD with VMXON pointer";
	case 11:
		return "VMPTRLD with incorrect VMCS revision identifier";
	case 12:
		return "VMREAD/VMWRITE from/to unsupported VMCS component";
	case 13:
		return "VMWRITE to read-only VMCS component";
	case 15:
		return "VMXON executed in VMX root operation";
	case 16:
		return "VM entry with invalid executive-VMCS pointer";
	case 17:
		return "VM entry with non-launched executive VMCS";
	case 18:
		return "VM entry with executive-VMCS pointer not VMXON pointer";
	case 19:
		return "VMCALL with non-clear VMCS";
	case 20:
		return "VMCALL with invalid VM-exit control fields";
	case 22:
		return "VMCALL with incorrect MSEG revision identifier";
	case 23:
		return "VMXOFF under dual-monitor treatment of SMIs and SMM";
	case 24:
		return "VMCALL with invalid SMM-monitor features";
	case 25:
		return "VM entry with invalid VM-execution control fields in executive VMCS";
	case 26:
		return "VM entry with events blocked by MOV SS";
	case 28:
		return "invalid operand to INVEPT/INVVPID";
	default:
		return "unknown VM-instruction error";
	}
}

/*
 * Basic VM-exit reasons (SDM vol. 3D, appendix C "VMX Basic Exit
 * Reasons"): bits 15:0 of the VMCS field "exit reason". Bit 31 of that
 * field is set when the exit is a failed VM entry.
 */
enum vmx_exit_reason {
	EXIT_REASON_EXCEPTION_NMI = 0,
	EXIT_REASON_EXTERNAL_INTERRUPT = 1,
	EXIT_REASON_TRIPLE_FAULT = 2,
	EXIT_REASON_INIT_SIGNAL = 3,
	EXIT_REASON_SIPI_SIGNAL = 4,
	EXIT_REASON_IO_SMI = 5,
	EXIT_REASON_OTHER_SMI = 6,
	EXIT_REASON_INTERRUPT_WINDOW = 7,
	EXIT_REASON_NMI_WINDOW = 8,
	EXIT_REASON_TASK_SWITCH = 9,
	EXIT_REASON_CPUID = 10,
	EXIT_REASON_GETSEC = 11,
	EXIT_REASON_HLT = 12,
	EXIT_REASON_INVD = 13,
	EXIT_REASON_INVLPG = 14,
	EXIT_REASON_RDPMC = 15,
	EXIT_REASON_RDTSC = 16,
	EXIT_REASON_RSM = 17,
	EXIT_REASON_VMCALL = 18,
	EXIT_REASON_VMCLEAR = 19,
	EXIT_REASON_VMLAUNCH = 20,
	EXIT_REASON_VMPTRLD = 21,
	EXIT_REASON_VMPTRST = 22,
	EXIT_REASON_VMREAD = 23,
	EXIT_REASON_VMRESUME = 24,
	EXIT_REASON_VMWRITE = 25,
	EXIT_REASON_VMOFF = 26,
	EXIT_REASON_VMON = 27,
	EXIT_REASON_CR_ACCESS = 28,
	EXIT_REASON_DR_ACCESS = 29,
	EXIT_REASON_IO_INSTRUCTION = 30,
	EXIT_REASON_MSR_READ = 31,
	EXIT_REASON_MSR_WRITE = 32,
	EXIT_REASON_INVALID_STATE = 33,
	EXIT_REASON_MSR_LOAD_FAIL = 34,
	EXIT_REASON_MWAIT_INSTRUCTION = 36,
	EXIT_REASON_MONITOR_TRAP_FLAG = 37,
	EXIT_REASON_MONITOR_INSTRUCTION = 39,
	EXIT_REASON_PAUSE_INSTRUCTION = 40,
	EXIT_REASON_MCE_DURING_VMENTRY = 41,
	EXIT_REASON_TPR_BELOW_THRESHOLD = 43,
	EXIT_REASON_APIC_ACCESS = 44,
	EXIT_REASON_EOI_INDUCED = 45,
	EXIT_REASON_GDTR_IDTR = 46,
	EXIT_REASON_LDTR_TR = 47,
	EXIT_REASON_EPT_VIOLATION = 48,
	EXIT_REASON_EPT_MISCONFIG = 49,
	EXIT_REASON_INVEPT = 50,
	EXIT_REASON_RDTSCP = 51,
	EXIT_REASON_PREEMPTION_TIMER = 52,
	EXIT_REASON_INVVPID = 53,
	EXIT_REASON_WBINVD = 54,
	EXIT_REASON_XSETBV = 55,
	EXIT_REASON_APIC_WRITE = 56,
	EXIT_REASON_RDRAND = 57,
	EXIT_REASON_INVPCID = 58,
	EXIT_REASON_VMFUNC = 59,
	EXIT_REASON_ENCLS = 60,
	EXIT_REASON_RDSEED = 61,
	EXIT_REASON_PML_FULL = 62,
	EXIT_REASON_XSAVES = 63,
	EXIT_REASON_XRSTORS = 64,
	EXIT_REASON_UMWAIT = 67,
	EXIT_REASON_TPAUSE = 68,
	EXIT_REASON_BUS_LOCK = 74,
	EXIT_REASON_NOTIFY = 75,
};

#define TVMM_EXIT_REASON_BASIC_MASK	0xffffU
#define TVMM_EXIT_REASON_ENTRY_FAILED	_BITUL(31)

#endif /* _TVMM_VMX_ARCH_H */
