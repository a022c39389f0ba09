// SPDX-License-Identifier: GPL-2.0
/*
 * seg.c - segmentation: descriptors, segment loads, far jumps and calls,
 * and the instructions that load and store the GDT, IDT, LDT and TSS
 * registers.
 *
 * Concept: protection is data the CPU checks. A selector names a
 * descriptor in the GDT; loading it copies base, limit and access rights
 * into the register's hidden part, after the checks of SDM 5.x (the
 * privilege levels CPL, RPL and DPL). The ring a guest kernel runs in is
 * nothing but the low two bits of CS. A VMM that de-privileges its guest
 * (module/deprivilege.c) must keep a shadow GDT so those checks pass at
 * ring 1; an emulator just runs the checks on the guest's own tables,
 * and SGDT, SMSW or MOV from CS (Popek and Goldberg's sensitive
 * instructions that do not trap) return the true answers, because there
 * is nothing to hide.
 *
 * Not in the subset: the LDT (a selector with TI set is #GP), call gates,
 * task gates and hardware task switches, 16-bit and expand-down segments.
 *
 * SDM: vol. 3A, 3.4 (selectors, descriptors), 3.5 (system descriptors),
 *      5.5-5.8 (privilege checks, far transfers), 7.2 (the TSS); vol. 2,
 *      LGDT/LIDT, SGDT/SIDT, LTR/STR, SLDT, SMSW/LMSW, MOV Sreg.
 * Context: userspace.
 */
#include "emu.h"

#define DESC_P		0x80
#define DESC_S		0x10	/* code or data (else a system descriptor) */
#define DESC_CODE	0x08
#define DESC_CONFORM	0x04	/* code: conforming */
#define DESC_RW		0x02	/* code: readable; data: writable */
#define DESC_DPL(a)	(((a) >> 5) & 3)

void seg_flat(struct emu_seg *s, __u16 sel, __u8 access)
{
	s->sel = sel;
	s->base = 0;
	s->limit = 0xffffffff;
	s->access = access;
	s->big = true;
}

/* The hidden part from an 8-byte descriptor (SDM 3.4.5, figure 3-8). */
void seg_cache(struct emu_seg *s, __u16 sel, const __u8 d[8])
{
	__u32 limit = d[0] | d[1] << 8 | (d[6] & 0x0f) << 16;

	s->sel = sel;
	s->base = d[2] | d[3] << 8 | d[4] << 16 | (__u32)d[7] << 24;
	s->limit = d[6] & 0x80 ? limit << 12 | 0xfff : limit;	/* G: 4-KiB units */
	s->access = d[5];
	s->big = d[6] & 0x40;
}

/*
 * Read the descriptor @sel names from the GDT. A selector past the GDT's
 * limit, or one in the LDT, faults with @vec and the selector as error
 * code (its RPL bits cleared, SDM 6.13).
 */
void seg_read_desc(struct emu_cpu *c, __u16 sel, __u8 d[8], int vec)
{
	unsigned int i;

	if ((sel & 4) || (sel | 7) > c->gdtr.limit)
		fault(c, vec, sel & ~3U);
	for (i = 0; i < 8; i++)
		d[i] = lin_read(c, c->gdtr.base + (sel & ~7U) + i, 1);
}

/* A CPU sets the descriptor's accessed bit when it loads it (SDM 3.4.5.1). */
static void mark_accessed(struct emu_cpu *c, __u16 sel, __u8 d[8])
{
	if (!(d[5] & 1)) {
		d[5] |= 1;
		lin_write(c, c->gdtr.base + (sel & ~7U) + 5, 1, d[5]);
	}
}

/* A stack for level @cpl: a writable data segment, RPL = DPL = @cpl. */
bool seg_stack_ok(__u16 sel, const __u8 d[8], unsigned int cpl)
{
	__u8 a = d[5];

	return (sel & 3) == cpl && DESC_DPL(a) == cpl && (a & DESC_S) &&
	       !(a & DESC_CODE) && (a & DESC_RW);
}

/*
 * MOV/POP to DS, ES, FS, GS or SS, and LDS-style loads (SDM vol. 2B, MOV,
 * "Operation"). A null selector is fine in a data register (a later use
 * faults) but not in SS.
 */
void seg_load(struct emu_cpu *c, int sreg, __u16 sel)
{
	unsigned int rpl = sel & 3;
	__u8 d[8], a;

	if (!(sel & ~3U)) {
		if (sreg == SS)
			fault(c, VEC_GP, 0);
		c->seg[sreg].sel = sel;
		c->seg[sreg].access = 0;	/* unusable */
		return;
	}
	seg_read_desc(c, sel, d, VEC_GP);
	a = d[5];
	if (sreg == SS) {
		if (!seg_stack_ok(sel, d, c->cpl))
			fault(c, VEC_GP, sel & ~3U);
		if (!(a & DESC_P))
			fault(c, VEC_SS, sel & ~3U);
	} else {
		/* Data, or readable code; not more privileged than max(CPL, RPL). */
		if (!(a & DESC_S) || ((a & DESC_CODE) && !(a & DESC_RW)))
			fault(c, VEC_GP, sel & ~3U);
		if ((!(a & DESC_CODE) || !(a & DESC_CONFORM)) &&
		    (rpl > DESC_DPL(a) || c->cpl > DESC_DPL(a)))
			fault(c, VEC_GP, sel & ~3U);
		if (!(a & DESC_P))
			fault(c, VEC_NP, sel & ~3U);
	}
	mark_accessed(c, sel, d);
	seg_cache(&c->seg[sreg], sel, d);
}

/* Load CS from a checked code descriptor; its RPL becomes the CPL. */
void seg_set_cs(struct emu_cpu *c, __u16 sel, const __u8 d[8])
{
	seg_cache(&c->seg[CS], sel, d);
	c->cpl = sel & 3;
	if (!c->seg[CS].big)
		emu_end(c, EMU_END_UNKNOWN_INSN, c->insn_eip,
			"a 16-bit code segment (selector 0x%x) is outside the emulated subset", sel);
}

/*
 * JMP/CALL far to a code segment (SDM 5.8.1): same privilege only.
 * Non-conforming: RPL <= CPL and DPL == CPL; conforming: DPL <= CPL. The
 * CPL does not change. Call gates (the way to a more privileged level)
 * are not in the subset.
 */
void seg_far_jump(struct emu_cpu *c, __u16 sel, __u32 off, bool call)
{
	struct emu_seg target;
	__u8 d[8], a;

	if (!(sel & ~3U))
		fault(c, VEC_GP, 0);
	seg_read_desc(c, sel, d, VEC_GP);
	a = d[5];
	if (!(a & DESC_S)) {
		c->eip = c->insn_eip;
		emu_end(c, EMU_END_UNKNOWN_INSN, c->insn_eip,
			"a far %s through a system descriptor (gate or TSS, selector 0x%x): outside the emulated subset",
			call ? "call" : "jump", sel);
		longjmp(c->fault, 1);
	}
	if (!(a & DESC_CODE))
		fault(c, VEC_GP, sel & ~3U);
	if (a & DESC_CONFORM ? DESC_DPL(a) > c->cpl :
	    (sel & 3) > c->cpl || DESC_DPL(a) != c->cpl)
		fault(c, VEC_GP, sel & ~3U);
	if (!(a & DESC_P))
		fault(c, VEC_NP, sel & ~3U);
	seg_cache(&target, sel, d);
	if (off > target.limit)
		fault(c, VEC_GP, 0);
	if (call) {
		push(c, c->seg[CS].sel, c->osize);
		push(c, c->eip, c->osize);
	}
	mark_accessed(c, sel, d);
	seg_set_cs(c, (sel & ~3U) | c->cpl, d);
	c->eip = off;
}

/* LTR (SDM vol. 2A, LTR): an available 32-bit TSS, marked busy. */
static void load_tr(struct emu_cpu *c, __u16 sel)
{
	__u8 d[8];

	if (!(sel & ~3U))
		fault(c, VEC_GP, 0);
	seg_read_desc(c, sel, d, VEC_GP);
	if ((d[5] & 0x1f) != 0x09)
		fault(c, VEC_GP, sel & ~3U);
	if (!(d[5] & DESC_P))
		fault(c, VEC_NP, sel & ~3U);
	d[5] |= 0x02;	/* busy */
	lin_write(c, c->gdtr.base + (sel & ~7U) + 5, 1, d[5]);
	seg_cache(&c->tr, sel, d);
}

/* Group 6 (0x0f 0x00): SLDT, STR, LLDT, LTR, VERR, VERW. */
void exec_group6(struct emu_cpu *c)
{
	unsigned int reg = MODRM_REG(c->in->modrm);
	struct operand o;

	modrm_operand(c, &o);
	switch (reg) {
	case 0:		/* SLDT, STR: a register gets the zero-extended selector */
	case 1:
		op_write(c, &o, o.is_mem ? 2 : c->osize, reg ? c->tr.sel : c->ldtr.sel);
		return;
	case 2:		/* LLDT: only the null LDT */
		need_cpl0(c);
		if (op_read(c, &o, 2) & ~3U)
			unknown_insn(c);
		c->ldtr.sel = 0;
		return;
	case 3:
		need_cpl0(c);
		load_tr(c, op_read(c, &o, 2));
		return;
	default:
		unknown_insn(c);
	}
}

/*
 * Group 7 (0x0f 0x01): SGDT, SIDT, LGDT, LIDT, SMSW, LMSW, INVLPG, and
 * with a register operand VMCALL (0f 01 c1).
 */
void exec_group7(struct emu_cpu *c)
{
	unsigned int reg = MODRM_REG(c->in->modrm);
	struct operand o;

	if (MODRM_MOD(c->in->modrm) == 3) {
		if (c->in->modrm == 0xc1) {
			exec_vmcall(c);
			return;
		}
		if (reg != 4 && reg != 6)
			unknown_insn(c);
	}
	modrm_operand(c, &o);
	switch (reg) {
	case 0:		/* SGDT, SIDT: limit, then base: at any CPL */
	case 1:
		mem_write(c, o.seg, o.off, 2, reg ? c->idtr.limit : c->gdtr.limit);
		mem_write(c, o.seg, o.off + 2, 4, reg ? c->idtr.base : c->gdtr.base);
		return;
	case 2:		/* LGDT, LIDT */
	case 3: {
		__u16 limit;
		__u32 base;

		need_cpl0(c);
		limit = mem_read(c, o.seg, o.off, 2);
		base = mem_read(c, o.seg, o.off + 2, 4);
		if (c->osize == 2)
			base &= 0xffffff;
		if (reg == 2) {
			c->gdtr.limit = limit;
			c->gdtr.base = base;
		} else {
			c->idtr.limit = limit;
			c->idtr.base = base;
			if (limit)
				timer_start(c);
		}
		return;
	}
	case 4:		/* SMSW: CR0's low 16 bits to memory, all 32 to a register */
		op_write(c, &o, o.is_mem ? 2 : c->osize, c->cr0);
		return;
	case 6:		/* LMSW: PE, MP, EM, TS only; PE cannot be cleared */
		need_cpl0(c);
		write_cr0(c, (c->cr0 & ~0xeU) | (op_read(c, &o, 2) & 0xf) | (c->cr0 & CR0_PE));
		event(c, EXIT_REASON_CR_ACCESS, 3 << 4, TVMM_ACTION_EMULATED, "lmsw");
		return;
	case 7:		/* INVLPG: no TLB here */
		need_cpl0(c);
		return;
	default:
		unknown_insn(c);
	}
}
