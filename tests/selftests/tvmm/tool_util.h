/* SPDX-License-Identifier: GPL-2.0 */
/*
 * tool_util.h - helpers of the selftests that drive the tvmm tool itself
 * (consolidate_test, migrate_cpu_test): run a command with its stdout and
 * stderr in files, start `tvmm run` in the background, find its VM in
 * debugfs and wait until it runs.
 * Include after vm_util.h. Every helper returns -errno (or -1) on failure.
 */
#ifndef TVMM_TOOL_UTIL_H
#define TVMM_TOOL_UTIL_H

#include <dirent.h>
#include <signal.h>
#include <sys/wait.h>
#include <time.h>

/* Is the tool in PATH? (the lab VM installs it as /bin/tvmm) */
static inline bool tool_available(void)
{
	return system("command -v tvmm >/dev/null 2>&1") == 0;
}

/* A whole small file into @buf (NUL-terminated); its length or -errno. */
static inline ssize_t tool_slurp(const char *path, char *buf, size_t size)
{
	FILE *f = fopen(path, "r");
	size_t n;

	if (!f)
		return -errno;
	n = fread(buf, 1, size - 1, f);
	fclose(f);
	buf[n] = '\0';
	return n;
}

/* sh -c "@cmd >@out 2>@err"; the exit status, or -1 if it did not exit. */
static inline int tool_run(const char *cmd, const char *out, const char *err)
{
	char line[PATH_MAX * 6];
	int status;

	if (snprintf(line, sizeof(line), "%s >%s 2>%s", cmd, out, err) >= (int)sizeof(line))
		return -1;
	status = system(line);
	return WIFEXITED(status) ? WEXITSTATUS(status) : -1;
}

/*
 * Start `sh -c @cmd` in the background, stdout and stderr to @out.
 * Return: its pid (the shell execs the last command, so the pid is the
 * tool's), or -errno.
 */
static inline pid_t tool_spawn(const char *cmd, const char *out)
{
	char line[PATH_MAX * 6];
	pid_t pid;

	if (snprintf(line, sizeof(line), "exec %s >%s 2>&1", cmd, out) >= (int)sizeof(line))
		return -ENAMETOOLONG;
	pid = fork();
	if (pid < 0)
		return -errno;
	if (!pid) {
		execl("/bin/sh", "sh", "-c", line, (char *)NULL);
		_exit(127);
	}
	return pid;
}

/* SIGTERM @pid and reap it; its wait status. */
static inline int tool_stop(pid_t pid)
{
	int status = 0;

	kill(pid, SIGTERM);
	waitpid(pid, &status, 0);
	return status;
}

/* An integer field ("pid", "last cpu") of debugfs vm@id/state, or -1. */
static inline long tool_vm_field(int id, const char *key)
{
	char v[64];

	if (vm_state_field(id, key, v, sizeof(v)))
		return -1;
	return strtol(v, NULL, 10);
}

/*
 * Wait (up to @tries x 50 ms) until process @pid runs a VM that has made
 * @exits exits or more; its id, or -1.
 */
static inline int tool_wait_vm(pid_t pid, unsigned long long exits, int tries)
{
	const struct timespec nap = { 0, 50 * 1000 * 1000 };
	struct dirent *de;
	int id, found = -1;
	DIR *d;

	while (tries-- > 0 && found < 0) {
		d = opendir(TVMM_DEBUGFS);
		while (d && (de = readdir(d)) && found < 0)
			if (sscanf(de->d_name, "vm%d", &id) == 1 &&
			    tool_vm_field(id, "pid") == pid &&
			    tool_vm_field(id, "exits") >= (long)exits)
				found = id;
		if (d)
			closedir(d);
		if (found < 0)
			nanosleep(&nap, NULL);
	}
	return found;
}

#endif /* TVMM_TOOL_UTIL_H */
