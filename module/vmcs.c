// SPDX-License-Identifier: GPL-2.0
/*
 * vmcs.c - build a VM's VMCS: controls, host state, guest state.
 *
 * Concept: the VMCS is the VMM's "struttura dati dedicata alla VM". Its
 * controls decide which guest events trap to the VMM (the notes'
 * "sensitive instructions" made configurable), its host area says where
 * the CPU returns on a VM exit, its guest area is the virtual CPU the guest
 * starts on. Setup goes in three phases, each with one policy:
 *   controls: trap what the guest ABI needs, adjusted to what the CPU allows;
 *   host:     exactly this CPU's current state, refreshed before each run,
 *             and never shown: the dumps (vmcs_dump.c) name host fields
 *             without values;
 *   guest:    the machine the guest ABI promises (docs/abi.md, "The guest ABI").
 *
 * SDM: vol. 3C, 25 "Virtual Machine Control Structures" (25.4 guest-state
 *      area, 25.5 host-state area, 25.6-25.8 controls); 27.2-27.3 "Checks on
 *      VMX Controls and Host-State Area", "Checking and Loading Guest State".
 * Context: preemption off with the VM's VMCS current on this CPU (vcpu.c
 *      arranges it), under the VM's run_lock.
 */
#define pr_fmt(fmt) KBUILD_MODNAME ": " fmt

#include <linux/seq_file.h>
#include <asm/cpu_entry_area.h>
#include <asm/desc.h>
#include <asm/msr.h>
#include <asm/processor-flags.h>
#include <asm/segment.h>
#include <asm/special_insns.h>
#include <asm/tlbflush.h>

#include "tvmm.h"
#include "vmx_insn.h"

extern const char tvmm_vmx_exit[];	/* entry.S: where VM exits land */

/*
 * Segment access rights as the VMCS encodes them (SDM 25.4.1, table 25-2):
 * the descriptor's type, S, DPL and P bits in 7:0, AVL/L/D-B/G in 15:12,
 * and bit 16 "unusable".
 */
#define AR_TYPE_DATA_RW_ACCESSED	0x3
#define AR_TYPE_CODE_RX_ACCESSED	0xb
#define AR_TYPE_TSS32_BUSY		0xb
#define AR_S_CODE_DATA			BIT(4)	/* 0 = system descriptor */
#define AR_DPL(n)			((n) << 5)
#define AR_PRESENT			BIT(7)
#define AR_GRANULARITY_4K		BIT(15)
#define AR_UNUSABLE			BIT(16)

#define AR_FLAT32(type)	((type) | AR_S_CODE_DATA | AR_DPL(0) | AR_PRESENT | \
			 VMCS_AR_DB | AR_GRANULARITY_4K)
#define AR_REAL(type)	((type) | AR_S_CODE_DATA | AR_DPL(0) | AR_PRESENT)

/* Guest selectors of the flat protected-mode machine (a GDT of our own choosing). */
#define GUEST_CS_SEL		0x08
#define GUEST_DS_SEL		0x10
#define GUEST_TR_SEL		0x18

#define RFLAGS_RESERVED_1	BIT(1)	/* always 1 (SDM vol. 1, 3.4.3) */
#define REAL_MODE_IVT_LIMIT	0x3ff	/* 256 vectors x 4 bytes */
#define TSS_MIN_LIMIT		0x67	/* a 32-bit TSS is 104 bytes */

/*
 * One adjust helper for every control field (SDM vol. 3D, A.3-A.5): fold
 * @wanted into what @cap allows, and fail, naming the field, if a bit tvmm
 * cannot work without (@needed) had to be dropped.
 */
static int vmcs_control(const char *field, u64 cap, u32 wanted, u32 needed,
			u32 *value)
{
	/*
	 * TODO(lab03.1) BEGIN: fold @wanted into what the capability MSR @cap
	 * allows: its low 32 bits are the allowed-0 settings (a 1 there means
	 * the control must be 1), its high 32 bits the allowed-1 settings (a 0
	 * there means the control must be 0). If a bit of @needed did not
	 * survive, print the field and the missing bits and return -EOPNOTSUPP;
	 * else store the value in *@value. SDM vol. 3D A.3-A.5, vol. 3C 31.5.1.
	 * Hint: one line of AND/OR, then one check.
	 */
#ifdef CONFIG_TVMM_LAB03_SOLUTION
	u32 v = (wanted | (u32)cap) & (u32)(cap >> 32);

	if ((v & needed) != needed) {
		pr_err("%s: this CPU cannot set control bits 0x%x that tvmm needs (wanted 0x%x, allowed-1 0x%x)\n",
		       field, needed & ~v, wanted, (u32)(cap >> 32));
		return -EOPNOTSUPP;
	}
	*value = v;
	return 0;
#else
	return tvmm_lab_todo("lab03.1", "adjust a VMX control field to its capability MSR");
#endif
	/* TODO(lab03.1) END */
}

/* The capability MSR to adjust with: the TRUE_* one when the CPU has it. */
static u64 ctl_cap(u64 plain, u64 true_msr)
{
	return (tvmm_caps.flags & TVMM_CAPS_TRUE_CTLS) ? true_msr : plain;
}

/*
 * Primary controls: HLT, all port I/O; MOV DR (debugreg.c), RDPMC and,
 * in the secondary controls, WBINVD (exits_guard.c): what would reach
 * the host's debug registers, counters and caches. TSC offsetting: the
 * guest's RDTSC reads the host TSC plus vm->tsc_offset (SDM 26.3), so a
 * restored VM's clock goes on from where it was saved (snapshot.c).
 */
#define CPU_WANTED	(BIT(CPU_HLT_EXITING) | BIT(CPU_UNCOND_IO_EXITING) | \
			 BIT(CPU_MOV_DR_EXITING) | BIT(CPU_RDPMC_EXITING) | \
			 BIT(CPU_USE_TSC_OFFSETTING) | BIT(CPU_SECONDARY_CONTROLS))

/*
 * Phase 1, controls. Policy: exit on everything the guest ABI gives a
 * meaning to (HLT, all port I/O, CPUID and all MSR accesses, CR writes,
 * VMCALL), on host interrupts (so a guest can never keep the CPU from
 * Linux), on what would reach past the VM (debug registers, performance
 * counters, WBINVD, #AC/#DB loops, machine checks), and when the
 * preemption timer expires (so a spinning guest is always stopped).
 * Guest memory is behind EPT; VPID tags its TLB entries.
 */
int vmcs_setup_controls(struct tvmm_vm *vm)
{
	const struct tvmm_caps *c = &tvmm_caps;
	u32 pin, cpu, cpu2, exit, entry;
	int err = 0;

	err = vmcs_control("pin-based controls",
			   ctl_cap(c->pinbased_ctls, c->true_pinbased_ctls),
			   BIT(PIN_EXT_INTR_EXITING) | BIT(PIN_NMI_EXITING) |
			   BIT(PIN_PREEMPTION_TIMER),
			   BIT(PIN_EXT_INTR_EXITING) | BIT(PIN_PREEMPTION_TIMER), &pin);
	if (err)
		return err;
	/* No "use MSR bitmaps": then every RDMSR/WRMSR exits (SDM 25.6.9). */
	err = vmcs_control("processor-based controls",
			   ctl_cap(c->procbased_ctls, c->true_procbased_ctls),
			   CPU_WANTED, CPU_WANTED, &cpu);
	if (err)
		return err;
	/* Unrestricted guest: paging off and real mode run natively (27.3.1.1). */
	err = vmcs_control("secondary controls", c->procbased_ctls2,
			   BIT(CPU2_ENABLE_EPT) | BIT(CPU2_UNRESTRICTED_GUEST) |
			   BIT(CPU2_ENABLE_VPID) | BIT(CPU2_WBINVD_EXITING),
			   BIT(CPU2_ENABLE_EPT) | BIT(CPU2_UNRESTRICTED_GUEST) |
			   BIT(CPU2_WBINVD_EXITING), &cpu2);
	if (err)
		return err;
	/*
	 * 64-bit host; EFER switched by the CPU. "Acknowledge interrupt on
	 * exit" stays 0: the interrupt stays pending in the local APIC and
	 * Linux takes it through its own IDT as soon as vcpu.c enables
	 * interrupts after the exit (SDM 28.2 and 34.2).
	 */
	err = vmcs_control("VM-exit controls",
			   ctl_cap(c->exit_ctls, c->true_exit_ctls),
			   BIT(EXIT_HOST_ADDR_SPACE_SIZE) | BIT(EXIT_SAVE_EFER) |
			   BIT(EXIT_LOAD_EFER),
			   BIT(EXIT_HOST_ADDR_SPACE_SIZE) | BIT(EXIT_SAVE_EFER) |
			   BIT(EXIT_LOAD_EFER), &exit);
	if (err)
		return err;
	/*
	 * A 32-bit guest: "IA-32e mode guest" stays 0, EFER loaded as 0.
	 * "Load debug controls": the guest's DR7 and IA32_DEBUGCTL come from
	 * the VMCS (debugreg.c keeps GUEST_DR7 = its virtual DR7).
	 */
	err = vmcs_control("VM-entry controls",
			   ctl_cap(c->entry_ctls, c->true_entry_ctls),
			   BIT(ENTRY_LOAD_EFER) | BIT(ENTRY_LOAD_DEBUG_CONTROLS),
			   BIT(ENTRY_LOAD_EFER) | BIT(ENTRY_LOAD_DEBUG_CONTROLS), &entry);
	if (err)
		return err;

	vmx_vmwrite(VMCS_PIN_BASED_VM_EXEC_CONTROL, pin, &err);
	vmx_vmwrite(VMCS_CPU_BASED_VM_EXEC_CONTROL, cpu, &err);
	vmx_vmwrite(VMCS_SECONDARY_VM_EXEC_CONTROL, cpu2, &err);
	vmx_vmwrite(VMCS_VM_EXIT_CONTROLS, exit, &err);
	vmx_vmwrite(VMCS_VM_ENTRY_CONTROLS, entry, &err);
	/*
	 * #NM exits: the real CR0.TS is kept set (cr_real_cr0()), so the
	 * guest's first FPU/SSE instruction traps instead of clobbering the
	 * host task's FPU registers, which tvmm does not switch. #GP exits in
	 * deprivileged and patch modes: that is how privileged instructions at
	 * ring 1 reach tvmm (emulate.c). #BP exits in patch mode: the INT3
	 * that patch.c wrote over each sensitive-but-unprivileged instruction.
	 * #AC, #DB and #MC always (exits_guard.c): a guest must not loop in
	 * their delivery without an exit, nor keep a machine check from Linux.
	 */
	vmx_vmwrite(VMCS_EXCEPTION_BITMAP, BIT(TVMM_EXC_NM) |
		    BIT(TVMM_EXC_AC) | BIT(TVMM_EXC_DB) | BIT(TVMM_EXC_MC) |
		    (tvmm_mode_ring1(vm->config.mode) ? BIT(TVMM_EXC_GP) : 0) |
		    (vm->config.mode == TVMM_MODE_PATCH ? BIT(TVMM_EXC_BP) : 0),
		    &err);
	vmx_vmwrite(VMCS_PAGE_FAULT_ERROR_CODE_MASK, 0, &err);
	vmx_vmwrite(VMCS_PAGE_FAULT_ERROR_CODE_MATCH, 0, &err);
	vmx_vmwrite(VMCS_CR3_TARGET_COUNT, 0, &err);
	vmx_vmwrite(VMCS_VM_EXIT_MSR_STORE_COUNT, 0, &err);
	vmx_vmwrite(VMCS_VM_EXIT_MSR_LOAD_COUNT, 0, &err);
	vmx_vmwrite(VMCS_VM_ENTRY_MSR_LOAD_COUNT, 0, &err);
	vmx_vmwrite(VMCS_VM_ENTRY_INTR_INFO_FIELD, 0, &err);
	/*
	 * Guest/host masks of all ones: every CR0/CR4 bit is owned by tvmm.
	 * The guest reads the shadows; writing a bit that differs from the
	 * shadow is a CR-access exit (SDM 25.6.6).
	 */
	vmx_vmwrite(VMCS_CR0_GUEST_HOST_MASK, ~0UL, &err);
	vmx_vmwrite(VMCS_CR4_GUEST_HOST_MASK, ~0UL, &err);
	vmx_vmwrite(VMCS_CR0_READ_SHADOW, vm->cr0_shadow, &err);
	vmx_vmwrite(VMCS_CR4_READ_SHADOW, vm->cr4_shadow, &err);
	vmx_vmwrite(VMCS_TSC_OFFSET, vm->tsc_offset, &err);
	vmx_vmwrite(VMCS_EPT_POINTER, vm->mem.eptp, &err);
	if (cpu2 & BIT(CPU2_ENABLE_VPID))
		vmx_vmwrite(VMCS_VIRTUAL_PROCESSOR_ID, vm->vpid, &err);
	vmx_vmwrite(VMCS_VMCS_LINK_POINTER, ~0ULL, &err);	/* no shadow VMCS */
	return err;
}

/**
 * vmcs_refresh_host_state() - phase 2, host state: this CPU, right now.
 *
 * Policy: after a VM exit the CPU must find itself exactly as Linux left
 * it. Some of this differs per CPU (GDT, TSS, GS base) or per task (CR3,
 * FS base), so vcpu.c calls this each time it loads the VMCS on a CPU.
 * What the VMCS cannot restore (DS/ES, the GDT and TR limits) vcpu.c
 * restores itself after the run.
 *
 * Return: 0 or the first VMWRITE error.
 */
int vmcs_refresh_host_state(void)
{
	int cpu = smp_processor_id();
	struct desc_ptr idt;
	int err = 0;
	u64 msr;

	vmx_vmwrite(VMCS_HOST_CR0, read_cr0(), &err);
	vmx_vmwrite(VMCS_HOST_CR3, __read_cr3(), &err);
	vmx_vmwrite(VMCS_HOST_CR4, __read_cr4(), &err);

	/* Selectors must have RPL 0 and TI 0 (SDM 27.2.3); DS-GS may be null. */
	vmx_vmwrite(VMCS_HOST_CS_SELECTOR, __KERNEL_CS, &err);
	vmx_vmwrite(VMCS_HOST_SS_SELECTOR, __KERNEL_DS, &err);
	vmx_vmwrite(VMCS_HOST_DS_SELECTOR, 0, &err);
	vmx_vmwrite(VMCS_HOST_ES_SELECTOR, 0, &err);
	vmx_vmwrite(VMCS_HOST_FS_SELECTOR, 0, &err);
	vmx_vmwrite(VMCS_HOST_GS_SELECTOR, 0, &err);
	vmx_vmwrite(VMCS_HOST_TR_SELECTOR, GDT_ENTRY_TSS * 8, &err);

	rdmsrl(MSR_FS_BASE, msr);
	vmx_vmwrite(VMCS_HOST_FS_BASE, msr, &err);
	rdmsrl(MSR_GS_BASE, msr);	/* the kernel's per-CPU base */
	vmx_vmwrite(VMCS_HOST_GS_BASE, msr, &err);
	vmx_vmwrite(VMCS_HOST_TR_BASE,
		    (unsigned long)&get_cpu_entry_area(cpu)->tss.x86_tss, &err);
	vmx_vmwrite(VMCS_HOST_GDTR_BASE, (unsigned long)get_current_gdt_ro(), &err);
	store_idt(&idt);
	vmx_vmwrite(VMCS_HOST_IDTR_BASE, idt.address, &err);

	rdmsrl(MSR_IA32_SYSENTER_CS, msr);
	vmx_vmwrite(VMCS_HOST_IA32_SYSENTER_CS, msr, &err);
	rdmsrl(MSR_IA32_SYSENTER_ESP, msr);
	vmx_vmwrite(VMCS_HOST_IA32_SYSENTER_ESP, msr, &err);
	rdmsrl(MSR_IA32_SYSENTER_EIP, msr);
	vmx_vmwrite(VMCS_HOST_IA32_SYSENTER_EIP, msr, &err);
	rdmsrl(MSR_EFER, msr);
	vmx_vmwrite(VMCS_HOST_IA32_EFER, msr, &err);

	/* HOST_RSP is written by entry.S itself, right before each entry. */
	vmx_vmwrite(VMCS_HOST_RIP, (unsigned long)tvmm_vmx_exit, &err);
	return err;
}

/* Write one guest segment register: selector, base, limit, access rights. */
static void vmcs_guest_segment(unsigned long sel_field, u16 sel, u64 base,
			       u32 limit, u32 ar, int *err)
{
	/* Guest fields of one segment are laid out at fixed strides (app. B). */
	unsigned long index = (sel_field - VMCS_GUEST_ES_SELECTOR) / 2;

	vmx_vmwrite(sel_field, sel, err);
	vmx_vmwrite(VMCS_GUEST_ES_BASE + index * 2, base, err);
	vmx_vmwrite(VMCS_GUEST_ES_LIMIT + index * 2, limit, err);
	vmx_vmwrite(VMCS_GUEST_ES_AR_BYTES + index * 2, ar, err);
}

/*
 * Phase 3, guest state. Policy: the machine of the guest ABI. In hw mode,
 * 32-bit protected mode, paging off, flat 4 GiB ring-0 segments, EIP
 * 0x10000, ESP at the top of RAM, interrupts off. In real mode, 16-bit
 * segments at 0 and IP 0x7c00, like a BIOS handing over to a boot sector.
 */
static int vmcs_setup_guest(struct tvmm_vm *vm)
{
	bool real = vm->config.mode == TVMM_MODE_REAL;
	unsigned long seg;
	int err = 0;

	vm->cr0_shadow = X86_CR0_ET | (real ? 0 : X86_CR0_PE);
	vm->cr4_shadow = 0;
	vmx_vmwrite(VMCS_GUEST_CR0, cr_real_cr0(vm->cr0_shadow), &err);
	vmx_vmwrite(VMCS_GUEST_CR4, cr_real_cr4(vm->cr4_shadow), &err);
	vmx_vmwrite(VMCS_GUEST_CR3, 0, &err);
	vmx_vmwrite(VMCS_CR0_READ_SHADOW, vm->cr0_shadow, &err);
	vmx_vmwrite(VMCS_CR4_READ_SHADOW, vm->cr4_shadow, &err);
	dr_reset(vm, &err);			/* DR7 = 0x400 (debugreg.c) */

	if (real) {
		vmcs_guest_segment(VMCS_GUEST_CS_SELECTOR, 0, 0, 0xffff,
				   AR_REAL(AR_TYPE_CODE_RX_ACCESSED), &err);
		for (seg = VMCS_GUEST_ES_SELECTOR; seg <= VMCS_GUEST_GS_SELECTOR; seg += 2)
			if (seg != VMCS_GUEST_CS_SELECTOR)
				vmcs_guest_segment(seg, 0, 0, 0xffff,
						   AR_REAL(AR_TYPE_DATA_RW_ACCESSED), &err);
		vmx_vmwrite(VMCS_GUEST_RIP, TVMM_GUEST_REAL_LOAD_GPA, &err);
		vmx_vmwrite(VMCS_GUEST_RSP, TVMM_GUEST_REAL_LOAD_GPA, &err);
		vmx_vmwrite(VMCS_GUEST_IDTR_LIMIT, REAL_MODE_IVT_LIMIT, &err);
	} else {
		/*
		 * TODO(lab03.2) BEGIN: the guest state of the guest ABI's
		 * 32-bit protected mode: CS = GUEST_CS_SEL and the other data
		 * segments = GUEST_DS_SEL, each flat (base 0, limit 4 GiB,
		 * AR_FLAT32 of an accessed code/data type), RIP =
		 * TVMM_GUEST_LOAD_GPA, RSP = the top of RAM, IDTR limit 0 (no
		 * IDT yet). SDM vol. 3C 27.3.1.2 (checks on guest segment
		 * registers), 25.4.1. Hint: vmcs_guest_segment() writes
		 * selector, base, limit and access rights of one segment; the
		 * real-mode branch above is the same shape.
		 */
#ifdef CONFIG_TVMM_LAB03_SOLUTION
		vmcs_guest_segment(VMCS_GUEST_CS_SELECTOR, GUEST_CS_SEL, 0,
				   0xffffffff, AR_FLAT32(AR_TYPE_CODE_RX_ACCESSED), &err);
		for (seg = VMCS_GUEST_ES_SELECTOR; seg <= VMCS_GUEST_GS_SELECTOR; seg += 2)
			if (seg != VMCS_GUEST_CS_SELECTOR)
				vmcs_guest_segment(seg, GUEST_DS_SEL, 0, 0xffffffff,
						   AR_FLAT32(AR_TYPE_DATA_RW_ACCESSED), &err);
		vmx_vmwrite(VMCS_GUEST_RIP, TVMM_GUEST_LOAD_GPA, &err);
		vmx_vmwrite(VMCS_GUEST_RSP, vm->config.mem_size, &err);
		/* No IDT until the guest loads one: any exception triple-faults. */
		vmx_vmwrite(VMCS_GUEST_IDTR_LIMIT, 0, &err);
#else
		err = vcpu_lab_todo(vm, "lab03.2", "32-bit protected-mode guest state");
#endif
		/* TODO(lab03.2) END */
	}
	/* TR must be a usable busy TSS even if the guest never uses it (27.3.1.2). */
	vmcs_guest_segment(VMCS_GUEST_TR_SELECTOR, real ? 0 : GUEST_TR_SEL, 0,
			   TSS_MIN_LIMIT, AR_TYPE_TSS32_BUSY | AR_PRESENT, &err);
	vmcs_guest_segment(VMCS_GUEST_LDTR_SELECTOR, 0, 0, 0, AR_UNUSABLE, &err);
	vmx_vmwrite(VMCS_GUEST_GDTR_BASE, 0, &err);
	vmx_vmwrite(VMCS_GUEST_GDTR_LIMIT, 0, &err);
	vmx_vmwrite(VMCS_GUEST_IDTR_BASE, 0, &err);

	vmx_vmwrite(VMCS_GUEST_RFLAGS, RFLAGS_RESERVED_1, &err);	/* IF = 0 */
	vmx_vmwrite(VMCS_GUEST_IA32_EFER, 0, &err);
	vmx_vmwrite(VMCS_GUEST_IA32_DEBUGCTL, 0, &err);
	vmx_vmwrite(VMCS_GUEST_SYSENTER_CS, 0, &err);
	vmx_vmwrite(VMCS_GUEST_SYSENTER_ESP, 0, &err);
	vmx_vmwrite(VMCS_GUEST_SYSENTER_EIP, 0, &err);
	vmx_vmwrite(VMCS_GUEST_ACTIVITY_STATE, 0, &err);		/* active */
	vmx_vmwrite(VMCS_GUEST_INTERRUPTIBILITY_INFO, 0, &err);
	vmx_vmwrite(VMCS_GUEST_PENDING_DBG_EXCEPTIONS, 0, &err);
	/* The GPRs are not in the VMCS: zero from open(), or TVMM_SET_REGS's. */
	virq_init(vm);
	/* Deprivileged: the same machine, entered at ring 1 (deprivilege.c). */
	if (tvmm_mode_ring1(vm->config.mode) && !err)
		err = depriv_setup_guest(vm, &err);
	return err;
}

/**
 * vmcs_setup() - write every field of the current VMCS for @vm.
 * @vm: its config, memory and VPID are set; its VMCS is current.
 *
 * Return: 0, -EOPNOTSUPP (the CPU lacks a control tvmm needs, logged), or
 * a VMWRITE error (a tvmm bug, logged with the field).
 */
int vmcs_setup(struct tvmm_vm *vm)
{
	int err = vmcs_setup_guest(vm);

	if (!err)
		err = vmcs_setup_controls(vm);
	if (!err)
		err = vmcs_refresh_host_state();
	return err;
}
