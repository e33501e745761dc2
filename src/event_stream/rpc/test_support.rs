//! Test harnesses for the RPC cores: a server and a client "glue" that feed
//! decoded bytes to a core and do what its actions say, the way the C glue
//! will (writes flush at once), recording every callback it would fire.

use std::collections::BTreeSet;
use std::path::PathBuf;

use bytes::Bytes;

use crate::event_stream::decoder::{MessageCollector, StreamingDecoder};
use crate::event_stream::wire::{Header, HeaderValue, Message};

use super::client::{ClientAction, ClientConnection};
use super::protocol::{build_message, parse_metadata, MessageArgs, Outgoing};
use super::server::{ServerAction, ServerConnection};

/// `shared/<sub>`: `AWS_ES_VECTORS_DIR` / `AWS_ES_ABI_DIR`, else
/// `AWS_ES_SHARED_DIR/<sub>`, else beside the checkout (as tests/common does).
pub fn shared_dir(sub: &str) -> PathBuf {
    let specific = if sub == "vectors" {
        "AWS_ES_VECTORS_DIR"
    } else {
        "AWS_ES_ABI_DIR"
    };
    if let Ok(d) = std::env::var(specific) {
        return PathBuf::from(d);
    }
    if let Ok(d) = std::env::var("AWS_ES_SHARED_DIR") {
        return PathBuf::from(d).join(sub);
    }
    PathBuf::from(concat!(env!("CARGO_MANIFEST_DIR"), "/../shared")).join(sub)
}

pub fn vector(name: &str) -> Bytes {
    let path = shared_dir("vectors").join(name);
    Bytes::from(std::fs::read(&path).unwrap_or_else(|e| panic!("{}: {e}", path.display())))
}

/// The raw bytes of each message in a stream vector.
pub fn split_raw(bytes: &Bytes) -> Vec<Bytes> {
    let mut out = Vec::new();
    let mut at = 0;
    while at < bytes.len() {
        let len = u32::from_be_bytes(bytes[at..at + 4].try_into().unwrap()) as usize;
        out.push(bytes.slice(at..at + len));
        at += len;
    }
    out
}

/// `constants.tsv` value of `name` (group `wire-strings`).
pub fn wire_string(name: &str) -> String {
    let path = shared_dir("abi").join("constants.tsv");
    let text = std::fs::read_to_string(&path).unwrap_or_else(|e| panic!("{}: {e}", path.display()));
    text.lines()
        .map(|l| l.split('\t').collect::<Vec<_>>())
        .find(|f| f.len() == 3 && f[0] == name && f[2] == "wire-strings")
        .unwrap_or_else(|| panic!("{name} not in constants.tsv"))[1]
        .to_string()
}

pub fn encode(m: &Message) -> Bytes {
    m.to_bytes().expect("encodable")
}

pub fn string_header(name: &'static str, value: &'static str) -> Header {
    Header::new(
        name.as_bytes(),
        HeaderValue::String(Bytes::from_static(value.as_bytes())),
    )
}

pub fn args(message_type: i32, flags: u32, payload: &'static [u8]) -> MessageArgs {
    MessageArgs {
        headers: vec![],
        payload: Bytes::from_static(payload),
        message_type,
        flags,
    }
}

/// A message as a peer would send it.
pub fn rpc(message_type: i32, flags: u32, stream_id: i32, operation: Option<&str>) -> Message {
    build_message(
        vec![],
        Bytes::from_static(b"{}"),
        message_type,
        flags,
        stream_id,
        operation.map(str::as_bytes),
    )
    .unwrap()
}

/// A callback the glue fires, or something it does to the connection.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum Event {
    Protocol(i32),
    IncomingStream(u32, Vec<u8>),
    Continuation(u32, i32),
    ContinuationClosed(u32),
    Ignored,
    /// Bytes written to the channel.
    Written(Bytes),
    /// The connection closed (channel shut down) with this error code.
    ConnectionClosed(i32),
}

fn message_type(m: &Message) -> i32 {
    parse_metadata(m).map(|md| md.message_type).unwrap_or(-1)
}

/// A server connection glued to a byte pipe.
pub struct ServerHarness {
    pub core: ServerConnection,
    pub events: Vec<Event>,
    pub accept_streams: bool,
    decoder: StreamingDecoder,
    collector: MessageCollector,
    /// Streams whose continuation is live (the glue's id -> token map).
    pub open: BTreeSet<u32>,
    /// Streams whose closed callback fired, in order.
    pub closed: Vec<u32>,
    /// When set, writes wait in `pending` until [`Self::flush_one`].
    pub defer_flush: bool,
    pub pending: std::collections::VecDeque<Outgoing>,
    /// Protocol violations the core reported.
    pub violations: usize,
}

impl Default for ServerHarness {
    fn default() -> Self {
        ServerHarness {
            core: ServerConnection::new(),
            events: vec![],
            accept_streams: true,
            decoder: StreamingDecoder::new(),
            collector: MessageCollector::new(),
            open: BTreeSet::new(),
            closed: vec![],
            defer_flush: false,
            pending: Default::default(),
            violations: 0,
        }
    }
}

impl ServerHarness {
    /// Feeds raw bytes as the channel handler would; decode errors shut down.
    pub fn feed_bytes(&mut self, data: &[u8]) {
        if let Err(e) = self.decoder.pump(data, &mut self.collector) {
            self.shutdown(e.aws_error_code());
            return;
        }
        for m in std::mem::take(&mut self.collector.messages) {
            self.feed(&m);
        }
    }

    pub fn feed(&mut self, m: &Message) {
        let ty = message_type(m);
        match self.core.on_message(m) {
            ServerAction::ProtocolMessage => self.events.push(Event::Protocol(ty)),
            ServerAction::IncomingStream {
                stream_id,
                operation,
                terminate,
            } => {
                if self.open.contains(&stream_id) {
                    // Re-announced after override_last_stream_id: the old token goes first.
                    self.stream_closed(stream_id);
                }
                self.events
                    .push(Event::IncomingStream(stream_id, operation.to_vec()));
                if !self.accept_streams {
                    let reply = self.core.reject_stream(stream_id);
                    self.write(reply);
                    return;
                }
                self.open.insert(stream_id);
                self.continuation(stream_id, ty, terminate);
            }
            ServerAction::Continuation {
                stream_id,
                terminate,
            } => self.continuation(stream_id, ty, terminate),
            ServerAction::Ignored => self.events.push(Event::Ignored),
            ServerAction::RefuseStream { reply, .. } | ServerAction::AutoPingResponse(reply) => {
                self.write(Some(reply))
            }
            ServerAction::Violation(reply) => {
                self.violations += 1;
                if let Some(r) = &reply {
                    assert_eq!(
                        r.after_flush.close_with,
                        Some(crate::common::error_codes::AWS_ERROR_EVENT_STREAM_RPC_PROTOCOL_ERROR)
                    );
                }
                self.write(reply)
            }
        }
    }

    fn continuation(&mut self, stream_id: u32, ty: i32, terminate: bool) {
        self.events.push(Event::Continuation(stream_id, ty));
        if terminate && self.core.end_stream(stream_id) {
            self.stream_closed(stream_id);
        }
    }

    fn stream_closed(&mut self, stream_id: u32) {
        assert!(
            self.open.remove(&stream_id),
            "stream {stream_id} closed twice"
        );
        self.closed.push(stream_id);
        self.events.push(Event::ContinuationClosed(stream_id));
    }

    /// Writes what the core produced; flushes at once unless `defer_flush`.
    pub fn write(&mut self, out: Option<Outgoing>) {
        let Some(out) = out else { return };
        self.events.push(Event::Written(encode(&out.message)));
        if self.defer_flush {
            self.pending.push_back(out);
        } else {
            self.flushed(out);
        }
    }

    /// The channel reports the oldest pending write done.
    pub fn flush_one(&mut self) {
        if let Some(out) = self.pending.pop_front() {
            self.flushed(out);
        }
    }

    fn flushed(&mut self, out: Outgoing) {
        if let Some(id) = out.after_flush.end_stream {
            if self.core.end_stream(id) {
                self.stream_closed(id);
            }
        }
        if let Some(code) = out.after_flush.close_with {
            self.close(code);
        }
    }

    pub fn send_protocol(&mut self, a: MessageArgs) -> Result<(), i32> {
        let out = self.core.send_protocol_message(a)?;
        self.write(Some(out));
        Ok(())
    }

    pub fn send_on_stream(&mut self, id: u32, a: MessageArgs) -> Result<(), i32> {
        let out = self.core.send_on_stream(id, a)?;
        self.write(Some(out));
        Ok(())
    }

    pub fn close(&mut self, code: i32) {
        if self.core.close() {
            self.shutdown(code);
        }
    }

    /// The channel shuts down (once: later requests find it gone).
    fn shutdown(&mut self, code: i32) {
        if self.closed_with().is_some() {
            return;
        }
        self.events.push(Event::ConnectionClosed(code));
        for id in self.core.on_shutdown() {
            self.stream_closed(id);
        }
    }

    /// Bytes written so far, one entry per message.
    pub fn written(&self) -> Vec<Bytes> {
        self.events
            .iter()
            .filter_map(|e| match e {
                Event::Written(b) => Some(b.clone()),
                _ => None,
            })
            .collect()
    }

    pub fn closed_with(&self) -> Option<i32> {
        self.events.iter().find_map(|e| match e {
            Event::ConnectionClosed(c) => Some(*c),
            _ => None,
        })
    }

    pub fn take_events(&mut self) -> Vec<Event> {
        std::mem::take(&mut self.events)
    }
}

/// A client connection glued to a byte pipe; sends are admitted at once
/// (the glue's event-loop task).
pub struct ClientHarness {
    pub core: ClientConnection,
    pub events: Vec<Event>,
    /// Flush callbacks fired with a failure: (error).
    pub send_failures: Vec<i32>,
    /// Activated streams whose closed callback has not fired.
    pub open: BTreeSet<u32>,
    pub closed: Vec<u32>,
    /// Protocol violations the core reported.
    pub violations: usize,
}

impl Default for ClientHarness {
    fn default() -> Self {
        let mut core = ClientConnection::new();
        core.on_channel_setup();
        ClientHarness {
            core,
            events: vec![],
            send_failures: vec![],
            open: BTreeSet::new(),
            closed: vec![],
            violations: 0,
        }
    }
}

impl ClientHarness {
    pub fn feed(&mut self, m: &Message) {
        let ty = message_type(m);
        match self.core.on_message(m) {
            ClientAction::ProtocolMessage => self.events.push(Event::Protocol(ty)),
            ClientAction::Continuation {
                stream_id,
                terminate,
            } => {
                self.events.push(Event::Continuation(stream_id, ty));
                if terminate && self.core.end_stream(stream_id) {
                    self.stream_closed(stream_id);
                }
            }
            ClientAction::Ignored => self.events.push(Event::Ignored),
            ClientAction::Violation(reply) => {
                self.violations += 1;
                let close_with = reply.after_flush.close_with;
                if !self.run_send(reply) {
                    self.close(close_with.expect("replies close the connection"));
                }
            }
        }
    }

    fn stream_closed(&mut self, stream_id: u32) {
        assert!(
            self.open.remove(&stream_id),
            "stream {stream_id} closed twice"
        );
        self.closed.push(stream_id);
        self.events.push(Event::ContinuationClosed(stream_id));
    }

    /// Activates a stream (the glue's token gets the id) and runs the send.
    pub fn activate(&mut self, operation: &[u8], a: MessageArgs) -> Result<u32, i32> {
        let out = self.core.activate(operation, a)?;
        let id = out.stream_id;
        self.open.insert(id);
        self.run_send(out);
        Ok(id)
    }

    /// The event-loop half of a send: admit, write and flush (true), or fail.
    pub fn run_send(&mut self, out: Outgoing) -> bool {
        if let Err(rejected) = self.core.admit(&out) {
            self.send_failures.push(rejected.error);
            if rejected.shutdown_channel {
                self.shutdown(rejected.error);
            }
            return false;
        }
        self.events.push(Event::Written(encode(&out.message)));
        if let Some(id) = out.after_flush.end_stream {
            if self.core.end_stream(id) {
                self.stream_closed(id);
            }
        }
        if let Some(code) = out.after_flush.close_with {
            self.close(code);
        }
        true
    }

    pub fn close(&mut self, code: i32) {
        if self.core.close() {
            self.shutdown(code);
        }
    }

    fn shutdown(&mut self, code: i32) {
        if !self
            .events
            .iter()
            .any(|e| matches!(e, Event::ConnectionClosed(_)))
        {
            self.events.push(Event::ConnectionClosed(code));
        }
        for id in self.core.on_shutdown() {
            self.stream_closed(id);
        }
    }

    pub fn written(&self) -> Vec<Bytes> {
        self.events
            .iter()
            .filter_map(|e| match e {
                Event::Written(b) => Some(b.clone()),
                _ => None,
            })
            .collect()
    }

    pub fn closed_with(&self) -> Option<i32> {
        self.events.iter().find_map(|e| match e {
            Event::ConnectionClosed(c) => Some(*c),
            _ => None,
        })
    }
}
