//! aws-c-io: event loops, channels, sockets, bootstraps, TLS (later issues).
pub mod abi;
