//! `shared_library.h`: dlopen / dlsym / dlclose with upstream's errors.
use std::ffi::CStr;

use libc::{c_char, c_int};

use crate::common::abi::*;
use crate::common::error::raise;
use crate::common::error_codes::*;
use crate::io::abi::*;

fn dl_error() -> String {
    // SAFETY: dlerror returns NULL or a NUL-terminated, thread-local message.
    unsafe {
        let e = libc::dlerror();
        if e.is_null() {
            "<Unknown>".into()
        } else {
            CStr::from_ptr(e).to_string_lossy().into_owned()
        }
    }
}

/// Opens `library_path` (NULL: the program itself), lazily bound.
#[no_mangle]
pub unsafe extern "C" fn aws_shared_library_init(
    library: *mut aws_shared_library,
    library_path: *const c_char,
) -> c_int {
    crate::fatal_precondition!(!library.is_null(), "aws_shared_library_init");
    // SAFETY: C passes a writable library and a NUL-terminated path or NULL.
    unsafe {
        (*library).library_handle = libc::dlopen(library_path, libc::RTLD_LAZY);
        if (*library).library_handle.is_null() {
            crate::aws_log!(
                AWS_LOG_LEVEL_ERROR,
                aws_io_log_subject::AWS_LS_IO_SHARED_LIBRARY,
                "id={:p}: Failed to load shared library: {}",
                library,
                dl_error()
            );
            return raise(AWS_IO_SHARED_LIBRARY_LOAD_FAILURE);
        }
    }
    AWS_OP_SUCCESS
}

#[no_mangle]
pub unsafe extern "C" fn aws_shared_library_clean_up(library: *mut aws_shared_library) {
    // SAFETY: C passes NULL or a library from aws_shared_library_init.
    unsafe {
        if !library.is_null() && !(*library).library_handle.is_null() {
            libc::dlclose((*library).library_handle);
            (*library).library_handle = std::ptr::null_mut();
        }
    }
}

/// Looks `symbol_name` up; `*function_address` is NULL when it is missing.
#[no_mangle]
pub unsafe extern "C" fn aws_shared_library_find_function(
    library: *mut aws_shared_library,
    symbol_name: *const c_char,
    function_address: *mut Option<unsafe extern "C" fn()>,
) -> c_int {
    crate::fatal_precondition!(
        !function_address.is_null(),
        "aws_shared_library_find_function"
    );
    // SAFETY: C passes a library, a NUL-terminated name and a writable slot.
    unsafe {
        if library.is_null() || (*library).library_handle.is_null() {
            return raise(AWS_IO_SHARED_LIBRARY_FIND_SYMBOL_FAILURE);
        }
        let sym = libc::dlsym((*library).library_handle, symbol_name);
        *function_address =
            std::mem::transmute::<*mut libc::c_void, Option<unsafe extern "C" fn()>>(sym);
        if sym.is_null() {
            return raise(AWS_IO_SHARED_LIBRARY_FIND_SYMBOL_FAILURE);
        }
    }
    AWS_OP_SUCCESS
}
