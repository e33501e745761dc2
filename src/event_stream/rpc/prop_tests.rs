//! Property tests: random interleavings of peer messages (valid, malformed,
//! garbage bytes), API calls and flushes never panic, keep the core's open
//! streams equal to the glue's live tokens, close every stream exactly once,
//! and end every protocol violation with a close carrying an error code.

use bytes::Bytes;
use proptest::prelude::*;

use crate::event_stream::wire::{Header, HeaderValue, Message};

use super::protocol::build_message;
use super::test_support::{args, ClientHarness, ServerHarness};

/// A message a peer might send: any type/flags, a stream id near the action,
/// with or without `operation`, maybe missing a required header.
#[derive(Clone, Debug)]
struct PeerMessage {
    message_type: i32,
    flags: u32,
    stream_id: i32,
    operation: Option<&'static str>,
    drop_header: Option<usize>,
}

impl PeerMessage {
    fn build(&self) -> Message {
        let mut m = build_message(
            vec![Header::new(&b"x-app"[..], HeaderValue::Int32(7))],
            Bytes::from_static(b"{}"),
            self.message_type,
            self.flags,
            self.stream_id,
            self.operation.map(str::as_bytes),
        )
        .unwrap();
        if let Some(i) = self.drop_header {
            m.headers.remove(1 + i % 3);
        }
        m
    }
}

fn peer_message() -> impl Strategy<Value = PeerMessage> {
    (
        prop_oneof![8 => 0..8i32, 1 => Just(-1), 1 => Just(8)],
        0..4u32,
        prop_oneof![4 => 0..6i32, 1 => Just(-1), 1 => Just(i32::MAX)],
        prop_oneof![Just(None), Just(Some("op")), Just(Some(""))],
        prop::option::weighted(0.05, 0..3usize),
    )
        .prop_map(
            |(message_type, flags, stream_id, operation, drop_header)| PeerMessage {
                message_type,
                flags,
                stream_id,
                operation,
                drop_header,
            },
        )
}

#[derive(Clone, Debug)]
enum ServerOp {
    Feed(PeerMessage),
    Garbage(Vec<u8>),
    SendProtocol(i32, u32),
    SendOnStream(u32, i32, u32),
    Flush,
    Close(i32),
    Override(i32),
    AcceptStreams(bool),
}

fn server_op() -> impl Strategy<Value = ServerOp> {
    prop_oneof![
        10 => peer_message().prop_map(ServerOp::Feed),
        1 => prop::collection::vec(any::<u8>(), 0..40).prop_map(ServerOp::Garbage),
        4 => (prop_oneof![Just(5), 0..8i32], 0..4u32).prop_map(|(t, f)| ServerOp::SendProtocol(t, f)),
        4 => (0..6u32, 0..2i32, 0..4u32).prop_map(|(s, t, f)| ServerOp::SendOnStream(s, t, f)),
        4 => Just(ServerOp::Flush),
        1 => (0..5000i32).prop_map(ServerOp::Close),
        1 => (-1..6i32).prop_map(ServerOp::Override),
        1 => any::<bool>().prop_map(ServerOp::AcceptStreams),
    ]
}

#[derive(Clone, Debug)]
enum ClientOp {
    Feed(PeerMessage),
    SendProtocol(i32, u32),
    Activate,
    SendOnStream(u32, i32, u32),
    Close(i32),
}

fn client_op() -> impl Strategy<Value = ClientOp> {
    prop_oneof![
        10 => peer_message().prop_map(ClientOp::Feed),
        4 => (prop_oneof![Just(4), 0..8i32], 0..4u32).prop_map(|(t, f)| ClientOp::SendProtocol(t, f)),
        3 => Just(ClientOp::Activate),
        4 => (0..6u32, 0..2i32, 0..4u32).prop_map(|(s, t, f)| ClientOp::SendOnStream(s, t, f)),
        1 => (0..5000i32).prop_map(ClientOp::Close),
    ]
}

proptest! {
    #![proptest_config(ProptestConfig { cases: 512, ..ProptestConfig::default() })]

    #[test]
    fn server_survives_any_sequence(
        connect_first in any::<bool>(),
        ops in prop::collection::vec(server_op(), 0..40),
    ) {
        let mut h = ServerHarness::default();
        h.defer_flush = true;
        if connect_first {
            h.feed(&super::test_support::rpc(4, 0, 0, None));
        }
        for op in ops {
            match op {
                ServerOp::Feed(m) => h.feed(&m.build()),
                ServerOp::Garbage(b) => h.feed_bytes(&b),
                ServerOp::SendProtocol(t, f) => { let _ = h.send_protocol(args(t, f, b"")); }
                ServerOp::SendOnStream(s, t, f) => { let _ = h.send_on_stream(s, args(t, f, b"")); }
                ServerOp::Flush => h.flush_one(),
                ServerOp::Close(code) => h.close(code),
                ServerOp::Override(v) => h.core.override_last_stream_id(v),
                ServerOp::AcceptStreams(a) => h.accept_streams = a,
            }
            prop_assert_eq!(h.core.open_streams(), h.open.len());
            for id in &h.open {
                prop_assert!(!h.core.is_stream_closed(*id));
            }
        }
        while !h.pending.is_empty() {
            h.flush_one();
        }
        // Every protocol violation, once flushed, closed the connection with an error code.
        if h.violations > 0 {
            prop_assert!(!h.core.is_open());
            prop_assert!(h.closed_with().is_some());
        }
        h.close(0);
        prop_assert!(h.open.is_empty());
        prop_assert_eq!(h.core.open_streams(), 0);
    }

    #[test]
    fn client_survives_any_sequence(
        handshake in 0..3u8,
        ops in prop::collection::vec(client_op(), 0..40),
    ) {
        let mut h = ClientHarness::default();
        if handshake >= 1 {
            let out = h.core.send_protocol_message(args(4, 0, b"")).unwrap();
            h.run_send(out);
        }
        if handshake >= 2 {
            h.feed(&super::test_support::rpc(5, 1, 0, None));
        }
        for op in ops {
            match op {
                ClientOp::Feed(m) => h.feed(&m.build()),
                ClientOp::SendProtocol(t, f) => {
                    let out = h.core.send_protocol_message(args(t, f, b"")).unwrap();
                    h.run_send(out);
                }
                ClientOp::Activate => { let _ = h.activate(b"op", args(0, 0, b"")); }
                ClientOp::SendOnStream(s, t, f) => {
                    if let Ok(out) = h.core.send_on_stream(s, args(t, f, b"")) {
                        h.run_send(out);
                    }
                }
                ClientOp::Close(code) => h.close(code),
            }
            prop_assert_eq!(h.core.open_streams(), h.open.len());
        }
        if h.violations > 0 {
            prop_assert!(!h.core.is_open());
            prop_assert!(h.closed_with().is_some());
        }
        h.close(0);
        prop_assert!(h.core.on_shutdown().is_empty());
        prop_assert!(h.open.is_empty());
    }
}
