//! aws-c-io: event loops, channels, sockets, bootstraps, host resolution and
//! TLS. Landed so far: the ABI mirrors, event loops (base, our mio loop,
//! groups), futures, library init, channels, message pools, statistics,
//! sockets and the socket handler, the host resolver, the bootstraps and TLS
//! options and contexts (the TLS channel handler is still to come).
pub mod abi;
pub mod channel;
pub mod channel_bootstrap;
pub mod event_loop;
pub mod future;
pub mod host_resolver;
pub mod library;
pub mod message_pool;
pub mod socket;
pub mod socket_channel_handler;
pub mod statistics;
pub mod tls;
