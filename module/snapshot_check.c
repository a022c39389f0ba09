// SPDX-License-Identifier: GPL-2.0
/*
 * snapshot_check.c - check a VM state given to TVMM_SET_STATE, field by
 * field, before any of it reaches the VMCS or tvmm's data.
 *
 * Concept: a restore is an input channel to the VMM, as wide as the
 * guest's whole state. A VM's state is normally made by the CPU and by
 * tvmm's own emulation, each enforcing the architecture's rules; a state
 * read from a file was made by whoever wrote the file. So it gets the
 * checks the CPU and tvmm would have applied on the way to it: the ones
 * TVMM_SET_REGS applies to RFLAGS and RIP, cr.c's to CR0/CR4/EFER,
 * debugreg.c's to the debug registers, the VM-entry checks on segments
 * and events (SDM 27.3.1), and tvmm's own invariants: a de-privileged
 * guest never at ring 0 and never with IOPL > 0, its GDTR/IDTR only on
 * tvmm's shadow tables, patch sites inside guest RAM, every count and
 * index bounded. The VM entry would catch some of this too, but only by
 * ending the VM after it was half built; tvmm's own invariants it would
 * not catch at all.
 *
 * SDM: vol. 3C, 27.3.1.2 "Checks on Guest Segment Registers", 27.3.1.3
 *      (GDTR, IDTR), 27.3.1.5 "Checks on Guest Non-Register State",
 *      27.2.1.3 "Checks on VM-Entry Control Fields" (event injection).
 * Context: process context, under the VM's run_lock; touches no VMCS.
 */
#include <asm/processor-flags.h>

#include "tvmm.h"
#include "vmcs_fields.h"
#include "include/tvmm/insn.h"

/* VMCS access rights (SDM 25.4.1, table 25-2). */
#define SEG_AR_TYPE(ar)		((ar) & 0xf)
#define SEG_AR_S			BIT(4)
#define SEG_AR_DPL(ar)		(((ar) >> 5) & 3)
#define SEG_AR_P			BIT(7)
#define SEG_AR_L			BIT(13)
#define SEG_AR_G			BIT(15)
#define SEG_AR_UNUSABLE		BIT(16)
#define SEG_AR_RESERVED		(GENMASK(11, 8) | GENMASK(31, 17))
#define TYPE_ACCESSED		BIT(0)
#define TYPE_READABLE		BIT(1)	/* code */
#define TYPE_CODE		BIT(3)
#define TYPE_TSS32_BUSY		11
#define TYPE_LDT		2
#define SEL_TI			BIT(2)

enum { SEG_ES, SEG_CS, SEG_SS, SEG_DS, SEG_FS, SEG_GS, SEG_LDTR, SEG_TR };
static const char *const seg_names[TVMM_STATE_SEGS] = {
	"ES", "CS", "SS", "DS", "FS", "GS", "LDTR", "TR"
};

/* Rules every usable segment follows (SDM 27.3.1.2), else what is wrong. */
static const char *check_seg_common(const struct tvmm_state_seg *s)
{
	if (s->reserved[0] || s->reserved[1] || s->reserved[2])
		return "reserved bytes set";
	if (s->base > U32_MAX)
		return "base above 4 GiB in a 32-bit guest";
	if (s->ar & SEG_AR_UNUSABLE)
		return NULL;
	if (s->ar & SEG_AR_RESERVED)
		return "reserved access-rights bits set";
	if (!(s->ar & SEG_AR_P))
		return "usable but not present";
	if (s->ar & SEG_AR_L)
		return "64-bit code in a 32-bit guest";
	/* Granularity: a limit in 4-KiB units ends in 0xfff, a byte limit fits 20 bits. */
	if ((s->limit & 0xfff) != 0xfff && (s->ar & SEG_AR_G))
		return "limit and granularity disagree";
	if (s->limit > 0xfffff && !(s->ar & SEG_AR_G))
		return "limit and granularity disagree";
	return NULL;
}

/* CS, SS, DS...: code and data segments of protected mode. */
static const char *check_seg_code_data(unsigned int i, const struct tvmm_state_seg *s,
				       u32 ss_dpl, bool ring1)
{
	u32 type = SEG_AR_TYPE(s->ar), dpl = SEG_AR_DPL(s->ar);

	if (s->ar & SEG_AR_UNUSABLE)
		return i == SEG_CS ? "CS unusable" : NULL;
	if (!(s->ar & SEG_AR_S))
		return "a system descriptor in a code/data register";
	if (!(type & TYPE_ACCESSED))
		return "not accessed (the CPU sets the bit on every load)";
	/* In de-privileged modes nothing of the guest runs or lives at ring 0. */
	if (ring1 && dpl == 0)
		return "DPL 0 in a de-privileged guest";
	switch (i) {
	case SEG_CS:
		if (!(type & TYPE_CODE))
			return "CS is not a code segment";
		if (!(type & BIT(2)) && dpl != ss_dpl)	/* nonconforming */
			return "CS.DPL differs from SS.DPL";
		if ((type & BIT(2)) && dpl > ss_dpl)
			return "conforming CS.DPL above SS.DPL";
		return NULL;
	case SEG_SS:
		if (type != 3 && type != 7)
			return "SS is not a writable data segment";
		if (dpl != (s->selector & TVMM_SEL_RPL_MASK))
			return "SS.DPL differs from its selector's RPL";
		return NULL;
	default:
		if ((type & TYPE_CODE) && !(type & TYPE_READABLE))
			return "an execute-only code segment in a data register";
		if (type <= 11 && dpl < (s->selector & TVMM_SEL_RPL_MASK))
			return "DPL below the selector's RPL";
		return NULL;
	}
}

/* The segment registers: each as a VM entry would check it, plus the rings. */
static const char *check_segs(const struct tvmm_vm_state *st, bool ring1,
			      unsigned int *bad)
{
	u32 ss_dpl = SEG_AR_DPL(st->seg[SEG_SS].ar);
	const struct tvmm_state_seg *s;
	const char *why;
	unsigned int i;

	for (i = 0; i < TVMM_STATE_SEGS; i++) {
		s = &st->seg[i];
		*bad = i;
		why = check_seg_common(s);
		if (why)
			return why;
		if (i == SEG_TR) {
			if ((s->ar & SEG_AR_UNUSABLE) || SEG_AR_TYPE(s->ar) != TYPE_TSS32_BUSY ||
			    (s->ar & SEG_AR_S) || (s->selector & SEL_TI))
				return "not a busy 32-bit TSS in the GDT";
		} else if (i == SEG_LDTR) {
			if (s->ar & SEG_AR_UNUSABLE)
				continue;
			if (SEG_AR_TYPE(s->ar) != TYPE_LDT || (s->ar & SEG_AR_S) ||
			    (s->selector & SEL_TI))
				return "not an LDT in the GDT";
		} else {
			why = check_seg_code_data(i, s, ss_dpl, ring1);
			if (why)
				return why;
		}
	}
	return NULL;
}

/*
 * RFLAGS (as TVMM_SET_REGS), CR0/CR4/EFER (as cr.c), the debug registers
 * (as debugreg.c), RIP/RSP and descriptor-table registers of a 32-bit guest.
 */
static const char *check_regs(struct tvmm_vm *vm, const struct tvmm_vm_state *s)
{
	struct tvmm_regs r = { .rip = s->rip, .rsp = s->rsp, .rflags = s->rflags };
	u64 cr0 = s->cr0;
	unsigned int i;

	if (!vcpu_regs_valid(vm, &r))
		return "RIP, RSP or RFLAGS: refused as TVMM_SET_REGS would (4 GiB, VM, IOPL)";
	if (!cr_check_cr0(vm, &cr0) || cr0 != s->cr0 || !(cr0 & X86_CR0_PE))
		return "CR0: a value the CPU refuses, or protection off";
	if (tvmm_mode_ring1(vm->config.mode) && (cr0 & X86_CR0_PG))
		return "CR0: paging on in a de-privileged guest";
	if (!cr_check_cr4(vm, s->cr4))
		return "CR4: a value the CPU refuses";
	if (s->cr3 > U32_MAX)
		return "CR3 above 4 GiB";
	if (!cr_check_efer(vm, s->efer))
		return "EFER: a value the CPU refuses";
	if (s->sysenter_cs > U32_MAX ||
	    !__is_canonical_address(s->sysenter_esp, boot_cpu_has(X86_FEATURE_LA57) ? 57 : 48) ||
	    !__is_canonical_address(s->sysenter_eip, boot_cpu_has(X86_FEATURE_LA57) ? 57 : 48))
		return "SYSENTER MSRs: a value WRMSR refuses";
	for (i = 0; i < ARRAY_SIZE(s->dr); i++)
		if (s->dr[i] > U32_MAX)
			return "DR0-DR3 above 4 GiB";
	if (s->dr6 != ((s->dr6 & TVMM_DR6_VOLATILE) | TVMM_DR6_FIXED_1) ||
	    s->dr7 != ((s->dr7 & TVMM_DR7_VOLATILE) | TVMM_DR7_FIXED_1))
		return "DR6/DR7: bits a MOV DR cannot set";
	if (s->gdtr_base > U32_MAX || s->idtr_base > U32_MAX ||
	    s->gdtr_limit > 0xffff || s->idtr_limit > 0xffff)
		return "GDTR/IDTR: base above 4 GiB or limit above 64 KiB";
	return NULL;
}

/*
 * De-privileged and patch modes: the CPU's GDTR/IDTR are tvmm's shadow
 * tables (deprivilege.c), never the guest's own; the guest's as it loaded
 * them fit the shadows. Other modes have no shadows: those fields are 0.
 */
static const char *check_shadows(struct tvmm_vm *vm, const struct tvmm_vm_state *s)
{
	u64 shadow = vm->config.mem_size - TVMM_DEPRIV_RESERVED;

	if (!tvmm_mode_ring1(vm->config.mode)) {
		if (s->guest_gdt_base || s->guest_idt_base || s->guest_gdt_limit ||
		    s->guest_idt_limit || s->user_gates[0] || s->user_gates[1] ||
		    s->user_gates[2] || s->user_gates[3])
			return "shadow-table fields set in a mode without shadow tables";
		return NULL;
	}
	if (s->gdtr_base != shadow + SHADOW_GDT_OFFSET || s->gdtr_limit >= SHADOW_GDT_MAX)
		return "GDTR is not tvmm's shadow GDT";
	if (!(s->idtr_base == shadow + SHADOW_IDT_OFFSET && s->idtr_limit < SHADOW_IDT_MAX) &&
	    !(s->idtr_base == 0 && s->idtr_limit == 0))
		return "IDTR is not tvmm's shadow IDT";
	if (s->guest_gdt_base > U32_MAX || s->guest_idt_base > U32_MAX ||
	    s->guest_gdt_limit >= SHADOW_GDT_MAX || s->guest_idt_limit >= SHADOW_IDT_MAX)
		return "the guest's GDT/IDT do not fit the shadow tables";
	return NULL;
}

/*
 * Interruptibility, activity, pending debug exceptions and a queued event
 * (SDM 27.3.1.5, 27.2.1.3): what tvmm itself leaves there between exits.
 */
static const char *check_events(const struct tvmm_vm_state *s)
{
	u32 info = s->entry_intr_info, type, vector;
	bool tf = s->rflags & X86_EFLAGS_TF;

	if (s->interruptibility & ~(u32)(VMCS_BLOCKING_BY_STI | VMCS_BLOCKING_BY_MOV_SS) ||
	    s->interruptibility == (VMCS_BLOCKING_BY_STI | VMCS_BLOCKING_BY_MOV_SS))
		return "interruptibility: bits other than one STI or MOV-SS shadow";
	if ((s->interruptibility & VMCS_BLOCKING_BY_STI) && !(s->rflags & X86_EFLAGS_IF))
		return "interruptibility: an STI shadow with IF clear";
	if (s->activity != VMCS_ACTIVITY_ACTIVE)
		return "activity state: not active (tvmm's HLT is in software)";
	if (s->pending_dbg & ~TVMM_PENDING_DBG_BS)
		return "pending debug exceptions: bits other than BS";
	if (s->interruptibility && !!(s->pending_dbg & TVMM_PENDING_DBG_BS) != tf)
		return "pending debug exceptions: BS disagrees with RFLAGS.TF";
	if (!(info & TVMM_INTR_INFO_VALID))
		return info || s->entry_error_code || s->entry_insn_len ?
		       "queued event: fields set without the valid bit" : NULL;
	type = (info >> TVMM_INTR_INFO_TYPE_SHIFT) & TVMM_INTR_INFO_TYPE_MASK;
	vector = info & TVMM_INTR_INFO_VECTOR_MASK;
	if (info & GENMASK(30, 12))
		return "queued event: reserved bits set";
	switch (type) {
	case TVMM_INTR_TYPE_EXTERNAL:
		if (info & TVMM_INTR_INFO_DELIVER_CODE)
			return "queued event: an interrupt with an error code";
		break;
	case TVMM_INTR_TYPE_HW_EXCEPTION:
		/* Error code exactly for #DF, #TS, #NP, #SS, #GP, #PF, #AC (27.2.1.3). */
		if (vector >= 32 || vector == 2)
			return "queued event: not an exception vector";
		if (!!(info & TVMM_INTR_INFO_DELIVER_CODE) !=
		    !!(BIT(vector) & (BIT(8) | GENMASK(14, 10) | BIT(17))))
			return "queued event: error code bit wrong for the vector";
		break;
	case TVMM_INTR_TYPE_SW_INTERRUPT:
	case TVMM_INTR_TYPE_SW_EXCEPTION:
		if (info & TVMM_INTR_INFO_DELIVER_CODE)
			return "queued event: a software event with an error code";
		if (type == TVMM_INTR_TYPE_SW_EXCEPTION && vector != 3 && vector != 4)
			return "queued event: a software exception other than INT3/INTO";
		if (s->entry_insn_len < 1 || s->entry_insn_len > TVMM_INSN_MAX)
			return "queued event: instruction length not 1-15";
		break;
	default:
		return "queued event: a type tvmm never injects (NMI, ICEBP...)";
	}
	if (type != TVMM_INTR_TYPE_SW_INTERRUPT && type != TVMM_INTR_TYPE_SW_EXCEPTION &&
	    s->entry_insn_len)
		return "queued event: an instruction length for a hardware event";
	if (!(info & TVMM_INTR_INFO_DELIVER_CODE) && s->entry_error_code)
		return "queued event: an error code without the bit";
	return NULL;
}

/*
 * The virtual CPU tvmm emulates (snapshot_save_virq()): booleans, the
 * timer, the HLT it waits in. The CPU checks none of it at VM entry: it
 * is tvmm's own state, and only tvmm knows which values it could reach.
 */
static const char *check_vcpu(struct tvmm_vm *vm, const struct tvmm_vm_state *s)
{
	/*
	 * TODO(lab11.2) BEGIN: refuse a virtual CPU tvmm could not have
	 * reached (return what is wrong, in words; NULL accepts): each flag
	 * (vif, timer_on, irq_pending, irq_window, halted, halt_pending) is 0
	 * or 1; a running timer needs a config with a timer (its period,
	 * vm->config.timer_ticks, 0 meaning TVMM_TIMER_DEFAULT, is not
	 * TVMM_TIMER_OFF); a pending tick or a HLT waiting needs a running
	 * timer, or nothing would ever wake the guest; the timer's phase
	 * (s->timer_left) is at most one period, and 0 with no timer;
	 * "halted" needs the HLT exit it waits in (halt_pending); without one,
	 * every byte of s->halt is 0; with one, s->halt is a HLT exit (reason
	 * HLT, or EXCEPTION_NMI for the #GP of a HLT at ring 1), with a RIP
	 * below 4 GiB, an instruction length of at most 15, an action tvmm
	 * knows, a virtual IF of 0 or 1, reserved bytes 0, and the mnemonic
	 * "hlt" or none. The lab's tests look for a word in each reason:
	 * "flag" for the flags, "timer" for the timer's rules, "HLT" for
	 * halted without its exit and for exit fields with none pending,
	 * "not a HLT" for a pending exit that is not one.
	 * Hint: a restored state is the guest's input, not tvmm's memory: the
	 * state a file describes was written by whoever wrote the file.
	 */
#ifdef CONFIG_TVMM_LAB11_SOLUTION
	u64 period = vm->config.timer_ticks ? vm->config.timer_ticks : TVMM_TIMER_DEFAULT;

	if ((s->vif | s->timer_on | s->irq_pending | s->irq_window | s->halted |
	     s->halt_pending) > 1)
		return "virtual CPU: a flag other than 0 or 1";
	if (s->timer_on && period == TVMM_TIMER_OFF)
		return "timer: running, but the config has none";
	if ((s->irq_pending || s->halted) && !s->timer_on)
		return "timer: a tick pending or a HLT waiting, with no timer";
	if (s->timer_left > (s->timer_on ? period : 0))
		return "timer: more ticks left than its period";
	if (s->halted && !s->halt_pending)
		return "halted, without the HLT exit it waits in";
	if (!s->halt_pending)
		return memchr_inv(&s->halt, 0, sizeof(s->halt)) ?
		       "HLT exit fields set without a HLT pending" : NULL;
	if ((s->halt.reason != EXIT_REASON_HLT && s->halt.reason != EXIT_REASON_EXCEPTION_NMI) ||
	    s->halt.rip > U32_MAX || s->halt.insn_len > TVMM_INSN_MAX ||
	    s->halt.action > TVMM_ACTION_PATCHED || s->halt.vif > 1 ||
	    memchr_inv(s->halt.reserved, 0, sizeof(s->halt.reserved)) ||
	    (s->halt.mnemonic[0] && strncmp(s->halt.mnemonic, "hlt", sizeof(s->halt.mnemonic))))
		return "the pending HLT exit is not a HLT";
	return NULL;
#else
	tvmm_lab_todo("lab11.2", "check the restored virtual CPU");
	return "TODO(lab11.2) not done: check the virtual CPU (labs/lab11-vm-life/README.md)";
#endif
	/* TODO(lab11.2) END */
}

/* Patch mode's sites inside guest RAM, its executable pages inside RAM. */
static const char *check_patch(struct tvmm_vm *vm, const struct tvmm_vm_state *s)
{
	unsigned long pages = vm->config.mem_size >> PAGE_SHIFT, i;
	bool patch = vm->config.mode == TVMM_MODE_PATCH;
	const struct tvmm_state_patch_site *p;
	struct insn in;

	if (s->nr_patch_sites > (patch ? TVMM_PATCH_SITES : 0))
		return "patch sites: too many, or in a mode without patching";
	for (i = 0; i < s->nr_patch_sites; i++) {
		p = &s->patch_sites[i];
		if (!p->len || p->len > TVMM_INSN_MAX || p->kind == PATCH_NONE ||
		    p->kind >= PATCH_NR_KINDS || p->gpa + p->len > vm->config.mem_size ||
		    memchr_inv(p->reserved, 0, sizeof(p->reserved)))
			return "patch sites: a site outside RAM, of no known kind or length";
		/* The original bytes must be one instruction of that length (patch.c). */
		if (insn_decode(p->orig, p->len, &in) != INSN_OK || in.len != p->len)
			return "patch sites: original bytes that are not one instruction";
	}
	for (; i < TVMM_STATE_PATCH_SITES; i++)
		if (memchr_inv(&s->patch_sites[i], 0, sizeof(s->patch_sites[i])))
			return "patch sites: bytes set past the last site";
	for (i = 0; i < TVMM_STATE_EXEC_WORDS * 64; i++)
		if ((s->exec_pages[i / 64] & BIT_ULL(i % 64)) && (!patch || i >= pages))
			return "executable pages: past RAM, or in a mode without patching";
	return NULL;
}

/**
 * snapshot_check() - is @s a state this VM could have reached?
 * @vm: the VM, its config already set from @s (vm_set_config() checked it)
 * @s: the state, copied from userspace
 * @why: set to what is wrong, for the caller's error[]
 * @size: its size
 *
 * Return: 0, or -EINVAL with @why set.
 */
int snapshot_check(struct tvmm_vm *vm, const struct tvmm_vm_state *s, char *why,
		   size_t size)
{
	bool ring1 = tvmm_mode_ring1(vm->config.mode);
	unsigned int i, bad = 0;
	const char *what;

	if (s->version != TVMM_STATE_VERSION || s->size != sizeof(*s)) {
		snprintf(why, size,
			 "state version %u, size %u: this tvmm.ko reads version %u, size %zu",
			 s->version, s->size, TVMM_STATE_VERSION, sizeof(*s));
		return -EINVAL;
	}
	if (vm->config.mode == TVMM_MODE_REAL) {
		snprintf(why, size, "real-mode guests cannot be restored");
		return -EINVAL;
	}
	for (i = 0; i < ARRAY_SIZE(s->reserved); i++)
		if (s->reserved[i] || s->reserved0 || s->reserved1[0] || s->reserved1[1] ||
		    s->reserved2 || s->reserved3) {
			snprintf(why, size, "reserved fields are not zero");
			return -EINVAL;
		}
	what = check_regs(vm, s);
	if (!what)
		what = check_shadows(vm, s);
	if (!what)
		what = check_events(s);
	if (!what)
		what = check_vcpu(vm, s);
	if (!what)
		what = check_patch(vm, s);
	if (what) {
		snprintf(why, size, "%s", what);
		return -EINVAL;
	}
	what = check_segs(s, ring1, &bad);
	if (what) {
		snprintf(why, size, "segment %s: %s", seg_names[bad], what);
		return -EINVAL;
	}
	return 0;
}
