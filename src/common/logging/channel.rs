//! Log channels: the middle stage of a pipeline logger, which takes ownership
//! of each formatted line and hands it to the writer.
//!
//! * foreground (`aws_log_channel_init_foreground`): writes on the logging
//!   thread, one line at a time under a lock;
//! * background (`aws_log_channel_init_background`): queues the line and
//!   returns; a thread named "AwsLogger" writes queued lines in order, a batch
//!   at a time. Clean-up lets it drain the queue, joins it, and only then returns.
//!
//! Both destroy each line once written and flush our own writers after each
//! line (foreground) or batch (background).
use std::sync::{Condvar, Mutex, MutexGuard, PoisonError};
use std::thread::JoinHandle;

use libc::c_int;

use super::{writer, CVtable};
use crate::common::abi::*;
use crate::common::allocator::{drop_in, new_in};
use crate::common::error::raise;
use crate::common::error_codes::AWS_ERROR_THREAD_INSUFFICIENT_RESOURCE;
use crate::common::string::aws_string_destroy;
use crate::fatal_precondition;

/// A line owned by the channel until written.
struct QueuedLine(*mut aws_string);

// SAFETY: a queued line is owned by exactly one side at a time (the queue,
// then the writing thread); aws_strings are plain memory.
unsafe impl Send for QueuedLine {}

/// Writes `line` through the channel's writer and destroys it.
///
/// # Safety
/// `channel` must be live with a live writer; `line` must be owned by the caller.
unsafe fn write_and_destroy(channel: *mut aws_log_channel, line: *mut aws_string) {
    // SAFETY: guaranteed by the caller. A writer without `write` drops the line
    // (upstream would crash).
    unsafe {
        let writer = (*channel).writer;
        if let Some(write) = (*(*writer).vtable).write {
            write(writer, line);
        }
        aws_string_destroy(line);
    }
}

fn lock<T>(mutex: &Mutex<T>) -> MutexGuard<'_, T> {
    mutex.lock().unwrap_or_else(PoisonError::into_inner)
}

// ---- foreground -------------------------------------------------------------------

struct Foreground {
    sync: Mutex<()>,
}

static FOREGROUND_VTABLE: CVtable<aws_log_channel_vtable> = CVtable(aws_log_channel_vtable {
    send: Some(foreground_send),
    clean_up: Some(foreground_clean_up),
});

unsafe extern "C" fn foreground_send(
    channel: *mut aws_log_channel,
    line: *mut aws_string,
) -> c_int {
    // SAFETY: this vtable is only installed on foreground channels; the line is ours now.
    unsafe {
        let state = &*((*channel).r#impl as *const Foreground);
        let _guard = lock(&state.sync);
        write_and_destroy(channel, line);
        writer::flush((*channel).writer);
    }
    AWS_OP_SUCCESS
}

unsafe extern "C" fn foreground_clean_up(channel: *mut aws_log_channel) {
    // SAFETY: a foreground channel made by aws_log_channel_init_foreground.
    unsafe { drop_in((*channel).allocator, (*channel).r#impl as *mut Foreground) };
}

#[no_mangle]
pub unsafe extern "C" fn aws_log_channel_init_foreground(
    channel: *mut aws_log_channel,
    allocator: *mut aws_allocator,
    writer: *mut aws_log_writer,
) -> c_int {
    fatal_precondition!(
        !channel.is_null() && !allocator.is_null() && !writer.is_null(),
        "aws_log_channel_init_foreground"
    );
    let state = Foreground {
        sync: Mutex::new(()),
    };
    // SAFETY: the caller's allocator; freed with the channel's allocator in clean_up.
    let impl_ = unsafe { new_in(allocator, state) };
    // SAFETY: the caller's channel struct, written whole.
    unsafe {
        channel.write(aws_log_channel {
            vtable: FOREGROUND_VTABLE.as_c(),
            allocator,
            writer,
            r#impl: impl_ as *mut libc::c_void,
        });
    }
    AWS_OP_SUCCESS
}

// ---- background -------------------------------------------------------------------

#[derive(Default)]
struct Pending {
    lines: Vec<QueuedLine>,
    finished: bool,
}

struct Background {
    pending: Mutex<Pending>,
    signal: Condvar,
    thread: Mutex<Option<JoinHandle<()>>>,
}

static BACKGROUND_VTABLE: CVtable<aws_log_channel_vtable> = CVtable(aws_log_channel_vtable {
    send: Some(background_send),
    clean_up: Some(background_clean_up),
});

/// # Safety
/// `channel` must be a live background channel.
unsafe fn background<'a>(channel: *mut aws_log_channel) -> &'a Background {
    // SAFETY: guaranteed by the caller.
    unsafe { &*((*channel).r#impl as *const Background) }
}

unsafe extern "C" fn background_send(
    channel: *mut aws_log_channel,
    line: *mut aws_string,
) -> c_int {
    // SAFETY: this vtable is only installed on background channels.
    let state = unsafe { background(channel) };
    lock(&state.pending).lines.push(QueuedLine(line));
    state.signal.notify_one();
    AWS_OP_SUCCESS
}

/// The channel handed to the writing thread.
struct ChannelPtr(*mut aws_log_channel);

// SAFETY: the channel outlives its thread (clean-up joins it before freeing
// anything) and the thread only reads it.
unsafe impl Send for ChannelPtr {}

/// The writing thread: waits for lines, writes each batch in order, and exits
/// once clean-up has asked it to and the queue is empty.
fn drain(channel: ChannelPtr) {
    let channel = channel.0;
    // SAFETY: see ChannelPtr.
    let state = unsafe { background(channel) };
    let mut batch = Vec::new();
    loop {
        {
            let mut pending = lock(&state.pending);
            while pending.lines.is_empty() && !pending.finished {
                pending = state
                    .signal
                    .wait(pending)
                    .unwrap_or_else(PoisonError::into_inner);
            }
            if pending.lines.is_empty() {
                return;
            }
            std::mem::swap(&mut pending.lines, &mut batch);
        }
        for line in batch.drain(..) {
            // SAFETY: the channel and its writer are live (see ChannelPtr); the line is ours.
            unsafe { write_and_destroy(channel, line.0) };
        }
        // SAFETY: as above.
        unsafe { writer::flush((*channel).writer) };
    }
}

unsafe extern "C" fn background_clean_up(channel: *mut aws_log_channel) {
    // SAFETY: a background channel made by aws_log_channel_init_background.
    let state = unsafe { background(channel) };
    lock(&state.pending).finished = true;
    state.signal.notify_one();
    if let Some(thread) = lock(&state.thread).take() {
        let _ = thread.join();
    }
    // SAFETY: the thread is gone; nothing else refers to the state.
    unsafe { drop_in((*channel).allocator, (*channel).r#impl as *mut Background) };
}

#[no_mangle]
pub unsafe extern "C" fn aws_log_channel_init_background(
    channel: *mut aws_log_channel,
    allocator: *mut aws_allocator,
    writer: *mut aws_log_writer,
) -> c_int {
    fatal_precondition!(
        !channel.is_null() && !allocator.is_null() && !writer.is_null(),
        "aws_log_channel_init_background"
    );
    let state = Background {
        pending: Mutex::new(Pending::default()),
        signal: Condvar::new(),
        thread: Mutex::new(None),
    };
    // SAFETY: the caller's allocator; freed with the channel's allocator in clean_up.
    let impl_ = unsafe { new_in(allocator, state) };
    // SAFETY: the caller's channel struct, written whole before the thread starts.
    unsafe {
        channel.write(aws_log_channel {
            vtable: BACKGROUND_VTABLE.as_c(),
            allocator,
            writer,
            r#impl: impl_ as *mut libc::c_void,
        });
    }
    let target = ChannelPtr(channel);
    // Upstream's name (at most 15 bytes on Linux).
    match std::thread::Builder::new()
        .name("AwsLogger".into())
        .spawn(move || drain(target))
    {
        Ok(thread) => {
            // SAFETY: impl_ is live until clean-up.
            *lock(unsafe { &(*impl_).thread }) = Some(thread);
            AWS_OP_SUCCESS
        }
        Err(_) => {
            // SAFETY: no thread refers to the state.
            unsafe { drop_in(allocator, impl_) };
            raise(AWS_ERROR_THREAD_INSUFFICIENT_RESOURCE)
        }
    }
}

#[no_mangle]
pub unsafe extern "C" fn aws_log_channel_clean_up(channel: *mut aws_log_channel) {
    fatal_precondition!(!channel.is_null(), "aws_log_channel_clean_up");
    // SAFETY: checked non-NULL; the caller passes an initialized channel.
    let clean_up = unsafe { (*channel).vtable.as_ref().and_then(|v| v.clean_up) };
    let Some(clean_up) = clean_up else {
        crate::ffi::fatal("aws_log_channel_clean_up: channel has no clean_up");
    };
    // SAFETY: the channel's own clean-up, called once.
    unsafe { clean_up(channel) };
}
