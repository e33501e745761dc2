//! Exponential backoff: every token is bound to one loop of the group; a
//! retry is a task on that loop, scheduled `backoff` ns ahead, where backoff
//! grows as `scale * 2^retries` (capped), with no, full or decorrelated jitter.
use std::cell::UnsafeCell;
use std::sync::atomic::{AtomicU64, AtomicUsize, Ordering};
use std::sync::{Mutex, PoisonError};

use libc::{c_int, c_void};

use crate::common::abi::*;
use crate::common::allocator::{drop_in, new_in};
use crate::common::device_random::aws_device_random_u64;
use crate::common::error::raise;
use crate::common::error_codes::*;
use crate::common::task_scheduler::aws_task_init;
use crate::io::abi::*;
use crate::io::event_loop::group::{
    aws_event_loop_group_acquire, aws_event_loop_group_get_next_loop, aws_event_loop_group_release,
};
use crate::io::event_loop::{
    aws_event_loop_current_clock_time, aws_event_loop_schedule_task_future,
    aws_event_loop_schedule_task_now,
};

use super::aws_retry_token_release;
use super::{aws_retry_strategy_acquire, aws_retry_strategy_release, aws_retry_token_acquire};

const NONE: c_int =
    aws_exponential_backoff_jitter_mode::AWS_EXPONENTIAL_BACKOFF_JITTER_NONE as c_int;
const DECORRELATED: c_int =
    aws_exponential_backoff_jitter_mode::AWS_EXPONENTIAL_BACKOFF_JITTER_DECORRELATED as c_int;
const CLIENT_ERROR: c_int = aws_retry_error_type::AWS_RETRY_ERROR_TYPE_CLIENT_ERROR as c_int;

/// The backoff parameters of one token.
#[derive(Clone, Copy, Debug)]
pub struct Backoff {
    pub jitter: c_int,
    pub scale_ns: u64,
    pub max_ns: u64,
}

/// A number in [min(a, b), max(a, b)) from `random`; 0 when a == b.
fn in_range(a: u64, b: u64, random: &mut dyn FnMut() -> u64) -> u64 {
    let (lo, hi) = (a.min(b), a.max(b));
    if hi == lo {
        return 0;
    }
    lo + random() % (hi - lo)
}

impl Backoff {
    fn no_jitter(&self, retries: usize) -> u64 {
        let shift = (retries as u64).min(63);
        (1u64 << shift)
            .saturating_mul(self.scale_ns)
            .min(self.max_ns)
    }

    /// The wait before retry number `retries` (0-based), given the last wait.
    pub fn compute(&self, retries: usize, last: u64, random: &mut dyn FnMut() -> u64) -> u64 {
        match self.jitter {
            NONE => self.no_jitter(retries),
            DECORRELATED if last != 0 => {
                let top = self.max_ns.min(last.saturating_mul(3));
                in_range(self.scale_ns, top, random)
            }
            // DEFAULT, FULL, and DECORRELATED's first retry.
            _ => in_range(0, self.no_jitter(retries), random),
        }
    }
}

#[repr(C)]
struct Strategy {
    base: aws_retry_strategy,
    config: aws_exponential_backoff_retry_options,
    shutdown: aws_shutdown_callback_options,
}

#[derive(Clone, Copy)]
enum Pending {
    None,
    Acquired(aws_retry_strategy_on_retry_token_acquired_fn, *mut c_void),
    Ready(aws_retry_strategy_on_retry_ready_fn, *mut c_void),
}

#[repr(C)]
struct Token {
    base: aws_retry_token,
    retries: AtomicUsize,
    last_backoff: AtomicU64,
    max_retries: usize,
    backoff: Backoff,
    bound_loop: *mut aws_event_loop,
    random_old: Option<unsafe extern "C" fn() -> u64>,
    random: aws_generate_random_fn,
    random_data: *mut c_void,
    task: UnsafeCell<aws_task>,
    pending: Mutex<Pending>,
}

impl Token {
    fn random(&self) -> u64 {
        // SAFETY: the generators come from the caller's options.
        unsafe {
            match (self.random, self.random_old) {
                (Some(f), _) => f(self.random_data),
                (None, Some(f)) => f(),
                (None, None) => default_random(std::ptr::null_mut()),
            }
        }
    }
}

unsafe extern "C" fn default_random(_user_data: *mut c_void) -> u64 {
    let mut r = 0u64;
    // SAFETY: a valid output slot.
    unsafe { aws_device_random_u64(&mut r) };
    r
}

unsafe extern "C" fn retry_task(_task: *mut aws_task, arg: *mut c_void, status: c_int) {
    let error = if status == aws_task_status::AWS_TASK_STATUS_RUN_READY as c_int {
        AWS_ERROR_SUCCESS
    } else {
        AWS_ERROR_IO_OPERATION_CANCELLED
    };
    // SAFETY: arg is the token, kept alive by the reference taken when scheduled.
    unsafe {
        let token = arg as *mut Token;
        let pending = std::mem::replace(
            &mut *(*token)
                .pending
                .lock()
                .unwrap_or_else(PoisonError::into_inner),
            Pending::None,
        );
        let base = &mut (*token).base as *mut aws_retry_token;
        aws_retry_token_acquire(base);
        match pending {
            Pending::Acquired(Some(f), ud) => f((*base).retry_strategy, error, base, ud),
            Pending::Ready(Some(f), ud) => {
                f(base, error, ud);
                aws_retry_token_release(base);
            }
            _ => {}
        }
        aws_retry_token_release(base);
    }
}

unsafe extern "C" fn acquire_token(
    strategy: *mut aws_retry_strategy,
    _partition_id: *const aws_byte_cursor,
    on_acquired: aws_retry_strategy_on_retry_token_acquired_fn,
    user_data: *mut c_void,
    _timeout_ms: u64,
) -> c_int {
    // SAFETY: the vtable is only installed on a Strategy.
    unsafe {
        let me = &*(strategy as *mut Strategy);
        let c = &me.config;
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
                retries: AtomicUsize::new(0),
                last_backoff: AtomicU64::new(0),
                max_retries: c.max_retries,
                backoff: Backoff {
                    jitter: c.jitter_mode,
                    scale_ns: u64::from(c.backoff_scale_factor_ms) * 1_000_000,
                    max_ns: u64::from(c.max_backoff_secs) * 1_000_000_000,
                },
                bound_loop: aws_event_loop_group_get_next_loop(c.el_group),
                random_old: c.generate_random,
                random: c.generate_random_impl,
                random_data: c.generate_random_user_data,
                task: UnsafeCell::new(std::mem::zeroed()),
                pending: Mutex::new(Pending::Acquired(on_acquired, user_data)),
            },
        );
        if token.is_null() {
            return AWS_OP_ERR;
        }
        (*token).base.r#impl = token as *mut c_void;
        aws_retry_strategy_acquire(strategy);
        let task = (*token).task.get();
        aws_task_init(
            task,
            Some(retry_task),
            token as *mut c_void,
            c"aws_exponential_backoff_retry_task".as_ptr(),
        );
        aws_event_loop_schedule_task_now((*token).bound_loop, task);
        AWS_OP_SUCCESS
    }
}

unsafe extern "C" fn schedule_retry(
    token: *mut aws_retry_token,
    error_type: enum_aws_retry_error_type,
    retry_ready: aws_retry_strategy_on_retry_ready_fn,
    user_data: *mut c_void,
) -> c_int {
    // SAFETY: the vtable is only installed on strategies whose tokens are Tokens.
    unsafe {
        let t = &*((*token).r#impl as *mut Token);
        let mut run_at = 0u64;
        if error_type != CLIENT_ERROR {
            let retries = t.retries.load(Ordering::Acquire);
            if retries >= t.max_retries {
                return raise(AWS_IO_MAX_RETRIES_EXCEEDED);
            }
            let last = t.last_backoff.load(Ordering::Acquire);
            let wait = t.backoff.compute(retries, last, &mut || t.random());
            let mut now = 0u64;
            aws_event_loop_current_clock_time(t.bound_loop, &mut now);
            run_at = now.saturating_add(wait);
            t.last_backoff.store(wait, Ordering::Release);
            t.retries.fetch_add(1, Ordering::AcqRel);
        }
        {
            let mut p = t.pending.lock().unwrap_or_else(PoisonError::into_inner);
            if !matches!(*p, Pending::None) {
                return raise(AWS_ERROR_INVALID_STATE);
            }
            *p = Pending::Ready(retry_ready, user_data);
        }
        aws_retry_token_acquire(token);
        let task = t.task.get();
        aws_task_init(
            task,
            Some(retry_task),
            t as *const Token as *mut c_void,
            c"aws_exponential_backoff_retry_task".as_ptr(),
        );
        aws_event_loop_schedule_task_future(t.bound_loop, task, run_at);
        AWS_OP_SUCCESS
    }
}

unsafe extern "C" fn record_success(_token: *mut aws_retry_token) -> c_int {
    AWS_OP_SUCCESS
}

unsafe extern "C" fn release_token(token: *mut aws_retry_token) {
    // SAFETY: the last reference to a Token.
    unsafe {
        let strategy = (*token).retry_strategy;
        drop_in((*token).allocator, (*token).r#impl as *mut Token);
        aws_retry_strategy_release(strategy);
    }
}

unsafe extern "C" fn destroy(strategy: *mut aws_retry_strategy) {
    // SAFETY: the vtable is only installed on a Strategy, destroyed once.
    unsafe {
        let me = strategy as *mut Strategy;
        let group = (*me).config.el_group;
        let shutdown = (*me).shutdown;
        drop_in((*me).base.allocator, me);
        super::notify_shutdown(shutdown);
        aws_event_loop_group_release(group);
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
pub unsafe extern "C" fn aws_retry_strategy_new_exponential_backoff(
    allocator: *mut aws_allocator,
    config: *const aws_exponential_backoff_retry_options,
) -> *mut aws_retry_strategy {
    crate::fatal_precondition!(
        !allocator.is_null() && !config.is_null(),
        "aws_retry_strategy_new_exponential_backoff"
    );
    // SAFETY: C passes a valid allocator and options.
    unsafe {
        let mut c = *config;
        if c.max_retries > 63
            || c.el_group.is_null()
            || !(0..=DECORRELATED).contains(&c.jitter_mode)
        {
            raise(AWS_ERROR_INVALID_ARGUMENT);
            return std::ptr::null_mut();
        }
        if c.generate_random.is_none() && c.generate_random_impl.is_none() {
            c.generate_random_impl = Some(default_random);
        }
        if c.max_retries == 0 {
            c.max_retries = 5;
        }
        if c.backoff_scale_factor_ms == 0 {
            c.backoff_scale_factor_ms = 500;
        }
        if c.max_backoff_secs == 0 {
            c.max_backoff_secs = 20;
        }
        let shutdown = if c.shutdown_options.is_null() {
            aws_shutdown_callback_options {
                shutdown_callback_fn: None,
                shutdown_callback_user_data: std::ptr::null_mut(),
            }
        } else {
            *c.shutdown_options
        };
        c.el_group = aws_event_loop_group_acquire(c.el_group);
        let me = new_in(
            allocator,
            Strategy {
                base: aws_retry_strategy {
                    allocator,
                    vtable: std::ptr::addr_of_mut!(VTABLE),
                    ref_count: super::one_ref(),
                    r#impl: std::ptr::null_mut(),
                },
                config: c,
                shutdown,
            },
        );
        if me.is_null() {
            aws_event_loop_group_release(c.el_group);
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
    fn backoff_grows_caps_and_jitters() {
        let b = Backoff {
            jitter: NONE,
            scale_ns: 10,
            max_ns: 100,
        };
        let mut r = || 7u64;
        let waits: Vec<u64> = (0..6).map(|n| b.compute(n, 0, &mut r)).collect();
        assert_eq!(waits, vec![10, 20, 40, 80, 100, 100]);
        assert_eq!(b.compute(200, 0, &mut r), 100);
        let full = Backoff { jitter: 2, ..b };
        assert_eq!(full.compute(2, 0, &mut r), 7); // 7 % 40
        let dec = Backoff {
            jitter: DECORRELATED,
            ..b
        };
        assert_eq!(dec.compute(1, 0, &mut r), 7); // first retry: full jitter
        assert_eq!(dec.compute(1, 20, &mut r), 17); // 10 + 7 % 50
    }
}
