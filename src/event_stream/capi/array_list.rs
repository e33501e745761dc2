//! The few `aws_array_list` operations the header-list API needs, done on the
//! struct's fields with upstream's semantics (dynamic lists grow to twice
//! their size, static lists fail with `LIST_EXCEEDS_MAX_SIZE`).
use std::ptr;

use libc::c_int;

use crate::common::abi::{aws_allocator, aws_array_list, AWS_OP_ERR, AWS_OP_SUCCESS};
use crate::common::allocator::{aws_mem_acquire, aws_mem_release};
use crate::common::error::raise;
use crate::common::error_codes::{
    AWS_ERROR_INVALID_INDEX, AWS_ERROR_LIST_EXCEEDS_MAX_SIZE, AWS_ERROR_OOM,
};

/// `aws_array_list_init_dynamic`: an empty list with room for `capacity` items.
///
/// # Safety
/// `list` must be writable; `alloc` a valid allocator.
pub unsafe fn init_dynamic(
    list: *mut aws_array_list,
    alloc: *mut aws_allocator,
    capacity: usize,
    item_size: usize,
) -> c_int {
    // SAFETY: this fn's caller guarantees its pointer arguments are valid and used on their owning thread.
    unsafe {
        // SAFETY: the caller hands a writable list.
        let l = &mut *list;
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
            let data = aws_mem_acquire(alloc, bytes);
            if data.is_null() {
                return AWS_OP_ERR;
            }
            l.data = data;
            l.current_size = bytes;
        }
        AWS_OP_SUCCESS
    }
}

/// `aws_array_list_is_valid`: the invariants a list must keep.
pub fn is_valid(l: &aws_array_list) -> bool {
    let Some(used) = l.length.checked_mul(l.item_size) else {
        return false;
    };
    l.item_size > 0 && used <= l.current_size && (l.current_size == 0 || !l.data.is_null())
}

/// `aws_array_list_clean_up`: frees a dynamic list's storage and zeroes it.
///
/// # Safety
/// `list` must be a valid list.
pub unsafe fn clean_up(list: *mut aws_array_list) {
    // SAFETY: this fn's caller guarantees its pointer arguments are valid and used on their owning thread.
    unsafe {
        // SAFETY: the caller hands a valid list.
        let l = &mut *list;
        if !l.alloc.is_null() && !l.data.is_null() {
            aws_mem_release(l.alloc, l.data);
        }
        *l = aws_array_list {
            alloc: ptr::null_mut(),
            current_size: 0,
            length: 0,
            item_size: 0,
            data: ptr::null_mut(),
        };
    }
}

/// Pointer to item `index` (unchecked: `index < length`).
///
/// # Safety
/// `list` must be valid and `index` in range.
pub unsafe fn item_ptr<T>(list: *const aws_array_list, index: usize) -> *mut T {
    // SAFETY: this fn's caller guarantees its pointer arguments are valid and used on their owning thread.
    unsafe {
        // SAFETY: in range per the caller, so inside the list's storage.
        ((*list).data as *mut u8).add(index * (*list).item_size) as *mut T
    }
}

/// `aws_array_list_push_back` of a `T`. The list's `item_size` must be
/// `size_of::<T>()` (upstream would copy the wrong number of bytes otherwise).
///
/// # Safety
/// `list` must be a valid list.
pub unsafe fn push_back<T: Copy>(list: *mut aws_array_list, item: &T) -> c_int {
    // SAFETY: this fn's caller guarantees its pointer arguments are valid and used on their owning thread.
    unsafe {
        match append_slot::<T>(list) {
            Ok(slot) => {
                // SAFETY: a fresh slot inside the storage; it may be unaligned for T.
                ptr::write_unaligned(slot as *mut T, *item);
                AWS_OP_SUCCESS
            }
            Err(e) => e,
        }
    }
}

/// Appends an all-zero `T` and returns a pointer to it, so the caller can
/// fill it in place (what `push_back` of a zeroed-then-filled item leaves,
/// without building and copying the item). Growth and errors as `push_back`.
/// The slot may be unaligned for `T` if the caller's static storage is.
///
/// # Safety
/// `list` must be a valid list.
pub unsafe fn push_back_zeroed<T>(list: *mut aws_array_list) -> Result<*mut T, c_int> {
    // SAFETY: this fn's caller guarantees its pointer arguments are valid and used on their owning thread.
    unsafe {
        let slot = append_slot::<T>(list)?;
        // SAFETY: the slot is `item_size` (= size_of::<T>()) bytes of the storage.
        ptr::write_bytes(slot, 0, std::mem::size_of::<T>());
        Ok(slot as *mut T)
    }
}

/// Grows the list by one item (contents unwritten) and returns the new slot.
unsafe fn append_slot<T>(list: *mut aws_array_list) -> Result<*mut u8, c_int> {
    // SAFETY: this fn's caller guarantees its pointer arguments are valid and used on their owning thread.
    unsafe {
        // SAFETY: the caller hands a valid list.
        let l = &mut *list;
        crate::fatal_precondition!(
            l.item_size == std::mem::size_of::<T>(),
            "aws_array_list_push_back"
        );
        let needed = match l
            .length
            .checked_add(1)
            .and_then(|n| n.checked_mul(l.item_size))
        {
            Some(n) => n,
            None => return Err(raise(AWS_ERROR_OOM)),
        };
        if needed > l.current_size {
            if l.alloc.is_null() {
                raise(AWS_ERROR_INVALID_INDEX);
                return Err(raise(AWS_ERROR_LIST_EXCEEDS_MAX_SIZE));
            }
            let new_size = needed.max(l.current_size.saturating_mul(2));
            let data = aws_mem_acquire(l.alloc, new_size);
            if data.is_null() {
                return Err(AWS_OP_ERR);
            }
            if !l.data.is_null() {
                // SAFETY: both regions hold at least `length * item_size` bytes.
                ptr::copy_nonoverlapping(
                    l.data as *const u8,
                    data as *mut u8,
                    l.length * l.item_size,
                );
                aws_mem_release(l.alloc, l.data);
            }
            l.data = data;
            l.current_size = new_size;
        }
        // SAFETY: room for one more item was ensured above.
        let slot = (l.data as *mut u8).add(l.length * l.item_size);
        l.length += 1;
        Ok(slot)
    }
}
