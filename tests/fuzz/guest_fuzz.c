// SPDX-License-Identifier: GPL-2.0
/*
 * guest_fuzz - run random hostile guests (gen.c) in every mode and check
 * that each run ends the way docs/abi.md says a run can end.
 *
 *   guest_fuzz --seed S [--first I] [--guests N] [--modes hw,real,...]
 *              [--max-exits M] [--budget-ms B] [--timeout S] [--dump DIR]
 *
 * For guest I (I = first .. first+N-1) and each mode, one VM: the guest
 * image gen_guest(S, I), --max-exits M, every third run with exit records
 * (drained with read() and poll()). A run ends with the `tvmm run` status
 * of its end (userspace/tvmm.1, "EXIT STATUS"), or 130 when the budget of
 * B ms (SIGALRM, the same path as Ctrl-C) ran out first: a guest that
 * spins without exits is not a failure.
 *
 * Failures, each printed as "# FAIL seed=S guest=I mode=M ..." with the
 * command that reproduces it:
 *   - an ioctl failing other than as documented;
 *   - an end no guest should be able to cause: 113 (VM entry failed: tvmm
 *     let the guest reach an invalid state), 116 (a VMX instruction failed
 *     in tvmm), 117 (an unknown end), 118 (a lab stub ran);
 *   - a run still going S seconds after its budget (the runner's watchdog
 *     kills the worker process): tvmm ignored the signal.
 * Guests run in a worker process, so a hang is caught and the batch goes
 * on with the next run. Output is KTAP, one result per mode; the figures
 * (runs, runs/s, wall time) are printed, never asserted.
 *
 * Context: root in the lab VM, tvmm.ko loaded.
 */
#define _GNU_SOURCE
#include <errno.h>
#include <fcntl.h>
#include <getopt.h>
#include <poll.h>
#include <signal.h>
#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/ioctl.h>
#include <sys/mman.h>
#include <sys/stat.h>
#include <sys/time.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#include "tvmm.h"
#include "gen.h"

#define MODES_MAX	5
#define STATUS_MAX	256
#define FAILS_KEPT	32
#define STATUS_BUDGET	130	/* the run's budget ran out (SIGALRM) */
#define STATUS_IOCTL	1	/* an ioctl failed unexpectedly */
#define STATUS_TIMEOUT	124	/* the watchdog killed the worker */

static const struct {
	const char *name;
	__u32 mode;
} all_modes[MODES_MAX] = {
	{ "hw", TVMM_MODE_HW },
	{ "deprivileged", TVMM_MODE_DEPRIVILEGED },
	{ "patch", TVMM_MODE_PATCH },
	{ "paravirt", TVMM_MODE_PARAVIRT },
	{ "real", TVMM_MODE_REAL },
};

struct fail {
	uint64_t guest;
	int mode;
	int status;
	char what[240];
};

/* Shared between the runner and its worker (MAP_SHARED). */
struct shared {
	uint64_t next_guest;		/* the worker's position */
	int next_mode;			/* index in modes[] */
	volatile uint64_t heartbeat;	/* runs started */
	uint64_t runs[MODES_MAX];
	uint64_t status[MODES_MAX][STATUS_MAX];
	unsigned int nfails[MODES_MAX];
	struct fail fails[FAILS_KEPT];
	unsigned int fails_kept;
};

static struct opts {
	uint64_t seed, first, guests, max_exits;
	unsigned int budget_ms, timeout_s;
	int modes[MODES_MAX], nmodes;
	const char *dump;
} o = {
	.seed = 1, .guests = 2000, .max_exits = 1000, .budget_ms = 40, .timeout_s = 30,
};

static struct shared *sh;
static volatile sig_atomic_t budget_over;
static double t_start;

static void on_alarm(int sig)
{
	(void)sig;
	budget_over = 1;
}

/* Statuses a guest may cause (tvmm.1): guest/hypercall 0-100, 110-112, 114, 115, 119. */
static bool status_ok(int s)
{
	return (s >= 0 && s <= 100) || s == 110 || s == 111 || s == 112 ||
	       s == 114 || s == 115 || s == 119 || s == STATUS_BUDGET;
}

/* userspace/run.c's run_exit_status(): the end of a run as `tvmm run` reports it. */
static int end_status(const struct tvmm_run *run)
{
	switch (run->end) {
	case TVMM_END_HLT:
		return 0;
	case TVMM_END_HYPERCALL:
		return run->exit_status < 100 ? (int)run->exit_status : 100;
	case TVMM_END_TRIPLE_FAULT:
		return 110;
	case TVMM_END_EPT_VIOLATION:
		return 111;
	case TVMM_END_MAX_EXITS:
		return 112;
	case TVMM_END_ENTRY_FAILED:
		return 113;
	case TVMM_END_UNHANDLED:
		return 114;
	case TVMM_END_BAD_IO:
		return 115;
	case TVMM_END_INTERNAL:
		return 116;
	case TVMM_END_TODO:
		return 118;
	case TVMM_END_BAD_MMIO:
		return 119;
	default:
		return 117;
	}
}

static void note_fail(uint64_t guest, int m, int status, const char *what)
{
	struct fail *f;

	sh->nfails[m]++;
	if (sh->fails_kept >= FAILS_KEPT)
		return;
	f = &sh->fails[sh->fails_kept++];
	f->guest = guest;
	f->mode = m;
	f->status = status;
	snprintf(f->what, sizeof(f->what), "%s", what);
}

/* Read every record waiting (poll() first, as a tracing tool would). */
static int drain(int fd)
{
	static struct tvmm_exit_record recs[64];
	struct pollfd p = { .fd = fd, .events = POLLIN };
	ssize_t n;
	int i;

	for (i = 0; i < 64; i++) {
		if (poll(&p, 1, 0) < 0 && errno != EINTR)
			return -errno;
		n = read(fd, recs, sizeof(recs));
		if (n < 0)
			return errno == EINTR ? 0 : -errno;
		if (n == 0)
			return 0;
		if (n % sizeof(recs[0]) || recs[0].version != TVMM_EXIT_RECORD_VERSION)
			return -EPROTO;
	}
	return 0;
}

/* One guest, one mode: the status, or -1 with @what filled. */
static int run_one(const uint8_t *img, size_t size, int m, bool trace,
		   char *what, size_t what_size)
{
	struct tvmm_config cfg = {
		.mode = all_modes[m].mode,
		.flags = trace ? TVMM_CONFIG_TRACE : 0,
		.max_exits = o.max_exits,
	};
	struct tvmm_image image = { .addr = (uintptr_t)img, .size = size };
	struct itimerval budget = { .it_value = { .tv_sec = o.budget_ms / 1000,
						  .tv_usec = o.budget_ms % 1000 * 1000 } };
	struct itimerval off = { { 0, 0 }, { 0, 0 } };
	struct tvmm_run run;
	struct tvmm_regs regs;
	struct tvmm_stats stats;
	int fd, status = -1, i, err;

	fd = open(TVMM_DEVICE_PATH, O_RDWR | O_CLOEXEC);
	if (fd < 0) {
		snprintf(what, what_size, "open %s: %s", TVMM_DEVICE_PATH, strerror(errno));
		return -1;
	}
	if (ioctl(fd, TVMM_SET_CONFIG, &cfg)) {
		snprintf(what, what_size, "TVMM_SET_CONFIG: %s", strerror(errno));
		goto out;
	}
	/* Real mode loads at 0x7c00: any size fits below 0x10000's RAM end. */
	if (ioctl(fd, TVMM_LOAD_IMAGE, &image)) {
		snprintf(what, what_size, "TVMM_LOAD_IMAGE (%zu bytes): %s", size, strerror(errno));
		goto out;
	}
	budget_over = 0;
	setitimer(ITIMER_REAL, &budget, NULL);
	for (i = 0; i < 100000; i++) {
		memset(&run, 0, sizeof(run));
		err = ioctl(fd, TVMM_RUN, &run) ? errno : 0;
		if (err == EINTR && budget_over) {
			status = STATUS_BUDGET;
			break;
		}
		if (err && err != EINTR) {
			snprintf(what, what_size, "TVMM_RUN: %s", strerror(err));
			break;
		}
		if (!err && run.console_len > TVMM_CONSOLE_MAX) {
			snprintf(what, what_size, "TVMM_RUN: console_len %u", run.console_len);
			break;
		}
		if (trace && drain(fd)) {
			snprintf(what, what_size, "read() of exit records failed");
			break;
		}
		if (!err && run.state == TVMM_RUN_ENDED) {
			status = end_status(&run);
			if (!status_ok(status))
				snprintf(what, what_size, "end %u: %.*s", run.end,
					 100, run.message);
			break;
		}
		if (budget_over) {	/* the signal came between two calls */
			status = STATUS_BUDGET;
			break;
		}
	}
	setitimer(ITIMER_REAL, &off, NULL);
	/* The VM answers questions after its end, too. */
	if (status >= 0 && (ioctl(fd, TVMM_GET_REGS, &regs) || ioctl(fd, TVMM_GET_STATS, &stats))) {
		snprintf(what, what_size, "TVMM_GET_REGS/STATS after the run: %s", strerror(errno));
		status = -1;
	}
out:
	close(fd);
	return status;
}

static void dump_guest(uint64_t guest, const uint8_t *img, size_t size)
{
	char path[4096];
	FILE *f;

	snprintf(path, sizeof(path), "%s/fuzz-%llu-%llu.bin", o.dump,
		 (unsigned long long)o.seed, (unsigned long long)guest);
	f = fopen(path, "wb");
	if (!f)
		return;
	fwrite(img, 1, size, f);
	fclose(f);
}

/* The worker: runs guests from sh->next_guest/next_mode on. */
static void worker(void)
{
	static uint8_t img[GEN_IMAGE_MAX];
	struct sigaction sa = { .sa_handler = on_alarm };
	uint64_t end = o.first + o.guests, g;
	enum gen_kind kind;
	char what[160], msg[240];
	size_t size;
	int mi, status;

	sigemptyset(&sa.sa_mask);
	sigaction(SIGALRM, &sa, NULL);	/* no SA_RESTART: TVMM_RUN gets EINTR */
	for (g = sh->next_guest; g < end; g++) {
		size = gen_guest(o.seed, g, img, &kind);
		if (o.dump)
			dump_guest(g, img, size);
		for (mi = g == sh->next_guest ? sh->next_mode : 0; mi < o.nmodes; mi++) {
			int m = o.modes[mi];

			sh->next_guest = g;
			sh->next_mode = mi;
			sh->heartbeat++;
			what[0] = '\0';
			status = run_one(img, size, m, (g + mi) % 3 == 0, what, sizeof(what));
			sh->runs[m]++;
			if (status >= 0)
				sh->status[m][status < STATUS_MAX ? status : STATUS_MAX - 1]++;
			if (status < 0 || !status_ok(status)) {
				snprintf(msg, sizeof(msg), "%s guest, %zu bytes: %s",
					 gen_kind_name(kind), size, what);
				note_fail(g, m, status < 0 ? STATUS_IOCTL : status, msg);
			}
		}
		sh->next_mode = 0;
	}
	sh->next_guest = end;
	_exit(0);
}

static double now_s(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return ts.tv_sec + ts.tv_nsec / 1e9;
}

/* Start workers until every run is done; kill one that stops moving. */
static void supervise(void)
{
	uint64_t end = o.first + o.guests, beat;
	double last;
	pid_t pid;
	int wstatus, m;

	sh->next_guest = o.first;
	while (sh->next_guest < end) {
		pid = fork();
		if (pid < 0) {
			perror("guest_fuzz: fork");
			exit(1);
		}
		if (!pid)
			worker();
		beat = sh->heartbeat;
		last = now_s();
		for (;;) {
			if (waitpid(pid, &wstatus, WNOHANG) == pid)
				break;
			if (sh->heartbeat != beat) {
				if (sh->heartbeat / 1000 != beat / 1000)
					printf("# %llu runs, %.0f s\n",
					       (unsigned long long)sh->heartbeat, now_s() - t_start);
				beat = sh->heartbeat;
				last = now_s();
			} else if (now_s() - last > o.budget_ms / 1000.0 + o.timeout_s) {
				kill(pid, SIGKILL);
				waitpid(pid, &wstatus, 0);
				m = o.modes[sh->next_mode];
				sh->runs[m]++;
				note_fail(sh->next_guest, m, STATUS_TIMEOUT,
					  "the run did not end: the worker was killed (tvmm ignored its signal?)");
				wstatus = 0;
				break;
			}
			usleep(20000);
		}
		if (!WIFEXITED(wstatus) || WEXITSTATUS(wstatus)) {
			m = o.modes[sh->next_mode];
			note_fail(sh->next_guest, m, STATUS_IOCTL, "the worker process died");
		}
		if (sh->next_guest >= end)
			break;
		/* Go on after the run that hung or killed the worker. */
		if (++sh->next_mode >= o.nmodes) {
			sh->next_mode = 0;
			sh->next_guest++;
		}
	}
}

static int parse_modes(const char *list)
{
	char buf[256], *tok, *save = NULL;
	int i;

	o.nmodes = 0;
	snprintf(buf, sizeof(buf), "%s", list);
	for (tok = strtok_r(buf, ",", &save); tok; tok = strtok_r(NULL, ",", &save)) {
		for (i = 0; i < MODES_MAX && strcmp(tok, all_modes[i].name); i++)
			;
		if (i == MODES_MAX || o.nmodes == MODES_MAX)
			return -1;
		o.modes[o.nmodes++] = i;
	}
	return o.nmodes ? 0 : -1;
}

static void usage(void)
{
	fprintf(stderr,
		"usage: guest_fuzz [--seed S] [--first I] [--guests N] [--modes hw,deprivileged,patch,paravirt,real]\n"
		"                  [--max-exits M] [--budget-ms B] [--timeout S] [--dump DIR]\n");
	exit(2);
}

static void print_report(double wall)
{
	uint64_t total = 0;
	unsigned int i, s, n = 0;
	int m, mi;

	for (mi = 0; mi < o.nmodes; mi++)
		total += sh->runs[o.modes[mi]];
	printf("1..%d\n", o.nmodes);
	for (i = 0; i < sh->fails_kept; i++) {
		struct fail *f = &sh->fails[i];

		printf("# FAIL seed=%llu guest=%llu mode=%s status=%d: %s\n",
		       (unsigned long long)o.seed, (unsigned long long)f->guest,
		       all_modes[f->mode].name, f->status, f->what);
		printf("#   reproduce: make fuzz SEED=%llu FIRST=%llu N=1 MODES=%s\n",
		       (unsigned long long)o.seed, (unsigned long long)f->guest,
		       all_modes[f->mode].name);
	}
	for (mi = 0; mi < o.nmodes; mi++) {
		char hist[512] = "";
		size_t len = 0;

		m = o.modes[mi];
		for (s = 0; s < STATUS_MAX && len < sizeof(hist) - 32; s++)
			if (sh->status[m][s])
				len += snprintf(hist + len, sizeof(hist) - len, " %u:%llu", s,
						(unsigned long long)sh->status[m][s]);
		printf("# mode %s: %llu runs, statuses (status:runs)%s\n", all_modes[m].name,
		       (unsigned long long)sh->runs[m], hist);
		printf("%sok %u fuzz: mode %s: %llu runs, %u failed\n", sh->nfails[m] ? "not " : "",
		       ++n, all_modes[m].name, (unsigned long long)sh->runs[m], sh->nfails[m]);
	}
	printf("# guest_fuzz: seed %llu, guests %llu..%llu, %llu runs in %.1f s: %.1f runs/s\n",
	       (unsigned long long)o.seed, (unsigned long long)o.first,
	       (unsigned long long)(o.first + o.guests - 1), (unsigned long long)total,
	       wall, wall > 0 ? total / wall : 0.0);
}

int main(int argc, char **argv)
{
	static const struct option longopts[] = {
		{ "seed", required_argument, NULL, 's' },
		{ "first", required_argument, NULL, 'f' },
		{ "guests", required_argument, NULL, 'n' },
		{ "modes", required_argument, NULL, 'm' },
		{ "max-exits", required_argument, NULL, 'x' },
		{ "budget-ms", required_argument, NULL, 'b' },
		{ "timeout", required_argument, NULL, 't' },
		{ "dump", required_argument, NULL, 'd' },
		{ NULL, 0, NULL, 0 },
	};
	double t0;
	int c, mi, failed = 0;

	parse_modes("hw,deprivileged,patch,paravirt,real");
	while ((c = getopt_long(argc, argv, "", longopts, NULL)) != -1) {
		switch (c) {
		case 's': o.seed = strtoull(optarg, NULL, 0); break;
		case 'f': o.first = strtoull(optarg, NULL, 0); break;
		case 'n': o.guests = strtoull(optarg, NULL, 0); break;
		case 'm': if (parse_modes(optarg)) usage(); break;
		case 'x': o.max_exits = strtoull(optarg, NULL, 0); break;
		case 'b': o.budget_ms = strtoul(optarg, NULL, 0); break;
		case 't': o.timeout_s = strtoul(optarg, NULL, 0); break;
		case 'd': o.dump = optarg; break;
		default: usage();
		}
	}
	if (optind != argc || !o.budget_ms)
		usage();
	sh = mmap(NULL, sizeof(*sh), PROT_READ | PROT_WRITE, MAP_SHARED | MAP_ANONYMOUS, -1, 0);
	if (sh == MAP_FAILED) {
		perror("guest_fuzz: mmap");
		return 1;
	}
	setvbuf(stdout, NULL, _IOLBF, 0);
	printf("KTAP version 1\n");
	printf("# guest_fuzz: seed %llu, guests %llu from %llu, %d modes, max exits %llu, budget %u ms, watchdog %u s\n",
	       (unsigned long long)o.seed, (unsigned long long)o.guests,
	       (unsigned long long)o.first, o.nmodes, (unsigned long long)o.max_exits,
	       o.budget_ms, o.timeout_s);
	t0 = t_start = now_s();
	supervise();
	print_report(now_s() - t0);
	for (mi = 0; mi < o.nmodes; mi++)
		failed |= sh->nfails[o.modes[mi]] != 0;
	return failed;
}
