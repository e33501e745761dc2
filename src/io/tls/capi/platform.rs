//! Custom key operations and PKCS#11 (as upstream's Linux build has them),
//! and the option initializers of other platforms (PKCS#12, Windows system
//! stores, Apple keychains): upstream's Linux-build errors.
use std::ptr;

use libc::{c_char, c_int};

use crate::common::abi::*;
use crate::common::error::raise;
use crate::common::error_codes::*;
use crate::common::string::aws_string_destroy;
use crate::io::abi::aws_io_log_subject::AWS_LS_IO_TLS;
use crate::io::abi::*;

use crate::common::abi::aws_log_level::AWS_LL_ERROR;

use super::*;
use crate::common::byte_buf::cursor_bytes;
use crate::io::pkcs11::tls_op_handler::aws_pkcs11_tls_op_handler_new;
use crate::io::tls::capi::{aws_tls_ctx_options_clean_up, aws_tls_ctx_options_init_default_client};
use crate::io::tls::key_ops::{
    aws_custom_key_op_handler_acquire, aws_custom_key_op_handler_release,
};

// ---- platform-specific options this build does not have ------------------------------

/// Zeroes the options and raises `code`, as upstream's Linux build does for
/// the Windows, Apple and PKCS#11 variants.
unsafe fn unsupported(options: *mut aws_tls_ctx_options, code: c_int, what: &str) -> c_int {
    if !options.is_null() {
        // SAFETY: non-NULL; the caller passes a valid options struct.
        unsafe { *options = zeroed_options() };
    }
    crate::aws_log!(
        AWS_LL_ERROR,
        AWS_LS_IO_TLS,
        "static: {what} is not supported on this platform."
    );
    raise(code)
}

// ---- custom key operations and PKCS#11 (upstream's s2n build) ----------------------------

/// Client options holding a reference to `custom` and the sanitized
/// certificate; the handler signs for the certificate's key. On failure the
/// options are cleaned up (zeroed).
#[no_mangle]
pub unsafe extern "C" fn aws_tls_ctx_options_init_client_mtls_with_custom_key_operations(
    options: *mut aws_tls_ctx_options,
    allocator: *mut aws_allocator,
    custom: *mut aws_custom_key_op_handler,
    cert_file_contents: *const aws_byte_cursor,
) -> c_int {
    const F: &str = "aws_tls_ctx_options_init_client_mtls_with_custom_key_operations";
    // Upstream asserts these; a handler without its callback would only
    // fail later, in the middle of a handshake.
    crate::fatal_precondition!(
        !custom.is_null(),
        "aws_tls_ctx_options_init_client_mtls_with_custom_key_operations"
    );
    // SAFETY: non-NULL; C passes a valid handler.
    let has_callback =
        unsafe { (*custom).vtable.as_ref() }.is_some_and(|v| v.on_key_operation.is_some());
    crate::fatal_precondition!(
        has_callback,
        "aws_tls_ctx_options_init_client_mtls_with_custom_key_operations"
    );
    // SAFETY: a valid cursor per the caller (NULL aborts).
    let cert = unsafe { cursor_arg(cert_file_contents, F) };
    // SAFETY: forwarded caller contract.
    unsafe { init_with_custom_key_operations(options, allocator, custom, cert) }
}

/// # Safety
/// `options` and `allocator` valid; `custom` a live handler.
unsafe fn init_with_custom_key_operations(
    options: *mut aws_tls_ctx_options,
    allocator: *mut aws_allocator,
    custom: *mut aws_custom_key_op_handler,
    cert: &[u8],
) -> c_int {
    // SAFETY: forwarded caller contract.
    unsafe { aws_tls_ctx_options_init_default_client(options, allocator) };
    // SAFETY: just initialized; the handler is live per the caller.
    let o = unsafe { &mut *options };
    // SAFETY: as above.
    o.custom_key_op_handler = unsafe { aws_custom_key_op_handler_acquire(custom) };
    // SAFETY: the allocator is valid per the caller.
    match unsafe { sanitized_buf(allocator, cert, "certificate") } {
        Ok(buf) => {
            o.certificate = buf;
            AWS_OP_SUCCESS
        }
        Err(()) => {
            // SAFETY: the options own the handler reference.
            unsafe { aws_tls_ctx_options_clean_up(options) };
            AWS_OP_ERR
        }
    }
}

/// Client options whose key is on a PKCS#11 token: a handler from
/// `aws_pkcs11_tls_op_handler_new` (the options hold the only reference)
/// and the certificate from `cert_file_contents` or `cert_file_path`
/// (exactly one). On failure the options are zeroed.
#[no_mangle]
pub unsafe extern "C" fn aws_tls_ctx_options_init_client_mtls_with_pkcs11(
    options: *mut aws_tls_ctx_options,
    allocator: *mut aws_allocator,
    pkcs11_options: *const aws_tls_ctx_pkcs11_options,
) -> c_int {
    crate::fatal_precondition!(
        !options.is_null() && !pkcs11_options.is_null(),
        "aws_tls_ctx_options_init_client_mtls_with_pkcs11"
    );
    // SAFETY: checked non-NULL; C passes valid structs.
    let p = unsafe {
        *options = zeroed_options();
        &*pkcs11_options
    };
    // SAFETY: the cursors and slot id are valid per the caller.
    let handler = unsafe {
        aws_pkcs11_tls_op_handler_new(
            allocator,
            p.pkcs11_lib,
            &p.user_pin,
            &p.token_label,
            &p.private_key_object_label,
            p.slot_id,
        )
    };
    if handler.is_null() {
        return AWS_OP_ERR;
    }
    let cert = if !p.cert_file_contents.ptr.is_null() && !p.cert_file_path.ptr.is_null() {
        crate::aws_log!(
            AWS_LL_ERROR,
            AWS_LS_IO_TLS,
            "static: give the certificate's contents or its file path, not both"
        );
        raise(AWS_ERROR_INVALID_ARGUMENT);
        Err(())
    } else if !p.cert_file_contents.ptr.is_null() {
        // SAFETY: a valid cursor per the caller.
        Ok(unsafe { cursor_bytes(&p.cert_file_contents) }.to_vec())
    } else {
        // SAFETY: a valid cursor per the caller (NULL: no path, an error).
        read_path(unsafe { cursor_bytes(&p.cert_file_path) })
    };
    let rc = match cert {
        // SAFETY: forwarded caller contract; the handler is live.
        Ok(cert) => unsafe { init_with_custom_key_operations(options, allocator, handler, &cert) },
        Err(()) => AWS_OP_ERR,
    };
    // The options hold their own reference (or none, on failure).
    // SAFETY: ours from aws_pkcs11_tls_op_handler_new.
    unsafe { aws_custom_key_op_handler_release(handler) };
    rc
}

#[no_mangle]
pub unsafe extern "C" fn aws_tls_ctx_options_init_client_mtls_from_system_path(
    options: *mut aws_tls_ctx_options,
    allocator: *mut aws_allocator,
    cert_reg_path: *const c_char,
) -> c_int {
    let _ = (allocator, cert_reg_path);
    // SAFETY: forwarded caller contract.
    unsafe {
        unsupported(
            options,
            AWS_ERROR_PLATFORM_NOT_SUPPORTED,
            "A system certificate path (Windows)",
        )
    }
}

#[no_mangle]
pub unsafe extern "C" fn aws_tls_ctx_options_init_default_server_from_system_path(
    options: *mut aws_tls_ctx_options,
    allocator: *mut aws_allocator,
    cert_reg_path: *const c_char,
) -> c_int {
    // SAFETY: forwarded caller contract.
    unsafe {
        aws_tls_ctx_options_init_client_mtls_from_system_path(options, allocator, cert_reg_path)
    }
}

#[no_mangle]
pub unsafe extern "C" fn aws_tls_ctx_options_init_client_mtls_pkcs12_from_path(
    options: *mut aws_tls_ctx_options,
    allocator: *mut aws_allocator,
    pkcs12_path: *const c_char,
    pkcs_pwd: *const aws_byte_cursor,
) -> c_int {
    let _ = (allocator, pkcs12_path, pkcs_pwd);
    // SAFETY: forwarded caller contract.
    unsafe { unsupported(options, AWS_ERROR_PLATFORM_NOT_SUPPORTED, "PKCS#12") }
}

#[no_mangle]
pub unsafe extern "C" fn aws_tls_ctx_options_init_client_mtls_pkcs12(
    options: *mut aws_tls_ctx_options,
    allocator: *mut aws_allocator,
    pkcs12: *mut aws_byte_cursor,
    pkcs_pwd: *mut aws_byte_cursor,
) -> c_int {
    let _ = (allocator, pkcs12, pkcs_pwd);
    // SAFETY: forwarded caller contract.
    unsafe { unsupported(options, AWS_ERROR_PLATFORM_NOT_SUPPORTED, "PKCS#12") }
}

#[no_mangle]
pub unsafe extern "C" fn aws_tls_ctx_options_init_server_pkcs12_from_path(
    options: *mut aws_tls_ctx_options,
    allocator: *mut aws_allocator,
    pkcs12_path: *const c_char,
    pkcs_password: *mut aws_byte_cursor,
) -> c_int {
    let _ = (allocator, pkcs12_path, pkcs_password);
    // SAFETY: forwarded caller contract.
    unsafe { unsupported(options, AWS_ERROR_PLATFORM_NOT_SUPPORTED, "PKCS#12") }
}

#[no_mangle]
pub unsafe extern "C" fn aws_tls_ctx_options_init_server_pkcs12(
    options: *mut aws_tls_ctx_options,
    allocator: *mut aws_allocator,
    pkcs12: *mut aws_byte_cursor,
    pkcs_password: *mut aws_byte_cursor,
) -> c_int {
    let _ = (allocator, pkcs12, pkcs_password);
    // SAFETY: forwarded caller contract.
    unsafe { unsupported(options, AWS_ERROR_PLATFORM_NOT_SUPPORTED, "PKCS#12") }
}

/// Leaves the options as they are (upstream does not zero them here).
#[no_mangle]
pub unsafe extern "C" fn aws_tls_ctx_options_set_keychain_path(
    options: *mut aws_tls_ctx_options,
    keychain_path_cursor: *mut aws_byte_cursor,
) -> c_int {
    let _ = (options, keychain_path_cursor);
    // SAFETY: NULL options are never touched.
    unsafe {
        unsupported(
            ptr::null_mut(),
            AWS_ERROR_PLATFORM_NOT_SUPPORTED,
            "A keychain path (macOS)",
        )
    }
}

/// Leaves the options as they are (upstream does not zero them here).
#[no_mangle]
pub unsafe extern "C" fn aws_tls_ctx_options_set_secitem_options(
    tls_ctx_options: *mut aws_tls_ctx_options,
    secitem_options: *const aws_secitem_options,
) -> c_int {
    let _ = (tls_ctx_options, secitem_options);
    // SAFETY: NULL options are never touched.
    unsafe {
        unsupported(
            ptr::null_mut(),
            AWS_ERROR_PLATFORM_NOT_SUPPORTED,
            "SecItem (Apple)",
        )
    }
}

#[no_mangle]
pub unsafe extern "C" fn aws_tls_secitem_options_clean_up(
    secitem_options: *mut aws_secitem_options,
) {
    // SAFETY: NULL or a valid struct per the caller.
    if let Some(s) = unsafe { secitem_options.as_mut() } {
        // SAFETY: the labels are NULL or owned strings.
        unsafe {
            aws_string_destroy(s.cert_label);
            aws_string_destroy(s.key_label);
        }
    }
}
