//! Every limit the engine enforces, with the reason it exists.
//!
//! A limit is checked where input enters the engine (the `Client` methods) and reported as
//! [`Error::LimitExceeded`](crate::Error::LimitExceeded) naming the limit, so a caller can tell
//! which one it ran into. Units are last in every name.

/// Longest SKU, warehouse or region code, in bytes. Codes come from channel and ERP systems and
/// are logged with every catalogue record; 64 bytes covers every marketplace code format seen.
pub const CODE_BYTES_MAX: usize = 64;

/// Longest category name, in bytes.
pub const CATEGORY_BYTES_MAX: usize = 64;

/// Longest order id, in bytes. Order ids are stored with every reservation and logged with every
/// reserve, commit and release record, so they are kept short.
pub const ORDER_ID_BYTES_MAX: usize = 64;

/// Longest reason text for a stock adjustment, in bytes.
pub const REASON_BYTES_MAX: usize = 256;

/// Most lines in one order. An order locks one stripe per distinct SKU, in ascending order, for
/// the whole check-and-apply; a bound keeps that critical section short.
pub const ORDER_LINES_MAX: usize = 128;

/// Largest quantity on one order line, in units.
pub const LINE_QTY_MAX: u32 = 1_000_000_000;

/// Largest number of units one stock cell may hold in any of its counters (on hand, reserved,
/// in transit, buffer). Far below `u64::MAX`, so sums over many warehouses cannot overflow.
pub const CELL_UNITS_MAX: u64 = 1_000_000_000_000_000;

/// Most SKUs in one engine. SKU ids are dense `u32`s indexing the stripes' arrays.
pub const SKUS_MAX: u32 = 50_000_000;

/// Most warehouses in one engine. A reservation considers every active warehouse for every
/// order, so this bounds the work of warehouse choice.
pub const WAREHOUSES_MAX: u16 = 1024;

/// Longest reservation lifetime, in milliseconds (400 days). Beyond that a hold is not a
/// reservation but an allocation, and an absurd TTL is more likely a unit mistake.
pub const TTL_MS_MAX: u64 = 400 * 24 * 3600 * 1000;

/// Most lines a reservation may hold once its order lines are split across warehouses (a line
/// can be filled from several). Each encodes to at most 12 bytes, which keeps every reserve
/// record far below `RECORD_BYTES_MAX`.
pub const PLACED_LINES_MAX: usize = 1024;

/// Largest encoded log record payload, in bytes. The largest record is a rules change: the
/// whole rules file (up to `RULES_BYTES_MAX`, 1 MiB) with who made it; the 64 KiB above it
/// cover that and every other record (the longest legal reserve, `PLACED_LINES_MAX` lines and
/// a 64-byte order id, encodes to about 12 KiB). A record larger than a segment's free room
/// goes into a new segment made big enough for it.
pub const RECORD_BYTES_MAX: usize = crate::routing::RULES_BYTES_MAX + 64 * 1024;

/// Smallest and largest log segment, in bytes. A segment must hold several of the largest
/// records; the upper bound keeps the mapping within what one preallocation should take.
pub const SEGMENT_BYTES_MIN: u64 = 256 * 1024;
pub const SEGMENT_BYTES_MAX: u64 = 1 << 32;

/// Number of lock stripes: a power of two between these bounds.
pub const STRIPES_MIN: usize = 1;
pub const STRIPES_MAX: usize = 1 << 20;

/// Largest region distance a custom distance may report; keeps sort keys small.
pub const REGION_DISTANCE_MAX: u32 = 1_000_000;

/// Most events one poll returns. Subscribers poll again with the last LSN as their cursor.
pub const EVENTS_BATCH_MAX: usize = 4096;

/// Most orders in one `reserve_many` batch: it bounds the replies held in memory at once and
/// how long one caller keeps others waiting for the same group commit.
pub const RESERVE_BATCH_MAX: usize = 65_536;

/// Largest marketplace order payload a channel adapter parses, in bytes (256 KiB). The largest
/// legal order (`ORDER_LINES_MAX` lines of about 1 KiB each with titles and extras) stays well
/// below it; the bound keeps the parse of a hostile or broken payload cheap.
pub const PAYLOAD_BYTES_MAX: usize = 256 * 1024;

/// Deepest nesting of arrays and objects in a marketplace payload. The deepest legal payload is
/// 3 levels (the order, its line array, a line); marketplaces add a few of their own in fields
/// the adapters ignore, and 32 is far beyond any. The JSON parser stops recursing at 128 levels
/// (so a hostile payload of 100,000 nested brackets, 200 KB within `PAYLOAD_BYTES_MAX`, costs
/// no deep recursion), and the parsed tree is then measured against this bound; either way the
/// refusal names this limit.
pub const PAYLOAD_DEPTH_MAX: usize = 32;

/// Longest address field (recipient, phone, province, city, district, detail), in bytes.
/// A street-level detail of 300 Chinese characters, longer than any real one, is 900 bytes of
/// UTF-8; addresses are kept with every order and compared by the blacklist and velocity checks.
pub const ADDRESS_FIELD_BYTES_MAX: usize = 1024;

/// Longest buyer id, in bytes. Buyer ids are keys of the blacklist and velocity checks;
/// marketplace nicknames and ids are far shorter.
pub const BUYER_ID_BYTES_MAX: usize = 128;
