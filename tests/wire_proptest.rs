//! Property tests: encode/decode round trips over random messages of every
//! header type, and the streaming decoder under random chunkings.

use aws_c_event_stream_rs::event_stream::decoder::{MessageCollector, StreamingDecoder};
use aws_c_event_stream_rs::event_stream::wire::{
    headers_encoded_len, validate_message, write_header, Header, HeaderIter, HeaderValue, Message,
    WireError,
};
use bytes::Bytes;
use proptest::collection::vec;
use proptest::prelude::*;

fn value() -> impl Strategy<Value = HeaderValue> {
    let small_bytes = || {
        prop_oneof![
            8 => vec(any::<u8>(), 0..40),
            1 => vec(any::<u8>(), 0..2000),
            1 => Just(vec![0x5a; 32767]),
        ]
        .prop_map(Bytes::from)
    };
    prop_oneof![
        any::<bool>().prop_map(HeaderValue::Bool),
        any::<i8>().prop_map(HeaderValue::Byte),
        any::<i16>().prop_map(HeaderValue::Int16),
        any::<i32>().prop_map(HeaderValue::Int32),
        any::<i64>().prop_map(HeaderValue::Int64),
        small_bytes().prop_map(HeaderValue::ByteBuf),
        small_bytes().prop_map(HeaderValue::String),
        any::<i64>().prop_map(HeaderValue::Timestamp),
        any::<[u8; 16]>().prop_map(HeaderValue::Uuid),
    ]
}

fn header() -> impl Strategy<Value = Header> {
    let name = prop_oneof![9 => vec(any::<u8>(), 0..24), 1 => vec(any::<u8>(), 0..=255)];
    (name, value()).prop_map(|(n, v)| Header::new(n, v))
}

fn message() -> impl Strategy<Value = Message> {
    let payload = prop_oneof![6 => vec(any::<u8>(), 0..100), 1 => vec(any::<u8>(), 0..20_000)];
    (vec(header(), 0..12), payload).prop_map(|(h, p)| Message::new(h, p))
}

fn collect_chunked(
    bytes: &[u8],
    sizes: &[usize],
) -> (MessageCollector, Result<(), WireError>, bool) {
    let mut dec = StreamingDecoder::new();
    let mut sink = MessageCollector::new();
    let mut at = 0;
    let mut k = 0;
    let mut result = Ok(());
    while at < bytes.len() && result.is_ok() {
        let n = sizes[k % sizes.len()].min(bytes.len() - at);
        result = dec.pump(&bytes[at..at + n], &mut sink);
        at += n;
        k += 1;
    }
    (sink, result, dec.message_in_progress())
}

proptest! {
    #![proptest_config(ProptestConfig { cases: 256, ..ProptestConfig::default() })]

    #[test]
    fn encode_then_decode_is_identity(m in message()) {
        let bytes = m.to_bytes().unwrap();
        prop_assert_eq!(bytes.len(), m.encoded_len());
        let mut v = Vec::new();
        prop_assert_eq!(m.encode_into(&mut v), Ok(bytes.len()));
        prop_assert_eq!(&v[..], &bytes[..]);
        let mut s = vec![0u8; bytes.len()];
        prop_assert_eq!(m.encode_to_slice(&mut s), Ok(bytes.len()));
        prop_assert_eq!(&s[..], &bytes[..]);
        let view = validate_message(&bytes).unwrap();
        prop_assert_eq!(view.prelude.headers_len as usize, m.headers_len());
        prop_assert_eq!(view.payload, &m.payload[..]);
        let decoded = Message::decode(bytes).unwrap();
        prop_assert_eq!(decoded, m);
    }

    #[test]
    fn header_block_helpers_agree(headers in vec(header(), 0..20)) {
        let mut block = Vec::new();
        for h in &headers {
            write_header(&mut block, &h.as_raw()).unwrap();
        }
        prop_assert_eq!(block.len(), headers_encoded_len(headers.iter().map(Header::as_raw)));
        let parsed: Vec<Header> = HeaderIter::new(&block).map(|r| r.unwrap().to_header()).collect();
        prop_assert_eq!(parsed, headers);
    }

    #[test]
    fn streaming_any_chunking_yields_the_messages(
        msgs in vec(message(), 1..5),
        sizes in vec(1usize..300, 1..8),
    ) {
        let mut stream = Vec::new();
        for m in &msgs {
            stream.extend_from_slice(&m.to_bytes().unwrap());
        }
        let (sink, result, in_progress) = collect_chunked(&stream, &sizes);
        prop_assert_eq!(result, Ok(()));
        prop_assert!(!in_progress);
        prop_assert_eq!(sink.error, None);
        prop_assert_eq!(sink.messages, msgs);
    }

    #[test]
    fn any_single_bit_flip_is_rejected_by_both_decoders(
        m in message(),
        pick in any::<prop::sample::Index>(),
        bit in 0u8..8,
        sizes in vec(1usize..64, 1..4),
    ) {
        let mut bytes = m.to_bytes().unwrap().to_vec();
        let at = pick.index(bytes.len());
        bytes[at] ^= 1 << bit;
        prop_assert!(Message::decode(Bytes::from(bytes.clone())).is_err());
        let (sink, result, in_progress) = collect_chunked(&bytes, &sizes);
        prop_assert!(sink.messages.is_empty());
        // A flip can only make total_length claim more bytes (waiting) or fail a check.
        prop_assert!(result.is_err() || in_progress);
    }

    #[test]
    fn truncation_never_completes(m in message(), cut in any::<prop::sample::Index>()) {
        let bytes = m.to_bytes().unwrap();
        let keep = cut.index(bytes.len());
        prop_assert_eq!(
            Message::decode(bytes.slice(..keep)).err(),
            Some(WireError::BufferLengthMismatch)
        );
        let (sink, result, in_progress) = collect_chunked(&bytes[..keep], &[keep.max(1)]);
        prop_assert_eq!(result, Ok(()));
        prop_assert!(sink.messages.is_empty());
        prop_assert_eq!(in_progress, keep > 0);
    }
}
