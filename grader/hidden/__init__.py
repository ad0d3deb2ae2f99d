"""Hidden tests, one module per lesson, called from the hidden regions of solution test cells.

Each hidden region runs its tests inside `carry_forward`, so a mistake costs marks once: when an
exercise's test fails, the reference answer (generated into `grader.hidden.answers` by
`grader release`) runs in the notebook's namespace before the failure is reported, and later
exercises are graded on a correct state. It lives in the hidden region, so plain
`nbgrader autograde` carries errors forward too, and students never run it.
Kernel side, sealed: while grading, these modules reach the kernel only inside sealed test cells
(grader.host.sealing), never as files.
"""

from __future__ import annotations

import contextlib
import io
from collections.abc import Iterator
from typing import TYPE_CHECKING, Any, NoReturn

import keras

if TYPE_CHECKING:
    from grader.checks.provenance import Namespace

NOTE = ("→ 다음 연습들이 이 답 때문에 점수를 잃지 않도록, 이 연습의 정답 코드로 바꿔 이어서 채점했습니다 "
        "(오류 이월 방지).")


def reference_answer(exercise_id: str) -> str:
    """The reference code of an exercise, e.g. 'l05_ex2_vectorize'. (`__import__`, not importlib: while grading,
    `grader.hidden` is imported from sealed sources by the test's own `__import__`, see grader.run.kernel.)"""
    module = __import__(f"grader.hidden.answers.lesson{exercise_id[1:3]}", fromlist=["ANSWERS"])
    return module.ANSWERS[exercise_id]


def _run_answer(exercise_id: str, namespace: Namespace) -> None:
    """Run the reference code of an exercise in `namespace`, what it prints discarded."""
    with contextlib.redirect_stdout(io.StringIO()), contextlib.redirect_stderr(io.StringIO()):
        exec(compile(reference_answer(exercise_id), f"<정답 {exercise_id}>", "exec", dont_inherit=True), namespace)


class _StopAtFit(Exception):
    """Raised in place of `fit` while an untrained reference is built."""


def _stop_at_fit(*args: object, **kwargs: object) -> NoReturn:
    raise _StopAtFit


def reference(exercise_id: str, namespace: Namespace, *names: str, train: bool = True) -> Any:
    """Run the reference answer in a copy of the namespace and return its values of `names`.

    The copy is shallow: use it for answers that make new objects (a model, a function), not for
    answers that change an object the notebook already holds (e.g. `model.compile(...)` on a given model).
    `train=False` stops the answer at its first `fit`: the reference as built and compiled, without the cost
    of training it, for tests that compare structure and compile settings only.
    """
    scratch = dict(namespace)
    fit = keras.Model.fit
    if not train:
        keras.Model.fit = _stop_at_fit
    try:
        _run_answer(exercise_id, scratch)
    except _StopAtFit:
        pass
    finally:
        keras.Model.fit = fit
    values = tuple(scratch[name] for name in names)
    return values[0] if len(names) == 1 else values


def _restore(exercise_id: str, namespace: Namespace) -> str:
    """Run the reference answer in the notebook's namespace; a Korean note on what happened."""
    try:
        _run_answer(exercise_id, namespace)
    except Exception as error:  # the reference may need state that an earlier failure broke
        return (f"→ 정답 코드로 바꾸지 못했습니다 ({type(error).__name__}: {error}). "
                "다음 연습에 영향이 있을 수 있습니다.")
    return NOTE


@contextlib.contextmanager
def carry_forward(exercise_id: str, namespace: Namespace) -> Iterator[None]:
    """Run the tests of one exercise; on failure restore the reference answer, then report the failure."""
    __tracebackhide__ = True
    try:
        yield
    except Exception as error:
        note = _restore(exercise_id, namespace)
        if error.args and isinstance(error.args[0], str):
            error.args = (f"{error.args[0]}\n{note}", *error.args[1:])
        else:
            error.args = (*error.args, note)
        raise
