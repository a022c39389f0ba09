// SPDX-License-Identifier: GPL-2.0
/*
 * jsonl.c - exit records to JSON Lines and back (see jsonl.h).
 *
 * Concept: a trace is only useful if it can be read back. The writer puts
 * each struct tvmm_exit_record on one line; the reader is a small
 * recursive-descent parser for exactly one JSON object per line, strict
 * about syntax (a damaged line is an error with its column, never a
 * silently wrong count) and lenient about content (unknown keys are
 * skipped, so a newer trace still reads).
 * Context: userspace; no allocation, but for the line buffer of
 * jsonl_read().
 */
#include <ctype.h>
#include <errno.h>
#include <stdarg.h>
#include <stdlib.h>
#include <string.h>

#include <tvmm/exit_names.h>

#include "json.h"
#include "jsonl.h"

/* "0x" and the value in lowercase hex, no padding: "0x10005". */
static void write_hex(FILE *out, const char *key, unsigned long long v)
{
	fprintf(out, ",\"%s\":\"0x%llx\"", key, v);
}

int jsonl_write_exit(FILE *out, const struct tvmm_exit_record *rec)
{
	char mnemonic[TVMM_MNEMONIC_MAX + 1];
	unsigned int i, len;

	/* The kernel NUL-terminates it; do not trust that blindly. */
	memcpy(mnemonic, rec->mnemonic, TVMM_MNEMONIC_MAX);
	mnemonic[TVMM_MNEMONIC_MAX] = '\0';

	fprintf(out, "{\"seq\":%llu,\"tsc\":%llu,\"reason\":",
		(unsigned long long)rec->seq, (unsigned long long)rec->tsc);
	json_write_escaped(out, vmx_exit_reason_name(rec->reason_code));
	fprintf(out, ",\"reason_code\":%u", rec->reason_code);
	write_hex(out, "qual", rec->qual);
	write_hex(out, "rip", rec->rip);
	fprintf(out, ",\"cs\":%u,\"cpl\":%u", rec->cs, rec->cpl);
	write_hex(out, "rflags", rec->rflags);
	fprintf(out, ",\"vif\":%u,\"insn\":\"", rec->vif);
	len = rec->insn_len < TVMM_INSN_MAX ? rec->insn_len : TVMM_INSN_MAX;
	for (i = 0; i < len; i++)
		fprintf(out, "%02x", rec->insn[i]);
	fputs("\",\"mnemonic\":", out);
	json_write_escaped(out, mnemonic);
	fputs(",\"action\":", out);
	json_write_escaped(out, tvmm_action_name(rec->action));
	fprintf(out, ",\"cycles\":%llu", (unsigned long long)rec->cycles);
	if (rec->reason_code == EXIT_REASON_EPT_VIOLATION ||
	    rec->reason_code == EXIT_REASON_EPT_MISCONFIG)
		write_hex(out, "gpa", rec->gpa);
	if (rec->mmio_width) {
		fprintf(out, ",\"mmio\":\"%s\",\"width\":%u",
			rec->mmio_write ? "write" : "read", rec->mmio_width);
		write_hex(out, "value", rec->mmio_value);
	}
	fputs("}\n", out);
	return ferror(out) ? -1 : 0;
}

/* The reader: one cursor over the line, and where to put an error. */
struct parser {
	const char *start, *p;
	char *err;
	size_t err_size;
};

static __attribute__((format(printf, 2, 3))) int fail(struct parser *ps,
						      const char *fmt, ...)
{
	int n;
	va_list ap;

	n = snprintf(ps->err, ps->err_size, "column %d: ",
		     (int)(ps->p - ps->start) + 1);
	if (n < 0 || (size_t)n >= ps->err_size)
		return -1;
	va_start(ap, fmt);
	vsnprintf(ps->err + n, ps->err_size - n, fmt, ap);
	va_end(ap);
	return -1;
}

static void skip_ws(struct parser *ps)
{
	while (*ps->p == ' ' || *ps->p == '\t' || *ps->p == '\r' ||
	       *ps->p == '\n')
		ps->p++;
}

static int hex_digit(int c)
{
	if (c >= '0' && c <= '9')
		return c - '0';
	if (c >= 'a' && c <= 'f')
		return c - 'a' + 10;
	if (c >= 'A' && c <= 'F')
		return c - 'A' + 10;
	return -1;
}

/*
 * A JSON string at the cursor into @buf (NUL-terminated; @buf may be NULL
 * to skip it). \uXXXX escapes above 0x7f become '?': the trace never
 * writes them, and no field tvmm reads needs them.
 */
static int parse_string(struct parser *ps, char *buf, size_t size)
{
	size_t len = 0;

	if (*ps->p != '"')
		return fail(ps, "expected a string");
	ps->p++;
	for (;;) {
		unsigned char c = *ps->p;

		if (c == '"')
			break;
		if (c == '\0')
			return fail(ps, "unterminated string");
		if (c < 0x20)
			return fail(ps, "control character 0x%02x in a string", c);
		if (c == '\\') {
			int i, v = 0;

			ps->p++;
			switch (*ps->p) {
			case '"':
				c = '"';
				break;
			case '\\':
				c = '\\';
				break;
			case '/':
				c = '/';
				break;
			case 'b':
				c = '\b';
				break;
			case 'f':
				c = '\f';
				break;
			case 'n':
				c = '\n';
				break;
			case 'r':
				c = '\r';
				break;
			case 't':
				c = '\t';
				break;
			case 'u':
				for (i = 1; i <= 4; i++) {
					int d = hex_digit(ps->p[i]);

					if (d < 0)
						return fail(ps, "bad \\u escape");
					v = v * 16 + d;
				}
				ps->p += 4;
				c = v < 0x80 ? v : '?';
				break;
			default:
				return fail(ps, "bad escape '\\%c'", *ps->p ? *ps->p : '0');
			}
		}
		if (buf) {
			if (len + 1 >= size)
				return fail(ps, "string longer than %zu bytes", size - 1);
			buf[len++] = c;
		}
		ps->p++;
	}
	ps->p++;
	if (buf)
		buf[len] = '\0';
	return 0;
}

/* A non-negative JSON integer at the cursor. */
static int parse_uint(struct parser *ps, unsigned long long *v)
{
	const char *q = ps->p;
	char *end;

	if (*q == '-')
		return fail(ps, "expected a non-negative integer, got a negative number");
	if (!isdigit((unsigned char)*q))
		return fail(ps, "expected a number");
	if (*q == '0' && isdigit((unsigned char)q[1]))
		return fail(ps, "leading zero in a number");
	while (isdigit((unsigned char)*q))
		q++;
	if (*q == '.' || *q == 'e' || *q == 'E')
		return fail(ps, "expected an integer, got a fraction or exponent");
	errno = 0;
	*v = strtoull(ps->p, &end, 10);
	if (errno == ERANGE)
		return fail(ps, "number does not fit in 64 bits");
	ps->p = end;
	return 0;
}

/* A 64-bit register: "0x..." string (what the trace writes) or a number. */
static int parse_reg(struct parser *ps, unsigned long long *v)
{
	char buf[24], *end;
	struct parser at = *ps;

	if (*ps->p != '"')
		return parse_uint(ps, v);
	if (parse_string(ps, buf, sizeof(buf)))
		return -1;
	if (buf[0] != '0' || (buf[1] != 'x' && buf[1] != 'X') || !buf[2])
		return fail(&at, "expected a hex string \"0x...\", got \"%s\"", buf);
	for (end = buf + 2; *end; end++)
		if (hex_digit(*end) < 0)
			return fail(&at, "bad hex digit in \"%s\"", buf);
	if (strlen(buf + 2) > 16)
		return fail(&at, "\"%s\" does not fit in 64 bits", buf);
	*v = strtoull(buf + 2, NULL, 16);
	return 0;
}

static int parse_small(struct parser *ps, unsigned int *v, unsigned int max)
{
	unsigned long long n;
	struct parser at = *ps;

	if (parse_uint(ps, &n))
		return -1;
	if (n > max)
		return fail(&at, "%llu is out of range (at most %u)", n, max);
	*v = n;
	return 0;
}

static int parse_insn(struct parser *ps, struct jsonl_exit *ev)
{
	char buf[2 * TVMM_INSN_MAX + 1];
	struct parser at = *ps;
	unsigned int i;

	if (parse_string(ps, buf, sizeof(buf)))
		return -1;
	if (strlen(buf) % 2)
		return fail(&at, "insn \"%s\" has an odd number of hex digits", buf);
	for (i = 0; buf[2 * i]; i++) {
		int hi = hex_digit(buf[2 * i]), lo = hex_digit(buf[2 * i + 1]);

		if (hi < 0 || lo < 0)
			return fail(&at, "bad hex digit in insn \"%s\"", buf);
		ev->insn[i] = hi << 4 | lo;
	}
	ev->insn_len = i;
	return 0;
}

static int skip_value(struct parser *ps, int depth);

/* An object or array of a key this version does not know. */
static int skip_container(struct parser *ps, int depth)
{
	char close = *ps->p == '{' ? '}' : ']';

	if (depth > 16)
		return fail(ps, "nested too deeply");
	ps->p++;
	skip_ws(ps);
	if (*ps->p == close) {
		ps->p++;
		return 0;
	}
	for (;;) {
		if (close == '}') {
			if (parse_string(ps, NULL, 0))
				return -1;
			skip_ws(ps);
			if (*ps->p != ':')
				return fail(ps, "expected ':' after a key");
			ps->p++;
			skip_ws(ps);
		}
		if (skip_value(ps, depth + 1))
			return -1;
		skip_ws(ps);
		if (*ps->p == close) {
			ps->p++;
			return 0;
		}
		if (*ps->p != ',')
			return fail(ps, "expected ',' or '%c'", close);
		ps->p++;
		skip_ws(ps);
	}
}

static int skip_value(struct parser *ps, int depth)
{
	static const char *const words[] = { "true", "false", "null" };
	unsigned int i;

	if (*ps->p == '"')
		return parse_string(ps, NULL, 0);
	if (*ps->p == '{' || *ps->p == '[')
		return skip_container(ps, depth);
	for (i = 0; i < 3; i++) {
		size_t n = strlen(words[i]);

		if (!strncmp(ps->p, words[i], n)) {
			ps->p += n;
			return 0;
		}
	}
	if (*ps->p == '-' || isdigit((unsigned char)*ps->p)) {
		char *end;

		strtod(ps->p, &end);
		if (end == ps->p)
			return fail(ps, "bad number");
		ps->p = end;
		return 0;
	}
	return fail(ps, "expected a value");
}

/* vif is written as 0/1; accept true/false as well. */
static int parse_flag(struct parser *ps, unsigned int *v)
{
	if (!strncmp(ps->p, "true", 4)) {
		ps->p += 4;
		*v = 1;
		return 0;
	}
	if (!strncmp(ps->p, "false", 5)) {
		ps->p += 5;
		*v = 0;
		return 0;
	}
	return parse_small(ps, v, 1);
}

/*
 * The keys tvmm reads, in the order the writer puts them. A line is
 * mostly keys, so find a key by its first letter before any strcmp():
 * 14 strcmp() a line was a third of `tvmm stats`' time on a big trace.
 */
static const char *const jsonl_keys[] = {
	"seq", "tsc", "reason", "reason_code", "qual", "rip", "cs", "cpl",
	"rflags", "vif", "insn", "mnemonic", "action", "cycles",
};
/* Key i is JSONL_HAS_* bit i (jsonl.h lists the bits in this order). */
_Static_assert(1U << (sizeof(jsonl_keys) / sizeof(jsonl_keys[0])) ==
	       JSONL_HAS_ALL + 1, "one key per JSONL_HAS_* bit");

/* The JSONL_HAS_* bit of @key, or 0 for a key this version skips. */
static unsigned int key_bit(const char *key)
{
	unsigned int i;

	for (i = 0; i < sizeof(jsonl_keys) / sizeof(jsonl_keys[0]); i++)
		if (jsonl_keys[i][0] == key[0] && !strcmp(jsonl_keys[i], key))
			return 1U << i;
	return 0;
}

/* The keys only some exits have (JSONL_OPT_*); others are skipped. */
static int parse_optional(struct parser *ps, const char *key,
			  struct jsonl_exit *ev)
{
	char dir[8];
	unsigned int bit;
	int ret;

	if (!strcmp(key, "gpa")) {
		bit = JSONL_OPT_GPA;
		ret = parse_reg(ps, &ev->gpa);
	} else if (!strcmp(key, "mmio")) {
		bit = JSONL_OPT_MMIO;
		ret = parse_string(ps, dir, sizeof(dir));
		if (!ret && strcmp(dir, "read") && strcmp(dir, "write"))
			ret = fail(ps, "mmio is \"read\" or \"write\", not \"%s\"", dir);
		ev->mmio_write = !ret && !strcmp(dir, "write");
	} else if (!strcmp(key, "width")) {
		bit = JSONL_OPT_WIDTH;
		ret = parse_small(ps, &ev->mmio_width, 8);
	} else if (!strcmp(key, "value")) {
		bit = JSONL_OPT_VALUE;
		ret = parse_reg(ps, &ev->mmio_value);
	} else {
		return skip_value(ps, 0);
	}
	if (ret)
		return -1;
	if (ev->optional & bit)
		return fail(ps, "key \"%s\" appears twice", key);
	ev->optional |= bit;
	return 0;
}

/* The value of @key at the cursor, into its field of @ev. */
static int parse_member(struct parser *ps, const char *key,
			struct jsonl_exit *ev)
{
	unsigned long long n;
	unsigned int bit = key_bit(key);
	int ret;

	switch (bit) {
	case JSONL_HAS_SEQ:
		ret = parse_uint(ps, &ev->seq);
		break;
	case JSONL_HAS_TSC:
		ret = parse_uint(ps, &ev->tsc);
		break;
	case JSONL_HAS_REASON:
		ret = parse_string(ps, ev->reason, sizeof(ev->reason));
		break;
	case JSONL_HAS_REASON_CODE:
		ret = parse_uint(ps, &n);
		ev->reason_code = n;
		if (!ret && n > 0xffffffffULL)
			ret = fail(ps, "reason_code %llu does not fit in 32 bits", n);
		break;
	case JSONL_HAS_QUAL:
		ret = parse_reg(ps, &ev->qual);
		break;
	case JSONL_HAS_RIP:
		ret = parse_reg(ps, &ev->rip);
		break;
	case JSONL_HAS_CS:
		ret = parse_small(ps, &ev->cs, 0xffff);
		break;
	case JSONL_HAS_CPL:
		ret = parse_small(ps, &ev->cpl, 3);
		break;
	case JSONL_HAS_RFLAGS:
		ret = parse_reg(ps, &ev->rflags);
		break;
	case JSONL_HAS_VIF:
		ret = parse_flag(ps, &ev->vif);
		break;
	case JSONL_HAS_INSN:
		ret = parse_insn(ps, ev);
		break;
	case JSONL_HAS_MNEMONIC:
		ret = parse_string(ps, ev->mnemonic, sizeof(ev->mnemonic));
		break;
	case JSONL_HAS_ACTION:
		ret = parse_string(ps, ev->action, sizeof(ev->action));
		break;
	case JSONL_HAS_CYCLES:
		ret = parse_uint(ps, &ev->cycles);
		break;
	default:
		return parse_optional(ps, key, ev);
	}
	if (ret)
		return -1;
	if (ev->present & bit)
		return fail(ps, "key \"%s\" appears twice", key);
	ev->present |= bit;
	return 0;
}

int jsonl_parse_exit(const char *line, struct jsonl_exit *ev,
		     char *err, size_t err_size)
{
	struct parser ps = { line, line, err, err_size };
	char key[32];

	memset(ev, 0, sizeof(*ev));
	if (err_size)
		err[0] = '\0';
	skip_ws(&ps);
	if (*ps.p != '{')
		return fail(&ps, "expected '{' (one JSON object per line)");
	ps.p++;
	skip_ws(&ps);
	if (*ps.p == '}') {
		ps.p++;
	} else {
		for (;;) {
			struct parser at;

			skip_ws(&ps);
			at = ps;
			if (*ps.p != '"')
				return fail(&ps, "expected a key (a string)");
			if (parse_string(&ps, key, sizeof(key))) {
				/* An over-long key is an unknown one: skip it. */
				ps = at;
				if (parse_string(&ps, NULL, 0))
					return -1;
				key[0] = '\0';
			}
			skip_ws(&ps);
			if (*ps.p != ':')
				return fail(&ps, "expected ':' after the key \"%s\"", key);
			ps.p++;
			skip_ws(&ps);
			if (parse_member(&ps, key, ev))
				return -1;
			skip_ws(&ps);
			if (*ps.p == '}') {
				ps.p++;
				break;
			}
			if (*ps.p != ',')
				return fail(&ps, "expected ',' or '}' after the value of \"%s\"",
					    key);
			ps.p++;
		}
	}
	skip_ws(&ps);
	if (*ps.p)
		return fail(&ps, "text after the object (one object per line)");
	return 0;
}

bool jsonl_blank(const char *line)
{
	for (; *line; line++)
		if (!isspace((unsigned char)*line))
			return false;
	return true;
}

int jsonl_read(FILE *in, jsonl_fn fn, void *arg, unsigned long *lineno,
	       char *err, size_t err_size)
{
	struct jsonl_exit ev;
	char *line = NULL;
	size_t cap = 0;
	ssize_t len;
	int ret = 0;

	*lineno = 0;
	if (err_size)
		err[0] = '\0';
	while (!ret && (len = getline(&line, &cap, in)) >= 0) {
		++*lineno;
		if (len > 0 && line[len - 1] == '\n')
			line[--len] = '\0';
		if ((size_t)len != strlen(line)) {
			snprintf(err, err_size,
				 "a NUL byte in the line: not a JSON Lines trace");
			ret = -1;
		} else if (!jsonl_blank(line)) {
			ret = jsonl_parse_exit(line, &ev, err, err_size);
			if (!ret)
				ret = fn(&ev, *lineno, arg);
		}
	}
	if (!ret && ferror(in)) {
		snprintf(err, err_size, "read error: %s", strerror(errno));
		*lineno = 0;
		ret = -1;
	}
	free(line);
	return ret;
}
