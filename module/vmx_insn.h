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
#include "vmcs_fields.h"

/*
 * VMREAD without a way to report failure: only for reading the error
 * number right after a VMfailValid, where a current VMCS is known to exist.
 * The "_unchecked" in the name says so: every other VMX instruction here
 * is checked.
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

/*
 * Log a failed VMX instruction with everything a student needs to know.
 * Rate-limited: one broken state makes every VMREAD of a VMCS snapshot
 * (over a hundred fields per run slice) fail the same way, and a flood of
 * identical lines would bury the first, telling one.
 *
 * Out of line and cold: the wrappers below stay a few instructions, so
 * the compiler inlines them where they are used (a VMREAD on the exit
 * path must not become a call because its error messages are long).
 */
static __maybe_unused __cold noinline int vmx_report_fail(const char *insn, enum vmx_fail how)
{
	u32 error;

	switch (how) {
	case VMX_FAIL_INVALID:
		pr_err_ratelimited("CPU %d: %s failed: VMfailInvalid (CF=1, no current VMCS)\n",
				   raw_smp_processor_id(), insn);
		return -EIO;
	case VMX_FAIL_VALID:
		error = (u32)vmx_vmread_unchecked(VMCS_VM_INSTRUCTION_ERROR);
		pr_err_ratelimited("CPU %d: %s failed: VMfailValid, VM-instruction error %u: %s\n",
				   raw_smp_processor_id(), insn, error,
				   vmx_insn_error_name(error));
		return -EIO;
	default:
		pr_err_ratelimited("CPU %d: %s faulted (#UD/#GP): VMX not usable in this state\n",
				   raw_smp_processor_id(), insn);
		return -EFAULT;
	}
}

/*
 * The tail every wrapper puts after its instruction (labelled 1:): CF=1
 * jumps to fail_invalid, ZF=1 to fail_valid, and success goes on with no
 * jump at all (two branches not taken: this tail runs on every VMREAD and
 * VMWRITE of every exit). A fault of instruction 1: goes through the
 * kernel's exception table to label 2:, a jump to the C label "fault"
 * kept out of line (subsection 1: the end of the same section, so __init
 * code keeps its stub in .init.text), off the success path.
 */
#define VMX_CHECK_RESULT			\
	"jc %l[fail_invalid]\n\t"		\
	"jz %l[fail_valid]\n\t"		\
	".subsection 1\n"			\
	"2: jmp %l[fault]\n\t"			\
	".previous\n\t"				\
	_ASM_EXTABLE(1b, 2b)

/*
 * VMXON: enter VMX root operation. @vmxon_region_hpa is the physical
 * address of a 4-KByte aligned region whose first word holds the VMCS
 * revision identifier (SDM vol. 3C, 25.11.5 "VMXON Region").
 */
static inline int vmx_vmxon(u64 vmxon_region_hpa)
{
	asm goto("1: vmxon %[pa]\n\t"
		 VMX_CHECK_RESULT
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

/*
 * VMCLEAR: write the VMCS at @vmcs_hpa back to memory, make it inactive
 * and "clear" (the next entry must be VMLAUNCH). Required before first use
 * and before the VMCS may be loaded on another CPU (SDM vol. 3C, 25.1
 * "Overview", 25.11.3 "Initializing a VMCS").
 */
static inline int vmx_vmclear(u64 vmcs_hpa)
{
	asm goto("1: vmclear %[pa]\n\t"
		 VMX_CHECK_RESULT
		 : : [pa] "m"(vmcs_hpa)
		 : "cc", "memory"
		 : fail_invalid, fail_valid, fault);
	return 0;
fail_invalid:
	return vmx_report_fail("VMCLEAR", VMX_FAIL_INVALID);
fail_valid:
	return vmx_report_fail("VMCLEAR", VMX_FAIL_VALID);
fault:
	return vmx_report_fail("VMCLEAR", VMX_FAULT);
}

/* VMPTRLD: make the VMCS at @vmcs_hpa current and active on this CPU. */
static inline int vmx_vmptrld(u64 vmcs_hpa)
{
	asm goto("1: vmptrld %[pa]\n\t"
		 VMX_CHECK_RESULT
		 : : [pa] "m"(vmcs_hpa)
		 : "cc", "memory"
		 : fail_invalid, fail_valid, fault);
	return 0;
fail_invalid:
	return vmx_report_fail("VMPTRLD", VMX_FAIL_INVALID);
fail_valid:
	return vmx_report_fail("VMPTRLD", VMX_FAIL_VALID);
fault:
	return vmx_report_fail("VMPTRLD", VMX_FAULT);
}

/*
 * VMWRITE one field of the current VMCS. A failure here is a tvmm bug (an
 * unsupported field, a read-only field): it is logged with the field
 * encoding and counted in *@err so a whole setup phase can be checked once.
 */
static __maybe_unused __cold noinline int vmx_vmwrite_fail(unsigned long field, enum vmx_fail how)
{
	if (how != VMX_FAULT)
		pr_err_ratelimited("VMWRITE of field 0x%lx:\n", field);
	return vmx_report_fail("VMWRITE", how);
}

static __always_inline void vmx_vmwrite(unsigned long field, u64 value, int *err)
{
	asm goto("1: vmwrite %[value], %[field]\n\t"
		 VMX_CHECK_RESULT
		 : : [field] "r"(field), [value] "rm"((unsigned long)value)
		 : "cc"
		 : fail_invalid, fail_valid, fault);
	return;
fail_invalid:
	*err = vmx_vmwrite_fail(field, VMX_FAIL_INVALID);
	return;
fail_valid:
	*err = vmx_vmwrite_fail(field, VMX_FAIL_VALID);
	return;
fault:
	*err = vmx_vmwrite_fail(field, VMX_FAULT);
}

/* VMREAD one field of the current VMCS into *@value; 0 or -EIO/-EFAULT. */
static __always_inline int vmx_vmread(unsigned long field, u64 *value)
{
	unsigned long v;

	asm goto("1: vmread %[field], %[v]\n\t"
		 VMX_CHECK_RESULT
		 : [v] "=rm"(v)
		 : [field] "r"(field)
		 : "cc"
		 : fail_invalid, fail_valid, fault);
	*value = v;
	return 0;
fail_invalid:
	*value = 0;
	return vmx_report_fail("VMREAD", VMX_FAIL_INVALID);
fail_valid:
	*value = 0;
	return vmx_report_fail("VMREAD", VMX_FAIL_VALID);
fault:
	*value = 0;
	return vmx_report_fail("VMREAD", VMX_FAULT);
}

/*
 * VMREAD for fields that exist on every VMX CPU (exit reason, guest RIP,
 * ...) once a VMCS is current: a failure is logged by vmx_vmread() and
 * reads as 0, which the callers treat as "no information".
 */
static __always_inline u64 vmcs_read(unsigned long field)
{
	u64 value;

	vmx_vmread(field, &value);
	return value;
}

/* INVEPT/INVVPID descriptors and types (SDM vol. 3C, 31.3 INVEPT, INVVPID). */
#define INVEPT_SINGLE_CONTEXT	1
#define INVEPT_ALL_CONTEXT	2
#define INVVPID_SINGLE_CONTEXT	1
#define INVVPID_ALL_CONTEXT	2

/* INVEPT: forget guest-physical translations cached for @eptp. */
static inline int vmx_invept(unsigned long type, u64 eptp)
{
	struct { u64 eptp, reserved; } desc = { eptp, 0 };

	asm goto("1: invept %[desc], %[type]\n\t"
		 VMX_CHECK_RESULT
		 : : [desc] "m"(desc), [type] "r"(type)
		 : "cc", "memory"
		 : fail_invalid, fail_valid, fault);
	return 0;
fail_invalid:
	return vmx_report_fail("INVEPT", VMX_FAIL_INVALID);
fail_valid:
	return vmx_report_fail("INVEPT", VMX_FAIL_VALID);
fault:
	return vmx_report_fail("INVEPT", VMX_FAULT);
}

/* INVVPID: forget linear translations cached for @vpid. */
static inline int vmx_invvpid(unsigned long type, u16 vpid)
{
	struct { u64 vpid, gva; } desc = { vpid, 0 };

	asm goto("1: invvpid %[desc], %[type]\n\t"
		 VMX_CHECK_RESULT
		 : : [desc] "m"(desc), [type] "r"(type)
		 : "cc", "memory"
		 : fail_invalid, fail_valid, fault);
	return 0;
fail_invalid:
	return vmx_report_fail("INVVPID", VMX_FAIL_INVALID);
fail_valid:
	return vmx_report_fail("INVVPID", VMX_FAIL_VALID);
fault:
	return vmx_report_fail("INVVPID", VMX_FAULT);
}

#endif /* _TVMM_VMX_INSN_H */
