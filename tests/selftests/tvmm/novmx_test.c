// SPDX-License-Identifier: GPL-2.0
/*
 * novmx_test - on a CPU without VT-x, tvmm refuses to load, says why,
 * and leaves a clean kernel.
 *
 * Rule under test (SDM vol. 3C, 24.6 "Discovering Support for VMX"): a VMM
 * must check CPUID.01H:ECX.VMX before touching any VMX MSR or instruction.
 * A module that skips the check takes a #GP on the first VMX MSR read (an
 * oops) or a #UD on VMXON. Run by `make check` in QEMU TCG with
 * `-cpu qemu64`, a CPU without VMX.
 *
 * Needs: a CPU WITHOUT VMX; skips elsewhere.
 */
#include "tvmm_util.h"
#include "../kselftest_harness.h"

#include <cpuid.h>
#include <sys/wait.h>

static bool cpu_has_vmx(void)
{
	unsigned int eax, ebx, ecx, edx;

	return __get_cpuid(1, &eax, &ebx, &ecx, &edx) && (ecx & (1U << 5));
}

TEST(load_refused_with_enodev_and_message)
{
	char problem[256];
	int ret;

	if (cpu_has_vmx())
		SKIP(return, "this CPU has VMX: the no-VMX path runs in QEMU (-cpu qemu64)");
	kernel_log_clear();
	ret = module_load(tvmm_ko_path(), NULL);
	EXPECT_EQ(-ENODEV, ret) TH_LOG("load on a CPU without VMX: %s", strerror(-ret));
	EXPECT_TRUE(kernel_log_contains("does not offer VT-x"));
	EXPECT_TRUE(kernel_log_contains("lab VM"));
	EXPECT_FALSE(kernel_log_has_problem(problem, sizeof(problem))) TH_LOG("%s", problem);
	EXPECT_FALSE(module_is_loaded("tvmm"));
	EXPECT_NE(0, access(TVMM_DEVICE_PATH, F_OK));
	EXPECT_NE(0, access(TVMM_DEBUGFS, F_OK));
}

/* `tvmm caps` without the module: a non-zero exit and an explanation. */
TEST(tool_explains_missing_module)
{
	int pipefd[2], status;
	char out[4096] = "";
	ssize_t n, total = 0;
	pid_t pid;

	if (cpu_has_vmx())
		SKIP(return, "this CPU has VMX: the no-VMX path runs in QEMU (-cpu qemu64)");
	if (access("/usr/bin/tvmm", X_OK))
		SKIP(return, "/usr/bin/tvmm not in this image");
	ASSERT_EQ(0, pipe(pipefd));
	pid = fork();
	ASSERT_LE(0, pid);
	if (pid == 0) {
		dup2(pipefd[1], 1);
		dup2(pipefd[1], 2);
		execl("/usr/bin/tvmm", "tvmm", "caps", NULL);
		_exit(127);
	}
	close(pipefd[1]);
	while ((n = read(pipefd[0], out + total, sizeof(out) - 1 - total)) > 0)
		total += n;
	out[total] = '\0';
	close(pipefd[0]);
	ASSERT_EQ(pid, waitpid(pid, &status, 0));
	ASSERT_TRUE(WIFEXITED(status));
	EXPECT_NE(0, WEXITSTATUS(status));
	EXPECT_NE(NULL, strstr(out, "/dev/tvmm")) TH_LOG("output:\n%s", out);
	EXPECT_NE(NULL, strstr(out, "VT-x")) TH_LOG("output:\n%s", out);
}

TEST_HARNESS_MAIN
