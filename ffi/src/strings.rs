//! Strings across the boundary.
//!
//! In: a `(const char *ptr, size_t len)` pair of UTF-8 bytes, not NUL-terminated. `len == 0`
//! is the empty string whatever `ptr` is (NULL included); a NULL `ptr` with a nonzero `len` is
//! `ALLOT_STATUS_INVALID_INPUT`. The length is checked against the argument's limit *before*
//! a byte is read, so a huge `len` is `ALLOT_STATUS_LIMIT_EXCEEDED`, never a read past the
//! caller's buffer; then the bytes must be UTF-8.
//!
//! Out: owned by a handle (or static), NUL-terminated and also length-counted.

use std::ffi::{CStr, CString, c_char};

use allot_core::Error;
use allot_core::limits::{CATEGORY_BYTES_MAX, CODE_BYTES_MAX, ORDER_ID_BYTES_MAX, REASON_BYTES_MAX};

/// What a string argument is, for messages, and the most bytes it may have.
#[derive(Clone, Copy, Debug)]
pub(crate) struct TextArg {
    pub(crate) what: &'static str,
    pub(crate) limit: &'static str,
    pub(crate) max_bytes: usize,
}

/// Longest data directory path accepted, in bytes: Linux's `PATH_MAX`, counting the NUL the
/// operating system needs that the caller's bytes do not have.
pub(crate) const PATH_BYTES_MAX: usize = 4095;

pub(crate) const PATH: TextArg = TextArg { what: "path", limit: "PATH_BYTES_MAX", max_bytes: PATH_BYTES_MAX };

const fn code(what: &'static str) -> TextArg {
    TextArg { what, limit: "CODE_BYTES_MAX", max_bytes: CODE_BYTES_MAX }
}

pub(crate) const SKU_CODE: TextArg = code("SKU code");
pub(crate) const WAREHOUSE_CODE: TextArg = code("warehouse code");
pub(crate) const REGION_CODE: TextArg = code("region code");
pub(crate) const REGION_PREFIX: TextArg = code("region prefix");
pub(crate) const SHIP_TO: TextArg = code("ship-to region");
pub(crate) const CATEGORY: TextArg =
    TextArg { what: "category", limit: "CATEGORY_BYTES_MAX", max_bytes: CATEGORY_BYTES_MAX };
pub(crate) const REASON: TextArg = TextArg { what: "reason", limit: "REASON_BYTES_MAX", max_bytes: REASON_BYTES_MAX };
pub(crate) const ORDER_ID: TextArg =
    TextArg { what: "order id", limit: "ORDER_ID_BYTES_MAX", max_bytes: ORDER_ID_BYTES_MAX };

/// The string argument `(ptr, len)`, checked as described in the module documentation.
///
/// # Safety
///
/// `ptr` is NULL or valid for reads of `len` bytes (when `len` is within `arg`'s limit) for the
/// lifetime `'a`, and those bytes are not written meanwhile.
pub(crate) unsafe fn text<'a>(ptr: *const c_char, len: usize, arg: TextArg) -> Result<&'a str, Error> {
    if len == 0 {
        return Ok("");
    }
    if ptr.is_null() {
        return Err(Error::InvalidInput { message: format!("{} is NULL but its length is {len}", arg.what) });
    }
    if len > arg.max_bytes {
        return Err(Error::LimitExceeded {
            limit: arg.limit,
            what: format!("the length of {}", arg.what),
            max: arg.max_bytes as u64,
            actual: len as u64,
        });
    }
    // SAFETY: `ptr` is not NULL and the caller guarantees `len` readable bytes behind it (the
    // header's contract); `len` is at most a few KiB here, far below `isize::MAX`.
    let bytes = unsafe { std::slice::from_raw_parts(ptr.cast::<u8>(), len) };
    if bytes.is_ascii() {
        // Codes and order ids are nearly always ASCII, which this checks in a few instructions
        // (the general UTF-8 check is the largest cost of a reserve call's C face).
        // SAFETY: every ASCII byte sequence is valid UTF-8.
        return Ok(unsafe { std::str::from_utf8_unchecked(bytes) });
    }
    std::str::from_utf8(bytes).map_err(|error| Error::InvalidInput {
        message: format!("{} is not valid UTF-8 (bad byte at offset {})", arg.what, error.valid_up_to()),
    })
}

/// An owned, NUL-terminated copy of `text` for C. The engine's codes, order ids, categories and
/// reasons never contain NUL (control characters are refused on the way in); should one ever
/// appear, it is written as `\0` rather than cut the string short.
pub(crate) fn c_string(text: &str) -> CString {
    CString::new(text).unwrap_or_else(|_| CString::new(text.replace('\0', "\\0")).expect("no NUL is left"))
}

/// The empty string handed out for fields that do not apply: never NULL, so C can print it.
pub(crate) const EMPTY: &CStr = c"";

/// A string handed out by a handle: NUL-terminated at `ptr + len`.
#[derive(Clone, Copy, Debug)]
pub(crate) struct CText {
    pub(crate) ptr: *const c_char,
    pub(crate) len: usize,
}

impl CText {
    pub(crate) const EMPTY: CText = CText { ptr: EMPTY.as_ptr(), len: 0 };
}

/// The strings a handle owns. Each `CString` keeps its bytes in its own heap block, which does
/// not move when the arena's vector grows, so a [`CText`] stays valid as long as the arena.
#[derive(Default)]
pub(crate) struct Arena {
    strings: Vec<CString>,
}

impl Arena {
    pub(crate) fn add(&mut self, text: &str) -> CText {
        if text.is_empty() {
            return CText::EMPTY;
        }
        let owned = c_string(text);
        let view = CText { ptr: owned.as_ptr(), len: owned.as_bytes().len() };
        self.strings.push(owned);
        view
    }
}
