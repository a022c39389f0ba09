// SPDX-License-Identifier: GPL-2.0
/*
 * device.c - tvmm-dev, the guest ABI's memory-mapped device, on the
 * software CPU.
 *
 * Concept: memory-mapped I/O in an emulator. Under VT-x a device is a
 * page EPT leaves unmapped: every access is a VM exit, and tvmm.ko must
 * read and decode the faulting instruction to learn its width and
 * register (module/mmio.c). An emulator already holds the decoded
 * instruction and the access's address, width and value when it reaches
 * memory: a device is one more branch in the memory path (mem.c). The
 * same rules as tvmm.ko, so the guest sees the same device: registers
 * ID, VERSION, SCRATCH, COUNTER (a read returns it, then adds 1) and
 * DOORBELL (a write prints a line); only MOV and MOVZX, inside one
 * register; anything else ends the run with status 119, as under tvmm.ko.
 *
 * SDM: vol. 2, MOV and MOVZX. docs/abi.md, "tvmm-dev".
 * Context: userspace.
 */
#include "emu.h"

/* MOV (88-8b, a0-a3, c6/c7) and MOVZX (0f b6/b7): what tvmm.ko emulates. */
static const char *device_insn(const struct insn *in)
{
	if (in->op == INSN_OP_TWO_BYTE)
		return in->op2 == 0xb6 || in->op2 == 0xb7 ? "movzx" : NULL;
	if ((in->op >= 0x88 && in->op <= 0x8b) || (in->op >= 0xa0 && in->op <= 0xa3) ||
	    in->op == 0xc6 || in->op == 0xc7)
		return "mov";
	return NULL;
}

static void __attribute__((noreturn)) refuse(struct emu_cpu *c, __u32 pa, bool write,
					    const char *why)
{
	c->eip = c->insn_eip;
	emu_end(c, TVMM_END_BAD_MMIO, pa, "tvmm-dev access at GPA 0x%x not emulated: %s", pa, why);
	event(c, EXIT_REASON_EPT_VIOLATION, write ? 0x182 : 0x181, TVMM_ACTION_FATAL, "");
	longjmp(c->fault, 1);
}

/* One access; *value in (write) or out (read). A read of COUNTER counts. */
void device_access(struct emu_cpu *c, __u32 pa, unsigned int size, bool write, __u32 *value)
{
	__u32 off = pa - TVMM_DEV_GPA, shift = (off & 3) * 8, *reg = NULL, v;
	__u32 mask = (size == 4 ? ~0U : (1U << (8 * size)) - 1) << shift;
	const char *mnemonic = device_insn(c->in);
	char line[96];
	int i;

	if (!mnemonic)
		refuse(c, pa, write, "not a MOV or MOVZX");
	if ((off & 3) + size > 4)
		refuse(c, pa, write, "an access across two registers");
	switch (off & ~3U) {
	case TVMM_DEV_ID:
		v = TVMM_DEV_MAGIC;
		break;
	case TVMM_DEV_VERSION:
		v = TVMM_DEV_VERSION_1;
		break;
	case TVMM_DEV_SCRATCH:
		reg = &c->dev.scratch;
		v = *reg;
		break;
	case TVMM_DEV_COUNTER:
		reg = &c->dev.counter;
		v = write ? *reg : (*reg)++;
		break;
	case TVMM_DEV_DOORBELL:
		v = c->dev.doorbells;
		break;
	default:
		refuse(c, pa, write, "no register at that offset");
	}
	if (write && (off & ~3U) == TVMM_DEV_DOORBELL) {
		c->dev.doorbells++;
		snprintf(line, sizeof(line), "tvmm-dev: doorbell 0x%x (scratch 0x%x, counter %u)\n",
			 *value, c->dev.scratch, c->dev.counter);
		for (i = 0; line[i]; i++)
			c->host->console(c->host, line[i]);
	} else if (write && reg) {
		*reg = (*reg & ~mask) | ((*value << shift) & mask);
	} else if (!write) {
		*value = (v & mask) >> shift;
	}
	c->mmio_gpa = pa;
	c->mmio_value = *value;
	c->mmio_width = size;
	c->mmio_write = write;
	event(c, EXIT_REASON_EPT_VIOLATION, write ? 0x182 : 0x181, TVMM_ACTION_EMULATED, mnemonic);
	c->mmio_width = 0;
}
