//! `aws_ring_buffer`: a single-producer / single-consumer pool that vends
//! contiguous slices of one allocation. `head` is where the next slice starts,
//! `tail` the start of the oldest one still out; head == tail means nothing is
//! vended. The planning is plain arithmetic on offsets (`plan`); the shims
//! only turn offsets into pointers and publish them through the atomics.
use std::ptr;
use std::sync::atomic::{AtomicPtr, Ordering};

use libc::c_int;

use super::abi::*;
use super::allocator::{aws_mem_acquire, aws_mem_release};
use super::error::raise;
use super::error_codes::*;

/// Where a request of `min..=want` bytes goes in a ring of `cap` bytes with
/// the given head and tail offsets: `(start, len)`, or None when it does not fit.
/// One byte stays free between a wrapped head and the tail so that full and
/// empty never look alike.
fn plan(cap: usize, head: usize, tail: usize, min: usize, want: usize) -> Option<(usize, usize)> {
    if head == tail {
        let len = want.min(cap);
        return (len >= min).then_some((0, len));
    }
    if tail > head {
        let len = want.min(tail - head - 1);
        return (len >= min).then_some((head, len));
    }
    let head_space = cap - head;
    let tail_space = tail;
    if head_space >= want {
        return Some((head, want));
    }
    if tail_space > want {
        return Some((0, want));
    }
    if head_space >= min && head_space >= tail_space {
        return Some((head, head_space));
    }
    if tail_space > min {
        return Some((0, tail_space - 1));
    }
    None
}

/// The atomics of `aws_atomic_var` seen as an `AtomicPtr`.
///
/// # Safety
/// `var` must point to a live, suitably aligned `aws_atomic_var`.
unsafe fn atomic<'a>(var: *const aws_atomic_var) -> &'a AtomicPtr<u8> {
    // SAFETY: aws_atomic_var is one pointer-sized, pointer-aligned word, which is AtomicPtr's layout.
    unsafe { &*(var as *const AtomicPtr<u8>) }
}

/// Vends `min..=want` bytes into `dest` (exactly `want` when `min == want`).
///
/// # Safety
/// `ring` and `dest` are valid pointers to an initialised ring buffer and a byte buffer.
unsafe fn acquire(
    ring: *mut aws_ring_buffer,
    min: usize,
    want: usize,
    dest: *mut aws_byte_buf,
) -> c_int {
    // SAFETY: the caller passes valid pointers (see above); offsets stay within the allocation.
    unsafe {
        let r = &*ring;
        let base = r.allocation;
        let cap = if r.allocation_end.is_null() {
            0
        } else {
            r.allocation_end.offset_from(base) as usize
        };
        let tail = atomic(&r.tail).load(Ordering::Acquire);
        let head = atomic(&r.head).load(Ordering::Relaxed);
        let (head_off, tail_off) = if base.is_null() {
            (0, 0)
        } else {
            (
                head.offset_from(base) as usize,
                tail.offset_from(base) as usize,
            )
        };
        let Some((start, len)) = plan(cap, head_off, tail_off, min, want) else {
            return raise(AWS_ERROR_OOM);
        };
        if head_off == tail_off {
            atomic(&r.tail).store(base, Ordering::Release);
        }
        atomic(&r.head).store(base.add(start + len), Ordering::Relaxed);
        *dest = aws_byte_buf {
            len: 0,
            buffer: base.add(start),
            capacity: len,
            allocator: ptr::null_mut(),
        };
        AWS_OP_SUCCESS
    }
}

#[no_mangle]
pub unsafe extern "C" fn aws_ring_buffer_init(
    ring_buf: *mut aws_ring_buffer,
    allocator: *mut aws_allocator,
    size: usize,
) -> c_int {
    // SAFETY: ring_buf points to writable storage for a ring buffer (upstream's contract).
    unsafe {
        ring_buf.write(std::mem::zeroed());
        let allocation = aws_mem_acquire(allocator, size) as *mut u8;
        if allocation.is_null() {
            return AWS_OP_ERR;
        }
        let r = &mut *ring_buf;
        r.allocator = allocator;
        r.allocation = allocation;
        r.head.value = allocation.cast();
        r.tail.value = allocation.cast();
        r.allocation_end = allocation.add(size);
        AWS_OP_SUCCESS
    }
}

#[no_mangle]
pub unsafe extern "C" fn aws_ring_buffer_clean_up(ring_buf: *mut aws_ring_buffer) {
    // SAFETY: ring_buf is an initialised (or zeroed) ring buffer.
    unsafe {
        if !(*ring_buf).allocation.is_null() {
            aws_mem_release((*ring_buf).allocator, (*ring_buf).allocation.cast());
        }
        ring_buf.write(std::mem::zeroed());
    }
}

#[no_mangle]
pub unsafe extern "C" fn aws_ring_buffer_acquire(
    ring_buf: *mut aws_ring_buffer,
    requested_size: usize,
    dest: *mut aws_byte_buf,
) -> c_int {
    if requested_size == 0 || ring_buf.is_null() || dest.is_null() {
        return raise(AWS_ERROR_INVALID_ARGUMENT);
    }
    // SAFETY: both pointers are non-NULL and, per the contract, valid.
    unsafe { acquire(ring_buf, requested_size, requested_size, dest) }
}

#[no_mangle]
pub unsafe extern "C" fn aws_ring_buffer_acquire_up_to(
    ring_buf: *mut aws_ring_buffer,
    minimum_size: usize,
    requested_size: usize,
    dest: *mut aws_byte_buf,
) -> c_int {
    if requested_size == 0 || minimum_size == 0 || ring_buf.is_null() || dest.is_null() {
        return raise(AWS_ERROR_INVALID_ARGUMENT);
    }
    // SAFETY: both pointers are non-NULL and, per the contract, valid.
    unsafe { acquire(ring_buf, minimum_size, requested_size, dest) }
}

/// Returns everything up to the end of `buf` to the pool (buffers come back in the order they were vended).
#[no_mangle]
pub unsafe extern "C" fn aws_ring_buffer_release(
    ring_buffer: *mut aws_ring_buffer,
    buf: *mut aws_byte_buf,
) {
    // SAFETY: buf was vended by this ring, so buffer + capacity lies within its allocation.
    unsafe {
        let end = (*buf).buffer.add((*buf).capacity);
        atomic(&(*ring_buffer).tail).store(end, Ordering::Release);
        buf.write(std::mem::zeroed());
    }
}

#[no_mangle]
pub unsafe extern "C" fn aws_ring_buffer_buf_belongs_to_pool(
    ring_buffer: *const aws_ring_buffer,
    buf: *const aws_byte_buf,
) -> bool {
    // SAFETY: both point to live structs; only addresses are compared.
    unsafe {
        let (r, b) = (&*ring_buffer, &*buf);
        let start = b.buffer as usize;
        !b.buffer.is_null()
            && !r.allocation.is_null()
            && !r.allocation_end.is_null()
            && start >= r.allocation as usize
            && start
                .checked_add(b.capacity)
                .is_some_and(|end| end <= r.allocation_end as usize)
    }
}

#[cfg(test)]
mod tests {
    use super::plan;

    #[test]
    fn plans_like_upstream() {
        assert_eq!(plan(16, 0, 0, 4, 4), Some((0, 4)));
        assert_eq!(plan(16, 0, 0, 1, 32), Some((0, 16)));
        assert_eq!(plan(16, 4, 8, 1, 8), Some((4, 3)));
        assert_eq!(plan(16, 12, 8, 4, 4), Some((12, 4)));
        assert_eq!(plan(16, 14, 8, 4, 4), Some((0, 4)));
        assert_eq!(plan(16, 14, 2, 4, 4), None);
    }
}
