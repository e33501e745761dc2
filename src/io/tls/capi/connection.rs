//! Contexts (new, acquire, release), connection options and
//! `aws_error_code_is_tls`.
use std::ffi::OsStr;
use std::os::unix::ffi::OsStrExt;
use std::path::Path;
use std::ptr;
use std::sync::Arc;

use libc::{c_char, c_int, c_void};

use crate::common::abi::*;
use crate::common::error::raise;
use crate::common::error_codes::*;
use crate::common::string::{
    aws_string_destroy, aws_string_new_from_c_str, aws_string_new_from_cursor,
    aws_string_new_from_string,
};
use crate::fatal_precondition;
use crate::io::abi::aws_io_log_subject::AWS_LS_IO_TLS;
use crate::io::abi::*;
use crate::io::library::aws_io_fatal_assert_library_initialized;
use crate::io::tls::config::{self, Side, TlsOptions};
use crate::io::tls::ctx;
use crate::io::tls::key_ops::HandlerRef;

use crate::common::abi::aws_log_level::{AWS_LL_ERROR, AWS_LL_WARN};

use super::*;

// ---- contexts ------------------------------------------------------------------------

unsafe fn ctx_new(
    alloc: *mut aws_allocator,
    options: *const aws_tls_ctx_options,
    side: Side,
) -> *mut aws_tls_ctx {
    aws_io_fatal_assert_library_initialized();
    fatal_precondition!(!alloc.is_null() && !options.is_null(), "aws_tls_ctx_new");
    // SAFETY: checked non-NULL; the caller passes valid options.
    let o = unsafe { &*options };
    // SAFETY: the options' buffers and strings are valid or unset.
    let view = unsafe {
        TlsOptions {
            minimum_tls_version: o.minimum_tls_version,
            cipher_pref: o.cipher_pref,
            ca_file: opt_buf(&o.ca_file),
            ca_path: opt_string(o.ca_path).map(|p| Path::new(OsStr::from_bytes(p))),
            alpn_list: opt_string(o.alpn_list),
            certificate: opt_buf(&o.certificate),
            private_key: opt_buf(&o.private_key),
            verify_peer: o.verify_peer,
            custom_key_op: HandlerRef::acquire(o.custom_key_op_handler).map(Arc::new),
        }
    };
    if side == Side::Client && !o.verify_peer {
        crate::aws_log!(
            AWS_LL_WARN,
            AWS_LS_IO_TLS,
            "ctx: X.509 validation has been disabled. If this is not running in a test environment, this is likely a security vulnerability."
        );
    }
    match config::build(side, &view) {
        // SAFETY: the allocator is valid per the caller.
        Ok(cfg) => unsafe { ctx::new_ctx(alloc, cfg) },
        Err(e) => {
            crate::aws_log!(AWS_LL_ERROR, AWS_LS_IO_TLS, "ctx: {e}");
            raise(e.code());
            ptr::null_mut()
        }
    }
}

#[no_mangle]
pub unsafe extern "C" fn aws_tls_server_ctx_new(
    alloc: *mut aws_allocator,
    options: *const aws_tls_ctx_options,
) -> *mut aws_tls_ctx {
    // SAFETY: forwarded caller contract.
    unsafe { ctx_new(alloc, options, Side::Server) }
}

#[no_mangle]
pub unsafe extern "C" fn aws_tls_client_ctx_new(
    alloc: *mut aws_allocator,
    options: *const aws_tls_ctx_options,
) -> *mut aws_tls_ctx {
    // SAFETY: forwarded caller contract.
    unsafe { ctx_new(alloc, options, Side::Client) }
}

#[no_mangle]
pub unsafe extern "C" fn aws_tls_ctx_acquire(ctx: *mut aws_tls_ctx) -> *mut aws_tls_ctx {
    // SAFETY: NULL or a live context per the caller.
    unsafe { ctx::acquire(ctx) }
}

#[no_mangle]
pub unsafe extern "C" fn aws_tls_ctx_release(ctx: *mut aws_tls_ctx) {
    // SAFETY: NULL or a live context the caller holds a reference to.
    unsafe { ctx::release(ctx) }
}

#[no_mangle]
pub extern "C" fn aws_tls_is_alpn_available() -> bool {
    true
}

#[no_mangle]
pub extern "C" fn aws_tls_is_cipher_pref_supported(cipher_pref: enum_aws_tls_cipher_pref) -> bool {
    config::cipher_pref_supported(cipher_pref)
}

// ---- connection options ----------------------------------------------------------------

unsafe fn conn_mut<'a>(
    options: *mut aws_tls_connection_options,
    func: &str,
) -> &'a mut aws_tls_connection_options {
    if options.is_null() {
        crate::ffi::fatal(&format!("{func}: connection options must not be NULL"));
    }
    // SAFETY: non-NULL; the caller passes a valid struct.
    unsafe { &mut *options }
}

/// Holds a reference to `ctx`; the timeout is upstream's default.
#[no_mangle]
pub unsafe extern "C" fn aws_tls_connection_options_init_from_ctx(
    conn_options: *mut aws_tls_connection_options,
    ctx: *mut aws_tls_ctx,
) {
    // SAFETY: the caller passes a valid struct and a NULL or live context.
    unsafe {
        *conn_mut(conn_options, "aws_tls_connection_options_init_from_ctx") =
            aws_tls_connection_options {
                ctx: ctx::acquire(ctx),
                timeout_ms: AWS_DEFAULT_TLS_TIMEOUT_MS,
                ..zeroed_connection_options()
            };
    }
}

#[no_mangle]
pub unsafe extern "C" fn aws_tls_connection_options_clean_up(
    connection_options: *mut aws_tls_connection_options,
) {
    // SAFETY: the caller passes a valid struct.
    let c = unsafe { conn_mut(connection_options, "aws_tls_connection_options_clean_up") };
    // SAFETY: the context reference and strings are owned by the options.
    unsafe {
        ctx::release(c.ctx);
        aws_string_destroy(c.alpn_list);
        aws_string_destroy(c.server_name);
    }
    *c = zeroed_connection_options();
}

/// Cleans up `to`, then makes it a deep copy of `from` (its own context
/// reference and strings).
#[no_mangle]
pub unsafe extern "C" fn aws_tls_connection_options_copy(
    to: *mut aws_tls_connection_options,
    from: *const aws_tls_connection_options,
) -> c_int {
    fatal_precondition!(!from.is_null(), "aws_tls_connection_options_copy");
    // SAFETY: `from` is valid; copied out before `to` (possibly the same) is cleaned.
    let f = unsafe { ptr::read(from) };
    // SAFETY: forwarded caller contract.
    unsafe { aws_tls_connection_options_clean_up(to) };
    // SAFETY: `to` is valid (checked by the clean up); the fields of `f` are
    // live unless `to` was `from`, which upstream does not allow either.
    unsafe {
        let t = &mut *to;
        *t = aws_tls_connection_options {
            ctx: ctx::acquire(f.ctx),
            alpn_list: ptr::null_mut(),
            server_name: ptr::null_mut(),
            ..f
        };
        if !f.alpn_list.is_null() {
            t.alpn_list = aws_string_new_from_string((*f.alpn_list).allocator, f.alpn_list);
            if t.alpn_list.is_null() {
                return AWS_OP_ERR;
            }
        }
        if !f.server_name.is_null() {
            t.server_name = aws_string_new_from_string((*f.server_name).allocator, f.server_name);
            if t.server_name.is_null() {
                return AWS_OP_ERR;
            }
        }
    }
    AWS_OP_SUCCESS
}

#[no_mangle]
pub unsafe extern "C" fn aws_tls_connection_options_set_callbacks(
    conn_options: *mut aws_tls_connection_options,
    on_negotiation_result: aws_tls_on_negotiation_result_fn,
    on_data_read: aws_tls_on_data_read_fn,
    on_error: aws_tls_on_error_fn,
    user_data: *mut c_void,
) {
    // SAFETY: the caller passes a valid struct.
    let c = unsafe { conn_mut(conn_options, "aws_tls_connection_options_set_callbacks") };
    c.on_negotiation_result = on_negotiation_result;
    c.on_data_read = on_data_read;
    c.on_error = on_error;
    c.user_data = user_data;
}

#[no_mangle]
pub unsafe extern "C" fn aws_tls_connection_options_set_server_name(
    conn_options: *mut aws_tls_connection_options,
    allocator: *mut aws_allocator,
    server_name: *const aws_byte_cursor,
) -> c_int {
    // SAFETY: the caller passes a valid struct.
    let c = unsafe { conn_mut(conn_options, "aws_tls_connection_options_set_server_name") };
    fatal_precondition!(
        !server_name.is_null(),
        "aws_tls_connection_options_set_server_name"
    );
    // SAFETY: the old name is NULL or owned; the cursor is valid per the caller.
    unsafe {
        aws_string_destroy(c.server_name);
        c.server_name = aws_string_new_from_cursor(allocator, server_name);
    }
    if c.server_name.is_null() {
        AWS_OP_ERR
    } else {
        AWS_OP_SUCCESS
    }
}

#[no_mangle]
pub unsafe extern "C" fn aws_tls_connection_options_set_alpn_list(
    conn_options: *mut aws_tls_connection_options,
    allocator: *mut aws_allocator,
    alpn_list: *const c_char,
) -> c_int {
    // SAFETY: the caller passes a valid struct.
    let c = unsafe { conn_mut(conn_options, "aws_tls_connection_options_set_alpn_list") };
    fatal_precondition!(
        !alpn_list.is_null(),
        "aws_tls_connection_options_set_alpn_list"
    );
    // SAFETY: the old list is NULL or owned; the new one is a C string.
    unsafe {
        aws_string_destroy(c.alpn_list);
        c.alpn_list = aws_string_new_from_c_str(allocator, alpn_list);
    }
    if c.alpn_list.is_null() {
        AWS_OP_ERR
    } else {
        AWS_OP_SUCCESS
    }
}

// ---- errors ----------------------------------------------------------------------------

/// True for the error codes of TLS negotiation and TLS contexts.
#[no_mangle]
pub extern "C" fn aws_error_code_is_tls(error_code: c_int) -> bool {
    matches!(
        error_code,
        AWS_IO_TLS_ERROR_NEGOTIATION_FAILURE
            | AWS_IO_TLS_ERROR_NOT_NEGOTIATED
            | AWS_IO_TLS_ERROR_WRITE_FAILURE
            | AWS_IO_TLS_ERROR_ALERT_RECEIVED
            | AWS_IO_TLS_CTX_ERROR
            | AWS_IO_TLS_VERSION_UNSUPPORTED
            | AWS_IO_TLS_CIPHER_PREF_UNSUPPORTED
            | AWS_IO_TLS_NEGOTIATION_TIMEOUT
            | AWS_IO_TLS_ALERT_NOT_GRACEFUL
            | AWS_IO_TLS_DIGEST_ALGORITHM_UNSUPPORTED
            | AWS_IO_TLS_SIGNATURE_ALGORITHM_UNSUPPORTED
            | AWS_IO_TLS_ERROR_READ_FAILURE
            | AWS_IO_TLS_UNKNOWN_ROOT_CERTIFICATE
            | AWS_IO_TLS_NO_ROOT_CERTIFICATE_FOUND
            | AWS_IO_TLS_CERTIFICATE_EXPIRED
            | AWS_IO_TLS_CERTIFICATE_NOT_YET_VALID
            | AWS_IO_TLS_BAD_CERTIFICATE
            | AWS_IO_TLS_PEER_CERTIFICATE_EXPIRED
            | AWS_IO_TLS_BAD_PEER_CERTIFICATE
            | AWS_IO_TLS_PEER_CERTIFICATE_REVOKED
            | AWS_IO_TLS_PEER_CERTIFICATE_UNKNOWN
            | AWS_IO_TLS_INTERNAL_ERROR
            | AWS_IO_TLS_CLOSED_GRACEFUL
            | AWS_IO_TLS_CLOSED_ABORT
            | AWS_IO_TLS_INVALID_CERTIFICATE_CHAIN
            | AWS_IO_TLS_HOST_NAME_MISMATCH
    )
}
