/* SPDX-License-Identifier: GPL-2.0 */
/*
 * snapfile.h - the snapshot file: a header, the VM state tvmm.ko gives
 * (struct tvmm_vm_state), the guest's RAM; a CRC-32 over all of it.
 * docs/snapshot-format.md describes the layout byte by byte.
 */
#ifndef TVMM_SNAPFILE_H
#define TVMM_SNAPFILE_H

#include <stddef.h>
#include <stdint.h>

#include <tvmm.h>

#define SNAP_MAGIC		"TVMMSNAP"
#define SNAP_FORMAT_VERSION	1
#define SNAP_NAME_MAX		16

/* The 64-byte header, little-endian (x86 only, like tvmm). */
struct snap_header {
	char magic[8];			/* SNAP_MAGIC, no NUL */
	uint32_t format_version;	/* SNAP_FORMAT_VERSION */
	uint32_t header_size;		/* sizeof(struct snap_header) = 64 */
	uint32_t state_version;		/* TVMM_STATE_VERSION of the module that saved it */
	uint32_t state_size;		/* sizeof(struct tvmm_vm_state) */
	uint64_t ram_size;		/* bytes of RAM after the state */
	uint64_t exits;			/* the VM's exits when it was saved */
	uint32_t mode;			/* enum tvmm_mode, for `tvmm restore`'s messages */
	uint32_t crc32;			/* CRC-32 of the whole file, this field as 0 */
	char name[SNAP_NAME_MAX];	/* the VM's name (image file name), NUL-padded */
};

/* A snapshot in memory: what snap_read() checked, what snap_write() writes. */
struct snapshot {
	struct snap_header hdr;
	struct tvmm_vm_state state;
	unsigned char *ram;		/* hdr.ram_size bytes, malloc'd */
};

/* CRC-32 (IEEE 802.3, the one of gzip and PNG) of @len bytes, continuing @crc. */
uint32_t snap_crc32(uint32_t crc, const void *buf, size_t len);

/*
 * Write @snap to @path (its header's sizes and CRC are filled in here).
 * Return: 0, or -1 with a message printed.
 */
int snap_write(const char *path, struct snapshot *snap);

/*
 * Read and check @path: magic, versions, sizes, RAM size against the
 * state's config, CRC. Return: 0 (snap->ram malloc'd), or an exit status
 * with a message printed that says what is wrong with the file.
 */
int snap_read(const char *path, struct snapshot *snap);

/*
 * The name field is NUL-padded and has no terminator when the name fills
 * it (docs/snapshot-format.md): a 16-character image name is kept whole.
 */
void snap_set_name(char dst[SNAP_NAME_MAX], const char *name);

#endif /* TVMM_SNAPFILE_H */
