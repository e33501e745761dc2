//! PKCS#11 (`pkcs11.h` and upstream's private `pkcs11_private.h`): load a
//! Cryptoki module with dlopen and use a private key on its token, as
//! upstream does on Linux.
//!
//! - `cryptoki`: the standard's C types, constants and return values.
//! - `library`: `aws_pkcs11_lib` (load, initialize, ref count, unload).
//! - `token`: slots, sessions, login, finding the private key.
//! - `crypto`: decrypt and sign with that key; `asn1`: the DER they need.
//! - `tls_op_handler`: a custom key-operation handler over one session.
pub mod asn1;
pub mod crypto;
pub mod cryptoki;
pub mod library;
pub mod tls_op_handler;
pub mod token;
