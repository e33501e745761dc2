//! Our event loop: one thread, a `mio::Poll` (edge-triggered epoll), a
//! `mio::Waker` for work handed over from other threads, and the crate's
//! `aws_task_scheduler` for tasks on the loop thread.
//!
//! Threading: everything in [`LoopThread`] is touched only by the loop thread
//! while it runs, or by the owner while it is not running (before `run`, after
//! `wait_for_stop_completion`). [`CrossThread`] is the mutex-protected queue
//! any thread may push to.
use std::cell::UnsafeCell;
use std::os::fd::RawFd;
use std::sync::atomic::{AtomicBool, AtomicU64, Ordering};
use std::sync::{Mutex, MutexGuard, PoisonError};
use std::time::Duration;

use libc::{c_int, c_void};
use mio::unix::SourceFd;
use mio::{Events, Interest, Poll, Registry, Token, Waker};

use super::{aws_event_loop_clean_up_base, init_base};
use crate::common::abi::*;
use crate::common::allocator::{aws_mem_acquire, aws_mem_release, drop_in, new_in};
use crate::common::clock::aws_high_res_clock_get_ticks;
use crate::common::error::raise;
use crate::common::error_codes::*;
use crate::common::task_scheduler::*;
use crate::common::thread::*;
use crate::fatal_precondition;
use crate::io::abi::*;

/// The waker's token; subscriptions use their (non-NULL) address as token.
const WAKER_TOKEN: Token = Token(0);
const EVENTS_PER_POLL: usize = 100;

const READABLE: c_int = aws_io_event_type::AWS_IO_EVENT_TYPE_READABLE as c_int;
const WRITABLE: c_int = aws_io_event_type::AWS_IO_EVENT_TYPE_WRITABLE as c_int;
const HANG_UP: c_int = aws_io_event_type::AWS_IO_EVENT_TYPE_REMOTE_HANG_UP as c_int;
const CLOSED: c_int = aws_io_event_type::AWS_IO_EVENT_TYPE_CLOSED as c_int;
const ERROR: c_int = aws_io_event_type::AWS_IO_EVENT_TYPE_ERROR as c_int;

/// A task pointer queued by another thread, with its run time (0 = now).
struct Queued(*mut aws_task, u64);
// SAFETY: the pointer is only dereferenced on the loop thread (or by the owner
// once the loop thread is gone); the queue merely carries it across.
unsafe impl Send for Queued {}

#[derive(Default)]
struct CrossThread {
    tasks: Vec<Queued>,
}

/// One `subscribe_to_io_events`; its address is the mio token and
/// `handle->additional_data`. Allocated from the loop's allocator.
struct Subscription {
    alloc: *mut aws_allocator,
    handle: *mut aws_io_handle,
    requested: c_int,
    on_event: aws_event_loop_on_event_fn,
    user_data: *mut c_void,
    subscribed: AtomicBool,
}

struct SubPtr(*mut Subscription);
// SAFETY: freed only on the loop thread or by the owner after it has stopped.
unsafe impl Send for SubPtr {}

/// The poller and its event buffer: loop thread only.
struct Io {
    poll: Poll,
    events: Events,
}

pub(crate) struct MioLoop {
    alloc: *mut aws_allocator,
    registry: Registry,
    waker: Waker,
    cross: Mutex<CrossThread>,
    /// Set when the loop thread itself queued a serialized task: it skipped
    /// the wake-up, so the loop must not block before draining the queue.
    queued_by_loop: AtomicBool,
    /// Unsubscribed subscriptions whose memory waits until the current batch of
    /// events is dispatched (an event for them may still be in that batch).
    retired: Mutex<Vec<SubPtr>>,
    stop_requested: AtomicBool,
    /// pthread id of the thread that counts as "the loop thread"; 0 = none.
    running_thread: AtomicU64,
    /// Launched and not yet joined.
    launched: AtomicBool,
    thread: UnsafeCell<aws_thread>,
    thread_options: aws_thread_options,
    thread_name: Vec<u8>,
    io: UnsafeCell<Io>,
    /// Loop thread only (or the owner while the thread is not running);
    /// always used through its raw pointer, as callbacks re-enter it.
    scheduler: UnsafeCell<aws_task_scheduler>,
}

fn lock<T>(m: &Mutex<T>) -> MutexGuard<'_, T> {
    m.lock().unwrap_or_else(PoisonError::into_inner)
}

fn current_thread() -> u64 {
    aws_thread_current_thread_id() as u64
}

/// # Safety
/// `event_loop` must be one of ours (made by `aws_event_loop_new_with_epoll`).
unsafe fn imp<'a>(event_loop: *mut aws_event_loop) -> &'a MioLoop {
    // SAFETY: this fn's caller guarantees its pointer arguments are valid and used on their owning thread.
    unsafe {
        fatal_precondition!(
            !event_loop.is_null() && !(*event_loop).impl_data.is_null(),
            "mio event loop"
        );
        &*((*event_loop).impl_data as *const MioLoop)
    }
}

impl MioLoop {
    fn on_loop_thread(&self) -> bool {
        let id = self.running_thread.load(Ordering::Acquire);
        id != 0 && id == current_thread()
    }

    fn scheduler(&self) -> *mut aws_task_scheduler {
        self.scheduler.get()
    }

    fn push_cross_thread(&self, task: *mut aws_task, run_at: u64) {
        let mut q = lock(&self.cross);
        let first = q.tasks.is_empty();
        q.tasks.push(Queued(task, run_at));
        drop(q);
        if self.on_loop_thread() {
            // The loop is awake: an eventfd write would only cost two syscalls.
            self.queued_by_loop.store(true, Ordering::Relaxed);
        } else if first {
            // A non-empty queue already has a wake-up pending (or is
            // drained before the loop next blocks).
            let _ = self.waker.wake();
        }
    }

    /// Moves queued tasks into the scheduler. Loop thread only.
    unsafe fn drain_cross_thread(&self) {
        // SAFETY: this fn's caller guarantees its pointer arguments are valid and used on their owning thread.
        unsafe {
            let tasks = std::mem::take(&mut lock(&self.cross).tasks);
            let scheduler = self.scheduler();
            for Queued(task, at) in tasks {
                if at == 0 {
                    aws_task_scheduler_schedule_now(scheduler, task);
                } else {
                    aws_task_scheduler_schedule_future(scheduler, task, at);
                }
            }
        }
    }

    unsafe fn free_retired(&self) {
        // SAFETY: this fn's caller guarantees its pointer arguments are valid and used on their owning thread.
        unsafe {
            let retired = std::mem::take(&mut *lock(&self.retired));
            for SubPtr(sub) in retired {
                drop_in((*sub).alloc, sub);
            }
        }
    }
}

// ---- construction -------------------------------------------------------------

unsafe fn build_impl(
    alloc: *mut aws_allocator,
    options: &aws_event_loop_options,
) -> Result<*mut MioLoop, c_int> {
    // SAFETY: this fn's caller guarantees its pointer arguments are valid and used on their owning thread.
    unsafe {
        let poll = Poll::new().map_err(|_| AWS_ERROR_SYS_CALL_FAILURE)?;
        let registry = poll
            .registry()
            .try_clone()
            .map_err(|_| AWS_ERROR_SYS_CALL_FAILURE)?;
        let waker =
            Waker::new(poll.registry(), WAKER_TOKEN).map_err(|_| AWS_ERROR_SYS_CALL_FAILURE)?;

        let mut thread_options = match options.thread_options.as_ref() {
            Some(o) => std::ptr::read(o),
            None => std::ptr::read(aws_default_thread_options()),
        };
        // The name cursor may point at the caller's stack: keep our own copy.
        let thread_name = if thread_options.name.ptr.is_null() {
            Vec::new()
        } else {
            crate::ffi::slice(thread_options.name.ptr, thread_options.name.len).to_vec()
        };
        thread_options.name = aws_byte_cursor {
            len: 0,
            ptr: std::ptr::null_mut(),
        };
        // We join the thread ourselves and count it as unjoined meanwhile (see run).
        thread_options.join_strategy = aws_thread_join_strategy::AWS_TJS_MANUAL as c_int;

        let value = MioLoop {
            alloc,
            registry,
            waker,
            cross: Mutex::new(CrossThread::default()),
            queued_by_loop: AtomicBool::new(false),
            retired: Mutex::new(Vec::new()),
            stop_requested: AtomicBool::new(false),
            running_thread: AtomicU64::new(0),
            launched: AtomicBool::new(false),
            // SAFETY: aws_thread is plain data; aws_thread_init fills it below.
            thread: UnsafeCell::new(std::mem::zeroed()),
            thread_options,
            thread_name,
            io: UnsafeCell::new(Io {
                poll,
                events: Events::with_capacity(EVENTS_PER_POLL),
            }),
            // SAFETY: plain data; initialised in place below (it must not move
            // once its lists point into itself).
            scheduler: UnsafeCell::new(std::mem::zeroed()),
        };
        let p = new_in(alloc, value);
        if p.is_null() {
            return Err(AWS_ERROR_OOM);
        }
        aws_thread_init((*p).thread.get(), alloc);
        aws_task_scheduler_init((*p).scheduler(), alloc);
        Ok(p)
    }
}

/// Upstream declares this without export; we export it for tests and callers
/// that pick the implementation explicitly.
#[no_mangle]
pub unsafe extern "C" fn aws_event_loop_new_with_epoll(
    alloc: *mut aws_allocator,
    options: *const aws_event_loop_options,
) -> *mut aws_event_loop {
    // SAFETY: C passes pointers valid as the upstream header documents; NULL is checked where upstream checks it.
    unsafe {
        fatal_precondition!(
            !alloc.is_null() && !options.is_null(),
            "aws_event_loop_new_with_epoll"
        );
        let options = &*options;
        fatal_precondition!(options.clock.is_some(), "aws_event_loop_new_with_epoll");

        let el =
            aws_mem_acquire(alloc, std::mem::size_of::<aws_event_loop>()) as *mut aws_event_loop;
        if el.is_null() {
            return el;
        }
        if init_base(el, alloc, options.clock) != AWS_OP_SUCCESS {
            aws_mem_release(alloc, el as *mut c_void);
            return std::ptr::null_mut();
        }
        match build_impl(alloc, options) {
            Ok(imp) => {
                (*el).impl_data = imp as *mut c_void;
                (*el).vtable = std::ptr::addr_of!(VTABLE) as *mut aws_event_loop_vtable;
                (*el).base_elg = options.parent_elg;
                el
            }
            Err(code) => {
                aws_event_loop_clean_up_base(el);
                aws_mem_release(alloc, el as *mut c_void);
                raise(code);
                std::ptr::null_mut()
            }
        }
    }
}

#[no_mangle]
pub extern "C" fn aws_event_loop_get_default_type() -> enum_aws_event_loop_type {
    aws_event_loop_type::AWS_EVENT_LOOP_EPOLL as c_int
}

/// Creates a loop of `options->type` (the default type: epoll). Other types do
/// not exist on this platform: AWS_ERROR_PLATFORM_NOT_SUPPORTED.
#[no_mangle]
pub unsafe extern "C" fn aws_event_loop_new(
    alloc: *mut aws_allocator,
    options: *const aws_event_loop_options,
) -> *mut aws_event_loop {
    // SAFETY: C passes pointers valid as the upstream header documents; NULL is checked where upstream checks it.
    unsafe {
        fatal_precondition!(!options.is_null(), "aws_event_loop_new");
        let t = (*options).r#type;
        if t != aws_event_loop_type::AWS_EVENT_LOOP_PLATFORM_DEFAULT as c_int
            && t != aws_event_loop_type::AWS_EVENT_LOOP_EPOLL as c_int
        {
            raise(AWS_ERROR_PLATFORM_NOT_SUPPORTED);
            return std::ptr::null_mut();
        }
        aws_event_loop_new_with_epoll(alloc, options)
    }
}

/// A loop on the given clock (NULL: the high-resolution clock) with default
/// thread options.
#[no_mangle]
pub unsafe extern "C" fn aws_event_loop_new_default(
    alloc: *mut aws_allocator,
    clock: aws_io_clock_fn,
) -> *mut aws_event_loop {
    // SAFETY: C passes pointers valid as the upstream header documents; NULL is checked where upstream checks it.
    unsafe {
        let options = aws_event_loop_options {
            clock: clock.or(Some(aws_high_res_clock_get_ticks)),
            thread_options: std::ptr::null_mut(),
            r#type: aws_event_loop_type::AWS_EVENT_LOOP_PLATFORM_DEFAULT as c_int,
            parent_elg: std::ptr::null_mut(),
        };
        aws_event_loop_new(alloc, &options)
    }
}

// ---- the vtable ------------------------------------------------------------------

static VTABLE: aws_event_loop_vtable = aws_event_loop_vtable {
    start_destroy: Some(start_destroy),
    complete_destroy: Some(complete_destroy),
    run: Some(run),
    stop: Some(stop),
    wait_for_stop_completion: Some(wait_for_stop_completion),
    schedule_task_now: Some(schedule_task_now),
    schedule_task_now_serialized: Some(schedule_task_now_serialized),
    schedule_task_future: Some(schedule_task_future),
    cancel_task: Some(cancel_task),
    connect_to_io_completion_port: None,
    subscribe_to_io_events: Some(subscribe_to_io_events),
    unsubscribe_from_io_events: Some(unsubscribe_from_io_events),
    free_io_event_resources: Some(free_io_event_resources),
    is_on_callers_thread: Some(is_on_callers_thread),
};

unsafe extern "C" fn start_destroy(_event_loop: *mut aws_event_loop) {}

/// Stops and joins the loop thread, then runs every task still pending with
/// AWS_TASK_STATUS_CANCELED (on this thread, which counts as the loop thread
/// meanwhile, as upstream) and frees the loop.
unsafe extern "C" fn complete_destroy(event_loop: *mut aws_event_loop) {
    // SAFETY: C passes pointers valid as the upstream header documents; NULL is checked where upstream checks it.
    unsafe {
        let me = imp(event_loop);
        stop(event_loop);
        wait_for_stop_completion(event_loop);

        me.running_thread.store(current_thread(), Ordering::Release);
        // Cancelled tasks may schedule more: keep going until both queues are empty.
        let scheduler = me.scheduler();
        loop {
            me.drain_cross_thread();
            if !aws_task_scheduler_has_tasks(scheduler, std::ptr::null_mut()) {
                break;
            }
            aws_task_scheduler_clean_up(scheduler);
            aws_task_scheduler_init(scheduler, me.alloc);
        }
        aws_task_scheduler_clean_up(scheduler);
        me.free_retired();
        aws_thread_clean_up(me.thread.get());

        let alloc = (*event_loop).alloc;
        drop_in(me.alloc, (*event_loop).impl_data as *mut MioLoop);
        aws_event_loop_clean_up_base(event_loop);
        aws_mem_release(alloc, event_loop as *mut c_void);
    }
}

unsafe extern "C" fn run(event_loop: *mut aws_event_loop) -> c_int {
    // SAFETY: C passes pointers valid as the upstream header documents; NULL is checked where upstream checks it.
    unsafe {
        let me = imp(event_loop);
        if me.launched.load(Ordering::Acquire) {
            // Already running: nothing to do.
            return AWS_OP_SUCCESS;
        }
        me.stop_requested.store(false, Ordering::Release);
        let mut options = std::ptr::read(&me.thread_options);
        options.name = aws_byte_cursor {
            len: me.thread_name.len(),
            ptr: me.thread_name.as_ptr() as *mut u8,
        };
        // Counted like a managed thread so aws_thread_join_all_managed waits for
        // it; wait_for_stop_completion joins it and uncounts it.
        aws_thread_increment_unjoined_count();
        me.launched.store(true, Ordering::Release);
        if aws_thread_launch(
            me.thread.get(),
            Some(loop_main),
            event_loop as *mut c_void,
            &options,
        ) != AWS_OP_SUCCESS
        {
            me.launched.store(false, Ordering::Release);
            aws_thread_decrement_unjoined_count();
            return AWS_OP_ERR;
        }
        AWS_OP_SUCCESS
    }
}

/// Any thread, any number of times: the loop finishes its current pass
/// (running the tasks that are ready) and its thread exits.
unsafe extern "C" fn stop(event_loop: *mut aws_event_loop) -> c_int {
    // SAFETY: C passes pointers valid as the upstream header documents; NULL is checked where upstream checks it.
    unsafe {
        let me = imp(event_loop);
        me.stop_requested.store(true, Ordering::Release);
        let _ = me.waker.wake();
        AWS_OP_SUCCESS
    }
}

/// Joins the loop thread (not from the loop thread itself).
unsafe extern "C" fn wait_for_stop_completion(event_loop: *mut aws_event_loop) -> c_int {
    // SAFETY: C passes pointers valid as the upstream header documents; NULL is checked where upstream checks it.
    unsafe {
        let me = imp(event_loop);
        if !me.launched.swap(false, Ordering::AcqRel) {
            return AWS_OP_SUCCESS;
        }
        let rc = aws_thread_join(me.thread.get());
        aws_thread_decrement_unjoined_count();
        me.running_thread.store(0, Ordering::Release);
        rc
    }
}

unsafe fn schedule(event_loop: *mut aws_event_loop, task: *mut aws_task, run_at: u64) {
    // SAFETY: this fn's caller guarantees its pointer arguments are valid and used on their owning thread.
    unsafe {
        let me = imp(event_loop);
        if me.on_loop_thread() {
            let scheduler = me.scheduler();
            if run_at == 0 {
                aws_task_scheduler_schedule_now(scheduler, task);
            } else {
                aws_task_scheduler_schedule_future(scheduler, task, run_at);
            }
        } else {
            me.push_cross_thread(task, run_at);
        }
    }
}

unsafe extern "C" fn schedule_task_now(event_loop: *mut aws_event_loop, task: *mut aws_task) {
    // SAFETY: C passes pointers valid as the upstream header documents; NULL is checked where upstream checks it.
    unsafe {
        schedule(event_loop, task, 0);
    }
}

/// Always through the queue, so tasks run in the order they were submitted.
unsafe extern "C" fn schedule_task_now_serialized(
    event_loop: *mut aws_event_loop,
    task: *mut aws_task,
) {
    // SAFETY: C passes pointers valid as the upstream header documents; NULL is checked where upstream checks it.
    unsafe {
        imp(event_loop).push_cross_thread(task, 0);
    }
}

unsafe extern "C" fn schedule_task_future(
    event_loop: *mut aws_event_loop,
    task: *mut aws_task,
    run_at_nanos: u64,
) {
    // SAFETY: C passes pointers valid as the upstream header documents; NULL is checked where upstream checks it.
    unsafe {
        // 0 means "now" in the queue; a future time of 0 is due anyway.
        schedule(event_loop, task, run_at_nanos);
    }
}

/// Loop thread. A task still waiting in the cross-thread queue is taken out
/// of it first, so it cannot run a second time later.
unsafe extern "C" fn cancel_task(event_loop: *mut aws_event_loop, task: *mut aws_task) {
    // SAFETY: C passes pointers valid as the upstream header documents; NULL is checked where upstream checks it.
    unsafe {
        let me = imp(event_loop);
        lock(&me.cross).tasks.retain(|q| q.0 != task);
        aws_task_scheduler_cancel_task(me.scheduler(), task);
    }
}

unsafe extern "C" fn is_on_callers_thread(event_loop: *mut aws_event_loop) -> bool {
    // SAFETY: C passes pointers valid as the upstream header documents; NULL is checked where upstream checks it.
    unsafe { imp(event_loop).on_loop_thread() }
}

// ---- io events -------------------------------------------------------------------

/// Any thread. Edge-triggered; hang-ups and errors are always reported.
unsafe extern "C" fn subscribe_to_io_events(
    event_loop: *mut aws_event_loop,
    handle: *mut aws_io_handle,
    events: c_int,
    on_event: aws_event_loop_on_event_fn,
    user_data: *mut c_void,
) -> c_int {
    // SAFETY: C passes pointers valid as the upstream header documents; NULL is checked where upstream checks it.
    unsafe {
        fatal_precondition!(
            !handle.is_null() && on_event.is_some(),
            "aws_event_loop_subscribe_to_io_events"
        );
        let me = imp(event_loop);
        let sub = new_in(
            me.alloc,
            Subscription {
                alloc: me.alloc,
                handle,
                requested: events,
                on_event,
                user_data,
                subscribed: AtomicBool::new(true),
            },
        );
        (*handle).additional_data = sub as *mut c_void;
        if sub.is_null() {
            return AWS_OP_ERR;
        }
        // mio cannot register an empty interest; unrequested readiness is masked
        // out when events are delivered.
        let interest = match (events & READABLE != 0, events & WRITABLE != 0) {
            (_, false) => Interest::READABLE,
            (false, true) => Interest::WRITABLE,
            (true, true) => Interest::READABLE | Interest::WRITABLE,
        };
        let fd: RawFd = (*handle).data.fd;
        if me
            .registry
            .register(&mut SourceFd(&fd), Token(sub as usize), interest)
            .is_err()
        {
            (*handle).additional_data = std::ptr::null_mut();
            drop_in(me.alloc, sub);
            return raise(AWS_ERROR_SYS_CALL_FAILURE);
        }
        AWS_OP_SUCCESS
    }
}

/// Loop thread. No event reaches the callback after this returns; the
/// subscription's memory is freed once the current batch is dispatched.
unsafe extern "C" fn unsubscribe_from_io_events(
    event_loop: *mut aws_event_loop,
    handle: *mut aws_io_handle,
) -> c_int {
    // SAFETY: C passes pointers valid as the upstream header documents; NULL is checked where upstream checks it.
    unsafe {
        fatal_precondition!(
            !handle.is_null() && !(*handle).additional_data.is_null(),
            "aws_event_loop_unsubscribe_from_io_events"
        );
        let me = imp(event_loop);
        let sub = (*handle).additional_data as *mut Subscription;
        let fd: RawFd = (*handle).data.fd;
        if me.registry.deregister(&mut SourceFd(&fd)).is_err() {
            return raise(AWS_ERROR_SYS_CALL_FAILURE);
        }
        (*sub).subscribed.store(false, Ordering::Release);
        lock(&me.retired).push(SubPtr(sub));
        (*handle).additional_data = std::ptr::null_mut();
        AWS_OP_SUCCESS
    }
}

/// Frees a subscription left behind when its loop's thread has been joined.
unsafe extern "C" fn free_io_event_resources(user_data: *mut c_void) {
    // SAFETY: C passes pointers valid as the upstream header documents; NULL is checked where upstream checks it.
    unsafe {
        let sub = user_data as *mut Subscription;
        if !sub.is_null() {
            drop_in((*sub).alloc, sub);
        }
    }
}

fn event_mask(event: &mio::event::Event) -> c_int {
    let mut mask = 0;
    if event.is_readable() {
        mask |= READABLE;
    }
    if event.is_writable() {
        mask |= WRITABLE;
    }
    if event.is_read_closed() {
        mask |= HANG_UP;
    }
    // mio reports EPOLLHUP as both halves closed.
    if event.is_read_closed() && event.is_write_closed() {
        mask |= CLOSED;
    }
    if event.is_error() {
        mask |= ERROR;
    }
    mask
}

// ---- the loop thread -------------------------------------------------------------

fn clock_now(event_loop: *mut aws_event_loop) -> Option<u64> {
    let mut now = 0u64;
    // SAFETY: the loop's clock was checked non-NULL at creation.
    let rc = unsafe { ((*event_loop).clock.expect("checked at creation"))(&mut now) };
    (rc == AWS_OP_SUCCESS).then_some(now)
}

unsafe extern "C" fn loop_main(arg: *mut c_void) {
    // SAFETY: C passes pointers valid as the upstream header documents; NULL is checked where upstream checks it.
    unsafe {
        let event_loop = arg as *mut aws_event_loop;
        let me = imp(event_loop);
        me.running_thread.store(current_thread(), Ordering::Release);
        // SAFETY: only this thread touches `io` while the loop runs.
        let io = &mut *me.io.get();
        let scheduler = me.scheduler();

        // Work queued before run() (or since the last stop) is picked up at once.
        let mut timeout = Some(Duration::ZERO);
        while !me.stop_requested.load(Ordering::Acquire) {
            if let Err(e) = io.poll.poll(&mut io.events, timeout) {
                if e.kind() != std::io::ErrorKind::Interrupted {
                    crate::ffi::fatal("event loop: epoll_wait failed");
                }
            }
            super::aws_event_loop_register_tick_start(event_loop);

            for event in io.events.iter() {
                if event.token() == WAKER_TOKEN {
                    continue;
                }
                let sub = event.token().0 as *mut Subscription;
                // An earlier callback in this batch may have unsubscribed it; its
                // memory stays until free_retired below.
                if !(*sub).subscribed.load(Ordering::Acquire) {
                    continue;
                }
                let mask = event_mask(event) & ((*sub).requested | HANG_UP | CLOSED | ERROR);
                if mask != 0 {
                    if let Some(cb) = (*sub).on_event {
                        cb(event_loop, (*sub).handle, mask, (*sub).user_data);
                    }
                }
            }
            me.free_retired();

            me.queued_by_loop.store(false, Ordering::Relaxed);
            me.drain_cross_thread();
            if let Some(now) = clock_now(event_loop) {
                aws_task_scheduler_run_all(scheduler, now);
            }

            let mut next = 0u64;
            timeout = if me.queued_by_loop.swap(false, Ordering::Relaxed) {
                Some(Duration::ZERO)
            } else if !aws_task_scheduler_has_tasks(scheduler, &mut next) {
                None
            } else {
                match clock_now(event_loop) {
                    Some(now) => Some(Duration::from_nanos(next.saturating_sub(now))),
                    // A failing clock: try again shortly rather than spin or sleep forever.
                    None => Some(Duration::from_millis(100)),
                }
            };
            super::aws_event_loop_register_tick_end(event_loop);
        }
        // Pending tasks wait for the next run() or are cancelled by destroy.
        me.running_thread.store(0, Ordering::Release);
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::common::allocator::default_allocator;
    use crate::io::event_loop::*;
    use std::sync::mpsc;

    struct Probe {
        el: *mut aws_event_loop,
        tx: mpsc::Sender<(c_int, bool)>,
    }

    unsafe extern "C" fn report(_t: *mut aws_task, arg: *mut c_void, status: c_int) {
        // SAFETY: C passes pointers valid as the upstream header documents; NULL is checked where upstream checks it.
        unsafe {
            let p = &*(arg as *const Probe);
            let on_loop = aws_event_loop_thread_is_callers_thread(p.el);
            p.tx.send((status, on_loop)).unwrap();
        }
    }

    fn task_for(probe: &Probe) -> aws_task {
        // SAFETY: plain data, initialised by aws_task_init.
        let mut t: aws_task = unsafe { std::mem::zeroed() };
        // SAFETY: a local task; the probe outlives it (the test waits for the report).
        unsafe {
            aws_task_init(
                &mut t,
                Some(report),
                probe as *const Probe as *mut c_void,
                c"test".as_ptr(),
            )
        };
        t
    }

    #[test]
    fn cross_thread_task_runs_on_loop_and_pending_is_cancelled() {
        // SAFETY: the test owns every object it passes, used as the C API documents.
        unsafe {
            let el = aws_event_loop_new_default(default_allocator(), None);
            assert!(!el.is_null());
            assert!(!aws_event_loop_thread_is_callers_thread(el));
            let (tx, rx) = mpsc::channel();
            let probe = Probe { el, tx };
            let mut now_task = task_for(&probe);
            let mut later_task = task_for(&probe);
            assert_eq!(aws_event_loop_run(el), AWS_OP_SUCCESS);
            aws_event_loop_schedule_task_now(el, &mut now_task);
            let got = rx.recv_timeout(Duration::from_secs(10)).unwrap();
            assert_eq!(
                got,
                (aws_task_status::AWS_TASK_STATUS_RUN_READY as c_int, true)
            );

            let mut now = 0;
            aws_event_loop_current_clock_time(el, &mut now);
            aws_event_loop_schedule_task_future(el, &mut later_task, now + 3_600_000_000_000);
            aws_event_loop_destroy(el);
            // Cancelled during destroy, on the destroying thread (which counts
            // as the loop thread meanwhile).
            let got = rx.try_recv().unwrap();
            assert_eq!(
                got,
                (aws_task_status::AWS_TASK_STATUS_CANCELED as c_int, true)
            );
            assert!(rx.try_recv().is_err());
        }
    }

    struct Chain {
        el: *mut aws_event_loop,
        second: aws_task,
        probe: Probe,
    }

    unsafe extern "C" fn queue_second(_t: *mut aws_task, arg: *mut c_void, _status: c_int) {
        // SAFETY: `arg` is the test's Chain, alive until it got the report.
        unsafe {
            let chain = arg as *mut Chain;
            (*chain).second = task_for(&(*chain).probe);
            aws_event_loop_schedule_task_now_serialized((*chain).el, &mut (*chain).second);
        }
    }

    #[test]
    fn serialized_task_queued_by_the_loop_itself_runs_without_a_wake_up() {
        // SAFETY: the test owns every object it passes, used as the C API documents.
        unsafe {
            let el = aws_event_loop_new_default(default_allocator(), None);
            let (tx, rx) = mpsc::channel();
            let mut chain = Box::new(Chain {
                el,
                second: std::mem::zeroed(),
                probe: Probe { el, tx },
            });
            let mut first: aws_task = std::mem::zeroed();
            let arg = &mut *chain as *mut Chain as *mut c_void;
            aws_task_init(&mut first, Some(queue_second), arg, c"first".as_ptr());
            assert_eq!(aws_event_loop_run(el), AWS_OP_SUCCESS);
            // Nothing else wakes the loop: the second task must not wait for
            // an eventfd write that was skipped.
            aws_event_loop_schedule_task_now(el, &mut first);
            let got = rx.recv_timeout(Duration::from_secs(10)).unwrap();
            assert_eq!(
                got,
                (aws_task_status::AWS_TASK_STATUS_RUN_READY as c_int, true)
            );
            aws_event_loop_destroy(el);
        }
    }

    unsafe extern "C" fn on_pipe(
        _el: *mut aws_event_loop,
        _h: *mut aws_io_handle,
        events: c_int,
        user_data: *mut c_void,
    ) {
        // SAFETY: C passes pointers valid as the upstream header documents; NULL is checked where upstream checks it.
        unsafe {
            let tx = &*(user_data as *const mpsc::Sender<(c_int, bool)>);
            let _ = tx.send((events, true));
        }
    }

    #[test]
    fn pipe_read_end_reports_readable_then_closed() {
        // SAFETY: the test owns every object it passes, used as the C API documents.
        unsafe {
            let mut fds = [0; 2];
            assert_eq!(libc::pipe2(fds.as_mut_ptr(), libc::O_NONBLOCK), 0);
            let el = aws_event_loop_new_default(default_allocator(), None);
            aws_event_loop_run(el);
            let (tx, rx) = mpsc::channel::<(c_int, bool)>();
            let mut handle: aws_io_handle = std::mem::zeroed();
            handle.data.fd = fds[0];
            let rc = aws_event_loop_subscribe_to_io_events(
                el,
                &mut handle,
                READABLE,
                Some(on_pipe),
                &tx as *const _ as *mut c_void,
            );
            assert_eq!(rc, AWS_OP_SUCCESS);
            assert!(!handle.additional_data.is_null());
            assert_eq!(libc::write(fds[1], b"x".as_ptr() as *const c_void, 1), 1);
            let (ev, _) = rx.recv_timeout(Duration::from_secs(10)).unwrap();
            assert_ne!(ev & READABLE, 0);
            libc::close(fds[1]);
            let (ev, _) = rx.recv_timeout(Duration::from_secs(10)).unwrap();
            assert_ne!(ev & (HANG_UP | CLOSED), 0);
            aws_event_loop_stop(el);
            aws_event_loop_wait_for_stop_completion(el);
            assert_eq!(
                aws_event_loop_unsubscribe_from_io_events(el, &mut handle),
                AWS_OP_SUCCESS
            );
            assert!(handle.additional_data.is_null());
            aws_event_loop_destroy(el);
            libc::close(fds[0]);
        }
    }
}
