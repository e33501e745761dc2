//! aws_checksums_library_init / clean_up. Nothing of ours needs setting up
//! (CPU features are detected and cached by std on first use); as upstream,
//! the first init initialises aws-c-common and the matching clean-up cleans it up.
use std::sync::atomic::{AtomicBool, Ordering};

use crate::common::abi::aws_allocator;
use crate::common::library::{aws_common_library_clean_up, aws_common_library_init};

static INITIALIZED: AtomicBool = AtomicBool::new(false);

#[no_mangle]
pub extern "C" fn aws_checksums_library_init(allocator: *mut aws_allocator) {
    if !INITIALIZED.swap(true, Ordering::AcqRel) {
        aws_common_library_init(allocator);
    }
}

#[no_mangle]
pub extern "C" fn aws_checksums_library_clean_up() {
    if INITIALIZED.swap(false, Ordering::AcqRel) {
        aws_common_library_clean_up();
    }
}
