//! The calling thread's last error message, like `errno` but with words.
//!
//! A failing call stores its error here, unformatted (a refusal in a flash sale costs a move,
//! not a message); `allot_last_error_message()` formats it on first request and keeps the text
//! until the next failure replaces it. A successful call leaves the slot alone, so the fast path
//! never touches thread-local storage. The slot is freed when the thread exits.

use std::cell::RefCell;
use std::ffi::{CString, c_char};

use allot_core::Error;

enum LastError {
    None,
    /// Not formatted yet.
    Error(Error),
    /// Formatted; the pointer handed out points here.
    Message(CString),
}

thread_local! {
    static LAST_ERROR: RefCell<LastError> = const { RefCell::new(LastError::None) };
}

/// Records `error` as this thread's last error.
pub(crate) fn set(error: Error) {
    // `try_with`: during thread teardown the slot may already be gone; the error is then lost,
    // which is harmless since no one on this thread can ask for it any more.
    let _ = LAST_ERROR.try_with(|slot| *slot.borrow_mut() = LastError::Error(error));
}

/// The message of the last call that failed on the calling thread, NUL-terminated; "" if no
/// call has failed on this thread yet.
///
/// Read it right after a call returned a status other than `ALLOT_STATUS_OK`: a successful call
/// does not clear it. The pointer is never NULL. It is owned by the library and stays valid
/// until the calling thread's next call of an `allot_` function other than
/// `allot_last_error_message()`, `allot_status_name()` and `allot_version()`, or until the
/// thread exits; copy the text to keep it longer. Never free it.
#[unsafe(no_mangle)]
pub extern "C" fn allot_last_error_message() -> *const c_char {
    crate::panic::guard_value(c"".as_ptr(), || {
        LAST_ERROR
            .try_with(|slot| {
                let mut slot = slot.borrow_mut();
                if let LastError::Error(error) = &*slot {
                    *slot = LastError::Message(crate::strings::c_string(&error.to_string()));
                }
                match &*slot {
                    LastError::Message(message) => message.as_ptr(),
                    _ => c"".as_ptr(),
                }
            })
            .unwrap_or(c"".as_ptr())
    })
}
