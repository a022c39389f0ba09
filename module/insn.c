// SPDX-License-Identifier: GPL-2.0
/*
 * insn.c - take one x86 instruction apart: tvmm's decoder for the 32-bit
 * code the guests run.
 *
 * Concept: "full virtualization without hardware support" (binary
 * translation) must read the guest's code before running it, and x86 code
 * cannot be read without decoding it: instructions are 1 to 15 bytes, and
 * the only way to find where the next one starts is to take this one apart
 * (prefixes, opcode, ModR/M, SIB, displacement, immediate). Get one length
 * wrong and every later "instruction" is garbage. This file does that,
 * keeps the fields it met (ModR/M, SIB, displacement, immediate), says
 * where a branch goes (so patch.c can sweep a code page), and computes a
 * memory operand's address from the registers (insn_ea()).
 *
 * It knows the one-byte opcode map and the two-byte opcodes a 32-bit
 * kernel uses; anything else (SSE, VEX, 3DNow!, ...) is "unknown" and the
 * caller stops there: a decoder that guesses would patch bytes in the
 * middle of an instruction. Everything in tvmm that reads guest code uses
 * it: emulate.c (what faulted at ring 1), mmio.c (which MOV touched the
 * device), patch.c (the scan, and the patched instructions).
 *
 * SDM: vol. 2A, 2.1 "Instruction Format for Protected Mode, Real-Address
 *      Mode, and Virtual-8086 Mode" (figure 2-1; tables 2-1 and 2-2, 16-
 *      and 32-bit ModR/M; table 2-3, SIB); vol. 2D, appendix A "Opcode
 *      Map" (tables, one- and two-byte opcodes).
 * Context: any; a pure function, compiled into tvmm.ko and the host test.
 */
#include "include/tvmm/insn.h"

#ifdef __KERNEL__
#include <linux/kernel.h>
#include <linux/string.h>
#else
#include <string.h>
#define ARRAY_SIZE(a)	(sizeof(a) / sizeof((a)[0]))
#endif

/* Operand attributes of an opcode (SDM vol. 2D, A.2.1 and A.2.2). */
#define A_MODRM		0x01	/* a ModR/M byte follows */
#define A_IMM8		0x02	/* Ib */
#define A_IMMZ		0x04	/* Iz: 4 bytes, 2 with 0x66 */
#define A_IMM16		0x08	/* Iw */
#define A_REL8		0x10	/* Jb */
#define A_RELZ		0x20	/* Jz */
#define A_SPECIAL	0x40	/* moffs, far pointer, group 3: see decode_operands() */
#define A_PREFIX	0x80	/* a prefix, not an opcode */
#define A_BAD		0xff	/* not in the table: unknown */

#define M	A_MODRM
#define M8	(A_MODRM | A_IMM8)
#define MZ	(A_MODRM | A_IMMZ)

/* One-byte opcodes, 32-bit mode (table A-2). 0 = opcode byte only. */
static const __u8 one_byte[256] = {
	[0x00 ... 0x03] = M, [0x04] = A_IMM8, [0x05] = A_IMMZ,	/* ADD */
	[0x08 ... 0x0b] = M, [0x0c] = A_IMM8, [0x0d] = A_IMMZ,	/* OR */
	[0x0f] = 0,						/* two-byte escape */
	[0x10 ... 0x13] = M, [0x14] = A_IMM8, [0x15] = A_IMMZ,	/* ADC */
	[0x18 ... 0x1b] = M, [0x1c] = A_IMM8, [0x1d] = A_IMMZ,	/* SBB */
	[0x20 ... 0x23] = M, [0x24] = A_IMM8, [0x25] = A_IMMZ,	/* AND */
	[0x26] = A_PREFIX,					/* ES: */
	[0x28 ... 0x2b] = M, [0x2c] = A_IMM8, [0x2d] = A_IMMZ,	/* SUB */
	[0x2e] = A_PREFIX,					/* CS: */
	[0x30 ... 0x33] = M, [0x34] = A_IMM8, [0x35] = A_IMMZ,	/* XOR */
	[0x36] = A_PREFIX,					/* SS: */
	[0x38 ... 0x3b] = M, [0x3c] = A_IMM8, [0x3d] = A_IMMZ,	/* CMP */
	[0x3e] = A_PREFIX,					/* DS: */
	/* 0x40-0x5f INC, DEC, PUSH, POP r32; 0x60/0x61 PUSHA/POPA: 0 */
	[0x62] = M, [0x63] = M,					/* BOUND, ARPL */
	[0x64 ... 0x67] = A_PREFIX,				/* FS: GS: 66 67 */
	[0x68] = A_IMMZ, [0x69] = MZ, [0x6a] = A_IMM8, [0x6b] = M8,
	[0x70 ... 0x7f] = A_REL8,				/* Jcc rel8 */
	[0x80] = M8, [0x81] = MZ, [0x82] = M8, [0x83] = M8,	/* group 1 */
	[0x84 ... 0x8f] = M,		/* TEST, XCHG, MOV, LEA, MOV Sreg, POP r/m */
	[0x9a] = A_SPECIAL,					/* CALL far ptr */
	[0xa0 ... 0xa3] = A_SPECIAL,				/* MOV moffs */
	[0xa8] = A_IMM8, [0xa9] = A_IMMZ,			/* TEST eAX, imm */
	[0xb0 ... 0xb7] = A_IMM8, [0xb8 ... 0xbf] = A_IMMZ,	/* MOV r, imm */
	[0xc0] = M8, [0xc1] = M8, [0xc2] = A_IMM16,		/* shifts, RET imm16 */
	[0xc4] = M, [0xc5] = M, [0xc6] = M8, [0xc7] = MZ,	/* LES, LDS, MOV r/m, imm */
	[0xc8] = A_IMM16 | A_IMM8, [0xca] = A_IMM16,		/* ENTER, RETF imm16 */
	[0xcd] = A_IMM8,					/* INT imm8 */
	[0xd0 ... 0xd3] = M, [0xd4] = A_IMM8, [0xd5] = A_IMM8,	/* shifts, AAM, AAD */
	[0xd6] = A_BAD,						/* SALC: undocumented */
	[0xd8 ... 0xdf] = M,					/* x87 */
	[0xe0 ... 0xe3] = A_REL8,				/* LOOPcc, JECXZ */
	[0xe4 ... 0xe7] = A_IMM8,				/* IN, OUT imm8 */
	[0xe8] = A_RELZ, [0xe9] = A_RELZ, [0xea] = A_SPECIAL, [0xeb] = A_REL8,
	[0xf0] = A_PREFIX, [0xf2] = A_PREFIX, [0xf3] = A_PREFIX, /* LOCK REPNE REP */
	[0xf6] = A_SPECIAL | A_MODRM, [0xf7] = A_SPECIAL | A_MODRM, /* group 3 */
	[0xfe] = M, [0xff] = M,					/* groups 4, 5 */
};

/*
 * Two-byte opcodes 0x0f xx a 32-bit kernel uses (table A-3); A_BAD for
 * the rest. Filled at first use from the ranges below: C has no "default"
 * for a designated initializer, and most of the map is unknown here.
 */
static const struct {
	__u8 first, last, attr;
} two_byte_known[] = {
	{ 0x00, 0x03, M },	/* group 6, group 7, LAR, LSL */
	{ 0x06, 0x06, 0 },	/* CLTS */
	{ 0x08, 0x09, 0 },	/* INVD, WBINVD */
	{ 0x0b, 0x0b, 0 },	/* UD2 */
	{ 0x0d, 0x0d, M },	/* PREFETCHW (a NOP r/m) */
	{ 0x18, 0x1f, M },	/* hint NOPs, NOP r/m */
	{ 0x20, 0x23, M },	/* MOV to/from CR, DR */
	{ 0x30, 0x35, 0 },	/* WRMSR RDTSC RDMSR RDPMC SYSENTER SYSEXIT */
	{ 0x40, 0x4f, M },	/* CMOVcc */
	{ 0x80, 0x8f, A_RELZ },	/* Jcc rel32 */
	{ 0x90, 0x9f, M },	/* SETcc */
	{ 0xa0, 0xa2, 0 },	/* PUSH FS, POP FS, CPUID */
	{ 0xa3, 0xa3, M },	/* BT */
	{ 0xa4, 0xa4, M8 },	/* SHLD imm8 */
	{ 0xa5, 0xa5, M },	/* SHLD CL */
	{ 0xa8, 0xa9, 0 },	/* PUSH GS, POP GS */
	{ 0xab, 0xab, M },	/* BTS */
	{ 0xac, 0xac, M8 },	/* SHRD imm8 */
	{ 0xad, 0xad, M },	/* SHRD CL */
	{ 0xaf, 0xb7, M },	/* IMUL, CMPXCHG, LSS, BTR, LFS, LGS, MOVZX */
	{ 0xba, 0xba, M8 },	/* group 8: BT* imm8 */
	{ 0xbb, 0xbf, M },	/* BTC, BSF, BSR, MOVSX */
	{ 0xc0, 0xc1, M },	/* XADD */
	{ 0xc7, 0xc7, M },	/* group 9: CMPXCHG8B */
	{ 0xc8, 0xcf, 0 },	/* BSWAP */
};

static __u8 two_byte_attr(__u8 op2)
{
	unsigned int i;

	for (i = 0; i < ARRAY_SIZE(two_byte_known); i++)
		if (op2 >= two_byte_known[i].first && op2 <= two_byte_known[i].last)
			return two_byte_known[i].attr;
	return A_BAD;
}

/* A cursor over the bytes; every read is bounded by avail and 15. */
struct cursor {
	const __u8 *bytes;
	unsigned int avail, pos;
};

static int take(struct cursor *c, unsigned int n, __u32 *value)
{
	unsigned int i;

	if (c->pos + n > INSN_LEN_MAX)
		return INSN_TOO_LONG;
	if (c->pos + n > c->avail)
		return INSN_TRUNCATED;
	*value = 0;
	for (i = 0; i < n; i++)		/* little endian */
		*value |= (__u32)c->bytes[c->pos + i] << (8 * i);
	c->pos += n;
	return INSN_OK;
}

/* Sign-extend the low @n bytes of @v. */
static __s32 sext(__u32 v, unsigned int n)
{
	if (n == 1)
		return (__s8)v;
	if (n == 2)
		return (__s16)v;
	return (__s32)v;
}

/*
 * ModR/M, then SIB and displacement as the addressing form requires
 * (tables 2-1 to 2-3). MOV to/from CR and DR ignore mod: always registers.
 */
static int decode_modrm(struct cursor *c, struct insn *in)
{
	unsigned int mod, rm;
	__u32 v;
	int ret = take(c, 1, &v);

	if (ret)
		return ret;
	in->has_modrm = true;
	in->modrm = v;
	mod = MODRM_MOD(in->modrm);
	rm = MODRM_RM(in->modrm);
	if (mod == 3 || (in->op == 0x0f && in->op2 >= 0x20 && in->op2 <= 0x23))
		return INSN_OK;
	if (in->addr16) {
		if (mod == 1)
			in->disp_len = 1;
		else if (mod == 2 || rm == 6)
			in->disp_len = 2;
	} else {
		if (rm == 4) {
			ret = take(c, 1, &v);
			if (ret)
				return ret;
			in->has_sib = true;
			in->sib = v;
		}
		if (mod == 1)
			in->disp_len = 1;
		else if (mod == 2 || (rm == 5) || (in->has_sib && (in->sib & 7) == 5))
			in->disp_len = 4;
	}
	if (in->disp_len) {
		ret = take(c, in->disp_len, &v);
		if (ret)
			return ret;
		in->disp = sext(v, in->disp_len);
	}
	return INSN_OK;
}

/* Immediates and branch offsets after the ModR/M part. */
static int decode_operands(struct cursor *c, struct insn *in, __u8 attr)
{
	unsigned int z = in->opsize16 ? 2 : 4, rel_len = 0;
	__u32 v, sel;
	int ret;

	if (attr & A_SPECIAL) {
		if (in->op >= 0xa0 && in->op <= 0xa3)	/* moffs: an address */
			in->imm_len = in->addr16 ? 2 : 4;
		else if (in->op == 0x9a || in->op == 0xea)	/* ptr16:16/32 */
			in->far = true;
		else if (MODRM_REG(in->modrm) < 2)	/* F6/F7 /0 /1: TEST imm */
			in->imm_len = in->op == 0xf6 ? 1 : z;
	}
	if (attr & A_IMM16)
		in->imm_len += 2;
	if (attr & A_IMM8)
		in->imm_len += 1;
	if (attr & A_IMMZ)
		in->imm_len += z;
	if (in->far) {		/* the offset, then the 16-bit selector */
		ret = take(c, z, &v);
		if (!ret)
			ret = take(c, 2, &sel);
		if (ret)
			return ret;
		in->far_offset = v;
		in->imm_len = z + 2;
	} else if (in->imm_len) {
		unsigned int first = in->imm_len > 4 ? 4 : in->imm_len;

		if (c->pos + in->imm_len > INSN_LEN_MAX)
			return INSN_TOO_LONG;
		if (c->pos + in->imm_len > c->avail)
			return INSN_TRUNCATED;
		ret = take(c, first, &in->imm);	/* ENTER's second one is skipped */
		if (ret)
			return ret;
		c->pos += in->imm_len - first;
	}
	if (attr & A_REL8)
		rel_len = 1;
	else if (attr & A_RELZ)
		rel_len = z;
	if (rel_len) {
		ret = take(c, rel_len, &v);
		if (ret)
			return ret;
		in->rel = sext(v, rel_len);
	}
	return INSN_OK;
}

/* Where control goes after the instruction (for the sweep in patch.c). */
static enum insn_flow insn_flow_of(const struct insn *in)
{
	unsigned int reg = MODRM_REG(in->modrm);

	switch (in->op) {
	case 0x70 ... 0x7f:	/* Jcc */
	case 0xe0 ... 0xe3:	/* LOOPcc, JECXZ */
	case 0xe8:		/* CALL rel: the callee returns here */
	case 0x9a:		/* CALL far ptr */
		return INSN_FLOW_BRANCH;
	case 0xe9:
	case 0xeb:
	case 0xea:		/* JMP far ptr */
		return INSN_FLOW_JUMP;
	case 0xc2: case 0xc3:	/* RET */
	case 0xca: case 0xcb:	/* RETF */
	case 0xcf:		/* IRET */
		return INSN_FLOW_STOP;
	case 0xff:		/* group 5: /4 JMP r/m, /5 JMP far m */
		return reg == 4 || reg == 5 ? INSN_FLOW_STOP : INSN_FLOW_NEXT;
	case 0x0f:
		if (in->op2 >= 0x80 && in->op2 <= 0x8f)
			return INSN_FLOW_BRANCH;
		if (in->op2 == 0x0b || in->op2 == 0x35)	/* UD2, SYSEXIT */
			return INSN_FLOW_STOP;
		return INSN_FLOW_NEXT;
	default:
		return INSN_FLOW_NEXT;
	}
}

int insn_decode(const __u8 *bytes, unsigned int avail, struct insn *out)
{
	struct cursor c = { bytes, avail, 0 };
	struct insn in;
	__u32 v;
	__u8 attr;
	int ret;

	memset(&in, 0, sizeof(in));
	/* Legacy prefixes, any number; take() stops a run longer than 15. */
	for (;;) {
		ret = take(&c, 1, &v);
		if (ret)
			return ret;
		if (one_byte[v] != A_PREFIX)
			break;
		in.opsize16 |= v == INSN_PREFIX_OPSIZE;
		in.addr16 |= v == INSN_PREFIX_ADDRSIZE;
		in.other_prefix |= v != INSN_PREFIX_OPSIZE && v != INSN_PREFIX_ADDRSIZE;
	}
	in.prefixes = c.pos - 1;
	in.op = v;
	attr = one_byte[in.op];
	if (in.op == 0x0f) {
		ret = take(&c, 1, &v);
		if (ret)
			return ret;
		in.op2 = v;
		attr = two_byte_attr(in.op2);
	}
	if (attr == A_BAD)
		return INSN_UNKNOWN;
	if (attr & A_MODRM) {
		ret = decode_modrm(&c, &in);
		if (ret)
			return ret;
		/* Group 5 /7 and group 4 /2-/7 are undefined (table A-6). */
		if ((in.op == 0xff && MODRM_REG(in.modrm) == 7) ||
		    (in.op == 0xfe && MODRM_REG(in.modrm) > 1))
			return INSN_UNKNOWN;
	}
	ret = decode_operands(&c, &in, attr);
	if (ret)
		return ret;
	in.len = c.pos;
	in.flow = insn_flow_of(&in);
	*out = in;
	return INSN_OK;
}

__u32 insn_ea(const struct insn *in, const __u32 gpr[8])
{
	unsigned int mod = MODRM_MOD(in->modrm), rm = MODRM_RM(in->modrm);
	unsigned int base = in->sib & 7, index = (in->sib >> 3) & 7;
	__u32 ea = in->disp;

	if (in->op >= 0xa0 && in->op <= 0xa3)		/* MOV moffs: the address itself */
		return in->imm;
	if (!in->has_sib) {
		if (!(mod == 0 && rm == INSN_REG_EBP))	/* mod 00, rm 101: disp32 only */
			ea += gpr[rm];
		return ea;
	}
	if (!(mod == 0 && base == INSN_REG_EBP))	/* SIB base 101, mod 00: no base */
		ea += gpr[base];
	if (index != INSN_REG_ESP)			/* index 100: none */
		ea += gpr[index] << (in->sib >> 6);
	return ea;
}
