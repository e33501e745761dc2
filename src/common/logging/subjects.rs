//! Log subject names. Subject ids are grouped by package like error codes:
//! `subject >> AWS_LOG_SUBJECT_STRIDE_BITS` picks a slot. The subjects of the
//! three libraries this crate replaces are always known; C code may register a
//! list for any slot, which then takes precedence (as upstream, lookups index a
//! registered list by position and do not check its ids).
use std::ffi::CStr;
use std::sync::atomic::{AtomicPtr, Ordering};

use libc::c_char;

use crate::common::abi::*;

/// One built-in subject: id and upstream's name.
pub struct SubjectDef {
    pub id: aws_log_subject_t,
    pub name: &'static CStr,
}

const fn def(id: aws_log_subject_t, name: &'static CStr) -> SubjectDef {
    SubjectDef { id, name }
}

const IO: u32 = 1 << AWS_LOG_SUBJECT_STRIDE_BITS;
const EVENT_STREAM: u32 = 4 << AWS_LOG_SUBJECT_STRIDE_BITS;

/// aws-c-common's subjects, in id order.
pub static COMMON_SUBJECTS: [SubjectDef; 10] = [
    def(0, c"aws-c-common"),
    def(1, c"task-scheduler"),
    def(2, c"thread"),
    def(3, c"memtrace"),
    def(4, c"xml-parser"),
    def(5, c"common-io"),
    def(6, c"bus"),
    def(7, c"test"),
    def(8, c"json-parser"),
    def(9, c"cbor"),
];

/// aws-c-io's subjects, in id order.
pub static IO_SUBJECTS: [SubjectDef; 16] = [
    def(IO, c"aws-c-io"),
    def(IO + 1, c"event-loop"),
    def(IO + 2, c"socket"),
    def(IO + 3, c"socket-handler"),
    def(IO + 4, c"tls-handler"),
    def(IO + 5, c"alpn"),
    def(IO + 6, c"dns"),
    def(IO + 7, c"pki-utils"),
    def(IO + 8, c"channel"),
    def(IO + 9, c"channel-bootstrap"),
    def(IO + 10, c"file-utils"),
    def(IO + 11, c"shared-library"),
    def(IO + 12, c"exp-backoff-strategy"),
    def(IO + 13, c"standard-retry-strategy"),
    def(IO + 14, c"pkcs11"),
    def(IO + 15, c"pem"),
];

/// aws-c-event-stream's subjects, in id order.
pub static EVENT_STREAM_SUBJECTS: [SubjectDef; 4] = [
    def(EVENT_STREAM, c"event-stream-general"),
    def(EVENT_STREAM + 1, c"event-stream-channel-handler"),
    def(EVENT_STREAM + 2, c"event-stream-rpc-server"),
    def(EVENT_STREAM + 3, c"event-stream-rpc-client"),
];

const SLOTS: usize = AWS_PACKAGE_SLOTS as usize;
const UNKNOWN: &CStr = c"Unknown";

static REGISTERED: [AtomicPtr<aws_log_subject_info_list>; SLOTS] =
    [const { AtomicPtr::new(std::ptr::null_mut()) }; SLOTS];

fn builtin(slot: usize) -> &'static [SubjectDef] {
    match slot {
        0 => &COMMON_SUBJECTS,
        1 => &IO_SUBJECTS,
        4 => &EVENT_STREAM_SUBJECTS,
        _ => &[],
    }
}

/// The name of `subject` as a C string ("Unknown" when nobody defines it).
pub fn subject_name(subject: aws_log_subject_t) -> &'static CStr {
    let slot = (subject >> AWS_LOG_SUBJECT_STRIDE_BITS) as usize;
    let index = (subject & (AWS_LOG_SUBJECT_STRIDE as u32 - 1)) as usize;
    if slot >= SLOTS {
        return UNKNOWN;
    }
    let list = REGISTERED[slot].load(Ordering::Acquire);
    if !list.is_null() {
        // SAFETY: a registered list must stay valid until unregistered (upstream contract).
        let list = unsafe { &*list };
        if index >= list.count {
            return UNKNOWN;
        }
        // SAFETY: the list has `count` readable entries, per the same contract.
        let name = unsafe { (*list.subject_list.add(index)).subject_name };
        if name.is_null() {
            return UNKNOWN;
        }
        // SAFETY: subject names are NUL-terminated strings that live as long as the list.
        return unsafe { CStr::from_ptr(name) };
    }
    builtin(slot).get(index).map_or(UNKNOWN, |d| d.name)
}

/// The slot a list registers into, after upstream's fatal checks.
unsafe fn list_slot(list: *mut aws_log_subject_info_list, func: &str) -> usize {
    // SAFETY: this fn's caller guarantees its pointer arguments are valid and used on their owning thread.
    unsafe {
        if list.is_null() || (*list).subject_list.is_null() || (*list).count == 0 {
            crate::ffi::fatal(&format!("{func}: NULL or empty log subject list"));
        }
        let slot = ((*(*list).subject_list).subject_id >> AWS_LOG_SUBJECT_STRIDE_BITS) as usize;
        if slot >= SLOTS {
            crate::ffi::fatal(&format!("{func}: bad log subject slot index {slot:#x}"));
        }
        slot
    }
}

#[no_mangle]
pub extern "C" fn aws_log_subject_name(subject: aws_log_subject_t) -> *const c_char {
    subject_name(subject).as_ptr()
}

/// Makes `log_subject_list` the source of names for the slot of its first id.
/// The list must stay alive until it is unregistered.
#[no_mangle]
pub unsafe extern "C" fn aws_register_log_subject_info_list(
    log_subject_list: *mut aws_log_subject_info_list,
) {
    // SAFETY: list_slot checks for NULL before reading; the caller passes a valid list otherwise.
    let slot = unsafe { list_slot(log_subject_list, "aws_register_log_subject_info_list") };
    REGISTERED[slot].store(log_subject_list, Ordering::Release);
}

/// Empties the slot of the list's first id (whichever list was registered there,
/// as upstream); our built-in names for that slot apply again.
#[no_mangle]
pub unsafe extern "C" fn aws_unregister_log_subject_info_list(
    log_subject_list: *mut aws_log_subject_info_list,
) {
    // SAFETY: as above.
    let slot = unsafe { list_slot(log_subject_list, "aws_unregister_log_subject_info_list") };
    REGISTERED[slot].store(std::ptr::null_mut(), Ordering::Release);
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn builtin_ids_match_their_positions() {
        for list in [
            &COMMON_SUBJECTS[..],
            &IO_SUBJECTS[..],
            &EVENT_STREAM_SUBJECTS[..],
        ] {
            let first = list[0].id;
            for (i, d) in list.iter().enumerate() {
                assert_eq!(d.id, first + i as u32);
                assert_eq!(subject_name(d.id), d.name);
            }
        }
    }

    #[test]
    fn unknown_subjects() {
        assert_eq!(subject_name(10), c"Unknown");
        assert_eq!(subject_name(IO + 16), c"Unknown");
        assert_eq!(subject_name(2 << 10), c"Unknown");
        assert_eq!(subject_name(u32::MAX), c"Unknown");
    }
}
