//! The options → rustls configuration core, checked by building contexts
//! from certificates made by `openssl` and running in-memory handshakes
//! between them.
use std::path::Path;
use std::sync::Arc;

use rustls::pki_types::ServerName;
use rustls::{ClientConfig, ClientConnection, ServerConfig, ServerConnection};

use super::config::*;
use super::key_ops::HandlerRef;
use super::test_certs::*;
use crate::common::error_codes::*;
use crate::io::abi::aws_tls_cipher_pref::*;
use crate::io::abi::aws_tls_hash_algorithm::*;
use crate::io::abi::aws_tls_key_operation_type::*;
use crate::io::abi::aws_tls_signature_algorithm::*;
use crate::io::abi::aws_tls_versions::*;
use crate::io::abi::{aws_custom_key_op_handler, aws_custom_key_op_handler_vtable};

fn client(options: &TlsOptions<'_>) -> Arc<ClientConfig> {
    match build(Side::Client, options).unwrap() {
        TlsConfig::Client(c, _) => c,
        TlsConfig::Server(_) => unreachable!(),
    }
}

fn server(options: &TlsOptions<'_>) -> Arc<ServerConfig> {
    match build(Side::Server, options).unwrap() {
        TlsConfig::Server(s) => s,
        TlsConfig::Client(..) => unreachable!(),
    }
}

fn err(side: Side, options: &TlsOptions<'_>) -> ConfigError {
    build(side, options).unwrap_err()
}

fn server_opts(leaf: &Leaf) -> TlsOptions<'_> {
    TlsOptions {
        certificate: Some(&leaf.cert),
        private_key: Some(&leaf.key_pkcs8),
        ..Default::default()
    }
}

fn verifying_client(ca: &Ca) -> TlsOptions<'_> {
    TlsOptions {
        verify_peer: true,
        ca_file: Some(&ca.cert),
        ..Default::default()
    }
}

fn feed(bytes: &[u8], into: &mut dyn FnMut(&mut &[u8]) -> std::io::Result<usize>) {
    let mut rest = bytes;
    while !rest.is_empty() {
        into(&mut rest).unwrap();
    }
}

/// Runs a handshake to completion (or the first error) in memory.
fn handshake(
    c: Arc<ClientConfig>,
    s: Arc<ServerConfig>,
) -> Result<(ClientConnection, ServerConnection), rustls::Error> {
    let name = ServerName::try_from("localhost").unwrap();
    let mut client = ClientConnection::new(c, name).unwrap();
    let mut server = ServerConnection::new(s).unwrap();
    for _ in 0..10 {
        let mut wire = Vec::new();
        client.write_tls(&mut wire).unwrap();
        feed(&wire, &mut |rd| server.read_tls(rd));
        let server_result = server.process_new_packets().map(|_| ());
        wire.clear();
        server.write_tls(&mut wire).unwrap();
        feed(&wire, &mut |rd| client.read_tls(rd));
        client.process_new_packets()?;
        server_result?;
        if !client.is_handshaking() && !server.is_handshaking() {
            return Ok((client, server));
        }
    }
    panic!("handshake did not finish in 10 rounds");
}

#[test]
fn every_key_type_and_encoding_serves_a_verified_handshake() {
    let ca = Ca::new();
    for kind in [KeyKind::Rsa, KeyKind::P256, KeyKind::P384, KeyKind::Ed25519] {
        let leaf = ca.issue(kind, "leaf");
        assert!(std::str::from_utf8(&leaf.key_pkcs8)
            .unwrap()
            .contains("BEGIN PRIVATE KEY"));
        let traditional = match kind {
            KeyKind::Rsa => "BEGIN RSA PRIVATE KEY",
            KeyKind::P256 | KeyKind::P384 => "BEGIN EC PRIVATE KEY",
            KeyKind::Ed25519 => "BEGIN PRIVATE KEY",
        };
        assert!(std::str::from_utf8(&leaf.key_traditional)
            .unwrap()
            .contains(traditional));
        for key in [&leaf.key_pkcs8, &leaf.key_traditional] {
            let s = server(&TlsOptions {
                private_key: Some(key),
                ..server_opts(&leaf)
            });
            let result = handshake(client(&verifying_client(&ca)), s);
            assert!(result.is_ok(), "{kind:?}: {result:?}");
        }
    }
}

#[test]
fn peer_verification_uses_the_trust_store_and_can_be_disabled() {
    let (ca, other_ca) = (Ca::new(), Ca::new());
    let leaf = ca.issue(KeyKind::P256, "leaf");
    let s = server(&server_opts(&leaf));
    let untrusting = client(&verifying_client(&other_ca));
    match handshake(untrusting, s.clone()) {
        Err(rustls::Error::InvalidCertificate(_)) => {}
        other => panic!("expected an invalid-certificate error, got {other:?}"),
    }
    let trusting_anyone = client(&TlsOptions {
        verify_peer: false,
        ..verifying_client(&other_ca)
    });
    handshake(trusting_anyone, s).unwrap();
}

#[test]
fn server_verify_peer_requires_a_trusted_client_certificate() {
    let ca = Ca::new();
    let (server_leaf, client_leaf) = (
        ca.issue(KeyKind::P256, "srv"),
        ca.issue(KeyKind::Rsa, "cli"),
    );
    let s = server(&TlsOptions {
        verify_peer: true,
        ca_file: Some(&ca.cert),
        ..server_opts(&server_leaf)
    });
    assert!(handshake(client(&verifying_client(&ca)), s.clone()).is_err());
    let with_cert = client(&TlsOptions {
        certificate: Some(&client_leaf.cert),
        private_key: Some(&client_leaf.key_traditional),
        ..verifying_client(&ca)
    });
    handshake(with_cert, s).unwrap();
}

#[test]
fn minimum_version_and_cipher_preferences() {
    let ca = Ca::new();
    let leaf = ca.issue(KeyKind::P256, "leaf");
    let s = server(&server_opts(&leaf));
    let v = |v: i32| TlsOptions {
        minimum_tls_version: v,
        ..verifying_client(&ca)
    };
    let (c, _) = handshake(client(&v(AWS_IO_TLSv1_3 as i32)), s.clone()).unwrap();
    assert_eq!(c.protocol_version(), Some(rustls::ProtocolVersion::TLSv1_3));
    let only_12 = server(&TlsOptions {
        minimum_tls_version: AWS_IO_TLSv1_2 as i32,
        ..server_opts(&leaf)
    });
    assert!(handshake(client(&v(AWS_IO_TLSv1_3 as i32)), only_12).is_ok());
    handshake(client(&v(AWS_IO_TLS_VER_SYS_DEFAULTS as i32)), s.clone()).unwrap();
    for old in [
        AWS_IO_SSLv3 as i32,
        AWS_IO_TLSv1 as i32,
        AWS_IO_TLSv1_1 as i32,
    ] {
        let e = err(Side::Client, &v(old));
        assert_eq!(e, ConfigError::VersionUnsupported(old));
        assert_eq!(e.code(), AWS_IO_TLS_VERSION_UNSUPPORTED);
    }

    for (pref, ok) in [
        (AWS_IO_TLS_CIPHER_PREF_SYSTEM_DEFAULT, true),
        (AWS_IO_TLS_CIPHER_PREF_NON_PQ_DEFAULT, true),
        (AWS_IO_TLS_CIPHER_PREF_TLSV1_2_2025_07, true),
        (AWS_IO_TLS_CIPHER_PREF_PQ_DEFAULT, true),
        (AWS_IO_TLS_CIPHER_PREF_PQ_TLSV1_2_2024_10, true),
        (AWS_IO_TLS_CIPHER_PREF_TLSV1_0_2023_06, false),
        (AWS_IO_TLS_CIPHER_PREF_KMS_PQ_TLSv1_0_2019_06, false),
        (AWS_IO_TLS_CIPHER_PREF_END_RANGE, false),
    ] {
        let pref = pref as i32;
        assert_eq!(cipher_pref_supported(pref), ok, "{pref}");
        let options = TlsOptions {
            cipher_pref: pref,
            ..verifying_client(&ca)
        };
        match build(Side::Client, &options) {
            Ok(_) => assert!(ok),
            Err(e) => {
                assert!(!ok);
                assert_eq!(e.code(), AWS_IO_TLS_CIPHER_PREF_UNSUPPORTED);
            }
        }
    }

    // A cipher preference replaces the policy of the minimum version, as upstream.
    let strict = client(&TlsOptions {
        cipher_pref: AWS_IO_TLS_CIPHER_PREF_TLSV1_2_2025_07 as i32,
        minimum_tls_version: AWS_IO_TLSv1 as i32,
        ..verifying_client(&ca)
    });
    let (c, _) = handshake(strict, s).unwrap();
    let suite = c.negotiated_cipher_suite().unwrap().suite();
    assert!(format!("{suite:?}").contains("AES"), "{suite:?}");
    let group = c.negotiated_key_exchange_group().unwrap().name();
    assert_eq!(group, rustls::NamedGroup::secp256r1);
}

#[test]
fn key_exchange_groups_follow_the_cipher_preference() {
    use rustls::NamedGroup;
    let ca = Ca::new();
    let leaf = ca.issue(KeyKind::Rsa, "leaf");
    let group_of = |client_pref: i32, server_pref: i32| {
        let c = client(&TlsOptions {
            cipher_pref: client_pref,
            ..verifying_client(&ca)
        });
        let s = server(&TlsOptions {
            cipher_pref: server_pref,
            ..server_opts(&leaf)
        });
        let (c, _) = handshake(c, s).unwrap();
        let suite = c.negotiated_cipher_suite().unwrap().suite();
        (c.negotiated_key_exchange_group().unwrap().name(), suite)
    };
    let default = AWS_IO_TLS_CIPHER_PREF_SYSTEM_DEFAULT as i32;
    // Upstream's default and PQ policies negotiate the ML-KEM hybrid.
    let (group, suite) = group_of(default, default);
    assert_eq!(group, NamedGroup::X25519MLKEM768);
    assert_eq!(suite, rustls::CipherSuite::TLS13_AES_128_GCM_SHA256);
    let pq = AWS_IO_TLS_CIPHER_PREF_PQ_DEFAULT as i32;
    assert_eq!(group_of(pq, default).0, NamedGroup::X25519MLKEM768);
    let pq24 = AWS_IO_TLS_CIPHER_PREF_PQ_TLSV1_2_2024_10 as i32;
    assert_eq!(group_of(pq24, pq).0, NamedGroup::X25519MLKEM768);
    // Either side without post-quantum: X25519 (not rustls' default P-384).
    let classic = AWS_IO_TLS_CIPHER_PREF_NON_PQ_DEFAULT as i32;
    assert_eq!(group_of(classic, default).0, NamedGroup::X25519);
    assert_eq!(group_of(default, classic).0, NamedGroup::X25519);
    let nist = AWS_IO_TLS_CIPHER_PREF_TLSV1_2_2025_07 as i32;
    assert_eq!(group_of(default, nist).0, NamedGroup::secp256r1);
}

#[test]
fn bad_certificates_and_keys() {
    let ca = Ca::new();
    let (leaf, other) = (
        ca.issue(KeyKind::P256, "leaf"),
        ca.issue(KeyKind::P256, "other"),
    );
    let mut latin1 = leaf.cert.clone();
    latin1.push(0xE9);
    let e = err(
        Side::Server,
        &TlsOptions {
            certificate: Some(&latin1),
            ..server_opts(&leaf)
        },
    );
    assert_eq!(e.code(), AWS_IO_FILE_VALIDATION_FAILURE);
    let e = err(
        Side::Server,
        &TlsOptions {
            private_key: Some(b"\xff"),
            ..server_opts(&leaf)
        },
    );
    assert_eq!(e.code(), AWS_IO_FILE_VALIDATION_FAILURE);

    let junk = b"-----BEGIN CERTIFICATE-----\nQUJD\n-----END CERTIFICATE-----\n";
    let no_key = b"-----BEGIN CERTIFICATE-----\nQUJD\n-----END CERTIFICATE-----\n";
    let encrypted =
        b"-----BEGIN ENCRYPTED PRIVATE KEY-----\nQUJD\n-----END ENCRYPTED PRIVATE KEY-----\n";
    for (cert, key) in [
        (&junk[..], &leaf.key_pkcs8[..]),
        (&leaf.key_pkcs8[..], &leaf.key_pkcs8[..]),
        (&leaf.cert[..], &no_key[..]),
        (&leaf.cert[..], &encrypted[..]),
        (&leaf.cert[..], &other.key_pkcs8[..]),
    ] {
        for side in [Side::Client, Side::Server] {
            let e = err(
                side,
                &TlsOptions {
                    certificate: Some(cert),
                    private_key: Some(key),
                    ..Default::default()
                },
            );
            assert_eq!(e.code(), AWS_IO_TLS_CTX_ERROR, "{e}");
        }
    }
    // Only one of the two set: no identity, as upstream.
    server(&TlsOptions {
        certificate: Some(&leaf.cert),
        ..Default::default()
    });
}

#[test]
fn a_server_without_a_certificate_builds_but_cannot_handshake() {
    let ca = Ca::new();
    let s = server(&TlsOptions::default());
    assert!(handshake(client(&verifying_client(&ca)), s).is_err());
}

/// A key-operation handler in Rust: records what it is asked, then fails
/// the operation with AWS_IO_TLS_SIGNATURE_ALGORITHM_UNSUPPORTED.
#[repr(C)]
struct RecordingHandler {
    base: aws_custom_key_op_handler,
    seen: std::sync::Mutex<Vec<(i32, i32, i32, usize)>>,
}

unsafe extern "C" fn record_and_fail(
    handler: *mut aws_custom_key_op_handler,
    op: *mut crate::io::abi::aws_tls_key_operation,
) {
    use crate::io::tls::key_ops::*;
    // SAFETY: only RecordingHandlers have this vtable; the operation is live
    // until completed.
    unsafe {
        let h = &*(handler as *const RecordingHandler);
        h.seen.lock().unwrap().push((
            aws_tls_key_operation_get_type(op),
            aws_tls_key_operation_get_signature_algorithm(op),
            aws_tls_key_operation_get_digest_algorithm(op),
            aws_tls_key_operation_get_input(op).len,
        ));
        aws_tls_key_operation_complete_with_error(op, AWS_IO_TLS_SIGNATURE_ALGORITHM_UNSUPPORTED);
    }
}

static RECORDING_VTABLE: aws_custom_key_op_handler_vtable = aws_custom_key_op_handler_vtable {
    on_key_operation: Some(record_and_fail),
};

fn recording_handler() -> Box<RecordingHandler> {
    let mut h = Box::new(RecordingHandler {
        base: aws_custom_key_op_handler {
            r#impl: std::ptr::null_mut(),
            vtable: &RECORDING_VTABLE,
            // SAFETY: all-zero is an unset ref count, initialized below.
            ref_count: unsafe { std::mem::zeroed() },
        },
        seen: Default::default(),
    });
    let p = &mut *h as *mut RecordingHandler as *mut libc::c_void;
    h.base.ref_count.init(p, None);
    h
}

fn handler_ref(h: &mut RecordingHandler) -> Arc<HandlerRef> {
    // SAFETY: a live handler; the Box outlives every reference in the test.
    Arc::new(unsafe { HandlerRef::acquire(&mut h.base) }.unwrap())
}

#[test]
fn custom_key_operations_sign_tls12_client_handshakes_through_the_handler() {
    let ca = Ca::new();
    let server_leaf = ca.issue(KeyKind::P256, "srv");
    let s = server(&TlsOptions {
        verify_peer: true,
        ca_file: Some(&ca.cert),
        ..server_opts(&server_leaf)
    });
    for (kind, signature) in [
        (KeyKind::Rsa, AWS_TLS_SIGNATURE_RSA),
        (KeyKind::P256, AWS_TLS_SIGNATURE_ECDSA),
        (KeyKind::P384, AWS_TLS_SIGNATURE_ECDSA),
    ] {
        let leaf = ca.issue(kind, "cli");
        let mut h = recording_handler();
        let c = client(&TlsOptions {
            certificate: Some(&leaf.cert),
            custom_key_op: Some(handler_ref(&mut h)),
            ..verifying_client(&ca)
        });
        assert!(handshake(c, s.clone()).is_err());
        let (digest, len) = match kind {
            KeyKind::P384 => (AWS_TLS_HASH_SHA384, 48),
            _ => (AWS_TLS_HASH_SHA256, 32),
        };
        let seen = h.seen.lock().unwrap().clone();
        assert_eq!(
            seen,
            vec![(
                AWS_TLS_KEY_OPERATION_SIGN as i32,
                signature as i32,
                digest as i32,
                len
            )],
            "{kind:?}"
        );
        // The configuration was the last holder of a reference.
        assert_eq!(h.base.ref_count.ref_count.value as usize, 1, "{kind:?}");
    }
}

#[test]
fn custom_key_operations_need_a_usable_certificate_and_tls12() {
    let ca = Ca::new();
    let leaf = ca.issue(KeyKind::P256, "cli");
    let ed = ca.issue(KeyKind::Ed25519, "ed");
    let mut h = recording_handler();
    let mut with = |cert: Option<&'static [u8]>| TlsOptions {
        certificate: cert,
        custom_key_op: Some(handler_ref(&mut h)),
        ..Default::default()
    };
    // No certificate, or one with a key we cannot have signed: as s2n, a
    // context error.
    assert_eq!(err(Side::Client, &with(None)).code(), AWS_IO_TLS_CTX_ERROR);
    let ed_cert: &'static [u8] = Vec::leak(ed.cert.clone());
    assert_eq!(
        err(Side::Client, &with(Some(ed_cert))).code(),
        AWS_IO_TLS_CTX_ERROR
    );
    let cert: &'static [u8] = Vec::leak(leaf.cert.clone());
    let e = err(
        Side::Client,
        &TlsOptions {
            minimum_tls_version: AWS_IO_TLSv1_3 as i32,
            cipher_pref: AWS_IO_TLS_CIPHER_PREF_PQ_DEFAULT as i32,
            ..with(Some(cert))
        },
    );
    assert_eq!(e.code(), AWS_IO_TLS_VERSION_UNSUPPORTED);
    assert_eq!(
        err(Side::Server, &with(Some(cert))).code(),
        AWS_ERROR_UNIMPLEMENTED
    );
    // TLS 1.2 against a server that has 1.3 too; a certificate with its key
    // wins over the handler, as upstream, but the version stays 1.2.
    let s = server(&server_opts(&leaf));
    let with_key = client(&TlsOptions {
        private_key: Some(&leaf.key_pkcs8),
        ..with(Some(cert))
    });
    for c in [client(&with(Some(cert))), with_key] {
        let (c, _) = handshake(c, s.clone()).unwrap();
        assert_eq!(c.protocol_version(), Some(rustls::ProtocolVersion::TLSv1_2));
    }
    assert!(h.seen.lock().unwrap().is_empty());
    // Every reference was given back.
    assert_eq!(h.base.ref_count.ref_count.value as usize, 1);
}

#[test]
fn alpn_lists() {
    assert_eq!(parse_alpn_list(b"h2").unwrap(), vec![b"h2".to_vec()]);
    assert_eq!(parse_alpn_list(b"a;b;c;d").unwrap().len(), 4);
    for bad in [&b""[..], b"a;b;c;d;e", b"h2;", b";h2", b"a;;b"] {
        assert_eq!(
            parse_alpn_list(bad).unwrap_err().code(),
            AWS_IO_TLS_CTX_ERROR
        );
    }
    assert!(parse_alpn_list(&[b'x'; 256]).is_err());
    assert!(parse_alpn_list(&[b'x'; 255]).is_ok());

    let ca = Ca::new();
    let leaf = ca.issue(KeyKind::P256, "leaf");
    let s = server(&TlsOptions {
        alpn_list: Some(b"h2;http/1.1"),
        ..server_opts(&leaf)
    });
    let c = client(&TlsOptions {
        alpn_list: Some(b"x-amzn-http-ca;http/1.1"),
        ..verifying_client(&ca)
    });
    assert_eq!(
        c.alpn_protocols,
        vec![b"x-amzn-http-ca".to_vec(), b"http/1.1".to_vec()]
    );
    let (c, _) = handshake(c, s).unwrap();
    assert_eq!(c.alpn_protocol(), Some(&b"http/1.1"[..]));
    let e = err(
        Side::Server,
        &TlsOptions {
            alpn_list: Some(b"a;b;c;d;e"),
            ..server_opts(&leaf)
        },
    );
    assert_eq!(e.code(), AWS_IO_TLS_CTX_ERROR);
}

fn subject_hash(dir: &Path, cert: &[u8]) -> String {
    std::fs::write(dir.join("for-hash.pem"), cert).unwrap();
    let out = std::process::Command::new("openssl")
        .args(["x509", "-hash", "-noout", "-in", "for-hash.pem"])
        .current_dir(dir)
        .output()
        .unwrap();
    std::fs::remove_file(dir.join("for-hash.pem")).unwrap();
    String::from_utf8(out.stdout).unwrap().trim().to_string()
}

#[test]
fn hashed_ca_directory() {
    let ca = Ca::new();
    let leaf = ca.issue(KeyKind::Ed25519, "leaf");
    let s = server(&server_opts(&leaf));
    let dir = TempDir::new();
    // Only OpenSSL-hashed names are read, as OpenSSL's lookup would.
    std::fs::write(dir.path().join("ca.pem"), &ca.cert).unwrap();
    let e = err(
        Side::Client,
        &TlsOptions {
            verify_peer: true,
            ca_path: Some(dir.path()),
            ..Default::default()
        },
    );
    assert_eq!(e.code(), AWS_IO_TLS_CTX_ERROR);
    let hash = subject_hash(dir.path(), &ca.cert);
    std::fs::write(dir.path().join(format!("{hash}.0")), &ca.cert).unwrap();
    let c = client(&TlsOptions {
        verify_peer: true,
        ca_path: Some(dir.path()),
        ..Default::default()
    });
    handshake(c, s).unwrap();
    let e = err(
        Side::Client,
        &TlsOptions {
            verify_peer: true,
            ca_path: Some(Path::new("/nonexistent/aws-es-rs")),
            ..Default::default()
        },
    );
    assert_eq!(e.code(), AWS_IO_TLS_CTX_ERROR);
    let e = err(
        Side::Client,
        &TlsOptions {
            verify_peer: true,
            ca_file: Some(b"-----BEGIN X-----\nQUJD\n-----END X-----\n"),
            ..Default::default()
        },
    );
    assert_eq!(e.code(), AWS_IO_TLS_CTX_ERROR);
}

#[test]
fn the_default_trust_store_is_the_systems() {
    match super::trust::default_locations() {
        (None, None) => {
            let e = err(
                Side::Client,
                &TlsOptions {
                    verify_peer: true,
                    ..Default::default()
                },
            );
            assert_eq!(e.code(), AWS_IO_TLS_ERROR_DEFAULT_TRUST_STORE_NOT_FOUND);
        }
        _ => {
            client(&TlsOptions {
                verify_peer: true,
                ..Default::default()
            });
        }
    }
}
