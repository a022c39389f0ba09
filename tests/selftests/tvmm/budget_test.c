// SPDX-License-Identifier: GPL-2.0
/*
 * budget_test - what one VM exit costs, held to a budget that cannot drift.
 *
 * Rule under test: tvmm's exit path costs no more than tests/bench/budget
 * says, + 5 %: a CPUID exit and an OUT exit (tracing off), the same two
 * traced (TVMM_CONFIG_TRACE, records drained through the mapped ring,
 * as `tvmm run --trace` drains them), and the floor
 * (TVMM_CONFIG_NULL_HANDLERS). The traced figures drained with read()
 * are printed beside them, with no budget: they show what the copy
 * costs, and read() is the simple way, not the fast one. A change that makes every exit slower fails
 * here the day it is made, not months later in someone's benchmark.
 *
 * Why this is no timing test: in the lab VM (Bochs, `clock: sync=none`)
 * the TSC advances with emulated instructions. guests/bench.bin counts
 * the ticks of N exits with RDTSC, so a figure is the number of
 * instructions tvmm ran per exit: the same on any host, however loaded.
 * The figures come from tests/bench/bench_tvmm.h, exactly as `make bench`
 * measures them; each is the best of two VMs (a host interrupt landing in
 * every round of one run is not tvmm's cost).
 *
 * Skips: on the debug lab kernel (kmemleak in debugfs: KASAN and lockdep
 * make every instruction dearer, and the budget is for the normal kernel),
 * and when a lab's TODO is still a stub in the module (the guest's CPUID
 * or OUT ends the VM). Any other failure to run the guest fails.
 *
 * Lab: none (make check); docs: tests/bench/README.md.
 */
#define BENCH_PROG "budget_test"
#include "vm_util.h"
#include "../../bench/bench_tvmm.h"
#include "budget.h"
#include "../kselftest_harness.h"

/* A figure may exceed its budget by this much (5 %) and still pass. */
#define BUDGET_SLACK	0.05

/* Runs per configuration; the smallest figures count. */
#define BUDGET_RUNS	2

/* The normal lab kernel? The debug one has kmemleak (debug.config). */
static bool debug_kernel(void)
{
	return access("/sys/kernel/debug/kmemleak", F_OK) == 0;
}

/*
 * Run bench.bin BUDGET_RUNS times with @flags; the best figures in @best.
 * Return: 0, or bench_tvmm_run()'s -2 (a lab stub) or -1 (the reason is
 * on stderr).
 */
static int measure(__u32 flags, enum bench_drain drain, const char *mode,
		   struct bench_run *best)
{
	char path[PATH_MAX];
	struct bench_run r;
	size_t size = 0;
	unsigned int i;
	void *img;
	int ret = 0;

	img = bench_read_image(guest_path("bench.bin", path, sizeof(path)), &size);
	if (!img) {
		fprintf(stderr, "budget_test: cannot read %s: %s\n", path, strerror(errno));
		return -1;
	}
	for (i = 0; i < BUDGET_RUNS && !ret; i++) {
		ret = bench_tvmm_run(mode, flags, drain, img, size, &r);
		if (!ret)
			bench_keep_min(best, &r, i == 0);
	}
	free(img);
	return ret;
}

/* Print one figure against its budget; true if within budget + slack. */
static bool within_budget(const char *what, double ticks, double budget)
{
	double limit = budget * (1.0 + BUDGET_SLACK);
	bool ok = ticks <= limit;

	ksft_print_msg("%-20s %7.1f ticks per exit, budget %7.1f (fails above %.1f)%s\n",
		       what, ticks, budget, limit, ok ? "" : ": OVER BUDGET");
	fflush(stdout);		/* the harness ends the test's process with _exit() */
	return ok;
}

/* Measure @flags into @best; skip where the budget does not apply. */
#define MEASURE(flags, drain, mode, best)					\
	do {									\
		int __ret;							\
										\
		REQUIRE_VMX_AND_TVMM();						\
		REQUIRE_GUEST("bench.bin");					\
		if (debug_kernel())						\
			SKIP_TEST("the budget is for the normal lab kernel, "	\
				  "this one has the debug checkers");		\
		__ret = measure(flags, drain, mode, best);			\
		if (__ret == -2)						\
			SKIP_TEST("a lab's TODO is a stub in this tvmm.ko");	\
		ASSERT_EQ(0, __ret) TH_LOG("bench.bin did not run to its end (see above)"); \
	} while (0)

/*
 * The CPUID and the OUT figures of @best against their budgets; both are
 * printed, whatever the first one gives. @label follows the exit's name.
 */
static bool pair_within_budget(const struct bench_run *best, const char *label,
			       double cpuid_budget, double io_budget)
{
	char what[32];
	bool ok;

	snprintf(what, sizeof(what), "cpuid%s", label);
	ok = within_budget(what, bench_per_exit(best->cpuid, best->empty, best->n),
			   cpuid_budget);
	snprintf(what, sizeof(what), "io%s", label);
	ok &= within_budget(what, bench_per_exit(best->io, best->empty, best->n), io_budget);
	return ok;
}

TEST(untraced_exits_within_budget)
{
	struct bench_run best = { 0 };

	MEASURE(0, BENCH_DRAIN_MMAP, "normal", &best);
	EXPECT_TRUE(pair_within_budget(&best, "", BUDGET_CPUID, BUDGET_IO));
}

TEST(traced_exits_within_budget)
{
	struct bench_run best = { 0 };

	MEASURE(TVMM_CONFIG_TRACE, BENCH_DRAIN_MMAP, "trace", &best);
	/* Every exit left a record: a trace that drops some is cheaper. */
	EXPECT_EQ(best.records, best.exits);
	EXPECT_TRUE(pair_within_budget(&best, " traced (mmap)", BUDGET_CPUID_TRACED,
				       BUDGET_IO_TRACED));
}

/* The same drained with read(): printed for comparison, no budget. */
TEST(traced_read_exits_printed)
{
	struct bench_run best = { 0 };

	MEASURE(TVMM_CONFIG_TRACE, BENCH_DRAIN_READ, "trace-read", &best);
	EXPECT_EQ(best.records, best.exits);
	ksft_print_msg("%-20s %7.1f ticks per exit (no budget: the read() drain copies)\n",
		       "cpuid traced (read)", bench_per_exit(best.cpuid, best.empty, best.n));
	ksft_print_msg("%-20s %7.1f ticks per exit (no budget: the read() drain copies)\n",
		       "io traced (read)", bench_per_exit(best.io, best.empty, best.n));
	fflush(stdout);
}

TEST(floor_within_budget)
{
	struct bench_run best = { 0 };

	MEASURE(TVMM_CONFIG_NULL_HANDLERS, BENCH_DRAIN_MMAP, "floor", &best);
	EXPECT_TRUE(pair_within_budget(&best, " floor", BUDGET_FLOOR, BUDGET_FLOOR));
}

TEST_HARNESS_MAIN
