//! `struct aws_event_loop_group`: N running loops, a ref count, and an
//! asynchronous shutdown. The struct is public upstream, so its fields are
//! filled as upstream fills them (the loops in an `aws_array_list` of
//! `struct aws_event_loop *`).
//!
//! The last release may happen on one of the group's own loop threads, which
//! cannot join itself: a separate managed thread destroys the loops, then calls
//! the shutdown callback from its at-exit hook, once every loop thread is gone.

use libc::{c_int, c_void};

use super::mio_loop::aws_event_loop_get_default_type;
use super::*;
use crate::common::allocator::{aws_mem_calloc, aws_mem_release};
use crate::common::clock::aws_high_res_clock_get_ticks;
use crate::common::device_random::aws_device_random_u32;
use crate::common::error::last_error;
use crate::common::error_codes::AWS_ERROR_OOM;
use crate::common::thread::*;

fn processor_count() -> usize {
    std::thread::available_parallelism().map_or(1, |n| n.get())
}

unsafe fn loops(group: *const aws_event_loop_group) -> &'static [*mut aws_event_loop] {
    // SAFETY: this fn's caller guarantees its pointer arguments are valid and used on their owning thread.
    unsafe {
        let list = &(*group).event_loops;
        if list.data.is_null() || list.length == 0 {
            return &[];
        }
        std::slice::from_raw_parts(list.data as *const *mut aws_event_loop, list.length)
    }
}

/// Destroys every loop (all stopped first, then each joined and freed) and
/// empties the list.
unsafe fn destroy_loops(group: *mut aws_event_loop_group) {
    // SAFETY: this fn's caller guarantees its pointer arguments are valid and used on their owning thread.
    unsafe {
        for &el in loops(group) {
            aws_event_loop_start_destroy(el);
        }
        for &el in loops(group).iter().rev() {
            aws_event_loop_complete_destroy(el);
        }
        let list = &mut (*group).event_loops;
        if !list.data.is_null() {
            aws_mem_release(list.alloc, list.data);
        }
        list.data = std::ptr::null_mut();
        list.length = 0;
        list.current_size = 0;
    }
}

/// Frees the group, then tells the owner.
unsafe extern "C" fn free_group_and_notify(user_data: *mut c_void) {
    // SAFETY: C passes pointers valid as the upstream header documents; NULL is checked where upstream checks it.
    unsafe {
        let group = user_data as *mut aws_event_loop_group;
        let callback = (*group).shutdown_options.shutdown_callback_fn;
        let callback_data = (*group).shutdown_options.shutdown_callback_user_data;
        aws_mem_release((*group).allocator, group as *mut c_void);
        if let Some(cb) = callback {
            cb(callback_data);
        }
    }
}

unsafe extern "C" fn cleanup_thread_main(user_data: *mut c_void) {
    // SAFETY: C passes pointers valid as the upstream header documents; NULL is checked where upstream checks it.
    unsafe {
        destroy_loops(user_data as *mut aws_event_loop_group);
        // Runs after this function returns, just before the thread ends.
        aws_thread_current_at_exit(Some(free_group_and_notify), user_data);
    }
}

/// The ref count's on-zero action.
unsafe extern "C" fn shutdown_async(user_data: *mut c_void) {
    // SAFETY: C passes pointers valid as the upstream header documents; NULL is checked where upstream checks it.
    unsafe {
        let group = user_data as *mut aws_event_loop_group;
        let mut thread: aws_thread = std::mem::zeroed();
        aws_thread_init(&mut thread, (*group).allocator);
        let mut options = std::ptr::read(aws_default_thread_options());
        options.join_strategy = aws_thread_join_strategy::AWS_TJS_MANAGED as c_int;
        let name = b"EvntLoopCleanup";
        options.name = aws_byte_cursor {
            len: name.len(),
            ptr: name.as_ptr() as *mut u8,
        };
        if aws_thread_launch(&mut thread, Some(cleanup_thread_main), user_data, &options)
            != AWS_OP_SUCCESS
        {
            // No thread to spare: shut down here (safe unless we are a loop thread).
            destroy_loops(group);
            free_group_and_notify(user_data);
        }
    }
}

/// `cpu_group` is honoured for group 0 (this build knows one NUMA node: all
/// CPUs); any other group has no CPUs, as upstream reports for a missing node.
/// Makes a loop of the group: upstream's `aws_new_event_loop_fn` and its data.
type NewLoop = (
    unsafe extern "C" fn(
        *mut aws_allocator,
        *const aws_event_loop_options,
        *mut c_void,
    ) -> *mut aws_event_loop,
    *mut c_void,
);

unsafe extern "C" fn default_new_loop(
    alloc: *mut aws_allocator,
    options: *const aws_event_loop_options,
    _user_data: *mut c_void,
) -> *mut aws_event_loop {
    // SAFETY: forwarded from new_group's valid arguments.
    unsafe { super::mio_loop::aws_event_loop_new(alloc, options) }
}

unsafe fn new_group(
    alloc: *mut aws_allocator,
    options: &aws_event_loop_group_options,
) -> *mut aws_event_loop_group {
    // SAFETY: forwarded caller contract.
    unsafe { new_group_with(alloc, options, (default_new_loop, std::ptr::null_mut())) }
}

unsafe fn new_group_with(
    alloc: *mut aws_allocator,
    options: &aws_event_loop_group_options,
    new_loop: NewLoop,
) -> *mut aws_event_loop_group {
    // SAFETY: this fn's caller guarantees its pointer arguments are valid and used on their owning thread.
    unsafe {
        let pin_cpus = match options.cpu_group.as_ref() {
            None => None,
            Some(0) => Some(processor_count()),
            Some(_) => {
                raise(AWS_ERROR_INVALID_ARGUMENT);
                return std::ptr::null_mut();
            }
        };
        let t = options.r#type;
        if t != aws_event_loop_type::AWS_EVENT_LOOP_PLATFORM_DEFAULT as c_int
            && t != aws_event_loop_type::AWS_EVENT_LOOP_EPOLL as c_int
        {
            raise(crate::common::error_codes::AWS_ERROR_PLATFORM_NOT_SUPPORTED);
            return std::ptr::null_mut();
        }

        let group = aws_mem_calloc(alloc, 1, std::mem::size_of::<aws_event_loop_group>())
            as *mut aws_event_loop_group;
        if group.is_null() {
            return group;
        }
        (*group).allocator = alloc;
        (*group)
            .ref_count
            .init(group as *mut c_void, Some(shutdown_async));
        (*group).event_loop_type = aws_event_loop_get_default_type();

        let count = match options.loop_count as usize {
            // Half the processors: the other half are likely hyper-threads.
            0 => (processor_count() / 2).max(1),
            n => n,
        };
        // Pinned: one loop per CPU of the group that is not a suspected
        // hyper-thread, at most `count` (upstream's rule).
        let pinned: Option<Vec<i32>> = pin_cpus.map(|cpus| {
            let mut infos: Vec<aws_cpu_info> = (0..cpus)
                .map(|_| aws_cpu_info {
                    cpu_id: 0,
                    suspected_hyper_thread: false,
                })
                .collect();
            crate::common::system_info::aws_get_cpu_ids_for_group(0, infos.as_mut_ptr(), cpus);
            infos
                .iter()
                .take(count)
                .filter(|c| !c.suspected_hyper_thread)
                .map(|c| c.cpu_id)
                .collect()
        });
        let count = pinned.as_ref().map_or(count, Vec::len);
        let slot = std::mem::size_of::<*mut aws_event_loop>();
        let data = aws_mem_calloc(alloc, count, slot);
        if data.is_null() {
            aws_mem_release(alloc, group as *mut c_void);
            raise(AWS_ERROR_OOM);
            return std::ptr::null_mut();
        }
        (*group).event_loops = aws_array_list {
            alloc,
            current_size: count * slot,
            length: 0,
            item_size: slot,
            data,
        };

        let clock = options
            .clock_override
            .or(Some(aws_high_res_clock_get_ticks));
        for i in 0..count {
            let mut thread_options = std::ptr::read(aws_default_thread_options());
            if let Some(cpus) = &pinned {
                thread_options.cpu_id = cpus[i];
            }
            // Linux keeps 15 bytes of a thread name.
            let mut name = format!("AwsEventLoop{}", i + 1).into_bytes();
            if name.len() > 15 {
                name = b"AwsEventLoop".to_vec();
            }
            thread_options.name = aws_byte_cursor {
                len: name.len(),
                ptr: name.as_mut_ptr(),
            };
            let el_options = aws_event_loop_options {
                clock,
                thread_options: &mut thread_options,
                r#type: options.r#type,
                parent_elg: group,
            };
            let el = (new_loop.0)(alloc, &el_options, new_loop.1);
            if el.is_null() {
                return fail(group);
            }
            *((*group).event_loops.data as *mut *mut aws_event_loop).add(i) = el;
            (*group).event_loops.length = i + 1;
            if aws_event_loop_run(el) != AWS_OP_SUCCESS {
                return fail(group);
            }
        }
        if let Some(shutdown) = options.shutdown_options.as_ref() {
            (*group).shutdown_options = std::ptr::read(shutdown);
        }
        group
    }
}

/// Undoes a partly built group without calling any shutdown callback; keeps
/// the error that made it fail.
unsafe fn fail(group: *mut aws_event_loop_group) -> *mut aws_event_loop_group {
    // SAFETY: this fn's caller guarantees its pointer arguments are valid and used on their owning thread.
    unsafe {
        let code = last_error();
        destroy_loops(group);
        aws_mem_release((*group).allocator, group as *mut c_void);
        raise(code);
        std::ptr::null_mut()
    }
}

#[no_mangle]
pub unsafe extern "C" fn aws_event_loop_group_new(
    allocator: *mut aws_allocator,
    options: *const aws_event_loop_group_options,
) -> *mut aws_event_loop_group {
    // SAFETY: C passes pointers valid as the upstream header documents; NULL is checked where upstream checks it.
    unsafe {
        fatal_precondition!(
            !allocator.is_null() && !options.is_null(),
            "aws_event_loop_group_new"
        );
        new_group(allocator, &*options)
    }
}

/// A group whose loops `new_loop_fn` makes (tests use it to wrap or
/// instrument loops); otherwise as aws_event_loop_group_new.
#[no_mangle]
pub unsafe extern "C" fn aws_event_loop_group_new_internal(
    allocator: *mut aws_allocator,
    options: *const aws_event_loop_group_options,
    new_loop_fn: aws_new_event_loop_fn,
    new_loop_user_data: *mut c_void,
) -> *mut aws_event_loop_group {
    // SAFETY: C passes a valid allocator and options.
    unsafe {
        fatal_precondition!(
            !allocator.is_null() && !options.is_null(),
            "aws_event_loop_group_new_internal"
        );
        let Some(f) = new_loop_fn else {
            crate::ffi::fatal("aws_event_loop_group_new_internal: new_loop_fn is NULL");
        };
        new_group_with(allocator, &*options, (f, new_loop_user_data))
    }
}

/// `max_threads` 0: half the processors.
#[no_mangle]
pub unsafe extern "C" fn aws_event_loop_group_new_default(
    alloc: *mut aws_allocator,
    max_threads: u16,
    shutdown_options: *const aws_shutdown_callback_options,
) -> *mut aws_event_loop_group {
    // SAFETY: C passes pointers valid as the upstream header documents; NULL is checked where upstream checks it.
    unsafe { new_default(alloc, max_threads, std::ptr::null(), shutdown_options) }
}

#[no_mangle]
pub unsafe extern "C" fn aws_event_loop_group_new_default_pinned_to_cpu_group(
    alloc: *mut aws_allocator,
    max_threads: u16,
    cpu_group: u16,
    shutdown_options: *const aws_shutdown_callback_options,
) -> *mut aws_event_loop_group {
    // SAFETY: C passes pointers valid as the upstream header documents; NULL is checked where upstream checks it.
    unsafe { new_default(alloc, max_threads, &cpu_group, shutdown_options) }
}

/// A group of default-type loops, optionally pinned to `cpu_group` (NULL: not pinned).
unsafe fn new_default(
    alloc: *mut aws_allocator,
    max_threads: u16,
    cpu_group: *const u16,
    shutdown_options: *const aws_shutdown_callback_options,
) -> *mut aws_event_loop_group {
    let options = aws_event_loop_group_options {
        loop_count: max_threads,
        r#type: aws_event_loop_type::AWS_EVENT_LOOP_PLATFORM_DEFAULT as c_int,
        shutdown_options,
        cpu_group,
        clock_override: None,
    };
    // SAFETY: the caller's pointers pass through; `options` lives across the call.
    unsafe { aws_event_loop_group_new(alloc, &options) }
}

/// NULL-tolerant; returns its argument.
#[no_mangle]
pub unsafe extern "C" fn aws_event_loop_group_acquire(
    el_group: *mut aws_event_loop_group,
) -> *mut aws_event_loop_group {
    // SAFETY: C passes pointers valid as the upstream header documents; NULL is checked where upstream checks it.
    unsafe {
        if !el_group.is_null() {
            (*el_group)
                .ref_count
                .count()
                .acquire("aws_event_loop_group_acquire");
        }
        el_group
    }
}

/// NULL-tolerant. The last release starts the asynchronous shutdown.
#[no_mangle]
pub unsafe extern "C" fn aws_event_loop_group_release(el_group: *mut aws_event_loop_group) {
    // SAFETY: C passes pointers valid as the upstream header documents; NULL is checked where upstream checks it.
    unsafe {
        if el_group.is_null() {
            return;
        }
        (*el_group)
            .ref_count
            .release_and_notify("aws_event_loop_group_release");
    }
}

#[no_mangle]
pub unsafe extern "C" fn aws_event_loop_group_acquire_from_event_loop(
    event_loop: *mut aws_event_loop,
) -> *mut aws_event_loop_group {
    // SAFETY: C passes pointers valid as the upstream header documents; NULL is checked where upstream checks it.
    unsafe {
        if event_loop.is_null() {
            return std::ptr::null_mut();
        }
        aws_event_loop_group_acquire((*event_loop).base_elg)
    }
}

#[no_mangle]
pub unsafe extern "C" fn aws_event_loop_group_release_from_event_loop(
    event_loop: *mut aws_event_loop,
) {
    // SAFETY: C passes pointers valid as the upstream header documents; NULL is checked where upstream checks it.
    unsafe {
        if !event_loop.is_null() {
            aws_event_loop_group_release((*event_loop).base_elg);
        }
    }
}

#[no_mangle]
pub unsafe extern "C" fn aws_event_loop_group_get_loop_count(
    el_group: *const aws_event_loop_group,
) -> usize {
    // SAFETY: C passes pointers valid as the upstream header documents; NULL is checked where upstream checks it.
    unsafe {
        fatal_precondition!(!el_group.is_null(), "aws_event_loop_group_get_loop_count");
        (*el_group).event_loops.length
    }
}

#[no_mangle]
pub unsafe extern "C" fn aws_event_loop_group_get_type(
    el_group: *const aws_event_loop_group,
) -> enum_aws_event_loop_type {
    // SAFETY: C passes pointers valid as the upstream header documents; NULL is checked where upstream checks it.
    unsafe {
        fatal_precondition!(!el_group.is_null(), "aws_event_loop_group_get_type");
        (*el_group).event_loop_type
    }
}

/// NULL (with AWS_ERROR_INVALID_INDEX raised) when out of range, as
/// upstream's array-list lookup does.
#[no_mangle]
pub unsafe extern "C" fn aws_event_loop_group_get_loop_at(
    el_group: *mut aws_event_loop_group,
    index: usize,
) -> *mut aws_event_loop {
    // SAFETY: C passes pointers valid as the upstream header documents; NULL is checked where upstream checks it.
    unsafe {
        fatal_precondition!(!el_group.is_null(), "aws_event_loop_group_get_loop_at");
        match loops(el_group).get(index) {
            Some(&el) => el,
            None => {
                raise(crate::common::error_codes::AWS_ERROR_INVALID_INDEX);
                std::ptr::null_mut()
            }
        }
    }
}

/// Best of two random picks by load factor.
#[no_mangle]
pub unsafe extern "C" fn aws_event_loop_group_get_next_loop(
    el_group: *mut aws_event_loop_group,
) -> *mut aws_event_loop {
    // SAFETY: C passes pointers valid as the upstream header documents; NULL is checked where upstream checks it.
    unsafe {
        fatal_precondition!(!el_group.is_null(), "aws_event_loop_group_get_next_loop");
        let all = loops(el_group);
        match all.len() {
            0 => return std::ptr::null_mut(),
            1 => return all[0],
            _ => {}
        }
        let mut bits = 0u32;
        if aws_device_random_u32(&mut bits) != AWS_OP_SUCCESS {
            bits = crate::common::clock::high_res_ns().unwrap_or(0) as u32;
        }
        let a = all[(bits & 0xffff) as usize % all.len()];
        let b = all[(bits >> 16) as usize % all.len()];
        if aws_event_loop_get_load_factor(a) <= aws_event_loop_get_load_factor(b) {
            a
        } else {
            b
        }
    }
}
