// SPDX-License-Identifier: GPL-2.0
/*
 * exits.c - one handler per VM-exit reason.
 *
 * Concept: the "emulate" half of trap-and-emulate. The guest executed a
 * sensitive instruction (CPUID, IN/OUT, HLT, RDMSR, MOV to CR0...) and the
 * CPU trapped to tvmm instead of executing it. Each handler makes the
 * instruction's effect happen on the *virtual* machine (the console, the
 * guest's registers, the CR0 the guest believes in) and moves the guest
 * past it, so the guest never notices it did not run on a real CPU.
 * Exits that are the host's business (interrupts, the preemption timer)
 * are only counted; exits that break the VM's rules end only that VM.
 *
 * SDM: vol. 3D, appendix C (exit reasons); vol. 3C, 28.2.1 "Basic VM-Exit
 *      Information" (exit qualifications: table 28-3 CR access, 28-5 I/O,
 *      28-7 EPT violation); 28.2.2 (VM-exit interruption information);
 *      27.6 "Event Injection".
 * Context: preemption off, interrupts on, the VM's VMCS current (vcpu.c).
 */
#define pr_fmt(fmt) KBUILD_MODNAME ": " fmt

#include <asm/cpufeature.h>
#include <asm/msr.h>
#include <asm/page.h>
#include <asm/processor.h>
#include <asm/processor-flags.h>

#include "tvmm.h"
#include "vmx_insn.h"
#include "include/tvmm/exit_names.h"

typedef void (*exit_handler_t)(struct tvmm_vm *vm, struct tvmm_exit_info *exit);

/* VM-exit interruption information (SDM 25.9.2, table 25-19). */
#define INTR_INFO_VECTOR_MASK		0xff
#define INTR_INFO_TYPE_SHIFT		8
#define INTR_INFO_TYPE_MASK		7
#define INTR_TYPE_NMI			2
#define INTR_TYPE_HW_EXCEPTION		3
#define INTR_INFO_DELIVER_CODE		BIT(11)
#define INTR_INFO_VALID			BIT(31)

#define X86_EXC_BP			3	/* breakpoint (INT3) */
#define X86_EXC_NM			7	/* device not available */
#define X86_EXC_GP			13	/* general protection */
#define X86_EXC_MC			18	/* machine check */

/* Hypercall numbers of the guest ABI (DESIGN.md): VMCALL with EAX = nr. */
#define HC_EXIT			0	/* EBX = exit status */
#define HC_PUTC			1	/* EBX = character */
#define HC_SET_IF		2	/* EBX = new interrupt flag */
#define HC_GET_TIME		3	/* EDX:EAX = guest TSC */
#define HC_GET_CR0		4	/* EAX = the CR0 the guest believes in (paravirt SMSW) */
#define HC_UNKNOWN_RESULT	0xffffffffU
#define HC_EPERM_RESULT		0xffffffffU	/* -EPERM: VMCALL from CPL > 0 (as KVM) */

/* What the guest's "CPUID.40000000H" says: a hypervisor named tvmm. */
#define CPUID_HV_LEAF		0x40000000
#define CPUID1_ECX_HYPERVISOR	BIT(31)
#define CPUID1_ECX_OSXSAVE	BIT(27)

/* MSRs the guest may touch (anything else gets #GP, as on a real CPU). */
#define MSR_APIC_BASE_DEFAULT	0xfee00900ULL	/* enabled, BSP, at 0xfee00000 */
#define MSR_FEATURE_CONTROL_LOCKED_VMX_OFF	1ULL

/* The guest's 32-bit general registers by ModRM number (RSP is in the VMCS). */
static u64 *gpr(struct tvmm_vm *vm, unsigned int n)
{
	u64 *const regs[16] = {
		&vm->regs.rax, &vm->regs.rcx, &vm->regs.rdx, &vm->regs.rbx,
		NULL, &vm->regs.rbp, &vm->regs.rsi, &vm->regs.rdi,
		&vm->regs.r8, &vm->regs.r9, &vm->regs.r10, &vm->regs.r11,
		&vm->regs.r12, &vm->regs.r13, &vm->regs.r14, &vm->regs.r15,
	};

	return regs[n & 15];
}

/**
 * exit_virtual_cpl() - the privilege level the guest believes it runs at.
 * @vm: the VM, its VMCS current
 *
 * The CPU's CPL is SS.DPL (SDM 25.4.1), read from the VMCS, never
 * assumed. In deprivileged and patch modes ring 1 is the guest kernel's
 * ring 0 ("virtual kernel mode"); ring 3 is its applications' ring 3
 * ("virtual user mode"). Everything that decides "may the guest do this
 * privileged thing" asks this, not the real CPL.
 *
 * Return: 0 for the guest kernel, else the guest's CPL (3 for its apps).
 */
unsigned int exit_virtual_cpl(struct tvmm_vm *vm)
{
	unsigned int cpl = (vmcs_read(VMCS_GUEST_SS_AR_BYTES) >> VMCS_AR_DPL_SHIFT) &
			   VMCS_AR_DPL_MASK;

	if (tvmm_mode_ring1(vm->config.mode) && cpl <= TVMM_VIRTUAL_KERNEL_RING)
		return 0;
	return cpl;
}

u64 gpr_read(struct tvmm_vm *vm, unsigned int n)
{
	u64 *reg = gpr(vm, n);

	return reg ? *reg : vmcs_read(VMCS_GUEST_RSP);
}

void gpr_write(struct tvmm_vm *vm, unsigned int n, u64 value)
{
	u64 *reg = gpr(vm, n);
	int err = 0;

	if (reg)
		*reg = value;
	else
		vmx_vmwrite(VMCS_GUEST_RSP, value, &err);
}

/*
 * Move the guest past the instruction that exited, as if the CPU had run
 * it. Also end any STI/MOV-SS interrupt shadow: it covered exactly this
 * instruction (SDM 25.4.2). And if the guest single-steps (RFLAGS.TF set
 * when the instruction began), the CPU would raise #DB right after it: a
 * debugger stepping over CPUID or an emulated OUT must not skip a step.
 * Leave that to the CPU as a pending single-step trap (BS), delivered at
 * the next entry (SDM 27.7.3; #DB then exits, and debugreg.c reflects it
 * with DR6.BS); KVM does the same in kvm_skip_emulated_instruction().
 */
void exit_skip_instruction(struct tvmm_exit_info *exit)
{
	u64 shadow = vmcs_read(VMCS_GUEST_INTERRUPTIBILITY_INFO);
	int err = 0;

	vmx_vmwrite(VMCS_GUEST_RIP, exit->rip + exit->insn_len, &err);
	if (shadow & (VMCS_BLOCKING_BY_STI | VMCS_BLOCKING_BY_MOV_SS))
		vmx_vmwrite(VMCS_GUEST_INTERRUPTIBILITY_INFO,
			    shadow & ~(u64)(VMCS_BLOCKING_BY_STI | VMCS_BLOCKING_BY_MOV_SS),
			    &err);
	if (exit->rflags & X86_EFLAGS_TF)
		vmx_vmwrite(VMCS_GUEST_PENDING_DBG_EXCEPTIONS,
			    vmcs_read(VMCS_GUEST_PENDING_DBG_EXCEPTIONS) | TVMM_PENDING_DBG_BS,
			    &err);
}

/*
 * Make the guest take exception @vector at the faulting instruction,
 * exactly as the hardware would have: VM-entry event injection (SDM 27.6).
 * Real mode has no error codes.
 */
void exit_inject_exception(struct tvmm_vm *vm, struct tvmm_exit_info *exit,
			   u32 vector, bool has_error, u32 error_code)
{
	u32 info = vector | (INTR_TYPE_HW_EXCEPTION << INTR_INFO_TYPE_SHIFT) |
		   INTR_INFO_VALID;
	int err = 0;

	if (has_error && (vm->cr0_shadow & X86_CR0_PE)) {
		info |= INTR_INFO_DELIVER_CODE;
		vmx_vmwrite(VMCS_VM_ENTRY_EXCEPTION_ERROR_CODE, error_code, &err);
	}
	vmx_vmwrite(VMCS_VM_ENTRY_INTR_INFO_FIELD, info, &err);
	exit->action = TVMM_ACTION_REFLECTED;
}

static void inject_gp(struct tvmm_vm *vm, struct tvmm_exit_info *exit)
{
	exit_inject_exception(vm, exit, X86_EXC_GP, true, 0);
}

/* Append one byte to the VM's console; a full line goes to userspace. */
static void console_putc(struct tvmm_vm *vm, char c)
{
	vm->console[vm->console_len++] = c;
	if (c == '\n' || vm->console_len == sizeof(vm->console))
		vm->console_flush = true;
}

/*
 * CPUID is unconditionally intercepted in VMX non-root operation, which is
 * what lets a VMM decide which CPU the guest sees (SDM 26.1.2). tvmm shows
 * the host's answers except: no VMX (no nested virtualization), the
 * "hypervisor present" bit set, and a hypervisor leaf naming tvmm.
 */
static void handle_cpuid(struct tvmm_vm *vm, struct tvmm_exit_info *exit)
{
	/*
	 * TODO(lab05.2) BEGIN: emulate CPUID: answer leaf CPUID_HV_LEAF with
	 * "TVMMtvmmTVMM" in EBX/ECX/EDX (EAX = the leaf), every other leaf with
	 * the host's answer (cpuid_count) except in leaf 1: clear
	 * CPUID1_ECX_VMX (no nested VMX), set CPUID1_ECX_HYPERVISOR, and make
	 * OSXSAVE mirror the guest's CR4.OSXSAVE (vm->cr4_shadow). Write
	 * EAX..EDX to vm->regs, set the mnemonic, step over CPUID. SDM vol. 3C
	 * 26.1.2 (CPUID always exits), vol. 2A CPUID. Hint: the guest's
	 * registers live in vm->regs, not in the VMCS.
	 */
#ifdef CONFIG_TVMM_LAB05_SOLUTION
	u32 leaf = vm->regs.rax, subleaf = vm->regs.rcx;
	u32 eax, ebx, ecx, edx;

	if (leaf == CPUID_HV_LEAF) {
		eax = CPUID_HV_LEAF;
		memcpy(&ebx, "TVMM", 4);
		memcpy(&ecx, "tvmm", 4);
		memcpy(&edx, "TVMM", 4);
	} else {
		cpuid_count(leaf, subleaf, &eax, &ebx, &ecx, &edx);
	}
	if (leaf == 1) {
		ecx &= ~CPUID1_ECX_VMX;
		ecx |= CPUID1_ECX_HYPERVISOR;
		/* OSXSAVE mirrors the guest's CR4.OSXSAVE, not the host's. */
		ecx &= ~CPUID1_ECX_OSXSAVE;
		if (vm->cr4_shadow & X86_CR4_OSXSAVE)
			ecx |= CPUID1_ECX_OSXSAVE;
	}
	vm->regs.rax = eax;
	vm->regs.rbx = ebx;
	vm->regs.rcx = ecx;
	vm->regs.rdx = edx;
	exit->mnemonic = "cpuid";
	exit_skip_instruction(exit);
#else
	vcpu_lab_todo(vm, "lab05.2", "the CPUID exit: host CPU minus VMX, plus tvmm's leaf");
#endif
	/* TODO(lab05.2) END */
}

/*
 * HLT: the guest has nothing to do until an interrupt. If one can come
 * (its IF is set and the virtual timer runs), the virtual CPU is "halted":
 * the run loop gives the physical CPU back to Linux until the next tick is
 * due, as KVM blocks a halted vCPU. (Not the VMCS HLT activity state: VM
 * entry refuses it unless SS.DPL is 0, SDM 27.3.1.5, and a deprivileged
 * guest runs at ring 1.) If no interrupt can come, nothing will ever wake
 * the guest: the VM is over, the guest ABI's normal end.
 */
void exit_hlt(struct tvmm_vm *vm, struct tvmm_exit_info *exit)
{
	/*
	 * TODO(lab04.2) BEGIN: HLT: set the record's mnemonic, step over the
	 * instruction (exit_skip_instruction), and end the VM with
	 * TVMM_END_HLT: end_info 0 and "guest halted" when the guest's IF is
	 * off (the guest ABI's normal end), end_info 1 when it is on but no
	 * interrupt can ever come. If virq_can_wait() says an interrupt can
	 * come (lab 07's timer), set vm->halted instead and return: the run
	 * loop waits for the tick. SDM vol. 3C 26.1.3 (HLT exiting), 28.1.2.
	 * Hint: virq_guest_if() is the IF the guest believes in.
	 */
#ifdef CONFIG_TVMM_LAB04_SOLUTION
	exit->mnemonic = "hlt";
	exit_skip_instruction(exit);
	if (virq_can_wait(vm, exit->rflags)) {
		vm->halted = true;
		return;
	}
	if (virq_guest_if(vm, exit->rflags))
		vcpu_end(vm, TVMM_END_HLT, 1,
			 "guest halted with interrupts enabled and no virtual timer");
	else
		vcpu_end(vm, TVMM_END_HLT, 0, "guest halted");
#else
	vcpu_lab_todo(vm, "lab04.2", "the HLT exit: step over HLT and end the VM");
#endif
	/* TODO(lab04.2) END */
}

/* I/O exit qualification (SDM 28.2.1, table 28-5). */
#define IO_SIZE_MASK		7	/* access size minus 1 */
#define IO_IN			BIT(3)
#define IO_STRING		BIT(4)
#define IO_PORT_SHIFT		16

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
	 * OUT to TVMM_CONSOLE_PORT appends AL to the console (console_putc), IN
	 * from it returns 0xe9 in AL/AX/EAX; string I/O ends the VM
	 * (TVMM_END_BAD_IO, action fatal); other ports: with
	 * TVMM_CONFIG_STRICT_IO end the VM, else action "ignored" and an IN
	 * reads all ones. Set exit->mnemonic ("in"/"out"), then step over the
	 * instruction. Hint: only the low `size` bytes of RAX change on IN.
	 */
#ifdef CONFIG_TVMM_LAB05_SOLUTION
	unsigned int size = (exit->qual & IO_SIZE_MASK) + 1;
	u16 port = exit->qual >> IO_PORT_SHIFT;
	bool in = exit->qual & IO_IN;
	u64 mask = size == 4 ? 0xffffffffULL : (1ULL << (8 * size)) - 1;

	exit->mnemonic = in ? "in" : "out";
	if (exit->qual & IO_STRING) {
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
		console_putc(vm, vm->regs.rax & 0xff);
	}
	exit_skip_instruction(exit);
#else
	vcpu_lab_todo(vm, "lab05.1", "the I/O exit: console on port 0xe9");
#endif
	/* TODO(lab05.1) END */
}

/*
 * RDMSR/WRMSR: every MSR access exits (tvmm sets no MSR bitmap). A small
 * allow-list is emulated; anything else gets #GP, which is what a real CPU
 * does for an MSR it does not implement.
 */
void exit_rdmsr(struct tvmm_vm *vm, struct tvmm_exit_info *exit)
{
	u32 msr = vm->regs.rcx;
	u64 value;

	exit->mnemonic = "rdmsr";
	switch (msr) {
	case MSR_IA32_TSC:
		value = rdtsc();
		break;
	case MSR_IA32_APICBASE:
		value = MSR_APIC_BASE_DEFAULT;
		break;
	case MSR_IA32_FEAT_CTL:		/* locked, VMX off: no nested VMX */
		value = MSR_FEATURE_CONTROL_LOCKED_VMX_OFF;
		break;
	case MSR_EFER:
		value = vmcs_read(VMCS_GUEST_IA32_EFER);
		break;
	case MSR_IA32_SYSENTER_CS:
		value = vmcs_read(VMCS_GUEST_SYSENTER_CS);
		break;
	case MSR_IA32_SYSENTER_ESP:
		value = vmcs_read(VMCS_GUEST_SYSENTER_ESP);
		break;
	case MSR_IA32_SYSENTER_EIP:
		value = vmcs_read(VMCS_GUEST_SYSENTER_EIP);
		break;
	default:
		inject_gp(vm, exit);
		return;
	}
	vm->regs.rax = (u32)value;
	vm->regs.rdx = value >> 32;
	exit_skip_instruction(exit);
}

void exit_wrmsr(struct tvmm_vm *vm, struct tvmm_exit_info *exit)
{
	u64 value = (vm->regs.rdx << 32) | (u32)vm->regs.rax;
	int err = 0;

	exit->mnemonic = "wrmsr";
	switch ((u32)vm->regs.rcx) {
	case MSR_EFER:
		/* A 32-bit guest: long mode (LME) is not offered (cr_check.c). */
		if (!cr_check_efer(vm, value)) {
			inject_gp(vm, exit);
			return;
		}
		vmx_vmwrite(VMCS_GUEST_IA32_EFER, value, &err);
		break;
	case MSR_IA32_SYSENTER_CS:
		vmx_vmwrite(VMCS_GUEST_SYSENTER_CS, value, &err);
		break;
	case MSR_IA32_SYSENTER_ESP:
	case MSR_IA32_SYSENTER_EIP:
		/*
		 * A 64-bit CPU refuses a non-canonical address with #GP (SDM
		 * vol. 4, IA32_SYSENTER_ESP/EIP), and VM entry checks the
		 * same (SDM 27.3.1.1): written as is, it would fail the entry.
		 */
		if (!__is_canonical_address(value, boot_cpu_has(X86_FEATURE_LA57) ? 57 : 48)) {
			inject_gp(vm, exit);
			return;
		}
		vmx_vmwrite((u32)vm->regs.rcx == MSR_IA32_SYSENTER_ESP ?
			    VMCS_GUEST_SYSENTER_ESP : VMCS_GUEST_SYSENTER_EIP, value, &err);
		break;
	default:
		inject_gp(vm, exit);
		return;
	}
	exit_skip_instruction(exit);
}

/* Control-register access qualification (SDM 28.2.1, table 28-3). */
#define CR_NUM_MASK		0xf
#define CR_TYPE_SHIFT		4
#define CR_TYPE_MASK		3
#define CR_TYPE_MOV_TO		0
#define CR_TYPE_MOV_FROM	1
#define CR_TYPE_CLTS		2
#define CR_TYPE_LMSW		3
#define CR_GPR_SHIFT		8
#define CR_LMSW_DATA_SHIFT	16
#define CR0_LMSW_BITS		(X86_CR0_PE | X86_CR0_MP | X86_CR0_EM | X86_CR0_TS)

/* The guest writes CR0: keep its view in the shadow, run with the fixed bits. */
static void set_guest_cr0(struct tvmm_vm *vm, struct tvmm_exit_info *exit, u64 cr0)
{
	int err = 0;

	/* Reserved bits, NW without CD, PG without PE... (cr_check.c). */
	if (!cr_check_cr0(vm, &cr0)) {
		inject_gp(vm, exit);
		return;
	}
	/*
	 * Deprivileged and patch modes read the guest's code and operands at
	 * segment base + offset as guest-physical addresses (emulate.c,
	 * patch.c): true only without paging, as the guest ABI says. Rather
	 * than emulate from the wrong bytes, end the VM when paging goes on.
	 * Protection off (CR0.PE clear) is real mode, which has no ring 1 for
	 * the guest kernel to run in (the next VM entry would fail): end the
	 * VM too.
	 */
	if (tvmm_mode_ring1(vm->config.mode) &&
	    ((cr0 & X86_CR0_PG) || !(cr0 & X86_CR0_PE))) {
		exit->action = TVMM_ACTION_FATAL;
		vcpu_end(vm, TVMM_END_UNHANDLED, exit->reason & TVMM_EXIT_REASON_BASIC_MASK,
			 "guest turned %s at rip 0x%llx: not supported in %s mode",
			 cr0 & X86_CR0_PG ? "paging on (CR0.PG)" : "protection off (CR0.PE)",
			 exit->rip, tvmm_mode_name(vm->config.mode));
		return;
	}
	vm->cr0_shadow = cr0;
	vmx_vmwrite(VMCS_CR0_READ_SHADOW, cr0, &err);
	vmx_vmwrite(VMCS_GUEST_CR0, vmcs_guest_cr0(cr0), &err);
	exit_skip_instruction(exit);
}

void exit_cr_access(struct tvmm_vm *vm, struct tvmm_exit_info *exit)
{
	unsigned int cr = exit->qual & CR_NUM_MASK;
	unsigned int type = (exit->qual >> CR_TYPE_SHIFT) & CR_TYPE_MASK;
	unsigned int reg = (exit->qual >> CR_GPR_SHIFT) & 15;
	u64 value = gpr_read(vm, reg) & 0xffffffffULL;	/* 32-bit guest */
	u64 lmsw;
	int err = 0;

	switch (type) {
	case CR_TYPE_MOV_TO:
		exit->mnemonic = cr == 0 ? "mov cr0" : cr == 3 ? "mov cr3" : "mov cr4";
		if (cr == 0) {
			set_guest_cr0(vm, exit, value);
			return;
		}
		if (cr == 3) {
			vmx_vmwrite(VMCS_GUEST_CR3, value, &err);
			break;
		}
		if (cr == 4 && cr_check_cr4(vm, value)) {	/* no VMX, PKE... (cr_check.c) */
			vm->cr4_shadow = value;
			vmx_vmwrite(VMCS_CR4_READ_SHADOW, value, &err);
			vmx_vmwrite(VMCS_GUEST_CR4, vmcs_guest_cr4(value), &err);
			break;
		}
		inject_gp(vm, exit);
		return;
	case CR_TYPE_MOV_FROM:
		/* A VM exit only for CR3; at ring 1 (emulate.c) for any CR. */
		exit->mnemonic = "mov from cr";
		gpr_write(vm, reg, cr == 0 ? vm->cr0_shadow : cr == 4 ? vm->cr4_shadow :
			  vmcs_read(VMCS_GUEST_CR3));
		break;
	case CR_TYPE_CLTS:
		exit->mnemonic = "clts";
		set_guest_cr0(vm, exit, vm->cr0_shadow & ~(u64)X86_CR0_TS);
		return;
	default:			/* LMSW can set PE but never clear it */
		exit->mnemonic = "lmsw";
		lmsw = (exit->qual >> CR_LMSW_DATA_SHIFT) & CR0_LMSW_BITS;
		set_guest_cr0(vm, exit, (vm->cr0_shadow & ~(u64)(CR0_LMSW_BITS & ~X86_CR0_PE)) |
			      lmsw);
		return;
	}
	exit_skip_instruction(exit);
}

/* VMCALL: the paravirtual door of the guest ABI (DESIGN.md, "Hypercalls"). */
static void handle_vmcall(struct tvmm_vm *vm, struct tvmm_exit_info *exit)
{
	u64 tsc, rflags;
	int err = 0;

	exit->mnemonic = "vmcall";
	exit_skip_instruction(exit);
	/*
	 * VMCALL exits at every CPL (SDM 26.1.2), so an application could
	 * end the VM, print, or set its own IF. Only the guest kernel may make
	 * hypercalls; from CPL > 0 the answer is KVM's: -EPERM in EAX and
	 * nothing else (no #UD: the guest knows it runs on tvmm).
	 */
	if (exit_virtual_cpl(vm)) {
		vm->regs.rax = HC_EPERM_RESULT;
		return;
	}
	switch ((u32)vm->regs.rax) {
	case HC_EXIT:
		vm->exit_status = vm->regs.rbx;
		vcpu_end(vm, TVMM_END_HYPERCALL, vm->exit_status,
			 "guest exited with status %u (hypercall)", vm->exit_status);
		break;
	case HC_PUTC:
		console_putc(vm, vm->regs.rbx & 0xff);
		break;
	case HC_SET_IF:		/* the paravirtual CLI/STI */
		rflags = vmcs_read(VMCS_GUEST_RFLAGS) & ~(u64)X86_EFLAGS_IF;
		if (vm->regs.rbx & 1)
			rflags |= X86_EFLAGS_IF;
		vmx_vmwrite(VMCS_GUEST_RFLAGS, rflags, &err);
		virq_set_vif(vm, vm->regs.rbx & 1);
		break;
	case HC_GET_TIME:
		tsc = rdtsc();
		vm->regs.rax = (u32)tsc;
		vm->regs.rdx = tsc >> 32;
		break;
	case HC_GET_CR0:
		vm->regs.rax = (u32)vm->cr0_shadow;
		break;
	default:
		vm->regs.rax = HC_UNKNOWN_RESULT;
		break;
	}
}

/* EPT-violation qualification bits 0-2: the access was a read/write/fetch. */
static const char *ept_access(u64 qual)
{
	return qual & BIT(2) ? "instruction fetch" : qual & BIT(1) ? "write" : "read";
}

/*
 * All guest RAM is mapped RWX: a violation is an access outside it, to
 * tvmm-dev's page (mmio.c emulates it) or to nothing at all.
 */
static void handle_ept_violation(struct tvmm_vm *vm, struct tvmm_exit_info *exit)
{
	if (vm->mem.lab_unmapped) {
		exit->action = TVMM_ACTION_FATAL;
		vcpu_lab_todo(vm, "lab04.1", "guest RAM is not mapped in the EPT");
		return;
	}
	if (mmio_ept_violation(vm, exit))
		return;
	/* Patch mode: the first fetch from a page of RAM scans it (patch.c). */
	if (patch_ept_violation(vm, exit))
		return;
	exit->action = TVMM_ACTION_FATAL;
	exit->mnemonic = ept_access(exit->qual);
	vcpu_end(vm, TVMM_END_EPT_VIOLATION, exit->gpa,
		 "%s at guest-physical 0x%llx, outside the guest's %llu KiB of RAM (EPT violation)",
		 ept_access(exit->qual), exit->gpa, vm->config.mem_size >> 10);
}

static void handle_ept_misconfig(struct tvmm_vm *vm, struct tvmm_exit_info *exit)
{
	exit->action = TVMM_ACTION_FATAL;
	vcpu_end(vm, TVMM_END_INTERNAL, exit->gpa,
		 "EPT misconfiguration at 0x%llx: a tvmm bug in ept.c", exit->gpa);
}

static void handle_triple_fault(struct tvmm_vm *vm, struct tvmm_exit_info *exit)
{
	exit->action = TVMM_ACTION_FATAL;
	vcpu_end(vm, TVMM_END_TRIPLE_FAULT, exit->rip,
		 "triple fault at rip 0x%llx: an exception the guest could not handle",
		 exit->rip);
}

/*
 * A host interrupt arrived while the guest ran. It was not acknowledged on
 * exit, so Linux has already handled it through its own IDT when vcpu.c
 * re-enabled interrupts. The guest's CLI never blocks it (pin-based
 * "external-interrupt exiting"): the host always keeps the machine.
 */
static void handle_host_event(struct tvmm_vm *vm, struct tvmm_exit_info *exit)
{
	exit->action = TVMM_ACTION_IGNORED;
}

static void handle_exception_nmi(struct tvmm_vm *vm, struct tvmm_exit_info *exit)
{
	u32 vector = exit->intr_info & INTR_INFO_VECTOR_MASK;
	u32 type = (exit->intr_info >> INTR_INFO_TYPE_SHIFT) & INTR_INFO_TYPE_MASK;

	exit->action = TVMM_ACTION_FATAL;
	if (type == INTR_TYPE_NMI) {
		/* The host's NMI: host_state.c gave it to Linux before IRQs were on. */
		exit->action = TVMM_ACTION_IGNORED;
		return;
	}
	if (exit_guard_exception(vm, exit))	/* #AC, #DB, #MC (exits_guard.c) */
		return;
	if (vector == X86_EXC_GP && tvmm_mode_ring1(vm->config.mode)) {
		exit->action = TVMM_ACTION_EMULATED;
		emulate_gp(vm, exit);
		return;
	}
	if (vector == X86_EXC_BP && vm->config.mode == TVMM_MODE_PATCH) {
		patch_handle_bp(vm, exit);	/* a patched site (INT3) */
		return;
	}
	if (vector == X86_EXC_NM) {
		exit->mnemonic = "fpu";
		vcpu_end(vm, TVMM_END_UNHANDLED, EXIT_REASON_EXCEPTION_NMI,
			 "guest used the FPU/SSE (#NM at 0x%llx): tvmm does not virtualize the FPU",
			 exit->rip);
		return;
	}
	vcpu_end(vm, TVMM_END_UNHANDLED, EXIT_REASON_EXCEPTION_NMI,
		 "unexpected exception vector %u at rip 0x%llx", vector, exit->rip);
}

/*
 * CPUID: the lab's answer (handle_cpuid()), minus what tvmm would refuse
 * the guest to enable (cr_check_hide_cpuid()).
 */
static void exit_cpuid(struct tvmm_vm *vm, struct tvmm_exit_info *exit)
{
	u32 leaf = vm->regs.rax, subleaf = vm->regs.rcx;

	handle_cpuid(vm, exit);
	cr_check_hide_cpuid(leaf, subleaf, &vm->regs.rcx, &vm->regs.rdx);
}

static const exit_handler_t exit_handlers[TVMM_NR_EXIT_REASONS] = {
	[EXIT_REASON_EXCEPTION_NMI]	= handle_exception_nmi,
	[EXIT_REASON_EXTERNAL_INTERRUPT] = handle_host_event,
	[EXIT_REASON_TRIPLE_FAULT]	= handle_triple_fault,
	[EXIT_REASON_CPUID]		= exit_cpuid,
	[EXIT_REASON_HLT]		= exit_hlt,
	[EXIT_REASON_VMCALL]		= handle_vmcall,
	[EXIT_REASON_CR_ACCESS]		= exit_cr_access,
	[EXIT_REASON_IO_INSTRUCTION]	= exit_io,
	[EXIT_REASON_MSR_READ]		= exit_rdmsr,
	[EXIT_REASON_MSR_WRITE]		= exit_wrmsr,
	[EXIT_REASON_EPT_VIOLATION]	= handle_ept_violation,
	[EXIT_REASON_EPT_MISCONFIG]	= handle_ept_misconfig,
	[EXIT_REASON_PREEMPTION_TIMER]	= handle_host_event,
	[EXIT_REASON_INTERRUPT_WINDOW]	= handle_host_event,	/* virq.c injects */
	[EXIT_REASON_DR_ACCESS]		= exit_dr_access,	/* debugreg.c */
	[EXIT_REASON_WBINVD]		= exit_wbinvd,		/* exits_guard.c */
	[EXIT_REASON_RDPMC]		= exit_rdpmc,		/* exits_guard.c */
};

/**
 * vmx_handle_exit() - dispatch one exit to its handler.
 * @vm: the VM, its VMCS current
 * @exit: what vcpu.c read; handlers set action and mnemonic
 *
 * An exit with no handler ends the VM and names the reason: a guest that
 * does something tvmm does not virtualize yet fails visibly, never silently.
 */
void vmx_handle_exit(struct tvmm_vm *vm, struct tvmm_exit_info *exit)
{
	u32 basic = exit->reason & TVMM_EXIT_REASON_BASIC_MASK;
	exit_handler_t handler = basic < TVMM_NR_EXIT_REASONS ? exit_handlers[basic] : NULL;

	exit->action = TVMM_ACTION_EMULATED;
	exit->mnemonic = "";
	/* An exception while the CPU delivered another event (event.c). */
	if (event_delivery_faulted(vm, exit))
		return;
	if (handler) {
		handler(vm, exit);
		event_redeliver(vm, exit);
		return;
	}
	exit->action = TVMM_ACTION_FATAL;
	vcpu_end(vm, TVMM_END_UNHANDLED, basic,
		 "exit reason %u (%s: %s) at rip 0x%llx has no handler in tvmm",
		 basic, vmx_exit_reason_name(basic), vmx_exit_reason_what(basic),
		 exit->rip);
}
