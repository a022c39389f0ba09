// SPDX-License-Identifier: GPL-2.0
/*
 * kvm_intel.c - a test helper: a stand-in for KVM's kvm_intel module, as
 * far as the kernel's emergency-reboot callback is concerned.
 *
 * Concept: at a crash or emergency reboot, every CPU must leave VMX
 * operation, because VMX blocks INIT (SDM vol. 3C, 24.8 "Restrictions on
 * VMX Operation") and a kexec'd kernel could not start the other CPUs.
 * The kernel offers one callback slot for that, and kvm_intel takes it
 * when it loads. A second VMM that also registers gets a kernel warning,
 * so tvmm must see kvm_intel and leave the slot to it. This module has
 * kvm_intel's name (so /sys/module/kvm_intel exists) and takes the slot
 * the way kvm_intel does; it never touches VMX.
 *
 * Context: process context (module init/exit); the callback would run in
 * NMI context at a crash and does nothing here.
 */
#include <linux/module.h>
#include <asm/reboot.h>

static void stand_in_emergency_disable(void)
{
}

static int __init stand_in_init(void)
{
	cpu_emergency_register_virt_callback(stand_in_emergency_disable);
	return 0;
}

static void __exit stand_in_exit(void)
{
	cpu_emergency_unregister_virt_callback(stand_in_emergency_disable);
}

module_init(stand_in_init);
module_exit(stand_in_exit);
MODULE_LICENSE("GPL");
MODULE_DESCRIPTION("tvmm selftests: a kvm_intel stand-in holding the emergency-reboot callback");
