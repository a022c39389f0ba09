// SPDX-License-Identifier: GPL-2.0
/*
 * caps_text_test.c - the shared capability decoder and `tvmm caps --json`.
 *
 * Rule (SDM vol. 3D, A.3.3): a secondary control such as "enable EPT"
 * (bit 1) can be used only if its bit is set in the allowed-1 half (bits
 * 63:32) of IA32_VMX_PROCBASED_CTLS2. The decoder must call it
 * "available" then and "unavailable" otherwise, and the "what is missing"
 * section must name the tvmm features a missing control breaks. The caps
 * below are synthetic, shaped like Bochs' corei7_haswell_4770.
 */
#include <stdarg.h>
#include <stdlib.h>
#include <string.h>

#include <tvmm/caps_text.h>

#include "../../userspace/cli.h"
#include "tap.h"

static void print_mem(void *ctx, const char *fmt, ...)
	__attribute__((format(printf, 2, 3)));

static void print_mem(void *ctx, const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	vfprintf(ctx, fmt, ap);
	va_end(ap);
}

/* A VT-x CPU with everything tvmm uses, one CPU in VMX operation. */
static void haswell_caps(struct tvmm_caps *c)
{
	memset(c, 0, sizeof(*c));
	c->flags = TVMM_CAPS_CPUID_VMX | TVMM_CAPS_FC_LOCKED |
		   TVMM_CAPS_FC_VMX_OUTSIDE_SMX | TVMM_CAPS_TRUE_CTLS |
		   TVMM_CAPS_PROCBASED2 | TVMM_CAPS_EPT_VPID |
		   TVMM_CAPS_VMX_ON;
	c->cpuid1_ecx = CPUID1_ECX_VMX;
	c->cpus_online = 1;
	c->cpus_vmx_on = 1;
	c->feature_control = FEATURE_CONTROL_LOCKED |
			     FEATURE_CONTROL_VMX_OUTSIDE_SMX;
	c->vmx_basic = 0x00d810000000002bULL;
	/* pin-based: bits 1, 2, 4 default1; 0-6 may be 1 */
	c->pinbased_ctls = (0x7fULL << 32) | 0x16;
	c->true_pinbased_ctls = (0x7fULL << 32) | 0x16;
	c->procbased_ctls = (0xfff9fffeULL << 32) | 0x0401e172;
	c->true_procbased_ctls = (0xfff9fffeULL << 32) | 0x04006172;
	c->exit_ctls = (0x7fffffULL << 32) | 0x36dff;
	c->true_exit_ctls = (0x7fffffULL << 32) | 0x36dfb;
	c->entry_ctls = (0xffffULL << 32) | 0x11ff;
	c->true_entry_ctls = (0xffffULL << 32) | 0x11fb;
	c->misc = 5 | TVMM_VMX_MISC_ACTIVITY_HLT | (4ULL << 16);
	c->cr0_fixed0 = 0x80000021;
	c->cr0_fixed1 = 0xffffffff;
	c->cr4_fixed0 = 0x2000;
	c->cr4_fixed1 = 0x1727ff;
	/* EPT (1), VPID (5), unrestricted guest (7) may be 1 */
	c->procbased_ctls2 = (((1ULL << CPU2_ENABLE_EPT) |
			       (1ULL << CPU2_ENABLE_VPID) |
			       (1ULL << CPU2_UNRESTRICTED_GUEST)) << 32);
	c->ept_vpid_cap = (1ULL << EPT_VPID_EPT_WALK_4) |
			  (1ULL << EPT_VPID_EPT_MEMTYPE_WB) |
			  (1ULL << EPT_VPID_INVEPT);
}

/* The decoder's text for @caps (caller frees). */
static char *describe(const struct tvmm_caps *caps)
{
	char *buf = NULL;
	size_t len = 0;
	FILE *f = open_memstream(&buf, &len);

	tvmm_caps_describe(caps, print_mem, f);
	fclose(f);
	return buf;
}

/* The line of @text containing @needle, copied into @line ("" if none). */
static const char *find_line(const char *text, const char *needle,
			     char *line, size_t size)
{
	const char *hit = strstr(text, needle), *start, *end;
	size_t n;

	line[0] = '\0';
	if (!hit)
		return line;
	for (start = hit; start > text && start[-1] != '\n'; start--)
		;
	end = strchr(hit, '\n');
	n = end ? (size_t)(end - start) : strlen(start);
	if (n >= size)
		n = size - 1;
	memcpy(line, start, n);
	line[n] = '\0';
	return line;
}

/* Does the line naming @bit_name start with state @state? */
static int line_state(const char *text, const char *bit_name,
		      const char *state)
{
	char needle[64], line[256];

	snprintf(needle, sizeof(needle), " %s ", bit_name);
	find_line(text, needle, line, sizeof(line));
	if (!line[0])
		diag("  no line for %s", bit_name);
	else if (strncmp(line + 2, state, strlen(state)) ||
		 line[2 + strlen(state)] != ' ')
		diag("  line: %s", line);
	return line[0] && !strncmp(line + 2, state, strlen(state)) &&
	       line[2 + strlen(state)] == ' ';
}

static const char *missing_section(const char *text)
{
	const char *s = strstr(text, "What is missing and why");

	return s ? s : "";
}

static void test_full_cpu(void)
{
	struct tvmm_caps caps;
	char *text;

	haswell_caps(&caps);
	text = describe(&caps);
	ok(line_state(text, "ENABLE_EPT", "available"),
	   "EPT allowed-1 bit set: ENABLE_EPT is available");
	ok(line_state(text, "UNRESTRICTED_GUEST", "available"),
	   "unrestricted guest is available");
	ok(line_state(text, "PREEMPTION_TIMER", "available"),
	   "preemption timer (pin bit 6) is available");
	ok(line_state(text, "SECONDARY_CONTROLS", "available"),
	   "activate secondary controls (bit 31) is available");
	ok(line_state(text, "ENABLE_VMFUNC", "unavailable"),
	   "VM functions (allowed-1 clear) are unavailable");
	ok(line_state(text, "EPT_WALK_4", "available") &&
	   line_state(text, "EPT_1GB_PAGES", "unavailable"),
	   "EPT capability bits follow IA32_VMX_EPT_VPID_CAP");
	ok(strstr(text, "IA32_VMX_TRUE_PINBASED_CTLS 0x48d") != NULL,
	   "with TRUE controls the decoder says it used the TRUE MSR");
	ok(strstr(text, "VMCS region size       4096 bytes") != NULL,
	   "VMCS size 4096 from IA32_VMX_BASIC");
	ok(strstr(text, "must be 1:             PE NE PG") != NULL,
	   "CR0 must-be-1 bits are PE NE PG");
	ok(strstr(missing_section(text), "nothing:") != NULL,
	   "nothing is missing on a full CPU");
	ok_eq(tvmm_caps_missing(&caps), 0, "tvmm_caps_missing() is empty");
	free(text);
}

static void test_no_ept(void)
{
	struct tvmm_caps caps;
	char *text;

	haswell_caps(&caps);
	/* EPT and unrestricted guest allowed-1 bits clear; VPID kept */
	caps.procbased_ctls2 = (1ULL << CPU2_ENABLE_VPID) << 32;
	caps.true_pinbased_ctls &= ~((1ULL << PIN_PREEMPTION_TIMER) << 32);
	text = describe(&caps);
	ok(line_state(text, "ENABLE_EPT", "unavailable"),
	   "EPT allowed-1 bit clear: ENABLE_EPT is unavailable");
	ok(line_state(text, "ENABLE_VPID", "available"),
	   "VPID still available");
	ok(strstr(missing_section(text), "no EPT") &&
	   strstr(missing_section(text), "lab04"),
	   "the missing section names EPT and the labs that need it");
	ok(strstr(missing_section(text), "no unrestricted guest") &&
	   strstr(missing_section(text), "--mode real"),
	   "the missing section names unrestricted guest and real mode");
	ok(strstr(missing_section(text), "no VMX-preemption timer") &&
	   strstr(missing_section(text), "--timer"),
	   "the missing section names the preemption timer and --timer");
	ok(!strstr(missing_section(text), "no VPID"),
	   "VPID is not reported missing");
	ok_eq(tvmm_caps_missing(&caps),
	      (1U << TVMM_MISSING_EPT) | (1U << TVMM_MISSING_UNRESTRICTED_GUEST) |
	      (1U << TVMM_MISSING_PREEMPTION_TIMER),
	      "tvmm_caps_missing() has EPT, UG and the timer");
	free(text);

	/* Without TRUE controls the plain MSR is used and named. */
	caps.flags &= ~TVMM_CAPS_TRUE_CTLS;
	text = describe(&caps);
	ok(strstr(text, "(from IA32_VMX_PINBASED_CTLS 0x481") != NULL,
	   "without TRUE controls the decoder names the plain MSR");
	free(text);
}

static void test_no_vmx(void)
{
	struct tvmm_caps caps;
	char *text;

	memset(&caps, 0, sizeof(caps));
	caps.cpus_online = 2;
	text = describe(&caps);
	ok(strstr(text, "VMX in CPUID             no") != NULL,
	   "no VMX: presence line says no");
	ok(strstr(text, "does not offer VT-x") &&
	   strstr(text, "make labvm-shell"),
	   "no VMX: points to the lab VM");
	ok(!strstr(text, "IA32_VMX_BASIC"),
	   "no VMX: no decoding of MSRs that do not exist");
	free(text);

	caps.flags = TVMM_CAPS_CPUID_VMX | TVMM_CAPS_FC_LOCKED;
	caps.cpuid1_ecx = CPUID1_ECX_VMX;
	caps.feature_control = FEATURE_CONTROL_LOCKED;
	text = describe(&caps);
	ok(strstr(missing_section(text), "VMX disabled by the firmware") != NULL,
	   "locked feature control with VMX off: blames the firmware");
	free(text);
}

/* Write the tool's JSON for @caps to @path; check it with python3. */
static void test_json(void)
{
	const char *path = "caps_text_test.json";
	struct tvmm_caps caps;
	char cmd[1024];
	FILE *f;

	haswell_caps(&caps);
	caps.procbased_ctls2 &= ~((1ULL << CPU2_ENABLE_EPT) << 32);
	f = fopen(path, "w");
	if (!ok(f != NULL, "open %s", path))
		return;
	caps_print_json(f, &caps);
	fclose(f);

	if (system("command -v python3 >/dev/null 2>&1")) {
		printf("ok %d - JSON parses # SKIP python3 not found\n",
		       ++tap_count);
		return;
	}
	snprintf(cmd, sizeof(cmd),
		 "python3 -m json.tool %s >/dev/null", path);
	ok(system(cmd) == 0, "caps --json output parses (python3 -m json.tool)");
	snprintf(cmd, sizeof(cmd),
		 "python3 -c 'import json,sys; d = json.load(open(\"%s\"));"
		 " c = d[\"controls\"];"
		 " assert c[\"procbased2\"][\"ENABLE_EPT\"] == \"unavailable\", c;"
		 " assert c[\"procbased2\"][\"ENABLE_VPID\"] == \"available\";"
		 " assert c[\"pinbased\"][\"EXT_INTR_EXITING\"] == \"available\";"
		 " assert d[\"msrs\"][\"IA32_VMX_BASIC\"] == \"0x00d810000000002b\";"
		 " assert d[\"msrs\"][\"IA32_VMX_VMFUNC\"] is None;"
		 " assert d[\"basic\"][\"vmcs_size\"] == 4096;"
		 " assert d[\"control_msrs\"][\"exit\"] == \"IA32_VMX_TRUE_EXIT_CTLS\";"
		 " assert d[\"missing\"] == [\"ept\"], d[\"missing\"]'",
		 path);
	ok(system(cmd) == 0,
	   "JSON values: raw MSRs as hex strings, {bit: state} per control group");
	remove(path);
}

int main(void)
{
	test_full_cpu();
	test_no_ept();
	test_no_vmx();
	test_json();
	return done_testing();
}
