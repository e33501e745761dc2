//! Process environment variables as `aws_string`s (libc getenv/setenv, like upstream).
use std::ffi::CStr;

use libc::{c_char, c_int};

use super::abi::*;
use super::error::raise;
use super::error_codes::*;
use super::string::{new_string, string_c_str};

/// The value of `name`, or None when unset.
///
/// # Safety
/// `name` is a C string; the environment is not changed concurrently (as with getenv).
unsafe fn get(name: *const c_char) -> Option<&'static [u8]> {
    // SAFETY: per the contract; getenv returns a C string or NULL.
    unsafe {
        let value = libc::getenv(name);
        (!value.is_null()).then(|| CStr::from_ptr(value).to_bytes())
    }
}

#[no_mangle]
pub unsafe extern "C" fn aws_get_env(
    allocator: *mut aws_allocator,
    name: *const c_char,
) -> *mut aws_string {
    // SAFETY: name is a C string (caller contract).
    match unsafe { get(name) } {
        // SAFETY: allocator is the caller's.
        Some(value) => unsafe { new_string(allocator, value) },
        None => std::ptr::null_mut(),
    }
}

#[no_mangle]
pub unsafe extern "C" fn aws_get_env_nonempty(
    allocator: *mut aws_allocator,
    name: *const c_char,
) -> *mut aws_string {
    // SAFETY: name is a C string (caller contract).
    match unsafe { get(name) } {
        // SAFETY: allocator is the caller's.
        Some(value) if !value.is_empty() => unsafe { new_string(allocator, value) },
        _ => std::ptr::null_mut(),
    }
}

#[no_mangle]
pub unsafe extern "C" fn aws_get_environment_value(
    allocator: *mut aws_allocator,
    variable_name: *const aws_string,
    value_out: *mut *mut aws_string,
) -> c_int {
    // SAFETY: variable_name is a valid aws_string (NUL-terminated) and value_out writable.
    unsafe {
        *value_out = std::ptr::null_mut();
        if let Some(value) = get(string_c_str(variable_name)) {
            *value_out = new_string(allocator, value);
            if (*value_out).is_null() {
                return raise(AWS_ERROR_ENVIRONMENT_GET);
            }
        }
    }
    AWS_OP_SUCCESS
}

#[no_mangle]
pub unsafe extern "C" fn aws_set_environment_value(
    variable_name: *const aws_string,
    value: *const aws_string,
) -> c_int {
    // SAFETY: both are valid NUL-terminated aws_strings.
    let rc = unsafe { libc::setenv(string_c_str(variable_name), string_c_str(value), 1) };
    if rc != 0 {
        return raise(AWS_ERROR_ENVIRONMENT_SET);
    }
    AWS_OP_SUCCESS
}

#[no_mangle]
pub unsafe extern "C" fn aws_unset_environment_value(variable_name: *const aws_string) -> c_int {
    // SAFETY: variable_name is a valid NUL-terminated aws_string.
    if unsafe { libc::unsetenv(string_c_str(variable_name)) } != 0 {
        return raise(AWS_ERROR_ENVIRONMENT_UNSET);
    }
    AWS_OP_SUCCESS
}
