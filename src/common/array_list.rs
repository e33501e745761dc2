//! The out-of-line `aws_array_list` functions (the inline ones live in
//! `include/aws/common/array_list.h`). A list is dynamic when `alloc` is set;
//! `current_size` is its capacity in bytes.
use std::ptr;

use libc::c_int;

use super::abi::*;
use super::allocator::{aws_mem_acquire, aws_mem_release};
use super::error::raise;
use super::error_codes::*;
use crate::fatal_precondition;

/// Bytes needed to hold `index + 1` items.
fn bytes_for_index(list: &aws_array_list, index: usize) -> Option<usize> {
    index.checked_add(1)?.checked_mul(list.item_size)
}

/// Grows a dynamic list so `index` is addressable: to double the capacity, or
/// to exactly what is needed if that is more.
#[no_mangle]
pub unsafe extern "C" fn aws_array_list_ensure_capacity(
    list: *mut aws_array_list,
    index: usize,
) -> c_int {
    // SAFETY: C passes pointers valid as the upstream header documents; NULL is checked where upstream checks it.
    unsafe {
        fatal_precondition!(!list.is_null(), "aws_array_list_ensure_capacity");
        let l = &mut *list;
        let Some(needed) = bytes_for_index(l, index) else {
            return raise(AWS_ERROR_OVERFLOW_DETECTED);
        };
        if l.current_size >= needed {
            return AWS_OP_SUCCESS;
        }
        if l.alloc.is_null() {
            return raise(AWS_ERROR_INVALID_INDEX);
        }
        let new_size = (l.current_size << 1).max(needed);
        if new_size < l.current_size {
            return raise(AWS_ERROR_LIST_EXCEEDS_MAX_SIZE);
        }
        let data = aws_mem_acquire(l.alloc, new_size);
        if data.is_null() {
            return AWS_OP_ERR;
        }
        if !l.data.is_null() {
            // SAFETY: the old buffer holds current_size bytes; the new one is larger.
            ptr::copy_nonoverlapping(l.data as *const u8, data as *mut u8, l.current_size);
            aws_mem_release(l.alloc, l.data);
        }
        l.data = data;
        l.current_size = new_size;
        AWS_OP_SUCCESS
    }
}

/// `aws_array_list_push_back` for Rust callers: appends a copy of `item`,
/// growing a dynamic list. A list of another item size is refused with
/// AWS_ERROR_INVALID_ARGUMENT rather than overrun.
///
/// # Safety
/// `list` is a live, initialised list whose items are `T`s.
pub(crate) unsafe fn push_item<T: Copy>(list: *mut aws_array_list, item: &T) -> c_int {
    // SAFETY: per the caller; capacity for `index` is ensured before the write.
    unsafe {
        let l = &mut *list;
        if l.item_size != std::mem::size_of::<T>() {
            return raise(AWS_ERROR_INVALID_ARGUMENT);
        }
        let index = l.length;
        if aws_array_list_ensure_capacity(list, index) != AWS_OP_SUCCESS {
            return AWS_OP_ERR;
        }
        ((*list).data as *mut T).add(index).write_unaligned(*item);
        (*list).length = index + 1;
        AWS_OP_SUCCESS
    }
}

/// Reallocates a dynamic list to exactly its length; static lists refuse.
#[no_mangle]
pub unsafe extern "C" fn aws_array_list_shrink_to_fit(list: *mut aws_array_list) -> c_int {
    // SAFETY: C passes pointers valid as the upstream header documents; NULL is checked where upstream checks it.
    unsafe {
        fatal_precondition!(!list.is_null(), "aws_array_list_shrink_to_fit");
        let l = &mut *list;
        if l.alloc.is_null() {
            return raise(AWS_ERROR_LIST_STATIC_MODE_CANT_SHRINK);
        }
        let Some(ideal) = l.length.checked_mul(l.item_size) else {
            return raise(AWS_ERROR_OVERFLOW_DETECTED);
        };
        if ideal >= l.current_size {
            return AWS_OP_SUCCESS;
        }
        let mut data = ptr::null_mut();
        if ideal > 0 {
            data = aws_mem_acquire(l.alloc, ideal);
            if data.is_null() {
                return AWS_OP_ERR;
            }
            // SAFETY: both buffers hold at least `ideal` bytes.
            ptr::copy_nonoverlapping(l.data as *const u8, data as *mut u8, ideal);
        }
        aws_mem_release(l.alloc, l.data);
        l.data = data;
        l.current_size = ideal;
        AWS_OP_SUCCESS
    }
}

/// Copies `from`'s items into `to`, growing `to` if it is dynamic.
#[no_mangle]
pub unsafe extern "C" fn aws_array_list_copy(
    from: *const aws_array_list,
    to: *mut aws_array_list,
) -> c_int {
    // SAFETY: C passes pointers valid as the upstream header documents; NULL is checked where upstream checks it.
    unsafe {
        fatal_precondition!(!from.is_null() && !to.is_null(), "aws_array_list_copy");
        let (f, t) = (&*from, &mut *to);
        fatal_precondition!(f.item_size == t.item_size, "aws_array_list_copy");
        fatal_precondition!(!f.data.is_null(), "aws_array_list_copy");
        let Some(bytes) = f.length.checked_mul(f.item_size) else {
            return raise(AWS_ERROR_OVERFLOW_DETECTED);
        };
        if t.current_size >= bytes {
            if bytes > 0 {
                // SAFETY: `to` has room for `bytes`; the lists are distinct (restrict upstream).
                ptr::copy(f.data as *const u8, t.data as *mut u8, bytes);
            }
            t.length = f.length;
            return AWS_OP_SUCCESS;
        }
        if t.alloc.is_null() {
            return raise(AWS_ERROR_DEST_COPY_TOO_SMALL);
        }
        let data = aws_mem_acquire(t.alloc, bytes);
        if data.is_null() {
            return AWS_OP_ERR;
        }
        // SAFETY: `from` holds `bytes` bytes of items; `data` was just allocated with that size.
        ptr::copy_nonoverlapping(f.data as *const u8, data as *mut u8, bytes);
        aws_mem_release(t.alloc, t.data);
        t.data = data;
        t.length = f.length;
        t.current_size = bytes;
        AWS_OP_SUCCESS
    }
}

/// Swaps items `a` and `b`; both must be below the length.
#[no_mangle]
pub unsafe extern "C" fn aws_array_list_swap(list: *mut aws_array_list, a: usize, b: usize) {
    // SAFETY: C passes pointers valid as the upstream header documents; NULL is checked where upstream checks it.
    unsafe {
        fatal_precondition!(!list.is_null(), "aws_array_list_swap");
        let l = &*list;
        fatal_precondition!(a < l.length && b < l.length, "aws_array_list_swap");
        if a == b {
            return;
        }
        let base = l.data as *mut u8;
        // SAFETY: a != b, both in bounds, so the two item ranges are disjoint.
        ptr::swap_nonoverlapping(
            base.add(a * l.item_size),
            base.add(b * l.item_size),
            l.item_size,
        );
    }
}

/// Sorts the items with `qsort` and the C comparator.
#[no_mangle]
pub unsafe extern "C" fn aws_array_list_sort(
    list: *mut aws_array_list,
    compare_fn: aws_array_list_comparator_fn,
) {
    // SAFETY: C passes pointers valid as the upstream header documents; NULL is checked where upstream checks it.
    unsafe {
        fatal_precondition!(!list.is_null(), "aws_array_list_sort");
        let l = &*list;
        if l.data.is_null() || l.length == 0 {
            return;
        }
        fatal_precondition!(compare_fn.is_some(), "aws_array_list_sort");
        // SAFETY: `length` items of `item_size` bytes live at `data`.
        libc::qsort(l.data, l.length, l.item_size, compare_fn);
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::common::allocator::default_allocator;
    use crate::common::error::last_error;
    use libc::c_void;

    fn dynamic() -> aws_array_list {
        aws_array_list {
            alloc: default_allocator(),
            current_size: 0,
            length: 0,
            item_size: 4,
            data: ptr::null_mut(),
        }
    }

    #[test]
    fn ensure_capacity_doubles_or_fits_and_reports_errors() {
        let mut l = dynamic();
        // SAFETY: `l` is a valid list; memory is freed at the end.
        unsafe {
            assert_eq!(aws_array_list_ensure_capacity(&mut l, 2), 0);
            assert_eq!(l.current_size, 12);
            assert_eq!(aws_array_list_ensure_capacity(&mut l, 3), 0);
            assert_eq!(l.current_size, 24);
            assert_eq!(aws_array_list_ensure_capacity(&mut l, 99), 0);
            assert_eq!(l.current_size, 400);
            assert_eq!(
                aws_array_list_ensure_capacity(&mut l, usize::MAX),
                AWS_OP_ERR
            );
            assert_eq!(last_error(), AWS_ERROR_OVERFLOW_DETECTED);
            assert_eq!(
                aws_array_list_ensure_capacity(&mut l, usize::MAX / 2),
                AWS_OP_ERR
            );
            assert_eq!(last_error(), AWS_ERROR_OVERFLOW_DETECTED);
            l.length = 3;
            assert_eq!(aws_array_list_shrink_to_fit(&mut l), 0);
            assert_eq!(l.current_size, 12);
            aws_mem_release(l.alloc, l.data);

            let mut buf = [0u32; 4];
            let mut s = aws_array_list {
                alloc: ptr::null_mut(),
                current_size: 16,
                length: 0,
                item_size: 4,
                data: buf.as_mut_ptr() as *mut c_void,
            };
            assert_eq!(aws_array_list_ensure_capacity(&mut s, 3), 0);
            assert_eq!(aws_array_list_ensure_capacity(&mut s, 4), AWS_OP_ERR);
            assert_eq!(last_error(), AWS_ERROR_INVALID_INDEX);
            assert_eq!(aws_array_list_shrink_to_fit(&mut s), AWS_OP_ERR);
            assert_eq!(last_error(), AWS_ERROR_LIST_STATIC_MODE_CANT_SHRINK);
        }
    }
}
