//! Connecting: the non-blocking `connect`, its timeout task, and the
//! success/error callbacks (which start reading and writing).
use super::*;

pub(super) unsafe fn on_connection_error(socket: *mut aws_socket, error: c_int) {
    // SAFETY: this fn's caller guarantees its pointer arguments are valid and used on their owning thread.
    unsafe {
        let s = &mut *socket;
        s.state = ERROR;
        aws_log!(DEBUG, LS, "id={:p}: connection failure {}", socket, error);
        if let Some(cb) = s.connection_result_fn {
            cb(socket, error, s.connect_accept_user_data);
        } else if let Some(cb) = s.accept_result_fn {
            cb(socket, error, ptr::null_mut(), s.connect_accept_user_data);
        }
    }
}

unsafe fn on_connection_success(socket: *mut aws_socket) {
    // SAFETY: this fn's caller guarantees its pointer arguments are valid and used on their owning thread.
    unsafe {
        let s = &mut *socket;
        let event_loop = s.event_loop;
        let i = imp(socket);
        if i.currently_subscribed {
            aws_event_loop_unsubscribe_from_io_events(event_loop, &mut s.io_handle);
            i.currently_subscribed = false;
        }
        s.event_loop = ptr::null_mut();

        let err = get_error(socket);
        if err != AWS_OP_SUCCESS {
            raise(err);
            return on_connection_error(socket, err);
        }
        match endpoint::local_endpoint_of(fd_of(s)) {
            Ok(ep) => s.local_endpoint = ep,
            Err(e) => {
                raise(e);
                return on_connection_error(socket, e);
            }
        }
        s.state = CONNECTED_READ | CONNECTED_WRITE;
        if assign_to_event_loop(socket, event_loop) != AWS_OP_SUCCESS {
            return on_connection_error(socket, last_error());
        }
        aws_log!(
            DEBUG,
            LS,
            "id={:p} fd={}: connection success",
            socket,
            fd_of(s)
        );
        if let Some(cb) = s.connection_result_fn {
            cb(socket, AWS_ERROR_SUCCESS, s.connect_accept_user_data);
        }
    }
}

/// The connecting fd went writable (or failed).
unsafe extern "C" fn on_connect_event(
    _event_loop: *mut aws_event_loop,
    _handle: *mut aws_io_handle,
    events: c_int,
    user_data: *mut c_void,
) {
    // SAFETY: C passes pointers valid as the upstream header documents; NULL is checked where upstream checks it.
    unsafe {
        let args = user_data as *mut ConnectArgs;
        let socket = (*args).socket;
        if socket.is_null() {
            return;
        }
        let failed = events & (EV_ERROR | EV_CLOSED) != 0;
        if !failed && events & (READABLE | WRITABLE) != 0 {
            (*args).socket = ptr::null_mut();
            imp(socket).connect_args = ptr::null_mut();
            return on_connection_success(socket);
        }
        let err = get_error(socket);
        if err == AWS_IO_READ_WOULD_BLOCK {
            return; // spurious; another event will come
        }
        (*args).socket = ptr::null_mut();
        imp(socket).connect_args = ptr::null_mut();
        raise(err);
        on_connection_error(socket, err);
    }
}

/// Runs at the connect deadline (or is cancelled with the loop); always frees
/// the args.
unsafe extern "C" fn on_connect_timeout(_task: *mut aws_task, arg: *mut c_void, status: c_int) {
    // SAFETY: C passes pointers valid as the upstream header documents; NULL is checked where upstream checks it.
    unsafe {
        let args = arg as *mut ConnectArgs;
        let socket = (*args).socket;
        if !socket.is_null() {
            let s = &mut *socket;
            aws_log!(
                DEBUG,
                LS,
                "id={:p} fd={}: connect timed out",
                socket,
                fd_of(s)
            );
            s.state = TIMEDOUT;
            let error = if status == RUN_READY {
                aws_event_loop_unsubscribe_from_io_events(s.event_loop, &mut s.io_handle);
                AWS_IO_SOCKET_TIMEOUT
            } else {
                aws_event_loop_free_io_event_resources(s.event_loop, &mut s.io_handle);
                AWS_IO_EVENT_LOOP_SHUTDOWN
            };
            s.event_loop = ptr::null_mut();
            imp(socket).currently_subscribed = false;
            raise(error);
            // close() settles the args (socket := NULL).
            let _ = close(socket);
            on_connection_error(socket, error);
        }
        drop_in((*args).alloc, args);
    }
}

/// An immediately successful connect (Unix sockets), moved onto the loop thread.
unsafe extern "C" fn on_connect_immediate(_task: *mut aws_task, arg: *mut c_void, status: c_int) {
    // SAFETY: C passes pointers valid as the upstream header documents; NULL is checked where upstream checks it.
    unsafe {
        let args = arg as *mut ConnectArgs;
        let socket = (*args).socket;
        let alloc = (*args).alloc;
        if !socket.is_null() {
            (*args).socket = ptr::null_mut();
            imp(socket).connect_args = ptr::null_mut();
            if status == RUN_READY {
                on_connection_success(socket);
            } else {
                raise(AWS_IO_SOCKET_CONNECT_ABORTED);
                (*socket).event_loop = ptr::null_mut();
                on_connection_error(socket, AWS_IO_SOCKET_CONNECT_ABORTED);
            }
        }
        drop_in(alloc, args);
    }
}

pub unsafe fn connect(socket: *mut aws_socket, options: &aws_socket_connect_options) -> c_int {
    // SAFETY: this fn's caller guarantees its pointer arguments are valid and used on their owning thread.
    unsafe {
        let s = &mut *socket;
        let event_loop = options.event_loop;
        crate::fatal_precondition!(
            !options.remote_endpoint.is_null(),
            "aws_socket_connect (remote_endpoint)"
        );
        let remote = &*options.remote_endpoint;
        if !s.event_loop.is_null() {
            return raise(AWS_IO_EVENT_LOOP_ALREADY_ASSIGNED);
        }
        let dgram = s.options.r#type == aws_socket_type::AWS_SOCKET_DGRAM as c_int;
        if !dgram {
            crate::fatal_precondition!(
                options.on_connection_result.is_some(),
                "aws_socket_connect (on_connection_result)"
            );
            if s.state != INIT {
                return raise(AWS_IO_SOCKET_ILLEGAL_OPERATION_FOR_STATE);
            }
        } else if s.state != CONNECTED_READ && s.state != INIT {
            return raise(AWS_IO_SOCKET_ILLEGAL_OPERATION_FOR_STATE);
        }
        crate::fatal_precondition!(!event_loop.is_null(), "aws_socket_connect (event_loop)");
        if endpoint::address_bytes(remote).is_none() {
            return AWS_OP_ERR;
        }
        if endpoint::validate_port_for_connect(remote.port, s.options.domain) != AWS_OP_SUCCESS {
            return AWS_OP_ERR;
        }
        let addr = match endpoint::to_sockaddr(remote, s.options.domain) {
            Ok(a) => a,
            Err(e) => return raise(e),
        };

        s.state = CONNECTING;
        s.remote_endpoint = ptr::read(remote);
        s.connect_accept_user_data = options.user_data;
        s.connection_result_fn = options.on_connection_result;

        let args = new_in(
            s.allocator,
            ConnectArgs {
                task: zeroed(),
                alloc: s.allocator,
                socket,
            },
        );
        if args.is_null() {
            return AWS_OP_ERR;
        }
        let i = imp(socket);
        i.connect_args = args;

        let rc = libc::connect(
            fd_of(s),
            &addr.storage as *const _ as *const libc::sockaddr,
            addr.len,
        );
        let e = errno();
        s.event_loop = event_loop;
        if rc == 0 {
            aws_task_init(
                &mut (*args).task,
                Some(on_connect_immediate),
                args as *mut c_void,
                c"socket_connect_immediate".as_ptr(),
            );
            aws_event_loop_schedule_task_now(event_loop, &mut (*args).task);
            return AWS_OP_SUCCESS;
        }
        if e != libc::EINPROGRESS && e != libc::EALREADY {
            aws_log!(
                DEBUG,
                LS,
                "id={:p}: connect failed with errno {}",
                socket,
                e
            );
            s.event_loop = ptr::null_mut();
            i.connect_args = ptr::null_mut();
            drop_in(s.allocator, args);
            return raise(socket_error_from_errno(e));
        }

        aws_task_init(
            &mut (*args).task,
            Some(on_connect_timeout),
            args as *mut c_void,
            c"socket_connect_timeout".as_ptr(),
        );
        i.currently_subscribed = true;
        if aws_event_loop_subscribe_to_io_events(
            event_loop,
            &mut s.io_handle,
            WRITABLE,
            Some(on_connect_event),
            args as *mut c_void,
        ) != AWS_OP_SUCCESS
        {
            i.currently_subscribed = false;
            s.event_loop = ptr::null_mut();
            i.connect_args = ptr::null_mut();
            drop_in(s.allocator, args);
            return AWS_OP_ERR;
        }
        let mut now = 0u64;
        aws_event_loop_current_clock_time(event_loop, &mut now);
        let deadline = now.saturating_add(s.options.connect_timeout_ms as u64 * 1_000_000);
        aws_event_loop_schedule_task_future(event_loop, &mut (*args).task, deadline);
        AWS_OP_SUCCESS
    }
}
