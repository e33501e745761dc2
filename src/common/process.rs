//! Process facts (pid, open-file limits) and `aws_run_command` (the command's
//! trimmed stdout and its wait status, as upstream's popen/pclose give them).
use std::ffi::CStr;
use std::os::unix::process::ExitStatusExt;
use std::process::{Command, Stdio};

use libc::c_int;

use super::abi::*;
use super::error::raise;
use super::error_codes::*;
use super::string::{aws_string_destroy_secure, new_string};

#[no_mangle]
pub extern "C" fn aws_get_pid() -> c_int {
    std::process::id() as c_int
}

fn nofile_limit() -> libc::rlimit {
    let mut limit = libc::rlimit {
        rlim_cur: 0,
        rlim_max: 0,
    };
    // SAFETY: limit is a valid out-parameter.
    if unsafe { libc::getrlimit(libc::RLIMIT_NOFILE, &mut limit) } != 0 {
        crate::ffi::fatal("getrlimit(RLIMIT_NOFILE) failed");
    }
    limit
}

#[no_mangle]
pub extern "C" fn aws_get_soft_limit_io_handles() -> usize {
    nofile_limit().rlim_cur as usize
}

#[no_mangle]
pub extern "C" fn aws_get_hard_limit_io_handles() -> usize {
    nofile_limit().rlim_max as usize
}

#[no_mangle]
pub extern "C" fn aws_set_soft_limit_io_handles(max_handles: usize) -> c_int {
    let hard = nofile_limit().rlim_max;
    if max_handles as u64 > hard {
        return raise(AWS_ERROR_INVALID_ARGUMENT);
    }
    let limit = libc::rlimit {
        rlim_cur: max_handles as u64,
        rlim_max: hard,
    };
    // SAFETY: limit is a valid rlimit.
    if unsafe { libc::setrlimit(libc::RLIMIT_NOFILE, &limit) } != 0 {
        return raise(AWS_ERROR_INVALID_ARGUMENT);
    }
    AWS_OP_SUCCESS
}

#[no_mangle]
pub unsafe extern "C" fn aws_run_command_result_init(
    allocator: *mut aws_allocator,
    result: *mut aws_run_command_result,
) -> c_int {
    if allocator.is_null() || result.is_null() {
        return raise(AWS_ERROR_INVALID_ARGUMENT);
    }
    // SAFETY: result is non-NULL and writable.
    unsafe { result.write(std::mem::zeroed()) };
    AWS_OP_SUCCESS
}

#[no_mangle]
pub unsafe extern "C" fn aws_run_command_result_cleanup(result: *mut aws_run_command_result) {
    // SAFETY: a non-NULL result holds strings it owns (or NULL).
    unsafe {
        if let Some(r) = result.as_mut() {
            aws_string_destroy_secure(r.std_out);
            aws_string_destroy_secure(r.std_err);
        }
    }
}

/// Runs `options->command` through /bin/sh; stdout (whitespace-trimmed, NULL
/// when empty) and the raw wait status go to `result`. stderr is not captured.
#[no_mangle]
pub unsafe extern "C" fn aws_run_command(
    allocator: *mut aws_allocator,
    options: *mut aws_run_command_options,
    result: *mut aws_run_command_result,
) -> c_int {
    crate::fatal_precondition!(
        !allocator.is_null() && !options.is_null() && !result.is_null(),
        "aws_run_command"
    );
    // SAFETY: options holds a C-string command and result is writable (checked non-NULL).
    unsafe {
        let command = CStr::from_ptr((*options).command)
            .to_string_lossy()
            .into_owned();
        let output = Command::new("/bin/sh")
            .arg("-c")
            .arg(command)
            .stdin(Stdio::null())
            .stderr(Stdio::inherit())
            .output();
        let Ok(output) = output else {
            return AWS_OP_SUCCESS;
        };
        (*result).ret_code = output.status.into_raw();
        let text = output.stdout.trim_ascii();
        if !text.is_empty() {
            (*result).std_out = new_string(allocator, text);
            if (*result).std_out.is_null() {
                return AWS_OP_ERR;
            }
        }
    }
    AWS_OP_SUCCESS
}
