//! CRC32 (IEEE) for the wire: one running checksum over the whole message,
//! computed by the crate's one CRC implementation (`crate::checksums`).

/// CRC32 of `data` from a zero seed.
#[inline]
pub fn crc32(data: &[u8]) -> u32 {
    crate::checksums::crc32(data, 0)
}

/// Continues a CRC32 computed so far (`crc`) over `data`, as upstream's
/// `aws_checksums_crc32(data, len, previous)` does.
#[inline]
pub fn crc32_update(crc: u32, data: &[u8]) -> u32 {
    crate::checksums::crc32(data, crc)
}
