// SPDX-License-Identifier: GPL-2.0
/*
 * trace_mmap.c - the exit-record ring mapped into the reader: records read
 * in place, never copied.
 *
 * Concept: sharing memory between a kernel and a process without a copy,
 * the way perf's ring buffer (struct perf_event_mmap_page, data_head and
 * data_tail) and io_uring's rings do it. read() (trace.c) copies every
 * record out with copy_to_user(); a reader that maps the ring reads the
 * records where the run loop wrote them, and the kernel does nothing per
 * record on its behalf. What is left to agree on is who owns which slot,
 * and that takes two counters:
 *
 *   head: written by the kernel only. Records [0, head) have been written
 *         whole. Stored with release (trace_ring_publish(), tvmm.h), so a
 *         reader that loads head with acquire sees those records' bytes.
 *   tail: written by the reader only. Records [0, tail) have been read;
 *         their slots may be written again. Stored with release by the
 *         reader after it read them, loaded with acquire here, so the run
 *         loop never overwrites a record the reader is still reading.
 *
 * Both count records from 0 and never wrap (u64: centuries of exits);
 * record N is in slot N % nr_records. [tail, head) is waiting, never more
 * than nr_records, and the run loop stops (TVMM_RUN_TRACE_FULL) rather
 * than overwrite it: no record is lost.
 *
 * The reader is not trusted. The control page is its memory too: it may
 * write any value anywhere in it, at any moment. So the kernel keeps its
 * own head and tail (struct tvmm_trace_ring) and only *reads* the page's
 * tail, as a request: "I am done up to here". The request is granted if
 * it moves tail forward and not past head; anything else (behind the
 * kernel's tail, beyond head, a value written half-way) is ignored, as if
 * nothing had been read, and the kernel goes on with its own tail. The
 * page's tail is never used as an index and never read twice in one
 * decision: one load, one check, and the value checked is the value used
 * (a second load could see another value: a time-of-check/time-of-use
 * bug). The page's head is write-only for the kernel: it never reads it.
 *
 * The mapping itself. One vmalloc_user() area holds the control page and,
 * after it, the records (trace_ring_init(), trace.c): zeroed and
 * page-aligned, so no byte of old kernel memory is ever shown, and marked
 * VM_USERMAP, which is what remap_vmalloc_range() insists on. The reader
 * maps exactly two things: the control page read-write, or the records
 * read-only. The records are the kernel's to write: a writable mapping is
 * refused (EPERM) and VM_MAYWRITE is cleared, so mprotect() cannot make
 * it writable later. Everything else (another offset or length, or the
 * control page MAP_PRIVATE, where the reader's tail would land in a
 * private copy the kernel never sees) is EINVAL. remap_vmalloc_range()
 * sets VM_DONTEXPAND (mremap() cannot grow the mapping past the area)
 * and VM_DONTDUMP (no core dump of kernel-owned pages).
 *
 * Lifetime: a mapping holds a reference to the VM's file, so close(fd)
 * with the ring still mapped does not release the VM; vm_release(), which
 * frees the area, runs after the last munmap(). The area never moves
 * while the VM is alive: it is built with the VM (TVMM_LOAD_IMAGE,
 * TVMM_SET_STATE) and freed only at release.
 *
 * read() and the mapping may be mixed, one at a time: read() first takes
 * the page's tail (so it returns nothing a mapping reader has read) and
 * then writes its own tail to the page (so a mapping reader starts where
 * read() stopped). read_lock makes every change of the kernel's tail one
 * reader's at a time.
 *
 * Context: mmap() in process context with the caller's mmap_lock held
 * (so no run_lock here: TVMM_RUN faults on user memory under run_lock,
 * and taking run_lock under mmap_lock would invert that order);
 * trace_mmap_sync_tail() from the run loop between slices and from poll().
 */
#include <linux/mm.h>
#include <linux/vmalloc.h>

#include "tvmm.h"

/* The uapi promises head and tail a cache line each, and one page for all. */
static_assert(offsetof(struct tvmm_trace_mmap_page, head) == 64);
static_assert(offsetof(struct tvmm_trace_mmap_page, tail) == 128);
static_assert(sizeof(struct tvmm_trace_mmap_page) <= TVMM_TRACE_RECORDS_OFFSET);
/* The records mapping is whole pages: no other memory shares its last one. */
static_assert(TVMM_TRACE_RECORDS_SIZE % PAGE_SIZE == 0);

/*
 * Clearing a flag of a VMA: a helper since 6.3 (Debian's 6.12), where
 * vm_flags became read-only; in 6.1 the field is written directly.
 */
static void trace_mmap_clear_flags(struct vm_area_struct *vma, vm_flags_t flags)
{
#ifdef TVMM_HAVE_VM_FLAGS_CLEAR
	vm_flags_clear(vma, flags);
#else
	vma->vm_flags &= ~flags;
#endif
}

/**
 * trace_mmap() - mmap() of a traced VM's fd: the control page or the records.
 * @vm: the VM
 * @vma: the mapping being made
 *
 * Return: 0, -ENODEV if @vm has no ring (not created with
 * TVMM_CONFIG_TRACE, or not built yet), -EPERM for a writable mapping
 * of the records, -EINVAL for any other offset, length or a private
 * control page.
 */
int trace_mmap(struct tvmm_vm *vm, struct vm_area_struct *vma)
{
	struct tvmm_trace_ring *ring = &vm->trace;
	unsigned long len = vma->vm_end - vma->vm_start;

	/*
	 * Acquire: pairs with the release of image_loaded (vm.c); once it
	 * is set, the area is built and stays until release. Before it, the
	 * VM may still be built (and, on an error, freed again) by another
	 * thread: no mapping of that.
	 */
	if (!smp_load_acquire(&vm->image_loaded) || !ring->page)
		return -ENODEV;
	if (vma->vm_pgoff == 0 && len == PAGE_SIZE) {
		if (!(vma->vm_flags & VM_SHARED))
			return -EINVAL;	/* tail must reach the kernel's page */
	} else if (vma->vm_pgoff == TVMM_TRACE_RECORDS_OFFSET >> PAGE_SHIFT &&
		   len == TVMM_TRACE_RECORDS_SIZE) {
		if (vma->vm_flags & VM_WRITE)
			return -EPERM;	/* the records are the run loop's */
		trace_mmap_clear_flags(vma, VM_MAYWRITE);	/* nor by mprotect() */
	} else {
		return -EINVAL;
	}
	/* The offset into the area is the mmap() offset. */
	return remap_vmalloc_range(vma, ring->page, vma->vm_pgoff);
}

/**
 * trace_mmap_take_tail() - accept the reader's tail from the control page,
 * if it makes sense.
 * @ring: a ring with its control page; read_lock held (the kernel's tail
 *        has no other writer meanwhile)
 *
 * Granted if it moves forward and not past head: t - tail <= head - tail
 * in u64 arithmetic, where a tail behind the kernel's wraps to a huge
 * difference and fails the same test as one beyond head. Refused, the
 * kernel's tail stays: a reader that wrote nonsense has "read nothing",
 * the run loop stops at a full ring as it would for a slow reader, and
 * writing a sensible tail later makes room again.
 */
void trace_mmap_take_tail(struct tvmm_trace_ring *ring)
{
	u64 tail = ring->tail;
	/*
	 * Acquire: the reader stored tail (release) after it read the
	 * records; the slots are written again only after this load.
	 */
	u64 t = smp_load_acquire(&ring->page->tail);
	/* Loaded after t: a tail the reader took from head is not past it. */
	u64 head = smp_load_acquire(&ring->head);

	if (t - tail <= head - tail)
		smp_store_release(&ring->tail, t);	/* the writer's acquire */
}

/**
 * trace_mmap_sync_tail() - what trace_ring_full() and poll() call: take the
 * page's tail unless a read() is under way.
 * @ring: the VM's ring
 *
 * The run loop cannot wait for a read() that sleeps in copy_to_user(): it
 * only tries read_lock. A read() under way takes the page's tail itself;
 * at worst TVMM_RUN returns TRACE_FULL once more and is called again.
 */
void trace_mmap_sync_tail(struct tvmm_trace_ring *ring)
{
	if (!ring->page || !mutex_trylock(&ring->read_lock))
		return;
	trace_mmap_take_tail(ring);
	mutex_unlock(&ring->read_lock);
}
