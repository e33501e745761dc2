//! Property tests: random interleavings of peer messages (mostly valid, some
//! malformed, some garbage bytes), API calls and flushes never panic, keep the
//! core's open streams equal to the glue's live tokens, close every stream
//! exactly once, and end every protocol violation with a close carrying an
//! error code.

use bytes::Bytes;
use proptest::prelude::*;

use crate::event_stream::wire::{Header, HeaderValue, Message};

use super::protocol::{build_message, FLAG_CONNECTION_ACCEPTED};
use super::test_support::{args, rpc, ClientHarness, ServerHarness};

const APP: i32 = 0;
const CONNECT: i32 = 4;
const ACK: i32 = 5;

/// Any message at all: any type and flags, stream ids near the action, with
/// or without `operation`, maybe missing a required header.
#[derive(Clone, Debug)]
struct RawMessage {
    message_type: i32,
    flags: u32,
    stream_id: i32,
    operation: Option<&'static str>,
    drop_header: Option<usize>,
}

impl RawMessage {
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

fn raw_message() -> impl Strategy<Value = RawMessage> {
    (
        prop_oneof![8 => 0..8i32, 1 => Just(-1), 1 => Just(8)],
        0..4u32,
        prop_oneof![4 => 0..6i32, 1 => Just(-1), 1 => Just(i32::MAX)],
        prop_oneof![Just(None), Just(Some("op")), Just(Some(""))],
        prop::option::weighted(0.2, 0..3usize),
    )
        .prop_map(
            |(message_type, flags, stream_id, operation, drop_header)| RawMessage {
                message_type,
                flags,
                stream_id,
                operation,
                drop_header,
            },
        )
}

/// A stream id relative to the connection's last one: mostly a used id
/// (`last - back`), sometimes the next one or beyond.
#[derive(Clone, Copy, Debug)]
struct Pick(i64);

impl Pick {
    fn id(self, latest: u32) -> u32 {
        (i64::from(latest) - self.0).clamp(1, i64::from(u32::MAX)) as u32
    }

    /// An open stream if there is one (orderly runs), else [`Pick::id`].
    fn id_in(self, open: &std::collections::BTreeSet<u32>, latest: u32, chaos: bool) -> u32 {
        match open
            .iter()
            .nth(self.0.unsigned_abs() as usize % open.len().max(1))
        {
            Some(&id) if !chaos => id,
            _ => self.id(latest),
        }
    }
}

fn pick() -> impl Strategy<Value = Pick> {
    prop_oneof![8 => (0..4i64).prop_map(Pick), 1 => (-2..0i64).prop_map(Pick)]
}

/// Application message or error, maybe terminating.
fn app_type_flags() -> impl Strategy<Value = (i32, u32)> {
    (
        prop_oneof![4 => Just(0), 1 => Just(1)],
        prop_oneof![3 => Just(0u32), 1 => Just(2u32)],
    )
}

#[derive(Clone, Debug)]
enum ServerOp {
    /// The client opens the next stream (with or without `operation`).
    NewStream(bool, u32),
    /// The client sends on a stream.
    ClientOnStream(Pick, i32, u32),
    Ping,
    Raw(RawMessage),
    Garbage(Vec<u8>),
    SendOnStream(Pick, i32, u32),
    SendProtocol(i32, u32),
    Flush,
    Close(i32),
    Override(i32),
    AcceptStreams(bool),
}

/// Orderly runs (`chaos` false) send well-formed messages on live streams, so
/// long conversations happen; chaotic ones add malformed messages, garbage
/// bytes, arbitrary sends, rejected streams and stale or future stream ids.
fn server_op(chaos: bool) -> BoxedStrategy<ServerOp> {
    let orderly = prop_oneof![
        6 => prop_oneof![3 => Just(0u32), 1 => Just(2u32)].prop_map(|f| ServerOp::NewStream(true, f)),
        8 => (pick(), app_type_flags()).prop_map(|(p, (t, f))| ServerOp::ClientOnStream(p, t, f)),
        1 => Just(ServerOp::Ping),
        8 => (pick(), app_type_flags()).prop_map(|(p, (t, f))| ServerOp::SendOnStream(p, t, f)),
        8 => Just(ServerOp::Flush),
        1 => (0..5000i32).prop_map(ServerOp::Close),
    ];
    if !chaos {
        return orderly.boxed();
    }
    prop_oneof![
        6 => orderly,
        1 => prop_oneof![3 => Just(0u32), 1 => Just(2u32)].prop_map(|f| ServerOp::NewStream(false, f)),
        1 => raw_message().prop_map(ServerOp::Raw),
        1 => prop::collection::vec(any::<u8>(), 0..40).prop_map(ServerOp::Garbage),
        1 => (0..8i32, 0..4u32).prop_map(|(t, f)| ServerOp::SendProtocol(t, f)),
        1 => (-1..8i32).prop_map(ServerOp::Override),
        1 => prop::bool::weighted(0.8).prop_map(ServerOp::AcceptStreams),
    ]
    .boxed()
}

#[derive(Clone, Debug)]
enum ClientOp {
    Activate,
    /// The server sends on a stream.
    ServerOnStream(Pick, i32, u32),
    Ping,
    Raw(RawMessage),
    SendOnStream(Pick, i32, u32),
    SendProtocol(i32, u32),
    Close(i32),
}

fn client_op(chaos: bool) -> BoxedStrategy<ClientOp> {
    let orderly = prop_oneof![
        6 => Just(ClientOp::Activate),
        8 => (pick(), app_type_flags()).prop_map(|(p, (t, f))| ClientOp::ServerOnStream(p, t, f)),
        1 => Just(ClientOp::Ping),
        8 => (pick(), app_type_flags()).prop_map(|(p, (t, f))| ClientOp::SendOnStream(p, t, f)),
        1 => (0..5000i32).prop_map(ClientOp::Close),
    ];
    if !chaos {
        return orderly.boxed();
    }
    prop_oneof![
        6 => orderly,
        1 => raw_message().prop_map(ClientOp::Raw),
        1 => (0..8i32, 0..4u32).prop_map(|(t, f)| ClientOp::SendProtocol(t, f)),
    ]
    .boxed()
}

proptest! {
    #![proptest_config(ProptestConfig { cases: 512, ..ProptestConfig::default() })]

    #[test]
    fn server_survives_any_sequence(
        setup in prop_oneof![1 => Just(0u8), 1 => Just(1u8), 6 => Just(2u8)],
        (chaos, ops) in any::<bool>().prop_flat_map(|c| (Just(c), prop::collection::vec(server_op(c), 0..60))),
    ) {
        let mut h = ServerHarness::default();
        h.defer_flush = true;
        // Orderly runs start connected.
        let setup = if chaos { setup } else { 2 };
        if setup >= 1 {
            h.feed(&rpc(CONNECT, 0, 0, None));
        }
        if setup >= 2 {
            h.send_protocol(args(ACK, FLAG_CONNECTION_ACCEPTED, b"")).unwrap();
        }
        for op in ops {
            let latest = h.core.latest_stream_id();
            match op {
                ServerOp::NewStream(with_op, f) => {
                    let id = latest.wrapping_add(1) as i32;
                    h.feed(&rpc(APP, f, id, with_op.then_some("op")));
                }
                // Orderly runs without a live stream open one instead.
                ServerOp::ClientOnStream(_, t, f) if !chaos && h.open.is_empty() => {
                    h.feed(&rpc(t, f, latest.wrapping_add(1) as i32, Some("op")))
                }
                ServerOp::ClientOnStream(p, t, f) => {
                    h.feed(&rpc(t, f, p.id_in(&h.open, latest, chaos) as i32, None))
                }
                ServerOp::Ping => h.feed(&rpc(2, 0, 0, None)),
                ServerOp::Raw(m) => h.feed(&m.build()),
                ServerOp::Garbage(b) => h.feed_bytes(&b),
                ServerOp::SendOnStream(p, t, f) => {
                    let _ = h.send_on_stream(p.id_in(&h.open, latest, chaos), args(t, f, b""));
                }
                ServerOp::SendProtocol(t, f) => { let _ = h.send_protocol(args(t, f, b"")); }
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
        // Well-formed traffic is never a violation; every violation, once
        // flushed, closed the connection with an error code.
        prop_assert!(chaos || h.violations == 0);
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
        setup in prop_oneof![1 => Just(0u8), 1 => Just(1u8), 6 => Just(2u8)],
        (chaos, ops) in any::<bool>().prop_flat_map(|c| (Just(c), prop::collection::vec(client_op(c), 0..60))),
    ) {
        let mut h = ClientHarness::default();
        let setup = if chaos { setup } else { 2 };
        if setup >= 1 {
            let out = h.core.send_protocol_message(args(CONNECT, 0, b"")).unwrap();
            h.run_send(out);
        }
        if setup >= 2 {
            h.feed(&rpc(ACK, FLAG_CONNECTION_ACCEPTED, 0, None));
        }
        for op in ops {
            let latest = h.core.latest_stream_id();
            match op {
                ClientOp::Activate => { let _ = h.activate(b"op", args(APP, 0, b"")); }
                ClientOp::ServerOnStream(..) if !chaos && h.open.is_empty() => {
                    let _ = h.activate(b"op", args(APP, 0, b""));
                }
                ClientOp::ServerOnStream(p, t, f) => {
                    h.feed(&rpc(t, f, p.id_in(&h.open, latest, chaos) as i32, None))
                }
                ClientOp::Ping => h.feed(&rpc(2, 0, 0, None)),
                ClientOp::Raw(m) => h.feed(&m.build()),
                ClientOp::SendOnStream(p, t, f) => {
                    if let Ok(out) = h.core.send_on_stream(p.id_in(&h.open, latest, chaos), args(t, f, b"")) {
                        h.run_send(out);
                    }
                }
                ClientOp::SendProtocol(t, f) => {
                    let out = h.core.send_protocol_message(args(t, f, b"")).unwrap();
                    h.run_send(out);
                }
                ClientOp::Close(code) => h.close(code),
            }
            prop_assert_eq!(h.core.open_streams(), h.open.len());
            for id in &h.open {
                prop_assert!(!h.core.is_stream_closed(*id));
            }
        }
        prop_assert!(chaos || (h.violations == 0 && h.send_failures.is_empty()));
        if h.violations > 0 {
            prop_assert!(!h.core.is_open());
            prop_assert!(h.closed_with().is_some());
        }
        h.close(0);
        prop_assert!(h.core.on_shutdown().is_empty());
        prop_assert!(h.open.is_empty());
    }
}
