// SPDX-License-Identifier: GPL-2.0
/*
 * vmcs_dump.c - show a VMCS: the debugfs dump, the log of a failed VM
 * entry, and the snapshot both read.
 *
 * Concept: the VMCS is the VMM's data structure for the VM, and a student
 * learns it by reading it: every field tvmm uses, by name, as of the last
 * exit. The host-state fields hold kernel addresses (HOST_RIP, HOST_RSP,
 * the GDT/IDT/TR bases, HOST_CR3): they are named, never shown, in
 * debugfs as in the kernel log, since a guest that makes an entry fail
 * must not learn where the host kernel lives (kptr_restrict's rule).
 *
 * SDM: vol. 3C, 25 "Virtual Machine Control Structures"; appendix B
 *      "Field Encoding in VMCS" (the width and type bits of an encoding).
 * Context: vmcs_snapshot() and vmcs_log_entry_failure() with the VM's
 *      VMCS current (vcpu.c); vmcs_dump() from debugfs, reading only the
 *      snapshot.
 */
#define pr_fmt(fmt) KBUILD_MODNAME ": " fmt

#include <linux/seq_file.h>

#include "tvmm.h"
#include "vmx_insn.h"

struct vmcs_field_name {
	u32 field;
	const char *name;
};

/* Every field vmcs.c writes, with its name. */
static const struct vmcs_field_name vmcs_field_names[] = {
	{ VMCS_VIRTUAL_PROCESSOR_ID, "VIRTUAL_PROCESSOR_ID" },
	{ VMCS_GUEST_ES_SELECTOR, "GUEST_ES_SELECTOR" },
	{ VMCS_GUEST_CS_SELECTOR, "GUEST_CS_SELECTOR" },
	{ VMCS_GUEST_SS_SELECTOR, "GUEST_SS_SELECTOR" },
	{ VMCS_GUEST_DS_SELECTOR, "GUEST_DS_SELECTOR" },
	{ VMCS_GUEST_FS_SELECTOR, "GUEST_FS_SELECTOR" },
	{ VMCS_GUEST_GS_SELECTOR, "GUEST_GS_SELECTOR" },
	{ VMCS_GUEST_LDTR_SELECTOR, "GUEST_LDTR_SELECTOR" },
	{ VMCS_GUEST_TR_SELECTOR, "GUEST_TR_SELECTOR" },
	{ VMCS_HOST_ES_SELECTOR, "HOST_ES_SELECTOR" },
	{ VMCS_HOST_CS_SELECTOR, "HOST_CS_SELECTOR" },
	{ VMCS_HOST_SS_SELECTOR, "HOST_SS_SELECTOR" },
	{ VMCS_HOST_DS_SELECTOR, "HOST_DS_SELECTOR" },
	{ VMCS_HOST_FS_SELECTOR, "HOST_FS_SELECTOR" },
	{ VMCS_HOST_GS_SELECTOR, "HOST_GS_SELECTOR" },
	{ VMCS_HOST_TR_SELECTOR, "HOST_TR_SELECTOR" },
	{ VMCS_IO_BITMAP_A, "IO_BITMAP_A" },
	{ VMCS_IO_BITMAP_B, "IO_BITMAP_B" },
	{ VMCS_MSR_BITMAP, "MSR_BITMAP" },
	{ VMCS_TSC_OFFSET, "TSC_OFFSET" },
	{ VMCS_EPT_POINTER, "EPT_POINTER" },
	{ VMCS_GUEST_PHYSICAL_ADDRESS, "GUEST_PHYSICAL_ADDRESS" },
	{ VMCS_VMCS_LINK_POINTER, "VMCS_LINK_POINTER" },
	{ VMCS_GUEST_IA32_DEBUGCTL, "GUEST_IA32_DEBUGCTL" },
	{ VMCS_GUEST_IA32_PAT, "GUEST_IA32_PAT" },
	{ VMCS_GUEST_IA32_EFER, "GUEST_IA32_EFER" },
	{ VMCS_HOST_IA32_PAT, "HOST_IA32_PAT" },
	{ VMCS_HOST_IA32_EFER, "HOST_IA32_EFER" },
	{ VMCS_PIN_BASED_VM_EXEC_CONTROL, "PIN_BASED_VM_EXEC_CONTROL" },
	{ VMCS_CPU_BASED_VM_EXEC_CONTROL, "CPU_BASED_VM_EXEC_CONTROL" },
	{ VMCS_EXCEPTION_BITMAP, "EXCEPTION_BITMAP" },
	{ VMCS_PAGE_FAULT_ERROR_CODE_MASK, "PAGE_FAULT_ERROR_CODE_MASK" },
	{ VMCS_PAGE_FAULT_ERROR_CODE_MATCH, "PAGE_FAULT_ERROR_CODE_MATCH" },
	{ VMCS_CR3_TARGET_COUNT, "CR3_TARGET_COUNT" },
	{ VMCS_VM_EXIT_CONTROLS, "VM_EXIT_CONTROLS" },
	{ VMCS_VM_EXIT_MSR_STORE_COUNT, "VM_EXIT_MSR_STORE_COUNT" },
	{ VMCS_VM_EXIT_MSR_LOAD_COUNT, "VM_EXIT_MSR_LOAD_COUNT" },
	{ VMCS_VM_ENTRY_CONTROLS, "VM_ENTRY_CONTROLS" },
	{ VMCS_VM_ENTRY_MSR_LOAD_COUNT, "VM_ENTRY_MSR_LOAD_COUNT" },
	{ VMCS_VM_ENTRY_INTR_INFO_FIELD, "VM_ENTRY_INTR_INFO_FIELD" },
	{ VMCS_VM_ENTRY_EXCEPTION_ERROR_CODE, "VM_ENTRY_EXCEPTION_ERROR_CODE" },
	{ VMCS_VM_ENTRY_INSTRUCTION_LEN, "VM_ENTRY_INSTRUCTION_LEN" },
	{ VMCS_TPR_THRESHOLD, "TPR_THRESHOLD" },
	{ VMCS_SECONDARY_VM_EXEC_CONTROL, "SECONDARY_VM_EXEC_CONTROL" },
	{ VMCS_VM_INSTRUCTION_ERROR, "VM_INSTRUCTION_ERROR" },
	{ VMCS_VM_EXIT_REASON, "VM_EXIT_REASON" },
	{ VMCS_VM_EXIT_INTR_INFO, "VM_EXIT_INTR_INFO" },
	{ VMCS_VM_EXIT_INTR_ERROR_CODE, "VM_EXIT_INTR_ERROR_CODE" },
	{ VMCS_IDT_VECTORING_INFO_FIELD, "IDT_VECTORING_INFO_FIELD" },
	{ VMCS_IDT_VECTORING_ERROR_CODE, "IDT_VECTORING_ERROR_CODE" },
	{ VMCS_VM_EXIT_INSTRUCTION_LEN, "VM_EXIT_INSTRUCTION_LEN" },
	{ VMCS_VMX_INSTRUCTION_INFO, "VMX_INSTRUCTION_INFO" },
	{ VMCS_GUEST_ES_LIMIT, "GUEST_ES_LIMIT" },
	{ VMCS_GUEST_CS_LIMIT, "GUEST_CS_LIMIT" },
	{ VMCS_GUEST_SS_LIMIT, "GUEST_SS_LIMIT" },
	{ VMCS_GUEST_DS_LIMIT, "GUEST_DS_LIMIT" },
	{ VMCS_GUEST_FS_LIMIT, "GUEST_FS_LIMIT" },
	{ VMCS_GUEST_GS_LIMIT, "GUEST_GS_LIMIT" },
	{ VMCS_GUEST_LDTR_LIMIT, "GUEST_LDTR_LIMIT" },
	{ VMCS_GUEST_TR_LIMIT, "GUEST_TR_LIMIT" },
	{ VMCS_GUEST_GDTR_LIMIT, "GUEST_GDTR_LIMIT" },
	{ VMCS_GUEST_IDTR_LIMIT, "GUEST_IDTR_LIMIT" },
	{ VMCS_GUEST_ES_AR_BYTES, "GUEST_ES_AR_BYTES" },
	{ VMCS_GUEST_CS_AR_BYTES, "GUEST_CS_AR_BYTES" },
	{ VMCS_GUEST_SS_AR_BYTES, "GUEST_SS_AR_BYTES" },
	{ VMCS_GUEST_DS_AR_BYTES, "GUEST_DS_AR_BYTES" },
	{ VMCS_GUEST_FS_AR_BYTES, "GUEST_FS_AR_BYTES" },
	{ VMCS_GUEST_GS_AR_BYTES, "GUEST_GS_AR_BYTES" },
	{ VMCS_GUEST_LDTR_AR_BYTES, "GUEST_LDTR_AR_BYTES" },
	{ VMCS_GUEST_TR_AR_BYTES, "GUEST_TR_AR_BYTES" },
	{ VMCS_GUEST_INTERRUPTIBILITY_INFO, "GUEST_INTERRUPTIBILITY_INFO" },
	{ VMCS_GUEST_ACTIVITY_STATE, "GUEST_ACTIVITY_STATE" },
	{ VMCS_GUEST_SYSENTER_CS, "GUEST_SYSENTER_CS" },
	{ VMCS_VMX_PREEMPTION_TIMER_VALUE, "VMX_PREEMPTION_TIMER_VALUE" },
	{ VMCS_HOST_IA32_SYSENTER_CS, "HOST_IA32_SYSENTER_CS" },
	{ VMCS_CR0_GUEST_HOST_MASK, "CR0_GUEST_HOST_MASK" },
	{ VMCS_CR4_GUEST_HOST_MASK, "CR4_GUEST_HOST_MASK" },
	{ VMCS_CR0_READ_SHADOW, "CR0_READ_SHADOW" },
	{ VMCS_CR4_READ_SHADOW, "CR4_READ_SHADOW" },
	{ VMCS_EXIT_QUALIFICATION, "EXIT_QUALIFICATION" },
	{ VMCS_GUEST_LINEAR_ADDRESS, "GUEST_LINEAR_ADDRESS" },
	{ VMCS_GUEST_CR0, "GUEST_CR0" },
	{ VMCS_GUEST_CR3, "GUEST_CR3" },
	{ VMCS_GUEST_CR4, "GUEST_CR4" },
	{ VMCS_GUEST_ES_BASE, "GUEST_ES_BASE" },
	{ VMCS_GUEST_CS_BASE, "GUEST_CS_BASE" },
	{ VMCS_GUEST_SS_BASE, "GUEST_SS_BASE" },
	{ VMCS_GUEST_DS_BASE, "GUEST_DS_BASE" },
	{ VMCS_GUEST_FS_BASE, "GUEST_FS_BASE" },
	{ VMCS_GUEST_GS_BASE, "GUEST_GS_BASE" },
	{ VMCS_GUEST_LDTR_BASE, "GUEST_LDTR_BASE" },
	{ VMCS_GUEST_TR_BASE, "GUEST_TR_BASE" },
	{ VMCS_GUEST_GDTR_BASE, "GUEST_GDTR_BASE" },
	{ VMCS_GUEST_IDTR_BASE, "GUEST_IDTR_BASE" },
	{ VMCS_GUEST_DR7, "GUEST_DR7" },
	{ VMCS_GUEST_RSP, "GUEST_RSP" },
	{ VMCS_GUEST_RIP, "GUEST_RIP" },
	{ VMCS_GUEST_RFLAGS, "GUEST_RFLAGS" },
	{ VMCS_GUEST_PENDING_DBG_EXCEPTIONS, "GUEST_PENDING_DBG_EXCEPTIONS" },
	{ VMCS_GUEST_SYSENTER_ESP, "GUEST_SYSENTER_ESP" },
	{ VMCS_GUEST_SYSENTER_EIP, "GUEST_SYSENTER_EIP" },
	{ VMCS_HOST_CR0, "HOST_CR0" },
	{ VMCS_HOST_CR3, "HOST_CR3" },
	{ VMCS_HOST_CR4, "HOST_CR4" },
	{ VMCS_HOST_FS_BASE, "HOST_FS_BASE" },
	{ VMCS_HOST_GS_BASE, "HOST_GS_BASE" },
	{ VMCS_HOST_TR_BASE, "HOST_TR_BASE" },
	{ VMCS_HOST_GDTR_BASE, "HOST_GDTR_BASE" },
	{ VMCS_HOST_IDTR_BASE, "HOST_IDTR_BASE" },
	{ VMCS_HOST_IA32_SYSENTER_ESP, "HOST_IA32_SYSENTER_ESP" },
	{ VMCS_HOST_IA32_SYSENTER_EIP, "HOST_IA32_SYSENTER_EIP" },
	{ VMCS_HOST_RSP, "HOST_RSP" },
	{ VMCS_HOST_RIP, "HOST_RIP" },
};

/*
 * Bits 11:10 of a field's encoding give its area; 3 is the host-state
 * area (SDM vol. 3D, appendix B "Field Encoding in VMCS", table B-1).
 */
#define VMCS_ENC_TYPE_SHIFT	10
#define VMCS_ENC_TYPE_MASK	3
#define VMCS_ENC_TYPE_HOST	3

/*
 * Host-state fields hold kernel addresses (HOST_RIP, HOST_RSP, the GS,
 * TR, GDTR and IDTR bases) and the host's CR3: printing them would hand
 * anyone who can read the log or debugfs the KASLR offsets that
 * kptr_restrict hides. They are named, never shown, and not even copied
 * into the snapshot.
 */
static bool vmcs_field_is_host(u32 field)
{
	return ((field >> VMCS_ENC_TYPE_SHIFT) & VMCS_ENC_TYPE_MASK) == VMCS_ENC_TYPE_HOST;
}

/*
 * Controls that are host-physical addresses of tvmm's pages. Root reads
 * EPT_POINTER in debugfs (lab 03 checks its memory type and walk length);
 * a dump a guest can provoke in the kernel log leaves them out.
 */
static bool vmcs_field_is_host_pointer(u32 field)
{
	return field == VMCS_EPT_POINTER || field == VMCS_IO_BITMAP_A ||
	       field == VMCS_IO_BITMAP_B || field == VMCS_MSR_BITMAP;
}

/*
 * Copy every field but the host-state ones into @vm->vmcs_values (the
 * VMCS must be current), so debugfs can show the VMCS as it was at the
 * last exit without touching a VMCS that may be running on another CPU.
 */
void vmcs_snapshot(struct tvmm_vm *vm)
{
	unsigned int i;

	for (i = 0; i < ARRAY_SIZE(vmcs_field_names); i++) {
		vm->vmcs_values[i] = 0;
		if (!vmcs_field_is_host(vmcs_field_names[i].field))
			vmx_vmread(vmcs_field_names[i].field, &vm->vmcs_values[i]);
	}
	vm->vmcs_values_valid = true;
}

/* debugfs vmN/vmcs: the last snapshot, one "NAME = value" line per field. */
void vmcs_dump(struct seq_file *m, struct tvmm_vm *vm)
{
	unsigned int i;

	if (!vm->vmcs_values_valid) {
		seq_puts(m, "no snapshot yet: the VM has not run\n");
		return;
	}
	for (i = 0; i < ARRAY_SIZE(vmcs_field_names); i++) {
		const struct vmcs_field_name *f = &vmcs_field_names[i];

		if (vmcs_field_is_host(f->field))
			seq_printf(m, "%-32s (0x%04x) = (host state, not shown)\n",
				   f->name, f->field);
		else
			seq_printf(m, "%-32s (0x%04x) = 0x%llx\n", f->name, f->field,
				   vm->vmcs_values[i]);
	}
}

/*
 * After a failed VM entry, print what a student needs in the kernel log:
 * the error by name, and the guest and control fields entry checks look
 * at. A guest may be the one that made the entry fail, so nothing of the
 * host goes to the log: host-state fields are named only, tvmm's
 * host-physical pointers are left to debugfs.
 */
void vmcs_log_entry_failure(struct tvmm_vm *vm, const char *what)
{
	unsigned int i;

	pr_err("vm%u: VM entry failed: %s\n", vm->id, what);
	pr_err("vm%u: VMCS at the failure (also in /sys/kernel/debug/tvmm/vm%u/vmcs):\n",
	       vm->id, vm->id);
	vmcs_snapshot(vm);
	for (i = 0; i < ARRAY_SIZE(vmcs_field_names); i++) {
		const struct vmcs_field_name *f = &vmcs_field_names[i];

		if (vmcs_field_is_host(f->field))
			pr_err("vm%u:   %-32s = (host state, not shown)\n", vm->id, f->name);
		else if (vmcs_field_is_host_pointer(f->field))
			pr_err("vm%u:   %-32s = (host-physical, in debugfs)\n", vm->id, f->name);
		else
			pr_err("vm%u:   %-32s = 0x%llx\n", vm->id, f->name, vm->vmcs_values[i]);
	}
}

/* Number of fields a snapshot holds (for the array in struct tvmm_vm). */
static_assert(ARRAY_SIZE(vmcs_field_names) == TVMM_VMCS_SNAPSHOT_FIELDS);
