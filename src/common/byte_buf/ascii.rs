//! Locale-free ASCII helpers: character classes, case-folding comparisons, the
//! two lookup tables upstream exports, the case-insensitive FNV-1a hash and
//! strict decimal/hex number parsing. The safe functions here work on slices;
//! the `extern "C"` shims at the bottom only turn C pointers into slices.
use libc::{c_char, c_int, c_void};

use super::{cursor_bytes, cursor_ref};
use crate::common::abi::*;
use crate::common::error::raise;
use crate::common::error_codes::{AWS_ERROR_INVALID_ARGUMENT, AWS_ERROR_OVERFLOW_DETECTED};
use crate::ffi::slice;

/// Identity on every byte except `A`..=`Z`, which map to lower case.
pub static TO_LOWER: [u8; 256] = {
    let mut t = [0u8; 256];
    let mut i = 0;
    while i < 256 {
        t[i] = (i as u8).to_ascii_lowercase();
        i += 1;
    }
    t
};

/// Hex digit value of each byte (either case), 255 for anything else.
pub static HEX_TO_NUM: [u8; 256] = {
    let mut t = [255u8; 256];
    let mut i = 0;
    while i < 256 {
        let c = i as u8;
        t[i] = match c {
            b'0'..=b'9' => c - b'0',
            b'a'..=b'f' => c - b'a' + 10,
            b'A'..=b'F' => c - b'A' + 10,
            _ => 255,
        };
        i += 1;
    }
    t
};

/// Byte-wise equality after folding ASCII case.
pub fn eq_ignore_case(a: &[u8], b: &[u8]) -> bool {
    a.eq_ignore_ascii_case(b)
}

/// Compares `bytes` with the NUL-terminated `c_str`, reading `c_str` at most
/// once and never past its terminator.
///
/// # Safety
/// `c_str` must point to a NUL-terminated string.
pub unsafe fn eq_c_str(bytes: &[u8], c_str: *const c_char, ignore_case: bool) -> bool {
    let mut p = c_str as *const u8;
    for &b in bytes {
        // SAFETY: we stop at the first NUL, so every read is inside the C string.
        let s = unsafe { *p };
        if s == 0
            || (ignore_case && TO_LOWER[b as usize] != TO_LOWER[s as usize])
            || (!ignore_case && b != s)
        {
            return false;
        }
        // SAFETY: `s` was not the terminator, so the next byte is still in the string.
        p = unsafe { p.add(1) };
    }
    // SAFETY: as above; this is at most the terminator.
    unsafe { *p == 0 }
}

/// FNV-1a over the lower-cased bytes (upstream's case-insensitive hash).
pub fn hash_ignore_case(bytes: &[u8]) -> u64 {
    const OFFSET_BASIS: u64 = 0xcbf2_9ce4_8422_2325;
    const PRIME: u64 = 0x0000_0100_0000_01b3;
    bytes.iter().fold(OFFSET_BASIS, |h, &b| {
        (h ^ TO_LOWER[b as usize] as u64).wrapping_mul(PRIME)
    })
}

pub fn is_space(ch: u8) -> bool {
    // Space, \t, \n, \v, \f, \r. (u8::is_ascii_whitespace leaves out \v.)
    matches!(ch, b' ' | 0x09..=0x0d)
}

/// Why a strict number parse failed; maps onto upstream's two error codes.
#[derive(Debug, PartialEq, Eq)]
pub enum ParseError {
    /// Empty input or a character that is not a digit of the base.
    Invalid,
    /// The value does not fit.
    Overflow,
}

impl ParseError {
    fn code(&self) -> c_int {
        match self {
            ParseError::Invalid => AWS_ERROR_INVALID_ARGUMENT,
            ParseError::Overflow => AWS_ERROR_OVERFLOW_DETECTED,
        }
    }
}

/// Whole-input unsigned parse in base 10 or 16: no sign, prefix or whitespace.
pub fn parse_unsigned(digits: &[u8], base: u8) -> Result<u64, ParseError> {
    if digits.is_empty() {
        return Err(ParseError::Invalid);
    }
    digits.iter().try_fold(0u64, |acc, &c| {
        let d = HEX_TO_NUM[c as usize];
        if d >= base {
            return Err(ParseError::Invalid);
        }
        acc.checked_mul(base as u64)
            .and_then(|v| v.checked_add(d as u64))
            .ok_or(ParseError::Overflow)
    })
}

/// Whole-input signed decimal parse; an optional leading '-' is the only extra.
pub fn parse_i64(text: &[u8]) -> Result<i64, ParseError> {
    let (negative, digits) = match text.split_first() {
        Some((b'-', rest)) => (true, rest),
        _ => (false, text),
    };
    let magnitude = parse_unsigned(digits, 10)?;
    if negative {
        // i64::MIN's magnitude is one more than i64::MAX.
        0i64.checked_sub_unsigned(magnitude)
            .ok_or(ParseError::Overflow)
    } else {
        i64::try_from(magnitude).map_err(|_| ParseError::Overflow)
    }
}

// ---- C API ------------------------------------------------------------------

#[no_mangle]
pub extern "C" fn aws_isalnum(ch: u8) -> bool {
    ch.is_ascii_alphanumeric()
}

#[no_mangle]
pub extern "C" fn aws_isalpha(ch: u8) -> bool {
    ch.is_ascii_alphabetic()
}

#[no_mangle]
pub extern "C" fn aws_isdigit(ch: u8) -> bool {
    ch.is_ascii_digit()
}

#[no_mangle]
pub extern "C" fn aws_isxdigit(ch: u8) -> bool {
    ch.is_ascii_hexdigit()
}

#[no_mangle]
pub extern "C" fn aws_isspace(ch: u8) -> bool {
    is_space(ch)
}

#[no_mangle]
pub extern "C" fn aws_lookup_table_to_lower_get() -> *const u8 {
    TO_LOWER.as_ptr()
}

#[no_mangle]
pub extern "C" fn aws_lookup_table_hex_to_num_get() -> *const u8 {
    HEX_TO_NUM.as_ptr()
}

/// NULL is allowed for an array whose length is 0.
#[no_mangle]
pub unsafe extern "C" fn aws_array_eq(
    a: *const c_void,
    len_a: usize,
    b: *const c_void,
    len_b: usize,
) -> bool {
    // SAFETY: the caller passes readable arrays of the given lengths.
    unsafe { slice(a as *const u8, len_a) == slice(b as *const u8, len_b) }
}

#[no_mangle]
pub unsafe extern "C" fn aws_array_eq_ignore_case(
    a: *const c_void,
    len_a: usize,
    b: *const c_void,
    len_b: usize,
) -> bool {
    // SAFETY: the caller passes readable arrays of the given lengths.
    unsafe { eq_ignore_case(slice(a as *const u8, len_a), slice(b as *const u8, len_b)) }
}

#[no_mangle]
pub unsafe extern "C" fn aws_array_eq_c_str(
    array: *const c_void,
    array_len: usize,
    c_str: *const c_char,
) -> bool {
    crate::fatal_precondition!(!c_str.is_null(), "aws_array_eq_c_str");
    // SAFETY: readable array of array_len bytes and a NUL-terminated c_str (checked non-NULL).
    unsafe { eq_c_str(slice(array as *const u8, array_len), c_str, false) }
}

#[no_mangle]
pub unsafe extern "C" fn aws_array_eq_c_str_ignore_case(
    array: *const c_void,
    array_len: usize,
    c_str: *const c_char,
) -> bool {
    crate::fatal_precondition!(!c_str.is_null(), "aws_array_eq_c_str_ignore_case");
    // SAFETY: as for aws_array_eq_c_str.
    unsafe { eq_c_str(slice(array as *const u8, array_len), c_str, true) }
}

#[no_mangle]
pub unsafe extern "C" fn aws_hash_array_ignore_case(array: *const c_void, len: usize) -> u64 {
    // SAFETY: the caller passes a readable array of `len` bytes.
    hash_ignore_case(unsafe { slice(array as *const u8, len) })
}

/// Hash-table hash for `struct aws_byte_cursor *` keys, ignoring case.
#[no_mangle]
pub unsafe extern "C" fn aws_hash_byte_cursor_ptr_ignore_case(item: *const c_void) -> u64 {
    // SAFETY: the hash table hands us one of its keys, a valid cursor.
    let cur = unsafe {
        cursor_ref(
            item as *const aws_byte_cursor,
            "aws_hash_byte_cursor_ptr_ignore_case",
        )
    };
    // SAFETY: the cursor was validated by cursor_ref.
    hash_ignore_case(unsafe { cursor_bytes(cur) })
}

fn store_parse<T>(result: Result<T, ParseError>, dst: *mut T, zero: T) -> c_int {
    // SAFETY: dst was checked non-NULL by the callers.
    unsafe {
        match result {
            Ok(v) => {
                *dst = v;
                AWS_OP_SUCCESS
            }
            Err(e) => {
                *dst = zero;
                raise(e.code())
            }
        }
    }
}

#[no_mangle]
pub unsafe extern "C" fn aws_byte_cursor_utf8_parse_u64(
    cursor: aws_byte_cursor,
    dst: *mut u64,
) -> c_int {
    crate::fatal_precondition!(!dst.is_null(), "aws_byte_cursor_utf8_parse_u64");
    // SAFETY: a cursor passed by value must describe readable memory.
    store_parse(parse_unsigned(unsafe { cursor_bytes(&cursor) }, 10), dst, 0)
}

#[no_mangle]
pub unsafe extern "C" fn aws_byte_cursor_utf8_parse_u64_hex(
    cursor: aws_byte_cursor,
    dst: *mut u64,
) -> c_int {
    crate::fatal_precondition!(!dst.is_null(), "aws_byte_cursor_utf8_parse_u64_hex");
    // SAFETY: as above.
    store_parse(parse_unsigned(unsafe { cursor_bytes(&cursor) }, 16), dst, 0)
}

/// On failure `*dst` is left as it was, as upstream does for the signed parse.
#[no_mangle]
pub unsafe extern "C" fn aws_byte_cursor_utf8_parse_i64(
    cursor: aws_byte_cursor,
    dst: *mut i64,
) -> c_int {
    crate::fatal_precondition!(!dst.is_null(), "aws_byte_cursor_utf8_parse_i64");
    // SAFETY: as above.
    match parse_i64(unsafe { cursor_bytes(&cursor) }) {
        Ok(v) => {
            // SAFETY: checked non-NULL.
            unsafe { *dst = v };
            AWS_OP_SUCCESS
        }
        Err(e) => raise(e.code()),
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::ffi::CStr;

    fn c(s: &CStr) -> *const c_char {
        s.as_ptr()
    }

    #[test]
    fn tables() {
        assert_eq!(TO_LOWER[b'Q' as usize], b'q');
        assert_eq!(TO_LOWER[b'[' as usize], b'[');
        assert_eq!(TO_LOWER[0xC4], 0xC4);
        assert_eq!(HEX_TO_NUM[b'f' as usize], 15);
        assert_eq!(HEX_TO_NUM[b'F' as usize], 15);
        assert_eq!(HEX_TO_NUM[b'9' as usize], 9);
        assert_eq!(HEX_TO_NUM[b'g' as usize], 255);
        assert_eq!(HEX_TO_NUM[0], 255);
    }

    #[test]
    fn spaces() {
        let spaces: Vec<u8> = (0..=255u8).filter(|&b| is_space(b)).collect();
        assert_eq!(spaces, vec![0x09, 0x0a, 0x0b, 0x0c, 0x0d, 0x20]);
    }

    #[test]
    fn c_string_comparison() {
        // SAFETY: literals are NUL-terminated.
        unsafe {
            assert!(eq_c_str(b"abc", c(c"abc"), false));
            assert!(!eq_c_str(b"abc", c(c"abcd"), false));
            assert!(!eq_c_str(b"abcd", c(c"abc"), false));
            assert!(!eq_c_str(b"aBc", c(c"abc"), false));
            assert!(eq_c_str(b"aBc", c(c"AbC"), true));
            assert!(eq_c_str(b"", c(c""), false));
            assert!(!eq_c_str(b"a\0", c(c"a"), false));
        }
    }

    #[test]
    fn fnv_hash() {
        // FNV-1a of the empty input is the offset basis; case does not matter.
        assert_eq!(hash_ignore_case(b""), 0xcbf2_9ce4_8422_2325);
        assert_eq!(hash_ignore_case(b"a"), 0xaf63_dc4c_8601_ec8c);
        assert_eq!(hash_ignore_case(b"HeLLo"), hash_ignore_case(b"hello"));
    }

    #[test]
    fn numbers() {
        assert_eq!(parse_unsigned(b"00004", 10), Ok(4));
        assert_eq!(parse_unsigned(b"18446744073709551615", 10), Ok(u64::MAX));
        assert_eq!(
            parse_unsigned(b"18446744073709551616", 10),
            Err(ParseError::Overflow)
        );
        assert_eq!(parse_unsigned(b"", 10), Err(ParseError::Invalid));
        assert_eq!(parse_unsigned(b" 1", 10), Err(ParseError::Invalid));
        assert_eq!(parse_unsigned(b"ff", 10), Err(ParseError::Invalid));
        assert_eq!(parse_unsigned(b"Ff", 16), Ok(255));
        assert_eq!(parse_unsigned(b"0x1", 16), Err(ParseError::Invalid));
        assert_eq!(parse_unsigned(b"FFFFFFFFFFFFFFFF", 16), Ok(u64::MAX));
        assert_eq!(
            parse_unsigned(b"10000000000000000", 16),
            Err(ParseError::Overflow)
        );
        assert_eq!(parse_i64(b"-9223372036854775808"), Ok(i64::MIN));
        assert_eq!(parse_i64(b"9223372036854775807"), Ok(i64::MAX));
        assert_eq!(parse_i64(b"9223372036854775808"), Err(ParseError::Overflow));
        assert_eq!(
            parse_i64(b"-9223372036854775809"),
            Err(ParseError::Overflow)
        );
        assert_eq!(parse_i64(b"-"), Err(ParseError::Invalid));
        assert_eq!(parse_i64(b"--1"), Err(ParseError::Invalid));
        assert_eq!(parse_i64(b"-0"), Ok(0));
    }
}
