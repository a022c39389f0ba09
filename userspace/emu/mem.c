// SPDX-License-Identifier: GPL-2.0
/*
 * mem.c - operands: registers by size, the ModR/M operand, and memory
 * reached through a segment into guest RAM.
 *
 * Concept: an emulator's memory is an array, and every guest load and
 * store goes through this file: segment base plus offset (with the
 * segment's limit checked) gives a linear address; paging is off in the
 * guest ABI, so the linear address is the physical one; and an address
 * outside the array is what VT-x reports as an EPT violation, the end of
 * the run. Where the hardware-assisted VMM pays for nothing here (the MMU
 * and EPT translate in hardware), the emulator pays a function call and
 * two checks on every byte the guest touches.
 *
 * SDM: vol. 2A, 2.1.5 (ModR/M and SIB, tables 2-2 and 2-3); vol. 3A, 3.4
 *      (logical to linear addresses), 5.3 (limit checking), 3.4.2 (the
 *      default segment: SS for ESP/EBP-based addresses, DS otherwise).
 * Context: userspace.
 */
#include "emu.h"

/*
 * Byte registers: 0-3 are AL, CL, DL, BL (bits 7:0 of EAX..EBX), 4-7 are
 * AH, CH, DH, BH (bits 15:8 of the same four).
 */
__u32 get_reg(const struct emu_cpu *c, unsigned int reg, unsigned int size)
{
	if (size == 1)
		return reg < 4 ? c->gpr[reg] & 0xff : (c->gpr[reg - 4] >> 8) & 0xff;
	if (size == 2)
		return c->gpr[reg] & 0xffff;
	return c->gpr[reg];
}

void set_reg(struct emu_cpu *c, unsigned int reg, unsigned int size, __u32 v)
{
	if (size == 1 && reg < 4)
		c->gpr[reg] = (c->gpr[reg] & ~0xffU) | (v & 0xff);
	else if (size == 1)
		c->gpr[reg - 4] = (c->gpr[reg - 4] & ~0xff00U) | ((v & 0xff) << 8);
	else if (size == 2)
		c->gpr[reg] = (c->gpr[reg] & ~0xffffU) | (v & 0xffff);
	else
		c->gpr[reg] = v;
}

/* The segment of a memory operand: the override prefix, else @def. */
int data_seg(const struct emu_cpu *c, int def)
{
	return c->seg_override >= 0 ? c->seg_override : def;
}

/* Does the addressing form use ESP or EBP as its base (default SS)? */
static bool stack_based(const struct insn *in)
{
	unsigned int mod = MODRM_MOD(in->modrm), rm = MODRM_RM(in->modrm);

	if (!in->has_sib)
		return rm == INSN_REG_EBP && mod != 0;
	if ((in->sib & 7) == INSN_REG_ESP)
		return true;
	return (in->sib & 7) == INSN_REG_EBP && mod != 0;
}

void modrm_operand(struct emu_cpu *c, struct operand *op)
{
	const struct insn *in = &c->in;

	if (MODRM_MOD(in->modrm) == 3) {
		op->is_mem = false;
		op->reg = MODRM_RM(in->modrm);
		return;
	}
	op->is_mem = true;
	op->off = insn_ea(in, c->gpr);	/* the decoder's own address arithmetic */
	op->seg = data_seg(c, stack_based(in) ? SS : DS);
}

__u32 op_read(struct emu_cpu *c, const struct operand *op, unsigned int size)
{
	return op->is_mem ? mem_read(c, op->seg, op->off, size) : get_reg(c, op->reg, size);
}

void op_write(struct emu_cpu *c, const struct operand *op, unsigned int size, __u32 v)
{
	if (op->is_mem)
		mem_write(c, op->seg, op->off, size, v);
	else
		set_reg(c, op->reg, size, v);
}

/*
 * Linear = physical here (paging off). Outside RAM is where VT-x would
 * exit with an EPT violation: the run ends as `tvmm run` ends it (111),
 * with the same trace record (EPT_VIOLATION, action fatal, the GPA).
 */
static __u8 *phys(struct emu_cpu *c, __u32 lin, unsigned int size, bool write)
{
	if ((__u64)lin + size <= c->ram_size)
		return c->ram + lin;
	c->eip = c->insn_eip;
	emu_end(c, TVMM_END_EPT_VIOLATION, lin < c->ram_size ? c->ram_size : lin,
		"the guest accessed guest-physical 0x%x, outside its %u KiB of RAM",
		lin < c->ram_size ? c->ram_size : lin, c->ram_size >> 10);
	event(c, EXIT_REASON_EPT_VIOLATION, write ? 0x2 : 0x1, TVMM_ACTION_FATAL, "");
	longjmp(c->fault, 1);
}

__u32 lin_read(struct emu_cpu *c, __u32 lin, unsigned int size)
{
	const __u8 *p = phys(c, lin, size, false);
	__u32 v = 0;
	unsigned int i;

	for (i = 0; i < size; i++)	/* x86 is little endian */
		v |= (__u32)p[i] << (8 * i);
	return v;
}

void lin_write(struct emu_cpu *c, __u32 lin, unsigned int size, __u32 v)
{
	__u8 *p = phys(c, lin, size, true);
	unsigned int i;

	for (i = 0; i < size; i++)
		p[i] = v >> (8 * i);
}

/*
 * The checks of SDM 5.3 and 3.4.5.1 on a data access: a usable segment
 * (not null), readable or writable as asked, and the whole access inside
 * its limit. Expand-down segments are not in the subset: no guest has one.
 * A violation is #GP(0), or #SS(0) through SS.
 */
static __u32 linear(struct emu_cpu *c, int seg, __u32 off, unsigned int size, bool write)
{
	const struct emu_seg *s = &c->seg[seg];
	int vec = seg == SS ? VEC_SS : VEC_GP;
	bool code = s->access & 0x08;

	if (!(s->access & 0x80))			/* null or not present */
		fault(c, vec, 0);
	if (write ? code || !(s->access & 0x02) : code && !(s->access & 0x02))
		fault(c, vec, 0);
	if ((__u64)off + size - 1 > s->limit)
		fault(c, vec, 0);
	return s->base + off;
}

__u32 mem_read(struct emu_cpu *c, int seg, __u32 off, unsigned int size)
{
	return lin_read(c, linear(c, seg, off, size, false), size);
}

void mem_write(struct emu_cpu *c, int seg, __u32 off, unsigned int size, __u32 v)
{
	lin_write(c, linear(c, seg, off, size, true), size, v);
}
