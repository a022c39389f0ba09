/* SPDX-License-Identifier: GPL-2.0 */
/*
 * tvmm.h - what the files of tvmm.ko share: their state and their
 * prototypes, grouped by the file that defines them (as xv6's defs.h).
 *
 * Concept: the VMM is the only fully privileged component ("il VMM e' in
 * kernel mode"). Everything here runs in the host kernel, in VMX root
 * operation once vmx.c has turned VMX on.
 * Context: process context unless a prototype says otherwise.
 */
#ifndef _TVMM_H
#define _TVMM_H

#include <linux/bitmap.h>
#include <linux/mm.h>
#include <linux/mutex.h>
#include <linux/percpu.h>
#include <linux/seq_file.h>
#include <linux/spinlock.h>
#include <linux/types.h>
#include <linux/poll.h>
#include <linux/wait.h>
#include <asm/debugreg.h>
#include <asm/processor-flags.h>

#include "include/uapi/tvmm.h"
#include "include/tvmm/vmx_arch.h"
#include "vcpu_regs.h"
#include "vmx_insn.h"
#include "profile.h"

/*
 * Everything tvmm learned about the CPU at load time. Filled once by
 * caps_probe() before VMX is turned on, read-only afterwards.
 */
extern struct tvmm_caps tvmm_caps;

/* caps.c: discover what VT-x this CPU offers and refuse clearly if none. */
int caps_probe(struct tvmm_caps *caps);

/* vmx.c: VMXON/VMXOFF on every online CPU, following CPU hotplug. */
int vmx_enable_all_cpus(void);
void vmx_disable_all_cpus(void);
unsigned int vmx_cpus_on(void);
void vmx_show_cpus(struct seq_file *m);
void vmx_caps_snapshot(struct tvmm_caps *out);

/*
 * Guest RAM and the EPT tables that map it (ept.c). Guest-physical
 * address X is byte X % PAGE_SIZE of pages[X / PAGE_SIZE]; nothing else is
 * mapped, so any other guest-physical access is an EPT violation.
 */
struct tvmm_guest_mem {
	struct page **pages;		/* nr_pages guest RAM pages */
	unsigned long nr_pages;
	struct page *ept_pml4;		/* root of the EPT paging structures */
	struct page **ept_tables;	/* every other EPT table page */
	unsigned long nr_ept_tables;
	u64 eptp;			/* the VMCS EPT pointer */
	bool lab_unmapped;		/* lab 04.1 still a stub: no page mapped */
	/* Dirty logging for live migration (dirty.c); NULL while off. */
	unsigned long *dirty;		/* written since the last harvest */
	unsigned long *dirty_wp;	/* write-protected by dirty logging */
	u64 dirty_faults;		/* write faults since TVMM_DIRTY_START */
};

/* Interrupt vectors of x86, and a page of scratch space per VM. */
#define TVMM_NR_VECTORS		256
#define TVMM_SCRATCH_SIZE	PAGE_SIZE

/* VMCS fields in a snapshot (the table in vmcs.c). */
#define TVMM_VMCS_SNAPSHOT_FIELDS	113

/* Size of the per-VM exit-record ring (records). */
#define TVMM_TRACE_RING		2048

/*
 * The mapped ring's layout (trace_mmap.c): one vmalloc_user() area, the
 * control page and then the records, so an mmap() offset is an offset
 * into the area.
 */
#define TVMM_TRACE_RECORDS_OFFSET	PAGE_SIZE
#define TVMM_TRACE_RECORDS_SIZE		(TVMM_TRACE_RING * sizeof(struct tvmm_exit_record))
#define TVMM_TRACE_AREA_SIZE		(TVMM_TRACE_RECORDS_OFFSET + TVMM_TRACE_RECORDS_SIZE)

/*
 * The exit-record ring (trace.c), filled by the run loop, read by read()
 * or in place through mmap() (trace_mmap.c). One writer (the run loop,
 * under run_lock) and one reader at a time (read_lock): no lock between
 * them. The writer fills records[head % N] and then publishes head; the
 * reader copies [tail, head) and then publishes tail (release/acquire
 * pairs, trace.c). head and tail here are the kernel's own: the control
 * page's copies are userspace's to write, and only trace_mmap.c reads
 * them back, checked.
 */
struct tvmm_trace_ring {
	struct mutex read_lock;		/* one reader copies and advances tail */
	u64 head, tail;			/* records [tail, head) are waiting */
	u64 limit;			/* the writer's bound, set each slice: tail + size */
	u64 seq_base;			/* seq of the record at head 0 (trace_next_seq()) */
	/* The last IN/OUT whose bytes followed from its exit (trace_io_insn()). */
	u64 io_qual, io_bytes;
	u32 io_len;			/* 0: none yet */
	const char **names;		/* the mnemonic each slot holds (trace_record.h) */
	struct tvmm_exit_record *records;	/* in the area, after the page */
	struct tvmm_trace_mmap_page *page;	/* the area's start; NULL untraced */
	wait_queue_head_t wait;		/* poll() and blocking readers */
};

/*
 * What vmx_handle_exit() learned about one exit, for the trace record.
 * vcpu_read_exit() (vcpu.c) sets every field: a new one must be set there.
 */
struct tvmm_exit_info {
	u32 reason;			/* full VM_EXIT_REASON field */
	u64 qual;
	u64 rip, rflags, gpa;
	u32 intr_info, error_code;
	u32 insn_len;
	/* The event this exit interrupted the delivery of (event.c), if valid. */
	u32 idt_vectoring, idt_vectoring_error;
	u64 tsc_exit;			/* TSC right after the exit */
	u8 action;			/* enum tvmm_action */
	bool vif;			/* the guest's IF at the exit, before handling */
	const char *mnemonic;
	const u8 *insn_bytes;		/* the record's bytes, if not those at RIP */
	/* An EPT violation emulated as a tvmm-dev access (mmio.c). */
	u64 mmio_value;			/* the value read or written */
	u8 mmio_width;			/* bytes; 0: not a device access */
	bool mmio_write;
};

/*
 * tvmm-dev, the VM's memory-mapped device (mmio.c): the state behind its
 * registers. One per VM, so one VM can never see another's scratch value.
 */
struct tvmm_dev {
	u32 scratch;			/* TVMM_DEV_SCRATCH */
	u32 counter;			/* TVMM_DEV_COUNTER */
	u32 doorbells;			/* doorbell writes so far */
};

/* Sensitive-but-unprivileged instructions patch mode rewrites (patch.c). */
enum patch_kind {
	PATCH_NONE, PATCH_PUSHF, PATCH_POPF, PATCH_SGDT, PATCH_SIDT, PATCH_SLDT,
	PATCH_STR, PATCH_SMSW, PATCH_MOV_FROM_CS, PATCH_PUSH_CS, PATCH_NR_KINDS
};

#define TVMM_PATCH_SITES	128

/* One patched site: where, what was there, how often it trapped. */
struct tvmm_patch_site {
	u32 gpa;			/* first byte of the original instruction */
	u8 len;				/* its length, 1..15 */
	u8 kind;			/* enum patch_kind */
	u8 orig[TVMM_INSN_MAX];		/* the bytes before patching */
	u64 hits;
};

/* Patch mode's per-VM state (patch.c), under run_lock; debugfs reads racily. */
struct tvmm_patch {
	struct tvmm_patch_site sites[TVMM_PATCH_SITES];
	unsigned int nr_sites;		/* published with smp_store_release() */
	u64 pages_scanned, insns_decoded, unknown_opcodes, sites_skipped;
	DECLARE_BITMAP(seen, PAGE_SIZE);	/* instruction starts of the page being scanned */
};

/*
 * The VM's meter (usage.c): totals in host TSC ticks, and the marks of
 * the TVMM_RUN call, slice, loop or HLT wait in progress (0: none).
 * Written by the run loop once per call, slice or wait, never per exit;
 * read racily by debugfs.
 */
struct tvmm_meter {
	u64 guest, tvmm, halted, run;	/* totals; host is the rest of run */
	u64 slices;
	u64 run_start, slice_start, loop_start, halt_start;
	u64 loop_ticks;			/* the slice's loop, once it is over */
	u64 handled0, irq0;		/* handler cycles when the loop began */
	u64 born_ns, ended_ns;		/* built; ended (0: still alive) */
	pid_t pid, tid;			/* who called TVMM_RUN last */
};

/*
 * One VM (one open file of /dev/tvmm) with its single virtual CPU.
 * Fields are grouped by who may touch them.
 */
struct tvmm_vm {
	/* Set once at open, read-only afterwards. */
	unsigned int id;		/* vmN in debugfs and tracepoints */
	u16 vpid;			/* tags the guest's TLB entries */

	/* Under run_lock: the ioctls that build and run the VM. */
	struct mutex run_lock;
	struct tvmm_config config;
	bool image_loaded;
	struct tvmm_guest_mem mem;
	struct page *vmcs;		/* the VMCS region, VMCLEARed between runs */
	bool vmcs_ready;		/* fields written by vmcs_setup() */
	struct tvmm_guest_regs regs;	/* GPRs while the guest is not running */
	struct tvmm_regs set_regs;	/* TVMM_SET_REGS: RIP/RSP/RFLAGS to write */
	bool set_regs_pending;		/* ... at the next slice, into the VMCS */
	bool fail_next_entry;		/* debugfs, for tests: see vcpu.c */
	u64 exit_limit;			/* first of max_exits and pause_at (snapshot.c) */
	u64 pause_at;			/* TVMM_PAUSE_AT: return after this many exits */
	struct tvmm_vm_state *restore;	/* TVMM_SET_STATE: for the first slice's VMCS */
	u64 cr0_shadow, cr4_shadow;	/* what the guest believes CR0/CR4 hold */
	u64 tsc_offset;			/* guest TSC - host TSC: 0, or a restored VM's */
	u32 end;			/* enum tvmm_end, sticky once set */
	u64 end_info;
	u32 exit_status;
	char message[TVMM_MESSAGE_MAX];
	char console[TVMM_CONSOLE_MAX];	/* bytes the guest wrote to port 0xe9 */
	u32 console_len;
	bool console_flush;		/* a line is complete: return to userspace */
	bool trace_filled;		/* the trace ring filled in this slice (trace.c) */
	bool record_vif;		/* traced, virtual IF: save it before the handler (vm.c) */
	struct tvmm_dev dev;		/* tvmm-dev's registers (mmio.c) */

	/* The virtual CPU's interrupt state (virq.c), under run_lock. */
	bool vif;			/* deprivileged: the IF the guest believes in */
	bool timer_on;			/* the guest has loaded an IDT */
	u64 timer_period;		/* guest TSC ticks, or TVMM_TIMER_OFF */
	bool timer_idt_watch;		/* a ring-0 LIDT starts the timer (virq.h) */
	u64 timer_deadline;		/* TSC of the next tick */
	bool irq_pending;		/* a tick waits for the guest's IF */
	bool irq_window;		/* interrupt-window exiting is on */
	bool halted;			/* HLT: waits in tvmm for the next tick */
	u64 ticks_delivered, ticks_coalesced;

	/* The guest's debug registers (debugreg.c), under run_lock. */
	u64 dr[4];			/* DR0-DR3 */
	u64 dr6, dr7;

	/* Deprivileged mode (deprivilege.c): the guest's tables and ours. */
	u64 guest_gdt_base, guest_idt_base;	/* what the guest loaded (GVA = GPA) */
	u32 guest_gdt_limit, guest_idt_limit;
	u64 shadow_gpa;			/* start of tvmm's reserved region */
	DECLARE_BITMAP(user_gates, TVMM_NR_VECTORS);	/* guest gates with DPL 3 */
	void *scratch;			/* TVMM_SCRATCH_SIZE bytes for table copies */

	/* Patch mode (patch.c): the sites rewritten in guest code. */
	struct tvmm_patch patch;

	/*
	 * The HLT exit that halted the vCPU: recorded when the tick that ends
	 * the wait goes in, so its trace record says "injected".
	 */
	struct {			/* a HLT that made the vCPU wait (vcpu.c) */
		struct tvmm_exit_info exit;	/* its record, written when it wakes */
		u64 cycles;
		bool pending;
	} halt;

	/* Updated by the run loop, read (racily, for display) by debugfs. */
	u64 exits;
	struct tvmm_stats stats;
	struct tvmm_guest_snapshot snap;	/* guest state at the last exit */
	int last_cpu;
	struct tvmm_profile prof;	/* CONFIG_TVMM_PROFILE only (profile.h) */
	struct tvmm_meter meter;	/* where its CPU time went (usage.c) */

	/* The VMCS as of the last run (vmcs_snapshot()), for debugfs. */
	u64 vmcs_values[TVMM_VMCS_SNAPSHOT_FIELDS];
	bool vmcs_values_valid;

	/* Exit records for read()/poll(); has its own lock. */
	struct tvmm_trace_ring trace;

	struct dentry *debugfs_dir;
};

/* The host's debug registers while a guest's are loaded (debugreg.c). */
struct tvmm_host_debug {
	unsigned long dr[4];		/* DR0-DR3, kept only if guest_loaded */
	unsigned long dr7;
	bool guest_loaded;		/* the guest's DR0-DR3 are in the CPU */
};

/* What VM exits clobber and host_state.c restores (one slice, one CPU). */
struct tvmm_host_state {
	unsigned short ds, es, fs, gs, ldt;	/* selectors */
	u64 fs_base, kernel_gs_base;	/* the caller's FS base and user GS base */
	u64 debugctl;			/* IA32_DEBUGCTL */
};

/* Deprivileged and patch modes run the guest kernel at ring 1 (deprivilege.c). */
static inline bool tvmm_mode_ring1(u32 mode)
{
	return mode == TVMM_MODE_DEPRIVILEGED || mode == TVMM_MODE_PATCH;
}

/* The ring those modes run the guest kernel at: its virtual ring 0. */
#define TVMM_VIRTUAL_KERNEL_RING	1

/* ept.c: guest RAM and its EPT mapping. */
int ept_alloc_guest_mem(struct tvmm_guest_mem *mem, u64 size);
bool ept_get_exec(struct tvmm_guest_mem *mem, u64 gpa);
void ept_free_guest_mem(struct tvmm_guest_mem *mem);
int guest_mem_write(struct tvmm_guest_mem *mem, u64 gpa,
		    const void __user *src, u64 len);
int guest_mem_read(struct tvmm_guest_mem *mem, u64 gpa, void *dst, u64 len);
int guest_mem_write_kernel(struct tvmm_guest_mem *mem, u64 gpa, const void *src,
			   u64 len);
int ept_set_exec(struct tvmm_guest_mem *mem, u64 gpa, bool exec);
int ept_set_readonly(struct tvmm_guest_mem *mem, u64 gpa);
int ept_set_write(struct tvmm_guest_mem *mem, u64 gpa, bool write);
void dirty_log_free(struct tvmm_guest_mem *mem);
bool ept_get_write(struct tvmm_guest_mem *mem, u64 gpa);
void ept_show(struct seq_file *m, struct tvmm_vm *vm);

/* vmcs.c: build the VMCS in three phases; dump it for students. */
int vmcs_setup(struct tvmm_vm *vm);
int vmcs_setup_controls(struct tvmm_vm *vm);
int vmcs_refresh_host_state(void);
void vmcs_snapshot(struct tvmm_vm *vm);
void vmcs_dump(struct seq_file *m, struct tvmm_vm *vm);
void vmcs_log_entry_failure(struct tvmm_vm *vm, const char *what);

/* cr.c: MOV CR, CLTS, LMSW; the values a CPU would accept (false: #GP). */
void exit_cr_access(struct tvmm_vm *vm, struct tvmm_exit_info *exit);
bool cr_check_cr0(struct tvmm_vm *vm, u64 *cr0);
bool cr_check_cr4(struct tvmm_vm *vm, u64 cr4);
bool cr_check_efer(struct tvmm_vm *vm, u64 efer);
void cr_check_hide_cpuid(u32 leaf, u32 subleaf, u64 *ecx, u64 *edx);
u64 cr_real_cr0(u64 shadow);
u64 cr_real_cr4(u64 shadow);

/* The instruction exits, a file each. */
void exit_cpuid(struct tvmm_vm *vm, struct tvmm_exit_info *exit);	/* cpuid.c */
void exit_hlt(struct tvmm_vm *vm, struct tvmm_exit_info *exit);	/* hlt.c */
void exit_io(struct tvmm_vm *vm, struct tvmm_exit_info *exit);	/* io.c */
void exit_rdmsr(struct tvmm_vm *vm, struct tvmm_exit_info *exit);	/* msr.c */
void exit_wrmsr(struct tvmm_vm *vm, struct tvmm_exit_info *exit);	/* msr.c */
void exit_vmcall(struct tvmm_vm *vm, struct tvmm_exit_info *exit);	/* hypercall.c */

/* debugreg.c: virtual DR0-DR7, MOV DR, #DB; the guest's breakpoints around entries. */
void dr_reset(struct tvmm_vm *vm, int *err);
void exit_dr_access(struct tvmm_vm *vm, struct tvmm_exit_info *exit);
void dr_reflect_db(struct tvmm_vm *vm, struct tvmm_exit_info *exit);
/* dr_load_guest(), dr_restore_host(): debugreg.h, inline (every entry). */

/* host_state.c: what VM exits clobber, given back; NMIs and #MC to Linux. */
int host_nmi_supported(void);
bool host_events_irqoff(struct tvmm_vm *vm, u32 reason);

/*
 * The two checks after every exit, inline (a call each would cost every
 * exit more than the checks): could this exit be the host's NMI or
 * machine check (then host_events_irqoff() looks closer), and did the
 * host have IA32_DEBUGCTL bits the exit cleared (branch tracing, BTF)?
 */
static inline bool host_event_possible(u32 reason)
{
	u32 basic = reason & TVMM_EXIT_REASON_BASIC_MASK;

	return basic == EXIT_REASON_EXCEPTION_NMI || basic == EXIT_REASON_MCE_DURING_VMENTRY;
}

static inline void host_debugctl_restore_irqoff(const struct tvmm_host_state *hs)
{
	if (hs->debugctl)
		update_debugctlmsr(hs->debugctl);
}

void host_state_save(struct tvmm_host_state *hs);
void host_state_restore(const struct tvmm_host_state *hs);
void tvmm_call_nmi_entry(void (*entry)(void));	/* entry.S */

/* exits_guard.c: WBINVD, RDPMC, #AC/#DB/#MC: exits that protect the host. */
void exit_wbinvd(struct tvmm_vm *vm, struct tvmm_exit_info *exit);
void exit_rdpmc(struct tvmm_vm *vm, struct tvmm_exit_info *exit);
bool exit_guard_exception(struct tvmm_vm *vm, struct tvmm_exit_info *exit);

/* vmx.c: leave VMX operation before suspend, reboot and kexec. */
int vmx_register_pm_hooks(void);
void vmx_unregister_pm_hooks(void);
void vmx_cpu_set_loaded_vmcs(u64 hpa);

/*
 * Per-CPU VMX state. Only the CPU itself writes it (from its hotplug
 * callback); debugfs reads it for display.
 */
struct vmx_cpu {
	struct page *vmxon_region;	/* 4 KiB, revision id in word 0 */
	bool vmx_on;			/* between our VMXON and VMXOFF */
	bool suspended;			/* VMXOFF for a suspend: VMXON at resume */
	u64 loaded_vmcs;		/* physical address of the current VMCS, or 0 */
};

DECLARE_PER_CPU(struct vmx_cpu, vmx_cpu);

/*
 * Is this CPU still in VMX operation? Asked before every entry, with
 * interrupts off (nothing can change it then): inline, one per-CPU load.
 */
static inline bool vmx_cpu_is_on(void)
{
	return this_cpu_read(vmx_cpu.vmx_on);
}

/* vcpu.c: the run loop. */
int vcpu_run(struct tvmm_vm *vm, struct tvmm_run *run);

/* lab.c: the stubs of labs whose CONFIG_TVMM_LABNN_SOLUTION is off */
int tvmm_lab_todo(const char *todo, const char *what);
unsigned int tvmm_lab_number(const char *todo);
const char *tvmm_lab_dir(unsigned int lab);

/*
 * vcpu_state.c: the bottom layer, what every handler does to the virtual
 * CPU. Called with the VMCS current.
 */
void vcpu_write_failed(struct tvmm_vm *vm, unsigned long field);

/*
 * vcpu_write() - VMWRITE a field of the running VM's VMCS, checked; a
 * failure ends the VM (vcpu_write_failed()). Inline: every exit writes
 * at least RIP, and a call would cost more than the VMWRITE itself.
 */
static inline void vcpu_write(struct tvmm_vm *vm, unsigned long field, u64 value)
{
	int err = 0;

	vmx_vmwrite(field, value, &err);
	if (unlikely(err))
		vcpu_write_failed(vm, field);
}

/**
 * vcpu_skip_instruction() - move the guest past the instruction that
 * exited, as if the CPU had run it.
 * @vm: the VM
 * @exit: the exit (rip, insn_len, rflags as the instruction began)
 *
 * Also end any STI/MOV-SS interrupt shadow: it covered exactly this
 * instruction (SDM 25.4.2). And if the guest single-steps (RFLAGS.TF set
 * when the instruction began), the CPU would raise #DB right after it: a
 * debugger stepping over CPUID or an emulated OUT must not skip a step.
 * Leave that to the CPU as a pending single-step trap (BS), delivered at
 * the next entry (SDM 27.7.3; #DB then exits, and debugreg.c reflects it
 * with DR6.BS); KVM does the same in kvm_skip_emulated_instruction().
 *
 * Inline (vcpu_state.c has the rest of this layer): nearly every exit
 * steps over its instruction, and the call and the return would cost as
 * much as the two tests that usually find nothing to do.
 */
static inline void vcpu_skip_instruction(struct tvmm_vm *vm, struct tvmm_exit_info *exit)
{
	u64 shadow;

	profile_mark(&vm->prof, PROFILE_HANDLER);
	shadow = vmcs_read(VMCS_GUEST_INTERRUPTIBILITY_INFO);
	vcpu_write(vm, VMCS_GUEST_RIP, exit->rip + exit->insn_len);
	if (shadow & (VMCS_BLOCKING_BY_STI | VMCS_BLOCKING_BY_MOV_SS))
		vcpu_write(vm, VMCS_GUEST_INTERRUPTIBILITY_INFO,
			   shadow & ~(u64)(VMCS_BLOCKING_BY_STI | VMCS_BLOCKING_BY_MOV_SS));
	if (exit->rflags & X86_EFLAGS_TF)
		vcpu_write(vm, VMCS_GUEST_PENDING_DBG_EXCEPTIONS,
			   vmcs_read(VMCS_GUEST_PENDING_DBG_EXCEPTIONS) | TVMM_PENDING_DBG_BS);
	profile_mark(&vm->prof, PROFILE_STEP);
}

u64 vcpu_gpr_read(struct tvmm_vm *vm, unsigned int n);
void vcpu_gpr_write(struct tvmm_vm *vm, unsigned int n, u64 value);
unsigned int vcpu_cpl(struct tvmm_vm *vm);
/* RIP, RSP, RFLAGS a guest could hold (TVMM_SET_REGS, a restored state). */
bool vcpu_regs_valid(struct tvmm_vm *vm, const struct tvmm_regs *r);
void vcpu_inject_exception(struct tvmm_vm *vm, struct tvmm_exit_info *exit,
			   u32 vector, bool has_error, u32 error_code);
void vcpu_end(struct tvmm_vm *vm, u32 end, u64 info, const char *fmt, ...)
	__printf(4, 5);
void vcpu_console_putc(struct tvmm_vm *vm, char c);
int vcpu_lab_todo(struct tvmm_vm *vm, const char *todo, const char *what);
struct insn;
int vcpu_fetch_insn(struct tvmm_vm *vm, u64 rip, struct insn *in);
u32 vcpu_insn_ea(struct tvmm_vm *vm, const struct insn *in);

/* #GP(0): what a CPU answers to a privileged operation it refuses. */
static inline void vcpu_inject_gp(struct tvmm_vm *vm, struct tvmm_exit_info *exit)
{
	vcpu_inject_exception(vm, exit, TVMM_EXC_GP, true, 0);
}

/* event.c: exits in the middle of an event's delivery. */
bool event_delivery_faulted(struct tvmm_vm *vm, struct tvmm_exit_info *exit);
void event_redeliver(struct tvmm_vm *vm, const struct tvmm_exit_info *exit);

/* virq.c: virtual IF, the virtual timer, injection of virtual interrupts. */
void virq_init(struct tvmm_vm *vm);

/* The IF the guest believes in: its own in deprivileged mode, RFLAGS.IF otherwise. */
static inline bool virq_guest_if(struct tvmm_vm *vm, u64 rflags)
{
	if (tvmm_mode_ring1(vm->config.mode))
		return vm->vif;
	return rflags & X86_EFLAGS_IF;
}

void virq_start_timer(struct tvmm_vm *vm);
void virq_set_vif(struct tvmm_vm *vm, bool on);
bool virq_can_wait(struct tvmm_vm *vm, u64 rflags);
void virq_prepare_entry(struct tvmm_vm *vm, struct tvmm_exit_info *exit);
int virq_halt_wait(struct tvmm_vm *vm);

/* emulate.c: decode and emulate what faults (#GP) at ring 1. */
void emulate_gp(struct tvmm_vm *vm, struct tvmm_exit_info *exit);

/* patch.c: the names of the patch kinds, for the trace and debugfs. */
extern const char *const patch_names[];

/* mmio.c: tvmm-dev, a device emulated by trapping its accesses through EPT. */
bool mmio_ept_violation(struct tvmm_vm *vm, struct tvmm_exit_info *exit);

/*
 * deprivilege.c: shadow GDT/IDT/TSS, segments at ring 1. The shadow tables
 * sit at these offsets of the reserved region (vm->shadow_gpa), at most
 * this big; snapshot_check.c holds a restored GDTR/IDTR to them.
 */
#define SHADOW_GDT_OFFSET	0x0000
#define SHADOW_GDT_MAX		0x1000	/* bytes: 512 descriptors */
#define SHADOW_IDT_OFFSET	0x1000
#define SHADOW_IDT_MAX		0x800	/* 256 gates x 8 bytes */
int depriv_protect_shadow(struct tvmm_vm *vm);
bool depriv_in_shadow(const struct tvmm_vm *vm, u64 gpa, u64 len);
void depriv_shadow_end(struct tvmm_vm *vm, u64 gpa, const char *access);
int depriv_guest_store(struct tvmm_vm *vm, u64 gpa, const void *src, u64 len);
int depriv_setup_guest(struct tvmm_vm *vm, int *err);
int depriv_lgdt(struct tvmm_vm *vm, u64 base, u32 limit);
int depriv_lidt(struct tvmm_vm *vm, u64 base, u32 limit);
int depriv_ltr(struct tvmm_vm *vm, u16 selector);
int depriv_load_ss(struct tvmm_vm *vm, u16 selector);
int depriv_reflect_int(struct tvmm_vm *vm, struct tvmm_exit_info *exit, u8 vector);

/* patch.c: scan-and-patch of sensitive-but-unprivileged instructions. */
int patch_init(struct tvmm_vm *vm);
bool patch_ept_violation(struct tvmm_vm *vm, struct tvmm_exit_info *exit);
void patch_handle_bp(struct tvmm_vm *vm, struct tvmm_exit_info *exit);
void patch_show(struct seq_file *m, struct tvmm_vm *vm);

/* trace.c: exit records, read()/poll(), tracepoints. */
int trace_ring_init(struct tvmm_trace_ring *ring);
void trace_ring_free(struct tvmm_trace_ring *ring);

/* trace_mmap.c: the ring mapped into userspace, read in place. */
int trace_mmap(struct tvmm_vm *vm, struct vm_area_struct *vma);
void trace_mmap_take_tail(struct tvmm_trace_ring *ring);
void trace_mmap_sync_tail(struct tvmm_trace_ring *ring);

/*
 * Show a mapping reader the records written so far: the control page's
 * head. Release: a reader that loads head (acquire) finds the records
 * before it whole. Only the thread that runs the VM calls this: after
 * each run slice (vcpu_run()), and once more as TVMM_RUN returns (vm.c),
 * because the reader may have written the page's head itself and a run
 * that ran no slice (the ring still full) would leave its value there. So
 * the page's head has one writer and never goes back. A VM without a ring
 * has no page: nothing to do.
 */
static inline void trace_ring_publish(struct tvmm_trace_ring *ring)
{
	if (!ring->page)
		return;
	/* Release: the records before head are whole first. */
	smp_store_release(&ring->page->head, ring->head);
}

/*
 * No room for another record: the run loop returns to userspace. A
 * mapping reader gives slots back by writing the control page's tail:
 * take it first (checked, trace_mmap.c).
 */
static inline bool trace_ring_full(struct tvmm_trace_ring *ring)
{
	trace_mmap_sync_tail(ring);
	/* Acquire: pairs with the reader's release of tail (trace.c). */
	return READ_ONCE(ring->head) - smp_load_acquire(&ring->tail) >= TVMM_TRACE_RING;
}

/*
 * A slice starts: the writer's bound is the reader's tail now plus the
 * ring's size. A reader that frees slots during the slice only makes the
 * bound conservative (the slice stops early, the next one sees the room),
 * and the writer compares with one field instead of loading tail and
 * subtracting on every exit.
 */
static inline void trace_ring_slice_begin(struct tvmm_trace_ring *ring)
{
	/* Acquire: the slots the reader freed are no longer being copied. */
	ring->limit = smp_load_acquire(&ring->tail) + TVMM_TRACE_RING;
}

/*
 * The seq the VM's next record will have: records are numbered 0, 1,
 * 2, ... as they enter the ring, so the number is head plus where the
 * count started (0, or a restored VM's, snapshot.c): no counter of its
 * own to keep in step.
 */
static inline u64 trace_next_seq(const struct tvmm_vm *vm)
{
	return vm->trace.seq_base + vm->trace.head;
}

/* The record writer is trace_record.h's, inline in the run loop. */
void trace_fire(struct tvmm_vm *vm, const struct tvmm_exit_info *exit);
void trace_fetch_insn_slow(struct tvmm_vm *vm, const struct tvmm_exit_info *exit,
			   struct tvmm_exit_record *rec);
u64 trace_io_insn(struct tvmm_trace_ring *ring, const struct tvmm_exit_info *exit);

/*
 * Every exit is counted per reason (debugfs vmN/exits, TVMM_GET_STATS):
 * plain counters, inline, because this runs on every exit. The record
 * (trace_record_exit()) and the tracepoint (trace_fire()) cost more, and
 * only a traced VM or a listening trace-cmd/perf pays for them (vcpu.c).
 * An untraced VM's records_dropped is worked out when asked (vm.c).
 */
static inline void trace_count_exit(struct tvmm_vm *vm, u32 basic, u64 cycles)
{
	vm->stats.exits++;
	if (basic < TVMM_NR_EXIT_REASONS) {
		vm->stats.count[basic]++;
		vm->stats.cycles[basic] += cycles;
	}
}

ssize_t trace_ring_read(struct tvmm_trace_ring *ring, char __user *buf,
			size_t len, bool nonblock);
__poll_t trace_ring_poll(struct tvmm_trace_ring *ring, struct file *file,
			 poll_table *wait, bool ended);

/* vm.c: /dev/tvmm file operations (one open file = one VM). */
extern const struct file_operations tvmm_vm_fops;

/* dirty.c: dirty-page logging and RAM reads for live migration. */
int dirty_log_ioctl(struct tvmm_vm *vm, void __user *argp);
int dirty_read_ram(struct tvmm_vm *vm, void __user *argp);
bool dirty_ept_violation(struct tvmm_vm *vm, struct tvmm_exit_info *exit);

/* snapshot.c, snapshot_check.c: save a VM, restore it into another (vm.c), pause it. */
void snapshot_update_exit_limit(struct tvmm_vm *vm);
void snapshot_exit_limit(struct tvmm_vm *vm);
int snapshot_pause_at(struct tvmm_vm *vm, u64 exits);
int snapshot_get_state(struct tvmm_vm *vm, void __user *argp);
int snapshot_restore(struct tvmm_vm *vm, const struct tvmm_vm_state *s);
int snapshot_load_vmcs(struct tvmm_vm *vm);
void snapshot_free(struct tvmm_vm *vm);
int snapshot_check(struct tvmm_vm *vm, const struct tvmm_vm_state *s, char *why,
		   size_t size);

/*
 * usage.c: the meter, at the edges of a TVMM_RUN call, a slice, its loop
 * and a HLT wait (vcpu.c); the bill (TVMM_GET_USAGE, debugfs vmN/usage).
 */
void usage_built(struct tvmm_vm *vm);
void usage_run_begin(struct tvmm_vm *vm);
void usage_run_end(struct tvmm_vm *vm);
void usage_slice_begin(struct tvmm_vm *vm);
void usage_loop_begin(struct tvmm_vm *vm);
void usage_loop_end(struct tvmm_vm *vm);
void usage_slice_end(struct tvmm_vm *vm);
int usage_halt_wait(struct tvmm_vm *vm);
void usage_read(struct tvmm_vm *vm, struct tvmm_usage *u);
void usage_show(struct seq_file *m, struct tvmm_vm *vm);

/* debugfs.c: /sys/kernel/debug/tvmm/ (caps, cpus, vmN/). Never fails the load. */
void tvmm_debugfs_init(void);
void tvmm_debugfs_exit(void);
void tvmm_debugfs_add_vm(struct tvmm_vm *vm);
void tvmm_debugfs_remove_vm(struct tvmm_vm *vm);

#endif /* _TVMM_H */
