/* SPDX-License-Identifier: GPL-2.0 */
/*
 * vmx_insn.h - one checked wrapper per VMX instruction.
 *
 * Concept: the VMM talks to the hardware virtualization support through a
 * handful of new instructions. Each can fail in three ways, and a VMM that
 * ignores any of them will one day hang or crash the machine:
 *   VMfailInvalid: CF = 1, there is no current VMCS to hold an error code;
 *   VMfailValid:   ZF = 1, the error number is in the current VMCS field
 *                  VM_INSTRUCTION_ERROR (SDM vol. 3C, 31.4);
 *   a fault (#UD, #GP): e.g. VMXON with CR4.VMXE clear or a bad region.
 * Each wrapper returns 0, or -EIO for a VMfail, or -EFAULT for a fault
 * (caught through the kernel's exception table), and logs which one.
 *
 * SDM: vol. 3C, 31.2 "Conventions" (VMsucceed, VMfailInvalid, VMfailValid);
 *      vol. 2, the VMXON and VMXOFF pages; vol. 3C, 31.4 "VM Instruction
 *      Error Numbers".
 * Context: VMX root operation; preemption off (the result and the VMCS
 *      belong to this CPU).
 */
#ifndef _TVMM_VMX_INSN_H
#define _TVMM_VMX_INSN_H

#include <linux/errno.h>
#include <linux/printk.h>
#include <linux/smp.h>
#include <asm/asm.h>

#include "include/tvmm/vmx_arch.h"

/* VMCS field encoding of VM_INSTRUCTION_ERROR (SDM vol. 3D, B.3.3). */
#define VMCS_VM_INSTRUCTION_ERROR	0x4400

/*
 * VMREAD without a way to report failure: only for reading the error
 * number right after a VMfailValid, where a current VMCS is known to exist.
 * The "_unchecked" in the name says so (STYLE.md rule 8).
 */
static inline u64 vmx_vmread_unchecked(unsigned long field)
{
	unsigned long value = 0;

	asm volatile("vmread %[field], %[value]"
		     : [value] "=rm"(value)
		     : [field] "r"(field)
		     : "cc");
	return value;
}

enum vmx_fail {
	VMX_FAIL_INVALID,	/* CF = 1 */
	VMX_FAIL_VALID,		/* ZF = 1, error number in the VMCS */
	VMX_FAULT,		/* the instruction raised #UD or #GP */
};

/* Log a failed VMX instruction with everything a student needs to know. */
static inline int vmx_report_fail(const char *insn, enum vmx_fail how)
{
	u32 error;

	switch (how) {
	case VMX_FAIL_INVALID:
		pr_err("CPU %d: %s failed: VMfailInvalid (CF=1, no current VMCS)\n",
		       raw_smp_processor_id(), insn);
		return -EIO;
	case VMX_FAIL_VALID:
		error = (u32)vmx_vmread_unchecked(VMCS_VM_INSTRUCTION_ERROR);
		pr_err("CPU %d: %s failed: VMfailValid, VM-instruction error %u: %s\n",
		       raw_smp_processor_id(), insn, error,
		       vmx_insn_error_name(error));
		return -EIO;
	default:
		pr_err("CPU %d: %s faulted (#UD/#GP): VMX not usable in this state\n",
		       raw_smp_processor_id(), insn);
		return -EFAULT;
	}
}

/*
 * The tail every wrapper puts after its instruction (labelled 1:): CF=1
 * jumps to fail_invalid, ZF=1 to fail_valid; success continues at 3:.
 * Label 2: is where the exception table sends a fault of instruction 1:,
 * on its way to the C label "fault". (The fault target stays inside the
 * asm string so every asm operand reference lives in a string literal.)
 */
#define VMX_CHECK_RESULT			\
	"jc %l[fail_invalid]\n\t"		\
	"jz %l[fail_valid]\n\t"		\
	"jmp 3f\n\t"				\
	"2: jmp %l[fault]\n\t"			\
	"3:\n\t"

/*
 * VMXON: enter VMX root operation. @vmxon_region_hpa is the physical
 * address of a 4-KByte aligned region whose first word holds the VMCS
 * revision identifier (SDM vol. 3C, 25.11.5 "VMXON Region").
 */
static inline int vmx_vmxon(u64 vmxon_region_hpa)
{
	asm goto("1: vmxon %[pa]\n\t"
		 VMX_CHECK_RESULT
		 _ASM_EXTABLE(1b, 2b)
		 : : [pa] "m"(vmxon_region_hpa)
		 : "cc", "memory"
		 : fail_invalid, fail_valid, fault);
	return 0;
fail_invalid:
	return vmx_report_fail("VMXON", VMX_FAIL_INVALID);
fail_valid:
	return vmx_report_fail("VMXON", VMX_FAIL_VALID);
fault:
	return vmx_report_fail("VMXON", VMX_FAULT);
}

/* VMXOFF: leave VMX operation (SDM vol. 2, "VMXOFF"). */
static inline int vmx_vmxoff(void)
{
	asm goto("1: vmxoff\n\t"
		 VMX_CHECK_RESULT
		 _ASM_EXTABLE(1b, 2b)
		 : : : "cc", "memory"
		 : fail_invalid, fail_valid, fault);
	return 0;
fail_invalid:
	return vmx_report_fail("VMXOFF", VMX_FAIL_INVALID);
fail_valid:
	return vmx_report_fail("VMXOFF", VMX_FAIL_VALID);
fault:
	return vmx_report_fail("VMXOFF", VMX_FAULT);
}

#endif /* _TVMM_VMX_INSN_H */
