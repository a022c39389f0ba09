// SPDX-License-Identifier: GPL-2.0
/*
 * snapshot.c - save a whole VM (TVMM_GET_STATE) and continue it in a new
 * one (TVMM_SET_STATE); pause a VM after a given number of exits
 * (TVMM_PAUSE_AT).
 *
 * Concept: a VM is data. The notes list "management: create, configure,
 * monitor, migrate" among a VMM's jobs; saving and migrating a VM work
 * because everything the guest can observe is state the VMM holds: guest
 * RAM, the registers the CPU saved in the VMCS at the last exit, and the
 * virtual CPU tvmm emulates in software (the virtual IF, the pending tick,
 * the timer's phase, the shadow tables of a de-privileged guest, the sites
 * patch mode rewrote, the device's registers). Copy all of it out while
 * the guest is stopped between two exits, put it into a fresh VM, and the
 * guest cannot tell: it goes on at the next instruction. That is what
 * `virsh save`/`restore` and, sent over a network instead of a file, a
 * migration between servers do.
 *
 * What is *not* state: the host's half of the VMCS (this CPU's GDT, CR3,
 * stack: vmcs_refresh_host_state() writes it on whatever CPU runs the new
 * VM), the VPID and the VMCS address (the new VM's own), the real CR0/CR4
 * (derived from the guest's view, cr.c), the TSC deadline (kept as
 * "ticks left", then rebased on the new host's clock). The guest's clock
 * is state: it reads the host TSC plus vm->tsc_offset (TSC offsetting,
 * vmcs.c), and a restore picks the offset that makes it go on from the
 * value it had when saved, even in another boot where the host TSC
 * started again from 0. A guest spinning on RDTSC sees no jump.
 *
 * A restored state is hostile input: a snapshot file is a file anyone can
 * write. snapshot_check.c checks every field before any of it reaches the
 * VMCS or tvmm's own data, and TVMM_SET_STATE builds the VM only after
 * that; any refusal leaves the VM as fresh as open() made it.
 *
 * SDM: vol. 3C, 25.4 "Guest-State Area", 25.11.1 (a VMCS is VMCLEARed
 *      before another CPU loads it); 27.3.1 (the checks a restored state
 *      must pass).
 * Context: process context, under the VM's run_lock; the VMCS is loaded
 *      here with preemption off, as the run loop does.
 */
#define pr_fmt(fmt) KBUILD_MODNAME ": " fmt

#include <linux/bitmap.h>
#include <linux/slab.h>
#include <linux/uaccess.h>
#include <asm/io.h>
#include <asm/msr.h>

#include "tvmm.h"
#include "vmx_insn.h"

/* Selector, base, limit and access-rights fields of segment @i (ES = 0 ... TR = 7). */
#define SEG_FIELD(first, i)	((first) + (i) * 2)

/**
 * snapshot_update_exit_limit() - the one number the run loop compares the
 * exit count with after each exit: the first of --max-exits and the pause.
 * @vm: the VM (run_lock held)
 */
void snapshot_update_exit_limit(struct tvmm_vm *vm)
{
	u64 limit = U64_MAX;

	if (vm->config.max_exits)
		limit = vm->config.max_exits;
	if (vm->pause_at && vm->pause_at < limit)
		limit = vm->pause_at;
	vm->exit_limit = limit;
}

/**
 * snapshot_exit_limit() - the exit count reached vm->exit_limit (vcpu.c).
 * @vm: the VM, in the run loop
 *
 * --max-exits ends the VM; a pause only ends the slice, the way a console
 * line does, so TVMM_RUN returns with the VM intact after exactly that
 * exit (its handling, injection decision and record all done).
 */
void snapshot_exit_limit(struct tvmm_vm *vm)
{
	if (vm->config.max_exits && vm->exits >= vm->config.max_exits) {
		vcpu_end(vm, TVMM_END_MAX_EXITS, vm->exits,
			 "stopped after %llu exits (--max-exits)", vm->exits);
		return;
	}
	vm->pause_at = 0;
	snapshot_update_exit_limit(vm);
	vm->console_flush = true;
}

/* TVMM_PAUSE_AT: 0 cancels; a count already reached is refused. */
int snapshot_pause_at(struct tvmm_vm *vm, u64 exits)
{
	if (exits && exits <= vm->exits)
		return -EINVAL;
	vm->pause_at = exits;
	snapshot_update_exit_limit(vm);
	return 0;
}

/* VMREAD the guest-state fields of the current VMCS into @s. */
static int snapshot_read_vmcs(struct tvmm_vm *vm, struct tvmm_vm_state *s)
{
	static const unsigned long fields[] = {
		VMCS_GUEST_RIP, VMCS_GUEST_RSP, VMCS_GUEST_RFLAGS, VMCS_GUEST_CR3,
		VMCS_GUEST_IA32_EFER, VMCS_GUEST_SYSENTER_CS, VMCS_GUEST_SYSENTER_ESP,
		VMCS_GUEST_SYSENTER_EIP, VMCS_GUEST_GDTR_BASE, VMCS_GUEST_IDTR_BASE,
		VMCS_GUEST_GDTR_LIMIT, VMCS_GUEST_IDTR_LIMIT,
		VMCS_GUEST_INTERRUPTIBILITY_INFO, VMCS_GUEST_ACTIVITY_STATE,
		VMCS_GUEST_PENDING_DBG_EXCEPTIONS, VMCS_VM_ENTRY_INTR_INFO_FIELD,
		VMCS_VM_ENTRY_EXCEPTION_ERROR_CODE, VMCS_VM_ENTRY_INSTRUCTION_LEN,
	};
	u64 v[ARRAY_SIZE(fields)];
	unsigned int i;
	int err = 0;

	for (i = 0; i < ARRAY_SIZE(fields); i++)
		err |= vmx_vmread(fields[i], &v[i]);
	s->rip = v[0];
	s->rsp = v[1];
	s->rflags = v[2];
	s->cr3 = v[3];
	s->efer = v[4];
	s->sysenter_cs = v[5];
	s->sysenter_esp = v[6];
	s->sysenter_eip = v[7];
	s->gdtr_base = v[8];
	s->idtr_base = v[9];
	s->gdtr_limit = v[10];
	s->idtr_limit = v[11];
	s->interruptibility = v[12];
	s->activity = v[13];
	s->pending_dbg = v[14];
	s->entry_intr_info = v[15];
	s->entry_error_code = v[16];
	s->entry_insn_len = v[17];
	for (i = 0; i < TVMM_STATE_SEGS; i++) {
		u64 sel, limit, ar;

		err |= vmx_vmread(SEG_FIELD(VMCS_GUEST_ES_SELECTOR, i), &sel);
		err |= vmx_vmread(SEG_FIELD(VMCS_GUEST_ES_BASE, i), &s->seg[i].base);
		err |= vmx_vmread(SEG_FIELD(VMCS_GUEST_ES_LIMIT, i), &limit);
		err |= vmx_vmread(SEG_FIELD(VMCS_GUEST_ES_AR_BYTES, i), &ar);
		s->seg[i].selector = sel;
		s->seg[i].limit = limit;
		s->seg[i].ar = ar;
	}
	/*
	 * The CPU clears only the valid bit of an event it injected (SDM
	 * 27.6.1); the error code and length stay behind, meaningless.
	 */
	if (!(s->entry_intr_info & TVMM_INTR_INFO_VALID)) {
		s->entry_intr_info = 0;
		s->entry_error_code = 0;
		s->entry_insn_len = 0;
	}
	if (vm->set_regs_pending) {	/* TVMM_SET_REGS not yet written in */
		s->rip = vm->set_regs.rip;
		s->rsp = vm->set_regs.rsp;
		s->rflags = vm->set_regs.rflags | X86_EFLAGS_FIXED;
	}
	return err ? -EIO : 0;
}

/*
 * Load the VM's VMCS on this CPU for a moment, as a run slice does
 * (vcpu.c), read it, and VMCLEAR it again so any CPU may run it next.
 */
static int snapshot_read_vmcs_clear(struct tvmm_vm *vm, struct tvmm_vm_state *s)
{
	u64 hpa = page_to_phys(vm->vmcs);
	int err;

	preempt_disable();
	if (!vmx_cpu_is_on()) {
		preempt_enable();
		return -ENXIO;
	}
	err = vmx_vmptrld(hpa);
	if (!err) {
		vmx_cpu_set_loaded_vmcs(hpa);
		err = snapshot_read_vmcs(vm, s);
		err |= vmx_vmclear(hpa);
		vmx_cpu_set_loaded_vmcs(0);
	}
	preempt_enable();
	return err ? -EIO : 0;
}

/*
 * The virtual CPU's interrupt side (virq.c): what a real CPU keeps in its
 * RFLAGS.IF, its interrupt controller and its clock, and tvmm keeps in
 * software. None of it is in the VMCS: a save that copied only the VMCS
 * would wake a guest with its interrupts, its timer or its clock changed.
 * @now: the host TSC, read once for the timer and the clock.
 * Return: 0, or -ENOPKG while the lab's TODO is a stub.
 */
static int snapshot_save_virq(struct tvmm_vm *vm, struct tvmm_vm_state *s, u64 now)
{
	/*
	 * TODO(lab11.1) BEGIN: save the virtual CPU that tvmm emulates in
	 * software (virq.c): the virtual IF, whether the timer runs, a tick
	 * raised but not yet delivered, the interrupt window asked for, a HLT
	 * the guest waits in; the timer's phase as s->timer_left, the host
	 * TSC ticks left until its next tick (a deadline already passed is a
	 * tick due now: 0 left), never more than one period; and the guest's
	 * clock, s->tsc: the TSC value the guest would read now (its RDTSC
	 * reads the host TSC plus vm->tsc_offset: TSC offsetting, SDM vol. 3C
	 * 26.3). snapshot_restore_vcpu() reads them back; check_vcpu() in
	 * snapshot_check.c says which values a restore accepts.
	 * Hint: the deadline and @now are u64 host TSC values: a difference
	 * of two of them wraps if the deadline is already behind @now.
	 */
#ifdef CONFIG_TVMM_LAB11_SOLUTION
	s->vif = vm->vif;
	s->timer_on = vm->timer_on;
	s->irq_pending = vm->irq_pending;
	s->irq_window = vm->irq_window;
	s->halted = vm->halted;
	/* The timer's phase: a deadline already passed is a tick due now. */
	if (vm->timer_on && (s64)(vm->timer_deadline - now) > 0)
		s->timer_left = min(vm->timer_deadline - now, vm->timer_period);
	s->tsc = now + vm->tsc_offset;
	return 0;
#else
	return tvmm_lab_todo("lab11.1",
			     "save the virtual CPU (virtual IF, timer and its phase, pending tick, guest clock)");
#endif
	/* TODO(lab11.1) END */
}

/*
 * The software half of the virtual CPU: what tvmm emulates, not the VMCS
 * (its interrupt side is snapshot_save_virq()'s).
 */
static void snapshot_save_vcpu(struct tvmm_vm *vm, struct tvmm_vm_state *s)
{
	const struct tvmm_guest_regs *g = &vm->regs;
	const struct tvmm_exit_info *h = &vm->halt.exit;
	unsigned int i;

	s->rax = g->rax;
	s->rbx = g->rbx;
	s->rcx = g->rcx;
	s->rdx = g->rdx;
	s->rsi = g->rsi;
	s->rdi = g->rdi;
	s->rbp = g->rbp;
	s->r8 = g->r8;
	s->r9 = g->r9;
	s->r10 = g->r10;
	s->r11 = g->r11;
	s->r12 = g->r12;
	s->r13 = g->r13;
	s->r14 = g->r14;
	s->r15 = g->r15;
	s->cr0 = vm->cr0_shadow;
	s->cr4 = vm->cr4_shadow;
	memcpy(s->dr, vm->dr, sizeof(s->dr));
	s->dr6 = vm->dr6;
	s->dr7 = vm->dr7;

	s->ticks_delivered = vm->ticks_delivered;
	s->ticks_coalesced = vm->ticks_coalesced;
	s->halt_pending = vm->halt.pending;
	if (vm->halt.pending) {
		s->halt.reason = h->reason & TVMM_EXIT_REASON_BASIC_MASK;
		s->halt.insn_len = h->insn_len;
		s->halt.qual = h->qual;
		s->halt.rip = h->rip;
		s->halt.rflags = h->rflags;
		s->halt.cycles = vm->halt.cycles;
		s->halt.intr_info = h->intr_info;
		s->halt.error_code = h->error_code;
		s->halt.vif = h->vif;
		s->halt.action = h->action;
		strscpy_pad(s->halt.mnemonic, h->mnemonic ? h->mnemonic : "",
			    sizeof(s->halt.mnemonic));
	}

	s->dev_scratch = vm->dev.scratch;
	s->dev_counter = vm->dev.counter;
	s->dev_doorbells = vm->dev.doorbells;
	s->guest_gdt_base = vm->guest_gdt_base;
	s->guest_idt_base = vm->guest_idt_base;
	s->guest_gdt_limit = vm->guest_gdt_limit;
	s->guest_idt_limit = vm->guest_idt_limit;
	bitmap_to_arr64(s->user_gates, vm->user_gates, TVMM_NR_VECTORS);

	s->nr_patch_sites = vm->patch.nr_sites;
	s->pages_scanned = vm->patch.pages_scanned;
	s->insns_decoded = vm->patch.insns_decoded;
	s->unknown_opcodes = vm->patch.unknown_opcodes;
	s->sites_skipped = vm->patch.sites_skipped;
	for (i = 0; i < vm->patch.nr_sites; i++) {
		const struct tvmm_patch_site *p = &vm->patch.sites[i];

		s->patch_sites[i].gpa = p->gpa;
		s->patch_sites[i].len = p->len;
		s->patch_sites[i].kind = p->kind;
		memcpy(s->patch_sites[i].orig, p->orig, sizeof(p->orig));
		s->patch_sites[i].hits = p->hits;
	}
	if (vm->config.mode == TVMM_MODE_PATCH)
		for (i = 0; i < vm->mem.nr_pages; i++)
			if (ept_get_exec(&vm->mem, (u64)i << PAGE_SHIFT))
				s->exec_pages[i / 64] |= BIT_ULL(i % 64);

	s->exits = vm->exits;
	s->seq = trace_next_seq(vm);
	s->stats = vm->stats;
}

/* Copy guest RAM to or from userspace, page by page. */
static int snapshot_copy_ram(struct tvmm_vm *vm, u64 addr, bool to_user)
{
	void __user *p = u64_to_user_ptr(addr);
	unsigned long i;

	for (i = 0; i < vm->mem.nr_pages; i++, p += PAGE_SIZE) {
		void *page = page_address(vm->mem.pages[i]);

		if (to_user ? copy_to_user(p, page, PAGE_SIZE) :
			      copy_from_user(page, p, PAGE_SIZE))
			return -EFAULT;
		cond_resched();
	}
	return 0;
}

/**
 * snapshot_get_state() - TVMM_GET_STATE: the whole VM, its RAM to ram_addr.
 * @vm: the VM (run_lock held)
 * @argp: the caller's struct tvmm_vm_state; version, size and ram_addr in
 *
 * Return: 0; -EINVAL for a bad version or size, -EAGAIN if the VM has not
 * run yet (its VMCS holds nothing), -ESRCH if it has ended, -EOPNOTSUPP
 * for a real-mode guest, -EFAULT, -EIO (a VMX instruction failed),
 * -ENOPKG (lab 11's TODO is a stub).
 */
int snapshot_get_state(struct tvmm_vm *vm, void __user *argp)
{
	struct tvmm_vm_state *s;
	u32 version, size;
	u64 ram_addr;
	int err;

	if (get_user(version, (u32 __user *)argp) ||
	    get_user(size, (u32 __user *)(argp + offsetof(struct tvmm_vm_state, size))) ||
	    get_user(ram_addr, (u64 __user *)(argp + offsetof(struct tvmm_vm_state, ram_addr))))
		return -EFAULT;
	if (version != TVMM_STATE_VERSION || size != sizeof(*s))
		return -EINVAL;
	if (!vm->image_loaded || !vm->vmcs_ready)
		return -EAGAIN;
	if (vm->end)
		return -ESRCH;
	if (vm->config.mode == TVMM_MODE_REAL || !(vm->cr0_shadow & X86_CR0_PE))
		return -EOPNOTSUPP;
	s = kzalloc(sizeof(*s), GFP_KERNEL_ACCOUNT);
	if (!s)
		return -ENOMEM;
	s->version = TVMM_STATE_VERSION;
	s->size = sizeof(*s);
	s->ram_addr = ram_addr;
	s->config = vm->config;
	err = snapshot_save_virq(vm, s, rdtsc());
	if (!err)
		err = snapshot_read_vmcs_clear(vm, s);
	if (!err) {
		snapshot_save_vcpu(vm, s);
		/* No ram_addr: the state alone (a live migration sent the RAM). */
		if (ram_addr)
			err = snapshot_copy_ram(vm, ram_addr, true);
	}
	if (!err && copy_to_user(argp, s, sizeof(*s)))
		err = -EFAULT;
	kfree(s);
	return err;
}

/* Put the checked state's software half into the VM. */
static void snapshot_restore_vcpu(struct tvmm_vm *vm, const struct tvmm_vm_state *s)
{
	struct tvmm_guest_regs *g = &vm->regs;
	struct tvmm_exit_info *h = &vm->halt.exit;
	unsigned int i;
	u64 now;

	g->rax = s->rax;
	g->rbx = s->rbx;
	g->rcx = s->rcx;
	g->rdx = s->rdx;
	g->rsi = s->rsi;
	g->rdi = s->rdi;
	g->rbp = s->rbp;
	g->r8 = s->r8;
	g->r9 = s->r9;
	g->r10 = s->r10;
	g->r11 = s->r11;
	g->r12 = s->r12;
	g->r13 = s->r13;
	g->r14 = s->r14;
	g->r15 = s->r15;
	vm->cr0_shadow = s->cr0;
	vm->cr4_shadow = s->cr4;
	memcpy(vm->dr, s->dr, sizeof(vm->dr));
	vm->dr6 = s->dr6;
	vm->dr7 = s->dr7;

	virq_init(vm);			/* the period, from the config */
	vm->vif = s->vif;
	vm->timer_on = s->timer_on;
	vm->irq_pending = s->irq_pending;
	vm->irq_window = s->irq_window;
	vm->halted = s->halted;
	/* The guest's clock and its timer's phase, on this host's TSC. */
	now = rdtsc();
	vm->tsc_offset = s->tsc - now;
	vm->timer_deadline = now + s->timer_left;
	vm->ticks_delivered = s->ticks_delivered;
	vm->ticks_coalesced = s->ticks_coalesced;
	vm->halt.pending = s->halt_pending;
	if (s->halt_pending) {
		*h = (struct tvmm_exit_info){
			.reason = s->halt.reason, .qual = s->halt.qual,
			.rip = s->halt.rip, .rflags = s->halt.rflags,
			.intr_info = s->halt.intr_info, .error_code = s->halt.error_code,
			.insn_len = s->halt.insn_len, .action = s->halt.action,
			.vif = s->halt.vif,
			/* Checked to be "hlt" or empty: the record needs a string that lives on. */
			.mnemonic = s->halt.mnemonic[0] ? "hlt" : "",
		};
		vm->halt.cycles = s->halt.cycles;
	}

	if (tvmm_mode_ring1(vm->config.mode))	/* as depriv_protect_shadow() */
		vm->shadow_gpa = vm->config.mem_size - TVMM_DEPRIV_RESERVED;
	vm->dev.scratch = s->dev_scratch;
	vm->dev.counter = s->dev_counter;
	vm->dev.doorbells = s->dev_doorbells;
	vm->guest_gdt_base = s->guest_gdt_base;
	vm->guest_idt_base = s->guest_idt_base;
	vm->guest_gdt_limit = s->guest_gdt_limit;
	vm->guest_idt_limit = s->guest_idt_limit;
	bitmap_from_arr64(vm->user_gates, s->user_gates, TVMM_NR_VECTORS);

	vm->patch.pages_scanned = s->pages_scanned;
	vm->patch.insns_decoded = s->insns_decoded;
	vm->patch.unknown_opcodes = s->unknown_opcodes;
	vm->patch.sites_skipped = s->sites_skipped;
	for (i = 0; i < s->nr_patch_sites; i++) {
		struct tvmm_patch_site *p = &vm->patch.sites[i];

		p->gpa = s->patch_sites[i].gpa;
		p->len = s->patch_sites[i].len;
		p->kind = s->patch_sites[i].kind;
		memcpy(p->orig, s->patch_sites[i].orig, sizeof(p->orig));
		p->hits = s->patch_sites[i].hits;
	}
	smp_store_release(&vm->patch.nr_sites, s->nr_patch_sites);	/* debugfs */

	vm->exits = s->exits;
	vm->trace.seq_base = s->seq - vm->trace.head;	/* head is 0: nothing ran */
	vm->stats = s->stats;
}

/* Patch mode: the pages scanned before the snapshot are executable again. */
static int snapshot_restore_exec(struct tvmm_vm *vm, const struct tvmm_vm_state *s)
{
	unsigned long i;
	int err = 0;

	/* Never tvmm's shadow tables, whatever the file says (deprivilege.c). */
	for (i = 0; i < vm->mem.nr_pages && !err; i++)
		if ((s->exec_pages[i / 64] & BIT_ULL(i % 64)) &&
		    !depriv_in_shadow(vm, (u64)i << PAGE_SHIFT, PAGE_SIZE))
			err = ept_set_exec(&vm->mem, (u64)i << PAGE_SHIFT, true);
	return err;
}

/**
 * snapshot_restore() - put a checked state into a VM just built for it.
 * @vm: its config set from @s and its RAM allocated (vm.c), nothing run
 * @s: the state, checked by snapshot_check(); kept until the first slice
 *
 * The RAM comes from the caller's @s->ram_addr; the VMCS half is written
 * at the first run slice (snapshot_load_vmcs()).
 * Return: 0, or -EFAULT (the RAM could not be read) or an EPT error.
 */
int snapshot_restore(struct tvmm_vm *vm, const struct tvmm_vm_state *s)
{
	int err = snapshot_copy_ram(vm, s->ram_addr, false);

	if (!err)
		err = snapshot_restore_exec(vm, s);
	if (err)
		return err;
	snapshot_restore_vcpu(vm, s);
	snapshot_update_exit_limit(vm);
	return 0;
}

/*
 * vmcs_setup() for a restored VM, at its first slice (vcpu.c): the
 * controls as for any VM of its mode (vmcs.c), this CPU's host state,
 * then every guest field from the checked state instead of the guest
 * ABI's starting machine. Return: 0 or a VMWRITE error.
 */
int snapshot_load_vmcs(struct tvmm_vm *vm)
{
	const struct tvmm_vm_state *s = vm->restore;
	unsigned int i;
	int err = vmcs_setup_controls(vm);

	if (!err)
		err = vmcs_refresh_host_state();
	if (err)
		return err;
	for (i = 0; i < TVMM_STATE_SEGS; i++) {
		vmx_vmwrite(SEG_FIELD(VMCS_GUEST_ES_SELECTOR, i), s->seg[i].selector, &err);
		vmx_vmwrite(SEG_FIELD(VMCS_GUEST_ES_BASE, i), s->seg[i].base, &err);
		vmx_vmwrite(SEG_FIELD(VMCS_GUEST_ES_LIMIT, i), s->seg[i].limit, &err);
		vmx_vmwrite(SEG_FIELD(VMCS_GUEST_ES_AR_BYTES, i), s->seg[i].ar, &err);
	}
	vmx_vmwrite(VMCS_GUEST_CR0, cr_real_cr0(s->cr0), &err);
	vmx_vmwrite(VMCS_GUEST_CR4, cr_real_cr4(s->cr4), &err);
	vmx_vmwrite(VMCS_GUEST_CR3, s->cr3, &err);
	vmx_vmwrite(VMCS_GUEST_DR7, s->dr7 & ~TVMM_DR7_GD, &err);	/* as debugreg.c */
	vmx_vmwrite(VMCS_GUEST_RIP, s->rip, &err);
	vmx_vmwrite(VMCS_GUEST_RSP, s->rsp, &err);
	vmx_vmwrite(VMCS_GUEST_RFLAGS, s->rflags | X86_EFLAGS_FIXED, &err);
	vmx_vmwrite(VMCS_GUEST_GDTR_BASE, s->gdtr_base, &err);
	vmx_vmwrite(VMCS_GUEST_GDTR_LIMIT, s->gdtr_limit, &err);
	vmx_vmwrite(VMCS_GUEST_IDTR_BASE, s->idtr_base, &err);
	vmx_vmwrite(VMCS_GUEST_IDTR_LIMIT, s->idtr_limit, &err);
	vmx_vmwrite(VMCS_GUEST_IA32_EFER, s->efer, &err);
	vmx_vmwrite(VMCS_GUEST_IA32_DEBUGCTL, 0, &err);
	vmx_vmwrite(VMCS_GUEST_SYSENTER_CS, s->sysenter_cs, &err);
	vmx_vmwrite(VMCS_GUEST_SYSENTER_ESP, s->sysenter_esp, &err);
	vmx_vmwrite(VMCS_GUEST_SYSENTER_EIP, s->sysenter_eip, &err);
	vmx_vmwrite(VMCS_GUEST_ACTIVITY_STATE, s->activity, &err);
	vmx_vmwrite(VMCS_GUEST_INTERRUPTIBILITY_INFO, s->interruptibility, &err);
	vmx_vmwrite(VMCS_GUEST_PENDING_DBG_EXCEPTIONS, s->pending_dbg, &err);
	vmx_vmwrite(VMCS_VM_ENTRY_INTR_INFO_FIELD, s->entry_intr_info, &err);
	vmx_vmwrite(VMCS_VM_ENTRY_EXCEPTION_ERROR_CODE, s->entry_error_code, &err);
	vmx_vmwrite(VMCS_VM_ENTRY_INSTRUCTION_LEN, s->entry_insn_len, &err);
	/* Interrupt-window exiting, as virq.c had it (controls start with it off). */
	if (s->irq_window)
		vmx_vmwrite(VMCS_CPU_BASED_VM_EXEC_CONTROL,
			    vmcs_read(VMCS_CPU_BASED_VM_EXEC_CONTROL) |
			    BIT(CPU_INTR_WINDOW_EXITING), &err);
	return err;
}

/* The restored state was loaded (or the VM is going away): free it. */
void snapshot_free(struct tvmm_vm *vm)
{
	kfree(vm->restore);
	vm->restore = NULL;
}
