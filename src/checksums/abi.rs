//! `#[repr(C)]` mirrors of aws-checksums' public types (`aws/checksums/xxhash.h`).
use libc::c_int;

use crate::common::abi::aws_allocator;

pub type enum_aws_xxhash_type = c_int;

#[repr(C)]
pub enum aws_xxhash_type {
    XXHASH64 = 0,
    XXHASH3_64 = 1,
    XXHASH3_128 = 2,
}

/// A streaming hash: upstream's public header shows these three fields.
#[repr(C)]
pub struct aws_xxhash {
    pub allocator: *mut aws_allocator,
    pub r#type: enum_aws_xxhash_type,
    pub r#impl: *mut aws_xxhash_impl,
}

/// The hash state behind `aws_xxhash.impl` (private upstream).
pub struct aws_xxhash_impl {
    _opaque: [u8; 0],
}
