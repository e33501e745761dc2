//! Channels: a chain of slots, each holding a handler, pinned to one event
//! loop. Read messages travel left to right, writes right to left; shutdown
//! runs the read direction left to right, then the write direction right to
//! left, then reports on the loop thread.
//!
//! `struct aws_channel` is opaque to C, so it is a Rust struct here; slots,
//! handlers, tasks and messages are upstream's C structs (DESIGN §2 rule 4).
//! Everything except the functions documented as thread-safe runs on the
//! channel's loop thread (rule 5).
//!
//! Files: `mod.rs` creation, holds, destruction and small accessors;
//! `task.rs` channel tasks; `slot.rs` slots, messages and windows;
//! `shutdown.rs` the shutdown sequence; `handler.rs` vtable dispatch;
//! `stats.rs` the statistics hook.
use crate::common::ref_count::RefCount;
use std::ptr::{addr_of_mut, null_mut};
use std::sync::Mutex;

use libc::{c_int, c_void};

use crate::common::abi::*;
use crate::common::allocator::{aws_mem_calloc, aws_mem_release, drop_in, new_in};
use crate::common::error::raise;
use crate::common::error_codes::{AWS_ERROR_INVALID_ARGUMENT, AWS_ERROR_INVALID_STATE};
use crate::common::task_scheduler::aws_task_init;
use crate::fatal_precondition;
use crate::io::abi::*;
use crate::io::event_loop::group::{
    aws_event_loop_group_acquire_from_event_loop, aws_event_loop_group_release_from_event_loop,
};
use crate::io::event_loop::*;
use crate::io::message_pool::{
    aws_message_pool_acquire, aws_message_pool_clean_up, aws_message_pool_init,
};

pub mod example_handler;
mod handler;
pub(crate) mod list;
pub mod rust_handler;
mod shutdown;
mod slot;
mod stats;
pub(crate) mod task;

pub use handler::*;
pub use shutdown::*;
pub use slot::*;
pub use stats::*;
pub use task::*;

/// Largest application-data message the channel hands out (upstream: 16 KiB).
/// Writable by C, as upstream's global is.
#[no_mangle]
pub static mut g_aws_channel_max_fragment_size: usize = 16 * 1024;

pub(crate) fn max_fragment_size() -> usize {
    // SAFETY: a plain word read; C only changes it before creating channels.
    unsafe { std::ptr::read_volatile(std::ptr::addr_of!(g_aws_channel_max_fragment_size)) }
}

pub(crate) const RUN_READY: c_int = aws_task_status::AWS_TASK_STATUS_RUN_READY as c_int;
pub(crate) const CANCELED: c_int = aws_task_status::AWS_TASK_STATUS_CANCELED as c_int;

/// The event-loop local-storage key of the per-loop message pool (its address).
static MESSAGE_POOL_KEY: u8 = 0;

#[derive(Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Debug)]
pub(crate) enum State {
    SettingUp,
    Active,
    ShuttingDown,
    ShutDown,
}

/// What other threads may touch, under the channel's lock.
pub(crate) struct CrossThread {
    /// Channel tasks scheduled from other threads, not yet on the loop.
    pub list: aws_linked_list,
    /// Set once a shutdown has been requested: later requests are ignored.
    pub shutdown_requested: bool,
    /// Set when shutdown completes: later cross-thread tasks run cancelled.
    pub is_shut_down: bool,
}

pub struct Channel {
    pub(crate) alloc: *mut aws_allocator,
    pub(crate) event_loop: *mut aws_event_loop,
    pub(crate) first: *mut aws_channel_slot,
    pub(crate) msg_pool: *mut aws_message_pool,
    pub(crate) state: State,
    pub(crate) refcount: RefCount,
    pub(crate) deletion_task: aws_task,

    pub(crate) on_shutdown_completed: aws_channel_on_shutdown_completed_fn,
    pub(crate) shutdown_user_data: *mut c_void,
    /// One task reused for "start the write direction" and "report completion".
    pub(crate) notify_task: aws_task,
    pub(crate) notify_error: c_int,
    pub(crate) notify_slot: *mut aws_channel_slot,
    pub(crate) notify_immediately: bool,
    pub(crate) shutdown_task: aws_channel_task,
    pub(crate) shutdown_error: c_int,
    pub(crate) shutdown_immediately: bool,

    /// Channel tasks handed to the loop and not yet run (linked by `node`).
    pub(crate) thread_tasks: aws_linked_list,
    pub(crate) cross: Mutex<CrossThread>,
    pub(crate) cross_scheduling_task: aws_task,

    pub(crate) back_pressure: bool,
    pub(crate) window_threshold: usize,
    pub(crate) window_task: aws_channel_task,
    pub(crate) window_update_scheduled: bool,

    pub(crate) stats_handler: *mut aws_crt_statistics_handler,
    pub(crate) stats_task: aws_task,
    pub(crate) stats_task_pending: bool,
    pub(crate) stats_start_ms: u64,
    pub(crate) stats_list: aws_array_list,
}

/// The Rust view of a C `struct aws_channel *`.
#[inline]
pub(crate) fn ch(channel: *mut aws_channel) -> *mut Channel {
    channel as *mut Channel
}

#[inline]
pub(crate) fn as_c(channel: *mut Channel) -> *mut aws_channel {
    channel as *mut aws_channel
}

/// Heap block carrying the setup callback until the setup task runs.
struct SetupArgs {
    alloc: *mut aws_allocator,
    channel: *mut Channel,
    on_setup_completed: aws_channel_on_setup_completed_fn,
    user_data: *mut c_void,
    task: aws_task,
}

// ---- event-loop group pinning ---------------------------------------------------

/// Keeps the loop's group (if any) alive while the channel exists, as upstream.
unsafe fn pin_group(event_loop: *mut aws_event_loop) {
    // SAFETY: this fn's caller guarantees its pointer arguments are valid and used on their owning thread.
    unsafe {
        aws_event_loop_group_acquire_from_event_loop(event_loop);
    }
}

unsafe fn unpin_group(event_loop: *mut aws_event_loop) {
    // SAFETY: this fn's caller guarantees its pointer arguments are valid and used on their owning thread.
    unsafe {
        aws_event_loop_group_release_from_event_loop(event_loop);
    }
}

// ---- message pool in loop-local storage -------------------------------------------

unsafe extern "C" fn on_pool_removed(object: *mut aws_event_loop_local_object) {
    // SAFETY: C passes pointers valid as the upstream header documents; NULL is checked where upstream checks it.
    unsafe {
        let pool = (*object).object as *mut aws_message_pool;
        let alloc = (*pool).alloc;
        aws_message_pool_clean_up(pool);
        aws_mem_release(alloc, pool as *mut c_void);
        aws_mem_release(alloc, object as *mut c_void);
    }
}

/// The loop's shared message pool, created on first use (loop thread).
unsafe fn loop_message_pool(
    event_loop: *mut aws_event_loop,
    alloc: *mut aws_allocator,
) -> *mut aws_message_pool {
    // SAFETY: this fn's caller guarantees its pointer arguments are valid and used on their owning thread.
    unsafe {
        let key = &MESSAGE_POOL_KEY as *const u8 as *mut c_void;
        let mut existing: aws_event_loop_local_object = std::mem::zeroed();
        if aws_event_loop_fetch_local_object(event_loop, key, &mut existing) == AWS_OP_SUCCESS {
            return existing.object as *mut aws_message_pool;
        }
        let object = aws_mem_calloc(alloc, 1, std::mem::size_of::<aws_event_loop_local_object>())
            as *mut aws_event_loop_local_object;
        if object.is_null() {
            return null_mut();
        }
        let pool = aws_mem_calloc(alloc, 1, std::mem::size_of::<aws_message_pool>())
            as *mut aws_message_pool;
        if pool.is_null() {
            aws_mem_release(alloc, object as *mut c_void);
            return null_mut();
        }
        // Upstream's sizing: four full fragments and four 128-byte blocks kept warm.
        let mut args = aws_message_pool_creation_args {
            application_data_msg_data_size: max_fragment_size(),
            application_data_msg_count: 4,
            small_block_msg_data_size: 128,
            small_block_msg_count: 4,
        };
        if aws_message_pool_init(pool, alloc, &mut args) != AWS_OP_SUCCESS {
            aws_mem_release(alloc, pool as *mut c_void);
            aws_mem_release(alloc, object as *mut c_void);
            return null_mut();
        }
        (*object).key = key;
        (*object).object = pool as *mut c_void;
        (*object).on_object_removed = Some(on_pool_removed);
        if aws_event_loop_put_local_object(event_loop, object) != AWS_OP_SUCCESS {
            aws_message_pool_clean_up(pool);
            aws_mem_release(alloc, pool as *mut c_void);
            aws_mem_release(alloc, object as *mut c_void);
            return null_mut();
        }
        pool
    }
}

// ---- creation -----------------------------------------------------------------------

unsafe extern "C" fn setup_task_fn(_task: *mut aws_task, arg: *mut c_void, status: c_int) {
    // SAFETY: C passes pointers valid as the upstream header documents; NULL is checked where upstream checks it.
    unsafe {
        let args = arg as *mut SetupArgs;
        let channel = (*args).channel;
        let mut error_code = AWS_OP_ERR;
        if status == RUN_READY {
            let pool = loop_message_pool((*channel).event_loop, (*args).alloc);
            if !pool.is_null() {
                (*channel).msg_pool = pool;
                (*channel).state = State::Active;
                error_code = AWS_OP_SUCCESS;
            }
        }
        crate::aws_log!(
            aws_log_level::AWS_LL_DEBUG,
            aws_io_log_subject::AWS_LS_IO_CHANNEL,
            "id={:p}: setup complete (error {}), notifying caller.",
            channel,
            error_code
        );
        // Upstream reports a failed setup with AWS_OP_ERR as the error code.
        if let Some(cb) = (*args).on_setup_completed {
            cb(as_c(channel), error_code, (*args).user_data);
        }
        let alloc = (*args).alloc;
        drop_in(alloc, args);
        aws_channel_release_hold(as_c(channel));
    }
}

/// Creates a channel on `creation_args->event_loop`. Setup completes
/// asynchronously: `on_setup_completed` runs on the loop thread.
#[no_mangle]
pub unsafe extern "C" fn aws_channel_new(
    alloc: *mut aws_allocator,
    creation_args: *const aws_channel_options,
) -> *mut aws_channel {
    // SAFETY: C passes pointers valid as the upstream header documents; NULL is checked where upstream checks it.
    unsafe {
        fatal_precondition!(
            !alloc.is_null()
                && !creation_args.is_null()
                && !(*creation_args).event_loop.is_null()
                && (*creation_args).on_setup_completed.is_some(),
            "aws_channel_new"
        );
        let opts = &*creation_args;
        let value = Channel {
            alloc,
            event_loop: opts.event_loop,
            first: null_mut(),
            msg_pool: null_mut(),
            state: State::SettingUp,
            // One reference for the creator (dropped by aws_channel_destroy), one
            // for the pending setup task.
            refcount: RefCount::new(2),
            deletion_task: std::mem::zeroed(),
            on_shutdown_completed: opts.on_shutdown_completed,
            shutdown_user_data: opts.shutdown_user_data,
            notify_task: std::mem::zeroed(),
            notify_error: 0,
            notify_slot: null_mut(),
            notify_immediately: false,
            shutdown_task: std::mem::zeroed(),
            shutdown_error: 0,
            shutdown_immediately: false,
            thread_tasks: std::mem::zeroed(),
            cross: Mutex::new(CrossThread {
                list: std::mem::zeroed(),
                shutdown_requested: false,
                is_shut_down: false,
            }),
            cross_scheduling_task: std::mem::zeroed(),
            back_pressure: opts.enable_read_back_pressure,
            // Upstream's batching threshold: four full fragments.
            window_threshold: if opts.enable_read_back_pressure {
                max_fragment_size().saturating_mul(4)
            } else {
                0
            },
            window_task: std::mem::zeroed(),
            window_update_scheduled: false,
            stats_handler: null_mut(),
            stats_task: std::mem::zeroed(),
            stats_task_pending: false,
            stats_start_ms: 0,
            stats_list: aws_array_list {
                alloc,
                current_size: 0,
                length: 0,
                item_size: std::mem::size_of::<*mut c_void>(),
                data: null_mut(),
            },
        };
        let channel = new_in(alloc, value);
        if channel.is_null() {
            return null_mut();
        }
        // The lists are self-referential: initialise them at their final address.
        list::init(addr_of_mut!((*channel).thread_tasks));
        {
            let mut cross = lock_cross(channel);
            list::init(addr_of_mut!(cross.list));
        }
        aws_task_init(
            addr_of_mut!((*channel).cross_scheduling_task),
            Some(task::run_cross_thread_tasks),
            channel as *mut c_void,
            c"schedule_cross_thread_tasks".as_ptr(),
        );
        let args = new_in(
            alloc,
            SetupArgs {
                alloc,
                channel,
                on_setup_completed: opts.on_setup_completed,
                user_data: opts.setup_user_data,
                task: std::mem::zeroed(),
            },
        );
        if args.is_null() {
            drop_in(alloc, channel);
            return null_mut();
        }
        crate::aws_log!(
            aws_log_level::AWS_LL_DEBUG,
            aws_io_log_subject::AWS_LS_IO_CHANNEL,
            "id={:p}: beginning creation and setup of new channel.",
            channel
        );
        pin_group(opts.event_loop);
        aws_task_init(
            addr_of_mut!((*args).task),
            Some(setup_task_fn),
            args as *mut c_void,
            c"on_channel_setup_complete".as_ptr(),
        );
        aws_event_loop_schedule_task_now(opts.event_loop, addr_of_mut!((*args).task));
        as_c(channel)
    }
}

pub(crate) unsafe fn lock_cross<'a>(
    channel: *mut Channel,
) -> std::sync::MutexGuard<'a, CrossThread> {
    // SAFETY: this fn's caller guarantees its pointer arguments are valid and used on their owning thread.
    unsafe {
        // SAFETY: the channel outlives every caller's use of the guard; a poisoned
        // lock cannot happen (panics abort at the C boundary) but is tolerated.
        let m: &'a Mutex<CrossThread> = &*addr_of_mut!((*channel).cross);
        m.lock().unwrap_or_else(|e| e.into_inner())
    }
}

// ---- holds and destruction ---------------------------------------------------------

unsafe fn destroy_slot(slot: *mut aws_channel_slot) {
    // SAFETY: this fn's caller guarantees its pointer arguments are valid and used on their owning thread.
    unsafe {
        if slot.is_null() {
            return;
        }
        if !(*slot).handler.is_null() {
            aws_channel_handler_destroy((*slot).handler);
        }
        aws_mem_release((*slot).alloc, slot as *mut c_void);
    }
}

/// Frees the channel, its slots and handlers (loop thread, refcount zero).
unsafe fn final_deletion(channel: *mut Channel) {
    // SAFETY: this fn's caller guarantees its pointer arguments are valid and used on their owning thread.
    unsafe {
        // Safety net beyond upstream: tasks still pending on a channel that is
        // going away run cancelled now rather than later against freed memory
        // (and any they schedule meanwhile run cancelled at once).
        (*channel).state = State::ShutDown;
        lock_cross(channel).is_shut_down = true;
        task::cancel_pending(channel);

        let mut slot = (*channel).first;
        (*channel).first = null_mut();
        while !slot.is_null() {
            let next = (*slot).adj_right;
            destroy_slot(slot);
            slot = next;
        }
        stats::remove_handler(channel);
        let list = addr_of_mut!((*channel).stats_list);
        if !(*list).data.is_null() {
            aws_mem_release((*list).alloc, (*list).data);
        }
        let event_loop = (*channel).event_loop;
        drop_in((*channel).alloc, channel);
        unpin_group(event_loop);
    }
}

unsafe extern "C" fn deletion_task_fn(_task: *mut aws_task, arg: *mut c_void, _status: c_int) {
    // SAFETY: C passes pointers valid as the upstream header documents; NULL is checked where upstream checks it.
    unsafe {
        final_deletion(arg as *mut Channel);
    }
}

/// Marks the channel for destruction; memory goes when the last hold drops.
/// Any thread, once shutdown has completed.
#[no_mangle]
pub unsafe extern "C" fn aws_channel_destroy(channel: *mut aws_channel) {
    // SAFETY: C passes pointers valid as the upstream header documents; NULL is checked where upstream checks it.
    unsafe {
        if channel.is_null() {
            return;
        }
        crate::aws_log!(
            aws_log_level::AWS_LL_DEBUG,
            aws_io_log_subject::AWS_LS_IO_CHANNEL,
            "id={:p}: destroying channel.",
            channel
        );
        aws_channel_release_hold(channel);
    }
}

/// Any thread: keeps the channel's memory alive until the matching release.
#[no_mangle]
pub unsafe extern "C" fn aws_channel_acquire_hold(channel: *mut aws_channel) {
    // SAFETY: C passes pointers valid as the upstream header documents; NULL is checked where upstream checks it.
    unsafe {
        fatal_precondition!(!channel.is_null(), "aws_channel_acquire_hold");
        (*ch(channel)).refcount.acquire("aws_channel_acquire_hold");
    }
}

/// Any thread: drops a hold; the last one frees the channel on its loop thread.
#[no_mangle]
pub unsafe extern "C" fn aws_channel_release_hold(channel: *mut aws_channel) {
    // SAFETY: C passes pointers valid as the upstream header documents; NULL is checked where upstream checks it.
    unsafe {
        fatal_precondition!(!channel.is_null(), "aws_channel_release_hold");
        let c = ch(channel);
        if !(*c).refcount.release("aws_channel_release_hold") {
            return;
        }
        if aws_event_loop_thread_is_callers_thread((*c).event_loop) {
            final_deletion(c);
        } else {
            let task = addr_of_mut!((*c).deletion_task);
            aws_task_init(
                task,
                Some(deletion_task_fn),
                c as *mut c_void,
                c"final_channel_deletion".as_ptr(),
            );
            aws_event_loop_schedule_task_now((*c).event_loop, task);
        }
    }
}

// ---- accessors ---------------------------------------------------------------------

#[no_mangle]
pub unsafe extern "C" fn aws_channel_get_event_loop(
    channel: *mut aws_channel,
) -> *mut aws_event_loop {
    // SAFETY: C passes pointers valid as the upstream header documents; NULL is checked where upstream checks it.
    unsafe {
        fatal_precondition!(!channel.is_null(), "aws_channel_get_event_loop");
        (*ch(channel)).event_loop
    }
}

#[no_mangle]
pub unsafe extern "C" fn aws_channel_get_first_slot(
    channel: *mut aws_channel,
) -> *mut aws_channel_slot {
    // SAFETY: C passes pointers valid as the upstream header documents; NULL is checked where upstream checks it.
    unsafe {
        fatal_precondition!(!channel.is_null(), "aws_channel_get_first_slot");
        (*ch(channel)).first
    }
}

/// Any thread: whether the caller is on the channel's loop thread.
#[no_mangle]
pub unsafe extern "C" fn aws_channel_thread_is_callers_thread(channel: *mut aws_channel) -> bool {
    // SAFETY: C passes pointers valid as the upstream header documents; NULL is checked where upstream checks it.
    unsafe {
        fatal_precondition!(!channel.is_null(), "aws_channel_thread_is_callers_thread");
        aws_event_loop_thread_is_callers_thread((*ch(channel)).event_loop)
    }
}

#[no_mangle]
pub unsafe extern "C" fn aws_channel_current_clock_time(
    channel: *mut aws_channel,
    time_nanos: *mut u64,
) -> c_int {
    // SAFETY: C passes pointers valid as the upstream header documents; NULL is checked where upstream checks it.
    unsafe {
        fatal_precondition!(!channel.is_null(), "aws_channel_current_clock_time");
        aws_event_loop_current_clock_time((*ch(channel)).event_loop, time_nanos)
    }
}

#[no_mangle]
pub unsafe extern "C" fn aws_channel_fetch_local_object(
    channel: *mut aws_channel,
    key: *const c_void,
    obj: *mut aws_event_loop_local_object,
) -> c_int {
    // SAFETY: C passes pointers valid as the upstream header documents; NULL is checked where upstream checks it.
    unsafe {
        fatal_precondition!(!channel.is_null(), "aws_channel_fetch_local_object");
        aws_event_loop_fetch_local_object((*ch(channel)).event_loop, key as *mut c_void, obj)
    }
}

/// Stores `obj` itself (not a copy); `key` is ignored in favour of `obj->key`,
/// as upstream does.
#[no_mangle]
pub unsafe extern "C" fn aws_channel_put_local_object(
    channel: *mut aws_channel,
    _key: *const c_void,
    obj: *const aws_event_loop_local_object,
) -> c_int {
    // SAFETY: C passes pointers valid as the upstream header documents; NULL is checked where upstream checks it.
    unsafe {
        fatal_precondition!(!channel.is_null(), "aws_channel_put_local_object");
        aws_event_loop_put_local_object(
            (*ch(channel)).event_loop,
            obj as *mut aws_event_loop_local_object,
        )
    }
}

#[no_mangle]
pub unsafe extern "C" fn aws_channel_remove_local_object(
    channel: *mut aws_channel,
    key: *const c_void,
    removed_obj: *mut aws_event_loop_local_object,
) -> c_int {
    // SAFETY: C passes pointers valid as the upstream header documents; NULL is checked where upstream checks it.
    unsafe {
        fatal_precondition!(!channel.is_null(), "aws_channel_remove_local_object");
        aws_event_loop_remove_local_object(
            (*ch(channel)).event_loop,
            key as *mut c_void,
            removed_obj,
        )
    }
}

/// Loop thread, after setup: a message from the loop's pool; never NULL.
/// Release it with `aws_mem_release(message->allocator, message)`.
#[no_mangle]
pub unsafe extern "C" fn aws_channel_acquire_message_from_pool(
    channel: *mut aws_channel,
    message_type: enum_aws_io_message_type,
    size_hint: usize,
) -> *mut aws_io_message {
    // SAFETY: C passes pointers valid as the upstream header documents; NULL is checked where upstream checks it.
    unsafe {
        fatal_precondition!(
            !channel.is_null() && !(*ch(channel)).msg_pool.is_null(),
            "aws_channel_acquire_message_from_pool"
        );
        let message = aws_message_pool_acquire((*ch(channel)).msg_pool, message_type, size_hint);
        if !message.is_null() {
            (*message).owning_channel = channel;
        }
        message
    }
}

/// Loop thread: asks the left-most handler (the data source) to read.
#[no_mangle]
pub unsafe extern "C" fn aws_channel_trigger_read(channel: *mut aws_channel) -> c_int {
    // SAFETY: C passes pointers valid as the upstream header documents; NULL is checked where upstream checks it.
    unsafe {
        if channel.is_null() {
            return raise(AWS_ERROR_INVALID_ARGUMENT);
        }
        if !aws_channel_thread_is_callers_thread(channel) {
            return raise(AWS_ERROR_INVALID_STATE);
        }
        let first = (*ch(channel)).first;
        if first.is_null() || (*first).handler.is_null() {
            return raise(AWS_ERROR_INVALID_STATE);
        }
        let handler = (*first).handler;
        if !(*handler).vtable.is_null() {
            if let Some(trigger) = (*(*handler).vtable).trigger_read {
                trigger(handler);
            }
        }
        AWS_OP_SUCCESS
    }
}
