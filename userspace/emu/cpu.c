// SPDX-License-Identifier: GPL-2.0
/*
 * cpu.c - the fetch-decode-execute loop of `tvmm emulate`.
 *
 * Concept: emulation, the technique every other one is measured against.
 * A CPU is a loop: fetch the bytes at CS:EIP, decode them (tvmm's one
 * decoder, module/insn.c, the same code the module uses to read a
 * faulting or patched instruction), execute, check for an interrupt, go
 * again. Here that loop is C, so each guest instruction costs a decode, a
 * switch and a few dozen host instructions; hardware-assisted
 * virtualization runs the same instruction in one cycle and leaves the
 * VMM only the few that trap (`tvmm compare` shows the factor).
 *
 * Time: the guest's TSC advances one tick per instruction, like the lab
 * VM's Bochs, so a run is deterministic: the same guest gives the same
 * console, trace and instruction count every time.
 *
 * SDM: vol. 2A, 2.1 (instruction format), 2.1.1 (prefixes); vol. 3A,
 *      6.9 (priority among events: an interrupt is taken between
 *      instructions).
 * Context: userspace.
 */
#include <stdarg.h>
#include <string.h>

#include "emu.h"

/*
 * The machine as the guest ABI says it wakes up (docs/abi.md): 32-bit
 * protected mode, flat 4-GiB code and data segments, ring 0, EIP at the
 * load address, ESP at the top of RAM, interrupts off, paging off.
 */
void emu_reset(struct emu_cpu *c, __u8 *ram, __u32 ram_size, __u64 timer_period)
{
	int s;

	memset(c, 0, sizeof(*c));
	c->ram = ram;
	c->ram_size = ram_size;
	c->timer_period = timer_period;
	c->eip = TVMM_GUEST_LOAD_GPA;
	c->gpr[ESP] = ram_size;
	c->eflags = FL_FIXED;
	c->cr0 = CR0_PE | CR0_ET;
	c->dr[6] = 0xffff0ff0;
	c->dr[7] = 0x400;
	for (s = 0; s < NR_SEGS; s++)
		seg_flat(&c->seg[s], 0x10, 0x93);	/* data: P, DPL 0, read/write */
	seg_flat(&c->seg[CS], 0x08, 0x9b);		/* code: P, DPL 0, exec/read */
	seg_flat(&c->tr, 0, 0x8b);			/* a busy 32-bit TSS */
	c->tr.limit = 0;
	c->delivering = -1;
}

void emu_end(struct emu_cpu *c, int end, __u64 info, const char *fmt, ...)
{
	va_list ap;

	if (c->end)
		return;		/* the first reason wins */
	c->end = end;
	c->end_info = info;
	va_start(ap, fmt);
	vsnprintf(c->message, sizeof(c->message), fmt, ap);
	va_end(ap);
}

/*
 * Fetch and decode the instruction at CS:EIP. The bytes come through the
 * CS segment (its limit is checked like any read); the decoder returns
 * INSN_TRUNCATED when the instruction runs past what could be read (the
 * end of RAM, or of a mapped page): then the faulting read says why.
 */
/*
 * The decoder counts the prefixes; which ones they were matters to
 * execution only: a segment override and REP/REPNE (SDM 2.1.1).
 */
static void read_prefixes(struct decoded *d)
{
	static const __u8 seg_prefix[NR_SEGS] = { 0x26, 0x2e, 0x36, 0x3e, 0x64, 0x65 };
	unsigned int i;
	int s;

	d->seg_override = -1;
	d->rep = d->repne = false;
	for (i = 0; i < d->in.prefixes; i++) {
		for (s = 0; s < NR_SEGS; s++)
			if (d->bytes[i] == seg_prefix[s])
				d->seg_override = s;
		d->rep |= d->bytes[i] == 0xf3;
		d->repne |= d->bytes[i] == 0xf2;
	}
}

/* Does the cached @d hold the instruction now in RAM at @lin? */
static bool cache_hit(const struct emu_cpu *c, const struct decoded *d, __u32 lin)
{
	unsigned int i;

	if (!d->valid || d->lin != lin)
		return false;
	for (i = 0; i < d->in.len; i++)		/* code may have been rewritten */
		if (d->bytes[i] != c->ram[lin + i])
			return false;
	return true;
}

static void fetch_decode(struct emu_cpu *c)
{
	__u32 lin = c->seg[CS].base + c->eip;
	struct decoded *d = &c->dcache[lin % EMU_DCACHE_SIZE];
	unsigned int avail;
	bool flat;
	int ret;

	c->insn_eip = c->eip;
	flat = !(c->cr0 & CR0_PG) && (__u64)lin + INSN_LEN_MAX <= c->ram_size &&
	       (__u64)c->eip + INSN_LEN_MAX - 1 <= c->seg[CS].limit;
	/*
	 * The decode cache: an instruction seen at this address before, with
	 * the same bytes, is not decoded again. Loops run the same few
	 * instructions millions of times, and decoding was most of this
	 * interpreter's time (QEMU keeps whole translated blocks for the same
	 * reason). Only flat, in-RAM code is cached: no page tables to
	 * re-check.
	 */
	if (flat && cache_hit(c, d, lin))
		goto decoded;
	if (flat) {
		memcpy(c->fetch, c->ram + lin, INSN_LEN_MAX);
		avail = INSN_LEN_MAX;
	} else {
		for (avail = 0; avail < INSN_LEN_MAX; avail++)
			if (c->eip + avail > c->seg[CS].limit ||
			    !fetchable(c, lin + avail, &c->fetch[avail]))
				break;
	}
	c->fetched = avail;
	c->bytes = c->fetch;
	if (!avail)
		c->fetch[avail++] = (__u8)mem_read(c, CS, c->eip, 1);	/* faults */
	d->valid = false;
	ret = insn_decode(c->fetch, avail, &d->in);
	if (ret == INSN_TRUNCATED)
		mem_read(c, CS, c->eip + avail, 1);	/* #GP, #PF or outside RAM */
	if (ret != INSN_OK)
		d->in.len = 0;	/* no length: unknown_insn() shows what was fetched */
	c->in = &d->in;
	if (ret != INSN_OK || d->in.addr16)
		unknown_insn(c);
	memcpy(d->bytes, c->fetch, d->in.len);
	read_prefixes(d);
	d->valid = flat;
	d->lin = lin;
decoded:
	c->d = d;
	c->in = &d->in;
	c->bytes = d->bytes;
	c->osize = d->in.opsize16 ? 2 : 4;
}

/* One instruction, or one interrupt taken instead (no fault handling here). */
static void step(struct emu_cpu *c)
{
	/* Between instructions: a due timer tick, if IF lets it in. */
	if ((c->timer_on || c->irq_pending) && timer_poll(c))
		return;
	c->sti_shadow = false;
	if (c->eflags & FL_TF || (c->eflags & FL_AC && c->cr0 & CR0_AM && c->cpl == 3)) {
		/* Never a guess: a run whose #DB or #AC would be skipped stops. */
		emu_end(c, EMU_END_UNKNOWN_INSN, c->eip,
			"EFLAGS.%s is set at %04x:%08x: single-step and alignment checks are outside the emulated subset",
			c->eflags & FL_TF ? "TF" : "AC", c->seg[CS].sel, c->eip);
		return;
	}
	fetch_decode(c);
	c->eip += c->in->len;
	exec_insn(c);
	c->insns++;
	c->tsc++;
}

bool emu_step(struct emu_cpu *c)
{
	if (c->end)
		return false;
	if (setjmp(c->fault)) {
		/*
		 * A fault abandoned the instruction (interrupts.c delivered
		 * it, or the run ended): EIP was put back to its start first.
		 */
		c->delivering = -1;
		return !c->end;
	}
	step(c);
	return !c->end;
}

/*
 * The loop. setjmp() is not free, so it is armed once and re-armed only
 * after a fault came back through it, not once per instruction.
 */
void emu_run(struct emu_cpu *c, __u64 max_insns)
{
	if (setjmp(c->fault))
		c->delivering = -1;	/* a fault was delivered: carry on */
	while (!c->end) {
		if (max_insns && c->insns >= max_insns) {
			emu_end(c, TVMM_END_MAX_EXITS, c->insns,
				"%llu instructions interpreted: the --max-insns budget",
				(unsigned long long)c->insns);
			break;
		}
		step(c);
	}
}
