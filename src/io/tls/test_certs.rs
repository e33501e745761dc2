//! Test certificates made at test time with the `openssl` command (no keys
//! are committed): a CA and leaf certificates of each key type the ring
//! provider signs with, their keys in PKCS#8 and in the traditional
//! PKCS#1 / SEC1 encodings.
use std::path::{Path, PathBuf};
use std::process::Command;
use std::sync::atomic::{AtomicUsize, Ordering};

/// A scratch directory removed on drop.
pub struct TempDir(PathBuf);

impl TempDir {
    pub fn new() -> Self {
        static N: AtomicUsize = AtomicUsize::new(0);
        let dir = std::env::temp_dir().join(format!(
            "aws-es-rs-tls-{}-{}",
            std::process::id(),
            N.fetch_add(1, Ordering::Relaxed)
        ));
        std::fs::create_dir_all(&dir).unwrap();
        TempDir(dir)
    }

    pub fn path(&self) -> &Path {
        &self.0
    }
}

impl Drop for TempDir {
    fn drop(&mut self) {
        let _ = std::fs::remove_dir_all(&self.0);
    }
}

#[derive(Clone, Copy, Debug)]
pub enum KeyKind {
    Rsa,
    P256,
    P384,
    Ed25519,
}

impl KeyKind {
    fn genpkey_args(self) -> &'static [&'static str] {
        match self {
            KeyKind::Rsa => &["-algorithm", "RSA", "-pkeyopt", "rsa_keygen_bits:2048"],
            KeyKind::P256 => &["-algorithm", "EC", "-pkeyopt", "ec_paramgen_curve:P-256"],
            KeyKind::P384 => &["-algorithm", "EC", "-pkeyopt", "ec_paramgen_curve:P-384"],
            KeyKind::Ed25519 => &["-algorithm", "ED25519"],
        }
    }
}

fn openssl(dir: &Path, args: &[&str]) {
    let out = Command::new("openssl")
        .args(args)
        .current_dir(dir)
        .output()
        .expect("the openssl command is needed to make test certificates");
    assert!(
        out.status.success(),
        "openssl {args:?} failed: {}",
        String::from_utf8_lossy(&out.stderr)
    );
}

fn read(dir: &Path, name: &str) -> Vec<u8> {
    std::fs::read(dir.join(name)).unwrap()
}

/// A certificate authority that issues leaf certificates.
pub struct Ca {
    pub dir: TempDir,
    pub cert: Vec<u8>,
}

/// A leaf certificate (CN and SAN "localhost", 127.0.0.1) and its key.
pub struct Leaf {
    pub cert: Vec<u8>,
    /// `PRIVATE KEY` (PKCS#8).
    pub key_pkcs8: Vec<u8>,
    /// `RSA PRIVATE KEY` / `EC PRIVATE KEY`; PKCS#8 again for Ed25519.
    pub key_traditional: Vec<u8>,
}

impl Ca {
    pub fn new() -> Self {
        let dir = TempDir::new();
        let d = dir.path();
        openssl(
            d,
            &[
                "genpkey",
                "-algorithm",
                "EC",
                "-pkeyopt",
                "ec_paramgen_curve:P-256",
                "-out",
                "ca.key",
            ],
        );
        openssl(
            d,
            &[
                "req",
                "-x509",
                "-new",
                "-key",
                "ca.key",
                "-subj",
                "/CN=aws-es-rs test CA",
                "-days",
                "2",
                "-out",
                "ca.pem",
            ],
        );
        let cert = read(d, "ca.pem");
        Ca { dir, cert }
    }

    /// A leaf certificate of `kind` signed by this CA, named `name`.
    pub fn issue(&self, kind: KeyKind, name: &str) -> Leaf {
        let d = self.dir.path();
        let (key, csr, pem, trad) = (
            format!("{name}.key"),
            format!("{name}.csr"),
            format!("{name}.pem"),
            format!("{name}.trad.key"),
        );
        let mut args = vec!["genpkey"];
        args.extend_from_slice(kind.genpkey_args());
        args.extend_from_slice(&["-out", &key]);
        openssl(d, &args);
        openssl(
            d,
            &[
                "req",
                "-new",
                "-key",
                &key,
                "-subj",
                "/CN=localhost",
                "-out",
                &csr,
            ],
        );
        std::fs::write(
            d.join("leaf.ext"),
            "basicConstraints=CA:FALSE\nsubjectAltName=DNS:localhost,IP:127.0.0.1\n\
             keyUsage=digitalSignature,keyEncipherment\nextendedKeyUsage=serverAuth,clientAuth\n",
        )
        .unwrap();
        openssl(
            d,
            &[
                "x509",
                "-req",
                "-in",
                &csr,
                "-CA",
                "ca.pem",
                "-CAkey",
                "ca.key",
                "-CAcreateserial",
                "-days",
                "2",
                "-extfile",
                "leaf.ext",
                "-out",
                &pem,
            ],
        );
        match kind {
            // Ed25519 keys have no traditional encoding.
            KeyKind::Ed25519 => std::fs::copy(d.join(&key), d.join(&trad))
                .map(|_| ())
                .unwrap(),
            _ => openssl(d, &["pkey", "-in", &key, "-traditional", "-out", &trad]),
        }
        Leaf {
            cert: read(d, &pem),
            key_pkcs8: read(d, &key),
            key_traditional: read(d, &trad),
        }
    }
}
