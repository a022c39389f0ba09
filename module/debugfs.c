// SPDX-License-Identifier: GPL-2.0
/*
 * debugfs.c - /sys/kernel/debug/tvmm/: look inside the VMM while it runs.
 *
 * Concept: monitoring is one of the management jobs the notes give a VMM.
 * debugfs is the kernel's place for such windows; tvmm shows
 * there what it decoded from the CPU and the VMX state of every CPU.
 *
 *   caps        the decoded capabilities (the same text `tvmm caps` prints)
 *   cpus        one line per CPU: online, vmx=on|off, VMXON region allocated
 *   vmN/state   mode, memory, exits, how the VM ended, who runs it (pid, tid)
 *   vmN/usage   the meter (usage.c): guest, tvmm, host and halted ticks,
 *               exits, RAM-seconds: what `tvmm top` and the bill read
 *   vmN/regs    guest registers at the last exit
 *   vmN/exits   exits and handler cycles per reason (like `perf kvm stat`)
 *   vmN/vmcs    every VMCS field tvmm uses, as of the last exit (host-state
 *               fields named without their values: kernel addresses)
 *   vmN/patches patch mode: the sites patch.c rewrote (gpa, instruction,
 *               times trapped, original bytes) and the scanner's counters
 *   vmN/ept     each page of guest RAM and the EPT leaf entry mapping it
 *   vmN/fail_next_entry  the one writable file, for tests: Y makes the VM's
 *               next entry fail (the only way left to test that path)
 *
 * The vmN files show state copied at the end of each run slice: reading
 * them never touches a VMCS that may be running on another CPU.
 *
 * Context: process context. debugfs failures never fail the module load:
 *      the files are a convenience, not a function of the VMM.
 */
#include <linux/debugfs.h>
#include <linux/seq_file.h>
#include <linux/stdarg.h>

#include "tvmm.h"
#include "include/tvmm/caps_text.h"
#include "include/tvmm/exit_names.h"

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

	vmx_caps_snapshot(&caps);
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

static const char *const end_names[] = {
	[TVMM_END_NONE] = "running", [TVMM_END_HLT] = "hlt",
	[TVMM_END_HYPERCALL] = "hypercall-exit", [TVMM_END_TRIPLE_FAULT] = "triple-fault",
	[TVMM_END_EPT_VIOLATION] = "ept-violation", [TVMM_END_MAX_EXITS] = "max-exits",
	[TVMM_END_ENTRY_FAILED] = "entry-failed", [TVMM_END_UNHANDLED] = "unhandled-exit",
	[TVMM_END_BAD_IO] = "bad-io", [TVMM_END_INTERNAL] = "internal-error",
	[TVMM_END_TODO] = "lab-todo",
	[TVMM_END_BAD_MMIO] = "bad-mmio",
};

static int state_show(struct seq_file *m, void *unused)
{
	struct tvmm_vm *vm = m->private;
	u32 end = READ_ONCE(vm->end);

	seq_printf(m, "mode: %s\nmemory: %llu KiB\nimage loaded: %s\n",
		   tvmm_mode_name(vm->config.mode), vm->config.mem_size >> 10,
		   vm->image_loaded ? "yes" : "no");
	seq_printf(m, "exits: %llu\nlast cpu: %d\nvpid: %u\n",
		   READ_ONCE(vm->exits), READ_ONCE(vm->last_cpu), vm->vpid);
	/* The thread that runs the VM: `tvmm migrate vmN --cpu B` moves it. */
	seq_printf(m, "pid: %d\ntid: %d\nhalted: %d\n", READ_ONCE(vm->meter.pid),
		   READ_ONCE(vm->meter.tid), READ_ONCE(vm->halted));
	seq_printf(m, "state: %s\n", end < ARRAY_SIZE(end_names) ? end_names[end] : "?");
	/* The virtual CPU of labs 06-07: what the guest loaded and believes. */
	seq_printf(m, "vif: %d\ntimer: %s\nticks delivered: %llu\n", vm->vif,
		   vm->timer_on ? "on" : "off", vm->ticks_delivered);
	seq_printf(m, "guest gdt: base 0x%llx limit 0x%x\nguest idt: base 0x%llx limit 0x%x\n",
		   vm->guest_gdt_base, vm->guest_gdt_limit, vm->guest_idt_base,
		   vm->guest_idt_limit);
	seq_printf(m, "user gates: %*pbl\n", TVMM_NR_VECTORS, vm->user_gates);
	if (end)
		seq_printf(m, "end info: 0x%llx\nmessage: %s\n", vm->end_info, vm->message);
	return 0;
}
DEFINE_SHOW_ATTRIBUTE(state);

static int regs_show(struct seq_file *m, void *unused)
{
	struct tvmm_vm *vm = m->private;
	const struct tvmm_guest_regs *g = &vm->regs;
	const struct tvmm_guest_snapshot *s = &vm->snap;

	seq_printf(m, "rax %016llx rbx %016llx rcx %016llx rdx %016llx\n",
		   g->rax, g->rbx, g->rcx, g->rdx);
	seq_printf(m, "rsi %016llx rdi %016llx rbp %016llx rsp %016llx\n",
		   g->rsi, g->rdi, g->rbp, s->rsp);
	seq_printf(m, "rip %016llx rflags %08llx cpl %u\n", s->rip, s->rflags, s->cpl);
	seq_printf(m, "cs %04x ds %04x ss %04x es %04x fs %04x gs %04x\n",
		   s->cs, s->ds, s->ss, s->es, s->fs, s->gs);
	seq_printf(m, "cr0 %08llx cr3 %08llx cr4 %08llx (as the guest sees them)\n",
		   s->cr0, s->cr3, s->cr4);
	return 0;
}
DEFINE_SHOW_ATTRIBUTE(regs);

static int exits_show(struct seq_file *m, void *unused)
{
	struct tvmm_vm *vm = m->private;
	unsigned int i;

	seq_printf(m, "%-24s %12s %16s %10s\n", "reason", "count", "cycles", "avg");
	for (i = 0; i < TVMM_NR_EXIT_REASONS; i++) {
		u64 n = READ_ONCE(vm->stats.count[i]);
		u64 cycles = READ_ONCE(vm->stats.cycles[i]);

		if (n)
			seq_printf(m, "%-24s %12llu %16llu %10llu\n",
				   vmx_exit_reason_name(i), n, cycles, cycles / n);
	}
	seq_printf(m, "%-24s %12llu\n", "total", READ_ONCE(vm->stats.exits));
	return 0;
}
DEFINE_SHOW_ATTRIBUTE(exits);

static int usage_debugfs_show(struct seq_file *m, void *unused)
{
	usage_show(m, m->private);
	return 0;
}
DEFINE_SHOW_ATTRIBUTE(usage_debugfs);

static int patches_show(struct seq_file *m, void *unused)
{
	patch_show(m, m->private);
	return 0;
}
DEFINE_SHOW_ATTRIBUTE(patches);

static int ept_debugfs_show(struct seq_file *m, void *unused)
{
	ept_show(m, m->private);
	return 0;
}
DEFINE_SHOW_ATTRIBUTE(ept_debugfs);

static int profile_debugfs_show(struct seq_file *m, void *unused)
{
	struct tvmm_vm *vm = m->private;

	profile_show(m, &vm->prof);
	return 0;
}
DEFINE_SHOW_ATTRIBUTE(profile_debugfs);

static int vmcs_show(struct seq_file *m, void *unused)
{
	vmcs_dump(m, m->private);
	return 0;
}
DEFINE_SHOW_ATTRIBUTE(vmcs);

void tvmm_debugfs_add_vm(struct tvmm_vm *vm)
{
	char name[16];

	snprintf(name, sizeof(name), "vm%u", vm->id);
	vm->debugfs_dir = debugfs_create_dir(name, tvmm_debugfs_dir);
	debugfs_create_file("state", 0400, vm->debugfs_dir, vm, &state_fops);
	debugfs_create_file("regs", 0400, vm->debugfs_dir, vm, &regs_fops);
	debugfs_create_file("exits", 0400, vm->debugfs_dir, vm, &exits_fops);
	debugfs_create_file("usage", 0400, vm->debugfs_dir, vm, &usage_debugfs_fops);
	debugfs_create_file("vmcs", 0400, vm->debugfs_dir, vm, &vmcs_fops);
	debugfs_create_file("patches", 0400, vm->debugfs_dir, vm, &patches_fops);
	debugfs_create_file("ept", 0400, vm->debugfs_dir, vm, &ept_debugfs_fops);
	if (IS_ENABLED(CONFIG_TVMM_PROFILE))	/* profile.h */
		debugfs_create_file("profile", 0400, vm->debugfs_dir, vm,
				    &profile_debugfs_fops);
	/* Write Y: the VM's next entry fails (vcpu.c), to test that path. */
	debugfs_create_bool("fail_next_entry", 0600, vm->debugfs_dir, &vm->fail_next_entry);
}

/* Waits for readers in progress; the files are gone when it returns. */
void tvmm_debugfs_remove_vm(struct tvmm_vm *vm)
{
	debugfs_remove_recursive(vm->debugfs_dir);
	vm->debugfs_dir = NULL;
}

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
