// SPDX-License-Identifier: GPL-2.0
/*
 * host_state.c - what a VM exit does not give back to Linux, given back
 * by hand; and the host events (NMI, machine check) a VM exit took from
 * Linux, handed back to it.
 *
 * Concept: a VM exit loads the host state the VMCS holds (SDM vol. 3C,
 * 28.5 "Loading Host State") and nothing more. It loads null DS, ES, FS
 * and GS selectors (tvmm's host selector fields are 0: a user selector's
 * RPL 3 is not allowed there, SDM 27.2.3), makes LDTR unusable (28.5.2),
 * sets DR7 to 0x400 and clears IA32_DEBUGCTL (28.5.1). The process that
 * called TVMM_RUN must find its segment registers and LDT as it left them
 * (a 32-bit caller's TLS lives in GS), and the host's watchpoints and
 * branch tracing must keep working. So, as KVM does: save before the
 * first entry of a slice, restore after the last exit (selectors, LDT,
 * FS/GS bases), and restore the debug state after every exit, with
 * interrupts still off (debugreg.c does DR0-DR3 and DR7).
 *
 * An NMI that arrives while the guest runs is a VM exit (NMI exiting) and
 * is then blocked until the next IRET; Linux must handle it at once, with
 * interrupts still off, through its NMI entry: the way the kernel offers
 * to KVM where it exports one, else an INT 2 through the IDT (what KVM did
 * before those exports; never with interrupts enabled, and refused under
 * FRED, where INT 2 is no NMI). A machine check in the guest (#MC is in
 * the exception bitmap) goes to Linux's machine-check handler, also
 * before interrupts are enabled.
 *
 * SDM: vol. 3C, 28.5 "Loading Host State"; 27.2.3 (host selectors);
 *      26.2 "Other Causes of VM Exits" (NMIs); 25.6.3 "Exception Bitmap".
 * Context: preemption off, the VM's VMCS current (vcpu.c); the *_irqoff
 *      functions with interrupts off, right after the VM exit.
 */
#define pr_fmt(fmt) KBUILD_MODNAME ": " fmt

#include <linux/percpu.h>
#include <asm/cpufeature.h>
#include <asm/special_insns.h>
#include <asm/debugreg.h>
#include <asm/desc.h>
#include <asm/idtentry.h>
#include <asm/mce.h>
#include <asm/msr.h>
#include <asm/ptrace.h>
#include <asm/segment.h>
#ifdef CONFIG_X86_FRED
#include <asm/fred.h>
#endif

#include "tvmm.h"
#include "vmx_insn.h"

/*
 * Linux's NMI entry for a VMM, exported only when KVM_INTEL is a module:
 * asm_exc_nmi_noist in 6.1, asm_exc_nmi_kvm_vmx in 6.12 (Kbuild looks
 * for it in asm/idtentry.h), and with FRED, fred_entry_from_kvm().
 */
#if IS_MODULE(CONFIG_KVM_INTEL)
#ifdef TVMM_HAVE_NMI_KVM_VMX
#define TVMM_NMI_ENTRY		asm_exc_nmi_kvm_vmx
#else
#define TVMM_NMI_ENTRY		asm_exc_nmi_noist
#endif
#if IS_ENABLED(CONFIG_X86_FRED)
#define TVMM_FRED_NMI_ENTRY	1
#endif
#endif

/**
 * host_nmi_supported() - can tvmm hand NMIs to Linux on this kernel?
 *
 * Return: 0, or -EOPNOTSUPP when FRED is on and the kernel exports no
 * FRED entry: INT 2 would not be an NMI there.
 */
int host_nmi_supported(void)
{
#if defined(X86_FEATURE_FRED) && !defined(TVMM_FRED_NMI_ENTRY)
	if (cpu_feature_enabled(X86_FEATURE_FRED)) {
		pr_err("FRED is on and this kernel exports no FRED NMI entry for a VMM (KVM_INTEL is not a module): tvmm could not hand NMIs to Linux\n");
		return -EOPNOTSUPP;
	}
#endif
	return 0;
}

/* Run Linux's NMI handler now, as if the NMI had arrived here. */
static void host_nmi_irqoff(void)
{
#ifdef TVMM_FRED_NMI_ENTRY
	if (cpu_feature_enabled(X86_FEATURE_FRED)) {
		fred_entry_from_kvm(EVENT_TYPE_NMI, NMI_VECTOR);
		return;
	}
#endif
#ifdef TVMM_NMI_ENTRY
	tvmm_call_nmi_entry(TVMM_NMI_ENTRY);
#else
	asm volatile("int $2");
#endif
}

/*
 * After a host NMI's exit: the guest must not go on with "blocking by
 * NMI" (interruptibility bit 3). tvmm gives guests no NMI, so they never
 * block one; and without "virtual NMIs" that bit would block the host's
 * own NMIs while the guest runs, until the next exit and the host's next
 * IRET. The SDM saves it as the guest had it (0); Bochs saves 1 (it
 * blocks NMIs before it saves the guest state), which held back every
 * later host NMI until a host interrupt's IRET (nmi_test showed 1 NMI
 * exit for 20 NMIs).
 */
static void host_nmi_unblock_guest(struct tvmm_vm *vm)
{
	u64 shadow = vmcs_read(VMCS_GUEST_INTERRUPTIBILITY_INFO);

	if (shadow & VMCS_BLOCKING_BY_NMI)
		vcpu_write(vm, VMCS_GUEST_INTERRUPTIBILITY_INFO,
			   shadow & ~(u64)VMCS_BLOCKING_BY_NMI);
}

/* Run Linux's machine-check handler for a #MC the guest took. */
static void host_machine_check_irqoff(void)
{
#ifdef CONFIG_X86_MCE
	/*
	 * As if taken in user mode (CS RPL 3) with interrupts on: the guest
	 * is not kernel code, so the handler may recover by killing a task
	 * instead of panicking.
	 */
	struct pt_regs regs = { .cs = USER_RPL, .flags = X86_EFLAGS_IF };

	do_machine_check(&regs);
#endif
}

/**
 * host_events_irqoff() - right after a VM exit, before interrupts are on:
 * give Linux the NMI or machine check that caused it, if one did.
 * @vm: the VM whose VMCS is current
 * @reason: the exit reason field
 *
 * Return: true if the exit was such a host event (exits.c then only
 * records it).
 */
bool host_events_irqoff(struct tvmm_vm *vm, u32 reason)
{
	u32 basic = reason & TVMM_EXIT_REASON_BASIC_MASK;
	u32 info, type, vector;

	if (basic == EXIT_REASON_MCE_DURING_VMENTRY) {
		host_machine_check_irqoff();
		return true;
	}
	if (basic != EXIT_REASON_EXCEPTION_NMI)
		return false;
	info = vmcs_read(VMCS_VM_EXIT_INTR_INFO);
	type = (info >> TVMM_INTR_INFO_TYPE_SHIFT) & TVMM_INTR_INFO_TYPE_MASK;
	vector = info & TVMM_INTR_INFO_VECTOR_MASK;
	if (!(info & TVMM_INTR_INFO_VALID))
		return false;
	if (type == TVMM_INTR_TYPE_NMI) {
		host_nmi_irqoff();
		host_nmi_unblock_guest(vm);
		return true;
	}
	if (type == TVMM_INTR_TYPE_HW_EXCEPTION && vector == TVMM_EXC_MC) {
		host_machine_check_irqoff();
		return true;
	}
	return false;
}

/**
 * host_state_save() - before the first entry of a slice: what the exits
 * will clobber and host_state_restore() puts back.
 * @hs: filled
 */
void host_state_save(struct tvmm_host_state *hs)
{
	savesegment(ds, hs->ds);
	savesegment(es, hs->es);
	savesegment(fs, hs->fs);
	savesegment(gs, hs->gs);
	store_ldt(hs->ldt);
	rdmsrl(MSR_FS_BASE, hs->fs_base);
	rdmsrl(MSR_KERNEL_GS_BASE, hs->kernel_gs_base);
	hs->debugctl = get_debugctlmsr();
}

/*
 * LLDT of a selector. asm/desc.h has load_ldt() only without
 * PARAVIRT_XXL (Debian's kernels have it), so here is the instruction.
 */
static void host_lldt(u16 selector)
{
	asm volatile("lldt %0" : : "rm"(selector));
}

/**
 * host_state_restore() - after the last exit of a slice: the selectors,
 * the LDT and the FS/GS bases the caller had.
 * @hs: what host_state_save() kept
 */
void host_state_restore(const struct tvmm_host_state *hs)
{
	loadsegment(ds, hs->ds);
	loadsegment(es, hs->es);
	/* The LDT before GS and FS: their selectors may point into it. */
	if (hs->ldt)
		host_lldt(hs->ldt);
	if (hs->gs) {
		/* Loading GS sets the user's GS base (KERNEL_GS_BASE now): put it back. */
		load_gs_index(hs->gs);
		wrmsrl(MSR_KERNEL_GS_BASE, hs->kernel_gs_base);
	}
	if (hs->fs) {
		loadsegment(fs, hs->fs);
		wrmsrl(MSR_FS_BASE, hs->fs_base);
	}
}
