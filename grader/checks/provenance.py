"""Where a notebook's answer came from: defined by the exercise, a new object, a number evaluate returned.

Small checks for hidden tests that take the notebook's namespace (`globals()`):
`defined` (the exercise made the variable), `new_object` (the task asks for a new model, not one an
earlier cell made and trained) and `returned_by_evaluate` (the task says "evaluate로 평가한 값":
the value is one of the numbers a recorded `evaluate` call on that data returned, not rounded,
typed in or computed another way). `trained_as` / `evaluated` in `training` check the rest.
"""

import numpy as np

from . import fitlog
from ._report import fail
from .answers import to_numpy


def defined(namespace, name, exercise):
    """The notebook variable `name` (made by exercise `exercise`, e.g. '5-2'), or a Korean failure."""
    __tracebackhide__ = True
    if name not in namespace:
        fail(f"{name}이(가) 없습니다.", f"연습 {exercise}에서 만든 {name}", "정의되지 않음",
             f"연습 {exercise} 셀을 실행해 {name}에 답을 담으세요.")
    return namespace[name]


def new_object(obj, namespace, name, others):
    """`obj` is not the object an earlier cell put in any of the variables `others` (e.g. a trained model)."""
    __tracebackhide__ = True
    for other in others:
        if other in namespace and namespace[other] is obj:
            fail(f"{name}이(가) 앞에서 만든 {other}와 같은 모델 객체입니다.", "build_model() 등으로 새로 만든 모델",
                 other, f"{name} = build_model()처럼 새 모델을 만들어 처음부터 시작하세요.")


def returned_by_evaluate(value, model, x, name, data_name):
    """`model.evaluate` was called on `x` and `value` is exactly one of the numbers it returned."""
    __tracebackhide__ = True
    calls = [call for call in fitlog.calls(model, "evaluate")
             if call.finished and fitlog.same_data(call.data["x"], fitlog.fingerprint(x))]
    if not calls:
        fail(f"{name}을(를) 구한 evaluate 호출이 없습니다.", f"{data_name}로 evaluate를 호출해 받은 값",
             "evaluate 기록 없음", "값을 직접 적거나 따로 계산하지 말고 문제에 적힌 대로 evaluate를 호출하세요.")
    found = to_numpy(value)
    results = [to_numpy(list(call.result.values()) if isinstance(call.result, dict) else call.result).ravel()
               for call in calls]
    if not any(np.any(np.isclose(found, result, rtol=1e-6, atol=0)) for result in results):
        fail(f"{name}이(가) evaluate가 돌려준 값과 정확히 같지 않습니다.", f"{data_name}로 evaluate한 값 그대로",
             float(found), "값을 반올림하거나 직접 적지 말고 evaluate가 돌려준 리스트의 원소를 담으세요.")
