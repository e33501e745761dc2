#![no_main]
//! The C API: streaming decoder pumped in chunks, `_from_buffer` and
//! `_headers`, through the exported functions with a counting allocator;
//! see `aws_c_event_stream_rs_fuzz::capi`.

use aws_c_event_stream_rs_fuzz::{alloc_guard, capi};
use libfuzzer_sys::fuzz_target;

#[global_allocator]
static ALLOC: alloc_guard::Guarded = alloc_guard::Guarded;

fuzz_target!(|data: &[u8]| {
    alloc_guard::check("capi_streaming_decoder", data.len(), capi::PER_BYTE, || {
        capi::capi_streaming_decoder(data)
    });
});
