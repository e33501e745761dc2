//! The standard strategy: exponential backoff (3 retries by default) gated by
//! a token bucket per partition (case-insensitive id). A retry costs 10 units
//! after a transient error and 5 otherwise; a client error is never retried;
//! a success refunds what the token's last retry cost, up to the capacity.
use std::collections::HashMap;
use std::sync::{Mutex, PoisonError};

use libc::{c_int, c_void};

use crate::common::abi::*;
use crate::common::allocator::{drop_in, new_in};
use crate::common::byte_buf::cursor_bytes;
use crate::common::error::raise;
use crate::common::error_codes::*;
use crate::io::abi::*;

use super::{
    aws_retry_strategy_acquire, aws_retry_strategy_acquire_retry_token, aws_retry_strategy_release,
    aws_retry_strategy_schedule_retry, aws_retry_token_acquire, aws_retry_token_release,
};

const DEFAULT_CAPACITY: usize = 500;
const RETRY_COST: usize = 5;
const TRANSIENT_COST: usize = 10;
const NO_RETRY_COST: usize = 1;
const TRANSIENT: c_int = aws_retry_error_type::AWS_RETRY_ERROR_TYPE_TRANSIENT as c_int;
const CLIENT_ERROR: c_int = aws_retry_error_type::AWS_RETRY_ERROR_TYPE_CLIENT_ERROR as c_int;

/// One partition's retry budget.
#[derive(Debug)]
pub struct Bucket {
    pub capacity: usize,
    pub max: usize,
}

impl Bucket {
    /// Takes the cost of a retry after `error_type`; `None` if the bucket is empty.
    pub fn take(&mut self, error_type: c_int) -> Option<usize> {
        if self.capacity == 0 {
            return None;
        }
        let cost = if error_type == TRANSIENT {
            TRANSIENT_COST
        } else {
            RETRY_COST
        };
        let cost = cost.min(self.capacity);
        self.capacity -= cost;
        Some(cost)
    }

    /// Gives `units` back, never past the maximum.
    pub fn refund(&mut self, units: usize) {
        self.capacity = self.capacity.saturating_add(units).min(self.max);
    }
}

#[repr(C)]
struct Strategy {
    base: aws_retry_strategy,
    backoff: *mut aws_retry_strategy,
    max_capacity: usize,
    /// Buckets by lower-cased partition id; boxed so tokens can point at them.
    buckets: Mutex<HashMap<Vec<u8>, Box<Mutex<Bucket>>>>,
}

#[repr(C)]
struct Token {
    base: aws_retry_token,
    bucket: *const Mutex<Bucket>,
    backoff_token: *mut aws_retry_token,
    on_acquired: aws_retry_strategy_on_retry_token_acquired_fn,
    on_ready: aws_retry_strategy_on_retry_ready_fn,
    user_data: *mut c_void,
    last_cost: usize,
}

fn lock<T>(m: &Mutex<T>) -> std::sync::MutexGuard<'_, T> {
    m.lock().unwrap_or_else(PoisonError::into_inner)
}

unsafe extern "C" fn on_backoff_token(
    _strategy: *mut aws_retry_strategy,
    error_code: c_int,
    backoff_token: *mut aws_retry_token,
    user_data: *mut c_void,
) {
    // SAFETY: user_data is our Token, alive through its own reference.
    unsafe {
        let t = user_data as *mut Token;
        let base = &mut (*t).base as *mut aws_retry_token;
        aws_retry_token_acquire(base);
        let owner = (*base).retry_strategy;
        if let Some(f) = (*t).on_acquired {
            if error_code == 0 {
                (*t).backoff_token = backoff_token;
                f(owner, 0, base, (*t).user_data);
            } else {
                f(owner, error_code, std::ptr::null_mut(), (*t).user_data);
            }
        }
        aws_retry_token_release(base);
    }
}

unsafe extern "C" fn acquire_token(
    strategy: *mut aws_retry_strategy,
    partition_id: *const aws_byte_cursor,
    on_acquired: aws_retry_strategy_on_retry_token_acquired_fn,
    user_data: *mut c_void,
    timeout_ms: u64,
) -> c_int {
    // SAFETY: the vtable is only installed on a Strategy; the cursor is valid if non-NULL.
    unsafe {
        let me = &*(strategy as *mut Strategy);
        let id: &[u8] = if partition_id.is_null() {
            &[]
        } else {
            cursor_bytes(&*partition_id)
        };
        let bucket: *const Mutex<Bucket> = {
            let mut buckets = lock(&me.buckets);
            &**buckets.entry(id.to_ascii_lowercase()).or_insert_with(|| {
                Box::new(Mutex::new(Bucket {
                    capacity: me.max_capacity,
                    max: me.max_capacity,
                }))
            })
        };
        let alloc = me.base.allocator;
        let token = new_in(
            alloc,
            Token {
                base: aws_retry_token {
                    allocator: alloc,
                    retry_strategy: strategy,
                    ref_count: super::one_ref(),
                    r#impl: std::ptr::null_mut(),
                },
                bucket,
                backoff_token: std::ptr::null_mut(),
                on_acquired,
                on_ready: None,
                user_data,
                last_cost: NO_RETRY_COST,
            },
        );
        if token.is_null() {
            return AWS_OP_ERR;
        }
        (*token).base.r#impl = token as *mut c_void;
        aws_retry_strategy_acquire(strategy);
        let id_cursor = aws_byte_cursor {
            len: id.len(),
            ptr: id.as_ptr() as *mut u8,
        };
        if aws_retry_strategy_acquire_retry_token(
            me.backoff,
            &id_cursor,
            Some(on_backoff_token),
            token as *mut c_void,
            timeout_ms,
        ) != AWS_OP_SUCCESS
        {
            aws_retry_token_release(&mut (*token).base);
            return AWS_OP_ERR;
        }
        AWS_OP_SUCCESS
    }
}

unsafe extern "C" fn on_backoff_ready(
    _backoff_token: *mut aws_retry_token,
    error_code: c_int,
    user_data: *mut c_void,
) {
    // SAFETY: user_data is our token, kept alive by the reference taken when scheduled.
    unsafe {
        let token = user_data as *mut aws_retry_token;
        let t = (*token).r#impl as *mut Token;
        if let Some(f) = (*t).on_ready {
            f(token, error_code, (*t).user_data);
        }
        aws_retry_token_release(token);
    }
}

unsafe extern "C" fn schedule_retry(
    token: *mut aws_retry_token,
    error_type: enum_aws_retry_error_type,
    retry_ready: aws_retry_strategy_on_retry_ready_fn,
    user_data: *mut c_void,
) -> c_int {
    if error_type == CLIENT_ERROR {
        return raise(AWS_IO_RETRY_PERMISSION_DENIED);
    }
    // SAFETY: the vtable is only installed on strategies whose tokens are Tokens.
    unsafe {
        let t = (*token).r#impl as *mut Token;
        let bucket = &*(*t).bucket;
        let Some(cost) = lock(bucket).take(error_type) else {
            return raise(AWS_IO_RETRY_PERMISSION_DENIED);
        };
        (*t).user_data = user_data;
        (*t).on_ready = retry_ready;
        let previous = std::mem::replace(&mut (*t).last_cost, cost);
        aws_retry_token_acquire(token);
        if aws_retry_strategy_schedule_retry(
            (*t).backoff_token,
            error_type,
            Some(on_backoff_ready),
            token as *mut c_void,
        ) != AWS_OP_SUCCESS
        {
            aws_retry_token_release(token);
            (*t).last_cost = previous;
            lock(bucket).refund(cost);
            return AWS_OP_ERR;
        }
        AWS_OP_SUCCESS
    }
}

unsafe extern "C" fn record_success(token: *mut aws_retry_token) -> c_int {
    // SAFETY: as schedule_retry.
    unsafe {
        let t = (*token).r#impl as *mut Token;
        lock(&*(*t).bucket).refund((*t).last_cost);
        (*t).last_cost = 0;
    }
    AWS_OP_SUCCESS
}

unsafe extern "C" fn release_token(token: *mut aws_retry_token) {
    // SAFETY: the last reference to a Token.
    unsafe {
        let t = (*token).r#impl as *mut Token;
        let strategy = (*token).retry_strategy;
        aws_retry_token_release((*t).backoff_token);
        drop_in((*token).allocator, t);
        aws_retry_strategy_release(strategy);
    }
}

unsafe extern "C" fn destroy(strategy: *mut aws_retry_strategy) {
    // SAFETY: the vtable is only installed on a Strategy, destroyed once.
    unsafe {
        let me = strategy as *mut Strategy;
        aws_retry_strategy_release((*me).backoff);
        drop_in((*me).base.allocator, me);
    }
}

/// Never written through (C sees a mutable pointer, as upstream's header has it).
static mut VTABLE: aws_retry_strategy_vtable = aws_retry_strategy_vtable {
    destroy: Some(destroy),
    acquire_token: Some(acquire_token),
    schedule_retry: Some(schedule_retry),
    record_success: Some(record_success),
    release_token: Some(release_token),
};

#[no_mangle]
pub unsafe extern "C" fn aws_retry_strategy_new_standard(
    allocator: *mut aws_allocator,
    config: *const aws_standard_retry_options,
) -> *mut aws_retry_strategy {
    crate::fatal_precondition!(
        !allocator.is_null() && !config.is_null(),
        "aws_retry_strategy_new_standard"
    );
    // SAFETY: C passes a valid allocator and options.
    unsafe {
        let mut backoff_options = (*config).backoff_retry_options;
        if backoff_options.max_retries == 0 {
            backoff_options.max_retries = 3;
        }
        let backoff =
            super::backoff::aws_retry_strategy_new_exponential_backoff(allocator, &backoff_options);
        if backoff.is_null() {
            return std::ptr::null_mut();
        }
        let max_capacity = match (*config).initial_bucket_capacity {
            0 => DEFAULT_CAPACITY,
            n => n,
        };
        let me = new_in(
            allocator,
            Strategy {
                base: aws_retry_strategy {
                    allocator,
                    vtable: std::ptr::addr_of_mut!(VTABLE),
                    ref_count: super::one_ref(),
                    r#impl: std::ptr::null_mut(),
                },
                backoff,
                max_capacity,
                buckets: Mutex::new(HashMap::new()),
            },
        );
        if me.is_null() {
            aws_retry_strategy_release(backoff);
            return std::ptr::null_mut();
        }
        (*me).base.r#impl = me as *mut c_void;
        me as *mut aws_retry_strategy
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn bucket_costs_and_refunds() {
        let mut b = Bucket {
            capacity: 12,
            max: 12,
        };
        assert_eq!(b.take(TRANSIENT), Some(10));
        assert_eq!(b.take(TRANSIENT), Some(2));
        assert_eq!(b.take(TRANSIENT), None);
        b.refund(5);
        assert_eq!(b.capacity, 5);
        b.refund(100);
        assert_eq!(b.capacity, 12);
    }
}
