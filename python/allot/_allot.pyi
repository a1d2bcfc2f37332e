"""The native half of the ``allot`` package (a thin face over the Rust crate ``allot-core``).

Import ``allot``, not this module. These stubs are the documentation of the whole surface and
are checked against the compiled module by ``python -m mypy.stubtest allot._allot``.

Conventions:

- SKUs, warehouses and regions are ``str`` codes; the engine's internal ids never appear.
- Quantities are ``int`` units; times are ``float`` seconds in arguments (``ttl_s``,
  ``seconds``) and whole milliseconds since the Unix epoch on the engine's clock in replies
  (``*_ms``).
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
    "InternalError",
    "ERROR_CODES",
    "_error_for_code",
    "ROLES",
    "SYNC_MODES",
    "CLOCKS",
    "LIMITS",
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

def _error_for_code(code: int) -> AllotError:
    """The exception instance the module raises for a representative core error with this code
    (for tests that walk every code through the Python face). ValueError if no such code."""

@final
class Engine:
    """An engine: one data directory (or none, in memory), its stock and its log.

    Open it with ``Engine.open(path, ...)`` or ``Engine.open_in_memory(...)``, get clients with
    ``engine.client(role)`` and close it, or use it as a context manager (which closes it).
    Share the engine and its clients between threads freely.
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
    ) -> Engine:
        """Opens (creating if needed) the data directory ``path``: takes its lock (LockedError if
        another engine has it), loads the newest checkpoint, replays the log after it and cuts a
        torn tail (see ``recovery``).

        ``sync``: ``"always"`` acknowledges a change once it is on disk (group commit);
        ``"interval"`` at once, flushing every ``sync_interval_ms`` (default 100); ``"none"`` at
        once, leaving write-back to the OS. A process crash loses nothing acknowledged in any
        mode. ``clock``: ``"system"``, or ``"manual"`` (starting at ``clock_start_ms``, moved only
        by ``advance_time``). ``default_ttl_s``: the TTL of reservations made without one
        (``None``: never expire). ``settled_retention_s``: how long settled reservations are
        remembered for idempotent repeats (``None``: forever). ``segment_bytes``: the size of
        each preallocated log segment. ``checkpoint_every_bytes``: write a checkpoint after this
        many log bytes (0: only when asked). ``stripes``: lock stripes, a power of two.
        ValueError for an unknown sync mode or clock.
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
    ) -> Engine:
        """An engine that keeps everything in memory and writes nothing: for tests, examples and
        simulations. The options are those of ``open``."""

    def client(self, role: _Role | str) -> Client:
        """A client acting with ``role``'s permissions: ``"admin"``, ``"orders"``,
        ``"warehouse"``, ``"logistics"`` or ``"viewer"`` (ValueError for anything else)."""

    def checkpoint(self) -> CheckpointReport:
        """Writes a checkpoint now and removes the log segments it covers."""

    def expire_due(self) -> int:
        """Expires every reservation whose TTL has passed; returns how many expired."""

    def advance_time(self, *, seconds: float) -> int:
        """Moves a manual clock forward by ``seconds`` and expires what came due; returns how
        many expired. InvalidInputError for an engine with the system clock."""

    def check_invariants(self) -> dict[str, int]:
        """Checks every stock and reservation invariant over the whole state; returns what it
        counted (InternalError if one does not hold)."""

    def metrics(self) -> Metrics:
        """The engine's counters now."""

    def close(self) -> None:
        """Stops the background worker, makes the log durable and releases the directory lock.
        Every later call through this engine or its clients raises ClosedError. Closing twice is
        harmless."""

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
        order, at most ``max`` (up to ``LIMITS["EVENTS_BATCH_MAX"]``). Pass the last event's
        ``lsn`` back as ``after`` to continue. Only changes as durable as the sync mode promises
        are shown; CursorExpiredError if a checkpoint removed the events after ``after``."""

    def warehouses(self) -> list[Warehouse]:
        """Every warehouse of the catalogue, in the order they were added."""

    def skus(self) -> list[Sku]:
        """Every SKU of the catalogue, in the order they were added."""

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

    ``lsn`` is the cursor to pass back to ``Client.events(after=...)``; ``kind`` names the
    change; the record's fields are attributes (None for fields other kinds have) and, only
    those of this kind, ``fields``. SKUs and warehouses appear as codes. By kind:

    - ``"add_warehouse"``: warehouse, region, priority, active
    - ``"update_warehouse"``: warehouse, priority, active
    - ``"add_sku"``: sku, category
    - ``"set_buffer"``: sku, warehouse (None: the SKU's default), units, percent (None, None:
      removed)
    - ``"move"``: sku, warehouse, movement (``"set"`` with on_hand; ``"receive"``,
      ``"expect_inbound"``, ``"land_inbound"`` with qty; ``"adjust"`` with delta and reason)
    - ``"reserve"``: order_id, lines (ReservedLine list), expires_at_ms, at_ms
    - ``"settle"``: order_id, settlement (``"commit"``, ``"release"``, ``"expire"``), at_ms

    Kinds added to the core after this module (the order pipeline's) come with the variant's
    name in snake case and one field, ``record``, the core's rendering of it.
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
        """The SKU's code (add_sku, set_buffer, move)."""
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
        """The order id (reserve, settle)."""
    @property
    def lines(self) -> list[ReservedLine] | None:
        """The reserved lines, a list of ReservedLine (reserve)."""
    @property
    def expires_at_ms(self) -> int | None:
        """When the reservation expires, ms since the epoch; None: never (reserve)."""
    @property
    def at_ms(self) -> int | None:
        """When the change happened on the engine's clock, ms since the epoch (reserve, settle)."""
    @property
    def settlement(self) -> str | None:
        """One of "commit", "release" or "expire" (settle)."""
    @property
    def record(self) -> str | None:
        """The core's rendering of a kind of record newer than this module."""
    def __eq__(self, other: object, /) -> bool: ...
    def __hash__(self) -> int: ...

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
    def as_dict(self) -> dict[str, Any]:
        """Every counter by name, with ``permission_denied`` as a dict keyed by
        ``"role.operation"``."""

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
    def damaged_checkpoints(self) -> list[str]:
        """Checkpoint files that failed verification and were passed over for an older one."""
    @property
    def records_replayed(self) -> int:
        """Log records replayed after the checkpoint."""
    @property
    def torn_tail(self) -> TornTail | None:
        """Where the log was cut, if its tail was torn."""
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
    """No reservation was ever made under this order id, or it was refused (code 104)."""

class AlreadyExistsError(InvalidInputError):
    """A warehouse or SKU with this code already exists (code 105)."""

class CursorExpiredError(InvalidInputError):
    """The events after this cursor were removed by a checkpoint (code 106)."""

class InvalidRulesError(InvalidInputError):
    """A rules file has problems (code 107); the message names each one's line and column."""

class RejectedError(AllotError):
    """A business rejection (codes 2xx): the engine is fine and said no."""

class InsufficientStockError(RejectedError):
    """Not enough available stock for the order or movement (code 200)."""

class DuplicateOrderError(RejectedError):
    """The order id was already reserved with different lines (code 201)."""

class IllegalTransitionError(RejectedError):
    """The reservation is in a final state that cannot become the one asked for (code 202)."""

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

class InternalError(AllotError):
    """A bug in Allot (code 900): please report it with the message."""
