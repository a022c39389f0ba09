// SPDX-License-Identifier: GPL-2.0
/*
 * emulate.c - `tvmm emulate IMAGE`: the guest run by a software CPU in
 * this process, with no VT-x and no module.
 *
 * Concept: the notes' first technique, "a VM is an emulation of a real
 * machine", and the baseline the other three beat. The same guest image
 * as `tvmm run`, the same console, the same exit statuses and a trace in
 * the same format (one record wherever tvmm.ko would have had a VM exit),
 * so the two can be compared line by line; the difference is in the
 * summary: every instruction was interpreted (emu/cpu.c), where VT-x ran
 * all but the exits natively. `tvmm compare` puts the two side by side
 * and measures the cost.
 *
 * The CPU is userspace/emu/ (emu.h lists its files); this file is the
 * machine around it: RAM, the image at 0x10000, the console, the trace
 * file, the summary.
 * Context: userspace, any user, any x86 or non-x86 host.
 */
#include <errno.h>
#include <getopt.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include "cli.h"
#include "jsonl.h"
#include "tracefile.h"
#include "emu/emu.h"

#ifndef TVMM_TIMER_DEFAULT
#define TVMM_TIMER_DEFAULT	1000000ULL
#endif

struct emulate_ctx {
	struct emu_host host;		/* first: the CPU's callbacks get it */
	FILE *trace;
	bool trace_binary;
	bool trace_error;
	unsigned long long records;
	struct run_capture *cap;	/* emulate_capture(): console and records here */
	bool console_error;
	bool console_at_bol;
};

static void on_console(struct emu_host *h, __u8 byte)
{
	struct emulate_ctx *ctx = (struct emulate_ctx *)h;
	struct run_capture *cap = ctx->cap;

	if (cap) {
		if (cap->console_len == cap->console_cap) {
			size_t want = 2 * cap->console_cap + 256;
			char *p = realloc(cap->console, want);

			if (!p) {
				ctx->console_error = true;
				return;
			}
			cap->console = p;
			cap->console_cap = want;
		}
		cap->console[cap->console_len++] = byte;
		return;
	}
	/* stdio buffers it; a guest's console is many one-byte OUTs. */
	if (putchar(byte) == EOF)
		ctx->console_error = true;
	ctx->console_at_bol = byte == '\n';
}

static void on_record(struct emu_host *h, const struct tvmm_exit_record *rec)
{
	struct emulate_ctx *ctx = (struct emulate_ctx *)h;
	int err;

	if (ctx->cap && ctx->cap->on_record)
		ctx->cap->on_record(ctx->cap->arg, rec);
	if (!ctx->trace || ctx->trace_error)
		return;
	err = ctx->trace_binary ? tracebin_write_record(ctx->trace, rec) :
				  jsonl_write_exit(ctx->trace, rec);
	if (err)
		ctx->trace_error = true;
	else
		ctx->records++;
}

/* How the run ended, in the words of `tvmm run`'s summary. */
static void describe(const struct emu_cpu *c, char *out, size_t size)
{
	struct tvmm_run run;

	if (c->end == EMU_END_UNKNOWN_INSN) {
		snprintf(out, size, "outside the emulated subset at 0x%llx",
			 (unsigned long long)c->end_info);
		return;
	}
	if (c->end == TVMM_END_MAX_EXITS) {
		snprintf(out, size, "max instructions (%llu) reached",
			 (unsigned long long)c->insns);
		return;
	}
	memset(&run, 0, sizeof(run));
	run.end = c->end;
	run.end_info = c->end_info;
	run.exit_status = c->guest_status;
	run_describe_end(&run, 0, out, size);
}

static int end_status(const struct emu_cpu *c)
{
	if (c->end == EMU_END_UNKNOWN_INSN)
		return TVMM_EXIT_EMU_SUBSET;
	return run_exit_status(c->end, c->guest_status);
}

/* The events the run counted, as struct tvmm_stats (for the summary). */
static void events_as_stats(const struct emu_cpu *c, struct tvmm_stats *st)
{
	unsigned int i;

	memset(st, 0, sizeof(*st));
	for (i = 0; i < TVMM_NR_EXIT_REASONS && i < sizeof(c->events) / sizeof(c->events[0]); i++) {
		st->count[i] = c->events[i];
		st->exits += c->events[i];
	}
}

static double now(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return ts.tv_sec + ts.tv_nsec / 1e9;
}

/*
 * Load @image at TVMM_GUEST_LOAD_GPA in @mem bytes of zeroed RAM and run
 * it to its end on a new CPU, which the caller frees (c->ram).
 */
static int emulate_image(const char *cmd, const char *path, unsigned long long mem,
			 unsigned long long timer, unsigned long long max_insns,
			 struct emulate_ctx *ctx, struct emu_cpu *c, double *seconds)
{
	void *image = NULL;
	size_t size = 0;
	__u8 *ram;
	double t0;
	int status;

	status = image_read(cmd, path, mem, TVMM_GUEST_LOAD_GPA, &image, &size);
	if (status)
		return status;
	ram = calloc(1, mem);
	if (!ram) {
		print_error("%s: out of memory for %llu KiB of guest RAM", cmd, mem >> 10);
		free(image);
		return TVMM_EXIT_FAILURE;
	}
	memcpy(ram + TVMM_GUEST_LOAD_GPA, image, size);
	free(image);
	emu_reset(c, ram, mem, timer == TVMM_TIMER_OFF ? 0 : timer ? timer : TVMM_TIMER_DEFAULT);
	c->host = &ctx->host;
	ctx->host.console = on_console;
	ctx->host.record = on_record;
	t0 = now();
	emu_run(c, max_insns);
	*seconds = now() - t0;
	if (ctx->console_error) {
		print_error("%s: writing the guest console: %s", cmd, strerror(errno));
		return TVMM_EXIT_FAILURE;
	}
	return TVMM_EXIT_OK;
}

int emulate_capture(const char *image_path, struct run_capture *cap,
		    unsigned long long *insns, double *seconds)
{
	struct emulate_ctx ctx;
	struct emu_cpu *c = malloc(sizeof(*c));
	int status;

	if (!c)
		return TVMM_EXIT_FAILURE;
	memset(&ctx, 0, sizeof(ctx));
	ctx.cap = cap;
	cap->ended = false;
	status = emulate_image("emulate", image_path, TVMM_GUEST_MEM_DEFAULT, 0, 0, &ctx, c,
			       seconds);
	if (!status) {
		cap->ended = true;
		cap->end = c->end;
		cap->guest_status = c->guest_status;
		cap->status = end_status(c);
		describe(c, cap->how, sizeof(cap->how));
		events_as_stats(c, &cap->stats);
		*insns = c->insns;
	}
	free(c->ram);
	free(c);
	return status;
}

static void emulate_usage(FILE *out)
{
	fprintf(out,
		"usage: %s emulate [--mem SIZE] [--timer TICKS] [--trace FILE]\n"
		"                    [--trace-format jsonl|binary] [--max-insns N] IMAGE\n"
		"  Run the flat guest IMAGE (loaded at 0x10000) on a software CPU: every\n"
		"  instruction fetched, decoded and executed by this process, no VT-x, no\n"
		"  module, any user. Console (port 0xE9) on stdout, a summary on stderr,\n"
		"  the exit statuses of `tvmm run`. The guest's TSC counts instructions.\n"
		"  --mem SIZE        guest RAM, e.g. 2M (default), 1M..64M\n"
		"  --timer TICKS     virtual timer (vector 0x20) every TICKS instructions\n"
		"                    once the guest loads an IDT; default 1000000, 0 = off\n"
		"  --trace FILE      one record per event tvmm.ko would have trapped, in\n"
		"                    the format of `tvmm run --trace` (stats, dot read it)\n"
		"  --trace-format binary   the records as they are, after a header\n"
		"  --max-insns N     stop after N instructions (status 112; 0: no limit)\n"
		"  -h, --help\n"
		"  Exit status: as `tvmm run`; 120 for an instruction outside the emulated\n"
		"  subset (its bytes and address are printed).\n",
		tvmm_prog);
}

int cmd_emulate(int argc, char **argv)
{
	static const struct option opts[] = {
		{ "mem", required_argument, NULL, 'M' },
		{ "timer", required_argument, NULL, 't' },
		{ "trace", required_argument, NULL, 'T' },
		{ "trace-format", required_argument, NULL, 'F' },
		{ "max-insns", required_argument, NULL, 'x' },
		{ "help", no_argument, NULL, 'h' },
		{ NULL, 0, NULL, 0 }
	};
	unsigned long long mem = TVMM_GUEST_MEM_DEFAULT, timer = 0, max_insns = 0;
	const char *trace_path = NULL;
	struct emulate_ctx ctx;
	struct tvmm_stats stats;
	struct emu_cpu *c;
	char how[128], counts[1024];
	double seconds = 0;
	int opt, status;

	memset(&ctx, 0, sizeof(ctx));
	ctx.console_at_bol = true;
	optind = 1;
	while ((opt = getopt_long(argc, argv, "h", opts, NULL)) != -1) {
		switch (opt) {
		case 'M':
			if (parse_mem_option("emulate", optarg, &mem))
				return TVMM_EXIT_USAGE;
			break;
		case 't':
			if (parse_timer_option("emulate", optarg, &timer))
				return TVMM_EXIT_USAGE;
			break;
		case 'T':
			trace_path = optarg;
			break;
		case 'F':
			if (strcmp(optarg, "jsonl") && strcmp(optarg, "binary")) {
				print_error("emulate: --trace-format %s: give jsonl (the default) or binary.",
					    optarg);
				return TVMM_EXIT_USAGE;
			}
			ctx.trace_binary = !strcmp(optarg, "binary");
			break;
		case 'x':
			if (parse_count(optarg, &max_insns)) {
				print_error("emulate: --max-insns %s: give a number (0 = no limit).",
					    optarg);
				return TVMM_EXIT_USAGE;
			}
			break;
		case 'h':
			emulate_usage(stdout);
			return TVMM_EXIT_OK;
		default:
			emulate_usage(stderr);
			return TVMM_EXIT_USAGE;
		}
	}
	if (argc - optind != 1) {
		print_error("emulate: %s", optind == argc ?
			    "which guest? Give one IMAGE, e.g. guests/hello.bin" :
			    "one IMAGE at a time");
		emulate_usage(stderr);
		return TVMM_EXIT_USAGE;
	}
	if (ctx.trace_binary && !trace_path) {
		print_error("emulate: --trace-format binary needs --trace FILE.");
		return TVMM_EXIT_USAGE;
	}
	if (trace_path) {
		ctx.trace = fopen(trace_path, "w");
		if (!ctx.trace) {
			print_error("emulate: cannot create the trace file %s: %s", trace_path,
				    strerror(errno));
			return TVMM_EXIT_INPUT;
		}
		if (ctx.trace_binary && tracebin_write_header(ctx.trace)) {
			print_error("emulate: writing %s: %s", trace_path, strerror(errno));
			fclose(ctx.trace);
			return TVMM_EXIT_FAILURE;
		}
	}
	c = malloc(sizeof(*c));
	if (!c) {
		print_error("emulate: out of memory");
		return TVMM_EXIT_FAILURE;
	}
	c->ram = NULL;
	status = emulate_image("emulate", argv[optind], mem, timer, max_insns, &ctx, c, &seconds);
	if (fflush(stdout) && !status) {
		print_error("emulate: writing the guest console: %s", strerror(errno));
		status = TVMM_EXIT_FAILURE;
	}
	if (ctx.trace && (fclose(ctx.trace) || ctx.trace_error) && !status) {
		print_error("emulate: writing %s: %s", trace_path, strerror(errno));
		status = TVMM_EXIT_FAILURE;
	}
	if (status)
		goto out;
	status = end_status(c);
	describe(c, how, sizeof(how));
	events_as_stats(c, &stats);
	run_format_counts(&stats, counts, sizeof(counts));
	if (!ctx.console_at_bol && isatty(STDOUT_FILENO) && isatty(STDERR_FILENO))
		fputc('\n', stderr);
	fprintf(stderr, "%s: %s after %llu instructions interpreted (%.1f ns each on this host), %llu events a VMM would trap%s%s%s; exit status %d\n",
		tvmm_prog, how, (unsigned long long)c->insns,
		c->insns ? seconds * 1e9 / c->insns : 0.0, (unsigned long long)stats.exits,
		*counts ? " (" : "", counts, *counts ? ")" : "", status);
	if (c->end != TVMM_END_HLT && c->end != TVMM_END_HYPERCALL)
		print_error("%s", c->message);
	if (trace_path)
		fprintf(stderr, "%s: %llu event records written to %s\n", tvmm_prog,
			ctx.records, trace_path);
out:
	free(c->ram);
	free(c);
	return status;
}
