//! `aws_future_impl`: the ref-counted, thread-safe result slot behind every
//! `aws_future_<T>` of future.h. It holds an error or a result (by value of a
//! given size, or a pointer), with the destructor its kind names, and runs
//! one callback exactly once: on the completing thread, at once on the
//! registering thread if already done, or as an event-loop / channel task.
//! The typed futures (void, bool, size) are in `future_types.rs`.
use std::cell::UnsafeCell;
use std::sync::{Condvar, Mutex, MutexGuard, PoisonError};
use std::time::{Duration, Instant};

use libc::{c_int, c_void};

use crate::common::abi::*;
use crate::common::allocator::{drop_in, new_in};
use crate::common::ref_count::RefCount;
use crate::common::task_scheduler::aws_task_init;
use crate::fatal_precondition;
use crate::io::abi::*;
use crate::io::channel::task::{aws_channel_schedule_task_now, aws_channel_task_init};
use crate::io::event_loop::aws_event_loop_schedule_task_now;

/// What the result is and how a result the future still owns is freed.
#[derive(Clone, Copy)]
enum Kind {
    ByValue,
    ByValueWithCleanUp(unsafe extern "C" fn(*mut c_void)),
    Pointer,
    PointerWithDestroy(unsafe extern "C" fn(*mut c_void)),
    PointerWithRelease(unsafe extern "C" fn(*mut c_void) -> *mut c_void),
}

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
    /// Scheduled as a channel task when the future completes.
    OnChannel(
        *mut aws_channel,
        unsafe extern "C" fn(*mut c_void),
        *mut c_void,
    ),
}

struct State {
    done: bool,
    error: c_int,
    /// The result slot holds a value the future must free.
    owns_result: bool,
    /// Registered and not yet fired; one at a time (a fired callback may be
    /// followed by another registration, as upstream allows).
    callback: Option<Callback>,
}

struct FutureImpl {
    alloc: *mut aws_allocator,
    refs: RefCount,
    kind: Kind,
    result_size: usize,
    /// The result's bytes, 8-aligned; written once under the lock, before `done`.
    result: UnsafeCell<Vec<u64>>,
    state: Mutex<State>,
    done_cond: Condvar,
    task: UnsafeCell<aws_task>,
    channel_task: UnsafeCell<aws_channel_task>,
}

/// # Safety
/// `f` must come from one of the `aws_future_impl_new_*` and hold a reference.
unsafe fn get<'a>(f: *const aws_future_impl) -> &'a FutureImpl {
    fatal_precondition!(!f.is_null(), "aws_future: future is NULL");
    // SAFETY: per the caller.
    unsafe { &*(f as *const FutureImpl) }
}

impl FutureImpl {
    fn lock(&self) -> MutexGuard<'_, State> {
        self.state.lock().unwrap_or_else(PoisonError::into_inner)
    }

    fn result_ptr(&self) -> *mut u8 {
        // SAFETY: the Vec is only resized at creation; its buffer is stable.
        unsafe { (*self.result.get()).as_mut_ptr() as *mut u8 }
    }

    /// Frees a result value at `addr` (the slot or a caller's) per the kind.
    ///
    /// # Safety
    /// `addr` holds `result_size` bytes of a live result.
    unsafe fn destroy_value(&self, addr: *mut u8) {
        // SAFETY: per the caller; pointer kinds hold one pointer.
        unsafe {
            match self.kind {
                Kind::ByValue | Kind::Pointer => {}
                Kind::ByValueWithCleanUp(f) => f(addr as *mut c_void),
                Kind::PointerWithDestroy(f) => {
                    let p = *(addr as *mut *mut c_void);
                    if !p.is_null() {
                        f(p);
                    }
                }
                Kind::PointerWithRelease(f) => {
                    let p = *(addr as *mut *mut c_void);
                    if !p.is_null() {
                        f(p);
                    }
                }
            }
        }
    }
}

unsafe fn new_future(alloc: *mut aws_allocator, kind: Kind, size: usize) -> *mut aws_future_impl {
    fatal_precondition!(!alloc.is_null(), "aws_future_impl_new");
    // SAFETY: a valid allocator per the caller; aws_task / aws_channel_task are plain data.
    unsafe {
        new_in(
            alloc,
            FutureImpl {
                alloc,
                refs: RefCount::new(1),
                kind,
                result_size: size,
                result: UnsafeCell::new(vec![0u64; size.div_ceil(8)]),
                state: Mutex::new(State {
                    done: false,
                    error: 0,
                    owns_result: false,
                    callback: None,
                }),
                done_cond: Condvar::new(),
                task: UnsafeCell::new(std::mem::zeroed()),
                channel_task: UnsafeCell::new(std::mem::zeroed()),
            },
        ) as *mut aws_future_impl
    }
}

unsafe extern "C" fn loop_callback_task(_task: *mut aws_task, arg: *mut c_void, _status: c_int) {
    // SAFETY: arg is the future, kept alive by the reference taken at registration.
    unsafe { run_scheduled_callback(arg as *mut aws_future_impl) }
}

unsafe extern "C" fn channel_callback_task(
    _task: *mut aws_channel_task,
    arg: *mut c_void,
    _status: enum_aws_task_status,
) {
    // SAFETY: as loop_callback_task.
    unsafe { run_scheduled_callback(arg as *mut aws_future_impl) }
}

/// Runs a loop or channel callback (whatever the task status, as upstream),
/// then drops the reference its registration took.
unsafe fn run_scheduled_callback(future: *mut aws_future_impl) {
    // SAFETY: per the callers.
    unsafe {
        let cb = get(future).lock().callback.take();
        match cb {
            Some(Callback::OnLoop(_, f, ud)) | Some(Callback::OnChannel(_, f, ud)) => f(ud),
            _ => {}
        }
        aws_future_impl_release(future);
    }
}

/// Fires a callback taken out of the state (never under the lock).
unsafe fn fire(future: *mut aws_future_impl, cb: Callback) {
    // SAFETY: per the caller, the future is live; tasks are owned by it.
    unsafe {
        let me = get(future);
        match cb {
            Callback::Direct(f, user_data) => f(user_data),
            Callback::OnLoop(el, ..) => {
                me.lock().callback = Some(cb);
                let task = me.task.get();
                aws_task_init(
                    task,
                    Some(loop_callback_task),
                    future as *mut c_void,
                    c"aws_future_event_loop_callback".as_ptr(),
                );
                aws_event_loop_schedule_task_now(el, task);
            }
            Callback::OnChannel(channel, ..) => {
                me.lock().callback = Some(cb);
                let task = me.channel_task.get();
                aws_channel_task_init(
                    task,
                    Some(channel_callback_task),
                    future as *mut c_void,
                    c"aws_future_channel_callback".as_ptr(),
                );
                aws_channel_schedule_task_now(channel, task);
            }
        }
    }
}

/// Completes with `error`, or with the result at `src` when `error` is 0.
/// On an already-done future the call is ignored and a moved-in result freed.
unsafe fn complete(future: *mut aws_future_impl, error: c_int, src: *mut u8) {
    // SAFETY: per the caller; `src` holds `result_size` bytes when non-NULL.
    unsafe {
        let me = get(future);
        let cb = {
            let mut s = me.lock();
            if s.done {
                drop(s);
                if !src.is_null() {
                    me.destroy_value(src);
                    std::ptr::write_bytes(src, 0, me.result_size);
                }
                return;
            }
            if error == 0 && me.result_size > 0 {
                if !src.is_null() {
                    std::ptr::copy_nonoverlapping(src, me.result_ptr(), me.result_size);
                    // Zeroed, so the caller cannot use (or free) what moved.
                    std::ptr::write_bytes(src, 0, me.result_size);
                }
                s.owns_result = true;
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
unsafe fn register(future: *mut aws_future_impl, cb: Callback) -> Option<Callback> {
    // SAFETY: per the caller.
    unsafe {
        let mut s = get(future).lock();
        if s.callback.is_some() {
            crate::ffi::fatal("aws_future: the done callback must only be set once");
        }
        if s.done {
            return Some(cb);
        }
        s.callback = Some(cb);
        None
    }
}

fn required(f: aws_future_callback_fn, func: &str) -> unsafe extern "C" fn(*mut c_void) {
    match f {
        Some(f) => f,
        None => crate::ffi::fatal(&format!("{func}: on_done is NULL")),
    }
}

// ---- C API ---------------------------------------------------------------------

#[no_mangle]
pub unsafe extern "C" fn aws_future_impl_new_by_value(
    alloc: *mut aws_allocator,
    sizeof_result: usize,
) -> *mut aws_future_impl {
    // SAFETY: C passes a valid allocator.
    unsafe { new_future(alloc, Kind::ByValue, sizeof_result) }
}

#[no_mangle]
pub unsafe extern "C" fn aws_future_impl_new_by_value_with_clean_up(
    alloc: *mut aws_allocator,
    sizeof_result: usize,
    result_clean_up: aws_future_impl_result_clean_up_fn,
) -> *mut aws_future_impl {
    let f = result_clean_up.unwrap_or_else(|| crate::ffi::fatal("aws_future: clean_up is NULL"));
    // SAFETY: C passes a valid allocator.
    unsafe { new_future(alloc, Kind::ByValueWithCleanUp(f), sizeof_result) }
}

#[no_mangle]
pub unsafe extern "C" fn aws_future_impl_new_pointer(
    alloc: *mut aws_allocator,
) -> *mut aws_future_impl {
    // SAFETY: C passes a valid allocator.
    unsafe { new_future(alloc, Kind::Pointer, size_of::<*mut c_void>()) }
}

#[no_mangle]
pub unsafe extern "C" fn aws_future_impl_new_pointer_with_destroy(
    alloc: *mut aws_allocator,
    result_destroy: aws_future_impl_result_destroy_fn,
) -> *mut aws_future_impl {
    let f = result_destroy.unwrap_or_else(|| crate::ffi::fatal("aws_future: destroy is NULL"));
    // SAFETY: C passes a valid allocator.
    unsafe { new_future(alloc, Kind::PointerWithDestroy(f), size_of::<*mut c_void>()) }
}

#[no_mangle]
pub unsafe extern "C" fn aws_future_impl_new_pointer_with_release(
    alloc: *mut aws_allocator,
    result_release: aws_future_impl_result_release_fn,
) -> *mut aws_future_impl {
    let f = result_release.unwrap_or_else(|| crate::ffi::fatal("aws_future: release is NULL"));
    // SAFETY: C passes a valid allocator.
    unsafe { new_future(alloc, Kind::PointerWithRelease(f), size_of::<*mut c_void>()) }
}

/// NULL-tolerant; returns its argument.
#[no_mangle]
pub unsafe extern "C" fn aws_future_impl_acquire(
    promise: *mut aws_future_impl,
) -> *mut aws_future_impl {
    if !promise.is_null() {
        // SAFETY: a non-NULL future holds a reference.
        unsafe { get(promise).refs.acquire("aws_future_impl_acquire") };
    }
    promise
}

/// NULL-tolerant; always returns NULL. The last release frees a result the
/// future still owns.
#[no_mangle]
pub unsafe extern "C" fn aws_future_impl_release(
    promise: *mut aws_future_impl,
) -> *mut aws_future_impl {
    if promise.is_null() {
        return std::ptr::null_mut();
    }
    // SAFETY: a non-NULL future holds a reference; the last one frees it.
    unsafe {
        let me = get(promise);
        if me.refs.release("aws_future_impl_release") {
            let owns = {
                let s = me.lock();
                s.done && s.error == 0 && s.owns_result
            };
            if owns {
                me.destroy_value(me.result_ptr());
            }
            drop_in(me.alloc, promise as *mut FutureImpl);
        }
    }
    std::ptr::null_mut()
}

#[no_mangle]
pub unsafe extern "C" fn aws_future_impl_set_error(
    future: *mut aws_future_impl,
    error_code: c_int,
) {
    fatal_precondition!(
        error_code != 0,
        "aws_future_impl_set_error: error_code is 0"
    );
    // SAFETY: C passes a live future.
    unsafe { complete(future, error_code, std::ptr::null_mut()) }
}

/// Moves the result at `value_address` in (and zeroes it there).
#[no_mangle]
pub unsafe extern "C" fn aws_future_impl_set_result_by_move(
    future: *mut aws_future_impl,
    value_address: *mut c_void,
) {
    // SAFETY: C passes a live future and a result of its size.
    unsafe { complete(future, 0, value_address as *mut u8) }
}

#[no_mangle]
pub unsafe extern "C" fn aws_future_impl_is_done(future: *const aws_future_impl) -> bool {
    // SAFETY: C passes a live future.
    unsafe { get(future).lock().done }
}

/// Fatal if the future is not done yet, as upstream.
#[no_mangle]
pub unsafe extern "C" fn aws_future_impl_get_error(future: *const aws_future_impl) -> c_int {
    // SAFETY: C passes a live future.
    let s = unsafe { get(future) }.lock();
    if !s.done {
        crate::ffi::fatal("aws_future: cannot get error before future is done");
    }
    s.error
}

/// # Safety
/// `future` is live.
unsafe fn check_result_readable(future: *const aws_future_impl) {
    // SAFETY: per the caller.
    let s = unsafe { get(future) }.lock();
    if !s.done || s.error != 0 || !s.owns_result {
        crate::ffi::fatal("aws_future: no result to get (not done, failed, or moved out)");
    }
}

/// The address of the result the future holds (fatal if there is none).
#[no_mangle]
pub unsafe extern "C" fn aws_future_impl_get_result_address(
    future: *const aws_future_impl,
) -> *mut c_void {
    // SAFETY: C passes a live future.
    unsafe {
        check_result_readable(future);
        get(future).result_ptr() as *mut c_void
    }
}

/// Moves the result out to `dst_address`; the future no longer frees it.
#[no_mangle]
pub unsafe extern "C" fn aws_future_impl_get_result_by_move(
    future: *mut aws_future_impl,
    dst_address: *mut c_void,
) {
    // SAFETY: C passes a live future and room for its result.
    unsafe {
        check_result_readable(future);
        let me = get(future);
        std::ptr::copy_nonoverlapping(me.result_ptr(), dst_address as *mut u8, me.result_size);
        me.lock().owns_result = false;
    }
}

#[no_mangle]
pub unsafe extern "C" fn aws_future_impl_register_callback(
    future: *mut aws_future_impl,
    on_done: aws_future_callback_fn,
    user_data: *mut c_void,
) {
    let f = required(on_done, "aws_future_register_callback");
    // SAFETY: C passes a live future.
    unsafe {
        if let Some(cb) = register(future, Callback::Direct(f, user_data)) {
            fire(future, cb);
        }
    }
}

/// Registers only if not yet done: true if registered, false (and nothing
/// runs) if the future was already done.
#[no_mangle]
pub unsafe extern "C" fn aws_future_impl_register_callback_if_not_done(
    future: *mut aws_future_impl,
    on_done: aws_future_callback_fn,
    user_data: *mut c_void,
) -> bool {
    let f = required(on_done, "aws_future_register_callback_if_not_done");
    // SAFETY: C passes a live future.
    let mut s = unsafe { get(future) }.lock();
    if s.callback.is_some() {
        crate::ffi::fatal("aws_future: the done callback must only be set once");
    }
    if s.done {
        return false;
    }
    s.callback = Some(Callback::Direct(f, user_data));
    true
}

/// The callback always runs as a task on `event_loop`, even if the future is
/// already done. The future stays alive until then.
#[no_mangle]
pub unsafe extern "C" fn aws_future_impl_register_event_loop_callback(
    future: *mut aws_future_impl,
    event_loop: *mut aws_event_loop,
    on_done: aws_future_callback_fn,
    user_data: *mut c_void,
) {
    let f = required(on_done, "aws_future_register_event_loop_callback");
    fatal_precondition!(
        !event_loop.is_null(),
        "aws_future_register_event_loop_callback"
    );
    // SAFETY: C passes a live future and loop.
    unsafe {
        aws_future_impl_acquire(future);
        if let Some(cb) = register(future, Callback::OnLoop(event_loop, f, user_data)) {
            fire(future, cb);
        }
    }
}

/// The callback always runs as a task on `channel`, even if the future is
/// already done. The future stays alive until then.
#[no_mangle]
pub unsafe extern "C" fn aws_future_impl_register_channel_callback(
    future: *mut aws_future_impl,
    channel: *mut aws_channel,
    on_done: aws_future_callback_fn,
    user_data: *mut c_void,
) {
    let f = required(on_done, "aws_future_register_channel_callback");
    fatal_precondition!(!channel.is_null(), "aws_future_register_channel_callback");
    // SAFETY: C passes a live future and channel.
    unsafe {
        aws_future_impl_acquire(future);
        if let Some(cb) = register(future, Callback::OnChannel(channel, f, user_data)) {
            fire(future, cb);
        }
    }
}

/// Blocks up to `timeout_ns` for completion; true if done.
#[no_mangle]
pub unsafe extern "C" fn aws_future_impl_wait(
    future: *const aws_future_impl,
    timeout_ns: u64,
) -> bool {
    // SAFETY: C passes a live future.
    let me = unsafe { get(future) };
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
