// SPDX-License-Identifier: GPL-2.0
/*
 * tvmm sensitive: what ring-3 code can do with x86's sensitive
 * instructions, on the machine you are on, with no VMM at all.
 *
 * Concept: "Problemi con l'architettura x86" and Popek-Goldberg. A VMM
 * built on trap-and-emulate needs every *sensitive* instruction (one that
 * reads or changes privileged state) to be *privileged* (to trap when run
 * outside ring 0). This program runs each instruction at ring 3 and
 * reports what happened: CLI, HLT and IN trap (SIGSEGV from a #GP: they
 * are privileged); POPF silently ignores a change of IF; PUSHF shows the
 * real IF and IOPL; SGDT, SIDT, SLDT, STR and SMSW read system state
 * without trapping, unless the CPU has UMIP turned on: then they trap, and
 * Linux emulates them for the process with dummy values, so the process
 * still sees no signal. The SGDT/SIDT dummies give that away (umip.h): the
 * rows then say "privileged", with what the kernel did in between.
 * The ones that do not trap are why x86 was not virtualizable by
 * trap-and-emulate alone (lab 00, and lab 08 inside tvmm).
 *
 * Context: an ordinary user process; no module, no VT-x needed.
 */
#define _GNU_SOURCE
#include <getopt.h>
#include <setjmp.h>
#include <signal.h>
#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>
#include <string.h>
#include <unistd.h>

#include "cli.h"
#include "dot.h"
#include "sensitive.h"
#include "umip.h"

/*
 * The x86-64 ABI lets the compiler keep data in the 128 bytes below RSP
 * (the red zone): step over it before pushing anything in inline asm.
 */
#define SKIP_RED_ZONE	"sub $128, %%rsp\n\t"
#define BACK_RED_ZONE	"add $128, %%rsp\n\t"

#define EFLAGS_IF	(1UL << 9)
#define EFLAGS_IOPL(f)	(((f) >> 12) & 3)

static sigjmp_buf probe_jmp;
static volatile int probe_signal;

static void probe_fault(int sig)
{
	probe_signal = sig;
	siglongjmp(probe_jmp, 1);
}

/* Run @body(@arg) at ring 3; return true if it faulted (SIGSEGV/SIGILL). */
static bool run_probe(void (*body)(void *arg), void *arg)
{
	probe_signal = 0;
	if (sigsetjmp(probe_jmp, 1))
		return true;
	body(arg);
	return false;
}

struct pseudo_desc {
	uint16_t limit;
	uint64_t base;
} __attribute__((packed));

/* The instructions, one tiny function each; results go through @arg. */
static void do_cli(void *arg __attribute__((unused))) { asm volatile("cli"); }
static void do_sti(void *arg __attribute__((unused))) { asm volatile("sti"); }
static void do_hlt(void *arg __attribute__((unused))) { asm volatile("hlt"); }
static void do_in(void *arg __attribute__((unused))) { asm volatile("inb $0x80, %%al" : : : "eax"); }
static void do_sgdt(void *arg) { asm volatile("sgdt %0" : "=m"(*(struct pseudo_desc *)arg)); }
static void do_sidt(void *arg) { asm volatile("sidt %0" : "=m"(*(struct pseudo_desc *)arg)); }
static void do_sldt(void *arg) { asm volatile("sldt %0" : "=m"(*(uint16_t *)arg)); }
static void do_str(void *arg) { asm volatile("str %0" : "=m"(*(uint16_t *)arg)); }
static void do_smsw(void *arg) { asm volatile("smsw %0" : "=m"(*(uint16_t *)arg)); }
static void do_mov_cs(void *arg) { asm volatile("mov %%cs, %0" : "=m"(*(uint16_t *)arg)); }

static void do_pushf(void *arg)
{
	unsigned long flags;

	asm volatile(SKIP_RED_ZONE "pushf; pop %0\n\t" BACK_RED_ZONE : "=r"(flags));
	*(unsigned long *)arg = flags;
}

/* POPF with IF cleared, as a guest kernel's "restore flags" would; @arg gets the flags after. */
static void do_popf(void *arg)
{
	unsigned long flags;

	asm volatile(SKIP_RED_ZONE "pushf; pop %0\n\t" BACK_RED_ZONE : "=r"(flags));
	flags &= ~EFLAGS_IF;
	asm volatile(SKIP_RED_ZONE "push %1; popf; pushf; pop %0\n\t" BACK_RED_ZONE
		     : "=r"(flags) : "r"(flags) : "cc");
	*(unsigned long *)arg = flags;
}

static void probe_privileged(struct probe *p, const char *insn, void (*body)(void *))
{
	p->insn = insn;
	p->sensitive = true;
	p->trapped = run_probe(body, NULL);
	snprintf(p->what, sizeof(p->what), p->trapped ?
		 "trapped: #GP, delivered as %s" : "ran without trapping (IOPL 3?)",
		 probe_signal == SIGSEGV ? "SIGSEGV" : "a signal");
}

static void probe_popf(struct probe *p)
{
	unsigned long after = 0;

	p->insn = "popf";
	p->sensitive = true;
	p->trapped = run_probe(do_popf, &after);
	snprintf(p->what, sizeof(p->what), p->trapped ? "trapped" :
		 "no trap, and IF is still %lu: the change was silently ignored",
		 (after & EFLAGS_IF) ? 1UL : 0UL);
}

static void probe_pushf(struct probe *p)
{
	unsigned long flags = 0;

	p->insn = "pushf";
	p->sensitive = true;
	p->trapped = run_probe(do_pushf, &flags);
	snprintf(p->what, sizeof(p->what),
		 "no trap: reveals the real IF=%lu and IOPL=%lu",
		 (flags & EFLAGS_IF) ? 1UL : 0UL, EFLAGS_IOPL(flags));
}

/* SGDT/SIDT: reveal the table's address (the VMM's own, under a VMM). */
static void probe_table(struct probe *p, const char *insn, void (*body)(void *))
{
	struct pseudo_desc d = { 0, 0 };

	p->insn = insn;
	p->sensitive = true;
	p->trapped = run_probe(body, &d);
	p->has_value = !p->trapped;
	p->value = d.base;
	p->limit = d.limit;
	if (p->trapped)
		snprintf(p->what, sizeof(p->what),
			 "trapped: UMIP is on, the kernel blocks it (SIGSEGV)");
	else
		snprintf(p->what, sizeof(p->what),
			 "no trap: base 0x%llx limit 0x%x (the kernel's table)",
			 (unsigned long long)d.base, d.limit);
}

/* SLDT/STR/SMSW/MOV from CS: 16-bit system state. */
static void probe_state16(struct probe *p, const char *insn, void (*body)(void *),
			  const char *meaning)
{
	uint16_t v = 0;

	p->insn = insn;
	p->sensitive = true;
	p->trapped = run_probe(body, &v);
	p->has_value = !p->trapped;
	p->value = v;
	if (p->trapped)
		snprintf(p->what, sizeof(p->what),
			 "trapped: UMIP is on, the kernel blocks it (SIGSEGV)");
	else
		snprintf(p->what, sizeof(p->what), "no trap: reads 0x%04x%s", v, meaning);
}

/*
 * Linux's UMIP emulation: when SGDT or SIDT returned its dummy, every
 * UMIP instruction that returned a value the emulation gives did trap, and
 * the kernel answered for it. Returns true if UMIP emulation was seen.
 */
static bool umip_recognise(struct probe *probes, unsigned int n)
{
	bool seen = false;
	unsigned int i;

	for (i = 0; i < n; i++)
		seen |= probes[i].has_value &&
			umip_table_dummy(probes[i].insn, probes[i].value, probes[i].limit);
	for (i = 0; seen && i < n; i++) {
		struct probe *p = &probes[i];
		bool dummy = umip_table_dummy(p->insn, p->value, p->limit) ||
			     umip_value_dummy(p->insn, (uint16_t)p->value);

		if (!p->has_value || !dummy)
			continue;
		p->trapped = true;
		p->umip = true;
		if (!strcmp(p->insn, "sgdt") || !strcmp(p->insn, "sidt"))
			snprintf(p->what, sizeof(p->what),
				 "trapped (UMIP), emulated by Linux: dummy base 0x%llx limit 0x%x",
				 (unsigned long long)p->value, p->limit);
		else
			snprintf(p->what, sizeof(p->what),
				 "trapped (UMIP), emulated by Linux: dummy value 0x%04llx",
				 (unsigned long long)p->value);
	}
	return seen;
}

static void sensitive_usage(FILE *out)
{
	fprintf(out, "usage: %s sensitive [--json] [--chart OUT.{dot,svg,png}]\n"
		"  run each x86 sensitive instruction at ring 3 and say what happened\n"
		"  --json    the table as JSON\n"
		"  --chart   also draw the result as a Venn-style figure: privileged,\n"
		"            sensitive, sensitive but unprivileged (Graphviz)\n",
		tvmm_prog);
}

int cmd_sensitive(int argc, char **argv)
{
	static const struct option opts[] = {
		{ "json", no_argument, NULL, 'j' },
		{ "chart", required_argument, NULL, 'c' },
		{ "help", no_argument, NULL, 'h' },
		{ NULL, 0, NULL, 0 }
	};
	struct probe probes[16];
	struct sigaction sa;
	unsigned int n = 0, i, silent = 0;
	const char *chart = NULL;
	bool umip, json = false;
	int c;

	optind = 1;
	while ((c = getopt_long(argc, argv, "h", opts, NULL)) != -1) {
		switch (c) {
		case 'j':
			json = true;
			break;
		case 'c':
			chart = optarg;
			break;
		case 'h':
			sensitive_usage(stdout);
			return TVMM_EXIT_OK;
		default:
			sensitive_usage(stderr);
			return TVMM_EXIT_USAGE;
		}
	}
	if (optind != argc) {
		print_error("sensitive: unexpected argument '%s'", argv[optind]);
		sensitive_usage(stderr);
		return TVMM_EXIT_USAGE;
	}
	if (chart) {
		int st = dot_check_output("sensitive", chart);

		if (st)
			return st;
	}
	memset(&sa, 0, sizeof(sa));
	sa.sa_handler = probe_fault;
	sigaction(SIGSEGV, &sa, NULL);
	sigaction(SIGILL, &sa, NULL);
	sigaction(SIGBUS, &sa, NULL);

	memset(probes, 0, sizeof(probes));
	probe_privileged(&probes[n++], "cli", do_cli);
	probe_privileged(&probes[n++], "sti", do_sti);
	probe_privileged(&probes[n++], "hlt", do_hlt);
	probe_privileged(&probes[n++], "in", do_in);
	probe_popf(&probes[n++]);
	probe_pushf(&probes[n++]);
	probe_table(&probes[n++], "sgdt", do_sgdt);
	probe_table(&probes[n++], "sidt", do_sidt);
	probe_state16(&probes[n++], "sldt", do_sldt, " (the LDT selector)");
	probe_state16(&probes[n++], "str", do_str, " (the TSS selector)");
	probe_state16(&probes[n++], "smsw", do_smsw, " (CR0's low bits: PE, MP, TS...)");
	probe_state16(&probes[n++], "mov %cs", do_mov_cs, " (its RPL is the real ring)");
	umip = umip_recognise(probes, n);
	if (chart) {
		int st = sensitive_chart(chart, probes, n, umip);

		if (st)
			return st;
	}

	if (json) {
		printf("[");
		for (i = 0; i < n; i++)
			printf("%s{\"insn\":\"%s\",\"sensitive\":%s,\"privileged\":%s,\"umip\":%s,\"what\":\"%s\"}",
			       i ? "," : "", probes[i].insn, probes[i].sensitive ? "true" : "false",
			       probes[i].trapped ? "true" : "false",
			       probes[i].umip ? "true" : "false", probes[i].what);
		printf("]\n");
		return 0;
	}
	printf("Sensitive x86 instructions run at ring 3 on this machine, no VMM:\n\n");
	printf("%-9s %-10s %-11s %s\n", "insn", "sensitive", "privileged", "what happened");
	for (i = 0; i < n; i++) {
		printf("%-9s %-10s %-11s %s\n", probes[i].insn,
		       probes[i].sensitive ? "yes" : "no",
		       probes[i].trapped ? "yes" : "NO", probes[i].what);
		silent += probes[i].sensitive && !probes[i].trapped;
	}
	if (umip)
		printf("\nUMIP is on: SGDT, SIDT, SLDT, STR and SMSW trap at ring 3, and Linux\n"
		       "emulates them for the process with dummy values (the SGDT/SIDT results\n"
		       "above are those dummies, no real table's), so no signal arrives.\n");
	printf("\n%u sensitive instructions ran without trapping. Popek and Goldberg: a\n"
	       "machine is virtualizable by trap-and-emulate only if every sensitive\n"
	       "instruction is privileged. On x86 these are not, so a de-privileged guest\n"
	       "kernel would run them without its VMM ever knowing (lab 08 shows it inside\n"
	       "tvmm), hence binary translation, paravirtualization and VT-x.\n", silent);
	return 0;
}
