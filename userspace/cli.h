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
	TVMM_EXIT_INPUT		= 8,	/* input file missing, empty, too big, malformed */
	TVMM_EXIT_NO_TRACEFS	= 9,	/* no tracefs, or no tvmm:tvmm_exit event */

	/*
	 * `tvmm run`: how the guest ended. A guest that ends with the exit
	 * hypercall chooses its status (EBX), passed through up to
	 * TVMM_EXIT_GUEST_MAX and clamped there; HLT is status 0. The codes
	 * from 110 on are the ways a VM dies, out of the guest's range.
	 */
	TVMM_EXIT_GUEST_MAX	= 100,	/* guest status 100 or more */
	TVMM_EXIT_TRIPLE_FAULT	= 110,	/* the guest triple-faulted */
	TVMM_EXIT_EPT_VIOLATION	= 111,	/* access outside guest RAM */
	TVMM_EXIT_MAX_EXITS	= 112,	/* --max-exits reached */
	TVMM_EXIT_ENTRY_FAILED	= 113,	/* VM entry failed (invalid guest state...) */
	TVMM_EXIT_UNHANDLED	= 114,	/* an exit tvmm has no handler for */
	TVMM_EXIT_BAD_IO	= 115,	/* I/O to a port the policy refuses */
	TVMM_EXIT_INTERNAL	= 116,	/* a VMX instruction failed inside tvmm */
	TVMM_EXIT_UNKNOWN_END	= 117,	/* an end reason this tool does not know */
	TVMM_EXIT_TODO		= 118,	/* a lab's TODO is still a stub */
	TVMM_EXIT_BAD_MMIO	= 119,	/* a device (MMIO) access tvmm cannot emulate */
	TVMM_EXIT_EMU_SUBSET	= 120,	/* `tvmm emulate`: outside the emulated subset */
	TVMM_EXIT_SIGNAL	= 130,	/* interrupted (SIGINT/SIGTERM), as shells say */
};

/* msg.c: the program name for messages, and the error printer. */
extern const char *tvmm_prog;
void print_error(const char *fmt, ...) __attribute__((format(printf, 1, 2)));
/* A lab stub of the tool ran: name its TODO (once). */
void lab_todo(const char *todo, const char *what);

/* Open a trace file or "-" for stdin; NULL after printing why not. */
FILE *open_trace(const char *cmd, const char **path);

/* dev.c: open /dev/tvmm and check its API version. */
int dev_open(int *fd);
int dev_error(const char *what, int err);
const char *dev_path(void);

/* size.c: "2M", "512K", "4096" -> bytes; 0 or -1 if malformed/overflows. */
int parse_size(const char *s, unsigned long long *bytes);
int parse_count(const char *s, unsigned long long *n);

/* caps.c: `tvmm caps`. */
int cmd_caps(int argc, char **argv);
void caps_print_json(FILE *out, const struct tvmm_caps *caps);
void caps_print_raw(FILE *out, const struct tvmm_caps *caps);

/* run.c: `tvmm run`. */
int cmd_run(int argc, char **argv);
/* The exit status for how a run ended (enum tvmm_end, guest status). */
int run_exit_status(unsigned int end, unsigned int guest_status);
/* --mem and --timer of run and emulate: 0, or -1 after printing why. */
int parse_mem_option(const char *cmd, const char *arg, unsigned long long *bytes);
int parse_timer_option(const char *cmd, const char *arg, unsigned long long *ticks);
/* Read a guest image for @cmd, room checked against RAM @mem loaded at @load. */
int image_read(const char *cmd, const char *path, unsigned long long mem,
	       unsigned long long load, void **image, size_t *size);
/* How a VM ended (run->end, end_info, exit_status), in a few words: "hlt". */
void run_describe_end(const struct tvmm_run *run, unsigned long long max_exits,
		      char *out, size_t size);
/* "io 4, hlt 1": the exit reasons of @stats by count, most first. */
void run_format_counts(const struct tvmm_stats *stats, char *out, size_t size);
/* Short lowercase label of an exit reason for the summary: "io", "hlt". */
const char *run_reason_label(unsigned int reason, char *buf, size_t size);
/* One run kept in memory (`tvmm compare`): see run_capture() in run.c. */
struct run_capture {
	void (*on_record)(void *arg, const struct tvmm_exit_record *rec);
	void *arg;
	char *console;			/* malloc'd, not NUL-terminated; caller frees */
	size_t console_len, console_cap;
	bool ended;			/* the VM ended: the fields below are set */
	unsigned int end;		/* enum tvmm_end */
	unsigned int guest_status;	/* the exit hypercall's status */
	int status;			/* what `tvmm run` would exit with */
	char how[96];			/* "hlt", "hypercall exit(42)" */
	struct tvmm_stats stats;	/* TVMM_GET_STATS at the end */
};
int run_capture(const char *image_path, unsigned int mode, struct run_capture *cap);

/* consolidate.c, top.c, migrate_cpu.c: many VMs, watched, moved between CPUs. */
int cmd_consolidate(int argc, char **argv);
int cmd_top(int argc, char **argv);
int cmd_migrate(int argc, char **argv);

/* snapshot.c: `tvmm restore` (and the save of `tvmm run --snapshot`, run.h). */
int cmd_restore(int argc, char **argv);

/* emulate.c: `tvmm emulate`, the guest on a software CPU (emu/). */
int cmd_emulate(int argc, char **argv);
/*
 * Emulate @image_path with the default RAM and timer, as run_capture()
 * runs it (records to cap->on_record, console to cap->console, the end
 * in cap); *insns gets the instructions interpreted, *seconds the host
 * time they took. Return: 0 once the guest ended, else an exit status.
 */
int emulate_capture(const char *image_path, struct run_capture *cap,
		    unsigned long long *insns, double *seconds);

/* compare.c: `tvmm compare`. */
int cmd_compare(int argc, char **argv);

/* stats.c: `tvmm stats`, and the aggregation the host tests check. */
#define STATS_MAX_REASONS	128
#define STATS_MMIO_ROWS		6	/* tvmm-dev's 5 registers, then "other" */
struct stats_row {
	char name[32];			/* KVM name, "IO_INSTRUCTION" */
	int code;			/* basic exit reason, -1 if unknown */
	unsigned long long samples;
	unsigned long long ticks, min_ticks, max_ticks;
};
struct trace_stats {
	struct stats_row rows[STATS_MAX_REASONS];
	unsigned int nrows;
	unsigned long long samples, ticks;
	unsigned long long missing;	/* records absent by their seq numbers */
	bool have_seq;
	unsigned long long next_seq;
	/* tvmm-dev accesses ("mmio" key), by register; the last row: no register. */
	unsigned long long mmio_reads[STATS_MMIO_ROWS], mmio_writes[STATS_MMIO_ROWS];
	unsigned long long mmio_fatal;	/* device-page EPT exits that ended the VM */
};
void stats_init(struct trace_stats *st);
/* Add the trace @in (named @name in errors); 0 or an exit status. */
int stats_read(FILE *in, const char *name, struct trace_stats *st);
/* Read a whole trace (tracefile.h) with @rd, printing any error; 0 or an exit status. */
struct trace_reader;
int trace_read_file(FILE *in, const char *name, const struct trace_reader *rd);
void stats_sort(struct trace_stats *st);
void stats_print_text(FILE *out, const char *name, const struct trace_stats *st);
void stats_print_json(FILE *out, const char *name, const struct trace_stats *st);
int cmd_stats(int argc, char **argv);

/* trace.c: `tvmm trace`, and its parser of ftrace lines. */
#define TRACE_MAX_FIELDS	16
struct trace_line {
	char comm[32];
	int pid, cpu;
	char timestamp[32];		/* as ftrace prints it, "1234.567890" */
	unsigned int nfields;
	struct {
		char key[32];		/* kvm_exit's name: "exit_reason", "guest_rip" */
		char value[64];
	} fields[TRACE_MAX_FIELDS];
};
int trace_parse_line(const char *line, struct trace_line *tl);
void trace_print_line(FILE *out, const struct trace_line *tl, bool json);
int cmd_trace(int argc, char **argv);

/* dot.c: `tvmm dot` (the drawings are dot_seq.c, dot_graph.c, dot_rings.c). */
int cmd_dot(int argc, char **argv);

/* convert.c: `tvmm convert`, a trace between JSON Lines and binary. */
int cmd_convert(int argc, char **argv);

/* sensitive.c: x86 sensitive instructions at ring 3, no VMM (lab 00). */
int cmd_sensitive(int argc, char **argv);

#endif /* TVMM_CLI_H */
