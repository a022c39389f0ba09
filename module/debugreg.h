/* SPDX-License-Identifier: GPL-2.0 */
/*
 * debugreg.h - the debug registers around every VM entry, inline.
 *
 * Concept: the VMCS switches DR7 and IA32_DEBUGCTL, not DR0-DR3 (SDM
 * 27.3.2.1, 28.5.1): the guest's breakpoint addresses must be put into
 * the real registers by hand before an entry, and the host's put back
 * after the exit. Only a guest that enabled a breakpoint pays for that;
 * everyone pays for the check, on every entry, so it is inline here
 * rather than a call into debugreg.c (which has the rest: MOV DR, #DB).
 *
 * Context: interrupts off, around tvmm_vmx_enter() (vcpu.c).
 */
#ifndef _TVMM_DEBUGREG_H
#define _TVMM_DEBUGREG_H

#include <asm/debugreg.h>

#include "tvmm.h"

/* Does the guest's DR7 enable any breakpoint, so DR0-DR3 must be loaded? */
static inline bool dr_guest_active(struct tvmm_vm *vm)
{
	return vm->dr7 & TVMM_DR7_ENABLE_MASK;
}

/**
 * dr_load_guest() - before an entry: keep the host's DR0-DR3 and DR7 and,
 * if the guest has breakpoints enabled, load its DR0-DR3.
 * @vm: the VM
 * @hd: where the host's values are kept until dr_restore_host()
 *
 * Context: interrupts off (nothing may change the debug registers until
 * the matching dr_restore_host()).
 */
static inline void dr_load_guest(struct tvmm_vm *vm, struct tvmm_host_debug *hd)
{
	unsigned long v;

	get_debugreg(v, 7);
	hd->dr7 = v;
	hd->guest_loaded = dr_guest_active(vm);
	if (!hd->guest_loaded)
		return;
	get_debugreg(hd->dr[0], 0);
	get_debugreg(hd->dr[1], 1);
	get_debugreg(hd->dr[2], 2);
	get_debugreg(hd->dr[3], 3);
	set_debugreg(vm->dr[0], 0);
	set_debugreg(vm->dr[1], 1);
	set_debugreg(vm->dr[2], 2);
	set_debugreg(vm->dr[3], 3);
}

/**
 * dr_restore_host() - after the exit: the host's DR0-DR3 and DR7 again.
 * The exit left DR7 = 0x400 (SDM 28.5.1): every host breakpoint off.
 * @hd: what dr_load_guest() kept
 *
 * Context: interrupts off, right after the VM exit.
 */
static inline void dr_restore_host(const struct tvmm_host_debug *hd)
{
	if (hd->guest_loaded) {
		set_debugreg(hd->dr[0], 0);
		set_debugreg(hd->dr[1], 1);
		set_debugreg(hd->dr[2], 2);
		set_debugreg(hd->dr[3], 3);
	}
	if (hd->dr7 != TVMM_DR7_FIXED_1)
		set_debugreg(hd->dr7, 7);
}

#endif /* _TVMM_DEBUGREG_H */
