// SPDX-License-Identifier: GPL-2.0
/*
 * hypercall_test - the paravirtual console: HC_WRITE (lab 08, TODO(lab08.3)
 * in module/hypercall.c).
 *
 * Rule under test (docs/abi.md, "Hypercalls"; the notes' para-
 * virtualization): VMCALL with EAX = 5 writes the ECX bytes at guest-
 * physical EBX to the console in one exit, returning in EAX how many it
 * wrote: possibly fewer, as write(2), when the console (256 bytes until
 * userspace takes them) has less room, never more. A buffer not wholly in
 * guest RAM (above it, wrapping past 4 GiB, across its end, or too long)
 * is refused with -EFAULT and prints nothing; one that ends exactly at the
 * end of RAM is fine. guests/pvwrite.S makes those calls, checks every
 * answer itself (its exit status has one bit per wrong answer) and prints
 * with nothing but HC_WRITE.
 *
 * Lab: 08 (paravirtualization, the third fix). Needs: a VT-x CPU with EPT
 * and unrestricted guest (Bochs).
 */
#include "vm_util.h"
#include "../kselftest_harness.h"

#define LONG_LINE(k) \
	"pvwrite: long text, line " #k " of 3: " \
	".................................................................." "\n"
#define PVWRITE_TEXT \
	"pvwrite: one line, one exit\n" \
	LONG_LINE(1) LONG_LINE(2) LONG_LINE(3) \
	"pvwrite: the last bytes of RAM\n" \
	"pvwrite: 4 bad buffers refused\n"
/* pvwrite's exit status: bit 0 a good write failed, bits 1-4 a bad buffer accepted. */
#define BAD_WRITE	0x01
#define BAD_BUFFERS	0x1e
/*
 * Its hypercalls: the first line (1), the 300-byte text (2: 256 bytes fill
 * the console, then 44), the tail of RAM (1), the four bad buffers (4),
 * the last line (1), the exit (1).
 */
#define PVWRITE_VMCALLS	10

FIXTURE(hypercall) {
	struct vm_result res;
	int ret;
};

FIXTURE_SETUP(hypercall)
{
	struct tvmm_config c = vm_config(TVMM_MODE_PARAVIRT, TVMM_CONFIG_TRACE, 0);

	REQUIRE_VMX_AND_TVMM();
	REQUIRE_GUEST("pvwrite.bin");
	memset(&self->res, 0, sizeof(self->res));
	self->ret = vm_run_guest(&c, "pvwrite.bin", &self->res, NULL);
	if (self->ret == -EOPNOTSUPP)
		SKIP(return, "this tvmm.ko has no --mode paravirt");
	ASSERT_EQ(0, self->ret);
	TH_LOG("pvwrite ended: %s (%s), status %u", end_name(self->res.run.end),
	       self->res.run.message, self->res.run.exit_status);
	ASSERT_EQ(TVMM_END_HYPERCALL, self->res.run.end)
		TH_LOG("pvwrite must end with its exit hypercall: %s", self->res.run.message);
}

FIXTURE_TEARDOWN(hypercall)
{
	vm_result_free(&self->res);
}

/* The whole text arrives, byte for byte, partial writes included. */
TEST_F(hypercall, write_prints_whole_buffers)
{
	EXPECT_EQ(0, self->res.run.exit_status & BAD_WRITE)
		TH_LOG("a good buffer got -EFAULT, 0 or more bytes than asked");
	EXPECT_STREQ(PVWRITE_TEXT, self->res.console);
}

/* Buffers outside guest RAM: -EFAULT each, nothing printed, the VM lives on. */
TEST_F(hypercall, write_refuses_buffers_outside_ram)
{
	static const char *const what[] = { "at 64 MiB", "wrapping past 4 GiB",
					     "across the end of RAM", "0x7fffffff bytes long" };

	for (unsigned int i = 0; i < 4; i++) {
		EXPECT_EQ(0, self->res.run.exit_status & (2u << i))
			TH_LOG("the buffer %s was not refused with -EFAULT", what[i]);
	}
	EXPECT_NE(NULL, strstr(self->res.console, "pvwrite: 4 bad buffers refused\n"));
	/* Nothing but pvwrite's own text: no byte of a refused buffer. */
	EXPECT_EQ(strlen(PVWRITE_TEXT), self->res.console_len);
}

/* One exit per buffer (two for the text the console cannot hold at once). */
TEST_F(hypercall, write_one_exit_per_buffer)
{
	unsigned int vmcalls = count_reason(&self->res, EXIT_REASON_VMCALL);

	EXPECT_EQ(PVWRITE_VMCALLS, vmcalls)
		TH_LOG("%u VMCALL exits for %zu console bytes", vmcalls, self->res.console_len);
	for (size_t i = 0; i < self->res.nrecs; i++) {
		if (!exit_is_host_noise(&self->res.recs[i]))
			EXPECT_EQ(EXIT_REASON_VMCALL, self->res.recs[i].reason_code);
	}
}

TEST_HARNESS_MAIN
