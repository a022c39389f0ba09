// SPDX-License-Identifier: GPL-2.0
/*
 * trace.c - every VM exit becomes a record a student can read.
 *
 * Concept: trap-and-emulate is invisible from inside the guest; tvmm makes
 * it visible from outside. Each exit is counted per reason (struct
 * tvmm_stats, like `perf kvm stat`), fires the tvmm_exit tracepoint, and,
 * when the VM was created with TVMM_CONFIG_TRACE, becomes a struct
 * tvmm_exit_record in a per-VM ring that read() drains. The ring never
 * overwrites: when it is full the run loop returns to userspace
 * (TVMM_RUN_TRACE_FULL) so no exit of a traced VM is ever lost.
 *
 * Context: trace_record_exit() runs in the run loop (preemption off);
 * readers run in process context. The ring's spinlock orders the two.
 */
#include <linux/poll.h>
#include <linux/slab.h>
#include <linux/uaccess.h>
#include <asm/msr.h>

#include "tvmm.h"
#include "vmx_insn.h"
#include "include/tvmm/exit_names.h"

#define CREATE_TRACE_POINTS
#include "tvmm_trace.h"

/* At most this many records are copied per read() call. */
#define TRACE_READ_BATCH	64

/* Allocate the records; the lock and wait queue are set up at open(). */
int trace_ring_init(struct tvmm_trace_ring *ring)
{
	ring->records = kvcalloc(TVMM_TRACE_RING, sizeof(*ring->records),
				 GFP_KERNEL_ACCOUNT);
	return ring->records ? 0 : -ENOMEM;
}

void trace_ring_free(struct tvmm_trace_ring *ring)
{
	kvfree(ring->records);
	ring->records = NULL;
}

bool trace_ring_full(struct tvmm_trace_ring *ring)
{
	return READ_ONCE(ring->head) - READ_ONCE(ring->tail) >= TVMM_TRACE_RING;
}

/*
 * The bytes of the instruction that exited, when the exit reports its
 * length (instruction exits) and the guest runs without paging, so that
 * CS.base + RIP is a guest-physical address.
 */
static void trace_fetch_insn(struct tvmm_vm *vm, const struct tvmm_exit_info *exit,
			     struct tvmm_exit_record *rec)
{
	u64 linear;

	if (!exit->insn_len || exit->insn_len > TVMM_INSN_MAX)
		return;
	if (exit->insn_bytes) {		/* patch.c: the original, not the INT3 */
		memcpy(rec->insn, exit->insn_bytes, exit->insn_len);
		rec->insn_len = exit->insn_len;
		return;
	}
	if (vm->cr0_shadow & X86_CR0_PG)
		return;
	linear = vmcs_read(VMCS_GUEST_CS_BASE) + exit->rip;
	if (!guest_mem_read(&vm->mem, linear, rec->insn, exit->insn_len))
		rec->insn_len = exit->insn_len;
}

/**
 * trace_record_exit() - account one handled exit.
 * @vm: the VM (its VMCS current)
 * @exit: the exit, after its handler ran
 * @cycles: TSC ticks from the VM exit to the end of the handler
 */
void trace_record_exit(struct tvmm_vm *vm, const struct tvmm_exit_info *exit,
		       u64 cycles)
{
	u32 basic = exit->reason & TVMM_EXIT_REASON_BASIC_MASK;
	struct tvmm_trace_ring *ring = &vm->trace;
	struct tvmm_exit_record *rec;
	unsigned long flags;

	vm->stats.exits++;
	if (basic < TVMM_NR_EXIT_REASONS) {
		vm->stats.count[basic]++;
		vm->stats.cycles[basic] += cycles;
	}
	profile_mark(&vm->prof, PROFILE_STATS);
	trace_tvmm_exit(vm->id, basic, vmx_exit_reason_name(basic), exit->rip,
			exit->qual, exit->gpa, exit->intr_info, exit->error_code,
			tvmm_action_name(exit->action));

	if (!(vm->config.flags & TVMM_CONFIG_TRACE)) {
		vm->stats.records_dropped++;
		profile_mark(&vm->prof, PROFILE_TRACE);
		return;
	}
	spin_lock_irqsave(&ring->lock, flags);
	if (ring->head - ring->tail >= TVMM_TRACE_RING) {
		/* Cannot happen: the run loop stops when the ring is full. */
		vm->stats.records_dropped++;
		spin_unlock_irqrestore(&ring->lock, flags);
		return;
	}
	rec = &ring->records[ring->head % TVMM_TRACE_RING];
	memset(rec, 0, sizeof(*rec));
	rec->version = TVMM_EXIT_RECORD_VERSION;
	rec->size = sizeof(*rec);
	rec->reason_code = basic;
	rec->seq = vm->seq++;
	rec->tsc = exit->tsc_exit;
	rec->qual = exit->qual;
	rec->rip = exit->rip;
	rec->rflags = exit->rflags;
	rec->gpa = exit->gpa;
	rec->cycles = cycles;
	rec->intr_info = exit->intr_info;
	rec->error_code = exit->error_code;
	rec->cs = vmcs_read(VMCS_GUEST_CS_SELECTOR);
	rec->cpl = (vmcs_read(VMCS_GUEST_SS_AR_BYTES) >> 5) & 3;
	rec->vif = exit->vif;
	rec->action = exit->action;
	strscpy(rec->mnemonic, exit->mnemonic ? exit->mnemonic : "",
		sizeof(rec->mnemonic));
	rec->mmio_value = exit->mmio_value;
	rec->mmio_width = exit->mmio_width;
	rec->mmio_write = exit->mmio_write;
	trace_fetch_insn(vm, exit, rec);
	ring->head++;
	spin_unlock_irqrestore(&ring->lock, flags);
	wake_up_interruptible(&ring->wait);
	profile_mark(&vm->prof, PROFILE_TRACE);
}

/**
 * trace_ring_read() - read(): copy whole waiting records to @buf.
 * @ring: the VM's ring
 * @buf: user buffer
 * @len: its size; less than one record is -EINVAL
 * @nonblock: unused for now: read() never waits, poll() does
 *
 * The tail advances only past records that reached @buf whole: a buffer
 * that faults part-way (an unmapped page) gets the records before the
 * fault now and the rest on the next read(), none lost. read_lock keeps
 * two readers from copying the same records; the spinlock is not held
 * across copy_to_user(), which may fault and sleep.
 *
 * Return: bytes copied (0 if no record is waiting), or -errno (-EFAULT when
 * not even the first record could be copied).
 */
ssize_t trace_ring_read(struct tvmm_trace_ring *ring, char __user *buf,
			size_t len, bool nonblock)
{
	struct tvmm_exit_record *batch;
	size_t want = len / sizeof(*batch), n, i, whole;
	unsigned long flags, left;
	ssize_t copied = 0;

	if (!want)
		return -EINVAL;
	batch = kmalloc_array(TRACE_READ_BATCH, sizeof(*batch), GFP_KERNEL);
	if (!batch)
		return -ENOMEM;
	if (mutex_lock_interruptible(&ring->read_lock)) {
		kfree(batch);
		return -EINTR;
	}
	while (want) {
		spin_lock_irqsave(&ring->lock, flags);
		n = min3(want, (size_t)TRACE_READ_BATCH, (size_t)(ring->head - ring->tail));
		for (i = 0; i < n; i++)
			batch[i] = ring->records[(ring->tail + i) % TVMM_TRACE_RING];
		spin_unlock_irqrestore(&ring->lock, flags);
		if (!n)
			break;
		left = copy_to_user(buf + copied, batch, n * sizeof(*batch));
		whole = (n * sizeof(*batch) - left) / sizeof(*batch);
		spin_lock_irqsave(&ring->lock, flags);
		ring->tail += whole;
		spin_unlock_irqrestore(&ring->lock, flags);
		copied += whole * sizeof(*batch);
		if (left) {
			copied = copied ? copied : -EFAULT;
			break;
		}
		want -= n;
	}
	mutex_unlock(&ring->read_lock);
	kfree(batch);
	return copied;
}

/**
 * trace_ring_poll() - poll(): readable while records wait; hang-up once the
 * VM is over and its last record has been read, like a pipe whose writer
 * closed (so `poll` loops end instead of waiting forever).
 * @ring: the VM's ring
 * @file: the VM's file
 * @wait: poll table
 * @ended: the VM has ended (no record will come any more)
 */
__poll_t trace_ring_poll(struct tvmm_trace_ring *ring, struct file *file,
			 poll_table *wait, bool ended)
{
	poll_wait(file, &ring->wait, wait);
	if (READ_ONCE(ring->head) != READ_ONCE(ring->tail))
		return EPOLLIN | EPOLLRDNORM;
	return ended ? EPOLLHUP : 0;
}
