//! Library init/clean-up for aws-c-common, fatal asserts and backtraces.
//!
//! Our error tables are always registered (see `error.rs`), so init only keeps
//! upstream's "initialised" flag. Like upstream it is a flag, not a count: a
//! second init is a no-op and the first clean-up undoes it.
use std::ffi::{CStr, CString};
use std::io::Write;
use std::sync::atomic::{AtomicBool, Ordering};

use libc::{c_char, c_int, c_void, FILE};

use super::abi::*;

/// Frames `aws_backtrace_print` and `aws_backtrace_log` capture at most.
const BACKTRACE_DEPTH: usize = 128;

static INITIALIZED: AtomicBool = AtomicBool::new(false);

#[no_mangle]
pub extern "C" fn aws_common_library_init(allocator: *mut aws_allocator) {
    let _ = allocator;
    INITIALIZED.store(true, Ordering::Release);
}

/// As upstream, the first clean-up after an init joins the managed threads
/// (bounded by aws_thread_set_managed_join_timeout_ns).
#[no_mangle]
pub extern "C" fn aws_common_library_clean_up() {
    if INITIALIZED.swap(false, Ordering::AcqRel) {
        let _ = super::thread::managed::aws_thread_join_all_managed();
    }
}

/// Aborts with upstream's message unless `aws_common_library_init` was called.
#[no_mangle]
pub extern "C" fn aws_common_fatal_assert_library_initialized() {
    if !INITIALIZED.load(Ordering::Acquire) {
        let _ = std::io::stderr()
            .write_all(b"aws_common_library_init() must be called before using any functionality in aws-c-common.");
        // SAFETY: all three arguments are NUL-terminated literals.
        unsafe {
            aws_fatal_assert(
                c"s_common_library_initialized".as_ptr(),
                c"library.rs".as_ptr(),
                line!() as c_int,
            );
        }
    }
}

/// Prints "Fatal error condition occurred in FILE:LINE: COND", a backtrace,
/// and aborts (upstream's `AWS_FATAL_ASSERT` target).
#[no_mangle]
pub unsafe extern "C" fn aws_fatal_assert(
    cond_str: *const c_char,
    file: *const c_char,
    line: c_int,
) -> ! {
    // SAFETY: C passes pointers valid as the upstream header documents; NULL is checked where upstream checks it.
    unsafe {
        let text = |p: *const c_char| {
            if p.is_null() {
                "(null)".into()
            } else {
                // SAFETY: the caller passes NUL-terminated strings (string literals in practice).
                CStr::from_ptr(p).to_string_lossy()
            }
        };
        let mut err = std::io::stderr().lock();
        let _ = write!(
            err,
            "Fatal error condition occurred in {}:{}: {}\nExiting Application\n",
            text(file),
            line,
            text(cond_str)
        );
        let _ = err.write_all(stack_report(None).as_bytes());
        let _ = err.flush();
        std::process::abort()
    }
}

/// Symbolised frames of the caller's stack, skipping `skip` innermost frames.
fn stack_symbols(skip: usize) -> Option<Vec<String>> {
    #[cfg(all(target_os = "linux", target_env = "gnu"))]
    {
        let mut frames = [std::ptr::null_mut::<c_void>(); BACKTRACE_DEPTH];
        // SAFETY: glibc writes at most BACKTRACE_DEPTH addresses and returns one
        // malloc'd array of that many C strings (or NULL), freed below.
        unsafe {
            let n = libc::backtrace(frames.as_mut_ptr(), BACKTRACE_DEPTH as c_int).max(0) as usize;
            let syms = libc::backtrace_symbols(frames.as_ptr(), n as c_int);
            if syms.is_null() {
                return None;
            }
            let lines = (skip.min(n)..n)
                .map(|i| CStr::from_ptr(*syms.add(i)).to_string_lossy().into_owned())
                .collect();
            libc::free(syms as *mut c_void);
            Some(lines)
        }
    }
    #[cfg(not(all(target_os = "linux", target_env = "gnu")))]
    {
        let _ = skip;
        None
    }
}

/// The text `aws_backtrace_print` writes: signal details if `siginfo` is given,
/// then the stack under a banner.
fn stack_report(siginfo: Option<&libc::siginfo_t>) -> String {
    let mut out = String::new();
    if let Some(si) = siginfo {
        out += &format!("Signal received: {}, errno: {}\n", si.si_signo, si.si_errno);
        if si.si_signo == libc::SIGSEGV {
            // SAFETY: si_addr is meaningful for SIGSEGV.
            out += &format!("  SIGSEGV @ {:p}\n", unsafe { si.si_addr() });
        }
    }
    let Some(lines) = stack_symbols(2) else {
        out += "Unable to decode backtrace via backtrace_symbols\n";
        return out;
    };
    let rule = "#".repeat(80);
    out += &format!("{rule}\nStack trace:\n{rule}\n");
    for l in lines {
        out += &l;
        out.push('\n');
    }
    out
}

/// Writes a backtrace of the caller to `fp` (stderr if NULL). `call_site_data`
/// is an optional `siginfo_t *` from a signal handler.
#[no_mangle]
pub unsafe extern "C" fn aws_backtrace_print(fp: *mut FILE, call_site_data: *mut c_void) {
    // SAFETY: C passes pointers valid as the upstream header documents; NULL is checked where upstream checks it.
    unsafe {
        // SAFETY: a non-NULL call_site_data is a siginfo_t, per upstream's contract.
        let report = stack_report((call_site_data as *const libc::siginfo_t).as_ref());
        let Ok(c) = CString::new(report) else { return };
        if fp.is_null() {
            let _ = std::io::stderr().write_all(c.as_bytes());
            return;
        }
        // SAFETY: fp is an open FILE from the caller.
        libc::fputs(c.as_ptr(), fp);
        libc::fflush(fp);
    }
}

/// Logs the caller's stack through the installed logger, one frame per line
/// at `log_level` (subject AWS_LS_COMMON_GENERAL).
#[no_mangle]
pub extern "C" fn aws_backtrace_log(log_level: c_int) {
    let general = aws_common_log_subject::AWS_LS_COMMON_GENERAL as u32;
    match stack_symbols(1) {
        Some(lines) => {
            for l in lines {
                crate::aws_log!(log_level, general, "{l}");
            }
        }
        None => crate::aws_log!(log_level, general, "Unable to capture backtrace"),
    }
}

/// Fills `stack_frames` with up to `num_frames` return addresses of the caller's stack.
#[no_mangle]
pub unsafe extern "C" fn aws_backtrace(stack_frames: *mut *mut c_void, num_frames: usize) -> usize {
    if stack_frames.is_null() {
        return 0;
    }
    let n = num_frames.min(c_int::MAX as usize) as c_int;
    // SAFETY: the caller's array holds num_frames pointers.
    unsafe { libc::backtrace(stack_frames, n) }.max(0) as usize
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn init_is_a_flag_and_reports_carry_frames() {
        aws_common_library_init(std::ptr::null_mut());
        aws_common_library_init(std::ptr::null_mut());
        aws_common_fatal_assert_library_initialized();
        aws_common_library_clean_up();
        assert!(!INITIALIZED.load(Ordering::Acquire));
        let report = stack_report(None);
        assert!(report.contains("Stack trace:"), "{report}");
        assert!(report.lines().count() > 4, "{report}");
    }
}
