// SPDX-License-Identifier: GPL-2.0
/*
 * seed_test.c - the per-student variants of the guests
 * (tests/selftests/tvmm/seed.h), on the host: seed 0 is the canonical
 * variant the guests' sources print; the same seed always gives the same
 * values; two seeds give different ones; seed_apply() writes them into the
 * built guest images where seed.h says, and refuses an image without its
 * layout.
 */
#include <stdio.h>
#include <string.h>

#include "tap.h"
#include "../selftests/tvmm/seed.h"

static size_t load(const char *name, unsigned char *buf, size_t size)
{
	char path[256];
	FILE *f;
	size_t n;

	snprintf(path, sizeof(path), "../../guests/%s", name);
	f = fopen(path, "rb");
	if (!f)
		return 0;
	n = fread(buf, 1, size, f);
	fclose(f);
	return n;
}

int main(void)
{
	struct seed_params p0, a, a2, b;
	unsigned char img[4096], orig[4096];
	size_t n;
	uint32_t v;

	seed_derive(0, &p0);
	seed_derive(2718, &a);
	seed_derive(2718, &a2);
	seed_derive(31337, &b);
	ok(!strcmp(p0.hello, "Hello from the guest!\n") && p0.io_outs == 100 &&
	   p0.cpuid_iterations == 100 && !strcmp(p0.cpuid_text, "cpuid: 100 exits\n") &&
	   p0.outside_gpa == 0x40000000ULL && p0.minios_timer_period == 1000000 &&
	   p0.minios_boot_ticks == 3 && p0.mmio_scratch == 0x12345678 && p0.mmio_counter == 5 &&
	   p0.mmio_reads == 3 && p0.mmio_doorbell == 0xc0ffee00,
	   "seed 0 is the guests' canonical variant");
	ok(!memcmp(&a, &a2, sizeof(a)), "the same seed gives the same values");
	ok(strcmp(a.hello, p0.hello) && strcmp(a.hello, b.hello), "hello's line: %.*s",
	   (int)strlen(a.hello) - 1, a.hello);
	ok(a.io_outs != p0.io_outs && a.io_outs != b.io_outs, "io_loop's OUTs: %u, %u",
	   a.io_outs, b.io_outs);
	ok(a.cpuid_iterations != b.cpuid_iterations && a.cpuid_iterations != 100,
	   "cpuid_loop's iterations: %u, %u", a.cpuid_iterations, b.cpuid_iterations);
	ok(a.outside_gpa != b.outside_gpa && a.outside_gpa != p0.outside_gpa,
	   "outside_ram's GPA: 0x%llx, 0x%llx", (unsigned long long)a.outside_gpa,
	   (unsigned long long)b.outside_gpa);
	/* every seed's values stay where the guests and tests can take them */
	for (unsigned long s = 1; s < 2000; s++) {
		seed_derive(s, &a2);
		if (strlen(a2.hello) >= SEED_TEXT_MAX || a2.io_outs < 2 || a2.io_outs > 200 ||
		    a2.cpuid_iterations < 2 || a2.outside_gpa < 0x40000000ULL ||
		    a2.outside_gpa >= 0xfeb00000ULL || (a2.outside_gpa & 0xfff) ||
		    a2.minios_status < 1 || a2.minios_status > 255 ||
		    /* >= 20 % from the default; 2.5 periods > one default period */
		    (a2.minios_timer_period > 800000 && a2.minios_timer_period < 1250000) ||
		    a2.minios_timer_period * 5 / 2 <= 1100000 || a2.minios_timer_period > 2000000 ||
		    a2.minios_boot_ticks < 3 || a2.minios_boot_ticks > 9 ||
		    a2.mmio_reads < 1 || a2.mmio_reads > 8 || a2.mmio_scratch < 0x10000000 ||
		    a2.mmio_counter + a2.mmio_reads < a2.mmio_counter) {
			ok(0, "seed %lu gives a value out of range", s);
			return done_testing();
		}
	}
	ok(1, "seeds 1-1999: every value in range (text fits, GPA outside RAM and the device, timer period away from the default)");
	ok(a.minios_timer_period != b.minios_timer_period && a.minios_boot_ticks != p0.minios_boot_ticks,
	   "the mini-OS's timer period: %u, %u; boot ticks %u, %u", a.minios_timer_period,
	   b.minios_timer_period, a.minios_boot_ticks, b.minios_boot_ticks);
	ok(a.mmio_scratch != b.mmio_scratch && a.mmio_scratch != p0.mmio_scratch &&
	   a.mmio_doorbell != b.mmio_doorbell && a.mmio_counter != b.mmio_counter,
	   "mmio's values: scratch %08x, %08x; counter %u x%u, %u x%u", a.mmio_scratch,
	   b.mmio_scratch, a.mmio_counter, a.mmio_reads, b.mmio_counter, b.mmio_reads);

	n = load("hello.bin", img, sizeof(img));
	memcpy(orig, img, n);
	ok(n && seed_apply("hello.bin", img, n, &a) == 1 && memmem(img, n, a.hello, strlen(a.hello)) &&
	   !memmem(img, n, p0.hello, strlen(p0.hello)) && !memcmp(img, orig, 16),
	   "hello.bin: the line replaced, the code untouched");
	n = load("hello_tf.bin", img, sizeof(img));
	ok(n && seed_apply("hello_tf.bin", img, n, &a) == 1 &&
	   memmem(img, n, a.hello, strlen(a.hello)), "hello_tf.bin: hello.bin's line replaced too");
	n = load("io_loop.bin", img, sizeof(img));
	ok(n && seed_apply("io_loop.bin", img, n, &a) == 1 &&
	   (memcpy(&v, seed_block(img, n, 4), 4), v == a.io_outs), "io_loop.bin: the count written");
	n = load("cpuid_loop.bin", img, sizeof(img));
	ok(n && seed_apply("cpuid_loop.bin", img, n, &a) == 1 &&
	   memmem(img, n, a.cpuid_text, strlen(a.cpuid_text)), "cpuid_loop.bin: count and line written");
	n = load("outside_ram.bin", img, sizeof(img));
	ok(n && seed_apply("outside_ram.bin", img, n, &a) == 1 &&
	   (memcpy(&v, img + 2, 4), v == (uint32_t)a.outside_gpa), "outside_ram.bin: the store's address");
	ok(a.minios_status != b.minios_status && p0.minios_status == 42,
	   "the mini-OS app's exit status: %u, %u", a.minios_status, b.minios_status);
	n = load("minios.bin", img, sizeof(img));
	ok(n && seed_block(img, n, 12) &&
	   !memcmp(seed_block(img, n, 12), &p0.minios_status, 4) &&
	   !memcmp(seed_block(img, n, 12) + 4, &p0.minios_timer_period, 4) &&
	   !memcmp(seed_block(img, n, 12) + 8, &p0.minios_boot_ticks, 4),
	   "minios.bin's block holds seed 0's status, timer period and boot ticks");
	ok(n && seed_apply("minios.bin", img, n, &a) == 1 &&
	   (memcpy(&v, seed_block(img, n, 4), 4), v == a.minios_status) &&
	   (memcpy(&v, seed_block(img, n, 12) + 4, 4), v == a.minios_timer_period) &&
	   (memcpy(&v, seed_block(img, n, 12) + 8, 4), v == a.minios_boot_ticks),
	   "minios.bin: the status, timer period and boot ticks written");
	n = load("minios_pv.bin", img, sizeof(img));
	ok(n && seed_apply("minios_pv.bin", img, n, &a) == 1 &&
	   (memcpy(&v, seed_block(img, n, 4), 4), v == a.minios_status), "minios_pv.bin: the status written");
	n = load("mmio.bin", img, sizeof(img));
	{
		unsigned char *blk = n ? seed_block(img, n, 20) : NULL;
		uint32_t off = 0, vals[4], want[4] = { p0.mmio_scratch, p0.mmio_counter,
						       p0.mmio_reads, p0.mmio_doorbell };

		if (blk) {
			memcpy(vals, blk, 16);
			memcpy(&off, blk + 16, 4);
		}
		ok(blk && !memcmp(vals, want, 16) && off + 4 <= n &&
		   (memcpy(&v, img + off, 4), v == p0.mmio_scratch),
		   "mmio.bin's block holds seed 0's values; the C7 store's imm32 is at offset 0x%x", off);
		ok(blk && seed_apply("mmio.bin", img, n, &a) == 1 &&
		   (memcpy(&v, img + off, 4), v == a.mmio_scratch) &&
		   (memcpy(vals, blk, 16), vals[0] == a.mmio_scratch && vals[1] == a.mmio_counter &&
		    vals[2] == a.mmio_reads && vals[3] == a.mmio_doorbell),
		   "mmio.bin: the values and the store's immediate written");
		ok(blk && seed_apply("mmio.bin", img, n, &b) == 1 &&
		   (memcpy(&v, img + off, 4), v == b.mmio_scratch),
		   "mmio.bin: a patched image takes another seed");
		if (blk) {
			memcpy(img + off, "\x90\x90\x90\x90", 4);
			ok(seed_apply("mmio.bin", img, n, &a) == -1,
			   "mmio.bin: refused when the immediate is not where the block says");
		}
	}
	n = load("halt.bin", img, sizeof(img));
	ok(n && seed_apply("halt.bin", img, n, &a) == 0, "halt.bin has no parameters");
	memset(img, 0x90, sizeof(img));
	ok(seed_apply("hello.bin", img, 64, &a) == -1 && seed_apply("outside_ram.bin", img, 64, &a) == -1,
	   "an image without the layout is refused");
	return done_testing();
}
