//! The server side of an RPC connection (upstream's
//! `aws_event_stream_rpc_server_connection`), without IO: the glue feeds it
//! each decoded message and each API call, and does what the returned value says.

use crate::common::error_codes::{
    AWS_ERROR_EVENT_STREAM_RPC_CONNECTION_CLOSED, AWS_ERROR_EVENT_STREAM_RPC_PROTOCOL_ERROR,
    AWS_ERROR_EVENT_STREAM_RPC_STREAM_CLOSED,
};
use crate::event_stream::wire::Message;

use super::limits::{ping_response, Expiry, Limits, StreamRefusal, Timers};
use super::protocol::{
    parse_metadata, ErrorReply, Handshake, MessageArgs, Outgoing, StreamMap, FLAG_TERMINATE_STREAM,
    T_APPLICATION_ERROR, T_CONNECT, T_CONNECT_ACK, T_COUNT,
};

/// `:message-type` of PING.
const T_PING: u32 = super::protocol::MessageType::AWS_EVENT_STREAM_RPC_MESSAGE_TYPE_PING as u32;

/// What the glue must do with one received message (on the channel's thread).
#[derive(Debug, PartialEq, Eq)]
pub enum ServerAction<'m> {
    /// Fire `on_connection_protocol_message` with the message (CONNECT, PING,
    /// PING_RESPONSE, CONNECT_ACK, PROTOCOL_ERROR, INTERNAL_ERROR on stream 0;
    /// PING is the application's to answer, as upstream).
    ProtocolMessage,
    /// A new stream: create a continuation token for `stream_id`, fire
    /// `on_incoming_stream(token, operation)`. If it fails (or is NULL) call
    /// [`ServerConnection::reject_stream`] and send what it returns; the token
    /// dies without `on_continuation_closed`. Otherwise store the callbacks and
    /// fire `on_continuation` with the message, then, if `terminate`, call
    /// [`ServerConnection::end_stream`] and fire `on_continuation_closed` if it
    /// returns true. (After `override_last_stream_id` moved the counter back,
    /// an id still mapped can come again: first fire the old token's
    /// `on_continuation_closed` and drop it, as upstream's table replacement does.)
    IncomingStream {
        stream_id: u32,
        operation: &'m [u8],
        terminate: bool,
    },
    /// Fire `on_continuation` of `stream_id` with the message; then, if
    /// `terminate`, call [`ServerConnection::end_stream`] and fire
    /// `on_continuation_closed` if it returns true.
    Continuation { stream_id: u32, terminate: bool },
    /// Drop the message: a TERMINATE_STREAM for a stream already gone
    /// (simultaneous close), or anything after [`ServerConnection::on_shutdown`].
    Ignored,
    /// The peer broke the protocol: write the reply if there is one (none once
    /// the connection is closed) and, once flushed, follow its `after_flush`
    /// (it closes the connection with `AWS_ERROR_EVENT_STREAM_RPC_PROTOCOL_ERROR`).
    Violation(Option<Outgoing>),
    /// Extension ([`Limits::max_streams`] or draining): a new stream was
    /// refused; write `reply` (its error on that stream). No token, no
    /// callback; the connection stays up.
    RefuseStream {
        stream_id: u32,
        reason: StreamRefusal,
        reply: Outgoing,
    },
    /// Extension ([`Limits::auto_ping`]): write this PING_RESPONSE; the
    /// application does not see the PING.
    AutoPingResponse(Outgoing),
}

/// Upstream's server connection state: handshake, open flag, stream ids and
/// the open continuations (by stream id; the glue maps ids to its tokens).
#[derive(Debug)]
pub struct ServerConnection {
    open: bool,
    /// `on_shutdown` ran: the connection is gone and hears nothing more.
    shut_down: bool,
    handshake: Handshake,
    latest_stream_id: u32,
    /// Streams in upstream's continuation table.
    streams: StreamMap<()>,
    /// Extension: what this connection limits, and its clocks.
    limits: Limits,
    timers: Timers,
    /// The listener is draining: new streams are refused.
    draining: bool,
    /// The latest refused stream ids: a peer may have sent more on one
    /// before it saw the refusal, which is dropped rather than a violation.
    refused: std::collections::VecDeque<u32>,
}

/// How many refused stream ids are remembered.
const REFUSED_REMEMBERED: usize = 64;

impl Default for ServerConnection {
    fn default() -> Self {
        Self::new()
    }
}

impl ServerConnection {
    pub fn new() -> ServerConnection {
        Self::with_limits(Limits::default(), 0)
    }

    /// A connection under `limits`, started at `now` (virtual time).
    pub fn with_limits(limits: Limits, now: u64) -> ServerConnection {
        ServerConnection {
            open: true,
            shut_down: false,
            handshake: Handshake::Initialized,
            latest_stream_id: 0,
            streams: StreamMap::default(),
            limits,
            timers: Timers::new(now),
            draining: false,
            refused: Default::default(),
        }
    }

    pub fn limits(&self) -> &Limits {
        &self.limits
    }

    /// A message went either way at `now`: the idle timer starts again.
    pub fn note_activity(&mut self, now: u64) {
        self.timers.last_activity = self.timers.last_activity.max(now);
    }

    fn handshake_pending(&self) -> bool {
        self.handshake != Handshake::ConnectAckProcessed
    }

    /// When the glue must call [`Self::on_timer`] next (None: no timer).
    pub fn next_deadline(&self) -> Option<u64> {
        if !self.open {
            return None;
        }
        self.timers
            .next_deadline(&self.limits, self.handshake_pending())
    }

    /// The loop's clock reached `now`: the timer that expired, if any. The
    /// glue then closes the connection (the core does not close itself, so
    /// the glue's `close` stays the one place that shuts the channel down).
    pub fn on_timer(&mut self, now: u64) -> Option<Expiry> {
        if !self.open {
            return None;
        }
        self.timers
            .expired(&self.limits, self.handshake_pending(), now)
    }

    /// The listener drains: new streams are refused from now on, and the
    /// connection closes at `deadline` if streams are still open. True when
    /// it should close at once (nothing open).
    pub fn start_drain(&mut self, deadline: u64) -> bool {
        self.draining = true;
        self.timers.drain_deadline = Some(deadline);
        self.drained()
    }

    /// Draining, still open, and no stream left: close it now.
    pub fn drained(&self) -> bool {
        self.draining && self.open && self.streams.is_empty()
    }

    /// `aws_event_stream_rpc_server_connection_is_open`.
    pub fn is_open(&self) -> bool {
        self.open
    }

    pub fn handshake(&self) -> Handshake {
        self.handshake
    }

    /// The last stream id seen.
    #[cfg(test)]
    pub(crate) fn latest_stream_id(&self) -> u32 {
        self.latest_stream_id
    }

    /// Number of open continuations (room for a future stream limit).
    pub fn open_streams(&self) -> usize {
        self.streams.len()
    }

    /// `aws_event_stream_rpc_server_continuation_is_closed`: true once the
    /// stream's TERMINATE_STREAM went either way or the connection shut down.
    pub fn is_stream_closed(&self, stream_id: u32) -> bool {
        !self.streams.contains_key(&stream_id)
    }

    /// `aws_event_stream_rpc_server_override_last_stream_id` (stored as
    /// upstream does: the int32 reinterpreted as the unsigned counter).
    pub fn override_last_stream_id(&mut self, value: i32) {
        self.latest_stream_id = value as u32;
    }

    /// Routes one decoded message exactly as upstream's server does.
    pub fn on_message<'m>(&mut self, message: &'m Message) -> ServerAction<'m> {
        if self.shut_down {
            return ServerAction::Ignored;
        }
        let meta = match parse_metadata(message) {
            Ok(m) => m,
            Err(_) => return self.violation(ErrorReply::InvalidMessage),
        };
        let (stream_id, ty, flags) = (
            meta.stream_id as u32,
            meta.message_type as u32,
            meta.flags as u32,
        );
        if self.handshake < Handshake::ConnectAckProcessed && ty != T_CONNECT {
            return self.violation(ErrorReply::ConnectNotCompleted);
        }
        if stream_id == 0 {
            if ty <= T_APPLICATION_ERROR || ty >= T_COUNT {
                return self.violation(ErrorReply::InvalidMessageType);
            }
            if ty == T_CONNECT {
                if self.handshake != Handshake::Initialized {
                    return self.violation(ErrorReply::ConnectNotCompleted);
                }
                self.handshake = Handshake::ConnectProcessed;
            }
            if ty == T_PING && self.limits.auto_ping && self.open {
                if let Ok(out) = self.send(ping_response(message), 0) {
                    return ServerAction::AutoPingResponse(out);
                }
            }
            return ServerAction::ProtocolMessage;
        }
        if ty > T_APPLICATION_ERROR || stream_id > i32::MAX as u32 {
            return self.violation(ErrorReply::InvalidStreamId);
        }
        let terminate = flags & FLAG_TERMINATE_STREAM != 0;
        if stream_id <= self.latest_stream_id {
            if !self.streams.contains_key(&stream_id) && self.refused.contains(&stream_id) {
                return ServerAction::Ignored;
            }
            if !self.streams.contains_key(&stream_id) {
                return if terminate {
                    ServerAction::Ignored
                } else {
                    self.violation(ErrorReply::InvalidClientStreamId)
                };
            }
            return ServerAction::Continuation {
                stream_id,
                terminate,
            };
        }
        if stream_id != self.latest_stream_id.wrapping_add(1) {
            return self.violation(ErrorReply::InvalidNewClientStreamId);
        }
        if meta.operation.is_empty() {
            return self.violation(ErrorReply::MissingOperationName);
        }
        let refusal = if self.draining {
            Some(StreamRefusal::Draining)
        } else if self
            .limits
            .max_streams
            .is_some_and(|max| self.streams.len() >= max)
        {
            Some(StreamRefusal::TooManyStreams)
        } else {
            None
        };
        if let Some(reason) = refusal {
            // The id is used up: the peer's next stream is this one + 1.
            self.latest_stream_id = stream_id;
            if self.refused.len() == REFUSED_REMEMBERED {
                self.refused.pop_front();
            }
            self.refused.push_back(stream_id);
            return ServerAction::RefuseStream {
                stream_id,
                reason,
                reply: reason.outgoing(stream_id),
            };
        }
        self.streams.insert(stream_id, ());
        self.latest_stream_id = stream_id;
        ServerAction::IncomingStream {
            stream_id,
            operation: meta.operation,
            terminate,
        }
    }

    /// `on_incoming_stream` failed for the stream just announced: forget it
    /// (the id may come again) and answer with INTERNAL_ERROR, as upstream.
    pub fn reject_stream(&mut self, stream_id: u32) -> Option<Outgoing> {
        if self.streams.remove(&stream_id).is_some() && self.latest_stream_id == stream_id {
            self.latest_stream_id = stream_id.wrapping_sub(1);
        }
        self.error_reply(ErrorReply::Internal)
    }

    /// Closes `stream_id` after a TERMINATE_STREAM (received and delivered, or
    /// sent and flushed). True exactly once per stream: then fire its
    /// `on_continuation_closed`.
    pub fn end_stream(&mut self, stream_id: u32) -> bool {
        self.streams.remove(&stream_id).is_some()
    }

    /// `aws_event_stream_rpc_server_connection_send_protocol_message`.
    pub fn send_protocol_message(&mut self, args: MessageArgs) -> Result<Outgoing, i32> {
        if !self.open {
            return Err(AWS_ERROR_EVENT_STREAM_RPC_CONNECTION_CLOSED);
        }
        self.send(args, 0)
    }

    /// `aws_event_stream_rpc_server_continuation_send_message`. With
    /// TERMINATE_STREAM the stream closes once the message is flushed (see
    /// [`Outgoing::after_flush`]); until then it stays open, as upstream.
    pub fn send_on_stream(&mut self, stream_id: u32, args: MessageArgs) -> Result<Outgoing, i32> {
        if self.is_stream_closed(stream_id) {
            return Err(AWS_ERROR_EVENT_STREAM_RPC_STREAM_CLOSED);
        }
        self.send(args, stream_id)
    }

    fn send(&mut self, args: MessageArgs, stream_id: u32) -> Result<Outgoing, i32> {
        let ty = args.message_type as u32;
        // Before the CONNECT_ACK only CONNECT_ACK and the error types may go out.
        if self.handshake != Handshake::ConnectAckProcessed && ty < T_CONNECT_ACK {
            return Err(AWS_ERROR_EVENT_STREAM_RPC_PROTOCOL_ERROR);
        }
        if ty == T_CONNECT_ACK {
            self.handshake = Handshake::ConnectAckProcessed;
        }
        Outgoing::new(args, stream_id, None)
    }

    /// `aws_event_stream_rpc_server_connection_close`: true the first time;
    /// the glue then shuts the channel down with its error code (and, for a
    /// connection on an existing channel, calls [`Self::on_shutdown`] at once).
    pub fn close(&mut self) -> bool {
        std::mem::replace(&mut self.open, false)
    }

    /// The channel shut down (or an existing-channel connection was closed):
    /// the connection is closed and every open stream is gone. Returns their
    /// ids, ascending; fire `on_continuation_closed` for each (before
    /// `on_connection_shutdown`, as upstream).
    pub fn on_shutdown(&mut self) -> Vec<u32> {
        self.open = false;
        self.shut_down = true;
        let mut ids: Vec<u32> = self.streams.drain().map(|(id, ())| id).collect();
        ids.sort_unstable();
        ids
    }

    fn error_reply(&self, reply: ErrorReply) -> Option<Outgoing> {
        // Upstream sends it through send_protocol_message, which refuses once closed.
        self.open.then(|| reply.outgoing())
    }

    fn violation<'m>(&self, reply: ErrorReply) -> ServerAction<'m> {
        ServerAction::Violation(self.error_reply(reply))
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::common::error_codes::AWS_ERROR_SUCCESS;
    use crate::event_stream::rpc::protocol::{
        AfterFlush, FLAG_CONNECTION_ACCEPTED, FLAG_TERMINATE_STREAM as TERM,
    };
    use crate::event_stream::rpc::test_support::{
        args, encode, rpc, split_raw, string_header, vector, Event, ServerHarness,
    };
    use bytes::Bytes;

    const APP: i32 = 0;
    const APP_ERR: i32 = 1;
    const PING: i32 = 2;
    const PING_RESPONSE: i32 = 3;
    const CONNECT: i32 = 4;
    const ACK: i32 = 5;
    const PROTOCOL_ERROR: i32 = 6;
    const PE: i32 = AWS_ERROR_EVENT_STREAM_RPC_PROTOCOL_ERROR;

    fn reply(r: ErrorReply) -> Bytes {
        encode(&r.outgoing().message)
    }

    /// A server whose handshake is done.
    fn connected() -> ServerHarness {
        let mut h = ServerHarness::default();
        h.feed_bytes(&vector("rpc_connect.bin"));
        h.send_protocol(args(ACK, FLAG_CONNECTION_ACCEPTED, b"{}"))
            .unwrap();
        assert_eq!(
            h.take_events(),
            [
                Event::Protocol(CONNECT),
                Event::Written(vector("rpc_connect_ack_accepted.bin"))
            ]
        );
        assert_eq!(h.core.handshake(), Handshake::ConnectAckProcessed);
        h
    }

    /// Feeds `m` and expects exactly `r` written, then a close with PROTOCOL_ERROR.
    fn assert_violation(h: &mut ServerHarness, m: &Message, r: ErrorReply) {
        h.feed(m);
        assert_eq!(h.written().last(), Some(&reply(r)), "{r:?}");
        assert_eq!(h.closed_with(), Some(PE));
        assert!(!h.core.is_open());
    }

    #[test]
    fn conversation_vector_byte_for_byte() {
        // The client's half of stream_01 goes in; the application answers with
        // the server's half, which must come out byte-identical.
        let raw = split_raw(&vector("stream_01.bin"));
        let mut h = ServerHarness::default();
        h.core.override_last_stream_id(7);
        let json = || string_header(":content-type", "application/json");
        let model = |m: &'static str| string_header("service-model-type", m);
        let payload = |i: usize| Message::decode(raw[i].clone()).unwrap().payload;
        h.feed_bytes(&raw[0]);
        h.send_protocol(MessageArgs {
            payload: payload(1),
            ..args(ACK, FLAG_CONNECTION_ACCEPTED, b"")
        })
        .unwrap();
        h.feed_bytes(&raw[2]);
        h.send_protocol(MessageArgs {
            payload: payload(3),
            ..args(PING_RESPONSE, 0, b"")
        })
        .unwrap();
        h.feed_bytes(&raw[4]);
        let response = |flags, i| MessageArgs {
            headers: vec![json(), model("aws.greengrass#PublishToTopicResponse")],
            payload: payload(i),
            message_type: APP,
            flags,
        };
        h.send_on_stream(8, response(0, 5)).unwrap();
        h.send_on_stream(8, response(TERM, 6)).unwrap();
        h.feed_bytes(&raw[7]);
        let error = MessageArgs {
            headers: vec![json(), model("aws.greengrass#UnauthorizedError")],
            payload: payload(8),
            message_type: APP_ERR,
            flags: TERM,
        };
        h.send_on_stream(9, error).unwrap();
        let op = |s: &str| s.as_bytes().to_vec();
        assert_eq!(
            h.events,
            [
                Event::Protocol(CONNECT),
                Event::Written(raw[1].clone()),
                Event::Protocol(PING),
                Event::Written(raw[3].clone()),
                Event::IncomingStream(8, op("aws.greengrass#PublishToTopic")),
                Event::Continuation(8, APP),
                Event::Written(raw[5].clone()),
                Event::Written(raw[6].clone()),
                Event::ContinuationClosed(8),
                Event::IncomingStream(9, op("aws.greengrass#GetConfiguration")),
                Event::Continuation(9, APP),
                Event::Written(raw[8].clone()),
                Event::ContinuationClosed(9),
            ]
        );
        assert_eq!(h.core.open_streams(), 0);
        assert!(h.core.is_open());
    }

    #[test]
    fn single_message_vectors_route() {
        let mut h = connected();
        h.core.override_last_stream_id(5);
        for name in [
            "rpc_application_message_activate.bin",
            "rpc_application_message_response.bin",
            "rpc_ping.bin",
        ] {
            h.feed_bytes(&vector(name));
        }
        h.feed_bytes(&vector("rpc_application_message_terminate.bin"));
        // A late APPLICATION_ERROR with TERMINATE_STREAM: simultaneous close, ignored.
        h.feed_bytes(&vector("rpc_application_error.bin"));
        assert_eq!(
            h.take_events(),
            [
                Event::IncomingStream(6, b"aws.greengrass#PublishToTopic".to_vec()),
                Event::Continuation(6, APP),
                Event::Continuation(6, APP),
                Event::Protocol(PING),
                Event::Continuation(6, APP),
                Event::ContinuationClosed(6),
                Event::Ignored,
            ]
        );
        assert!(h.core.is_open());
    }

    #[test]
    fn max_stream_id_is_int32_max() {
        let mut h = connected();
        h.core.override_last_stream_id(i32::MAX - 1);
        h.feed(&rpc(APP, 0, i32::MAX, Some("op")));
        h.feed_bytes(&vector("rpc_max_stream_id.bin"));
        assert_eq!(
            h.take_events(),
            [
                Event::IncomingStream(i32::MAX as u32, b"op".to_vec()),
                Event::Continuation(i32::MAX as u32, APP),
                Event::Continuation(i32::MAX as u32, APP)
            ]
        );
        h.core.override_last_stream_id(i32::MAX);
        // INT32_MAX + 1 on the wire is a negative int32: out of range.
        assert_violation(
            &mut h,
            &rpc(APP, 0, i32::MIN, Some("op")),
            ErrorReply::InvalidStreamId,
        );
    }

    #[test]
    fn handshake_violations() {
        // Anything before CONNECT.
        let mut h = ServerHarness::default();
        assert_violation(
            &mut h,
            &Message::decode(vector("rpc_ping.bin")).unwrap(),
            ErrorReply::ConnectNotCompleted,
        );
        assert_eq!(h.written(), [vector("rpc_protocol_error.bin")]);
        // Anything after CONNECT but before the CONNECT_ACK went out.
        let mut h = ServerHarness::default();
        h.feed(&rpc(CONNECT, 0, 0, None));
        assert_violation(
            &mut h,
            &rpc(APP, 0, 1, Some("op")),
            ErrorReply::ConnectNotCompleted,
        );
        // A second CONNECT, before or after the CONNECT_ACK.
        let mut h = ServerHarness::default();
        h.feed(&rpc(CONNECT, 0, 0, None));
        assert_violation(
            &mut h,
            &rpc(CONNECT, 0, 0, None),
            ErrorReply::ConnectNotCompleted,
        );
        let mut h = connected();
        assert_violation(
            &mut h,
            &rpc(CONNECT, 0, 0, None),
            ErrorReply::ConnectNotCompleted,
        );
        // A CONNECT on a stream.
        let mut h = ServerHarness::default();
        assert_violation(
            &mut h,
            &rpc(CONNECT, 0, 1, None),
            ErrorReply::InvalidStreamId,
        );
    }

    #[test]
    fn header_and_type_violations() {
        assert_violation(
            &mut connected(),
            &rpc(8, 0, 0, None),
            ErrorReply::InvalidMessageType,
        );
        assert_violation(
            &mut connected(),
            &rpc(-1, 0, 0, None),
            ErrorReply::InvalidMessageType,
        );
        assert_violation(
            &mut connected(),
            &rpc(APP, 0, 0, None),
            ErrorReply::InvalidMessageType,
        );
        assert_violation(
            &mut connected(),
            &rpc(APP_ERR, 0, 0, None),
            ErrorReply::InvalidMessageType,
        );
        assert_violation(
            &mut connected(),
            &rpc(PING, 0, 1, None),
            ErrorReply::InvalidStreamId,
        );
        assert_violation(
            &mut connected(),
            &rpc(-1, 0, 1, None),
            ErrorReply::InvalidStreamId,
        );
        for missing in [":message-type", ":message-flags", ":stream-id"] {
            let mut m = rpc(PING, 0, 0, None);
            m.headers.retain(|h| h.name != missing.as_bytes());
            assert_violation(&mut connected(), &m, ErrorReply::InvalidMessage);
        }
        // Before the handshake, a message without metadata is still InvalidMessage.
        assert_violation(
            &mut ServerHarness::default(),
            &Message::default(),
            ErrorReply::InvalidMessage,
        );
    }

    #[test]
    fn stream_id_rules() {
        assert_violation(
            &mut connected(),
            &rpc(APP, 0, 1, None),
            ErrorReply::MissingOperationName,
        );
        assert_violation(
            &mut connected(),
            &rpc(APP, 0, 1, Some("")),
            ErrorReply::MissingOperationName,
        );
        assert_violation(
            &mut connected(),
            &rpc(APP, 0, 2, Some("op")),
            ErrorReply::InvalidNewClientStreamId,
        );
        // A closed stream's id again, without TERMINATE_STREAM.
        let mut h = connected();
        h.feed(&rpc(APP, TERM, 1, Some("op")));
        h.feed(&rpc(APP, TERM, 1, None));
        assert_eq!(h.events.last(), Some(&Event::Ignored));
        assert_violation(
            &mut h,
            &rpc(APP, 0, 1, None),
            ErrorReply::InvalidClientStreamId,
        );
        // Ids grow by exactly one; the first message of each new id needs the operation.
        let mut h = connected();
        for id in 1..=3 {
            h.feed(&rpc(APP, 0, id, Some("op")));
        }
        h.feed(&rpc(APP, 0, 2, None));
        assert_eq!(h.core.open_streams(), 3);
        assert_eq!(h.events.last(), Some(&Event::Continuation(2, APP)));
        assert!(h.core.is_open());
    }

    #[test]
    fn rejected_incoming_stream_sends_internal_error() {
        let mut h = connected();
        h.accept_streams = false;
        h.feed(&rpc(APP, 0, 1, Some("op")));
        assert_eq!(h.written().last(), Some(&vector("rpc_internal_error.bin")));
        assert_eq!(h.closed_with(), Some(PE));
        assert!(
            h.closed.is_empty(),
            "a rejected stream gets no closed callback"
        );
        assert!(h.core.is_stream_closed(1));
    }

    #[test]
    fn sends_before_the_handshake() {
        let mut h = ServerHarness::default();
        for ty in [APP, APP_ERR, PING, PING_RESPONSE, CONNECT] {
            assert_eq!(h.send_protocol(args(ty, 0, b"")), Err(PE), "type {ty}");
        }
        // The error types may go out; so may a CONNECT_ACK even before CONNECT.
        h.send_protocol(args(PROTOCOL_ERROR, 0, b"")).unwrap();
        h.send_protocol(args(ACK, FLAG_CONNECTION_ACCEPTED, b""))
            .unwrap();
        assert_eq!(h.core.handshake(), Handshake::ConnectAckProcessed);
        h.send_protocol(args(PING, 0, b"")).unwrap();
    }

    #[test]
    fn rejected_connect_ack_closes_after_flush() {
        let mut h = ServerHarness::default();
        h.feed(&rpc(CONNECT, 0, 0, None));
        let out = h.core.send_protocol_message(args(ACK, 0, b"")).unwrap();
        assert_eq!(
            out.after_flush,
            AfterFlush {
                end_stream: None,
                close_with: Some(AWS_ERROR_SUCCESS)
            }
        );
        h.write(Some(out));
        assert_eq!(h.closed_with(), Some(AWS_ERROR_SUCCESS));
        assert_eq!(
            h.core.send_protocol_message(args(PING, 0, b"")),
            Err(AWS_ERROR_EVENT_STREAM_RPC_CONNECTION_CLOSED)
        );
        // Once closed no error reply is sent.
        h.feed(&rpc(APP, 0, 5, None));
        assert_eq!(h.written().len(), 1);
    }

    #[test]
    fn terminate_from_either_side_closes_once() {
        let mut h = connected();
        h.feed(&rpc(APP, 0, 1, Some("op")));
        // Sent TERMINATE_STREAM: the stream stays open until flushed.
        let out = h.core.send_on_stream(1, args(APP, TERM, b"")).unwrap();
        assert_eq!(out.after_flush.end_stream, Some(1));
        assert!(!h.core.is_stream_closed(1));
        h.core.send_on_stream(1, args(APP, 0, b"")).unwrap();
        // The peer's TERMINATE_STREAM arrives first: it closes the stream ...
        h.feed(&rpc(APP, TERM, 1, None));
        assert_eq!(h.closed, [1]);
        // ... and the flush of ours finds it gone: no second closed callback.
        h.write(Some(out));
        assert_eq!(h.closed, [1]);
        assert_eq!(
            h.core.send_on_stream(1, args(APP, 0, b"")),
            Err(AWS_ERROR_EVENT_STREAM_RPC_STREAM_CLOSED)
        );
        assert_eq!(
            h.core.send_on_stream(7, args(APP, 0, b"")),
            Err(AWS_ERROR_EVENT_STREAM_RPC_STREAM_CLOSED)
        );
    }

    #[test]
    fn shutdown_closes_every_open_stream() {
        let mut h = connected();
        for id in 1..=3 {
            h.feed(&rpc(APP, 0, id, Some("op")));
        }
        h.feed(&rpc(APP, TERM, 2, None));
        h.close(AWS_ERROR_SUCCESS);
        assert_eq!(h.closed, [2, 1, 3]);
        assert!(!h.core.close(), "close reports true once");
        assert_eq!(
            h.core.send_on_stream(1, args(APP, 0, b"")),
            Err(AWS_ERROR_EVENT_STREAM_RPC_STREAM_CLOSED)
        );
    }

    #[test]
    fn decode_error_shuts_down_without_reply() {
        let mut h = connected();
        let mut bad = vector("rpc_ping.bin").to_vec();
        let last = bad.len() - 1;
        bad[last] ^= 1;
        h.feed_bytes(&bad);
        assert_eq!(
            h.take_events(),
            [Event::ConnectionClosed(
                crate::common::error_codes::AWS_ERROR_EVENT_STREAM_MESSAGE_CHECKSUM_FAILURE
            )]
        );
    }
}
