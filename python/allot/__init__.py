"""Allot: an embedded inventory and order engine.

One central stock layer for every SKU in every warehouse. Reservations take every line or none
and never more than exists, under any concurrency and across any crash: every change is a record
in a memory-mapped write-ahead log before it is acknowledged. On top of it, the order pipeline:
intake from every channel (checks, flags, routing by a rules file), the order state machine
through review, shipping, tracking and returns, SLA timers that escalate into to-do tasks, and
an event stream a subscriber resumes from its cursor.

    import allot

    with allot.Engine.open("data", sync="always") as eng:
        admin = eng.client("admin")
        admin.add_warehouse("WH-SH", region="310000", priority=1)
        admin.add_sku("SOFA-3P", category="furniture")
        admin.set_stock("SOFA-3P", "WH-SH", on_hand=100)
        orders = eng.client("orders")
        r = orders.reserve("ORD-1", [("SOFA-3P", 2)], ship_to="310000", ttl_s=1800)
        orders.commit("ORD-1")

        intake = orders.intake(allot.OrderForm(
            "tmall", "1001", "buyer-7",
            allot.Address(recipient="林小雨", phone="13812345678", province="上海市",
                          city="上海市", district="徐汇区", detail="漕溪北路 88 号"),
            [("SOFA-3P", 1, 129_900)],
        ))
        intake.order.state    # "reserved": no flags, so no person needed
        for event in orders.subscribe(after=0):
            ...

The native module ``allot._allot`` is private; everything public is re-exported here, and the
exceptions also from ``allot.exceptions``. ``allot/_allot.pyi`` documents every call.
"""

from allot._allot import (
    BLACKLISTS,
    CHANNEL_STYLES,
    CLOCKS,
    ERROR_CODES,
    FLAGS,
    LIMITS,
    ORDER_STATES,
    PATHS,
    PAYMENT_STATES,
    ROLES,
    SEVERITIES,
    STAGES,
    SYNC_MODES,
    TRACKING_KINDS,
    Address,
    CheckpointReport,
    Client,
    DryRun,
    Engine,
    EscalationTier,
    Event,
    Explanation,
    Flag,
    FormLine,
    Intake,
    Metrics,
    Order,
    OrderForm,
    PathChange,
    Recovery,
    Reservation,
    ReservedLine,
    Route,
    RuleCheck,
    RuleProblem,
    Rules,
    RulesWatch,
    Settled,
    Sku,
    Stock,
    Subscription,
    Task,
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
    ReadOnlyError,
    RejectedError,
    StorageError,
    StorageIoError,
    UnknownOrderError,
    UnknownSkuError,
    UnknownWarehouseError,
    WrongProcessError,
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
    "Address",
    "FormLine",
    "OrderForm",
    "Flag",
    "Order",
    "Intake",
    "Task",
    "Rules",
    "Route",
    "EscalationTier",
    "RuleProblem",
    "Explanation",
    "RuleCheck",
    "DryRun",
    "PathChange",
    "RulesWatch",
    "Subscription",
    "ROLES",
    "SYNC_MODES",
    "CLOCKS",
    "LIMITS",
    "ORDER_STATES",
    "PATHS",
    "FLAGS",
    "SEVERITIES",
    "PAYMENT_STATES",
    "TRACKING_KINDS",
    "BLACKLISTS",
    "STAGES",
    "CHANNEL_STYLES",
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
    "WrongProcessError",
    "ReadOnlyError",
    "InternalError",
]
