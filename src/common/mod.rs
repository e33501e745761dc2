//! aws-c-common subset: allocators, errors, byte buffers, logging, sync,
//! threads, clocks, containers and the task scheduler.
pub mod abi;
pub mod allocator;
pub mod error;
pub mod error_codes;
