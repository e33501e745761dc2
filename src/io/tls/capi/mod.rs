//! The `aws_tls_*` C API of options, contexts and connection options. The
//! option structs hold exactly what upstream's hold (sanitized PEM in byte
//! buffers, `aws_string`s), so C code reading them sees the same values;
//! contexts are built from them by `config::build`.
use std::ffi::{CStr, OsStr};
use std::os::unix::ffi::OsStrExt;
use std::path::Path;
use std::ptr;

use libc::c_char;

use crate::common::abi::*;
use crate::common::byte_buf::{aws_byte_buf_init_copy_from_cursor, buf_bytes, cursor_bytes};
use crate::common::error::{raise, raise_io_error};
use crate::common::error_codes::*;
use crate::common::string::string_bytes;
use crate::io::abi::aws_io_log_subject::AWS_LS_IO_TLS;
use crate::io::abi::*;

use crate::common::abi::aws_log_level::AWS_LL_ERROR;

/// Upstream's default TLS negotiation timeout.
const AWS_DEFAULT_TLS_TIMEOUT_MS: u32 = 10_000;

const EMPTY_BUF: aws_byte_buf = aws_byte_buf {
    len: 0,
    buffer: ptr::null_mut(),
    capacity: 0,
    allocator: ptr::null_mut(),
};

fn zeroed_options() -> aws_tls_ctx_options {
    aws_tls_ctx_options {
        allocator: ptr::null_mut(),
        minimum_tls_version: 0,
        cipher_pref: 0,
        ca_file: EMPTY_BUF,
        ca_path: ptr::null_mut(),
        alpn_list: ptr::null_mut(),
        certificate: EMPTY_BUF,
        private_key: EMPTY_BUF,
        max_fragment_size: 0,
        verify_peer: false,
        ctx_options_extension: ptr::null_mut(),
        custom_key_op_handler: ptr::null_mut(),
        no_certificate_revocation: false,
    }
}

fn zeroed_connection_options() -> aws_tls_connection_options {
    aws_tls_connection_options {
        alpn_list: ptr::null_mut(),
        server_name: ptr::null_mut(),
        on_negotiation_result: None,
        on_data_read: None,
        on_error: None,
        user_data: ptr::null_mut(),
        ctx: ptr::null_mut(),
        advertise_alpn_message: false,
        timeout_ms: 0,
    }
}

unsafe fn options_mut<'a>(
    options: *mut aws_tls_ctx_options,
    func: &str,
) -> &'a mut aws_tls_ctx_options {
    if options.is_null() {
        crate::ffi::fatal(&format!("{func}: options must not be NULL"));
    }
    // SAFETY: non-NULL; the caller passes a valid options struct.
    unsafe { &mut *options }
}

/// Upstream's "was this buffer's setter called" test: it has an allocator.
fn buf_is_set(buf: &aws_byte_buf) -> bool {
    !buf.allocator.is_null()
}

unsafe fn opt_buf<'a>(buf: &aws_byte_buf) -> Option<&'a [u8]> {
    // SAFETY: a set buffer of a valid options struct holds `len` bytes.
    buf_is_set(buf).then(|| unsafe { buf_bytes(buf) })
}

unsafe fn opt_string<'a>(s: *const aws_string) -> Option<&'a [u8]> {
    // SAFETY: NULL or a valid string per the caller.
    (!s.is_null()).then(|| unsafe { string_bytes(s) })
}

/// A new buffer from `allocator` holding `bytes`.
unsafe fn new_buf(allocator: *mut aws_allocator, bytes: &[u8]) -> Result<aws_byte_buf, ()> {
    let mut buf = EMPTY_BUF;
    let cursor = aws_byte_cursor {
        len: bytes.len(),
        ptr: bytes.as_ptr() as *mut u8,
    };
    // SAFETY: `buf` is a local; the cursor views `bytes`.
    if unsafe { aws_byte_buf_init_copy_from_cursor(&mut buf, allocator, cursor) } != AWS_OP_SUCCESS
    {
        return Err(());
    }
    Ok(buf)
}

/// The PEM blocks of `text` in a new buffer; AWS_ERROR_INVALID_ARGUMENT (as
/// upstream's PEM clean-up raises) when it holds none.
unsafe fn sanitized_buf(
    allocator: *mut aws_allocator,
    text: &[u8],
    what: &str,
) -> Result<aws_byte_buf, ()> {
    let Some(clean) = crate::io::pem::sanitize(text) else {
        crate::aws_log!(
            AWS_LL_ERROR,
            AWS_LS_IO_TLS,
            "static: Invalid {what}. File must contain PEM encoded data"
        );
        raise(AWS_ERROR_INVALID_ARGUMENT);
        return Err(());
    };
    // SAFETY: forwarded allocator.
    unsafe { new_buf(allocator, &clean) }
}

/// The contents of the file at `path`, raising upstream's file errors.
unsafe fn read_file(path: *const c_char) -> Result<Vec<u8>, ()> {
    // SAFETY: NULL or a NUL-terminated path per the caller.
    let path = match unsafe { path.as_ref() } {
        // SAFETY: non-NULL and NUL-terminated per the caller.
        Some(_) => unsafe { CStr::from_ptr(path) },
        None => {
            raise(AWS_ERROR_FILE_INVALID_PATH);
            return Err(());
        }
    };
    read_path(path.to_bytes())
}

/// The contents of the file at `path` (bytes up to any NUL, as a C string
/// made of them would be), raising upstream's file errors.
fn read_path(path: &[u8]) -> Result<Vec<u8>, ()> {
    let path = path.split(|&b| b == 0).next().unwrap_or_default();
    if path.is_empty() {
        raise(AWS_ERROR_FILE_INVALID_PATH);
        return Err(());
    }
    let path = Path::new(OsStr::from_bytes(path));
    std::fs::read(path).map_err(|e| {
        let errno = e.raw_os_error().unwrap_or(0);
        raise_io_error(errno, AWS_ERROR_FILE_OPEN_FAILURE);
        crate::aws_log!(
            AWS_LL_ERROR,
            AWS_LS_IO_TLS,
            "static: Failed to read file {}: {e}",
            path.display()
        );
    })
}

unsafe fn cursor_arg<'a>(c: *const aws_byte_cursor, func: &str) -> &'a [u8] {
    if c.is_null() {
        crate::ffi::fatal(&format!("{func}: cursor must not be NULL"));
    }
    // SAFETY: non-NULL; the caller passes a valid cursor.
    unsafe { cursor_bytes(&*c) }
}

mod connection;
mod options;
mod platform;

pub use connection::*;
pub use options::*;
pub use platform::*;
