//! The engine's limits as C macros, so C callers can size buffers and check input up front.
//!
//! cbindgen can only write literal values, so the numbers are repeated here from
//! `allot_core::limits`; `macros_equal_the_core_limits` below fails if one drifts.

/// Longest SKU, warehouse or region code, in bytes.
pub const ALLOT_CODE_BYTES_MAX: usize = 64;
/// Longest category name, in bytes.
pub const ALLOT_CATEGORY_BYTES_MAX: usize = 64;
/// Longest order id, in bytes.
pub const ALLOT_ORDER_ID_BYTES_MAX: usize = 64;
/// Longest reason text of a stock adjustment, in bytes.
pub const ALLOT_REASON_BYTES_MAX: usize = 256;
/// Longest data directory path, in bytes.
pub const ALLOT_PATH_BYTES_MAX: usize = 4095;
/// Most lines in one order.
pub const ALLOT_ORDER_LINES_MAX: usize = 128;
/// Largest quantity on one order line, in units.
pub const ALLOT_LINE_QTY_MAX: u32 = 1000000000;
/// Largest value of any counter of a stock cell (on hand, reserved, in transit, buffer), in
/// units; also the largest quantity of one stock movement.
pub const ALLOT_CELL_UNITS_MAX: u64 = 1000000000000000;
/// Longest reservation lifetime, in milliseconds (400 days).
pub const ALLOT_TTL_MS_MAX: u64 = 34560000000;
/// Most events one poll returns.
pub const ALLOT_EVENTS_BATCH_MAX: usize = 4096;

#[cfg(test)]
mod tests {
    use allot_core::limits;

    use super::*;

    #[test]
    fn macros_equal_the_core_limits() {
        assert_eq!(ALLOT_CODE_BYTES_MAX, limits::CODE_BYTES_MAX);
        assert_eq!(ALLOT_CATEGORY_BYTES_MAX, limits::CATEGORY_BYTES_MAX);
        assert_eq!(ALLOT_ORDER_ID_BYTES_MAX, limits::ORDER_ID_BYTES_MAX);
        assert_eq!(ALLOT_REASON_BYTES_MAX, limits::REASON_BYTES_MAX);
        assert_eq!(ALLOT_PATH_BYTES_MAX, crate::strings::PATH_BYTES_MAX);
        assert_eq!(ALLOT_ORDER_LINES_MAX, limits::ORDER_LINES_MAX);
        assert_eq!(ALLOT_LINE_QTY_MAX, limits::LINE_QTY_MAX);
        assert_eq!(ALLOT_CELL_UNITS_MAX, limits::CELL_UNITS_MAX);
        assert_eq!(ALLOT_TTL_MS_MAX, limits::TTL_MS_MAX);
        assert_eq!(ALLOT_EVENTS_BATCH_MAX, limits::EVENTS_BATCH_MAX);
    }
}
