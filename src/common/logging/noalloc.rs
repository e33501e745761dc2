//! Upstream's no-alloc logger (`aws_logger_init_noalloc`): `file`, else
//! `filename` (truncated), else stderr; nothing allocated per line, lines cut
//! at 8192 bytes, written on the logging thread.
//!
//! Each line is built whole on the stack and written with one `fwrite`, then
//! flushed, so concurrent threads never interleave and a line is in the file
//! once its log call returns.
use std::sync::atomic::{AtomicI32, Ordering};

use libc::{c_char, c_int, FILE};

use super::formatter::{current_thread_id, unix_now};
use super::line::{DateFormat, Line, Truncating};
use super::writer::{open, write_bytes};
use super::{aws_es_rs_logger_log, aws_es_rs_vformat, forget_root, LoggerVtable, StaticVtable};
use crate::common::abi::*;
use crate::common::allocator::{drop_in, new_in};
use crate::common::error::raise;
use crate::common::error_codes::*;
use crate::fatal_precondition;

/// Upstream's no-alloc line limit (newline included).
const NOALLOC_LINE_MAX: usize = 8192;

struct NoallocLogger {
    level: AtomicI32,
    file: *mut FILE,
    owns_file: bool,
}

static NOALLOC_VTABLE: StaticVtable = StaticVtable(LoggerVtable {
    base: aws_logger_vtable {
        log: Some(aws_es_rs_logger_log),
        get_log_level: Some(get_log_level),
        clean_up: Some(clean_up),
        set_log_level: Some(set_log_level),
    },
    log_v,
});

/// True if `logger` is a no-alloc logger, so Rust callers may skip printf.
///
/// # Safety
/// `logger` must be a valid logger.
pub unsafe fn is_noalloc_logger(logger: *mut aws_logger) -> bool {
    // SAFETY: this fn's caller guarantees its pointer arguments are valid and used on their owning thread.
    unsafe { (*logger).vtable == NOALLOC_VTABLE.as_c() }
}

/// # Safety
/// `logger` must be a live no-alloc logger.
unsafe fn state<'a>(logger: *mut aws_logger) -> &'a NoallocLogger {
    // SAFETY: this fn's caller guarantees its pointer arguments are valid and used on their owning thread.
    unsafe { &*((*logger).p_impl as *const NoallocLogger) }
}

unsafe extern "C" fn get_log_level(
    logger: *mut aws_logger,
    _: aws_log_subject_t,
) -> enum_aws_log_level {
    // SAFETY: the vtable is only installed on no-alloc loggers.
    unsafe { state(logger) }.level.load(Ordering::Relaxed)
}

unsafe extern "C" fn set_log_level(logger: *mut aws_logger, level: enum_aws_log_level) -> c_int {
    // SAFETY: as above.
    unsafe { state(logger) }
        .level
        .store(level, Ordering::Relaxed);
    AWS_OP_SUCCESS
}

unsafe extern "C" fn clean_up(logger: *mut aws_logger) {
    forget_root(logger);
    // SAFETY: the logger was made by aws_logger_init_noalloc; it is not used after this.
    unsafe {
        let impl_ = (*logger).p_impl as *mut NoallocLogger;
        if (*impl_).owns_file {
            libc::fclose((*impl_).file);
        }
        drop_in((*logger).allocator, impl_);
        std::ptr::write_bytes(logger, 0, 1);
    }
}

/// The variadic `log`, after the C trampoline: format the message, then emit.
unsafe extern "C" fn log_v(
    logger: *mut aws_logger,
    level: enum_aws_log_level,
    subject: aws_log_subject_t,
    format: *const c_char,
    args: va_list_ptr,
) -> c_int {
    if format.is_null() {
        return raise(AWS_ERROR_INVALID_ARGUMENT);
    }
    let mut stack = [0u8; NOALLOC_LINE_MAX];
    // SAFETY: `stack` holds NOALLOC_LINE_MAX bytes; `format`/`args` are the caller's printf pair.
    let n = unsafe {
        aws_es_rs_vformat(
            stack.as_mut_ptr() as *mut c_char,
            NOALLOC_LINE_MAX,
            format,
            args,
        )
    };
    let Ok(n) = usize::try_from(n) else {
        return raise(AWS_ERROR_INVALID_ARGUMENT);
    };
    // A longer message keeps what fitted (the line is cut to the limit anyway).
    let n = n.min(NOALLOC_LINE_MAX - 1);
    // SAFETY: a live no-alloc logger.
    unsafe { emit(logger, level, subject, &stack[..n]) }
}

/// Writes one formatted line for `message` (no level check).
///
/// # Safety
/// `logger` must be a live no-alloc logger.
pub unsafe fn emit(
    logger: *mut aws_logger,
    level: c_int,
    subject: aws_log_subject_t,
    message: &[u8],
) -> c_int {
    // SAFETY: guaranteed by the caller.
    let state = unsafe { state(logger) };
    let thread_id = current_thread_id();
    let line = Line {
        level: level as u32 as usize,
        unix_secs: unix_now(),
        date_format: DateFormat::Iso8601,
        thread_id: &thread_id,
        subject: Some(super::subject_name(subject).to_bytes()),
        message,
    };
    let mut buf = [0u8; NOALLOC_LINE_MAX];
    let mut out = Truncating::new(&mut buf);
    line.write_to(&mut out, Some(NOALLOC_LINE_MAX));
    write_bytes(state.file, out.bytes(), true)
}

#[no_mangle]
pub unsafe extern "C" fn aws_logger_init_noalloc(
    logger: *mut aws_logger,
    allocator: *mut aws_allocator,
    options: *mut aws_logger_standard_options,
) -> c_int {
    fatal_precondition!(
        !logger.is_null() && !allocator.is_null() && !options.is_null(),
        "aws_logger_init_noalloc"
    );
    // SAFETY: checked non-NULL.
    let options = unsafe { &*options };
    let (file, owns_file) = if !options.file.is_null() {
        (options.file, false)
    } else if !options.filename.is_null() {
        // SAFETY: a NUL-terminated path from the caller.
        match unsafe { open(options.filename, c"w") } {
            Some(f) => (f, true),
            None => return AWS_OP_ERR,
        }
    } else {
        extern "C" {
            static mut stderr: *mut FILE;
        }
        // SAFETY: glibc's stderr stream, only read.
        (unsafe { stderr }, false)
    };
    let state = NoallocLogger {
        level: AtomicI32::new(options.level),
        file,
        owns_file,
    };
    // SAFETY: the caller's allocator; freed in clean_up with the same one.
    let impl_ = unsafe { new_in(allocator, state) };
    // SAFETY: the caller's logger struct, written whole.
    unsafe {
        logger.write(aws_logger {
            vtable: NOALLOC_VTABLE.as_c(),
            allocator,
            p_impl: impl_ as *mut libc::c_void,
        });
    }
    AWS_OP_SUCCESS
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::common::allocator::default_allocator;
    use crate::common::logging::aws_logger_clean_up;

    #[test]
    fn long_lines_are_cut_but_keep_their_newline() {
        let path =
            std::env::temp_dir().join(format!("aws-es-rs-noalloc-{}.log", std::process::id()));
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
        let long = std::ffi::CString::new("z".repeat(10_000)).unwrap();
        // SAFETY: valid logger, allocator and options; the vtable is ours.
        unsafe {
            assert_eq!(
                aws_logger_init_noalloc(&mut logger, default_allocator(), &mut options),
                AWS_OP_SUCCESS
            );
            let log = (*logger.vtable).log.unwrap();
            assert_eq!(log(&mut logger, 4, 1025, c"%s".as_ptr(), long.as_ptr()), 0);
            assert_eq!(emit(&mut logger, 1, 99, b"direct"), 0);
            aws_logger_clean_up(&mut logger);
        }
        let text = std::fs::read_to_string(&path).unwrap();
        let lines: Vec<&str> = text.lines().collect();
        assert_eq!(lines.len(), 2);
        assert_eq!(lines[0].len(), NOALLOC_LINE_MAX - 1);
        assert!(lines[0].starts_with("[INFO] [") && lines[0].ends_with("zzz"));
        assert!(lines[1].starts_with("[FATAL] [") && lines[1].ends_with("] [Unknown] - direct"));
        let _ = std::fs::remove_file(&path);
    }
}
