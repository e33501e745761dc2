//! CRC64-NVME (a.k.a. CRC64-Rocksoft): reflected polynomial 0x9A6C9329AC4BC9B5,
//! initial value and final XOR all ones.
//!
//! x86_64 with PCLMULQDQ: eight 16-byte lanes folded 128 bytes at a time with
//! carry-less multiplies, merged into one lane, then the last 16-byte state
//! and the tail go through the slicing-by-8 table. Elsewhere: the table.
use super::table;

/// CRC64-NVME of `data` continuing from the finished value `previous`.
pub fn crc64nvme(data: &[u8], previous: u64) -> u64 {
    !update(!previous, data)
}

/// The portable path (upstream's `_sw`).
pub fn crc64nvme_sw(data: &[u8], previous: u64) -> u64 {
    table::crc64nvme(data, previous)
}

fn update(crc: u64, data: &[u8]) -> u64 {
    #[cfg(target_arch = "x86_64")]
    {
        if data.len() >= clmul::MIN_LEN && std::is_x86_feature_detected!("pclmulqdq") {
            // SAFETY: the required CPU feature was just detected.
            return unsafe { clmul::update(crc, data) };
        }
    }
    table::CRC64NVME.update(crc, data)
}

#[cfg(target_arch = "x86_64")]
mod clmul {
    use super::super::combine::CRC64NVME_FIELD as F;
    use super::table;
    use std::arch::x86_64::{
        __m128i, _mm_clmulepi64_si128, _mm_loadu_si128, _mm_set_epi64x, _mm_storeu_si128,
        _mm_xor_si128,
    };

    /// One round of eight lanes.
    const ROUND: usize = 128;
    /// Below this the table is as fast.
    pub(super) const MIN_LEN: usize = ROUND;

    /// Folding a 128-bit state forward by `bits`: its high-degree half (the
    /// low qword, in reflected order) is multiplied by x^(bits + 64), the other
    /// by x^bits. Each exponent is one less because a carry-less product of
    /// two reflected 64-bit values lands one bit short of reflected 128-bit order.
    const fn keys(bits: u64) -> (u64, u64) {
        (F.x_pow(bits + 64 - 1), F.x_pow(bits - 1))
    }
    const FOLD_16: (u64, u64) = keys(128);
    const FOLD_128: (u64, u64) = keys(1024);

    #[target_feature(enable = "pclmulqdq")]
    fn key(k: (u64, u64)) -> __m128i {
        _mm_set_epi64x(k.1 as i64, k.0 as i64)
    }

    #[target_feature(enable = "pclmulqdq")]
    fn fold(x: __m128i, k: __m128i) -> __m128i {
        _mm_xor_si128(
            _mm_clmulepi64_si128::<0x00>(x, k),
            _mm_clmulepi64_si128::<0x11>(x, k),
        )
    }

    #[target_feature(enable = "pclmulqdq")]
    fn load(bytes: &[u8]) -> __m128i {
        assert!(bytes.len() >= 16);
        // SAFETY: at least 16 readable bytes (checked); loadu needs no alignment.
        unsafe { _mm_loadu_si128(bytes.as_ptr().cast()) }
    }

    /// Raw register update; `data` holds at least [`MIN_LEN`] bytes.
    #[target_feature(enable = "pclmulqdq")]
    pub(super) unsafe fn update(crc: u64, data: &[u8]) -> u64 {
        let mut rounds = data.chunks_exact(ROUND);
        let first = rounds.next().expect("at least one round");
        let mut lanes: [__m128i; 8] = std::array::from_fn(|i| load(&first[16 * i..]));
        // The register is the first eight bytes' worth of state.
        lanes[0] = _mm_xor_si128(lanes[0], _mm_set_epi64x(0, crc as i64));

        let k128 = key(FOLD_128);
        for round in &mut rounds {
            for (i, lane) in lanes.iter_mut().enumerate() {
                *lane = _mm_xor_si128(fold(*lane, k128), load(&round[16 * i..]));
            }
        }

        let k16 = key(FOLD_16);
        let mut acc = lanes[0];
        for lane in &lanes[1..] {
            acc = _mm_xor_si128(fold(acc, k16), *lane);
        }
        let mut blocks = rounds.remainder().chunks_exact(16);
        for block in &mut blocks {
            acc = _mm_xor_si128(fold(acc, k16), load(block));
        }

        // The state is 16 bytes of message whose CRC, from a zero register, is
        // what all the data so far gives.
        let mut state = [0u8; 16];
        // SAFETY: `state` is 16 writable bytes; storeu needs no alignment.
        unsafe { _mm_storeu_si128(state.as_mut_ptr().cast(), acc) };
        let crc = table::CRC64NVME.update(0, &state);
        table::CRC64NVME.update(crc, blocks.remainder())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn check_values() {
        assert_eq!(crc64nvme(b"123456789", 0), 0xAE8B_1486_0A79_9888);
        assert_eq!(crc64nvme(b"", 0), 0);
        assert_eq!(crc64nvme_sw(b"123456789", 0), 0xAE8B_1486_0A79_9888);
    }

    #[test]
    fn residue_of_data_followed_by_its_crc() {
        let data: Vec<u8> = (0..1000u32).map(|i| (i * 131) as u8).collect();
        let mut with_crc = data.clone();
        with_crc.extend_from_slice(&crc64nvme(&data, 0).to_le_bytes());
        assert_eq!(crc64nvme(&with_crc, 0), !0xF310_303B_2B6F_6E42);
    }

    #[test]
    fn fast_path_equals_table_on_every_length_offset_and_split() {
        let data: Vec<u8> = (0..5000u32)
            .map(|i| (i.wrapping_mul(2_654_435_761) >> 13) as u8)
            .collect();
        for off in 0..16 {
            for len in (0..700).chain([1023, 1024, 1025, 4000, 4984 - off]) {
                let d = &data[off..off + len];
                let expected = crc64nvme_sw(d, 0);
                assert_eq!(crc64nvme(d, 0), expected, "off {off} len {len}");
                let (a, b) = d.split_at(len / 3);
                assert_eq!(crc64nvme(b, crc64nvme(a, 0)), expected, "split {len}");
                assert_eq!(crc64nvme(d, 0x1234_5678), crc64nvme_sw(d, 0x1234_5678));
            }
        }
    }
}
