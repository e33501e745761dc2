//! `pipe.h`: a non-blocking OS pipe whose ends live on event loops.
//!
//! The read end reports readability through the loop's io events; the write
//! end queues writes and finishes them in order, each with its callback, as
//! the pipe drains. User callbacks may clean up their own end, so state is
//! reached through raw pointers and a "cleaned up" flag on the caller's stack.
use std::collections::VecDeque;

use libc::{c_int, c_void};

use crate::common::abi::*;
use crate::common::allocator::{drop_in, new_in};
use crate::common::error::raise;
use crate::common::error_codes::*;
use crate::io::abi::*;
use crate::io::event_loop::{
    aws_event_loop_subscribe_to_io_events, aws_event_loop_thread_is_callers_thread,
    aws_event_loop_unsubscribe_from_io_events,
};

#[repr(C)]
pub struct aws_pipe_read_end {
    pub impl_data: *mut c_void,
}

#[repr(C)]
pub struct aws_pipe_write_end {
    pub impl_data: *mut c_void,
}

pub type aws_pipe_on_readable_fn = Option<
    unsafe extern "C" fn(
        read_end: *mut aws_pipe_read_end,
        error_code: c_int,
        user_data: *mut c_void,
    ),
>;
pub type aws_pipe_on_write_completed_fn = Option<
    unsafe extern "C" fn(
        write_end: *mut aws_pipe_write_end,
        error_code: c_int,
        src_buffer: aws_byte_cursor,
        user_data: *mut c_void,
    ),
>;

const READABLE: c_int = aws_io_event_type::AWS_IO_EVENT_TYPE_READABLE as c_int;
const WRITABLE: c_int = aws_io_event_type::AWS_IO_EVENT_TYPE_WRITABLE as c_int;

struct ReadEnd {
    alloc: *mut aws_allocator,
    handle: aws_io_handle,
    event_loop: *mut aws_event_loop,
    on_readable: aws_pipe_on_readable_fn,
    user_data: *mut c_void,
    subscribed: bool,
    /// Set while a readable callback runs: where to record a clean-up from it.
    cleaned_up_flag: *mut bool,
}

struct WriteRequest {
    original: aws_byte_cursor,
    written: usize,
    on_completed: aws_pipe_on_write_completed_fn,
    user_data: *mut c_void,
}

struct WriteEnd {
    alloc: *mut aws_allocator,
    handle: aws_io_handle,
    event_loop: *mut aws_event_loop,
    queue: VecDeque<WriteRequest>,
    writable: bool,
    /// Set while a completion callback runs: where to record a clean-up from it.
    cleaned_up_flag: *mut bool,
}

fn errno() -> c_int {
    std::io::Error::last_os_error().raw_os_error().unwrap_or(0)
}

fn posix_error(err: c_int) -> c_int {
    if err == libc::EPIPE {
        AWS_IO_BROKEN_PIPE
    } else {
        AWS_ERROR_SYS_CALL_FAILURE
    }
}

fn new_handle(fd: c_int) -> aws_io_handle {
    aws_io_handle {
        data: aws_io_handle_data { fd },
        additional_data: std::ptr::null_mut(),
        set_queue: None,
    }
}

/// Opens a pipe whose two ends are non-blocking and close-on-exec.
#[no_mangle]
pub unsafe extern "C" fn aws_open_nonblocking_posix_pipe(pipe_fds: *mut c_int) -> c_int {
    crate::fatal_precondition!(!pipe_fds.is_null(), "aws_open_nonblocking_posix_pipe");
    // SAFETY: the caller passes room for two ints.
    if unsafe { libc::pipe2(pipe_fds, libc::O_NONBLOCK | libc::O_CLOEXEC) } != 0 {
        return raise(posix_error(errno()));
    }
    AWS_OP_SUCCESS
}

#[no_mangle]
pub unsafe extern "C" fn aws_pipe_init(
    read_end: *mut aws_pipe_read_end,
    read_end_event_loop: *mut aws_event_loop,
    write_end: *mut aws_pipe_write_end,
    write_end_event_loop: *mut aws_event_loop,
    allocator: *mut aws_allocator,
) -> c_int {
    crate::fatal_precondition!(
        !read_end.is_null()
            && !write_end.is_null()
            && !read_end_event_loop.is_null()
            && !write_end_event_loop.is_null()
            && !allocator.is_null(),
        "aws_pipe_init"
    );
    // SAFETY: C passes valid ends, loops and allocator (checked non-NULL above).
    unsafe {
        (*read_end).impl_data = std::ptr::null_mut();
        (*write_end).impl_data = std::ptr::null_mut();
        let mut fds = [0 as c_int; 2];
        if aws_open_nonblocking_posix_pipe(fds.as_mut_ptr()) != AWS_OP_SUCCESS {
            return AWS_OP_ERR;
        }
        let r = new_in(
            allocator,
            ReadEnd {
                alloc: allocator,
                handle: new_handle(fds[0]),
                event_loop: read_end_event_loop,
                on_readable: None,
                user_data: std::ptr::null_mut(),
                subscribed: false,
                cleaned_up_flag: std::ptr::null_mut(),
            },
        );
        let w = new_in(
            allocator,
            WriteEnd {
                alloc: allocator,
                handle: new_handle(fds[1]),
                event_loop: write_end_event_loop,
                queue: VecDeque::new(),
                // Assumed writable until a write would block.
                writable: true,
                cleaned_up_flag: std::ptr::null_mut(),
            },
        );
        if !r.is_null() && !w.is_null() {
            (*read_end).impl_data = r as *mut c_void;
            (*write_end).impl_data = w as *mut c_void;
            if aws_event_loop_subscribe_to_io_events(
                write_end_event_loop,
                &mut (*w).handle,
                WRITABLE,
                Some(on_write_end_event),
                write_end as *mut c_void,
            ) == AWS_OP_SUCCESS
            {
                return AWS_OP_SUCCESS;
            }
        }
        libc::close(fds[0]);
        libc::close(fds[1]);
        drop_in(allocator, r);
        drop_in(allocator, w);
        (*read_end).impl_data = std::ptr::null_mut();
        (*write_end).impl_data = std::ptr::null_mut();
        AWS_OP_ERR
    }
}

/// # Safety
/// `read_end` is a valid pointer to an end `aws_pipe_init` filled (or zeroed).
unsafe fn read_impl(read_end: *const aws_pipe_read_end) -> *mut ReadEnd {
    crate::fatal_precondition!(!read_end.is_null(), "aws_pipe (read end)");
    // SAFETY: per the caller.
    unsafe { (*read_end).impl_data as *mut ReadEnd }
}

/// # Safety
/// `write_end` is a valid pointer to an end `aws_pipe_init` filled (or zeroed).
unsafe fn write_impl(write_end: *const aws_pipe_write_end) -> *mut WriteEnd {
    crate::fatal_precondition!(!write_end.is_null(), "aws_pipe (write end)");
    // SAFETY: per the caller.
    unsafe { (*write_end).impl_data as *mut WriteEnd }
}

fn on_thread(event_loop: *mut aws_event_loop) -> bool {
    // SAFETY: an end's loop outlives the end.
    unsafe { aws_event_loop_thread_is_callers_thread(event_loop) }
}

#[no_mangle]
pub unsafe extern "C" fn aws_pipe_clean_up_read_end(read_end: *mut aws_pipe_read_end) -> c_int {
    // SAFETY: C passes a valid end; its impl is live until freed here.
    unsafe {
        let r = read_impl(read_end);
        if r.is_null() {
            return raise(AWS_IO_BROKEN_PIPE);
        }
        if !on_thread((*r).event_loop) {
            return raise(AWS_ERROR_IO_EVENT_LOOP_THREAD_ONLY);
        }
        if (*r).subscribed && aws_pipe_unsubscribe_from_readable_events(read_end) != AWS_OP_SUCCESS
        {
            return AWS_OP_ERR;
        }
        if !(*r).cleaned_up_flag.is_null() {
            *(*r).cleaned_up_flag = true;
        }
        libc::close((*r).handle.data.fd);
        drop_in((*r).alloc, r);
        (*read_end).impl_data = std::ptr::null_mut();
        AWS_OP_SUCCESS
    }
}

#[no_mangle]
pub unsafe extern "C" fn aws_pipe_clean_up_write_end(write_end: *mut aws_pipe_write_end) -> c_int {
    // SAFETY: C passes a valid end; its impl is live until freed here.
    unsafe {
        let w = write_impl(write_end);
        if w.is_null() {
            return raise(AWS_IO_BROKEN_PIPE);
        }
        if !on_thread((*w).event_loop) {
            return raise(AWS_ERROR_IO_EVENT_LOOP_THREAD_ONLY);
        }
        if aws_event_loop_unsubscribe_from_io_events((*w).event_loop, &mut (*w).handle)
            != AWS_OP_SUCCESS
        {
            return AWS_OP_ERR;
        }
        libc::close((*w).handle.data.fd);
        (*write_end).impl_data = std::ptr::null_mut();
        if !(*w).cleaned_up_flag.is_null() {
            *(*w).cleaned_up_flag = true;
        }
        // Writes still queued complete with BROKEN_PIPE and no end.
        while let Some(req) = (*w).queue.pop_front() {
            if let Some(cb) = req.on_completed {
                cb(
                    std::ptr::null_mut(),
                    AWS_IO_BROKEN_PIPE,
                    req.original,
                    req.user_data,
                );
            }
        }
        drop_in((*w).alloc, w);
        AWS_OP_SUCCESS
    }
}

#[no_mangle]
pub unsafe extern "C" fn aws_pipe_get_read_end_event_loop(
    read_end: *const aws_pipe_read_end,
) -> *mut aws_event_loop {
    // SAFETY: C passes a valid end.
    unsafe {
        let r = read_impl(read_end);
        if r.is_null() {
            raise(AWS_IO_BROKEN_PIPE);
            return std::ptr::null_mut();
        }
        (*r).event_loop
    }
}

#[no_mangle]
pub unsafe extern "C" fn aws_pipe_get_write_end_event_loop(
    write_end: *const aws_pipe_write_end,
) -> *mut aws_event_loop {
    // SAFETY: C passes a valid end.
    unsafe {
        let w = write_impl(write_end);
        if w.is_null() {
            raise(AWS_IO_BROKEN_PIPE);
            return std::ptr::null_mut();
        }
        (*w).event_loop
    }
}

/// Reads what is available into the spare capacity of `dst_buffer`.
#[no_mangle]
pub unsafe extern "C" fn aws_pipe_read(
    read_end: *mut aws_pipe_read_end,
    dst_buffer: *mut aws_byte_buf,
    num_bytes_read: *mut usize,
) -> c_int {
    // SAFETY: C passes a valid end and buffer with `capacity` bytes.
    unsafe {
        crate::fatal_precondition!(
            !dst_buffer.is_null() && !(*dst_buffer).buffer.is_null(),
            "aws_pipe_read"
        );
        let r = read_impl(read_end);
        if r.is_null() {
            return raise(AWS_IO_BROKEN_PIPE);
        }
        if !num_bytes_read.is_null() {
            *num_bytes_read = 0;
        }
        let buf = &mut *dst_buffer;
        let n = libc::read(
            (*r).handle.data.fd,
            buf.buffer.add(buf.len) as *mut c_void,
            buf.capacity - buf.len,
        );
        if n < 0 {
            let e = errno();
            if e == libc::EAGAIN || e == libc::EWOULDBLOCK {
                return raise(AWS_IO_READ_WOULD_BLOCK);
            }
            return raise(posix_error(e));
        }
        buf.len += n as usize;
        if !num_bytes_read.is_null() {
            *num_bytes_read = n as usize;
        }
        AWS_OP_SUCCESS
    }
}

unsafe extern "C" fn on_read_end_event(
    _event_loop: *mut aws_event_loop,
    _handle: *mut aws_io_handle,
    mut events: c_int,
    user_data: *mut c_void,
) {
    // SAFETY: user_data is the subscribed read end, live while subscribed.
    unsafe {
        let read_end = user_data as *mut aws_pipe_read_end;
        let r = read_impl(read_end);
        if r.is_null() || !(*r).subscribed {
            return;
        }
        let mut cleaned_up = false;
        (*r).cleaned_up_flag = &mut cleaned_up;
        if events & READABLE != 0 {
            if let Some(cb) = (*r).on_readable {
                cb(read_end, AWS_ERROR_SUCCESS, (*r).user_data);
            }
            if cleaned_up {
                return;
            }
            events &= !READABLE;
        }
        // Anything else (hang-up, error) reads as a broken pipe, while still subscribed.
        if events != 0 && (*r).subscribed {
            if let Some(cb) = (*r).on_readable {
                cb(read_end, AWS_IO_BROKEN_PIPE, (*r).user_data);
            }
            if cleaned_up {
                return;
            }
        }
        (*r).cleaned_up_flag = std::ptr::null_mut();
    }
}

#[no_mangle]
pub unsafe extern "C" fn aws_pipe_subscribe_to_readable_events(
    read_end: *mut aws_pipe_read_end,
    on_readable: aws_pipe_on_readable_fn,
    user_data: *mut c_void,
) -> c_int {
    crate::fatal_precondition!(
        on_readable.is_some(),
        "aws_pipe_subscribe_to_readable_events"
    );
    // SAFETY: C passes a valid end.
    unsafe {
        let r = read_impl(read_end);
        if r.is_null() {
            return raise(AWS_IO_BROKEN_PIPE);
        }
        if !on_thread((*r).event_loop) {
            return raise(AWS_ERROR_IO_EVENT_LOOP_THREAD_ONLY);
        }
        if (*r).subscribed {
            return raise(AWS_ERROR_IO_ALREADY_SUBSCRIBED);
        }
        (*r).subscribed = true;
        (*r).on_readable = on_readable;
        (*r).user_data = user_data;
        if aws_event_loop_subscribe_to_io_events(
            (*r).event_loop,
            &mut (*r).handle,
            READABLE,
            Some(on_read_end_event),
            read_end as *mut c_void,
        ) != AWS_OP_SUCCESS
        {
            (*r).subscribed = false;
            (*r).on_readable = None;
            (*r).user_data = std::ptr::null_mut();
            return AWS_OP_ERR;
        }
        AWS_OP_SUCCESS
    }
}

#[no_mangle]
pub unsafe extern "C" fn aws_pipe_unsubscribe_from_readable_events(
    read_end: *mut aws_pipe_read_end,
) -> c_int {
    // SAFETY: C passes a valid end.
    unsafe {
        let r = read_impl(read_end);
        if r.is_null() {
            return raise(AWS_IO_BROKEN_PIPE);
        }
        if !on_thread((*r).event_loop) {
            return raise(AWS_ERROR_IO_EVENT_LOOP_THREAD_ONLY);
        }
        if !(*r).subscribed {
            return raise(AWS_ERROR_IO_NOT_SUBSCRIBED);
        }
        if aws_event_loop_unsubscribe_from_io_events((*r).event_loop, &mut (*r).handle)
            != AWS_OP_SUCCESS
        {
            return AWS_OP_ERR;
        }
        (*r).subscribed = false;
        (*r).on_readable = None;
        (*r).user_data = std::ptr::null_mut();
        AWS_OP_SUCCESS
    }
}

/// Writes queued requests in order until the pipe is full or the queue empty.
///
/// # Safety
/// `write_end` is a live write end, on its loop's thread.
unsafe fn process_writes(write_end: *mut aws_pipe_write_end) {
    // SAFETY: per the caller; the impl is re-read after every callback.
    unsafe {
        loop {
            let w = write_impl(write_end);
            let Some(req) = (*w).queue.front_mut() else {
                return;
            };
            let mut error = AWS_ERROR_SUCCESS;
            let left = req.original.len - req.written;
            if left > 0 {
                let n = libc::write(
                    (*w).handle.data.fd,
                    req.original.ptr.add(req.written) as *const c_void,
                    left,
                );
                if n < 0 {
                    let e = errno();
                    if e == libc::EAGAIN || e == libc::EWOULDBLOCK {
                        (*w).writable = false;
                        return;
                    }
                    error = posix_error(e);
                } else {
                    req.written += n as usize;
                    if req.written < req.original.len {
                        continue;
                    }
                }
            }
            let req = (*w).queue.pop_front().expect("front exists");
            let Some(cb) = req.on_completed else {
                continue;
            };
            let mut cleaned_up = false;
            let outer = std::mem::replace(&mut (*w).cleaned_up_flag, &mut cleaned_up);
            cb(write_end, error, req.original, req.user_data);
            if cleaned_up {
                if !outer.is_null() {
                    *outer = true;
                }
                return;
            }
            (*w).cleaned_up_flag = outer;
        }
    }
}

unsafe extern "C" fn on_write_end_event(
    _event_loop: *mut aws_event_loop,
    _handle: *mut aws_io_handle,
    events: c_int,
    user_data: *mut c_void,
) {
    if events & WRITABLE == 0 {
        return;
    }
    // SAFETY: user_data is the write end, subscribed for its whole life.
    unsafe {
        let write_end = user_data as *mut aws_pipe_write_end;
        let w = write_impl(write_end);
        if w.is_null() {
            return;
        }
        (*w).writable = true;
        process_writes(write_end);
    }
}

/// Queues `src_buffer` (which must stay valid until its callback) for writing.
#[no_mangle]
pub unsafe extern "C" fn aws_pipe_write(
    write_end: *mut aws_pipe_write_end,
    src_buffer: aws_byte_cursor,
    on_completed: aws_pipe_on_write_completed_fn,
    user_data: *mut c_void,
) -> c_int {
    crate::fatal_precondition!(!src_buffer.ptr.is_null(), "aws_pipe_write");
    // SAFETY: C passes a valid end.
    unsafe {
        let w = write_impl(write_end);
        if w.is_null() {
            return raise(AWS_IO_BROKEN_PIPE);
        }
        if !on_thread((*w).event_loop) {
            return raise(AWS_ERROR_IO_EVENT_LOOP_THREAD_ONLY);
        }
        (*w).queue.push_back(WriteRequest {
            original: src_buffer,
            written: 0,
            on_completed,
            user_data,
        });
        // From inside a completion callback the running loop picks it up.
        if (*w).writable && (*w).cleaned_up_flag.is_null() {
            process_writes(write_end);
        }
        AWS_OP_SUCCESS
    }
}
