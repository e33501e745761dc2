//! The server-certificate verifiers of a client. With `verify_peer` off any
//! certificate chain and name are accepted (upstream disables X.509
//! validation), but handshake signatures are still checked against the
//! presented certificate so the peer must hold its key. With it on, webpki
//! checks the chain, and the name as s2n does.
use std::sync::Arc;

use rustls::client::danger::{HandshakeSignatureValid, ServerCertVerified, ServerCertVerifier};
use rustls::client::{verify_server_cert_signed_by_trust_anchor, verify_server_name};
use rustls::crypto::{verify_tls12_signature, verify_tls13_signature, CryptoProvider};
use rustls::pki_types::{CertificateDer, ServerName, UnixTime};
use rustls::server::ParsedCertificate;
use rustls::{CertificateError, DigitallySignedStruct, Error, RootCertStore, SignatureScheme};

use super::x509;

#[derive(Debug)]
pub struct AcceptAnyServerCert {
    provider: Arc<CryptoProvider>,
}

impl AcceptAnyServerCert {
    pub fn new(provider: Arc<CryptoProvider>) -> Self {
        Self { provider }
    }
}

impl ServerCertVerifier for AcceptAnyServerCert {
    fn verify_server_cert(
        &self,
        _end_entity: &CertificateDer<'_>,
        _intermediates: &[CertificateDer<'_>],
        _server_name: &ServerName<'_>,
        _ocsp_response: &[u8],
        _now: UnixTime,
    ) -> Result<ServerCertVerified, Error> {
        Ok(ServerCertVerified::assertion())
    }

    fn verify_tls12_signature(
        &self,
        message: &[u8],
        cert: &CertificateDer<'_>,
        dss: &DigitallySignedStruct,
    ) -> Result<HandshakeSignatureValid, Error> {
        verify_tls12_signature(
            message,
            cert,
            dss,
            &self.provider.signature_verification_algorithms,
        )
    }

    fn verify_tls13_signature(
        &self,
        message: &[u8],
        cert: &CertificateDer<'_>,
        dss: &DigitallySignedStruct,
    ) -> Result<HandshakeSignatureValid, Error> {
        verify_tls13_signature(
            message,
            cert,
            dss,
            &self.provider.signature_verification_algorithms,
        )
    }

    fn supported_verify_schemes(&self) -> Vec<SignatureScheme> {
        self.provider
            .signature_verification_algorithms
            .supported_schemes()
    }
}

/// The server-certificate verifier of a client with `verify_peer` on: the
/// chain must lead to a trust anchor (webpki), and the certificate must name
/// the host — in its subjectAltName, or, when that names no host at all, in
/// its subject's common name, as s2n accepts (webpki reads only the
/// subjectAltName).
#[derive(Debug)]
pub struct WebPkiOrCommonName {
    roots: Arc<RootCertStore>,
    any: AcceptAnyServerCert,
}

impl WebPkiOrCommonName {
    /// `None` for an empty trust store (nothing could ever verify).
    pub fn new(roots: Arc<RootCertStore>, provider: Arc<CryptoProvider>) -> Option<Self> {
        (!roots.is_empty()).then(|| Self {
            roots,
            any: AcceptAnyServerCert::new(provider),
        })
    }
}

/// True when `cert` has no host in a subjectAltName and a common name matches `name`.
fn common_name_matches(cert: &CertificateDer<'_>, name: &ServerName<'_>) -> bool {
    let ServerName::DnsName(host) = name else {
        return false;
    };
    x509::has_host_alt_names(cert) == Some(false)
        && x509::common_names(cert).is_some_and(|names| {
            names
                .iter()
                .any(|cn| x509::host_matches(cn, host.as_ref().as_bytes()))
        })
}

impl ServerCertVerifier for WebPkiOrCommonName {
    fn verify_server_cert(
        &self,
        end_entity: &CertificateDer<'_>,
        intermediates: &[CertificateDer<'_>],
        server_name: &ServerName<'_>,
        _ocsp_response: &[u8],
        now: UnixTime,
    ) -> Result<ServerCertVerified, Error> {
        let cert = ParsedCertificate::try_from(end_entity)?;
        verify_server_cert_signed_by_trust_anchor(
            &cert,
            &self.roots,
            intermediates,
            now,
            self.any.provider.signature_verification_algorithms.all,
        )?;
        match verify_server_name(&cert, server_name) {
            Err(Error::InvalidCertificate(
                CertificateError::NotValidForName | CertificateError::NotValidForNameContext { .. },
            )) if common_name_matches(end_entity, server_name) => {}
            other => other?,
        }
        Ok(ServerCertVerified::assertion())
    }

    fn verify_tls12_signature(
        &self,
        message: &[u8],
        cert: &CertificateDer<'_>,
        dss: &DigitallySignedStruct,
    ) -> Result<HandshakeSignatureValid, Error> {
        self.any.verify_tls12_signature(message, cert, dss)
    }

    fn verify_tls13_signature(
        &self,
        message: &[u8],
        cert: &CertificateDer<'_>,
        dss: &DigitallySignedStruct,
    ) -> Result<HandshakeSignatureValid, Error> {
        self.any.verify_tls13_signature(message, cert, dss)
    }

    fn supported_verify_schemes(&self) -> Vec<SignatureScheme> {
        self.any.supported_verify_schemes()
    }
}
