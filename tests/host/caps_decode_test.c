// SPDX-License-Identifier: GPL-2.0
/*
 * caps_decode_test.c - the pure decoders of vmx_arch.h.
 *
 * Rule (SDM vol. 3D, A.3.1): in a control capability MSR, bit n of the
 * low half set means control bit n must be 1 (allowed-0 setting), bit n of
 * the high half clear means it must be 0 (allowed-1 setting). A VMM's
 * control value is (wanted | low) & high. IA32_VMX_BASIC (A.1) holds the
 * revision in bits 30:0, the VMCS size in 44:32, the memory type in 53:50
 * and the TRUE-controls flag in bit 55. The expected values below are
 * computed from those layouts by hand, for the value Bochs'
 * corei7_haswell_4770 model reports (`tvmm caps` in the lab VM shows them).
 */
#include <tvmm/vmx_arch.h>

#include <string.h>

#include "tap.h"

#define BOCHS_HASWELL_VMX_BASIC	0x00d810000000002bULL

static void test_bit_state(void)
{
	/* high = 0b0110 (bits 1, 2 may be 1), low = 0b0100 (bit 2 must be 1) */
	const __u64 cap = (0x6ULL << 32) | 0x4;
	/* bit 3: low set, high clear: impossible, read as "must be 1" */
	const __u64 odd = 0x8;

	ok_eq(vmx_ctl_bit_state(cap, 0), VMX_CTL_UNAVAILABLE,
	      "low 0 high 0: must be 0");
	ok_eq(vmx_ctl_bit_state(cap, 1), VMX_CTL_OPTIONAL,
	      "low 0 high 1: may be 0 or 1");
	ok_eq(vmx_ctl_bit_state(cap, 2), VMX_CTL_REQUIRED,
	      "low 1 high 1: must be 1");
	ok_eq(vmx_ctl_bit_state(odd, 3), VMX_CTL_REQUIRED,
	      "low 1 high 0: treated as must be 1");
	ok_eq(vmx_ctl_bit_state(~0ULL, 31), VMX_CTL_REQUIRED,
	      "bit 31 reads the top bit of each half");
	ok_eq(vmx_ctl_bit_state(1ULL << 63, 31), VMX_CTL_OPTIONAL,
	      "bit 31 may be 1 when only MSR bit 63 is set");
	ok_eq(vmx_ctl_bit_state(~0ULL, 32), VMX_CTL_UNAVAILABLE,
	      "bits past 31 do not exist in a control field");
	ok(!strcmp(vmx_ctl_state_name(VMX_CTL_REQUIRED), "required") &&
	   !strcmp(vmx_ctl_state_name(VMX_CTL_OPTIONAL), "available") &&
	   !strcmp(vmx_ctl_state_name(VMX_CTL_UNAVAILABLE), "unavailable"),
	   "state names: required, available, unavailable");
}

static void test_basic(void)
{
	const __u64 basic = BOCHS_HASWELL_VMX_BASIC;

	ok_eq(vmx_basic_revision(basic), 0x2b, "Bochs haswell: revision id 0x2b");
	/* bits 44:32 of 0x00d81000_0000002b: 0x00d81000 & 0x1fff = 0x1000 */
	ok_eq(vmx_basic_vmcs_size(basic), 0x1000,
	      "Bochs haswell: VMCS size 4096 (bits 44:32)");
	/* bits 53:50: 0x00d81000 >> 18 = 0x36, & 0xf = 6 */
	ok_eq(vmx_basic_memtype(basic), TVMM_VMX_BASIC_MEMTYPE_WB,
	      "Bochs haswell: memory type 6, write-back");
	ok(basic & TVMM_VMX_BASIC_TRUE_CTLS, "Bochs haswell: TRUE controls (bit 55)");
	ok(basic & TVMM_VMX_BASIC_INOUT_INFO, "Bochs haswell: INS/OUTS info (bit 54)");
	ok(!(basic & TVMM_VMX_BASIC_32BIT_ADDRESSES),
	   "Bochs haswell: no 32-bit address limit (bit 48)");
	ok_eq(vmx_basic_revision(1ULL << 31), 0,
	      "revision ignores bit 31 (always 0 in the SDM)");
	ok_eq(vmx_basic_vmcs_size(0x1fffULL << 32), 0x1fff,
	      "VMCS size field is 13 bits");
}

static void test_misc_fixed(void)
{
	/* rate 5, HLT + shutdown, 4 CR3 targets, MSR-list field 1 */
	const __u64 misc = 5 | TVMM_VMX_MISC_ACTIVITY_HLT |
			   TVMM_VMX_MISC_ACTIVITY_SHUTDOWN | (4ULL << 16) |
			   (1ULL << 25);

	ok_eq(vmx_misc_preempt_shift(misc), 5, "MISC: preemption timer rate");
	ok_eq(vmx_misc_cr3_targets(misc), 4, "MISC: CR3-target count");
	ok_eq(vmx_misc_max_msr_list(misc), 1024,
	      "MISC: MSR list size 512 * (N + 1)");

	/* CR0 as many CPUs report it: PE, NE, PG fixed to 1, all free above */
	ok_eq(vmx_fixed_bit_state(0x80000021, 0xffffffff, 0), VMX_CTL_REQUIRED,
	      "CR0.PE must be 1 in VMX operation");
	ok_eq(vmx_fixed_bit_state(0x80000021, 0xffffffff, 30),
	      VMX_CTL_OPTIONAL, "CR0.CD is free");
	ok_eq(vmx_fixed_bit_state(0x2000, 0x1727ff, 13), VMX_CTL_REQUIRED,
	      "CR4.VMXE must be 1");
	ok_eq(vmx_fixed_bit_state(0x2000, 0x1727ff, 12), VMX_CTL_UNAVAILABLE,
	      "CR4.LA57 must be 0 when FIXED1 bit 12 is clear");
}

static void test_msr_indexes(void)
{
	ok_eq(TVMM_MSR_IA32_FEATURE_CONTROL, 0x3a, "IA32_FEATURE_CONTROL is 0x3a");
	ok_eq(TVMM_MSR_IA32_VMX_BASIC, 0x480, "IA32_VMX_BASIC is 0x480");
	ok_eq(TVMM_MSR_IA32_VMX_PROCBASED_CTLS2, 0x48b,
	      "IA32_VMX_PROCBASED_CTLS2 is 0x48b");
	ok_eq(TVMM_MSR_IA32_VMX_TRUE_PINBASED_CTLS, 0x48d,
	      "IA32_VMX_TRUE_PINBASED_CTLS is 0x48d");
	ok_eq(TVMM_MSR_IA32_VMX_VMFUNC, 0x491, "IA32_VMX_VMFUNC is 0x491");
	ok_eq(CPU2_ENABLE_EPT, 1, "secondary control 'enable EPT' is bit 1");
	ok_eq(CPU2_UNRESTRICTED_GUEST, 7, "'unrestricted guest' is bit 7");
	ok_eq(PIN_PREEMPTION_TIMER, 6, "'activate VMX-preemption timer' is bit 6");
	ok_eq(CPU_SECONDARY_CONTROLS, 31, "'activate secondary controls' is bit 31");
}

int main(void)
{
	test_bit_state();
	test_basic();
	test_misc_fixed();
	test_msr_indexes();
	return done_testing();
}
