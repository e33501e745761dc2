//! aws-c-io: event loops, channels, sockets, bootstraps, host resolution and
//! TLS. Landed so far: the ABI mirrors, event loops (base, our mio loop,
//! groups), futures and library init.
pub mod abi;
pub mod event_loop;
pub mod future;
pub mod library;
