//! The tracing allocator (`aws_mem_tracer_*`): wraps another allocator and
//! records every live allocation (size, order and, at AWS_MEMTRACE_STACKS, the
//! call stack) so tests can assert "no leaks" and dump what leaked.
//!
//! Bookkeeping lives in Rust's own heap (upstream uses the default allocator),
//! never in the traced allocator, so it does not count itself.
use std::collections::HashMap;
use std::io::Write;
use std::ptr;
use std::sync::atomic::{AtomicU64, AtomicUsize, Ordering};
use std::sync::Mutex;

use libc::{c_int, c_void};

use super::abi::*;
use super::allocator::{aws_mem_acquire, aws_mem_calloc, aws_mem_realloc, aws_mem_release};
use crate::fatal_precondition;

const LEVEL_NONE: c_int = aws_mem_trace_level::AWS_MEMTRACE_NONE as c_int;
const LEVEL_BYTES: c_int = aws_mem_trace_level::AWS_MEMTRACE_BYTES as c_int;
const LEVEL_STACKS: c_int = aws_mem_trace_level::AWS_MEMTRACE_STACKS as c_int;
/// Upstream's default and cap for frames kept per stack.
const DEFAULT_FRAMES: usize = 8;
const MAX_FRAMES: usize = 128;
/// Frames inside the tracer itself (capture helper, track, vtable entry).
const FRAMES_TO_SKIP: usize = 3;
/// Marks a live `Tracer`, so the query functions can reject other allocators.
const MAGIC: u64 = 0x6d65_6d74_7261_6365;

struct Live {
    size: usize,
    order: u64,
    stack: Vec<usize>,
}

/// `allocator` comes first so the pointer handed to C is the tracer's address.
#[repr(C)]
struct Tracer {
    allocator: aws_allocator,
    magic: u64,
    traced: *mut aws_allocator,
    level: c_int,
    frames: usize,
    bytes: AtomicUsize,
    next_order: AtomicU64,
    live: Mutex<HashMap<usize, Live>>,
}

impl Tracer {
    fn live(&self) -> std::sync::MutexGuard<'_, HashMap<usize, Live>> {
        self.live.lock().unwrap_or_else(|e| e.into_inner())
    }

    fn track(&self, p: *mut c_void, size: usize) {
        if self.level == LEVEL_NONE || p.is_null() {
            return;
        }
        let stack = if self.level == LEVEL_STACKS {
            capture(self.frames)
        } else {
            Vec::new()
        };
        self.bytes.fetch_add(size, Ordering::Relaxed);
        let order = self.next_order.fetch_add(1, Ordering::Relaxed);
        self.live().insert(p as usize, Live { size, order, stack });
    }

    /// Forgets `p`; memory allocated before the tracer existed is simply unknown.
    fn untrack(&self, p: *mut c_void) -> Option<usize> {
        if self.level == LEVEL_NONE || p.is_null() {
            return None;
        }
        let gone = self.live().remove(&(p as usize))?;
        self.bytes.fetch_sub(gone.size, Ordering::Relaxed);
        Some(gone.size)
    }
}

#[cfg(all(target_os = "linux", target_env = "gnu"))]
#[inline(never)]
fn capture(frames: usize) -> Vec<usize> {
    let mut buf = vec![ptr::null_mut::<c_void>(); frames + FRAMES_TO_SKIP];
    // SAFETY: glibc writes at most buf.len() frame addresses.
    let n = unsafe { libc::backtrace(buf.as_mut_ptr(), buf.len() as c_int) }.max(0) as usize;
    // With few frames (inlining, -O3) keep what there is rather than nothing.
    let skip = if n > FRAMES_TO_SKIP {
        FRAMES_TO_SKIP
    } else {
        0
    };
    buf[skip..n].iter().map(|&f| f as usize).collect()
}

#[cfg(not(all(target_os = "linux", target_env = "gnu")))]
fn capture(_frames: usize) -> Vec<usize> {
    Vec::new()
}

/// Whether stacks can be captured here (upstream lowers the level otherwise).
fn stacks_supported() -> bool {
    cfg!(all(target_os = "linux", target_env = "gnu"))
}

/// Symbolised frames, one per line.
#[cfg(all(target_os = "linux", target_env = "gnu"))]
fn symbolise(stack: &[usize]) -> String {
    let frames: Vec<*mut c_void> = stack.iter().map(|&f| f as *mut c_void).collect();
    // SAFETY: glibc returns one malloc'd block of `len` C strings, or NULL.
    unsafe {
        let syms = libc::backtrace_symbols(frames.as_ptr(), frames.len() as c_int);
        if syms.is_null() {
            return stack
                .iter()
                .map(|f| format!("{f:#x}"))
                .collect::<Vec<_>>()
                .join("\n");
        }
        let lines: Vec<String> = (0..frames.len())
            .map(|i| {
                std::ffi::CStr::from_ptr(*syms.add(i))
                    .to_string_lossy()
                    .into_owned()
            })
            .collect();
        libc::free(syms as *mut c_void);
        lines.join("\n")
    }
}

#[cfg(not(all(target_os = "linux", target_env = "gnu")))]
fn symbolise(stack: &[usize]) -> String {
    stack
        .iter()
        .map(|f| format!("{f:#x}"))
        .collect::<Vec<_>>()
        .join("\n")
}

// ---- the allocator vtable ------------------------------------------------------------

unsafe fn tracer<'a>(allocator: *mut aws_allocator) -> &'a Tracer {
    // SAFETY: this fn's caller guarantees its pointer arguments are valid and used on their owning thread.
    unsafe { &*((*allocator).r#impl as *const Tracer) }
}

unsafe extern "C" fn trace_acquire(allocator: *mut aws_allocator, size: usize) -> *mut c_void {
    // SAFETY: C passes pointers valid as the upstream header documents; NULL is checked where upstream checks it.
    unsafe {
        let t = tracer(allocator);
        let p = aws_mem_acquire(t.traced, size);
        t.track(p, size);
        p
    }
}

unsafe extern "C" fn trace_release(allocator: *mut aws_allocator, p: *mut c_void) {
    // SAFETY: C passes pointers valid as the upstream header documents; NULL is checked where upstream checks it.
    unsafe {
        let t = tracer(allocator);
        t.untrack(p);
        aws_mem_release(t.traced, p);
    }
}

unsafe extern "C" fn trace_realloc(
    allocator: *mut aws_allocator,
    p: *mut c_void,
    old: usize,
    new: usize,
) -> *mut c_void {
    // SAFETY: C passes pointers valid as the upstream header documents; NULL is checked where upstream checks it.
    unsafe {
        let t = tracer(allocator);
        // Forget the old block before the realloc so another thread reusing its
        // address cannot collide with our entry.
        t.untrack(p);
        let mut q = p;
        // aws_mem_realloc aborts instead of failing, so the block is now `q`.
        let rc = aws_mem_realloc(t.traced, &mut q, old, new);
        debug_assert_eq!(rc, AWS_OP_SUCCESS);
        t.track(q, new);
        q
    }
}

unsafe extern "C" fn trace_calloc(
    allocator: *mut aws_allocator,
    num: usize,
    size: usize,
) -> *mut c_void {
    // SAFETY: C passes pointers valid as the upstream header documents; NULL is checked where upstream checks it.
    unsafe {
        let t = tracer(allocator);
        let p = aws_mem_calloc(t.traced, num, size);
        t.track(p, num.saturating_mul(size));
        p
    }
}

/// The tracer behind `allocator`, aborting if it is not one of ours.
unsafe fn checked<'a>(allocator: *mut aws_allocator, func: &str) -> &'a Tracer {
    // SAFETY: this fn's caller guarantees its pointer arguments are valid and used on their owning thread.
    unsafe {
        // A tracer's impl points at itself (the allocator is its first field);
        // only then is it safe to read the magic that follows.
        let ours = !allocator.is_null()
            && (*allocator).r#impl == allocator as *mut c_void
            && (*((*allocator).r#impl as *const Tracer)).magic == MAGIC;
        if !ours {
            crate::ffi::fatal(&format!("{func}: not a tracing allocator"));
        }
        tracer(allocator)
    }
}

// ---- C API -------------------------------------------------------------------------

/// Wraps `allocator`. `deprecated` is ignored, as upstream. Levels above
/// STACKS are treated as STACKS.
#[no_mangle]
pub unsafe extern "C" fn aws_mem_tracer_new(
    allocator: *mut aws_allocator,
    deprecated: *mut aws_allocator,
    level: enum_aws_mem_trace_level,
    frames_per_stack: usize,
) -> *mut aws_allocator {
    // SAFETY: C passes pointers valid as the upstream header documents; NULL is checked where upstream checks it.
    unsafe {
        let _ = deprecated;
        fatal_precondition!(!allocator.is_null(), "aws_mem_tracer_new");
        let mut level = level.clamp(LEVEL_NONE, LEVEL_STACKS);
        if level == LEVEL_STACKS && !stacks_supported() {
            level = LEVEL_BYTES;
        }
        let frames = match frames_per_stack {
            0 => DEFAULT_FRAMES,
            n => n.min(MAX_FRAMES),
        };
        let t = Box::into_raw(Box::new(Tracer {
            allocator: aws_allocator {
                mem_acquire: Some(trace_acquire),
                mem_release: Some(trace_release),
                mem_realloc: Some(trace_realloc),
                mem_calloc: Some(trace_calloc),
                r#impl: ptr::null_mut(),
            },
            magic: MAGIC,
            traced: allocator,
            level,
            frames,
            bytes: AtomicUsize::new(0),
            next_order: AtomicU64::new(0),
            live: Mutex::new(HashMap::new()),
        }));
        (*t).allocator.r#impl = t as *mut c_void;
        ptr::addr_of_mut!((*t).allocator)
    }
}

/// Frees the tracer (not the allocations it saw) and returns the wrapped allocator.
#[no_mangle]
pub unsafe extern "C" fn aws_mem_tracer_destroy(
    trace_allocator: *mut aws_allocator,
) -> *mut aws_allocator {
    // SAFETY: C passes pointers valid as the upstream header documents; NULL is checked where upstream checks it.
    unsafe {
        let t = checked(trace_allocator, "aws_mem_tracer_destroy") as *const Tracer as *mut Tracer;
        let traced = (*t).traced;
        // Make a use after destroy fail the check rather than read freed state.
        (*t).magic = 0;
        drop(Box::from_raw(t));
        traced
    }
}

/// Bytes currently allocated through the tracer (0 at AWS_MEMTRACE_NONE).
#[no_mangle]
pub unsafe extern "C" fn aws_mem_tracer_bytes(trace_allocator: *mut aws_allocator) -> usize {
    // SAFETY: C passes pointers valid as the upstream header documents; NULL is checked where upstream checks it.
    unsafe {
        let t = checked(trace_allocator, "aws_mem_tracer_bytes");
        if t.level == LEVEL_NONE {
            return 0;
        }
        t.bytes.load(Ordering::Relaxed)
    }
}

/// Live allocations made through the tracer (0 at AWS_MEMTRACE_NONE).
#[no_mangle]
pub unsafe extern "C" fn aws_mem_tracer_count(trace_allocator: *mut aws_allocator) -> usize {
    // SAFETY: C passes pointers valid as the upstream header documents; NULL is checked where upstream checks it.
    unsafe {
        let t = checked(trace_allocator, "aws_mem_tracer_count");
        if t.level == LEVEL_NONE {
            return 0;
        }
        t.live().len()
    }
}

/// Prints every live allocation, oldest first, with its stack when captured,
/// to stderr. Nothing is printed when nothing is live.
#[no_mangle]
pub unsafe extern "C" fn aws_mem_tracer_dump(trace_allocator: *mut aws_allocator) {
    // SAFETY: C passes pointers valid as the upstream header documents; NULL is checked where upstream checks it.
    unsafe {
        let t = checked(trace_allocator, "aws_mem_tracer_dump");
        if t.level == LEVEL_NONE || t.bytes.load(Ordering::Relaxed) == 0 {
            return;
        }
        let _ = std::io::stderr().write_all(dump_text(t).as_bytes());
    }
}

fn dump_text(t: &Tracer) -> String {
    let live = t.live();
    let mut allocs: Vec<&Live> = live.values().collect();
    allocs.sort_by_key(|a| a.order);
    let total: usize = allocs.iter().map(|a| a.size).sum();
    let rule = "#".repeat(80);
    let mut out = format!("{rule}\n#  BEGIN MEMTRACE DUMP\n{rule}\n");
    out += &format!(
        "tracer: {total} bytes still allocated in {} allocations\n",
        allocs.len()
    );
    out += "Leaks in order of allocation:\n";
    for a in &allocs {
        if a.stack.is_empty() {
            out += &format!("ALLOC {} bytes\n", a.size);
        } else {
            out += &format!(
                "ALLOC {} bytes, stacktrace:\n{}\n",
                a.size,
                symbolise(&a.stack)
            );
        }
    }
    out += &format!("{rule}\n#  END MEMTRACE DUMP\n{rule}\n");
    out
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::common::allocator::default_allocator;

    #[test]
    fn counts_bytes_realloc_and_leaks() {
        // SAFETY: every block is released through the tracer before destroy.
        unsafe {
            for level in [LEVEL_BYTES, LEVEL_STACKS] {
                let a = aws_mem_tracer_new(default_allocator(), ptr::null_mut(), level, 0);
                let p = aws_mem_acquire(a, 100);
                let q = aws_mem_calloc(a, 3, 10);
                assert_eq!((aws_mem_tracer_count(a), aws_mem_tracer_bytes(a)), (2, 130));
                let mut r = p;
                assert_eq!(aws_mem_realloc(a, &mut r, 100, 1000), 0);
                assert_eq!(
                    (aws_mem_tracer_count(a), aws_mem_tracer_bytes(a)),
                    (2, 1030)
                );
                let text = dump_text(tracer(a));
                assert!(
                    text.contains("1030 bytes still allocated in 2 allocations"),
                    "{text}"
                );
                assert!(text.contains("ALLOC 1000 bytes"), "{text}");
                if level == LEVEL_STACKS {
                    assert!(text.contains("stacktrace:"), "{text}");
                }
                aws_mem_release(a, r);
                aws_mem_release(a, q);
                assert_eq!((aws_mem_tracer_count(a), aws_mem_tracer_bytes(a)), (0, 0));
                assert_eq!(aws_mem_tracer_destroy(a), default_allocator());
            }
            let none = aws_mem_tracer_new(default_allocator(), ptr::null_mut(), LEVEL_NONE, 0);
            let p = aws_mem_acquire(none, 8);
            assert_eq!(
                (aws_mem_tracer_count(none), aws_mem_tracer_bytes(none)),
                (0, 0)
            );
            aws_mem_release(none, p);
            aws_mem_tracer_destroy(none);
        }
    }
}
