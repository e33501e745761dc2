//! Per-channel statistics: a loop task that, every report interval, collects
//! each handler's statistics into a list, hands them to the channel's
//! `aws_crt_statistics_handler`, and resets the handlers' counters.
use std::ptr::{addr_of_mut, null_mut};

use libc::{c_int, c_void};

use super::{aws_channel_thread_is_callers_thread, ch, Channel, State, RUN_READY};
use crate::common::abi::*;
use crate::common::task_scheduler::aws_task_init;
use crate::fatal_precondition;
use crate::io::abi::*;
use crate::io::event_loop::*;
use crate::io::statistics::{
    aws_crt_statistics_handler_destroy, aws_crt_statistics_handler_get_report_interval_ms,
    aws_crt_statistics_handler_process_statistics,
};

const NS_PER_MS: u64 = 1_000_000;

unsafe fn for_each_handler(c: *mut Channel, mut f: impl FnMut(*mut aws_channel_handler)) {
    // SAFETY: this fn's caller guarantees its pointer arguments are valid and used on their owning thread.
    unsafe {
        let mut slot = (*c).first;
        while !slot.is_null() {
            let handler = (*slot).handler;
            if !handler.is_null() && !(*handler).vtable.is_null() {
                f(handler);
            }
            slot = (*slot).adj_right;
        }
    }
}

unsafe fn reset_handler_statistics(c: *mut Channel) {
    // SAFETY: this fn's caller guarantees its pointer arguments are valid and used on their owning thread.
    unsafe {
        for_each_handler(c, |h| {
            // for_each_handler passes live handlers with a vtable.
            if let Some(reset) = (*(*h).vtable).reset_statistics {
                // The handler's own callback, on the loop thread.
                reset(h);
            }
        });
    }
}

unsafe fn now_ns(c: *mut Channel) -> Option<u64> {
    // SAFETY: this fn's caller guarantees its pointer arguments are valid and used on their owning thread.
    unsafe {
        let mut now = 0u64;
        (aws_event_loop_current_clock_time((*c).event_loop, &mut now) == AWS_OP_SUCCESS)
            .then_some(now)
    }
}

unsafe extern "C" fn gather_task(task: *mut aws_task, arg: *mut c_void, status: c_int) {
    // SAFETY: C passes pointers valid as the upstream header documents; NULL is checked where upstream checks it.
    unsafe {
        let c = arg as *mut Channel;
        (*c).stats_task_pending = false;
        if status != RUN_READY || (*c).stats_handler.is_null() || (*c).state >= State::ShuttingDown
        {
            return;
        }
        let Some(now) = now_ns(c) else { return };
        let now_ms = now / NS_PER_MS;
        let list = addr_of_mut!((*c).stats_list);
        (*list).length = 0;
        for_each_handler(c, |h| {
            // for_each_handler passes live handlers with a vtable.
            if let Some(gather) = (*(*h).vtable).gather_statistics {
                // The handler's own callback; `list` is the channel's.
                gather(h, list);
            }
        });
        let mut interval = aws_crt_statistics_sample_interval {
            begin_time_ms: (*c).stats_start_ms,
            end_time_ms: now_ms,
        };
        aws_crt_statistics_handler_process_statistics(
            (*c).stats_handler,
            &mut interval,
            list,
            c as *mut c_void,
        );
        reset_handler_statistics(c);
        let every = aws_crt_statistics_handler_get_report_interval_ms((*c).stats_handler);
        (*c).stats_task_pending = true;
        aws_event_loop_schedule_task_future(
            (*c).event_loop,
            task,
            now.saturating_add(every.saturating_mul(NS_PER_MS)),
        );
        (*c).stats_start_ms = now_ms;
    }
}

/// Destroys the channel's statistics handler, if any, and cancels its task.
/// Also used by the channel's final deletion, which may run while the loop is
/// being destroyed from another thread.
pub(super) unsafe fn remove_handler(c: *mut Channel) {
    // SAFETY: this fn's caller guarantees its pointer arguments are valid and used on their owning thread.
    unsafe {
        if (*c).stats_handler.is_null() {
            return;
        }
        aws_crt_statistics_handler_destroy((*c).stats_handler);
        (*c).stats_handler = null_mut();
        if (*c).stats_task_pending {
            (*c).stats_task_pending = false;
            aws_event_loop_cancel_task((*c).event_loop, addr_of_mut!((*c).stats_task));
        }
    }
}

/// Loop thread: gives the channel `handler` (ownership passes to the channel;
/// NULL removes the current one, destroying it).
#[no_mangle]
pub unsafe extern "C" fn aws_channel_set_statistics_handler(
    channel: *mut aws_channel,
    handler: *mut aws_crt_statistics_handler,
) -> c_int {
    // SAFETY: C passes pointers valid as the upstream header documents; NULL is checked where upstream checks it.
    unsafe {
        fatal_precondition!(!channel.is_null(), "aws_channel_set_statistics_handler");
        fatal_precondition!(
            aws_channel_thread_is_callers_thread(channel),
            "aws_channel_set_statistics_handler"
        );
        let c = ch(channel);
        let task = addr_of_mut!((*c).stats_task);
        remove_handler(c);
        if !handler.is_null() {
            aws_task_init(
                task,
                Some(gather_task),
                c as *mut c_void,
                c"gather_statistics".as_ptr(),
            );
            let Some(now) = now_ns(c) else {
                return AWS_OP_ERR;
            };
            let every = aws_crt_statistics_handler_get_report_interval_ms(handler);
            (*c).stats_start_ms = now / NS_PER_MS;
            reset_handler_statistics(c);
            (*c).stats_task_pending = true;
            aws_event_loop_schedule_task_future(
                (*c).event_loop,
                task,
                now.saturating_add(every.saturating_mul(NS_PER_MS)),
            );
        }
        (*c).stats_handler = handler;
        AWS_OP_SUCCESS
    }
}
