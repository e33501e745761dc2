//! GF(2) arithmetic modulo a CRC polynomial, in the reflected bit order the
//! CRCs use: combining CRC(A) and CRC(B) into CRC(A||B) without the data, and
//! the "shift by n zero bytes" operator the multi-stream CRC32C path needs.
//!
//! crc(A||B) = crc(A) * x^(8*len(B)) + crc(B)  (mod P), for finished values:
//! the initial and final inversions cancel out.

/// A reflected CRC polynomial of width 32 or 64 with its x^(8 * 2^i) powers.
pub(super) struct Field {
    poly: u64,
    /// x^0 in reflected order: the top bit of the register.
    one: u64,
    /// pow2[i] = x^(8 * 2^i) mod P.
    pow2: [u64; 64],
}

impl Field {
    pub(super) const fn new(poly: u64, width: u32) -> Field {
        let one = 1u64 << (width - 1);
        let mut f = Field {
            poly,
            one,
            pow2: [0; 64],
        };
        // x^8: eight multiplications by x starting from x^0.
        let mut p = one;
        let mut k = 0;
        while k < 8 {
            p = f.times_x(p);
            k += 1;
        }
        let mut i = 0;
        while i < 64 {
            f.pow2[i] = p;
            p = f.mul(p, p);
            i += 1;
        }
        f
    }

    const fn times_x(&self, a: u64) -> u64 {
        if a & 1 != 0 {
            (a >> 1) ^ self.poly
        } else {
            a >> 1
        }
    }

    /// a * b mod P.
    pub(super) const fn mul(&self, a: u64, mut b: u64) -> u64 {
        let mut product = 0;
        let mut bit = self.one;
        while bit != 0 {
            if a & bit != 0 {
                product ^= b;
            }
            b = self.times_x(b);
            bit >>= 1;
        }
        product
    }

    /// x^(8 * n) mod P: one multiplication per set bit of n.
    pub(super) const fn x_pow_8n(&self, mut n: u64) -> u64 {
        let mut result = self.one;
        let mut i = 0;
        while n != 0 {
            if n & 1 != 0 {
                result = self.mul(result, self.pow2[i]);
            }
            n >>= 1;
            i += 1;
        }
        result
    }

    /// x^n mod P.
    pub(super) const fn x_pow(&self, n: u64) -> u64 {
        let mut r = self.x_pow_8n(n / 8);
        let mut k = 0;
        while k < n % 8 {
            r = self.times_x(r);
            k += 1;
        }
        r
    }

    /// CRC of A||B from finished crc(A), crc(B) and len(B). As upstream, a
    /// zero `len2` returns `crc1` whatever `crc2` says.
    pub(super) fn combine(&self, crc1: u64, crc2: u64, len2: u64) -> u64 {
        if len2 == 0 {
            return crc1;
        }
        self.mul(crc1, self.x_pow_8n(len2)) ^ crc2
    }
}

pub(super) static CRC32: Field = Field::new(0xEDB8_8320, 32);
pub(super) const CRC32C_FIELD: Field = Field::new(0x82F6_3B78, 32);
pub(super) static CRC32C: Field = CRC32C_FIELD;
/// `const`s too, so the folding constants are computed at compile time.
pub(super) const CRC64NVME_FIELD: Field = Field::new(0x9A6C_9329_AC4B_C9B5, 64);
pub(super) static CRC64NVME: Field = CRC64NVME_FIELD;

pub fn crc32_combine(crc1: u32, crc2: u32, len2: u64) -> u32 {
    CRC32.combine(crc1.into(), crc2.into(), len2) as u32
}

pub fn crc32c_combine(crc1: u32, crc2: u32, len2: u64) -> u32 {
    CRC32C.combine(crc1.into(), crc2.into(), len2) as u32
}

pub fn crc64nvme_combine(crc1: u64, crc2: u64, len2: u64) -> u64 {
    CRC64NVME.combine(crc1, crc2, len2)
}

#[cfg(test)]
mod tests {
    use super::super::table;
    use super::*;
    use proptest::prelude::*;

    #[test]
    fn combining_check_value_halves() {
        let (a, b) = b"123456789".split_at(4);
        let c64 = crc64nvme_combine(table::crc64nvme(a, 0), table::crc64nvme(b, 0), 5);
        assert_eq!(c64, 0xAE8B_1486_0A79_9888);
        let c32 = crc32_combine(table::crc32(a, 0), table::crc32(b, 0), 5);
        assert_eq!(c32, 0xCBF4_3926);
        let c32c = crc32c_combine(table::crc32c(a, 0), table::crc32c(b, 0), 5);
        assert_eq!(c32c, 0xE306_9283);
    }

    #[test]
    fn zero_length_returns_crc1() {
        assert_eq!(crc64nvme_combine(7, 9, 0), 7);
        assert_eq!(crc32_combine(7, 9, 0), 7);
    }

    #[test]
    fn huge_lengths_agree_with_repeated_squaring() {
        // x^(8 * 2^40) two ways: the table, and 2^40 = (2^20)^2.
        let f = &CRC64NVME;
        let p20 = f.x_pow_8n(1 << 20);
        assert_eq!(f.x_pow_8n(1 << 40), {
            // (x^(8*2^20))^(2^20) by twenty squarings.
            let mut p = p20;
            for _ in 0..20 {
                p = f.mul(p, p);
            }
            p
        });
        assert_eq!(
            f.x_pow_8n(u64::MAX),
            f.mul(f.x_pow_8n(u64::MAX - 1), f.x_pow_8n(1))
        );
    }

    proptest! {
        #[test]
        fn combine_equals_whole(data in proptest::collection::vec(any::<u8>(), 0..2000), cut in any::<prop::sample::Index>()) {
            let cut = cut.index(data.len() + 1);
            let (a, b) = data.split_at(cut);
            let n = b.len() as u64;
            prop_assert_eq!(crc64nvme_combine(table::crc64nvme(a, 0), table::crc64nvme(b, 0), n), table::crc64nvme(&data, 0));
            prop_assert_eq!(crc32_combine(table::crc32(a, 0), table::crc32(b, 0), n), table::crc32(&data, 0));
            prop_assert_eq!(crc32c_combine(table::crc32c(a, 0), table::crc32c(b, 0), n), table::crc32c(&data, 0));
        }
    }
}
