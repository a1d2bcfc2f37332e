//! The order state machine: named states and the legal moves between them.
//!
//! ```text
//!  received ──► flagged ──► in_review ──► reserved ──► released_to_warehouse ──► shipped
//!     │  └────────────────────►│  ▲           │                 │                 │
//!     │                        │  └─ (hold)   │                 │        picked_up ◄┤
//!     └──► reserved            │              │                 │            │     │
//!                              ▼              ▼                 ▼            ▼     ▼
//!                        return_requested  cancelled        cancelled    delivered / exception
//!                              │                                            │
//!                              ▼                                   return_requested ──► returned
//!                           returned
//! ```
//!
//! The table in [`OrderState::can_move_to`] is the whole rule; everything else asks it.

use serde::{Deserialize, Serialize};

#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize)]
pub enum OrderState {
    /// Taken in, not yet decided (only ever seen inside intake or after a crash mid-intake).
    Received,
    /// A check raised at least one flag; waits to be taken into review.
    Flagged,
    /// A person (risk or manual review, or a hold) must decide.
    InReview,
    /// Stock is held for it.
    Reserved,
    /// Sent to the warehouse for picking.
    ReleasedToWarehouse,
    /// Handed to a carrier (a waybill is assigned); its stock left.
    Shipped,
    /// The carrier reported pickup.
    PickedUp,
    Delivered,
    /// Cancelled before shipping; any stock held is released.
    Cancelled,
    /// The buyer asked to return it (or a return order was approved).
    ReturnRequested,
    /// The goods came back.
    Returned,
    /// The carrier reported a problem (lost, damaged, refused).
    Exception,
}

impl OrderState {
    pub const ALL: [OrderState; 12] = [
        OrderState::Received,
        OrderState::Flagged,
        OrderState::InReview,
        OrderState::Reserved,
        OrderState::ReleasedToWarehouse,
        OrderState::Shipped,
        OrderState::PickedUp,
        OrderState::Delivered,
        OrderState::Cancelled,
        OrderState::ReturnRequested,
        OrderState::Returned,
        OrderState::Exception,
    ];

    pub fn name(self) -> &'static str {
        match self {
            OrderState::Received => "received",
            OrderState::Flagged => "flagged",
            OrderState::InReview => "in_review",
            OrderState::Reserved => "reserved",
            OrderState::ReleasedToWarehouse => "released_to_warehouse",
            OrderState::Shipped => "shipped",
            OrderState::PickedUp => "picked_up",
            OrderState::Delivered => "delivered",
            OrderState::Cancelled => "cancelled",
            OrderState::ReturnRequested => "return_requested",
            OrderState::Returned => "returned",
            OrderState::Exception => "exception",
        }
    }

    pub fn parse(name: &str) -> Option<OrderState> {
        OrderState::ALL.into_iter().find(|state| state.name() == name)
    }

    /// Whether an order may move from `self` to `to`. The whole state machine.
    pub fn can_move_to(self, to: OrderState) -> bool {
        use OrderState::*;
        matches!(
            (self, to),
            (Received, Flagged | InReview | Reserved | Cancelled)
                | (Flagged, InReview | Cancelled)
                | (InReview, Reserved | ReturnRequested | Cancelled)
                | (Reserved, ReleasedToWarehouse | InReview | Cancelled)
                | (ReleasedToWarehouse, Shipped | Cancelled)
                | (Shipped, PickedUp | Delivered | Exception)
                | (PickedUp, Delivered | Exception)
                | (Exception, PickedUp | Delivered | ReturnRequested | Returned)
                | (Delivered, ReturnRequested)
                | (ReturnRequested, Returned | Delivered)
        )
    }

    /// States no order leaves.
    pub fn is_final(self) -> bool {
        matches!(self, OrderState::Cancelled | OrderState::Returned)
    }

    /// Whether stock is held for an order in this state (the reservation is still `held`).
    pub fn holds_stock(self) -> bool {
        matches!(self, OrderState::Reserved | OrderState::ReleasedToWarehouse)
    }
}

impl std::fmt::Display for OrderState {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(self.name())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn names_round_trip_and_finals_have_no_way_out() {
        for state in OrderState::ALL {
            assert_eq!(OrderState::parse(state.name()), Some(state));
            if state.is_final() {
                assert!(OrderState::ALL.iter().all(|to| !state.can_move_to(*to)), "{state}");
            }
            assert!(!state.can_move_to(state), "{state} must not move to itself");
        }
    }

    #[test]
    fn every_state_but_received_is_reachable() {
        let mut reached = vec![OrderState::Received];
        let mut frontier = vec![OrderState::Received];
        while let Some(from) = frontier.pop() {
            for to in OrderState::ALL {
                if from.can_move_to(to) && !reached.contains(&to) {
                    reached.push(to);
                    frontier.push(to);
                }
            }
        }
        assert_eq!(reached.len(), OrderState::ALL.len());
    }
}
