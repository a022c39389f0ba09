// SPDX-License-Identifier: GPL-2.0
/*
 * gen.c - write random hostile guests for `make fuzz` (see gen.h).
 *
 * A snippet guest is laid out like this (the image is loaded at 0x10000,
 * 32-bit flat protected mode, ring 0 or 1 depending on the mode):
 *
 *   +0x000  jmp code
 *   +0x010  RESUME: where the exception handlers send the guest back to
 *   +0x020  a GDT: null, flat code/data at DPL 0 and 3, a 16-bit code
 *           segment, two random descriptors; +0x060 its GDTR
 *   +0x068  the IDTR of the IDT at +0x100 (48 gates)
 *   +0x070  scratch: random pseudo-descriptors, IRET frames, far pointers
 *   +0x280  the handlers: exceptions (0-31) resume at RESUME, the others
 *           (the timer, INT n) return with IRET
 *   +0x300  code: an optional prologue (LGDT, LIDT, gates get the CS),
 *           then snippets, each preceded by "RESUME = next snippet", so a
 *           faulting snippet goes on with the next one; then an ending
 *           (CLI+HLT, the exit hypercall, or nothing: the zeros after the
 *           image run on to the end of RAM).
 *
 * Instruction encodings: SDM vol. 2 (opcode maps, appendix A). Values are
 * biased towards edges: 0, all ones, single bits, the end of guest RAM,
 * tvmm-dev's page, addresses just outside RAM.
 */
#include <string.h>

#include "gen.h"

#define LOAD		0x10000u	/* TVMM_GUEST_LOAD_GPA */
#define RAM_TOP		0x200000u	/* default guest RAM */
#define DEV_GPA		0xfeb00000u	/* TVMM_DEV_GPA */
#define OFF_RESUME	0x010
#define OFF_GDT		0x020
#define OFF_GDTR	0x060
#define OFF_IDTR	0x068
#define OFF_SCRATCH	0x070
#define OFF_IDT		0x100
#define IDT_GATES	48
#define OFF_HANDLERS	0x280
#define OFF_CODE	0x300
#define CODE_END	(GEN_IMAGE_MAX - 64)	/* room for the longest snippet */
#define SNIPPETS_MAX	48

void rng_init(struct rng *r, uint64_t seed, uint64_t index)
{
	r->state = seed * 0x9e3779b97f4a7c15ULL ^ (index + 1) * 0xbf58476d1ce4e5b9ULL;
	rng_next(r);
}

uint64_t rng_next(struct rng *r)
{
	uint64_t z = (r->state += 0x9e3779b97f4a7c15ULL);

	z = (z ^ (z >> 30)) * 0xbf58476d1ce4e5b9ULL;
	z = (z ^ (z >> 27)) * 0x94d049bb133111ebULL;
	return z ^ (z >> 31);
}

uint32_t rng_below(struct rng *r, uint32_t n)
{
	return (uint32_t)(rng_next(r) % n);
}

const char *gen_kind_name(enum gen_kind kind)
{
	switch (kind) {
	case GEN_NOISE:
		return "noise";
	case GEN_SNIPPETS:
		return "snippets";
	default:
		return "mixed";
	}
}

struct gen {
	struct rng *r;
	uint8_t *buf;
	size_t pos;
	int has_idt;
};

static void b(struct gen *g, uint8_t v)
{
	if (g->pos < GEN_IMAGE_MAX)
		g->buf[g->pos++] = v;
}

static void w(struct gen *g, uint16_t v)
{
	b(g, v & 0xff);
	b(g, v >> 8);
}

static void d(struct gen *g, uint32_t v)
{
	w(g, v & 0xffff);
	w(g, v >> 16);
}

static void put32(uint8_t *p, uint32_t v)
{
	p[0] = v;
	p[1] = v >> 8;
	p[2] = v >> 16;
	p[3] = v >> 24;
}

static uint32_t pick(struct gen *g, const uint32_t *v, size_t n)
{
	return v[rng_below(g->r, n)];
}

/* A 32-bit value with a taste for edges. */
static uint32_t val32(struct gen *g)
{
	static const uint32_t edges[] = {
		0, 1, 0xffffffff, 0x7fffffff, 0x80000000, 0xffff, 0x10000,
		RAM_TOP, RAM_TOP - 1, RAM_TOP - 4, RAM_TOP - 3, RAM_TOP + 0x1000,
		RAM_TOP - 0x10000, LOAD, LOAD + OFF_CODE, DEV_GPA, DEV_GPA + 0x10,
		DEV_GPA + 0x14, DEV_GPA + 0xffe, 0x40000000, 0xfee00000, 0xb8000,
	};

	switch (rng_below(g->r, 4)) {
	case 0:
		return pick(g, edges, sizeof(edges) / sizeof(edges[0]));
	case 1:
		return 1u << rng_below(g->r, 32);
	case 2:
		return rng_below(g->r, 0x100);
	default:
		return (uint32_t)rng_next(g->r);
	}
}

static uint16_t selector(struct gen *g)
{
	static const uint32_t sels[] = {
		0, 3, 0x08, 0x09, 0x0b, 0x10, 0x11, 0x13, 0x18, 0x1b, 0x20, 0x23,
		0x28, 0x30, 0x38, 0x3b, 0x40, 0xfff8, 0xffff, 0x04, 0x0c,
	};

	return rng_below(g->r, 4) ? pick(g, sels, sizeof(sels) / sizeof(sels[0])) :
				    (uint16_t)rng_next(g->r);
}

static uint16_t port(struct gen *g)
{
	static const uint32_t ports[] = {
		0xe9, 0x20, 0x21, 0xa0, 0x40, 0x43, 0x60, 0x64, 0x70, 0x71, 0x80,
		0x92, 0xcf8, 0xcfc, 0xcf9, 0x3f8, 0x3fd, 0x1f0, 0x0, 0xffff, 0x510,
	};

	return rng_below(g->r, 3) ? pick(g, ports, sizeof(ports) / sizeof(ports[0])) :
				    (uint16_t)rng_next(g->r);
}

/* mov $v, %e<reg> (reg 0-7: eax ecx edx ebx esp ebp esi edi) */
static void mov_imm(struct gen *g, int reg, uint32_t v)
{
	b(g, 0xb8 + reg);
	d(g, v);
}

/* --- the snippets ----------------------------------------------------- */

static void s_privileged(struct gen *g)
{
	/* CLI, STI, CLTS, INVD, WBINVD, RDPMC, RDTSC, RDTSCP, UD2, MONITOR,
	 * MWAIT, XGETBV, XSETBV, GETSEC, RSM, SYSENTER, SYSEXIT, SYSCALL,
	 * SYSRET, INT1, INTO, BOUND-ish, WRPKRU, RDPID */
	static const uint8_t ops[][3] = {
		{ 1, 0xfa }, { 1, 0xfb }, { 2, 0x0f, 0x06 }, { 2, 0x0f, 0x08 },
		{ 2, 0x0f, 0x09 }, { 2, 0x0f, 0x33 }, { 2, 0x0f, 0x31 },
		{ 2, 0x0f, 0x0b }, { 2, 0x0f, 0x37 }, { 2, 0x0f, 0xaa },
		{ 2, 0x0f, 0x34 }, { 2, 0x0f, 0x35 }, { 2, 0x0f, 0x05 },
		{ 2, 0x0f, 0x07 }, { 1, 0xf1 }, { 1, 0xce }, { 1, 0xcc },
		{ 1, 0xf4 },
	};
	static const uint8_t ops3[][3] = {
		{ 0xf9 }, { 0xc8 }, { 0xc9 }, { 0xd0 }, { 0xd1 }, { 0xef },
		{ 0xc4 }, { 0xc2 }, { 0xc3 }, { 0xca }, { 0xcb }, { 0xd4 },
	};
	unsigned int i;

	if (rng_below(g->r, 3)) {
		i = rng_below(g->r, sizeof(ops) / sizeof(ops[0]));
		b(g, ops[i][1]);
		if (ops[i][0] > 1)
			b(g, ops[i][2]);
	} else {	/* 0f 01 xx: RDTSCP, MONITOR, MWAIT, XGETBV, ... VMX */
		mov_imm(g, 0, val32(g));
		mov_imm(g, 1, val32(g));
		mov_imm(g, 2, val32(g));
		b(g, 0x0f);
		b(g, 0x01);
		b(g, ops3[rng_below(g->r, sizeof(ops3) / sizeof(ops3[0]))][0]);
	}
}

static void s_cr(struct gen *g)
{
	int cr = rng_below(g->r, 3) ? (int)pick(g, (const uint32_t[]){ 0, 3, 4 }, 3) :
				      (int)rng_below(g->r, 9);
	uint32_t v = val32(g);

	if (cr == 0 && rng_below(g->r, 2))	/* keep PE, flip others */
		v = 0x11 | (1u << rng_below(g->r, 32));
	if (rng_below(g->r, 3)) {
		mov_imm(g, 0, v);
		b(g, 0x0f);
		b(g, 0x22);		/* mov %eax, %crN */
	} else {
		b(g, 0x0f);
		b(g, 0x20);		/* mov %crN, %eax */
	}
	b(g, 0xc0 | (cr << 3));
	if (!rng_below(g->r, 4)) {	/* LMSW / SMSW */
		b(g, 0x0f);
		b(g, 0x01);
		b(g, rng_below(g->r, 2) ? 0xf0 : 0xe0);
	}
}

static void s_dr(struct gen *g)
{
	int dr = rng_below(g->r, 8);

	mov_imm(g, 0, val32(g));
	b(g, 0x0f);
	b(g, rng_below(g->r, 2) ? 0x23 : 0x21);	/* mov to / from %drN */
	b(g, 0xc0 | (dr << 3));
}

static void s_msr(struct gen *g)
{
	static const uint32_t msrs[] = {
		0x10, 0x1b, 0x3a, 0x8b, 0xe7, 0xe8, 0x174, 0x175, 0x176, 0x1d9,
		0x277, 0x480, 0x48d, 0x491, 0x6e0, 0x828, 0xc0000080, 0xc0000081,
		0xc0000082, 0xc0000084, 0xc0000100, 0xc0000101, 0xc0000102,
		0xc0000103, 0x40000000, 0xffffffff, 0x0, 0x3b, 0x48, 0x49, 0x122,
	};

	mov_imm(g, 1, rng_below(g->r, 4) ? pick(g, msrs, sizeof(msrs) / sizeof(msrs[0])) :
					   val32(g));
	mov_imm(g, 0, val32(g));
	mov_imm(g, 2, val32(g));
	b(g, 0x0f);
	b(g, rng_below(g->r, 2) ? 0x30 : 0x32);	/* WRMSR / RDMSR */
}

static void s_cpuid_vmcall(struct gen *g)
{
	mov_imm(g, 0, rng_below(g->r, 2) ? rng_below(g->r, 8) : val32(g));
	mov_imm(g, 3, rng_below(g->r, 2) ? 'x' : val32(g));
	mov_imm(g, 1, val32(g));
	b(g, 0x0f);
	if (rng_below(g->r, 2)) {
		b(g, 0xa2);		/* CPUID */
	} else {
		b(g, 0x01);
		b(g, 0xc1);		/* VMCALL: 0 exit, 1 putc, 2 set IF, ... */
	}
}

static void s_io(struct gen *g)
{
	uint16_t p = port(g);
	uint8_t op;

	mov_imm(g, 0, val32(g));
	switch (rng_below(g->r, 4)) {
	case 0:			/* in/out imm8 */
		if (rng_below(g->r, 3) == 0)
			b(g, 0x66);
		b(g, 0xe4 + rng_below(g->r, 4));
		b(g, p & 0xff);
		break;
	case 1:			/* in/out %dx */
		mov_imm(g, 2, p);
		if (rng_below(g->r, 3) == 0)
			b(g, 0x66);
		b(g, 0xec + rng_below(g->r, 4));
		break;
	default:		/* [rep] ins/outs with random counts and pointers */
		mov_imm(g, 2, p);
		mov_imm(g, 1, rng_below(g->r, 2) ? rng_below(g->r, 64) : val32(g));
		mov_imm(g, 6, val32(g));
		mov_imm(g, 7, val32(g));
		if (rng_below(g->r, 2))
			b(g, 0xfd);	/* std: backwards */
		if (rng_below(g->r, 3))
			b(g, 0xf3);	/* rep */
		if (rng_below(g->r, 3) == 0)
			b(g, 0x66);
		op = 0x6c + rng_below(g->r, 4);
		b(g, op);
		b(g, 0xfc);		/* cld */
	}
}

/* A random 6-byte pseudo-descriptor at scratch, then LGDT/LIDT from it. */
static void s_descriptor_tables(struct gen *g)
{
	uint32_t at = LOAD + OFF_SCRATCH + 8 * rng_below(g->r, 2);
	uint8_t *p = g->buf + (at - LOAD);

	p[0] = rng_below(g->r, 2) ? 0xff : (uint8_t)rng_next(g->r);
	p[1] = (uint8_t)rng_next(g->r);
	put32(p + 2, val32(g));
	switch (rng_below(g->r, 5)) {
	case 0:			/* lgdt at */
		b(g, 0x0f); b(g, 0x01); b(g, 0x15); d(g, at);
		break;
	case 1:			/* lidt at */
		b(g, 0x0f); b(g, 0x01); b(g, 0x1d); d(g, at);
		break;
	case 2:			/* lgdt of the image's own GDT (+random entries) */
		b(g, 0x0f); b(g, 0x01); b(g, 0x15); d(g, LOAD + OFF_GDTR);
		break;
	case 3:			/* ltr / lldt of a random selector */
		b(g, 0x66); b(g, 0xb8); w(g, selector(g));
		b(g, 0x0f); b(g, 0x00); b(g, rng_below(g->r, 2) ? 0xd8 : 0xd0);
		break;
	default:		/* sgdt/sidt/sldt/str/smsw: patch mode's targets */
		b(g, 0x0f);
		if (rng_below(g->r, 2)) {
			b(g, 0x01); b(g, rng_below(g->r, 2) ? 0x05 : 0x0d);
			d(g, rng_below(g->r, 2) ? val32(g) : LOAD + OFF_SCRATCH);
		} else {
			b(g, 0x00); b(g, rng_below(g->r, 2) ? 0xc0 : 0xc8);
		}
	}
}

static void s_segments(struct gen *g)
{
	uint16_t sel = selector(g);

	b(g, 0x66); b(g, 0xb8); w(g, sel);		/* mov $sel, %ax */
	switch (rng_below(g->r, 6)) {
	case 0:
		b(g, 0x8e); b(g, 0xd0);			/* mov %ax, %ss */
		break;
	case 1:
		b(g, 0x8e); b(g, 0xd8 + 8 * rng_below(g->r, 2));	/* ds, ss.. */
		break;
	case 2:
		b(g, 0x8e); b(g, 0xe0 + 8 * rng_below(g->r, 2));	/* fs, gs */
		break;
	case 3:
		b(g, 0x50); b(g, 0x17);			/* push %eax; pop %ss */
		break;
	case 4:			/* push %cs, mov %cs, %eax, lar, lsl, verr */
		b(g, rng_below(g->r, 2) ? 0x0e : 0x8c);
		if (g->buf[g->pos - 1] == 0x8c)
			b(g, 0xc8);
		else
			b(g, 0x58);			/* pop %eax */
		b(g, 0x0f); b(g, rng_below(g->r, 2) ? 0x02 : 0x03); b(g, 0xc0);
		break;
	default:
		b(g, 0x8e); b(g, 0xc0);			/* mov %ax, %es */
	}
}

static void s_far(struct gen *g)
{
	uint32_t target = rng_below(g->r, 2) ? val32(g) : LOAD + (uint32_t)g->pos + 7;

	switch (rng_below(g->r, 3)) {
	case 0:			/* ljmp $sel, $target */
		b(g, 0xea); d(g, target); w(g, selector(g));
		break;
	case 1:			/* lcall $sel, $target */
		b(g, 0x9a); d(g, target); w(g, selector(g));
		break;
	default:		/* lret with a random frame */
		b(g, 0x68); d(g, selector(g));
		b(g, 0x68); d(g, target);
		b(g, 0xcb);
	}
}

static void s_int(struct gen *g)
{
	uint32_t frame_eip = rng_below(g->r, 2) ? val32(g) : LOAD + (uint32_t)g->pos + 17;

	if (rng_below(g->r, 2)) {	/* int $n */
		b(g, 0xcd);
		b(g, rng_below(g->r, 2) ? rng_below(g->r, 48) : (uint8_t)rng_next(g->r));
		return;
	}
	/* iret with a random frame: eflags, cs, eip (ring 3 = 5 words) */
	if (rng_below(g->r, 2)) {
		b(g, 0x68); d(g, selector(g));		/* ss */
		b(g, 0x68); d(g, val32(g));		/* esp */
	}
	b(g, 0x68); d(g, rng_below(g->r, 2) ? 0x2 | (1u << rng_below(g->r, 22)) : val32(g));
	b(g, 0x68); d(g, selector(g));
	b(g, 0x68); d(g, frame_eip);
	b(g, 0xcf);
}

static void s_flags(struct gen *g)
{
	b(g, 0x68); d(g, val32(g));	/* push $v */
	b(g, 0x9d);			/* popf */
	b(g, 0x9c);			/* pushf */
	b(g, 0x58);			/* pop %eax */
}

/* Odd stacks: misaligned, at the edge of RAM, outside it; then use it. */
static void s_stack(struct gen *g)
{
	static const uint32_t esps[] = {
		RAM_TOP, RAM_TOP - 1, RAM_TOP - 2, RAM_TOP - 3, RAM_TOP - 6, 2, 1, 0,
		RAM_TOP + 4, LOAD + 3, RAM_TOP - 0x10000 + 2, 0xfffffffe, DEV_GPA + 8,
	};

	mov_imm(g, 4, rng_below(g->r, 4) ? pick(g, esps, sizeof(esps) / sizeof(esps[0])) :
					   val32(g));
	switch (rng_below(g->r, 5)) {
	case 0:
		b(g, 0x50); b(g, 0x58);			/* push, pop */
		break;
	case 1:
		b(g, 0xe8); d(g, 0);			/* call the next insn */
		break;
	case 2:
		b(g, 0xcd); b(g, 0x20 + rng_below(g->r, 16));	/* int: push a frame */
		break;
	case 3:
		b(g, 0x0f); b(g, 0x0b);			/* ud2: #UD with this stack */
		break;
	default:
		b(g, 0x9c);				/* pushf (patched in patch mode) */
	}
}

static void s_memory(struct gen *g)
{
	uint32_t addr = val32(g);

	if (!rng_below(g->r, 3))
		addr = DEV_GPA + rng_below(g->r, 0x20);
	mov_imm(g, 3, addr);
	switch (rng_below(g->r, 5)) {
	case 0:
		b(g, 0x8b); b(g, 0x03);			/* mov (%ebx), %eax */
		break;
	case 1:
		b(g, 0x89); b(g, 0x03);			/* mov %eax, (%ebx) */
		break;
	case 2:
		b(g, 0x66); b(g, 0x89); b(g, 0x03);	/* 16-bit store */
		break;
	case 3:
		b(g, 0x0f); b(g, 0xb6); b(g, 0x03);	/* movzbl (%ebx), %eax */
		break;
	default:
		b(g, 0xff); b(g, 0x03);			/* incl (%ebx): RMW */
	}
}

/* Jump or call out of the code: outside RAM, into data, to noise. */
static void s_jump(struct gen *g)
{
	mov_imm(g, 0, rng_below(g->r, 3) ? val32(g) : LOAD + rng_below(g->r, OFF_CODE));
	b(g, 0xff);
	b(g, rng_below(g->r, 2) ? 0xe0 : 0xd0);	/* jmp / call *%eax */
}

/* Write code ahead of itself (patch mode rescans?), then run it. */
static void s_selfmod(struct gen *g)
{
	static const uint8_t bytes[] = {
		0x9c, 0x9d, 0xfa, 0xfb, 0xf4, 0x0e, 0xcc, 0x0f, 0xcd, 0x90, 0xcf, 0xe4,
	};
	int n = 1 + rng_below(g->r, 2), i;
	/* the first overwritten nop below: after n 7-byte movb (and a nop) */
	uint32_t at = LOAD + (uint32_t)g->pos + (n == 1 ? 8 : 14);

	if (rng_below(g->r, 4) == 0)			/* or the next page */
		at = (LOAD + (uint32_t)g->pos + 0x1000) & ~0xfffu;
	for (i = 0; i < n; i++) {			/* movb $x, at+i */
		b(g, 0xc6); b(g, 0x05); d(g, at + i);
		b(g, bytes[rng_below(g->r, sizeof(bytes))]);
	}
	if (n == 1)
		b(g, 0x90);
	b(g, 0x90); b(g, 0x90);				/* overwritten */
}

/* Turn paging on with whatever CR3 points at, or a random CR4. */
static void s_paging(struct gen *g)
{
	mov_imm(g, 0, rng_below(g->r, 2) ? LOAD + OFF_SCRATCH : val32(g));
	b(g, 0x0f); b(g, 0x22); b(g, 0xd8);	/* mov %eax, %cr3 */
	b(g, 0x0f); b(g, 0x20); b(g, 0xc0);	/* mov %cr0, %eax */
	b(g, 0x0d); d(g, 0x80000001);		/* or $PG|PE, %eax */
	b(g, 0x0f); b(g, 0x22); b(g, 0xc0);	/* mov %eax, %cr0 */
}

static void s_noise(struct gen *g)
{
	int n = 1 + rng_below(g->r, 16);

	while (n--)
		b(g, (uint8_t)rng_next(g->r));
}

static void (*const snippets[])(struct gen *) = {
	s_privileged, s_cr, s_dr, s_msr, s_cpuid_vmcall, s_io, s_io,
	s_descriptor_tables, s_segments, s_far, s_int, s_flags, s_stack,
	s_memory, s_jump, s_selfmod, s_paging,
};

/* --- the layout -------------------------------------------------------- */

static void put_gate(uint8_t *gate, uint32_t handler, uint8_t type)
{
	gate[0] = handler;
	gate[1] = handler >> 8;
	gate[2] = 0x08;		/* selector: patched to CS by the prologue */
	gate[3] = 0;
	gate[4] = 0;
	gate[5] = type;
	gate[6] = handler >> 16;
	gate[7] = handler >> 24;
}

static void layout(struct gen *g)
{
	static const uint8_t gdt[] = {
		0, 0, 0, 0, 0, 0, 0, 0,
		0xff, 0xff, 0, 0, 0, 0x9a, 0xcf, 0,	/* 0x08 code, DPL 0 */
		0xff, 0xff, 0, 0, 0, 0x92, 0xcf, 0,	/* 0x10 data, DPL 0 */
		0xff, 0xff, 0, 0, 0, 0xfa, 0xcf, 0,	/* 0x18 code, DPL 3 */
		0xff, 0xff, 0, 0, 0, 0xf2, 0xcf, 0,	/* 0x20 data, DPL 3 */
		0xff, 0xff, 0, 0, 0, 0x9a, 0x00, 0,	/* 0x28 16-bit code */
	};
	/* Exceptions that push an error code (SDM vol. 3A, table 6-1). */
	static const uint32_t with_error = (1u << 8) | (1u << 10) | (1u << 11) |
		(1u << 12) | (1u << 13) | (1u << 14) | (1u << 17) | (1u << 21);
	uint8_t *h = g->buf + OFF_HANDLERS;
	uint32_t h_err = LOAD + OFF_HANDLERS, h_resume = h_err + 3, h_iret;
	int v, i;

	g->buf[0] = 0xe9;					/* jmp code */
	put32(g->buf + 1, OFF_CODE - 5);
	put32(g->buf + OFF_RESUME, LOAD + OFF_CODE);
	memcpy(g->buf + OFF_GDT, gdt, sizeof(gdt));
	for (i = sizeof(gdt); i < 64; i++)			/* 0x30, 0x38 */
		g->buf[OFF_GDT + i] = (uint8_t)rng_next(g->r);
	g->buf[OFF_GDTR] = 63;				/* 16-bit limits */
	put32(g->buf + OFF_GDTR + 2, LOAD + OFF_GDT);
	g->buf[OFF_IDTR] = (IDT_GATES * 8 - 1) & 0xff;
	g->buf[OFF_IDTR + 1] = (IDT_GATES * 8 - 1) >> 8;
	put32(g->buf + OFF_IDTR + 2, LOAD + OFF_IDT);

	/* add $4, %esp (error code); push %eax; mov RESUME, %eax;
	 * mov %eax, 4(%esp); pop %eax; iret */
	memcpy(h, (const uint8_t[]){ 0x83, 0xc4, 0x04, 0x50, 0xa1 }, 5);
	put32(h + 5, LOAD + OFF_RESUME);
	memcpy(h + 9, (const uint8_t[]){ 0x89, 0x44, 0x24, 0x04, 0x58, 0xcf }, 6);
	h_iret = h_resume + 11;					/* the iret */
	for (v = 0; v < IDT_GATES; v++)
		put_gate(g->buf + OFF_IDT + 8 * v,
			 v >= 32 ? h_iret : (with_error >> v) & 1 ? h_err : h_resume,
			 rng_below(g->r, 8) ? 0x8e : 0xee);	/* DPL 0, some 3 */
}

/*
 * lgdt (delivering an interrupt reads the gate's code segment from the
 * guest's own GDT: the ABI's flat segments come with none); lidt; the
 * gates get the current CS (mov %cs, %ax; loop over the gates).
 */
static void prologue(struct gen *g)
{
	b(g, 0x0f); b(g, 0x01); b(g, 0x15); d(g, LOAD + OFF_GDTR);
	b(g, 0x0f); b(g, 0x01); b(g, 0x1d); d(g, LOAD + OFF_IDTR);
	b(g, 0x66); b(g, 0x8c); b(g, 0xc8);		/* mov %cs, %ax */
	mov_imm(g, 7, LOAD + OFF_IDT + 2);
	mov_imm(g, 1, IDT_GATES);
	b(g, 0x66); b(g, 0x89); b(g, 0x07);		/* 1: mov %ax, (%edi) */
	b(g, 0x83); b(g, 0xc7); b(g, 0x08);		/* add $8, %edi */
	b(g, 0xe2); b(g, 0xf8);				/* loop 1b */
	if (rng_below(g->r, 2))
		b(g, 0xfb);				/* sti: timer ticks come */
	g->has_idt = 1;
}

static void ending(struct gen *g)
{
	switch (rng_below(g->r, 4)) {
	case 0:
		b(g, 0xfa); b(g, 0xf4);			/* cli; hlt */
		break;
	case 1:
		mov_imm(g, 0, 0);			/* exit hypercall */
		mov_imm(g, 3, rng_below(g->r, 3));
		b(g, 0x0f); b(g, 0x01); b(g, 0xc1);
		b(g, 0xf4);
		break;
	case 2:
		b(g, 0xfb); b(g, 0xf4); b(g, 0xeb); b(g, 0xfd);	/* sti; hlt loop */
		break;
	default:
		break;					/* run into the zeros */
	}
}

size_t gen_guest(uint64_t seed, uint64_t index, uint8_t *buf, enum gen_kind *kind)
{
	struct rng r;
	struct gen g = { .r = &r, .buf = buf };
	unsigned int n, i, k;
	size_t resume_imm = 0;

	rng_init(&r, seed, index);
	memset(buf, 0, GEN_IMAGE_MAX);
	k = rng_below(&r, 10);
	*kind = k < 2 ? GEN_NOISE : k < 7 ? GEN_SNIPPETS : GEN_MIXED;
	if (*kind == GEN_NOISE) {
		n = 1 + rng_below(&r, rng_below(&r, 2) ? 64 : GEN_IMAGE_MAX);
		for (i = 0; i < n; i++)
			buf[i] = (uint8_t)rng_next(&r);
		return n;
	}
	layout(&g);
	g.pos = OFF_CODE;
	if (rng_below(&r, 4))
		prologue(&g);
	n = 1 + rng_below(&r, SNIPPETS_MAX);
	for (i = 0; i < n && g.pos < CODE_END; i++) {
		if (g.has_idt) {			/* movl $next, RESUME */
			b(&g, 0xc7); b(&g, 0x05); d(&g, LOAD + OFF_RESUME);
			resume_imm = g.pos;
			d(&g, 0);
		}
		if (*kind == GEN_MIXED && !rng_below(&r, 3))
			s_noise(&g);
		else
			snippets[rng_below(&r, sizeof(snippets) / sizeof(snippets[0]))](&g);
		if (g.has_idt)
			put32(buf + resume_imm, LOAD + (uint32_t)g.pos);
	}
	ending(&g);
	return g.pos;
}
