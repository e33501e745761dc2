//! `aws_event_stream_rpc_server_*`: listeners, connections and continuation
//! tokens over the sans-IO [`ServerConnection`] core.
//!
//! Objects and references (upstream's rules):
//! - a listener starts at one reference (the caller's); each connection
//!   holds one; the last release destroys the bootstrap listener, whose
//!   destroy callback fires `on_destroy_callback` and frees it;
//! - a connection made by the listener starts at one (the channel's,
//!   dropped after `on_connection_shutdown`); the library holds another
//!   while `on_new_connection` runs, so a user who keeps the pointer must
//!   acquire it; a connection made on an existing channel is returned with
//!   two and the caller must release it (and `close` drops the other);
//! - each continuation token is held by the connection's table until its
//!   stream closes (then `on_continuation_closed` fires, exactly once), and
//!   holds its connection; the library holds one more while a callback runs.
//!
//! Threads: every callback runs on the connection's event-loop thread.
//! Sends may come from any thread; they are written in call order.
use std::cell::UnsafeCell;
use std::collections::HashMap;
use std::ptr::null_mut;
use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::Mutex;

use libc::{c_int, c_void};

use super::glue::{
    install_event_stream_handler, message_args_from_c, owned_headers, write_outgoing, CArgs,
    Flushed,
};
use super::protocol::{parse_metadata, AfterFlush, ErrorReply, Outgoing};
use super::server::{ServerAction, ServerConnection};
use crate::common::abi::*;
use crate::common::allocator::{drop_in, new_in};
use crate::common::error::{last_error, raise};
use crate::common::error_codes::*;
use crate::common::ref_count::RefCount;
use crate::event_stream::abi::*;
use crate::event_stream::wire::{Message, MessageView};
use crate::fatal_precondition;
use crate::io::abi::*;
use crate::io::channel::*;
use crate::io::channel_bootstrap::server::{
    aws_server_bootstrap_destroy_socket_listener, aws_server_bootstrap_new_socket_listener,
};
use crate::io::socket::aws_socket_get_bound_address;

// ---- objects -----------------------------------------------------------------------

pub struct Listener {
    alloc: *mut aws_allocator,
    bootstrap: *mut aws_server_bootstrap,
    socket: *mut aws_socket,
    refs: RefCount,
    on_new_connection: aws_event_stream_rpc_server_on_new_connection_fn,
    on_connection_shutdown: aws_event_stream_rpc_server_on_connection_shutdown_fn,
    on_destroy: aws_event_stream_rpc_server_on_listener_destroy_fn,
    user_data: *mut c_void,
}

#[derive(Clone, Copy)]
struct ConnCallbacks {
    on_incoming_stream: aws_event_stream_rpc_server_on_incoming_stream_fn,
    on_protocol_message: aws_event_stream_rpc_server_connection_protocol_message_fn,
    user_data: *mut c_void,
}

struct State {
    core: ServerConnection,
    /// The connection's continuation table: each entry holds a token reference.
    tokens: HashMap<u32, *mut Token>,
}

pub struct Conn {
    alloc: *mut aws_allocator,
    listener: *mut Listener,
    channel: *mut aws_channel,
    handler: UnsafeCell<*mut aws_channel_handler>,
    refs: RefCount,
    state: Mutex<State>,
    /// Set on the loop thread before any message is routed; read there.
    callbacks: UnsafeCell<ConnCallbacks>,
    /// Made by the listener (its channel's shutdown ends it) rather than on
    /// an existing channel (`close` ends it).
    bootstrap_owned: AtomicBool,
}

// SAFETY: the cross-thread parts of a connection are its ref count and its
// mutex-guarded state; the cells are written and read on the loop thread only.
unsafe impl Send for Conn {}
// SAFETY: as above.
unsafe impl Sync for Conn {}

#[derive(Clone, Copy)]
struct TokenCallbacks {
    on_continuation: aws_event_stream_rpc_server_stream_continuation_fn,
    on_closed: aws_event_stream_rpc_server_stream_continuation_closed_fn,
    user_data: *mut c_void,
}

pub struct Token {
    stream_id: u32,
    conn: *mut Conn,
    refs: RefCount,
    closed: AtomicBool,
    /// Set on the loop thread once `on_incoming_stream` succeeded.
    callbacks: UnsafeCell<TokenCallbacks>,
}

fn c_conn(c: *const Conn) -> *mut aws_event_stream_rpc_server_connection {
    c as *mut aws_event_stream_rpc_server_connection
}
fn c_token(t: *const Token) -> *mut aws_event_stream_rpc_server_continuation_token {
    t as *mut aws_event_stream_rpc_server_continuation_token
}
fn c_listener(l: *const Listener) -> *mut aws_event_stream_rpc_server_listener {
    l as *mut aws_event_stream_rpc_server_listener
}

// ---- references ----------------------------------------------------------------------

/// # Safety
/// `l` is live.
unsafe fn listener_release(l: *mut Listener) {
    // SAFETY: per the caller; the last reference closes the bootstrap listener,
    // whose destroy callback frees `l`.
    unsafe {
        if (*l)
            .refs
            .release("aws_event_stream_rpc_server_listener_release")
        {
            aws_server_bootstrap_destroy_socket_listener((*l).bootstrap, (*l).socket);
        }
    }
}

/// # Safety
/// `c` is live.
unsafe fn conn_release(c: *const Conn) {
    // SAFETY: per the caller; the last reference frees the connection.
    unsafe {
        if !(*c)
            .refs
            .release("aws_event_stream_rpc_server_connection_release")
        {
            return;
        }
        let c = c as *mut Conn;
        let alloc = (*c).alloc;
        let listener = (*c).listener;
        aws_channel_release_hold((*c).channel);
        drop_in(alloc, c);
        listener_release(listener);
    }
}

/// # Safety
/// `t` is live.
unsafe fn token_release(t: *mut Token) {
    // SAFETY: per the caller; the token holds its connection until freed.
    unsafe {
        if !(*t)
            .refs
            .release("aws_event_stream_rpc_server_continuation_release")
        {
            return;
        }
        let conn = (*t).conn;
        drop_in((*conn).alloc, t);
        conn_release(conn);
    }
}

impl Conn {
    fn callbacks(&self) -> ConnCallbacks {
        // SAFETY: loop thread (every caller is); written before messages route.
        unsafe { *self.callbacks.get() }
    }

    fn handler(&self) -> *mut aws_channel_handler {
        // SAFETY: written once at creation, before the connection is shared.
        unsafe { *self.handler.get() }
    }

    fn lock(&self) -> std::sync::MutexGuard<'_, State> {
        self.state.lock().unwrap_or_else(|e| e.into_inner())
    }

    /// Takes a token out of the table: marks it closed, fires its closed
    /// callback when `notify` (a stream that was set up), drops the table's
    /// reference. Loop thread.
    fn remove_token(&self, stream_id: u32, notify: bool) {
        let Some(t) = self.lock().tokens.remove(&stream_id) else {
            return;
        };
        // SAFETY: the table's reference keeps `t` alive until released here.
        unsafe {
            (*t).closed.store(true, Ordering::Release);
            let cb = *(*t).callbacks.get();
            if notify {
                if let Some(f) = cb.on_closed {
                    f(c_token(t), cb.user_data);
                }
            }
            token_release(t);
        }
    }

    /// Sends an [`Outgoing`] with a reference held until it is flushed.
    fn write(
        &self,
        out: Outgoing,
        flush_fn: aws_event_stream_rpc_server_message_flush_fn,
        user_data: *mut c_void,
    ) {
        self.refs.acquire("rpc server send");
        // SAFETY: the handler lives as long as the channel, which the
        // connection holds; the reference taken above keeps `self` alive.
        unsafe {
            write_outgoing(
                self.alloc,
                self.handler(),
                self as &dyn Flushed as *const dyn Flushed,
                out,
                flush_fn,
                user_data,
            )
        }
    }

    /// The channel is gone or the connection closed: every open stream
    /// closes (callbacks fire), later messages are ignored.
    fn shut_down_streams(&self) {
        let ids = self.lock().core.on_shutdown();
        for id in ids {
            self.remove_token(id, true);
        }
        // Tokens for streams the core already ended but not yet removed.
        let rest: Vec<u32> = self.lock().tokens.keys().copied().collect();
        for id in rest {
            self.remove_token(id, true);
        }
    }

    /// `aws_event_stream_rpc_server_connection_close`.
    fn close(&self, error_code: c_int) {
        if !self.lock().core.close() {
            return;
        }
        // SAFETY: the connection holds its channel.
        unsafe { aws_channel_shutdown(self.channel, error_code) };
        if !self.bootstrap_owned.load(Ordering::Acquire) {
            self.shut_down_streams();
            // SAFETY: the reference the existing-channel connection was born with.
            unsafe { conn_release(self) };
        }
    }

    /// One decoded frame from the event-stream handler (loop thread).
    fn on_frame(&self, frame: Result<MessageView<'_>, c_int>) {
        // A framing error shuts the channel down with it (the handler does).
        let Ok(view) = frame else { return };
        let Ok(message) = owned_headers(&view) else {
            // Headers that do not parse: upstream answers INTERNAL_ERROR.
            if self.lock().core.is_open() {
                self.write(ErrorReply::Internal.outgoing(), None, null_mut());
            }
            return;
        };
        let action = self.lock().core.on_message(&message);
        self.route(&message, view.payload, action);
    }

    fn route(&self, message: &Message, payload: &[u8], action: ServerAction<'_>) {
        let (ty, flags) = match parse_metadata(message) {
            Ok(m) => (m.message_type, m.flags as u32),
            Err(_) => (0, 0),
        };
        let mut args = CArgs::new(message, payload, ty, flags);
        let cbs = self.callbacks();
        match action {
            ServerAction::Ignored => {}
            ServerAction::Violation(out) => {
                if let Some(out) = out {
                    self.write(out, None, null_mut());
                }
            }
            ServerAction::ProtocolMessage => {
                if let Some(f) = cbs.on_protocol_message {
                    let a = args.as_c();
                    // SAFETY: the user's callback, on the loop thread.
                    unsafe { f(c_conn(self), &a, cbs.user_data) };
                }
            }
            ServerAction::Continuation {
                stream_id,
                terminate,
            } => {
                let t = self.lock().tokens.get(&stream_id).copied();
                if let Some(t) = t {
                    self.deliver(t, &mut args);
                }
                if terminate && self.lock().core.end_stream(stream_id) {
                    self.remove_token(stream_id, true);
                }
            }
            ServerAction::IncomingStream {
                stream_id,
                operation,
                terminate,
            } => {
                if !self.incoming_stream(stream_id, operation, &cbs, &mut args) {
                    return;
                }
                if terminate && self.lock().core.end_stream(stream_id) {
                    self.remove_token(stream_id, true);
                }
            }
        }
    }

    /// A new stream: a token in the table, `on_incoming_stream`, then its
    /// first message. False when the user refused it (INTERNAL_ERROR sent).
    fn incoming_stream(
        &self,
        stream_id: u32,
        operation: &[u8],
        cbs: &ConnCallbacks,
        args: &mut CArgs,
    ) -> bool {
        // An id reused after override_last_stream_id replaces the old token.
        self.remove_token(stream_id, true);
        self.refs.acquire("rpc server continuation");
        // SAFETY: a new token from the connection's allocator; the table
        // holds its first reference.
        let t = unsafe {
            new_in(
                self.alloc,
                Token {
                    stream_id,
                    conn: self as *const Conn as *mut Conn,
                    refs: RefCount::new(1),
                    closed: AtomicBool::new(false),
                    callbacks: UnsafeCell::new(TokenCallbacks {
                        on_continuation: None,
                        on_closed: None,
                        user_data: null_mut(),
                    }),
                },
            )
        };
        self.lock().tokens.insert(stream_id, t);
        // SAFETY: `t` is live (the table's reference, plus ours for the call).
        unsafe {
            (*t).refs.acquire("rpc server continuation");
            let mut options = aws_event_stream_rpc_server_stream_continuation_options {
                on_continuation: None,
                on_continuation_closed: None,
                user_data: null_mut(),
            };
            let accepted = match cbs.on_incoming_stream {
                Some(f) => {
                    let op = aws_byte_cursor {
                        len: operation.len(),
                        ptr: operation.as_ptr() as *mut u8,
                    };
                    f(c_conn(self), c_token(t), op, &mut options, cbs.user_data) == AWS_OP_SUCCESS
                }
                None => false,
            };
            if !accepted {
                token_release(t);
                self.remove_token(stream_id, false);
                let reply = self.lock().core.reject_stream(stream_id);
                if let Some(out) = reply {
                    self.write(out, None, null_mut());
                }
                return false;
            }
            fatal_precondition!(
                options.on_continuation.is_some() && options.on_continuation_closed.is_some(),
                "on_incoming_stream must set on_continuation and on_continuation_closed"
            );
            *(*t).callbacks.get() = TokenCallbacks {
                on_continuation: options.on_continuation,
                on_closed: options.on_continuation_closed,
                user_data: options.user_data,
            };
            self.deliver(t, args);
            token_release(t);
        }
        true
    }

    /// Fires a token's `on_continuation` with a reference held for the call.
    fn deliver(&self, t: *mut Token, args: &mut CArgs) {
        // SAFETY: `t` is in the table (live); the extra reference covers a
        // release the callback may make.
        unsafe {
            (*t).refs.acquire("rpc server continuation");
            let cb = *(*t).callbacks.get();
            if let Some(f) = cb.on_continuation {
                let a = args.as_c();
                f(c_token(t), &a, cb.user_data);
            }
            token_release(t);
        }
    }
}

impl Flushed for Conn {
    fn after_flush(&self, after: AfterFlush, error_code: c_int, fire_flush: &mut dyn FnMut(c_int)) {
        if let Some(id) = after.end_stream {
            if self.lock().core.end_stream(id) {
                self.remove_token(id, true);
            }
        }
        fire_flush(error_code);
        if let Some(code) = after.close_with {
            self.close(code);
        }
    }

    fn release_send_ref(&self) {
        // SAFETY: the reference `write` took.
        unsafe { conn_release(self) }
    }
}

// ---- connections on channels ------------------------------------------------------------

struct ConnPtr(*const Conn);

/// A connection with its event-stream handler in the channel's last slot
/// (loop thread). One reference, plus a listener reference and a channel hold.
///
/// # Safety
/// Loop thread of a live channel; `l` is live.
unsafe fn new_connection(l: *mut Listener, channel: *mut aws_channel) -> Result<*mut Conn, c_int> {
    // SAFETY: per the caller.
    unsafe {
        let alloc = (*l).alloc;
        let c = new_in(
            alloc,
            Conn {
                alloc,
                listener: l,
                channel,
                handler: UnsafeCell::new(null_mut()),
                refs: RefCount::new(1),
                state: Mutex::new(State {
                    core: ServerConnection::new(),
                    tokens: HashMap::new(),
                }),
                callbacks: UnsafeCell::new(ConnCallbacks {
                    on_incoming_stream: None,
                    on_protocol_message: None,
                    user_data: null_mut(),
                }),
                bootstrap_owned: AtomicBool::new(false),
            },
        );
        let me = ConnPtr(c);
        let receiver = Box::new(move |frame: Result<MessageView<'_>, c_int>| {
            // SAFETY: the handler (and this closure) lives in the connection's
            // channel, which the connection holds until it is freed.
            (*me.0).on_frame(frame)
        });
        match install_event_stream_handler(alloc, channel, receiver, c as *mut c_void, 0, false) {
            Ok(h) => *(*c).handler.get() = h,
            Err(e) => {
                drop_in(alloc, c);
                return Err(e);
            }
        }
        (*l).refs.acquire("rpc server connection");
        aws_channel_acquire_hold(channel);
        Ok(c)
    }
}

/// The connection of a listener's channel: the user data of its last
/// handler (the event-stream handler).
///
/// # Safety
/// A channel the listener set up.
unsafe fn conn_of_channel(channel: *mut aws_channel) -> *mut Conn {
    // SAFETY: per the caller; the last slot holds our event-stream handler.
    unsafe {
        let mut slot = aws_channel_get_first_slot(channel);
        if slot.is_null() {
            return null_mut();
        }
        while !(*slot).adj_right.is_null() {
            slot = (*slot).adj_right;
        }
        if (*slot).handler.is_null() {
            return null_mut();
        }
        match crate::io::channel::rust_handler::downcast::<
            crate::event_stream::channel_handler::EventStreamHandler,
        >((*slot).handler)
        {
            Some(_) => {
                crate::event_stream::channel_handler::aws_event_stream_channel_handler_get_user_data(
                    (*slot).handler,
                ) as *mut Conn
            }
            None => null_mut(),
        }
    }
}

unsafe extern "C" fn on_incoming_channel(
    _bootstrap: *mut aws_server_bootstrap,
    error_code: c_int,
    channel: *mut aws_channel,
    user_data: *mut c_void,
) {
    let l = user_data as *mut Listener;
    // SAFETY: the bootstrap calls this on the channel's loop thread with our listener.
    unsafe {
        let Some(on_new) = (*l).on_new_connection else {
            // Nobody to accept connections (upstream would crash): refuse them.
            if !channel.is_null() {
                aws_channel_shutdown(channel, AWS_ERROR_INVALID_STATE);
            }
            return;
        };
        if error_code != AWS_ERROR_SUCCESS || channel.is_null() {
            on_new(null_mut(), error_code, null_mut(), (*l).user_data);
            return;
        }
        let c = match new_connection(l, channel) {
            Ok(c) => c,
            Err(e) => {
                on_new(null_mut(), e, null_mut(), (*l).user_data);
                aws_channel_shutdown(channel, e);
                return;
            }
        };
        (*c).bootstrap_owned.store(true, Ordering::Release);
        (*c).refs.acquire("rpc server connection");
        let mut options = aws_event_stream_rpc_connection_options {
            on_incoming_stream: None,
            on_connection_protocol_message: None,
            user_data: null_mut(),
        };
        if on_new(c_conn(c), AWS_ERROR_SUCCESS, &mut options, (*l).user_data) != AWS_OP_SUCCESS {
            aws_channel_shutdown(channel, last_error());
            conn_release(c);
            return;
        }
        fatal_precondition!(
            options.on_incoming_stream.is_some()
                && options.on_connection_protocol_message.is_some(),
            "on_new_connection must set on_incoming_stream and on_connection_protocol_message"
        );
        *(*c).callbacks.get() = ConnCallbacks {
            on_incoming_stream: options.on_incoming_stream,
            on_protocol_message: options.on_connection_protocol_message,
            user_data: options.user_data,
        };
        conn_release(c);
    }
}

unsafe extern "C" fn on_channel_shutdown(
    _bootstrap: *mut aws_server_bootstrap,
    error_code: c_int,
    channel: *mut aws_channel,
    user_data: *mut c_void,
) {
    let l = user_data as *mut Listener;
    // SAFETY: loop thread; the channel's connection is live until the release
    // of its first reference below.
    unsafe {
        let c = conn_of_channel(channel);
        if c.is_null() {
            return;
        }
        let _ = (*c).lock().core.close();
        (*c).shut_down_streams();
        (*c).refs.acquire("rpc server connection");
        if let Some(f) = (*l).on_connection_shutdown {
            f(c_conn(c), error_code, (*l).user_data);
        }
        conn_release(c);
        conn_release(c);
    }
}

unsafe extern "C" fn on_listener_destroyed(
    _bootstrap: *mut aws_server_bootstrap,
    user_data: *mut c_void,
) {
    let l = user_data as *mut Listener;
    // SAFETY: the bootstrap's last call for this listener.
    unsafe {
        if let Some(f) = (*l).on_destroy {
            f(c_listener(l), (*l).user_data);
        }
        drop_in((*l).alloc, l);
    }
}

// ---- C API: listener ----------------------------------------------------------------------

/// A listener with one reference (release it with
/// `aws_event_stream_rpc_server_listener_release`); NULL with the error
/// raised. `on_new_connection`, `on_connection_shutdown` and the connection
/// and stream callbacks run on the connection's event-loop thread;
/// `on_destroy_callback` runs once the listener and all its connections are
/// gone.
#[no_mangle]
pub unsafe extern "C" fn aws_event_stream_rpc_server_new_listener(
    allocator: *mut aws_allocator,
    options: *mut aws_event_stream_rpc_server_listener_options,
) -> *mut aws_event_stream_rpc_server_listener {
    fatal_precondition!(
        !allocator.is_null() && !options.is_null(),
        "aws_event_stream_rpc_server_new_listener"
    );
    // SAFETY: checked non-NULL; C's options.
    unsafe {
        let o = &*options;
        let l = new_in(
            allocator,
            Listener {
                alloc: allocator,
                bootstrap: o.bootstrap,
                socket: null_mut(),
                refs: RefCount::new(1),
                on_new_connection: o.on_new_connection,
                on_connection_shutdown: o.on_connection_shutdown,
                on_destroy: o.on_destroy_callback,
                user_data: o.user_data,
            },
        );
        let bootstrap_options = aws_server_socket_channel_bootstrap_options {
            bootstrap: o.bootstrap,
            host_name: o.host_name,
            port: o.port,
            socket_options: o.socket_options,
            tls_options: o.tls_options,
            setup_callback: None,
            incoming_callback: Some(on_incoming_channel),
            shutdown_callback: Some(on_channel_shutdown),
            destroy_callback: Some(on_listener_destroyed),
            enable_read_back_pressure: false,
            user_data: l as *mut c_void,
        };
        let socket = aws_server_bootstrap_new_socket_listener(&bootstrap_options);
        if socket.is_null() {
            // Our bootstrap calls no callback for a listener it failed to make.
            let err = last_error();
            drop_in(allocator, l);
            raise(err);
            return null_mut();
        }
        (*l).socket = socket;
        c_listener(l)
    }
}

#[no_mangle]
pub unsafe extern "C" fn aws_event_stream_rpc_server_listener_acquire(
    listener: *mut aws_event_stream_rpc_server_listener,
) {
    if !listener.is_null() {
        // SAFETY: a live listener from C.
        unsafe {
            (*(listener as *mut Listener))
                .refs
                .acquire("aws_event_stream_rpc_server_listener_acquire")
        };
    }
}

/// The last release stops accepting; `on_destroy_callback` follows once
/// every connection has shut down.
#[no_mangle]
pub unsafe extern "C" fn aws_event_stream_rpc_server_listener_release(
    listener: *mut aws_event_stream_rpc_server_listener,
) {
    if !listener.is_null() {
        // SAFETY: a live listener from C.
        unsafe { listener_release(listener as *mut Listener) };
    }
}

/// The port the listener is bound to (useful after asking for port 0).
#[no_mangle]
pub unsafe extern "C" fn aws_event_stream_rpc_server_listener_get_bound_port(
    listener: *const aws_event_stream_rpc_server_listener,
) -> u32 {
    fatal_precondition!(
        !listener.is_null(),
        "aws_event_stream_rpc_server_listener_get_bound_port"
    );
    // SAFETY: a live listener; its socket is listening.
    unsafe {
        let mut endpoint: aws_socket_endpoint = std::mem::zeroed();
        if aws_socket_get_bound_address((*(listener as *const Listener)).socket, &mut endpoint)
            != AWS_OP_SUCCESS
        {
            return 0;
        }
        endpoint.port
    }
}

// ---- C API: connections ----------------------------------------------------------------------

/// A connection on a channel the caller set up (loop thread). No listener
/// callbacks fire for it. Returned with a reference the caller must release.
#[no_mangle]
pub unsafe extern "C" fn aws_event_stream_rpc_server_connection_from_existing_channel(
    server: *mut aws_event_stream_rpc_server_listener,
    channel: *mut aws_channel,
    connection_options: *const aws_event_stream_rpc_connection_options,
) -> *mut aws_event_stream_rpc_server_connection {
    fatal_precondition!(
        !server.is_null() && !channel.is_null() && !connection_options.is_null(),
        "aws_event_stream_rpc_server_connection_from_existing_channel"
    );
    // SAFETY: checked non-NULL; live objects from C, on the channel's thread.
    unsafe {
        let o = &*connection_options;
        fatal_precondition!(
            o.on_connection_protocol_message.is_some() && o.on_incoming_stream.is_some(),
            "aws_event_stream_rpc_server_connection_from_existing_channel"
        );
        let c = match new_connection(server as *mut Listener, channel) {
            Ok(c) => c,
            Err(e) => {
                raise(e);
                return null_mut();
            }
        };
        *(*c).callbacks.get() = ConnCallbacks {
            on_incoming_stream: o.on_incoming_stream,
            on_protocol_message: o.on_connection_protocol_message,
            user_data: o.user_data,
        };
        (*c).refs.acquire("rpc server connection");
        c_conn(c)
    }
}

unsafe fn conn<'a>(c: *mut aws_event_stream_rpc_server_connection, func: &str) -> &'a Conn {
    if c.is_null() {
        crate::ffi::fatal(&format!("{func}: NULL connection"));
    }
    // SAFETY: a live connection from C.
    unsafe { &*(c as *const Conn) }
}

#[no_mangle]
pub unsafe extern "C" fn aws_event_stream_rpc_server_connection_acquire(
    connection: *mut aws_event_stream_rpc_server_connection,
) {
    // SAFETY: a live connection from C.
    unsafe { conn(connection, "aws_event_stream_rpc_server_connection_acquire") }
        .refs
        .acquire("aws_event_stream_rpc_server_connection_acquire");
}

#[no_mangle]
pub unsafe extern "C" fn aws_event_stream_rpc_server_connection_release(
    connection: *mut aws_event_stream_rpc_server_connection,
) {
    if !connection.is_null() {
        // SAFETY: a live connection from C.
        unsafe { conn_release(connection as *const Conn) };
    }
}

#[no_mangle]
pub unsafe extern "C" fn aws_event_stream_rpc_server_connection_get_user_data(
    connection: *mut aws_event_stream_rpc_server_connection,
) -> *mut c_void {
    // SAFETY: a live connection from C; its callbacks were set on its loop thread.
    unsafe {
        conn(
            connection,
            "aws_event_stream_rpc_server_connection_get_user_data",
        )
        .callbacks()
        .user_data
    }
}

/// Any thread.
#[no_mangle]
pub unsafe extern "C" fn aws_event_stream_rpc_server_connection_is_open(
    connection: *mut aws_event_stream_rpc_server_connection,
) -> bool {
    // SAFETY: a live connection from C.
    unsafe { conn(connection, "aws_event_stream_rpc_server_connection_is_open") }
        .lock()
        .core
        .is_open()
}

/// Any thread. Shuts the channel down with `shutdown_error_code`; the
/// streams close and, for a listener's connection, `on_connection_shutdown`
/// follows on the loop thread.
#[no_mangle]
pub unsafe extern "C" fn aws_event_stream_rpc_server_connection_close(
    connection: *mut aws_event_stream_rpc_server_connection,
    shutdown_error_code: c_int,
) {
    // SAFETY: a live connection from C.
    unsafe { conn(connection, "aws_event_stream_rpc_server_connection_close") }
        .close(shutdown_error_code)
}

/// Any thread. Sends a connection-level message (CONNECT_ACK, PING_RESPONSE,
/// errors…); `flush_fn` (may be NULL) runs on the loop thread once written.
/// Before the CONNECT_ACK only CONNECT_ACK and error messages may go
/// (AWS_ERROR_EVENT_STREAM_RPC_PROTOCOL_ERROR); a closed connection refuses
/// with AWS_ERROR_EVENT_STREAM_RPC_CONNECTION_CLOSED. A CONNECT_ACK without
/// the accepted flag closes the connection once flushed.
#[no_mangle]
pub unsafe extern "C" fn aws_event_stream_rpc_server_connection_send_protocol_message(
    connection: *mut aws_event_stream_rpc_server_connection,
    message_args: *const aws_event_stream_rpc_message_args,
    flush_fn: aws_event_stream_rpc_server_message_flush_fn,
    user_data: *mut c_void,
) -> c_int {
    // SAFETY: live objects from C; the args are copied before returning.
    unsafe {
        let c = conn(
            connection,
            "aws_event_stream_rpc_server_connection_send_protocol_message",
        );
        if !c.lock().core.is_open() {
            return raise(AWS_ERROR_EVENT_STREAM_RPC_CONNECTION_CLOSED);
        }
        let args = match message_args_from_c(message_args) {
            Ok(a) => a,
            Err(e) => return raise(e),
        };
        let out = c.lock().core.send_protocol_message(args);
        match out {
            Ok(out) => {
                c.write(out, flush_fn, user_data);
                AWS_OP_SUCCESS
            }
            Err(e) => raise(e),
        }
    }
}

/// Moves the stream-id counter (tests and proxies use it).
#[no_mangle]
pub unsafe extern "C" fn aws_event_stream_rpc_server_override_last_stream_id(
    connection: *mut aws_event_stream_rpc_server_connection,
    value: i32,
) {
    // SAFETY: a live connection from C.
    unsafe {
        conn(
            connection,
            "aws_event_stream_rpc_server_override_last_stream_id",
        )
    }
    .lock()
    .core
    .override_last_stream_id(value)
}

// ---- C API: continuations ---------------------------------------------------------------------

unsafe fn token<'a>(
    t: *mut aws_event_stream_rpc_server_continuation_token,
    func: &str,
) -> &'a Token {
    if t.is_null() {
        crate::ffi::fatal(&format!("{func}: NULL continuation"));
    }
    // SAFETY: a live token from C.
    unsafe { &*(t as *const Token) }
}

#[no_mangle]
pub unsafe extern "C" fn aws_event_stream_rpc_server_continuation_acquire(
    continuation: *mut aws_event_stream_rpc_server_continuation_token,
) {
    // SAFETY: a live token from C.
    unsafe {
        token(
            continuation,
            "aws_event_stream_rpc_server_continuation_acquire",
        )
    }
    .refs
    .acquire("aws_event_stream_rpc_server_continuation_acquire");
}

#[no_mangle]
pub unsafe extern "C" fn aws_event_stream_rpc_server_continuation_release(
    continuation: *mut aws_event_stream_rpc_server_continuation_token,
) {
    if !continuation.is_null() {
        // SAFETY: a live token from C.
        unsafe { token_release(continuation as *mut Token) };
    }
}

/// Any thread: true once the stream ended (TERMINATE_STREAM either way, or
/// the connection shut down).
#[no_mangle]
pub unsafe extern "C" fn aws_event_stream_rpc_server_continuation_is_closed(
    continuation: *mut aws_event_stream_rpc_server_continuation_token,
) -> bool {
    // SAFETY: a live token from C.
    unsafe {
        token(
            continuation,
            "aws_event_stream_rpc_server_continuation_is_closed",
        )
    }
    .closed
    .load(Ordering::Acquire)
}

/// Any thread. Sends an application message (or error) on the stream;
/// `flush_fn` (may be NULL) runs on the loop thread once written. With
/// TERMINATE_STREAM the stream closes once flushed (`on_continuation_closed`
/// fires). A closed stream refuses with AWS_ERROR_EVENT_STREAM_RPC_STREAM_CLOSED.
#[no_mangle]
pub unsafe extern "C" fn aws_event_stream_rpc_server_continuation_send_message(
    continuation: *mut aws_event_stream_rpc_server_continuation_token,
    message_args: *const aws_event_stream_rpc_message_args,
    flush_fn: aws_event_stream_rpc_server_message_flush_fn,
    user_data: *mut c_void,
) -> c_int {
    // SAFETY: live objects from C; the args are copied before returning.
    unsafe {
        let t = token(
            continuation,
            "aws_event_stream_rpc_server_continuation_send_message",
        );
        let cb = *t.callbacks.get();
        fatal_precondition!(
            cb.on_continuation.is_some() && cb.on_closed.is_some(),
            "aws_event_stream_rpc_server_continuation_send_message"
        );
        if t.closed.load(Ordering::Acquire) {
            return raise(AWS_ERROR_EVENT_STREAM_RPC_STREAM_CLOSED);
        }
        let c = &*t.conn;
        let args = match message_args_from_c(message_args) {
            Ok(a) => a,
            Err(e) => return raise(e),
        };
        let out = c.lock().core.send_on_stream(t.stream_id, args);
        match out {
            Ok(out) => {
                c.write(out, flush_fn, user_data);
                AWS_OP_SUCCESS
            }
            Err(e) => raise(e),
        }
    }
}
