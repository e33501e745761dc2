//! The default host resolver, with upstream's semantics: each host being
//! asked for gets an entry and a managed thread that resolves it (the
//! configured `impl`, `getaddrinfo` by default), answers the callers waiting
//! on it, then re-resolves every `resolve_frequency_ns` (capped at `max_ttl`)
//! until nobody has asked for the host for `max_ttl` seconds. A caller asking
//! for a host with cached good addresses is answered at once on its own
//! thread; otherwise it waits for the entry's thread, which a new waiter wakes
//! early (after a minimum 100 ms between queries, so an unresolvable host
//! cannot spin it). Addresses live in `cache.rs`'s LRU lists: TTL refresh on
//! each resolution, connection failures moved to a failed list until they
//! expire or are the last resort.
//!
//! Teardown: the last release stops every entry; once no thread is left the
//! memory is freed and `shutdown_options` fires, always on a managed thread,
//! never on the releasing caller's stack.
use std::collections::HashMap;
use std::sync::atomic::{AtomicUsize, Ordering};
use std::sync::{Arc, Condvar, Mutex, MutexGuard};
use std::time::Duration;

use libc::{c_int, c_void};

use crate::common::abi::*;
use crate::common::allocator::{aws_mem_calloc, aws_mem_release, drop_in, new_in};
use crate::common::error::{last_error, raise};
use crate::common::error_codes::*;
use crate::common::string::{new_string, string_bytes};
use crate::fatal_precondition;
use crate::io::abi::*;
use crate::io::event_loop::group::{aws_event_loop_group_acquire, aws_event_loop_group_release};

use super::cache::{Family, Rec};
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

type RecordKind = c_int;
const AAAA: RecordKind = aws_address_record_type::AWS_ADDRESS_RECORD_TYPE_AAAA as c_int;
const A: RecordKind = aws_address_record_type::AWS_ADDRESS_RECORD_TYPE_A as c_int;

/// Never wait less than this between two queries of one host (upstream's 100 ms).
const MIN_WAIT_NS: u64 = 100_000_000;

struct Pending {
    callback: ResolvedFn,
    user_data: *mut c_void,
}

/// Fires a purge callback once every host it covers has stopped.
struct PurgeWaiter {
    left: AtomicUsize,
    callback: unsafe extern "C" fn(*mut c_void),
    user_data: *mut c_void,
}

// SAFETY: the callback's user data belongs to the purging caller, who
// expects the callback on another thread; the counter is atomic.
unsafe impl Send for PurgeWaiter {}
// SAFETY: as above.
unsafe impl Sync for PurgeWaiter {}

impl PurgeWaiter {
    fn host_done(&self) {
        if self.left.fetch_sub(1, Ordering::AcqRel) == 1 {
            // SAFETY: the caller's callback with its own data.
            unsafe { (self.callback)(self.user_data) };
        }
    }
}

/// One host being kept fresh by its own thread.
struct Entry {
    host: Vec<u8>,
    aaaa: Family,
    a: Family,
    pending: Vec<Pending>,
    last_request: u64,
    active: bool,
    wake: Arc<Condvar>,
    purge_waiters: Vec<Arc<PurgeWaiter>>,
}

/// (address text, record type, expiry, use count, failure count) for one callback.
type Vended = Vec<(Vec<u8>, c_int, u64, usize, usize)>;

fn vended(r: &Rec, kind: RecordKind) -> (Vec<u8>, c_int, u64, usize, usize) {
    (r.address.clone(), kind, r.expiry, r.use_count, r.failures)
}

impl Entry {
    /// The least recently used good AAAA and A records (a cached answer).
    fn vend(&mut self) -> Vended {
        let mut out = Vec::with_capacity(2);
        if let Some(r) = self.aaaa.good.use_lru() {
            out.push(vended(r, AAAA));
        }
        if let Some(r) = self.a.good.use_lru() {
            out.push(vended(r, A));
        }
        out
    }

    /// As `vend`, for an answer from the resolving thread (counts the use).
    fn vend_counted(&mut self) -> Vended {
        let mut out = Vec::with_capacity(2);
        for (fam, kind) in [(&mut self.aaaa, AAAA), (&mut self.a, A)] {
            if let Some(r) = fam.good.use_lru() {
                out.push(vended(r, kind));
                r.use_count += 1;
            }
        }
        out
    }

    fn family(&mut self, kind: RecordKind) -> &mut Family {
        if kind == AAAA {
            &mut self.aaaa
        } else {
            &mut self.a
        }
    }
}

#[derive(Default)]
struct State {
    /// Live entries by host name, to their id.
    hosts: HashMap<Vec<u8>, u64>,
    /// Every entry whose thread still runs (purged ones until they stop).
    entries: HashMap<u64, Entry>,
    next_id: u64,
    threads: usize,
    shutting_down: bool,
}

impl State {
    /// Stops entry `id`'s thread (it leaves at its next wake-up).
    fn deactivate(&mut self, id: u64, waiter: Option<&Arc<PurgeWaiter>>) {
        if let Some(e) = self.entries.get_mut(&id) {
            e.active = false;
            if let Some(w) = waiter {
                e.purge_waiters.push(w.clone());
            }
            e.wake.notify_all();
            if self.hosts.get(&e.host) == Some(&id) {
                self.hosts.remove(&e.host);
            }
        }
    }
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
        let ids: Vec<u64> = st.entries.keys().copied().collect();
        for id in ids {
            st.deactivate(id, None);
        }
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
    for (address, record_type, expiry, uses, failures) in vended.iter().take(2) {
        let item = &mut items[count];
        item.allocator = alloc;
        // SAFETY: valid allocator and strings.
        unsafe {
            item.address = new_string(alloc, address);
            item.host = new_string(alloc, string_bytes(host_name));
        }
        item.record_type = *record_type;
        item.expiry = *expiry;
        item.use_count = *uses;
        item.connection_failure_count = *failures;
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
    let (code, list_ptr) = if failed {
        (AWS_ERROR_OOM, std::ptr::null())
    } else if count > 0 {
        (AWS_OP_SUCCESS, &list as *const aws_array_list)
    } else if err != AWS_ERROR_SUCCESS {
        (err, std::ptr::null())
    } else {
        (AWS_IO_DNS_QUERY_FAILED, std::ptr::null())
    };
    // SAFETY: the callback gets the list for the duration of the call only.
    unsafe {
        (pending.callback)(resolver, host_name, code, list_ptr, pending.user_data);
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
    let cached = {
        let mut st = r.lock();
        if st.shutting_down {
            return raise(AWS_ERROR_INVALID_STATE);
        }
        match st.hosts.get(&key).copied() {
            Some(id) => {
                let e = st.entries.get_mut(&id).expect("live host has an entry");
                e.last_request = now;
                let v = e.vend();
                if v.is_empty() {
                    // The thread answers it, woken early from its wait.
                    e.pending.push(pending);
                    e.wake.notify_all();
                    return AWS_OP_SUCCESS;
                }
                (v, pending)
            }
            None => {
                let id = st.next_id;
                st.next_id += 1;
                st.hosts.insert(key.clone(), id);
                st.entries.insert(
                    id,
                    Entry {
                        host: key.clone(),
                        aaaa: Family::default(),
                        a: Family::default(),
                        pending: vec![pending],
                        last_request: now,
                        active: true,
                        wake: Arc::new(Condvar::new()),
                        purge_waiters: Vec::new(),
                    },
                );
                st.threads += 1;
                drop(st);
                return start_host_thread(resolver, r, id, config);
            }
        }
    };
    crate::aws_log!(
        aws_log_level::AWS_LL_DEBUG,
        aws_io_log_subject::AWS_LS_IO_DNS,
        "id={:p}: cached entries found for {}",
        resolver,
        String::from_utf8_lossy(&key)
    );
    let (vended, pending) = cached;
    // SAFETY: the caller keeps host_name valid for this call.
    unsafe { answer(resolver, host_name, &pending, &vended, AWS_ERROR_SUCCESS) };
    AWS_OP_SUCCESS
}

/// Launches the thread of new entry `id`; on failure the entry goes and the
/// error is returned (the entry's only waiter is the caller).
fn start_host_thread(
    resolver: *mut aws_host_resolver,
    r: &DefaultResolver,
    id: u64,
    config: aws_host_resolution_config,
) -> c_int {
    let job_args = SendBox((resolver, config));
    let job: Box<dyn FnOnce() + Send> = Box::new(move || {
        let args = job_args;
        let (resolver, config) = args.0;
        // SAFETY: the resolver stays alive while `threads` counts this one.
        unsafe { host_thread(resolver, id, config) }
    });
    if spawn_managed(b"AwsHostResolver", job).is_err() {
        let mut st = r.lock();
        st.threads -= 1;
        if let Some(e) = st.entries.remove(&id) {
            if st.hosts.get(&e.host) == Some(&id) {
                st.hosts.remove(&e.host);
            }
        }
        return raise(AWS_ERROR_SYS_CALL_FAILURE);
    }
    AWS_OP_SUCCESS
}

/// Moves what `impl` appended to `list` out as (address text, record type) and frees the items.
unsafe fn drain_addresses(list: &mut aws_array_list) -> Vec<(Vec<u8>, RecordKind)> {
    let mut out = Vec::new();
    let items = list.data as *mut aws_host_address;
    for i in 0..list.length {
        // SAFETY: the list holds `length` host addresses written by `impl`.
        unsafe {
            let item = &mut *items.add(i);
            if !item.address.is_null() {
                out.push((string_bytes(item.address).to_vec(), item.record_type));
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
    out
}

/// Runs the configured resolver once: the addresses or the error.
unsafe fn query(
    r: &DefaultResolver,
    host: *const aws_string,
    config: &aws_host_resolution_config,
) -> Result<Vec<(Vec<u8>, RecordKind)>, c_int> {
    let mut list = aws_array_list {
        alloc: r.alloc,
        current_size: 0,
        length: 0,
        item_size: std::mem::size_of::<aws_host_address>(),
        data: std::ptr::null_mut(),
    };
    let resolve = config.r#impl.unwrap_or(aws_default_dns_resolve);
    // SAFETY: the impl gets our string and an empty dynamic list of host addresses.
    let rc = unsafe { resolve(r.alloc, host, &mut list, config.impl_data) };
    // SAFETY: `list` is the dynamic list filled above.
    let found = unsafe { drain_addresses(&mut list) };
    if rc != AWS_OP_SUCCESS {
        return Err(match last_error() {
            AWS_ERROR_SUCCESS => AWS_IO_DNS_QUERY_FAILED,
            e => e,
        });
    }
    Ok(found)
}

/// One host's thread: resolves, answers waiters, then waits a resolve
/// interval (woken early by new waiters after the minimum wait) and goes
/// again, until the host has gone unrequested for `max_ttl` or is purged.
unsafe fn host_thread(
    resolver: *mut aws_host_resolver,
    id: u64,
    config: aws_host_resolution_config,
) {
    // SAFETY: kept alive by our slot in `threads`.
    let r = unsafe { inner(resolver) };
    let (key, wake) = {
        let st = r.lock();
        let e = &st.entries[&id];
        (e.host.clone(), e.wake.clone())
    };
    // SAFETY: valid allocator.
    let host = unsafe { new_string(r.alloc, &key) };
    let ttl_ns = (config.max_ttl.max(1) as u64).saturating_mul(NS_PER_SEC);
    let frequency = match config.resolve_frequency_ns {
        0 => NS_PER_SEC,
        f => f,
    };
    let interval = ttl_ns.min(frequency);
    let interruptible = interval.saturating_sub(MIN_WAIT_NS);
    loop {
        let result = if host.is_null() {
            Err(AWS_ERROR_OOM)
        } else {
            // SAFETY: our string.
            unsafe { query(r, host, &config) }
        };
        let now = r.now();
        let expiry = now.saturating_add((config.max_ttl as u64).saturating_mul(NS_PER_SEC));
        let answers: Vec<(Pending, Vended)> = {
            let mut st = r.lock();
            let e = st
                .entries
                .get_mut(&id)
                .expect("an entry outlives its thread");
            if let Ok(found) = &result {
                for kind in [AAAA, A] {
                    let addrs: Vec<Vec<u8>> = found
                        .iter()
                        .filter(|(_, k)| *k == kind)
                        .map(|(a, _)| a.clone())
                        .collect();
                    e.family(kind).update(&addrs, expiry);
                }
            }
            e.aaaa.process(now);
            e.a.process(now);
            std::mem::take(&mut e.pending)
                .into_iter()
                .map(|p| {
                    let v = e.vend_counted();
                    (p, v)
                })
                .collect()
        };
        let err = result.err().unwrap_or(AWS_ERROR_SUCCESS);
        for (pending, vended) in &answers {
            if host.is_null() {
                // SAFETY: the callback accepts a NULL list with an error.
                unsafe {
                    (pending.callback)(
                        resolver,
                        host,
                        AWS_ERROR_OOM,
                        std::ptr::null(),
                        pending.user_data,
                    )
                };
            } else {
                // SAFETY: resolver alive; host string ours.
                unsafe { answer(resolver, host, pending, vended, err) };
            }
        }
        let mut st = r.lock();
        st = wait(&wake, st, MIN_WAIT_NS, |st| !st.entries[&id].active);
        if interruptible > 0 {
            st = wait(&wake, st, interruptible, |st| {
                let e = &st.entries[&id];
                !e.active || !e.pending.is_empty()
            });
        }
        let now = r.now();
        let e = st
            .entries
            .get_mut(&id)
            .expect("an entry outlives its thread");
        if e.pending.is_empty() && e.last_request.saturating_add(ttl_ns) < now {
            e.active = false;
        }
        if !e.active {
            break;
        }
    }
    // Leaving: the entry goes, its waiters fail, purges hear it stopped.
    let (entry, finish) = {
        let mut st = r.lock();
        let e = st
            .entries
            .remove(&id)
            .expect("an entry outlives its thread");
        if st.hosts.get(&e.host) == Some(&id) {
            st.hosts.remove(&e.host);
        }
        st.threads -= 1;
        let finish = st.shutting_down && st.threads == 0;
        (e, finish)
    };
    for p in &entry.pending {
        // SAFETY: each waiter's callback with its own user data.
        unsafe {
            (p.callback)(
                resolver,
                host,
                AWS_IO_DNS_HOST_REMOVED_FROM_CACHE,
                std::ptr::null(),
                p.user_data,
            )
        };
    }
    for w in &entry.purge_waiters {
        w.host_done();
    }
    // SAFETY: our string (or NULL).
    unsafe { crate::common::string::aws_string_destroy(host) };
    if finish {
        // SAFETY: this was the last thread of a released resolver.
        unsafe { finalize(resolver) };
    }
}

/// Waits on `cond` up to `ns` (real time) or until `done`.
fn wait<'a>(
    cond: &Condvar,
    guard: MutexGuard<'a, State>,
    ns: u64,
    done: impl Fn(&State) -> bool,
) -> MutexGuard<'a, State> {
    cond.wait_timeout_while(guard, Duration::from_nanos(ns), |st| !done(st))
        .unwrap_or_else(|e| e.into_inner())
        .0
}

unsafe extern "C" fn record_connection_failure(
    resolver: *mut aws_host_resolver,
    address: *const aws_host_address,
) -> c_int {
    // SAFETY: valid resolver and address per the caller.
    unsafe {
        fatal_precondition!(
            !address.is_null() && !(*address).host.is_null() && !(*address).address.is_null(),
            "aws_host_resolver_record_connection_failure"
        );
        let r = inner(resolver);
        let host = string_bytes((*address).host);
        let text = string_bytes((*address).address);
        let mut st = r.lock();
        if let Some(id) = st.hosts.get(host).copied() {
            let e = st.entries.get_mut(&id).expect("live host has an entry");
            e.family((*address).record_type).record_failure(text);
        }
    }
    AWS_OP_SUCCESS
}

/// Stops every host (`waiter` hears when they all have).
fn purge_all(r: &DefaultResolver, waiter: Option<&Arc<PurgeWaiter>>) -> usize {
    let mut st = r.lock();
    let ids: Vec<u64> = st.hosts.values().copied().collect();
    if let Some(w) = waiter {
        w.left.store(ids.len(), Ordering::Release);
    }
    for &id in &ids {
        st.deactivate(id, waiter);
    }
    ids.len()
}

unsafe extern "C" fn purge_cache(resolver: *mut aws_host_resolver) -> c_int {
    // SAFETY: valid resolver per the caller.
    purge_all(unsafe { inner(resolver) }, None);
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

fn waiter_for(
    cb: aws_simple_completion_callback,
    user_data: *mut c_void,
) -> Option<Arc<PurgeWaiter>> {
    cb.map(|callback| {
        Arc::new(PurgeWaiter {
            left: AtomicUsize::new(0),
            callback,
            user_data,
        })
    })
}

unsafe extern "C" fn purge_cache_with_callback(
    resolver: *mut aws_host_resolver,
    on_purge_cache_complete_callback: aws_simple_completion_callback,
    user_data: *mut c_void,
) -> c_int {
    let waiter = waiter_for(on_purge_cache_complete_callback, user_data);
    // SAFETY: valid resolver per the caller.
    if purge_all(unsafe { inner(resolver) }, waiter.as_ref()) == 0 {
        notify_detached(on_purge_cache_complete_callback, user_data);
    }
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
    let waiter = waiter_for(options.on_host_purge_complete_callback, options.user_data);
    let found = {
        let mut st = r.lock();
        match st.hosts.get(key).copied() {
            Some(id) => {
                if let Some(w) = &waiter {
                    w.left.store(1, Ordering::Release);
                }
                st.deactivate(id, waiter.as_ref());
                true
            }
            None => false,
        }
    };
    if !found {
        notify_detached(options.on_host_purge_complete_callback, options.user_data);
    }
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
    let st = r.lock();
    let Some(e) = st.hosts.get(key).and_then(|id| st.entries.get(id)) else {
        return 0;
    };
    let mut n = 0;
    if flags & aws_get_host_address_flags::AWS_GET_HOST_ADDRESS_COUNT_RECORD_TYPE_A as u32 != 0 {
        n += e.a.good.len();
    }
    if flags & aws_get_host_address_flags::AWS_GET_HOST_ADDRESS_COUNT_RECORD_TYPE_AAAA as u32 != 0 {
        n += e.aaaa.good.len();
    }
    n
}
