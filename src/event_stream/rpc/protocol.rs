//! The RPC vocabulary shared by the server and client cores: message types and
//! flags, the reserved header names, the JSON error replies (the one home of
//! these wire strings), building an outgoing RPC message and reading the
//! metadata of an incoming one.

use std::collections::HashMap;
use std::hash::{BuildHasherDefault, Hasher};

use bytes::Bytes;

use crate::common::error_codes::{AWS_ERROR_EVENT_STREAM_RPC_PROTOCOL_ERROR, AWS_ERROR_SUCCESS};
use crate::event_stream::abi::{
    aws_event_stream_rpc_message_flag, aws_event_stream_rpc_message_type,
};
use crate::event_stream::wire::{Header, HeaderValue, Message};

/// Upstream's `enum aws_event_stream_rpc_message_type` (the mirror in `abi.rs`).
pub type MessageType = aws_event_stream_rpc_message_type;

use aws_event_stream_rpc_message_type::*;

impl MessageType {
    /// Every real message type, in wire-value order (COUNT excluded).
    pub const ALL: [MessageType; 8] = [
        AWS_EVENT_STREAM_RPC_MESSAGE_TYPE_APPLICATION_MESSAGE,
        AWS_EVENT_STREAM_RPC_MESSAGE_TYPE_APPLICATION_ERROR,
        AWS_EVENT_STREAM_RPC_MESSAGE_TYPE_PING,
        AWS_EVENT_STREAM_RPC_MESSAGE_TYPE_PING_RESPONSE,
        AWS_EVENT_STREAM_RPC_MESSAGE_TYPE_CONNECT,
        AWS_EVENT_STREAM_RPC_MESSAGE_TYPE_CONNECT_ACK,
        AWS_EVENT_STREAM_RPC_MESSAGE_TYPE_PROTOCOL_ERROR,
        AWS_EVENT_STREAM_RPC_MESSAGE_TYPE_INTERNAL_ERROR,
    ];

    /// The type carried by a `:message-type` value, if it names one.
    pub fn from_i32(v: i32) -> Option<MessageType> {
        usize::try_from(v)
            .ok()
            .and_then(|i| Self::ALL.get(i).copied())
    }
}

// Wire values as upstream compares them: unsigned.
pub(crate) const T_APPLICATION_ERROR: u32 =
    AWS_EVENT_STREAM_RPC_MESSAGE_TYPE_APPLICATION_ERROR as u32;
pub(crate) const T_APPLICATION_MESSAGE: u32 =
    AWS_EVENT_STREAM_RPC_MESSAGE_TYPE_APPLICATION_MESSAGE as u32;
pub(crate) const T_CONNECT: u32 = AWS_EVENT_STREAM_RPC_MESSAGE_TYPE_CONNECT as u32;
pub(crate) const T_CONNECT_ACK: u32 = AWS_EVENT_STREAM_RPC_MESSAGE_TYPE_CONNECT_ACK as u32;
pub(crate) const T_COUNT: u32 = AWS_EVENT_STREAM_RPC_MESSAGE_TYPE_COUNT as u32;

/// `AWS_EVENT_STREAM_RPC_MESSAGE_FLAG_CONNECTION_ACCEPTED`.
pub const FLAG_CONNECTION_ACCEPTED: u32 =
    aws_event_stream_rpc_message_flag::AWS_EVENT_STREAM_RPC_MESSAGE_FLAG_CONNECTION_ACCEPTED as u32;
/// `AWS_EVENT_STREAM_RPC_MESSAGE_FLAG_TERMINATE_STREAM`.
pub const FLAG_TERMINATE_STREAM: u32 =
    aws_event_stream_rpc_message_flag::AWS_EVENT_STREAM_RPC_MESSAGE_FLAG_TERMINATE_STREAM as u32;

/// Reserved header names (`aws_event_stream_rpc_*_name`).
pub const MESSAGE_TYPE_NAME: &[u8] = b":message-type";
pub const MESSAGE_FLAGS_NAME: &[u8] = b":message-flags";
pub const STREAM_ID_NAME: &[u8] = b":stream-id";
pub const OPERATION_NAME: &[u8] = b"operation";
/// The header every connection-level error reply carries.
pub const CONTENT_TYPE_NAME: &[u8] = b":content-type";
pub const CONTENT_TYPE_JSON: &[u8] = b"application/json";

/// Upstream's handshake progress (`aws_event_stream_connection_handshake_state`).
#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord)]
pub enum Handshake {
    /// Nothing yet.
    Initialized,
    /// Server: CONNECT received. Client: CONNECT written.
    ConnectProcessed,
    /// Server: CONNECT_ACK sent. Client: CONNECT_ACK received.
    ConnectAckProcessed,
}

/// A connection-level error reply: which JSON text upstream sends for which violation.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum ErrorReply {
    /// A non-zero stream id on a non-application message, or above INT32_MAX.
    InvalidStreamId,
    /// An old stream id with no live continuation (and, on the server, no TERMINATE_STREAM).
    InvalidClientStreamId,
    /// A new stream id that is not last + 1.
    InvalidNewClientStreamId,
    /// A stream-0 message whose type is an application type or out of range.
    InvalidMessageType,
    /// `:message-type`, `:message-flags` or `:stream-id` missing.
    InvalidMessage,
    /// Sent as INTERNAL_ERROR (the server's on_incoming_stream failed).
    Internal,
    /// Anything but the handshake before it completes, or a second CONNECT / CONNECT_ACK.
    ConnectNotCompleted,
    /// The first message of a new stream lacks `operation`.
    MissingOperationName,
}

impl ErrorReply {
    pub const ALL: [ErrorReply; 8] = [
        ErrorReply::InvalidStreamId,
        ErrorReply::InvalidClientStreamId,
        ErrorReply::InvalidNewClientStreamId,
        ErrorReply::InvalidMessageType,
        ErrorReply::InvalidMessage,
        ErrorReply::Internal,
        ErrorReply::ConnectNotCompleted,
        ErrorReply::MissingOperationName,
    ];

    /// The exact JSON payload upstream sends (including its stray `;` in one).
    pub fn payload(self) -> &'static [u8] {
        match self {
            ErrorReply::InvalidStreamId => b"{ \"message\": \"non-zero stream-id field is only allowed for messages of type APPLICATION_MESSAGE. The stream id max value is INT32_MAX.\" }",
            ErrorReply::InvalidClientStreamId => b"{ \"message\": \"stream-id values must be monotonically incrementing. A stream-id arrived that was lower than the last seen stream-id.\" }",
            ErrorReply::InvalidNewClientStreamId => b"{ \"message\": \"stream-id values must be monotonically incrementing. A new stream-id arrived that was incremented by more than 1.\" }",
            ErrorReply::InvalidMessageType => b"{ \"message\": \"an invalid value for message-type field was received.\" }",
            ErrorReply::InvalidMessage => b"{ \"message\": \"A message was received with missing required fields. Check that your client is sending at least, :message-type, :message-flags, and :stream-id\" }",
            ErrorReply::Internal => b"{ \"message\": \"An error occurred on the peer endpoint. This is not likely caused by your endpoint.\" }",
            ErrorReply::ConnectNotCompleted => b"{ \"message\": \"A CONNECT message must be received, and the CONNECT_ACK must be sent in response, before any other message-types can be sent on this connection. In addition, only one CONNECT message is allowed on a connection.\" }",
            ErrorReply::MissingOperationName => b"{ \"message\": \"The first message for on a non-zero :stream-id must contain an operation header value.\"; }",
        }
    }

    /// Upstream's name for the payload constant (the key in `constants.tsv`).
    pub fn upstream_name(self) -> &'static str {
        match self {
            ErrorReply::InvalidStreamId => "s_invalid_stream_id_error",
            ErrorReply::InvalidClientStreamId => "s_invalid_client_stream_id_error",
            ErrorReply::InvalidNewClientStreamId => "s_invalid_new_client_stream_id_error",
            ErrorReply::InvalidMessageType => "s_invalid_message_type_error",
            ErrorReply::InvalidMessage => "s_invalid_message_error",
            ErrorReply::Internal => "s_internal_error",
            ErrorReply::ConnectNotCompleted => "s_connect_not_completed_error",
            ErrorReply::MissingOperationName => "s_missing_operation_name_error",
        }
    }

    /// INTERNAL_ERROR for [`ErrorReply::Internal`], PROTOCOL_ERROR otherwise.
    pub fn message_type(self) -> MessageType {
        match self {
            ErrorReply::Internal => AWS_EVENT_STREAM_RPC_MESSAGE_TYPE_INTERNAL_ERROR,
            _ => AWS_EVENT_STREAM_RPC_MESSAGE_TYPE_PROTOCOL_ERROR,
        }
    }

    /// The reply as upstream sends it: `:content-type: application/json`, then
    /// type, flags 0, stream id 0; once written the connection closes with
    /// `AWS_ERROR_EVENT_STREAM_RPC_PROTOCOL_ERROR` (also after INTERNAL_ERROR).
    pub fn outgoing(self) -> Outgoing {
        let args = MessageArgs {
            headers: vec![Header::new(
                Bytes::from_static(CONTENT_TYPE_NAME),
                HeaderValue::String(Bytes::from_static(CONTENT_TYPE_JSON)),
            )],
            payload: Bytes::from_static(self.payload()),
            message_type: self.message_type() as i32,
            flags: 0,
        };
        let mut out = Outgoing::new(args, 0, None).expect("error replies are within every limit");
        out.after_flush.close_with = Some(AWS_ERROR_EVENT_STREAM_RPC_PROTOCOL_ERROR);
        out
    }
}

/// What the application passes to a send (`aws_event_stream_rpc_message_args`,
/// owned): its own headers, the payload, the type and flags. The reserved
/// headers are added by the core.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct MessageArgs {
    pub headers: Vec<Header>,
    pub payload: Bytes,
    /// The raw C enum value (upstream does not range-check it on send).
    pub message_type: i32,
    pub flags: u32,
}

/// What the glue must do once the channel reports `message` written (its
/// flush callback, success or failure), in this order:
/// 1. `end_stream`: call `end_stream(id)` on the core; if it returns true fire
///    that continuation's `on_continuation_closed`.
/// 2. fire the application's flush callback (if any).
/// 3. `close_with`: close the connection with that error code.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub struct AfterFlush {
    pub end_stream: Option<u32>,
    pub close_with: Option<i32>,
}

/// A message the core wants written, with what to do after the flush.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Outgoing {
    pub message: Message,
    /// `:message-type` as sent (raw).
    pub message_type: i32,
    /// `:stream-id` as sent; 0 for connection-level messages.
    pub stream_id: u32,
    pub after_flush: AfterFlush,
}

impl Outgoing {
    /// Builds the message for `args` on `stream_id` (0: connection level);
    /// `operation` is added last (client activation). Upstream closes a
    /// continuation after its TERMINATE_STREAM message is flushed, and the
    /// connection (with AWS_ERROR_SUCCESS) after a CONNECT_ACK without
    /// CONNECTION_ACCEPTED is flushed.
    pub(crate) fn new(
        args: MessageArgs,
        stream_id: u32,
        operation: Option<&[u8]>,
    ) -> Result<Outgoing, i32> {
        let message_type = args.message_type;
        let end_stream =
            (stream_id != 0 && args.flags & FLAG_TERMINATE_STREAM != 0).then_some(stream_id);
        let rejected_ack =
            message_type as u32 == T_CONNECT_ACK && args.flags & FLAG_CONNECTION_ACCEPTED == 0;
        let message = build_message(
            args.headers,
            args.payload,
            message_type,
            args.flags,
            stream_id as i32,
            operation,
        )?;
        Ok(Outgoing {
            message,
            message_type,
            stream_id,
            after_flush: AfterFlush {
                end_stream,
                close_with: rejected_ack.then_some(AWS_ERROR_SUCCESS),
            },
        })
    }
}

/// Upstream's RPC message: the caller's headers, then `:message-type`,
/// `:message-flags`, `:stream-id` (int32) and, when given, `operation`
/// (string). Fails with the codec's error code where upstream's
/// `aws_event_stream_message_init` fails (a limit exceeded).
pub fn build_message(
    mut headers: Vec<Header>,
    payload: Bytes,
    message_type: i32,
    flags: u32,
    stream_id: i32,
    operation: Option<&[u8]>,
) -> Result<Message, i32> {
    headers.reserve(3 + usize::from(operation.is_some()));
    let int =
        |name: &'static [u8], v: i32| Header::new(Bytes::from_static(name), HeaderValue::Int32(v));
    headers.push(int(MESSAGE_TYPE_NAME, message_type));
    headers.push(int(MESSAGE_FLAGS_NAME, flags as i32));
    headers.push(int(STREAM_ID_NAME, stream_id));
    if let Some(op) = operation {
        headers.push(Header::new(
            Bytes::from_static(OPERATION_NAME),
            HeaderValue::String(Bytes::copy_from_slice(op)),
        ));
    }
    let message = Message::new(headers, payload);
    message.check_limits().map_err(|e| e.aws_error_code())?;
    Ok(message)
}

/// The RPC fields of a received message, raw as on the wire.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Metadata<'a> {
    pub stream_id: i32,
    pub message_type: i32,
    pub flags: i32,
    /// Empty when absent (upstream treats an empty value as absent too).
    pub operation: &'a [u8],
}

/// Reads the RPC fields as upstream's `aws_event_stream_rpc_extract_message_metadata`:
/// names match case-insensitively, only int32 headers count for the three
/// numbers and only a string header for `operation`, a later duplicate wins
/// until all four have been seen (then the scan stops). Fails with
/// `AWS_ERROR_EVENT_STREAM_RPC_PROTOCOL_ERROR` unless type, flags and stream id are present.
pub fn parse_metadata(message: &Message) -> Result<Metadata<'_>, i32> {
    let (mut stream_id, mut message_type, mut flags) = (None, None, None);
    let mut operation: Option<&[u8]> = None;
    for h in &message.headers {
        let name = &h.name[..];
        match &h.value {
            HeaderValue::Int32(v) if name.eq_ignore_ascii_case(STREAM_ID_NAME) => {
                stream_id = Some(*v)
            }
            HeaderValue::Int32(v) if name.eq_ignore_ascii_case(MESSAGE_TYPE_NAME) => {
                message_type = Some(*v)
            }
            HeaderValue::Int32(v) if name.eq_ignore_ascii_case(MESSAGE_FLAGS_NAME) => {
                flags = Some(*v)
            }
            HeaderValue::String(v) if name.eq_ignore_ascii_case(OPERATION_NAME) => {
                operation = Some(v)
            }
            _ => continue,
        }
        if stream_id.is_some() && message_type.is_some() && flags.is_some() && operation.is_some() {
            break;
        }
    }
    match (stream_id, message_type, flags) {
        (Some(stream_id), Some(message_type), Some(flags)) => Ok(Metadata {
            stream_id,
            message_type,
            flags,
            operation: operation.unwrap_or_default(),
        }),
        _ => Err(AWS_ERROR_EVENT_STREAM_RPC_PROTOCOL_ERROR),
    }
}

/// A stream-id keyed map with a cheap multiplicative hash (ids are small,
/// dense integers chosen by the peer; no SipHash needed on the hot path).
pub(crate) type StreamMap<V> = HashMap<u32, V, BuildHasherDefault<StreamIdHasher>>;

#[derive(Default)]
pub(crate) struct StreamIdHasher(u64);

impl Hasher for StreamIdHasher {
    fn finish(&self) -> u64 {
        self.0
    }
    fn write(&mut self, bytes: &[u8]) {
        for &b in bytes {
            self.0 = (self.0 << 8 | u64::from(b)).wrapping_mul(0x9e37_79b9_7f4a_7c15);
        }
    }
    fn write_u32(&mut self, v: u32) {
        // Fibonacci hashing; the high bits carry the entropy hashbrown uses.
        self.0 = u64::from(v).wrapping_mul(0x9e37_79b9_7f4a_7c15);
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::event_stream::rpc::test_support::{encode, vector, wire_string};

    #[test]
    fn wire_strings_match_upstream() {
        for r in ErrorReply::ALL {
            assert_eq!(
                r.payload(),
                wire_string(r.upstream_name()).as_bytes(),
                "{r:?}"
            );
        }
        assert_eq!(
            CONTENT_TYPE_NAME,
            wire_string("s_json_content_type_name").as_bytes()
        );
        assert_eq!(
            CONTENT_TYPE_JSON,
            wire_string("s_json_content_type_value").as_bytes()
        );
        assert_eq!(
            MESSAGE_TYPE_NAME,
            wire_string("aws_event_stream_rpc_message_type_name").as_bytes()
        );
        assert_eq!(
            MESSAGE_FLAGS_NAME,
            wire_string("aws_event_stream_rpc_message_flags_name").as_bytes()
        );
        assert_eq!(
            STREAM_ID_NAME,
            wire_string("aws_event_stream_rpc_stream_id_name").as_bytes()
        );
        assert_eq!(
            OPERATION_NAME,
            wire_string("aws_event_stream_rpc_operation_name").as_bytes()
        );
    }

    #[test]
    fn error_replies_match_golden_vectors() {
        let pe = ErrorReply::ConnectNotCompleted.outgoing();
        assert_eq!(encode(&pe.message), vector("rpc_protocol_error.bin"));
        assert_eq!(pe.stream_id, 0);
        assert_eq!(
            pe.after_flush.close_with,
            Some(AWS_ERROR_EVENT_STREAM_RPC_PROTOCOL_ERROR)
        );
        assert_eq!(
            encode(&ErrorReply::Internal.outgoing().message),
            vector("rpc_internal_error.bin")
        );
        for r in ErrorReply::ALL {
            let m = r.outgoing().message;
            let md = parse_metadata(&m).unwrap();
            assert_eq!((md.stream_id, md.flags), (0, 0));
            assert_eq!(md.message_type, r.message_type() as i32);
            assert_eq!(m.headers[0].name, CONTENT_TYPE_NAME);
            assert_eq!(m.payload, r.payload());
        }
    }

    #[test]
    fn builds_upstream_header_order() {
        let m = build_message(
            vec![],
            Bytes::from_static(b"{}"),
            5,
            FLAG_CONNECTION_ACCEPTED,
            0,
            None,
        )
        .unwrap();
        assert_eq!(encode(&m), vector("rpc_connect_ack_accepted.bin"));
        let m = build_message(vec![], Bytes::new(), 0, 0, 3, Some(b"op")).unwrap();
        let names: Vec<&[u8]> = m.headers.iter().map(|h| &h.name[..]).collect();
        assert_eq!(
            names,
            [
                MESSAGE_TYPE_NAME,
                MESSAGE_FLAGS_NAME,
                STREAM_ID_NAME,
                OPERATION_NAME
            ]
        );
    }

    #[test]
    fn build_fails_as_the_encoder_does() {
        let big = Bytes::from(vec![
            0u8;
            crate::event_stream::wire::limits::MAX_MESSAGE_SIZE
        ]);
        assert_eq!(
            build_message(vec![], big, 0, 0, 1, None),
            Err(crate::common::error_codes::AWS_ERROR_EVENT_STREAM_MESSAGE_FIELD_SIZE_EXCEEDED)
        );
    }

    fn int(name: &'static [u8], v: i32) -> Header {
        Header::new(Bytes::from_static(name), HeaderValue::Int32(v))
    }

    #[test]
    fn metadata_parsing_follows_upstream() {
        let activate = Message::decode(vector("rpc_application_message_activate.bin")).unwrap();
        let md = parse_metadata(&activate).unwrap();
        assert_eq!((md.stream_id, md.message_type, md.flags), (6, 0, 0));
        assert_eq!(md.operation, b"aws.greengrass#PublishToTopic");
        // Case-insensitive names; the last duplicate wins until all four are seen.
        let m = Message::new(
            vec![
                int(b":STREAM-ID", 1),
                int(b":stream-id", 2),
                int(b":Message-Type", 0),
                int(b":message-flags", 2),
            ],
            Bytes::new(),
        );
        let md = parse_metadata(&m).unwrap();
        assert_eq!(
            (md.stream_id, md.message_type, md.flags, md.operation),
            (2, 0, 2, &b""[..])
        );
        let op = Header::new(
            Bytes::from_static(b"OPERATION"),
            HeaderValue::String(Bytes::from_static(b"x")),
        );
        let m = Message::new(
            vec![
                int(b":stream-id", 1),
                int(b":message-type", 0),
                int(b":message-flags", 0),
                op,
                int(b":stream-id", 9),
            ],
            Bytes::new(),
        );
        assert_eq!(
            parse_metadata(&m).unwrap().stream_id,
            1,
            "scan stops once all four are found"
        );
        // Wrong value types do not count; any missing field is a protocol error.
        let wrong = Header::new(Bytes::from_static(b":stream-id"), HeaderValue::Int64(1));
        let m = Message::new(
            vec![wrong, int(b":message-type", 0), int(b":message-flags", 0)],
            Bytes::new(),
        );
        assert_eq!(
            parse_metadata(&m),
            Err(AWS_ERROR_EVENT_STREAM_RPC_PROTOCOL_ERROR)
        );
        let op_as_bytes = Header::new(
            Bytes::from_static(b"operation"),
            HeaderValue::ByteBuf(Bytes::from_static(b"x")),
        );
        let m = Message::new(
            vec![
                op_as_bytes,
                int(b":stream-id", 1),
                int(b":message-type", 0),
                int(b":message-flags", 0),
            ],
            Bytes::new(),
        );
        assert_eq!(parse_metadata(&m).unwrap().operation, b"");
    }

    #[test]
    fn message_type_from_wire_value() {
        assert_eq!(
            MessageType::from_i32(4),
            Some(MessageType::AWS_EVENT_STREAM_RPC_MESSAGE_TYPE_CONNECT)
        );
        assert_eq!(MessageType::from_i32(8), None);
        assert_eq!(MessageType::from_i32(-1), None);
    }
}
