// SPDX-License-Identifier: GPL-2.0
/*
 * live_test - live migration of a memory-writing guest, pre-copy.
 *
 * Rules under test (module/dirty.c, userspace/migrate_live.c,
 * userspace/livestream.c; SDM vol. 3C, 29.3.3.2 and 29.4.3):
 *   - dirty logging write-protects guest RAM in the EPT; the guest's
 *     first write to a page traps and marks it, a harvest hands the
 *     bitmap out and protects those pages again, so the next round sees
 *     the same pages again if the guest writes them again;
 *   - it never makes a page writable that was read-only before: tvmm's
 *     shadow tables of a ring-1 guest stay read-only;
 *   - TVMM_READ_RAM reads guest RAM without the run lock, checked;
 *   - `tvmm migrate --live` sends memwrite.bin (4 pages written in a
 *     loop) in rounds that converge, memwrite_big.bin (256 pages) in
 *     rounds that hit the --max-rounds cap; either way the source's
 *     console followed by the destination's is the uninterrupted run's,
 *     byte for byte (the guest prints sums over its pages' history: a
 *     page that arrived stale changes them);
 *   - a truncated or corrupted stream is refused with exit status 8 and
 *     the reason, and no guest runs (no console at all).
 *
 * Needs: a VT-x CPU with EPT (Bochs), the tvmm tool in PATH for the
 * tool tests.
 */
#include "vm_util.h"
#include "../kselftest_harness.h"

#define SMALL		"memwrite.bin"
#define BIG		"memwrite_big.bin"
#define WSET_PAGE	0x80	/* the working set's first page (0x80000) */
#define DIR		"/tmp/live_test"
#define WORDS		(TVMM_GUEST_MEM_DEFAULT / 4096 / 64)

static long long dirty_op(int fd, __u32 op, __u64 *bitmap)
{
	struct tvmm_dirty_log log = { .op = op, .bitmap_addr = (unsigned long)bitmap };

	if (ioctl(fd, TVMM_DIRTY_LOG, &log))
		return -errno;
	return log.pages;
}

static bool page_set(const __u64 *map, unsigned int pfn)
{
	return map[pfn / 64] >> (pfn % 64) & 1;
}

/* Run @fd until its exit @n (TVMM_PAUSE_AT); 0 or -errno. */
static int run_to(int fd, __u64 n, struct vm_result *res)
{
	int ret = ioctl(fd, TVMM_PAUSE_AT, &n) ? -errno : 0;

	while (!ret && res->run.state != TVMM_RUN_ENDED && res->run.exits < n)
		ret = vm_run_step(fd, res);
	return ret;
}

FIXTURE(live) {
	struct vm_result res;
};

FIXTURE_SETUP(live)
{
	memset(&self->res, 0, sizeof(self->res));
	REQUIRE_VMX_AND_TVMM();
	REQUIRE_GUEST(SMALL);
	REQUIRE_GUEST(BIG);
}

FIXTURE_TEARDOWN(live)
{
	vm_result_free(&self->res);
}

/* The working set is dirty each round, then clean, then dirty again. */
TEST_F_TIMEOUT(live, dirty_log_rounds, 300)
{
	struct tvmm_config c = vm_config(TVMM_MODE_HW, 0, 0);
	__u64 map[WORDS];
	unsigned int p;
	long long n;
	int fd;

	fd = vm_create(&c);
	ASSERT_LE(0, fd);
	ASSERT_LT(0, vm_load_file(fd, SMALL));
	EXPECT_EQ(-ENXIO, dirty_op(fd, TVMM_DIRTY_HARVEST, map)) TH_LOG("harvest while off");
	ASSERT_EQ(0, run_to(fd, 40, &self->res));
	n = dirty_op(fd, TVMM_DIRTY_START, NULL);
	ASSERT_EQ(512, n) TH_LOG("hw mode: every page of 2 MiB is writable, so protected");
	EXPECT_EQ(-EBUSY, dirty_op(fd, TVMM_DIRTY_START, NULL));

	for (int round = 1; round <= 2; round++) {
		ASSERT_EQ(0, run_to(fd, self->res.run.exits + 100, &self->res));
		ASSERT_NE(TVMM_RUN_ENDED, self->res.run.state);
		memset(map, 0, sizeof(map));
		n = dirty_op(fd, TVMM_DIRTY_HARVEST, map);
		/* The 4 pages of the working set, the stack's, nothing else. */
		EXPECT_LE(4, n) TH_LOG("round %d: %lld pages dirty", round, n);
		EXPECT_GE(6, n) TH_LOG("round %d: %lld pages dirty", round, n);
		for (p = WSET_PAGE; p < WSET_PAGE + 4; p++)
			EXPECT_TRUE(page_set(map, p)) TH_LOG("round %d: page 0x%x not dirty", round, p);
		EXPECT_FALSE(page_set(map, 0x10)) TH_LOG("the code page was never written");
		/* Nothing ran since: nothing dirty. */
		EXPECT_EQ(0, dirty_op(fd, TVMM_DIRTY_HARVEST, map));
	}
	ASSERT_EQ(0, dirty_op(fd, TVMM_DIRTY_STOP, NULL));
	EXPECT_EQ(-ENXIO, dirty_op(fd, TVMM_DIRTY_STOP, NULL));
	ASSERT_EQ(0, vm_run_to_end(fd, &self->res));
	EXPECT_EQ(TVMM_END_HLT, self->res.run.end) TH_LOG("%s", self->res.run.message);
	EXPECT_NE(NULL, strstr(self->res.console, "memwrite: done\n"));
	close(fd);
}

/* TVMM_READ_RAM: the image's bytes, and bad ranges refused. */
TEST_F(live, read_ram)
{
	struct tvmm_config c = vm_config(TVMM_MODE_HW, 0, 0);
	static unsigned char page[4096], image[4096];
	struct tvmm_ram_read rd = { .gpa = TVMM_GUEST_LOAD_GPA, .len = 4096,
				    .addr = (unsigned long)page };
	char path[PATH_MAX];
	FILE *f;
	size_t size;
	int fd;

	fd = vm_create(&c);
	ASSERT_LE(0, fd);
	EXPECT_EQ(-1, ioctl(fd, TVMM_READ_RAM, &rd));
	EXPECT_EQ(EINVAL, errno) TH_LOG("no RAM before TVMM_LOAD_IMAGE");
	ASSERT_LT(0, vm_load_file(fd, SMALL));
	ASSERT_EQ(0, ioctl(fd, TVMM_READ_RAM, &rd));
	f = fopen(guest_path(SMALL, path, sizeof(path)), "r");
	ASSERT_NE(NULL, f);
	size = fread(image, 1, sizeof(image), f);
	fclose(f);
	EXPECT_EQ(0, memcmp(page, image, size));
	rd.gpa = TVMM_GUEST_LOAD_GPA + 8;
	EXPECT_EQ(-1, ioctl(fd, TVMM_READ_RAM, &rd));
	EXPECT_EQ(EINVAL, errno) TH_LOG("a GPA not page-aligned");
	rd.gpa = TVMM_GUEST_MEM_DEFAULT - 4096;
	rd.len = 8192;
	EXPECT_EQ(-1, ioctl(fd, TVMM_READ_RAM, &rd));
	EXPECT_EQ(EINVAL, errno) TH_LOG("a range past the end of RAM");
	close(fd);
}

/* Dirty logging never gives a ring-1 guest write access to the shadow tables. */
TEST_F_TIMEOUT(live, shadow_stays_readonly, 300)
{
	struct tvmm_config c = vm_config(TVMM_MODE_DEPRIVILEGED, 0, 0);
	long long protected_pages;
	int fd, stop;

	REQUIRE_GUEST("adv_shadow.bin");
	for (stop = 0; stop <= 1; stop++) {
		memset(&self->res, 0, sizeof(self->res));
		fd = vm_create(&c);
		if (fd == -EOPNOTSUPP)
			SKIP(return, "no deprivileged mode in this tvmm.ko (lab 06)");
		ASSERT_LE(0, fd);
		ASSERT_LT(0, vm_load_file(fd, "adv_shadow.bin"));
		protected_pages = dirty_op(fd, TVMM_DIRTY_START, NULL);
		/* 512 pages less the 16 of tvmm's region, read-only already. */
		EXPECT_EQ(512 - 16, protected_pages);
		if (stop)
			ASSERT_EQ(0, dirty_op(fd, TVMM_DIRTY_STOP, NULL));
		ASSERT_EQ(0, vm_run_to_end(fd, &self->res));
		EXPECT_EQ(TVMM_END_EPT_VIOLATION, self->res.run.end)
			TH_LOG("%s: %s", stop ? "logging stopped" : "logging on", self->res.run.message);
		EXPECT_LE(TVMM_GUEST_MEM_DEFAULT - TVMM_DEPRIV_RESERVED, self->res.run.end_info);
		close(fd);
	}
}

/* Run shell @cmd; its exit status, or -1. */
static int sh(const char *cmd)
{
	int status = system(cmd);

	return WIFEXITED(status) ? WEXITSTATUS(status) : -1;
}

/* The whole of @path in @buf (NUL-terminated); "" if unreadable. */
static char *slurp(const char *path, char *buf, size_t size)
{
	FILE *f = fopen(path, "r");
	size_t n = 0;

	if (f) {
		n = fread(buf, 1, size - 1, f);
		fclose(f);
	}
	buf[n] = '\0';
	return buf;
}

/*
 * The source's round lines, "tvmm: round R: sent S pages, dirtied D ...":
 * how many, each D into @dirtied (up to @max); -1 if R is out of order.
 */
static int parse_rounds(const char *text, long *dirtied, int max)
{
	unsigned int round, sent;
	int n = 0;
	long d;

	for (; text && *text; text = strchr(text, '\n'), text = text ? text + 1 : NULL) {
		if (sscanf(text, "%*[^:\n]: round %u: sent %u pages, dirtied %ld", &round, &sent,
			   &d) != 3)
			continue;
		if (round != (unsigned int)n + 1)
			return -1;
		if (n < max)
			dirtied[n] = d;
		n++;
	}
	return n;
}

#define REQUIRE_TOOL() do {							\
	if (system("command -v tvmm >/dev/null 2>&1"))				\
		SKIP(return, "the tvmm tool is not in PATH");			\
} while (0)

static char console_ref[65536], console_mig[65536], err_src[8192], err_dst[8192];

/* The uninterrupted run's console, and the migrated one's, concatenated. */
static int consoles(const char *guest_path_)
{
	char cmd[PATH_MAX + 128];

	snprintf(cmd, sizeof(cmd), "tvmm run %s >" DIR "/ref.out 2>/dev/null", guest_path_);
	if (sh(cmd))
		return -1;
	slurp(DIR "/ref.out", console_ref, sizeof(console_ref));
	sh("cat " DIR "/src.out " DIR "/dst.out >" DIR "/mig.out");
	slurp(DIR "/mig.out", console_mig, sizeof(console_mig));
	slurp(DIR "/src.err", err_src, sizeof(err_src));
	slurp(DIR "/dst.err", err_dst, sizeof(err_dst));
	return 0;
}

/* 4 pages written in a loop: the rounds converge; through a FIFO. */
TEST_F_TIMEOUT(live, small_converges, 600)
{
	char path[PATH_MAX], cmd[2 * PATH_MAX], rc[16];
	long dirtied[8];
	int i, rounds;

	REQUIRE_TOOL();
	guest_path(SMALL, path, sizeof(path));
	snprintf(cmd, sizeof(cmd),
		 "rm -rf " DIR " && mkdir -p " DIR " && mkfifo " DIR "/p && "
		 "{ tvmm restore --incoming " DIR "/p >" DIR "/dst.out 2>" DIR "/dst.err & "
		 "tvmm migrate --live --to " DIR "/p --at 100 --max-rounds 5 --threshold 16 %s "
		 ">" DIR "/src.out 2>" DIR "/src.err; echo $? >" DIR "/src.rc; "
		 "wait $!; echo $? >" DIR "/dst.rc; }", path);
	ASSERT_EQ(0, sh(cmd));
	ASSERT_EQ(0, consoles(path));
	EXPECT_STREQ("0\n", slurp(DIR "/src.rc", rc, sizeof(rc))) TH_LOG("%s", err_src);
	EXPECT_STREQ("0\n", slurp(DIR "/dst.rc", rc, sizeof(rc))) TH_LOG("%s", err_dst);
	EXPECT_NE(NULL, strstr(err_src, "round 1: sent 512 pages, dirtied ")) TH_LOG("%s", err_src);
	EXPECT_NE(NULL, strstr(err_src, "converged: ")) TH_LOG("%s", err_src);
	rounds = parse_rounds(err_src, dirtied, 8);
	EXPECT_LE(1, rounds) TH_LOG("%s", err_src);
	EXPECT_GT(5, rounds) TH_LOG("converged before the cap: %s", err_src);
	/* The guest can dirty its 4 pages and its stack's, no more. */
	for (i = 0; i < rounds && i < 8; i++)
		EXPECT_GE(16, dirtied[i]) TH_LOG("round %d: %ld pages", i + 1, dirtied[i]);
	EXPECT_NE(NULL, strstr(err_src, "stop-and-copy: sent ")) TH_LOG("%s", err_src);
	EXPECT_NE(NULL, strstr(err_dst, "downtime ")) TH_LOG("%s", err_dst);
	EXPECT_NE(0, strlen(console_mig));
	EXPECT_STREQ(console_ref, console_mig) TH_LOG("source: %s\ndestination: %s", err_src, err_dst);
	EXPECT_NE(NULL, strstr(console_mig, "memwrite: done\n"));
	TH_LOG("%s%s", err_src, err_dst);
}

/* 256 pages: every round dirties them all again; the cap of 3 rounds holds. */
TEST_F_TIMEOUT(live, big_hits_cap, 600)
{
	char path[PATH_MAX], cmd[2 * PATH_MAX], rc[16];
	long dirtied[8];
	int i, rounds;

	REQUIRE_TOOL();
	guest_path(BIG, path, sizeof(path));
	/* A pipe this time: fd:3 on the source, stdin on the destination. */
	snprintf(cmd, sizeof(cmd),
		 "rm -rf " DIR " && mkdir -p " DIR " && "
		 "{ tvmm migrate --live --to fd:3 --at 100 --max-rounds 3 --threshold 8 %s "
		 "3>&1 >" DIR "/src.out 2>" DIR "/src.err; echo $? >" DIR "/src.rc; } | "
		 "{ tvmm restore --incoming - >" DIR "/dst.out 2>" DIR "/dst.err; "
		 "echo $? >" DIR "/dst.rc; }", path);
	ASSERT_EQ(0, sh(cmd));
	ASSERT_EQ(0, consoles(path));
	EXPECT_STREQ("0\n", slurp(DIR "/src.rc", rc, sizeof(rc))) TH_LOG("%s", err_src);
	EXPECT_STREQ("0\n", slurp(DIR "/dst.rc", rc, sizeof(rc))) TH_LOG("%s", err_dst);
	rounds = parse_rounds(err_src, dirtied, 8);
	EXPECT_EQ(3, rounds) TH_LOG("%s", err_src);
	for (i = 0; i < rounds && i < 8; i++) {
		EXPECT_LT(8, dirtied[i]) TH_LOG("round %d dirtied %ld: it would have converged",
						i + 1, dirtied[i]);
		EXPECT_GE(257, dirtied[i]) TH_LOG("more pages dirty than the guest writes");
	}
	EXPECT_NE(NULL, strstr(err_src, "not converging: round cap 3 reached")) TH_LOG("%s", err_src);
	EXPECT_NE(NULL, strstr(err_dst, "received ")) TH_LOG("%s", err_dst);
	EXPECT_NE(NULL, strstr(err_dst, "in 4 rounds")) TH_LOG("%s", err_dst);
	EXPECT_STREQ(console_ref, console_mig) TH_LOG("source: %s\ndestination: %s", err_src, err_dst);
	EXPECT_NE(NULL, strstr(console_mig, "memwrite: done\n"));
	TH_LOG("%s%s", err_src, err_dst);
}

/* Write @len bytes of @data to @path, byte @flip (if >= 0) inverted. */
static int write_variant(const char *path, const unsigned char *data, size_t len, long flip)
{
	FILE *f = fopen(path, "w");
	size_t i;
	int ok;

	if (!f)
		return -1;
	ok = 1;
	for (i = 0; i < len && ok; i++)
		ok = fputc(i == (size_t)flip ? data[i] ^ 0xff : data[i], f) != EOF;
	return fclose(f) || !ok ? -1 : 0;
}

/* A stream saved to a file restores; cut or changed anywhere, it is refused. */
TEST_F_TIMEOUT(live, bad_streams_refused, 600)
{
	static const struct {
		const char *name;
		long cut;	/* bytes to keep: >= 0 from the start, < 0 from the end */
		long flip;	/* byte to invert, -1 none */
		const char *says;
	} cases[] = {
		{ "header cut", 40, -1, "is truncated" },
		{ "cut in round 1", 100000, -1, "is truncated" },
		{ "state missing", -(16 + 8 + (long)sizeof(struct tvmm_vm_state)), -1,
		  "without the VM's state" },
		{ "state cut", -100, -1, "is truncated" },
		{ "page byte changed", 0, 70000, "CRC-32" },
		{ "magic changed", 0, 1, "not a tvmm live-migration stream" },
		{ "state byte changed", 0, -500, "CRC-32" },
	};
	char path[PATH_MAX], cmd[2 * PATH_MAX], out[256];
	unsigned char *data;
	size_t i, len;
	ssize_t size;

	REQUIRE_TOOL();
	guest_path(SMALL, path, sizeof(path));
	snprintf(cmd, sizeof(cmd),
		 "rm -rf " DIR " && mkdir -p " DIR " && "
		 "tvmm migrate --live --to " DIR "/s.live --at 100 %s >" DIR "/src.out 2>" DIR "/src.err",
		 path);
	ASSERT_EQ(0, sh(cmd));
	ASSERT_EQ(0, sh("tvmm restore --incoming " DIR "/s.live >" DIR "/dst.out 2>" DIR "/dst.err"));
	ASSERT_EQ(0, consoles(path));
	EXPECT_STREQ(console_ref, console_mig) TH_LOG("the stream from a file");
	size = read_whole_file(DIR "/s.live", (void **)&data);
	ASSERT_LT(200000, size);
	for (i = 0; i < ARRAY_SIZE(cases); i++) {
		long cut = cases[i].cut, flip = cases[i].flip;

		len = cut > 0 ? (size_t)cut : cut < 0 ? size + cut : (size_t)size;
		if (flip < -1)
			flip += size;
		ASSERT_EQ(0, write_variant(DIR "/bad.live", data, len, flip));
		EXPECT_EQ(8, sh("tvmm restore --incoming " DIR "/bad.live >" DIR "/bad.out 2>" DIR "/bad.err"))
			TH_LOG("%s", cases[i].name);
		slurp(DIR "/bad.err", err_dst, sizeof(err_dst));
		EXPECT_NE(NULL, strstr(err_dst, cases[i].says)) TH_LOG("%s: %s", cases[i].name, err_dst);
		/* No half-run VM: not one console byte. */
		EXPECT_STREQ("", slurp(DIR "/bad.out", out, sizeof(out))) TH_LOG("%s", cases[i].name);
	}
	free(data);
}

TEST_HARNESS_MAIN
