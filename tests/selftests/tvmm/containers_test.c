// SPDX-License-Identifier: GPL-2.0
/*
 * containers_test - a container next to a VM: what each one shares.
 *
 * Rule under test (the notes' comparison of the VMM with the OS, and
 * docs/concepts.md "Containers are not VMs"): a container is a group of
 * ordinary processes that the one kernel shows a private view of the
 * machine through namespaces (here busybox `unshare` with PID, UTS and
 * mount namespaces, as `make containers-demo` runs it). Its system calls,
 * privileged ones included (sethostname, mount), go straight to that same
 * kernel:
 *   - same kernel: inside, `uname -r` and the kernel's boot_id (a random
 *     UUID each boot of a kernel makes) are the host's;
 *   - own names: its hostname is its own (the host's is untouched), its
 *     shell is PID 1 of a new PID namespace, its /proc shows only its own
 *     processes;
 *   - no VM exit: while it runs, the tvmm:tvmm_exit tracepoint fires not
 *     once.
 * A tvmm guest is the opposite: its own kernel (guests/minios.S, not
 * Linux), and run de-privileged, each privileged act of that kernel
 * (LGDT, LIDT, LTR, CLI, STI, OUT) is a VM exit that tvmm emulates, every
 * one seen by the same tracepoint.
 *
 * Needs: the lab kernel's namespaces (CONFIG_NAMESPACES, UTS_NS, PID_NS:
 * tests/labvm/tiny.config), busybox's unshare, tracefs; for the guest, a
 * VT-x CPU (Bochs) and lab 06 (--mode deprivileged) built.
 */
#include "vm_util.h"
#include "../kselftest_harness.h"

#include <sys/utsname.h>

#define BOX_NAME	"tvmm-box"
#define TRACEFS		"/sys/kernel/tracing/"
#define EXIT_EVENT	"events/tvmm/tvmm_exit/enable"

/*
 * The container: one shell in new PID, UTS and mount namespaces (with its
 * own /proc), printing what it sees as key=value lines.
 */
static const char container_cmd[] =
	"unshare --pid --uts --mount --fork --mount-proc /bin/sh -c '"
	"hostname " BOX_NAME "; "
	"echo release=$(uname -r); "
	"echo bootid=$(cat /proc/sys/kernel/random/boot_id); "
	"echo hostname=$(hostname); "
	"echo pid=$$; "
	"echo pidns=$(readlink /proc/self/ns/pid); "
	"echo procs=$(ls -d /proc/[0-9]* | wc -l)' 2>&1";

FIXTURE(containers) {
	char out[4096];			/* the container's output */
	struct vm_result res;
};

/* The tvmm:tvmm_exit events in the trace buffer now. */
static int exit_events(void)
{
	static char buf[1 << 20];
	int n = 0;
	char *p;

	if (read_text_file(TRACEFS "trace", buf, sizeof(buf)) < 0)
		return -1;
	for (p = buf; (p = strstr(p, "tvmm_exit: ")); p++)
		n++;
	return n;
}

/* Run the container; its output in @out. 0 or its exit status. */
static int run_container(char *out, size_t size)
{
	FILE *f = popen(container_cmd, "r");
	size_t n;

	if (!f)
		return -1;
	n = fread(out, 1, size - 1, f);
	out[n] = '\0';
	return pclose(f);
}

/* The value of "@key=" in @out, up to the end of its line, in @buf. */
static const char *value_of(const char *out, const char *key, char *buf, size_t size)
{
	char pat[64];
	const char *p;

	snprintf(pat, sizeof(pat), "%s=", key);
	for (p = out; (p = strstr(p, pat)); p++)
		if (p == out || p[-1] == '\n')
			break;
	buf[0] = '\0';
	if (p)
		snprintf(buf, size, "%.*s", (int)strcspn(p + strlen(pat), "\n"),
			 p + strlen(pat));
	return buf;
}

static int count_pids(void)
{
	struct dirent *de;
	int n = 0;
	DIR *d = opendir("/proc");

	if (!d)
		return -1;
	while ((de = readdir(d)))
		n += de->d_name[0] >= '1' && de->d_name[0] <= '9';
	closedir(d);
	return n;
}

FIXTURE_SETUP(containers)
{
	ASSERT_EQ(0, access("/proc/self/ns/pid", R_OK))
		TH_LOG("no PID namespaces: the lab kernel needs CONFIG_PID_NS (tests/labvm/tiny.config)");
	ASSERT_EQ(0, access("/proc/self/ns/uts", R_OK))
		TH_LOG("no UTS namespaces: the lab kernel needs CONFIG_UTS_NS (tests/labvm/tiny.config)");
	ASSERT_EQ(0, run_container(self->out, sizeof(self->out)))
		TH_LOG("the container failed:\n%s", self->out);
	memset(&self->res, 0, sizeof(self->res));
}

FIXTURE_TEARDOWN(containers)
{
	vm_result_free(&self->res);
}

/* Same kernel: the container's uname -r and boot_id are the host's. */
TEST_F(containers, same_kernel)
{
	char v[128], host_boot[128] = "";
	struct utsname u;

	ASSERT_EQ(0, uname(&u));
	ASSERT_LT(0, read_text_file("/proc/sys/kernel/random/boot_id", host_boot,
				    sizeof(host_boot)));
	host_boot[strcspn(host_boot, "\n")] = '\0';
	EXPECT_STREQ(u.release, value_of(self->out, "release", v, sizeof(v)))
		TH_LOG("container:\n%s", self->out);
	EXPECT_STREQ(host_boot, value_of(self->out, "bootid", v, sizeof(v)));
	TH_LOG("host and container: kernel %s, boot_id %s", u.release, host_boot);
}

/* Own names: hostname, PID 1, a PID namespace of its own, few processes. */
TEST_F(containers, own_names)
{
	char v[128], host_ns[128] = "";
	struct utsname u;
	int procs;
	ssize_t n;

	ASSERT_EQ(0, uname(&u));
	EXPECT_STREQ(BOX_NAME, value_of(self->out, "hostname", v, sizeof(v)));
	EXPECT_STRNE(BOX_NAME, u.nodename) TH_LOG("the container's hostname leaked to the host");
	EXPECT_STREQ("1", value_of(self->out, "pid", v, sizeof(v)));
	n = readlink("/proc/self/ns/pid", host_ns, sizeof(host_ns) - 1);
	ASSERT_LT(0, n);
	host_ns[n] = '\0';
	value_of(self->out, "pidns", v, sizeof(v));
	EXPECT_EQ(0, strncmp(v, "pid:[", 5)) TH_LOG("pidns=%s", v);
	EXPECT_STRNE(host_ns, v);
	/*
	 * Its /proc: the shell, the subshell of $(...), ls and wc; the
	 * host's has those and every other process, kernel threads included.
	 */
	procs = atoi(value_of(self->out, "procs", v, sizeof(v)));
	EXPECT_LE(1, procs);
	EXPECT_GE(4, procs);
	EXPECT_LT(procs + 4, count_pids());
}

/*
 * No VM exit for the container, one per privileged act for the guest:
 * the same tracepoint watches both.
 */
TEST_F(containers, exits_for_the_guest_not_the_container)
{
	struct tvmm_config c = vm_config(TVMM_MODE_DEPRIVILEGED, TVMM_CONFIG_TRACE, 0);
	static const char *const acts[] = { "lgdt", "lidt", "ltr", "cli", "sti", "out" };
	int events, ret;
	size_t i;

	REQUIRE_VMX_AND_TVMM();
	REQUIRE_GUEST("minios.bin");
	if (access(TRACEFS EXIT_EVENT, W_OK))
		SKIP(return, "no tracefs or no tvmm:tvmm_exit event (kernel without tracing?)");
	ASSERT_EQ(0, tracefs_write("trace", ""));
	ASSERT_EQ(0, tracefs_write(EXIT_EVENT, "1"));
	ret = run_container(self->out, sizeof(self->out));
	events = exit_events();
	ASSERT_EQ(0, ret) TH_LOG("the container failed:\n%s", self->out);
	EXPECT_EQ(0, events) TH_LOG("VM exits while only the container ran");

	ASSERT_EQ(0, tracefs_write("trace", ""));
	ret = vm_run_guest(&c, "minios.bin", &self->res, NULL);
	events = exit_events();
	tracefs_write(EXIT_EVENT, "0");
	if (ret == -EOPNOTSUPP)
		SKIP(return, "this tvmm.ko has no --mode deprivileged (lab 06 not built)");
	ASSERT_EQ(0, ret);
	EXPECT_NE(NULL, strstr(self->res.console, "minios: kernel up"));
	/* Every exit the module recorded, the tracepoint saw. */
	EXPECT_LT(0, events);
	EXPECT_EQ(self->res.nrecs, (size_t)events);
	for (i = 0; i < sizeof(acts) / sizeof(acts[0]); i++) {
		ssize_t k = find_mnemonic(&self->res, 0, acts[i]);

		EXPECT_LE(0, k) TH_LOG("no exit at the guest kernel's %s", acts[i]);
		if (k >= 0) {
			EXPECT_EQ(TVMM_ACTION_EMULATED, self->res.recs[k].action);
			EXPECT_EQ(1, self->res.recs[k].cpl);
		}
	}
	TH_LOG("container: 0 exits; guest (minios, deprivileged): %d exits", events);
}

TEST_HARNESS_MAIN
