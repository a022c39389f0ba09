// SPDX-License-Identifier: GPL-2.0
/*
 * trace_mmap_test - the exit-record ring mapped into the reader: the same
 * records as read(), none lost, none twice, and a hostile reader that
 * cannot hurt the kernel.
 *
 * Rule under test (module/trace_mmap.c, docs/abi.md): a VM created with
 * TVMM_CONFIG_TRACE maps its control page (offset 0, read-write, shared)
 * and its records (offset records_offset, read-only). The kernel
 * publishes head; the reader reads [tail, head) in place and stores tail.
 * The kernel takes the page's tail only if it moves forward and not past
 * head; it keeps its own tail otherwise, so a reader that writes nonsense
 * stalls only itself. read() and the mapping agree on tail. A mapping
 * holds the VM: close(fd) with the ring mapped frees nothing until the
 * last munmap().
 *
 * The long guest is guests/bench.bin (tens of thousands of CPUID and OUT
 * exits: dozens of ring fills) with no virtual timer; host interrupts and
 * the preemption timer add exits anywhere, so two runs are compared on the
 * guest's own exits (exit_is_host_noise()).
 *
 * Lab: none (make check); docs: docs/abi.md, docs/trace-format.md.
 */
#include "vm_util.h"
#include "../../../userspace/tracering.h"
#include "../kselftest_harness.h"

#include <poll.h>
#include <sys/mman.h>

#define LONG_GUEST	"bench.bin"
#define CONSOLE_PORT	0xe9	/* guests/guest.inc */
#define RING_RECORDS	2048	/* module/tvmm.h: TVMM_TRACE_RING */
/*
 * Ring fills the long guest must go through, at least (bench.bin: about
 * 12,300 records, 6 fills of 2048; the hostile reader's half-drains make
 * 8, enough for each of its four kinds of nonsense once).
 */
#define MIN_FILLS	4
/* TVMM_RUN calls a run may take: a ring that never drains fails, not hangs. */
#define MAX_RUNS	100000
/* Records a run may give (bench.bin: ~12,300): more is a kernel inventing them. */
#define MAX_RECORDS	(1 << 17)

static long page_size(void)
{
	return sysconf(_SC_PAGESIZE);
}

/* A traced VM, no virtual timer, @name loaded: its fd (or -errno). */
static int traced_vm(const char *name)
{
	struct tvmm_config c = vm_config(TVMM_MODE_HW, TVMM_CONFIG_TRACE, 0);

	c.timer_ticks = TVMM_TIMER_OFF;
	return vm_create_loaded(&c, name);
}

/* Append @rec to @res (the records of a run, in order); 0 or ENOMEM. */
static int keep_record(void *arg, const struct tvmm_exit_record *rec)
{
	struct vm_result *res = arg;

	if (res->nrecs == res->cap) {
		size_t cap = 2 * res->cap + 1024;
		void *p = realloc(res->recs, cap * sizeof(*rec));

		if (!p)
			return ENOMEM;
		res->recs = p;
		res->cap = cap;
	}
	res->recs[res->nrecs++] = *rec;
	return 0;
}

/*
 * Run the VM on @fd to its end, draining through the mapping @r after
 * every TVMM_RUN; the records in @res, the TRACE_FULL returns in *@fills.
 * A TVMM_RUN after a full drain must make progress (the kernel took the
 * page's tail). 0, or -errno / -EPROTO / -EAGAIN (no progress).
 */
static int run_mapped(int fd, struct tracering *r, struct vm_result *res, unsigned int *fills)
{
	__u64 last_exits = 0;
	unsigned int runs;

	*fills = 0;
	for (runs = 0; runs < MAX_RUNS; runs++) {
		memset(&res->run, 0, sizeof(res->run));
		if (ioctl(fd, TVMM_RUN, &res->run))
			return -errno;
		if (tracering_drain(r, keep_record, res) < 0)
			return -errno;
		if (res->run.state == TVMM_RUN_ENDED)
			return 0;
		if (res->run.state == TVMM_RUN_TRACE_FULL) {
			if (*fills && res->run.exits == last_exits)
				return -EAGAIN;	/* drained, and still full */
			++*fills;
		}
		last_exits = res->run.exits;
	}
	return -EAGAIN;
}

/* Records 0, 1, 2, ... in order, as many as the VM's exits: 0 or the bad index + 1. */
static size_t seq_gap(const struct vm_result *res)
{
	for (size_t i = 0; i < res->nrecs; i++)
		if (res->recs[i].seq != i)
			return i + 1;
	return res->nrecs == res->run.exits ? 0 : res->nrecs + 1;
}

/*
 * The guest's own exits of @res, without seq, tsc and cycles (host exits
 * shift seq; the clock moves), and without the console line's OUTs (its
 * figures are ticks: their digits, so the number of OUTs, may vary).
 */
static size_t own_exits(const struct vm_result *res, struct tvmm_exit_record *out)
{
	const struct tvmm_exit_record *rec;
	size_t n = 0;

	for (size_t i = 0; i < res->nrecs; i++) {
		rec = &res->recs[i];
		if (exit_is_host_noise(rec) ||
		    (rec->reason_code == EXIT_REASON_IO_INSTRUCTION &&
		     io_qual_port(rec->qual) == CONSOLE_PORT))
			continue;
		out[n] = res->recs[i];
		out[n].seq = out[n].tsc = out[n].cycles = 0;
		n++;
	}
	return n;
}

FIXTURE(ring) {
	struct vm_result res;
	struct tracering r;
	int fd;
};

FIXTURE_SETUP(ring)
{
	memset(&self->res, 0, sizeof(self->res));
	memset(&self->r, 0, sizeof(self->r));
	self->fd = -1;
	REQUIRE_VMX_AND_TVMM();
	REQUIRE_GUEST(LONG_GUEST);
	REQUIRE_GUEST("hello.bin");
}

FIXTURE_TEARDOWN(ring)
{
	tracering_unmap(&self->r);
	vm_result_free(&self->res);
	if (self->fd >= 0)
		close(self->fd);
}

/* Map the ring of the VM on self->fd into self->r, or fail the test. */
#define MAP_RING() do {								\
	char __why[320];							\
										\
	ASSERT_EQ(0, tracering_map(&self->r, self->fd, __why, sizeof(__why)))	\
		TH_LOG("%s", __why);						\
} while (0)

/*
 * (1) The same guest twice, one VM drained with read(), one through the
 * mapping: the same records, across many ring fills.
 */
TEST_F(ring, mapped_records_equal_read_records)
{
	struct vm_result by_read = { 0 };
	struct tvmm_exit_record *a, *b;
	unsigned int fills;
	size_t na, nb;

	ASSERT_LE(0, self->fd = traced_vm(LONG_GUEST));
	ASSERT_EQ(0, vm_run_to_end(self->fd, &by_read));
	close(self->fd);

	ASSERT_LE(0, self->fd = traced_vm(LONG_GUEST));
	MAP_RING();
	ASSERT_EQ(0, run_mapped(self->fd, &self->r, &self->res, &fills));
	EXPECT_LE(MIN_FILLS, fills);
	EXPECT_EQ(TVMM_END_HLT, self->res.run.end) TH_LOG("%s", self->res.run.message);
	EXPECT_EQ(0, seq_gap(&by_read));
	EXPECT_EQ(0, seq_gap(&self->res));

	a = calloc(by_read.nrecs + 1, sizeof(*a));
	b = calloc(self->res.nrecs + 1, sizeof(*b));
	ASSERT_TRUE(a && b);
	na = own_exits(&by_read, a);
	nb = own_exits(&self->res, b);
	ASSERT_LT(MIN_FILLS * RING_RECORDS, na);
	ASSERT_EQ(na, nb);
	for (size_t i = 0; i < na; i++) {
		if (memcmp(&a[i], &b[i], sizeof(a[i]))) {
			EXPECT_EQ(0, memcmp(&a[i], &b[i], sizeof(a[i])))
				TH_LOG("own exit %zu differs: reason %u/%u rip 0x%llx/0x%llx",
				       i, a[i].reason_code, b[i].reason_code,
				       (unsigned long long)a[i].rip, (unsigned long long)b[i].rip);
			break;
		}
	}
	free(a);
	free(b);
	vm_result_free(&by_read);
}

/*
 * (2) Through the mapping alone: seq 0, 1, 2, ... with no gap and no
 * repeat over at least MIN_FILLS fills, one record per exit, and the
 * page's head at the last one.
 */
TEST_F(ring, mapped_seq_continuous_over_fills)
{
	unsigned int fills;
	struct tvmm_stats st;

	ASSERT_LE(0, self->fd = traced_vm(LONG_GUEST));
	MAP_RING();
	EXPECT_EQ(TVMM_TRACE_MMAP_VERSION, self->r.page->version);
	EXPECT_EQ(sizeof(struct tvmm_exit_record), self->r.page->record_size);
	EXPECT_EQ(RING_RECORDS, self->r.page->nr_records);
	ASSERT_EQ(0, run_mapped(self->fd, &self->r, &self->res, &fills));
	EXPECT_LE(MIN_FILLS, fills);
	EXPECT_EQ(0, seq_gap(&self->res)) TH_LOG("%zu records, %llu exits", self->res.nrecs,
						(unsigned long long)self->res.run.exits);
	EXPECT_EQ(self->res.run.exits, tracering_head(&self->r));
	EXPECT_EQ(self->res.run.exits, tracering_tail(&self->r));
	ASSERT_EQ(0, ioctl(self->fd, TVMM_GET_STATS, &st));
	EXPECT_EQ(0, st.records_dropped);
}

/*
 * read() every waiting record of @fd into @res; 0 or -errno. A kernel
 * that took a tail past head would hand out "records" without end:
 * -EOVERFLOW past MAX_RECORDS, a failure rather than an exhausted VM.
 */
static int read_rest(int fd, struct vm_result *res)
{
	struct tvmm_exit_record buf[64];
	ssize_t n;

	while ((n = read(fd, buf, sizeof(buf))) > 0) {
		if (res->nrecs > MAX_RECORDS)
			return -EOVERFLOW;
		for (size_t i = 0; i < n / sizeof(buf[0]); i++)
			if (keep_record(res, &buf[i]))
				return -ENOMEM;
	}
	return n < 0 ? -errno : 0;
}

/*
 * (3) A hostile reader. At each fill the reader consumes half the ring
 * properly through the mapping, lets the VM fill it again, then writes
 * nonsense into the control page: a tail past head, a tail far behind
 * (more than the ring behind head), a tail moved backwards, a head of its
 * own. TVMM_RUN still returns, and the nonsense made no room (the ring
 * stays full, no exit ran). Then a behaving reader, read(), gets the rest
 * from where the kernel's own tail is: every record exactly once, in
 * order. A kernel that took the nonsense would hand read() records again
 * (a tail moved back), stale ones (far behind) or garbage (past head).
 */
TEST_F(ring, hostile_tail_is_ignored)
{
	struct tvmm_trace_mmap_page *p;
	unsigned int fills = 0, k, runs;
	__u64 head, tail, exits;

	ASSERT_LE(0, self->fd = traced_vm(LONG_GUEST));
	MAP_RING();
	p = self->r.page;
	for (runs = 0; runs < MAX_RUNS; runs++) {
		ASSERT_EQ(0, ioctl(self->fd, TVMM_RUN, &self->res.run));
		if (self->res.run.state == TVMM_RUN_ENDED)
			break;
		if (self->res.run.state != TVMM_RUN_TRACE_FULL)
			continue;
		head = tracering_head(&self->r);
		tail = tracering_tail(&self->r);
		ASSERT_EQ(RING_RECORDS, head - tail);
		if (fills++ % 2 == 0) {
			/* Half the waiting records, properly; the VM fills the room. */
			for (; tail < head - RING_RECORDS / 2; tail++)
				ASSERT_EQ(0, keep_record(&self->res, tracering_record(&self->r, tail)));
			tracering_consume(&self->r, tail);
			continue;
		}
		/* Nonsense, a different kind at each other fill. */
		k = fills / 2;
		switch (k % 4) {
		case 0:
			tracering_consume(&self->r, head + 1 + k);	/* past head */
			break;
		case 1:
			tracering_consume(&self->r, head - RING_RECORDS - 100);	/* far behind */
			break;
		case 2:
			tracering_consume(&self->r, tail - 1 - k % 200);	/* backwards */
			break;
		default:
			p->head = head + 12345;	/* the kernel's to write, not to read */
			tracering_consume(&self->r, ~0ULL);
			break;
		}
		exits = self->res.run.exits;
		ASSERT_EQ(0, ioctl(self->fd, TVMM_RUN, &self->res.run));
		EXPECT_EQ(TVMM_RUN_TRACE_FULL, self->res.run.state);
		EXPECT_EQ(exits, self->res.run.exits) TH_LOG("fill %u: the nonsense made room", fills);
		EXPECT_EQ(head, tracering_head(&self->r)) TH_LOG("TVMM_RUN publishes its own head");
		/* A behaving reader: read() from the kernel's tail. */
		ASSERT_EQ(0, read_rest(self->fd, &self->res));
		EXPECT_EQ(head, tracering_tail(&self->r)) TH_LOG("read() writes its tail to the page");
	}
	ASSERT_EQ(TVMM_RUN_ENDED, self->res.run.state);
	ASSERT_EQ(0, read_rest(self->fd, &self->res));
	EXPECT_LE(2 * MIN_FILLS, fills);
	EXPECT_EQ(0, seq_gap(&self->res)) TH_LOG("%zu records, %llu exits", self->res.nrecs,
						(unsigned long long)self->res.run.exits);
}

/* mmap() of @len bytes at @off of @fd with @prot, @flags: 0 or -errno (unmapped again). */
static int try_map(int fd, size_t len, int prot, int flags, off_t off)
{
	void *m = mmap(NULL, len, prot, flags, fd, off);

	if (m == MAP_FAILED)
		return -errno;
	munmap(m, len);
	return 0;
}

/*
 * (4) The mmap() arguments: the two areas as documented, nothing else.
 * The records are read-only, now and after mprotect(); the control page
 * is read-write and shared; a VM without a ring has nothing to map.
 */
TEST_F(ring, mmap_arguments_checked)
{
	struct tvmm_config plain = vm_config(TVMM_MODE_HW, 0, 0);
	struct tvmm_config traced = vm_config(TVMM_MODE_HW, TVMM_CONFIG_TRACE, 0);
	size_t ps = page_size(), len;
	off_t off;
	int fd;
	void *m;

	ASSERT_LE(0, self->fd = traced_vm("hello.bin"));
	MAP_RING();
	off = self->r.page->records_offset;
	len = self->r.records_len;
	EXPECT_EQ(ps, off);
	EXPECT_EQ(RING_RECORDS * sizeof(struct tvmm_exit_record), len);

	/* The records: read-only. */
	EXPECT_EQ(-EPERM, try_map(self->fd, len, PROT_READ | PROT_WRITE, MAP_SHARED, off));
	EXPECT_EQ(-EPERM, try_map(self->fd, len, PROT_READ | PROT_WRITE, MAP_PRIVATE, off));
	EXPECT_EQ(0, try_map(self->fd, len, PROT_READ, MAP_SHARED, off));
	EXPECT_NE(0, mprotect((void *)self->r.records, len, PROT_READ | PROT_WRITE));
	EXPECT_EQ(EACCES, errno);
	/* Other offsets and lengths. */
	EXPECT_EQ(-EINVAL, try_map(self->fd, len - ps, PROT_READ, MAP_SHARED, off));
	EXPECT_EQ(-EINVAL, try_map(self->fd, len + ps, PROT_READ, MAP_SHARED, off));
	EXPECT_EQ(-EINVAL, try_map(self->fd, len, PROT_READ, MAP_SHARED, off + ps));
	EXPECT_EQ(-EINVAL, try_map(self->fd, ps, PROT_READ, MAP_SHARED, off));
	EXPECT_EQ(-EINVAL, try_map(self->fd, 2 * ps, PROT_READ, MAP_SHARED, 0));
	EXPECT_EQ(-EINVAL, try_map(self->fd, ps + len, PROT_READ, MAP_SHARED, 0));
	EXPECT_EQ(-EINVAL, try_map(self->fd, ps, PROT_READ, MAP_SHARED, off + len));
	/* The control page: shared only (a private copy's tail never reaches the kernel). */
	EXPECT_EQ(-EINVAL, try_map(self->fd, ps, PROT_READ | PROT_WRITE, MAP_PRIVATE, 0));
	/* ... and read-write: the tail written is the tail read back. */
	tracering_consume(&self->r, 0);
	EXPECT_EQ(0, tracering_tail(&self->r));
	m = mmap(NULL, ps, PROT_READ, MAP_SHARED, self->fd, 0);
	ASSERT_NE(MAP_FAILED, m);
	EXPECT_EQ(0, mprotect(m, ps, PROT_READ | PROT_WRITE)) TH_LOG("%s", strerror(errno));
	munmap(m, ps);

	/* No ring: an untraced VM, and a traced one not loaded yet. */
	ASSERT_LE(0, fd = vm_create(&plain));
	ASSERT_LE(0, vm_load_file(fd, "hello.bin"));
	EXPECT_EQ(-ENODEV, try_map(fd, ps, PROT_READ | PROT_WRITE, MAP_SHARED, 0));
	EXPECT_EQ(-ENODEV, try_map(fd, len, PROT_READ, MAP_SHARED, off));
	close(fd);
	ASSERT_LE(0, fd = vm_create(&traced));
	EXPECT_EQ(-ENODEV, try_map(fd, ps, PROT_READ | PROT_WRITE, MAP_SHARED, 0));
	close(fd);
}

/* debugfs vmN exists: the VM has not been released. */
static bool vm_alive(int id)
{
	char path[96];

	snprintf(path, sizeof(path), TVMM_DEBUGFS "/vm%d", id);
	return access(path, F_OK) == 0;
}

/*
 * (5) close(fd) with the ring mapped: the mapping holds the VM, so the
 * records are still there to read, and the VM goes (debugfs vmN with it)
 * at the last munmap(), not before.
 */
TEST_F(ring, mapping_outlives_close)
{
	__u64 head, t;
	int id;

	ASSERT_LE(0, self->fd = traced_vm("hello.bin"));
	MAP_RING();
	do {		/* hello.bin's few exits fit in the ring */
		ASSERT_EQ(0, ioctl(self->fd, TVMM_RUN, &self->res.run));
	} while (self->res.run.state != TVMM_RUN_ENDED);
	id = ioctl(self->fd, TVMM_GET_VM_ID);
	ASSERT_LE(0, id);
	if (!vm_alive(id))
		SKIP(return, "no debugfs " TVMM_DEBUGFS "/vm%d to watch the VM's lifetime", id);
	close(self->fd);
	self->fd = -1;

	EXPECT_TRUE(vm_alive(id)) TH_LOG("close() released the VM under its mapping");
	head = tracering_head(&self->r);
	EXPECT_EQ(self->res.run.exits, head);
	for (t = tracering_tail(&self->r); t != head; t++)
		EXPECT_EQ(t, tracering_record(&self->r, t)->seq);
	EXPECT_EQ(TVMM_EXIT_RECORD_VERSION, tracering_record(&self->r, head - 1)->version);
	tracering_consume(&self->r, head);
	munmap((void *)self->r.records, self->r.records_len);
	self->r.records = NULL;
	EXPECT_TRUE(vm_alive(id)) TH_LOG("one mapping left: the VM must stay");
	EXPECT_EQ(head, self->r.page->head);
	tracering_unmap(&self->r);
	EXPECT_FALSE(vm_alive(id)) TH_LOG("the last munmap() did not release the VM");
}

/*
 * (6) One tail for both ways of reading: what the mapping consumed,
 * read() does not return again, and poll() no longer reports; what read()
 * returned, the mapping starts after.
 */
TEST_F(ring, read_and_mapping_share_tail)
{
	struct tvmm_exit_record buf[4];
	struct pollfd pfd;
	__u64 head, pause = 30;

	ASSERT_LE(0, self->fd = traced_vm(LONG_GUEST));
	MAP_RING();
	/* Paused mid-run (not ended: poll() would report the hang-up). */
	ASSERT_EQ(0, ioctl(self->fd, TVMM_PAUSE_AT, &pause));
	ASSERT_EQ(0, ioctl(self->fd, TVMM_RUN, &self->res.run));
	ASSERT_NE(TVMM_RUN_ENDED, self->res.run.state);
	head = tracering_head(&self->r);
	ASSERT_LE(pause, head);

	/* read() first: 4 records, and the page's tail follows. */
	ASSERT_EQ(sizeof(buf), read(self->fd, buf, sizeof(buf)));
	EXPECT_EQ(0, buf[0].seq);
	EXPECT_EQ(3, buf[3].seq);
	EXPECT_EQ(4, tracering_tail(&self->r));

	/* Then the mapping: from record 4 to head. */
	pfd = (struct pollfd){ .fd = self->fd, .events = POLLIN };
	EXPECT_EQ(1, poll(&pfd, 1, 0));
	EXPECT_EQ(head - 4, tracering_drain(&self->r, keep_record, &self->res));
	ASSERT_LT(0, self->res.nrecs);
	EXPECT_EQ(4, self->res.recs[0].seq);
	EXPECT_EQ(head - 1, self->res.recs[self->res.nrecs - 1].seq);

	/* Nothing left for read() or poll(). */
	EXPECT_EQ(0, poll(&pfd, 1, 0)) TH_LOG("revents 0x%x", pfd.revents);
	EXPECT_EQ(0, read(self->fd, buf, sizeof(buf)));
	EXPECT_EQ(head, tracering_tail(&self->r));
}

TEST_HARNESS_MAIN
