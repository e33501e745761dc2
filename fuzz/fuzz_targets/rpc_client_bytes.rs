#![no_main]
//! Raw bytes from a peer into the RPC client core through the framer, as a
//! socket's bytes go; see `event_stream::rpc::fuzz::rpc_client_bytes`. Each
//! input runs as given and again with the CRCs of its message bytes
//! repaired; heap use is checked per run.

use aws_c_event_stream_rs::event_stream::rpc::fuzz::rpc_client_bytes;
use aws_c_event_stream_rs_fuzz::{alloc_guard, crc_fix};
use libfuzzer_sys::fuzz_target;

/// Decoded messages, the action log and the replies of two runs (chunked and
/// whole) cost a few hundred bytes per input byte at worst.
const PER_BYTE: usize = 512;

#[global_allocator]
static ALLOC: alloc_guard::Guarded = alloc_guard::Guarded;

fuzz_target!(|data: &[u8]| {
    alloc_guard::check("rpc_client_bytes", data.len(), PER_BYTE, || {
        rpc_client_bytes(data)
    });
    if let Some(fixed) = crc_fix::fixed(data, crc_fix::streaming_body_start(data)) {
        alloc_guard::check("rpc_client_bytes (CRCs repaired)", data.len(), PER_BYTE, || {
            rpc_client_bytes(&fixed)
        });
    }
});
