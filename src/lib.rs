//! aws-c-event-stream-rs: a memory-safe drop-in for aws-c-event-stream, aws-c-io,
//! aws-c-common and aws-checksums. See DESIGN.md (shared) and README.md.
//!
//! Layout: each upstream library is a module. Safe cores know nothing of C; the
//! `capi` modules next to them are thin `extern "C"` shims over the cores.
#![deny(unsafe_op_in_unsafe_fn)]
#![allow(non_camel_case_types)]
#![allow(clippy::missing_safety_doc)]

pub mod checksums;
pub mod common;
pub mod event_stream;
pub mod ffi;
pub mod io;
