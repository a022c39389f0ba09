// SPDX-License-Identifier: GPL-2.0
/*
 * lab03_test - the VMCS tvmm builds passes the VM-entry checks.
 *
 * Grades lab 03 (build a VMCS: module/vmcs.c, TODO(lab03.1) the control
 * adjust helper, TODO(lab03.2) the protected-mode guest state).
 *
 * Rule under test (SDM vol. 3C, 27.2 "Checks on VMX controls and host-
 * state area", 27.3.1 "Checks on the guest state area"; vol. 3D, A.3-A.5
 * "VM-execution, VM-exit and VM-entry controls"): VMLAUNCH enters the
 * guest only if every control respects its capability MSR (allowed-0
 * bits set, allowed-1 bits the limit) and the guest state is consistent;
 * otherwise it fails and nothing runs. The guest ABI (docs/abi.md) fixes
 * that state: 32-bit protected mode, paging off, flat 4 GiB segments at
 * ring 0 (tvmm's selectors: code 0x08, data 0x10), EIP 0x10000, ESP at
 * the top of RAM, interrupts off.
 *
 * Proof of a successful entry: any exit the guest caused. With lab 04
 * done, guests/halt.bin ends with HLT; with lab 04 still a stub (nothing
 * mapped in the EPT) its very first fetch is an EPT violation at 0x10000,
 * an exit that only a running guest can cause, so this lab is graded
 * without lab 04. A failed entry (TVMM_END_ENTRY_FAILED) or lab 03's own
 * TODO (TVMM_END_TODO, end_info 3) fails.
 *
 * A CPU that offers less: tvmm's test_hide_ctls2 parameter makes it see
 * secondary controls the CPU cannot set. Without VPID (optional) the
 * adjusted controls must drop it and the guest still run; without EPT
 * (needed) the VMCS setup must fail, naming the field and the bit.
 *
 * The controls and the guest state are read back from the VMCS snapshot
 * tvmm takes at the last exit (debugfs tvmm/vmN/vmcs, see vmcs_dump() in
 * module/vmcs.c) and from TVMM_GET_REGS.
 *
 * Needs: a VT-x CPU with EPT and unrestricted guest (the Bochs lab VM).
 */
#include "vm_util.h"
#include "../kselftest_harness.h"

#define HALT_GUEST		"halt.bin"
#define LAB03			3	/* TVMM_END_TODO's end_info: the lab */
#define LAB04			4

/* Control bits tvmm asks for (SDM vol. 3C, 25.6 and 25.7; 24.6.2 tables). */
#define PIN_EXT_INTR_EXITING	(1U << 0)
#define PIN_PREEMPTION_TIMER	(1U << 6)
#define CPU_HLT_EXITING		(1U << 7)
#define CPU_UNCOND_IO_EXITING	(1U << 24)
#define CPU_SECONDARY_CONTROLS	(1U << 31)
#define CPU2_ENABLE_EPT		(1U << 1)
#define CPU2_ENABLE_VPID	(1U << 5)
#define CPU2_UNRESTRICTED_GUEST	(1U << 7)
#define EXIT_HOST_ADDR_SPACE	(1U << 9)
#define ENTRY_IA32E_MODE_GUEST	(1U << 9)
#define ENTRY_LOAD_EFER		(1U << 15)

/* EPT pointer (SDM vol. 3C, 25.6.11): memory type WB, 4-level walk. */
#define EPTP_MEMTYPE_MASK	0x7
#define EPTP_MEMTYPE_WB		6
#define EPTP_WALK_MASK		(0x7 << 3)
#define EPTP_WALK_4		(3 << 3)

/* Segment access rights as VMCS fields hold them (SDM vol. 3C, 25.4.1). */
#define AR_TYPE_MASK		0xf
#define AR_TYPE_CODE		(1U << 3)
#define AR_TYPE_DATA_WRITABLE	(1U << 1)
#define AR_S_CODE_DATA		(1U << 4)
#define AR_DPL(ar)		(((ar) >> 5) & 3)
#define AR_PRESENT		(1U << 7)
#define AR_DB_32BIT		(1U << 14)
#define AR_GRANULARITY_4K	(1U << 15)
#define AR_UNUSABLE		(1U << 16)

#define FLAT_LIMIT		0xffffffffULL
#define ABI_CODE_SEL		0x08	/* GDT index 1, RPL 0 */
#define ABI_DATA_SEL		0x10	/* GDT index 2, RPL 0 */
#define X86_EFLAGS_FIXED	(1ULL << 1)	/* RFLAGS bit 1 is always 1 */
#define SEL_RPL_MASK		3
#define X86_CR0_PG		(1ULL << 31)

FIXTURE(vmcs) {
	struct vm_result res;
	int fd;
	int vm_id;
};

FIXTURE_SETUP(vmcs)
{
	memset(&self->res, 0, sizeof(self->res));
	self->fd = -1;
	REQUIRE_VMX_AND_TVMM();
	REQUIRE_GUEST(HALT_GUEST);
}

FIXTURE_TEARDOWN(vmcs)
{
	vm_result_free(&self->res);
	if (self->fd >= 0)
		close(self->fd);
}

/*
 * Run halt.bin with tracing and keep its fd (and so its debugfs
 * directory) open. An ioctl error fails: ENOPKG is a lab stub.
 */
#define RUN_HALT()								\
	do {									\
		struct tvmm_config __c = vm_config(TVMM_MODE_HW, TVMM_CONFIG_TRACE, 0); \
		int __ret = vm_run_guest(&__c, HALT_GUEST, &self->res, &self->fd); \
		ASSERT_EQ(0, __ret) TH_LOG("running %s: %s%s", HALT_GUEST,	\
			strerror(-__ret), __ret == -ENOPKG ?			\
			" (a lab stub: dmesg names the TODO)" : "");		\
		self->vm_id = ioctl(self->fd, TVMM_GET_VM_ID);			\
		ASSERT_LE(0, self->vm_id) TH_LOG("TVMM_GET_VM_ID: %s", strerror(errno)); \
		TH_LOG("vm%d ended with %s (end_info 0x%llx): %s", self->vm_id, \
		       end_name(self->res.run.end), self->res.run.end_info,	\
		       self->res.run.message);					\
	} while (0)

/* The record of an exit only a guest that entered can cause, or -1. */
static ssize_t entry_proof(const struct vm_result *r)
{
	for (size_t i = 0; i < r->nrecs; i++) {
		const struct tvmm_exit_record *rec = &r->recs[i];

		if (rec->reason_code == EXIT_REASON_HLT && rec->rip == TVMM_GUEST_LOAD_GPA)
			return i;
		/* Lab 04 still a stub: nothing mapped, the first fetch faults. */
		if (rec->reason_code == EXIT_REASON_EPT_VIOLATION &&
		    rec->gpa == TVMM_GUEST_LOAD_GPA)
			return i;
	}
	return -1;
}

/* Field @name of the VMCS snapshot, asserted present. */
#define VMCS_FIELD(name, var)							\
	do {									\
		int __ret = vmcs_debugfs_field(self->vm_id, name, &(var));	\
		ASSERT_EQ(0, __ret) TH_LOG("%s in " TVMM_DEBUGFS "/vm%d/vmcs: %s%s", \
			name, self->vm_id, strerror(-__ret), __ret == -ENOENT ?	\
			" (no snapshot: the guest never ran)" : "");		\
	} while (0)

/*
 * VM entry succeeded: halt.bin ran its first instruction, or at least
 * fetched it (an EPT violation at 0x10000 while lab 04 is a stub).
 */
TEST_F(vmcs, halt_guest_entry_succeeds)
{
	struct vm_result *r = &self->res;
	char seq[256];
	ssize_t i;

	RUN_HALT();
	ASSERT_NE(TVMM_END_ENTRY_FAILED, r->run.end)
		TH_LOG("VM entry failed (end_info 0x%llx): %s; dmesg has the VMCS dump",
		       r->run.end_info, r->run.message);
	ASSERT_FALSE(r->run.end == TVMM_END_TODO && r->run.end_info == LAB03)
		TH_LOG("lab 03 is still a stub: %s", r->run.message);
	ASSERT_NE(TVMM_END_INTERNAL, r->run.end) TH_LOG("%s", r->run.message);
	i = entry_proof(r);
	ASSERT_LE(0, i) TH_LOG("no HLT or EPT-violation exit at 0x%x in the trace (reasons: %s), end %s: %s",
			       TVMM_GUEST_LOAD_GPA, reason_sequence(r, seq, sizeof(seq)),
			       end_name(r->run.end), r->run.message);
	if (r->recs[i].reason_code == EXIT_REASON_HLT) {
		EXPECT_TRUE(r->run.end == TVMM_END_HLT ||
			    (r->run.end == TVMM_END_TODO && r->run.end_info == LAB04))
			TH_LOG("HLT exit, then %s", end_name(r->run.end));
	} else {
		/* Only lab 04's stub leaves guest RAM unmapped. */
		EXPECT_EQ(TVMM_END_TODO, r->run.end);
		EXPECT_EQ(LAB04, r->run.end_info);
		TH_LOG("lab 04 is a stub: the guest entered and its first fetch faulted");
	}
	EXPECT_LT(0, r->run.exits);
}

/*
 * The controls in the VMCS are the ones tvmm asked for (HLT and all I/O
 * exit, EPT and unrestricted guest on, host interrupts and the preemption
 * timer exit, a 64-bit host, a 32-bit guest), each folded into what its
 * capability MSR allows.
 */
TEST_F(vmcs, controls_as_asked_and_allowed)
{
	static const struct {
		const char *field;
		__u32 want;
		__u32 never;
	} ctls[] = {
		{ "PIN_BASED_VM_EXEC_CONTROL", PIN_EXT_INTR_EXITING | PIN_PREEMPTION_TIMER, 0 },
		{ "CPU_BASED_VM_EXEC_CONTROL",
		  CPU_HLT_EXITING | CPU_UNCOND_IO_EXITING | CPU_SECONDARY_CONTROLS, 0 },
		{ "SECONDARY_VM_EXEC_CONTROL", CPU2_ENABLE_EPT | CPU2_UNRESTRICTED_GUEST, 0 },
		{ "VM_EXIT_CONTROLS", EXIT_HOST_ADDR_SPACE, 0 },
		{ "VM_ENTRY_CONTROLS", ENTRY_LOAD_EFER, ENTRY_IA32E_MODE_GUEST },
	};
	struct tvmm_caps caps;
	__u64 cap[5], value, eptp;
	bool true_ctls;

	RUN_HALT();
	ASSERT_EQ(0, ioctl(self->fd, TVMM_GET_CAPS, &caps)) TH_LOG("%s", strerror(errno));
	true_ctls = caps.flags & TVMM_CAPS_TRUE_CTLS;
	cap[0] = true_ctls ? caps.true_pinbased_ctls : caps.pinbased_ctls;
	cap[1] = true_ctls ? caps.true_procbased_ctls : caps.procbased_ctls;
	cap[2] = caps.procbased_ctls2;
	cap[3] = true_ctls ? caps.true_exit_ctls : caps.exit_ctls;
	cap[4] = true_ctls ? caps.true_entry_ctls : caps.entry_ctls;

	for (size_t i = 0; i < sizeof(ctls) / sizeof(ctls[0]); i++) {
		__u32 allowed0 = (__u32)cap[i], allowed1 = (__u32)(cap[i] >> 32);

		VMCS_FIELD(ctls[i].field, value);
		TH_LOG("%-26s 0x%08llx (must-be-1 0x%08x, may-be-1 0x%08x)", ctls[i].field,
		       value, allowed0, allowed1);
		EXPECT_EQ(ctls[i].want, value & ctls[i].want)
			TH_LOG("%s: bits 0x%llx tvmm asks for are clear", ctls[i].field,
			       ctls[i].want & ~value);
		EXPECT_EQ(0, value & ctls[i].never)
			TH_LOG("%s: bits 0x%llx must stay clear", ctls[i].field,
			       value & ctls[i].never);
		EXPECT_EQ(allowed0, value & allowed0)
			TH_LOG("%s: allowed-0 bits 0x%llx (the capability MSR's low half) are clear",
			       ctls[i].field, allowed0 & ~value);
		EXPECT_EQ(0, value & ~(__u64)allowed1)
			TH_LOG("%s: bits 0x%llx are set that the capability MSR's high half forbids",
			       ctls[i].field, value & ~(__u64)allowed1);
	}
	VMCS_FIELD("EPT_POINTER", eptp);
	EXPECT_NE(0, eptp & ~0xfffULL) TH_LOG("EPT pointer 0x%llx has no PML4", eptp);
	EXPECT_EQ(EPTP_MEMTYPE_WB, eptp & EPTP_MEMTYPE_MASK) TH_LOG("EPTP 0x%llx", eptp);
	EXPECT_EQ(EPTP_WALK_4, eptp & EPTP_WALK_MASK) TH_LOG("EPTP 0x%llx", eptp);
}

/* One segment of the snapshot is flat 32-bit at ring 0, of the right kind. */
static void check_flat_segment(struct __test_metadata *_metadata, int vm_id,
			       const char *seg, bool code, __u64 want_sel)
{
	char name[48];
	__u64 sel, base, limit, ar;

	snprintf(name, sizeof(name), "GUEST_%s_SELECTOR", seg);
	ASSERT_EQ(0, vmcs_debugfs_field(vm_id, name, &sel)) TH_LOG("%s", name);
	snprintf(name, sizeof(name), "GUEST_%s_BASE", seg);
	ASSERT_EQ(0, vmcs_debugfs_field(vm_id, name, &base)) TH_LOG("%s", name);
	snprintf(name, sizeof(name), "GUEST_%s_LIMIT", seg);
	ASSERT_EQ(0, vmcs_debugfs_field(vm_id, name, &limit)) TH_LOG("%s", name);
	snprintf(name, sizeof(name), "GUEST_%s_AR_BYTES", seg);
	ASSERT_EQ(0, vmcs_debugfs_field(vm_id, name, &ar)) TH_LOG("%s", name);
	TH_LOG("%s: selector 0x%llx base 0x%llx limit 0x%llx access rights 0x%llx",
	       seg, sel, base, limit, ar);

	EXPECT_EQ(want_sel, sel) TH_LOG("%s: selector 0x%llx, tvmm's flat %s selector is 0x%llx",
					 seg, sel, code ? "code" : "data", want_sel);
	EXPECT_EQ(0, sel & SEL_RPL_MASK) TH_LOG("%s: RPL %llu, the ABI says ring 0", seg,
						sel & SEL_RPL_MASK);
	EXPECT_EQ(0, base) TH_LOG("%s: not flat", seg);
	EXPECT_EQ(FLAT_LIMIT, limit) TH_LOG("%s: limit is not 4 GiB", seg);
	EXPECT_EQ(0, ar & AR_UNUSABLE) TH_LOG("%s: marked unusable", seg);
	EXPECT_TRUE(ar & AR_PRESENT) TH_LOG("%s: not present", seg);
	EXPECT_TRUE(ar & AR_S_CODE_DATA) TH_LOG("%s: a system descriptor", seg);
	EXPECT_EQ(0, AR_DPL(ar)) TH_LOG("%s: DPL %llu", seg, AR_DPL(ar));
	EXPECT_TRUE(ar & AR_DB_32BIT) TH_LOG("%s: not a 32-bit segment", seg);
	EXPECT_TRUE(ar & AR_GRANULARITY_4K)
		TH_LOG("%s: limit 4 GiB needs 4 KiB granularity (SDM 27.3.1.2)", seg);
	if (code) {
		EXPECT_TRUE(ar & AR_TYPE_CODE) TH_LOG("%s: type 0x%llx is not code", seg,
						      ar & AR_TYPE_MASK);
	} else {
		EXPECT_EQ(AR_TYPE_DATA_WRITABLE, ar & (AR_TYPE_CODE | AR_TYPE_DATA_WRITABLE))
			TH_LOG("%s: type 0x%llx is not writable data", seg, ar & AR_TYPE_MASK);
	}
}

/*
 * The guest state is the guest ABI's: flat ring-0 code and data segments,
 * protected mode without paging, RIP at the image (it ran at most the
 * HLT), RSP at the top of the 2 MiB of RAM, IF clear, no IDT.
 */
TEST_F(vmcs, guest_state_per_abi)
{
	static const char *const data_segs[] = { "DS", "ES", "SS", "FS", "GS" };
	struct tvmm_regs regs;
	__u64 rip, rsp, rflags, cr0, idtr_limit;

	RUN_HALT();
	check_flat_segment(_metadata, self->vm_id, "CS", true, ABI_CODE_SEL);
	for (size_t i = 0; i < sizeof(data_segs) / sizeof(data_segs[0]); i++)
		check_flat_segment(_metadata, self->vm_id, data_segs[i], false, ABI_DATA_SEL);

	VMCS_FIELD("GUEST_RIP", rip);
	VMCS_FIELD("GUEST_RSP", rsp);
	VMCS_FIELD("GUEST_RFLAGS", rflags);
	VMCS_FIELD("GUEST_CR0", cr0);
	VMCS_FIELD("GUEST_IDTR_LIMIT", idtr_limit);
	/* halt.bin is 3 bytes: HLT, then a jump back to it. */
	EXPECT_LE(TVMM_GUEST_LOAD_GPA, rip);
	EXPECT_GE(TVMM_GUEST_LOAD_GPA + 1, rip) TH_LOG("RIP 0x%llx", rip);
	EXPECT_EQ(TVMM_GUEST_MEM_DEFAULT, rsp) TH_LOG("RSP 0x%llx, not the top of RAM", rsp);
	EXPECT_EQ(X86_EFLAGS_FIXED, rflags)
		TH_LOG("RFLAGS 0x%llx: the ABI enters with only bit 1 set (IF clear)", rflags);
	EXPECT_TRUE(cr0 & X86_CR0_PE) TH_LOG("CR0 0x%llx: not protected mode", cr0);
	EXPECT_EQ(0, cr0 & X86_CR0_PG) TH_LOG("CR0 0x%llx: paging on", cr0);
	EXPECT_EQ(0, idtr_limit) TH_LOG("IDTR limit 0x%llx: the guest has no IDT yet",
					idtr_limit);

	/* TVMM_GET_REGS shows the same state. */
	ASSERT_EQ(0, ioctl(self->fd, TVMM_GET_REGS, &regs)) TH_LOG("%s", strerror(errno));
	EXPECT_EQ(0, regs.cpl) TH_LOG("hw mode runs the guest at ring 0");
	EXPECT_EQ(rip, regs.rip);
	EXPECT_EQ(TVMM_GUEST_MEM_DEFAULT, regs.rsp);
	EXPECT_NE(0, regs.cs);
	EXPECT_EQ(0, regs.cs & SEL_RPL_MASK);
	EXPECT_NE(0, regs.ds);
	EXPECT_EQ(regs.ds, regs.ss);
	EXPECT_TRUE(regs.cr0 & X86_CR0_PE);
}

/* RSP at the top of RAM follows --mem: 1 MiB of RAM, ESP 0x100000. */
TEST_F(vmcs, rsp_follows_mem_size)
{
	struct tvmm_config c = vm_config(TVMM_MODE_HW, TVMM_CONFIG_TRACE, 0);
	struct tvmm_regs regs;
	int ret;

	c.mem_size = TVMM_GUEST_MEM_MIN;
	ret = vm_run_guest(&c, HALT_GUEST, &self->res, &self->fd);
	ASSERT_EQ(0, ret) TH_LOG("%s", strerror(-ret));
	ASSERT_NE(TVMM_END_ENTRY_FAILED, self->res.run.end) TH_LOG("%s", self->res.run.message);
	ASSERT_LE(0, entry_proof(&self->res)) TH_LOG("the guest did not run: %s: %s",
						      end_name(self->res.run.end),
						      self->res.run.message);
	ASSERT_EQ(0, ioctl(self->fd, TVMM_GET_REGS, &regs));
	EXPECT_EQ(TVMM_GUEST_MEM_MIN, regs.rsp) TH_LOG("RSP 0x%llx", regs.rsp);
}

/* Reload tvmm with test_hide_ctls2=@bits (0: as the CPU is); 0 or -errno. */
static int reload_hiding_ctls2(unsigned int bits)
{
	char params[48];
	int ret = tvmm_ensure_unloaded();

	if (ret)
		return ret;
	if (!bits)
		return tvmm_ensure_loaded();
	snprintf(params, sizeof(params), "test_hide_ctls2=%u", bits);
	return module_load(tvmm_ko_path(), params);
}

/*
 * A CPU without VPID (an optional control): the secondary controls are
 * adjusted without it, and the guest runs. A CPU without EPT (a control
 * tvmm needs): the VMCS setup fails with EOPNOTSUPP and dmesg names the
 * field and the missing bit; no VM entry is tried.
 */
TEST_F(vmcs, controls_follow_a_smaller_cpu)
{
	struct tvmm_caps caps;
	__u64 cpu2;
	char want[96];
	int ret;

	ret = reload_hiding_ctls2(CPU2_ENABLE_VPID);
	ASSERT_EQ(0, ret) TH_LOG("loading tvmm test_hide_ctls2=0x%x: %s", CPU2_ENABLE_VPID,
				 strerror(-ret));
	RUN_HALT();
	ASSERT_EQ(0, ioctl(self->fd, TVMM_GET_CAPS, &caps)) TH_LOG("%s", strerror(errno));
	ASSERT_EQ(0, (caps.procbased_ctls2 >> 32) & CPU2_ENABLE_VPID)
		TH_LOG("test_hide_ctls2 did not hide VPID: PROCBASED_CTLS2 0x%llx",
		       caps.procbased_ctls2);
	EXPECT_LE(0, entry_proof(&self->res))
		TH_LOG("without VPID (optional) the guest must still run: %s: %s",
		       end_name(self->res.run.end), self->res.run.message);
	VMCS_FIELD("SECONDARY_VM_EXEC_CONTROL", cpu2);
	EXPECT_EQ(0, cpu2 & CPU2_ENABLE_VPID)
		TH_LOG("secondary controls 0x%llx enable VPID, which this CPU's allowed-1 half (0x%llx) forbids",
		       cpu2, caps.procbased_ctls2 >> 32);
	EXPECT_EQ(CPU2_ENABLE_EPT | CPU2_UNRESTRICTED_GUEST,
		  cpu2 & (CPU2_ENABLE_EPT | CPU2_UNRESTRICTED_GUEST))
		TH_LOG("secondary controls 0x%llx", cpu2);
	close(self->fd);
	self->fd = -1;

	ret = reload_hiding_ctls2(CPU2_ENABLE_EPT);
	ASSERT_EQ(0, ret) TH_LOG("loading tvmm test_hide_ctls2=0x%x: %s", CPU2_ENABLE_EPT,
				 strerror(-ret));
	kernel_log_clear();
	RUN_HALT();
	EXPECT_EQ(TVMM_END_INTERNAL, self->res.run.end)
		TH_LOG("without EPT (needed) the VMCS setup must fail: ended with %s: %s",
		       end_name(self->res.run.end), self->res.run.message);
	snprintf(want, sizeof(want), "(%d,", -EOPNOTSUPP);
	EXPECT_NE(NULL, strstr(self->res.run.message, want))
		TH_LOG("end message \"%s\", want the error %s (EOPNOTSUPP)", self->res.run.message,
		       want);
	EXPECT_EQ(-1, entry_proof(&self->res)) TH_LOG("a guest ran without EPT");
	EXPECT_TRUE(kernel_log_contains("secondary controls"))
		TH_LOG("dmesg does not name the field (\"secondary controls\")");
	snprintf(want, sizeof(want), "cannot set control bits 0x%x ", CPU2_ENABLE_EPT);
	EXPECT_TRUE(kernel_log_contains(want)) TH_LOG("dmesg does not say \"%s\"", want);
	close(self->fd);
	self->fd = -1;
	ASSERT_EQ(0, reload_hiding_ctls2(0));
}

TEST_HARNESS_MAIN
