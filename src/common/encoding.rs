//! Base64 (standard and URL alphabets), hex and UTF-8 validation.
//!
//! The codecs are safe functions over slices; the `extern "C"` shims check
//! sizes in upstream's order (length arithmetic, then capacity, then content)
//! and write nothing unless the whole input is valid.
//!
//! Output placement follows upstream: base64 *encode* appends after
//! `output->len`; base64 *decode* and hex encode/decode write from the start
//! of the buffer and set `output->len`.
use std::ptr;

use libc::{c_int, c_void};

use super::abi::*;
use super::allocator::{aws_mem_calloc, aws_mem_release};
use super::byte_buf::{aws_byte_buf_reserve_relative, buf_mut, cursor_bytes, cursor_ref};
use super::error::raise;
use super::error_codes::{
    AWS_ERROR_INVALID_ARGUMENT, AWS_ERROR_INVALID_BASE64_STR, AWS_ERROR_INVALID_HEX_STR,
    AWS_ERROR_INVALID_UTF8, AWS_ERROR_OVERFLOW_DETECTED, AWS_ERROR_SHORT_BUFFER,
};
use crate::fatal_precondition;

// ---- base64 core -------------------------------------------------------------------

const STD_ALPHABET: &[u8; 64] = b"ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/";
const URL_ALPHABET: &[u8; 64] = b"ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_";

const INVALID: u8 = 0xFF;

/// Sextet value of each byte. Like upstream, decoding accepts both alphabets
/// ('+' and '-' are 62, '/' and '_' are 63).
static DECODE: [u8; 256] = {
    let mut t = [INVALID; 256];
    let mut i = 0;
    while i < 64 {
        t[STD_ALPHABET[i] as usize] = i as u8;
        t[URL_ALPHABET[i] as usize] = i as u8;
        i += 1;
    }
    t
};

/// Padded encoding: 4 characters per started 3-byte group.
pub fn base64_encoded_len(n: usize) -> Option<usize> {
    n.checked_add(2).map(|x| x / 3)?.checked_mul(4)
}

/// Unpadded URL encoding: one character per started 6 bits.
pub fn base64_url_encoded_len(n: usize) -> Option<usize> {
    n.checked_mul(8)?.checked_add(5).map(|x| x / 6)
}

/// Writes the encoding of `input` into `out`, which must be exactly the
/// encoded length. The URL form has no padding.
pub fn base64_encode_into(input: &[u8], out: &mut [u8], url: bool) {
    let alphabet = if url { URL_ALPHABET } else { STD_ALPHABET };
    let mut o = 0;
    for group in input.chunks(3) {
        let word = group
            .iter()
            .enumerate()
            .fold(0u32, |w, (i, &b)| w | (b as u32) << (16 - 8 * i));
        // n input bytes carry n + 1 significant characters.
        for k in 0..=group.len() {
            out[o] = alphabet[(word >> (18 - 6 * k)) as usize & 0x3F];
            o += 1;
        }
        if !url {
            for _ in group.len()..3 {
                out[o] = b'=';
                o += 1;
            }
        }
    }
    debug_assert_eq!(o, out.len());
}

/// The encoding of `input` as a string (padded standard alphabet, or the
/// unpadded URL form).
pub fn base64_to_string(input: &[u8], url: bool) -> String {
    let n = if url {
        base64_url_encoded_len(input.len())
    } else {
        base64_encoded_len(input.len())
    };
    let mut out = vec![0; n.expect("a slice's encoding fits in memory")];
    base64_encode_into(input, &mut out, url);
    String::from_utf8(out).expect("base64 is ASCII")
}

#[derive(Debug, PartialEq, Eq)]
pub enum DecodeLenError {
    Invalid,
    Overflow,
}

/// Decoded size: trailing '=' are ignored, and what is left may not be one
/// character more than a multiple of 4.
pub fn base64_decoded_len(input: &[u8]) -> Result<usize, DecodeLenError> {
    let trimmed = input.len() - input.iter().rev().take_while(|&&c| c == b'=').count();
    if trimmed % 4 == 1 {
        return Err(DecodeLenError::Invalid);
    }
    trimmed
        .checked_mul(3)
        .map(|x| x / 4)
        .ok_or(DecodeLenError::Overflow)
}

/// Checks `input` the way upstream's decoder accepts it and returns the
/// number of bytes it decodes to. Every group but the last has 4 alphabet
/// characters; the last has 2 to 4, of which the first two are alphabet
/// characters and a third '=' must be followed by a fourth '='.
pub fn base64_validate(input: &[u8]) -> Option<usize> {
    if input.is_empty() {
        return Some(0);
    }
    let split = (input.len() - 1) / 4 * 4;
    let (body, last) = input.split_at(split);
    if body.iter().any(|&c| DECODE[c as usize] == INVALID) {
        return None;
    }
    let ok = |c: u8| DECODE[c as usize] != INVALID;
    let extra = match *last {
        [a, b] if ok(a) && ok(b) => 1,
        [a, b, c] if ok(a) && ok(b) && (ok(c) || c == b'=') => 1 + ok(c) as usize,
        [a, b, c, d]
            if ok(a) && ok(b) && (ok(c) || (c == b'=' && d == b'=')) && (ok(d) || d == b'=') =>
        {
            1 + ok(c) as usize + ok(d) as usize
        }
        _ => return None,
    };
    Some(split / 4 * 3 + extra)
}

/// Decodes input that passed [`base64_validate`] into `out` (of the validated length).
pub fn base64_decode_validated(input: &[u8], out: &mut [u8]) {
    let mut o = 0;
    for group in input.chunks(4) {
        let sextets = group.iter().take_while(|&&c| c != b'=');
        let (word, n) = sextets.fold((0u32, 0usize), |(w, n), &c| {
            (w | (DECODE[c as usize] as u32) << (18 - 6 * n), n + 1)
        });
        // n characters carry n - 1 whole bytes.
        for k in 0..n - 1 {
            out[o] = (word >> (16 - 8 * k)) as u8;
            o += 1;
        }
    }
    debug_assert_eq!(o, out.len());
}

// ---- hex core --------------------------------------------------------------------------

const HEX_DIGITS: &[u8; 16] = b"0123456789abcdef";

pub fn hex_encode_into(input: &[u8], out: &mut [u8]) {
    for (pair, &b) in out.chunks_exact_mut(2).zip(input) {
        pair[0] = HEX_DIGITS[(b >> 4) as usize];
        pair[1] = HEX_DIGITS[(b & 0xF) as usize];
    }
}

/// Decodes hex (either case); an odd-length input reads as if it had a
/// leading '0'. None if any character is not a hex digit.
pub fn hex_decode(input: &[u8]) -> Option<Vec<u8>> {
    let digit = |c: u8| match super::byte_buf::ascii::HEX_TO_NUM[c as usize] {
        255 => None,
        d => Some(d),
    };
    let (head, rest) = input.split_at(input.len() % 2);
    let mut out = Vec::with_capacity(input.len().div_ceil(2));
    if let [c] = head {
        out.push(digit(*c)?);
    }
    for pair in rest.chunks_exact(2) {
        out.push(digit(pair[0])? << 4 | digit(pair[1])?);
    }
    Some(out)
}

// ---- UTF-8 core ----------------------------------------------------------------------------

/// Incremental UTF-8 checker with upstream's rules: overlong forms and
/// surrogates are rejected; like upstream, 4-byte forms up to 0x1FFFFF are let through.
#[derive(Default, Clone, Copy, Debug)]
pub struct Utf8State {
    codepoint: u32,
    min: u32,
    remaining: u8,
}

/// The byte just fed cannot continue a valid UTF-8 sequence.
#[derive(Debug, PartialEq, Eq)]
pub struct InvalidUtf8;

impl Utf8State {
    /// Feeds one byte; Ok(Some(cp)) when a code point completes.
    pub fn push(&mut self, byte: u8) -> Result<Option<u32>, InvalidUtf8> {
        if self.remaining == 0 {
            let (remaining, bits, min) = match byte {
                0x00..=0x7F => return Ok(Some(byte as u32)),
                0xC0..=0xDF => (1, byte & 0x1F, 0x80),
                0xE0..=0xEF => (2, byte & 0x0F, 0x800),
                0xF0..=0xF7 => (3, byte & 0x07, 0x10000),
                _ => return Err(InvalidUtf8),
            };
            *self = Utf8State {
                codepoint: bits as u32,
                min,
                remaining,
            };
            return Ok(None);
        }
        if byte & 0xC0 != 0x80 {
            return Err(InvalidUtf8);
        }
        self.codepoint = (self.codepoint << 6) | (byte & 0x3F) as u32;
        self.remaining -= 1;
        if self.remaining > 0 {
            return Ok(None);
        }
        if self.codepoint < self.min || (0xD800..=0xDFFF).contains(&self.codepoint) {
            return Err(InvalidUtf8);
        }
        Ok(Some(self.codepoint))
    }

    pub fn is_complete(&self) -> bool {
        self.remaining == 0
    }
}

// ---- C API: base64 ------------------------------------------------------------------------

unsafe fn put_len(out: *mut usize, v: Option<usize>) -> c_int {
    if out.is_null() {
        return raise(AWS_ERROR_INVALID_ARGUMENT);
    }
    match v {
        Some(v) => {
            // SAFETY: checked non-NULL.
            unsafe { *out = v };
            AWS_OP_SUCCESS
        }
        None => raise(AWS_ERROR_OVERFLOW_DETECTED),
    }
}

#[no_mangle]
pub unsafe extern "C" fn aws_base64_compute_encoded_len(
    to_encode_len: usize,
    encoded_len: *mut usize,
) -> c_int {
    // SAFETY: forwarded caller contract.
    unsafe { put_len(encoded_len, base64_encoded_len(to_encode_len)) }
}

#[no_mangle]
pub unsafe extern "C" fn aws_base64_url_compute_encoded_len(
    to_encode_len: usize,
    encoded_len: *mut usize,
) -> c_int {
    // SAFETY: forwarded caller contract.
    unsafe { put_len(encoded_len, base64_url_encoded_len(to_encode_len)) }
}

unsafe fn base64_encode(
    to_encode: *const aws_byte_cursor,
    output: *mut aws_byte_buf,
    url: bool,
    func: &str,
) -> c_int {
    // SAFETY: valid arguments (checked); the output range is inside capacity.
    unsafe {
        let input = cursor_bytes(cursor_ref(to_encode, func));
        let out = buf_mut(output, func);
        let encoded = if url {
            base64_url_encoded_len(input.len())
        } else {
            base64_encoded_len(input.len())
        };
        let Some(end) = encoded.and_then(|n| n.checked_add(out.len)) else {
            return raise(AWS_ERROR_OVERFLOW_DETECTED);
        };
        if end > out.capacity {
            return raise(AWS_ERROR_SHORT_BUFFER);
        }
        if end > out.len {
            let dest = std::slice::from_raw_parts_mut(out.buffer.add(out.len), end - out.len);
            base64_encode_into(input, dest, url);
        }
        out.len = end;
    }
    AWS_OP_SUCCESS
}

/// Appends the padded encoding; AWS_ERROR_SHORT_BUFFER if it does not fit.
#[no_mangle]
pub unsafe extern "C" fn aws_base64_encode(
    to_encode: *const aws_byte_cursor,
    output: *mut aws_byte_buf,
) -> c_int {
    // SAFETY: forwarded caller contract.
    unsafe { base64_encode(to_encode, output, false, "aws_base64_encode") }
}

/// Appends the URL-alphabet encoding, without padding.
#[no_mangle]
pub unsafe extern "C" fn aws_base64_url_encode(
    to_encode: *const aws_byte_cursor,
    output: *mut aws_byte_buf,
) -> c_int {
    // SAFETY: forwarded caller contract.
    unsafe { base64_encode(to_encode, output, true, "aws_base64_url_encode") }
}

fn decode_len_error(e: DecodeLenError) -> c_int {
    raise(match e {
        DecodeLenError::Invalid => AWS_ERROR_INVALID_BASE64_STR,
        DecodeLenError::Overflow => AWS_ERROR_OVERFLOW_DETECTED,
    })
}

#[no_mangle]
pub unsafe extern "C" fn aws_base64_compute_decoded_len(
    to_decode: *const aws_byte_cursor,
    decoded_len: *mut usize,
) -> c_int {
    fatal_precondition!(!decoded_len.is_null(), "aws_base64_compute_decoded_len");
    // SAFETY: valid cursor (checked); decoded_len checked non-NULL.
    unsafe {
        match base64_decoded_len(cursor_bytes(cursor_ref(
            to_decode,
            "aws_base64_compute_decoded_len",
        ))) {
            Ok(n) => {
                *decoded_len = n;
                AWS_OP_SUCCESS
            }
            Err(e) => decode_len_error(e),
        }
    }
}

/// Decodes into the start of `output` (setting its `len`). Padded and
/// unpadded input, either alphabet. On any error `output` is unchanged.
#[no_mangle]
pub unsafe extern "C" fn aws_base64_decode(
    to_decode: *const aws_byte_cursor,
    output: *mut aws_byte_buf,
) -> c_int {
    const F: &str = "aws_base64_decode";
    // SAFETY: valid arguments (checked); writes stay inside capacity.
    unsafe {
        let input = cursor_bytes(cursor_ref(to_decode, F));
        let out = buf_mut(output, F);
        let needed = match base64_decoded_len(input) {
            Ok(n) => n,
            Err(e) => return decode_len_error(e),
        };
        if out.capacity < needed {
            return raise(AWS_ERROR_SHORT_BUFFER);
        }
        match base64_validate(input) {
            Some(n) if n == needed => {
                if n > 0 {
                    base64_decode_validated(input, std::slice::from_raw_parts_mut(out.buffer, n));
                }
                out.len = n;
                AWS_OP_SUCCESS
            }
            _ => raise(AWS_ERROR_INVALID_BASE64_STR),
        }
    }
}

// ---- C API: hex ---------------------------------------------------------------------------

#[no_mangle]
pub unsafe extern "C" fn aws_hex_compute_encoded_len(
    to_encode_len: usize,
    encoded_length: *mut usize,
) -> c_int {
    // SAFETY: forwarded caller contract.
    unsafe { put_len(encoded_length, to_encode_len.checked_mul(2)) }
}

#[no_mangle]
pub unsafe extern "C" fn aws_hex_compute_decoded_len(
    to_decode_len: usize,
    decoded_len: *mut usize,
) -> c_int {
    // SAFETY: forwarded caller contract.
    unsafe { put_len(decoded_len, to_decode_len.checked_add(1).map(|n| n / 2)) }
}

/// Lower-case hex into the start of `output` (setting its `len`).
#[no_mangle]
pub unsafe extern "C" fn aws_hex_encode(
    to_encode: *const aws_byte_cursor,
    output: *mut aws_byte_buf,
) -> c_int {
    const F: &str = "aws_hex_encode";
    // SAFETY: valid arguments (checked); writes stay inside capacity.
    unsafe {
        let input = cursor_bytes(cursor_ref(to_encode, F));
        let out = buf_mut(output, F);
        let Some(n) = input.len().checked_mul(2) else {
            return raise(AWS_ERROR_OVERFLOW_DETECTED);
        };
        if out.capacity < n {
            return raise(AWS_ERROR_SHORT_BUFFER);
        }
        if n > 0 {
            hex_encode_into(input, std::slice::from_raw_parts_mut(out.buffer, n));
        }
        out.len = n;
    }
    AWS_OP_SUCCESS
}

/// Appends lower-case hex, growing `output` (which needs an allocator) to fit.
#[no_mangle]
pub unsafe extern "C" fn aws_hex_encode_append_dynamic(
    to_encode: *const aws_byte_cursor,
    output: *mut aws_byte_buf,
) -> c_int {
    const F: &str = "aws_hex_encode_append_dynamic";
    // SAFETY: valid arguments (checked); the reserve makes room for n bytes.
    unsafe {
        let input = cursor_bytes(cursor_ref(to_encode, F));
        let Some(n) = input.len().checked_mul(2) else {
            return raise(AWS_ERROR_OVERFLOW_DETECTED);
        };
        if aws_byte_buf_reserve_relative(output, n) != AWS_OP_SUCCESS {
            return AWS_OP_ERR;
        }
        let out = buf_mut(output, F);
        if n > 0 {
            hex_encode_into(
                input,
                std::slice::from_raw_parts_mut(out.buffer.add(out.len), n),
            );
        }
        out.len += n;
    }
    AWS_OP_SUCCESS
}

/// Decodes hex into the start of `output` (setting its `len`); an odd
/// length reads as if it had a leading '0'. On error `output` is unchanged.
#[no_mangle]
pub unsafe extern "C" fn aws_hex_decode(
    to_decode: *const aws_byte_cursor,
    output: *mut aws_byte_buf,
) -> c_int {
    const F: &str = "aws_hex_decode";
    // SAFETY: valid arguments (checked); writes stay inside capacity.
    unsafe {
        let input = cursor_bytes(cursor_ref(to_decode, F));
        let out = buf_mut(output, F);
        let Some(n) = input.len().checked_add(1).map(|n| n / 2) else {
            return raise(AWS_ERROR_OVERFLOW_DETECTED);
        };
        if out.capacity < n {
            return raise(AWS_ERROR_SHORT_BUFFER);
        }
        let Some(bytes) = hex_decode(input) else {
            return raise(AWS_ERROR_INVALID_HEX_STR);
        };
        if n > 0 {
            ptr::copy_nonoverlapping(bytes.as_ptr(), out.buffer, n);
        }
        out.len = n;
    }
    AWS_OP_SUCCESS
}

// ---- C API: UTF-8 -------------------------------------------------------------------------

// Opaque to C: C code only ever holds a `struct aws_utf8_decoder *`.
pub struct aws_utf8_decoder {
    allocator: *mut aws_allocator,
    state: Utf8State,
    on_codepoint: Option<unsafe extern "C" fn(u32, *mut c_void) -> c_int>,
    user_data: *mut c_void,
}

impl aws_utf8_decoder {
    /// Feeds bytes; stops at the first invalid byte (AWS_ERROR_INVALID_UTF8)
    /// or the first callback that returns non-zero (its error stands).
    unsafe fn update(&mut self, bytes: &[u8]) -> c_int {
        for &b in bytes {
            match self.state.push(b) {
                Err(InvalidUtf8) => return raise(AWS_ERROR_INVALID_UTF8),
                Ok(Some(cp)) => {
                    if let Some(f) = self.on_codepoint {
                        // SAFETY: the C callback and its user data as registered.
                        if unsafe { f(cp, self.user_data) } != AWS_OP_SUCCESS {
                            return AWS_OP_ERR;
                        }
                    }
                }
                Ok(None) => {}
            }
        }
        AWS_OP_SUCCESS
    }

    fn finalize(&mut self) -> c_int {
        let complete = self.state.is_complete();
        self.state = Utf8State::default();
        if complete {
            AWS_OP_SUCCESS
        } else {
            raise(AWS_ERROR_INVALID_UTF8)
        }
    }
}

unsafe fn options(
    options: *const aws_utf8_decoder_options,
) -> (
    Option<unsafe extern "C" fn(u32, *mut c_void) -> c_int>,
    *mut c_void,
) {
    // SAFETY: NULL or a valid options struct.
    match unsafe { options.as_ref() } {
        Some(o) => (o.on_codepoint, o.user_data),
        None => (None, ptr::null_mut()),
    }
}

/// Validates a whole UTF-8 string, reporting each code point to the optional callback.
#[no_mangle]
pub unsafe extern "C" fn aws_decode_utf8(
    bytes: aws_byte_cursor,
    opts: *const aws_utf8_decoder_options,
) -> c_int {
    // SAFETY: a by-value cursor must describe readable memory; options NULL or valid.
    unsafe {
        let (on_codepoint, user_data) = options(opts);
        let mut d = aws_utf8_decoder {
            allocator: ptr::null_mut(),
            state: Utf8State::default(),
            on_codepoint,
            user_data,
        };
        if d.update(cursor_bytes(&bytes)) != AWS_OP_SUCCESS {
            return AWS_OP_ERR;
        }
        d.finalize()
    }
}

#[no_mangle]
pub unsafe extern "C" fn aws_utf8_decoder_new(
    allocator: *mut aws_allocator,
    opts: *const aws_utf8_decoder_options,
) -> *mut aws_utf8_decoder {
    fatal_precondition!(!allocator.is_null(), "aws_utf8_decoder_new");
    // SAFETY: allocator non-NULL; the block is sized and aligned for the struct.
    unsafe {
        let (on_codepoint, user_data) = options(opts);
        let d = aws_mem_calloc(allocator, 1, std::mem::size_of::<aws_utf8_decoder>())
            as *mut aws_utf8_decoder;
        if !d.is_null() {
            d.write(aws_utf8_decoder {
                allocator,
                state: Utf8State::default(),
                on_codepoint,
                user_data,
            });
        }
        d
    }
}

#[no_mangle]
pub unsafe extern "C" fn aws_utf8_decoder_destroy(decoder: *mut aws_utf8_decoder) {
    if !decoder.is_null() {
        // SAFETY: made by aws_utf8_decoder_new with this allocator; nothing to drop.
        unsafe { aws_mem_release((*decoder).allocator, decoder as *mut c_void) };
    }
}

#[no_mangle]
pub unsafe extern "C" fn aws_utf8_decoder_reset(decoder: *mut aws_utf8_decoder) {
    fatal_precondition!(!decoder.is_null(), "aws_utf8_decoder_reset");
    // SAFETY: checked non-NULL.
    unsafe { (*decoder).state = Utf8State::default() };
}

#[no_mangle]
pub unsafe extern "C" fn aws_utf8_decoder_update(
    decoder: *mut aws_utf8_decoder,
    bytes: aws_byte_cursor,
) -> c_int {
    fatal_precondition!(!decoder.is_null(), "aws_utf8_decoder_update");
    // SAFETY: checked non-NULL; a by-value cursor describes readable memory.
    unsafe { (*decoder).update(cursor_bytes(&bytes)) }
}

/// Fails with AWS_ERROR_INVALID_UTF8 if a code point is cut off; resets either way.
#[no_mangle]
pub unsafe extern "C" fn aws_utf8_decoder_finalize(decoder: *mut aws_utf8_decoder) -> c_int {
    fatal_precondition!(!decoder.is_null(), "aws_utf8_decoder_finalize");
    // SAFETY: checked non-NULL.
    unsafe { (*decoder).finalize() }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn dec(input: &str) -> Option<Vec<u8>> {
        let n = base64_decoded_len(input.as_bytes()).ok()?;
        let v = base64_validate(input.as_bytes())?;
        assert_eq!(n, v, "length rules disagree for {input:?}");
        let mut out = vec![0; n];
        base64_decode_validated(input.as_bytes(), &mut out);
        Some(out)
    }

    #[test]
    fn rfc4648_vectors() {
        let vectors = [
            ("", ""),
            ("f", "Zg=="),
            ("fo", "Zm8="),
            ("foo", "Zm9v"),
            ("foob", "Zm9vYg=="),
            ("fooba", "Zm9vYmE="),
            ("foobar", "Zm9vYmFy"),
        ];
        for (plain, coded) in vectors {
            assert_eq!(base64_to_string(plain.as_bytes(), false), coded);
            assert_eq!(dec(coded).unwrap(), plain.as_bytes());
            let unpadded = coded.trim_end_matches('=');
            assert_eq!(base64_to_string(plain.as_bytes(), true), unpadded);
            assert_eq!(dec(unpadded).unwrap(), plain.as_bytes());
        }
    }

    #[test]
    fn alphabets_and_all_bytes() {
        let all: Vec<u8> = (0..=255u8).collect();
        for url in [false, true] {
            let text = base64_to_string(&all, url);
            assert_eq!(dec(&text).unwrap(), all);
        }
        assert_eq!(base64_to_string(&[0xfb, 0xff], false), "+/8=");
        assert_eq!(base64_to_string(&[0xfb, 0xff], true), "-_8");
        assert_eq!(dec("-_8=").unwrap(), vec![0xfb, 0xff]);
    }

    #[test]
    fn invalid_base64() {
        for bad in [
            "Z", "Zm9vY", "Zg=a", "Z===", "====", "Zm9v====", "Zg==Zg==", "Zm9*", "Zm\09", "Zg =",
        ] {
            assert!(dec(bad).is_none(), "{bad:?} should be rejected");
        }
        assert_eq!(base64_decoded_len(b"Zm9vY"), Err(DecodeLenError::Invalid));
        assert_eq!(base64_decoded_len(b"===="), Ok(0));
        assert_eq!(dec("Zg="), Some(b"f".to_vec()));
        assert_eq!(base64_encoded_len(usize::MAX), None);
        assert_eq!(base64_url_encoded_len(usize::MAX / 4), None);
    }

    #[test]
    fn hex() {
        let mut out = [0u8; 6];
        hex_encode_into(&[0x00, 0xab, 0x7f], &mut out);
        assert_eq!(&out, b"00ab7f");
        assert_eq!(hex_decode(b"00AB7f"), Some(vec![0x00, 0xab, 0x7f]));
        assert_eq!(hex_decode(b"abc"), Some(vec![0x0a, 0xbc]));
        assert_eq!(hex_decode(b""), Some(vec![]));
        assert_eq!(hex_decode(b"0g"), None);
    }

    fn utf8_ok(bytes: &[u8]) -> bool {
        let mut s = Utf8State::default();
        bytes.iter().all(|&b| s.push(b).is_ok()) && s.is_complete()
    }

    #[test]
    fn utf8_rules() {
        assert!(utf8_ok("héllo wörld €𝄞".as_bytes()));
        assert!(utf8_ok(b""));
        assert!(!utf8_ok(b"\xC0\xAF")); // overlong '/'
        assert!(!utf8_ok(b"\xED\xA0\x80")); // surrogate
        assert!(!utf8_ok(b"\xE2\x82")); // truncated
        assert!(!utf8_ok(b"\x80")); // stray continuation
        assert!(!utf8_ok(b"\xF8\x88\x80\x80\x80")); // 5-byte form
        assert!(utf8_ok(b"\xF4\x90\x80\x80")); // above U+10FFFF: accepted, as upstream
    }
}
