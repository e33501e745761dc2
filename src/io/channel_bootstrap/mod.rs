//! Client and server bootstraps: turning a host name and port into a
//! connected channel with a socket handler in its first slot (client), and a
//! listening socket into one such channel per accepted connection (server).
//!
//! Threads (upstream's model): every per-connection callback runs on the
//! channel's event-loop thread; accept failures and the listener setup
//! callback run on the listener's loop thread. Differences from upstream are
//! listed in COMPAT.md (DNS failures are reported on a loop thread, not the
//! resolver thread; a failed channel creation for an accepted socket is
//! reported once and the socket freed).
use libc::{c_int, c_void};

use crate::common::error::last_error;
use crate::common::error_codes::AWS_ERROR_SUCCESS;

use crate::common::abi::*;
use crate::io::abi::*;

pub mod client;
pub mod server;

pub(crate) const RUN_READY: c_int = aws_task_status::AWS_TASK_STATUS_RUN_READY as c_int;

/// Called when a connection's handler chain is ready for application data
/// (`error_code` 0, with the channel), or could not be made ready (the caller
/// then shuts the channel down with that error).
pub(crate) type ChainReady =
    unsafe fn(user: *mut c_void, channel: *mut aws_channel, error_code: c_int);

/// A bootstrap's `on_protocol_negotiated` with the connection's user data:
/// when set, an ALPN handler goes right of the TLS handler, which then
/// advertises the negotiated protocol (upstream's bootstrap does the same).
pub(crate) type OnProtocol = (aws_channel_on_protocol_negotiated_fn, *mut c_void);

/// Whether a connection's chain gets a TLS handler, and which side.
#[derive(Clone, Copy)]
pub(crate) enum TlsSide {
    None,
    Client(*mut aws_tls_connection_options, OnProtocol),
    Server(*mut aws_tls_connection_options, OnProtocol),
}

/// The one channel-setup path of both bootstraps: on the channel's loop
/// thread, once the channel is set up, installs the handler chain for a
/// connected `socket` — the socket handler first, then whatever the
/// connection asks for — and calls `ready` when the chain can carry
/// application data. For plain TCP that is at once; a chain that must first
/// negotiate (TLS) holds `ready` back until it has, so the user's setup /
/// incoming callback fires only then (upstream's order). `tls` (NULL for
/// none) adds a TLS handler, client or server side, right of the socket (and
/// an ALPN handler right of it when the bootstrap has `on_protocol_negotiated`).
///
/// # Safety
/// Loop thread of `channel`; `socket` is connected and assigned to that loop;
/// `user` stays valid until `ready` has run; `tls` is NULL or valid for this call.
pub(crate) unsafe fn install_chain(
    alloc: *mut aws_allocator,
    channel: *mut aws_channel,
    socket: *mut aws_socket,
    tls: TlsSide,
    ready: ChainReady,
    user: *mut c_void,
) {
    use crate::io::channel::*;
    // SAFETY: per the caller.
    unsafe {
        let slot = aws_channel_slot_new(channel);
        if slot.is_null() {
            return ready(user, channel, last_error());
        }
        let handler = crate::io::socket_channel_handler::aws_socket_handler_new(
            alloc,
            socket,
            slot,
            max_fragment_size(),
        );
        if handler.is_null() {
            let err = last_error();
            aws_channel_slot_remove(slot);
            return ready(user, channel, err);
        }
        if aws_channel_slot_set_handler(slot, handler) != AWS_OP_SUCCESS {
            return ready(user, channel, last_error());
        }
        let (options, server, alpn) = match tls {
            // Plain TCP: nothing to negotiate.
            TlsSide::None => return ready(user, channel, AWS_ERROR_SUCCESS),
            TlsSide::Client(o, alpn) => (o, false, alpn),
            TlsSide::Server(o, alpn) => (o, true, alpn),
        };
        let after: crate::io::tls::handler::AfterNegotiation =
            Box::new(move |err| ready(user, channel, err));
        if let Err(err) =
            crate::io::tls::handler::install_tls_handler(alloc, slot, options, server, alpn, after)
        {
            ready(user, channel, err);
        }
    }
}
