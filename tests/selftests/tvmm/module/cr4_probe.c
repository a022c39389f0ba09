// SPDX-License-Identifier: GPL-2.0
/*
 * cr4_probe.c - a test helper: see CR4 on every CPU, or pretend to be
 * another hypervisor that owns VMX.
 *
 * Concept: VMX is a per-CPU resource with exactly one owner. The tvmm
 * selftests need (1) to see, from outside tvmm, whether each CPU has
 * CR4.VMXE set, to prove tvmm turns VMX off when it unloads; and (2) a
 * second "hypervisor" that holds VMX, to prove tvmm refuses cleanly
 * instead of stealing it (KVM is the real-world case).
 *
 *   /sys/kernel/debug/cr4_probe/cr4   one line per online CPU: "cpuN 0x..."
 *   hold_vmx=1                        set CR4.VMXE on every CPU at load and
 *                                     clear it at unload, like a VMM would
 *   clear_cr0_ne=1                    clear CR0.NE on every CPU while loaded:
 *                                     a CR0 that breaks VMX's fixed bits
 *                                     (IA32_VMX_CR0_FIXED0 requires NE), so
 *                                     tvmm must refuse VMXON and name it
 *
 * NE clear only changes how x87 errors are reported (SDM vol. 3A, 2.5),
 * which the lab VM's programs do not rely on for the test's few seconds.
 *
 * Only for the lab VM: setting CR4.VMXE without VMXON is harmless, but
 * clearing it under a real VMM would #GP, so with hold_vmx=1 the load is
 * refused when any CPU already has VMXE set, and the unload leaves VMXE
 * set on a CPU that is in VMX operation: a tvmm that wrongly took VMX
 * while we held it (lab 02) fails its test, and its own VMXOFF at rmmod
 * clears VMXE, instead of this module's CR4 write oopsing the lab VM.
 *
 * SDM: vol. 3C, 24.7 "Enabling and Entering VMX Operation".
 * Context: process context; CR4 is read/written on each CPU by IPI.
 */
#include <linux/cpu.h>
#include <linux/cpumask.h>
#include <linux/debugfs.h>
#include <linux/module.h>
#include <linux/seq_file.h>
#include <linux/smp.h>
#include <asm/asm.h>
#include <asm/special_insns.h>
#include <asm/tlbflush.h>

static bool hold_vmx;
module_param(hold_vmx, bool, 0400);
MODULE_PARM_DESC(hold_vmx, "set CR4.VMXE on every CPU while loaded");
static bool clear_cr0_ne;
module_param(clear_cr0_ne, bool, 0400);
MODULE_PARM_DESC(clear_cr0_ne, "clear CR0.NE on every CPU while loaded");

static struct dentry *probe_dir;
static DEFINE_PER_CPU(unsigned long, cr4_seen);
static atomic_t cpus_with_vmxe;

static void probe_read_cr4(void *unused)
{
	unsigned long cr4 = __read_cr4();

	this_cpu_write(cr4_seen, cr4);
	if (cr4 & X86_CR4_VMXE)
		atomic_inc(&cpus_with_vmxe);
}

static void probe_set_vmxe(void *unused)
{
	cr4_set_bits(X86_CR4_VMXE);
}

/*
 * Is this CPU in VMX operation? VMPTRST (store the current-VMCS pointer)
 * works there, and raises #UD outside it; the exception table skips the
 * faulting instruction (to 2:), so a #UD means "no". SDM vol. 2, VMPTRST.
 */
static bool probe_in_vmx_operation(void)
{
	u64 vmcs_pa;

	asm goto("1: vmptrst (%[pa])\n\t"
		 "jmp %l[in_vmx]\n\t"
		 "2:\n\t"
		 _ASM_EXTABLE(1b, 2b)
		 : : [pa] "r"(&vmcs_pa) : "memory" : in_vmx);
	return false;
in_vmx:
	return true;
}

static void probe_clear_vmxe(void *unused)
{
	/* clearing CR4.VMXE in VMX operation is a #GP (SDM vol. 3C, 24.8) */
	if (probe_in_vmx_operation()) {
		atomic_inc(&cpus_with_vmxe);
		return;
	}
	cr4_clear_bits(X86_CR4_VMXE);
}

static void probe_clear_ne(void *unused)
{
	write_cr0(read_cr0() & ~X86_CR0_NE);
}

static void probe_set_ne(void *unused)
{
	write_cr0(read_cr0() | X86_CR0_NE);
}

static int cr4_show(struct seq_file *m, void *unused)
{
	unsigned int cpu;

	cpus_read_lock();
	on_each_cpu(probe_read_cr4, NULL, 1);
	for_each_online_cpu(cpu)
		seq_printf(m, "cpu%u 0x%lx\n", cpu, per_cpu(cr4_seen, cpu));
	cpus_read_unlock();
	return 0;
}
DEFINE_SHOW_ATTRIBUTE(cr4);

static int __init cr4_probe_init(void)
{
	if (hold_vmx) {
		atomic_set(&cpus_with_vmxe, 0);
		on_each_cpu(probe_read_cr4, NULL, 1);
		if (atomic_read(&cpus_with_vmxe)) {
			pr_err("cr4_probe: CR4.VMXE already set, not holding VMX\n");
			return -EBUSY;
		}
		on_each_cpu(probe_set_vmxe, NULL, 1);
		pr_info("cr4_probe: holding CR4.VMXE on every CPU\n");
	}
	if (clear_cr0_ne) {
		on_each_cpu(probe_clear_ne, NULL, 1);
		pr_info("cr4_probe: CR0.NE cleared on every CPU\n");
	}
	probe_dir = debugfs_create_dir("cr4_probe", NULL);
	debugfs_create_file("cr4", 0400, probe_dir, NULL, &cr4_fops);
	return 0;
}

static void __exit cr4_probe_exit(void)
{
	debugfs_remove_recursive(probe_dir);
	if (hold_vmx) {
		atomic_set(&cpus_with_vmxe, 0);
		on_each_cpu(probe_clear_vmxe, NULL, 1);
		if (atomic_read(&cpus_with_vmxe))
			pr_err("cr4_probe: another VMM entered VMX operation while we held it: CR4.VMXE left set on %d CPU(s)\n",
			       atomic_read(&cpus_with_vmxe));
	}
	if (clear_cr0_ne)
		on_each_cpu(probe_set_ne, NULL, 1);
}

module_init(cr4_probe_init);
module_exit(cr4_probe_exit);
MODULE_LICENSE("GPL");
MODULE_DESCRIPTION("tvmm selftest helper: per-CPU CR4, or a fake VMX owner");
