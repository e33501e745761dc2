//! The event-stream channel handler (`event_stream_channel_handler.h`): the
//! last handler of a channel, turning bytes into whole messages (through the
//! [`Framer`]) and messages into bytes. Written on the Rust handler trait.
//!
//! Reads: each whole valid message goes to the receiver (a C callback, or the
//! RPC connection in Rust) as a view of the bytes it arrived in; the read
//! window is then re-opened by the message's size unless the user manages it.
//! A framing fault reaches the receiver as upstream's error (see framer.rs)
//! and shuts the channel down with it.
//!
//! Writes: encoded straight into pooled io messages (split across several
//! when larger than one); the completion runs once the last byte is flushed,
//! or fails. A write from another thread, or while writes sent from another
//! thread are still queued, goes through a channel task, so writes leave in
//! the order they were made.
use std::cell::RefCell;
use std::sync::atomic::{AtomicUsize, Ordering};

use libc::{c_int, c_void};

use super::abi::*;
use super::framer::Framer;
use super::wire::limits::{PRELUDE_LEN, TRAILER_LEN};
use super::wire::{Message, MessageView};
use crate::common::abi::*;
use crate::common::allocator::{drop_in, new_in};
use crate::common::error_codes::*;
use crate::fatal_precondition;
use crate::io::abi::*;
use crate::io::channel::aws_channel_thread_is_callers_thread;
use crate::io::channel::rust_handler::*;

/// A Rust consumer of received messages: a view, or the framing error.
pub type RustReceiver = Box<dyn FnMut(Result<MessageView<'_>, c_int>)>;

/// Work queued in write order; `None` when the channel shut down first.
pub type WriteJob = Box<dyn FnOnce(Option<&EventStreamHandler>) + Send>;

/// Where received messages go.
pub enum Receiver {
    /// Upstream's callback: a message (borrowed for the call) or NULL + error,
    /// with the handler's user data.
    C(aws_event_stream_channel_handler_on_message_received_fn),
    /// A Rust consumer (the RPC connections): a view, or the framing error.
    Rust(RefCell<RustReceiver>),
}

/// A write's completion: `on_done(error_code, user_data)` once flushed or failed.
#[derive(Clone, Copy)]
pub struct WriteDone {
    pub on_done: aws_channel_on_message_write_completed_fn,
    pub user_data: *mut c_void,
}

pub struct EventStreamHandler {
    receiver: Receiver,
    /// `aws_event_stream_channel_handler_get_user_data` (for a Rust receiver,
    /// its connection object, as upstream's RPC layer sets it).
    user_data: *mut c_void,
    framer: RefCell<Framer>,
    initial_window: usize,
    manual_window: bool,
    /// Writes queued through tasks and not yet written: later writes from the
    /// loop thread queue behind them to keep the order.
    queued_writes: AtomicUsize,
    /// Small messages written in one loop tick share one io message (one
    /// socket write); the flush task sends it at the end of the tick.
    batch: RefCell<Option<Batch>>,
    flush_task: HandlerTask<EventStreamHandler>,
    alloc: *mut aws_allocator,
}

/// An io message being filled with encoded messages, and their completions.
struct Batch {
    io: IoMessage,
    done: Vec<WriteDone>,
}

/// Runs every completion of a flushed batch (loop thread).
unsafe extern "C" fn batch_flushed(
    channel: *mut aws_channel,
    io: *mut aws_io_message,
    error_code: c_int,
    user_data: *mut c_void,
) {
    // SAFETY: user_data is the boxed completion list of this io message,
    // taken back exactly once here.
    let done = unsafe { Box::from_raw(user_data as *mut Vec<WriteDone>) };
    for d in done.iter() {
        if let Some(f) = d.on_done {
            // SAFETY: each writer's own completion.
            unsafe { f(channel, io, error_code, d.user_data) };
        }
    }
}

crate::channel_handler_vtable!(EventStreamHandler);

// SAFETY (Send for jobs): the handler's cross-thread parts are the atomic
// counter and the channel task machinery; everything else is touched on the
// loop thread only.
struct SendPtr<T>(*const T);
// SAFETY: see above; the pointer is only dereferenced on the loop thread.
unsafe impl<T> Send for SendPtr<T> {}

impl EventStreamHandler {
    /// A boxed C handler for a channel's last slot.
    ///
    /// # Safety
    /// `alloc` is live and outlives the handler.
    pub unsafe fn new_c_handler(
        alloc: *mut aws_allocator,
        receiver: Receiver,
        user_data: *mut c_void,
        initial_window_size: usize,
        manual_window_management: bool,
    ) -> *mut aws_channel_handler {
        let h = EventStreamHandler {
            receiver,
            user_data,
            framer: RefCell::new(Framer::new()),
            initial_window: if initial_window_size > 0 {
                initial_window_size
            } else {
                usize::MAX
            },
            manual_window: manual_window_management,
            queued_writes: AtomicUsize::new(0),
            batch: RefCell::new(None),
            flush_task: HandlerTask::default(),
            alloc,
        };
        // SAFETY: per the caller.
        unsafe { new_handler(alloc, h) }
    }

    fn slot(&self) -> Slot {
        installed_slot(self).unwrap_or_else(|| {
            crate::ffi::fatal("event-stream handler used before it was installed")
        })
    }

    fn deliver(&self, item: Result<MessageView<'_>, c_int>) {
        match &self.receiver {
            Receiver::C(on_message) => {
                let Some(cb) = *on_message else { return };
                let user_data = self.user_data;
                match item {
                    Ok(view) => {
                        let mut m = message_over(view, self.alloc);
                        // SAFETY: the user's callback; the message borrows bytes valid for the call.
                        unsafe { cb(&mut m, AWS_OP_SUCCESS, user_data) };
                    }
                    // SAFETY: as above, with no message.
                    Err(e) => unsafe { cb(std::ptr::null_mut(), e, user_data) },
                }
            }
            Receiver::Rust(f) => (f.borrow_mut())(item),
        }
    }

    /// Sends the batch being filled, if any (loop thread). Its writers'
    /// completions run when it is flushed, or here with the error if the
    /// send fails.
    fn flush(&self) {
        let Some(Batch { mut io, done }) = self.batch.borrow_mut().take() else {
            return;
        };
        let slot = self.slot();
        let list = if done.is_empty() {
            std::ptr::null_mut()
        } else {
            Box::into_raw(Box::new(done))
        };
        if !list.is_null() {
            io.set_on_completion(Some(batch_flushed), list as *mut c_void);
        }
        let raw = io.as_ptr();
        if let Err(e) = slot.send(io, Direction::Write) {
            if !list.is_null() {
                // SAFETY: the send failed, so the completion will not run:
                // report the failure to each writer here, once.
                unsafe { batch_flushed(slot.channel(), raw, e, list as *mut c_void) };
            }
            slot.shutdown_channel(e);
        }
    }

    /// Loop thread: appends one encoded message of `len` bytes (`fill`
    /// writes it into the slice it is given) to the batch, starting a new
    /// one when it does not fit, and makes sure the batch is flushed at the
    /// end of this loop tick. A message larger than an io message goes out
    /// on its own, split across several.
    fn write_batched(
        &self,
        len: usize,
        fill: impl FnOnce(&mut [u8]) -> Result<usize, c_int>,
        done: Option<WriteDone>,
    ) -> Result<(), c_int> {
        let slot = self.slot();
        let fits = |b: &Option<Batch>| b.as_ref().is_some_and(|b| b.io.remaining() >= len);
        if !fits(&self.batch.borrow()) {
            self.flush();
            let io = slot.acquire_max_message_for_write();
            if io.remaining() < len {
                drop(io);
                let mut bytes = vec![0u8; len];
                let n = fill(&mut bytes)?;
                return self.write_split(&bytes[..n], done);
            }
            *self.batch.borrow_mut() = Some(Batch {
                io,
                done: Vec::new(),
            });
        }
        {
            let mut batch = self.batch.borrow_mut();
            let b = batch.as_mut().expect("a batch with room");
            let n = fill(&mut b.io.spare_mut()[..len])?;
            b.io.advance(n);
            if let Some(d) = done {
                b.done.push(d);
            }
        }
        self.flush_task.schedule(
            slot,
            self,
            |h, ran| {
                if ran {
                    h.flush();
                } else if let Some(b) = h.batch.borrow_mut().take() {
                    // The channel shut down first: nothing will be written.
                    for d in b.done {
                        if let Some(f) = d.on_done {
                            // SAFETY: each writer's own completion, once.
                            unsafe {
                                f(
                                    std::ptr::null_mut(),
                                    b.io.as_ptr(),
                                    AWS_ERROR_IO_OPERATION_CANCELLED,
                                    d.user_data,
                                )
                            };
                        }
                    }
                }
            },
            None,
            c"event_stream_handler_flush",
        );
        Ok(())
    }

    /// Writes one message too large for an io message across several.
    fn write_split(&self, bytes: &[u8], done: Option<WriteDone>) -> Result<(), c_int> {
        let slot = self.slot();
        let mut rest = bytes;
        loop {
            let mut io = slot.acquire_message(rest.len());
            let n = io.append(rest);
            rest = &rest[n..];
            if rest.is_empty() {
                if let Some(d) = done {
                    io.set_on_completion(d.on_done, d.user_data);
                }
                return slot
                    .send(io, Direction::Write)
                    .inspect_err(|&e| slot.shutdown_channel(e));
            }
            if let Err(e) = slot.send(io, Direction::Write) {
                slot.shutdown_channel(e);
                return Err(e);
            }
        }
    }

    /// Loop thread (or queued in write order): writes `bytes`, a whole
    /// encoded message, and calls `done` once it is flushed or failed.
    fn write_now(&self, bytes: &[u8], done: Option<WriteDone>) -> Result<(), c_int> {
        self.write_batched(
            bytes.len(),
            |dst| {
                dst.copy_from_slice(bytes);
                Ok(bytes.len())
            },
            done,
        )
    }

    /// Encodes `message` straight into pooled io messages (loop thread only;
    /// see [`Self::with_write_order`] for other threads).
    pub fn write_encoded(&self, message: &Message, done: Option<WriteDone>) -> Result<(), c_int> {
        self.write_batched(
            message.encoded_len(),
            |dst| message.encode_to_slice(dst).map_err(|e| e.aws_error_code()),
            done,
        )
    }

    /// Any thread: runs `f` on the loop thread in write order (directly when
    /// already there and nothing is queued).
    pub fn with_write_order(&self, f: WriteJob) {
        let slot = self.slot();
        // SAFETY: a live channel (the handler is installed in it).
        let on_loop = unsafe { aws_channel_thread_is_callers_thread(slot.channel()) };
        if on_loop && self.queued_writes.load(Ordering::Acquire) == 0 {
            f(Some(self));
            return;
        }
        self.queued_writes.fetch_add(1, Ordering::AcqRel);
        let me = SendPtr(self as *const EventStreamHandler);
        // SAFETY: the channel runs or cancels its tasks before it destroys
        // the handler, so `me` is live when the job runs.
        unsafe {
            run_on_channel(
                slot.channel(),
                self.alloc,
                c"event_stream_channel_handler_write",
                Box::new(move |ran| {
                    let me = &*{ me }.0;
                    me.queued_writes.fetch_sub(1, Ordering::AcqRel);
                    f(ran.then_some(me));
                }),
            );
        }
    }
}

/// An `aws_event_stream_message` that borrows `view`'s bytes (it owns
/// nothing, so C's clean-up of it frees nothing).
fn message_over(view: MessageView<'_>, alloc: *mut aws_allocator) -> aws_event_stream_message {
    let total = view.prelude.total_len as usize;
    // The view's headers block starts right after the 12-byte prelude.
    let start = view.headers_block.as_ptr().wrapping_sub(PRELUDE_LEN);
    aws_event_stream_message {
        alloc,
        message_buffer: aws_byte_buf {
            len: total,
            buffer: start as *mut u8,
            capacity: total,
            allocator: std::ptr::null_mut(),
        },
    }
}

impl ChannelHandler for EventStreamHandler {
    fn process_read(&self, slot: Slot, message: IoMessage) -> Result<(), Refused> {
        let mut delivered = 0usize;
        let result = {
            let mut framer = self.framer.borrow_mut();
            framer.feed(&message, |view, len| {
                self.deliver(Ok(view));
                delivered += len;
                true
            })
        };
        drop(message);
        if !self.manual_window && delivered > 0 {
            let _ = slot.increment_read_window(delivered);
        }
        if let Err(e) = result {
            let code = e.aws_error_code();
            self.deliver(Err(code));
            slot.shutdown_channel(code);
        }
        Ok(())
    }

    fn process_write(&self, _slot: Slot, _message: IoMessage) -> Result<(), Refused> {
        crate::ffi::fatal(
            "the event-stream channel handler must be the last handler of its channel",
        )
    }

    /// Writes batched before the shutdown still go out, in order.
    fn shutdown(
        &self,
        slot: Slot,
        dir: Direction,
        error_code: c_int,
        free_scarce_resources_immediately: bool,
    ) -> Result<(), c_int> {
        if dir == Direction::Write {
            self.flush();
        }
        slot.on_shutdown_complete(dir, error_code, free_scarce_resources_immediately)
    }

    fn initial_window_size(&self) -> usize {
        self.initial_window
    }

    fn message_overhead(&self) -> usize {
        PRELUDE_LEN + TRAILER_LEN
    }
}

// ---- C API --------------------------------------------------------------------------

#[no_mangle]
pub unsafe extern "C" fn aws_event_stream_channel_handler_new(
    allocator: *mut aws_allocator,
    handler_options: *const aws_event_stream_channel_handler_options,
) -> *mut aws_channel_handler {
    fatal_precondition!(!allocator.is_null(), "aws_event_stream_channel_handler_new");
    fatal_precondition!(
        !handler_options.is_null(),
        "aws_event_stream_channel_handler_new"
    );
    // SAFETY: checked non-NULL; C's options struct.
    let o = unsafe { &*handler_options };
    fatal_precondition!(
        o.on_message_received.is_some(),
        "aws_event_stream_channel_handler_new"
    );
    // SAFETY: a live allocator from C.
    unsafe {
        EventStreamHandler::new_c_handler(
            allocator,
            Receiver::C(o.on_message_received),
            o.user_data,
            o.initial_window_size,
            o.manual_window_management,
        )
    }
}

/// What a C write carries until its last io message is flushed.
struct CWrite {
    message: *mut aws_event_stream_message,
    on_written: aws_event_stream_channel_handler_on_message_written_fn,
    user_data: *mut c_void,
    alloc: *mut aws_allocator,
}

unsafe extern "C" fn c_write_flushed(
    _channel: *mut aws_channel,
    _io: *mut aws_io_message,
    error_code: c_int,
    user_data: *mut c_void,
) {
    // SAFETY: user_data is the CWrite made for this write; it completes once.
    unsafe { finish_c_write(user_data as *mut CWrite, error_code) }
}

/// # Safety
/// `w` is a live CWrite; freed here.
unsafe fn finish_c_write(w: *mut CWrite, error_code: c_int) {
    // SAFETY: per the caller.
    unsafe {
        let CWrite {
            message,
            on_written,
            user_data,
            alloc,
        } = std::ptr::read(w);
        drop_in(alloc, w);
        if let Some(cb) = on_written {
            cb(message, error_code, user_data);
        }
    }
}

/// Any thread. The message must stay valid until `on_message_written` runs
/// (loop thread) with 0 once flushed, or an error (then the channel shuts
/// down; AWS_ERROR_IO_OPERATION_CANCELLED if it already had).
#[no_mangle]
pub unsafe extern "C" fn aws_event_stream_channel_handler_write_message(
    handler: *mut aws_channel_handler,
    message: *mut aws_event_stream_message,
    on_message_written: aws_event_stream_channel_handler_on_message_written_fn,
    user_data: *mut c_void,
) -> c_int {
    fatal_precondition!(
        !message.is_null(),
        "aws_event_stream_channel_handler_write_message"
    );
    // SAFETY: the handler's type is checked before use.
    let h = unsafe {
        expect_handler::<EventStreamHandler>(
            handler,
            "aws_event_stream_channel_handler_write_message",
        )
    };
    // SAFETY: the write record is freed by finish_c_write, exactly once.
    let w = unsafe {
        new_in(
            h.alloc,
            CWrite {
                message,
                on_written: on_message_written,
                user_data,
                alloc: h.alloc,
            },
        )
    };
    let w = SendPtr(w as *const CWrite);
    h.with_write_order(Box::new(move |h| {
        let w = { w }.0 as *mut CWrite;
        // SAFETY: the C message is valid until its callback (upstream's contract).
        unsafe {
            let Some(h) = h else {
                return finish_c_write(w, AWS_ERROR_IO_OPERATION_CANCELLED);
            };
            let buf = &(*(*w).message).message_buffer;
            let bytes = crate::ffi::slice(buf.buffer, buf.len);
            let done = WriteDone {
                on_done: Some(c_write_flushed),
                user_data: w as *mut c_void,
            };
            if let Err(e) = h.write_now(bytes, Some(done)) {
                // Not sent, so the completion will not come: report here.
                finish_c_write(w, e);
            }
        }
    }));
    AWS_OP_SUCCESS
}

/// With manual window management, re-opens the read window by `size` (any
/// thread). Without it, does nothing (the handler manages the window).
#[no_mangle]
pub unsafe extern "C" fn aws_event_stream_channel_handler_increment_read_window(
    handler: *mut aws_channel_handler,
    window_update_size: usize,
) {
    // SAFETY: the handler's type is checked before use.
    let h = unsafe {
        expect_handler::<EventStreamHandler>(
            handler,
            "aws_event_stream_channel_handler_increment_read_window",
        )
    };
    if !h.manual_window {
        return;
    }
    let slot = h.slot();
    let grant = move || {
        if let Err(e) = slot.increment_read_window(window_update_size) {
            slot.shutdown_channel(e);
        }
    };
    // SAFETY: a live channel.
    if unsafe { aws_channel_thread_is_callers_thread(slot.channel()) } {
        return grant();
    }
    // SAFETY: a live channel; the job needs only the slot, which lives as
    // long as the channel runs its tasks.
    unsafe {
        run_on_channel(
            slot.channel(),
            h.alloc,
            c"aws_event_stream_channel_handler_increment_read_window",
            Box::new(move |ran| {
                if ran {
                    grant()
                }
            }),
        );
    }
}

#[no_mangle]
pub unsafe extern "C" fn aws_event_stream_channel_handler_get_user_data(
    handler: *mut aws_channel_handler,
) -> *mut c_void {
    // SAFETY: the handler's type is checked before use.
    let h = unsafe {
        expect_handler::<EventStreamHandler>(
            handler,
            "aws_event_stream_channel_handler_get_user_data",
        )
    };
    h.user_data
}
