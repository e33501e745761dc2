//! The safe core of TLS contexts: `aws_tls_ctx_options`, seen as plain Rust
//! values, become a rustls `ClientConfig` or `ServerConfig`. Each failure is
//! a [`ConfigError`] that knows upstream's error code.
use std::path::Path;
use std::sync::Arc;

use libc::c_int;
use rustls::crypto::{aws_lc_rs, CryptoProvider};
use rustls::server::{ClientHello, ResolvesServerCert, WebPkiClientVerifier};
use rustls::sign::{CertifiedKey, SingleCertAndKey};
use rustls::version::{TLS12, TLS13};
use rustls::{ClientConfig, RootCertStore, ServerConfig, SupportedProtocolVersion};
use rustls_pki_types::{CertificateDer, PrivateKeyDer};

use super::key_ops::{HandlerRef, KeyOpResolver, RemoteKey};
use super::verify::{AcceptAnyServerCert, WebPkiOrCommonName};
use super::{pem, trust, x509};
use crate::common::error_codes::*;
use crate::io::abi::aws_tls_cipher_pref::*;
use crate::io::abi::aws_tls_versions::*;

/// Upstream's ALPN lists hold at most this many protocols.
pub const MAX_ALPN_PROTOCOLS: usize = 4;

/// Which end of the connection a context is for.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Side {
    Client,
    Server,
}

/// What a context is built from: the fields of `aws_tls_ctx_options`. A
/// byte field is `Some` when its setter was called (even with no bytes).
#[derive(Clone, Debug)]
pub struct TlsOptions<'a> {
    pub minimum_tls_version: c_int,
    pub cipher_pref: c_int,
    pub ca_file: Option<&'a [u8]>,
    pub ca_path: Option<&'a Path>,
    pub alpn_list: Option<&'a [u8]>,
    pub certificate: Option<&'a [u8]>,
    pub private_key: Option<&'a [u8]>,
    pub verify_peer: bool,
    /// A custom private-key handler (PKCS#11 or user code): our reference.
    pub custom_key_op: Option<Arc<HandlerRef>>,
}

/// Upstream's client defaults: system-default version and ciphers, nothing
/// set, no verification (upstream's client init turns it on).
impl Default for TlsOptions<'_> {
    fn default() -> Self {
        Self {
            minimum_tls_version: AWS_IO_TLS_VER_SYS_DEFAULTS as c_int,
            cipher_pref: AWS_IO_TLS_CIPHER_PREF_SYSTEM_DEFAULT as c_int,
            ca_file: None,
            ca_path: None,
            alpn_list: None,
            certificate: None,
            private_key: None,
            verify_peer: false,
            custom_key_op: None,
        }
    }
}

/// Why a context could not be built.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum ConfigError {
    CipherPrefUnsupported(c_int),
    VersionUnsupported(c_int),
    /// The certificate or key is not UTF-8 text.
    NotText(&'static str),
    DefaultTrustStoreNotFound,
    /// A server context with a custom key-operation handler.
    CustomKeyOpsUnsupported,
    /// Anything else wrong with the certificate, key, trust store or ALPN list.
    Ctx(String),
}

impl ConfigError {
    /// Upstream's error code for this failure.
    pub fn code(&self) -> c_int {
        match self {
            Self::CipherPrefUnsupported(_) => AWS_IO_TLS_CIPHER_PREF_UNSUPPORTED,
            Self::VersionUnsupported(_) => AWS_IO_TLS_VERSION_UNSUPPORTED,
            Self::NotText(_) => AWS_IO_FILE_VALIDATION_FAILURE,
            Self::DefaultTrustStoreNotFound => AWS_IO_TLS_ERROR_DEFAULT_TRUST_STORE_NOT_FOUND,
            Self::CustomKeyOpsUnsupported => AWS_ERROR_UNIMPLEMENTED,
            Self::Ctx(_) => AWS_IO_TLS_CTX_ERROR,
        }
    }
}

impl std::fmt::Display for ConfigError {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match self {
            Self::CipherPrefUnsupported(p) => write!(f, "TLS cipher preference {p} is not supported"),
            Self::VersionUnsupported(v) => write!(f, "minimum TLS version {v} is not supported"),
            Self::NotText(what) => write!(f, "the {what} must be ASCII/UTF-8 PEM text"),
            Self::DefaultTrustStoreNotFound => f.write_str(
                "default TLS trust store not found; install CA certificates or override the trust store",
            ),
            Self::CustomKeyOpsUnsupported => {
                f.write_str("custom private key operations are not supported on a server")
            }
            Self::Ctx(msg) => f.write_str(msg),
        }
    }
}

fn ctx_err(what: &str) -> impl FnOnce(rustls::Error) -> ConfigError + '_ {
    move |e| ConfigError::Ctx(format!("{what}: {e}"))
}

/// A built context. A client whose key is a custom key-operation handler's
/// carries it too: each connection gets a resolver of its own (its timeout,
/// its error).
#[derive(Clone, Debug)]
pub enum TlsConfig {
    Client(Arc<ClientConfig>, Option<Arc<RemoteKey>>),
    Server(Arc<ServerConfig>),
}

/// True for the cipher preferences a context can be built with.
pub fn cipher_pref_supported(pref: c_int) -> bool {
    policy_for_pref(pref).is_some()
}

/// Protocol versions and algorithms a context may negotiate.
struct Policy {
    versions: &'static [&'static SupportedProtocolVersion],
    groups: Groups,
}

/// Key exchange groups (and with them, cipher suites) a policy allows.
#[derive(Clone, Copy, PartialEq)]
enum Groups {
    /// Post-quantum hybrids first, then the classic curves (upstream's
    /// default and PQ policies).
    HybridFirst,
    /// Classic curves only (`NON_PQ_DEFAULT`).
    Classic,
    /// AES-GCM suites on NIST curves only (upstream's TLSv1.2 2025 policy).
    NistAesGcm,
}

const TLS12_AND_13: &[&SupportedProtocolVersion] = &[&TLS13, &TLS12];
const TLS13_ONLY: &[&SupportedProtocolVersion] = &[&TLS13];
const TLS12_ONLY: &[&SupportedProtocolVersion] = &[&TLS12];

/// The policy of a non-default cipher preference (which, as upstream, takes
/// the place of the one implied by the minimum version). `None` for one
/// rustls cannot honour: TLS 1.0/1.1 policies, deprecated and unknown values.
fn policy_for_pref(pref: c_int) -> Option<Option<Policy>> {
    const SYSTEM_DEFAULT: c_int = AWS_IO_TLS_CIPHER_PREF_SYSTEM_DEFAULT as c_int;
    const PQ_DEFAULT: c_int = AWS_IO_TLS_CIPHER_PREF_PQ_DEFAULT as c_int;
    const PQ_TLSV1_2_2024_10: c_int = AWS_IO_TLS_CIPHER_PREF_PQ_TLSV1_2_2024_10 as c_int;
    const NON_PQ_DEFAULT: c_int = AWS_IO_TLS_CIPHER_PREF_NON_PQ_DEFAULT as c_int;
    const TLSV1_2_2025_07: c_int = AWS_IO_TLS_CIPHER_PREF_TLSV1_2_2025_07 as c_int;
    let groups = match pref {
        SYSTEM_DEFAULT => return Some(None),
        PQ_DEFAULT | PQ_TLSV1_2_2024_10 => Groups::HybridFirst,
        NON_PQ_DEFAULT => Groups::Classic,
        TLSV1_2_2025_07 => Groups::NistAesGcm,
        _ => return None,
    };
    Some(Some(Policy {
        versions: TLS12_AND_13,
        groups,
    }))
}

/// With a custom key-operation handler, as upstream's s2n build: TLS 1.2
/// only (the handler cannot make the RSA-PSS signatures TLS 1.3 needs), and
/// a TLS 1.3 minimum is AWS_IO_TLS_VERSION_UNSUPPORTED.
fn policy(options: &TlsOptions<'_>) -> Result<Policy, ConfigError> {
    let Some(by_pref) = policy_for_pref(options.cipher_pref) else {
        return Err(ConfigError::CipherPrefUnsupported(options.cipher_pref));
    };
    const TLSV1_3: c_int = AWS_IO_TLSv1_3 as c_int;
    let custom = options.custom_key_op.is_some();
    if custom && options.minimum_tls_version == TLSV1_3 {
        return Err(ConfigError::VersionUnsupported(TLSV1_3));
    }
    let mut policy = match by_pref {
        Some(policy) => policy,
        None => version_policy(options.minimum_tls_version)?,
    };
    if custom {
        policy.versions = TLS12_ONLY;
    }
    Ok(policy)
}

/// The policy the minimum version implies (system-default ciphers).
fn version_policy(minimum_tls_version: c_int) -> Result<Policy, ConfigError> {
    const SSLV3: c_int = AWS_IO_SSLv3 as c_int;
    const TLSV1: c_int = AWS_IO_TLSv1 as c_int;
    const TLSV1_1: c_int = AWS_IO_TLSv1_1 as c_int;
    const TLSV1_3: c_int = AWS_IO_TLSv1_3 as c_int;
    let versions = match minimum_tls_version {
        SSLV3 | TLSV1 | TLSV1_1 => {
            return Err(ConfigError::VersionUnsupported(minimum_tls_version))
        }
        TLSV1_3 => TLS13_ONLY,
        // TLSv1_2, system defaults and unknown values (upstream's default branch).
        _ => TLS12_AND_13,
    };
    Ok(Policy {
        versions,
        groups: Groups::HybridFirst,
    })
}

/// aws-lc-rs rather than ring: an RSA-2048 signature (every full handshake
/// of a server with an RSA certificate) takes 0.26 ms against ring's 0.62
/// ms on the same machine, and it has the ML-KEM hybrids upstream's policies
/// negotiate.
fn provider(policy: &Policy) -> Arc<CryptoProvider> {
    use aws_lc_rs::cipher_suite::*;
    use aws_lc_rs::kx_group::*;
    let mut provider = aws_lc_rs::default_provider();
    // Upstream's (s2n's) order, AES-128 first, rather than rustls' AES-256
    // first.
    let mut suites = vec![
        TLS13_AES_128_GCM_SHA256,
        TLS13_AES_256_GCM_SHA384,
        TLS_ECDHE_ECDSA_WITH_AES_128_GCM_SHA256,
        TLS_ECDHE_RSA_WITH_AES_128_GCM_SHA256,
        TLS_ECDHE_ECDSA_WITH_AES_256_GCM_SHA384,
        TLS_ECDHE_RSA_WITH_AES_256_GCM_SHA384,
    ];
    if policy.groups != Groups::NistAesGcm {
        suites.insert(2, TLS13_CHACHA20_POLY1305_SHA256);
        suites.extend([
            TLS_ECDHE_ECDSA_WITH_CHACHA20_POLY1305_SHA256,
            TLS_ECDHE_RSA_WITH_CHACHA20_POLY1305_SHA256,
        ]);
    }
    // rustls' default puts P-384 before X25519; X25519 is cheaper on both
    // sides of every handshake.
    provider.kx_groups = match policy.groups {
        Groups::HybridFirst => vec![
            X25519MLKEM768,
            SECP256R1MLKEM768,
            X25519,
            SECP256R1,
            SECP384R1,
        ],
        Groups::Classic => vec![X25519, SECP256R1, SECP384R1],
        Groups::NistAesGcm => vec![SECP256R1, SECP384R1],
    };
    provider.cipher_suites = suites;
    Arc::new(provider)
}

/// The certificate chain and key, when both are set.
type Identity = (Vec<CertificateDer<'static>>, PrivateKeyDer<'static>);

/// Our side's identity: a certificate with its key, or (as s2n, only
/// without a key) a certificate whose key a custom handler holds.
enum Own {
    Local(Identity),
    Remote(Arc<RemoteKey>),
}

fn own_identity(options: &TlsOptions<'_>) -> Result<Option<Own>, ConfigError> {
    if let Some(identity) = identity(options)? {
        return Ok(Some(Own::Local(identity)));
    }
    let Some(handler) = &options.custom_key_op else {
        return Ok(None);
    };
    let chain = pem::certificates(options.certificate.unwrap_or_default())
        .map_err(|e| ConfigError::Ctx(format!("certificate: {e}")))?;
    let key = RemoteKey::new(chain, handler.clone()).map_err(ConfigError::Ctx)?;
    Ok(Some(Own::Remote(Arc::new(key))))
}

fn identity(options: &TlsOptions<'_>) -> Result<Option<Identity>, ConfigError> {
    let (Some(cert), Some(key)) = (options.certificate, options.private_key) else {
        return Ok(None);
    };
    if std::str::from_utf8(cert).is_err() {
        return Err(ConfigError::NotText("certificate"));
    }
    if std::str::from_utf8(key).is_err() {
        return Err(ConfigError::NotText("private key"));
    }
    let chain =
        pem::certificates(cert).map_err(|e| ConfigError::Ctx(format!("certificate: {e}")))?;
    if chain.is_empty() {
        return Err(ConfigError::Ctx(
            "no certificate in the certificate PEM".into(),
        ));
    }
    let key = pem::private_key(key).map_err(|e| ConfigError::Ctx(format!("private key: {e}")))?;
    Ok(Some((chain, key)))
}

/// The certificate chain with its signing key. The key must match the
/// certificate's public key; the certificate may be any X.509 version (s2n
/// imports version 1 certificates, which webpki refuses to parse).
fn certified_key(
    provider: &CryptoProvider,
    (chain, key): Identity,
) -> Result<CertifiedKey, ConfigError> {
    let signing = provider
        .key_provider
        .load_private_key(key)
        .map_err(ctx_err("private key"))?;
    let Some(cert_spki) = x509::spki(&chain[0]) else {
        return Err(ConfigError::Ctx(
            "certificate: not a DER X.509 certificate".into(),
        ));
    };
    if signing
        .public_key()
        .is_some_and(|key_spki| key_spki.as_ref() != cert_spki)
    {
        return Err(ConfigError::Ctx(
            "the private key does not match the certificate".into(),
        ));
    }
    Ok(CertifiedKey::new(chain, signing))
}

/// The trust anchors for peer verification: the overriding CA directory and
/// file if either was set, else the system's default store.
fn trust_roots(options: &TlsOptions<'_>) -> Result<Arc<RootCertStore>, ConfigError> {
    let mut store = RootCertStore::empty();
    if options.ca_path.is_some() || options.ca_file.is_some() {
        if let Some(dir) = options.ca_path {
            trust::add_hashed_dir(&mut store, dir).map_err(ConfigError::Ctx)?;
        }
        if let Some(bundle) = options.ca_file {
            trust::add_pem_bundle(&mut store, bundle).map_err(ConfigError::Ctx)?;
        }
    } else {
        match trust::default_locations() {
            // The system bundle holds what the hashed directory links to.
            (Some(file), _) => {
                let bundle = std::fs::read(file)
                    .map_err(|e| ConfigError::Ctx(format!("cannot read {file}: {e}")))?;
                let certs = pem::certificates(&bundle).map_err(ConfigError::Ctx)?;
                store.add_parsable_certificates(certs);
            }
            (None, Some(dir)) => {
                trust::add_hashed_dir(&mut store, Path::new(dir)).map_err(ConfigError::Ctx)?
            }
            (None, None) => return Err(ConfigError::DefaultTrustStoreNotFound),
        }
    }
    Ok(Arc::new(store))
}

/// Splits an ALPN list `"h2;http/1.1"` into protocol names: one to four
/// non-empty names of at most 255 bytes.
pub fn parse_alpn_list(list: &[u8]) -> Result<Vec<Vec<u8>>, ConfigError> {
    let protocols: Vec<Vec<u8>> = list.split(|&b| b == b';').map(<[u8]>::to_vec).collect();
    if protocols.len() > MAX_ALPN_PROTOCOLS {
        return Err(ConfigError::Ctx(format!(
            "ALPN list has {} protocols, at most {MAX_ALPN_PROTOCOLS} are supported",
            protocols.len()
        )));
    }
    if protocols.iter().any(|p| p.is_empty() || p.len() > 255) {
        return Err(ConfigError::Ctx(
            "ALPN protocol names must be 1 to 255 bytes".into(),
        ));
    }
    Ok(protocols)
}

/// Builds the rustls configuration for `side` from `options`. Checks run in
/// upstream's order: cipher preference and version, certificate and key,
/// trust store, ALPN list.
pub fn build(side: Side, options: &TlsOptions<'_>) -> Result<TlsConfig, ConfigError> {
    let policy = policy(options)?;
    let identity = own_identity(options)?;
    let roots = if options.verify_peer {
        Some(trust_roots(options)?)
    } else {
        None
    };
    let alpn = match options.alpn_list {
        Some(list) => parse_alpn_list(list)?,
        None => Vec::new(),
    };
    let provider = provider(&policy);
    Ok(match side {
        Side::Client => {
            let remote = match &identity {
                Some(Own::Remote(key)) => Some(key.clone()),
                _ => None,
            };
            let config = client_config(provider, &policy, identity, roots, alpn)?;
            TlsConfig::Client(Arc::new(config), remote)
        }
        Side::Server => {
            let identity = match identity {
                Some(Own::Remote(_)) => return Err(ConfigError::CustomKeyOpsUnsupported),
                Some(Own::Local(identity)) => Some(identity),
                None => None,
            };
            TlsConfig::Server(Arc::new(server_config(
                provider, &policy, identity, roots, alpn,
            )?))
        }
    })
}

fn client_config(
    provider: Arc<CryptoProvider>,
    policy: &Policy,
    identity: Option<Own>,
    roots: Option<Arc<RootCertStore>>,
    alpn: Vec<Vec<u8>>,
) -> Result<ClientConfig, ConfigError> {
    let builder = ClientConfig::builder_with_provider(provider.clone())
        .with_protocol_versions(policy.versions)
        .map_err(ctx_err("protocol versions"))?;
    let builder = match roots {
        Some(roots) => {
            let verifier = WebPkiOrCommonName::new(roots, provider.clone()).ok_or_else(|| {
                ConfigError::Ctx("trust store: no usable root certificate".into())
            })?;
            builder
                .dangerous()
                .with_custom_certificate_verifier(Arc::new(verifier))
        }
        None => builder
            .dangerous()
            .with_custom_certificate_verifier(Arc::new(AcceptAnyServerCert::new(provider.clone()))),
    };
    let mut config = match identity {
        Some(Own::Local(identity)) => builder.with_client_cert_resolver(Arc::new(
            SingleCertAndKey::from(certified_key(&provider, identity)?),
        )),
        // Each handler replaces this with a resolver of its connection's.
        Some(Own::Remote(key)) => {
            builder.with_client_cert_resolver(Arc::new(KeyOpResolver::detached(&key)))
        }
        None => builder.with_no_client_auth(),
    };
    config.alpn_protocols = alpn;
    Ok(config)
}

fn server_config(
    provider: Arc<CryptoProvider>,
    policy: &Policy,
    identity: Option<Identity>,
    roots: Option<Arc<RootCertStore>>,
    alpn: Vec<Vec<u8>>,
) -> Result<ServerConfig, ConfigError> {
    let builder = ServerConfig::builder_with_provider(provider.clone())
        .with_protocol_versions(policy.versions)
        .map_err(ctx_err("protocol versions"))?;
    let builder = match roots {
        // verify_peer on a server: clients must present a trusted certificate.
        Some(roots) => {
            let verifier = WebPkiClientVerifier::builder_with_provider(roots, provider.clone())
                .build()
                .map_err(|e| ConfigError::Ctx(format!("trust store: {e}")))?;
            builder.with_client_cert_verifier(verifier)
        }
        None => builder.with_no_client_auth(),
    };
    let mut config = match identity {
        Some(identity) => builder.with_cert_resolver(Arc::new(SingleCertAndKey::from(
            certified_key(&provider, identity)?,
        ))),
        // As upstream, a server context without a certificate can be made;
        // its handshakes fail.
        None => builder.with_cert_resolver(Arc::new(NoServerCert)),
    };
    config.alpn_protocols = alpn;
    Ok(config)
}

#[derive(Debug)]
struct NoServerCert;

impl ResolvesServerCert for NoServerCert {
    fn resolve(&self, _client_hello: ClientHello<'_>) -> Option<Arc<CertifiedKey>> {
        None
    }
}
