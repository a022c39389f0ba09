/* SPDX-License-Identifier: GPL-2.0 WITH Linux-syscall-note */
/*
 * tvmm.h - the userspace ABI of /dev/tvmm.
 *
 * Concept: the management interface of a type-2 VMM. The notes list
 * "management" (create, configure, monitor) among a VMM's jobs; on Linux,
 * KVM does it with ioctls on /dev/kvm, and tvmm follows the same habit on a
 * much smaller scale: open() gives one VM, ioctls configure and run it,
 * read() returns its exit records, or mmap() shows them in place.
 *
 * Stability: outside tests build against this header. Add fields only at the
 * end of a struct and only with a new ioctl number or TVMM_API_VERSION bump.
 */
#ifndef _UAPI_TVMM_H
#define _UAPI_TVMM_H

#include <linux/const.h>
#include <linux/ioctl.h>
#include <linux/types.h>

/* TVMM_GET_API_VERSION returns this; the tool refuses a different one. */
#define TVMM_API_VERSION	1

/* ioctl type byte; 0xB7 is unassigned in ioctl-number.rst. */
#define TVMM_IOCTL_TYPE		0xB7

/* The device node the misc driver creates (mode 0600, root only). */
#define TVMM_DEVICE_PATH	"/dev/tvmm"

/* struct tvmm_caps.flags */
#define TVMM_CAPS_CPUID_VMX		_BITUL(0) /* CPUID.01H:ECX.VMX[bit 5] */
#define TVMM_CAPS_FC_LOCKED		_BITUL(1) /* IA32_FEATURE_CONTROL lock */
#define TVMM_CAPS_FC_VMX_OUTSIDE_SMX	_BITUL(2) /* ... and VMX enabled */
#define TVMM_CAPS_TRUE_CTLS		_BITUL(3) /* IA32_VMX_BASIC[55] */
#define TVMM_CAPS_PROCBASED2		_BITUL(4) /* secondary controls exist */
#define TVMM_CAPS_EPT_VPID		_BITUL(5) /* IA32_VMX_EPT_VPID_CAP read */
#define TVMM_CAPS_VMFUNC		_BITUL(6) /* IA32_VMX_VMFUNC read */
#define TVMM_CAPS_VMX_ON		_BITUL(8) /* VMXON done on every CPU */

/*
 * struct tvmm_caps - what this CPU offers, as tvmm read it at load time.
 *
 * The MSR fields are the raw 64-bit values, read on the CPU that loaded the
 * module (all CPUs of one machine report the same values). Decoding them is
 * left to userspace (and debugfs), so a student can compare the raw bits
 * with `rdmsr` and with the SDM tables. A capability MSR that does not exist
 * on this CPU reads as 0 and its TVMM_CAPS_* flag is clear.
 */
struct tvmm_caps {
	__u32 flags;			/* TVMM_CAPS_* */
	__u32 cpuid1_ecx;		/* CPUID.01H:ECX */
	__u32 cpus_online;		/* online CPUs when the caps were read */
	__u32 cpus_vmx_on;		/* CPUs currently in VMX operation */
	__u64 feature_control;		/* IA32_FEATURE_CONTROL (0x3a) */
	__u64 vmx_basic;		/* IA32_VMX_BASIC (0x480) */
	__u64 pinbased_ctls;		/* IA32_VMX_PINBASED_CTLS (0x481) */
	__u64 procbased_ctls;		/* IA32_VMX_PROCBASED_CTLS (0x482) */
	__u64 exit_ctls;		/* IA32_VMX_EXIT_CTLS (0x483) */
	__u64 entry_ctls;		/* IA32_VMX_ENTRY_CTLS (0x484) */
	__u64 misc;			/* IA32_VMX_MISC (0x485) */
	__u64 cr0_fixed0;		/* IA32_VMX_CR0_FIXED0 (0x486) */
	__u64 cr0_fixed1;		/* IA32_VMX_CR0_FIXED1 (0x487) */
	__u64 cr4_fixed0;		/* IA32_VMX_CR4_FIXED0 (0x488) */
	__u64 cr4_fixed1;		/* IA32_VMX_CR4_FIXED1 (0x489) */
	__u64 vmcs_enum;		/* IA32_VMX_VMCS_ENUM (0x48a) */
	__u64 procbased_ctls2;		/* IA32_VMX_PROCBASED_CTLS2 (0x48b) */
	__u64 ept_vpid_cap;		/* IA32_VMX_EPT_VPID_CAP (0x48c) */
	__u64 true_pinbased_ctls;	/* IA32_VMX_TRUE_PINBASED_CTLS (0x48d) */
	__u64 true_procbased_ctls;	/* IA32_VMX_TRUE_PROCBASED_CTLS (0x48e) */
	__u64 true_exit_ctls;		/* IA32_VMX_TRUE_EXIT_CTLS (0x48f) */
	__u64 true_entry_ctls;		/* IA32_VMX_TRUE_ENTRY_CTLS (0x490) */
	__u64 vmfunc;			/* IA32_VMX_VMFUNC (0x491) */
	__u64 reserved[8];		/* zero; room for later fields */
};

/*
 * Guest modes: the notes' techniques side by side (docs/concepts.md).
 */
enum tvmm_mode {
	TVMM_MODE_HW		= 0,	/* 32-bit protected mode, ring 0, VMX non-root */
	TVMM_MODE_REAL		= 1,	/* 16-bit real mode at 0000:7c00 (unrestricted guest) */
	TVMM_MODE_DEPRIVILEGED	= 2,	/* guest kernel at ring 1, trap-and-emulate */
	TVMM_MODE_PARAVIRT	= 3,	/* guest calls tvmm with VMCALL */
	TVMM_MODE_PATCH		= 4,	/* deprivileged + scan-and-patch of code pages */
};

/* Guest ABI constants (docs/abi.md, "The guest ABI") */
#define TVMM_GUEST_LOAD_GPA		0x10000	/* flat image, protected mode */
#define TVMM_GUEST_REAL_LOAD_GPA	0x7c00	/* boot sector, real mode */
#define TVMM_GUEST_MEM_DEFAULT		0x200000ULL	/* 2 MiB */
#define TVMM_GUEST_MEM_MIN		0x100000ULL	/* 1 MiB */
#define TVMM_GUEST_MEM_MAX		0x4000000ULL	/* 64 MiB */
#define TVMM_CONSOLE_PORT		0xe9

/* struct tvmm_config.flags */
#define TVMM_CONFIG_TRACE	_BITUL(0)	/* keep exit records for read() or mmap() */
#define TVMM_CONFIG_STRICT_IO	_BITUL(1)	/* end the VM on I/O to unknown ports */
/*
 * Benchmark floor (make bench): CPUID and I/O exits only skip the
 * instruction, with no emulation, no statistics and no records. Guests see
 * garbage results; only the cost of the bare exit round trip remains.
 */
#define TVMM_CONFIG_NULL_HANDLERS _BITUL(2)

/*
 * struct tvmm_config - how the VM is built; set before TVMM_LOAD_IMAGE.
 * Zero fields take the defaults, so a zeroed struct is a valid config.
 */
struct tvmm_config {
	__u32 mode;		/* enum tvmm_mode */
	__u32 flags;		/* TVMM_CONFIG_* */
	__u64 mem_size;		/* guest RAM in bytes, 4 KiB multiple; 0 = 2 MiB */
	__u64 max_exits;	/* end the run after this many exits; 0 = no limit */
	__u64 timer_ticks;	/* virtual timer period (guest TSC ticks), see below */
	__u64 reserved[4];	/* must be zero */
};

/*
 * The virtual timer (docs/abi.md, "The guest ABI"): vector 0x20 every
 * timer_ticks guest TSC ticks, once the guest has loaded an IDT.
 * timer_ticks = 0 means TVMM_TIMER_DEFAULT, TVMM_TIMER_OFF means no timer.
 * Periods outside [TVMM_TIMER_MIN, TVMM_TIMER_MAX] are EINVAL; the maximum
 * (2^40 ticks: about 6 minutes at 3 GHz) keeps deadline arithmetic far
 * from wrapping.
 */
#define TVMM_TIMER_DEFAULT	1000000ULL
#define TVMM_TIMER_OFF		(~0ULL)
#define TVMM_TIMER_MIN		1000ULL	/* shorter periods: EINVAL */
#define TVMM_TIMER_MAX		_BITULL(40)	/* longer ones (but OFF): EINVAL */
#define TVMM_TIMER_VECTOR	0x20

/*
 * De-privileged (and patch) mode: tvmm keeps its shadow GDT, IDT and TSS in the top
 * TVMM_DEPRIV_RESERVED bytes of guest RAM, read-only to the guest; the
 * guest's stack starts below.
 */
#define TVMM_DEPRIV_RESERVED	0x10000ULL

/* struct tvmm_image: a flat binary in the caller's memory. */
struct tvmm_image {
	__u64 addr;		/* user pointer to the bytes */
	__u64 size;		/* bytes; 1 .. guest RAM minus the load address */
};

/* struct tvmm_run.state: why TVMM_RUN returned. */
enum tvmm_run_state {
	TVMM_RUN_CONSOLE	= 1,	/* console[] holds output: print it, run again */
	TVMM_RUN_TRACE_FULL	= 2,	/* the exit-record ring is full: drain it, run again */
	TVMM_RUN_ENDED		= 3,	/* the VM is over; see end */
};

/* struct tvmm_run.end: why the VM ended (sticky: later runs return it again). */
enum tvmm_end {
	TVMM_END_NONE		= 0,	/* still alive */
	TVMM_END_HLT		= 1,	/* HLT with interrupts disabled */
	TVMM_END_HYPERCALL	= 2,	/* VMCALL exit; exit_status = EBX */
	TVMM_END_TRIPLE_FAULT	= 3,	/* the guest triple-faulted */
	TVMM_END_EPT_VIOLATION	= 4,	/* outside RAM or into tvmm's region; end_info = GPA */
	TVMM_END_MAX_EXITS	= 5,	/* config.max_exits reached */
	TVMM_END_ENTRY_FAILED	= 6,	/* VM entry failed; end_info = error/reason */
	TVMM_END_UNHANDLED	= 7,	/* an exit tvmm has no handler for; end_info = reason */
	TVMM_END_BAD_IO		= 8,	/* I/O the policy refuses; end_info = port */
	TVMM_END_INTERNAL	= 9,	/* a VMX instruction failed in tvmm */
	TVMM_END_TODO		= 10,	/* a lab stub ran; end_info = the lab number */
	TVMM_END_BAD_MMIO	= 11,	/* a device access tvmm cannot emulate; end_info = GPA */
};

#define TVMM_CONSOLE_MAX	256
#define TVMM_MESSAGE_MAX	160

/*
 * struct tvmm_run - result of one TVMM_RUN. The call runs the guest until
 * the guest prints a line (or fills console[]), the trace ring fills, the
 * VM ends, or a signal arrives (then it fails with EINTR and can be
 * repeated: the VM is intact).
 */
struct tvmm_run {
	__u32 state;		/* enum tvmm_run_state */
	__u32 end;		/* enum tvmm_end */
	__u64 end_info;		/* see enum tvmm_end */
	__u64 exits;		/* exits since the VM was created */
	__u32 exit_status;	/* guest-chosen status (hypercall exit) */
	__u32 console_len;	/* valid bytes in console[] */
	char console[TVMM_CONSOLE_MAX];
	char message[TVMM_MESSAGE_MAX];	/* why it ended, in words; NUL-terminated */
};

/* struct tvmm_regs - the guest's general registers and a few controls. */
struct tvmm_regs {
	__u64 rax, rbx, rcx, rdx, rsi, rdi, rbp, rsp;
	__u64 r8, r9, r10, r11, r12, r13, r14, r15;
	__u64 rip, rflags;
	__u64 cr0, cr3, cr4;
	__u16 cs, ds, ss, es, fs, gs;
	__u32 cpl;
};

/* struct tvmm_exit_record.action: what tvmm did with the exit. */
enum tvmm_action {
	TVMM_ACTION_EMULATED	= 0,	/* tvmm performed the instruction's effect */
	TVMM_ACTION_REFLECTED	= 1,	/* handed to the guest's own handler */
	TVMM_ACTION_INJECTED	= 2,	/* a virtual interrupt was delivered */
	TVMM_ACTION_IGNORED	= 3,	/* nothing to do (host interrupt, timer) */
	TVMM_ACTION_FATAL	= 4,	/* the VM ended */
	TVMM_ACTION_PATCHED	= 5,	/* a patched site trapped; its original was emulated */
};

#define TVMM_EXIT_RECORD_VERSION	2
#define TVMM_INSN_MAX		15	/* longest x86 instruction */
#define TVMM_MNEMONIC_MAX	16

/*
 * struct tvmm_exit_record - one VM exit, as read() returns it (whole
 * records only; a short buffer gets EINVAL) and the mapped ring holds it.
 * Versioned: check version and size before use; new fields go at the end
 * with a version bump.
 */
struct tvmm_exit_record {
	__u16 version;		/* TVMM_EXIT_RECORD_VERSION */
	__u16 size;		/* sizeof(struct tvmm_exit_record) */
	__u32 reason_code;	/* basic exit reason (SDM vol. 3D, appendix C) */
	__u64 seq;		/* 0, 1, 2, ... per VM */
	__u64 tsc;		/* host TSC when the exit was handled */
	__u64 qual;		/* exit qualification */
	__u64 rip;		/* guest RIP of the exiting instruction */
	__u64 rflags;		/* guest RFLAGS */
	__u64 gpa;		/* guest-physical address (EPT exits), else 0 */
	__u64 cycles;		/* TSC ticks tvmm spent handling the exit */
	__u32 intr_info;	/* VM-exit interruption information */
	__u32 error_code;	/* VM-exit interruption error code */
	__u16 cs;		/* guest CS selector */
	__u8 cpl;		/* guest CPL */
	__u8 vif;		/* interrupt flag the guest believes in */
	__u8 action;		/* enum tvmm_action */
	__u8 insn_len;		/* valid bytes in insn[] (0 if not fetched) */
	__u8 insn[TVMM_INSN_MAX];
	__u8 reserved0;
	char mnemonic[TVMM_MNEMONIC_MAX];	/* "cpuid", "out", ... NUL-terminated */
	/* Version 2: an EPT violation emulated as a device access (mmio.c). */
	__u64 mmio_value;	/* the value read or written, zero-extended */
	__u8 mmio_width;	/* bytes: 1, 2 or 4; 0 = not a device access */
	__u8 mmio_write;	/* 1 = the guest wrote, 0 = it read */
	__u8 reserved1[6];
};

/*
 * The exit-record ring, mapped (docs/abi.md, "Reading records in place").
 * A VM created with TVMM_CONFIG_TRACE can mmap() two areas of its fd,
 * MAP_SHARED, once TVMM_LOAD_IMAGE (or TVMM_SET_STATE) has built it:
 *   offset 0, one page, read-write: struct tvmm_trace_mmap_page;
 *   offset records_offset, nr_records * record_size bytes, read-only:
 *   the records, record N at index N % nr_records.
 * Records [tail, head) are waiting. The kernel stores head after the
 * records before it are whole (release); the reader loads head (acquire),
 * reads the records in place, then stores tail (release) to give their
 * slots back. head and tail count records from 0 and never wrap (u64).
 */
#define TVMM_TRACE_MMAP_VERSION	1

struct tvmm_trace_mmap_page {
	__u32 version;		/* TVMM_TRACE_MMAP_VERSION */
	__u32 record_size;	/* sizeof(struct tvmm_exit_record) */
	__u32 nr_records;	/* slots in the ring */
	__u32 reserved0;
	__u64 records_offset;	/* mmap() offset of the records, page-aligned */
	__u64 reserved1[5];	/* 0; read-only fields to come */
	/* Cache lines of their own: the kernel writes one, the reader the other. */
	__u64 head;		/* kernel: records before head are whole */
	__u64 reserved2[7];
	__u64 tail;		/* reader: records before tail are consumed */
	__u64 reserved3[7];
	/* The rest of the page is 0, for fields to come. */
};

/*
 * tvmm-dev, the VM's one memory-mapped device (module/mmio.c, docs/abi.md):
 * a page of registers at guest-physical TVMM_DEV_GPA, outside any guest RAM
 * (at most 64 MiB) and below the PC's I/O APIC, HPET and local APIC. EPT
 * maps nothing there: every access is an EPT violation that tvmm emulates.
 * Registers are 32 bits; 1-, 2- and 4-byte accesses inside one register.
 */
#define TVMM_DEV_GPA		0xfeb00000ULL
#define TVMM_DEV_SIZE		0x1000ULL
#define TVMM_DEV_ID		0x00	/* RO: TVMM_DEV_MAGIC, the bytes "TVMM" */
#define TVMM_DEV_VERSION	0x04	/* RO: TVMM_DEV_VERSION_1 */
#define TVMM_DEV_SCRATCH	0x08	/* RW: keeps what the guest writes */
#define TVMM_DEV_COUNTER	0x0c	/* RW: a read returns it, then adds 1; a write sets it */
#define TVMM_DEV_DOORBELL	0x10	/* WO: a write prints a line on the console */
#define TVMM_DEV_REGS_END	0x14	/* offsets from here up: no register */
#define TVMM_DEV_MAGIC		0x4d4d5654U	/* "TVMM" in little-endian memory */
#define TVMM_DEV_VERSION_1	1

/* Per-VM counters: exits and handler cycles per basic exit reason. */
#define TVMM_NR_EXIT_REASONS	80
struct tvmm_stats {
	__u64 exits;
	__u64 records_dropped;	/* records not kept (tracing off or reader too slow) */
	__u64 count[TVMM_NR_EXIT_REASONS];
	__u64 cycles[TVMM_NR_EXIT_REASONS];
};

/*
 * Snapshot and restore (module/snapshot.c, docs/snapshot-format.md): the
 * whole VM but the bytes of its RAM, as TVMM_GET_STATE reads it from a
 * paused VM and TVMM_SET_STATE puts it into a new one. The RAM travels
 * with it through ram_addr (config.mem_size bytes). The kernel checks
 * every field of a state it is given as it checks TVMM_SET_REGS: a
 * snapshot file can be crafted. Versioned like the exit record: check
 * version and size; a new field means a version bump.
 */
#define TVMM_STATE_VERSION	1
#define TVMM_STATE_SEGS		8	/* ES, CS, SS, DS, FS, GS, LDTR, TR (VMCS order) */
#define TVMM_STATE_PATCH_SITES	128
#define TVMM_STATE_EXEC_WORDS	(TVMM_GUEST_MEM_MAX / 4096 / 64)	/* a bit per page */

/* One segment register as the VMCS holds it (SDM vol. 3C, 25.4.1). */
struct tvmm_state_seg {
	__u64 base;
	__u32 limit;
	__u32 ar;		/* access rights, VMCS format; bit 16 = unusable */
	__u16 selector;
	__u16 reserved[3];	/* zero */
};

/* One site patch mode rewrote (module/patch.c). */
struct tvmm_state_patch_site {
	__u32 gpa;		/* first byte of the original instruction */
	__u8 len;		/* 1..15 */
	__u8 kind;		/* what it was: PUSHF, POPF, SGDT... (patch.c) */
	__u8 orig[TVMM_INSN_MAX];	/* the bytes before patching */
	__u8 reserved[3];
	__u64 hits;
};

/* The HLT exit a halted vCPU waits in: its record is written when it wakes. */
struct tvmm_state_halt {
	__u32 reason;		/* basic exit reason: HLT, or #GP at ring 1 */
	__u32 insn_len;
	__u64 qual, rip, rflags, cycles;
	__u32 intr_info, error_code;
	__u8 vif, action;
	__u8 reserved[6];
	char mnemonic[TVMM_MNEMONIC_MAX];	/* "hlt" */
};

struct tvmm_vm_state {
	__u32 version;		/* TVMM_STATE_VERSION */
	__u32 size;		/* sizeof(struct tvmm_vm_state) */
	__u64 ram_addr;		/* user pointer to mem_size bytes of RAM (GET_STATE: 0, none) */
	struct tvmm_config config;	/* as the VM was created */
	/* The registers. */
	__u64 rax, rbx, rcx, rdx, rsi, rdi, rbp, rsp;
	__u64 r8, r9, r10, r11, r12, r13, r14, r15;
	__u64 rip, rflags;
	__u64 cr0, cr3, cr4;	/* CR0 and CR4 as the guest believes them (shadows) */
	__u64 efer, sysenter_cs, sysenter_esp, sysenter_eip;
	__u64 dr[4], dr6, dr7;	/* the virtual debug registers */
	struct tvmm_state_seg seg[TVMM_STATE_SEGS];
	__u64 gdtr_base, idtr_base;	/* the CPU's: the shadows' in deprivileged mode */
	__u32 gdtr_limit, idtr_limit;
	__u32 interruptibility;	/* blocking by STI / MOV SS */
	__u32 activity;		/* 0: active */
	__u64 pending_dbg;	/* a single-step trap due after the next entry */
	__u32 entry_intr_info, entry_error_code, entry_insn_len;	/* an event queued */
	__u32 reserved0;
	/* The virtual CPU's interrupt state (module/virq.c). */
	__u8 vif, timer_on, irq_pending, irq_window, halted, halt_pending;
	__u8 reserved1[2];
	__u64 timer_left;	/* TSC ticks to the next tick: the timer's phase */
	__u64 ticks_delivered, ticks_coalesced;
	__u64 tsc;		/* the guest's TSC when saved: its clock goes on from here */
	struct tvmm_state_halt halt;	/* if halt_pending */
	/* tvmm-dev (module/mmio.c). */
	__u32 dev_scratch, dev_counter, dev_doorbells, reserved2;
	/* Deprivileged and patch modes: the tables the guest loaded (deprivilege.c). */
	__u64 guest_gdt_base, guest_idt_base;
	__u32 guest_gdt_limit, guest_idt_limit;
	__u64 user_gates[4];	/* vectors whose guest gate has DPL 3 */
	/* Patch mode (patch.c): the sites, and the pages already scanned. */
	__u32 nr_patch_sites, reserved3;
	__u64 pages_scanned, insns_decoded, unknown_opcodes, sites_skipped;
	struct tvmm_state_patch_site patch_sites[TVMM_STATE_PATCH_SITES];
	__u64 exec_pages[TVMM_STATE_EXEC_WORDS];	/* bit N: page N executable */
	/* Accounting, so the restored VM's counts and trace seq go on. */
	__u64 exits, seq;
	struct tvmm_stats stats;
	char error[TVMM_MESSAGE_MAX];	/* TVMM_SET_STATE: why it refused (out) */
	__u64 reserved[8];	/* zero */
};

/*
 * Live migration (module/dirty.c, docs/live-migration.md). TVMM_DIRTY_LOG
 * with op TVMM_DIRTY_START write-protects every page of guest RAM in the
 * EPT; from then on the guest's first write to a page (and any store tvmm
 * makes for it) marks the page dirty. TVMM_DIRTY_HARVEST copies the
 * bitmap of pages dirtied since the last harvest to bitmap_addr (a bit
 * per page, config.mem_size / 4096 bits, in 64-bit words), clears it and
 * write-protects those pages again; TVMM_DIRTY_STOP ends the logging.
 * Like every VM ioctl it waits for the VM's run_lock: call it between two
 * TVMM_RUNs.
 */
enum tvmm_dirty_op {
	TVMM_DIRTY_START	= 1,
	TVMM_DIRTY_HARVEST	= 2,
	TVMM_DIRTY_STOP		= 3,
};

struct tvmm_dirty_log {
	__u32 op;		/* enum tvmm_dirty_op */
	__u32 reserved0;	/* zero */
	__u64 bitmap_addr;	/* HARVEST: user pointer, mem_size / 4096 / 8 bytes */
	__u64 pages;		/* out: pages protected (START) or dirty (HARVEST) */
	__u64 faults;		/* out: write faults taken since START */
	__u64 reserved[2];	/* zero */
};

/*
 * TVMM_READ_RAM: copy guest RAM [gpa, gpa + len) to addr. The one VM
 * ioctl that does not wait for run_lock: it reads while another thread
 * runs the guest, so the bytes may be changing (dirty logging says which
 * pages to read again). gpa and len are multiples of 4096.
 */
struct tvmm_ram_read {
	__u64 gpa;
	__u64 len;
	__u64 addr;		/* user pointer, len bytes */
};

/*
 * struct tvmm_usage - the VM's bill (module/usage.c): where the CPU time
 * of its TVMM_RUN calls went, in host TSC ticks, and how long it held how
 * much RAM. run_ticks = guest_ticks + tvmm_ticks + host_ticks +
 * halted_ticks. Versioned like the exit record: check version and size;
 * a new field goes at the end with a version bump.
 */
#define TVMM_USAGE_VERSION	1
struct tvmm_usage {
	__u32 version;		/* TVMM_USAGE_VERSION */
	__u32 size;		/* sizeof(struct tvmm_usage) */
	__u64 guest_ticks;	/* in the guest (VM entries and exits included) */
	__u64 tvmm_ticks;	/* in tvmm.ko for this VM: exit handlers, slice set-up */
	__u64 host_ticks;	/* in TVMM_RUN, the CPU the host took: other tasks, interrupts */
	__u64 halted_ticks;	/* the guest waited in HLT for its timer: nobody's CPU */
	__u64 run_ticks;	/* wall time of every TVMM_RUN so far */
	__u64 exits;
	__u64 slices;		/* run slices (module/vcpu.c) */
	__u64 mem_bytes;	/* guest RAM, once the VM is built */
	__u64 age_ns;		/* since the VM was built; stops when the VM ends */
	__u64 reserved[7];	/* zero */
};

/* ioctls on the /dev/tvmm file descriptor; each open() is one VM */
#define TVMM_GET_API_VERSION	_IO(TVMM_IOCTL_TYPE, 0x00)
#define TVMM_GET_CAPS		_IOR(TVMM_IOCTL_TYPE, 0x01, struct tvmm_caps)
#define TVMM_SET_CONFIG		_IOW(TVMM_IOCTL_TYPE, 0x10, struct tvmm_config)
#define TVMM_LOAD_IMAGE		_IOW(TVMM_IOCTL_TYPE, 0x11, struct tvmm_image)
#define TVMM_RUN		_IOR(TVMM_IOCTL_TYPE, 0x12, struct tvmm_run)
#define TVMM_GET_REGS		_IOR(TVMM_IOCTL_TYPE, 0x13, struct tvmm_regs)
#define TVMM_SET_REGS		_IOW(TVMM_IOCTL_TYPE, 0x14, struct tvmm_regs)
#define TVMM_GET_STATS		_IOR(TVMM_IOCTL_TYPE, 0x15, struct tvmm_stats)
#define TVMM_GET_VM_ID		_IO(TVMM_IOCTL_TYPE, 0x16)
/* Snapshot and restore (struct tvmm_vm_state above). */
#define TVMM_GET_STATE		_IOWR(TVMM_IOCTL_TYPE, 0x17, struct tvmm_vm_state)
#define TVMM_SET_STATE		_IOWR(TVMM_IOCTL_TYPE, 0x18, struct tvmm_vm_state)
/* Return from TVMM_RUN (TVMM_RUN_CONSOLE) once the VM has made this many exits; 0: never. */
#define TVMM_PAUSE_AT		_IOW(TVMM_IOCTL_TYPE, 0x19, __u64)
/* Live migration: dirty-page logging and reading RAM while the guest runs. */
#define TVMM_DIRTY_LOG		_IOWR(TVMM_IOCTL_TYPE, 0x1a, struct tvmm_dirty_log)
#define TVMM_READ_RAM		_IOW(TVMM_IOCTL_TYPE, 0x1b, struct tvmm_ram_read)
/* The VM's bill so far (struct tvmm_usage above, module/usage.c). */
#define TVMM_GET_USAGE		_IOR(TVMM_IOCTL_TYPE, 0x1c, struct tvmm_usage)

#endif /* _UAPI_TVMM_H */
