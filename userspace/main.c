// SPDX-License-Identifier: GPL-2.0
/*
 * main.c - the tvmm command: global options and subcommand dispatch.
 *
 * Concept: the management interface of tvmm ("gestione delle VM": create,
 * configure, monitor). Each subcommand lives in its own file and is one
 * row of the table below.
 * Context: userspace; a static binary, so it runs in the lab VM's busybox
 * initramfs with no libraries.
 */
#include <getopt.h>
#include <stdlib.h>
#include <string.h>

#include "cli.h"

struct subcommand {
	const char *name;
	int (*run)(int argc, char **argv);	/* argv[0] is the name */
	const char *summary;
};

static const struct subcommand subcommands[] = {
	{ "caps", cmd_caps, "what this CPU and tvmm support" },
	{ "run", cmd_run, "run a guest image, print its console, trace its exits" },
	{ "consolidate", cmd_consolidate, "run several guests at once, a VM and a thread each" },
	{ "top", cmd_top, "every live VM: exits/s, guest/tvmm/host time, RAM" },
	{ "migrate", cmd_migrate, "move a running VM: to another CPU (vmN --cpu B) or process (--live)" },
	{ "restore", cmd_restore, "continue a VM saved by run --snapshot, in a new VM" },
	{ "emulate", cmd_emulate, "run a guest image on a software CPU: no VT-x, no module" },
	{ "stats", cmd_stats, "per-reason exit counts and cycles of a trace" },
	{ "trace", cmd_trace, "stream the exits of running VMs (tracepoint)" },
	{ "dot", cmd_dot, "draw a trace: sequence diagram, exit graph, rings" },
	{ "convert", cmd_convert, "a trace from JSON Lines to binary, or back" },
	{ "compare", cmd_compare, "run the mini-OS in every technique, compare exits (lab09)" },
	{ "sensitive", cmd_sensitive, "x86 sensitive instructions at ring 3, no VMM (lab 00)" },
};

/*
 * Announced in the design and coming with later labs: named here so that
 * `tvmm run` says "not yet" instead of "unknown command".
 */
static const struct subcommand coming[] = {
	{ NULL, NULL, NULL },	/* nothing left: every command is here */
};

#define ARRAY_SIZE(a)	(sizeof(a) / sizeof((a)[0]))

static void usage(FILE *out)
{
	size_t i;

	fprintf(out,
		"usage: %s [--help] [--version] COMMAND [ARGS]\n"
		"\n"
		"tvmm, a teaching VMM: Intel VT-x from a Linux kernel module.\n"
		"\n"
		"Commands:\n", tvmm_prog);
	for (i = 0; i < ARRAY_SIZE(subcommands); i++)
		fprintf(out, "  %-11s %s\n", subcommands[i].name,
			subcommands[i].summary);
	for (i = 0; i < ARRAY_SIZE(coming) && coming[i].name; i++)
		fprintf(out, "%s  %-9s %s\n", i ? "" : "\nComing in later labs:\n",
			coming[i].name, coming[i].summary);
	fprintf(out,
		"\n"
		"Run '%s COMMAND --help' for a command's options, 'man tvmm' for\n"
		"details and exit statuses. Without VT-x, use the lab VM: on the\n"
		"host, 'make labvm-shell' or 'make demo'.\n", tvmm_prog);
}

int main(int argc, char **argv)
{
	static const struct option opts[] = {
		{ "help", no_argument, NULL, 'h' },
		{ "version", no_argument, NULL, 'V' },
		{ NULL, 0, NULL, 0 }
	};
	size_t i;
	int c;

	/* "+": stop at the first non-option, the subcommand's name. */
	while ((c = getopt_long(argc, argv, "+hV", opts, NULL)) != -1) {
		switch (c) {
		case 'h':
			usage(stdout);
			return TVMM_EXIT_OK;
		case 'V':
			printf("tvmm %s (API version %d)\n", TVMM_TOOL_VERSION,
			       TVMM_API_VERSION);
			return TVMM_EXIT_OK;
		default:
			usage(stderr);
			return TVMM_EXIT_USAGE;
		}
	}
	if (optind >= argc) {
		usage(stderr);
		return TVMM_EXIT_USAGE;
	}

	argc -= optind;
	argv += optind;
	for (i = 0; i < ARRAY_SIZE(subcommands); i++)
		if (!strcmp(argv[0], subcommands[i].name))
			return subcommands[i].run(argc, argv);
	for (i = 0; i < ARRAY_SIZE(coming) && coming[i].name; i++) {
		if (!strcmp(argv[0], coming[i].name)) {
			print_error("'%s' is not implemented yet: it comes with a later lab. Available now: caps, run, stats, trace, dot, compare.",
				argv[0]);
			return TVMM_EXIT_USAGE;
		}
	}
	print_error("unknown command '%s'; see '%s --help'.", argv[0], tvmm_prog);
	return TVMM_EXIT_USAGE;
}
