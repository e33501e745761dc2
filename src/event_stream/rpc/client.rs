//! The client side of an RPC connection (upstream's
//! `aws_event_stream_rpc_client_connection`), without IO.
//!
//! Upstream's client API may be called from any thread: each send builds its
//! message at once, then a task on the connection's event loop decides
//! whether it may go out. The glue mirrors that: the API-thread half
//! ([`ClientConnection::activate`], [`ClientConnection::send_on_stream`],
//! [`ClientConnection::send_protocol_message`]) runs under the glue's lock and
//! returns an [`Outgoing`]; on the event-loop thread, right before writing, the
//! glue calls [`ClientConnection::admit`].

use crate::common::error_codes::{
    AWS_ERROR_EVENT_STREAM_RPC_CONNECTION_CLOSED, AWS_ERROR_EVENT_STREAM_RPC_PROTOCOL_ERROR,
    AWS_ERROR_EVENT_STREAM_RPC_STREAM_CLOSED,
};
use crate::event_stream::wire::Message;

use super::protocol::{
    parse_metadata, ErrorReply, Handshake, MessageArgs, Outgoing, StreamMap, FLAG_TERMINATE_STREAM,
    T_APPLICATION_ERROR, T_APPLICATION_MESSAGE, T_CONNECT, T_CONNECT_ACK, T_COUNT,
};

/// What the glue must do with one received message (on the event-loop thread).
#[derive(Debug, PartialEq, Eq)]
pub enum ClientAction {
    /// Fire `on_connection_protocol_message` with the message. A CONNECT_ACK
    /// arrives here whether or not it carries CONNECTION_ACCEPTED: as
    /// upstream, closing after a rejection is the application's call.
    ProtocolMessage,
    /// Fire `on_continuation` of `stream_id` with the message; then, if
    /// `terminate` (the stream already reports closed during the callback),
    /// call [`ClientConnection::end_stream`] and fire `on_continuation_closed`
    /// if it returns true.
    Continuation { stream_id: u32, terminate: bool },
    /// Drop the message: a stream id this client used and already closed, or
    /// anything after [`ClientConnection::on_shutdown`].
    Ignored,
    /// The server broke the protocol: send the reply like any
    /// `send_protocol_message` (through [`ClientConnection::admit`]; its
    /// `after_flush` closes the connection with
    /// `AWS_ERROR_EVENT_STREAM_RPC_PROTOCOL_ERROR`, written or not).
    Violation(Outgoing),
}

/// Why a send may not go out ([`ClientConnection::admit`]). The glue fires the
/// message's flush callback with `error` and, if `shutdown_channel`, shuts the
/// channel down with `error` (upstream treats a failed non-application send as
/// connection-fatal). The `after_flush` steps are for written messages only,
/// except that a [`ClientAction::Violation`] reply closes the connection with
/// `AWS_ERROR_EVENT_STREAM_RPC_PROTOCOL_ERROR` either way (that close is
/// upstream's flush callback for it).
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Rejected {
    pub error: i32,
    pub shutdown_channel: bool,
}

#[derive(Clone, Copy, Debug, PartialEq, Eq)]
enum Stream {
    Open,
    /// Closed (sends fail) but `on_continuation_closed` not yet fired.
    Closing,
}

/// Upstream's client connection state.
#[derive(Debug)]
pub struct ClientConnection {
    open: bool,
    /// `on_shutdown` ran: the connection is gone and hears nothing more.
    shut_down: bool,
    channel_up: bool,
    handshake: Handshake,
    latest_stream_id: u32,
    streams: StreamMap<Stream>,
}

impl Default for ClientConnection {
    fn default() -> Self {
        Self::new()
    }
}

impl ClientConnection {
    /// A connection being set up (`aws_event_stream_rpc_client_connection_connect`):
    /// open, but without a channel until [`Self::on_channel_setup`].
    pub fn new() -> ClientConnection {
        ClientConnection {
            open: true,
            shut_down: false,
            channel_up: false,
            handshake: Handshake::Initialized,
            latest_stream_id: 0,
            streams: StreamMap::default(),
        }
    }

    /// The channel is up and the event-stream handler installed.
    pub fn on_channel_setup(&mut self) {
        self.channel_up = true;
    }

    /// Extension: still open and no CONNECT_ACK yet (the CONNECT_ACK
    /// timeout closes such a connection when it expires).
    pub fn awaiting_connect_ack(&self) -> bool {
        self.open && self.handshake != Handshake::ConnectAckProcessed
    }

    /// `aws_event_stream_rpc_client_connection_is_open`.
    pub fn is_open(&self) -> bool {
        self.open
    }

    pub fn handshake(&self) -> Handshake {
        self.handshake
    }

    /// The last stream id taken.
    #[cfg(test)]
    pub(crate) fn latest_stream_id(&self) -> u32 {
        self.latest_stream_id
    }

    /// Number of active continuations (room for a future stream limit).
    pub fn open_streams(&self) -> usize {
        self.streams.len()
    }

    /// `aws_event_stream_rpc_client_continuation_is_closed` for an activated stream.
    pub fn is_stream_closed(&self, stream_id: u32) -> bool {
        self.streams.get(&stream_id) != Some(&Stream::Open)
    }

    /// `aws_event_stream_rpc_client_continuation_activate` (the glue first
    /// fails with `AWS_ERROR_INVALID_STATE` if the token already has a stream
    /// id). Only on an open connection whose CONNECT_ACK arrived, else
    /// `AWS_ERROR_EVENT_STREAM_RPC_CONNECTION_CLOSED`. The stream takes the
    /// next id (last + 1); the message carries `operation` last.
    pub fn activate(&mut self, operation: &[u8], args: MessageArgs) -> Result<Outgoing, i32> {
        if !self.open || self.handshake != Handshake::ConnectAckProcessed {
            return Err(AWS_ERROR_EVENT_STREAM_RPC_CONNECTION_CLOSED);
        }
        let stream_id = self.latest_stream_id.wrapping_add(1);
        let out = Outgoing::new(args, stream_id, Some(operation))?;
        self.streams.insert(stream_id, Stream::Open);
        self.latest_stream_id = stream_id;
        Ok(out)
    }

    /// `aws_event_stream_rpc_client_continuation_send_message` for an activated
    /// stream (the glue answers `AWS_ERROR_EVENT_STREAM_RPC_STREAM_NOT_ACTIVATED`
    /// for a token without an id).
    pub fn send_on_stream(&self, stream_id: u32, args: MessageArgs) -> Result<Outgoing, i32> {
        if self.is_stream_closed(stream_id) {
            return Err(AWS_ERROR_EVENT_STREAM_RPC_STREAM_CLOSED);
        }
        Outgoing::new(args, stream_id, None)
    }

    /// `aws_event_stream_rpc_client_connection_send_protocol_message`: upstream
    /// checks nothing until the send runs ([`Self::admit`]).
    pub fn send_protocol_message(&self, args: MessageArgs) -> Result<Outgoing, i32> {
        Outgoing::new(args, 0, None)
    }

    /// The event-loop half of every send, run just before writing `out`.
    /// The handshake allows only CONNECT first (which moves it on), nothing
    /// while the CONNECT_ACK is awaited, then anything but CONNECT and
    /// CONNECT_ACK.
    pub fn admit(&mut self, out: &Outgoing) -> Result<(), Rejected> {
        let ty = out.message_type as u32;
        let handshake_ok = match self.handshake {
            Handshake::Initialized if ty == T_CONNECT => {
                self.handshake = Handshake::ConnectProcessed;
                true
            }
            Handshake::ConnectAckProcessed => ty != T_CONNECT && ty != T_CONNECT_ACK,
            _ => false,
        };
        let error = if !self.open || !self.channel_up {
            AWS_ERROR_EVENT_STREAM_RPC_CONNECTION_CLOSED
        } else if !handshake_ok {
            AWS_ERROR_EVENT_STREAM_RPC_PROTOCOL_ERROR
        } else if out.stream_id != 0 && self.is_stream_closed(out.stream_id) {
            AWS_ERROR_EVENT_STREAM_RPC_STREAM_CLOSED
        } else {
            return Ok(());
        };
        Err(Rejected {
            error,
            shutdown_channel: self.channel_up
                && ty != T_APPLICATION_MESSAGE
                && ty != T_APPLICATION_ERROR,
        })
    }

    /// Routes one decoded message exactly as upstream's client does.
    pub fn on_message(&mut self, message: &Message) -> ClientAction {
        if self.shut_down {
            return ClientAction::Ignored;
        }
        let meta = match parse_metadata(message) {
            Ok(m) => m,
            Err(_) => return violation(ErrorReply::InvalidMessage),
        };
        let (stream_id, ty, flags) = (
            meta.stream_id as u32,
            meta.message_type as u32,
            meta.flags as u32,
        );
        if self.handshake < Handshake::ConnectAckProcessed && ty != T_CONNECT_ACK {
            return violation(ErrorReply::ConnectNotCompleted);
        }
        if stream_id == 0 {
            if ty <= T_APPLICATION_ERROR || ty >= T_COUNT {
                return violation(ErrorReply::InvalidMessageType);
            }
            if ty == T_CONNECT_ACK {
                if self.handshake != Handshake::ConnectProcessed {
                    return violation(ErrorReply::ConnectNotCompleted);
                }
                self.handshake = Handshake::ConnectAckProcessed;
            }
            return ClientAction::ProtocolMessage;
        }
        if ty > T_APPLICATION_ERROR {
            return violation(ErrorReply::InvalidStreamId);
        }
        let terminate = flags & FLAG_TERMINATE_STREAM != 0;
        match self.streams.get_mut(&stream_id) {
            Some(state) => {
                if terminate {
                    *state = Stream::Closing;
                }
                ClientAction::Continuation {
                    stream_id,
                    terminate,
                }
            }
            // Upstream ignores any message for an id it has used, terminating or not.
            None if stream_id <= self.latest_stream_id => ClientAction::Ignored,
            None => violation(ErrorReply::InvalidClientStreamId),
        }
    }

    /// Closes `stream_id` after a TERMINATE_STREAM (received and delivered, or
    /// sent and flushed). True exactly once per stream: then fire its
    /// `on_continuation_closed`.
    pub fn end_stream(&mut self, stream_id: u32) -> bool {
        self.streams.remove(&stream_id).is_some()
    }

    /// `aws_event_stream_rpc_client_connection_close`: true the first time;
    /// the glue then schedules the channel shutdown with its error code.
    pub fn close(&mut self) -> bool {
        std::mem::replace(&mut self.open, false)
    }

    /// The channel shut down: the connection is closed and every stream is
    /// closed. Returns their ids, ascending; fire `on_continuation_closed` for
    /// each (before `on_connection_shutdown`, as upstream).
    pub fn on_shutdown(&mut self) -> Vec<u32> {
        self.open = false;
        self.shut_down = true;
        self.channel_up = false;
        let mut ids: Vec<u32> = self.streams.drain().map(|(id, _)| id).collect();
        ids.sort_unstable();
        ids
    }
}

fn violation(reply: ErrorReply) -> ClientAction {
    ClientAction::Violation(reply.outgoing())
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::common::error_codes::AWS_ERROR_SUCCESS;
    use crate::event_stream::rpc::protocol::{
        AfterFlush, FLAG_CONNECTION_ACCEPTED, FLAG_TERMINATE_STREAM as TERM,
    };
    use crate::event_stream::rpc::test_support::{
        args, encode, rpc, split_raw, string_header, vector, ClientHarness, Event,
    };

    const APP: i32 = 0;
    const APP_ERR: i32 = 1;
    const PING: i32 = 2;
    const PING_RESPONSE: i32 = 3;
    const CONNECT: i32 = 4;
    const ACK: i32 = 5;
    const PROTOCOL_ERROR: i32 = 6;
    const PE: i32 = AWS_ERROR_EVENT_STREAM_RPC_PROTOCOL_ERROR;
    const CLOSED: i32 = AWS_ERROR_EVENT_STREAM_RPC_CONNECTION_CLOSED;

    fn connected() -> ClientHarness {
        let mut h = ClientHarness::default();
        let out = h
            .core
            .send_protocol_message(args(CONNECT, 0, b"{}"))
            .unwrap();
        h.run_send(out);
        h.feed(&Message::decode(vector("rpc_connect_ack_accepted.bin")).unwrap());
        assert_eq!(h.core.handshake(), Handshake::ConnectAckProcessed);
        h.events.clear();
        h
    }

    fn send(h: &mut ClientHarness, a: MessageArgs) {
        let out = h.core.send_protocol_message(a).unwrap();
        h.run_send(out);
    }

    #[test]
    fn conversation_vector_byte_for_byte() {
        let raw = split_raw(&vector("stream_01.bin"));
        let payload = |i: usize| Message::decode(raw[i].clone()).unwrap().payload;
        let mut h = ClientHarness::default();
        let connect = MessageArgs {
            headers: vec![string_header(":version", "0.1.0")],
            payload: payload(0),
            ..args(CONNECT, 0, b"")
        };
        send(&mut h, connect);
        h.feed(&Message::decode(raw[1].clone()).unwrap());
        send(
            &mut h,
            MessageArgs {
                payload: payload(2),
                ..args(PING, 0, b"")
            },
        );
        h.feed(&Message::decode(raw[3].clone()).unwrap());
        // The vector's streams are 8 and 9: use up ids 1..=7 first.
        for _ in 1..=7 {
            h.core.activate(b"warm-up", args(APP, 0, b"")).unwrap();
        }
        let request = |model: &'static str, i: usize| MessageArgs {
            headers: vec![
                string_header(":content-type", "application/json"),
                string_header("service-model-type", model),
            ],
            payload: payload(i),
            ..args(APP, 0, b"")
        };
        assert_eq!(
            h.activate(
                b"aws.greengrass#PublishToTopic",
                request("aws.greengrass#PublishToTopicRequest", 4),
            )
            .unwrap(),
            8
        );
        h.feed(&Message::decode(raw[5].clone()).unwrap());
        h.feed(&Message::decode(raw[6].clone()).unwrap());
        h.activate(
            b"aws.greengrass#GetConfiguration",
            request("aws.greengrass#GetConfigurationRequest", 7),
        )
        .unwrap();
        h.feed(&Message::decode(raw[8].clone()).unwrap());
        assert_eq!(
            h.events,
            [
                Event::Written(raw[0].clone()),
                Event::Protocol(ACK),
                Event::Written(raw[2].clone()),
                Event::Protocol(PING_RESPONSE),
                Event::Written(raw[4].clone()),
                Event::Continuation(8, APP),
                Event::Continuation(8, APP),
                Event::ContinuationClosed(8),
                Event::Written(raw[7].clone()),
                Event::Continuation(9, APP_ERR),
                Event::ContinuationClosed(9),
            ]
        );
        assert!(h.send_failures.is_empty());
        assert!(h.core.is_open());
    }

    #[test]
    fn handshake_gates_sends() {
        let mut h = ClientHarness::default();
        // Before CONNECT: nothing else; an application message fails alone,
        // anything else also takes the channel down.
        let out = h.core.send_protocol_message(args(APP, 0, b"")).unwrap();
        assert_eq!(
            h.core.admit(&out),
            Err(Rejected {
                error: PE,
                shutdown_channel: false
            })
        );
        let out = h.core.send_protocol_message(args(PING, 0, b"")).unwrap();
        assert_eq!(
            h.core.admit(&out),
            Err(Rejected {
                error: PE,
                shutdown_channel: true
            })
        );
        let connect = h.core.send_protocol_message(args(CONNECT, 0, b"")).unwrap();
        assert_eq!(h.core.admit(&connect), Ok(()));
        // While the CONNECT_ACK is awaited nothing goes out, CONNECT included.
        for ty in [APP, PING, CONNECT, ACK, PROTOCOL_ERROR] {
            let out = h.core.send_protocol_message(args(ty, 0, b"")).unwrap();
            assert_eq!(h.core.admit(&out).unwrap_err().error, PE, "type {ty}");
        }
        h.feed(&rpc(ACK, FLAG_CONNECTION_ACCEPTED, 0, None));
        for ty in [APP, APP_ERR, PING, PING_RESPONSE, PROTOCOL_ERROR, 7, 8, -1] {
            let out = h.core.send_protocol_message(args(ty, 0, b"")).unwrap();
            assert_eq!(h.core.admit(&out), Ok(()), "type {ty}");
        }
        for ty in [CONNECT, ACK] {
            let out = h.core.send_protocol_message(args(ty, 0, b"")).unwrap();
            assert_eq!(
                h.core.admit(&out),
                Err(Rejected {
                    error: PE,
                    shutdown_channel: true
                })
            );
        }
    }

    #[test]
    fn sends_need_an_open_connection_with_a_channel() {
        let mut core = ClientConnection::new();
        let connect = core.send_protocol_message(args(CONNECT, 0, b"")).unwrap();
        // No channel yet: nothing to shut down either.
        assert_eq!(
            core.admit(&connect),
            Err(Rejected {
                error: CLOSED,
                shutdown_channel: false
            })
        );
        let mut h = connected();
        assert!(h.core.close());
        let out = h.core.send_protocol_message(args(PING, 0, b"")).unwrap();
        assert_eq!(
            h.core.admit(&out),
            Err(Rejected {
                error: CLOSED,
                shutdown_channel: true
            })
        );
        assert_eq!(h.core.activate(b"op", args(APP, 0, b"")), Err(CLOSED));
    }

    #[test]
    fn activation_rules() {
        let mut h = ClientHarness::default();
        assert_eq!(
            h.core.activate(b"op", args(APP, 0, b"")),
            Err(CLOSED),
            "before CONNECT_ACK"
        );
        let mut h = connected();
        let ids: Vec<u32> = (0..3)
            .map(|_| h.core.activate(b"op", args(APP, 0, b"")).unwrap().stream_id)
            .collect();
        assert_eq!(ids, [1, 2, 3]);
        // A message that cannot be built takes no id.
        let huge = MessageArgs {
            payload: bytes::Bytes::from(vec![
                0;
                crate::event_stream::wire::limits::MAX_MESSAGE_SIZE
            ]),
            ..args(APP, 0, b"")
        };
        assert!(h.core.activate(b"op", huge).is_err());
        let out = h.core.activate(b"op", args(APP, 0, b"")).unwrap();
        assert_eq!(out.stream_id, 4);
        let md = crate::event_stream::rpc::parse_metadata(&out.message).unwrap();
        assert_eq!((md.stream_id, md.operation), (4, &b"op"[..]));
        assert_eq!(h.core.open_streams(), 4);
    }

    #[test]
    fn streams_close_from_either_side_once() {
        let mut h = connected();
        h.activate(b"op", args(APP, 0, b"")).unwrap();
        // Sent TERMINATE_STREAM: still open until flushed.
        let term = h.core.send_on_stream(1, args(APP, TERM, b"")).unwrap();
        assert_eq!(
            term.after_flush,
            AfterFlush {
                end_stream: Some(1),
                close_with: None
            }
        );
        assert!(!h.core.is_stream_closed(1));
        // The server's TERMINATE_STREAM: closed during the callback already.
        assert_eq!(
            h.core.on_message(&rpc(APP, TERM, 1, None)),
            ClientAction::Continuation {
                stream_id: 1,
                terminate: true
            }
        );
        assert!(h.core.is_stream_closed(1));
        assert_eq!(
            h.core.send_on_stream(1, args(APP, 0, b"")),
            Err(AWS_ERROR_EVENT_STREAM_RPC_STREAM_CLOSED)
        );
        assert!(h.core.end_stream(1));
        // Our queued TERMINATE_STREAM now fails when its task runs.
        assert_eq!(
            h.core.admit(&term),
            Err(Rejected {
                error: AWS_ERROR_EVENT_STREAM_RPC_STREAM_CLOSED,
                shutdown_channel: false
            })
        );
        assert!(!h.core.end_stream(1));
        // Ours first this time.
        h.activate(b"op", args(APP, 0, b"")).unwrap();
        let term = h.core.send_on_stream(2, args(APP, TERM, b"")).unwrap();
        h.run_send(term);
        assert_eq!(h.closed, [2]);
        assert_eq!(
            h.core.on_message(&rpc(APP, TERM, 2, None)),
            ClientAction::Ignored
        );
    }

    #[test]
    fn server_violations_detected_by_the_client() {
        let reply = |r: ErrorReply| encode(&r.outgoing().message);
        // Stream ids the client never used.
        let mut h = connected();
        h.feed(&rpc(APP, 0, 1, None));
        assert_eq!(h.written(), [reply(ErrorReply::InvalidClientStreamId)]);
        assert_eq!(h.closed_with(), Some(PE));
        // A used id is ignored, terminating or not.
        let mut h = connected();
        h.activate(b"op", args(APP, 0, b"")).unwrap();
        h.feed(&rpc(APP, TERM, 1, None));
        h.feed(&rpc(APP, 0, 1, None));
        assert_eq!(h.events.last(), Some(&Event::Ignored));
        assert!(h.core.is_open());
        // Wrong types for stream 0 / a stream, missing fields.
        for (m, r) in [
            (rpc(APP, 0, 0, None), ErrorReply::InvalidMessageType),
            (rpc(8, 0, 0, None), ErrorReply::InvalidMessageType),
            (rpc(PING, 0, 3, None), ErrorReply::InvalidStreamId),
            (Message::default(), ErrorReply::InvalidMessage),
            (
                rpc(ACK, FLAG_CONNECTION_ACCEPTED, 0, None),
                ErrorReply::ConnectNotCompleted,
            ),
        ] {
            let mut h = connected();
            h.feed(&m);
            assert_eq!(h.written(), [reply(r)], "{r:?}");
            assert_eq!(h.closed_with(), Some(PE));
        }
    }

    #[test]
    fn messages_before_the_connect_ack() {
        // The reply cannot go out before the handshake: the send fails, the
        // channel goes down with PROTOCOL_ERROR, as upstream.
        let mut h = ClientHarness::default();
        send(&mut h, args(CONNECT, 0, b""));
        h.feed(&Message::decode(vector("rpc_ping.bin")).unwrap());
        assert_eq!(h.written().len(), 1, "only the CONNECT");
        assert_eq!(h.send_failures, [PE]);
        assert_eq!(h.closed_with(), Some(PE));
        assert!(!h.core.is_open());
        // A CONNECT_ACK before the CONNECT was written.
        let mut h = ClientHarness::default();
        h.feed(&rpc(ACK, FLAG_CONNECTION_ACCEPTED, 0, None));
        assert_eq!(h.closed_with(), Some(PE));
        // A CONNECT_ACK on a stream.
        let mut h = ClientHarness::default();
        send(&mut h, args(CONNECT, 0, b""));
        h.feed(&rpc(ACK, FLAG_CONNECTION_ACCEPTED, 1, None));
        assert_eq!(h.closed_with(), Some(PE));
    }

    #[test]
    fn server_protocol_error_before_connect_ack_is_not_delivered() {
        // Upstream routes it as a handshake violation: the application never
        // sees it, the connection goes down with PROTOCOL_ERROR.
        let mut h = ClientHarness::default();
        send(&mut h, args(CONNECT, 0, b""));
        h.feed(&Message::decode(vector("rpc_protocol_error.bin")).unwrap());
        assert!(!h.events.iter().any(|e| matches!(e, Event::Protocol(_))));
        assert_eq!(h.closed_with(), Some(PE));
        // After the handshake it is an ordinary protocol message.
        let mut h = connected();
        h.feed(&Message::decode(vector("rpc_protocol_error.bin")).unwrap());
        assert_eq!(h.events, [Event::Protocol(PROTOCOL_ERROR)]);
        assert!(h.core.is_open());
    }

    #[test]
    fn oversized_operation_fails_activation() {
        let mut h = connected();
        let op = vec![b'o'; crate::event_stream::wire::limits::HEADER_VALUE_LEN_MAX + 1];
        assert_eq!(
            h.core.activate(&op, args(APP, 0, b"")),
            Err(crate::common::error_codes::AWS_ERROR_EVENT_STREAM_MESSAGE_INVALID_HEADERS_LEN)
        );
        assert_eq!(h.activate(b"op", args(APP, 0, b"")), Ok(1));
    }

    #[test]
    fn rejected_connect_ack_reaches_the_application() {
        let mut h = ClientHarness::default();
        send(&mut h, args(CONNECT, 0, b""));
        h.feed(&rpc(ACK, 0, 0, None));
        assert_eq!(h.events.last(), Some(&Event::Protocol(ACK)));
        assert!(h.core.is_open());
        h.close(AWS_ERROR_SUCCESS);
        assert_eq!(h.closed_with(), Some(AWS_ERROR_SUCCESS));
    }

    #[test]
    fn shutdown_closes_every_stream() {
        let mut h = connected();
        for _ in 0..3 {
            h.activate(b"op", args(APP, 0, b"")).unwrap();
        }
        h.close(AWS_ERROR_SUCCESS);
        assert_eq!(h.closed, [1, 2, 3]);
        assert!((1..=3).all(|id| h.core.is_stream_closed(id)));
        assert!(!h.core.close());
    }
}
