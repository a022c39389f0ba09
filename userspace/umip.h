/* SPDX-License-Identifier: GPL-2.0 */
/*
 * umip.h - recognise Linux's UMIP emulation in what ring-3 code reads.
 *
 * With CR4.UMIP set (User-Mode Instruction Prevention, SDM Vol. 3A 2.5),
 * SGDT, SIDT, SLDT, STR and SMSW raise #GP at CPL > 0. Linux catches that
 * #GP for user processes and emulates the instruction with fixed dummy
 * results instead of sending SIGSEGV, so the process sees no trap. The
 * dummies of SGDT and SIDT (a base near the top of the address space and
 * a limit of 0) are no real table's, which is how `tvmm sensitive` tells.
 */
#ifndef TVMM_UMIP_H
#define TVMM_UMIP_H

#include <stdbool.h>
#include <stdint.h>

/* The results Linux's UMIP emulation gives a 64-bit process. */
#define UMIP_DUMMY_GDT_BASE	0xfffffffffffe0000ULL
#define UMIP_DUMMY_IDT_BASE	0xffffffffffff0000ULL
#define UMIP_DUMMY_LIMIT	0
#define UMIP_DUMMY_SMSW		0x0033	/* low word of CR0: PE MP ET NE */
#define UMIP_DUMMY_STR		0x0040	/* the TSS's selector */
#define UMIP_DUMMY_SLDT_LDT	0x0050	/* the LDT's selector, when one is set */

/* Is (@base, @limit), read by SGDT ("sgdt") or SIDT ("sidt"), the dummy? */
bool umip_table_dummy(const char *insn, uint64_t base, uint16_t limit);

/*
 * Could @value, read by SLDT, STR or SMSW, be the emulation's dummy? (The
 * dummies are also the real values on most systems: only the SGDT/SIDT
 * dummies prove UMIP; this says the value does not contradict it.)
 */
bool umip_value_dummy(const char *insn, uint16_t value);

#endif /* TVMM_UMIP_H */
