/* SPDX-License-Identifier: GPL-2.0 */
/*
 * bench.h - what tvmm_bench and kvm_bench share: the layout of the results
 * of guests/bench.S and the report line run.sh parses.
 *
 * The programs run inside the lab VM, where the TSC is Bochs' emulated one
 * (it advances with emulated instructions, `clock: sync=none`): the guest's
 * RDTSC and the host-side rdtsc() count the same ticks.
 */
#ifndef TVMM_BENCH_H
#define TVMM_BENCH_H

#include <fcntl.h>
#include <libgen.h>
#include <limits.h>
#include <stdint.h>
#include <stdlib.h>
#include <sys/stat.h>
#include <unistd.h>
#include <stdio.h>
#include <string.h>
#include <time.h>
#include <x86intrin.h>

#define BENCH_LOAD_GPA		0x10000	/* guest ABI: flat image here */
#define BENCH_RESULTS_GPA	0x10010	/* the results block of bench.S */
#define BENCH_MAGIC		"TVMMBNCH"
#define BENCH_REG_MAGIC		0x484e4242	/* ESI at the final HLT */
#define BENCH_REPS_DEFAULT	3

/* The results block at BENCH_RESULTS_GPA (see guests/bench.S). */
struct bench_block {
	char magic[8];
	uint32_t n, rounds;
	uint32_t empty, cpuid, io;	/* ticks for n iterations */
	uint32_t done;
};

/* One run of the guest, as the host saw it. */
struct bench_run {
	uint32_t n, empty, cpuid, io;	/* guest-measured (minimum of its rounds) */
	uint64_t run_tsc;		/* host TSC ticks, first run call to the end */
	uint64_t run_ns;		/* CLOCK_MONOTONIC, same span */
	uint64_t exits;			/* exits the VMM counted */
	uint64_t records;		/* exit records drained (tvmm trace) */
};

static inline double bench_per_exit(uint32_t kind, uint32_t empty, uint32_t n)
{
	return n ? ((double)kind - (double)empty) / n : 0.0;
}

static inline uint64_t bench_now_ns(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (uint64_t)ts.tv_sec * 1000000000ull + ts.tv_nsec;
}

/*
 * The line run.sh reads, one per configuration (best of the repetitions):
 * BENCH mode=M n=N empty=T cpuid=T io=T cpuid_exit=X io_exit=X run_tsc=T ...
 */
static inline void bench_report(const char *mode, const struct bench_run *r,
				unsigned int reps)
{
	printf("BENCH mode=%s n=%u empty=%u cpuid=%u io=%u cpuid_exit=%.1f io_exit=%.1f "
	       "run_tsc=%llu run_ns=%llu exits=%llu records=%llu reps=%u\n",
	       mode, r->n, r->empty, r->cpuid, r->io,
	       bench_per_exit(r->cpuid, r->empty, r->n),
	       bench_per_exit(r->io, r->empty, r->n),
	       (unsigned long long)r->run_tsc, (unsigned long long)r->run_ns,
	       (unsigned long long)r->exits, (unsigned long long)r->records, reps);
}

/* Keep, field by field, the smallest of the repetitions. */
static inline void bench_keep_min(struct bench_run *best, const struct bench_run *r,
				  int first)
{
	if (first) {
		*best = *r;
		return;
	}
#define BENCH_MIN(f) do { if (r->f < best->f) best->f = r->f; } while (0)
	BENCH_MIN(empty);
	BENCH_MIN(cpuid);
	BENCH_MIN(io);
	BENCH_MIN(run_tsc);
	BENCH_MIN(run_ns);
#undef BENCH_MIN
}

/* Per-repetition line, for the reader: shows how stable the figures are. */
static inline void bench_print_rep(const char *mode, unsigned int rep,
				   const struct bench_run *r)
{
	printf("  %-10s rep %u: empty=%u cpuid=%u io=%u (n=%u)  per exit: cpuid %.1f, io %.1f"
	       "  run: %llu host TSC ticks, %.3f ms, %llu exits, %llu records\n",
	       mode, rep, r->empty, r->cpuid, r->io, r->n,
	       bench_per_exit(r->cpuid, r->empty, r->n),
	       bench_per_exit(r->io, r->empty, r->n),
	       (unsigned long long)r->run_tsc, r->run_ns / 1e6,
	       (unsigned long long)r->exits, (unsigned long long)r->records);
}

/* Read a whole guest image into a malloc'd buffer; NULL with errno on failure. */
static inline void *bench_read_image(const char *path, size_t *size)
{
	struct stat st;
	void *buf;
	int fd = open(path, O_RDONLY | O_CLOEXEC);

	if (fd < 0)
		return NULL;
	if (fstat(fd, &st) || st.st_size <= 0 || !(buf = malloc(st.st_size))) {
		close(fd);
		return NULL;
	}
	if (read(fd, buf, st.st_size) != st.st_size) {
		free(buf);
		close(fd);
		return NULL;
	}
	close(fd);
	*size = st.st_size;
	return buf;
}

/*
 * The options both benchmarks take: [-r REPS] [IMAGE]. IMAGE defaults to
 * bench.bin beside the program, else in the current directory; @path
 * (PATH_MAX bytes) holds the name when it is built here.
 * Return: -1 to go on, or the exit status (0 after -h, 2 for bad usage).
 */
static inline int bench_options(int argc, char **argv, unsigned int *reps,
				char *path, const char **image)
{
	char exe[PATH_MAX];
	ssize_t len;
	int opt;

	while ((opt = getopt(argc, argv, "r:h")) != -1) {
		switch (opt) {
		case 'r':
			*reps = strtoul(optarg, NULL, 0);
			if (!*reps)
				*reps = 1;
			break;
		default:
			fprintf(stderr, "usage: %s [-r REPS] [IMAGE]\n", argv[0]);
			return opt == 'h' ? 0 : 2;
		}
	}
	*image = NULL;
	if (optind < argc) {
		*image = argv[optind];
		return -1;
	}
	len = readlink("/proc/self/exe", exe, sizeof(exe) - 1);
	if (len > 0) {
		exe[len] = '\0';
		snprintf(path, PATH_MAX, "%s/bench.bin", dirname(exe));
		if (!access(path, R_OK))
			*image = path;
	}
	if (!*image)
		*image = "bench.bin";
	return -1;
}

#endif /* TVMM_BENCH_H */
