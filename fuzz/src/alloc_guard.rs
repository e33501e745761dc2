//! A global allocator that counts live and peak heap bytes, so a target can
//! check, per input, that nothing leaked and that heap use stayed in
//! proportion to the input (a decoder allocating from a declared length, up
//! to 24 MiB, would exceed the budget). libFuzzer's own `-malloc_limit_mb`
//! needs sanitizer malloc hooks, which stable Rust cannot build.

use std::alloc::{GlobalAlloc, Layout, System};
use std::sync::atomic::{AtomicUsize, Ordering};

pub struct Guarded;

static LIVE: AtomicUsize = AtomicUsize::new(0);
static PEAK: AtomicUsize = AtomicUsize::new(0);

fn grew(n: usize) {
    let now = LIVE.fetch_add(n, Ordering::Relaxed) + n;
    PEAK.fetch_max(now, Ordering::Relaxed);
}

fn shrank(n: usize) {
    LIVE.fetch_sub(n, Ordering::Relaxed);
}

// SAFETY: every call is forwarded unchanged to `System`; only counters change.
unsafe impl GlobalAlloc for Guarded {
    unsafe fn alloc(&self, layout: Layout) -> *mut u8 {
        // SAFETY: same contract as ours.
        let p = unsafe { System.alloc(layout) };
        if !p.is_null() {
            grew(layout.size());
        }
        p
    }
    unsafe fn alloc_zeroed(&self, layout: Layout) -> *mut u8 {
        // SAFETY: same contract as ours.
        let p = unsafe { System.alloc_zeroed(layout) };
        if !p.is_null() {
            grew(layout.size());
        }
        p
    }
    unsafe fn dealloc(&self, ptr: *mut u8, layout: Layout) {
        shrank(layout.size());
        // SAFETY: `ptr` came from `System` with this layout.
        unsafe { System.dealloc(ptr, layout) }
    }
    unsafe fn realloc(&self, ptr: *mut u8, layout: Layout, new_size: usize) -> *mut u8 {
        // SAFETY: same contract as ours.
        let p = unsafe { System.realloc(ptr, layout, new_size) };
        if !p.is_null() {
            shrank(layout.size());
            grew(new_size);
        }
        p
    }
}

/// Heap bytes one input may use at its peak: `per_byte` times its length
/// plus 1 MiB for fixed-size buffers (the collector reserves at most 64 KiB
/// up front; a header value straddling pumps is at most 32 KiB). A buffer
/// sized from a declared length (up to 24 MiB in a prelude) blows through
/// this for all but the largest inputs.
pub fn budget(input_len: usize, per_byte: usize) -> usize {
    per_byte * input_len + 1024 * 1024
}

/// Bytes currently live on the Rust heap.
pub fn live() -> usize {
    LIVE.load(Ordering::Relaxed)
}

/// Runs `f` (one input) and panics if it leaked Rust heap memory or its peak
/// exceeded `budget(input_len, per_byte)`. Only meaningful with `Guarded`
/// installed as the global allocator and one thread allocating.
pub fn check(what: &str, input_len: usize, per_byte: usize, f: impl FnOnce()) {
    let before = live();
    PEAK.store(before, Ordering::Relaxed);
    f();
    let after = live();
    let peak = PEAK.load(Ordering::Relaxed) - before;
    assert!(
        after <= before,
        "{what}: {} heap bytes still live after one input of {input_len} bytes",
        after - before
    );
    let budget = budget(input_len, per_byte);
    assert!(
        peak <= budget,
        "{what}: peak heap {peak} bytes for an input of {input_len} bytes (budget {budget})"
    );
}
