//! Data: io events, reads (`subscribe_to_readable_events`, `read`) and the
//! write queue with its completion callbacks.
use super::*;

unsafe extern "C" fn on_io_event(
    _event_loop: *mut aws_event_loop,
    _handle: *mut aws_io_handle,
    events: c_int,
    user_data: *mut c_void,
) {
    // SAFETY: C passes pointers valid as the upstream header documents; NULL is checked where upstream checks it.
    unsafe {
        let socket = user_data as *mut aws_socket;
        let i = (*socket).r#impl as *mut SocketImpl;
        if i.is_null() {
            return;
        }
        acquire(i);
        // Readable first: a peer that sends and hangs up at once must be read dry.
        if (*i).currently_subscribed && events & READABLE != 0 {
            notify_readable(socket, AWS_ERROR_SUCCESS);
        }
        if (*i).currently_subscribed && events & WRITABLE != 0 {
            let _ = process_writes(socket, None);
        }
        if (*i).currently_subscribed && events & (HANG_UP | EV_CLOSED) != 0 {
            raise(AWS_IO_SOCKET_CLOSED);
            notify_readable(socket, AWS_IO_SOCKET_CLOSED);
        } else if (*i).currently_subscribed && events & EV_ERROR != 0 {
            let err = get_error(socket);
            raise(err);
            notify_readable(socket, err);
        }
        release(i);
    }
}

unsafe fn notify_readable(socket: *mut aws_socket, error: c_int) {
    // SAFETY: this fn's caller guarantees its pointer arguments are valid and used on their owning thread.
    unsafe {
        let s = &*socket;
        if let Some(cb) = s.readable_fn {
            cb(socket, error, s.readable_user_data);
        }
    }
}

unsafe extern "C" fn run_readable_kick(_task: *mut aws_task, arg: *mut c_void, status: c_int) {
    // SAFETY: C passes pointers valid as the upstream header documents; NULL is checked where upstream checks it.
    unsafe {
        let i = arg as *mut SocketImpl;
        (*i).readable_task_scheduled = false;
        if status != RUN_READY || !(*i).currently_subscribed {
            return;
        }
        acquire(i);
        notify_readable((*i).socket, AWS_ERROR_SUCCESS);
        release(i);
    }
}

/// Once a socket both has a loop and a reader, the reader gets one readable
/// notification from a task: any edge that came before the reader existed has
/// been consumed by the loop, and edge-triggered epoll would not repeat it.
unsafe fn kick_reader(socket: *mut aws_socket) {
    // SAFETY: this fn's caller guarantees its pointer arguments are valid and used on their owning thread.
    unsafe {
        let s = &*socket;
        let i = imp(socket);
        if s.readable_fn.is_none() || s.event_loop.is_null() || !i.currently_subscribed {
            return;
        }
        if i.readable_task_scheduled {
            return;
        }
        i.readable_task_scheduled = true;
        let arg = i as *mut SocketImpl as *mut c_void;
        aws_task_init(
            &mut i.readable_task,
            Some(run_readable_kick),
            arg,
            c"socket_initial_readable".as_ptr(),
        );
        aws_event_loop_schedule_task_now(s.event_loop, &mut i.readable_task);
    }
}

pub unsafe fn assign_to_event_loop(
    socket: *mut aws_socket,
    event_loop: *mut aws_event_loop,
) -> c_int {
    // SAFETY: this fn's caller guarantees its pointer arguments are valid and used on their owning thread.
    unsafe {
        let s = &mut *socket;
        if !s.event_loop.is_null() {
            return raise(AWS_IO_EVENT_LOOP_ALREADY_ASSIGNED);
        }
        crate::fatal_precondition!(!event_loop.is_null(), "aws_socket_assign_to_event_loop");
        s.event_loop = event_loop;
        let i = imp(socket);
        i.currently_subscribed = true;
        if aws_event_loop_subscribe_to_io_events(
            event_loop,
            &mut s.io_handle,
            READABLE | WRITABLE,
            Some(on_io_event),
            socket as *mut c_void,
        ) != AWS_OP_SUCCESS
        {
            i.currently_subscribed = false;
            s.event_loop = ptr::null_mut();
            return AWS_OP_ERR;
        }
        kick_reader(socket);
        AWS_OP_SUCCESS
    }
}

pub unsafe fn subscribe_to_readable_events(
    socket: *mut aws_socket,
    on_readable: aws_socket_on_readable_fn,
    user_data: *mut c_void,
) -> c_int {
    // SAFETY: this fn's caller guarantees its pointer arguments are valid and used on their owning thread.
    unsafe {
        let s = &mut *socket;
        if s.state & CONNECTED_READ == 0 {
            return raise(AWS_IO_SOCKET_NOT_CONNECTED);
        }
        if s.readable_fn.is_some() {
            return raise(AWS_ERROR_IO_ALREADY_SUBSCRIBED);
        }
        crate::fatal_precondition!(
            on_readable.is_some(),
            "aws_socket_subscribe_to_readable_events"
        );
        s.readable_user_data = user_data;
        s.readable_fn = on_readable;
        kick_reader(socket);
        AWS_OP_SUCCESS
    }
}

pub unsafe fn read(
    socket: *mut aws_socket,
    buffer: &mut aws_byte_buf,
    amount: &mut usize,
) -> c_int {
    // SAFETY: the caller's buffer is valid for `capacity` bytes; the socket per the caller.
    unsafe {
        let tail =
            crate::ffi::slice_mut(buffer.buffer.add(buffer.len), buffer.capacity - buffer.len);
        match read_into(socket, tail) {
            Ok(n) => {
                *amount = n;
                buffer.len += n;
                AWS_OP_SUCCESS
            }
            Err(e) => {
                *amount = 0;
                raise(e)
            }
        }
    }
}

/// Loop thread: reads what is available into `buf`. `Ok(0)` only when `buf` is
/// empty; end of stream is `AWS_IO_SOCKET_CLOSED`, nothing to read yet
/// `AWS_IO_READ_WOULD_BLOCK` (upstream's codes).
///
/// # Safety
/// `socket` is a live socket.
pub unsafe fn read_into(socket: *mut aws_socket, buf: &mut [u8]) -> Result<usize, c_int> {
    // SAFETY: per the caller; `buf` is valid for its length.
    unsafe {
        let s = &mut *socket;
        if !on_loop_thread(s.event_loop) {
            return Err(AWS_ERROR_IO_EVENT_LOOP_THREAD_ONLY);
        }
        if s.state & CONNECTED_READ == 0 {
            return Err(AWS_IO_SOCKET_NOT_CONNECTED);
        }
        let n = libc::read(fd_of(s), buf.as_mut_ptr() as *mut c_void, buf.len());
        if n > 0 {
            return Ok(n as usize);
        }
        if n == 0 {
            // EOF; a zero-sized read says nothing about the peer.
            return if buf.is_empty() {
                Ok(0)
            } else {
                Err(AWS_IO_SOCKET_CLOSED)
            };
        }
        Err(match errno() {
            libc::EAGAIN => AWS_IO_READ_WOULD_BLOCK,
            libc::EPIPE | libc::ECONNRESET => AWS_IO_SOCKET_CLOSED,
            libc::ETIMEDOUT => AWS_IO_SOCKET_TIMEOUT,
            e => socket_error_from_errno(e),
        })
    }
}

// ---- writes ----------------------------------------------------------------------------

pub(super) unsafe fn complete(socket: *mut aws_socket, w: &WriteRequest, error: c_int) {
    // SAFETY: this fn's caller guarantees its pointer arguments are valid and used on their owning thread.
    unsafe {
        if let Some(cb) = w.written_fn {
            cb(socket, error, w.original_len - w.remaining, w.user_data);
        }
    }
}

unsafe extern "C" fn run_written(_task: *mut aws_task, arg: *mut c_void, status: c_int) {
    // SAFETY: C passes pointers valid as the upstream header documents; NULL is checked where upstream checks it.
    unsafe {
        let i = arg as *mut SocketImpl;
        (*i).written_task_scheduled = false;
        if status != RUN_READY {
            return; // close() delivers what is queued
        }
        acquire(i);
        // Only what is queued now: completions that write again wait for the next
        // run, so one busy socket cannot starve the loop. close() from a callback
        // empties the queue under us, ending the loop.
        let mut budget = (*i).written_queue.len();
        while budget > 0 {
            budget -= 1;
            let Some(w) = (*i).written_queue.pop_front() else {
                break;
            };
            complete((*i).socket, &w, w.error_code);
        }
        release(i);
    }
}

/// Sends as much of the queue as the kernel takes. `parent` is the request
/// aws_socket_write just queued: its failure is reported by the return value
/// instead of its callback.
unsafe fn process_writes(socket: *mut aws_socket, parent: Option<u64>) -> c_int {
    // SAFETY: this fn's caller guarantees its pointer arguments are valid and used on their owning thread.
    unsafe {
        let s = &mut *socket;
        let i = imp(socket);
        let fd = fd_of(s);
        let mut failure = None;
        let mut completed_any = false;

        while !i.write_queue.is_empty() {
            let mut iov: [libc::iovec; MAX_IOVECS] = zeroed();
            let mut count = 0;
            for (slot, w) in iov.iter_mut().zip(i.write_queue.iter()) {
                slot.iov_base = w.ptr as *mut c_void;
                slot.iov_len = w.remaining;
                count += 1;
            }
            let mut msg: libc::msghdr = zeroed();
            msg.msg_iov = iov.as_mut_ptr();
            msg.msg_iovlen = count as _;
            let sent = libc::sendmsg(fd, &msg, libc::MSG_NOSIGNAL);
            if sent < 0 {
                match errno() {
                    libc::EAGAIN => break, // the writable event resumes us
                    libc::EPIPE => failure = Some(AWS_IO_SOCKET_CLOSED),
                    e => failure = Some(socket_error_from_errno(e)),
                }
                break;
            }
            let mut left = sent as usize;
            while left > 0 {
                let w = i
                    .write_queue
                    .front_mut()
                    .expect("sent more than was queued");
                let take = left.min(w.remaining);
                w.ptr = w.ptr.add(take);
                w.remaining -= take;
                left -= take;
                if w.remaining == 0 {
                    let mut done = i.write_queue.pop_front().expect("front exists");
                    done.error_code = AWS_ERROR_SUCCESS;
                    i.written_queue.push_back(done);
                    completed_any = true;
                }
            }
            // A short write means the socket buffer is full.
            let queued: usize = iov[..count].iter().map(|v| v.iov_len).sum();
            if (sent as usize) < queued {
                break;
            }
        }

        let mut parent_failed = false;
        if let Some(err) = failure {
            raise(err);
            while let Some(mut w) = i.write_queue.pop_front() {
                if Some(w.seq) == parent {
                    parent_failed = true;
                } else {
                    w.error_code = err;
                    i.written_queue.push_back(w);
                    completed_any = true;
                }
            }
        }
        if completed_any && !i.written_task_scheduled {
            i.written_task_scheduled = true;
            let arg = i as *mut SocketImpl as *mut c_void;
            aws_task_init(
                &mut i.written_task,
                Some(run_written),
                arg,
                c"socket_written_task".as_ptr(),
            );
            aws_event_loop_schedule_task_now(s.event_loop, &mut i.written_task);
        }
        match (parent_failed, failure) {
            (true, Some(err)) => raise(err),
            _ => AWS_OP_SUCCESS,
        }
    }
}

pub unsafe fn write(
    socket: *mut aws_socket,
    cursor: &aws_byte_cursor,
    written_fn: aws_socket_on_write_completed_fn,
    user_data: *mut c_void,
) -> c_int {
    // SAFETY: this fn's caller guarantees its pointer arguments are valid and used on their owning thread.
    unsafe {
        let s = &mut *socket;
        if !on_loop_thread(s.event_loop) {
            return raise(AWS_ERROR_IO_EVENT_LOOP_THREAD_ONLY);
        }
        if s.state & CONNECTED_WRITE == 0 {
            return raise(AWS_IO_SOCKET_NOT_CONNECTED);
        }
        crate::fatal_precondition!(written_fn.is_some(), "aws_socket_write (written_fn)");
        let i = imp(socket);
        let seq = i.next_seq;
        i.next_seq += 1;
        i.write_queue.push_back(WriteRequest {
            seq,
            ptr: cursor.ptr,
            remaining: cursor.len,
            original_len: cursor.len,
            written_fn,
            user_data,
            error_code: AWS_ERROR_SUCCESS,
        });
        aws_log!(TRACE, LS, "id={:p}: queued write of {}", socket, cursor.len);
        process_writes(socket, Some(seq))
    }
}
