/* SPDX-License-Identifier: GPL-2.0 WITH Linux-syscall-note */
/*
 * tvmm.h - the userspace ABI of /dev/tvmm.
 *
 * Concept: the management interface of a type-2 VMM. The notes list
 * "management" (create, configure, monitor) among a VMM's jobs; on Linux,
 * KVM does it with ioctls on /dev/kvm, and tvmm follows the same habit on a
 * much smaller scale: open() gives one VM, ioctls configure and run it,
 * read() returns its exit records.
 *
 * Stability: outside tests build against this header. Add fields only at the
 * end of a struct and only with a new ioctl number or TVMM_API_VERSION bump.
 */
#ifndef _UAPI_TVMM_H
#define _UAPI_TVMM_H

#include <linux/const.h>
#include <linux/ioctl.h>
#include <linux/types.h>

/* TVMM_GET_API_VERSION returns this; the tool refuses a different one. */
#define TVMM_API_VERSION	1

/* ioctl type byte; 0xB7 is unassigned in ioctl-number.rst. */
#define TVMM_IOCTL_TYPE		0xB7

/* The device node the misc driver creates (mode 0600, root only). */
#define TVMM_DEVICE_PATH	"/dev/tvmm"

/* struct tvmm_caps.flags */
#define TVMM_CAPS_CPUID_VMX		_BITUL(0) /* CPUID.01H:ECX.VMX[bit 5] */
#define TVMM_CAPS_FC_LOCKED		_BITUL(1) /* IA32_FEATURE_CONTROL lock */
#define TVMM_CAPS_FC_VMX_OUTSIDE_SMX	_BITUL(2) /* ... and VMX enabled */
#define TVMM_CAPS_TRUE_CTLS		_BITUL(3) /* IA32_VMX_BASIC[55] */
#define TVMM_CAPS_PROCBASED2		_BITUL(4) /* secondary controls exist */
#define TVMM_CAPS_EPT_VPID		_BITUL(5) /* IA32_VMX_EPT_VPID_CAP read */
#define TVMM_CAPS_VMFUNC		_BITUL(6) /* IA32_VMX_VMFUNC read */
#define TVMM_CAPS_VMX_ON		_BITUL(8) /* VMXON done on every CPU */

/*
 * struct tvmm_caps - what this CPU offers, as tvmm read it at load time.
 *
 * The MSR fields are the raw 64-bit values, read on the CPU that loaded the
 * module (all CPUs of one machine report the same values). Decoding them is
 * left to userspace (and debugfs), so a student can compare the raw bits
 * with `rdmsr` and with the SDM tables. A capability MSR that does not exist
 * on this CPU reads as 0 and its TVMM_CAPS_* flag is clear.
 */
struct tvmm_caps {
	__u32 flags;			/* TVMM_CAPS_* */
	__u32 cpuid1_ecx;		/* CPUID.01H:ECX */
	__u32 cpus_online;		/* online CPUs when the caps were read */
	__u32 cpus_vmx_on;		/* CPUs currently in VMX operation */
	__u64 feature_control;		/* IA32_FEATURE_CONTROL (0x3a) */
	__u64 vmx_basic;		/* IA32_VMX_BASIC (0x480) */
	__u64 pinbased_ctls;		/* IA32_VMX_PINBASED_CTLS (0x481) */
	__u64 procbased_ctls;		/* IA32_VMX_PROCBASED_CTLS (0x482) */
	__u64 exit_ctls;		/* IA32_VMX_EXIT_CTLS (0x483) */
	__u64 entry_ctls;		/* IA32_VMX_ENTRY_CTLS (0x484) */
	__u64 misc;			/* IA32_VMX_MISC (0x485) */
	__u64 cr0_fixed0;		/* IA32_VMX_CR0_FIXED0 (0x486) */
	__u64 cr0_fixed1;		/* IA32_VMX_CR0_FIXED1 (0x487) */
	__u64 cr4_fixed0;		/* IA32_VMX_CR4_FIXED0 (0x488) */
	__u64 cr4_fixed1;		/* IA32_VMX_CR4_FIXED1 (0x489) */
	__u64 vmcs_enum;		/* IA32_VMX_VMCS_ENUM (0x48a) */
	__u64 procbased_ctls2;		/* IA32_VMX_PROCBASED_CTLS2 (0x48b) */
	__u64 ept_vpid_cap;		/* IA32_VMX_EPT_VPID_CAP (0x48c) */
	__u64 true_pinbased_ctls;	/* IA32_VMX_TRUE_PINBASED_CTLS (0x48d) */
	__u64 true_procbased_ctls;	/* IA32_VMX_TRUE_PROCBASED_CTLS (0x48e) */
	__u64 true_exit_ctls;		/* IA32_VMX_TRUE_EXIT_CTLS (0x48f) */
	__u64 true_entry_ctls;		/* IA32_VMX_TRUE_ENTRY_CTLS (0x490) */
	__u64 vmfunc;			/* IA32_VMX_VMFUNC (0x491) */
	__u64 reserved[8];		/* zero; room for later fields */
};

/* ioctls on the /dev/tvmm file descriptor */
#define TVMM_GET_API_VERSION	_IO(TVMM_IOCTL_TYPE, 0x00)
#define TVMM_GET_CAPS		_IOR(TVMM_IOCTL_TYPE, 0x01, struct tvmm_caps)

#endif /* _UAPI_TVMM_H */
