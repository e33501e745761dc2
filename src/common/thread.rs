//! `aws_thread`: pthreads launched and joined through the C API.
//!
//! Threads are real pthreads (the id in `struct aws_thread` is a `pthread_t`
//! usable by C). A launched thread runs a small Rust start routine that names
//! the thread, calls the C function, runs the at-exit callbacks and, for a
//! managed thread, hands itself to [`managed`] to be joined later.
use std::cell::{Cell, RefCell};
use std::ffi::CString;
use std::panic::{catch_unwind, AssertUnwindSafe};

use libc::{c_char, c_int, c_void, pthread_t};

use super::abi::*;
use super::error::raise;
use super::error_codes::*;
use crate::fatal_precondition;

pub mod managed;
pub use managed::*;

/// Linux limits thread names to 15 bytes plus the NUL.
const MAX_NAME_LEN: usize = AWS_THREAD_NAME_RECOMMENDED_STRLEN as usize;

struct StaticOptions(aws_thread_options);
// SAFETY: immutable; the only pointer is NULL.
unsafe impl Sync for StaticOptions {}

static DEFAULT_OPTIONS: StaticOptions = StaticOptions(aws_thread_options {
    stack_size: 0,
    cpu_id: -1,
    join_strategy: aws_thread_join_strategy::AWS_TJS_MANUAL as c_int,
    name: aws_byte_cursor {
        len: 0,
        ptr: std::ptr::null_mut(),
    },
});

/// Everything the start routine needs, moved into the new thread.
struct Launch {
    func: unsafe extern "C" fn(*mut c_void),
    arg: *mut c_void,
    name: Option<CString>,
    managed: bool,
}

type AtExit = (unsafe extern "C" fn(*mut c_void), *mut c_void);

thread_local! {
    /// At-exit callbacks of the current aws_thread; None on threads we did not launch.
    static AT_EXIT: RefCell<Option<Vec<AtExit>>> = const { RefCell::new(None) };
}

extern "C" fn thread_start(arg: *mut c_void) -> *mut c_void {
    // SAFETY: `arg` is the Box<Launch> leaked by aws_thread_launch, handed over once.
    let launch = unsafe { Box::from_raw(arg as *mut Launch) };
    // A panic must not unwind out of a pthread start routine.
    if catch_unwind(AssertUnwindSafe(|| run(*launch))).is_err() {
        crate::ffi::fatal("panic in an aws_thread start routine");
    }
    std::ptr::null_mut()
}

fn run(launch: Launch) {
    // SAFETY: pthread_self is always valid.
    let me = unsafe { libc::pthread_self() };
    if let Some(name) = &launch.name {
        // Best effort, as upstream: a name the OS refuses is not an error.
        // SAFETY: `name` is NUL-terminated and at most 15 bytes long.
        unsafe { libc::pthread_setname_np(me, name.as_ptr()) };
    }
    AT_EXIT.with(|a| *a.borrow_mut() = Some(Vec::new()));

    // SAFETY: the caller of aws_thread_launch supplied this function and argument.
    unsafe { (launch.func)(launch.arg) };

    // Most recently registered first; callbacks may register more.
    while let Some((cb, user_data)) = AT_EXIT.with(|a| a.borrow_mut().as_mut().and_then(Vec::pop)) {
        // SAFETY: registered through aws_thread_current_at_exit by C code.
        unsafe { cb(user_data) };
    }
    AT_EXIT.with(|a| *a.borrow_mut() = None);

    if launch.managed {
        managed::thread_finished(me);
    }
}

/// Upstream's mapping of pthread_create/attribute errors.
fn launch_error(rc: c_int) -> c_int {
    raise(match rc {
        libc::EINVAL => AWS_ERROR_THREAD_INVALID_SETTINGS,
        libc::EAGAIN => AWS_ERROR_THREAD_INSUFFICIENT_RESOURCE,
        libc::EPERM => AWS_ERROR_THREAD_NO_PERMISSIONS,
        libc::ENOMEM => AWS_ERROR_OOM,
        _ => AWS_ERROR_UNKNOWN,
    })
}

/// The thread name from an options cursor: up to the first NUL, at most 15 bytes.
fn thread_name(cursor: &aws_byte_cursor) -> Option<CString> {
    if cursor.len == 0 || cursor.ptr.is_null() {
        return None;
    }
    // SAFETY: a cursor's ptr is valid for len bytes.
    let bytes = unsafe { std::slice::from_raw_parts(cursor.ptr, cursor.len) };
    let bytes = bytes.split(|&b| b == 0).next().unwrap_or_default();
    let bytes = &bytes[..bytes.len().min(MAX_NAME_LEN)];
    (!bytes.is_empty()).then(|| CString::new(bytes).expect("NULs were cut off"))
}

/// Owned pthread attributes, destroyed on drop.
struct Attr(libc::pthread_attr_t);

impl Attr {
    fn new() -> Result<Attr, c_int> {
        // SAFETY: pthread_attr_init initialises the zeroed storage.
        let mut attr = Attr(unsafe { std::mem::zeroed() });
        // SAFETY: as above.
        match unsafe { libc::pthread_attr_init(&mut attr.0) } {
            0 => Ok(attr),
            rc => {
                std::mem::forget(attr);
                Err(rc)
            }
        }
    }
}

impl Drop for Attr {
    fn drop(&mut self) {
        // SAFETY: initialised in Attr::new.
        unsafe { libc::pthread_attr_destroy(&mut self.0) };
    }
}

#[no_mangle]
pub extern "C" fn aws_default_thread_options() -> *const aws_thread_options {
    &DEFAULT_OPTIONS.0
}

#[no_mangle]
pub unsafe extern "C" fn aws_thread_init(
    thread: *mut aws_thread,
    allocator: *mut aws_allocator,
) -> c_int {
    fatal_precondition!(!thread.is_null(), "aws_thread_init");
    // SAFETY: non-NULL, caller-owned storage.
    unsafe {
        thread.write(aws_thread {
            allocator,
            detach_state: aws_thread_detach_state::AWS_THREAD_NOT_CREATED as c_int,
            thread_id: 0,
        })
    };
    AWS_OP_SUCCESS
}

#[no_mangle]
pub unsafe extern "C" fn aws_thread_launch(
    thread: *mut aws_thread,
    func: aws_thread_function,
    arg: *mut c_void,
    options: *const aws_thread_options,
) -> c_int {
    fatal_precondition!(!thread.is_null(), "aws_thread_launch");
    let Some(func) = func else {
        crate::ffi::fatal("aws_thread_launch: thread function is NULL");
    };
    // SAFETY: non-NULL pointers from the caller.
    let (thread, options) = unsafe { (&mut *thread, options.as_ref()) };
    let managed = options
        .is_some_and(|o| o.join_strategy == aws_thread_join_strategy::AWS_TJS_MANAGED as c_int);

    let mut attr = match options.map(|_| Attr::new()).transpose() {
        Ok(attr) => attr,
        Err(rc) => return launch_error(rc),
    };
    if let (Some(o), Some(a)) = (options, attr.as_mut()) {
        // Like upstream, sizes at or below the minimum mean "platform default".
        if o.stack_size > libc::PTHREAD_STACK_MIN {
            // SAFETY: `a` is an initialised attribute object.
            let rc = unsafe { libc::pthread_attr_setstacksize(&mut a.0, o.stack_size) };
            if rc != 0 {
                return launch_error(rc);
            }
        }
    }

    let launch = Box::new(Launch {
        func,
        arg,
        name: options.and_then(|o| thread_name(&o.name)),
        managed,
    });
    let launch = Box::into_raw(launch);
    // Counted before the thread exists so a concurrent join_all_managed waits for it.
    if managed {
        increment_unjoined();
    }
    let attr_ptr = attr
        .as_ref()
        .map_or(std::ptr::null(), |a| &a.0 as *const libc::pthread_attr_t);
    // The id is written straight into the C struct (glibc stores it before the
    // thread starts), so the new thread can already read it there.
    // SAFETY: thread_start takes ownership of `launch` only if creation succeeds.
    let rc = unsafe {
        libc::pthread_create(&mut thread.thread_id, attr_ptr, thread_start, launch.cast())
    };
    if rc != 0 {
        // SAFETY: the thread was not created, so `launch` is still ours.
        drop(unsafe { Box::from_raw(launch) });
        if managed {
            decrement_unjoined();
        }
        return launch_error(rc);
    }
    let id = thread.thread_id;

    if let Some(cpu) = options.map(|o| o.cpu_id).filter(|&c| c >= 0) {
        pin_to_cpu(id, cpu as usize);
    }
    thread.detach_state = if managed {
        aws_thread_detach_state::AWS_THREAD_MANAGED
    } else {
        aws_thread_detach_state::AWS_THREAD_JOINABLE
    } as c_int;
    AWS_OP_SUCCESS
}

/// Pins a running thread to one CPU. Best effort: an id the machine does not
/// have leaves the thread unpinned, and the launch still succeeds.
fn pin_to_cpu(id: pthread_t, cpu: usize) {
    // SAFETY: cpu_set_t is a plain bit set; zero is the empty set.
    let mut set: libc::cpu_set_t = unsafe { std::mem::zeroed() };
    if cpu >= 8 * std::mem::size_of::<libc::cpu_set_t>() {
        return;
    }
    // SAFETY: `cpu` is within the set (checked above); `id` is a live thread
    // we just created.
    unsafe {
        libc::CPU_SET(cpu, &mut set);
        libc::pthread_setaffinity_np(id, std::mem::size_of::<libc::cpu_set_t>(), &set);
    }
}

#[no_mangle]
pub unsafe extern "C" fn aws_thread_get_id(thread: *mut aws_thread) -> aws_thread_id_t {
    fatal_precondition!(!thread.is_null(), "aws_thread_get_id");
    // SAFETY: non-NULL, caller-owned.
    unsafe { (*thread).thread_id }
}

#[no_mangle]
pub unsafe extern "C" fn aws_thread_get_detach_state(
    thread: *mut aws_thread,
) -> enum_aws_thread_detach_state {
    fatal_precondition!(!thread.is_null(), "aws_thread_get_detach_state");
    // SAFETY: non-NULL, caller-owned.
    unsafe { (*thread).detach_state }
}

/// Joins a JOINABLE thread; any other state is a successful no-op, as upstream.
#[no_mangle]
pub unsafe extern "C" fn aws_thread_join(thread: *mut aws_thread) -> c_int {
    fatal_precondition!(!thread.is_null(), "aws_thread_join");
    // SAFETY: non-NULL, caller-owned.
    let thread = unsafe { &mut *thread };
    if thread.detach_state != aws_thread_detach_state::AWS_THREAD_JOINABLE as c_int {
        return AWS_OP_SUCCESS;
    }
    // SAFETY: a JOINABLE thread has been created and not joined or detached.
    match unsafe { libc::pthread_join(thread.thread_id, std::ptr::null_mut()) } {
        libc::EINVAL => return raise(AWS_ERROR_THREAD_NOT_JOINABLE),
        libc::ESRCH => return raise(AWS_ERROR_THREAD_NO_SUCH_THREAD_ID),
        libc::EDEADLK => return raise(AWS_ERROR_THREAD_DEADLOCK_DETECTED),
        _ => {}
    }
    thread.detach_state = aws_thread_detach_state::AWS_THREAD_JOIN_COMPLETED as c_int;
    AWS_OP_SUCCESS
}

/// A thread launched but never joined is detached so its resources are freed
/// when it ends.
#[no_mangle]
pub unsafe extern "C" fn aws_thread_clean_up(thread: *mut aws_thread) {
    fatal_precondition!(!thread.is_null(), "aws_thread_clean_up");
    // SAFETY: non-NULL, caller-owned.
    let thread = unsafe { &mut *thread };
    if thread.detach_state == aws_thread_detach_state::AWS_THREAD_JOINABLE as c_int {
        // SAFETY: created and neither joined nor detached yet.
        unsafe { libc::pthread_detach(thread.thread_id) };
    }
}

#[no_mangle]
pub extern "C" fn aws_thread_current_thread_id() -> aws_thread_id_t {
    // SAFETY: always valid.
    unsafe { libc::pthread_self() }
}

#[no_mangle]
pub extern "C" fn aws_thread_thread_id_equal(t1: aws_thread_id_t, t2: aws_thread_id_t) -> bool {
    // SAFETY: pthread_equal only compares the values.
    unsafe { libc::pthread_equal(t1, t2) != 0 }
}

/// Sleeps at least `nanos` ns; signals do not cut the sleep short.
#[no_mangle]
pub extern "C" fn aws_thread_current_sleep(nanos: u64) {
    let secs = (nanos / 1_000_000_000).min(libc::time_t::MAX as u64);
    let mut req = libc::timespec {
        tv_sec: secs as libc::time_t,
        tv_nsec: (nanos % 1_000_000_000) as libc::c_long,
    };
    let mut rem = libc::timespec {
        tv_sec: 0,
        tv_nsec: 0,
    };
    // Each EINTR resumes with the strictly smaller remaining time.
    // SAFETY: both timespecs are valid.
    while unsafe { libc::nanosleep(&req, &mut rem) } == -1
        && std::io::Error::last_os_error().raw_os_error() == Some(libc::EINTR)
    {
        req = rem;
    }
}

/// Registers a callback to run when the current aws_thread's function returns
/// (most recent first). Fails with AWS_ERROR_THREAD_NOT_JOINABLE on threads
/// not launched through aws_thread_launch.
#[no_mangle]
pub unsafe extern "C" fn aws_thread_current_at_exit(
    callback: aws_thread_atexit_fn,
    user_data: *mut c_void,
) -> c_int {
    let Some(cb) = callback else {
        crate::ffi::fatal("aws_thread_current_at_exit: callback is NULL");
    };
    let added = AT_EXIT
        .try_with(|a| match a.borrow_mut().as_mut() {
            Some(list) => {
                list.push((cb, user_data));
                true
            }
            None => false,
        })
        .unwrap_or(false);
    if added {
        AWS_OP_SUCCESS
    } else {
        raise(AWS_ERROR_THREAD_NOT_JOINABLE)
    }
}

// ---- call once ------------------------------------------------------------------

thread_local! {
    /// The call_once function and argument for the pthread_once in progress on this thread.
    static ONCE_CALL: Cell<Option<AtExit>> = const { Cell::new(None) };
}

extern "C" fn once_trampoline() {
    if let Some((f, arg)) = ONCE_CALL.with(Cell::take) {
        // SAFETY: supplied by the caller of aws_thread_call_once on this thread.
        unsafe { f(arg) };
    }
}

/// Runs `call_once(user_data)` exactly once per `flag` (a `pthread_once_t`
/// initialised with AWS_THREAD_ONCE_STATIC_INIT).
#[no_mangle]
pub unsafe extern "C" fn aws_thread_call_once(
    flag: *mut aws_thread_once,
    call_once: aws_thread_function,
    user_data: *mut c_void,
) {
    fatal_precondition!(!flag.is_null(), "aws_thread_call_once");
    let Some(f) = call_once else {
        crate::ffi::fatal("aws_thread_call_once: function is NULL");
    };
    // Saved and restored so a call_once nested inside another still works.
    let outer = ONCE_CALL.with(|c| c.replace(Some((f, user_data))));
    // SAFETY: `flag` is a valid pthread_once_t per the API contract.
    unsafe { libc::pthread_once(flag, once_trampoline) };
    ONCE_CALL.with(|c| c.set(outer));
}

// ---- names and ids ---------------------------------------------------------------

/// Makes an `aws_string` (header, bytes, NUL) in memory from `allocator`, so
/// `aws_string_destroy` frees it.
unsafe fn new_aws_string(allocator: *mut aws_allocator, bytes: &[u8]) -> *mut aws_string {
    let offset = std::mem::offset_of!(aws_string, bytes);
    // SAFETY: aws_mem_acquire aborts on a NULL allocator and raises OOM on failure.
    let p = unsafe { super::allocator::aws_mem_acquire(allocator, offset + bytes.len() + 1) }
        as *mut u8;
    if p.is_null() {
        return std::ptr::null_mut();
    }
    // SAFETY: `p` holds offset + len + 1 bytes, malloc-aligned for aws_string.
    unsafe {
        let s = p as *mut aws_string;
        std::ptr::addr_of_mut!((*s).allocator).write(allocator);
        std::ptr::addr_of_mut!((*s).len).write(bytes.len());
        std::ptr::copy_nonoverlapping(bytes.as_ptr(), p.add(offset), bytes.len());
        p.add(offset + bytes.len()).write(0);
        s
    }
}

/// The OS name of thread `thread_id` as a new `aws_string`.
#[no_mangle]
pub unsafe extern "C" fn aws_thread_name(
    allocator: *mut aws_allocator,
    thread_id: aws_thread_id_t,
    out_name: *mut *mut aws_string,
) -> c_int {
    fatal_precondition!(!out_name.is_null(), "aws_thread_name");
    // SAFETY: non-NULL output pointer.
    unsafe { *out_name = std::ptr::null_mut() };
    let mut buf = [0 as c_char; 256];
    // SAFETY: the buffer is writable for its full length.
    if unsafe { libc::pthread_getname_np(thread_id, buf.as_mut_ptr(), buf.len()) } != 0 {
        return raise(AWS_ERROR_SYS_CALL_FAILURE);
    }
    // SAFETY: pthread_getname_np NUL-terminates within the buffer on success.
    let name = unsafe { std::ffi::CStr::from_ptr(buf.as_ptr()) }.to_bytes();
    // SAFETY: allocator validity is the caller's contract.
    let s = unsafe { new_aws_string(allocator, name) };
    if s.is_null() {
        return AWS_OP_ERR;
    }
    // SAFETY: non-NULL output pointer.
    unsafe { *out_name = s };
    AWS_OP_SUCCESS
}

#[no_mangle]
pub unsafe extern "C" fn aws_thread_current_name(
    allocator: *mut aws_allocator,
    out_name: *mut *mut aws_string,
) -> c_int {
    // SAFETY: forwarded unchanged.
    unsafe { aws_thread_name(allocator, aws_thread_current_thread_id(), out_name) }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn cursor(s: &[u8]) -> aws_byte_cursor {
        aws_byte_cursor {
            len: s.len(),
            ptr: s.as_ptr() as *mut u8,
        }
    }

    #[test]
    fn names_are_cut_at_nul_and_15_bytes() {
        assert_eq!(thread_name(&cursor(b"")), None);
        assert_eq!(thread_name(&cursor(b"\0abc")), None);
        assert_eq!(thread_name(&cursor(b"io\0loop")).unwrap().as_bytes(), b"io");
        assert_eq!(
            thread_name(&cursor(b"0123456789abcdefXYZ"))
                .unwrap()
                .as_bytes(),
            b"0123456789abcde"
        );
    }

    unsafe extern "C" fn record_id(arg: *mut c_void) {
        // SAFETY: the test passes a pointer to a live pthread_t.
        unsafe { *(arg as *mut pthread_t) = aws_thread_current_thread_id() };
    }

    #[test]
    fn launch_and_join_through_the_c_api() {
        // SAFETY: aws_thread is plain C data, initialised by aws_thread_init.
        let mut t: aws_thread = unsafe { std::mem::zeroed() };
        let mut seen: pthread_t = 0;
        // SAFETY: `t` and `seen` outlive the thread, which is joined below.
        unsafe {
            aws_thread_init(&mut t, crate::common::allocator::default_allocator());
            let arg = &mut seen as *mut pthread_t as *mut c_void;
            assert_eq!(
                aws_thread_launch(&mut t, Some(record_id), arg, std::ptr::null()),
                AWS_OP_SUCCESS
            );
            assert_eq!(
                t.detach_state,
                aws_thread_detach_state::AWS_THREAD_JOINABLE as c_int
            );
            assert_eq!(aws_thread_join(&mut t), AWS_OP_SUCCESS);
        }
        assert_eq!(
            t.detach_state,
            aws_thread_detach_state::AWS_THREAD_JOIN_COMPLETED as c_int
        );
        assert!(aws_thread_thread_id_equal(seen, t.thread_id));
        assert!(!aws_thread_thread_id_equal(
            seen,
            aws_thread_current_thread_id()
        ));
    }

    #[test]
    fn id_to_string_is_big_endian_hex() {
        use crate::common::logging::aws_thread_id_t_to_string;
        let mut buf = [1 as c_char; 17];
        // SAFETY: buf has the required 17 bytes.
        assert_eq!(
            unsafe { aws_thread_id_t_to_string(0x0102_0304_a0b0_c0d0, buf.as_mut_ptr(), 17) },
            AWS_OP_SUCCESS
        );
        // SAFETY: NUL-terminated by the call.
        let s = unsafe { std::ffi::CStr::from_ptr(buf.as_ptr()) };
        assert_eq!(s.to_str().unwrap(), "01020304a0b0c0d0");
        // SAFETY: a wrong size is rejected before any write.
        assert_eq!(
            unsafe { aws_thread_id_t_to_string(1, buf.as_mut_ptr(), 16) },
            AWS_OP_ERR
        );
        assert_eq!(
            crate::common::error::last_error(),
            AWS_ERROR_INVALID_ARGUMENT
        );
    }
}
