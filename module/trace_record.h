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
 * The mnemonic, NUL-padded to its field. A guest's exits repeat (a loop of
 * OUTs, CPUIDs): the last name copied is kept padded, and a record with the
 * same name (the same string: the names are literals) takes a copy of those
 * 16 bytes instead of a string copy.
 */
static __always_inline void trace_copy_mnemonic(struct tvmm_vm *vm, const char *name,
						char out[TVMM_MNEMONIC_MAX])
{
	if (name != vm->trace.last_mnemonic) {
		strscpy_pad(vm->trace.last_mnemonic_text, name, TVMM_MNEMONIC_MAX);
		vm->trace.last_mnemonic = name;
	}
	memcpy(out, vm->trace.last_mnemonic_text, TVMM_MNEMONIC_MAX);
}

/*
 * The most frequent instruction exits name their instruction exactly: a
 * CPUID of 2 bytes can only be 0F A2, and an IN or OUT without prefixes
 * is one opcode (the exit qualification gives its direction, its size and
 * whether the port is an immediate or DX: SDM vol. 3C, 28.2.1, table
 * 28-5; opcodes E4-E7 and EC-EF, vol. 2A "IN", 2B "OUT") and, for the
 * immediate form, the port as its second byte. For those the record's
 * bytes are built from the exit: the same bytes the guest's memory holds
 * (the CPU has just decoded them there, and nothing ran since), without
 * the CS-base VMREAD and the trip through guest memory. A longer one has
 * prefixes, which only memory knows. Return: the bytes (little-endian),
 * or 0 if this exit is not one of those.
 */
static __always_inline u64 trace_insn_from_exit(const struct tvmm_exit_info *exit)
{
	u32 basic = exit->reason & TVMM_EXIT_REASON_BASIC_MASK;
	u64 q = exit->qual;
	bool in = q & TVMM_IO_QUAL_IN;
	u8 op;

	if (basic == EXIT_REASON_CPUID)
		return exit->insn_len == 2 ? 0xa20f : 0;
	if (basic != EXIT_REASON_IO_INSTRUCTION || (q & TVMM_IO_QUAL_STRING))
		return 0;
	op = (in ? 0xe4 : 0xe6) | ((q & TVMM_IO_QUAL_SIZE_MASK) ? 1 : 0);
	if (q & TVMM_IO_QUAL_IMM)	/* IN/OUT with an imm8 port: 2 bytes */
		return exit->insn_len == 2 ? op | ((q >> TVMM_IO_QUAL_PORT_SHIFT) & 0xff) << 8 : 0;
	return exit->insn_len == 1 ? op | 0x08 : 0;	/* the DX forms: EC-EF */
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
	u64 words[2] = { trace_insn_from_exit(exit), 0 };

	if (words[0]) {
		memcpy(rec->insn, words, TVMM_INSN_MAX);	/* all of insn[] */
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
	u64 head, tail;

	head = ring->head;
	/* Acquire: the slot the reader freed is no longer being copied. */
	tail = smp_load_acquire(&ring->tail);
	if (head - tail >= TVMM_TRACE_RING) {
		/* Cannot happen: the run loop stops when the ring is full. */
		vm->stats.records_dropped++;
		return;
	}
	/*
	 * Every field is stored, so no memset of the slot first; version,
	 * size, the struct's padding and reserved bytes were written at
	 * allocation (trace_ring_init()) and are never written again.
	 */
	rec = &ring->records[head % TVMM_TRACE_RING];
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
	rec->cpl = (vmcs_read(VMCS_GUEST_SS_AR_BYTES) >> VMCS_AR_DPL_SHIFT) & VMCS_AR_DPL_MASK;
	rec->vif = exit->vif;
	rec->action = exit->action;
	trace_copy_mnemonic(vm, exit->mnemonic, rec->mnemonic);	/* never NULL */
	rec->mmio_value = exit->mmio_value;
	rec->mmio_width = exit->mmio_width;
	rec->mmio_write = exit->mmio_write;
	trace_fetch_insn(vm, exit, rec);
	/* The record is whole before the reader can see it (acquire in read). */
	smp_store_release(&ring->head, head + 1);
	/*
	 * That was the last free slot: the run loop stops after this exit
	 * (vcpu_slice_over() tests this flag, not the ring: a load instead of
	 * an acquire and a subtraction, on every exit), so the next record
	 * finds room.
	 */
	if (head + 1 - tail >= TVMM_TRACE_RING)
		vm->trace_filled = true;
}

#endif /* _TVMM_TRACE_RECORD_H */
