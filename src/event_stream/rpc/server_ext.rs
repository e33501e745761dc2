//! `aws_es_rs_rpc_server_*`: our opt-in protections for RPC server listeners
//! (`include/aws/event_stream_rs/rpc_server_ext.h`). A listener that never
//! sees these calls behaves as upstream's.
//!
//! The listener-level state (limits, live connections, drain, counters) lives
//! here; the per-connection decisions are the sans-IO core's
//! ([`super::limits`]); `server_capi.rs` only consults and schedules.
use std::collections::HashSet;
use std::sync::atomic::{AtomicU64, Ordering};

use libc::{c_int, c_void};

use super::limits::Limits;
use super::server_capi::{listener_drain, listener_ext, Listener};
use crate::common::abi::AWS_OP_SUCCESS;
use crate::common::error::raise;
use crate::event_stream::abi::aws_event_stream_rpc_server_listener;
use crate::fatal_precondition;

/// Protections for the connections a listener accepts (every field 0 or
/// false: as upstream).
#[repr(C)]
#[derive(Clone, Copy, Debug, Default)]
pub struct aws_es_rs_rpc_server_protection_options {
    /// Milliseconds from accept until the server's CONNECT_ACK is sent; the
    /// connection closes with AWS_IO_SOCKET_TIMEOUT past it.
    pub connect_timeout_ms: u64,
    /// Milliseconds with no message received or sent; the connection closes
    /// with AWS_IO_SOCKET_TIMEOUT past it.
    pub idle_timeout_ms: u64,
    /// Connections open at once; one more is closed as soon as accepted
    /// (no callback; counted in `connections_refused`).
    pub max_connections: usize,
    /// Open streams per connection; a new stream beyond it is answered with
    /// an APPLICATION_ERROR + TERMINATE_STREAM on that stream (JSON text) and
    /// the connection stays up.
    pub max_streams_per_connection: usize,
    /// Largest message read, below the wire's 24 MiB; a larger one shuts the
    /// connection down with AWS_ERROR_EVENT_STREAM_MESSAGE_FIELD_SIZE_EXCEEDED
    /// as soon as its prelude arrives.
    pub max_message_size: usize,
    /// Bytes a connection may have sent but not yet written to its socket.
    /// A send past it fails with AWS_IO_CHANNEL_ERROR_ERROR_CANT_ACCEPT_INPUT
    /// and the connection shuts down with that error.
    pub max_queued_write_bytes: usize,
    /// Answer each PING with a PING_RESPONSE carrying its headers and
    /// payload; the application's protocol-message callback does not see it.
    pub auto_ping: bool,
}

/// A snapshot of a listener's counters (every field counts since the
/// listener was made, except `live_connections`).
#[repr(C)]
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub struct aws_es_rs_rpc_server_counters {
    /// Connections set up and not yet shut down.
    pub live_connections: u64,
    /// Connections set up (handed to `on_new_connection`).
    pub connections_accepted: u64,
    /// Connections closed at accept: over `max_connections`, or draining.
    pub connections_refused: u64,
    /// Closed by the CONNECT timeout.
    pub handshake_timeouts: u64,
    /// Closed by the idle timeout.
    pub idle_timeouts: u64,
    /// Closed at the drain deadline with streams still open.
    pub drain_timeouts: u64,
    /// Closed because a send went past `max_queued_write_bytes`.
    pub write_queue_overflows: u64,
    pub streams_opened: u64,
    pub streams_closed: u64,
    /// New streams answered with a refusal (stream limit or draining).
    pub streams_refused: u64,
    pub messages_received: u64,
    pub bytes_received: u64,
    /// Messages written to the socket, and their bytes.
    pub messages_sent: u64,
    pub bytes_sent: u64,
    /// PROTOCOL_ERROR / INTERNAL_ERROR replies the server sent.
    pub protocol_errors_sent: u64,
    /// PINGs answered automatically.
    pub pings_answered: u64,
}

/// Called once the drain is over (see `aws_es_rs_rpc_server_listener_drain`).
pub type aws_es_rs_rpc_server_on_drained_fn = Option<
    unsafe extern "C" fn(
        listener: *mut aws_event_stream_rpc_server_listener,
        user_data: *mut c_void,
    ),
>;

/// The live counters (any thread; relaxed: each is exact on its own).
#[derive(Default)]
pub struct Counters {
    pub live_connections: AtomicU64,
    pub connections_accepted: AtomicU64,
    pub connections_refused: AtomicU64,
    pub handshake_timeouts: AtomicU64,
    pub idle_timeouts: AtomicU64,
    pub drain_timeouts: AtomicU64,
    pub write_queue_overflows: AtomicU64,
    pub streams_opened: AtomicU64,
    pub streams_closed: AtomicU64,
    pub streams_refused: AtomicU64,
    pub messages_received: AtomicU64,
    pub bytes_received: AtomicU64,
    pub messages_sent: AtomicU64,
    pub bytes_sent: AtomicU64,
    pub protocol_errors_sent: AtomicU64,
    pub pings_answered: AtomicU64,
}

/// Adds `n` to a counter.
pub fn bump(c: &AtomicU64, n: u64) {
    c.fetch_add(n, Ordering::Relaxed);
}

impl Counters {
    pub fn snapshot(&self) -> aws_es_rs_rpc_server_counters {
        let g = |c: &AtomicU64| c.load(Ordering::Relaxed);
        aws_es_rs_rpc_server_counters {
            live_connections: g(&self.live_connections),
            connections_accepted: g(&self.connections_accepted),
            connections_refused: g(&self.connections_refused),
            handshake_timeouts: g(&self.handshake_timeouts),
            idle_timeouts: g(&self.idle_timeouts),
            drain_timeouts: g(&self.drain_timeouts),
            write_queue_overflows: g(&self.write_queue_overflows),
            streams_opened: g(&self.streams_opened),
            streams_closed: g(&self.streams_closed),
            streams_refused: g(&self.streams_refused),
            messages_received: g(&self.messages_received),
            bytes_received: g(&self.bytes_received),
            messages_sent: g(&self.messages_sent),
            bytes_sent: g(&self.bytes_sent),
            protocol_errors_sent: g(&self.protocol_errors_sent),
            pings_answered: g(&self.pings_answered),
        }
    }
}

/// A drain in progress (or done).
pub struct Drain {
    pub timeout_ns: u64,
    pub on_drained: aws_es_rs_rpc_server_on_drained_fn,
    pub user_data: *mut c_void,
    pub fired: bool,
}

/// A listener's extension state, under its mutex.
#[derive(Default)]
pub struct ListenerExt {
    /// For each new connection (times in nanoseconds).
    pub limits: Limits,
    pub max_connections: Option<usize>,
    /// The listener's live connections (addresses), for the drain.
    pub live: HashSet<usize>,
    /// Connections accepted and being set up (counted against the limit;
    /// the drain completes only once they are gone too).
    pub pending: usize,
    pub drain: Option<Drain>,
}

// SAFETY: the drain's user data is the C caller's, handed back on some loop
// thread as the header documents.
unsafe impl Send for ListenerExt {}

const NS_PER_MS: u64 = 1_000_000;

impl From<&aws_es_rs_rpc_server_protection_options> for Limits {
    fn from(o: &aws_es_rs_rpc_server_protection_options) -> Limits {
        let nonzero = |v: usize| (v > 0).then_some(v);
        let ms = |v: u64| (v > 0).then(|| v.saturating_mul(NS_PER_MS));
        Limits {
            handshake_timeout: ms(o.connect_timeout_ms),
            idle_timeout: ms(o.idle_timeout_ms),
            max_streams: nonzero(o.max_streams_per_connection),
            max_message_size: nonzero(o.max_message_size),
            max_queued_write_bytes: nonzero(o.max_queued_write_bytes),
            auto_ping: o.auto_ping,
        }
    }
}

/// Stores `options` in `ext` (NULL: back to no protection).
///
/// # Safety
/// `options` is NULL or readable.
pub unsafe fn apply(
    ext: &mut ListenerExt,
    options: *const aws_es_rs_rpc_server_protection_options,
) {
    let o = if options.is_null() {
        aws_es_rs_rpc_server_protection_options::default()
    } else {
        // SAFETY: per the caller.
        unsafe { *options }
    };
    ext.limits = Limits::from(&o);
    ext.max_connections = (o.max_connections > 0).then_some(o.max_connections);
}

unsafe fn listener<'a>(l: *mut aws_event_stream_rpc_server_listener, func: &str) -> &'a Listener {
    if l.is_null() {
        crate::ffi::fatal(&format!("{func}: NULL listener"));
    }
    // SAFETY: a live listener from C.
    unsafe { &*(l as *const Listener) }
}

/// Any thread. Sets the protections for connections accepted from now on
/// (connections already up keep theirs); NULL removes them. Use
/// `aws_es_rs_rpc_server_new_listener_ext` to have them from the first
/// connection.
#[no_mangle]
pub unsafe extern "C" fn aws_es_rs_rpc_server_listener_set_protection(
    listener: *mut aws_event_stream_rpc_server_listener,
    options: *const aws_es_rs_rpc_server_protection_options,
) -> c_int {
    // SAFETY: C passes pointers valid as our header documents; NULL is checked.
    unsafe {
        let l = self::listener(listener, "aws_es_rs_rpc_server_listener_set_protection");
        apply(&mut listener_ext(l), options);
    }
    AWS_OP_SUCCESS
}

/// Any thread: the listener's counters now.
#[no_mangle]
pub unsafe extern "C" fn aws_es_rs_rpc_server_listener_get_counters(
    listener: *const aws_event_stream_rpc_server_listener,
    out: *mut aws_es_rs_rpc_server_counters,
) {
    fatal_precondition!(!out.is_null(), "aws_es_rs_rpc_server_listener_get_counters");
    // SAFETY: C passes pointers valid as our header documents; NULL is checked.
    unsafe {
        let l = self::listener(
            listener as *mut aws_event_stream_rpc_server_listener,
            "aws_es_rs_rpc_server_listener_get_counters",
        );
        *out = l.counters().snapshot();
    }
}

/// Any thread. Starts a graceful drain: see the header.
#[no_mangle]
pub unsafe extern "C" fn aws_es_rs_rpc_server_listener_drain(
    listener: *mut aws_event_stream_rpc_server_listener,
    timeout_ms: u64,
    on_drained: aws_es_rs_rpc_server_on_drained_fn,
    user_data: *mut c_void,
) -> c_int {
    // SAFETY: C passes pointers valid as our header documents; NULL is checked.
    unsafe {
        let l = self::listener(listener, "aws_es_rs_rpc_server_listener_drain");
        match listener_drain(
            l as *const Listener as *mut Listener,
            Drain {
                timeout_ns: timeout_ms.saturating_mul(NS_PER_MS),
                on_drained,
                user_data,
                fired: false,
            },
        ) {
            Ok(()) => AWS_OP_SUCCESS,
            Err(e) => raise(e),
        }
    }
}

/// `aws_event_stream_rpc_server_new_listener` with `protection` (NULL: none)
/// in force from the first accepted connection. Same threads, references and
/// callbacks as the upstream function.
#[no_mangle]
pub unsafe extern "C" fn aws_es_rs_rpc_server_new_listener_ext(
    allocator: *mut crate::common::abi::aws_allocator,
    options: *mut crate::event_stream::abi::aws_event_stream_rpc_server_listener_options,
    protection: *const aws_es_rs_rpc_server_protection_options,
) -> *mut aws_event_stream_rpc_server_listener {
    fatal_precondition!(
        !allocator.is_null() && !options.is_null(),
        "aws_es_rs_rpc_server_new_listener_ext"
    );
    // SAFETY: C passes pointers valid as our header documents; NULL is checked.
    unsafe { super::server_capi::new_listener_with(allocator, options, protection) }
}
