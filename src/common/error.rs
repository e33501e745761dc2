//! Thread-local last error, error handlers and the error-info registry.
//!
//! Error codes are grouped by package: code >> AWS_ERROR_ENUM_STRIDE_BITS picks a
//! slot. The three libraries this crate replaces are always known (their tables
//! live in `error_codes.rs`); C code may register further lists for other slots,
//! or override ours, as with upstream.
use std::cell::Cell;
use std::ffi::CStr;
use std::sync::atomic::{AtomicPtr, Ordering};
use std::sync::Mutex;

use libc::{c_char, c_int, c_void};

use super::abi::*;
use super::error_codes as codes;

/// One `aws_error_info` in a static table.
#[repr(transparent)]
pub struct ErrorDef(pub aws_error_info);

// SAFETY: every pointer in an ErrorDef is a 'static C string literal.
unsafe impl Sync for ErrorDef {}

impl ErrorDef {
    pub const fn new(
        code: c_int,
        name: &'static CStr,
        desc: &'static CStr,
        lib: &'static CStr,
        formatted: &'static CStr,
    ) -> Self {
        ErrorDef(aws_error_info {
            error_code: code,
            literal_name: name.as_ptr(),
            error_str: desc.as_ptr(),
            lib_name: lib.as_ptr(),
            formatted_name: formatted.as_ptr(),
        })
    }
}

const UNKNOWN: &CStr = c"Unknown Error Code";
const SLOTS: usize = AWS_PACKAGE_SLOTS as usize;

static REGISTERED: [AtomicPtr<aws_error_info_list>; SLOTS] =
    [const { AtomicPtr::new(std::ptr::null_mut()) }; SLOTS];

fn builtin(slot: usize) -> Option<&'static [ErrorDef]> {
    match slot {
        0 => Some(&codes::COMMON),
        1 => Some(&codes::IO),
        4 => Some(&codes::EVENT_STREAM),
        _ => None,
    }
}

/// The info for `code`, from a registered list or our built-in tables.
pub fn error_info(code: c_int) -> Option<&'static aws_error_info> {
    if code < 0 {
        return None;
    }
    let slot = (code >> AWS_ERROR_ENUM_STRIDE_BITS) as usize;
    let index = (code & (AWS_ERROR_ENUM_STRIDE - 1)) as usize;
    if slot >= SLOTS {
        return None;
    }
    let list = REGISTERED[slot].load(Ordering::Acquire);
    if !list.is_null() {
        // SAFETY: a registered list must outlive its registration (upstream contract).
        let list = unsafe { &*list };
        if index < list.count as usize && !list.error_list.is_null() {
            // SAFETY: `count` entries are readable per the same contract.
            let info = unsafe { &*list.error_list.add(index) };
            if info.error_code == code {
                return Some(info);
            }
        }
        return None;
    }
    builtin(slot)?
        .get(index)
        .map(|d| &d.0)
        .filter(|i| i.error_code == code)
}

fn info_str(code: c_int, pick: impl Fn(&aws_error_info) -> *const c_char) -> *const c_char {
    match error_info(code).map(pick) {
        Some(p) if !p.is_null() => p,
        _ => UNKNOWN.as_ptr(),
    }
}

/// The upstream name of `code` ("AWS_ERROR_OOM"), for Rust callers and tests.
pub fn error_name(code: c_int) -> &'static str {
    // SAFETY: info_str returns a 'static NUL-terminated string.
    unsafe { CStr::from_ptr(info_str(code, |i| i.literal_name)) }
        .to_str()
        .unwrap_or("")
}

// ---- last error and handlers ----------------------------------------------

#[derive(Clone, Copy)]
struct Handler(aws_error_handler_fn, *mut c_void);

thread_local! {
    static LAST_ERROR: Cell<c_int> = const { Cell::new(0) };
    static TL_HANDLER: Cell<Handler> = const { Cell::new(Handler(None, std::ptr::null_mut())) };
}

// SAFETY: the context pointer is only handed back to the C handler, as upstream does.
unsafe impl Send for Handler {}
static GLOBAL_HANDLER: Mutex<Handler> = Mutex::new(Handler(None, std::ptr::null_mut()));

/// Sets the last error and calls the error handlers, like `aws_raise_error`.
/// Returns AWS_OP_ERR so shims can `return raise(code)`.
pub fn raise(code: c_int) -> c_int {
    LAST_ERROR.with(|e| e.set(code));
    let tl = TL_HANDLER.with(|h| h.get());
    let handler = if tl.0.is_some() {
        tl
    } else {
        *GLOBAL_HANDLER.lock().unwrap_or_else(|e| e.into_inner())
    };
    if let Handler(Some(f), ctx) = handler {
        // SAFETY: the C caller installed this handler for exactly this use.
        unsafe { f(code, ctx) };
    }
    AWS_OP_ERR
}

/// Raises upstream's error for an `errno` from a file or system call, as
/// `aws_translate_and_raise_io_error_or` does; `fallback` for the rest.
pub fn raise_io_error(errno: c_int, fallback: c_int) -> c_int {
    use codes::*;
    raise(match errno {
        libc::EPERM | libc::EACCES => AWS_ERROR_NO_PERMISSION,
        libc::EISDIR | libc::ENAMETOOLONG | libc::ENOENT | libc::ENOTDIR => {
            AWS_ERROR_FILE_INVALID_PATH
        }
        libc::EMFILE | libc::ENFILE => AWS_ERROR_MAX_FDS_EXCEEDED,
        libc::ENOMEM => AWS_ERROR_OOM,
        libc::ENOSPC => AWS_ERROR_NO_SPACE,
        libc::ENOTEMPTY => AWS_ERROR_DIRECTORY_NOT_EMPTY,
        _ => fallback,
    })
}

pub fn last_error() -> c_int {
    LAST_ERROR.with(|e| e.get())
}

// ---- C API ------------------------------------------------------------------

#[no_mangle]
pub extern "C" fn aws_raise_error_private(err: c_int) {
    raise(err);
}

#[no_mangle]
pub extern "C" fn aws_last_error() -> c_int {
    last_error()
}

#[no_mangle]
pub extern "C" fn aws_reset_error() {
    LAST_ERROR.with(|e| e.set(0));
}

#[no_mangle]
pub extern "C" fn aws_restore_error(err: c_int) {
    LAST_ERROR.with(|e| e.set(err));
}

#[no_mangle]
pub extern "C" fn aws_error_str(err: c_int) -> *const c_char {
    info_str(err, |i| i.error_str)
}

#[no_mangle]
pub extern "C" fn aws_error_name(err: c_int) -> *const c_char {
    info_str(err, |i| i.literal_name)
}

#[no_mangle]
pub extern "C" fn aws_error_lib_name(err: c_int) -> *const c_char {
    info_str(err, |i| i.lib_name)
}

#[no_mangle]
pub extern "C" fn aws_error_debug_str(err: c_int) -> *const c_char {
    info_str(err, |i| i.formatted_name)
}

/// Returns the previous global handler.
#[no_mangle]
pub extern "C" fn aws_set_global_error_handler_fn(
    handler: aws_error_handler_fn,
    ctx: *mut c_void,
) -> aws_error_handler_fn {
    let mut g = GLOBAL_HANDLER.lock().unwrap_or_else(|e| e.into_inner());
    std::mem::replace(&mut *g, Handler(handler, ctx)).0
}

/// Returns the previous handler of the calling thread.
#[no_mangle]
pub extern "C" fn aws_set_thread_local_error_handler_fn(
    handler: aws_error_handler_fn,
    ctx: *mut c_void,
) -> aws_error_handler_fn {
    TL_HANDLER.with(|h| h.replace(Handler(handler, ctx))).0
}

/// Registers a list whose first entry's code names its slot. The list must stay
/// alive until it is unregistered.
#[no_mangle]
pub unsafe extern "C" fn aws_register_error_info(error_info: *const aws_error_info_list) {
    // SAFETY: C passes pointers valid as the upstream header documents; NULL is checked where upstream checks it.
    unsafe {
        if let Some(slot) = list_slot(error_info) {
            REGISTERED[slot].store(error_info as *mut _, Ordering::Release);
        }
    }
}

#[no_mangle]
pub unsafe extern "C" fn aws_unregister_error_info(error_info: *const aws_error_info_list) {
    // SAFETY: C passes pointers valid as the upstream header documents; NULL is checked where upstream checks it.
    unsafe {
        if let Some(slot) = list_slot(error_info) {
            let _ = REGISTERED[slot].compare_exchange(
                error_info as *mut _,
                std::ptr::null_mut(),
                Ordering::AcqRel,
                Ordering::Acquire,
            );
        }
    }
}

unsafe fn list_slot(list: *const aws_error_info_list) -> Option<usize> {
    // SAFETY: this fn's caller guarantees its pointer arguments are valid and used on their owning thread.
    unsafe {
        // SAFETY: the caller passes a valid list or NULL (checked).
        let list = list.as_ref()?;
        if list.count == 0 || list.error_list.is_null() {
            return None;
        }
        let first = (*list.error_list).error_code;
        let slot = (first >> AWS_ERROR_ENUM_STRIDE_BITS) as usize;
        if first < 0 || slot >= SLOTS {
            crate::ffi::fatal("aws_register_error_info: error code outside the package slots");
        }
        Some(slot)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn names_come_from_the_tables() {
        assert_eq!(error_name(codes::AWS_ERROR_OOM), "AWS_ERROR_OOM");
        assert_eq!(
            error_name(codes::AWS_IO_SOCKET_TIMEOUT),
            "AWS_IO_SOCKET_TIMEOUT"
        );
        assert_eq!(
            error_name(codes::AWS_IO_INVALID_FILE_HANDLE),
            "AWS_ERROR_INVALID_FILE_HANDLE"
        );
        assert_eq!(
            error_name(codes::AWS_ERROR_END_COMMON_RANGE),
            "Unknown Error Code"
        );
        assert_eq!(error_name(-5), "Unknown Error Code");
    }

    #[test]
    fn raise_sets_thread_local_error() {
        assert_eq!(raise(codes::AWS_ERROR_SHORT_BUFFER), AWS_OP_ERR);
        assert_eq!(last_error(), codes::AWS_ERROR_SHORT_BUFFER);
        std::thread::spawn(|| assert_eq!(last_error(), 0))
            .join()
            .unwrap();
        aws_reset_error();
        assert_eq!(last_error(), 0);
    }
}
