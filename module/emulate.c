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
 * is handed to that same handler (io.c, cr.c, msr.c, hlt.c): one
 * emulation, two ways in.
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
 * The decoding itself is tvmm's one decoder (insn.c, fetched at CS:RIP
 * by vcpu_fetch_insn()), the same that mmio.c and patch.c use.
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
#include "include/tvmm/insn.h"

/*
 * The decoded instruction at the guest's CS:RIP, if it is one the ring-1
 * emulation may take: no prefix but the operand size (a LOCK, REP or
 * segment override makes it some other instruction than the kernel's).
 */
static int emulate_decode(struct tvmm_vm *vm, u64 rip, struct insn *in)
{
	if (vcpu_fetch_insn(vm, rip, in) || in->other_prefix || in->addr16)
		return -EINVAL;
	return 0;
}

/* A 16-bit operand (a selector): a register or a word in memory. */
static int emulate_read_u16(struct tvmm_vm *vm, const struct insn *in, u16 *v)
{
	if (MODRM_MOD(in->modrm) == 3) {
		*v = vcpu_gpr_read(vm, MODRM_RM(in->modrm));
		return 0;
	}
	return guest_mem_read(&vm->mem, vcpu_insn_ea(vm, in), v, sizeof(*v));
}

/* LGDT/LIDT operand: a 16-bit limit then a 32-bit base. */
static int emulate_read_pseudo_desc(struct tvmm_vm *vm, const struct insn *in, u64 *base,
				    u32 *limit)
{
	u8 pd[6];

	if (MODRM_MOD(in->modrm) == 3 ||
	    guest_mem_read(&vm->mem, vcpu_insn_ea(vm, in), pd, sizeof(pd)))
		return -EINVAL;
	*limit = pd[0] | pd[1] << 8;
	*base = pd[2] | pd[3] << 8 | pd[4] << 16 | (u32)pd[5] << 24;
	return 0;
}

/* Hand an IN/OUT to the same handler a VM-exit I/O would reach. */
static void emulate_io(struct tvmm_vm *vm, struct tvmm_exit_info *exit,
		       const struct insn *in, bool is_in, bool port_imm)
{
	/*
	 * TODO(lab06.3) BEGIN: an IN or OUT executed at ring 1 faulted with #GP
	 * (IOPL 0, no I/O bitmap): turn the decoded instruction into the I/O
	 * exit qualification VT-x would have given (size from the opcode's low
	 * bit and the 0x66 prefix, direction, port from the imm8 or DX) and
	 * hand it to exit_io(), so both paths share one handler. Set
	 * exit->insn_len so the skip lands after the instruction. SDM vol. 3C
	 * 28.2.1 (table 28-5), vol. 2B IN/OUT. Hint: the decoder (insn.h)
	 * already read the imm8 port into in->imm, and in->len counts it.
	 */
#ifdef CONFIG_TVMM_LAB06_SOLUTION
	unsigned int size = (in->op & 1) ? (in->opsize16 ? 2 : 4) : 1;
	u16 port = port_imm ? in->imm : (u16)vm->regs.rdx;

	exit->insn_len = in->len;
	exit->qual = (size - 1) | (is_in ? TVMM_IO_QUAL_IN : 0) |
		     ((u64)port << TVMM_IO_QUAL_PORT_SHIFT);
	exit_io(vm, exit);
#else
	vcpu_lab_todo(vm, "lab06.3", "IN/OUT decoded at ring 1, handed to exit_io()");
#endif
	/* TODO(lab06.3) END */
}

/* Two-byte opcodes 0x0f xx that fault at ring 1. */
static int emulate_0f(struct tvmm_vm *vm, struct tvmm_exit_info *exit, const struct insn *in)
{
	u64 base;
	u32 limit;
	u16 sel;

	switch (in->op2) {
	case 0x00:		/* group 6: /3 = LTR r/m16 */
		if (MODRM_REG(in->modrm) != 3 || emulate_read_u16(vm, in, &sel))
			return -EINVAL;
		exit->mnemonic = "ltr";
		exit->insn_len = in->len;
		if (depriv_ltr(vm, sel))
			return -EINVAL;
		vcpu_skip_instruction(vm, exit);
		return 0;
	case 0x01:		/* group 7: /2 LGDT, /3 LIDT, /7 INVLPG */
		if (MODRM_MOD(in->modrm) == 3)
			return -EINVAL;
		exit->insn_len = in->len;
		if (MODRM_REG(in->modrm) == 7) {
			exit->mnemonic = "invlpg";	/* paging off: nothing cached */
		} else if (MODRM_REG(in->modrm) == 2 || MODRM_REG(in->modrm) == 3) {
			exit->mnemonic = MODRM_REG(in->modrm) == 2 ? "lgdt" : "lidt";
			if (emulate_read_pseudo_desc(vm, in, &base, &limit) ||
			    (MODRM_REG(in->modrm) == 2 ? depriv_lgdt(vm, base, limit) :
					    depriv_lidt(vm, base, limit)))
				return -EINVAL;
		} else {
			return -EINVAL;
		}
		vcpu_skip_instruction(vm, exit);
		return 0;
	case 0x06:		/* CLTS */
		exit->insn_len = in->len;
		exit->qual = TVMM_CR_QUAL_CLTS << TVMM_CR_QUAL_TYPE_SHIFT;
		exit_cr_access(vm, exit);
		return 0;
	case 0x20:		/* MOV r32, CRn */
	case 0x22:		/* MOV CRn, r32 */
		if (MODRM_MOD(in->modrm) != 3)
			return -EINVAL;
		exit->insn_len = in->len;
		exit->qual = MODRM_REG(in->modrm) |
			     ((u64)MODRM_RM(in->modrm) << TVMM_CR_QUAL_GPR_SHIFT) |
			     ((in->op2 == 0x20 ? TVMM_CR_QUAL_MOV_FROM : TVMM_CR_QUAL_MOV_TO) <<
			      TVMM_CR_QUAL_TYPE_SHIFT);
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
	if (depriv_load_ss(vm, sel))
		return -EINVAL;
	vcpu_skip_instruction(vm, exit);
	vcpu_write(vm, VMCS_GUEST_INTERRUPTIBILITY_INFO, VMCS_BLOCKING_BY_MOV_SS);
	return 0;
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
	exit->mnemonic = sti ? "sti" : "cli";
	vcpu_skip_instruction(vm, exit);
	if (sti && !vm->vif)
		vcpu_write(vm, VMCS_GUEST_INTERRUPTIBILITY_INFO, VMCS_BLOCKING_BY_STI);
	virq_set_vif(vm, sti);
	return 0;
#else
	return vcpu_lab_todo(vm, "lab07.1", "CLI/STI on the per-VM virtual IF");
#endif
	/* TODO(lab07.1) END */
}

/* One-byte opcodes that fault at ring 1. Return -EINVAL for "not ours". */
static int emulate_insn(struct tvmm_vm *vm, struct tvmm_exit_info *exit, const struct insn *in)
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
		if (MODRM_REG(in->modrm) != 2 || emulate_read_u16(vm, in, &sel))
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
			vcpu_write(vm, VMCS_GUEST_RSP, (u32)(esp + 4));
		return err;
	case INSN_OP_TWO_BYTE:
		return emulate_0f(vm, exit, in);
	default:
		return -EINVAL;
	}
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

	if ((exit->error_code & TVMM_ERR_EXT) || emulate_decode(vm, exit->rip, &in))
		return -EINVAL;
	switch (in.op) {
	case INSN_OP_INT3:
		if (vector != TVMM_EXC_BP)
			return -EINVAL;
		exit->mnemonic = "int3";
		break;
	case INSN_OP_INTO:
		if (vector != TVMM_EXC_OF)
			return -EINVAL;
		exit->mnemonic = "into";
		break;
	case INSN_OP_INT:
		if (in.imm != vector)
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
 * it (virtual CPL 0, vcpu_cpl()); at the guest's ring 3 the CPU
 * already made the decision a real CPU makes at CPL 3 (IOPL 0, the guest's
 * own TSS I/O bitmap), so the #GP goes to the guest unchanged.
 */
void emulate_gp(struct tvmm_vm *vm, struct tvmm_exit_info *exit)
{
	struct insn in;

	if (exit->error_code & TVMM_ERR_IDT) {
		u8 vector = exit->error_code >> TVMM_ERR_INDEX_SHIFT;

		if (!emulate_int_insn(vm, exit, vector) && !depriv_reflect_int(vm, exit, vector)) {
			exit->action = TVMM_ACTION_REFLECTED;
			return;
		}
	} else if (!vcpu_cpl(vm) && !emulate_decode(vm, exit->rip, &in) &&
		   !emulate_insn(vm, exit, &in)) {
		return;
	}
	/* Not a privileged instruction of the guest kernel: the guest's own #GP. */
	vcpu_inject_exception(vm, exit, TVMM_EXC_GP, true, exit->error_code);
}
