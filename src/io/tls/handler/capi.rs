//! The C API of the TLS handler, and its installation by the bootstraps.
use std::cell::{Cell, RefCell, UnsafeCell};
use std::collections::VecDeque;
use std::ptr::{self};
use std::sync::Arc;

use libc::c_int;
use rustls::pki_types::ServerName;
use rustls::{ClientConnection, Connection};

use crate::common::abi::aws_log_level::AWS_LL_WARN;
use crate::common::abi::*;
use crate::common::error_codes::*;
use crate::io::abi::aws_io_log_subject::AWS_LS_IO_TLS;
use crate::io::abi::*;
use crate::io::channel::rust_handler::*;
use crate::io::statistics::aws_crt_statistics_tls_init;
use crate::io::tls::config::{parse_alpn_list, TlsConfig};
use crate::io::tls::ctx;
use crate::io::tls::key_ops::{KeyOpResolver, KeyOpSession, RemoteKey};

use super::*;

// ---- C API -------------------------------------------------------------------------------

unsafe fn new_tls_handler(
    allocator: *mut aws_allocator,
    options: *mut aws_tls_connection_options,
    slot: *mut aws_channel_slot,
    client: bool,
) -> *mut aws_channel_handler {
    crate::fatal_precondition!(
        !allocator.is_null() && !options.is_null() && !slot.is_null(),
        "aws_tls_handler_new"
    );
    // SAFETY: checked non-NULL; valid per the caller.
    let (o, slot_ref) = unsafe {
        (
            &*options,
            Slot::from_raw(slot).unwrap_or_else(|| unreachable!()),
        )
    };
    if o.ctx.is_null() {
        crate::common::error::raise(AWS_IO_TLS_CTX_ERROR);
        return ptr::null_mut();
    }
    // SAFETY: a live context per the caller.
    let config = unsafe { ctx::config_of(o.ctx) };
    // SAFETY: the options' strings are NULL or valid.
    let (alpn, server_name) = unsafe {
        (
            (!o.alpn_list.is_null()).then(|| crate::common::string::string_bytes(o.alpn_list)),
            (!o.server_name.is_null()).then(|| crate::common::string::string_bytes(o.server_name)),
        )
    };
    let alpn = match alpn.map(parse_alpn_list).transpose() {
        Ok(a) => a,
        Err(e) => {
            crate::common::error::raise(e.code());
            return ptr::null_mut();
        }
    };
    // A key held by a custom handler: this connection's own resolver, whose
    // waits end at this connection's negotiation deadline.
    let key_op = match config {
        // SAFETY: the caller's allocator is valid, and C allocators outlive
        // what is allocated from them, including an operation completed after
        // its handshake gave up (it is freed through this allocator then).
        Some(TlsConfig::Client(_, Some(key))) if client => Some((
            key,
            Arc::new(unsafe { KeyOpSession::new(allocator, o.timeout_ms) }),
        )),
        _ => None,
    };
    let conn = match (config, client) {
        (Some(TlsConfig::Client(c, _)), true) => {
            client_connection(c, alpn, server_name, key_op.as_ref())
        }
        (Some(TlsConfig::Server(s)), false) => server_connection(s, alpn),
        _ => Err("the context is not a TLS context of this kind".to_string()),
    };
    let conn = match conn {
        Ok(c) => c,
        Err(e) => {
            crate::aws_log!(
                AWS_LL_WARN,
                AWS_LS_IO_TLS,
                "static: cannot make a TLS connection: {e}"
            );
            crate::common::error::raise(AWS_IO_TLS_CTX_ERROR);
            return ptr::null_mut();
        }
    };
    // SAFETY: a zeroed sample is valid; init fills in category and status.
    let mut stats: aws_crt_statistics_tls = unsafe { std::mem::zeroed() };
    // SAFETY: `stats` is a local.
    unsafe { aws_crt_statistics_tls_init(&mut stats) };
    let handler = TlsHandler {
        slot: slot_ref,
        conn: RefCell::new(conn),
        // SAFETY: a live context; released in Drop.
        ctx: unsafe { ctx::acquire(o.ctx) },
        callbacks: Callbacks {
            on_negotiation_result: o.on_negotiation_result,
            on_data_read: o.on_data_read,
            user_data: o.user_data,
        },
        advertise_alpn_message: Cell::new(o.advertise_alpn_message),
        timeout_ms: o.timeout_ms,
        negotiation: Cell::new(Negotiation::Ongoing),
        started: Cell::new(false),
        read_state: Cell::new(ReadState::Open),
        shutdown_error: Cell::new(0),
        input: RefCell::new(VecDeque::new()),
        protocol: UnsafeCell::new(Vec::new()),
        server_name: UnsafeCell::new(if client {
            server_name.map(<[u8]>::to_vec).unwrap_or_default()
        } else {
            Vec::new()
        }),
        stats: UnsafeCell::new(stats),
        timeout_task: HandlerTask::default(),
        read_task: HandlerTask::default(),
        after_negotiation: RefCell::new(None),
        key_op: key_op.map(|(_, session)| session),
    };
    // SAFETY: a live allocator; the channel destroys the handler.
    let h = unsafe { new_handler(allocator, handler) };
    // SAFETY: fresh handler; upstream sets the slot at construction too.
    unsafe { (*h).slot = slot };
    h
}

fn client_connection(
    config: &Arc<rustls::ClientConfig>,
    alpn: Option<Vec<Vec<u8>>>,
    server_name: Option<&[u8]>,
    key_op: Option<&(&Arc<RemoteKey>, Arc<KeyOpSession>)>,
) -> Result<Session, String> {
    let name = match server_name {
        Some(n) => {
            let s = std::str::from_utf8(n).map_err(|_| "server name is not UTF-8".to_string())?;
            ServerName::try_from(s.to_string()).map_err(|e| format!("server name {s:?}: {e}"))?
        }
        // No name: no SNI, and a verifying client fails the name check, as with s2n.
        None => ServerName::IpAddress(std::net::Ipv4Addr::UNSPECIFIED.into()),
    };
    let config = if alpn.is_some() || server_name.is_none() || key_op.is_some() {
        let mut c = (**config).clone();
        if let Some((key, session)) = key_op {
            c.client_auth_cert_resolver = Arc::new(KeyOpResolver::new(key, session.clone()));
        }
        if let Some(a) = alpn {
            c.alpn_protocols = a;
        }
        if server_name.is_none() {
            c.enable_sni = false;
        }
        Arc::new(c)
    } else {
        config.clone()
    };
    ClientConnection::new(config, name)
        .map(|c| Session::open(Connection::Client(c)))
        .map_err(|e| e.to_string())
}

fn server_connection(
    config: &Arc<rustls::ServerConfig>,
    alpn: Option<Vec<Vec<u8>>>,
) -> Result<Session, String> {
    let config = match alpn {
        Some(a) => {
            let mut c = (**config).clone();
            c.alpn_protocols = a;
            Arc::new(c)
        }
        None => config.clone(),
    };
    Ok(Session::server(config))
}

/// A client TLS handler for `slot`; start it with
/// `aws_tls_client_handler_start_negotiation` once it is in the slot.
#[no_mangle]
pub unsafe extern "C" fn aws_tls_client_handler_new(
    allocator: *mut aws_allocator,
    options: *mut aws_tls_connection_options,
    slot: *mut aws_channel_slot,
) -> *mut aws_channel_handler {
    // SAFETY: forwarded caller contract.
    unsafe { new_tls_handler(allocator, options, slot, true) }
}

/// A server TLS handler for `slot`; it negotiates when the client speaks.
#[no_mangle]
pub unsafe extern "C" fn aws_tls_server_handler_new(
    allocator: *mut aws_allocator,
    options: *mut aws_tls_connection_options,
    slot: *mut aws_channel_slot,
) -> *mut aws_channel_handler {
    // SAFETY: forwarded caller contract.
    unsafe { new_tls_handler(allocator, options, slot, false) }
}

/// Starts the client handshake: at once on the channel's thread, else from a
/// task on it.
#[no_mangle]
pub unsafe extern "C" fn aws_tls_client_handler_start_negotiation(
    handler: *mut aws_channel_handler,
) -> c_int {
    // SAFETY: the handler's type is checked before use.
    let h = unsafe {
        expect_handler::<TlsHandler>(handler, "aws_tls_client_handler_start_negotiation")
    };
    // SAFETY: a live channel.
    if unsafe { crate::io::channel::aws_channel_thread_is_callers_thread(h.slot.channel()) } {
        h.start(true);
        return AWS_OP_SUCCESS;
    }
    let target = handler as usize;
    let job = Box::new(move |ran| {
        // SAFETY: the handler lives as long as its channel runs tasks.
        let h = unsafe { expect_handler::<TlsHandler>(target as *const _, "tls negotiation task") };
        h.start(ran);
    });
    // SAFETY: the channel outlives its tasks (it cancels them at shutdown).
    unsafe {
        run_on_channel(
            h.slot.channel(),
            (*handler).alloc,
            c"tls_start_negotiation",
            job,
        )
    };
    AWS_OP_SUCCESS
}

/// The negotiated ALPN protocol (empty if none), pointing into the handler.
#[no_mangle]
pub unsafe extern "C" fn aws_tls_handler_protocol(
    handler: *mut aws_channel_handler,
) -> aws_byte_buf {
    // SAFETY: the handler's type is checked before use.
    let h = unsafe { expect_handler::<TlsHandler>(handler, "aws_tls_handler_protocol") };
    h.protocol_buf()
}

/// Client: the name used for SNI and verification; server: the client's SNI.
#[no_mangle]
pub unsafe extern "C" fn aws_tls_handler_server_name(
    handler: *mut aws_channel_handler,
) -> aws_byte_buf {
    // SAFETY: the handler's type is checked before use.
    let h = unsafe { expect_handler::<TlsHandler>(handler, "aws_tls_handler_server_name") };
    // SAFETY: loop thread; set at construction or negotiation.
    borrowed_buf(unsafe { &*h.server_name.get() })
}

/// Puts a client TLS handler in a new slot right of `right_of_slot` and
/// starts negotiating.
#[no_mangle]
pub unsafe extern "C" fn aws_channel_setup_client_tls(
    right_of_slot: *mut aws_channel_slot,
    tls_options: *mut aws_tls_connection_options,
) -> c_int {
    use crate::io::channel::*;
    crate::fatal_precondition!(!right_of_slot.is_null(), "aws_channel_setup_client_tls");
    // SAFETY: a live slot per the caller; the channel owns what is inserted.
    unsafe {
        let channel = (*right_of_slot).channel;
        let alloc = (*right_of_slot).alloc;
        let slot = aws_channel_slot_new(channel);
        if slot.is_null() {
            return AWS_OP_ERR;
        }
        let handler = aws_tls_client_handler_new(alloc, tls_options, slot);
        if handler.is_null() {
            aws_channel_slot_remove(slot);
            return AWS_OP_ERR;
        }
        aws_channel_slot_insert_right(right_of_slot, slot);
        if aws_channel_slot_set_handler(slot, handler) != AWS_OP_SUCCESS {
            return AWS_OP_ERR;
        }
        aws_tls_client_handler_start_negotiation(handler)
    }
}

// ---- bootstraps ------------------------------------------------------------------------

/// A bootstrap's own deep copy of the caller's `aws_tls_connection_options`
/// (holds a context reference and its strings until dropped).
pub(crate) struct OwnedTlsOptions(aws_tls_connection_options);

impl OwnedTlsOptions {
    /// # Safety
    /// `from` is a valid, initialized options struct.
    /// Options without a context are refused with AWS_IO_TLS_CTX_ERROR
    /// (upstream would crash on them later).
    pub(crate) unsafe fn copy_from(from: *const aws_tls_connection_options) -> Result<Self, c_int> {
        // SAFETY: valid per the caller.
        if unsafe { (*from).ctx.is_null() } {
            return Err(AWS_IO_TLS_CTX_ERROR);
        }
        // SAFETY: a zeroed struct is what clean up expects of an empty one.
        let mut to: aws_tls_connection_options = unsafe { std::mem::zeroed() };
        // SAFETY: `to` is a local; `from` valid per the caller.
        if unsafe { crate::io::tls::capi::aws_tls_connection_options_copy(&mut to, from) }
            != AWS_OP_SUCCESS
        {
            let err = crate::common::error::last_error();
            // SAFETY: whatever was copied is owned by `to`.
            unsafe { crate::io::tls::capi::aws_tls_connection_options_clean_up(&mut to) };
            return Err(err);
        }
        Ok(OwnedTlsOptions(to))
    }

    pub(crate) fn as_ptr(&self) -> *mut aws_tls_connection_options {
        &self.0 as *const _ as *mut _
    }
}

impl Drop for OwnedTlsOptions {
    fn drop(&mut self) {
        // SAFETY: we own the copy.
        unsafe { crate::io::tls::capi::aws_tls_connection_options_clean_up(&mut self.0) };
    }
}

/// Bootstraps: puts a TLS handler right of `left` (and an ALPN handler right
/// of it when `alpn` has a callback) and starts it (client);
/// `after(error_code)` runs once negotiation is over, after the user's own
/// `on_negotiation_result`, as upstream's bootstrap does.
///
/// # Safety
/// Loop thread of `left`'s live channel; `options` valid for this call.
pub(crate) unsafe fn install_tls_handler(
    alloc: *mut aws_allocator,
    left: *mut aws_channel_slot,
    options: *mut aws_tls_connection_options,
    server: bool,
    alpn: crate::io::channel_bootstrap::OnProtocol,
    after: AfterNegotiation,
) -> Result<(), c_int> {
    use crate::common::error::last_error;
    use crate::io::channel::*;
    // SAFETY: per the caller; the channel owns the slot and handler once inserted.
    unsafe {
        let slot = aws_channel_slot_new((*left).channel);
        if slot.is_null() {
            return Err(last_error());
        }
        aws_channel_slot_insert_right(left, slot);
        let handler = new_tls_handler(alloc, options, slot, !server);
        if handler.is_null() {
            let err = last_error();
            aws_channel_slot_remove(slot);
            return Err(err);
        }
        let h = expect_handler::<TlsHandler>(handler, "install_tls_handler");
        if alpn.0.is_some() {
            h.advertise_alpn_message.set(true);
        }
        *h.after_negotiation.borrow_mut() = Some(after);
        if aws_channel_slot_set_handler(slot, handler) != AWS_OP_SUCCESS {
            return Err(last_error());
        }
        if alpn.0.is_some() {
            let alpn_slot = aws_channel_slot_new((*left).channel);
            if alpn_slot.is_null() {
                return Err(last_error());
            }
            aws_channel_slot_insert_right(slot, alpn_slot);
            let alpn_handler =
                crate::io::tls::alpn::aws_tls_alpn_handler_new(alloc, alpn.0, alpn.1);
            if aws_channel_slot_set_handler(alpn_slot, alpn_handler) != AWS_OP_SUCCESS {
                return Err(last_error());
            }
        }
        if !server {
            h.start(true);
        }
    }
    Ok(())
}
