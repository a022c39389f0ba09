// SPDX-License-Identifier: GPL-2.0
/*
 * sensitive_venn.c - `tvmm sensitive --chart`: the Popek-Goldberg relation
 * between sensitive and privileged instructions, drawn from what this
 * machine just did, not from a textbook.
 *
 * Concept: two sets. *Privileged*: the instructions that trap when run
 * outside ring 0. *Sensitive*: those that read or change the machine's
 * privileged state. Popek and Goldberg: trap-and-emulate can virtualize a
 * machine if the sensitive set lies inside the privileged one. Every
 * instruction `tvmm sensitive` probes is sensitive, so the figure puts
 * each one where its ring-3 run put it: in the overlap if it trapped, in
 * the sensitive-only crescent if it did not. That crescent is what breaks
 * ring compression (running the guest kernel in a ring above 0, as
 * `--mode deprivileged` does at ring 1): those instructions run there
 * without the VMM ever seeing them. Which ones land there depends on the
 * CPU and kernel (UMIP moves SGDT, SIDT, SLDT, STR and SMSW into the
 * overlap), hence a figure generated where it is shown.
 *
 * The drawing: two pinned, translucent ellipses (Graphviz's neato with
 * fixed positions), one text node per region.
 * Context: an ordinary user process (the figure is made by `make docs`).
 */
#include <stdio.h>
#include <string.h>

#include "cli.h"
#include "dot.h"
#include "sensitive.h"

struct venn {
	const struct probe *probes;
	unsigned int n;
	bool umip;
};

/* This CPU's model name, from /proc/cpuinfo ("" if there is none). */
static void cpu_model(char *buf, size_t size)
{
	char line[256];
	FILE *f = fopen("/proc/cpuinfo", "r");

	buf[0] = '\0';
	if (!f)
		return;
	while (fgets(line, sizeof(line), f)) {
		char *colon = strchr(line, ':');

		if (strncmp(line, "model name", 10) || !colon)
			continue;
		colon += 1 + (colon[1] == ' ');
		colon[strcspn(colon, "\n")] = '\0';
		snprintf(buf, size, "%s", colon);
		break;
	}
	fclose(f);
}

/* One region's list: the instructions with @trapped, one per line. */
static void region_list(FILE *out, const struct venn *v, bool trapped)
{
	char text[512] = "";
	size_t len = 0;
	unsigned int i, k = 0;

	for (i = 0; i < v->n; i++) {
		const struct probe *p = &v->probes[i];

		if (!p->sensitive || p->trapped != trapped || len >= sizeof(text))
			continue;
		len += snprintf(text + len, sizeof(text) - len, "%s%s%s", k++ ? "\n" : "",
				p->insn, p->umip ? " (UMIP)" : "");
	}
	dot_str(out, k ? text : "(none)");
}

static void write_venn(void *arg, FILE *out)
{
	const struct venn *v = arg;
	char model[160], title[320];
	unsigned int i, silent = 0;

	for (i = 0; i < v->n; i++)
		silent += v->probes[i].sensitive && !v->probes[i].trapped;
	cpu_model(model, sizeof(model));
	snprintf(title, sizeof(title),
		 "tvmm sensitive: x86 instructions run at ring 3, no VMM%s%s%s",
		 model[0] ? "\n(" : "", model, model[0] ? ")" : "");
	dot_begin(out, "sensitive", title);
	/* neato, positions in points, pinned: a Venn diagram, not a graph. */
	fputs("\tgraph [layout=neato, inputscale=72, outputorder=nodesfirst];\n", out);
	fputs("\tnode [shape=plaintext, fontsize=12];\n", out);
	fputs("\tprivileged [shape=ellipse, label=\"\", width=4.4, height=3.0, pos=\"210,150!\", "
	      "style=filled, fillcolor=\"#4e79a740\", color=\"#4e79a7\", penwidth=2];\n", out);
	fputs("\tsensitive [shape=ellipse, label=\"\", width=4.4, height=3.0, pos=\"400,150!\", "
	      "style=filled, fillcolor=\"#e1575940\", color=\"#e15759\", penwidth=2];\n", out);
	fputs("\tprivileged_name [label=\"privileged\\n(traps outside ring 0)\", "
	      "fontcolor=\"#4e79a7\", fontsize=13, pos=\"130,270!\"];\n", out);
	fputs("\tsensitive_name [label=\"sensitive\\n(reads or changes privileged state)\", "
	      "fontcolor=\"#e15759\", fontsize=13, pos=\"500,270!\"];\n", out);
	fputs("\tonly_privileged [label=\"not probed:\\nprivileged but\\nnot sensitive\", "
	      "fontcolor=\"#777777\", fontsize=10, pos=\"110,150!\"];\n", out);
	fputs("\tboth [pos=\"305,150!\", label=", out);
	region_list(out, v, true);
	fputs("];\n", out);
	fputs("\tboth_name [label=\"trap: a VMM\\ncan emulate them\", fontsize=9, pos=\"305,60!\"];\n",
	      out);
	fputs("\tunprivileged [pos=\"500,150!\", fontcolor=\"#b00000\", fontsize=13, label=", out);
	region_list(out, v, false);
	fputs("];\n", out);
	fputs("\tunprivileged_name [label=\"sensitive but unprivileged:\\nno trap, the VMM never knows\", "
	      "fontcolor=\"#b00000\", fontsize=9, pos=\"500,60!\"];\n", out);
	snprintf(title, sizeof(title),
		 "%u sensitive instruction%s ran at ring 3 without trapping%s\n"
		 "Popek and Goldberg: trap-and-emulate needs sensitive inside privileged.\n"
		 "Ring compression (the guest kernel at ring 1, tvmm --mode deprivileged)\n"
		 "lets the right-hand ones run unseen: lab 08, guests/popek.S.",
		 silent, silent == 1 ? "" : "s",
		 v->umip ? " (UMIP on: Linux emulates the (UMIP) ones)" : "");
	fputs("\tnote [fontsize=10, pos=\"305,-15!\", label=", out);
	dot_str(out, title);
	fputs("];\n}\n", out);
}

int sensitive_chart(const char *path, const struct probe *probes, unsigned int n,
		    bool umip)
{
	struct venn v = { probes, n, umip };

	return dot_write_output(path, write_venn, &v);
}
