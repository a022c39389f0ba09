/* SPDX-License-Identifier: GPL-2.0 */
/*
 * livestream.h - the live-migration stream: what `tvmm migrate --live`
 * sends and `tvmm restore --incoming` checks, record by record.
 * docs/live-migration.md describes it byte by byte.
 */
#ifndef TVMM_LIVESTREAM_H
#define TVMM_LIVESTREAM_H

#include <stdint.h>

#include "snapfile.h"

#define LIVE_MAGIC		"TVMMLIVE"
#define LIVE_FORMAT_VERSION	1
#define LIVE_PAGE_SIZE		4096
#define LIVE_BATCH_MAX		64	/* pages per PAGES record */

/* The 64-byte header, little-endian, first in the stream. */
struct live_header {
	char magic[8];			/* LIVE_MAGIC, no NUL */
	uint32_t format_version;	/* LIVE_FORMAT_VERSION */
	uint32_t header_size;		/* sizeof(struct live_header) = 64 */
	uint32_t state_version;		/* TVMM_STATE_VERSION of the source's tvmm.ko */
	uint32_t state_size;		/* sizeof(struct tvmm_vm_state) */
	uint64_t ram_size;		/* bytes of guest RAM */
	uint64_t exits;			/* the VM's exits when the migration began */
	uint32_t mode;			/* enum tvmm_mode, for messages */
	uint32_t crc32;			/* CRC-32 of this header, this field as 0 */
	char name[SNAP_NAME_MAX];	/* the VM's name, NUL-padded */
};

enum live_record_type {
	LIVE_PAGES	= 1,	/* count page numbers, then count pages */
	LIVE_STATE	= 2,	/* the source's stop TSC, then the VM state; the last record */
};

/* Every record starts with these 16 bytes. */
struct live_record {
	uint32_t type;		/* enum live_record_type */
	uint32_t count;		/* PAGES: 1..LIVE_BATCH_MAX; STATE: 0 */
	uint32_t round;		/* the round that sent it: 1, 2, ... */
	uint32_t crc32;		/* CRC-32 of this record, header (this field 0) and payload */
};

/* The sending side: one open stream. */
struct live_out {
	int fd;
	const char *where;		/* for messages */
	unsigned long long bytes;	/* sent so far */
};

/*
 * Open the stream's end named by @spec for writing (source) or reading
 * (destination): "fd:N", "unix:PATH" (the source connects, the
 * destination listens for one connection), "-" (stdin, destination
 * only) or a file or FIFO path. Return: the fd, or -1 with a message.
 */
int live_open(const char *spec, int for_writing);

/* Send the header, a batch of pages, the final state. 0 or -1 (errno set). */
int live_send_header(struct live_out *out, const struct live_header *h);
int live_send_pages(struct live_out *out, uint32_t round, const uint32_t *pfn,
		    uint32_t count, const void *pages);
int live_send_state(struct live_out *out, uint32_t round, uint64_t stop_tsc,
		    const struct tvmm_vm_state *state);

/* What the destination learned besides the snapshot itself. */
struct live_in_info {
	uint64_t stop_tsc;		/* the source's TSC when it stopped the VM */
	unsigned int rounds;		/* the last round number seen */
	unsigned long long pages;	/* pages received, resent ones included */
};

/*
 * Receive a whole stream from @fd (@where for messages) into @snap,
 * checking everything (versions, sizes, page numbers, CRCs, that every
 * page came and that the state came last). Return: 0 (snap->ram
 * malloc'd), or an exit status with a message saying what is wrong.
 */
int live_receive(int fd, const char *where, struct snapshot *snap,
		 struct live_in_info *info);

#endif /* TVMM_LIVESTREAM_H */
