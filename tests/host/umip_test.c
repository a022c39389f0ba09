// SPDX-License-Identifier: GPL-2.0
/*
 * umip_test.c - `tvmm sensitive` recognises Linux's UMIP emulation
 * (userspace/umip.c) from the values SGDT, SIDT, SLDT, STR and SMSW
 * return, fed here as fixed values: the dummies of a UMIP host, and the
 * real tables of a host without UMIP.
 */
#include "tap.h"
#include "../../userspace/umip.h"

int main(void)
{
	/* a UMIP host: the emulation's dummies */
	ok(umip_table_dummy("sgdt", 0xfffffffffffe0000ULL, 0), "SGDT dummy recognised");
	ok(umip_table_dummy("sidt", 0xffffffffffff0000ULL, 0), "SIDT dummy recognised");
	/* a host without UMIP: real tables, real limits */
	ok(!umip_table_dummy("sgdt", 0xfffffe0000001000ULL, 0x7f), "a real GDT is no dummy");
	ok(!umip_table_dummy("sidt", 0xfffffe0000000000ULL, 0xfff), "a real IDT is no dummy");
	/* near misses: the right base with a real limit, the bases swapped */
	ok(!umip_table_dummy("sgdt", 0xfffffffffffe0000ULL, 0x7f), "dummy base, real limit: no");
	ok(!umip_table_dummy("sgdt", 0xffffffffffff0000ULL, 0), "SIDT's dummy read by SGDT: no");
	ok(!umip_table_dummy("sidt", 0xfffffffffffe0000ULL, 0), "SGDT's dummy read by SIDT: no");
	ok(!umip_table_dummy("smsw", 0xfffffffffffe0000ULL, 0), "SMSW has no table");
	/* the 16-bit values */
	ok(umip_value_dummy("smsw", 0x0033), "SMSW dummy: PE MP ET NE");
	ok(!umip_value_dummy("smsw", 0x003b), "SMSW with TS set is no dummy");
	ok(umip_value_dummy("str", 0x0040), "STR dummy: the TSS selector");
	ok(!umip_value_dummy("str", 0x0080), "another TSS selector is no dummy");
	ok(umip_value_dummy("sldt", 0) && umip_value_dummy("sldt", 0x50),
	   "SLDT dummy: 0 without an LDT, the LDT selector with one");
	ok(!umip_value_dummy("sldt", 0x58), "another LDT selector is no dummy");
	ok(!umip_value_dummy("mov %cs", 0x33), "MOV from CS is not a UMIP instruction");
	return done_testing();
}
