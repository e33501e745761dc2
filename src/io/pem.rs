//! `pem.h`: PEM text to DER objects, the clean-up applied to PEM files, and
//! DER certificates back to PEM. The safe core works on byte slices; the C
//! shims fill upstream's `aws_array_list` of `aws_pem_object`.
use std::ffi::CStr;
use std::os::unix::ffi::OsStrExt;

use libc::{c_char, c_int};

use crate::common::abi::*;
use crate::common::array_list;
use crate::common::byte_buf::{aws_byte_buf_clean_up_secure, cursor_bytes};
use crate::common::encoding::{base64_decode_validated, base64_to_string, base64_validate};
use crate::common::error::raise;
use crate::common::error_codes::*;
use crate::common::string::{aws_string_destroy, new_string};
use crate::io::abi::{aws_pem_object, aws_pem_object_type, enum_aws_pem_object_type};

const BEGIN: &[u8] = b"-----BEGIN";
const END: &[u8] = b"-----END";
const DASHES: &[u8] = b"-----";

/// The labels upstream knows, in its enum's order.
const LABELS: &[(&[u8], aws_pem_object_type)] = {
    use aws_pem_object_type::*;
    &[
        (b"X509 CERTIFICATE", AWS_PEM_TYPE_X509_OLD),
        (b"CERTIFICATE", AWS_PEM_TYPE_X509),
        (b"TRUSTED CERTIFICATE", AWS_PEM_TYPE_X509_TRUSTED),
        (b"NEW CERTIFICATE REQUEST", AWS_PEM_TYPE_X509_REQ_OLD),
        (b"CERTIFICATE REQUEST", AWS_PEM_TYPE_X509_REQ),
        (b"X509 CRL", AWS_PEM_TYPE_X509_CRL),
        (b"ANY PRIVATE KEY", AWS_PEM_TYPE_EVP_PKEY),
        (b"PUBLIC KEY", AWS_PEM_TYPE_PUBLIC_KEY),
        (b"RSA PRIVATE KEY", AWS_PEM_TYPE_PRIVATE_RSA_PKCS1),
        (b"RSA PUBLIC KEY", AWS_PEM_TYPE_PUBLIC_RSA_PKCS1),
        (b"DSA PRIVATE KEY", AWS_PEM_TYPE_PRIVATE_DSA_PKCS1),
        (b"DSA PUBLIC KEY", AWS_PEM_TYPE_PUBLIC_DSA_PKCS1),
        (b"PKCS7", AWS_PEM_TYPE_PKCS7),
        (b"PKCS #7 SIGNED DATA", AWS_PEM_TYPE_PKCS7_SIGNED_DATA),
        (
            b"ENCRYPTED PRIVATE KEY",
            AWS_PEM_TYPE_PRIVATE_PKCS8_ENCRYPTED,
        ),
        (b"PRIVATE KEY", AWS_PEM_TYPE_PRIVATE_PKCS8),
        (b"DH PARAMETERS", AWS_PEM_TYPE_DH_PARAMETERS),
        (b"X9.42 DH PARAMETERS", AWS_PEM_TYPE_DH_PARAMETERS_X942),
        (
            b"SSL SESSION PARAMETERS",
            AWS_PEM_TYPE_SSL_SESSION_PARAMETERS,
        ),
        (b"DSA PARAMETERS", AWS_PEM_TYPE_DSA_PARAMETERS),
        (b"ECDSA PUBLIC KEY", AWS_PEM_TYPE_ECDSA_PUBLIC),
        (b"EC PARAMETERS", AWS_PEM_TYPE_EC_PARAMETERS),
        (b"EC PRIVATE KEY", AWS_PEM_TYPE_EC_PRIVATE),
        (b"PARAMETERS", AWS_PEM_TYPE_PARAMETERS),
        (b"CMS", AWS_PEM_TYPE_CMS),
        (b"SM2 PARAMETERS", AWS_PEM_TYPE_SM2_PARAMETERS),
    ]
};

/// One decoded PEM block.
#[derive(Debug, PartialEq, Eq)]
pub struct PemObject<'a> {
    pub label: &'a [u8],
    pub kind: aws_pem_object_type,
    pub der: Vec<u8>,
}

pub fn kind_of(label: &[u8]) -> aws_pem_object_type {
    LABELS
        .iter()
        .find(|(l, _)| *l == label)
        .map_or(aws_pem_object_type::AWS_PEM_TYPE_UNKNOWN, |&(_, k)| k)
}

fn trim(line: &[u8]) -> &[u8] {
    line.trim_ascii()
}

/// Parses every `-----BEGIN X-----` ... `-----END X-----` block of `text`;
/// lines outside blocks are ignored. `None` (upstream: AWS_ERROR_PEM_MALFORMED)
/// when there is no block, a header is malformed, a block is not closed, or
/// its body is not base64. Lines may end in CRLF and carry surrounding blanks.
pub fn parse(text: &[u8]) -> Option<Vec<PemObject<'_>>> {
    let mut out = Vec::new();
    let mut open: Option<(&[u8], Vec<u8>)> = None;
    for raw in text.split(|&b| b == b'\n') {
        let line = trim(raw);
        match open.take() {
            None => {
                if line.starts_with(BEGIN) {
                    let label = line[BEGIN.len()..].strip_suffix(DASHES)?;
                    let label = label.strip_prefix(b" ")?;
                    open = Some((label, Vec::new()));
                }
            }
            Some((label, mut body)) => {
                if line.starts_with(END) {
                    let mut der = vec![0u8; base64_validate(&body)?];
                    base64_decode_validated(&body, &mut der);
                    out.push(PemObject {
                        label,
                        kind: kind_of(label),
                        der,
                    });
                } else {
                    body.extend_from_slice(line);
                    open = Some((label, body));
                }
            }
        }
    }
    (open.is_none() && !out.is_empty()).then_some(out)
}

/// Keeps only the PEM blocks of `text`, each followed by one newline. `None`
/// (upstream: AWS_ERROR_INVALID_ARGUMENT) when nothing is left or the text
/// ends inside a block.
pub fn sanitize(text: &[u8]) -> Option<Vec<u8>> {
    let mut out = Vec::with_capacity(text.len());
    let mut rest = text;
    while let Some(start) = find(rest, BEGIN) {
        rest = &rest[start..];
        let end = find(&rest[BEGIN.len()..], END)? + BEGIN.len();
        // The END line runs through its label to the next "-----".
        let label_start = end + END.len() + 1;
        if label_start > rest.len() {
            return None;
        }
        let close = find(&rest[label_start..], DASHES)? + label_start + DASHES.len();
        out.extend_from_slice(&rest[..close]);
        out.push(b'\n');
        rest = &rest[close..];
    }
    (!out.is_empty()).then_some(out)
}

fn find(hay: &[u8], needle: &[u8]) -> Option<usize> {
    hay.windows(needle.len()).position(|w| w == needle)
}

/// A DER certificate as PEM: 64-character base64 lines between CERTIFICATE markers.
pub fn der_cert_to_pem(der: &[u8]) -> Vec<u8> {
    let mut out = b"-----BEGIN CERTIFICATE-----\n".to_vec();
    for chunk in der.chunks(48) {
        out.extend_from_slice(base64_to_string(chunk, false).as_bytes());
        out.push(b'\n');
    }
    out.extend_from_slice(b"-----END CERTIFICATE-----\n");
    out
}

// ---- C API ---------------------------------------------------------------------

/// Frees every object's DER (zeroed first) and label, then the list itself.
#[no_mangle]
pub unsafe extern "C" fn aws_pem_objects_clean_up(pem_objects: *mut aws_array_list) {
    crate::fatal_precondition!(!pem_objects.is_null(), "aws_pem_objects_clean_up");
    // SAFETY: C passes a list of aws_pem_object that this module filled.
    unsafe {
        for i in 0..(*pem_objects).length {
            let obj = array_list::item_ptr::<aws_pem_object>(pem_objects, i);
            aws_byte_buf_clean_up_secure(&mut (*obj).data);
            aws_string_destroy((*obj).type_string);
        }
        array_list::clean_up(pem_objects);
    }
}

/// # Safety
/// `list` is writable; `alloc` a valid allocator.
unsafe fn fill(list: *mut aws_array_list, alloc: *mut aws_allocator, text: &[u8]) -> c_int {
    // SAFETY: per the caller.
    unsafe {
        if array_list::init_dynamic(list, alloc, 1, size_of::<aws_pem_object>()) != AWS_OP_SUCCESS {
            return AWS_OP_ERR;
        }
        let Some(objects) = parse(text) else {
            crate::aws_log!(
                AWS_LOG_LEVEL_ERROR,
                crate::io::abi::aws_io_log_subject::AWS_LS_IO_PEM,
                "Invalid PEM buffer."
            );
            aws_pem_objects_clean_up(list);
            return raise(AWS_ERROR_PEM_MALFORMED);
        };
        for o in objects {
            let mut data = aws_byte_buf {
                len: 0,
                buffer: std::ptr::null_mut(),
                capacity: 0,
                allocator: std::ptr::null_mut(),
            };
            let ok = crate::common::byte_buf::aws_byte_buf_init(&mut data, alloc, o.der.len())
                == AWS_OP_SUCCESS;
            if ok && !o.der.is_empty() {
                std::ptr::copy_nonoverlapping(o.der.as_ptr(), data.buffer, o.der.len());
                data.len = o.der.len();
            }
            let obj = aws_pem_object {
                r#type: o.kind as enum_aws_pem_object_type,
                type_string: new_string(alloc, o.label),
                data,
            };
            if !ok || obj.type_string.is_null() || array_list::push_item(list, &obj) != 0 {
                let mut obj = obj;
                aws_byte_buf_clean_up_secure(&mut obj.data);
                aws_string_destroy(obj.type_string);
                aws_pem_objects_clean_up(list);
                return AWS_OP_ERR;
            }
        }
        AWS_OP_SUCCESS
    }
}

#[no_mangle]
pub unsafe extern "C" fn aws_pem_objects_init_from_file_contents(
    pem_objects: *mut aws_array_list,
    alloc: *mut aws_allocator,
    pem_cursor: aws_byte_cursor,
) -> c_int {
    crate::fatal_precondition!(
        !pem_objects.is_null() && !alloc.is_null(),
        "aws_pem_objects_init_from_file_contents"
    );
    // SAFETY: C passes a valid cursor, list and allocator.
    unsafe { fill(pem_objects, alloc, cursor_bytes(&pem_cursor)) }
}

#[no_mangle]
pub unsafe extern "C" fn aws_pem_objects_init_from_file_path(
    pem_objects: *mut aws_array_list,
    allocator: *mut aws_allocator,
    filename: *const c_char,
) -> c_int {
    crate::fatal_precondition!(
        !pem_objects.is_null() && !allocator.is_null() && !filename.is_null(),
        "aws_pem_objects_init_from_file_path"
    );
    // SAFETY: C passes a NUL-terminated file name.
    let path = unsafe { CStr::from_ptr(filename) };
    let text = match std::fs::read(std::ffi::OsStr::from_bytes(path.to_bytes())) {
        Ok(t) => zeroizing(t),
        Err(e) => {
            return raise(crate::io::file_error::from_io(
                &e,
                AWS_ERROR_FILE_READ_FAILURE,
            ))
        }
    };
    // SAFETY: as above.
    unsafe { fill(pem_objects, allocator, &text.0) }
}

/// File bytes (maybe a private key) zeroed when dropped.
struct Zeroizing(Vec<u8>);

fn zeroizing(v: Vec<u8>) -> Zeroizing {
    Zeroizing(v)
}

impl Drop for Zeroizing {
    fn drop(&mut self) {
        for b in self.0.iter_mut() {
            // SAFETY: a valid, aligned pointer into our own Vec; volatile so the
            // zeroing is not optimised away.
            unsafe { std::ptr::write_volatile(b, 0) };
        }
    }
}

/// Replaces `pem`'s contents with only its PEM blocks (see [`sanitize`]).
#[no_mangle]
pub unsafe extern "C" fn aws_sanitize_pem(
    pem: *mut aws_byte_buf,
    allocator: *mut aws_allocator,
) -> c_int {
    let _ = allocator;
    // SAFETY: C passes a valid, growable buffer.
    unsafe {
        let buf = crate::common::byte_buf::buf_mut(pem, "aws_sanitize_pem");
        if buf.len == 0 {
            return raise(AWS_ERROR_INVALID_ARGUMENT);
        }
        let Some(clean) = sanitize(crate::common::byte_buf::buf_bytes(buf)) else {
            return raise(AWS_ERROR_INVALID_ARGUMENT);
        };
        // The clean text is never longer than the original.
        std::ptr::copy_nonoverlapping(clean.as_ptr(), buf.buffer, clean.len());
        std::ptr::write_bytes(buf.buffer.add(clean.len()), 0, buf.len - clean.len());
        buf.len = clean.len();
        AWS_OP_SUCCESS
    }
}

#[no_mangle]
pub unsafe extern "C" fn aws_der_cert_to_pem(
    alloc: *mut aws_allocator,
    der_cert: aws_byte_cursor,
) -> *mut aws_string {
    crate::fatal_precondition!(!alloc.is_null(), "aws_der_cert_to_pem");
    if der_cert.len == 0 {
        raise(AWS_ERROR_INVALID_ARGUMENT);
        return std::ptr::null_mut();
    }
    // SAFETY: C passes a valid cursor and allocator.
    unsafe { new_string(alloc, &der_cert_to_pem(cursor_bytes(&der_cert))) }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn parses_blocks_and_ignores_the_rest() {
        let text = b"junk\r\n-----BEGIN CERTIFICATE-----\r\nAAEC\r\nAw==\r\n-----END CERTIFICATE-----  \r\n\
                     -----BEGIN FOO-----\nBA==\n-----END FOO-----";
        let objs = parse(text).unwrap();
        assert_eq!(objs.len(), 2);
        assert_eq!(objs[0].label, b"CERTIFICATE");
        assert_eq!(objs[0].kind, aws_pem_object_type::AWS_PEM_TYPE_X509);
        assert_eq!(objs[0].der, vec![0, 1, 2, 3]);
        assert_eq!(objs[1].kind, aws_pem_object_type::AWS_PEM_TYPE_UNKNOWN);
        assert_eq!(objs[1].der, vec![4]);
    }

    #[test]
    fn rejects_malformed() {
        assert!(parse(b"").is_none());
        assert!(parse(b"----BEGIN CERTIFICATE-----\nAA==\n-----END CERTIFICATE-----").is_none());
        assert!(parse(b"-----BEGIN CERTIFICATE-----\nAA==\n").is_none());
        assert!(parse(b"-----BEGIN CERTIFICATE-----\nA!==\n-----END CERTIFICATE-----").is_none());
    }

    #[test]
    fn sanitizes_and_round_trips() {
        let clean = sanitize(b"# c\n-----BEGIN X-----\nAA==\n-----END X-----\n# d\n").unwrap();
        assert_eq!(clean, b"-----BEGIN X-----\nAA==\n-----END X-----\n");
        assert!(sanitize(b"no pem here").is_none());
        assert!(sanitize(b"-----BEGIN X-----\nAA==\n").is_none());
        let der: Vec<u8> = (0..100u8).collect();
        let pem = der_cert_to_pem(&der);
        assert_eq!(parse(&pem).unwrap()[0].der, der);
        assert!(pem.split(|&b| b == b'\n').all(|l| l.len() <= 64));
    }
}
