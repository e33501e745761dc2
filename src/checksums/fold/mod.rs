//! Carry-less-multiply folding (x86_64) for the reflected CRCs of width 32 or
//! 64: the message is kept as 16-byte lanes of state, each moved forward past
//! the next data by multiplying with x^distance mod P, until one 16-byte
//! state is left; the slicing-by-8 table reduces it (and the tail) to the CRC.
//!
//! Registers are raw here: callers apply the initial and final inversion.
use super::combine::{Field, CRC32C_FIELD, CRC64NVME_FIELD};
use super::table::{self, Slice8};

pub(super) mod sse;
#[cfg(es_rs_avx512)]
pub(super) mod wide;

/// A CRC's table and folding constants.
pub(super) struct Crc {
    table: &'static Slice8,
    /// Fold a 16-byte state forward by 16, 32, 48, 64, 128 and 256 bytes.
    k16: (u64, u64),
    k32: (u64, u64),
    k48: (u64, u64),
    k64: (u64, u64),
    k128: (u64, u64),
    k256: (u64, u64),
}

impl Crc {
    const fn new(table: &'static Slice8, f: &Field, width: u64) -> Crc {
        Crc {
            table,
            k16: keys(f, width, 16),
            k32: keys(f, width, 32),
            k48: keys(f, width, 48),
            k64: keys(f, width, 64),
            k128: keys(f, width, 128),
            k256: keys(f, width, 256),
        }
    }
}

/// Constants that move a 16-byte state forward by `bytes`: its high-degree
/// half (the low qword, in reflected order) times x^(8 bytes + 64), the other
/// times x^(8 bytes). A carry-less product of two reflected 64-bit lanes lands
/// one bit short of reflected 128-bit order, and a width-w constant in a
/// 64-bit lane reads as itself times x^(64 - w): both come off the exponent.
const fn keys(f: &Field, width: u64, bytes: u64) -> (u64, u64) {
    let shift = 64 - width + 1;
    (f.x_pow(8 * bytes + 64 - shift), f.x_pow(8 * bytes - shift))
}

pub(super) static CRC64NVME: Crc = Crc::new(&table::CRC64NVME, &CRC64NVME_FIELD, 64);
pub(super) static CRC32C: Crc = Crc::new(&table::CRC32C, &CRC32C_FIELD, 32);

/// Whether [`sse::update`] may run.
pub(super) fn sse_available() -> bool {
    std::is_x86_feature_detected!("pclmulqdq")
}

/// Whether [`wide::update`] may run.
#[cfg(es_rs_avx512)]
pub(super) fn wide_available() -> bool {
    std::is_x86_feature_detected!("avx512f")
        && std::is_x86_feature_detected!("vpclmulqdq")
        && std::is_x86_feature_detected!("pclmulqdq")
}

#[cfg(test)]
mod tests {
    use super::*;

    /// Every path on every length, offset and starting value, against the table.
    fn check(c: &Crc, width: u64) {
        let mask = if width == 64 { !0 } else { (1u64 << width) - 1 };
        let data: Vec<u8> = (0..3000u32)
            .map(|i| (i.wrapping_mul(2_654_435_761) >> 13) as u8)
            .collect();
        for off in [0, 1, 7] {
            for len in (16..1100).chain([2999 - off]) {
                let d = &data[off..off + len];
                for start in [0, mask, 0x1234_5678_9abc_def0 & mask] {
                    let expected = c.table.update(start, d);
                    if sse_available() {
                        // SAFETY: the feature was just detected; len >= 16.
                        assert_eq!(
                            unsafe { sse::update(c, start, d) },
                            expected,
                            "sse len {len}"
                        );
                    }
                    #[cfg(es_rs_avx512)]
                    if len >= wide::MIN_LEN && wide_available() {
                        // SAFETY: the features were just detected; len >= MIN_LEN.
                        assert_eq!(
                            unsafe { wide::update(c, start, d) },
                            expected,
                            "wide len {len}"
                        );
                    }
                }
            }
        }
    }

    #[test]
    fn crc64nvme_folds_agree_with_the_table() {
        check(&CRC64NVME, 64);
    }

    #[test]
    fn crc32c_folds_agree_with_the_table() {
        check(&CRC32C, 32);
    }
}
