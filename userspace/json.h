/* SPDX-License-Identifier: GPL-2.0 */
/*
 * json.h - a tiny streaming JSON writer.
 *
 * Concept: traces and capabilities leave tvmm as JSON so students can feed
 * them to jq, Python or a spreadsheet. `tvmm caps --json` writes one
 * indented document; `tvmm run --trace` writes JSON Lines, one
 * compact object per exit (jsonl.c).
 * Context: userspace, single-threaded; no allocation.
 *
 * Usage: json_init(), then json_begin_object()/json_begin_array() with a
 * key inside objects (NULL inside arrays and at the top), values with the
 * json_<type>() calls, matching json_end_*(), and json_finish().
 */
#ifndef TVMM_JSON_H
#define TVMM_JSON_H

#include <stdbool.h>
#include <stdio.h>

#define JSON_MAX_DEPTH	16

struct json_writer {
	FILE *out;
	bool pretty;			/* indent, one member per line */
	int depth;			/* open objects and arrays */
	bool has_members[JSON_MAX_DEPTH]; /* a comma is due at this depth */
	bool error;			/* nesting misuse or too deep */
};

void json_init(struct json_writer *w, FILE *out, bool pretty);
void json_begin_object(struct json_writer *w, const char *key);
void json_end_object(struct json_writer *w);
void json_begin_array(struct json_writer *w, const char *key);
void json_end_array(struct json_writer *w);
void json_string(struct json_writer *w, const char *key, const char *value);
void json_uint(struct json_writer *w, const char *key, unsigned long long v);
void json_int(struct json_writer *w, const char *key, long long v);
void json_bool(struct json_writer *w, const char *key, bool v);
void json_null(struct json_writer *w, const char *key);
/* A fraction (a percentage, an average) with two decimals; null if not finite. */
void json_double(struct json_writer *w, const char *key, double v);
/* ... with @digits decimals (json_double(): 2) */
void json_double_digits(struct json_writer *w, const char *key, double v, int digits);
/* A 64-bit register as a string "0x%016llx": JSON numbers lose bits past 2^53. */
void json_hex64(struct json_writer *w, const char *key, unsigned long long v);
/* Ends the document with a newline. Return: 0, or -1 on misuse/I/O error. */
int json_finish(struct json_writer *w);

/* Write @s as a quoted, escaped JSON string (RFC 8259, section 7). */
void json_write_escaped(FILE *out, const char *s);

#endif /* TVMM_JSON_H */
