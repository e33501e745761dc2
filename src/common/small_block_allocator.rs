//! The small block allocator (`aws_small_block_allocator_new`): requests up to
//! 512 bytes are served from pages of the parent allocator, split into blocks
//! of one of five bin sizes (32..512); bigger ones go straight to the parent.
//! An emptied page is given back unless it is its bin's last one. The page
//! bookkeeping is plain Rust (`Bins`) behind a mutex.
use std::collections::BTreeMap;
use std::ptr;
use std::sync::Mutex;

use libc::c_void;

use super::abi::*;
use super::allocator::{aws_mem_acquire, aws_mem_release};

const PAGE_SIZE: usize = 4096;
const BIN_SIZES: [usize; 5] = [32, 64, 128, 256, 512];
const MAX_SMALL: usize = 512;

struct Page {
    bin: usize,
    free: Vec<usize>,
}

/// Pages by address, and per bin the addresses of its pages.
#[derive(Default)]
struct Bins {
    pages: BTreeMap<usize, Page>,
    by_bin: [Vec<usize>; 5],
    active: usize,
}

impl Bins {
    fn bin_for(size: usize) -> usize {
        BIN_SIZES
            .iter()
            .position(|&b| size <= b)
            .unwrap_or(BIN_SIZES.len() - 1)
    }

    /// A free block of `bin`, from an existing page, or None if a page is needed.
    fn take(&mut self, bin: usize) -> Option<usize> {
        for &addr in &self.by_bin[bin] {
            let page = self.pages.get_mut(&addr)?;
            if let Some(slot) = page.free.pop() {
                self.active += BIN_SIZES[bin];
                return Some(addr + slot * BIN_SIZES[bin]);
            }
        }
        None
    }

    fn add_page(&mut self, bin: usize, addr: usize) {
        let slots = PAGE_SIZE / BIN_SIZES[bin];
        self.pages.insert(
            addr,
            Page {
                bin,
                free: (0..slots).rev().collect(),
            },
        );
        self.by_bin[bin].push(addr);
    }

    /// The page holding `p`, if it is one of ours.
    fn page_of(&self, p: usize) -> Option<usize> {
        let (&addr, _) = self.pages.range(..=p).next_back()?;
        (p < addr + PAGE_SIZE).then_some(addr)
    }

    /// Frees the block at `p`; returns a page to give back to the parent, if it emptied.
    fn give(&mut self, addr: usize, p: usize) -> Option<usize> {
        let page = self.pages.get_mut(&addr)?;
        let size = BIN_SIZES[page.bin];
        page.free.push((p - addr) / size);
        self.active -= size;
        let bin = page.bin;
        let empty = page.free.len() == PAGE_SIZE / size;
        if empty && self.by_bin[bin].len() > 1 {
            self.pages.remove(&addr);
            self.by_bin[bin].retain(|&a| a != addr);
            return Some(addr);
        }
        None
    }
}

#[repr(C)]
struct Sba {
    allocator: aws_allocator,
    parent: *mut aws_allocator,
    bins: Mutex<Bins>,
}

/// # Safety
/// `a` is an allocator made by aws_small_block_allocator_new.
unsafe fn sba<'a>(a: *mut aws_allocator) -> &'a Sba {
    // SAFETY: per the contract, impl points to the Sba.
    unsafe { &*((*a).r#impl as *const Sba) }
}

fn lock(s: &Sba) -> std::sync::MutexGuard<'_, Bins> {
    s.bins.lock().unwrap_or_else(|e| e.into_inner())
}

unsafe extern "C" fn sba_acquire(a: *mut aws_allocator, size: usize) -> *mut c_void {
    // SAFETY: called through our allocator; pages and big blocks come from the parent.
    unsafe {
        let s = sba(a);
        if size > MAX_SMALL {
            return aws_mem_acquire(s.parent, size);
        }
        let bin = Bins::bin_for(size);
        let mut bins = lock(s);
        if let Some(p) = bins.take(bin) {
            return p as *mut c_void;
        }
        let page = aws_mem_acquire(s.parent, PAGE_SIZE);
        bins.add_page(bin, page as usize);
        bins.take(bin).map_or(ptr::null_mut(), |p| p as *mut c_void)
    }
}

unsafe extern "C" fn sba_release(a: *mut aws_allocator, p: *mut c_void) {
    // SAFETY: p came from this allocator.
    unsafe {
        let s = sba(a);
        let mut bins = lock(s);
        match bins.page_of(p as usize) {
            Some(addr) => {
                if let Some(empty) = bins.give(addr, p as usize) {
                    drop(bins);
                    aws_mem_release(s.parent, empty as *mut c_void);
                }
            }
            None => {
                drop(bins);
                aws_mem_release(s.parent, p);
            }
        }
    }
}

unsafe extern "C" fn sba_realloc(
    a: *mut aws_allocator,
    old: *mut c_void,
    old_size: usize,
    new_size: usize,
) -> *mut c_void {
    // SAFETY: old holds old_size bytes from this allocator.
    unsafe {
        if new_size == 0 {
            sba_release(a, old);
            return ptr::null_mut();
        }
        let new = sba_acquire(a, new_size);
        if !old.is_null() {
            ptr::copy_nonoverlapping(old as *const u8, new as *mut u8, old_size.min(new_size));
            sba_release(a, old);
        }
        new
    }
}

unsafe extern "C" fn sba_calloc(a: *mut aws_allocator, n: usize, size: usize) -> *mut c_void {
    let Some(total) = n.checked_mul(size) else {
        crate::ffi::fatal("small block calloc: size overflow");
    };
    // SAFETY: the block holds `total` bytes.
    unsafe {
        let p = sba_acquire(a, total);
        ptr::write_bytes(p as *mut u8, 0, total);
        p
    }
}

/// `multi_threaded` is accepted for compatibility; the allocator always locks.
#[no_mangle]
pub unsafe extern "C" fn aws_small_block_allocator_new(
    allocator: *mut aws_allocator,
    multi_threaded: bool,
) -> *mut aws_allocator {
    let _ = multi_threaded;
    let s = Box::into_raw(Box::new(Sba {
        allocator: aws_allocator {
            mem_acquire: Some(sba_acquire),
            mem_release: Some(sba_release),
            mem_realloc: Some(sba_realloc),
            mem_calloc: Some(sba_calloc),
            r#impl: ptr::null_mut(),
        },
        parent: allocator,
        bins: Mutex::new(Bins::default()),
    }));
    // SAFETY: s was just allocated.
    unsafe {
        (*s).allocator.r#impl = s as *mut c_void;
        ptr::addr_of_mut!((*s).allocator)
    }
}

/// Gives every page back to the parent (blocks still out are freed with them).
#[no_mangle]
pub unsafe extern "C" fn aws_small_block_allocator_destroy(sba_allocator: *mut aws_allocator) {
    if sba_allocator.is_null() {
        return;
    }
    // SAFETY: it came from aws_small_block_allocator_new and is not used again.
    unsafe {
        let s = Box::from_raw((*sba_allocator).r#impl as *mut Sba);
        let bins = s.bins.into_inner().unwrap_or_else(|e| e.into_inner());
        for addr in bins.pages.keys() {
            aws_mem_release(s.parent, *addr as *mut c_void);
        }
    }
}

#[no_mangle]
pub unsafe extern "C" fn aws_small_block_allocator_bytes_active(
    sba_allocator: *mut aws_allocator,
) -> usize {
    // SAFETY: one of our allocators.
    lock(unsafe { sba(sba_allocator) }).active
}

#[no_mangle]
pub unsafe extern "C" fn aws_small_block_allocator_bytes_reserved(
    sba_allocator: *mut aws_allocator,
) -> usize {
    // SAFETY: one of our allocators.
    lock(unsafe { sba(sba_allocator) }).pages.len() * PAGE_SIZE
}

#[no_mangle]
pub unsafe extern "C" fn aws_small_block_allocator_page_size(
    _sba_allocator: *mut aws_allocator,
) -> usize {
    PAGE_SIZE
}

/// Usable bytes per page (no header is kept in the page).
#[no_mangle]
pub unsafe extern "C" fn aws_small_block_allocator_page_size_available(
    _sba_allocator: *mut aws_allocator,
) -> usize {
    PAGE_SIZE
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn keeps_one_page_per_bin() {
        let mut bins = Bins::default();
        bins.add_page(0, 0x10000);
        let a = bins.take(0).unwrap();
        assert_eq!(bins.active, 32);
        bins.add_page(0, 0x20000);
        assert_eq!(bins.page_of(a), Some(0x10000));
        assert_eq!(bins.give(0x10000, a), Some(0x10000));
        assert_eq!(Bins::bin_for(33), 1);
    }
}
