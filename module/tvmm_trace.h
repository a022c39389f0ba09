/* SPDX-License-Identifier: GPL-2.0 */
/*
 * tvmm_trace.h - tracepoints: every VM entry and exit, visible to
 * trace-cmd, perf and /sys/kernel/tracing like KVM's.
 *
 * Concept: a VMM is invisible to its guests, but not to the host. These
 * events use KVM's field names (kvm_exit: exit_reason, guest_rip, info1,
 * info2, intr_info, error_code, vcpu_id) so that `trace-cmd record -e tvmm`
 * and filters like `exit_reason == 30` read the same as for KVM.
 *
 * Context: tvmm_exit fires in the run loop with preemption off.
 */
#undef TRACE_SYSTEM
#define TRACE_SYSTEM tvmm

#if !defined(_TVMM_TRACE_H) || defined(TRACE_HEADER_MULTI_READ)
#define _TVMM_TRACE_H

#include <linux/string.h>
#include <linux/tracepoint.h>

#define TVMM_TRACE_NAME_MAX	24

TRACE_EVENT(tvmm_exit,
	    TP_PROTO(unsigned int vcpu_id, u32 exit_reason, const char *reason_name,
		     u64 guest_rip, u64 info1, u64 info2, u32 intr_info,
		     u32 error_code, const char *action),
	    TP_ARGS(vcpu_id, exit_reason, reason_name, guest_rip, info1, info2,
		    intr_info, error_code, action),
	    TP_STRUCT__entry(__field(unsigned int, vcpu_id)
			     __field(u32, exit_reason)
			     __array(char, reason, TVMM_TRACE_NAME_MAX)
			     __field(u64, guest_rip)
			     __field(u64, info1)
			     __field(u64, info2)
			     __field(u32, intr_info)
			     __field(u32, error_code)
			     __array(char, action, TVMM_TRACE_NAME_MAX)),
	    TP_fast_assign(__entry->vcpu_id = vcpu_id;
			   __entry->exit_reason = exit_reason;
			   strscpy(__entry->reason, reason_name, TVMM_TRACE_NAME_MAX);
			   __entry->guest_rip = guest_rip;
			   __entry->info1 = info1;
			   __entry->info2 = info2;
			   __entry->intr_info = intr_info;
			   __entry->error_code = error_code;
			   strscpy(__entry->action, action, TVMM_TRACE_NAME_MAX);),
	    TP_printk("vcpu %u reason %s rip 0x%llx info1 0x%016llx info2 0x%016llx intr_info 0x%08x error_code 0x%08x action %s",
		      __entry->vcpu_id, __entry->reason, __entry->guest_rip,
		      __entry->info1, __entry->info2, __entry->intr_info,
		      __entry->error_code, __entry->action)
);

TRACE_EVENT(tvmm_entry,
	    TP_PROTO(unsigned int vcpu_id, u64 guest_rip),
	    TP_ARGS(vcpu_id, guest_rip),
	    TP_STRUCT__entry(__field(unsigned int, vcpu_id)
			     __field(u64, guest_rip)),
	    TP_fast_assign(__entry->vcpu_id = vcpu_id;
			   __entry->guest_rip = guest_rip;),
	    TP_printk("vcpu %u rip 0x%llx", __entry->vcpu_id, __entry->guest_rip)
);

#endif /* _TVMM_TRACE_H */

#undef TRACE_INCLUDE_PATH
#define TRACE_INCLUDE_PATH .
#undef TRACE_INCLUDE_FILE
#define TRACE_INCLUDE_FILE tvmm_trace
#include <trace/define_trace.h>
