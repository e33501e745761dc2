//! The socket channel handler: the left-most handler of a channel, moving
//! bytes between an `aws_socket` and the channel. Written on the Rust handler
//! trait (`io::channel::rust_handler`), so C handlers can sit to its right.
//!
//! Reads: on each readable notification (and on window increments) it reads
//! at most `min(downstream window, max_read_size)` bytes, one pool message per
//! read, and sends them right. Having read a full `max_read_size` it yields to
//! the loop with a task instead of reading on, so sockets sharing a loop get a
//! fair share. A window of 0 stops reading until the window is incremented.
//!
//! Writes: each message is written to the socket; its `on_completion` runs
//! (loop thread) after its last byte has been written, then the message is
//! released. A failed write shuts the channel down with the write's error.
//!
//! Shutdown: peer close or a read error shuts the channel down with that
//! error. The read direction closes the socket only when scarce resources must
//! go at once; the write direction always closes it, then completes from a
//! task so a pending read task cannot run on a finished handler.
use std::cell::{Cell, UnsafeCell};
use std::ptr::{self, NonNull};

use libc::{c_int, c_void};

use crate::common::abi::*;
use crate::common::error_codes::*;
use crate::fatal_precondition;
use crate::io::abi::*;
use crate::io::channel::rust_handler::*;
use crate::io::socket::posix::read_into;
use crate::io::socket::*;
use crate::io::statistics::*;

pub(crate) struct SocketHandler {
    socket: *mut aws_socket,
    slot: Slot,
    max_rw_size: usize,
    read_task: HandlerTask<SocketHandler>,
    shutdown_task: HandlerTask<SocketHandler>,
    /// Handed to C by pointer (statistics), so it lives in a cell.
    stats: UnsafeCell<aws_crt_statistics_socket>,
    shutdown_err_code: Cell<c_int>,
    shutdown_in_progress: Cell<bool>,
}

crate::channel_handler_vtable!(SocketHandler);

impl SocketHandler {
    fn add_stat(&self, read: usize, written: usize) {
        // SAFETY: loop thread; C reads the sample only from gather, on this thread.
        unsafe {
            let s = &mut *self.stats.get();
            s.bytes_read += read as u64;
            s.bytes_written += written as u64;
        }
    }

    fn do_read(&self) {
        if self.shutdown_in_progress.get() {
            return;
        }
        let slot = self.slot;
        let max_to_read = slot.downstream_read_window().min(self.max_rw_size);
        if max_to_read == 0 {
            return; // back-pressure: increment_read_window resumes us
        }
        let mut total = 0usize;
        let mut failure = None;
        while total < max_to_read {
            let want = max_to_read - total;
            let mut message = slot.acquire_message(want);
            // Never read past the window, whatever the pool's message can hold.
            let room = message.remaining().min(want);
            // SAFETY: the socket outlives its handler (the channel owns both).
            match unsafe { read_into(self.socket, &mut message.spare_mut()[..room]) } {
                Ok(n) => {
                    message.advance(n);
                    total += n;
                }
                Err(e) => {
                    failure = Some(e);
                    break;
                }
            }
            if let Err(e) = slot.send(message, Direction::Read) {
                failure = Some(e);
                break;
            }
            if self.shutdown_in_progress.get() {
                // A handler to our right shut the channel down in reaction.
                self.add_stat(total, 0);
                return;
            }
        }
        self.add_stat(total, 0);

        if total < max_to_read {
            match failure {
                Some(AWS_IO_READ_WOULD_BLOCK) | None => {}
                Some(e) => slot.shutdown_channel(e),
            }
            return; // drained: the next readable edge brings us back
        }
        // A full share read: yield, then continue from a task.
        if total == self.max_rw_size {
            self.schedule_read(c"socket_handler_re_read");
        }
    }

    fn schedule_read(&self, tag: &'static std::ffi::CStr) {
        self.read_task.schedule(
            self.slot,
            self,
            |h, ran| {
                if ran {
                    h.do_read()
                }
            },
            None,
            tag,
        );
    }
}

/// Readable or errored: read either way, so bytes sent just before a hang-up
/// (or a TLS alert before a reset) are delivered before the close is.
unsafe extern "C" fn on_readable(_socket: *mut aws_socket, _error: c_int, user_data: *mut c_void) {
    // SAFETY: user_data is our handler, which unsubscribes before it goes.
    unsafe { (*(user_data as *const SocketHandler)).do_read() }
}

/// The socket finished (or failed) writing a message we sent it.
unsafe extern "C" fn on_write_complete(
    socket: *mut aws_socket,
    error_code: c_int,
    bytes_written: usize,
    user_data: *mut c_void,
) {
    // SAFETY: user_data is the message we handed the socket; the socket's
    // handler is checked to be ours before use.
    unsafe {
        let Some(message) = IoMessage::from_raw(user_data as *mut aws_io_message) else {
            return;
        };
        let channel = (*message.as_ptr()).owning_channel;
        if !socket.is_null() {
            if let Some(h) = downcast::<SocketHandler>((*socket).handler) {
                h.add_stat(0, bytes_written);
            }
        }
        message.complete(error_code);
        if error_code != 0 {
            crate::io::channel::aws_channel_shutdown(channel, error_code);
        }
    }
}

impl ChannelHandler for SocketHandler {
    // process_read: the default refuses; nothing is left of the socket handler.

    fn process_write(&self, _slot: Slot, message: IoMessage) -> Result<(), Refused> {
        // SAFETY: the socket outlives its handler.
        if !unsafe { aws_socket_is_open(self.socket) } {
            return Err(Refused {
                message,
                error: AWS_IO_SOCKET_CLOSED,
            });
        }
        let bytes: &[u8] = &message;
        let cursor = aws_byte_cursor {
            len: bytes.len(),
            ptr: bytes.as_ptr() as *mut u8,
        };
        let raw = message.into_raw();
        // SAFETY: the message stays alive until on_write_complete takes it back.
        let rc = unsafe {
            aws_socket_write(
                self.socket,
                &cursor,
                Some(on_write_complete),
                raw as *mut c_void,
            )
        };
        if rc != 0 {
            // SAFETY: the socket refused it, so it is still ours.
            let message = unsafe { IoMessage::from_raw(raw) }.expect("non-NULL");
            return Err(Refused {
                message,
                error: crate::common::error::last_error(),
            });
        }
        Ok(())
    }

    fn increment_read_window(&self, _slot: Slot, _size: usize) -> Result<(), ErrorCode> {
        if !self.shutdown_in_progress.get() {
            self.schedule_read(c"socket_handler_read_on_window_increment");
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
        self.shutdown_in_progress.set(true);
        // SAFETY: the socket outlives its handler.
        let open = unsafe { aws_socket_is_open(self.socket) };
        if dir == Direction::Read {
            if free_scarce_resources_immediately && open {
                // SAFETY: as above.
                if unsafe { aws_socket_close(self.socket) } != 0 {
                    return Err(crate::common::error::last_error());
                }
            }
            return slot.on_shutdown_complete(dir, error_code, free_scarce_resources_immediately);
        }
        if open {
            // SAFETY: as above.
            let _ = unsafe { aws_socket_close(self.socket) };
        }
        self.shutdown_err_code.set(error_code);
        // Whatever the status: the channel's shutdown waits on this.
        self.shutdown_task.schedule(
            slot,
            self,
            |h, _ran| {
                let _ =
                    h.slot
                        .on_shutdown_complete(Direction::Write, h.shutdown_err_code.get(), false);
            },
            None,
            c"socket_handler_close",
        );
        Ok(())
    }

    fn initial_window_size(&self) -> usize {
        usize::MAX
    }

    fn trigger_read(&self) {
        self.do_read()
    }

    fn reset_statistics(&self) {
        // SAFETY: our own sample, on the loop thread.
        unsafe { aws_crt_statistics_socket_reset(self.stats.get()) }
    }

    fn statistics(&self) -> Option<NonNull<c_void>> {
        NonNull::new(self.stats.get() as *mut c_void)
    }
}

impl Drop for SocketHandler {
    fn drop(&mut self) {
        // The socket is not touched: its owner may already have freed it.
        // SAFETY: our own sample.
        unsafe { aws_crt_statistics_socket_cleanup(self.stats.get()) }
    }
}

// ---- C API ------------------------------------------------------------------------

/// A handler for the first slot of a channel, reading at most `max_read_size`
/// bytes per event-loop tick. The socket must already be assigned to the
/// channel's event loop; the handler subscribes to its readable events.
/// NULL on failure (e.g. AWS_ERROR_IO_ALREADY_SUBSCRIBED).
#[no_mangle]
pub unsafe extern "C" fn aws_socket_handler_new(
    allocator: *mut aws_allocator,
    socket: *mut aws_socket,
    slot: *mut aws_channel_slot,
    max_read_size: usize,
) -> *mut aws_channel_handler {
    // SAFETY: C passes live objects (checked non-NULL, as upstream asserts).
    unsafe {
        fatal_precondition!(
            !allocator.is_null() && !socket.is_null() && !slot.is_null(),
            "aws_socket_handler_new"
        );
        fatal_precondition!(
            !aws_socket_get_event_loop(socket).is_null(),
            "aws_socket_handler_new (socket has no event loop)"
        );
        let handler = new_handler(
            allocator,
            SocketHandler {
                socket,
                slot: Slot::from_raw(slot).expect("checked non-NULL"),
                max_rw_size: max_read_size,
                read_task: HandlerTask::default(),
                shutdown_task: HandlerTask::default(),
                stats: UnsafeCell::new(std::mem::zeroed()),
                shutdown_err_code: Cell::new(0),
                shutdown_in_progress: Cell::new(false),
            },
        );
        let h = downcast::<SocketHandler>(handler).expect("just made");
        aws_crt_statistics_socket_init(h.stats.get());
        if aws_socket_subscribe_to_readable_events(
            socket,
            Some(on_readable),
            h as *const SocketHandler as *mut c_void,
        ) != 0
        {
            crate::io::channel::aws_channel_handler_destroy(handler);
            return ptr::null_mut();
        }
        (*socket).handler = handler;
        handler
    }
}

/// The socket a handler made by `aws_socket_handler_new` wraps. Any other
/// handler is API misuse: abort with a message, as upstream's assert would.
#[no_mangle]
pub unsafe extern "C" fn aws_socket_handler_get_socket(
    handler: *const aws_channel_handler,
) -> *const aws_socket {
    // SAFETY: C passes a live handler; its type is checked before the cast.
    unsafe { expect_handler::<SocketHandler>(handler, "aws_socket_handler_get_socket").socket }
}
