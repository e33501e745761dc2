//! Private-key operations on the token: RSA PKCS#1 v1.5 decrypt, RSA
//! signatures over a DigestInfo, and ECDSA signatures re-encoded from the
//! token's raw r||s into the DER SEQUENCE TLS expects.
use std::ptr::null_mut;

use libc::{c_int, c_ulong};

use super::asn1::{der_header, der_uint_digits, rsa_digest_info_prefix};
use super::cryptoki::*;
use super::library::{lib_ref, Pkcs11Lib};
use crate::common::abi::*;
use crate::common::byte_buf::{aws_byte_buf_clean_up, aws_byte_buf_init, cursor_bytes};
use crate::common::error::raise;
use crate::common::error_codes::*;
use crate::io::abi::aws_io_log_subject::AWS_LS_IO_PKCS11;
use crate::io::abi::aws_tls_signature_algorithm::*;
use crate::io::abi::*;

type InitFn = unsafe extern "C" fn(c_ulong, *mut Mechanism, c_ulong) -> CK_RV;

/// Runs `init` then `op` twice (length, then data), as PKCS#11 one-shot
/// operations go. The operation ends with the call that fails or the last.
pub fn one_shot(
    lib: &Pkcs11Lib,
    session: c_ulong,
    key: c_ulong,
    mechanism: c_ulong,
    (init, init_name): (Option<InitFn>, &str),
    (op, op_name): (Option<OneShotFn>, &str),
    input: &[u8],
) -> Result<Vec<u8>, c_int> {
    let (Some(init), Some(op)) = (init, op) else {
        return Err(lib.raise_ck_in(Some(session), init_name, CKR_FUNCTION_NOT_SUPPORTED));
    };
    let mut mech = Mechanism {
        mechanism,
        parameter: null_mut(),
        parameter_len: 0,
    };
    // SAFETY: `mech` outlives the call.
    let rv = unsafe { init(session, &mut mech, key) };
    if rv != CKR_OK {
        return Err(lib.raise_ck_in(Some(session), init_name, rv));
    }
    let mut len: c_ulong = 0;
    // SAFETY: a NULL output asks for the length only; `input` is readable.
    let rv = unsafe {
        op(
            session,
            input.as_ptr(),
            input.len() as c_ulong,
            null_mut(),
            &mut len,
        )
    };
    if rv != CKR_OK {
        return Err(lib.raise_ck_in(Some(session), op_name, rv));
    }
    let mut out = vec![0u8; len as usize];
    // SAFETY: `out` has room for `len` bytes.
    let rv = unsafe {
        op(
            session,
            input.as_ptr(),
            input.len() as c_ulong,
            out.as_mut_ptr(),
            &mut len,
        )
    };
    if rv != CKR_OK {
        return Err(lib.raise_ck_in(Some(session), op_name, rv));
    }
    out.truncate(len as usize);
    Ok(out)
}

fn sign_raw(
    lib: &Pkcs11Lib,
    session: c_ulong,
    key: c_ulong,
    mechanism: c_ulong,
    input: &[u8],
) -> Result<Vec<u8>, c_int> {
    let f = lib.functions();
    one_shot(
        lib,
        session,
        key,
        mechanism,
        (f.sign_init, "C_SignInit"),
        (f.sign, "C_Sign"),
        input,
    )
}

/// DER INTEGER of an unsigned big-endian number.
fn der_uint(bigint: &[u8]) -> Result<Vec<u8>, c_int> {
    let (zero, digits) = der_uint_digits(bigint);
    let header = der_header(0x02, digits.len() + usize::from(zero)).ok_or_else(encoding_error)?;
    let mut out = header.to_vec();
    if zero {
        out.push(0);
    }
    out.extend_from_slice(digits);
    Ok(out)
}

fn encoding_error() -> c_int {
    crate::aws_log!(
        AWS_LOG_LEVEL_ERROR,
        AWS_LS_IO_PKCS11,
        "cannot DER-encode the ECDSA signature"
    );
    raise(AWS_ERROR_PKCS11_ENCODING_ERROR)
}

pub fn sign(
    lib: &Pkcs11Lib,
    session: c_ulong,
    key: c_ulong,
    key_type: c_ulong,
    digest: &[u8],
    digest_alg: enum_aws_tls_hash_algorithm,
    signature_alg: enum_aws_tls_signature_algorithm,
) -> Result<Vec<u8>, c_int> {
    let unsupported_signature = |want: &str| {
        crate::aws_log!(
            AWS_LOG_LEVEL_ERROR,
            AWS_LS_IO_PKCS11,
            "id={:p} session={session}: signature algorithm {signature_alg} is not supported for this key ({want} is)",
            lib
        );
        raise(AWS_IO_TLS_SIGNATURE_ALGORITHM_UNSUPPORTED)
    };
    match key_type {
        CKK_RSA => {
            if signature_alg != AWS_TLS_SIGNATURE_RSA as c_int {
                return Err(unsupported_signature("RSA"));
            }
            let Some(prefix) = rsa_digest_info_prefix(digest_alg) else {
                crate::aws_log!(
                    AWS_LOG_LEVEL_ERROR,
                    AWS_LS_IO_PKCS11,
                    "id={:p} session={session}: digest {digest_alg} is not supported for RSA signing",
                    lib
                );
                return Err(raise(AWS_IO_TLS_DIGEST_ALGORITHM_UNSUPPORTED));
            };
            // The token pads and signs; the DigestInfo says which hash it was.
            let input = [prefix, digest].concat();
            sign_raw(lib, session, key, CKM_RSA_PKCS, &input)
        }
        CKK_EC => {
            if signature_alg != AWS_TLS_SIGNATURE_ECDSA as c_int {
                return Err(unsupported_signature("ECDSA"));
            }
            let raw = sign_raw(lib, session, key, CKM_ECDSA, digest)?;
            // r and s, each as long as the curve order.
            if raw.is_empty() || raw.len() % 2 != 0 {
                return Err(encoding_error());
            }
            let (r, s) = raw.split_at(raw.len() / 2);
            let pair = [der_uint(r)?, der_uint(s)?].concat();
            let header = der_header(0x30, pair.len()).ok_or_else(encoding_error)?;
            Ok([&header[..], &pair].concat())
        }
        _ => Err(raise(AWS_ERROR_PKCS11_KEY_TYPE_UNSUPPORTED)),
    }
}

/// Moves `result` into the uninitialized `out` (exactly its length), or
/// leaves `out` zeroed and returns the raised error.
///
/// # Safety
/// `out` is writable; `allocator` is valid.
unsafe fn hand_out(
    result: Result<Vec<u8>, c_int>,
    allocator: *mut aws_allocator,
    out: *mut aws_byte_buf,
) -> c_int {
    // SAFETY: per this fn's contract; the buffer gets capacity for every byte copied.
    unsafe {
        *out = std::mem::zeroed();
        match result {
            Ok(bytes) => {
                aws_byte_buf_init(out, allocator, bytes.len());
                if !bytes.is_empty() {
                    std::ptr::copy_nonoverlapping(bytes.as_ptr(), (*out).buffer, bytes.len());
                }
                (*out).len = bytes.len();
                AWS_OP_SUCCESS
            }
            Err(e) => {
                aws_byte_buf_clean_up(out);
                e
            }
        }
    }
}

/// Decrypts with the RSA key (PKCS#1 v1.5) into `out_data`, which the caller
/// passes uninitialized and, on success, cleans up.
#[no_mangle]
pub unsafe extern "C" fn aws_pkcs11_lib_decrypt(
    pkcs11_lib: *mut aws_pkcs11_lib,
    session_handle: c_ulong,
    key_handle: c_ulong,
    key_type: c_ulong,
    encrypted_data: aws_byte_cursor,
    allocator: *mut aws_allocator,
    out_data: *mut aws_byte_buf,
) -> c_int {
    crate::fatal_precondition!(!out_data.is_null(), "aws_pkcs11_lib_decrypt");
    // SAFETY: C passes a live lib, a readable cursor, an allocator and a writable buffer.
    unsafe {
        let lib = lib_ref(pkcs11_lib, "aws_pkcs11_lib_decrypt");
        let result = if key_type == CKK_RSA {
            let f = lib.functions();
            one_shot(
                lib,
                session_handle,
                key_handle,
                CKM_RSA_PKCS,
                (f.decrypt_init, "C_DecryptInit"),
                (f.decrypt, "C_Decrypt"),
                cursor_bytes(&encrypted_data),
            )
        } else {
            Err(raise(AWS_ERROR_PKCS11_KEY_TYPE_UNSUPPORTED))
        };
        hand_out(result, allocator, out_data)
    }
}

/// Signs `digest_data` with the key into `out_signature` (passed
/// uninitialized): RSA keys take RSA signatures of SHA-1/224/256/384/512
/// digests; EC keys take ECDSA and answer a DER SEQUENCE of r and s.
#[no_mangle]
pub unsafe extern "C" fn aws_pkcs11_lib_sign(
    pkcs11_lib: *mut aws_pkcs11_lib,
    session_handle: c_ulong,
    key_handle: c_ulong,
    key_type: c_ulong,
    digest_data: aws_byte_cursor,
    allocator: *mut aws_allocator,
    digest_alg: enum_aws_tls_hash_algorithm,
    signature_alg: enum_aws_tls_signature_algorithm,
    out_signature: *mut aws_byte_buf,
) -> c_int {
    crate::fatal_precondition!(!out_signature.is_null(), "aws_pkcs11_lib_sign");
    // SAFETY: C passes a live lib, a readable cursor, an allocator and a writable buffer.
    unsafe {
        let lib = lib_ref(pkcs11_lib, "aws_pkcs11_lib_sign");
        let digest = cursor_bytes(&digest_data);
        let result = sign(
            lib,
            session_handle,
            key_handle,
            key_type,
            digest,
            digest_alg,
            signature_alg,
        );
        hand_out(result, allocator, out_signature)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn der_integers_of_ecdsa_halves() {
        assert_eq!(der_uint(&[0, 0x81]).unwrap(), vec![0x02, 0x02, 0x00, 0x81]);
        assert_eq!(der_uint(&[0, 0x01]).unwrap(), vec![0x02, 0x01, 0x01]);
        assert_eq!(der_uint(&[0, 0]).unwrap(), vec![0x02, 0x01, 0x00]);
    }
}
