//! Endpoints: `aws_socket_endpoint` <-> `sockaddr`, port validation, address
//! parsing, and the errno -> aws error table every socket call shares.
use std::mem::{size_of, zeroed};

use libc::{c_char, c_int, sockaddr_storage, socklen_t};

use crate::common::abi::{AWS_OP_ERR, AWS_OP_SUCCESS};
use crate::common::error::raise;
use crate::common::error_codes::*;
use crate::io::abi::*;

const IPV4: c_int = aws_socket_domain::AWS_SOCKET_IPV4 as c_int;
const IPV6: c_int = aws_socket_domain::AWS_SOCKET_IPV6 as c_int;
const LOCAL: c_int = aws_socket_domain::AWS_SOCKET_LOCAL as c_int;
const VSOCK: c_int = aws_socket_domain::AWS_SOCKET_VSOCK as c_int;

/// glibc's inet_pton/inet_ntop (the libc crate does not bind them); kept out
/// of the generated header.
/// cbindgen:ignore
mod sys {
    use libc::{c_char, c_int, c_void, socklen_t};
    extern "C" {
        pub fn inet_pton(af: c_int, src: *const c_char, dst: *mut c_void) -> c_int;
        pub fn inet_ntop(
            af: c_int,
            src: *const c_void,
            dst: *mut c_char,
            size: socklen_t,
        ) -> *const c_char;
    }
}
use sys::{inet_ntop, inet_pton};

/// Upstream's mapping of an errno to an aws-c-io error code.
pub fn socket_error_from_errno(errno: c_int) -> c_int {
    match errno {
        libc::ECONNREFUSED => AWS_IO_SOCKET_CONNECTION_REFUSED,
        libc::ECONNRESET => AWS_IO_SOCKET_CLOSED,
        libc::ETIMEDOUT => AWS_IO_SOCKET_TIMEOUT,
        libc::EHOSTUNREACH | libc::ENETUNREACH => AWS_IO_SOCKET_NO_ROUTE_TO_HOST,
        libc::EADDRNOTAVAIL => AWS_IO_SOCKET_INVALID_ADDRESS,
        libc::ENETDOWN => AWS_IO_SOCKET_NETWORK_DOWN,
        libc::ECONNABORTED => AWS_IO_SOCKET_CONNECT_ABORTED,
        libc::EADDRINUSE => AWS_IO_SOCKET_ADDRESS_IN_USE,
        libc::ENOBUFS | libc::ENOMEM => AWS_ERROR_OOM,
        libc::EAGAIN => AWS_IO_READ_WOULD_BLOCK,
        libc::EMFILE | libc::ENFILE => AWS_ERROR_MAX_FDS_EXCEEDED,
        libc::ENOENT | libc::EINVAL => AWS_ERROR_FILE_INVALID_PATH,
        libc::EAFNOSUPPORT => AWS_IO_SOCKET_UNSUPPORTED_ADDRESS_FAMILY,
        libc::EACCES => AWS_ERROR_NO_PERMISSION,
        _ => AWS_IO_SOCKET_NOT_CONNECTED,
    }
}

pub fn errno() -> c_int {
    std::io::Error::last_os_error().raw_os_error().unwrap_or(0)
}

fn validate_port_for_domain(port: u32, domain: c_int) -> c_int {
    match domain {
        IPV4 | IPV6 if port > u16::MAX as u32 => raise(AWS_IO_SOCKET_INVALID_ADDRESS),
        IPV4 | IPV6 | LOCAL | VSOCK => AWS_OP_SUCCESS,
        _ => raise(AWS_IO_SOCKET_INVALID_ADDRESS),
    }
}

pub fn validate_port_for_connect(port: u32, domain: c_int) -> c_int {
    if validate_port_for_domain(port, domain) != AWS_OP_SUCCESS {
        return AWS_OP_ERR;
    }
    match domain {
        IPV4 | IPV6 if port == 0 => raise(AWS_IO_SOCKET_INVALID_ADDRESS),
        VSOCK if port == u32::MAX => raise(AWS_IO_SOCKET_INVALID_ADDRESS),
        _ => AWS_OP_SUCCESS,
    }
}

pub fn validate_port_for_bind(port: u32, domain: c_int) -> c_int {
    validate_port_for_domain(port, domain)
}

/// The NUL-terminated text of an endpoint's address, or None (with
/// AWS_ERROR_C_STRING_BUFFER_NOT_NULL_TERMINATED raised) if it has no NUL.
pub fn address_bytes(endpoint: &aws_socket_endpoint) -> Option<&[u8]> {
    // SAFETY: c_char and u8 have the same size; the array is fully initialised.
    let raw: &[u8] = unsafe {
        std::slice::from_raw_parts(
            endpoint.address.as_ptr() as *const u8,
            endpoint.address.len(),
        )
    };
    match raw.iter().position(|&b| b == 0) {
        Some(n) => Some(&raw[..n]),
        None => {
            raise(AWS_ERROR_C_STRING_BUFFER_NOT_NULL_TERMINATED);
            None
        }
    }
}

/// A `sockaddr` ready for bind()/connect().
pub struct SockAddr {
    pub storage: sockaddr_storage,
    pub len: socklen_t,
}

/// inet_pton into `dst`: Err(AWS_IO_SOCKET_INVALID_ADDRESS) on bad text.
fn pton(family: c_int, text: &[u8], dst: *mut libc::c_void) -> Result<(), c_int> {
    let mut buf = [0u8; 128];
    if text.len() >= buf.len() {
        return Err(AWS_IO_SOCKET_INVALID_ADDRESS);
    }
    buf[..text.len()].copy_from_slice(text);
    // SAFETY: buf is NUL-terminated; dst has room for the family's address.
    match unsafe { inet_pton(family, buf.as_ptr() as *const c_char, dst) } {
        1 => Ok(()),
        0 => Err(AWS_IO_SOCKET_INVALID_ADDRESS),
        _ => Err(socket_error_from_errno(errno())),
    }
}

/// Builds the sockaddr for `endpoint` in `domain`; Err carries the aws error.
pub fn to_sockaddr(endpoint: &aws_socket_endpoint, domain: c_int) -> Result<SockAddr, c_int> {
    let text = address_bytes(endpoint).ok_or(AWS_ERROR_C_STRING_BUFFER_NOT_NULL_TERMINATED)?;
    // SAFETY: all-zero is a valid sockaddr_storage.
    let mut storage: sockaddr_storage = unsafe { zeroed() };
    let len = match domain {
        IPV4 => {
            let sin = &mut storage as *mut _ as *mut libc::sockaddr_in;
            // SAFETY: sockaddr_storage is large and aligned enough for sockaddr_in.
            unsafe {
                pton(
                    libc::AF_INET,
                    text,
                    &mut (*sin).sin_addr as *mut _ as *mut _,
                )?;
                (*sin).sin_family = libc::AF_INET as libc::sa_family_t;
                (*sin).sin_port = (endpoint.port as u16).to_be();
            }
            size_of::<libc::sockaddr_in>()
        }
        IPV6 => {
            let sin6 = &mut storage as *mut _ as *mut libc::sockaddr_in6;
            // SAFETY: sockaddr_storage is large and aligned enough for sockaddr_in6.
            unsafe {
                pton(
                    libc::AF_INET6,
                    text,
                    &mut (*sin6).sin6_addr as *mut _ as *mut _,
                )?;
                (*sin6).sin6_family = libc::AF_INET6 as libc::sa_family_t;
                (*sin6).sin6_port = (endpoint.port as u16).to_be();
            }
            size_of::<libc::sockaddr_in6>()
        }
        LOCAL => {
            let sun = &mut storage as *mut _ as *mut libc::sockaddr_un;
            // SAFETY: sockaddr_storage is large and aligned enough for sockaddr_un;
            // `text` is shorter than AWS_ADDRESS_MAX_LEN == sizeof(sun_path).
            unsafe {
                (*sun).sun_family = libc::AF_UNIX as libc::sa_family_t;
                let path = &mut (*sun).sun_path;
                for (d, s) in path.iter_mut().zip(text.iter()) {
                    *d = *s as c_char;
                }
            }
            size_of::<libc::sockaddr_un>()
        }
        _ => return Err(AWS_IO_SOCKET_UNSUPPORTED_ADDRESS_FAMILY),
    };
    Ok(SockAddr {
        storage,
        len: len as socklen_t,
    })
}

fn write_text(dst: &mut [c_char; 108], text: &[u8]) {
    let n = text.len().min(dst.len() - 1);
    for (d, s) in dst.iter_mut().zip(text[..n].iter()) {
        *d = *s as c_char;
    }
    dst[n] = 0;
}

fn ntop(family: c_int, src: *const libc::c_void, out: &mut aws_socket_endpoint) -> bool {
    // SAFETY: `src` points at an in_addr/in6_addr; out.address has 108 bytes.
    let p = unsafe {
        inet_ntop(
            family,
            src,
            out.address.as_mut_ptr(),
            out.address.len() as socklen_t,
        )
    };
    !p.is_null()
}

/// Fills `out` (address and port) from a kernel-provided sockaddr. Returns the
/// aws domain of the address, or Err with the aws error.
pub fn from_sockaddr(
    storage: &sockaddr_storage,
    out: &mut aws_socket_endpoint,
) -> Result<c_int, c_int> {
    match storage.ss_family as c_int {
        libc::AF_INET => {
            // SAFETY: the family says it is a sockaddr_in.
            let sin = unsafe { &*(storage as *const _ as *const libc::sockaddr_in) };
            out.port = u16::from_be(sin.sin_port) as u32;
            if !ntop(libc::AF_INET, &sin.sin_addr as *const _ as *const _, out) {
                return Err(socket_error_from_errno(errno()));
            }
            Ok(IPV4)
        }
        libc::AF_INET6 => {
            // SAFETY: the family says it is a sockaddr_in6.
            let sin6 = unsafe { &*(storage as *const _ as *const libc::sockaddr_in6) };
            out.port = u16::from_be(sin6.sin6_port) as u32;
            if !ntop(libc::AF_INET6, &sin6.sin6_addr as *const _ as *const _, out) {
                return Err(socket_error_from_errno(errno()));
            }
            Ok(IPV6)
        }
        libc::AF_UNIX => {
            // SAFETY: the family says it is a sockaddr_un.
            let sun = unsafe { &*(storage as *const _ as *const libc::sockaddr_un) };
            let path: Vec<u8> = sun.sun_path.iter().map(|&c| c as u8).collect();
            let n = path
                .iter()
                .position(|&b| b == 0)
                .ok_or(AWS_IO_SOCKET_INVALID_ADDRESS)?;
            write_text(&mut out.address, &path[..n]);
            out.port = 0;
            Ok(LOCAL)
        }
        _ => Err(AWS_IO_SOCKET_UNSUPPORTED_ADDRESS_FAMILY),
    }
}

/// getsockname() of `fd` as an endpoint.
pub fn local_endpoint_of(fd: c_int) -> Result<aws_socket_endpoint, c_int> {
    // SAFETY: all-zero is valid for both.
    let mut storage: sockaddr_storage = unsafe { zeroed() };
    let mut len = size_of::<sockaddr_storage>() as socklen_t;
    // SAFETY: storage/len describe a writable buffer.
    if unsafe { libc::getsockname(fd, &mut storage as *mut _ as *mut libc::sockaddr, &mut len) }
        != 0
    {
        return Err(socket_error_from_errno(errno()));
    }
    // SAFETY: all-zero is a valid endpoint.
    let mut out: aws_socket_endpoint = unsafe { zeroed() };
    from_sockaddr(&storage, &mut out)?;
    Ok(out)
}

/// "testsock<uuid>.sock", with a random version-4 UUID.
pub fn local_test_address(out: &mut aws_socket_endpoint) {
    let mut bytes = [0u8; 16];
    let mut buf = crate::common::abi::aws_byte_buf {
        len: 0,
        buffer: bytes.as_mut_ptr(),
        capacity: bytes.len(),
        allocator: std::ptr::null_mut(),
    };
    // SAFETY: `buf` describes `bytes`.
    if unsafe { crate::common::device_random::aws_device_random_buffer(&mut buf) } != 0 {
        crate::ffi::fatal("aws_socket_endpoint_init_local_address_for_test: no randomness");
    }
    bytes[6] = (bytes[6] & 0x0f) | 0x40;
    bytes[8] = (bytes[8] & 0x3f) | 0x80;
    let mut text = String::from("testsock");
    for (i, b) in bytes.iter().enumerate() {
        if matches!(i, 4 | 6 | 8 | 10) {
            text.push('-');
        }
        text.push_str(&format!("{b:02x}"));
    }
    text.push_str(".sock");
    write_text(&mut out.address, text.as_bytes());
}

/// inet_pton for the two public parse helpers.
pub fn parse_address(family: c_int, text: &[u8], dst: *mut libc::c_void) -> c_int {
    match pton(family, text, dst) {
        Ok(()) => AWS_OP_SUCCESS,
        Err(e) => raise(e),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn endpoint(addr: &str, port: u32) -> aws_socket_endpoint {
        // SAFETY: all-zero is a valid endpoint.
        let mut e: aws_socket_endpoint = unsafe { zeroed() };
        write_text(&mut e.address, addr.as_bytes());
        e.port = port;
        e
    }

    #[test]
    fn round_trips_v4_and_v6() {
        for (addr, domain) in [("127.0.0.1", IPV4), ("::1", IPV6)] {
            let sa = to_sockaddr(&endpoint(addr, 8127), domain).unwrap();
            let mut back = endpoint("", 0);
            assert_eq!(from_sockaddr(&sa.storage, &mut back), Ok(domain));
            assert_eq!(address_bytes(&back).unwrap(), addr.as_bytes());
            assert_eq!(back.port, 8127);
        }
    }

    #[test]
    fn bad_text_is_invalid_address() {
        assert_eq!(
            to_sockaddr(&endpoint("127.0.0.300", 1), IPV4).err(),
            Some(AWS_IO_SOCKET_INVALID_ADDRESS)
        );
        assert_eq!(
            socket_error_from_errno(libc::EADDRINUSE),
            AWS_IO_SOCKET_ADDRESS_IN_USE
        );
        assert_eq!(
            socket_error_from_errno(libc::EPERM),
            AWS_IO_SOCKET_NOT_CONNECTED
        );
    }

    #[test]
    fn ports() {
        assert_eq!(validate_port_for_connect(0, IPV4), AWS_OP_ERR);
        assert_eq!(validate_port_for_connect(65536, IPV6), AWS_OP_ERR);
        assert_eq!(validate_port_for_connect(0, LOCAL), AWS_OP_SUCCESS);
        assert_eq!(validate_port_for_bind(0, IPV4), AWS_OP_SUCCESS);
        assert_eq!(validate_port_for_connect(u32::MAX, VSOCK), AWS_OP_ERR);
        assert_eq!(validate_port_for_bind(1, 9), AWS_OP_ERR);
    }
}
