//! `aws_future_void`: a ref-counted, thread-safe completion with one callback.
//!
//! The callback runs exactly once: synchronously on the thread that completes
//! the future, or at once on the registering thread if the future is already
//! done, or (event-loop variant) as a task on the given loop.
use crate::common::ref_count::RefCount;
use std::cell::UnsafeCell;
use std::sync::{Condvar, Mutex, MutexGuard, PoisonError};
use std::time::{Duration, Instant};

use libc::{c_int, c_void};

use crate::common::abi::*;
use crate::common::allocator::{drop_in, new_in};
use crate::common::task_scheduler::aws_task_init;
use crate::fatal_precondition;
use crate::io::abi::*;
use crate::io::event_loop::aws_event_loop_schedule_task_now;

#[derive(Clone, Copy)]
enum Callback {
    /// Runs on whichever thread completes the future.
    Direct(unsafe extern "C" fn(*mut c_void), *mut c_void),
    /// Scheduled as a task on the loop when the future completes.
    OnLoop(
        *mut aws_event_loop,
        unsafe extern "C" fn(*mut c_void),
        *mut c_void,
    ),
}

struct State {
    done: bool,
    error: c_int,
    /// Set once; taken when it fires.
    callback: Option<Callback>,
    callback_was_set: bool,
}

struct FutureVoid {
    alloc: *mut aws_allocator,
    refs: RefCount,
    state: Mutex<State>,
    done_cond: Condvar,
    /// The task that carries an event-loop callback.
    task: UnsafeCell<aws_task>,
}

/// # Safety
/// `f` must come from aws_future_void_new and still hold a reference.
unsafe fn get<'a>(f: *const aws_future_void) -> &'a FutureVoid {
    // SAFETY: this fn's caller guarantees its pointer arguments are valid and used on their owning thread.
    unsafe { &*(f as *const FutureVoid) }
}

impl FutureVoid {
    fn lock(&self) -> MutexGuard<'_, State> {
        self.state.lock().unwrap_or_else(PoisonError::into_inner)
    }
}

unsafe extern "C" fn loop_callback_task(task: *mut aws_task, arg: *mut c_void, _status: c_int) {
    // SAFETY: C passes pointers valid as the upstream header documents; NULL is checked where upstream checks it.
    unsafe {
        let _ = task;
        let future = arg as *mut aws_future_void;
        if let Some(Callback::OnLoop(_, cb, user_data)) = get(future).lock().callback.take() {
            cb(user_data);
        }
        // The reference taken when the callback was registered.
        aws_future_void_release(future);
    }
}

/// Fires a callback taken out of the state (never under the lock).
unsafe fn fire(future: *mut aws_future_void, cb: Callback) {
    // SAFETY: this fn's caller guarantees its pointer arguments are valid and used on their owning thread.
    unsafe {
        match cb {
            Callback::Direct(f, user_data) => f(user_data),
            Callback::OnLoop(el, f, user_data) => {
                let me = get(future);
                // Put back for the task to take.
                me.lock().callback = Some(Callback::OnLoop(el, f, user_data));
                let task = me.task.get();
                aws_task_init(
                    task,
                    Some(loop_callback_task),
                    future as *mut c_void,
                    c"aws_future_event_loop_callback".as_ptr(),
                );
                aws_event_loop_schedule_task_now(el, task);
            }
        }
    }
}

unsafe fn complete(future: *mut aws_future_void, error: c_int) {
    // SAFETY: this fn's caller guarantees its pointer arguments are valid and used on their owning thread.
    unsafe {
        fatal_precondition!(!future.is_null(), "aws_future_void_set_result");
        let me = get(future);
        let cb = {
            let mut s = me.lock();
            if s.done {
                // Already done: ignored, as upstream.
                return;
            }
            s.done = true;
            s.error = error;
            me.done_cond.notify_all();
            s.callback.take()
        };
        if let Some(cb) = cb {
            fire(future, cb);
        }
    }
}

/// Registers the callback; returns it back if the future is already done.
unsafe fn register(future: *mut aws_future_void, cb: Callback) -> Option<Callback> {
    // SAFETY: this fn's caller guarantees its pointer arguments are valid and used on their owning thread.
    unsafe {
        fatal_precondition!(!future.is_null(), "aws_future_void_register_callback");
        let mut s = get(future).lock();
        if s.callback_was_set {
            crate::ffi::fatal("aws_future: the done callback must only be set once");
        }
        s.callback_was_set = true;
        if s.done {
            return Some(cb);
        }
        s.callback = Some(cb);
        None
    }
}

#[no_mangle]
pub unsafe extern "C" fn aws_future_void_new(alloc: *mut aws_allocator) -> *mut aws_future_void {
    // SAFETY: C passes pointers valid as the upstream header documents; NULL is checked where upstream checks it.
    unsafe {
        fatal_precondition!(!alloc.is_null(), "aws_future_void_new");
        new_in(
            alloc,
            FutureVoid {
                alloc,
                refs: RefCount::new(1),
                state: Mutex::new(State {
                    done: false,
                    error: 0,
                    callback: None,
                    callback_was_set: false,
                }),
                done_cond: Condvar::new(),
                // SAFETY: aws_task is plain data; all-zero is its unused state.
                task: UnsafeCell::new(std::mem::zeroed()),
            },
        ) as *mut aws_future_void
    }
}

/// NULL-tolerant; returns its argument.
#[no_mangle]
pub unsafe extern "C" fn aws_future_void_acquire(
    future: *mut aws_future_void,
) -> *mut aws_future_void {
    // SAFETY: C passes pointers valid as the upstream header documents; NULL is checked where upstream checks it.
    unsafe {
        if !future.is_null() {
            get(future).refs.acquire("aws_future_void_acquire");
        }
        future
    }
}

/// NULL-tolerant; always returns NULL.
#[no_mangle]
pub unsafe extern "C" fn aws_future_void_release(
    future: *mut aws_future_void,
) -> *mut aws_future_void {
    // SAFETY: C passes pointers valid as the upstream header documents; NULL is checked where upstream checks it.
    unsafe {
        if !future.is_null() {
            let me = get(future);
            if me.refs.release("aws_future_void_release") {
                drop_in(me.alloc, future as *mut FutureVoid);
            }
        }
        std::ptr::null_mut()
    }
}

#[no_mangle]
pub unsafe extern "C" fn aws_future_void_set_result(future: *mut aws_future_void) {
    // SAFETY: C passes pointers valid as the upstream header documents; NULL is checked where upstream checks it.
    unsafe {
        complete(future, 0);
    }
}

#[no_mangle]
pub unsafe extern "C" fn aws_future_void_set_error(
    future: *mut aws_future_void,
    error_code: c_int,
) {
    // SAFETY: C passes pointers valid as the upstream header documents; NULL is checked where upstream checks it.
    unsafe {
        complete(future, error_code);
    }
}

#[no_mangle]
pub unsafe extern "C" fn aws_future_void_is_done(future: *const aws_future_void) -> bool {
    // SAFETY: C passes pointers valid as the upstream header documents; NULL is checked where upstream checks it.
    unsafe {
        fatal_precondition!(!future.is_null(), "aws_future_void_is_done");
        get(future).lock().done
    }
}

/// Fatal if the future is not done yet, as upstream.
#[no_mangle]
pub unsafe extern "C" fn aws_future_void_get_error(future: *const aws_future_void) -> c_int {
    // SAFETY: C passes pointers valid as the upstream header documents; NULL is checked where upstream checks it.
    unsafe {
        fatal_precondition!(!future.is_null(), "aws_future_void_get_error");
        let s = get(future).lock();
        if !s.done {
            crate::ffi::fatal("aws_future: cannot get error before future is done");
        }
        s.error
    }
}

#[no_mangle]
pub unsafe extern "C" fn aws_future_void_register_callback(
    future: *mut aws_future_void,
    on_done: aws_future_callback_fn,
    user_data: *mut c_void,
) {
    // SAFETY: C passes pointers valid as the upstream header documents; NULL is checked where upstream checks it.
    unsafe {
        let Some(f) = on_done else {
            crate::ffi::fatal("aws_future_void_register_callback: on_done is NULL");
        };
        if let Some(cb) = register(future, Callback::Direct(f, user_data)) {
            fire(future, cb);
        }
    }
}

/// Registers only if not yet done: true if registered, false (and nothing
/// runs) if the future was already done.
#[no_mangle]
pub unsafe extern "C" fn aws_future_void_register_callback_if_not_done(
    future: *mut aws_future_void,
    on_done: aws_future_callback_fn,
    user_data: *mut c_void,
) -> bool {
    // SAFETY: C passes pointers valid as the upstream header documents; NULL is checked where upstream checks it.
    unsafe {
        let Some(f) = on_done else {
            crate::ffi::fatal("aws_future_void_register_callback_if_not_done: on_done is NULL");
        };
        fatal_precondition!(
            !future.is_null(),
            "aws_future_void_register_callback_if_not_done"
        );
        let mut s = get(future).lock();
        if s.done {
            return false;
        }
        if s.callback_was_set {
            crate::ffi::fatal("aws_future: the done callback must only be set once");
        }
        s.callback_was_set = true;
        s.callback = Some(Callback::Direct(f, user_data));
        true
    }
}

/// The callback always runs as a task on `event_loop`, even if the future is
/// already done. The future stays alive until then.
#[no_mangle]
pub unsafe extern "C" fn aws_future_void_register_event_loop_callback(
    future: *mut aws_future_void,
    event_loop: *mut aws_event_loop,
    on_done: aws_future_callback_fn,
    user_data: *mut c_void,
) {
    // SAFETY: C passes pointers valid as the upstream header documents; NULL is checked where upstream checks it.
    unsafe {
        let Some(f) = on_done else {
            crate::ffi::fatal("aws_future_void_register_event_loop_callback: on_done is NULL");
        };
        fatal_precondition!(
            !event_loop.is_null(),
            "aws_future_void_register_event_loop_callback"
        );
        aws_future_void_acquire(future);
        if let Some(cb) = register(future, Callback::OnLoop(event_loop, f, user_data)) {
            fire(future, cb);
        }
    }
}

/// Blocks up to `timeout_ns` for completion; true if done.
#[no_mangle]
pub unsafe extern "C" fn aws_future_void_wait(
    future: *mut aws_future_void,
    timeout_ns: u64,
) -> bool {
    // SAFETY: C passes pointers valid as the upstream header documents; NULL is checked where upstream checks it.
    unsafe {
        fatal_precondition!(!future.is_null(), "aws_future_void_wait");
        let me = get(future);
        let deadline = Instant::now().checked_add(Duration::from_nanos(timeout_ns));
        let mut s = me.lock();
        while !s.done {
            let wait = match deadline {
                Some(d) => match d.checked_duration_since(Instant::now()) {
                    Some(left) if !left.is_zero() => left,
                    _ => return false,
                },
                None => Duration::from_secs(3600),
            };
            s = me
                .done_cond
                .wait_timeout(s, wait)
                .unwrap_or_else(PoisonError::into_inner)
                .0;
        }
        true
    }
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
