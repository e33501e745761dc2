#![no_main]
//! Chunked streaming decode; see
//! `event_stream::wire::fuzz_targets::streaming_decoder_chunked`.

use libfuzzer_sys::fuzz_target;

fuzz_target!(|data: &[u8]| {
    aws_c_event_stream_rs::event_stream::wire::fuzz_targets::streaming_decoder_chunked(data);
});
