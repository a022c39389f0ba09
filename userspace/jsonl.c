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
 * Why it is fast: `tvmm stats` reads a million lines in a fraction of a
 * second because each step has a fast path for exactly what the writer
 * writes (keys in its order, plain strings, short numbers) and falls
 * back to the general, careful code for anything else; the errors all
 * come from the general code, so they are the same either way.
 * Context: userspace; no allocation (tracefile.c reads the file).
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

/* snprintf(dst, size, "%s", src) for the per-record path: 0, or -1 if it does not fit. */
static int copy_name(char *dst, size_t size, const char *src)
{
	size_t n = strlen(src);

	if (n >= size)
		return -1;
	memcpy(dst, src, n + 1);
	return 0;
}

int jsonl_from_record(const struct tvmm_exit_record *rec, struct jsonl_exit *ev,
		      char *err, size_t err_size)
{
	memset(ev, 0, sizeof(*ev));
	/* What the reader refuses in the line the writer would write. */
	if (rec->cpl > 3) {
		snprintf(err, err_size, "cpl %u (a CPL is 0 to 3)", rec->cpl);
		return -1;
	}
	if (rec->vif > 1) {
		snprintf(err, err_size, "vif %u (it is 0 or 1)", rec->vif);
		return -1;
	}
	if (rec->mmio_width > 8) {
		snprintf(err, err_size, "mmio_width %u (at most 8)", rec->mmio_width);
		return -1;
	}
	if (!memchr(rec->mnemonic, '\0', TVMM_MNEMONIC_MAX)) {
		snprintf(err, err_size, "a mnemonic without its NUL");
		return -1;
	}
	if (copy_name(ev->reason, sizeof(ev->reason),
		      vmx_exit_reason_name(rec->reason_code)) ||
	    copy_name(ev->action, sizeof(ev->action),
		      tvmm_action_name(rec->action))) {
		snprintf(err, err_size, "a reason or action name too long for the reader");
		return -1;
	}
	memcpy(ev->mnemonic, rec->mnemonic, strlen(rec->mnemonic) + 1);

	ev->seq = rec->seq;
	ev->tsc = rec->tsc;
	ev->reason_code = rec->reason_code;
	ev->qual = rec->qual;
	ev->rip = rec->rip;
	ev->cs = rec->cs;
	ev->cpl = rec->cpl;
	ev->rflags = rec->rflags;
	ev->vif = rec->vif;
	ev->insn_len = rec->insn_len < TVMM_INSN_MAX ? rec->insn_len : TVMM_INSN_MAX;
	memcpy(ev->insn, rec->insn, ev->insn_len);
	ev->cycles = rec->cycles;
	ev->present = JSONL_HAS_ALL;
	/* The optional keys, on the exits the writer gives them to. */
	if (rec->reason_code == EXIT_REASON_EPT_VIOLATION ||
	    rec->reason_code == EXIT_REASON_EPT_MISCONFIG) {
		ev->gpa = rec->gpa;
		ev->optional |= JSONL_OPT_GPA;
	}
	if (rec->mmio_width) {
		ev->mmio_write = rec->mmio_write != 0;
		ev->mmio_width = rec->mmio_width;
		ev->mmio_value = rec->mmio_value;
		ev->optional |= JSONL_OPT_MMIO | JSONL_OPT_WIDTH | JSONL_OPT_VALUE;
	}
	return 0;
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
	if ((unsigned char)*ps->p > ' ')
		return;		/* the usual case: the writer writes no blanks */
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
 * The general string parser: escapes, and every error with its column.
 * parse_string() below tries a plain string first.
 */
static int parse_string_slow(struct parser *ps, char *buf, size_t size)
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

/* Can @c be in a string as is (not a quote, backslash or control char)? */
static bool plain_char(unsigned char c)
{
	return c >= 0x20 && c != '"' && c != '\\';
}

/*
 * A JSON string at the cursor into @buf (NUL-terminated; @buf may be NULL
 * to skip it). \uXXXX escapes above 0x7f become '?': the trace never
 * writes them, and no field tvmm reads needs them.
 *
 * Why two parsers: a trace line is mostly strings, and the writer never
 * escapes anything in them. The fast path copies such a plain string in
 * one memcpy(); anything else (an escape, a control character, the end
 * of the line, a string too long) goes to parse_string_slow() from the
 * start, which decodes it or says exactly what is wrong and where.
 */
static int parse_string(struct parser *ps, char *buf, size_t size)
{
	const char *s = ps->p + 1, *q = s;

	if (buf && *ps->p == '"') {
		while (plain_char(*q))
			q++;
		if (*q == '"' && (size_t)(q - s) < size) {
			memcpy(buf, s, q - s);
			buf[q - s] = '\0';
			ps->p = q + 1;
			return 0;
		}
	}
	return parse_string_slow(ps, buf, size);
}

/* The general integer parser: every error, with strtoull() for the value. */
static int parse_uint_slow(struct parser *ps, unsigned long long *v)
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

static bool is_digit(char c)
{
	return c >= '0' && c <= '9';
}

/*
 * A non-negative JSON integer at the cursor. The fast path takes what the
 * writer writes: 1 to 19 digits (19 cannot overflow 64 bits), no leading
 * zero, no fraction or exponent after; the rest, errors included, is
 * parse_uint_slow()'s. strtoull() for every number was a fifth of
 * `tvmm stats`' time on a big trace.
 */
static int parse_uint(struct parser *ps, unsigned long long *v)
{
	const char *q = ps->p;
	unsigned long long n = 0;

	while (q - ps->p < 19 && is_digit(*q))
		n = n * 10 + (*q++ - '0');
	if (q == ps->p || is_digit(*q) || *q == '.' || *q == 'e' || *q == 'E' ||
	    (ps->p[0] == '0' && q - ps->p > 1))
		return parse_uint_slow(ps, v);
	ps->p = q;
	*v = n;
	return 0;
}

/* The general register parser, for parse_reg(). */
static int parse_reg_slow(struct parser *ps, unsigned long long *v)
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

/*
 * A 64-bit register: "0x..." string (what the trace writes) or a number.
 * Fast path: "0x" and 1 to 16 hex digits, converted as they are read;
 * anything else is parse_reg_slow()'s (numbers, escapes, errors).
 */
static int parse_reg(struct parser *ps, unsigned long long *v)
{
	const char *digits = ps->p + 3, *q = digits;
	unsigned long long n = 0;
	int d;

	if (ps->p[0] != '"' || ps->p[1] != '0' || ps->p[2] != 'x')
		return parse_reg_slow(ps, v);
	while (q - digits < 16 && (d = hex_digit(*q)) >= 0) {
		n = n << 4 | d;
		q++;
	}
	if (q == digits || *q != '"')
		return parse_reg_slow(ps, v);
	ps->p = q + 1;
	*v = n;
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
	if (is_digit(*ps->p))
		return parse_small(ps, v, 1);	/* what the writer writes */
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
 * mostly keys, so read_key() first looks for the key after the one it
 * found last, quotes and colon included, where it stands in the line:
 * on a line from the writer that is one comparison per key. (A strcmp()
 * against all 14 was a third of `tvmm stats`' time on a big trace.)
 */
#define KEY(name)	{ name, sizeof(name) - 1 }
static const struct {
	const char *name;
	size_t len;
} jsonl_keys[] = {
	KEY("seq"), KEY("tsc"), KEY("reason"), KEY("reason_code"), KEY("qual"),
	KEY("rip"), KEY("cs"), KEY("cpl"), KEY("rflags"), KEY("vif"),
	KEY("insn"), KEY("mnemonic"), KEY("action"), KEY("cycles"),
};

#define JSONL_NKEYS	(sizeof(jsonl_keys) / sizeof(jsonl_keys[0]))
/* Key i is JSONL_HAS_* bit i (jsonl.h lists the bits in this order). */
_Static_assert(1U << JSONL_NKEYS == JSONL_HAS_ALL + 1,
	       "one key per JSONL_HAS_* bit");

/* The JSONL_HAS_* bit of @key, or 0 for a key this version skips. */
static unsigned int key_bit(const char *key)
{
	unsigned int i;

	for (i = 0; i < JSONL_NKEYS; i++)
		if (!strcmp(jsonl_keys[i].name, key))
			return 1U << i;
	return 0;
}

/*
 * Does @s start with the @len bytes of @name? Byte by byte, so it stops
 * at the NUL that ends the line (memcmp() may read past it).
 */
static bool starts_with(const char *s, const char *name, size_t len)
{
	size_t i;

	for (i = 0; i < len; i++)
		if (s[i] != name[i])
			return false;
	return true;
}

/*
 * The key at the cursor and its ':', the cursor left on the value.
 * *@key: its name (in @buf, or jsonl_keys[]); *@bit: its JSONL_HAS_* bit,
 * or 0 for another key. *@next: the key to look for first, as above.
 */
static int read_key(struct parser *ps, const char **key, unsigned int *bit,
		    unsigned int *next, char *buf, size_t size)
{
	struct parser at;

	if (*next < JSONL_NKEYS) {
		const char *name = jsonl_keys[*next].name;
		size_t len = jsonl_keys[*next].len;

		if (ps->p[0] == '"' && starts_with(ps->p + 1, name, len) &&
		    ps->p[len + 1] == '"' && ps->p[len + 2] == ':') {
			ps->p += len + 3;
			*key = name;
			*bit = 1U << (*next)++;
			return 0;
		}
	}
	/* Anything else: the general way, spaces and escapes allowed. */
	at = *ps;
	if (*ps->p != '"')
		return fail(ps, "expected a key (a string)");
	if (parse_string(ps, buf, size)) {
		/* An over-long key is an unknown one: skip it. */
		*ps = at;
		if (parse_string(ps, NULL, 0))
			return -1;
		buf[0] = '\0';
	}
	*key = buf;
	*bit = key_bit(buf);
	if (*bit)
		*next = __builtin_ctz(*bit) + 1;
	skip_ws(ps);
	if (*ps->p != ':')
		return fail(ps, "expected ':' after the key \"%s\"", buf);
	ps->p++;
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
static int parse_member(struct parser *ps, const char *key, unsigned int bit,
			 struct jsonl_exit *ev)
{
	unsigned long long n;
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

/*
 * Parse @line; *@end: where the parse stopped (at the NUL that ends the
 * line if it succeeded).
 */
static int parse_line(const char *line, struct jsonl_exit *ev, char *err,
		      size_t err_size, const char **end)
{
	struct parser ps = { line, line, err, err_size };
	unsigned int next_key = 0, bit = 0;	/* for read_key() */
	const char *key = "";
	char keybuf[32];
	int ret = -1;

	memset(ev, 0, sizeof(*ev));
	if (err_size)
		err[0] = '\0';
	skip_ws(&ps);
	if (*ps.p != '{') {
		fail(&ps, "expected '{' (one JSON object per line)");
		goto out;
	}
	ps.p++;
	skip_ws(&ps);
	if (*ps.p == '}') {
		ps.p++;
	} else {
		for (;;) {
			skip_ws(&ps);
			if (read_key(&ps, &key, &bit, &next_key, keybuf, sizeof(keybuf)))
				goto out;
			skip_ws(&ps);
			if (parse_member(&ps, key, bit, ev))
				goto out;
			skip_ws(&ps);
			if (*ps.p == '}') {
				ps.p++;
				break;
			}
			if (*ps.p != ',') {
				fail(&ps, "expected ',' or '}' after the value of \"%s\"", key);
				goto out;
			}
			ps.p++;
		}
	}
	skip_ws(&ps);
	if (*ps.p)
		fail(&ps, "text after the object (one object per line)");
	else
		ret = 0;
out:
	*end = ps.p;
	return ret;
}

int jsonl_parse_exit(const char *line, struct jsonl_exit *ev,
		     char *err, size_t err_size)
{
	const char *end;

	return parse_line(line, ev, err, err_size, &end);
}

int jsonl_parse_line(const char *line, size_t len, struct jsonl_exit *ev,
		     char *err, size_t err_size)
{
	const char *end;
	int ret = parse_line(line, ev, err, err_size, &end);

	/* It stopped short of the end, or failed: a NUL in the line? */
	if ((ret || end != line + len) && memchr(line, '\0', len)) {
		snprintf(err, err_size,
			 "a NUL byte in the line: not a JSON Lines trace");
		return -1;
	}
	return ret;
}

bool jsonl_blank(const char *line)
{
	for (; *line; line++)
		if (!isspace((unsigned char)*line))
			return false;
	return true;
}
