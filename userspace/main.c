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
#include "migrate_live.h"

struct subcommand {
	const char *name;
	int (*run)(int argc, char **argv);	/* argv[0] is the name */
	const char *summary;
};

/* `tvmm migrate --live ...` (migrate_live.c); the only kind for now. */
static int cmd_migrate(int argc, char **argv)
{
	int i;

	for (i = 1; i < argc; i++)
		if (!strcmp(argv[i], "--live") || !strcmp(argv[i], "-h") ||
		    !strcmp(argv[i], "--help"))
			return migrate_live_main(argc, argv);
	print_error("migrate: say --live (pre-copy live migration to another tvmm process); see `%s migrate --live --help`.",
		    tvmm_prog);
	return TVMM_EXIT_USAGE;
}

static const struct subcommand subcommands[] = {
	{ "caps", cmd_caps, "what this CPU and tvmm support" },
	{ "run", cmd_run, "run a guest image, print its console, trace its exits" },
	{ "restore", cmd_restore, "continue a VM saved by run --snapshot, in a new VM" },
	{ "migrate", cmd_migrate, "send a running VM to another tvmm process (--live)" },
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
		fprintf(out, "  %-9s %s\n", subcommands[i].name,
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
