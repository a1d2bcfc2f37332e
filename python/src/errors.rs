//! The Python face of `allot_core::Error`: one exception class per `ErrorCode`, grouped under
//! `AllotError` as the core groups its codes (1xx invalid input, 2xx business rejection, 3xx
//! storage, 9xx internal). Every class carries the core's stable number as `code` and its snake
//! case name as `name`; the message is the core's own, unchanged.
//!
//! Python sees these classes in `allot.exceptions` (and re-exported from `allot`); they are made
//! here so that the native code raises exactly them. Plain `TypeError`/`ValueError` are raised
//! before the engine is reached, for arguments of the wrong type or values Rust cannot hold.

use std::path::PathBuf;

use allot_core::{Error, ErrorCode, Operation, Role};
use pyo3::create_exception;
use pyo3::exceptions::{PyException, PyValueError};
use pyo3::prelude::*;
use pyo3::types::PyType;

create_exception!(
    allot.exceptions,
    AllotError,
    PyException,
    "Base of every error the engine reports. `code` is the core's stable error number and `name` its snake-case name; the message is the core's."
);

create_exception!(
    allot.exceptions,
    InvalidInputError,
    AllotError,
    "The caller sent something invalid (code 100); the subclasses name what."
);
create_exception!(
    allot.exceptions,
    LimitExceededError,
    InvalidInputError,
    "An input exceeded a named limit of `allot_core::limits` (code 101); the message names the limit."
);
create_exception!(allot.exceptions, UnknownSkuError, InvalidInputError, "No SKU has this code (code 102).");
create_exception!(allot.exceptions, UnknownWarehouseError, InvalidInputError, "No warehouse has this code (code 103).");
create_exception!(
    allot.exceptions,
    UnknownOrderError,
    InvalidInputError,
    "No order, reservation or waybill in the engine has this id (code 104)."
);
create_exception!(
    allot.exceptions,
    AlreadyExistsError,
    InvalidInputError,
    "A warehouse or SKU with this code already exists (code 105)."
);
create_exception!(
    allot.exceptions,
    CursorExpiredError,
    InvalidInputError,
    "The events after this cursor were removed by a checkpoint (code 106)."
);

create_exception!(
    allot.exceptions,
    InvalidRulesError,
    InvalidInputError,
    "A rules file has problems (code 107); the message names each one's line and column, and `errors` lists them as RuleProblem objects. The previous rules stay live."
);

create_exception!(
    allot.exceptions,
    RejectedError,
    AllotError,
    "A business rejection (codes 2xx): the engine is fine and said no."
);
create_exception!(
    allot.exceptions,
    InsufficientStockError,
    RejectedError,
    "Not enough available stock for the order or movement (code 200); the message names the SKU."
);
create_exception!(
    allot.exceptions,
    DuplicateOrderError,
    RejectedError,
    "The order id was already reserved with different lines (code 201)."
);
create_exception!(
    allot.exceptions,
    IllegalTransitionError,
    RejectedError,
    "The order or reservation is in a state that cannot become the one asked for (code 202); the message names both, and `order`, `from_state` and `to_state` hold them."
);
create_exception!(
    allot.exceptions,
    PermissionDeniedError,
    RejectedError,
    "The client's role may not make this call (code 203); nothing changed."
);

create_exception!(
    allot.exceptions,
    StorageError,
    AllotError,
    "Storage needs an operator (codes 3xx); the subclasses name what happened."
);
create_exception!(
    allot.exceptions,
    StorageIoError,
    StorageError,
    "An I/O operation on the data directory failed (code 300)."
);
create_exception!(
    allot.exceptions,
    CorruptionError,
    StorageError,
    "A log segment or checkpoint is damaged in a way recovery must not skip (code 301)."
);
create_exception!(
    allot.exceptions,
    OutOfSpaceError,
    StorageError,
    "The disk is full: a log segment could not be preallocated (code 302)."
);
create_exception!(
    allot.exceptions,
    PoisonedError,
    StorageError,
    "A log sync failed; the engine refuses writes until it is reopened (code 303)."
);
create_exception!(
    allot.exceptions,
    LockedError,
    StorageError,
    "Another open engine holds the data directory (code 304)."
);
create_exception!(allot.exceptions, ClosedError, StorageError, "The engine was closed (code 305).");
create_exception!(
    allot.exceptions,
    WrongProcessError,
    StorageError,
    "The engine was opened by another process (code 306): this is a child made by fork() (multiprocessing's fork start method) and nothing changed. Open the engine in the child, or start children with spawn."
);
create_exception!(
    allot.exceptions,
    ReadOnlyError,
    StorageError,
    "The engine is open read-only and refuses writes (code 307)."
);

create_exception!(
    allot.exceptions,
    InternalError,
    AllotError,
    "A bug in Allot (code 900): please report it with the message."
);

/// Registers every exception class in the module and gives the concrete ones their `code` and
/// `name` class attributes.
pub(crate) fn register(module: &Bound<'_, PyModule>) -> PyResult<()> {
    let py = module.py();
    let groups = [
        ("AllotError", py.get_type::<AllotError>()),
        ("RejectedError", py.get_type::<RejectedError>()),
        ("StorageError", py.get_type::<StorageError>()),
    ];
    for (name, class) in groups {
        module.add(name, class)?;
    }
    for code in ErrorCode::ALL {
        let class = class_of(py, code);
        class.setattr("code", code.as_u32())?;
        class.setattr("name", code.name())?;
        module.add(class.name()?, class)?;
    }
    Ok(())
}

/// The class that stands for `code`.
fn class_of(py: Python<'_>, code: ErrorCode) -> Bound<'_, PyType> {
    match code {
        ErrorCode::InvalidInput => py.get_type::<InvalidInputError>(),
        ErrorCode::LimitExceeded => py.get_type::<LimitExceededError>(),
        ErrorCode::UnknownSku => py.get_type::<UnknownSkuError>(),
        ErrorCode::UnknownWarehouse => py.get_type::<UnknownWarehouseError>(),
        ErrorCode::UnknownOrder => py.get_type::<UnknownOrderError>(),
        ErrorCode::AlreadyExists => py.get_type::<AlreadyExistsError>(),
        ErrorCode::CursorExpired => py.get_type::<CursorExpiredError>(),
        ErrorCode::InvalidRules => py.get_type::<InvalidRulesError>(),
        ErrorCode::InsufficientStock => py.get_type::<InsufficientStockError>(),
        ErrorCode::DuplicateOrder => py.get_type::<DuplicateOrderError>(),
        ErrorCode::IllegalTransition => py.get_type::<IllegalTransitionError>(),
        ErrorCode::PermissionDenied => py.get_type::<PermissionDeniedError>(),
        ErrorCode::Io => py.get_type::<StorageIoError>(),
        ErrorCode::Corruption => py.get_type::<CorruptionError>(),
        ErrorCode::OutOfSpace => py.get_type::<OutOfSpaceError>(),
        ErrorCode::Poisoned => py.get_type::<PoisonedError>(),
        ErrorCode::Locked => py.get_type::<LockedError>(),
        ErrorCode::Closed => py.get_type::<ClosedError>(),
        ErrorCode::WrongProcess => py.get_type::<WrongProcessError>(),
        ErrorCode::ReadOnly => py.get_type::<ReadOnlyError>(),
        ErrorCode::Internal => py.get_type::<InternalError>(),
        // A code newer than this module: the base class, with the number on the instance.
        _ => py.get_type::<AllotError>(),
    }
}

/// The exception for a core error: its code's class, the core's message. An
/// `InvalidRulesError` also carries `errors`, the list of `RuleProblem`s (line, column,
/// message); an `IllegalTransitionError` carries `order`, `from_state` and `to_state`.
pub(crate) fn to_pyerr(error: Error) -> PyErr {
    let details = match &error {
        Error::InvalidRules { errors } => Some(Details::Rules(errors.clone())),
        Error::IllegalTransition { order, from, to } => Some(Details::Transition(order.clone(), from, to)),
        _ => None,
    };
    let raised = plain_pyerr(error);
    let Some(details) = details else { return raised };
    Python::attach(|py| {
        let value = raised.value(py);
        let attached = match details {
            Details::Rules(errors) => {
                crate::rules::problems(py, &errors).and_then(|list| value.setattr("errors", list))
            }
            Details::Transition(order, from, to) => value
                .setattr("order", order)
                .and_then(|()| value.setattr("from_state", from))
                .and_then(|()| value.setattr("to_state", to)),
        };
        attached.err().unwrap_or(raised)
    })
}

/// What some exceptions carry besides their message.
enum Details {
    Rules(Vec<allot_core::routing::RuleError>),
    Transition(String, &'static str, &'static str),
}

fn plain_pyerr(error: Error) -> PyErr {
    let code = error.code();
    let message = error.to_string();
    match code {
        ErrorCode::InvalidInput => InvalidInputError::new_err(message),
        ErrorCode::LimitExceeded => LimitExceededError::new_err(message),
        ErrorCode::UnknownSku => UnknownSkuError::new_err(message),
        ErrorCode::UnknownWarehouse => UnknownWarehouseError::new_err(message),
        ErrorCode::UnknownOrder => UnknownOrderError::new_err(message),
        ErrorCode::AlreadyExists => AlreadyExistsError::new_err(message),
        ErrorCode::CursorExpired => CursorExpiredError::new_err(message),
        ErrorCode::InvalidRules => InvalidRulesError::new_err(message),
        ErrorCode::InsufficientStock => InsufficientStockError::new_err(message),
        ErrorCode::DuplicateOrder => DuplicateOrderError::new_err(message),
        ErrorCode::IllegalTransition => IllegalTransitionError::new_err(message),
        ErrorCode::PermissionDenied => PermissionDeniedError::new_err(message),
        ErrorCode::Io => StorageIoError::new_err(message),
        ErrorCode::Corruption => CorruptionError::new_err(message),
        ErrorCode::OutOfSpace => OutOfSpaceError::new_err(message),
        ErrorCode::Poisoned => PoisonedError::new_err(message),
        ErrorCode::Locked => LockedError::new_err(message),
        ErrorCode::Closed => ClosedError::new_err(message),
        ErrorCode::WrongProcess => WrongProcessError::new_err(message),
        ErrorCode::ReadOnly => ReadOnlyError::new_err(message),
        ErrorCode::Internal => InternalError::new_err(message),
        _ => Python::attach(|py| {
            let error = AllotError::new_err(message);
            let value = error.value(py);
            let numbered = value.setattr("code", code.as_u32()).and_then(|()| value.setattr("name", code.name()));
            numbered.err().unwrap_or(error)
        }),
    }
}

/// Converts a core result, raising the matching exception.
pub(crate) fn check<T>(result: allot_core::Result<T>) -> PyResult<T> {
    result.map_err(to_pyerr)
}

/// Runs engine work with the GIL released, converting its error, and a panic (a bug in Allot)
/// into InternalError: no panic crosses into Python.
pub(crate) fn run<T: Send>(py: Python<'_>, work: impl FnOnce() -> allot_core::Result<T> + Send) -> PyResult<T> {
    let outcome = py.detach(|| std::panic::catch_unwind(std::panic::AssertUnwindSafe(work)));
    match outcome {
        Ok(result) => check(result),
        Err(panic) => {
            let detail = panic
                .downcast_ref::<&str>()
                .map(|text| text.to_string())
                .or_else(|| panic.downcast_ref::<String>().cloned())
                .unwrap_or_else(|| "a panic without a message".into());
            Err(to_pyerr(Error::Internal { detail: format!("panic in the engine: {detail}") }))
        }
    }
}

/// `(code, name)` of every core error code, in numeric order.
pub(crate) fn error_codes() -> Vec<(u32, &'static str)> {
    ErrorCode::ALL.iter().map(|code| (code.as_u32(), code.name())).collect()
}

/// A representative core error for `code`, for the test that walks every code through the
/// Python face (most codes cannot be provoked on demand: a corrupt log, a full disk).
fn sample(code: ErrorCode) -> Error {
    let path = PathBuf::from("data/wal-00000000000000000001.seg");
    match code {
        ErrorCode::InvalidInput => Error::InvalidInput { message: "an order needs at least one line".into() },
        ErrorCode::LimitExceeded => Error::LimitExceeded {
            limit: "ORDER_LINES_MAX",
            what: "the number of order lines".into(),
            max: allot_core::limits::ORDER_LINES_MAX as u64,
            actual: 129,
        },
        ErrorCode::UnknownSku => Error::UnknownSku { sku: "NO-SUCH-SKU".into() },
        ErrorCode::UnknownWarehouse => Error::UnknownWarehouse { warehouse: "NO-SUCH-WH".into() },
        ErrorCode::UnknownOrder => Error::UnknownOrder { order: "ORD-0".into() },
        ErrorCode::AlreadyExists => Error::AlreadyExists { kind: "SKU", code: "SOFA-3P".into() },
        ErrorCode::CursorExpired => Error::CursorExpired { cursor: 3, oldest: 10 },
        ErrorCode::InvalidRules => allot_core::routing::rules_error(&[allot_core::routing::RuleError {
            line: 3,
            column: 7,
            message: "unknown key \"priorty\"".into(),
        }]),
        ErrorCode::InsufficientStock => Error::InsufficientStock {
            order: Some("ORD-1".into()),
            sku: "SOFA-3P".into(),
            warehouse: None,
            requested: 5,
            available: 3,
        },
        ErrorCode::DuplicateOrder => Error::DuplicateOrder { order: "ORD-1".into() },
        ErrorCode::IllegalTransition => {
            Error::IllegalTransition { order: "ORD-1".into(), from: "released", to: "committed" }
        }
        ErrorCode::PermissionDenied => Error::PermissionDenied { role: Role::Logistics, operation: Operation::Reserve },
        ErrorCode::Io => Error::Io {
            path,
            action: "syncing log segment",
            source: std::io::Error::from(std::io::ErrorKind::PermissionDenied),
        },
        ErrorCode::Corruption => Error::Corruption { path, offset: 4096, detail: "bad CRC".into() },
        ErrorCode::OutOfSpace => Error::OutOfSpace { path, bytes: 64 << 20 },
        ErrorCode::Poisoned => Error::Poisoned { cause: "fdatasync failed".into() },
        ErrorCode::Locked => Error::Locked { path: PathBuf::from("data") },
        ErrorCode::Closed => Error::Closed,
        ErrorCode::WrongProcess => Error::WrongProcess { opened_by: 4100, caller: 4242 },
        ErrorCode::ReadOnly => Error::ReadOnly { path: PathBuf::from("data") },
        _ => Error::Internal { detail: format!("no sample for error code {}", code.as_u32()) },
    }
}

/// The exception the module raises for a representative core error with this code (the
/// number from `ERROR_CODES`); ValueError for a number that is not a code.
#[pyfunction]
pub(crate) fn _error_for_code(py: Python<'_>, code: u32) -> PyResult<Py<PyAny>> {
    let code = ErrorCode::from_u32(code).ok_or_else(|| PyValueError::new_err(format!("no error code {code}")))?;
    Ok(to_pyerr(sample(code)).into_value(py).into_any())
}
