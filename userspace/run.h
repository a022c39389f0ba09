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
#include "tracering.h"

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
	/* The exit records, mapped at the first drain (tracering.h). */
	struct tracering ring;
	bool ring_tried;		/* mapped, or fell back to read() */
	int drain_status;		/* a mapped record's use_record() status */
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
	/*
	 * `tvmm consolidate` (consolidate.c): console lines prefixed "[name] ",
	 * each written whole, so VMs sharing stdout never cut into each
	 * other's lines; the summary names the VM too.
	 */
	const char *prefix;
	char line[1024];		/* the line being collected */
	size_t line_len;
	/* --usage (bill.c): the bill's line after the summary, kept here. */
	bool usage;
	bool billed;
	struct tvmm_usage bill;
};

/* Configure ctx->fd and load ctx->image into it; 0 or an exit status. */
int run_build(struct run_ctx *ctx);
/* Run the VM, built on ctx->fd, until it ends or is saved; an exit status. */
int run_loop(struct run_ctx *ctx);
/* Read ctx->image_path (checked against the VM's RAM); an exit status. */
int run_read_image(struct run_ctx *ctx);
/* Unmap the ring and close ctx->fd: the VM is destroyed. */
void run_close_vm(struct run_ctx *ctx);
/* Configure, load and run the VM on ctx->fd until it ends; an exit status. */
int run_vm(struct run_ctx *ctx);
/* The signal that stopped the runs (SIGINT, SIGTERM...), or 0. */
int run_interrupted(void);
/* Flush a prefixed console's last, unterminated line; an exit status. */
int run_console_flush(struct run_ctx *ctx);
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
/*
 * --mode, --mem, --timer, --max-exits (getopt letters m, M, t, x), shared
 * by `run` and `consolidate` (@cmd, for messages): into @config.
 * 0 or TVMM_EXIT_USAGE, the error printed.
 */
int run_config_option(struct tvmm_config *config, const char *cmd, int opt, const char *arg);
/* Open --trace FILE (and write the binary header); 0 or an exit status. */
int run_open_trace(struct run_ctx *ctx);
/* Close it; 0 or an exit status (a write error shows only at close). */
int run_close_trace(struct run_ctx *ctx);
/* What went wrong with @what on the VM fd, beyond dev_error()'s cases. */
int vm_error(const char *what, int err);

/* migrate.c: run on @cpu only; move the VM now; say where it ran last. */
struct vm_place {
	int pid, tid, cpu;	/* cpu: of the VM's last slice, -1 if unknown */
	char state[32];
};
/* debugfs vmN/state's pid, tid, last cpu and state; 0, or -errno. */
int vm_place_read(int id, struct vm_place *p);
int migrate_pin(int cpu);
int migrate_now(struct run_ctx *ctx, unsigned long long exits);
void migrate_report(struct run_ctx *ctx);

/*
 * bill.c: the VM's bill (TVMM_GET_USAGE): fetch it, print it as the usage
 * line "tvmm: usage [NAME] guest_ticks=... ram_mib_s=...", add bills up.
 */
int bill_fetch(int fd, struct tvmm_usage *u);
double bill_ram_mib_s(const struct tvmm_usage *u);
void bill_print(FILE *out, const char *name, const struct tvmm_usage *u);
void bill_add(struct tvmm_usage *sum, const struct tvmm_usage *u);
/* ctx->usage: fetch the bill into ctx->bill and print it. */
void bill_report(struct run_ctx *ctx);

/* consolidate.c: several images, a VM and a thread each, on --cpus. */
void consolidate_name(const char *path, char *out, size_t size);
int consolidate_images(const struct run_ctx *tmpl, const char *cpus, int n,
		       char **images);

/* snapshot.c: save the paused VM on ctx->fd to ctx->snapshot_path; an exit status. */
int snapshot_save(struct run_ctx *ctx);

#endif /* TVMM_RUN_H */
