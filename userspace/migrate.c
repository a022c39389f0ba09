// SPDX-License-Identifier: GPL-2.0
/*
 * migrate.c - `tvmm run --cpu A --migrate-to B --migrate-at N`: a running
 * VM moved from one physical CPU to another, without stopping it.
 *
 * Concept: migration, the smallest kind. A VMCS is tied to the CPU it
 * is loaded on: VMPTRLD makes it current and active there, the CPU may
 * keep parts of it in its own caches, and another CPU must not load it
 * until VMCLEAR has written it back to memory and marked it clear (SDM
 * vol. 3C, 25.11.1 "Software Use of Virtual-Machine Control Structures").
 * tvmm runs a guest in slices (module/vcpu.c): each VMPTRLDs the VMCS on
 * the CPU Linux runs the thread on and VMCLEARs it at its end, so between
 * two slices the VM belongs to no CPU. Moving it is then only telling
 * Linux to run the thread elsewhere (sched_setaffinity): the next slice
 * VMPTRLDs the VMCS on the new CPU and writes that CPU's host state
 * (vmcs_refresh_host_state(): its GDT, TSS, per-CPU GS base differ). The
 * guest notices nothing; debugfs vmN/state shows "last cpu" change. A
 * migration to another *machine* needs the whole VM copied out instead:
 * a snapshot (snapshot.c).
 * Context: userspace, the thread that runs the VM.
 */
#define _GNU_SOURCE	/* sched_setaffinity() and CPU_SET() */
#include <errno.h>
#include <sched.h>
#include <stdlib.h>
#include <string.h>
#include <sys/ioctl.h>
#include <unistd.h>

#include "run.h"

int migrate_pin(int cpu)
{
	cpu_set_t set;

	CPU_ZERO(&set);
	CPU_SET(cpu, &set);
	if (sched_setaffinity(0, sizeof(set), &set)) {
		print_error("run: cannot run on CPU %d: %s (`nproc` says how many CPUs are online).",
			    cpu, strerror(errno));
		return TVMM_EXIT_USAGE;
	}
	return TVMM_EXIT_OK;
}

/* Where a VM is, from debugfs (TVMM_DEBUGFS overrides its place, for tests). */
int vm_place_read(int id, struct vm_place *p)
{
	const char *root = getenv("TVMM_DEBUGFS");
	char path[512], line[256];
	FILE *f;

	snprintf(path, sizeof(path), "%s/vm%d/state", root && *root ? root :
		 "/sys/kernel/debug/tvmm", id);
	f = fopen(path, "r");
	if (!f)
		return -errno;
	memset(p, 0, sizeof(*p));
	p->cpu = -1;
	while (fgets(line, sizeof(line), f)) {
		line[strcspn(line, "\n")] = '\0';
		if (sscanf(line, "pid: %d", &p->pid) == 1 || sscanf(line, "tid: %d", &p->tid) == 1 ||
		    sscanf(line, "last cpu: %d", &p->cpu) == 1)
			continue;
		if (!strncmp(line, "state: ", 7))
			snprintf(p->state, sizeof(p->state), "%.31s", line + 7);
	}
	fclose(f);
	return 0;
}

/* The CPU of the VM's last slice; -1 if unknown. */
static int migrate_last_cpu(int fd)
{
	struct vm_place p;
	int id = ioctl(fd, TVMM_GET_VM_ID);

	return id < 0 || vm_place_read(id, &p) ? -1 : p.cpu;
}

int migrate_now(struct run_ctx *ctx, unsigned long long exits)
{
	int from = migrate_last_cpu(ctx->fd), status;

	status = migrate_pin(ctx->migrate_to);
	if (status)
		return status;
	ctx->migrated = true;
	if (from >= 0)
		fprintf(stderr, "%s: after %llu exits, moved from CPU %d to CPU %d (VMCLEARed on %d, the next slice VMPTRLDs it on %d)\n",
			tvmm_prog, exits, from, ctx->migrate_to, from, ctx->migrate_to);
	else
		fprintf(stderr, "%s: after %llu exits, moved to CPU %d\n", tvmm_prog, exits,
			ctx->migrate_to);
	return TVMM_EXIT_OK;
}

void migrate_report(struct run_ctx *ctx)
{
	int cpu = migrate_last_cpu(ctx->fd);

	if (ctx->migrated && cpu >= 0)
		fprintf(stderr, "%s: the VM's last slice ran on CPU %d\n", tvmm_prog, cpu);
}
