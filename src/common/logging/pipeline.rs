//! The pipeline logger over caller-owned parts (`aws_logger_init_from_external`):
//! the formatter turns the printf arguments into an `aws_string`, the channel
//! takes ownership of it and passes it on to the writer. `p_impl` is upstream's
//! `aws_logger_pipeline`, so C code that looks inside sees what it expects.
use std::sync::atomic::{AtomicUsize, Ordering};

use libc::{c_char, c_int, c_void};

use super::{aws_es_rs_logger_log, forget_root, LoggerVtable, StaticVtable};
use crate::common::abi::*;
use crate::common::allocator::{aws_mem_release, drop_in, new_in};
use crate::fatal_precondition;

static UNOWNED_VTABLE: StaticVtable = StaticVtable(LoggerVtable {
    base: aws_logger_vtable {
        log: Some(aws_es_rs_logger_log),
        get_log_level: Some(get_log_level),
        clean_up: Some(clean_up_unowned),
        set_log_level: Some(set_log_level),
    },
    log_v,
});

/// # Safety
/// `logger` must be a live pipeline logger.
unsafe fn pipeline<'a>(logger: *mut aws_logger) -> &'a aws_logger_pipeline {
    // SAFETY: this fn's caller guarantees its pointer arguments are valid and used on their owning thread.
    unsafe { &*((*logger).p_impl as *const aws_logger_pipeline) }
}

/// The level lives in upstream's `aws_atomic_var` (a pointer-sized word).
fn level_cell(p: &aws_logger_pipeline) -> &AtomicUsize {
    // SAFETY: aws_atomic_var is one pointer-sized, pointer-aligned word, which
    // is AtomicUsize's layout; upstream accesses it atomically too.
    unsafe { &*(&p.level as *const aws_atomic_var as *const AtomicUsize) }
}

unsafe extern "C" fn get_log_level(
    logger: *mut aws_logger,
    _: aws_log_subject_t,
) -> enum_aws_log_level {
    // SAFETY: this vtable is only installed on pipeline loggers.
    level_cell(unsafe { pipeline(logger) }).load(Ordering::Relaxed) as enum_aws_log_level
}

unsafe extern "C" fn set_log_level(logger: *mut aws_logger, level: enum_aws_log_level) -> c_int {
    // SAFETY: as above.
    level_cell(unsafe { pipeline(logger) }).store(level as u32 as usize, Ordering::Relaxed);
    AWS_OP_SUCCESS
}

/// Frees only our part: the formatter, channel and writer belong to the caller.
unsafe extern "C" fn clean_up_unowned(logger: *mut aws_logger) {
    forget_root(logger);
    // SAFETY: p_impl came from new_in with the pipeline's allocator.
    unsafe {
        let impl_ = (*logger).p_impl as *mut aws_logger_pipeline;
        drop_in((*impl_).allocator, impl_);
    }
}

unsafe extern "C" fn log_v(
    logger: *mut aws_logger,
    level: enum_aws_log_level,
    subject: aws_log_subject_t,
    format: *const c_char,
    args: va_list_ptr,
) -> c_int {
    // SAFETY: a live pipeline logger whose parts the caller keeps alive.
    unsafe {
        let p = pipeline(logger);
        let formatter = p.formatter;
        let Some(format_fn) = (*(*formatter).vtable).format else {
            return AWS_OP_ERR;
        };
        let mut output: *mut aws_string = std::ptr::null_mut();
        if format_fn(formatter, &mut output, level, subject, format, args) != AWS_OP_SUCCESS
            || output.is_null()
        {
            return AWS_OP_ERR;
        }
        let channel = p.channel;
        let sent = match (*(*channel).vtable).send {
            Some(send) => send(channel, output) == AWS_OP_SUCCESS,
            None => false,
        };
        if !sent {
            // Ownership did not pass to the channel.
            aws_mem_release((*output).allocator, output as *mut c_void);
            return AWS_OP_ERR;
        }
    }
    AWS_OP_SUCCESS
}

#[no_mangle]
pub unsafe extern "C" fn aws_logger_init_from_external(
    logger: *mut aws_logger,
    allocator: *mut aws_allocator,
    formatter: *mut aws_log_formatter,
    channel: *mut aws_log_channel,
    writer: *mut aws_log_writer,
    level: enum_aws_log_level,
) -> c_int {
    fatal_precondition!(
        !logger.is_null() && !allocator.is_null(),
        "aws_logger_init_from_external"
    );
    let parts = aws_logger_pipeline {
        formatter,
        channel,
        writer,
        allocator,
        level: aws_atomic_var {
            value: level as u32 as usize as *mut c_void,
        },
    };
    // SAFETY: the caller's allocator; freed with it in clean_up_unowned.
    let impl_ = unsafe { new_in(allocator, parts) };
    if impl_.is_null() {
        return AWS_OP_ERR;
    }
    // SAFETY: the caller's logger struct, written whole.
    unsafe {
        logger.write(aws_logger {
            vtable: UNOWNED_VTABLE.as_c(),
            allocator,
            p_impl: impl_ as *mut c_void,
        });
    }
    AWS_OP_SUCCESS
}
