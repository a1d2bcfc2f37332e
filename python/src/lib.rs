//! The native half of the `allot` Python package (being built).
use pyo3::prelude::*;

#[pymodule]
fn _allot(_m: &Bound<'_, PyModule>) -> PyResult<()> {
    Ok(())
}
