//! Splitting a cursor on a byte into an `aws_array_list` of cursors.
use libc::{c_char, c_int};

use super::cursor::aws_byte_cursor_next_split;
use crate::common::abi::*;
use crate::common::array_list::push_item;

/// Appends up to `n` + 1 pieces of `input_str` split on `split_on` to `output`
/// (n == 0: no limit); the last piece takes the rest of the input.
#[no_mangle]
pub unsafe extern "C" fn aws_byte_cursor_split_on_char_n(
    input_str: *const aws_byte_cursor,
    split_on: c_char,
    n: usize,
    output: *mut aws_array_list,
) -> c_int {
    let max_splits = if n > 0 { n } else { usize::MAX };
    let mut piece = aws_byte_cursor {
        len: 0,
        ptr: std::ptr::null_mut(),
    };
    let mut count = 0usize;
    // SAFETY: input_str is a valid cursor and output a list of cursors (caller contract);
    // every piece points into the input.
    unsafe {
        while count <= max_splits && aws_byte_cursor_next_split(input_str, split_on, &mut piece) {
            if count == max_splits {
                piece.len = (*input_str).len - piece.ptr.offset_from((*input_str).ptr) as usize;
            }
            let rc = push_item(output, &piece);
            if rc != AWS_OP_SUCCESS {
                return rc;
            }
            count += 1;
        }
    }
    AWS_OP_SUCCESS
}

#[no_mangle]
pub unsafe extern "C" fn aws_byte_cursor_split_on_char(
    input_str: *const aws_byte_cursor,
    split_on: c_char,
    output: *mut aws_array_list,
) -> c_int {
    // SAFETY: forwarded caller contract.
    unsafe { aws_byte_cursor_split_on_char_n(input_str, split_on, 0, output) }
}
