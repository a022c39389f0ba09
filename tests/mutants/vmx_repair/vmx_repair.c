// SPDX-License-Identifier: GPL-2.0
/*
 * vmx_repair.c - a helper of the mutant runner: turn VMX off on every CPU
 * after a wrong lab 02 solution left it on, so the next variant of the
 * same lab VM boot finds the CPU as a fresh boot would.
 *
 * Concept: tests/mutants/run-vm.sh grades many tvmm variants in one boot.
 * A lab 02 mutant can unload and leave a CPU in VMX operation (VMXOFF
 * never run), leave CR4.VMXE set after VMXOFF, or leave CR4.VMXE and
 * Linux's per-CPU copy of CR4 out of step (a raw MOV to CR4). Every later
 * tvmm.ko, right or wrong, then fails to load (-EBUSY, or a VMXON that
 * faults), so the runner used to boot a new VM (about a minute of Bochs)
 * for the variants left. Loading this module instead, on each CPU:
 *
 *   - if CR4.VMXE is set, executes VMXOFF. Outside VMX operation VMXOFF
 *     raises #UD; the exception table turns that into "was not in VMX
 *     operation" (the instruction is skipped), so no check is needed
 *     first. VMXOFF reporting VMfail (CF or ZF) leaves the CPU in VMX
 *     operation: a failure;
 *   - makes Linux's copy of CR4 see VMXE when CR4 has it (a raw MOV set
 *     it behind the copy's back), so that cr4_clear_bits() then writes
 *     CR4; and clears CR4.VMXE through cr4_clear_bits(), which also
 *     clears it in the copy when only the copy had it;
 *   - checks that CR4 and the copy now agree and VMXE is clear.
 *
 * The load fails with -EIO when some CPU is still not clean (the runner
 * then boots a new VM, as before); otherwise the module stays loaded and
 * does nothing more: rmmod it. It prints one line per CPU it changed.
 *
 * Only for the lab VM, where no other VMM runs: elsewhere it would take
 * VMX away from KVM. Never for a kernel that oopsed: the runner reboots.
 *
 * SDM: vol. 3C, 24.7 "Enabling and Entering VMX Operation"; vol. 2,
 *      VMXOFF ("#UD if executed outside VMX operation").
 * Context: process context at load; the per-CPU work runs by IPI on each
 *      CPU with interrupts off (so nothing runs between VMXOFF and the CR4
 *      write), under cpus_read_lock().
 */
#define pr_fmt(fmt) KBUILD_MODNAME ": " fmt

#include <linux/bits.h>
#include <linux/cpu.h>
#include <linux/module.h>
#include <linux/percpu.h>
#include <linux/smp.h>
#include <asm/asm.h>
#include <asm/special_insns.h>
#include <asm/tlbflush.h>

/* What repair_cpu() found and did on one CPU. */
#define REPAIR_VMXOFF		BIT(0)	/* was in VMX operation: VMXOFF */
#define REPAIR_COPY_STALE	BIT(1)	/* CR4.VMXE set behind Linux's copy */
#define REPAIR_VMXE		BIT(2)	/* CR4.VMXE (or its copy) cleared */
#define REPAIR_VMFAIL		BIT(3)	/* VMXOFF failed: still in VMX operation */
#define REPAIR_UNCLEAN		BIT(4)	/* CR4 and the copy still disagree */

struct repair_state {
	unsigned int flags;
	unsigned long cr4_before, shadow_before, cr4_after;
};

static DEFINE_PER_CPU(struct repair_state, repair_state);

/*
 * VMXOFF. Returns 1 if the CPU was in VMX operation and left it, 0 if it
 * was not (#UD, skipped through the exception table), -EIO on VMfail.
 */
static int repair_vmxoff(void)
{
	asm goto("1: vmxoff\n\t"
		 "jc %l[vmfail]\n\t"
		 "jz %l[vmfail]\n\t"
		 "jmp 3f\n\t"
		 "2: jmp %l[not_in_vmx]\n\t"
		 "3:\n\t"
		 _ASM_EXTABLE(1b, 2b)
		 : : : "cc", "memory"
		 : vmfail, not_in_vmx);
	return 1;
not_in_vmx:
	return 0;
vmfail:
	return -EIO;
}

static void repair_cpu(void *unused)
{
	struct repair_state *st = this_cpu_ptr(&repair_state);
	unsigned long cr4 = __read_cr4();
	unsigned long shadow = cr4_read_shadow();
	int ret;

	st->flags = 0;
	st->cr4_before = cr4;
	st->shadow_before = shadow;
	if (cr4 & X86_CR4_VMXE) {
		ret = repair_vmxoff();
		if (ret < 0) {
			/* clearing CR4.VMXE in VMX operation is a #GP */
			st->flags |= REPAIR_VMFAIL;
			st->cr4_after = cr4;
			return;
		}
		if (ret)
			st->flags |= REPAIR_VMXOFF;
		if (!(shadow & X86_CR4_VMXE)) {
			/* writes CR4 as the copy has it, plus VMXE */
			cr4_set_bits(X86_CR4_VMXE);
			st->flags |= REPAIR_COPY_STALE;
		}
	}
	if ((cr4 | shadow) & X86_CR4_VMXE)
		st->flags |= REPAIR_VMXE;
	cr4_clear_bits(X86_CR4_VMXE);
	st->cr4_after = __read_cr4();
	if (st->cr4_after != cr4_read_shadow() || (st->cr4_after & X86_CR4_VMXE))
		st->flags |= REPAIR_UNCLEAN;
}

static int __init vmx_repair_init(void)
{
	struct repair_state *st;
	unsigned int cpu;
	int err = 0;

	cpus_read_lock();
	on_each_cpu(repair_cpu, NULL, 1);
	for_each_online_cpu(cpu) {
		st = per_cpu_ptr(&repair_state, cpu);
		if (!st->flags)
			continue;
		pr_info("CPU %u: CR4 0x%lx (Linux's copy 0x%lx) -> 0x%lx:%s%s%s%s%s\n",
			cpu, st->cr4_before, st->shadow_before, st->cr4_after,
			st->flags & REPAIR_VMXOFF ? " VMXOFF" : "",
			st->flags & REPAIR_COPY_STALE ? " copy-was-stale" : "",
			st->flags & REPAIR_VMXE ? " VMXE-cleared" : "",
			st->flags & REPAIR_VMFAIL ? " VMXOFF-failed" : "",
			st->flags & REPAIR_UNCLEAN ? " still-unclean" : "");
		if (st->flags & (REPAIR_VMFAIL | REPAIR_UNCLEAN))
			err = -EIO;
	}
	cpus_read_unlock();
	return err;
}

static void __exit vmx_repair_exit(void)
{
}

module_init(vmx_repair_init);
module_exit(vmx_repair_exit);
MODULE_LICENSE("GPL");
MODULE_DESCRIPTION("tvmm mutant runner helper: VMX off and CR4.VMXE clear on every CPU");
