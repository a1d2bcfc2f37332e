"""Every core error code reaches Python as its own exception class with the right `code` and
`name` and the core's message unchanged; the classes are grouped under AllotError as the core
groups its codes; errors the engine really raises arrive as those classes."""

from __future__ import annotations

import pickle

import pytest

import allot
import allot._allot as native
import allot.exceptions

# The class each code's snake-case name stands for ("io" is StorageIoError, not to shadow the
# built-in IOError).
CLASS_NAMES = {"io": "StorageIoError"}

GROUPS = {1: allot.InvalidInputError, 2: allot.RejectedError, 3: allot.StorageError, 9: allot.AllotError}

# The core's message for each sample error (core/src/error.rs renders them).
MESSAGES = {
    100: "invalid input: an order needs at least one line",
    101: "the number of order lines is 129, above the limit ORDER_LINES_MAX = 128",
    102: 'unknown SKU "NO-SUCH-SKU"',
    103: 'unknown warehouse "NO-SUCH-WH"',
    104: 'unknown order "ORD-0": no order, reservation or waybill in the engine has that id',
    105: 'SKU "SOFA-3P" already exists',
    106: "events after LSN 3 are gone (a checkpoint removed them); the oldest cursor still served is 10",
    107: 'the rules file has 1 problem(s): line 3, column 7: unknown key "priorty"',
    200: 'order "ORD-1": SKU "SOFA-3P" needs 5 but only 3 available',
    201: 'order "ORD-1" was already reserved with different lines',
    202: 'order "ORD-1" is released and cannot become committed',
    203: "the logistics role may not reserve",
    300: "syncing log segment data/wal-00000000000000000001.seg: permission denied",
    301: "data/wal-00000000000000000001.seg is corrupt at byte 4096: bad CRC",
    302: "out of disk space preallocating 67108864 bytes for data/wal-00000000000000000001.seg",
    303: "the engine refuses writes after a failed log sync (fdatasync failed); reopen it to recover",
    304: "data is locked by another open engine",
    305: "the engine is closed",
    306: "this engine was opened by process 4100; process 4242 (a forked child?) may not use it: "
    "open the engine in the child, or start children with spawn",
    307: "the engine at data is open read-only: it refuses writes",
    900: "internal error (a bug in Allot): no sample for error code 900",
}


def class_name(name: str) -> str:
    return CLASS_NAMES.get(name, "".join(part.capitalize() for part in name.split("_")) + "Error")


def test_every_code_has_a_message_here_in_order() -> None:
    codes = [code for code, _ in native.ERROR_CODES]
    assert len(codes) >= 21 and codes == sorted(codes)
    assert {306: "wrong_process", 307: "read_only"}.items() <= dict(native.ERROR_CODES).items()
    assert allot.ERROR_CODES == native.ERROR_CODES
    assert set(codes) == set(MESSAGES)


@pytest.mark.parametrize(("code", "name"), native.ERROR_CODES)
def test_every_code_through_the_python_face(code: int, name: str) -> None:
    error = native._error_for_code(code)
    cls = getattr(allot.exceptions, class_name(name))
    assert type(error) is cls
    assert cls is getattr(allot, cls.__name__) is getattr(native, cls.__name__)
    assert (error.code, error.name) == (code, name)
    assert (cls.code, cls.name) == (code, name)
    assert str(error) == MESSAGES[code]
    assert error.args == (MESSAGES[code],)
    assert isinstance(error, GROUPS[code // 100]) and isinstance(error, allot.AllotError)
    assert cls.__module__ == "allot.exceptions"
    assert (cls.__doc__ or "").strip()
    # Raised and caught like any exception; pickles by its public name.
    with pytest.raises(cls):
        raise error
    copy = pickle.loads(pickle.dumps(error))
    assert type(copy) is cls and str(copy) == str(error)


def test_unknown_code_is_a_value_error() -> None:
    with pytest.raises(ValueError, match="no error code 7"):
        native._error_for_code(7)


def test_the_groups() -> None:
    cls: type[allot.AllotError]
    for cls in (
        allot.LimitExceededError,
        allot.UnknownSkuError,
        allot.UnknownWarehouseError,
        allot.UnknownOrderError,
        allot.AlreadyExistsError,
        allot.CursorExpiredError,
        allot.InvalidRulesError,
    ):
        assert cls.__bases__ == (allot.InvalidInputError,)
    for cls in (
        allot.InsufficientStockError,
        allot.DuplicateOrderError,
        allot.IllegalTransitionError,
        allot.PermissionDeniedError,
    ):
        assert cls.__bases__ == (allot.RejectedError,)
    for cls in (
        allot.StorageIoError,
        allot.CorruptionError,
        allot.OutOfSpaceError,
        allot.PoisonedError,
        allot.LockedError,
        allot.ClosedError,
        allot.WrongProcessError,
        allot.ReadOnlyError,
    ):
        assert cls.__bases__ == (allot.StorageError,)
    for cls in (allot.InvalidInputError, allot.RejectedError, allot.StorageError, allot.InternalError):
        assert cls.__bases__ == (allot.AllotError,)
    assert allot.AllotError.__bases__ == (Exception,)
    # No class shadows a built-in name.
    assert not {name for name in allot.exceptions.__all__} & set(dir(__builtins__))


def test_real_errors_arrive_as_their_classes() -> None:
    with allot.Engine.open_in_memory(sync="none") as eng:
        admin = eng.client("admin")
        admin.add_warehouse("W", region="1", priority=1)
        admin.add_sku("S")
        cases: list[tuple[type[allot.AllotError], object]] = []
        for cls, call in [
            (allot.UnknownSkuError, lambda: admin.stock("T")),
            (allot.UnknownWarehouseError, lambda: admin.cell("S", "X")),
            (allot.UnknownOrderError, lambda: admin.release("O")),
            (allot.AlreadyExistsError, lambda: admin.add_sku("S")),
            (allot.LimitExceededError, lambda: admin.add_sku("S" * 65)),
            (allot.InvalidInputError, lambda: admin.add_sku("has space")),
            (allot.InsufficientStockError, lambda: admin.reserve("O", [("S", 1)])),
            (allot.PermissionDeniedError, lambda: eng.client("viewer").add_sku("V")),
        ]:
            with pytest.raises(cls) as raised:
                call()
            assert type(raised.value) is cls
            cases.append((cls, raised.value))
        admin.set_stock("S", "W", 1)
        admin.reserve("O", [("S", 1)])
        with pytest.raises(allot.DuplicateOrderError):
            admin.reserve("O", [("S", 2)])
        admin.release("O")
        with pytest.raises(allot.IllegalTransitionError):
            admin.commit("O")
        assert len(cases) == 8
    with pytest.raises(allot.ClosedError):
        admin.stock("S")
