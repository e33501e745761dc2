//! File and directory helpers (`aws/common/file.h`): fopen with upstream's
//! error codes, whole-file reads, directory create/delete/move/traverse and a
//! snapshot iterator, home directory, offset reads and O_DIRECT I/O.
//! errno values become aws error codes through `aws_translate_and_raise_io_error*`.
use std::ffi::{CStr, OsStr};
use std::fs;
use std::io;
use std::os::unix::ffi::{OsStrExt, OsStringExt};
use std::os::unix::fs::{FileExt, OpenOptionsExt};
use std::path::Path;

use libc::{c_char, c_int, c_void, FILE};

use super::abi::*;
use super::allocator::{drop_in, new_in};
use super::byte_buf::{
    aws_byte_buf_clean_up_secure, aws_byte_buf_init, aws_byte_buf_reserve_relative,
};
use super::error::{last_error, raise};
use super::error_codes::*;
use super::string::{new_string, string_bytes, string_c_str};

const FILE_TYPE_FILE: c_int = 1;
const FILE_TYPE_SYM_LINK: c_int = 2;
const FILE_TYPE_DIRECTORY: c_int = 4;
/// Linux read(2)/write(2) move at most this much per call.
const MAX_CHUNK: usize = 0x7fff_f000;

#[no_mangle]
pub extern "C" fn aws_translate_and_raise_io_error(error_no: c_int) -> c_int {
    aws_translate_and_raise_io_error_or(error_no, AWS_ERROR_SYS_CALL_FAILURE)
}

#[no_mangle]
pub extern "C" fn aws_translate_and_raise_io_error_or(
    error_no: c_int,
    fallback_aws_error_code: c_int,
) -> c_int {
    raise(match error_no {
        libc::EINVAL if fallback_aws_error_code != AWS_ERROR_SYS_CALL_FAILURE => {
            fallback_aws_error_code
        }
        libc::EINVAL => AWS_ERROR_INVALID_ARGUMENT,
        libc::EPERM | libc::EACCES => AWS_ERROR_NO_PERMISSION,
        libc::EISDIR | libc::ENAMETOOLONG | libc::ENOENT | libc::ENOTDIR => {
            AWS_ERROR_FILE_INVALID_PATH
        }
        libc::EMFILE | libc::ENFILE => AWS_ERROR_MAX_FDS_EXCEEDED,
        libc::ENOMEM => AWS_ERROR_OOM,
        libc::ENOSPC => AWS_ERROR_NO_SPACE,
        libc::ENOTEMPTY => AWS_ERROR_DIRECTORY_NOT_EMPTY,
        _ => fallback_aws_error_code,
    })
}

fn raise_io(e: &io::Error) -> c_int {
    aws_translate_and_raise_io_error(e.raw_os_error().unwrap_or(0))
}

fn errno() -> c_int {
    io::Error::last_os_error().raw_os_error().unwrap_or(0)
}

/// The path an aws_string names.
///
/// # Safety
/// `s` is a valid aws_string.
unsafe fn path<'a>(s: *const aws_string) -> &'a Path {
    // SAFETY: per the contract.
    Path::new(OsStr::from_bytes(unsafe { string_bytes(s) }))
}

#[no_mangle]
pub unsafe extern "C" fn aws_fopen_safe(
    file_path: *const aws_string,
    mode: *const aws_string,
) -> *mut FILE {
    // SAFETY: both are valid NUL-terminated aws_strings.
    let f = unsafe { libc::fopen(string_c_str(file_path), string_c_str(mode)) };
    if f.is_null() {
        aws_translate_and_raise_io_error_or(errno(), AWS_ERROR_FILE_OPEN_FAILURE);
    }
    f
}

#[no_mangle]
pub unsafe extern "C" fn aws_fopen(file_path: *const c_char, mode: *const c_char) -> *mut FILE {
    // SAFETY: non-NULL arguments are C strings (caller contract).
    unsafe {
        if file_path.is_null() || *file_path == 0 {
            raise(AWS_ERROR_FILE_INVALID_PATH);
            return std::ptr::null_mut();
        }
        if mode.is_null() || *mode == 0 {
            raise(AWS_ERROR_INVALID_ARGUMENT);
            return std::ptr::null_mut();
        }
        let f = libc::fopen(file_path, mode);
        if f.is_null() {
            aws_translate_and_raise_io_error_or(errno(), AWS_ERROR_FILE_OPEN_FAILURE);
        }
        f
    }
}

#[no_mangle]
pub unsafe extern "C" fn aws_fseek(file: *mut FILE, offset: i64, whence: c_int) -> c_int {
    // SAFETY: file is an open stream.
    if unsafe { libc::fseeko(file, offset, whence) } != 0 {
        return aws_translate_and_raise_io_error_or(errno(), AWS_ERROR_STREAM_UNSEEKABLE);
    }
    AWS_OP_SUCCESS
}

#[no_mangle]
pub unsafe extern "C" fn aws_file_get_length(file: *mut FILE, length: *mut i64) -> c_int {
    // SAFETY: file is an open stream, length writable; st is a valid out-parameter.
    unsafe {
        let fd = libc::fileno(file);
        if fd == -1 {
            return raise(AWS_ERROR_INVALID_FILE_HANDLE);
        }
        let mut st: libc::stat = std::mem::zeroed();
        if libc::fstat(fd, &mut st) != 0 {
            return aws_translate_and_raise_io_error(errno());
        }
        *length = st.st_size;
    }
    AWS_OP_SUCCESS
}

/// Reads the whole file into a new buffer with a NUL after the data (not counted in len).
///
/// # Safety
/// `out` is writable, `alloc` valid and `filename` a C string.
unsafe fn read_file(
    out: *mut aws_byte_buf,
    alloc: *mut aws_allocator,
    filename: *const c_char,
    hint: Option<usize>,
) -> c_int {
    // SAFETY: per the contract; every write stays within the buffer's capacity.
    unsafe {
        out.write(std::mem::zeroed());
        let fp = aws_fopen(filename, c"rb".as_ptr());
        if fp.is_null() {
            return AWS_OP_ERR;
        }
        let fail = |out: *mut aws_byte_buf| {
            libc::fclose(fp);
            aws_byte_buf_clean_up_secure(out);
            AWS_OP_ERR
        };
        let size = match hint {
            Some(h) => h,
            None => {
                let mut len = 0i64;
                if aws_file_get_length(fp, &mut len) != AWS_OP_SUCCESS {
                    return fail(out);
                }
                if len as u64 >= usize::MAX as u64 {
                    raise(AWS_ERROR_OVERFLOW_DETECTED);
                    return fail(out);
                }
                len as usize + 1
            }
        };
        aws_byte_buf_init(out, alloc, size);
        loop {
            let b = &mut *out;
            if b.len == b.capacity
                && aws_byte_buf_reserve_relative(out, b.capacity.clamp(32, 4096)) != AWS_OP_SUCCESS
            {
                return fail(out);
            }
            let b = &mut *out;
            let n = libc::fread(b.buffer.add(b.len).cast(), 1, b.capacity - b.len, fp);
            b.len += n;
            if libc::feof(fp) != 0 {
                break;
            }
            if n == 0 {
                let e = if libc::ferror(fp) != 0 { errno() } else { 0 };
                aws_translate_and_raise_io_error_or(e, AWS_ERROR_FILE_READ_FAILURE);
                return fail(out);
            }
        }
        if (*out).len == (*out).capacity && aws_byte_buf_reserve_relative(out, 1) != AWS_OP_SUCCESS
        {
            return fail(out);
        }
        *(*out).buffer.add((*out).len) = 0;
        libc::fclose(fp);
        AWS_OP_SUCCESS
    }
}

#[no_mangle]
pub unsafe extern "C" fn aws_byte_buf_init_from_file(
    out_buf: *mut aws_byte_buf,
    alloc: *mut aws_allocator,
    filename: *const c_char,
) -> c_int {
    // SAFETY: forwarded caller contract.
    unsafe { read_file(out_buf, alloc, filename, None) }
}

#[no_mangle]
pub unsafe extern "C" fn aws_byte_buf_init_from_file_with_size_hint(
    out_buf: *mut aws_byte_buf,
    alloc: *mut aws_allocator,
    filename: *const c_char,
    size_hint: usize,
) -> c_int {
    // SAFETY: forwarded caller contract.
    unsafe { read_file(out_buf, alloc, filename, Some(size_hint)) }
}

#[no_mangle]
pub extern "C" fn aws_is_any_directory_separator(value: c_char) -> bool {
    value as u8 == b'\\' || value as u8 == b'/'
}

#[no_mangle]
pub extern "C" fn aws_get_platform_directory_separator() -> c_char {
    b'/' as c_char
}

#[no_mangle]
pub unsafe extern "C" fn aws_normalize_directory_separator(path: *mut aws_byte_buf) {
    // SAFETY: path is a valid buffer.
    let bytes = unsafe { crate::ffi::slice_mut((*path).buffer, (*path).len) };
    for b in bytes.iter_mut().filter(|b| **b == b'\\') {
        *b = b'/';
    }
}

#[no_mangle]
pub unsafe extern "C" fn aws_directory_create(dir_path: *const aws_string) -> c_int {
    use std::os::unix::fs::DirBuilderExt;
    // SAFETY: dir_path is a valid aws_string.
    match fs::DirBuilder::new()
        .mode(0o777)
        .create(unsafe { path(dir_path) })
    {
        Err(e) if e.kind() != io::ErrorKind::AlreadyExists => raise_io(&e),
        _ => AWS_OP_SUCCESS,
    }
}

#[no_mangle]
pub unsafe extern "C" fn aws_directory_exists(dir_path: *const aws_string) -> bool {
    // SAFETY: dir_path is a valid aws_string.
    fs::symlink_metadata(unsafe { path(dir_path) }).is_ok_and(|m| m.is_dir())
}

#[no_mangle]
pub unsafe extern "C" fn aws_path_exists(p: *const aws_string) -> bool {
    // SAFETY: p is a valid aws_string.
    fs::metadata(unsafe { path(p) }).is_ok()
}

#[no_mangle]
pub unsafe extern "C" fn aws_file_delete(file_path: *const aws_string) -> c_int {
    // SAFETY: file_path is a valid aws_string.
    match fs::remove_file(unsafe { path(file_path) }) {
        Err(e) if e.kind() != io::ErrorKind::NotFound => raise_io(&e),
        _ => AWS_OP_SUCCESS,
    }
}

#[no_mangle]
pub unsafe extern "C" fn aws_directory_or_file_move(
    from: *const aws_string,
    to: *const aws_string,
) -> c_int {
    // SAFETY: both are valid aws_strings.
    match fs::rename(unsafe { path(from) }, unsafe { path(to) }) {
        Err(e) => raise_io(&e),
        Ok(()) => AWS_OP_SUCCESS,
    }
}

/// Deletes `dir` (children first when `recursive`); a missing directory is fine.
fn delete_dir(dir: &Path, recursive: bool) -> c_int {
    if !fs::symlink_metadata(dir).is_ok_and(|m| m.is_dir()) {
        return AWS_OP_SUCCESS;
    }
    if recursive {
        let rc = traverse(dir.as_os_str().as_bytes(), true, &mut |entry: &Entry| {
            let p = Path::new(OsStr::from_bytes(
                &entry.relative[..entry.relative.len() - 1],
            ));
            let rc = if entry.kind & FILE_TYPE_FILE != 0 {
                fs::remove_file(p).or_else(|e| {
                    if e.kind() == io::ErrorKind::NotFound {
                        Ok(())
                    } else {
                        Err(e)
                    }
                })
            } else if entry.kind & FILE_TYPE_DIRECTORY != 0 {
                fs::remove_dir(p)
            } else {
                Ok(())
            };
            rc.map_err(|e| raise_io(&e)).is_ok()
        });
        if rc != AWS_OP_SUCCESS {
            if last_error() == AWS_ERROR_FILE_INVALID_PATH {
                super::error::aws_reset_error();
                return AWS_OP_SUCCESS;
            }
            return AWS_OP_ERR;
        }
    }
    match fs::remove_dir(dir) {
        Err(e) => raise_io(&e),
        Ok(()) => AWS_OP_SUCCESS,
    }
}

#[no_mangle]
pub unsafe extern "C" fn aws_directory_delete(
    dir_path: *const aws_string,
    recursive: bool,
) -> c_int {
    // SAFETY: dir_path is a valid aws_string.
    delete_dir(unsafe { path(dir_path) }, recursive)
}

/// One directory entry as traversal reports it. Both paths end in a NUL that
/// the cursors do not count (callers use them as C strings, as upstream allows).
struct Entry {
    absolute: Vec<u8>,
    relative: Vec<u8>,
    kind: c_int,
    size: i64,
}

impl Entry {
    fn as_c(&self) -> aws_directory_entry {
        let cursor = |v: &Vec<u8>| aws_byte_cursor {
            len: v.len() - 1,
            ptr: v.as_ptr() as *mut u8,
        };
        aws_directory_entry {
            path: cursor(&self.absolute),
            relative_path: cursor(&self.relative),
            file_type: self.kind,
            file_size: self.size,
        }
    }
}

/// Visits the entries under `dir` (children of a directory before the
/// directory itself when `recursive`); `visit` returning false stops the walk
/// with AWS_ERROR_OPERATION_INTERUPTED.
fn traverse(dir: &[u8], recursive: bool, visit: &mut dyn FnMut(&Entry) -> bool) -> c_int {
    let entries = match fs::read_dir(Path::new(OsStr::from_bytes(dir))) {
        Ok(e) => e,
        Err(e) => return raise_io(&e),
    };
    let base = dir.strip_suffix(b"/").unwrap_or(dir);
    for dirent in entries.flatten() {
        let mut relative = base.to_vec();
        relative.push(b'/');
        relative.extend_from_slice(dirent.file_name().as_bytes());
        let rel_path = Path::new(OsStr::from_bytes(&relative)).to_path_buf();
        let Ok(meta) = fs::symlink_metadata(&rel_path) else {
            continue;
        };
        let t = meta.file_type();
        let mut kind = 0;
        let mut size = 0;
        if t.is_dir() {
            kind |= FILE_TYPE_DIRECTORY;
        }
        if t.is_symlink() {
            kind |= FILE_TYPE_SYM_LINK;
        }
        if t.is_file() {
            kind |= FILE_TYPE_FILE;
            size = meta.len() as i64;
        }
        let mut absolute = fs::canonicalize(&rel_path)
            .map(|p| p.into_os_string().into_vec())
            .unwrap_or_default();
        absolute.push(0);
        let mut rc = AWS_OP_SUCCESS;
        if recursive && kind & FILE_TYPE_DIRECTORY != 0 {
            rc = traverse(&relative, true, visit);
            if rc != AWS_OP_SUCCESS && last_error() == AWS_ERROR_OPERATION_INTERUPTED {
                return rc;
            }
        }
        relative.push(0);
        if !visit(&Entry {
            absolute,
            relative,
            kind,
            size,
        }) {
            return raise(AWS_ERROR_OPERATION_INTERUPTED);
        }
        if rc != AWS_OP_SUCCESS {
            return rc;
        }
    }
    AWS_OP_SUCCESS
}

#[no_mangle]
pub unsafe extern "C" fn aws_directory_traverse(
    _allocator: *mut aws_allocator,
    p: *const aws_string,
    recursive: bool,
    on_entry: aws_on_directory_entry,
    user_data: *mut c_void,
) -> c_int {
    // SAFETY: p is a valid aws_string; on_entry is the caller's callback, handed entries
    // whose cursors live for the duration of the call.
    unsafe {
        let on_entry =
            on_entry.unwrap_or_else(|| crate::ffi::fatal("aws_directory_traverse: NULL callback"));
        traverse(string_bytes(p), recursive, &mut |entry: &Entry| {
            let c = entry.as_c();
            on_entry(&c, user_data)
        })
    }
}

/// A snapshot of one directory's entries with a cursor into it.
struct DirectoryIterator {
    allocator: *mut aws_allocator,
    entries: Vec<(Entry, aws_directory_entry)>,
    current: usize,
}

#[no_mangle]
pub unsafe extern "C" fn aws_directory_entry_iterator_new(
    allocator: *mut aws_allocator,
    p: *const aws_string,
) -> *mut aws_directory_iterator {
    let mut entries = Vec::new();
    // SAFETY: p is a valid aws_string.
    let rc = traverse(unsafe { string_bytes(p) }, false, &mut |entry: &Entry| {
        let owned = Entry {
            absolute: entry.absolute.clone(),
            relative: entry.relative.clone(),
            kind: entry.kind,
            size: entry.size,
        };
        let c = owned.as_c();
        entries.push((owned, c));
        true
    });
    if rc != AWS_OP_SUCCESS {
        return std::ptr::null_mut();
    }
    // SAFETY: allocator is the caller's; the iterator is released with drop_in.
    unsafe {
        new_in(
            allocator,
            DirectoryIterator {
                allocator,
                entries,
                current: 0,
            },
        )
        .cast()
    }
}

#[no_mangle]
pub unsafe extern "C" fn aws_directory_entry_iterator_next(
    iterator: *mut aws_directory_iterator,
) -> c_int {
    // SAFETY: iterator came from aws_directory_entry_iterator_new.
    let it = unsafe { &mut *(iterator as *mut DirectoryIterator) };
    if it.current + 1 >= it.entries.len() {
        return raise(AWS_ERROR_LIST_EMPTY);
    }
    it.current += 1;
    AWS_OP_SUCCESS
}

#[no_mangle]
pub unsafe extern "C" fn aws_directory_entry_iterator_previous(
    iterator: *mut aws_directory_iterator,
) -> c_int {
    // SAFETY: iterator came from aws_directory_entry_iterator_new.
    let it = unsafe { &mut *(iterator as *mut DirectoryIterator) };
    if it.entries.is_empty() || it.current == 0 {
        return raise(AWS_ERROR_LIST_EMPTY);
    }
    it.current -= 1;
    AWS_OP_SUCCESS
}

#[no_mangle]
pub unsafe extern "C" fn aws_directory_entry_iterator_get_value(
    iterator: *const aws_directory_iterator,
) -> *const aws_directory_entry {
    // SAFETY: iterator came from aws_directory_entry_iterator_new.
    let it = unsafe { &*(iterator as *const DirectoryIterator) };
    it.entries
        .get(it.current)
        .map_or(std::ptr::null(), |(_, c)| c)
}

#[no_mangle]
pub unsafe extern "C" fn aws_directory_entry_iterator_destroy(
    iterator: *mut aws_directory_iterator,
) {
    let it = iterator as *mut DirectoryIterator;
    // SAFETY: iterator came from aws_directory_entry_iterator_new and is not used again.
    unsafe { drop_in((*it).allocator, it) }
}

#[no_mangle]
pub unsafe extern "C" fn aws_get_home_directory(allocator: *mut aws_allocator) -> *mut aws_string {
    if let Some(home) = std::env::var_os("HOME") {
        // SAFETY: allocator is the caller's.
        return unsafe { new_string(allocator, home.as_bytes()) };
    }
    // SAFETY: getpwuid_r fills pwd from buf; both outlive the call, and pw_dir is a C string in buf.
    unsafe {
        let mut pwd: libc::passwd = std::mem::zeroed();
        let mut result = std::ptr::null_mut();
        let mut buf = vec![0 as c_char; 16384];
        if libc::getpwuid_r(
            libc::getuid(),
            &mut pwd,
            buf.as_mut_ptr(),
            buf.len(),
            &mut result,
        ) == 0
            && !result.is_null()
            && !pwd.pw_dir.is_null()
        {
            return new_string(allocator, CStr::from_ptr(pwd.pw_dir).to_bytes());
        }
    }
    raise(AWS_ERROR_GET_HOME_DIRECTORY_FAILED);
    std::ptr::null_mut()
}

/// Reads up to min(free space, max) bytes at `offset` into the tail of `output_buf`.
///
/// # Safety
/// `output_buf` is a valid buffer and `out_actual_read` writable.
unsafe fn read_at(
    file: &fs::File,
    offset: u64,
    length: usize,
    chunk: usize,
    output_buf: *mut aws_byte_buf,
    out_actual_read: *mut usize,
) -> c_int {
    // SAFETY: the destination is the buffer's free tail (capacity - len >= length).
    unsafe {
        let b = &mut *output_buf;
        let dest = crate::ffi::slice_mut(b.buffer.add(b.len), length);
        let mut total = 0;
        while total < length {
            let want = (length - total).min(chunk);
            match file.read_at(&mut dest[total..total + want], offset + total as u64) {
                Ok(0) => break,
                Ok(n) => {
                    total += n;
                    if n < want {
                        break;
                    }
                }
                Err(e) if e.kind() == io::ErrorKind::Interrupted => {}
                Err(e) => return raise_io(&e),
            }
        }
        *out_actual_read = total;
        b.len += total;
        AWS_OP_SUCCESS
    }
}

fn free_space(b: &aws_byte_buf, max: usize) -> usize {
    b.capacity.saturating_sub(b.len).min(max)
}

#[no_mangle]
pub unsafe extern "C" fn aws_file_path_read_from_offset(
    file_path: *const aws_string,
    offset: u64,
    max_read_length: usize,
    output_buf: *mut aws_byte_buf,
    out_actual_read: *mut usize,
) -> c_int {
    // SAFETY: valid string and buffer per the contract.
    unsafe {
        let length = free_space(&*output_buf, max_read_length);
        if length == 0 {
            return AWS_OP_SUCCESS;
        }
        match fs::File::open(path(file_path)) {
            Ok(f) => read_at(&f, offset, length, usize::MAX, output_buf, out_actual_read),
            Err(e) => aws_translate_and_raise_io_error_or(
                e.raw_os_error().unwrap_or(0),
                AWS_ERROR_FILE_OPEN_FAILURE,
            ),
        }
    }
}

#[no_mangle]
pub extern "C" fn aws_file_direct_io_is_supported() -> bool {
    true
}

fn page_aligned(values: &[usize]) -> bool {
    let page = super::system_info::aws_system_info_page_size();
    values.iter().all(|v| v % page == 0)
}

#[no_mangle]
pub unsafe extern "C" fn aws_file_path_read_from_offset_direct_io_with_chunk_size(
    file_path: *const aws_string,
    offset: u64,
    max_read_length: usize,
    max_chunk_size: usize,
    output_buf: *mut aws_byte_buf,
    out_actual_read: *mut usize,
) -> c_int {
    // SAFETY: valid string and buffer per the contract.
    unsafe {
        let b = &*output_buf;
        let length = free_space(b, max_read_length);
        if length == 0 {
            return AWS_OP_SUCCESS;
        }
        if !page_aligned(&[offset as usize, b.buffer.add(b.len) as usize]) {
            return raise(AWS_ERROR_INVALID_ARGUMENT);
        }
        let file = fs::OpenOptions::new()
            .read(true)
            .custom_flags(libc::O_DIRECT)
            .open(path(file_path));
        match file {
            Ok(f) => read_at(
                &f,
                offset,
                length,
                max_chunk_size.min(MAX_CHUNK),
                output_buf,
                out_actual_read,
            ),
            Err(e) => raise_io(&e),
        }
    }
}

#[no_mangle]
pub unsafe extern "C" fn aws_file_path_read_from_offset_direct_io(
    file_path: *const aws_string,
    offset: u64,
    max_read_length: usize,
    output_buf: *mut aws_byte_buf,
    out_actual_read: *mut usize,
) -> c_int {
    // SAFETY: forwarded caller contract.
    unsafe {
        aws_file_path_read_from_offset_direct_io_with_chunk_size(
            file_path,
            offset,
            max_read_length,
            MAX_CHUNK,
            output_buf,
            out_actual_read,
        )
    }
}

#[no_mangle]
pub unsafe extern "C" fn aws_file_path_write_to_offset_direct_io(
    file_path: *const aws_string,
    offset: u64,
    data: aws_byte_cursor,
) -> c_int {
    if data.len == 0 {
        return AWS_OP_SUCCESS;
    }
    if !page_aligned(&[offset as usize, data.ptr as usize, data.len]) {
        return raise(AWS_ERROR_INVALID_ARGUMENT);
    }
    // SAFETY: valid string and cursor per the contract.
    unsafe {
        let file = fs::OpenOptions::new()
            .write(true)
            .custom_flags(libc::O_DIRECT)
            .open(path(file_path));
        let file = match file {
            Ok(f) => f,
            Err(e) => return raise_io(&e),
        };
        let bytes = crate::ffi::slice(data.ptr, data.len);
        let mut done = 0;
        while done < bytes.len() {
            let end = (done + MAX_CHUNK).min(bytes.len());
            match file.write_at(&bytes[done..end], offset + done as u64) {
                Ok(n) => done += n,
                Err(e) if e.kind() == io::ErrorKind::Interrupted => {}
                Err(e) => return raise_io(&e),
            }
        }
    }
    AWS_OP_SUCCESS
}
