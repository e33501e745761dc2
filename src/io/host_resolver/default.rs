//! The default host resolver: a cache of A and AAAA records per host name,
//! filled by one short-lived managed thread per host being resolved (the
//! configured `impl`, `getaddrinfo` by default, blocks). Callers asking for a
//! host with live cached records are answered at once, on their own thread,
//! as upstream does; the others are answered from the resolving thread.
//!
//! Each answer carries at most one AAAA and one A address (in that order),
//! rotating through the cached records, like upstream's least-recently-used
//! vending. Records expire `max_ttl` seconds after the resolution that
//! produced them; there is no background re-resolution (a request after
//! expiry resolves again).
//!
//! Teardown: the last release marks the resolver shutting down; once no
//! resolving thread is left the memory is freed and `shutdown_options` fires,
//! always on a managed thread, never on the releasing caller's stack.
use std::collections::HashMap;
use std::sync::Mutex;

use libc::{c_int, c_void};

use crate::common::abi::*;
use crate::common::allocator::{aws_mem_calloc, aws_mem_release, drop_in, new_in};
use crate::common::error::{last_error, raise};
use crate::common::error_codes::*;
use crate::common::string::{new_string, string_bytes};
use crate::fatal_precondition;
use crate::io::abi::*;
use crate::io::event_loop::group::{aws_event_loop_group_acquire, aws_event_loop_group_release};

use super::{
    aws_default_dns_resolve, aws_host_address_clean_up,
    aws_host_resolver_init_default_resolution_config, spawn_managed, NS_PER_SEC,
};

type ResolvedFn = unsafe extern "C" fn(
    *mut aws_host_resolver,
    *const aws_string,
    c_int,
    *const aws_array_list,
    *mut c_void,
);

/// A raw value moved to another thread; the protocol around it makes that safe.
struct SendBox<T>(T);
// SAFETY: used only for resolver pointers, callback user data and configs whose
// owners guarantee they stay valid until the callback or thread is done.
unsafe impl<T> Send for SendBox<T> {}

struct Record {
    address: Vec<u8>,
    expiry: u64,
}

#[derive(Default)]
struct Records {
    list: Vec<Record>,
    next: usize,
}

impl Records {
    fn drop_expired(&mut self, now: u64) {
        self.list.retain(|r| r.expiry > now);
    }

    /// The next record in rotation.
    fn vend(&mut self) -> Option<&Record> {
        if self.list.is_empty() {
            return None;
        }
        let i = self.next % self.list.len();
        self.next = self.next.wrapping_add(1);
        Some(&self.list[i])
    }

    fn replace(&mut self, addresses: Vec<Vec<u8>>, expiry: u64) {
        self.list = addresses
            .into_iter()
            .map(|address| Record { address, expiry })
            .collect();
    }
}

struct Pending {
    callback: ResolvedFn,
    user_data: *mut c_void,
}

#[derive(Default)]
struct Entry {
    aaaa: Records,
    a: Records,
    resolving: bool,
    pending: Vec<Pending>,
}

/// (address text, record type, expiry) handed to one callback.
type Vended = Vec<(Vec<u8>, c_int, u64)>;

impl Entry {
    fn vend(&mut self, now: u64) -> Vended {
        self.aaaa.drop_expired(now);
        self.a.drop_expired(now);
        let mut out = Vec::with_capacity(2);
        if let Some(r) = self.aaaa.vend() {
            out.push((
                r.address.clone(),
                aws_address_record_type::AWS_ADDRESS_RECORD_TYPE_AAAA as c_int,
                r.expiry,
            ));
        }
        if let Some(r) = self.a.vend() {
            out.push((
                r.address.clone(),
                aws_address_record_type::AWS_ADDRESS_RECORD_TYPE_A as c_int,
                r.expiry,
            ));
        }
        out
    }

    fn clear(&mut self) {
        self.aaaa.list.clear();
        self.a.list.clear();
    }
}

#[derive(Default)]
struct State {
    entries: HashMap<Vec<u8>, Entry>,
    threads: usize,
    shutting_down: bool,
}

struct DefaultResolver {
    alloc: *mut aws_allocator,
    el_group: *mut aws_event_loop_group,
    clock: aws_io_clock_fn,
    state: Mutex<State>,
}

impl DefaultResolver {
    fn now(&self) -> u64 {
        let mut t = 0u64;
        match self.clock {
            // SAFETY: a caller-supplied clock writes one u64.
            Some(clock) if unsafe { clock(&mut t) } == AWS_OP_SUCCESS => t,
            _ => crate::common::clock::high_res_ns().unwrap_or(0),
        }
    }

    fn lock(&self) -> std::sync::MutexGuard<'_, State> {
        self.state.lock().unwrap_or_else(|e| e.into_inner())
    }
}

unsafe fn inner<'a>(resolver: *mut aws_host_resolver) -> &'a DefaultResolver {
    // SAFETY: resolvers built here carry a DefaultResolver in `impl` until freed.
    unsafe { &*((*resolver).r#impl as *const DefaultResolver) }
}

static VTABLE: SyncVtable = SyncVtable(aws_host_resolver_vtable {
    destroy: Some(destroy),
    resolve_host: Some(resolve_host),
    record_connection_failure: Some(record_connection_failure),
    purge_cache: Some(purge_cache),
    purge_cache_with_callback: Some(purge_cache_with_callback),
    purge_host_cache: Some(purge_host_cache),
    get_host_address_count: Some(get_host_address_count),
});

struct SyncVtable(aws_host_resolver_vtable);
// SAFETY: the vtable is immutable function pointers.
unsafe impl Sync for SyncVtable {}

/// Creates the default resolver (ref count 1). `options` is required;
/// `el_group` is held for the resolver's lifetime as upstream does.
#[no_mangle]
pub unsafe extern "C" fn aws_host_resolver_new_default(
    allocator: *mut aws_allocator,
    options: *const aws_host_resolver_default_options,
) -> *mut aws_host_resolver {
    fatal_precondition!(!options.is_null(), "aws_host_resolver_new_default");
    fatal_precondition!(!allocator.is_null(), "aws_host_resolver_new_default");
    // SAFETY: non-NULL options per the check above.
    let options = unsafe { &*options };
    // SAFETY: valid allocator; zeroed memory is a valid aws_host_resolver.
    unsafe {
        let resolver = aws_mem_calloc(allocator, 1, std::mem::size_of::<aws_host_resolver>())
            as *mut aws_host_resolver;
        if resolver.is_null() {
            return resolver;
        }
        let state = State {
            entries: HashMap::with_capacity(options.max_entries.min(1024)),
            ..State::default()
        };
        let imp = new_in(
            allocator,
            DefaultResolver {
                alloc: allocator,
                el_group: aws_event_loop_group_acquire(options.el_group),
                clock: options.system_clock_override_fn,
                state: Mutex::new(state),
            },
        );
        if imp.is_null() {
            aws_mem_release(allocator, resolver as *mut c_void);
            return std::ptr::null_mut();
        }
        let r = &mut *resolver;
        r.allocator = allocator;
        r.r#impl = imp as *mut c_void;
        r.vtable = &VTABLE.0 as *const _ as *mut aws_host_resolver_vtable;
        r.ref_count.init(resolver as *mut c_void, Some(on_zero));
        if let Some(shutdown) = options.shutdown_options.as_ref() {
            r.shutdown_options = aws_shutdown_callback_options {
                shutdown_callback_fn: shutdown.shutdown_callback_fn,
                shutdown_callback_user_data: shutdown.shutdown_callback_user_data,
            };
        }
        crate::aws_log!(
            aws_log_level::AWS_LL_INFO,
            aws_io_log_subject::AWS_LS_IO_DNS,
            "id={:p}: default host resolver created",
            resolver
        );
        resolver
    }
}

unsafe extern "C" fn on_zero(object: *mut c_void) {
    let resolver = object as *mut aws_host_resolver;
    // SAFETY: the ref count's object is the resolver; its vtable is ours or the caller's.
    unsafe {
        if let Some(destroy) = (*(*resolver).vtable).destroy {
            destroy(resolver);
        }
    }
}

/// Frees the resolver and fires its shutdown callback (on a managed thread).
unsafe fn finalize(resolver: *mut aws_host_resolver) {
    // SAFETY: no thread or caller uses the resolver any more.
    unsafe {
        let alloc = (*resolver).allocator;
        let shutdown = std::ptr::read(&(*resolver).shutdown_options);
        let imp = (*resolver).r#impl as *mut DefaultResolver;
        let el_group = (*imp).el_group;
        drop_in(alloc, imp);
        aws_mem_release(alloc, resolver as *mut c_void);
        aws_event_loop_group_release(el_group);
        crate::aws_log!(
            aws_log_level::AWS_LL_DEBUG,
            aws_io_log_subject::AWS_LS_IO_DNS,
            "id={:p}: default host resolver destroyed",
            resolver
        );
        if let Some(cb) = shutdown.shutdown_callback_fn {
            cb(shutdown.shutdown_callback_user_data);
        }
    }
}

/// Runs `job` off the caller's stack; inline only if no thread can be had.
fn run_detached(name: &'static [u8], job: Box<dyn FnOnce() + Send>) {
    if let Err(job) = spawn_managed(name, job) {
        job();
    }
}

unsafe extern "C" fn destroy(resolver: *mut aws_host_resolver) {
    // SAFETY: called once, after the last reference went away.
    let r = unsafe { inner(resolver) };
    let finish_now = {
        let mut st = r.lock();
        st.shutting_down = true;
        // Entries being resolved stay until their thread has answered.
        st.entries.retain(|_, e| e.resolving);
        st.threads == 0
    };
    if finish_now {
        let p = SendBox(resolver);
        run_detached(
            b"AwsHostResolvDn",
            Box::new(move || {
                let p = p;
                // SAFETY: nothing else references the resolver now.
                unsafe { finalize(p.0) }
            }),
        );
    }
}

/// Builds the C address list for one callback and invokes it.
unsafe fn answer(
    resolver: *mut aws_host_resolver,
    host_name: *const aws_string,
    pending: &Pending,
    vended: &Vended,
    err: c_int,
) {
    // SAFETY: the resolver is alive while callbacks are being answered.
    let alloc = unsafe { (*resolver).allocator };
    // SAFETY: zeroed host addresses are empty and valid.
    let mut items: [aws_host_address; 2] = unsafe { std::mem::zeroed() };
    let mut count = 0;
    let mut failed = false;
    for (address, record_type, expiry) in vended.iter().take(2) {
        let item = &mut items[count];
        item.allocator = alloc;
        // SAFETY: valid allocator and strings.
        unsafe {
            item.address = new_string(alloc, address);
            item.host = new_string(alloc, string_bytes(host_name));
        }
        item.record_type = *record_type;
        item.expiry = *expiry;
        count += 1;
        failed |= item.address.is_null() || item.host.is_null();
    }
    let list = aws_array_list {
        alloc: std::ptr::null_mut(),
        current_size: std::mem::size_of_val(&items),
        length: count,
        item_size: std::mem::size_of::<aws_host_address>(),
        data: items.as_mut_ptr() as *mut c_void,
    };
    // SAFETY: the callback gets the list for the duration of the call only.
    unsafe {
        if failed {
            (pending.callback)(
                resolver,
                host_name,
                AWS_ERROR_OOM,
                std::ptr::null(),
                pending.user_data,
            );
        } else if count > 0 {
            (pending.callback)(
                resolver,
                host_name,
                AWS_OP_SUCCESS,
                &list,
                pending.user_data,
            );
        } else {
            let code = if err != AWS_ERROR_SUCCESS {
                err
            } else {
                AWS_IO_DNS_QUERY_FAILED
            };
            (pending.callback)(
                resolver,
                host_name,
                code,
                std::ptr::null(),
                pending.user_data,
            );
        }
        for item in items.iter_mut().take(count) {
            aws_host_address_clean_up(item);
        }
    }
}

unsafe extern "C" fn resolve_host(
    resolver: *mut aws_host_resolver,
    host_name: *const aws_string,
    res: aws_on_host_resolved_result_fn,
    config: *const aws_host_resolution_config,
    user_data: *mut c_void,
) -> c_int {
    fatal_precondition!(!host_name.is_null(), "aws_host_resolver_resolve_host");
    let Some(callback) = res else {
        crate::ffi::fatal("aws_host_resolver_resolve_host: result callback is NULL");
    };
    // SAFETY: valid resolver and string per the caller.
    let (r, key) = unsafe { (inner(resolver), string_bytes(host_name).to_vec()) };
    // SAFETY: a non-NULL config is valid per the caller; it is copied.
    let config = match unsafe { config.as_ref() } {
        Some(c) => aws_host_resolution_config {
            r#impl: c.r#impl,
            max_ttl: c.max_ttl,
            impl_data: c.impl_data,
            resolve_frequency_ns: c.resolve_frequency_ns,
        },
        None => aws_host_resolver_init_default_resolution_config(),
    };
    let now = r.now();
    let pending = Pending {
        callback,
        user_data,
    };
    let vended = {
        let mut st = r.lock();
        if st.shutting_down {
            return raise(AWS_ERROR_INVALID_STATE);
        }
        let entry = st.entries.entry(key.clone()).or_default();
        let vended = if entry.resolving {
            Vec::new()
        } else {
            entry.vend(now)
        };
        if vended.is_empty() {
            entry.pending.push(pending);
            if entry.resolving {
                return AWS_OP_SUCCESS;
            }
            entry.resolving = true;
            st.threads += 1;
            None
        } else {
            Some((vended, pending))
        }
    };
    if let Some((vended, pending)) = vended {
        crate::aws_log!(
            aws_log_level::AWS_LL_DEBUG,
            aws_io_log_subject::AWS_LS_IO_DNS,
            "id={:p}: cached entries found for {}",
            resolver,
            String::from_utf8_lossy(&key)
        );
        // SAFETY: the caller keeps host_name valid for this call.
        unsafe { answer(resolver, host_name, &pending, &vended, AWS_ERROR_SUCCESS) };
        return AWS_OP_SUCCESS;
    }
    let job_args = SendBox((resolver, key.clone(), config));
    let job: Box<dyn FnOnce() + Send> = Box::new(move || {
        let args = job_args;
        let (resolver, key, config) = args.0;
        // SAFETY: the resolver stays alive while `threads` counts this one.
        unsafe { resolve_thread(resolver, key, config) }
    });
    if spawn_managed(b"AwsHostResolver", job).is_err() {
        // Ours is the first waiter (the list only grows while resolving): it
        // gets the error as a return value, the others through their callback.
        let others: Vec<Pending> = {
            let mut st = r.lock();
            st.threads -= 1;
            match st.entries.get_mut(&key) {
                Some(entry) => {
                    entry.resolving = false;
                    std::mem::take(&mut entry.pending)
                        .into_iter()
                        .skip(1)
                        .collect()
                }
                None => Vec::new(),
            }
        };
        for p in &others {
            // SAFETY: each waiter's callback with its own user data.
            unsafe {
                answer(
                    resolver,
                    host_name,
                    p,
                    &Vec::new(),
                    AWS_ERROR_SYS_CALL_FAILURE,
                )
            };
        }
        return raise(AWS_ERROR_SYS_CALL_FAILURE);
    }
    AWS_OP_SUCCESS
}

/// Moves what `impl` appended to `list` out as (AAAA, A) address texts and frees the items.
unsafe fn drain_addresses(list: &mut aws_array_list) -> (Vec<Vec<u8>>, Vec<Vec<u8>>) {
    let (mut aaaa, mut a) = (Vec::new(), Vec::new());
    let items = list.data as *mut aws_host_address;
    for i in 0..list.length {
        // SAFETY: the list holds `length` host addresses written by `impl`.
        unsafe {
            let item = &mut *items.add(i);
            if !item.address.is_null() {
                let text = string_bytes(item.address).to_vec();
                let dest = if item.record_type
                    == aws_address_record_type::AWS_ADDRESS_RECORD_TYPE_AAAA as c_int
                {
                    &mut aaaa
                } else {
                    &mut a
                };
                if !dest.contains(&text) {
                    dest.push(text);
                }
            }
            aws_host_address_clean_up(item);
        }
    }
    if !list.data.is_null() {
        // SAFETY: a dynamic list's buffer came from its allocator.
        unsafe { aws_mem_release(list.alloc, list.data) };
    }
    list.data = std::ptr::null_mut();
    list.length = 0;
    (aaaa, a)
}

unsafe fn resolve_thread(
    resolver: *mut aws_host_resolver,
    key: Vec<u8>,
    config: aws_host_resolution_config,
) {
    // SAFETY: kept alive by our slot in `threads`.
    let r = unsafe { inner(resolver) };
    // SAFETY: valid allocator.
    let host = unsafe { new_string(r.alloc, &key) };
    let mut list = aws_array_list {
        alloc: r.alloc,
        current_size: 0,
        length: 0,
        item_size: std::mem::size_of::<aws_host_address>(),
        data: std::ptr::null_mut(),
    };
    let resolve = config.r#impl.unwrap_or(aws_default_dns_resolve);
    let err = if host.is_null() {
        AWS_ERROR_OOM
    // SAFETY: the impl gets our string and an empty dynamic list of host addresses.
    } else if unsafe { resolve(r.alloc, host, &mut list, config.impl_data) } != AWS_OP_SUCCESS {
        match last_error() {
            AWS_ERROR_SUCCESS => AWS_IO_DNS_QUERY_FAILED,
            e => e,
        }
    } else {
        AWS_ERROR_SUCCESS
    };
    // SAFETY: `list` is the dynamic list filled above.
    let (aaaa, a) = unsafe { drain_addresses(&mut list) };
    let now = r.now();
    let ttl_ns = (config.max_ttl.max(1) as u64).saturating_mul(NS_PER_SEC);
    let answers: Vec<(Pending, Vended)> = {
        let mut st = r.lock();
        let entry = st.entries.entry(key.clone()).or_default();
        if err == AWS_ERROR_SUCCESS {
            entry.aaaa.replace(aaaa, now.saturating_add(ttl_ns));
            entry.a.replace(a, now.saturating_add(ttl_ns));
        }
        entry.resolving = false;
        let pending = std::mem::take(&mut entry.pending);
        pending
            .into_iter()
            .map(|p| {
                let v = entry.vend(now);
                (p, v)
            })
            .collect()
    };
    crate::aws_log!(
        aws_log_level::AWS_LL_DEBUG,
        aws_io_log_subject::AWS_LS_IO_DNS,
        "id={:p}: resolved {} (error {}), answering {} callers",
        resolver,
        String::from_utf8_lossy(&key),
        err,
        answers.len()
    );
    let host_for_callbacks = if host.is_null() {
        // SAFETY: valid allocator; a last try so callbacks get a name.
        unsafe { new_string(r.alloc, &key) }
    } else {
        host
    };
    for (pending, vended) in &answers {
        if host_for_callbacks.is_null() {
            // SAFETY: the callback accepts a NULL list with an error.
            unsafe {
                (pending.callback)(
                    resolver,
                    host_for_callbacks,
                    AWS_ERROR_OOM,
                    std::ptr::null(),
                    pending.user_data,
                )
            };
        } else {
            // SAFETY: resolver alive; host string ours.
            unsafe { answer(resolver, host_for_callbacks, pending, vended, err) };
        }
    }
    // SAFETY: our string (or NULL).
    unsafe { crate::common::string::aws_string_destroy(host_for_callbacks) };
    let finish = {
        let mut st = r.lock();
        st.threads -= 1;
        if st.shutting_down {
            st.entries.remove(&key);
        }
        st.shutting_down && st.threads == 0
    };
    if finish {
        // SAFETY: this was the last thread of a released resolver.
        unsafe { finalize(resolver) };
    }
}

unsafe extern "C" fn record_connection_failure(
    resolver: *mut aws_host_resolver,
    address: *const aws_host_address,
) -> c_int {
    // Failed addresses are not demoted: every cached address keeps its turn.
    let _ = (resolver, address);
    AWS_OP_SUCCESS
}

/// Forgets every cached record (entries being resolved keep their callers).
fn purge_all(r: &DefaultResolver) {
    let mut st = r.lock();
    st.entries.retain(|_, e| e.resolving);
    st.entries.values_mut().for_each(Entry::clear);
}

unsafe extern "C" fn purge_cache(resolver: *mut aws_host_resolver) -> c_int {
    // SAFETY: valid resolver per the caller.
    purge_all(unsafe { inner(resolver) });
    AWS_OP_SUCCESS
}

fn notify_detached(cb: aws_simple_completion_callback, user_data: *mut c_void) {
    if let Some(cb) = cb {
        let arg = SendBox(user_data);
        run_detached(
            b"AwsHostPurge",
            Box::new(move || {
                let arg = arg;
                // SAFETY: the caller's callback with its own user data.
                unsafe { cb(arg.0) }
            }),
        );
    }
}

unsafe extern "C" fn purge_cache_with_callback(
    resolver: *mut aws_host_resolver,
    on_purge_cache_complete_callback: aws_simple_completion_callback,
    user_data: *mut c_void,
) -> c_int {
    // SAFETY: valid resolver per the caller.
    purge_all(unsafe { inner(resolver) });
    notify_detached(on_purge_cache_complete_callback, user_data);
    AWS_OP_SUCCESS
}

unsafe extern "C" fn purge_host_cache(
    resolver: *mut aws_host_resolver,
    options: *const aws_host_resolver_purge_host_options,
) -> c_int {
    // SAFETY: a non-NULL options struct is valid per the caller.
    let Some(options) = (unsafe { options.as_ref() }) else {
        return raise(AWS_ERROR_INVALID_ARGUMENT);
    };
    if options.host.is_null() {
        return raise(AWS_ERROR_INVALID_ARGUMENT);
    }
    // SAFETY: valid resolver and host string per the caller.
    let (r, key) = unsafe { (inner(resolver), string_bytes(options.host)) };
    {
        let mut st = r.lock();
        let remove = match st.entries.get_mut(key) {
            Some(e) if e.resolving => {
                e.clear();
                false
            }
            Some(_) => true,
            None => false,
        };
        if remove {
            st.entries.remove(key);
        }
    }
    notify_detached(options.on_host_purge_complete_callback, options.user_data);
    AWS_OP_SUCCESS
}

unsafe extern "C" fn get_host_address_count(
    resolver: *mut aws_host_resolver,
    host_name: *const aws_string,
    flags: u32,
) -> usize {
    if host_name.is_null() {
        return 0;
    }
    // SAFETY: valid resolver and string per the caller.
    let (r, key) = unsafe { (inner(resolver), string_bytes(host_name)) };
    let now = r.now();
    let st = r.lock();
    let Some(entry) = st.entries.get(key) else {
        return 0;
    };
    let live = |rs: &Records| rs.list.iter().filter(|rec| rec.expiry > now).count();
    let mut n = 0;
    if flags & aws_get_host_address_flags::AWS_GET_HOST_ADDRESS_COUNT_RECORD_TYPE_A as u32 != 0 {
        n += live(&entry.a);
    }
    if flags & aws_get_host_address_flags::AWS_GET_HOST_ADDRESS_COUNT_RECORD_TYPE_AAAA as u32 != 0 {
        n += live(&entry.aaaa);
    }
    n
}
