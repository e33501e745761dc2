//! Custom private-key operations. This build never asks a handler to perform
//! one (`aws_tls_ctx_options_init_client_mtls_with_custom_key_operations`
//! answers AWS_ERROR_UNIMPLEMENTED, as upstream's non-s2n builds do), so the
//! operation accessors answer what upstream's do when the TLS back end has
//! no key operations: nothing happens, empty input, unknown kinds. The
//! handler's ref count and dispatch work as upstream's.
use libc::{c_char, c_int};

use crate::common::abi::*;
use crate::io::abi::aws_tls_hash_algorithm::*;
use crate::io::abi::aws_tls_key_operation_type::*;
use crate::io::abi::aws_tls_signature_algorithm::*;
use crate::io::abi::*;

#[no_mangle]
pub unsafe extern "C" fn aws_custom_key_op_handler_acquire(
    key_op_handler: *mut aws_custom_key_op_handler,
) -> *mut aws_custom_key_op_handler {
    // SAFETY: NULL or a live handler per the caller.
    if let Some(h) = unsafe { key_op_handler.as_ref() } {
        h.ref_count
            .count()
            .acquire("aws_custom_key_op_handler_acquire");
    }
    key_op_handler
}

/// Drops one reference (the last calls the handler's on-zero function);
/// always returns NULL.
#[no_mangle]
pub unsafe extern "C" fn aws_custom_key_op_handler_release(
    key_op_handler: *mut aws_custom_key_op_handler,
) -> *mut aws_custom_key_op_handler {
    // SAFETY: NULL or a live handler per the caller.
    if let Some(h) = unsafe { key_op_handler.as_ref() } {
        // SAFETY: the handler is not touched after its last release.
        unsafe {
            h.ref_count
                .release_and_notify("aws_custom_key_op_handler_release")
        };
    }
    std::ptr::null_mut()
}

#[no_mangle]
pub unsafe extern "C" fn aws_custom_key_op_handler_perform_operation(
    key_op_handler: *mut aws_custom_key_op_handler,
    operation: *mut aws_tls_key_operation,
) {
    crate::fatal_precondition!(
        !key_op_handler.is_null(),
        "aws_custom_key_op_handler_perform_operation"
    );
    // SAFETY: a live handler with a vtable per the caller.
    unsafe {
        let vtable = (*key_op_handler).vtable;
        crate::fatal_precondition!(
            !vtable.is_null(),
            "aws_custom_key_op_handler_perform_operation"
        );
        if let Some(f) = (*vtable).on_key_operation {
            f(key_op_handler, operation);
        }
    }
}

#[no_mangle]
pub extern "C" fn aws_tls_key_operation_complete(
    operation: *mut aws_tls_key_operation,
    output: aws_byte_cursor,
) {
    let _ = (operation, output);
}

#[no_mangle]
pub extern "C" fn aws_tls_key_operation_complete_with_error(
    operation: *mut aws_tls_key_operation,
    error_code: c_int,
) {
    let _ = (operation, error_code);
}

#[no_mangle]
pub extern "C" fn aws_tls_key_operation_get_input(
    operation: *const aws_tls_key_operation,
) -> aws_byte_cursor {
    let _ = operation;
    aws_byte_cursor {
        len: 0,
        ptr: std::ptr::null_mut(),
    }
}

#[no_mangle]
pub extern "C" fn aws_tls_key_operation_get_type(
    operation: *const aws_tls_key_operation,
) -> enum_aws_tls_key_operation_type {
    let _ = operation;
    AWS_TLS_KEY_OPERATION_UNKNOWN as c_int
}

#[no_mangle]
pub extern "C" fn aws_tls_key_operation_get_signature_algorithm(
    operation: *const aws_tls_key_operation,
) -> enum_aws_tls_signature_algorithm {
    let _ = operation;
    AWS_TLS_SIGNATURE_UNKNOWN as c_int
}

#[no_mangle]
pub extern "C" fn aws_tls_key_operation_get_digest_algorithm(
    operation: *const aws_tls_key_operation,
) -> enum_aws_tls_hash_algorithm {
    let _ = operation;
    AWS_TLS_HASH_UNKNOWN as c_int
}

#[no_mangle]
pub extern "C" fn aws_tls_hash_algorithm_str(hash: enum_aws_tls_hash_algorithm) -> *const c_char {
    const SHA1: c_int = AWS_TLS_HASH_SHA1 as c_int;
    const SHA224: c_int = AWS_TLS_HASH_SHA224 as c_int;
    const SHA256: c_int = AWS_TLS_HASH_SHA256 as c_int;
    const SHA384: c_int = AWS_TLS_HASH_SHA384 as c_int;
    const SHA512: c_int = AWS_TLS_HASH_SHA512 as c_int;
    match hash {
        SHA1 => c"SHA1",
        SHA224 => c"SHA224",
        SHA256 => c"SHA256",
        SHA384 => c"SHA384",
        SHA512 => c"SHA512",
        _ => c"<UNKNOWN HASH ALGORITHM>",
    }
    .as_ptr()
}

#[no_mangle]
pub extern "C" fn aws_tls_signature_algorithm_str(
    signature: enum_aws_tls_signature_algorithm,
) -> *const c_char {
    const RSA: c_int = AWS_TLS_SIGNATURE_RSA as c_int;
    const ECDSA: c_int = AWS_TLS_SIGNATURE_ECDSA as c_int;
    match signature {
        RSA => c"RSA",
        ECDSA => c"ECDSA",
        _ => c"<UNKNOWN SIGNATURE ALGORITHM>",
    }
    .as_ptr()
}

#[no_mangle]
pub extern "C" fn aws_tls_key_operation_type_str(
    operation_type: enum_aws_tls_key_operation_type,
) -> *const c_char {
    const SIGN: c_int = AWS_TLS_KEY_OPERATION_SIGN as c_int;
    const DECRYPT: c_int = AWS_TLS_KEY_OPERATION_DECRYPT as c_int;
    match operation_type {
        SIGN => c"SIGN",
        DECRYPT => c"DECRYPT",
        _ => c"<UNKNOWN OPERATION TYPE>",
    }
    .as_ptr()
}
