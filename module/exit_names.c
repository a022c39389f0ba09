// SPDX-License-Identifier: GPL-2.0
/*
 * Names of the basic VM-exit reasons.
 *
 * Also the names of what tvmm did with an exit (enum tvmm_action) and of
 * the guest modes (enum tvmm_mode), one table each for module and tool.
 *
 * Concept: trap-and-emulate. Every time the guest does something the VMM
 * asked to intercept, the CPU leaves the guest with a VM exit and a number
 * saying why. These are the names a student reads in traces, `tvmm stats`
 * and debugfs. The short names are KVM's (as in its kvm_exit tracepoint
 * and `perf kvm stat`), so filters and habits carry over; the long ones
 * are the SDM's wording.
 *
 * SDM: vol. 3D, appendix C "VMX Basic Exit Reasons".
 * Context: any; pure lookups, compiled into tvmm.ko and the tvmm tool.
 */
#include "include/tvmm/exit_names.h"

#ifdef __KERNEL__
#include <linux/kernel.h>
#else
#define ARRAY_SIZE(a)	(sizeof(a) / sizeof((a)[0]))
#endif

struct exit_name {
	const char *name;	/* KVM's string, e.g. "IO_INSTRUCTION" */
	const char *what;	/* the SDM's description */
};

static const struct exit_name exit_names[TVMM_NR_EXIT_REASONS] = {
	[EXIT_REASON_EXCEPTION_NMI] = { "EXCEPTION_NMI", "exception or NMI" },
	[EXIT_REASON_EXTERNAL_INTERRUPT] = { "EXTERNAL_INTERRUPT", "external interrupt" },
	[EXIT_REASON_TRIPLE_FAULT] = { "TRIPLE_FAULT", "triple fault" },
	[EXIT_REASON_INIT_SIGNAL] = { "INIT_SIGNAL", "INIT signal" },
	[EXIT_REASON_SIPI_SIGNAL] = { "SIPI_SIGNAL", "start-up IPI" },
	[EXIT_REASON_IO_SMI] = { "IO_SMI", "I/O system-management interrupt" },
	[EXIT_REASON_OTHER_SMI] = { "OTHER_SMI", "other SMI" },
	[EXIT_REASON_INTERRUPT_WINDOW] = { "INTERRUPT_WINDOW", "interrupt window" },
	[EXIT_REASON_NMI_WINDOW] = { "NMI_WINDOW", "NMI window" },
	[EXIT_REASON_TASK_SWITCH] = { "TASK_SWITCH", "task switch" },
	[EXIT_REASON_CPUID] = { "CPUID", "CPUID" },
	[EXIT_REASON_GETSEC] = { "GETSEC", "GETSEC" },
	[EXIT_REASON_HLT] = { "HLT", "HLT" },
	[EXIT_REASON_INVD] = { "INVD", "INVD" },
	[EXIT_REASON_INVLPG] = { "INVLPG", "INVLPG" },
	[EXIT_REASON_RDPMC] = { "RDPMC", "RDPMC" },
	[EXIT_REASON_RDTSC] = { "RDTSC", "RDTSC" },
	[EXIT_REASON_RSM] = { "RSM", "RSM" },
	[EXIT_REASON_VMCALL] = { "VMCALL", "VMCALL" },
	[EXIT_REASON_VMCLEAR] = { "VMCLEAR", "VMCLEAR" },
	[EXIT_REASON_VMLAUNCH] = { "VMLAUNCH", "VMLAUNCH" },
	[EXIT_REASON_VMPTRLD] = { "VMPTRLD", "VMPTRLD" },
	[EXIT_REASON_VMPTRST] = { "VMPTRST", "VMPTRST" },
	[EXIT_REASON_VMREAD] = { "VMREAD", "VMREAD" },
	[EXIT_REASON_VMRESUME] = { "VMRESUME", "VMRESUME" },
	[EXIT_REASON_VMWRITE] = { "VMWRITE", "VMWRITE" },
	[EXIT_REASON_VMOFF] = { "VMOFF", "VMXOFF" },
	[EXIT_REASON_VMON] = { "VMON", "VMXON" },
	[EXIT_REASON_CR_ACCESS] = { "CR_ACCESS", "control-register access" },
	[EXIT_REASON_DR_ACCESS] = { "DR_ACCESS", "MOV DR" },
	[EXIT_REASON_IO_INSTRUCTION] = { "IO_INSTRUCTION", "I/O instruction" },
	[EXIT_REASON_MSR_READ] = { "MSR_READ", "RDMSR" },
	[EXIT_REASON_MSR_WRITE] = { "MSR_WRITE", "WRMSR" },
	[EXIT_REASON_INVALID_STATE] = { "INVALID_STATE", "VM-entry failure: invalid guest state" },
	[EXIT_REASON_MSR_LOAD_FAIL] = { "MSR_LOAD_FAIL", "VM-entry failure: MSR loading" },
	[EXIT_REASON_MWAIT_INSTRUCTION] = { "MWAIT_INSTRUCTION", "MWAIT" },
	[EXIT_REASON_MONITOR_TRAP_FLAG] = { "MONITOR_TRAP_FLAG", "monitor trap flag" },
	[EXIT_REASON_MONITOR_INSTRUCTION] = { "MONITOR_INSTRUCTION", "MONITOR" },
	[EXIT_REASON_PAUSE_INSTRUCTION] = { "PAUSE_INSTRUCTION", "PAUSE" },
	[EXIT_REASON_MCE_DURING_VMENTRY] = { "MCE_DURING_VMENTRY", "machine check at VM entry" },
	[EXIT_REASON_TPR_BELOW_THRESHOLD] = { "TPR_BELOW_THRESHOLD", "TPR below threshold" },
	[EXIT_REASON_APIC_ACCESS] = { "APIC_ACCESS", "APIC access" },
	[EXIT_REASON_EOI_INDUCED] = { "EOI_INDUCED", "virtualized EOI" },
	[EXIT_REASON_GDTR_IDTR] = { "GDTR_IDTR", "access to GDTR or IDTR" },
	[EXIT_REASON_LDTR_TR] = { "LDTR_TR", "access to LDTR or TR" },
	[EXIT_REASON_EPT_VIOLATION] = { "EPT_VIOLATION", "EPT violation" },
	[EXIT_REASON_EPT_MISCONFIG] = { "EPT_MISCONFIG", "EPT misconfiguration" },
	[EXIT_REASON_INVEPT] = { "INVEPT", "INVEPT" },
	[EXIT_REASON_RDTSCP] = { "RDTSCP", "RDTSCP" },
	[EXIT_REASON_PREEMPTION_TIMER] = { "PREEMPTION_TIMER", "VMX-preemption timer expired" },
	[EXIT_REASON_INVVPID] = { "INVVPID", "INVVPID" },
	[EXIT_REASON_WBINVD] = { "WBINVD", "WBINVD or WBNOINVD" },
	[EXIT_REASON_XSETBV] = { "XSETBV", "XSETBV" },
	[EXIT_REASON_APIC_WRITE] = { "APIC_WRITE", "APIC write" },
	[EXIT_REASON_RDRAND] = { "RDRAND", "RDRAND" },
	[EXIT_REASON_INVPCID] = { "INVPCID", "INVPCID" },
	[EXIT_REASON_VMFUNC] = { "VMFUNC", "VMFUNC" },
	[EXIT_REASON_ENCLS] = { "ENCLS", "ENCLS" },
	[EXIT_REASON_RDSEED] = { "RDSEED", "RDSEED" },
	[EXIT_REASON_PML_FULL] = { "PML_FULL", "page-modification log full" },
	[EXIT_REASON_XSAVES] = { "XSAVES", "XSAVES" },
	[EXIT_REASON_XRSTORS] = { "XRSTORS", "XRSTORS" },
	[EXIT_REASON_UMWAIT] = { "UMWAIT", "UMWAIT" },
	[EXIT_REASON_TPAUSE] = { "TPAUSE", "TPAUSE" },
	[EXIT_REASON_BUS_LOCK] = { "BUS_LOCK", "bus lock" },
	[EXIT_REASON_NOTIFY] = { "NOTIFY", "notify" },
};

const char *vmx_exit_reason_name(__u32 reason)
{
	reason &= TVMM_EXIT_REASON_BASIC_MASK;
	if (reason < TVMM_NR_EXIT_REASONS && exit_names[reason].name)
		return exit_names[reason].name;
	return "UNKNOWN";
}

const char *vmx_exit_reason_what(__u32 reason)
{
	reason &= TVMM_EXIT_REASON_BASIC_MASK;
	if (reason < TVMM_NR_EXIT_REASONS && exit_names[reason].what)
		return exit_names[reason].what;
	return "unknown exit reason";
}

/* Are @a and @b the same string? (No strcmp: the same code in both worlds.) */
static int same_name(const char *a, const char *b)
{
	while (*a && *a == *b) {
		a++;
		b++;
	}
	return !*a && !*b;
}

int vmx_exit_reason_from_name(const char *name)
{
	unsigned int i;

	for (i = 0; i < TVMM_NR_EXIT_REASONS; i++) {
		const char *n = exit_names[i].name;

		if (n && same_name(n, name))
			return i;
	}
	return -1;
}

static const char *const action_names[] = {
	[TVMM_ACTION_EMULATED]	= "emulated",
	[TVMM_ACTION_REFLECTED]	= "reflected",
	[TVMM_ACTION_INJECTED]	= "injected",
	[TVMM_ACTION_IGNORED]	= "ignored",
	[TVMM_ACTION_FATAL]	= "fatal",
	[TVMM_ACTION_PATCHED]	= "patched",
};

const char *tvmm_action_name(unsigned int action)
{
	if (action < ARRAY_SIZE(action_names))
		return action_names[action];
	return "unknown";
}

static const char *const mode_names[] = {
	[TVMM_MODE_HW]		= "hw",
	[TVMM_MODE_REAL]	= "real",
	[TVMM_MODE_DEPRIVILEGED] = "deprivileged",
	[TVMM_MODE_PARAVIRT]	= "paravirt",
	[TVMM_MODE_PATCH]	= "patch",
};

const char *tvmm_mode_name(unsigned int mode)
{
	if (mode < ARRAY_SIZE(mode_names))
		return mode_names[mode];
	return "unknown";
}

int tvmm_mode_from_name(const char *name)
{
	unsigned int i;

	for (i = 0; i < ARRAY_SIZE(mode_names); i++)
		if (same_name(mode_names[i], name))
			return i;
	return -1;
}
