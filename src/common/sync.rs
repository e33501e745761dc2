//! `aws_mutex` and `aws_condition_variable`: thin shims over the pthread
//! objects embedded by value in the C structs.
//!
//! The pthread handles live inside caller-owned memory, so C code can use
//! upstream's static initializers (`AWS_MUTEX_INIT`,
//! `AWS_CONDITION_VARIABLE_INIT`) and share the objects with C code compiled
//! against upstream headers. Condition-variable deadlines are measured on
//! CLOCK_REALTIME, the default clock of a `pthread_cond_t` made with
//! `PTHREAD_COND_INITIALIZER` or default attributes.
use libc::{c_int, c_void, EBUSY, EDEADLK, EINVAL, ENOMEM, EPERM, ETIMEDOUT};

use super::abi::*;
use super::clock;
use super::error::raise;
use super::error_codes::*;
use crate::fatal_precondition;

/// Maps a pthread mutex return value to upstream's error codes.
pub(crate) fn mutex_result(rc: c_int) -> c_int {
    match rc {
        0 => AWS_OP_SUCCESS,
        EINVAL => raise(AWS_ERROR_MUTEX_NOT_INIT),
        EBUSY => raise(AWS_ERROR_MUTEX_TIMEOUT),
        EPERM => raise(AWS_ERROR_MUTEX_CALLER_NOT_OWNER),
        ENOMEM => raise(AWS_ERROR_OOM),
        EDEADLK => raise(AWS_ERROR_THREAD_DEADLOCK_DETECTED),
        _ => raise(AWS_ERROR_MUTEX_FAILED),
    }
}

/// Maps a pthread condition-variable return value to upstream's error codes.
fn cond_result(rc: c_int) -> c_int {
    match rc {
        0 => AWS_OP_SUCCESS,
        ENOMEM => raise(AWS_ERROR_OOM),
        ETIMEDOUT => raise(AWS_ERROR_COND_VARIABLE_TIMED_OUT),
        _ => raise(AWS_ERROR_COND_VARIABLE_ERROR_UNKNOWN),
    }
}

// ---- mutex ------------------------------------------------------------------

#[no_mangle]
pub unsafe extern "C" fn aws_mutex_init(mutex: *mut aws_mutex) -> c_int {
    fatal_precondition!(!mutex.is_null(), "aws_mutex_init");
    let mut attr = std::mem::MaybeUninit::<libc::pthread_mutexattr_t>::uninit();
    // SAFETY: attr is local storage for pthread_mutexattr_init to fill.
    let mut rc = unsafe { libc::pthread_mutexattr_init(attr.as_mut_ptr()) };
    if rc == 0 {
        // SAFETY: attr was initialised above; `mutex` is valid per the API
        // contract, and the embedded handle may be (re)initialised by the owner.
        unsafe {
            rc = libc::pthread_mutexattr_settype(attr.as_mut_ptr(), libc::PTHREAD_MUTEX_NORMAL);
            if rc == 0 {
                rc = libc::pthread_mutex_init(&mut (*mutex).mutex_handle, attr.as_ptr());
            }
            libc::pthread_mutexattr_destroy(attr.as_mut_ptr());
        }
    }
    // SAFETY: `mutex` is valid (checked non-NULL, caller-owned).
    unsafe { (*mutex).initialized = rc == 0 };
    mutex_result(rc)
}

#[no_mangle]
pub unsafe extern "C" fn aws_mutex_clean_up(mutex: *mut aws_mutex) {
    fatal_precondition!(!mutex.is_null(), "aws_mutex_clean_up");
    // SAFETY: `mutex` is valid; the handle is destroyed only if it was set up,
    // and the struct is zeroed afterwards so a second clean-up is harmless.
    unsafe {
        if (*mutex).initialized {
            libc::pthread_mutex_destroy(&mut (*mutex).mutex_handle);
        }
        std::ptr::write_bytes(mutex, 0, 1);
    }
}

/// Upstream asserts that the mutex is non-NULL and initialised; locking a
/// cleaned-up or never-initialised mutex aborts rather than corrupting state.
unsafe fn checked_mutex<'a>(mutex: *mut aws_mutex, func: &'static str) -> &'a mut aws_mutex {
    // SAFETY: NULL is rejected; otherwise the caller guarantees validity.
    match unsafe { mutex.as_mut() } {
        Some(m) if m.initialized => m,
        Some(_) => crate::ffi::fatal(&format!("{func}: mutex is not initialized")),
        None => crate::ffi::fatal(&format!("{func}: mutex is NULL")),
    }
}

#[no_mangle]
pub unsafe extern "C" fn aws_mutex_lock(mutex: *mut aws_mutex) -> c_int {
    // SAFETY: checked_mutex validates the pointer as far as C allows.
    let m = unsafe { checked_mutex(mutex, "aws_mutex_lock") };
    // SAFETY: the handle is an initialised pthread mutex.
    mutex_result(unsafe { libc::pthread_mutex_lock(&mut m.mutex_handle) })
}

#[no_mangle]
pub unsafe extern "C" fn aws_mutex_try_lock(mutex: *mut aws_mutex) -> c_int {
    // SAFETY: as in aws_mutex_lock.
    let m = unsafe { checked_mutex(mutex, "aws_mutex_try_lock") };
    // SAFETY: the handle is an initialised pthread mutex.
    mutex_result(unsafe { libc::pthread_mutex_trylock(&mut m.mutex_handle) })
}

#[no_mangle]
pub unsafe extern "C" fn aws_mutex_unlock(mutex: *mut aws_mutex) -> c_int {
    // SAFETY: as in aws_mutex_lock.
    let m = unsafe { checked_mutex(mutex, "aws_mutex_unlock") };
    // SAFETY: the handle is an initialised pthread mutex.
    mutex_result(unsafe { libc::pthread_mutex_unlock(&mut m.mutex_handle) })
}

// ---- condition variable -------------------------------------------------------

#[no_mangle]
pub unsafe extern "C" fn aws_condition_variable_init(
    condition_variable: *mut aws_condition_variable,
) -> c_int {
    fatal_precondition!(!condition_variable.is_null(), "aws_condition_variable_init");
    // SAFETY: the pointer is non-NULL and caller-owned; default attributes
    // (CLOCK_REALTIME) match PTHREAD_COND_INITIALIZER.
    unsafe {
        if libc::pthread_cond_init(
            &mut (*condition_variable).condition_handle,
            std::ptr::null(),
        ) != 0
        {
            std::ptr::write_bytes(condition_variable, 0, 1);
            return raise(AWS_ERROR_COND_VARIABLE_INIT_FAILED);
        }
        (*condition_variable).initialized = true;
    }
    AWS_OP_SUCCESS
}

#[no_mangle]
pub unsafe extern "C" fn aws_condition_variable_clean_up(
    condition_variable: *mut aws_condition_variable,
) {
    fatal_precondition!(
        !condition_variable.is_null(),
        "aws_condition_variable_clean_up"
    );
    // SAFETY: as for aws_mutex_clean_up.
    unsafe {
        if (*condition_variable).initialized {
            libc::pthread_cond_destroy(&mut (*condition_variable).condition_handle);
        }
        std::ptr::write_bytes(condition_variable, 0, 1);
    }
}

unsafe fn checked_cond<'a>(
    cv: *mut aws_condition_variable,
    func: &'static str,
) -> &'a mut aws_condition_variable {
    // SAFETY: NULL is rejected; otherwise the caller guarantees validity.
    match unsafe { cv.as_mut() } {
        Some(c) if c.initialized => c,
        Some(_) => crate::ffi::fatal(&format!("{func}: condition variable is not initialized")),
        None => crate::ffi::fatal(&format!("{func}: condition variable is NULL")),
    }
}

#[no_mangle]
pub unsafe extern "C" fn aws_condition_variable_notify_one(
    condition_variable: *mut aws_condition_variable,
) -> c_int {
    // SAFETY: validated by checked_cond.
    let cv = unsafe { checked_cond(condition_variable, "aws_condition_variable_notify_one") };
    // SAFETY: the handle is an initialised pthread condition variable.
    cond_result(unsafe { libc::pthread_cond_signal(&mut cv.condition_handle) })
}

#[no_mangle]
pub unsafe extern "C" fn aws_condition_variable_notify_all(
    condition_variable: *mut aws_condition_variable,
) -> c_int {
    // SAFETY: validated by checked_cond.
    let cv = unsafe { checked_cond(condition_variable, "aws_condition_variable_notify_all") };
    // SAFETY: the handle is an initialised pthread condition variable.
    cond_result(unsafe { libc::pthread_cond_broadcast(&mut cv.condition_handle) })
}

#[no_mangle]
pub unsafe extern "C" fn aws_condition_variable_wait(
    condition_variable: *mut aws_condition_variable,
    mutex: *mut aws_mutex,
) -> c_int {
    // SAFETY: both objects validated; the caller holds `mutex` (pthread contract).
    unsafe {
        let cv = checked_cond(condition_variable, "aws_condition_variable_wait");
        let m = checked_mutex(mutex, "aws_condition_variable_wait");
        cond_result(libc::pthread_cond_wait(
            &mut cv.condition_handle,
            &mut m.mutex_handle,
        ))
    }
}

/// The absolute CLOCK_REALTIME deadline `time_to_wait` ns from now. Saturates
/// instead of wrapping, so a huge wait is effectively unbounded rather than
/// already expired; a negative wait is a deadline in the past.
fn realtime_deadline(now_ns: u64, time_to_wait: i64) -> libc::timespec {
    let deadline = now_ns.saturating_add_signed(time_to_wait);
    libc::timespec {
        tv_sec: (deadline / 1_000_000_000) as libc::time_t,
        tv_nsec: (deadline % 1_000_000_000) as libc::c_long,
    }
}

#[no_mangle]
pub unsafe extern "C" fn aws_condition_variable_wait_for(
    condition_variable: *mut aws_condition_variable,
    mutex: *mut aws_mutex,
    time_to_wait: i64,
) -> c_int {
    // SAFETY: validated as in aws_condition_variable_wait.
    let (cv, m) = unsafe {
        (
            checked_cond(condition_variable, "aws_condition_variable_wait_for"),
            checked_mutex(mutex, "aws_condition_variable_wait_for"),
        )
    };
    let Some(now) = clock::sys_ns() else {
        return raise(AWS_ERROR_CLOCK_FAILURE);
    };
    let ts = realtime_deadline(now, time_to_wait);
    // SAFETY: both handles are initialised; the caller holds the mutex.
    cond_result(unsafe {
        libc::pthread_cond_timedwait(&mut cv.condition_handle, &mut m.mutex_handle, &ts)
    })
}

#[no_mangle]
pub unsafe extern "C" fn aws_condition_variable_wait_pred(
    condition_variable: *mut aws_condition_variable,
    mutex: *mut aws_mutex,
    pred: aws_condition_predicate_fn,
    pred_ctx: *mut c_void,
) -> c_int {
    fatal_precondition!(pred.is_some(), "aws_condition_variable_wait_pred");
    let pred = pred.unwrap();
    // Spurious wake-ups are absorbed by re-checking the predicate; the loop
    // ends only when it holds or a wait fails.
    // SAFETY: the predicate is the caller's, called with the caller's context.
    while !unsafe { pred(pred_ctx) } {
        // SAFETY: arguments forwarded unchanged.
        if unsafe { aws_condition_variable_wait(condition_variable, mutex) } != AWS_OP_SUCCESS {
            return AWS_OP_ERR;
        }
    }
    AWS_OP_SUCCESS
}

/// Like upstream, each wait after a wake-up without the predicate holding is
/// given the full `time_to_wait` again.
#[no_mangle]
pub unsafe extern "C" fn aws_condition_variable_wait_for_pred(
    condition_variable: *mut aws_condition_variable,
    mutex: *mut aws_mutex,
    time_to_wait: i64,
    pred: aws_condition_predicate_fn,
    pred_ctx: *mut c_void,
) -> c_int {
    fatal_precondition!(pred.is_some(), "aws_condition_variable_wait_for_pred");
    let pred = pred.unwrap();
    // SAFETY: as in aws_condition_variable_wait_pred.
    while !unsafe { pred(pred_ctx) } {
        // SAFETY: arguments forwarded unchanged.
        if unsafe { aws_condition_variable_wait_for(condition_variable, mutex, time_to_wait) }
            != AWS_OP_SUCCESS
        {
            return AWS_OP_ERR;
        }
    }
    AWS_OP_SUCCESS
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::common::error::last_error;

    fn new_mutex() -> Box<aws_mutex> {
        // SAFETY: aws_mutex is plain C data; all-zero is a valid bit pattern.
        let mut m: Box<aws_mutex> = Box::new(unsafe { std::mem::zeroed() });
        // SAFETY: valid pointer to owned storage.
        assert_eq!(unsafe { aws_mutex_init(&mut *m) }, AWS_OP_SUCCESS);
        assert!(m.initialized);
        m
    }

    #[test]
    fn try_lock_on_held_mutex_times_out() {
        let mut m = new_mutex();
        // SAFETY: m is initialised and owned by this test.
        unsafe {
            assert_eq!(aws_mutex_lock(&mut *m), AWS_OP_SUCCESS);
            assert_eq!(aws_mutex_try_lock(&mut *m), AWS_OP_ERR);
            assert_eq!(last_error(), AWS_ERROR_MUTEX_TIMEOUT);
            assert_eq!(aws_mutex_unlock(&mut *m), AWS_OP_SUCCESS);
            assert_eq!(aws_mutex_try_lock(&mut *m), AWS_OP_SUCCESS);
            assert_eq!(aws_mutex_unlock(&mut *m), AWS_OP_SUCCESS);
            aws_mutex_clean_up(&mut *m);
        }
        assert!(!m.initialized);
    }

    #[test]
    fn deadline_saturates_and_accepts_negative_waits() {
        let far = realtime_deadline(u64::MAX - 5, 1_000);
        assert_eq!(far.tv_sec as u64, u64::MAX / 1_000_000_000);
        assert_eq!(far.tv_nsec as u64, u64::MAX % 1_000_000_000);
        let past = realtime_deadline(5_000_000_000, -2_000_000_001);
        assert_eq!((past.tv_sec, past.tv_nsec), (2, 999_999_999));
    }

    #[test]
    fn wait_for_times_out_with_upstream_error() {
        let mut m = new_mutex();
        // SAFETY: zeroed storage then initialised through the C API.
        let mut cv: Box<aws_condition_variable> = Box::new(unsafe { std::mem::zeroed() });
        // SAFETY: both objects are owned by this test and initialised.
        unsafe {
            assert_eq!(aws_condition_variable_init(&mut *cv), AWS_OP_SUCCESS);
            aws_mutex_lock(&mut *m);
            let start = std::time::Instant::now();
            assert_eq!(
                aws_condition_variable_wait_for(&mut *cv, &mut *m, 20_000_000),
                AWS_OP_ERR
            );
            assert_eq!(last_error(), AWS_ERROR_COND_VARIABLE_TIMED_OUT);
            assert!(start.elapsed() >= std::time::Duration::from_millis(19));
            aws_mutex_unlock(&mut *m);
            aws_condition_variable_clean_up(&mut *cv);
            aws_mutex_clean_up(&mut *m);
        }
    }
}
