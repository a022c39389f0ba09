// SPDX-License-Identifier: GPL-2.0
/*
 * trace.c - every VM exit becomes a record a student can read.
 *
 * Concept: trap-and-emulate is invisible from inside the guest; tvmm makes
 * it visible from outside. Each exit is counted per reason (struct
 * tvmm_stats, like `perf kvm stat`), fires the tvmm_exit tracepoint, and,
 * when the VM was created with TVMM_CONFIG_TRACE, becomes a struct
 * tvmm_exit_record in a per-VM ring that read() drains, or that the
 * reader maps and reads in place (trace_mmap.c). The ring never
 * overwrites: when it is full the run loop returns to userspace
 * (TVMM_RUN_TRACE_FULL) so no exit of a traced VM is ever lost.
 *
 * Recording costs every exit of a traced VM, so it is kept to the record
 * itself, written in place by the run loop (trace_record.h: no lock, no
 * copy, no formatting), and read() copies whole records straight from the
 * ring to the reader. Names (reasons, actions) are resolved by the reader.
 *
 * Context: trace_record_exit() runs in the run loop (preemption off);
 * readers run in process context, one at a time. The ring has a single
 * writer and a single reader: head and tail are published with
 * release/acquire, so neither needs a lock (like the kernel's circular
 * buffers, Documentation/core-api/circular-buffers.rst).
 */
#include <linux/poll.h>
#include <linux/slab.h>
#include <linux/uaccess.h>
#include <linux/vmalloc.h>
#include <asm/msr.h>

#include "tvmm.h"
#include "vmx_insn.h"
#include "include/tvmm/exit_names.h"

#define CREATE_TRACE_POINTS
#include "tvmm_trace.h"

/*
 * Allocate the control page and the records, in one area userspace can
 * map (trace_mmap.c): vmalloc_user() zeroes it (no old kernel bytes in a
 * mapping, and the records' padding is 0 from here on) and marks it
 * VM_USERMAP. Every slot gets the record's version and size now, once:
 * the writer (trace_record.h) never stores them again, and a mapping
 * cannot change them (read-only). read_lock and the wait queue are set
 * up at open().
 */
int trace_ring_init(struct tvmm_trace_ring *ring)
{
	struct tvmm_trace_mmap_page *page = vmalloc_user(TVMM_TRACE_AREA_SIZE);
	unsigned int i;

	if (!page)
		return -ENOMEM;
	ring->names = kcalloc(TVMM_TRACE_RING, sizeof(*ring->names), GFP_KERNEL_ACCOUNT);
	if (!ring->names) {
		vfree(page);
		return -ENOMEM;
	}
	page->version = TVMM_TRACE_MMAP_VERSION;
	page->record_size = sizeof(*ring->records);
	page->nr_records = TVMM_TRACE_RING;
	page->records_offset = TVMM_TRACE_RECORDS_OFFSET;
	ring->records = (void *)page + TVMM_TRACE_RECORDS_OFFSET;
	ring->page = page;
	for (i = 0; i < TVMM_TRACE_RING; i++) {
		ring->records[i].version = TVMM_EXIT_RECORD_VERSION;
		ring->records[i].size = sizeof(ring->records[i]);
	}
	return 0;
}

/* At release (or a failed build): no mapping of the area is left. */
void trace_ring_free(struct tvmm_trace_ring *ring)
{
	kfree(ring->names);
	ring->names = NULL;
	vfree(ring->page);
	ring->page = NULL;
	ring->records = NULL;
}

/*
 * The usual case of trace_fetch_insn_slow(), without calls: the 16 bytes at
 * @gpa lie in one page of guest RAM, so two 8-byte loads fetch them, the
 * bytes past the instruction are masked off (x86 is little-endian: byte
 * i of a word is bits 8i..8i+7), and a copy of constant size fills the
 * record's whole insn[]: no memset of the slot and no copy of a variable
 * length. Return:
 * true if done, false to take guest_mem_read().
 */
static bool trace_fetch_fast(struct tvmm_vm *vm, u64 gpa, unsigned int len,
			     u8 insn[TVMM_INSN_MAX])
{
	u64 off = gpa & ~PAGE_MASK, words[2];
	const u8 *guest;

	if (gpa >> PAGE_SHIFT >= vm->mem.nr_pages || off > PAGE_SIZE - sizeof(words))
		return false;
	guest = page_address(vm->mem.pages[gpa >> PAGE_SHIFT]) + off;
	memcpy(words, guest, sizeof(words));
	if (len < 8) {			/* len is 1..15 (the caller checked) */
		words[0] &= (1ULL << (8 * len)) - 1;
		words[1] = 0;
	} else {
		words[1] &= (1ULL << (8 * (len - 8))) - 1;
	}
	memcpy(insn, words, TVMM_INSN_MAX);	/* constant: two stores */
	return true;
}

/*
 * The bytes of the instruction that exited, for the exits whose bytes do
 * not follow from the exit (trace_record.h has those): fetched from guest
 * RAM when the exit reports a length (instruction exits) and the guest
 * runs without paging, so that CS.base + RIP is a guest-physical address;
 * for a patched site, the original bytes (patch.c), not the INT3. Every
 * path writes all of insn[]: the slot still holds an older record's bytes.
 */
void trace_fetch_insn_slow(struct tvmm_vm *vm, const struct tvmm_exit_info *exit,
			   struct tvmm_exit_record *rec)
{
	unsigned int len = exit->insn_len;
	bool fits = len && len <= TVMM_INSN_MAX;
	bool from_ram = fits && !exit->insn_bytes && !(vm->cr0_shadow & X86_CR0_PG);
	u64 linear = 0;

	rec->insn_len = 0;
	if (from_ram) {
		linear = vmcs_read(VMCS_GUEST_CS_BASE) + exit->rip;
		if (trace_fetch_fast(vm, linear, len, rec->insn)) {	/* all of insn[] */
			rec->insn_len = len;
			return;
		}
	}
	memset(rec->insn, 0, sizeof(rec->insn));	/* the slot's old bytes */
	if (from_ram) {
		if (!guest_mem_read(&vm->mem, linear, rec->insn, len))
			rec->insn_len = len;
	} else if (fits && exit->insn_bytes) {	/* patch.c: the original, not the INT3 */
		memcpy(rec->insn, exit->insn_bytes, len);
		rec->insn_len = len;
	}
}

/*
 * The bytes of an IN or OUT without prefixes, from its exit qualification
 * (SDM vol. 3C, 28.2.1, table 28-5: direction, size, immediate or DX,
 * the port) and its length: opcodes E4-E7 with an imm8 port, EC-EF with
 * DX (vol. 2A "IN", vol. 2B "OUT"). A longer one has prefixes, which only
 * memory knows, and a string one (INS/OUTS) is another opcode. Kept in
 * @ring for the next I/O exit (trace_insn_from_exit()). Return: the bytes
 * (little-endian), or 0.
 */
u64 trace_io_insn(struct tvmm_trace_ring *ring, const struct tvmm_exit_info *exit)
{
	u64 q = exit->qual, bytes;
	unsigned int len = (q & TVMM_IO_QUAL_IMM) ? 2 : 1;
	u8 op = ((q & TVMM_IO_QUAL_IN) ? 0xe4 : 0xe6) | ((q & TVMM_IO_QUAL_SIZE_MASK) ? 1 : 0);

	if ((q & TVMM_IO_QUAL_STRING) || exit->insn_len != len)
		return 0;
	if (len == 2)	/* IN/OUT with an imm8 port */
		bytes = op | ((q >> TVMM_IO_QUAL_PORT_SHIFT) & 0xff) << 8;
	else		/* the DX forms: EC-EF */
		bytes = op | 0x08;
	ring->io_qual = q;
	ring->io_len = len;
	ring->io_bytes = bytes;
	return bytes;
}

/**
 * trace_fire() - the tvmm_exit tracepoint, for trace-cmd and perf.
 * @vm: the VM
 * @exit: the exit, after its handler ran
 *
 * Called only while someone listens (vcpu.c tests the tracepoint first):
 * the names are looked up before the call, and that would cost every exit
 * otherwise. Out of line: it is not the usual case.
 */
void trace_fire(struct tvmm_vm *vm, const struct tvmm_exit_info *exit)
{
	u32 basic = exit->reason & TVMM_EXIT_REASON_BASIC_MASK;

	trace_tvmm_exit(vm->id, basic, vmx_exit_reason_name(basic), exit->rip,
			exit->qual, exit->gpa, exit->intr_info, exit->error_code,
			tvmm_action_name(exit->action));
}

/**
 * trace_ring_read() - read(): copy whole waiting records to @buf.
 * @ring: the VM's ring
 * @buf: user buffer
 * @len: its size; less than one record is -EINVAL
 * @nonblock: unused for now: read() never waits, poll() does
 *
 * Records go straight from the ring to @buf, as many as fit, in at most
 * two copies (the ring wraps once). The writer never touches the records
 * between tail and head, so no lock is held across copy_to_user(), which
 * may fault and sleep. The tail advances only past records that reached
 * @buf whole: a buffer that faults part-way (an unmapped page) gets the
 * records before the fault now and the rest on the next read(), none
 * lost. read_lock keeps two readers from copying the same records.
 *
 * Return: bytes copied (0 if no record is waiting), or -errno (-EFAULT when
 * not even the first record could be copied).
 */
ssize_t trace_ring_read(struct tvmm_trace_ring *ring, char __user *buf,
			size_t len, bool nonblock)
{
	size_t want = len / sizeof(*ring->records), n, whole;
	u64 head, tail;
	unsigned long left;
	ssize_t copied = 0;

	if (!want)
		return -EINVAL;
	if (mutex_lock_interruptible(&ring->read_lock))
		return -EINTR;
	trace_mmap_take_tail(ring);	/* not again what a mapping reader read */
	head = smp_load_acquire(&ring->head);	/* records before head are whole */
	tail = ring->tail;
	while (want && tail != head) {
		/* Up to the end of the array, then (next pass) from its start. */
		n = min3(want, (size_t)(head - tail),
			 (size_t)(TVMM_TRACE_RING - tail % TVMM_TRACE_RING));
		left = copy_to_user(buf + copied, &ring->records[tail % TVMM_TRACE_RING],
				    n * sizeof(*ring->records));
		whole = (n * sizeof(*ring->records) - left) / sizeof(*ring->records);
		tail += whole;
		copied += whole * sizeof(*ring->records);
		if (left) {
			copied = copied ? copied : -EFAULT;
			break;
		}
		want -= n;
	}
	/* The reader is done with those slots: the writer may reuse them. */
	smp_store_release(&ring->tail, tail);
	/*
	 * A mapping reader starts where this read() stopped. Only tail: the
	 * page's head has one writer, the thread that runs the VM
	 * (trace_ring_publish()), and a second one here, racing with it,
	 * could store an older head after a newer one.
	 */
	WRITE_ONCE(ring->page->tail, tail);
	mutex_unlock(&ring->read_lock);
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
	/*
	 * Queued before looking: pairs with wq_has_sleeper() after each
	 * slice (vcpu_run(): the slice's heads published, then the queue
	 * checked), so a record is either seen here or wakes this poller.
	 */
	smp_mb();
	if (READ_ONCE(ring->head) != READ_ONCE(ring->tail))
		return EPOLLIN | EPOLLRDNORM;
	return ended ? EPOLLHUP : 0;
}
