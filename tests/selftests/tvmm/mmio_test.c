// SPDX-License-Identifier: GPL-2.0
/*
 * mmio_test - tvmm-dev, guest RAM sizing and isolation between VMs (lab 10).
 *
 * Rule under test (SDM vol. 3C, 29.3.3.2 "EPT Violations"; 28.2.1, table
 * 28-7 "Exit Qualification for EPT Violations"): a guest-physical access
 * that EPT does not map is an EPT-violation VM exit whose qualification
 * says read or write and whose guest-physical-address field says where.
 * tvmm maps nothing at tvmm-dev's page (TVMM_DEV_GPA), so each access
 * there exits; tvmm decodes the MOV, performs it on the device model and
 * resumes the guest after it: the guest sees a device, the trace one
 * EPT_VIOLATION per access with action "emulated", the GPA, direction,
 * width and value. An access tvmm cannot emulate exactly ends the VM with
 * TVMM_END_BAD_MMIO; an access past the end of RAM (--mem) with
 * TVMM_END_EPT_VIOLATION at that GPA. Each VM has its own RAM, EPT and
 * device: one VM's crash or device state never reaches another.
 *
 * Guests: mmio.bin, mmio_bad.bin, ram_size.bin, outside_ram.bin from
 * guests/ (installed beside this test, or in $GUEST_DIR), and a few
 * instructions assembled by hand below, each with its source. mmio.bin's
 * values (SCRATCH's, COUNTER's start and reads, SCRATCH at the doorbell)
 * and outside_ram.bin's GPA follow the seed (seed.h): the console and the
 * trace expected here are computed from it.
 *
 * Lab: 10 (memory and I/O). Needs: a VT-x CPU with EPT (the Bochs lab VM).
 */
#include "vm_util.h"
#include "../kselftest_harness.h"

#include <sys/mman.h>
#include <sys/wait.h>

#define DEV		TVMM_DEV_GPA
#define MIB		0x100000ULL
#define EPT_QUAL_READ	(1ULL << 0)
#define EPT_QUAL_WRITE	(1ULL << 1)
#define OUTSIDE_GPA	(seed_params()->outside_gpa)	/* outside_ram.S (0x40000000 for seed 0) */

/*
 * mmio.bin's console for this run's seed (seed.h; seed 0: scratch
 * 12345678, counter 5 read 3 times, scratch c0ffee00 at the doorbell).
 * The "tvmm-dev:" line is tvmm's own: it shows the device's state.
 */
static const char *mmio_text(void)
{
	const struct seed_params *p = seed_params();
	static char text[1024];
	unsigned int hi = p->mmio_scratch & 0xffff0000;
	size_t n;

	n = snprintf(text, sizeof(text),
		     "mmio: id TVMM version 00000001\n"
		     "mmio: scratch 32-bit %08x 16-bit %08x 8-bit %08x\n"
		     "mmio: counter", p->mmio_scratch, hi | 0xbeef, hi | 0x5aa5);
	for (unsigned int i = 0; i < p->mmio_reads; i++)
		n += snprintf(text + n, sizeof(text) - n, " %08x", p->mmio_counter + i);
	snprintf(text + n, sizeof(text) - n,
		 "\ntvmm-dev: doorbell 0x42 (scratch 0x%x, counter %u)\n"
		 "mmio: doorbell rang 00000001 time(s)\n"
		 "mmio: all checks passed\n", p->mmio_doorbell,
		 p->mmio_counter + p->mmio_reads);
	return text;
}
#define MMIO_TEXT	mmio_text()

/* One device access as the trace must show it. */
struct access {
	unsigned int offset;
	bool write;
	unsigned int width;
	unsigned int value;
};

#define MMIO_MAX_ACCESSES	32

/* Every access of mmio.S, in program order, for this run's seed; returns how many. */
static size_t mmio_accesses(struct access *a)
{
	const struct seed_params *p = seed_params();
	unsigned int s = p->mmio_scratch, hi = s & 0xffff0000;
	size_t n = 0;

#define ACCESS(off, wr, w, v)	(a[n++] = (struct access){ (off), (wr), (w), (v) })
	ACCESS(TVMM_DEV_ID, false, 4, TVMM_DEV_MAGIC);		/* a1: mov DEV, %eax */
	ACCESS(TVMM_DEV_ID + 1, false, 1, 'V');			/* movzbl DEV+1, %ecx */
	ACCESS(TVMM_DEV_VERSION, false, 4, 1);
	ACCESS(TVMM_DEV_SCRATCH, true, 4, s);			/* c7: movl $imm32 */
	ACCESS(TVMM_DEV_SCRATCH, false, 4, s);
	ACCESS(TVMM_DEV_SCRATCH, true, 2, 0xbeef);		/* 66 c7: movw $imm16 */
	ACCESS(TVMM_DEV_SCRATCH, false, 2, 0xbeef);		/* 66 8b: into %si */
	ACCESS(TVMM_DEV_SCRATCH + 2, false, 2, s >> 16);	/* movzwl */
	ACCESS(TVMM_DEV_SCRATCH, false, 4, hi | 0xbeef);
	ACCESS(TVMM_DEV_SCRATCH + 1, true, 1, 0x5a);		/* 88: %cl */
	ACCESS(TVMM_DEV_SCRATCH, true, 1, 0xa5);		/* c6: movb $imm8 */
	ACCESS(TVMM_DEV_SCRATCH + 1, false, 1, 0x5a);		/* 8a: into %ah */
	ACCESS(TVMM_DEV_SCRATCH, false, 1, 0xa5);		/* SIB (%ebx,%edx,4) */
	ACCESS(TVMM_DEV_SCRATCH, false, 4, hi | 0x5aa5);
	ACCESS(TVMM_DEV_COUNTER, true, 4, p->mmio_counter);	/* 89: mov %ebp */
	for (unsigned int i = 0; i < p->mmio_reads && n < MMIO_MAX_ACCESSES - 3; i++)
		ACCESS(TVMM_DEV_COUNTER, false, 4, p->mmio_counter + i);
	ACCESS(TVMM_DEV_SCRATCH, true, 4, p->mmio_doorbell);	/* a3: mov %eax, DEV+8 */
	ACCESS(TVMM_DEV_DOORBELL, true, 4, 0x42);
	ACCESS(TVMM_DEV_DOORBELL, false, 4, 1);
#undef ACCESS
	return n;
}

/*
 * Register effects of narrow loads:
 *	mov $0xfeb00000, %ebx; xor %edx, %edx; movl $0x11223344, 8(%ebx)
 *	mov $-1, %ecx; movw 8(%ebx), %cx; movb 9(%ebx), %dh
 *	movzbl 11(%ebx), %esi; mov 8(%ebx), %edi; hlt
 */
static const unsigned char guest_widths[] = {
	0xbb, 0x00, 0x00, 0xb0, 0xfe, 0x31, 0xd2,
	0xc7, 0x43, 0x08, 0x44, 0x33, 0x22, 0x11,
	0xb9, 0xff, 0xff, 0xff, 0xff, 0x66, 0x8b, 0x4b, 0x08,
	0x8a, 0x73, 0x09, 0x0f, 0xb6, 0x73, 0x0b, 0x8b, 0x7b, 0x08, 0xf4,
};

/*
 * VM "a": its scratch := 0xaaaaaaaa, doorbell 2, then a triple fault:
 *	mov $0xfeb00000, %ebx; movl $0xaaaaaaaa, 8(%ebx); movl $2, 0x10(%ebx)
 *	lidt 0x10020 (limit 0); ud2
 */
static const unsigned char guest_a[] = {
	0xbb, 0x00, 0x00, 0xb0, 0xfe, 0xc7, 0x43, 0x08, 0xaa, 0xaa, 0xaa, 0xaa,
	0xc7, 0x43, 0x10, 0x02, 0x00, 0x00, 0x00,
	0x0f, 0x01, 0x1d, 0x20, 0x00, 0x01, 0x00, 0x0f, 0x0b, 0xf4,
	0x00, 0x00, 0x00,
	0x00, 0x00, 0x00, 0x00, 0x00, 0x00,		/* 0x10020: IDTR limit 0, base 0 */
};

/*
 * VM "b": read its scratch (EAX), write 0xbbbbbbbb, spin 10^6 times, read
 * it again (EDX), doorbell 1, hlt:
 *	mov $0xfeb00000, %ebx; mov 8(%ebx), %eax; movl $0xbbbbbbbb, 8(%ebx)
 *	mov $1000000, %ecx; 1: dec %ecx; jnz 1b; mov 8(%ebx), %edx
 *	movl $1, 0x10(%ebx); hlt
 */
static const unsigned char guest_b[] = {
	0xbb, 0x00, 0x00, 0xb0, 0xfe, 0x8b, 0x43, 0x08,
	0xc7, 0x43, 0x08, 0xbb, 0xbb, 0xbb, 0xbb,
	0xb9, 0x40, 0x42, 0x0f, 0x00, 0x49, 0x75, 0xfd, 0x8b, 0x53, 0x08,
	0xc7, 0x43, 0x10, 0x01, 0x00, 0x00, 0x00, 0xf4,
};
#define B_TEXT	"tvmm-dev: doorbell 0x1 (scratch 0xbbbbbbbb, counter 0)\n"

/*
 * Stores from a high byte register and to the read-only registers:
 *	mov $0xfeb00000, %ebx; movl $0x11111111, 8(%ebx); mov $0xc3a5, %eax
 *	movb %ah, 8(%ebx); movl $0x77777777, 4(%ebx); movl $0x66666666, (%ebx)
 *	mov 4(%ebx), %ecx; mov 8(%ebx), %edx; mov (%ebx), %esi; hlt
 */
static const unsigned char guest_stores[] = {
	0xbb, 0x00, 0x00, 0xb0, 0xfe,
	0xc7, 0x43, 0x08, 0x11, 0x11, 0x11, 0x11,
	0xb8, 0xa5, 0xc3, 0x00, 0x00,
	0x88, 0x63, 0x08,
	0xc7, 0x43, 0x04, 0x77, 0x77, 0x77, 0x77,
	0xc7, 0x03, 0x66, 0x66, 0x66, 0x66,
	0x8b, 0x4b, 0x04, 0x8b, 0x53, 0x08, 0x8b, 0x33, 0xf4,
};

/* Accesses tvmm refuses, each ending its VM with TVMM_END_BAD_MMIO. */
static const unsigned char guest_noreg[] = {		/* mov 0xfeb00100, %eax; hlt */
	0xa1, 0x00, 0x01, 0xb0, 0xfe, 0xf4,
};
static const unsigned char guest_across[] = {		/* mov 0xfeb00006, %eax; hlt */
	0xa1, 0x06, 0x00, 0xb0, 0xfe, 0xf4,
};
static const unsigned char guest_fetch[] = {		/* mov $0xfeb00000, %eax; jmp *%eax */
	0xb8, 0x00, 0x00, 0xb0, 0xfe, 0xff, 0xe0,
};

/*
 * Three rounds of a device read and a device write, then 1400 OUTs to
 * port 0x80: 4206 records, so the ring (2048 records) wraps twice and
 * slots that held a device access take records that have none.
 *	mov $3, %edx
 * 1:	mov 0xfeb00000, %eax; mov %eax, 0xfeb00008; mov $1400, %ecx
 * 2:	out %al, $0x80; loop 2b; dec %edx; jnz 1b; hlt
 */
static const unsigned char guest_wrap[] = {
	0xba, 0x03, 0x00, 0x00, 0x00,
	0xa1, 0x00, 0x00, 0xb0, 0xfe,
	0xa3, 0x08, 0x00, 0xb0, 0xfe,
	0xb9, 0x78, 0x05, 0x00, 0x00,
	0xe6, 0x80, 0xe2, 0xfc,
	0x4a, 0x75, 0xea, 0xf4,
};

FIXTURE(mmio) {
	struct vm_result res;
	int fd;
};

FIXTURE_SETUP(mmio)
{
	memset(&self->res, 0, sizeof(self->res));
	self->fd = -1;
	REQUIRE_VMX_AND_TVMM();
	REQUIRE_GUEST("mmio.bin");
}

FIXTURE_TEARDOWN(mmio)
{
	vm_result_free(&self->res);
	if (self->fd >= 0)
		close(self->fd);
}

/* Create a traced VM of @mem bytes (0: default), load @code, run it to the end. */
static int run_bytes(const unsigned char *code, size_t size, __u64 mem,
		     struct vm_result *res, int *fd_out)
{
	struct tvmm_config c = vm_config(TVMM_MODE_HW, TVMM_CONFIG_TRACE, 0);
	int fd, ret;

	c.mem_size = mem;
	fd = vm_create(&c);
	if (fd < 0)
		return fd;
	ret = vm_load(fd, code, size);
	if (!ret)
		ret = vm_run_to_end(fd, res);
	if (fd_out && !ret)
		*fd_out = fd;
	else
		close(fd);
	return ret;
}

/* The records of device accesses (EPT violations in tvmm-dev's page). */
static size_t device_records(const struct vm_result *r,
			     const struct tvmm_exit_record **out, size_t max)
{
	size_t n = 0;

	for (size_t i = 0; i < r->nrecs && n < max; i++)
		if (r->recs[i].reason_code == EXIT_REASON_EPT_VIOLATION &&
		    r->recs[i].gpa >= DEV && r->recs[i].gpa < DEV + TVMM_DEV_SIZE)
			out[n++] = &r->recs[i];
	return n;
}

/* mmio.bin: every register answers as docs/abi.md says; the guest checks each. */
TEST_F(mmio, guest_sees_the_device)
{
	struct tvmm_config c = vm_config(TVMM_MODE_HW, TVMM_CONFIG_TRACE, 0);
	struct vm_result *r = &self->res;

	ASSERT_EQ(0, vm_run_guest(&c, "mmio.bin", r, NULL));
	/* this seed's device line (tvmm's own), for the log */
	TH_LOG("seed %lu: %.*s", seed_params()->seed,
	       (int)strcspn(strstr(r->console, "tvmm-dev:") ?: "-", "\n"),
	       strstr(r->console, "tvmm-dev:") ?: "-");
	EXPECT_STREQ(MMIO_TEXT, r->console);
	EXPECT_EQ(TVMM_END_HLT, r->run.end) TH_LOG("%s: %s", end_name(r->run.end),
						  r->run.message);
}

/* Each access is one EPT_VIOLATION record: GPA, direction, width, value, "emulated". */
TEST_F(mmio, records_show_each_access)
{
	struct tvmm_config c = vm_config(TVMM_MODE_HW, TVMM_CONFIG_TRACE, 0);
	struct access accesses[MMIO_MAX_ACCESSES];
	const size_t want = mmio_accesses(accesses);
	const struct tvmm_exit_record *dev[64];
	struct vm_result *r = &self->res;
	size_t n;

	ASSERT_EQ(0, vm_run_guest(&c, "mmio.bin", r, NULL));
	n = device_records(r, dev, 64);
	ASSERT_EQ(want, n) TH_LOG("%zu device accesses in the trace, mmio.S makes %zu", n, want);
	for (size_t i = 0; i < n; i++) {
		const struct access *a = &accesses[i];
		const struct tvmm_exit_record *rec = dev[i];

		EXPECT_EQ(DEV + a->offset, rec->gpa) TH_LOG("access %zu (seq %llu)", i, rec->seq);
		EXPECT_EQ(TVMM_ACTION_EMULATED, rec->action) TH_LOG("access %zu", i);
		EXPECT_EQ(a->width, rec->mmio_width) TH_LOG("access %zu", i);
		EXPECT_EQ(a->write, rec->mmio_write) TH_LOG("access %zu", i);
		EXPECT_EQ(a->value, rec->mmio_value) TH_LOG("access %zu: value 0x%llx, want 0x%x",
							  i, rec->mmio_value, a->value);
		/* The hardware's view (table 28-7) agrees with the decoded MOV. */
		EXPECT_NE(0, rec->qual & (a->write ? EPT_QUAL_WRITE : EPT_QUAL_READ))
			TH_LOG("access %zu qual 0x%llx", i, rec->qual);
		EXPECT_LT(0, rec->insn_len) TH_LOG("access %zu: the MOV's bytes are in the record", i);
		EXPECT_TRUE(!strcmp(rec->mnemonic, "mov") || !strcmp(rec->mnemonic, "movzx"))
			TH_LOG("access %zu: mnemonic \"%s\"", i, rec->mnemonic);
	}
	/* Spot checks of the decoder: A1 moffs32, 0F B6 MOVZX, 66 C7 imm16. */
	EXPECT_EQ(0xa1, dev[0]->insn[0]);
	EXPECT_STREQ("movzx", dev[1]->mnemonic);
	EXPECT_EQ(0x66, dev[5]->insn[0]);
	/* After an emulated access the guest resumes at the next instruction. */
	for (size_t i = 0; i + 1 < r->nrecs; i++) {
		const struct tvmm_exit_record *rec = &r->recs[i], *next = rec + 1;

		if (rec->gpa < DEV || rec->action != TVMM_ACTION_EMULATED ||
		    exit_is_host_noise(next))
			continue;
		EXPECT_LE(rec->rip + rec->insn_len, next->rip) TH_LOG("seq %llu", rec->seq);
	}
}

/*
 * A record without a device access says so in all three fields, also in
 * a slot whose last record had one: the writer skips the three when
 * neither this exit nor the slot's last record has a width (trace_record.h),
 * so a slot it failed to clear would show an old access's value here.
 * The same slots show the writer's other memory, the name a slot holds:
 * an OUT in a slot that said "mov" must say "out".
 */
TEST_F(mmio, records_without_access_are_clear_after_the_ring_wraps)
{
	struct vm_result *r = &self->res;
	const struct tvmm_exit_record *dev[8];
	struct tvmm_trace_mmap_page *page;
	size_t reused = 0, ring;

	ASSERT_EQ(0, run_bytes(guest_wrap, sizeof(guest_wrap), 0, r, &self->fd));
	/* The ring's size, from its control page (docs/abi.md). */
	page = mmap(NULL, getpagesize(), PROT_READ, MAP_SHARED, self->fd, 0);
	ASSERT_NE(MAP_FAILED, page) TH_LOG("mmap of the control page: %s", strerror(errno));
	ring = page->nr_records;
	munmap(page, getpagesize());
	ASSERT_EQ(TVMM_END_HLT, r->run.end) TH_LOG("%s", r->run.message);
	ASSERT_EQ(6, device_records(r, dev, 8));
	ASSERT_LT(2 * ring, r->nrecs) TH_LOG("%zu records: the ring of %zu did not wrap twice",
					     r->nrecs, ring);
	EXPECT_EQ(TVMM_DEV_MAGIC, dev[0]->mmio_value);
	EXPECT_EQ(1, dev[1]->mmio_write);
	for (size_t i = 0; i < r->nrecs; i++) {
		const struct tvmm_exit_record *rec = &r->recs[i];

		if (rec->reason_code == EXIT_REASON_EPT_VIOLATION) {
			EXPECT_STREQ("mov", rec->mnemonic) TH_LOG("seq %llu", rec->seq);
			continue;	/* the six accesses */
		}
		/* The slot's name is the new record's, not its last one's. */
		if (rec->reason_code == EXIT_REASON_IO_INSTRUCTION)
			EXPECT_STREQ("out", rec->mnemonic) TH_LOG("seq %llu", rec->seq);
		EXPECT_EQ(0, rec->mmio_width) TH_LOG("seq %llu (%s): width %u without an access",
						    rec->seq, rec->mnemonic, rec->mmio_width);
		EXPECT_EQ(0, rec->mmio_value) TH_LOG("seq %llu (%s): value 0x%llx without an access",
						    rec->seq, rec->mnemonic, rec->mmio_value);
		EXPECT_EQ(0, rec->mmio_write) TH_LOG("seq %llu (%s): a write without an access",
						    rec->seq, rec->mnemonic);
		/* A slot that held one of the device accesses, one or two laps later. */
		for (size_t k = 0; k < 6; k++)
			reused += rec->seq == dev[k]->seq + ring || rec->seq == dev[k]->seq + 2 * ring;
	}
	EXPECT_LE(4, reused) TH_LOG("only %zu records reuse a device access's slot", reused);
}

/* Narrow loads change only their bytes; MOVZX and 32-bit loads fill the register. */
TEST_F(mmio, loads_merge_into_registers)
{
	struct vm_result *r = &self->res;
	struct tvmm_regs regs;

	ASSERT_EQ(0, run_bytes(guest_widths, sizeof(guest_widths), 0, r, &self->fd));
	EXPECT_EQ(TVMM_END_HLT, r->run.end) TH_LOG("%s: %s", end_name(r->run.end),
						  r->run.message);
	ASSERT_EQ(0, ioctl(self->fd, TVMM_GET_REGS, &regs));
	EXPECT_EQ(0xffff3344ULL, regs.rcx) TH_LOG("movw into %%cx: 0x%llx", regs.rcx);
	EXPECT_EQ(0x3300ULL, regs.rdx) TH_LOG("movb into %%dh: 0x%llx", regs.rdx);
	EXPECT_EQ(0x11ULL, regs.rsi) TH_LOG("movzbl into %%esi: 0x%llx", regs.rsi);
	EXPECT_EQ(0x11223344ULL, regs.rdi) TH_LOG("mov into %%edi: 0x%llx", regs.rdi);
}

/*
 * A byte store from AH (reg 4 of a byte form is AH, not SPL) changes only
 * its byte of SCRATCH; writes to ID and VERSION are ignored: they read
 * TVMM_DEV_MAGIC and 1 after, and SCRATCH is untouched by them.
 */
TEST_F(mmio, high_byte_stores_and_read_only_registers)
{
	struct vm_result *r = &self->res;
	struct tvmm_regs regs;

	ASSERT_EQ(0, run_bytes(guest_stores, sizeof(guest_stores), 0, r, &self->fd));
	EXPECT_EQ(TVMM_END_HLT, r->run.end) TH_LOG("%s: %s", end_name(r->run.end),
						  r->run.message);
	ASSERT_EQ(0, ioctl(self->fd, TVMM_GET_REGS, &regs));
	EXPECT_EQ(TVMM_DEV_VERSION_1, regs.rcx) TH_LOG("VERSION after a write: 0x%llx", regs.rcx);
	EXPECT_EQ(0x111111c3ULL, regs.rdx) TH_LOG("SCRATCH after movb %%ah: 0x%llx", regs.rdx);
	EXPECT_EQ(TVMM_DEV_MAGIC, regs.rsi) TH_LOG("ID after a write: 0x%llx", regs.rsi);
}

/* The same device in deprivileged mode: EPT violations do not care about rings. */
TEST_F(mmio, deprivileged_guest_sees_the_device)
{
	struct tvmm_config c = vm_config(TVMM_MODE_DEPRIVILEGED, TVMM_CONFIG_TRACE, 0);
	struct vm_result *r = &self->res;

	ASSERT_EQ(0, vm_run_guest(&c, "mmio.bin", r, NULL));
	EXPECT_STREQ(MMIO_TEXT, r->console);
	EXPECT_EQ(TVMM_END_HLT, r->run.end) TH_LOG("%s: %s", end_name(r->run.end),
						  r->run.message);
}

/* The last record of a VM ended by a refused device access at @gpa. */
static void check_refused(struct __test_metadata *_metadata, const struct vm_result *r,
			  __u64 gpa, const char *why)
{
	const struct tvmm_exit_record *last;

	EXPECT_EQ(TVMM_END_BAD_MMIO, r->run.end) TH_LOG("%s: %s", end_name(r->run.end),
						       r->run.message);
	EXPECT_EQ(gpa, r->run.end_info);
	EXPECT_NE(NULL, strstr(r->run.message, "tvmm-dev")) TH_LOG("message: %s", r->run.message);
	EXPECT_NE(NULL, strstr(r->run.message, why)) TH_LOG("message: %s", r->run.message);
	ASSERT_LT(0, r->nrecs);
	last = &r->recs[r->nrecs - 1];
	EXPECT_EQ(EXIT_REASON_EPT_VIOLATION, last->reason_code);
	EXPECT_EQ(TVMM_ACTION_FATAL, last->action);
	EXPECT_EQ(gpa, last->gpa);
	EXPECT_EQ(0, last->mmio_width) TH_LOG("a refused access has no value");
}

/* mmio_bad.bin: `incl` on a register is not a MOV: the VM ends, named, console intact. */
TEST_F(mmio, read_modify_write_refused)
{
	struct tvmm_config c = vm_config(TVMM_MODE_HW, TVMM_CONFIG_TRACE, 0);
	struct vm_result *r = &self->res;
	const struct tvmm_exit_record *dev[8];

	ASSERT_EQ(0, vm_run_guest(&c, "mmio_bad.bin", r, NULL));
	check_refused(_metadata, r, DEV + TVMM_DEV_COUNTER, "not a MOV");
	EXPECT_STREQ("mmio_bad: incl on the counter register\n", r->console);
	/* The ID read before it was emulated; the incl is the only refusal. */
	ASSERT_EQ(2, device_records(r, dev, 8));
	EXPECT_EQ(TVMM_ACTION_EMULATED, dev[0]->action);
	EXPECT_EQ(0xff, dev[1]->insn[0]) TH_LOG("the record shows the incl's bytes");
}

/* An offset with no register, an access across two, a fetch: refused, never guessed. */
TEST_F(mmio, unsupported_accesses_end_the_vm)
{
	struct vm_result *r = &self->res;

	ASSERT_EQ(0, run_bytes(guest_noreg, sizeof(guest_noreg), 0, r, NULL));
	check_refused(_metadata, r, DEV + 0x100, "no register");
	ASSERT_EQ(0, run_bytes(guest_across, sizeof(guest_across), 0, r, NULL));
	check_refused(_metadata, r, DEV + 6, "across two registers");
	ASSERT_EQ(0, run_bytes(guest_fetch, sizeof(guest_fetch), 0, r, NULL));
	check_refused(_metadata, r, DEV, "fetch");
}

/* ram_size.bin: the first write past --mem is an EPT violation at exactly that size. */
TEST_F(mmio, ram_size_sets_the_ept_violation)
{
	static const struct {
		__u64 mem;
		const char *console;
	} sizes[] = {
		{ 2 * MIB, "ram: 1 MiB ok\n" },
		{ 4 * MIB, "ram: 1 MiB ok\nram: 2 MiB ok\nram: 3 MiB ok\n" },
	};
	struct vm_result *r = &self->res;

	for (size_t i = 0; i < sizeof(sizes) / sizeof(sizes[0]); i++) {
		struct tvmm_config c = vm_config(TVMM_MODE_HW, TVMM_CONFIG_TRACE, 0);

		c.mem_size = sizes[i].mem;
		ASSERT_EQ(0, vm_run_guest(&c, "ram_size.bin", r, NULL));
		EXPECT_STREQ(sizes[i].console, r->console) TH_LOG("--mem %llu MiB",
								  sizes[i].mem / MIB);
		EXPECT_EQ(TVMM_END_EPT_VIOLATION, r->run.end) TH_LOG("%s: %s",
								     end_name(r->run.end),
								     r->run.message);
		EXPECT_EQ(sizes[i].mem, r->run.end_info);
		ASSERT_LT(0, r->nrecs);
		EXPECT_EQ(sizes[i].mem, r->recs[r->nrecs - 1].gpa);
		EXPECT_NE(0, r->recs[r->nrecs - 1].qual & EPT_QUAL_WRITE);
		EXPECT_EQ(TVMM_ACTION_FATAL, r->recs[r->nrecs - 1].action);
	}
}

/* outside_ram.bin: 1 GiB is outside 2 MiB and outside 64 MiB alike. */
TEST_F(mmio, outside_ram_at_two_sizes)
{
	static const __u64 sizes[] = { 2 * MIB, TVMM_GUEST_MEM_MAX };
	struct vm_result *r = &self->res;

	for (size_t i = 0; i < sizeof(sizes) / sizeof(sizes[0]); i++) {
		struct tvmm_config c = vm_config(TVMM_MODE_HW, TVMM_CONFIG_TRACE, 0);

		c.mem_size = sizes[i];
		ASSERT_EQ(0, vm_run_guest(&c, "outside_ram.bin", r, NULL));
		EXPECT_EQ(TVMM_END_EPT_VIOLATION, r->run.end) TH_LOG("%s: %s",
								     end_name(r->run.end),
								     r->run.message);
		EXPECT_EQ(OUTSIDE_GPA, r->run.end_info) TH_LOG("--mem %llu MiB", sizes[i] / MIB);
	}
}

/*
 * Two VMs at once: "a" writes 0xaaaaaaaa to its scratch and triple-faults
 * (in a child process); "b" finds its own scratch 0, keeps 0xbbbbbbbb
 * across a spin, rings its doorbell and halts, its console intact.
 */
TEST_F_TIMEOUT(mmio, two_vms_isolated, 300)
{
	struct vm_result *r = &self->res;
	struct tvmm_config c = vm_config(TVMM_MODE_HW, TVMM_CONFIG_TRACE, 0);
	struct tvmm_regs regs;
	int status, a_fd;
	pid_t pid;

	a_fd = vm_create(&c);
	ASSERT_LE(0, a_fd);
	ASSERT_EQ(0, vm_load(a_fd, guest_a, sizeof(guest_a)));
	self->fd = vm_create(&c);
	ASSERT_LE(0, self->fd);
	ASSERT_EQ(0, vm_load(self->fd, guest_b, sizeof(guest_b)));

	pid = fork();
	ASSERT_LE(0, pid);
	if (pid == 0) {
		static struct vm_result ar;

		/* 0: as expected; 1: run failed; 2: wrong end; 3: wrong console */
		if (vm_run_to_end(a_fd, &ar))
			_exit(1);
		if (ar.run.end != TVMM_END_TRIPLE_FAULT)
			_exit(2);
		_exit(strstr(ar.console, "scratch 0xaaaaaaaa") ? 0 : 3);
	}
	ASSERT_EQ(0, vm_run_to_end(self->fd, r));
	EXPECT_EQ(TVMM_END_HLT, r->run.end) TH_LOG("%s: %s", end_name(r->run.end),
						  r->run.message);
	EXPECT_STREQ(B_TEXT, r->console);
	ASSERT_EQ(0, ioctl(self->fd, TVMM_GET_REGS, &regs));
	EXPECT_EQ(0, regs.rax) TH_LOG("b's scratch at start: 0x%llx (a wrote 0xaaaaaaaa)", regs.rax);
	EXPECT_EQ(0xbbbbbbbbULL, regs.rdx) TH_LOG("b's scratch after the spin: 0x%llx", regs.rdx);
	for (size_t i = 0; i < r->nrecs; i++)
		EXPECT_EQ(i, r->recs[i].seq);

	ASSERT_EQ(pid, waitpid(pid, &status, 0));
	ASSERT_TRUE(WIFEXITED(status));
	EXPECT_EQ(0, WEXITSTATUS(status))
		TH_LOG("VM a: 1 run failed, 2 did not triple-fault, 3 console without its scratch");
	close(a_fd);
}

TEST_HARNESS_MAIN
