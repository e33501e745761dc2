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

/// Heap bytes one input may use at its peak. Decoded messages cost more
/// than their wire bytes: a 4-byte bool header becomes a ~56-byte pending
/// entry plus a ~72-byte `Header`, with Vec doubling on top (measured: ~60x
/// for an input of nothing but such headers, two decodes alive). A buffer
/// sized from a declared length (up to 24 MiB in a prelude, 32 KiB in a
/// header) is far larger than this for the inputs we generate (<= 64 KiB).
pub fn budget(input_len: usize) -> usize {
    64 * input_len + 1024 * 1024
}

/// Bytes currently live on the Rust heap.
pub fn live() -> usize {
    LIVE.load(Ordering::Relaxed)
}

/// Runs `f` (one input) and panics if it leaked Rust heap memory or its peak
/// exceeded `budget(input_len)`. Only meaningful with `Guarded` installed as
/// the global allocator and one thread allocating.
pub fn check(what: &str, input_len: usize, f: impl FnOnce()) {
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
    assert!(
        peak <= budget(input_len),
        "{what}: peak heap {peak} bytes for an input of {input_len} bytes (budget {})",
        budget(input_len)
    );
}
