//! The `aws_tls_*` C API of options, contexts and connection options. The
//! option structs hold exactly what upstream's hold (sanitized PEM in byte
//! buffers, `aws_string`s), so C code reading them sees the same values;
//! contexts are built from them by `config::build`.
use std::ffi::{CStr, OsStr};
use std::os::unix::ffi::OsStrExt;
use std::path::Path;
use std::ptr;

use libc::{c_char, c_int, c_void};

use super::config::{self, Side, TlsOptions};
use super::{ctx, pem};
use crate::common::abi::*;
use crate::common::byte_buf::{
    aws_byte_buf_clean_up, aws_byte_buf_clean_up_secure, aws_byte_buf_init_copy_from_cursor,
    buf_bytes, cursor_bytes,
};
use crate::common::error::{raise, raise_io_error};
use crate::common::error_codes::*;
use crate::common::string::{
    aws_string_destroy, aws_string_new_from_c_str, aws_string_new_from_cursor,
    aws_string_new_from_string, string_bytes,
};
use crate::fatal_precondition;
use crate::io::abi::aws_io_log_subject::AWS_LS_IO_TLS;
use crate::io::abi::aws_tls_cipher_pref::AWS_IO_TLS_CIPHER_PREF_SYSTEM_DEFAULT;
use crate::io::abi::aws_tls_versions::AWS_IO_TLS_VER_SYS_DEFAULTS;
use crate::io::abi::*;
use crate::io::channel::max_fragment_size;
use crate::io::library::aws_io_fatal_assert_library_initialized;

use crate::common::abi::aws_log_level::{AWS_LL_ERROR, AWS_LL_WARN};

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
    let Some(clean) = pem::sanitize(text) else {
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
    if path.is_empty() {
        raise(AWS_ERROR_FILE_INVALID_PATH);
        return Err(());
    }
    std::fs::read(Path::new(OsStr::from_bytes(path.to_bytes()))).map_err(|e| {
        let errno = e.raw_os_error().unwrap_or(0);
        raise_io_error(errno, AWS_ERROR_FILE_OPEN_FAILURE);
        crate::aws_log!(
            AWS_LL_ERROR,
            AWS_LS_IO_TLS,
            "static: Failed to read file {}: {e}",
            path.to_string_lossy()
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
        super::key_ops::aws_custom_key_op_handler_release(o.custom_key_op_handler);
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
            custom_key_op: !o.custom_key_op_handler.is_null(),
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
