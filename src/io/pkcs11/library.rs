//! `aws_pkcs11_lib`: a PKCS#11 module loaded with dlopen, its function table,
//! and C_Initialize/C_Finalize as the options' behavior asks. Ref-counted;
//! the last release finalizes (STRICT only) and unloads.
use std::ffi::CString;
use std::ptr::null_mut;

use libc::{c_char, c_int, c_ulong, c_void};

use super::cryptoki::*;
use crate::common::abi::*;
use crate::common::allocator::{drop_in, new_in};
use crate::common::error::raise;
use crate::common::error_codes::*;
use crate::common::ref_count::RefCount;
use crate::common::sync::{aws_mutex_clean_up, aws_mutex_init, aws_mutex_lock, aws_mutex_unlock};
use crate::io::abi::aws_io_log_subject::AWS_LS_IO_PKCS11;
use crate::io::abi::aws_pkcs11_lib_behavior::*;
use crate::io::abi::*;
use crate::io::shared_library::{
    aws_shared_library_clean_up, aws_shared_library_find_function, aws_shared_library_init,
};

/// Cryptoki 2.x: every 2.x table starts with the functions called here.
const SUPPORTED_MAJOR: u8 = 2;
const MIN_SUPPORTED_MINOR: u8 = 20;

pub struct Pkcs11Lib {
    ref_count: RefCount,
    pub allocator: *mut aws_allocator,
    shared_lib: aws_shared_library,
    functions: *const FunctionList,
    finalize_on_cleanup: bool,
}

impl Pkcs11Lib {
    /// The module's function table (set before a lib is handed out).
    pub fn functions(&self) -> &FunctionList {
        // SAFETY: set from C_GetFunctionList before any caller sees the lib; a
        // module's table lives as long as the module stays loaded.
        unsafe { &*self.functions }
    }

    /// Logs a failed call and raises its AWS error; returns AWS_OP_ERR.
    pub fn raise_ck(&self, function: &str, rv: CK_RV) -> c_int {
        self.raise_ck_in(None, function, rv)
    }

    /// As [`Self::raise_ck`], naming the session the call ran in.
    pub fn raise_ck_in(&self, session: Option<c_ulong>, function: &str, rv: CK_RV) -> c_int {
        let error = return_value_error(rv);
        let session = session.map(|s| format!(" session={s}")).unwrap_or_default();
        crate::aws_log!(
            AWS_LOG_LEVEL_ERROR,
            AWS_LS_IO_PKCS11,
            "id={:p}{session}: {function}() failed. PKCS#11 error: {} (0x{rv:08X}). AWS error: {}",
            self,
            return_value_name(rv).to_string_lossy(),
            crate::common::error::error_name(error)
        );
        raise(error)
    }
}

/// The lib behind a C handle.
///
/// # Safety
/// `lib` is NULL or a live lib from `aws_pkcs11_lib_new`.
pub unsafe fn lib_ref<'a>(lib: *mut aws_pkcs11_lib, who: &str) -> &'a Pkcs11Lib {
    if lib.is_null() {
        crate::ffi::fatal(&format!("{who}: precondition failed: pkcs11_lib is NULL"));
    }
    // SAFETY: per this fn's contract.
    unsafe { &*(lib as *const Pkcs11Lib) }
}

/// Runs a table entry, answering CKR_FUNCTION_NOT_SUPPORTED for a module that
/// left it NULL.
macro_rules! ck_call {
    ($lib:expr, $field:ident ( $($arg:expr),* $(,)? )) => {
        match $lib.functions().$field {
            Some(f) => f($($arg),*),
            None => $crate::io::pkcs11::cryptoki::CKR_FUNCTION_NOT_SUPPORTED,
        }
    };
}
pub(crate) use ck_call;

// Mutex callbacks handed to C_Initialize, so the module locks with ours.
// Upstream uses the default allocator too: no lib is known in these calls.
unsafe extern "C" fn create_mutex(out: *mut *mut c_void) -> CK_RV {
    if out.is_null() {
        return CKR_GENERAL_ERROR;
    }
    // SAFETY: all-zero is a valid aws_mutex to initialize.
    let mutex: Box<aws_mutex> = Box::new(unsafe { std::mem::zeroed() });
    let mutex = Box::into_raw(mutex);
    // SAFETY: `mutex` is a fresh, stable allocation; `out` is writable (checked).
    unsafe {
        if aws_mutex_init(mutex) != AWS_OP_SUCCESS {
            drop(Box::from_raw(mutex));
            return CKR_GENERAL_ERROR;
        }
        *out = mutex as *mut c_void;
    }
    CKR_OK
}

unsafe extern "C" fn destroy_mutex(mutex: *mut c_void) -> CK_RV {
    if mutex.is_null() {
        return CKR_GENERAL_ERROR;
    }
    // SAFETY: the module passes a mutex create_mutex made, once.
    unsafe {
        aws_mutex_clean_up(mutex as *mut aws_mutex);
        drop(Box::from_raw(mutex as *mut aws_mutex));
    }
    CKR_OK
}

unsafe extern "C" fn lock_mutex(mutex: *mut c_void) -> CK_RV {
    // SAFETY: the module passes a mutex create_mutex made.
    if mutex.is_null() || unsafe { aws_mutex_lock(mutex as *mut aws_mutex) } != AWS_OP_SUCCESS {
        return CKR_GENERAL_ERROR;
    }
    CKR_OK
}

unsafe extern "C" fn unlock_mutex(mutex: *mut c_void) -> CK_RV {
    // SAFETY: the module passes a mutex create_mutex made.
    if mutex.is_null() || unsafe { aws_mutex_unlock(mutex as *mut aws_mutex) } != AWS_OP_SUCCESS {
        return CKR_GENERAL_ERROR;
    }
    CKR_OK
}

/// Drops a PKCS#11 string's space padding.
pub fn trim_padding(s: &[u8]) -> &[u8] {
    let end = s.iter().rposition(|&c| c != b' ').map_or(0, |i| i + 1);
    &s[..end]
}

/// Loads the module, checks its version and initializes it. Each failing step
/// raises its error (shared-library load or lookup, the CKR_* code,
/// AWS_ERROR_PKCS11_VERSION_UNSUPPORTED) and everything done so far is undone.
///
/// # Safety
/// `lib` is a fresh lib whose functions are not set.
unsafe fn load(lib: &mut Pkcs11Lib, filename: *const c_char, behavior: c_int) -> c_int {
    // SAFETY: `filename` is NULL or NUL-terminated; `lib.shared_lib` is writable.
    unsafe {
        if aws_shared_library_init(&mut lib.shared_lib, filename) != AWS_OP_SUCCESS {
            return AWS_OP_ERR;
        }
        let mut get_function_list: Option<unsafe extern "C" fn()> = None;
        if aws_shared_library_find_function(
            &mut lib.shared_lib,
            c"C_GetFunctionList".as_ptr(),
            &mut get_function_list,
        ) != AWS_OP_SUCCESS
        {
            return AWS_OP_ERR;
        }
        // SAFETY: the standard's C_GetFunctionList has this signature.
        let get_function_list: GetFunctionListFn = std::mem::transmute::<
            unsafe extern "C" fn(),
            GetFunctionListFn,
        >(get_function_list.unwrap());
        let mut table: *mut FunctionList = null_mut();
        let rv = get_function_list(&mut table);
        if rv != CKR_OK {
            return lib.raise_ck("C_GetFunctionList", rv);
        }
        if table.is_null() {
            return lib.raise_ck("C_GetFunctionList", CKR_GENERAL_ERROR);
        }
        lib.functions = table;
    }
    let version = lib.functions().version;
    if version.major != SUPPORTED_MAJOR || version.minor < MIN_SUPPORTED_MINOR {
        crate::aws_log!(
            AWS_LOG_LEVEL_ERROR,
            AWS_LS_IO_PKCS11,
            "id={:p}: module implements PKCS#11 {}.{}, {SUPPORTED_MAJOR}.{MIN_SUPPORTED_MINOR} or a later 2.x is needed",
            lib,
            version.major,
            version.minor
        );
        return raise(AWS_ERROR_PKCS11_VERSION_UNSUPPORTED);
    }
    let mut initialized = "omit";
    if behavior != AWS_PKCS11_LIB_OMIT_INITIALIZE as c_int {
        let strict = behavior == AWS_PKCS11_LIB_STRICT_INITIALIZE_FINALIZE as c_int;
        let mut args = InitializeArgs {
            create_mutex: Some(create_mutex),
            destroy_mutex: Some(destroy_mutex),
            lock_mutex: Some(lock_mutex),
            unlock_mutex: Some(unlock_mutex),
            flags: CKF_OS_LOCKING_OK,
            reserved: null_mut(),
        };
        // SAFETY: the args outlive the call; the module copies what it keeps.
        let rv = unsafe {
            ck_call!(
                lib,
                initialize(&mut args as *mut InitializeArgs as *mut c_void)
            )
        };
        if rv != CKR_OK && (rv != CKR_CRYPTOKI_ALREADY_INITIALIZED || strict) {
            return lib.raise_ck("C_Initialize", rv);
        }
        lib.finalize_on_cleanup = strict;
        initialized = return_value_name(rv).to_str().unwrap_or("?");
    }
    // SAFETY: all-zero is a valid CK_INFO to fill.
    let mut info: Info = unsafe { std::mem::zeroed() };
    // SAFETY: `info` is writable for the call.
    let rv = unsafe { ck_call!(lib, get_info(&mut info)) };
    if rv != CKR_OK {
        return lib.raise_ck("C_GetInfo", rv);
    }
    crate::aws_log!(
        AWS_LOG_LEVEL_INFO,
        AWS_LS_IO_PKCS11,
        "id={:p}: PKCS#11 loaded. cryptokiVersion:{}.{} manufacturerID:'{}' flags:0x{:08X} libraryDescription:'{}' libraryVersion:{}.{} C_Initialize:{initialized}",
        lib,
        info.cryptoki_version.major,
        info.cryptoki_version.minor,
        String::from_utf8_lossy(trim_padding(&info.manufacturer_id)),
        info.flags,
        String::from_utf8_lossy(trim_padding(&info.library_description)),
        info.library_version.major,
        info.library_version.minor
    );
    AWS_OP_SUCCESS
}

/// Finalizes (if this lib initialized in STRICT mode), unloads and frees.
///
/// # Safety
/// `lib` came from `aws_pkcs11_lib_new` and has no references left.
unsafe fn destroy(lib: *mut Pkcs11Lib) {
    // SAFETY: per this fn's contract.
    unsafe {
        let l = &mut *lib;
        if l.finalize_on_cleanup {
            let rv = ck_call!(l, finalize(null_mut()));
            if rv != CKR_OK {
                l.raise_ck("C_Finalize", rv);
            }
        }
        aws_shared_library_clean_up(&mut l.shared_lib);
        drop_in(l.allocator, lib);
    }
}

/// Loads the PKCS#11 module `options->filename` (NULL `ptr`: the program
/// itself) and initializes it as `initialize_finalize_behavior` asks. NULL
/// with an error raised when any step fails.
#[no_mangle]
pub unsafe extern "C" fn aws_pkcs11_lib_new(
    allocator: *mut aws_allocator,
    options: *const aws_pkcs11_lib_options,
) -> *mut aws_pkcs11_lib {
    crate::fatal_precondition!(
        !allocator.is_null() && !options.is_null(),
        "aws_pkcs11_lib_new"
    );
    // SAFETY: C passes readable options.
    let options = unsafe { &*options };
    let behavior = options.initialize_finalize_behavior;
    if !(AWS_PKCS11_LIB_DEFAULT_BEHAVIOR as c_int
        ..=AWS_PKCS11_LIB_STRICT_INITIALIZE_FINALIZE as c_int)
        .contains(&behavior)
    {
        crate::aws_log!(
            AWS_LOG_LEVEL_ERROR,
            AWS_LS_IO_PKCS11,
            "invalid PKCS#11 behavior: {behavior}"
        );
        raise(AWS_ERROR_INVALID_ARGUMENT);
        return null_mut();
    }
    // A C string of the name, cut at any NUL as upstream's aws_string would be.
    let filename = (!options.filename.ptr.is_null()).then(|| {
        // SAFETY: a non-NULL cursor is readable for its length.
        let bytes = unsafe { crate::common::byte_buf::cursor_bytes(&options.filename) };
        let end = bytes.iter().position(|&b| b == 0).unwrap_or(bytes.len());
        CString::new(&bytes[..end]).expect("cut at the first NUL")
    });
    let shown = filename.as_ref().map_or("<MAIN PROGRAM>".into(), |f| {
        f.to_string_lossy().into_owned()
    });
    crate::aws_log!(
        AWS_LOG_LEVEL_DEBUG,
        AWS_LS_IO_PKCS11,
        "loading PKCS#11 module '{shown}'"
    );
    // SAFETY: the allocator is valid (checked non-NULL; caller contract).
    let lib = unsafe {
        new_in(
            allocator,
            Pkcs11Lib {
                ref_count: RefCount::new(1),
                allocator,
                shared_lib: aws_shared_library {
                    library_handle: null_mut(),
                },
                functions: std::ptr::null(),
                finalize_on_cleanup: false,
            },
        )
    };
    let name = filename.as_ref().map_or(std::ptr::null(), |f| f.as_ptr());
    // SAFETY: `lib` is fresh and ours; `name` outlives the call.
    if unsafe { load(&mut *lib, name, behavior) } != AWS_OP_SUCCESS {
        crate::aws_log!(
            AWS_LOG_LEVEL_ERROR,
            AWS_LS_IO_PKCS11,
            "id={:p}: failed to initialize PKCS#11 module '{shown}'",
            lib
        );
        let error = crate::common::error::last_error();
        // SAFETY: nobody else holds `lib`.
        unsafe { destroy(lib) };
        raise(error);
        return null_mut();
    }
    lib as *mut aws_pkcs11_lib
}

#[no_mangle]
pub unsafe extern "C" fn aws_pkcs11_lib_acquire(
    pkcs11_lib: *mut aws_pkcs11_lib,
) -> *mut aws_pkcs11_lib {
    // SAFETY: C passes a live lib.
    unsafe { lib_ref(pkcs11_lib, "aws_pkcs11_lib_acquire") }
        .ref_count
        .acquire("aws_pkcs11_lib_acquire");
    pkcs11_lib
}

/// Drops a reference (NULL is ignored); the last one unloads the module.
#[no_mangle]
pub unsafe extern "C" fn aws_pkcs11_lib_release(pkcs11_lib: *mut aws_pkcs11_lib) {
    if pkcs11_lib.is_null() {
        return;
    }
    // SAFETY: C passes a live lib; it is not touched after its last reference.
    unsafe {
        if lib_ref(pkcs11_lib, "aws_pkcs11_lib_release")
            .ref_count
            .release("aws_pkcs11_lib_release")
        {
            destroy(pkcs11_lib as *mut Pkcs11Lib);
        }
    }
}

/// The module's raw function table (for tests, as upstream).
#[no_mangle]
pub unsafe extern "C" fn aws_pkcs11_lib_get_function_list(
    pkcs11_lib: *mut aws_pkcs11_lib,
) -> *mut CK_FUNCTION_LIST {
    // SAFETY: C passes a live lib.
    let lib = unsafe { lib_ref(pkcs11_lib, "aws_pkcs11_lib_get_function_list") };
    lib.functions as *mut CK_FUNCTION_LIST
}

/// The name of a CKR_* value ("<UNKNOWN RETURN VALUE>" for others).
#[no_mangle]
pub extern "C" fn aws_pkcs11_ckr_str(rv: c_ulong) -> *const c_char {
    return_value_name(rv).as_ptr()
}
