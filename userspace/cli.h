/* SPDX-License-Identifier: GPL-2.0 */
/*
 * cli.h - what the files of the tvmm tool share, grouped by the file that
 * defines them (as the module's tvmm.h does).
 *
 * Concept: the management side of a type-2 VMM ("gestione": create,
 * configure, monitor). The tool is to tvmm.ko what a KVM front end is to
 * /dev/kvm: it opens the device, asks, and prints.
 * Context: an ordinary process; root for anything that opens /dev/tvmm.
 */
#ifndef TVMM_CLI_H
#define TVMM_CLI_H

#include <stdbool.h>
#include <stdio.h>

#include <tvmm.h>		/* the ABI: module/include/uapi/tvmm.h */

#define TVMM_TOOL_VERSION	"0.1"

/*
 * Exit statuses, one per kind of failure, so scripts and autograders can
 * tell them apart. Documented in tvmm.1 (EXIT STATUS); never renumber.
 * 4 is also the kselftest "skip" code: no VT-x here means "skip".
 */
enum tvmm_exit {
	TVMM_EXIT_OK		= 0,
	TVMM_EXIT_FAILURE	= 1,	/* unexpected error (ioctl, output) */
	TVMM_EXIT_USAGE		= 2,	/* bad command line */
	TVMM_EXIT_NO_MODULE	= 3,	/* no /dev/tvmm: tvmm.ko not loaded */
	TVMM_EXIT_NO_VTX	= 4,	/* no /dev/tvmm and no VT-x here */
	TVMM_EXIT_PERM		= 5,	/* /dev/tvmm is root only */
	TVMM_EXIT_DEVICE	= 6,	/* module loaded, VT-x unusable/busy */
	TVMM_EXIT_API		= 7,	/* module and tool ABI versions differ */
};

/* msg.c: the program name for messages, and the error printer. */
extern const char *tvmm_prog;
void print_error(const char *fmt, ...) __attribute__((format(printf, 1, 2)));

/* dev.c: open /dev/tvmm and check its API version. */
int dev_open(int *fd);
int dev_error(const char *what, int err);
const char *dev_path(void);

/* caps.c: `tvmm caps`. */
int cmd_caps(int argc, char **argv);
void caps_print_json(FILE *out, const struct tvmm_caps *caps);
void caps_print_raw(FILE *out, const struct tvmm_caps *caps);

#endif /* TVMM_CLI_H */
