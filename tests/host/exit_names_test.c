// SPDX-License-Identifier: GPL-2.0
/*
 * exit_names_test.c - the exit-reason names traces and stats print.
 *
 * Rule (SDM vol. 3D, appendix C "VMX Basic Exit Reasons"): every basic
 * exit reason the SDM defines has a name. tvmm uses KVM's strings (as in
 * its kvm_exit tracepoint), upper case with underscores, and a name maps
 * back to its number, so `tvmm stats` can count a trace that carries only
 * names. The list below is typed from the SDM, not from tvmm's table.
 */
#include <ctype.h>
#include <string.h>

#include <tvmm/exit_names.h>

#include "tap.h"

/* Appendix C, table C-1: the defined basic exit reasons. */
static const struct {
	unsigned int reason;
	const char *kvm_name;
} sdm[] = {
	{ 0, "EXCEPTION_NMI" }, { 1, "EXTERNAL_INTERRUPT" }, { 2, "TRIPLE_FAULT" },
	{ 3, "INIT_SIGNAL" }, { 4, "SIPI_SIGNAL" }, { 5, "IO_SMI" }, { 6, "OTHER_SMI" },
	{ 7, "INTERRUPT_WINDOW" }, { 8, "NMI_WINDOW" }, { 9, "TASK_SWITCH" },
	{ 10, "CPUID" }, { 11, "GETSEC" }, { 12, "HLT" }, { 13, "INVD" },
	{ 14, "INVLPG" }, { 15, "RDPMC" }, { 16, "RDTSC" }, { 17, "RSM" },
	{ 18, "VMCALL" }, { 19, "VMCLEAR" }, { 20, "VMLAUNCH" }, { 21, "VMPTRLD" },
	{ 22, "VMPTRST" }, { 23, "VMREAD" }, { 24, "VMRESUME" }, { 25, "VMWRITE" },
	{ 26, "VMOFF" }, { 27, "VMON" }, { 28, "CR_ACCESS" }, { 29, "DR_ACCESS" },
	{ 30, "IO_INSTRUCTION" }, { 31, "MSR_READ" }, { 32, "MSR_WRITE" },
	{ 33, "INVALID_STATE" }, { 34, "MSR_LOAD_FAIL" }, { 36, "MWAIT_INSTRUCTION" },
	{ 37, "MONITOR_TRAP_FLAG" }, { 39, "MONITOR_INSTRUCTION" },
	{ 40, "PAUSE_INSTRUCTION" }, { 41, "MCE_DURING_VMENTRY" },
	{ 43, "TPR_BELOW_THRESHOLD" }, { 44, "APIC_ACCESS" }, { 45, "EOI_INDUCED" },
	{ 46, "GDTR_IDTR" }, { 47, "LDTR_TR" }, { 48, "EPT_VIOLATION" },
	{ 49, "EPT_MISCONFIG" }, { 50, "INVEPT" }, { 51, "RDTSCP" },
	{ 52, "PREEMPTION_TIMER" }, { 53, "INVVPID" }, { 54, "WBINVD" },
	{ 55, "XSETBV" }, { 56, "APIC_WRITE" }, { 57, "RDRAND" }, { 58, "INVPCID" },
	{ 59, "VMFUNC" }, { 60, "ENCLS" }, { 61, "RDSEED" }, { 62, "PML_FULL" },
	{ 63, "XSAVES" }, { 64, "XRSTORS" }, { 67, "UMWAIT" }, { 68, "TPAUSE" },
	{ 74, "BUS_LOCK" }, { 75, "NOTIFY" },
};

#define N_SDM	(sizeof(sdm) / sizeof(sdm[0]))

static int kvm_style(const char *s)
{
	if (!*s)
		return 0;
	for (; *s; s++)
		if (!isupper((unsigned char)*s) && !isdigit((unsigned char)*s) && *s != '_')
			return 0;
	return 1;
}

int main(void)
{
	unsigned int i, j, bad_names = 0, bad_trip = 0, bad_what = 0, named = 0;

	for (i = 0; i < N_SDM; i++) {
		const char *name = vmx_exit_reason_name(sdm[i].reason);

		if (strcmp(name, sdm[i].kvm_name)) {
			bad_names++;
			diag("  reason %u: name \"%s\", KVM says \"%s\"", sdm[i].reason,
			     name, sdm[i].kvm_name);
		}
		if (vmx_exit_reason_from_name(name) != (int)sdm[i].reason) {
			bad_trip++;
			diag("  \"%s\" maps back to %d, not %u", name,
			     vmx_exit_reason_from_name(name), sdm[i].reason);
		}
		if (!strcmp(vmx_exit_reason_what(sdm[i].reason), "unknown exit reason"))
			bad_what++;
	}
	ok(bad_names == 0, "every SDM appendix C reason has KVM's name (%zu reasons)", N_SDM);
	ok(bad_trip == 0, "every name maps back to its number");
	ok(bad_what == 0, "every SDM reason has a description");

	/* Reasons the SDM leaves undefined, and beyond the table. */
	for (i = 0; i < TVMM_NR_EXIT_REASONS + 10; i++) {
		const char *name = vmx_exit_reason_name(i);
		int defined = 0;

		for (j = 0; j < N_SDM; j++)
			defined |= sdm[j].reason == i;
		if (defined) {
			named += kvm_style(name);
			continue;
		}
		if (strcmp(name, "UNKNOWN"))
			diag("  undefined reason %u is named \"%s\"", i, name);
		named += !strcmp(name, "UNKNOWN") ? 0 : 1000;
	}
	ok_eq(named, N_SDM, "defined reasons are UPPER_CASE, undefined ones \"UNKNOWN\"");
	ok(!strcmp(vmx_exit_reason_name(0x80000000U | 33), "INVALID_STATE"),
	   "the entry-failure bit (31) is masked off: 0x80000021 is INVALID_STATE");
	ok(vmx_exit_reason_from_name("hlt") == -1 && vmx_exit_reason_from_name("HLTX") == -1 &&
	   vmx_exit_reason_from_name("") == -1 && vmx_exit_reason_from_name("UNKNOWN") == -1,
	   "names are exact: no case folding, no prefixes, no UNKNOWN");

	/* Names are unique. */
	for (i = 0, bad_names = 0; i < N_SDM; i++)
		for (j = i + 1; j < N_SDM; j++)
			bad_names += !strcmp(vmx_exit_reason_name(sdm[i].reason),
					     vmx_exit_reason_name(sdm[j].reason));
	ok(bad_names == 0, "no two reasons share a name");
	return done_testing();
}
