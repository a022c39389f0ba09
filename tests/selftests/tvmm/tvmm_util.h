/* SPDX-License-Identifier: GPL-2.0 */
/*
 * tvmm_util.h - small helpers shared by the tvmm selftests: load and
 * unload modules, read small files, search the kernel log.
 *
 * The tests run as root inside the lab VM, from the directory that holds
 * them; the module under test is /lib/modules/tvmm.ko (override with the
 * TVMM_KO environment variable), helper modules sit beside the tests.
 * Every helper returns -errno on failure so the caller can assert on it.
 */
#ifndef TVMM_UTIL_H
#define TVMM_UTIL_H

#ifndef _GNU_SOURCE
#define _GNU_SOURCE
#endif
#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/klog.h>
#include <sys/stat.h>
#include <sys/syscall.h>
#include <unistd.h>

#include "tvmm.h"

#define TVMM_KO_DEFAULT		"/lib/modules/tvmm.ko"
#define CR4_PROBE_KO		"cr4_probe.ko"
#define KVM_INTEL_STAND_IN_KO	"kvm_intel.ko"
#define CR4_PROBE_FILE		"/sys/kernel/debug/cr4_probe/cr4"
#define TVMM_DEBUGFS		"/sys/kernel/debug/tvmm"
#define X86_CR4_VMXE_BIT	(1UL << 13)

/* What a failed load of tvmm.ko means beyond strerror(): a lab stub. */
static inline const char *tvmm_load_hint(int err)
{
	return err == -ENOPKG ?
	       " (a lab's solution is not in this build: dmesg names the TODO to fill in)" : "";
}

static inline const char *tvmm_ko_path(void)
{
	const char *path = getenv("TVMM_KO");

	return path ? path : TVMM_KO_DEFAULT;
}

/* finit_module(2) on @path with @params; 0 or -errno. */
static inline int module_load(const char *path, const char *params)
{
	int fd = open(path, O_RDONLY | O_CLOEXEC);
	int ret;

	if (fd < 0)
		return -errno;
	ret = syscall(SYS_finit_module, fd, params ? params : "", 0);
	ret = ret ? -errno : 0;
	close(fd);
	return ret;
}

/* delete_module(2) without waiting; 0 or -errno (EBUSY if in use). */
static inline int module_unload(const char *name)
{
	return syscall(SYS_delete_module, name, O_NONBLOCK) ? -errno : 0;
}

/* Is module @name in /proc/modules? */
static inline bool module_is_loaded(const char *name)
{
	char line[256];
	size_t len = strlen(name);
	bool found = false;
	FILE *f = fopen("/proc/modules", "r");

	if (!f)
		return false;
	while (!found && fgets(line, sizeof(line), f))
		found = !strncmp(line, name, len) && line[len] == ' ';
	fclose(f);
	return found;
}

/* Make sure tvmm is loaded; 0 or -errno from finit_module. */
static inline int tvmm_ensure_loaded(void)
{
	int ret;

	if (module_is_loaded("tvmm"))
		return 0;
	ret = module_load(tvmm_ko_path(), NULL);
	return ret == -EEXIST ? 0 : ret;
}

/* Make sure tvmm is not loaded; 0 or -errno from delete_module. */
static inline int tvmm_ensure_unloaded(void)
{
	if (!module_is_loaded("tvmm"))
		return 0;
	return module_unload("tvmm");
}

/* Read a small text file into @buf (NUL-terminated); bytes read or -errno. */
static inline ssize_t read_text_file(const char *path, char *buf, size_t size)
{
	int fd = open(path, O_RDONLY | O_CLOEXEC);
	ssize_t n, total = 0;

	if (fd < 0)
		return -errno;
	while ((size_t)total < size - 1 &&
	       (n = read(fd, buf + total, size - 1 - total)) > 0)
		total += n;
	buf[total] = '\0';
	close(fd);
	return total;
}

/* Write @text to a sysfs/debugfs file; 0 or -1 with errno set. */
static inline int write_text_file(const char *path, const char *text)
{
	int fd = open(path, O_WRONLY | O_CLOEXEC);
	ssize_t n;

	if (fd < 0)
		return -1;
	n = write(fd, text, strlen(text));
	close(fd);
	return n == (ssize_t)strlen(text) ? 0 : -1;
}

/*
 * Write @text to tracefs file @file (relative to /sys/kernel/tracing);
 * O_TRUNC, so "" to "trace" empties the buffer. 0 or -errno.
 */
static inline int tracefs_write(const char *file, const char *text)
{
	char path[256];
	int fd, ret;

	snprintf(path, sizeof(path), "/sys/kernel/tracing/%s", file);
	fd = open(path, O_WRONLY | O_TRUNC | O_CLOEXEC);
	if (fd < 0)
		return -errno;
	ret = write(fd, text, strlen(text)) == (ssize_t)strlen(text) ? 0 : -errno;
	close(fd);
	return ret;
}

/* The whole kernel log buffer (like `dmesg`) in a malloc'd string. */
static inline char *kernel_log(void)
{
	int size = klogctl(10 /* SYSLOG_ACTION_SIZE_BUFFER */, NULL, 0);
	char *buf;
	int n;

	if (size <= 0)
		size = 1 << 17;
	buf = calloc(1, size + 1);
	if (!buf)
		return NULL;
	n = klogctl(3 /* SYSLOG_ACTION_READ_ALL */, buf, size);
	buf[n > 0 ? n : 0] = '\0';
	return buf;
}

/* Empty the kernel log so the next kernel_log() holds only new lines. */
static inline void kernel_log_clear(void)
{
	klogctl(5 /* SYSLOG_ACTION_CLEAR */, NULL, 0);
}

/* Does the kernel log contain @needle? */
static inline bool kernel_log_contains(const char *needle)
{
	char *log = kernel_log();
	bool found = log && strstr(log, needle);

	free(log);
	return found;
}

/*
 * The first line of the kernel log that shows a kernel problem (oops,
 * BUG, WARNING, lockdep splat), copied into @line; false if none.
 */
static inline bool kernel_log_has_problem(char *line, size_t size)
{
	static const char *const marks[] = {
		"WARNING:", "BUG:", "Oops", "Call Trace", "general protection",
		"INFO: ", "kernel BUG",
	};
	char *log = kernel_log();
	char *p, *save = NULL;
	bool found = false;

	if (!log)
		return false;
	for (p = strtok_r(log, "\n", &save); p && !found;
	     p = strtok_r(NULL, "\n", &save)) {
		for (size_t i = 0; i < sizeof(marks) / sizeof(marks[0]); i++) {
			if (strstr(p, marks[i])) {
				snprintf(line, size, "%s", p);
				found = true;
				break;
			}
		}
	}
	free(log);
	return found;
}

/* Number of online CPUs as the kernel reports them. */
static inline int cpus_online(void)
{
	return (int)sysconf(_SC_NPROCESSORS_ONLN);
}

/*
 * Load the cr4_probe helper (see module/cr4_probe.c) from the tests'
 * directory, @hold_vmx: pretend to be another VMM. 0 or -errno.
 */
static inline int cr4_probe_load(bool hold_vmx)
{
	return module_load(CR4_PROBE_KO, hold_vmx ? "hold_vmx=1" : NULL);
}

static inline int cr4_probe_unload(void)
{
	return module_unload("cr4_probe");
}

/*
 * Count online CPUs whose CR4 has VMXE set and CPUs listed, via the
 * cr4_probe helper (which must be loaded). -errno if it cannot be read.
 */
static inline int cpus_with_vmxe(int *listed)
{
	char buf[4096], *p, *save = NULL;
	int with = 0;

	*listed = 0;
	if (read_text_file(CR4_PROBE_FILE, buf, sizeof(buf)) < 0)
		return -errno;
	for (p = strtok_r(buf, "\n", &save); p; p = strtok_r(NULL, "\n", &save)) {
		unsigned long cr4;
		unsigned int cpu;

		if (sscanf(p, "cpu%u 0x%lx", &cpu, &cr4) != 2)
			continue;
		(*listed)++;
		with += !!(cr4 & X86_CR4_VMXE_BIT);
	}
	return with;
}

/*
 * Free pages as the allocator sees them: the buddy lists ("pages free")
 * plus the pages parked on per-CPU lists ("count:"), summed over all zones
 * of /proc/zoneinfo. nr_free_pages alone misses the per-CPU lists, which
 * grow and shrink by dozens of pages with every free on another CPU.
 * Returns -1 if /proc/zoneinfo cannot be read.
 */
static inline long free_pages_total(void)
{
	char line[256];
	long total = 0, value;
	FILE *f = fopen("/proc/zoneinfo", "r");

	if (!f)
		return -1;
	while (fgets(line, sizeof(line), f)) {
		if (sscanf(line, " pages free %ld", &value) == 1 ||
		    sscanf(line, " count: %ld", &value) == 1)
			total += value;
	}
	fclose(f);
	return total;
}

#endif /* TVMM_UTIL_H */
