// SPDX-License-Identifier: GPL-2.0
/*
 * dirty.c - dirty-page tracking for live migration: which pages of guest
 * RAM did the guest write since I last looked?
 *
 * Concept: trap-and-emulate applied to memory. Live migration (pre-copy)
 * copies the RAM of a VM that keeps running, so the copy goes stale while
 * it is made: the VMM must learn which pages the guest wrote since it
 * copied them, and send those again, round after round, until few are
 * left; then it stops the guest and sends the rest with the CPU state
 * (userspace/migrate_live.c). tvmm learns it the way the notes' VMM learns
 * that a guest ran a sensitive instruction: it makes the act trap. Dirty
 * logging takes the write permission away from every page of guest RAM in
 * the EPT; the guest's first write to a page is an EPT violation (SDM vol.
 * 3C, 29.3.3.2), whose exit qualification says it was a write (bit 1,
 * table 28-7). dirty_ept_violation() marks the page dirty, gives the write
 * permission back and resumes the guest at the same instruction, which now
 * completes: one exit per page per round, none for later writes to the
 * same page, and never a trip to userspace. A harvest (TVMM_DIRTY_HARVEST)
 * hands the bitmap to userspace, clears it and takes the permission away
 * again from the pages it named, for the next round.
 *
 * Why a harvest must happen between run slices. The CPU caches EPT
 * translations, permissions included (SDM 29.4: "guest-physical" and
 * "combined" mappings); a leaf made read-only again means nothing to a
 * CPU that still holds the old, writable translation, and the guest's
 * next write to that page would not trap and not be logged: the page
 * would reach the destination stale. The cached translations go only with
 * an INVEPT on the CPU that holds them (29.4.3.1). Every VM ioctl holds
 * run_lock, so a harvest runs while no slice does; and vcpu.c begins every
 * slice with an INVEPT for the VM's EPTP (vcpu_slice_prepare()): the next
 * entry sees the read-only leaves. Giving a permission back needs no
 * INVEPT (an EPT violation invalidates the translations for the address
 * that caused it, 29.4.3.1); dirty_ept_violation() does one all the same,
 * as patch.c does for the execute permission: cheap, and obviously safe.
 *
 * What dirty logging never touches: pages that were not writable when it
 * started. In the ring-1 modes the top 64 KiB (tvmm's shadow GDT, IDT and
 * TSS, deprivilege.c) are read-only to the guest; logging neither protects
 * them (they are already) nor, above all, ever makes them writable: only
 * pages in dirty_wp, the set logging itself protected, get their write
 * permission back. tvmm-dev's page (mmio.c) is outside RAM and has no EPT
 * entry at all. tvmm's own stores into guest RAM (a shadow table, an
 * emulated instruction's operand, a patched site) go through the host's
 * mapping, not the EPT, and would slip past the trap: guest_mem_copy()
 * marks their pages itself (ept.c, dirty_mark(): the bitmaps belong to
 * guest memory, the layer below).
 *
 * The hardware's help, not used here: EPT accessed and dirty flags (SDM
 * 29.3.5, EPTP bit 6; IA32_VMX_EPT_VPID_CAP bit 21, `tvmm caps` line
 * EPT_AD_BITS) make the CPU set bit 9 of a leaf on a write, with no exit;
 * the harvest then scans the leaves for it (and still needs the INVEPT).
 * Fewer exits, the same rounds; write-protection works on every EPT CPU
 * and shows the trap.
 *
 * Cost when off: nothing on the exit path but EPT violations (exits.c
 * asks dirty_ept_violation() first, which tests one pointer), and one
 * test per store tvmm makes into guest RAM.
 *
 * SDM: vol. 3C, 29.3.3.2 "EPT Violations"; 28.2.1, table 28-7 (exit
 *      qualification for EPT violations); 29.4.3 "Invalidating Cached
 *      Translation Information"; 29.3.5 "Accessed and Dirty Flags for EPT".
 * Context: process context, under the VM's run_lock (ioctls, and the run
 *      loop for the fault); dirty_read_ram() without it.
 */
#define pr_fmt(fmt) KBUILD_MODNAME ": " fmt

#include <linux/bitmap.h>
#include <linux/mm.h>
#include <linux/sched.h>
#include <linux/slab.h>
#include <linux/uaccess.h>

#include "tvmm.h"
#include "vmx_insn.h"

/* The bitmaps' words as userspace sees them: 64 bits each. */
static unsigned long dirty_bitmap_bytes(const struct tvmm_guest_mem *mem)
{
	return DIV_ROUND_UP(mem->nr_pages, 64) * sizeof(u64);
}

/*
 * TVMM_DIRTY_START: take the write permission from every writable page of
 * RAM; those pages, and only those, are dirty_wp. Return: pages protected.
 */
static long dirty_log_start(struct tvmm_vm *vm)
{
	struct tvmm_guest_mem *mem = &vm->mem;
	unsigned long i, n = 0;

	if (mem->dirty)
		return -EBUSY;
	mem->dirty = bitmap_zalloc(mem->nr_pages, GFP_KERNEL_ACCOUNT);
	mem->dirty_wp = bitmap_zalloc(mem->nr_pages, GFP_KERNEL_ACCOUNT);
	if (!mem->dirty || !mem->dirty_wp) {
		dirty_log_free(mem);
		return -ENOMEM;
	}
	mem->dirty_faults = 0;
	for (i = 0; i < mem->nr_pages; i++) {
		u64 gpa = (u64)i << PAGE_SHIFT;

		if (!ept_get_write(mem, gpa))
			continue;	/* read-only already: tvmm's shadow tables */
		ept_set_write(mem, gpa, false);
		__set_bit(i, mem->dirty_wp);
		n++;
	}
	return n;	/* the next slice's INVEPT makes it so (vcpu.c) */
}

/* TVMM_DIRTY_STOP: give back every write permission logging took. */
static void dirty_log_stop(struct tvmm_vm *vm)
{
	struct tvmm_guest_mem *mem = &vm->mem;
	unsigned long i;

	for_each_set_bit(i, mem->dirty_wp, mem->nr_pages)
		ept_set_write(mem, (u64)i << PAGE_SHIFT, true);
	dirty_log_free(mem);
}

/*
 * TVMM_DIRTY_HARVEST: the bitmap out, then cleared, and every dirty page
 * the guest can write now write-protected again. A page that is dirty but
 * still protected (tvmm wrote it, dirty_mark()) stays as it is; a page
 * logging never protected (a shadow table) is never made part of it.
 * Return: pages that were dirty, or -EFAULT.
 */
static long dirty_log_harvest(struct tvmm_vm *vm, u64 addr)
{
	struct tvmm_guest_mem *mem = &vm->mem;
	unsigned long bytes = dirty_bitmap_bytes(mem);
	unsigned long i, n = 0;
	u64 *words;
	int err = 0;

	words = kvzalloc(bytes, GFP_KERNEL_ACCOUNT);
	if (!words)
		return -ENOMEM;
	bitmap_to_arr64(words, mem->dirty, mem->nr_pages);
	if (copy_to_user(u64_to_user_ptr(addr), words, bytes))
		err = -EFAULT;
	kvfree(words);
	if (err)
		return err;	/* nothing cleared: the next harvest has it all */
	for_each_set_bit(i, mem->dirty, mem->nr_pages) {
		u64 gpa = (u64)i << PAGE_SHIFT;

		n++;
		if (ept_get_write(mem, gpa) && !depriv_in_shadow(vm, gpa, PAGE_SIZE)) {
			ept_set_write(mem, gpa, false);
			__set_bit(i, mem->dirty_wp);
		}
	}
	bitmap_zero(mem->dirty, mem->nr_pages);
	return n;
}

/**
 * dirty_log_ioctl() - TVMM_DIRTY_LOG: start, harvest or stop.
 * @vm: the VM (run_lock held: no slice runs)
 * @argp: the caller's struct tvmm_dirty_log
 *
 * Return: 0; -EINVAL bad op or reserved field, or no RAM yet; -EBUSY
 * started twice; -ENXIO harvest or stop while off; -ENOMEM; -EFAULT.
 */
int dirty_log_ioctl(struct tvmm_vm *vm, void __user *argp)
{
	struct tvmm_dirty_log log;
	long ret;

	if (copy_from_user(&log, argp, sizeof(log)))
		return -EFAULT;
	if (log.reserved0 || log.reserved[0] || log.reserved[1] || !vm->image_loaded ||
	    vm->mem.lab_unmapped)
		return -EINVAL;
	switch (log.op) {
	case TVMM_DIRTY_START:
		ret = dirty_log_start(vm);
		break;
	case TVMM_DIRTY_HARVEST:
		ret = vm->mem.dirty ? dirty_log_harvest(vm, log.bitmap_addr) : -ENXIO;
		break;
	case TVMM_DIRTY_STOP:
		if (!vm->mem.dirty)
			return -ENXIO;
		log.faults = vm->mem.dirty_faults;
		dirty_log_stop(vm);
		log.pages = 0;
		return copy_to_user(argp, &log, sizeof(log)) ? -EFAULT : 0;
	default:
		return -EINVAL;
	}
	if (ret < 0)
		return ret;
	log.pages = ret;
	log.faults = vm->mem.dirty_faults;
	return copy_to_user(argp, &log, sizeof(log)) ? -EFAULT : 0;
}

/**
 * dirty_ept_violation() - a write to a page dirty logging protected: log
 * it, let the guest write, resume it at the same instruction.
 * @vm: the VM
 * @exit: an EPT-violation exit (gpa, qual)
 *
 * Return: true if the exit was this (handled), false for any other EPT
 * violation: a fetch or a read, outside RAM, a page logging did not
 * protect (a shadow table: exits.c ends the VM as before), or logging off.
 */
bool dirty_ept_violation(struct tvmm_vm *vm, struct tvmm_exit_info *exit)
{
	struct tvmm_guest_mem *mem = &vm->mem;
	unsigned long pfn = exit->gpa >> PAGE_SHIFT;

	if (likely(!mem->dirty) || !(exit->qual & TVMM_EPT_QUAL_WRITE) ||
	    pfn >= mem->nr_pages || !test_bit(pfn, mem->dirty_wp))
		return false;
	/* Dirty first, writable second: a harvest never sees one without the other. */
	__set_bit(pfn, mem->dirty);
	__clear_bit(pfn, mem->dirty_wp);
	mem->dirty_faults++;
	exit->mnemonic = "log dirty";
	exit->insn_len = 0;	/* undefined for EPT violations; the write runs again */
	if (ept_set_write(mem, exit->gpa, true) ||
	    vmx_invept(INVEPT_SINGLE_CONTEXT, mem->eptp)) {
		exit->action = TVMM_ACTION_FATAL;
		vcpu_end(vm, TVMM_END_INTERNAL, exit->gpa,
			 "dirty logging: cannot make page 0x%llx writable again", exit->gpa);
	}
	return true;
}

/**
 * dirty_read_ram() - TVMM_READ_RAM: copy guest RAM out while another
 * thread may be running the guest (no run_lock).
 * @vm: the VM
 * @argp: the caller's struct tvmm_ram_read
 *
 * The pages stay allocated until close(), and an ioctl in progress holds
 * the file open: once image_loaded is seen set (the release in vm.c pairs
 * with this acquire), mem.pages is complete and stays. The bytes may be
 * changing under the copy: a page the guest writes during or after the
 * read is dirty at the next harvest, and is read again.
 * Return: 0; -EINVAL no RAM yet, or a range not page-aligned or outside
 * RAM; -EFAULT.
 */
int dirty_read_ram(struct tvmm_vm *vm, void __user *argp)
{
	struct tvmm_ram_read rd;
	u64 size, i;

	if (copy_from_user(&rd, argp, sizeof(rd)))
		return -EFAULT;
	/* Pairs with the release in vm.c: the pages are in place once this is seen. */
	if (!smp_load_acquire(&vm->image_loaded))
		return -EINVAL;
	size = (u64)vm->mem.nr_pages << PAGE_SHIFT;
	if ((rd.gpa | rd.len) & ~PAGE_MASK || rd.gpa >= size || rd.len > size - rd.gpa)
		return -EINVAL;
	for (i = 0; i < rd.len; i += PAGE_SIZE) {
		struct page *page = vm->mem.pages[(rd.gpa + i) >> PAGE_SHIFT];

		if (copy_to_user(u64_to_user_ptr(rd.addr + i), page_address(page), PAGE_SIZE))
			return -EFAULT;
		cond_resched();
	}
	return 0;
}
