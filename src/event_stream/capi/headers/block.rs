//! Header blocks: the encoded size of a list, writing a list to a buffer, and
//! parsing a block into a list.
use super::*;

/// Calls `f` on each pair of a list (none for NULL) until it returns false;
/// returns false if it did. Pairs are read in place, not copied, unless the
/// storage is misaligned (a caller's static buffer).
///
/// # Safety
/// `headers` must be NULL or a valid list of pairs.
pub(crate) unsafe fn each_pair(
    headers: *const aws_array_list,
    mut f: impl FnMut(&Pair) -> bool,
) -> bool {
    // SAFETY: this fn's caller guarantees its pointer arguments are valid and used on their owning thread.
    unsafe {
        if headers.is_null() {
            return true;
        }
        let n = (*headers).length;
        fatal_precondition!(
            n == 0 || (*headers).item_size == mem::size_of::<Pair>(),
            "event-stream header list: item_size is not sizeof(aws_event_stream_header_value_pair)"
        );
        for i in 0..n {
            // SAFETY: i < length, inside the list's storage.
            let p = array_list::item_ptr::<Pair>(headers, i);
            let go_on = if p.is_aligned() {
                f(&*p)
            } else {
                f(&ptr::read_unaligned(p))
            };
            if !go_on {
                return false;
            }
        }
        true
    }
}

/// Wire bytes of one pair, as upstream counts them.
fn pair_wire_len(p: &Pair) -> usize {
    let mut n = 2 + p.header_name_len as usize;
    if is_variable(p.header_value_type) {
        n += 2;
    }
    if p.header_value_type != BOOL_TRUE && p.header_value_type != BOOL_FALSE {
        n += p.header_value_len as usize;
    }
    n
}

#[no_mangle]
pub unsafe extern "C" fn aws_event_stream_compute_headers_required_buffer_len(
    headers: *const aws_array_list,
) -> u32 {
    // SAFETY: C passes pointers valid as the upstream header documents; NULL is checked where upstream checks it.
    unsafe {
        let mut total = 0usize;
        each_pair(headers, |p| {
            total += pair_wire_len(p);
            true
        });
        total as u32
    }
}

/// Writes one pair piece by piece, like upstream: on a short buffer the
/// pieces that fit stay written.
unsafe fn write_pair(buf: &mut aws_byte_buf, p: &Pair) -> bool {
    // SAFETY: this fn's caller guarantees its pointer arguments are valid and used on their owning thread.
    unsafe {
        let name = std::slice::from_raw_parts(
            p.header_name.as_ptr() as *const u8,
            p.header_name_len as usize,
        );
        if !(bytes::write(buf, &[p.header_name_len])
            && bytes::write(buf, name)
            && bytes::write(buf, &[p.header_value_type as u8]))
        {
            return false;
        }
        let len = p.header_value_len as usize;
        match p.header_value_type {
            BOOL_TRUE | BOOL_FALSE => true,
            t if is_variable(t) => {
                bytes::write(buf, &p.header_value_len.to_be_bytes())
                    && bytes::write(buf, crate::ffi::slice(p.header_value.variable_len_val, len))
            }
            t if (AWS_EVENT_STREAM_HEADER_BYTE as c_int
                ..=AWS_EVENT_STREAM_HEADER_UUID as c_int)
                .contains(&t) =>
            {
                if len > UUID_LEN {
                    crate::ffi::fatal("event-stream header: fixed-size value longer than 16 bytes");
                }
                bytes::write(buf, &p.header_value.static_val[..len])
            }
            _ => crate::ffi::fatal("event-stream header: unknown header type"),
        }
    }
}

#[no_mangle]
pub unsafe extern "C" fn aws_event_stream_write_headers_to_buffer_safe(
    headers: *const aws_array_list,
    buf: *mut aws_byte_buf,
) -> c_int {
    // SAFETY: C passes pointers valid as the upstream header documents; NULL is checked where upstream checks it.
    unsafe {
        fatal_precondition!(
            !buf.is_null(),
            "aws_event_stream_write_headers_to_buffer_safe"
        );
        let buf = &mut *buf;
        if !each_pair(headers, |p| write_pair(buf, p)) {
            return raise(AWS_ERROR_EVENT_STREAM_INSUFFICIENT_BUFFER_LEN);
        }
        AWS_OP_SUCCESS
    }
}

/// Deprecated upstream: assumes `buffer` holds the computed length; returns
/// the bytes written, 0 on failure.
#[no_mangle]
pub unsafe extern "C" fn aws_event_stream_write_headers_to_buffer(
    headers: *const aws_array_list,
    buffer: *mut u8,
) -> usize {
    // SAFETY: C passes pointers valid as the upstream header documents; NULL is checked where upstream checks it.
    unsafe {
        fatal_precondition!(
            !buffer.is_null(),
            "aws_event_stream_write_headers_to_buffer"
        );
        let capacity = aws_event_stream_compute_headers_required_buffer_len(headers) as usize;
        let mut buf = aws_byte_buf {
            len: 0,
            buffer,
            capacity,
            allocator: ptr::null_mut(),
        };
        if aws_event_stream_write_headers_to_buffer_safe(headers, &mut buf) != AWS_OP_SUCCESS {
            return 0;
        }
        buf.len
    }
}

/// Parses a header block into `headers` (values point into `buffer`): at most
/// 1024 headers; errors as upstream's one-shot parser (headers before the
/// fault stay in the list).
#[no_mangle]
pub unsafe extern "C" fn aws_event_stream_read_headers_from_buffer(
    headers: *mut aws_array_list,
    buffer: *const u8,
    headers_len: usize,
) -> c_int {
    // SAFETY: C passes pointers valid as the upstream header documents; NULL is checked where upstream checks it.
    unsafe {
        fatal_precondition!(
            !headers.is_null(),
            "aws_event_stream_read_headers_from_buffer"
        );
        fatal_precondition!(
            !buffer.is_null(),
            "aws_event_stream_read_headers_from_buffer"
        );
        if headers_len > MAX_HEADERS_SIZE {
            return raise(AWS_ERROR_EVENT_STREAM_MESSAGE_FIELD_SIZE_EXCEEDED);
        }
        // SAFETY: the caller's buffer holds headers_len bytes.
        let block = std::slice::from_raw_parts(buffer, headers_len);
        for h in HeaderIter::new(block) {
            match h {
                Ok(h) => match array_list::push_zeroed::<Pair>(headers) {
                    Ok(p) => fill_from_raw(p, &h, false),
                    Err(e) => return e,
                },
                Err(e) => return raise(e.aws_error_code()),
            }
        }
        AWS_OP_SUCCESS
    }
}
