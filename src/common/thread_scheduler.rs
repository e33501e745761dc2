//! `aws_thread_scheduler`: a reference-counted background thread running an
//! `aws_task_scheduler`. Other threads hand it tasks (and cancellations)
//! through a mutex-guarded queue and a condition variable; the thread moves
//! them into its scheduler, runs what is due, and sleeps until the next task
//! (at most 30 s) or new work. The last release stops and joins the thread,
//! which cancels whatever is still scheduled.
use std::ffi::c_void;
use std::sync::atomic::{AtomicBool, AtomicUsize, Ordering};
use std::sync::{Condvar, Mutex, MutexGuard};
use std::time::Duration;

use super::abi::*;
use super::allocator::{drop_in, new_in};
use super::clock::aws_high_res_clock_get_ticks;
use super::task_scheduler::*;
use super::thread::{aws_thread_clean_up, aws_thread_init, aws_thread_join, aws_thread_launch};

const IDLE_WAIT: Duration = Duration::from_secs(30);

/// Work handed over from other threads: (task, time to run; 0 = now), and tasks to cancel.
#[derive(Default)]
struct Inbox {
    schedule: Vec<(usize, u64)>,
    cancel: Vec<usize>,
}

struct ThreadScheduler {
    allocator: *mut aws_allocator,
    refs: AtomicUsize,
    thread: aws_thread,
    scheduler: aws_task_scheduler,
    exit: AtomicBool,
    inbox: Mutex<Inbox>,
    wake: Condvar,
}

fn lock(inbox: &Mutex<Inbox>) -> MutexGuard<'_, Inbox> {
    inbox.lock().unwrap_or_else(|e| e.into_inner())
}

fn now() -> u64 {
    let mut t = 0;
    // SAFETY: t is a valid out-parameter.
    unsafe { aws_high_res_clock_get_ticks(&mut t) };
    t
}

unsafe extern "C" fn run(arg: *mut c_void) {
    // SAFETY: arg is the ThreadScheduler, alive until this thread is joined; only this
    // thread touches `scheduler`, and queued tasks are live until run or cancelled.
    unsafe {
        let ts = &mut *(arg as *mut ThreadScheduler);
        while !ts.exit.load(Ordering::Acquire) {
            let inbox = std::mem::take(&mut *lock(&ts.inbox));
            for (task, at) in inbox.schedule {
                if at == 0 {
                    aws_task_scheduler_schedule_now(&mut ts.scheduler, task as *mut aws_task);
                } else {
                    aws_task_scheduler_schedule_future(
                        &mut ts.scheduler,
                        task as *mut aws_task,
                        at,
                    );
                }
            }
            for task in inbox.cancel {
                aws_task_scheduler_cancel_task(&mut ts.scheduler, task as *mut aws_task);
            }
            let current = now();
            aws_task_scheduler_run_all(&mut ts.scheduler, current);
            let mut next = u64::MAX;
            aws_task_scheduler_has_tasks(&ts.scheduler, &mut next);
            let wait = if next == u64::MAX {
                IDLE_WAIT
            } else {
                Duration::from_nanos(next.saturating_sub(current))
            };
            if wait.is_zero() {
                continue;
            }
            let guard = lock(&ts.inbox);
            let _ = ts.wake.wait_timeout_while(guard, wait, |inbox| {
                !ts.exit.load(Ordering::Acquire)
                    && inbox.schedule.is_empty()
                    && inbox.cancel.is_empty()
            });
        }
    }
}

#[no_mangle]
pub unsafe extern "C" fn aws_thread_scheduler_new(
    allocator: *mut aws_allocator,
    thread_options: *const aws_thread_options,
) -> *mut aws_thread_scheduler {
    // SAFETY: allocator is the caller's; the struct is initialised before the thread starts.
    unsafe {
        let ts = new_in(
            allocator,
            ThreadScheduler {
                allocator,
                refs: AtomicUsize::new(1),
                thread: std::mem::zeroed(),
                scheduler: std::mem::zeroed(),
                exit: AtomicBool::new(false),
                inbox: Mutex::new(Inbox::default()),
                wake: Condvar::new(),
            },
        );
        if aws_thread_init(&mut (*ts).thread, allocator) != AWS_OP_SUCCESS {
            drop_in(allocator, ts);
            return std::ptr::null_mut();
        }
        if aws_task_scheduler_init(&mut (*ts).scheduler, allocator) != AWS_OP_SUCCESS {
            aws_thread_clean_up(&mut (*ts).thread);
            drop_in(allocator, ts);
            return std::ptr::null_mut();
        }
        if aws_thread_launch(&mut (*ts).thread, Some(run), ts.cast(), thread_options)
            != AWS_OP_SUCCESS
        {
            aws_task_scheduler_clean_up(&mut (*ts).scheduler);
            aws_thread_clean_up(&mut (*ts).thread);
            drop_in(allocator, ts);
            return std::ptr::null_mut();
        }
        ts.cast()
    }
}

/// # Safety
/// `scheduler` came from aws_thread_scheduler_new and is still referenced.
unsafe fn get<'a>(scheduler: *const aws_thread_scheduler) -> &'a ThreadScheduler {
    // SAFETY: per the contract.
    unsafe { &*(scheduler as *const ThreadScheduler) }
}

#[no_mangle]
pub unsafe extern "C" fn aws_thread_scheduler_acquire(scheduler: *mut aws_thread_scheduler) {
    // SAFETY: a referenced scheduler.
    unsafe { get(scheduler) }
        .refs
        .fetch_add(1, Ordering::Relaxed);
}

#[no_mangle]
pub unsafe extern "C" fn aws_thread_scheduler_release(scheduler: *const aws_thread_scheduler) {
    // SAFETY: a referenced scheduler; the last reference tears it down after joining its thread.
    unsafe {
        let ts = get(scheduler);
        if ts.refs.fetch_sub(1, Ordering::AcqRel) != 1 {
            return;
        }
        let ts = scheduler as *mut ThreadScheduler;
        (*ts).exit.store(true, Ordering::Release);
        {
            let _guard = lock(&(*ts).inbox);
            (*ts).wake.notify_all();
        }
        aws_thread_join(&mut (*ts).thread);
        aws_task_scheduler_clean_up(&mut (*ts).scheduler);
        aws_thread_clean_up(&mut (*ts).thread);
        drop_in((*ts).allocator, ts);
    }
}

#[no_mangle]
pub unsafe extern "C" fn aws_thread_scheduler_schedule_future(
    scheduler: *mut aws_thread_scheduler,
    task: *mut aws_task,
    time_to_run: u64,
) {
    // SAFETY: a referenced scheduler and a live task.
    unsafe {
        (*task).timestamp = time_to_run;
        let ts = get(scheduler);
        lock(&ts.inbox).schedule.push((task as usize, time_to_run));
        ts.wake.notify_one();
    }
}

#[no_mangle]
pub unsafe extern "C" fn aws_thread_scheduler_schedule_now(
    scheduler: *mut aws_thread_scheduler,
    task: *mut aws_task,
) {
    // SAFETY: forwarded caller contract.
    unsafe { aws_thread_scheduler_schedule_future(scheduler, task, 0) }
}

/// The task's function runs with AWS_TASK_STATUS_CANCELED on the scheduler's thread.
#[no_mangle]
pub unsafe extern "C" fn aws_thread_scheduler_cancel_task(
    scheduler: *mut aws_thread_scheduler,
    task: *mut aws_task,
) {
    // SAFETY: a referenced scheduler.
    let ts = unsafe { get(scheduler) };
    let mut inbox = lock(&ts.inbox);
    inbox.schedule.retain(|&(t, _)| t != task as usize);
    inbox.cancel.push(task as usize);
    drop(inbox);
    ts.wake.notify_one();
}
