// SPDX-License-Identifier: GPL-2.0
/*
 * migrate_test - a running VM moved from one CPU to another.
 *
 * Rule under test (userspace/migrate.c, module/vcpu.c; SDM vol. 3C,
 * 25.11.1): tvmm VMCLEARs a VM's VMCS at the end of every run slice, so
 * between two slices the VM belongs to no CPU and the next slice may
 * VMPTRLD it anywhere. The mini-OS, paused after N exits on CPU 0, goes
 * on on CPU 1: debugfs vmN/state's "last cpu" says 0, then 1, and the
 * console is the uninterrupted one. The tool does the same with
 * `tvmm run --cpu 0 --migrate-to 1 --migrate-at N`.
 *
 * Needs: 2 CPUs (make check's vm-bochs-2cpus step; skips on 1), a VT-x
 * CPU with the preemption timer (Bochs).
 */
#define _GNU_SOURCE
#include <sched.h>

#include "vm_util.h"
#include "../kselftest_harness.h"
#include "minios_util.h"

static int pin(int cpu)
{
	cpu_set_t set;

	CPU_ZERO(&set);
	CPU_SET(cpu, &set);
	return sched_setaffinity(0, sizeof(set), &set) ? -errno : 0;
}

static int last_cpu(int fd)
{
	char v[32];
	int id = ioctl(fd, TVMM_GET_VM_ID);

	if (id < 0 || vm_state_field(id, "last cpu", v, sizeof(v)))
		return -2;
	return atoi(v);
}

FIXTURE(migrate) {
	struct vm_result res;
};

FIXTURE_SETUP(migrate)
{
	memset(&self->res, 0, sizeof(self->res));
	REQUIRE_VMX_AND_TVMM();
	REQUIRE_GUEST("minios.bin");
	if (sysconf(_SC_NPROCESSORS_ONLN) < 2)
		SKIP_TEST("needs 2 CPUs: labvm.sh tests --cpus 2 (make check's vm-bochs-2cpus)");
}

FIXTURE_TEARDOWN(migrate)
{
	vm_result_free(&self->res);
}

TEST_F_TIMEOUT(migrate, cpu0_to_cpu1, 300)
{
	struct tvmm_config c = vm_config(TVMM_MODE_DEPRIVILEGED, 0, MINIOS_MAX_EXITS);
	__u64 n = 60;
	int fd, ret;

	c.timer_ticks = MINIOS_TIMER_PERIOD;
	ASSERT_EQ(0, pin(0));
	fd = vm_create(&c);
	if (fd == -EOPNOTSUPP)
		SKIP(return, "no deprivileged mode in this tvmm.ko (lab 06)");
	ASSERT_LE(0, fd);
	ASSERT_LT(0, vm_load_file(fd, "minios.bin"));
	ASSERT_EQ(0, ioctl(fd, TVMM_PAUSE_AT, &n));
	do {
		ret = vm_run_step(fd, &self->res);
	} while (!ret && self->res.run.state != TVMM_RUN_ENDED && self->res.run.exits < n);
	ASSERT_EQ(0, ret);
	ASSERT_EQ(n, self->res.run.exits) TH_LOG("the VM did not pause at %llu exits", n);
	EXPECT_EQ(0, last_cpu(fd)) TH_LOG("the first %llu exits ran on CPU %d", n, last_cpu(fd));

	ASSERT_EQ(0, pin(1));
	do {
		ret = vm_run_step(fd, &self->res);
	} while (!ret && self->res.run.state != TVMM_RUN_ENDED);
	ASSERT_EQ(0, ret);
	EXPECT_EQ(1, last_cpu(fd)) TH_LOG("after the move, the last slice ran on CPU %d",
					  last_cpu(fd));
	EXPECT_EQ(TVMM_END_HLT, self->res.run.end) TH_LOG("%s", self->res.run.message);
	EXPECT_STREQ(MINIOS_TEXT, self->res.console);
	TH_LOG("paused after %llu exits on CPU 0, ended on CPU 1 after %llu exits", n,
	       (unsigned long long)self->res.run.exits);
	close(fd);
}

/* The tool: --cpu 0 --migrate-to 1 --migrate-at 60, the same console. */
TEST_F_TIMEOUT(migrate, tool, 300)
{
	char path[PATH_MAX], cmd[PATH_MAX + 256], out[4096] = "";
	FILE *f;
	int status;

	if (system("command -v tvmm >/dev/null 2>&1"))
		SKIP(return, "the tvmm tool is not in PATH");
	guest_path("minios.bin", path, sizeof(path));
	snprintf(cmd, sizeof(cmd),
		 "tvmm run --mode deprivileged --cpu 0 --migrate-to 1 --migrate-at 60 %s >/tmp/mig.out 2>&1",
		 path);
	status = system(cmd);
	f = fopen("/tmp/mig.out", "r");
	if (f) {
		out[fread(out, 1, sizeof(out) - 1, f)] = '\0';
		fclose(f);
	}
	ASSERT_TRUE(WIFEXITED(status));
	EXPECT_EQ(0, WEXITSTATUS(status)) TH_LOG("%s", out);
	EXPECT_NE(NULL, strstr(out, "after 60 exits, moved from CPU 0 to CPU 1")) TH_LOG("%s", out);
	EXPECT_NE(NULL, strstr(out, "last slice ran on CPU 1")) TH_LOG("%s", out);
	EXPECT_NE(NULL, strstr(out, "minios: app exited with")) TH_LOG("%s", out);
	unlink("/tmp/mig.out");
}

TEST_HARNESS_MAIN
