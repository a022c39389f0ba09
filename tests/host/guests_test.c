// SPDX-License-Identifier: GPL-2.0
/*
 * guests_test.c - the example guests assemble into sane flat binaries.
 *
 * Rule (docs/abi.md, "The guest ABI"): a guest is a flat binary loaded at
 * 0x10000 (0x7c00 for the real-mode boot sector) into 2 MiB of guest RAM.
 * The examples are tiny on purpose: each fits in one page, the boot
 * sector is exactly 512 bytes ending in 0x55 0xAA, and each contains the
 * instructions its header comment promises (so the in-VM counts hold).
 * The mini-OS's paravirtual build (minios_pv.bin) must hold no sensitive
 * instruction at all: its code (the .text of minios_pv.o, disassembled
 * with objdump) has no CLI, STI, HLT, IN or OUT, while the native build's
 * has them all but IN (so the check can see them). Likewise the Popek-
 * Goldberg guest's paravirtual build (popek_pv.bin) has none of those nor
 * any sensitive-but-unprivileged instruction (PUSHF, POPF, SGDT, SMSW,
 * MOV from CS), which popek.bin has. pgprobe's table (the instructions
 * its counted region runs, which tvmm compare's efficiency divides by)
 * matches its code as assembled: objdump's instructions in the loop body
 * times the iterations, plus the one before the loop.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <tvmm.h>

#include "tap.h"

#define GUESTS		"../../guests/"
#define PAGE_SIZE	4096

/* Sensitive instructions a paravirtual guest replaces with hypercalls. */
static const char *const sensitive[] = { "cli", "sti", "hlt", "in", "out" };
#define NR_SENSITIVE	(sizeof(sensitive) / sizeof(sensitive[0]))

static const struct {
	const char *name;
	const char *needle;	/* bytes the binary must contain */
	size_t needle_len;
	const char *what;
} guests[] = {
	{ "hello.bin", "Hello from the guest!\n", 22, "its message" },
	{ "cpuid_loop.bin", "\x0f\xa2", 2, "CPUID (0f a2)" },
	{ "io_loop.bin", "\xe4\x80", 2, "IN al, 0x80 (e4 80)" },
	{ "realmode.bin", "Hello from real mode!\n", 22, "its message" },
	{ "spin.bin", "\xeb\xfe", 2, "jmp . (eb fe)" },
	{ "triple_fault.bin", "\x0f\x0b", 2, "UD2 (0f 0b)" },
	{ "outside_ram.bin", "\x00\x00\x00\x40", 4, "the address 0x40000000" },
	{ "msr_cr.bin", "\x0f\x32", 2, "RDMSR (0f 32)" },
	{ "vmcall.bin", "\x0f\x01\xc1", 3, "VMCALL (0f 01 c1)" },
	{ "bench.bin", "TVMMBNCH", 8, "its results block (tests/bench)" },
	{ "minios.bin", "hello from ring 3\n", 18, "its app's message" },
	{ "minios_pv.bin", "\x0f\x01\xc1", 3, "VMCALL (0f 01 c1)" },
	{ "popek.bin", "POPEKTAB", 8, "its address table (popek_test)" },
	{ "popek_pv.bin", "POPEKTAB", 8, "its address table (popek_test)" },
	{ "mmio.bin", "\xa1\x00\x00\xb0\xfe", 5, "mov 0xfeb00000, %eax (a1 moffs32)" },
	{ "mmio_bad.bin", "\xff\x05\x0c\x00\xb0\xfe", 6, "incl 0xfeb0000c (ff 05)" },
	{ "ram_size.bin", "ram: ", 5, "its message" },
	{ "halt.bin", "\xf4", 1, "HLT (f4)" },
	{ "privileged.bin", "privileged: ok cpl=", 19, "its message" },
	{ "pgprobe.bin", "\x9c\xfa", 2, "PUSHF; CLI (9c fa), its loop" },
	{ "pgprobe_pv.bin", "\x0f\x01\xc1", 3, "VMCALL (0f 01 c1)" },
	{ "pvwrite.bin", "pvwrite: the last bytes of RAM\n", 31, "its tail line" },
};

/* popek's sensitive-but-unprivileged instructions, as objdump spells them. */
static const char *const popek_sensitive[] = { "pushf", "popf", "sgdt", "smsw", "mov %cs" };
#define NR_POPEK	(sizeof(popek_sensitive) / sizeof(popek_sensitive[0]))

/*
 * Count lines of `objdump -d @obj` whose instruction (after the second
 * tab) starts with @text[i]: a mnemonic, or "mov %cs" for MOV from CS.
 * popek keeps its strings in .text, so its disassembly also holds junk
 * "instructions"; none of the five is printable ASCII, so text cannot
 * fake them. Return: 0, or -1 if objdump could not run.
 */
static int count_insns(const char *obj, const char *const *text, size_t n,
		       unsigned int *counts)
{
	char cmd[512], line[512];
	FILE *p;

	memset(counts, 0, n * sizeof(counts[0]));
	snprintf(cmd, sizeof(cmd), "objdump -d %s 2>/dev/null", obj);
	p = popen(cmd, "r");
	if (!p)
		return -1;
	while (fgets(line, sizeof(line), p)) {
		char *insn = strchr(line, '\t');

		if (!insn || !(insn = strchr(insn + 1, '\t')))
			continue;
		insn++;
		for (size_t i = 0; i < n; i++) {
			size_t len = strlen(text[i]);

			if (!strchr(text[i], ' ')) {	/* a mnemonic, maybe with a size suffix */
				if (!strncmp(insn, text[i], len) &&
				    (insn[len] == ' ' || insn[len] == '\n' || insn[len] == 'l' ||
				     insn[len] == 'w'))
					counts[i]++;
			} else if (!strncmp(insn, "mov", 3) && strstr(insn, text[i] + 4) &&
				   strstr(insn, text[i] + 4) < strchr(insn, ',')) {
				counts[i]++;		/* mov %cs,... : CS is the source */
			}
		}
	}
	return pclose(p) == 0 ? 0 : -1;
}

static void check_popek_paravirt(void)
{
	unsigned int native[NR_POPEK], pv[NR_POPEK], pv_old[NR_SENSITIVE];

	if (count_insns(GUESTS "popek.o", popek_sensitive, NR_POPEK, native) ||
	    count_insns(GUESTS "popek_pv.o", popek_sensitive, NR_POPEK, pv) ||
	    count_insns(GUESTS "popek_pv.o", sensitive, NR_SENSITIVE, pv_old)) {
		ok(1, "# SKIP objdump or guests/popek*.o missing: no disassembly check");
		return;
	}
	for (size_t i = 0; i < NR_POPEK; i++) {
		ok(native[i] > 0, "popek.o has %s (%u): the check sees it", popek_sensitive[i],
		   native[i]);
		ok_eq(pv[i], 0, "popek_pv.o has no %s", popek_sensitive[i]);
	}
	for (size_t i = 0; i < NR_SENSITIVE; i++)
		ok_eq(pv_old[i], 0, "popek_pv.o has no %s", sensitive[i]);
}


/*
 * Count the instructions of the object @obj's code by mnemonic (objdump -d
 * disassembles only code sections; minios keeps its data in .data).
 * Return: 0, or -1 if objdump could not run.
 */
static int count_sensitive(const char *obj, unsigned int counts[NR_SENSITIVE])
{
	char cmd[512], line[512];
	FILE *p;
	int status;

	memset(counts, 0, NR_SENSITIVE * sizeof(counts[0]));
	snprintf(cmd, sizeof(cmd), "objdump -d %s 2>/dev/null", obj);
	p = popen(cmd, "r");
	if (!p)
		return -1;
	while (fgets(line, sizeof(line), p)) {
		/* "  1d:\tfa                   \tcli" : the mnemonic after the 2nd tab */
		char *insn = strchr(line, '\t'), mnem[32];

		if (!insn || !(insn = strchr(insn + 1, '\t')))
			continue;
		if (sscanf(insn + 1, "%31s", mnem) != 1)
			continue;
		for (size_t i = 0; i < NR_SENSITIVE; i++)
			/* "outb"/"inb" are AT&T spellings of the same opcodes */
			if (!strncmp(mnem, sensitive[i], strlen(sensitive[i])) &&
			    (!mnem[strlen(sensitive[i])] ||
			     strchr("bwl", mnem[strlen(sensitive[i])])) &&
			    strlen(mnem) <= strlen(sensitive[i]) + 1)
				counts[i]++;
	}
	status = pclose(p);
	return status == 0 ? 0 : -1;
}

static void check_paravirt_build(void)
{
	unsigned int native[NR_SENSITIVE], pv[NR_SENSITIVE];

	if (count_sensitive(GUESTS "minios.o", native) ||
	    count_sensitive(GUESTS "minios_pv.o", pv)) {
		ok(1, "# SKIP objdump or guests/minios*.o missing: no disassembly check");
		return;
	}
	for (size_t i = 0; i < NR_SENSITIVE; i++) {
		if (strcmp(sensitive[i], "in"))
			ok(native[i] > 0, "minios.o has %s (%u): the check sees it",
			   sensitive[i], native[i]);
		ok_eq(pv[i], 0, "minios_pv.o has no %s", sensitive[i]);
	}
}

/*
 * Instructions objdump lists under the labels @first (one-off) and @loop
 * (the loop body) of @obj, up to the label @end. Return: 0, or -1.
 */
static int count_region(const char *obj, unsigned int *first, unsigned int *loop)
{
	char cmd[512], line[512];
	unsigned int *in = NULL;
	FILE *p;

	*first = *loop = 0;
	snprintf(cmd, sizeof(cmd), "objdump -d %s 2>/dev/null", obj);
	p = popen(cmd, "r");
	if (!p)
		return -1;
	while (fgets(line, sizeof(line), p)) {
		if (strstr(line, "<count_begin>:"))
			in = first;
		else if (strstr(line, "<count_body>:"))
			in = loop;
		else if (strchr(line, '<') && strstr(line, ">:"))
			in = NULL;	/* count_end, or any other label */
		else if (in && strchr(line, '\t') && strchr(strchr(line, '\t') + 1, '\t'))
			(*in)++;
	}
	return pclose(p) == 0 ? 0 : -1;
}

/* The table at offset 16 of pgprobe*.bin: "PGPROBE1", begin, end, count, iterations. */
struct pgprobe_table {
	char magic[8];
	unsigned int begin, end, count, iterations;
};

static unsigned char *slurp(const char *path, size_t *size);

static void check_pgprobe(void)
{
	static const char *const names[] = { "pgprobe", "pgprobe_pv" };

	for (size_t i = 0; i < 2; i++) {
		struct pgprobe_table t;
		unsigned int first, loop, hw[NR_POPEK], pv[NR_SENSITIVE];
		char obj[256], bin[256];
		unsigned char *buf;
		size_t size;

		snprintf(obj, sizeof(obj), GUESTS "%s.o", names[i]);
		snprintf(bin, sizeof(bin), GUESTS "%s.bin", names[i]);
		buf = slurp(bin, &size);
		if (!ok(buf && size >= 16 + sizeof(t), "%s.bin assembled", names[i])) {
			free(buf);
			continue;
		}
		memcpy(&t, buf + 16, sizeof(t));
		free(buf);
		ok(!memcmp(t.magic, "PGPROBE1", 8), "%s.bin has its table at offset 16", names[i]);
		if (count_region(obj, &first, &loop)) {
			ok(1, "# SKIP objdump or %s missing: no count check", obj);
			continue;
		}
		ok_eq(first, 1, "%s: one instruction before the counted loop", names[i]);
		ok_eq(t.count, first + t.iterations * loop,
		      "%s: the table's count is %u + %u x %u, the code's", names[i], first,
		      t.iterations, loop);
		ok(t.begin >= TVMM_GUEST_LOAD_GPA && t.end > t.begin,
		   "%s: region 0x%x..0x%x", names[i], t.begin, t.end);
		if (i == 1 && !count_insns(obj, popek_sensitive, NR_POPEK, hw) &&
		    !count_insns(obj, sensitive, NR_SENSITIVE, pv)) {
			ok(!hw[0] && !hw[1], "pgprobe_pv.o has no pushf or popf");
			ok(!pv[0], "pgprobe_pv.o has no cli");
		}
	}
}

static unsigned char *slurp(const char *path, size_t *size)
{
	FILE *f = fopen(path, "rb");
	unsigned char *buf;

	*size = 0;
	if (!f)
		return NULL;
	buf = malloc(TVMM_GUEST_MEM_DEFAULT);
	*size = fread(buf, 1, TVMM_GUEST_MEM_DEFAULT, f);
	fclose(f);
	return buf;
}

static int contains(const unsigned char *buf, size_t size, const char *needle, size_t n)
{
	for (size_t i = 0; i + n <= size; i++)
		if (!memcmp(buf + i, needle, n))
			return 1;
	return 0;
}

int main(void)
{
	for (size_t i = 0; i < sizeof(guests) / sizeof(guests[0]); i++) {
		char path[256];
		size_t size;
		unsigned char *buf;
		int real = !strcmp(guests[i].name, "realmode.bin");

		snprintf(path, sizeof(path), GUESTS "%s", guests[i].name);
		buf = slurp(path, &size);
		if (!ok(buf && size > 0, "%s assembled", guests[i].name)) {
			free(buf);
			continue;
		}
		if (real) {
			ok_eq(size, 512, "%s is one 512-byte boot sector", guests[i].name);
			ok(buf[510] == 0x55 && buf[511] == 0xaa, "%s ends with 55 aa", guests[i].name);
		} else {
			ok(size <= PAGE_SIZE, "%s fits in one page (%zu bytes)", guests[i].name, size);
		}
		ok(contains(buf, size, guests[i].needle, guests[i].needle_len),
		   "%s contains %s", guests[i].name, guests[i].what);
		free(buf);
	}
	check_paravirt_build();
	check_popek_paravirt();
	check_pgprobe();
	return done_testing();
}
