//! aws-c-event-stream: the wire codec, the streaming decoder, their C API and (later) RPC.
pub mod abi;
pub mod capi;
pub mod decoder;
#[doc(hidden)]
pub mod fuzz_targets;
pub mod wire;
