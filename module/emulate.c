// SPDX-License-Identifier: GPL-2.0
/*
 * emulate.c - decode the instruction that faulted at ring 1, and emulate it.
 *
 * Concept: trap-and-emulate in its classic form, without VT-x's help for
 * each instruction. In deprivileged mode the guest kernel runs at ring 1;
 * a privileged instruction there raises #GP, the exception bitmap turns the
 * #GP into a VM exit, and tvmm must find out by itself which instruction it
 * was: it reads the bytes at CS.base + RIP in guest memory and decodes
 * them. Then it does what the instruction would have done to the *virtual*
 * CPU: CLI clears the VM's IF, not the machine's; OUT goes to the VM's
 * console; LGDT builds a shadow GDT. Where VT-x has an exit of its own for
 * the same instruction (I/O, CR access, MSRs, HLT), the decoded instruction
 * is handed to that same handler in exits.c: one emulation, two ways in.
 *
 * Only the guest kernel's instructions are emulated: ring 1 is its ring 0
 * ("virtual kernel mode"). An application at ring 3 ("virtual user mode")
 * that runs CLI, OUT, HLT, LGDT... faults exactly as on a real CPU at CPL
 * 3, so its #GP goes to the guest kernel's own handler unchanged, as in
 * --mode hw (SDM vol. 3A, 5.9 "Privileged Instructions"; vol. 1, 19.5.1
 * for CLI/STI/IN/OUT: tvmm does not virtualize IOPL, the guest's is 0).
 * The decoder knows only 32-bit code without paging (the guest ABI;
 * exits.c ends a ring-1 VM that turns paging on) and only the instructions
 * a ring-0 kernel uses that fault at ring 1; others are reflected to the
 * guest as the #GP they were.
 *
 * The same decoder also serves mmio.c: emulate_decode_mov() tells it which
 * MOV touched tvmm-dev, with which width and register.
 *
 * SDM: vol. 2A, 2.1 "Instruction Format" (prefixes, ModR/M, SIB); vol. 2,
 *      the CLI, STI, HLT, IN, OUT, LGDT, LIDT, LTR, MOV (CR, SS), POP SS,
 *      INT n, RDMSR, WRMSR, CLTS, INVLPG, MOV, MOVZX pages; vol. 3A, 6.13 "Error Code"
 *      (the IDT bit of a #GP error code).
 * Context: the run loop, preemption off, the VM's VMCS current.
 */
#define pr_fmt(fmt) KBUILD_MODNAME ": " fmt

#include <asm/processor-flags.h>

#include "tvmm.h"
#include "vmx_insn.h"

/* Register numbers of ModR/M and SIB (SDM vol. 2A, table 2-2). */
#define REG_ESP			4
#define REG_EBP			5
#define SIB_NO_INDEX		4

/* Exit-qualification encodings the exits.c handlers expect (table 28-3, 28-5). */
#define IO_QUAL_IN		BIT(3)
#define IO_QUAL_PORT_SHIFT	16
#define CR_QUAL_TYPE_SHIFT	4
#define CR_QUAL_MOV_FROM	1
#define CR_QUAL_CLTS		2
#define CR_QUAL_GPR_SHIFT	8

#define OPSIZE_PREFIX		0x66
#define INT3_OPCODE		0xcc
#define INT_OPCODE		0xcd	/* INT imm8 */
#define INTO_OPCODE		0xce
#define X86_EXC_BP		3
#define X86_EXC_OF		4
#define X86_EXC_GP		13

/* One decoded instruction. */
struct insn {
	u8 bytes[TVMM_INSN_MAX];
	unsigned int len;	/* bytes consumed so far, then in total */
	bool opsize16;		/* 0x66 prefix */
	u8 op, op2;		/* opcode, second byte after 0x0f */
	u8 mod, reg, rm;	/* ModR/M fields */
	u64 ea;			/* effective address of a memory operand */
};

static int insn_byte(struct insn *in, u8 *b)
{
	if (in->len >= TVMM_INSN_MAX)
		return -EINVAL;
	*b = in->bytes[in->len++];
	return 0;
}

static int insn_u32(struct insn *in, u32 *v)
{
	if (in->len + 4 > TVMM_INSN_MAX)
		return -EINVAL;
	memcpy(v, &in->bytes[in->len], 4);
	in->len += 4;
	return 0;
}

/*
 * ModR/M (and SIB and displacement) with 32-bit addressing: fill mod/reg/
 * rm, and for a memory operand its effective address. Segment bases are 0
 * in the guest ABI's flat model, so the address is also guest-physical.
 */
static int insn_modrm(struct tvmm_vm *vm, struct insn *in)
{
	u8 modrm, sib = 0;
	u32 disp = 0;
	u64 ea = 0;
	int ret = insn_byte(in, &modrm);

	if (ret)
		return ret;
	in->mod = modrm >> 6;
	in->reg = (modrm >> 3) & 7;
	in->rm = modrm & 7;
	if (in->mod == 3)
		return 0;
	if (in->rm == REG_ESP) {
		ret = insn_byte(in, &sib);
		if (ret)
			return ret;
		if ((sib & 7) != REG_EBP || in->mod)
			ea = gpr_read(vm, sib & 7);
		if (((sib >> 3) & 7) != SIB_NO_INDEX)
			ea += gpr_read(vm, (sib >> 3) & 7) << (sib >> 6);
		if ((sib & 7) == REG_EBP && !in->mod)
			ret = insn_u32(in, &disp);
	} else if (in->rm == REG_EBP && !in->mod) {
		ret = insn_u32(in, &disp);
	} else {
		ea = gpr_read(vm, in->rm);
	}
	if (!ret && in->mod == 1) {
		u8 d8;

		ret = insn_byte(in, &d8);
		disp = (u32)(s32)(s8)d8;
	} else if (!ret && in->mod == 2) {
		ret = insn_u32(in, &disp);
	}
	in->ea = (u32)(ea + disp);
	return ret;
}

/* Fetch and decode the instruction at the guest's CS:RIP. */
static int insn_decode(struct tvmm_vm *vm, u64 rip, struct insn *in)
{
	u64 linear = vmcs_read(VMCS_GUEST_CS_BASE) + rip;
	u64 avail = vm->config.mem_size > linear ? vm->config.mem_size - linear : 0;
	int ret;

	memset(in, 0, sizeof(*in));
	/* With paging on, CS.base + RIP is not guest-physical: never guess. */
	if (vm->cr0_shadow & X86_CR0_PG)
		return -EFAULT;
	if (!avail || guest_mem_read(&vm->mem, linear, in->bytes,
				     min_t(u64, avail, TVMM_INSN_MAX)))
		return -EFAULT;
	do {
		ret = insn_byte(in, &in->op);
		if (in->op == OPSIZE_PREFIX)
			in->opsize16 = true;
	} while (!ret && in->op == OPSIZE_PREFIX);
	if (!ret && in->op == 0x0f)
		ret = insn_byte(in, &in->op2);
	return ret;
}

/* A 16-bit operand: a register or a word in memory. */
static int insn_read_u16(struct tvmm_vm *vm, struct insn *in, u16 *v)
{
	if (in->mod == 3) {
		*v = gpr_read(vm, in->rm);
		return 0;
	}
	return guest_mem_read(&vm->mem, in->ea, v, sizeof(*v));
}

/* LGDT/LIDT operand: a 16-bit limit then a 32-bit base. */
static int insn_read_pseudo_desc(struct tvmm_vm *vm, struct insn *in, u64 *base,
				 u32 *limit)
{
	u8 pd[6];

	if (in->mod == 3 || guest_mem_read(&vm->mem, in->ea, pd, sizeof(pd)))
		return -EINVAL;
	*limit = pd[0] | pd[1] << 8;
	*base = pd[2] | pd[3] << 8 | pd[4] << 16 | (u32)pd[5] << 24;
	return 0;
}

/* Hand an IN/OUT to the same handler a VM-exit I/O would reach. */
static void emulate_io(struct tvmm_vm *vm, struct tvmm_exit_info *exit,
		       struct insn *in, bool is_in, bool port_imm)
{
	/*
	 * TODO(lab06.3) BEGIN: an IN or OUT executed at ring 1 faulted with #GP
	 * (IOPL 0, no I/O bitmap): turn the decoded instruction into the I/O
	 * exit qualification VT-x would have given (size from the opcode's low
	 * bit and the 0x66 prefix, direction, port from the imm8 or DX) and
	 * hand it to exit_io(), so both paths share one handler. Set
	 * exit->insn_len so the skip lands after the instruction. SDM vol. 3C
	 * 28.2.1 (table 28-5), vol. 2B IN/OUT. Hint: insn_byte() reads the next
	 * instruction byte (the imm8 port).
	 */
#ifdef CONFIG_TVMM_LAB06_SOLUTION
	unsigned int size = (in->op & 1) ? (in->opsize16 ? 2 : 4) : 1;
	u8 imm = 0;
	u16 port;

	if (port_imm && insn_byte(in, &imm)) {
		exit_inject_exception(vm, exit, X86_EXC_GP, true, 0);
		return;
	}
	port = port_imm ? imm : (u16)vm->regs.rdx;
	exit->insn_len = in->len;
	exit->qual = (size - 1) | (is_in ? IO_QUAL_IN : 0) |
		     ((u64)port << IO_QUAL_PORT_SHIFT);
	exit_io(vm, exit);
#else
	vcpu_lab_todo(vm, "lab06.3", "IN/OUT decoded at ring 1, handed to exit_io()");
#endif
	/* TODO(lab06.3) END */
}

/* Two-byte opcodes 0x0f xx that fault at ring 1. */
static int emulate_0f(struct tvmm_vm *vm, struct tvmm_exit_info *exit, struct insn *in)
{
	u64 base;
	u32 limit;
	u16 sel;

	switch (in->op2) {
	case 0x00:		/* group 6: /3 = LTR r/m16 */
		if (insn_modrm(vm, in) || in->reg != 3 || insn_read_u16(vm, in, &sel))
			return -EINVAL;
		exit->mnemonic = "ltr";
		exit->insn_len = in->len;
		if (depriv_ltr(vm, sel))
			return -EINVAL;
		exit_skip_instruction(exit);
		return 0;
	case 0x01:		/* group 7: /2 LGDT, /3 LIDT, /7 INVLPG */
		if (insn_modrm(vm, in) || in->mod == 3)
			return -EINVAL;
		exit->insn_len = in->len;
		if (in->reg == 7) {
			exit->mnemonic = "invlpg";	/* paging off: nothing cached */
		} else if (in->reg == 2 || in->reg == 3) {
			exit->mnemonic = in->reg == 2 ? "lgdt" : "lidt";
			if (insn_read_pseudo_desc(vm, in, &base, &limit) ||
			    (in->reg == 2 ? depriv_lgdt(vm, base, limit) :
					    depriv_lidt(vm, base, limit)))
				return -EINVAL;
		} else {
			return -EINVAL;
		}
		exit_skip_instruction(exit);
		return 0;
	case 0x06:		/* CLTS */
		exit->insn_len = in->len;
		exit->qual = CR_QUAL_CLTS << CR_QUAL_TYPE_SHIFT;
		exit_cr_access(vm, exit);
		return 0;
	case 0x20:		/* MOV r32, CRn */
	case 0x22:		/* MOV CRn, r32 */
		if (insn_modrm(vm, in) || in->mod != 3)
			return -EINVAL;
		exit->insn_len = in->len;
		exit->qual = in->reg | ((u64)in->rm << CR_QUAL_GPR_SHIFT) |
			     ((in->op2 == 0x20 ? CR_QUAL_MOV_FROM : 0) << CR_QUAL_TYPE_SHIFT);
		exit_cr_access(vm, exit);
		return 0;
	case 0x30:		/* WRMSR */
	case 0x32:		/* RDMSR */
		exit->insn_len = in->len;
		if (in->op2 == 0x30)
			exit_wrmsr(vm, exit);
		else
			exit_rdmsr(vm, exit);
		return 0;
	default:
		return -EINVAL;
	}
}

/* Load SS with the guest's selector at RPL 1; MOV SS blocks interrupts for one instruction. */
static int emulate_load_ss(struct tvmm_vm *vm, struct tvmm_exit_info *exit, u16 sel)
{
	int err = 0;

	if (depriv_load_ss(vm, sel))
		return -EINVAL;
	exit_skip_instruction(exit);
	vmx_vmwrite(VMCS_GUEST_INTERRUPTIBILITY_INFO, VMCS_BLOCKING_BY_MOV_SS, &err);
	return err;
}

/*
 * CLI/STI at ring 1 fault (IOPL is 0). The notes' CLI example: the guest
 * kernel believes it disabled interrupts, but only its virtual IF, kept
 * per VM, changes; the machine's IF stays set, so Linux keeps its timer.
 */
static int emulate_cli_sti(struct tvmm_vm *vm, struct tvmm_exit_info *exit, bool sti)
{
	/*
	 * TODO(lab07.1) BEGIN: emulate CLI (@sti false) and STI (@sti true) on
	 * the per-VM virtual IF: set exit->mnemonic, step over the instruction,
	 * and set the virtual IF with virq_set_vif(). STI that turns the IF
	 * on also opens a one-instruction shadow: write VMCS_BLOCKING_BY_STI
	 * to the guest interruptibility state so no interrupt is injected
	 * before the instruction after STI (SDM vol. 2B STI; vol. 3C 25.4.2,
	 * table 25-3). Hint: never touch the real RFLAGS.IF here.
	 */
#ifdef CONFIG_TVMM_LAB07_SOLUTION
	int err = 0;

	exit->mnemonic = sti ? "sti" : "cli";
	exit_skip_instruction(exit);
	if (sti && !vm->vif)
		vmx_vmwrite(VMCS_GUEST_INTERRUPTIBILITY_INFO, VMCS_BLOCKING_BY_STI, &err);
	virq_set_vif(vm, sti);
	return err;
#else
	return vcpu_lab_todo(vm, "lab07.1", "CLI/STI on the per-VM virtual IF");
#endif
	/* TODO(lab07.1) END */
}

/* One-byte opcodes that fault at ring 1. Return -EINVAL for "not ours". */
static int emulate_insn(struct tvmm_vm *vm, struct tvmm_exit_info *exit, struct insn *in)
{
	u32 esp;
	u16 sel;
	int err = 0;

	exit->insn_len = in->len;
	switch (in->op) {
	case 0xfa:		/* CLI */
	case 0xfb:		/* STI */
		return emulate_cli_sti(vm, exit, in->op == 0xfb);
	case 0xf4:		/* HLT */
		exit_hlt(vm, exit);
		return 0;
	case 0xe4: case 0xe5:	/* IN AL/eAX, imm8 */
	case 0xe6: case 0xe7:	/* OUT imm8, AL/eAX */
		emulate_io(vm, exit, in, in->op < 0xe6, true);
		return 0;
	case 0xec: case 0xed:	/* IN AL/eAX, DX */
	case 0xee: case 0xef:	/* OUT DX, AL/eAX */
		emulate_io(vm, exit, in, in->op < 0xee, false);
		return 0;
	case 0x8e:		/* MOV Sreg, r/m16: only SS faults here */
		if (insn_modrm(vm, in) || in->reg != 2 || insn_read_u16(vm, in, &sel))
			return -EINVAL;
		exit->mnemonic = "mov ss";
		exit->insn_len = in->len;
		return emulate_load_ss(vm, exit, sel);
	case 0x17:		/* POP SS: all or nothing, ESP moves only once SS is loaded */
		esp = vmcs_read(VMCS_GUEST_RSP);
		if (guest_mem_read(&vm->mem, (u32)(vmcs_read(VMCS_GUEST_SS_BASE) + esp), &sel,
				   sizeof(sel)))
			return -EINVAL;
		exit->mnemonic = "pop ss";
		err = emulate_load_ss(vm, exit, sel);
		if (!err)
			vmx_vmwrite(VMCS_GUEST_RSP, (u32)(esp + 4), &err);
		return err;
	case 0x0f:
		return emulate_0f(vm, exit, in);
	default:
		return -EINVAL;
	}
}

/* An immediate of @width bytes (1, 2 or 4), zero-extended. */
static int insn_imm(struct insn *in, unsigned int width, u32 *v)
{
	if (in->len + width > TVMM_INSN_MAX)
		return -EINVAL;
	*v = 0;
	memcpy(v, &in->bytes[in->len], width);	/* x86 is little-endian */
	in->len += width;
	return 0;
}

/**
 * emulate_decode_mov() - decode the data move at CS:@rip for mmio.c.
 * @vm: the VM (32-bit code, paging off: checked by the caller)
 * @rip: the guest RIP of the instruction that touched memory
 * @mi: filled in: width, direction, register or immediate, address, length
 *
 * The forms a driver uses for device registers (SDM vol. 2, MOV, MOVZX):
 * 88/89 MOV r/m, r; 8A/8B MOV r, r/m; C6/C7 /0 MOV r/m, imm; A0-A3 MOV
 * between AL/eAX and an absolute address (moffs32); 0F B6/B7 MOVZX r32,
 * r/m8 or r/m16. A 0x66 prefix makes the 32-bit forms 16-bit. Same
 * decoder as the #GP path above: one ModR/M+SIB reader for both.
 *
 * Return: 0; -EFAULT if RIP is not in guest RAM; -ENOEXEC for any other
 * instruction, or one with no memory operand.
 */
int emulate_decode_mov(struct tvmm_vm *vm, u64 rip, struct mmio_insn *mi)
{
	unsigned int wide;
	struct insn in;
	u32 moffs;
	int ret;

	memset(mi, 0, sizeof(*mi));
	if (insn_decode(vm, rip, &in))
		return -EFAULT;
	wide = in.opsize16 ? 2 : 4;
	mi->width = (in.op & 1) ? wide : 1;
	mi->mnemonic = "mov";
	switch (in.op) {
	case 0x88: case 0x89:	/* MOV r/m, r */
	case 0x8a: case 0x8b:	/* MOV r, r/m */
		ret = insn_modrm(vm, &in);
		mi->store = !(in.op & 2);
		break;
	case 0xc6: case 0xc7:	/* MOV r/m, imm: group 11, /0 only */
		ret = insn_modrm(vm, &in);
		if (!ret && in.reg)
			ret = -ENOEXEC;
		if (!ret)
			ret = insn_imm(&in, mi->width, &mi->imm);
		mi->store = true;
		mi->has_imm = true;
		break;
	case 0xa0: case 0xa1:	/* MOV AL/eAX, moffs */
	case 0xa2: case 0xa3:	/* MOV moffs, AL/eAX */
		ret = insn_u32(&in, &moffs);
		in.ea = moffs;
		in.reg = 0;	/* AL/AX/EAX */
		mi->store = in.op & 2;
		break;
	case 0x0f:		/* MOVZX r32, r/m8 (B6) or r/m16 (B7) */
		if ((in.op2 != 0xb6 && in.op2 != 0xb7) || in.opsize16)
			return -ENOEXEC;
		ret = insn_modrm(vm, &in);
		mi->width = in.op2 == 0xb6 ? 1 : 2;
		mi->zero_extend = true;
		mi->mnemonic = "movzx";
		break;
	default:
		return -ENOEXEC;
	}
	if (ret || in.mod == 3)
		return -ENOEXEC;
	mi->reg = in.reg;
	mi->ea = in.ea;
	mi->len = in.len;
	return 0;
}

/*
 * The #GP names IDT gate @vector (the shadow gate tvmm made DPL 0): was it
 * raised by an INT3 (CC), INTO (CE) or INT n (CD ib) at RIP? Sets the
 * mnemonic and the length to step over (1, 1, 2, plus prefixes) so the
 * reflected interrupt returns right after it, as the CPU's would.
 * Return: 0, or -EINVAL if RIP holds no such instruction for @vector (an
 * external event, a gate of a bad type): then the #GP is the guest's.
 */
static int emulate_int_insn(struct tvmm_vm *vm, struct tvmm_exit_info *exit, u8 vector)
{
	struct insn in;
	u8 imm;

	if ((exit->error_code & X86_ERR_EXT) || insn_decode(vm, exit->rip, &in))
		return -EINVAL;
	switch (in.op) {
	case INT3_OPCODE:
		if (vector != X86_EXC_BP)
			return -EINVAL;
		exit->mnemonic = "int3";
		break;
	case INTO_OPCODE:
		if (vector != X86_EXC_OF)
			return -EINVAL;
		exit->mnemonic = "into";
		break;
	case INT_OPCODE:
		if (insn_byte(&in, &imm) || imm != vector)
			return -EINVAL;
		exit->mnemonic = "int";
		break;
	default:
		return -EINVAL;
	}
	exit->insn_len = in.len;
	return 0;
}

/**
 * emulate_gp() - a #GP exit in deprivileged or patch mode: emulate or
 * reflect. The dispatcher that decides by the guest's privilege level.
 * @vm: the VM (deprivileged or patch mode)
 * @exit: the exception exit; its error code tells an INT through a DPL-0
 *        shadow gate (IDT bit set) from any other #GP
 *
 * An INT n/INT3/INTO on a gate the guest opened to ring 3 is reflected to
 * its handler. Any other #GP is emulated only if the guest kernel raised
 * it (virtual CPL 0, exit_virtual_cpl()); at the guest's ring 3 the CPU
 * already made the decision a real CPU makes at CPL 3 (IOPL 0, the guest's
 * own TSS I/O bitmap), so the #GP goes to the guest unchanged.
 */
void emulate_gp(struct tvmm_vm *vm, struct tvmm_exit_info *exit)
{
	struct insn in;

	if (exit->error_code & X86_ERR_IDT) {
		u8 vector = exit->error_code >> X86_ERR_INDEX_SHIFT;

		if (!emulate_int_insn(vm, exit, vector) && !depriv_reflect_int(vm, exit, vector)) {
			exit->action = TVMM_ACTION_REFLECTED;
			return;
		}
	} else if (!exit_virtual_cpl(vm) && !insn_decode(vm, exit->rip, &in) &&
		   !emulate_insn(vm, exit, &in)) {
		return;
	}
	/* Not a privileged instruction of the guest kernel: the guest's own #GP. */
	exit_inject_exception(vm, exit, X86_EXC_GP, true, exit->error_code);
}
