//! The parts of the PKCS#11 (Cryptoki v2.x) C interface this crate calls:
//! the function table a module hands out, the few structs and constants the
//! key-finding and signing calls use, and every CKR_* return value with its
//! name. Layouts are those of the standard's `pkcs11.h` on Unix (natural
//! alignment, `CK_ULONG` = `unsigned long`).
use std::ffi::CStr;

use libc::{c_uchar, c_ulong, c_void};

pub(crate) type CK_ULONG = c_ulong;
pub(crate) type CK_RV = c_ulong;

pub(crate) const CKR_OK: CK_RV = 0;
pub(crate) const CKR_FUNCTION_NOT_SUPPORTED: CK_RV = 0x54;
pub(crate) const CKR_USER_ALREADY_LOGGED_IN: CK_RV = 0x100;
pub(crate) const CKR_CRYPTOKI_ALREADY_INITIALIZED: CK_RV = 0x191;
pub(crate) const CKR_GENERAL_ERROR: CK_RV = 0x5;

pub(crate) const CK_TRUE: c_uchar = 1;
pub(crate) const CK_INVALID_HANDLE: CK_ULONG = 0;
pub(crate) const CKF_OS_LOCKING_OK: CK_ULONG = 0x2;
pub(crate) const CKF_SERIAL_SESSION: CK_ULONG = 0x4;
pub(crate) const CKU_USER: CK_ULONG = 1;
pub(crate) const CKO_PRIVATE_KEY: CK_ULONG = 3;
pub(crate) const CKA_CLASS: CK_ULONG = 0;
pub(crate) const CKA_LABEL: CK_ULONG = 3;
pub(crate) const CKA_KEY_TYPE: CK_ULONG = 0x100;
pub(crate) const CKK_RSA: CK_ULONG = 0;
pub(crate) const CKK_EC: CK_ULONG = 3;
pub(crate) const CKM_RSA_PKCS: CK_ULONG = 1;
pub(crate) const CKM_ECDSA: CK_ULONG = 0x1041;

#[repr(C)]
#[derive(Clone, Copy, Default)]
pub struct Version {
    pub major: u8,
    pub minor: u8,
}

#[repr(C)]
pub struct Info {
    pub cryptoki_version: Version,
    pub manufacturer_id: [u8; 32],
    pub flags: CK_ULONG,
    pub library_description: [u8; 32],
    pub library_version: Version,
}

#[repr(C)]
pub struct TokenInfo {
    pub label: [u8; 32],
    pub manufacturer_id: [u8; 32],
    pub model: [u8; 16],
    pub serial_number: [u8; 16],
    pub flags: CK_ULONG,
    /// Session counts and limits, PIN lengths, memory sizes: not read here.
    pub counts: [CK_ULONG; 10],
    pub hardware_version: Version,
    pub firmware_version: Version,
    pub utc_time: [u8; 16],
}

#[repr(C)]
pub struct Attribute {
    pub kind: CK_ULONG,
    pub value: *mut c_void,
    pub value_len: CK_ULONG,
}

#[repr(C)]
pub struct Mechanism {
    pub mechanism: CK_ULONG,
    pub parameter: *mut c_void,
    pub parameter_len: CK_ULONG,
}

pub(crate) type CreateMutexFn = unsafe extern "C" fn(mutex: *mut *mut c_void) -> CK_RV;
pub(crate) type MutexFn = unsafe extern "C" fn(mutex: *mut c_void) -> CK_RV;

#[repr(C)]
pub struct InitializeArgs {
    pub create_mutex: Option<CreateMutexFn>,
    pub destroy_mutex: Option<MutexFn>,
    pub lock_mutex: Option<MutexFn>,
    pub unlock_mutex: Option<MutexFn>,
    pub flags: CK_ULONG,
    pub reserved: *mut c_void,
}

pub(crate) type GetFunctionListFn = unsafe extern "C" fn(list: *mut *mut FunctionList) -> CK_RV;
/// A table entry this crate never calls.
type Unused = Option<unsafe extern "C" fn()>;
type Session = CK_ULONG;
type Object = CK_ULONG;

/// `CK_FUNCTION_LIST`: the version, then every function in the standard's order.
#[repr(C)]
pub struct FunctionList {
    pub version: Version,
    pub initialize: Option<unsafe extern "C" fn(args: *mut c_void) -> CK_RV>,
    pub finalize: Option<unsafe extern "C" fn(reserved: *mut c_void) -> CK_RV>,
    pub get_info: Option<unsafe extern "C" fn(info: *mut Info) -> CK_RV>,
    get_function_list: Unused,
    pub get_slot_list: Option<
        unsafe extern "C" fn(
            token_present: c_uchar,
            list: *mut CK_ULONG,
            count: *mut CK_ULONG,
        ) -> CK_RV,
    >,
    get_slot_info: Unused,
    pub get_token_info: Option<unsafe extern "C" fn(slot: CK_ULONG, info: *mut TokenInfo) -> CK_RV>,
    get_mechanism_list: Unused,
    get_mechanism_info: Unused,
    init_token: Unused,
    init_pin: Unused,
    set_pin: Unused,
    pub open_session: Option<
        unsafe extern "C" fn(
            slot: CK_ULONG,
            flags: CK_ULONG,
            application: *mut c_void,
            notify: *mut c_void,
            session: *mut Session,
        ) -> CK_RV,
    >,
    pub close_session: Option<unsafe extern "C" fn(session: Session) -> CK_RV>,
    close_all_sessions: Unused,
    get_session_info: Unused,
    get_operation_state: Unused,
    set_operation_state: Unused,
    pub login: Option<
        unsafe extern "C" fn(
            session: Session,
            user: CK_ULONG,
            pin: *const u8,
            pin_len: CK_ULONG,
        ) -> CK_RV,
    >,
    logout: Unused,
    create_object: Unused,
    copy_object: Unused,
    destroy_object: Unused,
    get_object_size: Unused,
    pub get_attribute_value: Option<
        unsafe extern "C" fn(
            session: Session,
            object: Object,
            attrs: *mut Attribute,
            count: CK_ULONG,
        ) -> CK_RV,
    >,
    set_attribute_value: Unused,
    pub find_objects_init: Option<
        unsafe extern "C" fn(session: Session, attrs: *mut Attribute, count: CK_ULONG) -> CK_RV,
    >,
    pub find_objects: Option<
        unsafe extern "C" fn(
            session: Session,
            found: *mut Object,
            max: CK_ULONG,
            count: *mut CK_ULONG,
        ) -> CK_RV,
    >,
    pub find_objects_final: Option<unsafe extern "C" fn(session: Session) -> CK_RV>,
    encrypt_init: Unused,
    encrypt: Unused,
    encrypt_update: Unused,
    encrypt_final: Unused,
    pub decrypt_init: Option<
        unsafe extern "C" fn(session: Session, mechanism: *mut Mechanism, key: Object) -> CK_RV,
    >,
    pub decrypt: Option<OneShotFn>,
    decrypt_update: Unused,
    decrypt_final: Unused,
    digest_init: Unused,
    digest: Unused,
    digest_update: Unused,
    digest_key: Unused,
    digest_final: Unused,
    pub sign_init: Option<
        unsafe extern "C" fn(session: Session, mechanism: *mut Mechanism, key: Object) -> CK_RV,
    >,
    pub sign: Option<OneShotFn>,
    sign_update: Unused,
    sign_final: Unused,
    sign_recover_init: Unused,
    sign_recover: Unused,
    verify_init: Unused,
    verify: Unused,
    verify_update: Unused,
    verify_final: Unused,
    verify_recover_init: Unused,
    verify_recover: Unused,
    digest_encrypt_update: Unused,
    decrypt_digest_update: Unused,
    sign_encrypt_update: Unused,
    decrypt_verify_update: Unused,
    generate_key: Unused,
    generate_key_pair: Unused,
    wrap_key: Unused,
    unwrap_key: Unused,
    derive_key: Unused,
    seed_random: Unused,
    generate_random: Unused,
    get_function_status: Unused,
    cancel_function: Unused,
    wait_for_slot_event: Unused,
}

/// C_Decrypt and C_Sign: input in, output (or with a NULL buffer, its length) out.
pub(crate) type OneShotFn = unsafe extern "C" fn(
    session: Session,
    input: *const u8,
    input_len: CK_ULONG,
    output: *mut u8,
    output_len: *mut CK_ULONG,
) -> CK_RV;

/// Every CKR_* value but CKR_OK and CKR_VENDOR_DEFINED, in the standard's
/// order, which is also the order of upstream's AWS_ERROR_PKCS11_CKR_* codes.
pub(crate) const RETURN_VALUES: [(CK_RV, &CStr); 93] = [
    (0x1, c"CKR_CANCEL"),
    (0x2, c"CKR_HOST_MEMORY"),
    (0x3, c"CKR_SLOT_ID_INVALID"),
    (0x5, c"CKR_GENERAL_ERROR"),
    (0x6, c"CKR_FUNCTION_FAILED"),
    (0x7, c"CKR_ARGUMENTS_BAD"),
    (0x8, c"CKR_NO_EVENT"),
    (0x9, c"CKR_NEED_TO_CREATE_THREADS"),
    (0xa, c"CKR_CANT_LOCK"),
    (0x10, c"CKR_ATTRIBUTE_READ_ONLY"),
    (0x11, c"CKR_ATTRIBUTE_SENSITIVE"),
    (0x12, c"CKR_ATTRIBUTE_TYPE_INVALID"),
    (0x13, c"CKR_ATTRIBUTE_VALUE_INVALID"),
    (0x1b, c"CKR_ACTION_PROHIBITED"),
    (0x20, c"CKR_DATA_INVALID"),
    (0x21, c"CKR_DATA_LEN_RANGE"),
    (0x30, c"CKR_DEVICE_ERROR"),
    (0x31, c"CKR_DEVICE_MEMORY"),
    (0x32, c"CKR_DEVICE_REMOVED"),
    (0x40, c"CKR_ENCRYPTED_DATA_INVALID"),
    (0x41, c"CKR_ENCRYPTED_DATA_LEN_RANGE"),
    (0x50, c"CKR_FUNCTION_CANCELED"),
    (0x51, c"CKR_FUNCTION_NOT_PARALLEL"),
    (0x54, c"CKR_FUNCTION_NOT_SUPPORTED"),
    (0x60, c"CKR_KEY_HANDLE_INVALID"),
    (0x62, c"CKR_KEY_SIZE_RANGE"),
    (0x63, c"CKR_KEY_TYPE_INCONSISTENT"),
    (0x64, c"CKR_KEY_NOT_NEEDED"),
    (0x65, c"CKR_KEY_CHANGED"),
    (0x66, c"CKR_KEY_NEEDED"),
    (0x67, c"CKR_KEY_INDIGESTIBLE"),
    (0x68, c"CKR_KEY_FUNCTION_NOT_PERMITTED"),
    (0x69, c"CKR_KEY_NOT_WRAPPABLE"),
    (0x6a, c"CKR_KEY_UNEXTRACTABLE"),
    (0x70, c"CKR_MECHANISM_INVALID"),
    (0x71, c"CKR_MECHANISM_PARAM_INVALID"),
    (0x82, c"CKR_OBJECT_HANDLE_INVALID"),
    (0x90, c"CKR_OPERATION_ACTIVE"),
    (0x91, c"CKR_OPERATION_NOT_INITIALIZED"),
    (0xa0, c"CKR_PIN_INCORRECT"),
    (0xa1, c"CKR_PIN_INVALID"),
    (0xa2, c"CKR_PIN_LEN_RANGE"),
    (0xa3, c"CKR_PIN_EXPIRED"),
    (0xa4, c"CKR_PIN_LOCKED"),
    (0xb0, c"CKR_SESSION_CLOSED"),
    (0xb1, c"CKR_SESSION_COUNT"),
    (0xb3, c"CKR_SESSION_HANDLE_INVALID"),
    (0xb4, c"CKR_SESSION_PARALLEL_NOT_SUPPORTED"),
    (0xb5, c"CKR_SESSION_READ_ONLY"),
    (0xb6, c"CKR_SESSION_EXISTS"),
    (0xb7, c"CKR_SESSION_READ_ONLY_EXISTS"),
    (0xb8, c"CKR_SESSION_READ_WRITE_SO_EXISTS"),
    (0xc0, c"CKR_SIGNATURE_INVALID"),
    (0xc1, c"CKR_SIGNATURE_LEN_RANGE"),
    (0xd0, c"CKR_TEMPLATE_INCOMPLETE"),
    (0xd1, c"CKR_TEMPLATE_INCONSISTENT"),
    (0xe0, c"CKR_TOKEN_NOT_PRESENT"),
    (0xe1, c"CKR_TOKEN_NOT_RECOGNIZED"),
    (0xe2, c"CKR_TOKEN_WRITE_PROTECTED"),
    (0xf0, c"CKR_UNWRAPPING_KEY_HANDLE_INVALID"),
    (0xf1, c"CKR_UNWRAPPING_KEY_SIZE_RANGE"),
    (0xf2, c"CKR_UNWRAPPING_KEY_TYPE_INCONSISTENT"),
    (0x100, c"CKR_USER_ALREADY_LOGGED_IN"),
    (0x101, c"CKR_USER_NOT_LOGGED_IN"),
    (0x102, c"CKR_USER_PIN_NOT_INITIALIZED"),
    (0x103, c"CKR_USER_TYPE_INVALID"),
    (0x104, c"CKR_USER_ANOTHER_ALREADY_LOGGED_IN"),
    (0x105, c"CKR_USER_TOO_MANY_TYPES"),
    (0x110, c"CKR_WRAPPED_KEY_INVALID"),
    (0x112, c"CKR_WRAPPED_KEY_LEN_RANGE"),
    (0x113, c"CKR_WRAPPING_KEY_HANDLE_INVALID"),
    (0x114, c"CKR_WRAPPING_KEY_SIZE_RANGE"),
    (0x115, c"CKR_WRAPPING_KEY_TYPE_INCONSISTENT"),
    (0x120, c"CKR_RANDOM_SEED_NOT_SUPPORTED"),
    (0x121, c"CKR_RANDOM_NO_RNG"),
    (0x130, c"CKR_DOMAIN_PARAMS_INVALID"),
    (0x140, c"CKR_CURVE_NOT_SUPPORTED"),
    (0x150, c"CKR_BUFFER_TOO_SMALL"),
    (0x160, c"CKR_SAVED_STATE_INVALID"),
    (0x170, c"CKR_INFORMATION_SENSITIVE"),
    (0x180, c"CKR_STATE_UNSAVEABLE"),
    (0x190, c"CKR_CRYPTOKI_NOT_INITIALIZED"),
    (0x191, c"CKR_CRYPTOKI_ALREADY_INITIALIZED"),
    (0x1a0, c"CKR_MUTEX_BAD"),
    (0x1a1, c"CKR_MUTEX_NOT_LOCKED"),
    (0x1b0, c"CKR_NEW_PIN_MODE"),
    (0x1b1, c"CKR_NEXT_OTP"),
    (0x1b5, c"CKR_EXCEEDED_MAX_ITERATIONS"),
    (0x1b6, c"CKR_FIPS_SELF_TEST_FAILED"),
    (0x1b7, c"CKR_LIBRARY_LOAD_FAILED"),
    (0x1b8, c"CKR_PIN_TOO_WEAK"),
    (0x1b9, c"CKR_PUBLIC_KEY_INVALID"),
    (0x200, c"CKR_FUNCTION_REJECTED"),
];

/// The name of a return value, as upstream's `aws_pkcs11_ckr_str` spells it.
pub fn return_value_name(rv: CK_RV) -> &'static CStr {
    if rv == CKR_OK {
        return c"CKR_OK";
    }
    RETURN_VALUES
        .iter()
        .find(|(v, _)| *v == rv)
        .map_or(c"<UNKNOWN RETURN VALUE>", |(_, name)| name)
}

/// The AWS error code for a failed call (`rv` != CKR_OK).
pub fn return_value_error(rv: CK_RV) -> libc::c_int {
    use crate::common::error_codes::*;
    match RETURN_VALUES.iter().position(|(v, _)| *v == rv) {
        Some(i) => AWS_ERROR_PKCS11_CKR_CANCEL + i as libc::c_int,
        None => AWS_ERROR_PKCS11_UNKNOWN_CRYPTOKI_RETURN_VALUE,
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::common::error_codes::*;

    #[test]
    fn layouts_match_the_standard_on_lp64() {
        assert_eq!(std::mem::size_of::<Info>(), 88);
        assert_eq!(std::mem::offset_of!(Info, flags), 40);
        assert_eq!(std::mem::size_of::<TokenInfo>(), 208);
        assert_eq!(std::mem::offset_of!(TokenInfo, hardware_version), 184);
        assert_eq!(std::mem::size_of::<InitializeArgs>(), 48);
        // version (padded to 8) + 68 functions
        assert_eq!(std::mem::size_of::<FunctionList>(), 8 + 68 * 8);
        assert_eq!(std::mem::offset_of!(FunctionList, sign), 8 + 43 * 8);
    }

    #[test]
    fn return_values_map_to_upstream_errors() {
        assert_eq!(return_value_error(0x1), AWS_ERROR_PKCS11_CKR_CANCEL);
        assert_eq!(return_value_error(0xA0), AWS_ERROR_PKCS11_CKR_PIN_INCORRECT);
        assert_eq!(
            return_value_error(0x200),
            AWS_ERROR_PKCS11_CKR_FUNCTION_REJECTED
        );
        assert_eq!(
            return_value_error(0x80000000),
            AWS_ERROR_PKCS11_UNKNOWN_CRYPTOKI_RETURN_VALUE
        );
        assert_eq!(return_value_name(0), c"CKR_OK");
        assert_eq!(
            return_value_name(0x191),
            c"CKR_CRYPTOKI_ALREADY_INITIALIZED"
        );
        assert_eq!(return_value_name(0x4), c"<UNKNOWN RETURN VALUE>");
    }
}
