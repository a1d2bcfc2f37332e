//! Strings the library hands out: `allot_text`, a borrowed view inside another handle's struct,
//! and `allot_string`, an owned string returned on its own (the rules text, a reload error, the
//! order a tracking event belongs to).
//!
//! Both follow the library's rule for strings out: NUL-terminated, and also length-counted (the
//! length excludes the NUL).

use std::ffi::{CString, c_char};

use crate::pointers;
use crate::strings::{EMPTY, c_string};

/// A string borrowed from the handle it was read from, valid until that handle is freed:
/// `text` is NUL-terminated at `text + len` and never NULL ("" when empty).
#[repr(C)]
#[derive(Clone, Copy, Debug)]
pub struct allot_text {
    pub text: *const c_char,
    pub len: usize,
}

/// A string the library returned on its own, owned by the caller and freed with
/// `allot_string_free()`. Read it with `allot_string_text()` and `allot_string_len()`.
/// Immutable: any number of threads may read one at once.
pub struct allot_string {
    text: CString,
}

impl allot_string {
    pub(crate) fn boxed(text: &str) -> *mut allot_string {
        Box::into_raw(Box::new(allot_string { text: c_string(text) }))
    }
}

/// The string's bytes, NUL-terminated; "" for NULL. Borrowed from the handle: valid until
/// `allot_string_free()`.
#[unsafe(no_mangle)]
pub unsafe extern "C" fn allot_string_text(string: *const allot_string) -> *const c_char {
    crate::panic::guard_value(EMPTY.as_ptr(), || {
        // SAFETY: the header's contract: NULL or a live string handle.
        unsafe { string.as_ref() }.map_or(EMPTY.as_ptr(), |string| string.text.as_ptr())
    })
}

/// The string's length in bytes, without the NUL; 0 for NULL.
#[unsafe(no_mangle)]
pub unsafe extern "C" fn allot_string_len(string: *const allot_string) -> usize {
    crate::panic::guard_value(0, || {
        // SAFETY: the header's contract: NULL or a live string handle.
        unsafe { string.as_ref() }.map_or(0, |string| string.text.as_bytes().len())
    })
}

/// Frees a string handle. NULL does nothing.
#[unsafe(no_mangle)]
pub unsafe extern "C" fn allot_string_free(string: *mut allot_string) {
    crate::panic::guard_value((), || {
        // SAFETY: the header's contract: NULL or a handle from this library, freed once.
        drop(unsafe { pointers::free(string) });
    })
}
