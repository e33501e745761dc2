//! JSON documents (`aws/common/json.h`) as a tree of boxed nodes, so the
//! pointer C holds for a value (also one found inside an object or array) stays
//! put while its parent lives. Semantics follow upstream's (cJSON-based) ones:
//! object keys are looked up case-insensitively, adding a node to a container
//! hands it over, strings are NUL-terminated, and text is printed compact or
//! with cJSON's tab layout. Parsing and printing are plain Rust (`parse`, `print`).
use std::ffi::{c_char, c_void, CStr, CString};
use std::ptr;

use libc::c_int;

use super::abi::*;
use super::byte_buf::aws_byte_buf_append_dynamic_secure;
use super::error::raise;
use super::error_codes::*;

/// One JSON value; what C sees as `struct aws_json_value`. Children are boxed
/// so their addresses (held by C) survive their container growing.
#[allow(clippy::vec_box)]
#[derive(Clone, Debug, PartialEq)]
enum Json {
    Null,
    Bool(bool),
    Number(f64),
    String(CString),
    Array(Vec<Box<Json>>),
    Object(Vec<(CString, Box<Json>)>),
}

// ---- parsing ---------------------------------------------------------------------------

struct Parser<'a> {
    text: &'a [u8],
    at: usize,
}

const MAX_DEPTH: usize = 1000;

impl Parser<'_> {
    fn skip_ws(&mut self) {
        while self
            .text
            .get(self.at)
            .is_some_and(|c| matches!(c, b' ' | b'\t' | b'\n' | b'\r'))
        {
            self.at += 1;
        }
    }

    fn eat(&mut self, lit: &[u8]) -> bool {
        let hit = self.text[self.at..].starts_with(lit);
        if hit {
            self.at += lit.len();
        }
        hit
    }

    fn value(&mut self, depth: usize) -> Option<Json> {
        if depth > MAX_DEPTH {
            return None;
        }
        self.skip_ws();
        let v = match *self.text.get(self.at)? {
            b'n' if self.eat(b"null") => Json::Null,
            b't' if self.eat(b"true") => Json::Bool(true),
            b'f' if self.eat(b"false") => Json::Bool(false),
            b'"' => Json::String(self.string()?),
            b'[' => {
                self.at += 1;
                let mut items = Vec::new();
                self.skip_ws();
                if !self.eat(b"]") {
                    loop {
                        items.push(Box::new(self.value(depth + 1)?));
                        self.skip_ws();
                        if self.eat(b"]") {
                            break;
                        }
                        if !self.eat(b",") {
                            return None;
                        }
                    }
                }
                Json::Array(items)
            }
            b'{' => {
                self.at += 1;
                let mut members = Vec::new();
                self.skip_ws();
                if !self.eat(b"}") {
                    loop {
                        self.skip_ws();
                        if self.text.get(self.at) != Some(&b'"') {
                            return None;
                        }
                        let key = self.string()?;
                        self.skip_ws();
                        if !self.eat(b":") {
                            return None;
                        }
                        members.push((key, Box::new(self.value(depth + 1)?)));
                        self.skip_ws();
                        if self.eat(b"}") {
                            break;
                        }
                        if !self.eat(b",") {
                            return None;
                        }
                    }
                }
                Json::Object(members)
            }
            b'-' | b'0'..=b'9' => Json::Number(self.number()?),
            _ => return None,
        };
        Some(v)
    }

    fn number(&mut self) -> Option<f64> {
        let start = self.at;
        while self
            .text
            .get(self.at)
            .is_some_and(|c| matches!(c, b'0'..=b'9' | b'+' | b'-' | b'e' | b'E' | b'.'))
        {
            self.at += 1;
        }
        std::str::from_utf8(&self.text[start..self.at])
            .ok()?
            .parse()
            .ok()
    }

    fn hex4(&mut self) -> Option<u32> {
        let digits = std::str::from_utf8(self.text.get(self.at..self.at + 4)?).ok()?;
        self.at += 4;
        u32::from_str_radix(digits, 16).ok()
    }

    fn string(&mut self) -> Option<CString> {
        self.at += 1;
        let mut out = Vec::new();
        loop {
            let c = *self.text.get(self.at)?;
            self.at += 1;
            match c {
                b'"' => break,
                b'\\' => {
                    let e = *self.text.get(self.at)?;
                    self.at += 1;
                    match e {
                        b'b' => out.push(8),
                        b'f' => out.push(12),
                        b'n' => out.push(b'\n'),
                        b'r' => out.push(b'\r'),
                        b't' => out.push(b'\t'),
                        b'"' | b'\\' | b'/' => out.push(e),
                        b'u' => {
                            let mut code = self.hex4()?;
                            if (0xD800..0xDC00).contains(&code) {
                                if !self.eat(b"\\u") {
                                    return None;
                                }
                                let low = self.hex4()?;
                                if !(0xDC00..0xE000).contains(&low) {
                                    return None;
                                }
                                code = 0x10000 + ((code - 0xD800) << 10) + (low - 0xDC00);
                            }
                            let ch = char::from_u32(code)?;
                            out.extend_from_slice(ch.encode_utf8(&mut [0; 4]).as_bytes());
                        }
                        _ => return None,
                    }
                }
                _ => out.push(c),
            }
        }
        CString::new(out).ok()
    }
}

fn parse(text: &[u8]) -> Option<Json> {
    let mut p = Parser { text, at: 0 };
    p.value(0)
}

// ---- printing --------------------------------------------------------------------------

fn print_number(n: f64, out: &mut Vec<u8>) {
    let text = if n.is_nan() || n.is_infinite() {
        "null".to_string()
    } else if n == n.trunc() && n.abs() < 1e15 {
        format!("{}", n as i64)
    } else {
        // Shortest text that reads back to the same double (cJSON tries %1.15g, then %1.17g).
        format!("{n}")
    };
    out.extend_from_slice(text.as_bytes());
}

fn print_string(s: &[u8], out: &mut Vec<u8>) {
    out.push(b'"');
    for &b in s {
        match b {
            b'"' => out.extend_from_slice(b"\\\""),
            b'\\' => out.extend_from_slice(b"\\\\"),
            8 => out.extend_from_slice(b"\\b"),
            12 => out.extend_from_slice(b"\\f"),
            b'\n' => out.extend_from_slice(b"\\n"),
            b'\r' => out.extend_from_slice(b"\\r"),
            b'\t' => out.extend_from_slice(b"\\t"),
            0..=31 => out.extend_from_slice(format!("\\u{b:04x}").as_bytes()),
            _ => out.push(b),
        }
    }
    out.push(b'"');
}

fn tabs(n: usize, out: &mut Vec<u8>) {
    out.resize(out.len() + n, b'\t');
}

/// Compact, or cJSON's formatted layout (objects one member per line, indented
/// with tabs, `"key":\tvalue`; arrays on one line with ", ").
fn print(v: &Json, formatted: bool, depth: usize, out: &mut Vec<u8>) {
    match v {
        Json::Null => out.extend_from_slice(b"null"),
        Json::Bool(b) => out.extend_from_slice(if *b { b"true" } else { b"false" }),
        Json::Number(n) => print_number(*n, out),
        Json::String(s) => print_string(s.as_bytes(), out),
        Json::Array(items) => {
            out.push(b'[');
            for (i, item) in items.iter().enumerate() {
                if i > 0 {
                    out.extend_from_slice(if formatted { b", " } else { b"," });
                }
                print(item, formatted, depth + 1, out);
            }
            out.push(b']');
        }
        Json::Object(members) => {
            out.push(b'{');
            if formatted {
                out.push(b'\n');
            }
            for (i, (k, item)) in members.iter().enumerate() {
                if formatted {
                    tabs(depth + 1, out);
                }
                print_string(k.as_bytes(), out);
                out.push(b':');
                if formatted {
                    out.push(b'\t');
                }
                print(item, formatted, depth + 1, out);
                if i + 1 < members.len() {
                    out.push(b',');
                }
                if formatted {
                    out.push(b'\n');
                }
            }
            if formatted {
                tabs(depth, out);
            }
            out.push(b'}');
        }
    }
}

fn keys_equal(a: &CStr, b: &[u8], case_sensitive: bool) -> bool {
    if case_sensitive {
        a.to_bytes() == b
    } else {
        a.to_bytes().eq_ignore_ascii_case(b)
    }
}

fn compare(a: &Json, b: &Json, case_sensitive: bool) -> bool {
    match (a, b) {
        (Json::Number(x), Json::Number(y)) => (x - y).abs() <= f64::EPSILON * x.abs().max(y.abs()),
        (Json::Array(x), Json::Array(y)) => {
            x.len() == y.len() && x.iter().zip(y).all(|(p, q)| compare(p, q, case_sensitive))
        }
        (Json::Object(x), Json::Object(y)) => {
            let covers = |p: &Vec<(CString, Box<Json>)>, q: &Vec<(CString, Box<Json>)>| {
                p.iter().all(|(k, v)| {
                    q.iter()
                        .find(|(k2, _)| keys_equal(k2, k.as_bytes(), case_sensitive))
                        .is_some_and(|(_, v2)| compare(v, v2, case_sensitive))
                })
            };
            covers(x, y) && covers(y, x)
        }
        _ => a == b,
    }
}

// ---- C API -----------------------------------------------------------------------------

fn into_c(v: Json) -> *mut aws_json_value {
    Box::into_raw(Box::new(v)).cast()
}

/// # Safety
/// `v` is NULL or a live value from this module.
unsafe fn as_ref<'a>(v: *const aws_json_value) -> Option<&'a Json> {
    // SAFETY: per the contract.
    unsafe { (v as *const Json).as_ref() }
}

/// # Safety
/// `v` is NULL or a live value from this module.
unsafe fn as_mut<'a>(v: *mut aws_json_value) -> Option<&'a mut Json> {
    // SAFETY: per the contract.
    unsafe { (v as *mut Json).as_mut() }
}

/// # Safety
/// `c` is a valid cursor.
unsafe fn cursor_bytes<'a>(c: &aws_byte_cursor) -> &'a [u8] {
    // SAFETY: per the contract.
    unsafe { crate::ffi::slice(c.ptr, c.len) }
}

/// # Safety
/// `s` is NULL or a C string.
unsafe fn c_str<'a>(s: *const c_char) -> &'a [u8] {
    if s.is_null() {
        return &[];
    }
    // SAFETY: per the contract.
    unsafe { CStr::from_ptr(s) }.to_bytes()
}

fn string_value(bytes: &[u8]) -> *mut aws_json_value {
    // Like a C string, the value ends at an embedded NUL.
    let end = bytes.iter().position(|&b| b == 0).unwrap_or(bytes.len());
    into_c(Json::String(
        CString::new(&bytes[..end]).unwrap_or_default(),
    ))
}

#[no_mangle]
pub unsafe extern "C" fn aws_json_value_new_string(
    _allocator: *mut aws_allocator,
    string: aws_byte_cursor,
) -> *mut aws_json_value {
    // SAFETY: a valid cursor.
    string_value(unsafe { cursor_bytes(&string) })
}

#[no_mangle]
pub unsafe extern "C" fn aws_json_value_new_string_from_c_str(
    _allocator: *mut aws_allocator,
    string: *const c_char,
) -> *mut aws_json_value {
    // SAFETY: a C string.
    string_value(unsafe { c_str(string) })
}

#[no_mangle]
pub extern "C" fn aws_json_value_new_number(
    _allocator: *mut aws_allocator,
    number: f64,
) -> *mut aws_json_value {
    into_c(Json::Number(number))
}

#[no_mangle]
pub extern "C" fn aws_json_value_new_array(_allocator: *mut aws_allocator) -> *mut aws_json_value {
    into_c(Json::Array(Vec::new()))
}

#[no_mangle]
pub extern "C" fn aws_json_value_new_boolean(
    _allocator: *mut aws_allocator,
    boolean: bool,
) -> *mut aws_json_value {
    into_c(Json::Bool(boolean))
}

#[no_mangle]
pub extern "C" fn aws_json_value_new_null(_allocator: *mut aws_allocator) -> *mut aws_json_value {
    into_c(Json::Null)
}

#[no_mangle]
pub extern "C" fn aws_json_value_new_object(_allocator: *mut aws_allocator) -> *mut aws_json_value {
    into_c(Json::Object(Vec::new()))
}

#[no_mangle]
pub unsafe extern "C" fn aws_json_value_get_string(
    value: *const aws_json_value,
    output: *mut aws_byte_cursor,
) -> c_int {
    // SAFETY: a live value; output writable.
    match unsafe { as_ref(value) } {
        Some(Json::String(s)) => {
            // SAFETY: output is writable (caller contract).
            unsafe {
                *output = aws_byte_cursor {
                    len: s.as_bytes().len(),
                    ptr: s.as_ptr() as *mut u8,
                }
            };
            AWS_OP_SUCCESS
        }
        _ => raise(AWS_ERROR_INVALID_ARGUMENT),
    }
}

#[no_mangle]
pub unsafe extern "C" fn aws_json_value_get_number(
    value: *const aws_json_value,
    output: *mut f64,
) -> c_int {
    // SAFETY: a live value (or NULL).
    match unsafe { as_ref(value) } {
        Some(Json::Number(n)) if !output.is_null() => {
            // SAFETY: non-NULL output.
            unsafe { *output = *n };
            AWS_OP_SUCCESS
        }
        _ => raise(AWS_ERROR_INVALID_ARGUMENT),
    }
}

#[no_mangle]
pub unsafe extern "C" fn aws_json_value_get_boolean(
    value: *const aws_json_value,
    output: *mut bool,
) -> c_int {
    // SAFETY: a live value (or NULL).
    match unsafe { as_ref(value) } {
        Some(Json::Bool(b)) if !output.is_null() => {
            // SAFETY: non-NULL output.
            unsafe { *output = *b };
            AWS_OP_SUCCESS
        }
        _ => raise(AWS_ERROR_INVALID_ARGUMENT),
    }
}

/// Takes ownership of `value` unless it fails (not an object, or the key is there: AWS_OP_ERR).
unsafe fn add_to_object(
    object: *mut aws_json_value,
    key: &[u8],
    value: *mut aws_json_value,
) -> c_int {
    // SAFETY: live values from this module.
    unsafe {
        let Some(Json::Object(members)) = as_mut(object) else {
            return raise(AWS_ERROR_INVALID_ARGUMENT);
        };
        if value.is_null() {
            return raise(AWS_ERROR_INVALID_ARGUMENT);
        }
        if members.iter().any(|(k, _)| keys_equal(k, key, false)) {
            return AWS_OP_ERR;
        }
        let end = key.iter().position(|&b| b == 0).unwrap_or(key.len());
        members.push((
            CString::new(&key[..end]).unwrap_or_default(),
            Box::from_raw(value as *mut Json),
        ));
        AWS_OP_SUCCESS
    }
}

#[no_mangle]
pub unsafe extern "C" fn aws_json_value_add_to_object(
    object: *mut aws_json_value,
    key: aws_byte_cursor,
    value: *mut aws_json_value,
) -> c_int {
    // SAFETY: forwarded caller contract.
    unsafe { add_to_object(object, cursor_bytes(&key), value) }
}

#[no_mangle]
pub unsafe extern "C" fn aws_json_value_add_to_object_c_str(
    object: *mut aws_json_value,
    key: *const c_char,
    value: *mut aws_json_value,
) -> c_int {
    // SAFETY: forwarded caller contract.
    unsafe { add_to_object(object, c_str(key), value) }
}

unsafe fn get_from_object(object: *const aws_json_value, key: &[u8]) -> *mut aws_json_value {
    // SAFETY: a live value from this module.
    match unsafe { as_ref(object) } {
        Some(Json::Object(members)) => members
            .iter()
            .find(|(k, _)| keys_equal(k, key, false))
            .map_or(ptr::null_mut(), |(_, v)| {
                &**v as *const Json as *mut aws_json_value
            }),
        _ => {
            raise(AWS_ERROR_INVALID_ARGUMENT);
            ptr::null_mut()
        }
    }
}

#[no_mangle]
pub unsafe extern "C" fn aws_json_value_get_from_object(
    object: *const aws_json_value,
    key: aws_byte_cursor,
) -> *mut aws_json_value {
    // SAFETY: forwarded caller contract.
    unsafe { get_from_object(object, cursor_bytes(&key)) }
}

#[no_mangle]
pub unsafe extern "C" fn aws_json_value_get_from_object_c_str(
    object: *const aws_json_value,
    key: *const c_char,
) -> *mut aws_json_value {
    // SAFETY: forwarded caller contract.
    unsafe { get_from_object(object, c_str(key)) }
}

unsafe fn has_key(object: *const aws_json_value, key: &[u8]) -> bool {
    // SAFETY: a live value from this module.
    matches!(unsafe { as_ref(object) }, Some(Json::Object(m)) if m.iter().any(|(k, _)| keys_equal(k, key, false)))
}

#[no_mangle]
pub unsafe extern "C" fn aws_json_value_has_key(
    object: *const aws_json_value,
    key: aws_byte_cursor,
) -> bool {
    // SAFETY: forwarded caller contract.
    unsafe { has_key(object, cursor_bytes(&key)) }
}

#[no_mangle]
pub unsafe extern "C" fn aws_json_value_has_key_c_str(
    object: *const aws_json_value,
    key: *const c_char,
) -> bool {
    // SAFETY: forwarded caller contract.
    unsafe { has_key(object, c_str(key)) }
}

unsafe fn remove_from_object(object: *mut aws_json_value, key: &[u8]) -> c_int {
    // SAFETY: a live value from this module.
    let Some(Json::Object(members)) = (unsafe { as_mut(object) }) else {
        return raise(AWS_ERROR_INVALID_ARGUMENT);
    };
    match members.iter().position(|(k, _)| keys_equal(k, key, false)) {
        Some(i) => {
            members.remove(i);
            AWS_OP_SUCCESS
        }
        None => AWS_OP_ERR,
    }
}

#[no_mangle]
pub unsafe extern "C" fn aws_json_value_remove_from_object(
    object: *mut aws_json_value,
    key: aws_byte_cursor,
) -> c_int {
    // SAFETY: forwarded caller contract.
    unsafe { remove_from_object(object, cursor_bytes(&key)) }
}

#[no_mangle]
pub unsafe extern "C" fn aws_json_value_remove_from_object_c_str(
    object: *mut aws_json_value,
    key: *const c_char,
) -> c_int {
    // SAFETY: forwarded caller contract.
    unsafe { remove_from_object(object, c_str(key)) }
}

#[no_mangle]
pub unsafe extern "C" fn aws_json_const_iterate_object(
    object: *const aws_json_value,
    on_member: aws_json_on_member_encountered_const_fn,
    user_data: *mut c_void,
) -> c_int {
    // SAFETY: a live object; the callback gets cursors and values that live across the call.
    unsafe {
        let Some(Json::Object(members)) = as_ref(object) else {
            return raise(AWS_ERROR_INVALID_ARGUMENT);
        };
        let Some(cb) = on_member else {
            return raise(AWS_ERROR_INVALID_ARGUMENT);
        };
        for (k, v) in members {
            let key = aws_byte_cursor {
                len: k.as_bytes().len(),
                ptr: k.as_ptr() as *mut u8,
            };
            let mut go_on = true;
            if cb(
                &key,
                &**v as *const Json as *const aws_json_value,
                &mut go_on,
                user_data,
            ) != AWS_OP_SUCCESS
            {
                return AWS_OP_ERR;
            }
            if !go_on {
                break;
            }
        }
    }
    AWS_OP_SUCCESS
}

#[no_mangle]
pub unsafe extern "C" fn aws_json_value_add_array_element(
    array: *mut aws_json_value,
    value: *const aws_json_value,
) -> c_int {
    // SAFETY: live values; the array takes ownership of value.
    unsafe {
        let Some(Json::Array(items)) = as_mut(array) else {
            return raise(AWS_ERROR_INVALID_ARGUMENT);
        };
        if value.is_null() {
            return raise(AWS_ERROR_INVALID_ARGUMENT);
        }
        items.push(Box::from_raw(value as *mut Json));
    }
    AWS_OP_SUCCESS
}

#[no_mangle]
pub unsafe extern "C" fn aws_json_get_array_element(
    array: *const aws_json_value,
    index: usize,
) -> *mut aws_json_value {
    // SAFETY: a live value from this module.
    match unsafe { as_ref(array) } {
        Some(Json::Array(items)) => match items.get(index) {
            Some(v) => &**v as *const Json as *mut aws_json_value,
            None => {
                raise(AWS_ERROR_INVALID_INDEX);
                ptr::null_mut()
            }
        },
        _ => {
            raise(AWS_ERROR_INVALID_ARGUMENT);
            ptr::null_mut()
        }
    }
}

#[no_mangle]
pub unsafe extern "C" fn aws_json_get_array_size(array: *const aws_json_value) -> usize {
    // SAFETY: a live value from this module.
    match unsafe { as_ref(array) } {
        Some(Json::Array(items)) => items.len(),
        _ => {
            raise(AWS_ERROR_INVALID_ARGUMENT);
            0
        }
    }
}

#[no_mangle]
pub unsafe extern "C" fn aws_json_value_remove_array_element(
    array: *mut aws_json_value,
    index: usize,
) -> c_int {
    // SAFETY: a live value from this module.
    let Some(Json::Array(items)) = (unsafe { as_mut(array) }) else {
        return raise(AWS_ERROR_INVALID_ARGUMENT);
    };
    if index > items.len() {
        return raise(AWS_ERROR_INVALID_INDEX);
    }
    if index < items.len() {
        items.remove(index);
    }
    AWS_OP_SUCCESS
}

#[no_mangle]
pub unsafe extern "C" fn aws_json_const_iterate_array(
    array: *const aws_json_value,
    on_value: aws_json_on_value_encountered_const_fn,
    user_data: *mut c_void,
) -> c_int {
    // SAFETY: a live array; values live across each call.
    unsafe {
        let Some(Json::Array(items)) = as_ref(array) else {
            return raise(AWS_ERROR_INVALID_ARGUMENT);
        };
        let Some(cb) = on_value else {
            return raise(AWS_ERROR_INVALID_ARGUMENT);
        };
        for (i, v) in items.iter().enumerate() {
            let mut go_on = true;
            if cb(
                i,
                &**v as *const Json as *const aws_json_value,
                &mut go_on,
                user_data,
            ) != AWS_OP_SUCCESS
            {
                return AWS_OP_ERR;
            }
            if !go_on {
                break;
            }
        }
    }
    AWS_OP_SUCCESS
}

#[no_mangle]
pub unsafe extern "C" fn aws_json_value_compare(
    a: *const aws_json_value,
    b: *const aws_json_value,
    is_case_sensitive: bool,
) -> bool {
    // SAFETY: live values (or NULL).
    match unsafe { (as_ref(a), as_ref(b)) } {
        (Some(x), Some(y)) => compare(x, y, is_case_sensitive),
        _ => false,
    }
}

#[no_mangle]
pub unsafe extern "C" fn aws_json_value_duplicate(
    value: *const aws_json_value,
) -> *mut aws_json_value {
    // SAFETY: a live value (or NULL).
    match unsafe { as_ref(value) } {
        Some(v) => into_c(v.clone()),
        None => {
            raise(AWS_ERROR_INVALID_ARGUMENT);
            ptr::null_mut()
        }
    }
}

#[no_mangle]
pub unsafe extern "C" fn aws_json_value_is_string(value: *const aws_json_value) -> bool {
    // SAFETY: a live value (or NULL).
    matches!(unsafe { as_ref(value) }, Some(Json::String(_)))
}

#[no_mangle]
pub unsafe extern "C" fn aws_json_value_is_number(value: *const aws_json_value) -> bool {
    // SAFETY: a live value (or NULL).
    matches!(unsafe { as_ref(value) }, Some(Json::Number(_)))
}

#[no_mangle]
pub unsafe extern "C" fn aws_json_value_is_array(value: *const aws_json_value) -> bool {
    // SAFETY: a live value (or NULL).
    matches!(unsafe { as_ref(value) }, Some(Json::Array(_)))
}

#[no_mangle]
pub unsafe extern "C" fn aws_json_value_is_boolean(value: *const aws_json_value) -> bool {
    // SAFETY: a live value (or NULL).
    matches!(unsafe { as_ref(value) }, Some(Json::Bool(_)))
}

#[no_mangle]
pub unsafe extern "C" fn aws_json_value_is_null(value: *const aws_json_value) -> bool {
    // SAFETY: a live value (or NULL).
    matches!(unsafe { as_ref(value) }, Some(Json::Null))
}

#[no_mangle]
pub unsafe extern "C" fn aws_json_value_is_object(value: *const aws_json_value) -> bool {
    // SAFETY: a live value (or NULL).
    matches!(unsafe { as_ref(value) }, Some(Json::Object(_)))
}

/// Frees a value and everything in it (only values not handed to a container).
#[no_mangle]
pub unsafe extern "C" fn aws_json_value_destroy(value: *mut aws_json_value) {
    if !value.is_null() {
        // SAFETY: a root value from this module, not owned by a container.
        drop(unsafe { Box::from_raw(value as *mut Json) });
    }
}

unsafe fn append_text(
    value: *const aws_json_value,
    output: *mut aws_byte_buf,
    formatted: bool,
) -> c_int {
    // SAFETY: a live value (or NULL) and a valid buffer.
    unsafe {
        let Some(v) = as_ref(value) else {
            return raise(AWS_ERROR_INVALID_ARGUMENT);
        };
        let mut text = Vec::new();
        print(v, formatted, 0, &mut text);
        let cursor = aws_byte_cursor {
            len: text.len(),
            ptr: text.as_ptr() as *mut u8,
        };
        aws_byte_buf_append_dynamic_secure(output, &cursor)
    }
}

#[no_mangle]
pub unsafe extern "C" fn aws_byte_buf_append_json_string(
    value: *const aws_json_value,
    output: *mut aws_byte_buf,
) -> c_int {
    // SAFETY: forwarded caller contract.
    unsafe { append_text(value, output, false) }
}

#[no_mangle]
pub unsafe extern "C" fn aws_byte_buf_append_json_string_formatted(
    value: *const aws_json_value,
    output: *mut aws_byte_buf,
) -> c_int {
    // SAFETY: forwarded caller contract.
    unsafe { append_text(value, output, true) }
}

/// NULL when the text is not JSON (as upstream, no error is raised). Text after the value is ignored.
#[no_mangle]
pub unsafe extern "C" fn aws_json_value_new_from_string(
    _allocator: *mut aws_allocator,
    string: aws_byte_cursor,
) -> *mut aws_json_value {
    // SAFETY: a valid cursor.
    let text = unsafe { cursor_bytes(&string) };
    let end = text.iter().position(|&b| b == 0).unwrap_or(text.len());
    parse(&text[..end]).map_or(ptr::null_mut(), into_c)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn round_trips() {
        let text = br#"{"array":[1,2.5,-3e2],"b":true,"s":"a\"\u00e9\n","n":null,"o":{"a":"b"}}"#;
        let v = parse(text).unwrap();
        let mut out = Vec::new();
        print(&v, false, 0, &mut out);
        assert_eq!(String::from_utf8(out).unwrap(), "{\"array\":[1,2.5,-300],\"b\":true,\"s\":\"a\\\"\u{e9}\\n\",\"n\":null,\"o\":{\"a\":\"b\"}}");
        let mut pretty = Vec::new();
        print(
            &parse(br#"{"a":[1,2],"o":{}}"#).unwrap(),
            true,
            0,
            &mut pretty,
        );
        assert_eq!(
            String::from_utf8(pretty).unwrap(),
            "{\n\t\"a\":\t[1, 2],\n\t\"o\":\t{\n\t}\n}"
        );
        assert!(parse(b"{\"a\":}").is_none());
    }
}
