// SPDX-License-Identifier: GPL-2.0
/*
 * nmi_probe.c - a test helper: send NMIs to a CPU and count the ones
 * Linux's NMI handlers see.
 *
 * Concept: an NMI that arrives while a guest runs is a VM exit (tvmm sets
 * "NMI exiting"), not an NMI for Linux: the CPU does not deliver it
 * through the IDT, and it keeps NMIs blocked until the next IRET. The VMM
 * must hand it to Linux's NMI entry itself (module/host_state.c), or the
 * NMI is lost: a perf sample, a watchdog, a crash-dump stop, an
 * "NMI button". This module is the NMI's owner the test watches: its
 * NMI_LOCAL handler claims (NMI_HANDLED) the NMIs it sent and counts them,
 * so none of them is an "unknown NMI" for Linux, and a lost one shows as
 * a count short.
 *
 *   /sys/kernel/debug/nmi_probe/send   write "CPU N": send N NMIs to CPU,
 *       one at a time, each gap_us after the previous one was handled, or
 *       given up (timeout_ms); the counters below restart at each write
 *   /sys/kernel/debug/nmi_probe/stats  read: "sent S", "handled H",
 *       "missed M" (not handled within timeout_ms), "in_tvmm T" (handled
 *       with the interrupted RIP in tvmm.ko: the NMI came through tvmm's
 *       hand-off, or hit tvmm's host code), "handoff F" (handled through
 *       tvmm's hand-off itself: the interrupted RIP is right after an
 *       "int $2" in tvmm.ko, or in tvmm_call_nmi_entry, the two ways
 *       module/host_state.c calls Linux's NMI entry), "handoff_irqs_on I"
 *       (of those, with RFLAGS.IF set: tvmm must hand NMIs over before it
 *       enables interrupts), "last_tvmm_ip SYMBOL" (where the last NMI
 *       that interrupted tvmm came from, or "-")
 *
 * Only for the lab VM: NMIs sent to a CPU interrupt whatever it runs.
 * Context: the writes run in process context (they sleep while waiting);
 *      the handler in NMI context (atomics only).
 */
#include <linux/atomic.h>
#include <linux/cpumask.h>
#include <linux/debugfs.h>
#include <linux/delay.h>
#include <linux/jiffies.h>
#include <linux/kallsyms.h>
#include <linux/kernel.h>
#include <linux/module.h>
#include <linux/mutex.h>
#include <linux/seq_file.h>
#include <linux/string.h>
#include <linux/uaccess.h>
#include <asm/apic.h>
#include <asm/irq_vectors.h>
#include <asm/nmi.h>

#define NMI_PROBE_MAX	1000	/* NMIs per write */

static unsigned int timeout_ms = 1000;
module_param(timeout_ms, uint, 0600);
MODULE_PARM_DESC(timeout_ms, "how long to wait for each NMI to be handled");

/*
 * The pause after each NMI is handled: the target CPU is back in what it
 * ran before (the guest), not still in the host's handling of the last
 * NMI's exit, when the next one comes. On the debug lab kernel that
 * handling takes a millisecond or more of emulated time.
 */
static unsigned int gap_us = 10000;
module_param(gap_us, uint, 0600);
MODULE_PARM_DESC(gap_us, "pause between one NMI handled and the next sent (us)");

static struct dentry *probe_dir;
static DEFINE_MUTEX(send_lock);

/* The CPU the NMIs go to, and whether one is in flight (0 or 1). */
static atomic_t target_cpu = ATOMIC_INIT(-1);
static atomic_t expected;
static atomic_t sent, handled, missed, in_tvmm, handoff, handoff_irqs_on;

/* Where the last NMI handled in tvmm came from, "function+off/size [tvmm]". */
static char last_tvmm_ip[KSYM_SYMBOL_LEN];

/*
 * Is @ip in tvmm.ko? The kernel exports no module lookup by address to
 * modules in 6.1, but sprint_symbol() names the module, and is what NMI
 * backtraces use in NMI context.
 */
static bool ip_in_tvmm(unsigned long ip)
{
	char sym[KSYM_SYMBOL_LEN];
	size_t len = sprint_symbol(sym, ip);

	if (len < 7 || strcmp(sym + len - 7, " [tvmm]"))
		return false;
	strscpy(last_tvmm_ip, sym, sizeof(last_tvmm_ip));
	return true;
}

/*
 * Did the NMI come through tvmm's hand-off (@ip is in tvmm)? "int $2"
 * (0xcd 0x02) pushes the address after it; tvmm_call_nmi_entry() pushes
 * its own return point, in itself.
 */
static bool ip_is_handoff(unsigned long ip)
{
	u8 insn[2];

	if (!strncmp(last_tvmm_ip, "tvmm_call_nmi_entry+", 20))
		return true;
	if (copy_from_kernel_nofault(insn, (void *)(ip - 2), sizeof(insn)))
		return false;
	return insn[0] == 0xcd && insn[1] == 2;
}

static int nmi_probe_handler(unsigned int type, struct pt_regs *regs)
{
	if (atomic_read(&target_cpu) != smp_processor_id())
		return NMI_DONE;
	if (!atomic_xchg(&expected, 0))
		return NMI_DONE;	/* not ours: Linux reports it as unknown */
	atomic_inc(&handled);
	if (ip_in_tvmm(regs->ip)) {
		atomic_inc(&in_tvmm);
		if (ip_is_handoff(regs->ip)) {
			atomic_inc(&handoff);
			if (regs->flags & X86_EFLAGS_IF)
				atomic_inc(&handoff_irqs_on);
		}
	}
	return NMI_HANDLED;
}

/* Send one NMI to @cpu and wait until the handler took it; false if not. */
static bool send_one(unsigned int cpu)
{
	unsigned long deadline = jiffies + msecs_to_jiffies(timeout_ms);

	atomic_set(&expected, 1);
	atomic_inc(&sent);
	apic->send_IPI(cpu, NMI_VECTOR);
	while (atomic_read(&expected)) {
		if (time_after(jiffies, deadline)) {
			/* Give it up; if it still comes, it is unknown to Linux. */
			if (atomic_xchg(&expected, 0)) {
				atomic_inc(&missed);
				return false;
			}
			break;
		}
		usleep_range(100, 200);
	}
	usleep_range(gap_us, gap_us + 100);
	return true;
}

static ssize_t send_write(struct file *file, const char __user *ubuf,
			  size_t len, loff_t *ppos)
{
	unsigned int cpu, count, i;
	char buf[32];

	if (len >= sizeof(buf))
		return -EINVAL;
	if (copy_from_user(buf, ubuf, len))
		return -EFAULT;
	buf[len] = '\0';
	if (sscanf(buf, "%u %u", &cpu, &count) != 2 || !count || count > NMI_PROBE_MAX)
		return -EINVAL;
	if (cpu >= nr_cpu_ids || !cpu_online(cpu))
		return -ENODEV;

	mutex_lock(&send_lock);
	atomic_set(&sent, 0);
	atomic_set(&handled, 0);
	atomic_set(&missed, 0);
	atomic_set(&in_tvmm, 0);
	atomic_set(&handoff, 0);
	atomic_set(&handoff_irqs_on, 0);
	last_tvmm_ip[0] = '\0';
	atomic_set(&target_cpu, cpu);
	for (i = 0; i < count; i++)
		send_one(cpu);
	atomic_set(&target_cpu, -1);
	mutex_unlock(&send_lock);
	pr_info("nmi_probe: CPU %u: %d NMIs sent, %d handled, %d missed, %d through tvmm's hand-off\n",
		cpu, atomic_read(&sent), atomic_read(&handled), atomic_read(&missed),
		atomic_read(&handoff));
	return len;
}

static const struct file_operations send_fops = {
	.owner = THIS_MODULE,
	.write = send_write,
	.llseek = noop_llseek,
};

static int stats_show(struct seq_file *m, void *unused)
{
	seq_printf(m, "sent %d\nhandled %d\nmissed %d\nin_tvmm %d\nhandoff %d\nhandoff_irqs_on %d\n",
		   atomic_read(&sent), atomic_read(&handled), atomic_read(&missed),
		   atomic_read(&in_tvmm), atomic_read(&handoff), atomic_read(&handoff_irqs_on));
	seq_printf(m, "last_tvmm_ip %s\n", last_tvmm_ip[0] ? last_tvmm_ip : "-");
	return 0;
}
DEFINE_SHOW_ATTRIBUTE(stats);

static int __init nmi_probe_init(void)
{
	int err = register_nmi_handler(NMI_LOCAL, nmi_probe_handler, 0, "nmi_probe");

	if (err)
		return err;
	probe_dir = debugfs_create_dir("nmi_probe", NULL);
	debugfs_create_file("send", 0200, probe_dir, NULL, &send_fops);
	debugfs_create_file("stats", 0400, probe_dir, NULL, &stats_fops);
	return 0;
}

static void __exit nmi_probe_exit(void)
{
	debugfs_remove_recursive(probe_dir);
	unregister_nmi_handler(NMI_LOCAL, "nmi_probe");
}

module_init(nmi_probe_init);
module_exit(nmi_probe_exit);
MODULE_LICENSE("GPL");
MODULE_DESCRIPTION("tvmm selftest helper: send NMIs to a CPU and count the handled ones");
