"""Allot: an embedded inventory engine.

One central stock layer for every SKU in every warehouse. Reservations take every line or none
and never more than exists, under any concurrency and across any crash: every change is a record
in a memory-mapped write-ahead log before it is acknowledged.

    import allot

    with allot.Engine.open("data", sync="always") as eng:
        admin = eng.client("admin")
        admin.add_warehouse("WH-SH", region="310000", priority=1)
        admin.add_sku("SOFA-3P", category="furniture")
        admin.set_stock("SOFA-3P", "WH-SH", on_hand=100)
        orders = eng.client("orders")
        r = orders.reserve("ORD-1", [("SOFA-3P", 2)], ship_to="310000", ttl_s=1800)
        orders.commit("ORD-1")

The native module ``allot._allot`` is private; everything public is re-exported here, and the
exceptions also from ``allot.exceptions``. ``allot/_allot.pyi`` documents every call.
"""

from allot._allot import (
    CLOCKS,
    ERROR_CODES,
    LIMITS,
    ROLES,
    SYNC_MODES,
    CheckpointReport,
    Client,
    Engine,
    Event,
    Metrics,
    Recovery,
    Reservation,
    ReservedLine,
    Settled,
    Sku,
    Stock,
    TornTail,
    Warehouse,
    __version__,
)
from allot.exceptions import (
    AllotError,
    AlreadyExistsError,
    ClosedError,
    CorruptionError,
    CursorExpiredError,
    DuplicateOrderError,
    IllegalTransitionError,
    InsufficientStockError,
    InternalError,
    InvalidInputError,
    InvalidRulesError,
    LimitExceededError,
    LockedError,
    OutOfSpaceError,
    PermissionDeniedError,
    PoisonedError,
    RejectedError,
    StorageError,
    StorageIoError,
    UnknownOrderError,
    UnknownSkuError,
    UnknownWarehouseError,
)

__all__ = [
    "__version__",
    "Engine",
    "Client",
    "ReservedLine",
    "Reservation",
    "Stock",
    "Settled",
    "Warehouse",
    "Sku",
    "Event",
    "Metrics",
    "Recovery",
    "TornTail",
    "CheckpointReport",
    "ROLES",
    "SYNC_MODES",
    "CLOCKS",
    "LIMITS",
    "ERROR_CODES",
    "AllotError",
    "InvalidInputError",
    "LimitExceededError",
    "UnknownSkuError",
    "UnknownWarehouseError",
    "UnknownOrderError",
    "AlreadyExistsError",
    "CursorExpiredError",
    "InvalidRulesError",
    "RejectedError",
    "InsufficientStockError",
    "DuplicateOrderError",
    "IllegalTransitionError",
    "PermissionDeniedError",
    "StorageError",
    "StorageIoError",
    "CorruptionError",
    "OutOfSpaceError",
    "PoisonedError",
    "LockedError",
    "ClosedError",
    "InternalError",
]
