/* SPDX-License-Identifier: GPL-2.0 */
/*
 * compare_util.h - run `tvmm compare --json` from a selftest, in the
 * guests' directory, and keep its output (compare_test, properties_test).
 * Include after ../kselftest_harness.h: it logs with TH_LOG.
 */
#ifndef TVMM_COMPARE_UTIL_H
#define TVMM_COMPARE_UTIL_H

#include <sys/wait.h>

/* Run `tvmm compare --json ARGS` in the guests' directory; its exit status. */
static int run_compare(struct __test_metadata *_metadata, const char *args,
		       char *out, size_t size)
{
	char dir[PATH_MAX], cmd[PATH_MAX * 2 + 256];
	size_t n;
	int status;
	FILE *f;

	guest_path("", dir, sizeof(dir));
	snprintf(cmd, sizeof(cmd), "cd %s && tvmm compare --json %s", dir, args);
	f = popen(cmd, "r");
	if (!f)
		return -1;
	n = fread(out, 1, size - 1, f);
	out[n] = '\0';
	status = pclose(f);
	TH_LOG("tvmm compare --json %s:\n%s", args, out);
	return WIFEXITED(status) ? WEXITSTATUS(status) : -1;
}

#endif /* TVMM_COMPARE_UTIL_H */
