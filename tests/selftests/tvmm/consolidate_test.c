// SPDX-License-Identifier: GPL-2.0
/*
 * consolidate_test - four VMs on one CPU, each with its own console and
 * its own bill; `tvmm top` sees a VM of another process.
 *
 * Rules under test (userspace/consolidate.c, userspace/bill.c,
 * module/usage.c, userspace/top.c):
 *
 * 1. `tvmm consolidate --cpus 0 spin hello hello cpuid_loop` runs four VMs
 *    side by side on CPU 0 (the default lab VM has one). Every line of
 *    stdout carries a VM's name ("[hello#2] ..."), and each VM's lines are
 *    exactly what that guest prints alone (`tvmm run`, same image): no
 *    line lost, cut, doubled or given to another VM. The two VMs of one
 *    image are hello and hello#2.
 * 2. Each VM's bill (its usage line) is its own: its exits are the ones
 *    its summary line counts, and its guest ticks are within a factor 2
 *    of the guest ticks of the same guest run alone (hello's are about
 *    2,600, cpuid_loop's about 14,500, spin's 300 million: a bill charged
 *    to another VM, or one that kept the last VM's counts, is far off).
 * 3. The bills add up. "Total" is the wall time of the run on CPU 0: the
 *    TSC ticks from before the first VM's thread started to after the
 *    last one ended ("wall_ticks" of the total line, taken by the tool).
 *    On one CPU the VMs' guest + tvmm ticks share that time, so
 *      sum(guest + tvmm) <= wall_ticks, and
 *      sum(guest + tvmm) >= (1 - CONSOLIDATE_SLACK) x wall_ticks.
 *    The slack is what on CPU 0 is nobody's VM: the tool's own work
 *    (building four VMs, starting threads, printing lines), Linux
 *    switching between the threads and taking its timer interrupts
 *    outside any slice, and idle time (none here: no guest waits in HLT).
 *    Measured: 98 % of wall time is in the bills; the slack is 10 %. The
 *    total line is the sum of the VMs' lines.
 * 4. `tvmm top --once --json`, while spin.bin runs in another process,
 *    lists that VM: its pid, name "spin", state "running", exits, and a
 *    guest share above 50 % (spin does nothing but run); the text screen
 *    names it too.
 * 5. A SIGTERM stops every VM of a consolidation (below).
 *
 * Lab VM ticks are emulated instructions (Bochs, clock: sync=none), so
 * these bounds are instruction counts, not timing.
 * Needs: the tvmm tool in PATH, a VT-x CPU with the preemption timer.
 */
#include "vm_util.h"
#include "../kselftest_harness.h"
#include "tool_util.h"

#define CONSOLIDATE_SLACK	0.10
#define SPIN_EXITS		"300"	/* spin.bin ends at --max-exits: 300 M ticks */
#define OUT			"/tmp/consolidate.out"
#define ERR			"/tmp/consolidate.err"

/* One VM's usage line: "tvmm: usage [NAME] guest_ticks=... ram_mib_s=...". */
struct bill {
	char name[64];
	unsigned long long guest, exits, tvmm, host, halted;
	double ram;
};

/* The usage line of @name in @err; 0, or -1 if there is none. */
static int find_bill(const char *err, const char *name, struct bill *b)
{
	char key[96];
	const char *p;

	snprintf(key, sizeof(key), "tvmm: usage [%s] ", name);
	p = strstr(err, key);
	if (!p)
		return -1;
	snprintf(b->name, sizeof(b->name), "%s", name);
	return sscanf(p + strlen(key),
		      "guest_ticks=%llu exits=%llu tvmm_ticks=%llu host_ticks=%llu halted_ticks=%llu ram_mib_s=%lf",
		      &b->guest, &b->exits, &b->tvmm, &b->host, &b->halted, &b->ram) == 6 ? 0 : -1;
}

/* The exit count of the summary line "tvmm: [NAME] ... after N exits"; -1 if none. */
static long long summary_exits(const char *err, const char *prefix)
{
	const char *p = strstr(err, prefix), *after;
	unsigned long long n;

	if (!p)
		return -1;
	after = strstr(p, " after ");
	if (!after || sscanf(after, " after %llu exit", &n) != 1)
		return -1;
	return n;
}

/* The lines of @out prefixed "[@name] ", prefix removed, into @buf. */
static void console_of(const char *out, const char *name, char *buf, size_t size)
{
	char prefix[96];
	size_t len = 0, plen;
	const char *line = out, *nl;

	snprintf(prefix, sizeof(prefix), "[%s] ", name);
	plen = strlen(prefix);
	buf[0] = '\0';
	for (; *line; line = nl + 1) {
		nl = strchr(line, '\n');
		if (!nl)
			nl = line + strlen(line) - 1;
		if (!strncmp(line, prefix, plen) && len + (nl - line) < size)
			len += snprintf(buf + len, size - len, "%.*s\n",
					(int)(nl - line - plen), line + plen);
	}
}

/* `tvmm run --usage @guest` alone: its console in @console, its bill in @b. */
static int solo(const char *guest, char *console, size_t size, struct bill *b)
{
	char path[PATH_MAX], cmd[PATH_MAX + 64], err[4096], name[64];
	int status;

	snprintf(cmd, sizeof(cmd), "tvmm run --usage %s", guest_path(guest, path, sizeof(path)));
	status = tool_run(cmd, OUT, ERR);
	if (tool_slurp(OUT, console, size) < 0 || tool_slurp(ERR, err, sizeof(err)) < 0)
		return -1;
	snprintf(name, sizeof(name), "%.*s", (int)(strlen(guest) - 4), guest);
	if (find_bill(err, name, b))
		return -1;
	return status;
}

FIXTURE(consolidate) {
	char out[16384], err[16384];
};

FIXTURE_SETUP(consolidate)
{
	REQUIRE_VMX_AND_TVMM();
	REQUIRE_GUEST("spin.bin");
	REQUIRE_GUEST("hello.bin");
	REQUIRE_GUEST("cpuid_loop.bin");
	if (!tool_available())
		SKIP_TEST("the tvmm tool is not in PATH");
}

FIXTURE_TEARDOWN(consolidate)
{
	unlink(OUT);
	unlink(ERR);
}

TEST_F_TIMEOUT(consolidate, four_on_one_cpu, 600)
{
	static const char *const names[] = { "spin", "hello", "hello#2", "cpuid_loop" };
	char hello_text[1024], cpuid_text[1024], got[4096], cmd[4 * PATH_MAX + 128];
	char p1[PATH_MAX], p2[PATH_MAX], p3[PATH_MAX];
	struct bill hello_solo, cpuid_solo, b[4], total;
	unsigned long long sum = 0, wall = 0;
	const char *line, *t;
	unsigned int i;
	int status, vms = 0;

	ASSERT_EQ(0, solo("hello.bin", hello_text, sizeof(hello_text), &hello_solo));
	ASSERT_EQ(0, solo("cpuid_loop.bin", cpuid_text, sizeof(cpuid_text), &cpuid_solo));
	ASSERT_NE(0, hello_text[0]);
	ASSERT_NE(0, cpuid_text[0]);

	snprintf(cmd, sizeof(cmd),
		 "tvmm consolidate --cpus 0 --max-exits " SPIN_EXITS " %s %s %s %s",
		 guest_path("spin.bin", p1, sizeof(p1)), guest_path("hello.bin", p2, sizeof(p2)),
		 p2, guest_path("cpuid_loop.bin", p3, sizeof(p3)));
	status = tool_run(cmd, OUT, ERR);
	ASSERT_LE(0, tool_slurp(OUT, self->out, sizeof(self->out)));
	ASSERT_LE(0, tool_slurp(ERR, self->err, sizeof(self->err)));
	/* The first VM that did not end with 0: spin, at --max-exits. */
	EXPECT_EQ(112, status) TH_LOG("%s", self->err);
	EXPECT_NE(NULL, strstr(self->err, "4 VMs, a thread each, on CPU 0: spin, hello, hello#2, cpuid_loop"))
		TH_LOG("%s", self->err);

	/* 1. Every line is a VM's, whole; each VM's lines are its solo console. */
	for (line = self->out; *line; line = strchr(line, '\n') + 1) {
		bool known = false;

		for (i = 0; i < 4; i++) {
			char prefix[80];

			snprintf(prefix, sizeof(prefix), "[%s] ", names[i]);
			known |= !strncmp(line, prefix, strlen(prefix));
		}
		EXPECT_TRUE(known) TH_LOG("a line with no VM's name: %.80s", line);
		if (!strchr(line, '\n'))
			break;
	}
	console_of(self->out, "hello", got, sizeof(got));
	EXPECT_STREQ(hello_text, got);
	console_of(self->out, "hello#2", got, sizeof(got));
	EXPECT_STREQ(hello_text, got);
	console_of(self->out, "cpuid_loop", got, sizeof(got));
	EXPECT_STREQ(cpuid_text, got);
	console_of(self->out, "spin", got, sizeof(got));
	EXPECT_STREQ("", got);

	/* 2. Each bill is its VM's. */
	for (i = 0; i < 4; i++) {
		char prefix[80];

		ASSERT_EQ(0, find_bill(self->err, names[i], &b[i])) TH_LOG("%s", self->err);
		snprintf(prefix, sizeof(prefix), "tvmm: [%s] ", names[i]);
		EXPECT_EQ(summary_exits(self->err, prefix), (long long)b[i].exits)
			TH_LOG("%s: the bill's exits are not the summary's", names[i]);
		EXPECT_LT(0, b[i].tvmm);
		EXPECT_LT(0.0, b[i].ram);
		sum += b[i].guest + b[i].tvmm;
		TH_LOG("%-10s guest %11llu tvmm %9llu host %10llu exits %4llu  RAM %.3f MiB*s",
		       names[i], b[i].guest, b[i].tvmm, b[i].host, b[i].exits, b[i].ram);
	}
	EXPECT_EQ(300, b[0].exits);
	for (i = 1; i < 3; i++) {
		EXPECT_LE(hello_solo.guest / 2, b[i].guest) TH_LOG("%s: alone %llu", names[i],
								   hello_solo.guest);
		EXPECT_GE(hello_solo.guest * 2, b[i].guest) TH_LOG("%s: alone %llu", names[i],
								   hello_solo.guest);
	}
	EXPECT_LE(cpuid_solo.guest / 2, b[3].guest) TH_LOG("alone %llu", cpuid_solo.guest);
	EXPECT_GE(cpuid_solo.guest * 2, b[3].guest) TH_LOG("alone %llu", cpuid_solo.guest);
	/* spin ran 300 preemption-timer periods of 1 M ticks: far more than the rest. */
	EXPECT_LT(100ULL * (b[1].guest + b[2].guest + b[3].guest), b[0].guest);

	/* 3. The bills add up to the run's wall time on CPU 0, within the slack. */
	t = strstr(self->err, "tvmm: usage total: ");
	ASSERT_NE(NULL, t) TH_LOG("%s", self->err);
	ASSERT_EQ(8, sscanf(t, "tvmm: usage total: vms=%d wall_ticks=%llu guest_ticks=%llu exits=%llu tvmm_ticks=%llu host_ticks=%llu halted_ticks=%llu ram_mib_s=%lf",
			    &vms, &wall, &total.guest, &total.exits, &total.tvmm, &total.host,
			    &total.halted, &total.ram));
	EXPECT_EQ(4, vms);
	EXPECT_EQ(b[0].guest + b[1].guest + b[2].guest + b[3].guest, total.guest);
	EXPECT_EQ(b[0].exits + b[1].exits + b[2].exits + b[3].exits, total.exits);
	EXPECT_EQ(b[0].tvmm + b[1].tvmm + b[2].tvmm + b[3].tvmm, total.tvmm);
	EXPECT_LE(sum, wall) TH_LOG("the VMs were billed %llu ticks of one CPU in %llu", sum, wall);
	EXPECT_GE(sum, (unsigned long long)((1 - CONSOLIDATE_SLACK) * wall))
		TH_LOG("the bills hold %llu of %llu ticks", sum, wall);
	TH_LOG("bills: %llu of the run's %llu ticks on CPU 0 (%.1f %%)", sum, wall,
	       100.0 * sum / wall);
}

/* 4. top sees a VM of another process, running. */
TEST_F_TIMEOUT(consolidate, top_sees_other_process, 300)
{
	char path[PATH_MAX], cmd[PATH_MAX + 64], key[64];
	double guest_pct = 0;
	const char *v;
	pid_t pid;
	int id, status;

	snprintf(cmd, sizeof(cmd), "tvmm run --max-exits 400 %s",
		 guest_path("spin.bin", path, sizeof(path)));
	pid = tool_spawn(cmd, "/tmp/consolidate.spin");
	ASSERT_LT(0, pid);
	id = tool_wait_vm(pid, 5, 400);
	if (id < 0)
		tool_stop(pid);
	ASSERT_LE(0, id) TH_LOG("no VM of process %d has run 5 exits", pid);

	status = tool_run("tvmm top --once --json", OUT, ERR);
	ASSERT_LE(0, tool_slurp(OUT, self->out, sizeof(self->out)));
	ASSERT_LE(0, tool_slurp(ERR, self->err, sizeof(self->err)));
	EXPECT_EQ(0, status) TH_LOG("%s", self->err);
	snprintf(key, sizeof(key), "{\"vm\":\"vm%d\",", id);
	v = strstr(self->out, key);
	ASSERT_NE(NULL, v) TH_LOG("%s", self->out);
	snprintf(key, sizeof(key), "\"pid\":%d,", pid);
	EXPECT_NE(NULL, strstr(v, key)) TH_LOG("%s", v);
	EXPECT_NE(NULL, strstr(v, "\"name\":\"spin\",")) TH_LOG("%s", v);
	EXPECT_NE(NULL, strstr(v, "\"state\":\"running\",")) TH_LOG("%s", v);
	EXPECT_NE(NULL, strstr(v, "\"PREEMPTION_TIMER\":")) TH_LOG("%s", v);
	ASSERT_NE(NULL, strstr(v, "\"guest_pct\":"));
	guest_pct = atof(strstr(v, "\"guest_pct\":") + 12);
	EXPECT_LT(50.0, guest_pct) TH_LOG("%s", v);

	status = tool_run("tvmm top --once", OUT, ERR);
	ASSERT_LE(0, tool_slurp(OUT, self->out, sizeof(self->out)));
	EXPECT_EQ(0, status);
	snprintf(key, sizeof(key), "vm%-3d spin ", id);
	EXPECT_NE(NULL, strstr(self->out, key)) TH_LOG("%s", self->out);
	EXPECT_NE(NULL, strstr(self->out, " running ")) TH_LOG("%s", self->out);
	TH_LOG("tvmm top --once:\n%s", self->out);

	tool_stop(pid);
	unlink("/tmp/consolidate.spin");

	/* No module directory: a clear error, status 3 (no module). */
	status = tool_run("TVMM_DEBUGFS=/nonexistent tvmm top --once", OUT, ERR);
	EXPECT_EQ(3, status);
}

/*
 * 5. A SIGTERM (or Ctrl-C) that reaches the process reaches every VM: each
 *    thread's TVMM_RUN returns EINTR, each VM is summed up as interrupted,
 *    with its bill, and the status is 130. A tool that stopped only the
 *    thread the signal landed on would wait for the other VM's
 *    --max-exits (status 112).
 */
TEST_F_TIMEOUT(consolidate, sigterm_reaches_every_vm, 300)
{
	char path[PATH_MAX], cmd[2 * PATH_MAX + 96];
	pid_t pid;
	int id, status;

	snprintf(cmd, sizeof(cmd), "tvmm consolidate --cpus 0 --max-exits 1000 %s %s",
		 guest_path("spin.bin", path, sizeof(path)), path);
	pid = tool_spawn(cmd, OUT);
	ASSERT_LT(0, pid);
	id = tool_wait_vm(pid, 5, 400);
	if (id < 0)
		tool_stop(pid);
	ASSERT_LE(0, id) TH_LOG("no VM of process %d has run 5 exits", pid);
	status = tool_stop(pid);
	ASSERT_LE(0, tool_slurp(OUT, self->out, sizeof(self->out)));
	ASSERT_TRUE(WIFEXITED(status)) TH_LOG("%s", self->out);
	EXPECT_EQ(130, WEXITSTATUS(status)) TH_LOG("%s", self->out);
	EXPECT_NE(NULL, strstr(self->out, "tvmm: [spin] interrupted by SIGTERM after "))
		TH_LOG("%s", self->out);
	EXPECT_NE(NULL, strstr(self->out, "tvmm: [spin#2] interrupted by SIGTERM after "))
		TH_LOG("%s", self->out);
	EXPECT_NE(NULL, strstr(self->out, "tvmm: usage [spin#2] ")) TH_LOG("%s", self->out);
	EXPECT_NE(NULL, strstr(self->out, "tvmm: usage total: vms=2 ")) TH_LOG("%s", self->out);
}

TEST_HARNESS_MAIN
