//! `aws_cross_process_lock`: an exclusive, non-blocking flock on
//! `/tmp/aws_crt_cross_process_lock/<nonce>.lock`, held until released (or the
//! process exits), so two processes with the same nonce cannot both hold it.
use std::fs;
use std::os::unix::ffi::OsStrExt;
use std::os::unix::fs::PermissionsExt;
use std::os::unix::io::IntoRawFd;

use libc::c_int;

use super::abi::*;
use super::allocator::{drop_in, new_in};
use super::error::raise;
use super::error_codes::*;
use super::file::aws_translate_and_raise_io_error_or;

const LOCK_DIR: &str = "/tmp/aws_crt_cross_process_lock/";

struct Lock {
    allocator: *mut aws_allocator,
    fd: c_int,
}

fn open_lock_file(path: &std::path::Path) -> Result<c_int, c_int> {
    let open = |write: bool| {
        fs::OpenOptions::new()
            .read(true)
            .write(write)
            .create(write)
            .open(path)
    };
    match open(true) {
        Ok(f) => Ok(f.into_raw_fd()),
        Err(e) => {
            let code = aws_translate_and_raise_io_error_or(
                e.raw_os_error().unwrap_or(0),
                AWS_ERROR_MUTEX_FAILED,
            );
            if super::error::last_error() != AWS_ERROR_NO_PERMISSION {
                return Err(code);
            }
            // Someone else's file: a read-only descriptor can still be locked.
            open(false).map(|f| f.into_raw_fd()).map_err(|e| {
                aws_translate_and_raise_io_error_or(
                    e.raw_os_error().unwrap_or(0),
                    AWS_ERROR_MUTEX_FAILED,
                )
            })
        }
    }
}

/// NULL with AWS_ERROR_MUTEX_CALLER_NOT_OWNER when another holder has it, or
/// AWS_ERROR_INVALID_ARGUMENT when the nonce contains '/'.
#[no_mangle]
pub unsafe extern "C" fn aws_cross_process_lock_try_acquire(
    allocator: *mut aws_allocator,
    instance_nonce: aws_byte_cursor,
) -> *mut aws_cross_process_lock {
    // SAFETY: the nonce is a valid cursor (caller contract).
    let nonce = unsafe { crate::ffi::slice(instance_nonce.ptr, instance_nonce.len) };
    if nonce.contains(&b'/') {
        raise(AWS_ERROR_INVALID_ARGUMENT);
        return std::ptr::null_mut();
    }
    if fs::create_dir(LOCK_DIR).is_ok() {
        // Bypass the umask so other users' processes can create their lock files too.
        let _ = fs::set_permissions(LOCK_DIR, fs::Permissions::from_mode(0o777));
    }
    let mut path = LOCK_DIR.as_bytes().to_vec();
    path.extend_from_slice(nonce);
    path.extend_from_slice(b".lock");
    let path = std::path::Path::new(std::ffi::OsStr::from_bytes(&path));
    let fd = match open_lock_file(path) {
        Ok(fd) => fd,
        Err(_) => return std::ptr::null_mut(),
    };
    // SAFETY: fd is an open descriptor this function owns.
    unsafe {
        if libc::flock(fd, libc::LOCK_EX | libc::LOCK_NB) == -1 {
            libc::close(fd);
            raise(AWS_ERROR_MUTEX_CALLER_NOT_OWNER);
            return std::ptr::null_mut();
        }
        new_in(allocator, Lock { allocator, fd }).cast()
    }
}

#[no_mangle]
pub unsafe extern "C" fn aws_cross_process_lock_release(
    instance_lock: *mut aws_cross_process_lock,
) {
    if instance_lock.is_null() {
        return;
    }
    let lock = instance_lock as *mut Lock;
    // SAFETY: it came from aws_cross_process_lock_try_acquire; closing the descriptor drops the flock.
    unsafe {
        libc::close((*lock).fd);
        drop_in((*lock).allocator, lock);
    }
}
