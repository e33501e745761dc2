//! Checksum throughput: `cargo bench --bench checksums`. Prints one
//! `RESULT bench=... gb_per_s=...` line per case: CRC32, CRC32C, CRC64-NVME
//! (fast and portable `_sw` paths), xxHash64 and XXH3, and a bytewise CRC32
//! table loop as the baseline the accelerated paths are compared against.
use std::hint::black_box;
use std::time::{Duration, Instant};

use aws_c_event_stream_rs::checksums::{crc32, crc32c, crc64nvme, crc64nvme_sw};
use xxhash_rust::{xxh3, xxh64};

/// The classic one-table, one-byte-per-step CRC32 loop.
fn crc32_bytewise(data: &[u8]) -> u32 {
    static TABLE: std::sync::OnceLock<[u32; 256]> = std::sync::OnceLock::new();
    let t = TABLE.get_or_init(|| {
        let mut t = [0u32; 256];
        for (i, e) in t.iter_mut().enumerate() {
            let mut c = i as u32;
            for _ in 0..8 {
                c = if c & 1 != 0 {
                    (c >> 1) ^ 0xEDB8_8320
                } else {
                    c >> 1
                };
            }
            *e = c;
        }
        t
    });
    !data.iter().fold(!0u32, |c, &b| {
        (c >> 8) ^ t[((c ^ b as u32) & 0xff) as usize]
    })
}

fn measure<T>(name: &str, size: usize, f: impl Fn(&[u8]) -> T) {
    let data: Vec<u8> = (0..size).map(|i| (i * 31 + 7) as u8).collect();
    let budget = Duration::from_millis(if std::env::var_os("BENCH_QUICK").is_some() {
        100
    } else {
        600
    });
    black_box(f(&data)); // warm-up
    let start = Instant::now();
    let mut bytes = 0usize;
    let mut iters = 0u64;
    while start.elapsed() < budget && iters < 1_000_000 {
        black_box(f(black_box(&data)));
        bytes += size;
        iters += 1;
    }
    let gbps = bytes as f64 / start.elapsed().as_secs_f64() / 1e9;
    println!("RESULT bench={name} size={size} gb_per_s={gbps:.2}");
}

fn main() {
    for size in [1 << 10, 1 << 20] {
        measure("crc32", size, |d| crc32(d, 0));
        measure("crc32c", size, |d| crc32c(d, 0));
        measure("crc64nvme", size, |d| crc64nvme(d, 0));
        measure("crc64nvme_sw", size, |d| crc64nvme_sw(d, 0));
        measure("xxhash64", size, |d| xxh64::xxh64(d, 0));
        measure("xxh3_64", size, xxh3::xxh3_64);
        measure("crc32_bytewise_table", size, crc32_bytewise);
    }
}
