// SPDX-License-Identifier: GPL-2.0
/*
 * emu_diff_test.c - differential testing of `tvmm emulate`'s CPU
 * (userspace/emu/) against a second, independent emulator: Unicorn
 * (QEMU's TCG as a library).
 *
 * Rule under test: on every instruction of the subset, the software CPU
 * does what an x86 does: same registers, same flags, same memory. Nobody
 * can check that by reading alu.c line by line for every operand size and
 * flag; a second emulator can. Seeded random sequences of instructions
 * from the subset (arithmetic in three sizes, shifts and rotates, MUL and
 * DIV, bit tests and scans, MOVZX/MOVSX, CMOVcc/SETcc/Jcc on every
 * condition, string instructions with REP, the stack...) run on both, one
 * instruction at a time; after each one the eight registers, EIP, the
 * flags and the data and stack pages must agree. Flags the SDM leaves
 * undefined for that instruction (AF after AND, OF after a shift by more
 * than 1, ...) are masked, then copied from Unicorn so they cannot make
 * the next instruction differ. A failure prints the seed, the sequence
 * as bytes and as capstone's disassembly, and what differed.
 *
 * usage: emu_diff_test [SEQUENCES [SEED]]   (default 12000, seed 1;
 *        EMU_DIFF_SEED=S also sets the seed). Prints TAP.
 * Context: host, no VM; links -lunicorn -lcapstone.
 */
#include <capstone/capstone.h>
#include <stdlib.h>
#include <string.h>
#include <unicorn/unicorn.h>

#include "../../userspace/emu/emu.h"

#define RAM_SIZE	0x40000
#define CODE		0x10000		/* the sequence, as a guest image */
#define DATA		0x20000		/* memory operands point here */
#define DATA_SIZE	0x1000
#define STACK		0x30000		/* ESP starts in the middle */
#define STACK_SIZE	0x1000
#define SEQ_MAX		12		/* instructions per sequence */
#define BYTES_MAX	(SEQ_MAX * 3 * 16)	/* each may bring set-up instructions */

/* ---- the random sequences ---------------------------------------------- */

static __u64 rng_state;

static __u32 rnd(void)		/* xorshift64* */
{
	rng_state ^= rng_state >> 12;
	rng_state ^= rng_state << 25;
	rng_state ^= rng_state >> 27;
	return (rng_state * 0x2545f4914f6cdd1dULL) >> 32;
}

static __u32 pick(__u32 n)
{
	return rnd() % n;
}

/* One instruction of the sequence, and the flags it leaves undefined. */
struct one {
	__u8 b[16];
	unsigned int len;
	__u32 undef;		/* EFLAGS bits to ignore after it */
	bool undef_dest;	/* BSF/BSR of 0: the destination register too */
};

struct seq {
	struct one insn[SEQ_MAX * 3];
	unsigned int n;
};

static struct one *emit(struct seq *s)
{
	struct one *o = &s->insn[s->n++];

	memset(o, 0, sizeof(*o));
	return o;
}

static void put(struct one *o, __u8 b)
{
	o->b[o->len++] = b;
}

static void put32(struct one *o, __u32 v)
{
	int i;

	for (i = 0; i < 4; i++)
		put(o, v >> (8 * i));
}

/* A general register that is not ESP (the stack stays where it is). */
static unsigned int reg_no_esp(void)
{
	unsigned int r = pick(7);

	return r >= ESP ? r + 1 : r;
}

/* An r/m operand: a register (not ESP), or an absolute address in DATA. */
static void put_modrm(struct one *o, unsigned int reg, bool mem_ok)
{
	if (mem_ok && pick(3) == 0) {
		put(o, (reg << 3) | 5);		/* mod 00, rm 101: disp32 */
		put32(o, DATA + pick(DATA_SIZE - 8));
	} else {
		put(o, 0xc0 | (reg << 3) | reg_no_esp());
	}
}

/* 0x66 for a 16-bit operand; returns the size. */
static unsigned int put_size(struct one *o, bool byte_ok)
{
	unsigned int k = pick(byte_ok ? 3 : 2);

	if (k == 1)
		put(o, 0x66);
	return k == 0 ? 4 : k == 1 ? 2 : 1;
}

static void put_imm(struct one *o, unsigned int size)
{
	__u32 v = rnd();

	if (pick(4) == 0)	/* edges: 0, all ones, the sign bit */
		v = (__u32[]){ 0, ~0U, 0x80000000, 0x7fffffff, 0x80, 0x8000 }[pick(6)];
	put(o, v);
	if (size >= 2)
		put(o, v >> 8);
	if (size == 4) {
		put(o, v >> 16);
		put(o, v >> 24);
	}
}

/* MOV r8, imm8 (B0+r): set CL, AH... before an instruction that needs it. */
static void set_r8(struct seq *s, unsigned int r8, __u8 v)
{
	struct one *o = emit(s);

	put(o, 0xb0 + r8);
	put(o, v);
}

static void set_r32(struct seq *s, unsigned int r, __u32 v)
{
	struct one *o = emit(s);

	put(o, 0xb8 + r);
	put32(o, v);
}

static void gen_one(struct seq *s)
{
	struct one *o;
	unsigned int size, op, k, count, width;

	switch (pick(22)) {
	case 0: case 1: case 2:		/* ALU r/m, r and r, r/m: 00-3b */
		o = emit(s);
		size = put_size(o, true);
		op = pick(8);
		put(o, op << 3 | (pick(2) << 1) | (size > 1));
		put_modrm(o, reg_no_esp(), true);
		if (op == ALU_AND || op == ALU_OR || op == ALU_XOR)
			o->undef = FL_AF;
		break;
	case 3: case 4:			/* group 1: 80, 81, 83 */
		o = emit(s);
		size = put_size(o, true);
		k = size == 1 ? 0x80 : pick(2) ? 0x81 : 0x83;
		op = pick(8);
		put(o, k);
		put_modrm(o, op, true);
		put_imm(o, k == 0x81 ? size : 1);
		if (op == ALU_AND || op == ALU_OR || op == ALU_XOR)
			o->undef = FL_AF;
		break;
	case 5:				/* AL/eAX, imm: 04, 05, ... 3d */
		o = emit(s);
		size = put_size(o, true);
		op = pick(8);
		put(o, op << 3 | 4 | (size > 1));
		put_imm(o, size);
		if (op == ALU_AND || op == ALU_OR || op == ALU_XOR)
			o->undef = FL_AF;
		break;
	case 6:				/* INC/DEC r (40-4f), INC/DEC r/m (fe, ff) */
		o = emit(s);
		size = put_size(o, true);
		if (size > 1 && pick(2)) {
			put(o, 0x40 + pick(2) * 8 + reg_no_esp());
		} else {
			put(o, size == 1 ? 0xfe : 0xff);
			put_modrm(o, pick(2), true);
		}
		break;
	case 7:				/* group 3: TEST imm, NOT, NEG, MUL, IMUL */
		o = emit(s);
		size = put_size(o, true);
		op = (unsigned int[]){ 0, 2, 3, 4, 5 }[pick(5)];
		put(o, size == 1 ? 0xf6 : 0xf7);
		put_modrm(o, op, true);
		if (!op)
			put_imm(o, size);
		o->undef = op == 0 ? FL_AF : op >= 4 ? FL_SF | FL_ZF | FL_AF | FL_PF : 0;
		break;
	case 8: {			/* DIV, IDIV with a divisor that cannot fault */
		bool sgn = pick(2);
		unsigned int r = (unsigned int[]){ ECX, EBX, ESI, EDI }[pick(4)];
		__u32 d = rnd() | 1;

		if (sgn && (d & 0xff) == 0xff)
			d ^= 2;			/* never -1 */
		o = emit(s);
		size = put_size(o, true);
		/* The dividend's high half: AH = 0 / CBW, (E)DX = 0 / CWD, CDQ. */
		if (size == 1) {
			if (sgn) {
				put(o, 0x66);
				put(o, 0x98);		/* cbw */
			} else {
				put(o, 0xb4);		/* mov ah, 0 */
				put(o, 0);
			}
		} else {
			if (size == 2)
				put(o, 0x66);
			put(o, sgn ? 0x99 : 0x31);	/* cwd/cdq, or xor edx, edx */
			if (!sgn)
				put(o, 0xd2);
		}
		set_r32(s, r, d == 0 ? 1 : d);
		o = emit(s);
		if (size == 2)
			put(o, 0x66);
		put(o, size == 1 ? 0xf6 : 0xf7);
		put(o, 0xc0 | (sgn ? 7 : 6) << 3 | (size == 1 && r >= 4 ? r - 4 : r));
		if (size == 1 && r >= 4)	/* ESI/EDI have no byte form: BL */
			s->insn[s->n - 1].b[s->insn[s->n - 1].len - 1] = 0xc0 | (sgn ? 7 : 6) << 3 | EBX;
		if (size == 1 && r >= 4)
			s->insn[s->n - 2].b[0] = 0xb8 + EBX;
		o->undef = FL_ARITH;
		break;
	}
	case 9: case 10: {		/* group 2 by 1, imm8 and CL */
		k = pick(3);
		count = pick(4) ? pick(40) : 1;
		if (k == 2)
			set_r8(s, ECX, count);	/* CL */
		o = emit(s);
		size = put_size(o, true);
		op = pick(8);
		if (op == 6)
			op = 4;			/* SAL: an alias of SHL (some disassemblers refuse /6) */
		put(o, (k == 0 ? 0xd0 : k == 1 ? 0xc0 : 0xd2) | (size > 1));
		put_modrm(o, op, true);
		if (k == 0)
			count = 1;
		if (k == 1)
			put(o, count);
		width = 8 * size;
		count &= 31;
		if (count != 1)
			o->undef |= FL_OF;
		if (op >= 4 && count)
			o->undef |= FL_AF;
		if (op >= 4 && count >= width)	/* SHL/SHR by the width or more */
			o->undef |= FL_CF | FL_OF;
		break;
	}
	case 11: {			/* SHLD/SHRD by imm8 and CL */
		o = emit(s);
		size = put_size(o, false);
		count = 1 + pick(8 * size - 1);
		put(o, 0x0f);
		put(o, pick(2) ? 0xa4 : 0xac);
		put_modrm(o, reg_no_esp(), true);
		put(o, count);
		o->undef = FL_AF | (count != 1 ? FL_OF : 0);
		break;
	}
	case 12:			/* IMUL r, r/m (0f af), imm32 (69), imm8 (6b) */
		o = emit(s);
		size = put_size(o, false);
		k = pick(3);
		if (k == 0) {
			put(o, 0x0f);
			put(o, 0xaf);
		} else {
			put(o, k == 1 ? 0x69 : 0x6b);
		}
		put_modrm(o, reg_no_esp(), true);
		if (k)
			put_imm(o, k == 1 ? size : 1);
		o->undef = FL_SF | FL_ZF | FL_AF | FL_PF;
		break;
	case 13:			/* MOV in every form */
		o = emit(s);
		k = pick(4);
		size = put_size(o, true);
		if (k == 0) {
			put(o, 0x88 | (pick(2) << 1) | (size > 1));
			put_modrm(o, reg_no_esp(), true);
		} else if (k == 1) {
			put(o, (size == 1 ? 0xb0 : 0xb8) + (size == 1 ? pick(8) : reg_no_esp()));
			put_imm(o, size);
		} else if (k == 2) {
			put(o, 0xc6 | (size > 1));
			put_modrm(o, 0, true);
			put_imm(o, size);
		} else {		/* MOV moffs */
			put(o, 0xa0 | (pick(2) << 1) | (size > 1));
			put32(o, DATA + pick(DATA_SIZE - 8));
		}
		break;
	case 14:			/* MOVZX, MOVSX, LEA, XCHG, BSWAP */
		o = emit(s);
		k = pick(5);
		if (k < 2) {
			size = put_size(o, false);
			put(o, 0x0f);
			put(o, (k ? 0xbe : 0xb6) | pick(2));
			put_modrm(o, reg_no_esp(), true);
		} else if (k == 2) {	/* LEA with a SIB: any base, index, scale */
			size = put_size(o, false);
			put(o, 0x8d);
			put(o, (pick(3) << 6) | (reg_no_esp() << 3) | 4);
			put(o, rnd() & 0xff);
			if (((o->b[o->len - 2] >> 6) == 0 && (o->b[o->len - 1] & 7) == 5) ||
			    (o->b[o->len - 2] >> 6) == 2)
				put32(o, rnd());
			else if ((o->b[o->len - 2] >> 6) == 1)
				put(o, rnd());
		} else if (k == 3) {
			size = put_size(o, true);
			put(o, 0x86 | (size > 1));
			put_modrm(o, reg_no_esp(), true);
		} else {
			put(o, 0x0f);
			put(o, 0xc8 + reg_no_esp());
		}
		break;
	case 15:			/* CMOVcc, SETcc on every condition */
		o = emit(s);
		if (pick(2)) {
			put_size(o, false);
			put(o, 0x0f);
			put(o, 0x40 | pick(16));
			put_modrm(o, reg_no_esp(), true);
		} else {
			put(o, 0x0f);
			put(o, 0x90 | pick(16));
			put_modrm(o, 0, true);
		}
		break;
	case 16:			/* Jcc over one 2-byte instruction */
		o = emit(s);
		put(o, 0x70 | pick(16));
		put(o, 2);
		o = emit(s);
		put(o, 0x31);		/* xor r, r: zero if not jumped over */
		put(o, 0xc0 | reg_no_esp() * 9);
		break;
	case 17: {			/* BT, BTS, BTR, BTC; BSF, BSR */
		o = emit(s);
		k = pick(3);
		size = put_size(o, false);
		put(o, 0x0f);
		if (k == 0) {		/* register bit offset: register operand */
			put(o, 0xa3 | pick(4) << 3);
			put(o, 0xc0 | reg_no_esp() << 3 | reg_no_esp());
			o->undef = FL_OF | FL_SF | FL_AF | FL_PF | FL_ZF;
		} else if (k == 1) {
			put(o, 0xba);
			put_modrm(o, 4 + pick(4), true);
			put(o, rnd());
			o->undef = FL_OF | FL_SF | FL_AF | FL_PF | FL_ZF;
		} else {
			put(o, 0xbc | pick(2));
			put_modrm(o, reg_no_esp(), true);
			o->undef = FL_CF | FL_OF | FL_SF | FL_AF | FL_PF;
			o->undef_dest = true;
		}
		break;
	}
	case 18:			/* one-byte odds: CBW CWDE CWD CDQ CLC STC CMC SAHF LAHF NOP */
		o = emit(s);
		k = pick(9);
		if (k < 2 && pick(2))
			put(o, 0x66);
		put(o, (__u8[]){ 0x98, 0x99, 0xf8, 0xf9, 0xf5, 0x9e, 0x9f, 0x90, 0x98 }[k]);
		break;
	case 19:			/* the stack: PUSH r/imm, POP r, PUSHF, PUSHA/POPA */
		k = pick(5);
		o = emit(s);
		if (k == 0) {
			put(o, 0x50 + pick(8));
		} else if (k == 1) {
			put(o, 0x58 + reg_no_esp());
		} else if (k == 2) {
			put(o, pick(2) ? 0x68 : 0x6a);
			put_imm(o, o->b[0] == 0x68 ? 4 : 1);
		} else if (k == 3) {
			put(o, 0x9c);
		} else {
			put(o, 0x60);
			o = emit(s);
			put(o, 0x61);
		}
		break;
	case 20: {			/* string instructions, with and without REP */
		static const __u8 ops[] = { 0xa4, 0xa5, 0xa6, 0xa7, 0xaa, 0xab, 0xac, 0xad, 0xae, 0xaf };
		bool down = pick(4) == 0;

		set_r32(s, ESI, DATA + 0x100 + pick(0x300));
		set_r32(s, EDI, DATA + 0x800 + pick(0x300));
		set_r32(s, ECX, pick(20));
		o = emit(s);
		put(o, down ? 0xfd : 0xfc);	/* STD / CLD */
		o = emit(s);
		k = pick(3);
		if (k == 1)
			put(o, 0xf3);
		else if (k == 2)
			put(o, 0xf2);
		if (pick(4) == 0)
			put(o, 0x66);
		put(o, ops[pick(sizeof(ops))]);
		if (k == 2 && o->b[o->len - 1] < 0xa6)
			o->b[0] = 0xf3;	/* REPNE is only defined for CMPS/SCAS */
		if (k == 2 && o->b[o->len - 1] >= 0xaa && o->b[o->len - 1] <= 0xad)
			o->b[0] = 0xf3;
		o = emit(s);
		put(o, 0xfc);
		break;
	}
	default: {			/* XADD, CMPXCHG, TEST r/m, r */
		o = emit(s);
		k = pick(3);
		size = put_size(o, true);
		if (k == 2) {
			put(o, 0x84 | (size > 1));
			o->undef = FL_AF;
		} else {
			put(o, 0x0f);
			put(o, (k ? 0xb0 : 0xc0) | (size > 1));
		}
		put_modrm(o, reg_no_esp(), true);
		break;
	}
	}
}

/* ---- running one instruction on both ------------------------------------ */

static const int uc_regs[8] = {
	UC_X86_REG_EAX, UC_X86_REG_ECX, UC_X86_REG_EDX, UC_X86_REG_EBX,
	UC_X86_REG_ESP, UC_X86_REG_EBP, UC_X86_REG_ESI, UC_X86_REG_EDI,
};
static const char *const reg_names[8] = { "eax", "ecx", "edx", "ebx", "esp", "ebp", "esi", "edi" };

static uc_engine *uc;
static csh cs;
static __u8 *ram;
static struct emu_cpu cpu;

static void no_console(struct emu_host *h, __u8 b)
{
	(void)h;
	(void)b;
}

static struct emu_host host = { no_console, NULL };

/* The sequence in bytes and disassembled, => at the instruction at @mark. */
static void print_seq(const __u8 *code, size_t len, __u32 mark)
{
	cs_insn *insn;
	size_t n, i, j;

	printf("# bytes:");
	for (i = 0; i < len; i++)
		printf(" %02x", code[i]);
	printf("\n");
	n = cs_disasm(cs, code, len, CODE, 0, &insn);
	for (i = 0; i < n; i++) {
		printf("# %s %08llx  ", insn[i].address == mark ? "=>" : "  ",
		       (unsigned long long)insn[i].address);
		for (j = 0; j < insn[i].size; j++)
			printf("%02x", insn[i].bytes[j]);
		printf("%*s %s %s\n", (int)(24 - 2 * insn[i].size), "", insn[i].mnemonic,
		       insn[i].op_str);
	}
	if (n)
		cs_free(insn, n);
}

/*
 * One sequence on both CPUs, instruction by instruction. Returns true if
 * they agree; else prints what differs.
 */
static bool run_seq(const struct seq *s, unsigned long long id, __u64 seed)
{
	__u8 code[BYTES_MAX], uc_data[DATA_SIZE + STACK_SIZE];
	__u32 start[8], flags = (rnd() & (FL_ARITH)) | FL_FIXED, v, eip;
	size_t len = 0;
	unsigned int i, r;

	for (i = 0; i < s->n; i++) {
		memcpy(code + len, s->insn[i].b, s->insn[i].len);
		len += s->insn[i].len;
	}
	/* The same start on both: random registers and data. */
	memset(ram, 0, RAM_SIZE);
	memcpy(ram + CODE, code, len);
	for (i = 0; i < DATA_SIZE; i += 4)
		*(__u32 *)(ram + DATA + i) = rnd();
	emu_reset(&cpu, ram, RAM_SIZE, 0);
	cpu.host = &host;
	for (r = 0; r < 8; r++) {
		start[r] = r == ESP ? STACK + STACK_SIZE / 2 : rnd();
		if (r != ESP && pick(4) == 0)	/* edges: small, sign bit, all ones */
			start[r] = (__u32[]){ 0, 1, 2, 3, 0x7f, 0x80, 0xff, 0x8000, 0xffff,
					      0x80000000, 0x7fffffff, ~0U }[pick(12)];
	}
	memcpy(cpu.gpr, start, sizeof(start));
	cpu.eflags = flags;
	uc_mem_write(uc, 0, ram, RAM_SIZE);
	uc_ctl_remove_cache(uc, CODE, CODE + BYTES_MAX);
	for (r = 0; r < 8; r++)
		uc_reg_write(uc, uc_regs[r], &start[r]);
	uc_reg_write(uc, UC_X86_REG_EFLAGS, &flags);
	eip = CODE;
	uc_reg_write(uc, UC_X86_REG_EIP, &eip);

	for (i = 0; i < s->n; i++) {
		const struct one *o = NULL;
		__u32 uc_eip, uc_flags, mask = FL_ARITH | FL_DF | FL_FIXED;
		bool same = true;
		unsigned int k;
		size_t at = 0;
		uc_err err;

		uc_reg_read(uc, UC_X86_REG_EIP, &uc_eip);
		if (uc_eip >= CODE + len)
			break;		/* a Jcc jumped past the end */
		/* Which generated instruction is at EIP (for its undefined flags). */
		for (k = 0; k < s->n; k++) {
			if (CODE + at == uc_eip)
				o = &s->insn[k];
			at += s->insn[k].len;
		}
		/*
		 * Unicorn counts each iteration of a REP string instruction as
		 * one instruction (EIP stays on it); tvmm emulate runs the
		 * whole REP in one step. Step Unicorn until EIP moves on.
		 */
		for (k = 0; k < 100000; k++) {
			__u32 now;

			err = uc_emu_start(uc, uc_eip, CODE + len, 0, 1);
			uc_reg_read(uc, UC_X86_REG_EIP, &now);
			if (err != UC_ERR_OK || now != uc_eip)
				break;
		}
		emu_step(&cpu);
		if (err != UC_ERR_OK || cpu.end) {
			printf("# sequence %llu (seed %llu): unicorn %s, tvmm emulate %s\n", id,
			       (unsigned long long)seed, uc_strerror(err),
			       cpu.end ? cpu.message : "ran on");
			print_seq(code, len, cpu.insn_eip);
			return false;
		}
		uc_reg_read(uc, UC_X86_REG_EIP, &uc_eip);
		uc_reg_read(uc, UC_X86_REG_EFLAGS, &uc_flags);
		if (o)
			mask &= ~o->undef;
		if (uc_eip != cpu.eip) {
			printf("# eip: unicorn %08x, tvmm emulate %08x\n", uc_eip, cpu.eip);
			same = false;
		}
		if ((uc_flags ^ cpu.eflags) & mask) {
			printf("# eflags: unicorn %08x, tvmm emulate %08x (compared: %08x)\n",
			       uc_flags, cpu.eflags, mask);
			same = false;
		}
		for (r = 0; r < 8; r++) {
			uc_reg_read(uc, uc_regs[r], &v);
			if (v != cpu.gpr[r] && !(o && o->undef_dest && (uc_flags & FL_ZF))) {
				printf("# %s: unicorn %08x, tvmm emulate %08x\n", reg_names[r], v,
				       cpu.gpr[r]);
				same = false;
			}
			cpu.gpr[r] = v;	/* an undefined destination: take unicorn's */
		}
		uc_mem_read(uc, DATA, uc_data, DATA_SIZE);
		uc_mem_read(uc, STACK, uc_data + DATA_SIZE, STACK_SIZE);
		for (k = 0; k < DATA_SIZE + STACK_SIZE; k++) {
			__u32 a = k < DATA_SIZE ? DATA + k : STACK + k - DATA_SIZE;

			if (uc_data[k] != ram[a]) {
				printf("# memory at %08x: unicorn %02x, tvmm emulate %02x\n", a,
				       uc_data[k], ram[a]);
				same = false;
				break;
			}
		}
		if (!same) {
			printf("# sequence %llu (seed %llu), after the instruction at %08x (%u of %u):\n",
			       id, (unsigned long long)seed, cpu.insn_eip, i + 1, s->n);
			print_seq(code, len, cpu.insn_eip);
			return false;
		}
		/* Undefined flags: Unicorn's, so the next instruction starts equal. */
		cpu.eflags = (cpu.eflags & mask) | (uc_flags & ~mask);
	}
	return true;
}

int main(int argc, char **argv)
{
	unsigned long long count = argc > 1 ? strtoull(argv[1], NULL, 0) : 12000, i;
	const char *env = getenv("EMU_DIFF_SEED");
	__u64 seed = argc > 2 ? strtoull(argv[2], NULL, 0) : env ? strtoull(env, NULL, 0) : 1;
	unsigned long long insns = 0, failed = 0;
	struct seq s;

	printf("TAP version 13\n1..1\n");
	printf("# seed %llu, %llu sequences of up to %d instructions (rerun: %s %llu %llu)\n",
	       (unsigned long long)seed, count, SEQ_MAX, argv[0], count,
	       (unsigned long long)seed);
	ram = malloc(RAM_SIZE);
	if (!ram || uc_open(UC_ARCH_X86, UC_MODE_32, &uc) != UC_ERR_OK ||
	    uc_mem_map(uc, 0, RAM_SIZE, UC_PROT_ALL) != UC_ERR_OK ||
	    cs_open(CS_ARCH_X86, CS_MODE_32, &cs) != CS_ERR_OK) {
		printf("not ok 1 - emu_diff: cannot set up Unicorn or capstone\n");
		return 1;
	}
	rng_state = seed * 0x9e3779b97f4a7c15ULL + 1;
	for (i = 0; i < count && failed < 3; i++) {
		unsigned int n = 1 + pick(SEQ_MAX);

		s.n = 0;
		while (s.n < n)
			gen_one(&s);
		insns += s.n;
		if (!run_seq(&s, i, seed))
			failed++;
	}
	printf("# %llu sequences, %llu instructions, %llu differed\n", i, insns, failed);
	printf("%s 1 - tvmm emulate agrees with Unicorn on %llu random sequences (seed %llu)\n",
	       failed ? "not ok" : "ok", i, (unsigned long long)seed);
	uc_close(uc);
	cs_close(&cs);
	return failed ? 1 : 0;
}
