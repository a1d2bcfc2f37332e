//! Arguments from Python: numbers that must fit Rust's unsigned and signed integers, seconds as
//! floats, order lines as `(sku, qty)` tuples. Wrong types are `TypeError`, and a `bool` is a
//! wrong type wherever a number is expected (Python's `True` is the int 1, but `qty=True` is a
//! bug, never one unit); values Rust cannot hold (negative quantities, numbers beyond 32 or 64
//! bits, NaN seconds) are `ValueError`. Everything else is the engine's to judge, so its limits
//! and messages stay in one place.

use std::time::Duration;

use pyo3::exceptions::{PyOverflowError, PyTypeError, PyValueError};
use pyo3::prelude::*;
use pyo3::types::{PyBool, PyList, PyString, PyTuple};

/// The `TypeError` for a `bool` given where a number is expected.
fn bool_error(what: &str) -> PyErr {
    PyTypeError::new_err(format!("{what} must be an int, not bool"))
}

/// A number argument extracted by pyo3 (`T` is `u32`, `u64`, `f64`, ...) that refuses `bool`,
/// for parameters pyo3 converts itself (value classes' constructors, seconds).
#[derive(Clone, Copy, Debug)]
pub(crate) struct NotBool<T>(pub(crate) T);

impl<'a, 'py, T> FromPyObject<'a, 'py> for NotBool<T>
where
    T: FromPyObject<'a, 'py>,
{
    type Error = PyErr;

    fn extract(value: Borrowed<'a, 'py, PyAny>) -> PyResult<NotBool<T>> {
        if value.is_instance_of::<PyBool>() {
            return Err(PyTypeError::new_err(
                "expected a number, not bool (True and False are never quantities, counts or seconds)",
            ));
        }
        T::extract(value).map(NotBool).map_err(Into::into)
    }
}

/// Seconds as Python passes them: an int or a float, never a bool.
pub(crate) type Seconds = NotBool<f64>;

/// A `TypeError` or `ValueError` for an integer extraction that failed.
fn int_error(value: &Bound<'_, PyAny>, what: &str, error: PyErr, kind: &str) -> PyErr {
    let py = value.py();
    if !error.is_instance_of::<PyOverflowError>(py) {
        return PyTypeError::new_err(format!("{what} must be an int, not {}", type_name(value)));
    }
    if kind.starts_with('u') && value.lt(0).unwrap_or(false) {
        return PyValueError::new_err(format!("{what} must not be negative, not {value}"));
    }
    PyValueError::new_err(format!("{what} = {value} does not fit in {kind}"))
}

pub(crate) fn type_name(value: &Bound<'_, PyAny>) -> String {
    value.get_type().name().map_or_else(|_| "?".into(), |name| name.to_string())
}

/// A non-negative count of units that fits `u64`.
pub(crate) fn to_u64(value: &Bound<'_, PyAny>, what: &str) -> PyResult<u64> {
    if value.is_instance_of::<PyBool>() {
        return Err(bool_error(what));
    }
    value.extract::<u64>().map_err(|error| int_error(value, what, error, "u64"))
}

/// A non-negative count that fits `u32`.
pub(crate) fn to_u32(value: &Bound<'_, PyAny>, what: &str) -> PyResult<u32> {
    if value.is_instance_of::<PyBool>() {
        return Err(bool_error(what));
    }
    value.extract::<u32>().map_err(|error| int_error(value, what, error, "u32"))
}

/// A signed count that fits `i64`.
pub(crate) fn to_i64(value: &Bound<'_, PyAny>, what: &str) -> PyResult<i64> {
    if value.is_instance_of::<PyBool>() {
        return Err(bool_error(what));
    }
    value.extract::<i64>().map_err(|error| int_error(value, what, error, "i64"))
}

/// An optional count (None or absent: `None`) that fits `u64`.
pub(crate) fn to_opt_u64(value: Option<&Bound<'_, PyAny>>, what: &str) -> PyResult<Option<u64>> {
    value.filter(|value| !value.is_none()).map(|value| to_u64(value, what)).transpose()
}

/// Seconds as a float (or int) into whole milliseconds, rounded to the nearest; `None` stays
/// `None`. Negative, NaN, infinite or too large is a `ValueError`.
pub(crate) fn seconds_to_ms(seconds: Option<Seconds>, what: &str) -> PyResult<Option<u64>> {
    let Some(NotBool(seconds)) = seconds else { return Ok(None) };
    if !seconds.is_finite() || seconds < 0.0 {
        return Err(PyValueError::new_err(format!("{what} must be a finite number of seconds >= 0, not {seconds}")));
    }
    let ms = (seconds * 1000.0).round();
    // 2^64 is exactly representable; anything at or above it does not fit.
    if ms >= 18_446_744_073_709_551_616.0 {
        return Err(PyValueError::new_err(format!("{what} = {seconds} s does not fit in u64 milliseconds")));
    }
    Ok(Some(ms as u64))
}

/// A duration in seconds, rounded to whole milliseconds (the engine clock's resolution), for
/// moving a manual clock.
pub(crate) fn seconds_to_duration(seconds: Seconds, what: &str) -> PyResult<Duration> {
    let ms = seconds_to_ms(Some(seconds), what)?.unwrap_or(0);
    Ok(Duration::from_millis(ms))
}

/// One order line: a `(sku, qty)` tuple (or two-item list), the SKU a `str`, the quantity an
/// `int` that fits `u32`.
pub(crate) fn order_line<'py>(item: &Bound<'py, PyAny>, index: usize) -> PyResult<(Bound<'py, PyString>, u32)> {
    let (sku, qty) = if let Ok(pair) = item.cast::<PyTuple>() {
        if pair.len() != 2 {
            return Err(line_shape_error(item, index));
        }
        (pair.get_item(0)?, pair.get_item(1)?)
    } else if let Ok(pair) = item.cast::<PyList>() {
        if pair.len() != 2 {
            return Err(line_shape_error(item, index));
        }
        (pair.get_item(0)?, pair.get_item(1)?)
    } else {
        return Err(line_shape_error(item, index));
    };
    if !sku.is_instance_of::<PyString>() {
        return Err(PyTypeError::new_err(format!(
            "order line {index}: the SKU must be a str, not {}",
            type_name(&sku)
        )));
    }
    let sku = sku.cast_into::<PyString>()?;
    if qty.is_instance_of::<PyBool>() {
        return Err(bool_error(&format!("order line {index}: the quantity")));
    }
    // The argument's name is formatted only for an error: this is the reserve path.
    let qty = qty
        .extract::<u32>()
        .map_err(|error| int_error(&qty, &format!("order line {index}: the quantity"), error, "u32"))?;
    Ok((sku, qty))
}

fn line_shape_error(item: &Bound<'_, PyAny>, index: usize) -> PyErr {
    PyTypeError::new_err(format!(
        "order line {index} must be a (sku, qty) tuple, not {} {}",
        type_name(item),
        item.repr().map_or_else(|_| "?".into(), |r| r.to_string())
    ))
}

/// Calls `visit` with every item of `items` (a list, a tuple, or any iterable that is not a
/// string or a dict), with its index, until it returns `false`.
pub(crate) fn for_each_item<'py>(
    items: &Bound<'py, PyAny>,
    what: &str,
    mut visit: impl FnMut(usize, &Bound<'py, PyAny>) -> PyResult<bool>,
) -> PyResult<()> {
    if let Ok(list) = items.cast::<PyList>() {
        // By position, checking the length each time: `visit` may run Python code that changes
        // the list.
        let mut index = 0;
        while index < list.len() {
            if !visit(index, &list.get_item(index)?)? {
                break;
            }
            index += 1;
        }
        return Ok(());
    }
    if let Ok(tuple) = items.cast::<PyTuple>() {
        for (index, item) in tuple.iter().enumerate() {
            if !visit(index, &item)? {
                break;
            }
        }
        return Ok(());
    }
    if items.is_instance_of::<PyString>() || items.is_instance_of::<pyo3::types::PyDict>() {
        return Err(PyTypeError::new_err(format!("{what} must be a list, not {}", type_name(items))));
    }
    let iterator = items
        .try_iter()
        .map_err(|_| PyTypeError::new_err(format!("{what} must be a list, not {}", type_name(items))))?;
    for (index, item) in iterator.enumerate() {
        if !visit(index, &item?)? {
            break;
        }
    }
    Ok(())
}

/// The number of items when `items` is a list or tuple (known before iterating).
pub(crate) fn known_len(items: &Bound<'_, PyAny>) -> Option<usize> {
    if let Ok(list) = items.cast::<PyList>() {
        Some(list.len())
    } else if let Ok(tuple) = items.cast::<PyTuple>() {
        Some(tuple.len())
    } else {
        None
    }
}
