/* SPDX-License-Identifier: GPL-2.0 */
/*
 * minios_util.h - running guests/minios.S from a kselftest: its console
 * text, one traced run in a mode, the exit counts logged like `tvmm stats`.
 * Shared by deprivilege_test (lab 07: hw, deprivileged, paravirt) and
 * minios_patch_test (lab 08: the same kernel in patch mode), so that lab
 * 07's grade never depends on lab 08's code.
 * Include after vm_util.h and the kselftest harness.
 */
#ifndef TVMM_MINIOS_UTIL_H
#define TVMM_MINIOS_UTIL_H

#include <sys/wait.h>

/*
 * Names of exit reasons, actions and modes, from module/exit_names.c
 * (linked in), the tables the tool and debugfs use. Declared here:
 * <tvmm/exit_names.h> brings vmx_arch.h's enum, which clashes with
 * vm_util.h's EXIT_REASON_* macros.
 */
const char *vmx_exit_reason_name(__u32 reason);
const char *tvmm_action_name(unsigned int action);
const char *tvmm_mode_name(unsigned int mode);

/*
 * guests/minios.S: its console, in every mode, with a timer; the boot's
 * ticks and the app's exit status are this run's seed's (seed.h: 3 and
 * 42 for seed 0).
 */
static inline const char *minios_text(void)
{
	static char text[512];

	snprintf(text, sizeof(text),
		 "minios: kernel up (GDT, IDT, TSS loaded)\n"
		 "minios: interrupts on, %u timer ticks seen\n"
		 "minios: cli section: the tick waited for sti\n"
		 "hello from ring 3\n"
		 "app: getticks says the timer ran in ring 3\n"
		 "minios: app exited with %u\n", seed_params()->minios_boot_ticks,
		 seed_params()->minios_status);
	return text;
}
#define MINIOS_TEXT		minios_text()
#define MINIOS_TEXT_NO_TIMER	"minios: kernel up (GDT, IDT, TSS loaded)\n"
#define MINIOS_STATUS		(seed_params()->minios_status)	/* 42 for seed 0 */
#define MINIOS_SYSCALLS		5	/* write, getticks x2, write, exit */
#define MINIOS_BOOT_TICKS	(seed_params()->minios_boot_ticks)	/* waited for with HLT */
/* The period minios's spins are sized for: run_minios() sets tvmm's timer to it. */
#define MINIOS_TIMER_PERIOD	(seed_params()->minios_timer_period)	/* 1000000 for seed 0 */
#define MINIOS_UCODE_SEL	0x1b	/* the app's CS */
#define T_SYSCALL		0x80
/* #GP error code of `int $0x80` through a DPL-0 gate: IDT bit | vector << 3. */
#define GP_ERR_INT80		((T_SYSCALL << 3) | 2)
#define X86_EFLAGS_IF		(1ULL << 9)
#define INTR_INFO_VECTOR(i)	((i) & 0xff)
#define X86_EXC_GP		13

/* A budget and a deadline, so a broken kernel side fails instead of hanging. */
#define MINIOS_MAX_EXITS	50000
#define MINIOS_TIMEOUT_S	240

static void on_alarm(int sig)
{
	(void)sig;
}

/*
 * Run @guest in @mode with the seed's timer period (tvmm's default for
 * seed 0), tracing. Return 0, or -errno
 * (-EOPNOTSUPP: the module does not have this mode; -EINTR: timed out).
 */
static int run_minios(__u32 mode, const char *guest, struct vm_result *res)
{
	struct tvmm_config c = vm_config(mode, TVMM_CONFIG_TRACE, MINIOS_MAX_EXITS);
	struct sigaction sa;
	int ret;

	c.timer_ticks = MINIOS_TIMER_PERIOD;
	memset(&sa, 0, sizeof(sa));
	sa.sa_handler = on_alarm;
	sigemptyset(&sa.sa_mask);
	sigaction(SIGALRM, &sa, NULL);	/* no SA_RESTART: TVMM_RUN fails with EINTR */
	alarm(MINIOS_TIMEOUT_S);
	ret = vm_run_guest(&c, guest, res, NULL);
	alarm(0);
	return ret;
}

/*
 * Log the exits of one run like `tvmm stats` (reason, samples, sample%,
 * time%, min/max/avg handler ticks), one row per reason and mnemonic, then
 * the actions. One TH_LOG per line keeps the KTAP output well formed.
 */
struct stat_row {
	char name[48];
	unsigned long long samples, ticks, min, max;
};

static inline void log_exit_counts(struct __test_metadata *_metadata, const char *mode,
			    const struct vm_result *r)
{
	static struct stat_row rows[128];
	unsigned int nrows = 0, i, a;
	unsigned long long total_ticks = 0;
	char line[160];

	for (size_t k = 0; k < r->nrecs; k++) {
		const struct tvmm_exit_record *rec = &r->recs[k];
		char name[48];

		if (rec->mnemonic[0])
			snprintf(name, sizeof(name), "%s(%.*s)",
				 vmx_exit_reason_name(rec->reason_code),
				 TVMM_MNEMONIC_MAX, rec->mnemonic);
		else
			snprintf(name, sizeof(name), "%s",
				 vmx_exit_reason_name(rec->reason_code));
		for (i = 0; i < nrows && strcmp(rows[i].name, name); i++)
			;
		if (i == nrows) {
			if (nrows == sizeof(rows) / sizeof(rows[0]))
				continue;
			memset(&rows[i], 0, sizeof(rows[i]));
			snprintf(rows[i].name, sizeof(rows[i].name), "%s", name);
			rows[i].min = ~0ULL;
			nrows++;
		}
		rows[i].samples++;
		rows[i].ticks += rec->cycles;
		rows[i].min = rec->cycles < rows[i].min ? rec->cycles : rows[i].min;
		rows[i].max = rec->cycles > rows[i].max ? rec->cycles : rows[i].max;
		total_ticks += rec->cycles;
	}
	TH_LOG("exits of minios in mode %s (handler times in TSC ticks, emulated under Bochs):",
	       mode);
	TH_LOG("%28s %8s %8s %8s %9s %9s %11s", "Event name", "Samples", "Sample%",
	       "Time%", "Min Time", "Max Time", "Avg time");
	for (i = 0; i < nrows; i++)
		TH_LOG("%28s %8llu %7.2f%% %7.2f%% %9llu %9llu %11.1f", rows[i].name,
		       rows[i].samples, 100.0 * rows[i].samples / r->nrecs,
		       total_ticks ? 100.0 * rows[i].ticks / total_ticks : 0.0,
		       rows[i].min, rows[i].max, (double)rows[i].ticks / rows[i].samples);
	snprintf(line, sizeof(line), "Total Samples:%zu, Total events handled time:%lluticks.",
		 r->nrecs, total_ticks);
	TH_LOG("%s", line);
	line[0] = '\0';
	for (a = 0; a <= TVMM_ACTION_PATCHED; a++)
		snprintf(line + strlen(line), sizeof(line) - strlen(line), "%s%s %u",
			 a ? ", " : "", tvmm_action_name(a), count_action(r, a));
	TH_LOG("actions: %s", line);
}

/* Run minios in @mode (skip if the module lacks it) and check how it ended. */
#define RUN_MINIOS(mode, guest, want_end)					\
	do {									\
		int __ret = run_minios(mode, guest, &self->res);		\
		if (__ret == -EOPNOTSUPP)					\
			SKIP(return, "tvmm.ko refuses mode %s (EOPNOTSUPP): its lab (06-08) is not in this build", \
			     tvmm_mode_name(mode));				\
		ASSERT_EQ(0, __ret) TH_LOG("running %s in mode %s: %s%s", guest,	\
					   tvmm_mode_name(mode), strerror(-__ret), \
					   __ret == -EINTR ? " (no end in time)" : ""); \
		EXPECT_EQ(want_end, self->res.run.end)				\
			TH_LOG("ended with %s: %s", end_name(self->res.run.end),	\
			       self->res.run.message);				\
		ASSERT_LT(0, self->res.nrecs) TH_LOG("no exit records");	\
	} while (0)

/* Exits a run's guest caused: all but host interrupts and the preemption timer. */
static inline unsigned int guest_exits(const struct vm_result *r)
{
	unsigned int n = 0;

	for (size_t i = 0; i < r->nrecs; i++)
		n += !exit_is_host_noise(&r->recs[i]);
	return n;
}

static inline void log_exit_header(struct __test_metadata *_metadata)
{
	TH_LOG("%-13s %7s %9s %9s %9s %8s %7s %7s %7s", "mode", "exits", "emulated",
	       "reflected", "injected", "ignored", "io/out", "vmcall", "hlt");
}

/*
 * One row of the exit-count comparison: run @guest in @mode, check its
 * console, log its counts, store its guest-caused exits in *@exits.
 * Returns run_minios()'s result (-EOPNOTSUPP: the mode is not built).
 */
static inline int run_and_count(struct __test_metadata *_metadata, __u32 mode,
				const char *guest, struct vm_result *r, unsigned int *exits)
{
	int ret = run_minios(mode, guest, r);

	if (ret == -EOPNOTSUPP) {
		TH_LOG("%-13s (not in this tvmm.ko)", tvmm_mode_name(mode));
		return ret;
	}
	if (ret) {
		TH_LOG("mode %s: %s", tvmm_mode_name(mode), strerror(-ret));
		return ret;
	}
	EXPECT_STREQ(MINIOS_TEXT, r->console) TH_LOG("mode %s", tvmm_mode_name(mode));
	*exits = guest_exits(r);
	TH_LOG("%-13s %7zu %9u %9u %9u %8u %7u %7u %7u", tvmm_mode_name(mode),
	       r->nrecs, count_action(r, TVMM_ACTION_EMULATED),
	       count_action(r, TVMM_ACTION_REFLECTED),
	       count_action(r, TVMM_ACTION_INJECTED),
	       count_action(r, TVMM_ACTION_IGNORED),
	       count_mnemonic(r, "out"), count_reason(r, EXIT_REASON_VMCALL),
	       count_mnemonic(r, "hlt"));
	vm_result_free(r);
	memset(r, 0, sizeof(*r));
	return 0;
}

/*
 * `tvmm run ARGS` in the guests' directory: its exit status (-1 if it
 * did not exit) and its stdout in @out.
 */
static inline int tool_run(const char *args, char *out, size_t size)
{
	char dir[PATH_MAX], cmd[PATH_MAX * 2 + 256];
	size_t n;
	int status;
	FILE *p;

	guest_path("", dir, sizeof(dir));
	snprintf(cmd, sizeof(cmd), "cd %s && tvmm run %s 2>/dev/null", dir, args);
	p = popen(cmd, "r");
	if (!p)
		return -1;
	n = fread(out, 1, size - 1, p);
	out[n] = '\0';
	status = pclose(p);
	return WIFEXITED(status) ? WEXITSTATUS(status) : -1;
}

#endif /* TVMM_MINIOS_UTIL_H */
