//! Recomputes the prelude and message CRCs of a byte stream so that mutated
//! inputs reach the header and payload code instead of stopping at a
//! checksum mismatch (coverage guidance alone rarely forges a CRC-32).

use aws_c_event_stream_rs::event_stream::wire::{crc32, crc32_update};

fn be32(b: &[u8]) -> usize {
    u32::from_be_bytes([b[0], b[1], b[2], b[3]]) as usize
}

/// Walks `buf` as back-to-back messages (each `total_length` long) and
/// rewrites both CRCs of each. Stops at a `total_length` that does not fit;
/// that message still gets a valid prelude CRC.
pub fn fix_stream(buf: &mut [u8]) {
    let mut at = 0;
    while buf.len() - at >= 12 {
        let msg = &mut buf[at..];
        let prelude_crc = crc32(&msg[..8]);
        msg[8..12].copy_from_slice(&prelude_crc.to_be_bytes());
        let total = be32(msg);
        if total < 16 || total > msg.len() {
            return;
        }
        let crc = crc32_update(prelude_crc, &msg[8..total - 4]);
        msg[total - 4..total].copy_from_slice(&crc.to_be_bytes());
        at += total; // >= 16, so the loop ends
    }
}

/// `data` with its CRCs repaired from offset `start` on, or None if that
/// changes nothing (the target already ran on these exact bytes).
pub fn fixed(data: &[u8], start: usize) -> Option<Vec<u8>> {
    let start = start.min(data.len());
    let mut out = data.to_vec();
    fix_stream(&mut out[start..]);
    (out != data).then_some(out)
}

/// Where the message bytes start in an input of
/// `event_stream::fuzz_targets::streaming_decoder_chunked`: after the count byte and
/// `data[0] % 8 + 1` chunk-size bytes (fewer if the input is shorter). Must
/// follow that function's layout; a mismatch only makes repair less useful.
pub fn streaming_body_start(data: &[u8]) -> usize {
    match data.first() {
        None => 0,
        Some(&n) => 1 + (n as usize % 8 + 1).min(data.len() - 1),
    }
}

/// The wire target's chunking, so both targets cut inputs the same way.
pub use aws_c_event_stream_rs::event_stream::fuzz_targets::split_chunks as chunks;
