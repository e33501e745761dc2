//! Managed threads: launched with `AWS_TJS_MANAGED`, never joined by their
//! owner, and joined all together by `aws_thread_join_all_managed`.
//!
//! A thread cannot join itself, so each managed thread, when its function has
//! returned, parks a record of itself in `pending` (upstream's
//! `aws_thread_pending_join_add`) and joins whichever thread parked there
//! before it. `aws_thread_join_all_managed` joins what is left. The unjoined
//! count drops only after a pthread_join, so when it reaches zero every
//! managed thread has truly exited (its thread-locals destroyed too).
//!
//! As upstream, a record is a heap block embedding an `aws_linked_list_node`,
//! so `aws_thread_join_and_free_wrapper_list` can take a C list of them.
use std::sync::{Condvar, Mutex, MutexGuard, PoisonError};
use std::time::{Duration, Instant};

use libc::{c_int, pthread_t};

use crate::common::abi::{aws_linked_list, aws_linked_list_node, AWS_OP_ERR, AWS_OP_SUCCESS};

/// A finished managed thread awaiting its join (upstream's thread wrapper).
#[repr(C)]
struct Finished {
    node: aws_linked_list_node,
    thread: pthread_t,
}

/// The node of a boxed [`Finished`]; owned by whichever list holds it.
struct Record(*mut aws_linked_list_node);
// SAFETY: a record is a heap block handed from the finishing thread to its joiner.
unsafe impl Send for Record {}

struct State {
    /// Launched (or counted by aws_thread_increment_unjoined_count) and not yet joined.
    unjoined: usize,
    /// Finished threads waiting for someone to join them.
    pending: Vec<Record>,
    /// Bound on aws_thread_join_all_managed; 0 means wait forever.
    join_timeout_ns: u64,
}

static STATE: Mutex<State> = Mutex::new(State {
    unjoined: 0,
    pending: Vec::new(),
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

/// Joins the thread of a record and frees the record.
///
/// # Safety
/// `node` is the node of a boxed [`Finished`] that no list holds any more.
unsafe fn join_and_free(node: *mut aws_linked_list_node) {
    // SAFETY: `node` is the first field of a repr(C) Finished made by
    // thread_finished, handed over once; its thread has run to completion and
    // was never detached, so it is joined exactly once.
    unsafe {
        let record = Box::from_raw(node as *mut Finished);
        libc::pthread_join(record.thread, std::ptr::null_mut());
    }
    decrement_unjoined();
}

fn join_finished(records: Vec<Record>) {
    for Record(node) in records {
        // SAFETY: taken out of `pending`, so owned here alone.
        unsafe { join_and_free(node) };
    }
}

/// Called by a managed thread once its function and at-exit callbacks are done.
pub(super) fn thread_finished(me: pthread_t) {
    let record = Box::into_raw(Box::new(Finished {
        node: aws_linked_list_node {
            next: std::ptr::null_mut(),
            prev: std::ptr::null_mut(),
        },
        thread: me,
    }));
    // SAFETY: a fresh record of the calling, finished managed thread.
    unsafe { aws_thread_pending_join_add(record as *mut aws_linked_list_node) };
}

/// Parks a finished managed thread's record for a later join and joins the
/// one parked before it (never the caller: a thread cannot join itself).
///
/// # Safety
/// `node` must be a record made by this library for a managed thread that has
/// finished (upstream's records are private too: no C caller can make one).
#[no_mangle]
pub unsafe extern "C" fn aws_thread_pending_join_add(node: *mut aws_linked_list_node) {
    crate::fatal_precondition!(!node.is_null(), "aws_thread_pending_join_add");
    let earlier = {
        let mut s = state();
        let earlier = std::mem::take(&mut s.pending);
        s.pending.push(Record(node));
        CHANGED.notify_all();
        earlier
    };
    join_finished(earlier);
}

/// Joins the thread of every record on `wrapper_list` and frees the records,
/// leaving the list empty.
///
/// # Safety
/// `wrapper_list` must be an initialised list whose nodes are records taken
/// out of the pending set (as upstream's callers swap it into a local list).
#[no_mangle]
pub unsafe extern "C" fn aws_thread_join_and_free_wrapper_list(wrapper_list: *mut aws_linked_list) {
    crate::fatal_precondition!(
        !wrapper_list.is_null(),
        "aws_thread_join_and_free_wrapper_list"
    );
    // SAFETY: an initialised list of records owned by the caller; each node's
    // successor is read before the node is freed.
    unsafe {
        let head = std::ptr::addr_of_mut!((*wrapper_list).head);
        let tail = std::ptr::addr_of_mut!((*wrapper_list).tail);
        let mut node = (*head).next;
        while node != tail {
            let next = (*node).next;
            join_and_free(node);
            node = next;
        }
        (*head).next = tail;
        (*tail).prev = head;
    }
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
        let ready = std::mem::take(&mut s.pending);
        let all_done = s.unjoined == 0;
        drop(s);
        if !ready.is_empty() {
            join_finished(ready);
        } else if all_done {
            return AWS_OP_SUCCESS;
        } else {
            // The deadline passed with threads still running.
            return AWS_OP_ERR;
        }
    }
}
