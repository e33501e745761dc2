//! The out-of-line `aws_array_list` functions (the inline ones live in
//! `include/aws/common/array_list.h`). A list is dynamic when `alloc` is set;
//! `current_size` is its capacity in bytes.
use std::mem::size_of;
use std::ptr;

use libc::c_int;

use super::abi::*;
use super::allocator::{aws_mem_acquire, aws_mem_release};
use super::error::{last_error, raise};
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

// ---- for Rust callers -----------------------------------------------------------

/// `aws_array_list_init_dynamic`: an empty list with room for `capacity` items.
///
/// # Safety
/// `list` must be writable; `alloc` a valid allocator.
pub(crate) unsafe fn init_dynamic(
    list: *mut aws_array_list,
    alloc: *mut aws_allocator,
    capacity: usize,
    item_size: usize,
) -> c_int {
    // SAFETY: the caller hands a writable list.
    let l = unsafe { &mut *list };
    *l = aws_array_list {
        alloc,
        current_size: 0,
        length: 0,
        item_size,
        data: ptr::null_mut(),
    };
    let Some(bytes) = capacity.checked_mul(item_size) else {
        return raise(AWS_ERROR_OOM);
    };
    if bytes > 0 {
        // SAFETY: a valid allocator per the caller.
        let data = unsafe { aws_mem_acquire(alloc, bytes) };
        if data.is_null() {
            return AWS_OP_ERR;
        }
        l.data = data;
        l.current_size = bytes;
    }
    AWS_OP_SUCCESS
}

/// `aws_array_list_is_valid`: the invariants a list must keep.
pub(crate) fn is_valid(l: &aws_array_list) -> bool {
    let Some(used) = l.length.checked_mul(l.item_size) else {
        return false;
    };
    l.item_size > 0 && used <= l.current_size && (l.current_size == 0 || !l.data.is_null())
}

/// `aws_array_list_clean_up`: frees a dynamic list's storage and zeroes it.
///
/// # Safety
/// `list` must be a valid list.
pub(crate) unsafe fn clean_up(list: *mut aws_array_list) {
    // SAFETY: the caller hands a valid list.
    let l = unsafe { &mut *list };
    if !l.alloc.is_null() && !l.data.is_null() {
        // SAFETY: a dynamic list's storage came from its allocator.
        unsafe { aws_mem_release(l.alloc, l.data) };
    }
    *l = aws_array_list {
        alloc: ptr::null_mut(),
        current_size: 0,
        length: 0,
        item_size: 0,
        data: ptr::null_mut(),
    };
}

/// Pointer to item `index` (unchecked: `index < length`). It may be unaligned
/// for `T` if a C caller's static storage is.
///
/// # Safety
/// `list` must be valid and `index` in range.
pub(crate) unsafe fn item_ptr<T>(list: *const aws_array_list, index: usize) -> *mut T {
    // SAFETY: in range per the caller, so inside the list's storage.
    unsafe { ((*list).data as *mut u8).add(index * (*list).item_size) as *mut T }
}

/// Appends a bitwise copy of `item` (the list takes whatever `item` owns), as
/// `aws_array_list_push_back`: a dynamic list grows, a static one that is full
/// fails with `AWS_ERROR_LIST_EXCEEDS_MAX_SIZE`. A list whose `item_size` is
/// not `size_of::<T>()` fails with `AWS_ERROR_INVALID_ARGUMENT` (upstream would
/// copy the wrong number of bytes).
///
/// # Safety
/// `list` must be a valid list.
pub(crate) unsafe fn push_item<T>(list: *mut aws_array_list, item: &T) -> c_int {
    // SAFETY: a valid list per the caller.
    match unsafe { push_slot::<T>(list) } {
        Ok(slot) => {
            // SAFETY: `slot` is `size_of::<T>()` fresh bytes inside the storage.
            unsafe {
                ptr::copy_nonoverlapping(item as *const T as *const u8, slot, size_of::<T>())
            };
            AWS_OP_SUCCESS
        }
        Err(e) => e,
    }
}

/// Appends an all-zero `T` and returns a pointer to it (possibly unaligned), so
/// the caller can fill it in place. Growth and errors as [`push_item`].
///
/// # Safety
/// `list` must be a valid list.
pub(crate) unsafe fn push_zeroed<T>(list: *mut aws_array_list) -> Result<*mut T, c_int> {
    // SAFETY: a valid list per the caller.
    let slot = unsafe { push_slot::<T>(list)? };
    // SAFETY: `slot` is `size_of::<T>()` fresh bytes inside the storage.
    unsafe { ptr::write_bytes(slot, 0, size_of::<T>()) };
    Ok(slot as *mut T)
}

/// Grows the list by one `T` (contents unwritten) and returns the new slot.
unsafe fn push_slot<T>(list: *mut aws_array_list) -> Result<*mut u8, c_int> {
    // SAFETY: a valid list per the caller.
    let (item_size, length, alloc) = unsafe { ((*list).item_size, (*list).length, (*list).alloc) };
    if item_size != size_of::<T>() {
        return Err(raise(AWS_ERROR_INVALID_ARGUMENT));
    }
    // SAFETY: as above.
    if unsafe { aws_array_list_ensure_capacity(list, length) } != AWS_OP_SUCCESS {
        if alloc.is_null() && last_error() == AWS_ERROR_INVALID_INDEX {
            return Err(raise(AWS_ERROR_LIST_EXCEEDS_MAX_SIZE));
        }
        return Err(AWS_OP_ERR);
    }
    // SAFETY: room for item `length` was ensured above; nothing else borrows the list.
    unsafe {
        (*list).length = length + 1;
        Ok(item_ptr::<u8>(list, length))
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::common::allocator::default_allocator;
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

    /// An empty static list of u32 over `storage`.
    fn fixed(storage: &mut [u32]) -> aws_array_list {
        aws_array_list {
            alloc: ptr::null_mut(),
            current_size: size_of_val(storage),
            length: 0,
            item_size: 4,
            data: storage.as_mut_ptr() as *mut c_void,
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
            let mut s = fixed(&mut buf);
            assert_eq!(aws_array_list_ensure_capacity(&mut s, 3), 0);
            assert_eq!(aws_array_list_ensure_capacity(&mut s, 4), AWS_OP_ERR);
            assert_eq!(last_error(), AWS_ERROR_INVALID_INDEX);
            assert_eq!(aws_array_list_shrink_to_fit(&mut s), AWS_OP_ERR);
            assert_eq!(last_error(), AWS_ERROR_LIST_STATIC_MODE_CANT_SHRINK);
        }
    }

    #[test]
    fn push_item_grows_fills_and_refuses_as_push_back() {
        let mut l = dynamic();
        let mut buf = [0u32; 2];
        let mut s = fixed(&mut buf);
        // SAFETY: `l` and `s` are valid lists; `l`'s memory is freed at the end.
        unsafe {
            for i in 0..5u32 {
                assert_eq!(push_item(&mut l, &i), AWS_OP_SUCCESS);
            }
            assert_eq!(l.length, 5);
            assert_eq!(*item_ptr::<u32>(&l, 4), 4);
            assert_eq!(push_item(&mut l, &7u64), AWS_OP_ERR);
            assert_eq!(last_error(), AWS_ERROR_INVALID_ARGUMENT);
            assert_eq!(*push_zeroed::<u32>(&mut l).unwrap(), 0);
            assert_eq!(l.length, 6);
            clean_up(&mut l);

            assert_eq!(push_item(&mut s, &1u32), AWS_OP_SUCCESS);
            assert_eq!(push_item(&mut s, &2u32), AWS_OP_SUCCESS);
            assert_eq!(push_item(&mut s, &3u32), AWS_OP_ERR);
            assert_eq!(last_error(), AWS_ERROR_LIST_EXCEEDS_MAX_SIZE);
            assert_eq!((s.length, buf), (2, [1, 2]));
        }
    }
}
