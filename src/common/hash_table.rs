//! `aws_hash_table`: open addressing with Robin Hood probing and backward-shift
//! deletion, like upstream, so slot placement and iteration order are the same
//! for the same hash function (callers and tests observe both).
//!
//! `aws_hash_table.p_impl` points to one block from the table's allocator: a
//! [`State`] header followed by `size` [`Entry`] slots. Element pointers handed
//! out by find/create/put point into that block, so they stay valid until the
//! next mutation. A slot with `hash_code == 0` is empty; real hashes of 0 are
//! stored as 1 and a NULL key hashes to 42 (upstream's choices).
use std::mem::size_of;
use std::ptr;

use libc::{c_char, c_int, c_void};

use super::abi::*;
use super::allocator::{aws_mem_calloc, aws_mem_release};
use super::error::{last_error, raise};
use super::error_codes::{AWS_ERROR_OVERFLOW_DETECTED, AWS_ERROR_UNKNOWN};
use crate::fatal_precondition;

mod callbacks;

pub use callbacks::*;

/// Upstream's load factor; the table keeps at least one empty slot regardless.
const MAX_LOAD_FACTOR: f64 = 0.95;
const NULL_KEY_HASH: u64 = 42;

#[repr(C)]
struct State {
    hash_fn: aws_hash_fn,
    equals_fn: aws_hash_callback_eq_fn,
    destroy_key_fn: aws_hash_callback_destroy_fn,
    destroy_value_fn: aws_hash_callback_destroy_fn,
    alloc: *mut aws_allocator,
    size: usize,
    entry_count: usize,
    max_load: usize,
    mask: usize,
}

/// A slot. Its first two fields are laid out as `aws_hash_element`, which is
/// what C gets pointers to.
#[repr(C)]
#[derive(Clone, Copy)]
struct Entry {
    key: *const c_void,
    value: *mut c_void,
    hash_code: u64,
}

const EMPTY: Entry = Entry {
    key: ptr::null(),
    value: ptr::null_mut(),
    hash_code: 0,
};

/// The `aws_hash_element` view of a slot.
unsafe fn element(e: *mut Entry) -> *mut aws_hash_element {
    e as *mut aws_hash_element
}

unsafe fn state(map: *const aws_hash_table) -> *mut State {
    // SAFETY: this fn's caller guarantees its pointer arguments are valid and used on their owning thread.
    unsafe { (*map).p_impl as *mut State }
}

unsafe fn slots(st: *mut State) -> *mut Entry {
    // SAFETY: this fn's caller guarantees its pointer arguments are valid and used on their owning thread.
    unsafe { (st as *mut u8).add(size_of::<State>()) as *mut Entry }
}

unsafe fn slot(st: *mut State, i: usize) -> *mut Entry {
    // SAFETY: this fn's caller guarantees its pointer arguments are valid and used on their owning thread.
    unsafe {
        debug_assert!(i < (*st).size);
        slots(st).add(i)
    }
}

/// Distance of the entry at `index` from its home slot.
unsafe fn displacement(st: *mut State, index: usize, hash_code: u64) -> usize {
    // SAFETY: this fn's caller guarantees its pointer arguments are valid and used on their owning thread.
    unsafe { (index.wrapping_sub(hash_code as usize)) & (*st).mask }
}

/// Slot count and max load for room for `expected` elements, or None on overflow.
fn geometry(expected: usize) -> Option<(usize, usize)> {
    let size = expected.max(2).checked_next_power_of_two()?;
    let max_load = ((MAX_LOAD_FACTOR * size as f64) as usize).min(size - 1);
    Some((size, max_load))
}

/// Allocates a zeroed state with `size` slots copying the callbacks of `template`.
unsafe fn alloc_state(template: &State, size: usize, max_load: usize) -> *mut State {
    // SAFETY: this fn's caller guarantees its pointer arguments are valid and used on their owning thread.
    unsafe {
        let Some(bytes) = size
            .checked_mul(size_of::<Entry>())
            .and_then(|b| b.checked_add(size_of::<State>()))
        else {
            raise(AWS_ERROR_OVERFLOW_DETECTED);
            return ptr::null_mut();
        };
        let st = aws_mem_calloc(template.alloc, 1, bytes) as *mut State;
        if !st.is_null() {
            st.write(State {
                size,
                max_load,
                mask: size - 1,
                entry_count: 0,
                ..*template
            });
        }
        st
    }
}

unsafe fn hash_for(st: *mut State, key: *const c_void) -> u64 {
    // SAFETY: this fn's caller guarantees its pointer arguments are valid and used on their owning thread.
    unsafe {
        if key.is_null() {
            return NULL_KEY_HASH;
        }
        let f = (*st)
            .hash_fn
            .unwrap_or_else(|| crate::ffi::fatal("aws_hash_table: no hash function"));
        match f(key) {
            0 => 1,
            h => h,
        }
    }
}

unsafe fn keys_eq(eq: aws_hash_callback_eq_fn, a: *const c_void, b: *const c_void) -> bool {
    // SAFETY: this fn's caller guarantees its pointer arguments are valid and used on their owning thread.
    unsafe {
        if a == b {
            return true;
        }
        if a.is_null() || b.is_null() {
            return false;
        }
        match eq {
            Some(f) => f(a, b),
            None => false,
        }
    }
}

/// Index of the slot holding `key`, if present.
unsafe fn find_index(st: *mut State, hash_code: u64, key: *const c_void) -> Option<usize> {
    // SAFETY: this fn's caller guarantees its pointer arguments are valid and used on their owning thread.
    unsafe {
        let mut probe = 0usize;
        // Robin Hood invariant: once we meet an entry closer to its home than we
        // are to ours, the key cannot be further on. An empty slot always exists.
        loop {
            let index = (hash_code as usize).wrapping_add(probe) & (*st).mask;
            let e = slot(st, index);
            if (*e).hash_code == 0 {
                return None;
            }
            if (*e).hash_code == hash_code && keys_eq((*st).equals_fn, key, (*e).key) {
                return Some(index);
            }
            if displacement(st, index, (*e).hash_code) < probe {
                return None;
            }
            probe += 1;
        }
    }
}

/// Inserts `entry` (known absent) and returns its slot.
unsafe fn emplace(st: *mut State, mut entry: Entry) -> *mut Entry {
    // SAFETY: this fn's caller guarantees its pointer arguments are valid and used on their owning thread.
    unsafe {
        let mut placed: *mut Entry = ptr::null_mut();
        let mut probe = 0usize;
        while entry.hash_code != 0 {
            let index = (entry.hash_code as usize).wrapping_add(probe) & (*st).mask;
            let victim = slot(st, index);
            let victim_probe = displacement(st, index, (*victim).hash_code);
            if (*victim).hash_code == 0 || victim_probe < probe {
                if placed.is_null() {
                    placed = victim;
                }
                ptr::swap(victim, &mut entry);
                probe = victim_probe + 1;
            } else {
                probe += 1;
            }
        }
        placed
    }
}

/// Doubles the table. On failure the old table is untouched.
unsafe fn expand(map: *mut aws_hash_table) -> bool {
    // SAFETY: this fn's caller guarantees its pointer arguments are valid and used on their owning thread.
    unsafe {
        let old = state(map);
        let Some((size, max_load)) = (*old).size.checked_mul(2).and_then(geometry) else {
            raise(AWS_ERROR_OVERFLOW_DETECTED);
            return false;
        };
        let new = alloc_state(&*old, size, max_load);
        if new.is_null() {
            return false;
        }
        for i in 0..(*old).size {
            let e = *slot(old, i);
            if e.hash_code != 0 {
                emplace(new, e);
            }
        }
        (*new).entry_count = (*old).entry_count;
        (*map).p_impl = new as *mut c_void;
        aws_mem_release((*old).alloc, old as *mut c_void);
        true
    }
}

/// Empties slot `index` by shifting the following displaced entries back.
/// Returns the index of the slot left empty.
unsafe fn remove_at(st: *mut State, mut index: usize) -> usize {
    // SAFETY: this fn's caller guarantees its pointer arguments are valid and used on their owning thread.
    unsafe {
        (*st).entry_count -= 1;
        loop {
            let next = (index + 1) & (*st).mask;
            let n = *slot(st, next);
            if n.hash_code == 0 || (n.hash_code as usize & (*st).mask) == next {
                break;
            }
            *slot(st, index) = n;
            index = next;
        }
        *slot(st, index) = EMPTY;
        index
    }
}

unsafe fn destroy_element(st: *mut State, key: *const c_void, value: *mut c_void) {
    // SAFETY: this fn's caller guarantees its pointer arguments are valid and used on their owning thread.
    unsafe {
        if let Some(f) = (*st).destroy_key_fn {
            f(key as *mut c_void);
        }
        if let Some(f) = (*st).destroy_value_fn {
            f(value);
        }
    }
}

unsafe fn require_valid(map: *const aws_hash_table, func: &str) {
    // SAFETY: this fn's caller guarantees its pointer arguments are valid and used on their owning thread.
    unsafe {
        if !aws_hash_table_is_valid(map) {
            crate::ffi::fatal(&format!("{func}: hash table is NULL or not initialised"));
        }
    }
}

// ---- C API: the table ------------------------------------------------------------

#[no_mangle]
pub unsafe extern "C" fn aws_hash_table_init(
    map: *mut aws_hash_table,
    alloc: *mut aws_allocator,
    size: usize,
    hash_fn: aws_hash_fn,
    equals_fn: aws_hash_callback_eq_fn,
    destroy_key_fn: aws_hash_callback_destroy_fn,
    destroy_value_fn: aws_hash_callback_destroy_fn,
) -> c_int {
    // SAFETY: C passes pointers valid as the upstream header documents; NULL is checked where upstream checks it.
    unsafe {
        fatal_precondition!(!map.is_null() && !alloc.is_null(), "aws_hash_table_init");
        fatal_precondition!(
            hash_fn.is_some() && equals_fn.is_some(),
            "aws_hash_table_init"
        );
        let Some((slots, max_load)) = geometry(size) else {
            return raise(AWS_ERROR_OVERFLOW_DETECTED);
        };
        let template = State {
            hash_fn,
            equals_fn,
            destroy_key_fn,
            destroy_value_fn,
            alloc,
            size: 0,
            entry_count: 0,
            max_load: 0,
            mask: 0,
        };
        let st = alloc_state(&template, slots, max_load);
        (*map).p_impl = st as *mut c_void;
        if st.is_null() {
            return AWS_OP_ERR;
        }
        AWS_OP_SUCCESS
    }
}

/// Destroys every element and frees the table; NULL `p_impl` is a no-op.
#[no_mangle]
pub unsafe extern "C" fn aws_hash_table_clean_up(map: *mut aws_hash_table) {
    // SAFETY: C passes pointers valid as the upstream header documents; NULL is checked where upstream checks it.
    unsafe {
        fatal_precondition!(!map.is_null(), "aws_hash_table_clean_up");
        let st = state(map);
        if st.is_null() {
            return;
        }
        aws_hash_table_clear(map);
        // A destroy callback may not legally replace the table, but re-read it anyway.
        let st = state(map);
        aws_mem_release((*st).alloc, st as *mut c_void);
        (*map).p_impl = ptr::null_mut();
    }
}

#[no_mangle]
pub unsafe extern "C" fn aws_hash_table_swap(a: *mut aws_hash_table, b: *mut aws_hash_table) {
    // SAFETY: C passes pointers valid as the upstream header documents; NULL is checked where upstream checks it.
    unsafe {
        fatal_precondition!(
            !a.is_null() && !b.is_null() && a != b,
            "aws_hash_table_swap"
        );
        ptr::swap(a, b);
    }
}

#[no_mangle]
pub unsafe extern "C" fn aws_hash_table_move(to: *mut aws_hash_table, from: *mut aws_hash_table) {
    // SAFETY: C passes pointers valid as the upstream header documents; NULL is checked where upstream checks it.
    unsafe {
        fatal_precondition!(
            !to.is_null() && !from.is_null() && to != from,
            "aws_hash_table_move"
        );
        (*to).p_impl = (*from).p_impl;
        (*from).p_impl = ptr::null_mut();
    }
}

#[no_mangle]
pub unsafe extern "C" fn aws_hash_table_get_entry_count(map: *const aws_hash_table) -> usize {
    // SAFETY: C passes pointers valid as the upstream header documents; NULL is checked where upstream checks it.
    unsafe {
        require_valid(map, "aws_hash_table_get_entry_count");
        (*state(map)).entry_count
    }
}

/// `*p_elem` = the element for `key`, or NULL. Always succeeds.
#[no_mangle]
pub unsafe extern "C" fn aws_hash_table_find(
    map: *const aws_hash_table,
    key: *const c_void,
    p_elem: *mut *mut aws_hash_element,
) -> c_int {
    // SAFETY: C passes pointers valid as the upstream header documents; NULL is checked where upstream checks it.
    unsafe {
        require_valid(map, "aws_hash_table_find");
        fatal_precondition!(!p_elem.is_null(), "aws_hash_table_find");
        let st = state(map);
        *p_elem = match find_index(st, hash_for(st, key), key) {
            Some(i) => element(slot(st, i)),
            None => ptr::null_mut(),
        };
        AWS_OP_SUCCESS
    }
}

/// Finds `key` or inserts it with a NULL value.
#[no_mangle]
pub unsafe extern "C" fn aws_hash_table_create(
    map: *mut aws_hash_table,
    key: *const c_void,
    p_elem: *mut *mut aws_hash_element,
    was_created: *mut c_int,
) -> c_int {
    // SAFETY: C passes pointers valid as the upstream header documents; NULL is checked where upstream checks it.
    unsafe {
        require_valid(map, "aws_hash_table_create");
        let mut st = state(map);
        let hash_code = hash_for(st, key);
        let entry = match find_index(st, hash_code, key) {
            Some(i) => {
                if !was_created.is_null() {
                    *was_created = 0;
                }
                slot(st, i)
            }
            None => {
                if (*st).entry_count + 1 > (*st).max_load {
                    if !expand(map) {
                        return AWS_OP_ERR;
                    }
                    st = state(map);
                }
                (*st).entry_count += 1;
                if !was_created.is_null() {
                    *was_created = 1;
                }
                emplace(
                    st,
                    Entry {
                        key,
                        value: ptr::null_mut(),
                        hash_code,
                    },
                )
            }
        };
        if !p_elem.is_null() {
            *p_elem = element(entry);
        }
        AWS_OP_SUCCESS
    }
}

/// Inserts or replaces. On replace the old value is destroyed, and the old key
/// too if it is a different pointer (upstream's rule).
#[no_mangle]
pub unsafe extern "C" fn aws_hash_table_put(
    map: *mut aws_hash_table,
    key: *const c_void,
    value: *mut c_void,
    was_created: *mut c_int,
) -> c_int {
    // SAFETY: C passes pointers valid as the upstream header documents; NULL is checked where upstream checks it.
    unsafe {
        let mut created = 0;
        let mut elem: *mut aws_hash_element = ptr::null_mut();
        if aws_hash_table_create(map, key, &mut elem, &mut created) != AWS_OP_SUCCESS {
            return AWS_OP_ERR;
        }
        if created == 0 {
            let st = state(map);
            let (old_key, old_value) = ((*elem).key, (*elem).value);
            if old_key != key {
                if let Some(f) = (*st).destroy_key_fn {
                    f(old_key as *mut c_void);
                }
            }
            if let Some(f) = (*st).destroy_value_fn {
                f(old_value);
            }
        }
        (*elem).key = key;
        (*elem).value = value;
        if !was_created.is_null() {
            *was_created = created;
        }
        AWS_OP_SUCCESS
    }
}

/// Removes `key`. With `p_value` the element is handed back and nothing is
/// destroyed; without it the destroy callbacks run. Always succeeds.
#[no_mangle]
pub unsafe extern "C" fn aws_hash_table_remove(
    map: *mut aws_hash_table,
    key: *const c_void,
    p_value: *mut aws_hash_element,
    was_present: *mut c_int,
) -> c_int {
    // SAFETY: C passes pointers valid as the upstream header documents; NULL is checked where upstream checks it.
    unsafe {
        require_valid(map, "aws_hash_table_remove");
        let st = state(map);
        let Some(i) = find_index(st, hash_for(st, key), key) else {
            if !was_present.is_null() {
                *was_present = 0;
            }
            return AWS_OP_SUCCESS;
        };
        if !was_present.is_null() {
            *was_present = 1;
        }
        let e = *slot(st, i);
        if p_value.is_null() {
            destroy_element(st, e.key, e.value);
        } else {
            *p_value = aws_hash_element {
                key: e.key,
                value: e.value,
            };
        }
        // The callbacks must not mutate the table; if the slot moved anyway, find it again.
        let st = state(map);
        let i = find_index(st, hash_for(st, key), key).unwrap_or(i);
        remove_at(st, i);
        AWS_OP_SUCCESS
    }
}

/// Removes an element obtained from find/create without destroying it.
#[no_mangle]
pub unsafe extern "C" fn aws_hash_table_remove_element(
    map: *mut aws_hash_table,
    p_value: *mut aws_hash_element,
) -> c_int {
    // SAFETY: C passes pointers valid as the upstream header documents; NULL is checked where upstream checks it.
    unsafe {
        require_valid(map, "aws_hash_table_remove_element");
        let st = state(map);
        let offset = (p_value as usize).wrapping_sub(slots(st) as usize);
        let index = offset / size_of::<Entry>();
        let inside = offset % size_of::<Entry>() == 0
            && index < (*st).size
            && (*slot(st, index)).hash_code != 0;
        fatal_precondition!(inside, "aws_hash_table_remove_element");
        remove_at(st, index);
        AWS_OP_SUCCESS
    }
}

/// Calls `callback` on each element; honours CONTINUE / DELETE / ERROR bits.
/// A value the callback stores through its element pointer is kept.
#[no_mangle]
pub unsafe extern "C" fn aws_hash_table_foreach(
    map: *mut aws_hash_table,
    callback: Option<
        unsafe extern "C" fn(context: *mut c_void, p_element: *mut aws_hash_element) -> c_int,
    >,
    context: *mut c_void,
) -> c_int {
    // SAFETY: C passes pointers valid as the upstream header documents; NULL is checked where upstream checks it.
    unsafe {
        require_valid(map, "aws_hash_table_foreach");
        let Some(callback) = callback else {
            crate::ffi::fatal("aws_hash_table_foreach: NULL callback");
        };
        let mut iter = aws_hash_iter_begin(map);
        while !aws_hash_iter_done(&iter) {
            let rv = callback(context, &mut iter.element);
            if rv & AWS_COMMON_HASH_TABLE_ITER_ERROR != 0 {
                if last_error() == 0 {
                    raise(AWS_ERROR_UNKNOWN);
                }
                return AWS_OP_ERR;
            }
            if rv & AWS_COMMON_HASH_TABLE_ITER_DELETE != 0 {
                aws_hash_iter_delete(&mut iter, false);
            } else {
                // The header promises that writing `value` updates the table; upstream
                // hands out a copy and drops the write. We keep it.
                let st = state(map);
                if iter.slot < (*st).size {
                    let e = slot(st, iter.slot);
                    if (*e).hash_code != 0 && (*e).key == iter.element.key {
                        (*e).value = iter.element.value;
                    }
                }
            }
            if rv & AWS_COMMON_HASH_TABLE_ITER_CONTINUE == 0 {
                break;
            }
            aws_hash_iter_next(&mut iter);
        }
        AWS_OP_SUCCESS
    }
}

/// Same keys (by `a`'s key equality) with values equal under `value_eq`.
#[no_mangle]
pub unsafe extern "C" fn aws_hash_table_eq(
    a: *const aws_hash_table,
    b: *const aws_hash_table,
    value_eq: aws_hash_callback_eq_fn,
) -> bool {
    // SAFETY: C passes pointers valid as the upstream header documents; NULL is checked where upstream checks it.
    unsafe {
        require_valid(a, "aws_hash_table_eq");
        require_valid(b, "aws_hash_table_eq");
        fatal_precondition!(value_eq.is_some(), "aws_hash_table_eq");
        let (sa, sb) = (state(a), state(b));
        if (*sa).entry_count != (*sb).entry_count {
            return false;
        }
        for i in 0..(*sa).size {
            let e = *slot(sa, i);
            if e.hash_code == 0 {
                continue;
            }
            let Some(j) = find_index(sb, hash_for(sb, e.key), e.key) else {
                return false;
            };
            if !keys_eq(value_eq, e.value, (*slot(sb, j)).value) {
                return false;
            }
        }
        true
    }
}

/// Destroys every element (key then value, in slot order) and empties the table.
#[no_mangle]
pub unsafe extern "C" fn aws_hash_table_clear(map: *mut aws_hash_table) {
    // SAFETY: C passes pointers valid as the upstream header documents; NULL is checked where upstream checks it.
    unsafe {
        require_valid(map, "aws_hash_table_clear");
        let st = state(map);
        if (*st).destroy_key_fn.is_some() || (*st).destroy_value_fn.is_some() {
            for i in 0..(*st).size {
                let e = *slot(st, i);
                if e.hash_code != 0 {
                    destroy_element(st, e.key, e.value);
                }
            }
        }
        let st = state(map);
        ptr::write_bytes(slots(st), 0, (*st).size);
        (*st).entry_count = 0;
    }
}

#[no_mangle]
pub unsafe extern "C" fn aws_hash_table_is_valid(map: *const aws_hash_table) -> bool {
    // SAFETY: C passes pointers valid as the upstream header documents; NULL is checked where upstream checks it.
    unsafe {
        if map.is_null() || (*map).p_impl.is_null() {
            return false;
        }
        let st = state(map);
        let s = &*st;
        s.hash_fn.is_some()
            && s.equals_fn.is_some()
            && !s.alloc.is_null()
            && s.size >= 2
            && s.size.is_power_of_two()
            && s.mask == s.size - 1
            && s.max_load < s.size
            && s.entry_count <= s.max_load
    }
}

// ---- C API: iteration ---------------------------------------------------------------

/// Moves `iter` to the first filled slot at or after `start`, or to "done".
unsafe fn seek(iter: *mut aws_hash_iter, start: usize) {
    // SAFETY: this fn's caller guarantees its pointer arguments are valid and used on their owning thread.
    unsafe {
        let st = state((*iter).map);
        let limit = (*iter).limit.min((*st).size);
        for i in start..limit {
            let e = slot(st, i);
            if (*e).hash_code != 0 {
                (*iter).element = aws_hash_element {
                    key: (*e).key,
                    value: (*e).value,
                };
                (*iter).slot = i;
                (*iter).status = aws_hash_iter_status::AWS_HASH_ITER_STATUS_READY_FOR_USE as _;
                return;
            }
        }
        (*iter).element = aws_hash_element {
            key: ptr::null(),
            value: ptr::null_mut(),
        };
        (*iter).slot = (*iter).limit;
        (*iter).status = aws_hash_iter_status::AWS_HASH_ITER_STATUS_DONE as _;
    }
}

#[no_mangle]
pub unsafe extern "C" fn aws_hash_iter_begin(map: *const aws_hash_table) -> aws_hash_iter {
    // SAFETY: C passes pointers valid as the upstream header documents; NULL is checked where upstream checks it.
    unsafe {
        require_valid(map, "aws_hash_iter_begin");
        let mut iter = aws_hash_iter {
            map,
            element: aws_hash_element {
                key: ptr::null(),
                value: ptr::null_mut(),
            },
            slot: 0,
            limit: (*state(map)).size,
            status: aws_hash_iter_status::AWS_HASH_ITER_STATUS_DONE as _,
            unused_0: 0,
            unused_1: ptr::null_mut(),
            unused_2: ptr::null_mut(),
        };
        seek(&mut iter, 0);
        iter
    }
}

/// Done iff `slot == limit`; after a delete of slot 0 `slot` is SIZE_MAX, which is not done.
#[no_mangle]
pub unsafe extern "C" fn aws_hash_iter_done(iter: *const aws_hash_iter) -> bool {
    // SAFETY: C passes pointers valid as the upstream header documents; NULL is checked where upstream checks it.
    unsafe {
        fatal_precondition!(!iter.is_null(), "aws_hash_iter_done");
        (*iter).slot == (*iter).limit
    }
}

#[no_mangle]
pub unsafe extern "C" fn aws_hash_iter_next(iter: *mut aws_hash_iter) {
    // SAFETY: C passes pointers valid as the upstream header documents; NULL is checked where upstream checks it.
    unsafe {
        fatal_precondition!(!iter.is_null(), "aws_hash_iter_next");
        require_valid((*iter).map, "aws_hash_iter_next");
        if (*iter).slot == (*iter).limit {
            return seek(iter, (*iter).limit);
        }
        seek(iter, (*iter).slot.wrapping_add(1));
    }
}

/// Deletes the current element; the next `aws_hash_iter_next` yields the element
/// after it, with none skipped or repeated even when deletion shifts entries.
#[no_mangle]
pub unsafe extern "C" fn aws_hash_iter_delete(iter: *mut aws_hash_iter, destroy_contents: bool) {
    // SAFETY: C passes pointers valid as the upstream header documents; NULL is checked where upstream checks it.
    unsafe {
        fatal_precondition!(!iter.is_null(), "aws_hash_iter_delete");
        fatal_precondition!(
            (*iter).status == aws_hash_iter_status::AWS_HASH_ITER_STATUS_READY_FOR_USE as c_int,
            "aws_hash_iter_delete"
        );
        require_valid((*iter).map, "aws_hash_iter_delete");
        let st = state((*iter).map);
        fatal_precondition!(
            (*iter).slot < (*st).size && (*slot(st, (*iter).slot)).hash_code != 0,
            "aws_hash_iter_delete"
        );
        if destroy_contents {
            destroy_element(st, (*iter).element.key, (*iter).element.value);
        }
        let st = state((*iter).map);
        let emptied = remove_at(st, (*iter).slot);
        // If the backward shift wrapped past the end of the window, an element we
        // already visited now sits at limit - 1: shrink the window to skip it.
        if emptied < (*iter).slot || emptied >= (*iter).limit {
            (*iter).limit -= 1;
        }
        // Revisit this slot next: a later element may have shifted into it.
        (*iter).slot = (*iter).slot.wrapping_sub(1);
        (*iter).status = aws_hash_iter_status::AWS_HASH_ITER_STATUS_DELETE_CALLED as _;
    }
}

#[no_mangle]
pub unsafe extern "C" fn aws_hash_iter_is_valid(iter: *const aws_hash_iter) -> bool {
    // SAFETY: C passes pointers valid as the upstream header documents; NULL is checked where upstream checks it.
    unsafe {
        if iter.is_null() || (*iter).map.is_null() || !aws_hash_table_is_valid((*iter).map) {
            return false;
        }
        let st = state((*iter).map);
        let it = &*iter;
        if it.limit > (*st).size {
            return false;
        }
        match it.status {
            0 => it.slot == it.limit,
            1 => it.slot <= it.limit || it.slot == usize::MAX,
            2 => it.slot < it.limit && (*slot(st, it.slot)).hash_code != 0,
            _ => false,
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::common::allocator::default_allocator;
    use callbacks::hash_bytes;
    use proptest::prelude::*;
    use std::collections::HashMap;

    fn h(s: &str) -> u64 {
        hash_bytes(s.as_bytes())
    }

    #[test]
    fn hashes_match_upstream_lookup3() {
        // Values printed by upstream's aws_hash_c_string algorithm.
        assert_eq!(h(""), 0x6707ef7c994be624);
        assert_eq!(h("a"), 0x663f2d46b2109858);
        assert_eq!(h("Four score and seven years ago"), 0xea4742f8ba3c3558);
        assert_eq!(h("abcdefghijkl"), 0xad775e4ecec61331);
        assert_eq!(h("abcdefghijklm"), 0x625535ce675162ef);
        assert_eq!(
            h("0123456789abcdefghijklmnopqrstuvwxyz"),
            0x4b17124fcab6f09d
        );
        let (mut c, mut b) = (1, 0);
        hashlittle2(b"Four score and seven years ago", &mut c, &mut b);
        assert_eq!((c, b), (0xcd628161, 0x6cbea4b3));
        assert_eq!(
            aws_hash_ptr(0x12345678abcdef as *const c_void),
            0x0dd9bc1162af077d
        );
        // SAFETY: a NUL-terminated literal.
        assert_eq!(
            unsafe { aws_hash_c_string(c"a".as_ptr().cast()) },
            0x663f2d46b2109858
        );
    }

    thread_local! {
        static DESTROYED: std::cell::RefCell<Vec<usize>> = const { std::cell::RefCell::new(Vec::new()) };
    }

    unsafe extern "C" fn identity(k: *const c_void) -> u64 {
        // Keys are small integers smuggled as pointers; identity makes collisions easy.
        k as u64 % 64
    }
    unsafe extern "C" fn destroy_value(v: *mut c_void) {
        DESTROYED.with(|d| d.borrow_mut().push(v as usize));
    }

    #[derive(Clone, Debug)]
    enum Op {
        Put(usize, usize),
        Remove(usize),
        RemoveTake(usize),
        Find(usize),
        DeleteOdd,
        Clear,
    }

    fn op() -> impl Strategy<Value = Op> {
        prop_oneof![
            6 => (1..300usize, 1..1000usize).prop_map(|(k, v)| Op::Put(k, v)),
            2 => (1..300usize).prop_map(Op::Remove),
            1 => (1..300usize).prop_map(Op::RemoveTake),
            2 => (1..300usize).prop_map(Op::Find),
            1 => Just(Op::DeleteOdd),
            1 => Just(Op::Clear),
        ]
    }

    proptest! {
        #[test]
        fn matches_hashmap(ops in proptest::collection::vec(op(), 0..400)) {
            DESTROYED.with(|d| d.borrow_mut().clear());
            let mut model: HashMap<usize, usize> = HashMap::new();
            let mut destroyed_model: Vec<usize> = Vec::new();
            let mut t = aws_hash_table { p_impl: ptr::null_mut() };
            // SAFETY: `t` is a local table; keys/values are plain integers.
            unsafe {
                prop_assert_eq!(aws_hash_table_init(&mut t, default_allocator(), 4, Some(identity), Some(aws_ptr_eq), None, Some(destroy_value)), 0);
                for op in &ops {
                    match *op {
                        Op::Put(k, v) => {
                            let mut created = -1;
                            prop_assert_eq!(aws_hash_table_put(&mut t, k as _, v as _, &mut created), 0);
                            let old = model.insert(k, v);
                            prop_assert_eq!(created, old.is_none() as c_int);
                            destroyed_model.extend(old);
                        }
                        Op::Remove(k) => {
                            let mut present = -1;
                            aws_hash_table_remove(&mut t, k as _, ptr::null_mut(), &mut present);
                            let old = model.remove(&k);
                            prop_assert_eq!(present, old.is_some() as c_int);
                            destroyed_model.extend(old);
                        }
                        Op::RemoveTake(k) => {
                            let mut out = aws_hash_element { key: ptr::null(), value: ptr::null_mut() };
                            aws_hash_table_remove(&mut t, k as _, &mut out, ptr::null_mut());
                            let old = model.remove(&k);
                            prop_assert_eq!(out.value as usize, old.unwrap_or(0));
                        }
                        Op::Find(k) => {
                            let mut e: *mut aws_hash_element = ptr::null_mut();
                            aws_hash_table_find(&t, k as _, &mut e);
                            let got = if e.is_null() { None } else { Some((*e).value as usize) };
                            prop_assert_eq!(got, model.get(&k).copied());
                        }
                        Op::DeleteOdd => {
                            // Deleting during iteration must neither skip nor repeat elements.
                            let before: std::collections::BTreeSet<usize> = model.keys().copied().collect();
                            let mut seen = std::collections::BTreeSet::new();
                            let mut iter = aws_hash_iter_begin(&t);
                            while !aws_hash_iter_done(&iter) {
                                let k = iter.element.key as usize;
                                prop_assert!(seen.insert(k));
                                if k % 2 == 1 {
                                    aws_hash_iter_delete(&mut iter, true);
                                    destroyed_model.extend(model.remove(&k));
                                }
                                aws_hash_iter_next(&mut iter);
                            }
                            prop_assert_eq!(seen, before);
                        }
                        Op::Clear => {
                            aws_hash_table_clear(&mut t);
                            destroyed_model.extend(model.drain().map(|(_, v)| v));
                        }
                    }
                    prop_assert_eq!(aws_hash_table_get_entry_count(&t), model.len());
                    prop_assert!(aws_hash_table_is_valid(&t));
                }
                // Iteration sees every element exactly once.
                let mut seen = HashMap::new();
                let mut iter = aws_hash_iter_begin(&t);
                while !aws_hash_iter_done(&iter) {
                    prop_assert!(seen.insert(iter.element.key as usize, iter.element.value as usize).is_none());
                    aws_hash_iter_next(&mut iter);
                }
                prop_assert_eq!(&seen, &model);
                aws_hash_table_clean_up(&mut t);
                destroyed_model.extend(model.values());
            }
            let mut got = DESTROYED.with(|d| d.borrow().clone());
            got.sort();
            destroyed_model.sort();
            prop_assert_eq!(got, destroyed_model);
        }
    }
}
