// SPDX-License-Identifier: GPL-2.0
/*
 * msg.c - error messages of the tvmm tool.
 *
 * Concept: a teaching tool fails in front of beginners; each failure is
 * one readable paragraph saying what is wrong and which command fixes it.
 * Context: userspace; writes to stderr only.
 */
#include <errno.h>
#include <stdarg.h>
#include <string.h>

#include "cli.h"

const char *tvmm_prog = "tvmm";

#define WRAP_COLUMNS	78

/* The end of the word at @p; a `quoted command` counts as one word. */
static const char *next_break(const char *p)
{
	bool quoted = false;

	for (; *p && (quoted || *p != ' '); p++)
		if (*p == '`')
			quoted = !quoted;
	return p;
}

/*
 * Print "tvmm: " and the formatted message to stderr as one paragraph,
 * wrapped at word boundaries: error messages are read, not parsed.
 */
void print_error(const char *fmt, ...)
{
	char msg[2048];
	const char *p, *word_end;
	size_t col, len;
	va_list ap;

	va_start(ap, fmt);
	vsnprintf(msg, sizeof(msg), fmt, ap);
	va_end(ap);

	fprintf(stderr, "%s:", tvmm_prog);
	col = strlen(tvmm_prog) + 1;
	for (p = msg; *p; p = word_end) {
		while (*p == ' ')
			p++;
		if (!*p)
			break;
		word_end = next_break(p);
		len = word_end - p;
		if (col + 1 + len > WRAP_COLUMNS && col > 0) {
			fputc('\n', stderr);
			col = 0;
		} else {
			fputc(' ', stderr);
			col++;
		}
		fwrite(p, 1, len, stderr);
		col += len;
	}
	fputc('\n', stderr);
}


/*
 * Open the trace @*path for reading, "-" meaning stdin (then *@path
 * becomes "<stdin>" for messages). On failure print why, with the command
 * @cmd that asked, and return NULL.
 */
FILE *open_trace(const char *cmd, const char **path)
{
	FILE *in;

	if (!strcmp(*path, "-")) {
		*path = "<stdin>";
		return stdin;
	}
	in = fopen(*path, "r");
	if (!in)
		print_error("%s: cannot open %s: %s. Write a trace with `tvmm run --trace %s IMAGE`.",
			    cmd, *path, strerror(errno), *path);
	return in;
}

/*
 * A lab's TODO in the tool is still the student's stub (labs/, lab 09):
 * say which, once per TODO, the way the module's lab.c does in dmesg.
 */
void lab_todo(const char *todo, const char *what)
{
	static const char *said[8];
	size_t i;

	for (i = 0; i < sizeof(said) / sizeof(said[0]) && said[i]; i++)
		if (!strcmp(said[i], todo))
			return;
	if (i < sizeof(said) / sizeof(said[0]))
		said[i] = todo;
	print_error("TODO(%s) not done: %s (the lab's page in labs/ says what to write)",
		    todo, what);
}
