// SPDX-License-Identifier: GPL-2.0
/*
 * top.c - `tvmm top`: every live VM on this machine, refreshed, as top(1)
 * shows processes.
 *
 * Concept: monitoring, the VMM's management job that consolidation makes
 * necessary: with many VMs on one machine, someone must see which one
 * exits most, which one the host keeps waiting, which one holds the RAM.
 * Everything comes from debugfs (module/debugfs.c), so top sees the VMs
 * of every process, not only its own: per VM, vmN/state (mode, state,
 * the CPU of its last slice, the process and thread that run it),
 * vmN/usage (the meter, module/usage.c) and vmN/exits (exits by reason).
 * Two readings an interval apart give the rates: exits per second by
 * reason, and how the VM's time split between the guest, tvmm, the host
 * (other tasks, interrupts) and HLT. `--once` reads once and shows each
 * VM's averages since it was built; `--json` prints the same as JSON.
 *
 * The VM's name is its thread's (consolidate.c names them), or for a
 * `tvmm run` the last argument of its command line.
 * Context: userspace, root (debugfs is root only). TVMM_DEBUGFS overrides
 * /sys/kernel/debug/tvmm (the host tests point it at a fake directory).
 */
#include <dirent.h>
#include <errno.h>
#include <getopt.h>
#include <signal.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include <tvmm/exit_names.h>

#include "json.h"
#include "run.h"

#define TOP_MAX_VMS	64
#define TOP_REASONS	3	/* the busiest reasons shown per VM on screen */

struct top_vm {
	int id, pid, tid, cpu;
	char name[64], mode[24], state[32];
	bool in_run, halted;
	unsigned long long mem_kib, exits, age_ms;
	unsigned long long guest, tvmm, host, halt, run;
	double ram_mib_s;
	unsigned long long count[TVMM_NR_EXIT_REASONS];
};

struct top_sample {
	struct top_vm vm[TOP_MAX_VMS];
	int n;
	double when;			/* CLOCK_MONOTONIC seconds */
};

static volatile sig_atomic_t top_stop;

static void top_on_signal(int sig)
{
	(void)sig;
	top_stop = 1;
}

static const char *top_root(void)
{
	const char *env = getenv("TVMM_DEBUGFS");

	return env && *env ? env : "/sys/kernel/debug/tvmm";
}

/* Is debugfs mounted at /sys/kernel/debug? (/proc/mounts) */
static bool debugfs_mounted(void)
{
	char line[512];
	bool found = false;
	FILE *f = fopen("/proc/mounts", "r");

	if (!f)
		return true;	/* cannot tell: say the module is missing */
	while (!found && fgets(line, sizeof(line), f))
		found = strstr(line, " /sys/kernel/debug debugfs ") != NULL;
	fclose(f);
	return found;
}

/* Why the tvmm directory cannot be read: said, and an exit status. */
static int top_root_error(const char *root, int err)
{
	if (err == EACCES || err == EPERM) {
		print_error("top: %s: permission denied: debugfs is root only; run as root.", root);
		return TVMM_EXIT_PERM;
	}
	if (getenv("TVMM_DEBUGFS") && *getenv("TVMM_DEBUGFS")) {
		print_error("top: TVMM_DEBUGFS=%s: %s.", root, strerror(err));
		return TVMM_EXIT_NO_MODULE;
	}
	if (!debugfs_mounted()) {
		print_error("top: debugfs is not mounted, and tvmm shows its VMs there. Mount it with `mount -t debugfs none /sys/kernel/debug` (as root), then retry.");
		return TVMM_EXIT_NO_TRACEFS;
	}
	print_error("top: %s does not exist: tvmm.ko is not loaded. Load it (`insmod tvmm.ko`; the lab VM loads it at boot), then retry.",
		    root);
	return TVMM_EXIT_NO_MODULE;
}

/* Open vmN/@file; NULL if the VM went away meanwhile. */
static FILE *vm_file(int id, const char *file)
{
	char path[512];

	snprintf(path, sizeof(path), "%s/vm%d/%s", top_root(), id, file);
	return fopen(path, "r");
}

/* "key: value" lines of vmN/state and vmN/usage; false if the VM is gone. */
static bool read_state(struct top_vm *v)
{
	char line[256];
	FILE *f = vm_file(v->id, "state");
	int halted = 0;

	if (!f)
		return false;
	while (fgets(line, sizeof(line), f)) {
		line[strcspn(line, "\n")] = '\0';
		if (!strncmp(line, "mode: ", 6))
			snprintf(v->mode, sizeof(v->mode), "%.23s", line + 6);
		else if (!strncmp(line, "state: ", 7))
			snprintf(v->state, sizeof(v->state), "%.31s", line + 7);
		else if (sscanf(line, "last cpu: %d", &v->cpu) == 1 ||
			 sscanf(line, "pid: %d", &v->pid) == 1 ||
			 sscanf(line, "tid: %d", &v->tid) == 1)
			continue;
		else if (sscanf(line, "halted: %d", &halted) == 1)
			v->halted = halted;
	}
	fclose(f);
	f = vm_file(v->id, "usage");
	if (!f)
		return false;
	while (fgets(line, sizeof(line), f)) {
		if (sscanf(line, "guest ticks: %llu", &v->guest) == 1 ||
		    sscanf(line, "tvmm ticks: %llu", &v->tvmm) == 1 ||
		    sscanf(line, "host ticks: %llu", &v->host) == 1 ||
		    sscanf(line, "halted ticks: %llu", &v->halt) == 1 ||
		    sscanf(line, "run ticks: %llu", &v->run) == 1 ||
		    sscanf(line, "exits: %llu", &v->exits) == 1 ||
		    sscanf(line, "memory: %llu KiB", &v->mem_kib) == 1 ||
		    sscanf(line, "age ms: %llu", &v->age_ms) == 1 ||
		    sscanf(line, "ram MiB*s: %lf", &v->ram_mib_s) == 1)
			continue;
		if (!strncmp(line, "in run: ", 8))
			v->in_run = !strncmp(line + 8, "yes", 3);
	}
	fclose(f);
	return true;
}

/* vmN/exits: "NAME count cycles avg" per reason, by KVM's names. */
static void read_exits(struct top_vm *v)
{
	char line[256], name[64];
	unsigned long long n;
	FILE *f = vm_file(v->id, "exits");
	unsigned int r;

	if (!f)
		return;
	while (fgets(line, sizeof(line), f)) {
		if (sscanf(line, "%63s %llu", name, &n) != 2)
			continue;
		for (r = 0; r < TVMM_NR_EXIT_REASONS; r++)
			if (!strcmp(name, vmx_exit_reason_name(r)))
				v->count[r] = n;
	}
	fclose(f);
}

/* Read the file @path whole (NUL-terminated, at most @size - 1 bytes); its length or -1. */
static ssize_t read_small(const char *path, char *buf, size_t size)
{
	FILE *f = fopen(path, "r");
	size_t n;

	if (!f)
		return -1;
	n = fread(buf, 1, size - 1, f);
	fclose(f);
	buf[n] = '\0';
	return n;
}

/*
 * The VM's name: its thread's (consolidate.c sets it), else, for the
 * main thread of a `tvmm run`, the image: the last word of its command line.
 */
static void vm_name(struct top_vm *v)
{
	char path[128], buf[4096];
	ssize_t n, i, last = 0;

	snprintf(v->name, sizeof(v->name), "-");
	if (v->pid <= 0)
		return;
	snprintf(path, sizeof(path), "/proc/%d/task/%d/comm", v->pid, v->tid);
	if (read_small(path, buf, sizeof(buf)) > 0) {
		buf[strcspn(buf, "\n")] = '\0';
		snprintf(v->name, sizeof(v->name), "%.63s", buf);
		if (strcmp(buf, "tvmm"))
			return;
	}
	snprintf(path, sizeof(path), "/proc/%d/cmdline", v->pid);
	n = read_small(path, buf, sizeof(buf));
	for (i = 0; i + 1 < n; i++)
		if (!buf[i])
			last = i + 1;
	if (n > 0 && last < n)
		consolidate_name(buf + last, v->name, sizeof(v->name));
}

static int cmp_vm(const void *a, const void *b)
{
	return ((const struct top_vm *)a)->id - ((const struct top_vm *)b)->id;
}

/* Every vmN of the tvmm directory now; 0 or an exit status. */
static int top_read(struct top_sample *s)
{
	struct timespec ts;
	struct dirent *de;
	DIR *d = opendir(top_root());
	int id;

	if (!d)
		return top_root_error(top_root(), errno);
	s->n = 0;
	clock_gettime(CLOCK_MONOTONIC, &ts);
	s->when = ts.tv_sec + ts.tv_nsec / 1e9;
	while ((de = readdir(d)) && s->n < TOP_MAX_VMS) {
		struct top_vm *v = &s->vm[s->n];

		if (sscanf(de->d_name, "vm%d", &id) != 1)
			continue;
		memset(v, 0, sizeof(*v));
		v->id = id;
		v->cpu = -1;
		if (!read_state(v))
			continue;	/* closed while we read */
		read_exits(v);
		vm_name(v);
		s->n++;
	}
	closedir(d);
	qsort(s->vm, s->n, sizeof(s->vm[0]), cmp_vm);
	return TVMM_EXIT_OK;
}

/* The same VM in the previous sample (same id, same process), or NULL. */
static const struct top_vm *top_prev(const struct top_sample *prev, const struct top_vm *v)
{
	int i;

	for (i = 0; prev && i < prev->n; i++)
		if (prev->vm[i].id == v->id && prev->vm[i].pid == v->pid &&
		    prev->vm[i].run <= v->run)
			return &prev->vm[i];
	return NULL;
}

/*
 * What the screen and the JSON show for one VM: rates over the interval
 * since @p, or, without one, averages since the VM was built.
 */
struct top_row {
	double secs, exits_s, guest, tvmm, host, halt;	/* seconds, /s, % */
	double per_s[TVMM_NR_EXIT_REASONS];
	const char *state;
};

static void top_row(const struct top_vm *v, const struct top_vm *p, double secs,
		    struct top_row *r)
{
	static const struct top_vm zero;
	unsigned long long run;
	unsigned int i;

	if (!p) {
		p = &zero;
		secs = v->age_ms / 1000.0;
	}
	r->secs = secs;
	run = v->run - p->run;
	r->guest = run ? 100.0 * (v->guest - p->guest) / run : 0;
	r->tvmm = run ? 100.0 * (v->tvmm - p->tvmm) / run : 0;
	r->host = run ? 100.0 * (v->host - p->host) / run : 0;
	r->halt = run ? 100.0 * (v->halt - p->halt) / run : 0;
	r->exits_s = secs > 0 ? (v->exits - p->exits) / secs : 0;
	for (i = 0; i < TVMM_NR_EXIT_REASONS; i++)
		r->per_s[i] = secs > 0 ? (v->count[i] - p->count[i]) / secs : 0;
	if (strcmp(v->state, "running"))
		r->state = v->state;	/* ended: hlt, max-exits, ... */
	else if (v->halted)
		r->state = "halted";	/* waits in HLT for its timer */
	else if (v->in_run)
		r->state = "running";
	else
		r->state = "idle";	/* outside TVMM_RUN: its tool is busy or paused */
}

/* "io 1000, cpuid 12": the busiest reasons over the interval. */
static void top_reasons(const struct top_vm *v, const struct top_row *r, char *out, size_t size)
{
	bool used[TVMM_NR_EXIT_REASONS] = { false };
	size_t len = 0;
	char label[32];
	int i, k, best;

	out[0] = '\0';
	for (k = 0; k < TOP_REASONS; k++) {
		best = -1;
		for (i = 0; i < TVMM_NR_EXIT_REASONS; i++)
			if (!used[i] && v->count[i] && (best < 0 || r->per_s[i] > r->per_s[best]))
				best = i;
		if (best < 0 || r->per_s[best] <= 0 || len >= size)
			break;
		used[best] = true;
		len += snprintf(out + len, size - len, "%s%s %.0f", len ? ", " : "",
				run_reason_label(best, label, sizeof(label)), r->per_s[best]);
	}
}

static void top_print_text(FILE *out, const struct top_sample *s, const struct top_sample *prev,
			   double interval)
{
	char reasons[128];
	struct top_row r;
	int i;

	if (prev)
		fprintf(out, "tvmm top: %d VM%s, rates over the last %.1f s (Ctrl-C quits)\n",
			s->n, s->n == 1 ? "" : "s", s->when - prev->when);
	else
		fprintf(out, "tvmm top: %d VM%s, averages since each VM was built%s\n", s->n,
			s->n == 1 ? "" : "s", interval > 0 ? " (Ctrl-C quits)" : "");
	fprintf(out, "%-5s %-14s %6s %-9s %3s %-12s %7s %9s %6s %6s %6s %6s %9s  %s\n",
		"VM", "NAME", "PID", "STATE", "CPU", "MODE", "MEM", "EXITS/s", "GUEST%",
		"TVMM%", "HOST%", "HALT%", "MiB*s", "TOP EXITS/s");
	for (i = 0; i < s->n; i++) {
		const struct top_vm *v = &s->vm[i];
		char vm[16], mem[16];

		top_row(v, top_prev(prev, v), prev ? s->when - prev->when : 0, &r);
		top_reasons(v, &r, reasons, sizeof(reasons));
		snprintf(vm, sizeof(vm), "vm%d", v->id);
		snprintf(mem, sizeof(mem), "%lluK", v->mem_kib);
		fprintf(out, "%-5s %-14.14s %6d %-9.9s %3d %-12.12s %7s %9.1f %6.1f %6.1f %6.1f %6.1f %9.3f  %s\n",
			vm, v->name, v->pid, r.state, v->cpu, v->mode, mem, r.exits_s, r.guest,
			r.tvmm, r.host, r.halt, v->ram_mib_s, reasons);
	}
}

static void top_print_json(FILE *out, const struct top_sample *s, const struct top_sample *prev)
{
	struct json_writer w;
	struct top_row r;
	char name[24];
	int i;
	unsigned int k;

	json_init(&w, out, false);
	json_begin_object(&w, NULL);
	json_string(&w, "over", prev ? "interval" : "lifetime");
	json_begin_array(&w, "vms");
	for (i = 0; i < s->n; i++) {
		const struct top_vm *v = &s->vm[i];

		top_row(v, top_prev(prev, v), prev ? s->when - prev->when : 0, &r);
		json_begin_object(&w, NULL);
		snprintf(name, sizeof(name), "vm%d", v->id);
		json_string(&w, "vm", name);
		json_int(&w, "id", v->id);
		json_string(&w, "name", v->name);
		json_int(&w, "pid", v->pid);
		json_int(&w, "tid", v->tid);
		json_string(&w, "state", r.state);
		json_int(&w, "cpu", v->cpu);
		json_string(&w, "mode", v->mode);
		json_uint(&w, "memory_kib", v->mem_kib);
		json_uint(&w, "exits", v->exits);
		json_double(&w, "seconds", r.secs);
		json_double(&w, "exits_per_s", r.exits_s);
		json_begin_object(&w, "exits_per_s_by_reason");
		for (k = 0; k < TVMM_NR_EXIT_REASONS; k++)
			if (v->count[k])
				json_double(&w, vmx_exit_reason_name(k), r.per_s[k]);
		json_end_object(&w);
		json_uint(&w, "guest_ticks", v->guest);
		json_uint(&w, "tvmm_ticks", v->tvmm);
		json_uint(&w, "host_ticks", v->host);
		json_uint(&w, "halted_ticks", v->halt);
		json_uint(&w, "run_ticks", v->run);
		json_double(&w, "guest_pct", r.guest);
		json_double(&w, "tvmm_pct", r.tvmm);
		json_double(&w, "host_pct", r.host);
		json_double(&w, "halted_pct", r.halt);
		json_double_digits(&w, "ram_mib_s", v->ram_mib_s, 3);
		json_end_object(&w);
	}
	json_end_array(&w);
	json_end_object(&w);
	json_finish(&w);
}

static void top_usage(FILE *out)
{
	fprintf(out,
		"usage: %s top [--once] [--json] [--interval SECONDS] [--iterations N]\n"
		"  Every live VM on this machine, from debugfs (any process's VMs),\n"
		"  refreshed like top(1): per VM its name, process, state, CPU, mode,\n"
		"  RAM, exits per second (the busiest reasons), and how its time split:\n"
		"  GUEST%% in the guest, TVMM%% in tvmm.ko for it, HOST%% taken back by\n"
		"  the host (other tasks, interrupts), HALT%% asleep in HLT; MiB*s its\n"
		"  RAM-seconds so far.\n"
		"  --once            read once and print each VM's averages since it was\n"
		"                    built (no screen clearing)\n"
		"  --json            the same as one JSON document per refresh\n"
		"  --interval S      seconds between refreshes (default 1)\n"
		"  --iterations N    stop after N refreshes (default: until Ctrl-C)\n"
		"  -h, --help\n"
		"  Exit status: 0; 3 if tvmm.ko is not loaded; 5 if not root; 9 if debugfs\n"
		"  is not mounted.\n",
		tvmm_prog);
}

int cmd_top(int argc, char **argv)
{
	static const struct option opts[] = {
		{ "once", no_argument, NULL, 'o' },
		{ "json", no_argument, NULL, 'j' },
		{ "interval", required_argument, NULL, 'd' },
		{ "iterations", required_argument, NULL, 'n' },
		{ "help", no_argument, NULL, 'h' },
		{ NULL, 0, NULL, 0 }
	};
	static struct top_sample a, b;
	struct top_sample *cur = &a, *prev = NULL;
	unsigned long long iterations = 0, done;
	bool once = false, json = false;
	double interval = 1.0;
	struct sigaction sa;
	char *end;
	int c, status;

	optind = 1;
	while ((c = getopt_long(argc, argv, "h", opts, NULL)) != -1) {
		switch (c) {
		case 'o':
			once = true;
			break;
		case 'j':
			json = true;
			break;
		case 'd':
			interval = strtod(optarg, &end);
			if (end == optarg || *end || !(interval >= 0.1 && interval <= 3600)) {
				print_error("top: --interval %s: give seconds, 0.1 to 3600.", optarg);
				return TVMM_EXIT_USAGE;
			}
			break;
		case 'n':
			if (parse_count(optarg, &iterations) || !iterations) {
				print_error("top: --iterations %s: give a number, 1 or more.", optarg);
				return TVMM_EXIT_USAGE;
			}
			break;
		case 'h':
			top_usage(stdout);
			return TVMM_EXIT_OK;
		default:
			top_usage(stderr);
			return TVMM_EXIT_USAGE;
		}
	}
	if (optind != argc) {
		print_error("top: unexpected argument '%s'", argv[optind]);
		top_usage(stderr);
		return TVMM_EXIT_USAGE;
	}
	if (once)
		iterations = 1;
	memset(&sa, 0, sizeof(sa));
	sa.sa_handler = top_on_signal;
	sigaction(SIGINT, &sa, NULL);
	sigaction(SIGTERM, &sa, NULL);
	for (done = 0; !top_stop && (!iterations || done < iterations); done++) {
		struct timespec nap = { (time_t)interval,
					(long)((interval - (time_t)interval) * 1e9) };

		if (done)
			nanosleep(&nap, NULL);
		if (top_stop)
			break;
		status = top_read(cur);
		if (status)
			return status;
		if (!json && !once && isatty(STDOUT_FILENO))
			fputs("\033[H\033[2J", stdout);	/* home, clear: a fresh screen */
		if (json)
			top_print_json(stdout, cur, prev);
		else
			top_print_text(stdout, cur, prev, once ? 0 : interval);
		fflush(stdout);
		prev = cur;
		cur = cur == &a ? &b : &a;
	}
	return TVMM_EXIT_OK;
}
