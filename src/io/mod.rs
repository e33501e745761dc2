//! aws-c-io: event loops, channels, sockets, bootstraps, host resolution and
//! TLS. Today: the ABI mirrors; the runtime lands with its own issue.
pub mod abi;
