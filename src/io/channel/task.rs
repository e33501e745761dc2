//! Channel tasks: `aws_channel_task`s wrap an `aws_task` so the channel can
//! track every task it handed to the loop and cancel those still pending when
//! it shuts down. Scheduling is thread-safe; from another thread the task goes
//! through a locked list that one loop task drains.
use std::ptr::addr_of_mut;

use libc::{c_char, c_int, c_void};

use super::{ch, list, lock_cross, Channel, State, CANCELED};
use crate::common::abi::*;
use crate::common::task_scheduler::aws_task_init;
use crate::fatal_precondition;
use crate::io::abi::*;
use crate::io::event_loop::*;

unsafe fn channel_task_of(node: *mut aws_linked_list_node) -> *mut aws_channel_task {
    // SAFETY: this fn's caller guarantees its pointer arguments are valid and used on their owning thread.
    unsafe {
        // SAFETY: nodes in the channel's task lists are `aws_channel_task::node`.
        (node as *mut u8).sub(std::mem::offset_of!(aws_channel_task, node)) as *mut aws_channel_task
    }
}

unsafe fn invoke(task: *mut aws_channel_task, status: c_int) {
    // SAFETY: this fn's caller guarantees its pointer arguments are valid and used on their owning thread.
    unsafe {
        if let Some(f) = (*task).task_fn {
            f(task, (*task).arg, status);
        }
    }
}

/// The `aws_task` wrapper of every channel task handed to the loop.
unsafe extern "C" fn channel_task_run(task: *mut aws_task, arg: *mut c_void, status: c_int) {
    // SAFETY: C passes pointers valid as the upstream header documents; NULL is checked where upstream checks it.
    unsafe {
        let channel = arg as *mut Channel;
        // `wrapper_task` is the first field of aws_channel_task.
        let channel_task = task as *mut aws_channel_task;
        let status = if (*channel).state == State::ShutDown {
            CANCELED
        } else {
            status
        };
        list::remove(addr_of_mut!((*channel_task).node));
        invoke(channel_task, status);
    }
}

/// Loop task that moves tasks scheduled from other threads onto the loop.
pub(super) unsafe extern "C" fn run_cross_thread_tasks(
    _task: *mut aws_task,
    arg: *mut c_void,
    status: c_int,
) {
    // SAFETY: C passes pointers valid as the upstream header documents; NULL is checked where upstream checks it.
    unsafe {
        let channel = arg as *mut Channel;
        let mut taken: aws_linked_list = std::mem::zeroed();
        let taken = addr_of_mut!(taken);
        list::init(taken);
        {
            let mut cross = lock_cross(channel);
            list::move_all_back(taken, addr_of_mut!(cross.list));
        }
        let status = if (*channel).state == State::ShutDown {
            CANCELED
        } else {
            status
        };
        while !list::is_empty(taken) {
            let task = channel_task_of(list::pop_front(taken));
            let run_at = (*task).wrapper_task.timestamp;
            if run_at == 0 || status == CANCELED {
                invoke(task, status);
            } else {
                list::push_back(
                    addr_of_mut!((*channel).thread_tasks),
                    addr_of_mut!((*task).node),
                );
                aws_event_loop_schedule_task_future(
                    (*channel).event_loop,
                    addr_of_mut!((*task).wrapper_task),
                    run_at,
                );
            }
        }
    }
}

unsafe fn reset_pending(channel: *mut Channel, task: *mut aws_channel_task, run_at: u64) {
    // SAFETY: this fn's caller guarantees its pointer arguments are valid and used on their owning thread.
    unsafe {
        aws_task_init(
            addr_of_mut!((*task).wrapper_task),
            Some(channel_task_run),
            channel as *mut c_void,
            (*task).type_tag,
        );
        (*task).wrapper_task.timestamp = run_at;
        list::node_reset(addr_of_mut!((*task).node));
    }
}

unsafe fn register_on_loop(channel: *mut Channel, task: *mut aws_channel_task, run_at: u64) {
    // SAFETY: this fn's caller guarantees its pointer arguments are valid and used on their owning thread.
    unsafe {
        if (*channel).state == State::ShutDown {
            invoke(task, CANCELED);
            return;
        }
        list::push_back(
            addr_of_mut!((*channel).thread_tasks),
            addr_of_mut!((*task).node),
        );
        let wrapper = addr_of_mut!((*task).wrapper_task);
        if run_at == 0 {
            aws_event_loop_schedule_task_now((*channel).event_loop, wrapper);
        } else {
            aws_event_loop_schedule_task_future((*channel).event_loop, wrapper, run_at);
        }
    }
}

unsafe fn register_cross_thread(channel: *mut Channel, task: *mut aws_channel_task) {
    // SAFETY: this fn's caller guarantees its pointer arguments are valid and used on their owning thread.
    unsafe {
        let cancel = {
            let mut cross = lock_cross(channel);
            if cross.is_shut_down {
                true
            } else {
                let was_empty = list::is_empty(addr_of_mut!(cross.list));
                list::push_back(addr_of_mut!(cross.list), addr_of_mut!((*task).node));
                if was_empty {
                    aws_event_loop_schedule_task_now(
                        (*channel).event_loop,
                        addr_of_mut!((*channel).cross_scheduling_task),
                    );
                }
                false
            }
        };
        // Outside the lock: the task may schedule again.
        if cancel {
            invoke(task, CANCELED);
        }
    }
}

unsafe fn register(channel: *mut Channel, task: *mut aws_channel_task, run_at: u64) {
    // SAFETY: this fn's caller guarantees its pointer arguments are valid and used on their owning thread.
    unsafe {
        reset_pending(channel, task, run_at);
        if aws_event_loop_thread_is_callers_thread((*channel).event_loop) {
            register_on_loop(channel, task, run_at);
        } else {
            register_cross_thread(channel, task);
        }
    }
}

/// Runs every channel task still pending as cancelled (loop thread).
pub(super) unsafe fn cancel_pending(channel: *mut Channel) {
    // SAFETY: this fn's caller guarantees its pointer arguments are valid and used on their owning thread.
    unsafe {
        let pending = addr_of_mut!((*channel).thread_tasks);
        while !list::is_empty(pending) {
            let node = list::front(pending);
            let task = channel_task_of(node);
            aws_event_loop_cancel_task((*channel).event_loop, addr_of_mut!((*task).wrapper_task));
            if !list::is_empty(pending) && list::front(pending) == node {
                // The loop did not run the cancellation: do it ourselves so the
                // task is told exactly once and the loop here stays bounded.
                list::remove(node);
                invoke(task, CANCELED);
            }
        }
        let cross_pending = !list::is_empty(addr_of_mut!(lock_cross(channel).list));
        if cross_pending {
            aws_event_loop_cancel_task(
                (*channel).event_loop,
                addr_of_mut!((*channel).cross_scheduling_task),
            );
            let cross_still_pending = !list::is_empty(addr_of_mut!(lock_cross(channel).list));
            if cross_still_pending {
                run_cross_thread_tasks(
                    addr_of_mut!((*channel).cross_scheduling_task),
                    channel as *mut c_void,
                    CANCELED,
                );
            }
        }
    }
}

// ---- C API -------------------------------------------------------------------------

#[no_mangle]
pub unsafe extern "C" fn aws_channel_task_init(
    channel_task: *mut aws_channel_task,
    task_fn: aws_channel_task_fn,
    arg: *mut c_void,
    type_tag: *const c_char,
) {
    // SAFETY: C passes pointers valid as the upstream header documents; NULL is checked where upstream checks it.
    unsafe {
        fatal_precondition!(!channel_task.is_null(), "aws_channel_task_init");
        // SAFETY: the caller owns a writable aws_channel_task; all-zero is valid.
        std::ptr::write_bytes(channel_task, 0, 1);
        (*channel_task).task_fn = task_fn;
        (*channel_task).arg = arg;
        (*channel_task).type_tag = type_tag;
    }
}

/// Any thread. On the loop thread the task goes straight to the loop's run-now
/// list; from elsewhere through the channel's cross-thread queue. On a shut-down
/// channel the task runs at once, cancelled.
#[no_mangle]
pub unsafe extern "C" fn aws_channel_schedule_task_now(
    channel: *mut aws_channel,
    task: *mut aws_channel_task,
) {
    // SAFETY: C passes pointers valid as the upstream header documents; NULL is checked where upstream checks it.
    unsafe {
        fatal_precondition!(
            !channel.is_null() && !task.is_null(),
            "aws_channel_schedule_task_now"
        );
        register(ch(channel), task, 0);
    }
}

/// Any thread. Always through the cross-thread queue, so tasks keep the order
/// in which they were scheduled, whatever thread scheduled them.
#[no_mangle]
pub unsafe extern "C" fn aws_channel_schedule_task_now_serialized(
    channel: *mut aws_channel,
    task: *mut aws_channel_task,
) {
    // SAFETY: C passes pointers valid as the upstream header documents; NULL is checked where upstream checks it.
    unsafe {
        fatal_precondition!(
            !channel.is_null() && !task.is_null(),
            "aws_channel_schedule_task_now_serialized"
        );
        reset_pending(ch(channel), task, 0);
        register_cross_thread(ch(channel), task);
    }
}

/// Any thread: runs the task at `run_at_nanos` on the loop's clock.
#[no_mangle]
pub unsafe extern "C" fn aws_channel_schedule_task_future(
    channel: *mut aws_channel,
    task: *mut aws_channel_task,
    run_at_nanos: u64,
) {
    // SAFETY: C passes pointers valid as the upstream header documents; NULL is checked where upstream checks it.
    unsafe {
        fatal_precondition!(
            !channel.is_null() && !task.is_null(),
            "aws_channel_schedule_task_future"
        );
        register(ch(channel), task, run_at_nanos);
    }
}
