//! `aws_linked_hash_table`: an `aws_hash_table` whose values are nodes also
//! threaded on an `aws_linked_list` in insertion (or use) order, the basis of
//! the caches. The hash table owns the nodes: its value-destroy callback
//! unlinks and frees a node, after the user's key and value callbacks.
use std::ffi::c_void;
use std::ptr;

use libc::c_int;

use super::abi::*;
use super::allocator::{aws_mem_calloc, aws_mem_release};
use super::hash_table::{
    aws_hash_table_clean_up, aws_hash_table_clear, aws_hash_table_create, aws_hash_table_find,
    aws_hash_table_get_entry_count, aws_hash_table_init, aws_hash_table_remove,
};
use super::inline_c::*;

/// The hash table's value destructor: user callback, unlink, free.
unsafe extern "C" fn destroy_node(value: *mut c_void) {
    // SAFETY: every value in the table is a node this module allocated, still linked.
    unsafe {
        let node = value as *mut aws_linked_hash_table_node;
        let table = (*node).table;
        if let Some(destroy) = (*table).user_on_value_destroy {
            destroy((*node).value);
        }
        aws_linked_list_remove(&mut (*node).node);
        aws_mem_release((*table).allocator, node.cast());
    }
}

/// The node a list link belongs to.
///
/// # Safety
/// `link` is the `node` member of an aws_linked_hash_table_node.
pub unsafe fn node_of(link: *mut aws_linked_list_node) -> *mut aws_linked_hash_table_node {
    // SAFETY: per the contract; `node` is the first member.
    unsafe {
        link.byte_sub(std::mem::offset_of!(aws_linked_hash_table_node, node))
            .cast()
    }
}

#[no_mangle]
pub unsafe extern "C" fn aws_linked_hash_table_init(
    table: *mut aws_linked_hash_table,
    allocator: *mut aws_allocator,
    hash_fn: aws_hash_fn,
    equals_fn: aws_hash_callback_eq_fn,
    destroy_key_fn: aws_hash_callback_destroy_fn,
    destroy_value_fn: aws_hash_callback_destroy_fn,
    initial_item_count: usize,
) -> c_int {
    // SAFETY: table is writable (caller contract).
    unsafe {
        let t = &mut *table;
        t.allocator = allocator;
        t.user_on_key_destroy = destroy_key_fn;
        t.user_on_value_destroy = destroy_value_fn;
        aws_linked_list_init(&mut t.list);
        aws_hash_table_init(
            &mut t.table,
            allocator,
            initial_item_count,
            hash_fn,
            equals_fn,
            destroy_key_fn,
            Some(destroy_node),
        )
    }
}

#[no_mangle]
pub unsafe extern "C" fn aws_linked_hash_table_clean_up(table: *mut aws_linked_hash_table) {
    // SAFETY: an initialised table; cleaning the hash table destroys every node.
    unsafe { aws_hash_table_clean_up(&mut (*table).table) }
}

/// # Safety
/// `table` is initialised and `p_value` writable.
unsafe fn find(
    table: *mut aws_linked_hash_table,
    key: *const c_void,
    p_value: *mut *mut c_void,
    to_back: bool,
) -> c_int {
    // SAFETY: per the contract; found values are our nodes.
    unsafe {
        let mut element: *mut aws_hash_element = ptr::null_mut();
        let rc = aws_hash_table_find(&(*table).table, key, &mut element);
        if rc != AWS_OP_SUCCESS || element.is_null() {
            *p_value = ptr::null_mut();
            return rc;
        }
        let node = (*element).value as *mut aws_linked_hash_table_node;
        *p_value = (*node).value;
        if to_back {
            aws_linked_hash_table_move_node_to_end_of_list(table, node);
        }
        AWS_OP_SUCCESS
    }
}

#[no_mangle]
pub unsafe extern "C" fn aws_linked_hash_table_find(
    table: *mut aws_linked_hash_table,
    key: *const c_void,
    p_value: *mut *mut c_void,
) -> c_int {
    // SAFETY: forwarded caller contract.
    unsafe { find(table, key, p_value, false) }
}

#[no_mangle]
pub unsafe extern "C" fn aws_linked_hash_table_find_and_move_to_back(
    table: *mut aws_linked_hash_table,
    key: *const c_void,
    p_value: *mut *mut c_void,
) -> c_int {
    // SAFETY: forwarded caller contract.
    unsafe { find(table, key, p_value, true) }
}

/// Adds or replaces; a replaced value (and a replaced, distinct key) is destroyed.
#[no_mangle]
pub unsafe extern "C" fn aws_linked_hash_table_put(
    table: *mut aws_linked_hash_table,
    key: *const c_void,
    p_value: *mut c_void,
) -> c_int {
    // SAFETY: an initialised table; the node is ours until the hash table owns it.
    unsafe {
        let t = &mut *table;
        let node = aws_mem_calloc(
            t.allocator,
            1,
            std::mem::size_of::<aws_linked_hash_table_node>(),
        ) as *mut aws_linked_hash_table_node;
        let mut element: *mut aws_hash_element = ptr::null_mut();
        let mut was_added = 0;
        if aws_hash_table_create(&mut t.table, key, &mut element, &mut was_added) != AWS_OP_SUCCESS
        {
            aws_mem_release(t.allocator, node.cast());
            return AWS_OP_ERR;
        }
        if !(*element).value.is_null() {
            destroy_node((*element).value);
            if let Some(destroy_key) = t.user_on_key_destroy {
                if (*element).key != key {
                    destroy_key((*element).key as *mut c_void);
                }
            }
            (*element).key = key;
        }
        (*node).value = p_value;
        (*node).key = key;
        (*node).table = table;
        (*element).value = node.cast();
        aws_linked_list_push_back(&mut t.list, &mut (*node).node);
        AWS_OP_SUCCESS
    }
}

#[no_mangle]
pub unsafe extern "C" fn aws_linked_hash_table_remove(
    table: *mut aws_linked_hash_table,
    key: *const c_void,
) -> c_int {
    // SAFETY: an initialised table.
    unsafe { aws_hash_table_remove(&mut (*table).table, key, ptr::null_mut(), ptr::null_mut()) }
}

#[no_mangle]
pub unsafe extern "C" fn aws_linked_hash_table_clear(table: *mut aws_linked_hash_table) {
    // SAFETY: an initialised table.
    unsafe { aws_hash_table_clear(&mut (*table).table) }
}

#[no_mangle]
pub unsafe extern "C" fn aws_linked_hash_table_get_element_count(
    table: *const aws_linked_hash_table,
) -> usize {
    // SAFETY: an initialised table.
    unsafe { aws_hash_table_get_entry_count(&(*table).table) }
}

#[no_mangle]
pub unsafe extern "C" fn aws_linked_hash_table_move_node_to_end_of_list(
    table: *mut aws_linked_hash_table,
    node: *mut aws_linked_hash_table_node,
) {
    // SAFETY: node is linked in this table's list.
    unsafe {
        aws_linked_list_remove(&mut (*node).node);
        aws_linked_list_push_back(&mut (*table).list, &mut (*node).node);
    }
}

#[no_mangle]
pub unsafe extern "C" fn aws_linked_hash_table_get_iteration_list(
    table: *const aws_linked_hash_table,
) -> *const aws_linked_list {
    // SAFETY: only the member's address is taken.
    unsafe { &(*table).list }
}
