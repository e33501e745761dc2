//! PEM text into rustls' DER types, through the one PEM parser
//! (`io::pem`; options clean their text with `io::pem::sanitize` first).
use rustls_pki_types::{
    CertificateDer, PrivateKeyDer, PrivatePkcs1KeyDer, PrivatePkcs8KeyDer, PrivateSec1KeyDer,
};

use crate::io::pem::{parse, PemObject};

/// The PEM blocks of `pem`: none for text without a block, an error for a
/// malformed one (bad base64, no end line).
fn blocks(pem: &[u8]) -> Result<Vec<PemObject<'_>>, String> {
    if !pem.windows(11).any(|w| w == b"-----BEGIN ") {
        return Ok(Vec::new());
    }
    parse(pem).ok_or_else(|| "malformed PEM".to_string())
}

/// Every `CERTIFICATE` block, in order; other blocks are skipped.
pub fn certificates(pem: &[u8]) -> Result<Vec<CertificateDer<'static>>, String> {
    Ok(blocks(pem)?
        .into_iter()
        .filter(|b| b.label == b"CERTIFICATE")
        .map(|b| CertificateDer::from(b.der))
        .collect())
}

/// The first private key block: `PRIVATE KEY` (PKCS#8), `RSA PRIVATE KEY`
/// (PKCS#1) or `EC PRIVATE KEY` (SEC1). Encrypted keys are not keys here.
pub fn private_key(pem: &[u8]) -> Result<PrivateKeyDer<'static>, String> {
    for b in blocks(pem)? {
        match b.label {
            b"PRIVATE KEY" => return Ok(PrivatePkcs8KeyDer::from(b.der).into()),
            b"RSA PRIVATE KEY" => return Ok(PrivatePkcs1KeyDer::from(b.der).into()),
            b"EC PRIVATE KEY" => return Ok(PrivateSec1KeyDer::from(b.der).into()),
            _ => {}
        }
    }
    Err("no private key block".to_string())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn certificates_and_keys_are_found_by_label() {
        let pem = b"-----BEGIN CERTIFICATE-----\nQUJD\n-----END CERTIFICATE-----\n\
-----BEGIN EC PRIVATE KEY-----\nREVG\n-----END EC PRIVATE KEY-----\n";
        let certs = certificates(pem).unwrap();
        assert_eq!(certs.len(), 1);
        assert_eq!(certs[0].as_ref(), b"ABC");
        match private_key(pem).unwrap() {
            PrivateKeyDer::Sec1(k) => assert_eq!(k.secret_sec1_der(), b"DEF"),
            other => panic!("expected a SEC1 key, got {other:?}"),
        }
        assert!(
            private_key(b"-----BEGIN CERTIFICATE-----\nQUJD\n-----END CERTIFICATE-----\n").is_err()
        );
        assert!(
            certificates(b"-----BEGIN CERTIFICATE-----\n!!!!\n-----END CERTIFICATE-----\n")
                .is_err()
        );
        assert!(certificates(b"no pem here").unwrap().is_empty());
    }
}
