//! `#[repr(C)]` mirrors of aws-c-event-stream's public structs and enums, named
//! and laid out exactly as upstream (see `src/common/abi.rs` for the conventions).

// ---- logging ----------------------------------------------------------------

#[repr(C)]
pub enum aws_event_stream_log_subject {
    AWS_LS_EVENT_STREAM_GENERAL = 4096,
    AWS_LS_EVENT_STREAM_CHANNEL_HANDLER = 4097,
    AWS_LS_EVENT_STREAM_RPC_SERVER = 4098,
    AWS_LS_EVENT_STREAM_RPC_CLIENT = 4099,
    AWS_LS_EVENT_STREAM_LAST = 5119,
}
