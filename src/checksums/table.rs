//! Slicing-by-8 tables for reflected CRCs (the portable `_sw` paths and the
//! tails of the hardware paths). Built at compile time for each polynomial.
//!
//! Registers here are *raw*: the caller applies the initial and final
//! inversion.

/// Eight 256-entry tables for a reflected CRC of width 32 or 64 (stored as u64).
pub(super) struct Slice8 {
    t: [[u64; 256]; 8],
}

impl Slice8 {
    /// Tables for the reflected polynomial `poly`.
    pub(super) const fn new(poly: u64) -> Slice8 {
        let mut t = [[0u64; 256]; 8];
        let mut i = 0;
        while i < 256 {
            let mut c = i as u64;
            let mut k = 0;
            while k < 8 {
                c = if c & 1 != 0 { (c >> 1) ^ poly } else { c >> 1 };
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
        Slice8 { t }
    }

    /// Raw register update; works for any width up to 64 because a reflected
    /// register of width w only ever has its low w bits set.
    pub(super) fn update(&self, mut crc: u64, data: &[u8]) -> u64 {
        let t = &self.t;
        let mut chunks = data.chunks_exact(8);
        for c in &mut chunks {
            let w = u64::from_le_bytes(c.try_into().expect("8-byte chunk")) ^ crc;
            crc = t[7][(w & 0xff) as usize]
                ^ t[6][((w >> 8) & 0xff) as usize]
                ^ t[5][((w >> 16) & 0xff) as usize]
                ^ t[4][((w >> 24) & 0xff) as usize]
                ^ t[3][((w >> 32) & 0xff) as usize]
                ^ t[2][((w >> 40) & 0xff) as usize]
                ^ t[1][((w >> 48) & 0xff) as usize]
                ^ t[0][(w >> 56) as usize];
        }
        for &b in chunks.remainder() {
            crc = (crc >> 8) ^ t[0][((crc ^ b as u64) & 0xff) as usize];
        }
        crc
    }
}

/// CRC32 (IEEE 802.3), reflected 0xEDB88320.
pub(super) static CRC32: Slice8 = Slice8::new(0xEDB8_8320);
/// CRC32C (Castagnoli), reflected 0x82F63B78.
pub(super) static CRC32C: Slice8 = Slice8::new(0x82F6_3B78);
/// CRC64-NVME, reflected 0x9A6C9329AC4BC9B5.
pub(super) static CRC64NVME: Slice8 = Slice8::new(0x9A6C_9329_AC4B_C9B5);

/// Finished CRC32 from the table path, continuing from `previous`.
pub(super) fn crc32(data: &[u8], previous: u32) -> u32 {
    !(CRC32.update(u64::from(!previous), data) as u32)
}

/// Finished CRC32C from the table path, continuing from `previous`.
pub(super) fn crc32c(data: &[u8], previous: u32) -> u32 {
    !(CRC32C.update(u64::from(!previous), data) as u32)
}

/// Finished CRC64-NVME from the table path, continuing from `previous`.
pub(super) fn crc64nvme(data: &[u8], previous: u64) -> u64 {
    !CRC64NVME.update(!previous, data)
}

#[cfg(test)]
mod tests {
    use super::*;

    /// One bit at a time, straight from the definition.
    fn bitwise(poly: u64, mut crc: u64, data: &[u8]) -> u64 {
        for &b in data {
            crc ^= b as u64;
            for _ in 0..8 {
                crc = if crc & 1 != 0 {
                    (crc >> 1) ^ poly
                } else {
                    crc >> 1
                };
            }
        }
        crc
    }

    #[test]
    fn published_check_values() {
        assert_eq!(crc32(b"123456789", 0), 0xCBF4_3926);
        assert_eq!(crc32c(b"123456789", 0), 0xE306_9283);
        assert_eq!(crc64nvme(b"123456789", 0), 0xAE8B_1486_0A79_9888);
        assert_eq!(crc64nvme(&[0u8; 32], 0), 0xCF34_7343_4D4E_CF3B);
        let counting: Vec<u8> = (0..32).collect();
        assert_eq!(crc64nvme(&counting, 0), 0xB9D9_D4A8_492C_BD7F);
    }

    #[test]
    fn tables_match_the_bitwise_definition() {
        let data: Vec<u8> = (0..300u32).map(|i| (i * 131) as u8).collect();
        for len in [0, 1, 7, 8, 9, 16, 299, 300] {
            let d = &data[..len];
            assert_eq!(
                CRC64NVME.update(!0, d),
                bitwise(0x9A6C_9329_AC4B_C9B5, !0, d)
            );
            assert_eq!(
                CRC32.update(0xffff_ffff, d),
                bitwise(0xEDB8_8320, 0xffff_ffff, d)
            );
        }
    }
}
