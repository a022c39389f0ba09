// SPDX-License-Identifier: GPL-2.0
/*
 * dot_seq.c - `tvmm dot --sequence`: the trace as a sequence diagram.
 *
 * Concept: the notes' picture of trap-and-emulate. Four lifelines, guest
 * app (ring 3), guest kernel (ring 0/1), tvmm (VMX root) and the Linux
 * host; each exit is an arrow into tvmm from whoever caused it ("trap:
 * out", or a host interrupt), then an arrow out of tvmm saying what tvmm
 * did: emulate and resume, reflect to the guest kernel's handler, inject
 * the virtual timer interrupt, or end the VM.
 * Layout in plain `dot`: one rank (row) per arrow, one invisible point
 * per lifeline and row, the lifelines as dashed edges down each column.
 * An arrow that crosses a column is drawn as segments through its point,
 * so it stays straight. A run of identical exits is one step "×N"; at
 * most --max steps are kept, the rest is counted and summarized.
 * Context: userspace; memory O(--max).
 */
#include <stdlib.h>
#include <string.h>

#include "dot.h"

/* A run of identical consecutive exits, drawn as one trap + one action. */
struct seq_step {
	unsigned long long first, last, count;	/* seq numbers, exits */
	struct dot_exit x;			/* the first of them */
};

struct dot_seq {
	struct seq_step *steps;
	unsigned long long nsteps, max;
	/* what does not fit: counted, collapsed the same way */
	unsigned long long more_steps, more_exits, more_first, more_last;
	struct dot_exit more_x;
	unsigned int kernel_rings;	/* bit n: the guest kernel ran at ring n */
};

static bool same_step(const struct dot_exit *a, const struct dot_exit *b)
{
	return a->code == b->code && a->action == b->action &&
	       a->from == b->from && a->to == b->to &&
	       !strcmp(a->what, b->what) && !strcmp(a->reason, b->reason);
}

static void *seq_open(const struct dot_opts *o)
{
	struct dot_seq *s = calloc(1, sizeof(*s));

	if (!s)
		return NULL;
	s->max = o->max;
	s->steps = calloc(o->max, sizeof(*s->steps));
	if (!s->steps) {
		free(s);
		return NULL;
	}
	return s;
}

static int seq_add(void *d, const struct dot_exit *x)
{
	struct dot_seq *s = d;
	struct seq_step *st;

	if (x->cpl < 3)
		s->kernel_rings |= 1U << x->cpl;
	if (!s->more_exits && s->nsteps &&
	    same_step(&s->steps[s->nsteps - 1].x, x)) {
		st = &s->steps[s->nsteps - 1];
		st->last = x->seq;
		st->count++;
		return 0;
	}
	if (!s->more_exits && s->nsteps < s->max) {
		st = &s->steps[s->nsteps++];
		st->first = st->last = x->seq;
		st->count = 1;
		st->x = *x;
		return 0;
	}
	if (!s->more_exits++)
		s->more_first = x->seq;
	s->more_last = x->seq;
	if (s->more_steps == 0 || !same_step(&s->more_x, x)) {
		s->more_steps++;
		s->more_x = *x;
	}
	return 0;
}

static const char *const lane_names[NR_LANES] = {
	"guest app", "guest kernel", "tvmm", "Linux host",
};
static const char *const lane_fills[NR_LANES] = {
	"#fff4c2", "#dce8f7", "#d9f0dd", "#ececec",
};

/* "ring 1", "ring 0", "ring 0/1" */
static void kernel_ring(unsigned int rings, char *buf, size_t size)
{
	unsigned int n, len = 0;

	if (!rings)
		rings = 0x3;
	buf[0] = '\0';
	for (n = 0; n < 3; n++)
		if (rings & (1U << n))
			len += snprintf(buf + len, size - len, "%s%u",
					len ? "/" : "ring ", n);
}

/* The participant boxes, at the top (@p = 'h') and the bottom ('f'). */
static void participants(FILE *out, const struct dot_seq *s, char p)
{
	char label[64], ring[16];
	unsigned int l;

	fprintf(out, "\t{ rank=same; %cs [group=s, shape=plaintext, style=solid, label=\"%s\"];\n",
		p, p == 'h' ? "seq  exit" : "");
	kernel_ring(s->kernel_rings, ring, sizeof(ring));
	for (l = 0; l < NR_LANES; l++) {
		if (l == LANE_APP)
			snprintf(label, sizeof(label), "%s\n(ring 3)", lane_names[l]);
		else if (l == LANE_KERNEL)
			snprintf(label, sizeof(label), "%s\n(%s)", lane_names[l], ring);
		else if (l == LANE_TVMM)
			snprintf(label, sizeof(label), "%s\n(VMX root)", lane_names[l]);
		else
			snprintf(label, sizeof(label), "%s", lane_names[l]);
		fprintf(out, "\t\t%c%u [group=l%u, shape=box, style=\"rounded,filled\", fontsize=11, fontcolor=black, width=1.6, fillcolor=\"%s\", label=",
			p, l, l, lane_fills[l]);
		dot_str(out, label);
		fputs("];\n", out);
	}
	fprintf(out, "\t}\n\t%cs -> %c0 -> %c1 -> %c2 -> %c3 [style=invis];\n",
		p, p, p, p, p);
}

/* One row: the seq column's text and a point on each lifeline. */
static void row(FILE *out, unsigned long long r, const char *text)
{
	unsigned int l;

	fprintf(out, "\t{ rank=same; s%llu [group=s, shape=plaintext, style=solid, label=", r);
	dot_str(out, text);
	fputs("];", out);
	for (l = 0; l < NR_LANES; l++)
		fprintf(out, " n%u_%llu [group=l%u];", l, r, l);
	fputs(" }\n", out);
}

/*
 * An arrow on row @r from lifeline @from to @to: one segment per pair of
 * neighbouring columns, left to right (dir=back points it leftwards), the
 * label on the segment that leaves @from, the head on the one reaching @to.
 */
static void arrow(FILE *out, unsigned long long r, enum dot_lane from,
		  enum dot_lane to, const char *label, const char *color,
		  bool bold)
{
	enum dot_lane lo = from < to ? from : to, hi = from < to ? to : from;
	unsigned int l;

	for (l = lo; l < hi; l++) {
		bool head = from < to ? l + 1 == to : l == to;
		bool tail = from < to ? l == from : l + 1 == from;

		fprintf(out, "\tn%u_%llu -> n%u_%llu [dir=%s, color=\"%s\"",
			l, r, l + 1, r,
			!head ? "none" : from < to ? "forward" : "back", color);
		if (bold)
			fputs(", penwidth=2", out);
		if (tail) {
			fprintf(out, ", fontcolor=\"%s\", label=", color);
			dot_str(out, label);
		}
		fputs("];\n", out);
	}
}

/* A lifeline: the column @name from its header down to its footer. */
static void lifeline(FILE *out, const char *head, const char *node,
		     const char *foot, unsigned long long rows, const char *style)
{
	unsigned long long r;

	fprintf(out, "\t%s", head);
	for (r = 0; r < rows; r++)
		fprintf(out, "%s -> %s%llu", r % 8 ? "" : "\n\t\t", node, r);
	fprintf(out, "\n\t\t-> %s [%s];\n", foot, style);
}

static void seq_write(void *d, FILE *out, const struct dot_summary *sum)
{
	const struct dot_seq *s = d;
	char title[512], label[96], text[96];
	unsigned long long i, rows = 2 * s->nsteps;
	unsigned int l;
	int n;

	n = snprintf(title, sizeof(title),
		     "tvmm trace %s: %llu exits%s, seq %llu-%llu; %llu steps shown (runs of identical exits as one step \xc3\x97N)",
		     sum->name, sum->selected, sum->ranged ? " selected" : "",
		     sum->first, sum->last, s->nsteps);
	if (sum->missing)
		snprintf(title + n, sizeof(title) - n,
			 "\n%llu records missing (gaps in seq: the module dropped them)",
			 sum->missing);
	dot_begin(out, "sequence", title);
	fputs("\tgraph [nodesep=0.25, ranksep=0.18, splines=line, outputorder=edgesfirst];\n", out);
	fputs("\tnode [shape=point, style=invis, width=0.01, height=0.01, label=\"\"];\n", out);
	fputs("\tnode [fontsize=9, fontcolor=\"#555555\"];\n", out);
	fputs("\tedge [arrowsize=0.7];\n", out);
	participants(out, s, 'h');

	for (i = 0; i < s->nsteps; i++) {
		const struct seq_step *st = &s->steps[i];
		const struct dot_exit *x = &st->x;

		if (st->count > 1)
			snprintf(text, sizeof(text), "#%llu-%llu\n%s", st->first,
				 st->last, x->reason);
		else
			snprintf(text, sizeof(text), "#%llu\n%s", st->first, x->reason);
		row(out, 2 * i, text);
		row(out, 2 * i + 1, "");
		dot_trap_label(x, label, sizeof(label));
		if (st->count > 1) {
			n = strlen(label);
			snprintf(label + n, sizeof(label) - n, " \xc3\x97%llu", st->count);
		}
		arrow(out, 2 * i, x->from, LANE_TVMM, label,
		      x->from == LANE_HOST ? "#6a3d9a" : "#000000", false);
		dot_action_label(x, label, sizeof(label));
		arrow(out, 2 * i + 1, LANE_TVMM, x->to, label,
		      dot_action_color(x->action),
		      x->action == TVMM_ACTION_REFLECTED ||
		      x->action == TVMM_ACTION_INJECTED);
	}

	participants(out, s, 'f');
	fputs("\t// the lifelines\n", out);
	lifeline(out, "hs", "s", "fs", rows, "style=invis, weight=100");
	for (l = 0; l < NR_LANES; l++) {
		char head[8], node[8], foot[8];

		snprintf(head, sizeof(head), "h%u", l);
		snprintf(node, sizeof(node), "n%u_", l);
		snprintf(foot, sizeof(foot), "f%u", l);
		lifeline(out, head, node, foot, rows,
			 l == LANE_TVMM ?
			 "arrowhead=none, style=dashed, weight=100, color=\"#23813a\"" :
			 "arrowhead=none, style=dashed, weight=100, color=\"#999999\"");
	}

	if (s->more_exits) {
		snprintf(title, sizeof(title),
			 "... and %llu more exit%s (seq %llu-%llu) in %llu more step%s, not drawn:\nsee them with --from %llu, or draw more with --max N",
			 s->more_exits, s->more_exits == 1 ? "" : "s",
			 s->more_first, s->more_last, s->more_steps,
			 s->more_steps == 1 ? "" : "s", s->more_first);
		fputs("\tmore [shape=note, fontsize=10, style=filled, fillcolor=\"#fffbe6\", label=", out);
		dot_str(out, title);
		fputs("];\n\tfs -> more [style=invis];\n", out);
	}
	fputs("}\n", out);
}

static void seq_close(void *d)
{
	struct dot_seq *s = d;

	free(s->steps);
	free(s);
}

const struct dot_kind dot_sequence = {
	.name = "sequence",
	.open = seq_open,
	.add = seq_add,
	.write = seq_write,
	.close = seq_close,
};
