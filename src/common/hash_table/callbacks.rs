//! The hash and equality callbacks upstream ships for tables (`aws_hash_ptr`,
//! `aws_hash_c_string`, `aws_hash_string`, ... and their `_eq` partners), with
//! lookup3, upstream's string hash.
use super::*;

/// Bob Jenkins' lookup3 `hashlittle2` (public domain), which upstream uses, so
/// hashes and therefore table layouts match upstream's.
pub fn hashlittle2(key: &[u8], pc: &mut u32, pb: &mut u32) {
    fn mix(a: &mut u32, b: &mut u32, c: &mut u32) {
        *a = a.wrapping_sub(*c) ^ c.rotate_left(4);
        *c = c.wrapping_add(*b);
        *b = b.wrapping_sub(*a) ^ a.rotate_left(6);
        *a = a.wrapping_add(*c);
        *c = c.wrapping_sub(*b) ^ b.rotate_left(8);
        *b = b.wrapping_add(*a);
        *a = a.wrapping_sub(*c) ^ c.rotate_left(16);
        *c = c.wrapping_add(*b);
        *b = b.wrapping_sub(*a) ^ a.rotate_left(19);
        *a = a.wrapping_add(*c);
        *c = c.wrapping_sub(*b) ^ b.rotate_left(4);
        *b = b.wrapping_add(*a);
    }
    fn finish(a: &mut u32, b: &mut u32, c: &mut u32) {
        *c = (*c ^ *b).wrapping_sub(b.rotate_left(14));
        *a = (*a ^ *c).wrapping_sub(c.rotate_left(11));
        *b = (*b ^ *a).wrapping_sub(a.rotate_left(25));
        *c = (*c ^ *b).wrapping_sub(b.rotate_left(16));
        *a = (*a ^ *c).wrapping_sub(c.rotate_left(4));
        *b = (*b ^ *a).wrapping_sub(a.rotate_left(14));
        *c = (*c ^ *b).wrapping_sub(b.rotate_left(24));
    }
    fn word(bytes: &[u8]) -> u32 {
        u32::from_le_bytes([bytes[0], bytes[1], bytes[2], bytes[3]])
    }
    let init = 0xdead_beef_u32
        .wrapping_add(key.len() as u32)
        .wrapping_add(*pc);
    let (mut a, mut b, mut c) = (init, init, init.wrapping_add(*pb));
    let mut rest = key;
    while rest.len() > 12 {
        a = a.wrapping_add(word(&rest[0..4]));
        b = b.wrapping_add(word(&rest[4..8]));
        c = c.wrapping_add(word(&rest[8..12]));
        mix(&mut a, &mut b, &mut c);
        rest = &rest[12..];
    }
    if !rest.is_empty() {
        // The last 1..=12 bytes, zero-padded, read as little-endian words.
        let mut tail = [0u8; 12];
        tail[..rest.len()].copy_from_slice(rest);
        a = a.wrapping_add(word(&tail[0..4]));
        b = b.wrapping_add(word(&tail[4..8]));
        c = c.wrapping_add(word(&tail[8..12]));
        finish(&mut a, &mut b, &mut c);
    }
    *pc = c;
    *pb = b;
}

/// Hash of a byte string with upstream's seeds (the first digits of pi).
pub(super) fn hash_bytes(bytes: &[u8]) -> u64 {
    let (mut c, mut b) = (0x885A_308D_u32, 0x3243_F6A8_u32);
    hashlittle2(bytes, &mut c, &mut b);
    ((b as u64) << 32) | c as u64
}

#[no_mangle]
pub unsafe extern "C" fn aws_hash_c_string(item: *const c_void) -> u64 {
    // SAFETY: C passes pointers valid as the upstream header documents; NULL is checked where upstream checks it.
    unsafe {
        fatal_precondition!(!item.is_null(), "aws_hash_c_string");
        hash_bytes(std::ffi::CStr::from_ptr(item as *const c_char).to_bytes())
    }
}

unsafe fn string_bytes<'a>(s: *const aws_string) -> &'a [u8] {
    // SAFETY: this fn's caller guarantees its pointer arguments are valid and used on their owning thread.
    unsafe { crate::ffi::slice(ptr::addr_of!((*s).bytes) as *const u8, (*s).len) }
}

#[no_mangle]
pub unsafe extern "C" fn aws_hash_string(item: *const c_void) -> u64 {
    // SAFETY: C passes pointers valid as the upstream header documents; NULL is checked where upstream checks it.
    unsafe {
        fatal_precondition!(!item.is_null(), "aws_hash_string");
        hash_bytes(string_bytes(item as *const aws_string))
    }
}

#[no_mangle]
pub unsafe extern "C" fn aws_hash_byte_cursor_ptr(item: *const c_void) -> u64 {
    // SAFETY: C passes pointers valid as the upstream header documents; NULL is checked where upstream checks it.
    unsafe {
        fatal_precondition!(!item.is_null(), "aws_hash_byte_cursor_ptr");
        let cur = &*(item as *const aws_byte_cursor);
        hash_bytes(crate::ffi::slice(cur.ptr, cur.len))
    }
}

/// Hashes the pointer value itself (seeded with the digits of e, as upstream).
#[no_mangle]
pub extern "C" fn aws_hash_ptr(item: *const c_void) -> u64 {
    let (mut c, mut b) = (0x28ae_d2a6_u32, 0x2b7e_1516_u32);
    hashlittle2(&(item as usize).to_ne_bytes(), &mut c, &mut b);
    ((b as u64) << 32) | c as u64
}

#[no_mangle]
pub extern "C" fn aws_hash_combine(item1: u64, item2: u64) -> u64 {
    let (mut c, mut b) = ((item2 >> 32) as u32, item2 as u32);
    hashlittle2(&item1.to_ne_bytes(), &mut c, &mut b);
    ((b as u64) << 32) | c as u64
}

#[no_mangle]
pub unsafe extern "C" fn aws_hash_callback_c_str_eq(a: *const c_void, b: *const c_void) -> bool {
    // SAFETY: C passes pointers valid as the upstream header documents; NULL is checked where upstream checks it.
    unsafe {
        fatal_precondition!(!a.is_null() && !b.is_null(), "aws_hash_callback_c_str_eq");
        libc::strcmp(a as *const c_char, b as *const c_char) == 0
    }
}

#[no_mangle]
pub unsafe extern "C" fn aws_hash_callback_string_eq(a: *const c_void, b: *const c_void) -> bool {
    // SAFETY: C passes pointers valid as the upstream header documents; NULL is checked where upstream checks it.
    unsafe {
        if a == b {
            return true;
        }
        if a.is_null() || b.is_null() {
            return false;
        }
        string_bytes(a as *const aws_string) == string_bytes(b as *const aws_string)
    }
}

/// Frees an `aws_string` through its own allocator (static strings have none).
#[no_mangle]
pub unsafe extern "C" fn aws_hash_callback_string_destroy(a: *mut c_void) {
    // SAFETY: C passes pointers valid as the upstream header documents; NULL is checked where upstream checks it.
    unsafe {
        let s = a as *mut aws_string;
        if !s.is_null() && !(*s).allocator.is_null() {
            aws_mem_release((*s).allocator, a);
        }
    }
}

#[no_mangle]
pub extern "C" fn aws_ptr_eq(a: *const c_void, b: *const c_void) -> bool {
    a == b
}

#[no_mangle]
pub unsafe extern "C" fn aws_hash_uint64_t_by_identity(item: *const c_void) -> u64 {
    // SAFETY: C passes pointers valid as the upstream header documents; NULL is checked where upstream checks it.
    unsafe {
        fatal_precondition!(!item.is_null(), "aws_hash_uint64_t_by_identity");
        ptr::read_unaligned(item as *const u64)
    }
}

#[no_mangle]
pub unsafe extern "C" fn aws_hash_compare_uint64_t_eq(a: *const c_void, b: *const c_void) -> bool {
    // SAFETY: C passes pointers valid as the upstream header documents; NULL is checked where upstream checks it.
    unsafe {
        fatal_precondition!(!a.is_null() && !b.is_null(), "aws_hash_compare_uint64_t_eq");
        ptr::read_unaligned(a as *const u64) == ptr::read_unaligned(b as *const u64)
    }
}
