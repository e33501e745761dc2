#![no_main]
//! Chunked streaming decode; see
//! `event_stream::wire::fuzz_targets::streaming_decoder_chunked`. Each input
//! runs as given and again with the CRCs of its message bytes repaired;
//! heap use is checked per run.

use aws_c_event_stream_rs::event_stream::wire::fuzz_targets::streaming_decoder_chunked;
use aws_c_event_stream_rs_fuzz::{alloc_guard, crc_fix};
use libfuzzer_sys::fuzz_target;

#[global_allocator]
static ALLOC: alloc_guard::Guarded = alloc_guard::Guarded;

fuzz_target!(|data: &[u8]| {
    alloc_guard::check("streaming_decoder_chunked", data.len(), || {
        streaming_decoder_chunked(data)
    });
    if let Some(fixed) = crc_fix::fixed(data, crc_fix::streaming_body_start(data)) {
        alloc_guard::check(
            "streaming_decoder_chunked (CRCs repaired)",
            data.len(),
            || streaming_decoder_chunked(&fixed),
        );
    }
});
