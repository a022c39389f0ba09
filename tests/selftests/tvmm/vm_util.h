/* SPDX-License-Identifier: GPL-2.0 */
/*
 * vm_util.h - helpers of the tvmm selftests that run guests: create a VM,
 * load a guest from guests/, run it to the end while collecting its
 * console and exit records, count records by reason.
 *
 * Guests (the .bin files of guests/) are installed next to the tests; GUEST_DIR in the
 * environment overrides where they are looked for. With TVMM_SEED set (not
 * 0), the guests come from a copy of that directory with the seed's
 * variant written into them (seed.h), made once per seed in /tmp. Every helper returns
 * -errno on failure so the caller can assert on it, in the style of
 * tvmm_util.h.
 */
#ifndef TVMM_VM_UTIL_H
#define TVMM_VM_UTIL_H

#include "tvmm_util.h"
#include "seed.h"

#include <cpuid.h>
#include <dirent.h>
#include <libgen.h>
#include <signal.h>
#include <sys/ioctl.h>

/* Exit reasons the tests name (SDM vol. 3D, appendix C). */
#define EXIT_REASON_EXCEPTION_NMI	0
#define EXIT_REASON_EXTERNAL_INTERRUPT	1
#define EXIT_REASON_TRIPLE_FAULT	2
#define EXIT_REASON_CPUID		10
#define EXIT_REASON_HLT			12
#define EXIT_REASON_VMCALL		18
#define EXIT_REASON_CR_ACCESS		28
#define EXIT_REASON_IO_INSTRUCTION	30
#define EXIT_REASON_MSR_READ		31
#define EXIT_REASON_EPT_VIOLATION	48
#define EXIT_REASON_PREEMPTION_TIMER	52

/* I/O exit qualification (SDM vol. 3C, table "Exit Qualification for I/O Instructions") */
#define IO_QUAL_IN			(1ULL << 3)	/* direction: 1 = IN */
#define io_qual_port(q)			((unsigned int)(((q) >> 16) & 0xffff))

#define X86_CR0_PE			(1ULL << 0)
#define CPUID_1_ECX_VMX			(1U << 5)

static inline bool cpu_has_vmx(void)
{
	unsigned int eax, ebx, ecx, edx;

	return __get_cpuid(1, &eax, &ebx, &ecx, &edx) && (ecx & CPUID_1_ECX_VMX);
}

/*
 * Exits the host causes, not the guest: a host interrupt or the
 * preemption timer can land anywhere in a run. Tests that count the
 * guest's own exits leave these out.
 */
static inline bool exit_is_host_noise(const struct tvmm_exit_record *rec)
{
	return rec->reason_code == EXIT_REASON_EXTERNAL_INTERRUPT ||
	       rec->reason_code == EXIT_REASON_PREEMPTION_TIMER;
}

/*
 * Copy the guests (*.bin) of @src into @dst, each with variant @p written
 * into it (seed_apply). Returns 0 or -1. Built in a temporary directory
 * and renamed into place, so a half-made copy is never used.
 */
static inline int seed_copy_guests(const char *src, const char *dst,
				   const struct seed_params *p)
{
	char tmp[PATH_MAX + 32], path[PATH_MAX * 3];
	static unsigned char img[1 << 20];
	struct dirent *de;
	int ret = 0;
	DIR *d;

	snprintf(tmp, sizeof(tmp), "%s.tmp.%d", dst, (int)getpid());
	if (mkdir(tmp, 0755))
		return -1;
	d = opendir(src);
	if (!d)
		return -1;
	while (!ret && (de = readdir(d))) {
		size_t len = strlen(de->d_name), n;
		FILE *in, *out;

		if (len < 5 || strcmp(de->d_name + len - 4, ".bin"))
			continue;
		snprintf(path, sizeof(path), "%s/%s", src, de->d_name);
		in = fopen(path, "rb");
		if (!in) {
			ret = -1;
			break;
		}
		n = fread(img, 1, sizeof(img), in);
		fclose(in);
		if (seed_apply(de->d_name, img, n, p) < 0)
			ret = -1;
		snprintf(path, sizeof(path), "%s/%s", tmp, de->d_name);
		out = fopen(path, "wb");
		if (!out || fwrite(img, 1, n, out) != n)
			ret = -1;
		if (out && fclose(out))
			ret = -1;
	}
	closedir(d);
	if (!ret && rename(tmp, dst) && errno != ENOTEMPTY && errno != EEXIST)
		ret = -1;
	return ret;
}

/* Where guest @name ("hello.bin") is: $GUEST_DIR, else beside the test. */
static inline const char *guest_path(const char *name, char *buf, size_t size)
{
	const char *dir = getenv("GUEST_DIR");
	char exe[PATH_MAX];
	ssize_t n;

	if ((!dir || !*dir) && seed_params()->seed) {
		static char seeded[PATH_MAX];

		n = readlink("/proc/self/exe", exe, sizeof(exe) - 1);
		if (n > 0) {
			exe[n] = '\0';
			snprintf(seeded, sizeof(seeded), "/tmp/tvmm-seed-%lu",
				 seed_params()->seed);
			if (access(seeded, R_OK) &&
			    seed_copy_guests(dirname(exe), seeded, seed_params()))
				fprintf(stderr, "# seed %lu: could not write the guests' variant to %s\n",
					seed_params()->seed, seeded);
			else
				setenv("GUEST_DIR", seeded, 1);
			dir = getenv("GUEST_DIR");
		}
	}

	if (dir && *dir) {
		snprintf(buf, size, "%s/%s", dir, name);
		return buf;
	}
	n = readlink("/proc/self/exe", exe, sizeof(exe) - 1);
	if (n <= 0) {
		snprintf(buf, size, "%s", name);
		return buf;
	}
	exe[n] = '\0';
	snprintf(buf, size, "%s/%s", dirname(exe), name);
	return buf;
}

/* Read the whole file @path into a malloc'd buffer; size or -errno. */
static inline ssize_t read_whole_file(const char *path, void **data)
{
	struct stat st;
	ssize_t n, total = 0;
	int fd = open(path, O_RDONLY | O_CLOEXEC);

	*data = NULL;
	if (fd < 0)
		return -errno;
	if (fstat(fd, &st)) {
		n = -errno;
		close(fd);
		return n;
	}
	*data = malloc(st.st_size ? st.st_size : 1);
	if (!*data) {
		close(fd);
		return -ENOMEM;
	}
	while (total < st.st_size && (n = read(fd, (char *)*data + total,
					       st.st_size - total)) > 0)
		total += n;
	close(fd);
	return total;
}

/*
 * Open one VM and, if @config is not NULL, configure it.
 * Return: the VM's fd, or -errno (from open or TVMM_SET_CONFIG).
 */
static inline int vm_create(const struct tvmm_config *config)
{
	int fd = open(TVMM_DEVICE_PATH, O_RDWR | O_CLOEXEC);
	int ret;

	if (fd < 0)
		return -errno;
	if (config && ioctl(fd, TVMM_SET_CONFIG, config)) {
		ret = -errno;
		close(fd);
		return ret;
	}
	return fd;
}

/* A config with only @mode, @flags and @max_exits set. */
static inline struct tvmm_config vm_config(__u32 mode, __u32 flags,
					   __u64 max_exits)
{
	struct tvmm_config c;

	memset(&c, 0, sizeof(c));
	c.mode = mode;
	c.flags = flags;
	c.max_exits = max_exits;
	return c;
}

/* TVMM_LOAD_IMAGE of @size bytes at @data; 0 or -errno. */
static inline int vm_load(int fd, const void *data, size_t size)
{
	struct tvmm_image image = {
		.addr = (unsigned long)data,
		.size = size,
	};

	return ioctl(fd, TVMM_LOAD_IMAGE, &image) ? -errno : 0;
}

/*
 * A new VM from @c with guest @name loaded, the 32-bit word at image
 * offset @word_off set to @word: guests that pick what they do from their
 * own image (ring3_probe.bin, adv_shadow.bin) carry @magic at @magic_off
 * to say where that word is. Return: the VM's fd, or -errno (-ENOEXEC:
 * the image has no such word).
 */
static inline int vm_create_with_word(const struct tvmm_config *c, const char *name,
				      const char *magic, size_t magic_off,
				      size_t word_off, __u32 word)
{
	char path[PATH_MAX];
	ssize_t size;
	void *image;
	int fd, ret;

	size = read_whole_file(guest_path(name, path, sizeof(path)), &image);
	if (size < 0)
		return size;
	if ((size_t)size < word_off + sizeof(word) || (size_t)size < magic_off + strlen(magic) ||
	    memcmp((char *)image + magic_off, magic, strlen(magic))) {
		free(image);
		return -ENOEXEC;
	}
	memcpy((char *)image + word_off, &word, sizeof(word));
	fd = vm_create(c);
	if (fd >= 0) {
		ret = vm_load(fd, image, size);
		if (ret) {
			close(fd);
			fd = ret;
		}
	}
	free(image);
	return fd;
}

/* Load guest @name from the guests directory; its size or -errno. */
static inline ssize_t vm_load_file(int fd, const char *name)
{
	char path[PATH_MAX];
	void *data;
	ssize_t size = read_whole_file(guest_path(name, path, sizeof(path)), &data);
	int ret;

	if (size < 0)
		return size;
	ret = vm_load(fd, data, size);
	free(data);
	return ret ? ret : size;
}

/* What one run to the end produced. */
struct vm_result {
	struct tvmm_run run;		/* the last TVMM_RUN (state ENDED) */
	char console[8192];		/* every console byte, NUL-terminated */
	size_t console_len;
	struct tvmm_exit_record *recs;	/* every record read(), in order */
	size_t nrecs, cap;
	unsigned int runs;		/* TVMM_RUN calls */
};

static inline void vm_result_free(struct vm_result *res)
{
	free(res->recs);
	res->recs = NULL;
	res->nrecs = res->cap = 0;
}

/* Read every queued record of @fd into @res; 0 or -errno. */
static inline int vm_drain(int fd, struct vm_result *res)
{
	struct tvmm_exit_record buf[32];
	ssize_t n;

	for (;;) {
		n = read(fd, buf, sizeof(buf));
		if (n < 0)
			return -errno;
		if (n == 0)
			return 0;
		if (n % sizeof(buf[0]))
			return -EPROTO;	/* not whole records */
		if (res->nrecs + n / sizeof(buf[0]) > res->cap) {
			size_t cap = 2 * res->cap + n / sizeof(buf[0]) + 64;
			void *p = realloc(res->recs, cap * sizeof(buf[0]));

			if (!p)
				return -ENOMEM;
			res->recs = p;
			res->cap = cap;
		}
		memcpy(res->recs + res->nrecs, buf, n);
		res->nrecs += n / sizeof(buf[0]);
	}
}

/*
 * One TVMM_RUN on @fd: its result in res->run, its records and console
 * bytes added to @res. Return: 0, or -errno of the failing call (-EINTR
 * on a signal; -EPROTO for a reply the ABI does not allow).
 */
static inline int vm_run_step(int fd, struct vm_result *res)
{
	size_t len;
	int ret;

	memset(&res->run, 0, sizeof(res->run));
	res->runs++;
	if (ioctl(fd, TVMM_RUN, &res->run))
		return -errno;
	ret = vm_drain(fd, res);
	if (ret)
		return ret;
	/* Console bytes come with CONSOLE, and may come with any state. */
	len = res->run.console_len;
	if (len > TVMM_CONSOLE_MAX)
		return -EPROTO;
	if (res->console_len + len >= sizeof(res->console))
		len = sizeof(res->console) - 1 - res->console_len;
	memcpy(res->console + res->console_len, res->run.console, len);
	res->console_len += len;
	res->console[res->console_len] = '\0';
	switch (res->run.state) {
	case TVMM_RUN_CONSOLE:
	case TVMM_RUN_TRACE_FULL:
	case TVMM_RUN_ENDED:
		return 0;
	default:
		return -EPROTO;
	}
}

/*
 * Run the VM on @fd until TVMM_RUN reports ENDED, collecting console
 * output and exit records (when the VM traces) into @res (zeroed first).
 * Return: 0, or -errno of the failing call (-EINTR on a signal).
 */
static inline int vm_run_to_end(int fd, struct vm_result *res)
{
	int ret;

	vm_result_free(res);
	memset(res, 0, sizeof(*res));
	do {
		ret = vm_run_step(fd, res);
	} while (!ret && res->run.state != TVMM_RUN_ENDED);
	return ret;
}

/* Create a VM with @config and load guest @name: its fd, or -errno. */
static inline int vm_create_loaded(const struct tvmm_config *config, const char *name)
{
	ssize_t size;
	int fd = vm_create(config);

	if (fd < 0)
		return fd;
	size = vm_load_file(fd, name);
	if (size < 0) {
		close(fd);
		return size;
	}
	return fd;
}

/* Create a VM with @config, load guest @name, run it to the end. */
static inline int vm_run_guest(const struct tvmm_config *config,
			       const char *name, struct vm_result *res,
			       int *fd_out)
{
	int fd = vm_create_loaded(config, name), ret;

	if (fd < 0)
		return fd;
	ret = vm_run_to_end(fd, res);
	if (fd_out)
		*fd_out = fd;
	else
		close(fd);
	return ret;
}

/* Records of @reason in @res. */
static inline unsigned int count_reason(const struct vm_result *res,
					unsigned int reason)
{
	unsigned int n = 0;

	for (size_t i = 0; i < res->nrecs; i++)
		n += res->recs[i].reason_code == reason;
	return n;
}

/* The guest's own instruction as tvmm decoded it: "cli", "sti", "out"... */
static inline bool rec_is(const struct tvmm_exit_record *rec, const char *mnemonic)
{
	return !strncmp(rec->mnemonic, mnemonic, TVMM_MNEMONIC_MAX);
}

/* Index of the first record from @from on with @mnemonic, or -1. */
static inline ssize_t find_mnemonic(const struct vm_result *r, size_t from, const char *mnemonic)
{
	for (size_t i = from; i < r->nrecs; i++)
		if (rec_is(&r->recs[i], mnemonic))
			return i;
	return -1;
}

/* Index of the first record from @from on with @action, or -1. */
static inline ssize_t find_action(const struct vm_result *r, size_t from, __u8 action)
{
	for (size_t i = from; i < r->nrecs; i++)
		if (r->recs[i].action == action)
			return i;
	return -1;
}

static inline unsigned int count_action(const struct vm_result *r, __u8 action)
{
	unsigned int n = 0;

	for (size_t i = 0; i < r->nrecs; i++)
		n += r->recs[i].action == action;
	return n;
}

static inline unsigned int count_mnemonic(const struct vm_result *r, const char *mnemonic)
{
	unsigned int n = 0;

	for (size_t i = 0; i < r->nrecs; i++)
		n += rec_is(&r->recs[i], mnemonic);
	return n;
}

/* "IO IO HLT": the reasons of the guest's own exits, for TH_LOG. */
static inline const char *reason_sequence(const struct vm_result *res,
					  char *buf, size_t size)
{
	size_t len = 0;

	buf[0] = '\0';
	for (size_t i = 0; i < res->nrecs && len + 8 < size; i++)
		if (!exit_is_host_noise(&res->recs[i]))
			len += snprintf(buf + len, size - len, "%u ",
					res->recs[i].reason_code);
	return buf;
}

/*
 * Field @name ("GUEST_CS_SELECTOR") of VM @vm_id's VMCS as debugfs
 * tvmm/vmN/vmcs shows it (the snapshot of the last exit; the VM's fd must
 * still be open). 0 and *@value, -ENOENT if the field is not listed (or
 * the VM has no snapshot yet), or -errno from reading the file.
 */
static inline int vmcs_debugfs_field(int vm_id, const char *name, __u64 *value)
{
	static char buf[16384];
	char path[PATH_MAX], *line, *save = NULL;
	size_t len = strlen(name);
	ssize_t n;

	snprintf(path, sizeof(path), TVMM_DEBUGFS "/vm%d/vmcs", vm_id);
	n = read_text_file(path, buf, sizeof(buf));
	if (n < 0)
		return n;
	/* "NAME                             (0xENC) = 0xVALUE" */
	for (line = strtok_r(buf, "\n", &save); line; line = strtok_r(NULL, "\n", &save)) {
		char *eq;

		if (strncmp(line, name, len) || (line[len] != ' ' && line[len] != '('))
			continue;
		eq = strstr(line, "= ");
		if (!eq)
			return -EPROTO;
		*value = strtoull(eq + 2, NULL, 0);
		return 0;
	}
	return -ENOENT;
}

/*
 * The value of line "@key: VALUE" of VM @vm_id's debugfs tvmm/vmN/state
 * (the VM's fd must still be open), in @out without the newline.
 * Return: 0, -ENOENT if there is no such line, or -errno from reading.
 */
static inline int vm_state_field(int vm_id, const char *key, char *out, size_t size)
{
	static char buf[4096];
	char path[PATH_MAX], *line, *save = NULL;
	size_t len = strlen(key);
	ssize_t n;

	snprintf(path, sizeof(path), TVMM_DEBUGFS "/vm%d/state", vm_id);
	n = read_text_file(path, buf, sizeof(buf));
	if (n < 0)
		return n;
	for (line = strtok_r(buf, "\n", &save); line; line = strtok_r(NULL, "\n", &save)) {
		if (strncmp(line, key, len) || line[len] != ':')
			continue;
		snprintf(out, size, "%s", line + len + (line[len + 1] == ' ' ? 2 : 1));
		return 0;
	}
	return -ENOENT;
}

/* The name of enum tvmm_end @end, for messages. */
static inline const char *end_name(__u32 end)
{
	static const char *const names[] = {
		"NONE", "HLT", "HYPERCALL", "TRIPLE_FAULT", "EPT_VIOLATION",
		"MAX_EXITS", "ENTRY_FAILED", "UNHANDLED", "BAD_IO", "INTERNAL",
		"TODO",
		"BAD_MMIO",
	};

	return end < sizeof(names) / sizeof(names[0]) ? names[end] : "?";
}

/*
 * The start of every VM fixture: skip on a CPU without VMX, load tvmm.ko,
 * check that the guests the test runs are installed. Macros, because
 * SKIP() and ASSERT_*() need the calling fixture's _metadata.
 *
 * The 6.1 harness runs a test's body even when FIXTURE_SETUP skipped it;
 * leaving the test's child process with the harness's own skip status
 * (255) makes the skip final.
 */
#define SKIP_TEST(fmt, ...)	SKIP(_exit(255), fmt, ##__VA_ARGS__)

#define REQUIRE_VMX_AND_TVMM() do {						\
	int __ret;								\
										\
	if (!cpu_has_vmx())							\
		SKIP_TEST("this CPU has no VMX (CPUID.01H:ECX[5] = 0): run in the Bochs lab VM"); \
	__ret = tvmm_ensure_loaded();						\
	ASSERT_EQ(0, __ret) TH_LOG("loading %s: %s%s", tvmm_ko_path(),	\
				   strerror(-__ret), tvmm_load_hint(__ret));	\
} while (0)

#define REQUIRE_GUEST(name) do {						\
	char __path[PATH_MAX];							\
										\
	ASSERT_EQ(0, access(guest_path((name), __path, sizeof(__path)), R_OK))	\
		TH_LOG("%s: %s: build and install the guests (make -C tests/selftests/tvmm install), or set GUEST_DIR", \
		       __path, strerror(errno));				\
} while (0)


#endif /* TVMM_VM_UTIL_H */
