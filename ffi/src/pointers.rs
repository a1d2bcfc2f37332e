//! Handles, input structs, arrays and `out_` parameters: every raw pointer the library reads or
//! writes goes through here, so each NULL check and each `unsafe` dereference is written once.

use allot_core::Error;

/// The handle or input struct behind `ptr`.
///
/// # Safety
///
/// `ptr` is NULL or points to a live `T` (for a handle: returned by its `new`/`open` and not
/// freed) that outlives `'a` and is not mutated meanwhile.
pub(crate) unsafe fn reference<'a, T>(ptr: *const T, what: &str) -> Result<&'a T, Error> {
    // SAFETY: `as_ref` checks for NULL; otherwise the caller guarantees a live, shared `T`.
    unsafe { ptr.as_ref() }.ok_or_else(|| null(what))
}

/// The array `(ptr, len)` of `T`s; an empty array when `len == 0`, whatever `ptr` is.
///
/// # Safety
///
/// `ptr` is NULL or valid for reads of `len` values of `T` that outlive `'a`; the caller has
/// already checked `len` against the limit of what the array holds.
pub(crate) unsafe fn array<'a, T>(ptr: *const T, len: usize, what: &str) -> Result<&'a [T], Error> {
    if len == 0 {
        return Ok(&[]);
    }
    if ptr.is_null() {
        return Err(Error::InvalidInput { message: format!("{what} is NULL but its length is {len}") });
    }
    // SAFETY: not NULL; the caller guarantees `len` readable `T`s, and `len` is below a limit
    // that keeps the byte size far from `isize::MAX`.
    Ok(unsafe { std::slice::from_raw_parts(ptr, len) })
}

/// A required `out_` parameter: refused when NULL, checked before the call does anything so
/// that no work is done whose result could not be handed over.
///
/// # Safety
///
/// `ptr` is NULL or valid for writing one `T` for as long as the `Out` lives.
pub(crate) unsafe fn required<T>(ptr: *mut T, what: &str) -> Result<Out<T>, Error> {
    if ptr.is_null() { Err(null(what)) } else { Ok(Out(ptr)) }
}

/// An optional `out_` parameter: NULL means the caller does not want the value.
///
/// # Safety
///
/// As for [`required`].
pub(crate) unsafe fn optional<T>(ptr: *mut T) -> Option<Out<T>> {
    (!ptr.is_null()).then_some(Out(ptr))
}

/// A non-NULL place to write one output, written only once the call has succeeded.
pub(crate) struct Out<T>(*mut T);

impl<T> Out<T> {
    /// Writes `value` without reading or dropping what was there (C's memory may be garbage).
    pub(crate) fn write(self, value: T) {
        // SAFETY: not NULL (checked when the `Out` was made), and whoever made the `Out`
        // promised writable, aligned memory for one `T` (`required`, `optional`).
        unsafe { self.0.write(value) }
    }
}

/// A required `out_` array of `len` values, written only once the call has succeeded.
///
/// # Safety
///
/// `ptr` is NULL or valid for writing `len` values of `T` for as long as the `OutArray` lives.
pub(crate) unsafe fn required_array<T>(ptr: *mut T, len: usize, what: &str) -> Result<OutArray<T>, Error> {
    if ptr.is_null() && len > 0 { Err(null(what)) } else { Ok(OutArray(ptr, len)) }
}

/// An optional `out_` array: NULL means the caller does not want the values.
///
/// # Safety
///
/// As for [`required_array`].
pub(crate) unsafe fn optional_array<T>(ptr: *mut T, len: usize) -> Option<OutArray<T>> {
    (!ptr.is_null()).then_some(OutArray(ptr, len))
}

/// A place to write `len` outputs (NULL only when `len` is 0).
pub(crate) struct OutArray<T>(*mut T, usize);

impl<T> OutArray<T> {
    /// Writes `values` (exactly as many as the array holds) without reading what was there.
    pub(crate) fn write(self, values: impl ExactSizeIterator<Item = T>) {
        assert_eq!(values.len(), self.1, "an out_ array is written whole");
        for (index, value) in values.enumerate() {
            // SAFETY: `index < len`, and whoever made the `OutArray` promised `len` writable,
            // aligned values (`required_array`, `optional_array`).
            unsafe { self.0.add(index).write(value) }
        }
    }
}

/// The pointer C sees for an array a handle owns: NULL when it is empty (never dangling).
pub(crate) fn slice_ptr<T>(values: &[T]) -> *const T {
    if values.is_empty() { std::ptr::null() } else { values.as_ptr() }
}

pub(crate) fn null(what: &str) -> Error {
    Error::InvalidInput { message: format!("{what} is NULL") }
}

/// Frees a handle made by `Box::into_raw`; NULL does nothing.
///
/// # Safety
///
/// `ptr` is NULL or came from `Box::into_raw` of a `Box<T>` and is not used again.
pub(crate) unsafe fn free<T>(ptr: *mut T) -> Option<Box<T>> {
    if ptr.is_null() {
        return None;
    }
    // SAFETY: the caller guarantees the pointer came from `Box::into_raw` and is freed once.
    Some(unsafe { Box::from_raw(ptr) })
}
