// SPDX-License-Identifier: GPL-2.0
/*
 * ept.c - guest RAM, and the extended page tables that give it to the guest.
 *
 * Concept: the notes insist that not only the CPU but also memory must be
 * virtualized: the guest believes it owns physical memory starting at 0.
 * With EPT the hardware does the second translation itself: the guest's
 * "physical" addresses (guest-physical, GPA) go through a page table that
 * the VMM owns and the guest cannot see, ending in host-physical pages
 * (HPA). Anything the VMM did not map causes an EPT-violation VM exit: the
 * guest can never reach memory it was not given (isolation between VMs).
 *
 * tvmm maps guest RAM [0, mem_size) with 4-KByte pages, read/write/execute,
 * write-back; nothing else. (Patch mode takes execute away until patch.c
 * has scanned a page: ept_set_exec(). The ring-1 modes make the top 64 KiB,
 * tvmm's shadow tables, read-only: ept_set_readonly(), deprivilege.c.)
 *
 * SDM: vol. 3C, 29.3 "The Extended Page Table Mechanism (EPT)"; 29.3.2
 *      "EPT Translation Mechanism" (the 4-level walk); 29.3.7 "EPT and
 *      Memory Typing"; 25.6.11 "Extended-Page-Table Pointer (EPTP)".
 * Context: process context (may sleep), under the VM's run_lock.
 */
#include <linux/bitmap.h>
#include <linux/gfp.h>
#include <linux/mm.h>
#include <linux/seq_file.h>
#include <linux/slab.h>
#include <linux/uaccess.h>
#include <asm/io.h>

#include "tvmm.h"

/* EPT paging-structure entry bits (SDM 29.3.2, tables 29-1 to 29-6). */
#define EPT_READ		BIT_ULL(0)
#define EPT_WRITE		BIT_ULL(1)
#define EPT_EXEC		BIT_ULL(2)
#define EPT_RWX			(EPT_READ | EPT_WRITE | EPT_EXEC)
#define EPT_MEMTYPE_SHIFT	3	/* leaf entries: bits 5:3 */
#define EPT_MEMTYPE_WB		6
#define EPT_IGNORE_PAT		BIT_ULL(6)
#define EPT_ENTRIES		512	/* 9 address bits per level */

/* EPTP fields (SDM 25.6.11): memory type and walk length minus one. */
#define EPTP_MEMTYPE_WB		6
#define EPTP_WALK_4		(3 << 3)

/* GPA bits that index each level of the 4-level walk. */
#define EPT_INDEX(gpa, level)	(((gpa) >> (12 + 9 * (level))) & (EPT_ENTRIES - 1))

static struct page *ept_alloc_table(struct tvmm_guest_mem *mem)
{
	struct page *table = alloc_page(GFP_KERNEL_ACCOUNT | __GFP_ZERO);

	if (table)
		mem->ept_tables[mem->nr_ept_tables++] = table;
	return table;
}

/*
 * The table one level below @entry, created if absent. Non-leaf entries
 * grant RWX: the leaf decides the real permissions.
 */
static u64 __maybe_unused *ept_next_table(struct tvmm_guest_mem *mem, u64 *entry)
{
	struct page *table;

	if (!(*entry & EPT_RWX)) {
		table = ept_alloc_table(mem);
		if (!table)
			return NULL;
		*entry = page_to_phys(table) | EPT_RWX;
	}
	return phys_to_virt(*entry & PAGE_MASK & ~BIT_ULL(63));
}

/* Map guest-physical page @gpa to host page @page: one 4-level walk. */
static int ept_map_page(struct tvmm_guest_mem *mem, u64 gpa, struct page *page)
{
	/*
	 * TODO(lab04.1) BEGIN: walk the 4-level EPT from the PML4 down to the
	 * page table for @gpa, creating missing tables on the way
	 * (ept_next_table() does one step), and write the leaf entry: the host-
	 * physical address of @page, read/write/execute allowed, memory type
	 * write-back (in the entry's memory-type field) and "ignore PAT" (the
	 * constants for each are at the top of this file).
	 * SDM vol. 3C 29.3.2 (EPT translation mechanism, tables 29-1 to 29-6).
	 * Hint: EPT_INDEX(gpa, level) gives the 9-bit index at each level;
	 * level 3 is the PML4.
	 */
#ifdef CONFIG_TVMM_LAB04_SOLUTION
	u64 *table = page_address(mem->ept_pml4);
	int level;

	/* Levels 3 (PML4), 2 (PDPT), 1 (PD) lead to level 0, the page table. */
	for (level = 3; level > 0; level--) {
		table = ept_next_table(mem, &table[EPT_INDEX(gpa, level)]);
		if (!table)
			return -ENOMEM;
	}
	table[EPT_INDEX(gpa, 0)] = page_to_phys(page) | EPT_RWX |
		(EPT_MEMTYPE_WB << EPT_MEMTYPE_SHIFT) | EPT_IGNORE_PAT;
	return 0;
#else
	return tvmm_lab_todo("lab04.1", "map a guest-physical page in the EPT");
#endif
	/* TODO(lab04.1) END */
}

/*
 * Upper bound on EPT table pages for @nr_pages of guest RAM starting at 0:
 * one page table per 2 MiB, one page directory per 1 GiB, one PDPT, and
 * the PML4 (allocated separately).
 */
static unsigned long ept_tables_needed(unsigned long nr_pages)
{
	unsigned long pts = DIV_ROUND_UP(nr_pages, EPT_ENTRIES);
	unsigned long pds = DIV_ROUND_UP(pts, EPT_ENTRIES);

	return pts + pds + 1;
}

/**
 * ept_alloc_guest_mem() - allocate @size bytes of zeroed guest RAM and the
 * EPT tables mapping it at guest-physical 0.
 * @mem: filled in; ept_free_guest_mem() undoes it, also after a failure.
 * @size: bytes, a multiple of PAGE_SIZE, already range-checked.
 *
 * Return: 0 or -ENOMEM.
 */
int ept_alloc_guest_mem(struct tvmm_guest_mem *mem, u64 size)
{
	unsigned long i;
	int err;

	memset(mem, 0, sizeof(*mem));
	mem->pages = kvcalloc(size >> PAGE_SHIFT, sizeof(*mem->pages),
			      GFP_KERNEL_ACCOUNT);
	mem->ept_tables = kvcalloc(ept_tables_needed(size >> PAGE_SHIFT),
				   sizeof(*mem->ept_tables), GFP_KERNEL_ACCOUNT);
	mem->ept_pml4 = alloc_page(GFP_KERNEL_ACCOUNT | __GFP_ZERO);
	if (!mem->pages || !mem->ept_tables || !mem->ept_pml4)
		return -ENOMEM;

	for (i = 0; i < size >> PAGE_SHIFT; i++) {
		mem->pages[i] = alloc_page(GFP_KERNEL_ACCOUNT | __GFP_ZERO);
		if (!mem->pages[i])
			return -ENOMEM;
		mem->nr_pages++;
		/*
		 * Lab 04's stub maps nothing: ask it once (one message), and
		 * let the guest's first fetch say the rest.
		 */
		if (mem->lab_unmapped)
			continue;
		err = ept_map_page(mem, (u64)i << PAGE_SHIFT, mem->pages[i]);
		if (err == -ENOPKG)
			mem->lab_unmapped = true;
		else if (err)
			return err;
	}
	mem->eptp = page_to_phys(mem->ept_pml4) | EPTP_WALK_4 | EPTP_MEMTYPE_WB;
	return 0;
}

/* Dirty logging's bitmaps (dirty.c): gone with the RAM, or when logging stops. */
void dirty_log_free(struct tvmm_guest_mem *mem)
{
	bitmap_free(mem->dirty);
	bitmap_free(mem->dirty_wp);
	mem->dirty = NULL;
	mem->dirty_wp = NULL;
}

/*
 * Mark the pages of [@gpa, @gpa + @len), inside RAM, dirty: tvmm stored
 * there for the guest, through the host's mapping, which the EPT's write
 * protection does not see (dirty.c).
 */
static void dirty_mark(struct tvmm_guest_mem *mem, u64 gpa, u64 len)
{
	u64 first = gpa >> PAGE_SHIFT, last = (gpa + len - 1) >> PAGE_SHIFT;

	for (; len && first <= last && first < mem->nr_pages; first++)
		__set_bit(first, mem->dirty);
}

/* Free what ept_alloc_guest_mem() got, however far it got. */
void ept_free_guest_mem(struct tvmm_guest_mem *mem)
{
	unsigned long i;

	dirty_log_free(mem);
	for (i = 0; i < mem->nr_pages; i++)
		__free_page(mem->pages[i]);
	for (i = 0; i < mem->nr_ept_tables; i++)
		__free_page(mem->ept_tables[i]);
	if (mem->ept_pml4)
		__free_page(mem->ept_pml4);
	kvfree(mem->pages);
	kvfree(mem->ept_tables);
	memset(mem, 0, sizeof(*mem));
}

/* Is [gpa, gpa + len) inside guest RAM? */
static bool guest_mem_contains(struct tvmm_guest_mem *mem, u64 gpa, u64 len)
{
	u64 size = (u64)mem->nr_pages << PAGE_SHIFT;

	return gpa < size && len <= size - gpa;
}

/* The EPT leaf entry that maps guest page @gpa, or NULL if none does. */
static u64 *ept_leaf(struct tvmm_guest_mem *mem, u64 gpa)
{
	u64 *table = page_address(mem->ept_pml4);
	int level;

	if (!guest_mem_contains(mem, gpa, 1))
		return NULL;
	for (level = 3; level > 0; level--) {
		u64 entry = table[EPT_INDEX(gpa, level)];

		if (!(entry & EPT_RWX))
			return NULL;
		table = phys_to_virt(entry & PAGE_MASK & ~BIT_ULL(63));
	}
	return &table[EPT_INDEX(gpa, 0)];
}

/**
 * ept_set_exec() - allow or forbid instruction fetches from guest page
 * @gpa (scan-and-patch mode, patch.c). Read and write stay as they are.
 * @mem: guest RAM, mapped by ept_alloc_guest_mem()
 * @gpa: any address in the page
 * @exec: the new execute permission
 *
 * The caller flushes cached translations (INVEPT) if the VM may be running.
 * Return: 0, or -EFAULT if @gpa is not guest RAM.
 */
int ept_set_exec(struct tvmm_guest_mem *mem, u64 gpa, bool exec)
{
	u64 *leaf = ept_leaf(mem, gpa);

	if (!leaf)
		return -EFAULT;
	if (exec)
		*leaf |= EPT_EXEC;
	else
		*leaf &= ~EPT_EXEC;
	return 0;
}

/**
 * ept_set_readonly() - let the guest only read guest page @gpa: a write or
 * an instruction fetch there is an EPT violation (SDM vol. 3C, 29.3.3.2),
 * the CPU's own implicit writes included. Read alone is a valid leaf
 * (write without read is not: 29.3.3.1, EPT misconfiguration). tvmm's own
 * copies (guest_mem_write_kernel()) go through the host's mapping of the
 * page, not the EPT, and still work.
 * @mem: guest RAM, mapped by ept_alloc_guest_mem()
 * @gpa: any address in the page
 *
 * Called before the VM first runs (no translation cached yet).
 * Return: 0, or -EFAULT if @gpa is not guest RAM.
 */
int ept_set_readonly(struct tvmm_guest_mem *mem, u64 gpa)
{
	u64 *leaf = ept_leaf(mem, gpa);

	if (!leaf)
		return -EFAULT;
	*leaf &= ~(EPT_WRITE | EPT_EXEC);
	return 0;
}

/**
 * ept_set_write() - allow or forbid the guest's writes to guest page @gpa
 * (dirty logging for live migration, dirty.c). Read and execute stay as
 * they are; read stays set, so the leaf never becomes write-without-read
 * (SDM 29.3.3.1: an EPT misconfiguration).
 * @mem: guest RAM, mapped by ept_alloc_guest_mem()
 * @gpa: any address in the page
 * @write: the new write permission
 *
 * Taking write away from a VM that may have run needs an INVEPT before
 * its next entry (vcpu.c does one at the start of every slice).
 * Return: 0, or -EFAULT if @gpa is not guest RAM.
 */
int ept_set_write(struct tvmm_guest_mem *mem, u64 gpa, bool write)
{
	u64 *leaf = ept_leaf(mem, gpa);

	if (!leaf || !(*leaf & EPT_READ))
		return -EFAULT;
	if (write)
		*leaf |= EPT_WRITE;
	else
		*leaf &= ~EPT_WRITE;
	return 0;
}

/* May the guest write to page @gpa? False outside guest RAM. */
bool ept_get_write(struct tvmm_guest_mem *mem, u64 gpa)
{
	u64 *leaf = ept_leaf(mem, gpa);

	return leaf && (*leaf & EPT_WRITE);
}

/**
 * ept_get_exec() - may the guest fetch instructions from page @gpa?
 * @mem: guest RAM
 * @gpa: any address in the page
 *
 * Return: the leaf entry's execute permission; false outside guest RAM.
 */
bool ept_get_exec(struct tvmm_guest_mem *mem, u64 gpa)
{
	u64 *leaf = ept_leaf(mem, gpa);

	return leaf && (*leaf & EPT_EXEC);
}

/*
 * debugfs vmN/ept: one line per page of guest RAM, its guest-physical
 * address and the EPT leaf entry that maps it, found by the CPU's own
 * 4-level walk ("-" where a level has no table, "?" where an entry points
 * outside host RAM). Under run_lock: not while the VM runs a slice.
 */
void ept_show(struct seq_file *m, struct tvmm_vm *vm)
{
	struct tvmm_guest_mem *mem = &vm->mem;
	unsigned long i;
	int level;

	if (mutex_lock_interruptible(&vm->run_lock))
		return;
	seq_printf(m, "%-10s %s\n", "gpa", "leaf entry");
	for (i = 0; mem->ept_pml4 && i < mem->nr_pages; i++) {
		u64 gpa = (u64)i << PAGE_SHIFT;
		u64 *table = page_address(mem->ept_pml4);
		const char *bad = NULL;

		for (level = 3; level > 0 && !bad; level--) {
			u64 entry = table[EPT_INDEX(gpa, level)];
			u64 hpa = entry & PAGE_MASK & ~BIT_ULL(63);

			if (!(entry & EPT_RWX))
				bad = "-";
			else if (!pfn_valid(PHYS_PFN(hpa)))
				bad = "?";
			else
				table = phys_to_virt(hpa);
		}
		if (bad)
			seq_printf(m, "0x%08llx %s\n", gpa, bad);
		else
			seq_printf(m, "0x%08llx 0x%016llx\n", gpa, table[EPT_INDEX(gpa, 0)]);
	}
	mutex_unlock(&vm->run_lock);
}

/* Copy @len bytes from userspace into guest RAM at @gpa (image loading). */
int guest_mem_write(struct tvmm_guest_mem *mem, u64 gpa,
		    const void __user *src, u64 len)
{
	if (!guest_mem_contains(mem, gpa, len))
		return -EFBIG;
	while (len) {
		u64 off = gpa & ~PAGE_MASK;
		u64 chunk = min_t(u64, len, PAGE_SIZE - off);

		if (copy_from_user(page_address(mem->pages[gpa >> PAGE_SHIFT]) + off,
				   src, chunk))
			return -EFAULT;
		gpa += chunk;
		src += chunk;
		len -= chunk;
	}
	return 0;
}

/*
 * Copy @len bytes between guest RAM at @gpa and kernel memory @buf, page
 * by page (guest RAM is not contiguous in the host): into the guest when
 * @to_guest, out of it otherwise.
 */
static int guest_mem_copy(struct tvmm_guest_mem *mem, u64 gpa, void *buf,
			  u64 len, bool to_guest)
{
	if (!guest_mem_contains(mem, gpa, len))
		return -EFAULT;
	/* A store tvmm makes for the guest dirties the page too (dirty.c). */
	if (to_guest && unlikely(mem->dirty))
		dirty_mark(mem, gpa, len);
	while (len) {
		u64 off = gpa & ~PAGE_MASK;
		u64 chunk = min_t(u64, len, PAGE_SIZE - off);
		void *guest = page_address(mem->pages[gpa >> PAGE_SHIFT]) + off;

		if (to_guest)
			memcpy(guest, buf, chunk);
		else
			memcpy(buf, guest, chunk);
		gpa += chunk;
		buf += chunk;
		len -= chunk;
	}
	return 0;
}

/* Copy @len bytes of guest RAM at @gpa out (instruction fetch, table copies). */
int guest_mem_read(struct tvmm_guest_mem *mem, u64 gpa, void *dst, u64 len)
{
	return guest_mem_copy(mem, gpa, dst, len, false);
}

/* Copy @len bytes from the kernel into guest RAM (tvmm's shadow tables). */
int guest_mem_write_kernel(struct tvmm_guest_mem *mem, u64 gpa, const void *src,
			   u64 len)
{
	return guest_mem_copy(mem, gpa, (void *)src, len, true);
}
