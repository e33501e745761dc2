//! `aws_client_bootstrap`: resolve, connect, build the channel.
//!
//! One [`Connection`] per `aws_client_bootstrap_new_socket_channel` call. For
//! IPv4/IPv6 the host name is resolved (a literal address skips the
//! resolver) and one connection attempt per returned address is started on
//! the connection's loop; the first socket to connect wins and the others are
//! closed. The winner gets a channel on that loop with a socket handler in its
//! first slot. Everything after resolution runs on that one loop thread, so
//! the attempt counters need no lock; the reference count is atomic because
//! the resolver thread holds a reference too.
//!
//! References on a Connection: one until `setup_callback` has run, one per
//! connection attempt in flight; the winning attempt's reference passes to the
//! channel and is dropped after `shutdown_callback`.
use crate::common::ref_count::RefCount;
use std::net::IpAddr;
use std::ptr::{self, null_mut};

use libc::{c_char, c_int, c_void};

use crate::common::abi::*;
use crate::common::allocator::{aws_mem_calloc, aws_mem_release, drop_in, new_in};
use crate::common::error::{last_error, raise};
use crate::common::error_codes::*;
use crate::common::string::{aws_string_destroy, new_string, string_bytes};
use crate::common::task_scheduler::aws_task_init;
use crate::fatal_precondition;
use crate::io::abi::*;
use crate::io::channel::{aws_channel_destroy, aws_channel_new, aws_channel_shutdown};
use crate::io::event_loop::group::*;
use crate::io::event_loop::*;
use crate::io::host_resolver::*;
use crate::io::library::aws_io_fatal_assert_library_initialized;
use crate::io::socket::*;

use super::{install_chain, TlsSide, RUN_READY};
use crate::io::tls::handler::OwnedTlsOptions;

const LS: aws_io_log_subject = aws_io_log_subject::AWS_LS_IO_CHANNEL_BOOTSTRAP;

// ---- the bootstrap -----------------------------------------------------------------

unsafe extern "C" fn bootstrap_destroy(object: *mut c_void) {
    let b = object as *mut aws_client_bootstrap;
    // SAFETY: the last reference is gone; nothing else uses the bootstrap.
    unsafe {
        let on_done = (*b).on_shutdown_complete;
        let user_data = (*b).user_data;
        aws_event_loop_group_release((*b).event_loop_group);
        aws_host_resolver_release((*b).host_resolver);
        aws_mem_release((*b).allocator, b as *mut c_void);
        crate::aws_log!(
            aws_log_level::AWS_LL_DEBUG,
            LS,
            "id={:p}: client bootstrap destroyed",
            b
        );
        if let Some(cb) = on_done {
            cb(user_data);
        }
    }
}

/// Creates a client bootstrap (ref count 1) holding the group and resolver.
#[no_mangle]
pub unsafe extern "C" fn aws_client_bootstrap_new(
    allocator: *mut aws_allocator,
    options: *const aws_client_bootstrap_options,
) -> *mut aws_client_bootstrap {
    fatal_precondition!(
        !allocator.is_null() && !options.is_null(),
        "aws_client_bootstrap_new"
    );
    // SAFETY: non-NULL per the check.
    let o = unsafe { &*options };
    fatal_precondition!(!o.event_loop_group.is_null(), "aws_client_bootstrap_new");
    // SAFETY: valid allocator; zeroed memory is a valid bootstrap to fill in.
    unsafe {
        let b = aws_mem_calloc(allocator, 1, std::mem::size_of::<aws_client_bootstrap>())
            as *mut aws_client_bootstrap;
        if b.is_null() {
            return b;
        }
        let r = &mut *b;
        r.allocator = allocator;
        r.event_loop_group = aws_event_loop_group_acquire(o.event_loop_group);
        r.host_resolver = aws_host_resolver_acquire(o.host_resolver);
        r.host_resolver_config = match o.host_resolution_config.as_ref() {
            Some(c) => ptr::read(c),
            None => aws_host_resolver_init_default_resolution_config(),
        };
        r.on_protocol_negotiated = None;
        r.on_shutdown_complete = o.on_shutdown_complete;
        r.user_data = o.user_data;
        r.ref_count.init(b as *mut c_void, Some(bootstrap_destroy));
        crate::aws_log!(
            aws_log_level::AWS_LL_INFO,
            LS,
            "id={:p}: client bootstrap on event-loop group {:p}",
            b,
            o.event_loop_group
        );
        b
    }
}

/// NULL-tolerant; returns its argument.
#[no_mangle]
pub unsafe extern "C" fn aws_client_bootstrap_acquire(
    bootstrap: *mut aws_client_bootstrap,
) -> *mut aws_client_bootstrap {
    // SAFETY: a non-NULL bootstrap is valid per the caller.
    if let Some(b) = unsafe { bootstrap.as_ref() } {
        b.ref_count.count().acquire("aws_client_bootstrap_acquire");
    }
    bootstrap
}

/// NULL-tolerant. After the last release `on_shutdown_complete` runs (on the
/// releasing thread, which may be a loop thread if a connection held the last
/// reference).
#[no_mangle]
pub unsafe extern "C" fn aws_client_bootstrap_release(bootstrap: *mut aws_client_bootstrap) {
    // SAFETY: a non-NULL bootstrap is valid per the caller.
    if let Some(b) = unsafe { bootstrap.as_ref() } {
        // SAFETY: the on-zero callback (bootstrap_destroy) frees it; not touched after.
        unsafe {
            b.ref_count
                .release_and_notify("aws_client_bootstrap_release")
        };
    }
}

/// Stores the ALPN callback (used once TLS lands).
#[no_mangle]
pub unsafe extern "C" fn aws_client_bootstrap_set_alpn_callback(
    bootstrap: *mut aws_client_bootstrap,
    on_protocol_negotiated: aws_channel_on_protocol_negotiated_fn,
) -> c_int {
    fatal_precondition!(
        !bootstrap.is_null(),
        "aws_client_bootstrap_set_alpn_callback"
    );
    // SAFETY: non-NULL per the check.
    unsafe { (*bootstrap).on_protocol_negotiated = on_protocol_negotiated };
    AWS_OP_SUCCESS
}

// ---- one connection ----------------------------------------------------------------------

type EventFn =
    unsafe extern "C" fn(*mut aws_client_bootstrap, c_int, *mut aws_channel, *mut c_void);

struct Connection {
    alloc: *mut aws_allocator,
    bootstrap: *mut aws_client_bootstrap,
    refs: RefCount,
    creation_cb: aws_client_bootstrap_on_channel_event_fn,
    setup_cb: EventFn,
    shutdown_cb: aws_client_bootstrap_on_channel_event_fn,
    user_data: *mut c_void,
    options: aws_socket_options,
    port: u32,
    host_name: *mut aws_string,
    back_pressure: bool,
    uses_dns: bool,
    connect_loop: *mut aws_event_loop,
    // Connect-loop thread only, once the attempts are known.
    attempts: usize,
    failed: usize,
    chosen: bool,
    setup_called: bool,
    socket: *mut aws_socket,
    // Reports a resolution failure on the connect loop.
    notify_task: aws_task,
    notify_error: c_int,
    /// The caller's TLS options, copied.
    tls: Option<OwnedTlsOptions>,
}

unsafe fn acquire(c: *mut Connection) {
    // SAFETY: a live connection per the caller.
    unsafe { (*c).refs.acquire("client connection") };
}

unsafe fn release(c: *mut Connection) {
    // SAFETY: a live connection per the caller; the last release frees it.
    unsafe {
        if !(*c).refs.release("client connection") {
            return;
        }
        let alloc = (*c).alloc;
        aws_client_bootstrap_release((*c).bootstrap);
        aws_string_destroy((*c).host_name);
        drop_in(alloc, c);
    }
}

/// Fires `setup_callback` (exactly once); after an error no shutdown callback follows.
unsafe fn setup_done(c: *mut Connection, error_code: c_int, channel: *mut aws_channel) {
    // SAFETY: the connection is alive (its setup reference is dropped here).
    unsafe {
        let conn = &mut *c;
        if conn.setup_called {
            crate::ffi::fatal("client bootstrap: setup callback would run twice");
        }
        conn.setup_called = true;
        if error_code != AWS_ERROR_SUCCESS {
            conn.shutdown_cb = None;
        }
        crate::aws_log!(
            aws_log_level::AWS_LL_DEBUG,
            LS,
            "id={:p}: connection setup finished with {} (channel {:p})",
            conn.bootstrap,
            crate::common::error::error_name(error_code),
            channel
        );
        (conn.setup_cb)(conn.bootstrap, error_code, channel, conn.user_data);
        release(c);
    }
}

/// One attempt failed; the last failure (with no winner) is the setup result.
unsafe fn attempt_failed(c: *mut Connection, error_code: c_int) {
    // SAFETY: connect-loop thread; the attempt still holds a reference.
    unsafe {
        let conn = &mut *c;
        conn.failed += 1;
        if conn.failed >= conn.attempts && !conn.chosen && !conn.setup_called {
            setup_done(c, error_code, null_mut());
        }
    }
}

unsafe fn record_failure(c: *mut Connection, socket: *mut aws_socket) {
    // SAFETY: live connection and socket.
    unsafe {
        let conn = &*c;
        if !conn.uses_dns || conn.host_name.is_null() || (*conn.bootstrap).host_resolver.is_null() {
            return;
        }
        let text = std::ffi::CStr::from_ptr((*socket).remote_endpoint.address.as_ptr());
        let mut address: aws_host_address = std::mem::zeroed();
        address.allocator = conn.alloc;
        address.host = conn.host_name;
        address.address = new_string(conn.alloc, text.to_bytes());
        address.record_type =
            if (*socket).options.domain == aws_socket_domain::AWS_SOCKET_IPV6 as c_int {
                aws_address_record_type::AWS_ADDRESS_RECORD_TYPE_AAAA as c_int
            } else {
                aws_address_record_type::AWS_ADDRESS_RECORD_TYPE_A as c_int
            };
        if !address.address.is_null() {
            aws_host_resolver_record_connection_failure((*conn.bootstrap).host_resolver, &address);
            aws_string_destroy(address.address as *mut aws_string);
        }
    }
}

unsafe fn free_socket(alloc: *mut aws_allocator, socket: *mut aws_socket) {
    // SAFETY: a socket we allocated; clean_up closes it if open.
    unsafe {
        aws_socket_clean_up(socket);
        aws_mem_release(alloc, socket as *mut c_void);
    }
}

unsafe extern "C" fn on_connected(
    socket: *mut aws_socket,
    error_code: c_int,
    user_data: *mut c_void,
) {
    let c = user_data as *mut Connection;
    // SAFETY: connect-loop thread; the attempt's reference keeps `c` alive.
    unsafe {
        let conn = &mut *c;
        if error_code != AWS_ERROR_SUCCESS || conn.chosen {
            if error_code != AWS_ERROR_SUCCESS {
                record_failure(c, socket);
            }
            free_socket(conn.alloc, socket);
            if error_code != AWS_ERROR_SUCCESS {
                attempt_failed(c, error_code);
            }
            release(c);
            return;
        }
        conn.chosen = true;
        conn.socket = socket;
        let options = aws_channel_options {
            event_loop: conn.connect_loop,
            on_setup_completed: Some(on_channel_setup),
            on_shutdown_completed: Some(on_channel_shutdown),
            setup_user_data: c as *mut c_void,
            shutdown_user_data: c as *mut c_void,
            enable_read_back_pressure: conn.back_pressure,
        };
        let channel = aws_channel_new(conn.alloc, &options);
        if channel.is_null() {
            let err = last_error();
            free_socket(conn.alloc, socket);
            conn.socket = null_mut();
            setup_done(c, err, null_mut());
            release(c);
            return;
        }
        if let Some(cb) = conn.creation_cb {
            cb(conn.bootstrap, AWS_ERROR_SUCCESS, channel, conn.user_data);
        }
    }
}

unsafe extern "C" fn on_channel_setup(
    channel: *mut aws_channel,
    error_code: c_int,
    user_data: *mut c_void,
) {
    let c = user_data as *mut Connection;
    // SAFETY: channel loop thread; the channel's reference keeps `c` alive.
    unsafe {
        if error_code != AWS_ERROR_SUCCESS {
            // The shutdown completion reports the failure through setup_callback.
            aws_channel_shutdown(channel, error_code);
            return;
        }
        let tls = match &(*c).tls {
            Some(t) => TlsSide::Client(
                t.as_ptr(),
                ((*(*c).bootstrap).on_protocol_negotiated, (*c).user_data),
            ),
            None => TlsSide::None,
        };
        install_chain(
            (*c).alloc,
            channel,
            (*c).socket,
            tls,
            chain_ready,
            c as *mut c_void,
        );
    }
}

/// The handler chain is ready (or failed): the user's setup callback, or a
/// shutdown whose completion reports the failure through it.
unsafe fn chain_ready(user: *mut c_void, channel: *mut aws_channel, error_code: c_int) {
    // SAFETY: the channel's reference keeps the connection alive.
    unsafe {
        if error_code == AWS_ERROR_SUCCESS {
            setup_done(user as *mut Connection, AWS_ERROR_SUCCESS, channel);
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
    let c = user_data as *mut Connection;
    // SAFETY: channel loop thread; the channel's reference keeps `c` alive.
    unsafe {
        let conn = &mut *c;
        if !conn.setup_called {
            let err = if error_code != AWS_ERROR_SUCCESS {
                error_code
            } else {
                AWS_ERROR_UNKNOWN
            };
            setup_done(c, err, null_mut());
        } else if let Some(cb) = conn.shutdown_cb {
            cb(conn.bootstrap, error_code, channel, conn.user_data);
        }
        aws_channel_destroy(channel);
        free_socket(conn.alloc, conn.socket);
        conn.socket = null_mut();
        release(c);
    }
}

// ---- connection attempts -------------------------------------------------------------------

struct Attempt {
    task: aws_task,
    conn: *mut Connection,
    endpoint: aws_socket_endpoint,
    domain: c_int,
}

unsafe fn new_attempt(c: *mut Connection, address: &[u8], domain: c_int) -> *mut Attempt {
    // SAFETY: live connection; the endpoint is zeroed, then filled within bounds.
    unsafe {
        let mut endpoint: aws_socket_endpoint = std::mem::zeroed();
        if address.len() >= endpoint.address.len() {
            raise(AWS_IO_SOCKET_INVALID_ADDRESS);
            return null_mut();
        }
        ptr::copy_nonoverlapping(
            address.as_ptr() as *const c_char,
            endpoint.address.as_mut_ptr(),
            address.len(),
        );
        endpoint.port = (*c).port;
        let a = new_in(
            (*c).alloc,
            Attempt {
                task: std::mem::zeroed(),
                conn: c,
                endpoint,
                domain,
            },
        );
        if !a.is_null() {
            aws_task_init(
                &mut (*a).task,
                Some(attempt_task),
                a as *mut c_void,
                c"attempt_connection".as_ptr(),
            );
        }
        a
    }
}

/// Starts a connect on the connect loop; the result comes to `on_connected`.
unsafe fn start_connect(
    c: *mut Connection,
    endpoint: &aws_socket_endpoint,
    domain: c_int,
) -> c_int {
    // SAFETY: live connection.
    unsafe {
        let conn = &*c;
        let socket =
            aws_mem_calloc(conn.alloc, 1, std::mem::size_of::<aws_socket>()) as *mut aws_socket;
        if socket.is_null() {
            return AWS_OP_ERR;
        }
        let mut options: aws_socket_options = ptr::read(&conn.options);
        options.domain = domain;
        if aws_socket_init(socket, conn.alloc, &options) != AWS_OP_SUCCESS {
            aws_mem_release(conn.alloc, socket as *mut c_void);
            return AWS_OP_ERR;
        }
        let mut connect = aws_socket_connect_options {
            remote_endpoint: endpoint,
            event_loop: conn.connect_loop,
            on_connection_result: Some(on_connected),
            user_data: c as *mut c_void,
            tls_connection_options: null_mut(),
        };
        if aws_socket_connect(socket, &mut connect) != AWS_OP_SUCCESS {
            let err = last_error();
            record_failure(c, socket);
            free_socket(conn.alloc, socket);
            return raise(err);
        }
        AWS_OP_SUCCESS
    }
}

unsafe extern "C" fn attempt_task(_task: *mut aws_task, arg: *mut c_void, status: c_int) {
    let a = arg as *mut Attempt;
    // SAFETY: the attempt is ours; its reference keeps the connection alive.
    unsafe {
        let c = (*a).conn;
        let alloc = (*c).alloc;
        let endpoint = ptr::read(&(*a).endpoint);
        let domain = (*a).domain;
        drop_in(alloc, a);
        let err = if status != RUN_READY {
            AWS_IO_EVENT_LOOP_SHUTDOWN
        } else if start_connect(c, &endpoint, domain) != AWS_OP_SUCCESS {
            last_error()
        } else {
            return; // on_connected owns the reference now
        };
        attempt_failed(c, err);
        release(c);
    }
}

/// Schedules one attempt per address (all on the connect loop).
unsafe fn schedule_attempts(c: *mut Connection, addresses: &[(Vec<u8>, c_int)]) -> c_int {
    // SAFETY: live connection; attempts are built before any is scheduled, so
    // `attempts` is final before the first one can fail.
    unsafe {
        let mut built = Vec::with_capacity(addresses.len());
        for (text, domain) in addresses {
            let a = new_attempt(c, text, *domain);
            if a.is_null() {
                let err = last_error();
                for a in built {
                    drop_in((*c).alloc, a);
                }
                return raise(err);
            }
            built.push(a);
        }
        (*c).attempts = built.len();
        for a in built {
            acquire(c);
            aws_event_loop_schedule_task_now((*c).connect_loop, &mut (*a).task);
        }
        AWS_OP_SUCCESS
    }
}

unsafe extern "C" fn notify_task(_task: *mut aws_task, arg: *mut c_void, _status: c_int) {
    let c = arg as *mut Connection;
    // SAFETY: the setup reference keeps `c` alive until setup_done.
    unsafe { setup_done(c, (*c).notify_error, null_mut()) };
}

/// Reports a failure before any attempt started, on the connect loop.
unsafe fn notify_failure(c: *mut Connection, error_code: c_int) {
    // SAFETY: live connection; the task field is used once.
    unsafe {
        (*c).notify_error = error_code;
        aws_task_init(
            &mut (*c).notify_task,
            Some(notify_task),
            c as *mut c_void,
            c"connection_setup_failed".as_ptr(),
        );
        aws_event_loop_schedule_task_now((*c).connect_loop, &mut (*c).notify_task);
    }
}

unsafe extern "C" fn on_resolved(
    _resolver: *mut aws_host_resolver,
    _host_name: *const aws_string,
    err_code: c_int,
    host_addresses: *const aws_array_list,
    user_data: *mut c_void,
) {
    let c = user_data as *mut Connection;
    // SAFETY: the setup reference keeps `c` alive; the list is valid for this call.
    unsafe {
        if err_code != AWS_ERROR_SUCCESS
            || host_addresses.is_null()
            || (*host_addresses).length == 0
        {
            let err = if err_code != AWS_ERROR_SUCCESS {
                err_code
            } else {
                AWS_IO_DNS_QUERY_FAILED
            };
            notify_failure(c, err);
            return;
        }
        let list = &*host_addresses;
        let items = list.data as *const aws_host_address;
        let mut addresses = Vec::with_capacity(list.length);
        for i in 0..list.length {
            let item = &*items.add(i);
            let domain = if item.record_type
                == aws_address_record_type::AWS_ADDRESS_RECORD_TYPE_AAAA as c_int
            {
                aws_socket_domain::AWS_SOCKET_IPV6 as c_int
            } else {
                aws_socket_domain::AWS_SOCKET_IPV4 as c_int
            };
            addresses.push((string_bytes(item.address).to_vec(), domain));
        }
        if schedule_attempts(c, &addresses) != AWS_OP_SUCCESS {
            notify_failure(c, last_error());
        }
    }
}

unsafe fn loop_in_group(event_loop: *mut aws_event_loop, group: *mut aws_event_loop_group) -> bool {
    // SAFETY: a valid group per the caller.
    unsafe {
        (0..aws_event_loop_group_get_loop_count(group))
            .any(|i| aws_event_loop_group_get_loop_at(group, i) == event_loop)
    }
}

/// Connects to `host_name:port` and sets up a channel; see channel_bootstrap.h
/// for the callbacks and their threads.
#[no_mangle]
pub unsafe extern "C" fn aws_client_bootstrap_new_socket_channel(
    options: *mut aws_socket_channel_bootstrap_options,
) -> c_int {
    fatal_precondition!(
        !options.is_null(),
        "aws_client_bootstrap_new_socket_channel"
    );
    // SAFETY: non-NULL per the check; the caller's struct is only read.
    let o = unsafe { &*options };
    fatal_precondition!(
        !o.bootstrap.is_null(),
        "aws_client_bootstrap_new_socket_channel"
    );
    fatal_precondition!(
        o.setup_callback.is_some(),
        "aws_client_bootstrap_new_socket_channel"
    );
    fatal_precondition!(
        o.shutdown_callback.is_some(),
        "aws_client_bootstrap_new_socket_channel"
    );
    fatal_precondition!(
        !o.socket_options.is_null(),
        "aws_client_bootstrap_new_socket_channel"
    );
    fatal_precondition!(
        !o.host_name.is_null(),
        "aws_client_bootstrap_new_socket_channel"
    );
    aws_io_fatal_assert_library_initialized();
    // SAFETY: the pointers were checked above and are valid per the caller.
    unsafe {
        let b = &*o.bootstrap;
        let socket_options = &*o.socket_options;
        if !o.tls_options.is_null() {
            fatal_precondition!(
                socket_options.r#type == aws_socket_type::AWS_SOCKET_STREAM as c_int,
                "aws_client_bootstrap_new_socket_channel"
            );
        }
        if !o.requested_event_loop.is_null()
            && !loop_in_group(o.requested_event_loop, b.event_loop_group)
        {
            return raise(AWS_ERROR_IO_PINNED_EVENT_LOOP_MISMATCH);
        }
        let host = std::ffi::CStr::from_ptr(o.host_name).to_bytes();
        let domain = socket_options.domain;
        let uses_dns = domain == aws_socket_domain::AWS_SOCKET_IPV4 as c_int
            || domain == aws_socket_domain::AWS_SOCKET_IPV6 as c_int;
        if !uses_dns && host.len() >= AWS_ADDRESS_MAX_LEN as usize {
            return raise(AWS_IO_SOCKET_INVALID_ADDRESS);
        }
        let connect_loop = if o.requested_event_loop.is_null() {
            aws_event_loop_group_get_next_loop(b.event_loop_group)
        } else {
            o.requested_event_loop
        };
        let host_name = if uses_dns {
            new_string(b.allocator, host)
        } else {
            null_mut()
        };
        if uses_dns && host_name.is_null() {
            return AWS_OP_ERR;
        }
        let c = new_in(
            b.allocator,
            Connection {
                alloc: b.allocator,
                bootstrap: aws_client_bootstrap_acquire(o.bootstrap),
                refs: RefCount::new(1),
                creation_cb: o.creation_callback,
                setup_cb: o.setup_callback.unwrap(),
                shutdown_cb: o.shutdown_callback,
                user_data: o.user_data,
                options: ptr::read(socket_options),
                port: o.port,
                host_name,
                back_pressure: o.enable_read_back_pressure,
                uses_dns,
                connect_loop,
                attempts: 1,
                failed: 0,
                chosen: false,
                setup_called: false,
                socket: null_mut(),
                notify_task: std::mem::zeroed(),
                notify_error: 0,
                tls: None,
            },
        );
        if c.is_null() {
            aws_string_destroy(host_name);
            aws_client_bootstrap_release(o.bootstrap);
            return AWS_OP_ERR;
        }
        if !o.tls_options.is_null() {
            match OwnedTlsOptions::copy_from(o.tls_options) {
                Ok(t) => (*c).tls = Some(t),
                Err(e) => {
                    release(c);
                    return raise(e);
                }
            }
        }
        crate::aws_log!(
            aws_log_level::AWS_LL_TRACE,
            LS,
            "id={:p}: connecting to {}:{}",
            o.bootstrap,
            String::from_utf8_lossy(host),
            o.port
        );
        let rc = if !uses_dns {
            // Unix sockets (and vsock) connect straight away, from this thread, as upstream.
            let mut endpoint: aws_socket_endpoint = std::mem::zeroed();
            ptr::copy_nonoverlapping(o.host_name, endpoint.address.as_mut_ptr(), host.len());
            endpoint.port = if domain == aws_socket_domain::AWS_SOCKET_VSOCK as c_int {
                o.port
            } else {
                0
            };
            acquire(c);
            let rc = start_connect(c, &endpoint, domain);
            if rc != AWS_OP_SUCCESS {
                release(c);
            }
            rc
        } else if let Some(ip) = std::str::from_utf8(host)
            .ok()
            .and_then(|s| s.parse::<IpAddr>().ok())
        {
            // A literal address needs no resolver.
            let domain = match ip {
                IpAddr::V4(_) => aws_socket_domain::AWS_SOCKET_IPV4 as c_int,
                IpAddr::V6(_) => aws_socket_domain::AWS_SOCKET_IPV6 as c_int,
            };
            schedule_attempts(c, &[(host.to_vec(), domain)])
        } else if b.host_resolver.is_null() {
            raise(AWS_ERROR_INVALID_STATE)
        } else {
            let config = if o.host_resolution_override_config.is_null() {
                &b.host_resolver_config as *const aws_host_resolution_config
            } else {
                o.host_resolution_override_config
            };
            aws_host_resolver_resolve_host(
                b.host_resolver,
                host_name,
                Some(on_resolved),
                config,
                c as *mut c_void,
            )
        };
        if rc != AWS_OP_SUCCESS {
            let err = last_error();
            release(c);
            return raise(err);
        }
        AWS_OP_SUCCESS
    }
}
