// SPDX-License-Identifier: GPL-2.0
/*
 * exits.c - the dispatcher: one handler per VM-exit reason.
 *
 * Concept: the "trap" half of trap-and-emulate. Every VM exit lands in
 * vmx_handle_exit() (exits.h: inline in the run loop, as it runs on every
 * exit), which looks the exit reason up in exit_handlers[] here and calls
 * the handler named after it (exit_<reason>). The handlers of the
 * instructions live in a file each (cpuid.c, hlt.c, io.c, cr.c, msr.c,
 * hypercall.c, debugreg.c, exits_guard.c): they make the instruction's
 * effect happen on the *virtual* machine and move the guest past it. Here
 * stay the exits that are no instruction: exceptions (routed by vector:
 * to emulate.c at ring 1, patch.c in patch mode, exits_guard.c), EPT
 * violations (mmio.c, patch.c, or the end), a triple fault, and the
 * host's own events (interrupts, the preemption timer), only counted. An
 * exit that came in the middle of delivering an event goes to event.c
 * first. Exits that break the VM's rules end only that VM.
 *
 * SDM: vol. 3D, appendix C (exit reasons); vol. 3C, 28.2.1 "Basic VM-Exit
 *      Information" (table 28-7, EPT violation), 28.2.2 (VM-exit
 *      interruption information).
 * Context: preemption off, interrupts on, the VM's VMCS current (vcpu.c).
 */
#define pr_fmt(fmt) KBUILD_MODNAME ": " fmt

#include "tvmm.h"
#include "vmx_insn.h"
#include "include/tvmm/exit_names.h"
#include "exits.h"

/* What an EPT violation's access was (qualification bits 0-2). */
static const char *ept_access(u64 qual)
{
	return qual & TVMM_EPT_QUAL_FETCH ? "instruction fetch" :
	       qual & TVMM_EPT_QUAL_WRITE ? "write" : "read";
}

/*
 * Guest RAM is mapped RWX but for tvmm's shadow tables in the ring-1
 * modes (read-only, deprivilege.c) and, during a live migration, pages
 * dirty logging write-protected (dirty.c): a violation is a write to one
 * of those, a write or fetch in the shadow tables, an access outside RAM
 * to tvmm-dev's page (mmio.c emulates it) or to nothing at all. Not the
 * common exit path: the checks cost only EPT violations.
 */
static void exit_ept_violation(struct tvmm_vm *vm, struct tvmm_exit_info *exit)
{
	if (vm->mem.lab_unmapped) {
		exit->action = TVMM_ACTION_FATAL;
		vcpu_lab_todo(vm, "lab04.1", "guest RAM is not mapped in the EPT");
		return;
	}
	/* Live migration: a write to a page dirty logging protected (dirty.c). */
	if (dirty_ept_violation(vm, exit))
		return;
	if (mmio_ept_violation(vm, exit))
		return;
	/* Patch mode: the first fetch from a page of RAM scans it (patch.c). */
	if (patch_ept_violation(vm, exit))
		return;
	exit->action = TVMM_ACTION_FATAL;
	exit->mnemonic = ept_access(exit->qual);
	/* A ring-1 kernel forging its own ring-0 gate (guests/adv_shadow.S). */
	if (depriv_in_shadow(vm, exit->gpa, 1)) {
		depriv_shadow_end(vm, exit->gpa, ept_access(exit->qual));
		return;
	}
	vcpu_end(vm, TVMM_END_EPT_VIOLATION, exit->gpa,
		 "%s at guest-physical 0x%llx, outside the guest's %llu KiB of RAM (EPT violation)",
		 ept_access(exit->qual), exit->gpa, vm->config.mem_size >> 10);
}

static void exit_ept_misconfig(struct tvmm_vm *vm, struct tvmm_exit_info *exit)
{
	exit->action = TVMM_ACTION_FATAL;
	vcpu_end(vm, TVMM_END_INTERNAL, exit->gpa,
		 "EPT misconfiguration at 0x%llx: a tvmm bug in ept.c", exit->gpa);
}

static void exit_triple_fault(struct tvmm_vm *vm, struct tvmm_exit_info *exit)
{
	exit->action = TVMM_ACTION_FATAL;
	vcpu_end(vm, TVMM_END_TRIPLE_FAULT, exit->rip,
		 "triple fault at rip 0x%llx: an exception the guest could not handle",
		 exit->rip);
}

/*
 * A host interrupt arrived while the guest ran. It was not acknowledged on
 * exit, so Linux has already handled it through its own IDT when vcpu.c
 * re-enabled interrupts. The guest's CLI never blocks it (pin-based
 * "external-interrupt exiting"): the host always keeps the machine.
 */
static void exit_host_event(struct tvmm_vm *vm, struct tvmm_exit_info *exit)
{
	exit->action = TVMM_ACTION_IGNORED;
}

static void exit_exception_nmi(struct tvmm_vm *vm, struct tvmm_exit_info *exit)
{
	u32 vector = exit->intr_info & TVMM_INTR_INFO_VECTOR_MASK;
	u32 type = (exit->intr_info >> TVMM_INTR_INFO_TYPE_SHIFT) & TVMM_INTR_INFO_TYPE_MASK;

	exit->action = TVMM_ACTION_FATAL;
	if (type == TVMM_INTR_TYPE_NMI) {
		/* The host's NMI: host_state.c gave it to Linux before IRQs were on. */
		exit->action = TVMM_ACTION_IGNORED;
		return;
	}
	if (exit_guard_exception(vm, exit))	/* #AC, #DB, #MC (exits_guard.c) */
		return;
	if (vector == TVMM_EXC_GP && tvmm_mode_ring1(vm->config.mode)) {
		exit->action = TVMM_ACTION_EMULATED;
		emulate_gp(vm, exit);
		return;
	}
	if (vector == TVMM_EXC_BP && vm->config.mode == TVMM_MODE_PATCH) {
		patch_handle_bp(vm, exit);	/* a patched site (INT3) */
		return;
	}
	if (vector == TVMM_EXC_NM) {
		exit->mnemonic = "fpu";
		vcpu_end(vm, TVMM_END_UNHANDLED, EXIT_REASON_EXCEPTION_NMI,
			 "guest used the FPU/SSE (#NM at 0x%llx): tvmm does not virtualize the FPU",
			 exit->rip);
		return;
	}
	vcpu_end(vm, TVMM_END_UNHANDLED, EXIT_REASON_EXCEPTION_NMI,
		 "unexpected exception vector %u at rip 0x%llx", vector, exit->rip);
}

/* The dispatch table of vmx_handle_exit() (exits.h), by basic exit reason. */
const exit_handler_t exit_handlers[TVMM_NR_EXIT_REASONS] = {
	[EXIT_REASON_EXCEPTION_NMI]	= exit_exception_nmi,
	[EXIT_REASON_EXTERNAL_INTERRUPT] = exit_host_event,
	[EXIT_REASON_TRIPLE_FAULT]	= exit_triple_fault,
	[EXIT_REASON_CPUID]		= exit_cpuid,		/* cpuid.c */
	[EXIT_REASON_HLT]		= exit_hlt,		/* hlt.c */
	[EXIT_REASON_VMCALL]		= exit_vmcall,		/* hypercall.c */
	[EXIT_REASON_CR_ACCESS]		= exit_cr_access,	/* cr.c */
	[EXIT_REASON_IO_INSTRUCTION]	= exit_io,		/* io.c */
	[EXIT_REASON_MSR_READ]		= exit_rdmsr,		/* msr.c */
	[EXIT_REASON_MSR_WRITE]		= exit_wrmsr,		/* msr.c */
	[EXIT_REASON_EPT_VIOLATION]	= exit_ept_violation,
	[EXIT_REASON_EPT_MISCONFIG]	= exit_ept_misconfig,
	[EXIT_REASON_PREEMPTION_TIMER]	= exit_host_event,
	[EXIT_REASON_INTERRUPT_WINDOW]	= exit_host_event,	/* virq.c injects */
	[EXIT_REASON_DR_ACCESS]		= exit_dr_access,	/* debugreg.c */
	[EXIT_REASON_WBINVD]		= exit_wbinvd,		/* exits_guard.c */
	[EXIT_REASON_RDPMC]		= exit_rdpmc,		/* exits_guard.c */
};

/**
 * exit_unhandled() - an exit with no handler: end the VM and name the
 * reason. A guest that does something tvmm does not virtualize yet fails
 * visibly, never silently.
 * @vm: the VM
 * @exit: the exit (vmx_handle_exit(), exits.h)
 */
void exit_unhandled(struct tvmm_vm *vm, struct tvmm_exit_info *exit)
{
	u32 basic = exit->reason & TVMM_EXIT_REASON_BASIC_MASK;

	exit->action = TVMM_ACTION_FATAL;
	vcpu_end(vm, TVMM_END_UNHANDLED, basic,
		 "exit reason %u (%s: %s) at rip 0x%llx has no handler in tvmm",
		 basic, vmx_exit_reason_name(basic), vmx_exit_reason_what(basic),
		 exit->rip);
}
