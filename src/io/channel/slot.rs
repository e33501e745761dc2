//! Slots: the links of a channel. Each holds one handler, its read window and
//! the message overhead of the handlers to its left. Loop thread only.
//!
//! Read back-pressure (when enabled): a slot's `window_size` is how many bytes
//! its handler will still accept. Handlers grant more with
//! `aws_channel_slot_increment_read_window`; grants collect in
//! `current_window_update_batch_size` and are applied, right to left, by one
//! window-update task once the scarcest window falls to the channel's
//! threshold. Without back-pressure windows are unlimited (`SIZE_MAX`).
use std::ptr::{addr_of_mut, null_mut};

use libc::{c_int, c_void};

use super::handler::{
    aws_channel_handler_increment_read_window, aws_channel_handler_initial_window_size,
    aws_channel_handler_process_read_message, aws_channel_handler_process_write_message,
    message_overhead,
};
use super::{
    aws_channel_acquire_message_from_pool, aws_channel_shutdown,
    aws_channel_thread_is_callers_thread, ch, destroy_slot, max_fragment_size, Channel, State,
    RUN_READY,
};
use crate::common::abi::*;
use crate::common::allocator::aws_mem_calloc;
use crate::common::error::{last_error, raise};
use crate::common::error_codes::*;
use crate::fatal_precondition;
use crate::io::abi::*;

const READ: c_int = aws_channel_direction::AWS_CHANNEL_DIR_READ as c_int;

/// Recomputes every slot's `upstream_message_overhead` (sum of the overheads
/// of the handlers to its left).
unsafe fn update_overheads(channel: *mut Channel) {
    // SAFETY: this fn's caller guarantees its pointer arguments are valid and used on their owning thread.
    unsafe {
        let mut overhead = 0usize;
        let mut slot = (*channel).first;
        while !slot.is_null() {
            (*slot).upstream_message_overhead = overhead;
            if !(*slot).handler.is_null() {
                overhead = overhead.saturating_add(message_overhead((*slot).handler));
            }
            slot = (*slot).adj_right;
        }
    }
}

/// A new, unlinked slot; the channel's first slot if it has none yet.
#[no_mangle]
pub unsafe extern "C" fn aws_channel_slot_new(channel: *mut aws_channel) -> *mut aws_channel_slot {
    // SAFETY: C passes pointers valid as the upstream header documents; NULL is checked where upstream checks it.
    unsafe {
        fatal_precondition!(!channel.is_null(), "aws_channel_slot_new");
        let c = ch(channel);
        let slot = aws_mem_calloc((*c).alloc, 1, std::mem::size_of::<aws_channel_slot>())
            as *mut aws_channel_slot;
        if slot.is_null() {
            return null_mut();
        }
        (*slot).alloc = (*c).alloc;
        (*slot).channel = channel;
        if (*c).first.is_null() {
            (*c).first = slot;
        }
        slot
    }
}

/// Installs `handler` in `slot` and grants the handler's initial window.
#[no_mangle]
pub unsafe extern "C" fn aws_channel_slot_set_handler(
    slot: *mut aws_channel_slot,
    handler: *mut aws_channel_handler,
) -> c_int {
    // SAFETY: C passes pointers valid as the upstream header documents; NULL is checked where upstream checks it.
    unsafe {
        fatal_precondition!(
            !slot.is_null() && !handler.is_null(),
            "aws_channel_slot_set_handler"
        );
        (*slot).handler = handler;
        (*handler).slot = slot;
        let c = ch((*slot).channel);
        update_overheads(c);
        if !(*c).back_pressure {
            (*slot).window_size = usize::MAX;
        }
        aws_channel_slot_increment_read_window(
            slot,
            aws_channel_handler_initial_window_size(handler),
        )
    }
}

/// Unlinks `slot` and destroys it and its handler.
#[no_mangle]
pub unsafe extern "C" fn aws_channel_slot_remove(slot: *mut aws_channel_slot) -> c_int {
    // SAFETY: C passes pointers valid as the upstream header documents; NULL is checked where upstream checks it.
    unsafe {
        fatal_precondition!(!slot.is_null(), "aws_channel_slot_remove");
        let c = ch((*slot).channel);
        let (left, right) = ((*slot).adj_left, (*slot).adj_right);
        if !right.is_null() {
            (*right).adj_left = left;
        }
        if !left.is_null() {
            (*left).adj_right = right;
        }
        if (*c).first == slot {
            (*c).first = right;
        }
        update_overheads(c);
        destroy_slot(slot);
        AWS_OP_SUCCESS
    }
}

/// Puts `new_slot` where `remove` was; destroys `remove` and its handler.
#[no_mangle]
pub unsafe extern "C" fn aws_channel_slot_replace(
    remove: *mut aws_channel_slot,
    new_slot: *mut aws_channel_slot,
) -> c_int {
    // SAFETY: C passes pointers valid as the upstream header documents; NULL is checked where upstream checks it.
    unsafe {
        fatal_precondition!(
            !remove.is_null() && !new_slot.is_null(),
            "aws_channel_slot_replace"
        );
        let c = ch((*remove).channel);
        (*new_slot).adj_left = (*remove).adj_left;
        (*new_slot).adj_right = (*remove).adj_right;
        if !(*remove).adj_left.is_null() {
            (*(*remove).adj_left).adj_right = new_slot;
        }
        if !(*remove).adj_right.is_null() {
            (*(*remove).adj_right).adj_left = new_slot;
        }
        if (*c).first == remove {
            (*c).first = new_slot;
        }
        update_overheads(c);
        destroy_slot(remove);
        AWS_OP_SUCCESS
    }
}

#[no_mangle]
pub unsafe extern "C" fn aws_channel_slot_insert_right(
    slot: *mut aws_channel_slot,
    to_add: *mut aws_channel_slot,
) -> c_int {
    // SAFETY: C passes pointers valid as the upstream header documents; NULL is checked where upstream checks it.
    unsafe {
        fatal_precondition!(
            !slot.is_null() && !to_add.is_null(),
            "aws_channel_slot_insert_right"
        );
        (*to_add).adj_right = (*slot).adj_right;
        if !(*slot).adj_right.is_null() {
            (*(*slot).adj_right).adj_left = to_add;
        }
        (*slot).adj_right = to_add;
        (*to_add).adj_left = slot;
        update_overheads(ch((*slot).channel));
        AWS_OP_SUCCESS
    }
}

#[no_mangle]
pub unsafe extern "C" fn aws_channel_slot_insert_left(
    slot: *mut aws_channel_slot,
    to_add: *mut aws_channel_slot,
) -> c_int {
    // SAFETY: C passes pointers valid as the upstream header documents; NULL is checked where upstream checks it.
    unsafe {
        fatal_precondition!(
            !slot.is_null() && !to_add.is_null(),
            "aws_channel_slot_insert_left"
        );
        (*to_add).adj_left = (*slot).adj_left;
        if !(*slot).adj_left.is_null() {
            (*(*slot).adj_left).adj_right = to_add;
        }
        (*slot).adj_left = to_add;
        (*to_add).adj_right = slot;
        let c = ch((*slot).channel);
        if (*c).first == slot {
            (*c).first = to_add;
        }
        update_overheads(c);
        AWS_OP_SUCCESS
    }
}

/// Appends `to_add` after the last slot. The channel's first slot (made by
/// `aws_channel_slot_new`) is already in place: inserting it again, or into a
/// channel without slots, is AWS_ERROR_INVALID_STATE.
#[no_mangle]
pub unsafe extern "C" fn aws_channel_slot_insert_end(
    channel: *mut aws_channel,
    to_add: *mut aws_channel_slot,
) -> c_int {
    // SAFETY: C passes pointers valid as the upstream header documents; NULL is checked where upstream checks it.
    unsafe {
        fatal_precondition!(
            !channel.is_null() && !to_add.is_null(),
            "aws_channel_slot_insert_end"
        );
        let first = (*ch(channel)).first;
        if first.is_null() || first == to_add {
            return raise(AWS_ERROR_INVALID_STATE);
        }
        let mut last = first;
        while !(*last).adj_right.is_null() {
            last = (*last).adj_right;
        }
        aws_channel_slot_insert_right(last, to_add)
    }
}

/// Hands `message` to the neighbour in `dir`: reads go right (within the
/// receiver's window), writes go left. On success the receiver owns it; on
/// failure the caller still does.
#[no_mangle]
pub unsafe extern "C" fn aws_channel_slot_send_message(
    slot: *mut aws_channel_slot,
    message: *mut aws_io_message,
    dir: enum_aws_channel_direction,
) -> c_int {
    // SAFETY: C passes pointers valid as the upstream header documents; NULL is checked where upstream checks it.
    unsafe {
        fatal_precondition!(
            !slot.is_null() && !message.is_null(),
            "aws_channel_slot_send_message"
        );
        let c = ch((*slot).channel);
        if dir != READ {
            let left = (*slot).adj_left;
            if left.is_null() || (*left).handler.is_null() {
                return raise(AWS_IO_CHANNEL_ERROR_ERROR_CANT_ACCEPT_INPUT);
            }
            return aws_channel_handler_process_write_message((*left).handler, left, message);
        }
        let right = (*slot).adj_right;
        if right.is_null() || (*right).handler.is_null() {
            return raise(AWS_IO_CHANNEL_ERROR_ERROR_CANT_ACCEPT_INPUT);
        }
        let len = (*message).message_data.len;
        if (*c).back_pressure {
            if (*right).window_size < len {
                return raise(AWS_IO_CHANNEL_READ_WOULD_EXCEED_WINDOW);
            }
            (*right).window_size -= len;
            // The debit may have made `right` the scarcest slot; no grant will
            // come to notice that, so check here.
            schedule_window_update_if_scarce(right);
        }
        aws_channel_handler_process_read_message((*right).handler, right, message)
    }
}

/// The largest application-data message worth writing from `slot`: a full
/// fragment less the overhead the handlers to its left will add.
#[no_mangle]
pub unsafe extern "C" fn aws_channel_slot_acquire_max_message_for_write(
    slot: *mut aws_channel_slot,
) -> *mut aws_io_message {
    // SAFETY: C passes pointers valid as the upstream header documents; NULL is checked where upstream checks it.
    unsafe {
        fatal_precondition!(
            !slot.is_null() && !(*slot).channel.is_null(),
            "aws_channel_slot_acquire_max_message_for_write"
        );
        fatal_precondition!(
            aws_channel_thread_is_callers_thread((*slot).channel),
            "aws_channel_slot_acquire_max_message_for_write"
        );
        let overhead = (*slot).upstream_message_overhead;
        let max = max_fragment_size();
        fatal_precondition!(
            overhead < max,
            "aws_channel_slot_acquire_max_message_for_write"
        );
        aws_channel_acquire_message_from_pool(
            (*slot).channel,
            aws_io_message_type::AWS_IO_MESSAGE_APPLICATION_DATA as c_int,
            max - overhead,
        )
    }
}

// ---- read windows --------------------------------------------------------------------

/// Whether a batched update should go out now: some slot holds a pending grant
/// and the scarcest window is at or below the threshold. The left-most slot is
/// left out: nothing sends it read messages, so its window means nothing.
unsafe fn window_update_needed(slot: *mut aws_channel_slot) -> bool {
    // SAFETY: this fn's caller guarantees its pointer arguments are valid and used on their owning thread.
    unsafe {
        let c = ch((*slot).channel);
        let mut min_window = (*slot).window_size;
        let mut pending = (*slot).current_window_update_batch_size > 0;
        let mut it = (*c).first;
        while !it.is_null() {
            if !(*it).adj_left.is_null() {
                min_window = min_window.min((*it).window_size);
                pending |= (*it).current_window_update_batch_size > 0;
            }
            it = (*it).adj_right;
        }
        pending && min_window <= (*c).window_threshold
    }
}

unsafe fn schedule_window_update_if_scarce(slot: *mut aws_channel_slot) {
    // SAFETY: this fn's caller guarantees its pointer arguments are valid and used on their owning thread.
    unsafe {
        let c = ch((*slot).channel);
        if !(*c).back_pressure || (*c).state >= State::ShutDown {
            return;
        }
        if (*c).window_update_scheduled || !window_update_needed(slot) {
            return;
        }
        (*c).window_update_scheduled = true;
        let task = addr_of_mut!((*c).window_task);
        super::aws_channel_task_init(
            task,
            Some(window_update_task),
            c as *mut c_void,
            c"window update task".as_ptr(),
        );
        super::aws_channel_schedule_task_now(super::as_c(c), task);
    }
}

/// Applies every slot's batched grant, right to left, telling the handler to
/// its left how much more it may send.
unsafe extern "C" fn window_update_task(
    _task: *mut aws_channel_task,
    arg: *mut c_void,
    status: c_int,
) {
    // SAFETY: C passes pointers valid as the upstream header documents; NULL is checked where upstream checks it.
    unsafe {
        let c = arg as *mut Channel;
        (*c).window_update_scheduled = false;
        if status != RUN_READY || (*c).state >= State::ShutDown || (*c).first.is_null() {
            return;
        }
        let mut slot = (*c).first;
        while !(*slot).adj_right.is_null() {
            slot = (*slot).adj_right;
        }
        while !(*slot).adj_left.is_null() {
            let upstream = (*slot).adj_left;
            if !(*upstream).handler.is_null() {
                let grant = (*slot).current_window_update_batch_size;
                (*slot).window_size = (*slot).window_size.saturating_add(grant);
                (*slot).current_window_update_batch_size = 0;
                if aws_channel_handler_increment_read_window((*upstream).handler, upstream, grant)
                    != AWS_OP_SUCCESS
                {
                    aws_channel_shutdown(super::as_c(c), last_error());
                    return;
                }
            }
            slot = upstream;
        }
    }
}

/// Grants `window` more bytes to the handlers left of `slot` (batched; see the
/// module comment). A no-op without back-pressure or once shut down.
#[no_mangle]
pub unsafe extern "C" fn aws_channel_slot_increment_read_window(
    slot: *mut aws_channel_slot,
    window: usize,
) -> c_int {
    // SAFETY: C passes pointers valid as the upstream header documents; NULL is checked where upstream checks it.
    unsafe {
        fatal_precondition!(!slot.is_null(), "aws_channel_slot_increment_read_window");
        let c = ch((*slot).channel);
        if (*c).back_pressure && (*c).state < State::ShutDown {
            (*slot).current_window_update_batch_size = (*slot)
                .current_window_update_batch_size
                .saturating_add(window);
            schedule_window_update_if_scarce(slot);
        }
        AWS_OP_SUCCESS
    }
}

/// How many bytes the slot to the right will accept: SIZE_MAX without
/// back-pressure, 0 with no right neighbour (where upstream asserts).
#[no_mangle]
pub unsafe extern "C" fn aws_channel_slot_downstream_read_window(
    slot: *mut aws_channel_slot,
) -> usize {
    // SAFETY: C passes pointers valid as the upstream header documents; NULL is checked where upstream checks it.
    unsafe {
        fatal_precondition!(!slot.is_null(), "aws_channel_slot_downstream_read_window");
        let c = ch((*slot).channel);
        if !(*c).back_pressure {
            return usize::MAX;
        }
        let right = (*slot).adj_right;
        if right.is_null() {
            0
        } else {
            (*right).window_size
        }
    }
}

#[no_mangle]
pub unsafe extern "C" fn aws_channel_slot_upstream_message_overhead(
    slot: *mut aws_channel_slot,
) -> usize {
    // SAFETY: C passes pointers valid as the upstream header documents; NULL is checked where upstream checks it.
    unsafe {
        fatal_precondition!(
            !slot.is_null(),
            "aws_channel_slot_upstream_message_overhead"
        );
        (*slot).upstream_message_overhead
    }
}
