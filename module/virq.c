// SPDX-License-Identifier: GPL-2.0
/*
 * virq.c - the virtual interrupt flag, the virtual timer, and how virtual
 * interrupts reach the guest.
 *
 * Concept: the notes' CLI example. A guest kernel that executes CLI must
 * not be able to switch off the machine's interrupts: the VMM keeps an IF
 * per VM ("nella struttura dati della VM") and only that one changes. In
 * deprivileged mode that is vm->vif: CLI/STI trap (emulate.c) and change
 * it; the real RFLAGS.IF stays 1 and host interrupts keep exiting to Linux
 * (pin-based "external-interrupt exiting"). Virtual interrupts, here a
 * timer tick on vector 0x20, are held pending while the guest's IF is 0
 * and delivered through the guest's own IDT by VM-entry event injection as
 * soon as it is 1, which clears the virtual IF like an interrupt gate.
 * In hw mode the guest's IF is simply RFLAGS.IF and the hardware tells
 * tvmm when it opens (interrupt-window exiting).
 *
 * SDM: vol. 3C, 27.6 "Event Injection"; 25.4.2 "Guest Non-Register State"
 *      (interruptibility, activity state); 27.7.5 "Interrupt-Window
 *      Exiting"; 25.5.1 "VMX-Preemption Timer".
 * Context: the run loop, preemption off, the VM's VMCS current.
 */
#include <linux/delay.h>
#include <linux/math64.h>
#include <linux/sched/signal.h>
#include <asm/msr.h>
#include <asm/tsc.h>
#include <asm/processor-flags.h>

#include "tvmm.h"
#include "virq.h"
#include "vmx_insn.h"

/* Forced exits: every 20 ms of Bochs time at most (see vcpu.c). */
#define SLICE_TSC_TICKS			1000000ULL

/*
 * Has the TSC reached @deadline? Compared as a signed difference, like the
 * kernel's time_after(), so the test stays right if rdtsc() + period ever
 * wraps (the period is at most TVMM_TIMER_MAX, vm.c).
 */
static bool virq_tsc_reached(u64 now, u64 deadline)
{
	return (s64)(now - deadline) >= 0;
}

void virq_init(struct tvmm_vm *vm)
{
	u64 period = vm->config.timer_ticks;

	vm->halted = false;
	vm->timer_period = period ? period : TVMM_TIMER_DEFAULT;
	/* Can a LIDT that does not exit start the timer? (virq.h) */
	vm->timer_idt_watch = vm->timer_period != TVMM_TIMER_OFF &&
			      !tvmm_mode_ring1(vm->config.mode) &&
			      vm->config.mode != TVMM_MODE_REAL;
	vm->timer_on = false;
	vm->irq_pending = false;
	vm->irq_window = false;
	vm->vif = false;	/* the guest ABI starts with interrupts off */
}

/*
 * The guest loaded an IDT: from now on it can take interrupts, so the
 * virtual timer starts (docs/abi.md, "The guest ABI").
 */
void virq_start_timer(struct tvmm_vm *vm)
{
	if (vm->timer_on || vm->timer_period == TVMM_TIMER_OFF)
		return;
	vm->timer_on = true;
	vm->timer_deadline = rdtsc() + vm->timer_period;
}

/* CLI/STI in deprivileged mode, and the paravirt "set IF" hypercall. */
void virq_set_vif(struct tvmm_vm *vm, bool on)
{
	vm->vif = on;
}

/*
 * HLT with the guest's IF set waits for an interrupt. Only worth waiting
 * if one can come: the timer runs.
 */
bool virq_can_wait(struct tvmm_vm *vm, u64 rflags)
{
	return virq_guest_if(vm, rflags) && vm->timer_on;
}

/* Turn interrupt-window exiting on or off (SDM 25.6.2, table 25-6). */
static void virq_set_window(struct tvmm_vm *vm, bool on, int *err)
{
	u64 ctl;

	if (vm->irq_window == on)
		return;
	ctl = vmcs_read(VMCS_CPU_BASED_VM_EXEC_CONTROL);
	if (on)
		ctl |= BIT(CPU_INTR_WINDOW_EXITING);
	else
		ctl &= ~(u64)BIT(CPU_INTR_WINDOW_EXITING);
	vmx_vmwrite(VMCS_CPU_BASED_VM_EXEC_CONTROL, ctl, err);
	vm->irq_window = on;
}

/* Deliver the pending tick through the guest's IDT at the next entry. */
static void virq_inject(struct tvmm_vm *vm, int *err)
{
	/*
	 * TODO(lab07.2) BEGIN: inject the pending timer tick at the next VM
	 * entry: write the VM-entry interruption-information field (vector
	 * TVMM_TIMER_VECTOR, type external interrupt, valid bit: SDM vol. 3C
	 * 25.8.3, table 25-17; delivery 27.6). The CPU delivers it through the
	 * guest's IDT as a real interrupt would. An interrupt gate clears IF:
	 * in deprivileged mode that is the virtual IF (the shadow IDT made it a
	 * trap gate), so clear vm->vif yourself. Then the tick is no longer
	 * pending; count it in vm->ticks_delivered. Hint: the constants for
	 * the type and the valid bit are defined at the top of this file.
	 */
#ifdef CONFIG_TVMM_LAB07_SOLUTION
	vmx_vmwrite(VMCS_VM_ENTRY_INTR_INFO_FIELD,
		    TVMM_TIMER_VECTOR | TVMM_INTR_INFO_VALID |
		    (TVMM_INTR_TYPE_EXTERNAL << TVMM_INTR_INFO_TYPE_SHIFT), err);
	/* An interrupt gate clears IF: the virtual one, in deprivileged mode. */
	if (tvmm_mode_ring1(vm->config.mode))
		vm->vif = false;
	vm->irq_pending = false;
	vm->ticks_delivered++;
#else
	vcpu_lab_todo(vm, "lab07.2", "inject the virtual timer interrupt");
#endif
	/* TODO(lab07.2) END */
}

/**
 * virq_prepare_entry() - before re-entering the guest: raise the tick if
 * its time has come, deliver it if the guest can take it, and set the
 * preemption timer so the next tick (or the slice's end) forces an exit.
 * @vm: the VM
 * @exit: the exit just handled (its action becomes "injected" if a tick
 *        goes in at this entry), or NULL at the start of a slice
 */
void virq_prepare_entry(struct tvmm_vm *vm, struct tvmm_exit_info *exit)
{
	u64 now, wait = SLICE_TSC_TICKS, rflags, blocking;
	bool open;
	int err = 0;

	if (virq_timer_should_start(vm))	/* virq.h */
		virq_start_timer(vm);

	/*
	 * No timer and nothing pending: the preemption timer value written
	 * at the start of the slice still holds (it is not saved on exit),
	 * so the common case costs no VMWRITE.
	 */
	if (exit && !vm->timer_on && !vm->irq_pending && !vm->irq_window)
		return;

	now = rdtsc();
	if (vm->timer_on && virq_tsc_reached(now, vm->timer_deadline)) {
		/* All ticks due by now but one are lost (coalesced), and counted. */
		u64 due = div64_u64(now - vm->timer_deadline, vm->timer_period) + 1;

		vm->ticks_coalesced += vm->irq_pending ? due : due - 1;
		vm->irq_pending = true;
		vm->timer_deadline += due * vm->timer_period;
	}

	if (vm->irq_pending && !vm->end) {
		rflags = vmcs_read(VMCS_GUEST_RFLAGS);
		blocking = vmcs_read(VMCS_GUEST_INTERRUPTIBILITY_INFO) &
			   (VMCS_BLOCKING_BY_STI | VMCS_BLOCKING_BY_MOV_SS);
		/*
		 * An event already goes in at this entry (a reflected system
		 * call, an exception for the guest): the tick waits its turn,
		 * like a blocked one, and the window exit brings it right after.
		 */
		if (vmcs_read(VMCS_VM_ENTRY_INTR_INFO_FIELD) & TVMM_INTR_INFO_VALID)
			blocking = true;
		open = virq_guest_if(vm, rflags);
		/* Event injection needs the real IF set and no STI/MOV-SS shadow. */
		if (open && (rflags & X86_EFLAGS_IF) && !blocking) {
			virq_inject(vm, &err);
			virq_set_window(vm, false, &err);
			if (exit && exit->action != TVMM_ACTION_FATAL)
				exit->action = TVMM_ACTION_INJECTED;
		} else if (!tvmm_mode_ring1(vm->config.mode) || (open && blocking)) {
			/*
			 * The guest will open its window by itself (hw: STI,
			 * POPF, IRET; any mode: the end of an STI shadow): let
			 * the CPU exit right then.
			 */
			virq_set_window(vm, true, &err);
		}
		/* Deprivileged with vif = 0: the STI that opens it traps anyway. */
	} else {
		virq_set_window(vm, false, &err);
	}

	if (vm->timer_on && !vm->irq_pending)
		wait = min(wait, virq_tsc_reached(now, vm->timer_deadline) ? 1 :
				 vm->timer_deadline - now);
	vmx_vmwrite(VMCS_VMX_PREEMPTION_TIMER_VALUE,
		    wait >> (tvmm_caps.misc & TVMM_VMX_MISC_PREEMPT_RATE_MASK), &err);
	if (err)
		vcpu_end(vm, TVMM_END_INTERNAL, 0, "VMWRITE failed in virq.c (see dmesg)");
}

/**
 * virq_halt_wait() - the guest executed HLT and waits for the next tick:
 * sleep until it is due. Preemption on, no VMCS loaded.
 * @vm: the halted VM
 *
 * Return: 0 when the tick is due, -EINTR on a signal (the VM stays halted).
 */
int virq_halt_wait(struct tvmm_vm *vm)
{
	u64 now, us, left;

	while (!virq_tsc_reached(now = rdtsc(), vm->timer_deadline)) {
		if (signal_pending(current))
			return -EINTR;
		/*
		 * TSC ticks to microseconds, at most 10 ms per nap: capping the
		 * ticks first keeps "* 1000" from overflowing for any period.
		 */
		left = min_t(u64, vm->timer_deadline - now, (u64)tsc_khz * 10);
		us = div_u64(left * 1000, tsc_khz) + 1;
		usleep_range(us, us + 50);
	}
	vm->halted = false;
	return 0;
}
