//! The aws error a failed file operation raises, as aws-c-common translates errno.
use libc::c_int;

use crate::common::error_codes::*;

/// Maps an errno from a file call to upstream's error, `fallback` for the rest.
pub fn from_errno_or(errno: c_int, fallback: c_int) -> c_int {
    match errno {
        libc::EACCES | libc::EPERM => AWS_ERROR_NO_PERMISSION,
        libc::EISDIR | libc::ENAMETOOLONG | libc::ENOENT | libc::ENOTDIR => {
            AWS_ERROR_FILE_INVALID_PATH
        }
        libc::EMFILE | libc::ENFILE => AWS_ERROR_MAX_FDS_EXCEEDED,
        libc::ENOMEM => AWS_ERROR_OOM,
        libc::ENOSPC => AWS_ERROR_NO_SPACE,
        _ => fallback,
    }
}

/// The error for an `std::io::Error` from opening or reading a file.
pub fn from_io(e: &std::io::Error, fallback: c_int) -> c_int {
    from_errno_or(e.raw_os_error().unwrap_or(0), fallback)
}
