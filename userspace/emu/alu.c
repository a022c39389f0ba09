// SPDX-License-Identifier: GPL-2.0
/*
 * alu.c - arithmetic and logic, and the six status flags each one sets.
 *
 * Concept: most of an emulator's work is not the interesting
 * instructions but the ordinary ones, and most of that is EFLAGS: every
 * ADD computes carry, parity, adjust, zero, sign and overflow, which real
 * hardware does for free in the same cycle. Emulators cut this cost by
 * computing flags lazily (keep the operands, derive a flag only when a
 * Jcc reads it: QEMU, Bochs); this one computes them eagerly, the way the
 * SDM's "Flags Affected" sections read, because it is meant to be read.
 * The Unicorn differential test (tests/host/emu_diff_test.c) holds every
 * flag here to a second emulator.
 *
 * SDM: vol. 1, 3.4.3.1 (status flags), 7.3 (integer instructions);
 *      vol. 2, each instruction's "Flags Affected"; vol. 1, appendix A.
 * Context: userspace.
 */
#include <stdint.h>

#include "emu.h"

static __u32 mask_of(unsigned int size)
{
	return size == 4 ? 0xffffffffU : (1U << (8 * size)) - 1;
}

static __u32 sign_of(unsigned int size)
{
	return 1U << (8 * size - 1);
}

/* PF: set if the low byte of the result has an even number of 1 bits. */
static bool parity(__u32 r)
{
	return !__builtin_parity(r & 0xff);
}

static void set_flag(struct emu_cpu *c, __u32 flag, bool on)
{
	if (on)
		c->eflags |= flag;
	else
		c->eflags &= ~flag;
}

/* ZF, SF and PF, which every arithmetic result sets the same way. */
static void result_flags(struct emu_cpu *c, __u32 r, unsigned int size)
{
	set_flag(c, FL_ZF, !(r & mask_of(size)));
	set_flag(c, FL_SF, r & sign_of(size));
	set_flag(c, FL_PF, parity(r));
}

/* AND, OR, XOR, TEST: CF and OF cleared, AF undefined (left as it is: 0). */
void alu_logic_flags(struct emu_cpu *c, __u32 r, unsigned int size)
{
	c->eflags &= ~(FL_CF | FL_OF | FL_AF);
	result_flags(c, r, size);
}

/*
 * The eight operations of the 0x00-0x3f rows and of group 1, by their
 * ModR/M reg number. For ADD: carry out of the top bit is CF, carry out
 * of bit 3 is AF, and OF says the signed result does not fit (both
 * operands of one sign, the result of the other). SUB is ADD of the
 * complement with the borrow inverted.
 */
__u32 alu(struct emu_cpu *c, enum alu_op op, __u32 a, __u32 b, unsigned int size)
{
	__u32 m = mask_of(size), sign = sign_of(size), r;
	__u32 carry_in = c->eflags & FL_CF ? 1 : 0;
	__u64 wide;

	a &= m;
	b &= m;
	switch (op) {
	case ALU_OR:
		r = a | b;
		alu_logic_flags(c, r, size);
		return r;
	case ALU_AND:
		r = a & b;
		alu_logic_flags(c, r, size);
		return r;
	case ALU_XOR:
		r = a ^ b;
		alu_logic_flags(c, r, size);
		return r;
	case ALU_ADD:
	case ALU_ADC:
		if (op == ALU_ADD)
			carry_in = 0;
		wide = (__u64)a + b + carry_in;
		r = wide & m;
		set_flag(c, FL_CF, wide > m);
		set_flag(c, FL_OF, (~(a ^ b) & (a ^ r)) & sign);
		break;
	default:	/* SUB, SBB, CMP */
		if (op != ALU_SBB)
			carry_in = 0;
		r = (a - b - carry_in) & m;
		set_flag(c, FL_CF, (__u64)b + carry_in > a);
		set_flag(c, FL_OF, ((a ^ b) & (a ^ r)) & sign);
		break;
	}
	set_flag(c, FL_AF, (a ^ b ^ r) & 0x10);
	result_flags(c, r, size);
	return r;
}

/* INC and DEC: ADD/SUB of 1 that leave CF alone. */
__u32 alu_incdec(struct emu_cpu *c, __u32 a, bool dec, unsigned int size)
{
	__u32 cf = c->eflags & FL_CF, r;

	r = alu(c, dec ? ALU_SUB : ALU_ADD, a, 1, size);
	c->eflags = (c->eflags & ~FL_CF) | cf;
	return r;
}

/*
 * Group 2: ROL ROR RCL RCR SHL SHR SAL SAR by ModR/M reg. The count is
 * masked to 5 bits; a count of 0 changes no flag. OF is defined only for
 * a count of 1 (set here as the SDM defines it for 1, for every count).
 */
__u32 alu_shift(struct emu_cpu *c, unsigned int op, __u32 a, unsigned int count,
		unsigned int size)
{
	unsigned int bits = 8 * size, i;
	__u32 m = mask_of(size), sign = sign_of(size), r = a & m;
	bool cf = c->eflags & FL_CF;

	count &= 0x1f;
	if (!count)
		return r;
	switch (op) {
	case 0:		/* ROL */
	case 1:		/* ROR */
		for (i = 0; i < count % bits; i++)
			r = op == 0 ? ((r << 1) | (r >> (bits - 1))) & m :
				      (r >> 1) | ((r & 1) << (bits - 1));
		cf = op == 0 ? r & 1 : r & sign;
		set_flag(c, FL_CF, cf);
		set_flag(c, FL_OF, op == 0 ? !!(r & sign) != cf :
			 !!(r & sign) != !!(r & (sign >> 1)));
		return r;
	case 2:		/* RCL: through CF, a rotate of bits + 1 */
	case 3:		/* RCR */
		for (i = 0; i < count % (bits + 1); i++) {
			bool out = op == 2 ? r & sign : r & 1;

			r = op == 2 ? ((r << 1) | cf) & m : (r >> 1) | ((__u32)cf << (bits - 1));
			cf = out;
		}
		set_flag(c, FL_CF, cf);
		set_flag(c, FL_OF, op == 2 ? !!(r & sign) != cf :
			 !!(r & sign) != !!(r & (sign >> 1)));
		return r;
	case 4:		/* SHL */
	case 6:		/* SAL, the same */
		cf = count <= bits ? (((__u64)a << count) >> bits) & 1 : 0;
		r = count < bits ? (a << count) & m : 0;
		set_flag(c, FL_OF, !!(r & sign) != cf);
		break;
	case 5:		/* SHR */
		cf = count <= bits ? (a >> (count - 1)) & 1 : 0;
		r = count < bits ? (a & m) >> count : 0;
		set_flag(c, FL_OF, a & sign);
		break;
	default:	/* 7: SAR, the sign bit shifted in */
		{
			__s32 s = (__s32)(a << (32 - bits)) >> (32 - bits);

			cf = (s >> (count - 1 < 31 ? count - 1 : 31)) & 1;
			r = (__u32)(s >> (count < 31 ? count : 31)) & m;
			c->eflags &= ~FL_OF;
		}
		break;
	}
	set_flag(c, FL_CF, cf);
	c->eflags &= ~FL_AF;	/* undefined for a non-zero count: 0 here */
	result_flags(c, r, size);
	return r;
}

/* SHLD/SHRD: @dst shifted, the bits coming in from @src. */
__u32 alu_shd(struct emu_cpu *c, bool left, __u32 dst, __u32 src, unsigned int count,
	      unsigned int size)
{
	unsigned int bits = 8 * size;
	__u32 m = mask_of(size), sign = sign_of(size), r;
	__u64 both;
	bool cf;

	count &= 0x1f;
	if (!count || count > bits)	/* > bits: undefined result; left alone */
		return dst & m;
	dst &= m;
	src &= m;
	if (left) {
		both = ((__u64)dst << bits) | src;
		r = (both << count) >> bits & m;
		cf = (dst >> (bits - count)) & 1;
	} else {
		both = ((__u64)src << bits) | dst;
		r = (both >> count) & m;
		cf = (dst >> (count - 1)) & 1;
	}
	set_flag(c, FL_CF, cf);
	set_flag(c, FL_OF, (r ^ dst) & sign);
	c->eflags &= ~FL_AF;
	result_flags(c, r, size);
	return r;
}

/* IMUL r, r/m (and its immediate forms): CF = OF = the product did not fit. */
__u32 alu_imul(struct emu_cpu *c, __u32 a, __u32 b, unsigned int size)
{
	__s64 p = size == 2 ? (__s64)(__s16)a * (__s16)b : (__s64)(__s32)a * (__s32)b;
	bool fits = size == 2 ? p == (__s16)p : p == (__s32)p;

	set_flag(c, FL_CF, !fits);
	set_flag(c, FL_OF, !fits);
	result_flags(c, (__u32)p, size);	/* SF, ZF, PF undefined: these */
	c->eflags &= ~FL_AF;
	return (__u32)p & mask_of(size);
}

/* BSF/BSR: ZF = the source was 0 (the destination then keeps its value). */
__u32 alu_bitscan(struct emu_cpu *c, __u32 v, bool reverse, __u32 old, unsigned int size)
{
	v &= mask_of(size);
	set_flag(c, FL_ZF, !v);
	if (!v)
		return old;
	return reverse ? 31 - __builtin_clz(v) : __builtin_ctz(v);
}

/* The accumulator and its extension: AL/AX/EAX and AH/DX/EDX. */
static void acc_get(struct emu_cpu *c, unsigned int size, __u64 *lo_hi)
{
	if (size == 1)
		*lo_hi = c->gpr[EAX] & 0xffff;
	else if (size == 2)
		*lo_hi = (c->gpr[EAX] & 0xffff) | ((c->gpr[EDX] & 0xffff) << 16);
	else
		*lo_hi = c->gpr[EAX] | ((__u64)c->gpr[EDX] << 32);
}

static void acc_set(struct emu_cpu *c, unsigned int size, __u32 lo, __u32 hi)
{
	if (size == 1) {
		set_reg(c, EAX, 2, (lo & 0xff) | (hi & 0xff) << 8);
	} else {
		set_reg(c, EAX, size, lo);
		set_reg(c, EDX, size, hi);
	}
}

/*
 * Group 3 /2-/7: NOT NEG MUL IMUL DIV IDIV on the r/m operand (/0 TEST is
 * in exec.c). MUL/IMUL: the double-width product in AH:AL, DX:AX or
 * EDX:EAX, CF = OF = its high half is needed. DIV/IDIV: #DE for a zero
 * divisor or a quotient that does not fit.
 */
void alu_group3(struct emu_cpu *c, unsigned int op, unsigned int size)
{
	unsigned int bits = 8 * size;
	__u32 m = mask_of(size), sign = sign_of(size), v, r;
	struct operand o;
	__u64 acc;

	modrm_operand(c, &o);
	v = op_read(c, &o, size);
	switch (op) {
	case 2:		/* NOT: no flags */
		op_write(c, &o, size, ~v & m);
		return;
	case 3:		/* NEG: 0 - v, CF = v != 0 */
		r = alu(c, ALU_SUB, 0, v, size);
		op_write(c, &o, size, r);
		return;
	case 4: {	/* MUL */
		__u64 p = (__u64)get_reg(c, EAX, size) * v;

		acc_set(c, size, p & m, p >> bits);
		set_flag(c, FL_CF, p >> bits);
		set_flag(c, FL_OF, p >> bits);
		result_flags(c, p, size);
		c->eflags &= ~FL_AF;
		return;
	}
	case 5: {	/* IMUL, one operand */
		__s64 a = (__s32)(get_reg(c, EAX, size) << (32 - bits)) >> (32 - bits);
		__s64 b = (__s32)(v << (32 - bits)) >> (32 - bits);
		__s64 p = a * b;
		__s64 lo = (__s32)((__u32)p << (32 - bits)) >> (32 - bits);

		acc_set(c, size, p & m, (__u64)p >> bits);
		set_flag(c, FL_CF, p != lo);
		set_flag(c, FL_OF, p != lo);
		result_flags(c, p, size);
		c->eflags &= ~FL_AF;
		return;
	}
	case 6:		/* DIV */
		acc_get(c, size, &acc);
		if (!v || acc / v > m)
			fault(c, VEC_DE, 0);
		acc_set(c, size, acc / v, acc % v);
		return;
	default: {	/* 7: IDIV */
		__s64 n, d = (__s32)(v << (32 - bits)) >> (32 - bits), q;

		acc_get(c, size, &acc);
		n = size == 4 ? (__s64)acc : (__s64)(__s32)((__u32)acc << (32 - 2 * bits)) >> (32 - 2 * bits);
		if (!d || (n == INT64_MIN && d == -1))
			fault(c, VEC_DE, 0);
		q = n / d;
		if (q > (__s64)(sign - 1) || q < -(__s64)sign)
			fault(c, VEC_DE, 0);
		acc_set(c, size, q & m, (n % d) & m);
		return;
	}
	}
}
