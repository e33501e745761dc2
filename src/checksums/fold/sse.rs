//! 128-bit folding with PCLMULQDQ: eight lanes, 128 bytes a round.
use std::arch::x86_64::{
    __m128i, _mm_clmulepi64_si128, _mm_loadu_si128, _mm_set_epi64x, _mm_storeu_si128, _mm_xor_si128,
};

use super::Crc;

/// One round of eight lanes.
const ROUND: usize = 128;

#[target_feature(enable = "pclmulqdq")]
pub(super) fn key(k: (u64, u64)) -> __m128i {
    _mm_set_epi64x(k.1 as i64, k.0 as i64)
}

/// Moves `x` forward by the distance of `k`.
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

/// The first 16 bytes of the message with the register folded in.
#[target_feature(enable = "pclmulqdq")]
pub(super) fn start(crc: u64, first: __m128i) -> __m128i {
    _mm_xor_si128(first, _mm_set_epi64x(0, crc as i64))
}

/// Raw register update of `c` over `data` (at least 16 bytes).
///
/// # Safety
/// The CPU must support PCLMULQDQ.
#[target_feature(enable = "pclmulqdq")]
pub(in crate::checksums) unsafe fn update(c: &Crc, crc: u64, data: &[u8]) -> u64 {
    if data.len() < ROUND {
        return finish(c, start(crc, load(data)), &data[16..]);
    }
    let mut rounds = data.chunks_exact(ROUND);
    let first = rounds.next().expect("at least one round");
    let mut lanes: [__m128i; 8] = std::array::from_fn(|i| load(&first[16 * i..]));
    lanes[0] = start(crc, lanes[0]);

    let k128 = key(c.k128);
    for round in &mut rounds {
        for (i, lane) in lanes.iter_mut().enumerate() {
            *lane = _mm_xor_si128(fold(*lane, k128), load(&round[16 * i..]));
        }
    }

    let k16 = key(c.k16);
    let mut acc = lanes[0];
    for lane in &lanes[1..] {
        acc = _mm_xor_si128(fold(acc, k16), *lane);
    }
    finish(c, acc, rounds.remainder())
}

/// Folds the 16-byte blocks of `rest` into the state `acc` (which covers the
/// 16 bytes before them) and returns the raw register after all of it.
#[target_feature(enable = "pclmulqdq")]
pub(super) fn finish(c: &Crc, mut acc: __m128i, rest: &[u8]) -> u64 {
    let k16 = key(c.k16);
    let mut blocks = rest.chunks_exact(16);
    for block in &mut blocks {
        acc = _mm_xor_si128(fold(acc, k16), load(block));
    }
    // The state is 16 bytes of message whose CRC from a zero register is what
    // all the data so far gives.
    let mut state = [0u8; 16];
    // SAFETY: `state` is 16 writable bytes; storeu needs no alignment.
    unsafe { _mm_storeu_si128(state.as_mut_ptr().cast(), acc) };
    let crc = c.table.update(0, &state);
    c.table.update(crc, blocks.remainder())
}
