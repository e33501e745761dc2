//! `aws_cache`: bounded key/value caches over an `aws_linked_hash_table`,
//! evicting on `put` past `max_items`: LRU (finds refresh an entry, the least
//! recently used goes), FIFO (the oldest goes) and LIFO (the newest before the
//! one just added goes). The policy is a vtable, as upstream's.
use std::ffi::c_void;
use std::ptr;

use libc::c_int;

use super::abi::*;
use super::allocator::{aws_mem_calloc, aws_mem_release};
use super::inline_c::*;
use super::linked_hash_table::*;

#[derive(Clone, Copy, PartialEq)]
enum Policy {
    Lru,
    Fifo,
    Lifo,
}

/// # Safety
/// `cache` is one of ours.
unsafe fn policy(cache: *const aws_cache) -> Policy {
    // SAFETY: per the contract.
    unsafe {
        let v = (*cache).vtable;
        if ptr::eq(v, &LRU.0) {
            Policy::Lru
        } else if ptr::eq(v, &FIFO.0) {
            Policy::Fifo
        } else {
            Policy::Lifo
        }
    }
}

unsafe extern "C" fn cache_destroy(cache: *mut aws_cache) {
    // SAFETY: a cache made by this module.
    unsafe {
        aws_linked_hash_table_clean_up(&mut (*cache).table);
        aws_mem_release((*cache).allocator, cache.cast());
    }
}

unsafe extern "C" fn cache_find(
    cache: *mut aws_cache,
    key: *const c_void,
    p_value: *mut *mut c_void,
) -> c_int {
    // SAFETY: a cache made by this module.
    unsafe {
        if policy(cache) == Policy::Lru {
            aws_linked_hash_table_find_and_move_to_back(&mut (*cache).table, key, p_value)
        } else {
            aws_linked_hash_table_find(&mut (*cache).table, key, p_value)
        }
    }
}

unsafe extern "C" fn cache_put(
    cache: *mut aws_cache,
    key: *const c_void,
    p_value: *mut c_void,
) -> c_int {
    // SAFETY: a cache made by this module; list links are table nodes.
    unsafe {
        let table = &mut (*cache).table;
        if aws_linked_hash_table_put(table, key, p_value) != AWS_OP_SUCCESS {
            return AWS_OP_ERR;
        }
        if aws_linked_hash_table_get_element_count(table) <= (*cache).max_items {
            return AWS_OP_SUCCESS;
        }
        let victim = if policy(cache) == Policy::Lifo {
            let newest = aws_linked_list_back(&table.list);
            (*newest).prev
        } else {
            aws_linked_list_front(&table.list)
        };
        if victim.is_null() || ptr::eq(victim, &table.list.head) {
            return AWS_OP_SUCCESS;
        }
        aws_linked_hash_table_remove(table, (*node_of(victim)).key)
    }
}

unsafe extern "C" fn cache_remove(cache: *mut aws_cache, key: *const c_void) -> c_int {
    // SAFETY: a cache made by this module.
    unsafe { aws_linked_hash_table_remove(&mut (*cache).table, key) }
}

unsafe extern "C" fn cache_clear(cache: *mut aws_cache) {
    // SAFETY: a cache made by this module.
    unsafe { aws_linked_hash_table_clear(&mut (*cache).table) }
}

unsafe extern "C" fn cache_count(cache: *const aws_cache) -> usize {
    // SAFETY: a cache made by this module.
    unsafe { aws_linked_hash_table_get_element_count(&(*cache).table) }
}

struct Vtable(aws_cache_vtable);
// SAFETY: immutable tables of function pointers.
unsafe impl Sync for Vtable {}

const fn vtable() -> aws_cache_vtable {
    aws_cache_vtable {
        destroy: Some(cache_destroy),
        find: Some(cache_find),
        put: Some(cache_put),
        remove: Some(cache_remove),
        clear: Some(cache_clear),
        get_element_count: Some(cache_count),
    }
}

// Three distinct tables: the policy is told by which one a cache points at.
static LRU: Vtable = Vtable(vtable());
static FIFO: Vtable = Vtable(vtable());
static LIFO: Vtable = Vtable(vtable());

/// # Safety
/// Valid allocator and callbacks (caller contract).
unsafe fn new_cache(
    allocator: *mut aws_allocator,
    hash_fn: aws_hash_fn,
    equals_fn: aws_hash_callback_eq_fn,
    destroy_key_fn: aws_hash_callback_destroy_fn,
    destroy_value_fn: aws_hash_callback_destroy_fn,
    max_items: usize,
    vtable: &'static Vtable,
) -> *mut aws_cache {
    // SAFETY: the cache is allocated zeroed from the caller's allocator, then initialised.
    unsafe {
        let cache =
            aws_mem_calloc(allocator, 1, std::mem::size_of::<aws_cache>()) as *mut aws_cache;
        (*cache).allocator = allocator;
        (*cache).max_items = max_items;
        (*cache).vtable = &vtable.0;
        if aws_linked_hash_table_init(
            &mut (*cache).table,
            allocator,
            hash_fn,
            equals_fn,
            destroy_key_fn,
            destroy_value_fn,
            max_items,
        ) != AWS_OP_SUCCESS
        {
            aws_mem_release(allocator, cache.cast());
            return ptr::null_mut();
        }
        cache
    }
}

#[no_mangle]
pub unsafe extern "C" fn aws_cache_new_lru(
    allocator: *mut aws_allocator,
    hash_fn: aws_hash_fn,
    equals_fn: aws_hash_callback_eq_fn,
    destroy_key_fn: aws_hash_callback_destroy_fn,
    destroy_value_fn: aws_hash_callback_destroy_fn,
    max_items: usize,
) -> *mut aws_cache {
    // SAFETY: forwarded caller contract.
    unsafe {
        new_cache(
            allocator,
            hash_fn,
            equals_fn,
            destroy_key_fn,
            destroy_value_fn,
            max_items,
            &LRU,
        )
    }
}

#[no_mangle]
pub unsafe extern "C" fn aws_cache_new_fifo(
    allocator: *mut aws_allocator,
    hash_fn: aws_hash_fn,
    equals_fn: aws_hash_callback_eq_fn,
    destroy_key_fn: aws_hash_callback_destroy_fn,
    destroy_value_fn: aws_hash_callback_destroy_fn,
    max_items: usize,
) -> *mut aws_cache {
    // SAFETY: forwarded caller contract.
    unsafe {
        new_cache(
            allocator,
            hash_fn,
            equals_fn,
            destroy_key_fn,
            destroy_value_fn,
            max_items,
            &FIFO,
        )
    }
}

#[no_mangle]
pub unsafe extern "C" fn aws_cache_new_lifo(
    allocator: *mut aws_allocator,
    hash_fn: aws_hash_fn,
    equals_fn: aws_hash_callback_eq_fn,
    destroy_key_fn: aws_hash_callback_destroy_fn,
    destroy_value_fn: aws_hash_callback_destroy_fn,
    max_items: usize,
) -> *mut aws_cache {
    // SAFETY: forwarded caller contract.
    unsafe {
        new_cache(
            allocator,
            hash_fn,
            equals_fn,
            destroy_key_fn,
            destroy_value_fn,
            max_items,
            &LIFO,
        )
    }
}

/// # Safety
/// `cache` is a live cache.
unsafe fn vt<'a>(cache: *const aws_cache) -> &'a aws_cache_vtable {
    // SAFETY: per the contract.
    unsafe { &*(*cache).vtable }
}

#[no_mangle]
pub unsafe extern "C" fn aws_cache_destroy(cache: *mut aws_cache) {
    // SAFETY: a live cache; its vtable's functions take it.
    unsafe { vt(cache).destroy.expect("cache vtable")(cache) }
}

#[no_mangle]
pub unsafe extern "C" fn aws_cache_find(
    cache: *mut aws_cache,
    key: *const c_void,
    p_value: *mut *mut c_void,
) -> c_int {
    // SAFETY: a live cache.
    unsafe { vt(cache).find.expect("cache vtable")(cache, key, p_value) }
}

#[no_mangle]
pub unsafe extern "C" fn aws_cache_put(
    cache: *mut aws_cache,
    key: *const c_void,
    p_value: *mut c_void,
) -> c_int {
    // SAFETY: a live cache.
    unsafe { vt(cache).put.expect("cache vtable")(cache, key, p_value) }
}

#[no_mangle]
pub unsafe extern "C" fn aws_cache_remove(cache: *mut aws_cache, key: *const c_void) -> c_int {
    // SAFETY: a live cache.
    unsafe { vt(cache).remove.expect("cache vtable")(cache, key) }
}

#[no_mangle]
pub unsafe extern "C" fn aws_cache_clear(cache: *mut aws_cache) {
    // SAFETY: a live cache.
    unsafe { vt(cache).clear.expect("cache vtable")(cache) }
}

#[no_mangle]
pub unsafe extern "C" fn aws_cache_get_element_count(cache: *const aws_cache) -> usize {
    // SAFETY: a live cache.
    unsafe { vt(cache).get_element_count.expect("cache vtable")(cache) }
}

/// The least recently used value, which becomes the most recently used (NULL when empty).
#[no_mangle]
pub unsafe extern "C" fn aws_lru_cache_use_lru_element(cache: *mut aws_cache) -> *mut c_void {
    // SAFETY: a live LRU cache; list links are table nodes.
    unsafe {
        let table = &mut (*cache).table;
        if aws_linked_list_empty(&table.list) {
            return ptr::null_mut();
        }
        let node = node_of(aws_linked_list_front(&table.list));
        aws_linked_hash_table_move_node_to_end_of_list(table, node);
        (*node).value
    }
}

#[no_mangle]
pub unsafe extern "C" fn aws_lru_cache_get_mru_element(cache: *const aws_cache) -> *mut c_void {
    // SAFETY: a live LRU cache; list links are table nodes.
    unsafe {
        let table = &(*cache).table;
        if aws_linked_list_empty(&table.list) {
            return ptr::null_mut();
        }
        (*node_of(aws_linked_list_back(&table.list))).value
    }
}
