//! Upstream's two file loggers, written directly (no background thread):
//!
//! * `aws_logger_init_standard`: exactly one of `options.file` / `options.filename`
//!   (opened for append); lines of any length.
//! * `aws_logger_init_noalloc`: `file`, else `filename` (truncated), else stderr;
//!   nothing allocated per line, lines cut at 8192 bytes.
//!
//! Each line is built whole and written with one `fwrite` under the `FILE`
//! lock, then flushed, so concurrent threads never interleave and a line is in
//! the file once its log call returns.
use std::cell::RefCell;
use std::sync::atomic::{AtomicI32, Ordering};
use std::time::{SystemTime, UNIX_EPOCH};

use libc::{c_char, c_int, FILE};

use super::line::{thread_id_hex, Line, Truncating};
use super::{aws_es_rs_logger_log, aws_es_rs_vformat, forget_root, LoggerVtable, StaticVtable};
use crate::common::abi::*;
use crate::common::allocator::{drop_in, new_in};
use crate::common::error::{raise, raise_io_error};
use crate::common::error_codes::*;
use crate::fatal_precondition;

/// Upstream's no-alloc line limit (newline included).
const NOALLOC_LINE_MAX: usize = 8192;
/// Messages up to this length are formatted on the stack.
const STACK_MESSAGE: usize = 1024;

struct FileLogger {
    level: AtomicI32,
    file: *mut FILE,
    owns_file: bool,
    /// Set for the no-alloc logger.
    line_limit: Option<usize>,
}

static FILE_VTABLE: StaticVtable = StaticVtable(LoggerVtable {
    base: aws_logger_vtable {
        log: Some(aws_es_rs_logger_log),
        get_log_level: Some(get_log_level),
        clean_up: Some(clean_up),
        set_log_level: Some(set_log_level),
    },
    log_v,
});

/// True if `logger` is one of ours, so Rust callers may skip printf.
///
/// # Safety
/// `logger` must be a valid logger.
pub unsafe fn is_file_logger(logger: *mut aws_logger) -> bool {
    // SAFETY: this fn's caller guarantees its pointer arguments are valid and used on their owning thread.
    unsafe { (*logger).vtable == FILE_VTABLE.as_c() }
}

/// # Safety
/// `logger` must be a live file logger.
unsafe fn state<'a>(logger: *mut aws_logger) -> &'a FileLogger {
    // SAFETY: this fn's caller guarantees its pointer arguments are valid and used on their owning thread.
    unsafe { &*((*logger).p_impl as *const FileLogger) }
}

unsafe extern "C" fn get_log_level(
    logger: *mut aws_logger,
    _: aws_log_subject_t,
) -> enum_aws_log_level {
    // SAFETY: the vtable is only installed on file loggers.
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
    // SAFETY: the logger was made by init_file_logger; it is not used after this.
    unsafe {
        let impl_ = (*logger).p_impl as *mut FileLogger;
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
    // SAFETY: the vtable is only installed on file loggers.
    let limit = unsafe { state(logger) }.line_limit;
    let mut stack = [0u8; NOALLOC_LINE_MAX];
    let cap = if limit.is_some() {
        NOALLOC_LINE_MAX
    } else {
        STACK_MESSAGE
    };
    // SAFETY: `stack` holds `cap` bytes; `format`/`args` are the caller's printf pair.
    let n = unsafe { aws_es_rs_vformat(stack.as_mut_ptr() as *mut c_char, cap, format, args) };
    let Ok(n) = usize::try_from(n) else {
        return raise(AWS_ERROR_INVALID_ARGUMENT);
    };
    if n < cap {
        // SAFETY: a live file logger.
        return unsafe { emit(logger, level, subject, &stack[..n]) };
    }
    if limit.is_some() {
        // No-alloc: keep what fitted (the line is cut to the limit anyway).
        // SAFETY: as above.
        return unsafe { emit(logger, level, subject, &stack[..cap - 1]) };
    }
    let mut heap = vec![0u8; n + 1];
    // SAFETY: `heap` holds n + 1 bytes, enough for the whole message and its NUL.
    unsafe { aws_es_rs_vformat(heap.as_mut_ptr() as *mut c_char, n + 1, format, args) };
    // SAFETY: a live file logger.
    unsafe { emit(logger, level, subject, &heap[..n]) }
}

thread_local! {
    // SAFETY: pthread_self has no preconditions.
    #[allow(clippy::unnecessary_cast)] // pthread_t is not u64 everywhere
    static THREAD_ID: [u8; 16] = thread_id_hex(unsafe { libc::pthread_self() } as u64);
    static LINE: RefCell<Vec<u8>> = const { RefCell::new(Vec::new()) };
}

fn unix_now() -> i64 {
    match SystemTime::now().duration_since(UNIX_EPOCH) {
        Ok(d) => d.as_secs() as i64,
        Err(e) => -(e.duration().as_secs() as i64) - 1,
    }
}

/// Writes one formatted line for `message` (no level check).
///
/// # Safety
/// `logger` must be a live file logger.
pub unsafe fn emit(
    logger: *mut aws_logger,
    level: c_int,
    subject: aws_log_subject_t,
    message: &[u8],
) -> c_int {
    // SAFETY: guaranteed by the caller.
    let state = unsafe { state(logger) };
    let thread_id = THREAD_ID.with(|t| *t);
    let line = Line {
        level: level as u32 as usize,
        unix_secs: unix_now(),
        thread_id: &thread_id,
        subject: super::subject_name(subject).to_bytes(),
        message,
    };
    if let Some(limit) = state.line_limit {
        let mut buf = [0u8; NOALLOC_LINE_MAX];
        let mut out = Truncating::new(&mut buf[..limit]);
        line.write_to(&mut out, Some(limit));
        return write_line(state.file, out.bytes());
    }
    let write = |out: &mut Vec<u8>| {
        out.clear();
        line.write_to(out, None);
        write_line(state.file, out)
    };
    LINE.with(|l| match l.try_borrow_mut() {
        Ok(mut out) => write(&mut out),
        Err(_) => write(&mut Vec::new()),
    })
}

extern "C" {
    // POSIX stdio stream locks (not in the libc crate).
    fn flockfile(file: *mut FILE);
    fn funlockfile(file: *mut FILE);
}

/// One `fwrite` and a flush under the stream's lock.
fn write_line(file: *mut FILE, bytes: &[u8]) -> c_int {
    // SAFETY: `file` is the logger's open stream; the lock pairs with the unlock below.
    unsafe {
        flockfile(file);
        let written = libc::fwrite(bytes.as_ptr() as *const libc::c_void, 1, bytes.len(), file);
        let failed = written < bytes.len() || libc::fflush(file) != 0;
        let errno = if failed && libc::ferror(file) != 0 {
            *libc::__errno_location()
        } else {
            0
        };
        funlockfile(file);
        if failed {
            return raise_io_error(errno, AWS_ERROR_FILE_WRITE_FAILURE);
        }
    }
    AWS_OP_SUCCESS
}

/// Opens `path` with `mode`, raising upstream's error on failure.
unsafe fn open(path: *const c_char, mode: &std::ffi::CStr) -> Option<*mut FILE> {
    // SAFETY: a NUL-terminated path from the caller.
    let file = unsafe { libc::fopen(path, mode.as_ptr()) };
    if file.is_null() {
        // SAFETY: reading errno right after the failed call.
        raise_io_error(
            unsafe { *libc::__errno_location() },
            AWS_ERROR_FILE_OPEN_FAILURE,
        );
        return None;
    }
    Some(file)
}

unsafe fn install(
    logger: *mut aws_logger,
    allocator: *mut aws_allocator,
    level: c_int,
    file: *mut FILE,
    owns_file: bool,
    line_limit: Option<usize>,
) -> c_int {
    let state = FileLogger {
        level: AtomicI32::new(level),
        file,
        owns_file,
        line_limit,
    };
    // SAFETY: the caller's allocator; freed in clean_up with the same one.
    let impl_ = unsafe { new_in(allocator, state) };
    if impl_.is_null() {
        if owns_file {
            // SAFETY: we opened it and nobody else has it.
            unsafe { libc::fclose(file) };
        }
        return AWS_OP_ERR;
    }
    // SAFETY: the caller's logger struct, written whole.
    unsafe {
        logger.write(aws_logger {
            vtable: FILE_VTABLE.as_c(),
            allocator,
            p_impl: impl_ as *mut libc::c_void,
        });
    }
    AWS_OP_SUCCESS
}

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
    // Upstream's file writer wants exactly one of the two.
    if options.filename.is_null() == options.file.is_null() {
        return raise(AWS_ERROR_INVALID_ARGUMENT);
    }
    let (file, owns_file) = if options.file.is_null() {
        // SAFETY: a NUL-terminated path from the caller.
        match unsafe { open(options.filename, c"a+") } {
            Some(f) => (f, true),
            None => return AWS_OP_ERR,
        }
    } else {
        (options.file, false)
    };
    // SAFETY: arguments checked above.
    unsafe { install(logger, allocator, options.level, file, owns_file, None) }
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
    // SAFETY: arguments checked above.
    unsafe {
        install(
            logger,
            allocator,
            options.level,
            file,
            owns_file,
            Some(NOALLOC_LINE_MAX),
        )
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::common::allocator::default_allocator;
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
            assert_eq!(emit(&mut logger, 1, 99, b"direct"), 0);
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
        let _ = std::fs::remove_file(&path);
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
