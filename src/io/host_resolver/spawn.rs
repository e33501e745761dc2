//! Running a closure on a managed `aws_thread`, so work lands off the caller's
//! stack and `aws_io_library_clean_up` (which joins managed threads) waits
//! for it.
use libc::c_void;

use crate::common::abi::*;
use crate::common::thread::{aws_default_thread_options, aws_thread_init, aws_thread_launch};

type Job = Box<dyn FnOnce() + Send>;

unsafe extern "C" fn run_job(arg: *mut c_void) {
    // SAFETY: `arg` is the Box<Job> leaked by spawn_managed, handed over once.
    let job = unsafe { Box::from_raw(arg as *mut Job) };
    job();
}

/// Runs `job` on a new managed thread named `name`. If no thread can be
/// launched the job is handed back so the caller can decide what to do.
pub(crate) fn spawn_managed(name: &'static [u8], job: Job) -> Result<(), Job> {
    let arg = Box::into_raw(Box::new(job));
    // SAFETY: a zeroed aws_thread is what aws_thread_init expects to fill; the
    // options copy the static defaults and point at a 'static name.
    unsafe {
        let mut thread: aws_thread = std::mem::zeroed();
        aws_thread_init(&mut thread, crate::common::allocator::default_allocator());
        let mut options = std::ptr::read(aws_default_thread_options());
        options.join_strategy = aws_thread_join_strategy::AWS_TJS_MANAGED as i32;
        options.name = aws_byte_cursor {
            len: name.len(),
            ptr: name.as_ptr() as *mut u8,
        };
        if aws_thread_launch(&mut thread, Some(run_job), arg as *mut c_void, &options)
            != AWS_OP_SUCCESS
        {
            return Err(*Box::from_raw(arg));
        }
    }
    Ok(())
}
