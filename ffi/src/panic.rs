//! The panic boundary: a panic never unwinds into C.
//!
//! Every exported body runs inside [`guard`] (fallible calls) or [`guard_value`] (the few that
//! cannot fail). A panic is caught, its message becomes the thread's last error, and the call
//! returns `ALLOT_STATUS_INTERNAL` (or the fallback value). The process's panic hook is left
//! alone: a library never installs global hooks, so the default hook still prints the panic to
//! stderr, which is what an operator wants to see for a bug.

use std::any::Any;
use std::panic::{AssertUnwindSafe, catch_unwind};

use allot_core::Error;

use crate::status::allot_status;

/// Runs the body of the exported function `function`, turning its error or panic into a status.
///
/// `AssertUnwindSafe`: after a panic nothing of the body's state is looked at again except
/// through the core, whose locks (parking_lot) do not poison and whose transactions append
/// their record before they apply; a half-done call leaves no broken invariant behind.
pub(crate) fn guard(function: &'static str, body: impl FnOnce() -> Result<(), Error>) -> allot_status {
    match catch_unwind(AssertUnwindSafe(body)) {
        Ok(Ok(())) => allot_status::Ok,
        Ok(Err(error)) => allot_status::from_error(error),
        Err(payload) => allot_status::from_error(panicked(function, payload.as_ref())),
    }
}

/// Runs the body of an exported function that has no status to return; a panic yields
/// `fallback` (and still sets the thread's last error).
pub(crate) fn guard_value<T>(fallback: T, body: impl FnOnce() -> T) -> T {
    match catch_unwind(AssertUnwindSafe(body)) {
        Ok(value) => value,
        Err(payload) => {
            let _ = allot_status::from_error(panicked("liballot", payload.as_ref()));
            fallback
        }
    }
}

fn panicked(function: &str, payload: &(dyn Any + Send)) -> Error {
    let message = payload
        .downcast_ref::<&str>()
        .copied()
        .or_else(|| payload.downcast_ref::<String>().map(String::as_str))
        .unwrap_or("a panic with a non-text payload");
    Error::Internal { detail: format!("panic in {function}: {message}") }
}

#[cfg(test)]
mod tests {
    use std::ffi::CStr;

    use super::*;
    use crate::last_error::allot_last_error_message;

    fn last_message() -> String {
        // SAFETY: the pointer is a NUL-terminated string valid until this thread's next call.
        unsafe { CStr::from_ptr(allot_last_error_message()) }.to_str().unwrap().to_owned()
    }

    #[test]
    fn a_panic_becomes_internal_with_its_message() {
        let status = guard("allot_test", || panic!("boom {}", 7));
        assert_eq!(status, allot_status::Internal);
        assert_eq!(last_message(), "internal error (a bug in Allot): panic in allot_test: boom 7");

        let status = guard("allot_test", || std::panic::panic_any(42_u8));
        assert_eq!(status, allot_status::Internal);
        assert!(last_message().ends_with("a panic with a non-text payload"), "{}", last_message());

        assert_eq!(guard_value(5, || -> i32 { panic!("static") }), 5);
        assert!(last_message().ends_with("panic in liballot: static"));
    }

    #[test]
    fn errors_keep_their_code_and_message() {
        let status = guard("allot_test", || Err(Error::UnknownSku { sku: "X".into() }));
        assert_eq!(status, allot_status::UnknownSku);
        assert_eq!(last_message(), "unknown SKU \"X\"");
        assert_eq!(guard("allot_test", || Ok(())), allot_status::Ok);
        assert_eq!(last_message(), "unknown SKU \"X\"", "success leaves the last error alone");
    }
}
