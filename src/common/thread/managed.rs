//! Managed threads: launched with `AWS_TJS_MANAGED`, never joined by their
//! owner, and joined all together by `aws_thread_join_all_managed`.
//!
//! A thread cannot join itself, so each managed thread, when its function has
//! returned, parks its id in `pending` and joins whichever thread parked there
//! before it. `aws_thread_join_all_managed` joins what is left. The unjoined
//! count drops only after a pthread_join, so when it reaches zero every
//! managed thread has truly exited (its thread-locals destroyed too).
use std::sync::{Condvar, Mutex, MutexGuard, PoisonError};
use std::time::{Duration, Instant};

use libc::{c_int, pthread_t};

use crate::common::abi::{AWS_OP_ERR, AWS_OP_SUCCESS};

struct State {
    /// Launched (or counted by aws_thread_increment_unjoined_count) and not yet joined.
    unjoined: usize,
    /// Finished threads waiting for someone to join them.
    pending: Vec<pthread_t>,
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

fn join_finished(ids: Vec<pthread_t>) {
    for id in ids {
        // SAFETY: each id is a managed thread that has run to completion and
        // was never detached; it appears in exactly one list, so it is joined once.
        unsafe { libc::pthread_join(id, std::ptr::null_mut()) };
        decrement_unjoined();
    }
}

/// Called by a managed thread once its function and at-exit callbacks are done.
pub(super) fn thread_finished(me: pthread_t) {
    let earlier = {
        let mut s = state();
        let earlier = std::mem::take(&mut s.pending);
        s.pending.push(me);
        CHANGED.notify_all();
        earlier
    };
    join_finished(earlier);
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
