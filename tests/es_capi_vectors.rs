//! The aws-c-event-stream C API (the exported functions, called as C would)
//! against every golden vector in `shared/vectors`: one-shot decode through
//! `aws_event_stream_message_from_buffer` + `_headers`, exact re-encode with
//! `aws_event_stream_message_init` + `aws_event_stream_add_*_header`, and the
//! C streaming decoder in chunks of 1, 7, 4096 and all, with upstream's error
//! codes, routes and partial progress. All memory goes through a counting
//! allocator that must end at zero.
#![allow(clippy::missing_safety_doc)]

mod common;

use std::path::PathBuf;
use std::ptr;
use std::sync::atomic::{AtomicIsize, Ordering};

use aws_c_event_stream_rs::common::abi::*;
use aws_c_event_stream_rs::common::error::{aws_last_error, aws_reset_error};
use aws_c_event_stream_rs::event_stream::abi::*;
use aws_c_event_stream_rs::event_stream::capi::decoder::*;
use aws_c_event_stream_rs::event_stream::capi::headers::*;
use aws_c_event_stream_rs::event_stream::capi::message::*;
use aws_c_event_stream_rs::event_stream::wire::WireError;
use base64::Engine;
use libc::{c_char, c_int, c_void};
use serde_json::Value;

const CHUNKINGS: [usize; 4] = [1, 7, 4096, usize::MAX];

// ---- counting allocator -------------------------------------------------------

struct Counting {
    alloc: aws_allocator,
    outstanding: AtomicIsize,
}

unsafe fn counter(a: *mut aws_allocator) -> &'static AtomicIsize {
    &(*((*a).r#impl as *const Counting)).outstanding
}
unsafe extern "C" fn c_acquire(a: *mut aws_allocator, size: usize) -> *mut c_void {
    counter(a).fetch_add(1, Ordering::SeqCst);
    libc::malloc(size)
}
unsafe extern "C" fn c_release(a: *mut aws_allocator, p: *mut c_void) {
    counter(a).fetch_sub(1, Ordering::SeqCst);
    libc::free(p)
}

impl Counting {
    fn new() -> Box<Counting> {
        let mut c = Box::new(Counting {
            alloc: aws_allocator {
                mem_acquire: Some(c_acquire),
                mem_release: Some(c_release),
                mem_realloc: None,
                mem_calloc: None,
                r#impl: ptr::null_mut(),
            },
            outstanding: AtomicIsize::new(0),
        });
        c.alloc.r#impl = &*c as *const Counting as *mut c_void;
        c
    }
    fn ptr(&self) -> *mut aws_allocator {
        &self.alloc as *const aws_allocator as *mut aws_allocator
    }
    fn outstanding(&self) -> isize {
        self.outstanding.load(Ordering::SeqCst)
    }
}

// ---- index --------------------------------------------------------------------

fn index() -> (PathBuf, Vec<Value>) {
    let dir = common::vectors_dir();
    let text = std::fs::read_to_string(dir.join("index.json")).expect("index.json");
    let Value::Array(entries) = serde_json::from_str(&text).expect("index parses") else {
        panic!("index.json is not an array")
    };
    assert!(entries.len() >= 70);
    (dir, entries)
}

fn b64(s: &str) -> Vec<u8> {
    base64::engine::general_purpose::STANDARD
        .decode(s)
        .expect("base64")
}

fn int(v: &Value) -> i64 {
    v.as_i64().unwrap_or_else(|| panic!("not an integer: {v}"))
}

fn code_of(v: &Value) -> Option<c_int> {
    v.as_str().map(|n| {
        WireError::from_aws_error_name(n)
            .unwrap_or_else(|| panic!("unknown error {n}"))
            .aws_error_code()
    })
}

/// A header reduced to (name, wire type byte, value bytes as on the wire
/// without the length prefix; empty for bools).
type Hdr = (Vec<u8>, u8, Vec<u8>);

fn expected_header(h: &Value) -> Hdr {
    let name = h["name"].as_str().expect("name").as_bytes().to_vec();
    let v = &h["value"];
    let (ty, value) = match h["type"].as_str().expect("type") {
        "bool_true" => (0, vec![]),
        "bool_false" => (1, vec![]),
        "byte" => (2, (int(v) as i8).to_be_bytes().to_vec()),
        "int16" => (3, (int(v) as i16).to_be_bytes().to_vec()),
        "int32" => (4, (int(v) as i32).to_be_bytes().to_vec()),
        "int64" => (5, int(v).to_be_bytes().to_vec()),
        "byte_buf" => (6, b64(v.as_str().unwrap())),
        "string" => (
            7,
            match v.as_str() {
                Some(s) => s.as_bytes().to_vec(),
                None => b64(h["value_base64"].as_str().expect("value_base64")),
            },
        ),
        "timestamp" => (8, int(v).to_be_bytes().to_vec()),
        "uuid" => (9, b64(v.as_str().unwrap())),
        other if other.starts_with("unknown(") => (int(&h["type_byte"]) as u8, vec![]),
        other => panic!("type {other}"),
    };
    (name, ty, value)
}

fn expected_headers(m: &Value) -> Vec<Hdr> {
    m["headers"]
        .as_array()
        .expect("headers")
        .iter()
        .map(expected_header)
        .collect()
}

unsafe fn buf_bytes(b: aws_byte_buf) -> Vec<u8> {
    if b.len == 0 {
        return vec![];
    }
    std::slice::from_raw_parts(b.buffer, b.len).to_vec()
}

/// Reads a pair back through the `aws_event_stream_header_*` getters.
unsafe fn header_of(p: *mut aws_event_stream_header_value_pair) -> Hdr {
    let name = buf_bytes(aws_event_stream_header_name(p));
    let ty = (*p).header_value_type as u8;
    let value = match ty {
        0 | 1 => {
            assert_eq!(aws_event_stream_header_value_as_bool(p), (ty == 0) as i8);
            assert_eq!(aws_event_stream_header_value_length(p), 0);
            vec![]
        }
        2 => aws_event_stream_header_value_as_byte(p)
            .to_be_bytes()
            .to_vec(),
        3 => aws_event_stream_header_value_as_int16(p)
            .to_be_bytes()
            .to_vec(),
        4 => aws_event_stream_header_value_as_int32(p)
            .to_be_bytes()
            .to_vec(),
        5 => aws_event_stream_header_value_as_int64(p)
            .to_be_bytes()
            .to_vec(),
        6 => buf_bytes(aws_event_stream_header_value_as_bytebuf(p)),
        7 => buf_bytes(aws_event_stream_header_value_as_string(p)),
        8 => aws_event_stream_header_value_as_timestamp(p)
            .to_be_bytes()
            .to_vec(),
        9 => buf_bytes(aws_event_stream_header_value_as_uuid(p)),
        _ => {
            assert_eq!(aws_event_stream_header_value_length(p), 0);
            vec![]
        }
    };
    if (2..=9).contains(&ty) {
        assert_eq!(
            aws_event_stream_header_value_length(p) as usize,
            value.len()
        );
    }
    (name, ty, value)
}

unsafe fn list_headers(list: &aws_array_list) -> Vec<Hdr> {
    assert_eq!(list.item_size, 288);
    (0..list.length)
        .map(|i| {
            let p = (list.data as *mut u8).add(i * list.item_size)
                as *mut aws_event_stream_header_value_pair;
            header_of(p)
        })
        .collect()
}

fn zeroed_list() -> aws_array_list {
    aws_array_list {
        alloc: ptr::null_mut(),
        current_size: 0,
        length: 0,
        item_size: 0,
        data: ptr::null_mut(),
    }
}

fn empty_message() -> aws_event_stream_message {
    aws_event_stream_message {
        alloc: ptr::null_mut(),
        message_buffer: aws_byte_buf {
            len: 0,
            buffer: ptr::null_mut(),
            capacity: 0,
            allocator: ptr::null_mut(),
        },
    }
}

fn view(bytes: &mut [u8]) -> aws_byte_buf {
    aws_byte_buf {
        len: bytes.len(),
        buffer: bytes.as_mut_ptr(),
        capacity: bytes.len(),
        allocator: ptr::null_mut(),
    }
}

// ---- streaming decoder recorder ---------------------------------------------------

#[derive(Default, Debug, PartialEq)]
struct Msg {
    headers: Vec<Hdr>,
    payload: Vec<u8>,
}

#[derive(Default)]
struct Recorder {
    preludes: usize,
    completes: usize,
    current: Msg,
    done: Vec<Msg>,
    errors: Vec<(c_int, String)>,
    final_segments: usize,
    prelude_seen: Option<aws_event_stream_message_prelude>,
}

unsafe fn rec<'a>(user: *mut c_void) -> &'a mut Recorder {
    &mut *(user as *mut Recorder)
}

unsafe extern "C" fn on_prelude(
    d: *mut aws_event_stream_streaming_decoder,
    p: *mut aws_event_stream_message_prelude,
    user: *mut c_void,
) {
    assert_eq!(p, ptr::addr_of_mut!((*d).prelude));
    let r = rec(user);
    r.preludes += 1;
    r.current = Msg::default();
    r.prelude_seen = Some(*p);
}
unsafe extern "C" fn on_header(
    _d: *mut aws_event_stream_streaming_decoder,
    _p: *mut aws_event_stream_message_prelude,
    h: *mut aws_event_stream_header_value_pair,
    user: *mut c_void,
) {
    rec(user).current.headers.push(header_of(h));
}
unsafe extern "C" fn on_payload(
    _d: *mut aws_event_stream_streaming_decoder,
    payload: *mut aws_byte_buf,
    final_segment: i8,
    user: *mut c_void,
) {
    let r = rec(user);
    assert!((*payload).len > 0, "no empty payload segments");
    r.current.payload.extend(buf_bytes(*payload));
    r.final_segments += final_segment as usize;
}
unsafe extern "C" fn on_complete(
    _d: *mut aws_event_stream_streaming_decoder,
    _crc: u32,
    user: *mut c_void,
) {
    let r = rec(user);
    r.completes += 1;
    let m = std::mem::take(&mut r.current);
    r.done.push(m);
}
unsafe extern "C" fn on_error(
    _d: *mut aws_event_stream_streaming_decoder,
    _p: *mut aws_event_stream_message_prelude,
    code: c_int,
    message: *const c_char,
    user: *mut c_void,
) {
    assert_eq!(aws_last_error(), code, "error raised before on_error");
    let text = std::ffi::CStr::from_ptr(message)
        .to_string_lossy()
        .into_owned();
    rec(user).errors.push((code, text));
}

struct Pumped {
    rec: Box<Recorder>,
    result: c_int,
    last_error: c_int,
    decoder: Box<aws_event_stream_streaming_decoder>,
}

/// Pumps `bytes` in pieces of `chunk` until the first failure.
unsafe fn pump(alloc: *mut aws_allocator, bytes: &[u8], chunk: usize) -> Pumped {
    let mut rec = Box::<Recorder>::default();
    // SAFETY: all-zero is a valid (uninitialised) decoder for init to fill.
    let mut decoder: Box<aws_event_stream_streaming_decoder> = Box::new(std::mem::zeroed());
    let options = aws_event_stream_streaming_decoder_options {
        on_payload_segment: Some(on_payload),
        on_prelude: Some(on_prelude),
        on_header: Some(on_header),
        on_complete: Some(on_complete),
        on_error: Some(on_error),
        user_data: &mut *rec as *mut Recorder as *mut c_void,
    };
    aws_event_stream_streaming_decoder_init_from_options(&mut *decoder, alloc, &options);
    let mut owned = bytes.to_vec();
    let mut result = 0;
    aws_reset_error();
    for piece in owned.chunks_mut(chunk.min(bytes.len().max(1))) {
        let b = view(piece);
        result = aws_event_stream_streaming_decoder_pump(&mut *decoder, &b);
        if result != 0 {
            break;
        }
    }
    Pumped {
        rec,
        result,
        last_error: aws_last_error(),
        decoder,
    }
}

// ---- checks -------------------------------------------------------------------------

unsafe fn check_oneshot(alloc: &Counting, name: &str, bytes: &[u8], e: &Value) {
    let a = alloc.ptr();
    let headers = expected_headers(e);
    let payload = b64(e["payload_base64"].as_str().unwrap());
    let mut owned = bytes.to_vec();
    let mut b = view(&mut owned);
    let mut msg = empty_message();
    assert_eq!(
        aws_event_stream_message_from_buffer(&mut msg, a, &mut b),
        0,
        "{name}"
    );
    assert_eq!(
        aws_event_stream_message_buffer(&msg),
        owned.as_ptr(),
        "{name}: no copy"
    );
    assert_eq!(msg.alloc, a);
    assert!(msg.message_buffer.allocator.is_null(), "{name}: not owned");
    assert_eq!(
        aws_event_stream_message_total_length(&msg) as i64,
        int(&e["total_length"])
    );
    assert_eq!(
        aws_event_stream_message_headers_len(&msg) as i64,
        int(&e["headers_length"])
    );
    assert_eq!(
        aws_event_stream_message_prelude_crc(&msg) as i64,
        int(&e["prelude_crc"])
    );
    assert_eq!(
        aws_event_stream_message_message_crc(&msg) as i64,
        int(&e["message_crc"])
    );
    assert_eq!(
        aws_event_stream_message_payload_len(&msg) as usize,
        payload.len(),
        "{name}"
    );
    let p = aws_event_stream_message_payload(&msg);
    assert_eq!(
        p,
        owned.as_ptr().add(12 + int(&e["headers_length"]) as usize)
    );
    assert!(
        std::slice::from_raw_parts(p, payload.len()) == &payload[..],
        "{name}: payload"
    );

    let mut list = zeroed_list();
    assert_eq!(aws_event_stream_headers_list_init(&mut list, a), 0);
    assert_eq!(
        aws_event_stream_message_headers(&msg, &mut list),
        0,
        "{name}"
    );
    assert_eq!(list_headers(&list), headers, "{name}: headers");
    aws_event_stream_headers_list_cleanup(&mut list);
    aws_event_stream_message_clean_up(&mut msg);

    // The copying form owns a copy from the allocator.
    let before = alloc.outstanding();
    let mut msg = empty_message();
    assert_eq!(
        aws_event_stream_message_from_buffer_copy(&mut msg, a, &b),
        0
    );
    assert_ne!(aws_event_stream_message_buffer(&msg), owned.as_ptr());
    assert_eq!(alloc.outstanding(), before + 1);
    assert!(
        std::slice::from_raw_parts(aws_event_stream_message_buffer(&msg), bytes.len()) == bytes
    );
    aws_event_stream_message_clean_up(&mut msg);
    assert_eq!(alloc.outstanding(), before);
}

/// Adds an expected header through the typed adders (the empty-name case
/// only exists for strings, which the pointer form accepts).
unsafe fn add_header(list: &mut aws_array_list, h: &Hdr, variant: usize) {
    let (name, ty, v) = h;
    let cur = aws_byte_cursor {
        len: name.len(),
        ptr: name.as_ptr() as *mut u8,
    };
    let (np, nl) = (name.as_ptr() as *const c_char, name.len() as u8);
    let by_cursor = variant % 2 == 1;
    let rv = match ty {
        0 | 1 if by_cursor => aws_event_stream_add_bool_header_by_cursor(list, cur, *ty == 0),
        0 | 1 => aws_event_stream_add_bool_header(list, np, nl, (*ty == 0) as i8),
        2 if by_cursor => aws_event_stream_add_byte_header_by_cursor(list, cur, v[0] as i8),
        2 => aws_event_stream_add_byte_header(list, np, nl, v[0] as i8),
        3 => {
            let x = i16::from_be_bytes(v[..].try_into().unwrap());
            if by_cursor {
                aws_event_stream_add_int16_header_by_cursor(list, cur, x)
            } else {
                aws_event_stream_add_int16_header(list, np, nl, x)
            }
        }
        4 => {
            let x = i32::from_be_bytes(v[..].try_into().unwrap());
            if by_cursor {
                aws_event_stream_add_int32_header_by_cursor(list, cur, x)
            } else {
                aws_event_stream_add_int32_header(list, np, nl, x)
            }
        }
        5 | 8 => {
            let x = i64::from_be_bytes(v[..].try_into().unwrap());
            match (ty, by_cursor) {
                (5, true) => aws_event_stream_add_int64_header_by_cursor(list, cur, x),
                (5, false) => aws_event_stream_add_int64_header(list, np, nl, x),
                (_, true) => aws_event_stream_add_timestamp_header_by_cursor(list, cur, x),
                (_, false) => aws_event_stream_add_timestamp_header(list, np, nl, x),
            }
        }
        6 | 7 => {
            let vc = aws_byte_cursor {
                len: v.len(),
                ptr: v.as_ptr() as *mut u8,
            };
            let copy = (variant / 2 % 2) as i8;
            match (ty, by_cursor && !name.is_empty()) {
                (6, true) => aws_event_stream_add_byte_buf_header_by_cursor(list, cur, vc),
                (6, false) => aws_event_stream_add_bytebuf_header(
                    list,
                    np,
                    nl,
                    v.as_ptr() as *mut u8,
                    v.len() as u16,
                    copy,
                ),
                (_, true) => aws_event_stream_add_string_header_by_cursor(list, cur, vc),
                (_, false) => aws_event_stream_add_string_header(
                    list,
                    np,
                    nl,
                    v.as_ptr() as *const c_char,
                    v.len() as u16,
                    copy,
                ),
            }
        }
        9 => {
            if by_cursor {
                let vc = aws_byte_cursor {
                    len: 16,
                    ptr: v.as_ptr() as *mut u8,
                };
                aws_event_stream_add_uuid_header_by_cursor(list, cur, vc)
            } else {
                aws_event_stream_add_uuid_header(list, np, nl, v.as_ptr())
            }
        }
        t => panic!("cannot add type {t}"),
    };
    assert_eq!(rv, 0, "adding {h:?}");
}

/// message_init from the index must give upstream's bytes exactly.
unsafe fn check_reencode(alloc: &Counting, name: &str, m: &Value, want: &[u8], variant: usize) {
    let a = alloc.ptr();
    let before = alloc.outstanding();
    let headers = expected_headers(m);
    let mut payload = b64(m["payload_base64"].as_str().unwrap());
    let mut list = zeroed_list();
    assert_eq!(aws_event_stream_headers_list_init(&mut list, a), 0);
    for h in &headers {
        add_header(&mut list, h, variant);
    }
    assert_eq!(list_headers(&list), headers, "{name}: list round trip");
    let headers_len = int(&m["headers_length"]) as usize;
    assert_eq!(
        aws_event_stream_compute_headers_required_buffer_len(&list) as usize,
        headers_len
    );
    let mut block = vec![0u8; headers_len + 1];
    assert_eq!(
        aws_event_stream_write_headers_to_buffer(&list, block.as_mut_ptr()),
        headers_len
    );
    assert!(
        block[..headers_len] == want[12..12 + headers_len],
        "{name}: header block"
    );

    let mut msg = empty_message();
    let pb = view(&mut payload);
    let payload_arg = if variant % 3 == 2 && payload.is_empty() {
        ptr::null()
    } else {
        &pb as *const aws_byte_buf
    };
    let list_arg = if headers.is_empty() && variant % 2 == 0 {
        ptr::null()
    } else {
        &list as *const aws_array_list
    };
    assert_eq!(
        aws_event_stream_message_init(&mut msg, a, list_arg, payload_arg),
        0,
        "{name}"
    );
    let got = std::slice::from_raw_parts(
        aws_event_stream_message_buffer(&msg),
        msg.message_buffer.len,
    );
    assert!(
        got == want,
        "{name}: message_init bytes differ from upstream's"
    );
    assert_eq!(msg.message_buffer.capacity, want.len());
    aws_event_stream_message_clean_up(&mut msg);
    aws_event_stream_headers_list_cleanup(&mut list);
    assert_eq!(alloc.outstanding(), before, "{name}: leak");
}

unsafe fn check_stream(alloc: &Counting, name: &str, bytes: &[u8], expected: &[Msg]) {
    for chunk in CHUNKINGS {
        let mut p = pump(alloc.ptr(), bytes, chunk);
        let ctx = format!("{name} chunk {chunk}");
        assert_eq!(p.result, 0, "{ctx}: error {}", p.last_error);
        assert!(p.rec.errors.is_empty(), "{ctx}");
        assert_eq!(p.rec.preludes, expected.len(), "{ctx}");
        assert_eq!(p.rec.completes, expected.len(), "{ctx}");
        assert_eq!(p.rec.done, expected, "{ctx}");
        let with_payload = expected.iter().filter(|m| !m.payload.is_empty()).count();
        assert_eq!(p.rec.final_segments, with_payload, "{ctx}");
        assert_eq!(
            p.decoder.prelude,
            aws_event_stream_message_prelude::default(),
            "{ctx}"
        );
        aws_event_stream_streaming_decoder_clean_up(&mut *p.decoder);
        assert!(p.decoder.on_header.is_none() && p.decoder.user_context.is_null());
        assert_eq!(alloc.outstanding(), 0, "{ctx}: leak");
    }
}

fn msg_of(m: &Value) -> Msg {
    Msg {
        headers: expected_headers(m),
        payload: b64(m["payload_base64"].as_str().unwrap()),
    }
}

unsafe fn check_invalid(alloc: &Counting, name: &str, bytes: &[u8], e: &Value) {
    let a = alloc.ptr();
    let from_buffer = code_of(&e["from_buffer_error"]);
    let headers_error = code_of(&e["headers_error"]);
    assert_eq!(
        code_of(&e["expected_error"]),
        from_buffer.or(headers_error),
        "{name}"
    );

    let mut owned = bytes.to_vec();
    let mut b = view(&mut owned);
    let mut msg = empty_message();
    aws_reset_error();
    let rv = aws_event_stream_message_from_buffer(&mut msg, a, &mut b);
    match from_buffer {
        Some(code) => {
            assert_eq!((rv, aws_last_error()), (-1, code), "{name}: from_buffer");
            // The copying form fails the same way and allocates nothing.
            let mut m2 = empty_message();
            assert_eq!(
                aws_event_stream_message_from_buffer_copy(&mut m2, a, &b),
                -1
            );
            assert_eq!(aws_last_error(), code);
        }
        None => {
            assert_eq!(rv, 0, "{name}: from_buffer accepted upstream");
            let mut list = zeroed_list();
            aws_event_stream_headers_list_init(&mut list, a);
            aws_reset_error();
            let rv = aws_event_stream_message_headers(&msg, &mut list);
            match headers_error {
                Some(code) => assert_eq!((rv, aws_last_error()), (-1, code), "{name}: headers"),
                None => {
                    assert_eq!(rv, 0, "{name}: headers accepted upstream");
                    if let Some(d) = e.get("oneshot_decoded") {
                        assert_eq!(list_headers(&list), expected_headers(d), "{name}");
                        let payload = b64(d["payload_base64"].as_str().unwrap());
                        assert_eq!(
                            aws_event_stream_message_payload_len(&msg) as usize,
                            payload.len()
                        );
                    }
                }
            }
            aws_event_stream_headers_list_cleanup(&mut list);
            aws_event_stream_message_clean_up(&mut msg);
        }
    }
    assert_eq!(alloc.outstanding(), 0, "{name}: one-shot leak");

    let want = code_of(&e["expected_streaming_error"]);
    let outcome = e["streaming_outcome"].as_str().unwrap();
    let completed = int(&e["streaming_messages_completed"]) as usize;
    let started = e["streaming_message_started"].as_bool().unwrap();
    for chunk in CHUNKINGS {
        let ctx = format!("{name} chunk {chunk}");
        let mut p = pump(a, bytes, chunk);
        let r = &p.rec;
        assert_eq!(r.completes, completed, "{ctx}: completed");
        assert_eq!(r.preludes > r.completes, started, "{ctx}: started");
        if started {
            assert_eq!(
                r.current.headers.len() as i64,
                int(&e["streaming_partial_headers"]),
                "{ctx}"
            );
            assert_eq!(
                r.current.payload.len() as i64,
                int(&e["streaming_partial_payload_bytes"]),
                "{ctx}"
            );
        }
        match outcome {
            "error" => {
                let code = want.expect("error outcome has a code");
                assert_eq!((p.result, p.last_error), (-1, code), "{ctx}: pump");
                match e["streaming_error_via"].as_str().unwrap() {
                    "on_error_callback" => {
                        let text = e["streaming_error_message"].as_str().unwrap();
                        assert_eq!(r.errors, vec![(code, text.to_owned())], "{ctx}");
                        if let Some(pr) = r.prelude_seen.filter(|_| started) {
                            // on_error saw the message's prelude.
                            assert_eq!(p.decoder.prelude, pr, "{ctx}");
                        }
                    }
                    "pump_return_only" => assert!(r.errors.is_empty(), "{ctx}: {:?}", r.errors),
                    other => panic!("{ctx}: route {other}"),
                }
                // Pumping on fails again, quietly, and never crashes.
                let before = (r.preludes, r.errors.len(), r.completes);
                let mut again = bytes.to_vec();
                let vb = view(&mut again);
                aws_reset_error();
                assert_eq!(
                    aws_event_stream_streaming_decoder_pump(&mut *p.decoder, &vb),
                    -1
                );
                assert_eq!(aws_last_error(), code, "{ctx}: re-pump error");
                let r = &p.rec;
                assert_eq!((r.preludes, r.errors.len(), r.completes), before, "{ctx}");
            }
            "incomplete" => {
                assert_eq!(p.result, 0, "{ctx}");
                assert!(r.errors.is_empty(), "{ctx}");
                // Waiting for more: the decoder holds state.
                assert!(!p.decoder.working_buffer.iter().all(|&x| x == 0), "{ctx}");
            }
            "decoded" => {
                assert_eq!(p.result, 0, "{ctx}");
                assert!(r.errors.is_empty(), "{ctx}");
                if let Some(list) = e.get("streaming_decoded").and_then(Value::as_array) {
                    let want: Vec<Msg> = list.iter().map(msg_of).collect();
                    assert_eq!(r.done, want, "{ctx}: streaming_decoded");
                }
            }
            other => panic!("{ctx}: outcome {other}"),
        }
        aws_event_stream_streaming_decoder_clean_up(&mut *p.decoder);
        assert_eq!(alloc.outstanding(), 0, "{ctx}: leak");
    }
}

#[test]
fn every_vector_through_the_c_api() {
    let (dir, entries) = index();
    let alloc = Counting::new();
    let (mut valid, mut streams, mut invalid) = (0, 0, 0);
    for (i, e) in entries.iter().enumerate() {
        let name = e["name"].as_str().unwrap();
        let bytes = std::fs::read(dir.join(e["file"].as_str().unwrap())).unwrap();
        // SAFETY: the C API is called as documented, with live buffers.
        unsafe {
            match (e["valid"].as_bool().unwrap(), e["kind"].as_str().unwrap()) {
                (true, "message") => {
                    check_oneshot(&alloc, name, &bytes, e);
                    for variant in 0..4 {
                        check_reencode(&alloc, name, e, &bytes, variant + i);
                    }
                    check_stream(&alloc, name, &bytes, &[msg_of(e)]);
                    valid += 1;
                }
                (true, "stream") => {
                    let msgs = e["messages"].as_array().unwrap();
                    let mut at = 0;
                    for (j, m) in msgs.iter().enumerate() {
                        let len = int(&m["total_length"]) as usize;
                        let one = &bytes[at..at + len];
                        check_reencode(&alloc, name, m, one, j + i);
                        at += len;
                    }
                    assert_eq!(at, bytes.len(), "{name}: concatenation");
                    let want: Vec<Msg> = msgs.iter().map(msg_of).collect();
                    check_stream(&alloc, name, &bytes, &want);
                    streams += 1;
                }
                (false, _) => {
                    check_invalid(&alloc, name, &bytes, e);
                    invalid += 1;
                }
                (_, k) => panic!("kind {k}"),
            }
        }
        assert_eq!(alloc.outstanding(), 0, "{name}: leak");
    }
    println!("C API vectors: {valid} messages, {streams} streams, {invalid} invalid");
    assert!(valid >= 40 && streams >= 10 && invalid >= 20);
}
