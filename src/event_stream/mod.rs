//! aws-c-event-stream: the wire codec, the streaming decoder and (later) RPC.
pub mod abi;
pub mod capi;
pub mod decoder;
pub mod wire;
