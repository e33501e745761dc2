#![no_main]
//! One-shot decode; see `event_stream::fuzz_targets::message_decode`.
//! Each input runs as given and again with its CRCs repaired, so mutations
//! reach the header and payload code; heap use is checked per run.

use aws_c_event_stream_rs::event_stream::fuzz_targets::message_decode;
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
    alloc_guard::check("message_decode", data.len(), PER_BYTE, || {
        message_decode(data)
    });
    if let Some(fixed) = crc_fix::fixed(data, 0) {
        alloc_guard::check(
            "message_decode (CRCs repaired)",
            data.len(),
            PER_BYTE,
            || message_decode(&fixed),
        );
    }
});
