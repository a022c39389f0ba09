// SPDX-License-Identifier: GPL-2.0
/*
 * caps_test - /dev/tvmm and the capabilities tvmm reports.
 *
 * Rule under test (SDM vol. 3D, appendix A): a VMM must decide what it may
 * do from the VMX capability MSRs. tvmm reads them once at load and hands
 * them to userspace with TVMM_GET_CAPS; here each value is compared with
 * the same MSR read independently through /dev/cpu/0/msr, and the flags
 * with what the MSRs say. The device must be root only, and the ioctl
 * interface must refuse what it does not know.
 *
 * The lab VM's firmware enabled VT-x; tvmm's test_feature_control
 * parameter makes it see an IA32_FEATURE_CONTROL that a firmware with
 * VT-x disabled leaves (SDM vol. 3C, 24.7), so the refusal is tested too.
 *
 * Lab: 01 (detect VMX). Needs: a VT-x CPU (the Bochs lab VM).
 */
#include "tvmm_util.h"
#include "../kselftest_harness.h"

#include <cpuid.h>
#include <stddef.h>
#include <sys/ioctl.h>
#include <sys/wait.h>

/* Our own index -> field map, written from the SDM, not from tvmm's code. */
static const struct {
	const char *name;
	unsigned int index;
	size_t offset;
} msr_fields[] = {
	{ "IA32_FEATURE_CONTROL", 0x3a, offsetof(struct tvmm_caps, feature_control) },
	{ "IA32_VMX_BASIC", 0x480, offsetof(struct tvmm_caps, vmx_basic) },
	{ "IA32_VMX_PINBASED_CTLS", 0x481, offsetof(struct tvmm_caps, pinbased_ctls) },
	{ "IA32_VMX_PROCBASED_CTLS", 0x482, offsetof(struct tvmm_caps, procbased_ctls) },
	{ "IA32_VMX_EXIT_CTLS", 0x483, offsetof(struct tvmm_caps, exit_ctls) },
	{ "IA32_VMX_ENTRY_CTLS", 0x484, offsetof(struct tvmm_caps, entry_ctls) },
	{ "IA32_VMX_MISC", 0x485, offsetof(struct tvmm_caps, misc) },
	{ "IA32_VMX_CR0_FIXED0", 0x486, offsetof(struct tvmm_caps, cr0_fixed0) },
	{ "IA32_VMX_CR0_FIXED1", 0x487, offsetof(struct tvmm_caps, cr0_fixed1) },
	{ "IA32_VMX_CR4_FIXED0", 0x488, offsetof(struct tvmm_caps, cr4_fixed0) },
	{ "IA32_VMX_CR4_FIXED1", 0x489, offsetof(struct tvmm_caps, cr4_fixed1) },
	{ "IA32_VMX_VMCS_ENUM", 0x48a, offsetof(struct tvmm_caps, vmcs_enum) },
	{ "IA32_VMX_PROCBASED_CTLS2", 0x48b, offsetof(struct tvmm_caps, procbased_ctls2) },
	{ "IA32_VMX_EPT_VPID_CAP", 0x48c, offsetof(struct tvmm_caps, ept_vpid_cap) },
	{ "IA32_VMX_TRUE_PINBASED_CTLS", 0x48d, offsetof(struct tvmm_caps, true_pinbased_ctls) },
	{ "IA32_VMX_TRUE_PROCBASED_CTLS", 0x48e, offsetof(struct tvmm_caps, true_procbased_ctls) },
	{ "IA32_VMX_TRUE_EXIT_CTLS", 0x48f, offsetof(struct tvmm_caps, true_exit_ctls) },
	{ "IA32_VMX_TRUE_ENTRY_CTLS", 0x490, offsetof(struct tvmm_caps, true_entry_ctls) },
	{ "IA32_VMX_VMFUNC", 0x491, offsetof(struct tvmm_caps, vmfunc) },
};

static bool cpu_has_vmx(void)
{
	unsigned int eax, ebx, ecx, edx;

	return __get_cpuid(1, &eax, &ebx, &ecx, &edx) && (ecx & (1U << 5));
}

FIXTURE(tvmm) {
	int fd;
	struct tvmm_caps caps;
};

FIXTURE_SETUP(tvmm)
{
	int ret;

	self->fd = -1;
	if (!cpu_has_vmx())
		SKIP(_exit(255), "this CPU has no VMX (CPUID.01H:ECX[5] = 0): run in the Bochs lab VM");
	ret = tvmm_ensure_loaded();
	ASSERT_EQ(0, ret) TH_LOG("loading %s: %s%s", tvmm_ko_path(), strerror(-ret),
				 tvmm_load_hint(ret));
	self->fd = open(TVMM_DEVICE_PATH, O_RDWR | O_CLOEXEC);
	ASSERT_LE(0, self->fd) TH_LOG("open %s: %s", TVMM_DEVICE_PATH, strerror(errno));
	ASSERT_EQ(0, ioctl(self->fd, TVMM_GET_CAPS, &self->caps))
		TH_LOG("TVMM_GET_CAPS: %s", strerror(errno));
}

FIXTURE_TEARDOWN(tvmm)
{
	if (self->fd >= 0)
		close(self->fd);
}

/* /dev/tvmm is a character device, owned by root, mode 0600. */
TEST_F(tvmm, device_is_root_only)
{
	struct stat st;

	ASSERT_EQ(0, stat(TVMM_DEVICE_PATH, &st));
	EXPECT_TRUE(S_ISCHR(st.st_mode));
	EXPECT_EQ(0, st.st_uid);
	EXPECT_EQ(0600, st.st_mode & 07777) TH_LOG("mode is %04o", st.st_mode & 07777);
}

/* An unprivileged user cannot open it (needs CONFIG_MULTIUSER). */
TEST_F(tvmm, unprivileged_open_refused)
{
	int status;
	pid_t pid = fork();

	ASSERT_LE(0, pid);
	if (pid == 0) {
		if (setgid(65534) || setuid(65534))
			_exit(2);
		if (getuid() != 65534)
			_exit(3);	/* kernel without users: nothing to prove */
		_exit(open(TVMM_DEVICE_PATH, O_RDWR) < 0 && errno == EACCES ? 0 : 1);
	}
	ASSERT_EQ(pid, waitpid(pid, &status, 0));
	ASSERT_TRUE(WIFEXITED(status));
	if (WEXITSTATUS(status) == 3)
		SKIP(return, "kernel built without CONFIG_MULTIUSER");
	EXPECT_EQ(0, WEXITSTATUS(status)) TH_LOG("uid 65534 could open /dev/tvmm");
}

TEST_F(tvmm, api_version)
{
	EXPECT_EQ(TVMM_API_VERSION, ioctl(self->fd, TVMM_GET_API_VERSION));
}

/* Every MSR value tvmm reports equals the MSR read through /dev/cpu/0/msr. */
TEST_F(tvmm, caps_match_raw_msrs)
{
	int msr = open("/dev/cpu/0/msr", O_RDONLY | O_CLOEXEC);
	unsigned int checked = 0;

	if (msr < 0)
		SKIP(return, "/dev/cpu/0/msr: %s (kernel needs CONFIG_X86_MSR)", strerror(errno));
	for (size_t i = 0; i < sizeof(msr_fields) / sizeof(msr_fields[0]); i++) {
		__u64 raw = 0, reported;
		ssize_t n = pread(msr, &raw, sizeof(raw), msr_fields[i].index);

		memcpy(&reported, (char *)&self->caps + msr_fields[i].offset,
		       sizeof(reported));
		if (n != sizeof(raw)) {
			/* The CPU lacks this MSR: tvmm must report 0 for it. */
			EXPECT_EQ(0, reported) TH_LOG("%s unreadable but reported as 0x%llx",
						      msr_fields[i].name, reported);
			continue;
		}
		EXPECT_EQ(raw, reported) TH_LOG("%s (0x%x): MSR 0x%llx, tvmm 0x%llx",
						msr_fields[i].name, msr_fields[i].index,
						raw, reported);
		checked++;
	}
	close(msr);
	/* BASIC, the four controls, MISC and the fixed bits at least. */
	EXPECT_LE(12, checked);
}

/* The flags say what the MSRs say, and VMX is on on every online CPU. */
TEST_F(tvmm, caps_flags_consistent)
{
	const struct tvmm_caps *c = &self->caps;
	unsigned int eax, ebx, ecx = 0, edx;

	__get_cpuid(1, &eax, &ebx, &ecx, &edx);
	EXPECT_EQ(ecx, c->cpuid1_ecx);
	EXPECT_TRUE(c->flags & TVMM_CAPS_CPUID_VMX);
	EXPECT_TRUE(c->flags & TVMM_CAPS_FC_LOCKED);
	EXPECT_TRUE(c->flags & TVMM_CAPS_FC_VMX_OUTSIDE_SMX);
	EXPECT_EQ(!!(c->vmx_basic & (1ULL << 55)), !!(c->flags & TVMM_CAPS_TRUE_CTLS));
	EXPECT_EQ(!!(c->procbased_ctls & (1ULL << (32 + 31))),
		  !!(c->flags & TVMM_CAPS_PROCBASED2));
	EXPECT_EQ((unsigned int)cpus_online(), c->cpus_online);
	/*
	 * Whether VMX is on is lab 02's business (lifecycle_test): here only
	 * that the flag tells the truth about the count.
	 */
	EXPECT_GE(c->cpus_online, c->cpus_vmx_on);
	EXPECT_EQ(c->cpus_online && c->cpus_vmx_on == c->cpus_online,
		  !!(c->flags & TVMM_CAPS_VMX_ON));
	EXPECT_EQ(0, c->reserved[0]);
}

/* Unknown ioctls are refused with ENOTTY; a bad pointer with EFAULT. */
TEST_F(tvmm, bad_ioctls_refused)
{
	EXPECT_EQ(-1, ioctl(self->fd, _IO(TVMM_IOCTL_TYPE, 0x7f)));
	EXPECT_EQ(ENOTTY, errno);
	EXPECT_EQ(-1, ioctl(self->fd, TVMM_GET_CAPS, (void *)16));
	EXPECT_EQ(EFAULT, errno);
}

/* debugfs shows the decoded caps and one line per CPU, vmx=on as the caps count. */
TEST_F(tvmm, debugfs_caps_and_cpus)
{
	static char buf[65536];
	char want[64];
	int cpu;

	ASSERT_LT(0, read_text_file(TVMM_DEBUGFS "/caps", buf, sizeof(buf)))
		TH_LOG("is debugfs mounted on /sys/kernel/debug?");
	EXPECT_NE(NULL, strstr(buf, "IA32_VMX_BASIC"));
	snprintf(want, sizeof(want), "0x%x", (unsigned int)(self->caps.vmx_basic & 0x7fffffff));
	EXPECT_NE(NULL, strstr(buf, want)) TH_LOG("revision id %s not shown", want);
	EXPECT_NE(NULL, strstr(buf, "enable EPT"));

	ASSERT_LT(0, read_text_file(TVMM_DEBUGFS "/cpus", buf, sizeof(buf)));
	for (cpu = 0; cpu < cpus_online(); cpu++) {
		snprintf(want, sizeof(want), "cpu%d online=1 vmx=%s", cpu,
			 self->caps.cpus_vmx_on ? "on" : "off");
		EXPECT_NE(NULL, strstr(buf, want)) TH_LOG("missing \"%s\" in:\n%s", want, buf);
	}
}

/* Secondary-control bits that announce the optional MSRs (SDM A.3.3). */
#define CTLS2_ENABLE_EPT	(1ULL << (32 + 1))
#define CTLS2_ENABLE_VPID	(1ULL << (32 + 5))
#define CTLS2_ENABLE_VMFUNC	(1ULL << (32 + 13))

/*
 * The optional MSRs' flags say exactly when each MSR exists: EPT/VPID
 * when EPT or VPID may be enabled (A.10), VMFUNC when VM functions may be
 * (A.11); each flag set means the value was read (caps_match_raw_msrs
 * compares it).
 */
TEST_F(tvmm, optional_caps_flags_match_cpu)
{
	const struct tvmm_caps *c = &self->caps;
	bool ctls2 = c->procbased_ctls & (1ULL << (32 + 31));
	bool ept_vpid = ctls2 && (c->procbased_ctls2 & (CTLS2_ENABLE_EPT | CTLS2_ENABLE_VPID));
	bool vmfunc = ctls2 && (c->procbased_ctls2 & CTLS2_ENABLE_VMFUNC);

	TH_LOG("IA32_VMX_PROCBASED_CTLS2 0x%llx, flags 0x%x", c->procbased_ctls2, c->flags);
	EXPECT_EQ(ept_vpid, !!(c->flags & TVMM_CAPS_EPT_VPID))
		TH_LOG("EPT or VPID may be enabled: %d, TVMM_CAPS_EPT_VPID: %d", ept_vpid,
		       !!(c->flags & TVMM_CAPS_EPT_VPID));
	EXPECT_EQ(vmfunc, !!(c->flags & TVMM_CAPS_VMFUNC))
		TH_LOG("VM functions may be enabled: %d, TVMM_CAPS_VMFUNC: %d", vmfunc,
		       !!(c->flags & TVMM_CAPS_VMFUNC));
	if (ept_vpid)
		EXPECT_NE(0, c->ept_vpid_cap) TH_LOG("IA32_VMX_EPT_VPID_CAP not read");
	if (c->flags & TVMM_CAPS_TRUE_CTLS) {
		/* TRUE controls keep every allowed-1 bit of the plain ones (A.3). */
		EXPECT_EQ(c->entry_ctls >> 32, c->true_entry_ctls >> 32)
			TH_LOG("TRUE_ENTRY_CTLS 0x%llx vs ENTRY_CTLS 0x%llx",
			       c->true_entry_ctls, c->entry_ctls);
		EXPECT_EQ(c->exit_ctls >> 32, c->true_exit_ctls >> 32)
			TH_LOG("TRUE_EXIT_CTLS 0x%llx vs EXIT_CTLS 0x%llx",
			       c->true_exit_ctls, c->exit_ctls);
	}
}

/*
 * Load tvmm with test_feature_control=VALUE: 0 or -errno. The dmesg of
 * the attempt stays for kernel_log_contains().
 */
static int load_with_feature_control(unsigned long long value)
{
	char params[64];

	snprintf(params, sizeof(params), "test_feature_control=%llu", value);
	kernel_log_clear();
	return module_load(tvmm_ko_path(), params);
}

#define FC_LOCKED		0x1ULL
#define FC_VMX_INSIDE_SMX	0x2ULL
#define FC_VMX_OUTSIDE_SMX	0x4ULL

/*
 * IA32_FEATURE_CONTROL locked with "VMX outside SMX" clear (the firmware
 * disabled VT-x; "VMX inside SMX" alone does not help): the load fails
 * with ENODEV and tells the user to enable VT-x in the firmware. Locked
 * with it set: the load works and both flags are reported.
 */
TEST(firmware_disabled_vmx_refused)
{
	static const unsigned long long refused[] = {
		FC_LOCKED, FC_LOCKED | FC_VMX_INSIDE_SMX,
	};
	struct tvmm_caps caps;
	char problem[256];
	int ret, fd;

	if (!cpu_has_vmx())
		SKIP(return, "this CPU has no VMX: run in the Bochs lab VM");
	for (size_t i = 0; i < sizeof(refused) / sizeof(refused[0]); i++) {
		ASSERT_EQ(0, tvmm_ensure_unloaded());
		ret = load_with_feature_control(refused[i]);
		EXPECT_EQ(-ENODEV, ret)
			TH_LOG("IA32_FEATURE_CONTROL 0x%llx (locked, VMX outside SMX off): load %s, want ENODEV",
			       refused[i], ret ? strerror(-ret) : "succeeded");
		EXPECT_TRUE(kernel_log_contains("BIOS/UEFI"))
			TH_LOG("IA32_FEATURE_CONTROL 0x%llx: no message telling to enable VT-x in the firmware (BIOS/UEFI setup)",
			       refused[i]);
		if (ret == 0)
			module_unload("tvmm");
	}

	ASSERT_EQ(0, tvmm_ensure_unloaded());
	ret = load_with_feature_control(FC_LOCKED | FC_VMX_OUTSIDE_SMX);
	ASSERT_EQ(0, ret) TH_LOG("IA32_FEATURE_CONTROL 0x5 (locked, VMX outside SMX on): %s",
				 strerror(-ret));
	EXPECT_FALSE(kernel_log_contains("BIOS/UEFI")) TH_LOG("refusal message for a usable CPU");
	fd = open(TVMM_DEVICE_PATH, O_RDWR | O_CLOEXEC);
	ASSERT_LE(0, fd) TH_LOG("open %s: %s", TVMM_DEVICE_PATH, strerror(errno));
	ASSERT_EQ(0, ioctl(fd, TVMM_GET_CAPS, &caps)) TH_LOG("TVMM_GET_CAPS: %s", strerror(errno));
	close(fd);
	EXPECT_TRUE(caps.flags & TVMM_CAPS_FC_LOCKED) TH_LOG("flags 0x%x", caps.flags);
	EXPECT_TRUE(caps.flags & TVMM_CAPS_FC_VMX_OUTSIDE_SMX) TH_LOG("flags 0x%x", caps.flags);
	EXPECT_FALSE(kernel_log_has_problem(problem, sizeof(problem))) TH_LOG("%s", problem);
	/* back to the real MSR for whatever runs next */
	ASSERT_EQ(0, tvmm_ensure_unloaded());
	ASSERT_EQ(0, tvmm_ensure_loaded());
}

TEST_HARNESS_MAIN
