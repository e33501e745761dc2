//! `aws_server_bootstrap`: a listening socket whose accepted connections each
//! get a channel (with a socket handler) on a loop picked from the group.
//!
//! A [`Listener`] owns the listening `aws_socket` as its first field; that
//! socket's address is what `aws_server_bootstrap_new_socket_listener`
//! returns and what `aws_server_bootstrap_destroy_socket_listener` gets back.
//! References on a Listener: one for the listening socket (dropped once it is
//! stopped and cleaned up on its loop), one per accepted connection until its
//! channel is gone, one while an asynchronous listener setup is pending. The
//! last one fires `destroy_callback`, so it comes after the listener is
//! closed and every accepted channel has shut down, as upstream orders it.
use crate::common::ref_count::RefCount;
use std::ptr::{self, null_mut};

use libc::{c_int, c_void};

use crate::common::abi::*;
use crate::common::allocator::{aws_mem_calloc, aws_mem_release, drop_in, new_in};
use crate::common::error::{last_error, raise};
use crate::common::error_codes::*;
use crate::common::string::aws_secure_strlen;
use crate::common::task_scheduler::aws_task_init;
use crate::fatal_precondition;
use crate::io::abi::*;
use crate::io::channel::{aws_channel_destroy, aws_channel_new, aws_channel_shutdown};
use crate::io::event_loop::group::*;
use crate::io::event_loop::*;
use crate::io::socket::*;

use super::{install_chain, TlsSide};
use crate::io::tls::handler::OwnedTlsOptions;

const LS: aws_io_log_subject = aws_io_log_subject::AWS_LS_IO_CHANNEL_BOOTSTRAP;

// ---- the bootstrap -----------------------------------------------------------------

unsafe extern "C" fn bootstrap_destroy(object: *mut c_void) {
    let b = object as *mut aws_server_bootstrap;
    // SAFETY: the last reference is gone.
    unsafe {
        aws_event_loop_group_release((*b).event_loop_group);
        aws_mem_release((*b).allocator, b as *mut c_void);
    }
}

/// Creates a server bootstrap (ref count 1) holding `el_group`.
#[no_mangle]
pub unsafe extern "C" fn aws_server_bootstrap_new(
    allocator: *mut aws_allocator,
    el_group: *mut aws_event_loop_group,
) -> *mut aws_server_bootstrap {
    fatal_precondition!(
        !allocator.is_null() && !el_group.is_null(),
        "aws_server_bootstrap_new"
    );
    // SAFETY: valid allocator; zeroed memory is a valid bootstrap to fill in.
    unsafe {
        let b = aws_mem_calloc(allocator, 1, std::mem::size_of::<aws_server_bootstrap>())
            as *mut aws_server_bootstrap;
        if b.is_null() {
            return b;
        }
        (*b).allocator = allocator;
        (*b).event_loop_group = aws_event_loop_group_acquire(el_group);
        (*b).on_protocol_negotiated = None;
        (*b).ref_count
            .init(b as *mut c_void, Some(bootstrap_destroy));
        crate::aws_log!(
            aws_log_level::AWS_LL_INFO,
            LS,
            "id={:p}: server bootstrap on group {:p}",
            b,
            el_group
        );
        b
    }
}

/// NULL-tolerant; returns its argument.
#[no_mangle]
pub unsafe extern "C" fn aws_server_bootstrap_acquire(
    bootstrap: *mut aws_server_bootstrap,
) -> *mut aws_server_bootstrap {
    // SAFETY: a non-NULL bootstrap is valid per the caller.
    if let Some(b) = unsafe { bootstrap.as_ref() } {
        b.ref_count.count().acquire("aws_server_bootstrap_acquire");
    }
    bootstrap
}

/// NULL-tolerant; listeners hold their own references.
#[no_mangle]
pub unsafe extern "C" fn aws_server_bootstrap_release(bootstrap: *mut aws_server_bootstrap) {
    // SAFETY: a non-NULL bootstrap is valid per the caller.
    if let Some(b) = unsafe { bootstrap.as_ref() } {
        // SAFETY: the on-zero callback (bootstrap_destroy) frees it; not touched after.
        unsafe {
            b.ref_count
                .release_and_notify("aws_server_bootstrap_release")
        };
    }
}

/// Stores the ALPN callback (used once TLS lands).
#[no_mangle]
pub unsafe extern "C" fn aws_server_bootstrap_set_alpn_callback(
    bootstrap: *mut aws_server_bootstrap,
    on_protocol_negotiated: aws_channel_on_protocol_negotiated_fn,
) -> c_int {
    fatal_precondition!(
        !bootstrap.is_null(),
        "aws_server_bootstrap_set_alpn_callback"
    );
    // SAFETY: non-NULL per the check.
    unsafe { (*bootstrap).on_protocol_negotiated = on_protocol_negotiated };
    AWS_OP_SUCCESS
}

// ---- listeners ---------------------------------------------------------------------------

type AcceptFn =
    unsafe extern "C" fn(*mut aws_server_bootstrap, c_int, *mut aws_channel, *mut c_void);

#[repr(C)]
struct Listener {
    /// First field: its address is the listener handle given to C.
    socket: aws_socket,
    alloc: *mut aws_allocator,
    bootstrap: *mut aws_server_bootstrap,
    refs: RefCount,
    incoming_cb: AcceptFn,
    shutdown_cb: AcceptFn,
    destroy_cb: aws_server_bootstrap_on_server_listener_destroy_fn,
    setup_cb: aws_server_bootstrap_on_listener_setup_fn,
    user_data: *mut c_void,
    back_pressure: bool,
    destroy_task: aws_task,
    /// The caller's TLS options, copied; each connection's handler copies them.
    tls: Option<OwnedTlsOptions>,
}

unsafe fn acquire(l: *mut Listener) {
    // SAFETY: live listener per the caller.
    unsafe { (*l).refs.acquire("server listener") };
}

unsafe fn release(l: *mut Listener) {
    // SAFETY: live listener; the last release frees it.
    unsafe {
        if !(*l).refs.release("server listener") {
            return;
        }
        let bootstrap = (*l).bootstrap;
        if let Some(cb) = (*l).destroy_cb {
            cb(bootstrap, (*l).user_data);
        }
        drop_in((*l).alloc, l);
        aws_server_bootstrap_release(bootstrap);
    }
}

#[derive(PartialEq)]
enum Incoming {
    NotCalled,
    Success,
    Failed,
}

/// One accepted connection.
struct Accepted {
    listener: *mut Listener,
    socket: *mut aws_socket,
    incoming: Incoming,
}

unsafe fn incoming(a: &mut Accepted, error_code: c_int, channel: *mut aws_channel) {
    // SAFETY: the connection's reference keeps the listener alive.
    unsafe {
        let l = &*a.listener;
        a.incoming = if error_code == AWS_ERROR_SUCCESS {
            Incoming::Success
        } else {
            Incoming::Failed
        };
        (l.incoming_cb)(l.bootstrap, error_code, channel, l.user_data);
    }
}

unsafe fn free_socket(alloc: *mut aws_allocator, socket: *mut aws_socket) {
    // SAFETY: an accepted socket handed to us; clean_up closes it if open.
    unsafe {
        aws_socket_clean_up(socket);
        aws_mem_release(alloc, socket as *mut c_void);
    }
}

unsafe extern "C" fn on_channel_setup(
    channel: *mut aws_channel,
    error_code: c_int,
    user_data: *mut c_void,
) {
    let a = user_data as *mut Accepted;
    // SAFETY: the channel's loop thread; `a` lives until the channel is gone.
    unsafe {
        let l = (*a).listener;
        let alloc = (*l).alloc;
        if error_code != AWS_ERROR_SUCCESS {
            // No shutdown follows a failed setup: report and free here.
            aws_channel_destroy(channel);
            free_socket(alloc, (*a).socket);
            incoming(&mut *a, error_code, null_mut());
            drop_in(alloc, a);
            release(l);
            return;
        }
        let tls = match &(*l).tls {
            Some(t) => TlsSide::Server(
                t.as_ptr(),
                ((*(*l).bootstrap).on_protocol_negotiated, (*l).user_data),
            ),
            None => TlsSide::None,
        };
        install_chain(
            alloc,
            channel,
            (*a).socket,
            tls,
            chain_ready,
            a as *mut c_void,
        );
    }
}

/// The handler chain is ready (or failed): the incoming callback, or a
/// shutdown whose completion reports the failure through it.
unsafe fn chain_ready(user: *mut c_void, channel: *mut aws_channel, error_code: c_int) {
    // SAFETY: the channel's reference keeps the connection record alive.
    unsafe {
        if error_code == AWS_ERROR_SUCCESS {
            incoming(&mut *(user as *mut Accepted), AWS_ERROR_SUCCESS, channel);
        } else {
            aws_channel_shutdown(channel, error_code);
        }
    }
}

unsafe extern "C" fn on_channel_shutdown(
    channel: *mut aws_channel,
    error_code: c_int,
    user_data: *mut c_void,
) {
    let a = user_data as *mut Accepted;
    // SAFETY: the channel's loop thread; last use of `a`.
    unsafe {
        let l = (*a).listener;
        let alloc = (*l).alloc;
        match (*a).incoming {
            Incoming::NotCalled => {
                let err = if error_code != AWS_ERROR_SUCCESS {
                    error_code
                } else {
                    AWS_ERROR_UNKNOWN
                };
                incoming(&mut *a, err, null_mut());
            }
            Incoming::Success => {
                ((*l).shutdown_cb)((*l).bootstrap, error_code, channel, (*l).user_data)
            }
            Incoming::Failed => {}
        }
        aws_channel_destroy(channel);
        free_socket(alloc, (*a).socket);
        drop_in(alloc, a);
        release(l);
    }
}

/// Channel for an accepted socket on the next loop of the group; NULL (error
/// raised) if that cannot start.
unsafe fn start_channel(l: *mut Listener, a: *mut Accepted) -> *mut aws_channel {
    // SAFETY: accept-loop thread; live listener and connection.
    unsafe {
        let event_loop = aws_event_loop_group_get_next_loop((*(*l).bootstrap).event_loop_group);
        if aws_socket_assign_to_event_loop((*a).socket, event_loop) != AWS_OP_SUCCESS {
            return null_mut();
        }
        let options = aws_channel_options {
            event_loop,
            on_setup_completed: Some(on_channel_setup),
            on_shutdown_completed: Some(on_channel_shutdown),
            setup_user_data: a as *mut c_void,
            shutdown_user_data: a as *mut c_void,
            enable_read_back_pressure: (*l).back_pressure,
        };
        aws_channel_new((*l).alloc, &options)
    }
}

unsafe extern "C" fn on_accept(
    _listener: *mut aws_socket,
    error_code: c_int,
    new_socket: *mut aws_socket,
    user_data: *mut c_void,
) {
    let l = user_data as *mut Listener;
    // SAFETY: the listener's loop thread; the listening socket's reference
    // keeps `l` alive while accepting.
    unsafe {
        if error_code != AWS_ERROR_SUCCESS || new_socket.is_null() {
            // The listener keeps accepting; this failure has no channel.
            let err = if error_code != AWS_ERROR_SUCCESS {
                error_code
            } else {
                AWS_ERROR_UNKNOWN
            };
            ((*l).incoming_cb)((*l).bootstrap, err, null_mut(), (*l).user_data);
            return;
        }
        acquire(l);
        let a = new_in(
            (*l).alloc,
            Accepted {
                listener: l,
                socket: new_socket,
                incoming: Incoming::NotCalled,
            },
        );
        let channel = if a.is_null() {
            null_mut()
        } else {
            start_channel(l, a)
        };
        if channel.is_null() {
            // Upstream leaves this path half cleaned up; we free the socket,
            // report once with no channel and keep listening (COMPAT.md).
            let err = last_error();
            free_socket((*l).alloc, new_socket);
            drop_in((*l).alloc, a);
            ((*l).incoming_cb)((*l).bootstrap, err, null_mut(), (*l).user_data);
            release(l);
        }
    }
}

unsafe extern "C" fn on_accept_started(
    _socket: *mut aws_socket,
    error_code: c_int,
    user_data: *mut c_void,
) {
    let l = user_data as *mut Listener;
    // SAFETY: the listener's loop thread; the setup reference keeps `l` alive.
    unsafe {
        if error_code != AWS_ERROR_SUCCESS {
            // The handle stays valid (its reference kept) until the user
            // destroys it; upstream frees it here already.
            aws_socket_clean_up(&mut (*l).socket);
        }
        if let Some(cb) = (*l).setup_cb {
            cb((*l).bootstrap, error_code, (*l).user_data);
        }
        release(l);
    }
}

unsafe extern "C" fn destroy_task(_task: *mut aws_task, arg: *mut c_void, _status: c_int) {
    let l = arg as *mut Listener;
    // SAFETY: the listener's loop thread (or its shutdown); the socket's
    // reference is dropped here, after which `l` may be freed.
    unsafe {
        aws_socket_stop_accept(&mut (*l).socket);
        aws_socket_clean_up(&mut (*l).socket);
        release(l);
    }
}

/// Binds and listens on `host_name:port` and accepts on a loop of the group.
/// Returns the listening socket, or NULL with the error raised (and no callback).
#[no_mangle]
pub unsafe extern "C" fn aws_server_bootstrap_new_socket_listener(
    bootstrap_options: *const aws_server_socket_channel_bootstrap_options,
) -> *mut aws_socket {
    fatal_precondition!(
        !bootstrap_options.is_null(),
        "aws_server_bootstrap_new_socket_listener"
    );
    // SAFETY: non-NULL per the check.
    let o = unsafe { &*bootstrap_options };
    fatal_precondition!(
        !o.bootstrap.is_null(),
        "aws_server_bootstrap_new_socket_listener"
    );
    fatal_precondition!(
        o.incoming_callback.is_some(),
        "aws_server_bootstrap_new_socket_listener"
    );
    fatal_precondition!(
        o.shutdown_callback.is_some(),
        "aws_server_bootstrap_new_socket_listener"
    );
    fatal_precondition!(
        !o.socket_options.is_null(),
        "aws_server_bootstrap_new_socket_listener"
    );
    fatal_precondition!(
        !o.host_name.is_null(),
        "aws_server_bootstrap_new_socket_listener"
    );
    // SAFETY: pointers checked above, valid per the caller.
    unsafe {
        let b = &*o.bootstrap;
        let tls = if o.tls_options.is_null() {
            None
        } else {
            match OwnedTlsOptions::copy_from(o.tls_options) {
                Ok(t) => Some(t),
                Err(e) => {
                    raise(e);
                    return null_mut();
                }
            }
        };
        let mut endpoint: aws_socket_endpoint = std::mem::zeroed();
        let mut len = 0usize;
        if aws_secure_strlen(o.host_name, endpoint.address.len(), &mut len) != AWS_OP_SUCCESS {
            return null_mut();
        }
        ptr::copy_nonoverlapping(o.host_name, endpoint.address.as_mut_ptr(), len);
        endpoint.port = o.port;

        let l = new_in(
            b.allocator,
            Listener {
                socket: std::mem::zeroed(),
                alloc: b.allocator,
                bootstrap: aws_server_bootstrap_acquire(o.bootstrap),
                refs: RefCount::new(1),
                incoming_cb: o.incoming_callback.unwrap(),
                shutdown_cb: o.shutdown_callback.unwrap(),
                destroy_cb: o.destroy_callback,
                setup_cb: o.setup_callback,
                user_data: o.user_data,
                back_pressure: o.enable_read_back_pressure,
                destroy_task: std::mem::zeroed(),
                tls,
            },
        );
        if l.is_null() {
            aws_server_bootstrap_release(o.bootstrap);
            return null_mut();
        }
        aws_task_init(
            &mut (*l).destroy_task,
            Some(destroy_task),
            l as *mut c_void,
            c"listener socket destroy".as_ptr(),
        );
        // Failures before accepting undo everything without any callback.
        let fail = |l: *mut Listener| {
            let err = last_error();
            aws_socket_clean_up(&mut (*l).socket);
            let bootstrap = (*l).bootstrap;
            drop_in((*l).alloc, l);
            aws_server_bootstrap_release(bootstrap);
            raise(err);
            null_mut()
        };
        if aws_socket_init(&mut (*l).socket, b.allocator, o.socket_options) != AWS_OP_SUCCESS {
            return fail(l);
        }
        let mut bind = aws_socket_bind_options {
            local_endpoint: &endpoint,
            user_data: l as *mut c_void,
            event_loop: null_mut(),
            tls_connection_options: null_mut(),
        };
        if aws_socket_bind(&mut (*l).socket, &mut bind) != AWS_OP_SUCCESS
            || aws_socket_listen(&mut (*l).socket, 1024) != AWS_OP_SUCCESS
        {
            return fail(l);
        }
        let async_setup = (*l).setup_cb.is_some();
        let accept = aws_socket_listener_options {
            on_accept_result: Some(on_accept),
            on_accept_result_user_data: l as *mut c_void,
            on_accept_start: if async_setup {
                Some(on_accept_started)
            } else {
                None
            },
            on_accept_start_user_data: if async_setup {
                l as *mut c_void
            } else {
                null_mut()
            },
        };
        if async_setup {
            acquire(l);
        }
        let accept_loop = aws_event_loop_group_get_next_loop(b.event_loop_group);
        if aws_socket_start_accept(&mut (*l).socket, accept_loop, accept) != AWS_OP_SUCCESS {
            if async_setup {
                let _ = (*l).refs.release("server listener");
            }
            return fail(l);
        }
        crate::aws_log!(
            aws_log_level::AWS_LL_INFO,
            LS,
            "id={:p}: listening on {}:{} (listener {:p})",
            o.bootstrap,
            std::ffi::CStr::from_ptr(o.host_name).to_string_lossy(),
            o.port,
            l
        );
        &mut (*l).socket
    }
}

/// Stops accepting and closes the listener on its loop. Connections already
/// accepted stay up; `destroy_callback` runs after the last of them has shut
/// down (on the thread that finished last).
#[no_mangle]
pub unsafe extern "C" fn aws_server_bootstrap_destroy_socket_listener(
    bootstrap: *mut aws_server_bootstrap,
    listener: *mut aws_socket,
) {
    let _ = bootstrap;
    fatal_precondition!(
        !listener.is_null(),
        "aws_server_bootstrap_destroy_socket_listener"
    );
    let l = listener as *mut Listener;
    // SAFETY: `listener` is the first field of a Listener we returned.
    unsafe {
        let event_loop = (*listener).event_loop;
        if event_loop.is_null() {
            // The listener's setup failed and already cleaned the socket up.
            release(l);
            return;
        }
        aws_event_loop_schedule_task_now(event_loop, &mut (*l).destroy_task);
    }
}
