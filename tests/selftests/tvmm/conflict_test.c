// SPDX-License-Identifier: GPL-2.0
/*
 * conflict_test - a second VMX user is refused cleanly, in both orders.
 *
 * Rule under test (SDM vol. 3C, 24.7): VMX has one owner per CPU, marked
 * by CR4.VMXE. If another hypervisor (KVM, in real life) already set it,
 * tvmm must refuse to load with EBUSY and a message that says what to do,
 * and must leave every CPU exactly as it found it. The cr4_probe helper,
 * loaded with hold_vmx=1, plays the other hypervisor.
 *
 * The kernel's emergency-reboot callback (VMXOFF at a crash, since VMX
 * blocks INIT: SDM vol. 3C, 24.8) has one slot, which kvm_intel takes at
 * load; a second taker gets a kernel warning. With kvm_intel present tvmm
 * must leave the slot alone. The kvm_intel helper plays kvm_intel.
 *
 * Lab: 02 (VMXON/VMXOFF). Needs: a VT-x CPU (the Bochs lab VM).
 */
#include "tvmm_util.h"
#include "../kselftest_harness.h"

#include <cpuid.h>

static bool cpu_has_vmx(void)
{
	unsigned int eax, ebx, ecx, edx;

	return __get_cpuid(1, &eax, &ebx, &ecx, &edx) && (ecx & (1U << 5));
}

/* Another VMM holds VMX: loading tvmm fails with EBUSY, says why, leaks nothing. */
TEST(refused_when_vmx_taken)
{
	char problem[256];
	int ret, listed, with;

	if (!cpu_has_vmx())
		SKIP(return, "this CPU has no VMX: run in the Bochs lab VM");
	ASSERT_EQ(0, tvmm_ensure_unloaded());
	ret = cr4_probe_load(true);
	ASSERT_EQ(0, ret) TH_LOG("loading %s hold_vmx=1: %s", CR4_PROBE_KO, strerror(-ret));

	kernel_log_clear();
	ret = module_load(tvmm_ko_path(), NULL);
	EXPECT_EQ(-EBUSY, ret) TH_LOG("tvmm load with VMX taken: %s", strerror(-ret));
	EXPECT_FALSE(module_is_loaded("tvmm"));
	EXPECT_NE(0, access(TVMM_DEVICE_PATH, F_OK));
	EXPECT_TRUE(kernel_log_contains("already in use by another hypervisor"));
	EXPECT_TRUE(kernel_log_contains("rmmod kvm_intel"));
	EXPECT_FALSE(kernel_log_has_problem(problem, sizeof(problem))) TH_LOG("%s", problem);

	/* The other VMM's CR4.VMXE is untouched on every CPU. */
	with = cpus_with_vmxe(&listed);
	EXPECT_EQ(listed, with);

	ASSERT_EQ(0, cr4_probe_unload());
	ret = module_load(tvmm_ko_path(), NULL);
	EXPECT_EQ(0, ret) TH_LOG("tvmm load after the other VMM left: %s", strerror(-ret));
}

/* With tvmm loaded, the other VMM sees CR4.VMXE set and must back off. */
TEST(other_vmm_sees_tvmm)
{
	int ret;

	if (!cpu_has_vmx())
		SKIP(return, "this CPU has no VMX: run in the Bochs lab VM");
	ASSERT_EQ(0, tvmm_ensure_loaded());
	ret = cr4_probe_load(true);
	EXPECT_EQ(-EBUSY, ret) TH_LOG("fake VMM loaded over tvmm: %s", strerror(-ret));
	if (ret == 0)
		cr4_probe_unload();
}

/* kvm_intel holds the emergency callback: tvmm loads and unloads without a warning. */
TEST(emergency_callback_left_to_kvm)
{
	char problem[256];
	int ret;

	if (!cpu_has_vmx())
		SKIP(return, "this CPU has no VMX: run in the Bochs lab VM");
	ASSERT_EQ(0, tvmm_ensure_unloaded());
	ret = module_load(KVM_INTEL_STAND_IN_KO, NULL);
	ASSERT_EQ(0, ret) TH_LOG("loading %s: %s", KVM_INTEL_STAND_IN_KO, strerror(-ret));

	kernel_log_clear();
	ret = module_load(tvmm_ko_path(), NULL);
	EXPECT_EQ(0, ret) TH_LOG("tvmm load beside kvm_intel: %s", strerror(-ret));
	EXPECT_TRUE(kernel_log_contains("kvm_intel is present"));
	EXPECT_EQ(0, module_unload("tvmm"));
	EXPECT_FALSE(kernel_log_has_problem(problem, sizeof(problem))) TH_LOG("%s", problem);

	/* kvm_intel still owns the slot: its own unregister must not warn either. */
	EXPECT_EQ(0, module_unload("kvm_intel"));
	EXPECT_FALSE(kernel_log_has_problem(problem, sizeof(problem))) TH_LOG("%s", problem);

	/* Without kvm_intel, tvmm takes the slot itself (no message). */
	kernel_log_clear();
	ASSERT_EQ(0, module_load(tvmm_ko_path(), NULL));
	EXPECT_FALSE(kernel_log_contains("kvm_intel is present"));
}

TEST_HARNESS_MAIN
