//! Bodies of the RPC fuzz targets (`fuzz/fuzz_targets/rpc_{server,client}_bytes.rs`
//! and the stable smoke test `tests/rpc_fuzz_smoke.rs`): raw bytes go through
//! the path a socket's bytes take in the glue — the [`Framer`], a decode of
//! each framed message, the core — and a small simulated application does what
//! the glue does with each action (answers CONNECT, accepts or rejects
//! streams, writes replies and runs their after-flush steps).
//!
//! Input: `data[0]` is a flags byte (bits 0-2: `n - 1` chunk-size bytes follow,
//! as `streaming_decoder_chunked`; bit 3: server limits and auto-PING on;
//! bit 4: the application rejects every third stream; bit 5: drain after the
//! first stream), then the chunk sizes, then the bytes from the peer.
//!
//! Checked on every input: no panic; the same outcome however the bytes are
//! chunked; every reply encodes and carries its RPC metadata; a stream closes
//! exactly once and only if open; the core's open-stream count matches the
//! application's and never exceeds the limit; shutdown hands back exactly the
//! streams still open; a violation's reply closes the connection.
use bytes::Bytes;

use super::client::{ClientAction, ClientConnection};
use super::limits::{Expiry, Limits};
use super::protocol::{
    parse_metadata, MessageArgs, Outgoing, FLAG_CONNECTION_ACCEPTED, FLAG_TERMINATE_STREAM,
};
use super::server::{ServerAction, ServerConnection};
use crate::common::error_codes::AWS_ERROR_EVENT_STREAM_RPC_PROTOCOL_ERROR;
use crate::event_stream::framer::Framer;
use crate::event_stream::fuzz_targets::split_chunks;
use crate::event_stream::wire::Message;

const LIMITS: u8 = 1 << 3;
const REJECT: u8 = 1 << 4;
const DRAIN: u8 = 1 << 5;

/// Splits an input into (flags, chunk sizes, body).
fn layout(data: &[u8]) -> (u8, &[u8], &[u8]) {
    let Some(&flags) = data.first() else {
        return (0, &[], &[]);
    };
    let end = 1 + (flags as usize % 8 + 1).min(data.len() - 1);
    (flags, &data[1..end], &data[end..])
}

/// Frames `chunks` and hands each whole message's bytes to `on_message`;
/// the framing error, if any, ends the run (the channel shuts down).
fn frame(chunks: &[&[u8]], mut on_message: impl FnMut(Result<Message, ()>)) -> Option<String> {
    let mut framer = Framer::new();
    for chunk in chunks {
        let r = framer.feed(chunk, |view, len| {
            // The glue decodes the frame's bytes (headers that do not parse
            // get INTERNAL_ERROR); rebuild them from the view and do the same.
            let mut bytes = Vec::with_capacity(len);
            bytes.extend_from_slice(&view.prelude.to_bytes());
            bytes.extend_from_slice(view.headers_block);
            bytes.extend_from_slice(view.payload);
            bytes.extend_from_slice(&view.message_crc.to_be_bytes());
            assert_eq!(bytes.len(), len, "a framed message is whole");
            on_message(Message::decode(Bytes::from(bytes)).map_err(|_| ()));
            true
        });
        if let Err(e) = r {
            return Some(format!("framing error {e:?}"));
        }
    }
    None
}

/// A reply must encode and carry the three RPC fields.
fn check_out(out: &Outgoing) -> String {
    let bytes = out.message.to_bytes().expect("replies encode");
    let again = Message::decode(bytes.clone()).expect("replies decode");
    let meta = parse_metadata(&again).expect("replies carry RPC metadata");
    assert_eq!(meta.stream_id as u32, out.stream_id);
    format!(
        "write type={} stream={} len={}",
        meta.message_type,
        out.stream_id,
        bytes.len()
    )
}

struct ServerSim {
    core: ServerConnection,
    flags: u8,
    open: std::collections::BTreeSet<u32>,
    log: Vec<String>,
    now: u64,
    drained: bool,
}

impl ServerSim {
    fn flush(&mut self, out: Option<Outgoing>) {
        let Some(out) = out else { return };
        self.log.push(check_out(&out));
        if let Some(id) = out.after_flush.end_stream {
            if self.core.end_stream(id) {
                assert!(self.open.remove(&id), "closed a stream not open");
            }
        }
        if let Some(code) = out.after_flush.close_with {
            if self.core.close() {
                self.log.push(format!("close {code}"));
            }
        }
    }

    fn on_message(&mut self, m: Result<Message, ()>) {
        self.now += 1;
        let Ok(m) = m else {
            self.log.push("undecodable: INTERNAL_ERROR".into());
            return;
        };
        self.core.note_activity(self.now);
        let action = self.core.on_message(&m);
        self.log
            .push(format!("{action:?}").chars().take(200).collect());
        match action {
            ServerAction::ProtocolMessage => {
                let ty = parse_metadata(&m).expect("routed").message_type;
                if ty == 4 {
                    let ack = MessageArgs {
                        message_type: 5,
                        flags: FLAG_CONNECTION_ACCEPTED,
                        ..Default::default()
                    };
                    let out = self.core.send_protocol_message(ack).ok();
                    self.flush(out);
                }
            }
            ServerAction::IncomingStream {
                stream_id,
                terminate,
                ..
            } => {
                if self.flags & REJECT != 0 && stream_id % 3 == 0 {
                    let reply = self.core.reject_stream(stream_id);
                    self.flush(reply);
                } else {
                    assert!(self.open.insert(stream_id), "stream announced twice");
                    self.continuation(stream_id, terminate);
                    if self.flags & DRAIN != 0 && !self.drained {
                        self.drained = true;
                        let _ = self.core.start_drain(self.now + 5);
                    }
                }
            }
            ServerAction::Continuation {
                stream_id,
                terminate,
            } => {
                assert!(
                    self.open.contains(&stream_id),
                    "message for a stream not open"
                );
                self.continuation(stream_id, terminate);
            }
            ServerAction::Ignored => {}
            ServerAction::Violation(reply) => {
                if let Some(r) = &reply {
                    assert_eq!(
                        r.after_flush.close_with,
                        Some(AWS_ERROR_EVENT_STREAM_RPC_PROTOCOL_ERROR)
                    );
                }
                self.flush(reply);
                assert!(!self.core.is_open(), "a violation closes the connection");
            }
            ServerAction::RefuseStream {
                stream_id, reply, ..
            } => {
                assert!(!self.open.contains(&stream_id));
                assert!(
                    self.flags & (LIMITS | DRAIN) != 0,
                    "refusal without a limit"
                );
                self.flush(Some(reply));
            }
            ServerAction::AutoPingResponse(reply) => {
                assert!(self.flags & LIMITS != 0, "auto PING without the option");
                self.flush(Some(reply));
            }
        }
        assert_eq!(self.core.open_streams(), self.open.len());
        if let Some(max) = self.core.limits().max_streams {
            assert!(self.core.open_streams() <= max);
        }
        if self.core.drained() && self.core.close() {
            self.log.push("drained".into());
        }
        if let Some(e) = self.core.on_timer(self.now) {
            assert!(self.core.next_deadline().is_some_and(|d| d <= self.now));
            self.log.push(format!("timer {e:?}"));
            if e == Expiry::Drain {
                assert!(self.drained);
            }
            self.core.close();
        }
    }

    /// The application answers each stream's message, ending every other one.
    fn continuation(&mut self, stream_id: u32, terminate: bool) {
        if terminate && self.core.end_stream(stream_id) {
            assert!(self.open.remove(&stream_id));
        }
        if !self.core.is_stream_closed(stream_id) {
            let flags = if stream_id % 2 == 0 {
                FLAG_TERMINATE_STREAM
            } else {
                0
            };
            let args = MessageArgs {
                payload: Bytes::from_static(b"{}"),
                flags,
                ..Default::default()
            };
            let out = self.core.send_on_stream(stream_id, args).ok();
            self.flush(out);
        }
    }
}

fn run_server(flags: u8, chunks: &[&[u8]]) -> Vec<String> {
    let limits = if flags & LIMITS != 0 {
        Limits {
            handshake_timeout: Some(8),
            idle_timeout: Some(64),
            max_streams: Some(2),
            max_message_size: None,
            max_queued_write_bytes: None,
            auto_ping: true,
        }
    } else {
        Limits::default()
    };
    let mut sim = ServerSim {
        core: ServerConnection::with_limits(limits, 0),
        flags,
        open: Default::default(),
        log: vec![],
        now: 0,
        drained: false,
    };
    if let Some(e) = frame(chunks, |m| sim.on_message(m)) {
        sim.log.push(e);
    }
    let ids = sim.core.on_shutdown();
    let open: Vec<u32> = std::mem::take(&mut sim.open).into_iter().collect();
    assert_eq!(ids, open, "shutdown closes exactly the open streams");
    assert_eq!(sim.core.open_streams(), 0);
    sim.log
}

/// The server core fed raw bytes from a client.
pub fn rpc_server_bytes(data: &[u8]) {
    let (flags, sizes, body) = layout(data);
    let chunked = run_server(flags, &split_chunks(body, sizes));
    let whole = run_server(flags, &[body]);
    assert_eq!(chunked, whole, "chunking changed the outcome");
}

struct ClientSim {
    core: ClientConnection,
    open: std::collections::BTreeSet<u32>,
    log: Vec<String>,
}

impl ClientSim {
    fn send(&mut self, out: Result<Outgoing, i32>) {
        let Ok(out) = out else { return };
        match self.core.admit(&out) {
            Ok(()) => {
                self.log.push(check_out(&out));
                if let Some(id) = out.after_flush.end_stream {
                    if self.core.end_stream(id) {
                        assert!(self.open.remove(&id));
                    }
                }
                if out.after_flush.close_with.is_some() {
                    self.core.close();
                }
            }
            Err(r) => {
                self.log.push(format!("rejected {r:?}"));
                if r.shutdown_channel {
                    self.core.close();
                }
            }
        }
    }

    fn activate(&mut self) {
        let args = MessageArgs {
            payload: Bytes::from_static(b"{}"),
            ..Default::default()
        };
        if let Ok(out) = self.core.activate(b"op", args) {
            let id = out.stream_id;
            if self.core.admit(&out).is_ok() {
                assert!(self.open.insert(id), "stream id reused");
                self.log.push(check_out(&out));
            }
        }
    }

    fn on_message(&mut self, m: Result<Message, ()>) {
        let Ok(m) = m else {
            self.log.push("undecodable".into());
            return;
        };
        let action = self.core.on_message(&m);
        self.log
            .push(format!("{action:?}").chars().take(200).collect());
        match action {
            ClientAction::ProtocolMessage => {
                // After the CONNECT_ACK, open a stream for each protocol message.
                self.activate();
            }
            ClientAction::Continuation {
                stream_id,
                terminate,
            } => {
                assert!(
                    self.open.contains(&stream_id),
                    "message for a stream not open"
                );
                if terminate && self.core.end_stream(stream_id) {
                    assert!(self.open.remove(&stream_id));
                }
            }
            ClientAction::Ignored => {}
            ClientAction::Violation(out) => {
                assert_eq!(
                    out.after_flush.close_with,
                    Some(AWS_ERROR_EVENT_STREAM_RPC_PROTOCOL_ERROR)
                );
                self.send(Ok(out));
                self.core.close();
            }
        }
        assert_eq!(self.core.open_streams(), self.open.len());
    }
}

fn run_client(chunks: &[&[u8]]) -> Vec<String> {
    let mut sim = ClientSim {
        core: ClientConnection::new(),
        open: Default::default(),
        log: vec![],
    };
    sim.core.on_channel_setup();
    let connect = MessageArgs {
        message_type: 4,
        ..Default::default()
    };
    let out = sim.core.send_protocol_message(connect);
    sim.send(out);
    if let Some(e) = frame(chunks, |m| sim.on_message(m)) {
        sim.log.push(e);
    }
    let ids = sim.core.on_shutdown();
    let open: Vec<u32> = std::mem::take(&mut sim.open).into_iter().collect();
    assert_eq!(ids, open, "shutdown closes exactly the open streams");
    sim.log
}

/// The client core fed raw bytes from a server.
pub fn rpc_client_bytes(data: &[u8]) {
    let (_, sizes, body) = layout(data);
    let chunked = run_client(&split_chunks(body, sizes));
    let whole = run_client(&[body]);
    assert_eq!(chunked, whole, "chunking changed the outcome");
}
