// SPDX-License-Identifier: GPL-2.0
/*
 * vm.c - /dev/tvmm: one open file is one virtual machine.
 *
 * Concept: a VMM multiplexes one machine among many VMs, each isolated
 * from the others (the notes' consolidation). In tvmm each open() of
 * /dev/tvmm creates a VM with its own guest RAM, EPT tables, VMCS and exit
 * records; close() destroys it. The ioctls are the management interface:
 * configure (TVMM_SET_CONFIG), load a guest image (TVMM_LOAD_IMAGE), run
 * it (TVMM_RUN), inspect it (TVMM_GET_REGS, TVMM_GET_STATS, and its bill,
 * TVMM_GET_USAGE: usage.c); read() and
 * poll() stream its exit records, and mmap() maps them (trace_mmap.c).
 *
 * Context: process context. Every VM ioctl takes the VM's run_lock, so two
 * threads sharing one fd never run one VM twice at once.
 */
#define pr_fmt(fmt) KBUILD_MODNAME ": " fmt

#include <linux/fs.h>
#include <linux/gfp.h>
#include <linux/idr.h>
#include <linux/mm.h>
#include <linux/module.h>
#include <linux/poll.h>
#include <linux/slab.h>
#include <linux/uaccess.h>
#include <asm/io.h>

#include "tvmm.h"

/* vmN numbers for debugfs and tracepoints, and VPIDs (0 is the host's). */
static DEFINE_IDA(vm_ids);
static DEFINE_IDA(vpids);
#define VPID_MAX	0xffff

static int vm_open(struct inode *inode, struct file *file)
{
	struct tvmm_vm *vm = kzalloc(sizeof(*vm), GFP_KERNEL_ACCOUNT);
	int ret;

	if (!vm)
		return -ENOMEM;
	ret = ida_alloc(&vm_ids, GFP_KERNEL);
	if (ret < 0)
		goto err_free;
	vm->id = ret;
	ret = ida_alloc_range(&vpids, 1, VPID_MAX, GFP_KERNEL);
	if (ret < 0)
		goto err_id;
	vm->vpid = ret;
	mutex_init(&vm->run_lock);
	mutex_init(&vm->trace.read_lock);
	init_waitqueue_head(&vm->trace.wait);
	vm->config.mem_size = TVMM_GUEST_MEM_DEFAULT;
	vm->exit_limit = U64_MAX;	/* no --max-exits, no pause */
	vm->last_cpu = -1;
	file->private_data = vm;
	tvmm_debugfs_add_vm(vm);
	return 0;

err_id:
	ida_free(&vm_ids, vm->id);
err_free:
	kfree(vm);
	return ret;
}

/* TVMM_SET_CONFIG: validate everything; the VM is built at LOAD_IMAGE. */
static int vm_set_config(struct tvmm_vm *vm, const struct tvmm_config *cfg)
{
	unsigned int i;

	for (i = 0; i < ARRAY_SIZE(cfg->reserved); i++)
		if (cfg->reserved[i])
			return -EINVAL;
	if (cfg->flags & ~(TVMM_CONFIG_TRACE | TVMM_CONFIG_STRICT_IO |
			   TVMM_CONFIG_NULL_HANDLERS))
		return -EINVAL;
	if (cfg->mode > TVMM_MODE_PATCH)
		return -EINVAL;
	/*
	 * A tick every few instructions would leave the guest no time to run;
	 * a period near 2^64 would wrap the deadline (rdtsc() + period).
	 */
	if (cfg->timer_ticks && cfg->timer_ticks < TVMM_TIMER_MIN)
		return -EINVAL;
	if (cfg->timer_ticks > TVMM_TIMER_MAX && cfg->timer_ticks != TVMM_TIMER_OFF)
		return -EINVAL;
	if (cfg->mem_size && (cfg->mem_size % PAGE_SIZE ||
			      cfg->mem_size < TVMM_GUEST_MEM_MIN ||
			      cfg->mem_size > TVMM_GUEST_MEM_MAX))
		return -EINVAL;
	if (vm->image_loaded)
		return -EBUSY;		/* the machine is built already */
	if (tvmm_mode_ring1(cfg->mode) && cfg->mem_size &&
	    cfg->mem_size < TVMM_DEPRIV_RESERVED + TVMM_GUEST_LOAD_GPA + PAGE_SIZE)
		return -EINVAL;
	vm->config = *cfg;
	if (!vm->config.mem_size)
		vm->config.mem_size = TVMM_GUEST_MEM_DEFAULT;
	/*
	 * The IF a traced VM's record shows is the one before the handler
	 * ran. RFLAGS at the exit has it when the guest's IF is its own;
	 * in the de-privileged modes it is tvmm's copy, which a handler may
	 * change (CLI, STI), so the run loop saves it first (vcpu.c).
	 */
	vm->record_vif = (cfg->flags & TVMM_CONFIG_TRACE) && tvmm_mode_ring1(cfg->mode);
	snapshot_update_exit_limit(vm);
	return 0;
}

/* Build the machine: RAM + EPT, the VMCS region, the exit-record ring. */
static int vm_build(struct tvmm_vm *vm)
{
	u32 *revision;
	int err;

	err = ept_alloc_guest_mem(&vm->mem, vm->config.mem_size);
	if (!err)
		err = patch_init(vm);	/* patch mode: no page executable yet */
	if (!err)
		err = depriv_protect_shadow(vm);	/* ring 1: tvmm's tables read-only */
	if (err)
		goto err_mem;
	vm->vmcs = alloc_page(GFP_KERNEL_ACCOUNT | __GFP_ZERO);
	vm->scratch = kmalloc(TVMM_SCRATCH_SIZE, GFP_KERNEL_ACCOUNT);
	if (!vm->vmcs || !vm->scratch) {
		err = -ENOMEM;
		goto err_vmcs;
	}
	/* SDM 25.2: word 0 of a VMCS region holds the VMCS revision id. */
	revision = page_address(vm->vmcs);
	*revision = vmx_basic_revision(tvmm_caps.vmx_basic);
	if (vm->config.flags & TVMM_CONFIG_TRACE) {
		err = trace_ring_init(&vm->trace);
		if (err)
			goto err_vmcs;
	}
	profile_init(&vm->prof);
	usage_built(vm);	/* its RAM is held from now: the bill's RAM-seconds */
	return 0;

err_vmcs:
	kfree(vm->scratch);
	vm->scratch = NULL;
	if (vm->vmcs)
		__free_page(vm->vmcs);
	vm->vmcs = NULL;
err_mem:
	ept_free_guest_mem(&vm->mem);
	return err;
}

/* Undo vm_build(); also what close() frees. */
static void vm_unbuild(struct tvmm_vm *vm)
{
	trace_ring_free(&vm->trace);
	kfree(vm->scratch);
	vm->scratch = NULL;
	if (vm->vmcs)
		__free_page(vm->vmcs);
	vm->vmcs = NULL;
	ept_free_guest_mem(&vm->mem);
}

/*
 * close(): destroy the VM. Its VMCS was VMCLEARed at the end of the last
 * run slice, so no CPU holds it and its memory can go back.
 */
static int vm_release(struct inode *inode, struct file *file)
{
	struct tvmm_vm *vm = file->private_data;

	tvmm_debugfs_remove_vm(vm);
	snapshot_free(vm);
	vm_unbuild(vm);
	ida_free(&vpids, vm->vpid);
	ida_free(&vm_ids, vm->id);
	kfree(vm);
	return 0;
}

/* TVMM_LOAD_IMAGE: build the VM and copy the flat binary into its RAM. */
static int vm_load_image(struct tvmm_vm *vm, const struct tvmm_image *img)
{
	u64 gpa = vm->config.mode == TVMM_MODE_REAL ? TVMM_GUEST_REAL_LOAD_GPA :
						     TVMM_GUEST_LOAD_GPA;
	/* In deprivileged mode the top of RAM holds tvmm's shadow tables. */
	u64 top = vm->config.mem_size -
		  (tvmm_mode_ring1(vm->config.mode) ? TVMM_DEPRIV_RESERVED : 0);
	int err;

	if (vm->image_loaded)
		return -EBUSY;
	if (!img->size)
		return -EINVAL;
	/* Loaded with lab 02's VMXON still a stub: caps work, VMs cannot. */
	if (!vmx_cpus_on())
		return tvmm_lab_todo("lab02.2", "VMXON on this CPU (VMX is off: no VM can run)");
	if (img->size > top - gpa)
		return -EFBIG;
	err = vm_build(vm);
	if (err)
		return err;
	err = guest_mem_write(&vm->mem, gpa, u64_to_user_ptr(img->addr), img->size);
	if (err) {
		vm_unbuild(vm);
		return err;
	}
	smp_store_release(&vm->image_loaded, true);	/* TVMM_READ_RAM (dirty.c) */
	return 0;
}

static void vm_get_regs(struct tvmm_vm *vm, struct tvmm_regs *r)
{
	const struct tvmm_guest_regs *g = &vm->regs;
	const struct tvmm_guest_snapshot *s = &vm->snap;

	memset(r, 0, sizeof(*r));
	r->rax = g->rax;
	r->rbx = g->rbx;
	r->rcx = g->rcx;
	r->rdx = g->rdx;
	r->rsi = g->rsi;
	r->rdi = g->rdi;
	r->rbp = g->rbp;
	r->r8 = g->r8;
	r->r9 = g->r9;
	r->r10 = g->r10;
	r->r11 = g->r11;
	r->r12 = g->r12;
	r->r13 = g->r13;
	r->r14 = g->r14;
	r->r15 = g->r15;
	r->rsp = s->rsp;
	r->rip = s->rip;
	r->rflags = s->rflags;
	r->cr0 = s->cr0;
	r->cr3 = s->cr3;
	r->cr4 = s->cr4;
	r->cs = s->cs;
	r->ds = s->ds;
	r->ss = s->ss;
	r->es = s->es;
	r->fs = s->fs;
	r->gs = s->gs;
	r->cpl = s->cpl;
}

/*
 * TVMM_SET_REGS: the general registers now; RIP, RSP and RFLAGS live in
 * the VMCS, which is not loaded here, so vcpu.c writes them at the start
 * of the next run slice. Segments and control registers are not settable.
 */
static int vm_set_regs(struct tvmm_vm *vm, const struct tvmm_regs *r)
{
	struct tvmm_guest_regs *g = &vm->regs;

	if (!vm->image_loaded || !vcpu_regs_valid(vm, r))
		return -EINVAL;
	g->rax = r->rax;
	g->rbx = r->rbx;
	g->rcx = r->rcx;
	g->rdx = r->rdx;
	g->rsi = r->rsi;
	g->rdi = r->rdi;
	g->rbp = r->rbp;
	g->r8 = r->r8;
	g->r9 = r->r9;
	g->r10 = r->r10;
	g->r11 = r->r11;
	g->r12 = r->r12;
	g->r13 = r->r13;
	g->r14 = r->r14;
	g->r15 = r->r15;
	vm->set_regs = *r;
	vm->set_regs_pending = true;
	return 0;
}

/*
 * TVMM_GET_STATS. A VM without tracing keeps no record of any exit: all
 * of them count as dropped, worked out here rather than counted on every
 * exit (the run loop's counters are only the ones it needs).
 */
static long vm_get_stats(struct tvmm_vm *vm, void __user *argp)
{
	struct tvmm_stats __user *out = argp;

	if (copy_to_user(out, &vm->stats, sizeof(vm->stats)))
		return -EFAULT;
	if (!(vm->config.flags & TVMM_CONFIG_TRACE) &&
	    put_user(vm->stats.exits, &out->records_dropped))
		return -EFAULT;
	return 0;
}

/*
 * TVMM_SET_STATE: build this fresh VM from a saved one (snapshot.c). In
 * order: its config (checked as TVMM_SET_CONFIG's), every field of the
 * state (snapshot_check.c), then RAM and EPT, then the state copied in.
 * Any refusal undoes what was done: the VM is left as open() made it, and
 * the reason goes back in the caller's error[].
 */
static int vm_set_state(struct tvmm_vm *vm, void __user *argp)
{
	char why[TVMM_MESSAGE_MAX] = "";
	struct tvmm_vm_state *s;
	int err;

	if (vm->image_loaded)
		return -EBUSY;
	s = memdup_user(argp, sizeof(*s));
	if (IS_ERR(s))
		return PTR_ERR(s);
	err = vm_set_config(vm, &s->config);
	if (err) {
		snprintf(why, sizeof(why), "config: mode, flags, RAM size or timer out of range");
		goto out;
	}
	err = snapshot_check(vm, s, why, sizeof(why));
	if (!err)
		err = vm_build(vm);
	if (!err) {
		err = snapshot_restore(vm, s);
		if (err) {
			snprintf(why, sizeof(why), "cannot copy the RAM from ram_addr (%d)", err);
			vm_unbuild(vm);
		}
	}
	if (err) {
		vm->config = (struct tvmm_config){ .mem_size = TVMM_GUEST_MEM_DEFAULT };
		vm->record_vif = false;		/* as the default config says */
		snapshot_update_exit_limit(vm);
		goto out;
	}
	vm->restore = s;	/* its VMCS half goes in at the first slice */
	smp_store_release(&vm->image_loaded, true);	/* TVMM_READ_RAM (dirty.c) */
	return 0;
out:
	kfree(s);
	if (why[0] && copy_to_user(argp + offsetof(struct tvmm_vm_state, error), why,
				   sizeof(why)))
		return -EFAULT;
	return err;
}

/* The ioctls that act on the VM itself, under its run_lock. */
static long vm_ioctl_locked(struct tvmm_vm *vm, unsigned int cmd, void __user *argp)
{
	struct tvmm_usage usage;
	struct tvmm_config cfg;
	struct tvmm_image img;
	struct tvmm_regs regs;
	struct tvmm_run run;
	u64 exits;
	long ret;

	switch (cmd) {
	case TVMM_SET_CONFIG:
		if (copy_from_user(&cfg, argp, sizeof(cfg)))
			return -EFAULT;
		return vm_set_config(vm, &cfg);
	case TVMM_LOAD_IMAGE:
		if (copy_from_user(&img, argp, sizeof(img)))
			return -EFAULT;
		return vm_load_image(vm, &img);
	case TVMM_RUN:
		if (!vm->image_loaded)
			return -EINVAL;		/* nothing to run: LOAD_IMAGE first */
		ret = vcpu_run(vm, &run);
		/* Back to userspace: a mapping reader sees every record so far. */
		trace_ring_publish(&vm->trace);
		/* poll() reports the hang-up now: wake a reader waiting in it. */
		if (vm->end)
			wake_up_interruptible(&vm->trace.wait);
		/*
		 * A signal (Ctrl-C) with console bytes not yet returned: hand
		 * them over now, or they are lost; the signal is delivered on the
		 * way back to userspace all the same, and the next TVMM_RUN sees
		 * any that is still pending.
		 */
		if (ret == -EINTR && run.console_len) {
			if (run.state == TVMM_RUN_TRACE_FULL)
				run.state = TVMM_RUN_CONSOLE;
			ret = 0;
		}
		if (ret)
			return ret;
		return copy_to_user(argp, &run, sizeof(run)) ? -EFAULT : 0;
	case TVMM_GET_REGS:
		vm_get_regs(vm, &regs);
		return copy_to_user(argp, &regs, sizeof(regs)) ? -EFAULT : 0;
	case TVMM_SET_REGS:
		if (copy_from_user(&regs, argp, sizeof(regs)))
			return -EFAULT;
		return vm_set_regs(vm, &regs);
	case TVMM_GET_STATS:
		return vm_get_stats(vm, argp);
	case TVMM_GET_STATE:
		return snapshot_get_state(vm, argp);
	case TVMM_SET_STATE:
		return vm_set_state(vm, argp);
	case TVMM_PAUSE_AT:
		if (get_user(exits, (u64 __user *)argp))
			return -EFAULT;
		return snapshot_pause_at(vm, exits);
	case TVMM_DIRTY_LOG:
		return dirty_log_ioctl(vm, argp);
	case TVMM_GET_USAGE:
		usage_read(vm, &usage);
		return copy_to_user(argp, &usage, sizeof(usage)) ? -EFAULT : 0;
	default:
		return -ENOTTY;
	}
}

static long vm_ioctl(struct file *file, unsigned int cmd, unsigned long arg)
{
	struct tvmm_vm *vm = file->private_data;
	void __user *argp = (void __user *)arg;
	struct tvmm_caps caps;
	long ret;

	switch (cmd) {
	case TVMM_GET_API_VERSION:
		return TVMM_API_VERSION;
	case TVMM_GET_CAPS:
		vmx_caps_snapshot(&caps);
		return copy_to_user(argp, &caps, sizeof(caps)) ? -EFAULT : 0;
	case TVMM_GET_VM_ID:
		return vm->id;
	case TVMM_READ_RAM:	/* while another thread runs the VM (dirty.c) */
		return dirty_read_ram(vm, argp);
	}
	if (mutex_lock_interruptible(&vm->run_lock))
		return -EINTR;
	ret = vm_ioctl_locked(vm, cmd, argp);
	mutex_unlock(&vm->run_lock);
	return ret;
}

static ssize_t vm_read(struct file *file, char __user *buf, size_t len, loff_t *ppos)
{
	struct tvmm_vm *vm = file->private_data;

	/*
	 * Acquire: pairs with the release of image_loaded. Before it, another
	 * thread may be building the VM, and freeing the ring again if the
	 * build fails; after it, the ring stays until release.
	 */
	if (!smp_load_acquire(&vm->image_loaded) || !vm->trace.records)
		return len < sizeof(struct tvmm_exit_record) ? -EINVAL : 0;
	return trace_ring_read(&vm->trace, buf, len, file->f_flags & O_NONBLOCK);
}

static __poll_t vm_poll(struct file *file, poll_table *wait)
{
	struct tvmm_vm *vm = file->private_data;

	/* What a mapping reader read is not waiting any more (as in vm_read()). */
	if (smp_load_acquire(&vm->image_loaded))
		trace_mmap_sync_tail(&vm->trace);
	return trace_ring_poll(&vm->trace, file, wait, READ_ONCE(vm->end));
}

/* The exit-record ring, mapped: trace_mmap.c. */
static int vm_file_mmap(struct file *file, struct vm_area_struct *vma)
{
	return trace_mmap(file->private_data, vma);
}

/*
 * .owner pins the module while a VM exists, so `rmmod tvmm` fails with
 * EBUSY instead of pulling the VMM from under a running guest.
 */
const struct file_operations tvmm_vm_fops = {
	.owner		= THIS_MODULE,
	.open		= vm_open,
	.release	= vm_release,
	.unlocked_ioctl	= vm_ioctl,
	.compat_ioctl	= compat_ptr_ioctl,
	.read		= vm_read,
	.poll		= vm_poll,
	.mmap		= vm_file_mmap,
	.llseek		= noop_llseek,
};
