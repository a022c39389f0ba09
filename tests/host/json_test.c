// SPDX-License-Identifier: GPL-2.0
/*
 * json_test.c - the JSON writer of the tvmm tool.
 *
 * Rule (RFC 8259, section 7): in a JSON string, '"' and '\' are escaped,
 * and so is every control character below 0x20; the writer uses the short
 * forms \b \f \n \r \t and \u00XX for the rest. Members are separated by
 * commas, with none after the last.
 */
#include <stdlib.h>
#include <string.h>

#include "../../userspace/json.h"
#include "tap.h"

/* Run @fn on a memory stream and return what it wrote (caller frees). */
static char *capture_escaped(const char *s)
{
	char *buf = NULL;
	size_t len = 0;
	FILE *f = open_memstream(&buf, &len);

	json_write_escaped(f, s);
	fclose(f);
	return buf;
}

static void check_escape(const char *in, const char *want, const char *what)
{
	char *got = capture_escaped(in);

	if (!ok(!strcmp(got, want), "escape %s", what))
		diag("  got %s, expected %s", got, want);
	free(got);
}

static void test_escape(void)
{
	check_escape("plain", "\"plain\"", "plain text unchanged");
	check_escape("a\"b", "\"a\\\"b\"", "double quote");
	check_escape("a\\b", "\"a\\\\b\"", "backslash");
	check_escape("l1\nl2\t\r", "\"l1\\nl2\\t\\r\"", "newline, tab, CR");
	check_escape("\b\f", "\"\\b\\f\"", "backspace and form feed");
	check_escape("\x01\x1f", "\"\\u0001\\u001f\"", "other control chars");
	check_escape("caf\xc3\xa9", "\"caf\xc3\xa9\"", "UTF-8 passes through");
	check_escape("", "\"\"", "empty string");
}

static void test_document(void)
{
	struct json_writer w;
	char *buf = NULL;
	size_t len = 0;
	FILE *f = open_memstream(&buf, &len);
	int rc;

	json_init(&w, f, false);
	json_begin_object(&w, NULL);
	json_string(&w, "reason", "hlt");
	json_uint(&w, "seq", 18446744073709551615ULL);
	json_int(&w, "delta", -5);
	json_bool(&w, "vif", true);
	json_null(&w, "qual");
	json_hex64(&w, "rip", 0x10000);
	json_begin_array(&w, "insn");
	json_uint(&w, NULL, 244);
	json_uint(&w, NULL, 1);
	json_end_array(&w);
	json_begin_object(&w, "empty");
	json_end_object(&w);
	json_end_object(&w);
	rc = json_finish(&w);
	fclose(f);

	ok(rc == 0, "a balanced document finishes cleanly");
	if (!ok(!strcmp(buf, "{\"reason\":\"hlt\",\"seq\":18446744073709551615,"
			"\"delta\":-5,\"vif\":true,\"qual\":null,"
			"\"rip\":\"0x0000000000010000\",\"insn\":[244,1],"
			"\"empty\":{}}\n"),
		"compact output is one JSON Lines record"))
		diag("  got %s", buf);
	free(buf);

	buf = NULL;
	f = open_memstream(&buf, &len);
	json_init(&w, f, true);
	json_begin_object(&w, NULL);
	json_begin_object(&w, "a");
	json_uint(&w, "b", 1);
	json_end_object(&w);
	json_end_object(&w);
	rc = json_finish(&w);
	fclose(f);
	if (!ok(rc == 0 && !strcmp(buf, "{\n  \"a\": {\n    \"b\": 1\n  }\n}\n"),
		"pretty output is indented by two spaces"))
		diag("  got %s", buf);
	free(buf);

	buf = NULL;
	f = open_memstream(&buf, &len);
	json_init(&w, f, false);
	json_begin_object(&w, NULL);
	rc = json_finish(&w);
	fclose(f);
	ok(rc == -1, "an unclosed object is reported as an error");
	free(buf);
}

int main(void)
{
	test_escape();
	test_document();
	return done_testing();
}
