//! The four data symbols of `event_stream_rpc.h`: cursors over the reserved
//! header names (static bytes, never freed or written).

use crate::common::abi::aws_byte_cursor;

use super::protocol::{MESSAGE_FLAGS_NAME, MESSAGE_TYPE_NAME, OPERATION_NAME, STREAM_ID_NAME};

const fn cursor(bytes: &'static [u8]) -> aws_byte_cursor {
    aws_byte_cursor {
        len: bytes.len(),
        ptr: bytes.as_ptr() as *mut u8,
    }
}

/// `:message-type` header name.
#[no_mangle]
pub static aws_event_stream_rpc_message_type_name: aws_byte_cursor = cursor(MESSAGE_TYPE_NAME);
/// `:message-flags` header name.
#[no_mangle]
pub static aws_event_stream_rpc_message_flags_name: aws_byte_cursor = cursor(MESSAGE_FLAGS_NAME);
/// `:stream-id` header name.
#[no_mangle]
pub static aws_event_stream_rpc_stream_id_name: aws_byte_cursor = cursor(STREAM_ID_NAME);
/// `operation` header name.
#[no_mangle]
pub static aws_event_stream_rpc_operation_name: aws_byte_cursor = cursor(OPERATION_NAME);

#[cfg(test)]
mod tests {
    use super::*;

    fn bytes(c: &aws_byte_cursor) -> &'static [u8] {
        // SAFETY: every cursor above points at `len` bytes of a static.
        unsafe { std::slice::from_raw_parts(c.ptr, c.len) }
    }

    #[test]
    fn cursors_name_the_reserved_headers() {
        assert_eq!(
            bytes(&aws_event_stream_rpc_message_type_name),
            b":message-type"
        );
        assert_eq!(
            bytes(&aws_event_stream_rpc_message_flags_name),
            b":message-flags"
        );
        assert_eq!(bytes(&aws_event_stream_rpc_stream_id_name), b":stream-id");
        assert_eq!(bytes(&aws_event_stream_rpc_operation_name), b"operation");
        assert_eq!(std::mem::size_of::<aws_byte_cursor>(), 16);
    }
}
