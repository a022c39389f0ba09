/* SPDX-License-Identifier: GPL-2.0 */
/*
 * trace_record.h - the record of one VM exit, written in place by the run
 * loop.
 *
 * Concept: tracing is a tax on every exit of a traced VM, so its cost is
 * counted in instructions. The record is written straight into the next
 * free slot of the VM's ring (trace.c has the ring, read(), poll() and the
 * tracepoint), with nothing formatted and nothing copied twice: fixed
 * fields, two VMREADs the exit information lacks (CS, and SS for the
 * CPL), the mnemonic, the instruction's bytes. It is inline in the run
 * loop (vcpu.c): as a call it cost 26 more instructions per exit (the
 * call, saving and restoring six registers, reloading what the loop had
 * in registers). What is constant in every record (version, size) was
 * written into each slot when the ring was allocated, and waking a
 * poll() that sleeps on the ring happens once per slice (vcpu.c), not
 * once per record.
 *
 * SDM: vol. 3C, 28.2.1 (exit qualification of I/O instructions), 28.2.4
 *      (VM-exit instruction length); vol. 3D, appendix C (exit reasons).
 * Context: the run loop, preemption off, the VM's VMCS current.
 */
#ifndef _TVMM_TRACE_RECORD_H
#define _TVMM_TRACE_RECORD_H

#include <linux/string.h>

#include "tvmm.h"
#include "vmx_insn.h"

/*
 * The mnemonic, NUL-padded to its field. The names are string literals,
 * and a slot keeps its text from one lap of the ring to the next (only
 * this writer stores into a slot; the mapping is read-only), so the ring
 * remembers which name each slot holds: a record with the same name as
 * the slot's last one (a guest's exits repeat: a loop of OUTs, of CPUIDs)
 * compares one pointer and copies nothing.
 */
static __always_inline void trace_copy_mnemonic(struct tvmm_trace_ring *ring, u64 head,
						const char *name, struct tvmm_exit_record *rec)
{
	const char **held = &ring->names[head % TVMM_TRACE_RING];

	if (unlikely(*held != name)) {
		strscpy_pad(rec->mnemonic, name, TVMM_MNEMONIC_MAX);
		*held = name;
	}
}

/*
 * The device access (mmio.c), which few exits have. A slot whose width is
 * 0 holds a value and a direction of 0 too: so it was allocated (zeroed),
 * and so every record leaves it, because the three are written together
 * whenever this exit or the slot's last record has a width. When neither
 * has one, the slot already says "no device access": one test, no stores.
 */
static __always_inline void trace_copy_mmio(const struct tvmm_exit_info *exit,
					    struct tvmm_exit_record *rec)
{
	if (unlikely(exit->mmio_width | rec->mmio_width)) {
		rec->mmio_value = exit->mmio_value;
		rec->mmio_width = exit->mmio_width;
		rec->mmio_write = exit->mmio_write;
	}
}

/*
 * The most frequent instruction exits name their instruction exactly: a
 * CPUID of 2 bytes can only be 0F A2, and an IN or OUT without prefixes
 * is one opcode and, for the immediate form, the port (trace.c,
 * trace_io_insn(), works it out from the exit qualification). For those
 * the record's bytes are built from the exit: the same bytes the guest's
 * memory holds (the CPU has just decoded them there, and nothing ran
 * since), without the CS-base VMREAD and the trip through guest memory.
 * A guest's I/O repeats (a loop on one port): the last IN/OUT's
 * qualification, length and bytes are kept, and the same IN/OUT again
 * takes them, two comparisons instead of the decoding. I/O is tested
 * first: its path is the longer one. Return: the bytes (little-endian),
 * or 0 if this exit is not one of those.
 */
static __always_inline u64 trace_insn_from_exit(struct tvmm_trace_ring *ring,
						const struct tvmm_exit_info *exit)
{
	u32 basic = exit->reason & TVMM_EXIT_REASON_BASIC_MASK;

	if (basic == EXIT_REASON_IO_INSTRUCTION) {
		if (exit->qual == ring->io_qual && exit->insn_len == ring->io_len)
			return ring->io_bytes;
		return trace_io_insn(ring, exit);
	}
	return basic == EXIT_REASON_CPUID && exit->insn_len == 2 ? 0xa20f : 0;
}

/*
 * insn[] and the reserved byte after it as two 8-byte stores (15 bytes
 * would take a third), @lo the first 8 bytes and @hi the next: the 16th
 * byte is always 0, as the reserved byte must stay (an instruction has
 * at most 15 bytes). Unaligned stores: insn[] starts at offset 78.
 */
static __always_inline void trace_store_insn(struct tvmm_exit_record *rec, u64 lo, u64 hi)
{
	u8 *at = (u8 *)rec + offsetof(struct tvmm_exit_record, insn);

	static_assert(offsetof(struct tvmm_exit_record, reserved0) ==
		      offsetof(struct tvmm_exit_record, insn) + TVMM_INSN_MAX);
	memcpy(at, &lo, sizeof(lo));		/* constant size: one store each */
	memcpy(at + sizeof(lo), &hi, sizeof(hi));
}

/*
 * The bytes of the instruction that exited. Every path writes all of
 * insn[]: the slot still holds an older record's bytes. The exits whose
 * bytes follow from the exit itself (above) take no call; they are right
 * with paging on too, because they never look at memory.
 */
static __always_inline void trace_fetch_insn(struct tvmm_vm *vm,
					     const struct tvmm_exit_info *exit,
					     struct tvmm_exit_record *rec)
{
	u64 bytes = trace_insn_from_exit(&vm->trace, exit);

	if (bytes) {		/* at most 2 bytes: the rest of insn[] is 0 */
		trace_store_insn(rec, bytes, 0);
		rec->insn_len = exit->insn_len;
		return;
	}
	trace_fetch_insn_slow(vm, exit, rec);
}

/**
 * trace_record_exit() - the record of one handled exit of a traced VM (the
 * counters are trace_count_exit()'s, every exit; the tracepoint is
 * trace_fire()'s).
 * @vm: the VM (its VMCS current)
 * @exit: the exit, after its handler ran
 * @cycles: TSC ticks from the VM exit to the end of the handler
 */
static __always_inline void trace_record_exit(struct tvmm_vm *vm,
					      const struct tvmm_exit_info *exit, u64 cycles)
{
	u32 basic = exit->reason & TVMM_EXIT_REASON_BASIC_MASK;
	struct tvmm_trace_ring *ring = &vm->trace;
	struct tvmm_exit_record *rec;
	u64 head = ring->head;

	/*
	 * The slice's bound (trace_ring_slice_begin()), one comparison on
	 * the usual path: this record takes the last free slot, so the run
	 * loop stops after this exit (vcpu_slice_over() tests the flag) and
	 * the next record finds room.
	 */
	if (unlikely(head + 1 >= ring->limit)) {
		if (head >= ring->limit) {
			/* Cannot happen: the run loop stops when the ring is full. */
			vm->stats.records_dropped++;
			return;
		}
		vm->trace_filled = true;
	}
	/*
	 * Every field is stored, so no memset of the slot first; version,
	 * size, the struct's padding and reserved bytes were written at
	 * allocation (trace_ring_init()) and are never written again.
	 */
	rec = &ring->records[head % TVMM_TRACE_RING];
	rec->reason_code = basic;
	rec->seq = ring->seq_base + head;	/* trace_next_seq() */
	rec->tsc = exit->tsc_exit;
	rec->qual = exit->qual;
	rec->rip = exit->rip;
	rec->rflags = exit->rflags;
	rec->gpa = exit->gpa;
	rec->cycles = cycles;
	rec->intr_info = exit->intr_info;
	rec->error_code = exit->error_code;
	rec->cs = vmcs_read(VMCS_GUEST_CS_SELECTOR);
	rec->cpl = (vmcs_read(VMCS_GUEST_SS_AR_BYTES) >> VMCS_AR_DPL_SHIFT) & VMCS_AR_DPL_MASK;
	/* The guest's IF before the handler: its own, or tvmm's copy (vm.c). */
	rec->vif = vm->record_vif ? exit->vif : !!(exit->rflags & X86_EFLAGS_IF);
	rec->action = exit->action;
	trace_copy_mnemonic(ring, head, exit->mnemonic, rec);	/* never NULL */
	trace_copy_mmio(exit, rec);
	trace_fetch_insn(vm, exit, rec);
	/* The record is whole before the reader can see it (acquire in read). */
	smp_store_release(&ring->head, head + 1);
}

#endif /* _TVMM_TRACE_RECORD_H */
