// SPDX-License-Identifier: GPL-2.0
/*
 * dot_graph.c - `tvmm dot --graph`: the exit-transition graph.
 *
 * Concept: which exit follows which. A node per kind of exit (its reason,
 * and its instruction when tvmm decoded one: a de-privileged guest's
 * exits are nearly all EXCEPTION_NMI, the #GP of a privileged
 * instruction, so "EXCEPTION_NMI" alone would be one node), labelled with
 * its count and what tvmm did; an edge A -> B for "an exit B came right
 * after an exit A", as thick as it is frequent. A loop of OUTs, or the
 * STI / timer / HLT dance of the virtual interrupt, shows as a heavy cycle.
 * Context: userspace; memory O(1) in the number of records (a fixed
 * table of kinds; past it, the rest is one node "other").
 */
#include <stdlib.h>
#include <string.h>

#include "dot.h"

#define GRAPH_MAX_KINDS		63
#define GRAPH_OTHER		GRAPH_MAX_KINDS		/* the 64th node */
#define GRAPH_NODES		(GRAPH_MAX_KINDS + 1)

struct graph_node {
	int code;
	char reason[32], what[32];
	unsigned long long count, cycles;
	unsigned long long actions[DOT_NR_ACTIONS];
};

struct graph_edge {
	unsigned int from, to;
	unsigned long long count;
};

struct dot_graph {
	struct graph_node nodes[GRAPH_NODES];
	unsigned int nnodes;		/* kinds seen, at most GRAPH_MAX_KINDS */
	bool other;			/* GRAPH_OTHER holds some exits */
	unsigned long long edges[GRAPH_NODES][GRAPH_NODES];
	unsigned long long exits;
	int first, prev;		/* node of the first / previous exit */
	unsigned long long max;		/* at most this many edges */
};

static void *graph_open(const struct dot_opts *o)
{
	struct dot_graph *g = calloc(1, sizeof(*g));

	if (!g)
		return NULL;
	g->first = g->prev = -1;
	g->max = o->max;
	snprintf(g->nodes[GRAPH_OTHER].reason, sizeof(g->nodes[0].reason),
		 "other kinds");
	g->nodes[GRAPH_OTHER].code = -1;
	return g;
}

static bool is_node(const struct graph_node *n, const struct dot_exit *x)
{
	return n->code == x->code && !strcmp(n->what, x->what) &&
	       !strcmp(n->reason, x->reason);
}

/* The node of @x's kind: the previous one (runs are common), or search. */
static unsigned int graph_node(struct dot_graph *g, const struct dot_exit *x)
{
	struct graph_node *n;
	unsigned int i;

	if (g->prev >= 0 && g->prev != GRAPH_OTHER &&
	    is_node(&g->nodes[g->prev], x))
		return g->prev;
	for (i = 0; i < g->nnodes; i++)
		if (is_node(&g->nodes[i], x))
			return i;
	if (g->nnodes == GRAPH_MAX_KINDS) {
		g->other = true;
		return GRAPH_OTHER;
	}
	n = &g->nodes[g->nnodes];
	n->code = x->code;
	memcpy(n->reason, x->reason, sizeof(n->reason));
	memcpy(n->what, x->what, sizeof(n->what));
	return g->nnodes++;
}

static int graph_add(void *d, const struct dot_exit *x)
{
	struct dot_graph *g = d;
	unsigned int i = graph_node(g, x);
	struct graph_node *n = &g->nodes[i];

	n->count++;
	n->cycles += x->cycles;
	n->actions[x->action < DOT_NR_ACTIONS ? x->action : DOT_ACTION_UNKNOWN]++;
	if (g->prev >= 0)
		g->edges[g->prev][i]++;
	else
		g->first = i;
	g->prev = i;
	g->exits++;
	return 0;
}

static unsigned int bits(unsigned long long v)
{
	return v ? 64 - __builtin_clzll(v) : 0;
}

static int edge_cmp(const void *a, const void *b)
{
	const struct graph_edge *x = a, *y = b;

	if (x->count != y->count)
		return x->count < y->count ? 1 : -1;
	if (x->from != y->from)
		return x->from < y->from ? -1 : 1;
	return x->to < y->to ? -1 : x->to > y->to;
}

/* "EXCEPTION_NMI\nout\n173 exits (68%)\nemulated" */
static void node_label(const struct dot_graph *g, const struct graph_node *n,
		       unsigned int *main_action, char *buf, size_t size)
{
	unsigned int a, best = DOT_ACTION_UNKNOWN, kinds = 0;
	size_t len;

	for (a = 0; a < DOT_NR_ACTIONS; a++) {
		if (!n->actions[a])
			continue;
		kinds++;
		if (best == DOT_ACTION_UNKNOWN || n->actions[a] > n->actions[best])
			best = a;
	}
	*main_action = best;
	len = snprintf(buf, size, "%s%s%s\n%llu exit%s (%.1f%%)\n", n->reason,
		       n->what[0] ? "\n" : "", n->what, n->count,
		       n->count == 1 ? "" : "s", 100.0 * n->count / g->exits);
	for (a = 0; a < DOT_NR_ACTIONS && len < size; a++) {
		if (!n->actions[a])
			continue;
		if (kinds == 1)
			len += snprintf(buf + len, size - len, "%s", dot_action_name(a));
		else
			len += snprintf(buf + len, size - len, "%s%s %llu",
					buf[len - 1] == '\n' ? "" : ", ",
					dot_action_name(a), n->actions[a]);
	}
}

static void graph_write(void *d, FILE *out, const struct dot_summary *sum)
{
	struct dot_graph *g = d;
	unsigned long long nedges = 0, shown, top = 0;
	struct graph_edge *list;
	char title[512], label[160];
	unsigned int i, j, action;
	int n;

	/* The edges, heaviest first: the --max heaviest are drawn. */
	for (i = 0; i < GRAPH_NODES; i++)
		for (j = 0; j < GRAPH_NODES; j++)
			nedges += g->edges[i][j] != 0;
	list = calloc(nedges ? nedges : 1, sizeof(*list));
	if (list) {
		nedges = 0;
		for (i = 0; i < GRAPH_NODES; i++)
			for (j = 0; j < GRAPH_NODES; j++)
				if (g->edges[i][j])
					list[nedges++] = (struct graph_edge){ i, j, g->edges[i][j] };
		qsort(list, nedges, sizeof(*list), edge_cmp);
		top = nedges ? list[0].count : 0;
	} else {
		nedges = 0;	/* no memory: nodes only, said in the title */
	}
	shown = nedges < g->max ? nedges : g->max;

	n = snprintf(title, sizeof(title),
		     "tvmm trace %s: exit transitions, %llu exits%s (seq %llu-%llu)\nan edge A -> B: exit B came right after exit A; its label: how many times",
		     sum->name, sum->selected, sum->ranged ? " selected" : "",
		     sum->first, sum->last);
	if (shown < nedges)
		n += snprintf(title + n, sizeof(title) - n,
			      "\n%llu rarer transitions of %llu not drawn (--max %llu)",
			      nedges - shown, nedges, g->max);
	if (!list)
		n += snprintf(title + n, sizeof(title) - n, "\n(out of memory: edges not drawn)");
	if (sum->missing)
		snprintf(title + n, sizeof(title) - n,
			 "\n%llu records missing (gaps in seq)", sum->missing);
	dot_begin(out, "graph", title);
	fputs("\tgraph [nodesep=0.4, ranksep=0.5];\n", out);
	fputs("\tnode [shape=box, style=\"rounded,filled\", penwidth=1.5];\n", out);

	for (i = 0; i < GRAPH_NODES; i++) {
		const struct graph_node *nd = &g->nodes[i];

		if (!nd->count)
			continue;
		node_label(g, nd, &action, label, sizeof(label));
		fprintf(out, "\tk%u [color=\"%s\", fillcolor=\"%s\", label=", i,
			dot_action_color(action), dot_action_fill(action));
		dot_str(out, label);
		fputs("];\n", out);
	}
	fputs("\tstart [shape=circle, style=filled, fillcolor=black, fontcolor=white, fontsize=9, width=0.5, label=\"start\"];\n", out);
	fputs("\tend [shape=doublecircle, style=filled, fillcolor=black, fontcolor=white, fontsize=9, width=0.4, label=\"end\"];\n", out);
	if (g->first >= 0)
		fprintf(out, "\tstart -> k%d;\n\tk%d -> end;\n", g->first, g->prev);

	for (i = 0; i < shown; i++) {
		const struct graph_edge *e = &list[i];
		/* 1 (once) to 5 (the heaviest), by order of magnitude */
		unsigned int w = 1 + 4 * (bits(e->count) - 1) /
				 (bits(top) > 1 ? bits(top) - 1 : 1);

		fprintf(out, "\tk%u -> k%u [penwidth=%u, label=\"%llu\"];\n",
			e->from, e->to, w, e->count);
	}
	fputs("}\n", out);
	free(list);
}

static void graph_close(void *d)
{
	free(d);
}

const struct dot_kind dot_graph = {
	.name = "graph",
	.open = graph_open,
	.add = graph_add,
	.write = graph_write,
	.close = graph_close,
};
