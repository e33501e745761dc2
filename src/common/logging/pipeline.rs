//! The pipeline logger: a formatter turns the printf arguments into an
//! `aws_string`, a channel takes ownership of it and passes it on to a writer.
//! `p_impl` is upstream's `aws_logger_pipeline`, so C code that looks inside
//! sees what it expects.
//!
//! * `aws_logger_init_standard`: as upstream, the default formatter (ISO 8601
//!   dates), a background channel and a file writer, owned by the logger;
//! * `aws_logger_init_from_external`: the caller's parts, left to the caller.
use std::sync::atomic::{AtomicUsize, Ordering};

use libc::{c_char, c_int, c_void};

use super::channel::{aws_log_channel_clean_up, aws_log_channel_init_background};
use super::formatter::{self, aws_log_formatter_clean_up, aws_log_formatter_init_default};
use super::writer::{aws_log_writer_clean_up, aws_log_writer_init_file};
use super::{
    aws_es_rs_logger_log, aws_es_rs_pipeline_logger_log, forget_root, LoggerVtable, StaticVtable,
};
use crate::common::abi::*;
use crate::common::allocator::{aws_mem_release, drop_in, new_in};
use crate::fatal_precondition;

/// The vtable of loggers made by aws_logger_init_standard (the logger owns
/// their parts), exported as upstream does: exactly upstream's 32 bytes,
/// because a C program that names it gets a copy of that size (a copy
/// relocation) which the library then uses too. So it carries no `log_v`
/// slot: its `log` is a C variadic that calls [`log_v`] by a hidden name.
#[no_mangle]
pub static mut g_pipeline_logger_owned_vtable: aws_logger_vtable = aws_logger_vtable {
    log: Some(aws_es_rs_pipeline_logger_log),
    get_log_level: Some(get_log_level),
    clean_up: Some(clean_up_owned),
    set_log_level: Some(set_log_level),
};

// `aws_es_rs_pipeline_log_v`: [`log_v`] under a name the library's C
// (logging_shim.c) links to, hidden so it is not exported.
std::arch::global_asm!(
    ".globl aws_es_rs_pipeline_log_v",
    ".hidden aws_es_rs_pipeline_log_v",
    ".set aws_es_rs_pipeline_log_v, {log_v}",
    log_v = sym log_v,
);

/// The vtable of loggers whose parts the logger owns.
fn owned_vtable() -> *mut aws_logger_vtable {
    std::ptr::addr_of_mut!(g_pipeline_logger_owned_vtable)
}

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

/// Cleans up and frees the parts `aws_logger_init_standard` made: the channel
/// first (its thread writes what is still queued), then formatter and writer.
unsafe extern "C" fn clean_up_owned(logger: *mut aws_logger) {
    forget_root(logger);
    // SAFETY: every part came from new_in with the pipeline's allocator and was
    // initialised by init_standard; none is used after this.
    unsafe {
        let impl_ = (*logger).p_impl as *mut aws_logger_pipeline;
        let p = &*impl_;
        let allocator = p.allocator;
        aws_log_channel_clean_up(p.channel);
        aws_log_formatter_clean_up(p.formatter);
        aws_log_writer_clean_up(p.writer);
        drop_in(allocator, p.channel);
        drop_in(allocator, p.formatter);
        drop_in(allocator, p.writer);
        drop_in(allocator, impl_);
        std::ptr::write_bytes(logger, 0, 1);
    }
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

/// Sends an already formatted `message` through `logger` if it is one of our
/// pipeline loggers with a default formatter (no printf); false otherwise.
///
/// # Safety
/// `logger` must be a live logger.
pub(super) unsafe fn send_formatted(
    logger: *mut aws_logger,
    level: c_int,
    subject: aws_log_subject_t,
    message: &[u8],
) -> bool {
    // SAFETY: guaranteed by the caller; p_impl is a pipeline when the vtable is ours.
    unsafe {
        let vtable = (*logger).vtable;
        if vtable != owned_vtable() && vtable != UNOWNED_VTABLE.as_c() {
            return false;
        }
        let p = pipeline(logger);
        if !formatter::is_default(p.formatter) {
            return false;
        }
        let output = formatter::format_message(p.formatter, level, subject, message);
        if !output.is_null() {
            send(p.channel, output);
        }
        true
    }
}

/// Hands `output` to `channel`, freeing it if the channel does not take it.
///
/// # Safety
/// `channel` must be live; `output` is owned by the caller.
unsafe fn send(channel: *mut aws_log_channel, output: *mut aws_string) -> c_int {
    // SAFETY: guaranteed by the caller.
    unsafe {
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
        send(p.channel, output)
    }
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

/// Frees the parts of a half-built standard logger (each NULL or initialised).
///
/// # Safety
/// Every non-NULL part came from new_in with `allocator` and was initialised.
unsafe fn drop_parts(
    allocator: *mut aws_allocator,
    writer: *mut aws_log_writer,
    formatter: *mut aws_log_formatter,
) {
    // SAFETY: guaranteed by the caller.
    unsafe {
        if !formatter.is_null() {
            aws_log_formatter_clean_up(formatter);
            drop_in(allocator, formatter);
        }
        aws_log_writer_clean_up(writer);
        drop_in(allocator, writer);
    }
}

/// Upstream's standard logger: lines go to `options->file` or are appended to
/// `options->filename` (exactly one) by a background thread.
#[no_mangle]
pub unsafe extern "C" fn aws_logger_init_standard(
    logger: *mut aws_logger,
    allocator: *mut aws_allocator,
    options: *mut aws_logger_standard_options,
) -> c_int {
    fatal_precondition!(
        !logger.is_null() && !allocator.is_null() && !options.is_null(),
        "aws_logger_init_standard"
    );
    // SAFETY: checked non-NULL.
    let options = unsafe { &*options };
    let empty_writer = aws_log_writer {
        vtable: std::ptr::null_mut(),
        allocator: std::ptr::null_mut(),
        r#impl: std::ptr::null_mut(),
    };
    // SAFETY: the caller's allocator; every part is freed with it.
    unsafe {
        let writer = new_in(allocator, empty_writer);
        let mut file_options = aws_log_writer_file_options {
            filename: options.filename,
            file: options.file,
        };
        if aws_log_writer_init_file(writer, allocator, &mut file_options) != AWS_OP_SUCCESS {
            drop_in(allocator, writer);
            return AWS_OP_ERR;
        }
        let formatter = new_in(
            allocator,
            aws_log_formatter {
                vtable: std::ptr::null_mut(),
                allocator: std::ptr::null_mut(),
                r#impl: std::ptr::null_mut(),
            },
        );
        let mut formatter_options = aws_log_formatter_standard_options {
            date_format: aws_date_format::AWS_DATE_FORMAT_ISO_8601 as c_int,
        };
        if aws_log_formatter_init_default(formatter, allocator, &mut formatter_options)
            != AWS_OP_SUCCESS
        {
            drop_in(allocator, formatter);
            drop_parts(allocator, writer, std::ptr::null_mut());
            return AWS_OP_ERR;
        }
        let channel = new_in(
            allocator,
            aws_log_channel {
                vtable: std::ptr::null_mut(),
                allocator: std::ptr::null_mut(),
                writer: std::ptr::null_mut(),
                r#impl: std::ptr::null_mut(),
            },
        );
        if aws_log_channel_init_background(channel, allocator, writer) != AWS_OP_SUCCESS {
            drop_in(allocator, channel);
            drop_parts(allocator, writer, formatter);
            return AWS_OP_ERR;
        }
        let parts = aws_logger_pipeline {
            formatter,
            channel,
            writer,
            allocator,
            level: aws_atomic_var {
                value: options.level as u32 as usize as *mut c_void,
            },
        };
        let impl_ = new_in(allocator, parts);
        logger.write(aws_logger {
            vtable: owned_vtable(),
            allocator,
            p_impl: impl_ as *mut c_void,
        });
    }
    AWS_OP_SUCCESS
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::common::allocator::default_allocator;
    use crate::common::error_codes::{AWS_ERROR_FILE_INVALID_PATH, AWS_ERROR_INVALID_ARGUMENT};
    use crate::common::logging::aws_logger_clean_up;

    fn read_back(path: &std::path::Path) -> String {
        String::from_utf8(std::fs::read(path).unwrap()).unwrap()
    }

    #[test]
    fn writes_whole_lines_through_the_vtable() {
        let dir = std::env::temp_dir().join(format!("aws-es-rs-logging-{}", std::process::id()));
        std::fs::create_dir_all(&dir).unwrap();
        let path = dir.join("standard.log");
        let _ = std::fs::remove_file(&path);
        let cpath = std::ffi::CString::new(path.to_str().unwrap()).unwrap();
        let mut options = aws_logger_standard_options {
            level: 4,
            filename: cpath.as_ptr(),
            file: std::ptr::null_mut(),
        };
        let mut logger = aws_logger {
            vtable: std::ptr::null_mut(),
            allocator: std::ptr::null_mut(),
            p_impl: std::ptr::null_mut(),
        };
        let long = "y".repeat(5000);
        // SAFETY: valid logger, allocator and options; the vtable is ours.
        unsafe {
            assert_eq!(
                aws_logger_init_standard(&mut logger, default_allocator(), &mut options),
                AWS_OP_SUCCESS
            );
            let log = (*logger.vtable).log.unwrap();
            let get = (*logger.vtable).get_log_level.unwrap();
            assert_eq!(get(&mut logger, 0), 4);
            assert_eq!(
                log(
                    &mut logger,
                    2,
                    1025,
                    c"n=%d s=%s".as_ptr(),
                    7 as c_int,
                    c"abc".as_ptr()
                ),
                0
            );
            let clong = std::ffi::CString::new(long.clone()).unwrap();
            assert_eq!(log(&mut logger, 4, 4096, c"%s".as_ptr(), clong.as_ptr()), 0);
            assert!(send_formatted(&mut logger, 1, 99, b"direct"));
            aws_logger_clean_up(&mut logger);
        }
        assert!(logger.vtable.is_null());
        let text = read_back(&path);
        let lines: Vec<&str> = text.lines().collect();
        assert_eq!(lines.len(), 3);
        assert!(lines[0].starts_with("[ERROR] ["));
        assert!(lines[0].ends_with("] [event-loop] - n=7 s=abc"));
        assert!(lines[1].ends_with(&format!("] [event-stream-general] - {long}")));
        assert!(lines[2].starts_with("[FATAL] ["));
        assert!(lines[2].ends_with("] [Unknown] - direct"));
        let _ = std::fs::remove_dir_all(&dir);
    }

    #[test]
    fn standard_wants_exactly_one_destination() {
        let mut logger = aws_logger {
            vtable: std::ptr::null_mut(),
            allocator: std::ptr::null_mut(),
            p_impl: std::ptr::null_mut(),
        };
        let mut options = aws_logger_standard_options {
            level: 4,
            filename: std::ptr::null(),
            file: std::ptr::null_mut(),
        };
        // SAFETY: valid pointers.
        unsafe {
            assert_eq!(
                aws_logger_init_standard(&mut logger, default_allocator(), &mut options),
                AWS_OP_ERR
            );
            assert_eq!(
                crate::common::error::last_error(),
                AWS_ERROR_INVALID_ARGUMENT
            );
            options.filename = c"/nonexistent-dir-aws-es-rs/x.log".as_ptr();
            assert_eq!(
                aws_logger_init_standard(&mut logger, default_allocator(), &mut options),
                AWS_OP_ERR
            );
            assert_eq!(
                crate::common::error::last_error(),
                AWS_ERROR_FILE_INVALID_PATH
            );
        }
    }
}
