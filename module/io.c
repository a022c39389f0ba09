// SPDX-License-Identifier: GPL-2.0
/*
 * io.c - IN and OUT: the guest's ports, and the console behind port 0xe9.
 *
 * Concept: trap-and-emulate of I/O. The guest believes it talks to
 * devices through ports; every IN/OUT traps (unconditional I/O exiting,
 * SDM vol. 3C, 26.1.3) and the VMM plays the device. tvmm has one: the
 * console on port 0xe9 (the "port E9 hack" of Bochs and QEMU). Other ports
 * have nothing behind them, as on a bus with no card: reads float high,
 * writes vanish, unless the VM was created with TVMM_CONFIG_STRICT_IO. At
 * ring 1 IN/OUT fault instead (IOPL 0) and emulate.c builds the same exit
 * qualification and calls exit_io(): one emulation, two ways in.
 *
 * SDM: vol. 2A/2B, IN, OUT, INS, OUTS; vol. 3C, 28.2.1, table 28-5 (the
 *      exit qualification: size, direction, string, port).
 * Context: the run loop, preemption off, the VM's VMCS current.
 */
#include "tvmm.h"

/*
 * IN/OUT. Port 0xe9 is the guest's console (the "port E9 hack" of Bochs
 * and QEMU): OUT prints AL, IN reads 0xe9 so a guest can detect it. Other
 * ports have no device behind them: reads float high, writes vanish,
 * unless the VM was created with TVMM_CONFIG_STRICT_IO.
 */
void exit_io(struct tvmm_vm *vm, struct tvmm_exit_info *exit)
{
	/*
	 * TODO(lab05.1) BEGIN: decode the I/O exit qualification (size,
	 * direction, string, port: SDM vol. 3C 28.2.1, table 28-5) and emulate:
	 * OUT to TVMM_CONSOLE_PORT appends AL to the console (vcpu_console_putc), IN
	 * from it returns 0xe9 in AL/AX/EAX; string I/O ends the VM
	 * (TVMM_END_BAD_IO, action fatal); other ports: with
	 * TVMM_CONFIG_STRICT_IO end the VM, else action "ignored" and an IN
	 * reads all ones. Set exit->mnemonic ("in"/"out"), then step over the
	 * instruction. Hint: only the low `size` bytes of RAX change on IN.
	 */
#ifdef CONFIG_TVMM_LAB05_SOLUTION
	unsigned int size = (exit->qual & TVMM_IO_QUAL_SIZE_MASK) + 1;
	u16 port = exit->qual >> TVMM_IO_QUAL_PORT_SHIFT;
	bool in = exit->qual & TVMM_IO_QUAL_IN;
	u64 mask = size == 4 ? 0xffffffffULL : (1ULL << (8 * size)) - 1;

	exit->mnemonic = in ? "in" : "out";
	if (exit->qual & TVMM_IO_QUAL_STRING) {
		exit->mnemonic = in ? "ins" : "outs";
		exit->action = TVMM_ACTION_FATAL;
		vcpu_end(vm, TVMM_END_BAD_IO, port,
			 "string I/O (%s) on port 0x%x is not emulated", exit->mnemonic, port);
		return;
	}
	if (port != TVMM_CONSOLE_PORT && (vm->config.flags & TVMM_CONFIG_STRICT_IO)) {
		exit->action = TVMM_ACTION_FATAL;
		vcpu_end(vm, TVMM_END_BAD_IO, port, "%s on port 0x%x: no device there",
			 exit->mnemonic, port);
		return;
	}
	if (port != TVMM_CONSOLE_PORT) {
		exit->action = TVMM_ACTION_IGNORED;
		if (in)
			vm->regs.rax |= mask;	/* nothing drives the bus */
	} else if (in) {
		vm->regs.rax = (vm->regs.rax & ~mask) | (TVMM_CONSOLE_PORT & mask);
	} else {
		vcpu_console_putc(vm, vm->regs.rax & 0xff);
	}
	vcpu_skip_instruction(vm, exit);
#else
	vcpu_lab_todo(vm, "lab05.1", "the I/O exit: console on port 0xe9");
#endif
	/* TODO(lab05.1) END */
}

