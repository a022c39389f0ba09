/* SPDX-License-Identifier: GPL-2.0 */
/*
 * tvmm.h - what the files of tvmm.ko share: their state and their
 * prototypes, grouped by the file that defines them (as xv6's defs.h).
 *
 * Concept: the VMM is the only fully privileged component ("il VMM e' in
 * kernel mode"). Everything here runs in the host kernel, in VMX root
 * operation once vmx.c has turned VMX on.
 * Context: process context unless a prototype says otherwise.
 */
#ifndef _TVMM_H
#define _TVMM_H

#include <linux/types.h>
#include <linux/seq_file.h>
#include "include/uapi/tvmm.h"
#include "include/tvmm/vmx_arch.h"

/*
 * Everything tvmm learned about the CPU at load time. Filled once by
 * caps_probe() before VMX is turned on, read-only afterwards.
 */
extern struct tvmm_caps tvmm_caps;

/* caps.c: discover what VT-x this CPU offers and refuse clearly if none. */
int caps_probe(struct tvmm_caps *caps);
void caps_snapshot(struct tvmm_caps *out);

/* vmx.c: VMXON/VMXOFF on every online CPU, following CPU hotplug. */
int vmx_enable_all_cpus(void);
void vmx_disable_all_cpus(void);
unsigned int vmx_cpus_on(void);
void vmx_show_cpus(struct seq_file *m);

/* debugfs.c: /sys/kernel/debug/tvmm/ (caps, cpus). Never fails the load. */
void tvmm_debugfs_init(void);
void tvmm_debugfs_exit(void);

#endif /* _TVMM_H */
