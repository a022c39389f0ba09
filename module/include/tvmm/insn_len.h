/* SPDX-License-Identifier: GPL-2.0 */
/*
 * insn_len.h - the length of one 32-bit x86 instruction, and where it may
 * jump. Shared by tvmm.ko (patch.c, the scan of scan-and-patch mode) and
 * the host unit test tests/host/insn_len_test.c.
 *
 * SDM: vol. 2A, 2.1 "Instruction Format for Protected Mode, Real-Address
 *      Mode, and Virtual-8086 Mode"; vol. 2D, appendix A "Opcode Map".
 * Context: any; pure function, no allocation, no locks.
 */
#ifndef _TVMM_INSN_LEN_H
#define _TVMM_INSN_LEN_H

#ifdef __KERNEL__
#include <linux/types.h>
#else
#include <stdbool.h>
#include <linux/types.h>
#endif

#define INSN_LEN_MAX	15	/* longest legal x86 instruction (SDM 2.3.11) */

/* insn_len_decode() results. */
enum insn_len_status {
	INSN_LEN_OK		= 0,
	INSN_LEN_UNKNOWN	= -1,	/* an opcode the decoder does not know */
	INSN_LEN_TRUNCATED	= -2,	/* needs more bytes than were given */
	INSN_LEN_TOO_LONG	= -3,	/* more than 15 bytes (prefix run) */
};

/* What control does after the instruction (for a sweep that follows code). */
enum insn_flow {
	INSN_FLOW_NEXT,		/* continues with the next instruction */
	INSN_FLOW_BRANCH,	/* Jcc, CALL rel/far, LOOP: the next instruction, or target */
	INSN_FLOW_JUMP,		/* JMP rel, JMP far ptr: only to target */
	INSN_FLOW_STOP,		/* RET, IRET, JMP indirect, UD2: not to the next */
};

/* One decoded instruction: lengths and the fields a classifier needs. */
struct insn_len_info {
	unsigned int len;	/* total bytes, prefixes included */
	unsigned int prefixes;	/* prefix bytes before the opcode */
	bool opsize16;		/* 0x66: 16-bit operands */
	bool addr16;		/* 0x67: 16-bit addressing */
	__u8 op;		/* the opcode byte (0x0f for two-byte opcodes) */
	__u8 op2;		/* the byte after 0x0f, else 0 */
	bool has_modrm;
	__u8 modrm;		/* ModR/M: mod 7:6, reg 5:3, rm 2:0 */
	bool has_sib;
	__u8 sib;		/* SIB: scale 7:6, index 5:3, base 2:0 */
	unsigned int disp_len;	/* 0, 1, 2 or 4 */
	__s32 disp;		/* sign-extended displacement */
	unsigned int imm_len;	/* immediate bytes (both of ENTER's) */
	enum insn_flow flow;
	__s32 rel;		/* FLOW_BRANCH/JUMP: target = address + len + rel */
	bool far;		/* JMP/CALL far ptr16:32: the target is the offset */
	__u32 far_offset;	/* ... in the new CS (an address if CS is flat) */
};

/* ModR/M fields. */
#define MODRM_MOD(m)	((m) >> 6)
#define MODRM_REG(m)	(((m) >> 3) & 7)
#define MODRM_RM(m)	((m) & 7)

/*
 * insn_len_decode() - decode the instruction at @bytes (32-bit code
 * segment: default operand and address size 32).
 * @bytes: the instruction's first byte
 * @avail: bytes readable at @bytes
 * @out: filled on INSN_LEN_OK
 *
 * Return: enum insn_len_status. Never guesses: an opcode outside the
 * decoder's tables (SSE, 3DNow!, VEX, ...) is INSN_LEN_UNKNOWN.
 */
int insn_len_decode(const __u8 *bytes, unsigned int avail, struct insn_len_info *out);

#endif /* _TVMM_INSN_LEN_H */
