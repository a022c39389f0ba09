// SPDX-License-Identifier: GPL-2.0
/*
 * lab04_test - the first launch: guest RAM behind EPT, one HLT, the end.
 *
 * Grades lab 04 (first launch: module/ept.c TODO(lab04.1) maps guest RAM
 * in the EPT, module/exits.c TODO(lab04.2) handles the HLT exit).
 *
 * Rule under test (SDM vol. 3C, 29.3.2 "EPT Translation Mechanism"; 26.1.3
 * "Instructions That Cause VM Exits Conditionally", HLT exiting; 28.2.1
 * basic exit reasons): with EPT on, every guest-physical access goes
 * through tvmm's EPT; RAM that is mapped is just memory (no exit), an
 * address that is not mapped is an EPT violation whose exit carries the
 * guest-physical address. With "HLT exiting" set, HLT is a VM exit; the
 * guest ABI makes HLT with IF clear the normal end of a run, after tvmm
 * stepped over it.
 *
 * guests/halt.bin is one HLT: exactly one exit of its own, reason HLT, at
 * rip 0x10000, then the end (reason hlt). guests/outside_ram.bin stores
 * to 0x40000000, beyond its RAM: one EPT violation with that address,
 * the end (reason ept_violation). Neither does I/O or CPUID, so lab 04 is
 * graded with labs 05-10 still stubs. Host interrupts and the preemption
 * timer add exits anywhere (exit_is_host_noise()): counted, not judged.
 *
 * The EPT itself is read back from debugfs tvmm/vmN/ept (ept_show() in
 * module/ept.c: each guest page and the leaf entry the CPU's walk finds):
 * every page of RAM mapped once, read/write/execute, write-back, "ignore
 * PAT". And HLT with IF set (STI; HLT, no virtual timer) ends the VM with
 * end_info 1: nothing can wake it, but the guest did not ask to stop.
 *
 * Needs: a VT-x CPU with EPT and unrestricted guest (the Bochs lab VM).
 */
#include "vm_util.h"
#include "../kselftest_harness.h"

#define HALT_GUEST		"halt.bin"
#define OUTSIDE_GUEST		"outside_ram.bin"
#define OUTSIDE_GPA		(seed_params()->outside_gpa)	/* outside_ram.S's store (0x40000000 for seed 0) */
#define HLT_OPCODE		0xf4
#define HLT_LEN			1
#define EPT_QUAL_WRITE		(1ULL << 1)	/* SDM vol. 3C, table 28-7 */
#define EPT_QUAL_FETCH		(1ULL << 2)
#define X86_EFLAGS_FIXED	(1ULL << 1)	/* RFLAGS bit 1 is always 1 */
#define ABI_CODE_SEL		0x08	/* tvmm's flat ring-0 code selector */
#define MEM_8MIB		0x800000ULL	/* 4 EPT page tables, not 1 */
#define STI_OPCODE		0xfb
#define X86_EFLAGS_IF		(1ULL << 9)

/* EPT leaf entries (SDM vol. 3C, table 29-6). */
#define EPT_RWX			0x7ULL
#define EPT_MEMTYPE(e)		(((e) >> 3) & 7)
#define EPT_MEMTYPE_WB		6
#define EPT_IGNORE_PAT		(1ULL << 6)
#define EPT_PAGE_SIZE		(1ULL << 7)	/* ignored in a 4 KiB leaf: keep 0 */
#define EPT_ADDR_MASK		0x000ffffffffff000ULL

FIXTURE(launch) {
	struct vm_result res;
	int fd;
};

FIXTURE_SETUP(launch)
{
	static const char *const guests[] = { HALT_GUEST, OUTSIDE_GUEST };

	memset(&self->res, 0, sizeof(self->res));
	self->fd = -1;
	REQUIRE_VMX_AND_TVMM();
	for (size_t i = 0; i < sizeof(guests) / sizeof(guests[0]); i++)
		REQUIRE_GUEST(guests[i]);
}

FIXTURE_TEARDOWN(launch)
{
	vm_result_free(&self->res);
	if (self->fd >= 0)
		close(self->fd);
}

/* Run @guest traced with @mem bytes of RAM (0: the default); keep the fd. */
#define RUN_GUEST(guest, mem)							\
	do {									\
		struct tvmm_config __c = vm_config(TVMM_MODE_HW, TVMM_CONFIG_TRACE, 0); \
		int __ret;							\
		__c.mem_size = (mem);						\
		__ret = vm_run_guest(&__c, guest, &self->res, &self->fd);	\
		ASSERT_EQ(0, __ret) TH_LOG("running %s: %s%s", guest, strerror(-__ret), \
			__ret == -ENOPKG ? " (a lab stub: dmesg names the TODO)" : ""); \
		TH_LOG("%s ended with %s (end_info 0x%llx): %s", guest,	\
		       end_name(self->res.run.end), self->res.run.end_info,	\
		       self->res.run.message);					\
	} while (0)

/* The index of the only record the guest itself caused; fails if not one. */
static ssize_t only_guest_exit(struct __test_metadata *_metadata,
			       const struct vm_result *r)
{
	ssize_t found = -1;
	unsigned int n = 0;
	char seq[256];

	for (size_t i = 0; i < r->nrecs; i++) {
		if (exit_is_host_noise(&r->recs[i]))
			continue;
		n++;
		if (found < 0)
			found = i;
	}
	EXPECT_EQ(1, n) TH_LOG("the guest's own exits (reasons): %s",
			       reason_sequence(r, seq, sizeof(seq)));
	return n == 1 ? found : -1;
}

/*
 * halt.bin: its HLT is the only exit it causes, at the first byte of the
 * image; tvmm steps over it and ends the VM (reason hlt, end_info 0: IF
 * was clear).
 */
TEST_F(launch, halt_one_exit_then_end)
{
	struct vm_result *r = &self->res;
	const struct tvmm_exit_record *rec;
	struct tvmm_regs regs;
	ssize_t i;

	RUN_GUEST(HALT_GUEST, 0);
	ASSERT_FALSE(r->run.end == TVMM_END_TODO && r->run.end_info == 4)
		TH_LOG("lab 04 is still a stub: %s", r->run.message);
	EXPECT_EQ(TVMM_END_HLT, r->run.end) TH_LOG("%s", r->run.message);
	EXPECT_EQ(0, r->run.end_info) TH_LOG("end_info 0 = halted with IF clear");
	i = only_guest_exit(_metadata, r);
	ASSERT_LE(0, i);
	rec = &r->recs[i];
	EXPECT_EQ(EXIT_REASON_HLT, rec->reason_code)
		TH_LOG("reason %u, not HLT (%d)", rec->reason_code, EXIT_REASON_HLT);
	EXPECT_EQ(TVMM_GUEST_LOAD_GPA, rec->rip) TH_LOG("HLT exit at rip 0x%llx", rec->rip);
	EXPECT_STREQ("hlt", rec->mnemonic);
	EXPECT_NE(TVMM_ACTION_INJECTED, rec->action);
	EXPECT_EQ(ABI_CODE_SEL, rec->cs);
	EXPECT_EQ(0, rec->cpl);
	EXPECT_EQ(0, rec->vif);
	if (rec->insn_len) {
		EXPECT_EQ(HLT_OPCODE, rec->insn[0]);
	}
	/* It was the last exit: nothing ran after the end. */
	for (size_t k = i + 1; k < r->nrecs; k++) {
		EXPECT_TRUE(exit_is_host_noise(&r->recs[k]))
			TH_LOG("record %zu (reason %u) after the end", k, r->recs[k].reason_code);
	}
	/* tvmm stepped over the HLT (the guest would resume after it). */
	ASSERT_EQ(0, ioctl(self->fd, TVMM_GET_REGS, &regs)) TH_LOG("%s", strerror(errno));
	EXPECT_EQ(TVMM_GUEST_LOAD_GPA + HLT_LEN, regs.rip)
		TH_LOG("RIP 0x%llx after the end: step over the HLT (exit_skip_instruction)",
		       regs.rip);
}

/*
 * outside_ram.bin: the store to 0x40000000 has nothing behind it in the
 * EPT: one EPT violation, a write, at that guest-physical address, from
 * the store at 0x10000; the VM ends with that address in end_info.
 * (Its code at 0x10000 ran: that page is mapped.) Only that VM ended:
 * the next one runs.
 */
TEST_F(launch, outside_ram_ept_violation)
{
	struct vm_result *r = &self->res;
	const struct tvmm_exit_record *rec;
	ssize_t i;

	RUN_GUEST(OUTSIDE_GUEST, 0);
	EXPECT_EQ(TVMM_END_EPT_VIOLATION, r->run.end) TH_LOG("%s", r->run.message);
	EXPECT_EQ(OUTSIDE_GPA, r->run.end_info);
	i = only_guest_exit(_metadata, r);
	ASSERT_LE(0, i);
	rec = &r->recs[i];
	EXPECT_EQ(EXIT_REASON_EPT_VIOLATION, rec->reason_code);
	EXPECT_EQ(OUTSIDE_GPA, rec->gpa) TH_LOG("the record's gpa 0x%llx", rec->gpa);
	EXPECT_EQ(TVMM_GUEST_LOAD_GPA, rec->rip);
	EXPECT_TRUE(rec->qual & EPT_QUAL_WRITE) TH_LOG("qualification 0x%llx: not a write",
						       rec->qual);
	EXPECT_FALSE(rec->qual & EPT_QUAL_FETCH) TH_LOG("qualification 0x%llx: a fetch",
							rec->qual);
	EXPECT_EQ(TVMM_ACTION_FATAL, rec->action);

	close(self->fd);
	self->fd = -1;
	RUN_GUEST(HALT_GUEST, 0);
	EXPECT_EQ(TVMM_END_HLT, self->res.run.end) TH_LOG("after the EPT violation: %s",
							  self->res.run.message);
}

/*
 * Each record is whole and consistent with the run: version and size,
 * seq 0, 1, 2..., TSC not going back, run.exits = records = the stats'
 * total, each of the guest's records names its instruction or access
 * (the mnemonic), and the fields the guest state fixes (ring 0, IF clear,
 * RFLAGS bit 1, a gpa only for EPT exits). The runs end as the guests
 * mean to, not in a lab stub.
 */
TEST_F(launch, records_well_formed)
{
	static const char *const guests[] = { HALT_GUEST, OUTSIDE_GUEST };

	for (size_t g = 0; g < sizeof(guests) / sizeof(guests[0]); g++) {
		struct vm_result *r = &self->res;
		struct tvmm_stats stats;

		if (self->fd >= 0)
			close(self->fd);
		self->fd = -1;
		RUN_GUEST(guests[g], 0);
		ASSERT_NE(TVMM_END_TODO, r->run.end) TH_LOG("%s: a lab stub ran: %s", guests[g],
							    r->run.message);
		ASSERT_LT(0, r->nrecs) TH_LOG("%s: no records", guests[g]);
		EXPECT_EQ(r->run.exits, r->nrecs) TH_LOG("%s: run.exits %llu, records %zu",
							 guests[g], r->run.exits, r->nrecs);
		ASSERT_EQ(0, ioctl(self->fd, TVMM_GET_STATS, &stats)) TH_LOG("%s", strerror(errno));
		EXPECT_EQ(r->nrecs, stats.exits);
		EXPECT_EQ(0, stats.records_dropped);
		for (size_t i = 0; i < r->nrecs; i++) {
			const struct tvmm_exit_record *rec = &r->recs[i];

			ASSERT_EQ(TVMM_EXIT_RECORD_VERSION, rec->version);
			ASSERT_EQ(sizeof(*rec), rec->size);
			EXPECT_EQ(i, rec->seq) TH_LOG("%s: record %zu has seq %llu", guests[g],
						      i, rec->seq);
			if (i) {
				EXPECT_LE(r->recs[i - 1].tsc, rec->tsc);
			}
			EXPECT_EQ('\0', rec->mnemonic[TVMM_MNEMONIC_MAX - 1]);
			EXPECT_LE(rec->insn_len, TVMM_INSN_MAX);
			EXPECT_LE(rec->action, TVMM_ACTION_FATAL);
			EXPECT_TRUE(rec->rflags & X86_EFLAGS_FIXED)
				TH_LOG("seq %llu: RFLAGS 0x%llx", rec->seq, rec->rflags);
			EXPECT_NE(0, rec->cs);
			EXPECT_EQ(0, rec->cpl);
			EXPECT_EQ(0, rec->vif);
			EXPECT_LT(rec->reason_code, TVMM_NR_EXIT_REASONS);
			if (rec->reason_code < TVMM_NR_EXIT_REASONS) {
				EXPECT_LE(1, stats.count[rec->reason_code]);
			}
			if (!exit_is_host_noise(rec)) {
				EXPECT_NE('\0', rec->mnemonic[0])
					TH_LOG("%s: seq %llu (reason %u) has no mnemonic", guests[g],
					       rec->seq, rec->reason_code);
			}
			if (rec->reason_code != EXIT_REASON_EPT_VIOLATION) {
				EXPECT_EQ(0, rec->gpa) TH_LOG("seq %llu (reason %u): gpa 0x%llx",
							      rec->seq, rec->reason_code, rec->gpa);
			}
		}
	}
}

/*
 * All of RAM is mapped, up to its last page: a two-byte guest, PUSH EAX;
 * HLT, writes just below ESP = the top of RAM. With 8 MiB (four EPT page
 * tables: the walk must create tables beyond the first) and with the
 * 1 MiB minimum, the push is plain memory (no EPT violation) and the run
 * ends at the HLT.
 */
TEST_F(launch, top_of_ram_mapped)
{
	static const unsigned char push_hlt[] = { 0x50 /* push %eax */, HLT_OPCODE };
	static const __u64 sizes[] = { TVMM_GUEST_MEM_MIN, MEM_8MIB };

	for (size_t k = 0; k < sizeof(sizes) / sizeof(sizes[0]); k++) {
		struct tvmm_config c = vm_config(TVMM_MODE_HW, TVMM_CONFIG_TRACE, 0);
		struct vm_result *r = &self->res;
		int ret;

		c.mem_size = sizes[k];
		if (self->fd >= 0)
			close(self->fd);
		self->fd = vm_create(&c);
		ASSERT_LE(0, self->fd) TH_LOG("%s", strerror(-self->fd));
		ret = vm_load(self->fd, push_hlt, sizeof(push_hlt));
		ASSERT_EQ(0, ret) TH_LOG("loading: %s", strerror(-ret));
		ret = vm_run_to_end(self->fd, r);
		ASSERT_EQ(0, ret) TH_LOG("running: %s", strerror(-ret));
		EXPECT_EQ(TVMM_END_HLT, r->run.end)
			TH_LOG("with %llu KiB of RAM: %s (end_info 0x%llx): %s", sizes[k] >> 10,
			       end_name(r->run.end), r->run.end_info, r->run.message);
		EXPECT_EQ(0, count_reason(r, EXIT_REASON_EPT_VIOLATION))
			TH_LOG("with %llu KiB of RAM: the stack page 0x%llx is not mapped",
			       sizes[k] >> 10, sizes[k] - 4);
		EXPECT_EQ(1, count_reason(r, EXIT_REASON_HLT));
	}
}

static int cmp_u64(const void *a, const void *b)
{
	__u64 x = *(const __u64 *)a, y = *(const __u64 *)b;

	return x < y ? -1 : x > y;
}

/*
 * Check VM @vm_id's EPT as debugfs shows it: @pages leaves, one per page
 * in order, each RWX, write-back, ignore PAT, to distinct host pages.
 */
static void check_ept_leaves(struct __test_metadata *_metadata, int vm_id, __u64 pages)
{
	static char buf[1 << 20];
	char path[PATH_MAX], *line, *save = NULL;
	__u64 *hpa = calloc(pages, sizeof(*hpa)), n = 0;
	unsigned int bad = 0;

	ASSERT_NE(NULL, hpa);
	snprintf(path, sizeof(path), TVMM_DEBUGFS "/vm%d/ept", vm_id);
	ASSERT_LT(0, read_text_file(path, buf, sizeof(buf))) TH_LOG("%s: %s", path, strerror(errno));
	for (line = strtok_r(buf, "\n", &save); line; line = strtok_r(NULL, "\n", &save)) {
		unsigned long long gpa, e;
		char rest[32];

		if (!strncmp(line, "gpa", 3))
			continue;
		if (sscanf(line, "%llx %llx", &gpa, &e) != 2) {
			ASSERT_EQ(1, sscanf(line, "%llx %31s", &gpa, rest)) TH_LOG("\"%s\"", line);
			EXPECT_TRUE(0) TH_LOG("gpa 0x%llx: no leaf (\"%s\": a level of the walk is missing)",
					      gpa, rest);
			n++;
			continue;
		}
		ASSERT_GT(pages, n) TH_LOG("more leaves than %llu pages of RAM", pages);
		EXPECT_EQ(n << 12, gpa) TH_LOG("line %llu: gpa 0x%llx", n, gpa);
		if ((e & EPT_RWX) != EPT_RWX || EPT_MEMTYPE(e) != EPT_MEMTYPE_WB ||
		    !(e & EPT_IGNORE_PAT) || (e & EPT_PAGE_SIZE)) {
			if (bad++ < 4)
				EXPECT_TRUE(0)
					TH_LOG("gpa 0x%llx: leaf 0x%llx: permissions %llx (want 7 = RWX), memory type %llu (want 6 = WB), ignore PAT %d (want 1), bit 7 %d (want 0)",
					       gpa, e, e & EPT_RWX, EPT_MEMTYPE(e),
					       !!(e & EPT_IGNORE_PAT), !!(e & EPT_PAGE_SIZE));
		}
		hpa[n++] = e & EPT_ADDR_MASK;
	}
	EXPECT_EQ(0, bad) TH_LOG("leaves with wrong bits: %u of %llu", bad, n);
	EXPECT_EQ(pages, n) TH_LOG("leaves in %s", path);
	qsort(hpa, n, sizeof(*hpa), cmp_u64);
	for (__u64 i = 1; i < n; i++) {
		EXPECT_NE(hpa[i - 1], hpa[i]) TH_LOG("host page 0x%llx mapped twice", hpa[i]);
	}
	EXPECT_NE(0, n ? hpa[0] : 1) TH_LOG("a leaf maps host page 0");
	free(hpa);
}

/*
 * Every page of guest RAM has its own EPT leaf: RWX, write-back, ignore
 * PAT; with the default 2 MiB (one page table) and with 8 MiB (four).
 */
TEST_F(launch, ept_leaves_rwx_wb_ignore_pat)
{
	static const __u64 sizes[] = { TVMM_GUEST_MEM_DEFAULT, MEM_8MIB };

	for (size_t k = 0; k < sizeof(sizes) / sizeof(sizes[0]); k++) {
		int vm_id;

		if (self->fd >= 0)
			close(self->fd);
		self->fd = -1;
		RUN_GUEST(HALT_GUEST, sizes[k]);
		EXPECT_EQ(TVMM_END_HLT, self->res.run.end);
		vm_id = ioctl(self->fd, TVMM_GET_VM_ID);
		ASSERT_LE(0, vm_id) TH_LOG("TVMM_GET_VM_ID: %s", strerror(errno));
		TH_LOG("%llu KiB of RAM", sizes[k] >> 10);
		check_ept_leaves(_metadata, vm_id, sizes[k] >> 12);
	}
}

/*
 * STI; HLT with no virtual timer: nothing can wake the guest, so the VM
 * ends (reason hlt) after tvmm stepped over HLT, with end_info 1 (IF was
 * set). halt.bin's end, with IF clear, is end_info 0, "guest halted".
 */
TEST_F(launch, hlt_with_if_set_ends_with_info_1)
{
	static const unsigned char sti_hlt[] = { STI_OPCODE, HLT_OPCODE };
	struct tvmm_config c = vm_config(TVMM_MODE_HW, TVMM_CONFIG_TRACE, 0);
	struct vm_result *r = &self->res;
	struct tvmm_regs regs;
	ssize_t i;
	int ret;

	c.timer_ticks = TVMM_TIMER_OFF;
	self->fd = vm_create(&c);
	ASSERT_LE(0, self->fd) TH_LOG("%s", strerror(-self->fd));
	ret = vm_load(self->fd, sti_hlt, sizeof(sti_hlt));
	ASSERT_EQ(0, ret) TH_LOG("loading: %s", strerror(-ret));
	ret = vm_run_to_end(self->fd, r);
	ASSERT_EQ(0, ret) TH_LOG("running: %s", strerror(-ret));
	EXPECT_EQ(TVMM_END_HLT, r->run.end) TH_LOG("ended with %s: %s", end_name(r->run.end),
						  r->run.message);
	EXPECT_EQ(1, r->run.end_info) TH_LOG("end_info %llu: IF was set, want 1",
					     r->run.end_info);
	EXPECT_STRNE("guest halted", r->run.message)
		TH_LOG("the IF-clear message for a guest that halted with IF set");
	i = find_mnemonic(r, 0, "hlt");
	ASSERT_LE(0, i) TH_LOG("no record says \"hlt\"");
	EXPECT_TRUE(r->recs[i].rflags & X86_EFLAGS_IF) TH_LOG("rflags 0x%llx", r->recs[i].rflags);
	ASSERT_EQ(0, ioctl(self->fd, TVMM_GET_REGS, &regs)) TH_LOG("%s", strerror(errno));
	EXPECT_EQ(TVMM_GUEST_LOAD_GPA + sizeof(sti_hlt), regs.rip)
		TH_LOG("rip 0x%llx: not stepped over HLT", regs.rip);

	close(self->fd);
	self->fd = -1;
	RUN_GUEST(HALT_GUEST, 0);
	EXPECT_EQ(TVMM_END_HLT, r->run.end);
	EXPECT_EQ(0, r->run.end_info);
	EXPECT_STREQ("guest halted", r->run.message);
}

TEST_HARNESS_MAIN
