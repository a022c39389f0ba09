// SPDX-License-Identifier: GPL-2.0
/*
 * kvm_bench - the same guest loop as tvmm_bench, handled by KVM (make bench).
 *
 * Runs in a lab VM whose kernel has KVM built in (tests/bench/kvm.config).
 * The smallest KVM user there is: one memory slot of 2 MiB at GPA 0,
 * guests/bench.bin at 0x10000, one vCPU started the way tvmm starts its
 * guests (32-bit protected mode, flat segments, paging off, ring 0,
 * interrupts off, ESP at the top of RAM), the CPUID table KVM supports,
 * and a KVM_RUN loop:
 *   KVM_EXIT_IO, port 0xE9, out   -> the byte(s) on stdout (the console)
 *   KVM_EXIT_IO, port 0x80        -> nothing: KVM_RUN again at once
 *   KVM_EXIT_HLT                  -> the end
 * CPUID never reaches this program: KVM answers it in the kernel. No
 * in-kernel irqchip is created, so HLT comes back to userspace.
 *
 *   kvm_bench [-r REPS] [IMAGE]   IMAGE defaults to bench.bin beside this
 *                                  program, then ./bench.bin
 *
 * The guest's results are read from its RAM (the results block at
 * 0x10010) and checked against its registers and its console line.
 * Output as tvmm_bench: per-repetition lines and "BENCH mode=kvm ...".
 * Exit status 0 if every run ended with HLT and valid results; 1 if not;
 * 4 if there is no usable KVM here (no /dev/kvm, or VMX taken).
 */
#define _GNU_SOURCE
#include <errno.h>
#include <fcntl.h>
#include <libgen.h>
#include <limits.h>
#include <stdlib.h>
#include <sys/ioctl.h>
#include <sys/mman.h>
#include <sys/stat.h>
#include <unistd.h>

#include <linux/kvm.h>

#include "bench.h"

#define MEM_SIZE	0x200000UL	/* 2 MiB, as tvmm's default */
#define TSS_ADDR	0xfffbd000UL	/* KVM_SET_TSS_ADDR: 3 pages below 4 GiB */
#define CONSOLE_PORT	0xe9
#define NODEV_PORT	0x80
#define EXIT_NO_KVM	4

static int kvm_fd = -1;

static void flat_segment(struct kvm_segment *s, __u16 selector, __u8 type)
{
	memset(s, 0, sizeof(*s));
	s->base = 0;
	s->limit = 0xffffffff;
	s->selector = selector;
	s->type = type;		/* 0xb: code exec/read accessed; 0x3: data rw accessed */
	s->present = 1;
	s->dpl = 0;
	s->db = 1;		/* 32-bit */
	s->s = 1;		/* code/data, not system */
	s->l = 0;
	s->g = 1;		/* 4 KiB granularity: limit 4 GiB */
}

/* The vCPU as tvmm starts a guest: 32-bit flat protected mode at 0x10000. */
static int setup_vcpu(int vcpu)
{
	struct kvm_sregs sregs;
	struct kvm_regs regs;
	struct kvm_cpuid2 *cpuid;
	int nent = 128;

	if (ioctl(vcpu, KVM_GET_SREGS, &sregs)) {
		perror("kvm_bench: KVM_GET_SREGS");
		return -1;
	}
	flat_segment(&sregs.cs, 0x08, 0xb);
	flat_segment(&sregs.ds, 0x10, 0x3);
	sregs.es = sregs.fs = sregs.gs = sregs.ss = sregs.ds;
	sregs.cr0 = 0x11;	/* PE | ET; paging off */
	sregs.cr4 = 0;
	sregs.efer = 0;
	if (ioctl(vcpu, KVM_SET_SREGS, &sregs)) {
		perror("kvm_bench: KVM_SET_SREGS");
		return -1;
	}
	memset(&regs, 0, sizeof(regs));
	regs.rip = BENCH_LOAD_GPA;
	regs.rsp = MEM_SIZE;
	regs.rflags = 0x2;	/* IF = 0 */
	if (ioctl(vcpu, KVM_SET_REGS, &regs)) {
		perror("kvm_bench: KVM_SET_REGS");
		return -1;
	}

	/* The CPUID table KVM supports, given to the vCPU as is. */
	for (;;) {
		cpuid = calloc(1, sizeof(*cpuid) + nent * sizeof(cpuid->entries[0]));
		if (!cpuid)
			return -1;
		cpuid->nent = nent;
		if (!ioctl(kvm_fd, KVM_GET_SUPPORTED_CPUID, cpuid))
			break;
		free(cpuid);
		if (errno != E2BIG) {
			perror("kvm_bench: KVM_GET_SUPPORTED_CPUID");
			return -1;
		}
		nent *= 2;
	}
	if (ioctl(vcpu, KVM_SET_CPUID2, cpuid)) {
		perror("kvm_bench: KVM_SET_CPUID2");
		free(cpuid);
		return -1;
	}
	free(cpuid);
	return 0;
}

static void show_exit(const struct kvm_run *run)
{
	switch (run->exit_reason) {
	case KVM_EXIT_FAIL_ENTRY:
		fprintf(stderr, "kvm_bench: KVM_EXIT_FAIL_ENTRY, hardware reason 0x%llx\n",
			(unsigned long long)run->fail_entry.hardware_entry_failure_reason);
		break;
	case KVM_EXIT_INTERNAL_ERROR:
		fprintf(stderr, "kvm_bench: KVM_EXIT_INTERNAL_ERROR, suberror %u\n",
			run->internal.suberror);
		break;
	case KVM_EXIT_SHUTDOWN:
		fprintf(stderr, "kvm_bench: KVM_EXIT_SHUTDOWN (triple fault)\n");
		break;
	case KVM_EXIT_IO:
		fprintf(stderr, "kvm_bench: KVM_EXIT_IO on port 0x%x (%s, size %u, count %u)\n",
			run->io.port, run->io.direction == KVM_EXIT_IO_OUT ? "out" : "in",
			run->io.size, run->io.count);
		break;
	default:
		fprintf(stderr, "kvm_bench: unexpected exit reason %u\n", run->exit_reason);
	}
}

/* One VM: create, load, run to HLT; 0, -1, or -EXIT_NO_KVM. */
static int run_once(const void *img, size_t size, long mmap_size, struct bench_run *out)
{
	struct kvm_userspace_memory_region region;
	struct bench_block block;
	struct kvm_regs regs;
	struct kvm_run *run = MAP_FAILED;
	char console[1024] = "";
	size_t clen = 0;
	unsigned int e, c, i, n;
	uint64_t t0, ns0, io_exits = 0;
	void *mem = MAP_FAILED;
	int vm, vcpu = -1, ret = -1;

	memset(out, 0, sizeof(*out));
	vm = ioctl(kvm_fd, KVM_CREATE_VM, 0);
	if (vm < 0) {
		if (errno == EBUSY) {
			fprintf(stderr, "kvm_bench: KVM_CREATE_VM: %s: VMX is held by someone else "
				"(tvmm.ko loaded? rmmod tvmm)\n", strerror(errno));
			return -EXIT_NO_KVM;
		}
		fprintf(stderr, "kvm_bench: KVM_CREATE_VM: %s\n", strerror(errno));
		return -1;
	}
	if (ioctl(vm, KVM_SET_TSS_ADDR, TSS_ADDR)) {
		perror("kvm_bench: KVM_SET_TSS_ADDR");
		goto out;
	}
	mem = mmap(NULL, MEM_SIZE, PROT_READ | PROT_WRITE,
		   MAP_PRIVATE | MAP_ANONYMOUS | MAP_NORESERVE, -1, 0);
	if (mem == MAP_FAILED) {
		perror("kvm_bench: mmap guest RAM");
		goto out;
	}
	memcpy((char *)mem + BENCH_LOAD_GPA, img, size);
	region = (struct kvm_userspace_memory_region) {
		.slot = 0,
		.guest_phys_addr = 0,
		.memory_size = MEM_SIZE,
		.userspace_addr = (unsigned long)mem,
	};
	if (ioctl(vm, KVM_SET_USER_MEMORY_REGION, &region)) {
		perror("kvm_bench: KVM_SET_USER_MEMORY_REGION");
		goto out;
	}
	vcpu = ioctl(vm, KVM_CREATE_VCPU, 0);
	if (vcpu < 0) {
		perror("kvm_bench: KVM_CREATE_VCPU");
		goto out;
	}
	run = mmap(NULL, mmap_size, PROT_READ | PROT_WRITE, MAP_SHARED, vcpu, 0);
	if (run == MAP_FAILED) {
		perror("kvm_bench: mmap kvm_run");
		goto out;
	}
	if (setup_vcpu(vcpu))
		goto out;

	t0 = __rdtsc();
	ns0 = bench_now_ns();
	for (;;) {
		if (ioctl(vcpu, KVM_RUN, 0)) {
			if (errno == EINTR)
				continue;
			perror("kvm_bench: KVM_RUN");
			goto out;
		}
		out->exits++;
		if (run->exit_reason == KVM_EXIT_HLT)
			break;
		if (run->exit_reason != KVM_EXIT_IO) {
			show_exit(run);
			goto out;
		}
		io_exits++;
		if (run->io.port == NODEV_PORT)
			continue;	/* no device: drop it, re-enter */
		if (run->io.port == CONSOLE_PORT && run->io.direction == KVM_EXIT_IO_OUT) {
			const char *data = (const char *)run + run->io.data_offset;
			size_t len = (size_t)run->io.size * run->io.count;

			if (clen + len < sizeof(console)) {
				memcpy(console + clen, data, len);
				clen += len;
				console[clen] = '\0';
			}
			continue;
		}
		show_exit(run);
		goto out;
	}
	out->run_tsc = __rdtsc() - t0;
	out->run_ns = bench_now_ns() - ns0;

	/* The results block in guest RAM, the registers and the console line. */
	memcpy(&block, (char *)mem + BENCH_RESULTS_GPA, sizeof(block));
	if (memcmp(block.magic, BENCH_MAGIC, 8) || block.done != 1 || !block.n) {
		fprintf(stderr, "kvm_bench: no results block at 0x%x (done %u)\n",
			BENCH_RESULTS_GPA, block.done);
		goto out;
	}
	out->n = block.n;
	out->empty = block.empty;
	out->cpuid = block.cpuid;
	out->io = block.io;
	if (ioctl(vcpu, KVM_GET_REGS, &regs)) {
		perror("kvm_bench: KVM_GET_REGS");
		goto out;
	}
	if ((uint32_t)regs.rsi != BENCH_REG_MAGIC || (uint32_t)regs.rax != block.empty ||
	    (uint32_t)regs.rbx != block.cpuid || (uint32_t)regs.rcx != block.io ||
	    (uint32_t)regs.rdx != block.n) {
		fprintf(stderr, "kvm_bench: the registers disagree with the results block\n");
		goto out;
	}
	if (!strstr(console, "bench: ") ||
	    sscanf(strstr(console, "bench: "), "bench: empty=%u cpuid=%u io=%u n=%u",
		   &e, &c, &i, &n) != 4 ||
	    e != block.empty || c != block.cpuid || i != block.io || n != block.n) {
		fprintf(stderr, "kvm_bench: console line missing or wrong: \"%s\"\n", console);
		goto out;
	}
	ret = 0;
out:
	if (run != MAP_FAILED)
		munmap(run, mmap_size);
	if (vcpu >= 0)
		close(vcpu);
	if (mem != MAP_FAILED)
		munmap(mem, MEM_SIZE);
	close(vm);
	return ret;
}

int main(int argc, char **argv)
{
	struct bench_run best = { 0 }, r;
	unsigned int reps = BENCH_REPS_DEFAULT, k;
	char path[PATH_MAX];
	const char *image = NULL;
	long mmap_size;
	size_t size = 0;
	void *img;
	int ret;

	ret = bench_options(argc, argv, &reps, path, &image);
	if (ret >= 0)
		return ret;
	img = bench_read_image(image, &size);
	if (!img) {
		fprintf(stderr, "kvm_bench: cannot read %s: %s\n", image, strerror(errno));
		return 1;
	}
	if (size > MEM_SIZE - BENCH_LOAD_GPA) {
		fprintf(stderr, "kvm_bench: %s is too big\n", image);
		return 1;
	}

	kvm_fd = open("/dev/kvm", O_RDWR | O_CLOEXEC);
	if (kvm_fd < 0) {
		fprintf(stderr, "kvm_bench: open /dev/kvm: %s (kernel without KVM?)\n",
			strerror(errno));
		return EXIT_NO_KVM;
	}
	ret = ioctl(kvm_fd, KVM_GET_API_VERSION, 0);
	if (ret != KVM_API_VERSION) {
		fprintf(stderr, "kvm_bench: KVM API version %d, want %d\n", ret, KVM_API_VERSION);
		return 1;
	}
	mmap_size = ioctl(kvm_fd, KVM_GET_VCPU_MMAP_SIZE, 0);
	if (mmap_size <= 0) {
		perror("kvm_bench: KVM_GET_VCPU_MMAP_SIZE");
		return 1;
	}

	printf("kvm_bench: %s (%zu bytes), %u repetitions\n", image, size, reps);
	for (k = 0; k < reps; k++) {
		ret = run_once(img, size, mmap_size, &r);
		if (ret)
			return ret == -EXIT_NO_KVM ? EXIT_NO_KVM : 1;
		bench_print_rep("kvm", k + 1, &r);
		bench_keep_min(&best, &r, k == 0);
	}
	printf("\nkvm_bench: guest TSC ticks per exit round trip (best of %u; n=%u)\n",
	       reps, best.n);
	printf("  cpuid (handled in the kernel):     %10.1f\n",
	       bench_per_exit(best.cpuid, best.empty, best.n));
	printf("  io 0x80 (KVM_EXIT_IO to userspace): %9.1f\n",
	       bench_per_exit(best.io, best.empty, best.n));
	printf("\n");
	bench_report("kvm", &best, reps);
	free(img);
	return 0;
}
