// SPDX-License-Identifier: GPL-2.0
/*
 * dot_rings.c - `tvmm dot --rings`: the protection rings, and where each
 * exit of the trace happened.
 *
 * Concept: de-privileging ("deprivilegiare il kernel ospite"). The notes
 * draw the rings as nested boxes: ring 3 (the guest's applications)
 * outside, the guest kernel moved from ring 0 to ring 1 inside it, and
 * inside everything VMX root mode ("ring -1"), where tvmm and the host
 * Linux run. This drawing is that picture with the trace's numbers: how
 * many exits each ring caused and of which kinds, what tvmm did about
 * them (emulated, reflected, injected, ignored, fatal), and how many host
 * interrupts arrived while the guest ran.
 * Context: userspace; memory O(1) in the number of records.
 */
#include <stdlib.h>
#include <string.h>

#include <tvmm/vmx_arch.h>

#include "dot.h"

#define RING_MAX_KINDS		32	/* kinds counted per ring, first seen */
#define RING_ROWS		10	/* rows drawn, most frequent; then "other" */

struct ring_kind {
	char label[40];			/* "int 0x80", "PREEMPTION_TIMER" */
	unsigned long long actions[DOT_NR_ACTIONS];
	unsigned long long count;
};

struct ring {
	struct ring_kind kinds[RING_MAX_KINDS];
	unsigned int nkinds;
	unsigned long long exits, other;	/* other: past RING_MAX_KINDS */
};

struct dot_rings {
	struct ring rings[4];
	unsigned long long actions[DOT_NR_ACTIONS];
	unsigned long long exits, cycles, host_irqs;
};

static void *rings_open(const struct dot_opts *o)
{
	(void)o;
	return calloc(1, sizeof(struct dot_rings));
}

static int rings_add(void *d, const struct dot_exit *x)
{
	struct dot_rings *rs = d;
	struct ring *r = &rs->rings[x->cpl & 3];
	unsigned int a = x->action < DOT_NR_ACTIONS ? x->action : DOT_ACTION_UNKNOWN;
	struct ring_kind *k = NULL;
	char label[40];
	unsigned int i;

	if (x->from == LANE_HOST)
		snprintf(label, sizeof(label), "%s (host)", x->reason);
	else	/* most exits: a copy, not a snprintf() per record */
		dot_copy_str(label, sizeof(label), x->what[0] ? x->what : x->reason);
	for (i = 0; i < r->nkinds && !k; i++)
		if (!strcmp(r->kinds[i].label, label))
			k = &r->kinds[i];
	if (!k && r->nkinds < RING_MAX_KINDS) {
		k = &r->kinds[r->nkinds++];
		memcpy(k->label, label, sizeof(k->label));
	}
	if (k) {
		k->count++;
		k->actions[a]++;
	} else {
		r->other++;
	}
	r->exits++;
	rs->actions[a]++;
	rs->exits++;
	rs->cycles += x->cycles;
	if (x->from == LANE_HOST)
		rs->host_irqs++;
	return 0;
}

static int kind_cmp(const void *a, const void *b)
{
	const struct ring_kind *x = a, *y = b;

	if (x->count != y->count)
		return x->count < y->count ? 1 : -1;
	return strcmp(x->label, y->label);
}

/* One table row: "out   173   emulated" (the actions in their colours). */
static void kind_row(FILE *out, const struct ring_kind *k)
{
	unsigned int a, kinds = 0;

	for (a = 0; a < DOT_NR_ACTIONS; a++)
		kinds += k->actions[a] != 0;
	fputs("<TR><TD ALIGN=\"LEFT\">", out);
	dot_html(out, k->label);
	fprintf(out, "</TD><TD ALIGN=\"RIGHT\">%llu</TD><TD ALIGN=\"LEFT\">", k->count);
	for (a = 0, kinds = kinds > 1; a < DOT_NR_ACTIONS; a++) {
		if (!k->actions[a])
			continue;
		fprintf(out, "<FONT COLOR=\"%s\">%s", dot_action_color(a),
			dot_action_name(a));
		if (kinds)
			fprintf(out, " %llu", k->actions[a]);
		fputs("</FONT> ", out);
	}
	fputs("</TD></TR>", out);
}

static const char *const ring_who[4] = {
	"guest kernel", "guest kernel", "guest kernel", "guest app",
};

/* A ring's node: its exits, by kind. */
static void ring_node(FILE *out, struct ring *r, unsigned int n)
{
	unsigned int i;

	qsort(r->kinds, r->nkinds, sizeof(r->kinds[0]), kind_cmp);
	fprintf(out, "\t\tr%u [shape=plaintext, label=<<TABLE BORDER=\"1\" COLOR=\"#999999\" BGCOLOR=\"white\" CELLBORDER=\"0\" CELLSPACING=\"0\" CELLPADDING=\"3\">", n);
	fprintf(out, "<TR><TD COLSPAN=\"3\"><B>%s: %llu exit%s</B></TD></TR>",
		ring_who[n], r->exits, r->exits == 1 ? "" : "s");
	for (i = 0; i < r->nkinds; i++) {
		if (i < RING_ROWS)
			kind_row(out, &r->kinds[i]);
		else
			r->other += r->kinds[i].count;
	}
	if (r->other)
		fprintf(out, "<TR><TD ALIGN=\"LEFT\">other kinds</TD><TD ALIGN=\"RIGHT\">%llu</TD><TD></TD></TR>",
			r->other);
	fputs("</TABLE>>];\n", out);
}

static const char *const action_meaning[DOT_NR_ACTIONS] = {
	"did the instruction's work, resumed the guest",
	"sent it to the guest kernel's own handler",
	"delivered the virtual timer interrupt",
	"nothing to do (host interrupt, timer): resumed",
	"ended the VM",
	"no action recorded",
};

static void tvmm_node(FILE *out, const struct dot_rings *rs)
{
	unsigned int a;

	fputs("\t\t\ttvmm [shape=plaintext, label=<<TABLE BORDER=\"1\" COLOR=\"#23813a\" BGCOLOR=\"white\" CELLBORDER=\"0\" CELLSPACING=\"0\" CELLPADDING=\"3\">", out);
	fprintf(out, "<TR><TD COLSPAN=\"3\"><B>tvmm.ko: %llu exits handled</B> (%llu TSC ticks)</TD></TR>",
		rs->exits, rs->cycles);
	for (a = 0; a < DOT_NR_ACTIONS; a++) {
		if (!rs->actions[a])
			continue;
		fprintf(out, "<TR><TD ALIGN=\"LEFT\"><FONT COLOR=\"%s\">%s</FONT></TD><TD ALIGN=\"RIGHT\">%llu</TD><TD ALIGN=\"LEFT\">%s</TD></TR>",
			dot_action_color(a), dot_action_name(a), rs->actions[a],
			action_meaning[a]);
	}
	fputs("</TABLE>>];\n", out);
}

static void rings_write(void *d, FILE *out, const struct dot_summary *sum)
{
	struct dot_rings *rs = d;
	static const char *const fills[4] = {
		"#c9ddf2", "#dce8f7", "#e8eef8", "#fff4c2",
	};
	unsigned int n, depth = 0, shown = 0, kernel = 1;
	unsigned long long most = 0;
	char title[512];
	int len;

	/* Ring 3 always; the guest kernel's rings where it ran (or ring 0). */
	shown = 1U << 3;
	for (n = 0; n < 3; n++) {
		if (!rs->rings[n].exits)
			continue;
		shown |= 1U << n;
		if (rs->rings[n].exits > most) {
			most = rs->rings[n].exits;
			kernel = n;
		}
	}
	if (!(shown & 0x7)) {
		shown |= 1U << 1;
		kernel = 1;
	}

	len = snprintf(title, sizeof(title),
		       "tvmm trace %s: the rings and their %llu exits%s (seq %llu-%llu)",
		       sum->name, sum->selected, sum->ranged ? " selected" : "",
		       sum->first, sum->last);
	if (sum->missing)
		snprintf(title + len, sizeof(title) - len,
			 "\n%llu records missing (gaps in seq)", sum->missing);
	dot_begin(out, "rings", title);
	fputs("\tgraph [compound=true, nodesep=0.5, ranksep=0.35, style=\"rounded,filled\", penwidth=1.5];\n", out);

	for (n = 3; n < 4; n--) {
		if (!(shown & (1U << n)))
			continue;
		fprintf(out, "%*ssubgraph cluster_ring%u {\n", (int)depth + 1, "\t", n);
		fprintf(out, "\t\tlabel=\"ring %u (VMX non-root): %s\"; fillcolor=\"%s\"; color=\"#777777\";\n",
			n, ring_who[n], fills[n]);
		ring_node(out, &rs->rings[n], n);
		depth++;
	}
	fputs("\t\tsubgraph cluster_root {\n", out);
	fputs("\t\t\tlabel=\"VMX root mode (\\\"ring -1\\\"): the host\"; fillcolor=\"#d9f0dd\"; color=\"#23813a\";\n", out);
	tvmm_node(out, rs);
	fprintf(out, "\t\t\thost [shape=box, style=\"rounded,filled\", fillcolor=\"#ececec\", label=\"Linux host kernel\\n%llu interrupt%s arrived while the guest ran:\\nLinux handled them, then tvmm resumed the guest\"];\n",
		rs->host_irqs, rs->host_irqs == 1 ? "" : "s");
	fputs("\t\t}\n", out);
	while (depth--)
		fputs("\t}\n", out);

	/* Who traps into tvmm, and where tvmm sends the guest. */
	for (n = 0; n < 4; n++) {
		unsigned long long traps;

		if (!(shown & (1U << n)))
			continue;
		traps = rs->rings[n].exits;
		fprintf(out, "\tr%u -> tvmm [label=\"%llu exits\"];\n", n, traps);
	}
	if (rs->host_irqs)
		fprintf(out, "\thost -> tvmm [color=\"#6a3d9a\", fontcolor=\"#6a3d9a\", label=\"%llu interrupts\"];\n",
			rs->host_irqs);
	if (rs->actions[TVMM_ACTION_REFLECTED])
		fprintf(out, "\ttvmm -> r%u [color=\"%s\", fontcolor=\"%s\", penwidth=2, label=\"reflect %llu\"];\n",
			kernel, dot_action_color(TVMM_ACTION_REFLECTED),
			dot_action_color(TVMM_ACTION_REFLECTED),
			rs->actions[TVMM_ACTION_REFLECTED]);
	if (rs->actions[TVMM_ACTION_INJECTED])
		fprintf(out, "\ttvmm -> r%u [color=\"%s\", fontcolor=\"%s\", penwidth=2, label=\"inject %llu\\n(vector 0x%x)\"];\n",
			kernel, dot_action_color(TVMM_ACTION_INJECTED),
			dot_action_color(TVMM_ACTION_INJECTED),
			rs->actions[TVMM_ACTION_INJECTED], TVMM_TIMER_VECTOR);
	fputs("}\n", out);
}

static void rings_close(void *d)
{
	free(d);
}

const struct dot_kind dot_rings = {
	.name = "rings",
	.open = rings_open,
	.add = rings_add,
	.write = rings_write,
	.close = rings_close,
};
