// SPDX-License-Identifier: GPL-2.0
/*
 * patch.c - scan-and-patch: full virtualization without hardware help for
 * the instructions that do not trap (--mode patch).
 *
 * Concept: Popek and Goldberg ("istruzioni sensibili ma non privilegiate").
 * At ring 1 PUSHF, POPF, SGDT, SIDT, SLDT, STR, SMSW and MOV/PUSH from CS
 * read or change privileged state *without trapping*, so trap-and-emulate
 * (deprivileged mode) never sees them and the guest silently gets the real
 * machine's answers (guests/popek.S shows it). VMware's answer before VT-x
 * was binary translation: look at the guest's code before it runs and
 * rewrite the sensitive instructions. This file does the simplest form of
 * it, "scan and patch":
 *   1. In patch mode guest RAM starts without EPT execute permission, so
 *      the first instruction fetch from each page is an EPT violation.
 *   2. patch_ept_violation() decodes the page (insn.c), finds every
 *      sensitive-but-unprivileged instruction (patch_classify()), records
 *      it (GPA, original bytes, length) and overwrites it with INT3 (0xCC)
 *      plus NOPs, then grants execute permission and lets the guest go.
 *   3. INT3 raises #BP; bit 3 of the exception bitmap makes that a VM exit.
 *      patch_handle_bp() (patch_emulate.c) finds the site, emulates the *original*
 *      instruction against the virtual CPU (patch_emulate(): the virtual
 *      IF, the guest's own GDTR/IDTR, its CR0, RPL 0), and resumes after
 *      the original instruction. The trace marks the exit "patched".
 * Everything else is deprivileged mode as it is (deprivilege.c, emulate.c).
 *
 * Why INT3: it is the only one-byte instruction that always traps, at any
 * CPL and IOPL, and one byte fits over the shortest sensitive instruction
 * (PUSHF, 9C). HLT or CLI (also one byte, #GP at ring 1) would work too,
 * but would mix patched sites with the guest's own HLT/CLI in the #GP path.
 *
 * Limits, on purpose (a real binary translator removes each of them):
 *  - The sweep follows code from the faulting RIP and from the guest's IDT
 *    handlers: straight-line decoding that stops at JMP/RET/IRET and at an
 *    unknown opcode, plus the targets of direct jumps and calls (near, and
 *    far ones as if CS were flat) inside the page. Linear decoding cannot
 *    tell data from code, which is why it stops at unconditional jumps
 *    instead of decoding whatever follows (popek's address table, right
 *    after its first JMP, is data: a byte 0x9C there would be "patched"); the
 *    price is that code reached only through a pointer (JMP *%eax, a
 *    return address pushed by hand, an IDT loaded after the scan) is never
 *    scanned, and its sensitive instructions go unpatched. Real BT (VMware)
 *    translates basic block by basic block as execution reaches them, into
 *    a translation cache, so no code runs untranslated.
 *  - A page stays executable (and writable) once scanned: code written into
 *    it later (self-modifying code, a loader) is not rescanned. Dropping
 *    write permission after the scan would catch that, but an instruction
 *    that writes to its own page would then ping-pong between write and
 *    fetch faults forever (code and data share pages in these guests).
 *  - The patch is visible: a guest reading its own code sees 0xCC.
 *  - Operands: the flat 32-bit model of the guest ABI (segment bases 0, no
 *    paging); 16-bit addressing (0x67) is refused with #GP.
 *
 * SDM: vol. 3C, 29.3.3.2 "EPT Violations" (table 28-7, exit qualification);
 *      25.6.3 "Exception Bitmap"; vol. 2 pages of PUSHF, POPF, SGDT, SIDT,
 *      SLDT, STR, SMSW, MOV (segment registers), PUSH, INT3; vol. 3A, 2.8
 *      "System Instruction Summary" (which system instructions are
 *      privileged; SGDT, SIDT, SLDT, STR, SMSW are not).
 * Context: the run loop, preemption off, the VM's VMCS current (exits.c);
 *          patch_init() at TVMM_LOAD_IMAGE, process context.
 */
#define pr_fmt(fmt) KBUILD_MODNAME ": " fmt

#include <linux/bitmap.h>
#include <asm/processor-flags.h>

#include "tvmm.h"
#include "vmx_insn.h"
#include "include/tvmm/insn.h"

#define PATCH_MAX_ROOTS		64	/* sweep starting points per page */
#define IDT_GATE_SIZE		8
#define IDT_GATE_PRESENT	BIT(7)	/* in the access byte, byte 5 */

const char *const patch_names[] = {
	[PATCH_NONE] = "", [PATCH_PUSHF] = "pushf", [PATCH_POPF] = "popf",
	[PATCH_SGDT] = "sgdt", [PATCH_SIDT] = "sidt", [PATCH_SLDT] = "sldt",
	[PATCH_STR] = "str", [PATCH_SMSW] = "smsw", [PATCH_MOV_FROM_CS] = "mov from cs",
	[PATCH_PUSH_CS] = "push cs",
};

static_assert(ARRAY_SIZE(patch_names) == PATCH_NR_KINDS);

/**
 * patch_init() - patch mode: take execute permission away from all of
 * guest RAM, so that the first fetch from each page exits to the scanner.
 * @vm: the VM, its memory just allocated (no VMCS loaded yet; the run
 *      loop's INVEPT at the start of each slice flushes old translations)
 *
 * Return: 0, or -errno from the EPT walk.
 */
int patch_init(struct tvmm_vm *vm)
{
	unsigned long i;
	int err;

	memset(&vm->patch, 0, sizeof(vm->patch));
	/* Lab 04's stub mapped nothing: its TODO speaks at the first fetch. */
	if (vm->config.mode != TVMM_MODE_PATCH || vm->mem.lab_unmapped)
		return 0;
	for (i = 0; i < vm->mem.nr_pages; i++) {
		err = ept_set_exec(&vm->mem, (u64)i << PAGE_SHIFT, false);
		if (err)
			return err;
	}
	return 0;
}

/*
 * Lab 08: which sensitive-but-unprivileged instruction is @in, if any?
 * Return: an enum patch_kind (PATCH_NONE: not one of them), or -errno
 * (the stub: the VM has ended with the TODO's message).
 */
static int patch_classify(struct tvmm_vm *vm, const struct insn *in)
{
	/*
	 * TODO(lab08.1) BEGIN: classify the decoded instruction @in (op, op2
	 * after 0x0f, ModR/M's mod and reg: insn.h) as one of PUSHF (9C),
	 * POPF (9D), PUSH CS (0E), MOV r/m16 from CS (8C /1), SLDT, STR (0F 00
	 * /0 /1), SGDT, SIDT (0F 01 /0 /1, memory operand only), SMSW (0F 01
	 * /4), or PATCH_NONE. SDM vol. 3A 2.8 "System Instruction Summary";
	 * vol. 2D tables, A-6 (groups 6 and 7). Hint: 0F 01 with
	 * mod = 3 and reg 0 or 1 is VMCALL, MONITOR, ..., not SGDT/SIDT.
	 */
#ifdef CONFIG_TVMM_LAB08_SOLUTION
	unsigned int mod = MODRM_MOD(in->modrm), reg = MODRM_REG(in->modrm);

	switch (in->op) {
	case 0x9c:				/* PUSHF */
		return PATCH_PUSHF;
	case 0x9d:				/* POPF */
		return PATCH_POPF;
	case 0x0e:				/* PUSH CS */
		return PATCH_PUSH_CS;
	case 0x8c:				/* MOV r/m16, Sreg: /1 is CS */
		return reg == 1 ? PATCH_MOV_FROM_CS : PATCH_NONE;
	case 0x0f:
		if (in->op2 == 0x00 && reg == 0)	/* group 6 /0 */
			return PATCH_SLDT;
		if (in->op2 == 0x00 && reg == 1)	/* group 6 /1 */
			return PATCH_STR;
		if (in->op2 == 0x01 && reg == 0 && mod != 3)	/* group 7 /0 */
			return PATCH_SGDT;
		if (in->op2 == 0x01 && reg == 1 && mod != 3)	/* group 7 /1 */
			return PATCH_SIDT;
		if (in->op2 == 0x01 && reg == 4)	/* group 7 /4 */
			return PATCH_SMSW;
		return PATCH_NONE;
	default:
		return PATCH_NONE;
	}
#else
	return vcpu_lab_todo(vm, "lab08.1", "classify sensitive-unprivileged instructions");
#endif
	/* TODO(lab08.1) END */
}

/* Record a site and overwrite it: INT3, then NOPs to the original length. */
static void patch_site(struct tvmm_vm *vm, u64 gpa, const u8 *bytes,
		       const struct insn *in, enum patch_kind kind)
{
	struct tvmm_patch *p = &vm->patch;
	struct tvmm_patch_site *site;
	u8 code[INSN_LEN_MAX];

	if (p->nr_sites >= TVMM_PATCH_SITES) {
		p->sites_skipped++;	/* the table is full: left unpatched, counted */
		return;
	}
	site = &p->sites[p->nr_sites];
	site->gpa = gpa;
	site->len = in->len;
	site->kind = kind;
	site->hits = 0;
	memcpy(site->orig, bytes, in->len);
	memset(code, INSN_OP_NOP, sizeof(code));
	code[0] = INSN_OP_INT3;
	/* An instruction running into tvmm's tables: its fetch will end the VM. */
	if (depriv_in_shadow(vm, gpa, in->len) ||
	    guest_mem_write_kernel(&vm->mem, gpa, code, in->len)) {
		p->sites_skipped++;
		return;
	}
	/* debugfs reads the table without run_lock: publish the entry last. */
	smp_store_release(&p->nr_sites, p->nr_sites + 1);
}

/* Add a sweep starting point if it lies in the page being scanned. */
static void patch_add_root(u64 *roots, unsigned int *nr, u64 addr, u64 page)
{
	if (addr >= page && addr < page + PAGE_SIZE && *nr < PATCH_MAX_ROOTS)
		roots[(*nr)++] = addr;
}

/*
 * Handlers of the guest's IDT that start in @page: code no jump leads to,
 * entered by interrupts (flat segments: the gate offset is the address).
 */
static void patch_idt_roots(struct tvmm_vm *vm, u64 page, u64 *roots, unsigned int *nr)
{
	u32 size = min_t(u32, vm->guest_idt_limit + 1, TVMM_NR_VECTORS * IDT_GATE_SIZE);
	const u8 *gate = vm->scratch;
	u32 i;

	if (!vm->guest_idt_limit || guest_mem_read(&vm->mem, vm->guest_idt_base, vm->scratch, size))
		return;
	for (i = 0; i + IDT_GATE_SIZE <= size; i += IDT_GATE_SIZE)
		if (gate[i + 5] & IDT_GATE_PRESENT)
			patch_add_root(roots, nr, gate[i] | gate[i + 1] << 8 |
				       gate[i + 6] << 16 | (u32)gate[i + 7] << 24, page);
}

/*
 * Sweep one run of straight-line code from @addr: decode, patch what is
 * sensitive inside @page, queue in-page branch targets, stop at the end of
 * the page, an unconditional transfer, an unknown opcode or code already
 * swept. @addr may lie in the previous page (an instruction that crosses
 * into this one): it is decoded only to find where this page's code starts.
 */
static void patch_sweep(struct tvmm_vm *vm, u64 page, u64 addr, u64 *roots, unsigned int *nr)
{
	struct tvmm_patch *p = &vm->patch;
	struct insn in;
	u8 bytes[INSN_LEN_MAX];
	unsigned int steps;
	u64 avail;
	int kind;

	/* Bounded: each step decodes a new instruction start of the page. */
	for (steps = 0; steps <= PAGE_SIZE && addr < page + PAGE_SIZE; steps++) {
		if (addr >= vm->config.mem_size ||
		    (addr >= page && test_and_set_bit(addr - page, p->seen)))
			return;
		avail = min_t(u64, vm->config.mem_size - addr, INSN_LEN_MAX);
		if (guest_mem_read(&vm->mem, addr, bytes, avail))
			return;
		if (insn_decode(bytes, avail, &in) != INSN_OK) {
			p->unknown_opcodes++;
			return;
		}
		p->insns_decoded++;
		kind = patch_classify(vm, &in);
		if (kind < 0)
			return;
		if (kind != PATCH_NONE && addr >= page)
			patch_site(vm, addr, bytes, &in, kind);
		/* A far jump's offset is an address: the guest ABI's CS is flat. */
		if (in.far)
			patch_add_root(roots, nr, in.far_offset, page);
		else if (in.flow == INSN_FLOW_BRANCH || in.flow == INSN_FLOW_JUMP)
			patch_add_root(roots, nr, (u32)(addr + in.len + in.rel), page);
		if (in.flow == INSN_FLOW_JUMP || in.flow == INSN_FLOW_STOP)
			return;
		addr += in.len;
	}
}

/* Scan guest page @page, entered at @rip_gpa: patch it before it runs. */
static void patch_scan_page(struct tvmm_vm *vm, u64 page, u64 rip_gpa)
{
	u64 roots[PATCH_MAX_ROOTS];
	unsigned int nr = 0, i;

	bitmap_zero(vm->patch.seen, PAGE_SIZE);
	/* The faulting instruction, even if it starts in the page before. */
	if (rip_gpa + INSN_LEN_MAX > page && rip_gpa < page + PAGE_SIZE)
		roots[nr++] = rip_gpa;
	patch_idt_roots(vm, page, roots, &nr);
	for (i = 0; i < nr; i++)	/* nr grows up to PATCH_MAX_ROOTS */
		patch_sweep(vm, page, roots[i], roots, &nr);
	vm->patch.pages_scanned++;
}

/**
 * patch_ept_violation() - an EPT violation in patch mode: if it is the
 * first fetch from a page of guest RAM, scan and patch that page, then let
 * the guest fetch from it.
 * @vm: the VM
 * @exit: the EPT-violation exit (gpa, qual)
 *
 * Return: true if the exit was this (handled, the guest retries the
 * fetch), false for any other EPT violation (exits.c handles it).
 */
bool patch_ept_violation(struct tvmm_vm *vm, struct tvmm_exit_info *exit)
{
	u64 page = exit->gpa & PAGE_MASK;
	int err;

	/* Not tvmm's own tables (deprivilege.c): never code, never patched. */
	if (vm->config.mode != TVMM_MODE_PATCH || !(exit->qual & TVMM_EPT_QUAL_FETCH) ||
	    exit->gpa >= vm->shadow_gpa)
		return false;
	patch_scan_page(vm, page, (u32)(vmcs_read(VMCS_GUEST_CS_BASE) + exit->rip));
	exit->mnemonic = "scan page";
	exit->action = TVMM_ACTION_EMULATED;
	err = ept_set_exec(&vm->mem, page, true);
	/* Not needed for a permission added, but cheap and obviously safe. */
	if (!err)
		err = vmx_invept(INVEPT_SINGLE_CONTEXT, vm->mem.eptp);
	if (err) {
		exit->action = TVMM_ACTION_FATAL;
		vcpu_end(vm, TVMM_END_INTERNAL, exit->gpa,
			 "patch: cannot make page 0x%llx executable (%d)", page, err);
	}
	return true;
}

/* debugfs vmN/patches: every site, and what the scanner did. */
void patch_show(struct seq_file *m, struct tvmm_vm *vm)
{
	const struct tvmm_patch *p = &vm->patch;
	/* Pairs with patch_site()'s release: entries below n are complete. */
	unsigned int i, n = smp_load_acquire(&p->nr_sites);

	if (vm->config.mode != TVMM_MODE_PATCH) {
		seq_puts(m, "not in patch mode (tvmm run --mode patch)\n");
		return;
	}
	seq_printf(m, "pages scanned: %llu\ninstructions decoded: %llu\n",
		   READ_ONCE(p->pages_scanned), READ_ONCE(p->insns_decoded));
	seq_printf(m, "runs ended by an unknown opcode: %llu\nsites left unpatched (table full): %llu\n",
		   READ_ONCE(p->unknown_opcodes), READ_ONCE(p->sites_skipped));
	seq_printf(m, "%-10s %-12s %8s  %s\n", "gpa", "insn", "hits", "original bytes");
	for (i = 0; i < n; i++) {
		const struct tvmm_patch_site *s = &p->sites[i];

		seq_printf(m, "0x%08x %-12s %8llu  %*ph\n", s->gpa, patch_names[s->kind],
			   READ_ONCE(s->hits), s->len, s->orig);
	}
}
