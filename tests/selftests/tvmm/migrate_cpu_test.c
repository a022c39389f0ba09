// SPDX-License-Identifier: GPL-2.0
/*
 * migrate_cpu_test - `tvmm migrate vmN --cpu B` moves a VM that another
 * process runs, without stopping it.
 *
 * Rule under test (userspace/migrate_cpu.c, module/vcpu.c; SDM vol. 3C,
 * 25.11.1): a VM's VMCS is VMCLEARed at the end of every slice, so moving
 * the thread that runs it (debugfs vmN/state "tid:") to CPU B makes the
 * next slice VMPTRLD it on B. spin.bin runs in a background `tvmm run
 * --cpu 0`; the command finds the VM's thread in debugfs, pins it to CPU 1
 * and waits for debugfs' "last cpu: 1", which the test then reads itself;
 * the VM goes on (its exits keep growing) and ends as it would have, at
 * --max-exits (status 112). Refused with a reason and status 2: a VM that
 * does not exist, a CPU that is not online, no --cpu.
 *
 * Needs: 2 CPUs (make check's vm-bochs-2cpus step; skips on 1), the tvmm
 * tool in PATH, a VT-x CPU with the preemption timer (Bochs).
 */
#include "vm_util.h"
#include "../kselftest_harness.h"
#include "tool_util.h"

#define OUT	"/tmp/migrate_cpu.out"
#define ERR	"/tmp/migrate_cpu.err"
#define SPIN	"/tmp/migrate_cpu.spin"

FIXTURE(migrate_cpu) {
	char err[4096];
};

FIXTURE_SETUP(migrate_cpu)
{
	REQUIRE_VMX_AND_TVMM();
	REQUIRE_GUEST("spin.bin");
	if (sysconf(_SC_NPROCESSORS_ONLN) < 2)
		SKIP_TEST("needs 2 CPUs: labvm.sh tests --cpus 2 (make check's vm-bochs-2cpus)");
	if (!tool_available())
		SKIP_TEST("the tvmm tool is not in PATH");
}

FIXTURE_TEARDOWN(migrate_cpu)
{
	unlink(OUT);
	unlink(ERR);
	unlink(SPIN);
}

TEST_F_TIMEOUT(migrate_cpu, other_process_cpu0_to_cpu1, 300)
{
	char path[PATH_MAX], cmd[PATH_MAX + 64], want[128], spin[4096];
	long exits_before;
	pid_t pid;
	int id, status;

	snprintf(cmd, sizeof(cmd), "tvmm run --cpu 0 --max-exits 120 %s",
		 guest_path("spin.bin", path, sizeof(path)));
	pid = tool_spawn(cmd, SPIN);
	ASSERT_LT(0, pid);
	id = tool_wait_vm(pid, 5, 400);
	if (id < 0)
		tool_stop(pid);
	ASSERT_LE(0, id) TH_LOG("no VM of process %d has run 5 exits", pid);
	EXPECT_EQ(0, tool_vm_field(id, "last cpu"));
	EXPECT_EQ(pid, tool_vm_field(id, "tid")) TH_LOG("tvmm run runs its VM on its main thread");
	exits_before = tool_vm_field(id, "exits");

	/* A CPU that is not online: refused, the VM left where it is. */
	snprintf(cmd, sizeof(cmd), "tvmm migrate vm%d --cpu 63", id);
	status = tool_run(cmd, OUT, ERR);
	ASSERT_LE(0, tool_slurp(ERR, self->err, sizeof(self->err)));
	EXPECT_EQ(2, status);
	EXPECT_NE(NULL, strstr(self->err, "CPU 63 is not online")) TH_LOG("%s", self->err);

	snprintf(cmd, sizeof(cmd), "tvmm migrate vm%d --cpu 1", id);
	status = tool_run(cmd, OUT, ERR);
	ASSERT_LE(0, tool_slurp(ERR, self->err, sizeof(self->err)));
	EXPECT_EQ(0, status) TH_LOG("%s", self->err);
	snprintf(want, sizeof(want), "vm%d moved from CPU 0 to CPU 1", id);
	EXPECT_NE(NULL, strstr(self->err, want)) TH_LOG("%s", self->err);
	EXPECT_EQ(1, tool_vm_field(id, "last cpu")) TH_LOG("debugfs after the move");
	EXPECT_LT(exits_before, tool_vm_field(id, "exits"));

	/* The VM goes on, on CPU 1, and ends as it would have. */
	waitpid(pid, &status, 0);
	ASSERT_TRUE(WIFEXITED(status));
	ASSERT_LE(0, tool_slurp(SPIN, spin, sizeof(spin)));
	EXPECT_EQ(112, WEXITSTATUS(status)) TH_LOG("%s", spin);
	EXPECT_NE(NULL, strstr(spin, "max exits (120) reached after 120 exits")) TH_LOG("%s", spin);
	TH_LOG("moved after %ld exits:\n%s", exits_before, self->err);
}

TEST_F(migrate_cpu, refusals)
{
	int status;

	status = tool_run("tvmm migrate vm99999 --cpu 1", OUT, ERR);
	ASSERT_LE(0, tool_slurp(ERR, self->err, sizeof(self->err)));
	EXPECT_EQ(2, status);
	EXPECT_NE(NULL, strstr(self->err, "there is no vm99999")) TH_LOG("%s", self->err);

	status = tool_run("tvmm migrate vm0", OUT, ERR);
	EXPECT_EQ(2, status);
	status = tool_run("tvmm migrate nonsense --cpu 1", OUT, ERR);
	EXPECT_EQ(2, status);
}

TEST_HARNESS_MAIN
