// SPDX-License-Identifier: GPL-2.0
/*
 * vmx.c - turn VMX operation on and off on every CPU.
 *
 * Concept: in the notes the VMM is the only component left in kernel mode:
 * it sits below the guest kernels ("de-privileging"). VT-x makes this
 * explicit: VMXON puts a CPU in "VMX root operation", the mode a VMM runs
 * in; guests will later run in "VMX non-root operation". VMX is a per-CPU
 * state, so tvmm enters it on every online CPU, on each CPU that comes
 * online later, and leaves it on each CPU that goes away and at unload.
 *
 * SDM: vol. 3C, 24.7 "Enabling and Entering VMX Operation"; 24.8
 *      "Restrictions on VMX Operation" (CR0/CR4 fixed bits); 25.11.5
 *      "VMXON Region"; vol. 2, VMXON and VMXOFF.
 * VMX operation must also end before the machine goes where VMX cannot
 * follow: suspend (syscore: VMXOFF on the last CPU, VMXON at resume; the
 * others go through hotplug), reboot (a notifier: VMXOFF on every CPU, as
 * INIT is blocked in VMX operation, SDM 24.8) and emergency reboot or a
 * crash (the kernel's emergency callback, below).
 *
 * Context: the CPU-hotplug callbacks run in the hotplug thread bound to the
 *      CPU concerned (may sleep); the CR4 write and VMXON/VMXOFF run with
 *      interrupts off so nothing runs on this CPU between them. The
 *      syscore callbacks run on the last CPU with interrupts off, the
 *      emergency callback in NMI context.
 */
#define pr_fmt(fmt) KBUILD_MODNAME ": " fmt

#include <linux/atomic.h>
#include <linux/cpu.h>
#include <linux/cpuhotplug.h>
#include <linux/gfp.h>
#include <linux/kobject.h>
#include <linux/module.h>
#include <linux/mm.h>
#include <linux/notifier.h>
#include <linux/percpu.h>
#include <linux/reboot.h>
#include <linux/seq_file.h>
#include <linux/syscore_ops.h>
#include <asm/io.h>
#include <asm/reboot.h>
#include <asm/special_insns.h>
#include <asm/tlbflush.h>

#include "tvmm.h"
#include "vmx_insn.h"

DEFINE_PER_CPU(struct vmx_cpu, vmx_cpu);	/* tvmm.h */

/* The dynamic hotplug state cpuhp_setup_state() gave us, or 0. */
static int vmx_hp_state;

/*
 * SDM 24.8: in VMX operation, CR0 and CR4 bits that IA32_VMX_CRn_FIXED0
 * reports as 1 must be 1, bits that IA32_VMX_CRn_FIXED1 reports as 0 must
 * be 0; VMXON raises #GP otherwise. Check first so the student gets a named
 * bit instead of a fault.
 */
static int __maybe_unused vmx_check_fixed_bits(unsigned int cpu, const char *reg,
					       u64 value, u64 fixed0, u64 fixed1)
{
	/*
	 * TODO(lab02.1) BEGIN: compute the bits of @value that VMX operation
	 * requires to be 1 (set in FIXED0, clear in @value) and to be 0 (clear
	 * in FIXED1, set in @value); return 0 if there are none, else print
	 * them (name the register and CPU) and return -EINVAL. SDM vol. 3C 24.8
	 * and vol. 3D A.7-A.8. Hint: a bit is forced to 1 if it is 1 in FIXED0,
	 * forced to 0 if it is 0 in FIXED1.
	 */
#ifdef CONFIG_TVMM_LAB02_SOLUTION
	u64 must_be_one = fixed0 & ~value;
	u64 must_be_zero = value & ~fixed1;

	if (!must_be_one && !must_be_zero)
		return 0;
	pr_err("CPU %u: %s = 0x%llx breaks the VMX fixed bits: must set 0x%llx, must clear 0x%llx (IA32_VMX_%s_FIXED0/1)\n",
	       cpu, reg, value, must_be_one, must_be_zero, reg);
	return -EINVAL;
#else
	return tvmm_lab_todo("lab02.1", "check the CR0/CR4 fixed bits of VMX operation");
#endif
	/* TODO(lab02.1) END */
}

/* Enter VMX root operation on this CPU. Interrupts are off. */
static int vmx_cpu_vmxon(unsigned int cpu, struct vmx_cpu *vc)
{
	/*
	 * TODO(lab02.2) BEGIN: enter VMX operation on this CPU: refuse with
	 * -EBUSY (and say "rmmod kvm_intel kvm") if CR4.VMXE is already set,
	 * check CR0 and CR4 (with VMXE) against the fixed bits, set CR4.VMXE
	 * through Linux's CR4 shadow (cr4_set_bits), execute VMXON on the
	 * region's physical address (vmx_vmxon() checks the result), undo
	 * CR4.VMXE if it failed, and set vc->vmx_on. SDM vol. 3C 24.7, 31.3
	 * (VMXON). Hint: write CR4 with cr4_set_bits(), never with a raw MOV:
	 * Linux keeps a per-CPU copy.
	 */
#ifdef CONFIG_TVMM_LAB02_SOLUTION
	unsigned long cr4 = __read_cr4();
	int err;

	/*
	 * CR4.VMXE already set means another VMM (usually KVM; since 6.12
	 * kvm_intel may turn VMX on when it loads) holds this CPU's VMX.
	 * Two VMMs cannot share it: refuse rather than steal it.
	 */
	if (cr4 & TVMM_CR4_VMXE) {
		pr_err("CPU %u: VMX is already in use by another hypervisor (CR4.VMXE is set).\n",
		       cpu);
		pr_err("If KVM is loaded, unload it first: rmmod kvm_intel kvm\n");
		return -EBUSY;
	}
	err = vmx_check_fixed_bits(cpu, "CR0", read_cr0(),
				   tvmm_caps.cr0_fixed0, tvmm_caps.cr0_fixed1);
	if (err)
		return err;
	err = vmx_check_fixed_bits(cpu, "CR4", cr4 | TVMM_CR4_VMXE,
				   tvmm_caps.cr4_fixed0, tvmm_caps.cr4_fixed1);
	if (err)
		return err;

	/* Linux keeps a shadow of CR4: go through it, not a raw write. */
	cr4_set_bits(X86_CR4_VMXE);
	err = vmx_vmxon(page_to_phys(vc->vmxon_region));
	if (err) {
		cr4_clear_bits(X86_CR4_VMXE);
		return err;
	}
	vc->vmx_on = true;
	return 0;
#else
	return tvmm_lab_todo("lab02.2", "VMXON on this CPU");
#endif
	/* TODO(lab02.2) END */
}

/* Leave VMX operation on this CPU. Interrupts are off. */
static int vmx_cpu_vmxoff(struct vmx_cpu *vc)
{
	/*
	 * TODO(lab02.3) BEGIN: leave VMX operation: VMXOFF, then clear CR4.VMXE
	 * and vc->vmx_on. If VMXOFF failed the CPU is still in VMX operation:
	 * return its error and leave CR4 alone. SDM vol. 3C 24.7, 31.3
	 * (VMXOFF). Hint: clearing CR4.VMXE in VMX operation is a #GP.
	 */
#ifdef CONFIG_TVMM_LAB02_SOLUTION
	int err = vmx_vmxoff();

	/*
	 * If VMXOFF failed the CPU is still in VMX operation, and clearing
	 * CR4.VMXE would raise #GP: leave CR4 alone and report.
	 */
	if (err)
		return err;
	cr4_clear_bits(X86_CR4_VMXE);
	vc->vmx_on = false;
	return 0;
#else
	return tvmm_lab_todo("lab02.3", "VMXOFF on this CPU");
#endif
	/* TODO(lab02.3) END */
}

/* Hotplug "online" callback: runs on @cpu, for each CPU, at load and later. */
static int vmx_cpu_online(unsigned int cpu)
{
	struct vmx_cpu *vc = per_cpu_ptr(&vmx_cpu, cpu);
	unsigned long flags;
	u32 *revision;
	int err;

	if (!vc->vmxon_region) {
		vc->vmxon_region = alloc_pages_node(cpu_to_node(cpu),
						    GFP_KERNEL | __GFP_ZERO, 0);
		if (!vc->vmxon_region)
			return -ENOMEM;
	}
	/* SDM 25.11.5: word 0 of the VMXON region = the VMCS revision id. */
	revision = page_address(vc->vmxon_region);
	*revision = vmx_basic_revision(tvmm_caps.vmx_basic);

	local_irq_save(flags);
	err = vmx_cpu_vmxon(cpu, vc);
	local_irq_restore(flags);
	if (err) {
		__free_page(vc->vmxon_region);
		vc->vmxon_region = NULL;
		return err;
	}
	pr_debug("CPU %u: VMX on\n", cpu);
	return 0;
}

/* Hotplug "offline" callback: runs on @cpu before it goes, and at unload. */
static int vmx_cpu_offline(unsigned int cpu)
{
	struct vmx_cpu *vc = per_cpu_ptr(&vmx_cpu, cpu);
	unsigned long flags;
	int err = 0;

	local_irq_save(flags);
	if (vc->vmx_on)
		err = vmx_cpu_vmxoff(vc);
	local_irq_restore(flags);
	/*
	 * A CPU we could not take out of VMX operation keeps its VMXON
	 * region: the hardware may still use it. Leak one page rather than
	 * hand memory the CPU owns back to the allocator.
	 */
	if (err) {
		/* A lab stub (-ENOPKG, already reported) is no tvmm bug: no WARN. */
		WARN(err != -ENOPKG, "tvmm: CPU %u stays in VMX operation\n", cpu);
		return err;
	}
	if (vc->vmxon_region) {
		__free_page(vc->vmxon_region);
		vc->vmxon_region = NULL;
	}
	pr_debug("CPU %u: VMX off\n", cpu);
	return 0;
}

/**
 * vmx_enable_all_cpus() - VMXON on every online CPU, and on CPUs that come
 * online later, until vmx_disable_all_cpus().
 *
 * cpuhp_setup_state() runs vmx_cpu_online() on each online CPU; if one
 * fails, it runs vmx_cpu_offline() on those already done and returns the
 * error, so a failed load leaves no CPU in VMX operation.
 *
 * Return: 0, or the first CPU's error (-EBUSY: VMX held by someone else).
 */
int vmx_enable_all_cpus(void)
{
	int state = cpuhp_setup_state(CPUHP_AP_ONLINE_DYN, "tvmm/vmx:online",
				      vmx_cpu_online, vmx_cpu_offline);

	if (state < 0)
		return state;
	vmx_hp_state = state;
	return 0;
}

/* VMXOFF on every CPU (runs vmx_cpu_offline() on each) and stop following hotplug. */
void vmx_disable_all_cpus(void)
{
	if (vmx_hp_state > 0)
		cpuhp_remove_state(vmx_hp_state);
	vmx_hp_state = 0;
}

/*
 * vcpu.c says which VMCS is current on this CPU (preemption off), so the
 * emergency path can VMCLEAR it: its data then reaches memory, where a
 * crash dump finds it (SDM 25.11.1: VMCLEAR writes the VMCS data back).
 */
void vmx_cpu_set_loaded_vmcs(u64 hpa)
{
	this_cpu_write(vmx_cpu.loaded_vmcs, hpa);
}

/* VMCLEAR what this CPU has loaded, then VMXOFF. Interrupts are off. */
static void vmx_cpu_shutdown(void)
{
	struct vmx_cpu *vc = this_cpu_ptr(&vmx_cpu);

	if (!vc->vmx_on)
		return;
	if (vc->loaded_vmcs)
		vmx_vmclear(vc->loaded_vmcs);
	vc->loaded_vmcs = 0;
	vmx_cpu_vmxoff(vc);
}

/* CPUs that left vmx_cpu_shutdown_ipi() with CR4.VMXE clear. */
static atomic_t vmx_cpus_off;

static void vmx_cpu_shutdown_ipi(void *unused)
{
	vmx_cpu_shutdown();
	if (!(__read_cr4() & X86_CR4_VMXE))
		atomic_inc(&vmx_cpus_off);
}

/*
 * Reboot, halt, power off: VMXOFF on every CPU, or INIT (which the next
 * kernel or the firmware uses to restart the CPUs) stays blocked. A VM
 * running on a CPU at that moment ends at its next entry (vcpu.c checks
 * vmx_cpu_is_on()). Each CPU then reports CR4.VMXE as the CPU has it,
 * and the line says how many of the online CPUs came out clear: the lab
 * VM prints it on its console as it powers off, where
 * tests/labvm/reboot_test.sh looks for it.
 */
static int vmx_reboot(struct notifier_block *nb, unsigned long code, void *unused)
{
	const char *what = code == SYS_RESTART ? "restart" :
			   code == SYS_HALT ? "halt" : "power off";
	unsigned int off, online;

	atomic_set(&vmx_cpus_off, 0);
	on_each_cpu(vmx_cpu_shutdown_ipi, NULL, 1);
	off = atomic_read(&vmx_cpus_off);
	online = num_online_cpus();
	if (off == online)
		pr_info("VMX off on every CPU (%s): CR4.VMXE clear on %u of %u online CPUs\n",
			what, off, online);
	else
		pr_err("VMX still on at %s: CR4.VMXE clear on only %u of %u online CPUs\n",
		       what, off, online);
	return NOTIFY_OK;
}

static struct notifier_block vmx_reboot_nb = {
	.notifier_call = vmx_reboot,
};

/*
 * Emergency reboot and kexec on a crash: the kernel calls this on every
 * CPU (in NMI context for the others) through the callback it offers to
 * VMMs since KVM needed one (6.1 as Debian ships it, and 6.12). It also
 * covers kexec into a crash kernel: the VMCSs are VMCLEARed first, so
 * the dump sees their data. Only one VMM may register (a second one gets
 * a kernel warning), so with kvm_intel present tvmm leaves the slot to
 * KVM: KVM's callback runs VMXOFF on any CPU whose CR4.VMXE is set, which
 * covers tvmm's CPUs too (only tvmm's VMCS data is then not flushed).
 * Loading kvm_intel while tvmm holds the slot makes KVM's registration
 * warn: unload tvmm first (docs/troubleshooting.md). A CPU that never
 * answers the crash NMI stays in VMX operation.
 */
static void vmx_emergency_disable(void)
{
	vmx_cpu_shutdown();
}

/* Whether tvmm registered vmx_emergency_disable (not when KVM had the slot). */
static bool emergency_hook;

/*
 * kvm_intel exports no symbol to ask, but every loaded module (and a
 * built-in one with parameters) has a kobject in the "module" kset,
 * /sys/module/NAME: tvmm's own kobject belongs to that kset.
 */
static bool kvm_intel_present(void)
{
	struct kobject *kobj = kset_find_obj(THIS_MODULE->mkobj.kobj.kset, "kvm_intel");
	bool present = kobj;

	kobject_put(kobj);
	return present;
}

/* Suspend: the other CPUs went offline through hotplug; this is the last one. */
static int vmx_suspend_cpu(void)
{
	struct vmx_cpu *vc = this_cpu_ptr(&vmx_cpu);
	int err;

	if (!vc->vmx_on)
		return 0;
	err = vmx_cpu_vmxoff(vc);
	vc->suspended = !err;
	return err;
}

/* Resume: VMX operation again, as before the suspend. */
static void vmx_resume_cpu(void)
{
	struct vmx_cpu *vc = this_cpu_ptr(&vmx_cpu);

	if (!vc->suspended)
		return;
	vc->suspended = false;
	if (vmx_cpu_vmxon(smp_processor_id(), vc))
		pr_err("CPU %u: VMX stays off after resume\n", smp_processor_id());
}

/*
 * struct syscore_ops passes a data pointer in newer kernels (Debian's
 * 6.12 included); Kbuild tells which one these headers have.
 */
#ifdef TVMM_SYSCORE_HAS_DATA
static int vmx_syscore_suspend(void *unused)
{
	return vmx_suspend_cpu();
}

static void vmx_syscore_resume(void *unused)
{
	vmx_resume_cpu();
}

static const struct syscore_ops vmx_syscore_ops = {
	.suspend = vmx_syscore_suspend,
	.resume = vmx_syscore_resume,
};

static struct syscore vmx_syscore = {
	.ops = &vmx_syscore_ops,
};

static void vmx_syscore_register(void)
{
	register_syscore(&vmx_syscore);
}

static void vmx_syscore_unregister(void)
{
	unregister_syscore(&vmx_syscore);
}
#else
static struct syscore_ops vmx_syscore_ops = {
	.suspend = vmx_suspend_cpu,
	.resume = vmx_resume_cpu,
};

static void vmx_syscore_register(void)
{
	register_syscore_ops(&vmx_syscore_ops);
}

static void vmx_syscore_unregister(void)
{
	unregister_syscore_ops(&vmx_syscore_ops);
}
#endif

/**
 * vmx_register_pm_hooks() - leave VMX operation before suspend, reboot,
 * emergency reboot and kexec (see above). After vmx_enable_all_cpus().
 *
 * Return: 0 or the reboot notifier's error.
 */
int vmx_register_pm_hooks(void)
{
	int err = register_reboot_notifier(&vmx_reboot_nb);

	if (err)
		return err;
	vmx_syscore_register();
	emergency_hook = !kvm_intel_present();
	if (emergency_hook)
		cpu_emergency_register_virt_callback(vmx_emergency_disable);
	else
		pr_info("kvm_intel is present: its emergency callback turns VMX off at a crash or emergency reboot\n");
	return 0;
}

void vmx_unregister_pm_hooks(void)
{
	if (emergency_hook)
		cpu_emergency_unregister_virt_callback(vmx_emergency_disable);
	vmx_syscore_unregister();
	unregister_reboot_notifier(&vmx_reboot_nb);
}

/* How many CPUs are in VMX operation right now. */
unsigned int vmx_cpus_on(void)
{
	unsigned int cpu, n = 0;

	for_each_possible_cpu(cpu)
		n += per_cpu_ptr(&vmx_cpu, cpu)->vmx_on;
	return n;
}

/*
 * debugfs "cpus": one line per possible CPU, read by the selftests. No
 * VMXON region address: a host-physical address is none of a reader's
 * business (it would help place kernel memory).
 */
void vmx_show_cpus(struct seq_file *m)
{
	unsigned int cpu;

	for_each_possible_cpu(cpu) {
		struct vmx_cpu *vc = per_cpu_ptr(&vmx_cpu, cpu);

		seq_printf(m, "cpu%u online=%d vmx=%s vmxon_region=%s\n",
			   cpu, cpu_online(cpu), vc->vmx_on ? "on" : "off",
			   READ_ONCE(vc->vmxon_region) ? "allocated" : "none");
	}
}

/*
 * The load-time capabilities (caps.c) with the live per-CPU figures filled
 * in: how many CPUs are online, and in VMX operation now.
 */
void vmx_caps_snapshot(struct tvmm_caps *out)
{
	*out = tvmm_caps;
	out->cpus_online = num_online_cpus();
	out->cpus_vmx_on = vmx_cpus_on();
	if (out->cpus_online && out->cpus_vmx_on == out->cpus_online)
		out->flags |= TVMM_CAPS_VMX_ON;
}
