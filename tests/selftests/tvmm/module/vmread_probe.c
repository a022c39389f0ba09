// SPDX-License-Identifier: GPL-2.0
/*
 * vmread_probe.c - a test helper: make tvmm's VMREAD wrapper fail, many
 * times in a row, to see how much of the kernel log the failures take.
 *
 * Concept: a VMX instruction can fail (VMfailInvalid, VMfailValid) or
 * fault (SDM vol. 3C, 31.2 "Conventions"; the VMREAD page of vol. 2).
 * tvmm reads over
 * a hundred VMCS fields per run slice for its debugfs snapshot, so one
 * broken state repeats the same failure a hundred times a slice; its log
 * line must be rate-limited. This module compiles tvmm's own vmx_insn.h
 * and calls vmx_vmread() `reads` times at load; robustness_test counts the
 * lines that reach dmesg.
 *
 * Only for the lab VM, with tvmm.ko unloaded: VMX is off, so each VMREAD
 * raises #UD, which the wrapper's exception-table entry turns into its
 * "faulted" log line and -EFAULT (the same path a VMREAD with VMX torn
 * down under tvmm would take).
 * Context: module init, process context, preemption off around each read.
 */
#include <linux/module.h>
#include <linux/preempt.h>

#include "vmx_insn.h"

static unsigned int reads = 200;
module_param(reads, uint, 0400);
MODULE_PARM_DESC(reads, "VMREADs to fail at load (at most 10000)");

static int __init vmread_probe_init(void)
{
	unsigned int i, failed = 0;
	u64 value, sum = 0;

	for (i = 0; i < min(reads, 10000U); i++) {
		preempt_disable();
		failed += vmx_vmread(VMCS_GUEST_RIP, &value) != 0;
		preempt_enable();
		sum += value;	/* used, or the compiler drops the VMREAD */
	}
	pr_info("vmread_probe: %u of %u VMREADs failed (values summed: 0x%llx)\n",
		failed, min(reads, 10000U), sum);
	return 0;
}

static void __exit vmread_probe_exit(void)
{
}

module_init(vmread_probe_init);
module_exit(vmread_probe_exit);
MODULE_LICENSE("GPL");
MODULE_DESCRIPTION("tvmm selftest helper: failing VMREADs for the rate-limit test");
