// SPDX-License-Identifier: GPL-2.0
/*
 * tracefile.c - read a trace in either format, write the binary one (see
 * tracefile.h for the binary layout).
 *
 * Concept: the reading floor of `tvmm stats` and `tvmm dot`. Both
 * formats go through one big buffer, filled by fread() a megabyte at a
 * time (a file, or a pipe for "-"): JSON lines are cut where the '\n' is
 * and parsed in place (no copy, no getline() per line), binary records
 * are copied out one by one. A binary trace is checked before anything
 * is counted: its header, then each record's own version and size, so a
 * file this tool does not understand is refused, never misread.
 * Context: userspace; one allocation per trace (the buffer), which grows
 * only for a JSON line longer than it.
 */
#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include "tracefile.h"

#define TRACE_BUF_SIZE	(1U << 20)

_Static_assert(sizeof(struct tracebin_header) == 16,
	       "the binary header is 16 bytes, no padding");

struct trace_input {
	FILE *f;
	enum trace_format format;
	char *buf;		/* cap + 1 bytes: room for a line's NUL */
	size_t cap;
	size_t start, end;	/* the bytes not used yet: buf[start, end) */
	bool eof;		/* fread() has seen the end of the file */
	unsigned long long offset;	/* binary: the file offset of buf[start] */
	struct tracebin_header hdr;	/* binary traces */
};

/*
 * Read more of the file after buf[end]: first move the bytes not used yet
 * to the front, and double the buffer if they fill it (a long line).
 * Return: 0 (in->eof set at the end of the file), or -1 with errno.
 */
static int fill(struct trace_input *in)
{
	size_t room, n;

	if (in->start) {
		memmove(in->buf, in->buf + in->start, in->end - in->start);
		in->end -= in->start;
		in->start = 0;
	}
	if (in->end == in->cap) {
		char *bigger = realloc(in->buf, 2 * in->cap + 1);

		if (!bigger)
			return -1;
		in->buf = bigger;
		in->cap *= 2;
	}
	room = in->cap - in->end;
	n = fread(in->buf + in->end, 1, room, in->f);
	in->end += n;
	if (n < room) {		/* fread() stops short only at the end or an error */
		if (ferror(in->f))
			return -1;
		in->eof = true;
	}
	return 0;
}

/* Read until @n bytes are unused, or the end of the file; 0 or -1 (errno). */
static int want(struct trace_input *in, size_t n)
{
	while (in->end - in->start < n && !in->eof)
		if (fill(in))
			return -1;
	return 0;
}

/* The bytes the records of this tool need in the header, or why not. */
static int check_header(const struct tracebin_header *h, char *err,
			size_t err_size)
{
	if (h->format != TRACEBIN_FORMAT || h->header_size != sizeof(*h)) {
		snprintf(err, err_size,
			 "a binary trace of format %u (header of %u bytes); this tvmm reads format %d (%zu bytes): read it with the tvmm that wrote it, or have that one convert it (`tvmm convert --to jsonl`)",
			 h->format, h->header_size, TRACEBIN_FORMAT, sizeof(*h));
		return -1;
	}
	if (h->record_version != TVMM_EXIT_RECORD_VERSION ||
	    h->record_size != sizeof(struct tvmm_exit_record)) {
		snprintf(err, err_size,
			 "a binary trace of record version %u (%u bytes each); this tvmm reads version %d (%zu bytes): read it with the tvmm that wrote it, or have that one convert it (`tvmm convert --to jsonl`)",
			 h->record_version, h->record_size, TVMM_EXIT_RECORD_VERSION,
			 sizeof(struct tvmm_exit_record));
		return -1;
	}
	return 0;
}

struct trace_input *trace_open(FILE *f, char *err, size_t err_size)
{
	struct trace_input *in = calloc(1, sizeof(*in));

	if (in)
		in->buf = malloc(TRACE_BUF_SIZE + 1);
	if (!in || !in->buf) {
		snprintf(err, err_size, "out of memory");
		goto fail;
	}
	in->f = f;
	in->cap = TRACE_BUF_SIZE;
	if (want(in, TRACEBIN_MAGIC_LEN)) {
		snprintf(err, err_size, "read error: %s", strerror(errno));
		goto fail;
	}
	/* A JSON line starts with '{' or a blank: never with the magic. */
	if (in->end < TRACEBIN_MAGIC_LEN ||
	    memcmp(in->buf, TRACEBIN_MAGIC, TRACEBIN_MAGIC_LEN)) {
		in->format = TRACE_JSONL;
		return in;
	}
	in->format = TRACE_BINARY;
	if (want(in, sizeof(in->hdr))) {
		snprintf(err, err_size, "read error: %s", strerror(errno));
		goto fail;
	}
	if (in->end < sizeof(in->hdr)) {
		snprintf(err, err_size,
			 "a binary trace that ends inside its %zu-byte header: truncated",
			 sizeof(in->hdr));
		goto fail;
	}
	memcpy(&in->hdr, in->buf, sizeof(in->hdr));
	if (check_header(&in->hdr, err, err_size))
		goto fail;
	in->start = sizeof(in->hdr);	/* the records start after it */
	in->offset = sizeof(in->hdr);
	return in;
fail:
	trace_close(in);
	return NULL;
}

enum trace_format trace_format(const struct trace_input *in)
{
	return in->format;
}

void trace_close(struct trace_input *in)
{
	if (in)
		free(in->buf);
	free(in);
}

/* JSON Lines: cut each line out of the buffer and parse it where it is. */
static int read_jsonl(struct trace_input *in, const struct trace_reader *rd,
		      unsigned long *lineno, char *err, size_t err_size)
{
	struct jsonl_exit ev;
	char *line, *nl;
	size_t len;
	int ret;

	for (;;) {
		line = in->buf + in->start;
		nl = memchr(line, '\n', in->end - in->start);
		if (!nl && !in->eof) {
			if (fill(in))
				return -2;
			continue;
		}
		if (!nl && in->start == in->end)
			return 0;	/* the end of the file */
		/* A line, or the last one with no '\n': NUL-terminate it. */
		len = nl ? (size_t)(nl - line) : in->end - in->start;
		line[len] = '\0';
		in->start += len + (nl != NULL);
		++*lineno;
		if (jsonl_blank(line) && strlen(line) == len)
			continue;
		if (jsonl_parse_line(line, len, &ev, err, err_size))
			return -1;
		ret = rd->exit(&ev, *lineno, rd->arg);
		if (ret)
			return ret;
	}
}

/*
 * Binary: each record checked, then handed on as is or as an exit.
 * *@lineno stays 0: the messages name the record and its byte offset.
 */
static int read_binary(struct trace_input *in, const struct trace_reader *rd,
		       char *err, size_t err_size)
{
	struct tvmm_exit_record rec;	/* aligned, unlike the buffer */
	struct jsonl_exit ev;
	unsigned long n;
	char why[96];
	int ret;

	for (n = 1;; n++) {
		if (want(in, sizeof(rec)))
			return -2;
		if (in->start == in->end)
			return 0;	/* the end of the file */
		if (in->end - in->start < sizeof(rec)) {
			snprintf(err, err_size,
				 "record %lu (byte %llu): the file ends %zu bytes into it, of %zu: truncated",
				 n, in->offset, in->end - in->start, sizeof(rec));
			return -1;
		}
		memcpy(&rec, in->buf + in->start, sizeof(rec));
		if (rec.version != in->hdr.record_version ||
		    rec.size != in->hdr.record_size) {
			snprintf(err, err_size,
				 "record %lu (byte %llu): version %u, size %u, but the header says version %u, size %u: a damaged file",
				 n, in->offset, rec.version, rec.size,
				 in->hdr.record_version, in->hdr.record_size);
			return -1;
		}
		/* Refuse what the JSON reader would (a CPL of 7...). */
		if (jsonl_from_record(&rec, &ev, why, sizeof(why))) {
			snprintf(err, err_size, "record %lu (byte %llu): %s: a damaged record",
				 n, in->offset, why);
			return -1;
		}
		in->start += sizeof(rec);
		in->offset += sizeof(rec);
		ret = rd->record ? rd->record(&rec, n, rd->arg) :
				   rd->exit(&ev, n, rd->arg);
		if (ret)
			return ret;
	}
}

int trace_read(struct trace_input *in, const struct trace_reader *rd,
	       unsigned long *lineno, char *err, size_t err_size)
{
	int ret;

	*lineno = 0;
	if (err_size)
		err[0] = '\0';
	if (in->format == TRACE_JSONL)
		ret = read_jsonl(in, rd, lineno, err, err_size);
	else
		ret = read_binary(in, rd, err, err_size);
	if (ret == -2) {	/* fill() failed: a read error, or no memory */
		snprintf(err, err_size, "read error: %s", strerror(errno));
		*lineno = 0;
		ret = -1;
	}
	return ret;
}

int tracebin_write_header(FILE *out)
{
	struct tracebin_header h = {
		.format = TRACEBIN_FORMAT,
		.header_size = sizeof(h),
		.record_version = TVMM_EXIT_RECORD_VERSION,
		.record_size = sizeof(struct tvmm_exit_record),
	};

	memcpy(h.magic, TRACEBIN_MAGIC, TRACEBIN_MAGIC_LEN);
	return fwrite(&h, sizeof(h), 1, out) == 1 ? 0 : -1;
}

int tracebin_write_record(FILE *out, const struct tvmm_exit_record *rec)
{
	return fwrite(rec, sizeof(*rec), 1, out) == 1 ? 0 : -1;
}
