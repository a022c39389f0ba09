// SPDX-License-Identifier: GPL-2.0
/*
 * trace.c - `tvmm trace`: the exits of every running VM, from the kernel's
 * tvmm:tvmm_exit tracepoint.
 *
 * Concept: watching a hypervisor from outside. `tvmm run --trace` records
 * the VM it runs; this command shows the exits of all VMs, whoever runs
 * them, through ftrace, the way `trace-cmd record -e kvm:kvm_exit` shows
 * KVM's. The event has kvm_exit's field names (exit_reason, guest_rip,
 * info1, info2, intr_info, error_code, vcpu_id), so the same habits and
 * filters work on both.
 * Context: userspace, root (tracefs is root only). TVMM_TRACEFS overrides
 * where tracefs is (the host tests point it at a fake directory).
 */
#include <errno.h>
#include <getopt.h>
#include <signal.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include <tvmm/exit_names.h>

#include "cli.h"
#include "json.h"

#define TRACE_EVENT_DIR		"events/tvmm/tvmm_exit"
#define TRACE_EVENT_NAME	"tvmm_exit"

static volatile sig_atomic_t trace_stop;

static void on_signal(int sig)
{
	(void)sig;
	trace_stop = 1;
}

static bool is_file(const char *dir, const char *name)
{
	char path[4096];
	struct stat st;

	snprintf(path, sizeof(path), "%s/%s", dir, name);
	return !stat(path, &st) && S_ISREG(st.st_mode);
}

static bool is_dir(const char *dir, const char *name)
{
	char path[4096];
	struct stat st;

	snprintf(path, sizeof(path), "%s/%s", dir, name);
	return !stat(path, &st) && S_ISDIR(st.st_mode);
}

/*
 * Where tracefs is mounted: /sys/kernel/tracing (since 4.1), or the old
 * place under debugfs. NULL, after explaining, if neither has it.
 */
static const char *tracefs_root(int *status)
{
	static const char *const places[] = {
		"/sys/kernel/tracing", "/sys/kernel/debug/tracing",
	};
	const char *env = getenv("TVMM_TRACEFS");
	unsigned int i;

	if (env && *env) {
		if (is_file(env, "trace"))
			return env;
		print_error("trace: TVMM_TRACEFS=%s has no 'trace' file: it is not a tracefs.",
			    env);
		*status = TVMM_EXIT_NO_TRACEFS;
		return NULL;
	}
	for (i = 0; i < 2; i++)
		if (is_file(places[i], "trace"))
			return places[i];
	if (is_dir(places[0], "."))
		print_error("trace: tracefs is not mounted. Mount it with `mount -t tracefs nodev /sys/kernel/tracing` (as root), then retry.");
	else
		print_error("trace: this kernel has no tracefs (/sys/kernel/tracing does not exist): it was built without CONFIG_TRACING, so tvmm's tracepoint cannot be read. Use `tvmm run --trace FILE` instead.");
	*status = TVMM_EXIT_NO_TRACEFS;
	return NULL;
}

/* The tvmm_exit event directory exists, or say why not. */
static int check_event(const char *root)
{
	if (is_file(root, TRACE_EVENT_DIR "/enable"))
		return TVMM_EXIT_OK;
	if (access(dev_path(), F_OK))
		return dev_error("no tvmm:tvmm_exit event in tracefs", ENOENT);
	print_error("trace: tvmm.ko is loaded but %s/%s does not exist: the module was built without its tracepoint (kernel without CONFIG_TRACEPOINTS?). Use `tvmm run --trace FILE` instead.",
		    root, TRACE_EVENT_DIR);
	return TVMM_EXIT_NO_TRACEFS;
}

/* Read a one-line tracefs control file ("0\n"); its first char or -1. */
static int read_flag(const char *root, const char *name)
{
	char path[4096], c;
	FILE *f;
	int ret;

	snprintf(path, sizeof(path), "%s/%s", root, name);
	f = fopen(path, "r");
	if (!f)
		return -1;
	ret = fread(&c, 1, 1, f) == 1 ? c : -1;
	fclose(f);
	return ret;
}

static int write_flag(const char *root, const char *name, char value)
{
	char path[4096];
	FILE *f;
	int ret;

	snprintf(path, sizeof(path), "%s/%s", root, name);
	f = fopen(path, "w");
	if (!f) {
		ret = errno;
		goto fail;
	}
	fputc(value, f);
	fputc('\n', f);
	if (fclose(f)) {
		ret = errno;
		goto fail;
	}
	return TVMM_EXIT_OK;
fail:
	if (ret == EACCES || ret == EPERM) {
		print_error("trace: %s: permission denied: tracefs is root only; run as root.",
			    path);
		return TVMM_EXIT_PERM;
	}
	print_error("trace: cannot write %s: %s", path, strerror(ret));
	return TVMM_EXIT_FAILURE;
}

/* Keys in the event's text -> kvm_exit's field names (the JSON keys). */
static const char *canonical_key(const char *key)
{
	static const char *const map[][2] = {
		{ "reason", "exit_reason" },
		{ "rip", "guest_rip" },
		{ "vcpu", "vcpu_id" },
	};
	unsigned int i;

	for (i = 0; i < sizeof(map) / sizeof(map[0]); i++)
		if (!strcmp(key, map[i][0]))
			return map[i][1];
	return key;
}

/**
 * trace_parse_line() - split one ftrace line of the tvmm_exit event:
 *   "  tvmm-123  [000] d..1.  1234.567890: tvmm_exit: vcpu 0 reason HLT rip 0x10005 ..."
 * into the task, CPU, timestamp and the event's "key value" pairs (keys
 * renamed to kvm_exit's field names).
 * Return: 0, or -1 if @line is not a tvmm_exit line (comments, others).
 */
int trace_parse_line(const char *line, struct trace_line *tl)
{
	static const char marker[] = ": " TRACE_EVENT_NAME ": ";
	const char *ev = strstr(line, marker), *p, *open, *close, *ts;
	char copy[1024], *tok, *save, *key;
	size_t n;

	memset(tl, 0, sizeof(*tl));
	if (!ev || line[0] == '#')
		return -1;
	/* Timestamp: the word before the marker. */
	for (ts = ev; ts > line && ts[-1] != ' '; ts--)
		;
	n = ev - ts;
	if (!n || n >= sizeof(tl->timestamp))
		return -1;
	memcpy(tl->timestamp, ts, n);
	/* "[cpu]", and before it "comm-pid" (comm may hold '-' and spaces). */
	open = strchr(line, '[');
	close = open ? strchr(open, ']') : NULL;
	if (!open || !close || close > ts)
		return -1;
	tl->cpu = atoi(open + 1);
	for (p = open; p > line && p[-1] == ' '; p--)
		;
	for (ts = p; ts > line && ts[-1] != '-'; ts--)
		;
	if (ts == line)
		return -1;
	tl->pid = atoi(ts);
	for (p = line; *p == ' '; p++)
		;
	n = ts - 1 - p;
	if (n >= sizeof(tl->comm))
		n = sizeof(tl->comm) - 1;
	memcpy(tl->comm, p, n);

	snprintf(copy, sizeof(copy), "%s", ev + strlen(marker));
	for (key = strtok_r(copy, " \t\n", &save); key && tl->nfields < TRACE_MAX_FIELDS;
	     key = strtok_r(NULL, " \t\n", &save)) {
		tok = strtok_r(NULL, " \t\n", &save);
		if (!tok)
			break;
		snprintf(tl->fields[tl->nfields].key, sizeof(tl->fields[0].key), "%s",
			 canonical_key(key));
		snprintf(tl->fields[tl->nfields].value, sizeof(tl->fields[0].value),
			 "%s", tok);
		tl->nfields++;
	}
	return 0;
}

/* A decimal value is a JSON number; "0x..." and words stay strings. */
static bool is_decimal(const char *s)
{
	if (!*s)
		return false;
	if (*s == '0' && s[1])
		return false;
	for (; *s; s++)
		if (*s < '0' || *s > '9')
			return false;
	return true;
}

void trace_print_line(FILE *out, const struct trace_line *tl, bool json)
{
	unsigned int i;

	if (json) {
		struct json_writer w;

		json_init(&w, out, false);
		json_begin_object(&w, NULL);
		json_string(&w, "timestamp", tl->timestamp);
		json_string(&w, "comm", tl->comm);
		json_uint(&w, "pid", tl->pid);
		json_uint(&w, "cpu", tl->cpu);
		for (i = 0; i < tl->nfields; i++) {
			const char *k = tl->fields[i].key, *v = tl->fields[i].value;

			if (is_decimal(v))
				json_uint(&w, k, strtoull(v, NULL, 10));
			else
				json_string(&w, k, v);
			if (!strcmp(k, "exit_reason")) {
				int code = vmx_exit_reason_from_name(v);

				if (code >= 0)
					json_uint(&w, "reason_code", code);
			}
		}
		json_end_object(&w);
		json_finish(&w);
		return;
	}
	fprintf(out, "%s %s-%d [%03d]", tl->timestamp, tl->comm, tl->pid, tl->cpu);
	for (i = 0; i < tl->nfields; i++)
		if (!strcmp(tl->fields[i].key, "exit_reason"))
			fprintf(out, " %-18s", tl->fields[i].value);
	for (i = 0; i < tl->nfields; i++)
		if (strcmp(tl->fields[i].key, "exit_reason"))
			fprintf(out, " %s=%s", tl->fields[i].key, tl->fields[i].value);
	fputc('\n', out);
}

/* Copy tvmm_exit lines from @f to stdout until EOF or Ctrl-C. */
static int pump(FILE *f, bool json, unsigned long *shown)
{
	char line[1024];
	struct trace_line tl;

	while (!trace_stop) {
		if (!fgets(line, sizeof(line), f)) {
			if (ferror(f) && errno == EINTR) {
				clearerr(f);
				continue;
			}
			break;
		}
		if (trace_parse_line(line, &tl))
			continue;
		trace_print_line(stdout, &tl, json);
		(*shown)++;
		if (fflush(stdout))
			return TVMM_EXIT_FAILURE;
	}
	return TVMM_EXIT_OK;
}

static void trace_usage(FILE *out)
{
	fprintf(out,
		"usage: %s trace [--follow] [--json] | --off\n"
		"  The exits of every running VM, from the tvmm:tvmm_exit tracepoint.\n"
		"  Without --follow, print what the trace buffer holds now (and turn the\n"
		"  event on if it was off, so the next call has something to show).\n"
		"  --follow   stream exits as they happen until Ctrl-C, then restore the\n"
		"             event's previous state\n"
		"  --json     one JSON object per exit (kvm_exit's field names)\n"
		"  --off      turn the event off and exit\n"
		"  -h, --help\n", tvmm_prog);
}

int cmd_trace(int argc, char **argv)
{
	static const struct option opts[] = {
		{ "follow", no_argument, NULL, 'f' },
		{ "json", no_argument, NULL, 'j' },
		{ "off", no_argument, NULL, 'o' },
		{ "help", no_argument, NULL, 'h' },
		{ NULL, 0, NULL, 0 }
	};
	bool follow = false, json = false, off = false;
	unsigned long shown = 0;
	const char *root;
	char path[4096];
	int c, was_on, status = 0, ret;
	struct sigaction sa;
	FILE *f;

	optind = 1;
	while ((c = getopt_long(argc, argv, "fjh", opts, NULL)) != -1) {
		switch (c) {
		case 'f':
			follow = true;
			break;
		case 'j':
			json = true;
			break;
		case 'o':
			off = true;
			break;
		case 'h':
			trace_usage(stdout);
			return TVMM_EXIT_OK;
		default:
			trace_usage(stderr);
			return TVMM_EXIT_USAGE;
		}
	}
	if (optind < argc || (off && (follow || json))) {
		print_error("trace: %s", optind < argc ? "unexpected argument" :
			    "--off takes no other option");
		trace_usage(stderr);
		return TVMM_EXIT_USAGE;
	}

	root = tracefs_root(&status);
	if (!root)
		return status;
	status = check_event(root);
	if (status)
		return status;
	if (off)
		return write_flag(root, TRACE_EVENT_DIR "/enable", '0');

	was_on = read_flag(root, TRACE_EVENT_DIR "/enable") == '1';
	if (!was_on) {
		status = write_flag(root, TRACE_EVENT_DIR "/enable", '1');
		if (status)
			return status;
	}
	if (read_flag(root, "tracing_on") == '0')
		print_error("trace: warning: tracing is off (%s/tracing_on is 0): no event is recorded. `echo 1 > %s/tracing_on` turns it on.",
			    root, root);

	memset(&sa, 0, sizeof(sa));
	sa.sa_handler = on_signal;	/* no SA_RESTART: read() returns */
	sigemptyset(&sa.sa_mask);
	sigaction(SIGINT, &sa, NULL);
	sigaction(SIGTERM, &sa, NULL);

	snprintf(path, sizeof(path), "%s/%s", root, follow ? "trace_pipe" : "trace");
	f = fopen(path, "r");
	if (!f) {
		print_error("trace: cannot open %s: %s", path, strerror(errno));
		status = errno == EACCES ? TVMM_EXIT_PERM : TVMM_EXIT_FAILURE;
	} else {
		if (follow && isatty(STDERR_FILENO))
			fprintf(stderr, "%s: following tvmm_exit events; Ctrl-C stops.\n",
				tvmm_prog);
		status = pump(f, json, &shown);
		fclose(f);
	}

	if (follow && !was_on) {
		ret = write_flag(root, TRACE_EVENT_DIR "/enable", '0');
		if (!status)
			status = ret;
	} else if (!follow && !was_on) {
		print_error("trace: the tvmm_exit event was off, so the buffer holds no exits from while it was off. It is on now: run a guest, then `%s trace` again (`%s trace --off` turns it off).",
			    tvmm_prog, tvmm_prog);
	} else if (!follow && !shown) {
		fprintf(stderr, "%s: no tvmm exits in the trace buffer.\n", tvmm_prog);
	}
	return status;
}
