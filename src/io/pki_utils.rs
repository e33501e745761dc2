//! Where this system keeps its trusted CA certificates, looked up as
//! upstream's Linux build does: the first existing directory / bundle of the
//! usual distribution locations, or NULL.
use std::ffi::CStr;

use libc::c_char;

/// Debian (and OpenBSD), RHEL, Android, FreeBSD, NetBSD.
const PKI_DIRS: &[&CStr] = &[
    c"/etc/ssl/certs",
    c"/etc/pki/tls/certs",
    c"/system/etc/security/cacerts",
    c"/usr/local/share/certs",
    c"/etc/openssl/certs",
];

/// Debian, old RHEL, openSUSE, OpenELEC, modern RHEL, OpenBSD.
const CA_FILES: &[&CStr] = &[
    c"/etc/ssl/certs/ca-certificates.crt",
    c"/etc/pki/tls/certs/ca-bundle.crt",
    c"/etc/ssl/ca-bundle.pem",
    c"/etc/pki/tls/cacert.pem",
    c"/etc/pki/ca-trust/extracted/pem/tls-ca-bundle.pem",
    c"/etc/ssl/cert.pem",
];

fn first_existing(paths: &[&'static CStr]) -> Option<&'static CStr> {
    paths
        .iter()
        .copied()
        .find(|p| p.to_str().is_ok_and(|s| std::path::Path::new(s).exists()))
}

fn as_c(p: Option<&'static CStr>) -> *const c_char {
    p.map_or(std::ptr::null(), CStr::as_ptr)
}

#[no_mangle]
pub extern "C" fn aws_determine_default_pki_dir() -> *const c_char {
    as_c(first_existing(PKI_DIRS))
}

#[no_mangle]
pub extern "C" fn aws_determine_default_pki_ca_file() -> *const c_char {
    as_c(first_existing(CA_FILES))
}
