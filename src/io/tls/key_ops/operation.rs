//! `aws_tls_key_operation`: one private-key operation handed to a custom
//! key-operation handler, and its completion.
//!
//! Two parties hold an operation: the signer that waits for it, and the
//! completion the handler owes. Each gives its hold up once (the signer when
//! its wait ends, the handler by completing); the last one frees it, through
//! the allocator it came from. An operation the signer stopped waiting for
//! (timeout) is freed by its late completion; one never completed is never
//! freed (upstream's then keeps its whole channel alive).
use std::ptr::NonNull;
use std::sync::atomic::{AtomicUsize, Ordering};
use std::sync::{Condvar, Mutex, MutexGuard};
use std::time::Instant;

use libc::c_int;

use crate::common::abi::aws_log_level::{AWS_LL_DEBUG, AWS_LL_ERROR, AWS_LL_WARN};
use crate::common::abi::*;
use crate::common::allocator::{drop_in, new_in};
use crate::common::byte_buf::cursor_bytes;
use crate::common::error_codes::*;
use crate::io::abi::aws_io_log_subject::AWS_LS_IO_TLS;
use crate::io::abi::aws_tls_hash_algorithm::*;
use crate::io::abi::aws_tls_key_operation_type::*;
use crate::io::abi::aws_tls_signature_algorithm::*;
use crate::io::abi::*;

/// Where an operation stands.
enum State {
    Pending,
    Done(Result<Vec<u8>, c_int>),
    /// The signer stopped waiting; a completion only frees the operation.
    Abandoned,
}

/// What the object behind an `aws_tls_key_operation *` is.
struct Operation {
    alloc: *mut aws_allocator,
    input: Vec<u8>,
    kind: c_int,
    signature: c_int,
    digest: c_int,
    /// Completion calls so far (a second one aborts, as upstream's does).
    completions: AtomicUsize,
    /// Holds still given (starts at two: the signer and the completion).
    holds: AtomicUsize,
    state: Mutex<State>,
    done: Condvar,
}

impl Operation {
    fn state(&self) -> MutexGuard<'_, State> {
        self.state.lock().unwrap_or_else(|e| e.into_inner())
    }
}

/// Gives up one hold; the last frees the operation.
///
/// # Safety
/// `op` is a live operation and the caller has a hold it has not given up.
unsafe fn release(op: NonNull<Operation>) {
    // SAFETY: live while the caller's hold lasts.
    let last = unsafe { op.as_ref() }.holds.fetch_sub(1, Ordering::AcqRel) == 1;
    if last {
        // SAFETY: no hold is left, so nobody can reach the operation any more;
        // it was made by `new_in` with this allocator.
        unsafe {
            let alloc = op.as_ref().alloc;
            drop_in(alloc, op.as_ptr());
        }
    }
}

/// How an operation ended for the signer.
#[derive(Debug, PartialEq, Eq)]
pub enum Outcome {
    /// The handler's output (a signature).
    Output(Vec<u8>),
    /// The handler's error code.
    Failed(c_int),
    /// The deadline passed first.
    TimedOut,
}

/// The signer's hold on a new SIGN operation; dropping it without waiting
/// abandons the operation.
pub struct PendingOperation(NonNull<Operation>);

// SAFETY: the operation's shared state is behind its mutex and atomics; the
// rest is read-only after construction.
unsafe impl Send for PendingOperation {}

impl PendingOperation {
    /// A SIGN operation over `digest` (already hashed with `digest_alg`),
    /// allocated from `alloc`.
    ///
    /// # Safety
    /// `alloc` is a valid allocator that outlives the operation.
    pub unsafe fn sign(
        alloc: *mut aws_allocator,
        digest: Vec<u8>,
        signature_alg: c_int,
        digest_alg: c_int,
    ) -> Self {
        let op = Operation {
            alloc,
            input: digest,
            kind: AWS_TLS_KEY_OPERATION_SIGN as c_int,
            signature: signature_alg,
            digest: digest_alg,
            completions: AtomicUsize::new(0),
            holds: AtomicUsize::new(2),
            state: Mutex::new(State::Pending),
            done: Condvar::new(),
        };
        // SAFETY: valid allocator per the caller; new_in never returns NULL.
        let p = unsafe { new_in(alloc, op) };
        Self(NonNull::new(p).unwrap_or_else(|| unreachable!()))
    }

    /// The pointer handed to the C handler.
    pub fn as_c(&self) -> *mut aws_tls_key_operation {
        self.0.as_ptr() as *mut aws_tls_key_operation
    }

    /// Waits until the handler completes the operation or `deadline` passes.
    pub fn wait(self, deadline: Instant) -> Outcome {
        // SAFETY: our hold keeps the operation alive until `self` drops.
        let op = unsafe { self.0.as_ref() };
        let mut state = op.state();
        loop {
            if let State::Done(_) = &*state {
                let State::Done(result) = std::mem::replace(&mut *state, State::Abandoned) else {
                    unreachable!()
                };
                return match result {
                    Ok(output) => Outcome::Output(output),
                    Err(code) => Outcome::Failed(code),
                };
            }
            let now = Instant::now();
            if now >= deadline {
                *state = State::Abandoned;
                return Outcome::TimedOut;
            }
            state = op
                .done
                .wait_timeout(state, deadline - now)
                .unwrap_or_else(|e| e.into_inner())
                .0;
        }
    }
}

impl Drop for PendingOperation {
    fn drop(&mut self) {
        {
            // SAFETY: our hold keeps the operation alive here.
            let op = unsafe { self.0.as_ref() };
            let mut state = op.state();
            if let State::Pending = &*state {
                *state = State::Abandoned;
            }
        }
        // SAFETY: the signer's hold, given up once.
        unsafe { release(self.0) };
    }
}

/// The operation behind a non-NULL C pointer.
///
/// # Safety
/// `operation` was handed to a handler by this module and is not freed
/// (its completion has not been given, or the signer still waits).
unsafe fn op_ref<'a>(operation: *const aws_tls_key_operation) -> Option<&'a Operation> {
    // SAFETY: per this fn's contract.
    unsafe { (operation as *const Operation).as_ref() }
}

/// The handler's one completion: hands the result to the waiting signer and
/// gives up the completion's hold.
///
/// # Safety
/// `operation` is non-NULL and live (see `op_ref`).
unsafe fn complete(operation: *mut aws_tls_key_operation, result: Result<&[u8], c_int>) {
    let p = NonNull::new(operation as *mut Operation).unwrap_or_else(|| unreachable!());
    // SAFETY: live per the caller.
    let op = unsafe { p.as_ref() };
    if op.completions.fetch_add(1, Ordering::AcqRel) != 0 {
        crate::ffi::fatal(
            "aws_tls_key_operation_complete: TLS key operation marked complete multiple times",
        );
    }
    {
        let mut state = op.state();
        match &*state {
            State::Pending => {
                *state = State::Done(result.map(<[u8]>::to_vec));
                op.done.notify_all();
            }
            _ => crate::aws_log!(
                AWS_LL_WARN,
                AWS_LS_IO_TLS,
                "id={:p}: TLS key operation completed after the handshake stopped waiting for it",
                operation
            ),
        }
    }
    // SAFETY: the completion's hold, given up once (the count above).
    unsafe { release(p) };
}

/// Completes `operation` with `output` (copied). NULL is logged and ignored,
/// as upstream; a second completion aborts.
#[no_mangle]
pub unsafe extern "C" fn aws_tls_key_operation_complete(
    operation: *mut aws_tls_key_operation,
    output: aws_byte_cursor,
) {
    if operation.is_null() {
        crate::aws_log!(
            AWS_LL_ERROR,
            AWS_LS_IO_TLS,
            "aws_tls_key_operation_complete: the operation is NULL, nothing to complete"
        );
        return;
    }
    // SAFETY: C passes a readable cursor (a NULL pointer only with length 0).
    let bytes = unsafe { cursor_bytes(&output) };
    crate::aws_log!(
        AWS_LL_DEBUG,
        AWS_LS_IO_TLS,
        "id={:p}: TLS key operation completed with {} bytes of output",
        operation,
        bytes.len()
    );
    // SAFETY: a live operation per the caller (upstream's contract).
    unsafe { complete(operation, Ok(bytes)) };
}

/// Completes `operation` with an error (0 becomes AWS_ERROR_UNKNOWN, as
/// upstream). NULL is logged and ignored; a second completion aborts.
#[no_mangle]
pub unsafe extern "C" fn aws_tls_key_operation_complete_with_error(
    operation: *mut aws_tls_key_operation,
    error_code: c_int,
) {
    if operation.is_null() {
        crate::aws_log!(
            AWS_LL_ERROR,
            AWS_LS_IO_TLS,
            "aws_tls_key_operation_complete_with_error: the operation is NULL, nothing to complete"
        );
        return;
    }
    let code = if error_code == 0 {
        AWS_ERROR_UNKNOWN
    } else {
        error_code
    };
    crate::aws_log!(
        AWS_LL_ERROR,
        AWS_LS_IO_TLS,
        "id={:p}: TLS key operation failed with error {code}",
        operation
    );
    // SAFETY: a live operation per the caller (upstream's contract).
    unsafe { complete(operation, Err(code)) };
}

/// The data to sign (the digest) or decrypt, owned by the operation. NULL
/// gives an empty cursor (upstream dereferences it).
#[no_mangle]
pub unsafe extern "C" fn aws_tls_key_operation_get_input(
    operation: *const aws_tls_key_operation,
) -> aws_byte_cursor {
    // SAFETY: NULL or a live operation per the caller.
    match unsafe { op_ref(operation) } {
        Some(op) => aws_byte_cursor {
            len: op.input.len(),
            ptr: op.input.as_ptr() as *mut u8,
        },
        None => aws_byte_cursor {
            len: 0,
            ptr: std::ptr::null_mut(),
        },
    }
}

#[no_mangle]
pub unsafe extern "C" fn aws_tls_key_operation_get_type(
    operation: *const aws_tls_key_operation,
) -> enum_aws_tls_key_operation_type {
    // SAFETY: NULL or a live operation per the caller.
    unsafe { op_ref(operation) }.map_or(AWS_TLS_KEY_OPERATION_UNKNOWN as c_int, |op| op.kind)
}

#[no_mangle]
pub unsafe extern "C" fn aws_tls_key_operation_get_signature_algorithm(
    operation: *const aws_tls_key_operation,
) -> enum_aws_tls_signature_algorithm {
    // SAFETY: NULL or a live operation per the caller.
    unsafe { op_ref(operation) }.map_or(AWS_TLS_SIGNATURE_UNKNOWN as c_int, |op| op.signature)
}

#[no_mangle]
pub unsafe extern "C" fn aws_tls_key_operation_get_digest_algorithm(
    operation: *const aws_tls_key_operation,
) -> enum_aws_tls_hash_algorithm {
    // SAFETY: NULL or a live operation per the caller.
    unsafe { op_ref(operation) }.map_or(AWS_TLS_HASH_UNKNOWN as c_int, |op| op.digest)
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::common::allocator::default_allocator;
    use std::time::Duration;

    fn new_op() -> PendingOperation {
        // SAFETY: the default allocator lives forever.
        unsafe {
            PendingOperation::sign(
                default_allocator(),
                vec![1, 2, 3],
                AWS_TLS_SIGNATURE_RSA as c_int,
                AWS_TLS_HASH_SHA256 as c_int,
            )
        }
    }

    #[test]
    fn completion_before_the_wait() {
        let op = new_op();
        let c = op.as_c();
        // SAFETY: live: the completion's hold is ours to give.
        unsafe {
            assert_eq!(
                cursor_bytes(&aws_tls_key_operation_get_input(c)),
                &[1, 2, 3]
            );
            assert_eq!(
                aws_tls_key_operation_get_type(c),
                AWS_TLS_KEY_OPERATION_SIGN as c_int
            );
            aws_tls_key_operation_complete(
                c,
                aws_byte_cursor {
                    len: 2,
                    ptr: b"ok".as_ptr() as *mut u8,
                },
            );
        }
        let far = Instant::now() + Duration::from_secs(5);
        assert_eq!(op.wait(far), Outcome::Output(b"ok".to_vec()));
    }

    #[test]
    fn completion_from_another_thread_with_an_error() {
        let op = new_op();
        let c = op.as_c() as usize;
        let t = std::thread::spawn(move || {
            // SAFETY: the completion's hold is this thread's.
            unsafe { aws_tls_key_operation_complete_with_error(c as *mut _, 0) };
        });
        let far = Instant::now() + Duration::from_secs(5);
        assert_eq!(op.wait(far), Outcome::Failed(AWS_ERROR_UNKNOWN));
        t.join().unwrap();
    }

    #[test]
    fn a_late_completion_frees_a_timed_out_operation() {
        let op = new_op();
        let c = op.as_c();
        let soon = Instant::now() + Duration::from_millis(20);
        assert_eq!(op.wait(soon), Outcome::TimedOut);
        // SAFETY: the completion's hold keeps it alive until this call.
        unsafe { aws_tls_key_operation_complete_with_error(c, AWS_ERROR_INVALID_STATE) };
    }
}
