//! Cross-check against an independent implementation, aws-smithy-eventstream:
//! ours encodes → theirs decodes, theirs encodes → ours decodes (one-shot and
//! streaming), over random messages. Smithy requires UTF-8 names and strings
//! and bounded timestamps, so the generator stays within that.

use aws_c_event_stream_rs::event_stream::decoder::{MessageCollector, StreamingDecoder};
use aws_c_event_stream_rs::event_stream::wire::{Header, HeaderValue, Message};
use aws_smithy_eventstream::frame::{read_message_from, write_message_to};
use aws_smithy_types::event_stream::{
    Header as SHeader, HeaderValue as SValue, Message as SMessage,
};
use aws_smithy_types::str_bytes::StrBytes;
use aws_smithy_types::DateTime;
use bytes::Bytes;
use proptest::collection::vec;
use proptest::prelude::*;

fn utf8(max: usize) -> impl Strategy<Value = String> {
    prop_oneof![
        4 => proptest::string::string_regex("[a-z:\\-]{0,20}").unwrap(),
        1 => any::<String>(),
    ]
    .prop_map(move |mut s| {
        while s.len() > max {
            s.pop();
        }
        s
    })
}

fn value() -> impl Strategy<Value = HeaderValue> {
    prop_oneof![
        any::<bool>().prop_map(HeaderValue::Bool),
        any::<i8>().prop_map(HeaderValue::Byte),
        any::<i16>().prop_map(HeaderValue::Int16),
        any::<i32>().prop_map(HeaderValue::Int32),
        any::<i64>().prop_map(HeaderValue::Int64),
        vec(any::<u8>(), 0..300).prop_map(|v| HeaderValue::ByteBuf(v.into())),
        utf8(300).prop_map(|s| HeaderValue::String(s.into())),
        (-4_000_000_000_000i64..4_000_000_000_000).prop_map(HeaderValue::Timestamp),
        any::<[u8; 16]>().prop_map(HeaderValue::Uuid),
    ]
}

fn message() -> impl Strategy<Value = Message> {
    let header = (utf8(255), value()).prop_map(|(n, v)| Header::new(n, v));
    (vec(header, 0..10), vec(any::<u8>(), 0..3000)).prop_map(|(h, p)| Message::new(h, p))
}

fn to_smithy(m: &Message) -> SMessage {
    let headers = m
        .headers
        .iter()
        .map(|h| {
            let name = StrBytes::try_from(h.name.clone()).expect("utf-8 name");
            let value = match &h.value {
                HeaderValue::Bool(v) => SValue::Bool(*v),
                HeaderValue::Byte(v) => SValue::Byte(*v),
                HeaderValue::Int16(v) => SValue::Int16(*v),
                HeaderValue::Int32(v) => SValue::Int32(*v),
                HeaderValue::Int64(v) => SValue::Int64(*v),
                HeaderValue::ByteBuf(b) => SValue::ByteArray(b.clone()),
                HeaderValue::String(b) => SValue::String(StrBytes::try_from(b.clone()).unwrap()),
                HeaderValue::Timestamp(ms) => SValue::Timestamp(DateTime::from_millis(*ms)),
                HeaderValue::Uuid(u) => SValue::Uuid(u128::from_be_bytes(*u)),
                HeaderValue::Unknown(t) => panic!("no smithy form for type {t}"),
            };
            SHeader::new(name, value)
        })
        .collect();
    SMessage::new_from_parts(headers, m.payload.clone())
}

fn from_smithy(m: &SMessage) -> Message {
    let headers = m
        .headers()
        .iter()
        .map(|h| {
            let value = match h.value() {
                SValue::Bool(v) => HeaderValue::Bool(*v),
                SValue::Byte(v) => HeaderValue::Byte(*v),
                SValue::Int16(v) => HeaderValue::Int16(*v),
                SValue::Int32(v) => HeaderValue::Int32(*v),
                SValue::Int64(v) => HeaderValue::Int64(*v),
                SValue::ByteArray(b) => HeaderValue::ByteBuf(b.clone()),
                SValue::String(s) => HeaderValue::String(Bytes::copy_from_slice(s.as_bytes())),
                SValue::Timestamp(t) => HeaderValue::Timestamp(t.to_millis().unwrap()),
                SValue::Uuid(u) => HeaderValue::Uuid(u.to_be_bytes()),
                other => panic!("unexpected smithy value {other:?}"),
            };
            Header::new(Bytes::copy_from_slice(h.name().as_bytes()), value)
        })
        .collect();
    Message::new(headers, m.payload().clone())
}

proptest! {
    #![proptest_config(ProptestConfig { cases: 512, ..ProptestConfig::default() })]

    #[test]
    fn ours_encode_smithy_decodes(m in message()) {
        let ours = m.to_bytes().unwrap();
        let theirs = read_message_from(&ours[..]).expect("smithy decodes our bytes");
        prop_assert_eq!(from_smithy(&theirs), m);
    }

    #[test]
    fn smithy_encodes_ours_decodes(m in message(), chunk in 1usize..100) {
        let mut theirs = Vec::new();
        write_message_to(&to_smithy(&m), &mut theirs).unwrap();
        // identical bytes both ways
        prop_assert_eq!(&m.to_bytes().unwrap()[..], &theirs[..]);
        prop_assert_eq!(Message::decode(Bytes::from(theirs.clone())).unwrap(), m.clone());
        let mut dec = StreamingDecoder::new();
        let mut sink = MessageCollector::new();
        for piece in theirs.chunks(chunk) {
            dec.pump(piece, &mut sink).unwrap();
        }
        prop_assert_eq!(sink.messages, vec![m]);
    }
}
