//! PEM text: the clean-up upstream applies when options take a certificate,
//! key or CA file (keep only the `-----BEGIN ...-----END ...-----` blocks),
//! and parsing the cleaned text into rustls' DER types.
use rustls_pki_types::pem::PemObject;
use rustls_pki_types::{CertificateDer, PrivateKeyDer};

const BEGIN: &[u8] = b"-----BEGIN";
const END: &[u8] = b"-----END";
const DASHES: &[u8] = b"-----";

/// Keeps only the PEM blocks of `text`, each ending in one newline; bytes
/// outside blocks (comments, `openssl x509 -text` dumps, CRLF noise between
/// blocks) are dropped. `None` when `text` is empty, holds no block, or ends
/// inside one — upstream raises AWS_ERROR_INVALID_ARGUMENT for those.
pub fn sanitize(text: &[u8]) -> Option<Vec<u8>> {
    let mut out = Vec::with_capacity(text.len());
    let mut rest = text;
    while !rest.is_empty() {
        let Some(start) = find(rest, BEGIN) else {
            break;
        };
        rest = &rest[start..];
        // The block runs to the first "-----END", then through its label to
        // the next "-----".
        let end = find(&rest[BEGIN.len()..], END)? + BEGIN.len();
        let label_start = end + END.len();
        let close = find(&rest[label_start..], DASHES)? + label_start + DASHES.len();
        out.extend_from_slice(&rest[..close]);
        out.push(b'\n');
        rest = &rest[close..];
    }
    (!out.is_empty()).then_some(out)
}

fn find(haystack: &[u8], needle: &[u8]) -> Option<usize> {
    haystack.windows(needle.len()).position(|w| w == needle)
}

/// Every `CERTIFICATE` block, in order; other blocks are skipped. An error for
/// bad base64 or a block without its end line.
pub fn certificates(pem: &[u8]) -> Result<Vec<CertificateDer<'static>>, String> {
    CertificateDer::pem_slice_iter(pem)
        .collect::<Result<Vec<_>, _>>()
        .map_err(|e| e.to_string())
}

/// The first private key block: `PRIVATE KEY` (PKCS#8), `RSA PRIVATE KEY`
/// (PKCS#1) or `EC PRIVATE KEY` (SEC1). Encrypted keys are not keys here.
pub fn private_key(pem: &[u8]) -> Result<PrivateKeyDer<'static>, String> {
    PrivateKeyDer::from_pem_slice(pem).map_err(|e| e.to_string())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn sanitize_keeps_blocks_and_drops_the_rest() {
        let text = b"subject=CN foo\r\n-----BEGIN CERTIFICATE-----\nQUJD\n-----END CERTIFICATE-----\r\ntrailing\n\
-----BEGIN X-----\nREVG\n-----END X-----";
        let clean = sanitize(text).unwrap();
        assert_eq!(
            clean,
            b"-----BEGIN CERTIFICATE-----\nQUJD\n-----END CERTIFICATE-----\n-----BEGIN X-----\nREVG\n-----END X-----\n"
        );
    }

    #[test]
    fn sanitize_rejects_empty_blockless_and_unterminated_text() {
        assert_eq!(sanitize(b""), None);
        assert_eq!(sanitize(b"just some text\n"), None);
        assert_eq!(sanitize(b"-----BEGIN CERTIFICATE-----\nQUJD\n"), None);
        assert_eq!(
            sanitize(b"-----BEGIN CERTIFICATE-----\nQUJD\n-----END CERTIFICATE"),
            None
        );
    }

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
    }
}
