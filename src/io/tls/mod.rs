//! TLS on rustls (aws-lc-rs provider): the options, contexts, connection options
//! and channel handler of `tls_channel_handler.h`.
//!
//! - `pem`, `trust`, `verify`, `x509`, `config`: the safe core (options → rustls
//!   `ClientConfig`/`ServerConfig`).
//! - `ctx`: the C `aws_tls_ctx` that owns a built configuration.
//! - `alpn`: upstream's ALPN handler (the bootstraps' `on_protocol_negotiated`).
//! - `handler/`: the TLS channel handler (rustls connection); its C API and
//!   bootstrap installation in `handler/capi.rs`.
//! - `capi/`: the `aws_tls_*` shims of options (`options.rs`), other
//!   platforms' options (`platform.rs`), contexts and connection options
//!   (`connection.rs`); `key_ops`: custom private-key operations (the C
//!   handler signs a client's TLS 1.2 CertificateVerify); `shared`: upstream's back-end-shared handshake
//!   timeout and statistics helpers.
pub mod alpn;
pub mod capi;
pub mod config;
pub mod ctx;
pub mod handler;
pub mod key_ops;
pub mod pem;
pub mod shared;
pub mod trust;
pub mod verify;
pub mod x509;

#[cfg(test)]
mod test_certs;
#[cfg(test)]
mod tests;
