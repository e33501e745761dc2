//! `aws_tls_ctx_options`: initializers, clean up and setters.

use libc::{c_char, c_int, c_void};

use crate::common::abi::*;
use crate::common::byte_buf::{aws_byte_buf_clean_up, aws_byte_buf_clean_up_secure};
use crate::common::error::raise;
use crate::common::error_codes::*;
use crate::common::string::{aws_string_destroy, aws_string_new_from_c_str};
use crate::fatal_precondition;
use crate::io::abi::aws_io_log_subject::AWS_LS_IO_TLS;
use crate::io::abi::aws_tls_cipher_pref::AWS_IO_TLS_CIPHER_PREF_SYSTEM_DEFAULT;
use crate::io::abi::aws_tls_versions::AWS_IO_TLS_VER_SYS_DEFAULTS;
use crate::io::abi::*;
use crate::io::channel::max_fragment_size;

use crate::common::abi::aws_log_level::AWS_LL_ERROR;

use super::*;

// ---- options init and clean up ----------------------------------------------------

#[no_mangle]
pub unsafe extern "C" fn aws_tls_ctx_options_init_default_client(
    options: *mut aws_tls_ctx_options,
    allocator: *mut aws_allocator,
) {
    // SAFETY: the caller passes a valid options struct.
    let o = unsafe { options_mut(options, "aws_tls_ctx_options_init_default_client") };
    *o = aws_tls_ctx_options {
        allocator,
        minimum_tls_version: AWS_IO_TLS_VER_SYS_DEFAULTS as c_int,
        cipher_pref: AWS_IO_TLS_CIPHER_PREF_SYSTEM_DEFAULT as c_int,
        max_fragment_size: max_fragment_size(),
        verify_peer: true,
        ..zeroed_options()
    };
}

#[no_mangle]
pub unsafe extern "C" fn aws_tls_ctx_options_clean_up(options: *mut aws_tls_ctx_options) {
    // SAFETY: the caller passes a valid options struct.
    let o = unsafe { options_mut(options, "aws_tls_ctx_options_clean_up") };
    // SAFETY: every field is NULL/empty or owned by the options.
    unsafe {
        aws_byte_buf_clean_up(&mut o.ca_file);
        aws_string_destroy(o.ca_path);
        aws_byte_buf_clean_up(&mut o.certificate);
        aws_byte_buf_clean_up_secure(&mut o.private_key);
        aws_string_destroy(o.alpn_list);
        crate::io::tls::key_ops::aws_custom_key_op_handler_release(o.custom_key_op_handler);
    }
    *o = zeroed_options();
}

/// Client options plus a sanitized certificate and key; on failure the
/// options are cleaned up (zeroed), as upstream leaves them.
unsafe fn init_with_identity(
    options: *mut aws_tls_ctx_options,
    allocator: *mut aws_allocator,
    cert: Result<Vec<u8>, ()>,
    key: impl FnOnce() -> Result<Vec<u8>, ()>,
) -> c_int {
    // SAFETY: forwarded caller contract.
    unsafe { aws_tls_ctx_options_init_default_client(options, allocator) };
    // SAFETY: just initialized.
    let o = unsafe { &mut *options };
    let result = (|| {
        // SAFETY: the allocator is valid per the caller.
        o.certificate = unsafe { sanitized_buf(allocator, &cert?, "certificate")? };
        // SAFETY: as above.
        o.private_key = unsafe { sanitized_buf(allocator, &key()?, "private key")? };
        Ok::<(), ()>(())
    })();
    match result {
        Ok(()) => AWS_OP_SUCCESS,
        Err(()) => {
            // SAFETY: the options own whatever was stored so far.
            unsafe { aws_tls_ctx_options_clean_up(options) };
            AWS_OP_ERR
        }
    }
}

#[no_mangle]
pub unsafe extern "C" fn aws_tls_ctx_options_init_client_mtls(
    options: *mut aws_tls_ctx_options,
    allocator: *mut aws_allocator,
    cert: *const aws_byte_cursor,
    pkey: *const aws_byte_cursor,
) -> c_int {
    const F: &str = "aws_tls_ctx_options_init_client_mtls";
    // SAFETY: the caller passes valid cursors (NULL aborts).
    let (cert, pkey) = unsafe { (cursor_arg(cert, F), cursor_arg(pkey, F)) };
    // SAFETY: forwarded caller contract.
    unsafe { init_with_identity(options, allocator, Ok(cert.to_vec()), || Ok(pkey.to_vec())) }
}

#[no_mangle]
pub unsafe extern "C" fn aws_tls_ctx_options_init_client_mtls_from_path(
    options: *mut aws_tls_ctx_options,
    allocator: *mut aws_allocator,
    cert_path: *const c_char,
    pkey_path: *const c_char,
) -> c_int {
    // SAFETY: the paths are NULL or NUL-terminated per the caller.
    unsafe {
        init_with_identity(options, allocator, read_file(cert_path), || {
            read_file(pkey_path)
        })
    }
}

#[no_mangle]
pub unsafe extern "C" fn aws_tls_ctx_options_init_default_server(
    options: *mut aws_tls_ctx_options,
    allocator: *mut aws_allocator,
    cert: *mut aws_byte_cursor,
    pkey: *mut aws_byte_cursor,
) -> c_int {
    // SAFETY: forwarded caller contract.
    if unsafe { aws_tls_ctx_options_init_client_mtls(options, allocator, cert, pkey) } != 0 {
        return AWS_OP_ERR;
    }
    // SAFETY: initialized above.
    unsafe { (*options).verify_peer = false };
    AWS_OP_SUCCESS
}

#[no_mangle]
pub unsafe extern "C" fn aws_tls_ctx_options_init_default_server_from_path(
    options: *mut aws_tls_ctx_options,
    allocator: *mut aws_allocator,
    cert_path: *const c_char,
    pkey_path: *const c_char,
) -> c_int {
    // SAFETY: forwarded caller contract.
    let rc = unsafe {
        aws_tls_ctx_options_init_client_mtls_from_path(options, allocator, cert_path, pkey_path)
    };
    if rc != AWS_OP_SUCCESS {
        return AWS_OP_ERR;
    }
    // SAFETY: initialized above.
    unsafe { (*options).verify_peer = false };
    AWS_OP_SUCCESS
}

// ---- options setters ----------------------------------------------------------------

#[no_mangle]
pub unsafe extern "C" fn aws_tls_ctx_options_set_alpn_list(
    options: *mut aws_tls_ctx_options,
    alpn_list: *const c_char,
) -> c_int {
    // SAFETY: the caller passes a valid options struct.
    let o = unsafe { options_mut(options, "aws_tls_ctx_options_set_alpn_list") };
    fatal_precondition!(!alpn_list.is_null(), "aws_tls_ctx_options_set_alpn_list");
    // SAFETY: the old list is NULL or owned; the new one is a C string.
    unsafe {
        aws_string_destroy(o.alpn_list);
        o.alpn_list = aws_string_new_from_c_str(o.allocator, alpn_list);
    }
    if o.alpn_list.is_null() {
        AWS_OP_ERR
    } else {
        AWS_OP_SUCCESS
    }
}

#[no_mangle]
pub unsafe extern "C" fn aws_tls_ctx_options_set_verify_peer(
    options: *mut aws_tls_ctx_options,
    verify_peer: bool,
) {
    // SAFETY: the caller passes a valid options struct.
    unsafe { options_mut(options, "aws_tls_ctx_options_set_verify_peer") }.verify_peer =
        verify_peer;
}

/// Stored as upstream does; rustls checks no revocation either way.
#[no_mangle]
pub unsafe extern "C" fn aws_tls_ctx_options_set_no_certificate_revocation(
    options: *mut aws_tls_ctx_options,
    no_revocation: bool,
) {
    // SAFETY: the caller passes a valid options struct.
    unsafe { options_mut(options, "aws_tls_ctx_options_set_no_certificate_revocation") }
        .no_certificate_revocation = no_revocation;
}

/// Stored as given; an unsupported preference fails at context creation.
#[no_mangle]
pub unsafe extern "C" fn aws_tls_ctx_options_set_tls_cipher_preference(
    options: *mut aws_tls_ctx_options,
    cipher_pref: enum_aws_tls_cipher_pref,
) {
    // SAFETY: the caller passes a valid options struct.
    unsafe { options_mut(options, "aws_tls_ctx_options_set_tls_cipher_preference") }.cipher_pref =
        cipher_pref;
}

/// Stored as given; an unsupported version fails at context creation.
#[no_mangle]
pub unsafe extern "C" fn aws_tls_ctx_options_set_minimum_tls_version(
    options: *mut aws_tls_ctx_options,
    minimum_tls_version: enum_aws_tls_versions,
) {
    // SAFETY: the caller passes a valid options struct.
    unsafe { options_mut(options, "aws_tls_ctx_options_set_minimum_tls_version") }
        .minimum_tls_version = minimum_tls_version;
}

#[no_mangle]
pub unsafe extern "C" fn aws_tls_ctx_options_set_extension_data(
    options: *mut aws_tls_ctx_options,
    extension_data: *mut c_void,
) {
    // SAFETY: the caller passes a valid options struct.
    unsafe { options_mut(options, "aws_tls_ctx_options_set_extension_data") }
        .ctx_options_extension = extension_data;
}

fn trust_store_set_twice() -> c_int {
    crate::aws_log!(
        AWS_LL_ERROR,
        AWS_LS_IO_TLS,
        "static: cannot override trust store multiple times"
    );
    raise(AWS_ERROR_INVALID_STATE)
}

#[no_mangle]
pub unsafe extern "C" fn aws_tls_ctx_options_override_default_trust_store(
    options: *mut aws_tls_ctx_options,
    ca_file: *const aws_byte_cursor,
) -> c_int {
    const F: &str = "aws_tls_ctx_options_override_default_trust_store";
    // SAFETY: the caller passes a valid options struct and cursor.
    let (o, ca) = unsafe { (options_mut(options, F), cursor_arg(ca_file, F)) };
    if buf_is_set(&o.ca_file) {
        return trust_store_set_twice();
    }
    // SAFETY: the options' allocator is valid.
    match unsafe { sanitized_buf(o.allocator, ca, "CA file") } {
        Ok(buf) => {
            o.ca_file = buf;
            AWS_OP_SUCCESS
        }
        Err(()) => AWS_OP_ERR,
    }
}

#[no_mangle]
pub unsafe extern "C" fn aws_tls_ctx_options_override_default_trust_store_from_path(
    options: *mut aws_tls_ctx_options,
    ca_path: *const c_char,
    ca_file: *const c_char,
) -> c_int {
    // SAFETY: the caller passes a valid options struct.
    let o = unsafe {
        options_mut(
            options,
            "aws_tls_ctx_options_override_default_trust_store_from_path",
        )
    };
    if (!ca_path.is_null() && !o.ca_path.is_null())
        || (!ca_file.is_null() && buf_is_set(&o.ca_file))
    {
        return trust_store_set_twice();
    }
    // Both are read before either is stored, so a failure changes nothing.
    let mut file_buf = None;
    if !ca_file.is_null() {
        // SAFETY: a NUL-terminated path per the caller; the allocator is valid.
        let buf =
            unsafe { read_file(ca_file).and_then(|t| sanitized_buf(o.allocator, &t, "CA file")) };
        match buf {
            Ok(b) => file_buf = Some(b),
            Err(()) => return AWS_OP_ERR,
        }
    }
    if !ca_path.is_null() {
        // SAFETY: a NUL-terminated path per the caller.
        let path = unsafe { aws_string_new_from_c_str(o.allocator, ca_path) };
        if path.is_null() {
            if let Some(mut b) = file_buf {
                // SAFETY: the buffer was made above and is not stored.
                unsafe { aws_byte_buf_clean_up_secure(&mut b) };
            }
            return AWS_OP_ERR;
        }
        o.ca_path = path;
    }
    if let Some(b) = file_buf {
        o.ca_file = b;
    }
    AWS_OP_SUCCESS
}
