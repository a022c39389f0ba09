// SPDX-License-Identifier: GPL-2.0
/*
 * migrate_live.c - `tvmm migrate --live`: send a running VM to another
 * tvmm process, pre-copy: RAM first, while the guest runs, then a short
 * stop to send what is left and the CPU state.
 *
 * Concept: live migration, the notes' "migration between servers" without
 * stopping the service. A VM is its RAM plus its CPU state (snapshot.c);
 * the RAM is the big part and takes long to send, so the source sends it
 * while the guest keeps running, and keeps track of which pages the guest
 * writes behind the copy (dirty logging, module/dirty.c: EPT write
 * protection, trap on the first write to a page). Round 1 sends every
 * page; each later round sends the pages the previous round saw dirtied.
 * When a round dirties few pages (--threshold), the source stops the
 * guest, sends those pages and the state: the guest is stopped only for
 * that last, short copy (the downtime). A guest that writes faster than
 * the copy goes never converges; like real hypervisors, tvmm then stops
 * anyway after --max-rounds rounds and pays a longer downtime. Xen's
 * classic save loop stopped after 30 iterations (DEF_MAX_ITERS 29 in
 * libxc's xc_domain_save.c) or once it had sent 3 times the RAM
 * (DEF_MAX_FACTOR 3); QEMU instead stops when the rest fits in its
 * downtime limit at the measured bandwidth (300 ms by default,
 * DEFAULT_MIGRATE_SET_DOWNTIME) and never gives up by itself. tvmm takes
 * Xen's simpler rule, with smaller numbers: a Bochs guest is slow.
 *
 * Two threads, because the copy must overlap the guest:
 *   - the main thread is the vCPU: it calls TVMM_RUN again and again and
 *     prints the console, as `tvmm run` does; between two TVMM_RUNs (the
 *     VM's run_lock free, no slice running) it does what the migration
 *     thread asks: harvest the dirty log, or stop;
 *   - the migration thread reads the pages to send with TVMM_READ_RAM,
 *     which needs no run_lock and so runs while the guest does, and
 *     writes them to the stream; at the end of a round it asks for a
 *     harvest (SIGUSR2 makes the vCPU's TVMM_RUN return at once, EINTR).
 * The harvest happens between slices because a page write-protected
 * again must not stay writable in a CPU's cached translations; the next
 * slice's INVEPT drops them (module/dirty.c explains it).
 *
 * Why the destination ends up with the right bytes: a page read in round
 * k may be changing under the read, but any write after the harvest that
 * started round k traps and marks the page dirty, so the page is read
 * again in round k + 1 or in the stop-and-copy, which reads with the
 * guest stopped. Every page's last copy is read after its last write.
 *
 * Output (stderr; stable, lab 11 quotes it):
 *   tvmm: live migration of NAME after N exits: P pages, ...
 *   tvmm: round R: sent S pages, dirtied D during the round, T guest ticks
 *   tvmm: converged: D pages dirtied <= threshold H   (or: round cap ...)
 *   tvmm: stop-and-copy: sent S pages and the CPU state after N exits
 * and the destination prints the downtime (snapshot.c).
 * Context: userspace, root; two threads.
 */
#include <errno.h>
#include <getopt.h>
#include <pthread.h>
#include <signal.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include <sys/ioctl.h>
#include <time.h>
#include <unistd.h>
#include <x86intrin.h>

#include <tvmm/exit_names.h>

#include "livestream.h"
#include "migrate_live.h"
#include "run.h"

#define LIVE_DEFAULT_AT		100
#define LIVE_DEFAULT_ROUNDS	5
#define LIVE_DEFAULT_THRESHOLD	16

enum live_request { REQ_NONE, REQ_HARVEST, REQ_STOP };

struct live {
	struct run_ctx ctx;		/* the VM and its console, as `tvmm run` */
	struct live_out out;
	unsigned long nr_pages, words;	/* RAM pages; 64-bit words of a bitmap */
	uint64_t *send;			/* pages the current round sends */
	uint64_t *dirty;		/* the last harvest's bitmap */
	unsigned long long max_rounds, threshold;
	/* Between the two threads, under lock. */
	pthread_mutex_t lock;
	pthread_cond_t cond;
	pthread_t vcpu;
	enum live_request request;
	bool served;			/* the request was done */
	long long harvested;		/* its result: dirty pages, or -errno */
	bool vm_ended;			/* the guest ended before the stop */
	bool failed;			/* the stream broke */
	unsigned int rounds;		/* pre-copy rounds done */
	unsigned long long pages_sent;
};

static void on_kick(int sig)
{
	(void)sig;	/* only to make TVMM_RUN return with EINTR */
}

/* TVMM_DIRTY_LOG op @op; the harvest's bitmap goes to lv->dirty. */
static long long dirty_log(struct live *lv, unsigned int op)
{
	struct tvmm_dirty_log log = { .op = op, .bitmap_addr = (uintptr_t)lv->dirty };

	if (ioctl(lv->ctx.fd, TVMM_DIRTY_LOG, &log) < 0)
		return -errno;
	return log.pages;
}

/*
 * Send the pages set in @map (read with TVMM_READ_RAM, maybe while the
 * guest runs), in batches; return how many, or -1 with lv->failed set.
 */
static long send_pages(struct live *lv, const uint64_t *map, uint32_t round)
{
	static unsigned char buf[LIVE_BATCH_MAX * LIVE_PAGE_SIZE];
	uint32_t pfn[LIVE_BATCH_MAX], n = 0;
	unsigned long i;
	long sent = 0;

	for (i = 0; i <= lv->nr_pages; i++) {
		bool want = i < lv->nr_pages && (map[i / 64] >> (i % 64) & 1);

		if (want) {
			struct tvmm_ram_read rd = {
				.gpa = (uint64_t)i * LIVE_PAGE_SIZE, .len = LIVE_PAGE_SIZE,
				.addr = (uintptr_t)(buf + (size_t)n * LIVE_PAGE_SIZE),
			};

			if (ioctl(lv->ctx.fd, TVMM_READ_RAM, &rd) < 0) {
				print_error("migrate: TVMM_READ_RAM of page %lu: %s", i,
					    strerror(errno));
				lv->failed = true;
				return -1;
			}
			pfn[n++] = i;
		}
		if (n && (n == LIVE_BATCH_MAX || i == lv->nr_pages)) {
			if (live_send_pages(&lv->out, round, pfn, n, buf)) {
				print_error("migrate: sending to %s: %s", lv->out.where,
					    strerror(errno));
				lv->failed = true;
				return -1;
			}
			sent += n;
			n = 0;
		}
	}
	return sent;
}

/* Migration thread: ask the vCPU thread for @req and wait until done. */
static long long ask_vcpu(struct live *lv, enum live_request req)
{
	struct timespec until;
	long long ret;

	pthread_mutex_lock(&lv->lock);
	lv->request = req;
	lv->served = false;
	while (!lv->served && !lv->vm_ended) {
		/* Kick it out of TVMM_RUN; again now and then, in case it was not in it yet. */
		pthread_kill(lv->vcpu, SIGUSR2);
		clock_gettime(CLOCK_REALTIME, &until);
		until.tv_nsec += 20 * 1000 * 1000;
		if (until.tv_nsec >= 1000000000) {
			until.tv_sec++;
			until.tv_nsec -= 1000000000;
		}
		pthread_cond_timedwait(&lv->cond, &lv->lock, &until);
	}
	ret = lv->vm_ended && !lv->served ? -ESRCH : lv->harvested;
	pthread_mutex_unlock(&lv->lock);
	return ret;
}

/* The migration thread: the pre-copy rounds, then it asks for the stop. */
static void *migration_thread(void *arg)
{
	struct live *lv = arg;
	unsigned long long t0, t1;
	long long dirty;
	long sent;
	uint32_t round;

	for (round = 1; ; round++) {
		t0 = __rdtsc();
		sent = send_pages(lv, lv->send, round);
		if (sent < 0)
			break;
		dirty = ask_vcpu(lv, REQ_HARVEST);
		t1 = __rdtsc();
		if (dirty < 0) {
			lv->failed = dirty != -ESRCH;	/* -ESRCH: the guest ended */
			break;
		}
		lv->rounds = round;
		lv->pages_sent += sent;
		fprintf(stderr, "%s: round %u: sent %ld pages, dirtied %lld during the round, %llu guest ticks\n",
			tvmm_prog, round, sent, dirty, t1 - t0);
		memcpy(lv->send, lv->dirty, lv->words * sizeof(uint64_t));
		if ((unsigned long long)dirty <= lv->threshold) {
			fprintf(stderr, "%s: converged: %lld pages dirtied <= threshold %llu\n",
				tvmm_prog, dirty, lv->threshold);
			break;
		}
		if (round >= lv->max_rounds) {
			fprintf(stderr, "%s: not converging: round cap %llu reached with %lld pages dirty (--max-rounds)\n",
				tvmm_prog, lv->max_rounds, dirty);
			break;
		}
	}
	ask_vcpu(lv, REQ_STOP);
	return NULL;
}

/* vCPU thread: do what the migration thread asked; true once told to stop. */
static bool serve_request(struct live *lv)
{
	enum live_request req;
	long long ret = 0;

	pthread_mutex_lock(&lv->lock);
	req = lv->request;
	pthread_mutex_unlock(&lv->lock);
	if (req == REQ_NONE)
		return false;
	if (req == REQ_HARVEST)
		ret = dirty_log(lv, TVMM_DIRTY_HARVEST);
	if (ret < 0)
		print_error("migrate: TVMM_DIRTY_LOG harvest: %s", strerror((int)-ret));
	pthread_mutex_lock(&lv->lock);
	lv->harvested = ret;
	lv->request = REQ_NONE;
	lv->served = true;
	pthread_cond_broadcast(&lv->cond);
	pthread_mutex_unlock(&lv->lock);
	return req == REQ_STOP;
}

/* run_once(), vcpu_loop(), run_until(): the guest ended (not an exit status). */
#define LIVE_ENDED	(-1)

/* One TVMM_RUN and its console: 0 (EINTR too), LIVE_ENDED, or an exit status. */
static int run_once(struct live *lv, struct tvmm_run *run)
{
	int status;

	memset(run, 0, sizeof(*run));
	if (ioctl(lv->ctx.fd, TVMM_RUN, run) < 0)
		return errno == EINTR ? 0 : vm_error("TVMM_RUN", errno);
	status = run_output(&lv->ctx, run);
	return status ? status : run->state == TVMM_RUN_ENDED ? LIVE_ENDED : 0;
}

/*
 * The vCPU thread during the rounds: run the guest, print its console,
 * serve the migration thread. Return: 0 when stopped (*stop_tsc the TSC
 * when the guest last ran), LIVE_ENDED if the guest ended first (*run
 * says how), or an exit status.
 */
static int vcpu_loop(struct live *lv, struct tvmm_run *run, uint64_t *stop_tsc)
{
	int status = 0;

	*stop_tsc = __rdtsc();
	while (!status && !serve_request(lv)) {
		status = run_once(lv, run);
		*stop_tsc = __rdtsc();
	}
	return status;
}

/* The guest stopped: the last dirty pages and the state; an exit status. */
static int stop_and_copy(struct live *lv, uint64_t stop_tsc)
{
	struct tvmm_vm_state *state = calloc(1, sizeof(*state));
	long long dirty;
	unsigned long i;
	long sent;
	int status = TVMM_EXIT_FAILURE;

	if (!state) {
		print_error("migrate: out of memory");
		return status;
	}
	/* What the last round dirtied, and what the guest wrote since. */
	dirty = dirty_log(lv, TVMM_DIRTY_HARVEST);
	if (dirty < 0) {
		print_error("migrate: TVMM_DIRTY_LOG harvest: %s", strerror((int)-dirty));
		goto out;
	}
	for (i = 0; i < lv->words; i++)
		lv->send[i] |= lv->dirty[i];
	sent = send_pages(lv, lv->send, lv->rounds + 1);
	if (sent < 0)
		goto out;
	state->version = TVMM_STATE_VERSION;
	state->size = sizeof(*state);
	state->ram_addr = 0;	/* the state alone: the RAM went page by page */
	if (ioctl(lv->ctx.fd, TVMM_GET_STATE, state) < 0) {
		status = vm_error("TVMM_GET_STATE", errno);
		goto out;
	}
	if (live_send_state(&lv->out, lv->rounds + 1, stop_tsc, state)) {
		print_error("migrate: sending to %s: %s", lv->out.where, strerror(errno));
		goto out;
	}
	lv->pages_sent += sent;
	fprintf(stderr, "%s: stop-and-copy: sent %ld pages and the CPU state after %llu exits (%llu pages in %u rounds, %llu bytes)\n",
		tvmm_prog, sent, (unsigned long long)state->exits, lv->pages_sent,
		lv->rounds + 1, lv->out.bytes);
	status = TVMM_EXIT_OK;
out:
	free(state);
	return status;
}

/* Run the guest until its exit @at, printing its console: 0, LIVE_ENDED or a status. */
static int run_until(struct live *lv, unsigned long long at, struct tvmm_run *run)
{
	int status = 0;

	memset(run, 0, sizeof(*run));
	if (ioctl(lv->ctx.fd, TVMM_PAUSE_AT, &at) < 0)
		return vm_error("TVMM_PAUSE_AT", errno);
	while (!status && run->exits < at)
		status = run_once(lv, run);
	return status;
}

/* The migration itself, the VM paused at its exit @at; an exit status. */
static int live_migrate(struct live *lv, unsigned long long at)
{
	struct live_header h = { .ram_size = lv->ctx.config.mem_size, .exits = at,
				 .mode = lv->ctx.config.mode };
	struct sigaction sa = { .sa_handler = on_kick };
	struct tvmm_run run;
	pthread_t mig;
	uint64_t stop_tsc;
	long long n;
	int status;

	sigemptyset(&sa.sa_mask);
	sigaction(SIGUSR2, &sa, NULL);	/* no SA_RESTART: TVMM_RUN returns EINTR */
	signal(SIGPIPE, SIG_IGN);	/* a closed stream is an error, not death */
	snap_set_name(h.name, lv->ctx.name);
	n = dirty_log(lv, TVMM_DIRTY_START);
	if (n < 0)
		return vm_error("TVMM_DIRTY_LOG start", (int)-n);
	fprintf(stderr, "%s: live migration of %s after %llu exits: %lu pages, %lld write-protected; stop when a round dirties <= %llu pages or after %llu rounds\n",
		tvmm_prog, lv->ctx.name, at, lv->nr_pages, n, lv->threshold, lv->max_rounds);
	if (live_send_header(&lv->out, &h)) {
		print_error("migrate: sending to %s: %s", lv->out.where, strerror(errno));
		return TVMM_EXIT_FAILURE;
	}
	memset(lv->send, 0xff, lv->words * sizeof(uint64_t));	/* round 1: all of it */
	if (lv->nr_pages % 64)
		lv->send[lv->words - 1] = (1ULL << (lv->nr_pages % 64)) - 1;
	lv->vcpu = pthread_self();
	if (pthread_create(&mig, NULL, migration_thread, lv)) {
		print_error("migrate: cannot start the migration thread");
		return TVMM_EXIT_FAILURE;
	}
	status = vcpu_loop(lv, &run, &stop_tsc);
	if (status) {
		pthread_mutex_lock(&lv->lock);
		lv->vm_ended = true;	/* the migration thread stops waiting */
		pthread_cond_broadcast(&lv->cond);
		pthread_mutex_unlock(&lv->lock);
	}
	pthread_join(mig, NULL);
	if (status == LIVE_ENDED) {
		fprintf(stderr, "%s: the guest ended during the migration, here; nothing more to send\n",
			tvmm_prog);
		return run_ended(&lv->ctx, &run);
	}
	if (status)
		return status;
	if (lv->failed) {
		/* The destination has no state, so it runs nothing: the VM goes on here. */
		fprintf(stderr, "%s: live migration failed; the VM goes on here\n", tvmm_prog);
		dirty_log(lv, TVMM_DIRTY_STOP);
		status = run_loop(&lv->ctx);
		return status ? status : TVMM_EXIT_FAILURE;
	}
	return stop_and_copy(lv, stop_tsc);
}

static void live_usage(FILE *out)
{
	fprintf(out,
		"usage: %s migrate --live --to DEST [--at N] [--max-rounds R] [--threshold P]\n"
		"                    [--mode MODE] [--mem SIZE] [--timer TICKS] IMAGE\n"
		"  Run the guest IMAGE, and after N exits send it, running, to the tvmm\n"
		"  process at DEST (`tvmm restore --incoming SPEC` there), pre-copy: RAM in\n"
		"  rounds while the guest runs, dirty pages tracked by EPT write protection,\n"
		"  then a stop-and-copy of the last dirty pages and the CPU state. One line\n"
		"  per round on stderr: pages sent, pages dirtied during it, guest ticks.\n"
		"  --to DEST         fd:N (an open descriptor, e.g. with 3>&1), unix:PATH (a\n"
		"                    socket the destination listens on), or a FIFO or file\n"
		"  --at N            start after N exits (default %d)\n"
		"  --max-rounds R    stop-and-copy after R rounds at most (default %d)\n"
		"  --threshold P     stop-and-copy once a round dirties P pages or fewer\n"
		"                    (default %d)\n"
		"  --mode, --mem, --timer: as for `tvmm run`\n"
		"  -h, --help\n"
		"  Exit status: 0 once the VM is sent; the guest's, as `tvmm run`, if it\n"
		"  ended first; 1 if the stream broke (the VM then goes on here).\n",
		tvmm_prog, LIVE_DEFAULT_AT, LIVE_DEFAULT_ROUNDS, LIVE_DEFAULT_THRESHOLD);
}

static int parse_live_options(int argc, char **argv, struct live *lv, const char **to,
			      unsigned long long *at)
{
	static const struct option opts[] = {
		{ "live", no_argument, NULL, 'l' },
		{ "to", required_argument, NULL, 'o' },
		{ "at", required_argument, NULL, 'a' },
		{ "max-rounds", required_argument, NULL, 'r' },
		{ "threshold", required_argument, NULL, 'p' },
		{ "mode", required_argument, NULL, 'm' },
		{ "mem", required_argument, NULL, 'M' },
		{ "timer", required_argument, NULL, 't' },
		{ "help", no_argument, NULL, 'h' },
		{ NULL, 0, NULL, 0 }
	};
	unsigned long long v;
	int c, mode;

	optind = 1;
	while ((c = getopt_long(argc, argv, "h", opts, NULL)) != -1) {
		switch (c) {
		case 'l':
			break;
		case 'o':
			*to = optarg;
			break;
		case 'a':
		case 'r':
		case 'p':
			if (parse_count(optarg, &v) || (c != 'p' && !v) || v > 1000000000ULL) {
				print_error("migrate: --%s %s: give a number%s.",
					    c == 'a' ? "at" : c == 'r' ? "max-rounds" : "threshold",
					    optarg, c == 'p' ? "" : ", 1 or more");
				return TVMM_EXIT_USAGE;
			}
			*(c == 'a' ? at : c == 'r' ? &lv->max_rounds : &lv->threshold) = v;
			break;
		case 'm':
			mode = tvmm_mode_from_name(optarg);
			if (mode < 0 || mode == TVMM_MODE_REAL) {
				print_error("migrate: mode '%s': give hw, deprivileged, paravirt or patch (real-mode guests cannot be saved).",
					    optarg);
				return TVMM_EXIT_USAGE;
			}
			lv->ctx.config.mode = mode;
			break;
		case 'M':
			if (parse_mem_option("migrate", optarg, &v))
				return TVMM_EXIT_USAGE;
			lv->ctx.config.mem_size = v;
			break;
		case 't':
			if (parse_timer_option("migrate", optarg, &v))
				return TVMM_EXIT_USAGE;
			lv->ctx.config.timer_ticks = v;
			break;
		case 'h':
			live_usage(stdout);
			return -1;
		default:
			live_usage(stderr);
			return TVMM_EXIT_USAGE;
		}
	}
	if (argc - optind != 1 || !*to) {
		print_error("migrate: --live needs --to DEST and one IMAGE, e.g. `tvmm migrate --live --to unix:/tmp/mig guests/memwrite.bin`.");
		live_usage(stderr);
		return TVMM_EXIT_USAGE;
	}
	return TVMM_EXIT_OK;
}

int migrate_live_main(int argc, char **argv)
{
	struct live *lv = calloc(1, sizeof(*lv));
	unsigned long long at = LIVE_DEFAULT_AT;
	const char *to = NULL;
	struct tvmm_run run;
	int status;

	if (!lv) {
		print_error("migrate: out of memory");
		return TVMM_EXIT_FAILURE;
	}
	lv->ctx.fd = -1;
	lv->out.fd = -1;
	lv->ctx.cpu = lv->ctx.migrate_to = -1;
	lv->ctx.console_at_bol = true;
	lv->max_rounds = LIVE_DEFAULT_ROUNDS;
	lv->threshold = LIVE_DEFAULT_THRESHOLD;
	pthread_mutex_init(&lv->lock, NULL);
	pthread_cond_init(&lv->cond, NULL);
	status = parse_live_options(argc, argv, lv, &to, &at);
	if (status) {
		free(lv);
		return status < 0 ? TVMM_EXIT_OK : status;
	}
	lv->ctx.image_path = argv[optind];
	lv->ctx.name = strrchr(lv->ctx.image_path, '/') ?
		       strrchr(lv->ctx.image_path, '/') + 1 : lv->ctx.image_path;
	if (!lv->ctx.config.mem_size)
		lv->ctx.config.mem_size = TVMM_GUEST_MEM_DEFAULT;
	lv->nr_pages = lv->ctx.config.mem_size / LIVE_PAGE_SIZE;
	lv->words = (lv->nr_pages + 63) / 64;
	lv->send = calloc(lv->words, sizeof(uint64_t));
	lv->dirty = calloc(lv->words, sizeof(uint64_t));
	status = !lv->send || !lv->dirty ? TVMM_EXIT_FAILURE : TVMM_EXIT_OK;
	/* The input first (no module needed), then the module, then the stream. */
	if (!status)
		status = image_read("migrate", lv->ctx.image_path, lv->ctx.config.mem_size,
				    TVMM_GUEST_LOAD_GPA, &lv->ctx.image, &lv->ctx.image_size);
	if (!status)
		status = dev_open(&lv->ctx.fd);
	if (!status)
		status = run_build(&lv->ctx);
	if (!status) {
		lv->out.where = to;
		lv->out.fd = live_open(to, 1);
		if (lv->out.fd < 0)
			status = TVMM_EXIT_INPUT;
	}
	if (!status)
		status = run_until(lv, at, &run);
	if (status == LIVE_ENDED) {
		fprintf(stderr, "%s: the guest ended before exit %llu: nothing to migrate\n",
			tvmm_prog, at);
		status = run_ended(&lv->ctx, &run);
	} else if (!status) {
		status = live_migrate(lv, at);
	}
	if (lv->out.fd > STDERR_FILENO && close(lv->out.fd) && !status) {
		print_error("migrate: closing %s: %s", to, strerror(errno));
		status = TVMM_EXIT_FAILURE;
	}
	run_close_vm(&lv->ctx);	/* the source's copy of the VM goes */
	free(lv->ctx.image);
	free(lv->send);
	free(lv->dirty);
	free(lv);
	return status;
}
