//! The rustls side of custom key operations: a client certificate whose
//! private key only the C handler can use.
//!
//! rustls asks for a signature synchronously, on the channel's thread, in
//! the middle of a handshake step. The signer hashes what is to be signed
//! (the handler gets the digest, as with s2n), hands one SIGN operation to
//! the handler and waits for its completion — made inline, or from any
//! other thread — until the connection's negotiation deadline. A failure or
//! timeout is kept in the connection's [`KeyOpSession`] so the TLS handler
//! shuts the channel down with that error code, as upstream's does.
//!
//! Offered schemes: RSA PKCS#1 v1.5 with SHA-256/384/512 for an RSA
//! certificate (RSA-PSS has no value in upstream's signature enum), ECDSA
//! with the hash of the certificate's curve for an EC one. Contexts with a
//! handler negotiate TLS 1.2 only (`config`), as upstream's s2n policy does.
use std::sync::atomic::{AtomicI32, Ordering};
use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};

use aws_lc_rs::digest;
use libc::c_int;
use rustls::client::ResolvesClientCert;
use rustls::sign::{CertifiedKey, Signer, SigningKey};
use rustls::{SignatureAlgorithm, SignatureScheme};
use rustls_pki_types::CertificateDer;

use super::operation::{Outcome, PendingOperation};
use super::{aws_custom_key_op_handler_perform_operation, HandlerRef};
use crate::common::abi::aws_log_level::{AWS_LL_DEBUG, AWS_LL_ERROR};
use crate::common::abi::*;
use crate::common::allocator::default_allocator;
use crate::common::error_codes::*;
use crate::io::abi::aws_io_log_subject::AWS_LS_IO_TLS;
use crate::io::abi::aws_tls_hash_algorithm::*;
use crate::io::abi::aws_tls_signature_algorithm::*;
use crate::io::tls::x509;

/// Upstream's default negotiation timeout, the bound of a wait when the
/// connection has none.
const DEFAULT_WAIT: Duration = Duration::from_millis(10_000);

/// The key behind a certificate, from its SubjectPublicKeyInfo.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
enum KeyKind {
    Rsa,
    /// ECDSA with the one scheme of its curve.
    Ecdsa(SignatureScheme),
}

impl KeyKind {
    fn of(cert: &[u8]) -> Result<Self, String> {
        match x509::spki_key(cert) {
            Some(x509::SpkiKey::Rsa) => Ok(KeyKind::Rsa),
            Some(x509::SpkiKey::EcP256) => {
                Ok(KeyKind::Ecdsa(SignatureScheme::ECDSA_NISTP256_SHA256))
            }
            Some(x509::SpkiKey::EcP384) => {
                Ok(KeyKind::Ecdsa(SignatureScheme::ECDSA_NISTP384_SHA384))
            }
            Some(x509::SpkiKey::EcP521) => {
                Ok(KeyKind::Ecdsa(SignatureScheme::ECDSA_NISTP521_SHA512))
            }
            Some(x509::SpkiKey::Other) => Err(
                "custom key operations need an RSA or ECDSA (P-256, P-384, P-521) certificate"
                    .into(),
            ),
            None => Err("certificate: not a DER X.509 certificate".into()),
        }
    }

    /// The schemes we can sign with, in our order of preference.
    fn schemes(self) -> Vec<SignatureScheme> {
        match self {
            KeyKind::Rsa => vec![
                SignatureScheme::RSA_PKCS1_SHA256,
                SignatureScheme::RSA_PKCS1_SHA384,
                SignatureScheme::RSA_PKCS1_SHA512,
            ],
            KeyKind::Ecdsa(scheme) => vec![scheme],
        }
    }
}

/// A context's certificate chain with the handler that holds its key (the
/// context's reference to the handler lives here).
#[derive(Debug)]
pub struct RemoteKey {
    chain: Vec<CertificateDer<'static>>,
    kind: KeyKind,
    handler: Arc<HandlerRef>,
}

impl RemoteKey {
    /// Fails (with a message) when the leaf's key is neither RSA nor ECDSA
    /// on a supported curve.
    pub fn new(
        chain: Vec<CertificateDer<'static>>,
        handler: Arc<HandlerRef>,
    ) -> Result<Self, String> {
        let leaf = chain
            .first()
            .ok_or("no certificate in the certificate PEM")?;
        let kind = KeyKind::of(leaf)?;
        Ok(Self {
            chain,
            kind,
            handler,
        })
    }
}

/// One connection's view of its key operations: the allocator operations
/// come from, when its waits end, and the error that ended the handshake.
#[derive(Debug)]
pub struct KeyOpSession {
    alloc: SendAllocator,
    timeout: Duration,
    deadline: Mutex<Option<Instant>>,
    /// 0 until an operation failed or timed out.
    error: AtomicI32,
}

#[derive(Debug)]
struct SendAllocator(*mut aws_allocator);
// SAFETY: C allocators are thread-safe (upstream's contract) and outlive
// every object allocated from them.
unsafe impl Send for SendAllocator {}
// SAFETY: as above; the pointer is never written through here.
unsafe impl Sync for SendAllocator {}

impl KeyOpSession {
    /// A session allocating from `alloc`, whose waits end `timeout_ms`
    /// after negotiation starts (10 s when 0).
    ///
    /// # Safety
    /// `alloc` is a valid allocator that outlives every operation.
    pub unsafe fn new(alloc: *mut aws_allocator, timeout_ms: u32) -> Self {
        let timeout = if timeout_ms == 0 {
            DEFAULT_WAIT
        } else {
            Duration::from_millis(u64::from(timeout_ms))
        };
        Self {
            alloc: SendAllocator(alloc),
            timeout,
            deadline: Mutex::new(None),
            error: AtomicI32::new(0),
        }
    }

    /// Negotiation starts: the deadline is set (once).
    pub fn start_clock(&self) {
        self.deadline();
    }

    fn deadline(&self) -> Instant {
        *self
            .deadline
            .lock()
            .unwrap_or_else(|e| e.into_inner())
            .get_or_insert_with(|| Instant::now() + self.timeout)
    }

    fn fail(&self, code: c_int) {
        let _ = self
            .error
            .compare_exchange(0, code, Ordering::AcqRel, Ordering::Acquire);
    }

    /// The error of the operation that failed, if one did.
    pub fn error(&self) -> Option<c_int> {
        match self.error.load(Ordering::Acquire) {
            0 => None,
            code => Some(code),
        }
    }
}

/// The client-certificate resolver of a connection (or, without a
/// connection of its own, of a context).
#[derive(Debug)]
pub struct KeyOpResolver(Arc<CertifiedKey>);

impl KeyOpResolver {
    pub fn new(key: &Arc<RemoteKey>, session: Arc<KeyOpSession>) -> Self {
        let signing = RemoteSigningKey {
            key: key.clone(),
            session,
        };
        Self(Arc::new(CertifiedKey::new(
            key.chain.clone(),
            Arc::new(signing),
        )))
    }

    /// A resolver whose operations come from the default allocator with the
    /// default wait (for configurations used without a TLS handler).
    pub fn detached(key: &Arc<RemoteKey>) -> Self {
        // SAFETY: the default allocator lives for the whole program.
        let session = unsafe { KeyOpSession::new(default_allocator(), 0) };
        Self::new(key, Arc::new(session))
    }
}

impl ResolvesClientCert for KeyOpResolver {
    fn resolve(
        &self,
        _root_hint_subjects: &[&[u8]],
        _sigschemes: &[SignatureScheme],
    ) -> Option<Arc<CertifiedKey>> {
        Some(self.0.clone())
    }

    fn has_certs(&self) -> bool {
        true
    }
}

#[derive(Debug)]
struct RemoteSigningKey {
    key: Arc<RemoteKey>,
    session: Arc<KeyOpSession>,
}

impl SigningKey for RemoteSigningKey {
    fn choose_scheme(&self, offered: &[SignatureScheme]) -> Option<Box<dyn Signer>> {
        let scheme = self
            .key
            .kind
            .schemes()
            .into_iter()
            .find(|s| offered.contains(s))?;
        Some(Box::new(RemoteSigner {
            key: self.key.clone(),
            session: self.session.clone(),
            scheme,
        }))
    }

    fn algorithm(&self) -> SignatureAlgorithm {
        match self.key.kind {
            KeyKind::Rsa => SignatureAlgorithm::RSA,
            KeyKind::Ecdsa(_) => SignatureAlgorithm::ECDSA,
        }
    }
}

#[derive(Debug)]
struct RemoteSigner {
    key: Arc<RemoteKey>,
    session: Arc<KeyOpSession>,
    scheme: SignatureScheme,
}

/// The digest and upstream's names of a scheme we offer.
fn algorithms(scheme: SignatureScheme) -> (&'static digest::Algorithm, c_int, c_int) {
    let rsa = AWS_TLS_SIGNATURE_RSA as c_int;
    let ecdsa = AWS_TLS_SIGNATURE_ECDSA as c_int;
    let sha256 = (&digest::SHA256, AWS_TLS_HASH_SHA256 as c_int);
    let sha384 = (&digest::SHA384, AWS_TLS_HASH_SHA384 as c_int);
    let sha512 = (&digest::SHA512, AWS_TLS_HASH_SHA512 as c_int);
    let ((alg, hash), sig) = match scheme {
        SignatureScheme::RSA_PKCS1_SHA256 => (sha256, rsa),
        SignatureScheme::RSA_PKCS1_SHA384 => (sha384, rsa),
        SignatureScheme::RSA_PKCS1_SHA512 => (sha512, rsa),
        SignatureScheme::ECDSA_NISTP256_SHA256 => (sha256, ecdsa),
        SignatureScheme::ECDSA_NISTP384_SHA384 => (sha384, ecdsa),
        // Only the schemes of `KeyKind::schemes` reach here.
        _ => (sha512, ecdsa),
    };
    (alg, sig, hash)
}

impl Signer for RemoteSigner {
    fn sign(&self, message: &[u8]) -> Result<Vec<u8>, rustls::Error> {
        let (alg, signature_alg, digest_alg) = algorithms(self.scheme);
        let digest = digest::digest(alg, message).as_ref().to_vec();
        // SAFETY: the session's allocator outlives its operations.
        let op = unsafe {
            PendingOperation::sign(self.session.alloc.0, digest, signature_alg, digest_alg)
        };
        crate::aws_log!(
            AWS_LL_DEBUG,
            AWS_LS_IO_TLS,
            "id={:p}: TLS key operation SIGN with {:?}",
            op.as_c(),
            self.scheme
        );
        let deadline = self.session.deadline();
        // SAFETY: our reference keeps the handler alive; the operation stays
        // live until the handler completes it.
        unsafe {
            aws_custom_key_op_handler_perform_operation(self.key.handler.as_ptr(), op.as_c())
        };
        let code = match op.wait(deadline) {
            Outcome::Output(signature) => return Ok(signature),
            Outcome::Failed(code) => code,
            Outcome::TimedOut => {
                crate::aws_log!(
                    AWS_LL_ERROR,
                    AWS_LS_IO_TLS,
                    "TLS key operation not completed before the negotiation deadline"
                );
                AWS_IO_TLS_NEGOTIATION_TIMEOUT
            }
        };
        self.session.fail(code);
        Err(rustls::Error::General(format!(
            "custom key operation failed with error {code}"
        )))
    }

    fn scheme(&self) -> SignatureScheme {
        self.scheme
    }
}
