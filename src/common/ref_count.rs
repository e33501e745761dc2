//! The one reference count. [`RefCount`] is the counter every ref-counted
//! handle uses (host resolver, bootstraps, event-loop group, channel holds,
//! sockets, futures, RPC connections and continuations); upstream's public
//! `struct aws_ref_count` (embedded in some public structs) is a `RefCount`
//! plus the object and its on-zero callback, and its C functions are here too.
//!
//! Thread-safe: acquire is a relaxed increment, release an acquire-release
//! decrement, so whoever sees the count reach zero sees every write made
//! before the other releases. Releasing below zero is a fatal error, as
//! upstream's assert.
use std::sync::atomic::{AtomicUsize, Ordering};

use libc::c_void;

use super::abi::*;
use crate::fatal_precondition;

/// A thread-safe count of references, starting at the count its owner gives.
/// `repr(transparent)` over one word, the layout of `aws_atomic_var`.
#[repr(transparent)]
#[derive(Debug)]
pub struct RefCount(AtomicUsize);

impl RefCount {
    pub const fn new(initial: usize) -> Self {
        RefCount(AtomicUsize::new(initial))
    }

    /// Adds a reference. `who` names the API for the message if the object
    /// was already gone (count 0), which is a use-after-free upstream.
    pub fn acquire(&self, who: &str) {
        let before = self.0.fetch_add(1, Ordering::Relaxed);
        if before == 0 {
            crate::ffi::fatal(&format!(
                "{who}: acquired an object whose last reference is gone"
            ));
        }
    }

    /// Drops a reference; true when it was the last one (the caller then
    /// destroys the object).
    #[must_use]
    pub fn release(&self, who: &str) -> bool {
        let before = self.0.fetch_sub(1, Ordering::AcqRel);
        if before == 0 {
            crate::ffi::fatal(&format!("{who}: reference count released below zero"));
        }
        before == 1
    }

    pub fn get(&self) -> usize {
        self.0.load(Ordering::Acquire)
    }

    /// The counter inside an `aws_atomic_var`.
    pub fn of_atomic_var(var: &aws_atomic_var) -> &RefCount {
        // SAFETY: aws_atomic_var is one pointer-sized word, the layout of
        // RefCount (transparent over AtomicUsize); every access is atomic.
        unsafe { &*(var as *const aws_atomic_var as *const RefCount) }
    }
}

impl aws_ref_count {
    /// Count one, with `on_zero(object)` to run when the last reference goes.
    pub fn init(&mut self, object: *mut c_void, on_zero: aws_simple_completion_callback) {
        self.ref_count.value = std::ptr::without_provenance_mut(1);
        self.object = object;
        self.on_zero_fn = on_zero;
    }

    pub fn count(&self) -> &RefCount {
        RefCount::of_atomic_var(&self.ref_count)
    }

    /// Drops a reference and runs `on_zero` if it was the last; returns
    /// whether it was.
    ///
    /// # Safety
    /// `on_zero` may free the struct holding `self`: don't touch it after a
    /// `true`.
    pub unsafe fn release_and_notify(&self, who: &str) -> bool {
        if !self.count().release(who) {
            return false;
        }
        if let Some(on_zero) = self.on_zero_fn {
            // SAFETY: the owner's destructor, with the object it registered.
            unsafe { on_zero(self.object) };
        }
        true
    }
}

// ---- C API (aws/common/ref_count.h) ---------------------------------------------------

#[no_mangle]
pub unsafe extern "C" fn aws_ref_count_init(
    ref_count: *mut aws_ref_count,
    object: *mut c_void,
    on_zero_fn: aws_simple_completion_callback,
) {
    fatal_precondition!(!ref_count.is_null(), "aws_ref_count_init");
    // SAFETY: checked non-NULL; C owns the struct.
    unsafe { (*ref_count).init(object, on_zero_fn) }
}

/// Returns the object, as upstream does.
#[no_mangle]
pub unsafe extern "C" fn aws_ref_count_acquire(ref_count: *mut aws_ref_count) -> *mut c_void {
    fatal_precondition!(!ref_count.is_null(), "aws_ref_count_acquire");
    // SAFETY: checked non-NULL; a live ref count.
    unsafe {
        (*ref_count).count().acquire("aws_ref_count_acquire");
        (*ref_count).object
    }
}

/// Returns the count left (0: `on_zero_fn` has run).
#[no_mangle]
pub unsafe extern "C" fn aws_ref_count_release(ref_count: *mut aws_ref_count) -> usize {
    fatal_precondition!(!ref_count.is_null(), "aws_ref_count_release");
    // SAFETY: checked non-NULL; after the last release the struct may be gone,
    // so the count left is computed before notifying.
    unsafe {
        let rc = &*ref_count;
        let left = rc.count().get().saturating_sub(1);
        if rc.release_and_notify("aws_ref_count_release") {
            0
        } else {
            left
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::sync::Arc;

    #[test]
    fn last_release_is_seen_once_across_threads() {
        let rc = Arc::new(RefCount::new(1));
        let last = Arc::new(AtomicUsize::new(0));
        let threads: Vec<_> = (0..4)
            .map(|_| {
                let (rc, last) = (rc.clone(), last.clone());
                std::thread::spawn(move || {
                    for _ in 0..1000 {
                        rc.acquire("test");
                        if rc.release("test") {
                            last.fetch_add(1, Ordering::Relaxed);
                        }
                    }
                })
            })
            .collect();
        for t in threads {
            t.join().unwrap();
        }
        assert_eq!(rc.get(), 1);
        assert!(rc.release("test"));
        assert_eq!(last.load(Ordering::Relaxed), 0);
    }

    #[test]
    fn c_ref_count_runs_on_zero_with_its_object() {
        static mut SEEN: *mut c_void = std::ptr::null_mut();
        unsafe extern "C" fn on_zero(object: *mut c_void) {
            // SAFETY: test-only static, one thread.
            unsafe { SEEN = object }
        }
        // SAFETY: aws_ref_count is plain C data.
        let mut rc: aws_ref_count = unsafe { std::mem::zeroed() };
        let object = 0x1234usize as *mut c_void;
        // SAFETY: a local struct; on_zero only records its argument.
        unsafe {
            aws_ref_count_init(&mut rc, object, Some(on_zero));
            assert_eq!(aws_ref_count_acquire(&mut rc), object);
            assert_eq!(aws_ref_count_release(&mut rc), 1);
            assert!(std::ptr::addr_of!(SEEN).read().is_null());
            assert_eq!(aws_ref_count_release(&mut rc), 0);
            assert_eq!(std::ptr::addr_of!(SEEN).read(), object);
        }
    }
}
