// SPDX-License-Identifier: GPL-2.0
/*
 * migrate_cpu.c - `tvmm migrate vmN --cpu B`: move a running VM, run by
 * any process, to CPU B without stopping it.
 *
 * Concept: migration between the CPUs of one machine, from outside the
 * VM's process (the management tool of a consolidated host rebalancing
 * its VMs). A VMCS is tied to the CPU it is loaded on: VMPTRLD makes it
 * current and active there, the CPU may cache parts of it, and no other
 * CPU may load it until VMCLEAR has written it back to memory and marked
 * it clear (SDM vol. 3C, 25.11.1 "Software Use of Virtual-Machine Control
 * Structures"). tvmm.ko runs a guest in slices (module/vcpu.c): each
 * VMPTRLDs the VMCS on the CPU Linux runs the VM's thread on and VMCLEARs
 * it at its end, so between two slices the VM belongs to no CPU.
 * Moving it is therefore a matter for Linux's scheduler:
 *
 *   1. debugfs vmN/state names the thread that runs the VM ("tid:") and
 *      the CPU of its last slice ("last cpu:");
 *   2. sched_setaffinity(tid, {B}): Linux stops the thread where it is
 *      (the run loop sees need_resched, ends the slice: VMCLEAR on the
 *      old CPU) and wakes it on B;
 *   3. the next slice VMPTRLDs the VMCS on B and writes B's host state
 *      (vmcs_refresh_host_state(): its GDT, TSS, per-CPU GS base differ);
 *      "last cpu:" turns to B, which is how this command confirms it.
 *
 * The guest notices nothing. `tvmm run --cpu A --migrate-to B` does the
 * same from inside the VM's own process (migrate.c); moving a VM to
 * another tvmm process, or machine, copies the whole VM instead (`tvmm
 * migrate --live`, migrate_live.c: this command hands it every argument).
 * Context: userspace, root (debugfs, and moving another user's thread).
 */
#define _GNU_SOURCE	/* sched_setaffinity() and CPU_SET() */
#include <errno.h>
#include <getopt.h>
#include <sched.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "migrate_live.h"
#include "run.h"

/* "vm3" or "3": the VM's number, or -1. */
static int parse_vm(const char *arg)
{
	unsigned long long id;

	if (!strncmp(arg, "vm", 2))
		arg += 2;
	if (parse_count(arg, &id) || id > 1000000)
		return -1;
	return (int)id;
}

static void migrate_usage(FILE *out)
{
	fprintf(out,
		"usage: %s migrate vmN --cpu B [--timeout SECONDS]\n"
		"       %s migrate --live ...     (to another tvmm process: --live --help)\n"
		"  Move the running VM vmN (of any tvmm process: see `tvmm top`) to CPU B\n"
		"  without stopping it: its thread (debugfs vmN/state, \"tid:\") is pinned to\n"
		"  B, the slice running on its old CPU ends (VMCLEAR there), the next one\n"
		"  loads the VMCS on B (VMPTRLD). Waits until debugfs says its last slice\n"
		"  ran on B (\"last cpu:\"), or the VM ends.\n"
		"  --cpu B           the CPU to move it to\n"
		"  --timeout S       how long to wait for that slice (default 30 seconds)\n"
		"  -h, --help\n"
		"  Exit status: 0 moved (or ended first); 1 not confirmed in time; 2 bad\n"
		"  arguments, no such VM, or a VM that has ended; 5 not root.\n",
		tvmm_prog, tvmm_prog);
}

/* Wait until vm@id's last slice ran on @cpu or the VM ended; 0, or -1 at the timeout. */
static int wait_for_cpu(int id, int cpu, double timeout, struct vm_place *p)
{
	const struct timespec nap = { 0, 10 * 1000 * 1000 };
	int i, steps = (int)(timeout * 100);

	for (i = 0; i <= steps; i++) {
		if (vm_place_read(id, p))
			return 0;	/* the VM was closed: it ended */
		if (p->cpu == cpu || strcmp(p->state, "running"))
			return 0;
		nanosleep(&nap, NULL);
	}
	return -1;
}

int cmd_migrate(int argc, char **argv)
{
	static const struct option opts[] = {
		{ "cpu", required_argument, NULL, 'c' },
		{ "timeout", required_argument, NULL, 't' },
		{ "help", no_argument, NULL, 'h' },
		{ NULL, 0, NULL, 0 }
	};
	unsigned long long cpu = ~0ULL;
	struct vm_place p;
	double timeout = 30;
	cpu_set_t set;
	char *end;
	int c, i, id, err;

	/* --live anywhere: the other kind of migration, its own parser. */
	for (i = 1; i < argc; i++) {
		if (!strcmp(argv[i], "--"))
			break;
		if (!strcmp(argv[i], "--live") || !strncmp(argv[i], "--live=", 7))
			return migrate_live_main(argc, argv);
	}
	optind = 0;	/* full restart: main() parsed with "+", this one permutes (vmN first) */
	while ((c = getopt_long(argc, argv, "h", opts, NULL)) != -1) {
		switch (c) {
		case 'c':
			if (parse_count(optarg, &cpu) || cpu >= CPU_SETSIZE) {
				print_error("migrate: --cpu %s: give a CPU number (0, 1, ...).", optarg);
				return TVMM_EXIT_USAGE;
			}
			break;
		case 't':
			timeout = strtod(optarg, &end);
			if (end == optarg || *end || !(timeout > 0 && timeout <= 3600)) {
				print_error("migrate: --timeout %s: give seconds, up to 3600.", optarg);
				return TVMM_EXIT_USAGE;
			}
			break;
		case 'h':
			migrate_usage(stdout);
			return TVMM_EXIT_OK;
		default:
			migrate_usage(stderr);
			return TVMM_EXIT_USAGE;
		}
	}
	if (argc - optind != 1 || cpu == ~0ULL) {
		print_error("migrate: give one VM and --cpu B, e.g. `tvmm migrate vm0 --cpu 1` (`tvmm top --once` lists the VMs).");
		migrate_usage(stderr);
		return TVMM_EXIT_USAGE;
	}
	id = parse_vm(argv[optind]);
	if (id < 0) {
		print_error("migrate: '%s' is not a VM: give vmN as `tvmm top --once` lists it.",
			    argv[optind]);
		return TVMM_EXIT_USAGE;
	}
	err = vm_place_read(id, &p);
	if (err == -EACCES || err == -EPERM) {
		print_error("migrate: debugfs is root only; run as root.");
		return TVMM_EXIT_PERM;
	}
	if (err) {
		print_error("migrate: there is no vm%d (debugfs /sys/kernel/debug/tvmm/vm%d: %s); `tvmm top --once` lists the live VMs.",
			    id, id, strerror(-err));
		return TVMM_EXIT_USAGE;
	}
	if (strcmp(p.state, "running")) {
		print_error("migrate: vm%d has ended (%s): there is nothing left to move.", id, p.state);
		return TVMM_EXIT_USAGE;
	}
	if (p.tid <= 0) {
		print_error("migrate: vm%d has not run yet: no thread runs it, so there is nothing to move.",
			    id);
		return TVMM_EXIT_USAGE;
	}

	CPU_ZERO(&set);
	CPU_SET(cpu, &set);
	if (sched_setaffinity(p.tid, sizeof(set), &set)) {
		err = errno;
		if (err == EINVAL)
			print_error("migrate: CPU %llu is not online; `nproc` says how many CPUs there are.",
				    cpu);
		else if (err == ESRCH)
			print_error("migrate: vm%d's thread %d is gone: the VM has just ended.",
				    id, p.tid);
		else
			print_error("migrate: cannot move thread %d of process %d: %s.", p.tid,
				    p.pid, strerror(err));
		return err == EPERM ? TVMM_EXIT_PERM : TVMM_EXIT_USAGE;
	}
	fprintf(stderr, "%s: vm%d (process %d, thread %d) pinned to CPU %llu; its last slice ran on CPU %d\n",
		tvmm_prog, id, p.pid, p.tid, cpu, p.cpu);
	c = p.cpu;
	if (wait_for_cpu(id, (int)cpu, timeout, &p)) {
		print_error("migrate: vm%d has not run a slice on CPU %llu within %.0f s (last cpu: %d): it may be waiting outside TVMM_RUN; it will move at its next slice.",
			    id, cpu, timeout, p.cpu);
		return TVMM_EXIT_FAILURE;
	}
	if (p.cpu != (int)cpu)
		fprintf(stderr, "%s: vm%d ended (%s) before its next slice\n", tvmm_prog, id,
			p.state[0] ? p.state : "closed");
	else if (c == (int)cpu)
		fprintf(stderr, "%s: vm%d was on CPU %llu already\n", tvmm_prog, id, cpu);
	else
		fprintf(stderr, "%s: vm%d moved from CPU %d to CPU %llu: VMCLEARed on %d at the end of its slice there, VMPTRLDed on %llu by the next (debugfs last cpu: %d)\n",
			tvmm_prog, id, c, cpu, c, cpu, p.cpu);
	return TVMM_EXIT_OK;
}
