"""Korean failure messages shared by all checks.

What a message quotes of the student's values or errors is cut to QUOTE_CHARS: a message can never carry more of
what student code produced than that (grader.host.redact bounds and redacts feedback again on the host).
"""

from __future__ import annotations

import sys
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from types import TracebackType
from typing import NoReturn

QUOTE_CHARS = 300


def quote(value: object) -> str:
    """repr of a student's value, at most QUOTE_CHARS characters."""
    try:
        text = repr(value)
    except Exception:  # a student's object whose __repr__ raises
        text = None
    return _cut(str.__str__(text) if isinstance(text, str) else f"<{type(value).__name__}>")


def _cut(text: str) -> str:
    return text if len(text) <= QUOTE_CHARS else text[:QUOTE_CHARS] + " …(잘림)"


def fail(problem: str, expected: object, found: object, hint: str) -> NoReturn:
    """Raise an AssertionError that says what was expected, what was found (cut to QUOTE_CHARS) and a hint."""
    __tracebackhide__ = True
    raise AssertionError(
        f"{problem}\n  기대한 값: {expected}\n  실제 값:   {_cut(str(found))}\n  힌트: {hint}"
    )


@contextmanager
def student_code(problem: str, expected: object, hint: str,
                 _audit: Callable[..., None] = sys.audit) -> Iterator[None]:
    """Run a block that calls student code; an error in it becomes a failure naming the error. While grading,
    the run's audit hook then puts back any library function the student's code replaced (and the test fails)."""
    __tracebackhide__ = True
    try:
        yield
    except Exception as error:  # the student's code may raise anything
        forget_tracebacks(error)
        fail(problem, expected, f"{type(error).__name__}: {_text(error)}", hint)
    finally:
        _audit("grader.checkpoint")


def forget_tracebacks(
        error: BaseException | None,
        _drop: Callable[[BaseException, TracebackType | None], BaseException] = BaseException.with_traceback,
        _cause: Callable[[BaseException], BaseException | None] = BaseException.__cause__.__get__,  # type: ignore[union-attr]
        _context: Callable[[BaseException], BaseException | None] = BaseException.__context__.__get__,  # type: ignore[union-attr]
) -> None:
    """Drop the tracebacks of an exception and of those it was raised from or during: they hold the frames of
    the checks it passed through (their local values), and the student's code may keep the exception object.
    (The exception's own class is never asked: the descriptors of BaseException are used directly.)"""
    seen: list[BaseException] = []
    while error is not None and not any(error is known for known in seen) and len(seen) < 20:
        seen.append(error)
        _drop(error, None)
        error = _cause(error) or _context(error)


def _text(error: BaseException) -> str:
    try:
        return str(error)
    except Exception:  # a student's exception whose __str__ raises
        return ""


def passed(label: str) -> None:
    """Print the line students see when every check in a cell passed."""
    print(f"✅ [{label}] 공개 검사를 모두 통과했습니다.")
