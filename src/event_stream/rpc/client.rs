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
    /// Drop the message: a stream id this client used and already closed.
    Ignored,
    /// The server broke the protocol: send the reply like any
    /// `send_protocol_message` (through [`ClientConnection::admit`]; its
    /// `after_flush` closes the connection with
    /// `AWS_ERROR_EVENT_STREAM_RPC_PROTOCOL_ERROR`, written or not).
    Violation(Outgoing),
}

/// Why a send may not go out ([`ClientConnection::admit`]). The glue fires the
/// message's flush callback with `error` (then follows its `after_flush`
/// close) and, if `shutdown_channel`, shuts the channel down with `error`:
/// upstream treats a failed non-application send as connection-fatal.
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

    /// `aws_event_stream_rpc_client_connection_is_open`.
    pub fn is_open(&self) -> bool {
        self.open
    }

    pub fn handshake(&self) -> Handshake {
        self.handshake
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
        self.channel_up = false;
        let mut ids: Vec<u32> = self.streams.drain().map(|(id, _)| id).collect();
        ids.sort_unstable();
        ids
    }
}

fn violation(reply: ErrorReply) -> ClientAction {
    ClientAction::Violation(reply.outgoing())
}
