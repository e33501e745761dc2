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
use libc::c_int;

use crate::common::abi::*;
use crate::io::abi::*;

pub mod client;
pub mod server;

pub(crate) const RUN_READY: c_int = aws_task_status::AWS_TASK_STATUS_RUN_READY as c_int;

/// Puts a socket handler into a new slot of `channel` (the first one).
///
/// # Safety
/// Loop thread of `channel`; `socket` is connected and assigned to that loop.
pub(crate) unsafe fn install_socket_handler(
    alloc: *mut aws_allocator,
    channel: *mut aws_channel,
    socket: *mut aws_socket,
) -> c_int {
    use crate::io::channel::*;
    // SAFETY: per the caller.
    unsafe {
        let slot = aws_channel_slot_new(channel);
        if slot.is_null() {
            return AWS_OP_ERR;
        }
        let handler = crate::io::socket_channel_handler::aws_socket_handler_new(
            alloc,
            socket,
            slot,
            max_fragment_size(),
        );
        if handler.is_null() {
            aws_channel_slot_remove(slot);
            return AWS_OP_ERR;
        }
        aws_channel_slot_set_handler(slot, handler)
    }
}
