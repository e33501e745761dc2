//! Reading a pair's name and value back (`aws_event_stream_header_value_as_*`,
//! `aws_event_stream_header_name`, `..._value_length`).
use super::*;

unsafe fn pair_ref<'a>(header: *const Pair, func: &'static str) -> &'a Pair {
    // SAFETY: this fn's caller guarantees its pointer arguments are valid and used on their owning thread.
    unsafe {
        if header.is_null() {
            crate::ffi::fatal(func);
        }
        // SAFETY: non-null, and the caller passes a valid pair.
        &*header
    }
}

unsafe fn static8(header: *const Pair, func: &'static str) -> [u8; 8] {
    // SAFETY: this fn's caller guarantees its pointer arguments are valid and used on their owning thread.
    unsafe {
        let s = pair_ref(header, func).header_value.static_val;
        [s[0], s[1], s[2], s[3], s[4], s[5], s[6], s[7]]
    }
}

#[no_mangle]
pub unsafe extern "C" fn aws_event_stream_header_name(
    header: *mut aws_event_stream_header_value_pair,
) -> aws_byte_buf {
    // SAFETY: C passes pointers valid as the upstream header documents; NULL is checked where upstream checks it.
    unsafe {
        let p = pair_ref(header, "aws_event_stream_header_name: header is NULL");
        bytes::from_array(
            p.header_name.as_ptr() as *const u8,
            p.header_name_len as usize,
        )
    }
}

#[no_mangle]
pub unsafe extern "C" fn aws_event_stream_header_value_as_byte(
    header: *mut aws_event_stream_header_value_pair,
) -> i8 {
    // SAFETY: C passes pointers valid as the upstream header documents; NULL is checked where upstream checks it.
    unsafe {
        static8(
            header,
            "aws_event_stream_header_value_as_byte: header is NULL",
        )[0] as i8
    }
}

#[no_mangle]
pub unsafe extern "C" fn aws_event_stream_header_value_as_bool(
    header: *mut aws_event_stream_header_value_pair,
) -> i8 {
    // SAFETY: C passes pointers valid as the upstream header documents; NULL is checked where upstream checks it.
    unsafe {
        let p = pair_ref(
            header,
            "aws_event_stream_header_value_as_bool: header is NULL",
        );
        (p.header_value_type == BOOL_TRUE) as i8
    }
}

#[no_mangle]
pub unsafe extern "C" fn aws_event_stream_header_value_as_int16(
    header: *mut aws_event_stream_header_value_pair,
) -> i16 {
    // SAFETY: C passes pointers valid as the upstream header documents; NULL is checked where upstream checks it.
    unsafe {
        let b = static8(
            header,
            "aws_event_stream_header_value_as_int16: header is NULL",
        );
        i16::from_be_bytes([b[0], b[1]])
    }
}

#[no_mangle]
pub unsafe extern "C" fn aws_event_stream_header_value_as_int32(
    header: *mut aws_event_stream_header_value_pair,
) -> i32 {
    // SAFETY: C passes pointers valid as the upstream header documents; NULL is checked where upstream checks it.
    unsafe {
        let b = static8(
            header,
            "aws_event_stream_header_value_as_int32: header is NULL",
        );
        i32::from_be_bytes([b[0], b[1], b[2], b[3]])
    }
}

#[no_mangle]
pub unsafe extern "C" fn aws_event_stream_header_value_as_int64(
    header: *mut aws_event_stream_header_value_pair,
) -> i64 {
    // SAFETY: C passes pointers valid as the upstream header documents; NULL is checked where upstream checks it.
    unsafe {
        i64::from_be_bytes(static8(
            header,
            "aws_event_stream_header_value_as_int64: header is NULL",
        ))
    }
}

#[no_mangle]
pub unsafe extern "C" fn aws_event_stream_header_value_as_timestamp(
    header: *mut aws_event_stream_header_value_pair,
) -> i64 {
    // SAFETY: C passes pointers valid as the upstream header documents; NULL is checked where upstream checks it.
    unsafe { aws_event_stream_header_value_as_int64(header) }
}

#[no_mangle]
pub unsafe extern "C" fn aws_event_stream_header_value_as_bytebuf(
    header: *mut aws_event_stream_header_value_pair,
) -> aws_byte_buf {
    // SAFETY: C passes pointers valid as the upstream header documents; NULL is checked where upstream checks it.
    unsafe {
        let p = pair_ref(
            header,
            "aws_event_stream_header_value_as_bytebuf: header is NULL",
        );
        bytes::from_array(p.header_value.variable_len_val, p.header_value_len as usize)
    }
}

#[no_mangle]
pub unsafe extern "C" fn aws_event_stream_header_value_as_string(
    header: *mut aws_event_stream_header_value_pair,
) -> aws_byte_buf {
    // SAFETY: C passes pointers valid as the upstream header documents; NULL is checked where upstream checks it.
    unsafe { aws_event_stream_header_value_as_bytebuf(header) }
}

#[no_mangle]
pub unsafe extern "C" fn aws_event_stream_header_value_as_uuid(
    header: *mut aws_event_stream_header_value_pair,
) -> aws_byte_buf {
    // SAFETY: C passes pointers valid as the upstream header documents; NULL is checked where upstream checks it.
    unsafe {
        if header.is_null() {
            crate::ffi::fatal("aws_event_stream_header_value_as_uuid: header is NULL");
        }
        // SAFETY: non-null; the view points into the caller's pair.
        let val = ptr::addr_of!((*header).header_value.static_val) as *const u8;
        bytes::from_array(val, UUID_LEN)
    }
}

#[no_mangle]
pub unsafe extern "C" fn aws_event_stream_header_value_length(
    header: *mut aws_event_stream_header_value_pair,
) -> u16 {
    // SAFETY: C passes pointers valid as the upstream header documents; NULL is checked where upstream checks it.
    unsafe {
        pair_ref(
            header,
            "aws_event_stream_header_value_length: header is NULL",
        )
        .header_value_len
    }
}
