//! `aws_rw_lock`: a pthread read/write lock, errors mapped as the mutex's are.
use libc::{c_int, pthread_rwlock_t};

use super::abi::*;
use super::sync::mutex_result;

/// # Safety
/// `lock` points to an `aws_rw_lock` (initialised, except for `aws_rw_lock_init`).
unsafe fn handle(lock: *mut aws_rw_lock) -> *mut pthread_rwlock_t {
    crate::fatal_precondition!(!lock.is_null(), "aws_rw_lock: NULL lock");
    // SAFETY: non-NULL and live per the contract.
    unsafe { &mut (*lock).lock_handle }
}

#[no_mangle]
pub unsafe extern "C" fn aws_rw_lock_init(lock: *mut aws_rw_lock) -> c_int {
    // SAFETY: the handle is writable storage for a rwlock.
    mutex_result(unsafe { libc::pthread_rwlock_init(handle(lock), std::ptr::null()) })
}

#[no_mangle]
pub unsafe extern "C" fn aws_rw_lock_clean_up(lock: *mut aws_rw_lock) {
    // SAFETY: an initialised, unlocked rwlock.
    unsafe { libc::pthread_rwlock_destroy(handle(lock)) };
}

#[no_mangle]
pub unsafe extern "C" fn aws_rw_lock_rlock(lock: *mut aws_rw_lock) -> c_int {
    // SAFETY: an initialised rwlock.
    mutex_result(unsafe { libc::pthread_rwlock_rdlock(handle(lock)) })
}

#[no_mangle]
pub unsafe extern "C" fn aws_rw_lock_wlock(lock: *mut aws_rw_lock) -> c_int {
    // SAFETY: an initialised rwlock.
    mutex_result(unsafe { libc::pthread_rwlock_wrlock(handle(lock)) })
}

#[no_mangle]
pub unsafe extern "C" fn aws_rw_lock_try_rlock(lock: *mut aws_rw_lock) -> c_int {
    // SAFETY: an initialised rwlock.
    mutex_result(unsafe { libc::pthread_rwlock_tryrdlock(handle(lock)) })
}

#[no_mangle]
pub unsafe extern "C" fn aws_rw_lock_try_wlock(lock: *mut aws_rw_lock) -> c_int {
    // SAFETY: an initialised rwlock.
    mutex_result(unsafe { libc::pthread_rwlock_trywrlock(handle(lock)) })
}

#[no_mangle]
pub unsafe extern "C" fn aws_rw_lock_runlock(lock: *mut aws_rw_lock) -> c_int {
    // SAFETY: an initialised rwlock this thread holds for reading.
    mutex_result(unsafe { libc::pthread_rwlock_unlock(handle(lock)) })
}

#[no_mangle]
pub unsafe extern "C" fn aws_rw_lock_wunlock(lock: *mut aws_rw_lock) -> c_int {
    // SAFETY: an initialised rwlock this thread holds for writing.
    mutex_result(unsafe { libc::pthread_rwlock_unlock(handle(lock)) })
}
