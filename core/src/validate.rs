//! The checks every piece of text from outside passes before it reaches the engine: one place,
//! so an order id the intake accepts is always one that every later call accepts too.

use crate::error::{Error, Result};
use crate::limits::{CODE_BYTES_MAX, ORDER_ID_BYTES_MAX};

/// Codes (SKU, warehouse, region): non-empty, at most `CODE_BYTES_MAX` bytes, no whitespace or
/// control characters (so "SKU-1" and "SKU-1 " can never be two different things).
pub(crate) fn check_code(what: &str, code: &str) -> Result<()> {
    check_text(what, code, "CODE_BYTES_MAX", CODE_BYTES_MAX, false)?;
    if code.chars().any(char::is_whitespace) {
        return Err(Error::invalid(format!("{what} {code:?} contains whitespace")));
    }
    Ok(())
}

pub(crate) fn check_text(
    what: &str,
    text: &str,
    limit: &'static str,
    max_bytes: usize,
    allow_empty: bool,
) -> Result<()> {
    if text.is_empty() && !allow_empty {
        return Err(Error::invalid(format!("{what} is empty")));
    }
    if text.len() > max_bytes {
        return Err(Error::LimitExceeded {
            limit,
            what: format!("the length of {what}"),
            max: max_bytes as u64,
            actual: text.len() as u64,
        });
    }
    if text.chars().any(char::is_control) {
        return Err(Error::invalid(format!("{what} {text:?} contains control characters")));
    }
    Ok(())
}

/// An order id (or order key): non-empty, at most `ORDER_ID_BYTES_MAX` bytes, no control
/// characters.
pub(crate) fn check_order_id(order_id: &str) -> Result<()> {
    check_text("order id", order_id, "ORDER_ID_BYTES_MAX", ORDER_ID_BYTES_MAX, false)
}

/// Free text (an address field, a buyer id) that may hold anything but must fit its limit.
pub(crate) fn check_length(what: &str, text: &str, limit: &'static str, max_bytes: usize) -> Result<()> {
    if text.len() > max_bytes {
        return Err(Error::LimitExceeded {
            limit,
            what: format!("the length of {what}"),
            max: max_bytes as u64,
            actual: text.len() as u64,
        });
    }
    Ok(())
}
