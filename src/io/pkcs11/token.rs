//! Finding the token and the key: slot choice, sessions, login and the
//! private-key search of `pkcs11_private.h`.
use std::ptr::null_mut;

use libc::{c_int, c_ulong, c_void};

use super::cryptoki::*;
use super::library::{ck_call, lib_ref, trim_padding, Pkcs11Lib};
use crate::common::abi::*;
use crate::common::error::raise;
use crate::common::error_codes::*;
use crate::common::string::string_bytes;
use crate::io::abi::aws_io_log_subject::AWS_LS_IO_PKCS11;
use crate::io::abi::*;

/// The one slot with a token that matches `slot_id` and `label` (each when
/// given), or the error to raise.
// CK_ULONG is 64-bit here but not on every ABI: the cast is kept on purpose.
#[allow(clippy::unnecessary_cast)]
pub fn choose_slot(
    lib: &Pkcs11Lib,
    slot_id: Option<u64>,
    label: Option<&[u8]>,
) -> Result<c_ulong, c_int> {
    let mut count: c_ulong = 0;
    // SAFETY: a NULL list asks for the count only.
    let rv = unsafe { ck_call!(lib, get_slot_list(CK_TRUE, null_mut(), &mut count)) };
    if rv != CKR_OK {
        return Err(lib.raise_ck("C_GetSlotList", rv));
    }
    if count == 0 {
        crate::aws_log!(
            AWS_LOG_LEVEL_ERROR,
            AWS_LS_IO_PKCS11,
            "id={:p}: no PKCS#11 token in any slot",
            lib
        );
        return Err(raise(AWS_ERROR_PKCS11_TOKEN_NOT_FOUND));
    }
    let mut slots: Vec<c_ulong> = vec![0; count as usize];
    // SAFETY: `slots` has room for `count` IDs.
    let rv = unsafe { ck_call!(lib, get_slot_list(CK_TRUE, slots.as_mut_ptr(), &mut count)) };
    if rv != CKR_OK {
        return Err(lib.raise_ck("C_GetSlotList", rv));
    }
    slots.truncate(count as usize);
    let mut chosen = None;
    for slot in slots {
        if slot_id.is_some_and(|want| want != slot as u64) {
            continue;
        }
        // SAFETY: all-zero is a valid CK_TOKEN_INFO to fill.
        let mut info: TokenInfo = unsafe { std::mem::zeroed() };
        // SAFETY: `info` is writable for the call.
        let rv = unsafe { ck_call!(lib, get_token_info(slot, &mut info)) };
        if rv != CKR_OK {
            return Err(lib.raise_ck("C_GetTokenInfo", rv));
        }
        if label.is_some_and(|want| want != trim_padding(&info.label)) {
            continue;
        }
        if chosen.is_some() {
            crate::aws_log!(
                AWS_LOG_LEVEL_ERROR,
                AWS_LS_IO_PKCS11,
                "id={:p}: several PKCS#11 tokens match the search",
                lib
            );
            return Err(raise(AWS_ERROR_PKCS11_TOKEN_NOT_FOUND));
        }
        crate::aws_log!(
            AWS_LOG_LEVEL_DEBUG,
            AWS_LS_IO_PKCS11,
            "id={:p}: token in slot {slot}: label '{}' model '{}' serial '{}' flags 0x{:08X}",
            lib,
            String::from_utf8_lossy(trim_padding(&info.label)),
            String::from_utf8_lossy(trim_padding(&info.model)),
            String::from_utf8_lossy(trim_padding(&info.serial_number)),
            info.flags
        );
        chosen = Some(slot);
    }
    chosen.ok_or_else(|| {
        crate::aws_log!(
            AWS_LOG_LEVEL_ERROR,
            AWS_LS_IO_PKCS11,
            "id={:p}: no PKCS#11 token matches the search",
            lib
        );
        raise(AWS_ERROR_PKCS11_TOKEN_NOT_FOUND)
    })
}

/// Picks the single slot holding a token that matches `*match_slot_id` and
/// `match_token_label` (each when non-NULL); AWS_ERROR_PKCS11_TOKEN_NOT_FOUND
/// when none or several do.
#[no_mangle]
pub unsafe extern "C" fn aws_pkcs11_lib_find_slot_with_token(
    pkcs11_lib: *mut aws_pkcs11_lib,
    match_slot_id: *const u64,
    match_token_label: *const aws_string,
    out_slot_id: *mut c_ulong,
) -> c_int {
    // SAFETY: C passes a live lib, NULL or readable criteria and a writable out-param.
    unsafe {
        let lib = lib_ref(pkcs11_lib, "aws_pkcs11_lib_find_slot_with_token");
        let label = (!match_token_label.is_null()).then(|| string_bytes(match_token_label));
        match choose_slot(lib, match_slot_id.as_ref().copied(), label) {
            Ok(slot) => {
                *out_slot_id = slot;
                AWS_OP_SUCCESS
            }
            Err(e) => e,
        }
    }
}

/// Opens a serial session on `slot`.
pub fn open_session(lib: &Pkcs11Lib, slot: c_ulong) -> Result<c_ulong, c_int> {
    let mut session = CK_INVALID_HANDLE;
    // SAFETY: `session` is writable for the call.
    let rv = unsafe {
        ck_call!(
            lib,
            open_session(
                slot,
                CKF_SERIAL_SESSION,
                null_mut(),
                null_mut(),
                &mut session
            )
        )
    };
    if rv != CKR_OK {
        return Err(lib.raise_ck("C_OpenSession", rv));
    }
    crate::aws_log!(
        AWS_LOG_LEVEL_DEBUG,
        AWS_LS_IO_PKCS11,
        "id={:p} session={session}: opened on slot {slot}",
        lib
    );
    Ok(session)
}

#[no_mangle]
pub unsafe extern "C" fn aws_pkcs11_lib_open_session(
    pkcs11_lib: *mut aws_pkcs11_lib,
    slot_id: c_ulong,
    out_session_handle: *mut c_ulong,
) -> c_int {
    // SAFETY: C passes a live lib and a writable out-param.
    unsafe {
        match open_session(lib_ref(pkcs11_lib, "aws_pkcs11_lib_open_session"), slot_id) {
            Ok(session) => {
                *out_session_handle = session;
                AWS_OP_SUCCESS
            }
            Err(e) => e,
        }
    }
}

/// Closes the session; a failure is only logged.
#[no_mangle]
pub unsafe extern "C" fn aws_pkcs11_lib_close_session(
    pkcs11_lib: *mut aws_pkcs11_lib,
    session_handle: c_ulong,
) {
    // SAFETY: C passes a live lib.
    let lib = unsafe { lib_ref(pkcs11_lib, "aws_pkcs11_lib_close_session") };
    // SAFETY: plain values.
    let rv = unsafe { ck_call!(lib, close_session(session_handle)) };
    if rv != CKR_OK {
        crate::aws_log!(
            AWS_LOG_LEVEL_WARN,
            AWS_LS_IO_PKCS11,
            "id={:p} session={session_handle}: ignoring C_CloseSession() failure {} (0x{rv:08X})",
            lib,
            return_value_name(rv).to_string_lossy()
        );
    }
}

/// Logs the user in (PIN optional); "already logged in" is success.
pub fn login(lib: &Pkcs11Lib, session: c_ulong, pin: Option<&[u8]>) -> c_int {
    let (ptr, len) = pin.map_or((std::ptr::null(), 0), |p| (p.as_ptr(), p.len()));
    // SAFETY: the PIN (if any) is readable for the call.
    let rv = unsafe { ck_call!(lib, login(session, CKU_USER, ptr, len as c_ulong)) };
    if rv != CKR_OK && rv != CKR_USER_ALREADY_LOGGED_IN {
        return lib.raise_ck_in(Some(session), "C_Login", rv);
    }
    AWS_OP_SUCCESS
}

#[no_mangle]
pub unsafe extern "C" fn aws_pkcs11_lib_login_user(
    pkcs11_lib: *mut aws_pkcs11_lib,
    session_handle: c_ulong,
    optional_user_pin: *const aws_string,
) -> c_int {
    // SAFETY: C passes a live lib and NULL or a live string.
    unsafe {
        let pin = (!optional_user_pin.is_null()).then(|| string_bytes(optional_user_pin));
        login(
            lib_ref(pkcs11_lib, "aws_pkcs11_lib_login_user"),
            session_handle,
            pin,
        )
    }
}

/// The single private key (labelled `label`, when given): handle and type.
pub fn find_key(
    lib: &Pkcs11Lib,
    session: c_ulong,
    label: Option<&[u8]>,
) -> Result<(c_ulong, c_ulong), c_int> {
    let mut class = CKO_PRIVATE_KEY;
    let mut template = vec![Attribute {
        kind: CKA_CLASS,
        value: &mut class as *mut c_ulong as *mut c_void,
        value_len: std::mem::size_of::<c_ulong>() as c_ulong,
    }];
    if let Some(label) = label {
        template.push(Attribute {
            kind: CKA_LABEL,
            value: label.as_ptr() as *mut c_void,
            value_len: label.len() as c_ulong,
        });
    }
    // SAFETY: the template and what it points to outlive the search.
    let rv = unsafe {
        ck_call!(
            lib,
            find_objects_init(session, template.as_mut_ptr(), template.len() as c_ulong)
        )
    };
    if rv != CKR_OK {
        return Err(lib.raise_ck_in(Some(session), "C_FindObjectsInit", rv));
    }
    // Two at most: a second match is an error.
    let mut found = [CK_INVALID_HANDLE; 2];
    let mut count: c_ulong = 0;
    // SAFETY: `found` has room for 2 handles.
    let rv = unsafe {
        ck_call!(
            lib,
            find_objects(session, found.as_mut_ptr(), 2, &mut count)
        )
    };
    let result = if rv != CKR_OK {
        Err(lib.raise_ck_in(Some(session), "C_FindObjects", rv))
    } else if count == 0 || found[0] == CK_INVALID_HANDLE || count > 1 {
        crate::aws_log!(
            AWS_LOG_LEVEL_ERROR,
            AWS_LS_IO_PKCS11,
            "id={:p} session={session}: {} private keys match the search, want one",
            lib,
            count
        );
        Err(raise(AWS_ERROR_PKCS11_KEY_NOT_FOUND))
    } else {
        key_type(lib, session, found[0]).map(|t| (found[0], t))
    };
    // SAFETY: plain values; the search was initialized above.
    let rv = unsafe { ck_call!(lib, find_objects_final(session)) };
    if rv != CKR_OK && result.is_ok() {
        return Err(lib.raise_ck_in(Some(session), "C_FindObjectsFinal", rv));
    }
    result
}

/// The key's CKA_KEY_TYPE, which must be RSA or EC.
fn key_type(lib: &Pkcs11Lib, session: c_ulong, key: c_ulong) -> Result<c_ulong, c_int> {
    let mut key_type: c_ulong = 0;
    let mut attr = Attribute {
        kind: CKA_KEY_TYPE,
        value: &mut key_type as *mut c_ulong as *mut c_void,
        value_len: std::mem::size_of::<c_ulong>() as c_ulong,
    };
    // SAFETY: `attr` and `key_type` outlive the call.
    let rv = unsafe { ck_call!(lib, get_attribute_value(session, key, &mut attr, 1)) };
    if rv != CKR_OK {
        return Err(lib.raise_ck_in(Some(session), "C_GetAttributeValue", rv));
    }
    if key_type != CKK_RSA && key_type != CKK_EC {
        crate::aws_log!(
            AWS_LOG_LEVEL_ERROR,
            AWS_LS_IO_PKCS11,
            "id={:p} session={session}: private key type 0x{key_type:08X} is not supported (RSA and EC are)",
            lib
        );
        return Err(raise(AWS_ERROR_PKCS11_KEY_TYPE_UNSUPPORTED));
    }
    Ok(key_type)
}

/// Finds the single private key (labelled `match_label`, when non-NULL);
/// AWS_ERROR_PKCS11_KEY_NOT_FOUND when none or several match,
/// AWS_ERROR_PKCS11_KEY_TYPE_UNSUPPORTED unless it is RSA or EC.
#[no_mangle]
pub unsafe extern "C" fn aws_pkcs11_lib_find_private_key(
    pkcs11_lib: *mut aws_pkcs11_lib,
    session_handle: c_ulong,
    match_label: *const aws_string,
    out_key_handle: *mut c_ulong,
    out_key_type: *mut c_ulong,
) -> c_int {
    // SAFETY: C passes a live lib, NULL or a live label and writable out-params.
    unsafe {
        let lib = lib_ref(pkcs11_lib, "aws_pkcs11_lib_find_private_key");
        let label = (!match_label.is_null()).then(|| string_bytes(match_label));
        match find_key(lib, session_handle, label) {
            Ok((key, kind)) => {
                *out_key_handle = key;
                *out_key_type = kind;
                AWS_OP_SUCCESS
            }
            Err(e) => e,
        }
    }
}
