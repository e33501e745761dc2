//! xxHash (XXH64, XXH3-64, XXH3-128) through the `xxhash-rust` crate, with
//! upstream's C API: objects from the caller's allocator, digests appended to
//! an `aws_byte_buf` in big-endian (network) order, refused whole with
//! AWS_ERROR_INVALID_BUFFER_SIZE when they do not fit.
use libc::c_int;
use xxhash_rust::{xxh3, xxh64};

use super::abi::*;
use crate::common::abi::*;
use crate::common::allocator::{drop_in, new_in};
use crate::common::byte_buf::{buf_mut, cursor_bytes};
use crate::common::error::raise;
use crate::common::error_codes::*;

/// A running hash of one of the three kinds.
pub enum Hasher {
    Xxh64(xxh64::Xxh64),
    // Boxed: the XXH3 state asks for 64-byte alignment, more than C allocators give.
    Xxh3_64(Box<xxh3::Xxh3>),
    Xxh3_128(Box<xxh3::Xxh3>),
}

impl Hasher {
    pub fn update(&mut self, data: &[u8]) {
        match self {
            Hasher::Xxh64(h) => h.update(data),
            Hasher::Xxh3_64(h) | Hasher::Xxh3_128(h) => h.update(data),
        }
    }

    /// The digest so far, big-endian; hashing may go on afterwards.
    pub fn digest(&self) -> Digest {
        match self {
            Hasher::Xxh64(h) => Digest::Short(h.digest().to_be_bytes()),
            Hasher::Xxh3_64(h) => Digest::Short(h.digest().to_be_bytes()),
            Hasher::Xxh3_128(h) => Digest::Long(h.digest128().to_be_bytes()),
        }
    }

    fn kind(&self) -> aws_xxhash_type {
        match self {
            Hasher::Xxh64(_) => aws_xxhash_type::XXHASH64,
            Hasher::Xxh3_64(_) => aws_xxhash_type::XXHASH3_64,
            Hasher::Xxh3_128(_) => aws_xxhash_type::XXHASH3_128,
        }
    }
}

/// A digest in upstream's byte order (XXH3-128: high half first).
pub enum Digest {
    Short([u8; 8]),
    Long([u8; 16]),
}

impl Digest {
    pub fn bytes(&self) -> &[u8] {
        match self {
            Digest::Short(b) => b,
            Digest::Long(b) => b,
        }
    }
}

/// The C object: upstream's public struct, then the state `impl` points at.
#[repr(C)]
struct Object {
    c: aws_xxhash,
    hasher: Hasher,
}

/// Appends the digest to `out` if it fits; otherwise raises and leaves `out` alone.
///
/// # Safety
/// `out` must be NULL or a valid buffer.
unsafe fn write_digest(digest: Digest, out: *mut aws_byte_buf, func: &str) -> c_int {
    // SAFETY: forwarded caller contract; NULL or an inconsistent buffer aborts.
    let out = unsafe { buf_mut(out, func) };
    let bytes = digest.bytes();
    if out.capacity - out.len < bytes.len() {
        return raise(AWS_ERROR_INVALID_BUFFER_SIZE);
    }
    // SAFETY: `capacity - len` writable bytes start at buffer + len (checked above).
    unsafe { std::ptr::copy_nonoverlapping(bytes.as_ptr(), out.buffer.add(out.len), bytes.len()) };
    out.len += bytes.len();
    AWS_OP_SUCCESS
}

/// # Safety
/// `allocator` must be a valid allocator.
unsafe fn new_hash(allocator: *mut aws_allocator, hasher: Hasher) -> *mut aws_xxhash {
    crate::fatal_precondition!(!allocator.is_null(), "aws_xxhash_new");
    let c = aws_xxhash {
        allocator,
        r#type: hasher.kind() as c_int,
        r#impl: std::ptr::null_mut(),
    };
    // SAFETY: the caller's allocator; freed with it in aws_xxhash_destroy.
    let obj = unsafe { new_in(allocator, Object { c, hasher }) };
    if obj.is_null() {
        return std::ptr::null_mut();
    }
    // SAFETY: `obj` was just initialised; `impl` designates its own hasher.
    unsafe {
        (*obj).c.r#impl = std::ptr::addr_of_mut!((*obj).hasher).cast();
        std::ptr::addr_of_mut!((*obj).c)
    }
}

/// # Safety
/// `hash` must be NULL or made by one of the `aws_xxhash*_new` functions.
unsafe fn object<'a>(hash: *mut aws_xxhash) -> Option<&'a mut Object> {
    // SAFETY: `c` is the first field of the repr(C) Object the hash was made as.
    unsafe { (hash as *mut Object).as_mut() }
}

#[no_mangle]
pub unsafe extern "C" fn aws_xxhash64_new(
    allocator: *mut aws_allocator,
    seed: u64,
) -> *mut aws_xxhash {
    // SAFETY: C passes a valid allocator, as the upstream header documents.
    unsafe { new_hash(allocator, Hasher::Xxh64(xxh64::Xxh64::new(seed))) }
}

#[no_mangle]
pub unsafe extern "C" fn aws_xxhash3_64_new(
    allocator: *mut aws_allocator,
    seed: u64,
) -> *mut aws_xxhash {
    let state = Box::new(xxh3::Xxh3::with_seed(seed));
    // SAFETY: C passes a valid allocator, as the upstream header documents.
    unsafe { new_hash(allocator, Hasher::Xxh3_64(state)) }
}

#[no_mangle]
pub unsafe extern "C" fn aws_xxhash3_128_new(
    allocator: *mut aws_allocator,
    seed: u64,
) -> *mut aws_xxhash {
    let state = Box::new(xxh3::Xxh3::with_seed(seed));
    // SAFETY: C passes a valid allocator, as the upstream header documents.
    unsafe { new_hash(allocator, Hasher::Xxh3_128(state)) }
}

/// Feeds `data` to the hash; a NULL hash raises AWS_ERROR_INVALID_ARGUMENT.
#[no_mangle]
pub unsafe extern "C" fn aws_xxhash_update(hash: *mut aws_xxhash, data: aws_byte_cursor) -> c_int {
    // SAFETY: C passes a hash from aws_xxhash*_new and a cursor over readable bytes.
    unsafe {
        let Some(obj) = object(hash) else {
            return raise(AWS_ERROR_INVALID_ARGUMENT);
        };
        obj.hasher.update(cursor_bytes(&data));
    }
    AWS_OP_SUCCESS
}

/// Appends the digest so far to `out` (8 or 16 bytes, big-endian).
#[no_mangle]
pub unsafe extern "C" fn aws_xxhash_finalize(
    hash: *mut aws_xxhash,
    out: *mut aws_byte_buf,
) -> c_int {
    // SAFETY: C passes a hash from aws_xxhash*_new and a valid buffer; NULLs raise.
    unsafe {
        let Some(obj) = object(hash) else {
            return raise(AWS_ERROR_INVALID_ARGUMENT);
        };
        if out.is_null() {
            return raise(AWS_ERROR_INVALID_ARGUMENT);
        }
        write_digest(obj.hasher.digest(), out, "aws_xxhash_finalize")
    }
}

/// Frees a hash; NULL is ignored.
#[no_mangle]
pub unsafe extern "C" fn aws_xxhash_destroy(hash: *mut aws_xxhash) {
    if hash.is_null() {
        return;
    }
    // SAFETY: a hash from new_hash: an Object allocated with its own allocator.
    unsafe { drop_in((*hash).allocator, hash as *mut Object) }
}

#[no_mangle]
pub unsafe extern "C" fn aws_xxhash64_compute(
    seed: u64,
    data: aws_byte_cursor,
    out: *mut aws_byte_buf,
) -> c_int {
    // SAFETY: C passes a cursor over readable bytes and a valid buffer.
    unsafe {
        let digest = xxh64::xxh64(cursor_bytes(&data), seed).to_be_bytes();
        write_digest(Digest::Short(digest), out, "aws_xxhash64_compute")
    }
}

#[no_mangle]
pub unsafe extern "C" fn aws_xxhash3_64_compute(
    seed: u64,
    data: aws_byte_cursor,
    out: *mut aws_byte_buf,
) -> c_int {
    // SAFETY: C passes a cursor over readable bytes and a valid buffer.
    unsafe {
        let digest = xxh3::xxh3_64_with_seed(cursor_bytes(&data), seed).to_be_bytes();
        write_digest(Digest::Short(digest), out, "aws_xxhash3_64_compute")
    }
}

#[no_mangle]
pub unsafe extern "C" fn aws_xxhash3_128_compute(
    seed: u64,
    data: aws_byte_cursor,
    out: *mut aws_byte_buf,
) -> c_int {
    // SAFETY: C passes a cursor over readable bytes and a valid buffer.
    unsafe {
        let digest = xxh3::xxh3_128_with_seed(cursor_bytes(&data), seed).to_be_bytes();
        write_digest(Digest::Long(digest), out, "aws_xxhash3_128_compute")
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn digest_of(mut h: Hasher, data: &[u8]) -> Vec<u8> {
        h.update(data);
        h.digest().bytes().to_vec()
    }

    #[test]
    fn reference_vectors_of_the_empty_input() {
        let empty = |h| digest_of(h, b"");
        assert_eq!(
            empty(Hasher::Xxh64(xxh64::Xxh64::new(0))),
            0xEF46_DB37_51D8_E999u64.to_be_bytes()
        );
        assert_eq!(
            empty(Hasher::Xxh3_64(Box::new(xxh3::Xxh3::with_seed(0)))),
            0x2D06_8005_38D3_94C2u64.to_be_bytes()
        );
        assert_eq!(
            empty(Hasher::Xxh3_128(Box::new(xxh3::Xxh3::with_seed(0)))),
            0x99AA_06D3_0147_98D8_6001_C324_468D_497Fu128.to_be_bytes()
        );
    }

    #[test]
    fn streaming_in_pieces_equals_one_shot_and_digest_can_continue() {
        let data: Vec<u8> = (0..5000u32).map(|i| (i * 31 + 7) as u8).collect();
        let seed = 0x1234_5678_9abc_def0;
        let mut h64 = Hasher::Xxh64(xxh64::Xxh64::new(seed));
        let mut h3 = Hasher::Xxh3_64(Box::new(xxh3::Xxh3::with_seed(seed)));
        let mut h128 = Hasher::Xxh3_128(Box::new(xxh3::Xxh3::with_seed(seed)));
        for piece in data.chunks(333) {
            for h in [&mut h64, &mut h3, &mut h128] {
                h.update(piece);
                let _ = h.digest(); // finalizing midway changes nothing
            }
        }
        assert_eq!(
            h64.digest().bytes(),
            xxh64::xxh64(&data, seed).to_be_bytes()
        );
        assert_eq!(
            h3.digest().bytes(),
            xxh3::xxh3_64_with_seed(&data, seed).to_be_bytes()
        );
        assert_eq!(
            h128.digest().bytes(),
            xxh3::xxh3_128_with_seed(&data, seed).to_be_bytes()
        );
    }
}
