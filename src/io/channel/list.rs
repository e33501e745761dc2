//! The few intrusive `aws_linked_list` operations the channel needs. The list
//! layout (head/tail sentinels) is upstream's, so C code walking a task's
//! `node` sees a consistent list.
use std::ptr::{addr_of, addr_of_mut, null_mut};

use crate::common::abi::{aws_linked_list, aws_linked_list_node};

/// # Safety
/// `list` must be writable and must not move while nodes are linked into it.
pub unsafe fn init(list: *mut aws_linked_list) {
    // SAFETY: the caller owns `list`.
    unsafe {
        (*list).head.prev = null_mut();
        (*list).head.next = addr_of_mut!((*list).tail);
        (*list).tail.prev = addr_of_mut!((*list).head);
        (*list).tail.next = null_mut();
    }
}

/// # Safety
/// `list` must be initialised.
pub unsafe fn is_empty(list: *const aws_linked_list) -> bool {
    // SAFETY: an initialised list's head points at a live node or the tail.
    unsafe { (*list).head.next as *const aws_linked_list_node == addr_of!((*list).tail) }
}

/// # Safety
/// `list` must be initialised and `node` not linked anywhere.
pub unsafe fn push_back(list: *mut aws_linked_list, node: *mut aws_linked_list_node) {
    // SAFETY: sentinels and neighbours are live nodes of an initialised list.
    unsafe {
        let tail = addr_of_mut!((*list).tail);
        let last = (*tail).prev;
        (*node).prev = last;
        (*node).next = tail;
        (*last).next = node;
        (*tail).prev = node;
    }
}

/// Unlinks `node` and resets it; a reset (unlinked) node is left alone.
///
/// # Safety
/// `node` must be reset or linked into a live list.
pub unsafe fn remove(node: *mut aws_linked_list_node) {
    // SAFETY: a linked node's neighbours are live nodes of the same list.
    unsafe {
        if (*node).next.is_null() || (*node).prev.is_null() {
            return;
        }
        (*(*node).prev).next = (*node).next;
        (*(*node).next).prev = (*node).prev;
        (*node).next = null_mut();
        (*node).prev = null_mut();
    }
}

/// # Safety
/// `list` must be initialised and non-empty.
pub unsafe fn front(list: *mut aws_linked_list) -> *mut aws_linked_list_node {
    // SAFETY: a non-empty list's head.next is its first element.
    unsafe { (*list).head.next }
}

/// # Safety
/// `list` must be initialised and non-empty.
pub unsafe fn pop_front(list: *mut aws_linked_list) -> *mut aws_linked_list_node {
    // SAFETY: as for `front`; `remove` unlinks it.
    unsafe {
        let node = front(list);
        remove(node);
        node
    }
}

/// Moves every node of `from` to the end of `to` (which may be non-empty).
///
/// # Safety
/// Both lists must be initialised.
pub unsafe fn move_all_back(to: *mut aws_linked_list, from: *mut aws_linked_list) {
    // SAFETY: both lists are initialised; each node is moved exactly once.
    unsafe {
        while !is_empty(from) {
            let node = pop_front(from);
            push_back(to, node);
        }
    }
}

/// Resets a node to the unlinked state.
///
/// # Safety
/// `node` must be writable.
pub unsafe fn node_reset(node: *mut aws_linked_list_node) {
    // SAFETY: the caller owns `node`.
    unsafe {
        (*node).next = null_mut();
        (*node).prev = null_mut();
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn push_pop_remove() {
        let mut list: Box<aws_linked_list> = Box::new(unsafe { std::mem::zeroed() });
        let mut nodes: Vec<aws_linked_list_node> =
            (0..3).map(|_| unsafe { std::mem::zeroed() }).collect();
        // SAFETY: the list is boxed and the nodes vector is never resized while linked.
        unsafe {
            let l = &mut *list as *mut aws_linked_list;
            init(l);
            assert!(is_empty(l));
            for n in nodes.iter_mut() {
                push_back(l, n);
            }
            remove(&mut nodes[1]);
            remove(&mut nodes[1]); // a reset node is ignored
            assert_eq!(pop_front(l), &mut nodes[0] as *mut _);
            assert_eq!(pop_front(l), &mut nodes[2] as *mut _);
            assert!(is_empty(l));
        }
    }
}
