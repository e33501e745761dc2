//! The option initializers of other platforms (PKCS#11, PKCS#12, Windows
//! system stores, Apple keychains): upstream's Linux-build errors.
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

#[no_mangle]
pub unsafe extern "C" fn aws_tls_ctx_options_init_client_mtls_with_custom_key_operations(
    options: *mut aws_tls_ctx_options,
    allocator: *mut aws_allocator,
    custom: *mut aws_custom_key_op_handler,
    cert_file_contents: *const aws_byte_cursor,
) -> c_int {
    let _ = (allocator, custom, cert_file_contents);
    // SAFETY: forwarded caller contract.
    unsafe {
        unsupported(
            options,
            AWS_ERROR_UNIMPLEMENTED,
            "TLS with custom private key operations",
        )
    }
}

#[no_mangle]
pub unsafe extern "C" fn aws_tls_ctx_options_init_client_mtls_with_pkcs11(
    options: *mut aws_tls_ctx_options,
    allocator: *mut aws_allocator,
    pkcs11_options: *const aws_tls_ctx_pkcs11_options,
) -> c_int {
    let _ = (allocator, pkcs11_options);
    // SAFETY: forwarded caller contract.
    unsafe {
        unsupported(
            options,
            AWS_ERROR_PLATFORM_NOT_SUPPORTED,
            "TLS with PKCS#11",
        )
    }
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
