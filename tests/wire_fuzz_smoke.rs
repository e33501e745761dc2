//! Stable-Rust, bounded stand-in for the cargo-fuzz targets: runs the shared
//! target bodies over inputs mutated from the golden vectors and from random
//! messages, checking no panic and bounded memory.
//!
//! `WIRE_FUZZ_ITERS` (default 200000) and `WIRE_FUZZ_SECS` (default 60) bound the run.

mod common;

use std::alloc::{GlobalAlloc, Layout, System};
use std::sync::atomic::{AtomicUsize, Ordering};
use std::time::{Duration, Instant};

use aws_c_event_stream_rs::event_stream::fuzz_targets;
use aws_c_event_stream_rs::event_stream::wire::{crc32, crc32_update};

/// Counts live heap bytes and the peak, to catch allocations driven by
/// declared lengths rather than received bytes.
struct Counting;
static LIVE: AtomicUsize = AtomicUsize::new(0);
static PEAK: AtomicUsize = AtomicUsize::new(0);

unsafe impl GlobalAlloc for Counting {
    unsafe fn alloc(&self, layout: Layout) -> *mut u8 {
        // SAFETY: forwarded unchanged to the system allocator.
        let p = unsafe { System.alloc(layout) };
        if !p.is_null() {
            let now = LIVE.fetch_add(layout.size(), Ordering::Relaxed) + layout.size();
            PEAK.fetch_max(now, Ordering::Relaxed);
        }
        p
    }
    unsafe fn dealloc(&self, ptr: *mut u8, layout: Layout) {
        LIVE.fetch_sub(layout.size(), Ordering::Relaxed);
        // SAFETY: `ptr` came from `alloc` above with this layout.
        unsafe { System.dealloc(ptr, layout) }
    }
}

#[global_allocator]
static ALLOC: Counting = Counting;

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

fn fix_crcs(m: &mut [u8]) {
    if m.len() < 16 {
        return;
    }
    let c = crc32(&m[..8]);
    m[8..12].copy_from_slice(&c.to_be_bytes());
    let end = m.len() - 4;
    let mc = crc32_update(c, &m[8..end]);
    m[end..].copy_from_slice(&mc.to_be_bytes());
}

fn mutate(rng: &mut Rng, seeds: &[Vec<u8>]) -> Vec<u8> {
    let mut d = seeds[rng.below(seeds.len())].clone();
    for _ in 0..1 + rng.below(4) {
        match rng.below(9) {
            0 if !d.is_empty() => {
                let i = rng.below(d.len());
                d[i] ^= 1 << rng.below(8);
            }
            1 if !d.is_empty() => {
                let i = rng.below(d.len());
                d[i] = rng.next() as u8;
            }
            2 => d.truncate(rng.below(d.len() + 1)),
            3 => {
                let i = rng.below(d.len() + 1);
                d.insert(i, rng.next() as u8);
            }
            4 => {
                let other = &seeds[rng.below(seeds.len())];
                d.extend_from_slice(&other[..rng.below(other.len() + 1)]);
            }
            5 if d.len() >= 12 => {
                // plausible-looking lengths, CRCs fixed so deeper code runs
                let field = 4 * rng.below(2);
                let v = match rng.below(4) {
                    0 => rng.next() as u32,
                    1 => d.len() as u32 + rng.below(8) as u32,
                    2 => 24 * 1024 * 1024 + rng.below(3) as u32,
                    _ => rng.below(64) as u32,
                };
                d[field..field + 4].copy_from_slice(&v.to_be_bytes());
                fix_crcs(&mut d);
            }
            6 if d.len() > 16 => {
                let i = 12 + rng.below(d.len() - 16);
                d[i] = [0, 6, 7, 9, 10, 0x7f, 0x80, 0xff][rng.below(8)];
                fix_crcs(&mut d);
            }
            7 => {
                let mut head = vec![rng.below(256) as u8];
                head.extend((0..rng.below(8)).map(|_| rng.next() as u8));
                head.extend_from_slice(&d);
                d = head;
            }
            _ => fix_crcs(&mut d),
        }
    }
    d
}

fn env_num(name: &str, default: u64) -> u64 {
    std::env::var(name)
        .ok()
        .and_then(|v| v.parse().ok())
        .unwrap_or(default)
}

#[test]
fn fuzz_targets_survive_mutated_vectors() {
    let seeds = common::small_vector_files(16384);
    let iters = env_num("WIRE_FUZZ_ITERS", 200_000);
    let deadline = Instant::now() + Duration::from_secs(env_num("WIRE_FUZZ_SECS", 60));
    let mut rng = Rng(0x9E37_79B9_7F4A_7C15);
    for s in &seeds {
        fuzz_targets::message_decode(s);
        fuzz_targets::streaming_decoder_chunked(s);
    }
    let baseline = LIVE.load(Ordering::Relaxed);
    PEAK.store(baseline, Ordering::Relaxed);
    let mut done = 0u64;
    let mut max_input = 0;
    while done < iters && Instant::now() < deadline {
        let input = mutate(&mut rng, &seeds);
        max_input = max_input.max(input.len());
        fuzz_targets::message_decode(&input);
        fuzz_targets::streaming_decoder_chunked(&input);
        done += 1;
    }
    let peak = PEAK.load(Ordering::Relaxed) - baseline;
    println!("fuzz smoke: {done} inputs, largest {max_input} bytes, peak extra heap {peak} bytes");
    assert!(done >= 1000, "only {done} inputs ran");
    // Inputs are < 64 KiB; a decoder allocating from a declared length
    // (up to 24 MiB) would blow far past this.
    assert!(peak < 4 * 1024 * 1024, "peak heap {peak} bytes");
}
