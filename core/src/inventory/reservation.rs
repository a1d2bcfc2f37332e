//! Reservations: stock held for an order id until it is committed, released or expires.

use std::fmt;

use serde::{Deserialize, Serialize};
use smallvec::SmallVec;

use crate::ids::{Lsn, SkuId, WarehouseId};

/// One line of a reservation: `qty` units of `sku` held in `warehouse`.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize)]
pub struct ReservedLine {
    pub sku: SkuId,
    pub warehouse: WarehouseId,
    pub qty: u32,
}

/// The lines of a reservation; one or two lines (most orders) need no allocation.
pub type ReservedLines = SmallVec<[ReservedLine; 2]>;

/// Where a reservation is in its life. `Held` is the only state that holds stock; the others
/// are final.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, Serialize, Deserialize)]
pub enum ReservationState {
    Held,
    Committed,
    Released,
    Expired,
}

impl ReservationState {
    pub fn name(self) -> &'static str {
        match self {
            ReservationState::Held => "held",
            ReservationState::Committed => "committed",
            ReservationState::Released => "released",
            ReservationState::Expired => "expired",
        }
    }
}

impl fmt::Display for ReservationState {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.name())
    }
}

/// A reservation as callers see it.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Reservation {
    pub lines: ReservedLines,
    pub state: ReservationState,
    /// When a held reservation expires (engine clock, ms since the epoch); `None`: never.
    pub expires_at_ms: Option<u64>,
    pub reserved_at_ms: u64,
    /// The LSN of the reserve record.
    pub lsn: Lsn,
    /// True when this call found the order already reserved with the same lines and held
    /// nothing new (an idempotent repeat).
    pub repeat: bool,
}

/// What a commit or release did.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Settled {
    /// The reservation's state after the call.
    pub state: ReservationState,
    /// False when the call found the reservation already in a final state and changed nothing.
    pub changed: bool,
    /// The LSN of the record that settled the reservation (this call's or an earlier one's).
    pub lsn: Lsn,
}

/// The order index's value. `Pending` marks an order id claimed by a reserve in progress.
#[derive(Clone, Debug)]
pub(crate) enum OrderEntry {
    Pending,
    Placed(Placed),
}

#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub(crate) struct Placed {
    pub(crate) lines: ReservedLines,
    pub(crate) state: ReservationState,
    pub(crate) expires_at_ms: Option<u64>,
    pub(crate) reserved_at_ms: u64,
    pub(crate) reserved_lsn: Lsn,
    /// The LSN of the commit, release or expiry; 0 while held.
    pub(crate) settled_lsn: Lsn,
    /// When it was committed, released or expired (engine clock); 0 while held.
    pub(crate) settled_at_ms: u64,
}

impl Placed {
    pub(crate) fn to_reservation(&self, repeat: bool) -> Reservation {
        Reservation {
            lines: self.lines.clone(),
            state: self.state,
            expires_at_ms: self.expires_at_ms,
            reserved_at_ms: self.reserved_at_ms,
            lsn: self.reserved_lsn,
            repeat,
        }
    }

    /// Whether these lines, summed per SKU, are exactly `requested` (distinct SKUs, ascending).
    pub(crate) fn has_lines(&self, requested: &[(SkuId, u32)]) -> bool {
        let mut totals: SmallVec<[(SkuId, u64); 4]> = SmallVec::new();
        for line in &self.lines {
            match totals.iter_mut().find(|(sku, _)| *sku == line.sku) {
                Some((_, total)) => *total += u64::from(line.qty),
                None => totals.push((line.sku, u64::from(line.qty))),
            }
        }
        totals.sort_unstable();
        totals.len() == requested.len()
            && totals.iter().zip(requested).all(|(&(a, qa), &(b, qb))| a == b && qa == u64::from(qb))
    }
}
