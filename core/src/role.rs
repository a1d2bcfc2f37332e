//! Roles, operations and the permission table that binds them.
//!
//! Every call enters through a [`Client`](crate::Client) bound to one role. The table below is
//! the whole policy: a courier integration holding a `Logistics` client cannot reach a stock or
//! reservation call, whatever it sends. Housekeeping that only the embedding process can start
//! (checkpoints, expiry sweeps, closing) lives on the `Engine` handle itself, not on clients.

use std::fmt;

/// Who a client acts for.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
#[repr(u8)]
pub enum Role {
    /// Catalogue, configuration and everything the other roles may do.
    Admin = 0,
    /// Order systems: reserve, commit, release, and read stock.
    Orders = 1,
    /// Warehouse systems: stock movements and reads.
    Warehouse = 2,
    /// Carrier integrations: the catalogue only; no stock or reservation calls at all.
    Logistics = 3,
    /// Dashboards and reports: read only.
    Viewer = 4,
}

impl Role {
    pub const ALL: [Role; 5] = [Role::Admin, Role::Orders, Role::Warehouse, Role::Logistics, Role::Viewer];

    pub fn name(self) -> &'static str {
        match self {
            Role::Admin => "admin",
            Role::Orders => "orders",
            Role::Warehouse => "warehouse",
            Role::Logistics => "logistics",
            Role::Viewer => "viewer",
        }
    }

    /// Parses a role name as the C and Python faces spell it.
    pub fn parse(name: &str) -> Option<Role> {
        Role::ALL.into_iter().find(|role| role.name() == name)
    }

    /// Whether this role may perform `operation`.
    pub fn allows(self, operation: Operation) -> bool {
        use Operation::*;
        match self {
            Role::Admin => true,
            Role::Orders => matches!(
                operation,
                Reserve
                    | Commit
                    | Release
                    | ReadStock
                    | ReadCatalogue
                    | Intake
                    | Review
                    | CancelOrder
                    | Returns
                    | ReadOrders
                    | Tasks
            ),
            Role::Warehouse => matches!(
                operation,
                SetStock
                    | Receive
                    | Adjust
                    | ExpectInbound
                    | LandInbound
                    | ReadStock
                    | ReadCatalogue
                    | ReleaseOrder
                    | Ship
                    | Returns
                    | ReadOrders
                    | Tasks
            ),
            // A courier integration ships and tracks parcels; it reaches no stock or
            // reservation call (shipping commits the order's stock as part of the order's move).
            Role::Logistics => matches!(operation, ReadCatalogue | Ship | Track | ReadOrders | Tasks),
            Role::Viewer => matches!(operation, ReadStock | ReadCatalogue | ReadOrders),
        }
    }
}

impl fmt::Display for Role {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.name())
    }
}

/// Everything a client can ask for, as the permission table sees it.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
#[repr(u8)]
pub enum Operation {
    AddWarehouse = 0,
    UpdateWarehouse = 1,
    AddSku = 2,
    SetBuffer = 3,
    SetStock = 4,
    Receive = 5,
    Adjust = 6,
    ExpectInbound = 7,
    LandInbound = 8,
    Reserve = 9,
    Commit = 10,
    Release = 11,
    ReadStock = 12,
    ReadCatalogue = 13,
    /// Take an order in from a channel.
    Intake = 14,
    /// Review decisions: start a review, approve, reject, hold.
    Review = 15,
    /// Release a reserved order to the warehouse.
    ReleaseOrder = 16,
    /// Write a waybill back: the order ships.
    Ship = 17,
    /// Report a carrier's tracking event.
    Track = 18,
    CancelOrder = 19,
    /// Request, complete or deny a return.
    Returns = 20,
    /// Read orders and tasks.
    ReadOrders = 21,
    /// Acknowledge or close a to-do task.
    Tasks = 22,
    ManageBlacklist = 23,
    ManageRules = 24,
}

impl Operation {
    pub const ALL: [Operation; 25] = [
        Operation::AddWarehouse,
        Operation::UpdateWarehouse,
        Operation::AddSku,
        Operation::SetBuffer,
        Operation::SetStock,
        Operation::Receive,
        Operation::Adjust,
        Operation::ExpectInbound,
        Operation::LandInbound,
        Operation::Reserve,
        Operation::Commit,
        Operation::Release,
        Operation::ReadStock,
        Operation::ReadCatalogue,
        Operation::Intake,
        Operation::Review,
        Operation::ReleaseOrder,
        Operation::Ship,
        Operation::Track,
        Operation::CancelOrder,
        Operation::Returns,
        Operation::ReadOrders,
        Operation::Tasks,
        Operation::ManageBlacklist,
        Operation::ManageRules,
    ];

    pub fn name(self) -> &'static str {
        match self {
            Operation::AddWarehouse => "add_warehouse",
            Operation::UpdateWarehouse => "update_warehouse",
            Operation::AddSku => "add_sku",
            Operation::SetBuffer => "set_buffer",
            Operation::SetStock => "set_stock",
            Operation::Receive => "receive",
            Operation::Adjust => "adjust",
            Operation::ExpectInbound => "expect_inbound",
            Operation::LandInbound => "land_inbound",
            Operation::Reserve => "reserve",
            Operation::Commit => "commit",
            Operation::Release => "release",
            Operation::ReadStock => "read_stock",
            Operation::ReadCatalogue => "read_catalogue",
            Operation::Intake => "intake",
            Operation::Review => "review",
            Operation::ReleaseOrder => "release_order",
            Operation::Ship => "ship",
            Operation::Track => "track",
            Operation::CancelOrder => "cancel_order",
            Operation::Returns => "returns",
            Operation::ReadOrders => "read_orders",
            Operation::Tasks => "tasks",
            Operation::ManageBlacklist => "manage_blacklist",
            Operation::ManageRules => "manage_rules",
        }
    }
}

impl fmt::Display for Operation {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.name())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn logistics_reaches_no_stock_or_reservation_call() {
        use Operation::*;
        let stock_or_reservation =
            [SetStock, Receive, Adjust, ExpectInbound, LandInbound, Reserve, Commit, Release, ReadStock, SetBuffer];
        for operation in stock_or_reservation {
            assert!(!Role::Logistics.allows(operation), "{operation}");
        }
    }

    #[test]
    fn role_names_round_trip() {
        for role in Role::ALL {
            assert_eq!(Role::parse(role.name()), Some(role));
        }
        assert_eq!(Role::parse("root"), None);
    }
}
