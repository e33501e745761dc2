//! `<aws/common/system_info.h>`: processor and page counts from `sysconf`, CPU
//! groups (one group holding every online CPU: no NUMA library is consulted),
//! debugger detection, the build OS, and the ref-counted system environment
//! (virtualisation vendor and product name from the DMI files in sysfs).
use super::ref_count::RefCount;

use libc::c_long;

use super::abi::*;
use super::allocator::{drop_in, new_in};
use crate::fatal_precondition;

fn sysconf_or(name: libc::c_int, fallback: usize) -> usize {
    // SAFETY: sysconf has no preconditions.
    let value: c_long = unsafe { libc::sysconf(name) };
    usize::try_from(value).unwrap_or(fallback)
}

/// Online processors (`sysconf(_SC_NPROCESSORS_ONLN)`).
#[no_mangle]
pub extern "C" fn aws_system_info_processor_count() -> usize {
    sysconf_or(libc::_SC_NPROCESSORS_ONLN, 1)
}

/// The page size in bytes (`sysconf(_SC_PAGESIZE)`).
#[no_mangle]
pub extern "C" fn aws_system_info_page_size() -> usize {
    sysconf_or(libc::_SC_PAGESIZE, 4096)
}

/// Always 1: without libnuma upstream reports one group too.
#[no_mangle]
pub extern "C" fn aws_get_cpu_group_count() -> u16 {
    1
}

/// Every online processor, whatever the group (upstream without libnuma).
#[no_mangle]
pub extern "C" fn aws_get_cpu_count_for_group(group_idx: u16) -> usize {
    let _ = group_idx;
    aws_system_info_processor_count()
}

/// Fills `cpu_ids_array` with CPU ids 0, 1, ... and, like upstream without
/// libnuma, marks the second half as suspected hyper-threads.
#[no_mangle]
pub unsafe extern "C" fn aws_get_cpu_ids_for_group(
    group_idx: u16,
    cpu_ids_array: *mut aws_cpu_info,
    cpu_ids_array_length: usize,
) {
    let _ = group_idx;
    if cpu_ids_array_length == 0 {
        return;
    }
    fatal_precondition!(!cpu_ids_array.is_null(), "aws_get_cpu_ids_for_group");
    // SAFETY: the caller's array holds cpu_ids_array_length entries.
    let cpus = unsafe { std::slice::from_raw_parts_mut(cpu_ids_array, cpu_ids_array_length) };
    // Upstream: ids above `length / 2 - 1` (a size_t that wraps for one CPU, so none).
    let first_hyper_thread = cpu_ids_array_length / 2;
    for (i, cpu) in cpus.iter_mut().enumerate() {
        *cpu = aws_cpu_info {
            cpu_id: i32::try_from(i).unwrap_or(-1),
            suspected_hyper_thread: first_hyper_thread != 0 && i >= first_hyper_thread,
        };
    }
}

/// The value of `TracerPid:` in a `/proc/<pid>/status` text is not 0.
fn traced(status: &str) -> bool {
    status
        .lines()
        .find_map(|l| l.strip_prefix("TracerPid:"))
        .and_then(|pid| pid.trim().parse::<u64>().ok())
        .is_some_and(|pid| pid != 0)
}

#[no_mangle]
pub extern "C" fn aws_is_debugger_present() -> bool {
    std::fs::read_to_string("/proc/self/status").is_ok_and(|s| traced(&s))
}

/// Stops in the attached debugger, if any (SIGTRAP); otherwise does nothing.
#[no_mangle]
pub extern "C" fn aws_debug_break() {
    if aws_is_debugger_present() {
        // SAFETY: raising SIGTRAP with a debugger attached stops in it.
        unsafe { libc::raise(libc::SIGTRAP) };
    }
}

#[no_mangle]
pub extern "C" fn aws_get_platform_build_os() -> enum_aws_platform_os {
    aws_platform_os::AWS_PLATFORM_OS_UNIX as enum_aws_platform_os
}

static UNIX: &[u8] = b"Unix";

#[no_mangle]
pub extern "C" fn aws_get_platform_build_os_string() -> aws_byte_cursor {
    aws_byte_cursor {
        len: UNIX.len(),
        ptr: UNIX.as_ptr() as *mut u8,
    }
}

// ---- the system environment ----------------------------------------------------

/// DMI strings are short; longer ones are cut here.
const DMI_MAX: usize = 128;

/// A DMI file's text without surrounding white space, kept inline so the
/// environment is one allocation from the caller's allocator.
struct DmiText {
    bytes: [u8; DMI_MAX],
    len: usize,
}

impl DmiText {
    /// Empty when the file cannot be read (not a sysfs system, no permission).
    fn read(path: &str) -> Self {
        let mut text = DmiText {
            bytes: [0; DMI_MAX],
            len: 0,
        };
        if let Ok(content) = std::fs::read(path) {
            let trimmed = content.trim_ascii();
            text.len = trimmed.len().min(DMI_MAX);
            text.bytes[..text.len].copy_from_slice(&trimmed[..text.len]);
        }
        text
    }

    fn cursor(&self) -> aws_byte_cursor {
        aws_byte_cursor {
            len: self.len,
            ptr: self.bytes.as_ptr() as *mut u8,
        }
    }
}

struct Environment {
    allocator: *mut aws_allocator,
    refs: RefCount,
    vendor: DmiText,
    product_name: DmiText,
    cpu_count: usize,
    cpu_group_count: usize,
}

/// # Safety
/// `env` must come from `aws_system_environment_load` and hold a reference.
unsafe fn environment<'a>(env: *const aws_system_environment) -> &'a Environment {
    fatal_precondition!(!env.is_null(), "aws_system_environment");
    // SAFETY: guaranteed by the caller.
    unsafe { &*(env as *const Environment) }
}

/// Reads what is known about the machine; the caller holds one reference.
#[no_mangle]
pub unsafe extern "C" fn aws_system_environment_load(
    allocator: *mut aws_allocator,
) -> *mut aws_system_environment {
    fatal_precondition!(!allocator.is_null(), "aws_system_environment_load");
    let env = Environment {
        allocator,
        refs: RefCount::new(1),
        vendor: DmiText::read("/sys/devices/virtual/dmi/id/sys_vendor"),
        product_name: DmiText::read("/sys/devices/virtual/dmi/id/product_name"),
        cpu_count: aws_system_info_processor_count(),
        cpu_group_count: aws_get_cpu_group_count().into(),
    };
    // SAFETY: the caller's allocator; freed with it by the last release.
    unsafe { new_in(allocator, env) as *mut aws_system_environment }
}

#[no_mangle]
pub unsafe extern "C" fn aws_system_environment_acquire(
    env: *mut aws_system_environment,
) -> *mut aws_system_environment {
    // SAFETY: the caller holds a reference.
    unsafe { environment(env) }
        .refs
        .acquire("aws_system_environment_acquire");
    env
}

/// Drops one reference; the last one frees the environment. NULL is ignored.
#[no_mangle]
pub unsafe extern "C" fn aws_system_environment_release(env: *mut aws_system_environment) {
    if env.is_null() {
        return;
    }
    // SAFETY: the caller holds a reference.
    let state = unsafe { environment(env) };
    if state.refs.release("aws_system_environment_release") {
        // SAFETY: that was the last reference; made by new_in with this allocator.
        unsafe { drop_in(state.allocator, env as *mut Environment) };
    }
}

/// The DMI system vendor (e.g. "Amazon EC2"), empty if unknown; valid while the environment is.
#[no_mangle]
pub unsafe extern "C" fn aws_system_environment_get_virtualization_vendor(
    env: *const aws_system_environment,
) -> aws_byte_cursor {
    // SAFETY: the caller holds a reference.
    unsafe { environment(env) }.vendor.cursor()
}

/// The DMI product name, empty if unknown; valid while the environment is.
#[no_mangle]
pub unsafe extern "C" fn aws_system_environment_get_virtualization_product_name(
    env: *const aws_system_environment,
) -> aws_byte_cursor {
    // SAFETY: the caller holds a reference.
    unsafe { environment(env) }.product_name.cursor()
}

#[no_mangle]
pub unsafe extern "C" fn aws_system_environment_get_processor_count(
    env: *mut aws_system_environment,
) -> usize {
    // SAFETY: the caller holds a reference.
    unsafe { environment(env) }.cpu_count
}

#[no_mangle]
pub unsafe extern "C" fn aws_system_environment_get_cpu_group_count(
    env: *const aws_system_environment,
) -> usize {
    // SAFETY: the caller holds a reference.
    unsafe { environment(env) }.cpu_group_count
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn tracer_pid_parsing() {
        assert!(!traced("Name:\tx\nTracerPid:\t0\nUid:\t0\n"));
        assert!(traced("TracerPid:\t4242\n"));
        assert!(!traced("Name:\tx\n"));
    }

    #[test]
    fn cpu_ids_mark_the_second_half() {
        let mut cpus: Vec<aws_cpu_info> = (0..4)
            .map(|_| aws_cpu_info {
                cpu_id: 9,
                suspected_hyper_thread: true,
            })
            .collect();
        // SAFETY: 4 entries.
        unsafe { aws_get_cpu_ids_for_group(0, cpus.as_mut_ptr(), 4) };
        let got: Vec<(i32, bool)> = cpus
            .iter()
            .map(|c| (c.cpu_id, c.suspected_hyper_thread))
            .collect();
        assert_eq!(got, vec![(0, false), (1, false), (2, true), (3, true)]);
        let mut one = [aws_cpu_info {
            cpu_id: 9,
            suspected_hyper_thread: true,
        }];
        // SAFETY: 1 entry.
        unsafe { aws_get_cpu_ids_for_group(0, one.as_mut_ptr(), 1) };
        assert_eq!((one[0].cpu_id, one[0].suspected_hyper_thread), (0, false));
    }
}
