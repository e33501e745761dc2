//! Stable-Rust, bounded stand-in for the `capi_streaming_decoder` fuzz
//! target: runs the same body (`fuzz/src/capi.rs`, included below) over the
//! golden vectors with several chunkings and over inputs mutated from them,
//! plus the inputs the fuzzer has found. The body panics on any finding
//! (callback mismatch between chunkings, one-shot vs streaming mismatch,
//! memory left allocated from the `aws_allocator`, heap out of proportion).
//!
//! `CAPI_FUZZ_ITERS` (default 20000) and `CAPI_FUZZ_SECS` (default 20) bound
//! the mutation loop.

mod common;

use std::time::{Duration, Instant};

#[allow(dead_code)]
#[path = "../fuzz/src/alloc_guard.rs"]
mod alloc_guard;
#[path = "../fuzz/src/capi.rs"]
mod capi;
#[allow(dead_code)]
#[path = "../fuzz/src/crc_fix.rs"]
mod crc_fix;

use capi::capi_streaming_decoder;

/// Flag byte plus chunk sizes (see `fuzz/src/capi.rs`).
const PREFIXES: &[&[u8]] = &[
    &[0x00, 0],                      // 1-byte chunks, CRCs repaired
    &[0x80, 0],                      // 1-byte chunks, CRCs as given
    &[0xc1, 6, 200],                 // legacy init, 7 bytes then 4 KiB
    &[0x02, 11, 3, 199],             // 12, 4, 200
    &[0x07, 0, 1, 2, 3, 4, 5, 6, 7], // 1..8 cycling
];

fn with_prefix(prefix: &[u8], body: &[u8]) -> Vec<u8> {
    let mut v = prefix.to_vec();
    v.extend_from_slice(body);
    v
}

#[test]
fn capi_target_accepts_every_vector_in_every_chunking() {
    for s in common::small_vector_files(65536) {
        for p in PREFIXES {
            capi_streaming_decoder(&with_prefix(p, &s));
        }
        // Two vectors back to back: the decoder continues after the first.
        capi_streaming_decoder(&with_prefix(
            &[0x03, 16, 0, 250, 9],
            &[&s[..], &s[..]].concat(),
        ));
    }
}

/// Inputs the fuzzer turned up while the target was being written; each
/// used to fail a check that was wrong, not the library, and stays here so
/// the checks keep agreeing with upstream.
#[test]
fn capi_target_regressions() {
    // 1025 bool headers: the streaming decoder takes them (upstream's has no
    // count limit), `_message_headers` refuses with TOO_MANY_HEADERS.
    let mut m = Vec::new();
    for i in 0..1025u32 {
        let name = format!("h{i}");
        m.push(name.len() as u8);
        m.extend_from_slice(name.as_bytes());
        m.push((i % 2) as u8);
    }
    let mut msg = Vec::new();
    msg.extend_from_slice(&((m.len() + 16) as u32).to_be_bytes());
    msg.extend_from_slice(&(m.len() as u32).to_be_bytes());
    msg.extend_from_slice(&[0; 4]);
    msg.extend_from_slice(&m);
    msg.extend_from_slice(&[0; 4]);
    capi_streaming_decoder(&with_prefix(&[0x01, 3, 200], &msg));
    // A header of unknown type 11: `_message_headers` passes it through
    // with no value, as upstream does; the streaming decoder rejects it.
    let unknown = [
        0, 0, 0, 0x1a, 0, 0, 0, 6, 0, 0, 0, 0, 1, b'x', 11, 1, b'y', 1, b'p', b'q', b'r', b's', 0,
        0, 0, 0,
    ];
    capi_streaming_decoder(&with_prefix(&[0x00, 2], &unknown));
    // 65 empty messages, then the prelude of a 1 MiB one: the harness stops
    // splitting after 64, and the left-over slice (a whole message plus a
    // prelude) is not one message for `_from_buffer`.
    let empty = [0, 0, 0, 16, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0];
    let mut stream = empty.repeat(65);
    stream.extend_from_slice(&[0, 0x10, 0, 0x18, 0, 0, 0, 0, 0, 0, 0, 0]);
    capi_streaming_decoder(&with_prefix(&[0x01, 3, 200], &stream));
}

struct Rng(u64);
impl Rng {
    fn next(&mut self) -> u64 {
        self.0 ^= self.0 << 13;
        self.0 ^= self.0 >> 7;
        self.0 ^= self.0 << 17;
        self.0
    }
    fn below(&mut self, n: usize) -> usize {
        (self.next() % n.max(1) as u64) as usize
    }
}

fn env_num(name: &str, default: u64) -> u64 {
    std::env::var(name)
        .ok()
        .and_then(|v| v.parse().ok())
        .unwrap_or(default)
}

#[test]
fn capi_target_survives_mutated_vectors() {
    let seeds: Vec<Vec<u8>> = common::small_vector_files(65536)
        .into_iter()
        .filter(|s| s.len() <= 4096)
        .collect();
    let iters = env_num("CAPI_FUZZ_ITERS", 20_000);
    let deadline = Instant::now() + Duration::from_secs(env_num("CAPI_FUZZ_SECS", 20));
    let mut rng = Rng(0x2545_F491_4F6C_DD1D);
    let mut done = 0u64;
    while done < iters && Instant::now() < deadline {
        let mut d = seeds[rng.below(seeds.len())].clone();
        for _ in 0..1 + rng.below(3) {
            match rng.below(5) {
                0 if !d.is_empty() => {
                    let i = rng.below(d.len());
                    d[i] ^= 1 << rng.below(8);
                }
                1 if !d.is_empty() => {
                    // header type, name length or value length bytes
                    let i = rng.below(d.len());
                    d[i] = [0, 1, 6, 7, 9, 10, 0x7f, 0x80, 0xff][rng.below(9)];
                }
                2 => d.truncate(rng.below(d.len() + 1)),
                3 => {
                    let other = &seeds[rng.below(seeds.len())];
                    d.extend_from_slice(&other[..rng.below(other.len() + 1)]);
                }
                _ => {
                    let i = rng.below(d.len() + 1);
                    d.insert(i, rng.next() as u8);
                }
            }
        }
        let n = rng.below(8);
        let mut input = vec![(n as u8) | [0x00, 0x40, 0x80][rng.below(3)]];
        input.extend((0..=n).map(|_| rng.next() as u8));
        input.extend_from_slice(&d);
        capi_streaming_decoder(&input);
        done += 1;
    }
    println!("capi fuzz smoke: {done} inputs");
    assert!(done >= 500, "only {done} inputs ran");
}
