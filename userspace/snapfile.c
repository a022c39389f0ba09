// SPDX-License-Identifier: GPL-2.0
/*
 * snapfile.c - write and read a snapshot file (docs/snapshot-format.md).
 *
 * Concept: a saved VM is a file, and a file outlives the program and the
 * machine that wrote it: it may come from another tvmm version, be cut
 * short by a full disk, or be damaged or crafted. So it says what it is
 * (magic, format version, the kernel's state version and size), how big
 * each part is, and carries a CRC-32 over every byte; reading checks all
 * of that first and names what is wrong, and only a file that passes is
 * handed to tvmm.ko, which checks the state again as the untrusted input
 * it is (module/snapshot_check.c). The checksum catches accidents, not
 * attackers: anyone can recompute it, which is why the kernel checks too.
 * Context: userspace; no device needed (the host tests use it directly).
 */
#include <errno.h>
#include <fcntl.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "cli.h"
#include "snapfile.h"

_Static_assert(sizeof(struct snap_header) == 64, "the header is 64 bytes");

/* CRC-32, reflected polynomial 0xEDB88320, a table of 256 entries built once. */
uint32_t snap_crc32(uint32_t crc, const void *buf, size_t len)
{
	static uint32_t table[256];
	const unsigned char *p = buf;
	uint32_t c;
	int i, k;

	if (!table[1]) {
		for (i = 0; i < 256; i++) {
			c = i;
			for (k = 0; k < 8; k++)
				c = c & 1 ? 0xedb88320U ^ (c >> 1) : c >> 1;
			table[i] = c;
		}
	}
	crc = ~crc;
	while (len--)
		crc = table[(crc ^ *p++) & 0xff] ^ (crc >> 8);
	return ~crc;
}

/* The CRC of the file: header with crc32 = 0, state, RAM. */
static uint32_t snap_checksum(const struct snapshot *snap)
{
	struct snap_header h = snap->hdr;
	uint32_t crc;

	h.crc32 = 0;
	crc = snap_crc32(0, &h, sizeof(h));
	crc = snap_crc32(crc, &snap->state, sizeof(snap->state));
	return snap_crc32(crc, snap->ram, snap->hdr.ram_size);
}

static int write_all(int fd, const void *buf, size_t len)
{
	const char *p = buf;

	while (len) {
		ssize_t n = write(fd, p, len);

		if (n < 0 && errno == EINTR)
			continue;
		if (n < 0)
			return -1;
		p += n;
		len -= n;
	}
	return 0;
}

int snap_write(const char *path, struct snapshot *snap)
{
	struct snap_header *h = &snap->hdr;
	int fd;

	memcpy(h->magic, SNAP_MAGIC, sizeof(h->magic));
	h->format_version = SNAP_FORMAT_VERSION;
	h->header_size = sizeof(*h);
	h->state_version = snap->state.version;
	h->state_size = sizeof(snap->state);
	h->ram_size = snap->state.config.mem_size;
	h->exits = snap->state.exits;
	h->mode = snap->state.config.mode;
	/* Pointers and messages of this process mean nothing in a file. */
	snap->state.ram_addr = 0;
	memset(snap->state.error, 0, sizeof(snap->state.error));
	h->crc32 = snap_checksum(snap);

	fd = open(path, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0600);
	if (fd < 0) {
		print_error("snapshot: cannot create %s: %s", path, strerror(errno));
		return -1;
	}
	if (write_all(fd, h, sizeof(*h)) || write_all(fd, &snap->state, sizeof(snap->state)) ||
	    write_all(fd, snap->ram, h->ram_size) || fsync(fd)) {
		print_error("snapshot: writing %s: %s", path, strerror(errno));
		close(fd);
		return -1;
	}
	if (close(fd)) {
		print_error("snapshot: writing %s: %s", path, strerror(errno));
		return -1;
	}
	return 0;
}

/* Read exactly @len bytes, or say how many the file had. */
static int read_part(int fd, void *buf, size_t len, const char *path, const char *what,
		     unsigned long long at)
{
	size_t done = 0;

	while (done < len) {
		ssize_t n = read(fd, (char *)buf + done, len - done);

		if (n < 0 && errno == EINTR)
			continue;
		if (n < 0) {
			print_error("restore: reading %s: %s", path, strerror(errno));
			return TVMM_EXIT_INPUT;
		}
		if (n == 0) {
			print_error("restore: %s is truncated: it ends %llu bytes into the %s (%zu bytes expected there, at offset %llu). The file was cut short; take the snapshot again.",
				    path, (unsigned long long)done, what, len, at);
			return TVMM_EXIT_INPUT;
		}
		done += n;
	}
	return TVMM_EXIT_OK;
}

/* The header's own checks: is this a tvmm snapshot this tool can read? */
static int check_header(const char *path, const struct snap_header *h)
{
	unsigned long long ram = h->ram_size;

	if (memcmp(h->magic, SNAP_MAGIC, sizeof(h->magic))) {
		print_error("restore: %s is not a tvmm snapshot (no \"%s\" at its start). `tvmm run --snapshot FILE` writes one.",
			    path, SNAP_MAGIC);
		return TVMM_EXIT_INPUT;
	}
	if (h->format_version != SNAP_FORMAT_VERSION || h->header_size != sizeof(*h)) {
		print_error("restore: %s is snapshot format version %u (header %u bytes); this tvmm reads version %d (header %zu bytes). Restore it with the tvmm that wrote it.",
			    path, h->format_version, h->header_size, SNAP_FORMAT_VERSION,
			    sizeof(*h));
		return TVMM_EXIT_INPUT;
	}
	if (h->state_version != TVMM_STATE_VERSION ||
	    h->state_size != sizeof(struct tvmm_vm_state)) {
		print_error("restore: %s holds VM state version %u (%u bytes); this tvmm and its tvmm.ko use version %d (%zu bytes). Restore it with the tvmm that wrote it.",
			    path, h->state_version, h->state_size, TVMM_STATE_VERSION,
			    sizeof(struct tvmm_vm_state));
		return TVMM_EXIT_INPUT;
	}
	if (ram % 4096 || ram < TVMM_GUEST_MEM_MIN || ram > TVMM_GUEST_MEM_MAX) {
		print_error("restore: %s says its RAM is %llu bytes: a VM has a multiple of 4 KiB from %llu KiB to %llu MiB. The header is damaged.",
			    path, ram, TVMM_GUEST_MEM_MIN >> 10, TVMM_GUEST_MEM_MAX >> 20);
		return TVMM_EXIT_INPUT;
	}
	return TVMM_EXIT_OK;
}

int snap_read(const char *path, struct snapshot *snap)
{
	unsigned long long want;
	struct stat st;
	uint32_t crc;
	int fd, status;

	memset(snap, 0, sizeof(*snap));
	fd = open(path, O_RDONLY | O_CLOEXEC);
	if (fd < 0) {
		print_error("restore: cannot open the snapshot %s: %s", path, strerror(errno));
		return TVMM_EXIT_INPUT;
	}
	status = read_part(fd, &snap->hdr, sizeof(snap->hdr), path, "header", 0);
	if (!status)
		status = check_header(path, &snap->hdr);
	if (status)
		goto out;
	want = sizeof(snap->hdr) + sizeof(snap->state) + snap->hdr.ram_size;
	if (!fstat(fd, &st) && S_ISREG(st.st_mode) && (unsigned long long)st.st_size > want) {
		print_error("restore: %s is %lld bytes, %llu more than its header says (%llu). It is not one snapshot as written; take the snapshot again.",
			    path, (long long)st.st_size, st.st_size - want, want);
		status = TVMM_EXIT_INPUT;
		goto out;
	}
	status = read_part(fd, &snap->state, sizeof(snap->state), path, "VM state",
			   sizeof(snap->hdr));
	if (status)
		goto out;
	snap->ram = malloc(snap->hdr.ram_size);
	if (!snap->ram) {
		print_error("restore: out of memory for %llu bytes of guest RAM",
			    (unsigned long long)snap->hdr.ram_size);
		status = TVMM_EXIT_FAILURE;
		goto out;
	}
	status = read_part(fd, snap->ram, snap->hdr.ram_size, path, "guest RAM",
			   sizeof(snap->hdr) + sizeof(snap->state));
	if (status)
		goto out;
	crc = snap_checksum(snap);
	if (crc != snap->hdr.crc32) {
		print_error("restore: %s is corrupted: its CRC-32 is 0x%08x, the file says 0x%08x. Some byte changed after it was written; nothing was restored.",
			    path, crc, snap->hdr.crc32);
		status = TVMM_EXIT_INPUT;
		goto out;
	}
	if (snap->state.config.mem_size != snap->hdr.ram_size) {
		print_error("restore: %s holds %llu bytes of RAM, but its VM was configured with %llu: the parts do not belong together.",
			    path, (unsigned long long)snap->hdr.ram_size,
			    (unsigned long long)snap->state.config.mem_size);
		status = TVMM_EXIT_INPUT;
	}
out:
	close(fd);
	if (status) {
		free(snap->ram);
		snap->ram = NULL;
	}
	return status;
}

void snap_set_name(char dst[SNAP_NAME_MAX], const char *name)
{
	size_t n = name ? strnlen(name, SNAP_NAME_MAX) : 0;

	memset(dst, 0, SNAP_NAME_MAX);
	memcpy(dst, name ? name : "", n);
}
