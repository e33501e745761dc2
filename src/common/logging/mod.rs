//! aws-c-common logging: the process-wide logger, log levels, log subject
//! names, and upstream's loggers: the pipeline logger (formatter, channel and
//! writer; `aws_logger_init_standard` builds one) and the no-alloc logger.
//!
//! `aws_logger_vtable.log` is a C variadic function. Stable Rust cannot define
//! one, so every logger of ours points `log` at a tiny C trampoline
//! (`logging_shim.c`) that turns the arguments into a `va_list` and calls the
//! `log_v` entry our vtables carry after upstream's four members
//! ([`LoggerVtable`]). Everything else is Rust.
//!
//! Rust code logs with [`aws_log!`](crate::aws_log): one atomic load when no
//! logger is installed, one `get_log_level` call when one is, and formatting
//! only when the line will be written.
use std::cell::{RefCell, UnsafeCell};
use std::ffi::CStr;
use std::fmt;
use std::ptr::{self, NonNull};
use std::sync::atomic::{AtomicPtr, Ordering};

use libc::{c_char, c_int};

use super::abi::*;
use super::error::raise;
use super::error_codes::{AWS_ERROR_INVALID_ARGUMENT, AWS_ERROR_UNIMPLEMENTED};
use crate::fatal_precondition;

pub mod channel;
pub mod formatter;
pub mod line;
pub mod noalloc;
pub mod pipeline;
pub mod subjects;
pub mod writer;

pub use subjects::subject_name;

// ---- the C shim ----------------------------------------------------------------

/// The per-logger entry behind the C trampoline: `va_list` arrives as a pointer
/// (its x86_64 calling convention, as `va_list_ptr` in abi.rs).
pub type LogVFn = unsafe extern "C" fn(
    logger: *mut aws_logger,
    level: enum_aws_log_level,
    subject: aws_log_subject_t,
    format: *const c_char,
    args: va_list_ptr,
) -> c_int;

/// Our loggers' vtable: upstream's layout, then the Rust entry the C
/// trampoline calls. C only ever sees the `aws_logger_vtable` prefix.
#[repr(C)]
pub struct LoggerVtable {
    pub base: aws_logger_vtable,
    pub log_v: LogVFn,
}

/// A vtable in a `static`.
pub struct StaticVtable(pub LoggerVtable);

// SAFETY: the vtable holds only function pointers and is never written.
unsafe impl Sync for StaticVtable {}

impl StaticVtable {
    /// The pointer stored in `aws_logger.vtable` (C takes it as non-const; no one writes it).
    pub fn as_c(&'static self) -> *mut aws_logger_vtable {
        &self.0.base as *const aws_logger_vtable as *mut aws_logger_vtable
    }
}

/// A C vtable (formatter, channel, writer) in a `static`.
pub struct CVtable<T>(pub T);

// SAFETY: these vtables hold only function pointers and are never written.
unsafe impl<T> Sync for CVtable<T> {}

impl<T> CVtable<T> {
    /// The pointer C stores (as non-const; no one writes through it).
    pub fn as_c(&'static self) -> *mut T {
        &self.0 as *const T as *mut T
    }
}

/// The C side (`logging_shim.c`); kept out of the generated header.
/// cbindgen:ignore
mod shim {
    use super::*;

    extern "C" {
        /// Variadic `log` of every logger of ours: forwards to `LoggerVtable::log_v`.
        pub(crate) fn aws_es_rs_logger_log(
            logger: *mut aws_logger,
            level: enum_aws_log_level,
            subject: aws_log_subject_t,
            format: *const c_char,
            ...
        ) -> c_int;
        /// Variadic `log` of `g_pipeline_logger_owned_vtable`: forwards to the pipeline's `log_v`.
        pub(super) fn aws_es_rs_pipeline_logger_log(
            logger: *mut aws_logger,
            level: enum_aws_log_level,
            subject: aws_log_subject_t,
            format: *const c_char,
            ...
        ) -> c_int;
        pub(super) fn aws_es_rs_null_logger_log(
            logger: *mut aws_logger,
            level: enum_aws_log_level,
            subject: aws_log_subject_t,
            format: *const c_char,
            ...
        ) -> c_int;
        /// `vsnprintf` on a copy of `args`, so the same arguments can be formatted again.
        pub(crate) fn aws_es_rs_vformat(
            buffer: *mut c_char,
            capacity: usize,
            format: *const c_char,
            args: va_list_ptr,
        ) -> c_int;
    }
}
pub(crate) use shim::{aws_es_rs_logger_log, aws_es_rs_vformat};
use shim::{aws_es_rs_null_logger_log, aws_es_rs_pipeline_logger_log};

// ---- the null logger ---------------------------------------------------------------

unsafe extern "C" fn null_get_log_level(
    _: *mut aws_logger,
    _: aws_log_subject_t,
) -> enum_aws_log_level {
    aws_log_level::AWS_LL_NONE as c_int
}

unsafe extern "C" fn null_clean_up(_: *mut aws_logger) {}

unsafe extern "C" fn null_log_v(
    _: *mut aws_logger,
    _: enum_aws_log_level,
    _: aws_log_subject_t,
    _: *const c_char,
    _: va_list_ptr,
) -> c_int {
    AWS_OP_SUCCESS
}

static NULL_VTABLE: StaticVtable = StaticVtable(LoggerVtable {
    base: aws_logger_vtable {
        log: Some(aws_es_rs_null_logger_log),
        get_log_level: Some(null_get_log_level),
        clean_up: Some(null_clean_up),
        // Upstream's null logger cannot change level: AWS_ERROR_UNIMPLEMENTED.
        set_log_level: None,
    },
    log_v: null_log_v,
});

struct NullLogger(UnsafeCell<aws_logger>);

// SAFETY: the null logger is never written by us; C gets it as upstream's
// mutable static and has no reason to write it either.
unsafe impl Sync for NullLogger {}

static NULL_LOGGER: NullLogger = NullLogger(UnsafeCell::new(aws_logger {
    vtable: &NULL_VTABLE.0.base as *const aws_logger_vtable as *mut aws_logger_vtable,
    allocator: ptr::null_mut(),
    p_impl: ptr::null_mut(),
}));

fn null_logger() -> *mut aws_logger {
    NULL_LOGGER.0.get()
}

// ---- the process-wide logger ------------------------------------------------------

/// The installed logger; NULL means the null logger (so "is anything
/// installed" is a single load and compare).
static ROOT: AtomicPtr<aws_logger> = AtomicPtr::new(ptr::null_mut());

/// Uninstalls `logger` if it is the process-wide one (called by our clean_ups,
/// so a forgotten `aws_logger_set(NULL)` does not leave a dangling logger).
pub(crate) fn forget_root(logger: *mut aws_logger) {
    let _ = ROOT.compare_exchange(logger, ptr::null_mut(), Ordering::AcqRel, Ordering::Acquire);
}

/// The installed logger if `level` passes its filter for `subject`.
#[inline]
pub fn logger_for(subject: aws_log_subject_t, level: c_int) -> Option<NonNull<aws_logger>> {
    let root = NonNull::new(ROOT.load(Ordering::Acquire))?;
    // SAFETY: an installed logger stays valid until it is replaced or cleaned up (upstream contract).
    let current = unsafe {
        let logger = root.as_ptr();
        let get_level = (*(*logger).vtable).get_log_level?;
        get_level(logger, subject)
    };
    (level > 0 && current >= level).then_some(root)
}

thread_local! {
    static MESSAGE: RefCell<Vec<u8>> = const { RefCell::new(Vec::new()) };
}

/// Formats `args` and hands the line to `logger` (no level check: see [`logger_for`]).
pub fn log_to(
    logger: NonNull<aws_logger>,
    level: c_int,
    subject: aws_log_subject_t,
    args: fmt::Arguments<'_>,
) {
    let send = |msg: &mut Vec<u8>| {
        use std::io::Write;
        msg.clear();
        let _ = msg.write_fmt(args);
        // SAFETY: `logger` is a live logger (see logger_for).
        unsafe { send_message(logger.as_ptr(), level, subject, msg) };
    };
    // A logger that logs from inside its own log call gets a fresh buffer.
    let reused = MESSAGE.with(|m| m.try_borrow_mut().map(|mut m| send(&mut m)).is_ok());
    if !reused {
        send(&mut Vec::new());
    }
}

/// Logs `args` at `level` for `subject` if the installed logger wants it.
pub fn log(level: c_int, subject: aws_log_subject_t, args: fmt::Arguments<'_>) {
    if let Some(logger) = logger_for(subject, level) {
        log_to(logger, level, subject, args);
    }
}

/// Our loggers take the text directly; any other logger gets `"%s"`.
unsafe fn send_message(
    logger: *mut aws_logger,
    level: c_int,
    subject: aws_log_subject_t,
    msg: &mut Vec<u8>,
) {
    // SAFETY: this fn's caller guarantees its pointer arguments are valid and used on their owning thread.
    unsafe {
        if noalloc::is_noalloc_logger(logger) {
            noalloc::emit(logger, level, subject, msg);
            return;
        }
        if pipeline::send_formatted(logger, level, subject, msg) {
            return;
        }
        let Some(log) = (*(*logger).vtable).log else {
            return;
        };
        msg.push(0);
        log(
            logger,
            level,
            subject,
            c"%s".as_ptr(),
            msg.as_ptr() as *const c_char,
        );
    }
}

/// `aws_log!(level, subject, "format {}", args)`: logs through the installed
/// logger. `level` is an `aws_log_level` or `AWS_LOG_LEVEL_*`, `subject` any
/// log subject enum value; the arguments are evaluated only if the level passes.
#[macro_export]
macro_rules! aws_log {
    ($level:expr, $subject:expr, $($arg:tt)+) => {{
        let level__ = $level as i32;
        let subject__ = $subject as u32;
        if let Some(logger__) = $crate::common::logging::logger_for(subject__, level__) {
            $crate::common::logging::log_to(logger__, level__, subject__, format_args!($($arg)+));
        }
    }};
}

// ---- levels ------------------------------------------------------------------------

static LEVEL_C_NAMES: [&CStr; 7] = [
    c"NONE", c"FATAL", c"ERROR", c"WARN", c"INFO", c"DEBUG", c"TRACE",
];

// ---- C API -------------------------------------------------------------------------

/// Installs `logger` process-wide; NULL restores the null logger.
#[no_mangle]
pub extern "C" fn aws_logger_set(logger: *mut aws_logger) {
    ROOT.store(logger, Ordering::Release);
}

/// The installed logger; never NULL (the null logger when none is installed).
#[no_mangle]
pub extern "C" fn aws_logger_get() -> *mut aws_logger {
    let root = ROOT.load(Ordering::Acquire);
    if root.is_null() {
        null_logger()
    } else {
        root
    }
}

/// The installed logger if its level for `subject` is at least `level`, else NULL.
#[no_mangle]
pub unsafe extern "C" fn aws_logger_get_conditional(
    subject: aws_log_subject_t,
    level: enum_aws_log_level,
) -> *mut aws_logger {
    let logger = aws_logger_get();
    // SAFETY: aws_logger_get returns a live logger.
    let current = match unsafe { (*(*logger).vtable).get_log_level } {
        // SAFETY: as above; C enums compare unsigned, as upstream's comparison does.
        Some(get_level) => (unsafe { get_level(logger, subject) }) as u32,
        None => 0,
    };
    if current < level as u32 {
        ptr::null_mut()
    } else {
        logger
    }
}

#[no_mangle]
pub unsafe extern "C" fn aws_logger_clean_up(logger: *mut aws_logger) {
    fatal_precondition!(!logger.is_null(), "aws_logger_clean_up");
    // SAFETY: checked non-NULL; the caller passes an initialized logger.
    let clean_up = unsafe { (*logger).vtable.as_ref().and_then(|v| v.clean_up) };
    let Some(clean_up) = clean_up else {
        crate::ffi::fatal("aws_logger_clean_up: logger has no clean_up");
    };
    // SAFETY: the logger's own clean-up, called once as upstream.
    unsafe { clean_up(logger) };
}

#[no_mangle]
pub unsafe extern "C" fn aws_logger_set_log_level(
    logger: *mut aws_logger,
    level: enum_aws_log_level,
) -> c_int {
    // SAFETY: NULL checked; otherwise the caller passes an initialized logger.
    let Some(vtable) = (unsafe { logger.as_ref() }).and_then(|l| unsafe { l.vtable.as_ref() })
    else {
        return raise(AWS_ERROR_INVALID_ARGUMENT);
    };
    match vtable.set_log_level {
        // SAFETY: the logger's own function.
        Some(set) => unsafe { set(logger, level) },
        None => raise(AWS_ERROR_UNIMPLEMENTED),
    }
}

/// Upstream's name for `log_level` ("INFO"); AWS_ERROR_INVALID_ARGUMENT if out of range.
#[no_mangle]
pub unsafe extern "C" fn aws_log_level_to_string(
    log_level: enum_aws_log_level,
    level_string: *mut *const c_char,
) -> c_int {
    let Some(name) = LEVEL_C_NAMES.get(log_level as u32 as usize) else {
        return raise(AWS_ERROR_INVALID_ARGUMENT);
    };
    if !level_string.is_null() {
        // SAFETY: non-NULL out-pointer from the caller.
        unsafe { *level_string = name.as_ptr() };
    }
    AWS_OP_SUCCESS
}

/// Parses a level name, ignoring case; AWS_ERROR_INVALID_ARGUMENT if unknown or NULL.
#[no_mangle]
pub unsafe extern "C" fn aws_string_to_log_level(
    level_string: *const c_char,
    log_level: *mut enum_aws_log_level,
) -> c_int {
    if level_string.is_null() || log_level.is_null() {
        return raise(AWS_ERROR_INVALID_ARGUMENT);
    }
    // SAFETY: a NUL-terminated string from the caller.
    let text = unsafe { CStr::from_ptr(level_string) }.to_bytes();
    match line::LEVEL_NAMES
        .iter()
        .position(|n| n.as_bytes().eq_ignore_ascii_case(text))
    {
        Some(level) => {
            // SAFETY: non-NULL out-pointer from the caller.
            unsafe { *log_level = level as c_int };
            AWS_OP_SUCCESS
        }
        None => raise(AWS_ERROR_INVALID_ARGUMENT),
    }
}

/// Writes the 16-hex-digit form of `thread_id` (as log lines show it) and a NUL;
/// `bufsz` must be exactly AWS_THREAD_ID_T_REPR_BUFSZ.
#[no_mangle]
pub unsafe extern "C" fn aws_thread_id_t_to_string(
    thread_id: aws_thread_id_t,
    buffer: *mut c_char,
    bufsz: usize,
) -> c_int {
    if bufsz != AWS_THREAD_ID_T_REPR_BUFSZ as usize || buffer.is_null() {
        return raise(AWS_ERROR_INVALID_ARGUMENT);
    }
    #[allow(clippy::unnecessary_cast)] // pthread_t is not u64 everywhere
    let hex = line::thread_id_hex(thread_id as u64);
    // SAFETY: the caller's buffer holds bufsz == 17 bytes.
    unsafe {
        ptr::copy_nonoverlapping(hex.as_ptr(), buffer as *mut u8, hex.len());
        *buffer.add(hex.len()) = 0;
    }
    AWS_OP_SUCCESS
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn level_names_round_trip() {
        for level in 0..7 {
            let mut name = ptr::null();
            // SAFETY: valid out-pointers.
            unsafe {
                assert_eq!(aws_log_level_to_string(level, &mut name), AWS_OP_SUCCESS);
                let mut back = -1;
                assert_eq!(aws_string_to_log_level(name, &mut back), AWS_OP_SUCCESS);
                assert_eq!(back, level);
            }
        }
        // SAFETY: valid out-pointers.
        unsafe {
            let mut back = -1;
            assert_eq!(
                aws_string_to_log_level(c"wArN".as_ptr(), &mut back),
                AWS_OP_SUCCESS
            );
            assert_eq!(back, 3);
            assert_eq!(
                aws_string_to_log_level(c"WARNING".as_ptr(), &mut back),
                AWS_OP_ERR
            );
            assert_eq!(
                super::super::error::last_error(),
                AWS_ERROR_INVALID_ARGUMENT
            );
            assert_eq!(aws_log_level_to_string(7, ptr::null_mut()), AWS_OP_ERR);
            assert_eq!(aws_log_level_to_string(-1, ptr::null_mut()), AWS_OP_ERR);
            assert_eq!(aws_log_level_to_string(6, ptr::null_mut()), AWS_OP_SUCCESS);
        }
    }

    /// Installing loggers is process-wide, so one test walks the whole lifecycle.
    #[test]
    fn process_logger_lifecycle() {
        null_logger_is_installed_by_default();
        rust_macro_logs_through_a_file_logger();
        rust_macro_logs_through_a_c_style_logger();
        aws_logger_set(ptr::null_mut());
    }

    fn null_logger_is_installed_by_default() {
        let logger = aws_logger_get();
        assert!(!logger.is_null());
        assert!(logger_for(0, 1).is_none());
        // SAFETY: the null logger is always valid.
        unsafe {
            assert!(aws_logger_get_conditional(0, aws_log_level::AWS_LL_FATAL as c_int).is_null());
            assert_eq!(aws_logger_get_conditional(0, 0), logger);
            assert_eq!(aws_logger_set_log_level(logger, 4), AWS_OP_ERR);
            assert_eq!(super::super::error::last_error(), AWS_ERROR_UNIMPLEMENTED);
            assert_eq!(aws_logger_set_log_level(ptr::null_mut(), 4), AWS_OP_ERR);
            assert_eq!(
                super::super::error::last_error(),
                AWS_ERROR_INVALID_ARGUMENT
            );
            // The null logger's variadic log accepts anything.
            let log = (*(*logger).vtable).log.unwrap();
            assert_eq!(
                log(logger, 1, 0, c"%d %s".as_ptr(), 1 as c_int, c"x".as_ptr()),
                0
            );
        }
    }

    fn empty_logger() -> aws_logger {
        aws_logger {
            vtable: ptr::null_mut(),
            allocator: ptr::null_mut(),
            p_impl: ptr::null_mut(),
        }
    }

    fn rust_macro_logs_through_a_file_logger() {
        let path = std::env::temp_dir().join(format!("aws-es-rs-macro-{}.log", std::process::id()));
        let _ = std::fs::remove_file(&path);
        let cpath = std::ffi::CString::new(path.to_str().unwrap()).unwrap();
        let mut options = aws_logger_standard_options {
            level: 3,
            filename: cpath.as_ptr(),
            file: ptr::null_mut(),
        };
        let mut logger = empty_logger();
        let mut evaluated = 0;
        let mut bump = || {
            evaluated += 1;
            evaluated
        };
        // SAFETY: valid pointers; the logger is uninstalled by its clean-up.
        unsafe {
            let alloc = crate::common::allocator::default_allocator();
            assert_eq!(
                pipeline::aws_logger_init_standard(&mut logger, alloc, &mut options),
                AWS_OP_SUCCESS
            );
            aws_logger_set(&mut logger);
            crate::aws_log!(
                aws_log_level::AWS_LL_WARN,
                1026,
                "warned {} {:?}",
                bump(),
                "q"
            );
            crate::aws_log!(AWS_LOG_LEVEL_INFO, 1026, "hidden {}", bump());
            log(AWS_LOG_LEVEL_ERROR, 4097, format_args!("plain {}", 5));
            aws_logger_clean_up(&mut logger);
        }
        assert_eq!(evaluated, 1);
        assert_eq!(aws_logger_get(), null_logger());
        let text = std::fs::read_to_string(&path).unwrap();
        let lines: Vec<&str> = text.lines().collect();
        assert_eq!(lines.len(), 2, "{text}");
        assert!(
            lines[0].starts_with("[WARN] [") && lines[0].ends_with("] [socket] - warned 1 \"q\"")
        );
        assert!(
            lines[1].starts_with("[ERROR] [")
                && lines[1].ends_with("] [event-stream-channel-handler] - plain 5")
        );
        let _ = std::fs::remove_file(&path);
    }

    static SEEN: std::sync::Mutex<Vec<(c_int, u32, String)>> = std::sync::Mutex::new(Vec::new());

    unsafe extern "C" fn record(
        formatter: *mut aws_log_formatter,
        out: *mut *mut aws_string,
        level: enum_aws_log_level,
        subject: aws_log_subject_t,
        format: *const c_char,
        args: va_list_ptr,
    ) -> c_int {
        // SAFETY: C passes pointers valid as the upstream header documents; NULL is checked where upstream checks it.
        unsafe {
            let _ = formatter;
            let mut buf = [0u8; 256];
            let n = aws_es_rs_vformat(buf.as_mut_ptr() as *mut c_char, buf.len(), format, args)
                as usize;
            let text = String::from_utf8_lossy(&buf[..n.min(255)]).into_owned();
            SEEN.lock().unwrap().push((level, subject, text));
            *out = ptr::null_mut(); // nothing to send
            AWS_OP_SUCCESS
        }
    }

    fn rust_macro_logs_through_a_c_style_logger() {
        let mut fvt = aws_log_formatter_vtable {
            format: Some(record),
            clean_up: None,
        };
        let mut formatter = aws_log_formatter {
            vtable: &mut fvt,
            allocator: ptr::null_mut(),
            r#impl: ptr::null_mut(),
        };
        let mut logger = empty_logger();
        // SAFETY: the formatter outlives the logger; nothing reaches the (NULL) channel.
        unsafe {
            let alloc = crate::common::allocator::default_allocator();
            let level = AWS_LOG_LEVEL_DEBUG;
            let (channel, writer) = (ptr::null_mut(), ptr::null_mut());
            assert_eq!(
                pipeline::aws_logger_init_from_external(
                    &mut logger,
                    alloc,
                    &mut formatter,
                    channel,
                    writer,
                    level
                ),
                0
            );
            aws_logger_set(&mut logger);
            crate::aws_log!(AWS_LOG_LEVEL_DEBUG, 4099, "100% {}", "literal");
            crate::aws_log!(AWS_LOG_LEVEL_TRACE, 4099, "hidden");
            aws_logger_clean_up(&mut logger);
        }
        assert_eq!(
            *SEEN.lock().unwrap(),
            vec![(5, 4099, "100% literal".to_string())]
        );
    }
}
