//! Errors of the codec, carrying upstream's numeric error codes.

use std::fmt;

use crate::common::error::error_name;
use crate::common::error_codes::*;

/// A codec failure. Each variant is one upstream error code; see [`WireError::aws_error_code`].
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum WireError {
    BufferLengthMismatch,
    InsufficientBufferLen,
    MessageFieldSizeExceeded,
    PreludeChecksumFailure,
    MessageChecksumFailure,
    MessageInvalidHeadersLen,
    MessageUnknownHeaderType,
    MessageParserIllegalState,
    MessageTooManyHeaders,
}

impl WireError {
    /// Every variant, for tables and tests.
    pub const ALL: [WireError; 9] = [
        WireError::BufferLengthMismatch,
        WireError::InsufficientBufferLen,
        WireError::MessageFieldSizeExceeded,
        WireError::PreludeChecksumFailure,
        WireError::MessageChecksumFailure,
        WireError::MessageInvalidHeadersLen,
        WireError::MessageUnknownHeaderType,
        WireError::MessageParserIllegalState,
        WireError::MessageTooManyHeaders,
    ];

    /// The upstream numeric error code (what `aws_last_error()` would return).
    pub fn aws_error_code(&self) -> i32 {
        match self {
            WireError::BufferLengthMismatch => AWS_ERROR_EVENT_STREAM_BUFFER_LENGTH_MISMATCH,
            WireError::InsufficientBufferLen => AWS_ERROR_EVENT_STREAM_INSUFFICIENT_BUFFER_LEN,
            WireError::MessageFieldSizeExceeded => {
                AWS_ERROR_EVENT_STREAM_MESSAGE_FIELD_SIZE_EXCEEDED
            }
            WireError::PreludeChecksumFailure => AWS_ERROR_EVENT_STREAM_PRELUDE_CHECKSUM_FAILURE,
            WireError::MessageChecksumFailure => AWS_ERROR_EVENT_STREAM_MESSAGE_CHECKSUM_FAILURE,
            WireError::MessageInvalidHeadersLen => {
                AWS_ERROR_EVENT_STREAM_MESSAGE_INVALID_HEADERS_LEN
            }
            WireError::MessageUnknownHeaderType => {
                AWS_ERROR_EVENT_STREAM_MESSAGE_UNKNOWN_HEADER_TYPE
            }
            WireError::MessageParserIllegalState => {
                AWS_ERROR_EVENT_STREAM_MESSAGE_PARSER_ILLEGAL_STATE
            }
            WireError::MessageTooManyHeaders => AWS_ERROR_EVENT_STREAM_MESSAGE_TOO_MANY_HEADERS,
        }
    }

    /// The upstream symbolic name, e.g. `AWS_ERROR_EVENT_STREAM_BUFFER_LENGTH_MISMATCH`.
    pub fn aws_error_name(&self) -> &'static str {
        error_name(self.aws_error_code())
    }

    /// Looks a variant up by its upstream symbolic name.
    pub fn from_aws_error_name(name: &str) -> Option<WireError> {
        WireError::ALL
            .into_iter()
            .find(|e| e.aws_error_name() == name)
    }
}

impl fmt::Display for WireError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.aws_error_name())
    }
}

impl std::error::Error for WireError {}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn codes_and_names_are_upstreams() {
        assert_eq!(WireError::BufferLengthMismatch.aws_error_code(), 4096);
        assert_eq!(WireError::MessageParserIllegalState.aws_error_code(), 4103);
        assert_eq!(WireError::MessageTooManyHeaders.aws_error_code(), 4108);
        for e in WireError::ALL {
            assert_eq!(WireError::from_aws_error_name(e.aws_error_name()), Some(e));
        }
        assert_eq!(WireError::from_aws_error_name("nope"), None);
    }
}
