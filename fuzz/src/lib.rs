//! Helpers shared by the fuzz targets in `fuzz_targets/`: a global allocator
//! that bounds per-input heap use and catches leaks, CRC repair so mutated
//! inputs get past the checksums, and the body of the C API target.
//!
//! `alloc_guard`, `crc_fix` and `capi` depend only on std and the main crate,
//! so the stable test `tests/capi_fuzz_smoke.rs` includes them with `#[path]`
//! and runs the same code without libFuzzer.

pub mod alloc_guard;
pub mod capi;
pub mod crc_fix;
