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
//!
//! Here: the state, init/clean-up, options and queries; `connect.rs`,
//! `listen.rs` (bind, listen, accept), `io.rs` (io events, reads, writes) and
//! `close.rs` (close, shutdown) hold the rest.
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
use crate::common::ref_count::RefCount;
use crate::common::task_scheduler::aws_task_init;
use crate::io::abi::*;
use crate::io::event_loop::*;

mod close;
mod connect;
mod io;
mod listen;

pub use close::{close, shutdown_dir};
pub use connect::connect;
use connect::on_connection_error;
use io::complete;
pub use io::{assign_to_event_loop, read, read_into, subscribe_to_readable_events, write};
pub use listen::{bind, listen, start_accept, stop_accept};

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
    refs: RefCount,
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
    on_close_complete: DoneCallback,
    on_cleanup_complete: DoneCallback,
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
        (*i).refs.acquire("aws_socket");
    }
}

unsafe fn release(i: *mut SocketImpl) {
    // SAFETY: this fn's caller guarantees its pointer arguments are valid and used on their owning thread.
    unsafe {
        if (*i).refs.release("aws_socket") {
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
                refs: RefCount::new(1),
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
                on_close_complete: DoneCallback::NONE,
                on_cleanup_complete: DoneCallback::NONE,
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
        release(i);
        ptr::write_bytes(socket, 0, 1);
        set_fd(&mut *socket, -1);
        on_done.call();
    }
}

/// A close- or clean-up-complete callback and its user data.
#[derive(Clone, Copy)]
pub struct DoneCallback {
    func: aws_socket_on_shutdown_complete_fn,
    user_data: *mut c_void,
}

impl DoneCallback {
    const NONE: DoneCallback = DoneCallback {
        func: None,
        user_data: ptr::null_mut(),
    };

    /// # Safety
    /// The callback must still be callable with its user data.
    unsafe fn call(self) {
        if let Some(f) = self.func {
            // SAFETY: per this fn's contract.
            unsafe { f(self.user_data) }
        }
    }
}

/// Which completion a [`set_done_callback`] call sets.
pub enum Done {
    Close,
    CleanUp,
}

pub unsafe fn set_done_callback(
    socket: *mut aws_socket,
    which: Done,
    func: aws_socket_on_shutdown_complete_fn,
    user_data: *mut c_void,
) -> c_int {
    // SAFETY: this fn's caller guarantees its pointer arguments are valid and used on their owning thread.
    let i = unsafe { imp(socket) };
    let slot = match which {
        Done::Close => &mut i.on_close_complete,
        Done::CleanUp => &mut i.on_cleanup_complete,
    };
    *slot = DoneCallback { func, user_data };
    AWS_OP_SUCCESS
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
