#![no_main]
//! One-shot decode; see `event_stream::wire::fuzz_targets::message_decode`.

use libfuzzer_sys::fuzz_target;

fuzz_target!(|data: &[u8]| {
    aws_c_event_stream_rs::event_stream::wire::fuzz_targets::message_decode(data);
});
