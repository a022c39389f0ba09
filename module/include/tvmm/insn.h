/* SPDX-License-Identifier: GPL-2.0 */
/*
 * insn.h - tvmm's one x86 instruction decoder: one 32-bit instruction
 * taken apart (prefixes, opcode, ModR/M, SIB, displacement, immediate),
 * its length, where it may jump, and its memory operand's address. Shared
 * by tvmm.ko (emulate.c at ring 1, mmio.c for device accesses, patch.c's
 * scan and emulation) and the host unit test tests/host/insn_test.c.
 *
 * SDM: vol. 2A, 2.1 "Instruction Format for Protected Mode, Real-Address
 *      Mode, and Virtual-8086 Mode"; vol. 2D, appendix A "Opcode Map".
 * Context: any; pure function, no allocation, no locks.
 */
#ifndef _TVMM_INSN_H
#define _TVMM_INSN_H

#ifdef __KERNEL__
#include <linux/types.h>
#else
#include <stdbool.h>
#include <linux/types.h>
#endif

#define INSN_LEN_MAX	15	/* longest legal x86 instruction (SDM 2.3.11) */

/* Opcodes and prefixes tvmm looks for by value (SDM vol. 2D, table A-2). */
#define INSN_PREFIX_OPSIZE	0x66
#define INSN_PREFIX_ADDRSIZE	0x67
#define INSN_OP_TWO_BYTE	0x0f	/* escape to the two-byte map */
#define INSN_OP_NOP		0x90
#define INSN_OP_INT3		0xcc
#define INSN_OP_INT		0xcd	/* INT imm8 */
#define INSN_OP_INTO		0xce

/* insn_decode() results. */
enum insn_status {
	INSN_OK			= 0,
	INSN_UNKNOWN		= -1,	/* an opcode the decoder does not know */
	INSN_TRUNCATED		= -2,	/* needs more bytes than were given */
	INSN_TOO_LONG		= -3,	/* more than 15 bytes (prefix run) */
};

/* What control does after the instruction (for a sweep that follows code). */
enum insn_flow {
	INSN_FLOW_NEXT,		/* continues with the next instruction */
	INSN_FLOW_BRANCH,	/* Jcc, CALL rel/far, LOOP: the next instruction, or target */
	INSN_FLOW_JUMP,		/* JMP rel, JMP far ptr: only to target */
	INSN_FLOW_STOP,		/* RET, IRET, JMP indirect, UD2: not to the next */
};

/* One decoded instruction: lengths, fields, operands. */
struct insn {
	unsigned int len;	/* total bytes, prefixes included */
	unsigned int prefixes;	/* prefix bytes before the opcode */
	bool opsize16;		/* 0x66: 16-bit operands */
	bool addr16;		/* 0x67: 16-bit addressing */
	bool other_prefix;	/* LOCK, REP/REPNE or a segment override */
	__u8 op;		/* the opcode byte (0x0f for two-byte opcodes) */
	__u8 op2;		/* the byte after 0x0f, else 0 */
	bool has_modrm;
	__u8 modrm;		/* ModR/M: mod 7:6, reg 5:3, rm 2:0 */
	bool has_sib;
	__u8 sib;		/* SIB: scale 7:6, index 5:3, base 2:0 */
	unsigned int disp_len;	/* 0, 1, 2 or 4 */
	__s32 disp;		/* sign-extended displacement */
	unsigned int imm_len;	/* immediate bytes (both of ENTER's) */
	__u32 imm;		/* the immediate (its first 4 bytes), or moffs */
	enum insn_flow flow;
	__s32 rel;		/* FLOW_BRANCH/JUMP: target = address + len + rel */
	bool far;		/* JMP/CALL far ptr16:32: the target is the offset */
	__u32 far_offset;	/* ... in the new CS (an address if CS is flat) */
};

/* ModR/M fields. */
#define MODRM_MOD(m)	((m) >> 6)
#define MODRM_REG(m)	(((m) >> 3) & 7)
#define MODRM_RM(m)	((m) & 7)

/* Register numbers of ModR/M and SIB (SDM vol. 2A, table 2-2). */
#define INSN_REG_ESP	4
#define INSN_REG_EBP	5

/*
 * insn_decode() - decode the instruction at @bytes (32-bit code segment:
 * default operand and address size 32).
 * @bytes: the instruction's first byte
 * @avail: bytes readable at @bytes
 * @out: filled on INSN_OK
 *
 * Return: enum insn_status. Never guesses: an opcode outside the
 * decoder's tables (SSE, 3DNow!, VEX, ...) is INSN_UNKNOWN.
 */
int insn_decode(const __u8 *bytes, unsigned int avail, struct insn *out);

/*
 * insn_ea() - the address of @in's memory operand, with 32-bit addressing
 * and the eight general registers @gpr (EAX..EDI, by ModR/M number): base
 * + index * scale + displacement (SDM vol. 2A, tables 2-2 and 2-3), or
 * the moffs of MOV A0-A3. Segment bases are not added (the guest ABI's
 * segments are flat). Only for an instruction with a memory operand and
 * !addr16: check MODRM_MOD(in->modrm) != 3 first.
 */
__u32 insn_ea(const struct insn *in, const __u32 gpr[8]);

#endif /* _TVMM_INSN_H */
