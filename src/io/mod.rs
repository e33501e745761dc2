//! aws-c-io: event loops, channels, sockets, bootstraps, host resolution and
//! TLS. Landed so far: the ABI mirrors, the event-loop base, channels, message
//! pools and statistics.
pub mod abi;
pub mod channel;
pub mod event_loop;
pub mod message_pool;
pub mod statistics;
