// SPDX-License-Identifier: GPL-2.0
/*
 * mmio.c - tvmm-dev, a tiny device the guest reaches with plain MOVs.
 *
 * Concept: the notes' "l'I/O deve essere virtualizzato", for memory-mapped
 * I/O. A real driver talks to a device by loading and storing at physical
 * addresses where no RAM is: the device answers. A VMM gives its guest a
 * device the same way, by trapping: EPT maps nothing at the device's
 * guest-physical page, so every access there is an EPT-violation VM exit.
 * The exit tells tvmm the address and whether it was a read or a write,
 * but not the width, the register or the value: for those tvmm reads the
 * faulting instruction from guest memory and decodes it (insn.c). Then
 * it performs the access on its model of the device, puts a loaded value
 * into the guest's register, and moves the guest past the instruction.
 * To the guest it looks like hardware answered; in the trace it is one
 * EPT_VIOLATION exit per access, with action "emulated".
 *
 * The register map (docs/abi.md, TVMM_DEV_* in the uapi header), at
 * guest-physical TVMM_DEV_GPA: ID "TVMM" (RO), VERSION (RO), SCRATCH (RW),
 * COUNTER (a read returns it and adds 1), DOORBELL (a write prints a line
 * on the VM's console). Anything tvmm cannot emulate exactly (another
 * instruction, an offset with no register, an access across registers)
 * ends the VM with TVMM_END_BAD_MMIO: the guest never gets a wrong answer
 * silently.
 *
 * SDM: vol. 3C, 29.3.3.2 "EPT Violations"; 28.2.1 "Basic VM-Exit
 *      Information", table 28-7 "Exit Qualification for EPT Violations"
 *      (bits 0-2: read, write, instruction fetch) and the guest-physical
 *      address field; vol. 2A, 2.1 "Instruction Format"; vol. 2, MOV and
 *      MOVZX.
 * Context: the run loop, preemption off, the VM's VMCS current.
 */
#define pr_fmt(fmt) KBUILD_MODNAME ": " fmt

#include <linux/kernel.h>
#include <asm/processor-flags.h>

#include "tvmm.h"
#include "vmx_insn.h"
#include "include/tvmm/insn.h"

/* A MOV between a register (or an immediate) and memory, as mmio_decode_mov() decodes it. */
struct mmio_insn {
	u64 ea;				/* the memory operand's address */
	unsigned int len;		/* instruction bytes */
	unsigned int width;		/* memory operand: 1, 2 or 4 bytes */
	bool store;			/* the instruction writes memory */
	bool zero_extend;		/* MOVZX: the load fills all 32 bits */
	bool has_imm;			/* a store of imm, not of register reg */
	unsigned int reg;		/* ModR/M reg: the register operand */
	u32 imm;
	const char *mnemonic;
};

/**
 * mmio_decode_mov() - decode the data move at CS:@rip.
 * @vm: the VM
 * @rip: the guest RIP of the instruction that touched memory
 * @mi: filled in: width, direction, register or immediate, address, length
 *
 * The forms a driver uses for device registers (SDM vol. 2, MOV, MOVZX):
 * 88/89 MOV r/m, r; 8A/8B MOV r, r/m; C6/C7 /0 MOV r/m, imm; A0-A3 MOV
 * between AL/eAX and an absolute address (moffs32); 0F B6/B7 MOVZX r32,
 * r/m8 or r/m16. A 0x66 prefix makes the 32-bit forms 16-bit. The
 * decoding is insn.c's, as for everything tvmm reads of guest code.
 *
 * Return: 0; -EFAULT if RIP is not in guest RAM (or paging is on);
 * -ENOEXEC for any other instruction, or one with no memory operand.
 */
static int __maybe_unused mmio_decode_mov(struct tvmm_vm *vm, u64 rip, struct mmio_insn *mi)
{
	bool moffs;
	struct insn in;
	int ret;

	memset(mi, 0, sizeof(*mi));
	ret = vcpu_fetch_insn(vm, rip, &in);
	if (ret)
		return ret;
	if (in.other_prefix || in.addr16)
		return -ENOEXEC;
	mi->width = (in.op & 1) ? (in.opsize16 ? 2 : 4) : 1;
	mi->mnemonic = "mov";
	moffs = in.op >= 0xa0 && in.op <= 0xa3;
	switch (in.op) {
	case 0x88: case 0x89:	/* MOV r/m, r */
	case 0x8a: case 0x8b:	/* MOV r, r/m */
		mi->store = !(in.op & 2);
		break;
	case 0xc6: case 0xc7:	/* MOV r/m, imm: group 11, /0 only */
		if (MODRM_REG(in.modrm))
			return -ENOEXEC;
		mi->store = true;
		mi->has_imm = true;
		mi->imm = in.imm;
		break;
	case 0xa0: case 0xa1:	/* MOV AL/eAX, moffs */
	case 0xa2: case 0xa3:	/* MOV moffs, AL/eAX */
		mi->store = in.op & 2;
		break;
	case INSN_OP_TWO_BYTE:	/* MOVZX r32, r/m8 (B6) or r/m16 (B7) */
		if ((in.op2 != 0xb6 && in.op2 != 0xb7) || in.opsize16)
			return -ENOEXEC;
		mi->width = in.op2 == 0xb6 ? 1 : 2;
		mi->zero_extend = true;
		mi->mnemonic = "movzx";
		break;
	default:
		return -ENOEXEC;
	}
	if (!moffs && MODRM_MOD(in.modrm) == 3)
		return -ENOEXEC;		/* a register operand: no memory access */
	mi->reg = moffs ? 0 : MODRM_REG(in.modrm);	/* moffs: AL/AX/EAX */
	mi->ea = vcpu_insn_ea(vm, &in);
	mi->len = in.len;
	return 0;
}

/* The low @width bytes of a register value. */
static u32 width_mask(unsigned int width)
{
	return width >= 4 ? 0xffffffffU : (1U << (8 * width)) - 1;
}

/* Append a line of the device's to the VM's console, as much as fits. */
static void __printf(2, 3) __maybe_unused mmio_console(struct tvmm_vm *vm, const char *fmt, ...)
{
	char line[80];
	va_list args;
	int len;

	va_start(args, fmt);
	len = vscnprintf(line, sizeof(line), fmt, args);
	va_end(args);
	len = min_t(int, len, sizeof(vm->console) - vm->console_len);
	memcpy(vm->console + vm->console_len, line, len);
	vm->console_len += len;
	vm->console_flush = true;
}

/*
 * The device model, read side: what register @offset answers to a
 * @width-byte read. A narrow read sees the bytes of the 32-bit register at
 * its offset, as little-endian memory would. Reading COUNTER counts.
 * Return: 0, or -ENXIO for no register (or an access across two).
 */
static int tvmm_dev_read(struct tvmm_vm *vm, u32 offset, unsigned int width,
			 u32 *value)
{
	/*
	 * TODO(lab10.1) BEGIN: the register model, read side (the register
	 * map is at the top of this file and in docs/abi.md): ID answers
	 * TVMM_DEV_MAGIC, VERSION 1, SCRATCH and COUNTER their value in
	 * vm->dev (a COUNTER read then adds 1), DOORBELL how often it rang;
	 * return the @width bytes at @offset's place in the 32-bit register;
	 * no register, or an access across two: -ENXIO. Device registers
	 * are memory to the guest: SDM vol. 3C 29.3.3.2 "EPT Violations".
	 * Hint: registers are 4 bytes wide and 4-byte aligned: an offset names
	 * a register and a byte inside it.
	 */
#ifdef CONFIG_TVMM_LAB10_SOLUTION
	struct tvmm_dev *dev = &vm->dev;
	unsigned int shift = (offset & 3) * 8;
	u32 reg;

	if ((offset & 3) + width > 4)
		return -ENXIO;
	switch (offset & ~3U) {
	case TVMM_DEV_ID:
		reg = TVMM_DEV_MAGIC;
		break;
	case TVMM_DEV_VERSION:
		reg = TVMM_DEV_VERSION_1;
		break;
	case TVMM_DEV_SCRATCH:
		reg = dev->scratch;
		break;
	case TVMM_DEV_COUNTER:
		reg = dev->counter++;
		break;
	case TVMM_DEV_DOORBELL:		/* reads: how often it rang */
		reg = dev->doorbells;
		break;
	default:
		return -ENXIO;
	}
	*value = (reg >> shift) & width_mask(width);
	return 0;
#else
	return vcpu_lab_todo(vm, "lab10.1", "tvmm-dev's register model (reads)");
#endif
	/* TODO(lab10.1) END */
}

/*
 * The device model, write side: a @width-byte write of @value at @offset.
 * A narrow write changes only its bytes. Writes to ID and VERSION are
 * ignored, as read-only registers of real devices ignore them.
 * Return: 0, or -ENXIO for no register (or an access across two).
 */
static int __maybe_unused tvmm_dev_write(struct tvmm_vm *vm, u32 offset,
					 unsigned int width, u32 value)
{
	/*
	 * TODO(lab10.1) BEGIN: the register model, write side: ID and
	 * VERSION ignore writes; SCRATCH and COUNTER take the @width bytes of
	 * @value at @offset's place, keeping their other bytes; DOORBELL
	 * counts the ring and prints its line with mmio_console(); no
	 * register, or an access across two: -ENXIO. SDM vol. 3C 29.3.3.2.
	 * Hint: a write changes only the @width bytes it covers, at their
	 * place in the register.
	 */
#ifdef CONFIG_TVMM_LAB10_SOLUTION
	struct tvmm_dev *dev = &vm->dev;
	unsigned int shift = (offset & 3) * 8;
	u32 mask = width_mask(width) << shift;

	if ((offset & 3) + width > 4)
		return -ENXIO;
	switch (offset & ~3U) {
	case TVMM_DEV_ID:
	case TVMM_DEV_VERSION:
		return 0;
	case TVMM_DEV_SCRATCH:
		dev->scratch = (dev->scratch & ~mask) | ((value << shift) & mask);
		return 0;
	case TVMM_DEV_COUNTER:
		dev->counter = (dev->counter & ~mask) | ((value << shift) & mask);
		return 0;
	case TVMM_DEV_DOORBELL:
		dev->doorbells++;
		mmio_console(vm, "tvmm-dev: doorbell 0x%x (scratch 0x%x, counter %u)\n",
			     value, dev->scratch, dev->counter);
		return 0;
	default:
		return -ENXIO;
	}
#else
	return vcpu_lab_todo(vm, "lab10.1", "tvmm-dev's register model (writes)");
#endif
	/* TODO(lab10.1) END */
}

/* The guest register an instruction names, @width bytes of it (AH..BH for 4-7 in byte forms). */
static u32 __maybe_unused mmio_reg_get(struct tvmm_vm *vm, unsigned int reg, unsigned int width)
{
	if (width == 1 && reg >= 4)
		return (vcpu_gpr_read(vm, reg - 4) >> 8) & 0xff;
	return vcpu_gpr_read(vm, reg) & width_mask(width);
}

/* Put a loaded @value into the instruction's register, keeping the bytes it does not load. */
static void __maybe_unused mmio_reg_put(struct tvmm_vm *vm, const struct mmio_insn *mi, u32 value)
{
	unsigned int reg = mi->reg, shift = 0;
	u64 mask = width_mask(mi->width), old;

	if (mi->zero_extend || mi->width == 4) {
		vcpu_gpr_write(vm, reg, value);	/* a 32-bit load fills the register */
		return;
	}
	if (mi->width == 1 && reg >= 4) {
		reg -= 4;
		shift = 8;
	}
	old = vcpu_gpr_read(vm, reg);
	vcpu_gpr_write(vm, reg, (old & ~(mask << shift)) | ((u64)value << shift));
}

/*
 * Turn the EPT violation at tvmm-dev into the device access it was: the
 * qualification says read or write, the decoded MOV says the width and
 * the register (or immediate); the device model does the access; the
 * guest moves past the instruction. The record shows what happened.
 * Return: 0, or -errno for an access tvmm cannot emulate exactly.
 */
static int mmio_access(struct tvmm_vm *vm, struct tvmm_exit_info *exit)
{
	u32 offset = exit->gpa - TVMM_DEV_GPA;
	u32 value = 0;
	/*
	 * TODO(lab10.2) BEGIN: turn this EPT violation into a device access.
	 * Read or write from the qualification (TVMM_EPT_QUAL_WRITE); decode the
	 * MOV at exit->rip with mmio_decode_mov() (width, register or
	 * immediate, address); refuse (-EPROTO) a decoded access that is not
	 * this one (direction, or mi.ea != exit->gpa); call tvmm_dev_write()
	 * or tvmm_dev_read(), and put a read's value into the register
	 * (mmio_reg_put); fill exit->mmio_value/_width/_write, mnemonic and
	 * insn_len, and step over the instruction. SDM vol. 3C 28.2.1, table
	 * 28-7; 29.3.3.2. Hint: the CPU gives no instruction length for an
	 * EPT violation: the decoder's mi.len is the only one.
	 */
#ifdef CONFIG_TVMM_LAB10_SOLUTION
	bool write = exit->qual & TVMM_EPT_QUAL_WRITE;
	struct mmio_insn mi;
	int err;

	err = mmio_decode_mov(vm, exit->rip, &mi);
	if (err)
		return err;
	exit->mnemonic = mi.mnemonic;
	exit->insn_len = mi.len;
	/* The decoded instruction must be the access that exited. */
	if (mi.store != write || (u32)mi.ea != exit->gpa)
		return -EPROTO;
	if (write) {
		value = mi.has_imm ? mi.imm : mmio_reg_get(vm, mi.reg, mi.width);
		err = tvmm_dev_write(vm, offset, mi.width, value);
	} else {
		err = tvmm_dev_read(vm, offset, mi.width, &value);
		if (!err)
			mmio_reg_put(vm, &mi, value);
	}
	if (err)
		return err;
	exit->mmio_value = value;
	exit->mmio_width = mi.width;
	exit->mmio_write = write;
	vcpu_skip_instruction(vm, exit);
	return 0;
#else
	/* The register model (lab10.1) is asked first, so its TODO shows first. */
	if (tvmm_dev_read(vm, offset, 1, &value) == -ENOPKG)
		return -ENOPKG;
	return vcpu_lab_todo(vm, "lab10.2", "tvmm-dev's EPT violations as device accesses");
#endif
	/* TODO(lab10.2) END */
}

/* Why an access could not be emulated, in words, for run.message. */
static const char *mmio_why(int err)
{
	switch (err) {
	case -ENOEXEC:
		return "not a MOV/MOVZX form tvmm emulates";
	case -ENXIO:
		return "no register there, or an access across two registers";
	case -EPROTO:
		return "the instruction at RIP is not that access";
	case -EFAULT:
		return "the instruction cannot be read (RIP outside RAM, paging or 16-bit code)";
	case -EPERM:
		return "instruction fetch from a device";
	default:
		return "not emulated (a lab stub?)";
	}
}

/**
 * mmio_ept_violation() - an EPT violation: tvmm-dev's, or not?
 * @vm: the VM
 * @exit: the EPT-violation exit (gpa, qual)
 *
 * Return: false if @exit->gpa is not in tvmm-dev's page (the caller
 * handles it); true if it is, and then the access was emulated or the VM
 * ended with TVMM_END_BAD_MMIO.
 */
bool mmio_ept_violation(struct tvmm_vm *vm, struct tvmm_exit_info *exit)
{
	bool write = exit->qual & TVMM_EPT_QUAL_WRITE;
	int err;

	if (exit->gpa < TVMM_DEV_GPA || exit->gpa >= TVMM_DEV_GPA + TVMM_DEV_SIZE)
		return false;
	exit->action = TVMM_ACTION_EMULATED;
	exit->mnemonic = "mmio";
	exit->insn_len = 0;	/* the VMCS field is undefined for EPT violations */
	/*
	 * Decoding reads CS.base + RIP as a guest-physical address. An
	 * access made while delivering an event (a stack or IDT in the
	 * device's page) is not the instruction at RIP.
	 */
	if (exit->qual & TVMM_EPT_QUAL_FETCH)
		err = -EPERM;
	else if (exit->idt_vectoring & TVMM_INTR_INFO_VALID)	/* read by vcpu.c */
		err = -EPROTO;
	else if ((vm->cr0_shadow & X86_CR0_PG) ||
		 !(vmcs_read(VMCS_GUEST_CS_AR_BYTES) & VMCS_AR_DB))
		err = -EFAULT;
	else
		err = mmio_access(vm, exit);
	if (!err)
		return true;
	exit->action = TVMM_ACTION_FATAL;
	exit->mmio_width = 0;
	if (err == -ENOEXEC)
		exit->insn_len = TVMM_INSN_MAX;	/* length unknown: show 15 bytes */
	else if (err == -EFAULT || err == -EPERM)
		exit->insn_len = 0;		/* nothing to show */
	vcpu_end(vm, TVMM_END_BAD_MMIO, exit->gpa,
		 "%s at tvmm-dev+0x%llx (GPA 0x%llx), rip 0x%llx: %s",
		 exit->qual & TVMM_EPT_QUAL_FETCH ? "fetch" : write ? "write" : "read",
		 exit->gpa - TVMM_DEV_GPA, exit->gpa, exit->rip, mmio_why(err));
	return true;
}
