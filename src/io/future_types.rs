//! The typed futures upstream's libaws-c-io exports (`aws_future_void`,
//! `aws_future_bool`, `aws_future_size`): each a by-value `aws_future_impl`
//! under its own opaque type, as future.h's AWS_FUTURE_T_BY_VALUE macros make them.
use libc::{c_int, c_void};

use crate::common::abi::*;
use crate::io::abi::*;
use crate::io::future::*;

// ---- aws_future_void ----

#[no_mangle]
pub unsafe extern "C" fn aws_future_void_new(alloc: *mut aws_allocator) -> *mut aws_future_void {
    // SAFETY: C passes a valid allocator.
    unsafe { aws_future_impl_new_by_value(alloc, 0) as *mut aws_future_void }
}

#[no_mangle]
pub unsafe extern "C" fn aws_future_void_acquire(
    future: *mut aws_future_void,
) -> *mut aws_future_void {
    // SAFETY: C passes a live future or NULL.
    unsafe { aws_future_impl_acquire(future as *mut aws_future_impl) as *mut aws_future_void }
}

#[no_mangle]
pub unsafe extern "C" fn aws_future_void_release(
    future: *mut aws_future_void,
) -> *mut aws_future_void {
    // SAFETY: C passes a live future or NULL.
    unsafe { aws_future_impl_release(future as *mut aws_future_impl) as *mut aws_future_void }
}

#[no_mangle]
pub unsafe extern "C" fn aws_future_void_set_error(
    future: *mut aws_future_void,
    error_code: c_int,
) {
    // SAFETY: C passes a live future.
    unsafe { aws_future_impl_set_error(future as *mut aws_future_impl, error_code) }
}

#[no_mangle]
pub unsafe extern "C" fn aws_future_void_set_result(future: *mut aws_future_void) {
    // SAFETY: C passes a live future; a void result has no bytes.
    unsafe {
        aws_future_impl_set_result_by_move(future as *mut aws_future_impl, std::ptr::null_mut())
    }
}

#[no_mangle]
pub unsafe extern "C" fn aws_future_void_is_done(future: *const aws_future_void) -> bool {
    // SAFETY: C passes a live future.
    unsafe { aws_future_impl_is_done(future as *const aws_future_impl) }
}

#[no_mangle]
pub unsafe extern "C" fn aws_future_void_get_error(future: *const aws_future_void) -> c_int {
    // SAFETY: C passes a live future.
    unsafe { aws_future_impl_get_error(future as *const aws_future_impl) }
}

#[no_mangle]
pub unsafe extern "C" fn aws_future_void_register_callback(
    future: *mut aws_future_void,
    on_done: aws_future_callback_fn,
    user_data: *mut c_void,
) {
    // SAFETY: C passes a live future.
    unsafe { aws_future_impl_register_callback(future as *mut aws_future_impl, on_done, user_data) }
}

#[no_mangle]
pub unsafe extern "C" fn aws_future_void_register_callback_if_not_done(
    future: *mut aws_future_void,
    on_done: aws_future_callback_fn,
    user_data: *mut c_void,
) -> bool {
    // SAFETY: C passes a live future.
    unsafe {
        aws_future_impl_register_callback_if_not_done(
            future as *mut aws_future_impl,
            on_done,
            user_data,
        )
    }
}

#[no_mangle]
pub unsafe extern "C" fn aws_future_void_register_event_loop_callback(
    future: *mut aws_future_void,
    event_loop: *mut aws_event_loop,
    on_done: aws_future_callback_fn,
    user_data: *mut c_void,
) {
    // SAFETY: C passes a live future and loop.
    unsafe {
        aws_future_impl_register_event_loop_callback(
            future as *mut aws_future_impl,
            event_loop,
            on_done,
            user_data,
        )
    }
}

#[no_mangle]
pub unsafe extern "C" fn aws_future_void_register_channel_callback(
    future: *mut aws_future_void,
    channel: *mut aws_channel,
    on_done: aws_future_callback_fn,
    user_data: *mut c_void,
) {
    // SAFETY: C passes a live future and channel.
    unsafe {
        aws_future_impl_register_channel_callback(
            future as *mut aws_future_impl,
            channel,
            on_done,
            user_data,
        )
    }
}

#[no_mangle]
pub unsafe extern "C" fn aws_future_void_wait(
    future: *mut aws_future_void,
    timeout_ns: u64,
) -> bool {
    // SAFETY: C passes a live future.
    unsafe { aws_future_impl_wait(future as *const aws_future_impl, timeout_ns) }
}

// ---- aws_future_bool ----

#[no_mangle]
pub unsafe extern "C" fn aws_future_bool_new(alloc: *mut aws_allocator) -> *mut aws_future_bool {
    // SAFETY: C passes a valid allocator.
    unsafe { aws_future_impl_new_by_value(alloc, size_of::<bool>()) as *mut aws_future_bool }
}

#[no_mangle]
pub unsafe extern "C" fn aws_future_bool_acquire(
    future: *mut aws_future_bool,
) -> *mut aws_future_bool {
    // SAFETY: C passes a live future or NULL.
    unsafe { aws_future_impl_acquire(future as *mut aws_future_impl) as *mut aws_future_bool }
}

#[no_mangle]
pub unsafe extern "C" fn aws_future_bool_release(
    future: *mut aws_future_bool,
) -> *mut aws_future_bool {
    // SAFETY: C passes a live future or NULL.
    unsafe { aws_future_impl_release(future as *mut aws_future_impl) as *mut aws_future_bool }
}

#[no_mangle]
pub unsafe extern "C" fn aws_future_bool_set_error(
    future: *mut aws_future_bool,
    error_code: c_int,
) {
    // SAFETY: C passes a live future.
    unsafe { aws_future_impl_set_error(future as *mut aws_future_impl, error_code) }
}

#[no_mangle]
pub unsafe extern "C" fn aws_future_bool_set_result(future: *mut aws_future_bool, result: bool) {
    let mut result = result;
    // SAFETY: C passes a live future; `result` is a value of its size.
    unsafe {
        aws_future_impl_set_result_by_move(
            future as *mut aws_future_impl,
            &mut result as *mut bool as *mut c_void,
        )
    }
}

/// Fatal unless the future completed without error.
#[no_mangle]
pub unsafe extern "C" fn aws_future_bool_get_result(future: *const aws_future_bool) -> bool {
    // SAFETY: C passes a live future; its result slot holds a bool.
    unsafe {
        *(aws_future_impl_get_result_address(future as *const aws_future_impl) as *const bool)
    }
}

#[no_mangle]
pub unsafe extern "C" fn aws_future_bool_is_done(future: *const aws_future_bool) -> bool {
    // SAFETY: C passes a live future.
    unsafe { aws_future_impl_is_done(future as *const aws_future_impl) }
}

#[no_mangle]
pub unsafe extern "C" fn aws_future_bool_get_error(future: *const aws_future_bool) -> c_int {
    // SAFETY: C passes a live future.
    unsafe { aws_future_impl_get_error(future as *const aws_future_impl) }
}

#[no_mangle]
pub unsafe extern "C" fn aws_future_bool_register_callback(
    future: *mut aws_future_bool,
    on_done: aws_future_callback_fn,
    user_data: *mut c_void,
) {
    // SAFETY: C passes a live future.
    unsafe { aws_future_impl_register_callback(future as *mut aws_future_impl, on_done, user_data) }
}

#[no_mangle]
pub unsafe extern "C" fn aws_future_bool_register_callback_if_not_done(
    future: *mut aws_future_bool,
    on_done: aws_future_callback_fn,
    user_data: *mut c_void,
) -> bool {
    // SAFETY: C passes a live future.
    unsafe {
        aws_future_impl_register_callback_if_not_done(
            future as *mut aws_future_impl,
            on_done,
            user_data,
        )
    }
}

#[no_mangle]
pub unsafe extern "C" fn aws_future_bool_register_event_loop_callback(
    future: *mut aws_future_bool,
    event_loop: *mut aws_event_loop,
    on_done: aws_future_callback_fn,
    user_data: *mut c_void,
) {
    // SAFETY: C passes a live future and loop.
    unsafe {
        aws_future_impl_register_event_loop_callback(
            future as *mut aws_future_impl,
            event_loop,
            on_done,
            user_data,
        )
    }
}

#[no_mangle]
pub unsafe extern "C" fn aws_future_bool_register_channel_callback(
    future: *mut aws_future_bool,
    channel: *mut aws_channel,
    on_done: aws_future_callback_fn,
    user_data: *mut c_void,
) {
    // SAFETY: C passes a live future and channel.
    unsafe {
        aws_future_impl_register_channel_callback(
            future as *mut aws_future_impl,
            channel,
            on_done,
            user_data,
        )
    }
}

#[no_mangle]
pub unsafe extern "C" fn aws_future_bool_wait(
    future: *mut aws_future_bool,
    timeout_ns: u64,
) -> bool {
    // SAFETY: C passes a live future.
    unsafe { aws_future_impl_wait(future as *const aws_future_impl, timeout_ns) }
}

// ---- aws_future_size ----

#[no_mangle]
pub unsafe extern "C" fn aws_future_size_new(alloc: *mut aws_allocator) -> *mut aws_future_size {
    // SAFETY: C passes a valid allocator.
    unsafe { aws_future_impl_new_by_value(alloc, size_of::<usize>()) as *mut aws_future_size }
}

#[no_mangle]
pub unsafe extern "C" fn aws_future_size_acquire(
    future: *mut aws_future_size,
) -> *mut aws_future_size {
    // SAFETY: C passes a live future or NULL.
    unsafe { aws_future_impl_acquire(future as *mut aws_future_impl) as *mut aws_future_size }
}

#[no_mangle]
pub unsafe extern "C" fn aws_future_size_release(
    future: *mut aws_future_size,
) -> *mut aws_future_size {
    // SAFETY: C passes a live future or NULL.
    unsafe { aws_future_impl_release(future as *mut aws_future_impl) as *mut aws_future_size }
}

#[no_mangle]
pub unsafe extern "C" fn aws_future_size_set_error(
    future: *mut aws_future_size,
    error_code: c_int,
) {
    // SAFETY: C passes a live future.
    unsafe { aws_future_impl_set_error(future as *mut aws_future_impl, error_code) }
}

#[no_mangle]
pub unsafe extern "C" fn aws_future_size_set_result(future: *mut aws_future_size, result: usize) {
    let mut result = result;
    // SAFETY: C passes a live future; `result` is a value of its size.
    unsafe {
        aws_future_impl_set_result_by_move(
            future as *mut aws_future_impl,
            &mut result as *mut usize as *mut c_void,
        )
    }
}

/// Fatal unless the future completed without error.
#[no_mangle]
pub unsafe extern "C" fn aws_future_size_get_result(future: *const aws_future_size) -> usize {
    // SAFETY: C passes a live future; its result slot holds a usize.
    unsafe {
        *(aws_future_impl_get_result_address(future as *const aws_future_impl) as *const usize)
    }
}

#[no_mangle]
pub unsafe extern "C" fn aws_future_size_is_done(future: *const aws_future_size) -> bool {
    // SAFETY: C passes a live future.
    unsafe { aws_future_impl_is_done(future as *const aws_future_impl) }
}

#[no_mangle]
pub unsafe extern "C" fn aws_future_size_get_error(future: *const aws_future_size) -> c_int {
    // SAFETY: C passes a live future.
    unsafe { aws_future_impl_get_error(future as *const aws_future_impl) }
}

#[no_mangle]
pub unsafe extern "C" fn aws_future_size_register_callback(
    future: *mut aws_future_size,
    on_done: aws_future_callback_fn,
    user_data: *mut c_void,
) {
    // SAFETY: C passes a live future.
    unsafe { aws_future_impl_register_callback(future as *mut aws_future_impl, on_done, user_data) }
}

#[no_mangle]
pub unsafe extern "C" fn aws_future_size_register_callback_if_not_done(
    future: *mut aws_future_size,
    on_done: aws_future_callback_fn,
    user_data: *mut c_void,
) -> bool {
    // SAFETY: C passes a live future.
    unsafe {
        aws_future_impl_register_callback_if_not_done(
            future as *mut aws_future_impl,
            on_done,
            user_data,
        )
    }
}

#[no_mangle]
pub unsafe extern "C" fn aws_future_size_register_event_loop_callback(
    future: *mut aws_future_size,
    event_loop: *mut aws_event_loop,
    on_done: aws_future_callback_fn,
    user_data: *mut c_void,
) {
    // SAFETY: C passes a live future and loop.
    unsafe {
        aws_future_impl_register_event_loop_callback(
            future as *mut aws_future_impl,
            event_loop,
            on_done,
            user_data,
        )
    }
}

#[no_mangle]
pub unsafe extern "C" fn aws_future_size_register_channel_callback(
    future: *mut aws_future_size,
    channel: *mut aws_channel,
    on_done: aws_future_callback_fn,
    user_data: *mut c_void,
) {
    // SAFETY: C passes a live future and channel.
    unsafe {
        aws_future_impl_register_channel_callback(
            future as *mut aws_future_impl,
            channel,
            on_done,
            user_data,
        )
    }
}

#[no_mangle]
pub unsafe extern "C" fn aws_future_size_wait(
    future: *mut aws_future_size,
    timeout_ns: u64,
) -> bool {
    // SAFETY: C passes a live future.
    unsafe { aws_future_impl_wait(future as *const aws_future_impl, timeout_ns) }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::common::allocator::default_allocator;
    use std::sync::atomic::{AtomicUsize, Ordering};

    unsafe extern "C" fn count(user_data: *mut c_void) {
        // SAFETY: C passes pointers valid as the upstream header documents; NULL is checked where upstream checks it.
        unsafe {
            (*(user_data as *const AtomicUsize)).fetch_add(1, Ordering::SeqCst);
        }
    }

    #[test]
    fn callback_fires_once_on_completing_thread() {
        let hits = AtomicUsize::new(0);
        // SAFETY: the test owns every object it passes, used as the C API documents.
        unsafe {
            let f = aws_future_void_new(default_allocator());
            aws_future_void_register_callback(f, Some(count), &hits as *const _ as *mut c_void);
            assert!(!aws_future_void_is_done(f));
            assert_eq!(hits.load(Ordering::SeqCst), 0);
            aws_future_void_set_error(f, 42);
            aws_future_void_set_result(f); // ignored: already done
            assert_eq!(hits.load(Ordering::SeqCst), 1);
            assert_eq!(aws_future_void_get_error(f), 42);
            assert!(aws_future_void_wait(f, 0));
            aws_future_void_release(f);
        }
    }

    #[test]
    fn register_if_not_done_on_done_future_does_nothing() {
        let hits = AtomicUsize::new(0);
        // SAFETY: the test owns every object it passes, used as the C API documents.
        unsafe {
            let f = aws_future_void_new(default_allocator());
            aws_future_void_set_result(f);
            let p = &hits as *const _ as *mut c_void;
            assert!(!aws_future_void_register_callback_if_not_done(
                f,
                Some(count),
                p
            ));
            assert_eq!(hits.load(Ordering::SeqCst), 0);
            assert_eq!(aws_future_void_get_error(f), 0);
            aws_future_void_release(f);
        }
    }

    #[test]
    fn wait_times_out_then_sees_other_thread() {
        // SAFETY: the test owns every object it passes, used as the C API documents.
        unsafe {
            let f = aws_future_void_new(default_allocator());
            assert!(!aws_future_void_wait(f, 1_000_000));
            let addr = aws_future_void_acquire(f) as usize;
            let t = std::thread::spawn(move || {
                let f = addr as *mut aws_future_void;
                aws_future_void_set_result(f);
                aws_future_void_release(f);
            });
            assert!(aws_future_void_wait(f, u64::MAX));
            t.join().unwrap();
            aws_future_void_release(f);
        }
    }
}
