//! `aws_byte_cursor`: a borrowed `{len, ptr}` view. Reads either consume
//! exactly what they return or, when the cursor is too short, return false and
//! leave it untouched. Splitting, searching and trimming never copy.
use std::cmp::Ordering;
use std::hint::black_box;
use std::ptr;

use libc::{c_char, c_int, c_void};

use super::{ascii, buf_bytes, buf_ref, cursor_bytes, cursor_ref};
use crate::common::abi::*;
use crate::common::error::raise;
use crate::common::error_codes::{AWS_ERROR_SHORT_BUFFER, AWS_ERROR_STRING_MATCH_NOT_FOUND};
use crate::fatal_precondition;

const HALF: usize = usize::MAX >> 1;

/// Offset of the first occurrence of `needle` (non-empty) in `hay`.
pub fn find(hay: &[u8], needle: &[u8]) -> Option<usize> {
    let (&first, rest) = needle.split_first()?;
    let last_start = hay.len().checked_sub(needle.len())?;
    let mut from = 0;
    while from <= last_start {
        let at = from + hay[from..=last_start].iter().position(|&b| b == first)?;
        if &hay[at + 1..at + needle.len()] == rest {
            return Some(at);
        }
        from = at + 1;
    }
    None
}

fn ordering_to_int(o: Ordering) -> c_int {
    match o {
        Ordering::Less => -1,
        Ordering::Equal => 0,
        Ordering::Greater => 1,
    }
}

fn empty() -> aws_byte_cursor {
    aws_byte_cursor {
        len: 0,
        ptr: ptr::null_mut(),
    }
}

/// Moves the cursor forward by `n` (which must fit) and returns the skipped part.
fn take(cur: &mut aws_byte_cursor, n: usize) -> aws_byte_cursor {
    let taken = aws_byte_cursor {
        len: n,
        ptr: cur.ptr,
    };
    if !cur.ptr.is_null() {
        cur.ptr = cur.ptr.wrapping_add(n);
    }
    cur.len -= n;
    taken
}

// ---- construction --------------------------------------------------------------------

#[no_mangle]
pub unsafe extern "C" fn aws_byte_cursor_from_buf(buf: *const aws_byte_buf) -> aws_byte_cursor {
    // SAFETY: the caller passes a valid buffer (checked).
    let b = unsafe { buf_ref(buf, "aws_byte_cursor_from_buf") };
    aws_byte_cursor {
        len: b.len,
        ptr: b.buffer,
    }
}

/// NULL gives an empty cursor with a NULL pointer.
#[no_mangle]
pub unsafe extern "C" fn aws_byte_cursor_from_c_str(c_str: *const c_char) -> aws_byte_cursor {
    let len = if c_str.is_null() {
        0
    } else {
        // SAFETY: a non-NULL argument is NUL-terminated.
        unsafe { libc::strlen(c_str) }
    };
    aws_byte_cursor {
        len,
        ptr: c_str as *mut u8,
    }
}

#[no_mangle]
pub extern "C" fn aws_byte_cursor_from_array(bytes: *const c_void, len: usize) -> aws_byte_cursor {
    aws_byte_cursor {
        len,
        ptr: bytes as *mut u8,
    }
}

// ---- advancing -------------------------------------------------------------------------

/// Returns the first `len` bytes and moves past them; if there are fewer (or
/// either length exceeds SIZE_MAX/2) returns `{0, NULL}` and changes nothing.
#[no_mangle]
pub unsafe extern "C" fn aws_byte_cursor_advance(
    cursor: *mut aws_byte_cursor,
    len: usize,
) -> aws_byte_cursor {
    fatal_precondition!(!cursor.is_null(), "aws_byte_cursor_advance");
    // SAFETY: checked non-NULL.
    let cur = unsafe { &mut *cursor };
    if cur.len > HALF || len > HALF || len > cur.len {
        return empty();
    }
    take(cur, len)
}

/// All ones if `index < bound` and both are at most SIZE_MAX/2, else 0 —
/// computed without branches so a mispredicted bounds check cannot be
/// speculated past (Spectre v1).
#[no_mangle]
pub extern "C" fn aws_nospec_mask(index: usize, bound: usize) -> usize {
    let index = black_box(index);
    // The top bit of `bound - index - 1` is clear exactly when index < bound
    // (for operands below 2^63); OR-ing the operands rejects huge ones.
    let high = index | bound | bound.wrapping_sub(index).wrapping_sub(1);
    let in_range = (!high) >> (usize::BITS - 1); // 1 or 0
    in_range.wrapping_neg()
}

/// `aws_byte_cursor_advance` whose result is masked to `{0, NULL}` under
/// speculation past the bounds check.
#[no_mangle]
pub unsafe extern "C" fn aws_byte_cursor_advance_nospec(
    cursor: *mut aws_byte_cursor,
    len: usize,
) -> aws_byte_cursor {
    fatal_precondition!(!cursor.is_null(), "aws_byte_cursor_advance_nospec");
    // SAFETY: checked non-NULL.
    let cur = unsafe { &mut *cursor };
    if len > cur.len || len > HALF || cur.len > HALF {
        return empty();
    }
    let mask = aws_nospec_mask(len, cur.len + 1);
    // Subtracting the masked-off address keeps the pointer's provenance.
    cur.ptr = cur.ptr.wrapping_sub(cur.ptr as usize & !mask);
    cur.len &= mask;
    take(cur, len & mask)
}

// ---- reads -------------------------------------------------------------------------------

/// Copies `len` bytes out and advances; false (cursor unchanged) if short.
#[no_mangle]
pub unsafe extern "C" fn aws_byte_cursor_read(
    cur: *mut aws_byte_cursor,
    dest: *mut c_void,
    len: usize,
) -> bool {
    if len == 0 {
        return true;
    }
    fatal_precondition!(!dest.is_null(), "aws_byte_cursor_read");
    // SAFETY: the cursor is valid (checked below by cursor_ref); dest holds len bytes.
    unsafe {
        cursor_ref(cur, "aws_byte_cursor_read");
        let part = aws_byte_cursor_advance_nospec(cur, len);
        if part.ptr.is_null() {
            return false;
        }
        ptr::copy_nonoverlapping(part.ptr, dest as *mut u8, len);
    }
    true
}

/// Fills the whole capacity of `dest` (setting `len = capacity`) or nothing.
#[no_mangle]
pub unsafe extern "C" fn aws_byte_cursor_read_and_fill_buffer(
    cur: *mut aws_byte_cursor,
    dest: *mut aws_byte_buf,
) -> bool {
    // SAFETY: valid buffer (checked); the read writes at most capacity bytes.
    unsafe {
        let d = super::buf_mut(dest, "aws_byte_cursor_read_and_fill_buffer");
        if aws_byte_cursor_read(cur, d.buffer as *mut c_void, d.capacity) {
            d.len = d.capacity;
            return true;
        }
    }
    false
}

/// Reads N bytes into an array; None (cursor unchanged) if short.
unsafe fn read_array<const N: usize>(cur: *mut aws_byte_cursor) -> Option<[u8; N]> {
    let mut out = [0u8; N];
    // SAFETY: forwarded caller contract; `out` holds N bytes.
    unsafe { aws_byte_cursor_read(cur, out.as_mut_ptr() as *mut c_void, N) }.then_some(out)
}

/// Stores a decoded value through `var` if the read succeeded.
unsafe fn store<T, const N: usize>(
    cur: *mut aws_byte_cursor,
    var: *mut T,
    decode: fn([u8; N]) -> T,
    func: &str,
) -> bool {
    if var.is_null() {
        crate::ffi::fatal(&format!("{func}: NULL output pointer"));
    }
    // SAFETY: forwarded caller contract; var checked non-NULL.
    match unsafe { read_array::<N>(cur) } {
        Some(bytes) => {
            // SAFETY: var is writable (caller contract), maybe unaligned.
            unsafe { var.write_unaligned(decode(bytes)) };
            true
        }
        None => false,
    }
}

#[no_mangle]
pub unsafe extern "C" fn aws_byte_cursor_read_u8(cur: *mut aws_byte_cursor, var: *mut u8) -> bool {
    // SAFETY: forwarded caller contract.
    unsafe { store(cur, var, |[b]: [u8; 1]| b, "aws_byte_cursor_read_u8") }
}

#[no_mangle]
pub unsafe extern "C" fn aws_byte_cursor_read_be16(
    cur: *mut aws_byte_cursor,
    var: *mut u16,
) -> bool {
    // SAFETY: forwarded caller contract.
    unsafe { store(cur, var, u16::from_be_bytes, "aws_byte_cursor_read_be16") }
}

#[no_mangle]
pub unsafe extern "C" fn aws_byte_cursor_read_le16(
    cur: *mut aws_byte_cursor,
    var: *mut u16,
) -> bool {
    // SAFETY: forwarded caller contract.
    unsafe { store(cur, var, u16::from_le_bytes, "aws_byte_cursor_read_le16") }
}

/// Three big-endian bytes into the low 24 bits.
#[no_mangle]
pub unsafe extern "C" fn aws_byte_cursor_read_be24(
    cur: *mut aws_byte_cursor,
    var: *mut u32,
) -> bool {
    // SAFETY: forwarded caller contract.
    unsafe {
        store(
            cur,
            var,
            |[a, b, c]: [u8; 3]| u32::from_be_bytes([0, a, b, c]),
            "aws_byte_cursor_read_be24",
        )
    }
}

#[no_mangle]
pub unsafe extern "C" fn aws_byte_cursor_read_be32(
    cur: *mut aws_byte_cursor,
    var: *mut u32,
) -> bool {
    // SAFETY: forwarded caller contract.
    unsafe { store(cur, var, u32::from_be_bytes, "aws_byte_cursor_read_be32") }
}

#[no_mangle]
pub unsafe extern "C" fn aws_byte_cursor_read_le32(
    cur: *mut aws_byte_cursor,
    var: *mut u32,
) -> bool {
    // SAFETY: forwarded caller contract.
    unsafe { store(cur, var, u32::from_le_bytes, "aws_byte_cursor_read_le32") }
}

#[no_mangle]
pub unsafe extern "C" fn aws_byte_cursor_read_be_i32(
    cur: *mut aws_byte_cursor,
    var: *mut i32,
) -> bool {
    // SAFETY: forwarded caller contract.
    unsafe { store(cur, var, i32::from_be_bytes, "aws_byte_cursor_read_be_i32") }
}

#[no_mangle]
pub unsafe extern "C" fn aws_byte_cursor_read_le_i32(
    cur: *mut aws_byte_cursor,
    var: *mut i32,
) -> bool {
    // SAFETY: forwarded caller contract.
    unsafe { store(cur, var, i32::from_le_bytes, "aws_byte_cursor_read_le_i32") }
}

#[no_mangle]
pub unsafe extern "C" fn aws_byte_cursor_read_be64(
    cur: *mut aws_byte_cursor,
    var: *mut u64,
) -> bool {
    // SAFETY: forwarded caller contract.
    unsafe { store(cur, var, u64::from_be_bytes, "aws_byte_cursor_read_be64") }
}

#[no_mangle]
pub unsafe extern "C" fn aws_byte_cursor_read_float_be32(
    cur: *mut aws_byte_cursor,
    var: *mut f32,
) -> bool {
    // SAFETY: forwarded caller contract.
    unsafe {
        store(
            cur,
            var,
            f32::from_be_bytes,
            "aws_byte_cursor_read_float_be32",
        )
    }
}

#[no_mangle]
pub unsafe extern "C" fn aws_byte_cursor_read_float_be64(
    cur: *mut aws_byte_cursor,
    var: *mut f64,
) -> bool {
    // SAFETY: forwarded caller contract.
    unsafe {
        store(
            cur,
            var,
            f64::from_be_bytes,
            "aws_byte_cursor_read_float_be64",
        )
    }
}

/// Two hex digits (either case) into one byte; false (cursor unchanged) if
/// short or not hex.
#[no_mangle]
pub unsafe extern "C" fn aws_byte_cursor_read_hex_u8(
    cur: *mut aws_byte_cursor,
    var: *mut u8,
) -> bool {
    fatal_precondition!(!var.is_null(), "aws_byte_cursor_read_hex_u8");
    // SAFETY: valid cursor (checked); var checked non-NULL.
    unsafe {
        let c = *cursor_ref(cur, "aws_byte_cursor_read_hex_u8");
        let [hi, lo] = match cursor_bytes(&c) {
            [a, b, ..] => [
                ascii::HEX_TO_NUM[*a as usize],
                ascii::HEX_TO_NUM[*b as usize],
            ],
            _ => return false,
        };
        if hi == 255 || lo == 255 {
            return false;
        }
        *var = (hi << 4) | lo;
        take(&mut *cur, 2);
    }
    true
}

// ---- comparisons -------------------------------------------------------------------------

/// Both cursors' bytes, after the argument checks.
unsafe fn two<'a>(
    a: *const aws_byte_cursor,
    b: *const aws_byte_cursor,
    func: &str,
) -> (&'a [u8], &'a [u8]) {
    // SAFETY: forwarded caller contract; cursor_ref validates.
    unsafe {
        (
            cursor_bytes(cursor_ref(a, func)),
            cursor_bytes(cursor_ref(b, func)),
        )
    }
}

#[no_mangle]
pub unsafe extern "C" fn aws_byte_cursor_eq(
    a: *const aws_byte_cursor,
    b: *const aws_byte_cursor,
) -> bool {
    // SAFETY: forwarded caller contract.
    let (a, b) = unsafe { two(a, b, "aws_byte_cursor_eq") };
    a == b
}

#[no_mangle]
pub unsafe extern "C" fn aws_byte_cursor_eq_ignore_case(
    a: *const aws_byte_cursor,
    b: *const aws_byte_cursor,
) -> bool {
    // SAFETY: forwarded caller contract.
    let (a, b) = unsafe { two(a, b, "aws_byte_cursor_eq_ignore_case") };
    ascii::eq_ignore_case(a, b)
}

#[no_mangle]
pub unsafe extern "C" fn aws_byte_cursor_eq_byte_buf(
    a: *const aws_byte_cursor,
    b: *const aws_byte_buf,
) -> bool {
    const F: &str = "aws_byte_cursor_eq_byte_buf";
    // SAFETY: valid arguments (checked).
    unsafe { cursor_bytes(cursor_ref(a, F)) == buf_bytes(buf_ref(b, F)) }
}

#[no_mangle]
pub unsafe extern "C" fn aws_byte_cursor_eq_byte_buf_ignore_case(
    a: *const aws_byte_cursor,
    b: *const aws_byte_buf,
) -> bool {
    const F: &str = "aws_byte_cursor_eq_byte_buf_ignore_case";
    // SAFETY: valid arguments (checked).
    unsafe { ascii::eq_ignore_case(cursor_bytes(cursor_ref(a, F)), buf_bytes(buf_ref(b, F))) }
}

#[no_mangle]
pub unsafe extern "C" fn aws_byte_cursor_eq_c_str(
    cursor: *const aws_byte_cursor,
    c_str: *const c_char,
) -> bool {
    fatal_precondition!(!c_str.is_null(), "aws_byte_cursor_eq_c_str");
    // SAFETY: valid cursor (checked) and a NUL-terminated string.
    unsafe {
        ascii::eq_c_str(
            cursor_bytes(cursor_ref(cursor, "aws_byte_cursor_eq_c_str")),
            c_str,
            false,
        )
    }
}

#[no_mangle]
pub unsafe extern "C" fn aws_byte_cursor_eq_c_str_ignore_case(
    cursor: *const aws_byte_cursor,
    c_str: *const c_char,
) -> bool {
    fatal_precondition!(!c_str.is_null(), "aws_byte_cursor_eq_c_str_ignore_case");
    // SAFETY: as above.
    unsafe {
        ascii::eq_c_str(
            cursor_bytes(cursor_ref(cursor, "aws_byte_cursor_eq_c_str_ignore_case")),
            c_str,
            true,
        )
    }
}

#[no_mangle]
pub unsafe extern "C" fn aws_byte_cursor_starts_with(
    input: *const aws_byte_cursor,
    prefix: *const aws_byte_cursor,
) -> bool {
    // SAFETY: forwarded caller contract.
    let (input, prefix) = unsafe { two(input, prefix, "aws_byte_cursor_starts_with") };
    input.starts_with(prefix)
}

#[no_mangle]
pub unsafe extern "C" fn aws_byte_cursor_starts_with_ignore_case(
    input: *const aws_byte_cursor,
    prefix: *const aws_byte_cursor,
) -> bool {
    // SAFETY: forwarded caller contract.
    let (input, prefix) = unsafe { two(input, prefix, "aws_byte_cursor_starts_with_ignore_case") };
    input.len() >= prefix.len() && ascii::eq_ignore_case(&input[..prefix.len()], prefix)
}

/// Byte-wise ordering; a proper prefix sorts first. Returns -1, 0 or 1.
#[no_mangle]
pub unsafe extern "C" fn aws_byte_cursor_compare_lexical(
    lhs: *const aws_byte_cursor,
    rhs: *const aws_byte_cursor,
) -> c_int {
    // SAFETY: forwarded caller contract.
    let (l, r) = unsafe { two(lhs, rhs, "aws_byte_cursor_compare_lexical") };
    ordering_to_int(l.cmp(r))
}

/// As `compare_lexical`, comparing `lookup_table[byte]` instead of the bytes.
#[no_mangle]
pub unsafe extern "C" fn aws_byte_cursor_compare_lookup(
    lhs: *const aws_byte_cursor,
    rhs: *const aws_byte_cursor,
    lookup_table: *const u8,
) -> c_int {
    fatal_precondition!(!lookup_table.is_null(), "aws_byte_cursor_compare_lookup");
    // SAFETY: forwarded caller contract; the table has 256 entries.
    let ((l, r), table) = unsafe {
        (
            two(lhs, rhs, "aws_byte_cursor_compare_lookup"),
            &*(lookup_table as *const [u8; 256]),
        )
    };
    let map = |s: &'static [u8]| s.iter().map(move |&b| table[b as usize]);
    ordering_to_int(map(l).cmp(map(r)))
}

// ---- searching and splitting ---------------------------------------------------------------

/// First occurrence of `to_find`: `*first_find` runs from the match to the end
/// of `input_str`. Errors: AWS_ERROR_STRING_MATCH_NOT_FOUND, or
/// AWS_ERROR_SHORT_BUFFER for an empty `to_find` (checked after the length test).
#[no_mangle]
pub unsafe extern "C" fn aws_byte_cursor_find_exact(
    input_str: *const aws_byte_cursor,
    to_find: *const aws_byte_cursor,
    first_find: *mut aws_byte_cursor,
) -> c_int {
    fatal_precondition!(!first_find.is_null(), "aws_byte_cursor_find_exact");
    // SAFETY: forwarded caller contract.
    let (hay, needle) = unsafe { two(input_str, to_find, "aws_byte_cursor_find_exact") };
    if needle.len() > hay.len() {
        return raise(AWS_ERROR_STRING_MATCH_NOT_FOUND);
    }
    if needle.is_empty() {
        return raise(AWS_ERROR_SHORT_BUFFER);
    }
    match find(hay, needle) {
        Some(at) => {
            // SAFETY: first_find checked non-NULL; `at` is inside the input.
            unsafe {
                *first_find = aws_byte_cursor {
                    len: hay.len() - at,
                    ptr: (*input_str).ptr.add(at),
                }
            };
            AWS_OP_SUCCESS
        }
        None => raise(AWS_ERROR_STRING_MATCH_NOT_FOUND),
    }
}

/// Iterates the pieces of `input_str` between occurrences of `split_on`,
/// using `*substr` (zeroed before the first call) as the iterator state.
/// "" yields one empty piece; leading, doubled and trailing separators yield
/// empty pieces. Returns false, zeroing `*substr`, when done.
#[no_mangle]
pub unsafe extern "C" fn aws_byte_cursor_next_split_on_cursor(
    input_str: *const aws_byte_cursor,
    split_on: aws_byte_cursor,
    substr: *mut aws_byte_cursor,
) -> bool {
    const F: &str = "aws_byte_cursor_next_split_on_cursor";
    fatal_precondition!(!substr.is_null(), "aws_byte_cursor_next_split_on_cursor");
    // SAFETY: valid cursors (checked); substr checked non-NULL.
    let (input, sep, state) = unsafe {
        (
            *cursor_ref(input_str, F),
            cursor_bytes(&split_on),
            &mut *substr,
        )
    };
    let first_call = state.ptr.is_null();
    if input.ptr.is_null() {
        // A zeroed input splits into exactly one empty piece; the non-NULL
        // marker pointer makes the next call see it is not the first.
        *state = if first_call {
            aws_byte_cursor {
                len: 0,
                ptr: c"".as_ptr() as *mut u8,
            }
        } else {
            empty()
        };
        return first_call;
    }
    let start = if first_call {
        0
    } else {
        // Offset of the byte after the previous piece and its separator.
        let next = (state.ptr as usize)
            .wrapping_sub(input.ptr as usize)
            .checked_add(state.len + sep.len());
        match next {
            Some(off) if state.ptr >= input.ptr && off <= input.len => off,
            _ => {
                *state = empty();
                return false;
            }
        }
    };
    // SAFETY: the input cursor is readable; start <= len.
    let rest = unsafe { &cursor_bytes(&input)[start..] };
    let len = find(rest, sep).unwrap_or(rest.len());
    // SAFETY: start is inside the input.
    *state = aws_byte_cursor {
        len,
        // SAFETY: start <= input.len, so the pointer stays inside the input.
        ptr: unsafe { input.ptr.add(start) },
    };
    true
}

/// `aws_byte_cursor_next_split_on_cursor` with a one-byte separator.
#[no_mangle]
pub unsafe extern "C" fn aws_byte_cursor_next_split(
    input_str: *const aws_byte_cursor,
    split_on: c_char,
    substr: *mut aws_byte_cursor,
) -> bool {
    let mut sep = split_on as u8;
    // SAFETY: forwarded caller contract; `sep` outlives the call.
    unsafe {
        aws_byte_cursor_next_split_on_cursor(
            input_str,
            aws_byte_cursor {
                len: 1,
                ptr: &mut sep,
            },
            substr,
        )
    }
}

// ---- trimming --------------------------------------------------------------------------------

unsafe fn pred_fn(
    predicate: aws_byte_predicate_fn,
    func: &str,
) -> unsafe extern "C" fn(u8) -> bool {
    predicate.unwrap_or_else(|| crate::ffi::fatal(&format!("{func}: NULL predicate")))
}

/// Drops trailing bytes while `predicate` holds.
#[no_mangle]
pub unsafe extern "C" fn aws_byte_cursor_right_trim_pred(
    source: *const aws_byte_cursor,
    predicate: aws_byte_predicate_fn,
) -> aws_byte_cursor {
    const F: &str = "aws_byte_cursor_right_trim_pred";
    // SAFETY: valid cursor (checked); the predicate is a C function taking a byte.
    unsafe {
        let (mut out, p) = (*cursor_ref(source, F), pred_fn(predicate, F));
        let bytes = cursor_bytes(&out);
        while out.len > 0 && p(bytes[out.len - 1]) {
            out.len -= 1;
        }
        out
    }
}

/// Drops leading bytes while `predicate` holds.
#[no_mangle]
pub unsafe extern "C" fn aws_byte_cursor_left_trim_pred(
    source: *const aws_byte_cursor,
    predicate: aws_byte_predicate_fn,
) -> aws_byte_cursor {
    const F: &str = "aws_byte_cursor_left_trim_pred";
    // SAFETY: as above.
    unsafe {
        let (mut out, p) = (*cursor_ref(source, F), pred_fn(predicate, F));
        let skip = cursor_bytes(&out).iter().take_while(|&&b| p(b)).count();
        take(&mut out, skip);
        out
    }
}

#[no_mangle]
pub unsafe extern "C" fn aws_byte_cursor_trim_pred(
    source: *const aws_byte_cursor,
    predicate: aws_byte_predicate_fn,
) -> aws_byte_cursor {
    // SAFETY: forwarded caller contract.
    unsafe {
        let left = aws_byte_cursor_left_trim_pred(source, predicate);
        aws_byte_cursor_right_trim_pred(&left, predicate)
    }
}

/// True if every byte satisfies `predicate` (so an empty cursor does).
#[no_mangle]
pub unsafe extern "C" fn aws_byte_cursor_satisfies_pred(
    source: *const aws_byte_cursor,
    predicate: aws_byte_predicate_fn,
) -> bool {
    // SAFETY: forwarded caller contract.
    unsafe { aws_byte_cursor_left_trim_pred(source, predicate) }.len == 0
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn find_cases() {
        assert_eq!(find(b"hello world", b"o w"), Some(4));
        assert_eq!(find(b"aaab", b"aab"), Some(1));
        assert_eq!(find(b"abc", b"abcd"), None);
        assert_eq!(find(b"abc", b""), None);
        assert_eq!(find(b"abcabc", b"c"), Some(2));
        assert_eq!(find(b"ab", b"b"), Some(1));
    }

    #[test]
    fn nospec_mask() {
        assert_eq!(aws_nospec_mask(0, 1), usize::MAX);
        assert_eq!(aws_nospec_mask(4, 5), usize::MAX);
        assert_eq!(aws_nospec_mask(5, 5), 0);
        assert_eq!(aws_nospec_mask(6, 5), 0);
        assert_eq!(aws_nospec_mask(1, usize::MAX), 0);
        assert_eq!(aws_nospec_mask(usize::MAX, 3), 0);
    }

    fn split_all(input: &[u8], sep: &[u8]) -> Vec<Vec<u8>> {
        let input_cur = aws_byte_cursor {
            len: input.len(),
            ptr: input.as_ptr() as *mut u8,
        };
        let sep_cur = aws_byte_cursor {
            len: sep.len(),
            ptr: sep.as_ptr() as *mut u8,
        };
        let mut state = empty();
        let mut out = Vec::new();
        // SAFETY: the cursors point at live slices.
        while unsafe { aws_byte_cursor_next_split_on_cursor(&input_cur, sep_cur, &mut state) } {
            // SAFETY: the piece lies inside `input`.
            out.push(unsafe { cursor_bytes(&state) }.to_vec());
            assert!(out.len() <= input.len() + 1, "split does not terminate");
        }
        assert!(state.ptr.is_null());
        out
    }

    #[test]
    fn split_edges() {
        let v = |xs: &[&str]| xs.iter().map(|s| s.as_bytes().to_vec()).collect::<Vec<_>>();
        assert_eq!(split_all(b"", b";"), v(&[""]));
        assert_eq!(split_all(b";A", b";"), v(&["", "A"]));
        assert_eq!(split_all(b"A;;B", b";"), v(&["A", "", "B"]));
        assert_eq!(split_all(b"A;", b";"), v(&["A", ""]));
        assert_eq!(split_all(b"a--b--", b"--"), v(&["a", "b", ""]));
        assert_eq!(split_all(b"abc", b"--"), v(&["abc"]));
    }
}
