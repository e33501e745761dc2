//! The few facts about an X.509 certificate that webpki will not give for
//! every certificate upstream accepts: the public key of a version-1
//! certificate (webpki refuses v1, s2n imports it), and the subject's common
//! names with whether a subjectAltName names the host (s2n falls back to the
//! common name when it does not). A minimal DER walker; any malformed input
//! gives `None`.

/// One DER element: its tag, its contents, and the whole encoding.
struct Tlv<'a> {
    tag: u8,
    value: &'a [u8],
    whole: &'a [u8],
}

/// Reads the next element of `input`, advancing it.
fn next<'a>(input: &mut &'a [u8]) -> Option<Tlv<'a>> {
    let bytes = *input;
    let tag = *bytes.first()?;
    let first = *bytes.get(1)?;
    let (len, header) = if first < 0x80 {
        (usize::from(first), 2)
    } else {
        let n = usize::from(first & 0x7f);
        if n == 0 || n > 4 {
            return None;
        }
        let len = bytes
            .get(2..2 + n)?
            .iter()
            .fold(0usize, |acc, &b| (acc << 8) | usize::from(b));
        (len, 2 + n)
    };
    let end = header.checked_add(len)?;
    let value = bytes.get(header..end)?;
    *input = &bytes[end..];
    Some(Tlv {
        tag,
        value,
        whole: &bytes[..end],
    })
}

const SEQUENCE: u8 = 0x30;
const SET: u8 = 0x31;
const OID: u8 = 0x06;
const VERSION: u8 = 0xa0;
const EXTENSIONS: u8 = 0xa3;
/// 2.5.4.3 and 2.5.29.17.
const OID_COMMON_NAME: &[u8] = &[0x55, 0x04, 0x03];
const OID_SUBJECT_ALT_NAME: &[u8] = &[0x55, 0x1d, 0x11];
/// GeneralName's dNSName [2] and iPAddress [7].
const SAN_DNS: u8 = 0x82;
const SAN_IP: u8 = 0x87;

/// The parts of tbsCertificate this module reads.
struct Tbs<'a> {
    subject: &'a [u8],
    spki: &'a [u8],
    extensions: Option<&'a [u8]>,
}

fn tbs(cert: &[u8]) -> Option<Tbs<'_>> {
    let mut input = cert;
    let outer = next(&mut input)?;
    let mut outer_body = outer.value;
    let tbs = next(&mut outer_body)?;
    if outer.tag != SEQUENCE || tbs.tag != SEQUENCE {
        return None;
    }
    let mut body = tbs.value;
    // [0] version (absent in v1), then serial number.
    if next(&mut body)?.tag == VERSION {
        next(&mut body)?;
    }
    // Signature algorithm, issuer, validity.
    for _ in 0..3 {
        next(&mut body)?;
    }
    let subject = next(&mut body)?;
    let spki = next(&mut body)?;
    let mut extensions = None;
    while let Some(t) = next(&mut body) {
        if t.tag == EXTENSIONS {
            let mut inner = t.value;
            extensions = Some(next(&mut inner)?.value);
        }
    }
    Some(Tbs {
        subject: subject.value,
        spki: spki.whole,
        extensions,
    })
}

/// The certificate's SubjectPublicKeyInfo, tag and length included (the
/// encoding a signing key's `public_key()` gives), for any version.
pub fn spki(cert: &[u8]) -> Option<&[u8]> {
    tbs(cert).map(|t| t.spki)
}

/// The kind of key a certificate's SubjectPublicKeyInfo holds.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum SpkiKey {
    Rsa,
    EcP256,
    EcP384,
    EcP521,
    /// Any other algorithm or curve.
    Other,
}

/// 1.2.840.113549.1.1.1, 1.2.840.10045.2.1 and the three NIST curves.
const OID_RSA: &[u8] = &[0x2a, 0x86, 0x48, 0x86, 0xf7, 0x0d, 0x01, 0x01, 0x01];
const OID_EC_PUBLIC_KEY: &[u8] = &[0x2a, 0x86, 0x48, 0xce, 0x3d, 0x02, 0x01];
const OID_P256: &[u8] = &[0x2a, 0x86, 0x48, 0xce, 0x3d, 0x03, 0x01, 0x07];
const OID_P384: &[u8] = &[0x2b, 0x81, 0x04, 0x00, 0x22];
const OID_P521: &[u8] = &[0x2b, 0x81, 0x04, 0x00, 0x23];

/// The key algorithm (and curve) of the certificate's public key.
pub fn spki_key(cert: &[u8]) -> Option<SpkiKey> {
    let mut spki = tbs(cert)?.spki;
    let mut body = next(&mut spki)?.value;
    let algorithm = next(&mut body)?;
    if algorithm.tag != SEQUENCE {
        return None;
    }
    let mut parts = algorithm.value;
    let oid = next(&mut parts)?;
    if oid.tag != OID {
        return None;
    }
    Some(match oid.value {
        OID_RSA => SpkiKey::Rsa,
        OID_EC_PUBLIC_KEY => match next(&mut parts) {
            Some(curve) if curve.tag == OID && curve.value == OID_P256 => SpkiKey::EcP256,
            Some(curve) if curve.tag == OID && curve.value == OID_P384 => SpkiKey::EcP384,
            Some(curve) if curve.tag == OID && curve.value == OID_P521 => SpkiKey::EcP521,
            _ => SpkiKey::Other,
        },
        _ => SpkiKey::Other,
    })
}

/// True when the certificate has a subjectAltName with a DNS name or an IP
/// address: then only those name the host.
pub fn has_host_alt_names(cert: &[u8]) -> Option<bool> {
    let Some(mut exts) = tbs(cert)?.extensions else {
        return Some(false);
    };
    while let Some(ext) = next(&mut exts) {
        let mut body = ext.value;
        let id = next(&mut body)?;
        if id.tag != OID || id.value != OID_SUBJECT_ALT_NAME {
            continue;
        }
        // An optional `critical` BOOLEAN, then the OCTET STRING.
        let mut value = next(&mut body)?;
        if value.tag == 0x01 {
            value = next(&mut body)?;
        }
        let mut names_input = value.value;
        let mut names = next(&mut names_input)?.value;
        while let Some(name) = next(&mut names) {
            if name.tag == SAN_DNS || name.tag == SAN_IP {
                return Some(true);
            }
        }
    }
    Some(false)
}

/// The subject's common names (UTF8String, PrintableString, IA5String or
/// T61String values), in order.
pub fn common_names(cert: &[u8]) -> Option<Vec<&[u8]>> {
    let mut rdns = tbs(cert)?.subject;
    let mut names = Vec::new();
    while let Some(rdn) = next(&mut rdns) {
        if rdn.tag != SET {
            return None;
        }
        let mut attrs = rdn.value;
        while let Some(attr) = next(&mut attrs) {
            let mut body = attr.value;
            let id = next(&mut body)?;
            let value = next(&mut body)?;
            if id.tag == OID
                && id.value == OID_COMMON_NAME
                && matches!(value.tag, 0x0c | 0x13 | 0x14 | 0x16)
            {
                names.push(value.value);
            }
        }
    }
    Some(names)
}

/// Host name matching as s2n's default: case-insensitive, and a pattern
/// `*.rest` matches one leading label followed by `.rest`.
pub fn host_matches(pattern: &[u8], host: &[u8]) -> bool {
    if pattern.eq_ignore_ascii_case(host) {
        return true;
    }
    let Some(rest) = pattern.strip_prefix(b"*") else {
        return false;
    };
    let Some(dot) = host.iter().position(|&b| b == b'.') else {
        return false;
    };
    dot > 0 && rest.starts_with(b".") && host[dot..].eq_ignore_ascii_case(rest)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn wildcards_cover_one_label() {
        assert!(host_matches(b"LocalHost", b"localhost"));
        assert!(host_matches(b"*.example.com", b"a.Example.com"));
        assert!(!host_matches(b"*.example.com", b"a.b.example.com"));
        assert!(!host_matches(b"*.example.com", b"example.com"));
        assert!(!host_matches(b"local", b"localhost"));
    }

    fn der(pem: &[u8]) -> Vec<u8> {
        crate::io::tls::pem::certificates(pem).unwrap()[0].to_vec()
    }

    #[test]
    fn public_key_matches_what_the_signing_key_reports() {
        use crate::io::tls::test_certs::{Ca, KeyKind};
        let ca = Ca::new();
        for kind in [KeyKind::Rsa, KeyKind::P256, KeyKind::Ed25519] {
            let leaf = ca.issue(kind, &format!("{kind:?}"));
            let key = crate::io::tls::pem::private_key(&leaf.key_pkcs8).unwrap();
            let signing = rustls::crypto::aws_lc_rs::sign::any_supported_type(&key).unwrap();
            let cert = der(&leaf.cert);
            assert_eq!(
                signing.public_key().unwrap().as_ref(),
                spki(&cert).unwrap(),
                "{kind:?}"
            );
        }
    }

    #[test]
    fn names_of_a_leaf_and_of_a_ca() {
        use crate::io::tls::test_certs::{Ca, KeyKind};
        let ca = Ca::new();
        let leaf = der(&ca.issue(KeyKind::P256, "leaf").cert);
        assert_eq!(common_names(&leaf).unwrap(), vec![&b"localhost"[..]]);
        assert_eq!(has_host_alt_names(&leaf), Some(true));
        let root = der(&ca.cert);
        assert_eq!(
            common_names(&root).unwrap(),
            vec![&b"aws-es-rs test CA"[..]]
        );
        assert_eq!(has_host_alt_names(&root), Some(false));
    }

    #[test]
    fn garbage_is_none() {
        assert!(spki(b"").is_none());
        assert!(spki(&[0x30, 0x82, 0xff]).is_none());
        assert!(common_names(&[0x30, 0x00]).is_none());
    }
}
