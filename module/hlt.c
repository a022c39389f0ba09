// SPDX-License-Identifier: GPL-2.0
/*
 * hlt.c - HLT: the end of a guest, or a wait for its next interrupt.
 *
 * Concept: the simplest sensitive instruction. On bare metal HLT stops the
 * CPU until an interrupt; a guest must not stop the physical CPU, so HLT
 * exits (HLT exiting, SDM vol. 3C, 26.1.3) and the VMM decides what "stop"
 * means for a virtual CPU: give the physical one back to Linux until the
 * guest's next virtual interrupt, or, if none can come, end the VM (the
 * guest ABI's normal end: `cli; hlt`). Lab 04 writes it; lab 07's timer
 * is what can wake it. At ring 1 (deprivileged, patch) HLT faults instead
 * and emulate.c hands it here: one emulation, two ways in.
 *
 * SDM: vol. 2A, HLT; vol. 3C, 26.1.3 (HLT exiting), 28.1.2.
 * Context: the run loop, preemption off, the VM's VMCS current.
 */
#include "tvmm.h"

/*
 * HLT: the guest has nothing to do until an interrupt. If one can come
 * (its IF is set and the virtual timer runs), the virtual CPU is "halted":
 * the run loop gives the physical CPU back to Linux until the next tick is
 * due, as KVM blocks a halted vCPU. (Not the VMCS HLT activity state: VM
 * entry refuses it unless SS.DPL is 0, SDM 27.3.1.5, and a deprivileged
 * guest runs at ring 1.) If no interrupt can come, nothing will ever wake
 * the guest: the VM is over, the guest ABI's normal end.
 */
void exit_hlt(struct tvmm_vm *vm, struct tvmm_exit_info *exit)
{
	/*
	 * TODO(lab04.2) BEGIN: HLT: set the record's mnemonic, step over the
	 * instruction (vcpu_skip_instruction), and end the VM with
	 * TVMM_END_HLT: end_info 0 and "guest halted" when the guest's IF is
	 * off (the guest ABI's normal end), end_info 1 when it is on but no
	 * interrupt can ever come. If virq_can_wait() says an interrupt can
	 * come (lab 07's timer), set vm->halted instead and return: the run
	 * loop waits for the tick. SDM vol. 3C 26.1.3 (HLT exiting), 28.1.2.
	 * Hint: virq_guest_if() is the IF the guest believes in.
	 */
#ifdef CONFIG_TVMM_LAB04_SOLUTION
	exit->mnemonic = "hlt";
	vcpu_skip_instruction(vm, exit);
	if (virq_can_wait(vm, exit->rflags)) {
		vm->halted = true;
		return;
	}
	if (virq_guest_if(vm, exit->rflags))
		vcpu_end(vm, TVMM_END_HLT, 1,
			 "guest halted with interrupts enabled and no virtual timer");
	else
		vcpu_end(vm, TVMM_END_HLT, 0, "guest halted");
#else
	vcpu_lab_todo(vm, "lab04.2", "the HLT exit: step over HLT and end the VM");
#endif
	/* TODO(lab04.2) END */
}

