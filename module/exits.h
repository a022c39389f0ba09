/* SPDX-License-Identifier: GPL-2.0 */
/*
 * exits.h - the dispatch of one exit to its handler, inline.
 *
 * Concept: the "trap" half of trap-and-emulate, as the run loop sees it:
 * the exit reason picks a handler from exit_handlers[] (exits.c, which
 * has the table, the exits that are no instruction, and the story). This
 * runs on every exit, so it is inline in the run loop: a call here would
 * cost more than the lookup itself.
 *
 * SDM: vol. 3D, appendix C (exit reasons); vol. 3C, 28.2.4 (IDT-vectoring
 *      information: the exit interrupted the delivery of an event).
 * Context: preemption off, interrupts on, the VM's VMCS current (vcpu.c).
 */
#ifndef _TVMM_EXITS_H
#define _TVMM_EXITS_H

#include "tvmm.h"

typedef void (*exit_handler_t)(struct tvmm_vm *vm, struct tvmm_exit_info *exit);

extern const exit_handler_t exit_handlers[TVMM_NR_EXIT_REASONS];
void exit_unhandled(struct tvmm_vm *vm, struct tvmm_exit_info *exit);

/**
 * vmx_handle_exit() - dispatch one exit to its handler.
 * @vm: the VM, its VMCS current
 * @exit: what vcpu.c read; handlers set action and mnemonic
 *
 * An exit with no handler ends the VM and names the reason
 * (exit_unhandled()).
 */
static inline void vmx_handle_exit(struct tvmm_vm *vm, struct tvmm_exit_info *exit)
{
	u32 basic = exit->reason & TVMM_EXIT_REASON_BASIC_MASK;
	exit_handler_t handler = basic < TVMM_NR_EXIT_REASONS ? exit_handlers[basic] : NULL;

	/*
	 * The action starts as "emulated" and the mnemonic empty: the
	 * defaults vcpu_read_exit() wrote with the rest of the exit.
	 *
	 * An exception while the CPU delivered another event (event.c). Most
	 * exits interrupted no delivery: the valid bit is tested here, so
	 * they do not pay for the calls.
	 */
	if ((exit->idt_vectoring & TVMM_INTR_INFO_VALID) && event_delivery_faulted(vm, exit))
		return;
	if (!handler) {
		exit_unhandled(vm, exit);
		return;
	}
	profile_mark(&vm->prof, PROFILE_DISPATCH);
	handler(vm, exit);
	profile_mark(&vm->prof, PROFILE_HANDLER);
	if (exit->idt_vectoring & TVMM_INTR_INFO_VALID)
		event_redeliver(vm, exit);
}

#endif /* _TVMM_EXITS_H */
