//! Trust stores: a PEM bundle, an OpenSSL-style hashed certificate directory,
//! or the system's default (found the way upstream's Linux build finds it).
use std::path::Path;

use rustls::RootCertStore;

use super::pem;

/// The system's default CA file and CA directory, found as upstream's Linux
/// build finds them (`io::pki_utils`).
pub fn default_locations() -> (Option<&'static str>, Option<&'static str>) {
    use crate::io::pki_utils::{aws_determine_default_pki_ca_file, aws_determine_default_pki_dir};
    let as_str = |p: *const libc::c_char| {
        // SAFETY: NULL or one of pki_utils' static NUL-terminated paths.
        (!p.is_null())
            .then(|| unsafe { std::ffi::CStr::from_ptr(p) }.to_str().ok())
            .flatten()
    };
    (
        as_str(aws_determine_default_pki_ca_file()),
        as_str(aws_determine_default_pki_dir()),
    )
}

/// Adds every certificate of a PEM bundle. A bundle without a certificate, or
/// with one that is not a usable X.509 trust anchor, is an error.
pub fn add_pem_bundle(store: &mut RootCertStore, bundle: &[u8]) -> Result<(), String> {
    let certs = pem::certificates(bundle)?;
    if certs.is_empty() {
        return Err("no certificate in the CA bundle".into());
    }
    for cert in certs {
        store
            .add(cert)
            .map_err(|e| format!("CA certificate rejected: {e}"))?;
    }
    Ok(())
}

/// Adds the certificates of a hashed directory: the files named
/// `<8 hex digits>.<n>` that OpenSSL's directory lookup would read (what
/// `openssl rehash` / `c_rehash` create). Files that hold no usable
/// certificate are skipped, as a lookup that never matches them would.
pub fn add_hashed_dir(store: &mut RootCertStore, dir: &Path) -> Result<(), String> {
    let entries =
        std::fs::read_dir(dir).map_err(|e| format!("cannot read {}: {e}", dir.display()))?;
    for entry in entries.flatten() {
        if !is_hashed_cert_name(&entry.file_name().to_string_lossy()) {
            continue;
        }
        let Ok(bytes) = std::fs::read(entry.path()) else {
            continue;
        };
        for cert in pem::certificates(&bytes).unwrap_or_default() {
            // A certificate webpki cannot use as an anchor is as good as absent.
            let _ = store.add(cert);
        }
    }
    Ok(())
}

fn is_hashed_cert_name(name: &str) -> bool {
    let Some((hash, n)) = name.split_once('.') else {
        return false;
    };
    hash.len() == 8
        && hash.bytes().all(|b| b.is_ascii_hexdigit())
        && !n.is_empty()
        && n.bytes().all(|b| b.is_ascii_digit())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn hashed_names() {
        assert!(is_hashed_cert_name("9d66eef0.0"));
        assert!(is_hashed_cert_name("9D66EEF0.12"));
        assert!(!is_hashed_cert_name("9d66eef0.r0"));
        assert!(!is_hashed_cert_name("ca.pem"));
        assert!(!is_hashed_cert_name("9d66eef.0"));
        assert!(!is_hashed_cert_name("9d66eef0."));
    }

    #[test]
    fn empty_bundle_is_an_error() {
        let mut store = RootCertStore::empty();
        assert!(add_pem_bundle(&mut store, b"-----BEGIN X-----\nQUJD\n-----END X-----\n").is_err());
        assert!(store.is_empty());
    }
}
