// SPDX-License-Identifier: GPL-2.0
/*
 * mem.c - operands: registers by size, the ModR/M operand, and memory
 * reached through a segment into guest RAM.
 *
 * Concept: an emulator's memory is an array, and every guest load and
 * store goes through this file: segment base plus offset (with the
 * segment's limit checked) gives a linear address; with paging off (the
 * guest ABI's start) that is the physical one, with paging on a walk of
 * the guest's page tables gives it; tvmm-dev's page goes to the device
 * (device.c); and any other address
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
	return c->d->seg_override >= 0 ? c->d->seg_override : def;
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
	const struct insn *in = c->in;

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

/* Page-table entries: 4 bytes of guest-physical RAM, checked by the caller. */
static __u32 lin_read_phys(const struct emu_cpu *c, __u32 pa)
{
	const __u8 *p = c->ram + pa;

	return p[0] | p[1] << 8 | p[2] << 16 | (__u32)p[3] << 24;
}

static void lin_write_phys(struct emu_cpu *c, __u32 pa, __u32 v)
{
	__u8 *p = c->ram + pa;

	p[0] = v;
	p[1] = v >> 8;
	p[2] = v >> 16;
	p[3] = v >> 24;
}

/*
 * Outside RAM is where VT-x would exit with an EPT violation: the run
 * ends as `tvmm run` ends it (111), with the same trace record
 * (EPT_VIOLATION, action fatal, the GPA).
 */
static void __attribute__((noreturn)) outside_ram(struct emu_cpu *c, __u32 pa, bool write)
{
	c->eip = c->insn_eip;
	emu_end(c, TVMM_END_EPT_VIOLATION, pa,
		"the guest accessed guest-physical 0x%x, outside its %u KiB of RAM",
		pa, c->ram_size >> 10);
	event(c, EXIT_REASON_EPT_VIOLATION, write ? 0x2 : 0x1, TVMM_ACTION_FATAL, "");
	longjmp(c->fault, 1);
}

/*
 * Paging (CR0.PG), 32-bit two-level tables: the directory entry for bits
 * 31:22, a table entry for bits 21:12 (or a 4-MiB page with CR4.PSE and
 * PDE.PS). Not present, a write to a read-only page (from ring 3, or with
 * CR0.WP), or a ring-3 access to a supervisor page: #PF with the address
 * in CR2 (SDM vol. 3A, 4.3, 4.6, 4.7). Accessed and dirty bits are set
 * as the CPU sets them. No TLB: every access walks (INVLPG has nothing
 * to flush). Returns false with *err = the #PF error code; @pa = the
 * physical address.
 */
static bool walk(struct emu_cpu *c, __u32 lin, bool write, bool user, __u32 *pa, __u32 *err)
{
	__u32 pde_at = (c->cr3 & ~0xfffU) + (lin >> 22) * 4, pde, pte_at, pte;
	bool wp = c->cr0 & 0x10000;

	*err = (write ? 2 : 0) | (user ? 4 : 0);
	if ((__u64)pde_at + 4 > c->ram_size)
		outside_ram(c, pde_at, false);
	pde = lin_read_phys(c, pde_at);
	if (!(pde & 1))
		return false;
	if ((pde & 0x80) && (c->cr4 & 0x10)) {		/* a 4-MiB page */
		*err |= 1;
		if ((user && !(pde & 4)) || (write && !(pde & 2) && (user || wp)))
			return false;
		lin_write_phys(c, pde_at, pde | 0x20 | (write ? 0x40 : 0));
		*pa = (pde & 0xffc00000) | (lin & 0x3fffff);
		return true;
	}
	pte_at = (pde & ~0xfffU) + ((lin >> 12) & 0x3ff) * 4;
	if ((__u64)pte_at + 4 > c->ram_size)
		outside_ram(c, pte_at, false);
	pte = lin_read_phys(c, pte_at);
	if (!(pte & 1))
		return false;
	*err |= 1;
	/* Both levels' U/S and R/W must allow it. */
	if ((user && !(pde & pte & 4)) || (write && !(pde & pte & 2) && (user || wp)))
		return false;
	lin_write_phys(c, pde_at, pde | 0x20);
	lin_write_phys(c, pte_at, pte | 0x20 | (write ? 0x40 : 0));
	*pa = (pte & ~0xfffU) | (lin & 0xfff);
	return true;
}

/* A linear address to a physical one: through the page tables if paging is on. */
static __u32 translate(struct emu_cpu *c, __u32 lin, bool write, bool user)
{
	__u32 pa = lin, err;

	if ((c->cr0 & CR0_PG) && !walk(c, lin, write, user, &pa, &err)) {
		c->cr2 = lin;
		fault(c, VEC_PF, err);
	}
	return pa;
}

static __u8 *phys(struct emu_cpu *c, __u32 lin, bool write, bool user)
{
	__u32 pa = translate(c, lin, write, user);

	if (pa >= c->ram_size)
		outside_ram(c, pa, write);
	return c->ram + pa;
}

/* Is @pa in tvmm-dev's page (device.c)? */
static bool device_page(__u32 pa)
{
	return pa - TVMM_DEV_GPA < TVMM_DEV_SIZE;
}

/* Can instruction bytes be fetched at @lin without a fault (cpu.c)? */
bool fetchable(struct emu_cpu *c, __u32 lin, __u8 *byte)
{
	__u32 pa = lin, err;

	if ((c->cr0 & CR0_PG) && !walk(c, lin, false, c->cpl == 3, &pa, &err))
		return false;
	if (pa >= c->ram_size)
		return false;
	*byte = c->ram[pa];
	return true;
}

/*
 * Byte by byte, so an access that crosses a page boundary is translated
 * on both sides (x86 is little endian: the first byte is the lowest).
 */
static __u32 access_read(struct emu_cpu *c, __u32 lin, unsigned int size, bool user)
{
	__u32 v = 0;
	unsigned int i;

	if (!(c->cr0 & CR0_PG) && (__u64)lin + size <= c->ram_size) {
		for (i = 0; i < size; i++)	/* the common case: flat, in RAM */
			v |= (__u32)c->ram[lin + i] << (8 * i);
		return v;
	}
	if (device_page(translate(c, lin, false, user))) {
		device_access(c, translate(c, lin, false, user), size, false, &v);
		return v;
	}
	for (i = 0; i < size; i++)
		v |= (__u32)*phys(c, lin + i, false, user) << (8 * i);
	return v;
}

static void access_write(struct emu_cpu *c, __u32 lin, unsigned int size, __u32 v, bool user)
{
	unsigned int i;

	if (!(c->cr0 & CR0_PG) && (__u64)lin + size <= c->ram_size) {
		for (i = 0; i < size; i++)
			c->ram[lin + i] = v >> (8 * i);
		return;
	}
	if (device_page(translate(c, lin, true, user))) {
		device_access(c, translate(c, lin, true, user), size, true, &v);
		return;
	}
	for (i = 0; i < size; i++)	/* check every byte first: no half-done store */
		phys(c, lin + i, true, user);
	for (i = 0; i < size; i++)
		*phys(c, lin + i, true, user) = v >> (8 * i);
}

/* The CPU's own accesses (descriptor tables, TSS): supervisor, any CPL. */
__u32 lin_read(struct emu_cpu *c, __u32 lin, unsigned int size)
{
	return access_read(c, lin, size, false);
}

void lin_write(struct emu_cpu *c, __u32 lin, unsigned int size, __u32 v)
{
	access_write(c, lin, size, v, false);
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

/* The program's accesses: user-mode ones at CPL 3 (SDM 4.6). */
__u32 mem_read(struct emu_cpu *c, int seg, __u32 off, unsigned int size)
{
	return access_read(c, linear(c, seg, off, size, false), size, c->cpl == 3);
}

void mem_write(struct emu_cpu *c, int seg, __u32 off, unsigned int size, __u32 v)
{
	access_write(c, linear(c, seg, off, size, true), size, v, c->cpl == 3);
}
