//! Textual IP address checks (`aws_host_utils_is_ipv4/6`), as upstream's: an
//! IPv4 literal is four dot-separated groups of 1-3 digits up to 255; an IPv6
//! literal is hex groups with at most one `::`, optionally followed by a zone
//! (`%eth0`, or `%25eth0` when the text is URI-encoded).
use super::abi::*;

fn is_ipv4(text: &[u8]) -> bool {
    if text.len() > 15 {
        return false;
    }
    let end = text
        .iter()
        .rposition(|c| !c.is_ascii_whitespace())
        .map_or(0, |i| i + 1);
    let groups: Vec<&[u8]> = text[..end].split(|&c| c == b'.').collect();
    groups.len() == 4
        && groups.iter().all(|g| {
            (1..=3).contains(&g.len())
                && g.iter().all(u8::is_ascii_digit)
                && std::str::from_utf8(g)
                    .ok()
                    .and_then(|s| s.parse::<u16>().ok())
                    .is_some_and(|v| v <= 255)
        })
}

fn is_ipv6(text: &[u8], uri_encoded: bool) -> bool {
    if text.is_empty() {
        return false;
    }
    let (addr, zone) = match text.iter().position(|&c| c == b'%') {
        Some(i) => (&text[..i], Some(&text[i + 1..])),
        None => (text, None),
    };
    let n = addr.len();
    if !(2..=39).contains(&n) || !addr.iter().all(|c| c.is_ascii_hexdigit() || *c == b':') {
        return false;
    }
    if (addr[0] == b':' && addr[1] != b':') || (addr[n - 1] == b':' && addr[n - 2] != b':') {
        return false;
    }
    let (mut groups, mut digits, mut double) = (1u32, 0u32, false);
    for i in 0..n {
        if addr[i] == b':' {
            groups += 1;
            digits = 0;
            if i > 0 && addr[i - 1] == b':' {
                if double {
                    return false;
                }
                double = true;
                groups -= 1;
            }
        } else {
            digits += 1;
        }
        if digits > 4 || groups > 8 {
            return false;
        }
    }
    if let Some(zone) = zone {
        // Only the text up to a second '%' is the zone, as upstream splits on '%'.
        let zone = zone.split(|&c| c == b'%').next().unwrap_or_default();
        let bad_len = if uri_encoded {
            zone.len() < 3 || !zone.starts_with(b"25")
        } else {
            zone.is_empty()
        };
        if bad_len || !zone.iter().all(u8::is_ascii_alphanumeric) {
            return false;
        }
    }
    if double {
        groups <= 8
    } else {
        groups == 8
    }
}

#[no_mangle]
pub unsafe extern "C" fn aws_host_utils_is_ipv4(host: aws_byte_cursor) -> bool {
    // SAFETY: host is a valid cursor (caller contract).
    is_ipv4(unsafe { crate::ffi::slice(host.ptr, host.len) })
}

#[no_mangle]
pub unsafe extern "C" fn aws_host_utils_is_ipv6(
    host: aws_byte_cursor,
    is_uri_encoded: bool,
) -> bool {
    // SAFETY: host is a valid cursor (caller contract).
    is_ipv6(
        unsafe { crate::ffi::slice(host.ptr, host.len) },
        is_uri_encoded,
    )
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn classifies() {
        assert!(is_ipv4(b"127.0.0.1"));
        assert!(!is_ipv4(b"256.0.0.1"));
        assert!(!is_ipv4(b"1.2.3"));
        assert!(is_ipv6(b"::1", false));
        assert!(is_ipv6(b"fe80::1%25en0", true));
        assert!(!is_ipv6(b"fe80::1%en0", true));
        assert!(!is_ipv6(b"1:2:3", false));
    }
}
