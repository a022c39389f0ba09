// SPDX-License-Identifier: GPL-2.0
/*
 * usage.c - the meter: where a VM's CPU time went, and its bill.
 *
 * Concept: consolidation and pay-per-use. Many VMs share one machine;
 * each is billed for what it used (the notes' "pay-per-use" of a
 * consolidated server). A type-2 VMM runs a guest inside a system call
 * (TVMM_RUN), so the wall time of that call splits four ways:
 *
 *   guest   the CPU ran the guest (VMX non-root), from the VM entry to
 *           the exit, the world switch itself included;
 *   tvmm    the CPU ran tvmm.ko for this VM: exit handlers, and each
 *           slice's set-up and tear-down (VMPTRLD, host state, INVEPT,
 *           the debugfs copies, VMCLEAR);
 *   host    the VM wanted the CPU but the host had it: other tasks
 *           (another VM's thread on the same CPU, preempting this one
 *           between slices), and the host interrupts that made exits;
 *   halted  the guest slept in HLT until its timer: nobody's CPU.
 *
 * run = guest + tvmm + host + halted, by construction (host is the rest).
 * The bill of one VM is guest + tvmm ("the CPU it cost"), its exits and
 * its RAM-seconds (MiB of RAM times seconds alive).
 *
 * Cost: nothing per exit. The exit path is the hot path (tests/bench/
 * budget), so the meter reads the TSC only at the edges of a TVMM_RUN
 * call, of a slice, of a slice's entry/exit loop and of a HLT wait, and
 * takes the handlers' share from the per-reason cycles the loop already
 * counts (trace_count_exit(): from the TSC right after each exit to the
 * end of its handling). So, within a slice's loop:
 *
 *   handled = the loop's handler cycles (all reasons)
 *   host   += the part of them spent on EXTERNAL_INTERRUPT exits: those
 *             cycles are Linux handling its interrupt (vcpu_enter()
 *             enables interrupts before the handler's clock stops)
 *   tvmm   += handled - that part
 *   guest  += loop - handled
 *
 * and the rest of the slice is tvmm's. What the meter cannot see: a host
 * interrupt that lands while tvmm handles another exit (charged to tvmm),
 * and the few instructions between two exits' handlers and the next
 * entry (charged to the guest): a few dozen ticks per exit.
 *
 * Context: the run loop (process context, under run_lock) writes; debugfs
 * reads racily, for display; TVMM_GET_USAGE reads under run_lock.
 */
#include <linux/ktime.h>
#include <linux/sched.h>
#include <asm/msr.h>

#include "tvmm.h"

/* Handler cycles counted so far, every reason (trace_count_exit()). */
static u64 usage_handled(const struct tvmm_vm *vm)
{
	u64 sum = 0;
	unsigned int i;

	for (i = 0; i < TVMM_NR_EXIT_REASONS; i++)
		sum += READ_ONCE(vm->stats.cycles[i]);
	return sum;
}

static u64 usage_irq_cycles(const struct tvmm_vm *vm)
{
	return READ_ONCE(vm->stats.cycles[EXIT_REASON_EXTERNAL_INTERRUPT]);
}

/*
 * Split a loop's @loop ticks: what the exit handlers took (@handled, capped
 * at the loop) is tvmm's, except the host's interrupt handlers (@irq: the
 * host's, left out of both; usage_read() works the host's share out); the
 * rest, VM entries and exits included, is the guest's. One rule for the
 * loop's end and for a read while the loop runs.
 */
static void usage_split(u64 loop, u64 handled, u64 irq, u64 *guest, u64 *tvmm)
{
	handled = min(handled, loop);
	*guest = loop - handled;
	*tvmm = handled - min(irq, handled);
}

/* LOAD_IMAGE or SET_STATE built the machine: its RAM is held from now. */
void usage_built(struct tvmm_vm *vm)
{
	vm->meter.born_ns = ktime_get_ns();
}

/* A TVMM_RUN call starts: who runs the VM (debugfs vmN/state, `tvmm top`). */
void usage_run_begin(struct tvmm_vm *vm)
{
	WRITE_ONCE(vm->meter.pid, task_tgid_nr(current));
	WRITE_ONCE(vm->meter.tid, task_pid_nr(current));
	WRITE_ONCE(vm->meter.run_start, rdtsc());
}

/* ... and ends: its wall time; a VM that ended stops its RAM clock. */
void usage_run_end(struct tvmm_vm *vm)
{
	struct tvmm_meter *m = &vm->meter;

	WRITE_ONCE(m->run, m->run + rdtsc() - m->run_start);
	WRITE_ONCE(m->run_start, 0);
	if (vm->end && !m->ended_ns)
		m->ended_ns = ktime_get_ns();
}

/* A slice starts (preemption off, on this CPU). */
void usage_slice_begin(struct tvmm_vm *vm)
{
	vm->meter.slice_start = rdtsc();
	vm->meter.loop_ticks = 0;
}

/* The slice's first entry is next: from here the loop's ticks are split. */
void usage_loop_begin(struct tvmm_vm *vm)
{
	struct tvmm_meter *m = &vm->meter;

	m->handled0 = usage_handled(vm);
	m->irq0 = usage_irq_cycles(vm);
	WRITE_ONCE(m->loop_start, rdtsc());
}

/*
 * The loop's last exit is handled. A HLT that halted the vCPU counts its
 * cycles only when the next slice writes its record (vcpu.c): they were
 * spent in this loop, so they are this loop's.
 */
void usage_loop_end(struct tvmm_vm *vm)
{
	struct tvmm_meter *m = &vm->meter;
	u64 loop = rdtsc() - m->loop_start;
	u64 handled = usage_handled(vm) - m->handled0;
	u64 guest, tvmm;

	if (vm->halt.pending)
		handled += vm->halt.cycles;
	usage_split(loop, handled, usage_irq_cycles(vm) - m->irq0, &guest, &tvmm);
	WRITE_ONCE(m->guest, m->guest + guest);
	WRITE_ONCE(m->tvmm, m->tvmm + tvmm);
	m->loop_ticks = loop;
	WRITE_ONCE(m->loop_start, 0);
}

/* The slice is over (VMCLEAR done): the rest of it was tvmm's. */
void usage_slice_end(struct tvmm_vm *vm)
{
	struct tvmm_meter *m = &vm->meter;
	u64 slice = rdtsc() - m->slice_start;

	WRITE_ONCE(m->tvmm, m->tvmm + slice - min(m->loop_ticks, slice));
	m->slices++;
}

/* A halted vCPU sleeps until its tick (virq.c): the CPU is nobody's. */
int usage_halt_wait(struct tvmm_vm *vm)
{
	struct tvmm_meter *m = &vm->meter;
	int ret;

	WRITE_ONCE(m->halt_start, rdtsc());
	ret = virq_halt_wait(vm);
	WRITE_ONCE(m->halted, m->halted + rdtsc() - m->halt_start);
	WRITE_ONCE(m->halt_start, 0);
	return ret;
}

/*
 * The bill as of now. Between TVMM_RUN calls (TVMM_GET_USAGE) the totals
 * are exact; while the VM runs (debugfs, another CPU) the loop, run or
 * HLT wait in progress is added up to now, so `tvmm top` sees a VM whose
 * one slice never ends (a lone spinning guest) move too.
 */
void usage_read(struct tvmm_vm *vm, struct tvmm_usage *u)
{
	const struct tvmm_meter *m = &vm->meter;
	u64 now = rdtsc(), loop_start = READ_ONCE(m->loop_start);
	u64 run_start = READ_ONCE(m->run_start), halt_start = READ_ONCE(m->halt_start);
	u64 born = vm->meter.born_ns, ended = READ_ONCE(m->ended_ns);

	memset(u, 0, sizeof(*u));
	u->version = TVMM_USAGE_VERSION;
	u->size = sizeof(*u);
	u->guest_ticks = READ_ONCE(m->guest);
	u->tvmm_ticks = READ_ONCE(m->tvmm);
	u->halted_ticks = READ_ONCE(m->halted);
	u->run_ticks = READ_ONCE(m->run);
	if (loop_start && now > loop_start) {
		u64 guest, tvmm;

		usage_split(now - loop_start, usage_handled(vm) - READ_ONCE(m->handled0),
			    usage_irq_cycles(vm) - READ_ONCE(m->irq0), &guest, &tvmm);
		u->guest_ticks += guest;
		u->tvmm_ticks += tvmm;
	}
	if (run_start && now > run_start)
		u->run_ticks += now - run_start;
	if (halt_start && now > halt_start)
		u->halted_ticks += now - halt_start;
	/* The rest of the run: other tasks and interrupts had the CPU. */
	u->host_ticks = u->run_ticks;
	u->host_ticks -= min(u->host_ticks, u->guest_ticks + u->tvmm_ticks + u->halted_ticks);
	u->exits = READ_ONCE(vm->exits);
	u->slices = READ_ONCE(m->slices);
	if (vm->image_loaded && born) {
		u->mem_bytes = vm->config.mem_size;
		u->age_ns = (ended ? ended : ktime_get_ns()) - born;
	}
}

/* debugfs vmN/usage: the same fields, one "name: value" per line. */
void usage_show(struct seq_file *m, struct tvmm_vm *vm)
{
	struct tvmm_usage u;
	u64 age_ms, mib_ms;

	usage_read(vm, &u);
	age_ms = div_u64(u.age_ns, NSEC_PER_MSEC);
	/* MiB x ms, from KiB so 4 KiB granules of RAM are not rounded away. */
	mib_ms = div_u64((u.mem_bytes >> 10) * age_ms, 1024);
	seq_printf(m, "guest ticks: %llu\ntvmm ticks: %llu\nhost ticks: %llu\n",
		   u.guest_ticks, u.tvmm_ticks, u.host_ticks);
	seq_printf(m, "halted ticks: %llu\nrun ticks: %llu\nin run: %s\n",
		   u.halted_ticks, u.run_ticks, READ_ONCE(vm->meter.run_start) ? "yes" : "no");
	seq_printf(m, "exits: %llu\nslices: %llu\nmemory: %llu KiB\n", u.exits, u.slices,
		   u.mem_bytes >> 10);
	seq_printf(m, "age ms: %llu\nram MiB*s: %llu.%03llu\n", age_ms,
		   div_u64(mib_ms, 1000), mib_ms % 1000);
}
