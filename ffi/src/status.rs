//! `allot_status`: what every fallible call returns.
//!
//! 0 is success; every other value is exactly the number of the core's `ErrorCode`, so the C
//! face, the Python face and the core agree on every number. The numbers never change.

use std::ffi::{CStr, c_char};

use allot_core::{Error, ErrorCode};

use crate::last_error;

/// The outcome of a call: `ALLOT_STATUS_OK` (0), or the number of the engine's error code.
///
/// Groups: 1xx the caller sent something invalid; 2xx the business said no (the engine is
/// fine); 3xx storage needs an operator; 9xx a bug in Allot. `allot_last_error_message()` says
/// more about the last failure on the calling thread. These numbers never change; new errors
/// get new numbers, so treat an unknown value like `ALLOT_STATUS_INTERNAL`.
#[repr(u32)]
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum allot_status {
    /// Success: the outputs are written.
    Ok = 0,
    /// An argument is malformed: NULL where not allowed, not UTF-8, an unknown enum value, an
    /// empty or malformed code, a quantity of 0.
    InvalidInput = 100,
    /// An argument is above one of the engine's limits (the `ALLOT_*_MAX` macros).
    LimitExceeded = 101,
    /// No SKU has this code.
    UnknownSku = 102,
    /// No warehouse has this code.
    UnknownWarehouse = 103,
    /// No reservation was ever made under this order id (or it was refused); in the order
    /// pipeline, no order was taken in under this key, or no order has this waybill.
    UnknownOrder = 104,
    /// A warehouse or SKU with this code already exists (or a waybill is on another order).
    AlreadyExists = 105,
    /// The events after this cursor are gone: a checkpoint removed them.
    CursorExpired = 106,
    /// A routing rules file has problems (the order pipeline's; each is named with its line
    /// and column in the message, and `allot_last_rule_errors()` lists them). The live rules
    /// are unchanged.
    InvalidRules = 107,
    /// Not enough available stock for an order (nothing was reserved) or for a movement.
    InsufficientStock = 200,
    /// The order id was already reserved with different lines.
    DuplicateOrder = 201,
    /// The reservation, order or task is in a state that cannot become the one asked for (for
    /// example releasing a committed reservation, cancelling a shipped order).
    IllegalTransition = 202,
    /// The client's role may not make this call.
    PermissionDenied = 203,
    /// An operating-system I/O error on the data directory.
    Io = 300,
    /// The data directory is damaged; the message names the file and byte offset.
    Corruption = 301,
    /// The disk is full (found while preallocating a log segment).
    OutOfSpace = 302,
    /// A log sync failed earlier: the engine refuses writes until it is reopened.
    Poisoned = 303,
    /// Another open engine holds the data directory.
    Locked = 304,
    /// The engine was closed.
    Closed = 305,
    /// The engine was opened by another process: this is a child made by `fork()` while it was
    /// open. Every call through an inherited engine or client handle answers this and changes
    /// nothing; open the engine in the child instead.
    WrongProcess = 306,
    /// The engine is open read-only and refuses writes.
    ReadOnly = 307,
    /// A bug in Allot (including a panic caught at the boundary).
    Internal = 900,
}

impl allot_status {
    /// The C status of one of the core's codes.
    pub fn from_code(code: ErrorCode) -> allot_status {
        match code {
            ErrorCode::InvalidInput => allot_status::InvalidInput,
            ErrorCode::LimitExceeded => allot_status::LimitExceeded,
            ErrorCode::UnknownSku => allot_status::UnknownSku,
            ErrorCode::UnknownWarehouse => allot_status::UnknownWarehouse,
            ErrorCode::UnknownOrder => allot_status::UnknownOrder,
            ErrorCode::AlreadyExists => allot_status::AlreadyExists,
            ErrorCode::CursorExpired => allot_status::CursorExpired,
            ErrorCode::InvalidRules => allot_status::InvalidRules,
            ErrorCode::InsufficientStock => allot_status::InsufficientStock,
            ErrorCode::DuplicateOrder => allot_status::DuplicateOrder,
            ErrorCode::IllegalTransition => allot_status::IllegalTransition,
            ErrorCode::PermissionDenied => allot_status::PermissionDenied,
            ErrorCode::Io => allot_status::Io,
            ErrorCode::Corruption => allot_status::Corruption,
            ErrorCode::OutOfSpace => allot_status::OutOfSpace,
            ErrorCode::Poisoned => allot_status::Poisoned,
            ErrorCode::Locked => allot_status::Locked,
            ErrorCode::Closed => allot_status::Closed,
            ErrorCode::WrongProcess => allot_status::WrongProcess,
            ErrorCode::ReadOnly => allot_status::ReadOnly,
            ErrorCode::Internal => allot_status::Internal,
            // A code added to the core but not yet here; tests/status.rs walks ErrorCode::ALL
            // so this arm is never reached by a released build.
            _ => allot_status::Internal,
        }
    }

    /// The status of `error`, after recording it as the thread's last error.
    pub(crate) fn from_error(error: Error) -> allot_status {
        let status = allot_status::from_code(error.code());
        last_error::set(error);
        status
    }

    fn name(self) -> &'static CStr {
        match self {
            allot_status::Ok => c"ok",
            allot_status::InvalidInput => c"invalid_input",
            allot_status::LimitExceeded => c"limit_exceeded",
            allot_status::UnknownSku => c"unknown_sku",
            allot_status::UnknownWarehouse => c"unknown_warehouse",
            allot_status::UnknownOrder => c"unknown_order",
            allot_status::AlreadyExists => c"already_exists",
            allot_status::CursorExpired => c"cursor_expired",
            allot_status::InvalidRules => c"invalid_rules",
            allot_status::InsufficientStock => c"insufficient_stock",
            allot_status::DuplicateOrder => c"duplicate_order",
            allot_status::IllegalTransition => c"illegal_transition",
            allot_status::PermissionDenied => c"permission_denied",
            allot_status::Io => c"io",
            allot_status::Corruption => c"corruption",
            allot_status::OutOfSpace => c"out_of_space",
            allot_status::Poisoned => c"poisoned",
            allot_status::Locked => c"locked",
            allot_status::Closed => c"closed",
            allot_status::WrongProcess => c"wrong_process",
            allot_status::ReadOnly => c"read_only",
            allot_status::Internal => c"internal",
        }
    }

    /// The status with this number, if there is one (C may pass any integer).
    pub fn from_u32(value: u32) -> Option<allot_status> {
        if value == 0 {
            return Some(allot_status::Ok);
        }
        ErrorCode::from_u32(value).map(allot_status::from_code)
    }
}

/// A status as C passes it in: any integer, validated before use.
pub type StatusArg = u32;

/// The name of a status, as the engine spells its error codes: "ok" for `ALLOT_STATUS_OK`,
/// "insufficient_stock" for `ALLOT_STATUS_INSUFFICIENT_STOCK`, and so on; "unknown" for any
/// other number.
///
/// The string is static: never free it; it stays valid for the life of the process.
#[unsafe(no_mangle)]
pub extern "C" fn allot_status_name(status: StatusArg) -> *const c_char {
    // Nothing here can panic, but the boundary holds for every exported body.
    crate::panic::guard_value(c"unknown".as_ptr(), || match allot_status::from_u32(status) {
        Some(known) => known.name().as_ptr(),
        None => c"unknown".as_ptr(),
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn every_status_round_trips_through_its_number() {
        for code in ErrorCode::ALL {
            let status = allot_status::from_code(code);
            assert_eq!(status as u32, code.as_u32());
            assert_eq!(allot_status::from_u32(code.as_u32()), Some(status));
            assert_eq!(status.name().to_str().unwrap(), code.name());
        }
        assert_eq!(allot_status::from_u32(0), Some(allot_status::Ok));
        assert_eq!(allot_status::from_u32(1), None);
    }
}
