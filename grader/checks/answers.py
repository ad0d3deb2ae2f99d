"""Checks on values students compute or predict by hand (shapes, counts, numbers)."""

from __future__ import annotations

from typing import TypeGuard

import numpy as np

from ._report import fail, quote
from .plain import Plain, plain


def to_numpy(value: object) -> np.ndarray:
    """Any tensor, array or nested list as a float64 NumPy array (read as a plain value, see `plain`)."""
    return np.asarray(plain(value), dtype="float64")


def is_int(name: str, value: object) -> None:
    """The answer is a whole number (e.g. a predicted parameter count)."""
    __tracebackhide__ = True
    value = plain(value, name)
    if isinstance(value, bool) or not isinstance(value, (int, np.integer)):
        fail(f"{name}은(는) 정수여야 합니다.", "정수 (예: 1234)", quote(value),
             "계산식을 그대로 적어도 됩니다. 예: 784 * 32 + 32")


def is_float(name: str, value: object, example: str, hint: str) -> None:
    """The answer is one real number (a Python or NumPy float), e.g. one element of evaluate's list."""
    __tracebackhide__ = True
    value = plain(value, name)
    if isinstance(value, bool) or not isinstance(value, (float, np.floating)):
        fail(f"{name}은(는) 실수(float) 하나여야 합니다.", f"{example} 같은 실수", quote(value), hint)


def is_shape(name: str, value: object, ndim: int | None = None) -> None:
    """The answer is a shape tuple such as (None, 32), optionally with ndim entries."""
    __tracebackhide__ = True
    value = plain(value, name)
    if not (isinstance(value, tuple) and (ndim is None or len(value) == ndim) and all(
            v is None or (isinstance(v, (int, np.integer)) and not isinstance(v, bool)) for v in value)):
        example = "(None, 32)" if ndim in (None, 2) else "(None, ...)"
        fail(f"{name}은(는) 크기 튜플이어야 합니다" + (f" (원소 {ndim}개)." if ndim else "."),
             example, quote(value), "배치 축은 None으로 적습니다.")


def _real(value: Plain) -> TypeGuard[int | float | np.number]:
    return isinstance(value, (int, float, np.number)) and not isinstance(value, bool)


def equals(name: str, value: object, expected: object, hint: str) -> None:
    """The answer equals the expected value (numbers compared with a small tolerance), both read as plain values."""
    __tracebackhide__ = True
    value, expected = plain(value, name), plain(expected)
    same = np.isclose(value, expected, rtol=1e-6) if _real(value) and _real(expected) else value == expected
    if not same:
        fail(f"{name}의 값이 틀렸습니다.", repr(expected), quote(value), hint)
