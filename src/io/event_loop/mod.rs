//! `struct aws_event_loop`: the base every event loop shares, and the public
//! `aws_event_loop_*` functions, which dispatch through the loop's vtable so a
//! loop written in C (built with `aws_event_loop_new_base`) runs our channels
//! exactly as our own loop does.
use libc::{c_int, c_void};

use crate::common::abi::*;
use crate::common::allocator::aws_mem_acquire;
use crate::common::error::raise;
use crate::common::error_codes::AWS_ERROR_INVALID_ARGUMENT;
use crate::common::hash_table::{
    aws_hash_ptr, aws_hash_table_clean_up, aws_hash_table_create, aws_hash_table_find,
    aws_hash_table_init, aws_hash_table_remove, aws_ptr_eq,
};
use crate::fatal_precondition;
use crate::io::abi::*;

pub mod group;
pub mod mio_loop;

/// Calls a vtable entry that upstream asserts is present.
macro_rules! vcall {
    ($loop:expr, $entry:ident $(, $arg:expr)*) => {{
        let el: *mut aws_event_loop = $loop;
        fatal_precondition!(!el.is_null() && !(*el).vtable.is_null(), "aws_event_loop");
        match (*(*el).vtable).$entry {
            Some(f) => f(el $(, $arg)*),
            None => crate::ffi::fatal(concat!("aws_event_loop vtable has no ", stringify!($entry))),
        }
    }};
}

unsafe extern "C" fn local_object_removed(value: *mut c_void) {
    // SAFETY: C passes pointers valid as the upstream header documents; NULL is checked where upstream checks it.
    unsafe {
        let object = value as *mut aws_event_loop_local_object;
        // SAFETY: values of `local_data` are the objects put there by put_local_object.
        if let Some(on_removed) = (*object).on_object_removed {
            on_removed(object);
        }
    }
}

/// Initialises the shared fields of a loop (upstream's `aws_event_loop_init_base`).
///
/// # Safety
/// `event_loop` must point to writable memory for a `struct aws_event_loop`.
pub unsafe fn init_base(
    event_loop: *mut aws_event_loop,
    alloc: *mut aws_allocator,
    clock: aws_io_clock_fn,
) -> c_int {
    // SAFETY: this fn's caller guarantees its pointer arguments are valid and used on their owning thread.
    unsafe {
        std::ptr::write_bytes(event_loop, 0, 1);
        (*event_loop).alloc = alloc;
        (*event_loop).clock = clock;
        aws_hash_table_init(
            &mut (*event_loop).local_data,
            alloc,
            20,
            Some(aws_hash_ptr),
            Some(aws_ptr_eq),
            None,
            Some(local_object_removed),
        )
    }
}

/// For loop implementations written in C that embed `struct aws_event_loop`.
#[no_mangle]
pub unsafe extern "C" fn aws_event_loop_init_base(
    event_loop: *mut aws_event_loop,
    alloc: *mut aws_allocator,
    clock: aws_io_clock_fn,
) -> c_int {
    // SAFETY: C passes pointers valid as the upstream header documents; NULL is checked where upstream checks it.
    unsafe {
        fatal_precondition!(!event_loop.is_null(), "aws_event_loop_init_base");
        init_base(event_loop, alloc, clock)
    }
}

#[no_mangle]
pub unsafe extern "C" fn aws_event_loop_new_base(
    allocator: *mut aws_allocator,
    clock: aws_io_clock_fn,
    vtable: *mut aws_event_loop_vtable,
    r#impl: *mut c_void,
) -> *mut aws_event_loop {
    // SAFETY: C passes pointers valid as the upstream header documents; NULL is checked where upstream checks it.
    unsafe {
        let el = aws_mem_acquire(allocator, std::mem::size_of::<aws_event_loop>())
            as *mut aws_event_loop;
        if el.is_null() {
            return el;
        }
        if init_base(el, allocator, clock) != AWS_OP_SUCCESS {
            crate::common::allocator::aws_mem_release(allocator, el as *mut c_void);
            return std::ptr::null_mut();
        }
        (*el).impl_data = r#impl;
        (*el).vtable = vtable;
        el
    }
}

/// Releases what the base holds (local objects get their removal callback); the
/// loop's memory itself belongs to the implementation.
#[no_mangle]
pub unsafe extern "C" fn aws_event_loop_clean_up_base(event_loop: *mut aws_event_loop) {
    // SAFETY: C passes pointers valid as the upstream header documents; NULL is checked where upstream checks it.
    unsafe {
        fatal_precondition!(!event_loop.is_null(), "aws_event_loop_clean_up_base");
        aws_hash_table_clean_up(&mut (*event_loop).local_data);
    }
}

#[no_mangle]
pub unsafe extern "C" fn aws_event_loop_get_impl(event_loop: *mut aws_event_loop) -> *mut c_void {
    // SAFETY: C passes pointers valid as the upstream header documents; NULL is checked where upstream checks it.
    unsafe {
        fatal_precondition!(!event_loop.is_null(), "aws_event_loop_get_impl");
        (*event_loop).impl_data
    }
}

/// Stops the loop and frees it; must not be called from the loop's own thread.
#[no_mangle]
pub unsafe extern "C" fn aws_event_loop_destroy(event_loop: *mut aws_event_loop) {
    // SAFETY: C passes pointers valid as the upstream header documents; NULL is checked where upstream checks it.
    unsafe {
        if event_loop.is_null() {
            return;
        }
        vcall!(event_loop, start_destroy);
        vcall!(event_loop, complete_destroy);
    }
}

#[no_mangle]
pub unsafe extern "C" fn aws_event_loop_start_destroy(event_loop: *mut aws_event_loop) {
    // SAFETY: C passes pointers valid as the upstream header documents; NULL is checked where upstream checks it.
    unsafe {
        if !event_loop.is_null() {
            vcall!(event_loop, start_destroy);
        }
    }
}

#[no_mangle]
pub unsafe extern "C" fn aws_event_loop_complete_destroy(event_loop: *mut aws_event_loop) {
    // SAFETY: C passes pointers valid as the upstream header documents; NULL is checked where upstream checks it.
    unsafe {
        if !event_loop.is_null() {
            vcall!(event_loop, complete_destroy);
        }
    }
}

#[no_mangle]
pub unsafe extern "C" fn aws_event_loop_run(event_loop: *mut aws_event_loop) -> c_int {
    // SAFETY: C passes pointers valid as the upstream header documents; NULL is checked where upstream checks it.
    unsafe { vcall!(event_loop, run) }
}

#[no_mangle]
pub unsafe extern "C" fn aws_event_loop_stop(event_loop: *mut aws_event_loop) -> c_int {
    // SAFETY: C passes pointers valid as the upstream header documents; NULL is checked where upstream checks it.
    unsafe { vcall!(event_loop, stop) }
}

#[no_mangle]
pub unsafe extern "C" fn aws_event_loop_wait_for_stop_completion(
    event_loop: *mut aws_event_loop,
) -> c_int {
    // SAFETY: C passes pointers valid as the upstream header documents; NULL is checked where upstream checks it.
    unsafe { vcall!(event_loop, wait_for_stop_completion) }
}

/// Thread-safe: from another thread the task is queued for the loop thread.
#[no_mangle]
pub unsafe extern "C" fn aws_event_loop_schedule_task_now(
    event_loop: *mut aws_event_loop,
    task: *mut aws_task,
) {
    // SAFETY: C passes pointers valid as the upstream header documents; NULL is checked where upstream checks it.
    unsafe {
        fatal_precondition!(!task.is_null(), "aws_event_loop_schedule_task_now");
        vcall!(event_loop, schedule_task_now, task)
    }
}

/// Like schedule_task_now, but keeps the order of tasks scheduled from any thread.
#[no_mangle]
pub unsafe extern "C" fn aws_event_loop_schedule_task_now_serialized(
    event_loop: *mut aws_event_loop,
    task: *mut aws_task,
) {
    // SAFETY: C passes pointers valid as the upstream header documents; NULL is checked where upstream checks it.
    unsafe {
        fatal_precondition!(
            !task.is_null(),
            "aws_event_loop_schedule_task_now_serialized"
        );
        vcall!(event_loop, schedule_task_now_serialized, task)
    }
}

#[no_mangle]
pub unsafe extern "C" fn aws_event_loop_schedule_task_future(
    event_loop: *mut aws_event_loop,
    task: *mut aws_task,
    run_at_nanos: u64,
) {
    // SAFETY: C passes pointers valid as the upstream header documents; NULL is checked where upstream checks it.
    unsafe {
        fatal_precondition!(!task.is_null(), "aws_event_loop_schedule_task_future");
        vcall!(event_loop, schedule_task_future, task, run_at_nanos)
    }
}

/// Loop thread only: the task runs at once with AWS_TASK_STATUS_CANCELED.
#[no_mangle]
pub unsafe extern "C" fn aws_event_loop_cancel_task(
    event_loop: *mut aws_event_loop,
    task: *mut aws_task,
) {
    // SAFETY: C passes pointers valid as the upstream header documents; NULL is checked where upstream checks it.
    unsafe {
        fatal_precondition!(!task.is_null(), "aws_event_loop_cancel_task");
        vcall!(event_loop, cancel_task, task)
    }
}

#[no_mangle]
pub unsafe extern "C" fn aws_event_loop_connect_handle_to_io_completion_port(
    event_loop: *mut aws_event_loop,
    handle: *mut aws_io_handle,
) -> c_int {
    // SAFETY: C passes pointers valid as the upstream header documents; NULL is checked where upstream checks it.
    unsafe { vcall!(event_loop, connect_to_io_completion_port, handle) }
}

#[no_mangle]
pub unsafe extern "C" fn aws_event_loop_subscribe_to_io_events(
    event_loop: *mut aws_event_loop,
    handle: *mut aws_io_handle,
    events: c_int,
    on_event: aws_event_loop_on_event_fn,
    user_data: *mut c_void,
) -> c_int {
    // SAFETY: C passes pointers valid as the upstream header documents; NULL is checked where upstream checks it.
    unsafe {
        vcall!(
            event_loop,
            subscribe_to_io_events,
            handle,
            events,
            on_event,
            user_data
        )
    }
}

#[no_mangle]
pub unsafe extern "C" fn aws_event_loop_unsubscribe_from_io_events(
    event_loop: *mut aws_event_loop,
    handle: *mut aws_io_handle,
) -> c_int {
    // SAFETY: C passes pointers valid as the upstream header documents; NULL is checked where upstream checks it.
    unsafe { vcall!(event_loop, unsubscribe_from_io_events, handle) }
}

#[no_mangle]
pub unsafe extern "C" fn aws_event_loop_free_io_event_resources(
    event_loop: *mut aws_event_loop,
    handle: *mut aws_io_handle,
) {
    // SAFETY: C passes pointers valid as the upstream header documents; NULL is checked where upstream checks it.
    unsafe {
        fatal_precondition!(
            !event_loop.is_null() && !handle.is_null(),
            "aws_event_loop_free_io_event_resources"
        );
        if let Some(free) = (*(*event_loop).vtable).free_io_event_resources {
            free((*handle).additional_data);
        }
    }
}

#[no_mangle]
pub unsafe extern "C" fn aws_event_loop_thread_is_callers_thread(
    event_loop: *mut aws_event_loop,
) -> bool {
    // SAFETY: C passes pointers valid as the upstream header documents; NULL is checked where upstream checks it.
    unsafe { vcall!(event_loop, is_on_callers_thread) }
}

#[no_mangle]
pub unsafe extern "C" fn aws_event_loop_current_clock_time(
    event_loop: *const aws_event_loop,
    time_nanos: *mut u64,
) -> c_int {
    // SAFETY: C passes pointers valid as the upstream header documents; NULL is checked where upstream checks it.
    unsafe {
        fatal_precondition!(
            !event_loop.is_null() && !time_nanos.is_null(),
            "aws_event_loop_current_clock_time"
        );
        match (*event_loop).clock {
            Some(clock) => clock(time_nanos),
            None => crate::ffi::fatal("aws_event_loop_current_clock_time: loop has no clock"),
        }
    }
}

// ---- local objects (loop thread only) ---------------------------------------------

#[no_mangle]
pub unsafe extern "C" fn aws_event_loop_fetch_local_object(
    event_loop: *mut aws_event_loop,
    key: *mut c_void,
    obj: *mut aws_event_loop_local_object,
) -> c_int {
    // SAFETY: C passes pointers valid as the upstream header documents; NULL is checked where upstream checks it.
    unsafe {
        fatal_precondition!(
            !event_loop.is_null() && !obj.is_null(),
            "aws_event_loop_fetch_local_object"
        );
        let mut element: *mut aws_hash_element = std::ptr::null_mut();
        if aws_hash_table_find(&(*event_loop).local_data, key, &mut element) == AWS_OP_SUCCESS
            && !element.is_null()
        {
            *obj = std::ptr::read((*element).value as *const aws_event_loop_local_object);
            return AWS_OP_SUCCESS;
        }
        raise(AWS_ERROR_INVALID_ARGUMENT)
    }
}

/// Stores the object pointer itself: it must live until removed.
#[no_mangle]
pub unsafe extern "C" fn aws_event_loop_put_local_object(
    event_loop: *mut aws_event_loop,
    obj: *mut aws_event_loop_local_object,
) -> c_int {
    // SAFETY: C passes pointers valid as the upstream header documents; NULL is checked where upstream checks it.
    unsafe {
        fatal_precondition!(
            !event_loop.is_null() && !obj.is_null(),
            "aws_event_loop_put_local_object"
        );
        let mut element: *mut aws_hash_element = std::ptr::null_mut();
        let mut was_created = 0;
        if aws_hash_table_create(
            &mut (*event_loop).local_data,
            (*obj).key,
            &mut element,
            &mut was_created,
        ) != AWS_OP_SUCCESS
        {
            return AWS_OP_ERR;
        }
        (*element).key = (*obj).key;
        (*element).value = obj as *mut c_void;
        AWS_OP_SUCCESS
    }
}

#[no_mangle]
pub unsafe extern "C" fn aws_event_loop_remove_local_object(
    event_loop: *mut aws_event_loop,
    key: *mut c_void,
    removed_obj: *mut aws_event_loop_local_object,
) -> c_int {
    // SAFETY: C passes pointers valid as the upstream header documents; NULL is checked where upstream checks it.
    unsafe {
        fatal_precondition!(!event_loop.is_null(), "aws_event_loop_remove_local_object");
        let mut existing = aws_hash_element {
            key: std::ptr::null(),
            value: std::ptr::null_mut(),
        };
        let mut was_present = 0;
        let out: *mut aws_hash_element = if removed_obj.is_null() {
            std::ptr::null_mut()
        } else {
            &mut existing
        };
        if aws_hash_table_remove(&mut (*event_loop).local_data, key, out, &mut was_present)
            != AWS_OP_SUCCESS
        {
            return AWS_OP_ERR;
        }
        if !removed_obj.is_null() && was_present != 0 {
            *removed_obj = std::ptr::read(existing.value as *const aws_event_loop_local_object);
        }
        AWS_OP_SUCCESS
    }
}

// ---- load factor ------------------------------------------------------------------

use std::sync::atomic::{AtomicUsize, Ordering};

fn atomic(var: &aws_atomic_var) -> &AtomicUsize {
    // SAFETY: aws_atomic_var is one pointer-sized word, accessed atomically by
    // every user (upstream's inline atomics included).
    unsafe { &*(var as *const aws_atomic_var as *const AtomicUsize) }
}

fn now_ns() -> u64 {
    crate::common::clock::high_res_ns().unwrap_or(0)
}

/// Loop thread: marks the start of a tick of work.
#[no_mangle]
pub unsafe extern "C" fn aws_event_loop_register_tick_start(event_loop: *mut aws_event_loop) {
    // SAFETY: C passes pointers valid as the upstream header documents; NULL is checked where upstream checks it.
    unsafe {
        (*event_loop).latest_tick_start = now_ns();
    }
}

/// Loop thread: adds the tick's duration; publishes the sum once a second.
#[no_mangle]
pub unsafe extern "C" fn aws_event_loop_register_tick_end(event_loop: *mut aws_event_loop) {
    // SAFETY: C passes pointers valid as the upstream header documents; NULL is checked where upstream checks it.
    unsafe {
        let el = &mut *event_loop;
        let end = now_ns();
        let elapsed = end
            .saturating_sub(el.latest_tick_start)
            .min(usize::MAX as u64) as usize;
        el.current_tick_latency_sum = el.current_tick_latency_sum.saturating_add(elapsed);
        el.latest_tick_start = 0;
        let end_secs = (end / 1_000_000_000) as usize;
        if end_secs > atomic(&el.next_flush_time).load(Ordering::Relaxed) {
            atomic(&el.current_load_factor).store(el.current_tick_latency_sum, Ordering::Relaxed);
            el.current_tick_latency_sum = 0;
            atomic(&el.next_flush_time).store(end_secs + 1, Ordering::Relaxed);
        }
    }
}

/// Any thread: nanoseconds of work in the last published second; 0 when the
/// loop has not published for 10 s (idle).
#[no_mangle]
pub unsafe extern "C" fn aws_event_loop_get_load_factor(event_loop: *mut aws_event_loop) -> usize {
    // SAFETY: C passes pointers valid as the upstream header documents; NULL is checked where upstream checks it.
    unsafe {
        let el = &*event_loop;
        let now_secs = (now_ns() / 1_000_000_000) as usize;
        if now_secs
            > atomic(&el.next_flush_time)
                .load(Ordering::Relaxed)
                .saturating_add(10)
        {
            return 0;
        }
        atomic(&el.current_load_factor).load(Ordering::Relaxed)
    }
}
