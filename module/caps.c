// SPDX-License-Identifier: GPL-2.0
/*
 * caps.c - ask the CPU which VT-x features it offers.
 *
 * Concept: "supporto hardware alla virtualizzazione". The notes end with the
 * third technique, full virtualization with hardware support; before a VMM
 * may use it, it must find out whether the processor implements it, whether
 * the firmware allowed it, and which optional features exist. The CPU
 * answers through CPUID and a family of read-only MSRs.
 *
 * SDM: vol. 3C, 24.6 "Discovering Support for VMX"; 24.7 "Enabling and
 *      Entering VMX Operation"; vol. 3D, appendix A "VMX Capability
 *      Reporting Facility".
 * Context: process context at module load, before any VMXON.
 */
#define pr_fmt(fmt) KBUILD_MODNAME ": " fmt

#include <linux/cpumask.h>
#include <linux/errno.h>
#include <linux/moduleparam.h>
#include <linux/printk.h>
#include <linux/string.h>
#include <asm/msr.h>
#include <asm/processor.h>

#include "tvmm.h"

struct tvmm_caps tvmm_caps;

/*
 * For the selftests only: the lab VM's CPU is one CPU, whose firmware
 * enabled VT-x and which offers every control tvmm wants. These two make
 * tvmm see a different one, so the tests can watch what labs 01 and 03
 * must do on it: a value that IA32_FEATURE_CONTROL seems to hold (-1: the
 * real one), and secondary controls IA32_VMX_PROCBASED_CTLS2 seems not to
 * allow (cleared from its allowed-1 half, after lab 01 read the MSRs).
 */
static long test_feature_control = -1;
module_param(test_feature_control, long, 0400);
MODULE_PARM_DESC(test_feature_control, "selftests only: pretend IA32_FEATURE_CONTROL holds this value");
static uint test_hide_ctls2;
module_param(test_hide_ctls2, uint, 0400);
MODULE_PARM_DESC(test_hide_ctls2, "selftests only: pretend these secondary controls cannot be 1");

/*
 * Read one capability MSR. rdmsrl_safe() turns the #GP that a missing MSR
 * raises into an error, so probing a CPU without VMX never crashes; the
 * caller decides whether a missing MSR matters.
 */
static int caps_read_msr(u32 index, __u64 *value)
{
	u64 v;
	int err = rdmsrl_safe(index, &v);

	*value = err ? 0 : v;
	return err;
}

/* May this control bit be 1 (optional or required)? */
static bool __maybe_unused caps_may_set(u64 cap_msr, unsigned int bit)
{
	return vmx_ctl_bit_state(cap_msr, bit) != VMX_CTL_UNAVAILABLE;
}

/*
 * IA32_FEATURE_CONTROL gates VMXON: if its lock bit is set and "VMX outside
 * SMX" is clear, VMXON raises #GP. Firmware normally locks it; Linux locks
 * it at boot otherwise (arch/x86/kernel/cpu/feat_ctl.c). If nobody did, we
 * enable and lock it ourselves, as the SDM allows a VMM to do.
 */
static int caps_check_feature_control(struct tvmm_caps *caps)
{
	/*
	 * TODO(lab01.1) BEGIN: if IA32_FEATURE_CONTROL is unlocked, set "VMX
	 * outside SMX" and the lock bit yourself (wrmsrl_safe); if it is locked
	 * with VMX outside SMX clear, fail with -ENODEV and tell the user to
	 * enable VT-x in the firmware. Record TVMM_CAPS_FC_LOCKED and
	 * TVMM_CAPS_FC_VMX_OUTSIDE_SMX in caps->flags. SDM vol. 3C 24.7
	 * (Enabling and entering VMX operation). Hint: VMXON raises #GP if the
	 * lock bit is clear or VMX outside SMX is 0.
	 */
#ifdef CONFIG_TVMM_LAB01_SOLUTION
	const u64 wanted = FEATURE_CONTROL_LOCKED |
			   FEATURE_CONTROL_VMX_OUTSIDE_SMX;
	u64 fc = caps->feature_control;

	if (!(fc & FEATURE_CONTROL_LOCKED)) {
		if (wrmsrl_safe(TVMM_MSR_IA32_FEATURE_CONTROL, fc | wanted)) {
			pr_err("cannot lock IA32_FEATURE_CONTROL (0x%llx): VMX stays unusable\n",
			       fc);
			return -ENODEV;
		}
		pr_info("IA32_FEATURE_CONTROL was unlocked; enabled VMX and locked it\n");
		caps_read_msr(TVMM_MSR_IA32_FEATURE_CONTROL,
			      &caps->feature_control);
		fc = caps->feature_control;
	}
	if (fc & FEATURE_CONTROL_LOCKED)
		caps->flags |= TVMM_CAPS_FC_LOCKED;
	if (!(fc & FEATURE_CONTROL_VMX_OUTSIDE_SMX)) {
		pr_err("VMX is disabled by the firmware (IA32_FEATURE_CONTROL = 0x%llx, locked, bit 2 clear).\n",
		       fc);
		pr_err("Enable \"Intel Virtualization Technology\" in the BIOS/UEFI setup, or use the lab VM (make labvm-shell).\n");
		return -ENODEV;
	}
	caps->flags |= TVMM_CAPS_FC_VMX_OUTSIDE_SMX;
	return 0;
#else
	return tvmm_lab_todo("lab01.1", "check and lock IA32_FEATURE_CONTROL");
#endif
	/* TODO(lab01.1) END */
}

/*
 * IA32_VMX_BASIC tells how to lay out the VMXON and VMCS regions. tvmm
 * allocates one page for each, in write-back memory, anywhere in physical
 * memory; refuse a CPU that would need anything else.
 */
static int caps_check_basic(const struct tvmm_caps *caps)
{
	u64 basic = caps->vmx_basic;

	if (vmx_basic_vmcs_size(basic) > PAGE_SIZE) {
		pr_err("VMCS region of %u bytes does not fit in a page\n",
		       vmx_basic_vmcs_size(basic));
		return -ENODEV;
	}
	if (vmx_basic_memtype(basic) != TVMM_VMX_BASIC_MEMTYPE_WB) {
		pr_err("VMCS memory type %u is not write-back\n",
		       vmx_basic_memtype(basic));
		return -ENODEV;
	}
	if (basic & TVMM_VMX_BASIC_32BIT_ADDRESSES) {
		pr_err("VMX regions limited to 32-bit addresses: not supported\n");
		return -ENODEV;
	}
	return 0;
}

/* Read the capability MSRs that exist; secondary ones only when announced. */
static int caps_read_vmx_msrs(struct tvmm_caps *caps)
{
	int err = 0;

	err |= caps_read_msr(TVMM_MSR_IA32_VMX_BASIC, &caps->vmx_basic);
	err |= caps_read_msr(TVMM_MSR_IA32_VMX_PINBASED_CTLS,
			     &caps->pinbased_ctls);
	err |= caps_read_msr(TVMM_MSR_IA32_VMX_PROCBASED_CTLS,
			     &caps->procbased_ctls);
	err |= caps_read_msr(TVMM_MSR_IA32_VMX_EXIT_CTLS, &caps->exit_ctls);
	err |= caps_read_msr(TVMM_MSR_IA32_VMX_ENTRY_CTLS, &caps->entry_ctls);
	err |= caps_read_msr(TVMM_MSR_IA32_VMX_MISC, &caps->misc);
	err |= caps_read_msr(TVMM_MSR_IA32_VMX_CR0_FIXED0, &caps->cr0_fixed0);
	err |= caps_read_msr(TVMM_MSR_IA32_VMX_CR0_FIXED1, &caps->cr0_fixed1);
	err |= caps_read_msr(TVMM_MSR_IA32_VMX_CR4_FIXED0, &caps->cr4_fixed0);
	err |= caps_read_msr(TVMM_MSR_IA32_VMX_CR4_FIXED1, &caps->cr4_fixed1);
	err |= caps_read_msr(TVMM_MSR_IA32_VMX_VMCS_ENUM, &caps->vmcs_enum);
	if (err) {
		pr_err("CPUID announces VMX but a basic VMX capability MSR cannot be read\n");
		return -ENODEV;
	}

	/*
	 * TODO(lab01.2) BEGIN: read the optional capability MSRs, each only
	 * when the CPU announces it, and set its TVMM_CAPS_* flag: the TRUE_*
	 * controls (IA32_VMX_BASIC bit 55, SDM A.1), IA32_VMX_PROCBASED_CTLS2
	 * (only if the primary controls may set "activate secondary controls",
	 * A.3.3), IA32_VMX_EPT_VPID_CAP (if EPT or VPID may be enabled, A.10),
	 * IA32_VMX_VMFUNC (A.11). Hint: caps_may_set() tells whether a control
	 * bit may be 1; reading an absent MSR is a #GP that caps_read_msr()
	 * turns into an error.
	 */
#ifdef CONFIG_TVMM_LAB01_SOLUTION
	/* SDM A.1: bit 55 announces the TRUE_* control MSRs (0x48d-0x490). */
	if (caps->vmx_basic & TVMM_VMX_BASIC_TRUE_CTLS) {
		err |= caps_read_msr(TVMM_MSR_IA32_VMX_TRUE_PINBASED_CTLS,
				     &caps->true_pinbased_ctls);
		err |= caps_read_msr(TVMM_MSR_IA32_VMX_TRUE_PROCBASED_CTLS,
				     &caps->true_procbased_ctls);
		err |= caps_read_msr(TVMM_MSR_IA32_VMX_TRUE_EXIT_CTLS,
				     &caps->true_exit_ctls);
		err |= caps_read_msr(TVMM_MSR_IA32_VMX_TRUE_ENTRY_CTLS,
				     &caps->true_entry_ctls);
		if (err) {
			pr_err("IA32_VMX_BASIC[55] announces TRUE controls but they cannot be read\n");
			return -ENODEV;
		}
		caps->flags |= TVMM_CAPS_TRUE_CTLS;
	}

	/*
	 * SDM A.3.3: IA32_VMX_PROCBASED_CTLS2 exists only if the primary
	 * controls allow "activate secondary controls" to be 1.
	 */
	if (!caps_may_set(caps->procbased_ctls, CPU_SECONDARY_CONTROLS) ||
	    caps_read_msr(TVMM_MSR_IA32_VMX_PROCBASED_CTLS2,
			  &caps->procbased_ctls2))
		return 0;
	caps->flags |= TVMM_CAPS_PROCBASED2;

	/* SDM A.10: the EPT/VPID MSR exists if EPT or VPID may be enabled. */
	if ((caps_may_set(caps->procbased_ctls2, CPU2_ENABLE_EPT) ||
	     caps_may_set(caps->procbased_ctls2, CPU2_ENABLE_VPID)) &&
	    !caps_read_msr(TVMM_MSR_IA32_VMX_EPT_VPID_CAP, &caps->ept_vpid_cap))
		caps->flags |= TVMM_CAPS_EPT_VPID;

	/* SDM A.11: IA32_VMX_VMFUNC exists if VM functions may be enabled. */
	if (caps_may_set(caps->procbased_ctls2, CPU2_ENABLE_VMFUNC) &&
	    !caps_read_msr(TVMM_MSR_IA32_VMX_VMFUNC, &caps->vmfunc))
		caps->flags |= TVMM_CAPS_VMFUNC;
	return 0;
#else
	return tvmm_lab_todo("lab01.2", "read the optional VMX capability MSRs");
#endif
	/* TODO(lab01.2) END */
}

/**
 * caps_probe() - fill @caps from CPUID and the VMX capability MSRs.
 * @caps: where to store the raw values; zeroed first.
 *
 * Return: 0 if this CPU can run tvmm; -ENODEV with a message saying why and
 * what to do if it cannot (no VT-x, disabled by firmware, unusable layout).
 */
int caps_probe(struct tvmm_caps *caps)
{
	int err;

	memset(caps, 0, sizeof(*caps));
	caps->cpuid1_ecx = cpuid_ecx(1);
	caps->cpus_online = num_online_cpus();
	if (!(caps->cpuid1_ecx & CPUID1_ECX_VMX)) {
		pr_err("this CPU does not offer VT-x (CPUID.01H:ECX.VMX[bit 5] = 0).\n");
		pr_err("Load tvmm inside the lab VM (make labvm-shell), which emulates a VT-x CPU; AMD CPUs and most emulators (QEMU TCG) have no VMX.\n");
		return -ENODEV;
	}
	caps->flags |= TVMM_CAPS_CPUID_VMX;

	if (caps_read_msr(TVMM_MSR_IA32_FEATURE_CONTROL,
			  &caps->feature_control)) {
		pr_err("IA32_FEATURE_CONTROL cannot be read: VMX unusable\n");
		return -ENODEV;
	}
	if (test_feature_control >= 0) {
		pr_info("test_feature_control: IA32_FEATURE_CONTROL taken as 0x%lx\n",
			test_feature_control);
		caps->feature_control = test_feature_control;
	}
	err = caps_check_feature_control(caps);
	if (err)
		return err;
	err = caps_read_vmx_msrs(caps);
	if (err)
		return err;
	if (test_hide_ctls2) {
		pr_info("test_hide_ctls2: secondary controls 0x%x taken as not allowed\n",
			test_hide_ctls2);
		caps->procbased_ctls2 &= ~((u64)test_hide_ctls2 << 32);
	}
	return caps_check_basic(caps);
}
