//! `#[repr(C)]` mirrors of aws-c-common's public structs and enums, named and laid
//! out exactly as upstream (checked against `shared/abi/layouts.tsv` by
//! `tests/abi_layouts.rs` and `c_tests/abi_layouts.c`). cbindgen turns this file
//! into the C declarations; see `tools/gen-headers` for the two C fix-ups.
//!
//! Enum-typed fields and parameters use the integer carrier `enum_NAME`, never
//! the Rust enum itself, so an out-of-range value from C is just a number.
use libc::{c_char, c_int, c_void, pthread_cond_t, pthread_mutex_t, pthread_t, FILE};

/// `va_list` as it is passed on x86_64 (a pointer to the register save area).
pub type va_list_ptr = *mut c_void;

pub type aws_log_subject_t = u32;
pub type aws_thread_id_t = pthread_t;
pub type aws_crt_statistics_category_t = u32;

// Carriers for enum-typed fields and parameters (see the module comment).
pub type enum_aws_log_level = c_int;
pub type enum_aws_task_status = c_int;
pub type enum_aws_thread_detach_state = c_int;
pub type enum_aws_thread_join_strategy = c_int;
pub type enum_aws_hash_iter_status = c_int;
pub type enum_aws_timestamp_unit = c_int;
pub type enum_aws_mem_trace_level = c_int;
pub type enum_aws_date_format = c_int;
pub type enum_aws_platform_os = c_int;

#[repr(C)]
pub enum aws_log_level {
    AWS_LL_NONE = 0,
    AWS_LL_FATAL = 1,
    AWS_LL_ERROR = 2,
    AWS_LL_WARN = 3,
    AWS_LL_INFO = 4,
    AWS_LL_DEBUG = 5,
    AWS_LL_TRACE = 6,
    AWS_LL_COUNT = 7,
}

#[repr(C)]
pub enum aws_task_status {
    AWS_TASK_STATUS_RUN_READY = 0,
    AWS_TASK_STATUS_CANCELED = 1,
}

#[repr(C)]
pub enum aws_thread_detach_state {
    AWS_THREAD_NOT_CREATED = 1,
    AWS_THREAD_JOINABLE = 2,
    AWS_THREAD_JOIN_COMPLETED = 3,
    AWS_THREAD_MANAGED = 4,
}

#[repr(C)]
pub enum aws_thread_join_strategy {
    AWS_TJS_MANUAL = 0,
    AWS_TJS_MANAGED = 1,
}

#[repr(C)]
pub enum aws_timestamp_unit {
    AWS_TIMESTAMP_SECS = 1,
    AWS_TIMESTAMP_MILLIS = 1000,
    AWS_TIMESTAMP_MICROS = 1000000,
    AWS_TIMESTAMP_NANOS = 1000000000,
}

#[repr(C)]
pub enum aws_mem_trace_level {
    AWS_MEMTRACE_NONE = 0,
    AWS_MEMTRACE_BYTES = 1,
    AWS_MEMTRACE_STACKS = 2,
}

#[repr(C)]
pub enum aws_hash_iter_status {
    AWS_HASH_ITER_STATUS_DONE = 0,
    AWS_HASH_ITER_STATUS_DELETE_CALLED = 1,
    AWS_HASH_ITER_STATUS_READY_FOR_USE = 2,
}

#[repr(C)]
pub enum aws_common_log_subject {
    AWS_LS_COMMON_GENERAL = 0,
    AWS_LS_COMMON_TASK_SCHEDULER = 1,
    AWS_LS_COMMON_THREAD = 2,
    AWS_LS_COMMON_MEMTRACE = 3,
    AWS_LS_COMMON_XML_PARSER = 4,
    AWS_LS_COMMON_IO = 5,
    AWS_LS_COMMON_BUS = 6,
    AWS_LS_COMMON_TEST = 7,
    AWS_LS_COMMON_JSON_PARSER = 8,
    AWS_LS_COMMON_CBOR = 9,
    AWS_LS_COMMON_LAST = 1023,
}

#[repr(C)]
pub enum aws_crt_common_statistics_category {
    AWSCRT_STAT_CAT_INVALID = 0,
}

pub const AWS_OP_SUCCESS: c_int = 0;
pub const AWS_OP_ERR: c_int = -1;
pub const AWS_C_COMMON_PACKAGE_ID: c_int = 0;
pub const AWS_PACKAGE_SLOTS: c_int = 32;
pub const AWS_ERROR_ENUM_STRIDE_BITS: c_int = 10;
pub const AWS_ERROR_ENUM_STRIDE: c_int = 1 << AWS_ERROR_ENUM_STRIDE_BITS;
pub const AWS_LOG_SUBJECT_STRIDE_BITS: c_int = 10;
pub const AWS_LOG_SUBJECT_STRIDE: c_int = 1 << AWS_LOG_SUBJECT_STRIDE_BITS;
pub const AWS_CRT_STATISTICS_CATEGORY_STRIDE_BITS: c_int = 8;
pub const AWS_CRT_STATISTICS_CATEGORY_STRIDE: c_int = 1 << AWS_CRT_STATISTICS_CATEGORY_STRIDE_BITS;
pub const AWS_LOG_LEVEL_NONE: c_int = 0;
pub const AWS_LOG_LEVEL_FATAL: c_int = 1;
pub const AWS_LOG_LEVEL_ERROR: c_int = 2;
pub const AWS_LOG_LEVEL_WARN: c_int = 3;
pub const AWS_LOG_LEVEL_INFO: c_int = 4;
pub const AWS_LOG_LEVEL_DEBUG: c_int = 5;
pub const AWS_LOG_LEVEL_TRACE: c_int = 6;
pub const AWS_THREAD_NAME_RECOMMENDED_STRLEN: c_int = 15;
pub const AWS_THREAD_ID_T_REPR_BUFSZ: c_int = 17;
pub const AWS_COMMON_HASH_TABLE_ITER_CONTINUE: c_int = 1;
pub const AWS_COMMON_HASH_TABLE_ITER_DELETE: c_int = 2;
pub const AWS_COMMON_HASH_TABLE_ITER_ERROR: c_int = 4;
pub const AWS_CACHE_LINE: c_int = 64;
pub const AWS_ARRAY_LIST_DEBUG_FILL: c_int = 0xdd;

// ---- allocation -------------------------------------------------------------

#[repr(C)]
pub struct aws_allocator {
    pub mem_acquire: Option<unsafe extern "C" fn(*mut aws_allocator, usize) -> *mut c_void>,
    pub mem_release: Option<unsafe extern "C" fn(*mut aws_allocator, *mut c_void)>,
    pub mem_realloc:
        Option<unsafe extern "C" fn(*mut aws_allocator, *mut c_void, usize, usize) -> *mut c_void>,
    pub mem_calloc: Option<unsafe extern "C" fn(*mut aws_allocator, usize, usize) -> *mut c_void>,
    pub r#impl: *mut c_void,
}

// ---- bytes ------------------------------------------------------------------

#[repr(C)]
#[derive(Clone, Copy, Debug)]
pub struct aws_byte_buf {
    pub len: usize,
    pub buffer: *mut u8,
    pub capacity: usize,
    pub allocator: *mut aws_allocator,
}

#[repr(C)]
#[derive(Clone, Copy, Debug)]
pub struct aws_byte_cursor {
    pub len: usize,
    pub ptr: *mut u8,
}

// SAFETY: a cursor is a plain (len, ptr) value, so sharing one between threads
// only copies the pointer; every dereference is unsafe and argued where it
// happens. Needed for the exported `const struct aws_byte_cursor` statics.
unsafe impl Sync for aws_byte_cursor {}

/// Immutable, length-prefixed string; `bytes` is a flexible array (always
/// NUL-terminated), hence the one-element array.
#[repr(C)]
pub struct aws_string {
    pub allocator: *mut aws_allocator,
    pub len: usize,
    pub bytes: [u8; 1],
}

// ---- containers -------------------------------------------------------------

#[repr(C)]
pub struct aws_array_list {
    pub alloc: *mut aws_allocator,
    pub current_size: usize,
    pub length: usize,
    pub item_size: usize,
    pub data: *mut c_void,
}

#[repr(C)]
pub struct aws_linked_list_node {
    pub next: *mut aws_linked_list_node,
    pub prev: *mut aws_linked_list_node,
}

#[repr(C)]
pub struct aws_linked_list {
    pub head: aws_linked_list_node,
    pub tail: aws_linked_list_node,
}

pub type aws_priority_queue_compare_fn =
    Option<unsafe extern "C" fn(a: *const c_void, b: *const c_void) -> c_int>;

#[repr(C)]
pub struct aws_priority_queue {
    pub pred: aws_priority_queue_compare_fn,
    pub container: aws_array_list,
    pub backpointers: aws_array_list,
}

#[repr(C)]
pub struct aws_priority_queue_node {
    pub current_index: usize,
}

pub type aws_hash_fn = Option<unsafe extern "C" fn(key: *const c_void) -> u64>;
pub type aws_hash_callback_eq_fn =
    Option<unsafe extern "C" fn(a: *const c_void, b: *const c_void) -> bool>;
pub type aws_hash_callback_destroy_fn = Option<unsafe extern "C" fn(key_or_value: *mut c_void)>;

#[repr(C)]
pub struct aws_hash_table {
    pub p_impl: *mut c_void,
}

#[repr(C)]
pub struct aws_hash_element {
    pub key: *const c_void,
    pub value: *mut c_void,
}

#[repr(C)]
pub struct aws_hash_iter {
    pub map: *const aws_hash_table,
    pub element: aws_hash_element,
    pub slot: usize,
    pub limit: usize,
    pub status: enum_aws_hash_iter_status,
    pub unused_0: c_int,
    pub unused_1: *mut c_void,
    pub unused_2: *mut c_void,
}

// ---- atomics and ref counts -------------------------------------------------

#[repr(C)]
pub struct aws_atomic_var {
    pub value: *mut c_void,
}

pub type aws_simple_completion_callback = Option<unsafe extern "C" fn(user_data: *mut c_void)>;

#[repr(C)]
pub struct aws_ref_count {
    pub ref_count: aws_atomic_var,
    pub object: *mut c_void,
    pub on_zero_fn: aws_simple_completion_callback,
}

#[repr(C)]
#[derive(Clone, Copy)]
pub struct aws_shutdown_callback_options {
    pub shutdown_callback_fn: aws_simple_completion_callback,
    pub shutdown_callback_user_data: *mut c_void,
}

// ---- tasks --------------------------------------------------------------------

pub type aws_task_fn = Option<
    unsafe extern "C" fn(task: *mut aws_task, arg: *mut c_void, status: enum_aws_task_status),
>;

#[repr(C)]
#[derive(Clone, Copy)]
pub union aws_task_abi_extension {
    pub scheduled: bool,
    pub reserved: usize,
}

#[repr(C)]
pub struct aws_task {
    pub r#fn: aws_task_fn,
    pub arg: *mut c_void,
    pub timestamp: u64,
    pub node: aws_linked_list_node,
    pub priority_queue_node: aws_priority_queue_node,
    pub type_tag: *const c_char,
    pub abi_extension: aws_task_abi_extension,
}

#[repr(C)]
pub struct aws_task_scheduler {
    pub alloc: *mut aws_allocator,
    pub timed_queue: aws_priority_queue,
    pub timed_list: aws_linked_list,
    pub asap_list: aws_linked_list,
}

// ---- sync and threads -------------------------------------------------------

#[repr(C)]
pub struct aws_mutex {
    pub mutex_handle: pthread_mutex_t,
    pub initialized: bool,
}

#[repr(C)]
pub struct aws_condition_variable {
    pub condition_handle: pthread_cond_t,
    pub initialized: bool,
}

pub type aws_condition_predicate_fn = Option<unsafe extern "C" fn(user_data: *mut c_void) -> bool>;
pub type aws_thread_function = Option<unsafe extern "C" fn(user_data: *mut c_void)>;

#[repr(C)]
pub struct aws_thread {
    pub allocator: *mut aws_allocator,
    pub detach_state: enum_aws_thread_detach_state,
    pub thread_id: aws_thread_id_t,
}

#[repr(C)]
pub struct aws_thread_options {
    pub stack_size: usize,
    pub cpu_id: i32,
    pub join_strategy: enum_aws_thread_join_strategy,
    pub name: aws_byte_cursor,
}

// ---- errors -----------------------------------------------------------------

#[repr(C)]
pub struct aws_error_info {
    pub error_code: c_int,
    pub literal_name: *const c_char,
    pub error_str: *const c_char,
    pub lib_name: *const c_char,
    pub formatted_name: *const c_char,
}

#[repr(C)]
pub struct aws_error_info_list {
    pub error_list: *const aws_error_info,
    pub count: u16,
}

pub type aws_error_handler_fn = Option<unsafe extern "C" fn(err: c_int, ctx: *mut c_void)>;

// ---- logging ----------------------------------------------------------------

#[repr(C)]
pub struct aws_log_subject_info {
    pub subject_id: aws_log_subject_t,
    pub subject_name: *const c_char,
    pub subject_description: *const c_char,
}

#[repr(C)]
pub struct aws_log_subject_info_list {
    pub subject_list: *mut aws_log_subject_info,
    pub count: usize,
}

#[repr(C)]
pub struct aws_logger_vtable {
    pub log: Option<
        unsafe extern "C" fn(
            logger: *mut aws_logger,
            log_level: enum_aws_log_level,
            subject: aws_log_subject_t,
            format: *const c_char,
            ...
        ) -> c_int,
    >,
    pub get_log_level: Option<
        unsafe extern "C" fn(
            logger: *mut aws_logger,
            subject: aws_log_subject_t,
        ) -> enum_aws_log_level,
    >,
    pub clean_up: Option<unsafe extern "C" fn(logger: *mut aws_logger)>,
    pub set_log_level:
        Option<unsafe extern "C" fn(logger: *mut aws_logger, level: enum_aws_log_level) -> c_int>,
}

#[repr(C)]
pub struct aws_logger {
    pub vtable: *mut aws_logger_vtable,
    pub allocator: *mut aws_allocator,
    pub p_impl: *mut c_void,
}

#[repr(C)]
pub struct aws_logger_standard_options {
    pub level: enum_aws_log_level,
    pub filename: *const c_char,
    pub file: *mut FILE,
}

pub type aws_log_formatter_format_fn = Option<
    unsafe extern "C" fn(
        formatter: *mut aws_log_formatter,
        formatted_output: *mut *mut aws_string,
        level: enum_aws_log_level,
        subject: aws_log_subject_t,
        format: *const c_char,
        args: va_list_ptr,
    ) -> c_int,
>;
pub type aws_log_formatter_clean_up_fn =
    Option<unsafe extern "C" fn(logger: *mut aws_log_formatter)>;

#[repr(C)]
pub struct aws_log_formatter_vtable {
    pub format: aws_log_formatter_format_fn,
    pub clean_up: aws_log_formatter_clean_up_fn,
}

#[repr(C)]
pub struct aws_log_formatter {
    pub vtable: *mut aws_log_formatter_vtable,
    pub allocator: *mut aws_allocator,
    pub r#impl: *mut c_void,
}

pub type aws_log_writer_write_fn =
    Option<unsafe extern "C" fn(writer: *mut aws_log_writer, output: *const aws_string) -> c_int>;
pub type aws_log_writer_clean_up_fn = Option<unsafe extern "C" fn(writer: *mut aws_log_writer)>;

#[repr(C)]
pub struct aws_log_writer_vtable {
    pub write: aws_log_writer_write_fn,
    pub clean_up: aws_log_writer_clean_up_fn,
}

#[repr(C)]
pub struct aws_log_writer {
    pub vtable: *mut aws_log_writer_vtable,
    pub allocator: *mut aws_allocator,
    pub r#impl: *mut c_void,
}

pub type aws_log_channel_send_fn =
    Option<unsafe extern "C" fn(channel: *mut aws_log_channel, output: *mut aws_string) -> c_int>;
pub type aws_log_channel_clean_up_fn = Option<unsafe extern "C" fn(channel: *mut aws_log_channel)>;

#[repr(C)]
pub struct aws_log_channel_vtable {
    pub send: aws_log_channel_send_fn,
    pub clean_up: aws_log_channel_clean_up_fn,
}

#[repr(C)]
pub struct aws_log_channel {
    pub vtable: *mut aws_log_channel_vtable,
    pub allocator: *mut aws_allocator,
    pub writer: *mut aws_log_writer,
    pub r#impl: *mut c_void,
}

/// How a log line's timestamp is written (upstream's <aws/common/date_time.h>).
#[repr(C)]
pub enum aws_date_format {
    AWS_DATE_FORMAT_RFC822 = 0,
    AWS_DATE_FORMAT_ISO_8601 = 1,
    AWS_DATE_FORMAT_ISO_8601_BASIC = 2,
    AWS_DATE_FORMAT_AUTO_DETECT = 3,
}

#[repr(C)]
pub struct aws_log_formatter_standard_options {
    pub date_format: enum_aws_date_format,
}

#[repr(C)]
pub struct aws_logging_standard_formatting_data {
    pub log_line_buffer: *mut c_char,
    pub total_length: usize,
    pub level: enum_aws_log_level,
    pub subject_name: *const c_char,
    pub format: *const c_char,
    pub date_format: enum_aws_date_format,
    pub allocator: *mut aws_allocator,
    pub amount_written: usize,
}

#[repr(C)]
pub struct aws_log_writer_file_options {
    pub filename: *const c_char,
    pub file: *mut FILE,
}

#[repr(C)]
pub struct aws_logger_pipeline {
    pub formatter: *mut aws_log_formatter,
    pub channel: *mut aws_log_channel,
    pub writer: *mut aws_log_writer,
    pub allocator: *mut aws_allocator,
    pub level: aws_atomic_var,
}

// ---- statistics ---------------------------------------------------------------

#[repr(C)]
pub struct aws_crt_statistics_base {
    pub category: aws_crt_statistics_category_t,
}

#[repr(C)]
pub struct aws_crt_statistics_sample_interval {
    pub begin_time_ms: u64,
    pub end_time_ms: u64,
}

pub type aws_crt_statistics_handler_process_statistics_fn = Option<
    unsafe extern "C" fn(
        handler: *mut aws_crt_statistics_handler,
        interval: *mut aws_crt_statistics_sample_interval,
        stats: *mut aws_array_list,
        context: *mut c_void,
    ),
>;
pub type aws_crt_statistics_handler_destroy_fn =
    Option<unsafe extern "C" fn(handler: *mut aws_crt_statistics_handler)>;
pub type aws_crt_statistics_handler_get_report_interval_ms_fn =
    Option<unsafe extern "C" fn(handler: *mut aws_crt_statistics_handler) -> u64>;

#[repr(C)]
pub struct aws_crt_statistics_handler_vtable {
    pub process_statistics: aws_crt_statistics_handler_process_statistics_fn,
    pub destroy: aws_crt_statistics_handler_destroy_fn,
    pub get_report_interval_ms: aws_crt_statistics_handler_get_report_interval_ms_fn,
}

#[repr(C)]
pub struct aws_crt_statistics_handler {
    pub vtable: *mut aws_crt_statistics_handler_vtable,
    pub allocator: *mut aws_allocator,
    pub r#impl: *mut c_void,
}

// ---- sync and threads (extras) ----------------------------------------------

/// `pthread_once_t`, initialised with AWS_THREAD_ONCE_STATIC_INIT.
pub type aws_thread_once = libc::pthread_once_t;
pub type aws_thread_atexit_fn = Option<unsafe extern "C" fn(user_data: *mut c_void)>;

// ---- tasks, hash table, array list ----

pub type aws_array_list_comparator_fn =
    Option<unsafe extern "C" fn(a: *const c_void, b: *const c_void) -> c_int>;

// ---- byte_buf / string / encoding ----

/// Predicate for the cursor trim functions: true keeps trimming.
pub type aws_byte_predicate_fn = Option<unsafe extern "C" fn(value: u8) -> bool>;

pub type enum_aws_text_encoding = c_int;

/// What `aws_text_detect_encoding` (an inline helper in encoding.h) reports.
#[repr(C)]
pub enum aws_text_encoding {
    AWS_TEXT_UNKNOWN = 0,
    AWS_TEXT_UTF8 = 1,
    AWS_TEXT_UTF16 = 2,
    AWS_TEXT_UTF32 = 3,
    AWS_TEXT_ASCII = 4,
}

/// Options for `aws_decode_utf8` and `aws_utf8_decoder_new`.
#[repr(C)]
pub struct aws_utf8_decoder_options {
    pub on_codepoint: Option<unsafe extern "C" fn(codepoint: u32, user_data: *mut c_void) -> c_int>,
    pub user_data: *mut c_void,
}

// ---- system info ----------------------------------------------------------------

#[repr(C)]
pub enum aws_platform_os {
    AWS_PLATFORM_OS_WINDOWS = 0,
    AWS_PLATFORM_OS_MAC = 1,
    AWS_PLATFORM_OS_IOS = 2,
    AWS_PLATFORM_OS_ANDROID = 3,
    AWS_PLATFORM_OS_UNIX = 4,
}

#[repr(C)]
pub struct aws_cpu_info {
    pub cpu_id: i32,
    pub suspected_hyper_thread: bool,
}

/// Opaque: what `aws_system_environment_load` found out about the machine.
pub struct aws_system_environment {
    _opaque: [u8; 0],
}
