//! aws-c-io: event loops, channels, sockets, bootstraps, host resolution and
//! TLS. Landed so far: the ABI mirrors and the event-loop base.
pub mod abi;
pub mod event_loop;
pub mod future;
pub mod library;
