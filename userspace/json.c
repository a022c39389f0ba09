// SPDX-License-Identifier: GPL-2.0
/*
 * json.c - a tiny streaming JSON writer (see json.h).
 *
 * Concept: exporting what the VMM saw in a format every tool reads.
 * Context: userspace; writes straight to a FILE, keeps only a comma flag
 * per nesting level.
 */
#include <math.h>

#include "json.h"

void json_write_escaped(FILE *out, const char *s)
{
	const unsigned char *p = (const unsigned char *)s;

	fputc('"', out);
	for (; *p; p++) {
		switch (*p) {
		case '"':
			fputs("\\\"", out);
			break;
		case '\\':
			fputs("\\\\", out);
			break;
		case '\b':
			fputs("\\b", out);
			break;
		case '\f':
			fputs("\\f", out);
			break;
		case '\n':
			fputs("\\n", out);
			break;
		case '\r':
			fputs("\\r", out);
			break;
		case '\t':
			fputs("\\t", out);
			break;
		default:
			/* RFC 8259: control characters must be escaped. */
			if (*p < 0x20 || *p == 0x7f)
				fprintf(out, "\\u%04x", *p);
			else
				fputc(*p, out);
		}
	}
	fputc('"', out);
}

void json_init(struct json_writer *w, FILE *out, bool pretty)
{
	w->out = out;
	w->pretty = pretty;
	w->depth = 0;
	w->has_members[0] = false;
	w->error = false;
}

/* Comma, newline and indentation before a member, then its key. */
static void json_member(struct json_writer *w, const char *key)
{
	if (w->has_members[w->depth])
		fputc(',', w->out);
	w->has_members[w->depth] = true;
	if (w->pretty && w->depth > 0)
		fprintf(w->out, "\n%*s", 2 * w->depth, "");
	if (key) {
		json_write_escaped(w->out, key);
		fputs(w->pretty ? ": " : ":", w->out);
	}
}

static void json_open(struct json_writer *w, const char *key, char bracket)
{
	json_member(w, key);
	fputc(bracket, w->out);
	if (w->depth + 1 >= JSON_MAX_DEPTH) {
		w->error = true;
		return;
	}
	w->depth++;
	w->has_members[w->depth] = false;
}

static void json_close(struct json_writer *w, char bracket)
{
	bool had_members;

	if (w->depth == 0) {
		w->error = true;
		return;
	}
	had_members = w->has_members[w->depth];
	w->depth--;
	if (w->pretty && had_members)
		fprintf(w->out, "\n%*s", 2 * w->depth, "");
	fputc(bracket, w->out);
}

void json_begin_object(struct json_writer *w, const char *key)
{
	json_open(w, key, '{');
}

void json_end_object(struct json_writer *w)
{
	json_close(w, '}');
}

void json_begin_array(struct json_writer *w, const char *key)
{
	json_open(w, key, '[');
}

void json_end_array(struct json_writer *w)
{
	json_close(w, ']');
}

void json_string(struct json_writer *w, const char *key, const char *value)
{
	json_member(w, key);
	if (value)
		json_write_escaped(w->out, value);
	else
		fputs("null", w->out);
}

void json_uint(struct json_writer *w, const char *key, unsigned long long v)
{
	json_member(w, key);
	fprintf(w->out, "%llu", v);
}

void json_int(struct json_writer *w, const char *key, long long v)
{
	json_member(w, key);
	fprintf(w->out, "%lld", v);
}

void json_bool(struct json_writer *w, const char *key, bool v)
{
	json_member(w, key);
	fputs(v ? "true" : "false", w->out);
}

void json_null(struct json_writer *w, const char *key)
{
	json_member(w, key);
	fputs("null", w->out);
}

void json_double(struct json_writer *w, const char *key, double v)
{
	json_double_digits(w, key, v, 2);
}

void json_double_digits(struct json_writer *w, const char *key, double v, int digits)
{
	json_member(w, key);
	if (isfinite(v))
		fprintf(w->out, "%.*f", digits, v);
	else
		fputs("null", w->out);	/* JSON has no NaN or Infinity */
}

void json_hex64(struct json_writer *w, const char *key, unsigned long long v)
{
	char buf[24];

	snprintf(buf, sizeof(buf), "0x%016llx", v);
	json_string(w, key, buf);
}

int json_finish(struct json_writer *w)
{
	fputc('\n', w->out);
	if (w->depth != 0)
		w->error = true;
	if (ferror(w->out))
		w->error = true;
	return w->error ? -1 : 0;
}
