//! `stream.h`: synchronous input streams over a byte cursor or a stdio FILE,
//! and the generic calls that dispatch through any stream's vtable.
use libc::{c_char, c_int, c_void, FILE};

use crate::common::abi::*;
use crate::common::allocator::{drop_in, new_in};
use crate::common::error::raise;
use crate::common::error_codes::*;
use crate::common::ref_count::{aws_ref_count_acquire, aws_ref_count_init, aws_ref_count_release};
use crate::fatal_precondition;
use crate::io::abi::*;

const BEGIN: c_int = aws_stream_seek_basis::AWS_SSB_BEGIN as c_int;
const END: c_int = aws_stream_seek_basis::AWS_SSB_END as c_int;

/// The offset a seek lands on in a stream of `len` bytes, if it is inside it.
pub fn seek_target(len: usize, offset: i64, basis: c_int) -> Result<usize, c_int> {
    let len = len as u64;
    let target = match basis {
        BEGIN if offset >= 0 && offset as u64 <= len => offset as u64,
        END if offset <= 0 && offset.unsigned_abs() <= len => len - offset.unsigned_abs(),
        BEGIN | END => return Err(AWS_IO_STREAM_INVALID_SEEK_POSITION),
        _ => return Err(AWS_ERROR_INVALID_ARGUMENT),
    };
    Ok(target as usize)
}

/// # Safety
/// `stream` is a live stream with a vtable.
unsafe fn vtable<'a>(stream: *mut aws_input_stream, func: &str) -> &'a aws_input_stream_vtable {
    // SAFETY: per the caller.
    unsafe {
        if stream.is_null() || (*stream).vtable.is_null() {
            crate::ffi::fatal(&format!("{func}: stream is NULL or has no vtable"));
        }
        &*(*stream).vtable
    }
}

// ---- generic calls --------------------------------------------------------------

#[no_mangle]
pub unsafe extern "C" fn aws_input_stream_seek(
    stream: *mut aws_input_stream,
    offset: i64,
    basis: enum_aws_stream_seek_basis,
) -> c_int {
    // SAFETY: C passes a live stream.
    unsafe {
        let f = vtable(stream, "aws_input_stream_seek").seek;
        f.expect("aws_input_stream_seek: vtable has no seek")(stream, offset, basis)
    }
}

/// Reads into `dest`'s spare capacity only: the implementation sees a view of
/// exactly that space, so it cannot move or grow the caller's buffer.
#[no_mangle]
pub unsafe extern "C" fn aws_input_stream_read(
    stream: *mut aws_input_stream,
    dest: *mut aws_byte_buf,
) -> c_int {
    // SAFETY: C passes a live stream and a valid buffer.
    unsafe {
        let read = vtable(stream, "aws_input_stream_read").read;
        let read = read.expect("aws_input_stream_read: vtable has no read");
        fatal_precondition!(
            !dest.is_null() && (*dest).len <= (*dest).capacity,
            "aws_input_stream_read"
        );
        let d = &mut *dest;
        if d.capacity == d.len {
            return AWS_OP_SUCCESS;
        }
        let start = d.buffer.add(d.len);
        let room = d.capacity - d.len;
        let mut view = aws_byte_buf {
            len: 0,
            buffer: start,
            capacity: room,
            allocator: std::ptr::null_mut(),
        };
        let rc = read(stream, &mut view);
        if view.buffer != start || view.capacity != room || view.len > room {
            crate::ffi::fatal("aws_input_stream_read: the stream replaced the buffer it was given");
        }
        if rc == AWS_OP_SUCCESS {
            d.len += view.len;
        }
        rc
    }
}

#[no_mangle]
pub unsafe extern "C" fn aws_input_stream_get_status(
    stream: *mut aws_input_stream,
    status: *mut aws_stream_status,
) -> c_int {
    // SAFETY: C passes a live stream and a writable status.
    unsafe {
        let f = vtable(stream, "aws_input_stream_get_status").get_status;
        f.expect("aws_input_stream_get_status: vtable has no get_status")(stream, status)
    }
}

#[no_mangle]
pub unsafe extern "C" fn aws_input_stream_get_length(
    stream: *mut aws_input_stream,
    out_length: *mut i64,
) -> c_int {
    // SAFETY: C passes a live stream and a writable length.
    unsafe {
        let f = vtable(stream, "aws_input_stream_get_length").get_length;
        f.expect("aws_input_stream_get_length: vtable has no get_length")(stream, out_length)
    }
}

/// NULL-tolerant; the vtable's acquire if it has one, else the public ref count.
#[no_mangle]
pub unsafe extern "C" fn aws_input_stream_acquire(
    stream: *mut aws_input_stream,
) -> *mut aws_input_stream {
    if !stream.is_null() {
        // SAFETY: a non-NULL stream is live.
        unsafe {
            match vtable(stream, "aws_input_stream_acquire").acquire {
                Some(f) => f(stream),
                None => {
                    aws_ref_count_acquire(&mut (*stream).ref_count);
                }
            }
        }
    }
    stream
}

/// NULL-tolerant; always returns NULL.
#[no_mangle]
pub unsafe extern "C" fn aws_input_stream_release(
    stream: *mut aws_input_stream,
) -> *mut aws_input_stream {
    if !stream.is_null() {
        // SAFETY: a non-NULL stream is live.
        unsafe {
            match vtable(stream, "aws_input_stream_release").release {
                Some(f) => f(stream),
                None => {
                    aws_ref_count_release(&mut (*stream).ref_count);
                }
            }
        }
    }
    std::ptr::null_mut()
}

/// Deprecated upstream: the same as a release.
#[no_mangle]
pub unsafe extern "C" fn aws_input_stream_destroy(stream: *mut aws_input_stream) {
    // SAFETY: as aws_input_stream_release.
    unsafe {
        aws_input_stream_release(stream);
    }
}

// ---- over a cursor --------------------------------------------------------------

#[repr(C)]
struct CursorStream {
    base: aws_input_stream,
    alloc: *mut aws_allocator,
    original: aws_byte_cursor,
    current: aws_byte_cursor,
}

unsafe extern "C" fn cursor_seek(s: *mut aws_input_stream, offset: i64, basis: c_int) -> c_int {
    // SAFETY: the vtable is only installed on a CursorStream.
    let me = unsafe { &mut *(s as *mut CursorStream) };
    match seek_target(me.original.len, offset, basis) {
        Ok(at) => {
            me.current = aws_byte_cursor {
                // SAFETY: `at` is within the original cursor.
                ptr: unsafe { me.original.ptr.add(at) },
                len: me.original.len - at,
            };
            AWS_OP_SUCCESS
        }
        Err(e) => raise(e),
    }
}

unsafe extern "C" fn cursor_read(s: *mut aws_input_stream, dest: *mut aws_byte_buf) -> c_int {
    // SAFETY: the vtable is only installed on a CursorStream; dest has `capacity` bytes.
    unsafe {
        let me = &mut *(s as *mut CursorStream);
        let d = &mut *dest;
        let n = (d.capacity - d.len).min(me.current.len);
        if n > 0 {
            std::ptr::copy_nonoverlapping(me.current.ptr, d.buffer.add(d.len), n);
            d.len += n;
            me.current.ptr = me.current.ptr.add(n);
            me.current.len -= n;
        }
        AWS_OP_SUCCESS
    }
}

unsafe extern "C" fn cursor_status(s: *mut aws_input_stream, st: *mut aws_stream_status) -> c_int {
    // SAFETY: the vtable is only installed on a CursorStream; st is writable.
    unsafe {
        let me = &*(s as *mut CursorStream);
        *st = aws_stream_status {
            is_end_of_stream: me.current.len == 0,
            is_valid: true,
        };
    }
    AWS_OP_SUCCESS
}

unsafe extern "C" fn cursor_length(s: *mut aws_input_stream, out: *mut i64) -> c_int {
    // SAFETY: the vtable is only installed on a CursorStream; out is writable.
    unsafe {
        let me = &*(s as *mut CursorStream);
        match i64::try_from(me.original.len) {
            Ok(n) => {
                *out = n;
                AWS_OP_SUCCESS
            }
            Err(_) => raise(AWS_ERROR_OVERFLOW_DETECTED),
        }
    }
}

unsafe extern "C" fn cursor_destroy(object: *mut c_void) {
    // SAFETY: the ref count's object is the CursorStream, freed once at zero.
    unsafe {
        let me = object as *mut CursorStream;
        drop_in((*me).alloc, me);
    }
}

static CURSOR_VTABLE: aws_input_stream_vtable = aws_input_stream_vtable {
    seek: Some(cursor_seek),
    read: Some(cursor_read),
    get_status: Some(cursor_status),
    get_length: Some(cursor_length),
    acquire: None,
    release: None,
};

/// A stream over `*cursor`'s bytes (not copied: they must outlive the stream).
#[no_mangle]
pub unsafe extern "C" fn aws_input_stream_new_from_cursor(
    allocator: *mut aws_allocator,
    cursor: *const aws_byte_cursor,
) -> *mut aws_input_stream {
    fatal_precondition!(
        !allocator.is_null() && !cursor.is_null(),
        "aws_input_stream_new_from_cursor"
    );
    // SAFETY: C passes a valid allocator and cursor.
    unsafe {
        let me = new_in(
            allocator,
            CursorStream {
                base: std::mem::zeroed(),
                alloc: allocator,
                original: *cursor,
                current: *cursor,
            },
        );
        if me.is_null() {
            return std::ptr::null_mut();
        }
        (*me).base.vtable = &CURSOR_VTABLE;
        aws_ref_count_init(
            &mut (*me).base.ref_count,
            me as *mut c_void,
            Some(cursor_destroy),
        );
        me as *mut aws_input_stream
    }
}

// ---- over a FILE ----------------------------------------------------------------

#[repr(C)]
struct FileStream {
    base: aws_input_stream,
    alloc: *mut aws_allocator,
    file: *mut FILE,
    close_on_clean_up: bool,
}

fn errno() -> c_int {
    std::io::Error::last_os_error().raw_os_error().unwrap_or(0)
}

unsafe extern "C" fn file_seek(s: *mut aws_input_stream, offset: i64, basis: c_int) -> c_int {
    let whence = if basis == BEGIN {
        libc::SEEK_SET
    } else {
        libc::SEEK_END
    };
    // SAFETY: the vtable is only installed on a FileStream with an open FILE.
    if unsafe { libc::fseeko((*(s as *mut FileStream)).file, offset, whence) } != 0 {
        return raise(crate::io::file_error::from_errno_or(
            errno(),
            AWS_IO_STREAM_INVALID_SEEK_POSITION,
        ));
    }
    AWS_OP_SUCCESS
}

unsafe extern "C" fn file_read(s: *mut aws_input_stream, dest: *mut aws_byte_buf) -> c_int {
    // SAFETY: the vtable is only installed on a FileStream; dest has `capacity` bytes.
    unsafe {
        let file = (*(s as *mut FileStream)).file;
        let d = &mut *dest;
        let n = libc::fread(
            d.buffer.add(d.len) as *mut c_void,
            1,
            d.capacity - d.len,
            file,
        );
        if n == 0 && libc::ferror(file) != 0 {
            return raise(AWS_IO_STREAM_READ_FAILED);
        }
        d.len += n;
        AWS_OP_SUCCESS
    }
}

unsafe extern "C" fn file_status(s: *mut aws_input_stream, st: *mut aws_stream_status) -> c_int {
    // SAFETY: the vtable is only installed on a FileStream; st is writable.
    unsafe {
        let file = (*(s as *mut FileStream)).file;
        *st = aws_stream_status {
            is_end_of_stream: libc::feof(file) != 0,
            is_valid: libc::ferror(file) == 0,
        };
    }
    AWS_OP_SUCCESS
}

unsafe extern "C" fn file_length(s: *mut aws_input_stream, out: *mut i64) -> c_int {
    // SAFETY: the vtable is only installed on a FileStream; out is writable.
    unsafe {
        let fd = libc::fileno((*(s as *mut FileStream)).file);
        let mut st: libc::stat = std::mem::zeroed();
        if fd < 0 || libc::fstat(fd, &mut st) != 0 {
            return raise(crate::io::file_error::from_errno_or(
                errno(),
                AWS_ERROR_SYS_CALL_FAILURE,
            ));
        }
        *out = st.st_size;
        AWS_OP_SUCCESS
    }
}

unsafe extern "C" fn file_destroy(object: *mut c_void) {
    // SAFETY: the ref count's object is the FileStream, freed once at zero.
    unsafe {
        let me = object as *mut FileStream;
        if (*me).close_on_clean_up && !(*me).file.is_null() {
            libc::fclose((*me).file);
        }
        drop_in((*me).alloc, me);
    }
}

static FILE_VTABLE: aws_input_stream_vtable = aws_input_stream_vtable {
    seek: Some(file_seek),
    read: Some(file_read),
    get_status: Some(file_status),
    get_length: Some(file_length),
    acquire: None,
    release: None,
};

/// # Safety
/// `allocator` is valid; `file` an open FILE.
unsafe fn new_file_stream(
    allocator: *mut aws_allocator,
    file: *mut FILE,
    close_on_clean_up: bool,
) -> *mut aws_input_stream {
    // SAFETY: per the caller.
    unsafe {
        let me = new_in(
            allocator,
            FileStream {
                base: std::mem::zeroed(),
                alloc: allocator,
                file,
                close_on_clean_up,
            },
        );
        if me.is_null() {
            if close_on_clean_up {
                libc::fclose(file);
            }
            return std::ptr::null_mut();
        }
        (*me).base.vtable = &FILE_VTABLE;
        aws_ref_count_init(
            &mut (*me).base.ref_count,
            me as *mut c_void,
            Some(file_destroy),
        );
        me as *mut aws_input_stream
    }
}

/// Opens `file_name` for reading; the stream closes it when released.
#[no_mangle]
pub unsafe extern "C" fn aws_input_stream_new_from_file(
    allocator: *mut aws_allocator,
    file_name: *const c_char,
) -> *mut aws_input_stream {
    fatal_precondition!(
        !allocator.is_null() && !file_name.is_null(),
        "aws_input_stream_new_from_file"
    );
    // SAFETY: C passes a NUL-terminated name and a valid allocator.
    unsafe {
        let file = libc::fopen(file_name, c"rb".as_ptr());
        if file.is_null() {
            raise(crate::io::file_error::from_errno_or(
                errno(),
                AWS_ERROR_FILE_OPEN_FAILURE,
            ));
            return std::ptr::null_mut();
        }
        new_file_stream(allocator, file, true)
    }
}

/// A stream over an already open FILE, which the caller keeps and closes.
#[no_mangle]
pub unsafe extern "C" fn aws_input_stream_new_from_open_file(
    allocator: *mut aws_allocator,
    file: *mut FILE,
) -> *mut aws_input_stream {
    fatal_precondition!(
        !allocator.is_null() && !file.is_null(),
        "aws_input_stream_new_from_open_file"
    );
    // SAFETY: C passes a valid allocator and open FILE.
    unsafe { new_file_stream(allocator, file, false) }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn seek_targets() {
        assert_eq!(seek_target(10, 0, BEGIN), Ok(0));
        assert_eq!(seek_target(10, 10, BEGIN), Ok(10));
        assert_eq!(seek_target(10, -3, END), Ok(7));
        assert_eq!(
            seek_target(10, 11, BEGIN),
            Err(AWS_IO_STREAM_INVALID_SEEK_POSITION)
        );
        assert_eq!(
            seek_target(10, -1, BEGIN),
            Err(AWS_IO_STREAM_INVALID_SEEK_POSITION)
        );
        assert_eq!(
            seek_target(10, i64::MIN, END),
            Err(AWS_IO_STREAM_INVALID_SEEK_POSITION)
        );
        assert_eq!(seek_target(10, 0, 1), Err(AWS_ERROR_INVALID_ARGUMENT));
    }
}
