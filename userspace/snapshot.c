// SPDX-License-Identifier: GPL-2.0
/*
 * snapshot.c - `tvmm run --snapshot FILE` saves a VM; `tvmm restore FILE`
 * continues it in a new one.
 *
 * Concept: the management side of a VMM ("create, configure, monitor,
 * migrate"). A saved VM is its RAM plus the state of its virtual CPU; a
 * VMM that can write both to a file can stop a VM and start it again
 * later, on another CPU, in another boot of the host or on another host,
 * and the guest cannot tell: the notes' migration between servers, with
 * a file instead of a network. Saving needs the VM stopped between two
 * exits: TVMM_PAUSE_AT makes TVMM_RUN return after exactly N exits, and a
 * signal (SIGUSR1) makes it return at once; TVMM_GET_STATE then copies
 * the state out. Restoring is TVMM_SET_STATE on a fresh VM, then the same
 * run loop as `tvmm run` (run.c).
 * Context: userspace, root (opens /dev/tvmm).
 */
#include <errno.h>
#include <getopt.h>
#include <x86intrin.h>
#include <stdlib.h>
#include <string.h>
#include <sys/ioctl.h>
#include <unistd.h>

#include <tvmm/exit_names.h>

#include "livestream.h"
#include "run.h"
#include "snapfile.h"

int snapshot_save(struct run_ctx *ctx)
{
	unsigned long long mem = ctx->config.mem_size ? ctx->config.mem_size :
				 TVMM_GUEST_MEM_DEFAULT;
	struct snapshot *snap = calloc(1, sizeof(*snap));
	int status = TVMM_EXIT_FAILURE;

	if (!snap || !(snap->ram = malloc(mem))) {
		print_error("snapshot: out of memory for %llu bytes of guest RAM", mem);
		goto out;
	}
	snap->state.version = TVMM_STATE_VERSION;
	snap->state.size = sizeof(snap->state);
	snap->state.ram_addr = (unsigned long)snap->ram;
	if (ioctl(ctx->fd, TVMM_GET_STATE, &snap->state) < 0) {
		switch (errno) {
		case EAGAIN:
			print_error("snapshot: the VM has not run yet: nothing to save.");
			break;
		case ESRCH:
			print_error("snapshot: the VM has ended: nothing to save.");
			break;
		case EOPNOTSUPP:
			print_error("snapshot: the guest is in real mode (CR0.PE clear): tvmm saves protected-mode guests only.");
			break;
		default:
			status = vm_error("TVMM_GET_STATE", errno);
		}
		goto out;
	}
	snap_set_name(snap->hdr.name, ctx->name);
	if (!snap_write(ctx->snapshot_path, snap))
		status = TVMM_EXIT_OK;
out:
	if (snap)
		free(snap->ram);
	free(snap);
	return status;
}

/* TVMM_SET_STATE refused: say why, in the module's words. */
static int restore_refused(const char *path, struct tvmm_vm_state *state, int err)
{
	char why[TVMM_MESSAGE_MAX + 1];

	if (err == EBUSY || err == EINVAL) {
		memcpy(why, state->error, TVMM_MESSAGE_MAX);
		why[TVMM_MESSAGE_MAX] = '\0';
		print_error("restore: tvmm.ko refused the state in %s: %s. The file is well formed but describes a VM tvmm could not have made; nothing was restored.",
			    path, why[0] ? why : strerror(err));
		return TVMM_EXIT_INPUT;
	}
	if (err == EOPNOTSUPP) {
		print_error("restore: this tvmm.ko lacks mode %s (its lab, 06-08, is not built in).",
			    tvmm_mode_name(state->config.mode));
		return TVMM_EXIT_USAGE;
	}
	return vm_error("TVMM_SET_STATE", err);
}

static void restore_usage(FILE *out)
{
	fprintf(out,
		"usage: %s restore [--trace FILE] [--trace-format jsonl|binary]\n"
		"                    [--snapshot FILE [--snapshot-at N]] SNAPSHOT\n"
		"       %s restore --incoming SPEC [options]\n"
		"  Continue the VM that `tvmm run --snapshot` saved in SNAPSHOT, in a new VM,\n"
		"  from the instruction where it stopped; console, summary and exit status\n"
		"  as `tvmm run`. Exit counts and trace seq numbers go on from the snapshot's.\n"
		"  --incoming SPEC   receive the VM from `tvmm migrate --live` instead: SPEC is\n"
		"                    - (stdin), fd:N, unix:PATH (listen there) or a FIFO/file;\n"
		"                    the whole stream is checked before the VM is built, and\n"
		"                    the downtime printed\n"
		"  --trace, --trace-format, --snapshot, --snapshot-at: as for `tvmm run`\n"
		"  (--snapshot-at counts the VM's exits from its start, not from the restore)\n"
		"  -h, --help\n"
		"  Exit status: as `tvmm run`; 8 for a file that is not a good snapshot\n"
		"  (wrong version, truncated, corrupted, refused by tvmm.ko).\n", tvmm_prog,
		tvmm_prog);
}

int cmd_restore(int argc, char **argv)
{
	static const struct option opts[] = {
		{ "trace", required_argument, NULL, 'T' },
		{ "trace-format", required_argument, NULL, 'F' },
		{ "snapshot", required_argument, NULL, 'S' },
		{ "snapshot-at", required_argument, NULL, 'A' },
		{ "incoming", required_argument, NULL, 'I' },
		{ "help", no_argument, NULL, 'h' },
		{ NULL, 0, NULL, 0 }
	};
	struct live_in_info live;
	const char *incoming = NULL;
	struct snapshot *snap;
	char name[SNAP_NAME_MAX + 1];
	struct run_ctx ctx;
	const char *path;
	int c, fd, status;

	memset(&ctx, 0, sizeof(ctx));
	ctx.fd = -1;
	ctx.console_at_bol = true;
	optind = 1;
	while ((c = getopt_long(argc, argv, "h", opts, NULL)) != -1) {
		switch (c) {
		case 'T':
		case 'F':
		case 'S':
		case 'A':
			status = run_output_option(&ctx, "restore", c, optarg);
			if (status)
				return status;
			break;
		case 'I':
			incoming = optarg;
			break;
		case 'h':
			restore_usage(stdout);
			return TVMM_EXIT_OK;
		default:
			restore_usage(stderr);
			return TVMM_EXIT_USAGE;
		}
	}
	if (argc - optind != !incoming) {
		print_error("restore: give one SNAPSHOT file, written by `tvmm run --snapshot`, or --incoming SPEC alone.");
		restore_usage(stderr);
		return TVMM_EXIT_USAGE;
	}
	status = run_output_options_check(&ctx, "restore");
	if (status)
		return status;
	path = incoming ? incoming : argv[optind];
	snap = calloc(1, sizeof(*snap));
	if (!snap) {
		print_error("restore: out of memory");
		return TVMM_EXIT_FAILURE;
	}
	/* The file (or the whole stream) first: it needs no module and no VT-x. */
	if (incoming) {
		fd = live_open(incoming, 0);
		status = fd < 0 ? TVMM_EXIT_INPUT : live_receive(fd, incoming, snap, &live);
		if (fd > STDERR_FILENO)
			close(fd);
	} else {
		status = snap_read(path, snap);
	}
	if (status)
		goto out;
	/* The field may be full, with no NUL: a copy with room for one. */
	memcpy(name, snap->hdr.name, SNAP_NAME_MAX);
	name[SNAP_NAME_MAX] = '\0';
	ctx.name = name;
	ctx.config = snap->state.config;
	status = dev_open(&ctx.fd);
	if (!status)
		status = run_open_trace(&ctx);
	if (status)
		goto out;
	/*
	 * Records only if someone reads them now: a saved VM that was traced,
	 * restored without --trace, would fill its ring and stop.
	 */
	if (ctx.trace)
		snap->state.config.flags |= TVMM_CONFIG_TRACE;
	else
		snap->state.config.flags &= ~TVMM_CONFIG_TRACE;
	ctx.config = snap->state.config;
	snap->state.ram_addr = (unsigned long)snap->ram;
	if (ioctl(ctx.fd, TVMM_SET_STATE, &snap->state) < 0) {
		status = restore_refused(path, &snap->state, errno);
		goto out;
	}
	fprintf(stderr, "%s: restored %s (mode %s, %llu KiB, %llu exits so far) from %s\n",
		tvmm_prog, ctx.name[0] ? ctx.name : "a VM", tvmm_mode_name(ctx.config.mode),
		(unsigned long long)ctx.config.mem_size >> 10,
		(unsigned long long)snap->hdr.exits, path);
	if (incoming) {
		/* The source's TSC and ours are one clock: both in this machine. */
		fprintf(stderr, "%s: received %llu pages in %u rounds; downtime %llu guest ticks (from the source's stop to this VM's first run)\n",
			tvmm_prog, live.pages, live.rounds,
			(unsigned long long)(__rdtsc() - live.stop_tsc));
	}
	status = run_loop(&ctx);
out:
	if (run_close_trace(&ctx) && !status)
		status = TVMM_EXIT_FAILURE;
	run_close_vm(&ctx);	/* destroys the VM */
	free(snap->ram);
	free(snap);
	return status;
}
