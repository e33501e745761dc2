//! The TLS channel handler: a rustls connection between the socket side
//! (left) and the application side (right), on the Rust handler trait.
//!
//! Reads: ciphertext messages are queued; rustls is fed from the queue only
//! while it wants more (`read_tls` → `process_new_packets`), and decrypted
//! data goes right in pool messages no larger than the downstream read
//! window, so back-pressure holds. Data that arrives with the peer's last
//! handshake flight is delivered right after the negotiation callback.
//! During the handshake each message's bytes are given back to the window
//! at once (handshake bytes are not application data), as upstream.
//!
//! Writes: plaintext is encrypted into as many write messages as needed; the
//! last one carries the original message's completion callback.
//!
//! Negotiation: a client starts with `aws_tls_client_handler_start_negotiation`,
//! a server on its first read. A timeout (`timeout_ms`) shuts the channel
//! down with AWS_IO_TLS_NEGOTIATION_TIMEOUT. Failure reports
//! AWS_IO_TLS_ERROR_NEGOTIATION_FAILURE to `on_negotiation_result`, then
//! shuts the channel down with it; a bad record after the handshake shuts it
//! down with AWS_IO_TLS_ERROR_READ_FAILURE, a close_notify from the peer with
//! success. Shutting down the write direction sends close_notify.
//!
//! Custom key operations: a client whose key a C handler holds signs through
//! it (`key_ops`); when the operation fails or is not completed by the
//! negotiation deadline, the channel is shut down with the handler's error
//! (or AWS_IO_TLS_NEGOTIATION_TIMEOUT) and `on_negotiation_result` is not
//! called, as upstream's s2n handler does.
use std::cell::{Cell, RefCell, UnsafeCell};
use std::collections::VecDeque;
use std::io::{Read, Write};
use std::ptr::{self, NonNull};
use std::sync::Arc;

use libc::{c_int, c_void};
use rustls::Connection;

use super::ctx;
use super::key_ops::KeyOpSession;
use crate::common::abi::aws_log_level::{AWS_LL_DEBUG, AWS_LL_WARN};
use crate::common::abi::*;
use crate::common::error_codes::*;
use crate::io::abi::aws_io_log_subject::AWS_LS_IO_TLS;
use crate::io::abi::aws_tls_negotiation_status::*;
use crate::io::abi::*;
use crate::io::channel::rust_handler::*;
use crate::io::channel::{aws_channel_current_clock_time, aws_channel_slot_downstream_read_window};

/// Upstream's estimates: bytes a record adds, a record's payload, and the
/// window a handshake needs.
const EST_TLS_RECORD_OVERHEAD: usize = 53;
const MAX_RECORD_SIZE: usize = 16 * 1024;
const EST_HANDSHAKE_SIZE: usize = 7 * 1024;
/// The largest TLS record on the wire (header, 16 KiB, TLS 1.2's expansion).
const MAX_WIRE_RECORD: usize = 5 + 16 * 1024 + 2048;

#[derive(Clone, Copy, PartialEq, Eq, Debug)]
enum Negotiation {
    Ongoing,
    Succeeded,
    Failed,
}

#[derive(Clone, Copy, PartialEq, Eq, Debug)]
enum ReadState {
    Open,
    /// Read shutdown waits for queued data to reach the next handler.
    ShuttingDown,
    ShutDown,
}

/// What a bootstrap does once negotiation is over (with its error code).
pub(crate) type AfterNegotiation = Box<dyn FnOnce(c_int)>;

/// The user's callbacks from `aws_tls_connection_options` (`on_error` is
/// never called, as with upstream's s2n handler).
struct Callbacks {
    on_negotiation_result: aws_tls_on_negotiation_result_fn,
    on_data_read: aws_tls_on_data_read_fn,
    user_data: *mut c_void,
}

pub(crate) struct TlsHandler {
    slot: Slot,
    conn: RefCell<Session>,
    /// Our reference to the context the configuration came from.
    ctx: *mut aws_tls_ctx,
    callbacks: Callbacks,
    advertise_alpn_message: Cell<bool>,
    timeout_ms: u32,
    negotiation: Cell<Negotiation>,
    started: Cell<bool>,
    read_state: Cell<ReadState>,
    shutdown_error: Cell<c_int>,
    /// Ciphertext not yet taken by rustls (front may be partly consumed: copy_mark).
    input: RefCell<VecDeque<IoMessage>>,
    /// Negotiated ALPN protocol and server name; handed to C by pointer.
    protocol: UnsafeCell<Vec<u8>>,
    server_name: UnsafeCell<Vec<u8>>,
    stats: UnsafeCell<aws_crt_statistics_tls>,
    timeout_task: HandlerTask<TlsHandler>,
    read_task: HandlerTask<TlsHandler>,
    /// The bootstrap's step after the user's negotiation callback.
    after_negotiation: RefCell<Option<AfterNegotiation>>,
    /// A client whose key a custom handler holds: its operations' deadline
    /// and the error that failed one.
    key_op: Option<Arc<KeyOpSession>>,
}

crate::channel_handler_vtable!(TlsHandler);

/// Writes into a message's spare room.
struct SpareWriter<'a>(&'a mut IoMessage);

impl Write for SpareWriter<'_> {
    fn write(&mut self, bytes: &[u8]) -> std::io::Result<usize> {
        Ok(self.0.append(bytes))
    }
    /// rustls hands over all its pending records at once: take as many as
    /// fit, so a handshake flight leaves in one io message (one socket write;
    /// record by record, Nagle and delayed ACKs stalled each handshake ~20 ms).
    fn write_vectored(&mut self, bufs: &[std::io::IoSlice<'_>]) -> std::io::Result<usize> {
        let mut n = 0;
        for b in bufs {
            let took = self.0.append(b);
            n += took;
            if took < b.len() {
                break;
            }
        }
        Ok(n)
    }
    fn flush(&mut self) -> std::io::Result<()> {
        Ok(())
    }
}

fn now_ns(slot: Slot) -> u64 {
    let mut now = 0;
    // SAFETY: a live channel; `now` is a local.
    unsafe { aws_channel_current_clock_time(slot.channel(), &mut now) };
    now
}

impl TlsHandler {
    fn update_stats(&self, f: impl FnOnce(&mut aws_crt_statistics_tls)) {
        // SAFETY: loop thread only; C reads the sample from gather_statistics
        // on this thread, never during this call.
        f(unsafe { &mut *self.stats.get() })
    }

    fn c_handler(&self) -> *mut aws_channel_handler {
        c_handler_of(self)
    }

    /// Marks the handshake started (once): statistics and the timeout.
    fn begin_negotiation(&self) {
        if self.started.replace(true) {
            return;
        }
        if let Some(k) = &self.key_op {
            k.start_clock();
        }
        let now = now_ns(self.slot);
        self.update_stats(|s| {
            s.handshake_status = AWS_TLS_NEGOTIATION_STATUS_ONGOING as c_int;
            s.handshake_start_ns = now;
        });
        if self.timeout_ms > 0 {
            let at = now.saturating_add(u64::from(self.timeout_ms) * 1_000_000);
            self.timeout_task
                .schedule(self.slot, self, Self::on_timeout, Some(at), c"tls_timeout");
        }
    }

    fn on_timeout(&self, ran: bool) {
        if ran && self.negotiation.get() == Negotiation::Ongoing {
            crate::aws_log!(
                AWS_LL_WARN,
                AWS_LS_IO_TLS,
                "id={:p}: TLS negotiation timed out",
                self.c_handler()
            );
            self.slot.shutdown_channel(AWS_IO_TLS_NEGOTIATION_TIMEOUT);
        }
    }

    fn finish_negotiation(&self, error_code: c_int) {
        let end = now_ns(self.slot);
        self.update_stats(|s| {
            s.handshake_status = if error_code == AWS_ERROR_SUCCESS {
                AWS_TLS_NEGOTIATION_STATUS_SUCCESS as c_int
            } else {
                AWS_TLS_NEGOTIATION_STATUS_FAILURE as c_int
            };
            s.handshake_end_ns = end;
        });
        if let Some(cb) = self.callbacks.on_negotiation_result {
            // SAFETY: the user's callback with its own user data, loop thread.
            unsafe {
                cb(
                    self.c_handler(),
                    self.slot.as_ptr(),
                    error_code,
                    self.callbacks.user_data,
                )
            };
        }
        let after = self.after_negotiation.borrow_mut().take();
        if let Some(after) = after {
            after(error_code);
        }
    }

    /// Feeds queued ciphertext to rustls while it wants more.
    fn feed(&self) -> Result<bool, rustls::Error> {
        let mut fed = false;
        loop {
            let mut input = self.input.borrow_mut();
            let mut conn = self.conn.borrow_mut();
            if !conn.wants_read() {
                return Ok(fed);
            }
            let Some(front) = input.front_mut() else {
                return Ok(fed);
            };
            let mark = front.copy_mark();
            let mut rest = &front[mark..];
            let n = conn.read_tls(&mut rest).unwrap_or(0);
            if n == 0 && mark < front.len() {
                return Ok(fed);
            }
            front.set_copy_mark(mark + n);
            if front.copy_mark() >= front.len() {
                input.pop_front();
            }
            fed = true;
            conn.process()?;
        }
    }

    /// Sends whatever rustls has to write (handshake, records, alerts); the
    /// last message carries `completion`.
    fn flush(
        &self,
        completion: Option<(aws_channel_on_message_write_completed_fn, *mut c_void)>,
    ) -> Result<(), ErrorCode> {
        loop {
            if !self.conn.borrow().wants_write() {
                return Ok(());
            }
            let mut msg = self.slot.acquire_max_message_for_write();
            let last = {
                let mut conn = self.conn.borrow_mut();
                // Fill the message with every pending record that fits.
                while conn.wants_write() && msg.remaining() > 0 {
                    match conn.write_tls(&mut SpareWriter(&mut msg)) {
                        Ok(n) if n > 0 => {}
                        _ => break,
                    }
                }
                !conn.wants_write()
            };
            if last {
                if let Some((cb, user_data)) = completion {
                    msg.set_on_completion(cb, user_data);
                }
            }
            self.slot.send(msg, Direction::Write)?;
        }
    }

    /// One pass of the read side: feed, flush, notice the end of the
    /// handshake, deliver plaintext; repeated while anything moved.
    fn drive(&self) {
        loop {
            if self.negotiation.get() == Negotiation::Failed
                || self.read_state.get() == ReadState::ShutDown
            {
                return;
            }
            let fed = match self.feed() {
                Ok(fed) => fed,
                Err(e) => return self.fail(e),
            };
            if let Err(e) = self.flush(None) {
                return self.slot.shutdown_channel(e);
            }
            if self.negotiation.get() == Negotiation::Ongoing
                && !self.conn.borrow().is_handshaking()
            {
                self.on_negotiated();
                if self.negotiation.get() != Negotiation::Succeeded {
                    return;
                }
            }
            let delivered = if self.negotiation.get() == Negotiation::Succeeded {
                match self.deliver() {
                    Some(n) => n,
                    None => return,
                }
            } else {
                0
            };
            if !fed && delivered == 0 {
                break;
            }
        }
        if self.read_state.get() == ReadState::ShuttingDown && !self.has_pending_input() {
            self.complete_read_shutdown(self.shutdown_error.get());
        }
    }

    /// Ciphertext queued, or plaintext waiting in rustls.
    fn has_pending_input(&self) -> bool {
        !self.input.borrow().is_empty()
            || self.conn.borrow_mut().conn().is_some_and(|c| {
                c.process_new_packets()
                    .is_ok_and(|s| s.plaintext_bytes_to_read() > 0)
            })
    }

    fn fail(&self, e: rustls::Error) {
        // Tell the peer why (rustls queued an alert), best effort.
        let _ = self.flush(None);
        if self.negotiation.get() != Negotiation::Ongoing {
            crate::aws_log!(
                AWS_LL_WARN,
                AWS_LS_IO_TLS,
                "id={:p}: read failed: {e}",
                self.c_handler()
            );
            self.end_reading(AWS_IO_TLS_ERROR_READ_FAILURE);
            return;
        }
        crate::aws_log!(
            AWS_LL_WARN,
            AWS_LS_IO_TLS,
            "id={:p}: negotiation failed: {e}",
            self.c_handler()
        );
        self.negotiation.set(Negotiation::Failed);
        match self.key_op.as_ref().and_then(|k| k.error()) {
            // As upstream: a failed (or timed out) key operation shuts the
            // channel down with its error; on_negotiation_result is not called.
            Some(code) => self.slot.shutdown_channel(code),
            None => {
                self.finish_negotiation(AWS_IO_TLS_ERROR_NEGOTIATION_FAILURE);
                self.slot
                    .shutdown_channel(AWS_IO_TLS_ERROR_NEGOTIATION_FAILURE);
            }
        }
    }

    /// Reading is over (peer's close_notify, or an error): finish a pending
    /// read shutdown, else shut the channel down.
    fn end_reading(&self, error_code: c_int) {
        if self.read_state.get() == ReadState::ShuttingDown {
            let pending = self.shutdown_error.get();
            self.complete_read_shutdown(if pending != 0 { pending } else { error_code });
        } else {
            self.slot.shutdown_channel(error_code);
        }
    }

    fn complete_read_shutdown(&self, error_code: c_int) {
        self.read_state.set(ReadState::ShutDown);
        self.input.borrow_mut().clear();
        let _ = self
            .slot
            .on_shutdown_complete(Direction::Read, error_code, false);
    }

    fn on_negotiated(&self) {
        self.negotiation.set(Negotiation::Succeeded);
        {
            let mut session = self.conn.borrow_mut();
            let Some(conn) = session.conn() else {
                return;
            };
            // SAFETY: loop thread; C only reads these after negotiation, via the
            // accessors below, on this thread.
            unsafe {
                *self.protocol.get() = conn.alpn_protocol().map(<[u8]>::to_vec).unwrap_or_default();
                if let Connection::Server(s) = &*conn {
                    *self.server_name.get() = s
                        .server_name()
                        .map(|n| n.as_bytes().to_vec())
                        .unwrap_or_default();
                }
            }
            crate::aws_log!(
                AWS_LL_DEBUG,
                AWS_LS_IO_TLS,
                "id={:p}: negotiated {:?}, ALPN {:?}",
                self.c_handler(),
                conn.protocol_version(),
                conn.alpn_protocol().map(String::from_utf8_lossy)
            );
        }
        // SAFETY: as above.
        let protocol = unsafe { &*self.protocol.get() };
        if self.advertise_alpn_message.get() && !protocol.is_empty() && self.slot.right().is_some()
        {
            let size = std::mem::size_of::<aws_tls_negotiated_protocol_message>();
            let mut msg = self.slot.acquire_message(size);
            let body = aws_tls_negotiated_protocol_message {
                protocol: self.protocol_buf(),
            };
            // SAFETY: the struct is plain data; the message holds at least `size` bytes.
            let bytes = unsafe { std::slice::from_raw_parts(&body as *const _ as *const u8, size) };
            msg.append(bytes);
            // SAFETY: we own the message.
            unsafe { (*msg.as_ptr()).message_tag = AWS_TLS_NEGOTIATED_PROTOCOL_MESSAGE };
            if let Err(e) = self.slot.send(msg, Direction::Read) {
                return self.slot.shutdown_channel(e);
            }
        }
        self.finish_negotiation(AWS_ERROR_SUCCESS);
    }

    fn protocol_buf(&self) -> aws_byte_buf {
        // SAFETY: loop thread; set once at negotiation.
        borrowed_buf(unsafe { &*self.protocol.get() })
    }

    /// Decrypted bytes go right (and to `on_data_read`), within the
    /// downstream window. `None` when reading ended here.
    fn deliver(&self) -> Option<usize> {
        let has_right = self.slot.right().is_some();
        let mut window = if has_right {
            self.slot.downstream_read_window()
        } else {
            usize::MAX
        };
        let mut delivered = 0;
        loop {
            let state = match self.conn.borrow_mut().conn()?.process_new_packets() {
                Ok(s) => s,
                Err(e) => {
                    self.fail(e);
                    return None;
                }
            };
            let available = state.plaintext_bytes_to_read();
            if available == 0 {
                if state.peer_has_closed() {
                    crate::aws_log!(
                        AWS_LL_DEBUG,
                        AWS_LS_IO_TLS,
                        "id={:p}: peer sent close_notify",
                        self.c_handler()
                    );
                    self.end_reading(AWS_ERROR_SUCCESS);
                    return None;
                }
                return Some(delivered);
            }
            if window == 0 {
                return Some(delivered);
            }
            let mut msg = self.slot.acquire_message(available.min(window));
            let n = {
                let mut session = self.conn.borrow_mut();
                let conn = session.conn()?;
                conn.reader().read(msg.spare_mut()).unwrap_or(0)
            };
            if n == 0 {
                return Some(delivered);
            }
            msg.advance(n);
            window -= n.min(window);
            delivered += n;
            if let Some(cb) = self.callbacks.on_data_read {
                // SAFETY: the user's callback, loop thread; the buffer is the message's.
                unsafe {
                    cb(
                        self.c_handler(),
                        self.slot.as_ptr(),
                        &mut (*msg.as_ptr()).message_data,
                        self.callbacks.user_data,
                    )
                };
            }
            if has_right {
                if let Err(e) = self.slot.send(msg, Direction::Read) {
                    self.slot.shutdown_channel(e);
                    return None;
                }
            }
        }
    }

    fn schedule_read(&self) {
        self.read_task.schedule(
            self.slot,
            self,
            |h, ran| {
                if ran {
                    h.drive()
                }
            },
            None,
            c"tls_read",
        );
    }

    /// Client: starts the handshake (loop thread).
    fn start(&self, ran: bool) {
        if ran && self.negotiation.get() == Negotiation::Ongoing {
            self.begin_negotiation();
            self.drive();
        }
    }
}

fn borrowed_buf(bytes: &[u8]) -> aws_byte_buf {
    if bytes.is_empty() {
        return aws_byte_buf {
            len: 0,
            buffer: ptr::null_mut(),
            capacity: 0,
            allocator: ptr::null_mut(),
        };
    }
    aws_byte_buf {
        len: bytes.len(),
        buffer: bytes.as_ptr() as *mut u8,
        capacity: bytes.len(),
        allocator: ptr::null_mut(),
    }
}

impl ChannelHandler for TlsHandler {
    fn process_read(&self, slot: Slot, message: IoMessage) -> Result<(), Refused> {
        if self.read_state.get() == ReadState::ShutDown {
            return Ok(());
        }
        if self.negotiation.get() == Negotiation::Failed {
            return Err(Refused {
                message,
                error: AWS_IO_TLS_ERROR_NEGOTIATION_FAILURE,
            });
        }
        let len = message.len();
        self.input.borrow_mut().push_back(message);
        if self.negotiation.get() == Negotiation::Ongoing {
            self.begin_negotiation();
            self.drive();
            if self.negotiation.get() != Negotiation::Failed {
                let _ = slot.increment_read_window(len);
            }
            return Ok(());
        }
        self.drive();
        Ok(())
    }

    fn process_write(&self, slot: Slot, message: IoMessage) -> Result<(), Refused> {
        if self.negotiation.get() != Negotiation::Succeeded {
            return Err(Refused {
                message,
                error: AWS_IO_TLS_ERROR_NOT_NEGOTIATED,
            });
        }
        let written = match self.conn.borrow_mut().conn() {
            Some(c) => c.writer().write_all(&message),
            None => Err(std::io::ErrorKind::NotConnected.into()),
        };
        if written.is_err() {
            return Err(Refused {
                message,
                error: AWS_IO_TLS_ERROR_WRITE_FAILURE,
            });
        }
        // SAFETY: we own the message.
        let completion = unsafe {
            (
                (*message.as_ptr()).on_completion,
                (*message.as_ptr()).user_data,
            )
        };
        drop(message);
        if completion.0.is_none() {
            if let Err(e) = self.flush(None) {
                slot.shutdown_channel(e);
            }
        } else if let Err(e) = self.flush(Some(completion)) {
            slot.shutdown_channel(e);
        }
        Ok(())
    }

    fn increment_read_window(&self, slot: Slot, _size: usize) -> Result<(), ErrorCode> {
        if self.read_state.get() == ReadState::ShutDown {
            return Ok(());
        }
        // Ask the left for the downstream window plus the records' overhead,
        // and never less than one whole record: a record is decrypted only
        // when complete, so a smaller window could stall the connection.
        let downstream = slot.downstream_read_window();
        // SAFETY: a live slot on its loop thread.
        let current = unsafe {
            let s = &*slot.as_ptr();
            s.window_size
                .saturating_add(s.current_window_update_batch_size)
        };
        let records = downstream.div_ceil(MAX_RECORD_SIZE);
        let desired = downstream
            .saturating_add(records.saturating_mul(EST_TLS_RECORD_OVERHEAD))
            .max(MAX_WIRE_RECORD);
        if desired > current {
            slot.increment_read_window(desired - current)?;
        }
        if self.negotiation.get() == Negotiation::Succeeded {
            // Whole records may sit in rustls or the queue: try again.
            self.schedule_read();
        }
        Ok(())
    }

    fn shutdown(
        &self,
        slot: Slot,
        dir: Direction,
        error_code: ErrorCode,
        free_scarce_resources_immediately: bool,
    ) -> Result<(), ErrorCode> {
        match dir {
            Direction::Read => {
                if self.negotiation.get() == Negotiation::Ongoing {
                    self.negotiation.set(Negotiation::Failed);
                }
                let pending = self.has_pending_input();
                if !free_scarce_resources_immediately
                    && self.negotiation.get() == Negotiation::Succeeded
                    && pending
                    && slot.right().is_some()
                {
                    // SAFETY: a live slot.
                    if unsafe { aws_channel_slot_downstream_read_window(slot.as_ptr()) } == 0 {
                        crate::aws_log!(
                            AWS_LL_WARN,
                            AWS_LS_IO_TLS,
                            "id={:p}: TLS shutdown waits for the read window to open",
                            self.c_handler()
                        );
                    }
                    self.read_state.set(ReadState::ShuttingDown);
                    self.shutdown_error.set(error_code);
                    self.schedule_read();
                    return Ok(());
                }
                self.read_state.set(ReadState::ShutDown);
            }
            Direction::Write => {
                if !free_scarce_resources_immediately
                    && error_code != AWS_IO_SOCKET_CLOSED
                    && self.negotiation.get() == Negotiation::Succeeded
                {
                    if let Some(c) = self.conn.borrow_mut().conn() {
                        c.send_close_notify();
                    }
                    let _ = self.flush(None);
                }
            }
        }
        self.input.borrow_mut().clear();
        slot.on_shutdown_complete(dir, error_code, free_scarce_resources_immediately)
    }

    fn initial_window_size(&self) -> usize {
        EST_HANDSHAKE_SIZE
    }

    fn message_overhead(&self) -> usize {
        EST_TLS_RECORD_OVERHEAD
    }

    fn statistics(&self) -> Option<NonNull<c_void>> {
        NonNull::new(self.stats.get() as *mut c_void)
    }
}

impl Drop for TlsHandler {
    fn drop(&mut self) {
        // SAFETY: our reference from construction.
        unsafe { ctx::release(self.ctx) };
    }
}

mod capi;
mod session;

use session::Session;

pub use capi::*;
