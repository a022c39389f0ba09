/* SPDX-License-Identifier: GPL-2.0 */
/*
 * caps_text.h - turn a struct tvmm_caps into text a student can read.
 *
 * Concept: "supporto hardware" in the notes. The raw capability MSRs are
 * the CPU's answer; this decoder says what the answer means (which
 * controls a VMM must set, may set, cannot set) and what is missing for
 * which tvmm feature. One decoder serves two readers: debugfs
 * (/sys/kernel/debug/tvmm/caps, through seq_printf) and `tvmm caps`
 * (through printf), so the two can never disagree.
 *
 * SDM: vol. 3D, appendix A "VMX Capability Reporting Facility".
 * Context: any; the decoder only reads its argument and calls @print. No
 *      allocation, no locks, no kernel or libc calls of its own.
 */
#ifndef _TVMM_CAPS_TEXT_H
#define _TVMM_CAPS_TEXT_H

#ifdef __KERNEL__
#include <linux/compiler.h>
#include <linux/types.h>
#else
#include <stdbool.h>
#include <stddef.h>
#include <linux/types.h>
/*
 * The kernel's __printf() (compiler_attributes.h). The userspace Makefiles
 * define it on the command line to the format attribute; without that it
 * is empty here, and the kernel build still checks every format below.
 */
#ifndef __printf
#define __printf(a, b)
#endif
#endif

#include "../uapi/tvmm.h"
#include "vmx_arch.h"

/*
 * The output sink: printf-like, called once per line or part of a line.
 * The kernel passes a wrapper around seq_vprintf(), userspace one around
 * vfprintf(); @ctx is theirs (the seq_file, the FILE).
 */
typedef void (*tvmm_print_fn)(void *ctx, const char *fmt, ...) __printf(2, 3);

/* One named bit of a capability MSR or control register. */
struct tvmm_cap_bit {
	unsigned int bit;
	const char *name;	/* the SDM's short name, e.g. "ENABLE_EPT" */
	const char *what;	/* the SDM's description, e.g. "enable EPT" */
};

/* The five VMX control fields, in the order the SDM describes them. */
enum tvmm_ctl_group_id {
	TVMM_CTL_PINBASED,
	TVMM_CTL_PROCBASED,
	TVMM_CTL_PROCBASED2,
	TVMM_CTL_EXIT,
	TVMM_CTL_ENTRY,
	TVMM_CTL_GROUPS,
};

/*
 * A control field and the bits tvmm names in it. @bits ends with an entry
 * whose name is NULL.
 */
struct tvmm_ctl_group {
	const char *key;		/* short name, also the JSON key */
	const char *title;		/* the SDM's name of the field */
	const struct tvmm_cap_bit *bits;
};

extern const struct tvmm_ctl_group tvmm_ctl_groups[TVMM_CTL_GROUPS];

/* NULL-terminated bit tables of the other capability registers. */
extern const struct tvmm_cap_bit tvmm_ept_vpid_bits[];
extern const struct tvmm_cap_bit tvmm_cr0_bits[];
extern const struct tvmm_cap_bit tvmm_cr4_bits[];

/* The MSRs of struct tvmm_caps, in index order; ends with a NULL name. */
struct tvmm_msr_desc {
	const char *name;	/* "IA32_VMX_BASIC" */
	__u32 index;		/* 0x480 */
};

extern const struct tvmm_msr_desc tvmm_caps_msrs[];

/*
 * tvmm_caps_msr_value() - the raw value of MSR @index in @caps.
 * Return: true if tvmm read that MSR (it exists on this CPU); false for an
 * MSR the CPU does not have or an index struct tvmm_caps does not hold.
 */
bool tvmm_caps_msr_value(const struct tvmm_caps *caps, __u32 index,
			 __u64 *value);

/*
 * tvmm_caps_ctl_msr() - the capability MSR that governs control group @id:
 * the TRUE_* MSR when the CPU has them (IA32_VMX_BASIC[55]), else the
 * plain one. Stores its value in @value.
 * Return: the MSR's index, or 0 if the group does not exist on this CPU
 * (secondary controls may not).
 */
__u32 tvmm_caps_ctl_msr(const struct tvmm_caps *caps,
			enum tvmm_ctl_group_id id, __u64 *value);

/* Name of MSR @index ("IA32_VMX_BASIC"); "unknown MSR" if tvmm has none. */
const char *tvmm_msr_name(__u32 index);

/* Name of memory type @type as IA32_VMX_BASIC[53:50] encodes it. */
const char *tvmm_memtype_name(unsigned int type);

/*
 * What tvmm_caps_missing() can report, as bit numbers of its result. The
 * first five stop tvmm (or some labs); the rest are worth knowing.
 */
enum tvmm_missing_bit {
	TVMM_MISSING_VMX,		/* no VMX in CPUID */
	TVMM_MISSING_FIRMWARE,		/* feature control locked, VMX off */
	TVMM_MISSING_EPT,		/* guest memory, lab04 on, lab10 */
	TVMM_MISSING_UNRESTRICTED_GUEST, /* paging-off and real-mode guests */
	TVMM_MISSING_PREEMPTION_TIMER,	/* virtual timer, lab07 */
	TVMM_MISSING_VPID,		/* optional: TLB kept across exits */
	TVMM_MISSING_TRUE_CTLS,		/* optional: clearable default1 bits */
	TVMM_MISSING_VMX_ON,		/* some CPU is not in VMX operation */
	TVMM_MISSING_COUNT,
};

/* Short names of the missing pieces ("ept"), indexed by the enum above. */
extern const char *const tvmm_missing_keys[TVMM_MISSING_COUNT];

/*
 * tvmm_caps_missing() - what @caps lacks.
 * Return: a mask of (1 << TVMM_MISSING_*) bits; 0 if nothing is missing.
 * Without VMX in CPUID only TVMM_MISSING_VMX is set: nothing else can be
 * known then.
 */
unsigned int tvmm_caps_missing(const struct tvmm_caps *caps);

/*
 * tvmm_caps_describe() - print every section of @caps through @print:
 * VMX presence, feature control, basic information, the control fields
 * bit by bit, EPT/VPID, miscellaneous data, CR0/CR4 fixed bits, VMX on
 * CPUs, and what is missing and which tvmm features need it.
 */
void tvmm_caps_describe(const struct tvmm_caps *caps, tvmm_print_fn print,
			void *ctx);

#endif /* _TVMM_CAPS_TEXT_H */
