//! aws-c-io: event loops, channels, sockets, bootstraps, host resolution and
//! TLS. Landed so far: the ABI mirrors, event loops (base, our mio loop,
//! groups), futures, library init, channels, message pools, statistics,
//! sockets and the socket handler, the host resolver, the bootstraps, and TLS
//! (options, contexts, the rustls channel handler).
pub mod abi;
pub mod async_stream;
pub mod channel;
pub mod channel_bootstrap;
pub mod event_loop;
pub mod file_error;
pub mod future;
pub mod future_types;
pub mod host_resolver;
pub mod library;
pub mod message_pool;
pub mod pem;
pub mod pipe;
pub mod pkcs11;
pub mod pki_utils;
pub mod retry;
pub mod shared_library;
pub mod socket;
pub mod socket_channel_handler;
pub mod statistics;
pub mod stream;
pub mod tls;
