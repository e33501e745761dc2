//! aws-checksums: CRC32 and CRC32C.
