/* SPDX-License-Identifier: GPL-2.0 */
/*
 * tracering.h - a traced VM's exit records, read where the kernel wrote
 * them: the ring mapped into this process (module/trace_mmap.c).
 *
 * Concept: zero-copy sharing of a ring between a kernel and a process,
 * as perf's ring buffer (data_head, data_tail) does. The kernel writes
 * records and then stores head; we load head, read the records in place,
 * and store tail to give their slots back. read() on the VM fd gets the
 * same records with a copy each; this is what `tvmm run --trace`,
 * tvmm_bench and budget_test use, and read() stays for simple readers.
 *
 *   struct tracering r;
 *   tracering_map(&r, fd, why, sizeof(why));      once the image is loaded
 *   tracering_drain(&r, use, arg);                whenever TVMM_RUN returns
 *   tracering_unmap(&r);                           before close(fd)
 *
 * The ordering is C11's acquire/release (GCC's __atomic builtins), the
 * pair of the kernel's smp_store_release()/smp_load_acquire(). Used by
 * the tool (userspace/) and compiled into the lab VM's test programs
 * (tests/selftests/tvmm, tests/bench): no dependency on the tool's code.
 * Context: userspace; one reader per ring at a time.
 */
#ifndef TVMM_TRACERING_H
#define TVMM_TRACERING_H

#include <stddef.h>

#include <tvmm.h>		/* the ABI: module/include/uapi/tvmm.h */

struct tracering {
	struct tvmm_trace_mmap_page *page;		/* read-write, shared */
	const struct tvmm_exit_record *records;		/* read-only */
	size_t records_len;				/* bytes mapped */
	__u32 nr;					/* page->nr_records, checked */
};

/*
 * Map the ring of the traced, loaded VM on @fd into @r and check that the
 * module's layout is the one this program was built for. Return: 0, or
 * -1 with errno set and @why (@len bytes) saying what went wrong and what
 * to do; errno ENODEV means the VM has no ring to map (not traced, not
 * loaded, or a tvmm.ko without mmap(): read() is the way then), EPROTO a
 * module and program built from different trees. Nothing stays mapped.
 */
int tracering_map(struct tracering *r, int fd, char *why, size_t len);

/* Undo tracering_map() (nothing if nothing is mapped). */
void tracering_unmap(struct tracering *r);

/* Records the kernel has published: acquire, so they are whole. */
static inline __u64 tracering_head(const struct tracering *r)
{
	return __atomic_load_n(&r->page->head, __ATOMIC_ACQUIRE);
}

/*
 * Where we are: the page's tail. Only we (or a read() in between) write
 * it; the kernel never moves it by itself.
 */
static inline __u64 tracering_tail(const struct tracering *r)
{
	return __atomic_load_n(&r->page->tail, __ATOMIC_RELAXED);
}

/* Record @n (any number in [tail, head)), in place. */
static inline const struct tvmm_exit_record *tracering_record(const struct tracering *r,
							      __u64 n)
{
	return &r->records[n % r->nr];
}

/* Done with records before @tail: release, after the reads of them. */
static inline void tracering_consume(struct tracering *r, __u64 tail)
{
	__atomic_store_n(&r->page->tail, tail, __ATOMIC_RELEASE);
}

/*
 * Hand every waiting record, in order, to @use in place (no copy), then
 * give their slots back. @use returns 0 to go on, or an errno value to
 * stop there: that record and the ones after it stay waiting. Return:
 * the records handed over; or -1 with errno set to @use's value, or to
 * EPROTO if the page shows more records waiting than the ring holds (a
 * module that breaks the protocol: nothing is read).
 */
long tracering_drain(struct tracering *r,
		     int (*use)(void *arg, const struct tvmm_exit_record *rec), void *arg);

#endif /* TVMM_TRACERING_H */
