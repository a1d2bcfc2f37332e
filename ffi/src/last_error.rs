//! The calling thread's last error message, like `errno` but with words.
//!
//! A failing call stores its error here, unformatted (a refusal in a flash sale costs a move,
//! not a message); `allot_last_error_message()` formats it on first request and keeps the text
//! beside the error until the next failure replaces both. The error itself stays, so that the
//! problems of a refused rules file can still be read (`allot_last_rule_errors()`, in
//! [`crate::rules`]). A successful call leaves the slot alone, so the fast path never touches
//! thread-local storage. The slot is freed when the thread exits.

use std::cell::RefCell;
use std::ffi::{CString, c_char};

use allot_core::Error;

enum LastError {
    None,
    Failed {
        error: Error,
        /// Formatted on first request; the pointer handed out points here.
        message: Option<CString>,
    },
}

thread_local! {
    static LAST_ERROR: RefCell<LastError> = const { RefCell::new(LastError::None) };
}

/// Records `error` as this thread's last error.
pub(crate) fn set(error: Error) {
    // `try_with`: during thread teardown the slot may already be gone; the error is then lost,
    // which is harmless since no one on this thread can ask for it any more.
    let _ = LAST_ERROR.try_with(|slot| *slot.borrow_mut() = LastError::Failed { error, message: None });
}

/// Runs `read` on this thread's last error (`None` if no call has failed on this thread). `read`
/// must not call back into the library.
pub(crate) fn with_last<T>(read: impl FnOnce(Option<&Error>) -> T) -> T {
    let mut read = Some(read);
    let found = LAST_ERROR.try_with(|slot| {
        let read = read.take().expect("called once");
        match &*slot.borrow() {
            LastError::Failed { error, .. } => read(Some(error)),
            LastError::None => read(None),
        }
    });
    match found {
        Ok(value) => value,
        Err(_) => (read.take().expect("not called"))(None),
    }
}

/// The message of the last call that failed on the calling thread, NUL-terminated; "" if no
/// call has failed on this thread yet.
///
/// Read it right after a call returned a status other than `ALLOT_STATUS_OK`: a successful call
/// does not clear it. The pointer is never NULL. It is owned by the library and stays valid
/// until the calling thread's next call of an `allot_` function other than
/// `allot_last_error_message()`, `allot_last_rule_errors()`, `allot_status_name()`, the other
/// `allot_*_name()` functions and `allot_version()`, or until the thread exits; copy the text
/// to keep it longer. Never free it.
#[unsafe(no_mangle)]
pub extern "C" fn allot_last_error_message() -> *const c_char {
    crate::panic::guard_value(c"".as_ptr(), || {
        LAST_ERROR
            .try_with(|slot| match &mut *slot.borrow_mut() {
                LastError::Failed { error, message } => {
                    message.get_or_insert_with(|| crate::strings::c_string(&error.to_string())).as_ptr()
                }
                LastError::None => c"".as_ptr(),
            })
            .unwrap_or(c"".as_ptr())
    })
}
