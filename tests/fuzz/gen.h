/* SPDX-License-Identifier: GPL-2.0 */
/*
 * gen.h - the random-guest generator of `make fuzz` (gen.c).
 *
 * Concept: a VMM must survive any guest. A guest is only bytes at
 * 0x10000, so the fuzzer writes bytes: sometimes pure noise, mostly
 * sequences of hostile snippets (privileged and sensitive instructions,
 * I/O, control/debug/MSR registers, descriptor tables, far transfers,
 * interrupts, odd stacks, self-modifying code, jumps out of RAM). Each
 * guest is a pure function of (seed, index): any one reproduces alone.
 */
#ifndef TVMM_FUZZ_GEN_H
#define TVMM_FUZZ_GEN_H

#include <stddef.h>
#include <stdint.h>

/* The largest guest image gen_guest() writes. */
#define GEN_IMAGE_MAX	8192

/* splitmix64: small, fast, good enough to pick bytes and snippets. */
struct rng {
	uint64_t state;
};

void rng_init(struct rng *r, uint64_t seed, uint64_t index);
uint64_t rng_next(struct rng *r);
/* Uniform in [0, n); n > 0. */
uint32_t rng_below(struct rng *r, uint32_t n);

/* What kind of guest gen_guest() wrote (for the failure report). */
enum gen_kind {
	GEN_NOISE,		/* random bytes */
	GEN_SNIPPETS,		/* hostile snippets, faults resumed by an IDT */
	GEN_MIXED,		/* snippets with noise between them */
};

const char *gen_kind_name(enum gen_kind kind);

/*
 * Write guest (@seed, @index) into @buf (GEN_IMAGE_MAX bytes); returns
 * its size (at least 1) and its kind in *@kind.
 */
size_t gen_guest(uint64_t seed, uint64_t index, uint8_t *buf, enum gen_kind *kind);

#endif /* TVMM_FUZZ_GEN_H */
