//! Managed threads: launched with `AWS_TJS_MANAGED`, never joined by their
//! owner, and joined all together by `aws_thread_join_all_managed`.
//!
//! A thread cannot join itself, so each managed thread, when its function has
//! returned, parks a join wrapper in `pending` (`aws_thread_pending_join_add`)
//! and joins whichever thread parked there before it
//! (`aws_thread_join_and_free_wrapper_list`). `aws_thread_join_all_managed`
//! joins what is left. The unjoined count drops only after a pthread_join, so
//! when it reaches zero every managed thread has truly exited (its
//! thread-locals destroyed too).
use std::sync::{Condvar, Mutex, MutexGuard, PoisonError};
use std::time::{Duration, Instant};

use libc::{c_int, pthread_t};

use crate::common::abi::{aws_linked_list, aws_linked_list_node, AWS_OP_ERR, AWS_OP_SUCCESS};

/// A finished managed thread waiting to be joined. As upstream's thread
/// wrapper, it starts with the node its join list links.
#[repr(C)]
struct JoinWrapper {
    node: aws_linked_list_node,
    thread: pthread_t,
}

struct State {
    /// Launched (or counted by aws_thread_increment_unjoined_count) and not yet joined.
    unjoined: usize,
    /// Finished threads waiting for someone to join them (JoinWrapper addresses).
    pending: Vec<usize>,
    /// Wrappers made by a finishing thread and not parked yet.
    unparked: Vec<usize>,
    /// Wrappers taken out of `pending` by a thread about to join them.
    taken: Vec<usize>,
    /// Bound on aws_thread_join_all_managed; 0 means wait forever.
    join_timeout_ns: u64,
}

static STATE: Mutex<State> = Mutex::new(State {
    unjoined: 0,
    pending: Vec::new(),
    unparked: Vec::new(),
    taken: Vec::new(),
    join_timeout_ns: 0,
});
/// Signalled whenever `unjoined` drops or `pending` grows.
static CHANGED: Condvar = Condvar::new();

fn state() -> MutexGuard<'static, State> {
    STATE.lock().unwrap_or_else(PoisonError::into_inner)
}

pub(super) fn increment_unjoined() {
    state().unjoined += 1;
}

pub(super) fn decrement_unjoined() {
    let mut s = state();
    s.unjoined = s.unjoined.saturating_sub(1);
    CHANGED.notify_all();
}

/// Removes `w` from `set`; false if it was not there.
fn remove(set: &mut Vec<usize>, w: usize) -> bool {
    let before = set.len();
    set.retain(|&x| x != w);
    set.len() != before
}

/// Takes everything parked so far, for the caller to join.
fn take_pending(s: &mut State) -> Vec<usize> {
    let taken = std::mem::take(&mut s.pending);
    s.taken.extend_from_slice(&taken);
    taken
}

/// Joins each claimed wrapper's thread (the caller removed it from `taken`,
/// so it is the only owner), frees the wrapper and drops the unjoined count.
fn join_claimed(wrappers: Vec<usize>) {
    for w in wrappers {
        let wrapper = w as *mut JoinWrapper;
        // SAFETY: `w` came from Box::into_raw in thread_finished; its thread has
        // run to completion and was never detached; claiming it made this call
        // its only owner, so it is joined and freed once.
        unsafe {
            libc::pthread_join((*wrapper).thread, std::ptr::null_mut());
            drop(Box::from_raw(wrapper));
        }
        decrement_unjoined();
    }
}

/// Claims and joins wrappers this thread took out of `pending` (skipping any
/// a C caller of aws_thread_join_and_free_wrapper_list claimed first).
fn join_taken(wrappers: Vec<usize>) {
    let claimed = {
        let mut s = state();
        wrappers
            .into_iter()
            .filter(|&w| remove(&mut s.taken, w))
            .collect()
    };
    join_claimed(claimed);
}

/// Called by a managed thread once its function and at-exit callbacks are done.
pub(super) fn thread_finished(me: pthread_t) {
    let wrapper = Box::into_raw(Box::new(JoinWrapper {
        node: aws_linked_list_node {
            next: std::ptr::null_mut(),
            prev: std::ptr::null_mut(),
        },
        thread: me,
    }));
    state().unparked.push(wrapper as usize);
    aws_thread_pending_join_add(wrapper as *mut aws_linked_list_node);
}

/// Parks a finished managed thread (the node of its join wrapper) and joins
/// the ones parked before it. Only this library's finishing threads have such
/// a node; any other aborts.
#[no_mangle]
pub extern "C" fn aws_thread_pending_join_add(node: *mut aws_linked_list_node) {
    let earlier = {
        let mut s = state();
        if !remove(&mut s.unparked, node as usize) {
            drop(s);
            crate::ffi::fatal(
                "aws_thread_pending_join_add: not the node of a finishing managed thread",
            );
        }
        let earlier = take_pending(&mut s);
        s.pending.push(node as usize);
        CHANGED.notify_all();
        earlier
    };
    join_taken(earlier);
}

/// Joins and frees every wrapper linked in `wrapper_list`: nodes of finished
/// managed threads taken out of the pending set by the caller, as upstream's
/// callers do. The nodes are freed, so the list must not be used afterwards.
/// Any other node aborts.
#[no_mangle]
pub unsafe extern "C" fn aws_thread_join_and_free_wrapper_list(wrapper_list: *mut aws_linked_list) {
    crate::fatal_precondition!(
        !wrapper_list.is_null(),
        "aws_thread_join_and_free_wrapper_list"
    );
    let mut wrappers = Vec::new();
    {
        let mut s = state();
        // SAFETY: C passes an initialized list. Each node is claimed (taken out of
        // `taken` under the lock) before its `next` is read, so no other thread
        // frees it meanwhile.
        unsafe {
            let end = std::ptr::addr_of_mut!((*wrapper_list).tail);
            let mut node = (*wrapper_list).head.next;
            while node != end {
                if !remove(&mut s.taken, node as usize) {
                    drop(s);
                    crate::ffi::fatal(
                        "aws_thread_join_and_free_wrapper_list: not the node of a finished managed thread",
                    );
                }
                wrappers.push(node as usize);
                node = (*node).next;
            }
        }
    }
    join_claimed(wrappers);
}

/// Number of managed threads not yet joined.
#[no_mangle]
pub extern "C" fn aws_thread_get_managed_thread_count() -> usize {
    state().unjoined
}

#[no_mangle]
pub extern "C" fn aws_thread_increment_unjoined_count() {
    increment_unjoined();
}

#[no_mangle]
pub extern "C" fn aws_thread_decrement_unjoined_count() {
    decrement_unjoined();
}

/// Nothing to set up: the state is statically initialised. Kept for callers
/// of upstream's library-init hook.
#[no_mangle]
pub extern "C" fn aws_thread_initialize_thread_management() {}

#[no_mangle]
pub extern "C" fn aws_thread_set_managed_join_timeout_ns(timeout_in_ns: u64) {
    state().join_timeout_ns = timeout_in_ns;
}

/// Waits for every managed thread to finish and joins it. With a timeout set
/// (aws_thread_set_managed_join_timeout_ns), gives up after it and returns
/// AWS_OP_ERR without raising an error, as upstream; threads still running
/// stay counted and a later call can join them. Must not be called from a
/// managed thread (it would wait for itself).
#[no_mangle]
pub extern "C" fn aws_thread_join_all_managed() -> c_int {
    let timeout = state().join_timeout_ns;
    let deadline = (timeout > 0).then(|| Instant::now() + Duration::from_nanos(timeout));
    loop {
        let mut s = state();
        // Progress is possible once a finished thread is parked or none is left.
        while s.unjoined > 0 && s.pending.is_empty() {
            s = match deadline {
                None => CHANGED.wait(s).unwrap_or_else(PoisonError::into_inner),
                Some(d) => {
                    let now = Instant::now();
                    if now >= d {
                        break;
                    }
                    CHANGED
                        .wait_timeout(s, d - now)
                        .unwrap_or_else(PoisonError::into_inner)
                        .0
                }
            };
        }
        let ready = take_pending(&mut s);
        let all_done = s.unjoined == 0;
        drop(s);
        if !ready.is_empty() {
            join_taken(ready);
        } else if all_done {
            return AWS_OP_SUCCESS;
        } else {
            // The deadline passed with threads still running.
            return AWS_OP_ERR;
        }
    }
}
