//! aws-c-event-stream: the wire codec, the streaming decoder, their C API and the RPC connection cores.
pub mod abi;
pub mod capi;
pub mod channel_handler;
pub mod decoder;
pub mod framer;
#[doc(hidden)]
pub mod fuzz_targets;
pub mod rpc;
pub mod wire;
