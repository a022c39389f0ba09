// SPDX-License-Identifier: GPL-2.0
/*
 * tracering.c - map a traced VM's exit-record ring and drain it in place
 * (tracering.h; the protocol: module/trace_mmap.c, docs/abi.md).
 *
 * Concept: a shared ring needs an agreement on its layout before a byte
 * of it is read. The control page says the layout (version, record size,
 * number of slots, where the records are); a program built against
 * another tvmm.ko finds out here, with a message naming the mismatch,
 * instead of reading records at the wrong offsets.
 * Context: userspace.
 */
#include <errno.h>
#include <stdio.h>
#include <string.h>
#include <sys/mman.h>
#include <unistd.h>

#include "tracering.h"

/* Fail with errno @err and @fmt's message in @why; -1. */
#define FAIL(err, ...)					\
	do {						\
		snprintf(why, len, __VA_ARGS__);	\
		tracering_unmap(r);			\
		errno = (err);				\
		return -1;				\
	} while (0)

int tracering_map(struct tracering *r, int fd, char *why, size_t len)
{
	long pagesz = sysconf(_SC_PAGESIZE);
	void *p;
	int err;

	memset(r, 0, sizeof(*r));
	p = mmap(NULL, pagesz, PROT_READ | PROT_WRITE, MAP_SHARED, fd, 0);
	if (p == MAP_FAILED) {
		err = errno;
		FAIL(err, "cannot map the exit-record ring's control page: %s%s", strerror(err),
		     err == ENODEV ? " (the VM is not traced or not loaded, or tvmm.ko predates mmap(): use read())" : "");
	}
	r->page = p;
	if (r->page->version != TVMM_TRACE_MMAP_VERSION ||
	    r->page->record_size != sizeof(struct tvmm_exit_record))
		FAIL(EPROTO, "the module's exit-record ring is layout version %u with %u-byte records, this program reads version %d with %zu-byte records: tvmm.ko and this program are from different trees; rebuild both",
		     r->page->version, r->page->record_size, TVMM_TRACE_MMAP_VERSION,
		     sizeof(struct tvmm_exit_record));
	r->nr = r->page->nr_records;
	r->records_len = (size_t)r->nr * sizeof(struct tvmm_exit_record);
	if (!r->nr || r->records_len % pagesz || r->page->records_offset % pagesz)
		FAIL(EPROTO, "the module's exit-record ring says %u records at offset %llu, which cannot be mapped: tvmm.ko and this program are from different trees; rebuild both",
		     r->nr, (unsigned long long)r->page->records_offset);
	p = mmap(NULL, r->records_len, PROT_READ, MAP_SHARED, fd, r->page->records_offset);
	if (p == MAP_FAILED) {
		err = errno;
		r->records_len = 0;
		FAIL(err, "cannot map the exit records: %s", strerror(err));
	}
	r->records = p;
	return 0;
}

void tracering_unmap(struct tracering *r)
{
	long pagesz = sysconf(_SC_PAGESIZE);

	if (r->records)
		munmap((void *)r->records, r->records_len);
	if (r->page)
		munmap(r->page, pagesz);
	memset(r, 0, sizeof(*r));
}

long tracering_drain(struct tracering *r,
		     int (*use)(void *arg, const struct tvmm_exit_record *rec), void *arg)
{
	__u64 head = tracering_head(r), tail = tracering_tail(r), t;
	int ret = 0;

	/* Never more waiting than the ring holds: else the indexes mean nothing. */
	if (head - tail > r->nr) {
		errno = EPROTO;
		return -1;
	}
	for (t = tail; t != head && !ret; t++)
		ret = use(arg, tracering_record(r, t));
	if (ret)
		t--;	/* the record @use refused stays waiting */
	tracering_consume(r, t);
	if (ret) {
		errno = ret;
		return -1;
	}
	return (long)(t - tail);
}
