// SPDX-License-Identifier: GPL-2.0
/*
 * caps.c - `tvmm caps`: what this CPU and tvmm support.
 *
 * Concept: "supporto hardware alla virtualizzazione". The module reads the
 * CPU's VMX capability MSRs once; this command fetches them with
 * TVMM_GET_CAPS and shows them three ways: decoded text (the same decoder
 * as /sys/kernel/debug/tvmm/caps), JSON for scripts, and the raw MSR list
 * to compare with `rdmsr` and the SDM.
 * SDM: vol. 3D, appendix A "VMX Capability Reporting Facility".
 * Context: userspace, root (opens /dev/tvmm).
 */
#include <errno.h>
#include <getopt.h>
#include <stdarg.h>
#include <string.h>
#include <sys/ioctl.h>
#include <unistd.h>

#include <tvmm/caps_text.h>

#include "cli.h"
#include "json.h"

static __printf(2, 3) void print_file(void *ctx, const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	vfprintf(ctx, fmt, ap);
	va_end(ap);
}

/* Name, index and value of every MSR tvmm read; absent ones say so. */
void caps_print_raw(FILE *out, const struct tvmm_caps *caps)
{
	const struct tvmm_msr_desc *m;
	__u64 value;

	for (m = tvmm_caps_msrs; m->name; m++) {
		if (tvmm_caps_msr_value(caps, m->index, &value))
			fprintf(out, "%-30s 0x%03x 0x%016llx\n", m->name,
				m->index, (unsigned long long)value);
		else
			fprintf(out, "%-30s 0x%03x -\n", m->name, m->index);
	}
}

/* The names of the bits of @names (0-31) whose fixed state is @want. */
static void json_cr_list(struct json_writer *w, const char *key,
			 __u64 fixed0, __u64 fixed1,
			 const struct tvmm_cap_bit *names,
			 enum vmx_ctl_state want)
{
	const struct tvmm_cap_bit *b;
	unsigned int bit;
	char buf[16];

	json_begin_array(w, key);
	for (bit = 0; bit < 32; bit++) {
		if (vmx_fixed_bit_state(fixed0, fixed1, bit) != want)
			continue;
		for (b = names; b->name && b->bit != bit; b++)
			;
		if (b->name) {
			json_string(w, NULL, b->name);
		} else {
			snprintf(buf, sizeof(buf), "bit%u", bit);
			json_string(w, NULL, buf);
		}
	}
	json_end_array(w);
}

static void json_cr(struct json_writer *w, const char *key, __u64 fixed0,
		    __u64 fixed1, const struct tvmm_cap_bit *names)
{
	json_begin_object(w, key);
	json_hex64(w, "fixed0", fixed0);
	json_hex64(w, "fixed1", fixed1);
	json_cr_list(w, "must_be_1", fixed0, fixed1, names, VMX_CTL_REQUIRED);
	json_cr_list(w, "must_be_0", fixed0, fixed1, names,
		     VMX_CTL_UNAVAILABLE);
	json_end_object(w);
}

static void json_controls(struct json_writer *w, const struct tvmm_caps *caps)
{
	const struct tvmm_cap_bit *b;
	__u64 msr;
	__u32 index;
	int id;

	json_begin_object(w, "control_msrs");
	for (id = 0; id < TVMM_CTL_GROUPS; id++) {
		index = tvmm_caps_ctl_msr(caps, id, &msr);
		json_string(w, tvmm_ctl_groups[id].key,
			    index ? tvmm_msr_name(index) : NULL);
	}
	json_end_object(w);

	/* For each control field, {bit name: required|available|unavailable}. */
	json_begin_object(w, "controls");
	for (id = 0; id < TVMM_CTL_GROUPS; id++) {
		index = tvmm_caps_ctl_msr(caps, id, &msr);
		if (!index) {
			json_null(w, tvmm_ctl_groups[id].key);
			continue;
		}
		json_begin_object(w, tvmm_ctl_groups[id].key);
		for (b = tvmm_ctl_groups[id].bits; b->name; b++)
			json_string(w, b->name,
				    vmx_ctl_state_name(vmx_ctl_bit_state(msr,
									 b->bit)));
		json_end_object(w);
	}
	json_end_object(w);
}

void caps_print_json(FILE *out, const struct tvmm_caps *caps)
{
	const struct tvmm_msr_desc *m;
	const struct tvmm_cap_bit *b;
	struct json_writer w;
	unsigned int missing, i;
	__u64 value, basic = caps->vmx_basic, misc = caps->misc;

	json_init(&w, out, true);
	json_begin_object(&w, NULL);
	json_uint(&w, "api_version", TVMM_API_VERSION);
	json_string(&w, "tool_version", TVMM_TOOL_VERSION);

	json_begin_object(&w, "flags");
	json_bool(&w, "cpuid_vmx", caps->flags & TVMM_CAPS_CPUID_VMX);
	json_bool(&w, "feature_control_locked",
		  caps->flags & TVMM_CAPS_FC_LOCKED);
	json_bool(&w, "vmx_outside_smx",
		  caps->flags & TVMM_CAPS_FC_VMX_OUTSIDE_SMX);
	json_bool(&w, "true_ctls", caps->flags & TVMM_CAPS_TRUE_CTLS);
	json_bool(&w, "procbased2", caps->flags & TVMM_CAPS_PROCBASED2);
	json_bool(&w, "ept_vpid", caps->flags & TVMM_CAPS_EPT_VPID);
	json_bool(&w, "vmfunc", caps->flags & TVMM_CAPS_VMFUNC);
	json_bool(&w, "vmx_on", caps->flags & TVMM_CAPS_VMX_ON);
	json_end_object(&w);
	json_hex64(&w, "flags_raw", caps->flags);
	json_hex64(&w, "cpuid1_ecx", caps->cpuid1_ecx);
	json_uint(&w, "cpus_online", caps->cpus_online);
	json_uint(&w, "cpus_vmx_on", caps->cpus_vmx_on);

	/* Raw values as hex strings; null for an MSR this CPU lacks. */
	json_begin_object(&w, "msrs");
	for (m = tvmm_caps_msrs; m->name; m++) {
		if (tvmm_caps_msr_value(caps, m->index, &value))
			json_hex64(&w, m->name, value);
		else
			json_null(&w, m->name);
	}
	json_end_object(&w);

	if (caps->flags & TVMM_CAPS_CPUID_VMX) {
		json_begin_object(&w, "basic");
		json_uint(&w, "revision", vmx_basic_revision(basic));
		json_uint(&w, "vmcs_size", vmx_basic_vmcs_size(basic));
		json_uint(&w, "memtype", vmx_basic_memtype(basic));
		json_string(&w, "memtype_name",
			    tvmm_memtype_name(vmx_basic_memtype(basic)));
		json_bool(&w, "addresses_32bit",
			  basic & TVMM_VMX_BASIC_32BIT_ADDRESSES);
		json_bool(&w, "inout_info", basic & TVMM_VMX_BASIC_INOUT_INFO);
		json_bool(&w, "true_ctls", basic & TVMM_VMX_BASIC_TRUE_CTLS);
		json_end_object(&w);

		json_controls(&w, caps);

		if (caps->flags & TVMM_CAPS_EPT_VPID) {
			json_begin_object(&w, "ept_vpid");
			for (b = tvmm_ept_vpid_bits; b->name; b++)
				json_bool(&w, b->name,
					  caps->ept_vpid_cap & (1ULL << b->bit));
			json_end_object(&w);
		} else {
			json_null(&w, "ept_vpid");
		}

		json_begin_object(&w, "misc");
		json_uint(&w, "preemption_timer_shift",
			  vmx_misc_preempt_shift(misc));
		json_bool(&w, "activity_hlt", misc & TVMM_VMX_MISC_ACTIVITY_HLT);
		json_bool(&w, "activity_shutdown",
			  misc & TVMM_VMX_MISC_ACTIVITY_SHUTDOWN);
		json_bool(&w, "activity_wait_sipi",
			  misc & TVMM_VMX_MISC_ACTIVITY_WAIT_SIPI);
		json_uint(&w, "cr3_targets", vmx_misc_cr3_targets(misc));
		json_uint(&w, "max_msr_list", vmx_misc_max_msr_list(misc));
		json_end_object(&w);

		json_cr(&w, "cr0", caps->cr0_fixed0, caps->cr0_fixed1,
			tvmm_cr0_bits);
		json_cr(&w, "cr4", caps->cr4_fixed0, caps->cr4_fixed1,
			tvmm_cr4_bits);
	}

	missing = tvmm_caps_missing(caps);
	json_begin_array(&w, "missing");
	for (i = 0; i < TVMM_MISSING_COUNT; i++)
		if (missing & (1U << i))
			json_string(&w, NULL, tvmm_missing_keys[i]);
	json_end_array(&w);

	json_end_object(&w);
	json_finish(&w);
}

static void caps_usage(FILE *out)
{
	fprintf(out,
		"usage: %s caps [--json] [--raw]\n"
		"  Show what this CPU's VT-x offers, as the tvmm module read it.\n"
		"  --json   one JSON document: raw MSRs (hex strings) and decoded features\n"
		"  --raw    only the raw MSRs: name, index, value (compare with rdmsr)\n"
		"  -h, --help\n", tvmm_prog);
}

int cmd_caps(int argc, char **argv)
{
	static const struct option opts[] = {
		{ "json", no_argument, NULL, 'j' },
		{ "raw", no_argument, NULL, 'r' },
		{ "help", no_argument, NULL, 'h' },
		{ NULL, 0, NULL, 0 }
	};
	struct tvmm_caps caps;
	bool json = false, raw = false;
	int c, fd, status;

	optind = 1;
	while ((c = getopt_long(argc, argv, "jrh", opts, NULL)) != -1) {
		switch (c) {
		case 'j':
			json = true;
			break;
		case 'r':
			raw = true;
			break;
		case 'h':
			caps_usage(stdout);
			return TVMM_EXIT_OK;
		default:
			caps_usage(stderr);
			return TVMM_EXIT_USAGE;
		}
	}
	if (optind < argc || (json && raw)) {
		print_error("caps: %s", optind < argc ? "unexpected argument" :
			"--json and --raw exclude each other");
		caps_usage(stderr);
		return TVMM_EXIT_USAGE;
	}

	status = dev_open(&fd);
	if (status)
		return status;
	memset(&caps, 0, sizeof(caps));
	if (ioctl(fd, TVMM_GET_CAPS, &caps) < 0) {
		status = dev_error("TVMM_GET_CAPS", errno);
		close(fd);
		return status;
	}
	close(fd);

	if (json)
		caps_print_json(stdout, &caps);
	else if (raw)
		caps_print_raw(stdout, &caps);
	else
		tvmm_caps_describe(&caps, print_file, stdout);
	if (fflush(stdout) || ferror(stdout)) {
		print_error("caps: cannot write the output: %s", strerror(errno));
		return TVMM_EXIT_FAILURE;
	}
	return TVMM_EXIT_OK;
}
