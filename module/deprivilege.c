// SPDX-License-Identifier: GPL-2.0
/*
 * deprivilege.c - run a ring-0 guest kernel at ring 1 ("virtual kernel
 * mode"), on shadow descriptor tables.
 *
 * Concept: de-privileging, as the notes draw it: the VMM keeps ring 0, the
 * guest kernel is moved to ring 1 and its applications stay at ring 3
 * ("virtual user mode"). The guest still believes it is at ring 0: it
 * loads its own GDT with ring-0 descriptors, its own IDT, its own TSS.
 * Those loads are privileged, so at ring 1 they fault and tvmm emulates
 * them (emulate.c) by building *shadow* tables in memory tvmm reserves at
 * the top of guest RAM:
 *   shadow GDT: the guest's descriptors, ring-0 code/data demoted to DPL 1,
 *               so the guest's own selectors work at ring 1;
 *   shadow IDT: the guest's gates, with interrupt gates made trap gates
 *               (delivery must not clear the real IF; tvmm clears the
 *               virtual one) and DPL-3 gates made DPL 0, so that `int $0x80`
 *               from ring 3 traps to tvmm, which reflects it (the notes'
 *               system-call flow);
 *   the guest's TSS gets SS1:ESP1 = its SS0:ESP0, the stack a ring-1
 *               kernel is entered on from ring 3.
 * The hardware GDTR/IDTR point at the shadows, so SGDT/SIDT at ring 1
 * reveal them without any trap: the Popek-Goldberg problem of lab 08.
 * Revealed, but not writable: a kernel that could write them would forge
 * a DPL-0 segment and a gate to it and be back at ring 0
 * (guests/adv_shadow.S). So the EPT maps the region read-only, and every
 * store tvmm makes for the guest is checked the same way.
 *
 * SDM: vol. 3A, 3.4.5 "Segment Descriptors", 5.5 "Privilege Levels", 6.11
 *      "IDT Descriptors", 7.2.1 "Task-State Segment"; vol. 3C, 27.3.1.2
 *      (guest segment checks), 29.3.3.2 "EPT Violations"; what Bochs
 *      does with such guests: tests/labvm/README.md, "De-privileged
 *      guests in Bochs".
 * Context: the run loop, preemption off, the VM's VMCS current.
 */
#include <linux/bitmap.h>
#include <asm/processor-flags.h>

#include "tvmm.h"
#include "vmx_insn.h"

/* The reserved region at the top of guest RAM: SHADOW_* in tvmm.h. */
#define SHADOW_TSS_OFFSET	0x2000	/* a TSS for before the guest's LTR */
#define TSS32_SIZE		104
static_assert(SHADOW_GDT_MAX <= TVMM_SCRATCH_SIZE && SHADOW_IDT_MAX <= TVMM_SCRATCH_SIZE);

/* Descriptor byte 5: P, DPL, S, type (SDM vol. 3A, figure 3-8). */
#define DESC_ACCESS_BYTE	5
#define DESC_FLAGS_BYTE		6	/* G, D/B, L, AVL in bits 7:4 */
#define DESC_DPL_SHIFT		5
#define DESC_DPL_MASK		(3 << DESC_DPL_SHIFT)
#define DESC_S			BIT(4)
#define DESC_P			BIT(7)
#define DESC_TYPE_MASK		0xf
#define DESC_TYPE_ACCESSED	BIT(0)
#define DESC_TYPE_DATA_WRITABLE	BIT(1)	/* data segments (code bit clear) */
#define DESC_TYPE_CODE		BIT(3)
#define DESC_TYPE_TSS32_AVAIL	0x9
#define DESC_TYPE_TSS_BUSY	BIT(1)
#define DESC_TYPE_INT_GATE32	0xe
#define DESC_TYPE_TRAP_GATE32	0xf
#define DESC_G			BIT(7)	/* in the flags byte */

/* TSS32 fields (SDM vol. 3A, figure 7-2). */
#define TSS_IOMAP_BASE		102	/* 16 bits: offset of the I/O bitmap */
#define TSS_ESP0		4
#define TSS_SS0			8
#define TSS_ESP1		12
#define TSS_SS1			16

/* Guest selectors at entry: the hw-mode ones with RPL 1. */
#define DEPRIV_CS_SEL		0x09
#define DEPRIV_DS_SEL		0x11
#define DEPRIV_TR_SEL		0x18

/* VMCS access rights from descriptor bytes 5 and 6 (SDM 25.4.1). */
static u32 desc_ar(const u8 *desc)
{
	return desc[DESC_ACCESS_BYTE] | ((desc[DESC_FLAGS_BYTE] & 0xf0) << 8);
}

static u32 desc_base(const u8 *d)
{
	return d[2] | d[3] << 8 | d[4] << 16 | d[7] << 24;
}

/* The limit in bytes, scaled by the granularity bit. */
static u32 desc_limit(const u8 *d)
{
	u32 limit = d[0] | d[1] << 8 | (d[6] & 0xf) << 16;

	return (d[DESC_FLAGS_BYTE] & DESC_G) ? (limit << 12) | 0xfff : limit;
}

/* A flat 4-GiB descriptor with access byte @access (32-bit, 4K granular). */
static void desc_flat(u8 *d, u8 access)
{
	static const u8 flat[8] = { 0xff, 0xff, 0, 0, 0, 0, 0xcf, 0 };

	memcpy(d, flat, sizeof(flat));
	d[DESC_ACCESS_BYTE] = access;
}

/**
 * depriv_protect_shadow() - in the ring-1 modes, place tvmm's region at
 * the top of guest RAM and make it read-only to the guest (EPT).
 * @vm: the VM, its RAM just mapped (vm_build()), not yet run
 *
 * Return: 0, or -EFAULT from the EPT walk.
 */
int depriv_protect_shadow(struct tvmm_vm *vm)
{
	u64 gpa;
	int err;

	if (!tvmm_mode_ring1(vm->config.mode))
		return 0;
	/* vm.c checked that RAM is bigger than the region. */
	vm->shadow_gpa = vm->config.mem_size - TVMM_DEPRIV_RESERVED;
	/* Lab 04's stub mapped nothing: its TODO speaks at the first fetch. */
	if (vm->mem.lab_unmapped)
		return 0;
	for (gpa = vm->shadow_gpa; gpa < vm->config.mem_size; gpa += PAGE_SIZE) {
		err = ept_set_readonly(&vm->mem, gpa);
		if (err)
			return err;
	}
	return 0;
}

/* Does [@gpa, @gpa + @len) touch tvmm's region (ring-1 modes only)? */
bool depriv_in_shadow(const struct tvmm_vm *vm, u64 gpa, u64 len)
{
	return tvmm_mode_ring1(vm->config.mode) && len &&
	       gpa < vm->config.mem_size &&
	       (gpa >= vm->shadow_gpa || vm->shadow_gpa - gpa < len);
}

/* End the VM: the guest's @access at @gpa reached tvmm's region. */
void depriv_shadow_end(struct tvmm_vm *vm, u64 gpa, const char *access)
{
	vcpu_end(vm, TVMM_END_EPT_VIOLATION, gpa,
		 "%s at guest-physical 0x%llx: tvmm's shadow tables (de-privileging) are read-only to the guest",
		 access, gpa);
}

/**
 * depriv_guest_store() - a store tvmm makes *for* the guest (the memory
 * operand of an instruction it emulates, LTR's busy bit and ring-1
 * stack). tvmm writes through the host's mapping, which the EPT does not
 * check, so it checks here what the EPT would: a store into tvmm's region
 * ends the VM as the guest's own store would.
 * @vm: the VM
 * @gpa: where the guest's instruction stores
 * @src: the bytes
 * @len: how many
 *
 * Return: 0, or -EFAULT (outside RAM, or the VM has ended).
 */
int depriv_guest_store(struct tvmm_vm *vm, u64 gpa, const void *src, u64 len)
{
	if (depriv_in_shadow(vm, gpa, len)) {
		depriv_shadow_end(vm, gpa, "write");
		return -EFAULT;
	}
	return guest_mem_write_kernel(&vm->mem, gpa, src, len);
}

/*
 * The shadow GDT is read-only to the guest, and that includes the CPU
 * acting for it: loading a segment register from a code or data
 * descriptor whose accessed bit (type bit 0) is clear makes the CPU set
 * it, a write to the GDT (SDM vol. 3A, 3.4.5.1), which the EPT would
 * refuse (vol. 3C, 29.3.3.2). So every code/data descriptor tvmm puts in
 * the shadow has the bit set already, whoever built the copy. A TSS
 * descriptor's busy bit needs nothing: the CPU sets it on LTR, which at
 * ring 1 faults and depriv_ltr() emulates, and on a task switch, which
 * always exits (exit reason 9) and ends the VM.
 */
static int shadow_gdt_set_accessed(struct tvmm_vm *vm, u64 offset, u64 len)
{
	u64 end = min_t(u64, offset + len, SHADOW_GDT_MAX);
	u64 desc;
	u8 access;

	for (desc = offset & ~7ULL; desc < end; desc += 8) {	/* at most 512 */
		u64 gpa = vm->shadow_gpa + SHADOW_GDT_OFFSET + desc + DESC_ACCESS_BYTE;

		if (desc + DESC_ACCESS_BYTE < offset || desc + DESC_ACCESS_BYTE >= end)
			continue;
		if (guest_mem_read(&vm->mem, gpa, &access, 1))
			return -EFAULT;
		if (!(access & DESC_S) || (access & DESC_TYPE_ACCESSED))
			continue;
		access |= DESC_TYPE_ACCESSED;
		if (guest_mem_write_kernel(&vm->mem, gpa, &access, 1))
			return -EFAULT;
	}
	return 0;
}

static int shadow_write(struct tvmm_vm *vm, u64 offset, const void *src, u64 len)
{
	int err = guest_mem_write_kernel(&vm->mem, vm->shadow_gpa + offset, src, len);

	if (!err && offset < SHADOW_GDT_OFFSET + SHADOW_GDT_MAX)
		err = shadow_gdt_set_accessed(vm, offset - SHADOW_GDT_OFFSET, len);
	return err;
}

/* Load a guest segment register from an 8-byte descriptor. */
static void load_segment(struct tvmm_vm *vm, unsigned long sel_field, u16 sel, const u8 *desc)
{
	unsigned long index = (sel_field - VMCS_GUEST_ES_SELECTOR) / 2;

	vcpu_write(vm, sel_field, sel);
	vcpu_write(vm, VMCS_GUEST_ES_BASE + index * 2, desc_base(desc));
	vcpu_write(vm, VMCS_GUEST_ES_LIMIT + index * 2, desc_limit(desc));
	vcpu_write(vm, VMCS_GUEST_ES_AR_BYTES + index * 2, desc_ar(desc));
}

/**
 * depriv_setup_guest() - the guest ABI's entry state at CPL 1: flat
 * segments from a shadow GDT whose ring-0 entries are already demoted,
 * real IF = 1 (the virtual one is 0), the stack below tvmm's region.
 * @vm: the VM; its common guest state is written (vmcs_setup_guest())
 * @err: VMWRITE errors accumulate here
 *
 * Return: 0 or -errno if the shadow region cannot be written.
 */
int depriv_setup_guest(struct tvmm_vm *vm, int *err)
{
	u8 gdt[4 * 8] = { 0 }, tss[TSS32_SIZE] = { 0 };
	unsigned long seg;
	int ret;

	/* vm->shadow_gpa: set by depriv_protect_shadow() when RAM was built. */
	/* GDT: null, 0x08 code DPL 1, 0x10 data DPL 1, 0x18 a TSS. */
	desc_flat(&gdt[8], DESC_P | (1 << DESC_DPL_SHIFT) | DESC_S | 0xb);
	desc_flat(&gdt[16], DESC_P | (1 << DESC_DPL_SHIFT) | DESC_S | 0x3);
	gdt[24] = TSS32_SIZE - 1;
	gdt[24 + 2] = (vm->shadow_gpa + SHADOW_TSS_OFFSET) & 0xff;
	gdt[24 + 3] = ((vm->shadow_gpa + SHADOW_TSS_OFFSET) >> 8) & 0xff;
	gdt[24 + 4] = ((vm->shadow_gpa + SHADOW_TSS_OFFSET) >> 16) & 0xff;
	gdt[24 + DESC_ACCESS_BYTE] = DESC_P | DESC_TYPE_TSS32_AVAIL | DESC_TYPE_TSS_BUSY;
	gdt[24 + 7] = ((vm->shadow_gpa + SHADOW_TSS_OFFSET) >> 24) & 0xff;
	/*
	 * An I/O map base past the TSS limit means "no I/O bitmap": every
	 * IN/OUT at CPL > IOPL faults (SDM vol. 1, 19.5.2). A zero base would
	 * make the TSS's own bytes the bitmap and let some ports through.
	 */
	tss[TSS_IOMAP_BASE] = TSS32_SIZE;
	ret = shadow_write(vm, SHADOW_GDT_OFFSET, gdt, sizeof(gdt));
	if (!ret)
		ret = shadow_write(vm, SHADOW_TSS_OFFSET, tss, sizeof(tss));
	if (ret)
		return ret;

	load_segment(vm, VMCS_GUEST_CS_SELECTOR, DEPRIV_CS_SEL, &gdt[8]);
	for (seg = VMCS_GUEST_ES_SELECTOR; seg <= VMCS_GUEST_GS_SELECTOR; seg += 2)
		if (seg != VMCS_GUEST_CS_SELECTOR)
			load_segment(vm, seg, DEPRIV_DS_SEL, &gdt[16]);
	load_segment(vm, VMCS_GUEST_TR_SELECTOR, DEPRIV_TR_SEL, &gdt[24]);
	vmx_vmwrite(VMCS_GUEST_GDTR_BASE, vm->shadow_gpa + SHADOW_GDT_OFFSET, err);
	vmx_vmwrite(VMCS_GUEST_GDTR_LIMIT, sizeof(gdt) - 1, err);
	vmx_vmwrite(VMCS_GUEST_RSP, vm->shadow_gpa, err);
	/* IOPL 0: CLI/STI/IN/OUT fault at CPL 1. IF 1: host interrupts always exit. */
	vmx_vmwrite(VMCS_GUEST_RFLAGS, X86_EFLAGS_FIXED | X86_EFLAGS_IF, err);
	return 0;
}

/* LGDT at ring 1: remember the guest's GDT, run on a demoted copy. */
int depriv_lgdt(struct tvmm_vm *vm, u64 base, u32 limit)
{
	/*
	 * TODO(lab06.1) BEGIN: LGDT executed at ring 1 (it faulted, emulate.c
	 * decoded it): remember the guest's GDT (vm->guest_gdt_base/limit) and
	 * build the shadow GDT the CPU really uses: copy the guest's table
	 * (guest_mem_read into vm->scratch; refuse a limit of SHADOW_GDT_MAX or
	 * more with -EINVAL), demote every code/data descriptor (S bit set) of
	 * DPL 0 to DPL 1, write it at SHADOW_GDT_OFFSET (shadow_write) and
	 * point GUEST_GDTR base/limit at it. This is the notes' "virtual kernel
	 * mode" (modalita' kernel virtuale). SDM vol. 3A 3.4.5 (segment
	 * descriptors), 5.5 (privilege levels). Hint: the access byte is byte 5
	 * of a descriptor: DESC_ACCESS_BYTE, DESC_S, DESC_DPL_SHIFT.
	 */
#ifdef CONFIG_TVMM_LAB06_SOLUTION
	u8 *table = vm->scratch;	/* SHADOW_GDT_MAX bytes, too big for the stack */
	unsigned int i;

	if (limit >= SHADOW_GDT_MAX || guest_mem_read(&vm->mem, base, table, limit + 1))
		return -EINVAL;
	vm->guest_gdt_base = base;
	vm->guest_gdt_limit = limit;
	for (i = 0; i + 8 <= limit + 1; i += 8) {
		u8 *access = &table[i + DESC_ACCESS_BYTE];

		/* Code and data at DPL 0 become DPL 1: "virtual kernel mode". */
		if ((*access & DESC_S) && !(*access & DESC_DPL_MASK))
			*access |= 1 << DESC_DPL_SHIFT;
	}
	if (shadow_write(vm, SHADOW_GDT_OFFSET, table, limit + 1))
		return -EFAULT;
	vcpu_write(vm, VMCS_GUEST_GDTR_BASE, vm->shadow_gpa + SHADOW_GDT_OFFSET);
	vcpu_write(vm, VMCS_GUEST_GDTR_LIMIT, limit);
	return 0;
#else
	return vcpu_lab_todo(vm, "lab06.1", "LGDT at ring 1: a shadow GDT at DPL 1");
#endif
	/* TODO(lab06.1) END */
}

/* LIDT at ring 1: remember the guest's IDT, run on an adjusted copy. */
int depriv_lidt(struct tvmm_vm *vm, u64 base, u32 limit)
{
	/*
	 * TODO(lab06.2) BEGIN: LIDT at ring 1: remember the guest's IDT
	 * (vm->guest_idt_base/limit; limit below SHADOW_IDT_MAX or -EINVAL),
	 * copy it and adjust each gate: 32-bit interrupt gates become trap
	 * gates (IF is virtual now: the CPU must not clear the real one), and
	 * DPL-3 gates (the guest's system calls) become DPL 0 so `int n` from
	 * ring 3 faults to tvmm; remember those vectors in vm->user_gates.
	 * Write the copy at SHADOW_IDT_OFFSET, point GUEST_IDTR at it, and
	 * start the virtual timer (virq_start_timer). SDM vol. 3A 6.11 (IDT
	 * descriptors), 6.12.1.1 (gate DPL check). Hint: bitmap_zero() the old
	 * user_gates first.
	 */
#ifdef CONFIG_TVMM_LAB06_SOLUTION
	u8 *table = vm->scratch;
	unsigned int i;

	if (limit >= SHADOW_IDT_MAX || guest_mem_read(&vm->mem, base, table, limit + 1))
		return -EINVAL;
	vm->guest_idt_base = base;
	vm->guest_idt_limit = limit;
	bitmap_zero(vm->user_gates, TVMM_NR_VECTORS);
	for (i = 0; i + 8 <= limit + 1; i += 8) {
		u8 *access = &table[i + DESC_ACCESS_BYTE];

		if ((*access & DESC_TYPE_MASK) == DESC_TYPE_INT_GATE32)
			*access = (*access & ~DESC_TYPE_MASK) | DESC_TYPE_TRAP_GATE32;
		if ((*access & DESC_DPL_MASK) == DESC_DPL_MASK) {
			set_bit(i / 8, vm->user_gates);
			*access &= ~DESC_DPL_MASK;	/* int n from ring 3 traps */
		}
	}
	if (shadow_write(vm, SHADOW_IDT_OFFSET, table, limit + 1))
		return -EFAULT;
	vcpu_write(vm, VMCS_GUEST_IDTR_BASE, vm->shadow_gpa + SHADOW_IDT_OFFSET);
	vcpu_write(vm, VMCS_GUEST_IDTR_LIMIT, limit);
	virq_start_timer(vm);
	return 0;
#else
	return vcpu_lab_todo(vm, "lab06.2", "LIDT at ring 1: the shadow IDT");
#endif
	/* TODO(lab06.2) END */
}

/* Read descriptor @sel of the guest's own GDT. */
static int guest_desc(struct tvmm_vm *vm, u16 sel, u8 *desc)
{
	u32 offset = sel & TVMM_SEL_INDEX_MASK;

	if (!offset || offset + 7 > vm->guest_gdt_limit)
		return -EINVAL;
	return guest_mem_read(&vm->mem, vm->guest_gdt_base + offset, desc, 8);
}

/*
 * LTR at ring 1: load TR from the guest's TSS descriptor, mark it busy
 * (as the CPU would), and give the TSS a ring-1 stack equal to the ring-0
 * stack the guest kernel set up for itself.
 */
int depriv_ltr(struct tvmm_vm *vm, u16 sel)
{
	u8 desc[8];
	u32 base, offset, ss0, esp0, ss1;

	if (guest_desc(vm, sel, desc) ||
	    (desc[DESC_ACCESS_BYTE] & (DESC_S | DESC_TYPE_MASK)) != DESC_TYPE_TSS32_AVAIL ||
	    !(desc[DESC_ACCESS_BYTE] & DESC_P))
		return -EINVAL;
	desc[DESC_ACCESS_BYTE] |= DESC_TYPE_TSS_BUSY;
	base = desc_base(desc);
	offset = sel & TVMM_SEL_INDEX_MASK;
	if (depriv_guest_store(vm, vm->guest_gdt_base + offset, desc, 8) ||
	    shadow_write(vm, SHADOW_GDT_OFFSET + offset, desc, 8) ||
	    guest_mem_read(&vm->mem, base + TSS_ESP0, &esp0, 4) ||
	    guest_mem_read(&vm->mem, base + TSS_SS0, &ss0, 4))
		return -EINVAL;
	ss1 = (ss0 & 0xffff & ~TVMM_SEL_RPL_MASK) | TVMM_VIRTUAL_KERNEL_RING;
	if (depriv_guest_store(vm, base + TSS_ESP1, &esp0, 4) ||
	    depriv_guest_store(vm, base + TSS_SS1, &ss1, 4))
		return -EINVAL;
	load_segment(vm, VMCS_GUEST_TR_SELECTOR, sel, desc);
	return 0;
}

/*
 * MOV/POP to SS with the guest's ring-0 selector: at ring 1 the CPU wants
 * RPL = CPL = DPL, so tvmm loads the same descriptor with RPL 1.
 */
int depriv_load_ss(struct tvmm_vm *vm, u16 sel)
{
	u32 index;
	u8 desc[8];

	sel = (sel & ~TVMM_SEL_RPL_MASK) | TVMM_VIRTUAL_KERNEL_RING;
	/*
	 * The checks MOV SS and POP SS make (SDM vol. 2B, MOV, "IF SS is
	 * loaded"): a selector inside the GDT's limit, to a present, writable
	 * data segment of the loading ring. A VM entry with any other SS
	 * fails (SDM 27.3.1.2), so tvmm must never load one.
	 */
	index = sel & TVMM_SEL_INDEX_MASK;
	if (!index || index + 7 > vm->guest_gdt_limit ||
	    guest_mem_read(&vm->mem, vm->shadow_gpa + SHADOW_GDT_OFFSET + index, desc, 8) ||
	    !(desc[DESC_ACCESS_BYTE] & DESC_P) || !(desc[DESC_ACCESS_BYTE] & DESC_S) ||
	    (desc[DESC_ACCESS_BYTE] & DESC_TYPE_CODE) ||
	    !(desc[DESC_ACCESS_BYTE] & DESC_TYPE_DATA_WRITABLE) ||
	    (desc[DESC_ACCESS_BYTE] & DESC_DPL_MASK) >> DESC_DPL_SHIFT != TVMM_VIRTUAL_KERNEL_RING)
		return -EINVAL;
	desc[DESC_ACCESS_BYTE] |= DESC_TYPE_ACCESSED;
	load_segment(vm, VMCS_GUEST_SS_SELECTOR, sel, desc);
	return 0;
}

/*
 * `int $n` from ring 3 through a gate the guest made DPL 3 (its system
 * call) faulted on the shadow gate tvmm made DPL 0. Reflect it: deliver
 * vector @vector to the guest kernel's own handler, returning after the
 * INT instruction. It enters as an external-interrupt-type event so the
 * CPU does not repeat the DPL check that just failed (SDM 27.6.1.1).
 * Return: 0 if reflected, -EPERM if the guest's gate was not for ring 3.
 */
int depriv_reflect_int(struct tvmm_vm *vm, struct tvmm_exit_info *exit, u8 vector)
{
	/*
	 * TODO(lab07.3) BEGIN: reflect a system call: `int $vector` from ring 3
	 * faulted (#GP) on the DPL-0 shadow gate. If the guest's own gate was
	 * DPL 3 (test_bit in vm->user_gates) deliver @vector to the guest
	 * kernel's handler: step over the INT (vcpu_skip_instruction, so it
	 * returns after it) and inject the vector as an external-interrupt-type
	 * event (VM-entry interruption-information, valid bit), which the CPU
	 * delivers without the gate DPL check that just failed (SDM vol. 3C
	 * 27.6.1.1). Return -EPERM if the gate was not for ring 3: the caller
	 * then gives the guest its #GP. Hint: the field's format (vector,
	 * type, valid bit) is in SDM vol. 3C 25.8.3, table 25-17.
	 */
#ifdef CONFIG_TVMM_LAB07_SOLUTION
	if (!test_bit(vector, vm->user_gates))
		return -EPERM;
	vcpu_skip_instruction(vm, exit);
	/* Type 0, external interrupt: no gate DPL check on delivery. */
	vcpu_write(vm, VMCS_VM_ENTRY_INTR_INFO_FIELD, vector | TVMM_INTR_INFO_VALID);
	return 0;
#else
	return vcpu_lab_todo(vm, "lab07.3", "reflect int 0x80 to the guest kernel");
#endif
	/* TODO(lab07.3) END */
}
