"""Student values as plain values before any check compares them.

A value made by a student's code may be an object whose `==`, `__array__`, `__float__` or `__iter__` lie: a
`tuple` subclass equal to everything, an `int` whose `__index__` changes. `plain` returns a fresh value of an
exact built-in type (None, bool, int, float, complex, str, tuple, list, dict, a NumPy scalar or a NumPy array
of numbers or booleans), read through the built-in types' own methods, so nothing of the student's class runs;
tensors become NumPy arrays through Keras, and TensorFlow's own TensorShape (what `np.shape` gives for a TensorFlow
tensor) a tuple. Anything else fails with a Korean message that names its type.
"""

from __future__ import annotations

import sys
from collections.abc import Callable
from typing import TYPE_CHECKING, Any, Protocol, TypeAlias, TypeGuard, cast

import keras
import numpy as np

from ._report import fail

# What `plain` returns: built-in values, NumPy scalars and arrays, nested in tuples, lists and dicts.
Plain: TypeAlias = (None | bool | int | float | complex | str | np.generic | np.ndarray | tuple["Plain", ...]
                    | list["Plain"] | dict["Plain", "Plain"])

if TYPE_CHECKING:
    class _TensorShape(Protocol):
        rank: int | None

        def as_list(self) -> list[int | None]: ...

_EXACT: dict[type, Callable[[Any], Plain]] = {
    bool: bool, type(None): lambda value: None, int: int.__int__, float: float.__float__,
    complex: complex.__complex__, str: str.__str__}
_NUMERIC_KINDS = "biufc"


def _tensor(value: object) -> bool:
    """Whether `value` is one of Keras's or TensorFlow's own tensor or variable types (not a subclass of one)."""
    module = type(value).__module__ or ""
    return module.startswith(("tensorflow.", "keras.", "jax", "torch")) and hasattr(value, "shape")


def _tensor_shape(value: Any) -> TypeGuard[_TensorShape]:
    """Whether `value` is exactly TensorFlow's TensorShape class (when TensorFlow is loaded), with a known rank."""
    shape_class = getattr(sys.modules.get("tensorflow"), "TensorShape", None)
    return shape_class is not None and type(value) is shape_class and value.rank is not None


def _array(value: np.ndarray, name: str) -> np.ndarray:
    if value.dtype.kind not in _NUMERIC_KINDS:
        fail(f"{name}의 원소가 숫자가 아닙니다.", "숫자 배열", f"dtype={value.dtype}",
             "숫자로 된 넘파이 배열이나 텐서를 담으세요.")
    return np.ndarray.copy(np.ndarray.view(value, np.ndarray))


def plain(value: object, name: str = "값") -> Plain:
    """`value` rebuilt from exact built-in types (see the module docstring); `name` is used in messages."""
    __tracebackhide__ = True
    for kind, convert in _EXACT.items():
        if isinstance(value, kind) and (type(value) is kind or kind is not bool):
            return convert(value)
    if isinstance(value, tuple):
        return tuple(plain(item, name) for item in tuple.__iter__(value))
    if isinstance(value, list):
        return [plain(item, name) for item in list.__iter__(value)]
    if isinstance(value, dict):
        return {plain(key, name): plain(item, name) for key, item in dict.items(value)}
    if isinstance(value, np.ndarray):
        return _array(value, name)
    if type(value) in np.sctypeDict.values():
        return cast(np.generic, value)
    if _tensor(value):
        return _array(np.asarray(keras.ops.convert_to_numpy(value)), name)
    if _tensor_shape(value):
        return tuple(plain(size, name) for size in value.as_list())
    fail(f"{name}의 형식을 검사할 수 없습니다.", "숫자, 문자열, 튜플, 리스트, 딕셔너리, 넘파이 배열 또는 텐서",
         f"{type(value).__module__}.{type(value).__qualname__}",
         "직접 만든 클래스의 객체 대신 파이썬 기본 값이나 넘파이 배열을 담으세요.")


def settle(value: object) -> Any:
    """A notebook value as checks should see it: numbers, strings, containers and arrays as `plain` values
    (a lying subclass becomes the built-in value it wraps); models, functions and other objects unchanged."""
    __tracebackhide__ = True
    if isinstance(value, (int, float, complex, str, tuple, list, dict, np.ndarray, np.generic)):
        return plain(value)
    return value
