"""Hidden tests for lesson 03 (손실 함수와 옵티마이저).

Each test compares with the reference: student functions are re-run on inputs they have not seen
and compared with Keras (float32) and with the task's formula in float64 (both follow the text);
hand-written gradient descent is compared step by step with the reference run from the same start;
optimizers are compared with the reference objects, every hyperparameter included.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from typing import Any

import keras
import numpy as np

from grader import checks
from grader.checks import loss_name
from grader.checks.plain import settle
from grader.checks.provenance import Namespace
from grader.hidden import reference

_KEYS = ["binary", "multiclass_integer", "multiclass_onehot", "regression"]
_CHOICES = {
    "binary": ({"binary_crossentropy"}, "sigmoid 출력 하나와 0/1 레이블에는 binary_crossentropy를 씁니다."),
    "multiclass_onehot": ({"categorical_crossentropy"},
                          "원-핫 레이블의 다중 분류에는 categorical_crossentropy를 씁니다."),
    "multiclass_integer": ({"sparse_categorical_crossentropy"},
                           "정수 레이블에는 sparse_categorical_crossentropy를 씁니다 (레이블 형식만 다릅니다)."),
    "regression": ({"mean_squared_error", "mean_absolute_error"}, "회귀에는 mse(또는 mae)를 씁니다."),
}
EPSILON = 1e-7


def _floats(*arrays: object) -> list[np.ndarray]:
    return [np.asarray(a, dtype="float32") for a in arrays]


def ex1_choose(task_losses: object) -> None:
    """Exactly the four task keys; each maps to the standard loss (aliases such as 'mse' accepted)."""
    __tracebackhide__ = True
    task_losses = settle(task_losses)
    if not isinstance(task_losses, dict):
        checks.fail("task_losses는 딕셔너리여야 합니다.", "{'binary': '...', ...}", type(task_losses).__name__,
                    "중괄호 {}로 문제 종류(키)와 손실 함수 이름(값)을 짝지으세요.")
    checks.equals("task_losses의 키", sorted(task_losses), _KEYS, "네 가지 문제 종류를 모두 키로 넣으세요.")
    for task, (accepted, hint) in _CHOICES.items():
        try:
            found = loss_name(task_losses.get(task))
        except Exception:  # an object loss_name cannot read
            found = repr(task_losses.get(task))
        if found not in accepted:
            checks.fail(f"'{task}' 문제의 손실 함수가 알맞지 않습니다.", sorted(accepted), found, hint)


def _matches(student_fn: object, cases: Sequence[Sequence[np.ndarray]],
             references: Sequence[Callable[[np.ndarray, np.ndarray], Any]], hint: str) -> None:
    """student_fn equals one of the references (float32 Keras, float64 formula) on every case."""
    __tracebackhide__ = True
    if not callable(student_fn):
        checks.fail("손실 함수가 함수가 아닙니다.", "def 손실(y_true, y_pred): ...", type(student_fn).__name__,
                    "def로 함수를 정의하고 함수 이름을 그대로 넘기세요(괄호 없이).")
    for number, (y_true, y_pred) in enumerate(cases, start=1):
        wanted = [checks.to_numpy(fn(y_true, y_pred)) for fn in references]
        with checks.student_code(f"처음 보는 {number}번째 입력에서 손실 함수가 오류를 냈습니다.", "오류 없이 값 반환",
                                 "keras.ops(또는 넘파이)의 함수로, 어떤 크기의 배치에도 동작하게 작성하세요."):
            found = checks.to_numpy(student_fn(y_true, y_pred))
        if found.shape != wanted[0].shape:
            checks.fail(f"처음 보는 {number}번째 입력(크기 {y_true.shape})에서 반환값의 크기가 다릅니다.",
                        wanted[0].shape, found.shape,
                        "샘플마다 손실 하나를 돌려주도록 마지막 축(axis=-1)으로만 줄이세요.")
        if not np.all(np.isfinite(found)):
            checks.fail(f"처음 보는 {number}번째 입력에서 nan 또는 inf가 나왔습니다.", np.round(wanted[0], 4),
                        found, "y_pred가 정확히 0이나 1이면 log(0)이 됩니다. 먼저 [1e-7, 1 - 1e-7]로 자르세요.")
        if not any(checks.close(found, want) for want in wanted):
            checks.fail(f"처음 보는 {number}번째 입력(크기 {y_true.shape})에서 손실 값이 keras 결과와 다릅니다.",
                        np.round(wanted[0], 4), np.round(found, 4), hint)


def _mse64(y_true: np.ndarray, y_pred: np.ndarray) -> np.ndarray:
    y_true, y_pred = np.asarray(y_true, dtype="float64"), np.asarray(y_pred, dtype="float64")
    return np.mean(np.square(y_true - y_pred), axis=-1)


def _bce64(y_true: np.ndarray, y_pred: np.ndarray) -> np.ndarray:
    y_true, p = np.asarray(y_true, dtype="float64"), np.clip(np.asarray(y_pred, dtype="float64"), EPSILON, 1 - EPSILON)
    return -np.mean(y_true * np.log(p) + (1 - y_true) * np.log(1 - p), axis=-1)


def _cce64(y_true: np.ndarray, y_pred: np.ndarray) -> np.ndarray:
    y_true, p = np.asarray(y_true, dtype="float64"), np.clip(np.asarray(y_pred, dtype="float64"), EPSILON, 1 - EPSILON)
    return -np.sum(y_true * np.log(p), axis=-1)


def ex2_mse(my_mse: object) -> None:
    """Equals MSE over the last axis on unseen shapes (1 feature, 2-D, 3-D batch)."""
    __tracebackhide__ = True
    rng = np.random.default_rng(302)
    cases = [_floats(rng.normal(size=shape), rng.normal(size=shape)) for shape in ((4, 3), (5, 1), (2, 3, 4))]
    _matches(my_mse, cases, [keras.losses.mean_squared_error, _mse64],
             "(y_true - y_pred)를 제곱한 뒤 마지막 축(axis=-1)으로 평균하세요 (합이나 절댓값이 아닙니다).")


def ex3_bce(my_binary_crossentropy: object) -> None:
    """Equals binary crossentropy with clipping at 1e-7, including predictions of exactly 0 and 1.

    At exactly 0 and 1 the clipped value depends on the precision (1 - 1e-7 is 0.99999988 in float32),
    so Keras's float32 result and the same formula in float64 are both accepted."""
    __tracebackhide__ = True
    rng = np.random.default_rng(303)
    cases = [
        _floats(rng.integers(0, 2, size=(6, 3)), rng.uniform(0.01, 0.99, size=(6, 3))),
        _floats([[1, 0, 1, 0]], [[1, 0, 0, 1]]),  # 정확히 맞힌 값과 정확히 틀린 값 (0과 1)
        _floats([[0.0], [1.0], [1.0]], [[0.0], [1.0], [0.5]]),
        _floats([[0.0, 1.0]], [[1.0, 0.0]]),  # 확신하고 틀림: 자르는 값 1e-7이 그대로 드러남
    ]
    _matches(my_binary_crossentropy, cases, [keras.losses.binary_crossentropy, _bce64],
             "y_pred를 [1e-7, 1 - 1e-7]로 자른 뒤 -(y·log(p) + (1-y)·log(1-p))를 마지막 축으로 평균하세요. "
             "부호, 두 항, 자르는 범위를 확인하세요.")


def ex4_cce(my_categorical_crossentropy: object) -> None:
    """Equals categorical crossentropy with clipping at 1e-7, including a probability of exactly 0 for the truth."""
    __tracebackhide__ = True
    rng = np.random.default_rng(304)
    logits = rng.normal(size=(5, 4))
    probabilities = np.exp(logits) / np.exp(logits).sum(axis=1, keepdims=True)
    cases = [
        _floats(np.eye(4)[rng.integers(0, 4, size=5)], probabilities),
        _floats([[0, 1, 0], [0, 0, 1]], [[0, 1, 0], [1, 0, 0]]),  # 확률 1로 맞힘, 정답에 확률 0
        _floats(np.eye(6)[[2]][None], np.full((1, 1, 6), 1 / 6)),  # 3차원 배치
        # 정답을 확률 1로 맞힌 샘플만: 위쪽 자르기(1 - 1e-7) 때문에 손실이 0이 아니라 약 1e-7
        _floats([[0, 1, 0], [1, 0, 0]], [[0, 1, 0], [1, 0, 0]]),
    ]
    _matches(my_categorical_crossentropy, cases, [keras.losses.categorical_crossentropy, _cce64],
             "y_pred를 [1e-7, 1 - 1e-7]로(위아래 모두) 자른 뒤 -sum(y·log(p))를 마지막 축으로 더하세요 "
             "(평균이 아니라 합).")


def ex5_gradient_descent(namespace: Namespace) -> None:
    """The whole loss trajectory, and the final w and b, equal the reference run from w = b = 0."""
    __tracebackhide__ = True
    loss_history, w, b = namespace["loss_history"], namespace["w"], namespace["b"]
    wanted_history, wanted_w, wanted_b = reference("l03_ex5_gradient_descent", namespace, "loss_history", "w", "b")
    wanted = np.asarray(wanted_history, dtype="float64")
    with checks.student_code("loss_history를 숫자 배열로 바꿀 수 없습니다.", "float 100개의 리스트",
                             "단계마다 float(loss)를 loss_history.append(...)로 추가하세요."):
        found = np.asarray([float(value) for value in loss_history], dtype="float64")
    checks.equals("len(loss_history)", len(found), len(wanted), "단계마다 손실을 하나씩, 100번 추가하세요.")
    if checks.close(found[0], wanted[1]) and not checks.close(found[0], wanted[0]):
        checks.fail("첫 번째 손실이 w = b = 0일 때의 손실이 아닙니다 (변수를 바꾼 뒤의 손실을 기록했습니다).",
                    f"{wanted[0]:.4f}", f"{found[0]:.4f}",
                    "한 단계 안에서 손실을 계산해 기록한 다음에 w와 b를 바꾸세요.")
    for step, (value, want) in enumerate(zip(found, wanted), start=1):
        if not checks.close(value, want):
            hint = ("w와 b를 0.0에서 시작하고, 손실은 전체 데이터의 평균 제곱 오차 mean((w·x + b - y)²)입니다."
                    if step == 1 else
                    "각 단계에서 손실의 그레이디언트를 구해 w와 b를 둘 다 학습률 0.1 × 그레이디언트만큼 "
                    "반대 방향으로 옮겼는지 확인하세요 (w.assign_sub(...)).")
            checks.fail(f"{step}번째 단계의 손실이 같은 시작점에서 경사 하강법을 실행한 결과와 다릅니다.",
                        f"{want:.5f}", f"{value:.5f}", hint)
    for name, value, want in (("w", w, wanted_w), ("b", b, wanted_b)):
        with checks.student_code(f"{name}를 숫자로 바꿀 수 없습니다.", "tf.Variable 하나",
                                 f"{name} = tf.Variable(0.0)으로 만드세요."):
            value = float(value)
        if not checks.close(value, float(want)):
            checks.fail(f"100단계 뒤의 {name}가 경사 하강법의 결과와 다릅니다.", f"{float(want):.4f}", f"{value:.4f}",
                        f"{name}도 단계마다 그레이디언트로 업데이트했는지, 100단계를 모두 실행했는지 확인하세요.")


MOMENTUM = (0.5, 0.99)  # the task text: 모멘텀 값은 0.5 이상 0.99 이하면 모두 정답
CHOICES = {"SGD": ("SGD", {}), "SGD + 모멘텀": ("SGD", {"momentum": MOMENTUM}), "RMSprop": ("RMSprop", {}),
           "Adam": ("Adam", {})}


def ex6_optimizers(namespace: Namespace) -> None:
    """choices holds the four optimizers the comparison plot uses, under the four keys of the table: each of the
    reference's class with every hyperparameter as in the reference (learning rate 0.01), except the momentum of
    'SGD + 모멘텀', which the student chooses within MOMENTUM."""
    __tracebackhide__ = True
    if "choices" not in namespace:
        checks.fail("변수 choices이(가) 없습니다.", "choices = {...}", "정의되지 않음",
                    "표의 네 이름을 키로 하는 딕셔너리를 choices에 담으세요.")
    choices = namespace["choices"]
    if not isinstance(choices, dict):
        checks.fail("choices가 딕셔너리가 아닙니다.", "{'SGD': ..., 'SGD + 모멘텀': ..., 'RMSprop': ..., 'Adam': ...}",
                    type(choices).__name__, "중괄호 {}로 이름(키)과 옵티마이저 객체(값)를 짝지으세요.")
    # keys as plain strings, values (optimizer objects) as they are, read through dict's own method
    choices = {checks.plain(key, "choices의 키"): value for key, value in dict.items(choices)}
    checks.equals("choices의 키", sorted(choices), sorted(CHOICES), "표에 적힌 네 이름을 키로 쓰세요.")
    wanted = reference("l03_ex6_optimizers", namespace, "choices")
    for key, (kind, ranges) in CHOICES.items():
        label = f"choices['{key}']"
        checks.is_optimizer(choices[key], kind, label, learning_rate=0.01, **ranges)
        checks.same_optimizer(choices[key], wanted[key], free=tuple(ranges), label=label)
