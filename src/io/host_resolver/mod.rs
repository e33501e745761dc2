//! Host resolution: the generic `aws_host_resolver_*` entry points (which
//! dispatch through the resolver's public vtable, so C programs may plug in
//! their own resolver), the `aws_host_address` helpers, the blocking
//! `getaddrinfo` back end and the default caching resolver.

use libc::{c_int, c_void};

use crate::common::abi::*;
use crate::common::error::raise;
use crate::common::error_codes::*;
use crate::fatal_precondition;
use crate::io::abi::*;

mod cache;
mod default;
mod getaddrinfo;
mod spawn;

pub use default::aws_host_resolver_new_default;
pub use getaddrinfo::aws_default_dns_resolve;
pub(crate) use spawn::spawn_managed;

/// Seconds a resolved address stays usable by default (upstream's value).
pub const AWS_DEFAULT_DNS_TTL: usize = 30;
const NS_PER_SEC: u64 = 1_000_000_000;

// ---- aws_host_address ----------------------------------------------------------

/// Copies `from` into `to` (new strings from `from`'s allocator).
#[no_mangle]
pub unsafe extern "C" fn aws_host_address_copy(
    from: *const aws_host_address,
    to: *mut aws_host_address,
) -> c_int {
    fatal_precondition!(!from.is_null() && !to.is_null(), "aws_host_address_copy");
    // SAFETY: both point to valid host addresses per the caller.
    let (from, to) = unsafe { (&*from, &mut *to) };
    to.allocator = from.allocator;
    // SAFETY: `from`'s strings are valid or NULL; NULL copies to NULL.
    unsafe {
        to.address = copy_string(from.allocator, from.address);
        to.host = copy_string(from.allocator, from.host);
    }
    to.record_type = from.record_type;
    to.use_count = from.use_count;
    to.connection_failure_count = from.connection_failure_count;
    to.expiry = from.expiry;
    to.weight = from.weight;
    if (!from.address.is_null() && to.address.is_null())
        || (!from.host.is_null() && to.host.is_null())
    {
        // SAFETY: `to` holds only strings we just made (or NULL).
        unsafe { aws_host_address_clean_up(to) };
        return AWS_OP_ERR;
    }
    AWS_OP_SUCCESS
}

unsafe fn copy_string(alloc: *mut aws_allocator, s: *const aws_string) -> *const aws_string {
    if s.is_null() {
        return std::ptr::null();
    }
    // SAFETY: `s` is a valid string per the caller.
    unsafe { crate::common::string::new_string(alloc, crate::common::string::string_bytes(s)) }
}

/// Moves `from` into `to` and zeroes `from`.
#[no_mangle]
pub unsafe extern "C" fn aws_host_address_move(
    from: *mut aws_host_address,
    to: *mut aws_host_address,
) {
    fatal_precondition!(!from.is_null() && !to.is_null(), "aws_host_address_move");
    // SAFETY: valid, distinct addresses per the caller; zeroed bytes are a valid
    // (empty) host address.
    unsafe {
        std::ptr::copy(from, to, 1);
        std::ptr::write_bytes(from, 0, 1);
    }
}

/// Frees `address`'s strings and zeroes it.
#[no_mangle]
pub unsafe extern "C" fn aws_host_address_clean_up(address: *mut aws_host_address) {
    fatal_precondition!(!address.is_null(), "aws_host_address_clean_up");
    // SAFETY: the strings are owned by the address (or NULL).
    unsafe {
        let a = &mut *address;
        crate::common::string::aws_string_destroy(a.address as *mut aws_string);
        crate::common::string::aws_string_destroy(a.host as *mut aws_string);
        std::ptr::write_bytes(address, 0, 1);
    }
}

// ---- generic resolver API ------------------------------------------------------

unsafe fn vtable<'a>(resolver: *mut aws_host_resolver, func: &str) -> &'a aws_host_resolver_vtable {
    if resolver.is_null() {
        crate::ffi::fatal(&format!("{func}: resolver is NULL"));
    }
    // SAFETY: a non-NULL resolver is valid per the caller.
    match unsafe { (*resolver).vtable.as_ref() } {
        Some(v) => v,
        None => crate::ffi::fatal(&format!("{func}: resolver has no vtable")),
    }
}

/// NULL-tolerant; returns its argument.
#[no_mangle]
pub unsafe extern "C" fn aws_host_resolver_acquire(
    resolver: *mut aws_host_resolver,
) -> *mut aws_host_resolver {
    // SAFETY: a non-NULL resolver is valid per the caller.
    if let Some(r) = unsafe { resolver.as_ref() } {
        r.ref_count.count().acquire("aws_host_resolver_acquire");
    }
    resolver
}

/// NULL-tolerant. The last release runs the ref count's destructor, or the
/// vtable's `destroy` when the resolver set none.
#[no_mangle]
pub unsafe extern "C" fn aws_host_resolver_release(resolver: *mut aws_host_resolver) {
    // SAFETY: a non-NULL resolver is valid per the caller.
    let Some(r) = (unsafe { resolver.as_ref() }) else {
        return;
    };
    if !r.ref_count.count().release("aws_host_resolver_release") {
        return;
    }
    // SAFETY: the last reference is gone; the destructor owns the resolver now.
    unsafe {
        if let Some(on_zero) = r.ref_count.on_zero_fn {
            on_zero(r.ref_count.object);
        } else if let Some(destroy) = vtable(resolver, "aws_host_resolver_release").destroy {
            destroy(resolver);
        }
    }
}

#[no_mangle]
pub unsafe extern "C" fn aws_host_resolver_resolve_host(
    resolver: *mut aws_host_resolver,
    host_name: *const aws_string,
    res: aws_on_host_resolved_result_fn,
    config: *const aws_host_resolution_config,
    user_data: *mut c_void,
) -> c_int {
    // SAFETY: the vtable entry gets the caller's arguments unchanged.
    unsafe {
        match vtable(resolver, "aws_host_resolver_resolve_host").resolve_host {
            Some(f) => f(resolver, host_name, res, config, user_data),
            None => raise(AWS_ERROR_UNSUPPORTED_OPERATION),
        }
    }
}

#[no_mangle]
pub unsafe extern "C" fn aws_host_resolver_record_connection_failure(
    resolver: *mut aws_host_resolver,
    address: *const aws_host_address,
) -> c_int {
    // SAFETY: as above.
    unsafe {
        match vtable(resolver, "aws_host_resolver_record_connection_failure")
            .record_connection_failure
        {
            Some(f) => f(resolver, address),
            None => raise(AWS_ERROR_UNSUPPORTED_OPERATION),
        }
    }
}

#[no_mangle]
pub unsafe extern "C" fn aws_host_resolver_purge_cache(resolver: *mut aws_host_resolver) -> c_int {
    // SAFETY: as above.
    unsafe {
        match vtable(resolver, "aws_host_resolver_purge_cache").purge_cache {
            Some(f) => f(resolver),
            None => raise(AWS_ERROR_UNSUPPORTED_OPERATION),
        }
    }
}

#[no_mangle]
pub unsafe extern "C" fn aws_host_resolver_purge_cache_with_callback(
    resolver: *mut aws_host_resolver,
    on_purge_cache_complete_callback: aws_simple_completion_callback,
    user_data: *mut c_void,
) -> c_int {
    // SAFETY: as above.
    unsafe {
        match vtable(resolver, "aws_host_resolver_purge_cache_with_callback")
            .purge_cache_with_callback
        {
            Some(f) => f(resolver, on_purge_cache_complete_callback, user_data),
            None => raise(AWS_ERROR_UNSUPPORTED_OPERATION),
        }
    }
}

#[no_mangle]
pub unsafe extern "C" fn aws_host_resolver_purge_host_cache(
    resolver: *mut aws_host_resolver,
    options: *const aws_host_resolver_purge_host_options,
) -> c_int {
    // SAFETY: as above.
    unsafe {
        match vtable(resolver, "aws_host_resolver_purge_host_cache").purge_host_cache {
            Some(f) => f(resolver, options),
            None => raise(AWS_ERROR_UNSUPPORTED_OPERATION),
        }
    }
}

#[no_mangle]
pub unsafe extern "C" fn aws_host_resolver_get_host_address_count(
    resolver: *mut aws_host_resolver,
    host_name: *const aws_string,
    flags: u32,
) -> usize {
    // SAFETY: as above.
    unsafe {
        match vtable(resolver, "aws_host_resolver_get_host_address_count").get_host_address_count {
            Some(f) => f(resolver, host_name, flags),
            None => 0,
        }
    }
}

/// getaddrinfo, a 30 s TTL and a re-resolve interval of one second.
#[no_mangle]
pub extern "C" fn aws_host_resolver_init_default_resolution_config() -> aws_host_resolution_config {
    aws_host_resolution_config {
        r#impl: Some(aws_default_dns_resolve),
        max_ttl: AWS_DEFAULT_DNS_TTL,
        impl_data: std::ptr::null_mut(),
        resolve_frequency_ns: NS_PER_SEC,
    }
}
