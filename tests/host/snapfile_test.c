// SPDX-License-Identifier: GPL-2.0
/*
 * snapfile_test.c - the snapshot file format (docs/snapshot-format.md)
 * and `tvmm restore`'s refusal of bad files, on a machine without tvmm.
 *
 * Rule: a snapshot that comes from another version, is cut short, has a
 * changed byte or a RAM size that does not fit its VM is refused with
 * exit status 8 and a paragraph naming the problem, before /dev/tvmm is
 * even opened: no half-restored VM can exist. A good file gets past the
 * checks, to the device (which this host lacks: status 3 or 4).
 * The kernel's own checks of the state inside are snapshot_test (VM tier).
 */
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>

#include "../../userspace/cli.h"
#include "../../userspace/snapfile.h"
#include "tap.h"

#define TVMM		"../../userspace/tvmm"
#define TMP		"/tmp/tvmm-snapfile-test"
#define RAM		(2u << 20)

static char out[16384];

/* `tvmm restore @file`: its exit status, its output in out[]. */
static int restore(const char *file)
{
	char cmd[512];
	FILE *f;
	size_t n;
	int status;

	snprintf(cmd, sizeof(cmd), "TVMM_DEVICE=" TMP "/no-such-device " TVMM " restore %s 2>&1",
		 file);
	f = popen(cmd, "r");
	if (!f)
		return -1;
	n = fread(out, 1, sizeof(out) - 1, f);
	out[n] = '\0';
	status = pclose(f);
	return WIFEXITED(status) ? WEXITSTATUS(status) : -1;
}

static void check_refused(const char *file, const char *want, const char *what)
{
	int status = restore(file);

	if (!ok(status == TVMM_EXIT_INPUT && strstr(out, want), "%s", what))
		diag("  restore %s: status %d (want 8), output:\n%s#   want text: %s", file,
		     status, out, want);
}

/* The file as bytes, to damage. */
static unsigned char *slurp(const char *path, size_t *len)
{
	FILE *f = fopen(path, "rb");
	unsigned char *buf;
	struct stat st;

	if (!f || fstat(fileno(f), &st))
		return NULL;
	buf = malloc(st.st_size);
	*len = fread(buf, 1, st.st_size, f);
	fclose(f);
	return buf;
}

static void spit(const char *path, const void *buf, size_t len)
{
	FILE *f = fopen(path, "wb");

	fwrite(buf, 1, len, f);
	fclose(f);
}

/* Store a header field and a CRC that matches again: only that field is wrong. */
static void rewrite(unsigned char *buf, size_t len, size_t off, const void *v, size_t n,
		    bool fix_crc)
{
	struct snap_header *h = (struct snap_header *)buf;

	memcpy(buf + off, v, n);
	if (fix_crc) {
		h->crc32 = 0;
		h->crc32 = snap_crc32(0, buf, len);
	}
}

int main(void)
{
	static struct snapshot snap, back;
	unsigned char *good, *bad;
	size_t len = 0, i;
	uint32_t v32;
	uint64_t v64;
	int status;

	(void)system("rm -rf " TMP "; mkdir -p " TMP);
	ok(snap_crc32(0, "123456789", 9) == 0xcbf43926, "CRC-32 of \"123456789\" is 0xcbf43926 (IEEE 802.3)");

	/* A synthetic VM: the file layer does not look inside the state. */
	snap.state.version = TVMM_STATE_VERSION;
	snap.state.size = sizeof(snap.state);
	snap.state.config.mode = TVMM_MODE_DEPRIVILEGED;
	snap.state.config.mem_size = RAM;
	snap.state.exits = 123;
	snap.state.rip = 0x10042;
	snap.ram = malloc(RAM);
	for (i = 0; i < RAM; i++)
		snap.ram[i] = (unsigned char)(i * 7 + (i >> 12));
	strcpy(snap.hdr.name, "minios.bin");
	ok(!snap_write(TMP "/good.snap", &snap), "snap_write writes a snapshot");
	status = snap_read(TMP "/good.snap", &back);
	ok(!status && !memcmp(&back.state, &snap.state, sizeof(snap.state)) &&
	   !memcmp(back.ram, snap.ram, RAM) && !strcmp(back.hdr.name, "minios.bin") &&
	   back.hdr.exits == 123 && back.hdr.ram_size == RAM,
	   "snap_read gives back the state, the RAM, the name and the exit count");
	free(back.ram);

	/* The name field: NUL-padded, full with no NUL for a 16-character name. */
	snap_set_name(snap.hdr.name, "memwrite_big.bin");
	ok(!memcmp(snap.hdr.name, "memwrite_big.bin", SNAP_NAME_MAX),
	   "snap_set_name keeps a 16-character name whole (no byte lost to a NUL)");
	snap_set_name(snap.hdr.name, "a_name_longer_than_16.bin");
	ok(!memcmp(snap.hdr.name, "a_name_longer_th", SNAP_NAME_MAX),
	   "snap_set_name cuts a longer name at 16 bytes");
	snap_set_name(snap.hdr.name, "hi");
	ok(!memcmp(snap.hdr.name, "hi\0\0\0\0\0\0\0\0\0\0\0\0\0\0", SNAP_NAME_MAX),
	   "snap_set_name pads a short name with NULs (no old bytes left)");
	strcpy(snap.hdr.name, "minios.bin");

	good = slurp(TMP "/good.snap", &len);
	ok(good && len == sizeof(struct snap_header) + sizeof(struct tvmm_vm_state) + RAM,
	   "the file is header + state + RAM, nothing else (%zu bytes)", len);
	if (!good)
		return done_testing();
	status = restore(TMP "/good.snap");
	ok(status == TVMM_EXIT_NO_MODULE || status == TVMM_EXIT_NO_VTX,
	   "a good file passes the checks and goes on to the device (status %d: none here)",
	   status);
	bad = malloc(len);

	memcpy(bad, good, len);
	v32 = 2;
	rewrite(bad, len, offsetof(struct snap_header, format_version), &v32, 4, true);
	spit(TMP "/v2.snap", bad, len);
	check_refused(TMP "/v2.snap", "format version 2", "another format version: refused, named");

	memcpy(bad, good, len);
	v32 = TVMM_STATE_VERSION + 1;
	rewrite(bad, len, offsetof(struct snap_header, state_version), &v32, 4, true);
	spit(TMP "/state.snap", bad, len);
	check_refused(TMP "/state.snap", "VM state version", "another kernel state version: refused, named");

	spit(TMP "/cut.snap", good, len - RAM / 2);
	check_refused(TMP "/cut.snap", "truncated", "truncated in the RAM: refused, says truncated");
	spit(TMP "/cut-header.snap", good, 40);
	check_refused(TMP "/cut-header.snap", "truncated", "truncated in the header: refused");
	spit(TMP "/cut-state.snap", good, sizeof(struct snap_header) + 100);
	check_refused(TMP "/cut-state.snap", "into the VM state", "truncated in the state: refused, says where");

	memcpy(bad, good, len);
	bad[len - 1000] ^= 0x01;
	spit(TMP "/flip-ram.snap", bad, len);
	check_refused(TMP "/flip-ram.snap", "corrupted", "one bit flipped in the RAM: refused (CRC)");
	memcpy(bad, good, len);
	bad[sizeof(struct snap_header) + offsetof(struct tvmm_vm_state, rip)] ^= 0x80;
	spit(TMP "/flip-state.snap", bad, len);
	check_refused(TMP "/flip-state.snap", "corrupted", "one bit flipped in the state's RIP: refused (CRC)");
	memcpy(bad, good, len);
	bad[offsetof(struct snap_header, name)] ^= 0x20;
	spit(TMP "/flip-name.snap", bad, len);
	check_refused(TMP "/flip-name.snap", "corrupted", "one bit flipped in the header's name: refused (CRC)");

	/* RAM size: the header's and the VM config's disagree, CRC made right. */
	memcpy(bad, good, len);
	v64 = 2 * RAM;
	rewrite(bad, len, sizeof(struct snap_header) +
		offsetof(struct tvmm_vm_state, config.mem_size), &v64, 8, true);
	spit(TMP "/ram.snap", bad, len);
	check_refused(TMP "/ram.snap", "do not belong together",
		      "RAM size of the header differs from the VM's: refused");
	memcpy(bad, good, len);
	v64 = RAM + 100;
	rewrite(bad, len, offsetof(struct snap_header, ram_size), &v64, 8, true);
	spit(TMP "/ram-odd.snap", bad, len);
	check_refused(TMP "/ram-odd.snap", "multiple of 4 KiB", "a RAM size no VM has: refused");
	memcpy(bad, good, len);
	v64 = RAM / 2;
	rewrite(bad, len, offsetof(struct snap_header, ram_size), &v64, 8, true);
	spit(TMP "/ram-small.snap", bad, len);
	check_refused(TMP "/ram-small.snap", "more than its header says",
		      "a header promising less RAM than the file has: refused");

	memcpy(bad, good, len);
	bad[0] = 'X';
	spit(TMP "/magic.snap", bad, len);
	check_refused(TMP "/magic.snap", "not a tvmm snapshot", "no magic: not a snapshot");
	check_refused(TMP "/none.snap", "cannot open", "a missing file: refused");

	free(good);
	free(bad);
	free(snap.ram);
	if (!getenv("KEEP_TMP"))
		(void)system("rm -rf " TMP);
	return done_testing();
}
