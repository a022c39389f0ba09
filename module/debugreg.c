// SPDX-License-Identifier: GPL-2.0
/*
 * debugreg.c - the guest's debug registers: virtual DR0-DR7, MOV DR
 * emulated, the guest's breakpoints in the hardware only while it runs.
 *
 * Concept: DR0-DR7 are one set per CPU, and the host uses them too (perf
 * and ptrace watchpoints). With "MOV-DR exiting" on, every MOV to or from
 * a debug register is a VM exit: tvmm keeps the guest's values in the VM
 * (vm->dr, dr6, dr7) and answers from them. The guest's DR7 goes into the
 * VMCS (loaded at every entry, "load debug controls"); the guest's DR0-DR3
 * are put into the hardware just before an entry, only if its DR7 enables
 * a breakpoint, and the host's come back right after the exit, before
 * interrupts are enabled (host_state.c). A breakpoint that hits is a #DB
 * VM exit (#DB is in the exception bitmap): tvmm sets the guest's DR6 from
 * the exit qualification and reflects the #DB to the guest.
 *
 * Architectural rules emulated here (SDM vol. 3A, 18.2 "Debug Registers";
 * vol. 2B, MOV (debug registers)), because a MOV-DR exit takes priority
 * over the faults the CPU would raise (SDM vol. 3C, 26.1.3): CPL > 0 is a
 * #GP(0) (the virtual CPL, vcpu_cpl(): in the ring-1 modes ring 1
 * is the guest kernel's ring 0);
 * DR4/DR5 are #UD with CR4.DE set, else aliases of DR6/DR7; DR7.GD set
 * makes the access a #DB with DR6.BD. DR7.GD itself never reaches the
 * hardware: tvmm emulates it.
 *
 * SDM: vol. 3A, 18.2; vol. 3C, 26.1.3 (MOV-DR exiting), 27.3.2.1 (load
 *      debug controls), 28.1 (a #DB exit leaves DR6 alone; its exit
 *      qualification, table 28-1, has the bits), 28.2.1 (table 28-4), 28.5.1
 *      (a VM exit sets DR7 to 0x400).
 * Context: the VM's VMCS current, under run_lock; dr_load_guest() and
 *      dr_restore_host() (debugreg.h, inline) with interrupts off around
 *      the entry (vcpu.c).
 */
#include <linux/percpu.h>
#include <asm/cpufeature.h>
#include <asm/processor-flags.h>
#include <asm/special_insns.h>
#include <asm/debugreg.h>

#include "tvmm.h"
#include "vmx_insn.h"

#define DR_GUEST_BREAKPOINTS	4	/* DR0-DR3 */
#define DR6_ALIAS		4	/* DR4 is DR6 when CR4.DE = 0 */
#define DR7_ALIAS		5	/* DR5 is DR7 */

/* The guest's DR7 as the VMCS holds it: GD is emulated, never loaded. */
static void dr_write_vmcs_dr7(struct tvmm_vm *vm, int *err)
{
	vmx_vmwrite(VMCS_GUEST_DR7, vm->dr7 & ~TVMM_DR7_GD, err);
}

/**
 * dr_reset() - the debug registers after RESET (SDM vol. 3A, 18.2.4, 18.2.6).
 * @vm: the VM; its VMCS is current
 * @err: the first VMWRITE error is kept here
 */
void dr_reset(struct tvmm_vm *vm, int *err)
{
	memset(vm->dr, 0, sizeof(vm->dr));
	vm->dr6 = TVMM_DR6_FIXED_1;
	vm->dr7 = TVMM_DR7_FIXED_1;
	dr_write_vmcs_dr7(vm, err);
}

/* MOV to DRn: store what the CPU would store. */
static void dr_write(struct tvmm_vm *vm, unsigned int n, u64 value, int *err)
{
	value = lower_32_bits(value);		/* a 32-bit guest */
	if (n < DR_GUEST_BREAKPOINTS) {
		vm->dr[n] = value;
	} else if (n == DR6_ALIAS || n == 6) {
		vm->dr6 = (value & TVMM_DR6_VOLATILE) | TVMM_DR6_FIXED_1;
	} else {
		vm->dr7 = (value & TVMM_DR7_VOLATILE) | TVMM_DR7_FIXED_1;
		dr_write_vmcs_dr7(vm, err);
	}
}

static u64 dr_read(struct tvmm_vm *vm, unsigned int n)
{
	if (n < DR_GUEST_BREAKPOINTS)
		return vm->dr[n];
	return n == DR6_ALIAS || n == 6 ? vm->dr6 : vm->dr7;
}

/* The guest takes a #DB now, with these DR6 bits (B0-B3, BD, BS). */
static void dr_inject_db(struct tvmm_vm *vm, struct tvmm_exit_info *exit, u64 dr6_bits)
{
	int err = 0;

	vm->dr6 = (vm->dr6 & ~(u64)DR_TRAP_BITS) | (dr6_bits & TVMM_DB_QUAL_DR6_BITS) |
		  TVMM_DR6_FIXED_1;
	/* Entering the #DB handler clears DR7.GD (SDM 18.2.4). */
	vm->dr7 &= ~TVMM_DR7_GD;
	dr_write_vmcs_dr7(vm, &err);
	if (err)
		vcpu_end(vm, TVMM_END_INTERNAL, VMCS_GUEST_DR7,
			 "VMWRITE of GUEST_DR7 failed (see dmesg)");
	vcpu_inject_exception(vm, exit, TVMM_EXC_DB, false, 0);
}

/**
 * exit_dr_access() - a MOV to or from a debug register (MOV-DR exiting).
 * @vm: the VM
 * @exit: the exit; qualification as in SDM table 28-4
 */
void exit_dr_access(struct tvmm_vm *vm, struct tvmm_exit_info *exit)
{
	unsigned int n = exit->qual & TVMM_DR_QUAL_NUM_MASK;
	unsigned int reg = (exit->qual >> TVMM_DR_QUAL_GPR_SHIFT) & TVMM_DR_QUAL_GPR_MASK;
	int err = 0;

	exit->mnemonic = "mov dr";
	if (vcpu_cpl(vm) > 0) {
		vcpu_inject_exception(vm, exit, TVMM_EXC_GP, true, 0);
		return;
	}
	if ((n == DR6_ALIAS || n == DR7_ALIAS) && (vm->cr4_shadow & X86_CR4_DE)) {
		vcpu_inject_exception(vm, exit, TVMM_EXC_UD, false, 0);
		return;
	}
	if (vm->dr7 & TVMM_DR7_GD) {		/* general detect: a fault, before the MOV */
		dr_inject_db(vm, exit, TVMM_DR6_BD);
		return;
	}
	if (exit->qual & TVMM_DR_QUAL_FROM)
		vcpu_gpr_write(vm, reg, dr_read(vm, n));
	else
		dr_write(vm, n, vcpu_gpr_read(vm, reg), &err);
	if (err) {
		exit->action = TVMM_ACTION_FATAL;
		vcpu_end(vm, TVMM_END_INTERNAL, 0, "VMWRITE of GUEST_DR7 failed (see dmesg)");
		return;
	}
	vcpu_skip_instruction(vm, exit);
}

/**
 * dr_reflect_db() - a #DB exit: give the guest its #DB, DR6 set as the
 * CPU would have set it (the exit qualification, SDM table 28-1).
 * @vm: the VM
 * @exit: the EXCEPTION_NMI exit with vector 1
 */
void dr_reflect_db(struct tvmm_vm *vm, struct tvmm_exit_info *exit)
{
	exit->mnemonic = "#db";
	dr_inject_db(vm, exit, exit->qual);
}
