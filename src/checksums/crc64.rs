//! CRC64-NVME (a.k.a. CRC64-Rocksoft): reflected polynomial 0x9A6C9329AC4BC9B5,
//! initial value and final XOR all ones.
//!
//! x86_64: carry-less-multiply folding ([`super::fold`]) from 16 bytes up,
//! 512 bits wide with AVX-512 VPCLMULQDQ from 256. Elsewhere: the table.
#[cfg(target_arch = "x86_64")]
use super::fold;
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
    if data.len() >= fold::wide::MIN_LEN && fold::wide_available() {
        // SAFETY: the required CPU features were just detected.
        return unsafe { fold::wide::update(&fold::CRC64NVME, crc, data) };
    }
    #[cfg(target_arch = "x86_64")]
    if data.len() >= 16 && fold::sse_available() {
        // SAFETY: the required CPU feature was just detected.
        return unsafe { fold::sse::update(&fold::CRC64NVME, crc, data) };
    }
    table::CRC64NVME.update(crc, data)
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
