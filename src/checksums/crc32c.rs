//! CRC32C (Castagnoli, reflected polynomial 0x82F63B78).
//!
//! x86_64 with AVX-512 VPCLMULQDQ, from 256 bytes: carry-less-multiply
//! folding ([`super::fold`]). With SSE4.2: three independent `crc32`
//! instruction streams over equal blocks (the instruction has 3-cycle latency
//! and 1-cycle throughput), merged with a carry-less "shift by N zero bytes"
//! operator. Elsewhere: a slicing-by-8 table.
#[cfg(all(target_arch = "x86_64", es_rs_avx512))]
use super::fold;
use super::table;

/// CRC32C of `data` continuing from the finished value `previous`.
pub fn crc32c(data: &[u8], previous: u32) -> u32 {
    !update(!previous, data)
}

fn update(crc: u32, data: &[u8]) -> u32 {
    #[cfg(all(target_arch = "x86_64", es_rs_avx512))]
    if data.len() >= fold::wide::MIN_LEN && fold::wide_available() {
        // SAFETY: the required CPU features were just detected.
        return unsafe { fold::wide::update(&fold::CRC32C, crc.into(), data) } as u32;
    }
    #[cfg(target_arch = "x86_64")]
    {
        if std::is_x86_feature_detected!("sse4.2") && std::is_x86_feature_detected!("pclmulqdq") {
            // SAFETY: the required CPU features were just detected.
            return unsafe { hw::update(crc, data) };
        }
    }
    table::CRC32C.update(u64::from(crc), data) as u32
}

#[cfg(target_arch = "x86_64")]
mod hw {
    use super::super::combine;
    use std::arch::x86_64::{_mm_crc32_u64, _mm_crc32_u8};
    use std::sync::OnceLock;

    /// Below this, one stream is as fast as three.
    const BLOCK: usize = 4096;

    fn block_shift() -> u32 {
        static SHIFT: OnceLock<u32> = OnceLock::new();
        *SHIFT.get_or_init(|| combine::CRC32C.x_pow_8n(BLOCK as u64) as u32)
    }

    fn shift_by_block(crc: u32, shift: u32) -> u32 {
        combine::CRC32C.mul(crc.into(), shift.into()) as u32
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
                let ab = shift_by_block(ca as u32, shift) ^ cb as u32;
                crc = shift_by_block(ab, shift) ^ cc as u32;
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
            let expected = table::crc32c(&data[..len], 0);
            assert_eq!(crc32c(&data[..len], 0), expected, "len {len}");
            let (a, b) = data[..len].split_at(len / 3);
            assert_eq!(crc32c(b, crc32c(a, 0)), expected, "split {len}");
        }
    }
}
