//! Servers: bind, listen, and the accept loop (`start_accept` /
//! `stop_accept`, which waits for the loop thread when called off it).
use super::*;

pub unsafe fn bind(socket: *mut aws_socket, options: &aws_socket_bind_options) -> c_int {
    // SAFETY: this fn's caller guarantees its pointer arguments are valid and used on their owning thread.
    unsafe {
        let s = &mut *socket;
        crate::fatal_precondition!(
            !options.local_endpoint.is_null(),
            "aws_socket_bind (local_endpoint)"
        );
        let local = &*options.local_endpoint;
        if s.state != INIT {
            return raise(AWS_IO_SOCKET_ILLEGAL_OPERATION_FOR_STATE);
        }
        if endpoint::address_bytes(local).is_none() {
            return AWS_OP_ERR;
        }
        if endpoint::validate_port_for_bind(local.port, s.options.domain) != AWS_OP_SUCCESS {
            return AWS_OP_ERR;
        }
        let addr = match endpoint::to_sockaddr(local, s.options.domain) {
            Ok(a) => a,
            Err(e) => return raise(e),
        };
        let fd = fd_of(s);
        if libc::bind(
            fd,
            &addr.storage as *const _ as *const libc::sockaddr,
            addr.len,
        ) != 0
        {
            let e = errno();
            aws_log!(
                DEBUG,
                LS,
                "id={:p} fd={}: bind failed with errno {}",
                socket,
                fd,
                e
            );
            s.state = ERROR;
            return raise(socket_error_from_errno(e));
        }
        match endpoint::local_endpoint_of(fd) {
            Ok(ep) => s.local_endpoint = ep,
            Err(e) => {
                s.state = ERROR;
                return raise(e);
            }
        }
        s.state = if s.options.r#type == aws_socket_type::AWS_SOCKET_STREAM as c_int {
            BOUND
        } else {
            CONNECTED_READ
        };
        AWS_OP_SUCCESS
    }
}

pub unsafe fn listen(socket: *mut aws_socket, backlog: c_int) -> c_int {
    // SAFETY: this fn's caller guarantees its pointer arguments are valid and used on their owning thread.
    unsafe {
        let s = &mut *socket;
        if s.state != BOUND {
            return raise(AWS_IO_SOCKET_ILLEGAL_OPERATION_FOR_STATE);
        }
        if libc::listen(fd_of(s), backlog) == 0 {
            s.state = LISTENING;
            return AWS_OP_SUCCESS;
        }
        let e = errno();
        s.state = ERROR;
        raise(socket_error_from_errno(e))
    }
}

/// Wraps an accepted fd in a new heap `aws_socket` (freed by the user with
/// `aws_socket_clean_up` + `aws_mem_release`).
unsafe fn new_accepted(
    listener: *mut aws_socket,
    fd: c_int,
    peer: &libc::sockaddr_storage,
) -> *mut aws_socket {
    // SAFETY: this fn's caller guarantees its pointer arguments are valid and used on their owning thread.
    unsafe {
        let l = &*listener;
        let new_sock = aws_mem_acquire(l.allocator, size_of::<aws_socket>()) as *mut aws_socket;
        if new_sock.is_null() {
            return new_sock;
        }
        if init(new_sock, l.allocator, &l.options, fd) != AWS_OP_SUCCESS {
            crate::common::allocator::aws_mem_release(l.allocator, new_sock as *mut c_void);
            return ptr::null_mut();
        }
        let n = &mut *new_sock;
        n.state = CONNECTED_READ | CONNECTED_WRITE;
        n.local_endpoint =
            endpoint::local_endpoint_of(fd).unwrap_or_else(|_| ptr::read(&l.local_endpoint));
        match endpoint::from_sockaddr(peer, &mut n.remote_endpoint) {
            Ok(domain) if domain == aws_socket_domain::AWS_SOCKET_LOCAL as c_int => {
                // The peer of a Unix socket is unnamed: report the listener's path.
                n.remote_endpoint = ptr::read(&l.local_endpoint);
                n.options.domain = domain;
            }
            Ok(domain) => n.options.domain = domain,
            Err(_) => {}
        }
        new_sock
    }
}

unsafe extern "C" fn on_accept_event(
    _event_loop: *mut aws_event_loop,
    handle: *mut aws_io_handle,
    events: c_int,
    user_data: *mut c_void,
) {
    // SAFETY: C passes pointers valid as the upstream header documents; NULL is checked where upstream checks it.
    unsafe {
        let socket = user_data as *mut aws_socket;
        if (*socket).r#impl.is_null() || events & READABLE == 0 {
            return;
        }
        let listen_fd = (*handle).data.fd;
        while imp(socket).continue_accept {
            let mut peer: libc::sockaddr_storage = zeroed();
            let mut len = size_of::<libc::sockaddr_storage>() as socklen_t;
            let fd = libc::accept4(
                listen_fd,
                &mut peer as *mut _ as *mut libc::sockaddr,
                &mut len,
                libc::SOCK_NONBLOCK | libc::SOCK_CLOEXEC,
            );
            if fd < 0 {
                let e = errno();
                match e {
                    libc::EAGAIN => break,
                    // The peer gave up before we got to it: not the listener's problem.
                    libc::ECONNABORTED | libc::EINTR | libc::EPROTO => continue,
                    _ => {
                        let err = socket_error_from_errno(e);
                        raise(err);
                        on_connection_error(socket, err);
                        break;
                    }
                }
            }
            let new_sock = new_accepted(socket, fd, &peer);
            if new_sock.is_null() {
                libc::close(fd);
                on_connection_error(socket, last_error());
                continue;
            }
            aws_log!(DEBUG, LS, "id={:p}: incoming connection, fd {}", socket, fd);
            let mut close_happened = false;
            imp(socket).close_happened = &mut close_happened;
            let s = &*socket;
            if let Some(cb) = s.accept_result_fn {
                cb(
                    socket,
                    AWS_ERROR_SUCCESS,
                    new_sock,
                    s.connect_accept_user_data,
                );
            }
            if close_happened {
                // The listener may be gone: touch nothing.
                return;
            }
            imp(socket).close_happened = ptr::null_mut();
        }
    }
}

struct AcceptStarted {
    task: aws_task,
    alloc: *mut aws_allocator,
    socket: *mut aws_socket,
    on_start: aws_socket_on_accept_started_fn,
    user_data: *mut c_void,
}

unsafe extern "C" fn run_accept_started(_task: *mut aws_task, arg: *mut c_void, status: c_int) {
    // SAFETY: C passes pointers valid as the upstream header documents; NULL is checked where upstream checks it.
    unsafe {
        let a = arg as *mut AcceptStarted;
        if status == RUN_READY {
            if let Some(cb) = (*a).on_start {
                cb((*a).socket, AWS_ERROR_SUCCESS, (*a).user_data);
            }
        }
        drop_in((*a).alloc, a);
    }
}

pub unsafe fn start_accept(
    socket: *mut aws_socket,
    accept_loop: *mut aws_event_loop,
    options: aws_socket_listener_options,
) -> c_int {
    // SAFETY: this fn's caller guarantees its pointer arguments are valid and used on their owning thread.
    unsafe {
        crate::fatal_precondition!(
            options.on_accept_result.is_some() && !accept_loop.is_null(),
            "aws_socket_start_accept"
        );
        let s = &mut *socket;
        if !s.event_loop.is_null() {
            return raise(AWS_IO_EVENT_LOOP_ALREADY_ASSIGNED);
        }
        if s.state != LISTENING {
            return raise(AWS_IO_SOCKET_ILLEGAL_OPERATION_FOR_STATE);
        }
        s.accept_result_fn = options.on_accept_result;
        s.connect_accept_user_data = options.on_accept_result_user_data;
        s.event_loop = accept_loop;
        let i = imp(socket);
        i.continue_accept = true;
        i.currently_subscribed = true;
        if aws_event_loop_subscribe_to_io_events(
            accept_loop,
            &mut s.io_handle,
            READABLE,
            Some(on_accept_event),
            socket as *mut c_void,
        ) != AWS_OP_SUCCESS
        {
            i.continue_accept = false;
            i.currently_subscribed = false;
            s.event_loop = ptr::null_mut();
            return AWS_OP_ERR;
        }
        let started = new_in(
            s.allocator,
            AcceptStarted {
                task: zeroed(),
                alloc: s.allocator,
                socket,
                on_start: options.on_accept_start,
                user_data: options.on_accept_start_user_data,
            },
        );
        if !started.is_null() {
            aws_task_init(
                &mut (*started).task,
                Some(run_accept_started),
                started as *mut c_void,
                c"socket_on_accept_started".as_ptr(),
            );
            aws_event_loop_schedule_task_now(accept_loop, &mut (*started).task);
        }
        AWS_OP_SUCCESS
    }
}

pub unsafe fn stop_accept(socket: *mut aws_socket) -> c_int {
    // SAFETY: this fn's caller guarantees its pointer arguments are valid and used on their owning thread.
    unsafe {
        let s = &mut *socket;
        if s.state != LISTENING {
            return raise(AWS_IO_SOCKET_ILLEGAL_OPERATION_FOR_STATE);
        }
        if s.event_loop.is_null() {
            return AWS_OP_SUCCESS; // never started
        }
        if !on_loop_thread(s.event_loop) {
            return run_on_loop_and_wait(socket, stop_accept);
        }
        let i = imp(socket);
        let mut rc = AWS_OP_SUCCESS;
        if i.currently_subscribed {
            rc = aws_event_loop_unsubscribe_from_io_events(s.event_loop, &mut s.io_handle);
            i.currently_subscribed = false;
            i.continue_accept = false;
            s.event_loop = ptr::null_mut();
        }
        rc
    }
}
