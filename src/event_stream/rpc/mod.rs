//! Sans-IO event-stream RPC connections: upstream's
//! `aws_event_stream_rpc_server_connection` and
//! `aws_event_stream_rpc_client_connection` as plain state machines.
//!
//! # Model
//!
//! A core ([`ServerConnection`], [`ClientConnection`]) owns no socket,
//! thread, clock or C pointer. It holds what upstream keeps per connection:
//! the open flag, the CONNECT / CONNECT_ACK handshake state, the last stream
//! id and the set of open continuations, keyed by stream id. The C glue (the
//! `aws_event_stream_rpc_*` API) keeps its own map from stream id to
//! continuation token and calls the core on the connection's event-loop thread:
//!
//! * each message its event-stream channel handler decodes goes to
//!   `on_message`, which returns one action (`ServerAction` / `ClientAction`)
//!   saying which upstream callback to fire, or which error reply to send;
//! * each API send goes through the core first, which checks upstream's rules
//!   and returns an [`Outgoing`]: the [`wire::Message`](crate::event_stream::wire::Message)
//!   to write (reserved headers added in upstream's order) and the
//!   [`AfterFlush`] steps to take when the channel reports it written
//!   (close the stream after a TERMINATE_STREAM, close the connection after
//!   an error reply or a rejected CONNECT_ACK);
//! * `end_stream(id)` returns true exactly once per stream, so
//!   `on_continuation_closed` fires exactly once whichever side ends it;
//! * `close()` returns true the first time (the glue then shuts the channel
//!   down) and `on_shutdown()` hands back the ids of the streams still open.
//!
//! A decode error never reaches a core: upstream's channel handler reports
//! it to the RPC connection, which ignores it, and shuts the channel down with
//! the decoder's error. PING and PING_RESPONSE are protocol messages for the
//! application to answer; the cores do not reply to them.
//!
//! Differences from upstream, on purpose: after `on_shutdown` a server
//! continuation reports closed and its sends fail with
//! `AWS_ERROR_EVENT_STREAM_RPC_STREAM_CLOSED` (upstream's keeps reporting open
//! and the write fails later), and messages still delivered are dropped
//! (upstream routes them on a connection closed over an existing channel,
//! creating continuations after it closed the others).
//!
//! [`protocol`] holds the shared vocabulary and the wire strings.

pub mod capi;
pub mod client_capi;
pub mod glue;
pub mod server_capi;
// The cores are Rust-only: keep them out of the generated C header.
/// cbindgen:ignore
pub mod client;
#[cfg(test)]
mod prop_tests;
/// cbindgen:ignore
pub mod protocol;
/// cbindgen:ignore
pub mod server;
#[cfg(test)]
mod test_support;

pub use client::{ClientAction, ClientConnection, Rejected};
pub use protocol::{
    build_message, parse_metadata, AfterFlush, ErrorReply, Handshake, MessageArgs, MessageType,
    Metadata, Outgoing, FLAG_CONNECTION_ACCEPTED, FLAG_TERMINATE_STREAM,
};
pub use server::{ServerAction, ServerConnection};
