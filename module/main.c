// SPDX-License-Identifier: GPL-2.0
/*
 * main.c - load and unload tvmm; the /dev/tvmm device.
 *
 * Concept: tvmm is a type-2 ("hosted") VMM: it is not the first thing that
 * boots, it lives inside a host OS (Linux) as a module and borrows the
 * host's drivers, scheduler and memory allocator. Loading it turns VMX on;
 * /dev/tvmm is the door userspace uses to ask for VMs.
 *
 * Load order, each step undone by the matching label on failure and by
 * tvmm_exit() in reverse:
 *   1. caps_probe()           is there a usable VT-x at all? (and can
 *                             host_nmi_supported() hand NMIs to Linux?)
 *   2. vmx_enable_all_cpus()  VMXON everywhere (refuse if VMX is taken)
 *   3. vmx_register_pm_hooks() VMXOFF before suspend, reboot, kexec
 *   4. debugfs                /sys/kernel/debug/tvmm/
 *   5. misc_register()        /dev/tvmm, root only
 *
 * Context: process context (module init/exit, file operations).
 */
#define pr_fmt(fmt) KBUILD_MODNAME ": " fmt

#include <linux/miscdevice.h>
#include <linux/module.h>

#include "tvmm.h"

static struct miscdevice tvmm_dev = {
	.minor	= MISC_DYNAMIC_MINOR,
	.name	= "tvmm",
	.fops	= &tvmm_vm_fops,
	.mode	= 0600,		/* VMs are a root privilege, as /dev/kvm's group is */
};

static int __init tvmm_init(void)
{
	int err;

	err = caps_probe(&tvmm_caps);
	if (err)
		return err;
	err = host_nmi_supported();
	if (err)
		return err;

	err = vmx_enable_all_cpus();
	/*
	 * Lab 02's VMXON still a stub: load anyway with VMX off, so lab 01's
	 * caps can be graded; loading a guest says which TODO is missing.
	 */
	if (err == -ENOPKG) {
		pr_warn("VMX stays off (lab 02's TODOs are stubs): /dev/tvmm answers caps only\n");
		err = 0;
	}
	if (err) {
		pr_err("could not enter VMX operation on every CPU (error %d); tvmm not loaded\n",
		       err);
		return err;
	}

	err = vmx_register_pm_hooks();
	if (err) {
		pr_err("cannot register the reboot/suspend hooks (error %d)\n", err);
		goto err_vmx;
	}

	tvmm_debugfs_init();

	err = misc_register(&tvmm_dev);
	if (err) {
		pr_err("cannot register /dev/tvmm (error %d)\n", err);
		goto err_debugfs;
	}
	pr_info("VMX operation entered on %u CPU(s); /dev/tvmm ready (VMCS revision 0x%x)\n",
		vmx_cpus_on(), vmx_basic_revision(tvmm_caps.vmx_basic));
	return 0;

err_debugfs:
	tvmm_debugfs_exit();
	vmx_unregister_pm_hooks();
err_vmx:
	vmx_disable_all_cpus();
	return err;
}

static void __exit tvmm_exit(void)
{
	misc_deregister(&tvmm_dev);
	tvmm_debugfs_exit();
	vmx_unregister_pm_hooks();
	vmx_disable_all_cpus();
	pr_info("VMX off; unloaded\n");
}

module_init(tvmm_init);
module_exit(tvmm_exit);

MODULE_LICENSE("GPL");
MODULE_AUTHOR("The tvmm authors");
MODULE_DESCRIPTION("tvmm: a teaching VMM on Intel VT-x");
MODULE_VERSION("0.1");
