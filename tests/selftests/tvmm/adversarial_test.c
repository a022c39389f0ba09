// SPDX-License-Identifier: GPL-2.0
/*
 * adversarial_test - a hostile guest cannot hang, crash or read the host.
 *
 * Rules under test (issue 13):
 *   - no host address in the kernel log or debugfs: a failed VM entry
 *     dumps the guest fields and names the host ones without values, and
 *     debugfs `cpus` shows no physical address;
 *   - CR0/CR4/EFER writes are checked as the CPU checks them (SDM vol.
 *     3A, 2.5 "Control Registers"): a bad value is a #GP(0) for the guest,
 *     never a VMCS value that fails the next entry;
 *   - #AC and #DB are VM exits (the exception bitmap), so a benign
 *     exception the CPU would deliver forever (Xen XSA-156) is a loop of
 *     exits that --max-exits or a signal stops;
 *   - MOV DR is emulated on virtual debug registers; the guest's hardware
 *     breakpoint works and the host's watchpoints survive the guest;
 *   - WBINVD and RDPMC exit (WBINVD skipped, RDPMC reads 0);
 *   - the caller's GS selector and LDT survive TVMM_RUN;
 *   - a ring-1 kernel cannot write tvmm's shadow GDT/IDT (nor have tvmm
 *     write them for it) to forge a way back to ring 0.
 *
 * Guests: guests/adv_*.S (each header states the trace it expects) and
 * hello.bin. Needs: a VT-x CPU with EPT and unrestricted guest (the Bochs
 * lab VM).
 */
#define _GNU_SOURCE
#include "vm_util.h"
#include "../kselftest_harness.h"

#include <asm/ldt.h>
#include <ctype.h>
#include <linux/hw_breakpoint.h>
#include <linux/perf_event.h>
#include <regex.h>
#include <sys/syscall.h>

#define EXIT_REASON_RDPMC		15
#define EXIT_REASON_DR_ACCESS		29
#define EXIT_REASON_MSR_WRITE		32
#define EXIT_REASON_WBINVD		54
#define INTR_INFO_VECTOR(info)		((info) & 0xff)
#define X86_DB				1
#define X86_AC				17
#define CPUID7_ECX_PKU			(1U << 3)
#define CPUID7_ECX_LA57			(1U << 16)

/* adv_cr.S: CR writes that must #GP whatever the CPU (VMXE, bit 15, NW, PG, PCIDE). */
#define CR_ALWAYS_BAD			5
#define AC_MAX_EXITS			300
#define DR_MOVS				9	/* adv_dr.S: MOV to/from DR outside the handler */
#define WATCH_RUNS			4	/* guest runs, each followed by one watched write */
/* RFLAGS.VM (bit 17) with flat protected-mode segments: no valid guest state (SDM 27.3.1.2). */
#define RFLAGS_VM			(1ULL << 17)
#define RFLAGS_FIXED			(1ULL << 1)
#define RFLAGS_IOPL3			(3ULL << 12)
/* A kernel-space virtual address on x86-64 (direct map, vmalloc, text, modules). */
#define KERNEL_ADDR_RE			"(0x)?ffff[89a-f][0-9a-f]{11}"
/* An LDT selector: index 0, TI = 1, RPL 3. */
#define LDT_SEL				0x7
#define LDT_MARK			0x5a5aa5a5U
/* Linux x86-64's user data selector (__USER_DS: GDT entry 5, RPL 3), base 0. */
#define GDT_USER_DS			0x2b

FIXTURE(adv) {
	int fd;
	struct vm_result res;
};

FIXTURE_SETUP(adv)
{
	self->fd = -1;
	memset(&self->res, 0, sizeof(self->res));
	REQUIRE_VMX_AND_TVMM();
}

FIXTURE_TEARDOWN(adv)
{
	vm_result_free(&self->res);
	if (self->fd >= 0)
		close(self->fd);
}

/* Run guest @name in @mode with tracing and @max_exits; the VM stays open in self->fd. */
#define RUN_TRACED_MODE(mode, name, max_exits) do {				\
	struct tvmm_config __c = vm_config((mode), TVMM_CONFIG_TRACE, (max_exits)); \
	int __ret;								\
										\
	REQUIRE_GUEST(name);							\
	__ret = vm_run_guest(&__c, (name), &self->res, &self->fd);		\
	ASSERT_EQ(0, __ret) TH_LOG("%s: %s", (name), strerror(-__ret));		\
	TH_LOG("%s ended with %s (end_info 0x%llx, status %u): %s", (name),	\
	       end_name(self->res.run.end), self->res.run.end_info,		\
	       self->res.run.exit_status, self->res.run.message);		\
} while (0)

#define RUN_TRACED(name, max_exits)	RUN_TRACED_MODE(TVMM_MODE_HW, name, max_exits)

/* Records of the guest's @mnemonic that tvmm answered with an exception. */
static unsigned int count_reflected_insn(const struct vm_result *r, const char *prefix)
{
	unsigned int n = 0;

	for (size_t i = 0; i < r->nrecs; i++)
		n += r->recs[i].action == TVMM_ACTION_REFLECTED &&
		     !strncmp(r->recs[i].mnemonic, prefix, strlen(prefix));
	return n;
}

static unsigned int count_reflected(const struct vm_result *r, unsigned int reason,
				    int vector)
{
	unsigned int n = 0;

	for (size_t i = 0; i < r->nrecs; i++)
		n += r->recs[i].reason_code == reason &&
		     r->recs[i].action == TVMM_ACTION_REFLECTED &&
		     (vector < 0 || INTR_INFO_VECTOR(r->recs[i].intr_info) == (unsigned int)vector);
	return n;
}

/*
 * The first match of KERNEL_ADDR_RE in @text, copied to @out; false if
 * none. All ones (the VMCS link pointer's "none") is no address.
 */
static bool find_kernel_addr(const char *text, char *out, size_t size)
{
	regex_t re;
	regmatch_t m;
	bool found = false;

	if (regcomp(&re, KERNEL_ADDR_RE, REG_EXTENDED | REG_ICASE))
		return false;
	while (!found && !regexec(&re, text, 1, &m, 0)) {
		snprintf(out, size, "%.*s", (int)(m.rm_eo - m.rm_so), text + m.rm_so);
		found = !strstr(out, "ffffffffffffffff");
		text += m.rm_eo;
	}
	regfree(&re);
	return found;
}

/* /dev/kmsg opened at its end: what read_kmsg() returns is only what comes later. */
static int open_kmsg_at_end(void)
{
	int fd = open("/dev/kmsg", O_RDONLY | O_NONBLOCK | O_CLOEXEC);

	if (fd >= 0)
		lseek(fd, 0, SEEK_END);
	return fd;
}

/* Append every new record of @fd (one per read) to @buf. */
static void read_kmsg(int fd, char *buf, size_t size)
{
	size_t len = strlen(buf);
	ssize_t n;

	while (len + 1 < size && (n = read(fd, buf + len, size - 1 - len)) > 0)
		len += n;
	buf[len] = '\0';
}

/*
 * Every line of @text that names a host-state field (HOST_..., not
 * CR0_GUEST_HOST_MASK) shows no value (no "= 0x").
 */
static void expect_host_fields_hidden(struct __test_metadata *_metadata,
				      char *text, const char *where)
{
	for (char *line = strstr(text, "HOST_"); line; line = strstr(line + 1, "HOST_")) {
		char *eol = strchr(line, '\n');

		if (line > text && (isalnum((unsigned char)line[-1]) || line[-1] == '_'))
			continue;
		if (eol)
			*eol = '\0';
		EXPECT_EQ(NULL, strstr(line, "= 0x")) TH_LOG("a host value in %s: %s", where, line);
		if (!eol)
			break;
		*eol = '\n';
	}
}

/*
 * A bad CR0/CR4/EFER value is a #GP(0) in the guest, as on a CPU; good
 * values are taken as a CPU takes them (reserved CR0 bits ignored, ET
 * reads 1). adv_cr.bin's exit status names every case that went wrong.
 */
static void check_adv_cr(struct __test_metadata *_metadata, const struct vm_result *r)
{
	unsigned int eax, ebx, ecx, edx, want = CR_ALWAYS_BAD;

	__cpuid_count(7, 0, eax, ebx, ecx, edx);
	want += !(ecx & CPUID7_ECX_LA57) + !(ecx & CPUID7_ECX_PKU);
	ASSERT_EQ(TVMM_END_HYPERCALL, r->run.end)
		TH_LOG("a bad value reached the VMCS? %s", r->run.message);
	EXPECT_EQ(0, r->run.exit_status)
		TH_LOG("cases that went wrong (adv_cr.S bits): 0x%x", r->run.exit_status);
	EXPECT_EQ(want, count_reflected_insn(r, "mov cr"));
	EXPECT_EQ(1, count_reflected_insn(r, "wrmsr"));
}

TEST_F(adv, bad_control_register_values_get_gp)
{
	RUN_TRACED("adv_cr.bin", 1000);
	check_adv_cr(_metadata, &self->res);
	EXPECT_EQ(count_reflected_insn(&self->res, "mov cr"),
		  count_reflected(&self->res, EXIT_REASON_CR_ACCESS, -1));
}

/*
 * The same at ring 1: each MOV CR and WRMSR is a #GP exit that emulate.c
 * hands to the same handler, so the same checks apply.
 */
TEST_F(adv, bad_control_register_values_get_gp_deprivileged)
{
	RUN_TRACED_MODE(TVMM_MODE_DEPRIVILEGED, "adv_cr.bin", 1000);
	check_adv_cr(_metadata, &self->res);
}

/*
 * A failed VM entry dumps the VMCS to the kernel log: guest fields with
 * values, host fields (HOST_RIP, HOST_GS_BASE, HOST_CR3...) by name only.
 * The entry is made to fail through debugfs (vmN/fail_next_entry: tvmm
 * sets RFLAGS.VM in a protected-mode guest) because no guest and no ioctl
 * can provoke one any more.
 */
TEST_F(adv, entry_failure_dump_shows_no_host_address)
{
	static char log[1 << 16], vmcs[16384];
	struct tvmm_config c = vm_config(TVMM_MODE_HW, 0, 100);
	char path[PATH_MAX], addr[64];
	int kmsg, id, ret;

	REQUIRE_GUEST("hello.bin");
	kmsg = open_kmsg_at_end();
	ASSERT_LE(0, kmsg) TH_LOG("/dev/kmsg: %s", strerror(errno));
	self->fd = vm_create(&c);
	ASSERT_LE(0, self->fd) TH_LOG("%s", strerror(-self->fd));
	ASSERT_LT(0, vm_load_file(self->fd, "hello.bin"));
	id = ioctl(self->fd, TVMM_GET_VM_ID);
	ASSERT_LE(0, id);
	snprintf(path, sizeof(path), TVMM_DEBUGFS "/vm%d/fail_next_entry", id);
	ASSERT_EQ(0, write_text_file(path, "Y")) TH_LOG("%s: %s", path, strerror(errno));
	ret = vm_run_to_end(self->fd, &self->res);
	ASSERT_EQ(0, ret) TH_LOG("%s", strerror(-ret));
	ASSERT_EQ(TVMM_END_ENTRY_FAILED, self->res.run.end) TH_LOG("%s", self->res.run.message);

	log[0] = '\0';
	read_kmsg(kmsg, log, sizeof(log));
	close(kmsg);
	EXPECT_NE(NULL, strstr(log, "GUEST_RFLAGS")) TH_LOG("no VMCS dump in:\n%s", log);
	EXPECT_NE(NULL, strstr(log, "HOST_RIP")) TH_LOG("host fields not even named");
	EXPECT_FALSE(find_kernel_addr(log, addr, sizeof(addr)))
		TH_LOG("kernel address %s in the kernel log", addr);
	expect_host_fields_hidden(_metadata, log, "the kernel log");

	snprintf(path, sizeof(path), TVMM_DEBUGFS "/vm%d/vmcs", id);
	ASSERT_LT(0, read_text_file(path, vmcs, sizeof(vmcs)));
	EXPECT_FALSE(find_kernel_addr(vmcs, addr, sizeof(addr)))
		TH_LOG("kernel address %s in %s", addr, path);
	expect_host_fields_hidden(_metadata, vmcs, path);
}

/*
 * TVMM_SET_REGS refuses what would fail the next VM entry or break ring
 * 3's isolation: RFLAGS.VM or a reserved flag, a RIP or RSP above 4 GiB,
 * IOPL > 0 at ring 1. Each gets EINVAL and changes nothing: the guest
 * then runs as loaded (hello.bin). Before: all accepted, RFLAGS.VM and
 * the high RIP ended the run with a failed VM entry.
 */
TEST_F(adv, set_regs_refuses_states_the_cpu_refuses)
{
	static const struct { __u32 mode; __u64 rip, rsp, rflags; const char *what; } bad[] = {
		{ TVMM_MODE_HW, TVMM_GUEST_LOAD_GPA, 0x8000, RFLAGS_FIXED | RFLAGS_VM, "RFLAGS.VM" },
		{ TVMM_MODE_HW, TVMM_GUEST_LOAD_GPA, 0x8000, RFLAGS_FIXED | (1ULL << 15), "bit 15" },
		{ TVMM_MODE_HW, TVMM_GUEST_LOAD_GPA, 0x8000, RFLAGS_FIXED | (1ULL << 40), "bit 40" },
		{ TVMM_MODE_HW, 1ULL << 32 | TVMM_GUEST_LOAD_GPA, 0x8000, RFLAGS_FIXED, "RIP" },
		{ TVMM_MODE_HW, TVMM_GUEST_LOAD_GPA, 1ULL << 33, RFLAGS_FIXED, "RSP" },
		{ TVMM_MODE_DEPRIVILEGED, TVMM_GUEST_LOAD_GPA, 0x8000, RFLAGS_FIXED | RFLAGS_IOPL3,
		  "IOPL 3 at ring 1" },
	};

	REQUIRE_GUEST("hello.bin");
	for (size_t i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
		struct tvmm_config c = vm_config(bad[i].mode, 0, 1000);
		struct tvmm_regs regs = { .rip = bad[i].rip, .rsp = bad[i].rsp,
					  .rflags = bad[i].rflags };
		int fd = vm_create(&c), ret;

		ASSERT_LE(0, fd) TH_LOG("%s", strerror(-fd));
		ASSERT_LT(0, vm_load_file(fd, "hello.bin"));
		ret = ioctl(fd, TVMM_SET_REGS, &regs);
		EXPECT_EQ(-1, ret) TH_LOG("%s accepted", bad[i].what);
		EXPECT_EQ(EINVAL, errno) TH_LOG("%s: %s", bad[i].what, strerror(errno));
		vm_result_free(&self->res);
		ASSERT_EQ(0, vm_run_to_end(fd, &self->res));
		EXPECT_EQ(TVMM_END_HLT, self->res.run.end)
			TH_LOG("after refusing %s: %s", bad[i].what, self->res.run.message);
		close(fd);
	}
}

/* debugfs cpus: VMX on or off per CPU, no VMXON region address. */
TEST_F(adv, cpus_file_shows_no_physical_address)
{
	char buf[8192];

	ASSERT_LT(0, read_text_file(TVMM_DEBUGFS "/cpus", buf, sizeof(buf)));
	EXPECT_EQ(NULL, strstr(buf, "0x")) TH_LOG("%s", buf);
	EXPECT_NE(NULL, strstr(buf, "cpu0 online=1 vmx=on")) TH_LOG("%s", buf);
}

/*
 * MOV DR exits and is emulated on the VM's virtual DR0-DR7; the guest's
 * breakpoint hits once, as a #DB exit tvmm reflects with DR6.B0.
 */
TEST_F(adv, debug_registers_are_virtual_and_breakpoints_work)
{
	RUN_TRACED("adv_dr.bin", 1000);
	ASSERT_EQ(TVMM_END_HYPERCALL, self->res.run.end);
	EXPECT_EQ(0, self->res.run.exit_status)
		TH_LOG("adv_dr.S status bits 0x%x", self->res.run.exit_status);
	EXPECT_LE(DR_MOVS, count_reason(&self->res, EXIT_REASON_DR_ACCESS))
		TH_LOG("MOV DR ran natively: MOV-DR exiting is off");
	EXPECT_EQ(1, count_reflected(&self->res, EXIT_REASON_EXCEPTION_NMI, X86_DB))
		TH_LOG("#DB not intercepted and reflected");
}

/*
 * At ring 1 MOV DR still exits (MOV-DR exiting comes before the #GP of
 * CPL > 0, SDM 26.1.3) and tvmm treats ring 1 as the guest kernel's ring 0.
 */
TEST_F(adv, debug_registers_work_deprivileged)
{
	RUN_TRACED_MODE(TVMM_MODE_DEPRIVILEGED, "adv_dr.bin", 1000);
	ASSERT_EQ(TVMM_END_HYPERCALL, self->res.run.end);
	EXPECT_EQ(0, self->res.run.exit_status)
		TH_LOG("adv_dr.S status bits 0x%x", self->res.run.exit_status);
	EXPECT_LE(DR_MOVS, count_reason(&self->res, EXIT_REASON_DR_ACCESS));
	EXPECT_EQ(1, count_reflected(&self->res, EXIT_REASON_EXCEPTION_NMI, X86_DB));
}

static long perf_event_open(struct perf_event_attr *attr, pid_t pid, int cpu,
			    int group, unsigned long flags)
{
	return syscall(SYS_perf_event_open, attr, pid, cpu, group, flags);
}

/*
 * A watchpoint of the calling thread (DR0-DR3 and DR7 of the host) still
 * fires after a guest ran that armed its own breakpoint: a VM exit sets
 * DR7 to 0x400 (SDM 28.5.1), so tvmm must put the host's back.
 */
TEST_F(adv, host_watchpoint_survives_the_guest)
{
	static volatile int watched;
	struct perf_event_attr pe;
	long long count = -1;
	int pfd;

	memset(&pe, 0, sizeof(pe));
	pe.type = PERF_TYPE_BREAKPOINT;
	pe.size = sizeof(pe);
	pe.bp_type = HW_BREAKPOINT_W;
	pe.bp_addr = (unsigned long)&watched;
	pe.bp_len = HW_BREAKPOINT_LEN_4;
	pe.exclude_kernel = 1;
	pe.exclude_hv = 1;
	pfd = perf_event_open(&pe, 0, -1, -1, 0);
	if (pfd < 0)
		SKIP(return, "no hardware breakpoints for perf: %s", strerror(errno));
	/*
	 * A context switch between the last exit and the write re-arms the
	 * watchpoint anyway (perf reinstalls it): several runs make it
	 * unlikely that all of them hide a missing restore.
	 */
	for (int i = 1; i <= WATCH_RUNS; i++) {
		RUN_TRACED("adv_dr.bin", 1000);
		vm_result_free(&self->res);
		close(self->fd);
		self->fd = -1;
		watched = i;
		ASSERT_EQ(sizeof(count), read(pfd, &count, sizeof(count)));
		EXPECT_EQ(i, count) TH_LOG("the host's watchpoint did not fire after guest run %d", i);
	}
	close(pfd);
}

/* WBINVD and RDPMC exit; WBINVD is skipped, RDPMC reads 0. */
TEST_F(adv, wbinvd_and_rdpmc_exit)
{
	ssize_t i;

	RUN_TRACED("adv_cache_pmc.bin", 1000);
	ASSERT_EQ(TVMM_END_HYPERCALL, self->res.run.end);
	EXPECT_EQ(0, self->res.run.exit_status) TH_LOG("RDPMC gave the guest a host counter");
	EXPECT_EQ(1, count_reason(&self->res, EXIT_REASON_WBINVD));
	EXPECT_EQ(1, count_reason(&self->res, EXIT_REASON_RDPMC));
	i = find_mnemonic(&self->res, 0, "wbinvd");
	EXPECT_LE(0, i);
	EXPECT_LE(0, find_mnemonic(&self->res, 0, "rdpmc"));
}

static unsigned int read_gs(void)
{
	unsigned int sel;

	asm volatile("mov %%gs, %0" : "=r"(sel));
	return sel;
}

/*
 * The caller's GS selector and LDT survive TVMM_RUN: a VM exit loads
 * null selectors and an unusable LDTR (SDM 28.5.2), which a 32-bit
 * caller's TLS (GS) would not survive. With modify_ldt() GS points into
 * an LDT segment, else (a kernel without MODIFY_LDT_SYSCALL, like the lab
 * VM's) at the GDT's user data segment.
 */
TEST_F(adv, caller_gs_and_ldt_survive_a_run)
{
	static unsigned int mark = LDT_MARK;
	struct user_desc d = {
		.entry_number = 0, .base_addr = (unsigned long)&mark, .limit = 0xfff,
		.seg_32bit = 1, .contents = 0, .read_exec_only = 0, .limit_in_pages = 0,
		.seg_not_present = 0, .useable = 1,
	};
	struct tvmm_config c = vm_config(TVMM_MODE_HW, 0, 1000);
	unsigned int sel = GDT_USER_DS, before, after, via_ldt = 0;
	bool ldt = false;
	int ret;

	REQUIRE_GUEST("hello.bin");
	if ((unsigned long)&mark <= 0xffffffffUL &&
	    !syscall(SYS_modify_ldt, 1, &d, sizeof(d))) {
		sel = LDT_SEL;
		ldt = true;
	} else {
		TH_LOG("modify_ldt: %s: checking a GDT selector only", strerror(errno));
	}
	asm volatile("mov %0, %%gs" : : "r"(sel));
	before = read_gs();
	ret = vm_run_guest(&c, "hello.bin", &self->res, NULL);
	after = read_gs();
	if (ldt && after == sel)
		asm volatile("movl %%gs:0, %0" : "=r"(via_ldt));
	asm volatile("mov %0, %%gs" : : "r"(0));
	ASSERT_EQ(0, ret) TH_LOG("%s", strerror(-ret));
	EXPECT_EQ(sel, before);
	EXPECT_EQ(sel, after) TH_LOG("GS was 0x%x after TVMM_RUN, 0x%x before", after, before);
	if (ldt)
		EXPECT_EQ(LDT_MARK, via_ldt) TH_LOG("GS no longer reaches the LDT's segment");
}

/*
 * The #AC loop (XSA-156): every #AC is an exit, so --max-exits ends it.
 * Without #AC in the exception bitmap the CPU delivers #AC forever with
 * preemption off: this test (and the lab VM) hangs; in Bochs the
 * emulator itself recurses until it crashes. Kept at the end; set
 * TVMM_ADV_NO_LOOP to skip it when measuring such a module.
 */
TEST_F(adv, ac_delivery_loop_stops_at_max_exits)
{
	if (getenv("TVMM_ADV_NO_LOOP"))
		SKIP(return, "TVMM_ADV_NO_LOOP is set (measuring a module that would hang)");
	RUN_TRACED("adv_ac_loop.bin", AC_MAX_EXITS);
	ASSERT_EQ(TVMM_END_MAX_EXITS, self->res.run.end);
	EXPECT_LE(AC_MAX_EXITS * 9 / 10,
		  count_reflected(&self->res, EXIT_REASON_EXCEPTION_NMI, X86_AC))
		TH_LOG("#AC not intercepted and reflected");
}

static volatile sig_atomic_t alarm_fired;

static void on_alarm(int sig)
{
	(void)sig;
	alarm_fired = 1;
}

/* ... and a signal stops it too: TVMM_RUN returns EINTR. */
TEST_F(adv, ac_delivery_loop_stops_on_signal)
{
	struct tvmm_config c = vm_config(TVMM_MODE_HW, 0, 0);
	struct sigaction sa;
	int ret;

	if (getenv("TVMM_ADV_NO_LOOP"))
		SKIP(return, "TVMM_ADV_NO_LOOP is set (measuring a module that would hang)");
	REQUIRE_GUEST("adv_ac_loop.bin");
	memset(&sa, 0, sizeof(sa));
	sa.sa_handler = on_alarm;
	sigemptyset(&sa.sa_mask);
	sigaction(SIGALRM, &sa, NULL);
	alarm(2);
	ret = vm_run_guest(&c, "adv_ac_loop.bin", &self->res, &self->fd);
	alarm(0);
	EXPECT_EQ(-EINTR, ret) TH_LOG("%s", strerror(-ret));
	EXPECT_TRUE(alarm_fired);
	EXPECT_EQ(TVMM_END_NONE, self->res.run.end) TH_LOG("%s", self->res.run.message);
}

/*
 * adv_delivery.S: a fault raised while the CPU delivers the timer tick,
 * then one raised while it delivers a #GP. In every mode the guest must
 * get what the CPU gives it in hw mode: #GP(selector | EXT) with the
 * interrupted instruction not run, then #DF (status 0; the guest names
 * the first difference). At ring 1 both arrive as #GP exits in the middle
 * of a delivery (IDT-vectoring information valid): tvmm must reflect them
 * ("in delivery"), never emulate the OUT at RIP that the guest has not
 * executed. Before event.c: status 1, the #GP swallowed, the OUT run.
 */
#define DELIVERY_MAX_EXITS		20000

static unsigned int count_in_delivery(const struct vm_result *r)
{
	unsigned int n = 0;

	for (size_t i = 0; i < r->nrecs; i++)
		n += r->recs[i].action == TVMM_ACTION_REFLECTED &&
		     !strcmp(r->recs[i].mnemonic, "in delivery");
	return n;
}

static void check_delivery(struct __test_metadata *_metadata, const struct vm_result *r,
			   unsigned int in_delivery)
{
	ASSERT_EQ(TVMM_END_HYPERCALL, r->run.end) TH_LOG("%s", r->run.message);
	EXPECT_EQ(0, r->run.exit_status)
		TH_LOG("adv_delivery.S status %u (see its header)", r->run.exit_status);
	EXPECT_EQ(in_delivery, count_in_delivery(r));
}

TEST_F(adv, fault_in_delivery_hw_reference)
{
	RUN_TRACED_MODE(TVMM_MODE_HW, "adv_delivery.bin", DELIVERY_MAX_EXITS);
	check_delivery(_metadata, &self->res, 0);
}

TEST_F(adv, fault_in_delivery_deprivileged)
{
	RUN_TRACED_MODE(TVMM_MODE_DEPRIVILEGED, "adv_delivery.bin", DELIVERY_MAX_EXITS);
	check_delivery(_metadata, &self->res, 2);
}

TEST_F(adv, fault_in_delivery_patch)
{
	RUN_TRACED_MODE(TVMM_MODE_PATCH, "adv_delivery.bin", DELIVERY_MAX_EXITS);
	check_delivery(_metadata, &self->res, 2);
}

/*
 * adv_step.S: with RFLAGS.TF set, a #DB after every instruction, the ones
 * tvmm emulates included (CPUID and OUT exit in every mode; PUSHF/POPF
 * are patched sites in patch mode). The guest's status counts its steps
 * (0x37: all 7, and the ones right after CPUID and OUT). Before
 * exit_skip_instruction() raised them: 0x16 deprivileged, 0x14 patch
 * (hw mode passed in Bochs, which keeps the step pending at those exits).
 */
#define STEP_ALL			0x37

static void check_steps(struct __test_metadata *_metadata, const struct vm_result *r)
{
	ASSERT_EQ(TVMM_END_HYPERCALL, r->run.end) TH_LOG("%s", r->run.message);
	EXPECT_EQ(STEP_ALL, r->run.exit_status)
		TH_LOG("adv_step.S status 0x%x (see its header)", r->run.exit_status);
}

TEST_F(adv, single_step_over_emulated_hw)
{
	RUN_TRACED_MODE(TVMM_MODE_HW, "adv_step.bin", 1000);
	check_steps(_metadata, &self->res);
}

TEST_F(adv, single_step_over_emulated_deprivileged)
{
	RUN_TRACED_MODE(TVMM_MODE_DEPRIVILEGED, "adv_step.bin", 1000);
	check_steps(_metadata, &self->res);
}

TEST_F(adv, single_step_over_emulated_patch)
{
	RUN_TRACED_MODE(TVMM_MODE_PATCH, "adv_step.bin", 1000);
	check_steps(_metadata, &self->res);
}

/*
 * adv_setif.S: the set-IF hypercall turns the IF off, then STI. At ring 1
 * only the virtual IF may change: the real one stays 1, or the emulated
 * STI's shadow with IF = 0 fails the VM entry (status 113 before the fix;
 * found by make fuzz).
 */
TEST_F(adv, set_if_hypercall_then_sti)
{
	static const __u32 modes[] = { TVMM_MODE_HW, TVMM_MODE_DEPRIVILEGED, TVMM_MODE_PATCH };

	for (size_t i = 0; i < sizeof(modes) / sizeof(modes[0]); i++) {
		vm_result_free(&self->res);
		if (self->fd >= 0)
			close(self->fd);
		self->fd = -1;
		RUN_TRACED_MODE(modes[i], "adv_setif.bin", 100);
		EXPECT_EQ(TVMM_END_HYPERCALL, self->res.run.end)
			TH_LOG("mode %u: %s", modes[i], self->res.run.message);
		EXPECT_EQ(0, self->res.run.exit_status);
	}
}

/*
 * adv_shadow.S: a ring-1 kernel forges a DPL-0 code segment and a gate to
 * it in tvmm's shadow GDT (variant 0) or IDT (variant 1), found with
 * SGDT/SIDT, and passes through the gate. A VMM that leaves its shadow
 * tables writable lets it reach CPL 0 (console "cpl=0", status 0xb0):
 * de-privileging undone. tvmm maps its reserved region read-only in the
 * EPT: the first forged store must end the VM, at that table's GPA, with
 * a message naming the shadow tables, before any code runs at CPL 0.
 * tvmm's own stores for the guest pass the EPT by, so they must obey the
 * same rule: an SGDT emulated in patch mode (variant 2) and LTR's ring-1
 * stack written into a TSS the guest placed on the shadow GDT (variant 3).
 */
#define SHADOW_GUEST			"adv_shadow.bin"
#define SHADOW_MAGIC			"ASHD"
#define SHADOW_MAGIC_OFF		4
#define SHADOW_VARIANT_OFF		8
#define SHADOW_ESCAPED			0xb0	/* status: CPL 0 and a native CLI */
#define SHADOW_GDT_OFF			0x0	/* deprivilege.c's layout of the region */
#define SHADOW_IDT_OFF			0x1000
#define SHADOW_FORGED_DESC		0x18	/* the guest's first forged GDT entry */
#define SHADOW_FORGED_GATE		(0x30 * 8)	/* its forged IDT gate */
#define TSS_ESP1			12

/* Run adv_shadow.bin's @variant in @mode into @res. */
static int run_shadow(__u32 mode, __u32 variant, struct vm_result *res)
{
	struct tvmm_config c = vm_config(mode, TVMM_CONFIG_TRACE, 1000);
	int fd, ret;

	c.timer_ticks = TVMM_TIMER_OFF;
	fd = vm_create_with_word(&c, SHADOW_GUEST, SHADOW_MAGIC, SHADOW_MAGIC_OFF,
				 SHADOW_VARIANT_OFF, variant);
	if (fd < 0)
		return fd;
	ret = vm_run_to_end(fd, res);
	close(fd);
	return ret;
}

FIXTURE(shadow) {
	struct vm_result res;
};

/* Which attack, in which mode, and the offset in tvmm's region it must stop at. */
FIXTURE_VARIANT(shadow) {
	__u32 mode;
	__u32 variant;
	__u64 stop_off;
};

FIXTURE_VARIANT_ADD(shadow, gdt_call_gate) {
	.mode = TVMM_MODE_DEPRIVILEGED, .variant = 0,
	.stop_off = SHADOW_GDT_OFF + SHADOW_FORGED_DESC,
};

FIXTURE_VARIANT_ADD(shadow, idt_gate) {
	.mode = TVMM_MODE_DEPRIVILEGED, .variant = 1,
	.stop_off = SHADOW_IDT_OFF + SHADOW_FORGED_GATE,
};

FIXTURE_VARIANT_ADD(shadow, emulated_sgdt_patch) {
	.mode = TVMM_MODE_PATCH, .variant = 2,
	.stop_off = SHADOW_GDT_OFF + SHADOW_FORGED_DESC,
};

FIXTURE_VARIANT_ADD(shadow, ltr_ring1_stack) {
	.mode = TVMM_MODE_DEPRIVILEGED, .variant = 3,
	.stop_off = SHADOW_GDT_OFF + TSS_ESP1,
};

FIXTURE_SETUP(shadow)
{
	memset(&self->res, 0, sizeof(self->res));
	REQUIRE_VMX_AND_TVMM();
	REQUIRE_GUEST(SHADOW_GUEST);
}

FIXTURE_TEARDOWN(shadow)
{
	vm_result_free(&self->res);
}

TEST_F(shadow, write_refused_before_ring0)
{
	const struct vm_result *r = &self->res;
	int ret = run_shadow(variant->mode, variant->variant, &self->res);

	ASSERT_EQ(0, ret) TH_LOG("%s: %s", SHADOW_GUEST, strerror(-ret));
	TH_LOG("variant %u ended with %s (end_info 0x%llx, status 0x%x): %s", variant->variant,
	       end_name(r->run.end), r->run.end_info, r->run.exit_status, r->run.message);
	EXPECT_EQ(NULL, strstr(r->console, "cpl=0")) TH_LOG("the guest reached ring 0: %s",
							   r->console);
	EXPECT_NE(SHADOW_ESCAPED, r->run.exit_status);
	EXPECT_EQ(TVMM_END_EPT_VIOLATION, r->run.end);
	EXPECT_EQ(TVMM_GUEST_MEM_DEFAULT - TVMM_DEPRIV_RESERVED + variant->stop_off,
		  r->run.end_info);
	EXPECT_NE(NULL, strstr(r->run.message, "tvmm's shadow tables (de-privileging)"));
}

/* hw mode: the same code is a ring-0 kernel using its own gate (the test's reference). */
TEST(shadow_gate_hw_reference)
{
	struct vm_result res;
	int ret;

	memset(&res, 0, sizeof(res));
	REQUIRE_VMX_AND_TVMM();
	REQUIRE_GUEST(SHADOW_GUEST);
	ret = run_shadow(TVMM_MODE_HW, 0, &res);
	ASSERT_EQ(0, ret) TH_LOG("%s: %s", SHADOW_GUEST, strerror(-ret));
	EXPECT_EQ(TVMM_END_HYPERCALL, res.run.end) TH_LOG("%s", res.run.message);
	EXPECT_EQ(SHADOW_ESCAPED, res.run.exit_status);
	EXPECT_NE(NULL, strstr(res.console, "adv_shadow: cpl=0 if=0\n")) TH_LOG("%s", res.console);
	vm_result_free(&res);
}

TEST_HARNESS_MAIN
