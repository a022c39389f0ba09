// SPDX-License-Identifier: GPL-2.0
/*
 * event.c - an exit in the middle of delivering an event: neither lose the
 * event nor run an instruction the guest never executed.
 *
 * Concept: the CPU delivers an interrupt or an exception in steps (read
 * the IDT gate, check it, load CS, push the frame on the handler's stack),
 * and any step can itself cause a VM exit: a #GP that tvmm intercepts, a
 * #DB or #AC, an EPT violation, a host NMI. The event was then NOT
 * delivered, and the VMCS says which one it was in the IDT-vectoring
 * information field. The guest's RIP still points where the event was
 * going to interrupt it. For a software interrupt (INT n, INT3, INTO,
 * INT1) that is the instruction that raised it, and handling the exit as
 * usual is right: the instruction runs again. For anything else (the
 * timer tick tvmm injected, an exception tvmm reflected) the instruction
 * at RIP has NOT run: decoding it as the cause of a #GP would emulate it
 * behind the guest's back and swallow the fault (trap-and-emulate gone
 * wrong), and ignoring the vectoring information would lose the event.
 *
 * The rule tvmm follows is the real machine's, which is what Popek and
 * Goldberg's "equivalence" asks of a VMM: the guest must see what --mode
 * hw (where the CPU delivers these faults itself, no exit) shows.
 *   - An exception that only exits because tvmm intercepts it (#GP at
 *     ring 1, #DB, #AC) is given to the guest combined with the event it
 *     interrupted, as the CPU combines them (vol. 3A, 6.15, "Interrupt
 *     8 - Double Fault Exception", table 6-5): two contributory exceptions,
 *     or a page fault then a contributory one or a page fault, make a #DF;
 *     a fault while delivering #DF is a triple fault (the VM ends); any
 *     other pair delivers the second one, and the first is gone (an
 *     interrupt whose delivery faulted is consumed, on hardware too).
 *   - Any other exit (a host NMI, a machine check, an EPT violation that
 *     tvmm resolves) is tvmm's business, not the guest's: after handling
 *     it, deliver the interrupted event again, unchanged (KVM's
 *     vmx_complete_interrupts() does the same).
 *
 * SDM: vol. 3C, 28.2.4 "Information for VM Exits During Event Delivery";
 *      27.6 "Event Injection" (the error code's EXT bit); vol. 3A, 6.15
 *      (interrupt 8, tables 6-4 and 6-5).
 * Context: the run loop, preemption off, the VM's VMCS current.
 */
#include "tvmm.h"
#include "vmx_insn.h"

static u32 event_type(u32 info)
{
	return (info >> TVMM_INTR_INFO_TYPE_SHIFT) & TVMM_INTR_INFO_TYPE_MASK;
}

/* Raised by an instruction at RIP, which runs again: nothing to redo. */
static bool event_is_software(u32 info)
{
	u32 type = event_type(info);

	return type == TVMM_INTR_TYPE_SW_INTERRUPT || type == TVMM_INTR_TYPE_SW_EXCEPTION ||
	       type == TVMM_INTR_TYPE_PRIV_SW_EXCEPTION;
}

/* Table 6-4: #DE, #TS, #NP, #SS, #GP are the contributory exceptions. */
static bool exc_contributory(u32 vector)
{
	return vector == TVMM_EXC_DE || (vector >= TVMM_EXC_TS && vector <= TVMM_EXC_GP);
}

static bool event_is_hw_exception(u32 info, u32 vector)
{
	return event_type(info) == TVMM_INTR_TYPE_HW_EXCEPTION &&
	       (info & TVMM_INTR_INFO_VECTOR_MASK) == vector;
}

/*
 * Table 6-5: does @second, raised while the CPU delivered @first (an
 * IDT-vectoring information value), make a double fault?
 */
static bool event_makes_df(u32 first, u32 second)
{
	u32 type = event_type(first), vector = first & TVMM_INTR_INFO_VECTOR_MASK;

	if (type != TVMM_INTR_TYPE_HW_EXCEPTION)
		return false;	/* an interrupt is benign: handle serially */
	if (exc_contributory(vector))
		return exc_contributory(second);
	if (vector == TVMM_EXC_PF)
		return exc_contributory(second) || second == TVMM_EXC_PF;
	return false;
}

/**
 * event_delivery_faulted() - an intercepted exception raised while the CPU
 * delivered another event: give the guest what the CPU would have.
 * @vm: the VM
 * @exit: an exit, read by vcpu.c (idt_vectoring says what was interrupted)
 *
 * Return: true if the exit was handled here (the dispatcher must not run
 * its usual handler, which would take the instruction at RIP as the cause).
 */
bool event_delivery_faulted(struct tvmm_vm *vm, struct tvmm_exit_info *exit)
{
	u32 first = exit->idt_vectoring, second = exit->intr_info & TVMM_INTR_INFO_VECTOR_MASK;
	u32 basic = exit->reason & TVMM_EXIT_REASON_BASIC_MASK;

	if (!(first & TVMM_INTR_INFO_VALID) || event_is_software(first) ||
	    basic != EXIT_REASON_EXCEPTION_NMI ||
	    event_type(exit->intr_info) != TVMM_INTR_TYPE_HW_EXCEPTION ||
	    second == TVMM_EXC_MC)	/* the host's: exits_guard.c, then redeliver */
		return false;

	exit->mnemonic = "in delivery";
	if (event_is_hw_exception(first, TVMM_EXC_DF)) {
		exit->action = TVMM_ACTION_FATAL;
		vcpu_end(vm, TVMM_END_TRIPLE_FAULT, exit->rip,
			 "triple fault at rip 0x%llx: exception %u while delivering a double fault",
			 exit->rip, second);
		return true;
	}
	if (event_makes_df(first, second)) {
		vcpu_inject_exception(vm, exit, TVMM_EXC_DF, true, 0);
		return true;
	}
	/*
	 * The second exception, as the exit reports it: its error code
	 * already has EXT set when the first event was external or a
	 * hardware exception (SDM 27.6.1.1).
	 */
	vcpu_inject_exception(vm, exit, second,
			      exit->intr_info & TVMM_INTR_INFO_DELIVER_CODE, exit->error_code);
	return true;
}

/**
 * event_redeliver() - after an exit that interrupted an event's delivery
 * for tvmm's own reasons, deliver that event again at the next entry.
 * @vm: the VM
 * @exit: the exit, handled
 *
 * Not for software interrupts (their instruction runs again), nor when the
 * handler already injects an event or ended the VM.
 */
void event_redeliver(struct tvmm_vm *vm, const struct tvmm_exit_info *exit)
{
	u32 info = exit->idt_vectoring;
	int err = 0;

	if (!(info & TVMM_INTR_INFO_VALID) || event_is_software(info) || vm->end ||
	    (vmcs_read(VMCS_VM_ENTRY_INTR_INFO_FIELD) & TVMM_INTR_INFO_VALID))
		return;
	if (info & TVMM_INTR_INFO_DELIVER_CODE)
		vmx_vmwrite(VMCS_VM_ENTRY_EXCEPTION_ERROR_CODE, exit->idt_vectoring_error, &err);
	/* Bit 12 means something else on entry (reserved): clear it. */
	vmx_vmwrite(VMCS_VM_ENTRY_INTR_INFO_FIELD, info & ~(u32)TVMM_INTR_INFO_NMI_UNBLOCK, &err);
	if (err)
		vcpu_end(vm, TVMM_END_INTERNAL, 0, "VMWRITE failed in event.c (see dmesg)");
}
