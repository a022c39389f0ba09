// SPDX-License-Identifier: GPL-2.0
/*
 * livestream.c - the live-migration stream: a header, batches of pages
 * round after round, the VM state last; sent by `tvmm migrate --live`
 * (migrate_live.c), received and checked by `tvmm restore --incoming`.
 *
 * Concept: a migration is an input channel into the destination VMM, as
 * a snapshot file is, and more exposed: it comes over a pipe or a socket
 * from another process, and it can break in the middle (the source died,
 * the connection dropped). So the destination trusts nothing it reads:
 * every record carries its own CRC-32, every page number is checked
 * against the RAM size, the versions and sizes must be this tool's, the
 * state must come last and every page must have come at least once. Only
 * a stream that passed all of it becomes a VM (TVMM_SET_STATE, which
 * checks the state once more, snapshot_check.c); a truncated or corrupted
 * stream is refused with what was wrong and where, and no VM ever runs
 * half a guest. Records rather than one CRC at the end, because a real
 * stream is checked while it flows (QEMU's and Xen's streams are records
 * too: Xen's migration v2 has PAGE_DATA and END records).
 * Context: userspace; no module needed to read a stream.
 */
#include <assert.h>
#include <errno.h>
#include <fcntl.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/un.h>
#include <unistd.h>

#include "cli.h"
#include "livestream.h"

static_assert(sizeof(struct live_header) == 64, "the header is 64 bytes");
static_assert(sizeof(struct live_record) == 16, "a record header is 16 bytes");

static int write_all(struct live_out *out, const void *buf, size_t len)
{
	const char *p = buf;

	while (len) {
		ssize_t n = write(out->fd, p, len);

		if (n < 0 && errno == EINTR)
			continue;
		if (n <= 0)
			return -1;
		p += n;
		len -= n;
		out->bytes += n;
	}
	return 0;
}

/* "unix:PATH": connect to it (source) or listen there for one peer. */
static int live_unix(const char *path, int for_writing)
{
	struct sockaddr_un sa = { .sun_family = AF_UNIX };
	int fd, peer;

	if (strlen(path) >= sizeof(sa.sun_path)) {
		print_error("live: unix:%s: the socket path is too long (at most %zu bytes).",
			    path, sizeof(sa.sun_path) - 1);
		return -1;
	}
	strcpy(sa.sun_path, path);
	fd = socket(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0);
	if (fd < 0) {
		print_error("live: unix:%s: socket: %s.%s", path, strerror(errno),
			    errno == ENOSYS || errno == EAFNOSUPPORT ?
			    " This kernel has no unix sockets (the lab VM's has no networking at all): use a FIFO (mkfifo) or fd:N instead." : "");
		return -1;
	}
	if (for_writing) {
		if (!connect(fd, (struct sockaddr *)&sa, sizeof(sa)))
			return fd;
		print_error("live: cannot connect to unix:%s: %s. Start the destination first: `tvmm restore --incoming unix:%s`.",
			    path, strerror(errno), path);
		close(fd);
		return -1;
	}
	unlink(path);
	if (bind(fd, (struct sockaddr *)&sa, sizeof(sa)) || listen(fd, 1)) {
		print_error("live: cannot listen on unix:%s: %s", path, strerror(errno));
		close(fd);
		return -1;
	}
	peer = accept(fd, NULL, NULL);
	if (peer < 0)
		print_error("live: accept on unix:%s: %s", path, strerror(errno));
	close(fd);
	unlink(path);
	return peer;
}

int live_open(const char *spec, int for_writing)
{
	char *end;
	long n;
	int fd;

	if (!strncmp(spec, "fd:", 3)) {
		n = strtol(spec + 3, &end, 10);
		if (end == spec + 3 || *end || n < 0 || n > 1023 || fcntl(n, F_GETFD) < 0) {
			print_error("live: %s: not an open file descriptor (give fd:N, N open in this process, e.g. `3>&1`).",
				    spec);
			return -1;
		}
		return n;
	}
	if (!strncmp(spec, "unix:", 5))
		return live_unix(spec + 5, for_writing);
	if (!strcmp(spec, "-")) {
		if (for_writing) {
			print_error("live: --to -: stdout carries the guest's console; give fd:N (e.g. --to fd:3 3>&1 >console.txt), unix:PATH or a FIFO.");
			return -1;
		}
		return STDIN_FILENO;
	}
	fd = for_writing ? open(spec, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0600) :
			   open(spec, O_RDONLY | O_CLOEXEC);
	if (fd < 0)
		print_error("live: cannot open %s: %s", spec, strerror(errno));
	return fd;
}

int live_send_header(struct live_out *out, const struct live_header *h)
{
	struct live_header copy = *h;

	memcpy(copy.magic, LIVE_MAGIC, sizeof(copy.magic));
	copy.format_version = LIVE_FORMAT_VERSION;
	copy.header_size = sizeof(copy);
	copy.state_version = TVMM_STATE_VERSION;
	copy.state_size = sizeof(struct tvmm_vm_state);
	copy.crc32 = 0;
	copy.crc32 = snap_crc32(0, &copy, sizeof(copy));
	return write_all(out, &copy, sizeof(copy));
}

int live_send_pages(struct live_out *out, uint32_t round, const uint32_t *pfn,
		    uint32_t count, const void *pages)
{
	struct live_record r = { .type = LIVE_PAGES, .count = count, .round = round };
	uint32_t crc = snap_crc32(0, &r, sizeof(r));

	crc = snap_crc32(crc, pfn, count * sizeof(*pfn));
	r.crc32 = snap_crc32(crc, pages, (size_t)count * LIVE_PAGE_SIZE);
	return write_all(out, &r, sizeof(r)) || write_all(out, pfn, count * sizeof(*pfn)) ||
	       write_all(out, pages, (size_t)count * LIVE_PAGE_SIZE) ? -1 : 0;
}

int live_send_state(struct live_out *out, uint32_t round, uint64_t stop_tsc,
		    const struct tvmm_vm_state *state)
{
	struct live_record r = { .type = LIVE_STATE, .round = round };
	struct tvmm_vm_state s = *state;
	uint32_t crc;

	/* Pointers and messages of this process mean nothing over there. */
	s.ram_addr = 0;
	memset(s.error, 0, sizeof(s.error));
	crc = snap_crc32(0, &r, sizeof(r));
	crc = snap_crc32(crc, &stop_tsc, sizeof(stop_tsc));
	r.crc32 = snap_crc32(crc, &s, sizeof(s));
	return write_all(out, &r, sizeof(r)) || write_all(out, &stop_tsc, sizeof(stop_tsc)) ||
	       write_all(out, &s, sizeof(s)) ? -1 : 0;
}

/* The receiving side: where in the stream we are, for messages. */
struct live_in {
	int fd;
	const char *where;
	unsigned long long at;		/* bytes read so far */
	unsigned long records;		/* complete records so far */
};

/*
 * Read exactly @len bytes of @what. 0; 1 on a clean end of stream before
 * the first byte when @eof_ok; else an exit status, the message printed.
 */
static int read_part(struct live_in *in, void *buf, size_t len, const char *what, int eof_ok)
{
	size_t done = 0;

	while (done < len) {
		ssize_t n = read(in->fd, (char *)buf + done, len - done);

		if (n < 0 && errno == EINTR)
			continue;
		if (n < 0) {
			print_error("restore: reading the stream from %s: %s", in->where,
				    strerror(errno));
			return TVMM_EXIT_INPUT;
		}
		if (n == 0) {
			if (!done && eof_ok)
				return 1;
			print_error("restore: the stream from %s is truncated: it ends %zu bytes into the %s of record %lu (%zu bytes expected there, at byte %llu). The source stopped sending or the channel broke; nothing was restored.",
				    in->where, done, what, in->records + 1, len, in->at);
			return TVMM_EXIT_INPUT;
		}
		done += n;
		in->at += n;
	}
	return 0;
}

static int bad_stream(const struct live_in *in, const char *what)
{
	print_error("restore: the stream from %s is not a good migration: %s (record %lu, before byte %llu). Nothing was restored.",
		    in->where, what, in->records + 1, in->at);
	return TVMM_EXIT_INPUT;
}

static int check_header(struct live_in *in, struct live_header *h)
{
	uint32_t crc = h->crc32;
	unsigned long long ram = h->ram_size;

	if (memcmp(h->magic, LIVE_MAGIC, sizeof(h->magic))) {
		print_error("restore: %s is not a tvmm live-migration stream (no \"%s\" at its start). `tvmm migrate --live --to ...` sends one.",
			    in->where, LIVE_MAGIC);
		return TVMM_EXIT_INPUT;
	}
	h->crc32 = 0;
	if (snap_crc32(0, h, sizeof(*h)) != crc)
		return bad_stream(in, "the header's CRC-32 does not match (corrupted)");
	if (h->format_version != LIVE_FORMAT_VERSION || h->header_size != sizeof(*h)) {
		print_error("restore: the stream from %s is format version %u (header %u bytes); this tvmm reads version %d (%zu bytes). Migrate with the same tvmm on both sides.",
			    in->where, h->format_version, h->header_size, LIVE_FORMAT_VERSION,
			    sizeof(*h));
		return TVMM_EXIT_INPUT;
	}
	if (h->state_version != TVMM_STATE_VERSION || h->state_size != sizeof(struct tvmm_vm_state)) {
		print_error("restore: the stream from %s holds VM state version %u (%u bytes); this tvmm and its tvmm.ko use version %d (%zu bytes).",
			    in->where, h->state_version, h->state_size, TVMM_STATE_VERSION,
			    sizeof(struct tvmm_vm_state));
		return TVMM_EXIT_INPUT;
	}
	if (ram % LIVE_PAGE_SIZE || ram < TVMM_GUEST_MEM_MIN || ram > TVMM_GUEST_MEM_MAX)
		return bad_stream(in, "its header gives a RAM size no VM has");
	return 0;
}

/* One PAGES record after its 16-byte header: page numbers, then pages. */
static int receive_pages(struct live_in *in, const struct live_record *r, uint32_t crc,
			 struct snapshot *snap, unsigned char *seen)
{
	unsigned long nr_pages = snap->hdr.ram_size / LIVE_PAGE_SIZE;
	uint32_t pfn[LIVE_BATCH_MAX];
	static unsigned char buf[LIVE_BATCH_MAX * LIVE_PAGE_SIZE];
	uint32_t i;
	int status;

	if (!r->count || r->count > LIVE_BATCH_MAX)
		return bad_stream(in, "a batch of pages holds 0 or more than 64 pages");
	status = read_part(in, pfn, r->count * sizeof(pfn[0]), "page numbers", 0);
	if (!status)
		status = read_part(in, buf, (size_t)r->count * LIVE_PAGE_SIZE, "pages", 0);
	if (status)
		return status;
	crc = snap_crc32(crc, pfn, r->count * sizeof(pfn[0]));
	if (snap_crc32(crc, buf, (size_t)r->count * LIVE_PAGE_SIZE) != r->crc32)
		return bad_stream(in, "a batch of pages fails its CRC-32 (corrupted)");
	/* Only now, checked, do the pages go into the RAM image. */
	for (i = 0; i < r->count; i++)
		if (pfn[i] >= nr_pages)
			return bad_stream(in, "a page number lies outside the VM's RAM");
	for (i = 0; i < r->count; i++) {
		memcpy(snap->ram + (size_t)pfn[i] * LIVE_PAGE_SIZE, buf + (size_t)i * LIVE_PAGE_SIZE,
		       LIVE_PAGE_SIZE);
		seen[pfn[i]] = 1;
	}
	return 0;
}

int live_receive(int fd, const char *where, struct snapshot *snap, struct live_in_info *info)
{
	struct live_in in = { .fd = fd, .where = where };
	struct live_header h;
	struct live_record r;
	unsigned char *seen = NULL, extra;
	unsigned long i, nr_pages;
	uint32_t crc, want;
	int status;

	memset(snap, 0, sizeof(*snap));
	memset(info, 0, sizeof(*info));
	status = read_part(&in, &h, sizeof(h), "header", 0);
	if (!status)
		status = check_header(&in, &h);
	if (status)
		return status;
	nr_pages = h.ram_size / LIVE_PAGE_SIZE;
	snap->ram = calloc(1, h.ram_size);
	seen = calloc(1, nr_pages);
	if (!snap->ram || !seen) {
		print_error("restore: out of memory for %llu bytes of guest RAM",
			    (unsigned long long)h.ram_size);
		status = TVMM_EXIT_FAILURE;
		goto out;
	}
	memcpy(snap->hdr.magic, SNAP_MAGIC, sizeof(snap->hdr.magic));
	snap->hdr.ram_size = h.ram_size;
	snap->hdr.exits = h.exits;
	snap->hdr.mode = h.mode;
	memcpy(snap->hdr.name, h.name, sizeof(h.name));
	for (;;) {
		status = read_part(&in, &r, sizeof(r), "record header", 1);
		if (status == 1) {
			status = bad_stream(&in, "it ends without the VM's state: the source never stopped the VM (a failed or cancelled migration)");
			goto out;
		}
		if (status)
			goto out;
		want = r.crc32;
		r.crc32 = 0;
		crc = snap_crc32(0, &r, sizeof(r));
		r.crc32 = want;
		if (r.round < info->rounds || !r.round) {
			status = bad_stream(&in, "its rounds go backwards");
			goto out;
		}
		info->rounds = r.round;
		if (r.type == LIVE_STATE)
			break;
		if (r.type != LIVE_PAGES) {
			status = bad_stream(&in, "a record of an unknown type");
			goto out;
		}
		status = receive_pages(&in, &r, crc, snap, seen);
		if (status)
			goto out;
		info->pages += r.count;
		in.records++;
	}
	if (r.count) {
		status = bad_stream(&in, "the state record says it holds pages");
		goto out;
	}
	status = read_part(&in, &info->stop_tsc, sizeof(info->stop_tsc), "VM state", 0);
	if (!status)
		status = read_part(&in, &snap->state, sizeof(snap->state), "VM state", 0);
	if (status)
		goto out;
	crc = snap_crc32(crc, &info->stop_tsc, sizeof(info->stop_tsc));
	if (snap_crc32(crc, &snap->state, sizeof(snap->state)) != r.crc32) {
		status = bad_stream(&in, "the VM state fails its CRC-32 (corrupted)");
		goto out;
	}
	in.records++;
	if (read_part(&in, &extra, 1, "end", 1) != 1) {
		status = bad_stream(&in, "more bytes follow the VM state, which must come last");
		goto out;
	}
	if (snap->state.config.mem_size != h.ram_size) {
		status = bad_stream(&in, "the state's RAM size differs from the header's: the parts do not belong together");
		goto out;
	}
	for (i = 0; i < nr_pages; i++)
		if (!seen[i]) {
			status = bad_stream(&in, "some page of RAM never came (the first round sends them all)");
			goto out;
		}
	snap->hdr.exits = snap->state.exits;	/* when it stopped, for messages */
	snap->hdr.state_version = h.state_version;
	snap->hdr.state_size = h.state_size;
out:
	free(seen);
	if (status) {
		free(snap->ram);
		snap->ram = NULL;
	}
	return status;
}
