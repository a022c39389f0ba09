// SPDX-License-Identifier: GPL-2.0
/*
 * size.c - numbers on the command line: sizes with K/M/G and plain counts.
 *
 * Concept: none of its own; the options of `tvmm run` (--mem 2M,
 * --max-exits 1000) go through here so every command reads numbers the
 * same strict way: no sign, no trailing garbage, no silent overflow.
 * Context: userspace; pure functions.
 */
#include <ctype.h>
#include <errno.h>
#include <stdlib.h>
#include <strings.h>

#include "cli.h"

/**
 * parse_count() - a non-negative integer, decimal or 0x-hex.
 * Return: 0 with *@n set, or -1 if @s is not one.
 */
int parse_count(const char *s, unsigned long long *n)
{
	char *end;

	if (!s || !isdigit((unsigned char)*s))
		return -1;
	errno = 0;
	*n = strtoull(s, &end, 0);
	if (errno || *end)
		return -1;
	return 0;
}

/**
 * parse_size() - a byte count with an optional binary suffix: K, M or G
 * (also KiB, MiB, GiB; any case). "2M" is 2097152.
 * Return: 0 with *@bytes set, or -1 if malformed or larger than 64 bits.
 */
int parse_size(const char *s, unsigned long long *bytes)
{
	unsigned long long v;
	unsigned int shift = 0;
	char *end;

	if (!s || !isdigit((unsigned char)*s))
		return -1;
	errno = 0;
	v = strtoull(s, &end, 10);
	if (errno)
		return -1;
	switch (*end) {
	case 'k':
	case 'K':
		shift = 10;
		break;
	case 'm':
	case 'M':
		shift = 20;
		break;
	case 'g':
	case 'G':
		shift = 30;
		break;
	case '\0':
		break;
	default:
		return -1;
	}
	if (shift) {
		end++;
		if (*end && strcasecmp(end, "iB") && strcasecmp(end, "B"))
			return -1;
	}
	if (shift && v > (~0ULL >> shift))
		return -1;
	*bytes = v << shift;
	return 0;
}
