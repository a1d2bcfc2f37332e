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
/// Largest channel payload `allot_client_intake_payload()` parses, in bytes (256 KiB).
pub const ALLOT_PAYLOAD_BYTES_MAX: usize = 262144;
/// Deepest nesting of arrays and objects in a channel payload.
pub const ALLOT_PAYLOAD_DEPTH_MAX: usize = 32;
/// Longest address field of an order form (recipient, phone, province, city, district,
/// detail) and longest blacklist value, in bytes.
pub const ALLOT_ADDRESS_FIELD_BYTES_MAX: usize = 1024;
/// Longest buyer id of an order form, in bytes.
pub const ALLOT_BUYER_ID_BYTES_MAX: usize = 128;
/// Largest rules file, in bytes (1 MiB).
pub const ALLOT_RULES_BYTES_MAX: usize = 1048576;
/// Most orders in one `allot_client_reserve_many()` batch.
pub const ALLOT_RESERVE_BATCH_MAX: usize = 65536;

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
        assert_eq!(ALLOT_PAYLOAD_BYTES_MAX, limits::PAYLOAD_BYTES_MAX);
        assert_eq!(ALLOT_PAYLOAD_DEPTH_MAX, limits::PAYLOAD_DEPTH_MAX);
        assert_eq!(ALLOT_ADDRESS_FIELD_BYTES_MAX, limits::ADDRESS_FIELD_BYTES_MAX);
        assert_eq!(ALLOT_BUYER_ID_BYTES_MAX, limits::BUYER_ID_BYTES_MAX);
        assert_eq!(ALLOT_RESERVE_BATCH_MAX, limits::RESERVE_BATCH_MAX);
        assert_eq!(ALLOT_RULES_BYTES_MAX, allot_core::routing::RULES_BYTES_MAX);
    }
}
