/* SPDX-License-Identifier: GPL-2.0 */
/*
 * tap.h - the smallest TAP producer for the host unit tests.
 *
 * Each test program prints "ok N - what" / "not ok N - what" lines and
 * "# " diagnostics, then the plan, and exits non-zero if anything failed.
 * run.sh wraps the programs into one TAP 13 stream.
 * Context: userspace test programs; header-only, one translation unit.
 */
#ifndef TVMM_TAP_H
#define TVMM_TAP_H

#include <stdarg.h>
#include <stdio.h>

static int tap_count;
static int tap_failed;

/*
 * Record one check; return its result so callers can add diagnostics.
 * ok() folds the condition to 0/1 first: a 64-bit mask must not be
 * truncated to int (bit 55 would read as 0).
 */
#define ok(cond, ...)	tap_ok(!!(cond), __VA_ARGS__)

static __attribute__((format(printf, 2, 3))) int tap_ok(int pass,
							const char *fmt, ...)
{
	va_list ap;

	tap_count++;
	if (!pass)
		tap_failed++;
	printf("%sok %d - ", pass ? "" : "not ", tap_count);
	va_start(ap, fmt);
	vprintf(fmt, ap);
	va_end(ap);
	putchar('\n');
	return pass;
}

static __attribute__((format(printf, 1, 2))) void diag(const char *fmt, ...)
{
	va_list ap;

	fputs("# ", stdout);
	va_start(ap, fmt);
	vprintf(fmt, ap);
	va_end(ap);
	putchar('\n');
}

/* Compare two unsigned values and print both when they differ. */
#define ok_eq(actual, expected, ...)					\
	do {								\
		unsigned long long a_ = (actual), e_ = (expected);	\
		if (!ok(a_ == e_, __VA_ARGS__))				\
			diag("  %s = 0x%llx, expected %s = 0x%llx",	\
			     #actual, a_, #expected, e_);		\
	} while (0)

/* Print the plan; the return value is main()'s exit status. */
static int done_testing(void)
{
	printf("1..%d\n", tap_count);
	if (tap_failed)
		diag("%d of %d checks failed", tap_failed, tap_count);
	return tap_failed ? 1 : 0;
}

#endif /* TVMM_TAP_H */
