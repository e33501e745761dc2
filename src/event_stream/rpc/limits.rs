//! Protections for servers facing untrusted peers (our extension, not
//! upstream): the limits a listener may set and the per-connection timers,
//! decided in virtual time so the glue only schedules and the tests need no
//! clock.
//!
//! The default [`Limits`] limit nothing: a connection without them behaves
//! exactly as upstream's.

use bytes::Bytes;

use super::protocol::{
    build_message, AfterFlush, MessageArgs, Outgoing, CONTENT_TYPE_JSON, CONTENT_TYPE_NAME,
    FLAG_TERMINATE_STREAM, T_APPLICATION_ERROR,
};
use crate::event_stream::wire::{Header, HeaderValue};

/// What a listener limits (`None` / `false`: as upstream). Times are in the
/// connection's clock units (nanoseconds in the glue).
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub struct Limits {
    /// From the connection's start until its CONNECT_ACK is sent.
    pub handshake_timeout: Option<u64>,
    /// With no message received or sent.
    pub idle_timeout: Option<u64>,
    /// Open streams per connection; a new stream beyond it is refused.
    pub max_streams: Option<usize>,
    /// Largest message read (the framer's limit; the wire's is 24 MiB).
    pub max_message_size: Option<usize>,
    /// Bytes handed to the channel and not yet written (the glue enforces it).
    pub max_queued_write_bytes: Option<usize>,
    /// Answer PING with PING_RESPONSE (echoing headers and payload) instead of
    /// handing it to the application.
    pub auto_ping: bool,
}

/// Why a connection's timer closed it.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Expiry {
    /// No CONNECT_ACK sent within the handshake timeout.
    Handshake,
    /// Nothing received or sent within the idle timeout.
    Idle,
    /// The listener's drain deadline passed with streams still open.
    Drain,
}

/// Why a new stream was refused (the connection stays up).
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum StreamRefusal {
    /// `max_streams` are open already.
    TooManyStreams,
    /// The listener is draining: open streams finish, new ones are refused.
    Draining,
}

impl StreamRefusal {
    /// The JSON text of the refusal (ours: upstream has no such reply).
    pub fn payload(self) -> &'static [u8] {
        match self {
            StreamRefusal::TooManyStreams => {
                b"{ \"message\": \"Too many open streams on this connection. Close a stream before opening another.\" }"
            }
            StreamRefusal::Draining => {
                b"{ \"message\": \"The server is shutting down and accepts no new streams on this connection.\" }"
            }
        }
    }

    /// The reply on the refused stream: APPLICATION_ERROR with
    /// TERMINATE_STREAM and `:content-type: application/json`, the shape of
    /// upstream's error replies but on the stream itself, so a client closes
    /// that stream and keeps the connection (a PROTOCOL_ERROR on a stream
    /// would be a violation to upstream's client).
    pub fn outgoing(self, stream_id: u32) -> Outgoing {
        let headers = vec![Header::new(
            Bytes::from_static(CONTENT_TYPE_NAME),
            HeaderValue::String(Bytes::from_static(CONTENT_TYPE_JSON)),
        )];
        let message = build_message(
            headers,
            Bytes::from_static(self.payload()),
            T_APPLICATION_ERROR as i32,
            FLAG_TERMINATE_STREAM,
            stream_id as i32,
            None,
        )
        .expect("refusals are within every limit");
        Outgoing {
            message,
            message_type: T_APPLICATION_ERROR as i32,
            stream_id,
            // The stream never opened: nothing to end after the flush.
            after_flush: AfterFlush::default(),
        }
    }
}

/// The PING_RESPONSE for a PING: its own headers (the reserved ones are
/// rebuilt) and payload, on stream 0.
pub fn ping_response(ping: &crate::event_stream::wire::Message) -> MessageArgs {
    use super::protocol::{MESSAGE_FLAGS_NAME, MESSAGE_TYPE_NAME, STREAM_ID_NAME};
    let reserved = [MESSAGE_TYPE_NAME, MESSAGE_FLAGS_NAME, STREAM_ID_NAME];
    MessageArgs {
        headers: ping
            .headers
            .iter()
            .filter(|h| !reserved.iter().any(|r| h.name.eq_ignore_ascii_case(r)))
            .cloned()
            .collect(),
        payload: ping.payload.clone(),
        message_type: super::protocol::MessageType::AWS_EVENT_STREAM_RPC_MESSAGE_TYPE_PING_RESPONSE
            as i32,
        flags: 0,
    }
}

/// The earlier of two optional times (matching on the tags only, so no
/// absent value is ever compared).
fn earliest(a: Option<u64>, b: Option<u64>) -> Option<u64> {
    match (a, b) {
        (Some(x), Some(y)) => Some(x.min(y)),
        (x, None) => x,
        (None, y) => y,
    }
}

/// A connection's clocks: when it started, when it last saw traffic, and
/// the drain deadline once draining.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub struct Timers {
    pub started: u64,
    pub last_activity: u64,
    pub drain_deadline: Option<u64>,
}

impl Timers {
    pub fn new(now: u64) -> Timers {
        Timers {
            started: now,
            last_activity: now,
            drain_deadline: None,
        }
    }

    /// The earliest moment one of the timers may expire, given whether the
    /// handshake is still pending.
    pub fn next_deadline(&self, limits: &Limits, handshake_pending: bool) -> Option<u64> {
        let handshake = limits
            .handshake_timeout
            .filter(|_| handshake_pending)
            .map(|t| self.started.saturating_add(t));
        let idle = limits
            .idle_timeout
            .map(|t| self.last_activity.saturating_add(t));
        earliest(earliest(handshake, idle), self.drain_deadline)
    }

    /// Which timer expired at `now`, if any (the handshake's first, then the
    /// drain's, then idleness).
    pub fn expired(&self, limits: &Limits, handshake_pending: bool, now: u64) -> Option<Expiry> {
        let due = |at: Option<u64>| at.is_some_and(|at| at <= now);
        if handshake_pending
            && due(limits
                .handshake_timeout
                .map(|t| self.started.saturating_add(t)))
        {
            return Some(Expiry::Handshake);
        }
        if due(self.drain_deadline) {
            return Some(Expiry::Drain);
        }
        if due(limits
            .idle_timeout
            .map(|t| self.last_activity.saturating_add(t)))
        {
            return Some(Expiry::Idle);
        }
        None
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::event_stream::rpc::protocol::{parse_metadata, FLAG_CONNECTION_ACCEPTED};
    use crate::event_stream::rpc::server::{ServerAction, ServerConnection};
    use crate::event_stream::rpc::test_support::{
        args, encode, rpc, string_header, Event, ServerHarness,
    };
    use crate::event_stream::wire::Message;

    const APP: i32 = 0;
    const PING: i32 = 2;
    const PING_RESPONSE: i32 = 3;
    const CONNECT: i32 = 4;
    const ACK: i32 = 5;
    const TERM: u32 = FLAG_TERMINATE_STREAM;

    fn harness(limits: Limits, now: u64) -> ServerHarness {
        let mut h = ServerHarness::default();
        h.core = ServerConnection::with_limits(limits, now);
        h
    }

    fn handshake(h: &mut ServerHarness) {
        h.feed(&rpc(CONNECT, 0, 0, None));
        h.send_protocol(args(ACK, FLAG_CONNECTION_ACCEPTED, b"{}"))
            .unwrap();
        h.take_events();
    }

    #[test]
    fn no_limits_means_no_timer() {
        let mut c = ServerConnection::new();
        assert_eq!(c.next_deadline(), None);
        assert_eq!(c.on_timer(u64::MAX), None);
        assert_eq!(c.limits(), &Limits::default());
    }

    #[test]
    fn handshake_timeout_until_the_connect_ack() {
        let limits = Limits {
            handshake_timeout: Some(100),
            ..Default::default()
        };
        let mut h = harness(limits, 1_000);
        assert_eq!(h.core.next_deadline(), Some(1_100));
        assert_eq!(h.core.on_timer(1_099), None);
        // CONNECT alone does not stop it: the CONNECT_ACK must go out.
        h.feed(&rpc(CONNECT, 0, 0, None));
        h.core.note_activity(1_050);
        assert_eq!(h.core.on_timer(1_100), Some(Expiry::Handshake));
        let mut h = harness(limits, 1_000);
        handshake(&mut h);
        assert_eq!(h.core.next_deadline(), None);
        assert_eq!(h.core.on_timer(5_000), None);
        // A closed connection has no timers.
        let mut h = harness(limits, 0);
        h.core.close();
        assert_eq!(h.core.next_deadline(), None);
        assert_eq!(h.core.on_timer(1_000), None);
    }

    #[test]
    fn idle_timeout_moves_with_traffic() {
        let limits = Limits {
            idle_timeout: Some(50),
            handshake_timeout: Some(1_000),
            ..Default::default()
        };
        let mut c = ServerConnection::with_limits(limits, 0);
        assert_eq!(c.next_deadline(), Some(50));
        c.note_activity(40);
        assert_eq!(c.on_timer(50), None);
        assert_eq!(c.next_deadline(), Some(90));
        // Time never goes back.
        c.note_activity(10);
        assert_eq!(c.next_deadline(), Some(90));
        assert_eq!(c.on_timer(90), Some(Expiry::Idle));
    }

    #[test]
    fn stream_limit_refuses_on_the_stream_and_keeps_the_connection() {
        let limits = Limits {
            max_streams: Some(2),
            ..Default::default()
        };
        let mut h = harness(limits, 0);
        handshake(&mut h);
        h.feed(&rpc(APP, 0, 1, Some("op")));
        h.feed(&rpc(APP, 0, 2, Some("op")));
        let m = rpc(APP, 0, 3, Some("op"));
        match h.core.on_message(&m) {
            ServerAction::RefuseStream {
                stream_id: 3,
                reason: StreamRefusal::TooManyStreams,
                reply,
            } => {
                let meta = parse_metadata(&reply.message).unwrap();
                assert_eq!(
                    (meta.stream_id, meta.message_type, meta.flags as u32),
                    (3, T_APPLICATION_ERROR as i32, TERM)
                );
                assert_eq!(
                    reply.message.payload,
                    StreamRefusal::TooManyStreams.payload()
                );
                assert_eq!(
                    reply.message.headers[0],
                    string_header(":content-type", "application/json")
                );
                assert_eq!(reply.after_flush, AfterFlush::default());
            }
            other => panic!("{other:?}"),
        }
        // More on the refused stream (sent before the refusal arrived) is dropped.
        h.feed(&rpc(APP, 0, 3, None));
        h.feed(&rpc(APP, TERM, 3, None));
        assert_eq!(h.take_events().last(), Some(&Event::Ignored));
        // One closes: the next id is accepted.
        h.feed(&rpc(APP, TERM, 1, None));
        h.feed(&rpc(APP, 0, 4, Some("op")));
        assert_eq!(h.core.open_streams(), 2);
        assert!(h.core.is_open());
        assert_eq!(h.violations, 0);
    }

    #[test]
    fn drain_refuses_new_streams_and_closes_when_the_last_ends() {
        let mut h = harness(Limits::default(), 0);
        handshake(&mut h);
        h.feed(&rpc(APP, 0, 1, Some("op")));
        assert!(!h.core.start_drain(500), "a stream is open");
        assert_eq!(h.core.next_deadline(), Some(500));
        h.feed(&rpc(APP, 0, 2, Some("op")));
        let refusal = encode(&StreamRefusal::Draining.outgoing(2).message);
        assert_eq!(h.written().last(), Some(&refusal));
        assert!(!h.core.drained());
        h.feed(&rpc(APP, TERM, 1, None));
        assert!(h.core.drained());
        // Or the deadline passes first.
        let mut h = harness(Limits::default(), 0);
        handshake(&mut h);
        h.feed(&rpc(APP, 0, 1, Some("op")));
        h.core.start_drain(500);
        assert_eq!(h.core.on_timer(499), None);
        assert_eq!(h.core.on_timer(500), Some(Expiry::Drain));
        // Nothing open: close at once.
        let mut c = ServerConnection::new();
        assert!(c.start_drain(10));
    }

    #[test]
    fn auto_ping_echoes_headers_and_payload() {
        let limits = Limits {
            auto_ping: true,
            ..Default::default()
        };
        let mut h = harness(limits, 0);
        // Before the handshake a PING is still a violation.
        let mut early = harness(limits, 0);
        early.feed(&rpc(PING, 0, 0, None));
        assert_eq!(early.violations, 1);
        handshake(&mut h);
        let mut ping = rpc(PING, 0, 0, None);
        ping.headers.insert(0, string_header("x-trace", "abc"));
        ping.payload = bytes::Bytes::from_static(b"hello");
        let action = h.core.on_message(&ping);
        let ServerAction::AutoPingResponse(out) = action else {
            panic!("{action:?}")
        };
        let want = build_message(
            vec![string_header("x-trace", "abc")],
            bytes::Bytes::from_static(b"hello"),
            PING_RESPONSE,
            0,
            0,
            None,
        )
        .unwrap();
        assert_eq!(out.message, want);
        // Without the option the application gets the PING.
        let mut plain = ServerHarness::default();
        handshake(&mut plain);
        plain.feed(&ping);
        assert_eq!(plain.take_events(), [Event::Protocol(PING)]);
        let _ = (APP, Message::default());
    }
}
