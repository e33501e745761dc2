//! Channel handlers written in Rust: one trait, one checked adapter to the C
//! vtable, an owned io message, and a task bound to its handler.
//!
//! A Rust handler implements [`ChannelHandler`] and names its vtable with
//! [`channel_handler_vtable!`]. [`new_handler`] boxes it (through the channel's
//! allocator, so a tracing allocator sees it) behind an ordinary
//! `aws_channel_handler`, so C handlers and ours sit in the same channels.
//! [`downcast`] gets the Rust handler back from an `aws_channel_handler *`
//! only if the handler's vtable is that type's own static vtable: a C handler,
//! a pool block or a handler of another Rust type is never cast to the wrong
//! type (the `Castable` idea of rustls-ffi, keyed on the vtable address).
//!
//! Re-entrancy: a handler that sends a message may be called back before the
//! send returns (the next handler shuts the channel down, a write completes at
//! once). So every trait method takes `&self`; handlers keep their state in
//! `Cell`s, or in a `RefCell` that is never borrowed across a send.
//!
//! Everything here runs on the channel's event-loop thread, as upstream's
//! vtable calls do.
use std::cell::{Cell, UnsafeCell};
use std::ffi::CStr;
use std::marker::PhantomData;
use std::ptr::{self, NonNull};

use libc::{c_int, c_void};

use crate::common::abi::*;
use crate::common::allocator::{aws_mem_release, drop_in, new_in};
use crate::common::error::{last_error, raise};
use crate::common::error_codes::AWS_IO_CHANNEL_ERROR_ERROR_CANT_ACCEPT_INPUT;
use crate::io::abi::*;

use super::*;

/// An upstream error code (`aws_last_error()` values); never 0 in an `Err`.
pub type ErrorCode = c_int;

/// Read or write: the two directions of a channel.
#[derive(Clone, Copy, PartialEq, Eq, Debug)]
pub enum Direction {
    Read,
    Write,
}

impl Direction {
    fn from_c(dir: enum_aws_channel_direction) -> Self {
        if dir == aws_channel_direction::AWS_CHANNEL_DIR_READ as c_int {
            Direction::Read
        } else {
            Direction::Write
        }
    }

    fn to_c(self) -> enum_aws_channel_direction {
        match self {
            Direction::Read => aws_channel_direction::AWS_CHANNEL_DIR_READ as c_int,
            Direction::Write => aws_channel_direction::AWS_CHANNEL_DIR_WRITE as c_int,
        }
    }
}

/// Reads the thread-local error a C-style call left, as a Result.
fn check(rc: c_int) -> Result<(), ErrorCode> {
    if rc == AWS_OP_SUCCESS {
        Ok(())
    } else {
        Err(last_error())
    }
}

// ---- the owned io message ---------------------------------------------------------

/// An `aws_io_message` this code owns: dropping it gives it back to its pool
/// (`aws_mem_release(message->allocator, message)`, upstream's rule); sending
/// it hands it on. No handler releases a message by hand.
pub struct IoMessage {
    raw: NonNull<aws_io_message>,
}

impl IoMessage {
    /// Takes ownership of a message C (or a pool) handed us.
    ///
    /// # Safety
    /// `raw` is a live message nobody else will release.
    pub unsafe fn from_raw(raw: *mut aws_io_message) -> Option<Self> {
        NonNull::new(raw).map(|raw| IoMessage { raw })
    }

    /// Gives ownership back to C (e.g. to a caller whose send we refused).
    pub fn into_raw(self) -> *mut aws_io_message {
        let raw = self.raw.as_ptr();
        std::mem::forget(self);
        raw
    }

    pub fn as_ptr(&self) -> *mut aws_io_message {
        self.raw.as_ptr()
    }

    fn buf(&self) -> &aws_byte_buf {
        // SAFETY: we own a live message.
        unsafe { &(*self.raw.as_ptr()).message_data }
    }

    fn buf_mut(&mut self) -> &mut aws_byte_buf {
        // SAFETY: we own a live message, uniquely.
        unsafe { &mut (*self.raw.as_ptr()).message_data }
    }

    pub fn len(&self) -> usize {
        self.buf().len
    }

    pub fn is_empty(&self) -> bool {
        self.len() == 0
    }

    pub fn capacity(&self) -> usize {
        self.buf().capacity
    }

    /// Room left after the bytes already written.
    pub fn remaining(&self) -> usize {
        self.capacity() - self.len()
    }

    /// The unwritten tail, for writing in place; commit with [`Self::advance`].
    pub fn spare_mut(&mut self) -> &mut [u8] {
        let b = self.buf_mut();
        // SAFETY: buffer is valid for `capacity` bytes; we own it uniquely.
        unsafe { crate::ffi::slice_mut(b.buffer.add(b.len), b.capacity - b.len) }
    }

    /// Marks `n` more bytes of the spare tail as written.
    pub fn advance(&mut self, n: usize) {
        let b = self.buf_mut();
        assert!(n <= b.capacity - b.len, "IoMessage::advance past capacity");
        b.len += n;
    }

    /// Appends as much of `bytes` as fits; returns how many went in.
    pub fn append(&mut self, bytes: &[u8]) -> usize {
        let n = bytes.len().min(self.remaining());
        self.spare_mut()[..n].copy_from_slice(&bytes[..n]);
        self.advance(n);
        n
    }

    /// How far a reader has consumed this message (upstream's `copy_mark`).
    pub fn copy_mark(&self) -> usize {
        // SAFETY: we own a live message.
        unsafe { (*self.raw.as_ptr()).copy_mark }
    }

    pub fn set_copy_mark(&mut self, mark: usize) {
        // SAFETY: we own a live message, uniquely.
        unsafe { (*self.raw.as_ptr()).copy_mark = mark }
    }

    /// Asks for `callback(channel, message, error, user_data)` once the
    /// message has been written (or failed to be).
    pub fn set_on_completion(
        &mut self,
        callback: aws_channel_on_message_write_completed_fn,
        user_data: *mut c_void,
    ) {
        // SAFETY: we own a live message, uniquely.
        unsafe {
            (*self.raw.as_ptr()).on_completion = callback;
            (*self.raw.as_ptr()).user_data = user_data;
        }
    }

    /// Runs the completion callback (if any) with `error_code`, then releases
    /// the message: what the last handler of the write direction does.
    pub fn complete(self, error_code: c_int) {
        let m = self.raw.as_ptr();
        // SAFETY: we own a live message; the callback is the writer's.
        unsafe {
            if let Some(cb) = (*m).on_completion {
                cb((*m).owning_channel, m, error_code, (*m).user_data);
            }
        }
    }
}

impl std::ops::Deref for IoMessage {
    type Target = [u8];
    fn deref(&self) -> &[u8] {
        let b = self.buf();
        // SAFETY: the first `len` bytes of a message are initialised.
        unsafe { crate::ffi::slice(b.buffer, b.len) }
    }
}

impl Drop for IoMessage {
    fn drop(&mut self) {
        let m = self.raw.as_ptr();
        // SAFETY: we own the message; its allocator returns it to its pool.
        unsafe { aws_mem_release((*m).allocator, m as *mut c_void) }
    }
}

// ---- the slot, as a handler sees it ------------------------------------------------

/// The slot a handler sits in. Valid while its channel lives; used on the
/// channel's loop thread (the adapter only builds one there).
#[derive(Clone, Copy, PartialEq, Eq, Debug)]
pub struct Slot(NonNull<aws_channel_slot>);

// SAFETY: a Slot may travel to its loop thread inside a job; every method
// that dereferences it is documented (and only called) for that thread.
unsafe impl Send for Slot {}

impl Slot {
    /// # Safety
    /// `raw` is a live slot; the returned value is used on its loop thread.
    pub unsafe fn from_raw(raw: *mut aws_channel_slot) -> Option<Slot> {
        NonNull::new(raw).map(Slot)
    }

    pub fn as_ptr(self) -> *mut aws_channel_slot {
        self.0.as_ptr()
    }

    pub fn channel(self) -> *mut aws_channel {
        // SAFETY: a live slot (type invariant).
        unsafe { (*self.as_ptr()).channel }
    }

    /// An empty application-data message of up to `size_hint` bytes.
    pub fn acquire_message(self, size_hint: usize) -> IoMessage {
        // SAFETY: loop thread of a live channel (type invariant); the pool
        // never returns NULL (it aborts on OOM, as upstream).
        unsafe {
            let m = aws_channel_acquire_message_from_pool(
                self.channel(),
                aws_io_message_type::AWS_IO_MESSAGE_APPLICATION_DATA as c_int,
                size_hint,
            );
            IoMessage::from_raw(m).expect("message pool returned NULL")
        }
    }

    /// The largest message worth writing from here (a fragment less the
    /// overhead added by the handlers to the left).
    pub fn acquire_max_message_for_write(self) -> IoMessage {
        // SAFETY: loop thread of a live channel (type invariant).
        unsafe {
            let m = aws_channel_slot_acquire_max_message_for_write(self.as_ptr());
            IoMessage::from_raw(m).expect("message pool returned NULL")
        }
    }

    /// Sends `message` on in `dir`. On failure it is released here, so
    /// neither side can leak or double-free it.
    pub fn send(self, message: IoMessage, dir: Direction) -> Result<(), ErrorCode> {
        let raw = message.as_ptr();
        // SAFETY: loop thread of a live channel; `raw` is ours until accepted.
        let rc = unsafe { aws_channel_slot_send_message(self.as_ptr(), raw, dir.to_c()) };
        if rc == AWS_OP_SUCCESS {
            std::mem::forget(message);
            Ok(())
        } else {
            let err = last_error();
            drop(message);
            Err(err)
        }
    }

    /// The window of the handler to our right (`usize::MAX` without back-pressure).
    pub fn downstream_read_window(self) -> usize {
        // SAFETY: a live slot on its loop thread.
        unsafe { aws_channel_slot_downstream_read_window(self.as_ptr()) }
    }

    /// Grants the handler to our left `size` more bytes.
    pub fn increment_read_window(self, size: usize) -> Result<(), ErrorCode> {
        // SAFETY: a live slot on its loop thread.
        check(unsafe { aws_channel_slot_increment_read_window(self.as_ptr(), size) })
    }

    pub fn upstream_message_overhead(self) -> usize {
        // SAFETY: a live slot on its loop thread.
        unsafe { aws_channel_slot_upstream_message_overhead(self.as_ptr()) }
    }

    /// Starts shutting the whole channel down (any thread upstream; here the loop).
    pub fn shutdown_channel(self, error_code: ErrorCode) {
        // SAFETY: a live channel.
        unsafe {
            aws_channel_shutdown(self.channel(), error_code);
        }
    }

    /// Tells the channel this handler finished shutting down in `dir`.
    pub fn on_shutdown_complete(
        self,
        dir: Direction,
        error_code: ErrorCode,
        free_scarce_resources_immediately: bool,
    ) -> Result<(), ErrorCode> {
        // SAFETY: a live slot on its loop thread.
        check(unsafe {
            aws_channel_slot_on_handler_shutdown_complete(
                self.as_ptr(),
                dir.to_c(),
                error_code,
                free_scarce_resources_immediately,
            )
        })
    }

    /// The slot to the right, if any (e.g. to insert the next handler).
    pub fn right(self) -> Option<Slot> {
        // SAFETY: a live slot; its neighbours live as long as the channel.
        unsafe { Slot::from_raw((*self.as_ptr()).adj_right) }
    }
}

// ---- the trait ---------------------------------------------------------------------

/// A message refused by a handler: the caller keeps it (upstream's contract
/// for a failed `process_*_message`), so it goes back to C unreleased.
pub struct Refused {
    pub message: IoMessage,
    pub error: ErrorCode,
}

/// A channel handler written in Rust. Defaults mirror a NULL vtable entry
/// (see `handler.rs`). `Drop` is the vtable's `destroy`.
///
/// Implementors also name their vtable with [`channel_handler_vtable!`].
pub trait ChannelHandler: Sized + 'static {
    /// A message travelling right (towards the application).
    fn process_read(&self, _slot: Slot, message: IoMessage) -> Result<(), Refused> {
        Err(Refused {
            message,
            error: AWS_IO_CHANNEL_ERROR_ERROR_CANT_ACCEPT_INPUT,
        })
    }

    /// A message travelling left (towards the socket).
    fn process_write(&self, _slot: Slot, message: IoMessage) -> Result<(), Refused> {
        Err(Refused {
            message,
            error: AWS_IO_CHANNEL_ERROR_ERROR_CANT_ACCEPT_INPUT,
        })
    }

    /// The handler to the right opened its window by `size`. By default the
    /// grant is passed on to the left, as a transparent handler would.
    fn increment_read_window(&self, slot: Slot, size: usize) -> Result<(), ErrorCode> {
        slot.increment_read_window(size)
    }

    /// Shut down one direction; call `slot.on_shutdown_complete` when done
    /// (now or later). By default done at once.
    fn shutdown(
        &self,
        slot: Slot,
        dir: Direction,
        error_code: ErrorCode,
        free_scarce_resources_immediately: bool,
    ) -> Result<(), ErrorCode> {
        slot.on_shutdown_complete(dir, error_code, free_scarce_resources_immediately)
    }

    fn initial_window_size(&self) -> usize;

    /// Bytes this handler adds to each message written through it.
    fn message_overhead(&self) -> usize {
        0
    }

    /// The channel asks the left-most handler to read.
    fn trigger_read(&self) {}

    fn reset_statistics(&self) {}

    /// A pointer to this handler's statistics sample (an
    /// `aws_crt_statistics_*` struct that starts with its category), if any.
    fn statistics(&self) -> Option<NonNull<c_void>> {
        None
    }
}

/// Names a handler type's one static vtable (its identity for [`downcast`]).
#[macro_export]
macro_rules! channel_handler_vtable {
    ($ty:ty) => {
        impl $crate::io::channel::rust_handler::HasVtable for $ty {
            fn vtable() -> &'static $crate::io::abi::aws_channel_handler_vtable {
                static VTABLE: $crate::io::abi::aws_channel_handler_vtable =
                    $crate::io::channel::rust_handler::vtable_for::<$ty>();
                &VTABLE
            }
        }
    };
}

/// Implemented by [`channel_handler_vtable!`] only.
pub trait HasVtable: ChannelHandler {
    fn vtable() -> &'static aws_channel_handler_vtable;
}

/// The C handler and the Rust one, in one allocation; `c` first so an
/// `aws_channel_handler *` is the block's address.
#[repr(C)]
struct Boxed<H> {
    c: aws_channel_handler,
    rust: H,
}

/// Boxes `handler` behind a C `aws_channel_handler` allocated from `alloc`.
/// Destroying the C handler drops the Rust one.
///
/// # Safety
/// `alloc` is a live allocator that outlives the handler.
pub unsafe fn new_handler<H: HasVtable>(
    alloc: *mut aws_allocator,
    handler: H,
) -> *mut aws_channel_handler {
    // SAFETY: per the caller; the block is freed by `destroy::<H>`.
    unsafe {
        let b = new_in(
            alloc,
            Boxed {
                c: aws_channel_handler {
                    vtable: H::vtable() as *const aws_channel_handler_vtable as *mut _,
                    alloc,
                    slot: ptr::null_mut(),
                    r#impl: ptr::null_mut(),
                },
                rust: handler,
            },
        );
        (*b).c.r#impl = ptr::addr_of_mut!((*b).rust) as *mut c_void;
        ptr::addr_of_mut!((*b).c)
    }
}

/// The Rust handler behind `handler`, if it is an `H`; `None` for anything
/// else (a C handler, another Rust type, NULL).
///
/// # Safety
/// `handler` is NULL or a live `aws_channel_handler`; the reference must not
/// outlive it.
pub unsafe fn downcast<'a, H: HasVtable>(handler: *const aws_channel_handler) -> Option<&'a H> {
    if handler.is_null() {
        return None;
    }
    // SAFETY: a live handler's first field is readable.
    let vtable = unsafe { (*handler).vtable } as *const aws_channel_handler_vtable;
    if !ptr::eq(vtable, H::vtable()) {
        return None;
    }
    // SAFETY: only `new_handler::<H>` installs H's vtable, so this is a Boxed<H>.
    unsafe { Some(&(*(handler as *const Boxed<H>)).rust) }
}

/// [`downcast`], aborting with a message (as upstream's fatal assert) when
/// `handler` is not an `H`. For C entry points that demand one of ours.
///
/// # Safety
/// As [`downcast`].
pub unsafe fn expect_handler<'a, H: HasVtable>(
    handler: *const aws_channel_handler,
    func: &str,
) -> &'a H {
    // SAFETY: per the caller.
    match unsafe { downcast::<H>(handler) } {
        Some(h) => h,
        None => crate::ffi::fatal(&format!(
            "{func}: the handler is not a {} (a foreign or NULL handler was passed)",
            std::any::type_name::<H>()
        )),
    }
}

/// The C handler that carries `handler` (for C APIs that hand it out, and
/// for its `slot`, which the channel sets when the handler is installed).
pub fn c_handler_of<H: HasVtable>(handler: &H) -> *mut aws_channel_handler {
    let offset = std::mem::offset_of!(Boxed<H>, rust);
    // SAFETY: every H reachable as a HasVtable handler lives in a Boxed<H>
    // made by new_handler (the only constructor that hands one out).
    unsafe { (handler as *const H as *const u8).sub(offset) as *mut aws_channel_handler }
}

/// The slot `handler` sits in, once installed.
pub fn installed_slot<H: HasVtable>(handler: &H) -> Option<Slot> {
    // SAFETY: a live Boxed<H>; the channel sets `slot` before any use.
    unsafe { Slot::from_raw((*c_handler_of(handler)).slot) }
}

/// The C vtable of `H`; used by [`channel_handler_vtable!`].
pub const fn vtable_for<H: HasVtable>() -> aws_channel_handler_vtable {
    aws_channel_handler_vtable {
        process_read_message: Some(process_read::<H>),
        process_write_message: Some(process_write::<H>),
        increment_read_window: Some(increment_read_window::<H>),
        shutdown: Some(shutdown::<H>),
        initial_window_size: Some(initial_window_size::<H>),
        message_overhead: Some(message_overhead::<H>),
        destroy: Some(destroy::<H>),
        reset_statistics: Some(reset_statistics::<H>),
        gather_statistics: Some(gather_statistics::<H>),
        trigger_read: Some(trigger_read::<H>),
    }
}

/// # Safety
/// `handler` was made by `new_handler::<H>` (the vtable says so).
unsafe fn rust<'a, H: HasVtable>(handler: *mut aws_channel_handler) -> &'a H {
    // SAFETY: per the caller.
    unsafe { expect_handler::<H>(handler, "channel handler vtable") }
}

fn vtable_slot(slot: *mut aws_channel_slot) -> Slot {
    // SAFETY: the channel calls its handlers with their live slot.
    unsafe { Slot::from_raw(slot) }
        .unwrap_or_else(|| crate::ffi::fatal("handler called without a slot"))
}

/// One message in either direction: ours on success; a refused one goes back
/// to the caller unreleased, as upstream's contract says.
///
/// # Safety
/// Called by the channel with a live handler of type H, its slot and a message.
unsafe fn process<H: HasVtable>(
    handler: *mut aws_channel_handler,
    slot: *mut aws_channel_slot,
    message: *mut aws_io_message,
    dir: Direction,
) -> c_int {
    // SAFETY: per the caller.
    unsafe {
        let Some(message) = IoMessage::from_raw(message) else {
            crate::ffi::fatal("process_*_message: NULL message")
        };
        let h = rust::<H>(handler);
        let slot = vtable_slot(slot);
        let result = match dir {
            Direction::Read => h.process_read(slot, message),
            Direction::Write => h.process_write(slot, message),
        };
        match result {
            Ok(()) => AWS_OP_SUCCESS,
            Err(r) => {
                let _ = r.message.into_raw();
                raise(r.error)
            }
        }
    }
}

unsafe extern "C" fn process_read<H: HasVtable>(
    handler: *mut aws_channel_handler,
    slot: *mut aws_channel_slot,
    message: *mut aws_io_message,
) -> c_int {
    // SAFETY: the channel's call, passed on.
    unsafe { process::<H>(handler, slot, message, Direction::Read) }
}

unsafe extern "C" fn process_write<H: HasVtable>(
    handler: *mut aws_channel_handler,
    slot: *mut aws_channel_slot,
    message: *mut aws_io_message,
) -> c_int {
    // SAFETY: the channel's call, passed on.
    unsafe { process::<H>(handler, slot, message, Direction::Write) }
}

unsafe extern "C" fn increment_read_window<H: HasVtable>(
    handler: *mut aws_channel_handler,
    slot: *mut aws_channel_slot,
    size: usize,
) -> c_int {
    // SAFETY: called by the channel with a live handler and slot.
    match unsafe { rust::<H>(handler) }.increment_read_window(vtable_slot(slot), size) {
        Ok(()) => AWS_OP_SUCCESS,
        Err(e) => raise(e),
    }
}

unsafe extern "C" fn shutdown<H: HasVtable>(
    handler: *mut aws_channel_handler,
    slot: *mut aws_channel_slot,
    dir: enum_aws_channel_direction,
    error_code: c_int,
    free_scarce_resources_immediately: bool,
) -> c_int {
    // SAFETY: called by the channel with a live handler and slot.
    let h = unsafe { rust::<H>(handler) };
    match h.shutdown(
        vtable_slot(slot),
        Direction::from_c(dir),
        error_code,
        free_scarce_resources_immediately,
    ) {
        Ok(()) => AWS_OP_SUCCESS,
        Err(e) => raise(e),
    }
}

unsafe extern "C" fn initial_window_size<H: HasVtable>(handler: *mut aws_channel_handler) -> usize {
    // SAFETY: a live handler of type H.
    unsafe { rust::<H>(handler) }.initial_window_size()
}

unsafe extern "C" fn message_overhead<H: HasVtable>(handler: *mut aws_channel_handler) -> usize {
    // SAFETY: a live handler of type H.
    unsafe { rust::<H>(handler) }.message_overhead()
}

unsafe extern "C" fn trigger_read<H: HasVtable>(handler: *mut aws_channel_handler) {
    // SAFETY: a live handler of type H.
    unsafe { rust::<H>(handler) }.trigger_read()
}

unsafe extern "C" fn reset_statistics<H: HasVtable>(handler: *mut aws_channel_handler) {
    // SAFETY: a live handler of type H.
    unsafe { rust::<H>(handler) }.reset_statistics()
}

/// Appends the handler's sample pointer to `stats_list` (a list of pointers).
unsafe extern "C" fn gather_statistics<H: HasVtable>(
    handler: *mut aws_channel_handler,
    stats_list: *mut aws_array_list,
) {
    // SAFETY: a live handler of type H; the channel passes its pointer list.
    unsafe {
        if let Some(sample) = rust::<H>(handler).statistics() {
            let _ = crate::common::array_list::push_item(stats_list, &sample.as_ptr());
        }
    }
}

unsafe extern "C" fn destroy<H: HasVtable>(handler: *mut aws_channel_handler) {
    if handler.is_null() {
        return;
    }
    // SAFETY: destroy is the last call on a handler made by new_handler::<H>;
    // checked first so a foreign handler is never freed as ours.
    unsafe {
        rust::<H>(handler);
        let alloc = (*handler).alloc;
        drop_in(alloc, handler as *mut Boxed<H>);
    }
}

// ---- tasks bound to a handler ---------------------------------------------------------

/// What a [`HandlerTask`] runs: `f(&handler, ran)`.
pub type TaskFn<H> = fn(&H, bool);

/// A channel task that runs `f(&handler, ran)` on the loop thread, `ran` false
/// when the channel cancelled it. Lives inside its handler (a stable
/// address); at most one run pending at a time.
pub struct HandlerTask<H> {
    raw: UnsafeCell<aws_channel_task>,
    pending: Cell<bool>,
    target: Cell<*const H>,
    run: Cell<Option<TaskFn<H>>>,
    _h: PhantomData<H>,
}

impl<H: 'static> Default for HandlerTask<H> {
    fn default() -> Self {
        HandlerTask {
            // SAFETY: aws_channel_task is plain C data; zero is its idle state.
            raw: UnsafeCell::new(unsafe { std::mem::zeroed() }),
            pending: Cell::new(false),
            target: Cell::new(ptr::null()),
            run: Cell::new(None),
            _h: PhantomData,
        }
    }
}

impl<H: 'static> HandlerTask<H> {
    pub fn is_pending(&self) -> bool {
        self.pending.get()
    }

    /// Schedules `f` to run as soon as the loop gets to it (or at
    /// `run_at_ns`, loop clock). No-op, returning false, if already pending.
    ///
    /// `handler` must be the handler that owns this task (a heap handler from
    /// [`new_handler`], so its address is stable), and the channel must not be
    /// destroyed while the task is pending (channels cancel tasks at shutdown).
    pub fn schedule(
        &self,
        slot: Slot,
        handler: &H,
        f: TaskFn<H>,
        run_at_ns: Option<u64>,
        tag: &'static CStr,
    ) -> bool {
        if self.pending.replace(true) {
            return false;
        }
        self.target.set(handler);
        self.run.set(Some(f));
        let task = self.raw.get();
        // SAFETY: the task lives in the handler (stable, outlives the run);
        // loop thread of a live channel.
        unsafe {
            aws_channel_task_init(
                task,
                Some(Self::trampoline),
                self as *const Self as *mut c_void,
                tag.as_ptr(),
            );
            match run_at_ns {
                None => aws_channel_schedule_task_now(slot.channel(), task),
                Some(at) => aws_channel_schedule_task_future(slot.channel(), task, at),
            }
        }
        true
    }

    unsafe extern "C" fn trampoline(_task: *mut aws_channel_task, arg: *mut c_void, status: c_int) {
        // SAFETY: `arg` is the HandlerTask scheduled above, inside its live handler.
        unsafe {
            let me = &*(arg as *const Self);
            me.pending.set(false);
            let ran = status == aws_task_status::AWS_TASK_STATUS_RUN_READY as c_int;
            if let Some(f) = me.run.get() {
                f(&*me.target.get(), ran);
            }
        }
    }
}

// ---- work sent to a channel's thread -------------------------------------------------

/// A closure run once on `channel`'s loop thread (`true`), or with `false` if
/// the channel shut down first. Any thread may send one; the job's memory
/// comes from `alloc` so a tracing allocator sees it.
#[repr(C)]
struct Job {
    task: aws_channel_task,
    alloc: *mut aws_allocator,
    f: Option<Box<dyn FnOnce(bool) + Send>>,
}

/// Schedules `f` on the channel's loop thread (FIFO with other tasks).
///
/// # Safety
/// `channel` is live until the job runs (channels run or cancel every task
/// before they go); `alloc` is live.
pub unsafe fn run_on_channel(
    channel: *mut aws_channel,
    alloc: *mut aws_allocator,
    tag: &'static CStr,
    f: Box<dyn FnOnce(bool) + Send>,
) {
    unsafe extern "C" fn run(_task: *mut aws_channel_task, arg: *mut c_void, status: c_int) {
        // SAFETY: `arg` is the Job scheduled below; it runs exactly once.
        unsafe {
            let job = arg as *mut Job;
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
            alloc,
            Job {
                task: std::mem::zeroed(),
                alloc,
                f: Some(f),
            },
        );
        aws_channel_task_init(
            ptr::addr_of_mut!((*job).task),
            Some(run),
            job as *mut c_void,
            tag.as_ptr(),
        );
        aws_channel_schedule_task_now(channel, ptr::addr_of_mut!((*job).task));
    }
}
