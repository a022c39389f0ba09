// SPDX-License-Identifier: GPL-2.0
/*
 * properties_test - Popek and Goldberg's three properties, as `tvmm
 * compare` measures them (userspace/compare_props.c).
 *
 * Rule under test (the notes' Popek-Goldberg theorem; docs/concepts.md,
 * "Popek and Goldberg's three properties, measured"): for each technique,
 *   equivalence: the workload's console and end are the hw run's. On the
 *     Popek-Goldberg guest (popek.bin) de-privileging alone fails it (its
 *     sensitive-but-unprivileged instructions give ring-1 answers); scan-
 *     and-patch, paravirtualization and VT-x hold it;
 *   resource control: the probe guest (guests/pgprobe.S) reads the host's
 *     CMOS clock port and stores above its RAM; every technique stops
 *     both (all ones from the port, the VM ended at the store's EPT
 *     violation). A probe whose store lands inside its RAM instead is
 *     judged as escaping: the check can fail;
 *   efficiency: exactly the instructions of the probe's counted loop that
 *     exit to tvmm, out of the count in its table: none under hw (1.0),
 *     its CLI under deprivileged (one per iteration), PUSHF, CLI and POPF
 *     under patch (three), its set-IF VMCALL under paravirt (one, of the
 *     paravirtual build's longer loop). So hw > paravirt > deprivileged >
 *     patch.
 *
 * Needs: a VT-x CPU with EPT, unrestricted guest and the preemption timer
 * (the Bochs lab VM), every lab's solution (06-09: the techniques and the
 * compare verdict), and the tvmm tool in PATH.
 */
#include "vm_util.h"
#include "../kselftest_harness.h"
#include "compare_util.h"

/* pgprobe.S's table, at image offset 16. */
struct pgprobe_table {
	char magic[8];
	__u32 begin, end, insns, iterations;
};

FIXTURE(properties) {
	char dir[PATH_MAX];
	struct pgprobe_table native, pv;
};

static int read_table(const char *dir, const char *name, struct pgprobe_table *t)
{
	char path[PATH_MAX + 64];
	FILE *f;
	size_t n = 0;

	snprintf(path, sizeof(path), "%s/%s", dir, name);
	f = fopen(path, "rb");
	if (!f)
		return -1;
	if (!fseek(f, 16, SEEK_SET))
		n = fread(t, sizeof(*t), 1, f);
	fclose(f);
	return n == 1 && !memcmp(t->magic, "PGPROBE1", 8) ? 0 : -1;
}

FIXTURE_SETUP(properties)
{
	static const char *const guests[] = { "popek.bin", "popek_pv.bin", "pgprobe.bin",
					      "pgprobe_pv.bin" };

	REQUIRE_VMX_AND_TVMM();
	for (size_t i = 0; i < sizeof(guests) / sizeof(guests[0]); i++)
		REQUIRE_GUEST(guests[i]);
	if (system("command -v tvmm >/dev/null 2>&1"))
		SKIP(return, "the tvmm tool is not in PATH");
	guest_path("", self->dir, sizeof(self->dir));
	ASSERT_EQ(0, read_table(self->dir, "pgprobe.bin", &self->native));
	ASSERT_EQ(0, read_table(self->dir, "pgprobe_pv.bin", &self->pv));
}

FIXTURE_TEARDOWN(properties)
{
}

/* The "properties" object of technique @name's row, in @buf. */
static bool props_of(const char *json, const char *name, char *buf, size_t size)
{
	char key[80];
	const char *p, *end;

	snprintf(key, sizeof(key), "\"technique\": \"%s\"", name);
	p = strstr(json, key);
	if (!p || !(p = strstr(p, "\"properties\"")) || !(end = strchr(p, '}')) ||
	    (size_t)(end - p) + 2 > size)
		return false;
	memcpy(buf, p, end - p + 1);
	buf[end - p + 1] = '\0';
	return true;
}

/* The number, or true (1) / false (0), of "@key" in @obj; -1 if absent. */
static double field(const char *obj, const char *key)
{
	char k[64];
	const char *p;

	snprintf(k, sizeof(k), "\"%s\": ", key);
	p = strstr(obj, k);
	if (!p)
		return -1;
	p += strlen(k);
	if (!strncmp(p, "true", 4))
		return 1;
	if (!strncmp(p, "false", 5))
		return 0;
	return strtod(p, NULL);
}

TEST_F(properties, three_properties_on_popek)
{
	static const char *const names[] = { "hw", "deprivileged", "patch", "paravirt",
					     "emulated" };
	/* Only de-privileging alone gets popek wrong. */
	static const int equivalent[] = { 1, 0, 1, 1, 1 };
	/*
	 * Exits in the counted loop, per iteration: see the header. The
	 * emulator runs every instruction itself: all of them count.
	 */
	static const unsigned int per_iteration[] = { 0, 1, 3, 1, 0 };
	static char out[32768];
	double eff[5];
	char props[1024];

	EXPECT_EQ(1, run_compare(_metadata, "--workload popek --chart /tmp/props.dot", out, sizeof(out)))
		TH_LOG("deprivileged is not equivalent on popek: status 1");
	for (size_t i = 0; i < 5; i++) {
		const struct pgprobe_table *t = strcmp(names[i], "paravirt") ? &self->native
									      : &self->pv;
		double trapped = strcmp(names[i], "emulated") ?
				 (double)per_iteration[i] * t->iterations : (double)t->insns;

		ASSERT_TRUE(props_of(out, names[i], props, sizeof(props)))
			TH_LOG("no properties for %s", names[i]);
		EXPECT_EQ(1, field(props, "measured")) TH_LOG("%s", names[i]);
		EXPECT_EQ(equivalent[i], field(props, "equivalence")) TH_LOG("%s", names[i]);
		EXPECT_EQ(1, field(props, "resource_control")) TH_LOG("%s: %s", names[i], props);
		EXPECT_EQ(t->insns, field(props, "probe_instructions")) TH_LOG("%s", names[i]);
		EXPECT_EQ(trapped, field(props, "probe_trapped")) TH_LOG("%s", names[i]);
		eff[i] = field(props, "efficiency");
		/* the JSON has 4 decimals */
		EXPECT_EQ((long long)((1.0 - trapped / t->insns) * 10000 + 0.5),
			  (long long)(eff[i] * 10000 + 0.5)) TH_LOG("%s", names[i]);
	}
	/* hw > paravirt > deprivileged > patch > emulated (0) */
	EXPECT_GT(eff[0], eff[3]);
	EXPECT_GT(eff[3], eff[1]);
	EXPECT_GT(eff[1], eff[2]);
	EXPECT_GT(eff[2], eff[4]);
	EXPECT_EQ(0, (long long)(eff[4] * 10000));
	EXPECT_EQ(0, system("grep -q 'resource control' /tmp/props.dot"));
	unlink("/tmp/props.dot");
}

/*
 * The resource-control verdict can say no: a copy of the probe whose store
 * goes to 1 MiB, inside its RAM, prints "ESCAPED" and halts; every
 * technique is judged as not keeping control, and the tool exits 1.
 */
TEST_F(properties, escaping_probe_fails_resource_control)
{
	static const unsigned char store[] = { 0xc7, 0x05, 0x00, 0x00, 0x00, 0x04 };
	static const char *const names[] = { "hw", "deprivileged", "patch" };
	static unsigned char img[8192];
	static char out[32768];
	char path[PATH_MAX + 64], args[PATH_MAX + 128], props[1024];
	size_t n, i, at = 0;
	FILE *f;

	snprintf(path, sizeof(path), "%s/pgprobe.bin", self->dir);
	f = fopen(path, "rb");
	ASSERT_NE(NULL, f);
	n = fread(img, 1, sizeof(img), f);
	fclose(f);
	for (i = 0; i + sizeof(store) <= n && !at; i++)
		if (!memcmp(img + i, store, sizeof(store)))
			at = i;
	ASSERT_NE(0, at) TH_LOG("no movl $imm, 0x4000000 in pgprobe.bin");
	img[at + 5] = 0x00;	/* 0x04000000 -> 0x00100000 */
	img[at + 4] = 0x10;
	f = fopen("/tmp/pgprobe_escape.bin", "wb");
	ASSERT_NE(NULL, f);
	ASSERT_EQ(n, fwrite(img, 1, n, f));
	ASSERT_EQ(0, fclose(f));

	snprintf(args, sizeof(args), "--workload popek --probe /tmp/pgprobe_escape.bin "
		 "--probe-pv %s/pgprobe_pv.bin", self->dir);
	EXPECT_EQ(1, run_compare(_metadata, args, out, sizeof(out)));
	for (i = 0; i < sizeof(names) / sizeof(names[0]); i++) {
		ASSERT_TRUE(props_of(out, names[i], props, sizeof(props)));
		EXPECT_EQ(0, field(props, "resource_control")) TH_LOG("%s: %s", names[i], props);
		EXPECT_NE(NULL, strstr(props, "went through")) TH_LOG("%s", names[i]);
	}
	ASSERT_TRUE(props_of(out, "paravirt", props, sizeof(props)));
	EXPECT_EQ(1, field(props, "resource_control")) TH_LOG("the real probe: %s", props);
	unlink("/tmp/pgprobe_escape.bin");
}

TEST_HARNESS_MAIN
