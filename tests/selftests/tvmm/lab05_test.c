// SPDX-License-Identifier: GPL-2.0
/*
 * lab05_test - the I/O and CPUID exits, value by value.
 *
 * Grades lab 05 (trap-and-emulate: module/exits.c TODO(lab05.1) the I/O
 * exit, TODO(lab05.2) the CPUID exit) together with run_test.
 *
 * Rule under test (SDM vol. 3C, 28.2.1 table 28-5, the I/O exit
 * qualification; 26.1.2, CPUID always exits; vol. 2A, IN, OUT, CPUID):
 * the VMM must give the guest exactly what the instruction would, so the
 * guests print what they got and the test compares it with what the
 * hardware (and the lab's specification) says:
 *
 * - guests/io_sizes.bin: IN of 1, 2 and 4 bytes changes only AL, AX or
 *   EAX: all ones from port 0x80 (no device), 0xe9 from the console port;
 *   OUT prints AL on the console only for port 0xe9; the records say
 *   "in"/"out", "ignored" for port 0x80 and "emulated" for 0xe9. With
 *   TVMM_CONFIG_STRICT_IO the first access to port 0x80 ends the VM
 *   (bad_io, end_info 0x80, action fatal).
 * - guests/string_io.bin: OUTS ends the VM (bad_io, end_info the port,
 *   record "outs", action fatal); nothing after it runs.
 * - guests/cpuid_leaves.bin: each (leaf, subleaf) the guest asks gets the
 *   answer this program gets from the same CPU, except leaf 1 (VMX clear,
 *   hypervisor bit set, OSXSAVE as the guest's CR4.OSXSAVE, before and
 *   after the guest sets it) and leaf 0x40000000 ("TVMMtvmmTVMM"). The
 *   guest prints with the putc hypercall, not OUT: this lab05.2 test
 *   must not need lab05.1's I/O exit (points per TODO, labs/lab05-*).
 *
 * Needs: a VT-x CPU (the Bochs lab VM).
 */
#include "vm_util.h"
#include "../kselftest_harness.h"

#define IO_SIZES_GUEST		"io_sizes.bin"
#define STRING_IO_GUEST		"string_io.bin"
#define CPUID_GUEST		"cpuid_leaves.bin"
#define NO_DEVICE_PORT		0x80
#define IO_QUAL_STRING		(1ULL << 4)

/* What io_sizes.S must print (its header comment explains each value). */
#define IO_SIZES_TEXT		"in 80: 123456ff 1234ffff ffffffff\n" \
				"in e9: 123456e9 123400e9 000000e9\n" \
				"out: OK\n"

/* CPUID bits tvmm edits (SDM vol. 2A, CPUID, table 3-10). */
#define CPUID1_ECX_VMX		(1U << 5)
#define CPUID1_ECX_XSAVE	(1U << 26)
#define CPUID1_ECX_OSXSAVE	(1U << 27)
#define CPUID1_ECX_HYPERVISOR	(1U << 31)
#define CPUID_HV_LEAF		0x40000000U

FIXTURE(exits) {
	struct vm_result res;
	int fd;
};

FIXTURE_SETUP(exits)
{
	static const char *const guests[] = { IO_SIZES_GUEST, STRING_IO_GUEST, CPUID_GUEST };

	memset(&self->res, 0, sizeof(self->res));
	self->fd = -1;
	REQUIRE_VMX_AND_TVMM();
	for (size_t i = 0; i < sizeof(guests) / sizeof(guests[0]); i++)
		REQUIRE_GUEST(guests[i]);
}

FIXTURE_TEARDOWN(exits)
{
	vm_result_free(&self->res);
	if (self->fd >= 0)
		close(self->fd);
}

/* Run @guest traced, with @flags too; fails on an ioctl error. */
#define RUN(guest, flags)							\
	do {									\
		struct tvmm_config __c = vm_config(TVMM_MODE_HW,		\
						   TVMM_CONFIG_TRACE | (flags), 0); \
		int __ret = vm_run_guest(&__c, guest, &self->res, NULL);	\
		ASSERT_EQ(0, __ret) TH_LOG("running %s: %s", guest, strerror(-__ret)); \
		TH_LOG("%s ended with %s (end_info 0x%llx): %s", guest,	\
		       end_name(self->res.run.end), self->res.run.end_info,	\
		       self->res.run.message);					\
	} while (0)

static const char *action_name(__u8 action)
{
	static const char *const names[] = {
		"emulated", "reflected", "injected", "ignored", "fatal", "patched",
	};

	return action < sizeof(names) / sizeof(names[0]) ? names[action] : "?";
}

/* The last record of the guest's own exits, or NULL. */
static const struct tvmm_exit_record *last_guest_record(const struct vm_result *r)
{
	for (size_t i = r->nrecs; i > 0; i--)
		if (!exit_is_host_noise(&r->recs[i - 1]))
			return &r->recs[i - 1];
	return NULL;
}

/*
 * io_sizes.bin: the values each IN left in EAX, the console bytes of each
 * OUT, and the records' mnemonics and actions.
 */
TEST_F(exits, in_out_each_size)
{
	struct vm_result *r = &self->res;
	unsigned int ins[2] = { 0, 0 }, outs[2] = { 0, 0 };

	RUN(IO_SIZES_GUEST, 0);
	EXPECT_EQ(TVMM_END_HLT, r->run.end) TH_LOG("%s: %s", end_name(r->run.end),
						  r->run.message);
	EXPECT_STREQ(IO_SIZES_TEXT, r->console)
		TH_LOG("console, want:\n%sgot:\n%s", IO_SIZES_TEXT, r->console);
	for (size_t i = 0; i < r->nrecs; i++) {
		const struct tvmm_exit_record *rec = &r->recs[i];
		unsigned int port = io_qual_port(rec->qual);
		bool in = rec->qual & IO_QUAL_IN;
		bool console = port == TVMM_CONSOLE_PORT;

		if (rec->reason_code != EXIT_REASON_IO_INSTRUCTION)
			continue;
		EXPECT_TRUE(console || port == NO_DEVICE_PORT)
			TH_LOG("record %zu: port 0x%x, the guest uses 0x80 and 0xe9 only", i, port);
		EXPECT_STREQ(in ? "in" : "out", rec->mnemonic)
			TH_LOG("record %zu (port 0x%x): mnemonic \"%s\"", i, port, rec->mnemonic);
		EXPECT_EQ(console ? TVMM_ACTION_EMULATED : TVMM_ACTION_IGNORED, rec->action)
			TH_LOG("record %zu, %s port 0x%x: action %s, want %s", i, in ? "IN" : "OUT",
			       port, action_name(rec->action), console ? "emulated" : "ignored");
		if (in)
			ins[console]++;
		else
			outs[console]++;
	}
	EXPECT_EQ(3, ins[0]) TH_LOG("INs from port 0x80");
	EXPECT_EQ(3, ins[1]) TH_LOG("INs from port 0xe9");
	EXPECT_EQ(3, outs[0]) TH_LOG("OUTs to port 0x80");
	EXPECT_EQ(strlen(IO_SIZES_TEXT), outs[1]) TH_LOG("OUTs to port 0xe9");
}

/* TVMM_CONFIG_STRICT_IO: the first IN from port 0x80 ends the VM. */
TEST_F(exits, strict_io_ends_at_port_without_device)
{
	struct vm_result *r = &self->res;
	const struct tvmm_exit_record *last;

	RUN(IO_SIZES_GUEST, TVMM_CONFIG_STRICT_IO);
	EXPECT_EQ(TVMM_END_BAD_IO, r->run.end) TH_LOG("ended with %s, want BAD_IO: %s",
						     end_name(r->run.end), r->run.message);
	EXPECT_EQ(NO_DEVICE_PORT, r->run.end_info) TH_LOG("end_info 0x%llx, want the port 0x80",
							   r->run.end_info);
	EXPECT_STREQ("in 80:", r->console) TH_LOG("the console (the port 0xe9 OUTs before it)");
	last = last_guest_record(r);
	ASSERT_NE(NULL, last);
	EXPECT_EQ(EXIT_REASON_IO_INSTRUCTION, last->reason_code);
	EXPECT_EQ(NO_DEVICE_PORT, io_qual_port(last->qual));
	EXPECT_STREQ("in", last->mnemonic);
	EXPECT_EQ(TVMM_ACTION_FATAL, last->action) TH_LOG("action %s, want fatal",
							   action_name(last->action));
}

/* OUTS ends the VM: bad_io on the port, the record "outs", fatal. */
TEST_F(exits, string_io_ends_vm)
{
	struct vm_result *r = &self->res;
	const struct tvmm_exit_record *last;

	RUN(STRING_IO_GUEST, 0);
	EXPECT_EQ(TVMM_END_BAD_IO, r->run.end) TH_LOG("ended with %s, want BAD_IO: %s",
						     end_name(r->run.end), r->run.message);
	EXPECT_EQ(TVMM_CONSOLE_PORT, r->run.end_info)
		TH_LOG("end_info 0x%llx, want the port 0xe9", r->run.end_info);
	EXPECT_STREQ("s", r->console) TH_LOG("only the plain OUT may print");
	EXPECT_EQ(0, count_reason(r, EXIT_REASON_HLT)) TH_LOG("the guest ran past OUTS");
	last = last_guest_record(r);
	ASSERT_NE(NULL, last);
	EXPECT_EQ(EXIT_REASON_IO_INSTRUCTION, last->reason_code);
	EXPECT_TRUE(last->qual & IO_QUAL_STRING) TH_LOG("qualification 0x%llx", last->qual);
	EXPECT_STREQ("outs", last->mnemonic);
	EXPECT_EQ(TVMM_ACTION_FATAL, last->action) TH_LOG("action %s, want fatal",
							   action_name(last->action));
}

/* What the guest must see for @leaf/@subleaf: this CPU's answer, edited. */
static void expected_cpuid(unsigned int leaf, unsigned int subleaf, bool osxsave,
			   unsigned int want[4])
{
	__cpuid_count(leaf, subleaf, want[0], want[1], want[2], want[3]);
	if (leaf == CPUID_HV_LEAF) {
		want[0] = CPUID_HV_LEAF;
		memcpy(&want[1], "TVMM", 4);
		memcpy(&want[2], "tvmm", 4);
		memcpy(&want[3], "TVMM", 4);
	}
	if (leaf == 1) {
		want[2] &= ~(CPUID1_ECX_VMX | CPUID1_ECX_OSXSAVE);
		want[2] |= CPUID1_ECX_HYPERVISOR | (osxsave ? CPUID1_ECX_OSXSAVE : 0);
	}
}

/*
 * cpuid_leaves.bin: every line the guest printed is this CPU's answer,
 * edited as lab05.2 says; the guest's OSXSAVE follows its own CR4.
 */
TEST_F(exits, cpuid_leaves_as_specified)
{
	static const char *const reg[] = { "EAX", "EBX", "ECX", "EDX" };
	struct vm_result *r = &self->res;
	unsigned int lines = 0, leaf1_lines = 0, want_lines = 13, a, b, c, d;
	char *save = NULL, *line;
	bool xsave;

	__cpuid(1, a, b, c, d);
	xsave = c & CPUID1_ECX_XSAVE;
	want_lines += xsave;
	RUN(CPUID_GUEST, 0);
	EXPECT_EQ(TVMM_END_HLT, r->run.end) TH_LOG("%s: %s", end_name(r->run.end),
						  r->run.message);
	for (line = strtok_r(r->console, "\n", &save); line;
	     line = strtok_r(NULL, "\n", &save)) {
		unsigned int leaf, subleaf, got[4], want[4];
		bool osxsave;

		ASSERT_EQ(6, sscanf(line, "%x %x: %x %x %x %x", &leaf, &subleaf, &got[0],
				    &got[1], &got[2], &got[3]))
			TH_LOG("line %u: \"%s\" is not \"leaf subleaf: eax ebx ecx edx\"",
			       lines + 1, line);
		lines++;
		/* the second leaf-1 line comes after the guest set CR4.OSXSAVE */
		osxsave = leaf == 1 && leaf1_lines++ > 0;
		expected_cpuid(leaf, subleaf, osxsave, want);
		for (int i = 0; i < 4; i++) {
			EXPECT_EQ(want[i], got[i])
				TH_LOG("CPUID leaf 0x%x subleaf 0x%x%s: %s 0x%08x, want 0x%08x",
				       leaf, subleaf, osxsave ? " (guest CR4.OSXSAVE set)" : "",
				       reg[i], got[i], want[i]);
		}
	}
	EXPECT_EQ(want_lines, lines) TH_LOG("lines the guest printed (XSAVE %s)",
					    xsave ? "present" : "absent");
	EXPECT_LE(lines, count_reason(r, EXIT_REASON_CPUID));
	EXPECT_EQ(count_reason(r, EXIT_REASON_CPUID), count_mnemonic(r, "cpuid"))
		TH_LOG("CPUID exits %u, records with mnemonic \"cpuid\" %u",
		       count_reason(r, EXIT_REASON_CPUID), count_mnemonic(r, "cpuid"));
}

TEST_HARNESS_MAIN
