//! Custom private-key operations (`aws_custom_key_op_handler`), as
//! upstream's s2n build has them: a client context whose options carry a
//! handler (user code, or PKCS#11 through `aws_pkcs11_tls_op_handler_new`)
//! signs its TLS 1.2 CertificateVerify through it.
//!
//! - this file: the handler's ref count and dispatch, the name strings, and
//!   [`HandlerRef`] (one counted reference held by Rust);
//! - `operation`: the `aws_tls_key_operation` handed to the handler, its
//!   accessors and completion;
//! - `signer`: the rustls signing key that runs one operation per signature
//!   and waits for it.
use std::ptr::NonNull;

use libc::{c_char, c_int};

use crate::io::abi::aws_tls_hash_algorithm::*;
use crate::io::abi::aws_tls_key_operation_type::*;
use crate::io::abi::aws_tls_signature_algorithm::*;
use crate::io::abi::*;

mod operation;
mod signer;

pub use operation::*;
pub use signer::{KeyOpResolver, KeyOpSession, RemoteKey};

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

/// One reference to a C key-operation handler, released when dropped. The
/// handler is called from whichever thread signs (upstream's contract: its
/// `on_key_operation` may run on any thread).
#[derive(Debug)]
pub struct HandlerRef(NonNull<aws_custom_key_op_handler>);

// SAFETY: upstream's handlers are ref-counted atomically and are called from
// any thread; the pointer is only used through the C API.
unsafe impl Send for HandlerRef {}
// SAFETY: as above; nothing is mutated through a shared HandlerRef.
unsafe impl Sync for HandlerRef {}

impl HandlerRef {
    /// Takes a new reference to `handler`; `None` for NULL.
    ///
    /// # Safety
    /// `handler` is NULL or a live handler.
    pub unsafe fn acquire(handler: *mut aws_custom_key_op_handler) -> Option<Self> {
        // SAFETY: NULL or live per the caller.
        let h = unsafe { aws_custom_key_op_handler_acquire(handler) };
        NonNull::new(h).map(Self)
    }

    pub fn as_ptr(&self) -> *mut aws_custom_key_op_handler {
        self.0.as_ptr()
    }
}

impl Drop for HandlerRef {
    fn drop(&mut self) {
        // SAFETY: our own reference, taken in `acquire`.
        unsafe { aws_custom_key_op_handler_release(self.0.as_ptr()) };
    }
}
