//! CRC64-NVME (a.k.a. CRC64-Rocksoft): reflected polynomial 0x9A6C9329AC4BC9B5,
//! initial value and final XOR all ones.
//!
//! x86_64 with PCLMULQDQ: eight 16-byte lanes folded 128 bytes at a time with
//! carry-less multiplies, merged into one lane, then the last 16-byte state
//! and the tail go through the slicing-by-8 table. With AVX-512 and
//! VPCLMULQDQ: sixteen lanes in four 512-bit registers, 256 bytes a round,
//! then the same tail. Elsewhere: the table.
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
    #[cfg(all(target_arch = "x86_64", es_rs_avx512))]
    {
        if data.len() >= wide::MIN_LEN
            && std::is_x86_feature_detected!("avx512f")
            && std::is_x86_feature_detected!("vpclmulqdq")
            && std::is_x86_feature_detected!("pclmulqdq")
        {
            // SAFETY: the required CPU features were just detected.
            return unsafe { wide::update(crc, data) };
        }
    }
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
    pub(super) const fn keys(bits: u64) -> (u64, u64) {
        (F.x_pow(bits + 64 - 1), F.x_pow(bits - 1))
    }
    pub(super) const FOLD_16: (u64, u64) = keys(128);
    const FOLD_128: (u64, u64) = keys(1024);

    #[target_feature(enable = "pclmulqdq")]
    pub(super) fn key(k: (u64, u64)) -> __m128i {
        _mm_set_epi64x(k.1 as i64, k.0 as i64)
    }

    #[target_feature(enable = "pclmulqdq")]
    pub(super) fn fold(x: __m128i, k: __m128i) -> __m128i {
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
        finish(acc, rounds.remainder())
    }

    /// Folds the 16-byte blocks of `rest` into the state `acc` (which covers
    /// the 16 bytes before them) and returns the raw register after all of it.
    #[target_feature(enable = "pclmulqdq")]
    pub(super) fn finish(mut acc: __m128i, rest: &[u8]) -> u64 {
        let k16 = key(FOLD_16);
        let mut blocks = rest.chunks_exact(16);
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

// Built only by rustc >= 1.89 (build.rs sets es_rs_avx512), whatever the MSRV says.
#[cfg(all(target_arch = "x86_64", es_rs_avx512))]
#[allow(clippy::incompatible_msrv)]
mod wide {
    use super::clmul::{finish, fold, key, keys, FOLD_16};
    use std::arch::x86_64::{
        __m128i, __m512i, _mm512_broadcast_i32x4, _mm512_clmulepi64_epi128,
        _mm512_extracti32x4_epi32, _mm512_loadu_si512, _mm512_set_epi64, _mm512_ternarylogic_epi64,
        _mm512_xor_si512, _mm_xor_si128,
    };

    /// Four registers of four 16-byte lanes.
    const ROUND: usize = 256;
    pub(super) const MIN_LEN: usize = ROUND;

    const FOLD_256: (u64, u64) = keys(2048);
    const FOLD_64: (u64, u64) = keys(512);
    const FOLD_48: (u64, u64) = keys(384);
    const FOLD_32: (u64, u64) = keys(256);

    #[target_feature(enable = "avx512f,vpclmulqdq,pclmulqdq")]
    fn wide_key(k: (u64, u64)) -> __m512i {
        _mm512_broadcast_i32x4(key(k))
    }

    /// Folds each 16-byte lane of `x` forward by the distance of `k` and XORs `next` in.
    #[target_feature(enable = "avx512f,vpclmulqdq,pclmulqdq")]
    fn fold_into(x: __m512i, k: __m512i, next: __m512i) -> __m512i {
        _mm512_ternarylogic_epi64::<0x96>(
            _mm512_clmulepi64_epi128::<0x00>(x, k),
            _mm512_clmulepi64_epi128::<0x11>(x, k),
            next,
        )
    }

    #[target_feature(enable = "avx512f,vpclmulqdq,pclmulqdq")]
    fn load(bytes: &[u8]) -> __m512i {
        assert!(bytes.len() >= 64);
        // SAFETY: at least 64 readable bytes (checked); loadu needs no alignment.
        unsafe { _mm512_loadu_si512(bytes.as_ptr().cast()) }
    }

    /// Raw register update; `data` holds at least [`MIN_LEN`] bytes.
    #[target_feature(enable = "avx512f,vpclmulqdq,pclmulqdq")]
    pub(super) unsafe fn update(crc: u64, data: &[u8]) -> u64 {
        let mut rounds = data.chunks_exact(ROUND);
        let first = rounds.next().expect("at least one round");
        let mut regs: [__m512i; 4] = std::array::from_fn(|i| load(&first[64 * i..]));
        regs[0] = _mm512_xor_si512(regs[0], _mm512_set_epi64(0, 0, 0, 0, 0, 0, 0, crc as i64));

        let k256 = wide_key(FOLD_256);
        for round in &mut rounds {
            for (i, reg) in regs.iter_mut().enumerate() {
                *reg = fold_into(*reg, k256, load(&round[64 * i..]));
            }
        }

        // Merge the registers, then fold in what is left 64 bytes at a time.
        let k64 = wide_key(FOLD_64);
        let mut acc = regs[0];
        for reg in &regs[1..] {
            acc = fold_into(acc, k64, *reg);
        }
        let mut blocks = rounds.remainder().chunks_exact(64);
        for block in &mut blocks {
            acc = fold_into(acc, k64, load(block));
        }

        // Merge the four lanes: each moves forward to the last one.
        let merged: __m128i = _mm_xor_si128(
            _mm_xor_si128(
                fold(_mm512_extracti32x4_epi32::<0>(acc), key(FOLD_48)),
                fold(_mm512_extracti32x4_epi32::<1>(acc), key(FOLD_32)),
            ),
            _mm_xor_si128(
                fold(_mm512_extracti32x4_epi32::<2>(acc), key(FOLD_16)),
                _mm512_extracti32x4_epi32::<3>(acc),
            ),
        );
        finish(merged, blocks.remainder())
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
            for len in (0..1100).chain([4000, 4984 - off]) {
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
