//! CRC32C (Castagnoli, reflected polynomial 0x82F63B78).
//!
//! x86_64 with SSE4.2: three independent `crc32` instruction streams over
//! equal blocks (the instruction has 3-cycle latency and 1-cycle throughput),
//! merged with a carry-less "shift by N zero bytes" operator. Elsewhere: a
//! slicing-by-8 table.

const POLY: u32 = 0x82F6_3B78;

/// Slicing-by-8 tables, built at compile time.
static TABLES: [[u32; 256]; 8] = build_tables();

const fn build_tables() -> [[u32; 256]; 8] {
    let mut t = [[0u32; 256]; 8];
    let mut i = 0;
    while i < 256 {
        let mut c = i as u32;
        let mut k = 0;
        while k < 8 {
            c = if c & 1 != 0 { (c >> 1) ^ POLY } else { c >> 1 };
            k += 1;
        }
        t[0][i] = c;
        i += 1;
    }
    let mut s = 1;
    while s < 8 {
        let mut i = 0;
        while i < 256 {
            let prev = t[s - 1][i];
            t[s][i] = (prev >> 8) ^ t[0][(prev & 0xff) as usize];
            i += 1;
        }
        s += 1;
    }
    t
}

/// Raw (non-inverted) table update.
fn update_table(mut crc: u32, mut data: &[u8]) -> u32 {
    while data.len() >= 8 {
        let lo = u32::from_le_bytes([data[0], data[1], data[2], data[3]]) ^ crc;
        let hi = u32::from_le_bytes([data[4], data[5], data[6], data[7]]);
        crc = TABLES[7][(lo & 0xff) as usize]
            ^ TABLES[6][((lo >> 8) & 0xff) as usize]
            ^ TABLES[5][((lo >> 16) & 0xff) as usize]
            ^ TABLES[4][(lo >> 24) as usize]
            ^ TABLES[3][(hi & 0xff) as usize]
            ^ TABLES[2][((hi >> 8) & 0xff) as usize]
            ^ TABLES[1][((hi >> 16) & 0xff) as usize]
            ^ TABLES[0][(hi >> 24) as usize];
        data = &data[8..];
    }
    for &b in data {
        crc = (crc >> 8) ^ TABLES[0][((crc ^ b as u32) & 0xff) as usize];
    }
    crc
}

/// CRC32C of `data` continuing from the finished value `previous`.
pub fn crc32c(data: &[u8], previous: u32) -> u32 {
    !update(!previous, data)
}

fn update(crc: u32, data: &[u8]) -> u32 {
    #[cfg(target_arch = "x86_64")]
    {
        if std::is_x86_feature_detected!("sse4.2") && std::is_x86_feature_detected!("pclmulqdq") {
            // SAFETY: the required CPU features were just detected.
            return unsafe { hw::update(crc, data) };
        }
    }
    update_table(crc, data)
}

/// GF(2) helpers for merging CRCs of adjacent blocks: multiply by x^(8n).
mod shift {
    use super::POLY;

    /// (a * b) mod P over reflected 32-bit polynomials.
    pub(super) fn mul(a: u32, mut b: u32) -> u32 {
        let mut product = 0u32;
        let mut m = 1u32 << 31;
        while m != 0 {
            if a & m != 0 {
                product ^= b;
            }
            b = if b & 1 != 0 { (b >> 1) ^ POLY } else { b >> 1 };
            m >>= 1;
        }
        product
    }

    /// x^(8 * n) mod P (reflected), by square-and-multiply.
    pub(super) fn x_pow_8n(mut n: usize) -> u32 {
        let mut result = 1u32 << 31; // x^0
        let mut base = 1u32 << 23; // x^8
        while n != 0 {
            if n & 1 != 0 {
                result = mul(result, base);
            }
            base = mul(base, base);
            n >>= 1;
        }
        result
    }
}

#[cfg(target_arch = "x86_64")]
mod hw {
    use std::arch::x86_64::{_mm_crc32_u64, _mm_crc32_u8};
    use std::sync::OnceLock;

    /// Below this, one stream is as fast as three.
    const BLOCK: usize = 4096;

    fn block_shift() -> u32 {
        static SHIFT: OnceLock<u32> = OnceLock::new();
        *SHIFT.get_or_init(|| super::shift::x_pow_8n(BLOCK))
    }

    #[target_feature(enable = "sse4.2")]
    unsafe fn one_stream(mut crc: u32, data: &[u8]) -> u32 {
        let mut chunks = data.chunks_exact(8);
        let mut c = crc as u64;
        for chunk in &mut chunks {
            c = _mm_crc32_u64(c, u64::from_le_bytes(chunk.try_into().unwrap()));
        }
        crc = c as u32;
        for &b in chunks.remainder() {
            crc = _mm_crc32_u8(crc, b);
        }
        crc
    }

    #[target_feature(enable = "sse4.2,pclmulqdq")]
    pub(super) unsafe fn update(mut crc: u32, mut data: &[u8]) -> u32 {
        // SAFETY: this fn's caller guarantees its pointer arguments are valid and used on their owning thread.
        unsafe {
            let shift = block_shift();
            while data.len() >= 3 * BLOCK {
                let (a, rest) = data.split_at(BLOCK);
                let (b, rest) = rest.split_at(BLOCK);
                let (c, rest) = rest.split_at(BLOCK);
                let (mut ca, mut cb, mut cc) = (crc as u64, 0u64, 0u64);
                for i in (0..BLOCK).step_by(8) {
                    let wa = u64::from_le_bytes(a[i..i + 8].try_into().unwrap());
                    let wb = u64::from_le_bytes(b[i..i + 8].try_into().unwrap());
                    let wc = u64::from_le_bytes(c[i..i + 8].try_into().unwrap());
                    ca = _mm_crc32_u64(ca, wa);
                    cb = _mm_crc32_u64(cb, wb);
                    cc = _mm_crc32_u64(cc, wc);
                }
                // crc(A||B||C) = shift(shift(crcA) ^ crcB) ^ crcC, all raw values.
                let ab = super::shift::mul(ca as u32, shift) ^ cb as u32;
                crc = super::shift::mul(ab, shift) ^ cc as u32;
                data = rest;
            }
            one_stream(crc, data)
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn check_value() {
        assert_eq!(crc32c(b"123456789", 0), 0xE306_9283);
        assert_eq!(crc32c(b"", 0), 0);
    }

    #[test]
    fn hardware_and_table_agree_on_every_length_and_split() {
        let data: Vec<u8> = (0..40_000u32)
            .map(|i| (i.wrapping_mul(2_654_435_761) >> 13) as u8)
            .collect();
        for len in [
            0, 1, 7, 8, 9, 4095, 4096, 12_287, 12_288, 12_289, 30_000, 40_000,
        ] {
            let expected = !update_table(!0, &data[..len]);
            assert_eq!(crc32c(&data[..len], 0), expected, "len {len}");
            let (a, b) = data[..len].split_at(len / 3);
            assert_eq!(crc32c(b, crc32c(a, 0)), expected, "split {len}");
        }
    }
}
