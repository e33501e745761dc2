//! Library init/clean-up. Our error and log-subject tables are built in, so
//! there is nothing to register; the calls only track the init state, as
//! upstream's do (idempotent, clean-up only after init).
use std::sync::atomic::{AtomicBool, Ordering};

use crate::common::abi::aws_allocator;

static INITIALIZED: AtomicBool = AtomicBool::new(false);

/// True between `aws_event_stream_library_init` and `_clean_up`.
pub fn is_initialized() -> bool {
    INITIALIZED.load(Ordering::Acquire)
}

#[no_mangle]
pub extern "C" fn aws_event_stream_library_init(_allocator: *mut aws_allocator) {
    INITIALIZED.store(true, Ordering::Release);
}

#[no_mangle]
pub extern "C" fn aws_event_stream_library_clean_up() {
    INITIALIZED.store(false, Ordering::Release);
}
