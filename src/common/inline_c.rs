//! Rust's view of the out-of-line copies of the C inline helpers
//! (`inline_exports.c`), for Rust code that works on C containers the way C
//! callers do. Kept out of the generated header (cbindgen:ignore in mod.rs).
use std::ffi::c_void;

use libc::c_int;

use super::abi::*;

extern "C" {
    pub fn aws_array_list_init_dynamic(
        l: *mut aws_array_list,
        a: *mut aws_allocator,
        n: usize,
        size: usize,
    ) -> c_int;
    pub fn aws_array_list_init_static(
        l: *mut aws_array_list,
        raw: *mut c_void,
        n: usize,
        size: usize,
    );
    pub fn aws_array_list_clean_up(l: *mut aws_array_list);
    pub fn aws_array_list_clear(l: *mut aws_array_list);
    pub fn aws_array_list_push_back(l: *mut aws_array_list, item: *const c_void) -> c_int;
    pub fn aws_array_list_pop_back(l: *mut aws_array_list) -> c_int;
    pub fn aws_array_list_get_at(l: *const aws_array_list, out: *mut c_void, index: usize)
        -> c_int;
    pub fn aws_array_list_get_at_ptr(
        l: *const aws_array_list,
        out: *mut *mut c_void,
        index: usize,
    ) -> c_int;
    pub fn aws_array_list_set_at(
        l: *mut aws_array_list,
        item: *const c_void,
        index: usize,
    ) -> c_int;
    pub fn aws_array_list_capacity(l: *const aws_array_list) -> usize;
    pub fn aws_linked_list_init(list: *mut aws_linked_list);
    pub fn aws_linked_list_empty(list: *const aws_linked_list) -> bool;
    pub fn aws_linked_list_remove(node: *mut aws_linked_list_node);
    pub fn aws_linked_list_push_back(list: *mut aws_linked_list, node: *mut aws_linked_list_node);
    pub fn aws_linked_list_front(list: *const aws_linked_list) -> *mut aws_linked_list_node;
    pub fn aws_linked_list_back(list: *const aws_linked_list) -> *mut aws_linked_list_node;
}
