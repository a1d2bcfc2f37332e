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
use allot_core::limits::{
    ADDRESS_FIELD_BYTES_MAX, BUYER_ID_BYTES_MAX, CATEGORY_BYTES_MAX, CODE_BYTES_MAX, ORDER_ID_BYTES_MAX,
    PAYLOAD_BYTES_MAX, REASON_BYTES_MAX,
};
use allot_core::routing::RULES_BYTES_MAX;

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

// The order pipeline's arguments.
const fn order_id(what: &'static str) -> TextArg {
    TextArg { what, limit: "ORDER_ID_BYTES_MAX", max_bytes: ORDER_ID_BYTES_MAX }
}
const fn address(what: &'static str) -> TextArg {
    TextArg { what, limit: "ADDRESS_FIELD_BYTES_MAX", max_bytes: ADDRESS_FIELD_BYTES_MAX }
}
const fn note(what: &'static str) -> TextArg {
    TextArg { what, limit: "REASON_BYTES_MAX", max_bytes: REASON_BYTES_MAX }
}
/// An order's key, `channel:channel_order_id`.
pub(crate) const ORDER_KEY: TextArg = order_id("order key");
/// The channel and the channel's order id each fit the key they are joined into.
pub(crate) const CHANNEL: TextArg = order_id("channel");
pub(crate) const CHANNEL_ORDER_ID: TextArg = order_id("channel order id");
pub(crate) const BUYER_ID: TextArg =
    TextArg { what: "buyer id", limit: "BUYER_ID_BYTES_MAX", max_bytes: BUYER_ID_BYTES_MAX };
pub(crate) const RECIPIENT: TextArg = address("recipient");
pub(crate) const PHONE: TextArg = address("phone");
pub(crate) const PROVINCE: TextArg = address("province");
pub(crate) const CITY: TextArg = address("city");
pub(crate) const DISTRICT: TextArg = address("district");
pub(crate) const DETAIL: TextArg = address("address detail");
pub(crate) const BLACKLIST_VALUE: TextArg = address("blacklist value");
pub(crate) const NOTE: TextArg = note("note");
pub(crate) const TRACKING_DETAIL: TextArg = note("tracking detail");
pub(crate) const STYLE: TextArg = code("payload style");
pub(crate) const CARRIER: TextArg = code("carrier code");
/// Waybill numbers are at most 40 letters and digits; with spaces they still fit a code.
pub(crate) const TRACKING_NUMBER: TextArg = code("tracking number");
pub(crate) const ACTOR: TextArg = code("actor");
pub(crate) const RULES: TextArg = TextArg { what: "rules text", limit: "RULES_BYTES_MAX", max_bytes: RULES_BYTES_MAX };
pub(crate) const PAYLOAD: TextArg =
    TextArg { what: "payload", limit: "PAYLOAD_BYTES_MAX", max_bytes: PAYLOAD_BYTES_MAX };

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
        return Err(too_long(arg, len));
    }
    // SAFETY: `ptr` is not NULL and the caller guarantees `len` readable bytes behind it (the
    // header's contract); `len` is at most 1 MiB here, far below `isize::MAX`.
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

/// `error` about an element of an array argument, named by `context` ("order line 2").
pub(crate) fn in_element(context: &str, error: Error) -> Error {
    match error {
        Error::InvalidInput { message } => Error::InvalidInput { message: format!("{context}: {message}") },
        Error::LimitExceeded { limit, what, max, actual } => {
            Error::LimitExceeded { limit, what: format!("{what} of {context}"), max, actual }
        }
        other => other,
    }
}

/// The byte argument `(ptr, len)` (not text: no UTF-8 check), with the same NULL and limit
/// checks as [`text`].
///
/// # Safety
///
/// As for [`text`].
pub(crate) unsafe fn bytes<'a>(ptr: *const u8, len: usize, arg: TextArg) -> Result<&'a [u8], Error> {
    if len == 0 {
        return Ok(&[]);
    }
    if ptr.is_null() {
        return Err(Error::InvalidInput { message: format!("{} is NULL but its length is {len}", arg.what) });
    }
    if len > arg.max_bytes {
        return Err(too_long(arg, len));
    }
    // SAFETY: not NULL, and the caller guarantees `len` readable bytes (at most the limit).
    Ok(unsafe { std::slice::from_raw_parts(ptr, len) })
}

fn too_long(arg: TextArg, len: usize) -> Error {
    Error::LimitExceeded {
        limit: arg.limit,
        what: format!("the length of {}", arg.what),
        max: arg.max_bytes as u64,
        actual: len as u64,
    }
}

/// A name of who acts (`allot_client_acting_as`, the `by` of the engine's rules calls): not
/// empty (said here, naming the C parameter); the rest of the identifier rule (no control,
/// format or invisible character, no padding) is the core's, as for every other face.
///
/// # Safety
///
/// As for [`text`].
pub(crate) unsafe fn actor<'a>(ptr: *const c_char, len: usize, arg: TextArg) -> Result<&'a str, Error> {
    // SAFETY: passed on from the caller.
    let name = unsafe { text(ptr, len, arg) }?;
    if name.is_empty() {
        return Err(Error::InvalidInput { message: format!("{} is empty", arg.what) });
    }
    Ok(name)
}

/// An owned, NUL-terminated copy of `text` for C. The engine's codes, order ids, categories and
/// reasons never contain NUL (control characters are refused on the way in; a rules file's
/// comments and a tracking event's detail may hold tabs and line feeds, never NUL); should one ever
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

impl From<CText> for crate::text::allot_text {
    fn from(text: CText) -> crate::text::allot_text {
        crate::text::allot_text { text: text.ptr, len: text.len }
    }
}

/// The strings a handle owns. Each `CString` keeps its bytes in its own heap block, which does
/// not move when the arena's vector grows, so a [`CText`] stays valid as long as the arena.
#[derive(Default)]
pub(crate) struct Arena {
    strings: Vec<CString>,
}

impl Arena {
    /// `None` becomes "" (fields that do not apply are never NULL).
    pub(crate) fn add_opt(&mut self, text: Option<&str>) -> CText {
        self.add(text.unwrap_or(""))
    }

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
