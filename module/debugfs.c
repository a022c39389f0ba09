// SPDX-License-Identifier: GPL-2.0
/*
 * debugfs.c - /sys/kernel/debug/tvmm/: look inside the VMM while it runs.
 *
 * Concept: monitoring is one of the management jobs the notes give a VMM.
 * debugfs is the kernel's place for such read-only windows; tvmm shows
 * there what it decoded from the CPU and the VMX state of every CPU.
 *
 *   caps  the decoded capabilities (the same text `tvmm caps` prints)
 *   cpus  one line per CPU: online, vmx=on|off, VMXON region address
 *
 * Context: process context. debugfs failures never fail the module load:
 *      the files are a convenience, not a function of the VMM.
 */
#include <linux/debugfs.h>
#include <linux/seq_file.h>
#include <linux/stdarg.h>

#include "tvmm.h"
#include "include/tvmm/caps_text.h"

static struct dentry *tvmm_debugfs_dir;

/* tvmm_caps_describe() prints through this: the kernel end of caps_text.c. */
static __printf(2, 3) void debugfs_seq_print(void *ctx, const char *fmt, ...)
{
	va_list args;

	va_start(args, fmt);
	seq_vprintf(ctx, fmt, args);
	va_end(args);
}

static int caps_show(struct seq_file *m, void *unused)
{
	struct tvmm_caps caps;

	caps_snapshot(&caps);
	tvmm_caps_describe(&caps, debugfs_seq_print, m);
	return 0;
}
DEFINE_SHOW_ATTRIBUTE(caps);

static int cpus_show(struct seq_file *m, void *unused)
{
	vmx_show_cpus(m);
	return 0;
}
DEFINE_SHOW_ATTRIBUTE(cpus);

void tvmm_debugfs_init(void)
{
	tvmm_debugfs_dir = debugfs_create_dir("tvmm", NULL);
	debugfs_create_file("caps", 0400, tvmm_debugfs_dir, NULL, &caps_fops);
	debugfs_create_file("cpus", 0400, tvmm_debugfs_dir, NULL, &cpus_fops);
}

void tvmm_debugfs_exit(void)
{
	debugfs_remove_recursive(tvmm_debugfs_dir);
	tvmm_debugfs_dir = NULL;
}
