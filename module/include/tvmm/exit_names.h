/* SPDX-License-Identifier: GPL-2.0 */
/*
 * exit_names.h - VM-exit reason names, shared by tvmm.ko and the tool.
 *
 * SDM: vol. 3D, appendix C "VMX Basic Exit Reasons".
 * Context: any; no allocation, no locks.
 */
#ifndef _TVMM_EXIT_NAMES_H
#define _TVMM_EXIT_NAMES_H

#include "../uapi/tvmm.h"
#include "vmx_arch.h"

/* KVM's short name of basic exit reason @reason ("HLT"); "UNKNOWN" if none. */
const char *vmx_exit_reason_name(__u32 reason);

/* The SDM's description of @reason; never NULL. */
const char *vmx_exit_reason_what(__u32 reason);

/* The reason number whose short name is @name, or -1. */
int vmx_exit_reason_from_name(const char *name);

/* "emulated", "reflected", "injected", "ignored", "fatal" (the trace's "action"). */
const char *tvmm_action_name(unsigned int action);

/* "hw", "real", "deprivileged", "paravirt", "patch" (enum tvmm_mode, `--mode`). */
const char *tvmm_mode_name(unsigned int mode);
/* The mode called @name, or -1. */
int tvmm_mode_from_name(const char *name);

#endif /* _TVMM_EXIT_NAMES_H */
