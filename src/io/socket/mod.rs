//! `aws_socket_*`: the C API of sockets. The shims check arguments and hand
//! over to the POSIX implementation in [`posix`]; address handling lives in
//! [`endpoint`].
//!
//! Callback threads (as upstream): connection results, accept results, accept
//! start, readable and write-completion callbacks all run on the socket's
//! event-loop thread (the listener's loop for accept results).
use libc::{c_char, c_int, c_void};

use crate::common::abi::*;
use crate::common::error::raise;
use crate::common::error_codes::*;
use crate::fatal_precondition;
use crate::io::abi::*;

pub mod endpoint;
pub mod posix;

use posix::Done;

/// Aborts on a socket that was never initialised (upstream's precondition).
unsafe fn checked(socket: *mut aws_socket, func: &str) -> *mut aws_socket {
    // SAFETY: this fn's caller guarantees its pointer arguments are valid and used on their owning thread.
    unsafe {
        if socket.is_null() || (*socket).vtable.is_null() || (*socket).r#impl.is_null() {
            crate::ffi::fatal(&format!("{func}: socket is NULL or not initialised"));
        }
        socket
    }
}

/// Whether the caller runs on the loop `socket` is assigned to.
///
/// # Safety
/// `socket` is a live, initialised socket.
unsafe fn on_own_loop(socket: *mut aws_socket) -> bool {
    // SAFETY: per the caller; a non-NULL loop in a socket is a live loop.
    unsafe {
        let el = (*socket).event_loop;
        !el.is_null() && crate::io::event_loop::aws_event_loop_thread_is_callers_thread(el)
    }
}

#[no_mangle]
pub unsafe extern "C" fn aws_socket_get_default_impl_type() -> enum_aws_socket_impl_type {
    aws_socket_impl_type::AWS_SOCKET_IMPL_POSIX as c_int
}

/// Creates the socket's fd (non-blocking, close-on-exec) and applies `options`
/// (copied). Only the POSIX implementation exists on this platform.
#[no_mangle]
pub unsafe extern "C" fn aws_socket_init(
    socket: *mut aws_socket,
    alloc: *mut aws_allocator,
    options: *const aws_socket_options,
) -> c_int {
    // SAFETY: C passes pointers valid as the upstream header documents; NULL is checked where upstream checks it.
    unsafe {
        fatal_precondition!(
            !socket.is_null() && !alloc.is_null() && !options.is_null(),
            "aws_socket_init"
        );
        match (*options).impl_type {
            0 | 1 => posix::init(socket, alloc, &*options, -1),
            _ => raise(AWS_ERROR_PLATFORM_NOT_SUPPORTED),
        }
    }
}

/// Closes the socket if still open and frees its state; NULL, a never
/// initialised (zeroed) or an already cleaned-up socket is ignored.
#[no_mangle]
pub unsafe extern "C" fn aws_socket_clean_up(socket: *mut aws_socket) {
    // SAFETY: C passes pointers valid as the upstream header documents; NULL is checked where upstream checks it.
    unsafe { posix::clean_up(socket) }
}

/// Starts a non-blocking connect; the result arrives on `event_loop`'s thread.
#[no_mangle]
pub unsafe extern "C" fn aws_socket_connect(
    socket: *mut aws_socket,
    socket_connect_options: *mut aws_socket_connect_options,
) -> c_int {
    // SAFETY: C passes pointers valid as the upstream header documents; NULL is checked where upstream checks it.
    unsafe {
        let socket = checked(socket, "aws_socket_connect");
        fatal_precondition!(!socket_connect_options.is_null(), "aws_socket_connect");
        posix::connect(socket, &*socket_connect_options)
    }
}

#[no_mangle]
pub unsafe extern "C" fn aws_socket_bind(
    socket: *mut aws_socket,
    socket_bind_options: *mut aws_socket_bind_options,
) -> c_int {
    // SAFETY: C passes pointers valid as the upstream header documents; NULL is checked where upstream checks it.
    unsafe {
        let socket = checked(socket, "aws_socket_bind");
        fatal_precondition!(!socket_bind_options.is_null(), "aws_socket_bind");
        posix::bind(socket, &*socket_bind_options)
    }
}

/// The bound local address; AWS_IO_SOCKET_ILLEGAL_OPERATION_FOR_STATE if none.
#[no_mangle]
pub unsafe extern "C" fn aws_socket_get_bound_address(
    socket: *const aws_socket,
    out_address: *mut aws_socket_endpoint,
) -> c_int {
    // SAFETY: C passes pointers valid as the upstream header documents; NULL is checked where upstream checks it.
    unsafe {
        fatal_precondition!(
            !socket.is_null() && !out_address.is_null(),
            "aws_socket_get_bound_address"
        );
        if (*socket).local_endpoint.address[0] == 0 {
            return raise(AWS_IO_SOCKET_ILLEGAL_OPERATION_FOR_STATE);
        }
        std::ptr::copy_nonoverlapping(&(*socket).local_endpoint, out_address, 1);
        AWS_OP_SUCCESS
    }
}

#[no_mangle]
pub unsafe extern "C" fn aws_socket_listen(socket: *mut aws_socket, backlog_size: c_int) -> c_int {
    // SAFETY: C passes pointers valid as the upstream header documents; NULL is checked where upstream checks it.
    unsafe { posix::listen(checked(socket, "aws_socket_listen"), backlog_size) }
}

/// Accepted sockets arrive in `options.on_accept_result` on `accept_loop`'s
/// thread, not yet assigned to any loop.
#[no_mangle]
pub unsafe extern "C" fn aws_socket_start_accept(
    socket: *mut aws_socket,
    accept_loop: *mut aws_event_loop,
    options: aws_socket_listener_options,
) -> c_int {
    // SAFETY: C passes pointers valid as the upstream header documents; NULL is checked where upstream checks it.
    unsafe {
        posix::start_accept(
            checked(socket, "aws_socket_start_accept"),
            accept_loop,
            options,
        )
    }
}

/// Any thread; off the listener's loop it blocks until the loop has stopped it.
#[no_mangle]
pub unsafe extern "C" fn aws_socket_stop_accept(socket: *mut aws_socket) -> c_int {
    // SAFETY: C passes pointers valid as the upstream header documents; NULL is checked where upstream checks it.
    unsafe { posix::stop_accept(checked(socket, "aws_socket_stop_accept")) }
}

/// The socket's loop thread; a listener may also be closed from any other
/// (non-loop) thread, which blocks until the loop has closed it.
#[no_mangle]
pub unsafe extern "C" fn aws_socket_close(socket: *mut aws_socket) -> c_int {
    // SAFETY: C passes pointers valid as the upstream header documents; NULL is checked where upstream checks it.
    unsafe { posix::close(checked(socket, "aws_socket_close")) }
}

#[no_mangle]
pub unsafe extern "C" fn aws_socket_shutdown_dir(
    socket: *mut aws_socket,
    dir: enum_aws_channel_direction,
) -> c_int {
    // SAFETY: C passes pointers valid as the upstream header documents; NULL is checked where upstream checks it.
    unsafe { posix::shutdown_dir(checked(socket, "aws_socket_shutdown_dir"), dir) }
}

#[no_mangle]
pub unsafe extern "C" fn aws_socket_set_options(
    socket: *mut aws_socket,
    options: *const aws_socket_options,
) -> c_int {
    // SAFETY: C passes pointers valid as the upstream header documents; NULL is checked where upstream checks it.
    unsafe {
        fatal_precondition!(!options.is_null(), "aws_socket_set_options");
        posix::set_options(checked(socket, "aws_socket_set_options"), &*options)
    }
}

#[no_mangle]
pub unsafe extern "C" fn aws_socket_assign_to_event_loop(
    socket: *mut aws_socket,
    event_loop: *mut aws_event_loop,
) -> c_int {
    // SAFETY: C passes pointers valid as the upstream header documents; NULL is checked where upstream checks it.
    unsafe {
        posix::assign_to_event_loop(
            checked(socket, "aws_socket_assign_to_event_loop"),
            event_loop,
        )
    }
}

#[no_mangle]
pub unsafe extern "C" fn aws_socket_get_event_loop(socket: *mut aws_socket) -> *mut aws_event_loop {
    // SAFETY: C passes pointers valid as the upstream header documents; NULL is checked where upstream checks it.
    unsafe {
        fatal_precondition!(!socket.is_null(), "aws_socket_get_event_loop");
        (*socket).event_loop
    }
}

/// Edge-triggered readable notifications on the loop thread. Unlike upstream,
/// a subscriber on an assigned socket always gets one notification soon after
/// subscribing, so bytes that arrived earlier are not left unread.
#[no_mangle]
pub unsafe extern "C" fn aws_socket_subscribe_to_readable_events(
    socket: *mut aws_socket,
    on_readable: aws_socket_on_readable_fn,
    user_data: *mut c_void,
) -> c_int {
    // SAFETY: C passes pointers valid as the upstream header documents; NULL is checked where upstream checks it.
    unsafe {
        posix::subscribe_to_readable_events(
            checked(socket, "aws_socket_subscribe_to_readable_events"),
            on_readable,
            user_data,
        )
    }
}

#[no_mangle]
pub unsafe extern "C" fn aws_socket_read(
    socket: *mut aws_socket,
    buffer: *mut aws_byte_buf,
    amount_read: *mut usize,
) -> c_int {
    // SAFETY: C passes pointers valid as the upstream header documents; NULL is checked where upstream checks it.
    unsafe {
        let socket = checked(socket, "aws_socket_read");
        // Upstream checks the thread before the arguments.
        if !on_own_loop(socket) {
            return raise(AWS_ERROR_IO_EVENT_LOOP_THREAD_ONLY);
        }
        fatal_precondition!(
            !buffer.is_null() && !amount_read.is_null(),
            "aws_socket_read"
        );
        posix::read(socket, &mut *buffer, &mut *amount_read)
    }
}

/// Loop thread only. `written_fn` runs (from a task, never inside this call)
/// once every byte of `cursor` is written, or the write failed.
#[no_mangle]
pub unsafe extern "C" fn aws_socket_write(
    socket: *mut aws_socket,
    cursor: *const aws_byte_cursor,
    written_fn: aws_socket_on_write_completed_fn,
    user_data: *mut c_void,
) -> c_int {
    // SAFETY: C passes pointers valid as the upstream header documents; NULL is checked where upstream checks it.
    unsafe {
        let socket = checked(socket, "aws_socket_write");
        // Upstream checks the thread before the arguments.
        if !on_own_loop(socket) {
            return raise(AWS_ERROR_IO_EVENT_LOOP_THREAD_ONLY);
        }
        fatal_precondition!(!cursor.is_null(), "aws_socket_write");
        posix::write(socket, &*cursor, written_fn, user_data)
    }
}

/// Apple Network Framework only upstream; here the callback runs at the end of
/// every close, as upstream's POSIX socket does.
#[no_mangle]
pub unsafe extern "C" fn aws_socket_set_close_complete_callback(
    socket: *mut aws_socket,
    r#fn: aws_socket_on_shutdown_complete_fn,
    user_data: *mut c_void,
) -> c_int {
    // SAFETY: C passes pointers valid as the upstream header documents; NULL is checked where upstream checks it.
    unsafe {
        posix::set_done_callback(
            checked(socket, "aws_socket_set_close_complete_callback"),
            Done::Close,
            r#fn,
            user_data,
        )
    }
}

#[no_mangle]
pub unsafe extern "C" fn aws_socket_set_cleanup_complete_callback(
    socket: *mut aws_socket,
    r#fn: aws_socket_on_shutdown_complete_fn,
    user_data: *mut c_void,
) -> c_int {
    // SAFETY: C passes pointers valid as the upstream header documents; NULL is checked where upstream checks it.
    unsafe {
        posix::set_done_callback(
            checked(socket, "aws_socket_set_cleanup_complete_callback"),
            Done::CleanUp,
            r#fn,
            user_data,
        )
    }
}

/// The pending socket error (SO_ERROR) as an aws error code; does not raise.
#[no_mangle]
pub unsafe extern "C" fn aws_socket_get_error(socket: *mut aws_socket) -> c_int {
    // SAFETY: C passes pointers valid as the upstream header documents; NULL is checked where upstream checks it.
    unsafe { posix::get_error(checked(socket, "aws_socket_get_error")) }
}

#[no_mangle]
pub unsafe extern "C" fn aws_socket_is_open(socket: *mut aws_socket) -> bool {
    // SAFETY: C passes pointers valid as the upstream header documents; NULL is checked where upstream checks it.
    unsafe { posix::is_open(checked(socket, "aws_socket_is_open")) }
}

#[no_mangle]
pub extern "C" fn aws_socket_validate_port_for_connect(
    port: u32,
    domain: enum_aws_socket_domain,
) -> c_int {
    endpoint::validate_port_for_connect(port, domain)
}

#[no_mangle]
pub extern "C" fn aws_socket_validate_port_for_bind(
    port: u32,
    domain: enum_aws_socket_domain,
) -> c_int {
    endpoint::validate_port_for_bind(port, domain)
}

/// "testsock<uuid>.sock": a fresh Unix socket name (relative to the cwd).
#[no_mangle]
pub unsafe extern "C" fn aws_socket_endpoint_init_local_address_for_test(
    endpoint: *mut aws_socket_endpoint,
) {
    // SAFETY: C passes pointers valid as the upstream header documents; NULL is checked where upstream checks it.
    unsafe {
        fatal_precondition!(
            !endpoint.is_null(),
            "aws_socket_endpoint_init_local_address_for_test"
        );
        endpoint::local_test_address(&mut *endpoint)
    }
}

#[no_mangle]
pub unsafe extern "C" fn aws_is_network_interface_name_valid(
    interface_name: *const c_char,
) -> bool {
    // SAFETY: C passes pointers valid as the upstream header documents; NULL is checked where upstream checks it.
    unsafe {
        fatal_precondition!(
            !interface_name.is_null(),
            "aws_is_network_interface_name_valid"
        );
        libc::if_nametoindex(interface_name) != 0
    }
}

unsafe fn string_bytes<'a>(s: *const aws_string) -> &'a [u8] {
    // SAFETY: this fn's caller guarantees its pointer arguments are valid and used on their owning thread.
    unsafe {
        fatal_precondition!(!s.is_null(), "aws_parse_ip_address (src)");
        crate::ffi::slice((*s).bytes.as_ptr(), (*s).len)
    }
}

/// Dotted-quad text to a network-order u32.
#[no_mangle]
pub unsafe extern "C" fn aws_parse_ipv4_address(src: *const aws_string, dst: *mut u32) -> c_int {
    // SAFETY: C passes pointers valid as the upstream header documents; NULL is checked where upstream checks it.
    unsafe {
        fatal_precondition!(!dst.is_null(), "aws_parse_ipv4_address");
        endpoint::parse_address(libc::AF_INET, string_bytes(src), dst as *mut c_void)
    }
}

/// IPv6 text appended to `dst` as 16 network-order bytes.
#[no_mangle]
pub unsafe extern "C" fn aws_parse_ipv6_address(
    src: *const aws_string,
    dst: *mut aws_byte_buf,
) -> c_int {
    // SAFETY: C passes pointers valid as the upstream header documents; NULL is checked where upstream checks it.
    unsafe {
        fatal_precondition!(!dst.is_null(), "aws_parse_ipv6_address");
        let d = &mut *dst;
        if d.capacity - d.len < 16 {
            return raise(AWS_ERROR_SHORT_BUFFER);
        }
        let mut out = [0u8; 16];
        if endpoint::parse_address(
            libc::AF_INET6,
            string_bytes(src),
            out.as_mut_ptr() as *mut c_void,
        ) != AWS_OP_SUCCESS
        {
            return AWS_OP_ERR;
        }
        std::ptr::copy_nonoverlapping(out.as_ptr(), d.buffer.add(d.len), 16);
        d.len += 16;
        AWS_OP_SUCCESS
    }
}
