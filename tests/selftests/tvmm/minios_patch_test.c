// SPDX-License-Identifier: GPL-2.0
/*
 * minios_patch_test - the mini-OS of lab 07 (guests/minios.S) in patch
 * mode: lab 08's scan-and-patch on an unmodified ring-0 kernel.
 *
 * Rule under test (the notes' binary translation, simplest form; lab 08):
 * patch = deprivileged plus each code page scanned before it runs (one
 * EPT_VIOLATION "scan page" per code page); minios has no sensitive-but-
 * unprivileged instruction (it enables interrupts with the trapping STI),
 * so nothing is patched, and it prints the console of every other mode.
 * In guest-caused exits, paravirt has fewer than patch (lab 09's ordering).
 *
 * Lab: graded for 08 (it needs lab 07's virtual IF too, which a lab 08
 * student has); kept out of deprivilege_test so lab 07's grade never
 * depends on lab 08. Needs: a VT-x CPU with EPT, unrestricted guest and
 * the preemption timer (Bochs).
 */
#include "vm_util.h"
#include "../kselftest_harness.h"
#include "minios_util.h"

FIXTURE(minios_patch) {
	struct vm_result res;
};

FIXTURE_SETUP(minios_patch)
{
	static const char *const guests[] = { "minios.bin", "minios_pv.bin" };

	memset(&self->res, 0, sizeof(self->res));
	REQUIRE_VMX_AND_TVMM();
	for (size_t i = 0; i < sizeof(guests) / sizeof(guests[0]); i++)
		REQUIRE_GUEST(guests[i]);
}

FIXTURE_TEARDOWN(minios_patch)
{
	vm_result_free(&self->res);
}

/*
 * patch: the unmodified mini-OS, same console; its code pages are scanned
 * (one "scan page" EPT_VIOLATION each, before any code of the page runs,
 * never twice for a page); minios holds no sensitive-but-unprivileged
 * instruction, so nothing is patched; privileged instructions and system
 * calls go as in deprivileged mode (emulated #GPs, reflected int $0x80).
 */
TEST_F(minios_patch, same_console)
{
	struct vm_result *r = &self->res;
	unsigned long long pages[16] = { 0 };
	unsigned int scans = 0;

	RUN_MINIOS(TVMM_MODE_PATCH, "minios.bin", TVMM_END_HLT);
	EXPECT_STREQ(MINIOS_TEXT, r->console);
	for (size_t i = 0; i < r->nrecs; i++) {
		const struct tvmm_exit_record *rec = &r->recs[i];

		EXPECT_NE(0, rec->cpl);
		if (rec->reason_code != EXIT_REASON_EPT_VIOLATION)
			continue;
		EXPECT_TRUE(rec_is(rec, "scan page")) TH_LOG("seq %llu: \"%.*s\"", rec->seq,
							     TVMM_MNEMONIC_MAX, rec->mnemonic);
		EXPECT_EQ(TVMM_ACTION_EMULATED, rec->action);
		EXPECT_EQ(rec->rip & ~0xfffULL, rec->gpa & ~0xfffULL)
			TH_LOG("seq %llu: fetch at 0x%llx, rip 0x%llx", rec->seq, rec->gpa, rec->rip);
		for (unsigned int k = 0; k < scans && k < 16; k++) {
			EXPECT_NE(pages[k], rec->gpa & ~0xfffULL) TH_LOG("page scanned twice");
		}
		if (scans < 16)
			pages[scans] = rec->gpa & ~0xfffULL;
		scans++;
	}
	EXPECT_LE(1, scans);
	EXPECT_EQ(0x10000, pages[0]) TH_LOG("the first scan is the entry page");
	EXPECT_EQ(EXIT_REASON_EPT_VIOLATION, r->recs[0].reason_code)
		TH_LOG("the entry page must be scanned before its first instruction runs");
	EXPECT_EQ(0, count_action(r, TVMM_ACTION_PATCHED));
	EXPECT_EQ(strlen(MINIOS_TEXT), count_mnemonic(r, "out"));
	EXPECT_EQ(MINIOS_SYSCALLS, count_action(r, TVMM_ACTION_REFLECTED));
	log_exit_counts(_metadata, "patch", r);
}

/* Patch mode costs more guest-caused exits than paravirt, fewer than none. */
TEST_F(minios_patch, exits_more_than_paravirt)
{
	unsigned int pv = 0, patch = 0;

	log_exit_header(_metadata);
	ASSERT_EQ(0, run_and_count(_metadata, TVMM_MODE_PARAVIRT, "minios_pv.bin",
				   &self->res, &pv));
	ASSERT_EQ(0, run_and_count(_metadata, TVMM_MODE_PATCH, "minios.bin",
				   &self->res, &patch));
	TH_LOG("guest-caused exits: paravirt %u, patch %u", pv, patch);
	EXPECT_LT(pv, patch);
}

/* The tool: --mode patch and its long name reach the module. */
TEST_F(minios_patch, cli_patch_modes)
{
	static const char *const args[] = { "--mode patch minios.bin",
					     "--mode scan-and-patch minios.bin" };
	char out[4096];

	if (system("command -v tvmm >/dev/null 2>&1"))
		SKIP(return, "the tvmm tool is not in PATH");
	for (size_t i = 0; i < sizeof(args) / sizeof(args[0]); i++) {
		EXPECT_EQ(0, tool_run(args[i], out, sizeof(out))) TH_LOG("tvmm run %s", args[i]);
		EXPECT_STREQ(MINIOS_TEXT, out) TH_LOG("tvmm run %s", args[i]);
	}
}

TEST_HARNESS_MAIN
