//! `aws_uri` (`aws/common/uri.h`): splits `scheme://[user[:password]@]host[:port][/path][?query]`
//! into cursors over the URI's own copy of the text, builds URIs from parts,
//! iterates query parameters, and percent-encodes / decodes. `parse` works on
//! offsets only; the shims turn them into cursors.
use std::ops::Range;

use libc::c_int;

use super::abi::*;
use super::array_list::push_item;
use super::byte_buf::{aws_byte_buf_clean_up, aws_byte_buf_init, aws_byte_buf_reserve_relative};
use super::error::raise;
use super::error_codes::*;

/// Where each part of a URI lies in its text (None: absent, a NULL cursor).
#[derive(Default, Debug, PartialEq)]
struct Parts {
    scheme: Option<Range<usize>>,
    authority: Option<Range<usize>>,
    userinfo: Option<Range<usize>>,
    user: Option<Range<usize>>,
    password: Option<Range<usize>>,
    host_name: Option<Range<usize>>,
    port: u32,
    path: Option<Range<usize>>,
    query_string: Option<Range<usize>>,
    path_and_query: Option<Range<usize>>,
}

fn find(text: &[u8], from: usize, to: usize, c: u8) -> Option<usize> {
    text[from..to]
        .iter()
        .position(|&b| b == c)
        .map(|i| from + i)
}

fn parse_port(digits: &[u8]) -> Option<u32> {
    if digits.is_empty() {
        return Some(0);
    }
    if !digits.iter().all(u8::is_ascii_digit) {
        return None;
    }
    digits
        .iter()
        .try_fold(0u64, |v, d| {
            v.checked_mul(10)?.checked_add(u64::from(d - b'0'))
        })
        .and_then(|v| u32::try_from(v).ok())
}

/// `[userinfo@]host[:port]`, host possibly an IPv6 literal in brackets.
fn parse_authority(text: &[u8], auth: Range<usize>, p: &mut Parts) -> Option<()> {
    let mut start = auth.start;
    if let Some(at) = find(text, auth.start, auth.end, b'@') {
        p.userinfo = Some(auth.start..at);
        match find(text, auth.start, at, b':') {
            Some(colon) => {
                p.user = Some(auth.start..colon);
                p.password = Some(colon + 1..at);
            }
            None => p.user = Some(auth.start..at),
        }
        start = at + 1;
    }
    let ipv6 = text.get(start) == Some(&b'[') && start < auth.end;
    let search_from = if ipv6 {
        find(text, start, auth.end, b']')?
    } else {
        start
    };
    let Some(colon) = find(text, search_from, auth.end, b':') else {
        p.host_name = Some(if ipv6 {
            start + 1..auth.end - 1
        } else {
            start..auth.end
        });
        return Some(());
    };
    p.host_name = Some(if ipv6 {
        start + 1..colon - 1
    } else {
        start..colon
    });
    p.port = parse_port(&text[colon + 1..auth.end])?;
    Some(())
}

fn parse(text: &[u8]) -> Option<Parts> {
    let mut p = Parts::default();
    let mut at = 0;
    if let Some(colon) = find(text, 0, text.len(), b':') {
        if text.get(colon + 1) == Some(&b'/') {
            p.scheme = Some(0..colon);
            if !text[colon..].starts_with(b"://") {
                return None;
            }
            at = colon + 3;
        }
    }
    let end = text.len();
    if at == end {
        return None;
    }
    let slash = find(text, at, end, b'/');
    let qmark = find(text, at, end, b'?');
    let Some(auth_end) = slash.or(qmark) else {
        p.authority = Some(at..end);
        parse_authority(text, at..end, &mut p)?;
        return Some(p);
    };
    p.authority = Some(at..auth_end);
    if auth_end > at {
        parse_authority(text, at..auth_end, &mut p)?;
    }
    at = auth_end;
    if slash.is_some() {
        p.path_and_query = Some(at..end);
        match find(text, at, end, b'?') {
            None => {
                p.path = Some(at..end);
                return Some(p);
            }
            Some(q) => {
                p.path = Some(at..q);
                at = q;
            }
        }
    }
    if p.path_and_query.is_none() {
        p.path_and_query = Some(at..end);
    }
    if at < end {
        p.query_string = Some(at + 1..end);
    }
    Some(p)
}

/// Fills the cursors of `uri` from its own text; on failure frees it and zeroes it.
///
/// # Safety
/// `uri` is a valid aws_uri whose uri_str is initialised.
unsafe fn init_from_text(uri: *mut aws_uri) -> c_int {
    // SAFETY: uri_str holds len bytes; every range lies within them.
    unsafe {
        let u = &mut *uri;
        let base = u.uri_str.buffer;
        let text = crate::ffi::slice(base, u.uri_str.len);
        let Some(p) = parse(text) else {
            aws_byte_buf_clean_up(&mut u.uri_str);
            uri.write(std::mem::zeroed());
            return raise(AWS_ERROR_MALFORMED_INPUT_STRING);
        };
        let cursor = |r: Option<Range<usize>>| match r {
            Some(r) => aws_byte_cursor {
                len: r.len(),
                ptr: base.add(r.start),
            },
            None => aws_byte_cursor {
                len: 0,
                ptr: std::ptr::null_mut(),
            },
        };
        u.scheme = cursor(p.scheme);
        u.authority = cursor(p.authority);
        u.userinfo = cursor(p.userinfo);
        u.user = cursor(p.user);
        u.password = cursor(p.password);
        u.host_name = cursor(p.host_name);
        u.port = p.port;
        u.path = cursor(p.path);
        u.query_string = cursor(p.query_string);
        u.path_and_query = cursor(p.path_and_query);
        AWS_OP_SUCCESS
    }
}

/// # Safety
/// `uri` is writable and `allocator` valid.
unsafe fn init_with_text(uri: *mut aws_uri, allocator: *mut aws_allocator, text: &[u8]) -> c_int {
    // SAFETY: per the contract; the copy fits the buffer just made.
    unsafe {
        uri.write(std::mem::zeroed());
        (*uri).self_size = std::mem::size_of::<aws_uri>();
        (*uri).allocator = allocator;
        if aws_byte_buf_init(&mut (*uri).uri_str, allocator, text.len()) != AWS_OP_SUCCESS {
            return AWS_OP_ERR;
        }
        if !text.is_empty() {
            std::ptr::copy_nonoverlapping(text.as_ptr(), (*uri).uri_str.buffer, text.len());
        }
        (*uri).uri_str.len = text.len();
        init_from_text(uri)
    }
}

#[no_mangle]
pub unsafe extern "C" fn aws_uri_init_parse(
    uri: *mut aws_uri,
    allocator: *mut aws_allocator,
    uri_str: *const aws_byte_cursor,
) -> c_int {
    // SAFETY: uri writable, cursor valid (caller contract).
    unsafe {
        init_with_text(
            uri,
            allocator,
            crate::ffi::slice((*uri_str).ptr, (*uri_str).len),
        )
    }
}

/// # Safety
/// `c` is a valid cursor.
unsafe fn bytes<'a>(c: &aws_byte_cursor) -> &'a [u8] {
    // SAFETY: per the contract.
    unsafe { crate::ffi::slice(c.ptr, c.len) }
}

#[no_mangle]
pub unsafe extern "C" fn aws_uri_init_from_builder_options(
    uri: *mut aws_uri,
    allocator: *mut aws_allocator,
    options: *mut aws_uri_builder_options,
) -> c_int {
    // SAFETY: options and its cursors / parameter list are valid (caller contract).
    unsafe {
        uri.write(std::mem::zeroed());
        let o = &*options;
        if o.query_string.len > 0 && !o.query_params.is_null() {
            return raise(AWS_ERROR_INVALID_ARGUMENT);
        }
        let mut text = Vec::new();
        if o.scheme.len > 0 {
            text.extend_from_slice(bytes(&o.scheme));
            text.extend_from_slice(b"://");
        }
        text.extend_from_slice(bytes(&o.host_name));
        if o.port != 0 {
            text.extend_from_slice(format!(":{}", o.port).as_bytes());
        }
        text.extend_from_slice(bytes(&o.path));
        if let Some(list) = o.query_params.as_ref() {
            text.push(b'?');
            let params = list.data as *const aws_uri_param;
            for i in 0..list.length {
                let param = &*params.add(i);
                if i > 0 {
                    text.push(b'&');
                }
                text.extend_from_slice(bytes(&param.key));
                text.push(b'=');
                text.extend_from_slice(bytes(&param.value));
            }
        } else if o.query_string.len > 0 {
            text.push(b'?');
            text.extend_from_slice(bytes(&o.query_string));
        }
        init_with_text(uri, allocator, &text)
    }
}

#[no_mangle]
pub unsafe extern "C" fn aws_uri_clean_up(uri: *mut aws_uri) {
    // SAFETY: uri is an initialised (or zeroed) aws_uri.
    unsafe {
        if !(*uri).uri_str.allocator.is_null() {
            aws_byte_buf_clean_up(&mut (*uri).uri_str);
        }
        uri.write(std::mem::zeroed());
    }
}

#[no_mangle]
pub unsafe extern "C" fn aws_uri_scheme(uri: *const aws_uri) -> *const aws_byte_cursor {
    // SAFETY: uri is a valid aws_uri; only the field's address is taken.
    unsafe { &(*uri).scheme }
}

#[no_mangle]
pub unsafe extern "C" fn aws_uri_authority(uri: *const aws_uri) -> *const aws_byte_cursor {
    // SAFETY: uri is a valid aws_uri; only the field's address is taken.
    unsafe { &(*uri).authority }
}

#[no_mangle]
pub unsafe extern "C" fn aws_uri_path(uri: *const aws_uri) -> *const aws_byte_cursor {
    // SAFETY: uri is a valid aws_uri; only the field's address is taken.
    unsafe { &(*uri).path }
}

#[no_mangle]
pub unsafe extern "C" fn aws_uri_query_string(uri: *const aws_uri) -> *const aws_byte_cursor {
    // SAFETY: uri is a valid aws_uri; only the field's address is taken.
    unsafe { &(*uri).query_string }
}

#[no_mangle]
pub unsafe extern "C" fn aws_uri_host_name(uri: *const aws_uri) -> *const aws_byte_cursor {
    // SAFETY: uri is a valid aws_uri; only the field's address is taken.
    unsafe { &(*uri).host_name }
}

#[no_mangle]
pub unsafe extern "C" fn aws_uri_path_and_query(uri: *const aws_uri) -> *const aws_byte_cursor {
    // SAFETY: uri is a valid aws_uri; only the field's address is taken.
    unsafe { &(*uri).path_and_query }
}

#[no_mangle]
pub unsafe extern "C" fn aws_uri_port(uri: *const aws_uri) -> u32 {
    // SAFETY: uri is a valid aws_uri.
    unsafe { (*uri).port }
}

/// The parameter after `prev` (None: the first) in `query`: `key=value` or
/// `key` (empty value right after the key), skipping empty pieces between '&'s.
fn next_param(query: &[u8], prev_end: Option<usize>) -> Option<(Range<usize>, Range<usize>)> {
    let mut at = prev_end.map_or(0, |e| e + 1);
    while at <= query.len() {
        let end = query[at..]
            .iter()
            .position(|&b| b == b'&')
            .map_or(query.len(), |i| at + i);
        if end > at {
            return Some(match query[at..end].iter().position(|&b| b == b'=') {
                Some(eq) => (at..at + eq, at + eq + 1..end),
                None => (at..end, end..end),
            });
        }
        at = end + 1;
    }
    None
}

#[no_mangle]
pub unsafe extern "C" fn aws_query_string_next_param(
    query_string: aws_byte_cursor,
    param: *mut aws_uri_param,
) -> bool {
    // SAFETY: the cursor is valid and param either zeroed or the previous result for this query.
    unsafe {
        let base = query_string.ptr;
        let q = crate::ffi::slice(base, query_string.len);
        let p = &mut *param;
        let prev_end =
            (!p.value.ptr.is_null()).then(|| p.value.ptr.offset_from(base) as usize + p.value.len);
        let Some((key, value)) = next_param(q, prev_end) else {
            return false;
        };
        p.key = aws_byte_cursor {
            len: key.len(),
            ptr: base.add(key.start),
        };
        p.value = aws_byte_cursor {
            len: value.len(),
            ptr: base.add(value.start),
        };
        true
    }
}

#[no_mangle]
pub unsafe extern "C" fn aws_query_string_params(
    query_string: aws_byte_cursor,
    out_params: *mut aws_array_list,
) -> c_int {
    // SAFETY: forwarded caller contract; out_params is a list of aws_uri_param.
    unsafe {
        let mut param: aws_uri_param = std::mem::zeroed();
        while aws_query_string_next_param(query_string, &mut param) {
            if push_item(out_params, &param) != AWS_OP_SUCCESS {
                return AWS_OP_ERR;
            }
        }
    }
    AWS_OP_SUCCESS
}

#[no_mangle]
pub unsafe extern "C" fn aws_uri_query_string_next_param(
    uri: *const aws_uri,
    param: *mut aws_uri_param,
) -> bool {
    // SAFETY: forwarded caller contract.
    unsafe { aws_query_string_next_param((*uri).query_string, param) }
}

#[no_mangle]
pub unsafe extern "C" fn aws_uri_query_string_params(
    uri: *const aws_uri,
    out_params: *mut aws_array_list,
) -> c_int {
    // SAFETY: forwarded caller contract.
    unsafe { aws_query_string_params((*uri).query_string, out_params) }
}

/// Percent-encodes everything but ALPHA / DIGIT / `-_.~` (and `/` in paths), upper-case hex.
fn encode(input: &[u8], keep_slash: bool, out: &mut Vec<u8>) {
    for &b in input {
        if b.is_ascii_alphanumeric()
            || matches!(b, b'-' | b'_' | b'.' | b'~')
            || (keep_slash && b == b'/')
        {
            out.push(b);
        } else {
            out.extend_from_slice(format!("%{b:02X}").as_bytes());
        }
    }
}

/// # Safety
/// `buffer` and `cursor` are valid.
unsafe fn append_encoded(
    buffer: *mut aws_byte_buf,
    cursor: *const aws_byte_cursor,
    keep_slash: bool,
) -> c_int {
    // SAFETY: per the contract; the reservation covers the encoded text.
    unsafe {
        let Some(worst) = (*cursor).len.checked_mul(3) else {
            return raise(AWS_ERROR_OVERFLOW_DETECTED);
        };
        if aws_byte_buf_reserve_relative(buffer, worst) != AWS_OP_SUCCESS {
            return AWS_OP_ERR;
        }
        let mut out = Vec::with_capacity(worst);
        encode(bytes(&*cursor), keep_slash, &mut out);
        let b = &mut *buffer;
        crate::ffi::slice_mut(b.buffer.add(b.len), out.len()).copy_from_slice(&out);
        b.len += out.len();
    }
    AWS_OP_SUCCESS
}

#[no_mangle]
pub unsafe extern "C" fn aws_byte_buf_append_encoding_uri_path(
    buffer: *mut aws_byte_buf,
    cursor: *const aws_byte_cursor,
) -> c_int {
    // SAFETY: forwarded caller contract.
    unsafe { append_encoded(buffer, cursor, true) }
}

#[no_mangle]
pub unsafe extern "C" fn aws_byte_buf_append_encoding_uri_param(
    buffer: *mut aws_byte_buf,
    cursor: *const aws_byte_cursor,
) -> c_int {
    // SAFETY: forwarded caller contract.
    unsafe { append_encoded(buffer, cursor, false) }
}

/// Decodes `%XX` escapes into the bytes and reports whether the input was well formed
/// (what precedes a malformed escape is still decoded, as upstream appends as it goes).
fn decode(input: &[u8], out: &mut Vec<u8>) -> bool {
    let mut i = 0;
    while i < input.len() {
        let mut c = input[i];
        i += 1;
        if c == b'%' {
            let hex = |j: usize| input.get(j).and_then(|&h| (h as char).to_digit(16));
            let (Some(hi), Some(lo)) = (hex(i), hex(i + 1)) else {
                return false;
            };
            c = (hi << 4 | lo) as u8;
            i += 2;
        }
        out.push(c);
    }
    true
}

#[no_mangle]
pub unsafe extern "C" fn aws_byte_buf_append_decoding_uri(
    buffer: *mut aws_byte_buf,
    cursor: *const aws_byte_cursor,
) -> c_int {
    // SAFETY: buffer and cursor are valid; the decoded text is never longer than the reservation.
    unsafe {
        if aws_byte_buf_reserve_relative(buffer, (*cursor).len) != AWS_OP_SUCCESS {
            return AWS_OP_ERR;
        }
        let mut out = Vec::with_capacity((*cursor).len);
        let ok = decode(bytes(&*cursor), &mut out);
        let b = &mut *buffer;
        crate::ffi::slice_mut(b.buffer.add(b.len), out.len()).copy_from_slice(&out);
        b.len += out.len();
        if !ok {
            return raise(AWS_ERROR_MALFORMED_INPUT_STRING);
        }
    }
    AWS_OP_SUCCESS
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn splits_uris() {
        let p = parse(b"https://user:pw@[::1]:8443/path/x?a=1&b").unwrap();
        assert_eq!(p.scheme, Some(0..5));
        assert_eq!(p.host_name, Some(17..20));
        assert_eq!(p.port, 8443);
        assert_eq!(p.query_string, Some(34..39));
        assert!(parse(b"http://host:99999999999/").is_none());
        assert!(parse(b"").is_none());
        let q = b"a=1&&b";
        assert_eq!(next_param(q, None), Some((0..1, 2..3)));
        assert_eq!(next_param(q, Some(3)), Some((5..6, 6..6)));
        assert_eq!(next_param(q, Some(6)), None);
    }
}
