//! Message framing for a byte stream (what the event-stream channel handler
//! reads): splits arriving bytes into whole messages, checked as upstream's
//! channel handler checks them, with upstream's errors for each fault.
//!
//! Order of checks (upstream's framing, recorded per vector as
//! `expected_channel_error` in shared/vectors/index.json): once the 12-byte
//! prelude is in, `total_length` above 24 MiB is `MESSAGE_FIELD_SIZE_EXCEEDED`,
//! below 16 is `BUFFER_LENGTH_MISMATCH`, a prelude CRC mismatch is
//! `PRELUDE_CHECKSUM_FAILURE`; the whole message then goes through
//! [`validate_message`] (message CRC, headers length). Headers are not parsed
//! here: that is the RPC layer's job, as upstream.
//!
//! Sans-IO and copy-free where it can be: a message that lies whole inside
//! one input chunk is handed out as a view of that chunk; only a message
//! split across chunks is assembled, in a buffer that grows with the bytes
//! that actually arrived (a declared 16 MiB length allocates nothing up front).
use super::wire::error::WireError;
use super::wire::limits::{MAX_MESSAGE_SIZE, MIN_MESSAGE_LEN, PRELUDE_LEN};
use super::wire::message::{validate_message, MessageView};
use super::wire::prelude::Prelude;

pub struct Framer {
    /// Bytes of a message split across chunks (empty between messages).
    partial: Vec<u8>,
    /// `total_length` of the partial message once its prelude checked out.
    expected: Option<usize>,
    /// After an error the stream cannot be resynchronised: everything fails.
    failed: Option<WireError>,
    /// Largest `total_length` accepted (the wire's 24 MiB unless lowered).
    max_message: usize,
}

impl Default for Framer {
    fn default() -> Self {
        Framer {
            partial: Vec::new(),
            expected: None,
            failed: None,
            max_message: MAX_MESSAGE_SIZE,
        }
    }
}

/// Checks a complete prelude as upstream's framing does; returns the total length.
fn check_prelude(prelude: &[u8; PRELUDE_LEN], max: usize) -> Result<usize, WireError> {
    let p = Prelude::parse(prelude);
    let total = p.total_len as usize;
    if total > max {
        return Err(WireError::MessageFieldSizeExceeded);
    }
    if total < MIN_MESSAGE_LEN {
        return Err(WireError::BufferLengthMismatch);
    }
    if Prelude::computed_crc(prelude) != p.prelude_crc {
        return Err(WireError::PreludeChecksumFailure);
    }
    Ok(total)
}

impl Framer {
    pub fn new() -> Self {
        Self::default()
    }

    /// Lowers the largest message accepted below the wire's 24 MiB (a
    /// server's protection; larger values are capped at the wire limit). A
    /// larger message fails as one above 24 MiB does:
    /// `MessageFieldSizeExceeded`.
    pub fn set_max_message_size(&mut self, max: usize) {
        self.max_message = max.clamp(MIN_MESSAGE_LEN, MAX_MESSAGE_SIZE);
    }

    /// True between messages (nothing buffered).
    pub fn is_idle(&self) -> bool {
        self.partial.is_empty()
    }

    /// Bytes held for an unfinished message.
    pub fn buffered(&self) -> usize {
        self.partial.len()
    }

    /// Feeds `input`; calls `on_message(view, wire_len)` for each whole valid
    /// message, in order. `on_message` returns false to stop (the channel is
    /// going away); the bytes not yet framed are then dropped. The first fault
    /// ends framing for good and is returned (messages before it were
    /// delivered).
    pub fn feed(
        &mut self,
        mut input: &[u8],
        mut on_message: impl FnMut(MessageView<'_>, usize) -> bool,
    ) -> Result<(), WireError> {
        if let Some(e) = self.failed {
            return Err(e);
        }
        let result = (|| {
            while !input.is_empty() {
                if self.partial.is_empty() {
                    // Fast path: whole messages straight out of the input.
                    if input.len() < PRELUDE_LEN {
                        self.partial.extend_from_slice(input);
                        return Ok(());
                    }
                    let total = check_prelude(
                        input[..PRELUDE_LEN].try_into().expect("12"),
                        self.max_message,
                    )?;
                    if input.len() < total {
                        self.partial.extend_from_slice(input);
                        self.expected = Some(total);
                        return Ok(());
                    }
                    let view = validate_message(&input[..total])?;
                    input = &input[total..];
                    if !on_message(view, total) {
                        return Ok(());
                    }
                    continue;
                }
                // Slow path: finish the partial message.
                let total = match self.expected {
                    Some(t) => t,
                    None => {
                        let need = PRELUDE_LEN - self.partial.len();
                        let take = need.min(input.len());
                        self.partial.extend_from_slice(&input[..take]);
                        input = &input[take..];
                        if self.partial.len() < PRELUDE_LEN {
                            return Ok(());
                        }
                        let t = check_prelude(
                            self.partial[..].try_into().expect("12"),
                            self.max_message,
                        )?;
                        self.expected = Some(t);
                        t
                    }
                };
                let take = (total - self.partial.len()).min(input.len());
                self.partial.extend_from_slice(&input[..take]);
                input = &input[take..];
                if self.partial.len() < total {
                    return Ok(());
                }
                let whole = std::mem::take(&mut self.partial);
                self.expected = None;
                let view = validate_message(&whole)?;
                let go_on = on_message(view, total);
                // Keep the allocation for the next split message.
                self.partial = whole;
                self.partial.clear();
                if !go_on {
                    return Ok(());
                }
            }
            Ok(())
        })();
        if let Err(e) = result {
            self.failed = Some(e);
            self.partial = Vec::new();
        }
        result
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::event_stream::wire::header::{Header, HeaderValue};
    use crate::event_stream::wire::message::Message;

    fn msg(payload_len: usize) -> Vec<u8> {
        Message::new(
            vec![Header::new("k", HeaderValue::String("v".into()))],
            vec![7u8; payload_len],
        )
        .to_bytes()
        .unwrap()
        .to_vec()
    }

    fn frame_all(chunks: &[&[u8]]) -> (Vec<Vec<u8>>, Result<(), WireError>) {
        let mut f = Framer::new();
        let mut out = Vec::new();
        for c in chunks {
            let r = f.feed(c, |v, len| {
                assert_eq!(v.prelude.total_len as usize, len);
                out.push(v.payload.to_vec());
                true
            });
            if r.is_err() {
                return (out, r);
            }
        }
        (out, Ok(()))
    }

    #[test]
    fn every_split_point_yields_the_same_messages() {
        let mut stream = msg(0);
        stream.extend(msg(300));
        stream.extend(msg(5));
        for cut in 0..=stream.len() {
            let (a, b) = stream.split_at(cut);
            let (out, r) = frame_all(&[a, b]);
            assert!(r.is_ok());
            assert_eq!(out.iter().map(|p| p.len()).collect::<Vec<_>>(), [0, 300, 5]);
        }
        let bytes: Vec<&[u8]> = stream.chunks(1).collect();
        assert_eq!(frame_all(&bytes).0.len(), 3);
    }

    #[test]
    fn faults_get_upstream_framing_errors() {
        let good = msg(10);
        let mut bad_prelude = good.clone();
        bad_prelude[9] ^= 1;
        assert_eq!(
            frame_all(&[&bad_prelude]).1,
            Err(WireError::PreludeChecksumFailure)
        );
        let mut bad_body = good.clone();
        let n = bad_body.len();
        bad_body[n - 6] ^= 1;
        assert_eq!(
            frame_all(&[&bad_body]).1,
            Err(WireError::MessageChecksumFailure)
        );
        // After a fault everything fails, even good bytes.
        let mut f = Framer::new();
        assert!(f.feed(&bad_prelude, |_, _| true).is_err());
        assert_eq!(
            f.feed(&good, |_, _| true),
            Err(WireError::PreludeChecksumFailure)
        );
    }

    #[test]
    fn a_lowered_limit_fails_larger_messages_at_the_prelude() {
        let small = msg(10);
        let big = msg(200);
        let mut f = Framer::new();
        f.set_max_message_size(100);
        let mut n = 0;
        assert!(f
            .feed(&small, |_, _| {
                n += 1;
                true
            })
            .is_ok());
        // Only the prelude of the big one has arrived: it already fails.
        assert_eq!(
            f.feed(&big[..12], |_, _| true),
            Err(WireError::MessageFieldSizeExceeded)
        );
        assert_eq!(n, 1);
    }

    #[test]
    fn a_huge_declared_length_allocates_only_what_arrived() {
        let mut prelude = Prelude::new(16 * 1024 * 1024, 0).to_bytes().to_vec();
        prelude.extend_from_slice(&[0u8; 100]);
        let mut f = Framer::new();
        assert!(f.feed(&prelude, |_, _| true).is_ok());
        assert_eq!(f.buffered(), 112);
        assert!(f.partial.capacity() < 4096);
    }
}
