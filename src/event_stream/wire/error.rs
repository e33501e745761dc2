//! Errors of the codec, carrying upstream's numeric error codes.

use std::fmt;

/// A codec failure. Each variant is one upstream error code; see [`WireError::aws_error_code`].
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum WireError {
    /// `AWS_ERROR_EVENT_STREAM_BUFFER_LENGTH_MISMATCH` (4096)
    BufferLengthMismatch,
    /// `AWS_ERROR_EVENT_STREAM_INSUFFICIENT_BUFFER_LEN` (4097)
    InsufficientBufferLen,
    /// `AWS_ERROR_EVENT_STREAM_MESSAGE_FIELD_SIZE_EXCEEDED` (4098)
    MessageFieldSizeExceeded,
    /// `AWS_ERROR_EVENT_STREAM_PRELUDE_CHECKSUM_FAILURE` (4099)
    PreludeChecksumFailure,
    /// `AWS_ERROR_EVENT_STREAM_MESSAGE_CHECKSUM_FAILURE` (4100)
    MessageChecksumFailure,
    /// `AWS_ERROR_EVENT_STREAM_MESSAGE_INVALID_HEADERS_LEN` (4101)
    MessageInvalidHeadersLen,
    /// `AWS_ERROR_EVENT_STREAM_MESSAGE_UNKNOWN_HEADER_TYPE` (4102)
    MessageUnknownHeaderType,
    /// `AWS_ERROR_EVENT_STREAM_MESSAGE_PARSER_ILLEGAL_STATE` (4103)
    MessageParserIllegalState,
    /// `AWS_ERROR_EVENT_STREAM_MESSAGE_TOO_MANY_HEADERS` (4108)
    MessageTooManyHeaders,
    /// `AWS_ERROR_INVALID_ARGUMENT` (34, aws-c-common)
    InvalidArgument,
    /// `AWS_ERROR_SHORT_BUFFER` (42, aws-c-common)
    ShortBuffer,
}

impl WireError {
    /// Every variant, for tables and tests.
    pub const ALL: [WireError; 11] = [
        WireError::BufferLengthMismatch,
        WireError::InsufficientBufferLen,
        WireError::MessageFieldSizeExceeded,
        WireError::PreludeChecksumFailure,
        WireError::MessageChecksumFailure,
        WireError::MessageInvalidHeadersLen,
        WireError::MessageUnknownHeaderType,
        WireError::MessageParserIllegalState,
        WireError::MessageTooManyHeaders,
        WireError::InvalidArgument,
        WireError::ShortBuffer,
    ];

    /// The upstream numeric error code (what `aws_last_error()` would return).
    pub fn aws_error_code(&self) -> i32 {
        match self {
            WireError::BufferLengthMismatch => 4096,
            WireError::InsufficientBufferLen => 4097,
            WireError::MessageFieldSizeExceeded => 4098,
            WireError::PreludeChecksumFailure => 4099,
            WireError::MessageChecksumFailure => 4100,
            WireError::MessageInvalidHeadersLen => 4101,
            WireError::MessageUnknownHeaderType => 4102,
            WireError::MessageParserIllegalState => 4103,
            WireError::MessageTooManyHeaders => 4108,
            WireError::InvalidArgument => 34,
            WireError::ShortBuffer => 42,
        }
    }

    /// The upstream symbolic name, e.g. `AWS_ERROR_EVENT_STREAM_BUFFER_LENGTH_MISMATCH`.
    pub fn aws_error_name(&self) -> &'static str {
        match self {
            WireError::BufferLengthMismatch => "AWS_ERROR_EVENT_STREAM_BUFFER_LENGTH_MISMATCH",
            WireError::InsufficientBufferLen => "AWS_ERROR_EVENT_STREAM_INSUFFICIENT_BUFFER_LEN",
            WireError::MessageFieldSizeExceeded => {
                "AWS_ERROR_EVENT_STREAM_MESSAGE_FIELD_SIZE_EXCEEDED"
            }
            WireError::PreludeChecksumFailure => "AWS_ERROR_EVENT_STREAM_PRELUDE_CHECKSUM_FAILURE",
            WireError::MessageChecksumFailure => "AWS_ERROR_EVENT_STREAM_MESSAGE_CHECKSUM_FAILURE",
            WireError::MessageInvalidHeadersLen => {
                "AWS_ERROR_EVENT_STREAM_MESSAGE_INVALID_HEADERS_LEN"
            }
            WireError::MessageUnknownHeaderType => {
                "AWS_ERROR_EVENT_STREAM_MESSAGE_UNKNOWN_HEADER_TYPE"
            }
            WireError::MessageParserIllegalState => {
                "AWS_ERROR_EVENT_STREAM_MESSAGE_PARSER_ILLEGAL_STATE"
            }
            WireError::MessageTooManyHeaders => "AWS_ERROR_EVENT_STREAM_MESSAGE_TOO_MANY_HEADERS",
            WireError::InvalidArgument => "AWS_ERROR_INVALID_ARGUMENT",
            WireError::ShortBuffer => "AWS_ERROR_SHORT_BUFFER",
        }
    }

    /// Looks a variant up by its upstream symbolic name.
    pub fn from_aws_error_name(name: &str) -> Option<WireError> {
        WireError::ALL
            .into_iter()
            .find(|e| e.aws_error_name() == name)
    }

    /// Upstream's human-readable description (`aws_error_str`).
    pub fn description(&self) -> &'static str {
        match self {
            WireError::BufferLengthMismatch => "Buffer length mismatch",
            WireError::InsufficientBufferLen => "insufficient buffer length",
            WireError::MessageFieldSizeExceeded => "a field for the message was too large",
            WireError::PreludeChecksumFailure => "prelude checksum was incorrect",
            WireError::MessageChecksumFailure => "message checksum was incorrect",
            WireError::MessageInvalidHeadersLen => "message headers length was incorrect",
            WireError::MessageUnknownHeaderType => "An unknown header type was encountered",
            WireError::MessageParserIllegalState => "message parser encountered an illegal state",
            WireError::MessageTooManyHeaders => "message contained too many headers",
            WireError::InvalidArgument => "An invalid argument was passed to a function.",
            WireError::ShortBuffer => "Buffer is not large enough to hold result.",
        }
    }
}

impl fmt::Display for WireError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{} ({})", self.description(), self.aws_error_name())
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
        assert_eq!(WireError::InvalidArgument.aws_error_code(), 34);
        assert_eq!(WireError::ShortBuffer.aws_error_code(), 42);
        for e in WireError::ALL {
            assert_eq!(WireError::from_aws_error_name(e.aws_error_name()), Some(e));
        }
        assert_eq!(WireError::from_aws_error_name("nope"), None);
    }
}
