/* SPDX-License-Identifier: GPL-2.0 */
/*
 * run.h - one VM run by the tool: what `tvmm run` (run.c) and `tvmm
 * restore` (snapshot.c) share. A restored VM goes through the same loop
 * as a new one; only how it is built differs.
 */
#ifndef TVMM_RUN_H
#define TVMM_RUN_H

#include <stdbool.h>
#include <stddef.h>
#include <stdio.h>

#include "cli.h"

struct run_ctx {
	const char *image_path;
	const char *trace_path;
	struct tvmm_config config;
	void *image;
	size_t image_size;
	int fd;
	FILE *trace;
	bool trace_binary;		/* --trace-format binary (tracefile.h) */
	unsigned long long records;	/* written to the trace */
	bool console_at_bol;		/* last console byte was '\n' */
	/* run_capture(): records to a callback, console to memory, no summary. */
	struct run_capture *cap;
	/* --snapshot FILE, --snapshot-at N (snapshot.c); SIGUSR1 saves too. */
	const char *snapshot_path;
	unsigned long long snapshot_at;
	const char *name;		/* the VM's name: its image's file name */
	/* --cpu, --migrate-to, --migrate-at (migrate.c); -1: no CPU asked for. */
	int cpu, migrate_to;
	unsigned long long migrate_at;
	bool migrated;
};

/* Configure ctx->fd and load ctx->image into it; 0 or an exit status. */
int run_build(struct run_ctx *ctx);
/* Run the VM, built on ctx->fd, until it ends or is saved; an exit status. */
int run_loop(struct run_ctx *ctx);
/*
 * What one TVMM_RUN returned: its console bytes to stdout, the records
 * queued to the trace (0 or an exit status); and, once it has ended, the
 * summary line (the VM's exit status).
 */
int run_output(struct run_ctx *ctx, const struct tvmm_run *run);
int run_ended(struct run_ctx *ctx, const struct tvmm_run *run);
/* Print the summary line for a VM that stopped without ending. */
void run_print_stopped(struct run_ctx *ctx, const char *how);
/*
 * --trace, --trace-format, --snapshot, --snapshot-at (getopt letters T, F,
 * S, A), shared by `run` and `restore` (@cmd, for messages): store one;
 * then check they go together. 0 or TVMM_EXIT_USAGE, the error printed.
 */
int run_output_option(struct run_ctx *ctx, const char *cmd, int opt, const char *arg);
int run_output_options_check(const struct run_ctx *ctx, const char *cmd);
/* Open --trace FILE (and write the binary header); 0 or an exit status. */
int run_open_trace(struct run_ctx *ctx);
/* Close it; 0 or an exit status (a write error shows only at close). */
int run_close_trace(struct run_ctx *ctx);
/* What went wrong with @what on the VM fd, beyond dev_error()'s cases. */
int vm_error(const char *what, int err);

/* migrate.c: run on @cpu only; move the VM now; say where it ran last. */
int migrate_pin(int cpu);
int migrate_now(struct run_ctx *ctx, unsigned long long exits);
void migrate_report(struct run_ctx *ctx);

/* snapshot.c: save the paused VM on ctx->fd to ctx->snapshot_path; an exit status. */
int snapshot_save(struct run_ctx *ctx);

#endif /* TVMM_RUN_H */
