/* SPDX-License-Identifier: GPL-2.0 */
/*
 * dot.h - what the files of `tvmm dot` share: one exit as the drawings see
 * it, the three drawings, and the DOT writing helpers (dot.c).
 *
 * Concept: the notes draw a de-privileged guest as lifelines (guest app,
 * guest kernel, VMM, host) with trap, emulate, reflect and inject arrows
 * between them, and as rings (3 outside, the VMM in VMX root mode inside).
 * `tvmm dot` draws those pictures from a real trace, in Graphviz's DOT.
 * Context: userspace. Each drawing keeps O(1) memory in the number of
 * records (the sequence keeps only the --max steps it draws).
 */
#ifndef TVMM_DOT_H
#define TVMM_DOT_H

#include <stdio.h>

#include "jsonl.h"

/* The lifelines of the sequence diagram, left to right. */
enum dot_lane {
	LANE_APP,		/* guest app, ring 3 */
	LANE_KERNEL,		/* guest kernel, ring 0/1 */
	LANE_TVMM,		/* tvmm in VMX root mode */
	LANE_HOST,		/* the Linux host */
	NR_LANES
};

/* The trace's actions are TVMM_ACTION_*; this one is "absent or unknown". */
#define DOT_ACTION_UNKNOWN	(TVMM_ACTION_PATCHED + 1)
#define DOT_NR_ACTIONS		(DOT_ACTION_UNKNOWN + 1)

/* One exit of the trace, classified once by dot.c for every drawing. */
struct dot_exit {
	unsigned long long seq;		/* the record's seq, or its index */
	unsigned long long cycles;
	int code;			/* basic exit reason, -1 if unknown */
	char reason[32];		/* "EXCEPTION_NMI" */
	unsigned int action;		/* TVMM_ACTION_*, DOT_ACTION_UNKNOWN */
	unsigned int cpl;		/* the ring the guest was in */
	enum dot_lane from;		/* who caused the exit */
	enum dot_lane to;		/* who runs after it */
	char what[32];			/* the instruction: "int 0x80", "out"; or "" */
};

struct dot_opts {
	unsigned long long from, to;	/* seq range, inclusive */
	unsigned long long max;		/* at most this many arrows */
};

/* What dot.c counted while reading, for titles and notes. */
struct dot_summary {
	const char *name;		/* the trace's file name, no directory */
	unsigned long long records;	/* all records in the file */
	unsigned long long selected;	/* records in --from/--to */
	unsigned long long first, last;	/* seq of the first/last selected */
	unsigned long long missing;	/* records absent by their seq numbers */
	bool ranged;			/* --from or --to given */
};

/* One drawing: open, add each selected exit in order, write, close. */
struct dot_kind {
	const char *name;		/* "sequence", "graph", "rings" */
	void *(*open)(const struct dot_opts *o);	/* NULL: no memory */
	int (*add)(void *d, const struct dot_exit *x);	/* -1: no memory */
	void (*write)(void *d, FILE *out, const struct dot_summary *sum);
	void (*close)(void *d);
};

extern const struct dot_kind dot_sequence;	/* dot_seq.c */
extern const struct dot_kind dot_graph;		/* dot_graph.c */
extern const struct dot_kind dot_rings;		/* dot_rings.c */

/* dot.c: the helpers the drawings write with. */

/* snprintf(dst, size, "%s", src), without printf's cost on every record. */
void dot_copy_str(char *dst, size_t size, const char *src);
/* @s as a DOT string, quotes included; '\n' in @s starts a new line. */
void dot_str(FILE *out, const char *s);
/* @s escaped for an HTML-like label (<TD>...</TD>). */
void dot_html(FILE *out, const char *s);
/* "emulated", ..., "?" */
const char *dot_action_name(unsigned int action);
/* Line and text colour of an action; a light fill of the same hue. */
const char *dot_action_color(unsigned int action);
const char *dot_action_fill(unsigned int action);
/* The common graph/node/edge defaults and the title. */
void dot_begin(FILE *out, const char *graph, const char *title);
/* "trap: out", "exit: PREEMPTION_TIMER", "EXTERNAL_INTERRUPT: Linux handles it" */
void dot_trap_label(const struct dot_exit *x, char *buf, size_t size);
/* "emulate, resume", "reflect → int 0x80 handler", "inject vector 0x20" */
void dot_action_label(const struct dot_exit *x, char *buf, size_t size);

/*
 * Output, for `tvmm dot` and `tvmm compare --chart`: is @path a name we
 * can write (OUT.dot/.gv, "-", or OUT.svg/.png with Graphviz on PATH)?
 * 0, or an exit status after saying why not (messages start with @cmd).
 */
int dot_check_output(const char *cmd, const char *path);
/* Write what @write writes to @path: as is, or rendered by `dot`. */
int dot_write_output(const char *path, void (*write)(void *arg, FILE *out),
		     void *arg);

#endif /* TVMM_DOT_H */
