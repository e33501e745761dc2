//! The DER pieces PKCS#11 signing needs: the DigestInfo prefix an RSA
//! PKCS#1 v1.5 signature wraps around a digest (RFC 8017 §9.2, note 1), and
//! the INTEGER encoding of the r and s halves of an ECDSA signature.
use libc::c_int;

use crate::common::abi::*;
use crate::common::byte_buf::aws_byte_buf_write;
use crate::common::byte_buf::buf_mut;
use crate::common::error::raise;
use crate::common::error_codes::*;
use crate::io::abi::aws_tls_hash_algorithm::*;
use crate::io::abi::*;

// DigestInfo ::= SEQUENCE { AlgorithmIdentifier { OID, NULL }, OCTET STRING (digest follows) }
static SHA1_PREFIX: [u8; 15] = [
    0x30, 0x21, 0x30, 0x09, 0x06, 0x05, 0x2b, 0x0e, 0x03, 0x02, 0x1a, 0x05, 0x00, 0x04, 0x14,
];
static SHA224_PREFIX: [u8; 19] = [
    0x30, 0x2d, 0x30, 0x0d, 0x06, 0x09, 0x60, 0x86, 0x48, 0x01, 0x65, 0x03, 0x04, 0x02, 0x04, 0x05,
    0x00, 0x04, 0x1c,
];
static SHA256_PREFIX: [u8; 19] = [
    0x30, 0x31, 0x30, 0x0d, 0x06, 0x09, 0x60, 0x86, 0x48, 0x01, 0x65, 0x03, 0x04, 0x02, 0x01, 0x05,
    0x00, 0x04, 0x20,
];
static SHA384_PREFIX: [u8; 19] = [
    0x30, 0x41, 0x30, 0x0d, 0x06, 0x09, 0x60, 0x86, 0x48, 0x01, 0x65, 0x03, 0x04, 0x02, 0x02, 0x05,
    0x00, 0x04, 0x30,
];
static SHA512_PREFIX: [u8; 19] = [
    0x30, 0x51, 0x30, 0x0d, 0x06, 0x09, 0x60, 0x86, 0x48, 0x01, 0x65, 0x03, 0x04, 0x02, 0x03, 0x05,
    0x00, 0x04, 0x40,
];

/// The DigestInfo prefix for `digest`, or None for a digest RSA signing here
/// does not support.
pub fn rsa_digest_info_prefix(digest: enum_aws_tls_hash_algorithm) -> Option<&'static [u8]> {
    const SHA1: c_int = AWS_TLS_HASH_SHA1 as c_int;
    const SHA224: c_int = AWS_TLS_HASH_SHA224 as c_int;
    const SHA256: c_int = AWS_TLS_HASH_SHA256 as c_int;
    const SHA384: c_int = AWS_TLS_HASH_SHA384 as c_int;
    const SHA512: c_int = AWS_TLS_HASH_SHA512 as c_int;
    match digest {
        SHA1 => Some(&SHA1_PREFIX),
        SHA224 => Some(&SHA224_PREFIX),
        SHA256 => Some(&SHA256_PREFIX),
        SHA384 => Some(&SHA384_PREFIX),
        SHA512 => Some(&SHA512_PREFIX),
        _ => None,
    }
}

/// Short-form DER header; None where the short form cannot say it (a
/// multi-byte tag or a length over 127), which upstream does not encode either.
pub fn der_header(tag: u8, len: usize) -> Option<[u8; 2]> {
    (tag & 0x1f != 0x1f && len <= 0x7f).then_some([tag, len as u8])
}

/// The minimal unsigned big-endian magnitude of `bigint` as DER INTEGER
/// content: leading zeros dropped, one zero added when the top bit is set or
/// the value is zero. Returns (needs a leading zero, digits).
pub fn der_uint_digits(bigint: &[u8]) -> (bool, &[u8]) {
    let first = bigint.iter().position(|&b| b != 0).unwrap_or(bigint.len());
    let digits = &bigint[first..];
    (digits.first().is_none_or(|&b| b & 0x80 != 0), digits)
}

/// Appends `bytes` to `buf` if they all fit.
///
/// # Safety
/// `buf` is a valid byte buffer.
pub unsafe fn append(buf: *mut aws_byte_buf, bytes: &[u8]) -> bool {
    // SAFETY: per this fn's contract; `bytes` is a live slice.
    unsafe { aws_byte_buf_write(buf, bytes.as_ptr(), bytes.len()) }
}

/// Writes `[tag, len]` to `buf`; AWS_ERROR_PKCS11_ENCODING_ERROR if it cannot
/// be encoded or does not fit.
///
/// # Safety
/// `buf` is a valid byte buffer.
pub unsafe fn write_header(buf: *mut aws_byte_buf, tag: u8, len: usize) -> c_int {
    // SAFETY: per this fn's contract.
    match der_header(tag, len).filter(|h| unsafe { append(buf, h) }) {
        Some(_) => AWS_OP_SUCCESS,
        None => {
            crate::aws_log!(
                AWS_LOG_LEVEL_ERROR,
                aws_io_log_subject::AWS_LS_IO_PKCS11,
                "cannot write ASN.1 (DER) header 0x{tag:02x} of length {len}"
            );
            raise(AWS_ERROR_PKCS11_ENCODING_ERROR)
        }
    }
}

/// Writes the DigestInfo prefix for `digest_alg` to `*out_prefix`.
#[no_mangle]
pub unsafe extern "C" fn aws_get_prefix_to_rsa_sig(
    digest_alg: enum_aws_tls_hash_algorithm,
    out_prefix: *mut aws_byte_cursor,
) -> c_int {
    let Some(prefix) = rsa_digest_info_prefix(digest_alg) else {
        return raise(AWS_IO_TLS_DIGEST_ALGORITHM_UNSUPPORTED);
    };
    crate::fatal_precondition!(!out_prefix.is_null(), "aws_get_prefix_to_rsa_sig");
    // SAFETY: C passes a writable cursor; the prefix is static.
    unsafe {
        *out_prefix = aws_byte_cursor {
            len: prefix.len(),
            ptr: prefix.as_ptr() as *mut u8,
        };
    }
    AWS_OP_SUCCESS
}

/// Appends `bigint` (big-endian, unsigned, maybe zero-padded) to `buffer` as
/// a DER INTEGER. Each piece (header, sign byte, digits) is written whole or
/// not at all; AWS_ERROR_PKCS11_ENCODING_ERROR when one does not fit.
#[no_mangle]
pub unsafe extern "C" fn aws_pkcs11_asn1_enc_ubigint(
    buffer: *mut aws_byte_buf,
    bigint: aws_byte_cursor,
) -> c_int {
    // SAFETY: C passes a valid buffer and a readable cursor.
    unsafe {
        buf_mut(buffer, "aws_pkcs11_asn1_enc_ubigint");
        let bytes = crate::common::byte_buf::cursor_bytes(&bigint);
        let (zero, digits) = der_uint_digits(bytes);
        let len = digits.len() + usize::from(zero);
        if write_header(buffer, 0x02, len) != AWS_OP_SUCCESS {
            return AWS_OP_ERR;
        }
        if (zero && !append(buffer, &[0])) || !append(buffer, digits) {
            crate::aws_log!(
                AWS_LOG_LEVEL_ERROR,
                aws_io_log_subject::AWS_LS_IO_PKCS11,
                "buffer too small for a DER big integer of length {len}"
            );
            return raise(AWS_ERROR_PKCS11_ENCODING_ERROR);
        }
    }
    AWS_OP_SUCCESS
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn uint_digits_are_minimal_and_unsigned() {
        assert_eq!(der_uint_digits(&[0, 0, 0x12]), (false, &[0x12][..]));
        assert_eq!(der_uint_digits(&[0, 0x80, 1]), (true, &[0x80, 1][..]));
        assert_eq!(der_uint_digits(&[0, 0]), (true, &[][..]));
        assert_eq!(der_uint_digits(&[]), (true, &[][..]));
        assert_eq!(der_uint_digits(&[0x7f]), (false, &[0x7f][..]));
    }

    #[test]
    fn headers_use_the_short_form_only() {
        assert_eq!(der_header(0x02, 0x7f), Some([0x02, 0x7f]));
        assert_eq!(der_header(0x02, 0x80), None);
        assert_eq!(der_header(0x1f, 1), None);
    }

    #[test]
    fn prefixes_end_with_the_digest_length() {
        for (alg, len) in [
            (AWS_TLS_HASH_SHA1, 20),
            (AWS_TLS_HASH_SHA224, 28),
            (AWS_TLS_HASH_SHA256, 32),
            (AWS_TLS_HASH_SHA384, 48),
            (AWS_TLS_HASH_SHA512, 64),
        ] {
            let p = rsa_digest_info_prefix(alg as c_int).unwrap();
            assert_eq!(*p.last().unwrap() as usize, len);
            assert_eq!(p[1] as usize, p.len() - 2 + len);
        }
        assert!(rsa_digest_info_prefix(AWS_TLS_HASH_UNKNOWN as c_int).is_none());
    }
}
