"""The native half of the ``allot`` package (a thin face over the Rust crate ``allot-core``).

Import ``allot``, not this module. These stubs are the documentation of the whole surface and
are checked against the compiled module by ``python -m mypy.stubtest allot._allot``.

Conventions:

- SKUs, warehouses and regions are ``str`` codes; the engine's internal ids never appear.
- Quantities are ``int`` units; times are ``float`` seconds in arguments (``ttl_s``,
  ``seconds``) and whole milliseconds since the Unix epoch on the engine's clock in replies
  (``*_ms``). A ``bool`` is never a number: ``True`` as a quantity, count, priority, cursor,
  ``max`` or seconds is a TypeError.
- Strings reach the engine unchanged and are judged as in Rust and C: identifiers (codes, order
  ids and keys, buyer ids, actors, waybills) that are blank, padded or hold a control, format
  (zero-width, BOM, bidi) or invisible character, and free text (names, addresses, notes) with
  a control or format character, are InvalidInputError naming the field.
- Options are keyword-only.
- Every reply is a frozen value object with ``==``, ``hash()`` and a repr that reads like the
  call that builds it.
- Every engine call releases the GIL while the engine works or waits for the log, so Python
  threads calling into one engine run in parallel.
"""

import os
from collections.abc import Iterable, Mapping, Sequence
from typing import Any, ClassVar, Final, Literal, TypeAlias, final

__version__: Final[str]

_Role: TypeAlias = Literal["admin", "orders", "warehouse", "logistics", "viewer"]
_SyncMode: TypeAlias = Literal["always", "interval", "none"]
_ClockKind: TypeAlias = Literal["system", "manual"]
_State: TypeAlias = Literal["held", "committed", "released", "expired"]
_OrderLine: TypeAlias = tuple[str, int]
"""One order line: ``(sku_code, qty)``."""
_OrderEntry: TypeAlias = tuple[str, Sequence[_OrderLine]] | Mapping[str, Any]
"""One order of ``Client.reserve_many``: ``(order_id, lines)`` or a dict with ``order_id``,
``lines`` and optionally ``ship_to``, ``ttl_s``, ``allow_split``."""
_OrderState: TypeAlias = Literal[
    "received",
    "flagged",
    "in_review",
    "reserved",
    "released_to_warehouse",
    "shipped",
    "picked_up",
    "delivered",
    "cancelled",
    "return_requested",
    "returned",
    "exception",
]
_Path: TypeAlias = Literal["auto", "risk_review", "manual_review", "hold"]
_Severity: TypeAlias = Literal["low", "medium", "high", "critical"]
_Payment: TypeAlias = Literal["unpaid", "paid", "refunded"]
_TrackingKind: TypeAlias = Literal["picked_up", "in_transit", "delivered", "exception"]
_BlacklistKind: TypeAlias = Literal["buyer", "phone", "address"]
_ChannelStyle: TypeAlias = Literal["taobao", "jd", "pdd"]
_FormLineArg: TypeAlias = FormLine | tuple[str, int] | tuple[str, int, int]
"""One line of an order form: a ``FormLine``, ``(sku, qty)`` or ``(sku, qty, unit_price_minor)``."""
_AddressArg: TypeAlias = Address | Mapping[str, str]
"""A delivery address: an ``Address``, or a dict with some of its keyword names."""

__all__ = [
    "__version__",
    "Engine",
    "Client",
    "ReservedLine",
    "Stock",
    "Reservation",
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
    "AllotError",
    "RejectedError",
    "StorageError",
    "InvalidInputError",
    "LimitExceededError",
    "UnknownSkuError",
    "UnknownWarehouseError",
    "UnknownOrderError",
    "AlreadyExistsError",
    "CursorExpiredError",
    "InvalidRulesError",
    "InsufficientStockError",
    "DuplicateOrderError",
    "IllegalTransitionError",
    "PermissionDeniedError",
    "StorageIoError",
    "CorruptionError",
    "OutOfSpaceError",
    "PoisonedError",
    "LockedError",
    "ClosedError",
    "WrongProcessError",
    "ReadOnlyError",
    "InternalError",
    "ERROR_CODES",
    "_error_for_code",
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
]

ROLES: Final[list[str]]
"""The role names, in the core's order: admin, orders, warehouse, logistics, viewer."""
SYNC_MODES: Final[list[str]]
"""The sync modes ``Engine.open`` accepts: always, interval, none."""
CLOCKS: Final[list[str]]
"""The clocks ``Engine.open`` accepts: system, manual."""
LIMITS: Final[dict[str, int]]
"""The engine's named input limits (``allot_core::limits``), by name."""
ERROR_CODES: Final[list[tuple[int, str]]]
"""``(code, name)`` of every core error code, in numeric order."""
ORDER_STATES: Final[list[str]]
"""The order states, in the core's order: received, flagged, in_review, reserved,
released_to_warehouse, shipped, picked_up, delivered, cancelled, return_requested, returned,
exception."""
PATHS: Final[list[str]]
"""The paths routing sends an order on: auto, risk_review, manual_review, hold."""
FLAGS: Final[dict[str, str]]
"""Every flag the intake checks raise, by code, with its severity."""
SEVERITIES: Final[list[str]]
"""Severities, least first: low, medium, high, critical."""
PAYMENT_STATES: Final[list[str]]
"""Payment states of an order form: unpaid, paid, refunded."""
TRACKING_KINDS: Final[list[str]]
"""What a carrier reports (``Client.track``): picked_up, in_transit, delivered, exception."""
BLACKLISTS: Final[list[str]]
"""The blacklists (``Client.blacklist_add``): buyer, phone, address."""
STAGES: Final[list[str]]
"""The stages of an order with a deadline: review, release, ship, tracking, delivery."""
CHANNEL_STYLES: Final[list[str]]
"""The channel payload styles ``Client.intake_payload`` reads: taobao, jd, pdd."""

def _error_for_code(code: int) -> AllotError:
    """The exception instance the module raises for a representative core error with this code
    (for tests that walk every code through the Python face). ValueError if no such code."""

@final
class Engine:
    """An engine: one data directory (or none, in memory), its stock and its log.

    Open it with ``Engine.open(path, ...)`` or ``Engine.open_in_memory(...)``, get clients with
    ``engine.client(role)`` and close it, or use it as a context manager (which closes it).
    Share the engine and its clients between threads freely.

    Not between processes: an engine belongs to the process that opened it. A child made by
    ``fork()`` (``multiprocessing`` with the ``"fork"`` start method, the default on Linux before
    Python 3.14) inherits the object, but every call on it or its clients there raises
    WrongProcessError and changes nothing; so does ``close()`` (and leaving a ``with`` block),
    which leaves the parent's log and lock alone. Start children with the ``"spawn"`` (or
    ``"forkserver"``) method, or open an engine in a child forked before the parent opened any
    (an open engine runs a worker thread, and forking a multi-threaded process risks deadlocks
    in the child). The parent's engine is unaffected.
    """

    @staticmethod
    def open(
        path: str | os.PathLike[str],
        *,
        sync: _SyncMode | str = "always",
        sync_interval_ms: int | None = None,
        clock: _ClockKind | str = "system",
        clock_start_ms: int | None = None,
        default_ttl_s: float | None = 1800.0,
        settled_retention_s: float | None = 604800.0,
        segment_bytes: int = 67108864,
        checkpoint_every_bytes: int = 268435456,
        stripes: int = 1024,
        housekeeping: bool = True,
    ) -> Engine:
        """Opens (creating if needed) the data directory ``path``: takes its lock (LockedError if
        another engine has it), loads the newest checkpoint, replays the log after it and cuts a
        torn tail only where recovery allows it (see ``recovery``); damage anywhere else is
        CorruptionError naming the file.

        ``sync``: ``"always"`` acknowledges a change once it is on disk (group commit);
        ``"interval"`` at once, flushing every ``sync_interval_ms`` (default 100); ``"none"`` at
        once, leaving write-back to the OS. A process crash loses nothing acknowledged in any
        mode. ``clock``: ``"system"``, or ``"manual"`` (starting at ``clock_start_ms``, moved only
        by ``advance_time``). ``default_ttl_s``: the TTL of reservations made without one
        (``None``: never expire). ``settled_retention_s``: how long settled reservations are
        remembered for idempotent repeats (``None``: forever). ``segment_bytes``: the size of
        each preallocated log segment. ``checkpoint_every_bytes``: write a checkpoint after this
        many log bytes (0: only when asked). ``stripes``: lock stripes, a power of two.
        ``housekeeping``: whether the engine's worker expires reservations and fires SLA timers
        on its own with the system clock (a manual clock does both in ``advance_time``); off
        for a process that only looks. ValueError for an unknown sync mode or clock.
        """

    @staticmethod
    def open_in_memory(
        *,
        sync: _SyncMode | str = "always",
        sync_interval_ms: int | None = None,
        clock: _ClockKind | str = "system",
        clock_start_ms: int | None = None,
        default_ttl_s: float | None = 1800.0,
        settled_retention_s: float | None = 604800.0,
        stripes: int = 1024,
        housekeeping: bool = True,
    ) -> Engine:
        """An engine that keeps everything in memory and writes nothing: for tests, examples and
        simulations. The options are those of ``open``."""

    def client(self, role: _Role | str) -> Client:
        """A client acting with ``role``'s permissions: ``"admin"``, ``"orders"``,
        ``"warehouse"``, ``"logistics"`` or ``"viewer"`` (ValueError for anything else;
        WrongProcessError in a forked child)."""

    def checkpoint(self) -> CheckpointReport:
        """Writes a checkpoint now and removes the log segments it covers."""

    def expire_due(self) -> int:
        """Expires every reservation whose TTL has passed; returns how many expired."""

    def advance_time(self, *, seconds: float) -> int:
        """Moves a manual clock forward by ``seconds``, expires what came due and fires the SLA
        escalations that came due; returns how many reservations expired. InvalidInputError for
        an engine with the system clock."""

    def run_timers(self) -> int:
        """Fires the SLA escalations that came due by the engine's clock (escalation events, new
        or raised to-do tasks); returns how many fired. The worker does this on its own with the
        system clock and ``housekeeping=True``."""

    def reload_rules(self, path: str | os.PathLike[str], *, by: str) -> None:
        """Reads the rules file at ``path`` and makes it live, recording ``by`` as who changed
        it. A file with problems keeps the previous rules live: InvalidRulesError, whose
        ``errors`` lists every problem with its line and column. Only a regular file is read:
        StorageIoError when the file cannot be read or is not a regular file (a FIFO,
        ``/dev/zero``, a directory: refused at once), LimitExceededError above
        ``LIMITS["RULES_BYTES_MAX"]`` bytes (read no further than one byte past it)."""

    def watch_rules(self, path: str | os.PathLike[str], *, by: str) -> RulesWatch:
        """Watches the rules file at ``path``: every save is reloaded (recording ``by``); a save
        with problems keeps the previous rules live and ``rules_reload_error()`` says why.
        Watching stops with the returned handle's ``stop()`` (or at the end of its ``with``
        block). The file need not exist yet; its directory must."""

    def rules_reload_error(self) -> str | None:
        """Why the last automatic reload of a watched rules file failed (every problem with its
        line and column), or None."""

    def check_invariants(self) -> dict[str, int]:
        """Checks every stock and reservation invariant over the whole state; returns what it
        counted (InternalError if one does not hold)."""

    def metrics(self) -> Metrics:
        """The engine's counters now."""

    def close(self) -> None:
        """Stops the background worker, makes the log durable and releases the directory lock.
        Every later call through this engine or its clients raises ClosedError. Closing twice is
        harmless. In a forked child it raises WrongProcessError and does nothing (the engine
        stays open in its parent, and ``closed`` stays False)."""

    @property
    def closed(self) -> bool:
        """True once ``close()`` was called."""

    @property
    def recovery(self) -> Recovery:
        """What opening the data directory found and did."""

    @property
    def path(self) -> str | None:
        """The data directory, or None for an in-memory engine."""

    @property
    def sync(self) -> str:
        """The sync mode: ``"always"``, ``"interval"`` or ``"none"``."""

    @property
    def sync_interval_ms(self) -> int | None:
        """The flush interval in milliseconds for ``sync="interval"``, else None."""

    @property
    def clock(self) -> str:
        """The clock: ``"system"`` or ``"manual"``."""

    @property
    def housekeeping(self) -> bool:
        """Whether the worker expires reservations and fires SLA timers on its own."""

    @property
    def now_ms(self) -> int:
        """The engine clock's time, in milliseconds since the Unix epoch."""

    @property
    def last_lsn(self) -> int:
        """The LSN of the last record appended to the log."""

    @property
    def durable_lsn(self) -> int:
        """The LSN up to which the log is known to be on disk."""

    def __enter__(self) -> Engine: ...
    def __exit__(self, exc_type: object, exc_value: object, traceback: object) -> bool:
        """Closes the engine; exceptions propagate."""

@final
class Client:
    """A handle bound to one role (``Engine.client(role)``).

    Every call checks the role first (PermissionDeniedError, whatever was sent), then its input,
    then runs one transaction and waits for the durability the engine's sync mode promises.
    """

    @property
    def role(self) -> str:
        """The role this client acts for."""

    # Catalogue (admin) -----------------------------------------------------------------------

    def add_warehouse(self, code: str, *, region: str, priority: int, active: bool = True) -> None:
        """Adds a warehouse with its region code and priority (lower is preferred when
        distances tie); an inactive warehouse is never chosen for new reservations."""

    def update_warehouse(self, code: str, *, priority: int, active: bool) -> None:
        """Changes a warehouse's priority and whether new reservations may use it."""

    def add_sku(self, code: str, *, category: str = "") -> None:
        """Adds a SKU, with an optional category."""

    def set_buffer(
        self,
        sku: str,
        *,
        units: int | None = None,
        percent: int | None = None,
        warehouse: str | None = None,
    ) -> None:
        """Sets the safety buffer of one cell (``warehouse=``) or the SKU's default for all its
        cells: ``units=`` a fixed number of units or ``percent=`` a share of on hand (0 to 100,
        rounded up to whole units). Neither removes the rule; both is a ValueError."""

    # Stock movements (warehouse) -------------------------------------------------------------

    def set_stock(self, sku: str, warehouse: str, on_hand: int) -> Stock:
        """A stocktake: on hand becomes exactly ``on_hand`` (never below what is reserved:
        InsufficientStockError). Returns the cell's levels after it."""

    def receive(self, sku: str, warehouse: str, qty: int) -> Stock:
        """Goods received: on hand grows by ``qty``."""

    def adjust(self, sku: str, warehouse: str, delta: int, *, reason: str) -> Stock:
        """A signed correction of on hand (never below what is reserved), with its reason."""

    def expect_inbound(self, sku: str, warehouse: str, qty: int) -> Stock:
        """Goods on their way: in transit grows by ``qty`` (not sellable yet)."""

    def land_inbound(self, sku: str, warehouse: str, qty: int) -> Stock:
        """In-transit goods arrived: ``qty`` moves from in transit to on hand."""

    # Reservations (orders) -------------------------------------------------------------------

    def reserve(
        self,
        order_id: str,
        lines: Iterable[_OrderLine],
        *,
        ship_to: str | None = None,
        ttl_s: float | None = None,
        allow_split: bool = False,
    ) -> Reservation:
        """Reserves every line or none: ``lines`` is a list of ``(sku, qty)`` tuples.

        Warehouses are chosen by region (nearest to ``ship_to`` first), then priority, then
        stock; one warehouse for the whole order unless ``allow_split``. The hold expires after
        ``ttl_s`` seconds (``None``: the engine's default). Idempotent by ``order_id``: the same
        lines again return the first reservation with ``repeat=True``; other lines raise
        DuplicateOrderError. Not enough stock raises InsufficientStockError naming the SKU.
        """

    def reserve_many(self, orders: Iterable[_OrderEntry]) -> list[Reservation | AllotError]:
        """Reserves many orders, each all-or-nothing on its own, waiting for durability once for
        the whole batch.

        ``orders`` is a list of ``(order_id, lines)`` tuples or of dicts with keys ``order_id``,
        ``lines`` and optionally ``ship_to``, ``ttl_s``, ``allow_split``. Returns one result per
        order, in order: its Reservation, or the exception instance that refused it. Raises only
        for what concerns the whole batch (a denied role, a closed engine, a failed sync) or for
        malformed input (TypeError/ValueError, before anything is reserved).
        """

    def commit(self, order_id: str) -> Settled:
        """The goods left: the reservation's units leave on hand and reserved. Committing twice
        is harmless (``changed=False``); committing a released or expired order raises
        IllegalTransitionError."""

    def release(self, order_id: str) -> Settled:
        """Cancelled: the reservation's units return to available. Releasing twice, or releasing
        an expired order, is harmless (``changed=False``); releasing a committed order raises
        IllegalTransitionError."""

    # Reads -----------------------------------------------------------------------------------

    def stock(self, sku: str) -> Stock:
        """A SKU's stock over every warehouse."""

    def stock_in_region(self, sku: str, region_prefix: str) -> Stock:
        """A SKU's stock over the warehouses whose region code starts with ``region_prefix``."""

    def cell(self, sku: str, warehouse: str) -> Stock:
        """One cell: a SKU in one warehouse (zeros if it was never stocked there)."""

    def cells(self, sku: str) -> dict[str, Stock]:
        """Every cell of a SKU, by warehouse code."""

    def reservation(self, order_id: str) -> Reservation | None:
        """The reservation made under ``order_id``, or None."""

    def events(self, after: int = 0, *, max: int = 1000) -> list[Event]:
        """The state changes after LSN ``after`` (0: from the oldest still in the log), in
        order, at most ``max`` (1 to ``LIMITS["EVENTS_BATCH_MAX"]``; 0 is LimitExceededError
        saying that at least 1 is needed). Pass the last event's ``lsn`` back as ``after`` to
        continue. Only changes as durable as the sync mode promises
        are shown; CursorExpiredError if a checkpoint removed the events after ``after``."""

    def warehouses(self) -> list[Warehouse]:
        """Every warehouse of the catalogue, in the order they were added."""

    def skus(self) -> list[Sku]:
        """Every SKU of the catalogue, in the order they were added."""

    # Who acts --------------------------------------------------------------------------------

    def acting_as(self, actor: str) -> Client:
        """The same client (same role, same engine) recording ``actor`` (a person's or a
        system's name: 1 to 64 bytes, no control characters) as who made each order move, task
        change, blacklist edit and rules change, instead of the role's name."""

    @property
    def actor(self) -> str:
        """Who this client records as having made its changes (the role's name by default)."""

    # Orders (the pipeline) -------------------------------------------------------------------

    def intake(self, form: OrderForm) -> Intake:
        """Takes an order in: checks it (address, phone, blacklist, velocity, amount, payment),
        routes it by the rules file, and on the automatic path reserves its stock, all in this
        call.

        A flagged order is not an error: it is taken in (state ``"flagged"``, its flags on the
        order) and waits for a reviewer; not enough stock on the automatic path is a
        ``stock_short`` flag. The same channel order again is answered from the first intake
        (``repeat=True``) and changes nothing. UnknownSkuError for a SKU the catalogue lacks;
        InvalidInputError or LimitExceededError for a form the engine could never reach again
        (an empty channel or order id, a ``:`` in the channel, no lines, a quantity of 0, a
        field above its limit). For the admin and orders roles.
        """

    def intake_payload(
        self, style: _ChannelStyle | str, channel: str, payload: bytes | bytearray | str | Mapping[str, Any]
    ) -> Intake:
        """Takes in a channel's own order payload: ``style`` is one of ``CHANNEL_STYLES``
        (``"taobao"``, ``"jd"``, ``"pdd"``), ``channel`` the seller's code for that shop (it
        becomes the order's channel), ``payload`` the JSON as bytes, str or a dict. A missing or
        malformed field (an id or SKU that is blank, padded or holds a control, zero-width, BOM
        or bidi character, an address field with a control or format character) is an
        InvalidInputError naming it as a JSON path (``orders[2].num``). A payload nested deeper
        than ``LIMITS["PAYLOAD_DEPTH_MAX"]`` (a dict that contains itself too) is an
        InvalidInputError naming that limit, never RecursionError. Otherwise as ``intake``."""

    def order(self, key: str) -> Order | None:
        """The order under ``key`` (``channel:channel_order_id``), or None."""

    def orders_in(self, state: _OrderState | str) -> list[Order]:
        """Every order now in ``state`` (one of ``ORDER_STATES``), oldest in that state first.
        ValueError for an unknown state."""

    def start_review(self, key: str) -> None:
        """A reviewer takes a flagged order into review (``flagged`` → ``in_review``).

        Every move raises IllegalTransitionError (its message and its ``from_state`` and
        ``to_state`` name both states) when the order's state does not allow it,
        UnknownOrderError for an unknown key, PermissionDeniedError for a role that may not
        make it (review moves: admin and orders)."""

    def approve(self, key: str) -> None:
        """A reviewer approves an order in review: its stock is reserved (split across
        warehouses if no single one can serve it) and it becomes ``reserved``; a return order's
        return is accepted instead (``return_requested``). InsufficientStockError when the
        stock is not there."""

    def reject(self, key: str, note: str = "") -> None:
        """A reviewer rejects a flagged or reviewed order: it is cancelled, ``note`` saying
        why."""

    def hold(self, key: str, note: str = "") -> None:
        """Parks a reserved order in review (its stock stays held), ``note`` saying why."""

    def release_to_warehouse(self, key: str) -> None:
        """The warehouse takes a reserved order for picking (``reserved`` →
        ``released_to_warehouse``). For the admin and warehouse roles."""

    def ship(self, key: str, carrier: str, tracking_number: str) -> None:
        """Writes a waybill back to a released order: the carrier's code (``SF``, ``JD``,
        ``ZTO``, ``YTO``, ``STO``, ``YD``, ``EMS`` or another) and the number, checked against
        the carrier's format (InvalidInputError for a number the carrier never prints). Its
        stock leaves, it is ``shipped``, and the buyer is to be told; the first tracking event
        is due within the rules' ``[sla] tracking`` (4 h by default). The same waybill again is
        harmless. For the admin, warehouse and logistics roles."""

    def track(
        self, carrier: str, tracking_number: str, kind: _TrackingKind | str, detail: str = ""
    ) -> str:
        """A carrier's tracking event for a waybill: ``kind`` is one of ``TRACKING_KINDS``.
        Pickup, delivery and exception move the order when its state allows; events out of
        order are recorded and move nothing. Returns the key of the order the waybill belongs
        to (UnknownOrderError when none has it). For the admin and logistics roles."""

    def cancel(self, key: str, note: str = "") -> None:
        """Cancels an order that has not shipped, ``note`` saying why; its held stock is
        released."""

    def request_return(self, key: str, note: str = "") -> None:
        """The buyer asks to return a delivered order (``delivered`` → ``return_requested``)."""

    def complete_return(self, key: str, warehouse: str) -> None:
        """The returned goods arrived in ``warehouse`` and go back on hand there
        (``returned``)."""

    def deny_return(self, key: str, note: str = "") -> None:
        """A return request is turned down: the order is ``delivered`` again."""

    # Tasks and the blacklist -----------------------------------------------------------------

    def tasks(self) -> list[Task]:
        """Open and acknowledged to-do tasks, most severe first, then oldest."""

    def acknowledge_task(self, id: int) -> Task:
        """Someone is on it: an open task becomes ``acknowledged``. Returns the task after.
        InvalidInputError for an unknown task, IllegalTransitionError for a closed one."""

    def close_task(self, id: int) -> Task:
        """Closes an open or acknowledged task. Returns the task after."""

    def blacklist_add(self, kind: _BlacklistKind | str, value: str) -> None:
        """Adds a buyer id, phone number or address (``kind``: one of ``BLACKLISTS``) to the
        blacklist; later orders that match are flagged (critical: they always see a reviewer).
        Addresses compare without whitespace. For the admin role."""

    def blacklist_remove(self, kind: _BlacklistKind | str, value: str) -> None:
        """Removes an entry from the blacklist (removing one that is not there is harmless)."""

    # Rules -----------------------------------------------------------------------------------

    def set_rules(self, text: str) -> None:
        """Replaces the live rules file with ``text``, recording this client's actor as who
        changed it. A file with problems is refused as a whole: InvalidRulesError, whose
        ``errors`` lists every problem with its line and column; the previous rules stay live.
        For the admin role."""

    def rules(self) -> Rules:
        """The live rules, parsed."""

    def rules_text(self) -> str:
        """The live rules file's text."""

    def explain(self, key: str) -> Explanation:
        """Which rule the order under ``key`` matches under the live rules, and why each rule
        did or did not (the path may differ from the one it took at intake if the rules
        changed)."""

    def dry_run_rules(self, text: str) -> DryRun:
        """How the most recent orders (up to 10,000) would be routed by the proposed rules
        ``text``, against the live ones; nothing changes. InvalidRulesError for a file with
        problems. For the admin role."""

    # Events ----------------------------------------------------------------------------------

    def subscribe(self, after: int = 0) -> Subscription:
        """An iterator over the events after LSN ``after`` (0: from the oldest still in the
        log), whose ``cursor`` is what to store to resume after a restart:
        ``for event in client.subscribe(after=cursor)``. See ``Subscription``."""

# Values ------------------------------------------------------------------------------------------

@final
class ReservedLine:
    """One line of a reservation: ``qty`` units of SKU ``sku`` held in warehouse ``warehouse``."""

    def __new__(cls, sku: str, warehouse: str, qty: int) -> ReservedLine: ...
    @property
    def sku(self) -> str:
        """The SKU's code."""
    @property
    def warehouse(self) -> str:
        """The code of the warehouse holding the units."""
    @property
    def qty(self) -> int:
        """Units held."""
    def __eq__(self, other: object, /) -> bool: ...
    def __hash__(self) -> int: ...

@final
class Stock:
    """Stock levels of a cell, or summed over several warehouses."""

    def __new__(
        cls, on_hand: int = 0, reserved: int = 0, available: int = 0, in_transit: int = 0, buffer: int = 0
    ) -> Stock: ...
    @property
    def on_hand(self) -> int:
        """Units physically in the warehouse(s)."""
    @property
    def reserved(self) -> int:
        """Units held by reservations."""
    @property
    def available(self) -> int:
        """What a new order may take: ``on_hand - reserved - buffer``, never below zero."""
    @property
    def in_transit(self) -> int:
        """Units on their way (not sellable yet)."""
    @property
    def buffer(self) -> int:
        """The safety buffer in units, as applied to the current on-hand count."""
    def __eq__(self, other: object, /) -> bool: ...
    def __hash__(self) -> int: ...

@final
class Reservation:
    """A reservation: the stock held for an order id, where, and in what state."""

    @property
    def order_id(self) -> str:
        """The order id the stock is held for."""
    @property
    def lines(self) -> list[ReservedLine]:
        """The reserved lines (a new list each time), one per SKU and warehouse."""
    @property
    def state(self) -> _State:
        """``"held"``, ``"committed"``, ``"released"`` or ``"expired"``; only held reservations
        hold stock."""
    @property
    def expires_at(self) -> float | None:
        """When a held reservation expires, in seconds since the Unix epoch on the engine's
        clock; None if it never expires."""
    @property
    def expires_at_ms(self) -> int | None:
        """``expires_at`` in whole milliseconds."""
    @property
    def reserved_at_ms(self) -> int:
        """When it was reserved, in milliseconds since the Unix epoch on the engine's clock."""
    @property
    def lsn(self) -> int:
        """The log sequence number of the reserve record."""
    @property
    def repeat(self) -> bool:
        """True when this call found the order already reserved with the same lines and held
        nothing new (an idempotent repeat)."""
    def __eq__(self, other: object, /) -> bool: ...
    def __hash__(self) -> int: ...

@final
class Settled:
    """What a commit or release did."""

    def __new__(cls, state: str, changed: bool, lsn: int) -> Settled: ...
    @property
    def state(self) -> _State:
        """The reservation's state after the call."""
    @property
    def changed(self) -> bool:
        """False when the call found the reservation already settled and changed nothing."""
    @property
    def lsn(self) -> int:
        """The LSN of the record that settled the reservation (this call's or an earlier one's)."""
    def __eq__(self, other: object, /) -> bool: ...
    def __hash__(self) -> int: ...

@final
class Warehouse:
    """A warehouse of the catalogue."""

    def __new__(cls, code: str, region: str, priority: int, active: bool = True) -> Warehouse: ...
    @property
    def code(self) -> str:
        """The warehouse's code."""
    @property
    def region(self) -> str:
        """Its administrative region code (for example "310000")."""
    @property
    def priority(self) -> int:
        """Lower numbers are preferred when distances tie."""
    @property
    def active(self) -> bool:
        """Inactive warehouses keep their stock but are never chosen for new reservations."""
    def __eq__(self, other: object, /) -> bool: ...
    def __hash__(self) -> int: ...

@final
class Sku:
    """A SKU of the catalogue."""

    def __new__(cls, code: str, category: str = "") -> Sku: ...
    @property
    def code(self) -> str:
        """The SKU's code."""
    @property
    def category(self) -> str:
        """Its category ("" if none was given)."""
    def __eq__(self, other: object, /) -> bool: ...
    def __hash__(self) -> int: ...

@final
class Event:
    """One state change read back from the log.

    ``lsn`` is the cursor to pass back to ``Client.events(after=...)`` or
    ``Client.subscribe(after=...)``; ``kind`` names the change; the record's fields are
    attributes (None for fields other kinds have) and, only those of this kind, ``fields``.
    SKUs and warehouses appear as codes. By kind, the stock layer's:

    - ``"add_warehouse"``: warehouse, region, priority, active
    - ``"update_warehouse"``: warehouse, priority, active
    - ``"add_sku"``: sku, category
    - ``"set_buffer"``: sku, warehouse (None: the SKU's default), units, percent (None, None:
      removed)
    - ``"move"``: sku, warehouse, movement (``"set"`` with on_hand; ``"receive"``,
      ``"expect_inbound"``, ``"land_inbound"`` with qty; ``"adjust"`` with delta and reason)
    - ``"reserve"``: order_id, lines (ReservedLine list), expires_at_ms, at_ms
    - ``"settle"``: order_id, settlement (``"commit"``, ``"release"``, ``"expire"``), at_ms

    The order pipeline's (``order_id`` is the order's key; every one has ``at_ms``):

    - ``"order_received"``: order_id, from_state (``"received"``), to_state (where intake put
      it), path, rule (None: the default path), flags (Flag list)
    - ``"order_moved"``: order_id, from_state, to_state, by (who), note
    - ``"waybill"``: order_id, carrier, tracking_number
    - ``"tracking"``: order_id, tracking (what the carrier reported), detail
    - ``"escalated"``: order_id, stage, tier (from 0), severity, task
    - ``"task_opened"``: task, order_id, task_kind, stage, severity, assignee
    - ``"task_changed"``: task, task_state, severity, by
    - ``"notified"``: order_id, notification (``"shipped"``, ``"delivered"``)
    - ``"blacklist"``: blacklist, value, added, by
    - ``"rules"``: by, rules_text
    - ``"stock_alert"``: sku, available, threshold

    An order's change logged together with its stock step (held at intake or approval,
    committed on shipping, released on cancelling, restocked on a return) comes as the change's
    kind with ``stock_step`` (``"reserve"``, ``"commit"``, ``"release"``, ``"restock"``) and,
    for stock held or put back, ``lines``. Kinds newer than this module come with the
    variant's name in snake case and one field, ``record``, the core's rendering of it.
    """

    @property
    def lsn(self) -> int:
        """The record's log sequence number."""
    @property
    def kind(self) -> str:
        """What kind of change this is."""
    @property
    def fields(self) -> dict[str, Any]:
        """The fields this kind of event has, by name (a new dict each time)."""
    @property
    def warehouse(self) -> str | None:
        """The warehouse's code (add_warehouse, update_warehouse, move; set_buffer: None for the SKU's default)."""
    @property
    def region(self) -> str | None:
        """The warehouse's region code (add_warehouse)."""
    @property
    def priority(self) -> int | None:
        """The warehouse's priority (add_warehouse, update_warehouse)."""
    @property
    def active(self) -> bool | None:
        """Whether the warehouse takes new reservations (add_warehouse, update_warehouse)."""
    @property
    def sku(self) -> str | None:
        """The SKU's code (add_sku, set_buffer, move, stock_alert)."""
    @property
    def category(self) -> str | None:
        """The SKU's category (add_sku)."""
    @property
    def units(self) -> int | None:
        """The buffer in units, or None (set_buffer)."""
    @property
    def percent(self) -> int | None:
        """The buffer in percent of on hand, or None (set_buffer)."""
    @property
    def movement(self) -> str | None:
        """One of "set", "receive", "adjust", "expect_inbound" or "land_inbound" (move)."""
    @property
    def on_hand(self) -> int | None:
        """On hand after a stocktake (move "set")."""
    @property
    def qty(self) -> int | None:
        """Units moved (move "receive", "expect_inbound", "land_inbound")."""
    @property
    def delta(self) -> int | None:
        """The signed correction (move "adjust")."""
    @property
    def reason(self) -> str | None:
        """Why on hand was corrected (move "adjust")."""
    @property
    def order_id(self) -> str | None:
        """The order id (reserve, settle) or the order's key (the order pipeline's kinds)."""
    @property
    def lines(self) -> list[ReservedLine] | None:
        """The reserved lines, a list of ReservedLine (reserve; the order pipeline's kinds whose
        ``stock_step`` is "reserve" or "restock")."""
    @property
    def expires_at_ms(self) -> int | None:
        """When the reservation expires, ms since the epoch; None: never (reserve)."""
    @property
    def at_ms(self) -> int | None:
        """When the change happened on the engine's clock, ms since the epoch (reserve, settle
        and every kind of the order pipeline)."""
    @property
    def settlement(self) -> str | None:
        """One of "commit", "release" or "expire" (settle)."""
    @property
    def record(self) -> str | None:
        """The core's rendering of a kind of record newer than this module."""
    @property
    def from_state(self) -> str | None:
        """The state the order left (order_received: "received"; order_moved)."""
    @property
    def to_state(self) -> str | None:
        """The state the order entered (order_received: where intake put it; order_moved)."""
    @property
    def path(self) -> str | None:
        """The path routing chose (order_received)."""
    @property
    def rule(self) -> str | None:
        """The routing rule that chose the path, None for the default path (order_received)."""
    @property
    def flags(self) -> list[Flag] | None:
        """The flags the intake checks raised, a list of Flag (order_received)."""
    @property
    def by(self) -> str | None:
        """Who made the change: a client's actor, "sla" for escalations (order_moved,
        task_changed, blacklist, rules)."""
    @property
    def note(self) -> str | None:
        """The note given with the move (order_moved)."""
    @property
    def carrier(self) -> str | None:
        """The carrier's code (waybill)."""
    @property
    def tracking_number(self) -> str | None:
        """The waybill number (waybill)."""
    @property
    def tracking(self) -> str | None:
        """What the carrier reported: picked_up, in_transit, delivered or exception (tracking)."""
    @property
    def detail(self) -> str | None:
        """The carrier's free-text detail (tracking)."""
    @property
    def stage(self) -> str | None:
        """The stage that stalled: review, release, ship, tracking or delivery (escalated,
        task_opened)."""
    @property
    def tier(self) -> int | None:
        """The escalation tier, from 0 (escalated)."""
    @property
    def severity(self) -> str | None:
        """low, medium, high or critical (escalated, task_opened, task_changed)."""
    @property
    def task(self) -> int | None:
        """The task's id (escalated, task_opened, task_changed)."""
    @property
    def task_kind(self) -> str | None:
        """overdue_<stage> or enter_tracking (task_opened)."""
    @property
    def assignee(self) -> str | None:
        """Who is to act on the task (task_opened)."""
    @property
    def task_state(self) -> str | None:
        """open, acknowledged or closed (task_changed)."""
    @property
    def notification(self) -> str | None:
        """What the buyer is to be told: shipped or delivered (notified)."""
    @property
    def blacklist(self) -> str | None:
        """Which list: buyer, phone or address (blacklist)."""
    @property
    def value(self) -> str | None:
        """The entry added or removed (blacklist)."""
    @property
    def added(self) -> bool | None:
        """True when the entry was added, False when removed (blacklist)."""
    @property
    def rules_text(self) -> str | None:
        """The new rules file's whole text (rules)."""
    @property
    def available(self) -> int | None:
        """The SKU's available units over all warehouses (stock_alert)."""
    @property
    def stock_step(self) -> str | None:
        """What an order's change did to its stock, logged with it: "reserve" (with ``lines``),
        "commit", "release" or "restock" (with ``lines``: the goods put back on hand); None
        when the change touched no stock."""
    @property
    def threshold(self) -> int | None:
        """The rules' low-stock level it fell to or below (stock_alert)."""
    def __eq__(self, other: object, /) -> bool: ...
    def __hash__(self) -> int: ...

# The order pipeline --------------------------------------------------------------------------------

@final
class Address:
    """A delivery address in the shape of Chinese addresses: province, city, district, then the
    street-level detail. Any field may be empty: the intake checks flag an incomplete or unknown
    address (and a bad phone) rather than refuse the order."""

    def __new__(
        cls,
        *,
        recipient: str = "",
        phone: str = "",
        province: str = "",
        city: str = "",
        district: str = "",
        detail: str = "",
    ) -> Address: ...
    @property
    def recipient(self) -> str:
        """Who receives the parcel."""
    @property
    def phone(self) -> str:
        """A mainland mobile or landline number (anything else is flagged ``bad_phone``)."""
    @property
    def province(self) -> str:
        """A province-level division ("广东省", "上海市")."""
    @property
    def city(self) -> str:
        """A city-level division of the province ("深圳市")."""
    @property
    def district(self) -> str:
        """The district (optional)."""
    @property
    def detail(self) -> str:
        """The street-level rest of the address."""
    def __eq__(self, other: object, /) -> bool: ...
    def __hash__(self) -> int: ...

@final
class FormLine:
    """One line of an order form: ``qty`` units of SKU ``sku`` at ``unit_price_minor`` each, in
    the currency's minor unit (fen for CNY), never a float."""

    def __new__(cls, sku: str, qty: int, unit_price_minor: int = 0) -> FormLine: ...
    @property
    def sku(self) -> str:
        """The SKU's code."""
    @property
    def qty(self) -> int:
        """Units ordered."""
    @property
    def unit_price_minor(self) -> int:
        """Price of one unit in minor units (fen)."""
    def __eq__(self, other: object, /) -> bool: ...
    def __hash__(self) -> int: ...

@final
class OrderForm:
    """An order as Allot knows it, whatever channel it came from: the input of
    ``Client.intake``, and the ``form`` of every ``Order``. Its ``key``
    (``channel:channel_order_id``) names the order in every later call; the same channel order
    taken in twice is one order."""

    def __new__(
        cls,
        channel: str,
        channel_order_id: str,
        buyer_id: str,
        ship_to: _AddressArg,
        lines: Iterable[_FormLineArg],
        *,
        cross_border: bool = False,
        is_return: bool = False,
        payment: _Payment | str = "paid",
        placed_at_ms: int = 0,
    ) -> OrderForm: ...
    @property
    def channel(self) -> str:
        """The channel's code (``taobao``, ``jd``, ``pdd``, or any code the seller uses; no
        ``:``)."""
    @property
    def channel_order_id(self) -> str:
        """The channel's own id of the order."""
    @property
    def buyer_id(self) -> str:
        """The buyer's id on the channel."""
    @property
    def ship_to(self) -> Address:
        """Where it ships."""
    @property
    def lines(self) -> list[FormLine]:
        """Its lines (a new list each time)."""
    @property
    def cross_border(self) -> bool:
        """Shipped across a border: a person always looks at it."""
    @property
    def is_return(self) -> bool:
        """A return or exchange order: a person always looks at it."""
    @property
    def payment(self) -> _Payment:
        """``"unpaid"``, ``"paid"`` or ``"refunded"`` (anything but paid is flagged
        ``unpaid``)."""
    @property
    def placed_at_ms(self) -> int:
        """When the buyer placed it, by the channel's clock (ms since the Unix epoch; 0:
        unknown)."""
    @property
    def key(self) -> str:
        """``channel:channel_order_id``: the order's key in every later call."""
    @property
    def amount_minor(self) -> int:
        """What the order is worth, in minor units: the sum of qty × unit price."""
    def __eq__(self, other: object, /) -> bool: ...
    def __hash__(self) -> int: ...

@final
class Flag:
    """A flag raised on an order at intake: which check (``code``, one of ``FLAGS``), how
    serious (``severity``), and what exactly was wrong (``detail``)."""

    @property
    def code(self) -> str:
        """The check that raised it (``"bad_phone"``, ``"blacklisted_buyer"``, ...)."""
    @property
    def severity(self) -> _Severity:
        """``"low"``, ``"medium"``, ``"high"`` or ``"critical"``."""
    @property
    def detail(self) -> str:
        """What exactly was wrong."""
    def __eq__(self, other: object, /) -> bool: ...
    def __hash__(self) -> int: ...

@final
class Order:
    """An order in the pipeline, as a look-up or an intake found it: a snapshot."""

    @property
    def key(self) -> str:
        """``channel:channel_order_id``: the key of every call about the order, and the order id
        of its reservation."""
    @property
    def state(self) -> _OrderState:
        """Its state when the snapshot was taken (one of ``ORDER_STATES``)."""
    @property
    def path(self) -> _Path:
        """The path routing chose at intake (one of ``PATHS``)."""
    @property
    def rule(self) -> str | None:
        """The routing rule that chose the path; None when no rule matched and the default path
        applied."""
    @property
    def flags(self) -> list[Flag]:
        """The flags the intake checks raised (a new list each time)."""
    @property
    def form(self) -> OrderForm:
        """The order form as taken in."""
    @property
    def waybill(self) -> tuple[str, str] | None:
        """``(carrier, tracking_number)`` once shipped, else None."""
    @property
    def touched(self) -> bool:
        """Whether a person acted on it (zero-touch orders never are)."""
    @property
    def received_at_ms(self) -> int:
        """When it was taken in (engine clock, ms since the Unix epoch)."""
    @property
    def state_since_ms(self) -> int:
        """When it entered its current state (engine clock, ms since the Unix epoch)."""
    @property
    def last_lsn(self) -> int:
        """The LSN of its last change."""
    def __eq__(self, other: object, /) -> bool: ...
    def __hash__(self) -> int: ...

@final
class Intake:
    """What intake did with an order: the order (flagged orders are taken in too), the
    reservation when stock was held at once, why routing chose the path, and whether this
    channel order had been taken in before (``repeat``: nothing new happened)."""

    @property
    def order(self) -> Order:
        """The order, as intake left it."""
    @property
    def reservation(self) -> Reservation | None:
        """The reservation, when stock was held at intake (the automatic path); else None."""
    @property
    def reason(self) -> str:
        """Why routing chose the path, in words a business user reads."""
    @property
    def repeat(self) -> bool:
        """True when this channel order had been taken in before (nothing new happened)."""
    def __eq__(self, other: object, /) -> bool: ...
    def __hash__(self) -> int: ...

@final
class Task:
    """A to-do task: someone must look at an order whose stage stalled."""

    @property
    def id(self) -> int:
        """The task's id (for ``acknowledge_task``, ``close_task``)."""
    @property
    def order(self) -> str:
        """The key of the order it is about."""
    @property
    def kind(self) -> str:
        """``"overdue_<stage>"`` (a stage ran past its deadline) or ``"enter_tracking"`` (no
        tracking arrived after shipping)."""
    @property
    def severity(self) -> _Severity:
        """``"low"``, ``"medium"``, ``"high"`` or ``"critical"``; rises with each escalation
        tier."""
    @property
    def assignee(self) -> str:
        """The role expected to act (``orders``, ``warehouse``, ``logistics``) or
        ``supervisor`` once the severity is high."""
    @property
    def state(self) -> Literal["open", "acknowledged", "closed"]:
        """``"open"``, ``"acknowledged"`` or ``"closed"``."""
    @property
    def opened_at_ms(self) -> int:
        """When it was opened (engine clock, ms since the Unix epoch)."""
    @property
    def changed_at_ms(self) -> int:
        """When it last changed (engine clock, ms since the Unix epoch)."""
    def __eq__(self, other: object, /) -> bool: ...
    def __hash__(self) -> int: ...

# Rules -----------------------------------------------------------------------------------------

@final
class RuleProblem:
    """One problem of a refused rules file (``InvalidRulesError.errors``): where it is (1-based
    ``line`` and ``column``, columns counted in characters) and what to change. ``str()`` reads
    ``line L, column C: message``."""

    def __new__(cls, line: int, column: int, message: str) -> RuleProblem: ...
    @property
    def line(self) -> int:
        """The line, from 1."""
    @property
    def column(self) -> int:
        """The column, from 1, in characters."""
    @property
    def message(self) -> str:
        """What is wrong and what to do about it."""
    def __reduce__(self) -> tuple[type[RuleProblem], tuple[int, int, str]]:
        """Pickles by its public name (exceptions that carry problems pickle with them)."""
    def __eq__(self, other: object, /) -> bool: ...
    def __hash__(self) -> int: ...

@final
class EscalationTier:
    """One step of ``[sla.escalation]``: ``after_ms`` past a stage's deadline, an alert of
    ``severity``."""

    @property
    def name(self) -> str:
        """The tier's name in the rules file."""
    @property
    def after_ms(self) -> int:
        """How long past the stage's deadline it fires, in milliseconds."""
    @property
    def severity(self) -> _Severity:
        """``"low"``, ``"medium"``, ``"high"`` or ``"critical"``."""
    def __eq__(self, other: object, /) -> bool: ...
    def __hash__(self) -> int: ...

@final
class Route:
    """One ``[[route]]`` of the rules file: when every condition of ``when`` holds, the order
    takes ``path``."""

    @property
    def name(self) -> str:
        """The rule's name (unique in the file)."""
    @property
    def line(self) -> int:
        """The line of the rules file where the rule starts."""
    @property
    def path(self) -> _Path:
        """Where the rule sends the orders it matches."""
    @property
    def when(self) -> dict[str, Any]:
        """The conditions, by their key in the file (``channel``, ``category``,
        ``amount_fen_min``, ``amount_fen_max``, ``flags``, ``any_flag``, ``cross_border``,
        ``return``); empty: every order."""
    def __eq__(self, other: object, /) -> bool: ...
    def __hash__(self) -> int: ...

@final
class Rules:
    """The live rules file, parsed: its text, the default path, the limits, velocity and SLA
    sections, the escalation tiers and the routes."""

    @property
    def text(self) -> str:
        """The rules file's text ("" for the defaults)."""
    @property
    def fingerprint(self) -> int:
        """CRC32C of the text: which version is live."""
    @property
    def default_path(self) -> _Path:
        """Where an order goes when no route matches."""
    @property
    def limits(self) -> dict[str, int | None]:
        """``[limits]``: ``max_order_amount_fen``, ``max_lines`` (None: only the engine's
        limit), ``low_stock_units`` (None: no stock alerts)."""
    @property
    def velocity(self) -> dict[str, int]:
        """``[velocity]``: ``window_ms``, ``max_orders_per_buyer``, ``max_orders_per_phone``,
        ``max_orders_per_address``."""
    @property
    def sla(self) -> dict[str, int]:
        """``[sla]``: each stage's deadline in milliseconds, by stage name (``review``,
        ``release``, ``ship``, ``tracking``, ``delivery``)."""
    @property
    def escalation_tiers(self) -> list[EscalationTier]:
        """The escalation tiers, earliest first."""
    @property
    def routes(self) -> list[Route]:
        """The routes, in the order they are tried."""
    def __eq__(self, other: object, /) -> bool: ...
    def __hash__(self) -> int: ...

@final
class RuleCheck:
    """How one rule came out for one order."""

    @property
    def rule(self) -> str:
        """The rule's name."""
    @property
    def line(self) -> int:
        """The line of the rules file where it starts."""
    @property
    def path(self) -> _Path:
        """The path it sends orders to."""
    @property
    def matched(self) -> bool:
        """Every condition held (a rule without conditions always matches)."""
    @property
    def chosen(self) -> bool:
        """This is the rule that decided: the first that matched."""
    @property
    def held(self) -> list[str]:
        """The conditions that held, described for this order."""
    @property
    def failed(self) -> list[str]:
        """The conditions that failed, described for this order ("the amount 120.00 yuan is
        below amount_fen_min 200000 (2,000.00 yuan)")."""
    def __eq__(self, other: object, /) -> bool: ...
    def __hash__(self) -> int: ...

@final
class Explanation:
    """Which rule an order matches under the live rules, and why each rule did or did not."""

    @property
    def path(self) -> _Path:
        """Where the live rules send the order now."""
    @property
    def rule(self) -> str | None:
        """The rule that matched; None when none did and the default path applied."""
    @property
    def guard_rail(self) -> str | None:
        """Set when a guard rail replaced the rules' choice of auto (a critical flag, a return,
        a cross-border order), saying which; None otherwise."""
    @property
    def reason(self) -> str:
        """A sentence for a business user: which rule, which conditions, which guard rail."""
    @property
    def rules(self) -> list[RuleCheck]:
        """One entry per rule, in the order they are tried."""
    def __eq__(self, other: object, /) -> bool: ...
    def __hash__(self) -> int: ...

@final
class PathChange:
    """One recent order whose path proposed rules would change."""

    @property
    def index(self) -> int:
        """The order's position among the recent orders routed (0 is the oldest kept)."""
    @property
    def from_path(self) -> _Path:
        """Its path under the live rules."""
    @property
    def to_path(self) -> _Path:
        """Its path under the proposed rules."""
    @property
    def from_rule(self) -> str | None:
        """The rule that decides under the live rules (None: the default path)."""
    @property
    def to_rule(self) -> str | None:
        """The rule that would decide under the proposed rules (None: the default path)."""
    def __eq__(self, other: object, /) -> bool: ...
    def __hash__(self) -> int: ...

@final
class DryRun:
    """How the most recent orders (up to 10,000) route under the live rules and under proposed
    ones, before the change goes live."""

    @property
    def orders(self) -> int:
        """How many recent orders were routed both ways."""
    @property
    def current(self) -> dict[str, int]:
        """Orders per path under the live rules, by path name (every path present)."""
    @property
    def proposed(self) -> dict[str, int]:
        """Orders per path under the proposed rules, by path name (every path present)."""
    @property
    def changed(self) -> int:
        """Orders whose path differs between the two."""
    @property
    def examples(self) -> list[PathChange]:
        """The first few of them (at most 10), oldest first."""
    def __eq__(self, other: object, /) -> bool: ...
    def __hash__(self) -> int: ...

@final
class RulesWatch:
    """A running watch of a rules file (``Engine.watch_rules``): every save is reloaded until
    ``stop()`` is called (or the object is dropped, or the ``with`` block ends)."""

    def stop(self) -> None:
        """Stops watching; harmless when already stopped."""
    @property
    def active(self) -> bool:
        """True until ``stop()``."""
    @property
    def path(self) -> str:
        """The watched file."""
    def __enter__(self) -> RulesWatch: ...
    def __exit__(self, exc_type: object, exc_value: object, traceback: object) -> bool:
        """Stops watching; exceptions propagate."""

# Events ----------------------------------------------------------------------------------------

@final
class Subscription:
    """Events in order, from a cursor (``Client.subscribe``).

    Iterate it (``for event in subscription``) to get every event there is; the loop ends when
    it has caught up, and iterating again later continues where it stopped, like reading a
    growing file. ``cursor`` is the LSN of the last event handed out: store it (after handling
    the event) and pass it to ``Client.subscribe(after=...)`` after a restart to resume with the
    next event, none lost and none repeated. Shows only changes as durable as the engine's sync
    mode promises; CursorExpiredError if a checkpoint removed the events after the cursor.
    """

    @property
    def cursor(self) -> int:
        """The LSN of the last event handed out (or the ``after`` it started from): resume from
        here."""
    def __iter__(self) -> Subscription: ...
    def __next__(self) -> Event: ...
    def poll(self, *, max: int = 1000) -> list[Event]:
        """Up to ``max`` events (1 to 4096; 0 is LimitExceededError saying that at least 1 is
        needed) after the cursor, advancing it past them; an empty list when caught up."""

# Reports -----------------------------------------------------------------------------------------

@final
class Metrics:
    """A point-in-time view of the engine's counters."""

    @property
    def skus(self) -> int:
        """SKUs in the catalogue."""
    @property
    def warehouses(self) -> int:
        """Warehouses in the catalogue."""
    @property
    def reservations_made(self) -> int:
        """Reservations made since the engine (or its log) began."""
    @property
    def reservations_held(self) -> int:
        """Reservations holding stock now."""
    @property
    def reservations_committed(self) -> int:
        """Committed reservations still remembered."""
    @property
    def reservations_released(self) -> int:
        """Released reservations still remembered."""
    @property
    def reservations_expired(self) -> int:
        """Expired reservations still remembered."""
    @property
    def reserves_refused(self) -> int:
        """Reserve calls refused for insufficient stock (since this open)."""
    @property
    def reserve_repeats(self) -> int:
        """Reserve calls answered from an earlier reservation of the same order (since this
        open)."""
    @property
    def duplicate_orders(self) -> int:
        """Reserve calls refused because the order id was used with other lines (since this
        open)."""
    @property
    def permission_denied_total(self) -> int:
        """Denied calls over all roles and operations (since this open)."""
    @property
    def permission_denied(self) -> dict[tuple[str, str], int]:
        """Denied calls by ``(role, operation)``, only the non-zero ones (since this open)."""
    @property
    def log_last_lsn(self) -> int:
        """The last LSN appended."""
    @property
    def log_durable_lsn(self) -> int:
        """The last LSN known durable."""
    @property
    def log_records_appended(self) -> int:
        """Records appended since this open."""
    @property
    def log_bytes_appended(self) -> int:
        """Bytes appended since this open."""
    @property
    def log_flushes(self) -> int:
        """Log flushes since this open."""
    @property
    def log_segments(self) -> int:
        """Live log segments."""
    @property
    def checkpoints(self) -> int:
        """Checkpoints written since this open."""
    @property
    def orders_by_state(self) -> dict[str, int]:
        """Orders in the book by state name, only the states that have some. Finished orders
        are forgotten by the checkpoint after the settled-retention window."""
    @property
    def orders_zero_touch(self) -> int:
        """Orders that never needed a person's decision (in the book now)."""
    @property
    def open_tasks_by_severity(self) -> dict[str, int]:
        """Open and acknowledged to-do tasks by severity name, most severe first, only the
        severities that have some."""
    def prometheus_text(self) -> str:
        """The metrics in Prometheus' text exposition format (prefix ``allot_``), for a process
        that serves them at ``/metrics``."""
    def as_dict(self) -> dict[str, Any]:
        """Every counter by name, with ``permission_denied`` as a dict keyed by
        ``"role.operation"``, and ``orders_by_state`` and ``open_tasks_by_severity`` as
        dicts."""

@final
class TornTail:
    """Where recovery cut a torn log tail."""

    @property
    def path(self) -> str:
        """The segment file that was cut."""
    @property
    def offset(self) -> int:
        """Where the cut was made: the end of the last valid record."""
    @property
    def damaged_bytes(self) -> int:
        """Bytes after the cut that were not a valid record (zeroed by the repair)."""
    @property
    def discarded_records(self) -> int:
        """Valid-looking records after the cut that were never durable and were discarded."""
    @property
    def reason(self) -> str:
        """Why the first bytes after the cut were not a record."""
    def __eq__(self, other: object, /) -> bool: ...

@final
class Recovery:
    """What opening a data directory found and did."""

    @property
    def checkpoint_lsn(self) -> int:
        """The LSN of the checkpoint loaded (0: none)."""
    @property
    def shutdown(self) -> Literal["fresh", "clean", "process_crash", "machine_restart"]:
        """How the last writer stopped: "fresh", "clean", "process_crash" or "machine_restart"."""
    @property
    def durable_lsn(self) -> int:
        """The highest LSN recovery proved durable; nothing at or below it is ever cut."""
    @property
    def records_replayed(self) -> int:
        """Log records replayed after the checkpoint."""
    @property
    def torn_tail(self) -> TornTail | None:
        """Where the log was cut (opened read-only: where an open would cut it)."""
    @property
    def last_lsn(self) -> int:
        """The last LSN in the log after recovery."""
    @property
    def duration_s(self) -> float:
        """How long opening took, in seconds."""
    def __eq__(self, other: object, /) -> bool: ...

@final
class CheckpointReport:
    """What a checkpoint did."""

    @property
    def lsn(self) -> int:
        """The LSN the checkpoint stands for."""
    @property
    def path(self) -> str | None:
        """The checkpoint file (None for an in-memory engine)."""
    @property
    def bytes(self) -> int:
        """Its size in bytes."""
    @property
    def segments_removed(self) -> int:
        """Log segments it made unnecessary and removed."""
    @property
    def pause_s(self) -> float:
        """How long writers were paused while the stock was copied, in seconds."""
    @property
    def duration_s(self) -> float:
        """How long the whole checkpoint took, in seconds."""
    def __eq__(self, other: object, /) -> bool: ...

# Exceptions (re-exported by allot.exceptions) ----------------------------------------------------

class AllotError(Exception):
    """Base of every error the engine reports. ``code`` is the core's stable error number and
    ``name`` its snake-case name; the message is the core's."""

    code: ClassVar[int]
    name: ClassVar[str]

class InvalidInputError(AllotError):
    """The caller sent something invalid (code 100); the subclasses name what."""

class LimitExceededError(InvalidInputError):
    """An input exceeded a named limit (code 101); the message names the limit."""

class UnknownSkuError(InvalidInputError):
    """No SKU has this code (code 102)."""

class UnknownWarehouseError(InvalidInputError):
    """No warehouse has this code (code 103)."""

class UnknownOrderError(InvalidInputError):
    """No order, reservation or waybill in the engine has this id (code 104)."""

class AlreadyExistsError(InvalidInputError):
    """A warehouse or SKU with this code already exists (code 105)."""

class CursorExpiredError(InvalidInputError):
    """The events after this cursor were removed by a checkpoint (code 106)."""

class InvalidRulesError(InvalidInputError):
    """A rules file has problems (code 107); the message names each one's line and column, and
    ``errors`` lists them as RuleProblem objects. The previous rules stay live."""

    errors: list[RuleProblem]

class RejectedError(AllotError):
    """A business rejection (codes 2xx): the engine is fine and said no."""

class InsufficientStockError(RejectedError):
    """Not enough available stock for the order or movement (code 200)."""

class DuplicateOrderError(RejectedError):
    """The order id was already reserved with different lines (code 201)."""

class IllegalTransitionError(RejectedError):
    """The order or reservation is in a state that cannot become the one asked for (code 202);
    the message names both, and ``order``, ``from_state`` and ``to_state`` hold them."""

    order: str
    from_state: str
    to_state: str

class PermissionDeniedError(RejectedError):
    """The client's role may not make this call (code 203); nothing changed."""

class StorageError(AllotError):
    """Storage needs an operator (codes 3xx)."""

class StorageIoError(StorageError):
    """An I/O operation on the data directory failed (code 300)."""

class CorruptionError(StorageError):
    """A log segment or checkpoint is damaged in a way recovery must not skip (code 301)."""

class OutOfSpaceError(StorageError):
    """The disk is full: a log segment could not be preallocated (code 302)."""

class PoisonedError(StorageError):
    """A log sync failed; the engine refuses writes until it is reopened (code 303)."""

class LockedError(StorageError):
    """Another open engine holds the data directory (code 304)."""

class ClosedError(StorageError):
    """The engine was closed (code 305)."""

class WrongProcessError(StorageError):
    """The engine was opened by another process (code 306): this is a child made by fork()
    (multiprocessing's fork start method) and nothing changed. Open the engine in the child, or
    start children with spawn."""

class ReadOnlyError(StorageError):
    """The engine is open read-only and refuses writes (code 307)."""

class InternalError(AllotError):
    """A bug in Allot (code 900): please report it with the message."""
