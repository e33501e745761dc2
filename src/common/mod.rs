//! aws-c-common subset: allocators, errors, byte buffers, logging, sync,
//! threads, clocks, containers and the task scheduler.
pub mod abi;
pub mod allocator;
pub mod array_list;
pub mod byte_buf;
pub mod clock;
pub mod command_line_parser;
pub mod date_time;
pub mod device_random;
pub mod encoding;
pub mod environment;
pub mod error;
pub mod error_codes;
pub mod file;
pub mod hash_table;
pub mod host_utils;
/// cbindgen:ignore
pub mod inline_c;
pub mod library;
pub mod logging;
pub mod mem_tracer;
pub mod priority_queue;
pub mod process;
pub mod ref_count;
pub mod ring_buffer;
pub mod rw_lock;
pub mod string;
pub mod sync;
pub mod system_info;
pub mod task_scheduler;
pub mod thread;
pub mod uri;
pub mod uuid;
pub mod xml_parser;
