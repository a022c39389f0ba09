// SPDX-License-Identifier: GPL-2.0
/*
 * compare.c - `tvmm compare`: one workload (the mini-OS, or the Popek-
 * Goldberg guest) run once per virtualization technique, traced in memory,
 * summed up in one table.
 *
 * Concept: the notes' three answers to "x86 is not virtualizable" -
 * full virtualization with hardware support (hw: the guest kernel at ring
 * 0 in VMX non-root mode), trap-and-emulate after de-privileging
 * (deprivileged: the kernel at ring 1, every privileged instruction a #GP
 * exit that tvmm emulates, system calls reflected) and paravirtualization
 * (paravirt: a kernel rebuilt to call the VMM with VMCALL), plus the
 * pre-VT-x fix for the instructions trap-and-emulate never sees (patch:
 * deprivileged, with each code page scanned and its sensitive-but-
 * unprivileged instructions patched to INT3 and emulated). Same console
 * text, different exits: the table counts them by what tvmm did with them
 * (emulated, reflected, injected, ignored, patched) and how long they took.
 * With --workload popek the console differs: deprivileged mode gets four
 * answers wrong, and "correct" says so. Then the baseline all of them
 * beat: emulated (`tvmm emulate`, every instruction interpreted by a
 * software CPU in this process), with the instructions it interpreted and
 * its host time per guest instruction against the hw run's.
 * Last, Popek and Goldberg's three properties per technique: equivalence
 * is "correct"; resource control and efficiency come from one more run,
 * of the probe guest pgprobe.bin (compare_props.c).
 * Context: userspace, root (opens /dev/tvmm, once per technique); each
 * run goes through run.c's run_capture(), the loop of `tvmm run`.
 */
#include <errno.h>
#include <getopt.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include <tvmm/exit_names.h>

#include "cli.h"
#include "compare_props.h"
#include "dot.h"
#include "json.h"

#define NR_ACTIONS	(TVMM_ACTION_PATCHED + 1)

static const char compare_note[] =
	"under Bochs the TSC is emulated: ticks and cycles count emulated TSC ticks, not hardware time; compare rows, not machines.";

struct technique {
	const char *name;		/* "hw" */
	unsigned int mode;		/* TVMM_MODE_* */
	bool pv;			/* runs the paravirt build */
	const char *what;		/* for the chart */
};

static const struct technique techniques[] = {
	{ "hw", TVMM_MODE_HW, false, "full virtualization, hardware support" },
	{ "deprivileged", TVMM_MODE_DEPRIVILEGED, false, "trap-and-emulate at ring 1" },
	{ "patch", TVMM_MODE_PATCH, false, "scan-and-patch (binary translation)" },
	{ "paravirt", TVMM_MODE_PARAVIRT, true, "hypercalls" },
	{ "emulated", COMPARE_EMULATED, false, "emulation: a software CPU, no VT-x" },
};

/* The workloads: a native build and a paravirtual build of one guest. */
static const struct workload {
	const char *name;		/* --workload NAME */
	const char *image, *pv_image;	/* default file names */
	const char *what;		/* for the chart's title */
} workloads[] = {
	{ "minios", "minios.bin", "minios_pv.bin", "the mini-OS" },
	{ "popek", "popek.bin", "popek_pv.bin", "the Popek-Goldberg guest" },
};

#define ARRAY_LEN(a)	(sizeof(a) / sizeof((a)[0]))
#define NR_TECHNIQUES	ARRAY_LEN(techniques)

/* One technique's run, as the table shows it. */
struct compare_row {
	const struct technique *t;
	const char *image;
	int run_status;			/* run_capture(): 0 or why it failed */
	struct run_capture cap;
	bool correct, same_console, ended_normally;
	unsigned long long records;
	unsigned long long action[NR_ACTIONS];
	unsigned long long cli_sti;	/* emulated CLI/STI */
	unsigned long long vmcalls;
	unsigned long long first_tsc, last_tsc, cycles;
	unsigned long long ticks;	/* guest TSC ticks, first to last exit */
	double cycles_per_exit;		/* mean handler cycles per exit */
	double seconds;			/* host time of the run */
	unsigned long long insns;	/* emulated: guest instructions interpreted */
	struct pg_props pg;		/* Popek and Goldberg's properties */
};

static double now(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return ts.tv_sec + ts.tv_nsec / 1e9;
}

/*
 * The emulated row's cost: its host time per guest instruction, and the
 * hw run's for the same guest (the same instructions: its time over the
 * count the emulator made). 0 when a run is missing.
 */
static void emulation_cost(const struct compare_row *emu, const struct compare_row *hw,
			   double *emu_ns, double *hw_ns)
{
	*emu_ns = emu->insns ? emu->seconds * 1e9 / emu->insns : 0;
	*hw_ns = emu->insns && !hw->run_status ? hw->seconds * 1e9 / emu->insns : 0;
}

/* run_capture() calls this once per exit record of a technique's run. */
static void add_record(void *arg, const struct tvmm_exit_record *rec)
{
	/*
	 * TODO(lab09.1) BEGIN: account one exit record in its row (@arg): the
	 * number of records, the TSC of the first and of the last, the sum of
	 * the handler cycles, one counter per action (range-check
	 * rec->action against NR_ACTIONS), the emulated "cli"/"sti" (compare
	 * the mnemonic with strncmp and TVMM_MNEMONIC_MAX: it may fill the
	 * field) and the VMCALL exits. docs/trace-format.md describes the
	 * record. Hint: the table is only as good as these counters.
	 */
#ifdef CONFIG_TVMM_LAB09_SOLUTION
	struct compare_row *row = arg;

	if (!row->records)
		row->first_tsc = rec->tsc;
	row->last_tsc = rec->tsc;
	row->records++;
	row->cycles += rec->cycles;
	if (rec->action < NR_ACTIONS)
		row->action[rec->action]++;
	if (rec->action == TVMM_ACTION_EMULATED &&
	    (!strncmp(rec->mnemonic, "cli", TVMM_MNEMONIC_MAX) ||
	     !strncmp(rec->mnemonic, "sti", TVMM_MNEMONIC_MAX)))
		row->cli_sti++;
	if (rec->reason_code == EXIT_REASON_VMCALL)
		row->vmcalls++;
#else
	(void)arg;
	(void)rec;
	lab_todo("lab09.1", "count each exit record in its technique's row");
#endif
	/* TODO(lab09.1) END */
}

/*
 * The figures and the verdict of one technique's row, once its run is
 * over; @ref is the hw row, the reference machine.
 */
static void row_judge(struct compare_row *r, const struct compare_row *ref)
{
	/*
	 * TODO(lab09.2) BEGIN: the row's figures: guest ticks from the first
	 * to the last exit record, mean handler cycles per exit (both 0 for a
	 * run without records). Its verdict: it ended normally if it ran
	 * (run_status 0), ended (cap.ended) and ended by HLT or the exit
	 * hypercall; it has the same console if both it and @ref ran and the
	 * consoles are equal byte for byte; it is correct if both hold. Hint:
	 * a technique is only as good as the machine it fakes: @ref is hw.
	 */
#ifdef CONFIG_TVMM_LAB09_SOLUTION
	r->ticks = r->records ? r->last_tsc - r->first_tsc : 0;
	r->cycles_per_exit = r->records ? (double)r->cycles / r->records : 0.0;
	r->ended_normally = !r->run_status && r->cap.ended &&
			    (r->cap.end == TVMM_END_HLT || r->cap.end == TVMM_END_HYPERCALL);
	r->same_console = !r->run_status && !ref->run_status &&
			  r->cap.console_len == ref->cap.console_len &&
			  !memcmp(r->cap.console, ref->cap.console, r->cap.console_len);
	r->correct = r->same_console && r->ended_normally;
#else
	(void)ref;
	r->correct = false;
	lab_todo("lab09.2", "the row's figures and whether its technique was correct");
#endif
	/* TODO(lab09.2) END */
}

/*
 * --records DIR: each technique's exit records, as read() gave them, to
 * DIR/TECHNIQUE.rec, before add_record() counts them (to check the table
 * against, or to keep the runs).
 */
struct record_tee {
	struct compare_row *row;
	FILE *out;
};

static void tee_record(void *arg, const struct tvmm_exit_record *rec)
{
	struct record_tee *t = arg;

	if (t->out && fwrite(rec, sizeof(*rec), 1, t->out) != 1) {
		print_error("compare: writing the records of %s: %s", t->row->t->name,
			    strerror(errno));
		fclose(t->out);
		t->out = NULL;
	}
	add_record(t->row, rec);
}

static const char *row_end(const struct compare_row *r, char *buf, size_t size)
{
	if (r->run_status)
		snprintf(buf, size, "not run (status %d)", r->run_status);
	else
		snprintf(buf, size, "%s", r->cap.how);
	return buf;
}

static void print_table(FILE *out, const struct compare_row *rows, size_t n)
{
	char end[128];
	size_t i;

	fprintf(out, "%-13s %-8s %7s %9s %10s %9s %8s %8s %14s %12s  %s\n",
		"technique", "correct", "exits", "emulated", "reflected",
		"injected", "ignored", "patched", "guest ticks", "cycles/exit", "end");
	for (i = 0; i < n; i++) {
		const struct compare_row *r = &rows[i];

		fprintf(out, "%-13s %-8s %7llu %9llu %10llu %9llu %8llu %8llu %14llu %12.1f  %s\n",
			r->t->name, r->correct ? "yes" : "NO", r->records,
			r->action[TVMM_ACTION_EMULATED],
			r->action[TVMM_ACTION_REFLECTED],
			r->action[TVMM_ACTION_INJECTED],
			r->action[TVMM_ACTION_IGNORED],
			r->action[TVMM_ACTION_PATCHED], r->ticks,
			r->cycles_per_exit, row_end(r, end, sizeof(end)));
		if (r->t->mode == COMPARE_EMULATED) {
			double emu_ns, hw_ns;

			emulation_cost(r, &rows[0], &emu_ns, &hw_ns);
			fprintf(out, "emulated: %llu guest instructions interpreted, %.1f ns of host time each",
				r->insns, emu_ns);
			if (hw_ns > 0)
				fprintf(out, "; hw: %.1f ns per guest instruction; slowdown %.1fx\n",
					hw_ns, emu_ns / hw_ns);
			else
				fprintf(out, "; no hw run to compare with\n");
		}
	}
	fprintf(out, "note: %s\n", compare_note);
}

/* Popek and Goldberg's three properties, one line per technique. */
static void print_props(FILE *out, const struct compare_row *rows, size_t n)
{
	size_t i;

	fprintf(out, "\nPopek and Goldberg's properties (resource control and efficiency: the probe guest pgprobe.bin):\n");
	fprintf(out, "%-13s %-11s %-16s %-10s %9s %13s  %s\n", "technique", "equivalence",
		"resource control", "efficiency", "trapped", "instructions", "probe");
	for (i = 0; i < n; i++) {
		const struct pg_props *p = &rows[i].pg;
		char eff[32];

		if (p->measured)
			snprintf(eff, sizeof(eff), "%.4f", p->efficiency);
		else
			snprintf(eff, sizeof(eff), "-");
		fprintf(out, "%-13s %-11s %-16s %-10s %9llu %13llu  %s\n", rows[i].t->name,
			p->equivalent ? "yes" : "NO",
			!p->measured ? "-" : p->resource_control ? "yes" : "NO", eff,
			p->trapped, p->insns, p->how);
	}
	fprintf(out, "efficiency = 1 - trapped / instructions: of the instructions the probe's counted loop runs (its table says how many), those that exited to tvmm.\n");
}

static void print_json(FILE *out, const struct workload *wl,
		       const struct compare_row *rows, size_t n)
{
	struct json_writer w;
	char end[128];
	size_t i;

	json_init(&w, out, true);
	json_begin_object(&w, NULL);
	json_string(&w, "workload", wl->name);
	json_begin_array(&w, "techniques");
	for (i = 0; i < n; i++) {
		const struct compare_row *r = &rows[i];

		json_begin_object(&w, NULL);
		json_string(&w, "technique", r->t->name);
		json_string(&w, "image", r->image);
		json_bool(&w, "correct", r->correct);
		json_bool(&w, "same_console", r->same_console);
		json_bool(&w, "ended_normally", r->ended_normally);
		json_string(&w, "end", row_end(r, end, sizeof(end)));
		json_int(&w, "exit_status", r->run_status ? r->run_status : r->cap.status);
		json_uint(&w, "exits", r->records);
		json_uint(&w, "emulated", r->action[TVMM_ACTION_EMULATED]);
		json_uint(&w, "reflected", r->action[TVMM_ACTION_REFLECTED]);
		json_uint(&w, "injected", r->action[TVMM_ACTION_INJECTED]);
		json_uint(&w, "ignored", r->action[TVMM_ACTION_IGNORED]);
		json_uint(&w, "fatal", r->action[TVMM_ACTION_FATAL]);
		json_uint(&w, "patched", r->action[TVMM_ACTION_PATCHED]);
		json_uint(&w, "emulated_cli_sti", r->cli_sti);
		json_uint(&w, "vmcalls", r->vmcalls);
		json_uint(&w, "records_dropped", r->cap.stats.records_dropped);
		json_uint(&w, "guest_tsc_ticks", r->ticks);
		json_double(&w, "cycles_per_exit", r->cycles_per_exit);
		json_double(&w, "host_seconds", r->seconds);
		if (r->t->mode == COMPARE_EMULATED) {
			double emu_ns, hw_ns;

			emulation_cost(r, &rows[0], &emu_ns, &hw_ns);
			json_uint(&w, "instructions", r->insns);
			json_double(&w, "host_ns_per_insn", emu_ns);
			json_double(&w, "hw_host_ns_per_insn", hw_ns);
			json_double(&w, "slowdown", hw_ns > 0 ? emu_ns / hw_ns : 0);
		}
		if (r->pg.measured || r->pg.how[0]) {
			json_begin_object(&w, "properties");
			json_bool(&w, "equivalence", r->pg.equivalent);
			json_bool(&w, "measured", r->pg.measured);
			json_bool(&w, "resource_control", r->pg.resource_control);
			json_double_digits(&w, "efficiency", r->pg.efficiency, 4);
			json_uint(&w, "probe_instructions", r->pg.insns);
			json_uint(&w, "probe_trapped", r->pg.trapped);
			json_string(&w, "probe", r->pg.how);
			json_end_object(&w);
		}
		json_end_object(&w);
	}
	json_end_array(&w);
	json_string(&w, "note", compare_note);
	json_end_object(&w);
	json_finish(&w);
}

/* ---- the chart: one bar per technique, split by action ---------------- */

#define CHART_WIDTH	600	/* points for the longest bar */

struct chart {
	const struct workload *wl;
	const struct compare_row *rows;
	size_t n;
};

static void write_chart(void *arg, FILE *out)
{
	const struct chart *c = arg;
	unsigned long long max = 1;
	unsigned int a, used;
	size_t i;

	for (i = 0; i < c->n; i++)
		if (c->rows[i].records > max)
			max = c->rows[i].records;
	char title[256];

	snprintf(title, sizeof(title),
		 "tvmm compare: exits of %s per technique, by tvmm's action%s", c->wl->what,
		 c->rows[0].pg.measured ? "\nand Popek and Goldberg's three properties (efficiency: the probe guest's counted loop)" : "");
	dot_begin(out, "compare", title);
	fputs("\tnode [shape=plaintext];\n", out);
	/* One node, one table: the bars start at the same x. */
	fputs("\tchart [label=<<TABLE BORDER=\"0\" CELLSPACING=\"8\">\n", out);
	for (i = 0; i < c->n; i++) {
		const struct compare_row *r = &c->rows[i];

		fputs("\t\t<TR><TD ALIGN=\"RIGHT\">", out);
		dot_html(out, r->t->name);
		fputs("<BR/><FONT POINT-SIZE=\"9\">", out);
		dot_html(out, r->t->what);
		fputs("</FONT></TD><TD ALIGN=\"LEFT\"><TABLE BORDER=\"0\" CELLBORDER=\"1\" CELLSPACING=\"0\" CELLPADDING=\"2\"><TR>", out);
		used = 0;
		for (a = 0; a < NR_ACTIONS; a++) {
			unsigned long long k = r->action[a];
			unsigned int width;

			if (!k)
				continue;
			width = (unsigned int)(k * CHART_WIDTH / max);
			if (width < 2)
				width = 2;
			used += width + 2;	/* the cell's border */
			fprintf(out, "<TD WIDTH=\"%u\" HEIGHT=\"34\" FIXEDSIZE=\"TRUE\" BGCOLOR=\"%s\" COLOR=\"%s\">",
				width, dot_action_fill(a), dot_action_color(a));
			if (width >= 40)
				fprintf(out, "<FONT POINT-SIZE=\"9\" COLOR=\"%s\">%llu</FONT>",
					dot_action_color(a), k);
			fputs("</TD>", out);
		}
		/* Pad every bar to one width, or Graphviz stretches the short ones. */
		fprintf(out, "<TD BORDER=\"0\" WIDTH=\"%u\" FIXEDSIZE=\"TRUE\"> </TD>",
			used < CHART_WIDTH + 2 * NR_ACTIONS ? CHART_WIDTH + 2 * NR_ACTIONS - used + 1 : 1);
		fprintf(out, "</TR></TABLE></TD><TD ALIGN=\"LEFT\">%llu exits%s",
			r->records, r->correct ? "" : " (NOT correct)");
		if (r->pg.measured)
			fprintf(out, "<BR/><FONT POINT-SIZE=\"9\">equivalence %s, resource control %s,<BR/>efficiency %.4f (%llu of %llu trapped)</FONT>",
				r->pg.equivalent ? "yes" : "NO", r->pg.resource_control ? "yes" : "NO",
				r->pg.efficiency, r->pg.trapped, r->pg.insns);
		fputs("</TD></TR>\n", out);
	}
	fputs("\t</TABLE>>];\n", out);
	/* The legend: one box per action. */
	fputs("\tlegend [label=<<TABLE BORDER=\"0\" CELLSPACING=\"4\"><TR>", out);
	for (a = 0; a < NR_ACTIONS; a++)
		fprintf(out, "<TD BGCOLOR=\"%s\" COLOR=\"%s\" BORDER=\"1\"><FONT COLOR=\"%s\">%s</FONT></TD>",
			dot_action_fill(a), dot_action_color(a), dot_action_color(a),
			dot_action_name(a));
	fputs("</TR></TABLE>>];\n", out);
	fputs("\tnote [label=", out);
	dot_str(out, compare_note);
	fputs(", fontsize=9];\n", out);
	fputs("\tchart -> legend -> note [style=invis];\n}\n", out);
}

/* ---- the command ------------------------------------------------------- */

/* The file @name in the directory of @path, in @buf. */
static const char *beside(const char *path, const char *name, char *buf, size_t size)
{
	const char *slash = strrchr(path, '/');

	if (slash)
		snprintf(buf, size, "%.*s/%s", (int)(slash - path), path, name);
	else
		snprintf(buf, size, "%s", name);
	return buf;
}

static void compare_usage(FILE *out)
{
	fprintf(out,
		"usage: %s compare [--json] [--chart OUT.{dot,svg,png}] [--records DIR] [--no-emulated]\n"
		"                    [--workload minios|popek] [--image IMAGE] [--pv-image IMAGE]\n"
		"                    [--probe IMAGE] [--probe-pv IMAGE] [--no-properties]\n"
		"  Run one workload once per technique - hw (full virtualization with\n"
		"  hardware support), deprivileged (trap-and-emulate at ring 1), patch\n"
		"  (deprivileged plus scan-and-patch of sensitive-but-unprivileged\n"
		"  instructions), paravirt (hypercalls), and emulated (tvmm emulate: a\n"
		"  software CPU, no VT-x) - trace each run in memory and\n"
		"  print one table: correct? (same console as hw, ended normally), exits,\n"
		"  emulated, reflected, injected, ignored, patched, guest TSC ticks from\n"
		"  first to last exit, tvmm cycles per exit; for emulated, the guest\n"
		"  instructions interpreted and the host time per guest instruction\n"
		"  against the hw run's (the slowdown factor). Then Popek and Goldberg's\n"
		"  three properties per technique: equivalence (= correct), resource\n"
		"  control and efficiency, from one more run each of the probe guest\n"
		"  pgprobe.bin.\n"
		"  --workload NAME   minios (default): the mini-OS; popek: the Popek-Goldberg\n"
		"                    guest, which deprivileged mode gets wrong\n"
		"  --image IMAGE     the guest for hw, deprivileged and patch (default\n"
		"                    NAME.bin in the current directory)\n"
		"  --pv-image IMAGE  the guest for paravirt (default NAME_pv.bin next to\n"
		"                    IMAGE, or in the current directory)\n"
		"  --probe IMAGE     the probe guest for hw, deprivileged and patch (default\n"
		"                    pgprobe.bin next to IMAGE); --probe-pv IMAGE for\n"
		"                    paravirt (default pgprobe_pv.bin next to it)\n"
		"  --no-properties   skip the probe runs (equivalence only)\n"
		"  --chart OUT       a bar chart of exits by action: OUT.dot is DOT text,\n"
		"                    OUT.svg and OUT.png are rendered by Graphviz's `dot`\n"
		"  --json            the table as JSON\n"
		"  --no-emulated     leave out the emulated row (in the lab VM, Bochs\n"
		"                    emulating an emulator, it is the slow one)\n"
		"  --records DIR     also write each technique's exit records (struct\n"
		"                    tvmm_exit_record, as read() gives them) to DIR/NAME.rec\n"
		"  -h, --help\n"
		"  Exit status: 0 when every technique is correct and keeps resource control,\n"
		"  1 when one does not (with --workload popek deprivileged is never correct),\n"
		"  else the first failing run's status (see tvmm.1).\n",
		tvmm_prog);
}

int cmd_compare(int argc, char **argv)
{
	static const struct option opts[] = {
		{ "chart", required_argument, NULL, 'c' },
		{ "image", required_argument, NULL, 'i' },
		{ "pv-image", required_argument, NULL, 'p' },
		{ "workload", required_argument, NULL, 'w' },
		{ "json", no_argument, NULL, 'j' },
		{ "records", required_argument, NULL, 'r' },
		{ "no-emulated", no_argument, NULL, 'E' },
		{ "probe", required_argument, NULL, 'P' },
		{ "probe-pv", required_argument, NULL, 'Q' },
		{ "no-properties", no_argument, NULL, 'N' },
		{ "help", no_argument, NULL, 'h' },
		{ NULL, 0, NULL, 0 }
	};
	const char *image = NULL, *pv_image = NULL, *chart = NULL, *records = NULL;
	const char *probe = NULL, *probe_pv = NULL;
	char probe_default[4096], probe_pv_default[4096];
	bool properties = true;
	struct record_tee tees[NR_TECHNIQUES];
	const struct workload *wl = &workloads[0];
	struct compare_row rows[NR_TECHNIQUES];
	char pv_default[4096];
	size_t i, nrows = NR_TECHNIQUES;
	bool json = false;
	int c, status = 0;

	optind = 1;
	while ((c = getopt_long(argc, argv, "h", opts, NULL)) != -1) {
		switch (c) {
		case 'c':
			chart = optarg;
			break;
		case 'i':
			image = optarg;
			break;
		case 'p':
			pv_image = optarg;
			break;
		case 'w':
			for (i = 0; i < ARRAY_LEN(workloads) && strcmp(optarg, workloads[i].name); i++)
				;
			if (i == ARRAY_LEN(workloads)) {
				print_error("compare: unknown workload '%s': use minios or popek", optarg);
				return TVMM_EXIT_USAGE;
			}
			wl = &workloads[i];
			break;
		case 'j':
			json = true;
			break;
		case 'r':
			records = optarg;
			break;
		case 'E':	/* emulated is the last row */
			nrows = NR_TECHNIQUES - 1;
			break;
		case 'P':
			probe = optarg;
			break;
		case 'Q':
			probe_pv = optarg;
			break;
		case 'N':
			properties = false;
			break;
		case 'h':
			compare_usage(stdout);
			return TVMM_EXIT_OK;
		default:
			compare_usage(stderr);
			return TVMM_EXIT_USAGE;
		}
	}
	if (optind != argc) {
		print_error("compare: unexpected argument '%s': the images are --image and --pv-image",
			    argv[optind]);
		compare_usage(stderr);
		return TVMM_EXIT_USAGE;
	}
	if (!image)
		image = wl->image;
	if (!pv_image)
		pv_image = beside(image, wl->pv_image, pv_default, sizeof(pv_default));
	if (!probe)
		probe = beside(image, "pgprobe.bin", probe_default, sizeof(probe_default));
	if (!probe_pv)
		probe_pv = beside(probe, "pgprobe_pv.bin", probe_pv_default,
				  sizeof(probe_pv_default));
	/* Before minutes of emulated guests: can we write the chart? */
	if (chart) {
		status = dot_check_output("compare", chart);
		if (status)
			return status;
	}

	memset(rows, 0, sizeof(rows));
	memset(tees, 0, sizeof(tees));
	for (i = 0; i < nrows; i++) {
		struct compare_row *r = &rows[i];

		r->t = &techniques[i];
		r->image = r->t->pv ? pv_image : image;
		r->cap.on_record = add_record;
		r->cap.arg = r;
		if (records) {
			char path[4096];

			snprintf(path, sizeof(path), "%s/%s.rec", records, r->t->name);
			tees[i].row = r;
			tees[i].out = fopen(path, "w");
			if (!tees[i].out) {
				print_error("compare: %s: %s", path, strerror(errno));
				status = TVMM_EXIT_USAGE;
				goto out;
			}
			r->cap.on_record = tee_record;
			r->cap.arg = &tees[i];
		}
		if (!json)
			fprintf(stderr, "%s: compare: running %s in mode %s...\n",
				tvmm_prog, r->image, r->t->name);
		if (r->t->mode == COMPARE_EMULATED) {
			r->run_status = emulate_capture(r->image, &r->cap, &r->insns, &r->seconds);
		} else {
			double t0 = now();

			r->run_status = run_capture(r->image, r->t->mode, &r->cap);
			r->seconds = now() - t0;	/* the whole run: VM, load, exits */
		}
		if (r->run_status && r->run_status != TVMM_EXIT_USAGE) {
			/*
			 * No image, no device, Ctrl-C, an ABI mismatch: no table.
			 * A mode this tvmm.ko refuses (usage) is a row "not run".
			 */
			status = r->run_status;
			goto out;
		}
		if (r->cap.stats.records_dropped)
			print_error("compare: %s: %llu exit records were dropped; its counts are short",
				    r->t->name,
				    (unsigned long long)r->cap.stats.records_dropped);
	}
	for (i = 0; properties && i < nrows; i++) {
		struct compare_row *r = &rows[i];
		const char *img = r->t->pv ? probe_pv : probe;

		if (!json)
			fprintf(stderr, "%s: compare: probing %s in mode %s...\n",
				tvmm_prog, img, r->t->name);
		status = pg_probe_run(img, r->t->mode, &r->pg);
		if (status)
			goto out;
	}
	for (i = 0; i < nrows; i++) {
		struct compare_row *r = &rows[i];

		row_judge(r, &rows[0]);
		r->pg.equivalent = r->correct;
		if (!r->correct && !status)
			status = r->run_status ? r->run_status : TVMM_EXIT_FAILURE;
		if (r->pg.measured && !r->pg.resource_control && !status)
			status = TVMM_EXIT_FAILURE;
	}

	if (json)
		print_json(stdout, wl, rows, nrows);
	else
		print_table(stdout, rows, nrows);
	if (!json && properties)
		print_props(stdout, rows, nrows);
	if (fflush(stdout)) {
		print_error("compare: writing the table: %s", strerror(errno));
		if (!status)
			status = TVMM_EXIT_FAILURE;
	}
	if (chart) {
		struct chart ch = { wl, rows, nrows };
		int st = dot_write_output(chart, write_chart, &ch);

		if (st && !status)
			status = st;
	}
out:
	for (i = 0; i < NR_TECHNIQUES; i++) {
		free(rows[i].cap.console);
		if (tees[i].out && fclose(tees[i].out) && !status) {
			print_error("compare: writing the records of %s: %s", techniques[i].name,
				    strerror(errno));
			status = TVMM_EXIT_FAILURE;
		}
	}
	return status;
}
