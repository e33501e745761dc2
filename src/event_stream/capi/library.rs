//! Library init/clean-up. Our error and log-subject tables are built in, so
//! there is nothing to register; as upstream, init also initialises aws-c-io
//! (and so aws-c-common) and clean-up cleans it up (idempotent, clean-up
//! only after init).
use std::sync::atomic::{AtomicBool, Ordering};

use crate::common::abi::aws_allocator;

static INITIALIZED: AtomicBool = AtomicBool::new(false);

/// True between `aws_event_stream_library_init` and `_clean_up`.
pub fn is_initialized() -> bool {
    INITIALIZED.load(Ordering::Acquire)
}

#[no_mangle]
pub extern "C" fn aws_event_stream_library_init(allocator: *mut aws_allocator) {
    if !INITIALIZED.swap(true, Ordering::AcqRel) {
        crate::io::library::aws_io_library_init(allocator);
    }
}

#[no_mangle]
pub extern "C" fn aws_event_stream_library_clean_up() {
    if INITIALIZED.swap(false, Ordering::AcqRel) {
        crate::io::library::aws_io_library_clean_up();
    }
}
