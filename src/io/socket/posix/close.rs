//! Closing a socket and shutting down one direction.
use super::*;

pub unsafe fn close(socket: *mut aws_socket) -> c_int {
    // SAFETY: this fn's caller guarantees its pointer arguments are valid and used on their owning thread.
    unsafe {
        let s = &mut *socket;
        let i = imp(socket) as *mut SocketImpl;
        let event_loop = s.event_loop;
        aws_log!(DEBUG, LS, "id={:p} fd={}: closing", socket, fd_of(s));
        if !event_loop.is_null() {
            if !on_loop_thread(event_loop) {
                // Only a listener may be closed from outside its loop (upstream's rule).
                if s.state != LISTENING {
                    return raise(AWS_IO_SOCKET_ILLEGAL_OPERATION_FOR_STATE);
                }
                let rc = run_on_loop_and_wait(socket, close);
                return rc;
            }
            if (*i).currently_subscribed {
                if s.state & LISTENING != 0 {
                    let _ = stop_accept(socket);
                } else if aws_event_loop_unsubscribe_from_io_events(event_loop, &mut s.io_handle)
                    != AWS_OP_SUCCESS
                {
                    return AWS_OP_ERR;
                }
                (*i).currently_subscribed = false;
                s.event_loop = ptr::null_mut();
            }
        }
        if !(*i).close_happened.is_null() {
            *(*i).close_happened = true;
        }
        if !(*i).connect_args.is_null() {
            (*(*i).connect_args).socket = ptr::null_mut();
            (*i).connect_args = ptr::null_mut();
        }
        if (*i).readable_task_scheduled && !event_loop.is_null() {
            (*i).readable_task_scheduled = false;
            aws_event_loop_cancel_task(event_loop, &mut (*i).readable_task);
        }
        if is_open(socket) {
            libc::close(fd_of(s));
            set_fd(s, -1);
            s.state = CLOSED;
            // Pending write callbacks fire, in order, before close returns.
            if (*i).written_task_scheduled && !event_loop.is_null() {
                (*i).written_task_scheduled = false;
                aws_event_loop_cancel_task(event_loop, &mut (*i).written_task);
            }
            while let Some(w) = (*i).written_queue.pop_front() {
                complete(socket, &w, w.error_code);
            }
            while let Some(w) = (*i).write_queue.pop_front() {
                complete(socket, &w, AWS_IO_SOCKET_CLOSED);
            }
        }
        (*i).on_close_complete.call();
        AWS_OP_SUCCESS
    }
}

pub unsafe fn shutdown_dir(socket: *mut aws_socket, dir: c_int) -> c_int {
    // SAFETY: this fn's caller guarantees its pointer arguments are valid and used on their owning thread.
    unsafe {
        let s = &mut *socket;
        let read = dir == aws_channel_direction::AWS_CHANNEL_DIR_READ as c_int;
        let how = if read { libc::SHUT_RD } else { libc::SHUT_WR };
        if libc::shutdown(fd_of(s), how) != 0 {
            return raise(socket_error_from_errno(errno()));
        }
        s.state &= if read {
            !CONNECTED_READ
        } else {
            !CONNECTED_WRITE
        };
        AWS_OP_SUCCESS
    }
}
