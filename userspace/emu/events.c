// SPDX-License-Identifier: GPL-2.0
/*
 * events.c - the trace of an emulated run: one record for each event
 * tvmm.ko would have had a VM exit for.
 *
 * Concept: what "trapping" would have cost. The emulator needs no exits,
 * but writing down where the hardware-assisted VMM would have taken one
 * (an OUT, a CPUID, a HLT, a timer tick injected...) gives a trace in the
 * format of `tvmm run --trace` (docs/trace-format.md), so `tvmm stats`
 * and `tvmm dot` read both, and the two runs of one guest can be laid
 * side by side: the same events, but here every other instruction was
 * emulated too (`tvmm emulate` prints how many).
 *
 * Fields: tsc is the guest's TSC (the instruction count); cycles is 0
 * (no exit was taken); cs, cpl, rflags, vif as at the instruction.
 * Context: userspace.
 */
#include <string.h>

#include "emu.h"

void event(struct emu_cpu *c, unsigned int reason, __u64 qual, unsigned int action,
	   const char *mnemonic)
{
	struct tvmm_exit_record rec;
	unsigned int i;

	if (reason < sizeof(c->events) / sizeof(c->events[0]))
		c->events[reason]++;
	if (!c->host || !c->host->record)
		return;
	memset(&rec, 0, sizeof(rec));
	rec.version = TVMM_EXIT_RECORD_VERSION;
	rec.size = sizeof(rec);
	rec.reason_code = reason;
	rec.seq = c->seq++;
	rec.tsc = c->tsc;
	rec.qual = qual;
	rec.rip = c->insn_eip;
	rec.rflags = c->eflags;
	rec.cs = c->seg[CS].sel;
	rec.cpl = c->cpl;
	rec.vif = !!(c->eflags & FL_IF);
	rec.action = action;
	if (reason == EXIT_REASON_EPT_VIOLATION)
		rec.gpa = c->end ? c->end_info : c->mmio_gpa;
	rec.mmio_value = c->mmio_value;
	rec.mmio_width = c->mmio_width;
	rec.mmio_write = c->mmio_write;
	if (*mnemonic) {	/* an instruction's event: its bytes too */
		rec.insn_len = c->in->len;
		for (i = 0; i < c->in->len && i < TVMM_INSN_MAX; i++)
			rec.insn[i] = c->bytes[i];
	}
	strncpy(rec.mnemonic, mnemonic, TVMM_MNEMONIC_MAX - 1);
	c->host->record(c->host, &rec);
}
