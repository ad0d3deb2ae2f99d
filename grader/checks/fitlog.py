"""Record every `fit`, `evaluate` and `predict` call in the kernel, so checks can tell how a model was trained.

`History` knows neither the batch size nor the data, and only the last `fit` of a model is visible
through it. `install()` wraps the three `keras.Model` methods once per kernel; each call is recorded with its
settings, data fingerprints (shape, sampled values, sums; never copies) and a copy of what it returned.
While grading, the records live in the run's audit hook (`grader.run.hook`), which takes them only from
`_record` running a genuine Keras method and hands out copies, so student code can neither forge nor edit
them; elsewhere (Colab) they live in a list on `sys`.
"""

from __future__ import annotations

import inspect
import sys
import weakref
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any, Literal, TypeAlias, TypeGuard, cast

import keras
import numpy as np

LOG = "_grader_fit_log"
WRAPPED = "_grader_recorded"
SAMPLES = 257  # values read at evenly spaced positions of the flattened array
ROWS = 1024  # rows (along the first axis) summed: evenly spaced, or all rows of a smaller array
CHUNK = 1 << 16  # values converted to float64 at a time


@dataclass(frozen=True)
class Fingerprint:
    """Enough of an array to tell it from a subset, a shifted slice or another data set: its shape, values at
    evenly spaced positions, and (weighted sum, sum of squares) of evenly spaced rows. Only those rows are read,
    so a Colab-sized array (IMDB's 25,000 x 10,000) costs milliseconds and no copy."""
    shape: tuple[int, ...]
    samples: tuple[float, ...]
    rows: tuple[tuple[float, float], ...]


# What `fingerprint` makes of data: a Fingerprint, the type name of what cannot be read (a tf.data.Dataset),
# None for no data, and dicts and tuples of these for a model with several inputs or outputs.
Print: TypeAlias = Fingerprint | str | None | dict[str, "Print"] | tuple["Print", ...]
# A setting as recorded: a plain immutable value (a student's own object as "<TypeName>").
Setting: TypeAlias = None | bool | int | float | str | tuple["Setting", ...]
# What evaluate returned, frozen: a number (None when it is none), or a tagged tuple for a dict or a list.
Numbers: TypeAlias = (float | None | tuple[Literal["dict"], tuple[tuple[str, "Numbers"], ...]]
                      | tuple[Literal["list"], tuple["Numbers", ...]])
Method: TypeAlias = Literal["fit", "evaluate", "predict"]


def fingerprint(data: object) -> Print:
    """Fingerprint of an array-like, or a dict/list/tuple of them (None stays None). Numpy arrays and tensors are
    read in place: no converted copy, no float64 temporary of their size."""
    if data is None:
        return None
    if isinstance(data, dict):
        return fingerprints(data)
    if isinstance(data, (list, tuple)) and data and not np.isscalar(data[0]):
        return tuple(fingerprint(value) for value in data)
    try:
        array = np.asarray(data)  # shares the memory of a numpy array or a tensor
        if array.dtype == object:  # a sparse or ragged tensor, or no array at all
            array = np.asarray(keras.ops.convert_to_numpy(data))
    except Exception:  # a tf.data.Dataset or a generator: nothing to compare
        return type(data).__name__
    if array.dtype.kind not in "biuf":
        return type(data).__name__
    index = np.linspace(0, max(array.size - 1, 0), num=min(SAMPLES, array.size)).astype(int)
    return Fingerprint(array.shape, tuple(array.flat[index].astype("float64").tolist()), _rows(array))


def fingerprints(named: dict[str, object]) -> dict[str, Print]:
    """The fingerprint of each value of a dict of data (x, y, validation_x, ...), by key."""
    return {key: fingerprint(value) for key, value in named.items()}


def _rows(array: np.ndarray) -> tuple[tuple[float, float], ...]:
    """(weighted sum, sum of squares) in float64 of up to ROWS evenly spaced rows, copied a few rows at a time.
    The weights (1 to 2 along a row) tell apart rows that hold the same values in other places (one-hot labels)."""
    table = array.reshape(1) if array.ndim == 0 else array
    count = len(table)
    width = table[0].size if count else 0
    index = np.unique(np.linspace(0, count - 1, num=min(ROWS, count)).astype(int))
    weights, step = np.linspace(1.0, 2.0, num=width), max(1, CHUNK // max(width, 1))
    found: list[tuple[float, float]] = []
    for start in range(0, len(index), step):
        rows = index[start:start + step]
        block = table[rows].reshape(len(rows), width).astype("float64")
        found += zip((block @ weights).tolist(), np.einsum("ij,ij->i", block, block).tolist())
    return tuple(found)


def _is_fingerprint(value: object) -> TypeGuard[Fingerprint]:
    # Not isinstance: guard.restore() reloads this module, so fingerprints recorded before it belong to
    # an older Fingerprint class than the one comparing them.
    return all(hasattr(value, name) for name in ("shape", "samples", "rows"))


def same_data(found: object, expected: object) -> bool:
    """Whether two fingerprints (or nested dicts/tuples of them) describe the same data."""
    if _is_fingerprint(found) and _is_fingerprint(expected):
        return (tuple(found.shape) == tuple(expected.shape)
                and np.allclose(found.samples, expected.samples, rtol=1e-5, atol=1e-6)
                and np.allclose(found.rows, expected.rows, rtol=1e-5, atol=1e-6))
    if isinstance(found, dict) and isinstance(expected, dict):
        return found.keys() == expected.keys() and all(same_data(found[k], expected[k]) for k in found)
    if isinstance(found, tuple) and isinstance(expected, tuple):
        return len(found) == len(expected) and all(map(same_data, found, expected))
    return found is None and expected is None


@dataclass
class Call:
    """One fit/evaluate/predict call: its model, settings, data and result, as recorded when it ran."""
    method: Method
    model: weakref.ref[Any]
    arguments: dict[str, Setting]  # settings other than data, as passed (None where left out)
    data: dict[str, Print]  # fingerprints: x, y, validation_x, validation_y
    iterations_before: int  # optimizer steps the model had taken before this call
    result: Any = None  # the History for fit (the object itself), a copy of evaluate's value, None for predict
    epochs_run: int = 0
    finished: bool = False
    history: dict[str, list[float]] = field(default_factory=dict)  # fit: a copy of History.history when fit returned
    params: dict[str, Any] = field(default_factory=dict)  # fit: a copy of History.params


# A Call as the audit hook keeps it, nothing in it mutable: (number, method, model, arguments, data,
# iterations_before, result, epochs_run, finished, history, params).
Record: TypeAlias = tuple[int | None, Method, "weakref.ref[Any]", tuple[tuple[str, Setting], ...],
                          tuple[tuple[str, Print], ...], int, Any, int, bool,
                          tuple[tuple[str, tuple[float, ...]], ...], tuple[tuple[str, Setting], ...]]


def calls(model: object = None, method: Method | None = None,
          _audit: Callable[..., None] = sys.audit) -> list[Call]:
    """Recorded calls, oldest first, optionally only of `model` and of `method`. While grading, the records come
    from the run's audit hook (grader.run.hook), which keeps them out of reach of student code."""
    records: list[Record] = []
    hooked: list[bool] = []
    _audit("grader.fits", records, hooked)
    found = [_call(record) for record in records] if hooked else getattr(sys, LOG, [])
    return [call for call in found
            if (model is None or call.model() is model) and (method is None or call.method == method)]


def recorded_fit(history: object, name: str = "history") -> Call:
    """The recorded fit call that returned `history` (its `history` and `params` as they were when fit returned,
    whatever was edited since), or a Korean failure when no recorded fit returned it."""
    __tracebackhide__ = True
    for call in calls(method="fit"):
        if call.result is history and call.finished:
            return call
    from ._report import fail

    fail(f"{name}이(가) 기록된 fit이 돌려준 History가 아닙니다.", f"{name} = model.fit(...)",
         type(history).__name__, "fit이 돌려준 History 객체를 그대로 담으세요.")


def _iterations(model: keras.Model) -> int:
    optimizer: Any = getattr(model, "optimizer", None)
    try:
        return int(keras.ops.convert_to_numpy(optimizer.iterations))
    except Exception:  # not compiled yet
        return 0


def _validation(arguments: dict[str, Any]) -> tuple[Print, Print]:
    data = arguments.pop("validation_data", None)
    if data is None:
        return None, None
    if isinstance(data, (list, tuple)) and len(data) >= 2:
        return fingerprint(data[0]), fingerprint(data[1])
    return fingerprint(data), None


def _setting(value: Any) -> Setting:
    """A setting as an immutable plain value (a student's own object is kept by its type name only; exact types
    only, so nothing of a student's subclass runs)."""
    if value is None or type(value) in (bool, int, float, str):
        return value
    if type(value) in (list, tuple):
        return tuple(_setting(item) for item in value)
    if type(value) is dict:
        return tuple((_setting(k), _setting(v)) for k, v in value.items())
    return f"<{type(value).__name__}>"


def _numbers(value: object) -> Numbers:
    """evaluate's result (a number, a list, a dict) as an immutable copy of plain floats."""
    if isinstance(value, dict):
        return ("dict", tuple((str(k), _numbers(v)) for k, v in value.items()))
    if isinstance(value, (list, tuple)):
        return ("list", tuple(_numbers(v) for v in value))
    try:
        return float(keras.ops.convert_to_numpy(value))
    except Exception:  # not a number
        return None


def _series(values: object) -> tuple[float, ...]:
    """A History series (per-epoch numbers) as a tuple of floats."""
    if not isinstance(values, (list, tuple)):
        return ()
    return cast("tuple[float, ...]", tuple(_numbers(value) for value in values))


def _thawed(value: Numbers) -> Any:
    if isinstance(value, tuple) and value and value[0] == "dict":
        return {k: _thawed(v) for k, v in value[1]}
    if isinstance(value, tuple) and value and value[0] == "list":
        return [_thawed(v) for v in value[1]]
    return value


def _frozen(number: int | None, call: Call) -> Record:
    """The record of a call as nested tuples: what the audit hook keeps (nothing in it can be changed later)."""
    history = getattr(call.result, "history", None) if call.method == "fit" else None
    params = getattr(call.result, "params", None) if call.method == "fit" else None
    result = call.result if call.method == "fit" else _numbers(call.result) if call.method == "evaluate" else None
    return (number, call.method, call.model, tuple(call.arguments.items()), tuple(call.data.items()),
            call.iterations_before, result, call.epochs_run, call.finished,
            tuple((str(k), _series(v)) for k, v in (history or {}).items()),
            cast("tuple[tuple[str, Setting], ...]", _setting(params or {})))  # History.params: a dict


def _call(record: Record) -> Call:
    """A Call rebuilt from a record of the audit hook (fresh dicts and lists: editing them changes nothing)."""
    (_, method, model, arguments, data, iterations, result, epochs, finished, history, params) = record
    return Call(method, model, dict(arguments), dict(data), iterations,
                _thawed(result) if method == "evaluate" else result, epochs, finished,
                {key: list(values) for key, values in history}, dict(params))


def _record(method: Method, original: Callable[..., Any], signature: inspect.Signature, model: keras.Model,
            args: tuple[Any, ...], kwargs: dict[str, Any], _audit: Callable[..., None] = sys.audit) -> Any:
    """Run `original` and log the call (the body of every wrapped method). While grading, the audit hook takes
    the record only from this code running one of the ORIGINALS; elsewhere (Colab) the log lives on `sys`."""
    try:
        bound = signature.bind(model, *args, **kwargs)
    except TypeError:  # let Keras report the student's wrong arguments itself
        return original(model, *args, **kwargs)
    arguments = {k: v for k, v in bound.arguments.items() if k not in ("self", "kwargs")}
    arguments.update(bound.arguments.get("kwargs", {}))
    data = {"x": fingerprint(arguments.pop("x", None)), "y": fingerprint(arguments.pop("y", None))}
    data["validation_x"], data["validation_y"] = _validation(arguments)
    arguments = {k: _setting(v) for k, v in arguments.items() if k not in ("callbacks", "sample_weight")}
    call = Call(method, weakref.ref(model), arguments, data, _iterations(model))
    number: list[int] = []
    _audit("grader.fit", _frozen(None, call), number)
    if not number:
        log = getattr(sys, LOG, None)
        if log is None:
            log = []
            setattr(sys, LOG, log)
        log.append(call)
    result = original(model, *args, **kwargs)
    call.result, call.finished = result, True
    if method == "fit":
        call.epochs_run = len(getattr(result, "epoch", []))
        call.history = {k: list(v) for k, v in getattr(result, "history", {}).items()}
        call.params = dict(getattr(result, "params", {}))
    if number:
        _audit("grader.fit", _frozen(number[0], call), [])
    return result


def _wrap(method: Method, original: Callable[..., Any]) -> Callable[..., Any]:
    signature = inspect.signature(original)

    def recorded(self: keras.Model, *args: Any, **kwargs: Any) -> Any:
        return _record(method, original, signature, self, args, kwargs)

    recorded.__name__ = original.__name__
    recorded.__doc__ = original.__doc__
    recorded.__wrapped__ = original  # type: ignore[attr-defined]
    setattr(recorded, WRAPPED, True)
    return recorded


ORIGINALS: dict[str, Callable[..., Any]] = {}  # method name -> the Keras method as it was before install() wrapped it


def install() -> None:
    """Wrap keras.Model.fit/evaluate/predict once per kernel (importing grader.checks calls this)."""
    for method in ("fit", "evaluate", "predict"):
        current = getattr(keras.Model, method)
        if not getattr(current, WRAPPED, False):
            ORIGINALS[method] = current
            setattr(keras.Model, method, _wrap(method, current))
