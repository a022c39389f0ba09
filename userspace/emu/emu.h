/* SPDX-License-Identifier: GPL-2.0 */
/*
 * emu.h - the software CPU of `tvmm emulate`: the state of a 32-bit x86
 * in protected mode, and what its files share (grouped by the file that
 * defines them).
 *
 * Concept: the notes' first technique. "A VM is an emulation of a real
 * machine": a program that keeps the machine's registers in a struct and
 * its memory in an array, and for every guest instruction fetches its
 * bytes, decodes them and does what the manual says. Nothing runs on the
 * real CPU, so nothing needs to trap: every instruction is "emulated",
 * the sensitive ones no differently from ADD. That is why it works on any
 * host (the notes' "I can emulate ARM on x86") and why it is slow (one
 * guest instruction costs tens of host ones): trap-and-emulate,
 * binary translation and VT-x all exist to run most instructions natively
 * and emulate only the few that must be.
 *
 * The files, one idea each: cpu.c (fetch, decode, dispatch: the loop),
 * exec.c (data movement and control flow), alu.c (arithmetic and the
 * flags), mem.c (operands, segment-relative memory, guest RAM), seg.c
 * (descriptors, segment loads, GDT/IDT/TSS registers), interrupts.c
 * (exceptions, INT/IRET, the virtual timer), io.c (the instructions a VMM
 * traps: port I/O, CPUID, RDTSC, MSRs, control registers, HLT,
 * hypercalls), device.c (tvmm-dev, the memory-mapped device), events.c (the trace records a VMM would have written).
 *
 * SDM: vol. 3A, chapter 2 (system registers), 3 (segmentation), 5
 *      (protection), 6 (interrupts and exceptions).
 * Context: userspace, no VT-x, no module; one CPU, single-threaded.
 */
#ifndef TVMM_EMU_H
#define TVMM_EMU_H

#include <setjmp.h>
#include <stdbool.h>
#include <stdio.h>
#include <linux/types.h>

#include <tvmm.h>		/* struct tvmm_exit_record, enum tvmm_end */
#include <tvmm/insn.h>
#include <tvmm/vmx_arch.h>	/* EXIT_REASON_*: the trace's names */

/* General registers by ModR/M number (SDM vol. 2A, table 2-2). */
enum { EAX, ECX, EDX, EBX, ESP, EBP, ESI, EDI };
/* Segment registers by their Sreg encoding (SDM vol. 2A, table 3-5). */
enum { ES, CS, SS, DS, FS, GS, NR_SEGS };

/* EFLAGS bits (SDM vol. 1, 3.4.3). */
#define FL_CF	0x0001U
#define FL_FIXED 0x0002U	/* bit 1 always reads 1 */
#define FL_PF	0x0004U
#define FL_AF	0x0010U
#define FL_ZF	0x0040U
#define FL_SF	0x0080U
#define FL_TF	0x0100U
#define FL_IF	0x0200U
#define FL_DF	0x0400U
#define FL_OF	0x0800U
#define FL_IOPL	0x3000U
#define FL_NT	0x4000U
#define FL_RF	0x10000U
#define FL_VM	0x20000U
#define FL_AC	0x40000U
#define FL_ID	0x200000U
#define FL_ARITH (FL_CF | FL_PF | FL_AF | FL_ZF | FL_SF | FL_OF)

/* CR0 bits (SDM vol. 3A, 2.5). */
#define CR0_PE	0x00000001U
#define CR0_TS	0x00000008U
#define CR0_ET	0x00000010U
#define CR0_AM	0x00040000U
#define CR0_NW	0x20000000U
#define CR0_CD	0x40000000U
#define CR0_PG	0x80000000U

/* Exception vectors (SDM vol. 3A, table 6-1). */
enum {
	VEC_DE = 0, VEC_DB = 1, VEC_BP = 3, VEC_OF = 4, VEC_UD = 6, VEC_NM = 7,
	VEC_DF = 8, VEC_TS = 10, VEC_NP = 11, VEC_SS = 12, VEC_GP = 13,
	VEC_PF = 14, VEC_AC = 17, VEC_TIMER = 0x20,
};

/*
 * A segment register: the selector the program sees and the descriptor
 * the CPU cached when it was loaded (SDM vol. 3A, 3.4.3, "hidden part").
 */
struct emu_seg {
	__u16 sel;
	__u32 base, limit;	/* limit in bytes, granularity applied */
	__u8 access;		/* descriptor byte 5: P, DPL, S, type */
	bool big;		/* D/B: 32-bit code, 4-GiB expand-down stack */
};

/* How a run ends: the same reasons as the module's enum tvmm_end. */
enum emu_end {
	EMU_RUNNING = 0,
	EMU_END_UNKNOWN_INSN = 100,	/* not in the subset: bytes and address said */
};

struct emu_cpu;

/* A decoded instruction as cpu.c caches it, by linear address. */
struct decoded {
	__u32 lin;
	bool valid;
	__u8 bytes[INSN_LEN_MAX];	/* the bytes it was decoded from */
	struct insn in;
	int seg_override;		/* -1 or ES..GS */
	bool rep, repne;		/* F3, F2 prefixes */
};

#define EMU_DCACHE_SIZE	1024

/* What the machine around the CPU provides (emulate.c fills it in). */
struct emu_host {
	/* A byte the guest wrote to the console port. */
	void (*console)(struct emu_host *h, __u8 byte);
	/* A trace record, as tvmm.ko's read() would return it; may be NULL. */
	void (*record)(struct emu_host *h, const struct tvmm_exit_record *rec);
};

struct emu_cpu {
	/* The architectural state. */
	__u32 gpr[8];
	__u32 eip, eflags;
	struct emu_seg seg[NR_SEGS];
	unsigned int cpl;	/* CS.RPL after every CS load (SDM 5.5) */
	struct { __u32 base; __u16 limit; } gdtr, idtr;
	struct emu_seg ldtr, tr;
	__u32 cr0, cr2, cr3, cr4;
	__u32 dr[8];

	/* The machine: RAM from guest-physical 0, and time. */
	__u8 *ram;
	__u32 ram_size;
	__u64 tsc;		/* one tick per instruction (see cpu.c) */
	__u64 insns;		/* instructions interpreted */

	/* The virtual timer of the guest ABI (interrupts.c). */
	__u64 timer_period;	/* 0: off */
	bool timer_on;
	__u64 timer_deadline;
	bool irq_pending;
	bool sti_shadow;	/* no interrupt before the next instruction */

	/* The instruction being executed (cpu.c). */
	__u32 insn_eip;		/* its first byte's offset in CS */
	const struct insn *in;	/* decoded (in the decode cache) */
	const __u8 *bytes;	/* its bytes */
	__u8 fetch[INSN_LEN_MAX];	/* what could be read at CS:EIP */
	unsigned int fetched;	/* fetch[] bytes that were readable */
	const struct decoded *d;	/* its prefixes (and the cached decode) */
	unsigned int osize;	/* operand size: 2 or 4 */
	struct decoded dcache[EMU_DCACHE_SIZE];

	/* A fault aborts the instruction: longjmp here (interrupts.c). */
	jmp_buf fault;
	int delivering;		/* vector being delivered, -1 if none */

	/* How the run ended (enum tvmm_end, or EMU_END_UNKNOWN_INSN). */
	int end;
	__u64 end_info;
	__u32 guest_status;	/* the exit hypercall's EBX */
	char message[160];

	/* tvmm-dev's registers (device.c), and the access being traced. */
	struct { __u32 scratch, counter, doorbells; } dev;
	__u32 mmio_gpa, mmio_value;
	unsigned int mmio_width;
	bool mmio_write;

	/* Events a VMM would have trapped (events.c). */
	struct emu_host *host;
	__u64 seq;
	__u64 events[80];	/* per exit reason, like struct tvmm_stats */
};

/* cpu.c: the loop. */
void emu_reset(struct emu_cpu *c, __u8 *ram, __u32 ram_size, __u64 timer_period);
/* Run until the guest ends or @max_insns (0: no limit) have run. */
void emu_run(struct emu_cpu *c, __u64 max_insns);
/* One instruction (or one interrupt delivery); false once the run ended. */
bool emu_step(struct emu_cpu *c);
void emu_end(struct emu_cpu *c, int end, __u64 info, const char *fmt, ...)
	__attribute__((format(printf, 4, 5)));

/* exec.c: the instructions, by opcode. */
void exec_insn(struct emu_cpu *c);
bool cond_true(const struct emu_cpu *c, unsigned int cc);
void push(struct emu_cpu *c, __u32 v, unsigned int size);
__u32 pop(struct emu_cpu *c, unsigned int size);
void set_eflags(struct emu_cpu *c, __u32 v, unsigned int size, bool iret);
void unknown_insn(struct emu_cpu *c);

/* alu.c: arithmetic, each op setting the flags as the SDM says. */
enum alu_op { ALU_ADD, ALU_OR, ALU_ADC, ALU_SBB, ALU_AND, ALU_SUB, ALU_XOR, ALU_CMP };
__u32 alu(struct emu_cpu *c, enum alu_op op, __u32 a, __u32 b, unsigned int size);
__u32 alu_incdec(struct emu_cpu *c, __u32 a, bool dec, unsigned int size);
__u32 alu_shift(struct emu_cpu *c, unsigned int op, __u32 a, unsigned int count,
		unsigned int size);
__u32 alu_shd(struct emu_cpu *c, bool left, __u32 dst, __u32 src, unsigned int count,
	      unsigned int size);
void alu_logic_flags(struct emu_cpu *c, __u32 r, unsigned int size);
void alu_group3(struct emu_cpu *c, unsigned int op, unsigned int size);
__u32 alu_imul(struct emu_cpu *c, __u32 a, __u32 b, unsigned int size);
__u32 alu_bitscan(struct emu_cpu *c, __u32 v, bool reverse, __u32 old, unsigned int size);

/* mem.c: registers by size, ModR/M operands, memory through segments. */
struct operand {
	bool is_mem;
	unsigned int reg;	/* is_mem false: the register number */
	int seg;		/* is_mem: the segment and offset */
	__u32 off;
};
__u32 get_reg(const struct emu_cpu *c, unsigned int reg, unsigned int size);
void set_reg(struct emu_cpu *c, unsigned int reg, unsigned int size, __u32 v);
void modrm_operand(struct emu_cpu *c, struct operand *op);
__u32 op_read(struct emu_cpu *c, const struct operand *op, unsigned int size);
void op_write(struct emu_cpu *c, const struct operand *op, unsigned int size, __u32 v);
__u32 mem_read(struct emu_cpu *c, int seg, __u32 off, unsigned int size);
void mem_write(struct emu_cpu *c, int seg, __u32 off, unsigned int size, __u32 v);
__u32 lin_read(struct emu_cpu *c, __u32 lin, unsigned int size);
void lin_write(struct emu_cpu *c, __u32 lin, unsigned int size, __u32 v);
int data_seg(const struct emu_cpu *c, int def);
bool fetchable(struct emu_cpu *c, __u32 lin, __u8 *byte);

/* seg.c: segmentation and the descriptor-table registers. */
void seg_load(struct emu_cpu *c, int sreg, __u16 sel);
void seg_far_jump(struct emu_cpu *c, __u16 sel, __u32 off, bool call);
void seg_set_cs(struct emu_cpu *c, __u16 sel, const __u8 desc[8]);
void seg_read_desc(struct emu_cpu *c, __u16 sel, __u8 desc[8], int vec);
void seg_cache(struct emu_seg *s, __u16 sel, const __u8 desc[8]);
bool seg_stack_ok(__u16 sel, const __u8 desc[8], unsigned int cpl);
void seg_flat(struct emu_seg *s, __u16 sel, __u8 access);
void exec_group6(struct emu_cpu *c);
void exec_group7(struct emu_cpu *c);

/* interrupts.c: exceptions, INT n, IRET, the timer. */
void __attribute__((noreturn)) fault(struct emu_cpu *c, int vec, __u32 err);
void deliver(struct emu_cpu *c, int vec, bool has_err, __u32 err, bool soft);
void exec_int(struct emu_cpu *c, int vec);
void exec_iret(struct emu_cpu *c);
void timer_start(struct emu_cpu *c);
bool timer_poll(struct emu_cpu *c);
bool exc_has_error(int vec);

/* io.c: the instructions a VMM must trap, here just run. */
void exec_io(struct emu_cpu *c, bool in, unsigned int port, unsigned int size, bool imm);
void exec_cpuid(struct emu_cpu *c);
void exec_rdtsc(struct emu_cpu *c);
void exec_msr(struct emu_cpu *c, bool write);
void exec_mov_cr(struct emu_cpu *c, bool to_cr);
void exec_mov_dr(struct emu_cpu *c, bool to_dr);
void exec_hlt(struct emu_cpu *c);
void exec_vmcall(struct emu_cpu *c);
void write_cr0(struct emu_cpu *c, __u32 v);
void need_cpl0(struct emu_cpu *c);

/* device.c: tvmm-dev at TVMM_DEV_GPA. */
void device_access(struct emu_cpu *c, __u32 pa, unsigned int size, bool write, __u32 *value);

/* events.c: the trace. */
void event(struct emu_cpu *c, unsigned int reason, __u64 qual, unsigned int action,
	   const char *mnemonic);

#endif /* TVMM_EMU_H */
