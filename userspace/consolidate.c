// SPDX-License-Identifier: GPL-2.0
/*
 * consolidate.c - `tvmm consolidate [--cpus LIST] IMAGE...`: several VMs
 * side by side, each on its own thread, all on the CPUs named.
 *
 * Concept: server consolidation, the notes' first reason for a VMM: many
 * under-used machines become VMs that share one. Each image gets its own
 * VM (its own open of /dev/tvmm: RAM, EPT, VMCS) and its own thread, so
 * Linux's scheduler time-shares the CPU between them as between any
 * threads: a VM whose thread is preempted simply waits between two run
 * slices (module/vcpu.c), its VMCS clear in memory. `--cpus 0` puts them
 * all on CPU 0. Their consoles come out line by line, each prefixed with
 * its VM's name ("[minios] ..."); at the end every VM's bill (bill.c)
 * and the total: the CPU the VMs cost (guest + tvmm ticks) against the
 * wall time of the run, which on one CPU they must share.
 *
 * Names: the image's file name without ".bin"; the second VM of one
 * image is NAME#2, and so on. The threads carry the names too
 * (/proc/PID/task/TID/comm), which is how `tvmm top` names them.
 * Context: userspace; the main thread waits and forwards Ctrl-C.
 */
#define _GNU_SOURCE	/* sched_setaffinity(), pthread_setname_np() */
#include <errno.h>
#include <getopt.h>
#include <pthread.h>
#include <sched.h>
#include <signal.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>
#include <x86intrin.h>

#include <tvmm/exit_names.h>

#include "run.h"

/* At most this many VMs at once: each is a thread and 2+ MiB of RAM. */
#define CONSOLIDATE_MAX		32

struct guest {
	struct run_ctx ctx;
	char name[64];
	pthread_t thread;
	bool started;
	int done;			/* set by the thread when its VM is over */
	int status;			/* how its run ended (tvmm run's status) */
};

/* The threads wait for this before they run: all start, or none does. */
static pthread_mutex_t go_lock = PTHREAD_MUTEX_INITIALIZER;
static pthread_cond_t go_cond = PTHREAD_COND_INITIALIZER;
static int go;				/* 1: run; -1: give up */

void consolidate_name(const char *path, char *out, size_t size)
{
	const char *base = strrchr(path, '/') ? strrchr(path, '/') + 1 : path;
	size_t len = strlen(base);

	if (len > 4 && !strcmp(base + len - 4, ".bin"))
		len -= 4;
	snprintf(out, size, "%.*s", (int)len, base);
}

/* minios, minios#2, ...: the n-th VM of one image gets "#n". */
static void name_guests(struct guest *g, int n)
{
	char base[48];
	int i, j, same;

	for (i = 0; i < n; i++) {
		consolidate_name(g[i].ctx.image_path, base, sizeof(base));
		for (j = 0, same = 1; j < i; j++) {
			char other[48];

			consolidate_name(g[j].ctx.image_path, other, sizeof(other));
			same += !strcmp(base, other);
		}
		if (same > 1)
			snprintf(g[i].name, sizeof(g[i].name), "%s#%d", base, same);
		else
			snprintf(g[i].name, sizeof(g[i].name), "%s", base);
	}
}

/*
 * "0", "0,2", "0-3", "0-1,3" into @set; each CPU must be one this process
 * may run on (online). 0, or TVMM_EXIT_USAGE after saying why.
 */
static int parse_cpus(const char *list, cpu_set_t *set)
{
	cpu_set_t allowed;
	const char *p = list;
	char *end;

	CPU_ZERO(set);
	if (sched_getaffinity(0, sizeof(allowed), &allowed))
		CPU_ZERO(&allowed);
	while (*p) {
		long lo = strtol(p, &end, 10), hi = lo, c;

		if (end == p || lo < 0)
			goto bad;
		if (*end == '-') {
			p = end + 1;
			hi = strtol(p, &end, 10);
			if (end == p || hi < lo)
				goto bad;
		}
		if (hi >= CPU_SETSIZE)
			goto bad;
		for (c = lo; c <= hi; c++) {
			if (!CPU_ISSET(c, &allowed)) {
				print_error("consolidate: --cpus %s: CPU %ld is not online (or not allowed to this process); `nproc` says how many CPUs there are.",
					    list, c);
				return TVMM_EXIT_USAGE;
			}
			CPU_SET(c, set);
		}
		if (*end == ',' && end[1])
			end++;
		else if (*end)
			goto bad;
		p = end;
	}
	if (CPU_COUNT(set))
		return TVMM_EXIT_OK;
bad:
	print_error("consolidate: --cpus %s: give CPU numbers and ranges, e.g. 0 or 0,1 or 0-3.",
		    list);
	return TVMM_EXIT_USAGE;
}

static void *guest_thread(void *arg)
{
	struct guest *g = arg;
	int flushed;

	pthread_mutex_lock(&go_lock);
	while (!go)
		pthread_cond_wait(&go_cond, &go_lock);
	pthread_mutex_unlock(&go_lock);
	if (go > 0)
		g->status = run_vm(&g->ctx);
	flushed = run_console_flush(&g->ctx);	/* a last line with no newline */
	if (!g->status)
		g->status = flushed;
	__atomic_store_n(&g->done, 1, __ATOMIC_RELEASE);
	return NULL;
}

static void start(int how)
{
	pthread_mutex_lock(&go_lock);
	go = how;
	pthread_cond_broadcast(&go_cond);
	pthread_mutex_unlock(&go_lock);
}

/*
 * Wait for every VM; a Ctrl-C (or SIGTERM) that reached any one thread
 * is passed on to the others, whose TVMM_RUN then returns EINTR.
 */
static void wait_guests(struct guest *g, int n)
{
	const struct timespec nap = { 0, 20 * 1000 * 1000 };
	bool forwarded = false;
	int i, left;

	do {
		left = 0;
		for (i = 0; i < n; i++)
			left += g[i].started && !__atomic_load_n(&g[i].done, __ATOMIC_ACQUIRE);
		if (run_interrupted() && !forwarded) {
			for (i = 0; i < n; i++)
				if (g[i].started && !__atomic_load_n(&g[i].done, __ATOMIC_ACQUIRE))
					pthread_kill(g[i].thread, run_interrupted());
			forwarded = true;
		}
		if (left)
			nanosleep(&nap, NULL);
	} while (left);
	for (i = 0; i < n; i++)
		if (g[i].started)
			pthread_join(g[i].thread, NULL);
}

/*
 * The total: the VMs' bills added up, against the wall time of the run
 * (TSC ticks from before the first thread started to after the last one
 * ended, all VMs' set-up included). On one CPU the VMs' guest + tvmm
 * ticks can only share that wall time: tests/selftests/tvmm/
 * consolidate_test.c holds them to it.
 */
static void print_total(const struct guest *g, int n, unsigned long long wall)
{
	struct tvmm_usage sum;
	int i, billed = 0;

	memset(&sum, 0, sizeof(sum));
	for (i = 0; i < n; i++) {
		if (!g[i].ctx.billed)
			continue;
		bill_add(&sum, &g[i].ctx.bill);
		billed++;
	}
	fprintf(stderr, "%s: usage total: vms=%d wall_ticks=%llu guest_ticks=%llu exits=%llu tvmm_ticks=%llu host_ticks=%llu halted_ticks=%llu ram_mib_s=%.3f\n",
		tvmm_prog, billed, wall, (unsigned long long)sum.guest_ticks,
		(unsigned long long)sum.exits, (unsigned long long)sum.tvmm_ticks,
		(unsigned long long)sum.host_ticks, (unsigned long long)sum.halted_ticks,
		billed ? bill_ram_mib_s(&sum) : 0.0);
}

int consolidate_images(const struct run_ctx *tmpl, const char *cpus, int n, char **images)
{
	unsigned long long t0, t1;
	struct guest *g;
	cpu_set_t set;
	int i, status = TVMM_EXIT_OK;
	char list[512] = "";

	if (n > CONSOLIDATE_MAX) {
		print_error("consolidate: %d images; at most %d VMs at once.", n, CONSOLIDATE_MAX);
		return TVMM_EXIT_USAGE;
	}
	if (cpus) {
		status = parse_cpus(cpus, &set);
		if (status)
			return status;
	}
	g = calloc(n, sizeof(*g));
	if (!g) {
		print_error("consolidate: out of memory");
		return TVMM_EXIT_FAILURE;
	}
	for (i = 0; i < n; i++) {
		g[i].ctx.fd = -1;
		g[i].ctx.cpu = g[i].ctx.migrate_to = -1;
		g[i].ctx.console_at_bol = true;
		g[i].ctx.config = tmpl->config;
		g[i].ctx.image_path = images[i];
		g[i].ctx.name = strrchr(images[i], '/') ? strrchr(images[i], '/') + 1 : images[i];
		g[i].ctx.usage = true;
	}
	name_guests(g, n);
	/* Every input checked, every VM opened, before any of them runs. */
	for (i = 0; i < n && !status; i++) {
		g[i].ctx.prefix = g[i].name;
		status = run_read_image(&g[i].ctx);
	}
	for (i = 0; i < n && !status; i++)
		status = dev_open(&g[i].ctx.fd);
	/* The threads inherit the main thread's CPUs. */
	if (!status && cpus && sched_setaffinity(0, sizeof(set), &set)) {
		print_error("consolidate: cannot run on CPUs %s: %s.", cpus, strerror(errno));
		status = TVMM_EXIT_USAGE;
	}
	for (i = 0; i < n && !status; i++) {
		char comm[16];

		if (pthread_create(&g[i].thread, NULL, guest_thread, &g[i])) {
			print_error("consolidate: cannot start a thread for %s: %s", g[i].name,
				    strerror(errno));
			status = TVMM_EXIT_FAILURE;
			break;
		}
		g[i].started = true;
		snprintf(comm, sizeof(comm), "%s", g[i].name);	/* 15 characters at most */
		pthread_setname_np(g[i].thread, comm);
		snprintf(list + strlen(list), sizeof(list) - strlen(list), "%s%s",
			 i ? ", " : "", g[i].name);
	}
	if (!status)
		fprintf(stderr, "%s: %d VMs, a thread each, on CPU%s %s: %s\n", tvmm_prog, n,
			cpus && CPU_COUNT(&set) == 1 ? "" : "s", cpus ? cpus : "(any)", list);
	t0 = __rdtsc();
	start(status ? -1 : 1);
	wait_guests(g, n);
	t1 = __rdtsc();
	if (!status) {
		print_total(g, n, t1 - t0);
		/* The first VM, in command-line order, that did not end with 0. */
		for (i = 0; i < n && !status; i++)
			status = g[i].status;
		if (run_interrupted())
			status = TVMM_EXIT_SIGNAL;
	}
	for (i = 0; i < n; i++) {
		run_close_vm(&g[i].ctx);	/* destroys the VM */
		free(g[i].ctx.image);
	}
	free(g);
	return status;
}

static void consolidate_usage(FILE *out)
{
	fprintf(out,
		"usage: %s consolidate [--cpus LIST] [--mode MODE] [--mem SIZE] [--timer TICKS]\n"
		"                        [--max-exits N] IMAGE...\n"
		"  Run every IMAGE at once, each in its own VM on its own thread, until all\n"
		"  have ended. Console lines go to stdout prefixed with the VM's name\n"
		"  (\"[minios] ...\"; a second VM of one image is minios#2); each VM's summary\n"
		"  and bill, then the total, go to stderr:\n"
		"    tvmm: usage [NAME] guest_ticks=G exits=E tvmm_ticks=T host_ticks=H\n"
		"          halted_ticks=L ram_mib_s=R\n"
		"    tvmm: usage total: vms=N wall_ticks=W guest_ticks=... ram_mib_s=...\n"
		"  --cpus LIST       run every VM on these CPUs only: 0 (all on one), 0,1, 0-3\n"
		"  --mode, --mem, --timer, --max-exits\n"
		"                    as for `tvmm run`, for every VM\n"
		"  -h, --help\n"
		"  Exit status: 0 if every VM ended with 0, else the status of the first\n"
		"  (in command-line order) that did not, as `tvmm run` gives it; 130 on Ctrl-C.\n",
		tvmm_prog);
}

int cmd_consolidate(int argc, char **argv)
{
	static const struct option opts[] = {
		{ "cpus", required_argument, NULL, 'c' },
		{ "mode", required_argument, NULL, 'm' },
		{ "mem", required_argument, NULL, 'M' },
		{ "timer", required_argument, NULL, 't' },
		{ "max-exits", required_argument, NULL, 'x' },
		{ "help", no_argument, NULL, 'h' },
		{ NULL, 0, NULL, 0 }
	};
	const char *cpus = NULL;
	struct run_ctx tmpl;
	int c, status;

	memset(&tmpl, 0, sizeof(tmpl));
	optind = 1;
	while ((c = getopt_long(argc, argv, "h", opts, NULL)) != -1) {
		switch (c) {
		case 'c':
			cpus = optarg;
			break;
		case 'm':
		case 'M':
		case 't':
		case 'x':
			status = run_config_option(&tmpl.config, "consolidate", c, optarg);
			if (status)
				return status;
			break;
		case 'h':
			consolidate_usage(stdout);
			return TVMM_EXIT_OK;
		default:
			consolidate_usage(stderr);
			return TVMM_EXIT_USAGE;
		}
	}
	if (optind == argc) {
		print_error("consolidate: which guests? Give one IMAGE or more, e.g. guests/hello.bin guests/minios.bin");
		consolidate_usage(stderr);
		return TVMM_EXIT_USAGE;
	}
	return consolidate_images(&tmpl, cpus, argc - optind, argv + optind);
}
