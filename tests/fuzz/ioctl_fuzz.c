// SPDX-License-Identifier: GPL-2.0
/*
 * ioctl_fuzz - random calls on /dev/tvmm from several threads on several
 * VMs at once, with hostile arguments, and attempts to unload tvmm while
 * VMs live.
 *
 *   ioctl_fuzz --seed S [--calls N] [--threads T] [--ko PATH]
 *
 * Each thread picks, at random: open (a new VM in a slot), close, dup2
 * over a slot (closing the old VM under the others' feet), one of the
 * ioctls of module/include/uapi/tvmm.h (or a near miss: wrong size bits,
 * wrong number), read() and poll() of exit records, mmap(). Arguments
 * are NULL, a good buffer, an unmapped page, a kernel address, a
 * misaligned pointer, a struct that runs into an unmapped page; fields
 * take boundary values (0, all ones, negative, huge sizes, every mode,
 * reserved bits). Slots live at fixed descriptor numbers (SLOT_FD0..), so
 * a racing close never turns a call on a VM into a call on stdout.
 * A watchdog thread interrupts long TVMM_RUNs (SIGUSR1, no SA_RESTART).
 *
 * Pass rule: every call returns (a thread silent for --timeout seconds is
 * a hang), a documented result (a success or an errno; no crash of this
 * process), delete_module("tvmm") fails while a VM is open (EBUSY or
 * EWOULDBLOCK, checked N/1000 times during the run) and succeeds once all
 * are closed, and tvmm loads again. fuzz-vm.sh then checks dmesg and runs
 * a guest. Prints calls, calls/s and the seed; figures are not asserted.
 *
 * Context: root in the lab VM, tvmm.ko loaded, nothing else using it.
 */
#define _GNU_SOURCE
#include <errno.h>
#include <fcntl.h>
#include <getopt.h>
#include <poll.h>
#include <pthread.h>
#include <signal.h>
#include <stdatomic.h>
#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/ioctl.h>
#include <sys/mman.h>
#include <sys/syscall.h>
#include <time.h>
#include <unistd.h>

#include "tvmm.h"
#include "gen.h"

#define THREADS_MAX	8
#define SLOTS		6
#define SLOT_FD0	200		/* slot i is descriptor SLOT_FD0 + i */
#define PIN_FD		199		/* a VM held open for the whole run */
#define KERNEL_PTR	0xffffffff81000000ULL
#define ARENA_PAGES	4		/* page 3 is PROT_NONE */

enum op {
	OP_OPEN, OP_CLOSE, OP_DUP, OP_IOCTL, OP_NEAR_MISS, OP_READ, OP_POLL,
	OP_MMAP, OP_MAX,
};

static const char *const op_names[OP_MAX] = {
	"open", "close", "dup2", "ioctl", "ioctl (near miss)", "read", "poll", "mmap",
};

static const unsigned long cmds[] = {
	TVMM_GET_API_VERSION, TVMM_GET_CAPS, TVMM_SET_CONFIG, TVMM_LOAD_IMAGE,
	TVMM_RUN, TVMM_GET_REGS, TVMM_SET_REGS, TVMM_GET_STATS, TVMM_GET_VM_ID,
};

static struct {
	uint64_t seed, calls;
	unsigned int threads, timeout_s;
	const char *ko;
} o = { .seed = 1, .calls = 1000000, .threads = 4, .timeout_s = 60,
	.ko = "/lib/modules/tvmm.ko" };

struct worker {
	pthread_t tid;
	unsigned int id;
	struct rng r;
	uint8_t *arena;		/* ARENA_PAGES pages, the last one PROT_NONE */
	_Atomic uint64_t done;	/* calls made */
	_Atomic int last_op;
	uint64_t quota;
	uint64_t errors[OP_MAX];
};

static struct worker workers[THREADS_MAX];
static atomic_bool stop;
static _Atomic uint64_t unload_refused, unload_wrong;
static long page_size;

static void on_usr1(int sig)
{
	(void)sig;		/* only interrupts a blocking call */
}

static int slot_fd(struct worker *w)
{
	return SLOT_FD0 + rng_below(&w->r, SLOTS);
}

static uint64_t val64(struct worker *w)
{
	static const uint64_t edges[] = {
		0, 1, 2, 0xfff, 0x1000, 0x100000, 0x200000, 0x4000000, 0x4001000,
		TVMM_TIMER_MIN - 1, TVMM_TIMER_MAX, TVMM_TIMER_MAX + 1, ~0ULL,
		~0ULL - 1, 1ULL << 63, 0x7fffffffffffffffULL, (uint64_t)-4096,
		KERNEL_PTR, 0x10000, 0x7c00,
	};

	switch (rng_below(&w->r, 3)) {
	case 0:
		return edges[rng_below(&w->r, sizeof(edges) / sizeof(edges[0]))];
	case 1:
		return 1ULL << rng_below(&w->r, 64);
	default:
		return rng_next(&w->r);
	}
}

/*
 * A pointer for a struct of @size bytes: NULL, kernel, unmapped,
 * misaligned, running into the PROT_NONE page, or good (filled by @fill).
 */
static void *arg_ptr(struct worker *w, size_t size)
{
	uint8_t *guard = w->arena + (ARENA_PAGES - 1) * page_size;

	switch (rng_below(&w->r, 12)) {
	case 0:
		return NULL;
	case 1:
		return (void *)(uintptr_t)KERNEL_PTR;
	case 2:
		return guard;				/* unmapped */
	case 3:
		return guard - size / 2;		/* half in, half out */
	case 4:
		return w->arena + 1;			/* misaligned */
	default:
		return w->arena;
	}
}

static void fill_config(struct worker *w, struct tvmm_config *c)
{
	memset(c, 0, sizeof(*c));
	c->mode = rng_below(&w->r, 4) ? rng_below(&w->r, 6) : (uint32_t)val64(w);
	c->flags = rng_below(&w->r, 4) ? rng_below(&w->r, 8) & ~TVMM_CONFIG_NULL_HANDLERS :
					 (uint32_t)val64(w);
	c->mem_size = rng_below(&w->r, 2) ? 0 : val64(w);
	c->max_exits = rng_below(&w->r, 4) ? 1 + rng_below(&w->r, 200) : val64(w);
	c->timer_ticks = rng_below(&w->r, 2) ? 0 : val64(w);
	if (!rng_below(&w->r, 8))
		c->reserved[rng_below(&w->r, 4)] = val64(w);
}

/* A small image: a generated guest (mostly), or an edge-case size. */
static void fill_image(struct worker *w, struct tvmm_image *img, uint8_t *guest)
{
	enum gen_kind kind;
	size_t size = gen_guest(o.seed, rng_next(&w->r) & 0xffff, guest, &kind);

	img->addr = (uintptr_t)guest;
	img->size = size;
	switch (rng_below(&w->r, 8)) {
	case 0:
		img->size = val64(w);
		break;
	case 1:
		img->addr = val64(w);
		break;
	case 2:
		img->addr = (uintptr_t)(w->arena + (ARENA_PAGES - 1) * page_size - size / 2);
		break;
	default:
		break;
	}
}

static void fill_regs(struct worker *w, struct tvmm_regs *r)
{
	uint64_t *v = (uint64_t *)r;
	size_t i;

	memset(r, 0, sizeof(*r));
	for (i = 0; i < offsetof(struct tvmm_regs, cs) / 8; i++)
		v[i] = rng_below(&w->r, 2) ? 0 : val64(w);
}

static void do_ioctl(struct worker *w, int fd, bool near_miss)
{
	static __thread uint8_t guest[GEN_IMAGE_MAX];
	uint32_t pct = rng_below(&w->r, 100);
	/* Building a VM (LOAD_IMAGE) and running it cost the most: 2% and 3%. */
	unsigned long cmd = pct < 2 ? TVMM_LOAD_IMAGE : pct < 5 ? TVMM_RUN :
			    cmds[rng_below(&w->r, sizeof(cmds) / sizeof(cmds[0]))];
	uint8_t buf[sizeof(struct tvmm_run) + 64];
	void *p;

	if (near_miss) {
		switch (rng_below(&w->r, 4)) {
		case 0:		/* the size bits of another struct */
			cmd = (cmd & ~(_IOC_SIZEMASK << _IOC_SIZESHIFT)) |
			      ((rng_below(&w->r, 0x3fff)) << _IOC_SIZESHIFT);
			break;
		case 1:		/* another direction */
			cmd ^= (unsigned long)(1 + rng_below(&w->r, 3)) << _IOC_DIRSHIFT;
			break;
		case 2:		/* a number tvmm does not have */
			cmd = _IOC(rng_below(&w->r, 4), TVMM_IOCTL_TYPE, rng_below(&w->r, 256),
				   rng_below(&w->r, 512));
			break;
		default:
			cmd = (unsigned long)rng_next(&w->r);
		}
	}
	p = arg_ptr(w, _IOC_SIZE(cmd));
	if (p == w->arena || p == w->arena + 1) {
		switch (cmd) {
		case TVMM_SET_CONFIG:
			fill_config(w, (struct tvmm_config *)buf);
			break;
		case TVMM_LOAD_IMAGE:
			fill_image(w, (struct tvmm_image *)buf, guest);
			break;
		case TVMM_SET_REGS:
			fill_regs(w, (struct tvmm_regs *)buf);
			break;
		default:
			memset(buf, (int)rng_below(&w->r, 256), sizeof(buf));
		}
		memcpy(p, buf, _IOC_SIZE(cmd) < sizeof(buf) ? _IOC_SIZE(cmd) : sizeof(buf));
	}
	if (ioctl(fd, cmd, p) < 0)
		w->errors[near_miss ? OP_NEAR_MISS : OP_IOCTL]++;
}

static void one_call(struct worker *w)
{
	struct tvmm_trace_mmap_page *pg;
	struct pollfd pf[2];
	uint32_t pct = rng_below(&w->r, 1000), kind;
	enum op op;
	int fd, nfd;
	size_t len;
	off_t off;
	int prot;
	void *m;

	/*
	 * Mostly ioctls, and VMs that live long enough to be configured,
	 * loaded and run: opens and closes are 1.5% of the calls.
	 */
	op = pct < 10 ? OP_OPEN : pct < 15 ? OP_CLOSE : pct < 20 ? OP_DUP :
	     pct < 25 ? OP_MMAP : pct < 100 ? OP_READ : pct < 150 ? OP_POLL :
	     pct < 250 ? OP_NEAR_MISS : OP_IOCTL;
	atomic_store(&w->last_op, op);
	fd = slot_fd(w);
	switch (op) {
	case OP_OPEN:
	case OP_DUP:
		nfd = open(TVMM_DEVICE_PATH, O_RDWR | (rng_below(&w->r, 2) ? O_NONBLOCK : 0));
		if (nfd < 0) {
			w->errors[op]++;
			break;
		}
		if (dup2(nfd, fd) < 0)
			w->errors[op]++;
		close(nfd);
		break;
	case OP_CLOSE:
		if (close(fd))
			w->errors[op]++;
		break;
	case OP_IOCTL:
	case OP_NEAR_MISS:
		do_ioctl(w, fd, op == OP_NEAR_MISS);
		break;
	case OP_READ:
		if (read(fd, arg_ptr(w, 4096), rng_below(&w->r, 2) ? val64(w) & 0xffff :
				     rng_below(&w->r, 3) * sizeof(struct tvmm_exit_record)) < 0)
			w->errors[op]++;
		break;
	case OP_POLL:
		pf[0] = (struct pollfd){ .fd = fd, .events = POLLIN | POLLOUT | POLLPRI };
		pf[1] = (struct pollfd){ .fd = slot_fd(w), .events = POLLIN };
		if (poll(pf, 2, rng_below(&w->r, 3)) < 0)
			w->errors[op]++;
		break;
	default:
		/*
		 * A traced VM maps its exit-record ring (docs/abi.md): the
		 * control page at 0, the records (1024 of them) one page on;
		 * anything else must be refused. A control page mapped gets
		 * any head and tail written into it: a hostile reader.
		 */
		kind = rng_below(&w->r, 4);
		len = kind == 3 ? 1024 * sizeof(struct tvmm_exit_record) :
			(size_t)page_size * (1 + rng_below(&w->r, 4));
		prot = rng_below(&w->r, 2) ? PROT_READ : PROT_READ | PROT_WRITE;
		off = kind == 3 ? (off_t)page_size : kind ? 0 :
		      (off_t)(val64(w) & ~(page_size - 1) & 0xffffffffff);
		m = mmap(NULL, len, prot, rng_below(&w->r, 2) ? MAP_SHARED : MAP_PRIVATE, fd, off);
		if (m == MAP_FAILED) {
			w->errors[op]++;
			break;
		}
		pg = m;
		if (!off && (prot & PROT_WRITE)) {	/* the control page, writable */
			pg->head = val64(w);
			pg->tail = kind == 1 ? val64(w) : pg->head;
		}
		munmap(m, len);
	}
	atomic_fetch_add(&w->done, 1);
}

/* delete_module() with VMs alive must be refused. */
static void try_unload(void)
{
	if (syscall(SYS_delete_module, "tvmm", O_NONBLOCK) == 0) {
		atomic_fetch_add(&unload_wrong, 1);
		fprintf(stderr, "ioctl_fuzz: delete_module(tvmm) succeeded while a VM was open\n");
		return;
	}
	if (errno == EBUSY || errno == EWOULDBLOCK)
		atomic_fetch_add(&unload_refused, 1);
	else
		atomic_fetch_add(&unload_wrong, 1);
}

static void *worker_main(void *arg)
{
	struct worker *w = arg;
	uint64_t i;

	for (i = 0; i < w->quota && !atomic_load(&stop); i++) {
		one_call(w);
		if (w->id == 0 && i % 1000 == 999)
			try_unload();
	}
	return NULL;
}

static double now_s(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return ts.tv_sec + ts.tv_nsec / 1e9;
}

static int load_module(const char *path)
{
	int fd = open(path, O_RDONLY | O_CLOEXEC), ret;

	if (fd < 0)
		return -errno;
	ret = syscall(SYS_finit_module, fd, "", 0) ? -errno : 0;
	close(fd);
	return ret == -EEXIST ? 0 : ret;
}

int main(int argc, char **argv)
{
	static const struct option longopts[] = {
		{ "seed", required_argument, NULL, 's' },
		{ "calls", required_argument, NULL, 'n' },
		{ "threads", required_argument, NULL, 't' },
		{ "timeout", required_argument, NULL, 'T' },
		{ "ko", required_argument, NULL, 'k' },
		{ NULL, 0, NULL, 0 },
	};
	struct sigaction sa = { .sa_handler = on_usr1 };
	uint64_t total = 0, last_total = 0, errors[OP_MAX] = { 0 };
	double t0, last_move, wall;
	int c, i, k, fails = 0, ret, hung = 0;

	while ((c = getopt_long(argc, argv, "", longopts, NULL)) != -1) {
		switch (c) {
		case 's': o.seed = strtoull(optarg, NULL, 0); break;
		case 'n': o.calls = strtoull(optarg, NULL, 0); break;
		case 't': o.threads = strtoul(optarg, NULL, 0); break;
		case 'T': o.timeout_s = strtoul(optarg, NULL, 0); break;
		case 'k': o.ko = optarg; break;
		default:
			fprintf(stderr, "usage: ioctl_fuzz [--seed S] [--calls N] [--threads 1-8] [--timeout S] [--ko PATH]\n");
			return 2;
		}
	}
	if (!o.threads || o.threads > THREADS_MAX)
		o.threads = 4;
	setvbuf(stdout, NULL, _IOLBF, 0);
	page_size = sysconf(_SC_PAGESIZE);
	sigemptyset(&sa.sa_mask);
	sigaction(SIGUSR1, &sa, NULL);		/* no SA_RESTART */
	signal(SIGPIPE, SIG_IGN);
	printf("KTAP version 1\n1..3\n");
	printf("# ioctl_fuzz: seed %llu, %llu calls, %u threads, %d VM slots\n",
	       (unsigned long long)o.seed, (unsigned long long)o.calls, o.threads, SLOTS);

	ret = open(TVMM_DEVICE_PATH, O_RDWR);
	if (ret < 0 || dup2(ret, PIN_FD) < 0) {
		printf("# open %s: %s\n", TVMM_DEVICE_PATH, strerror(errno));
		return 1;
	}
	close(ret);
	for (i = 0; i < (int)o.threads; i++) {
		struct worker *w = &workers[i];

		w->id = i;
		rng_init(&w->r, o.seed, 1000000 + i);
		w->quota = o.calls / o.threads + (i == 0 ? o.calls % o.threads : 0);
		w->arena = mmap(NULL, ARENA_PAGES * page_size, PROT_READ | PROT_WRITE,
				MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
		if (w->arena == MAP_FAILED ||
		    mprotect(w->arena + (ARENA_PAGES - 1) * page_size, page_size, PROT_NONE)) {
			perror("ioctl_fuzz: arena");
			return 1;
		}
		pthread_create(&w->tid, NULL, worker_main, w);
	}

	/* Watchdog: interrupt long runs every 20 ms; notice a hang. */
	t0 = last_move = now_s();
	for (;;) {
		uint64_t sum = 0;
		bool all_done = true;

		usleep(20000);
		for (i = 0; i < (int)o.threads; i++) {
			sum += atomic_load(&workers[i].done);
			if (atomic_load(&workers[i].done) < workers[i].quota)
				all_done = false;
			pthread_kill(workers[i].tid, SIGUSR1);
		}
		if (all_done)
			break;
		if (sum / 100000 != last_total / 100000)
			printf("# %llu calls, %.0f s\n", (unsigned long long)sum, now_s() - t0);
		if (sum != last_total) {
			last_total = sum;
			last_move = now_s();
		} else if (now_s() - last_move > o.timeout_s) {
			hung = 1;
			break;
		}
	}
	wall = now_s() - t0;
	if (hung) {
		for (i = 0; i < (int)o.threads; i++)
			printf("# thread %d: %llu calls, last: %s\n", i,
			       (unsigned long long)atomic_load(&workers[i].done),
			       op_names[atomic_load(&workers[i].last_op)]);
		printf("not ok 1 ioctl_fuzz: calls # no call returned for %u s (seed %llu): hang\n",
		       o.timeout_s, (unsigned long long)o.seed);
		printf("not ok 2 ioctl_fuzz: unload_refused_while_open # not reached\n");
		printf("not ok 3 ioctl_fuzz: unload_after_close # not reached\n");
		fflush(stdout);
		_exit(1);
	}
	atomic_store(&stop, true);
	for (i = 0; i < (int)o.threads; i++) {
		pthread_join(workers[i].tid, NULL);
		total += atomic_load(&workers[i].done);
		for (k = 0; k < OP_MAX; k++)
			errors[k] += workers[i].errors[k];
	}
	for (k = 0; k < OP_MAX; k++)
		printf("# %s: %llu failed with an errno (expected for hostile arguments)\n",
		       op_names[k], (unsigned long long)errors[k]);
	printf("# ioctl_fuzz: seed %llu, %llu calls in %.1f s: %.0f calls/s\n",
	       (unsigned long long)o.seed, (unsigned long long)total, wall,
	       wall > 0 ? total / wall : 0.0);
	printf("ok 1 ioctl_fuzz: calls\n");

	/* One more refusal for certain: the pinned VM is open. */
	try_unload();
	printf("# delete_module while VMs were open: refused %llu times, wrong %llu times\n",
	       (unsigned long long)atomic_load(&unload_refused),
	       (unsigned long long)atomic_load(&unload_wrong));
	if (atomic_load(&unload_wrong) || !atomic_load(&unload_refused)) {
		printf("not ok 2 ioctl_fuzz: unload_refused_while_open\n");
		fails++;
	} else {
		printf("ok 2 ioctl_fuzz: unload_refused_while_open\n");
	}

	for (i = 0; i < SLOTS; i++)
		close(SLOT_FD0 + i);
	close(PIN_FD);
	ret = syscall(SYS_delete_module, "tvmm", O_NONBLOCK) ? -errno : 0;
	if (!ret)
		ret = load_module(o.ko);
	if (ret) {
		printf("# unloading and loading tvmm after closing every VM: %s\n", strerror(-ret));
		printf("not ok 3 ioctl_fuzz: unload_after_close\n");
		fails++;
	} else {
		printf("ok 3 ioctl_fuzz: unload_after_close\n");
	}
	return fails ? 1 : 0;
}
