// SPDX-License-Identifier: GPL-2.0
/*
 * vcpu.c - the run loop: enter the guest, take the exit, handle it, repeat.
 *
 * Concept: trap-and-emulate as a loop. The guest runs natively until it
 * does something the VMCS says must trap; the CPU exits to tvmm, tvmm
 * emulates the effect (exits.c) and re-enters the guest. The loop is also
 * where a type-2 VMM stays a good citizen of its host: it gives the CPU
 * back when Linux wants it (need_resched), stops when the user presses
 * Ctrl-C (signals), and never lets a guest spin forever (the VMX-preemption
 * timer and host interrupts always bring the CPU back).
 *
 * A "slice" is one stretch with preemption off: VMPTRLD the VMCS on this
 * CPU, refresh the host state, run until there is a reason to stop,
 * VMCLEAR. Between slices the VMCS is clear and in memory, so the next
 * slice may run on any CPU (SDM vol. 3C, 25.11.1 "Software Use of Virtual-
 * Machine Control Structures": a VMCS must be cleared before it is loaded
 * on another processor).
 *
 * What the VMCS does not switch is switched around each entry (the debug
 * registers, debugreg.c) and each slice (segments, LDT, host_state.c).
 *
 * SDM: vol. 3C, 27 "VM Entries", 28 "VM Exits"; 27.8 "VM-Entry Failures
 *      During or After Loading Guest State"; 25.5.1 "VMX-Preemption Timer";
 *      28.5 "Loading Host State".
 * Context: process context, under the VM's run_lock (ioctl TVMM_RUN).
 */
#define pr_fmt(fmt) KBUILD_MODNAME ": " fmt

#include <linux/kernel.h>
#include <linux/mm.h>
#include <linux/sched.h>
#include <linux/sched/signal.h>
#include <linux/stdarg.h>
#include <asm/desc.h>
#include <asm/io.h>
#include <asm/msr.h>
#include <asm/processor.h>
#include <asm/segment.h>

#include "tvmm.h"
#include "debugreg.h"
#include "exits.h"
#include "trace_record.h"
#include "virq.h"
#include "vmx_insn.h"
#include "include/tvmm/exit_names.h"
#include "tvmm_trace.h"

static_assert(offsetof(struct tvmm_guest_regs, rax) == GUEST_REGS_RAX);
static_assert(offsetof(struct tvmm_guest_regs, rdi) == GUEST_REGS_RDI);
static_assert(offsetof(struct tvmm_guest_regs, rbp) == GUEST_REGS_RBP);
static_assert(offsetof(struct tvmm_guest_regs, r8) == GUEST_REGS_R8);
static_assert(offsetof(struct tvmm_guest_regs, r15) == GUEST_REGS_R15);
static_assert(VMCS_HOST_RSP == 0x6c14);	/* VMCS_HOST_RSP_ENC in entry.S */

/* Exit-qualification values of a failed entry (SDM 27.8). */
static const char *const entry_fail_qual[] = {
	[0] = "a guest-state check failed (see the VMENTER FAIL line of bochs.log, or SDM 27.3.1)",
	[2] = "loading PDPTEs failed",
	[3] = "an NMI was injected while NMIs were blocked",
	[4] = "the VMCS link pointer is invalid",
};

/* Copy what debugfs and TVMM_GET_REGS show from the current VMCS. */
static void vcpu_snapshot_guest(struct tvmm_vm *vm)
{
	struct tvmm_guest_snapshot *s = &vm->snap;

	s->rip = vmcs_read(VMCS_GUEST_RIP);
	s->rsp = vmcs_read(VMCS_GUEST_RSP);
	s->rflags = vmcs_read(VMCS_GUEST_RFLAGS);
	s->cr0 = vm->cr0_shadow;
	s->cr3 = vmcs_read(VMCS_GUEST_CR3);
	s->cr4 = vm->cr4_shadow;
	s->cs = vmcs_read(VMCS_GUEST_CS_SELECTOR);
	s->ds = vmcs_read(VMCS_GUEST_DS_SELECTOR);
	s->ss = vmcs_read(VMCS_GUEST_SS_SELECTOR);
	s->es = vmcs_read(VMCS_GUEST_ES_SELECTOR);
	s->fs = vmcs_read(VMCS_GUEST_FS_SELECTOR);
	s->gs = vmcs_read(VMCS_GUEST_GS_SELECTOR);
	s->cpl = (vmcs_read(VMCS_GUEST_SS_AR_BYTES) >> VMCS_AR_DPL_SHIFT) & VMCS_AR_DPL_MASK;
}

/* VMLAUNCH/VMRESUME itself failed: nothing ran. Say why, by name. */
static void vcpu_entry_insn_failed(struct tvmm_vm *vm, int how)
{
	u32 error = 0;
	char what[TVMM_MESSAGE_MAX];

	if (how == VMX_ENTER_FAIL_VALID)
		error = vmcs_read(VMCS_VM_INSTRUCTION_ERROR);
	snprintf(what, sizeof(what), "%s, VM-instruction error %u: %s",
		 how == VMX_ENTER_FAIL_VALID ? "VMfailValid" : "VMfailInvalid",
		 error, error ? vmx_insn_error_name(error) : "no current VMCS");
	vmcs_log_entry_failure(vm, what);
	vcpu_end(vm, TVMM_END_ENTRY_FAILED, error, "VM entry failed: %s", what);
}

/* The entry started but failed checking or loading guest state (SDM 27.8). */
static void vcpu_entry_state_failed(struct tvmm_vm *vm, u32 reason)
{
	u64 qual = vmcs_read(VMCS_EXIT_QUALIFICATION);
	u32 basic = reason & TVMM_EXIT_REASON_BASIC_MASK;
	const char *why = qual < ARRAY_SIZE(entry_fail_qual) && entry_fail_qual[qual] ?
			  entry_fail_qual[qual] : "unknown qualification";
	char what[TVMM_MESSAGE_MAX];

	snprintf(what, sizeof(what), "exit reason %u (%s), qualification %llu: %s",
		 basic, vmx_exit_reason_name(basic), qual, why);
	vmcs_log_entry_failure(vm, what);
	vcpu_end(vm, TVMM_END_ENTRY_FAILED, basic, "VM entry failed: %s", what);
}

/*
 * The exit-information fields an exit's handler needs, beyond RIP and
 * RFLAGS (which every exit reads: messages, the virtual IF, single-step).
 * Each VMREAD is an instruction and its error checks (on hardware tens
 * of cycles), and the most frequent exits are instructions that need few
 * fields. An instruction exit has a length (SDM 28.2.5), never interrupts
 * the delivery of an event (IDT-vectoring information is valid only for
 * exits during delivery: exceptions, EPT violations, task switches; SDM
 * 28.2.4) and has no interruption information (SDM 28.2.2): the exits
 * listed here read their length, and their qualification if marked, and
 * nothing else. Exits not listed read everything (vcpu_read_exit_all()).
 * A field an exit does not read stays 0, in its handler and in its trace
 * record: the SDM defines none of them for these exits.
 */
enum {
	EXIT_LEAN		= BIT(0),	/* an instruction: its length */
	EXIT_LEAN_QUAL		= BIT(1),	/* ... and the exit qualification */
};

static const u8 exit_reads_lean[TVMM_NR_EXIT_REASONS] = {
	[EXIT_REASON_CPUID]		= EXIT_LEAN,
	[EXIT_REASON_HLT]		= EXIT_LEAN,
	[EXIT_REASON_VMCALL]		= EXIT_LEAN,
	[EXIT_REASON_IO_INSTRUCTION]	= EXIT_LEAN | EXIT_LEAN_QUAL,
	[EXIT_REASON_MSR_READ]		= EXIT_LEAN,
	[EXIT_REASON_MSR_WRITE]		= EXIT_LEAN,
	[EXIT_REASON_CR_ACCESS]		= EXIT_LEAN | EXIT_LEAN_QUAL,
};

/*
 * Every exit-information field of an exit not in exit_reads_lean[]. Out of
 * line: the run loop's own code stays small (fewer registers saved to the
 * stack around the hot path) and these exits are rare.
 */
static noinline void vcpu_read_exit_all(struct tvmm_exit_info *exit, u32 basic)
{
	exit->qual = vmcs_read(VMCS_EXIT_QUALIFICATION);
	exit->insn_len = vmcs_read(VMCS_VM_EXIT_INSTRUCTION_LEN);
	exit->intr_info = vmcs_read(VMCS_VM_EXIT_INTR_INFO);
	exit->error_code = vmcs_read(VMCS_VM_EXIT_INTR_ERROR_CODE);
	exit->idt_vectoring = vmcs_read(VMCS_IDT_VECTORING_INFO_FIELD);
	exit->idt_vectoring_error = 0;
	if (exit->idt_vectoring & TVMM_INTR_INFO_DELIVER_CODE)
		exit->idt_vectoring_error = vmcs_read(VMCS_IDT_VECTORING_ERROR_CODE);
	exit->gpa = 0;
	if (basic == EXIT_REASON_EPT_VIOLATION || basic == EXIT_REASON_EPT_MISCONFIG)
		exit->gpa = vmcs_read(VMCS_GUEST_PHYSICAL_ADDRESS);
}

/*
 * Read what this exit's handler (and, if traced, its record) needs. Every
 * field of *@exit is written exactly once, with what was read or with 0:
 * clearing the whole struct first and then overwriting it would store
 * most fields twice, on every exit. (A field added to struct
 * tvmm_exit_info must be set here.) The lean exits take one branch, with
 * no test per field.
 */
static void vcpu_read_exit(struct tvmm_exit_info *exit, u32 reason, u64 tsc)
{
	u32 basic = reason & TVMM_EXIT_REASON_BASIC_MASK;
	unsigned int lean = basic < TVMM_NR_EXIT_REASONS ? exit_reads_lean[basic] : 0;

	exit->reason = reason;
	exit->tsc_exit = tsc;
	exit->rip = vmcs_read(VMCS_GUEST_RIP);
	exit->rflags = vmcs_read(VMCS_GUEST_RFLAGS);
	if (likely(lean)) {
		exit->qual = lean & EXIT_LEAN_QUAL ? vmcs_read(VMCS_EXIT_QUALIFICATION) : 0;
		exit->insn_len = vmcs_read(VMCS_VM_EXIT_INSTRUCTION_LEN);
		exit->intr_info = 0;
		exit->error_code = 0;
		exit->idt_vectoring = 0;
		exit->idt_vectoring_error = 0;
		exit->gpa = 0;
	} else {
		vcpu_read_exit_all(exit, basic);
	}
	/*
	 * What the handler and the record fill in; the handler's defaults
	 * (vmx_handle_exit(), exits.h): emulated, no mnemonic.
	 */
	exit->action = TVMM_ACTION_EMULATED;
	exit->vif = false;
	exit->mnemonic = "";
	exit->insn_bytes = NULL;
	exit->mmio_value = 0;
	exit->mmio_width = 0;
	exit->mmio_write = false;
}

/*
 * Count an exit, fire the tracepoint if trace-cmd or perf listens
 * (trace.c), and write its record if the VM is traced (trace_record.h).
 * Always inline: it runs after every exit, and GCC had kept it a call.
 */
static __always_inline void vcpu_account_exit(struct tvmm_vm *vm,
					      const struct tvmm_exit_info *exit, u64 cycles)
{
	trace_count_exit(vm, exit->reason & TVMM_EXIT_REASON_BASIC_MASK, cycles);
	profile_mark(&vm->prof, PROFILE_STATS);
	if (unlikely(trace_tvmm_exit_enabled()))
		trace_fire(vm, exit);
	if (vm->config.flags & TVMM_CONFIG_TRACE)
		trace_record_exit(vm, exit, cycles);
	profile_mark(&vm->prof, PROFILE_TRACE);
}

/*
 * The woken HLT's count and record (vcpu_slice_prepare()): once per wait,
 * so a call, not a second inline copy of the record writer.
 */
static noinline void vcpu_account_halt(struct tvmm_vm *vm)
{
	vcpu_account_exit(vm, &vm->halt.exit, vm->halt.cycles);
}

/*
 * One more exit; end the VM at --max-exits, or pause it (TVMM_PAUSE_AT):
 * one comparison with the first of the two (snapshot.c).
 */
static void vcpu_count_exit(struct tvmm_vm *vm)
{
	vm->exits++;
	if (unlikely(vm->exits >= vm->exit_limit))
		snapshot_exit_limit(vm);
}

/*
 * The benchmark floor (TVMM_CONFIG_NULL_HANDLERS): for CPUID and I/O exits
 * do the least any VMM must do, step over the instruction, and nothing
 * else. Return: true if the exit was consumed here.
 */
static bool vcpu_null_handler(struct tvmm_vm *vm, u32 reason)
{
	if (reason != EXIT_REASON_CPUID && reason != EXIT_REASON_IO_INSTRUCTION)
		return false;
	profile_set_reason(&vm->prof, reason);
	profile_mark(&vm->prof, PROFILE_READ);
	vcpu_write(vm, VMCS_GUEST_RIP, vmcs_read(VMCS_GUEST_RIP) +
		   vmcs_read(VMCS_VM_EXIT_INSTRUCTION_LEN));
	profile_mark(&vm->prof, PROFILE_STEP);
	vcpu_count_exit(vm);
	profile_mark(&vm->prof, PROFILE_STATS);
	return true;
}

/*
 * What need_resched() and signal_pending(current) test, in one word: the
 * thread flags. Asked after every exit, so they are read once here, not
 * once per helper (each helper tests its own bit of the same word).
 */
#define VCPU_HOST_WANTS_CPU	(_TIF_NEED_RESCHED | _TIF_SIGPENDING | _TIF_NOTIFY_SIGNAL)

/* Should this slice stop after the exit just handled? */
static bool vcpu_slice_over(struct tvmm_vm *vm)
{
	return vm->end || vm->console_flush || vm->halted || vm->trace_filled ||
	       (read_thread_flags() & VCPU_HOST_WANTS_CPU);
}

/*
 * Bring the VM's VMCS, just made current, up to date: built on the first
 * slice (vmcs.c), host state refreshed on later ones (the CPU may have
 * changed), registers from TVMM_SET_REGS written in.
 * Return: 0, or -errno with the VM ended.
 */
static int vcpu_slice_load(struct tvmm_vm *vm)
{
	int err;

	if (!vm->vmcs_ready) {
		/* A restored VM (snapshot.c) starts from its saved state. */
		err = vm->restore ? snapshot_load_vmcs(vm) : vmcs_setup(vm);
		vm->vmcs_ready = !err;
		snapshot_free(vm);
	} else {
		err = vmcs_refresh_host_state();
	}
	if (err == -ENOPKG)	/* lab 03's stubs: lab.c has the details */
		vcpu_end(vm, TVMM_END_TODO, 3,
			 "VMCS setup: a lab 03 TODO is still a stub (dmesg names it)");
	if (err) {
		vcpu_end(vm, TVMM_END_INTERNAL, 0, "VMCS setup failed (%d, see dmesg)", err);
		return err;
	}
	if (vm->set_regs_pending) {
		/* TVMM_SET_REGS: RFLAGS bit 1 is always 1 (SDM vol. 1, 3.4.3). */
		vcpu_write(vm, VMCS_GUEST_RIP, vm->set_regs.rip);
		vcpu_write(vm, VMCS_GUEST_RSP, vm->set_regs.rsp);
		vcpu_write(vm, VMCS_GUEST_RFLAGS, vm->set_regs.rflags | X86_EFLAGS_FIXED);
		vm->set_regs_pending = false;
	}
	/*
	 * debugfs vmN/fail_next_entry, for tests only: make this entry fail
	 * (RFLAGS.VM in a guest that is not in virtual-8086 mode, SDM vol. 3C,
	 * 27.3.1.4), so the failure path and its VMCS dump can be tested,
	 * though no guest and no ioctl can reach it any more.
	 */
	if (READ_ONCE(vm->fail_next_entry)) {
		WRITE_ONCE(vm->fail_next_entry, false);
		vcpu_write(vm, VMCS_GUEST_RFLAGS, vmcs_read(VMCS_GUEST_RFLAGS) | X86_EFLAGS_VM);
	}
	return vm->end ? -EIO : 0;
}

/*
 * Before the slice's first entry: the virtual timer's decision (virq.c;
 * a vCPU woken from HLT gets its tick now, and that HLT exit is recorded
 * only here, with the injection it ended in), and a TLB flush: guest
 * entries tagged with this VM's EPTP and VPID may survive from an earlier
 * slice, or from a freed VM whose tables had the same address (SDM
 * 29.4.3). Return: 0, or -EIO with the VM ended.
 */
static int vcpu_slice_prepare(struct tvmm_vm *vm)
{
	int err = 0;

	if (vm->halt.pending) {
		vm->halt.pending = false;
		virq_prepare_entry(vm, &vm->halt.exit);
		vcpu_account_halt(vm);
	} else {
		virq_prepare_entry(vm, NULL);
	}
	if (tvmm_caps.ept_vpid_cap & BIT_ULL(EPT_VPID_INVEPT_SINGLE_CONTEXT))
		err |= vmx_invept(INVEPT_SINGLE_CONTEXT, vm->mem.eptp);
	else
		err |= vmx_invept(INVEPT_ALL_CONTEXT, 0);
	if (tvmm_caps.ept_vpid_cap & BIT_ULL(EPT_VPID_INVVPID_SINGLE_CONTEXT))
		err |= vmx_invvpid(INVVPID_SINGLE_CONTEXT, vm->vpid);
	if (err)
		vcpu_end(vm, TVMM_END_INTERNAL, 0, "TLB flush failed (see dmesg)");
	return vm->end ? -EIO : 0;
}

/*
 * What the run loop keeps from one trip into the guest to the next, within
 * a slice.
 */
struct vcpu_loop {
	/*
	 * The host's state, to restore: here rather than behind a pointer,
	 * so that its DEBUGCTL, tested after every exit, is one load away.
	 */
	struct tvmm_host_state hs;
	/*
	 * The host's debug registers around one entry (debugreg.h). Here and
	 * not a local of vcpu_enter(): the kernel zeroes every local on
	 * entry to its function (CONFIG_INIT_STACK_ALL_ZERO), which would
	 * cost a 48-byte clear per exit; here it is cleared once a slice.
	 */
	struct tvmm_host_debug hd;
	int launched;				/* VMLAUNCH done: VMRESUME next */
	unsigned long host_rsp;			/* HOST_RSP in the VMCS (entry.S) */
	u64 tsc;				/* TSC right after the last exit */
	u32 reason;				/* the last exit's reason */
};

/*
 * One trip into the guest and back, with interrupts off around it: the
 * guest's breakpoints in, VMLAUNCH/VMRESUME, then first of all the host's
 * debug state and the NMI or machine check that may have caused the exit
 * (host_state.c); only then interrupts on, and Linux takes the host
 * interrupt that caused the exit, if any.
 * Return: tvmm_vmx_enter()'s VMX_ENTER_*, or -ENXIO if this CPU has left
 * VMX operation (a reboot, vmx.c): no VMCS is current any more.
 */
static int vcpu_enter(struct tvmm_vm *vm, struct vcpu_loop *loop)
{
	int ret;

	profile_mark(&vm->prof, PROFILE_LOOP);
	profile_exit_done(&vm->prof);
	local_irq_disable();
	if (unlikely(!vmx_cpu_is_on())) {
		local_irq_enable();
		vcpu_end(vm, TVMM_END_INTERNAL, 0, "VMX was turned off on this CPU (reboot)");
		return -ENXIO;
	}
	if (trace_tvmm_entry_enabled())
		trace_tvmm_entry(vm->id, vmcs_read(VMCS_GUEST_RIP));
	dr_load_guest(vm, &loop->hd);
	profile_mark(&vm->prof, PROFILE_ENTRY);
	ret = tvmm_vmx_enter(&vm->regs, loop->launched, &loop->host_rsp);
	loop->tsc = rdtsc();
	profile_mark(&vm->prof, PROFILE_SWITCH);
	dr_restore_host(&loop->hd);
	host_debugctl_restore_irqoff(&loop->hs);
	if (ret == VMX_ENTER_EXITED) {
		loop->reason = vmcs_read(VMCS_VM_EXIT_REASON);	/* read once */
		if (host_event_possible(loop->reason))
			host_events_irqoff(vm, loop->reason);
	}
	local_irq_enable();
	profile_mark(&vm->prof, PROFILE_HOST);
	return ret;
}

/*
 * An exit, handled: dispatched (exits.h), then the next entry's interrupt
 * decision (virq.c) and the record (trace.c). A HLT that made the vCPU
 * wait keeps its record for the next slice (vcpu_slice_prepare()).
 */
static void vcpu_handle_exit(struct tvmm_vm *vm, struct tvmm_exit_info *exit, u64 tsc)
{
	vcpu_count_exit(vm);
	if (vm->record_vif)	/* only the record shows it; a CLI may change it */
		exit->vif = vm->vif;
	vmx_handle_exit(vm, exit);
	profile_mark(&vm->prof, PROFILE_DISPATCH);
	if (vm->halted) {
		vm->halt.exit = *exit;
		vm->halt.cycles = rdtsc() - tsc;
		vm->halt.pending = true;
		return;		/* the slice is over (vcpu_slice_over()) */
	}
	if (!virq_quiet(vm))	/* virq.h: usually nothing to decide */
		virq_prepare_entry(vm, exit);
	profile_mark(&vm->prof, PROFILE_VIRQ);
	vcpu_account_exit(vm, exit, rdtsc() - tsc);
}

/* Run the guest on this CPU until vcpu_slice_over(). Preemption is off. */
static void vcpu_run_slice(struct tvmm_vm *vm)
{
	u64 vmcs_hpa = page_to_phys(vm->vmcs);
	struct tvmm_exit_info exit;
	struct vcpu_loop loop = { };
	int ret;

	if (vmx_vmptrld(vmcs_hpa)) {
		vcpu_end(vm, TVMM_END_INTERNAL, 0, "VMPTRLD failed (see dmesg)");
		return;
	}
	vmx_cpu_set_loaded_vmcs(vmcs_hpa);	/* for the emergency VMCLEAR (vmx.c) */
	/*
	 * Set by the writer when a record takes the ring's last free slot;
	 * the reader may have made room since: look again in this slice.
	 */
	vm->trace_filled = false;
	trace_ring_slice_begin(&vm->trace);
	if (vcpu_slice_load(vm) || vcpu_slice_prepare(vm))
		goto out_clear;
	/*
	 * The woken HLT's record (vcpu_slice_prepare()) took the last slot:
	 * no entry, or the next exit's record would find no room. The
	 * injection it prepared stays in the VMCS for the next slice.
	 */
	if (vm->trace_filled)
		goto out_clear;
	/*
	 * VM exits load null selectors, an unusable LDTR, DR7 = 0x400 and
	 * IA32_DEBUGCTL = 0: keep the caller's, for host_state.c to restore.
	 */
	host_state_save(&loop.hs);
	vm->last_cpu = smp_processor_id();
	profile_slice_start(&vm->prof);
	usage_loop_begin(vm);	/* the meter (usage.c): never per exit */

	do {
		ret = vcpu_enter(vm, &loop);
		if (ret != VMX_ENTER_EXITED) {
			if (ret != -ENXIO)
				vcpu_entry_insn_failed(vm, ret);
			break;
		}
		loop.launched = 1;
		if ((vm->config.flags & TVMM_CONFIG_NULL_HANDLERS) &&
		    vcpu_null_handler(vm, loop.reason))
			continue;
		vcpu_read_exit(&exit, loop.reason, loop.tsc);
		profile_set_reason(&vm->prof, exit.reason & TVMM_EXIT_REASON_BASIC_MASK);
		profile_mark(&vm->prof, PROFILE_READ);
		if (exit.reason & TVMM_EXIT_REASON_ENTRY_FAILED) {
			vcpu_entry_state_failed(vm, exit.reason);
			break;
		}
		vcpu_handle_exit(vm, &exit, loop.tsc);
	} while (!vcpu_slice_over(vm));
	usage_loop_end(vm);
	profile_mark(&vm->prof, PROFILE_LOOP);
	profile_exit_done(&vm->prof);

	if (ret != -ENXIO) {
		vcpu_snapshot_guest(vm);
		vmcs_snapshot(vm);
	}
	host_state_restore(&loop.hs);
	/*
	 * A VM exit leaves the GDT limit at 0xffff and the TR limit at 0x67
	 * (SDM 28.5.2): put back Linux's, as KVM does.
	 */
	load_fixmap_gdt(smp_processor_id());
	invalidate_tss_limit();
	if (ret == -ENXIO)
		return;		/* no VMCS is current any more */
out_clear:
	if (vmx_vmclear(vmcs_hpa))
		vcpu_end(vm, TVMM_END_INTERNAL, 0, "VMCLEAR failed (see dmesg)");
	vmx_cpu_set_loaded_vmcs(0);
}

/**
 * vcpu_run() - TVMM_RUN: run @vm until there is something for userspace.
 * @vm: an image is loaded (checked by the caller)
 * @run: filled with the state, console bytes and, at the end, the reason
 *
 * Return: 0, or -EINTR when a signal is pending (the VM stays intact and
 * can be run again).
 */
int vcpu_run(struct tvmm_vm *vm, struct tvmm_run *run)
{
	int ret = 0;

	vm->console_flush = false;
	usage_run_begin(vm);
	while (!vm->end) {
		if (signal_pending(current)) {
			ret = -EINTR;
			break;
		}
		if ((vm->config.flags & TVMM_CONFIG_TRACE) && trace_ring_full(&vm->trace))
			break;
		if (vm->console_flush)
			break;
		if (vm->halted) {
			ret = usage_halt_wait(vm);	/* virq_halt_wait(), metered */
			if (ret)
				break;
		}
		cond_resched();

		preempt_disable();
		usage_slice_begin(vm);
		vcpu_run_slice(vm);
		usage_slice_end(vm);
		preempt_enable();
		/* A mapping reader sees the slice's records (trace_mmap.c). */
		trace_ring_publish(&vm->trace);
		/*
		 * The slice's records wake a poll() or read() that sleeps on
		 * the ring: once per slice, not once per record (a wake-up
		 * check is a full barrier and a load, on every exit).
		 */
		if (wq_has_sleeper(&vm->trace.wait))
			wake_up_interruptible(&vm->trace.wait);
	}
	usage_run_end(vm);

	memset(run, 0, sizeof(*run));
	run->exits = vm->exits;
	run->console_len = vm->console_len;
	memcpy(run->console, vm->console, vm->console_len);
	vm->console_len = 0;
	vm->console_flush = false;
	if (vm->end) {
		run->state = TVMM_RUN_ENDED;
		run->end = vm->end;
		run->end_info = vm->end_info;
		run->exit_status = vm->exit_status;
		strscpy(run->message, vm->message, sizeof(run->message));
	} else if ((vm->config.flags & TVMM_CONFIG_TRACE) && trace_ring_full(&vm->trace)) {
		run->state = TVMM_RUN_TRACE_FULL;
	} else {
		run->state = TVMM_RUN_CONSOLE;
	}
	return ret;
}
