// SPDX-License-Identifier: GPL-2.0
/*
 * tvmm_bench - what one VM exit round trip costs under tvmm (make bench).
 *
 * Runs in the lab VM (root, tvmm.ko loaded). Runs guests/bench.bin, which
 * times N CPUIDs and N OUTs to port 0x80 against an empty loop with RDTSC,
 * three ways:
 *   normal  tvmm's real handlers, tracing off
 *   trace   TVMM_CONFIG_TRACE: every exit leaves a record, drained here
 *           through the mapped ring whenever TVMM_RUN returns (no copy)
 *   trace-read  the same, drained with read() (every record copied out)
 *   floor   TVMM_CONFIG_NULL_HANDLERS: CPUID and I/O exits only step over
 *           the instruction; what any VMM pays before its handler runs
 * Each configuration runs REPS times (a new VM each time); the smallest
 * figures are reported. The guest leaves its results in its registers at
 * the final HLT (read with TVMM_GET_REGS: under null handlers its console
 * prints nothing) and, when the console works, in a "bench:" line that
 * must agree with them.
 *
 *   tvmm_bench [-r REPS] [IMAGE]     IMAGE defaults to bench.bin beside
 *                                     this program, then ./bench.bin
 *
 * Output: per-repetition lines, a table, and one "BENCH mode=..." line per
 * configuration for tests/bench/run.sh. Figures only: no timing is
 * asserted. Exit status 0 if every run ended with the guest's HLT and
 * valid results, 1 otherwise.
 */
#define _GNU_SOURCE
#include <errno.h>
#include <fcntl.h>
#include <libgen.h>
#include <limits.h>
#include <stdlib.h>
#include <sys/ioctl.h>
#include <sys/stat.h>
#include <unistd.h>

#include "bench_tvmm.h"

static const struct {
	const char *name;
	__u32 flags;
	enum bench_drain drain;
} modes[] = {
	{ "normal", 0, BENCH_DRAIN_MMAP },
	{ "trace", TVMM_CONFIG_TRACE, BENCH_DRAIN_MMAP },
	{ "floor", TVMM_CONFIG_NULL_HANDLERS, BENCH_DRAIN_MMAP },
	{ "trace-read", TVMM_CONFIG_TRACE, BENCH_DRAIN_READ },
};
#define NR_MODES (sizeof(modes) / sizeof(modes[0]))

int main(int argc, char **argv)
{
	struct bench_run best[NR_MODES] = { 0 }, r;
	unsigned int reps = BENCH_REPS_DEFAULT, m, k;
	char path[PATH_MAX];
	const char *image = NULL;
	size_t size = 0;
	void *img;
	int ret, fail = 0;

	ret = bench_options(argc, argv, &reps, path, &image);
	if (ret >= 0)
		return ret;
	img = bench_read_image(image, &size);
	if (!img) {
		fprintf(stderr, "tvmm_bench: cannot read %s: %s\n", image, strerror(errno));
		return 1;
	}

	printf("tvmm_bench: %s (%zu bytes), %u repetitions per configuration\n",
	       image, size, reps);
	for (m = 0; m < NR_MODES; m++) {
		for (k = 0; k < reps; k++) {
			if (bench_tvmm_run(modes[m].name, modes[m].flags, modes[m].drain, img, size, &r)) {
				fail = 1;
				break;
			}
			bench_print_rep(modes[m].name, k + 1, &r);
			bench_keep_min(&best[m], &r, k == 0);
		}
		if (k < reps)
			memset(&best[m], 0, sizeof(best[m]));
	}

	printf("\ntvmm_bench: guest TSC ticks per exit round trip (best of %u; n=%u)\n",
	       reps, best[0].n);
	printf("  %-10s %10s %10s %16s\n", "config", "cpuid", "io(0x80)", "run (host TSC)");
	for (m = 0; m < NR_MODES; m++)
		printf("  %-10s %10.1f %10.1f %16llu\n", modes[m].name,
		       bench_per_exit(best[m].cpuid, best[m].empty, best[m].n),
		       bench_per_exit(best[m].io, best[m].empty, best[m].n),
		       (unsigned long long)best[m].run_tsc);
	if (best[0].run_tsc && best[1].run_tsc)
		printf("  run time, tracing on / off: %.2f\n",
		       (double)best[1].run_tsc / best[0].run_tsc);
	printf("\n");
	for (m = 0; m < NR_MODES; m++)
		if (best[m].n)
			bench_report(modes[m].name, &best[m], reps);
	free(img);
	return fail;
}
