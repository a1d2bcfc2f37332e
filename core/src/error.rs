//! The one error type of the engine, with stable numeric codes.
//!
//! Codes are grouped by who must act: 1xx the caller sent something invalid, 2xx the business
//! said no (the engine is fine), 3xx storage needs an operator, 9xx a bug in Allot. The numbers
//! are part of the C and Python interfaces and never change; new errors get new numbers.

use std::fmt;
use std::io;
use std::path::PathBuf;

use crate::role::{Operation, Role};

pub type Result<T, E = Error> = std::result::Result<T, E>;

/// Stable numeric code of an [`Error`]. `#[repr(u32)]`: the numbers are an interface.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
#[repr(u32)]
#[non_exhaustive]
pub enum ErrorCode {
    InvalidInput = 100,
    LimitExceeded = 101,
    UnknownSku = 102,
    UnknownWarehouse = 103,
    UnknownOrder = 104,
    AlreadyExists = 105,
    CursorExpired = 106,
    InvalidRules = 107,

    InsufficientStock = 200,
    DuplicateOrder = 201,
    IllegalTransition = 202,
    PermissionDenied = 203,

    Io = 300,
    Corruption = 301,
    OutOfSpace = 302,
    Poisoned = 303,
    Locked = 304,
    Closed = 305,
    WrongProcess = 306,
    ReadOnly = 307,

    Internal = 900,
}

impl ErrorCode {
    /// Every code, in numeric order: for tests that walk all of them through every face.
    pub const ALL: [ErrorCode; 21] = [
        ErrorCode::InvalidInput,
        ErrorCode::LimitExceeded,
        ErrorCode::UnknownSku,
        ErrorCode::UnknownWarehouse,
        ErrorCode::UnknownOrder,
        ErrorCode::AlreadyExists,
        ErrorCode::CursorExpired,
        ErrorCode::InvalidRules,
        ErrorCode::InsufficientStock,
        ErrorCode::DuplicateOrder,
        ErrorCode::IllegalTransition,
        ErrorCode::PermissionDenied,
        ErrorCode::Io,
        ErrorCode::Corruption,
        ErrorCode::OutOfSpace,
        ErrorCode::Poisoned,
        ErrorCode::Locked,
        ErrorCode::Closed,
        ErrorCode::WrongProcess,
        ErrorCode::ReadOnly,
        ErrorCode::Internal,
    ];

    pub fn as_u32(self) -> u32 {
        self as u32
    }

    /// The code's name in snake case, as the C and Python faces spell it.
    pub fn name(self) -> &'static str {
        match self {
            ErrorCode::InvalidInput => "invalid_input",
            ErrorCode::LimitExceeded => "limit_exceeded",
            ErrorCode::UnknownSku => "unknown_sku",
            ErrorCode::UnknownWarehouse => "unknown_warehouse",
            ErrorCode::UnknownOrder => "unknown_order",
            ErrorCode::AlreadyExists => "already_exists",
            ErrorCode::CursorExpired => "cursor_expired",
            ErrorCode::InvalidRules => "invalid_rules",
            ErrorCode::InsufficientStock => "insufficient_stock",
            ErrorCode::DuplicateOrder => "duplicate_order",
            ErrorCode::IllegalTransition => "illegal_transition",
            ErrorCode::PermissionDenied => "permission_denied",
            ErrorCode::Io => "io",
            ErrorCode::Corruption => "corruption",
            ErrorCode::OutOfSpace => "out_of_space",
            ErrorCode::Poisoned => "poisoned",
            ErrorCode::Locked => "locked",
            ErrorCode::Closed => "closed",
            ErrorCode::WrongProcess => "wrong_process",
            ErrorCode::ReadOnly => "read_only",
            ErrorCode::Internal => "internal",
        }
    }

    pub fn from_u32(code: u32) -> Option<ErrorCode> {
        ErrorCode::ALL.into_iter().find(|c| c.as_u32() == code)
    }
}

/// Everything that can go wrong, each variant naming the SKU, order or file concerned.
#[derive(Debug, thiserror::Error)]
#[non_exhaustive]
pub enum Error {
    #[error("invalid input: {message}")]
    InvalidInput { message: String },

    /// A value beyond a named limit. Counts that must also be at least 1 (events asked for in one
    /// poll) report a 0 with this code too, the message saying so.
    #[error("{}", limit_message(what, *actual, limit, *max))]
    LimitExceeded { limit: &'static str, what: String, max: u64, actual: u64 },

    #[error("unknown SKU {sku:?}")]
    UnknownSku { sku: String },

    #[error("unknown warehouse {warehouse:?}")]
    UnknownWarehouse { warehouse: String },

    #[error("unknown order {order:?}: no order, reservation or waybill in the engine has that id")]
    UnknownOrder { order: String },

    #[error("{kind} {code:?} already exists")]
    AlreadyExists { kind: &'static str, code: String },

    #[error(
        "events after LSN {cursor} are gone (a checkpoint removed them); the oldest cursor still served is {oldest}"
    )]
    CursorExpired { cursor: u64, oldest: u64 },

    /// A rules file with problems; each names its line and column. The live rules are unchanged.
    #[error("the rules file has {} problem(s): {}", errors.len(), errors.iter().map(|e| e.to_string()).collect::<Vec<_>>().join("; "))]
    InvalidRules { errors: Vec<crate::routing::RuleError> },

    #[error("{}", insufficient_message(order.as_deref(), sku, warehouse.as_deref(), *requested, *available))]
    InsufficientStock { order: Option<String>, sku: String, warehouse: Option<String>, requested: u64, available: u64 },

    #[error("order {order:?} was already reserved with different lines")]
    DuplicateOrder { order: String },

    #[error("order {order:?} is {from} and cannot become {to}")]
    IllegalTransition { order: String, from: &'static str, to: &'static str },

    #[error("the {role} role may not {operation}")]
    PermissionDenied { role: Role, operation: Operation },

    #[error("{action} {}: {source}", path.display())]
    Io {
        path: PathBuf,
        action: &'static str,
        #[source]
        source: io::Error,
    },

    #[error("{} is corrupt at byte {offset}: {detail}", path.display())]
    Corruption { path: PathBuf, offset: u64, detail: String },

    #[error("out of disk space preallocating {bytes} bytes for {}", path.display())]
    OutOfSpace { path: PathBuf, bytes: u64 },

    #[error("the engine refuses writes after a failed log sync ({cause}); reopen it to recover")]
    Poisoned { cause: String },

    #[error("{} is locked by another open engine", path.display())]
    Locked { path: PathBuf },

    #[error("the engine is closed")]
    Closed,

    /// A call from a process other than the one that opened the engine: a child made by
    /// `fork()` inherits a copy of the engine, whose log and lock are the parent's. Nothing
    /// changed.
    #[error(
        "this engine was opened by process {opened_by}; process {caller} (a forked child?) may not use it: open the engine in the child, or start children with spawn"
    )]
    WrongProcess { opened_by: u32, caller: u32 },

    #[error("the engine at {} is open read-only: it refuses writes", path.display())]
    ReadOnly { path: PathBuf },

    #[error("internal error (a bug in Allot): {detail}")]
    Internal { detail: String },
}

fn limit_message(what: &str, actual: u64, limit: &str, max: u64) -> String {
    if actual > max {
        format!("{what} is {actual}, above the limit {limit} = {max}")
    } else {
        format!("{what} is {actual}, below the least allowed, 1 (the most is {limit} = {max})")
    }
}

fn insufficient_message(
    order: Option<&str>,
    sku: &str,
    warehouse: Option<&str>,
    requested: u64,
    available: u64,
) -> String {
    let mut message = String::new();
    if let Some(order) = order {
        message.push_str(&format!("order {order:?}: "));
    }
    message.push_str(&format!("SKU {sku:?} "));
    if let Some(warehouse) = warehouse {
        message.push_str(&format!("in warehouse {warehouse:?} "));
    }
    message.push_str(&format!("needs {requested} but only {available} available"));
    message
}

impl Error {
    pub fn code(&self) -> ErrorCode {
        match self {
            Error::InvalidInput { .. } => ErrorCode::InvalidInput,
            Error::LimitExceeded { .. } => ErrorCode::LimitExceeded,
            Error::UnknownSku { .. } => ErrorCode::UnknownSku,
            Error::UnknownWarehouse { .. } => ErrorCode::UnknownWarehouse,
            Error::UnknownOrder { .. } => ErrorCode::UnknownOrder,
            Error::AlreadyExists { .. } => ErrorCode::AlreadyExists,
            Error::CursorExpired { .. } => ErrorCode::CursorExpired,
            Error::InvalidRules { .. } => ErrorCode::InvalidRules,
            Error::InsufficientStock { .. } => ErrorCode::InsufficientStock,
            Error::DuplicateOrder { .. } => ErrorCode::DuplicateOrder,
            Error::IllegalTransition { .. } => ErrorCode::IllegalTransition,
            Error::PermissionDenied { .. } => ErrorCode::PermissionDenied,
            Error::Io { .. } => ErrorCode::Io,
            Error::Corruption { .. } => ErrorCode::Corruption,
            Error::OutOfSpace { .. } => ErrorCode::OutOfSpace,
            Error::Poisoned { .. } => ErrorCode::Poisoned,
            Error::Locked { .. } => ErrorCode::Locked,
            Error::Closed => ErrorCode::Closed,
            Error::WrongProcess { .. } => ErrorCode::WrongProcess,
            Error::ReadOnly { .. } => ErrorCode::ReadOnly,
            Error::Internal { .. } => ErrorCode::Internal,
        }
    }

    pub(crate) fn invalid(message: impl Into<String>) -> Error {
        Error::InvalidInput { message: message.into() }
    }

    pub(crate) fn io(path: impl Into<PathBuf>, action: &'static str, source: io::Error) -> Error {
        Error::Io { path: path.into(), action, source }
    }

    pub(crate) fn corruption(path: impl Into<PathBuf>, offset: u64, detail: impl Into<String>) -> Error {
        Error::Corruption { path: path.into(), offset, detail: detail.into() }
    }

    pub(crate) fn internal(detail: impl Into<String>) -> Error {
        Error::Internal { detail: detail.into() }
    }
}

impl fmt::Display for ErrorCode {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.name())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn codes_are_unique_and_round_trip() {
        let mut seen = std::collections::HashSet::new();
        for code in ErrorCode::ALL {
            assert!(seen.insert(code.as_u32()), "duplicate number {}", code.as_u32());
            assert_eq!(ErrorCode::from_u32(code.as_u32()), Some(code));
        }
        assert_eq!(ErrorCode::from_u32(0), None);
    }

    #[test]
    fn messages_name_what_they_concern() {
        let error = Error::InsufficientStock {
            order: Some("ORD-1".into()),
            sku: "SOFA-3P".into(),
            warehouse: None,
            requested: 5,
            available: 3,
        };
        assert_eq!(error.to_string(), "order \"ORD-1\": SKU \"SOFA-3P\" needs 5 but only 3 available");
        let error = Error::LimitExceeded { limit: "EVENTS_BATCH_MAX", what: "max".into(), max: 4096, actual: 0 };
        assert_eq!(error.to_string(), "max is 0, below the least allowed, 1 (the most is EVENTS_BATCH_MAX = 4096)");
        let error = Error::LimitExceeded { limit: "EVENTS_BATCH_MAX", what: "max".into(), max: 4096, actual: 4097 };
        assert_eq!(error.to_string(), "max is 4097, above the limit EVENTS_BATCH_MAX = 4096");
        let error = Error::IllegalTransition { order: "ORD-2".into(), from: "released", to: "committed" };
        assert_eq!(error.to_string(), "order \"ORD-2\" is released and cannot become committed");
        let error = Error::WrongProcess { opened_by: 41, caller: 42 };
        assert_eq!(
            error.to_string(),
            "this engine was opened by process 41; process 42 (a forked child?) may not use it: \
             open the engine in the child, or start children with spawn"
        );
    }
}
