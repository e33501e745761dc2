//! `#[repr(C)]` mirrors of aws-c-io's public structs, enums and callback
//! typedefs, named and laid out exactly as upstream (checked against
//! `shared/abi/layouts.tsv` by the generated C ABI test). Structs upstream keeps
//! opaque (`aws_channel`, `aws_socket_vtable`, ...) are declared without
//! `#[repr(C)]`, which makes cbindgen emit only a forward declaration.
use libc::{c_char, c_int, c_void};

use crate::common::abi::*;

// ---- enums --------------------------------------------------------------------

pub type enum_aws_io_event_type = c_int;
pub type enum_aws_event_loop_type = c_int;
pub type enum_aws_socket_domain = c_int;
pub type enum_aws_socket_type = c_int;
pub type enum_aws_socket_impl_type = c_int;
pub type enum_aws_socket_tcp_nodelay = c_int;
pub type enum_aws_channel_direction = c_int;
pub type enum_aws_io_message_type = c_int;
pub type enum_aws_tls_versions = c_int;
pub type enum_aws_tls_cipher_pref = c_int;
pub type enum_aws_tls_negotiation_status = c_int;
pub type enum_aws_tls_hash_algorithm = c_int;
pub type enum_aws_tls_signature_algorithm = c_int;
pub type enum_aws_tls_key_operation_type = c_int;
pub type enum_aws_address_record_type = c_int;
pub type enum_aws_pkcs11_lib_behavior = c_int;

#[repr(C)]
pub enum aws_io_event_type {
    AWS_IO_EVENT_TYPE_READABLE = 1,
    AWS_IO_EVENT_TYPE_WRITABLE = 2,
    AWS_IO_EVENT_TYPE_REMOTE_HANG_UP = 4,
    AWS_IO_EVENT_TYPE_CLOSED = 8,
    AWS_IO_EVENT_TYPE_ERROR = 16,
}

#[repr(C)]
pub enum aws_event_loop_type {
    AWS_EVENT_LOOP_PLATFORM_DEFAULT = 0,
    AWS_EVENT_LOOP_EPOLL = 1,
    AWS_EVENT_LOOP_IOCP = 2,
    AWS_EVENT_LOOP_KQUEUE = 3,
    AWS_EVENT_LOOP_DISPATCH_QUEUE = 4,
}

#[repr(C)]
pub enum aws_socket_domain {
    AWS_SOCKET_IPV4 = 0,
    AWS_SOCKET_IPV6 = 1,
    AWS_SOCKET_LOCAL = 2,
    AWS_SOCKET_VSOCK = 3,
}

#[repr(C)]
pub enum aws_socket_type {
    AWS_SOCKET_STREAM = 0,
    AWS_SOCKET_DGRAM = 1,
}

#[repr(C)]
pub enum aws_socket_impl_type {
    AWS_SOCKET_IMPL_PLATFORM_DEFAULT = 0,
    AWS_SOCKET_IMPL_POSIX = 1,
    AWS_SOCKET_IMPL_WINSOCK = 2,
    AWS_SOCKET_IMPL_APPLE_NETWORK_FRAMEWORK = 3,
}

#[repr(C)]
pub enum aws_socket_tcp_nodelay {
    AWS_SOCKET_TCP_NODELAY_DEFAULT = 0,
    AWS_SOCKET_TCP_NODELAY_ON = 1,
    AWS_SOCKET_TCP_NODELAY_OFF = 2,
}

#[repr(C)]
pub enum aws_channel_direction {
    AWS_CHANNEL_DIR_READ = 0,
    AWS_CHANNEL_DIR_WRITE = 1,
}

#[repr(C)]
pub enum aws_io_message_type {
    AWS_IO_MESSAGE_APPLICATION_DATA = 0,
}

#[repr(C)]
pub enum aws_tls_versions {
    AWS_IO_SSLv3 = 0,
    AWS_IO_TLSv1 = 1,
    AWS_IO_TLSv1_1 = 2,
    AWS_IO_TLSv1_2 = 3,
    AWS_IO_TLSv1_3 = 4,
    AWS_IO_TLS_VER_SYS_DEFAULTS = 128,
}

#[repr(C)]
pub enum aws_tls_cipher_pref {
    AWS_IO_TLS_CIPHER_PREF_SYSTEM_DEFAULT = 0,
    AWS_IO_TLS_CIPHER_PREF_KMS_PQ_TLSv1_0_2019_06 = 1,
    AWS_IO_TLS_CIPHER_PREF_KMS_PQ_SIKE_TLSv1_0_2019_11 = 2,
    AWS_IO_TLS_CIPHER_PREF_KMS_PQ_TLSv1_0_2020_02 = 3,
    AWS_IO_TLS_CIPHER_PREF_KMS_PQ_SIKE_TLSv1_0_2020_02 = 4,
    AWS_IO_TLS_CIPHER_PREF_KMS_PQ_TLSv1_0_2020_07 = 5,
    AWS_IO_TLS_CIPHER_PREF_PQ_TLSv1_0_2021_05 = 6,
    AWS_IO_TLS_CIPHER_PREF_PQ_TLSV1_2_2024_10 = 7,
    AWS_IO_TLS_CIPHER_PREF_PQ_DEFAULT = 8,
    AWS_IO_TLS_CIPHER_PREF_TLSV1_2_2025_07 = 9,
    AWS_IO_TLS_CIPHER_PREF_TLSV1_0_2023_06 = 10,
    AWS_IO_TLS_CIPHER_PREF_NON_PQ_DEFAULT = 11,
    AWS_IO_TLS_CIPHER_PREF_END_RANGE = 65535,
}

#[repr(C)]
pub enum aws_tls_negotiation_status {
    AWS_TLS_NEGOTIATION_STATUS_NONE = 0,
    AWS_TLS_NEGOTIATION_STATUS_ONGOING = 1,
    AWS_TLS_NEGOTIATION_STATUS_SUCCESS = 2,
    AWS_TLS_NEGOTIATION_STATUS_FAILURE = 3,
}

/// Digest of a custom private-key operation.
#[repr(C)]
pub enum aws_tls_hash_algorithm {
    AWS_TLS_HASH_UNKNOWN = 0,
    AWS_TLS_HASH_SHA1 = 1,
    AWS_TLS_HASH_SHA224 = 2,
    AWS_TLS_HASH_SHA256 = 3,
    AWS_TLS_HASH_SHA384 = 4,
    AWS_TLS_HASH_SHA512 = 5,
}

/// Signature algorithm of a custom private-key operation.
#[repr(C)]
pub enum aws_tls_signature_algorithm {
    AWS_TLS_SIGNATURE_UNKNOWN = 0,
    AWS_TLS_SIGNATURE_RSA = 1,
    AWS_TLS_SIGNATURE_ECDSA = 2,
}

/// Kind of a custom private-key operation.
#[repr(C)]
pub enum aws_tls_key_operation_type {
    AWS_TLS_KEY_OPERATION_UNKNOWN = 0,
    AWS_TLS_KEY_OPERATION_SIGN = 1,
    AWS_TLS_KEY_OPERATION_DECRYPT = 2,
}

#[repr(C)]
pub enum aws_address_record_type {
    AWS_ADDRESS_RECORD_TYPE_A = 0,
    AWS_ADDRESS_RECORD_TYPE_AAAA = 1,
}

#[repr(C)]
pub enum aws_get_host_address_flags {
    AWS_GET_HOST_ADDRESS_COUNT_RECORD_TYPE_A = 1,
    AWS_GET_HOST_ADDRESS_COUNT_RECORD_TYPE_AAAA = 2,
}

#[repr(C)]
pub enum aws_crt_io_statistics_category {
    AWSCRT_STAT_CAT_SOCKET = 256,
    AWSCRT_STAT_CAT_TLS = 257,
}

/// When `aws_pkcs11_lib_new` calls the module's C_Initialize and C_Finalize.
#[repr(C)]
pub enum aws_pkcs11_lib_behavior {
    AWS_PKCS11_LIB_DEFAULT_BEHAVIOR = 0,
    AWS_PKCS11_LIB_OMIT_INITIALIZE = 1,
    AWS_PKCS11_LIB_STRICT_INITIALIZE_FINALIZE = 2,
}

/// Read state of upstream's TLS back ends (`private/tls_channel_handler_shared.h`).
#[repr(C)]
pub enum aws_tls_handler_read_state {
    AWS_TLS_HANDLER_OPEN = 0,
    AWS_TLS_HANDLER_READ_SHUTTING_DOWN = 1,
    AWS_TLS_HANDLER_READ_SHUT_DOWN_COMPLETE = 2,
}

pub const AWS_C_IO_PACKAGE_ID: c_int = 1;
pub const AWS_NETWORK_INTERFACE_NAME_MAX: c_int = 16;
pub const AWS_ADDRESS_MAX_LEN: c_int = 108;
pub const AWS_TLS_NEGOTIATED_PROTOCOL_MESSAGE: c_int = 1;

// ---- opaque types -------------------------------------------------------------

/// A channel: upstream keeps its layout private.
pub struct aws_channel {
    _opaque: [u8; 0],
}
pub struct aws_socket_vtable {
    _opaque: [u8; 0],
}
/// A private-key operation of a TLS handshake (private upstream).
pub struct aws_tls_key_operation {
    _opaque: [u8; 0],
}
/// A loaded PKCS#11 library (private upstream).
pub struct aws_pkcs11_lib {
    _opaque: [u8; 0],
}
/// The Cryptoki function table (`pkcs11.h` of the PKCS#11 standard): only
/// named here, so C sees a declaration compatible with the standard header.
pub struct CK_FUNCTION_LIST {
    _opaque: [u8; 0],
}

// ---- io handles, messages, event loops -----------------------------------------

pub type aws_io_set_queue_on_handle_fn =
    Option<unsafe extern "C" fn(handle: *mut aws_io_handle, queue: *mut c_void)>;
pub type aws_io_clock_fn = Option<unsafe extern "C" fn(timestamp: *mut u64) -> c_int>;

#[repr(C)]
#[derive(Clone, Copy)]
pub union aws_io_handle_data {
    pub fd: c_int,
    pub handle: *mut c_void,
}

#[repr(C)]
pub struct aws_io_handle {
    pub data: aws_io_handle_data,
    pub additional_data: *mut c_void,
    pub set_queue: aws_io_set_queue_on_handle_fn,
}

pub type aws_channel_on_message_write_completed_fn = Option<
    unsafe extern "C" fn(
        channel: *mut aws_channel,
        message: *mut aws_io_message,
        err_code: c_int,
        user_data: *mut c_void,
    ),
>;

#[repr(C)]
pub struct aws_io_message {
    pub allocator: *mut aws_allocator,
    pub message_data: aws_byte_buf,
    pub message_type: enum_aws_io_message_type,
    pub message_tag: c_int,
    pub copy_mark: usize,
    pub owning_channel: *mut aws_channel,
    pub on_completion: aws_channel_on_message_write_completed_fn,
    pub user_data: *mut c_void,
    pub queueing_handle: aws_linked_list_node,
}

pub type aws_event_loop_on_event_fn = Option<
    unsafe extern "C" fn(
        event_loop: *mut aws_event_loop,
        handle: *mut aws_io_handle,
        events: c_int,
        user_data: *mut c_void,
    ),
>;

#[repr(C)]
pub struct aws_event_loop_vtable {
    pub start_destroy: Option<unsafe extern "C" fn(event_loop: *mut aws_event_loop)>,
    pub complete_destroy: Option<unsafe extern "C" fn(event_loop: *mut aws_event_loop)>,
    pub run: Option<unsafe extern "C" fn(event_loop: *mut aws_event_loop) -> c_int>,
    pub stop: Option<unsafe extern "C" fn(event_loop: *mut aws_event_loop) -> c_int>,
    pub wait_for_stop_completion:
        Option<unsafe extern "C" fn(event_loop: *mut aws_event_loop) -> c_int>,
    pub schedule_task_now:
        Option<unsafe extern "C" fn(event_loop: *mut aws_event_loop, task: *mut aws_task)>,
    pub schedule_task_now_serialized:
        Option<unsafe extern "C" fn(event_loop: *mut aws_event_loop, task: *mut aws_task)>,
    pub schedule_task_future: Option<
        unsafe extern "C" fn(
            event_loop: *mut aws_event_loop,
            task: *mut aws_task,
            run_at_nanos: u64,
        ),
    >,
    pub cancel_task:
        Option<unsafe extern "C" fn(event_loop: *mut aws_event_loop, task: *mut aws_task)>,
    pub connect_to_io_completion_port: Option<
        unsafe extern "C" fn(event_loop: *mut aws_event_loop, handle: *mut aws_io_handle) -> c_int,
    >,
    pub subscribe_to_io_events: Option<
        unsafe extern "C" fn(
            event_loop: *mut aws_event_loop,
            handle: *mut aws_io_handle,
            events: c_int,
            on_event: aws_event_loop_on_event_fn,
            user_data: *mut c_void,
        ) -> c_int,
    >,
    pub unsubscribe_from_io_events: Option<
        unsafe extern "C" fn(event_loop: *mut aws_event_loop, handle: *mut aws_io_handle) -> c_int,
    >,
    pub free_io_event_resources: Option<unsafe extern "C" fn(user_data: *mut c_void)>,
    pub is_on_callers_thread: Option<unsafe extern "C" fn(event_loop: *mut aws_event_loop) -> bool>,
}

#[repr(C)]
pub struct aws_event_loop {
    pub vtable: *mut aws_event_loop_vtable,
    pub alloc: *mut aws_allocator,
    pub clock: aws_io_clock_fn,
    pub local_data: aws_hash_table,
    pub current_load_factor: aws_atomic_var,
    pub latest_tick_start: u64,
    pub current_tick_latency_sum: usize,
    pub next_flush_time: aws_atomic_var,
    pub base_elg: *mut aws_event_loop_group,
    pub impl_data: *mut c_void,
}

pub type aws_event_loop_on_local_object_removed_fn =
    Option<unsafe extern "C" fn(object: *mut aws_event_loop_local_object)>;

#[repr(C)]
pub struct aws_event_loop_local_object {
    pub key: *const c_void,
    pub object: *mut c_void,
    pub on_object_removed: aws_event_loop_on_local_object_removed_fn,
}

#[repr(C)]
pub struct aws_event_loop_options {
    pub clock: aws_io_clock_fn,
    pub thread_options: *mut aws_thread_options,
    pub r#type: enum_aws_event_loop_type,
    pub parent_elg: *mut aws_event_loop_group,
}

#[repr(C)]
pub struct aws_event_loop_group {
    pub allocator: *mut aws_allocator,
    pub event_loops: aws_array_list,
    pub ref_count: aws_ref_count,
    pub shutdown_options: aws_shutdown_callback_options,
    pub event_loop_type: enum_aws_event_loop_type,
}

#[repr(C)]
pub struct aws_event_loop_group_options {
    pub loop_count: u16,
    pub r#type: enum_aws_event_loop_type,
    pub shutdown_options: *const aws_shutdown_callback_options,
    pub cpu_group: *const u16,
    pub clock_override: aws_io_clock_fn,
}

// ---- channels -------------------------------------------------------------------

pub type aws_channel_on_setup_completed_fn = Option<
    unsafe extern "C" fn(channel: *mut aws_channel, error_code: c_int, user_data: *mut c_void),
>;
pub type aws_channel_on_shutdown_completed_fn = Option<
    unsafe extern "C" fn(channel: *mut aws_channel, error_code: c_int, user_data: *mut c_void),
>;
pub type aws_channel_task_fn = Option<
    unsafe extern "C" fn(
        channel_task: *mut aws_channel_task,
        arg: *mut c_void,
        status: enum_aws_task_status,
    ),
>;

#[repr(C)]
pub struct aws_channel_slot {
    pub alloc: *mut aws_allocator,
    pub channel: *mut aws_channel,
    pub adj_left: *mut aws_channel_slot,
    pub adj_right: *mut aws_channel_slot,
    pub handler: *mut aws_channel_handler,
    pub window_size: usize,
    pub upstream_message_overhead: usize,
    pub current_window_update_batch_size: usize,
}

#[repr(C)]
pub struct aws_channel_task {
    pub wrapper_task: aws_task,
    pub task_fn: aws_channel_task_fn,
    pub arg: *mut c_void,
    pub type_tag: *const c_char,
    pub node: aws_linked_list_node,
}

#[repr(C)]
pub struct aws_channel_handler_vtable {
    pub process_read_message: Option<
        unsafe extern "C" fn(
            handler: *mut aws_channel_handler,
            slot: *mut aws_channel_slot,
            message: *mut aws_io_message,
        ) -> c_int,
    >,
    pub process_write_message: Option<
        unsafe extern "C" fn(
            handler: *mut aws_channel_handler,
            slot: *mut aws_channel_slot,
            message: *mut aws_io_message,
        ) -> c_int,
    >,
    pub increment_read_window: Option<
        unsafe extern "C" fn(
            handler: *mut aws_channel_handler,
            slot: *mut aws_channel_slot,
            size: usize,
        ) -> c_int,
    >,
    pub shutdown: Option<
        unsafe extern "C" fn(
            handler: *mut aws_channel_handler,
            slot: *mut aws_channel_slot,
            dir: enum_aws_channel_direction,
            error_code: c_int,
            free_scarce_resources_immediately: bool,
        ) -> c_int,
    >,
    pub initial_window_size:
        Option<unsafe extern "C" fn(handler: *mut aws_channel_handler) -> usize>,
    pub message_overhead: Option<unsafe extern "C" fn(handler: *mut aws_channel_handler) -> usize>,
    pub destroy: Option<unsafe extern "C" fn(handler: *mut aws_channel_handler)>,
    pub reset_statistics: Option<unsafe extern "C" fn(handler: *mut aws_channel_handler)>,
    pub gather_statistics: Option<
        unsafe extern "C" fn(handler: *mut aws_channel_handler, stats_list: *mut aws_array_list),
    >,
    pub trigger_read: Option<unsafe extern "C" fn(handler: *mut aws_channel_handler)>,
}

#[repr(C)]
pub struct aws_channel_handler {
    pub vtable: *mut aws_channel_handler_vtable,
    pub alloc: *mut aws_allocator,
    pub slot: *mut aws_channel_slot,
    pub r#impl: *mut c_void,
}

#[repr(C)]
pub struct aws_channel_options {
    pub event_loop: *mut aws_event_loop,
    pub on_setup_completed: aws_channel_on_setup_completed_fn,
    pub on_shutdown_completed: aws_channel_on_shutdown_completed_fn,
    pub setup_user_data: *mut c_void,
    pub shutdown_user_data: *mut c_void,
    pub enable_read_back_pressure: bool,
}

#[repr(C)]
pub struct aws_memory_pool {
    pub alloc: *mut aws_allocator,
    pub stack: aws_array_list,
    pub ideal_segment_count: u16,
    pub segment_size: usize,
    pub data_ptr: *mut c_void,
}

#[repr(C)]
pub struct aws_message_pool {
    pub alloc: *mut aws_allocator,
    pub application_data_pool: aws_memory_pool,
    pub small_block_pool: aws_memory_pool,
}

#[repr(C)]
pub struct aws_message_pool_creation_args {
    pub application_data_msg_data_size: usize,
    pub application_data_msg_count: u8,
    pub small_block_msg_data_size: usize,
    pub small_block_msg_count: u8,
}

// ---- sockets ----------------------------------------------------------------------

#[repr(C)]
pub struct aws_socket_options {
    pub r#type: enum_aws_socket_type,
    pub domain: enum_aws_socket_domain,
    pub impl_type: enum_aws_socket_impl_type,
    pub connect_timeout_ms: u32,
    pub keep_alive_interval_sec: u16,
    pub keep_alive_timeout_sec: u16,
    pub keep_alive_max_failed_probes: u16,
    pub keepalive: bool,
    pub tcp_nodelay: enum_aws_socket_tcp_nodelay,
    pub network_interface_name: [c_char; 16],
}

#[repr(C)]
pub struct aws_socket_endpoint {
    pub address: [c_char; 108],
    pub port: u32,
}

pub type aws_socket_on_connection_result_fn = Option<
    unsafe extern "C" fn(socket: *mut aws_socket, error_code: c_int, user_data: *mut c_void),
>;
pub type aws_socket_on_accept_result_fn = Option<
    unsafe extern "C" fn(
        socket: *mut aws_socket,
        error_code: c_int,
        new_socket: *mut aws_socket,
        user_data: *mut c_void,
    ),
>;
pub type aws_socket_on_write_completed_fn = Option<
    unsafe extern "C" fn(
        socket: *mut aws_socket,
        error_code: c_int,
        bytes_written: usize,
        user_data: *mut c_void,
    ),
>;
pub type aws_socket_on_readable_fn = Option<
    unsafe extern "C" fn(socket: *mut aws_socket, error_code: c_int, user_data: *mut c_void),
>;

#[repr(C)]
pub struct aws_socket {
    pub vtable: *mut aws_socket_vtable,
    pub allocator: *mut aws_allocator,
    pub local_endpoint: aws_socket_endpoint,
    pub remote_endpoint: aws_socket_endpoint,
    pub options: aws_socket_options,
    pub io_handle: aws_io_handle,
    pub event_loop: *mut aws_event_loop,
    pub handler: *mut aws_channel_handler,
    pub state: c_int,
    pub readable_fn: aws_socket_on_readable_fn,
    pub readable_user_data: *mut c_void,
    pub connection_result_fn: aws_socket_on_connection_result_fn,
    pub accept_result_fn: aws_socket_on_accept_result_fn,
    pub connect_accept_user_data: *mut c_void,
    pub r#impl: *mut c_void,
}

#[repr(C)]
pub struct aws_crt_statistics_socket {
    pub category: aws_crt_statistics_category_t,
    pub bytes_read: u64,
    pub bytes_written: u64,
}

// ---- host resolution ------------------------------------------------------------------

#[repr(C)]
pub struct aws_host_address {
    pub allocator: *mut aws_allocator,
    pub host: *const aws_string,
    pub address: *const aws_string,
    pub record_type: enum_aws_address_record_type,
    pub expiry: u64,
    pub use_count: usize,
    pub connection_failure_count: usize,
    pub weight: u8,
}

pub type aws_on_host_resolved_result_fn = Option<
    unsafe extern "C" fn(
        resolver: *mut aws_host_resolver,
        host_name: *const aws_string,
        err_code: c_int,
        host_addresses: *const aws_array_list,
        user_data: *mut c_void,
    ),
>;
pub type aws_resolve_host_implementation_fn = Option<
    unsafe extern "C" fn(
        allocator: *mut aws_allocator,
        host_name: *const aws_string,
        output_addresses: *mut aws_array_list,
        user_data: *mut c_void,
    ) -> c_int,
>;

#[repr(C)]
pub struct aws_host_resolution_config {
    pub r#impl: aws_resolve_host_implementation_fn,
    pub max_ttl: usize,
    pub impl_data: *mut c_void,
    pub resolve_frequency_ns: u64,
}

#[repr(C)]
pub struct aws_host_resolver_purge_host_options {
    pub host: *const aws_string,
    pub on_host_purge_complete_callback: aws_simple_completion_callback,
    pub user_data: *mut c_void,
}

#[repr(C)]
pub struct aws_host_resolver_vtable {
    pub destroy: Option<unsafe extern "C" fn(resolver: *mut aws_host_resolver)>,
    pub resolve_host: Option<
        unsafe extern "C" fn(
            resolver: *mut aws_host_resolver,
            host_name: *const aws_string,
            res: aws_on_host_resolved_result_fn,
            config: *const aws_host_resolution_config,
            user_data: *mut c_void,
        ) -> c_int,
    >,
    pub record_connection_failure: Option<
        unsafe extern "C" fn(
            resolver: *mut aws_host_resolver,
            address: *const aws_host_address,
        ) -> c_int,
    >,
    pub purge_cache: Option<unsafe extern "C" fn(resolver: *mut aws_host_resolver) -> c_int>,
    pub purge_cache_with_callback: Option<
        unsafe extern "C" fn(
            resolver: *mut aws_host_resolver,
            on_purge_cache_complete_callback: aws_simple_completion_callback,
            user_data: *mut c_void,
        ) -> c_int,
    >,
    pub purge_host_cache: Option<
        unsafe extern "C" fn(
            resolver: *mut aws_host_resolver,
            options: *const aws_host_resolver_purge_host_options,
        ) -> c_int,
    >,
    pub get_host_address_count: Option<
        unsafe extern "C" fn(
            resolver: *mut aws_host_resolver,
            host_name: *const aws_string,
            flags: u32,
        ) -> usize,
    >,
}

#[repr(C)]
pub struct aws_host_resolver {
    pub allocator: *mut aws_allocator,
    pub r#impl: *mut c_void,
    pub vtable: *mut aws_host_resolver_vtable,
    pub ref_count: aws_ref_count,
    pub shutdown_options: aws_shutdown_callback_options,
}

#[repr(C)]
pub struct aws_host_resolver_default_options {
    pub max_entries: usize,
    pub el_group: *mut aws_event_loop_group,
    pub shutdown_options: *const aws_shutdown_callback_options,
    pub system_clock_override_fn: aws_io_clock_fn,
}

// ---- TLS -------------------------------------------------------------------------------

pub type aws_tls_on_negotiation_result_fn = Option<
    unsafe extern "C" fn(
        handler: *mut aws_channel_handler,
        slot: *mut aws_channel_slot,
        error_code: c_int,
        user_data: *mut c_void,
    ),
>;
pub type aws_tls_on_data_read_fn = Option<
    unsafe extern "C" fn(
        handler: *mut aws_channel_handler,
        slot: *mut aws_channel_slot,
        buffer: *mut aws_byte_buf,
        user_data: *mut c_void,
    ),
>;
pub type aws_tls_on_error_fn = Option<
    unsafe extern "C" fn(
        handler: *mut aws_channel_handler,
        slot: *mut aws_channel_slot,
        err: c_int,
        message: *const c_char,
        user_data: *mut c_void,
    ),
>;
pub type aws_channel_on_protocol_negotiated_fn = Option<
    unsafe extern "C" fn(
        new_slot: *mut aws_channel_slot,
        protocol: *mut aws_byte_buf,
        user_data: *mut c_void,
    ) -> *mut aws_channel_handler,
>;

#[repr(C)]
pub struct aws_custom_key_op_handler_vtable {
    pub on_key_operation: Option<
        unsafe extern "C" fn(
            key_op_handler: *mut aws_custom_key_op_handler,
            operation: *mut aws_tls_key_operation,
        ),
    >,
}

/// User code that performs private-key operations (e.g. PKCS#11).
#[repr(C)]
pub struct aws_custom_key_op_handler {
    pub r#impl: *mut c_void,
    pub vtable: *const aws_custom_key_op_handler_vtable,
    pub ref_count: aws_ref_count,
}

/// Arguments of `aws_tls_ctx_options_init_client_mtls_with_pkcs11`.
#[repr(C)]
pub struct aws_tls_ctx_pkcs11_options {
    pub pkcs11_lib: *mut aws_pkcs11_lib,
    pub user_pin: aws_byte_cursor,
    pub slot_id: *const u64,
    pub token_label: aws_byte_cursor,
    pub private_key_object_label: aws_byte_cursor,
    pub cert_file_path: aws_byte_cursor,
    pub cert_file_contents: aws_byte_cursor,
}

/// Apple SecItem labels (only used on iOS/tvOS upstream).
#[repr(C)]
pub struct aws_secitem_options {
    pub cert_label: *mut aws_string,
    pub key_label: *mut aws_string,
}

#[repr(C)]
pub struct aws_tls_ctx {
    pub alloc: *mut aws_allocator,
    pub r#impl: *mut c_void,
    pub ref_count: aws_ref_count,
}

#[repr(C)]
pub struct aws_tls_ctx_options {
    pub allocator: *mut aws_allocator,
    pub minimum_tls_version: enum_aws_tls_versions,
    pub cipher_pref: enum_aws_tls_cipher_pref,
    pub ca_file: aws_byte_buf,
    pub ca_path: *mut aws_string,
    pub alpn_list: *mut aws_string,
    pub certificate: aws_byte_buf,
    pub private_key: aws_byte_buf,
    pub max_fragment_size: usize,
    pub verify_peer: bool,
    pub ctx_options_extension: *mut c_void,
    pub custom_key_op_handler: *mut aws_custom_key_op_handler,
    pub no_certificate_revocation: bool,
}

#[repr(C)]
pub struct aws_tls_connection_options {
    pub alpn_list: *mut aws_string,
    pub server_name: *mut aws_string,
    pub on_negotiation_result: aws_tls_on_negotiation_result_fn,
    pub on_data_read: aws_tls_on_data_read_fn,
    pub on_error: aws_tls_on_error_fn,
    pub user_data: *mut c_void,
    pub ctx: *mut aws_tls_ctx,
    pub advertise_alpn_message: bool,
    pub timeout_ms: u32,
}

#[repr(C)]
pub struct aws_tls_negotiated_protocol_message {
    pub protocol: aws_byte_buf,
}

#[repr(C)]
pub struct aws_crt_statistics_tls {
    pub category: aws_crt_statistics_category_t,
    pub handshake_start_ns: u64,
    pub handshake_end_ns: u64,
    pub handshake_status: enum_aws_tls_negotiation_status,
}

/// What upstream's TLS back ends share: the handshake timeout and statistics
/// (`private/tls_channel_handler_shared.h`).
#[repr(C)]
pub struct aws_tls_channel_handler_shared {
    pub tls_timeout_ms: u32,
    pub handler: *mut aws_channel_handler,
    pub timeout_task: aws_channel_task,
    pub stats: aws_crt_statistics_tls,
}

/// Arguments of `aws_pkcs11_lib_new` (`pkcs11.h`).
#[repr(C)]
pub struct aws_pkcs11_lib_options {
    /// The module to dlopen; a NULL `ptr` searches the program itself.
    pub filename: aws_byte_cursor,
    pub initialize_finalize_behavior: enum_aws_pkcs11_lib_behavior,
}

// ---- bootstraps --------------------------------------------------------------------------

pub type aws_client_bootstrap_on_channel_event_fn = Option<
    unsafe extern "C" fn(
        bootstrap: *mut aws_client_bootstrap,
        error_code: c_int,
        channel: *mut aws_channel,
        user_data: *mut c_void,
    ),
>;
pub type aws_client_bootstrap_shutdown_complete_fn =
    Option<unsafe extern "C" fn(user_data: *mut c_void)>;
pub type aws_server_bootstrap_on_accept_channel_setup_fn = Option<
    unsafe extern "C" fn(
        bootstrap: *mut aws_server_bootstrap,
        error_code: c_int,
        channel: *mut aws_channel,
        user_data: *mut c_void,
    ),
>;
pub type aws_server_bootstrap_on_accept_channel_shutdown_fn = Option<
    unsafe extern "C" fn(
        bootstrap: *mut aws_server_bootstrap,
        error_code: c_int,
        channel: *mut aws_channel,
        user_data: *mut c_void,
    ),
>;
pub type aws_server_bootstrap_on_server_listener_destroy_fn =
    Option<unsafe extern "C" fn(bootstrap: *mut aws_server_bootstrap, user_data: *mut c_void)>;
pub type aws_server_bootstrap_on_listener_setup_fn = Option<
    unsafe extern "C" fn(
        bootstrap: *mut aws_server_bootstrap,
        error_code: c_int,
        user_data: *mut c_void,
    ),
>;

#[repr(C)]
pub struct aws_client_bootstrap {
    pub allocator: *mut aws_allocator,
    pub event_loop_group: *mut aws_event_loop_group,
    pub host_resolver: *mut aws_host_resolver,
    pub host_resolver_config: aws_host_resolution_config,
    pub on_protocol_negotiated: aws_channel_on_protocol_negotiated_fn,
    pub ref_count: aws_ref_count,
    pub on_shutdown_complete: aws_client_bootstrap_shutdown_complete_fn,
    pub user_data: *mut c_void,
}

#[repr(C)]
pub struct aws_client_bootstrap_options {
    pub event_loop_group: *mut aws_event_loop_group,
    pub host_resolver: *mut aws_host_resolver,
    pub host_resolution_config: *const aws_host_resolution_config,
    pub on_shutdown_complete: aws_client_bootstrap_shutdown_complete_fn,
    pub user_data: *mut c_void,
}

#[repr(C)]
pub struct aws_server_bootstrap {
    pub allocator: *mut aws_allocator,
    pub event_loop_group: *mut aws_event_loop_group,
    pub on_protocol_negotiated: aws_channel_on_protocol_negotiated_fn,
    pub ref_count: aws_ref_count,
}

#[repr(C)]
pub struct aws_socket_channel_bootstrap_options {
    pub bootstrap: *mut aws_client_bootstrap,
    pub host_name: *const c_char,
    pub port: u32,
    pub socket_options: *const aws_socket_options,
    pub tls_options: *const aws_tls_connection_options,
    pub creation_callback: aws_client_bootstrap_on_channel_event_fn,
    pub setup_callback: aws_client_bootstrap_on_channel_event_fn,
    pub shutdown_callback: aws_client_bootstrap_on_channel_event_fn,
    pub enable_read_back_pressure: bool,
    pub user_data: *mut c_void,
    pub requested_event_loop: *mut aws_event_loop,
    pub host_resolution_override_config: *const aws_host_resolution_config,
}

#[repr(C)]
pub struct aws_server_socket_channel_bootstrap_options {
    pub bootstrap: *mut aws_server_bootstrap,
    pub host_name: *const c_char,
    pub port: u32,
    pub socket_options: *const aws_socket_options,
    pub tls_options: *const aws_tls_connection_options,
    pub setup_callback: aws_server_bootstrap_on_listener_setup_fn,
    pub incoming_callback: aws_server_bootstrap_on_accept_channel_setup_fn,
    pub shutdown_callback: aws_server_bootstrap_on_accept_channel_shutdown_fn,
    pub destroy_callback: aws_server_bootstrap_on_server_listener_destroy_fn,
    pub enable_read_back_pressure: bool,
    pub user_data: *mut c_void,
}

// ---- logging ----------------------------------------------------------------

#[repr(C)]
pub enum aws_io_log_subject {
    AWS_LS_IO_GENERAL = 1024,
    AWS_LS_IO_EVENT_LOOP = 1025,
    AWS_LS_IO_SOCKET = 1026,
    AWS_LS_IO_SOCKET_HANDLER = 1027,
    AWS_LS_IO_TLS = 1028,
    AWS_LS_IO_ALPN = 1029,
    AWS_LS_IO_DNS = 1030,
    AWS_LS_IO_PKI = 1031,
    AWS_LS_IO_CHANNEL = 1032,
    AWS_LS_IO_CHANNEL_BOOTSTRAP = 1033,
    AWS_LS_IO_FILE_UTILS = 1034,
    AWS_LS_IO_SHARED_LIBRARY = 1035,
    AWS_LS_IO_EXPONENTIAL_BACKOFF_RETRY_STRATEGY = 1036,
    AWS_LS_IO_STANDARD_RETRY_STRATEGY = 1037,
    AWS_LS_IO_PKCS11 = 1038,
    AWS_LS_IO_PEM = 1039,
    AWS_IO_LS_LAST = 2047,
}

// ---- futures (event loop) ----------------------------------------------------------

/// `aws_future<void>`: opaque upstream.
pub struct aws_future_void {
    _opaque: [u8; 0],
}

pub type aws_future_callback_fn = Option<unsafe extern "C" fn(user_data: *mut c_void)>;

/// The untyped future every `aws_future_<T>` is (opaque upstream).
pub struct aws_future_impl {
    _opaque: [u8; 0],
}

/// `aws_future<bool>` (opaque upstream).
pub struct aws_future_bool {
    _opaque: [u8; 0],
}

/// `aws_future<size_t>` (opaque upstream).
pub struct aws_future_size {
    _opaque: [u8; 0],
}

pub type aws_future_impl_result_clean_up_fn =
    Option<unsafe extern "C" fn(result_addr: *mut c_void)>;
pub type aws_future_impl_result_destroy_fn = Option<unsafe extern "C" fn(result: *mut c_void)>;
pub type aws_future_impl_result_release_fn =
    Option<unsafe extern "C" fn(result: *mut c_void) -> *mut c_void>;

// ---- sockets (socket branch) ------------------------------------------------------

pub type aws_socket_on_shutdown_complete_fn = Option<unsafe extern "C" fn(user_data: *mut c_void)>;
pub type aws_socket_on_accept_started_fn = Option<
    unsafe extern "C" fn(socket: *mut aws_socket, error_code: c_int, user_data: *mut c_void),
>;

#[repr(C)]
pub struct aws_socket_connect_options {
    pub remote_endpoint: *const aws_socket_endpoint,
    pub event_loop: *mut aws_event_loop,
    pub on_connection_result: aws_socket_on_connection_result_fn,
    pub user_data: *mut c_void,
    /// Apple SecItem only; ignored here.
    pub tls_connection_options: *mut aws_tls_connection_options,
}

#[repr(C)]
#[derive(Clone, Copy)]
pub struct aws_socket_listener_options {
    pub on_accept_result: aws_socket_on_accept_result_fn,
    pub on_accept_result_user_data: *mut c_void,
    pub on_accept_start: aws_socket_on_accept_started_fn,
    pub on_accept_start_user_data: *mut c_void,
}

#[repr(C)]
pub struct aws_socket_bind_options {
    pub local_endpoint: *const aws_socket_endpoint,
    pub user_data: *mut c_void,
    /// Apple SecItem only; ignored here.
    pub event_loop: *mut aws_event_loop,
    pub tls_connection_options: *mut aws_tls_connection_options,
}

/// `pem.h`: the kinds of PEM block upstream names, by label.
#[repr(C)]
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum aws_pem_object_type {
    AWS_PEM_TYPE_UNKNOWN = 0,
    AWS_PEM_TYPE_X509_OLD,
    AWS_PEM_TYPE_X509,
    AWS_PEM_TYPE_X509_TRUSTED,
    AWS_PEM_TYPE_X509_REQ_OLD,
    AWS_PEM_TYPE_X509_REQ,
    AWS_PEM_TYPE_X509_CRL,
    AWS_PEM_TYPE_EVP_PKEY,
    AWS_PEM_TYPE_PUBLIC_KEY,
    AWS_PEM_TYPE_PRIVATE_RSA_PKCS1,
    AWS_PEM_TYPE_PUBLIC_RSA_PKCS1,
    AWS_PEM_TYPE_PRIVATE_DSA_PKCS1,
    AWS_PEM_TYPE_PUBLIC_DSA_PKCS1,
    AWS_PEM_TYPE_PKCS7,
    AWS_PEM_TYPE_PKCS7_SIGNED_DATA,
    AWS_PEM_TYPE_PRIVATE_PKCS8_ENCRYPTED,
    AWS_PEM_TYPE_PRIVATE_PKCS8,
    AWS_PEM_TYPE_DH_PARAMETERS,
    AWS_PEM_TYPE_DH_PARAMETERS_X942,
    AWS_PEM_TYPE_SSL_SESSION_PARAMETERS,
    AWS_PEM_TYPE_DSA_PARAMETERS,
    AWS_PEM_TYPE_ECDSA_PUBLIC,
    AWS_PEM_TYPE_EC_PARAMETERS,
    AWS_PEM_TYPE_EC_PRIVATE,
    AWS_PEM_TYPE_PARAMETERS,
    AWS_PEM_TYPE_CMS,
    AWS_PEM_TYPE_SM2_PARAMETERS,
}
pub type enum_aws_pem_object_type = c_int;

/// One decoded PEM block: its kind, its label and its DER bytes.
#[repr(C)]
pub struct aws_pem_object {
    pub r#type: enum_aws_pem_object_type,
    pub type_string: *mut aws_string,
    pub data: aws_byte_buf,
}

// ---- input streams (stream.h) -------------------------------------------------------

#[repr(C)]
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum aws_stream_seek_basis {
    AWS_SSB_BEGIN = 0,
    AWS_SSB_END = 2,
}
pub type enum_aws_stream_seek_basis = c_int;

#[repr(C)]
#[derive(Clone, Copy, Debug, Default)]
pub struct aws_stream_status {
    pub is_end_of_stream: bool,
    pub is_valid: bool,
}

#[repr(C)]
pub struct aws_input_stream_vtable {
    pub seek: Option<
        unsafe extern "C" fn(
            stream: *mut aws_input_stream,
            offset: i64,
            basis: enum_aws_stream_seek_basis,
        ) -> c_int,
    >,
    pub read: Option<
        unsafe extern "C" fn(stream: *mut aws_input_stream, dest: *mut aws_byte_buf) -> c_int,
    >,
    pub get_status: Option<
        unsafe extern "C" fn(
            stream: *mut aws_input_stream,
            status: *mut aws_stream_status,
        ) -> c_int,
    >,
    pub get_length:
        Option<unsafe extern "C" fn(stream: *mut aws_input_stream, out_length: *mut i64) -> c_int>,
    pub acquire: Option<unsafe extern "C" fn(stream: *mut aws_input_stream)>,
    pub release: Option<unsafe extern "C" fn(stream: *mut aws_input_stream)>,
}

#[repr(C)]
pub struct aws_input_stream {
    pub r#impl: *mut c_void,
    pub vtable: *const aws_input_stream_vtable,
    pub ref_count: aws_ref_count,
}

// ---- retry strategies (retry_strategy.h) --------------------------------------------

pub type aws_retry_strategy_on_retry_token_acquired_fn = Option<
    unsafe extern "C" fn(
        retry_strategy: *mut aws_retry_strategy,
        error_code: c_int,
        token: *mut aws_retry_token,
        user_data: *mut c_void,
    ),
>;
pub type aws_retry_strategy_on_retry_ready_fn = Option<
    unsafe extern "C" fn(token: *mut aws_retry_token, error_code: c_int, user_data: *mut c_void),
>;
pub type aws_generate_random_fn = Option<unsafe extern "C" fn(user_data: *mut c_void) -> u64>;

#[repr(C)]
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum aws_retry_error_type {
    AWS_RETRY_ERROR_TYPE_TRANSIENT,
    AWS_RETRY_ERROR_TYPE_THROTTLING,
    AWS_RETRY_ERROR_TYPE_SERVER_ERROR,
    AWS_RETRY_ERROR_TYPE_CLIENT_ERROR,
}
pub type enum_aws_retry_error_type = c_int;

#[repr(C)]
pub struct aws_retry_strategy_vtable {
    pub destroy: Option<unsafe extern "C" fn(retry_strategy: *mut aws_retry_strategy)>,
    pub acquire_token: Option<
        unsafe extern "C" fn(
            retry_strategy: *mut aws_retry_strategy,
            partition_id: *const aws_byte_cursor,
            on_acquired: aws_retry_strategy_on_retry_token_acquired_fn,
            user_data: *mut c_void,
            timeout_ms: u64,
        ) -> c_int,
    >,
    pub schedule_retry: Option<
        unsafe extern "C" fn(
            token: *mut aws_retry_token,
            error_type: enum_aws_retry_error_type,
            retry_ready: aws_retry_strategy_on_retry_ready_fn,
            user_data: *mut c_void,
        ) -> c_int,
    >,
    pub record_success: Option<unsafe extern "C" fn(token: *mut aws_retry_token) -> c_int>,
    pub release_token: Option<unsafe extern "C" fn(token: *mut aws_retry_token)>,
}

#[repr(C)]
pub struct aws_retry_strategy {
    pub allocator: *mut aws_allocator,
    pub vtable: *mut aws_retry_strategy_vtable,
    pub ref_count: aws_atomic_var,
    pub r#impl: *mut c_void,
}

#[repr(C)]
pub struct aws_retry_token {
    pub allocator: *mut aws_allocator,
    pub retry_strategy: *mut aws_retry_strategy,
    pub ref_count: aws_atomic_var,
    pub r#impl: *mut c_void,
}

#[repr(C)]
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum aws_exponential_backoff_jitter_mode {
    AWS_EXPONENTIAL_BACKOFF_JITTER_DEFAULT,
    AWS_EXPONENTIAL_BACKOFF_JITTER_NONE,
    AWS_EXPONENTIAL_BACKOFF_JITTER_FULL,
    AWS_EXPONENTIAL_BACKOFF_JITTER_DECORRELATED,
}
pub type enum_aws_exponential_backoff_jitter_mode = c_int;

#[repr(C)]
#[derive(Clone, Copy)]
pub struct aws_exponential_backoff_retry_options {
    pub el_group: *mut aws_event_loop_group,
    pub max_retries: usize,
    pub backoff_scale_factor_ms: u32,
    pub max_backoff_secs: u32,
    pub jitter_mode: enum_aws_exponential_backoff_jitter_mode,
    /// Deprecated upstream in favour of `generate_random_impl`.
    pub generate_random: Option<unsafe extern "C" fn() -> u64>,
    pub generate_random_impl: aws_generate_random_fn,
    pub generate_random_user_data: *mut c_void,
    pub shutdown_options: *const aws_shutdown_callback_options,
}

#[repr(C)]
pub struct aws_no_retry_options {
    pub shutdown_options: *const aws_shutdown_callback_options,
}

#[repr(C)]
pub struct aws_standard_retry_options {
    pub backoff_retry_options: aws_exponential_backoff_retry_options,
    pub initial_bucket_capacity: usize,
}

// ---- async input streams (async_stream.h) --------------------------------------------

#[repr(C)]
pub struct aws_async_input_stream {
    pub vtable: *const aws_async_input_stream_vtable,
    pub alloc: *mut aws_allocator,
    pub ref_count: aws_ref_count,
    pub r#impl: *mut c_void,
}

#[repr(C)]
pub struct aws_async_input_stream_vtable {
    pub destroy: Option<unsafe extern "C" fn(stream: *mut aws_async_input_stream)>,
    pub read: Option<
        unsafe extern "C" fn(
            stream: *mut aws_async_input_stream,
            dest: *mut aws_byte_buf,
        ) -> *mut aws_future_bool,
    >,
}

/// `shared_library.h`: a dlopen'ed library.
#[repr(C)]
pub struct aws_shared_library {
    pub library_handle: *mut c_void,
}

/// Makes one loop of a group (`aws_event_loop_group_new_internal`).
pub type aws_new_event_loop_fn = Option<
    unsafe extern "C" fn(
        alloc: *mut aws_allocator,
        options: *const aws_event_loop_options,
        new_loop_user_data: *mut c_void,
    ) -> *mut aws_event_loop,
>;
