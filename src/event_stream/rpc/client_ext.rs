//! `aws_es_rs_rpc_client_*`: our opt-in protection for RPC client
//! connections (`include/aws/event_stream_rs/rpc_client_ext.h`): a bound on
//! the wait for the server's CONNECT_ACK. A connection made with the
//! upstream function behaves as upstream's.
use libc::c_int;

use crate::common::abi::aws_allocator;
use crate::event_stream::abi::aws_event_stream_rpc_client_connection_options;

/// Protections for one client connection (0: none, as upstream).
#[repr(C)]
#[derive(Clone, Copy, Debug, Default)]
pub struct aws_es_rs_rpc_client_protection_options {
    /// Milliseconds from the channel's setup (the socket connect itself is
    /// bounded by `socket_options->connect_timeout_ms`) until a CONNECT_ACK
    /// arrives; past it the connection closes with AWS_IO_SOCKET_TIMEOUT.
    pub connect_ack_timeout_ms: u64,
}

/// `aws_event_stream_rpc_client_connection_connect` with `protection` (NULL:
/// none). Same callbacks, threads and references as the upstream function;
/// a CONNECT_ACK timeout shuts the connection down with
/// AWS_IO_SOCKET_TIMEOUT (`on_connection_shutdown` reports it, on the
/// connection's event-loop thread).
#[no_mangle]
pub unsafe extern "C" fn aws_es_rs_rpc_client_connection_connect_ext(
    allocator: *mut aws_allocator,
    conn_options: *const aws_event_stream_rpc_client_connection_options,
    protection: *const aws_es_rs_rpc_client_protection_options,
) -> c_int {
    // SAFETY: C passes pointers valid as our header documents; NULL is checked.
    unsafe {
        let timeout_ms = if protection.is_null() {
            0
        } else {
            (*protection).connect_ack_timeout_ms
        };
        super::client_capi::connect_with(
            allocator,
            conn_options,
            timeout_ms.saturating_mul(1_000_000),
        )
    }
}
