/* SPDX-License-Identifier: GPL-2.0 */
/*
 * bench_tvmm.h - guests/bench.bin under tvmm, measured: shared by
 * tvmm_bench (make bench) and the kselftest budget_test (make check), so
 * the figures the budget holds are measured exactly as make bench
 * measures them.
 *
 * Runs in the lab VM (root, tvmm.ko loaded). One VM per call; traced VMs
 * are drained whenever TVMM_RUN returns, and the records are dropped (the
 * cost is tvmm's, not a consumer's), one of two ways:
 *   BENCH_DRAIN_MMAP  the ring mapped (userspace/tracering.h): the last
 *                     record's seq checked, tail set to head; no copy
 *   BENCH_DRAIN_READ  read() of 64 records at a time: every record
 *                     copied out by the kernel (copy_to_user())
 * Programs that include this header link userspace/tracering.c too.
 */
#ifndef TVMM_BENCH_TVMM_H
#define TVMM_BENCH_TVMM_H

#include <errno.h>
#include <sys/ioctl.h>
#include <x86intrin.h>

#include "tvmm.h"
#include "bench.h"
#include "../../userspace/tracering.h"

#ifndef BENCH_PROG
#define BENCH_PROG "tvmm_bench"
#endif

/* How a traced VM's records are drained (see above). */
enum bench_drain {
	BENCH_DRAIN_MMAP,
	BENCH_DRAIN_READ,
};

/*
 * Drop every published record of the mapped ring @r: nothing is read but
 * the last one's seq, which must be its number (records are numbered
 * from 0, one per exit: a wrong seq is a lost or repeated record). Their
 * number, or -1.
 */
static inline long bench_tvmm_drain_mapped(struct tracering *r)
{
	__u64 head = tracering_head(r), tail = tracering_tail(r);

	if (head == tail)
		return 0;
	if (head - tail > r->nr || tracering_record(r, head - 1)->seq != head - 1) {
		fprintf(stderr, BENCH_PROG ": mapped ring: head %llu, tail %llu, last seq %llu\n",
			(unsigned long long)head, (unsigned long long)tail,
			(unsigned long long)tracering_record(r, head - 1)->seq);
		return -1;
	}
	tracering_consume(r, head);
	return head - tail;
}

/* Drain every queued exit record with read(); their number, or -1. */
static inline long bench_tvmm_drain(int fd)
{
	static struct tvmm_exit_record buf[64];
	long total = 0;
	ssize_t n;

	for (;;) {
		n = read(fd, buf, sizeof(buf));
		if (n < 0) {
			perror(BENCH_PROG ": read(exit records)");
			return -1;
		}
		if (n == 0)
			return total;
		total += n / sizeof(buf[0]);
	}
}

/*
 * A module built with CONFIG_TVMM_PROFILE has debugfs vmN/profile: the
 * ticks of each part of an exit (module/profile.h). Print its lines as
 * "PROFILE mode=MODE KIND exits=N PART=T ..." for run.sh; a normal module
 * has no such file, and nothing is printed.
 */
static inline void bench_tvmm_print_profile(int fd, const char *mode)
{
	char path[96], line[512];
	FILE *f;
	int id;

	id = ioctl(fd, TVMM_GET_VM_ID);
	if (id < 0)
		return;
	snprintf(path, sizeof(path), "/sys/kernel/debug/tvmm/vm%d/profile", id);
	f = fopen(path, "r");
	if (!f)
		return;
	while (fgets(line, sizeof(line), f))
		printf("PROFILE mode=%s %s", mode, line);
	fclose(f);
}

/*
 * One VM: create, configure (hw mode, @flags), load @img, run to the end
 * (a traced VM drained as @drain says), take the guest's figures from its
 * registers (and its console line, which must agree). Messages go to
 * stderr. Return: 0, -2 if a lab's TODO is still a stub in the module
 * (TVMM_END_TODO), -1 on any other failure.
 */
static inline int bench_tvmm_run(const char *mode, __u32 flags, enum bench_drain drain,
				 const void *img, size_t size, struct bench_run *out)
{
	struct tracering ring = { 0 };
	char why[320];
	struct tvmm_config cfg = { .mode = TVMM_MODE_HW, .flags = flags };
	struct tvmm_image image = { .addr = (unsigned long)img, .size = size };
	struct tvmm_regs regs;
	struct tvmm_run run;
	char console[1024] = "";
	size_t clen = 0;
	unsigned int e, c, i, n;
	uint64_t t0, ns0;
	long recs;
	int fd, ret = -1;

	memset(out, 0, sizeof(*out));
	fd = open(TVMM_DEVICE_PATH, O_RDWR | O_CLOEXEC);
	if (fd < 0) {
		fprintf(stderr, BENCH_PROG ": open %s: %s (is tvmm.ko loaded?)\n",
			TVMM_DEVICE_PATH, strerror(errno));
		return -1;
	}
	if (ioctl(fd, TVMM_SET_CONFIG, &cfg) || ioctl(fd, TVMM_LOAD_IMAGE, &image)) {
		fprintf(stderr, BENCH_PROG ": %s: configure/load: %s\n", mode, strerror(errno));
		goto out;
	}
	if ((flags & TVMM_CONFIG_TRACE) && drain == BENCH_DRAIN_MMAP &&
	    tracering_map(&ring, fd, why, sizeof(why))) {
		fprintf(stderr, BENCH_PROG ": %s: %s\n", mode, why);
		goto out;
	}

	t0 = __rdtsc();
	ns0 = bench_now_ns();
	for (;;) {
		memset(&run, 0, sizeof(run));
		if (ioctl(fd, TVMM_RUN, &run)) {
			if (errno == EINTR)
				continue;
			fprintf(stderr, BENCH_PROG ": %s: TVMM_RUN: %s\n", mode, strerror(errno));
			goto out;
		}
		if (flags & TVMM_CONFIG_TRACE) {
			recs = ring.page ? bench_tvmm_drain_mapped(&ring) : bench_tvmm_drain(fd);
			if (recs < 0)
				goto out;
			out->records += recs;
		}
		if (run.console_len && clen + run.console_len < sizeof(console)) {
			memcpy(console + clen, run.console, run.console_len);
			clen += run.console_len;
			console[clen] = '\0';
		}
		if (run.state == TVMM_RUN_ENDED)
			break;
	}
	out->run_tsc = __rdtsc() - t0;
	out->run_ns = bench_now_ns() - ns0;
	out->exits = run.exits;
	bench_tvmm_print_profile(fd, mode);

	if (run.end != TVMM_END_HLT) {
		fprintf(stderr, BENCH_PROG ": %s: the guest did not end with HLT: end %u, info 0x%llx: %s\n",
			mode, run.end, (unsigned long long)run.end_info, run.message);
		if (run.end == TVMM_END_TODO)
			ret = -2;	/* a lab's stub: see the message */
		goto out;
	}
	if (ioctl(fd, TVMM_GET_REGS, &regs)) {
		fprintf(stderr, BENCH_PROG ": %s: TVMM_GET_REGS: %s\n", mode, strerror(errno));
		goto out;
	}
	if ((uint32_t)regs.rsi != BENCH_REG_MAGIC || !(uint32_t)regs.rdx) {
		fprintf(stderr, BENCH_PROG ": %s: no results in the registers (esi 0x%llx, edx %llu)\n",
			mode, (unsigned long long)regs.rsi, (unsigned long long)regs.rdx);
		goto out;
	}
	out->empty = regs.rax;
	out->cpuid = regs.rbx;
	out->io = regs.rcx;
	out->n = regs.rdx;

	/* The console line, when there is one, must say the same. */
	if (clen) {
		const char *line = strstr(console, "bench: ");

		if (!line || sscanf(line, "bench: empty=%u cpuid=%u io=%u n=%u",
				    &e, &c, &i, &n) != 4) {
			fprintf(stderr, BENCH_PROG ": %s: unexpected console output: %s\n",
				mode, console);
			goto out;
		}
		if (e != out->empty || c != out->cpuid || i != out->io || n != out->n) {
			fprintf(stderr, BENCH_PROG ": %s: console \"%s\" disagrees with the registers\n",
				mode, line);
			goto out;
		}
	} else if (!(flags & TVMM_CONFIG_NULL_HANDLERS)) {
		fprintf(stderr, BENCH_PROG ": %s: no console output\n", mode);
		goto out;
	}
	ret = 0;
out:
	tracering_unmap(&ring);
	close(fd);
	return ret;
}

#endif /* TVMM_BENCH_TVMM_H */
