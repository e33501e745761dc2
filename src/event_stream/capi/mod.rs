//! The aws-c-event-stream C API over the safe core (`wire`, `decoder`):
//! messages, header lists, the streaming decoder and library init.
//!
//! Header lists are `aws_array_list`s of `aws_event_stream_header_value_pair`
//! handled through the crate's Rust helpers (`common::array_list`), byte
//! buffers field by field ([`bytes`]), so this module does not depend on the
//! exported aws-c-common functions.
pub mod bytes;
pub mod debug_str;
pub mod decoder;
pub mod headers;
pub mod library;
pub mod message;
