//! The server side of an RPC connection (upstream's
//! `aws_event_stream_rpc_server_connection`), without IO: the glue feeds it
//! each decoded message and each API call, and does what the returned value says.

use crate::common::error_codes::{
    AWS_ERROR_EVENT_STREAM_RPC_CONNECTION_CLOSED, AWS_ERROR_EVENT_STREAM_RPC_PROTOCOL_ERROR,
    AWS_ERROR_EVENT_STREAM_RPC_STREAM_CLOSED,
};
use crate::event_stream::wire::Message;

use super::protocol::{
    parse_metadata, ErrorReply, Handshake, MessageArgs, Outgoing, StreamMap, FLAG_TERMINATE_STREAM,
    T_APPLICATION_ERROR, T_CONNECT, T_CONNECT_ACK, T_COUNT,
};

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
    /// an id still mapped can come again: close the old token first, as
    /// upstream's table replacement does.)
    IncomingStream {
        stream_id: u32,
        operation: &'m [u8],
        terminate: bool,
    },
    /// Fire `on_continuation` of `stream_id` with the message; then, if
    /// `terminate`, call [`ServerConnection::end_stream`] and fire
    /// `on_continuation_closed` if it returns true.
    Continuation { stream_id: u32, terminate: bool },
    /// Drop the message (a TERMINATE_STREAM for a stream already gone:
    /// simultaneous close).
    Ignored,
    /// The peer broke the protocol: write the reply if there is one (none once
    /// the connection is closed) and, once flushed, follow its `after_flush`
    /// (it closes the connection with `AWS_ERROR_EVENT_STREAM_RPC_PROTOCOL_ERROR`).
    Violation(Option<Outgoing>),
}

/// Upstream's server connection state: handshake, open flag, stream ids and
/// the open continuations (by stream id; the glue maps ids to its tokens).
#[derive(Debug)]
pub struct ServerConnection {
    open: bool,
    handshake: Handshake,
    latest_stream_id: u32,
    /// Streams in upstream's continuation table.
    streams: StreamMap<()>,
}

impl Default for ServerConnection {
    fn default() -> Self {
        Self::new()
    }
}

impl ServerConnection {
    pub fn new() -> ServerConnection {
        ServerConnection {
            open: true,
            handshake: Handshake::Initialized,
            latest_stream_id: 0,
            streams: StreamMap::default(),
        }
    }

    /// `aws_event_stream_rpc_server_connection_is_open`.
    pub fn is_open(&self) -> bool {
        self.open
    }

    pub fn handshake(&self) -> Handshake {
        self.handshake
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
            return ServerAction::ProtocolMessage;
        }
        if ty > T_APPLICATION_ERROR || stream_id > i32::MAX as u32 {
            return self.violation(ErrorReply::InvalidStreamId);
        }
        let terminate = flags & FLAG_TERMINATE_STREAM != 0;
        if stream_id <= self.latest_stream_id {
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
    /// ids, ascending; fire `on_continuation_closed` for each.
    pub fn on_shutdown(&mut self) -> Vec<u32> {
        self.open = false;
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
