//! `aws_cli_getopt_long`: upstream's small getopt_long. Its state lives in the
//! exported globals `aws_cli_optind`, `aws_cli_optarg` and
//! `aws_cli_positional_arg` (C programs read and reset them directly), so, like
//! getopt, it is not thread-safe.
use std::ffi::CStr;
use std::ptr;

use libc::{c_char, c_int, c_void};

use super::abi::*;
use super::error::raise;
use super::error_codes::*;

#[no_mangle]
pub static mut aws_cli_optind: c_int = 1;
#[no_mangle]
pub static mut aws_cli_optarg: *const c_char = ptr::null();
#[no_mangle]
pub static mut aws_cli_positional_arg: *const c_char = ptr::null();
/// Whether the previous argument was an option (so a bare word may be its value).
static mut ON_ARG: bool = false;

/// What the option table says about one command-line word.
enum Word<'a> {
    Short(u8),
    Long(&'a [u8]),
    Bare,
}

fn classify(arg: &[u8]) -> Word<'_> {
    match arg {
        [b'-', b'-', rest @ ..] => Word::Long(rest),
        [b'-', c, ..] => Word::Short(*c),
        [b'-'] => Word::Short(0),
        _ => Word::Bare,
    }
}

/// Index of the table entry matching `word`, scanning up to the all-zero terminator.
///
/// # Safety
/// `longopts` is terminated by an entry with a NULL name and a zero val; names are C strings.
unsafe fn find(longopts: *const aws_cli_option, word: &Word) -> Option<usize> {
    // SAFETY: the table is terminated (see above), so every index read is in bounds.
    unsafe {
        let mut i = 0;
        loop {
            let o = &*longopts.add(i);
            if o.name.is_null() && o.val == 0 {
                return None;
            }
            let hit = match word {
                Word::Short(c) => o.val == c_int::from(*c),
                Word::Long(name) => !o.name.is_null() && CStr::from_ptr(o.name).to_bytes() == *name,
                Word::Bare => false,
            };
            if hit {
                return Some(i);
            }
            i += 1;
        }
    }
}

#[no_mangle]
pub unsafe extern "C" fn aws_cli_reset_state() {
    // SAFETY: the parser's globals are, as upstream documents, single-threaded state.
    unsafe {
        aws_cli_optind = 1;
        aws_cli_optarg = ptr::null();
        aws_cli_positional_arg = ptr::null();
        ON_ARG = false;
    }
}

/// Returns the matched option's `val`, 0x02 for a positional argument, '?' for
/// an unknown option or a missing value, and -1 when the arguments are used up.
#[no_mangle]
pub unsafe extern "C" fn aws_cli_getopt_long(
    argc: c_int,
    argv: *const *mut c_char,
    optstring: *const c_char,
    longopts: *const aws_cli_option,
    longindex: *mut c_int,
) -> c_int {
    // SAFETY: argv holds argc C strings, optstring is a C string and longopts a terminated
    // table (upstream's contract); the globals are single-threaded parser state.
    unsafe {
        aws_cli_optarg = ptr::null();
        if aws_cli_optind >= argc {
            return -1;
        }
        let arg = *argv.add(aws_cli_optind as usize);
        let word = classify(CStr::from_ptr(arg).to_bytes());
        let mut positional = false;
        let found = match word {
            Word::Bare => {
                if ON_ARG {
                    ON_ARG = false;
                    aws_cli_positional_arg = ptr::null();
                } else {
                    aws_cli_positional_arg = arg;
                    positional = true;
                }
                None
            }
            _ => {
                ON_ARG = true;
                find(longopts, &word)
            }
        };
        aws_cli_optind += 1;
        let Some(index) = found else {
            return if positional { 0x02 } else { c_int::from(b'?') };
        };
        if !longindex.is_null() {
            *longindex = index as c_int;
        }
        let val = (*longopts.add(index)).val;
        ON_ARG = false;
        aws_cli_positional_arg = ptr::null();
        let spec = CStr::from_ptr(optstring).to_bytes_with_nul();
        let Some(at) = spec.iter().position(|&b| c_int::from(b) == val) else {
            return c_int::from(b'?');
        };
        if spec.get(at + 1) == Some(&b':') {
            if aws_cli_optind >= argc {
                return c_int::from(b'?');
            }
            aws_cli_optarg = *argv.add(aws_cli_optind as usize);
            aws_cli_optind += 1;
        }
        val
    }
}

/// Calls the handler whose name matches argv[1] (ignoring case) with argv shifted by one.
#[no_mangle]
pub unsafe extern "C" fn aws_cli_dispatch_on_subcommand(
    argc: c_int,
    argv: *const *mut c_char,
    dispatch_table: *mut aws_cli_subcommand_dispatch,
    table_length: c_int,
    user_data: *mut c_void,
) -> c_int {
    if argc < 2 {
        return raise(AWS_ERROR_INVALID_ARGUMENT);
    }
    // SAFETY: argv holds argc C strings and the table table_length entries with C-string names.
    unsafe {
        let name = *argv.add(1);
        let wanted = CStr::from_ptr(name).to_bytes();
        for i in 0..table_length.max(0) as usize {
            let entry = &*dispatch_table.add(i);
            if CStr::from_ptr(entry.command_name)
                .to_bytes()
                .eq_ignore_ascii_case(wanted)
            {
                if let Some(f) = entry.subcommand_fn {
                    return f(argc - 1, argv.add(1), name, user_data);
                }
            }
        }
    }
    raise(AWS_ERROR_UNIMPLEMENTED)
}
