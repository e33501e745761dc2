//! Memory and message pools, with upstream's structs.
//!
//! `aws_memory_pool` keeps up to `ideal_segment_count` freed segments of one
//! size on a stack (a static `aws_array_list` of pointers) for reuse.
//! `aws_message_pool` has two: full application-data fragments and small
//! blocks. A message is one block: the `aws_io_message`, a small allocator of
//! its own whose `mem_release` returns the block to the pool (so
//! `aws_mem_release(message->allocator, message)` recycles it), then the data.
//! Segments come from the pool's allocator, so a tracing allocator sees them.
use std::ptr::{addr_of_mut, null_mut};

use libc::{c_int, c_void};

use crate::common::abi::*;
use crate::common::allocator::{aws_mem_acquire, aws_mem_calloc, aws_mem_release};
use crate::common::error::raise;
use crate::common::error_codes::AWS_IO_CHANNEL_UNKNOWN_MESSAGE_TYPE;
use crate::fatal_precondition;
use crate::io::abi::*;

const PTR: usize = std::mem::size_of::<*mut c_void>();

// ---- aws_memory_pool -------------------------------------------------------------

unsafe fn stack_slots(pool: *mut aws_memory_pool) -> *mut *mut c_void {
    // SAFETY: this fn's caller guarantees its pointer arguments are valid and used on their owning thread.
    unsafe { (*pool).stack.data as *mut *mut c_void }
}

#[no_mangle]
pub unsafe extern "C" fn aws_memory_pool_init(
    mempool: *mut aws_memory_pool,
    alloc: *mut aws_allocator,
    ideal_segment_count: u16,
    segment_size: usize,
) -> c_int {
    // SAFETY: C passes pointers valid as the upstream header documents; NULL is checked where upstream checks it.
    unsafe {
        fatal_precondition!(
            !mempool.is_null() && !alloc.is_null(),
            "aws_memory_pool_init"
        );
        let count = ideal_segment_count as usize;
        let data = aws_mem_calloc(alloc, count.max(1), PTR);
        if data.is_null() {
            return AWS_OP_ERR;
        }
        mempool.write(aws_memory_pool {
            alloc,
            stack: aws_array_list {
                alloc: null_mut(),
                current_size: count * PTR,
                length: 0,
                item_size: PTR,
                data,
            },
            ideal_segment_count,
            segment_size,
            data_ptr: data,
        });
        for _ in 0..count {
            let segment = aws_mem_acquire(alloc, segment_size);
            if segment.is_null() {
                aws_memory_pool_clean_up(mempool);
                return AWS_OP_ERR;
            }
            *stack_slots(mempool).add((*mempool).stack.length) = segment;
            (*mempool).stack.length += 1;
        }
        AWS_OP_SUCCESS
    }
}

/// Frees the kept segments and the stack (segments in use are not tracked).
#[no_mangle]
pub unsafe extern "C" fn aws_memory_pool_clean_up(mempool: *mut aws_memory_pool) {
    // SAFETY: C passes pointers valid as the upstream header documents; NULL is checked where upstream checks it.
    unsafe {
        fatal_precondition!(!mempool.is_null(), "aws_memory_pool_clean_up");
        let alloc = (*mempool).alloc;
        if alloc.is_null() {
            return;
        }
        while (*mempool).stack.length > 0 {
            (*mempool).stack.length -= 1;
            aws_mem_release(alloc, *stack_slots(mempool).add((*mempool).stack.length));
        }
        aws_mem_release(alloc, (*mempool).data_ptr);
        (*mempool).data_ptr = null_mut();
        (*mempool).stack = std::mem::zeroed();
    }
}

/// A kept segment if there is one, else a fresh one (NULL if that fails).
#[no_mangle]
pub unsafe extern "C" fn aws_memory_pool_acquire(mempool: *mut aws_memory_pool) -> *mut c_void {
    // SAFETY: C passes pointers valid as the upstream header documents; NULL is checked where upstream checks it.
    unsafe {
        fatal_precondition!(!mempool.is_null(), "aws_memory_pool_acquire");
        if (*mempool).stack.length > 0 {
            (*mempool).stack.length -= 1;
            return *stack_slots(mempool).add((*mempool).stack.length);
        }
        aws_mem_acquire((*mempool).alloc, (*mempool).segment_size)
    }
}

/// Keeps the segment for reuse, or frees it when the pool is full.
#[no_mangle]
pub unsafe extern "C" fn aws_memory_pool_release(
    mempool: *mut aws_memory_pool,
    to_release: *mut c_void,
) {
    // SAFETY: C passes pointers valid as the upstream header documents; NULL is checked where upstream checks it.
    unsafe {
        fatal_precondition!(!mempool.is_null(), "aws_memory_pool_release");
        if (*mempool).stack.length >= (*mempool).ideal_segment_count as usize {
            aws_mem_release((*mempool).alloc, to_release);
            return;
        }
        *stack_slots(mempool).add((*mempool).stack.length) = to_release;
        (*mempool).stack.length += 1;
    }
}

// ---- aws_message_pool ---------------------------------------------------------------

/// The head of every pooled message block; the data bytes follow it.
#[repr(C)]
struct MessageBlock {
    message: aws_io_message,
    allocator: aws_allocator,
    pool: *mut aws_message_pool,
    from_application_pool: bool,
}

const BLOCK_HEADER: usize = std::mem::size_of::<MessageBlock>();

unsafe extern "C" fn block_acquire(_allocator: *mut aws_allocator, _size: usize) -> *mut c_void {
    crate::ffi::fatal("a pooled message's allocator only releases its own message")
}

unsafe extern "C" fn block_release(allocator: *mut aws_allocator, ptr: *mut c_void) {
    // SAFETY: C passes pointers valid as the upstream header documents; NULL is checked where upstream checks it.
    unsafe {
        let block = (*allocator).r#impl as *mut MessageBlock;
        aws_message_pool_release((*block).pool, ptr as *mut aws_io_message);
    }
}

#[no_mangle]
pub unsafe extern "C" fn aws_message_pool_init(
    msg_pool: *mut aws_message_pool,
    alloc: *mut aws_allocator,
    args: *mut aws_message_pool_creation_args,
) -> c_int {
    // SAFETY: C passes pointers valid as the upstream header documents; NULL is checked where upstream checks it.
    unsafe {
        fatal_precondition!(
            !msg_pool.is_null() && !alloc.is_null() && !args.is_null(),
            "aws_message_pool_init"
        );
        (*msg_pool).alloc = alloc;
        let a = &*args;
        if aws_memory_pool_init(
            addr_of_mut!((*msg_pool).application_data_pool),
            alloc,
            a.application_data_msg_count as u16,
            a.application_data_msg_data_size
                .saturating_add(BLOCK_HEADER),
        ) != AWS_OP_SUCCESS
        {
            return AWS_OP_ERR;
        }
        if aws_memory_pool_init(
            addr_of_mut!((*msg_pool).small_block_pool),
            alloc,
            a.small_block_msg_count as u16,
            a.small_block_msg_data_size.saturating_add(BLOCK_HEADER),
        ) != AWS_OP_SUCCESS
        {
            aws_memory_pool_clean_up(addr_of_mut!((*msg_pool).application_data_pool));
            return AWS_OP_ERR;
        }
        AWS_OP_SUCCESS
    }
}

#[no_mangle]
pub unsafe extern "C" fn aws_message_pool_clean_up(msg_pool: *mut aws_message_pool) {
    // SAFETY: C passes pointers valid as the upstream header documents; NULL is checked where upstream checks it.
    unsafe {
        fatal_precondition!(!msg_pool.is_null(), "aws_message_pool_clean_up");
        aws_memory_pool_clean_up(addr_of_mut!((*msg_pool).application_data_pool));
        aws_memory_pool_clean_up(addr_of_mut!((*msg_pool).small_block_pool));
        std::ptr::write_bytes(msg_pool, 0, 1);
    }
}

/// An empty message whose capacity is `size_hint`, clamped to the largest the
/// pool holds. Requests above the small-block size get a full fragment block.
/// Never NULL: out of memory aborts, as upstream.
#[no_mangle]
pub unsafe extern "C" fn aws_message_pool_acquire(
    msg_pool: *mut aws_message_pool,
    message_type: enum_aws_io_message_type,
    size_hint: usize,
) -> *mut aws_io_message {
    // SAFETY: C passes pointers valid as the upstream header documents; NULL is checked where upstream checks it.
    unsafe {
        fatal_precondition!(!msg_pool.is_null(), "aws_message_pool_acquire");
        if message_type != aws_io_message_type::AWS_IO_MESSAGE_APPLICATION_DATA as c_int {
            crate::ffi::fatal("aws_message_pool_acquire: unknown message type");
        }
        let small_max = (*msg_pool)
            .small_block_pool
            .segment_size
            .saturating_sub(BLOCK_HEADER);
        let from_application_pool = size_hint > small_max;
        let pool = if from_application_pool {
            addr_of_mut!((*msg_pool).application_data_pool)
        } else {
            addr_of_mut!((*msg_pool).small_block_pool)
        };
        let max = (*pool).segment_size.saturating_sub(BLOCK_HEADER);
        let block = aws_memory_pool_acquire(pool) as *mut MessageBlock;
        if block.is_null() {
            crate::ffi::fatal("aws_message_pool_acquire: out of memory");
        }
        let data = (block as *mut u8).add(BLOCK_HEADER);
        block.write(MessageBlock {
            message: aws_io_message {
                allocator: null_mut(),
                message_data: aws_byte_buf {
                    len: 0,
                    buffer: data,
                    capacity: size_hint.min(max),
                    allocator: null_mut(),
                },
                message_type,
                message_tag: 0,
                copy_mark: 0,
                owning_channel: null_mut(),
                on_completion: None,
                user_data: null_mut(),
                queueing_handle: std::mem::zeroed(),
            },
            allocator: aws_allocator {
                mem_acquire: Some(block_acquire),
                mem_release: Some(block_release),
                mem_realloc: None,
                mem_calloc: None,
                r#impl: block as *mut c_void,
            },
            pool: msg_pool,
            from_application_pool,
        });
        (*block).message.allocator = addr_of_mut!((*block).allocator);
        addr_of_mut!((*block).message)
    }
}

/// Returns a message to the pool it came from; its used bytes are zeroed.
#[no_mangle]
pub unsafe extern "C" fn aws_message_pool_release(
    msg_pool: *mut aws_message_pool,
    message: *mut aws_io_message,
) {
    // SAFETY: C passes pointers valid as the upstream header documents; NULL is checked where upstream checks it.
    unsafe {
        fatal_precondition!(
            !msg_pool.is_null() && !message.is_null(),
            "aws_message_pool_release"
        );
        // `message` is the first field of its block.
        let block = message as *mut MessageBlock;
        let buf = &(*message).message_data;
        if !buf.buffer.is_null() {
            std::ptr::write_bytes(buf.buffer, 0, buf.len.min(buf.capacity));
        }
        (*message).allocator = null_mut();
        if (*message).message_type != aws_io_message_type::AWS_IO_MESSAGE_APPLICATION_DATA as c_int
        {
            raise(AWS_IO_CHANNEL_UNKNOWN_MESSAGE_TYPE);
        }
        let pool = if (*block).from_application_pool {
            addr_of_mut!((*msg_pool).application_data_pool)
        } else {
            addr_of_mut!((*msg_pool).small_block_pool)
        };
        aws_memory_pool_release(pool, block as *mut c_void);
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::common::allocator::aws_default_allocator;

    #[test]
    fn acquire_release_reuses_blocks() {
        // SAFETY: a pool on the stack with the default allocator, cleaned up below.
        unsafe {
            let mut pool: aws_message_pool = std::mem::zeroed();
            let mut args = aws_message_pool_creation_args {
                application_data_msg_data_size: 1024,
                application_data_msg_count: 2,
                small_block_msg_data_size: 64,
                small_block_msg_count: 2,
            };
            assert_eq!(
                aws_message_pool_init(&mut pool, aws_default_allocator(), &mut args),
                0
            );
            let small = aws_message_pool_acquire(&mut pool, 0, 10);
            assert_eq!((*small).message_data.capacity, 10);
            let big = aws_message_pool_acquire(&mut pool, 0, 5000);
            assert_eq!((*big).message_data.capacity, 1024);
            assert_eq!(pool.application_data_pool.stack.length, 1);
            aws_mem_release((*big).allocator, big as *mut c_void);
            assert_eq!(pool.application_data_pool.stack.length, 2);
            let again = aws_message_pool_acquire(&mut pool, 0, 2000);
            assert_eq!(again, big);
            aws_message_pool_release(&mut pool, again);
            aws_message_pool_release(&mut pool, small);
            assert_eq!(pool.small_block_pool.stack.length, 2);
            aws_message_pool_clean_up(&mut pool);
        }
    }
}
