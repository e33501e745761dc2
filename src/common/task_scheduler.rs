//! `aws_task_scheduler`: ASAP tasks in an intrusive list, timed tasks in a
//! binary min-heap, all inside upstream's 160-byte struct.
//!
//! Storage, since C embeds the scheduler by value and we may not keep side tables:
//! * `asap_list` — intrusive list of tasks through `task->node`, FIFO.
//! * `timed_queue.container` — the heap: `data` points to `capacity` [`Slot`]s
//!   allocated from `scheduler->alloc` (`current_size` is the byte capacity,
//!   `length` the number of slots in use, `item_size` = `size_of::<Slot>()`).
//!   Each slot carries an insertion sequence number so equal timestamps run in
//!   the order they were scheduled. `task->priority_queue_node.current_index`
//!   is the task's slot index (SIZE_MAX when not in the heap), so cancel is O(log n).
//! * `timed_queue.backpointers.length` — the next sequence number (reset when
//!   the heap empties). The rest of `backpointers` stays zero.
//! * `timed_list` — as upstream: a sorted overflow list for timed tasks whose
//!   heap insert failed for lack of memory. Normally empty.
use std::mem::size_of;
use std::ptr;

use libc::{c_char, c_void};

use super::abi::*;
use super::allocator::aws_mem_release;
use super::array_list::aws_array_list_ensure_capacity;
use crate::fatal_precondition;

const NOT_IN_HEAP: usize = usize::MAX;
const INITIAL_SLOTS: usize = 8;

/// One heap entry.
#[repr(C)]
#[derive(Clone, Copy)]
struct Slot {
    task: *mut aws_task,
    seq: u64,
}

// ---- intrusive list helpers (same semantics as upstream's linked_list.inl) ----

pub(crate) unsafe fn list_init(list: *mut aws_linked_list) {
    // SAFETY: this fn's caller guarantees its pointer arguments are valid and used on their owning thread.
    unsafe {
        (*list).head.next = ptr::addr_of_mut!((*list).tail);
        (*list).head.prev = ptr::null_mut();
        (*list).tail.prev = ptr::addr_of_mut!((*list).head);
        (*list).tail.next = ptr::null_mut();
    }
}

unsafe fn list_is_empty(list: *const aws_linked_list) -> bool {
    // SAFETY: this fn's caller guarantees its pointer arguments are valid and used on their owning thread.
    unsafe { ptr::eq((*list).head.next, ptr::addr_of!((*list).tail)) }
}

unsafe fn list_is_valid(list: *const aws_linked_list) -> bool {
    // SAFETY: this fn's caller guarantees its pointer arguments are valid and used on their owning thread.
    unsafe {
        let head = ptr::addr_of!((*list).head) as *mut aws_linked_list_node;
        let tail = ptr::addr_of!((*list).tail) as *mut aws_linked_list_node;
        !(*list).head.next.is_null()
            && !(*list).tail.prev.is_null()
            && (*list).head.prev.is_null()
            && (*list).tail.next.is_null()
            && (*(*list).head.next).prev == head
            && (*(*list).tail.prev).next == tail
    }
}

unsafe fn list_push_back(list: *mut aws_linked_list, node: *mut aws_linked_list_node) {
    // SAFETY: this fn's caller guarantees its pointer arguments are valid and used on their owning thread.
    unsafe {
        insert_before(ptr::addr_of_mut!((*list).tail), node);
    }
}

unsafe fn insert_before(before: *mut aws_linked_list_node, node: *mut aws_linked_list_node) {
    // SAFETY: this fn's caller guarantees its pointer arguments are valid and used on their owning thread.
    unsafe {
        (*node).next = before;
        (*node).prev = (*before).prev;
        (*(*before).prev).next = node;
        (*before).prev = node;
    }
}

/// Unlinks `node` and resets it to NULL/NULL, as upstream's remove does.
unsafe fn list_remove(node: *mut aws_linked_list_node) {
    // SAFETY: this fn's caller guarantees its pointer arguments are valid and used on their owning thread.
    unsafe {
        (*(*node).prev).next = (*node).next;
        (*(*node).next).prev = (*node).prev;
        (*node).next = ptr::null_mut();
        (*node).prev = ptr::null_mut();
    }
}

unsafe fn list_pop_front(list: *mut aws_linked_list) -> *mut aws_linked_list_node {
    // SAFETY: this fn's caller guarantees its pointer arguments are valid and used on their owning thread.
    unsafe {
        let node = (*list).head.next;
        list_remove(node);
        node
    }
}

/// Moves every node of `from` to the back of `to`, leaving `from` empty.
unsafe fn list_move_all_back(to: *mut aws_linked_list, from: *mut aws_linked_list) {
    // SAFETY: this fn's caller guarantees its pointer arguments are valid and used on their owning thread.
    unsafe {
        if list_is_empty(from) {
            return;
        }
        let first = (*from).head.next;
        let last = (*from).tail.prev;
        let to_tail = ptr::addr_of_mut!((*to).tail);
        let to_last = (*to_tail).prev;
        (*to_last).next = first;
        (*first).prev = to_last;
        (*last).next = to_tail;
        (*to_tail).prev = last;
        list_init(from);
    }
}

unsafe fn task_of(node: *mut aws_linked_list_node) -> *mut aws_task {
    // SAFETY: this fn's caller guarantees its pointer arguments are valid and used on their owning thread.
    unsafe { (node as *mut u8).sub(std::mem::offset_of!(aws_task, node)) as *mut aws_task }
}

// ---- the heap ------------------------------------------------------------------

unsafe fn heap(s: *mut aws_task_scheduler) -> *mut aws_array_list {
    // SAFETY: this fn's caller guarantees its pointer arguments are valid and used on their owning thread.
    unsafe { ptr::addr_of_mut!((*s).timed_queue.container) }
}

unsafe fn heap_len(s: *const aws_task_scheduler) -> usize {
    // SAFETY: this fn's caller guarantees its pointer arguments are valid and used on their owning thread.
    unsafe { (*s).timed_queue.container.length }
}

unsafe fn slot_at(s: *mut aws_task_scheduler, i: usize) -> *mut Slot {
    // SAFETY: this fn's caller guarantees its pointer arguments are valid and used on their owning thread.
    unsafe { ((*heap(s)).data as *mut Slot).add(i) }
}

unsafe fn less(a: *const Slot, b: *const Slot) -> bool {
    // SAFETY: this fn's caller guarantees its pointer arguments are valid and used on their owning thread.
    unsafe {
        let (ta, tb) = ((*(*a).task).timestamp, (*(*b).task).timestamp);
        ta < tb || (ta == tb && (*a).seq < (*b).seq)
    }
}

/// Writes `slot` at index `i` and records the index in the task.
unsafe fn place(s: *mut aws_task_scheduler, i: usize, slot: Slot) {
    // SAFETY: this fn's caller guarantees its pointer arguments are valid and used on their owning thread.
    unsafe {
        *slot_at(s, i) = slot;
        (*slot.task).priority_queue_node.current_index = i;
    }
}

unsafe fn sift_up(s: *mut aws_task_scheduler, mut i: usize) {
    // SAFETY: this fn's caller guarantees its pointer arguments are valid and used on their owning thread.
    unsafe {
        let moving = *slot_at(s, i);
        while i > 0 {
            let parent = (i - 1) / 2;
            if !less(&moving, slot_at(s, parent)) {
                break;
            }
            place(s, i, *slot_at(s, parent));
            i = parent;
        }
        place(s, i, moving);
    }
}

unsafe fn sift_down(s: *mut aws_task_scheduler, mut i: usize) {
    // SAFETY: this fn's caller guarantees its pointer arguments are valid and used on their owning thread.
    unsafe {
        let n = heap_len(s);
        let moving = *slot_at(s, i);
        loop {
            let left = 2 * i + 1;
            if left >= n {
                break;
            }
            let right = left + 1;
            let child = if right < n && less(slot_at(s, right), slot_at(s, left)) {
                right
            } else {
                left
            };
            if !less(slot_at(s, child), &moving) {
                break;
            }
            place(s, i, *slot_at(s, child));
            i = child;
        }
        place(s, i, moving);
    }
}

/// Makes room for one more slot (at least `INITIAL_SLOTS`); false (with the
/// error raised) if the list cannot grow.
unsafe fn heap_reserve_one(s: *mut aws_task_scheduler) -> bool {
    // SAFETY: this fn's caller guarantees its pointer arguments are valid and used on their owning thread.
    unsafe {
        let h = heap(s);
        (*h).alloc = (*s).alloc;
        (*h).item_size = size_of::<Slot>();
        let index = (*h).length.max(INITIAL_SLOTS - 1);
        aws_array_list_ensure_capacity(h, index) == AWS_OP_SUCCESS
    }
}

unsafe fn heap_push(s: *mut aws_task_scheduler, task: *mut aws_task) -> bool {
    // SAFETY: this fn's caller guarantees its pointer arguments are valid and used on their owning thread.
    unsafe {
        if !heap_reserve_one(s) {
            return false;
        }
        let seq = &mut (*s).timed_queue.backpointers.length;
        let slot = Slot {
            task,
            seq: *seq as u64,
        };
        *seq += 1;
        let h = heap(s);
        let i = (*h).length;
        (*h).length += 1;
        place(s, i, slot);
        sift_up(s, i);
        true
    }
}

unsafe fn heap_top(s: *mut aws_task_scheduler) -> *mut aws_task {
    // SAFETY: this fn's caller guarantees its pointer arguments are valid and used on their owning thread.
    unsafe {
        if heap_len(s) == 0 {
            ptr::null_mut()
        } else {
            (*slot_at(s, 0)).task
        }
    }
}

/// Removes the slot at `i` and returns its task.
unsafe fn heap_remove_at(s: *mut aws_task_scheduler, i: usize) -> *mut aws_task {
    // SAFETY: this fn's caller guarantees its pointer arguments are valid and used on their owning thread.
    unsafe {
        let h = heap(s);
        let removed = (*slot_at(s, i)).task;
        let last = (*h).length - 1;
        (*h).length = last;
        if i != last {
            let moved = *slot_at(s, last);
            place(s, i, moved);
            if i > 0 && less(&moved, slot_at(s, (i - 1) / 2)) {
                sift_up(s, i);
            } else {
                sift_down(s, i);
            }
        }
        if (*h).length == 0 {
            (*s).timed_queue.backpointers.length = 0;
        }
        (*removed).priority_queue_node.current_index = NOT_IN_HEAP;
        removed
    }
}

/// The index of `task` in this scheduler's heap, if it is really there.
unsafe fn heap_index_of(s: *mut aws_task_scheduler, task: *mut aws_task) -> Option<usize> {
    // SAFETY: this fn's caller guarantees its pointer arguments are valid and used on their owning thread.
    unsafe {
        let i = (*task).priority_queue_node.current_index;
        (i < heap_len(s) && (*slot_at(s, i)).task == task).then_some(i)
    }
}

/// Reads the `scheduled` flag as a byte: C may have left any value in the union.
unsafe fn is_scheduled(task: *const aws_task) -> bool {
    // SAFETY: this fn's caller guarantees its pointer arguments are valid and used on their owning thread.
    unsafe { *(ptr::addr_of!((*task).abi_extension) as *const u8) != 0 }
}

// ---- scheduling ------------------------------------------------------------------

/// Takes `task` out of wherever this scheduler holds it. Upstream corrupts its
/// structures when a still-scheduled task is scheduled again; we move it instead.
unsafe fn unlink_if_scheduled(s: *mut aws_task_scheduler, task: *mut aws_task) {
    // SAFETY: this fn's caller guarantees its pointer arguments are valid and used on their owning thread.
    unsafe {
        if !is_scheduled(task) {
            return;
        }
        if !(*task).node.next.is_null() && !(*task).node.prev.is_null() {
            list_remove(ptr::addr_of_mut!((*task).node));
        } else if let Some(i) = heap_index_of(s, task) {
            heap_remove_at(s, i);
        }
    }
}

/// Moves every ready task to `running` in run order: ASAP first, then timed
/// tasks due at or before `now` by (timestamp, scheduling order).
unsafe fn collect_ready(s: *mut aws_task_scheduler, now: u64, running: *mut aws_linked_list) {
    // SAFETY: this fn's caller guarantees its pointer arguments are valid and used on their owning thread.
    unsafe {
        list_move_all_back(running, ptr::addr_of_mut!((*s).asap_list));
        let overflow = ptr::addr_of_mut!((*s).timed_list);
        loop {
            let from_heap = heap_top(s);
            let heap_due = !from_heap.is_null() && (*from_heap).timestamp <= now;
            let list_front = if list_is_empty(overflow) {
                ptr::null_mut()
            } else {
                task_of((*overflow).head.next)
            };
            let list_due = !list_front.is_null() && (*list_front).timestamp <= now;
            let task = match (heap_due, list_due) {
                (false, false) => break,
                (true, true) if (*from_heap).timestamp < (*list_front).timestamp => {
                    heap_remove_at(s, 0)
                }
                (true, false) => heap_remove_at(s, 0),
                _ => {
                    list_remove(ptr::addr_of_mut!((*list_front).node));
                    list_front
                }
            };
            list_push_back(running, ptr::addr_of_mut!((*task).node));
        }
    }
}

unsafe fn run_ready(s: *mut aws_task_scheduler, now: u64, status: enum_aws_task_status) {
    // SAFETY: this fn's caller guarantees its pointer arguments are valid and used on their owning thread.
    unsafe {
        // The running list lives on this stack frame and never moves while tasks
        // are linked into it; a task run from here may cancel one still queued in it.
        let mut running = std::mem::MaybeUninit::<aws_linked_list>::uninit();
        let running = running.as_mut_ptr();
        list_init(running);
        collect_ready(s, now, running);
        while !list_is_empty(running) {
            let task = task_of(list_pop_front(running));
            aws_task_run(task, status);
        }
    }
}

// ---- C API ---------------------------------------------------------------------

#[no_mangle]
pub unsafe extern "C" fn aws_task_init(
    task: *mut aws_task,
    r#fn: aws_task_fn,
    arg: *mut c_void,
    type_tag: *const c_char,
) {
    // SAFETY: C passes pointers valid as the upstream header documents; NULL is checked where upstream checks it.
    unsafe {
        fatal_precondition!(!task.is_null(), "aws_task_init");
        // SAFETY: the caller owns a writable aws_task; all-zero is a valid value.
        ptr::write_bytes(task, 0, 1);
        (*task).r#fn = r#fn;
        (*task).arg = arg;
        (*task).type_tag = type_tag;
    }
}

#[no_mangle]
pub extern "C" fn aws_task_status_to_c_str(status: enum_aws_task_status) -> *const c_char {
    match status {
        0 => c"<Running>".as_ptr(),
        1 => c"<Canceled>".as_ptr(),
        _ => c"<Unknown>".as_ptr(),
    }
}

/// Runs the task's function. The task may free itself inside it, so nothing
/// touches it afterwards.
#[no_mangle]
pub unsafe extern "C" fn aws_task_run(task: *mut aws_task, status: enum_aws_task_status) {
    // SAFETY: C passes pointers valid as the upstream header documents; NULL is checked where upstream checks it.
    unsafe {
        fatal_precondition!(!task.is_null(), "aws_task_run");
        let Some(f) = (*task).r#fn else {
            crate::ffi::fatal("aws_task_run: task has no function");
        };
        (*task).abi_extension.scheduled = false;
        f(task, (*task).arg, status);
    }
}

#[no_mangle]
pub unsafe extern "C" fn aws_task_scheduler_init(
    scheduler: *mut aws_task_scheduler,
    alloc: *mut aws_allocator,
) -> libc::c_int {
    // SAFETY: C passes pointers valid as the upstream header documents; NULL is checked where upstream checks it.
    unsafe {
        fatal_precondition!(
            !scheduler.is_null() && !alloc.is_null(),
            "aws_task_scheduler_init"
        );
        // SAFETY: the caller owns 160 writable bytes; all-zero is the empty heap.
        ptr::write_bytes(scheduler, 0, 1);
        (*scheduler).alloc = alloc;
        (*scheduler).timed_queue.container.alloc = alloc;
        (*scheduler).timed_queue.container.item_size = size_of::<Slot>();
        list_init(ptr::addr_of_mut!((*scheduler).timed_list));
        list_init(ptr::addr_of_mut!((*scheduler).asap_list));
        AWS_OP_SUCCESS
    }
}

/// Runs every remaining task with CANCELED (repeating while cancelled tasks
/// schedule more, as upstream does), frees the heap and zeroes the struct.
/// Idempotent.
#[no_mangle]
pub unsafe extern "C" fn aws_task_scheduler_clean_up(scheduler: *mut aws_task_scheduler) {
    // SAFETY: C passes pointers valid as the upstream header documents; NULL is checked where upstream checks it.
    unsafe {
        fatal_precondition!(!scheduler.is_null(), "aws_task_scheduler_clean_up");
        if aws_task_scheduler_is_valid(scheduler) {
            while aws_task_scheduler_has_tasks(scheduler, ptr::null_mut()) {
                run_ready(
                    scheduler,
                    u64::MAX,
                    aws_task_status::AWS_TASK_STATUS_CANCELED as _,
                );
            }
        }
        let h = heap(scheduler);
        if !(*h).data.is_null() && !(*scheduler).alloc.is_null() {
            aws_mem_release((*scheduler).alloc, (*h).data);
        }
        ptr::write_bytes(scheduler, 0, 1);
    }
}

#[no_mangle]
pub unsafe extern "C" fn aws_task_scheduler_is_valid(scheduler: *const aws_task_scheduler) -> bool {
    // SAFETY: C passes pointers valid as the upstream header documents; NULL is checked where upstream checks it.
    unsafe {
        if scheduler.is_null() || (*scheduler).alloc.is_null() {
            return false;
        }
        let h = &(*scheduler).timed_queue.container;
        let heap_ok = h
            .length
            .checked_mul(size_of::<Slot>())
            .is_some_and(|b| b <= h.current_size)
            && (h.data.is_null() == (h.current_size == 0));
        heap_ok
            && list_is_valid(ptr::addr_of!((*scheduler).asap_list))
            && list_is_valid(ptr::addr_of!((*scheduler).timed_list))
    }
}

/// True if any task is scheduled; `*next_task_time` gets 0 if an ASAP task
/// exists, else the earliest timestamp, else UINT64_MAX.
#[no_mangle]
pub unsafe extern "C" fn aws_task_scheduler_has_tasks(
    scheduler: *const aws_task_scheduler,
    next_task_time: *mut u64,
) -> bool {
    // SAFETY: C passes pointers valid as the upstream header documents; NULL is checked where upstream checks it.
    unsafe {
        fatal_precondition!(!scheduler.is_null(), "aws_task_scheduler_has_tasks");
        let s = scheduler as *mut aws_task_scheduler;
        let mut next = u64::MAX;
        let mut any = false;
        if !list_is_empty(ptr::addr_of!((*s).asap_list)) {
            next = 0;
            any = true;
        } else {
            let overflow = ptr::addr_of_mut!((*s).timed_list);
            if !list_is_empty(overflow) {
                next = (*task_of((*overflow).head.next)).timestamp;
                any = true;
            }
            let top = heap_top(s);
            if !top.is_null() {
                next = next.min((*top).timestamp);
                any = true;
            }
        }
        if !next_task_time.is_null() {
            *next_task_time = next;
        }
        any
    }
}

#[no_mangle]
pub unsafe extern "C" fn aws_task_scheduler_schedule_now(
    scheduler: *mut aws_task_scheduler,
    task: *mut aws_task,
) {
    // SAFETY: C passes pointers valid as the upstream header documents; NULL is checked where upstream checks it.
    unsafe {
        fatal_precondition!(
            !scheduler.is_null() && !task.is_null(),
            "aws_task_scheduler_schedule_now"
        );
        fatal_precondition!((*task).r#fn.is_some(), "aws_task_scheduler_schedule_now");
        unlink_if_scheduled(scheduler, task);
        (*task).priority_queue_node.current_index = NOT_IN_HEAP;
        (*task).timestamp = 0;
        list_push_back(
            ptr::addr_of_mut!((*scheduler).asap_list),
            ptr::addr_of_mut!((*task).node),
        );
        (*task).abi_extension.scheduled = true;
    }
}

#[no_mangle]
pub unsafe extern "C" fn aws_task_scheduler_schedule_future(
    scheduler: *mut aws_task_scheduler,
    task: *mut aws_task,
    time_to_run: u64,
) {
    // SAFETY: C passes pointers valid as the upstream header documents; NULL is checked where upstream checks it.
    unsafe {
        fatal_precondition!(
            !scheduler.is_null() && !task.is_null(),
            "aws_task_scheduler_schedule_future"
        );
        fatal_precondition!((*task).r#fn.is_some(), "aws_task_scheduler_schedule_future");
        unlink_if_scheduled(scheduler, task);
        (*task).timestamp = time_to_run;
        (*task).priority_queue_node.current_index = NOT_IN_HEAP;
        (*task).node = aws_linked_list_node {
            next: ptr::null_mut(),
            prev: ptr::null_mut(),
        };
        if !heap_push(scheduler, task) {
            // Out of memory: sorted insertion into the overflow list, after any
            // task with the same timestamp.
            let overflow = ptr::addr_of_mut!((*scheduler).timed_list);
            let end = ptr::addr_of_mut!((*overflow).tail);
            let mut at = (*overflow).head.next;
            while at != end && (*task_of(at)).timestamp <= time_to_run {
                at = (*at).next;
            }
            insert_before(at, ptr::addr_of_mut!((*task).node));
        }
        (*task).abi_extension.scheduled = true;
    }
}

/// Runs every ASAP task scheduled before this call, then every timed task due
/// at or before `current_time`. Tasks scheduled by those tasks wait for the next call.
#[no_mangle]
pub unsafe extern "C" fn aws_task_scheduler_run_all(
    scheduler: *mut aws_task_scheduler,
    current_time: u64,
) {
    // SAFETY: C passes pointers valid as the upstream header documents; NULL is checked where upstream checks it.
    unsafe {
        fatal_precondition!(!scheduler.is_null(), "aws_task_scheduler_run_all");
        run_ready(
            scheduler,
            current_time,
            aws_task_status::AWS_TASK_STATUS_RUN_READY as _,
        );
    }
}

/// Removes `task` if scheduled and runs it with CANCELED right away (even if it
/// was not scheduled, as upstream).
#[no_mangle]
pub unsafe extern "C" fn aws_task_scheduler_cancel_task(
    scheduler: *mut aws_task_scheduler,
    task: *mut aws_task,
) {
    // SAFETY: C passes pointers valid as the upstream header documents; NULL is checked where upstream checks it.
    unsafe {
        fatal_precondition!(
            !scheduler.is_null() && !task.is_null(),
            "aws_task_scheduler_cancel_task"
        );
        if !(*task).node.next.is_null() {
            list_remove(ptr::addr_of_mut!((*task).node));
        } else if is_scheduled(task) {
            if let Some(i) = heap_index_of(scheduler, task) {
                heap_remove_at(scheduler, i);
            }
        }
        aws_task_run(task, aws_task_status::AWS_TASK_STATUS_CANCELED as _);
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::common::allocator::default_allocator;
    use proptest::prelude::*;
    use std::collections::VecDeque;

    const READY: i32 = 0;
    const CANCELED: i32 = 1;

    /// Tasks with fixed addresses and a shared log of (task id, status) runs.
    struct Bench {
        sched: Box<aws_task_scheduler>,
        tasks: Vec<aws_task>,
        // Boxed so the address handed to C as the task arg stays put.
        #[allow(clippy::box_collection)]
        log: Box<Vec<(usize, i32)>>,
    }

    unsafe extern "C" fn record(
        task: *mut aws_task,
        arg: *mut c_void,
        status: enum_aws_task_status,
    ) {
        // SAFETY: C passes pointers valid as the upstream header documents; NULL is checked where upstream checks it.
        unsafe {
            let log = &mut *(arg as *mut Vec<(usize, i32)>);
            log.push(((*task).type_tag as usize, status));
        }
    }

    impl Bench {
        fn new(n: usize) -> Bench {
            let mut b = Bench {
                // SAFETY: all-zero is a valid (uninitialised) scheduler value.
                sched: Box::new(unsafe { std::mem::zeroed() }),
                tasks: Vec::with_capacity(n),
                log: Box::default(),
            };
            let log = &mut *b.log as *mut Vec<(usize, i32)> as *mut c_void;
            for i in 0..n {
                // SAFETY: all-zero is a valid task; aws_task_init fills it. The
                // task id travels in type_tag (never dereferenced here).
                unsafe {
                    b.tasks.push(std::mem::zeroed());
                    aws_task_init(&mut b.tasks[i], Some(record), log, i as *const c_char);
                }
            }
            // SAFETY: the scheduler box is writable.
            assert_eq!(
                unsafe { aws_task_scheduler_init(&mut *b.sched, default_allocator()) },
                0
            );
            b
        }
        fn s(&mut self) -> *mut aws_task_scheduler {
            &mut *self.sched
        }
        fn t(&mut self, i: usize) -> *mut aws_task {
            &mut self.tasks[i]
        }
        fn next_time(&mut self) -> (bool, u64) {
            let mut t = 7;
            // SAFETY: the scheduler is initialised.
            let any = unsafe { aws_task_scheduler_has_tasks(self.s(), &mut t) };
            (any, t)
        }
    }

    #[test]
    fn asap_then_timed_in_order_and_reentrant_work_waits() {
        let mut b = Bench::new(5);
        // SAFETY: tasks and scheduler live in `b` for the whole test.
        unsafe {
            aws_task_scheduler_schedule_future(b.s(), b.t(0), 20);
            aws_task_scheduler_schedule_future(b.s(), b.t(1), 10);
            aws_task_scheduler_schedule_future(b.s(), b.t(2), 10);
            aws_task_scheduler_schedule_now(b.s(), b.t(3));
            assert_eq!(b.next_time(), (true, 0));
            aws_task_scheduler_run_all(b.s(), 15);
            assert_eq!(*b.log, vec![(3, READY), (1, READY), (2, READY)]);
            assert_eq!(b.next_time(), (true, 20));
            aws_task_scheduler_cancel_task(b.s(), b.t(0));
            assert_eq!(b.log.last(), Some(&(0, CANCELED)));
            assert_eq!(b.next_time(), (false, u64::MAX));
            // Cancelling a task that is not scheduled still runs it, once.
            aws_task_scheduler_cancel_task(b.s(), b.t(4));
            assert_eq!(b.log.len(), 5);
            aws_task_scheduler_clean_up(b.s());
            aws_task_scheduler_clean_up(b.s());
        }
    }

    #[test]
    fn clean_up_cancels_everything() {
        let mut b = Bench::new(3);
        // SAFETY: as above.
        unsafe {
            aws_task_scheduler_schedule_future(b.s(), b.t(0), 99);
            aws_task_scheduler_schedule_now(b.s(), b.t(1));
            aws_task_scheduler_schedule_future(b.s(), b.t(2), 5);
            aws_task_scheduler_clean_up(b.s());
        }
        assert_eq!(*b.log, vec![(1, CANCELED), (2, CANCELED), (0, CANCELED)]);
        // SAFETY: the tasks live in the bench and were initialised.
        assert!(b.tasks.iter().all(|t| !unsafe { is_scheduled(t) }));
    }

    #[test]
    fn rescheduling_a_scheduled_task_moves_it() {
        let mut b = Bench::new(2);
        // SAFETY: as above.
        unsafe {
            aws_task_scheduler_schedule_future(b.s(), b.t(0), 50);
            aws_task_scheduler_schedule_future(b.s(), b.t(1), 60);
            aws_task_scheduler_schedule_future(b.s(), b.t(0), 70);
            aws_task_scheduler_schedule_now(b.s(), b.t(1));
            aws_task_scheduler_run_all(b.s(), 65);
            assert_eq!(*b.log, vec![(1, READY)]);
            aws_task_scheduler_run_all(b.s(), 70);
            assert_eq!(*b.log, vec![(1, READY), (0, READY)]);
            aws_task_scheduler_clean_up(b.s());
        }
    }

    #[derive(Clone, Debug)]
    enum Op {
        Now(usize),
        Future(usize, u64),
        Cancel(usize),
        Run(u64),
    }

    fn op() -> impl Strategy<Value = Op> {
        prop_oneof![
            (0..12usize).prop_map(Op::Now),
            (0..12usize, 0..40u64).prop_map(|(i, t)| Op::Future(i, t)),
            (0..12usize).prop_map(Op::Cancel),
            (0..45u64).prop_map(Op::Run),
        ]
    }

    /// The reference: ASAP FIFO, timed by (time, scheduling order).
    #[derive(Default)]
    struct Model {
        asap: VecDeque<usize>,
        timed: Vec<(u64, u64, usize)>,
        seq: u64,
        log: Vec<(usize, i32)>,
    }

    impl Model {
        fn unlink(&mut self, i: usize) {
            self.asap.retain(|&x| x != i);
            self.timed.retain(|&(_, _, x)| x != i);
        }
        fn apply(&mut self, op: &Op) {
            match *op {
                Op::Now(i) => {
                    self.unlink(i);
                    self.asap.push_back(i);
                }
                Op::Future(i, t) => {
                    self.unlink(i);
                    self.seq += 1;
                    self.timed.push((t, self.seq, i));
                }
                Op::Cancel(i) => {
                    self.unlink(i);
                    self.log.push((i, CANCELED));
                }
                Op::Run(now) => self.drain(now, READY),
            }
        }
        fn drain(&mut self, now: u64, status: i32) {
            for i in self.asap.drain(..) {
                self.log.push((i, status));
            }
            self.timed.sort();
            let due = self.timed.iter().take_while(|e| e.0 <= now).count();
            for (_, _, i) in self.timed.drain(..due) {
                self.log.push((i, status));
            }
        }
        fn next_time(&self) -> (bool, u64) {
            if !self.asap.is_empty() {
                (true, 0)
            } else {
                self.timed
                    .iter()
                    .map(|e| e.0)
                    .min()
                    .map_or((false, u64::MAX), |t| (true, t))
            }
        }
    }

    proptest! {
        #[test]
        fn matches_model(ops in proptest::collection::vec(op(), 0..200)) {
            let mut b = Bench::new(12);
            let mut m = Model::default();
            for op in &ops {
                // SAFETY: task indices are in range; everything lives in `b`.
                unsafe {
                    match *op {
                        Op::Now(i) => aws_task_scheduler_schedule_now(b.s(), b.t(i)),
                        Op::Future(i, t) => aws_task_scheduler_schedule_future(b.s(), b.t(i), t),
                        Op::Cancel(i) => aws_task_scheduler_cancel_task(b.s(), b.t(i)),
                        Op::Run(t) => aws_task_scheduler_run_all(b.s(), t),
                    }
                }
                m.apply(op);
                prop_assert_eq!(&*b.log, &m.log);
                prop_assert_eq!(b.next_time(), m.next_time());
                // SAFETY: the scheduler is initialised.
                let valid = unsafe { aws_task_scheduler_is_valid(b.s()) };
                prop_assert!(valid);
            }
            // SAFETY: as above.
            unsafe { aws_task_scheduler_clean_up(b.s()) };
            m.drain(u64::MAX, CANCELED);
            prop_assert_eq!(&*b.log, &m.log);
        }
    }
}
