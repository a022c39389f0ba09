/* SPDX-License-Identifier: GPL-2.0 */
/*
 * virq.h - the virtual timer's check after every exit, inline.
 *
 * Concept: most exits have nothing to do with interrupts. When the
 * virtual timer is not running, no tick is pending and no interrupt
 * window is open, the next entry needs no decision at all: the
 * VMX-preemption timer still holds the value written at the slice's start
 * (it is not saved on exit). That test runs on every exit, so it is
 * inline here; virq_prepare_entry() (virq.c) does the rest when it fails.
 *
 * Context: the run loop, the VM's VMCS current.
 */
#ifndef _TVMM_VIRQ_H
#define _TVMM_VIRQ_H

#include "tvmm.h"
#include "vmx_insn.h"

/*
 * At ring 0 (hw, paravirt) LIDT does not exit: the virtual timer starts
 * when the VMCS shows that the guest has loaded an IDT (docs/abi.md, "The
 * guest ABI"; deprivileged: depriv_lidt() starts it). Whether this VM
 * watches for that at all (its mode, a timer that is not off) never
 * changes after virq_init(), which worked it out once into
 * vm->timer_idt_watch: here, on every exit, it is one test, and the
 * VMREAD is left.
 */
static inline bool virq_timer_should_start(struct tvmm_vm *vm)
{
	return vm->timer_idt_watch && !vm->timer_on && vmcs_read(VMCS_GUEST_IDTR_LIMIT);
}

/* Nothing for virq_prepare_entry() to decide before the next entry? */
static inline bool virq_quiet(struct tvmm_vm *vm)
{
	return !vm->timer_on && !vm->irq_pending && !vm->irq_window &&
	       !virq_timer_should_start(vm);
}

#endif /* _TVMM_VIRQ_H */
