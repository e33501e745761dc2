//! The worked example of a channel handler written in Rust (HACKING.md walks
//! through it): a pass-through that counts the bytes going each way. It sits
//! anywhere in a channel; C tests put it between the socket handler and a C
//! handler. Exported under our own prefix (`aws_es_rs_`), never upstream's.
use std::cell::Cell;

use crate::common::abi::aws_allocator;
use crate::io::abi::aws_channel_handler;
use crate::io::channel::rust_handler::*;

/// Everything a handler needs: its state (in `Cell`s: trait methods take
/// `&self`, because a send may call back into us before it returns).
struct CountingPassThrough {
    read: Cell<u64>,
    written: Cell<u64>,
}

// Gives the type its one static C vtable, the key of the checked downcast.
crate::channel_handler_vtable!(CountingPassThrough);

impl ChannelHandler for CountingPassThrough {
    fn process_read(&self, slot: Slot, message: IoMessage) -> Result<(), Refused> {
        self.read.set(self.read.get() + message.len() as u64);
        // On failure the message is released by `send`; the channel is told.
        if let Err(e) = slot.send(message, Direction::Read) {
            slot.shutdown_channel(e);
        }
        Ok(())
    }

    fn process_write(&self, slot: Slot, message: IoMessage) -> Result<(), Refused> {
        self.written.set(self.written.get() + message.len() as u64);
        if let Err(e) = slot.send(message, Direction::Write) {
            slot.shutdown_channel(e);
        }
        Ok(())
    }

    // Window increments are passed left and shutdown completes at once: the
    // trait's defaults.

    fn initial_window_size(&self) -> usize {
        usize::MAX
    }
}

/// A counting pass-through handler (our extension; see the module doc).
#[no_mangle]
pub unsafe extern "C" fn aws_es_rs_counting_handler_new(
    allocator: *mut aws_allocator,
) -> *mut aws_channel_handler {
    crate::fatal_precondition!(!allocator.is_null(), "aws_es_rs_counting_handler_new");
    let h = CountingPassThrough {
        read: Cell::new(0),
        written: Cell::new(0),
    };
    // SAFETY: a live allocator from C; destroying the handler frees it.
    unsafe { new_handler(allocator, h) }
}

/// Bytes the counting handler passed right (read) and left (written). Loop
/// thread of its channel. Aborts if `handler` is not a counting handler.
#[no_mangle]
pub unsafe extern "C" fn aws_es_rs_counting_handler_bytes(
    handler: *const aws_channel_handler,
    read: *mut u64,
    written: *mut u64,
) {
    // SAFETY: the handler's type is checked before the cast; out-pointers from C.
    unsafe {
        let h = expect_handler::<CountingPassThrough>(handler, "aws_es_rs_counting_handler_bytes");
        if !read.is_null() {
            *read = h.read.get();
        }
        if !written.is_null() {
            *written = h.written.get();
        }
    }
}
