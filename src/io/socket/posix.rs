//! The POSIX socket behind `struct aws_socket`: non-blocking fds driven by an
//! event loop's edge-triggered io events, with upstream's states, callbacks
//! and threading.
//!
//! Threading: everything that touches a socket assigned to a loop runs on that
//! loop's thread, except `close`/`stop_accept` of a listener, which block the
//! caller until the loop thread has done the work.
//!
//! Lifetime: the public `aws_socket` belongs to the caller (often on its
//! stack); the private [`SocketImpl`] is counted, so a callback that cleans the
//! socket up mid-dispatch leaves the impl alive until the dispatch returns.
use std::collections::VecDeque;
use std::mem::{size_of, zeroed};
use std::ptr;
use std::sync::{Condvar, Mutex, PoisonError};

use libc::{c_int, c_void, socklen_t};

use super::endpoint::{self, errno, socket_error_from_errno};
use crate::aws_log;
use crate::common::abi::*;
use crate::common::allocator::{aws_mem_acquire, drop_in, new_in};
use crate::common::error::{last_error, raise};
use crate::common::error_codes::*;
use crate::common::task_scheduler::aws_task_init;
use crate::io::abi::*;
use crate::io::event_loop::*;

// Upstream's values for `aws_socket.state` (a public field).
pub const INIT: c_int = 0x01;
pub const CONNECTING: c_int = 0x02;
pub const CONNECTED_READ: c_int = 0x04;
pub const CONNECTED_WRITE: c_int = 0x08;
pub const BOUND: c_int = 0x10;
pub const LISTENING: c_int = 0x20;
pub const TIMEDOUT: c_int = 0x40;
pub const ERROR: c_int = 0x80;
pub const CLOSED: c_int = 0x81;

const READABLE: c_int = aws_io_event_type::AWS_IO_EVENT_TYPE_READABLE as c_int;
const WRITABLE: c_int = aws_io_event_type::AWS_IO_EVENT_TYPE_WRITABLE as c_int;
const HANG_UP: c_int = aws_io_event_type::AWS_IO_EVENT_TYPE_REMOTE_HANG_UP as c_int;
const EV_CLOSED: c_int = aws_io_event_type::AWS_IO_EVENT_TYPE_CLOSED as c_int;
const EV_ERROR: c_int = aws_io_event_type::AWS_IO_EVENT_TYPE_ERROR as c_int;
const RUN_READY: c_int = aws_task_status::AWS_TASK_STATUS_RUN_READY as c_int;
const LS: u32 = aws_io_log_subject::AWS_LS_IO_SOCKET as u32;
const DEBUG: c_int = aws_log_level::AWS_LL_DEBUG as c_int;
const TRACE: c_int = aws_log_level::AWS_LL_TRACE as c_int;

/// Writes handed to one sendmsg() call.
const MAX_IOVECS: usize = 16;

/// The socket's vtable pointer: a marker that the socket is one of ours.
#[repr(C)]
pub struct PosixVtable {
    _tag: u8,
}
pub static POSIX_VTABLE: PosixVtable = PosixVtable { _tag: 1 };

fn vtable_ptr() -> *mut aws_socket_vtable {
    &POSIX_VTABLE as *const PosixVtable as *mut aws_socket_vtable
}

struct WriteRequest {
    seq: u64,
    ptr: *const u8,
    remaining: usize,
    original_len: usize,
    written_fn: aws_socket_on_write_completed_fn,
    user_data: *mut c_void,
    error_code: c_int,
}

/// A pending connect: shared by the io subscription and the timeout task; the
/// timeout (or immediate-success) task frees it, whichever way the connect ends.
struct ConnectArgs {
    task: aws_task,
    alloc: *mut aws_allocator,
    /// NULL once the connect has been settled.
    socket: *mut aws_socket,
}

pub struct SocketImpl {
    alloc: *mut aws_allocator,
    socket: *mut aws_socket,
    refs: usize,
    write_queue: VecDeque<WriteRequest>,
    written_queue: VecDeque<WriteRequest>,
    next_seq: u64,
    written_task: aws_task,
    written_task_scheduled: bool,
    /// Delivers one readable notification after the reader subscribes, so
    /// bytes that arrived before that are never stranded behind a past edge.
    readable_task: aws_task,
    readable_task_scheduled: bool,
    connect_args: *mut ConnectArgs,
    currently_subscribed: bool,
    continue_accept: bool,
    close_happened: *mut bool,
    on_close_complete: aws_socket_on_shutdown_complete_fn,
    close_user_data: *mut c_void,
    on_cleanup_complete: aws_socket_on_shutdown_complete_fn,
    cleanup_user_data: *mut c_void,
}

unsafe fn imp<'a>(socket: *mut aws_socket) -> &'a mut SocketImpl {
    // SAFETY: this fn's caller guarantees its pointer arguments are valid and used on their owning thread.
    unsafe {
        crate::fatal_precondition!(
            !socket.is_null() && !(*socket).r#impl.is_null(),
            "aws_socket (not initialised or cleaned up)"
        );
        &mut *((*socket).r#impl as *mut SocketImpl)
    }
}

unsafe fn acquire(i: *mut SocketImpl) {
    // SAFETY: this fn's caller guarantees its pointer arguments are valid and used on their owning thread.
    unsafe {
        (*i).refs += 1;
    }
}

unsafe fn release(i: *mut SocketImpl) {
    // SAFETY: this fn's caller guarantees its pointer arguments are valid and used on their owning thread.
    unsafe {
        (*i).refs -= 1;
        if (*i).refs == 0 {
            drop_in((*i).alloc, i);
        }
    }
}

fn fd_of(socket: &aws_socket) -> c_int {
    // SAFETY: the fd variant is the one a POSIX socket uses.
    unsafe { socket.io_handle.data.fd }
}

fn set_fd(socket: &mut aws_socket, fd: c_int) {
    socket.io_handle.data = aws_io_handle_data { fd };
}

fn on_loop_thread(event_loop: *mut aws_event_loop) -> bool {
    // SAFETY: a non-NULL loop pointer in a socket is a live loop.
    !event_loop.is_null() && unsafe { aws_event_loop_thread_is_callers_thread(event_loop) }
}

fn setsockopt_int(fd: c_int, level: c_int, name: c_int, value: c_int) -> bool {
    // SAFETY: value is a readable int of the size passed.
    unsafe {
        libc::setsockopt(
            fd,
            level,
            name,
            &value as *const c_int as *const c_void,
            size_of::<c_int>() as socklen_t,
        ) == 0
    }
}

// ---- init / clean-up -------------------------------------------------------------

/// Initialises `socket`; with `existing_fd < 0` a new fd is made from `options`.
pub unsafe fn init(
    socket: *mut aws_socket,
    alloc: *mut aws_allocator,
    options: &aws_socket_options,
    existing_fd: c_int,
) -> c_int {
    // SAFETY: this fn's caller guarantees its pointer arguments are valid and used on their owning thread.
    unsafe {
        ptr::write_bytes(socket, 0, 1);
        let s = &mut *socket;
        set_fd(s, -1);
        let i = new_in(
            alloc,
            SocketImpl {
                alloc,
                socket,
                refs: 1,
                write_queue: VecDeque::new(),
                written_queue: VecDeque::new(),
                next_seq: 0,
                written_task: zeroed(),
                written_task_scheduled: false,
                readable_task: zeroed(),
                readable_task_scheduled: false,
                connect_args: ptr::null_mut(),
                currently_subscribed: false,
                continue_accept: false,
                close_happened: ptr::null_mut(),
                on_close_complete: None,
                close_user_data: ptr::null_mut(),
                on_cleanup_complete: None,
                cleanup_user_data: ptr::null_mut(),
            },
        );
        if i.is_null() {
            return AWS_OP_ERR;
        }
        s.allocator = alloc;
        s.state = INIT;
        s.options = ptr::read(options);
        s.r#impl = i as *mut c_void;
        s.vtable = vtable_ptr();

        if existing_fd >= 0 {
            set_fd(s, existing_fd);
            // As upstream: options on an accepted fd are best effort.
            let _ = set_options(socket, options);
            return AWS_OP_SUCCESS;
        }

        let domain = match options.domain {
            0 => libc::AF_INET,
            1 => libc::AF_INET6,
            2 => libc::AF_UNIX,
            _ => libc::AF_INET,
        };
        let kind = if options.r#type == aws_socket_type::AWS_SOCKET_DGRAM as c_int {
            libc::SOCK_DGRAM
        } else {
            libc::SOCK_STREAM
        };
        let fd = libc::socket(domain, kind | libc::SOCK_NONBLOCK | libc::SOCK_CLOEXEC, 0);
        if fd < 0 {
            let e = errno();
            drop_in(alloc, i);
            s.r#impl = ptr::null_mut();
            return raise(socket_error_from_errno(e));
        }
        aws_log!(
            DEBUG,
            LS,
            "id={:p} fd={}: initializing with domain {} and type {}",
            socket,
            fd,
            options.domain,
            options.r#type
        );
        set_fd(s, fd);
        if set_options(socket, options) != AWS_OP_SUCCESS {
            let e = last_error();
            libc::close(fd);
            drop_in(alloc, i);
            s.r#impl = ptr::null_mut();
            return raise(e);
        }
        AWS_OP_SUCCESS
    }
}

/// Closes (if open) and releases the socket's state; the struct can be
/// initialised again afterwards. A second clean-up is a no-op.
pub unsafe fn clean_up(socket: *mut aws_socket) {
    // SAFETY: this fn's caller guarantees its pointer arguments are valid and used on their owning thread.
    unsafe {
        if socket.is_null() || (*socket).r#impl.is_null() {
            return;
        }
        if is_open(socket) {
            let _ = close(socket);
        }
        let i = (*socket).r#impl as *mut SocketImpl;
        let on_done = (*i).on_cleanup_complete;
        let done_data = (*i).cleanup_user_data;
        release(i);
        ptr::write_bytes(socket, 0, 1);
        set_fd(&mut *socket, -1);
        if let Some(cb) = on_done {
            cb(done_data);
        }
    }
}

pub unsafe fn set_close_callback(
    socket: *mut aws_socket,
    cb: aws_socket_on_shutdown_complete_fn,
    user_data: *mut c_void,
) -> c_int {
    // SAFETY: this fn's caller guarantees its pointer arguments are valid and used on their owning thread.
    unsafe {
        let i = imp(socket);
        i.on_close_complete = cb;
        i.close_user_data = user_data;
        AWS_OP_SUCCESS
    }
}

pub unsafe fn set_cleanup_callback(
    socket: *mut aws_socket,
    cb: aws_socket_on_shutdown_complete_fn,
    user_data: *mut c_void,
) -> c_int {
    // SAFETY: this fn's caller guarantees its pointer arguments are valid and used on their owning thread.
    unsafe {
        let i = imp(socket);
        i.on_cleanup_complete = cb;
        i.cleanup_user_data = user_data;
        AWS_OP_SUCCESS
    }
}

// ---- options ------------------------------------------------------------------------

pub unsafe fn set_options(socket: *mut aws_socket, options: &aws_socket_options) -> c_int {
    // SAFETY: this fn's caller guarantees its pointer arguments are valid and used on their owning thread.
    unsafe {
        let s = &mut *socket;
        if s.options.domain != options.domain || s.options.r#type != options.r#type {
            return raise(AWS_IO_SOCKET_INVALID_OPTIONS);
        }
        s.options = ptr::read(options);
        let fd = fd_of(s);
        if !setsockopt_int(fd, libc::SOL_SOCKET, libc::SO_REUSEADDR, 1) {
            aws_log!(DEBUG, LS, "id={:p} fd={}: SO_REUSEADDR failed", socket, fd);
        }

        let name = &options.network_interface_name;
        let name_len = match name.iter().position(|&c| c == 0) {
            Some(n) => n,
            None => return raise(AWS_IO_SOCKET_INVALID_OPTIONS),
        };
        if name_len > 0
            && libc::setsockopt(
                fd,
                libc::SOL_SOCKET,
                libc::SO_BINDTODEVICE,
                name.as_ptr() as *const c_void,
                name_len as socklen_t,
            ) != 0
        {
            return raise(AWS_IO_SOCKET_INVALID_OPTIONS);
        }

        let is_tcp = options.r#type == aws_socket_type::AWS_SOCKET_STREAM as c_int
            && options.domain != aws_socket_domain::AWS_SOCKET_LOCAL as c_int;
        if is_tcp {
            // Failures below are logged, not raised, as upstream.
            let nodelay = options.tcp_nodelay;
            if nodelay != aws_socket_tcp_nodelay::AWS_SOCKET_TCP_NODELAY_DEFAULT as c_int {
                let on = (nodelay == aws_socket_tcp_nodelay::AWS_SOCKET_TCP_NODELAY_ON as c_int)
                    as c_int;
                setsockopt_int(fd, libc::IPPROTO_TCP, libc::TCP_NODELAY, on);
            }
            if options.keepalive {
                setsockopt_int(fd, libc::SOL_SOCKET, libc::SO_KEEPALIVE, 1);
            }
            if options.keep_alive_interval_sec != 0 && options.keep_alive_timeout_sec != 0 {
                let idle = options.keep_alive_interval_sec as c_int;
                let intvl = options.keep_alive_timeout_sec as c_int;
                setsockopt_int(fd, libc::IPPROTO_TCP, libc::TCP_KEEPIDLE, idle);
                setsockopt_int(fd, libc::IPPROTO_TCP, libc::TCP_KEEPINTVL, intvl);
            }
            if options.keep_alive_max_failed_probes != 0 {
                let probes = options.keep_alive_max_failed_probes as c_int;
                setsockopt_int(fd, libc::IPPROTO_TCP, libc::TCP_KEEPCNT, probes);
            }
        }
        AWS_OP_SUCCESS
    }
}

// ---- connect ----------------------------------------------------------------------

unsafe fn on_connection_error(socket: *mut aws_socket, error: c_int) {
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

// ---- bind / listen / accept --------------------------------------------------------

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

/// Runs `op` on the socket's loop thread and blocks until it has run there.
unsafe fn run_on_loop_and_wait(
    socket: *mut aws_socket,
    op: unsafe fn(*mut aws_socket) -> c_int,
) -> c_int {
    // SAFETY: this fn's caller guarantees its pointer arguments are valid and used on their owning thread.
    unsafe {
        struct Call {
            task: aws_task,
            socket: *mut aws_socket,
            op: unsafe fn(*mut aws_socket) -> c_int,
            done: Mutex<Option<c_int>>,
            cv: Condvar,
        }
        unsafe extern "C" fn run(_t: *mut aws_task, arg: *mut c_void, _status: c_int) {
            // SAFETY: C passes pointers valid as the upstream header documents; NULL is checked where upstream checks it.
            unsafe {
                let call = &*(arg as *const Call);
                let rc = if (call.op)(call.socket) == AWS_OP_SUCCESS {
                    AWS_OP_SUCCESS
                } else {
                    last_error()
                };
                // Notify under the lock: once the waiter sees the result it returns
                // and `call` (on its stack) is gone.
                let mut done = call.done.lock().unwrap_or_else(PoisonError::into_inner);
                *done = Some(rc);
                call.cv.notify_one();
                drop(done);
            }
        }
        let mut call = Call {
            task: zeroed(),
            socket,
            op,
            done: Mutex::new(None),
            cv: Condvar::new(),
        };
        let arg = &mut call as *mut Call as *mut c_void;
        aws_task_init(
            &mut call.task,
            Some(run),
            arg,
            c"socket_blocking_op".as_ptr(),
        );
        aws_event_loop_schedule_task_now((*socket).event_loop, &mut call.task);
        let mut done = call.done.lock().unwrap_or_else(PoisonError::into_inner);
        while done.is_none() {
            done = call.cv.wait(done).unwrap_or_else(PoisonError::into_inner);
        }
        let rc = done.take().unwrap_or(AWS_OP_SUCCESS);
        drop(done);
        if rc == AWS_OP_SUCCESS {
            AWS_OP_SUCCESS
        } else {
            raise(rc)
        }
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

// ---- close / shutdown ------------------------------------------------------------------

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
        if let Some(cb) = (*i).on_close_complete {
            cb((*i).close_user_data);
        }
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

// ---- io events, reads -------------------------------------------------------------------

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

unsafe fn complete(socket: *mut aws_socket, w: &WriteRequest, error: c_int) {
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

// ---- queries ------------------------------------------------------------------------------

pub unsafe fn get_error(socket: *mut aws_socket) -> c_int {
    // SAFETY: this fn's caller guarantees its pointer arguments are valid and used on their owning thread.
    unsafe {
        let mut value: c_int = 0;
        let mut len = size_of::<c_int>() as socklen_t;
        if libc::getsockopt(
            fd_of(&*socket),
            libc::SOL_SOCKET,
            libc::SO_ERROR,
            &mut value as *mut c_int as *mut c_void,
            &mut len,
        ) < 0
        {
            return socket_error_from_errno(errno());
        }
        if value != 0 {
            return socket_error_from_errno(value);
        }
        AWS_OP_SUCCESS
    }
}

pub unsafe fn is_open(socket: *mut aws_socket) -> bool {
    // SAFETY: this fn's caller guarantees its pointer arguments are valid and used on their owning thread.
    unsafe { fd_of(&*socket) >= 0 }
}
