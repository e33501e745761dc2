#![no_main]
//! Chunked streaming decode; see
//! `event_stream::fuzz_targets::streaming_decoder_chunked`. Each input
//! runs as given and again with the CRCs of its message bytes repaired;
//! heap use is checked per run.

use aws_c_event_stream_rs::event_stream::fuzz_targets::streaming_decoder_chunked;
use aws_c_event_stream_rs_fuzz::{alloc_guard, crc_fix};
use libfuzzer_sys::fuzz_target;

/// Decoded messages cost more than their wire bytes: a 3-byte bool header
/// becomes a collector entry plus a `Header`, with Vec doubling on top, and
/// the target keeps two decodes alive. Measured worst case: ~125 bytes per
/// input byte (thousands of one-letter bool headers).
const PER_BYTE: usize = 256;

#[global_allocator]
static ALLOC: alloc_guard::Guarded = alloc_guard::Guarded;

fuzz_target!(|data: &[u8]| {
    alloc_guard::check("streaming_decoder_chunked", data.len(), PER_BYTE, || {
        streaming_decoder_chunked(data)
    });
    if let Some(fixed) = crc_fix::fixed(data, crc_fix::streaming_body_start(data)) {
        alloc_guard::check(
            "streaming_decoder_chunked (CRCs repaired)",
            data.len(),
            PER_BYTE,
            || streaming_decoder_chunked(&fixed),
        );
    }
});
