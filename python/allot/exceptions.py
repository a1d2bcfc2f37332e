"""Every exception the engine raises, one class per core error code, grouped as the core groups
its codes:

- ``InvalidInputError`` (100) and its subclasses ``LimitExceededError`` (101),
  ``UnknownSkuError`` (102), ``UnknownWarehouseError`` (103), ``UnknownOrderError`` (104),
  ``AlreadyExistsError`` (105), ``CursorExpiredError`` (106), ``InvalidRulesError`` (107): the
  caller sent something invalid.
- ``RejectedError``, the business rejections: ``InsufficientStockError`` (200),
  ``DuplicateOrderError`` (201), ``IllegalTransitionError`` (202), ``PermissionDeniedError``
  (203). The engine is fine and said no.
- ``StorageError``, storage needs an operator: ``StorageIoError`` (300), ``CorruptionError``
  (301), ``OutOfSpaceError`` (302), ``PoisonedError`` (303), ``LockedError`` (304),
  ``ClosedError`` (305), ``WrongProcessError`` (306: a forked child used its parent's engine),
  ``ReadOnlyError`` (307).
- ``InternalError`` (900): a bug in Allot.

All derive from ``AllotError``; each concrete class has ``code`` (the core's stable number) and
``name`` (its snake-case name). Messages are the core's, unchanged. Arguments of the wrong type
raise ``TypeError`` and values Rust cannot hold (negative quantities, numbers beyond 64 bits, an
unknown role or sync mode) raise ``ValueError``, before the engine is asked.
"""

from allot._allot import (
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
