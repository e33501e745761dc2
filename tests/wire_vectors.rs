//! Golden vectors from upstream (`shared/vectors`): one-shot decode, exact
//! re-encode, and the streaming decoder in several chunkings, with every
//! verdict (error, route, outcome, partial progress) upstream recorded.

mod common;

use std::path::{Path, PathBuf};

use aws_c_event_stream_rs::event_stream::decoder::{
    DecoderSink, MessageCollector, StreamingDecoder,
};
use aws_c_event_stream_rs::event_stream::wire::{
    validate_message, Header, HeaderValue, Message, Prelude, RawHeader, WireError,
};
use base64::Engine;
use bytes::Bytes;
use serde_json::Value;

const CHUNKINGS: [usize; 4] = [1, 7, 4096, usize::MAX];

fn index() -> (PathBuf, Vec<Value>) {
    let dir = common::vectors_dir();
    let text = std::fs::read_to_string(dir.join("index.json"))
        .unwrap_or_else(|e| panic!("reading {}/index.json: {e}", dir.display()));
    let Value::Array(entries) = serde_json::from_str(&text).expect("index.json parses") else {
        panic!("index.json is not an array")
    };
    assert!(
        entries.len() >= 70,
        "index has only {} entries",
        entries.len()
    );
    (dir, entries)
}

fn b64(s: &str) -> Vec<u8> {
    base64::engine::general_purpose::STANDARD
        .decode(s)
        .expect("valid base64")
}

fn int(v: &Value) -> i64 {
    v.as_i64().unwrap_or_else(|| panic!("not an integer: {v}"))
}

fn expected_header(h: &Value) -> Header {
    let name = Bytes::copy_from_slice(h["name"].as_str().expect("name").as_bytes());
    let v = &h["value"];
    let ty = h["type"].as_str().expect("type");
    let value = match ty {
        "bool_true" => {
            assert_eq!(v, &Value::Bool(true));
            HeaderValue::Bool(true)
        }
        "bool_false" => {
            assert_eq!(v, &Value::Bool(false));
            HeaderValue::Bool(false)
        }
        "byte" => HeaderValue::Byte(i8::try_from(int(v)).unwrap()),
        "int16" => HeaderValue::Int16(i16::try_from(int(v)).unwrap()),
        "int32" => HeaderValue::Int32(i32::try_from(int(v)).unwrap()),
        "int64" => HeaderValue::Int64(int(v)),
        "timestamp" => HeaderValue::Timestamp(int(v)),
        "byte_buf" => HeaderValue::ByteBuf(b64(v.as_str().unwrap()).into()),
        "uuid" => HeaderValue::Uuid(b64(v.as_str().unwrap()).try_into().expect("16-byte uuid")),
        "string" => match v.as_str() {
            Some(s) => HeaderValue::String(Bytes::copy_from_slice(s.as_bytes())),
            None => {
                HeaderValue::String(b64(h["value_base64"].as_str().expect("value_base64")).into())
            }
        },
        other if other.starts_with("unknown(") => {
            HeaderValue::Unknown(u8::try_from(int(&h["type_byte"])).unwrap())
        }
        other => panic!("unknown type {other}"),
    };
    Header { name, value }
}

fn expected_message(m: &Value) -> Message {
    let headers = m["headers"]
        .as_array()
        .expect("headers")
        .iter()
        .map(expected_header)
        .collect();
    Message::new(headers, b64(m["payload_base64"].as_str().expect("payload")))
}

fn read(dir: &Path, e: &Value) -> Bytes {
    std::fs::read(dir.join(e["file"].as_str().unwrap()))
        .unwrap()
        .into()
}

fn error_named(v: &Value) -> Option<WireError> {
    v.as_str()
        .map(|n| WireError::from_aws_error_name(n).unwrap_or_else(|| panic!("unknown error {n}")))
}

/// Records everything the decoder reports, and assembles messages.
#[derive(Default)]
struct Recorder {
    collector: MessageCollector,
    preludes: usize,
    completes: usize,
    headers_in_message: usize,
    payload_in_message: usize,
    final_segments: usize,
    errors: Vec<(WireError, String)>,
    last_crc: Option<u32>,
}

impl DecoderSink for Recorder {
    fn on_prelude(&mut self, p: &Prelude) {
        self.preludes += 1;
        self.headers_in_message = 0;
        self.payload_in_message = 0;
        self.collector.on_prelude(p);
    }
    fn on_header(&mut self, p: &Prelude, h: &RawHeader<'_>) {
        self.headers_in_message += 1;
        self.collector.on_header(p, h);
    }
    fn on_payload(&mut self, fragment: &[u8], final_segment: bool) {
        assert!(
            !fragment.is_empty(),
            "upstream never reports an empty payload segment"
        );
        self.payload_in_message += fragment.len();
        self.final_segments += final_segment as usize;
        self.collector.on_payload(fragment, final_segment);
    }
    fn on_complete(&mut self, crc: u32) {
        self.completes += 1;
        self.last_crc = Some(crc);
        self.collector.on_complete(crc);
    }
    fn on_error(&mut self, p: &Prelude, e: WireError, m: &str) {
        self.errors.push((e, m.to_owned()));
        self.collector.on_error(p, e, m);
    }
}

fn pump_chunked(bytes: &[u8], chunk: usize) -> (StreamingDecoder, Recorder, Result<(), WireError>) {
    let mut dec = StreamingDecoder::new();
    let mut rec = Recorder::default();
    let mut result = Ok(());
    for piece in bytes.chunks(chunk.min(bytes.len().max(1))) {
        result = dec.pump(piece, &mut rec);
        if result.is_err() {
            break;
        }
    }
    (dec, rec, result)
}

fn check_valid_message(dir: &Path, e: &Value) {
    let name = e["name"].as_str().unwrap();
    let bytes = read(dir, e);
    let expected = expected_message(e);

    let view = validate_message(&bytes).unwrap_or_else(|err| panic!("{name}: {err}"));
    assert_eq!(
        view.prelude.total_len as i64,
        int(&e["total_length"]),
        "{name}"
    );
    assert_eq!(
        view.prelude.headers_len as i64,
        int(&e["headers_length"]),
        "{name}"
    );
    assert_eq!(
        view.prelude.prelude_crc as i64,
        int(&e["prelude_crc"]),
        "{name}"
    );
    assert_eq!(view.message_crc as i64, int(&e["message_crc"]), "{name}");

    let decoded = Message::decode(bytes.clone()).unwrap_or_else(|err| panic!("{name}: {err}"));
    assert_eq!(decoded.headers.len(), expected.headers.len(), "{name}");
    for (i, (got, want)) in decoded.headers.iter().zip(&expected.headers).enumerate() {
        assert_eq!(got, want, "{name}: header {i}");
    }
    assert_eq!(decoded.payload, expected.payload, "{name}: payload");

    let encoded = expected
        .to_bytes()
        .unwrap_or_else(|err| panic!("{name}: {err}"));
    assert!(
        encoded == bytes,
        "{name}: re-encoding differs from upstream's bytes"
    );
    assert_eq!(expected.encoded_len(), bytes.len(), "{name}");
    let mut via_bufmut = Vec::new();
    expected.encode_into(&mut via_bufmut).unwrap();
    assert!(via_bufmut == bytes, "{name}: encode_into differs");
    let mut slice = vec![0u8; bytes.len()];
    assert_eq!(expected.encode_to_slice(&mut slice), Ok(bytes.len()));
    assert!(slice == bytes, "{name}: encode_to_slice differs");

    check_stream(name, &bytes, std::slice::from_ref(&expected));
}

fn check_stream(name: &str, bytes: &[u8], expected: &[Message]) {
    for chunk in CHUNKINGS {
        let (dec, rec, result) = pump_chunked(bytes, chunk);
        assert_eq!(result, Ok(()), "{name} chunk {chunk}");
        assert!(
            rec.errors.is_empty(),
            "{name} chunk {chunk}: {:?}",
            rec.errors
        );
        assert!(
            !dec.message_in_progress(),
            "{name} chunk {chunk}: bytes left over"
        );
        assert_eq!(rec.completes, expected.len(), "{name} chunk {chunk}");
        assert_eq!(rec.preludes, expected.len(), "{name} chunk {chunk}");
        let with_payload = expected.iter().filter(|m| !m.payload.is_empty()).count();
        assert_eq!(rec.final_segments, with_payload, "{name} chunk {chunk}");
        assert_eq!(
            rec.collector.messages.len(),
            expected.len(),
            "{name} chunk {chunk}"
        );
        for (i, (got, want)) in rec.collector.messages.iter().zip(expected).enumerate() {
            assert!(got == want, "{name} chunk {chunk}: message {i} differs");
        }
    }
}

fn check_valid_stream(dir: &Path, e: &Value) {
    let name = e["name"].as_str().unwrap();
    let bytes = read(dir, e);
    let messages = e["messages"].as_array().expect("messages");
    assert!(!messages.is_empty());
    let expected: Vec<Message> = messages.iter().map(expected_message).collect();
    // The file is exactly the concatenation of our encodings.
    let mut concat = Vec::new();
    for m in &expected {
        concat.extend_from_slice(&m.to_bytes().unwrap());
    }
    assert!(concat == bytes, "{name}: concatenated re-encoding differs");
    check_stream(name, &bytes, &expected);
}

fn check_invalid(dir: &Path, e: &Value) {
    let name = e["name"].as_str().unwrap();
    let bytes = read(dir, e);

    // One-shot: from_buffer, then the headers.
    let from_buffer = error_named(&e["from_buffer_error"]);
    let headers_error = error_named(&e["headers_error"]);
    let expected_oneshot = error_named(&e["expected_error"]);
    assert_eq!(
        expected_oneshot,
        from_buffer.or(headers_error),
        "{name}: index consistency"
    );
    match validate_message(&bytes) {
        Err(err) => assert_eq!(Some(err), from_buffer, "{name}: from_buffer"),
        Ok(view) => {
            assert_eq!(from_buffer, None, "{name}: from_buffer accepted");
            let got = view.headers().find_map(Result::err);
            assert_eq!(got, headers_error, "{name}: headers");
        }
    }
    let decoded = Message::decode(bytes.clone());
    assert_eq!(
        decoded.as_ref().err().copied(),
        expected_oneshot,
        "{name}: Message::decode"
    );
    if let (Ok(got), Some(want)) = (&decoded, e.get("oneshot_decoded")) {
        assert_eq!(got, &expected_message(want), "{name}: oneshot_decoded");
    }

    // Streaming.
    let want_err = error_named(&e["expected_streaming_error"]);
    let outcome = e["streaming_outcome"].as_str().unwrap();
    let completed = int(&e["streaming_messages_completed"]) as usize;
    let started = e["streaming_message_started"].as_bool().unwrap();
    for chunk in CHUNKINGS {
        let ctx = format!("{name} chunk {chunk}");
        let (mut dec, mut rec, result) = pump_chunked(&bytes, chunk);
        assert_eq!(result.err(), want_err, "{ctx}: pump result");
        assert_eq!(rec.completes, completed, "{ctx}: completed");
        assert_eq!(
            rec.preludes > rec.completes,
            started,
            "{ctx}: message started"
        );
        if started {
            assert_eq!(
                rec.headers_in_message as i64,
                int(&e["streaming_partial_headers"]),
                "{ctx}"
            );
            assert_eq!(
                rec.payload_in_message as i64,
                int(&e["streaming_partial_payload_bytes"]),
                "{ctx}"
            );
        }
        match outcome {
            "error" => {
                let via = e["streaming_error_via"].as_str().unwrap();
                match via {
                    "on_error_callback" => {
                        let msg = e["streaming_error_message"].as_str().unwrap();
                        assert_eq!(
                            rec.errors,
                            vec![(want_err.unwrap(), msg.to_owned())],
                            "{ctx}"
                        );
                    }
                    "pump_return_only" => assert!(rec.errors.is_empty(), "{ctx}: {:?}", rec.errors),
                    other => panic!("{ctx}: unknown route {other}"),
                }
                assert_eq!(dec.failed(), want_err, "{ctx}");
                // Stays failed, reports nothing more.
                let before = (rec.preludes, rec.errors.len(), rec.completes);
                assert_eq!(dec.pump(&bytes, &mut rec).err(), want_err, "{ctx}: re-pump");
                assert_eq!(
                    (rec.preludes, rec.errors.len(), rec.completes),
                    before,
                    "{ctx}"
                );
            }
            "incomplete" => {
                assert!(rec.errors.is_empty(), "{ctx}");
                assert!(
                    dec.message_in_progress(),
                    "{ctx}: should be waiting for bytes"
                );
            }
            "decoded" => {
                assert!(rec.errors.is_empty(), "{ctx}");
                assert!(!dec.message_in_progress(), "{ctx}");
                if let Some(list) = e.get("streaming_decoded").and_then(Value::as_array) {
                    let want: Vec<Message> = list.iter().map(expected_message).collect();
                    assert!(
                        rec.collector.messages == want,
                        "{ctx}: streaming_decoded differs"
                    );
                }
            }
            other => panic!("{ctx}: unknown outcome {other}"),
        }
    }
}

#[test]
fn every_vector_matches_upstream() {
    let (dir, entries) = index();
    let (mut valid_messages, mut streams, mut invalid) = (0, 0, 0);
    for e in &entries {
        match (e["valid"].as_bool().unwrap(), e["kind"].as_str().unwrap()) {
            (true, "message") => {
                check_valid_message(&dir, e);
                valid_messages += 1;
            }
            (true, "stream") => {
                check_valid_stream(&dir, e);
                streams += 1;
            }
            (false, _) => {
                check_invalid(&dir, e);
                invalid += 1;
            }
            (_, kind) => panic!("unknown kind {kind}"),
        }
    }
    println!("vectors: {valid_messages} valid messages, {streams} streams, {invalid} invalid");
    assert!(valid_messages >= 40 && streams >= 10 && invalid >= 20);
}

#[test]
fn all_vectors_back_to_back_in_one_stream() {
    let (dir, entries) = index();
    let mut bytes = Vec::new();
    let mut expected = Vec::new();
    for e in entries
        .iter()
        .filter(|e| e["valid"].as_bool() == Some(true))
    {
        bytes.extend_from_slice(&read(&dir, e));
        match e["kind"].as_str().unwrap() {
            "message" => expected.push(expected_message(e)),
            _ => expected.extend(
                e["messages"]
                    .as_array()
                    .unwrap()
                    .iter()
                    .map(expected_message),
            ),
        }
    }
    for chunk in [13, 1000, 65_537] {
        let (dec, rec, result) = pump_chunked(&bytes, chunk);
        assert_eq!(result, Ok(()));
        assert!(!dec.message_in_progress());
        assert_eq!(rec.collector.messages.len(), expected.len());
        assert!(rec.collector.messages == expected, "chunk {chunk}");
    }
}
