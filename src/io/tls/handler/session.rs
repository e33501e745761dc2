//! The rustls side of one TLS handler. A server starts by reading the
//! ClientHello with an `Acceptor`, so it can answer a client whose ALPN list
//! shares nothing with its own as s2n does (no protocol, handshake goes on)
//! where a rustls server would refuse it.
use std::io;
use std::sync::Arc;

use rustls::server::Acceptor;
use rustls::{Connection, ServerConfig};

// One per handler, inside its allocation: the variants' size difference costs nothing.
#[allow(clippy::large_enum_variant)]
pub(super) enum Session {
    Accepting {
        acceptor: Acceptor,
        config: Arc<ServerConfig>,
        /// An alert for a ClientHello that could not be accepted.
        alert: Vec<u8>,
    },
    Open(Connection),
}

impl Session {
    pub(super) fn server(config: Arc<ServerConfig>) -> Self {
        Session::Accepting {
            acceptor: Acceptor::default(),
            config,
            alert: Vec::new(),
        }
    }

    pub(super) fn open(mut conn: Connection) -> Self {
        // Every write is flushed at once, so rustls need not cap its buffer.
        conn.set_buffer_limit(None);
        Session::Open(conn)
    }

    pub(super) fn conn(&mut self) -> Option<&mut Connection> {
        match self {
            Session::Open(c) => Some(c),
            Session::Accepting { .. } => None,
        }
    }

    pub(super) fn wants_read(&self) -> bool {
        match self {
            Session::Open(c) => c.wants_read(),
            Session::Accepting { alert, .. } => alert.is_empty(),
        }
    }

    pub(super) fn read_tls(&mut self, rd: &mut dyn io::Read) -> io::Result<usize> {
        match self {
            Session::Open(c) => c.read_tls(rd),
            Session::Accepting { acceptor, .. } => acceptor.read_tls(rd),
        }
    }

    /// Processes what was read; a server becomes open once the whole
    /// ClientHello is in.
    pub(super) fn process(&mut self) -> Result<(), rustls::Error> {
        let (acceptor, config, alert) = match self {
            Session::Open(c) => return c.process_new_packets().map(|_| ()),
            Session::Accepting {
                acceptor,
                config,
                alert,
            } => (acceptor, config, alert),
        };
        let accepted = match acceptor.accept() {
            Ok(None) => return Ok(()),
            Ok(Some(accepted)) => accepted,
            Err((e, mut a)) => {
                let _ = a.write_all(alert);
                return Err(e);
            }
        };
        let config = alpn_config(config, accepted.client_hello().alpn());
        let conn = match accepted.into_connection(config) {
            Ok(conn) => conn,
            Err((e, mut a)) => {
                let _ = a.write_all(alert);
                return Err(e);
            }
        };
        *self = Session::open(Connection::Server(conn));
        self.process()
    }

    pub(super) fn wants_write(&self) -> bool {
        match self {
            Session::Open(c) => c.wants_write(),
            Session::Accepting { alert, .. } => !alert.is_empty(),
        }
    }

    pub(super) fn write_tls(&mut self, wr: &mut dyn io::Write) -> io::Result<usize> {
        match self {
            Session::Open(c) => c.write_tls(wr),
            Session::Accepting { alert, .. } => {
                let n = wr.write(alert)?;
                alert.drain(..n);
                Ok(n)
            }
        }
    }

    pub(super) fn is_handshaking(&self) -> bool {
        match self {
            Session::Open(c) => c.is_handshaking(),
            Session::Accepting { .. } => true,
        }
    }
}

/// The server's configuration for one ClientHello: without a protocol in
/// common, no ALPN at all (s2n's behaviour) instead of a refusal.
fn alpn_config<'a>(
    config: &Arc<ServerConfig>,
    offered: Option<impl Iterator<Item = &'a [u8]>>,
) -> Arc<ServerConfig> {
    let ours = &config.alpn_protocols;
    let shared = match offered {
        Some(mut theirs) => theirs.any(|p| ours.iter().any(|o| o.as_slice() == p)),
        None => true,
    };
    if ours.is_empty() || shared {
        return config.clone();
    }
    let mut c = (**config).clone();
    c.alpn_protocols.clear();
    Arc::new(c)
}
