// SPDX-License-Identifier: GPL-2.0
/*
 * gen_test - host check of the guest generator (gen.c): `make -C
 * tests/fuzz gen-test`, a step of `make check`.
 *
 * A fuzz failure is only useful if `make fuzz SEED=S FIRST=I N=1` brings
 * back the very same guest, so: a guest is a pure function of (seed,
 * index); neighbours differ; sizes stay within GEN_IMAGE_MAX; every kind
 * occurs; a snippet guest's jump, IDT and handlers point inside the image.
 * Prints TAP.
 */
#include <stdio.h>
#include <string.h>

#include "gen.h"

#define GUESTS	2000

static int n, failed;

static void check(int cond, const char *what)
{
	printf("%sok %d - %s\n", cond ? "" : "not ", ++n, what);
	failed += !cond;
}

static unsigned int u32_at(const uint8_t *p)
{
	return p[0] | p[1] << 8 | p[2] << 16 | (unsigned int)p[3] << 24;
}

int main(void)
{
	static uint8_t a[GEN_IMAGE_MAX], b[GEN_IMAGE_MAX];
	unsigned int kinds[3] = { 0 }, i, same_next = 0, bad_size = 0, bad_layout = 0;
	enum gen_kind ka, kb;
	size_t sa, sb;
	int same = 1;

	printf("TAP version 13\n1..5\n");
	for (i = 0; i < GUESTS; i++) {
		sa = gen_guest(42, i, a, &ka);
		sb = gen_guest(42, i, b, &kb);
		same &= sa == sb && ka == kb && !memcmp(a, b, sa);
		bad_size += sa < 1 || sa > GEN_IMAGE_MAX;
		kinds[ka]++;
		sb = gen_guest(42, i + 1, b, &kb);
		same_next += sa == sb && !memcmp(a, b, sa);
		if (ka != GEN_NOISE) {
			/* jmp rel32 to the code at +0x300; gate 13 -> a handler at +0x280.. */
			unsigned int gate = 0x100 + 13 * 8;
			unsigned int h = a[gate] | a[gate + 1] << 8 | a[gate + 6] << 16 |
					 (unsigned int)a[gate + 7] << 24;

			bad_layout += a[0] != 0xe9 || u32_at(a + 1) != 0x300 - 5 ||
				      h < 0x10280 || h >= 0x10300 || a[gate + 5] < 0x8e;
		}
	}
	check(same, "a guest is a pure function of (seed, index)");
	check(same_next == 0, "neighbouring indexes give different guests");
	check(bad_size == 0, "every size is 1..GEN_IMAGE_MAX");
	check(kinds[GEN_NOISE] && kinds[GEN_SNIPPETS] && kinds[GEN_MIXED],
	      "noise, snippet and mixed guests all occur");
	check(bad_layout == 0, "snippet guests: entry jump and IDT gates point into the image");
	printf("# kinds over %d guests: noise %u, snippets %u, mixed %u\n", GUESTS,
	       kinds[GEN_NOISE], kinds[GEN_SNIPPETS], kinds[GEN_MIXED]);
	return failed != 0;
}
