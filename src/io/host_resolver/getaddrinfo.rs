//! `aws_default_dns_resolve`: a blocking `getaddrinfo` that appends one
//! `aws_host_address` per returned address (A or AAAA) to a caller's list.
use std::ffi::CStr;
use std::net::{Ipv4Addr, Ipv6Addr};

use libc::{c_int, c_void};

use crate::common::abi::*;
use crate::common::array_list::push_item;
use crate::common::error::raise;
use crate::common::error_codes::*;
use crate::common::string::{new_string, string_bytes};
use crate::fatal_precondition;
use crate::io::abi::*;

use super::aws_host_address_clean_up;

/// The upstream error for a getaddrinfo failure.
fn gai_error(code: c_int) -> c_int {
    match code {
        libc::EAI_FAIL | libc::EAI_AGAIN => AWS_IO_DNS_QUERY_FAILED,
        libc::EAI_MEMORY => AWS_ERROR_OOM,
        libc::EAI_NONAME | libc::EAI_SERVICE => AWS_IO_DNS_INVALID_NAME,
        _ => AWS_ERROR_SYS_CALL_FAILURE,
    }
}

/// Owns a getaddrinfo result list.
struct AddrInfo(*mut libc::addrinfo);

impl Drop for AddrInfo {
    fn drop(&mut self) {
        if !self.0.is_null() {
            // SAFETY: the list came from getaddrinfo and is freed once.
            unsafe { libc::freeaddrinfo(self.0) };
        }
    }
}

/// Text form and record type of one getaddrinfo entry (None for other families).
unsafe fn entry_text(ai: &libc::addrinfo) -> Option<(String, c_int)> {
    // SAFETY: ai_addr points to a sockaddr of ai_family.
    unsafe {
        match ai.ai_family {
            libc::AF_INET => {
                let sin = &*(ai.ai_addr as *const libc::sockaddr_in);
                let ip = Ipv4Addr::from(u32::from_be(sin.sin_addr.s_addr));
                Some((
                    ip.to_string(),
                    aws_address_record_type::AWS_ADDRESS_RECORD_TYPE_A as c_int,
                ))
            }
            libc::AF_INET6 => {
                let sin6 = &*(ai.ai_addr as *const libc::sockaddr_in6);
                let ip = Ipv6Addr::from(sin6.sin6_addr.s6_addr);
                Some((
                    ip.to_string(),
                    aws_address_record_type::AWS_ADDRESS_RECORD_TYPE_AAAA as c_int,
                ))
            }
            _ => None,
        }
    }
}

/// Resolves `host_name` with getaddrinfo (blocking: call it from a resolver
/// thread). Raises AWS_IO_DNS_INVALID_NAME for an unknown name,
/// AWS_IO_DNS_QUERY_FAILED for a failed or retryable query.
#[no_mangle]
pub unsafe extern "C" fn aws_default_dns_resolve(
    allocator: *mut aws_allocator,
    host_name: *const aws_string,
    output_addresses: *mut aws_array_list,
    user_data: *mut c_void,
) -> c_int {
    let _ = user_data;
    fatal_precondition!(
        !allocator.is_null() && !host_name.is_null() && !output_addresses.is_null(),
        "aws_default_dns_resolve"
    );
    // SAFETY: a valid aws_string is NUL-terminated after its `len` bytes.
    let name = unsafe { CStr::from_ptr(string_bytes(host_name).as_ptr() as *const libc::c_char) };
    crate::aws_log!(
        aws_log_level::AWS_LL_DEBUG,
        aws_io_log_subject::AWS_LS_IO_DNS,
        "static: resolving host {}",
        name.to_string_lossy()
    );
    // SAFETY: zeroed hints are valid; we set the fields getaddrinfo reads.
    let mut hints: libc::addrinfo = unsafe { std::mem::zeroed() };
    hints.ai_family = libc::AF_UNSPEC;
    hints.ai_socktype = libc::SOCK_STREAM;
    hints.ai_flags = libc::AI_ALL | libc::AI_V4MAPPED;
    let mut result = AddrInfo(std::ptr::null_mut());
    // SAFETY: name and hints are valid; result receives a list we free.
    let rc = unsafe { libc::getaddrinfo(name.as_ptr(), std::ptr::null(), &hints, &mut result.0) };
    if rc != 0 {
        crate::aws_log!(
            aws_log_level::AWS_LL_ERROR,
            aws_io_log_subject::AWS_LS_IO_DNS,
            "static: getaddrinfo failed with error_code {rc}"
        );
        return raise(gai_error(rc));
    }
    let mut ai = result.0;
    while !ai.is_null() {
        // SAFETY: `ai` walks the list getaddrinfo returned.
        let entry = unsafe { &*ai };
        ai = entry.ai_next;
        // SAFETY: as above.
        let Some((text, record_type)) = (unsafe { entry_text(entry) }) else {
            continue;
        };
        // SAFETY: allocator and host_name are valid per the caller.
        let mut address = unsafe {
            aws_host_address {
                allocator,
                host: new_string(allocator, string_bytes(host_name)),
                address: new_string(allocator, text.as_bytes()),
                record_type,
                expiry: 0,
                use_count: 0,
                connection_failure_count: 0,
                weight: 0,
            }
        };
        // SAFETY: the list holds aws_host_address items per the contract.
        if address.host.is_null()
            || address.address.is_null()
            || unsafe { push_item(output_addresses, &address) } != AWS_OP_SUCCESS
        {
            // SAFETY: the strings are ours.
            unsafe { aws_host_address_clean_up(&mut address) };
            return AWS_OP_ERR;
        }
    }
    AWS_OP_SUCCESS
}
