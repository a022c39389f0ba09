// SPDX-License-Identifier: GPL-2.0
/*
 * tvmm_bench - what one VM exit round trip costs under tvmm (make bench).
 *
 * Runs in the lab VM (root, tvmm.ko loaded). Runs guests/bench.bin, which
 * times N CPUIDs and N OUTs to port 0x80 against an empty loop with RDTSC,
 * three ways:
 *   normal  tvmm's real handlers, tracing off
 *   trace   TVMM_CONFIG_TRACE: every exit leaves a record, drained here
 *           with read() whenever TVMM_RUN says the ring is full
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

#include "tvmm.h"
#include "bench.h"

static const struct {
	const char *name;
	__u32 flags;
} modes[] = {
	{ "normal", 0 },
	{ "trace", TVMM_CONFIG_TRACE },
	{ "floor", TVMM_CONFIG_NULL_HANDLERS },
};
#define NR_MODES (sizeof(modes) / sizeof(modes[0]))

/* Drain every queued exit record; their number, or -1. */
static long drain(int fd)
{
	static struct tvmm_exit_record buf[64];
	long total = 0;
	ssize_t n;

	for (;;) {
		n = read(fd, buf, sizeof(buf));
		if (n < 0) {
			perror("tvmm_bench: read(exit records)");
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
static void print_profile(int fd, const char *mode)
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
		if (line[0] != '#')
			printf("PROFILE mode=%s %s", mode, line);
	fclose(f);
}

/* One VM: create, configure, load, run to the end; 0 or -1. */
static int run_once(const char *mode, __u32 flags, const void *img, size_t size,
		    struct bench_run *out)
{
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
		fprintf(stderr, "tvmm_bench: open %s: %s (is tvmm.ko loaded?)\n",
			TVMM_DEVICE_PATH, strerror(errno));
		return -1;
	}
	if (ioctl(fd, TVMM_SET_CONFIG, &cfg) || ioctl(fd, TVMM_LOAD_IMAGE, &image)) {
		fprintf(stderr, "tvmm_bench: %s: configure/load: %s\n", mode, strerror(errno));
		goto out;
	}

	t0 = __rdtsc();
	ns0 = bench_now_ns();
	for (;;) {
		memset(&run, 0, sizeof(run));
		if (ioctl(fd, TVMM_RUN, &run)) {
			if (errno == EINTR)
				continue;
			fprintf(stderr, "tvmm_bench: %s: TVMM_RUN: %s\n", mode, strerror(errno));
			goto out;
		}
		if (flags & TVMM_CONFIG_TRACE) {
			recs = drain(fd);
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
	print_profile(fd, mode);

	if (run.end != TVMM_END_HLT) {
		fprintf(stderr, "tvmm_bench: %s: the guest did not end with HLT: end %u, info 0x%llx: %s\n",
			mode, run.end, (unsigned long long)run.end_info, run.message);
		goto out;
	}
	if (ioctl(fd, TVMM_GET_REGS, &regs)) {
		fprintf(stderr, "tvmm_bench: %s: TVMM_GET_REGS: %s\n", mode, strerror(errno));
		goto out;
	}
	if ((uint32_t)regs.rsi != BENCH_REG_MAGIC || !(uint32_t)regs.rdx) {
		fprintf(stderr, "tvmm_bench: %s: no results in the registers (esi 0x%llx, edx %llu)\n",
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
			fprintf(stderr, "tvmm_bench: %s: unexpected console output: %s\n",
				mode, console);
			goto out;
		}
		if (e != out->empty || c != out->cpuid || i != out->io || n != out->n) {
			fprintf(stderr, "tvmm_bench: %s: console \"%s\" disagrees with the registers\n",
				mode, line);
			goto out;
		}
	} else if (!(flags & TVMM_CONFIG_NULL_HANDLERS)) {
		fprintf(stderr, "tvmm_bench: %s: no console output\n", mode);
		goto out;
	}
	ret = 0;
out:
	close(fd);
	return ret;
}

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
			if (run_once(modes[m].name, modes[m].flags, img, size, &r)) {
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
	printf("  %-7s %10s %10s %16s\n", "config", "cpuid", "io(0x80)", "run (host TSC)");
	for (m = 0; m < NR_MODES; m++)
		printf("  %-7s %10.1f %10.1f %16llu\n", modes[m].name,
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
