//! `aws_pkcs11_tls_op_handler_new`: a custom key-operation handler that
//! performs a TLS handshake's private-key operations on a PKCS#11 token.
//! All connections of a TLS context share one session (tokens allow few);
//! a lock serializes operations on it.
use std::ptr::null_mut;
use std::sync::Mutex;

use libc::{c_int, c_ulong, c_void};

use super::crypto::{one_shot, sign};
use super::cryptoki::*;
use super::library::{aws_pkcs11_lib_acquire, aws_pkcs11_lib_release, lib_ref, Pkcs11Lib};
use super::token::{aws_pkcs11_lib_close_session, choose_slot, find_key, login, open_session};
use crate::common::abi::*;
use crate::common::allocator::{drop_in, new_in};
use crate::common::byte_buf::cursor_bytes;
use crate::common::error::{last_error, raise};
use crate::common::error_codes::*;
use crate::io::abi::aws_tls_key_operation_type::*;
use crate::io::abi::*;
use crate::io::tls::key_ops::*;

/// `base` first: the C handle and the whole object share an address.
#[repr(C)]
struct Pkcs11OpHandler {
    base: aws_custom_key_op_handler,
    allocator: *mut aws_allocator,
    lib: *mut aws_pkcs11_lib,
    /// The session handle (0 until opened), locked for each operation.
    session: Mutex<c_ulong>,
    key: c_ulong,
    key_type: c_ulong,
}

static VTABLE: aws_custom_key_op_handler_vtable = aws_custom_key_op_handler_vtable {
    on_key_operation: Some(on_key_operation),
};

/// Last reference gone: closes the session, releases the lib, frees.
unsafe extern "C" fn destroy(object: *mut c_void) {
    let handler = object as *mut Pkcs11OpHandler;
    // SAFETY: `object` is the handler registered with its ref count; nobody holds it now.
    unsafe {
        let h = &*handler;
        let session = *h.session.lock().unwrap_or_else(|e| e.into_inner());
        if session != 0 {
            aws_pkcs11_lib_close_session(h.lib, session);
        }
        aws_pkcs11_lib_release(h.lib);
        drop_in(h.allocator, handler);
    }
}

/// Any thread the TLS back end calls from: decrypt or sign, then complete.
unsafe extern "C" fn on_key_operation(
    handler: *mut aws_custom_key_op_handler,
    operation: *mut aws_tls_key_operation,
) {
    // SAFETY: the vtable is only on Pkcs11OpHandlers; the operation is live until completed.
    unsafe {
        let h = &*(handler as *const Pkcs11OpHandler);
        let lib = lib_ref(h.lib, "aws_pkcs11_tls_op_handler");
        let input = aws_tls_key_operation_get_input(operation);
        let input = cursor_bytes(&input);
        let result = {
            let session = h.session.lock().unwrap_or_else(|e| e.into_inner());
            perform(h, lib, *session, operation, input)
        };
        match result {
            Ok(out) => aws_tls_key_operation_complete(
                operation,
                aws_byte_cursor {
                    len: out.len(),
                    ptr: out.as_ptr() as *mut u8,
                },
            ),
            Err(_) => aws_tls_key_operation_complete_with_error(operation, last_error()),
        }
    }
}

/// # Safety
/// `operation` is live; called with the session lock held.
unsafe fn perform(
    h: &Pkcs11OpHandler,
    lib: &Pkcs11Lib,
    session: c_ulong,
    operation: *mut aws_tls_key_operation,
    input: &[u8],
) -> Result<Vec<u8>, c_int> {
    // SAFETY: live per this fn's contract.
    let kind = unsafe { aws_tls_key_operation_get_type(operation) };
    if kind == AWS_TLS_KEY_OPERATION_DECRYPT as c_int {
        if h.key_type != CKK_RSA {
            return Err(raise(AWS_ERROR_PKCS11_KEY_TYPE_UNSUPPORTED));
        }
        let f = lib.functions();
        one_shot(
            lib,
            session,
            h.key,
            CKM_RSA_PKCS,
            (f.decrypt_init, "C_DecryptInit"),
            (f.decrypt, "C_Decrypt"),
            input,
        )
    } else if kind == AWS_TLS_KEY_OPERATION_SIGN as c_int {
        // SAFETY: live per this fn's contract.
        let (digest, signature) = unsafe {
            (
                aws_tls_key_operation_get_digest_algorithm(operation),
                aws_tls_key_operation_get_signature_algorithm(operation),
            )
        };
        sign(lib, session, h.key, h.key_type, input, digest, signature)
    } else {
        Err(raise(AWS_ERROR_INVALID_STATE))
    }
}

/// The bytes of an optional cursor: absent when the pointer or its `ptr` is NULL.
///
/// # Safety
/// `c` is NULL or a readable cursor.
unsafe fn optional<'a>(c: *const aws_byte_cursor) -> Option<&'a [u8]> {
    // SAFETY: per this fn's contract.
    unsafe {
        c.as_ref()
            .filter(|c| !c.ptr.is_null())
            .map(|c| cursor_bytes(c))
    }
}

/// A key-operation handler on the token that matches the slot ID and token
/// label (each optional), logged in with `user_pin` (optional), using the one
/// private key (labelled `match_private_key_label`, when given). NULL with the
/// failing step's error; AWS_ERROR_INVALID_ARGUMENT without a lib.
#[no_mangle]
pub unsafe extern "C" fn aws_pkcs11_tls_op_handler_new(
    allocator: *mut aws_allocator,
    pkcs11_lib: *mut aws_pkcs11_lib,
    user_pin: *const aws_byte_cursor,
    match_token_label: *const aws_byte_cursor,
    match_private_key_label: *const aws_byte_cursor,
    match_slot_id: *const u64,
) -> *mut aws_custom_key_op_handler {
    crate::fatal_precondition!(!allocator.is_null(), "aws_pkcs11_tls_op_handler_new");
    if pkcs11_lib.is_null() {
        raise(AWS_ERROR_INVALID_ARGUMENT);
        return null_mut();
    }
    // SAFETY: C passes a live lib and NULL or readable criteria.
    unsafe {
        let lib = lib_ref(pkcs11_lib, "aws_pkcs11_tls_op_handler_new");
        let slot = choose_slot(
            lib,
            match_slot_id.as_ref().copied(),
            optional(match_token_label),
        );
        let Ok(slot) = slot else { return null_mut() };
        let Ok(session) = open_session(lib, slot) else {
            return null_mut();
        };
        let key = if login(lib, session, optional(user_pin)) == AWS_OP_SUCCESS {
            find_key(lib, session, optional(match_private_key_label))
        } else {
            Err(AWS_OP_ERR)
        };
        let Ok((key, key_type)) = key else {
            let error = last_error();
            aws_pkcs11_lib_close_session(pkcs11_lib, session);
            raise(error);
            return null_mut();
        };
        let handler = new_in(
            allocator,
            Pkcs11OpHandler {
                // SAFETY: all-zero is a valid handler base, filled in below.
                base: std::mem::zeroed(),
                allocator,
                lib: aws_pkcs11_lib_acquire(pkcs11_lib),
                session: Mutex::new(session),
                key,
                key_type,
            },
        );
        (*handler).base.r#impl = handler as *mut c_void;
        (*handler).base.vtable = &VTABLE;
        (*handler)
            .base
            .ref_count
            .init(handler as *mut c_void, Some(destroy));
        &mut (*handler).base
    }
}
