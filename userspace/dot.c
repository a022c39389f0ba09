// SPDX-License-Identifier: GPL-2.0
/*
 * dot.c - `tvmm dot`: draw a trace as a sequence diagram (--sequence),
 * an exit-transition graph (--graph) or the rings (--rings), in Graphviz
 * DOT; SVG or PNG through Graphviz's `dot` when -o names one.
 *
 * Concept: "trap, emulate, reflect, inject". The notes explain a
 * de-privileged guest with pictures; this command draws the same pictures
 * from what really happened, one arrow per exit (repeats collapsed).
 * This file reads the trace (with tracefile.c's reader, JSON Lines or
 * binary), classifies each exit
 * once (who caused it, who runs next, what to call it), keeps the
 * --from/--to window and hands each exit to the drawing; the drawings are
 * dot_seq.c, dot_graph.c and dot_rings.c.
 * Context: userspace; streams the trace, so a million records take
 * under a second and little memory.
 */
#include <errno.h>
#include <getopt.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <sys/wait.h>
#include <unistd.h>

#include <tvmm/exit_names.h>

#include "cli.h"
#include "dot.h"
#include "tracefile.h"

#define DOT_DEFAULT_MAX		40
#define DOT_MAX_MAX		100000

/* ---- helpers the drawings share -------------------------------------- */

void dot_str(FILE *out, const char *s)
{
	putc('"', out);
	for (; *s; s++) {
		unsigned char c = *s;

		if (c == '"' || c == '\\')
			fprintf(out, "\\%c", c);
		else if (c == '\n')
			fputs("\\n", out);
		else if (c < 0x20 || c == 0x7f)
			putc('?', out);
		else
			putc(c, out);
	}
	putc('"', out);
}

void dot_html(FILE *out, const char *s)
{
	for (; *s; s++) {
		unsigned char c = *s;

		if (c == '&')
			fputs("&amp;", out);
		else if (c == '<')
			fputs("&lt;", out);
		else if (c == '>')
			fputs("&gt;", out);
		else if (c == '"')
			fputs("&quot;", out);
		else if (c < 0x20 || c == 0x7f)
			putc('?', out);
		else
			putc(c, out);
	}
}

const char *dot_action_name(unsigned int action)
{
	return action < DOT_ACTION_UNKNOWN ? tvmm_action_name(action) : "?";
}

/* emulated, reflected, injected, ignored, fatal, patched, unknown */
static const char *const action_colors[DOT_NR_ACTIONS] = {
	"#1f5fa8", "#c25e00", "#23813a", "#6b6b6b", "#c0282d", "#7b3fa0", "#000000",
};
static const char *const action_fills[DOT_NR_ACTIONS] = {
	"#dce8f7", "#fde6cf", "#d9f0dd", "#ececec", "#f8d5d6", "#ece0f5", "#ffffff",
};

const char *dot_action_color(unsigned int action)
{
	return action_colors[action < DOT_NR_ACTIONS ? action : DOT_ACTION_UNKNOWN];
}

const char *dot_action_fill(unsigned int action)
{
	return action_fills[action < DOT_NR_ACTIONS ? action : DOT_ACTION_UNKNOWN];
}

void dot_begin(FILE *out, const char *graph, const char *title)
{
	fprintf(out, "// tvmm dot: %s; render with: dot -Tsvg -o OUT.svg THIS.dot\n",
		graph);
	fprintf(out, "digraph tvmm_%s {\n", graph);
	fputs("\tgraph [fontname=\"Helvetica\", fontsize=14, labelloc=t, label=", out);
	dot_str(out, title);
	fputs("];\n", out);
	fputs("\tnode [fontname=\"Helvetica\", fontsize=11];\n", out);
	fputs("\tedge [fontname=\"Helvetica\", fontsize=10];\n", out);
}

void dot_trap_label(const struct dot_exit *x, char *buf, size_t size)
{
	if (x->from == LANE_HOST)
		snprintf(buf, size, "%s: Linux handles it", x->reason);
	else if (x->what[0])
		snprintf(buf, size, "trap: %s", x->what);
	else
		snprintf(buf, size, "exit: %s", x->reason);
}

void dot_action_label(const struct dot_exit *x, char *buf, size_t size)
{
	switch (x->action) {
	case TVMM_ACTION_EMULATED:
		snprintf(buf, size, "emulate, resume");
		break;
	case TVMM_ACTION_REFLECTED:
		if (!strncmp(x->what, "int ", 4))
			snprintf(buf, size, "reflect \xe2\x86\x92 %s handler", x->what);
		else
			snprintf(buf, size, "reflect \xe2\x86\x92 guest handler");
		break;
	case TVMM_ACTION_INJECTED:
		snprintf(buf, size, "inject vector 0x%x (timer)", TVMM_TIMER_VECTOR);
		break;
	case TVMM_ACTION_FATAL:
		snprintf(buf, size, "fatal: the VM ends");
		break;
	case TVMM_ACTION_PATCHED:
		snprintf(buf, size, "patched site: emulate the original, resume");
		break;
	default:
		snprintf(buf, size, "resume");
		break;
	}
}

/* ---- classifying one exit -------------------------------------------- */

void dot_copy_str(char *dst, size_t size, const char *src)
{
	size_t n = strlen(src);

	if (n >= size)
		n = size - 1;

	memcpy(dst, src, n);
	dst[n] = '\0';
}

static unsigned int parse_action(const struct jsonl_exit *ev)
{
	unsigned int i;

	if (ev->present & JSONL_HAS_ACTION)
		for (i = 0; i < DOT_ACTION_UNKNOWN; i++)
			if (ev->action[0] == tvmm_action_name(i)[0] &&
			    !strcmp(ev->action, tvmm_action_name(i)))
				return i;
	return DOT_ACTION_UNKNOWN;
}

/* "int 0x80" (the vector from the bytes), "out 0xe9" (the port), "cli". */
static void insn_text(const struct jsonl_exit *ev, int code, char *buf,
		      size_t size)
{
	if (!ev->mnemonic[0])
		buf[0] = '\0';
	else if (!strcmp(ev->mnemonic, "int") && ev->insn_len >= 2 &&
		 ev->insn[0] == 0xcd)
		snprintf(buf, size, "int 0x%x", ev->insn[1]);
	else if (code == EXIT_REASON_IO_INSTRUCTION &&
		 (ev->present & JSONL_HAS_QUAL) &&
		 (!strcmp(ev->mnemonic, "out") || !strcmp(ev->mnemonic, "in")))
		snprintf(buf, size, "%s 0x%llx", ev->mnemonic,
			 (ev->qual >> 16) & 0xffff);
	else if (!strcasecmp(ev->mnemonic, ev->reason))
		buf[0] = '\0';		/* "hlt" of a HLT exit says nothing new */
	else
		dot_copy_str(buf, size, ev->mnemonic);
}

static void classify(const struct jsonl_exit *ev, struct dot_exit *x)
{
	enum dot_lane guest;

	if (ev->present & JSONL_HAS_REASON_CODE)
		x->code = ev->reason_code & TVMM_EXIT_REASON_BASIC_MASK;
	else
		x->code = vmx_exit_reason_from_name(ev->reason);
	dot_copy_str(x->reason, sizeof(x->reason),
		 ev->present & JSONL_HAS_REASON ? ev->reason :
		 vmx_exit_reason_name(x->code));
	x->cycles = ev->cycles;
	x->cpl = ev->cpl;
	x->action = parse_action(ev);
	insn_text(ev, x->code, x->what, sizeof(x->what));

	guest = x->cpl == 3 ? LANE_APP : LANE_KERNEL;
	x->from = x->code == EXIT_REASON_EXTERNAL_INTERRUPT ? LANE_HOST : guest;
	switch (x->action) {
	case TVMM_ACTION_REFLECTED:
	case TVMM_ACTION_INJECTED:
		x->to = LANE_KERNEL;	/* the guest kernel's handler runs */
		break;
	case TVMM_ACTION_FATAL:
		x->to = LANE_HOST;	/* back to `tvmm run`, which reports it */
		break;
	default:
		x->to = guest;		/* resume where it stopped */
		break;
	}
}

/* ---- reading ----------------------------------------------------------- */

struct dot_reader {
	const struct dot_kind *kind;
	void *d;
	const struct dot_opts *o;
	struct dot_summary sum;
	const char *path;
	bool have_seq;
	unsigned long long next_seq;
};

static int dot_add(const struct jsonl_exit *ev, unsigned long lineno, void *arg)
{
	struct dot_reader *rd = arg;
	struct dot_summary *sum = &rd->sum;
	unsigned long long seq;
	struct dot_exit x;

	if (!(ev->present & (JSONL_HAS_REASON | JSONL_HAS_REASON_CODE))) {
		print_error("%s:%lu: no \"reason\" or \"reason_code\": is this a `tvmm run --trace` file?",
			    rd->path, lineno);
		return TVMM_EXIT_INPUT;
	}
	seq = ev->present & JSONL_HAS_SEQ ? ev->seq : sum->records;
	sum->records++;
	if (rd->have_seq && seq > rd->next_seq)
		sum->missing += seq - rd->next_seq;
	rd->have_seq = true;
	rd->next_seq = seq + 1;
	if (seq < rd->o->from || seq > rd->o->to)
		return 0;

	memset(&x, 0, sizeof(x));
	x.seq = seq;
	classify(ev, &x);
	if (!sum->selected++)
		sum->first = seq;
	sum->last = seq;
	if (rd->kind->add(rd->d, &x)) {
		print_error("dot: out of memory");
		return TVMM_EXIT_FAILURE;
	}
	return 0;
}

static int dot_read(FILE *in, struct dot_reader *rd)
{
	struct trace_reader reader = { .exit = dot_add, .arg = rd };
	int ret;

	ret = trace_read_file(in, rd->path, &reader);
	if (!ret && !rd->sum.records) {
		print_error("%s: no exit records: an empty trace has nothing to draw",
			    rd->path);
		return TVMM_EXIT_INPUT;
	}
	return ret;
}

/* ---- output: DOT, or SVG/PNG through Graphviz ------------------------- */

enum dot_format { FMT_DOT, FMT_SVG, FMT_PNG };

static int output_format(const char *path, enum dot_format *fmt)
{
	const char *ext = strrchr(path, '.');

	if (!strcmp(path, "-"))
		*fmt = FMT_DOT;
	else if (ext && (!strcasecmp(ext, ".dot") || !strcasecmp(ext, ".gv")))
		*fmt = FMT_DOT;
	else if (ext && !strcasecmp(ext, ".svg"))
		*fmt = FMT_SVG;
	else if (ext && !strcasecmp(ext, ".png"))
		*fmt = FMT_PNG;
	else
		return -1;
	return 0;
}

/* Is Graphviz's `dot` on $PATH? */
static bool have_graphviz(void)
{
	const char *path = getenv("PATH");
	char dir[4096];

	while (path && *path) {
		size_t n = strcspn(path, ":");

		if (snprintf(dir, sizeof(dir), "%.*s/dot", n ? (int)n : 1,
			     n ? path : ".") < (int)sizeof(dir) &&
		    !access(dir, X_OK))
			return true;
		path += n + (path[n] == ':');
	}
	return false;
}

/* Start `dot -Tsvg -o PATH` reading a pipe; the pipe in *@out. */
static int start_graphviz(const char *path, enum dot_format fmt, FILE **out,
			  pid_t *pid)
{
	int fds[2];

	if (pipe(fds)) {
		print_error("dot: pipe: %s", strerror(errno));
		return TVMM_EXIT_FAILURE;
	}
	*pid = fork();
	if (*pid < 0) {
		print_error("dot: fork: %s", strerror(errno));
		close(fds[0]);
		close(fds[1]);
		return TVMM_EXIT_FAILURE;
	}
	if (!*pid) {
		dup2(fds[0], STDIN_FILENO);
		close(fds[0]);
		close(fds[1]);
		execlp("dot", "dot", fmt == FMT_SVG ? "-Tsvg" : "-Tpng", "-o",
		       path, (char *)NULL);
		fprintf(stderr, "%s: dot: cannot run Graphviz's dot: %s\n",
			tvmm_prog, strerror(errno));
		_exit(127);
	}
	close(fds[0]);
	*out = fdopen(fds[1], "w");
	if (!*out) {
		close(fds[1]);
		waitpid(*pid, NULL, 0);
		print_error("dot: fdopen: %s", strerror(errno));
		return TVMM_EXIT_FAILURE;
	}
	return 0;
}

static int finish_graphviz(pid_t pid, const char *path)
{
	int wstatus;

	while (waitpid(pid, &wstatus, 0) < 0)
		if (errno != EINTR) {
			print_error("dot: waitpid: %s", strerror(errno));
			return TVMM_EXIT_FAILURE;
		}
	if (!WIFEXITED(wstatus) || WEXITSTATUS(wstatus)) {
		print_error("dot: Graphviz's dot failed to write %s (status %d); `-o OUT.dot` gives the DOT text to check",
			    path, WIFEXITED(wstatus) ? WEXITSTATUS(wstatus) : 128);
		return TVMM_EXIT_FAILURE;
	}
	return 0;
}

/* Write the drawing @rd holds to @path ('-' or NULL: standard output). */
int dot_check_output(const char *cmd, const char *path)
{
	enum dot_format fmt;

	if (output_format(path, &fmt)) {
		print_error("%s: %s: name the output OUT.dot, OUT.svg or OUT.png (the extension picks the format)",
			    cmd, path);
		return TVMM_EXIT_USAGE;
	}
	if (fmt != FMT_DOT && !have_graphviz()) {
		print_error("%s: writing %s needs Graphviz's `dot` program, which is not on PATH: install graphviz (apt install graphviz), or write DOT text to OUT.dot and render it elsewhere",
			    cmd, path);
		return TVMM_EXIT_FAILURE;
	}
	return 0;
}

/* The DOT that @write writes, to @path in the format its extension names. */
static int write_output(const char *path, enum dot_format fmt,
			void (*write)(void *arg, FILE *out), void *arg)
{
	pid_t pid = -1;
	FILE *out;
	int status = 0, werr;

	if (!path || !strcmp(path, "-")) {
		out = stdout;
		path = "<stdout>";
	} else if (fmt == FMT_DOT) {
		out = fopen(path, "w");
		if (!out) {
			print_error("dot: cannot create %s: %s", path, strerror(errno));
			return TVMM_EXIT_FAILURE;
		}
	} else {
		status = start_graphviz(path, fmt, &out, &pid);
		if (status)
			return status;
	}

	write(arg, out);
	werr = fflush(out) || ferror(out);
	if (out != stdout)
		werr |= fclose(out) != 0;
	if (pid > 0)
		status = finish_graphviz(pid, path);
	if (werr && !status) {
		print_error("dot: cannot write %s: %s", path, strerror(errno));
		status = TVMM_EXIT_FAILURE;
	}
	return status;
}

int dot_write_output(const char *path, void (*write)(void *arg, FILE *out),
		     void *arg)
{
	enum dot_format fmt = FMT_DOT;

	if (path && output_format(path, &fmt))
		return TVMM_EXIT_USAGE;
	return write_output(path, fmt, write, arg);
}

static void write_kind(void *arg, FILE *out)
{
	struct dot_reader *rd = arg;

	rd->kind->write(rd->d, out, &rd->sum);
}

static int dot_output(struct dot_reader *rd, const char *path,
		      enum dot_format fmt)
{
	return write_output(path, fmt, write_kind, rd);
}

/* ---- the command ------------------------------------------------------- */

static void dot_usage(FILE *out)
{
	fprintf(out,
		"usage: %s dot [--sequence|--graph|--rings] [--from SEQ] [--to SEQ]\n"
		"                [--max N] [-o OUT.{dot,svg,png}] FILE\n"
		"  Draw a `tvmm run --trace` file (JSON Lines or binary) with Graphviz.\n"
		"  FILE '-' reads standard input.\n"
		"  --sequence  guest app / guest kernel / tvmm / host lifelines, one arrow\n"
		"              per exit and one per tvmm action (the default)\n"
		"  --graph     exit-transition graph: reason -> next reason, by count\n"
		"  --rings     the rings, with how many exits each ring caused and what\n"
		"              tvmm did about them\n"
		"  --from SEQ, --to SEQ   only the records with seq in [FROM, TO]\n"
		"  --max N     at most N steps (sequence, after collapsing repeats) or\n"
		"              N edges (graph); default %d, the rest is summarized\n"
		"  -o OUT      OUT.dot (or '-', the default: standard output) is DOT text;\n"
		"              OUT.svg and OUT.png are rendered by Graphviz's `dot`\n"
		"  -h, --help\n", tvmm_prog, DOT_DEFAULT_MAX);
}

int cmd_dot(int argc, char **argv)
{
	static const struct option opts[] = {
		{ "sequence", no_argument, NULL, 's' },
		{ "graph", no_argument, NULL, 'g' },
		{ "rings", no_argument, NULL, 'r' },
		{ "from", required_argument, NULL, 'f' },
		{ "to", required_argument, NULL, 't' },
		{ "max", required_argument, NULL, 'm' },
		{ "output", required_argument, NULL, 'o' },
		{ "help", no_argument, NULL, 'h' },
		{ NULL, 0, NULL, 0 }
	};
	struct dot_opts o = { 0, ~0ULL, DOT_DEFAULT_MAX };
	const struct dot_kind *kind = NULL;
	struct dot_reader rd;
	const char *path, *outpath = NULL, *slash;
	enum dot_format fmt = FMT_DOT;
	bool ranged = false;
	FILE *in;
	int c, status;

	/* 0, not 1: start getopt afresh, so options may follow the file too. */
	optind = 0;
	while ((c = getopt_long(argc, argv, "o:h", opts, NULL)) != -1) {
		const struct dot_kind *k = NULL;

		switch (c) {
		case 's':
			k = &dot_sequence;
			break;
		case 'g':
			k = &dot_graph;
			break;
		case 'r':
			k = &dot_rings;
			break;
		case 'f':
		case 't':
		case 'm':
			if (parse_count(optarg, c == 'f' ? &o.from :
					c == 't' ? &o.to : &o.max)) {
				print_error("dot: --%s wants a number, not '%s'",
					    c == 'f' ? "from" : c == 't' ? "to" : "max",
					    optarg);
				return TVMM_EXIT_USAGE;
			}
			ranged |= c != 'm';
			break;
		case 'o':
			outpath = optarg;
			break;
		case 'h':
			dot_usage(stdout);
			return TVMM_EXIT_OK;
		default:
			dot_usage(stderr);
			return TVMM_EXIT_USAGE;
		}
		if (k && kind && k != kind) {
			print_error("dot: one drawing at a time: --%s or --%s",
				    kind->name, k->name);
			return TVMM_EXIT_USAGE;
		}
		if (k)
			kind = k;
	}
	if (!kind)
		kind = &dot_sequence;
	if (argc - optind != 1) {
		print_error("dot: %s", optind == argc ? "which trace? Give one FILE.jsonl" :
			    "one trace file at a time");
		dot_usage(stderr);
		return TVMM_EXIT_USAGE;
	}
	if (o.from > o.to) {
		print_error("dot: --from %llu is after --to %llu", o.from, o.to);
		return TVMM_EXIT_USAGE;
	}
	if (!o.max || o.max > DOT_MAX_MAX) {
		print_error("dot: --max %llu: give 1 to %d (a drawing with more arrows is unreadable; use --from/--to to look elsewhere)",
			    o.max, DOT_MAX_MAX);
		return TVMM_EXIT_USAGE;
	}
	if (outpath && output_format(outpath, &fmt)) {
		print_error("dot: -o %s: name the output OUT.dot, OUT.svg or OUT.png (the extension picks the format)",
			    outpath);
		return TVMM_EXIT_USAGE;
	}
	/* Before reading a big trace: without Graphviz, only DOT text. */
	if (fmt != FMT_DOT && !have_graphviz()) {
		print_error("dot: writing %s needs Graphviz's `dot` program, which is not on PATH: install graphviz (apt install graphviz), or write DOT text with -o OUT.dot and render it elsewhere",
			    outpath);
		return TVMM_EXIT_FAILURE;
	}

	path = argv[optind];
	in = open_trace("dot", &path);
	if (!in)
		return TVMM_EXIT_INPUT;

	memset(&rd, 0, sizeof(rd));
	rd.kind = kind;
	rd.o = &o;
	rd.path = path;
	slash = strrchr(path, '/');
	rd.sum.name = slash ? slash + 1 : path;
	rd.sum.ranged = ranged;
	rd.d = kind->open(&o);
	if (!rd.d) {
		print_error("dot: out of memory");
		status = TVMM_EXIT_FAILURE;
	} else {
		status = dot_read(in, &rd);
	}
	if (in != stdin)
		fclose(in);
	if (!status && !rd.sum.selected) {
		if (o.to == ~0ULL)
			print_error("%s: no record with seq %llu or later (%llu records in all)",
				    path, o.from, rd.sum.records);
		else
			print_error("%s: no record with seq in [%llu, %llu] (%llu records in all)",
				    path, o.from, o.to, rd.sum.records);
		status = TVMM_EXIT_INPUT;
	}
	if (!status)
		status = dot_output(&rd, outpath, fmt);
	if (rd.d)
		kind->close(rd.d);
	return status;
}
