//! `async_stream.h`: the base of asynchronous input streams (implemented by
//! the caller through a vtable) and the read / read-to-fill calls, which
//! answer with an `aws_future_bool` (true at end of stream).
use libc::c_void;

use crate::common::abi::*;
use crate::common::allocator::{drop_in, new_in};
use crate::common::error_codes::AWS_ERROR_SHORT_BUFFER;
use crate::common::ref_count::{aws_ref_count_acquire, aws_ref_count_init, aws_ref_count_release};
use crate::fatal_precondition;
use crate::io::abi::*;
use crate::io::future_types::*;

#[no_mangle]
pub unsafe extern "C" fn aws_async_input_stream_init_base(
    stream: *mut aws_async_input_stream,
    alloc: *mut aws_allocator,
    vtable: *const aws_async_input_stream_vtable,
    r#impl: *mut c_void,
) {
    // SAFETY: C passes a writable stream, an allocator and a complete vtable.
    unsafe {
        fatal_precondition!(
            !stream.is_null()
                && !alloc.is_null()
                && !vtable.is_null()
                && (*vtable).read.is_some()
                && (*vtable).destroy.is_some(),
            "aws_async_input_stream_init_base"
        );
        std::ptr::write_bytes(stream, 0, 1);
        (*stream).alloc = alloc;
        (*stream).vtable = vtable;
        (*stream).r#impl = r#impl;
        // The destroy callback takes the stream, which is the ref count's object.
        let destroy: unsafe extern "C" fn(*mut aws_async_input_stream) =
            (*vtable).destroy.expect("checked above");
        aws_ref_count_init(
            &mut (*stream).ref_count,
            stream as *mut c_void,
            Some(std::mem::transmute::<
                unsafe extern "C" fn(*mut aws_async_input_stream),
                unsafe extern "C" fn(*mut c_void),
            >(destroy)),
        );
    }
}

/// NULL-tolerant; returns its argument.
#[no_mangle]
pub unsafe extern "C" fn aws_async_input_stream_acquire(
    stream: *mut aws_async_input_stream,
) -> *mut aws_async_input_stream {
    if !stream.is_null() {
        // SAFETY: a non-NULL stream is live.
        unsafe { aws_ref_count_acquire(&mut (*stream).ref_count) };
    }
    stream
}

/// NULL-tolerant; always returns NULL.
#[no_mangle]
pub unsafe extern "C" fn aws_async_input_stream_release(
    stream: *mut aws_async_input_stream,
) -> *mut aws_async_input_stream {
    if !stream.is_null() {
        // SAFETY: a non-NULL stream is live; the last release destroys it.
        unsafe { aws_ref_count_release(&mut (*stream).ref_count) };
    }
    std::ptr::null_mut()
}

/// # Safety
/// `alloc` is a valid allocator.
unsafe fn failed(alloc: *mut aws_allocator, error: libc::c_int) -> *mut aws_future_bool {
    // SAFETY: per the caller.
    unsafe {
        let f = aws_future_bool_new(alloc);
        aws_future_bool_set_error(f, error);
        f
    }
}

/// One read step; a full `dest` fails with AWS_ERROR_SHORT_BUFFER.
#[no_mangle]
pub unsafe extern "C" fn aws_async_input_stream_read(
    stream: *mut aws_async_input_stream,
    dest: *mut aws_byte_buf,
) -> *mut aws_future_bool {
    // SAFETY: C passes a live stream and a valid buffer.
    unsafe {
        fatal_precondition!(
            !stream.is_null() && !dest.is_null(),
            "aws_async_input_stream_read"
        );
        if (*dest).len == (*dest).capacity {
            return failed((*stream).alloc, AWS_ERROR_SHORT_BUFFER);
        }
        let read = (*(*stream).vtable).read.expect("checked at init");
        let future = read(stream, dest);
        fatal_precondition!(!future.is_null(), "async input stream read returned NULL");
        future
    }
}

/// A read-to-fill in progress: reads until `dest` is full, end of stream or an error.
struct FillJob {
    alloc: *mut aws_allocator,
    stream: *mut aws_async_input_stream,
    dest: *mut aws_byte_buf,
    step: *mut aws_future_bool,
    done: *mut aws_future_bool,
}

/// Runs read steps while they complete synchronously; otherwise resumes from
/// the step's callback (so deep synchronous streams never recurse).
unsafe extern "C" fn fill_loop(user_data: *mut c_void) {
    // SAFETY: user_data is the job, owned by this loop until it completes.
    unsafe {
        let job = user_data as *mut FillJob;
        loop {
            if !(*job).step.is_null() {
                if aws_future_bool_register_callback_if_not_done(
                    (*job).step,
                    Some(fill_loop),
                    job as *mut c_void,
                ) {
                    return;
                }
                let error = aws_future_bool_get_error((*job).step);
                let eof = error == 0 && aws_future_bool_get_result((*job).step);
                let full = (*(*job).dest).len == (*(*job).dest).capacity;
                (*job).step = aws_future_bool_release((*job).step);
                if error != 0 || eof || full {
                    let j = &*job;
                    if error != 0 {
                        aws_future_bool_set_error(j.done, error);
                    } else {
                        aws_future_bool_set_result(j.done, eof);
                    }
                    aws_future_bool_release(j.done);
                    aws_async_input_stream_release(j.stream);
                    drop_in(j.alloc, job);
                    return;
                }
            }
            (*job).step = aws_async_input_stream_read((*job).stream, (*job).dest);
        }
    }
}

#[no_mangle]
pub unsafe extern "C" fn aws_async_input_stream_read_to_fill(
    stream: *mut aws_async_input_stream,
    dest: *mut aws_byte_buf,
) -> *mut aws_future_bool {
    // SAFETY: C passes a live stream and a valid buffer that outlives the future.
    unsafe {
        fatal_precondition!(
            !stream.is_null() && !dest.is_null(),
            "aws_async_input_stream_read_to_fill"
        );
        let alloc = (*stream).alloc;
        if (*dest).len == (*dest).capacity {
            return failed(alloc, AWS_ERROR_SHORT_BUFFER);
        }
        let future = aws_future_bool_new(alloc);
        let job = new_in(
            alloc,
            FillJob {
                alloc,
                stream: aws_async_input_stream_acquire(stream),
                dest,
                step: std::ptr::null_mut(),
                done: aws_future_bool_acquire(future),
            },
        );
        if job.is_null() {
            aws_async_input_stream_release(stream);
            aws_future_bool_release(future);
            aws_future_bool_set_error(future, crate::common::error_codes::AWS_ERROR_OOM);
            return future;
        }
        fill_loop(job as *mut c_void);
        future
    }
}
