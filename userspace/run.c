// SPDX-License-Identifier: GPL-2.0
/*
 * run.c - `tvmm run IMAGE`: create a VM, load a flat guest, run it to the
 * end, print its console, and optionally trace every exit.
 *
 * Concept: the run loop of a type-2 VMM, seen from userspace. The notes'
 * trap-and-emulate cycle (guest runs, traps, the VMM emulates, the guest
 * resumes) happens inside tvmm.ko; TVMM_RUN only comes back to us when
 * there is something to do here: console output to print, exit records to
 * save, or the end of the VM. A KVM front end (QEMU's kvm_cpu_exec) has the
 * same shape: ioctl(KVM_RUN), switch on why it returned, ioctl again.
 * Context: userspace, root (opens /dev/tvmm). SIGINT/SIGTERM interrupt the
 * ioctl (EINTR); the loop then drains the trace and reports.
 */
#include <errno.h>
#include <fcntl.h>
#include <getopt.h>
#include <signal.h>
#include <stdlib.h>
#include <string.h>
#include <sys/ioctl.h>
#include <sys/stat.h>
#include <unistd.h>

#include <tvmm/exit_names.h>

#include "cli.h"
#include "jsonl.h"
#include "run.h"
#include "tracefile.h"

/*
 * struct tvmm_config.timer_ticks: 0 asks for the default period, this
 * value for no timer at all (the uapi defines both with the virtual timer;
 * the fallbacks let the tool build against an older header).
 */
#ifndef TVMM_TIMER_OFF
#define TVMM_TIMER_OFF		(~0ULL)
#endif
#ifndef TVMM_TIMER_DEFAULT
#define TVMM_TIMER_DEFAULT	1000000ULL
#endif
#ifndef TVMM_TIMER_MIN
#define TVMM_TIMER_MIN		1000ULL
#endif
#ifndef TVMM_TIMER_MAX
#define TVMM_TIMER_MAX		(1ULL << 40)
#endif


/* Records read() fetches at once; any count works, whole records come back. */
#define DRAIN_BATCH	64


/* Set by the handler; the ioctl it interrupts fails with EINTR. */
static volatile sig_atomic_t run_signal;

static void on_signal(int sig)
{
	run_signal = sig;
}

int run_interrupted(void)
{
	return run_signal;
}

/*
 * No SA_RESTART: the kernel's run loop sees the pending signal, leaves
 * the guest and fails TVMM_RUN with EINTR, and we get control back.
 */
static void catch_signals(bool usr1)
{
	struct sigaction sa;

	memset(&sa, 0, sizeof(sa));
	sa.sa_handler = on_signal;
	sigemptyset(&sa.sa_mask);
	sigaction(SIGINT, &sa, NULL);
	sigaction(SIGTERM, &sa, NULL);
	if (usr1)	/* --snapshot: SIGUSR1 saves the VM */
		sigaction(SIGUSR1, &sa, NULL);
}

int run_exit_status(unsigned int end, unsigned int guest_status)
{
	switch (end) {
	case TVMM_END_HLT:
		return TVMM_EXIT_OK;
	case TVMM_END_HYPERCALL:
		return guest_status < TVMM_EXIT_GUEST_MAX ? (int)guest_status :
		       TVMM_EXIT_GUEST_MAX;
	case TVMM_END_TRIPLE_FAULT:
		return TVMM_EXIT_TRIPLE_FAULT;
	case TVMM_END_EPT_VIOLATION:
		return TVMM_EXIT_EPT_VIOLATION;
	case TVMM_END_MAX_EXITS:
		return TVMM_EXIT_MAX_EXITS;
	case TVMM_END_ENTRY_FAILED:
		return TVMM_EXIT_ENTRY_FAILED;
	case TVMM_END_UNHANDLED:
		return TVMM_EXIT_UNHANDLED;
	case TVMM_END_BAD_IO:
		return TVMM_EXIT_BAD_IO;
	case TVMM_END_INTERNAL:
		return TVMM_EXIT_INTERNAL;
	case TVMM_END_TODO:
		return TVMM_EXIT_TODO;
	case TVMM_END_BAD_MMIO:
		return TVMM_EXIT_BAD_MMIO;
	default:
		return TVMM_EXIT_UNKNOWN_END;
	}
}

/* Shorter labels where KVM's name is long; the rest is KVM's, lowercased. */
static const struct {
	unsigned int reason;
	const char *label;
} reason_labels[] = {
	{ EXIT_REASON_EXCEPTION_NMI, "exception" },
	{ EXIT_REASON_EXTERNAL_INTERRUPT, "interrupt" },
	{ EXIT_REASON_IO_INSTRUCTION, "io" },
	{ EXIT_REASON_CR_ACCESS, "cr" },
	{ EXIT_REASON_MSR_READ, "rdmsr" },
	{ EXIT_REASON_MSR_WRITE, "wrmsr" },
};

const char *run_reason_label(unsigned int reason, char *buf, size_t size)
{
	const char *name = vmx_exit_reason_name(reason);
	size_t i;

	for (i = 0; i < sizeof(reason_labels) / sizeof(reason_labels[0]); i++)
		if (reason_labels[i].reason == reason)
			return reason_labels[i].label;
	for (i = 0; name[i] && i + 1 < size; i++)
		buf[i] = name[i] >= 'A' && name[i] <= 'Z' ? name[i] - 'A' + 'a' : name[i];
	buf[i] = '\0';
	return buf;
}

/* What went wrong with @what on the VM fd, beyond dev_error()'s cases. */
int vm_error(const char *what, int err)
{
	switch (err) {
	case ENOPKG:
		print_error("%s: %s: this part of tvmm.ko is still a lab stub (%s). `dmesg | tail` names the lab and the TODO to fill in.",
			    dev_path(), what, strerror(err));
		return TVMM_EXIT_DEVICE;
	case ENOTTY:
		print_error("%s: %s: the loaded tvmm.ko does not know this ioctl; it is older than this tool. Rebuild both (make module userspace) and reload the module.",
			    dev_path(), what);
		return TVMM_EXIT_API;
	default:
		return dev_error(what, err);
	}
}

/*
 * Read the whole image for @cmd ("run", "emulate"), refusing what a VM
 * of @mem bytes loading it at @load could never hold.
 */
int image_read(const char *cmd, const char *path, unsigned long long mem,
	       unsigned long long load, void **image, size_t *size)
{
	unsigned long long room = mem - load;
	size_t done = 0;
	struct stat st;
	int fd;

	fd = open(path, O_RDONLY | O_CLOEXEC);
	if (fd < 0) {
		print_error("%s: cannot open the guest image %s: %s.%s", cmd, path,
			    strerror(errno), errno == ENOENT ?
			    " Build the example guests with `make -C guests`." : "");
		return TVMM_EXIT_INPUT;
	}
	if (fstat(fd, &st) || !S_ISREG(st.st_mode)) {
		print_error("%s: %s is not a regular file: a guest image is a flat binary (see guests/README.md).",
			    cmd, path);
		close(fd);
		return TVMM_EXIT_INPUT;
	}
	if (st.st_size == 0) {
		print_error("%s: %s is empty: there is no guest code to run.",
			    cmd, path);
		close(fd);
		return TVMM_EXIT_INPUT;
	}
	if ((unsigned long long)st.st_size > room) {
		print_error("%s: %s is %lld bytes, but a guest loaded at 0x%llx in %llu KiB of RAM has room for %llu bytes. Give the VM more RAM with --mem, or shrink the image.",
			    cmd, path, (long long)st.st_size, load, mem >> 10, room);
		close(fd);
		return TVMM_EXIT_INPUT;
	}
	*size = st.st_size;
	*image = malloc(*size);
	if (!*image) {
		close(fd);
		print_error("%s: out of memory for a %zu-byte image", cmd, *size);
		return TVMM_EXIT_FAILURE;
	}
	while (done < *size) {
		ssize_t n = read(fd, (char *)*image + done, *size - done);

		if (n < 0 && errno == EINTR)
			continue;
		if (n <= 0) {
			print_error("%s: reading %s: %s", cmd, path,
				    n ? strerror(errno) : "file shrank while reading");
			close(fd);
			return TVMM_EXIT_INPUT;
		}
		done += n;
	}
	close(fd);
	return TVMM_EXIT_OK;
}

/* Read the whole image, refusing what the VM could never hold. */
int run_read_image(struct run_ctx *ctx)
{
	unsigned long long mem = ctx->config.mem_size ? ctx->config.mem_size :
				 TVMM_GUEST_MEM_DEFAULT;
	unsigned long long load = ctx->config.mode == TVMM_MODE_REAL ?
				  TVMM_GUEST_REAL_LOAD_GPA : TVMM_GUEST_LOAD_GPA;

	return image_read(ctx->prefix ? "consolidate" : "run", ctx->image_path, mem, load,
			  &ctx->image, &ctx->image_size);
}

/* One record to the trace, as a JSON line or as it is; 0 or -1 (I/O). */
static int write_record(struct run_ctx *ctx, const struct tvmm_exit_record *rec)
{
	if (ctx->trace_binary)
		return tracebin_write_record(ctx->trace, rec);
	return jsonl_write_exit(ctx->trace, rec);
}

/*
 * One record to cap->on_record or the trace file, its version and size
 * checked first; 0 or an exit status.
 */
static int use_record(struct run_ctx *ctx, const struct tvmm_exit_record *rec)
{
	if (rec->version != TVMM_EXIT_RECORD_VERSION || rec->size != sizeof(*rec)) {
		print_error("exit record version %u size %u, this tool reads version %d size %zu: rebuild module and tool from one tree.",
			    rec->version, rec->size, TVMM_EXIT_RECORD_VERSION, sizeof(*rec));
		return TVMM_EXIT_API;
	}
	if (ctx->cap) {
		ctx->cap->on_record(ctx->cap->arg, rec);
		ctx->records++;
		return TVMM_EXIT_OK;
	}
	if (write_record(ctx, rec)) {
		print_error("run: writing %s: %s", ctx->trace_path, strerror(errno));
		return TVMM_EXIT_FAILURE;
	}
	ctx->records++;
	return TVMM_EXIT_OK;
}

/* Everything queued now, copied out with read(): a tvmm.ko without mmap(). */
static int drain_read(struct run_ctx *ctx)
{
	static struct tvmm_exit_record recs[DRAIN_BATCH];
	ssize_t n;
	size_t i;
	int status;

	for (;;) {
		n = read(ctx->fd, recs, sizeof(recs));
		if (n < 0 && errno == EINTR)
			continue;
		if (n < 0)
			return vm_error("read (exit records)", errno);
		if (n == 0)
			return TVMM_EXIT_OK;
		if (n % sizeof(recs[0])) {
			print_error("read returned %zd bytes, not a multiple of the %zu-byte exit record: module and tool disagree on the ABI. Rebuild both.",
				    n, sizeof(recs[0]));
			return TVMM_EXIT_API;
		}
		for (i = 0; i < n / sizeof(recs[0]); i++) {
			status = use_record(ctx, &recs[i]);
			if (status)
				return status;
		}
	}
}

/* tracering_drain()'s callback: use_record(), its status kept in ctx. */
static int use_mapped_record(void *arg, const struct tvmm_exit_record *rec)
{
	struct run_ctx *ctx = arg;

	ctx->drain_status = use_record(ctx, rec);
	return ctx->drain_status ? EIO : 0;
}

/*
 * Map the ring at the first drain (the VM is loaded by then). A tvmm.ko
 * without mmap() says ENODEV: read() it is, as before. Any other refusal
 * is a module from another tree. 0 or an exit status.
 */
static int map_ring(struct run_ctx *ctx)
{
	char why[320];

	ctx->ring_tried = true;
	if (!tracering_map(&ctx->ring, ctx->fd, why, sizeof(why)) || errno == ENODEV)
		return TVMM_EXIT_OK;
	print_error("run: %s", why);
	return errno == EPROTO ? TVMM_EXIT_API : TVMM_EXIT_FAILURE;
}

/*
 * Everything queued now to the trace file (or cap->on_record): in place
 * from the mapped ring, each record handed on where the kernel wrote it;
 * 0 or an exit status.
 */
static int drain_records(struct run_ctx *ctx)
{
	int status;

	if (!ctx->trace && !ctx->cap)
		return TVMM_EXIT_OK;
	if (!ctx->ring_tried) {
		status = map_ring(ctx);
		if (status)
			return status;
	}
	if (!ctx->ring.page)
		return drain_read(ctx);
	ctx->drain_status = TVMM_EXIT_OK;
	if (tracering_drain(&ctx->ring, use_mapped_record, ctx) >= 0)
		return TVMM_EXIT_OK;
	if (ctx->drain_status)
		return ctx->drain_status;
	print_error("run: the exit-record ring shows more records waiting than it holds: tvmm.ko breaks the mapping's protocol; rebuild module and tool from one tree.");
	return TVMM_EXIT_API;
}

void run_close_vm(struct run_ctx *ctx)
{
	tracering_unmap(&ctx->ring);
	if (ctx->fd >= 0)
		close(ctx->fd);
	ctx->fd = -1;
}

/* @len bytes to stdout in as few write()s as it takes; an exit status. */
static int write_out(const char *buf, size_t len)
{
	while (len) {
		ssize_t n = write(STDOUT_FILENO, buf, len);

		if (n < 0 && errno == EINTR)
			continue;
		if (n < 0) {
			print_error("run: writing the guest console: %s", strerror(errno));
			return TVMM_EXIT_FAILURE;
		}
		buf += n;
		len -= n;
	}
	return TVMM_EXIT_OK;
}

/*
 * A prefixed console (consolidate.c): bytes collect in ctx->line until a
 * newline (or a full buffer), then "[name] line" goes out in one write(),
 * which Linux never interleaves with another thread's write() to the
 * same terminal, pipe (up to PIPE_BUF bytes) or file.
 */
static int write_console_line(struct run_ctx *ctx, const char *buf, size_t len)
{
	char out[sizeof(ctx->line) + 80];
	int status = TVMM_EXIT_OK;
	size_t i, n;

	for (i = 0; i < len && !status; i++) {
		ctx->line[ctx->line_len++] = buf[i];
		if (buf[i] != '\n' && ctx->line_len < sizeof(ctx->line))
			continue;
		n = snprintf(out, sizeof(out), "[%.64s] ", ctx->prefix);
		memcpy(out + n, ctx->line, ctx->line_len);
		n += ctx->line_len;
		if (out[n - 1] != '\n')
			out[n++] = '\n';
		ctx->line_len = 0;
		status = write_out(out, n);
	}
	return status;
}

int run_console_flush(struct run_ctx *ctx)
{
	if (!ctx->prefix || !ctx->line_len)
		return TVMM_EXIT_OK;
	return write_console_line(ctx, "\n", 1);
}

/* The guest's console bytes, straight to stdout (no stdio buffering). */
static int write_console(struct run_ctx *ctx, const char *buf, size_t len)
{
	struct run_capture *cap = ctx->cap;

	if (ctx->prefix)
		return write_console_line(ctx, buf, len);

	if (cap) {
		if (cap->console_len + len > cap->console_cap) {
			size_t want = 2 * (cap->console_len + len) + 256;
			char *p = realloc(cap->console, want);

			if (!p) {
				print_error("run: out of memory for the guest console");
				return TVMM_EXIT_FAILURE;
			}
			cap->console = p;
			cap->console_cap = want;
		}
		memcpy(cap->console + cap->console_len, buf, len);
		cap->console_len += len;
		return TVMM_EXIT_OK;
	}
	if (len)
		ctx->console_at_bol = buf[len - 1] == '\n';
	return write_out(buf, len);
}

/* "io 4, hlt 1": reasons by count, most first (ties: lower number first). */
void run_format_counts(const struct tvmm_stats *stats, char *out, size_t size)
{
	bool used[TVMM_NR_EXIT_REASONS] = { false };
	size_t len = 0;
	char label[32];
	int i, best;

	out[0] = '\0';
	for (;;) {
		best = -1;
		for (i = 0; i < TVMM_NR_EXIT_REASONS; i++)
			if (!used[i] && stats->count[i] &&
			    (best < 0 || stats->count[i] > stats->count[best]))
				best = i;
		if (best < 0 || len >= size)
			break;
		used[best] = true;
		len += snprintf(out + len, size - len, "%s%s %llu", len ? ", " : "",
				run_reason_label(best, label, sizeof(label)),
				(unsigned long long)stats->count[best]);
	}
}

/* How the VM ended, in a few words: "hlt", "EPT violation at GPA 0x...". */
void run_describe_end(const struct tvmm_run *run, unsigned long long max_exits,
			 char *out, size_t size)
{
	switch (run->end) {
	case TVMM_END_HLT:
		snprintf(out, size, "hlt");
		break;
	case TVMM_END_HYPERCALL:
		snprintf(out, size, "hypercall exit(%u)", run->exit_status);
		break;
	case TVMM_END_TRIPLE_FAULT:
		snprintf(out, size, "triple fault");
		break;
	case TVMM_END_EPT_VIOLATION:
		snprintf(out, size, "EPT violation at GPA 0x%llx",
			 (unsigned long long)run->end_info);
		break;
	case TVMM_END_MAX_EXITS:
		snprintf(out, size, "max exits (%llu) reached", max_exits);
		break;
	case TVMM_END_ENTRY_FAILED:
		snprintf(out, size, "VM entry failed (0x%llx)",
			 (unsigned long long)run->end_info);
		break;
	case TVMM_END_UNHANDLED:
		snprintf(out, size, "unhandled exit %s",
			 vmx_exit_reason_name(run->end_info));
		break;
	case TVMM_END_BAD_IO:
		snprintf(out, size, "refused I/O to port 0x%llx",
			 (unsigned long long)run->end_info);
		break;
	case TVMM_END_INTERNAL:
		snprintf(out, size, "internal error in tvmm");
		break;
	case TVMM_END_TODO:
		snprintf(out, size, "lab %02llu TODO not done",
			 (unsigned long long)run->end_info);
		break;
	case TVMM_END_BAD_MMIO:
		snprintf(out, size, "device access not emulated at GPA 0x%llx",
			 (unsigned long long)run->end_info);
		break;
	default:
		snprintf(out, size, "end reason %u", run->end);
	}
}

/*
 * The one-line summary on stderr:
 *   tvmm: hlt after 5 exits (io 4, hlt 1); exit status 0
 * and, for a VM that died, the module's explanation on the next line.
 */
static void print_summary(struct run_ctx *ctx, const struct tvmm_run *run,
			  const char *how, int status)
{
	struct tvmm_stats stats;
	char counts[1024] = "";
	unsigned long long exits = run ? run->exits : 0;

	memset(&stats, 0, sizeof(stats));
	if (!ioctl(ctx->fd, TVMM_GET_STATS, &stats)) {
		exits = stats.exits;
		run_format_counts(&stats, counts, sizeof(counts));
		if (ctx->trace && stats.records_dropped)
			print_error("warning: %llu exit records were dropped; the trace has gaps in seq.",
				    (unsigned long long)stats.records_dropped);
	}
	if (!ctx->prefix && !ctx->console_at_bol && isatty(STDOUT_FILENO) &&
	    isatty(STDERR_FILENO))
		fputc('\n', stderr);
	run_console_flush(ctx);
	fprintf(stderr, "%s: %s%.64s%s%s after %llu exit%s%s%s%s; exit status %d\n",
		tvmm_prog, ctx->prefix ? "[" : "", ctx->prefix ? ctx->prefix : "",
		ctx->prefix ? "] " : "", how, exits, exits == 1 ? "" : "s",
		*counts ? " (" : "", counts, *counts ? ")" : "", status);
	if (run && run->end != TVMM_END_HLT && run->end != TVMM_END_HYPERCALL &&
	    run->message[0]) {
		char msg[TVMM_MESSAGE_MAX + 1];

		memcpy(msg, run->message, TVMM_MESSAGE_MAX);
		msg[TVMM_MESSAGE_MAX] = '\0';
		if (ctx->prefix)
			print_error("[%.64s] %s", ctx->prefix, msg);
		else
			print_error("%s", msg);
	}
	if (ctx->trace)
		fprintf(stderr, "%s: %llu exit records written to %s\n", tvmm_prog,
			ctx->records, ctx->trace_path);
	if (ctx->usage)
		bill_report(ctx);
}

/* Configure and load the VM on ctx->fd; 0 or an exit status. */
int run_build(struct run_ctx *ctx)
{
	struct tvmm_image image = {
		.addr = (unsigned long)ctx->image,
		.size = ctx->image_size,
	};
	if (ioctl(ctx->fd, TVMM_SET_CONFIG, &ctx->config) < 0) {
		if (errno == EOPNOTSUPP && (ctx->config.mode == TVMM_MODE_DEPRIVILEGED ||
					    ctx->config.mode == TVMM_MODE_PARAVIRT ||
					    ctx->config.mode == TVMM_MODE_PATCH)) {
			print_error("run: mode '%s' is not available in this tvmm.ko yet: it comes with the de-privileging labs (06-08). Use --mode hw or --mode real.",
				    tvmm_mode_name(ctx->config.mode));
			return TVMM_EXIT_USAGE;
		}
		if (errno == EOPNOTSUPP) {
			print_error("run: this tvmm.ko has no virtual timer yet (it comes with lab 07): run without --timer.");
			return TVMM_EXIT_USAGE;
		}
		if (errno == EINVAL) {
			print_error("run: tvmm.ko refused the configuration (mode %s, %llu KiB of RAM, max exits %llu): %s. `dmesg | tail` says which field.",
				    tvmm_mode_name(ctx->config.mode),
				    (unsigned long long)(ctx->config.mem_size ?
				    ctx->config.mem_size : TVMM_GUEST_MEM_DEFAULT) >> 10,
				    (unsigned long long)ctx->config.max_exits,
				    strerror(errno));
			return TVMM_EXIT_USAGE;
		}
		return vm_error("TVMM_SET_CONFIG", errno);
	}
	if (ioctl(ctx->fd, TVMM_LOAD_IMAGE, &image) < 0) {
		if (errno == EFBIG || errno == EINVAL) {
			print_error("run: tvmm.ko refused the image %s (%zu bytes): %s.",
				    ctx->image_path, ctx->image_size, strerror(errno));
			return TVMM_EXIT_INPUT;
		}
		return vm_error("TVMM_LOAD_IMAGE", errno);
	}
	return TVMM_EXIT_OK;
}

/* Configure, load and run the VM on ctx->fd until it ends. */
int run_vm(struct run_ctx *ctx)
{
	int status = run_build(ctx);

	return status ? status : run_loop(ctx);
}

void run_print_stopped(struct run_ctx *ctx, const char *how)
{
	print_summary(ctx, NULL, how, TVMM_EXIT_OK);
}

/* The VM paused at --snapshot-at, or SIGUSR1 came: save it and stop. */
static int run_save(struct run_ctx *ctx)
{
	char how[96];
	int status = drain_records(ctx);

	if (!status)
		status = snapshot_save(ctx);
	if (status)
		return status;
	snprintf(how, sizeof(how), "saved to %s", ctx->snapshot_path);
	print_summary(ctx, NULL, how, TVMM_EXIT_OK);
	fprintf(stderr, "%s: `tvmm restore %s` continues it\n", tvmm_prog, ctx->snapshot_path);
	return TVMM_EXIT_OK;
}

int run_output(struct run_ctx *ctx, const struct tvmm_run *run)
{
	switch (run->state) {
	case TVMM_RUN_CONSOLE:
	case TVMM_RUN_TRACE_FULL:	/* a line not yet complete may come with it */
	case TVMM_RUN_ENDED:		/* the last bytes may come with the end */
		break;
	default:
		print_error("TVMM_RUN returned state %u, which this tool does not know: rebuild module and tool from one tree.",
			    run->state);
		return TVMM_EXIT_API;
	}
	return write_console(ctx, run->console, run->console_len < TVMM_CONSOLE_MAX ?
			     run->console_len : TVMM_CONSOLE_MAX) ?: drain_records(ctx);
}

int run_ended(struct run_ctx *ctx, const struct tvmm_run *run)
{
	int status = run_exit_status(run->end, run->exit_status);
	char how[96];

	run_describe_end(run, ctx->config.max_exits, how, sizeof(how));
	if (ctx->cap) {
		ctx->cap->ended = true;
		ctx->cap->end = run->end;
		ctx->cap->guest_status = run->exit_status;
		ctx->cap->status = status;
		snprintf(ctx->cap->how, sizeof(ctx->cap->how), "%s", how);
		memset(&ctx->cap->stats, 0, sizeof(ctx->cap->stats));
		ioctl(ctx->fd, TVMM_GET_STATS, &ctx->cap->stats);
		return TVMM_EXIT_OK;
	}
	print_summary(ctx, run, how, status);
	migrate_report(ctx);
	return status;
}

int run_loop(struct run_ctx *ctx)
{
	/* One pause: --snapshot-at or --migrate-at (cmd_run allows only one). */
	unsigned long long pause = ctx->snapshot_at ? ctx->snapshot_at : ctx->migrate_at;
	struct tvmm_run run;
	char how[96];
	int status;

	if (pause && ioctl(ctx->fd, TVMM_PAUSE_AT, &pause) < 0) {
		if (errno == EINVAL) {
			print_error("run: --%s-at %llu: the VM has made that many exits already; give a later point.",
				    ctx->snapshot_at ? "snapshot" : "migrate", pause);
			return TVMM_EXIT_USAGE;
		}
		return vm_error("TVMM_PAUSE_AT", errno);
	}
	catch_signals(ctx->snapshot_path);
	for (;;) {
		if (run_signal)
			goto interrupted;
		memset(&run, 0, sizeof(run));
		if (ioctl(ctx->fd, TVMM_RUN, &run) < 0) {
			if (errno == EINTR)
				continue;	/* run_signal says whether to stop */
			return vm_error("TVMM_RUN", errno);
		}
		status = run_output(ctx, &run);
		if (status || run.state == TVMM_RUN_ENDED)
			return status ? status : run_ended(ctx, &run);
		/* The pause of --snapshot-at (either state): exactly that many exits done. */
		if (ctx->snapshot_at && run.exits >= ctx->snapshot_at)
			return run_save(ctx);
		if (ctx->migrate_at && !ctx->migrated && run.exits >= ctx->migrate_at) {
			status = migrate_now(ctx, run.exits);
			if (status)
				return status;
		}
	}

interrupted:
	if (run_signal == SIGUSR1)
		return run_save(ctx);
	status = drain_records(ctx);
	if (status)
		return status;
	snprintf(how, sizeof(how), "interrupted by %s",
		 run_signal == SIGINT ? "SIGINT" : "SIGTERM");
	if (ctx->cap)
		return TVMM_EXIT_SIGNAL;
	print_summary(ctx, NULL, how, TVMM_EXIT_SIGNAL);
	return TVMM_EXIT_SIGNAL;
}

/*
 * `tvmm run` without its front end, for `tvmm compare`: load @image_path,
 * run it in @mode with the default RAM and timer, and hand every exit
 * record to cap->on_record as it is drained; the console is collected in
 * cap->console. Nothing is printed but errors. Return: 0 once the VM
 * ended (however it ended: see cap->end), else an exit status.
 */
int run_capture(const char *image_path, unsigned int mode, struct run_capture *cap)
{
	struct run_ctx ctx;
	int status;

	memset(&ctx, 0, sizeof(ctx));
	ctx.fd = -1;
	ctx.console_at_bol = true;
	ctx.image_path = image_path;
	ctx.config.mode = mode;
	ctx.config.flags |= TVMM_CONFIG_TRACE;
	ctx.cap = cap;
	cap->ended = false;
	status = run_read_image(&ctx);
	if (!status)
		status = dev_open(&ctx.fd);
	if (!status)
		status = run_vm(&ctx);
	run_close_vm(&ctx);	/* destroys the VM */
	free(ctx.image);
	return status;
}

int run_output_option(struct run_ctx *ctx, const char *cmd, int opt, const char *arg)
{
	switch (opt) {
	case 'T':
		ctx->trace_path = arg;
		return TVMM_EXIT_OK;
	case 'F':
		if (strcmp(arg, "jsonl") && strcmp(arg, "binary")) {
			print_error("%s: --trace-format %s: give jsonl (the default) or binary.",
				    cmd, arg);
			return TVMM_EXIT_USAGE;
		}
		ctx->trace_binary = !strcmp(arg, "binary");
		return TVMM_EXIT_OK;
	case 'S':
		ctx->snapshot_path = arg;
		return TVMM_EXIT_OK;
	default:
		if (parse_count(arg, &ctx->snapshot_at) || !ctx->snapshot_at) {
			print_error("%s: --snapshot-at %s: give a number of exits, 1 or more.",
				    cmd, arg);
			return TVMM_EXIT_USAGE;
		}
		return TVMM_EXIT_OK;
	}
}

int run_output_options_check(const struct run_ctx *ctx, const char *cmd)
{
	if (ctx->trace_binary && !ctx->trace_path) {
		print_error("%s: --trace-format binary needs --trace FILE.", cmd);
		return TVMM_EXIT_USAGE;
	}
	if (ctx->snapshot_at && !ctx->snapshot_path) {
		print_error("%s: --snapshot-at needs --snapshot FILE, where to save the VM.", cmd);
		return TVMM_EXIT_USAGE;
	}
	return TVMM_EXIT_OK;
}

int run_open_trace(struct run_ctx *ctx)
{
	if (!ctx->trace_path)
		return TVMM_EXIT_OK;
	ctx->trace = fopen(ctx->trace_path, "w");
	if (!ctx->trace) {
		print_error("cannot create the trace file %s: %s", ctx->trace_path,
			    strerror(errno));
		return TVMM_EXIT_INPUT;
	}
	if (ctx->trace_binary && tracebin_write_header(ctx->trace)) {
		print_error("writing %s: %s", ctx->trace_path, strerror(errno));
		return TVMM_EXIT_FAILURE;
	}
	return TVMM_EXIT_OK;
}

int run_close_trace(struct run_ctx *ctx)
{
	int status = TVMM_EXIT_OK;

	if (ctx->trace && fclose(ctx->trace)) {
		print_error("writing %s: %s", ctx->trace_path, strerror(errno));
		status = TVMM_EXIT_FAILURE;
	}
	ctx->trace = NULL;
	return status;
}

/* --mem SIZE of `tvmm run` and `tvmm emulate`: 0, or -1 after saying why. */
int parse_mem_option(const char *cmd, const char *arg, unsigned long long *bytes)
{
	if (parse_size(arg, bytes) || *bytes % 4096 ||
	    *bytes < TVMM_GUEST_MEM_MIN || *bytes > TVMM_GUEST_MEM_MAX) {
		print_error("%s: --mem %s: give a multiple of 4K from %lluK to %lluM, e.g. 2M.",
			    cmd, arg, TVMM_GUEST_MEM_MIN >> 10, TVMM_GUEST_MEM_MAX >> 20);
		return -1;
	}
	return 0;
}

/*
 * --timer TICKS: the period as struct tvmm_config.timer_ticks takes it
 * (TVMM_TIMER_OFF for 0: the ABI's 0 means "default"); 0, or -1 after
 * saying why.
 */
int parse_timer_option(const char *cmd, const char *arg, unsigned long long *ticks)
{
	unsigned long long v;

	if (parse_count(arg, &v) || v == TVMM_TIMER_OFF) {
		print_error("%s: --timer %s: give a number of TSC ticks (0 = off; default %llu).",
			    cmd, arg, TVMM_TIMER_DEFAULT);
		return -1;
	}
	if (v && (v < TVMM_TIMER_MIN || v > TVMM_TIMER_MAX)) {
		print_error("%s: --timer %s: the period must be %llu to %llu TSC ticks (0 = off); the module refuses others (EINVAL).",
			    cmd, arg, TVMM_TIMER_MIN, TVMM_TIMER_MAX);
		return -1;
	}
	*ticks = v ? v : TVMM_TIMER_OFF;
	return 0;
}

int run_config_option(struct tvmm_config *config, const char *cmd, int opt, const char *arg)
{
	unsigned long long v;
	int mode;

	switch (opt) {
	case 'm':
		mode = tvmm_mode_from_name(arg);
		if (!strcmp(arg, "scan-and-patch"))
			mode = TVMM_MODE_PATCH;
		if (mode < 0) {
			print_error("%s: unknown mode '%s': use hw, real, deprivileged, paravirt or patch.",
				    cmd, arg);
			return TVMM_EXIT_USAGE;
		}
		config->mode = mode;
		return TVMM_EXIT_OK;
	case 'M':
		if (parse_mem_option(cmd, arg, &v))
			return TVMM_EXIT_USAGE;
		config->mem_size = v;
		return TVMM_EXIT_OK;
	case 't':
		if (parse_timer_option(cmd, arg, &v))
			return TVMM_EXIT_USAGE;
		config->timer_ticks = v;
		return TVMM_EXIT_OK;
	default:
		if (parse_count(arg, &v)) {
			print_error("%s: --max-exits %s: give a number (0 = no limit).", cmd, arg);
			return TVMM_EXIT_USAGE;
		}
		config->max_exits = v;
		return TVMM_EXIT_OK;
	}
}

static void run_usage(FILE *out)
{
	fprintf(out,
		"usage: %s run [--mode hw|real|deprivileged|paravirt|patch] [--mem SIZE]\n"
		"                [--timer TICKS] [--trace FILE.jsonl] [--trace-format jsonl|binary]\n"
		"                [--max-exits N] [--snapshot FILE [--snapshot-at N]]\n"
		"                [--cpu A] [--migrate-to B --migrate-at N] [--usage] IMAGE\n"
		"       %s run [--mode M] [--mem SIZE] [--timer TICKS] [--max-exits N]\n"
		"                [--cpu A] IMAGE IMAGE...     (as `tvmm consolidate --cpus A`)\n"
		"  Run the flat guest IMAGE (loaded at 0x10000; 0x7c00 in real mode) until\n"
		"  it ends. Its console (port 0xE9) goes to stdout, a summary to stderr.\n"
		"  --mode MODE       hw (default): ring 0, protected mode, VT-x;\n"
		"                    real: 16-bit real mode at 0x7c00;\n"
		"                    deprivileged: guest kernel at ring 1, trap-and-emulate;\n"
		"                    paravirt: ring 0, the guest uses VMCALL hypercalls;\n"
		"                    patch (or scan-and-patch): deprivileged, plus each code\n"
		"                    page scanned before it runs and its sensitive-but-\n"
		"                    unprivileged instructions patched to INT3 and emulated\n"
		"  --mem SIZE        guest RAM, e.g. 2M (default), 1M..64M, K/M suffixes\n"
		"  --timer TICKS     virtual timer (vector 0x20) every TICKS guest TSC ticks,\n"
		"                    once the guest loads an IDT; default 1000000, 0 = off,\n"
		"                    else 1000 to 2^40\n"
		"  --trace FILE      write every exit as one JSON line (see tvmm.1)\n"
		"  --trace-format binary\n"
		"                    write the records as they are, after a small header:\n"
		"                    smaller and faster for stats and dot (default: jsonl)\n"
		"  --max-exits N     end the VM after N exits (0: no limit)\n"
		"  --snapshot FILE   on SIGUSR1, or after --snapshot-at N exits, save the\n"
		"                    whole VM to FILE and stop; `tvmm restore FILE` goes on\n"
		"  --cpu A           run the VM on CPU A only\n"
		"  --migrate-to B --migrate-at N\n"
		"                    after N exits, move the running VM to CPU B\n"
		"  --usage           after the summary, the VM's bill: guest, tvmm and host\n"
		"                    ticks, exits, RAM-seconds (\"tvmm: usage [NAME] ...\")\n"
		"  -h, --help\n"
		"  Exit status: 0 hlt; the guest's status for a hypercall exit; 110-117\n"
		"  when the VM dies (triple fault, EPT violation, ...); 130 on Ctrl-C.\n",
		tvmm_prog, tvmm_prog);
}

int cmd_run(int argc, char **argv)
{
	static const struct option opts[] = {
		{ "mode", required_argument, NULL, 'm' },
		{ "mem", required_argument, NULL, 'M' },
		{ "timer", required_argument, NULL, 't' },
		{ "trace", required_argument, NULL, 'T' },
		{ "trace-format", required_argument, NULL, 'F' },
		{ "max-exits", required_argument, NULL, 'x' },
		{ "snapshot", required_argument, NULL, 'S' },
		{ "snapshot-at", required_argument, NULL, 'A' },
		{ "cpu", required_argument, NULL, 'C' },
		{ "migrate-to", required_argument, NULL, 'G' },
		{ "migrate-at", required_argument, NULL, 'N' },
		{ "usage", no_argument, NULL, 'U' },
		{ "help", no_argument, NULL, 'h' },
		{ NULL, 0, NULL, 0 }
	};
	struct run_ctx ctx;
	unsigned long long v;
	int c, status;

	memset(&ctx, 0, sizeof(ctx));
	ctx.fd = -1;
	ctx.cpu = ctx.migrate_to = -1;
	ctx.console_at_bol = true;
	optind = 1;
	while ((c = getopt_long(argc, argv, "h", opts, NULL)) != -1) {
		switch (c) {
		case 'm':
		case 'M':
		case 't':
		case 'x':
			status = run_config_option(&ctx.config, "run", c, optarg);
			if (status)
				return status;
			break;
		case 'T':
		case 'F':
		case 'S':
		case 'A':
			status = run_output_option(&ctx, "run", c, optarg);
			if (status)
				return status;
			break;
		case 'C':
		case 'G':
			if (parse_count(optarg, &v) || v > 4095) {
				print_error("run: --%s %s: give a CPU number (0, 1, ...).",
					    c == 'C' ? "cpu" : "migrate-to", optarg);
				return TVMM_EXIT_USAGE;
			}
			*(c == 'C' ? &ctx.cpu : &ctx.migrate_to) = (int)v;
			break;
		case 'N':
			if (parse_count(optarg, &v) || !v) {
				print_error("run: --migrate-at %s: give a number of exits, 1 or more.",
					    optarg);
				return TVMM_EXIT_USAGE;
			}
			ctx.migrate_at = v;
			break;
		case 'U':
			ctx.usage = true;
			break;
		case 'h':
			run_usage(stdout);
			return TVMM_EXIT_OK;
		default:
			run_usage(stderr);
			return TVMM_EXIT_USAGE;
		}
	}
	if (argc == optind) {
		print_error("run: which guest? Give one IMAGE, e.g. guests/hello.bin");
		run_usage(stderr);
		return TVMM_EXIT_USAGE;
	}
	if (argc - optind > 1) {
		char cpu[16];

		/* Several images: a VM each, side by side (consolidate.c). */
		if (ctx.trace_path || ctx.snapshot_path || ctx.migrate_to >= 0) {
			print_error("run: with several IMAGEs, --trace, --snapshot and --migrate-to are not available: run the images one at a time for those.");
			return TVMM_EXIT_USAGE;
		}
		snprintf(cpu, sizeof(cpu), "%d", ctx.cpu);
		return consolidate_images(&ctx, ctx.cpu >= 0 ? cpu : NULL, argc - optind,
					  argv + optind);
	}
	ctx.image_path = argv[optind];
	ctx.name = strrchr(ctx.image_path, '/') ? strrchr(ctx.image_path, '/') + 1 :
		   ctx.image_path;
	status = run_output_options_check(&ctx, "run");
	if (status)
		return status;
	if ((ctx.migrate_at != 0) != (ctx.migrate_to >= 0) || (ctx.migrate_at && ctx.snapshot_at)) {
		print_error("run: --migrate-to CPU and --migrate-at N go together, and not with --snapshot-at.");
		return TVMM_EXIT_USAGE;
	}
	if (ctx.cpu >= 0) {
		status = migrate_pin(ctx.cpu);
		if (status)
			return status;
	}
	if (ctx.snapshot_path && ctx.config.mode == TVMM_MODE_REAL) {
		print_error("run: --snapshot: real-mode guests cannot be saved (tvmm saves protected-mode state only).");
		return TVMM_EXIT_USAGE;
	}

	/* Check the input first: it needs no module and no VT-x. */
	status = run_read_image(&ctx);
	if (status)
		goto out;
	status = dev_open(&ctx.fd);
	if (status)
		goto out;
	status = run_open_trace(&ctx);
	if (status)
		goto out;
	if (ctx.trace)
		ctx.config.flags |= TVMM_CONFIG_TRACE;

	status = run_vm(&ctx);

	if (run_close_trace(&ctx) && !status)
		status = TVMM_EXIT_FAILURE;
out:
	if (ctx.trace)
		fclose(ctx.trace);
	run_close_vm(&ctx);	/* destroys the VM */
	free(ctx.image);
	return status;
}
