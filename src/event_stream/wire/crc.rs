//! CRC32 (IEEE) helpers; the wire uses one running checksum over the whole message.

/// CRC32 of `data` from a zero seed.
#[inline]
pub fn crc32(data: &[u8]) -> u32 {
    crc32fast::hash(data)
}

/// Continues a CRC32 computed so far (`crc`) over `data`, as upstream's
/// `aws_checksums_crc32(data, len, previous)` does.
#[inline]
pub fn crc32_update(crc: u32, data: &[u8]) -> u32 {
    let mut h = crc32fast::Hasher::new_with_initial(crc);
    h.update(data);
    h.finalize()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn update_continues_the_hash() {
        let data = b"123456789";
        assert_eq!(crc32(data), 0xCBF4_3926);
        assert_eq!(crc32_update(crc32(&data[..4]), &data[4..]), 0xCBF4_3926);
        assert_eq!(crc32_update(0, data), 0xCBF4_3926);
    }
}
