// SPDX-License-Identifier: GPL-2.0
/*
 * exec.c - the instructions, by opcode: data movement, the stack,
 * control flow, string instructions, and the dispatch to the other files.
 *
 * Concept: an interpreter is a big switch. Each case is the SDM's
 * "Operation" section of one instruction, written against the struct of
 * registers instead of silicon. The case for OUT is no longer and no
 * different from the case for MOV: in an emulator there is no
 * sensitive/innocuous divide, every instruction is handled in software
 * (compare module/exits.c, which sees only the few that trap).
 *
 * Anything outside the subset (x87, SSE, BCD, task switches, 16-bit
 * addressing...) is not guessed at: unknown_insn() ends the run with the
 * bytes and their address, status 120 (tvmm.1, EXIT STATUS).
 *
 * SDM: vol. 2A-2D (the instructions); vol. 2D, appendix A (opcode map);
 *      vol. 1, 6.2-6.3 (stack, CALL/RET).
 * Context: userspace.
 */
#include "emu.h"

void unknown_insn(struct emu_cpu *c)
{
	char hex[2 * INSN_LEN_MAX + 1] = "";
	/* The decoder's length if it knew the opcode, else the first 8 bytes. */
	unsigned int i, n = c->in->len ? c->in->len : c->fetched < 8 ? c->fetched : 8;

	for (i = 0; i < n && i < INSN_LEN_MAX; i++)
		snprintf(hex + 2 * i, 3, "%02x", c->bytes[i]);
	c->eip = c->insn_eip;
	emu_end(c, EMU_END_UNKNOWN_INSN, c->insn_eip,
		"an instruction outside the emulated subset at %04x:%08x: bytes %s%s",
		c->seg[CS].sel, c->insn_eip, hex, c->in->len ? "" : "...");
	longjmp(c->fault, 1);
}

/* Jcc/SETcc/CMOVcc conditions by their low opcode nibble (SDM vol. 1, B.1). */
bool cond_true(const struct emu_cpu *c, unsigned int cc)
{
	__u32 f = c->eflags;
	bool r;

	switch (cc >> 1) {
	case 0: r = f & FL_OF; break;				/* O */
	case 1: r = f & FL_CF; break;				/* B */
	case 2: r = f & FL_ZF; break;				/* E */
	case 3: r = f & (FL_CF | FL_ZF); break;			/* BE */
	case 4: r = f & FL_SF; break;				/* S */
	case 5: r = f & FL_PF; break;				/* P */
	case 6: r = !(f & FL_SF) != !(f & FL_OF); break;	/* L */
	default: r = (f & FL_ZF) || !(f & FL_SF) != !(f & FL_OF); break; /* LE */
	}
	return cc & 1 ? !r : r;
}

/* The stack: SS:ESP, 32-bit (a 16-bit SS is not in the subset). */
void push(struct emu_cpu *c, __u32 v, unsigned int size)
{
	mem_write(c, SS, c->gpr[ESP] - size, size, v);	/* faults before ESP moves */
	c->gpr[ESP] -= size;
}

__u32 pop(struct emu_cpu *c, unsigned int size)
{
	__u32 v = mem_read(c, SS, c->gpr[ESP], size);

	c->gpr[ESP] += size;
	return v;
}

static __u32 sext8(__u32 v)
{
	return (__u32)(__s32)(__s8)v;
}

/* JMP/CALL ptr16:32: the selector is the instruction's last two bytes. */
static __u16 far_selector(const struct emu_cpu *c)
{
	return c->bytes[c->in->len - 2] | c->bytes[c->in->len - 1] << 8;
}

static void jump(struct emu_cpu *c, __u32 target)
{
	c->eip = c->osize == 2 ? target & 0xffff : target;
}

/*
 * POPF (and IRET's EFLAGS): which bits the popped value may change
 * depends on the privilege level, and the rest are silently kept. IF only
 * when CPL <= IOPL, IOPL only at CPL 0: this silence is Popek and
 * Goldberg's sensitive-but-unprivileged instruction, which never traps.
 * VM and RF are never set by POPF. (SDM vol. 2B, POPF.)
 */
void set_eflags(struct emu_cpu *c, __u32 v, unsigned int size, bool iret)
{
	__u32 change = FL_ARITH | FL_TF | FL_DF | FL_NT | FL_AC | FL_ID;
	unsigned int iopl = (c->eflags & FL_IOPL) >> 12;

	if (c->cpl <= iopl)
		change |= FL_IF;
	if (c->cpl == 0)
		change |= FL_IOPL;
	if (iret)
		change |= FL_RF;
	if (size == 2)
		change &= 0xffff;
	c->eflags = (c->eflags & ~change) | (v & change) | FL_FIXED;
}

/* String instructions: one element per iteration, ECX counts with REP. */
static void exec_string(struct emu_cpu *c, unsigned int op)
{
	unsigned int size = op & 1 ? c->osize : 1;
	int step = c->eflags & FL_DF ? -(int)size : (int)size;
	int src = data_seg(c, DS);
	__u32 a, b;

	for (;;) {
		if ((c->d->rep || c->d->repne) && !c->gpr[ECX])
			return;
		switch (op & ~1U) {
		case 0xa4:	/* MOVS: DS:ESI -> ES:EDI */
			mem_write(c, ES, c->gpr[EDI], size, mem_read(c, src, c->gpr[ESI], size));
			c->gpr[ESI] += step;
			c->gpr[EDI] += step;
			break;
		case 0xa6:	/* CMPS */
			a = mem_read(c, src, c->gpr[ESI], size);
			b = mem_read(c, ES, c->gpr[EDI], size);
			alu(c, ALU_CMP, a, b, size);
			c->gpr[ESI] += step;
			c->gpr[EDI] += step;
			break;
		case 0xaa:	/* STOS */
			mem_write(c, ES, c->gpr[EDI], size, get_reg(c, EAX, size));
			c->gpr[EDI] += step;
			break;
		case 0xac:	/* LODS */
			set_reg(c, EAX, size, mem_read(c, src, c->gpr[ESI], size));
			c->gpr[ESI] += step;
			break;
		default:	/* 0xae: SCAS */
			alu(c, ALU_CMP, get_reg(c, EAX, size), mem_read(c, ES, c->gpr[EDI], size), size);
			c->gpr[EDI] += step;
			break;
		}
		if (!c->d->rep && !c->d->repne)
			return;
		c->gpr[ECX]--;
		/* CMPS and SCAS also stop on the condition of REPE/REPNE. */
		if ((op & ~1U) == 0xa6 || (op & ~1U) == 0xae) {
			if (c->d->rep && !(c->eflags & FL_ZF))
				return;
			if (c->d->repne && (c->eflags & FL_ZF))
				return;
		}
	}
}

/* Group 5 (0xff): INC, DEC, CALL, CALL far, JMP, JMP far, PUSH. */
static void exec_group5(struct emu_cpu *c)
{
	unsigned int reg = MODRM_REG(c->in->modrm), s = c->osize;
	struct operand o;
	__u32 v;

	modrm_operand(c, &o);
	if ((reg == 3 || reg == 5) && !o.is_mem)
		unknown_insn(c);	/* far pointer in a register: #UD on a CPU */
	if (reg == 3 || reg == 5) {
		__u32 off = mem_read(c, o.seg, o.off, s);
		__u16 sel = mem_read(c, o.seg, o.off + s, 2);

		seg_far_jump(c, sel, off, reg == 3);
		return;
	}
	v = op_read(c, &o, s);
	switch (reg) {
	case 0:
	case 1:
		op_write(c, &o, s, alu_incdec(c, v, reg == 1, s));
		break;
	case 2:
		push(c, c->eip, s);
		jump(c, v);
		break;
	case 4:
		jump(c, v);
		break;
	default:	/* 6 */
		push(c, v, s);
		break;
	}
}

/* The two-byte map (0x0f xx). */
static void exec_0f(struct emu_cpu *c)
{
	unsigned int op = c->in->op2, s = c->osize, reg = MODRM_REG(c->in->modrm);
	struct operand o;
	__u32 v, bit;

	switch (op) {
	case 0x00:
		exec_group6(c);
		return;
	case 0x01:
		exec_group7(c);
		return;
	case 0x06:		/* CLTS */
		need_cpl0(c);
		c->cr0 &= ~CR0_TS;
		event(c, EXIT_REASON_CR_ACCESS, 2 << 4, TVMM_ACTION_EMULATED, "clts");
		return;
	case 0x08:		/* INVD */
	case 0x09:		/* WBINVD: no caches to write back */
		need_cpl0(c);
		if (op == 0x09)
			event(c, EXIT_REASON_WBINVD, 0, TVMM_ACTION_IGNORED, "wbinvd");
		return;
	case 0x0b:		/* UD2 */
		fault(c, VEC_UD, 0);
	case 0x0d:
	case 0x18 ... 0x1f:	/* hint NOPs: the operand is decoded, not touched */
		return;
	case 0x20:
	case 0x22:
		exec_mov_cr(c, op == 0x22);
		return;
	case 0x21:
	case 0x23:
		exec_mov_dr(c, op == 0x23);
		return;
	case 0x30:
	case 0x32:
		exec_msr(c, op == 0x30);
		return;
	case 0x31:
		exec_rdtsc(c);
		return;
	case 0x33:		/* RDPMC: no counters, as tvmm reads them as 0 */
		if (c->cpl && !(c->cr4 & 0x100))
			fault(c, VEC_GP, 0);
		c->gpr[EAX] = c->gpr[EDX] = 0;
		event(c, EXIT_REASON_RDPMC, 0, TVMM_ACTION_EMULATED, "rdpmc");
		return;
	case 0x40 ... 0x4f:	/* CMOVcc: reads its source even if false */
		modrm_operand(c, &o);
		v = op_read(c, &o, s);
		if (cond_true(c, op & 15))
			set_reg(c, reg, s, v);
		return;
	case 0x80 ... 0x8f:
		if (cond_true(c, op & 15))
			jump(c, c->eip + c->in->rel);
		return;
	case 0x90 ... 0x9f:
		modrm_operand(c, &o);
		op_write(c, &o, 1, cond_true(c, op & 15));
		return;
	case 0xa0:
	case 0xa8:
		push(c, c->seg[op == 0xa0 ? FS : GS].sel, s);
		return;
	case 0xa1:
	case 0xa9:
		v = mem_read(c, SS, c->gpr[ESP], s);
		seg_load(c, op == 0xa1 ? FS : GS, v);
		c->gpr[ESP] += s;
		return;
	case 0xa2:
		exec_cpuid(c);
		return;
	case 0xa3: case 0xab: case 0xb3: case 0xbb: case 0xba: {
		/* BT, BTS, BTR, BTC: a register bit offset may reach past the operand. */
		unsigned int kind = op == 0xba ? reg - 4 : (op >> 3) & 3;

		if (op == 0xba && reg < 4)
			unknown_insn(c);
		modrm_operand(c, &o);
		if (op == 0xba) {
			bit = c->in->imm & (8 * s - 1);
		} else {
			__s32 off = s == 2 ? (__s16)get_reg(c, reg, 2) : (__s32)c->gpr[reg];

			bit = off & (8 * s - 1);
			if (o.is_mem)
				o.off += (off >> (s == 2 ? 4 : 5)) * (__s32)s;
		}
		v = op_read(c, &o, s);
		c->eflags = (c->eflags & ~FL_CF) | ((v >> bit) & 1);
		if (kind == 1)
			op_write(c, &o, s, v | (1U << bit));
		else if (kind == 2)
			op_write(c, &o, s, v & ~(1U << bit));
		else if (kind == 3)
			op_write(c, &o, s, v ^ (1U << bit));
		return;
	}
	case 0xa4: case 0xa5: case 0xac: case 0xad:	/* SHLD, SHRD */
		modrm_operand(c, &o);
		v = op_read(c, &o, s);
		op_write(c, &o, s, alu_shd(c, op < 0xa8, v, get_reg(c, reg, s),
					   op & 1 ? c->gpr[ECX] & 0xff : c->in->imm, s));
		return;
	case 0xaf:
		modrm_operand(c, &o);
		set_reg(c, reg, s, alu_imul(c, get_reg(c, reg, s), op_read(c, &o, s), s));
		return;
	case 0xb0:
	case 0xb1: {		/* CMPXCHG */
		unsigned int sz = op & 1 ? s : 1;

		modrm_operand(c, &o);
		v = op_read(c, &o, sz);
		alu(c, ALU_CMP, get_reg(c, EAX, sz), v, sz);
		if (c->eflags & FL_ZF) {
			op_write(c, &o, sz, get_reg(c, reg, sz));
		} else {
			op_write(c, &o, sz, v);	/* a CPU always writes */
			set_reg(c, EAX, sz, v);
		}
		return;
	}
	case 0xb6: case 0xb7: case 0xbe: case 0xbf: {	/* MOVZX, MOVSX */
		unsigned int from = op & 1 ? 2 : 1;

		modrm_operand(c, &o);
		v = op_read(c, &o, from);
		if (op >= 0xbe)
			v = from == 1 ? sext8(v) : (__u32)(__s32)(__s16)v;
		set_reg(c, reg, s, v);
		return;
	}
	case 0xbc:
	case 0xbd:
		modrm_operand(c, &o);
		set_reg(c, reg, s, alu_bitscan(c, op_read(c, &o, s), op == 0xbd,
					       get_reg(c, reg, s), s));
		return;
	case 0xc0:
	case 0xc1: {		/* XADD */
		unsigned int sz = op & 1 ? s : 1;
		__u32 sum;

		modrm_operand(c, &o);
		v = op_read(c, &o, sz);
		sum = alu(c, ALU_ADD, v, get_reg(c, reg, sz), sz);
		set_reg(c, reg, sz, v);
		op_write(c, &o, sz, sum);
		return;
	}
	case 0xc8 ... 0xcf:	/* BSWAP */
		if (s == 2)
			unknown_insn(c);	/* undefined with 0x66 */
		c->gpr[op & 7] = __builtin_bswap32(c->gpr[op & 7]);
		return;
	default:
		unknown_insn(c);
	}
}

/* The one-byte map. */
void exec_insn(struct emu_cpu *c)
{
	const struct insn *in = c->in;
	unsigned int op = in->op, s = c->osize, reg = MODRM_REG(in->modrm);
	unsigned int sz = op & 1 ? s : 1;	/* the w bit of many rows */
	struct operand o;
	__u32 v;

	switch (op) {
	case 0x00 ... 0x3f:
		if (op == INSN_OP_TWO_BYTE) {
			exec_0f(c);
			return;
		}
		if ((op & 7) > 5)
			break;	/* segment push/pop, prefixes, BCD: below */
		if ((op & 7) >= 4) {	/* AL/eAX, imm */
			v = alu(c, op >> 3, get_reg(c, EAX, sz), in->imm, sz);
			if ((op >> 3) != ALU_CMP)
				set_reg(c, EAX, sz, v);
			return;
		}
		modrm_operand(c, &o);
		if (op & 2) {		/* reg <- reg op r/m */
			v = alu(c, op >> 3, get_reg(c, reg, sz), op_read(c, &o, sz), sz);
			if ((op >> 3) != ALU_CMP)
				set_reg(c, reg, sz, v);
		} else {		/* r/m <- r/m op reg */
			v = alu(c, op >> 3, op_read(c, &o, sz), get_reg(c, reg, sz), sz);
			if ((op >> 3) != ALU_CMP)
				op_write(c, &o, sz, v);
		}
		return;
	case 0x40 ... 0x4f:
		set_reg(c, op & 7, s, alu_incdec(c, get_reg(c, op & 7, s), op >= 0x48, s));
		return;
	case 0x50 ... 0x57:
		push(c, get_reg(c, op & 7, s), s);
		return;
	case 0x58 ... 0x5f:
		v = pop(c, s);
		set_reg(c, op & 7, s, v);
		return;
	case 0x60: {		/* PUSHA: ESP as it was before the first push */
		__u32 esp = c->gpr[ESP];
		int r;

		for (r = EAX; r <= EDI; r++)
			push(c, r == ESP ? esp : get_reg(c, r, s), s);
		return;
	}
	case 0x61: {		/* POPA: the saved ESP is skipped */
		int r;

		for (r = EDI; r >= EAX; r--) {
			v = pop(c, s);
			if (r != ESP)
				set_reg(c, r, s, v);
		}
		return;
	}
	case 0x68:
		push(c, in->imm, s);
		return;
	case 0x6a:
		push(c, sext8(in->imm), s);
		return;
	case 0x69:
	case 0x6b:
		modrm_operand(c, &o);
		set_reg(c, reg, s, alu_imul(c, op_read(c, &o, s),
					    op == 0x6b ? sext8(in->imm) : in->imm, s));
		return;
	case 0x6c ... 0x6f:	/* INS, OUTS */
		exec_io(c, op < 0x6e, c->gpr[EDX] & 0xffff, op & 1 ? s : 1, false);
		return;
	case 0x70 ... 0x7f:
		if (cond_true(c, op & 15))
			jump(c, c->eip + in->rel);
		return;
	case 0x80 ... 0x83:
		if (op == 0x82)
			break;	/* invalid in 64-bit mode, an alias of 0x80 here: out */
		modrm_operand(c, &o);
		v = alu(c, reg, op_read(c, &o, sz), op == 0x83 ? sext8(in->imm) : in->imm, sz);
		if (reg != ALU_CMP)
			op_write(c, &o, sz, v);
		return;
	case 0x84:
	case 0x85:
		modrm_operand(c, &o);
		alu_logic_flags(c, op_read(c, &o, sz) & get_reg(c, reg, sz), sz);
		return;
	case 0x86:
	case 0x87:
		modrm_operand(c, &o);
		v = op_read(c, &o, sz);
		op_write(c, &o, sz, get_reg(c, reg, sz));
		set_reg(c, reg, sz, v);
		return;
	case 0x88 ... 0x8b:
		modrm_operand(c, &o);
		if (op & 2)
			set_reg(c, reg, sz, op_read(c, &o, sz));
		else
			op_write(c, &o, sz, get_reg(c, reg, sz));
		return;
	case 0x8c:		/* MOV r/m, Sreg: 32 bits into a register, 16 to memory */
		if (reg >= NR_SEGS)
			break;
		modrm_operand(c, &o);
		op_write(c, &o, o.is_mem ? 2 : s, c->seg[reg].sel);
		return;
	case 0x8d:
		if (MODRM_MOD(in->modrm) == 3)
			break;
		set_reg(c, reg, s, insn_ea(in, c->gpr));
		return;
	case 0x8e:		/* MOV Sreg, r/m (not CS) */
		if (reg == CS || reg >= NR_SEGS)
			break;
		modrm_operand(c, &o);
		seg_load(c, reg, op_read(c, &o, 2));
		if (reg == SS)
			c->sti_shadow = true;	/* the next instruction loads ESP */
		return;
	case 0x8f:
		if (reg)
			break;
		v = pop(c, s);	/* ESP moves first: POP (%esp) uses the new one */
		modrm_operand(c, &o);
		op_write(c, &o, s, v);
		return;
	case 0x90:		/* NOP (and PAUSE, F3 90) */
		return;
	case 0x91 ... 0x97:
		v = get_reg(c, op & 7, s);
		set_reg(c, op & 7, s, get_reg(c, EAX, s));
		set_reg(c, EAX, s, v);
		return;
	case 0x98:		/* CBW, CWDE */
		set_reg(c, EAX, s, s == 2 ? sext8(c->gpr[EAX]) : (__u32)(__s16)c->gpr[EAX]);
		return;
	case 0x99:		/* CWD, CDQ */
		set_reg(c, EDX, s, get_reg(c, EAX, s) & (s == 2 ? 0x8000 : 0x80000000) ? ~0U : 0);
		return;
	case 0x9a:		/* CALL far ptr16:32 */
		seg_far_jump(c, far_selector(c), in->far_offset, true);
		return;
	case 0x9c:		/* PUSHF: VM and RF read as 0 */
		push(c, c->eflags & ~(FL_VM | FL_RF), s);
		return;
	case 0x9d:
		set_eflags(c, pop(c, s), s, false);
		return;
	case 0x9e:		/* SAHF */
		c->eflags = (c->eflags & ~0xd5U) | ((c->gpr[EAX] >> 8) & 0xd5) | FL_FIXED;
		return;
	case 0x9f:		/* LAHF */
		set_reg(c, 4, 1, (c->eflags & 0xd5) | FL_FIXED);
		return;
	case 0xa0 ... 0xa3:	/* MOV with a moffs address */
		o.is_mem = true;
		o.seg = data_seg(c, DS);
		o.off = in->imm;
		if (op & 2)
			op_write(c, &o, sz, get_reg(c, EAX, sz));
		else
			set_reg(c, EAX, sz, op_read(c, &o, sz));
		return;
	case 0xa4 ... 0xa7:
	case 0xaa ... 0xaf:
		exec_string(c, op);
		return;
	case 0xa8:
	case 0xa9:
		alu_logic_flags(c, get_reg(c, EAX, sz) & in->imm, sz);
		return;
	case 0xb0 ... 0xb7:
		set_reg(c, op & 7, 1, in->imm);
		return;
	case 0xb8 ... 0xbf:
		set_reg(c, op & 7, s, in->imm);
		return;
	case 0xc0: case 0xc1: case 0xd0 ... 0xd3: {	/* group 2 */
		unsigned int count = op >= 0xd2 ? c->gpr[ECX] & 0xff :
				     op >= 0xd0 ? 1 : in->imm;

		modrm_operand(c, &o);
		op_write(c, &o, sz, alu_shift(c, reg, op_read(c, &o, sz), count, sz));
		return;
	}
	case 0xc2:
	case 0xc3:
		v = pop(c, s);
		jump(c, v);
		if (op == 0xc2)
			c->gpr[ESP] += in->imm & 0xffff;
		return;
	case 0xc6:
	case 0xc7:
		if (reg)
			break;
		modrm_operand(c, &o);
		op_write(c, &o, sz, in->imm);
		return;
	case 0xc9:		/* LEAVE */
		v = mem_read(c, SS, c->gpr[EBP], s);
		c->gpr[ESP] = c->gpr[EBP] + s;
		set_reg(c, EBP, s, v);
		return;
	case 0xcc:
		exec_int(c, VEC_BP);
		return;
	case 0xcd:
		exec_int(c, in->imm & 0xff);
		return;
	case 0xce:
		if (c->eflags & FL_OF)
			exec_int(c, VEC_OF);
		return;
	case 0xcf:
		exec_iret(c);
		return;
	case 0xe0 ... 0xe2:	/* LOOPNE, LOOPE, LOOP */
		c->gpr[ECX]--;
		if (c->gpr[ECX] && (op == 0xe2 || !!(c->eflags & FL_ZF) == (op == 0xe1)))
			jump(c, c->eip + in->rel);
		return;
	case 0xe3:
		if (!c->gpr[ECX])
			jump(c, c->eip + in->rel);
		return;
	case 0xe4 ... 0xe7:
		exec_io(c, op < 0xe6, in->imm & 0xff, sz, true);
		return;
	case 0xe8:
		push(c, c->eip, s);
		jump(c, c->eip + in->rel);
		return;
	case 0xe9:
	case 0xeb:
		jump(c, c->eip + in->rel);
		return;
	case 0xea:		/* JMP far ptr16:32 */
		seg_far_jump(c, far_selector(c), in->far_offset, false);
		return;
	case 0xec ... 0xef:
		exec_io(c, op < 0xee, c->gpr[EDX] & 0xffff, sz, false);
		return;
	case 0xf4:
		exec_hlt(c);
		return;
	case 0xf5:
		c->eflags ^= FL_CF;
		return;
	case 0xf6:
	case 0xf7:
		if (reg < 2) {	/* TEST r/m, imm */
			modrm_operand(c, &o);
			alu_logic_flags(c, op_read(c, &o, sz) & in->imm, sz);
		} else {
			alu_group3(c, reg, sz);
		}
		return;
	case 0xf8:
	case 0xf9:
		c->eflags = (c->eflags & ~FL_CF) | (op & 1);
		return;
	case 0xfa:		/* CLI, STI: IOPL-sensitive (SDM vol. 2A, CLI) */
	case 0xfb:
		if (c->cpl > (c->eflags & FL_IOPL) >> 12)
			fault(c, VEC_GP, 0);
		if (op == 0xfa) {
			c->eflags &= ~FL_IF;
		} else {
			if (!(c->eflags & FL_IF))
				c->sti_shadow = true;	/* one more instruction first */
			c->eflags |= FL_IF;
		}
		return;
	case 0xfc:
	case 0xfd:
		c->eflags = (c->eflags & ~FL_DF) | (op & 1 ? FL_DF : 0);
		return;
	case 0xfe:
		modrm_operand(c, &o);
		op_write(c, &o, 1, alu_incdec(c, op_read(c, &o, 1), reg == 1, 1));
		return;
	case 0xff:
		exec_group5(c);
		return;
	default:
		break;
	}
	/* The rows of 0x00-0x3f that are not arithmetic. */
	switch (op) {
	case 0x06: case 0x0e: case 0x16: case 0x1e:	/* PUSH ES/CS/SS/DS */
		push(c, c->seg[op >> 3].sel, s);
		return;
	case 0x07: case 0x17: case 0x1f:		/* POP ES/SS/DS */
		v = mem_read(c, SS, c->gpr[ESP], s);
		seg_load(c, op >> 3, v);
		c->gpr[ESP] += s;
		if (op == 0x17)
			c->sti_shadow = true;
		return;
	default:
		unknown_insn(c);
	}
}
