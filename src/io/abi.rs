//! `#[repr(C)]` mirrors of aws-c-io's public structs and enums, named and laid
//! out exactly as upstream (see `src/common/abi.rs` for the conventions).

// ---- logging ----------------------------------------------------------------

#[repr(C)]
pub enum aws_io_log_subject {
    AWS_LS_IO_GENERAL = 1024,
    AWS_LS_IO_EVENT_LOOP = 1025,
    AWS_LS_IO_SOCKET = 1026,
    AWS_LS_IO_SOCKET_HANDLER = 1027,
    AWS_LS_IO_TLS = 1028,
    AWS_LS_IO_ALPN = 1029,
    AWS_LS_IO_DNS = 1030,
    AWS_LS_IO_PKI = 1031,
    AWS_LS_IO_CHANNEL = 1032,
    AWS_LS_IO_CHANNEL_BOOTSTRAP = 1033,
    AWS_LS_IO_FILE_UTILS = 1034,
    AWS_LS_IO_SHARED_LIBRARY = 1035,
    AWS_LS_IO_EXPONENTIAL_BACKOFF_RETRY_STRATEGY = 1036,
    AWS_LS_IO_STANDARD_RETRY_STRATEGY = 1037,
    AWS_LS_IO_PKCS11 = 1038,
    AWS_LS_IO_PEM = 1039,
    AWS_IO_LS_LAST = 2047,
}
