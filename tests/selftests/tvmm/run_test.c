// SPDX-License-Identifier: GPL-2.0
/*
 * run_test - run the example guests and check every exit they cause.
 *
 * Rule under test (the notes' trap-and-emulate cycle; SDM vol. 3C, 27
 * "VM Exits", and vol. 3D, appendix C): in VMX non-root mode, the
 * instructions a VMM intercepts (OUT/IN, CPUID, HLT, VMCALL, RDMSR, MOV
 * to CR0) leave the guest with a VM exit and a basic reason; the VMM
 * handles it and resumes the guest after the instruction, so the guest
 * sees the effect (a console byte, a CPUID answer) and nothing else. A
 * guest that faults with no way out (triple fault), touches memory it does
 * not have (EPT violation) or never stops (max exits, a signal) ends only
 * its own VM. Each exit is one record read() returns, in order.
 *
 * The guests are the .bin files of guests/, installed next to this test (or in
 * $GUEST_DIR); each one's header comment states the trace it expects.
 * Host interrupts and the preemption timer add exits anywhere; counts of
 * the guest's own exits leave them out (exit_is_host_noise()).
 *
 * Lab: 04 (first launch) and 05 (trap-and-emulate I/O and CPUID). Needs:
 * a VT-x CPU with EPT and unrestricted guest (the Bochs lab VM).
 */
#include "vm_util.h"
#include "../kselftest_harness.h"

#include <poll.h>
#include <sys/wait.h>

/* The guests' variant of this run (TVMM_SEED, seed.h): seed 0 is the
 * canonical "Hello from the guest!\n", 100 CPUIDs, 100 OUTs. */
#define HELLO_TEXT		(seed_params()->hello)
#define CPUID_TEXT		(seed_params()->cpuid_text)
#define CPUID_ITERATIONS	(seed_params()->cpuid_iterations)
#define IO_LOOP_OUTS		(seed_params()->io_outs)	/* io_loop.S: outs */
#define IO_LOOP_INS		4	/* io_loop.S: INS */
#define IO_LOOP_UNKNOWN_PORT	0x80
#define REAL_TEXT		"Hello from real mode!\n"
#define VMCALL_TEXT		"Hi via VMCALL!\n"
#define VMCALL_STATUS		3
#define OUTSIDE_GPA		(seed_params()->outside_gpa)	/* 0x40000000 for seed 0 */
#define SPIN_MAX_EXITS		100	/* ~2 s of Bochs time: a preemption-timer exit every 20 ms */
#define REAL_SECTOR_SIZE	512

static volatile sig_atomic_t alarm_fired;

static void on_alarm(int sig)
{
	(void)sig;
	alarm_fired = 1;
}

/* SIGALRM in @seconds, interrupting (not restarting) a blocking ioctl. */
static void arm_alarm(unsigned int seconds)
{
	struct sigaction sa;

	memset(&sa, 0, sizeof(sa));
	sa.sa_handler = on_alarm;
	sigemptyset(&sa.sa_mask);
	sigaction(SIGALRM, &sa, NULL);
	alarm_fired = 0;
	alarm(seconds);
}

FIXTURE(run) {
	struct vm_result res;
	int fd;
	char seq[2048];
};

FIXTURE_SETUP(run)
{
	memset(&self->res, 0, sizeof(self->res));
	self->fd = -1;
	REQUIRE_VMX_AND_TVMM();
	REQUIRE_GUEST("hello.bin");
}

FIXTURE_TEARDOWN(run)
{
	vm_result_free(&self->res);
	if (self->fd >= 0)
		close(self->fd);
}

/* hello: exactly its text on the console, 22 OUTs, then HLT ends it. */
TEST_F(run, hello_console_and_exits)
{
	struct tvmm_config c = vm_config(TVMM_MODE_HW, TVMM_CONFIG_TRACE, 0);
	struct vm_result *r = &self->res;
	unsigned int own = 0;

	ASSERT_EQ(0, vm_run_guest(&c, "hello.bin", r, NULL));
	EXPECT_STREQ(HELLO_TEXT, r->console);
	EXPECT_EQ(TVMM_END_HLT, r->run.end) TH_LOG("ended with %s: %s",
						  end_name(r->run.end), r->run.message);
	/* One OUT per byte: the loop in hello.S runs once per character. */
	EXPECT_EQ(strlen(HELLO_TEXT), count_reason(r, EXIT_REASON_IO_INSTRUCTION));
	EXPECT_EQ(1, count_reason(r, EXIT_REASON_HLT));

	/* Order: IO x 22, then HLT, and HLT is the last record. */
	for (size_t i = 0; i < r->nrecs; i++) {
		const struct tvmm_exit_record *rec = &r->recs[i];

		if (exit_is_host_noise(rec))
			continue;
		own++;
		if (own <= strlen(HELLO_TEXT)) {
			EXPECT_EQ(EXIT_REASON_IO_INSTRUCTION, rec->reason_code)
				TH_LOG("own exit %u (seq %llu); reasons: %s", own,
				       rec->seq, reason_sequence(r, self->seq, sizeof(self->seq)));
		} else {
			EXPECT_EQ(EXIT_REASON_HLT, rec->reason_code);
		}
	}
	EXPECT_EQ(strlen(HELLO_TEXT) + 1, own);
	ASSERT_LT(0, r->nrecs);
	EXPECT_EQ(EXIT_REASON_HLT, r->recs[r->nrecs - 1].reason_code);
	/* Every exit has a record: run.exits counts them all. */
	EXPECT_EQ(r->run.exits, r->nrecs);
}

/*
 * The tvmm:tvmm_exit tracepoint sees every exit, with KVM's field names,
 * so trace-cmd and perf can watch tvmm like KVM: one event per OUT of
 * hello.S, reason IO_INSTRUCTION, and the exit_reason field filterable.
 */
TEST_F(run, tracepoint_sees_exits)
{
	struct tvmm_config c = vm_config(TVMM_MODE_HW, 0, 0);
	static char buf[1 << 16];
	unsigned int events = 0;
	char *p;

	if (access("/sys/kernel/tracing/events/tvmm/tvmm_exit/enable", W_OK))
		SKIP(return, "no tracefs or no tvmm:tvmm_exit event (kernel without tracing?)");
	ASSERT_EQ(0, tracefs_write("trace", ""));
	ASSERT_EQ(0, tracefs_write("events/tvmm/tvmm_exit/filter", "exit_reason == 30"));
	ASSERT_EQ(0, tracefs_write("events/tvmm/tvmm_exit/enable", "1"));
	ASSERT_EQ(0, vm_run_guest(&c, "hello.bin", &self->res, NULL));
	ASSERT_EQ(0, tracefs_write("events/tvmm/tvmm_exit/enable", "0"));
	tracefs_write("events/tvmm/tvmm_exit/filter", "0");
	ASSERT_LT(0, read_text_file("/sys/kernel/tracing/trace", buf, sizeof(buf)));
	for (p = buf; (p = strstr(p, "tvmm_exit: ")); p++) {
		EXPECT_NE(NULL, strstr(p, "reason IO_INSTRUCTION"));
		events++;
	}
	/* The filter on KVM's field name kept exactly the OUT exits. */
	EXPECT_EQ(strlen(HELLO_TEXT), events) TH_LOG("trace:\n%.2000s", buf);
}

/*
 * TVMM_SET_REGS before the first run: RIP set to hello's final HLT (found
 * in a first, traced run) makes a second VM halt at once, having printed
 * nothing; the general registers set are the ones GET_REGS returns.
 */
TEST_F(run, set_regs_moves_the_guest)
{
	struct tvmm_config c = vm_config(TVMM_MODE_HW, TVMM_CONFIG_TRACE, 0);
	struct tvmm_regs regs, back;
	__u64 hlt_rip;
	int fd;

	ASSERT_EQ(0, vm_run_guest(&c, "hello.bin", &self->res, NULL));
	ASSERT_LT(0, self->res.nrecs);
	ASSERT_EQ(EXIT_REASON_HLT, self->res.recs[self->res.nrecs - 1].reason_code);
	hlt_rip = self->res.recs[self->res.nrecs - 1].rip;

	fd = vm_create(&c);
	ASSERT_LE(0, fd);
	ASSERT_LT(0, vm_load_file(fd, "hello.bin"));
	memset(&regs, 0, sizeof(regs));
	regs.rip = hlt_rip;
	regs.rsp = 0x80000;
	regs.rflags = 0x2;		/* IF clear: the HLT ends the VM */
	regs.rsi = 0x5a5a5a5a;
	ASSERT_EQ(0, ioctl(fd, TVMM_SET_REGS, &regs)) TH_LOG("%s", strerror(errno));
	ASSERT_EQ(0, vm_run_to_end(fd, &self->res));
	EXPECT_EQ(TVMM_END_HLT, self->res.run.end);
	EXPECT_STREQ("", self->res.console);
	EXPECT_EQ(0, count_reason(&self->res, EXIT_REASON_IO_INSTRUCTION));
	ASSERT_EQ(0, ioctl(fd, TVMM_GET_REGS, &back));
	EXPECT_EQ(0x5a5a5a5a, back.rsi);
	EXPECT_EQ(hlt_rip + 1, back.rip);	/* after the one-byte HLT */
	close(fd);
}

/* Records: right version and size, seq 0, 1, 2, ..., rip inside the image. */
TEST_F(run, records_well_formed)
{
	struct tvmm_config c = vm_config(TVMM_MODE_HW, TVMM_CONFIG_TRACE, 0);
	struct vm_result *r = &self->res;
	char path[PATH_MAX];
	void *img;
	ssize_t size = read_whole_file(guest_path("hello.bin", path, sizeof(path)), &img);

	ASSERT_LT(0, size);
	free(img);
	ASSERT_EQ(0, vm_run_guest(&c, "hello.bin", r, NULL));
	ASSERT_LT(0, r->nrecs);
	for (size_t i = 0; i < r->nrecs; i++) {
		const struct tvmm_exit_record *rec = &r->recs[i];

		ASSERT_EQ(TVMM_EXIT_RECORD_VERSION, rec->version);
		ASSERT_EQ(sizeof(*rec), rec->size);
		ASSERT_EQ(i, rec->seq) TH_LOG("record %zu has seq %llu", i, rec->seq);
		if (i)
			EXPECT_LE(r->recs[i - 1].tsc, rec->tsc);
		EXPECT_LE(rec->insn_len, TVMM_INSN_MAX);
		EXPECT_EQ('\0', rec->mnemonic[TVMM_MNEMONIC_MAX - 1]);
		EXPECT_LE(rec->action, TVMM_ACTION_FATAL);
		if (exit_is_host_noise(rec))
			continue;
		EXPECT_EQ(0, rec->cpl);
		EXPECT_EQ(0, rec->vif) TH_LOG("the guest runs with IF clear");
		EXPECT_LE(TVMM_GUEST_LOAD_GPA, rec->rip);
		EXPECT_GT(TVMM_GUEST_LOAD_GPA + size, rec->rip)
			TH_LOG("seq %llu rip 0x%llx outside the %zd-byte image", rec->seq,
			       rec->rip, size);
		if (rec->reason_code == EXIT_REASON_IO_INSTRUCTION) {
			EXPECT_EQ(TVMM_CONSOLE_PORT, io_qual_port(rec->qual));
			EXPECT_EQ(0, rec->qual & IO_QUAL_IN);
			EXPECT_STREQ("out", rec->mnemonic);
			EXPECT_EQ(TVMM_ACTION_EMULATED, rec->action);
			if (rec->insn_len)
				EXPECT_EQ(0xee, rec->insn[0]);	/* out %al,(%dx) */
		}
		if (rec->reason_code == EXIT_REASON_HLT && rec->insn_len)
			EXPECT_EQ(0xf4, rec->insn[0]);
	}
}

/*
 * A record's instruction bytes are the guest's own bytes at its RIP, and
 * nothing past insn_len: checked against the image for every CPUID and
 * I/O exit (trace.c builds the bytes of the short forms from the exit
 * instead of reading them: io_sizes.bin has IN and OUT of each size, with
 * an immediate port and with DX, with and without the 0x66 prefix).
 */
TEST_F(run, records_insn_bytes_are_the_guests)
{
	static const char *const guests[] = { "io_sizes.bin", "cpuid_leaves.bin", "hello.bin" };

	for (size_t g = 0; g < sizeof(guests) / sizeof(guests[0]); g++) {
		struct tvmm_config c = vm_config(TVMM_MODE_HW, TVMM_CONFIG_TRACE, 0);
		struct vm_result *r = &self->res;
		unsigned int checked = 0;
		char path[PATH_MAX];
		unsigned char *img;
		ssize_t size;

		REQUIRE_GUEST(guests[g]);
		size = read_whole_file(guest_path(guests[g], path, sizeof(path)), (void **)&img);
		ASSERT_LT(0, size);
		vm_result_free(r);
		memset(r, 0, sizeof(*r));
		ASSERT_EQ(0, vm_run_guest(&c, guests[g], r, NULL)) TH_LOG("%s", guests[g]);
		for (size_t i = 0; i < r->nrecs; i++) {
			const struct tvmm_exit_record *rec = &r->recs[i];
			__u64 off = rec->rip - TVMM_GUEST_LOAD_GPA;

			if (rec->reason_code != EXIT_REASON_CPUID &&
			    rec->reason_code != EXIT_REASON_IO_INSTRUCTION)
				continue;
			ASSERT_LT(0, rec->insn_len) TH_LOG("%s seq %llu: no bytes", guests[g], rec->seq);
			ASSERT_LE(off + rec->insn_len, (__u64)size)
				TH_LOG("%s seq %llu: rip 0x%llx", guests[g], rec->seq, rec->rip);
			EXPECT_EQ(0, memcmp(rec->insn, img + off, rec->insn_len))
				TH_LOG("%s seq %llu rip 0x%llx: %02x %02x %02x, image %02x %02x %02x",
				       guests[g], rec->seq, rec->rip, rec->insn[0], rec->insn[1],
				       rec->insn[2], img[off], img[off + 1], img[off + 2]);
			for (size_t k = rec->insn_len; k < TVMM_INSN_MAX; k++) {
				EXPECT_EQ(0, rec->insn[k])
					TH_LOG("%s seq %llu: byte %zu past insn_len", guests[g],
					       rec->seq, k);
			}
			checked++;
		}
		EXPECT_LT(0, checked) TH_LOG("%s: no CPUID or I/O record", guests[g]);
		free(img);
	}
}

/*
 * The same OUT twice, the second time with a (redundant) DS prefix: the
 * same exit qualification, one byte longer. The record writer keeps the
 * last unprefixed IN/OUT's bytes for the next one like it (trace.c,
 * trace_io_insn()): the prefixed one must get its own bytes, from memory,
 * and the plain one after it its own again.
 *	mov $0xe9, %edx; mov $0x41, %al; out %al, (%dx); ds out %al, (%dx)
 *	mov $0x0a, %al; out %al, (%dx); hlt
 */
TEST_F(run, records_prefixed_io_has_its_own_bytes)
{
	static const unsigned char code[] = {
		0xba, 0xe9, 0x00, 0x00, 0x00, 0xb0, 0x41, 0xee,
		0x3e, 0xee, 0xb0, 0x0a, 0xee, 0xf4,
	};
	static const struct { unsigned int off, len; } want[] = { { 7, 1 }, { 8, 2 }, { 12, 1 } };
	struct tvmm_config c = vm_config(TVMM_MODE_HW, TVMM_CONFIG_TRACE, 0);
	struct vm_result *r = &self->res;
	size_t n = 0;

	self->fd = vm_create(&c);
	ASSERT_LE(0, self->fd);
	ASSERT_EQ(0, vm_load(self->fd, code, sizeof(code)));
	ASSERT_EQ(0, vm_run_to_end(self->fd, r));
	ASSERT_STREQ("AA\n", r->console);
	for (size_t i = 0; i < r->nrecs; i++) {
		const struct tvmm_exit_record *rec = &r->recs[i];

		if (rec->reason_code != EXIT_REASON_IO_INSTRUCTION)
			continue;
		ASSERT_GT(3, n) TH_LOG("more than three I/O records");
		EXPECT_EQ(TVMM_GUEST_LOAD_GPA + want[n].off, rec->rip) TH_LOG("OUT %zu", n);
		EXPECT_EQ(want[n].len, rec->insn_len) TH_LOG("OUT %zu", n);
		EXPECT_EQ(0, memcmp(rec->insn, code + want[n].off, want[n].len))
			TH_LOG("OUT %zu: %02x %02x, image %02x %02x", n, rec->insn[0], rec->insn[1],
			       code[want[n].off], code[want[n].off + 1]);
		EXPECT_EQ(0, rec->insn[want[n].len]) TH_LOG("OUT %zu: a byte past its length", n);
		n++;
	}
	EXPECT_EQ(3, n);
}

/* Without TVMM_CONFIG_TRACE: no records, but the stats still count. */
TEST_F(run, no_trace_no_records_stats_count)
{
	struct tvmm_config c = vm_config(TVMM_MODE_HW, 0, 0);
	struct vm_result *r = &self->res;
	struct tvmm_stats st;

	ASSERT_EQ(0, vm_run_guest(&c, "hello.bin", r, &self->fd));
	EXPECT_EQ(0, r->nrecs);
	EXPECT_STREQ(HELLO_TEXT, r->console);
	ASSERT_EQ(0, ioctl(self->fd, TVMM_GET_STATS, &st)) TH_LOG("%s", strerror(errno));
	EXPECT_EQ(strlen(HELLO_TEXT), st.count[EXIT_REASON_IO_INSTRUCTION]);
	EXPECT_EQ(1, st.count[EXIT_REASON_HLT]);
	EXPECT_EQ(r->run.exits, st.exits);
}

/* With tracing: the stats agree with the records, reason by reason. */
TEST_F(run, stats_match_records)
{
	struct tvmm_config c = vm_config(TVMM_MODE_HW, TVMM_CONFIG_TRACE, 0);
	struct vm_result *r = &self->res;
	struct tvmm_stats st;
	__u64 cycles = 0;

	ASSERT_EQ(0, vm_run_guest(&c, "io_loop.bin", r, &self->fd));
	ASSERT_EQ(0, ioctl(self->fd, TVMM_GET_STATS, &st));
	EXPECT_EQ(0, st.records_dropped);
	EXPECT_EQ(r->nrecs, st.exits);
	for (unsigned int reason = 0; reason < TVMM_NR_EXIT_REASONS; reason++) {
		EXPECT_EQ(count_reason(r, reason), st.count[reason])
			TH_LOG("reason %u", reason);
	}
	for (size_t i = 0; i < r->nrecs; i++)
		if (r->recs[i].reason_code == EXIT_REASON_IO_INSTRUCTION)
			cycles += r->recs[i].cycles;
	EXPECT_EQ(cycles, st.cycles[EXIT_REASON_IO_INSTRUCTION]);
}

/* cpuid_loop: 100 CPUID exits, and the guest never sees VMX. */
TEST_F(run, cpuid_exits_and_hides_vmx)
{
	struct tvmm_config c = vm_config(TVMM_MODE_HW, TVMM_CONFIG_TRACE, 0);
	struct vm_result *r = &self->res;
	struct tvmm_regs regs;

	ASSERT_EQ(0, vm_run_guest(&c, "cpuid_loop.bin", r, &self->fd));
	EXPECT_EQ(TVMM_END_HLT, r->run.end) TH_LOG("%s: %s", end_name(r->run.end),
						  r->run.message);
	EXPECT_STREQ(CPUID_TEXT, r->console);
	EXPECT_LE(CPUID_ITERATIONS, count_reason(r, EXIT_REASON_CPUID));
	ASSERT_EQ(0, ioctl(self->fd, TVMM_GET_REGS, &regs)) TH_LOG("%s", strerror(errno));
	EXPECT_EQ(CPUID_ITERATIONS, regs.rbp) TH_LOG("EBP counts the guest's iterations");
	/* EDI = OR of every CPUID.1:ECX the guest saw */
	EXPECT_EQ(0, regs.rdi & CPUID_1_ECX_VMX)
		TH_LOG("the guest saw CPUID.1:ECX = 0x%llx: VMX bit 5 set", regs.rdi);
}

/* The same guest twice gets the same CPUID answers (checksum in ESI). */
TEST_F(run, cpuid_answers_stable)
{
	struct tvmm_config c = vm_config(TVMM_MODE_HW, 0, 0);
	struct tvmm_regs first, second;
	int fd;

	ASSERT_EQ(0, vm_run_guest(&c, "cpuid_loop.bin", &self->res, &fd));
	ASSERT_EQ(0, ioctl(fd, TVMM_GET_REGS, &first));
	close(fd);
	ASSERT_EQ(0, vm_run_guest(&c, "cpuid_loop.bin", &self->res, &fd));
	ASSERT_EQ(0, ioctl(fd, TVMM_GET_REGS, &second));
	close(fd);
	EXPECT_EQ(first.rsi & 0xffffffff, second.rsi & 0xffffffff);
	EXPECT_EQ(first.rdi & 0xffffffff, second.rdi & 0xffffffff);
}

/* io_loop: 100 OUTs to 0xE9, 4 INs from port 0x80, then HLT. */
TEST_F(run, io_loop_counts)
{
	struct tvmm_config c = vm_config(TVMM_MODE_HW, TVMM_CONFIG_TRACE, 0);
	struct vm_result *r = &self->res;
	unsigned int outs = 0, ins = 0;
	char want[IO_LOOP_OUTS + 1];

	ASSERT_EQ(0, vm_run_guest(&c, "io_loop.bin", r, NULL));
	EXPECT_EQ(TVMM_END_HLT, r->run.end) TH_LOG("%s: %s", end_name(r->run.end),
						  r->run.message);
	memset(want, '.', IO_LOOP_OUTS - 1);
	want[IO_LOOP_OUTS - 1] = '\n';
	want[IO_LOOP_OUTS] = '\0';
	EXPECT_STREQ(want, r->console);
	for (size_t i = 0; i < r->nrecs; i++) {
		const struct tvmm_exit_record *rec = &r->recs[i];

		if (rec->reason_code != EXIT_REASON_IO_INSTRUCTION)
			continue;
		if (rec->qual & IO_QUAL_IN) {
			ins++;
			EXPECT_EQ(IO_LOOP_UNKNOWN_PORT, io_qual_port(rec->qual));
		} else {
			outs++;
			EXPECT_EQ(TVMM_CONSOLE_PORT, io_qual_port(rec->qual));
		}
	}
	EXPECT_EQ(IO_LOOP_OUTS, outs);
	EXPECT_EQ(IO_LOOP_INS, ins);
	EXPECT_EQ(1, count_reason(r, EXIT_REASON_HLT));
}

/* realmode: a boot sector at 0000:7c00, really in real mode. */
TEST_F(run, realmode_boot_sector)
{
	struct tvmm_config c = vm_config(TVMM_MODE_REAL, TVMM_CONFIG_TRACE, 0);
	struct vm_result *r = &self->res;
	struct tvmm_regs regs;

	ASSERT_EQ(0, vm_run_guest(&c, "realmode.bin", r, &self->fd));
	EXPECT_EQ(TVMM_END_HLT, r->run.end) TH_LOG("%s: %s", end_name(r->run.end),
						  r->run.message);
	EXPECT_STREQ(REAL_TEXT, r->console);
	EXPECT_EQ(strlen(REAL_TEXT), count_reason(r, EXIT_REASON_IO_INSTRUCTION));
	for (size_t i = 0; i < r->nrecs; i++) {
		const struct tvmm_exit_record *rec = &r->recs[i];

		if (exit_is_host_noise(rec))
			continue;
		EXPECT_EQ(0, rec->cs) TH_LOG("seq %llu: cs 0x%x", rec->seq, rec->cs);
		EXPECT_LE(TVMM_GUEST_REAL_LOAD_GPA, rec->rip);
		EXPECT_GT(TVMM_GUEST_REAL_LOAD_GPA + REAL_SECTOR_SIZE, rec->rip);
	}
	ASSERT_EQ(0, ioctl(self->fd, TVMM_GET_REGS, &regs));
	EXPECT_EQ(0, regs.cr0 & X86_CR0_PE) TH_LOG("guest CR0 0x%llx: PE set", regs.cr0);
	EXPECT_EQ(0, regs.cs);
}

/* spin: max_exits ends it with TVMM_END_MAX_EXITS after exactly that many exits. */
TEST_F_TIMEOUT(run, spin_stopped_by_max_exits, 300)
{
	struct tvmm_config c = vm_config(TVMM_MODE_HW, 0, SPIN_MAX_EXITS);
	struct vm_result *r = &self->res;
	int ret;

	arm_alarm(240);	/* a safety net, so a stuck run fails with a message */
	ret = vm_run_guest(&c, "spin.bin", r, NULL);
	alarm(0);
	ASSERT_EQ(0, ret) TH_LOG("%s%s", strerror(-ret), alarm_fired ?
				 ": no end after 240 s (are host interrupts and the preemption timer exiting?)" : "");
	EXPECT_EQ(TVMM_END_MAX_EXITS, r->run.end) TH_LOG("%s: %s", end_name(r->run.end),
							r->run.message);
	EXPECT_EQ(SPIN_MAX_EXITS, r->run.exits);
}

/* spin: a signal makes TVMM_RUN fail with EINTR; the VM stays intact. */
TEST_F(run, spin_interrupted_by_signal)
{
	struct tvmm_config c = vm_config(TVMM_MODE_HW, 0, 0);
	struct tvmm_run run;
	struct tvmm_regs regs;
	int ret;

	self->fd = vm_create(&c);
	ASSERT_LE(0, self->fd) TH_LOG("%s", strerror(-self->fd));
	ASSERT_LT(0, vm_load_file(self->fd, "spin.bin"));
	arm_alarm(1);
	memset(&run, 0, sizeof(run));
	ret = ioctl(self->fd, TVMM_RUN, &run);
	alarm(0);
	EXPECT_EQ(-1, ret);
	EXPECT_EQ(EINTR, errno) TH_LOG("TVMM_RUN: %s", strerror(errno));
	EXPECT_TRUE(alarm_fired);
	/* The VM is intact: still spinning on its only instruction. */
	ASSERT_EQ(0, ioctl(self->fd, TVMM_GET_REGS, &regs)) TH_LOG("%s", strerror(errno));
	EXPECT_EQ(TVMM_GUEST_LOAD_GPA, regs.rip);
	/* ... and can run again until the next signal. */
	arm_alarm(1);
	ret = ioctl(self->fd, TVMM_RUN, &run);
	alarm(0);
	EXPECT_EQ(-1, ret);
	EXPECT_EQ(EINTR, errno);
	/* Destroying it mid-run is clean: the next VM works. */
	EXPECT_EQ(0, close(self->fd));
	self->fd = -1;
	c = vm_config(TVMM_MODE_HW, 0, 0);
	ASSERT_EQ(0, vm_run_guest(&c, "hello.bin", &self->res, NULL));
	EXPECT_STREQ(HELLO_TEXT, self->res.console);
}

/* triple_fault: the VM ends with TVMM_END_TRIPLE_FAULT, the host lives. */
TEST_F(run, triple_fault_ends_vm)
{
	struct tvmm_config c = vm_config(TVMM_MODE_HW, TVMM_CONFIG_TRACE, 0);
	struct vm_result *r = &self->res;

	ASSERT_EQ(0, vm_run_guest(&c, "triple_fault.bin", r, NULL));
	EXPECT_EQ(TVMM_END_TRIPLE_FAULT, r->run.end) TH_LOG("%s: %s", end_name(r->run.end),
							   r->run.message);
	ASSERT_LT(0, r->nrecs);
	EXPECT_EQ(EXIT_REASON_TRIPLE_FAULT, r->recs[r->nrecs - 1].reason_code);
	EXPECT_EQ(TVMM_ACTION_FATAL, r->recs[r->nrecs - 1].action);
	EXPECT_NE('\0', r->run.message[0]) TH_LOG("a dead VM says why in run.message");
}

/* outside_ram: a store to GPA 0x40000000 ends it with an EPT violation. */
TEST_F(run, outside_ram_ept_violation)
{
	struct tvmm_config c = vm_config(TVMM_MODE_HW, TVMM_CONFIG_TRACE, 0);
	struct vm_result *r = &self->res;

	ASSERT_EQ(0, vm_run_guest(&c, "outside_ram.bin", r, NULL));
	EXPECT_EQ(TVMM_END_EPT_VIOLATION, r->run.end) TH_LOG("%s: %s", end_name(r->run.end),
							    r->run.message);
	EXPECT_EQ(OUTSIDE_GPA, r->run.end_info);
	ASSERT_LT(0, r->nrecs);
	EXPECT_EQ(EXIT_REASON_EPT_VIOLATION, r->recs[r->nrecs - 1].reason_code);
	EXPECT_EQ(OUTSIDE_GPA, r->recs[r->nrecs - 1].gpa);
	EXPECT_EQ(TVMM_GUEST_LOAD_GPA, r->recs[r->nrecs - 1].rip);
}

/*
 * msr_cr: two RDMSR of IA32_TSC exit (tvmm intercepts RDMSR: no MSR
 * bitmap, or one that traps 0x10), MOV to CR0 toggling TS exits (TS is in
 * tvmm's CR0 guest/host mask), and the guest ends with HLT.
 */
TEST_F(run, msr_and_cr_exits)
{
	struct tvmm_config c = vm_config(TVMM_MODE_HW, TVMM_CONFIG_TRACE, 0);
	struct vm_result *r = &self->res;
	struct tvmm_regs regs;

	ASSERT_EQ(0, vm_run_guest(&c, "msr_cr.bin", r, &self->fd));
	EXPECT_EQ(TVMM_END_HLT, r->run.end) TH_LOG("%s: %s", end_name(r->run.end),
						  r->run.message);
	EXPECT_EQ(2, count_reason(r, EXIT_REASON_MSR_READ));
	EXPECT_LE(1, count_reason(r, EXIT_REASON_CR_ACCESS))
		TH_LOG("reasons: %s", reason_sequence(r, self->seq, sizeof(self->seq)));
	ASSERT_EQ(0, ioctl(self->fd, TVMM_GET_REGS, &regs));
	EXPECT_EQ(X86_CR0_PE, regs.rbx & X86_CR0_PE) TH_LOG("guest CR0 0x%llx", regs.rbx);
	EXPECT_EQ(0, regs.rbx & (1ULL << 3)) TH_LOG("CR0.TS still set: 0x%llx", regs.rbx);
}

/* vmcall: putc hypercalls print, exit(3) ends with exit_status 3. */
TEST_F(run, vmcall_putc_and_exit_status)
{
	struct tvmm_config c = vm_config(TVMM_MODE_HW, TVMM_CONFIG_TRACE, 0);
	struct vm_result *r = &self->res;

	ASSERT_EQ(0, vm_run_guest(&c, "vmcall.bin", r, NULL));
	EXPECT_EQ(TVMM_END_HYPERCALL, r->run.end) TH_LOG("%s: %s", end_name(r->run.end),
							r->run.message);
	EXPECT_EQ(VMCALL_STATUS, r->run.exit_status);
	EXPECT_STREQ(VMCALL_TEXT, r->console);
	EXPECT_EQ(strlen(VMCALL_TEXT) + 1, count_reason(r, EXIT_REASON_VMCALL));
}

/* Two VMs at once, one spinning, one printing, stay independent. */
TEST_F_TIMEOUT(run, two_vms_independent, 300)
{
	struct tvmm_config spin = vm_config(TVMM_MODE_HW, TVMM_CONFIG_TRACE, SPIN_MAX_EXITS);
	struct tvmm_config hello = vm_config(TVMM_MODE_HW, TVMM_CONFIG_TRACE, 0);
	struct vm_result *r = &self->res;
	int status, spin_fd;
	pid_t pid;

	/* Both exist before either runs. */
	spin_fd = vm_create(&spin);
	ASSERT_LE(0, spin_fd);
	ASSERT_LT(0, vm_load_file(spin_fd, "spin.bin"));
	self->fd = vm_create(&hello);
	ASSERT_LE(0, self->fd);
	ASSERT_LT(0, vm_load_file(self->fd, "hello.bin"));

	pid = fork();
	ASSERT_LE(0, pid);
	if (pid == 0) {
		static struct vm_result sr;
		int ret = vm_run_to_end(spin_fd, &sr);

		/* 0: right end; 1: run failed; 2: wrong end; 3: wrong count */
		if (ret)
			_exit(1);
		if (sr.run.end != TVMM_END_MAX_EXITS)
			_exit(2);
		_exit(sr.run.exits == SPIN_MAX_EXITS && sr.nrecs == SPIN_MAX_EXITS ? 0 : 3);
	}
	ASSERT_EQ(0, vm_run_to_end(self->fd, r));
	EXPECT_STREQ(HELLO_TEXT, r->console);
	EXPECT_EQ(TVMM_END_HLT, r->run.end);
	/* Nothing of the spinning VM in hello's records. */
	for (size_t i = 0; i < r->nrecs; i++)
		EXPECT_EQ(i, r->recs[i].seq);
	EXPECT_EQ(strlen(HELLO_TEXT), count_reason(r, EXIT_REASON_IO_INSTRUCTION));

	ASSERT_EQ(pid, waitpid(pid, &status, 0));
	ASSERT_TRUE(WIFEXITED(status));
	EXPECT_EQ(0, WEXITSTATUS(status))
		TH_LOG("spin VM: 1 run failed, 2 did not end with MAX_EXITS, 3 not %d exits/records",
		       SPIN_MAX_EXITS);
	close(spin_fd);
}

/* poll(): POLLIN while records wait, not once they are read. */
TEST_F(run, poll_reports_records)
{
	struct tvmm_config c = vm_config(TVMM_MODE_HW, TVMM_CONFIG_TRACE, 0);
	struct pollfd pfd;
	struct tvmm_run run;

	self->fd = vm_create(&c);
	ASSERT_LE(0, self->fd);
	ASSERT_LT(0, vm_load_file(self->fd, "hello.bin"));
	memset(&run, 0, sizeof(run));
	ASSERT_EQ(0, ioctl(self->fd, TVMM_RUN, &run)) TH_LOG("%s", strerror(errno));
	pfd.fd = self->fd;
	pfd.events = POLLIN;
	EXPECT_EQ(1, poll(&pfd, 1, 0));
	EXPECT_TRUE(pfd.revents & POLLIN);
	ASSERT_EQ(0, vm_drain(self->fd, &self->res));
	EXPECT_LT(0, self->res.nrecs);
	pfd.revents = 0;
	EXPECT_EQ(0, poll(&pfd, 1, 0));
	EXPECT_FALSE(pfd.revents & POLLIN);
}

/* read() with room for less than one record: EINVAL. */
TEST_F(run, read_short_buffer_einval)
{
	struct tvmm_config c = vm_config(TVMM_MODE_HW, TVMM_CONFIG_TRACE, 0);
	struct tvmm_run run;
	char small[sizeof(struct tvmm_exit_record) - 1];

	self->fd = vm_create(&c);
	ASSERT_LE(0, self->fd);
	ASSERT_LT(0, vm_load_file(self->fd, "hello.bin"));
	ASSERT_EQ(0, ioctl(self->fd, TVMM_RUN, &run));
	EXPECT_EQ(-1, read(self->fd, small, sizeof(small)));
	EXPECT_EQ(EINVAL, errno);
}

/* Bad inputs: each refused with its errno, none kills the module. */
TEST_F(run, bad_inputs_refused)
{
	struct tvmm_config c = vm_config(TVMM_MODE_HW, 0, 0);
	struct tvmm_run run;
	size_t too_big = TVMM_GUEST_MEM_DEFAULT - TVMM_GUEST_LOAD_GPA + 1;
	char *big = calloc(1, too_big);
	int fd;

	ASSERT_NE(NULL, big);

	/* An empty image: EINVAL. */
	fd = vm_create(&c);
	ASSERT_LE(0, fd);
	EXPECT_EQ(-EINVAL, vm_load(fd, big, 0));
	/* One byte more than RAM above the load address: EFBIG. */
	EXPECT_EQ(-EFBIG, vm_load(fd, big, too_big));
	/* RUN before a successful LOAD_IMAGE: EINVAL (nothing to run). */
	EXPECT_EQ(-1, ioctl(fd, TVMM_RUN, &run));
	EXPECT_EQ(EINVAL, errno);
	/* Exactly RAM above the load address fits. */
	EXPECT_EQ(0, vm_load(fd, big, too_big - 1));
	close(fd);
	free(big);

	/* A mode that does not exist: EINVAL. */
	c = vm_config(99, 0, 0);
	EXPECT_EQ(-EINVAL, vm_create(&c));
	/* A reserved field not zero: EINVAL. */
	c = vm_config(TVMM_MODE_HW, 0, 0);
	c.reserved[0] = 1;
	EXPECT_EQ(-EINVAL, vm_create(&c));
	/* A flag tvmm does not know: EINVAL. */
	c = vm_config(TVMM_MODE_HW, 1U << 31, 0);
	EXPECT_EQ(-EINVAL, vm_create(&c));
	/* Guest RAM not a multiple of 4 KiB, or beyond the maximum: EINVAL. */
	c = vm_config(TVMM_MODE_HW, 0, 0);
	c.mem_size = TVMM_GUEST_MEM_DEFAULT + 1;
	EXPECT_EQ(-EINVAL, vm_create(&c));
	c.mem_size = TVMM_GUEST_MEM_MAX + 4096;
	EXPECT_EQ(-EINVAL, vm_create(&c));
	/* A timer period too short to let the guest run: EINVAL. */
	c = vm_config(TVMM_MODE_HW, 0, 0);
	c.timer_ticks = TVMM_TIMER_MIN - 1;
	EXPECT_EQ(-EINVAL, vm_create(&c));

	/* The module still runs guests. */
	c = vm_config(TVMM_MODE_HW, 0, 0);
	ASSERT_EQ(0, vm_run_guest(&c, "hello.bin", &self->res, NULL));
	EXPECT_STREQ(HELLO_TEXT, self->res.console);
}

/*
 * The tvmm tool, when installed: its exit status follows how the guest
 * ended (tvmm.1, EXIT STATUS), and --trace writes one line per exit.
 */
TEST_F(run, cli_exit_status)
{
	static const struct {
		const char *args;
		int status;
	} cases[] = {
		{ "hello.bin", 0 },
		{ "vmcall.bin", VMCALL_STATUS },
		{ "triple_fault.bin", 110 },
		{ "outside_ram.bin", 111 },
		{ "--max-exits 100 spin.bin", 112 },
		{ "--mode real realmode.bin", 0 },
	};
	char dir[PATH_MAX], cmd[PATH_MAX * 2 + 256];
	int status;

	if (system("command -v tvmm >/dev/null 2>&1"))
		SKIP(return, "the tvmm tool is not in PATH");
	guest_path("", dir, sizeof(dir));
	for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		snprintf(cmd, sizeof(cmd), "cd %s && tvmm run %s >/dev/null 2>&1", dir,
			 cases[i].args);
		status = system(cmd);
		ASSERT_TRUE(WIFEXITED(status));
		EXPECT_EQ(cases[i].status, WEXITSTATUS(status))
			TH_LOG("tvmm run %s", cases[i].args);
	}
	snprintf(cmd, sizeof(cmd),
		 "cd %s && tvmm run --trace /tmp/run_test.jsonl hello.bin >/dev/null 2>&1 && "
		 "test \"$(grep -c '\"reason\":\"IO_INSTRUCTION\"' /tmp/run_test.jsonl)\" = %zu && "
		 "tvmm stats /tmp/run_test.jsonl | grep -q 'Total Samples:'", dir,
		 strlen(HELLO_TEXT));
	EXPECT_EQ(0, system(cmd)) TH_LOG("%s", cmd);
	unlink("/tmp/run_test.jsonl");
}

TEST_HARNESS_MAIN
