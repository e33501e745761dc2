//! The default log formatter (`aws_log_formatter_init_default`): turns a level,
//! a subject and a message into one standard line (see `line.rs`, the only
//! place that knows the line's shape) in a new `aws_string`. Also
//! `aws_format_standard_log_line`, the same line into a caller's buffer.
use std::cell::RefCell;
use std::time::{SystemTime, UNIX_EPOCH};

use libc::{c_char, c_int};

use super::line::{thread_id_hex, DateFormat, Line, Truncating, LEVEL_NAMES};
use super::{aws_es_rs_vformat, subject_name, CVtable};
use crate::common::abi::*;
use crate::common::allocator::{drop_in, new_in};
use crate::common::error::raise;
use crate::common::error_codes::AWS_ERROR_INVALID_ARGUMENT;
use crate::common::string::new_string;
use crate::fatal_precondition;

/// What the default formatter keeps: the date format it was given (checked
/// when a line is formatted, as upstream does).
struct DefaultFormatter {
    date_format: c_int,
}

static FORMATTER_VTABLE: CVtable<aws_log_formatter_vtable> = CVtable(aws_log_formatter_vtable {
    format: Some(format),
    clean_up: Some(clean_up),
});

thread_local! {
    // SAFETY: pthread_self has no preconditions.
    #[allow(clippy::unnecessary_cast)] // pthread_t is not u64 everywhere
    static THREAD_ID: [u8; 16] = thread_id_hex(unsafe { libc::pthread_self() } as u64);
    static MESSAGE: RefCell<Vec<u8>> = const { RefCell::new(Vec::new()) };
    static LINE: RefCell<Vec<u8>> = const { RefCell::new(Vec::new()) };
}

/// The calling thread's id as log lines print it.
pub(super) fn current_thread_id() -> [u8; 16] {
    THREAD_ID.with(|t| *t)
}

pub(super) fn unix_now() -> i64 {
    match SystemTime::now().duration_since(UNIX_EPOCH) {
        Ok(d) => d.as_secs() as i64,
        Err(e) => -(e.duration().as_secs() as i64) - 1,
    }
}

/// Runs `f` with a cleared thread-local scratch buffer (a fresh one if the
/// thread's own is in use, e.g. a formatter that logs while formatting).
fn with_scratch<R>(
    key: &'static std::thread::LocalKey<RefCell<Vec<u8>>>,
    f: impl FnOnce(&mut Vec<u8>) -> R,
) -> R {
    key.with(|cell| match cell.try_borrow_mut() {
        Ok(mut buf) => {
            buf.clear();
            f(&mut buf)
        }
        Err(_) => f(&mut Vec::new()),
    })
}

/// Appends the printf expansion of `format`/`args` to `out`; None if printf fails.
///
/// # Safety
/// `format` and `args` must be a matching printf pair.
pub(super) unsafe fn vformat_into(
    out: &mut Vec<u8>,
    format: *const c_char,
    args: va_list_ptr,
) -> Option<()> {
    let start = out.len();
    out.resize(start + 256, 0);
    // SAFETY: `out` has 256 writable bytes at `start`; the printf pair is the caller's.
    let n = unsafe {
        aws_es_rs_vformat(
            out.as_mut_ptr().add(start) as *mut c_char,
            256,
            format,
            args,
        )
    };
    let n = usize::try_from(n).ok()?;
    if n >= 256 {
        out.resize(start + n + 1, 0);
        // SAFETY: as above, with room for all n bytes and the NUL.
        unsafe {
            aws_es_rs_vformat(
                out.as_mut_ptr().add(start) as *mut c_char,
                n + 1,
                format,
                args,
            )
        };
    }
    out.truncate(start + n);
    Some(())
}

/// The standard line for `message`, stamped now on this thread.
fn line<'a>(
    level: c_int,
    date_format: DateFormat,
    thread_id: &'a [u8],
    subject: Option<&'a [u8]>,
    message: &'a [u8],
) -> Line<'a> {
    Line {
        level: level as usize,
        unix_secs: unix_now(),
        date_format,
        thread_id,
        subject,
        message,
    }
}

/// True if `formatter` is a default formatter, whose lines Rust callers may
/// build without printf ([`format_message`]).
///
/// # Safety
/// `formatter` must be a live formatter.
pub(super) unsafe fn is_default(formatter: *mut aws_log_formatter) -> bool {
    // SAFETY: guaranteed by the caller.
    unsafe { (*formatter).vtable == FORMATTER_VTABLE.as_c() }
}

/// A default formatter's line for an already formatted `message`, as a new
/// string from the formatter's allocator (NULL with the error raised).
///
/// # Safety
/// `formatter` must be a live default formatter ([`is_default`]).
pub(super) unsafe fn format_message(
    formatter: *mut aws_log_formatter,
    level: c_int,
    subject: aws_log_subject_t,
    message: &[u8],
) -> *mut aws_string {
    // SAFETY: guaranteed by the caller.
    let (state, allocator) = unsafe {
        (
            &*((*formatter).r#impl as *const DefaultFormatter),
            (*formatter).allocator,
        )
    };
    let Some(date_format) = DateFormat::from_c(state.date_format) else {
        raise(AWS_ERROR_INVALID_ARGUMENT);
        return std::ptr::null_mut();
    };
    if !(0..LEVEL_NAMES.len() as c_int).contains(&level) {
        raise(AWS_ERROR_INVALID_ARGUMENT);
        return std::ptr::null_mut();
    }
    let thread_id = current_thread_id();
    let subject = subject_name(subject).to_bytes();
    with_scratch(&LINE, |out| {
        line(level, date_format, &thread_id, Some(subject), message).write_to(out, None);
        // SAFETY: the formatter's allocator.
        unsafe { new_string(allocator, out) }
    })
}

unsafe extern "C" fn format(
    formatter: *mut aws_log_formatter,
    formatted_output: *mut *mut aws_string,
    level: enum_aws_log_level,
    subject: aws_log_subject_t,
    format: *const c_char,
    args: va_list_ptr,
) -> c_int {
    if formatted_output.is_null() || format.is_null() {
        return raise(AWS_ERROR_INVALID_ARGUMENT);
    }
    let output = with_scratch(&MESSAGE, |message| {
        // SAFETY: the caller's printf pair.
        if unsafe { vformat_into(message, format, args) }.is_none() {
            raise(AWS_ERROR_INVALID_ARGUMENT);
            return std::ptr::null_mut();
        }
        // SAFETY: this vtable is only installed on default formatters.
        unsafe { format_message(formatter, level, subject, message) }
    });
    if output.is_null() {
        return AWS_OP_ERR;
    }
    // SAFETY: checked non-NULL out-pointer.
    unsafe { *formatted_output = output };
    AWS_OP_SUCCESS
}

unsafe extern "C" fn clean_up(formatter: *mut aws_log_formatter) {
    // SAFETY: a default formatter made by aws_log_formatter_init_default.
    unsafe {
        drop_in(
            (*formatter).allocator,
            (*formatter).r#impl as *mut DefaultFormatter,
        )
    };
}

/// A formatter that writes upstream's standard line with `options->date_format`
/// timestamps (AUTO_DETECT or an unknown value fails each line with
/// AWS_ERROR_INVALID_ARGUMENT, as upstream).
#[no_mangle]
pub unsafe extern "C" fn aws_log_formatter_init_default(
    formatter: *mut aws_log_formatter,
    allocator: *mut aws_allocator,
    options: *mut aws_log_formatter_standard_options,
) -> c_int {
    fatal_precondition!(
        !formatter.is_null() && !allocator.is_null() && !options.is_null(),
        "aws_log_formatter_init_default"
    );
    // SAFETY: checked non-NULL.
    let date_format = unsafe { (*options).date_format };
    // SAFETY: the caller's allocator; freed with the formatter's allocator in clean_up.
    let impl_ = unsafe { new_in(allocator, DefaultFormatter { date_format }) };
    // SAFETY: the caller's formatter struct, written whole.
    unsafe {
        formatter.write(aws_log_formatter {
            vtable: FORMATTER_VTABLE.as_c(),
            allocator,
            r#impl: impl_ as *mut libc::c_void,
        });
    }
    AWS_OP_SUCCESS
}

#[no_mangle]
pub unsafe extern "C" fn aws_log_formatter_clean_up(formatter: *mut aws_log_formatter) {
    fatal_precondition!(!formatter.is_null(), "aws_log_formatter_clean_up");
    // SAFETY: checked non-NULL; the caller passes an initialized formatter.
    let clean_up = unsafe { (*formatter).vtable.as_ref().and_then(|v| v.clean_up) };
    let Some(clean_up) = clean_up else {
        crate::ffi::fatal("aws_log_formatter_clean_up: formatter has no clean_up");
    };
    // SAFETY: the formatter's own clean-up, called once.
    unsafe { clean_up(formatter) };
}

/// The standard line into `formatting_data->log_line_buffer` (`total_length`
/// bytes): the line, cut so that it and its newline fit with a NUL after
/// them; `amount_written` gets its length without the NUL.
#[no_mangle]
pub unsafe extern "C" fn aws_format_standard_log_line(
    formatting_data: *mut aws_logging_standard_formatting_data,
    args: va_list_ptr,
) -> c_int {
    fatal_precondition!(!formatting_data.is_null(), "aws_format_standard_log_line");
    // SAFETY: checked non-NULL; the caller's formatting data.
    let data = unsafe { &mut *formatting_data };
    if !(0..LEVEL_NAMES.len() as c_int).contains(&data.level)
        || data.total_length == 0
        || data.log_line_buffer.is_null()
        || data.format.is_null()
    {
        return raise(AWS_ERROR_INVALID_ARGUMENT);
    }
    let Some(date_format) = DateFormat::from_c(data.date_format) else {
        return raise(AWS_ERROR_INVALID_ARGUMENT);
    };
    // SAFETY: a NUL-terminated subject name, if any.
    let subject = (!data.subject_name.is_null())
        .then(|| unsafe { std::ffi::CStr::from_ptr(data.subject_name) }.to_bytes());
    let thread_id = current_thread_id();
    with_scratch(&MESSAGE, |message| {
        // SAFETY: the caller's printf pair.
        if unsafe { vformat_into(message, data.format, args) }.is_none() {
            return raise(AWS_ERROR_INVALID_ARGUMENT);
        }
        // SAFETY: the caller's buffer holds total_length bytes.
        let buffer = unsafe {
            std::slice::from_raw_parts_mut(data.log_line_buffer as *mut u8, data.total_length)
        };
        let limit = data.total_length - 1;
        let mut out = Truncating::new(&mut buffer[..limit]);
        line(data.level, date_format, &thread_id, subject, message).write_to(&mut out, Some(limit));
        let written = out.bytes().len();
        buffer[written] = 0;
        data.amount_written = written;
        AWS_OP_SUCCESS
    })
}
