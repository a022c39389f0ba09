// SPDX-License-Identifier: GPL-2.0
/*
 * bill.c - the usage line: what one VM cost, as pay-per-use bills it.
 *
 * Concept: metering. A consolidated machine runs many VMs; a provider
 * charges each for what it used, not for the machine. tvmm.ko meters
 * every VM (module/usage.c): TSC ticks in the guest, ticks tvmm spent
 * for it (exit handlers, slice set-up), ticks the host took back (other
 * tasks, host interrupts) and ticks it slept in HLT, its exits, and how
 * long it held how much RAM. At the end of a run the tool prints one line
 * per VM,
 *
 *   tvmm: usage [minios] guest_ticks=... exits=... tvmm_ticks=...
 *         host_ticks=... halted_ticks=... ram_mib_s=...
 *
 * (on one line): the bill. guest_ticks + tvmm_ticks is the CPU the VM
 * cost; host_ticks is the time it waited for a CPU it wanted; ram_mib_s
 * is MiB of guest RAM times the seconds the VM lived.
 * Context: userspace, the thread that ran the VM.
 */
#include <errno.h>
#include <string.h>
#include <sys/ioctl.h>

#include "run.h"

/* TVMM_GET_USAGE into @u, checked; 0 or an exit status (printed). */
int bill_fetch(int fd, struct tvmm_usage *u)
{
	memset(u, 0, sizeof(*u));
	if (ioctl(fd, TVMM_GET_USAGE, u) < 0)
		return vm_error("TVMM_GET_USAGE (the VM's bill)", errno);
	if (u->version != TVMM_USAGE_VERSION || u->size != sizeof(*u)) {
		print_error("usage record version %u size %u, this tool reads version %d size %zu: rebuild module and tool from one tree.",
			    u->version, u->size, TVMM_USAGE_VERSION, sizeof(*u));
		return TVMM_EXIT_API;
	}
	return TVMM_EXIT_OK;
}

/* MiB of guest RAM times the seconds the VM lived. */
double bill_ram_mib_s(const struct tvmm_usage *u)
{
	return (double)u->mem_bytes / (1024.0 * 1024.0) * (double)u->age_ns / 1e9;
}

void bill_print(FILE *out, const char *name, const struct tvmm_usage *u)
{
	fprintf(out, "%s: usage [%s] guest_ticks=%llu exits=%llu tvmm_ticks=%llu host_ticks=%llu halted_ticks=%llu ram_mib_s=%.3f\n",
		tvmm_prog, name, (unsigned long long)u->guest_ticks,
		(unsigned long long)u->exits, (unsigned long long)u->tvmm_ticks,
		(unsigned long long)u->host_ticks, (unsigned long long)u->halted_ticks,
		bill_ram_mib_s(u));
}

/* Add @u to @sum; RAM-seconds add up through mem_bytes x age. */
void bill_add(struct tvmm_usage *sum, const struct tvmm_usage *u)
{
	double ram = bill_ram_mib_s(sum) + bill_ram_mib_s(u);

	sum->guest_ticks += u->guest_ticks;
	sum->tvmm_ticks += u->tvmm_ticks;
	sum->host_ticks += u->host_ticks;
	sum->halted_ticks += u->halted_ticks;
	sum->run_ticks += u->run_ticks;
	sum->exits += u->exits;
	sum->slices += u->slices;
	/* Kept as 1 MiB held for the summed seconds. */
	sum->mem_bytes = 1024 * 1024;
	sum->age_ns = (unsigned long long)(ram * 1e9 + 0.5);
}

void bill_report(struct run_ctx *ctx)
{
	char name[64];

	if (bill_fetch(ctx->fd, &ctx->bill))
		return;
	ctx->billed = true;
	if (!ctx->prefix)
		consolidate_name(ctx->image_path, name, sizeof(name));
	bill_print(stderr, ctx->prefix ? ctx->prefix : name, &ctx->bill);
}
