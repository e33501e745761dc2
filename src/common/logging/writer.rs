//! Log writers (`aws_log_writer_init_stdout/_stderr/_file`): the last stage of
//! a pipeline logger, which puts finished lines on a `FILE`. One line is one
//! `fwrite` (stdio locks the stream for it, so lines never interleave). The
//! channels flush our writers after each batch of lines, so a line reaches
//! the file without waiting for the stdio buffer to fill.
use std::ffi::CStr;

use libc::{c_char, c_int, FILE};

use super::CVtable;
use crate::common::abi::*;
use crate::common::allocator::{drop_in, new_in};
use crate::common::error::{raise, raise_io_error};
use crate::common::error_codes::*;
use crate::common::string::string_bytes;
use crate::fatal_precondition;

struct FileWriter {
    file: *mut FILE,
    owns_file: bool,
}

static WRITER_VTABLE: CVtable<aws_log_writer_vtable> = CVtable(aws_log_writer_vtable {
    write: Some(write),
    clean_up: Some(clean_up),
});

/// Opens `path` with `mode`, raising upstream's error on failure.
///
/// # Safety
/// `path` must be a NUL-terminated string.
pub(super) unsafe fn open(path: *const c_char, mode: &CStr) -> Option<*mut FILE> {
    // SAFETY: a NUL-terminated path from the caller.
    let file = unsafe { libc::fopen(path, mode.as_ptr()) };
    if file.is_null() {
        // SAFETY: reading errno right after the failed call.
        let errno = unsafe { *libc::__errno_location() };
        raise_io_error(errno, AWS_ERROR_FILE_OPEN_FAILURE);
        return None;
    }
    Some(file)
}

/// Writes `bytes` with one `fwrite`, then flushes if asked; upstream's error on failure.
pub(super) fn write_bytes(file: *mut FILE, bytes: &[u8], flush: bool) -> c_int {
    // SAFETY: `file` is an open stream owned by (or lent to) the writer.
    unsafe {
        let written = libc::fwrite(bytes.as_ptr() as *const libc::c_void, 1, bytes.len(), file);
        if written < bytes.len() || (flush && libc::fflush(file) != 0) {
            let errno = if libc::ferror(file) != 0 {
                *libc::__errno_location()
            } else {
                0
            };
            return raise_io_error(errno, AWS_ERROR_FILE_WRITE_FAILURE);
        }
    }
    AWS_OP_SUCCESS
}

unsafe extern "C" fn write(writer: *mut aws_log_writer, output: *const aws_string) -> c_int {
    // SAFETY: this vtable is only installed on file writers; the channel passes a live string.
    unsafe {
        let state = &*((*writer).r#impl as *const FileWriter);
        write_bytes(state.file, string_bytes(output), false)
    }
}

unsafe extern "C" fn clean_up(writer: *mut aws_log_writer) {
    // SAFETY: a file writer made by `init`, not used after this.
    unsafe {
        let impl_ = (*writer).r#impl as *mut FileWriter;
        if (*impl_).owns_file {
            libc::fclose((*impl_).file);
        }
        drop_in((*writer).allocator, impl_);
    }
}

/// Pushes what stdio buffered for one of our file writers to the kernel;
/// other writers are left alone.
///
/// # Safety
/// `writer` must be a live writer.
pub(super) unsafe fn flush(writer: *mut aws_log_writer) {
    // SAFETY: guaranteed by the caller; the impl is ours when the vtable is.
    unsafe {
        if (*writer).vtable == WRITER_VTABLE.as_c() {
            let state = &*((*writer).r#impl as *const FileWriter);
            libc::fflush(state.file);
        }
    }
}

/// Upstream's rule: exactly one of `filename` (opened for append) and `file`.
unsafe fn init(
    writer: *mut aws_log_writer,
    allocator: *mut aws_allocator,
    filename: *const c_char,
    file: *mut FILE,
) -> c_int {
    fatal_precondition!(
        !writer.is_null() && !allocator.is_null(),
        "aws_log_writer_init"
    );
    if filename.is_null() == file.is_null() {
        return raise(AWS_ERROR_INVALID_ARGUMENT);
    }
    let state = if file.is_null() {
        // SAFETY: a NUL-terminated path from the caller.
        match unsafe { open(filename, c"a+") } {
            Some(file) => FileWriter {
                file,
                owns_file: true,
            },
            None => return AWS_OP_ERR,
        }
    } else {
        FileWriter {
            file,
            owns_file: false,
        }
    };
    // SAFETY: the caller's allocator; freed with the writer's allocator in clean_up.
    let impl_ = unsafe { new_in(allocator, state) };
    // SAFETY: the caller's writer struct, written whole.
    unsafe {
        writer.write(aws_log_writer {
            vtable: WRITER_VTABLE.as_c(),
            allocator,
            r#impl: impl_ as *mut libc::c_void,
        });
    }
    AWS_OP_SUCCESS
}

extern "C" {
    static mut stdout: *mut FILE;
    static mut stderr: *mut FILE;
}

#[no_mangle]
pub unsafe extern "C" fn aws_log_writer_init_stdout(
    writer: *mut aws_log_writer,
    allocator: *mut aws_allocator,
) -> c_int {
    // SAFETY: glibc's stdout stream, only read; the other arguments are checked by init.
    unsafe { init(writer, allocator, std::ptr::null(), stdout) }
}

#[no_mangle]
pub unsafe extern "C" fn aws_log_writer_init_stderr(
    writer: *mut aws_log_writer,
    allocator: *mut aws_allocator,
) -> c_int {
    // SAFETY: glibc's stderr stream, only read; the other arguments are checked by init.
    unsafe { init(writer, allocator, std::ptr::null(), stderr) }
}

/// A writer to `options->file` (left open at clean-up) or to `options->filename`
/// (opened for append, closed at clean-up); exactly one must be set.
#[no_mangle]
pub unsafe extern "C" fn aws_log_writer_init_file(
    writer: *mut aws_log_writer,
    allocator: *mut aws_allocator,
    options: *mut aws_log_writer_file_options,
) -> c_int {
    fatal_precondition!(!options.is_null(), "aws_log_writer_init_file");
    // SAFETY: checked non-NULL; the rest is checked by init.
    unsafe { init(writer, allocator, (*options).filename, (*options).file) }
}

#[no_mangle]
pub unsafe extern "C" fn aws_log_writer_clean_up(writer: *mut aws_log_writer) {
    fatal_precondition!(!writer.is_null(), "aws_log_writer_clean_up");
    // SAFETY: checked non-NULL; the caller passes an initialized writer.
    let clean_up = unsafe { (*writer).vtable.as_ref().and_then(|v| v.clean_up) };
    let Some(clean_up) = clean_up else {
        crate::ffi::fatal("aws_log_writer_clean_up: writer has no clean_up");
    };
    // SAFETY: the writer's own clean-up, called once.
    unsafe { clean_up(writer) };
}
