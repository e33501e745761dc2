//! 512-bit folding with AVX-512 VPCLMULQDQ: sixteen lanes in four registers,
//! 256 bytes a round. Built only by rustc >= 1.89 (build.rs sets
//! `es_rs_avx512`), whatever the MSRV says.
#![allow(clippy::incompatible_msrv)]

use std::arch::x86_64::{
    __m128i, __m512i, _mm512_broadcast_i32x4, _mm512_clmulepi64_epi128, _mm512_extracti32x4_epi32,
    _mm512_loadu_si512, _mm512_set_epi64, _mm512_ternarylogic_epi64, _mm512_xor_si512,
    _mm_xor_si128,
};

use super::sse::{finish, fold, key};
use super::Crc;

/// Four registers of four 16-byte lanes.
const ROUND: usize = 256;
pub(in crate::checksums) const MIN_LEN: usize = ROUND;

#[target_feature(enable = "avx512f,vpclmulqdq,pclmulqdq")]
fn wide_key(k: (u64, u64)) -> __m512i {
    _mm512_broadcast_i32x4(key(k))
}

/// Moves each 16-byte lane of `x` forward by the distance of `k` and XORs `next` in.
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

/// Raw register update of `c` over `data` (at least [`MIN_LEN`] bytes).
///
/// # Safety
/// The CPU must support AVX-512F, VPCLMULQDQ and PCLMULQDQ.
#[target_feature(enable = "avx512f,vpclmulqdq,pclmulqdq")]
pub(in crate::checksums) unsafe fn update(c: &Crc, crc: u64, data: &[u8]) -> u64 {
    let mut rounds = data.chunks_exact(ROUND);
    let first = rounds.next().expect("at least one round");
    let mut regs: [__m512i; 4] = std::array::from_fn(|i| load(&first[64 * i..]));
    regs[0] = _mm512_xor_si512(regs[0], _mm512_set_epi64(0, 0, 0, 0, 0, 0, 0, crc as i64));

    let k256 = wide_key(c.k256);
    for round in &mut rounds {
        for (i, reg) in regs.iter_mut().enumerate() {
            *reg = fold_into(*reg, k256, load(&round[64 * i..]));
        }
    }

    // Merge the registers, then fold in what is left 64 bytes at a time.
    let k64 = wide_key(c.k64);
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
            fold(_mm512_extracti32x4_epi32::<0>(acc), key(c.k48)),
            fold(_mm512_extracti32x4_epi32::<1>(acc), key(c.k32)),
        ),
        _mm_xor_si128(
            fold(_mm512_extracti32x4_epi32::<2>(acc), key(c.k16)),
            _mm512_extracti32x4_epi32::<3>(acc),
        ),
    );
    finish(c, merged, blocks.remainder())
}
