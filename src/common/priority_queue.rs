//! `aws_priority_queue`: a binary min-heap (by `pred`) of fixed-size items
//! stored in an `aws_array_list`, with an optional parallel list of
//! back-pointers (`aws_priority_queue_node *`) kept up to date with each item's
//! index so a caller can remove an item from the middle. The list operations
//! are the out-of-line copies of the array-list helpers our header defines.
use std::ffi::c_void;
use std::ptr;

use libc::c_int;

use super::abi::*;
use super::array_list::aws_array_list_swap;
use super::error::raise;
use super::error_codes::*;
use super::inline_c::*;

fn parent(i: usize) -> usize {
    (i - 1) / 2
}

fn has_backpointers(q: &aws_priority_queue) -> bool {
    !q.backpointers.data.is_null()
        || !q.backpointers.alloc.is_null()
        || q.backpointers.item_size != 0
}

/// The back-pointer slot of item `i`.
///
/// # Safety
/// The queue has back-pointers and `i` is below their length.
unsafe fn backpointer(q: &aws_priority_queue, i: usize) -> *mut aws_priority_queue_node {
    // SAFETY: per the contract, slot i exists and holds a node pointer (or NULL).
    unsafe { *(q.backpointers.data as *mut *mut aws_priority_queue_node).add(i) }
}

/// Swaps items (and back-pointers) `a` and `b`, updating the nodes' indexes.
///
/// # Safety
/// `q` is a valid queue and both indexes are below its length.
unsafe fn swap(q: &mut aws_priority_queue, a: usize, b: usize) {
    // SAFETY: both indexes are in range of both lists (contract).
    unsafe {
        aws_array_list_swap(&mut q.container, a, b);
        if has_backpointers(q) {
            let slots = q.backpointers.data as *mut *mut aws_priority_queue_node;
            ptr::swap(slots.add(a), slots.add(b));
            for i in [a, b] {
                let node = *slots.add(i);
                if !node.is_null() {
                    (*node).current_index = i;
                }
            }
        }
    }
}

/// `pred(item a, item b) > 0`: b should sit above a.
///
/// # Safety
/// `q` is a valid queue with a predicate and both indexes are in range.
unsafe fn after(q: &aws_priority_queue, a: usize, b: usize) -> bool {
    // SAFETY: in-range indexes give pointers to items; pred is the caller's comparator.
    unsafe {
        let (mut pa, mut pb) = (ptr::null_mut(), ptr::null_mut());
        aws_array_list_get_at_ptr(&q.container, &mut pa, a);
        aws_array_list_get_at_ptr(&q.container, &mut pb, b);
        let pred = q
            .pred
            .unwrap_or_else(|| crate::ffi::fatal("aws_priority_queue: NULL predicate"));
        pred(pa, pb) > 0
    }
}

/// # Safety
/// `q` is a valid queue and `i` in range.
unsafe fn sift_up(q: &mut aws_priority_queue, mut i: usize) -> bool {
    let mut moved = false;
    // SAFETY: i and its parents are in range.
    unsafe {
        while i > 0 && after(q, parent(i), i) {
            swap(q, i, parent(i));
            i = parent(i);
            moved = true;
        }
    }
    moved
}

/// # Safety
/// `q` is a valid queue and `i` in range.
unsafe fn sift_down(q: &mut aws_priority_queue, mut i: usize) {
    let len = q.container.length;
    // SAFETY: only children below len are compared.
    unsafe {
        loop {
            let mut first = i;
            for child in [2 * i + 1, 2 * i + 2] {
                if child < len && after(q, first, child) {
                    first = child;
                }
            }
            if first == i {
                return;
            }
            swap(q, i, first);
            i = first;
        }
    }
}

/// Copies item `index` into `item` and removes it, marking its node as out of the queue.
///
/// # Safety
/// `q` is a valid queue, `item` holds item_size bytes, `index` is in range.
unsafe fn remove_at(q: &mut aws_priority_queue, item: *mut c_void, index: usize) -> c_int {
    // SAFETY: per the contract.
    unsafe {
        if aws_array_list_get_at(&q.container, item, index) != AWS_OP_SUCCESS {
            return AWS_OP_ERR;
        }
        let last = q.container.length - 1;
        if index != last {
            swap(q, index, last);
        }
        aws_array_list_pop_back(&mut q.container);
        if has_backpointers(q) {
            let node = backpointer(q, last);
            if !node.is_null() {
                (*node).current_index = usize::MAX;
            }
            aws_array_list_pop_back(&mut q.backpointers);
        }
        if index != last && (index == 0 || !sift_up(q, index)) {
            sift_down(q, index);
        }
        AWS_OP_SUCCESS
    }
}

#[no_mangle]
pub unsafe extern "C" fn aws_priority_queue_init_dynamic(
    queue: *mut aws_priority_queue,
    alloc: *mut aws_allocator,
    default_size: usize,
    item_size: usize,
    pred: aws_priority_queue_compare_fn,
) -> c_int {
    crate::fatal_precondition!(
        !queue.is_null() && !alloc.is_null() && item_size > 0,
        "aws_priority_queue_init_dynamic"
    );
    // SAFETY: queue points to writable storage (checked non-NULL).
    unsafe {
        (*queue).pred = pred;
        (*queue).backpointers = std::mem::zeroed();
        aws_array_list_init_dynamic(&mut (*queue).container, alloc, default_size, item_size)
    }
}

#[no_mangle]
pub unsafe extern "C" fn aws_priority_queue_init_static(
    queue: *mut aws_priority_queue,
    heap: *mut c_void,
    item_count: usize,
    item_size: usize,
    pred: aws_priority_queue_compare_fn,
) {
    crate::fatal_precondition!(
        !queue.is_null() && !heap.is_null() && item_count > 0 && item_size > 0,
        "aws_priority_queue_init_static"
    );
    // SAFETY: queue is writable and heap holds item_count items (caller contract).
    unsafe {
        (*queue).pred = pred;
        (*queue).backpointers = std::mem::zeroed();
        aws_array_list_init_static(&mut (*queue).container, heap, item_count, item_size);
    }
}

#[no_mangle]
pub unsafe extern "C" fn aws_priority_queue_clean_up(queue: *mut aws_priority_queue) {
    // SAFETY: queue is an initialised queue.
    unsafe {
        aws_array_list_clean_up(&mut (*queue).container);
        if has_backpointers(&*queue) {
            aws_array_list_clean_up(&mut (*queue).backpointers);
        }
    }
}

#[no_mangle]
pub unsafe extern "C" fn aws_priority_queue_push(
    queue: *mut aws_priority_queue,
    item: *mut c_void,
) -> c_int {
    // SAFETY: forwarded caller contract.
    unsafe { aws_priority_queue_push_ref(queue, item, ptr::null_mut()) }
}

/// Pushes a copy of `item`; a non-NULL `backpointer` is kept at the item's index
/// (the first one turns on back-pointers, which needs a dynamic queue).
#[no_mangle]
pub unsafe extern "C" fn aws_priority_queue_push_ref(
    queue: *mut aws_priority_queue,
    item: *mut c_void,
    backpointer: *mut aws_priority_queue_node,
) -> c_int {
    // SAFETY: queue is initialised and item holds item_size bytes (caller contract).
    unsafe {
        let q = &mut *queue;
        if aws_array_list_push_back(&mut q.container, item) != AWS_OP_SUCCESS {
            return AWS_OP_ERR;
        }
        let index = q.container.length - 1;
        let mut ok = true;
        if !backpointer.is_null() && q.backpointers.alloc.is_null() {
            if q.container.alloc.is_null() {
                raise(AWS_ERROR_UNSUPPORTED_OPERATION);
                ok = false;
            } else if aws_array_list_init_dynamic(
                &mut q.backpointers,
                q.container.alloc,
                index + 1,
                std::mem::size_of::<*mut aws_priority_queue_node>(),
            ) != AWS_OP_SUCCESS
            {
                ok = false;
            } else {
                ptr::write_bytes(
                    q.backpointers.data as *mut u8,
                    0,
                    q.backpointers.current_size,
                );
            }
        }
        if ok && has_backpointers(q) {
            let slot: *const *mut aws_priority_queue_node = &backpointer;
            ok = aws_array_list_set_at(&mut q.backpointers, slot.cast(), index) == AWS_OP_SUCCESS;
        }
        if !ok {
            aws_array_list_pop_back(&mut q.container);
            return AWS_OP_ERR;
        }
        if !backpointer.is_null() {
            (*backpointer).current_index = index;
        }
        sift_up(q, index);
        AWS_OP_SUCCESS
    }
}

#[no_mangle]
pub unsafe extern "C" fn aws_priority_queue_pop(
    queue: *mut aws_priority_queue,
    item: *mut c_void,
) -> c_int {
    // SAFETY: queue is initialised; item holds item_size bytes.
    unsafe {
        if (*queue).container.length == 0 {
            return raise(AWS_ERROR_PRIORITY_QUEUE_EMPTY);
        }
        remove_at(&mut *queue, item, 0)
    }
}

#[no_mangle]
pub unsafe extern "C" fn aws_priority_queue_remove(
    queue: *mut aws_priority_queue,
    item: *mut c_void,
    node: *const aws_priority_queue_node,
) -> c_int {
    // SAFETY: queue is initialised, node a live node; item holds item_size bytes.
    unsafe {
        let q = &mut *queue;
        let index = (*node).current_index;
        if index >= q.container.length || q.backpointers.data.is_null() {
            return raise(AWS_ERROR_PRIORITY_QUEUE_BAD_NODE);
        }
        remove_at(q, item, index)
    }
}

#[no_mangle]
pub unsafe extern "C" fn aws_priority_queue_top(
    queue: *const aws_priority_queue,
    item: *mut *mut c_void,
) -> c_int {
    // SAFETY: queue is initialised; item is writable.
    unsafe {
        if (*queue).container.length == 0 {
            return raise(AWS_ERROR_PRIORITY_QUEUE_EMPTY);
        }
        aws_array_list_get_at_ptr(&(*queue).container, item, 0)
    }
}

#[no_mangle]
pub unsafe extern "C" fn aws_priority_queue_clear(queue: *mut aws_priority_queue) {
    // SAFETY: queue is initialised; back-pointer slots below their length hold nodes or NULL.
    unsafe {
        let q = &mut *queue;
        for i in 0..q.backpointers.length {
            let node = backpointer(q, i);
            if !node.is_null() {
                (*node).current_index = usize::MAX;
            }
        }
        aws_array_list_clear(&mut q.backpointers);
        aws_array_list_clear(&mut q.container);
    }
}

#[no_mangle]
pub unsafe extern "C" fn aws_priority_queue_size(queue: *const aws_priority_queue) -> usize {
    // SAFETY: queue is initialised.
    unsafe { (*queue).container.length }
}

#[no_mangle]
pub unsafe extern "C" fn aws_priority_queue_capacity(queue: *const aws_priority_queue) -> usize {
    // SAFETY: queue is initialised.
    unsafe { aws_array_list_capacity(&(*queue).container) }
}

#[no_mangle]
pub unsafe extern "C" fn aws_priority_queue_node_init(node: *mut aws_priority_queue_node) {
    // SAFETY: node is writable.
    unsafe { (*node).current_index = usize::MAX }
}

#[no_mangle]
pub unsafe extern "C" fn aws_priority_queue_node_is_in_queue(
    node: *const aws_priority_queue_node,
) -> bool {
    // SAFETY: node is a live node.
    unsafe { (*node).current_index != usize::MAX }
}

/// Structural check: a predicate, a valid container and, when present, one back-pointer per item.
#[no_mangle]
pub unsafe extern "C" fn aws_priority_queue_is_valid(queue: *const aws_priority_queue) -> bool {
    // SAFETY: a non-NULL queue is a live struct.
    unsafe {
        let Some(q) = queue.as_ref() else {
            return false;
        };
        let list_ok = |l: &aws_array_list| {
            l.length
                .checked_mul(l.item_size)
                .is_some_and(|b| b <= l.current_size)
        };
        q.pred.is_some()
            && list_ok(&q.container)
            && (!has_backpointers(q)
                || (list_ok(&q.backpointers)
                    && q.backpointers.length == q.container.length
                    && !q.backpointers.data.is_null()))
    }
}
