//! `#[repr(C)]` mirrors of aws-c-event-stream's public structs, enums, callback
//! typedefs and limit macros (`include/aws/event-stream/event_stream.h` and
//! `event_stream_channel_handler.h`), laid out exactly as upstream (checked
//! against `shared/abi/layouts.tsv`). Error codes live in
//! `common::error_codes`; the RPC structs come with aws-c-io.
use libc::{c_char, c_int, c_void};

use crate::common::abi::{aws_allocator, aws_byte_buf};

pub type enum_aws_event_stream_header_value_type = c_int;

pub const AWS_C_EVENT_STREAM_PACKAGE_ID: c_int = 4;
pub const AWS_EVENT_STREAM_MAX_MESSAGE_SIZE: c_int = 24 * 1024 * 1024;
pub const AWS_EVENT_STREAM_MAX_HEADERS_SIZE: c_int = AWS_EVENT_STREAM_MAX_MESSAGE_SIZE;
pub const AWS_EVENT_STREAM_HEADER_NAME_LEN_MAX: c_int = 255;
pub const AWS_EVENT_STREAM_HEADER_VALUE_LEN_MAX: c_int = 32767;
pub const AWS_EVENT_STREAM_MESSAGE_MAX_HEADERS: c_int = 1024;
pub const AWS_EVENT_STREAM_PRELUDE_LENGTH: u32 = 12;
pub const AWS_EVENT_STREAM_TRAILER_LENGTH: u32 = 4;

#[repr(C)]
pub enum aws_event_stream_header_value_type {
    AWS_EVENT_STREAM_HEADER_BOOL_TRUE = 0,
    AWS_EVENT_STREAM_HEADER_BOOL_FALSE = 1,
    AWS_EVENT_STREAM_HEADER_BYTE = 2,
    AWS_EVENT_STREAM_HEADER_INT16 = 3,
    AWS_EVENT_STREAM_HEADER_INT32 = 4,
    AWS_EVENT_STREAM_HEADER_INT64 = 5,
    AWS_EVENT_STREAM_HEADER_BYTE_BUF = 6,
    AWS_EVENT_STREAM_HEADER_STRING = 7,
    AWS_EVENT_STREAM_HEADER_TIMESTAMP = 8,
    AWS_EVENT_STREAM_HEADER_UUID = 9,
}

#[repr(C)]
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub struct aws_event_stream_message_prelude {
    pub total_len: u32,
    pub headers_len: u32,
    pub prelude_crc: u32,
}

#[repr(C)]
pub struct aws_event_stream_message {
    pub alloc: *mut aws_allocator,
    pub message_buffer: aws_byte_buf,
}

/// Upstream's anonymous union `header_value` (C code only ever names the
/// member, so a named union is source- and layout-compatible).
#[repr(C)]
#[derive(Clone, Copy)]
pub union aws_event_stream_header_value {
    /// STRING and BYTE_BUF values.
    pub variable_len_val: *mut u8,
    /// Fixed-size values, big-endian as on the wire; BOOL keeps 0/1 in byte 0.
    pub static_val: [u8; 16],
}

#[repr(C)]
#[derive(Clone, Copy)]
pub struct aws_event_stream_header_value_pair {
    pub header_name_len: u8,
    pub header_name: [c_char; 255],
    pub header_value_type: enum_aws_event_stream_header_value_type,
    pub header_value: aws_event_stream_header_value,
    pub header_value_len: u16,
    pub value_owned: i8,
}

pub type aws_event_stream_process_state_fn = Option<
    unsafe extern "C" fn(
        decoder: *mut aws_event_stream_streaming_decoder,
        data: *const u8,
        len: usize,
        processed: *mut usize,
    ) -> c_int,
>;

pub type aws_event_stream_process_on_payload_segment_fn = Option<
    unsafe extern "C" fn(
        decoder: *mut aws_event_stream_streaming_decoder,
        payload: *mut aws_byte_buf,
        final_segment: i8,
        user_data: *mut c_void,
    ),
>;

pub type aws_event_stream_prelude_received_fn = Option<
    unsafe extern "C" fn(
        decoder: *mut aws_event_stream_streaming_decoder,
        prelude: *mut aws_event_stream_message_prelude,
        user_data: *mut c_void,
    ),
>;

pub type aws_event_stream_header_received_fn = Option<
    unsafe extern "C" fn(
        decoder: *mut aws_event_stream_streaming_decoder,
        prelude: *mut aws_event_stream_message_prelude,
        header: *mut aws_event_stream_header_value_pair,
        user_data: *mut c_void,
    ),
>;

pub type aws_event_stream_on_complete_fn = Option<
    unsafe extern "C" fn(
        decoder: *mut aws_event_stream_streaming_decoder,
        message_crc: u32,
        user_data: *mut c_void,
    ),
>;

pub type aws_event_stream_on_error_fn = Option<
    unsafe extern "C" fn(
        decoder: *mut aws_event_stream_streaming_decoder,
        prelude: *mut aws_event_stream_message_prelude,
        error_code: c_int,
        message: *const c_char,
        user_data: *mut c_void,
    ),
>;

/// Embedded by value in callers. `alloc`, the callbacks and `user_context` are
/// upstream's; the fields from `working_buffer` to `state` are private to the
/// implementation (ours keeps its bookkeeping there: the state of a message
/// received in part, a pump-running flag, the error a failed decoder keeps; see
/// `capi::decoder`), except `prelude` and `current_header`, which callbacks see.
#[repr(C)]
pub struct aws_event_stream_streaming_decoder {
    pub alloc: *mut aws_allocator,
    pub working_buffer: [u8; 12],
    pub message_pos: usize,
    pub running_crc: u32,
    pub current_header_name_offset: usize,
    pub current_header_value_offset: usize,
    pub current_header: aws_event_stream_header_value_pair,
    pub prelude: aws_event_stream_message_prelude,
    pub state: aws_event_stream_process_state_fn,
    pub on_payload: aws_event_stream_process_on_payload_segment_fn,
    pub on_prelude: aws_event_stream_prelude_received_fn,
    pub on_header: aws_event_stream_header_received_fn,
    pub on_complete: aws_event_stream_on_complete_fn,
    pub on_error: aws_event_stream_on_error_fn,
    pub user_context: *mut c_void,
}

#[repr(C)]
pub struct aws_event_stream_streaming_decoder_options {
    pub on_payload_segment: aws_event_stream_process_on_payload_segment_fn,
    pub on_prelude: aws_event_stream_prelude_received_fn,
    pub on_header: aws_event_stream_header_received_fn,
    pub on_complete: aws_event_stream_on_complete_fn,
    pub on_error: aws_event_stream_on_error_fn,
    pub user_data: *mut c_void,
}

pub type aws_event_stream_channel_handler_on_message_received_fn = Option<
    unsafe extern "C" fn(
        message: *mut aws_event_stream_message,
        error_code: c_int,
        user_data: *mut c_void,
    ),
>;

pub type aws_event_stream_channel_handler_on_message_written_fn = Option<
    unsafe extern "C" fn(
        message: *mut aws_event_stream_message,
        error_code: c_int,
        user_data: *mut c_void,
    ),
>;

#[repr(C)]
pub struct aws_event_stream_channel_handler_options {
    pub on_message_received: aws_event_stream_channel_handler_on_message_received_fn,
    pub user_data: *mut c_void,
    pub initial_window_size: usize,
    pub manual_window_management: bool,
}

// Layouts from shared/abi/layouts.tsv (x86_64).
const _: () = {
    use std::mem::{align_of, offset_of, size_of};
    assert!(size_of::<aws_event_stream_message_prelude>() == 12);
    assert!(size_of::<aws_event_stream_message>() == 40);
    assert!(size_of::<aws_event_stream_header_value_pair>() == 288);
    assert!(align_of::<aws_event_stream_header_value_pair>() == 8);
    assert!(offset_of!(aws_event_stream_header_value_pair, header_value_type) == 256);
    assert!(offset_of!(aws_event_stream_header_value_pair, header_value) == 264);
    assert!(offset_of!(aws_event_stream_header_value_pair, header_value_len) == 280);
    assert!(offset_of!(aws_event_stream_header_value_pair, value_owned) == 282);
    assert!(size_of::<aws_event_stream_streaming_decoder>() == 416);
    assert!(offset_of!(aws_event_stream_streaming_decoder, message_pos) == 24);
    assert!(offset_of!(aws_event_stream_streaming_decoder, current_header) == 56);
    assert!(offset_of!(aws_event_stream_streaming_decoder, prelude) == 344);
    assert!(offset_of!(aws_event_stream_streaming_decoder, state) == 360);
    assert!(offset_of!(aws_event_stream_streaming_decoder, user_context) == 408);
    assert!(size_of::<aws_event_stream_streaming_decoder_options>() == 48);
    assert!(size_of::<aws_event_stream_channel_handler_options>() == 32);
};

// ---- logging ----------------------------------------------------------------

#[repr(C)]
pub enum aws_event_stream_log_subject {
    AWS_LS_EVENT_STREAM_GENERAL = 4096,
    AWS_LS_EVENT_STREAM_CHANNEL_HANDLER = 4097,
    AWS_LS_EVENT_STREAM_RPC_SERVER = 4098,
    AWS_LS_EVENT_STREAM_RPC_CLIENT = 4099,
    AWS_LS_EVENT_STREAM_LAST = 5119,
}

// ---- RPC (types only; the RPC server and client come with their own issue) ----

use crate::common::abi::aws_byte_cursor;
use crate::io::abi::{
    aws_client_bootstrap, aws_server_bootstrap, aws_socket_options, aws_tls_connection_options,
};

pub type enum_aws_event_stream_rpc_message_type = c_int;

#[repr(C)]
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum aws_event_stream_rpc_message_type {
    AWS_EVENT_STREAM_RPC_MESSAGE_TYPE_APPLICATION_MESSAGE = 0,
    AWS_EVENT_STREAM_RPC_MESSAGE_TYPE_APPLICATION_ERROR = 1,
    AWS_EVENT_STREAM_RPC_MESSAGE_TYPE_PING = 2,
    AWS_EVENT_STREAM_RPC_MESSAGE_TYPE_PING_RESPONSE = 3,
    AWS_EVENT_STREAM_RPC_MESSAGE_TYPE_CONNECT = 4,
    AWS_EVENT_STREAM_RPC_MESSAGE_TYPE_CONNECT_ACK = 5,
    AWS_EVENT_STREAM_RPC_MESSAGE_TYPE_PROTOCOL_ERROR = 6,
    AWS_EVENT_STREAM_RPC_MESSAGE_TYPE_INTERNAL_ERROR = 7,
    AWS_EVENT_STREAM_RPC_MESSAGE_TYPE_COUNT = 8,
}

#[repr(C)]
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum aws_event_stream_rpc_message_flag {
    AWS_EVENT_STREAM_RPC_MESSAGE_FLAG_CONNECTION_ACCEPTED = 1,
    AWS_EVENT_STREAM_RPC_MESSAGE_FLAG_TERMINATE_STREAM = 2,
}

#[repr(C)]
pub struct aws_event_stream_rpc_message_args {
    pub headers: *mut aws_event_stream_header_value_pair,
    pub headers_count: usize,
    pub payload: *mut aws_byte_buf,
    pub message_type: enum_aws_event_stream_rpc_message_type,
    pub message_flags: u32,
}

/// Opaque RPC handles.
pub struct aws_event_stream_rpc_server_connection {
    _opaque: [u8; 0],
}
pub struct aws_event_stream_rpc_server_continuation_token {
    _opaque: [u8; 0],
}
pub struct aws_event_stream_rpc_server_listener {
    _opaque: [u8; 0],
}
pub struct aws_event_stream_rpc_client_connection {
    _opaque: [u8; 0],
}
pub struct aws_event_stream_rpc_client_continuation_token {
    _opaque: [u8; 0],
}

pub type aws_event_stream_rpc_server_stream_continuation_fn = Option<
    unsafe extern "C" fn(
        token: *mut aws_event_stream_rpc_server_continuation_token,
        message_args: *const aws_event_stream_rpc_message_args,
        user_data: *mut c_void,
    ),
>;
pub type aws_event_stream_rpc_server_stream_continuation_closed_fn = Option<
    unsafe extern "C" fn(
        token: *mut aws_event_stream_rpc_server_continuation_token,
        user_data: *mut c_void,
    ),
>;
pub type aws_event_stream_rpc_server_connection_protocol_message_fn = Option<
    unsafe extern "C" fn(
        connection: *mut aws_event_stream_rpc_server_connection,
        message_args: *const aws_event_stream_rpc_message_args,
        user_data: *mut c_void,
    ),
>;
pub type aws_event_stream_rpc_server_on_incoming_stream_fn = Option<
    unsafe extern "C" fn(
        connection: *mut aws_event_stream_rpc_server_connection,
        token: *mut aws_event_stream_rpc_server_continuation_token,
        operation_name: aws_byte_cursor,
        continuation_options: *mut aws_event_stream_rpc_server_stream_continuation_options,
        user_data: *mut c_void,
    ) -> c_int,
>;
pub type aws_event_stream_rpc_server_on_new_connection_fn = Option<
    unsafe extern "C" fn(
        connection: *mut aws_event_stream_rpc_server_connection,
        error_code: c_int,
        connection_options: *mut aws_event_stream_rpc_connection_options,
        user_data: *mut c_void,
    ) -> c_int,
>;
pub type aws_event_stream_rpc_server_on_connection_shutdown_fn = Option<
    unsafe extern "C" fn(
        connection: *mut aws_event_stream_rpc_server_connection,
        error_code: c_int,
        user_data: *mut c_void,
    ),
>;
pub type aws_event_stream_rpc_server_message_flush_fn =
    Option<unsafe extern "C" fn(error_code: c_int, user_data: *mut c_void)>;
pub type aws_event_stream_rpc_server_on_listener_destroy_fn = Option<
    unsafe extern "C" fn(server: *mut aws_event_stream_rpc_server_listener, user_data: *mut c_void),
>;

#[repr(C)]
pub struct aws_event_stream_rpc_server_stream_continuation_options {
    pub on_continuation: aws_event_stream_rpc_server_stream_continuation_fn,
    pub on_continuation_closed: aws_event_stream_rpc_server_stream_continuation_closed_fn,
    pub user_data: *mut c_void,
}

#[repr(C)]
pub struct aws_event_stream_rpc_connection_options {
    pub on_incoming_stream: aws_event_stream_rpc_server_on_incoming_stream_fn,
    pub on_connection_protocol_message: aws_event_stream_rpc_server_connection_protocol_message_fn,
    pub user_data: *mut c_void,
}

#[repr(C)]
pub struct aws_event_stream_rpc_server_listener_options {
    pub host_name: *const c_char,
    pub port: u32,
    pub socket_options: *const aws_socket_options,
    pub tls_options: *const aws_tls_connection_options,
    pub bootstrap: *mut aws_server_bootstrap,
    pub on_new_connection: aws_event_stream_rpc_server_on_new_connection_fn,
    pub on_connection_shutdown: aws_event_stream_rpc_server_on_connection_shutdown_fn,
    pub on_destroy_callback: aws_event_stream_rpc_server_on_listener_destroy_fn,
    pub user_data: *mut c_void,
}

pub type aws_event_stream_rpc_client_stream_continuation_fn = Option<
    unsafe extern "C" fn(
        token: *mut aws_event_stream_rpc_client_continuation_token,
        message_args: *const aws_event_stream_rpc_message_args,
        user_data: *mut c_void,
    ),
>;
pub type aws_event_stream_rpc_client_stream_continuation_closed_fn = Option<
    unsafe extern "C" fn(
        token: *mut aws_event_stream_rpc_client_continuation_token,
        user_data: *mut c_void,
    ),
>;
pub type aws_event_stream_rpc_client_stream_continuation_terminated_fn =
    Option<unsafe extern "C" fn(user_data: *mut c_void)>;
pub type aws_event_stream_rpc_client_connection_protocol_message_fn = Option<
    unsafe extern "C" fn(
        connection: *mut aws_event_stream_rpc_client_connection,
        message_args: *const aws_event_stream_rpc_message_args,
        user_data: *mut c_void,
    ),
>;
pub type aws_event_stream_rpc_client_on_connection_shutdown_fn = Option<
    unsafe extern "C" fn(
        connection: *mut aws_event_stream_rpc_client_connection,
        error_code: c_int,
        user_data: *mut c_void,
    ),
>;
pub type aws_event_stream_rpc_client_on_connection_setup_fn = Option<
    unsafe extern "C" fn(
        connection: *mut aws_event_stream_rpc_client_connection,
        error_code: c_int,
        user_data: *mut c_void,
    ),
>;
pub type aws_event_stream_rpc_client_on_connection_terminated_fn =
    Option<unsafe extern "C" fn(user_data: *mut c_void)>;
pub type aws_event_stream_rpc_client_message_flush_fn =
    Option<unsafe extern "C" fn(error_code: c_int, user_data: *mut c_void)>;

#[repr(C)]
pub struct aws_event_stream_rpc_client_stream_continuation_options {
    pub on_continuation: aws_event_stream_rpc_client_stream_continuation_fn,
    pub on_continuation_closed: aws_event_stream_rpc_client_stream_continuation_closed_fn,
    pub on_continuation_terminated: aws_event_stream_rpc_client_stream_continuation_terminated_fn,
    pub user_data: *mut c_void,
}

#[repr(C)]
pub struct aws_event_stream_rpc_client_connection_options {
    pub host_name: *const c_char,
    pub port: u32,
    pub socket_options: *const aws_socket_options,
    pub tls_options: *const aws_tls_connection_options,
    pub bootstrap: *mut aws_client_bootstrap,
    pub on_connection_setup: aws_event_stream_rpc_client_on_connection_setup_fn,
    pub on_connection_protocol_message: aws_event_stream_rpc_client_connection_protocol_message_fn,
    pub on_connection_shutdown: aws_event_stream_rpc_client_on_connection_shutdown_fn,
    pub on_connection_terminated: aws_event_stream_rpc_client_on_connection_terminated_fn,
    pub user_data: *mut c_void,
}
