/* SPDX-License-Identifier: GPL-2.0 */
/*
 * seed.h - per-student variants of the guests the autograder runs.
 *
 * `make grade LAB=NN SEED=S` boots the lab VM with TVMM_SEED=S on the
 * kernel command line; init passes it to the tests as an environment
 * variable. From S the tests derive the guests' parameters (seed_params())
 * and write them into copies of the guest images (seed_apply(), through
 * vm_util.h's guest_path(), so the ioctl loads and `tvmm run` both see the
 * variant), then expect the console, counts and addresses of that variant:
 * a trace or console text copied from a run with another seed fails.
 *
 * Seed 0 (or none) is the canonical variant, the values the guests' own
 * sources and the lab pages show. The same seed always gives the same
 * values (no clock, no randomness); tests/host/seed_test.c checks the
 * derivation and the patching on the host.
 *
 * A guest carries its parameters after the 8-byte marker "TVMMSEED"
 * (guests/guest.inc: SEED_BLOCK); the layout after it is the guest's:
 *   hello.bin, hello_tf.bin  char text[SEED_TEXT_MAX]  the console line
 *   io_loop.bin     u32 outs                      OUTs to the console port
 *   cpuid_loop.bin  u32 iterations; char text[SEED_TEXT_MAX]
 *   minios.bin, minios_pv.bin   u32 status      the app's exit status
 *                   u32 timer_period  TSC ticks: its spins last 2.5 of them,
 *                                     and the tests set tvmm's timer to it
 *                   u32 boot_ticks    ticks its boot waits for (and prints)
 *   mmio.bin        u32 scratch; u32 counter; u32 reads; u32 doorbell;
 *                   u32 imm_offset    SCRATCH's 32-bit value, COUNTER's
 *                                     start and reads, SCRATCH at the
 *                                     doorbell; the C7 store's imm32 sits at
 *                                     image offset imm_offset (= scratch)
 * outside_ram.bin has no block: its first instruction's disp32 is the GPA.
 */
#ifndef TVMM_SEED_H
#define TVMM_SEED_H

#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#define SEED_MAGIC		"TVMMSEED"
#define SEED_MAGIC_LEN		8
#define SEED_TEXT_MAX		40

struct seed_params {
	unsigned long seed;
	char hello[SEED_TEXT_MAX];		/* hello.bin's console */
	uint32_t io_outs;			/* io_loop.bin: bytes written */
	uint32_t cpuid_iterations;		/* cpuid_loop.bin: CPUID executed */
	char cpuid_text[SEED_TEXT_MAX];		/* cpuid_loop.bin's console */
	uint64_t outside_gpa;			/* outside_ram.bin's store */
	uint32_t minios_status;			/* minios*.bin: the app's exit() */
	uint32_t minios_timer_period;		/* minios*.bin: the virtual timer's period */
	uint32_t minios_boot_ticks;		/* minios*.bin: ticks the boot waits for */
	uint32_t mmio_scratch;			/* mmio.bin: SCRATCH's 32-bit value */
	uint32_t mmio_counter;			/* mmio.bin: COUNTER's start */
	uint32_t mmio_reads;			/* mmio.bin: COUNTER reads */
	uint32_t mmio_doorbell;			/* mmio.bin: SCRATCH at the doorbell */
};

/* A fixed 64-bit mix of @x: add, then xor-shift and multiply, three times. */
static inline uint64_t seed_mix(uint64_t x)
{
	x += 0x9e3779b97f4a7c15ULL;
	x = (x ^ (x >> 30)) * 0xbf58476d1ce4e5b9ULL;
	x = (x ^ (x >> 27)) * 0x94d049bb133111ebULL;
	return x ^ (x >> 31);
}

/* The parameters of variant @seed (0: the canonical one). */
static inline void seed_derive(unsigned long seed, struct seed_params *p)
{
	uint64_t a = seed_mix(seed), b = seed_mix(a), c = seed_mix(b);
	uint64_t d = seed_mix(c), e = seed_mix(d);

	memset(p, 0, sizeof(*p));
	p->seed = seed;
	if (!seed) {
		snprintf(p->hello, sizeof(p->hello), "Hello from the guest!\n");
		p->io_outs = 100;
		p->cpuid_iterations = 100;
		p->outside_gpa = 0x40000000ULL;
		p->minios_status = 42;
		p->minios_timer_period = 1000000;	/* TVMM_TIMER_DEFAULT */
		p->minios_boot_ticks = 3;
		p->mmio_scratch = 0x12345678;
		p->mmio_counter = 5;
		p->mmio_reads = 3;
		p->mmio_doorbell = 0xc0ffee00;
	} else {
		snprintf(p->hello, sizeof(p->hello), "Hello from guest %04x!\n",
			 (unsigned int)(a & 0xffff));
		p->io_outs = 50 + (uint32_t)(b % 100);		/* 50..149 */
		p->cpuid_iterations = 60 + (uint32_t)(c % 80);	/* 60..139, even or odd */
		p->outside_gpa = 0x40000000ULL + ((a >> 16) & 0xff) * 0x100000ULL;
		p->minios_status = 10 + (uint32_t)((c >> 8) % 90);	/* 10..99 */
		/*
		 * 500k..750k or 1.35M..1.6M ticks: at least 20 % away from
		 * the default (a timer stuck at 1M is seen), and 2.5 periods
		 * longer than one default period (`tvmm run` without --timer).
		 */
		p->minios_timer_period = ((d >> 20) & 1 ? 1350000 : 500000) +
					 (uint32_t)((d >> 8) % 251) * 1000;
		p->minios_boot_ticks = 4 + (uint32_t)(d % 4);		/* 4..7 */
		p->mmio_scratch = (uint32_t)(e >> 32) | 0x10000000;	/* 8 hex digits */
		p->mmio_counter = 16 + (uint32_t)(e % 4000);
		p->mmio_reads = 2 + (uint32_t)((e >> 16) % 5);		/* 2..6 */
		p->mmio_doorbell = (uint32_t)e;
	}
	snprintf(p->cpuid_text, sizeof(p->cpuid_text), "cpuid: %u exits\n",
		 p->cpuid_iterations);
}

/* TVMM_SEED from the environment: a decimal number, 0 if unset or bad. */
static inline unsigned long seed_from_env(void)
{
	const char *s = getenv("TVMM_SEED");
	char *end;
	unsigned long v;

	if (!s || !*s)
		return 0;
	v = strtoul(s, &end, 10);
	return *end ? 0 : v;
}

/* This process's variant (derived once). */
static inline const struct seed_params *seed_params(void)
{
	static struct seed_params p;
	static int done;

	if (!done) {
		seed_derive(seed_from_env(), &p);
		done = 1;
	}
	return &p;
}

static inline unsigned char *seed_block(unsigned char *img, size_t size, size_t need)
{
	for (size_t i = 0; i + SEED_MAGIC_LEN + need <= size; i++)
		if (!memcmp(img + i, SEED_MAGIC, SEED_MAGIC_LEN))
			return img + i + SEED_MAGIC_LEN;
	return NULL;
}

/*
 * Write variant @p into the image @img (@size bytes) of guest @name.
 * Returns 1 if it changed something, 0 if @name has no parameters, -1 if
 * the image does not have the layout this file expects.
 */
static inline int seed_apply(const char *name, unsigned char *img, size_t size,
			     const struct seed_params *p)
{
	unsigned char *b;
	uint32_t v;

	/* hello_tf.bin prints hello.bin's line too (lab 09's compare_test) */
	if (!strcmp(name, "hello.bin") || !strcmp(name, "hello_tf.bin")) {
		b = seed_block(img, size, SEED_TEXT_MAX);
		if (!b)
			return -1;
		memset(b, 0, SEED_TEXT_MAX);
		memcpy(b, p->hello, strlen(p->hello));
		return 1;
	}
	if (!strcmp(name, "io_loop.bin")) {
		b = seed_block(img, size, 4);
		if (!b)
			return -1;
		v = p->io_outs;
		memcpy(b, &v, 4);
		return 1;
	}
	if (!strcmp(name, "cpuid_loop.bin")) {
		b = seed_block(img, size, 4 + SEED_TEXT_MAX);
		if (!b)
			return -1;
		v = p->cpuid_iterations;
		memcpy(b, &v, 4);
		memset(b + 4, 0, SEED_TEXT_MAX);
		memcpy(b + 4, p->cpuid_text, strlen(p->cpuid_text));
		return 1;
	}
	if (!strcmp(name, "minios.bin") || !strcmp(name, "minios_pv.bin")) {
		b = seed_block(img, size, 12);
		if (!b)
			return -1;
		memcpy(b, &p->minios_status, 4);
		memcpy(b + 4, &p->minios_timer_period, 4);
		memcpy(b + 8, &p->minios_boot_ticks, 4);
		return 1;
	}
	if (!strcmp(name, "mmio.bin")) {
		uint32_t old, off, imm;

		b = seed_block(img, size, 20);
		if (!b)
			return -1;
		/* the C7's imm32 holds the block's scratch value (seed 0's) */
		memcpy(&old, b, 4);
		memcpy(&off, b + 16, 4);
		if (off > size - 4)
			return -1;
		memcpy(&imm, img + off, 4);
		if (imm != old)
			return -1;
		memcpy(img + off, &p->mmio_scratch, 4);
		memcpy(b, &p->mmio_scratch, 4);
		memcpy(b + 4, &p->mmio_counter, 4);
		memcpy(b + 8, &p->mmio_reads, 4);
		memcpy(b + 12, &p->mmio_doorbell, 4);
		return 1;
	}
	if (!strcmp(name, "outside_ram.bin")) {
		/* movl $imm32, disp32: C7 05, then the address */
		if (size < 10 || img[0] != 0xc7 || img[1] != 0x05)
			return -1;
		v = (uint32_t)p->outside_gpa;
		memcpy(img + 2, &v, 4);
		return 1;
	}
	return 0;
}

#endif /* TVMM_SEED_H */
