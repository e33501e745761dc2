//! `aws_uuid`: 16 random bytes, printed as 8-4-4-4-12 lowercase hex (or the
//! 32-digit compact form) and parsed back.
use libc::c_int;

use super::abi::*;
use super::device_random::aws_device_random_buffer;
use super::error::raise;
use super::error_codes::*;

const STR_LEN: usize = 36;
/// Byte indexes followed by a dash in the long form.
const DASH_AFTER: [usize; 4] = [3, 5, 7, 9];

fn format(uuid: &[u8; 16], dashes: bool) -> Vec<u8> {
    let mut out = Vec::with_capacity(STR_LEN);
    for (i, b) in uuid.iter().enumerate() {
        out.extend_from_slice(format!("{b:02x}").as_bytes());
        if dashes && DASH_AFTER.contains(&i) {
            out.push(b'-');
        }
    }
    out
}

/// Parses the first 36 characters as upstream's scanf pattern does: each byte is
/// one or two hex digits, with dashes after bytes 4, 6, 8 and 10.
fn parse(text: &[u8]) -> Option<[u8; 16]> {
    let text = &text[..STR_LEN.min(text.len())];
    let mut out = [0u8; 16];
    let mut at = 0;
    for (i, byte) in out.iter_mut().enumerate() {
        let digits = text[at..]
            .iter()
            .take(2)
            .take_while(|c| c.is_ascii_hexdigit())
            .count();
        if digits == 0 {
            return None;
        }
        *byte = u8::from_str_radix(std::str::from_utf8(&text[at..at + digits]).ok()?, 16).ok()?;
        at += digits;
        if DASH_AFTER.contains(&i) {
            if text.get(at) != Some(&b'-') {
                return None;
            }
            at += 1;
        }
    }
    Some(out)
}

#[no_mangle]
pub unsafe extern "C" fn aws_uuid_init(uuid: *mut aws_uuid) -> c_int {
    // SAFETY: uuid points to a writable aws_uuid; the buffer borrows its 16 bytes.
    unsafe {
        let mut buf = aws_byte_buf {
            len: 0,
            buffer: (*uuid).uuid_data.as_mut_ptr(),
            capacity: 16,
            allocator: std::ptr::null_mut(),
        };
        aws_device_random_buffer(&mut buf)
    }
}

#[no_mangle]
pub unsafe extern "C" fn aws_uuid_init_from_str(
    uuid: *mut aws_uuid,
    uuid_str: *const aws_byte_cursor,
) -> c_int {
    // SAFETY: uuid_str is a valid cursor and uuid writable (caller contract).
    unsafe {
        let cursor = &*uuid_str;
        if cursor.len < STR_LEN {
            return raise(AWS_ERROR_INVALID_BUFFER_SIZE);
        }
        (*uuid).uuid_data = [0; 16];
        match parse(crate::ffi::slice(cursor.ptr, STR_LEN)) {
            Some(bytes) => {
                (*uuid).uuid_data = bytes;
                AWS_OP_SUCCESS
            }
            None => raise(AWS_ERROR_MALFORMED_INPUT_STRING),
        }
    }
}

/// Appends the text and a NUL after it (not counted in len), as upstream's snprintf does.
unsafe fn to_str(uuid: *const aws_uuid, output: *mut aws_byte_buf, dashes: bool) -> c_int {
    // SAFETY: uuid and output are valid (caller contract); the write stays within capacity.
    unsafe {
        let out = &mut *output;
        let text = format(&(*uuid).uuid_data, dashes);
        if out.capacity - out.len < text.len() + 1 {
            return raise(AWS_ERROR_SHORT_BUFFER);
        }
        let dest = crate::ffi::slice_mut(out.buffer.add(out.len), text.len() + 1);
        dest[..text.len()].copy_from_slice(&text);
        dest[text.len()] = 0;
        out.len += text.len();
        AWS_OP_SUCCESS
    }
}

#[no_mangle]
pub unsafe extern "C" fn aws_uuid_to_str(
    uuid: *const aws_uuid,
    output: *mut aws_byte_buf,
) -> c_int {
    // SAFETY: forwarded caller contract.
    unsafe { to_str(uuid, output, true) }
}

#[no_mangle]
pub unsafe extern "C" fn aws_uuid_to_str_compact(
    uuid: *const aws_uuid,
    output: *mut aws_byte_buf,
) -> c_int {
    // SAFETY: forwarded caller contract.
    unsafe { to_str(uuid, output, false) }
}

#[no_mangle]
pub unsafe extern "C" fn aws_uuid_equals(a: *const aws_uuid, b: *const aws_uuid) -> bool {
    // SAFETY: both point to live aws_uuid values.
    unsafe { (*a).uuid_data == (*b).uuid_data }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn round_trips() {
        let bytes: [u8; 16] = core::array::from_fn(|i| (i * 17) as u8);
        let text = format(&bytes, true);
        assert_eq!(&text[..], b"00112233-4455-6677-8899-aabbccddeeff");
        assert_eq!(parse(&text), Some(bytes));
        assert_eq!(format(&bytes, false).len(), 32);
        assert_eq!(parse(b"00112233-4455-6677-8899_aabbccddeeff"), None);
    }
}
