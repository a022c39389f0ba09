// SPDX-License-Identifier: GPL-2.0
/*
 * umip.c - recognise Linux's UMIP emulation (see umip.h) from the values
 * SGDT, SIDT, SLDT, STR and SMSW returned to `tvmm sensitive`.
 */
#include <string.h>

#include "umip.h"

bool umip_table_dummy(const char *insn, uint64_t base, uint16_t limit)
{
	if (limit != UMIP_DUMMY_LIMIT)
		return false;
	if (!strcmp(insn, "sgdt"))
		return base == UMIP_DUMMY_GDT_BASE;
	if (!strcmp(insn, "sidt"))
		return base == UMIP_DUMMY_IDT_BASE;
	return false;
}

bool umip_value_dummy(const char *insn, uint16_t value)
{
	if (!strcmp(insn, "smsw"))
		return value == UMIP_DUMMY_SMSW;
	if (!strcmp(insn, "str"))
		return value == UMIP_DUMMY_STR;
	if (!strcmp(insn, "sldt"))
		return value == 0 || value == UMIP_DUMMY_SLDT_LDT;
	return false;
}
