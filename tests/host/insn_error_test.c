// SPDX-License-Identifier: GPL-2.0
/*
 * insn_error_test.c - the VM-instruction error table.
 *
 * Rule (SDM vol. 3C, 31.4 "VM Instruction Error Numbers", table 31-1):
 * after VMfailValid the VM-instruction error field holds one of the
 * numbers 1-13, 15-20, 22-26 and 28; 14, 21 and 27 are not assigned.
 * tvmm prints the name of every assigned number and a fallback otherwise.
 * The expected list below is typed in from the SDM table, independently of
 * vmx_arch.h, so a typo in either shows up here.
 */
#include <string.h>

#include <tvmm/vmx_arch.h>

#include "tap.h"

#define FALLBACK "unknown VM-instruction error"

static const struct {
	unsigned int num;
	const char *keyword;	/* a word the name must contain */
} sdm_table_31_1[] = {
	{ 1, "VMCALL" }, { 2, "VMCLEAR" }, { 3, "VMXON pointer" },
	{ 4, "VMLAUNCH" }, { 5, "non-launched" }, { 6, "after VMXOFF" },
	{ 7, "control field" }, { 8, "host-state" },
	{ 9, "VMPTRLD with invalid physical address" },
	{ 10, "VMPTRLD with VMXON pointer" }, { 11, "revision" },
	{ 12, "unsupported VMCS component" }, { 13, "read-only" },
	{ 15, "VMXON executed in VMX root" }, { 16, "executive-VMCS pointer" },
	{ 17, "non-launched executive" }, { 18, "not VMXON pointer" },
	{ 19, "non-clear VMCS" }, { 20, "VM-exit control" },
	{ 22, "MSEG" }, { 23, "dual-monitor" }, { 24, "SMM-monitor" },
	{ 25, "executive VMCS" }, { 26, "MOV SS" }, { 28, "INVEPT/INVVPID" },
};

#define N_SDM	(sizeof(sdm_table_31_1) / sizeof(sdm_table_31_1[0]))

/* Is @num in the SDM table? */
static int in_sdm_table(unsigned int num)
{
	unsigned int i;

	for (i = 0; i < N_SDM; i++)
		if (sdm_table_31_1[i].num == num)
			return 1;
	return 0;
}

int main(void)
{
	unsigned int i, extra = 0, unknown[] = { 0, 14, 21, 27, 29, 0xffffffff };

	for (i = 0; i < N_SDM; i++) {
		const char *name = vmx_insn_error_name(sdm_table_31_1[i].num);

		if (!ok(name && strcmp(name, FALLBACK) &&
			strstr(name, sdm_table_31_1[i].keyword),
			"error %u is named (\"%s\")", sdm_table_31_1[i].num,
			name ? name : "(null)"))
			diag("  expected a name containing \"%s\"",
			     sdm_table_31_1[i].keyword);
	}

	/* No number outside the SDM table gets a name of its own. */
	for (i = 0; i < 256; i++) {
		const char *name = vmx_insn_error_name(i);

		if (!in_sdm_table(i) && (!name || strcmp(name, FALLBACK))) {
			extra++;
			diag("error %u is not in table 31-1 but is named \"%s\"",
			     i, name ? name : "(null)");
		}
	}
	ok(!extra, "only the numbers of table 31-1 have names");

	for (i = 0; i < sizeof(unknown) / sizeof(unknown[0]); i++) {
		const char *name = vmx_insn_error_name(unknown[i]);

		ok(name && !strcmp(name, FALLBACK),
		   "unassigned number %u gives the fallback name", unknown[i]);
	}
	return done_testing();
}
