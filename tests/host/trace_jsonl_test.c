// SPDX-License-Identifier: GPL-2.0
/*
 * trace_jsonl_test.c - exit records to JSON Lines and back.
 *
 * Rule (docs/trace-format.md): `tvmm run --trace` writes one JSON object
 * per exit with exactly the keys seq, tsc, reason, reason_code, qual, rip,
 * cs, cpl, rflags, vif, insn, mnemonic, action, cycles; qual, rip and
 * rflags are "0x..." hex strings, insn is hex bytes, the rest numbers and
 * strings. Whatever the writer writes, the reader reads back unchanged;
 * a damaged line is an error that names its column, never a wrong value.
 */
#include <stdlib.h>
#include <string.h>

#include "../../userspace/jsonl.h"
#include <tvmm/exit_names.h>
#include "tap.h"

static char *write_one(const struct tvmm_exit_record *rec)
{
	char *buf = NULL;
	size_t len = 0;
	FILE *f = open_memstream(&buf, &len);

	jsonl_write_exit(f, rec);
	fclose(f);
	return buf;
}

static struct tvmm_exit_record sample(void)
{
	struct tvmm_exit_record rec;

	memset(&rec, 0, sizeof(rec));
	rec.version = TVMM_EXIT_RECORD_VERSION;
	rec.size = sizeof(rec);
	rec.reason_code = 30;			/* IO_INSTRUCTION */
	rec.seq = 7;
	rec.tsc = 123456789012345ULL;
	rec.qual = 0xe90000;			/* port 0xe9, out, 1 byte */
	rec.rip = 0x1000f;
	rec.rflags = 0x2;
	rec.cycles = 845;
	rec.cs = 0x8;
	rec.cpl = 0;
	rec.vif = 0;
	rec.action = TVMM_ACTION_EMULATED;
	rec.insn_len = 1;
	rec.insn[0] = 0xee;
	strcpy(rec.mnemonic, "out");
	return rec;
}

static void test_exact_line(void)
{
	struct tvmm_exit_record rec = sample();
	char *line = write_one(&rec);
	const char *want =
		"{\"seq\":7,\"tsc\":123456789012345,\"reason\":\"IO_INSTRUCTION\","
		"\"reason_code\":30,\"qual\":\"0xe90000\",\"rip\":\"0x1000f\",\"cs\":8,"
		"\"cpl\":0,\"rflags\":\"0x2\",\"vif\":0,\"insn\":\"ee\",\"mnemonic\":\"out\","
		"\"action\":\"emulated\",\"cycles\":845}\n";

	if (!ok(!strcmp(line, want), "writer: the documented line, byte for byte"))
		diag("  got  %s  want %s", line, want);
	free(line);
}

/* A tvmm-dev access: gpa, then mmio/width/value after cycles; back unchanged. */
static void test_mmio_keys(void)
{
	struct tvmm_exit_record rec = sample();
	char *line, err[160];
	struct jsonl_exit ev;
	const char *tail = ",\"cycles\":845,\"gpa\":\"0xfeb00008\",\"mmio\":\"write\","
			   "\"width\":2,\"value\":\"0xbeef\"}\n";

	rec.reason_code = 48;			/* EPT_VIOLATION */
	rec.gpa = TVMM_DEV_GPA + TVMM_DEV_SCRATCH;
	rec.mmio_width = 2;
	rec.mmio_write = 1;
	rec.mmio_value = 0xbeef;
	line = write_one(&rec);
	if (!ok(strlen(line) > strlen(tail) &&
		!strcmp(line + strlen(line) - strlen(tail), tail),
		"writer: an MMIO exit ends with gpa, mmio, width, value"))
		diag("  got  %s", line);
	line[strlen(line) - 1] = '\0';
	ok_eq(jsonl_parse_exit(line, &ev, err, sizeof(err)), 0, "mmio line parses");
	ok_eq(ev.optional, JSONL_OPT_GPA | JSONL_OPT_MMIO | JSONL_OPT_WIDTH | JSONL_OPT_VALUE,
	      "mmio line: the four optional keys seen");
	ok_eq(ev.gpa, rec.gpa, "mmio line: gpa");
	ok_eq(ev.mmio_write, 1, "mmio line: write");
	ok_eq(ev.mmio_width, 2, "mmio line: width");
	ok_eq(ev.mmio_value, 0xbeef, "mmio line: value");
	free(line);

	/* An EPT violation that is no device access: gpa only. */
	rec.mmio_width = 0;
	rec.gpa = 0x40000000;
	line = write_one(&rec);
	ok(strstr(line, ",\"gpa\":\"0x40000000\"}") && !strstr(line, "mmio"),
	   "writer: a plain EPT violation has gpa and no mmio keys");
	free(line);
}

static void round_trip(const struct tvmm_exit_record *rec, const char *what)
{
	char *line = write_one(rec), err[160];
	struct jsonl_exit ev;
	size_t len = strlen(line);
	int rc;

	ok(len > 0 && strchr(line, '\n') == line + len - 1, "%s: one line", what);
	line[len - 1] = '\0';
	rc = jsonl_parse_exit(line, &ev, err, sizeof(err));
	if (!ok(rc == 0, "%s: parses", what))
		diag("  %s: %s", line, err);
	ok_eq(ev.present, JSONL_HAS_ALL, "%s: all 14 keys present", what);
	ok_eq(ev.seq, rec->seq, "%s: seq", what);
	ok_eq(ev.tsc, rec->tsc, "%s: tsc", what);
	ok_eq(ev.reason_code, rec->reason_code, "%s: reason_code", what);
	ok_eq(ev.qual, rec->qual, "%s: qual", what);
	ok_eq(ev.rip, rec->rip, "%s: rip", what);
	ok_eq(ev.rflags, rec->rflags, "%s: rflags", what);
	ok_eq(ev.cs, rec->cs, "%s: cs", what);
	ok_eq(ev.cpl, rec->cpl, "%s: cpl", what);
	ok_eq(ev.vif, rec->vif, "%s: vif", what);
	ok_eq(ev.cycles, rec->cycles, "%s: cycles", what);
	ok_eq(ev.insn_len, rec->insn_len, "%s: insn length", what);
	ok(!memcmp(ev.insn, rec->insn, rec->insn_len), "%s: insn bytes", what);
	ok(!strcmp(ev.mnemonic, rec->mnemonic), "%s: mnemonic", what);
	ok(!strcmp(ev.action, tvmm_action_name(rec->action)), "%s: action", what);
	free(line);
}

static void test_round_trips(void)
{
	struct tvmm_exit_record rec = sample();
	unsigned int i;

	round_trip(&rec, "an OUT");

	/* Extremes: 64-bit values past 2^53, 15 insn bytes, quotes. */
	rec.seq = ~0ULL;
	rec.tsc = ~0ULL - 1;
	rec.qual = 0x8000000000000001ULL;
	rec.rip = 0xffffffffffffffffULL;
	rec.rflags = 0x246;
	rec.cycles = 1ULL << 60;
	rec.reason_code = 48;
	rec.cs = 0xffff;
	rec.cpl = 3;
	rec.vif = 1;
	rec.action = TVMM_ACTION_FATAL;
	rec.insn_len = TVMM_INSN_MAX;
	for (i = 0; i < TVMM_INSN_MAX; i++)
		rec.insn[i] = 0xf0 + i;
	strcpy(rec.mnemonic, "a\"b\\c");
	round_trip(&rec, "extremes");

	/* No instruction bytes, an empty mnemonic, reason 0. */
	rec = sample();
	rec.reason_code = 0;
	rec.insn_len = 0;
	rec.mnemonic[0] = '\0';
	rec.action = TVMM_ACTION_REFLECTED;
	round_trip(&rec, "no insn");
}

static void test_mnemonic_unterminated(void)
{
	struct tvmm_exit_record rec = sample();
	char *line;

	memset(rec.mnemonic, 'x', TVMM_MNEMONIC_MAX);	/* no NUL */
	line = write_one(&rec);
	ok(strstr(line, "\"mnemonic\":\"xxxxxxxxxxxxxxxx\",") != NULL,
	   "writer: a mnemonic without NUL stops at 16 bytes");
	free(line);
}

static void test_reader_leniency(void)
{
	struct jsonl_exit ev;
	char err[160];

	ok(jsonl_parse_exit(" { \"seq\" : 1 , \"rip\" : 65536 , \"future\" : {\"a\":[1,2.5,null,true]} } ",
			    &ev, err, sizeof(err)) == 0, "reader: blanks, a numeric rip, unknown nested keys");
	ok_eq(ev.rip, 65536, "reader: rip as a number");
	ok_eq(ev.present, JSONL_HAS_SEQ | JSONL_HAS_RIP, "reader: only the keys seen are present");
	ok(jsonl_parse_exit("{\"vif\":true,\"reason\":\"H\\u004cT\"}", &ev, err, sizeof(err)) == 0 &&
	   ev.vif == 1 && !strcmp(ev.reason, "HLT"), "reader: vif true, \\u escape");
	ok(jsonl_parse_exit("{}", &ev, err, sizeof(err)) == 0 && ev.present == 0,
	   "reader: an empty object is syntactically fine");
	ok(jsonl_blank("  \t\r") && !jsonl_blank(" {"), "blank lines are recognized");
}

static void bad(const char *line, const char *want_err)
{
	struct jsonl_exit ev;
	char err[160];
	int rc = jsonl_parse_exit(line, &ev, err, sizeof(err));

	if (!ok(rc == -1 && strstr(err, want_err), "reject %s", line))
		diag("  rc %d, error \"%s\", expected \"%s\"", rc, err, want_err);
}

static void test_malformed(void)
{
	bad("", "column 1: expected '{'");
	bad("[1]", "column 1: expected '{'");
	bad("{\"seq\":1", "column 9: expected ',' or '}'");
	bad("{\"seq\" 1}", "column 8: expected ':'");
	bad("{seq:1}", "column 2: expected a key");
	bad("{\"seq\":-1}", "non-negative");
	bad("{\"seq\":1.5}", "fraction");
	bad("{\"seq\":007}", "leading zero");
	bad("{\"seq\":99999999999999999999}", "64 bits");
	bad("{\"seq\":\"1\"}", "expected a number");
	bad("{\"rip\":\"10000\"}", "hex string");
	bad("{\"rip\":\"0xzz\"}", "bad hex digit");
	bad("{\"rip\":\"0x10000000000000000\"}", "64 bits");
	bad("{\"insn\":\"e\"}", "odd number");
	bad("{\"insn\":\"0f0f0f0f0f0f0f0f0f0f0f0f0f0f0f0f\"}", "longer than");
	bad("{\"cpl\":4}", "out of range");
	bad("{\"reason\":\"HLT}", "unterminated string");
	bad("{\"reason\":\"a\\qb\"}", "bad escape");
	bad("{\"seq\":1,\"seq\":2}", "appears twice");
	bad("{\"seq\":1} {\"seq\":2}", "text after the object");
	bad("{\"seq\":1,}", "expected a key");
	bad("{\"future\":tru}", "expected a value");
}

/* A small fixed PRNG (xorshift64): the same "random" records every run. */
static unsigned long long rnd(void)
{
	static unsigned long long x = 0x9e3779b97f4a7c15ULL;

	x ^= x << 13;
	x ^= x >> 7;
	x ^= x << 17;
	return x;
}

/* Any record the kernel could write, and some it would not. */
static struct tvmm_exit_record random_record(void)
{
	static const unsigned int reasons[] = { 0, 1, 10, 12, 18, 30, 48, 49, 52, 77, 200 };
	static const char chars[] = "ab \"\\/\x01\x1f\x7f\xc3\xa9z";
	struct tvmm_exit_record rec;
	unsigned int i, n;

	memset(&rec, 0, sizeof(rec));
	rec.version = TVMM_EXIT_RECORD_VERSION;
	rec.size = sizeof(rec);
	rec.reason_code = reasons[rnd() % 11] | (rnd() % 8 ? 0 : 1U << 31);
	rec.seq = rnd() >> (rnd() % 64);
	rec.tsc = rnd() >> (rnd() % 64);
	rec.qual = rnd() >> (rnd() % 64);
	rec.rip = rnd() >> (rnd() % 64);
	rec.rflags = rnd() >> (rnd() % 64);
	rec.gpa = rnd() >> (rnd() % 64);
	rec.cycles = rnd() >> (rnd() % 64);
	rec.intr_info = rnd();		/* not in the JSON: must not matter */
	rec.cs = rnd();
	rec.cpl = rnd() % 4;
	rec.vif = rnd() % 2;
	rec.action = rnd() % 8;		/* 6 and 7: names tvmm does not know */
	rec.insn_len = rnd() % 20;	/* above 15: the writer stops at 15 */
	for (i = 0; i < TVMM_INSN_MAX; i++)
		rec.insn[i] = rnd();
	n = rnd() % TVMM_MNEMONIC_MAX;	/* at most 15 and the NUL */
	for (i = 0; i < n; i++)
		rec.mnemonic[i] = chars[rnd() % (sizeof(chars) - 1)];
	if (rnd() % 2) {
		rec.mmio_width = 1 + rnd() % 8;
		rec.mmio_write = rnd() % 3;	/* 2: any non-zero is a write */
		rec.mmio_value = rnd();
	}
	return rec;
}

/*
 * Rule (jsonl.h, jsonl_from_record()): a binary record reads as exactly
 * the exit its JSON line reads as, so stats and dot cannot tell the
 * formats apart; and a record whose line would not read is refused too.
 */
static void test_from_record(void)
{
	struct jsonl_exit from_line, from_rec;
	struct tvmm_exit_record rec;
	char err[160], err2[160];
	unsigned int i, same = 0, n = 2000;

	for (i = 0; i < n; i++) {
		char *line;
		int a, b;

		rec = random_record();
		line = write_one(&rec);
		line[strlen(line) - 1] = '\0';
		a = jsonl_parse_exit(line, &from_line, err, sizeof(err));
		b = jsonl_from_record(&rec, &from_rec, err2, sizeof(err2));
		if (!a && !b && !memcmp(&from_line, &from_rec, sizeof(from_line)))
			same++;
		else if (same == i)	/* the first difference only */
			diag("  %s: line %d (%s), record %d (%s)", line, a, err, b, err2);
		free(line);
	}
	ok_eq(same, n, "%u random records: the record reads as its line does", n);

	/* What the reader refuses in a line, the record reader refuses too. */
	for (i = 0; i < 4; i++) {
		static const char *const what[] = {
			"cpl 4", "vif 2", "mmio_width 9", "a 16-byte mnemonic",
		};
		char *line;
		int a, b;

		rec = sample();
		if (i == 0)
			rec.cpl = 4;
		else if (i == 1)
			rec.vif = 2;
		else if (i == 2)
			rec.mmio_width = 9;
		else
			memset(rec.mnemonic, 'x', TVMM_MNEMONIC_MAX);
		line = write_one(&rec);
		line[strlen(line) - 1] = '\0';
		a = jsonl_parse_exit(line, &from_line, err, sizeof(err));
		b = jsonl_from_record(&rec, &from_rec, err2, sizeof(err2));
		if (!ok(a == -1 && b == -1, "%s: refused as a line and as a record", what[i]))
			diag("  line %d (%s), record %d (%s)", a, err, b, err2);
		free(line);
	}
}

/* The same exit written the writer's way and another way: one result. */
static void same_exit(const char *plain, const char *other, const char *what)
{
	struct jsonl_exit a, b;
	char err[160], err2[160];
	int ra = jsonl_parse_exit(plain, &a, err, sizeof(err));
	int rb = jsonl_parse_exit(other, &b, err2, sizeof(err2));

	if (!ok(!ra && !rb && !memcmp(&a, &b, sizeof(a)), "reader: %s, same exit", what))
		diag("  %d (%s) / %d (%s)", ra, err, rb, err2);
}

/*
 * Rule (jsonl.c): the fast paths (keys in the writer's order, plain
 * strings, short numbers) give what the general parser gives.
 */
static void test_fast_paths(void)
{
	const char *plain =
		"{\"seq\":7,\"tsc\":9999999999999999999,\"reason\":\"IO_INSTRUCTION\","
		"\"reason_code\":30,\"qual\":\"0xe90000\",\"rip\":\"0xffffffffffffffff\",\"cs\":8,"
		"\"cpl\":0,\"rflags\":\"0x2\",\"vif\":0,\"insn\":\"ee\",\"mnemonic\":\"out\","
		"\"action\":\"emulated\",\"cycles\":0}";

	same_exit(plain,
		  " { \"seq\" : 7 , \"tsc\" : 9999999999999999999 , \"reason\" : \"IO_INSTRUCTION\" ,"
		  " \"reason_code\" : 30 , \"qual\" : \"0xe90000\" , \"rip\" : \"0xffffffffffffffff\" , \"cs\" : 8 ,"
		  " \"cpl\" : 0 , \"rflags\" : \"0x2\" , \"vif\" : 0 , \"insn\" : \"ee\" , \"mnemonic\" : \"out\" ,"
		  " \"action\" : \"emulated\" , \"cycles\" : 0 } ", "blanks everywhere");
	same_exit(plain,
		  "{\"cycles\":0,\"action\":\"emulated\",\"mnemonic\":\"out\",\"insn\":\"ee\","
		  "\"vif\":0,\"rflags\":\"0x2\",\"cpl\":0,\"cs\":8,\"rip\":\"0xffffffffffffffff\","
		  "\"qual\":\"0xe90000\",\"reason_code\":30,\"reason\":\"IO_INSTRUCTION\","
		  "\"tsc\":9999999999999999999,\"seq\":7}", "keys in reverse order");
	same_exit(plain,
		  "{\"s\\u0065q\":7,\"tsc\":9999999999999999999,\"reason\":\"IO_INSTRUCTI\\u004fN\","
		  "\"reason_code\":30,\"qual\":\"0XE90000\",\"rip\":18446744073709551615,\"cs\":8,"
		  "\"cpl\":0,\"rflags\":\"0x0000000000000002\",\"vif\":false,\"insn\":\"EE\",\"mnemonic\":\"o\\u0075t\","
		  "\"action\":\"emulated\",\"cycles\":0}", "escapes, upper-case hex, a numeric rip");
	same_exit(plain,
		  "{\"seq\":7,\"x\":\"\\\"\",\"tsc\":9999999999999999999,\"reason\":\"IO_INSTRUCTION\","
		  "\"reason_code\":30,\"qual\":\"0xe90000\",\"rip\":\"0xffffffffffffffff\",\"cs\":8,"
		  "\"cpl\":0,\"rflags\":\"0x2\",\"vif\":0,\"insn\":\"ee\",\"mnemonic\":\"out\","
		  "\"action\":\"emulated\",\"cycles\":0,\"future\":[1]}", "unknown keys between");
}

/* Rule (jsonl.h, jsonl_parse_line()): a NUL inside a line is an error. */
static void test_nul_in_line(void)
{
	static const char line[] = "{\"seq\":1}\0{\"seq\":2}";
	struct jsonl_exit ev;
	char err[160];

	ok(jsonl_parse_line(line, sizeof(line) - 1, &ev, err, sizeof(err)) == -1 &&
	   strstr(err, "a NUL byte"), "reader: a NUL inside a line is an error, not its end");
	ok(jsonl_parse_line(line, strlen(line), &ev, err, sizeof(err)) == 0,
	   "reader: the same line cut at its NUL reads");
}

int main(void)
{
	test_exact_line();
	test_mmio_keys();
	test_round_trips();
	test_mnemonic_unterminated();
	test_reader_leniency();
	test_malformed();
	test_from_record();
	test_fast_paths();
	test_nul_in_line();
	return done_testing();
}
