//! The shutdown sequence. `aws_channel_shutdown` (any thread) schedules one
//! shutdown task; on the loop it shuts the first handler down in the read
//! direction. Each handler reports with
//! `aws_channel_slot_on_handler_shutdown_complete`, which passes the read
//! direction rightwards; at the right end a fresh loop task (so no handler is
//! deep in its own stack) starts the write direction, which travels leftwards.
//! When the first slot finishes writing the channel is shut down: pending
//! channel tasks are cancelled and `on_shutdown_completed` runs, as a loop task.
use std::ptr::addr_of_mut;

use libc::{c_int, c_void};

use super::handler::aws_channel_handler_shutdown;
use super::{as_c, ch, lock_cross, task, Channel, State};
use crate::common::abi::*;
use crate::common::error::error_name;
use crate::common::task_scheduler::aws_task_init;
use crate::fatal_precondition;
use crate::io::abi::*;
use crate::io::event_loop::aws_event_loop_schedule_task_now;

const READ: c_int = aws_channel_direction::AWS_CHANNEL_DIR_READ as c_int;
const WRITE: c_int = aws_channel_direction::AWS_CHANNEL_DIR_WRITE as c_int;

/// Loop task: cancels what is still pending, then tells the owner.
unsafe extern "C" fn completion_task(_task: *mut aws_task, arg: *mut c_void, _status: c_int) {
    // SAFETY: C passes pointers valid as the upstream header documents; NULL is checked where upstream checks it.
    unsafe {
        let c = arg as *mut Channel;
        task::cancel_pending(c);
        if let Some(cb) = (*c).on_shutdown_completed {
            cb(as_c(c), (*c).notify_error, (*c).shutdown_user_data);
        }
    }
}

/// Loop task: starts the write direction at the right-most handler.
unsafe extern "C" fn write_direction_task(_task: *mut aws_task, arg: *mut c_void, _status: c_int) {
    // SAFETY: C passes pointers valid as the upstream header documents; NULL is checked where upstream checks it.
    unsafe {
        let c = arg as *mut Channel;
        let slot = (*c).notify_slot;
        aws_channel_handler_shutdown(
            (*slot).handler,
            slot,
            WRITE,
            (*c).notify_error,
            (*c).notify_immediately,
        );
    }
}

unsafe fn schedule_notify(c: *mut Channel, f: aws_task_fn, tag: &'static std::ffi::CStr) {
    // SAFETY: this fn's caller guarantees its pointer arguments are valid and used on their owning thread.
    unsafe {
        let t = addr_of_mut!((*c).notify_task);
        aws_task_init(t, f, c as *mut c_void, tag.as_ptr());
        aws_event_loop_schedule_task_now((*c).event_loop, t);
    }
}

/// Marks the channel shut down and schedules the completion report.
unsafe fn finish(c: *mut Channel, error_code: c_int) {
    // SAFETY: this fn's caller guarantees its pointer arguments are valid and used on their owning thread.
    unsafe {
        (*c).state = State::ShutDown;
        lock_cross(c).is_shut_down = true;
        (*c).notify_error = error_code;
        crate::aws_log!(
            aws_log_level::AWS_LL_DEBUG,
            aws_io_log_subject::AWS_LS_IO_CHANNEL,
            "id={:p}: shutdown completed with {}",
            c,
            error_name(error_code)
        );
        // Upstream schedules this only when there is a callback; the cancellation
        // of pending tasks it carries is worth doing either way.
        schedule_notify(c, Some(completion_task), c"channel_shutdown_complete");
    }
}

/// The channel task that starts shutdown on the loop thread (runs once).
unsafe extern "C" fn shutdown_task_fn(
    _task: *mut aws_channel_task,
    arg: *mut c_void,
    _status: c_int,
) {
    // SAFETY: C passes pointers valid as the upstream header documents; NULL is checked where upstream checks it.
    unsafe {
        let c = arg as *mut Channel;
        if (*c).state >= State::ShuttingDown {
            return;
        }
        (*c).state = State::ShuttingDown;
        let first = (*c).first;
        let (error_code, immediately) = ((*c).shutdown_error, (*c).shutdown_immediately);
        if !first.is_null() && !(*first).handler.is_null() {
            aws_channel_slot_shutdown(first, READ, error_code, immediately);
        } else {
            finish(c, error_code);
        }
    }
}

/// Any thread: starts shutting the channel down with `error_code` as the
/// reason. Only the first request counts; later ones succeed and do nothing.
#[no_mangle]
pub unsafe extern "C" fn aws_channel_shutdown(
    channel: *mut aws_channel,
    error_code: c_int,
) -> c_int {
    // SAFETY: C passes pointers valid as the upstream header documents; NULL is checked where upstream checks it.
    unsafe {
        fatal_precondition!(!channel.is_null(), "aws_channel_shutdown");
        let c = ch(channel);
        {
            let mut cross = lock_cross(c);
            if cross.shutdown_requested {
                return AWS_OP_SUCCESS;
            }
            cross.shutdown_requested = true;
            // Written before the task is published (under the lock) and read only
            // by the task.
            (*c).shutdown_error = error_code;
            (*c).shutdown_immediately = false;
            super::aws_channel_task_init(
                addr_of_mut!((*c).shutdown_task),
                Some(shutdown_task_fn),
                c as *mut c_void,
                c"channel_shutdown".as_ptr(),
            );
        }
        super::aws_channel_schedule_task_now(channel, addr_of_mut!((*c).shutdown_task));
        AWS_OP_SUCCESS
    }
}

/// Loop thread: shuts `slot`'s handler down in `dir`.
#[no_mangle]
pub unsafe extern "C" fn aws_channel_slot_shutdown(
    slot: *mut aws_channel_slot,
    dir: enum_aws_channel_direction,
    err_code: c_int,
    free_scarce_resources_immediately: bool,
) -> c_int {
    // SAFETY: C passes pointers valid as the upstream header documents; NULL is checked where upstream checks it.
    unsafe {
        fatal_precondition!(
            !slot.is_null() && !(*slot).handler.is_null(),
            "aws_channel_slot_shutdown"
        );
        aws_channel_handler_shutdown(
            (*slot).handler,
            slot,
            dir,
            err_code,
            free_scarce_resources_immediately,
        )
    }
}

/// Loop thread: a handler finished shutting down in `dir`; moves the sequence
/// on to the next handler (see the module comment).
#[no_mangle]
pub unsafe extern "C" fn aws_channel_slot_on_handler_shutdown_complete(
    slot: *mut aws_channel_slot,
    dir: enum_aws_channel_direction,
    err_code: c_int,
    free_scarce_resources_immediately: bool,
) -> c_int {
    // SAFETY: C passes pointers valid as the upstream header documents; NULL is checked where upstream checks it.
    unsafe {
        fatal_precondition!(
            !slot.is_null() && !(*slot).channel.is_null(),
            "aws_channel_slot_on_handler_shutdown_complete"
        );
        let c = ch((*slot).channel);
        if (*c).state == State::ShutDown {
            return AWS_OP_SUCCESS;
        }
        if dir == READ {
            let right = (*slot).adj_right;
            if !right.is_null() && !(*right).handler.is_null() {
                return aws_channel_handler_shutdown(
                    (*right).handler,
                    right,
                    READ,
                    err_code,
                    free_scarce_resources_immediately,
                );
            }
            (*c).notify_slot = slot;
            (*c).notify_error = err_code;
            (*c).notify_immediately = free_scarce_resources_immediately;
            schedule_notify(c, Some(write_direction_task), c"channel_shutdown_write");
            return AWS_OP_SUCCESS;
        }
        let left = (*slot).adj_left;
        if !left.is_null() && !(*left).handler.is_null() {
            return aws_channel_handler_shutdown(
                (*left).handler,
                left,
                WRITE,
                err_code,
                free_scarce_resources_immediately,
            );
        }
        if (*c).first == slot {
            finish(c, err_code);
        }
        AWS_OP_SUCCESS
    }
}
