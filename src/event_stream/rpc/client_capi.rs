//! The RPC client C API (`event_stream_rpc_client.h`): a [`ClientConnection`]
//! core behind each connection handle, continuation tokens, and the glue to
//! the client bootstrap and the event-stream channel handler.
//!
//! Threads, as upstream: every callback runs on the connection's event-loop
//! thread (except `on_connection_terminated` / `on_continuation_terminated`,
//! which run wherever the last reference goes). The API may be called from
//! any thread: a send is checked and encoded at once under the connection's
//! lock, then a serialized task on the loop admits it (handshake state, stream
//! still open) and writes it, so sends leave in the order they were made and
//! no flush callback runs inside the call.
//!
//! References, as upstream: the channel holds one on the connection from
//! connect until the channel's shutdown callback (the user acquires their own
//! in the setup callback); each token holds one on its connection; the
//! connection's table holds one on each activated token until its
//! `on_continuation_closed` fired; each send holds one on the connection and
//! its token until its flush callback returned; a close holds one until its
//! task ran.
use std::ptr;
use std::sync::atomic::{AtomicBool, AtomicU32, Ordering};
use std::sync::{Mutex, MutexGuard};

use libc::{c_int, c_void};

use super::client::{ClientAction, ClientConnection};
use super::glue::{
    install_event_stream_handler, message_args_from_c, owned_headers, write_outgoing, CArgs,
    Flushed,
};
use super::protocol::{parse_metadata, AfterFlush, ErrorReply, Handshake, Outgoing, StreamMap};
use crate::common::abi::*;
use crate::common::allocator::{drop_in, new_in};
use crate::common::error::{last_error, raise};
use crate::common::error_codes::*;
use crate::common::ref_count::RefCount;
use crate::common::task_scheduler::aws_task_init;
use crate::event_stream::abi::*;
use crate::event_stream::channel_handler::RustReceiver;
use crate::event_stream::wire::MessageView;
use crate::fatal_precondition;
use crate::io::abi::*;
use crate::io::channel::aws_channel_shutdown;
use crate::io::channel_bootstrap::client::{
    aws_client_bootstrap_acquire, aws_client_bootstrap_new_socket_channel,
    aws_client_bootstrap_release,
};
use crate::io::event_loop::group::aws_event_loop_group_get_next_loop;
use crate::io::event_loop::{
    aws_event_loop_schedule_task_now, aws_event_loop_schedule_task_now_serialized,
};

const LS: aws_event_stream_log_subject =
    aws_event_stream_log_subject::AWS_LS_EVENT_STREAM_RPC_CLIENT;

/// What the connection's lock guards.
struct Synced {
    core: ClientConnection,
    /// Set from the channel's setup to its shutdown (used on the loop thread).
    channel: *mut aws_channel,
    handler: *mut aws_channel_handler,
    /// Activated tokens whose closed callback has not fired; each entry is a
    /// reference. Always the same ids as the core's open streams.
    tokens: StreamMap<*const Token>,
}

/// `struct aws_event_stream_rpc_client_connection`.
struct ClientConn {
    alloc: *mut aws_allocator,
    refs: RefCount,
    bootstrap: *mut aws_client_bootstrap,
    event_loop: *mut aws_event_loop,
    on_setup: aws_event_stream_rpc_client_on_connection_setup_fn,
    on_protocol_message: aws_event_stream_rpc_client_connection_protocol_message_fn,
    on_shutdown: aws_event_stream_rpc_client_on_connection_shutdown_fn,
    on_terminated: aws_event_stream_rpc_client_on_connection_terminated_fn,
    user_data: *mut c_void,
    /// The setup callback got the connection: the shutdown is the user's to hear.
    setup_ok: AtomicBool,
    synced: Mutex<Synced>,
}

// SAFETY: the raw pointers are fixed at creation (C objects usable from any
// thread, or only dereferenced on the loop thread); mutable state is behind
// the mutex or atomic.
unsafe impl Send for ClientConn {}
// SAFETY: as above.
unsafe impl Sync for ClientConn {}
// SAFETY: the channel pointers are only dereferenced on the loop thread; the
// token pointers are references counted atomically.
unsafe impl Send for Synced {}

/// `struct aws_event_stream_rpc_client_continuation_token`.
struct Token {
    conn: *const ClientConn,
    refs: RefCount,
    /// 0 until activated; written under the connection's lock.
    stream_id: AtomicU32,
    on_continuation: aws_event_stream_rpc_client_stream_continuation_fn,
    on_closed: aws_event_stream_rpc_client_stream_continuation_closed_fn,
    on_terminated: aws_event_stream_rpc_client_stream_continuation_terminated_fn,
    user_data: *mut c_void,
}

/// A pointer moved into a job for the loop thread.
struct Ptr<T>(*const T);
// SAFETY: what it points to is Sync (connection, token) or is handed over
// whole to the job (flush record); the reference the job holds keeps it alive.
unsafe impl<T> Send for Ptr<T> {}

impl ClientConn {
    fn lock(&self) -> MutexGuard<'_, Synced> {
        self.synced.lock().unwrap_or_else(|e| e.into_inner())
    }

    fn handle(&self) -> *mut aws_event_stream_rpc_client_connection {
        self as *const ClientConn as *mut aws_event_stream_rpc_client_connection
    }

    fn acquire(&self) {
        self.refs
            .acquire("aws_event_stream_rpc_client_connection_acquire");
    }

    /// Loop thread, from the channel's setup: puts the event-stream handler
    /// in the channel, feeding this connection.
    ///
    /// # Safety
    /// `channel` is live; the connection outlives it (the channel's reference).
    unsafe fn attach(&self, channel: *mut aws_channel) -> Result<(), c_int> {
        let me = self as *const ClientConn;
        // SAFETY: the receiver runs on the loop thread while the channel is
        // up, and the channel's reference keeps the connection alive until
        // the channel has shut down.
        let receiver: RustReceiver = Box::new(move |frame| unsafe { (*me).on_frame(frame) });
        // SAFETY: per the caller.
        let handler = unsafe {
            install_event_stream_handler(
                self.alloc,
                channel,
                receiver,
                me as *mut c_void,
                0,
                false,
            )?
        };
        let mut s = self.lock();
        s.channel = channel;
        s.handler = handler;
        s.core.on_channel_setup();
        Ok(())
    }

    /// Loop thread: one message (or a framing error) from the handler.
    fn on_frame(&self, frame: Result<MessageView<'_>, c_int>) {
        // A framing error shuts the channel down with it (the handler does).
        let Ok(view) = frame else { return };
        let Ok(message) = owned_headers(&view) else {
            // Upstream answers headers it cannot list with INTERNAL_ERROR.
            let mut s = self.lock();
            // SAFETY: a live connection (the channel's reference).
            unsafe {
                self.submit(
                    &mut s,
                    ErrorReply::Internal.outgoing(),
                    ptr::null(),
                    None,
                    ptr::null_mut(),
                )
            };
            return;
        };
        let (action, token) = {
            let mut s = self.lock();
            let action = s.core.on_message(&message);
            let token = match &action {
                ClientAction::Continuation { stream_id, .. } => s.tokens.get(stream_id).copied(),
                _ => None,
            };
            if let Some(t) = token {
                // SAFETY: a table entry is a live reference.
                unsafe { &*t }.refs.acquire("rpc client continuation");
            }
            if let ClientAction::Violation(reply) = &action {
                // SAFETY: as above.
                unsafe { self.submit(&mut s, reply.clone(), ptr::null(), None, ptr::null_mut()) };
            }
            (action, token)
        };
        let c_args = || {
            let meta = parse_metadata(&message).expect("the core routed it, so it parsed");
            CArgs::new(&message, view.payload, meta.message_type, meta.flags as u32)
        };
        match action {
            ClientAction::ProtocolMessage => {
                let mut args = c_args();
                let c = args.as_c();
                if let Some(cb) = self.on_protocol_message {
                    // SAFETY: the user's callback; the args borrow `message` for the call.
                    unsafe { cb(self.handle(), &c, self.user_data) };
                }
            }
            ClientAction::Continuation {
                stream_id,
                terminate,
            } => {
                let Some(t) = token else { return };
                let mut args = c_args();
                let c = args.as_c();
                // SAFETY: the reference taken above keeps the token alive.
                let tr = unsafe { &*t };
                if let Some(cb) = tr.on_continuation {
                    // SAFETY: the user's callback, with its token and user data.
                    unsafe { cb(t as *mut _, &c, tr.user_data) };
                }
                if terminate {
                    let ended = {
                        let mut s = self.lock();
                        if s.core.end_stream(stream_id) {
                            s.tokens.remove(&stream_id)
                        } else {
                            None
                        }
                    };
                    if let Some(t) = ended {
                        // SAFETY: the table's reference, handed over.
                        unsafe { complete(t) };
                    }
                }
                // SAFETY: the reference taken above.
                unsafe { release_token(t) };
            }
            ClientAction::Ignored | ClientAction::Violation(_) => {}
        }
    }

    /// Any thread, under the lock: queues `out` for the loop thread. Takes
    /// a reference on the connection and on `token` (if any) until the flush
    /// callback returned. Queuing under the lock keeps stream ids in order.
    ///
    /// # Safety
    /// `token` is NULL or a live token of this connection.
    unsafe fn submit(
        &self,
        _held: &mut MutexGuard<'_, Synced>,
        out: Outgoing,
        token: *const Token,
        flush_fn: aws_event_stream_rpc_client_message_flush_fn,
        user_data: *mut c_void,
    ) {
        self.acquire();
        // SAFETY: per the caller.
        if let Some(t) = unsafe { token.as_ref() } {
            t.refs.acquire("rpc client send");
        }
        // SAFETY: freed by on_flushed, which every send reaches exactly once.
        let flush = unsafe {
            new_in(
                self.alloc,
                FlushRecord {
                    alloc: self.alloc,
                    token,
                    flush_fn,
                    user_data,
                },
            )
        };
        let (me, flush) = (Ptr(self as *const ClientConn), Ptr(flush));
        let job: Box<dyn FnOnce(bool) + Send> = Box::new(move |ran| {
            let (me, flush) = ({ me }.0, { flush }.0 as *mut FlushRecord);
            // SAFETY: the send's reference keeps the connection alive; the
            // record is this send's.
            unsafe { (*me).run_send(out, flush, ran) };
        });
        // SAFETY: the connection reference taken above keeps the loop (held
        // through the bootstrap) and the connection alive until the job ran.
        unsafe {
            schedule_on_loop(
                self,
                c"aws_event_stream_client_connection_send_message_task",
                true,
                job,
            )
        };
    }

    /// Loop thread: admits and writes one send, or fails it as upstream does.
    ///
    /// # Safety
    /// `flush` is this send's live record; the send holds a connection reference.
    unsafe fn run_send(&self, out: Outgoing, flush: *mut FlushRecord, ran: bool) {
        let admitted = if ran {
            let mut s = self.lock();
            s.core.admit(&out).map(|()| s.handler)
        } else {
            // Cancelled with its event loop.
            Err(super::client::Rejected {
                error: AWS_ERROR_UNKNOWN,
                shutdown_channel: false,
            })
        };
        match admitted {
            // SAFETY: an admitted send has a channel, so a live handler; the
            // send's reference passes to the write (released in Flushed).
            Ok(handler) => unsafe {
                write_outgoing(
                    self.alloc,
                    handler,
                    self as &dyn Flushed as *const dyn Flushed,
                    out,
                    Some(on_flushed),
                    flush as *mut c_void,
                )
            },
            Err(rejected) => {
                // SAFETY: the record completes here, once.
                unsafe { on_flushed(rejected.error, flush as *mut c_void) };
                if let Some(code) = out.after_flush.close_with {
                    self.close(code);
                }
                if rejected.shutdown_channel {
                    let channel = self.lock().channel;
                    if !channel.is_null() {
                        // SAFETY: loop thread; the channel is live until its shutdown callback.
                        unsafe { aws_channel_shutdown(channel, rejected.error) };
                    }
                }
                // SAFETY: the send's reference.
                unsafe { release_conn(self) };
            }
        }
    }

    /// `aws_event_stream_rpc_client_connection_close`: the first call marks
    /// the connection closed and shuts the channel down from a loop task.
    fn close(&self, error_code: c_int) {
        if !self.lock().core.close() {
            return;
        }
        crate::aws_log!(
            aws_log_level::AWS_LL_DEBUG,
            LS,
            "id={:p}: closing with error {}",
            self,
            error_code
        );
        self.acquire();
        let me = Ptr(self as *const ClientConn);
        let job: Box<dyn FnOnce(bool) + Send> = Box::new(move |ran| {
            let me = { me }.0;
            // SAFETY: the close's reference keeps the connection alive; on
            // the loop thread the channel is live while it is set.
            unsafe {
                let channel = (*me).lock().channel;
                if ran && !channel.is_null() {
                    aws_channel_shutdown(channel, error_code);
                }
                release_conn(me);
            }
        });
        // SAFETY: the reference taken above keeps the connection alive until the job ran.
        unsafe {
            schedule_on_loop(
                self,
                c"aws_event_stream_client_connection_close_task",
                false,
                job,
            )
        };
    }
}

impl Flushed for ClientConn {
    fn after_flush(&self, after: AfterFlush, error_code: c_int, fire_flush: &mut dyn FnMut(c_int)) {
        if let Some(id) = after.end_stream {
            let ended = {
                let mut s = self.lock();
                if s.core.end_stream(id) {
                    s.tokens.remove(&id)
                } else {
                    None
                }
            };
            if let Some(t) = ended {
                // SAFETY: the table's reference, handed over.
                unsafe { complete(t) };
            }
        }
        fire_flush(error_code);
        if let Some(code) = after.close_with {
            self.close(code);
        }
    }

    fn release_send_ref(&self) {
        // SAFETY: the send's reference; the glue does not touch `self` after.
        unsafe { release_conn(self) };
    }
}

/// A send's flush callback and the token reference it holds.
struct FlushRecord {
    alloc: *mut aws_allocator,
    token: *const Token,
    flush_fn: aws_event_stream_rpc_client_message_flush_fn,
    user_data: *mut c_void,
}

/// Fires the user's flush callback, then drops the send's token reference.
unsafe extern "C" fn on_flushed(error_code: c_int, record: *mut c_void) {
    // SAFETY: `record` is a FlushRecord; each send completes it once.
    unsafe {
        let r = record as *mut FlushRecord;
        let FlushRecord {
            alloc,
            token,
            flush_fn,
            user_data,
        } = ptr::read(r);
        drop_in(alloc, r);
        if let Some(f) = flush_fn {
            f(error_code, user_data);
        }
        if !token.is_null() {
            release_token(token);
        }
    }
}

/// A closure run once on an event loop (`true`), or with `false` if cancelled.
#[repr(C)]
struct LoopJob {
    task: aws_task,
    alloc: *mut aws_allocator,
    f: Option<Box<dyn FnOnce(bool) + Send>>,
}

/// Schedules `f` on the connection's event loop, `serialized` (in order
/// with other serialized tasks from any thread) or now.
///
/// # Safety
/// The loop outlives the job (the connection holds its bootstrap).
unsafe fn schedule_on_loop(
    conn: &ClientConn,
    tag: &'static std::ffi::CStr,
    serialized: bool,
    f: Box<dyn FnOnce(bool) + Send>,
) {
    unsafe extern "C" fn run(_task: *mut aws_task, arg: *mut c_void, status: c_int) {
        // SAFETY: `arg` is the LoopJob scheduled below; it runs exactly once.
        unsafe {
            let job = arg as *mut LoopJob;
            let f = (*job).f.take();
            drop_in((*job).alloc, job);
            if let Some(f) = f {
                f(status == aws_task_status::AWS_TASK_STATUS_RUN_READY as c_int);
            }
        }
    }
    // SAFETY: per the caller; the job frees itself when it runs.
    unsafe {
        let job = new_in(
            conn.alloc,
            LoopJob {
                task: std::mem::zeroed(),
                alloc: conn.alloc,
                f: Some(f),
            },
        );
        let task = ptr::addr_of_mut!((*job).task);
        aws_task_init(task, Some(run), job as *mut c_void, tag.as_ptr());
        if serialized {
            aws_event_loop_schedule_task_now_serialized(conn.event_loop, task);
        } else {
            aws_event_loop_schedule_task_now(conn.event_loop, task);
        }
    }
}

/// Drops a connection reference; the last one frees it, releases its
/// bootstrap and fires `on_connection_terminated`.
///
/// # Safety
/// `conn` is live and the caller owns one reference.
unsafe fn release_conn(conn: *const ClientConn) {
    // SAFETY: per the caller; nothing touches the connection after the last release.
    unsafe {
        if !(*conn)
            .refs
            .release("aws_event_stream_rpc_client_connection_release")
        {
            return;
        }
        let (alloc, bootstrap) = ((*conn).alloc, (*conn).bootstrap);
        let (on_terminated, user_data) = ((*conn).on_terminated, (*conn).user_data);
        crate::aws_log!(
            aws_log_level::AWS_LL_DEBUG,
            LS,
            "id={:p}: connection destroyed",
            conn
        );
        drop_in(alloc, conn as *mut ClientConn);
        aws_client_bootstrap_release(bootstrap);
        if let Some(f) = on_terminated {
            f(user_data);
        }
    }
}

/// Drops a token reference; the last one releases its connection, frees it
/// and fires `on_continuation_terminated`.
///
/// # Safety
/// `t` is live and the caller owns one reference.
unsafe fn release_token(t: *const Token) {
    // SAFETY: per the caller; nothing touches the token after the last release.
    unsafe {
        if !(*t)
            .refs
            .release("aws_event_stream_rpc_client_continuation_release")
        {
            return;
        }
        let conn = (*t).conn;
        let alloc = (*conn).alloc;
        let (on_terminated, user_data) = ((*t).on_terminated, (*t).user_data);
        release_conn(conn);
        drop_in(alloc, t as *mut Token);
        if let Some(f) = on_terminated {
            f(user_data);
        }
    }
}

/// Fires `on_continuation_closed` for a stream that just ended and drops
/// the table's reference (loop thread, no lock held).
///
/// # Safety
/// `t` is live and the table's reference is handed over.
unsafe fn complete(t: *const Token) {
    // SAFETY: per the caller.
    unsafe {
        if let Some(cb) = (*t).on_closed {
            cb(t as *mut _, (*t).user_data);
        }
        release_token(t);
    }
}

// ---- channel callbacks (loop thread) --------------------------------------------

unsafe extern "C" fn on_channel_setup(
    _bootstrap: *mut aws_client_bootstrap,
    error_code: c_int,
    channel: *mut aws_channel,
    user_data: *mut c_void,
) {
    let conn = user_data as *const ClientConn;
    // SAFETY: `user_data` is the connection; the channel's reference keeps it alive.
    unsafe {
        let c = &*conn;
        let setup = c.on_setup.expect("checked at connect");
        if error_code == AWS_OP_SUCCESS {
            if let Err(e) = c.attach(channel) {
                setup(ptr::null_mut(), e, c.user_data);
                // The channel's reference goes in its shutdown callback.
                aws_channel_shutdown(channel, e);
                return;
            }
            c.setup_ok.store(true, Ordering::Release);
            // Alive for the callback even if the user does not acquire it.
            c.acquire();
            setup(c.handle(), AWS_OP_SUCCESS, c.user_data);
        } else {
            setup(ptr::null_mut(), error_code, c.user_data);
        }
        release_conn(conn);
    }
}

unsafe extern "C" fn on_channel_shutdown(
    _bootstrap: *mut aws_client_bootstrap,
    error_code: c_int,
    _channel: *mut aws_channel,
    user_data: *mut c_void,
) {
    let conn = user_data as *const ClientConn;
    // SAFETY: `user_data` is the connection, alive until the release below.
    unsafe {
        let c = &*conn;
        let ended: Vec<*const Token> = {
            let mut s = c.lock();
            s.channel = ptr::null_mut();
            s.handler = ptr::null_mut();
            let ids = s.core.on_shutdown();
            ids.iter().filter_map(|id| s.tokens.remove(id)).collect()
        };
        // Every stream closes before the connection reports its shutdown.
        for t in ended {
            complete(t);
        }
        if c.setup_ok.load(Ordering::Acquire) {
            c.acquire();
            if let Some(cb) = c.on_shutdown {
                cb(c.handle(), error_code, c.user_data);
            }
            release_conn(conn);
        }
        release_conn(conn);
    }
}

// ---- C API -------------------------------------------------------------------------

/// # Safety
/// A live connection handle from this library.
unsafe fn conn_ref<'a>(
    c: *const aws_event_stream_rpc_client_connection,
    who: &str,
) -> &'a ClientConn {
    if c.is_null() {
        crate::ffi::fatal(&format!("{who}: NULL connection"));
    }
    // SAFETY: per the caller.
    unsafe { &*(c as *const ClientConn) }
}

/// # Safety
/// A live token handle from this library.
unsafe fn token_ref<'a>(
    t: *const aws_event_stream_rpc_client_continuation_token,
    who: &str,
) -> &'a Token {
    if t.is_null() {
        crate::ffi::fatal(&format!("{who}: NULL continuation"));
    }
    // SAFETY: per the caller.
    unsafe { &*(t as *const Token) }
}

/// Raises `r`'s error (after every lock is released) or returns success.
fn op_result(r: Result<(), c_int>) -> c_int {
    match r {
        Ok(()) => AWS_OP_SUCCESS,
        Err(e) => raise(e),
    }
}

/// Connects to `host_name:port` (or a Unix socket path) through `bootstrap`.
/// On success `on_connection_setup` runs exactly once, on the connection's
/// event-loop thread: with the connection (acquire it there to keep it; the
/// library's reference goes when the channel shuts down) or with NULL and the
/// error. `on_connection_shutdown` runs on the same thread, only after a
/// successful setup; `on_connection_protocol_message` on it for each
/// connection-level message. `on_connection_terminated` runs where the last
/// reference is released (also after a failed connect).
#[no_mangle]
pub unsafe extern "C" fn aws_event_stream_rpc_client_connection_connect(
    allocator: *mut aws_allocator,
    conn_options: *const aws_event_stream_rpc_client_connection_options,
) -> c_int {
    fatal_precondition!(
        !allocator.is_null() && !conn_options.is_null(),
        "aws_event_stream_rpc_client_connection_connect"
    );
    // SAFETY: checked non-NULL; the caller's options are only read.
    let o = unsafe { &*conn_options };
    fatal_precondition!(
        o.on_connection_setup.is_some()
            && o.on_connection_protocol_message.is_some()
            && o.on_connection_shutdown.is_some()
            && !o.bootstrap.is_null(),
        "aws_event_stream_rpc_client_connection_connect"
    );
    // SAFETY: a live bootstrap and allocator from the caller.
    unsafe {
        let event_loop = aws_event_loop_group_get_next_loop((*o.bootstrap).event_loop_group);
        let conn = new_in(
            allocator,
            ClientConn {
                alloc: allocator,
                refs: RefCount::new(1),
                bootstrap: aws_client_bootstrap_acquire(o.bootstrap),
                event_loop,
                on_setup: o.on_connection_setup,
                on_protocol_message: o.on_connection_protocol_message,
                on_shutdown: o.on_connection_shutdown,
                on_terminated: o.on_connection_terminated,
                user_data: o.user_data,
                setup_ok: AtomicBool::new(false),
                synced: Mutex::new(Synced {
                    core: ClientConnection::new(),
                    channel: ptr::null_mut(),
                    handler: ptr::null_mut(),
                    tokens: StreamMap::default(),
                }),
            },
        );
        let mut bootstrap_options = aws_socket_channel_bootstrap_options {
            bootstrap: o.bootstrap,
            host_name: o.host_name,
            port: o.port,
            socket_options: o.socket_options,
            tls_options: o.tls_options,
            creation_callback: None,
            setup_callback: Some(on_channel_setup),
            shutdown_callback: Some(on_channel_shutdown),
            enable_read_back_pressure: false,
            user_data: conn as *mut c_void,
            requested_event_loop: event_loop,
            host_resolution_override_config: ptr::null(),
        };
        if aws_client_bootstrap_new_socket_channel(&mut bootstrap_options) != AWS_OP_SUCCESS {
            let error = last_error();
            release_conn(conn);
            return raise(error);
        }
        crate::aws_log!(aws_log_level::AWS_LL_DEBUG, LS, "id={:p}: connecting", conn);
        AWS_OP_SUCCESS
    }
}

/// Any thread.
#[no_mangle]
pub unsafe extern "C" fn aws_event_stream_rpc_client_connection_acquire(
    connection: *const aws_event_stream_rpc_client_connection,
) {
    // SAFETY: a live handle per the caller.
    unsafe { conn_ref(connection, "aws_event_stream_rpc_client_connection_acquire") }.acquire();
}

/// Any thread; NULL is ignored. The last release frees the connection (close
/// it first: an open connection keeps its own reference until shutdown).
#[no_mangle]
pub unsafe extern "C" fn aws_event_stream_rpc_client_connection_release(
    connection: *const aws_event_stream_rpc_client_connection,
) {
    if !connection.is_null() {
        // SAFETY: a live handle and the caller's reference.
        unsafe { release_conn(connection as *const ClientConn) };
    }
}

/// Any thread. The first call closes the connection (sends fail from now
/// on) and shuts its channel down with `shutdown_error_code` from a task on
/// the event loop; `on_connection_shutdown` follows there.
#[no_mangle]
pub unsafe extern "C" fn aws_event_stream_rpc_client_connection_close(
    connection: *mut aws_event_stream_rpc_client_connection,
    shutdown_error_code: c_int,
) {
    // SAFETY: a live handle per the caller.
    unsafe { conn_ref(connection, "aws_event_stream_rpc_client_connection_close") }
        .close(shutdown_error_code);
}

/// Any thread.
#[no_mangle]
pub unsafe extern "C" fn aws_event_stream_rpc_client_connection_is_open(
    connection: *const aws_event_stream_rpc_client_connection,
) -> bool {
    // SAFETY: a live handle per the caller.
    unsafe { conn_ref(connection, "aws_event_stream_rpc_client_connection_is_open") }
        .lock()
        .core
        .is_open()
}

/// Any thread. Queues a connection-level message (stream id 0); `flush_fn`
/// (may be NULL) then runs exactly once on the event-loop thread: 0 once
/// written, or the error (AWS_ERROR_EVENT_STREAM_RPC_CONNECTION_CLOSED,
/// AWS_ERROR_EVENT_STREAM_RPC_PROTOCOL_ERROR if the handshake does not allow
/// it — CONNECT first, then nothing until the CONNECT_ACK — after which a
/// non-application message failure shuts the connection down).
#[no_mangle]
pub unsafe extern "C" fn aws_event_stream_rpc_client_connection_send_protocol_message(
    connection: *mut aws_event_stream_rpc_client_connection,
    message_args: *const aws_event_stream_rpc_message_args,
    flush_fn: aws_event_stream_rpc_client_message_flush_fn,
    user_data: *mut c_void,
) -> c_int {
    // SAFETY: a live handle and args per the caller.
    let (c, args) = unsafe {
        (
            conn_ref(
                connection,
                "aws_event_stream_rpc_client_connection_send_protocol_message",
            ),
            message_args_from_c(message_args),
        )
    };
    op_result((|| {
        let mut s = c.lock();
        let out = s.core.send_protocol_message(args?)?;
        // SAFETY: no token.
        unsafe { c.submit(&mut s, out, ptr::null(), flush_fn, user_data) };
        Ok(())
    })())
}

/// Any thread; NULL gives NULL.
#[no_mangle]
pub unsafe extern "C" fn aws_event_stream_rpc_client_connection_get_event_loop(
    connection: *const aws_event_stream_rpc_client_connection,
) -> *mut aws_event_loop {
    if connection.is_null() {
        return ptr::null_mut();
    }
    // SAFETY: a live handle per the caller.
    unsafe {
        conn_ref(
            connection,
            "aws_event_stream_rpc_client_connection_get_event_loop",
        )
    }
    .event_loop
}

/// Any thread. A new continuation token (reference count 1; release it when
/// done). Nothing is sent and no callback fires until it is activated; then
/// `on_continuation` and `on_continuation_closed` (exactly once, also when
/// the connection shuts down) run on the connection's event-loop thread, and
/// `on_continuation_terminated` (optional) where the last reference goes.
#[no_mangle]
pub unsafe extern "C" fn aws_event_stream_rpc_client_connection_new_stream(
    connection: *mut aws_event_stream_rpc_client_connection,
    continuation_options: *const aws_event_stream_rpc_client_stream_continuation_options,
) -> *mut aws_event_stream_rpc_client_continuation_token {
    fatal_precondition!(
        !continuation_options.is_null(),
        "aws_event_stream_rpc_client_connection_new_stream"
    );
    // SAFETY: a live handle and options per the caller.
    unsafe {
        let c = conn_ref(
            connection,
            "aws_event_stream_rpc_client_connection_new_stream",
        );
        let o = &*continuation_options;
        fatal_precondition!(
            o.on_continuation.is_some() && o.on_continuation_closed.is_some(),
            "aws_event_stream_rpc_client_connection_new_stream"
        );
        c.acquire();
        new_in(
            c.alloc,
            Token {
                conn: c,
                refs: RefCount::new(1),
                stream_id: AtomicU32::new(0),
                on_continuation: o.on_continuation,
                on_closed: o.on_continuation_closed,
                on_terminated: o.on_continuation_terminated,
                user_data: o.user_data,
            },
        ) as *mut aws_event_stream_rpc_client_continuation_token
    }
}

/// Any thread.
#[no_mangle]
pub unsafe extern "C" fn aws_event_stream_rpc_client_continuation_acquire(
    continuation: *const aws_event_stream_rpc_client_continuation_token,
) {
    // SAFETY: a live handle per the caller.
    unsafe {
        token_ref(
            continuation,
            "aws_event_stream_rpc_client_continuation_acquire",
        )
    }
    .refs
    .acquire("aws_event_stream_rpc_client_continuation_acquire");
}

/// Any thread; NULL is ignored.
#[no_mangle]
pub unsafe extern "C" fn aws_event_stream_rpc_client_continuation_release(
    continuation: *const aws_event_stream_rpc_client_continuation_token,
) {
    if !continuation.is_null() {
        // SAFETY: a live handle and the caller's reference.
        unsafe { release_token(continuation as *const Token) };
    }
}

/// Any thread. True once the stream ended (TERMINATE_STREAM received, or
/// sent and flushed, or the connection shut down); false before activation.
#[no_mangle]
pub unsafe extern "C" fn aws_event_stream_rpc_client_continuation_is_closed(
    continuation: *const aws_event_stream_rpc_client_continuation_token,
) -> bool {
    // SAFETY: a live handle per the caller.
    let t = unsafe {
        token_ref(
            continuation,
            "aws_event_stream_rpc_client_continuation_is_closed",
        )
    };
    let id = t.stream_id.load(Ordering::Acquire);
    // SAFETY: a token holds its connection.
    id != 0 && unsafe { &*t.conn }.lock().core.is_stream_closed(id)
}

/// Any thread. Starts the stream: it takes the next stream id and its first
/// message carries `operation_name`. Fails with AWS_ERROR_INVALID_STATE if
/// already activated, AWS_ERROR_EVENT_STREAM_RPC_CONNECTION_CLOSED before the
/// CONNECT_ACK or once closed. On success `flush_fn` (may be NULL) runs once
/// on the event-loop thread, as do the token's callbacks from then on.
#[no_mangle]
pub unsafe extern "C" fn aws_event_stream_rpc_client_continuation_activate(
    continuation: *mut aws_event_stream_rpc_client_continuation_token,
    operation_name: aws_byte_cursor,
    message_args: *const aws_event_stream_rpc_message_args,
    flush_fn: aws_event_stream_rpc_client_message_flush_fn,
    user_data: *mut c_void,
) -> c_int {
    // SAFETY: a live handle, cursor and args per the caller.
    let (t, args, operation) = unsafe {
        (
            token_ref(
                continuation,
                "aws_event_stream_rpc_client_continuation_activate",
            ),
            message_args_from_c(message_args),
            crate::ffi::slice(operation_name.ptr, operation_name.len),
        )
    };
    // SAFETY: a token holds its connection.
    let c = unsafe { &*t.conn };
    op_result((|| {
        let mut s = c.lock();
        if t.stream_id.load(Ordering::Acquire) != 0 {
            return Err(AWS_ERROR_INVALID_STATE);
        }
        if !s.core.is_open() || s.core.handshake() != Handshake::ConnectAckProcessed {
            return Err(AWS_ERROR_EVENT_STREAM_RPC_CONNECTION_CLOSED);
        }
        let out = s.core.activate(operation, args?)?;
        let id = out.stream_id;
        t.stream_id.store(id, Ordering::Release);
        t.refs.acquire("rpc client continuation table");
        s.tokens.insert(id, t);
        // SAFETY: `t` is live (the caller's reference).
        unsafe { c.submit(&mut s, out, t, flush_fn, user_data) };
        Ok(())
    })())
}

/// Any thread.
#[no_mangle]
pub unsafe extern "C" fn aws_event_stream_rpc_client_continuation_get_user_data(
    continuation: *mut aws_event_stream_rpc_client_continuation_token,
) -> *mut c_void {
    // SAFETY: a live handle per the caller.
    unsafe {
        token_ref(
            continuation,
            "aws_event_stream_rpc_client_continuation_get_user_data",
        )
    }
    .user_data
}

/// Any thread. Queues a message on an activated stream:
/// AWS_ERROR_EVENT_STREAM_RPC_STREAM_NOT_ACTIVATED before activation,
/// AWS_ERROR_EVENT_STREAM_RPC_STREAM_CLOSED once it ended. With the
/// TERMINATE_STREAM flag the stream ends (`on_continuation_closed`) once the
/// message is flushed. `flush_fn` (may be NULL) runs once on the event-loop thread.
#[no_mangle]
pub unsafe extern "C" fn aws_event_stream_rpc_client_continuation_send_message(
    continuation: *mut aws_event_stream_rpc_client_continuation_token,
    message_args: *const aws_event_stream_rpc_message_args,
    flush_fn: aws_event_stream_rpc_client_message_flush_fn,
    user_data: *mut c_void,
) -> c_int {
    // SAFETY: a live handle per the caller.
    let t = unsafe {
        token_ref(
            continuation,
            "aws_event_stream_rpc_client_continuation_send_message",
        )
    };
    let id = t.stream_id.load(Ordering::Acquire);
    if id == 0 {
        return raise(AWS_ERROR_EVENT_STREAM_RPC_STREAM_NOT_ACTIVATED);
    }
    // SAFETY: args per the caller; a token holds its connection.
    let (args, c) = unsafe { (message_args_from_c(message_args), &*t.conn) };
    op_result((|| {
        let mut s = c.lock();
        if s.core.is_stream_closed(id) {
            return Err(AWS_ERROR_EVENT_STREAM_RPC_STREAM_CLOSED);
        }
        let out = s.core.send_on_stream(id, args?)?;
        // SAFETY: `t` is live (the caller's reference).
        unsafe { c.submit(&mut s, out, t, flush_fn, user_data) };
        Ok(())
    })())
}
