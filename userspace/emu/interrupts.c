// SPDX-License-Identifier: GPL-2.0
/*
 * interrupts.c - exceptions, INT n, IRET, and the virtual timer.
 *
 * Concept: how control reaches the guest kernel. An exception, a software
 * INT or the timer's vector 0x20 all go through the guest's own IDT: the
 * gate names a code segment and an offset; if that segment is more
 * privileged than the code running (an application at ring 3 making a
 * system call), the CPU switches to the kernel's stack, which it finds in
 * the TSS (SS0:ESP0), and pushes the old SS:ESP before EFLAGS, CS and
 * EIP. IRET undoes it. This is the path tvmm.ko "reflects" a guest's trap
 * into and "injects" its timer through (module/event.c, virq.c); here it
 * is simply what the CPU does.
 *
 * A fault while delivering a fault is a double fault; a fault while
 * delivering that ends the machine (triple fault, a shutdown: status
 * 110, as under VT-x).
 *
 * The virtual timer follows the guest ABI (docs/abi.md): once the guest
 * has an IDT, vector 0x20 every period of guest TSC ticks, held pending
 * while IF is 0 (one at most), taken between instructions.
 *
 * SDM: vol. 3A, 6.10-6.12 (IDT, gates, stack switch), 6.15 (double
 *      fault, table 6-5), 6.13 (error codes), 7.2.1 (TSS: SS0/ESP0..);
 *      vol. 2A, INT n/INTO/INT3, IRET.
 * Context: userspace.
 */
#include "emu.h"

bool exc_has_error(int vec)
{
	return vec == VEC_DF || (vec >= VEC_TS && vec <= VEC_PF) || vec == VEC_AC;
}

/* Table 6-4's classes: two contributory faults in a row are a #DF. */
static bool contributory(int vec)
{
	return vec == VEC_DE || (vec >= VEC_TS && vec <= VEC_GP);
}

/*
 * A fault in the current instruction: it did not happen (EIP back to its
 * first byte), and the exception is delivered instead. Called from deep
 * inside an instruction, so it does not return: longjmp to emu_step().
 */
void fault(struct emu_cpu *c, int vec, __u32 err)
{
	int first = c->delivering;

	c->eip = c->insn_eip;
	if (first == VEC_DF) {
		event(c, EXIT_REASON_TRIPLE_FAULT, 0, TVMM_ACTION_FATAL, "");
		emu_end(c, TVMM_END_TRIPLE_FAULT, c->insn_eip,
			"triple fault: an exception while delivering a double fault");
		longjmp(c->fault, 1);
	}
	if (first >= 0 && contributory(first) && contributory(vec)) {
		vec = VEC_DF;
		err = 0;
	}
	deliver(c, vec, exc_has_error(vec), err, false);
	longjmp(c->fault, 1);
}

/* SS:ESP for ring @dpl from the TSS (32-bit TSS: ESPn at 4 + 8n). */
static void tss_stack(struct emu_cpu *c, unsigned int dpl, __u16 *ss, __u32 *esp)
{
	__u32 at = 4 + 8 * dpl;

	if (at + 5 > c->tr.limit)
		fault(c, VEC_TS, c->tr.sel & ~3U);
	*esp = lin_read(c, c->tr.base + at, 4);
	*ss = lin_read(c, c->tr.base + at + 4, 2);
}

/*
 * Deliver vector @vec through the IDT (SDM 6.12.1). @soft: INT n, INT3,
 * INTO, whose gate's DPL must allow the current CPL. EIP already points
 * where the handler's IRET returns: the faulting instruction for a fault,
 * the next one for a trap, INT n or an interrupt.
 */
void deliver(struct emu_cpu *c, int vec, bool has_err, __u32 err, bool soft)
{
	__u32 gate_lo, gate_hi, off, esp = c->gpr[ESP], old_eflags = c->eflags;
	unsigned int type, dpl, ext = soft ? 0 : 1;
	struct emu_seg old_ss = c->seg[SS];
	__u16 old_cs = c->seg[CS].sel, sel;
	__u8 d[8];

	c->delivering = vec;
	if ((unsigned int)vec * 8 + 7 > c->idtr.limit)
		fault(c, VEC_GP, vec * 8 + 2 + ext);
	gate_lo = lin_read(c, c->idtr.base + vec * 8, 4);
	gate_hi = lin_read(c, c->idtr.base + vec * 8 + 4, 4);
	type = (gate_hi >> 8) & 0x1f;
	dpl = (gate_hi >> 13) & 3;
	if (type != 0x0e && type != 0x0f) {	/* 32-bit interrupt or trap gate */
		if (type == 0x05)
			emu_end(c, EMU_END_UNKNOWN_INSN, c->insn_eip,
				"vector %d: a task gate, outside the emulated subset", vec);
		fault(c, VEC_GP, vec * 8 + 2 + ext);
	}
	if (soft && dpl < c->cpl)
		fault(c, VEC_GP, vec * 8 + 2);
	if (!(gate_hi & 0x8000))
		fault(c, VEC_NP, vec * 8 + 2 + ext);
	sel = gate_lo >> 16;
	off = (gate_lo & 0xffff) | (gate_hi & 0xffff0000);

	/* The handler's code segment: code, present, not less privileged than... */
	if (!(sel & ~3U))
		fault(c, VEC_GP, ext);
	seg_read_desc(c, sel, d, VEC_GP);
	if (!(d[5] & 0x10) || !(d[5] & 0x08) || ((d[5] >> 5) & 3) > c->cpl)
		fault(c, VEC_GP, (sel & ~3U) + ext);
	if (!(d[5] & 0x80))
		fault(c, VEC_NP, (sel & ~3U) + ext);
	dpl = (d[5] >> 5) & 3;
	if (d[5] & 0x04)	/* conforming: stays at the current level */
		dpl = c->cpl;

	if (dpl < c->cpl) {
		/* Inter-privilege: the inner stack from the TSS, old SS:ESP on it. */
		__u16 new_ss;
		__u32 new_esp;
		__u8 sd[8];

		tss_stack(c, dpl, &new_ss, &new_esp);
		/* The new stack must suit the new level, else #TS (SDM 6.12.1.1). */
		if (!(new_ss & ~3U))
			fault(c, VEC_TS, ext);
		seg_read_desc(c, new_ss, sd, VEC_TS);
		if (!seg_stack_ok(new_ss, sd, dpl))
			fault(c, VEC_TS, (new_ss & ~3U) + ext);
		seg_cache(&c->seg[SS], new_ss, sd);
		c->gpr[ESP] = new_esp;
		c->cpl = dpl;	/* the pushes are the kernel's: supervisor accesses */
		push(c, old_ss.sel, 4);
		push(c, esp, 4);
	}
	push(c, old_eflags, 4);
	push(c, old_cs, 4);
	push(c, c->eip, 4);
	if (has_err)
		push(c, err, 4);
	seg_set_cs(c, (sel & ~3U) | dpl, d);
	c->eip = off;
	/* Both gates clear TF, NT, RF and VM; an interrupt gate also IF. */
	c->eflags &= ~(FL_TF | FL_NT | FL_RF | FL_VM);
	if (type == 0x0e)
		c->eflags &= ~FL_IF;
	c->delivering = -1;
}

/*
 * INT n, INT3, INTO: a software interrupt, delivered after the
 * instruction (EIP already past it), checked against the gate's DPL.
 */
void exec_int(struct emu_cpu *c, int vec)
{
	deliver(c, vec, false, 0, true);
}

/*
 * IRET (SDM vol. 2A, IRET, protected mode, no task return): EIP, CS,
 * EFLAGS; to an outer level also ESP and SS. EFLAGS goes through the same
 * CPL/IOPL filter as POPF: a ring-1 kernel's IRET cannot set IF, the
 * reason minios ends its timer handler with STI.
 */
void exec_iret(struct emu_cpu *c)
{
	unsigned int s = c->osize, new_cpl;
	__u32 eip, eflags, esp = 0;
	__u16 cs, ss = 0;
	__u8 d[8];
	int r;

	if (c->eflags & FL_NT)
		unknown_insn(c);	/* a task return */
	eip = mem_read(c, SS, c->gpr[ESP], s);
	cs = mem_read(c, SS, c->gpr[ESP] + s, 2);
	eflags = mem_read(c, SS, c->gpr[ESP] + 2 * s, s);
	new_cpl = cs & 3;
	if (new_cpl < c->cpl || !(cs & ~3U))
		fault(c, VEC_GP, cs & ~3U);
	seg_read_desc(c, cs, d, VEC_GP);
	if (!(d[5] & 0x10) || !(d[5] & 0x08) ||
	    (d[5] & 0x04 ? ((d[5] >> 5) & 3) > new_cpl : ((d[5] >> 5) & 3) != new_cpl))
		fault(c, VEC_GP, cs & ~3U);
	if (!(d[5] & 0x80))
		fault(c, VEC_NP, cs & ~3U);
	if (new_cpl > c->cpl) {
		esp = mem_read(c, SS, c->gpr[ESP] + 3 * s, s);
		ss = mem_read(c, SS, c->gpr[ESP] + 4 * s, 2);
	}
	set_eflags(c, eflags, s, true);	/* with the old CPL's rights */
	c->gpr[ESP] += 3 * s;
	seg_set_cs(c, cs, d);
	c->eip = eip;
	if (new_cpl != c->cpl || esp || ss) {
		/* Already at new_cpl: load SS with its checks, then ESP. */
		seg_load(c, SS, ss);
		c->gpr[ESP] = esp;
		/* Data segments the outer level may not use become null (SDM IRET). */
		for (r = ES; r < NR_SEGS; r++) {
			__u8 a = c->seg[r].access;

			if (r == CS || r == SS || !(a & 0x80))
				continue;
			if ((!(a & 0x08) || !(a & 0x04)) && ((a >> 5) & 3) < new_cpl) {
				c->seg[r].sel = 0;
				c->seg[r].access = 0;
			}
		}
	}
}

void timer_start(struct emu_cpu *c)
{
	if (c->timer_on || !c->timer_period)
		return;
	c->timer_on = true;
	c->timer_deadline = c->tsc + c->timer_period;
}

/*
 * Before each instruction: is a tick due (then it is pending, at most
 * one), and can the pending one be taken (IF 1, not right after STI or
 * MOV SS)? Taking it is an interrupt delivery, and the trace records it
 * as tvmm.ko does: a PREEMPTION_TIMER exit with action "injected".
 */
bool timer_poll(struct emu_cpu *c)
{
	if (c->timer_on && (__s64)(c->tsc - c->timer_deadline) >= 0) {
		__u64 due = (c->tsc - c->timer_deadline) / c->timer_period + 1;

		c->irq_pending = true;
		c->timer_deadline += due * c->timer_period;
	}
	if (!c->irq_pending || !(c->eflags & FL_IF) || c->sti_shadow)
		return false;
	c->irq_pending = false;
	c->insn_eip = c->eip;
	event(c, EXIT_REASON_PREEMPTION_TIMER, 0, TVMM_ACTION_INJECTED, "");
	deliver(c, VEC_TIMER, false, 0, false);
	return true;
}
