//! Bodies of the fuzz targets, shared by `fuzz/` (cargo-fuzz, nightly) and the
//! stable smoke test `tests/wire_fuzz_smoke.rs`. Each panics on a violated
//! invariant, so any panic is a finding.

use bytes::Bytes;

use super::decoder::{DecoderSink, MessageCollector, StreamingDecoder};
use super::wire::{
    validate_message, HeaderIter, HeaderValue, Message, Prelude, RawHeader, WireError,
};

/// One-shot decode. A buffer that decodes must re-encode to the same bytes and
/// stream-decode to the same message.
pub fn message_decode(data: &[u8]) {
    let bytes = Bytes::copy_from_slice(data);
    if let Ok(view) = validate_message(data) {
        for h in HeaderIter::uncapped(view.headers_block) {
            if h.is_err() {
                break;
            }
        }
    }
    let Ok(message) = Message::decode(bytes) else {
        return;
    };
    let again = message.to_bytes().expect("a decoded message re-encodes");
    assert_eq!(&again[..], data, "re-encoding differs from the input");
    if message
        .headers
        .iter()
        .any(|h| matches!(h.value, HeaderValue::Unknown(_)))
    {
        return; // the streaming decoder rejects unknown types, as upstream's does
    }
    let mut dec = StreamingDecoder::new();
    let mut sink = MessageCollector::new();
    dec.pump(data, &mut sink)
        .expect("streaming accepts what one-shot accepts");
    assert!(!dec.message_in_progress());
    assert_eq!(sink.messages, vec![message]);
}

/// What a run of the streaming decoder reported, independent of chunking.
#[derive(Debug, Default)]
struct Outcome {
    collector: MessageCollector,
    preludes: usize,
    partial_headers: usize,
    partial_payload: usize,
    errors: Vec<(WireError, String)>,
}

impl PartialEq for Outcome {
    fn eq(&self, other: &Self) -> bool {
        self.collector.messages == other.collector.messages
            && self.collector.error == other.collector.error
            && self.preludes == other.preludes
            && self.partial_headers == other.partial_headers
            && self.partial_payload == other.partial_payload
            && self.errors == other.errors
    }
}

impl DecoderSink for Outcome {
    fn on_prelude(&mut self, p: &Prelude) {
        self.preludes += 1;
        self.partial_headers = 0;
        self.partial_payload = 0;
        self.collector.on_prelude(p);
    }
    fn on_header(&mut self, p: &Prelude, h: &RawHeader<'_>) {
        self.partial_headers += 1;
        self.collector.on_header(p, h);
    }
    fn on_payload(&mut self, fragment: &[u8], final_segment: bool) {
        assert!(!fragment.is_empty());
        self.partial_payload += fragment.len();
        self.collector.on_payload(fragment, final_segment);
    }
    fn on_complete(&mut self, crc: u32) {
        self.collector.on_complete(crc);
    }
    fn on_error(&mut self, p: &Prelude, e: WireError, m: &str) {
        self.errors.push((e, m.to_owned()));
        self.collector.on_error(p, e, m);
    }
}

fn run(chunks: impl Iterator<Item = impl AsRef<[u8]>>) -> (Outcome, Result<(), WireError>, bool) {
    let mut dec = StreamingDecoder::new();
    let mut out = Outcome::default();
    let mut result = Ok(());
    for c in chunks {
        result = dec.pump(c.as_ref(), &mut out);
        if result.is_err() {
            // a failed decoder stays failed and quiet
            let reported = out.errors.len();
            assert_eq!(dec.pump(c.as_ref(), &mut out), result);
            assert_eq!(out.errors.len(), reported);
            break;
        }
    }
    assert!(out.errors.len() <= 1);
    (out, result, dec.message_in_progress())
}

/// Splits `body` into chunks whose sizes cycle through `sizes` (each byte:
/// 0..=199 -> 1..=200 bytes, 200.. -> multiples of 4 KiB; none -> 1 byte).
pub fn split_chunks<'a>(body: &'a [u8], sizes: &[u8]) -> Vec<&'a [u8]> {
    let sizes: Vec<usize> = if sizes.is_empty() {
        vec![1]
    } else {
        sizes
            .iter()
            .map(|&b| {
                if b < 200 {
                    b as usize + 1
                } else {
                    (b as usize - 199) * 4096
                }
            })
            .collect()
    };
    let mut out = Vec::new();
    let mut at = 0;
    for size in sizes.iter().cycle() {
        if at >= body.len() {
            break;
        }
        let end = (at + size).min(body.len());
        out.push(&body[at..end]);
        at = end;
    }
    out
}

/// Streaming decode of `data[1 + n..]` cut into chunks whose sizes come from
/// the first bytes (`n = data[0] % 8 + 1` sizes, cycled); the result must
/// equal that of one whole pump.
pub fn streaming_decoder_chunked(data: &[u8]) {
    let Some((&n, rest)) = data.split_first() else {
        return;
    };
    let n = (n as usize % 8 + 1).min(rest.len());
    let (sizes, body) = rest.split_at(n);
    let chunks = split_chunks(body, sizes);
    let chunked = run(chunks.into_iter());
    let whole = run(std::iter::once(body));
    assert_eq!(chunked, whole, "chunking changed the outcome");
}
