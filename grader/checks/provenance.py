"""Where a notebook's answer came from: defined by the exercise, a new object (not an earlier, trained one).

Small checks for hidden tests that take the notebook's namespace (`globals()`):
`answer_in` (the exercise's variable, or a failure when the exercise did not define it) and `is_new_object`
(the task asks for a new model, not one an earlier cell made and trained). `trained_as` / `evaluated` in
`training` check the rest.
"""

from __future__ import annotations

from collections.abc import Iterable
from typing import Any, TypeAlias

from ._report import fail
from .plain import settle

Namespace: TypeAlias = dict[str, Any]  # a notebook's globals()


def answer_in(namespace: Namespace, name: str, exercise: str, hint: str | None = None) -> Any:
    """The notebook variable `name` that exercise `exercise` (e.g. '5-2') makes, as `plain.settle` reads it, or a
    Korean failure (with `hint`, else a hint to run the exercise's cell)."""
    __tracebackhide__ = True
    if name not in namespace:
        fail(f"{name}이(가) 없습니다.", f"연습 {exercise}에서 만든 {name}", "정의되지 않음",
             hint or f"연습 {exercise} 셀을 실행해 {name}에 답을 담으세요.")
    return settle(namespace[name])


def is_new_object(obj: object, namespace: Namespace, name: str, others: Iterable[str]) -> None:
    """`obj` is not the object an earlier cell put in any of the variables `others` (e.g. a trained model)."""
    __tracebackhide__ = True
    for other in others:
        if other in namespace and namespace[other] is obj:
            fail(f"{name}이(가) 앞에서 만든 {other}와 같은 모델 객체입니다.", "build_model() 등으로 새로 만든 모델",
                 other, f"{name} = build_model()처럼 새 모델을 만들어 처음부터 시작하세요.")
