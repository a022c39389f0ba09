// SPDX-License-Identifier: GPL-2.0
/*
 * exits_guard.c - the exits that exist to protect the host from a hostile
 * guest: WBINVD, RDPMC, and the #AC, #DB and #MC exceptions.
 *
 * Concept: some instructions and exceptions a guest could use natively
 * reach past its VM. WBINVD flushes every cache of the physical CPU (a
 * denial of service felt by every task); RDPMC reads the host's
 * performance counters (a side channel). A benign exception whose
 * delivery raises the same exception again (#AC on a misaligned stack at
 * CPL 3; #DB from a breakpoint on the stack) is delivered by the CPU
 * forever without reaching an instruction boundary, so neither the
 * preemption timer nor a host interrupt can stop it, with preemption off
 * (Xen XSA-156, CVE-2015-5307 and CVE-2015-8104). With WBINVD exiting,
 * RDPMC exiting and #AC, #DB and #MC in the exception bitmap each of
 * these is a VM exit, and tvmm decides:
 *   WBINVD  skipped: guest RAM is ordinary write-back memory that tvmm
 *           never maps uncached, so there is nothing of the guest's to
 *           flush (action "ignored", mnemonic "wbinvd");
 *   RDPMC   reads 0 for every counter: tvmm gives the guest no
 *           performance counters (mnemonic "rdpmc");
 *   #AC     reflected to the guest, as the CPU would deliver it: a loop
 *           of #ACs is now a loop of exits that --max-exits, a signal or
 *           the scheduler ends;
 *   #DB     reflected, with the guest's DR6 set (debugreg.c);
 *   #MC     already handed to Linux's machine-check handler right after
 *           the exit (host_state.c); the guest continues, as under KVM.
 *
 * SDM: vol. 3C, 25.6.3 "Exception Bitmap"; 26.1.3 "Instructions That
 *      Cause VM Exits Conditionally" (WBINVD, RDPMC); vol. 3A, 6.15
 *      (exceptions 1, 17, 18).
 * Context: preemption off, interrupts on, the VM's VMCS current (exits.c).
 */
#include "tvmm.h"
#include "vmx_insn.h"

/* WBINVD (WBINVD exiting): skipped, see above. */
void exit_wbinvd(struct tvmm_vm *vm, struct tvmm_exit_info *exit)
{
	exit->mnemonic = "wbinvd";
	exit->action = TVMM_ACTION_IGNORED;
	vcpu_skip_instruction(vm, exit);
}

/*
 * RDPMC (RDPMC exiting). The CPU checked CR4.PCE and the CPL before the
 * exit (SDM 26.1.1: those faults come first); every counter reads 0.
 */
void exit_rdpmc(struct tvmm_vm *vm, struct tvmm_exit_info *exit)
{
	exit->mnemonic = "rdpmc";
	vm->regs.rax = 0;
	vm->regs.rdx = 0;
	vcpu_skip_instruction(vm, exit);
}

/**
 * exit_guard_exception() - #AC, #DB or #MC exits, if this is one.
 * @vm: the VM
 * @exit: an EXCEPTION_NMI exit
 *
 * Return: true if handled here.
 */
bool exit_guard_exception(struct tvmm_vm *vm, struct tvmm_exit_info *exit)
{
	u32 vector = exit->intr_info & TVMM_INTR_INFO_VECTOR_MASK;
	u32 type = (exit->intr_info >> TVMM_INTR_INFO_TYPE_SHIFT) & TVMM_INTR_INFO_TYPE_MASK;

	switch (vector) {
	case TVMM_EXC_AC:
		exit->mnemonic = "#ac";
		vcpu_inject_exception(vm, exit, TVMM_EXC_AC, true, exit->error_code);
		return true;
	case TVMM_EXC_DB:
		if (type == TVMM_INTR_TYPE_PRIV_SW_EXCEPTION) {
			/* INT1 (ICEBP): give it back as the instruction it was. */
			exit->mnemonic = "int1";
			vcpu_write(vm, VMCS_VM_ENTRY_INTR_INFO_FIELD,
				   TVMM_EXC_DB | TVMM_INTR_INFO_VALID |
				   (TVMM_INTR_TYPE_PRIV_SW_EXCEPTION << TVMM_INTR_INFO_TYPE_SHIFT));
			vcpu_write(vm, VMCS_VM_ENTRY_INSTRUCTION_LEN, exit->insn_len);
			exit->action = TVMM_ACTION_REFLECTED;
			return true;
		}
		dr_reflect_db(vm, exit);
		return true;
	case TVMM_EXC_MC:
		exit->mnemonic = "#mc";
		exit->action = TVMM_ACTION_IGNORED;
		return true;
	default:
		return false;
	}
}
