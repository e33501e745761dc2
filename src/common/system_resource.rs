//! Process resource figures (`aws/common/system_resource_util.h`) and CPU
//! feature detection (`aws/common/cpuid.h`).
use libc::c_int;

use super::abi::*;
use super::error::raise;
use super::error_codes::*;

/// Peak resident set size (KiB) and major page faults, from getrusage(RUSAGE_SELF).
#[no_mangle]
pub unsafe extern "C" fn aws_init_memory_usage_for_current_process(
    memory_usage: *mut aws_memory_usage_stats,
) -> c_int {
    if memory_usage.is_null() {
        return raise(AWS_ERROR_INVALID_ARGUMENT);
    }
    // SAFETY: usage is a valid out-parameter; memory_usage is writable (checked non-NULL).
    unsafe {
        let mut usage: libc::rusage = std::mem::zeroed();
        if libc::getrusage(libc::RUSAGE_SELF, &mut usage) != 0 {
            return raise(AWS_ERROR_SYS_CALL_FAILURE);
        }
        memory_usage.write(std::mem::zeroed());
        (*memory_usage).maxrss = usage.ru_maxrss as usize;
        (*memory_usage).page_faults = usage.ru_majflt as usize;
    }
    AWS_OP_SUCCESS
}

#[no_mangle]
pub extern "C" fn aws_cpu_has_feature(feature_name: enum_aws_cpu_feature_name) -> bool {
    #[cfg(target_arch = "x86_64")]
    {
        match feature_name {
            0 => std::arch::is_x86_feature_detected!("pclmulqdq"),
            1 => std::arch::is_x86_feature_detected!("sse4.1"),
            2 => std::arch::is_x86_feature_detected!("sse4.2"),
            3 => std::arch::is_x86_feature_detected!("avx2"),
            4 => std::arch::is_x86_feature_detected!("avx512f"),
            6 => std::arch::is_x86_feature_detected!("bmi2"),
            7 => std::arch::is_x86_feature_detected!("vpclmulqdq"),
            _ => false,
        }
    }
    #[cfg(target_arch = "aarch64")]
    {
        match feature_name {
            5 => std::arch::is_aarch64_feature_detected!("crc"),
            8 => std::arch::is_aarch64_feature_detected!("pmull"),
            9 => std::arch::is_aarch64_feature_detected!("aes"),
            _ => false,
        }
    }
    #[cfg(not(any(target_arch = "x86_64", target_arch = "aarch64")))]
    {
        let _ = feature_name;
        false
    }
}
