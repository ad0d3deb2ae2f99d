"""Checks on how a model is compiled and trained, and on student-written loss functions."""

from __future__ import annotations

import math
from collections.abc import Callable, Iterable
from typing import Any, Literal, TypeAlias, TypeVar, overload

import keras
import numpy as np

from ._report import fail, student_code
from .answers import to_numpy
from .models import is_model, keras_made, snake_case

_ALIASES = {
    "mse": "mean_squared_error",
    "mae": "mean_absolute_error",
    "mape": "mean_absolute_percentage_error",
    "msle": "mean_squared_logarithmic_error",
    "bce": "binary_crossentropy",
}
OWN_FUNCTION = "(직접 정의한 함수)"  # how loss_name marks a loss the notebook defined itself
Task: TypeAlias = Literal["binary", "multiclass", "regression"]
Labels: TypeAlias = Literal["integer", "one_hot"]  # how a multiclass task's labels are written
T = TypeVar("T")


@overload
def loss_name(loss: str) -> str: ...
@overload
def loss_name(loss: object) -> str | None: ...
def loss_name(loss: object) -> str | None:
    """Canonical name of a loss given as a string, a function or a keras.losses.Loss; a function or class of the
    notebook's own is named as such, whatever it calls itself ('my_loss (직접 정의한 함수)')."""
    if loss is None:
        return None
    if isinstance(loss, str):
        name = str.__str__(loss)
    elif isinstance(loss, keras.losses.Loss):
        fn = getattr(loss, "fn", None)
        name = getattr(fn, "__name__", None) or type(loss).__name__
        if not _keras_defined(type(loss)) or (fn is not None and not _keras_defined(fn)):
            return f"{snake_case(name)} {OWN_FUNCTION}"
    else:
        name = getattr(loss, "__name__", type(loss).__name__)
        if not _keras_defined(loss):
            return f"{snake_case(str(name))} {OWN_FUNCTION}"
    name = snake_case(name)
    return _ALIASES.get(name, name)


def _keras_defined(obj: object) -> bool:
    return str(getattr(obj, "__module__", None) or "").startswith("keras.")


def converted_loss(loss: object, convert: Callable[[Any], T]) -> T | dict[Any, T] | list[T]:
    """`convert` applied to the loss, or to each loss of a multi-output model's dict or list of losses."""
    if isinstance(loss, dict):
        return {key: convert(value) for key, value in loss.items()}
    if isinstance(loss, (list, tuple)):
        return [convert(value) for value in loss]
    return convert(loss)


def is_compiled(model: keras.Model) -> None:
    """model.compile(...) has been called."""
    __tracebackhide__ = True
    is_model(model)
    if not getattr(model, "compiled", False):
        fail("모델을 컴파일하지 않았습니다.", "model.compile(optimizer=..., loss=...) 호출",
             "compile 호출 없음", "fit이나 evaluate 전에 model.compile을 먼저 실행하세요.")


def has_loss(model: keras.Model, expected: object) -> None:
    """The compiled loss is `expected`; strings, functions and Loss objects count alike."""
    __tracebackhide__ = True
    is_compiled(model)
    found, want = converted_loss(model.loss, loss_name), converted_loss(expected, loss_name)
    if found != want:
        fail("손실 함수가 문제에 맞지 않습니다.", want, found,
             "이진 분류는 binary_crossentropy, 다중 분류는 categorical_crossentropy"
             "(정수 레이블이면 sparse_categorical_crossentropy), 회귀는 mse를 씁니다.")


def has_optimizer(model: keras.Model, name: str, learning_rate: float | None = None) -> None:
    """The compiled optimizer has this class name (any case) and, if given, learning rate."""
    __tracebackhide__ = True
    is_compiled(model)
    found = type(model.optimizer).__name__
    if found.lower() != name.lower() or not keras_made(model.optimizer):
        fail("옵티마이저가 다릅니다.", name, found,
             "compile(optimizer=keras.optimizers.이름(learning_rate=...))처럼 지정하세요.")
    if learning_rate is not None:
        rate = float(keras.ops.convert_to_numpy(model.optimizer.learning_rate))
        if not math.isclose(rate, learning_rate, rel_tol=1e-6):
            fail("학습률이 다릅니다.", learning_rate, rate,
                 "Keras 3에서는 lr이 아니라 learning_rate=로 지정합니다.")


def loss_fn_matches(student_fn: object, reference: Callable[[Any, Any], Any], cases: Iterable[tuple[Any, Any]],
                    atol: float = 1e-4) -> None:
    """student_fn(y_true, y_pred) equals reference(y_true, y_pred) on every case."""
    __tracebackhide__ = True
    if not callable(student_fn):
        fail("손실 함수가 함수가 아닙니다.", "def 손실(y_true, y_pred): ...", type(student_fn).__name__,
             "def로 함수를 정의하고 함수 이름을 그대로 넘기세요(괄호 없이).")
    for number, (y_true, y_pred) in enumerate(cases, start=1):
        want = to_numpy(reference(y_true, y_pred))
        with student_code(f"{number}번째 입력에서 손실 함수가 오류를 냈습니다.", "오류 없이 값 반환",
                          "keras.ops의 함수로 텐서 연산을 작성하세요."):
            got = to_numpy(student_fn(y_true, y_pred))
        if got.shape != want.shape:
            fail(f"{number}번째 입력에서 반환값의 크기가 다릅니다.", want.shape, got.shape,
                 "샘플마다 손실 하나를 돌려주도록 마지막 축(axis=-1)으로 평균하세요.")
        if not np.all(np.isfinite(got)):
            fail(f"{number}번째 입력에서 nan 또는 inf가 나왔습니다.", np.round(want, 6), got,
                 "y_pred가 정확히 0이나 1이면 log(0)이 됩니다. "
                 "keras.ops.clip(y_pred, 1e-7, 1 - 1e-7)로 범위를 잘라 주세요.")
        if not np.allclose(got, want, atol=atol, rtol=1e-3):
            fail(f"{number}번째 입력에서 손실 값이 keras 결과와 다릅니다.", np.round(want, 6),
                 np.round(got, 6), "공식의 부호, 평균을 내는 축, log의 밑(자연로그)을 확인하세요.")


def trains(model: keras.Model, x: object, y: object, epochs: int = 5, batch_size: int = 32) -> None:
    """A copy of the compiled model lowers its loss on (x, y); the model itself is untouched."""
    __tracebackhide__ = True
    is_compiled(model)
    copy = keras.models.clone_model(model)
    copy.set_weights(model.get_weights())
    optimizer_copy = type(model.optimizer).from_config(model.optimizer.get_config())
    copy.compile(optimizer=optimizer_copy, loss=model.loss)
    before = copy.evaluate(x, y, batch_size=batch_size, verbose=0, return_dict=True)["loss"]
    copy.fit(x, y, epochs=epochs, batch_size=batch_size, verbose=0)
    after = copy.evaluate(x, y, batch_size=batch_size, verbose=0, return_dict=True)["loss"]
    if not math.isfinite(after):
        fail("훈련하는 동안 손실이 nan/inf가 되었습니다.", "유한한 손실", after,
             "학습률이 너무 크거나 손실 함수가 출력 활성화 함수와 맞지 않는지 확인하세요.")
    if not after < before:
        fail(f"{epochs} 에포크 동안 훈련해도 손실이 줄지 않았습니다.", f"{before:.4f}보다 작은 값",
             f"{after:.4f}", "손실 함수, 출력 층의 활성화 함수, 학습률을 확인하세요.")


_TASKS: dict[Task, tuple[set[str], str, str]] = {
    "binary": ({"binary_crossentropy"}, "sigmoid", "이진 분류"),
    "multiclass": ({"categorical_crossentropy", "sparse_categorical_crossentropy"}, "softmax",
                   "다중 분류"),
    "regression": ({"mean_squared_error", "mean_absolute_error", "huber"}, "linear", "회귀"),
}


def _task_mistake(task: Task, activation: str | None, units: int | None, name: str | None) -> str | None:
    """Korean explanation of the classic output/loss mismatches, or None."""
    if name == "binary_crossentropy" and activation == "softmax" and task == "binary":
        return ("softmax 출력에 이진 크로스엔트로피를 썼습니다. softmax는 클래스 확률의 합이 1이 되게 하므로 "
                "이진 분류에는 units=1, activation='sigmoid'를 씁니다.")
    if name == "binary_crossentropy" and task == "multiclass":
        return ("다중 분류에 이진 크로스엔트로피를 썼습니다. 이진 크로스엔트로피는 출력 하나하나를 "
                "서로 독립된 예/아니요 문제로 보므로 accuracy도 엉뚱하게 높게 나옵니다. categorical_crossentropy"
                "(정수 레이블이면 sparse_categorical_crossentropy)를 쓰세요.")
    if name in _TASKS["multiclass"][0] and units == 1:
        return ("출력이 하나(sigmoid)인데 범주형 크로스엔트로피를 썼습니다. 클래스가 하나뿐이면 손실이 항상 0이라 "
                "훈련되지 않습니다. 이진 분류라면 binary_crossentropy를 쓰세요.")
    if name in _TASKS["regression"][0] and task != "regression":
        return ("분류 문제에 회귀용 손실(mse/mae)을 썼습니다. 정수 레이블의 다중 분류에서는 레이블 하나가 "
                "확률 여러 개와 비교되어 손실이 의미가 없고, 이진 분류에서도 크로스엔트로피가 더 큰 "
                "그레이디언트를 주어 더 잘 훈련됩니다.")
    return None


# The crossentropy that fits the labels of a multiclass task: integers, or one-hot vectors.
_LABELS: dict[Labels, tuple[set[str], str]] = {"integer": ({"sparse_categorical_crossentropy"}, "정수 레이블"),
                                               "one_hot": ({"categorical_crossentropy"}, "원-핫 레이블")}


def matches_task(model: keras.Model, task: Task, labels: Labels | None = None) -> None:
    """Output activation, output size and loss fit the task: 'binary', 'multiclass' or 'regression'; for a
    multiclass task whose labels the text gives, `labels` ('integer' or 'one_hot') allows only the crossentropy
    of that label format."""
    __tracebackhide__ = True
    is_compiled(model)
    losses, activation_wanted, task_name = _TASKS[task]
    if labels is not None:
        losses, label_name = _LABELS[labels]
        task_name = f"{label_name}의 {task_name}"
    last = model.layers[-1]
    activation = getattr(getattr(last, "activation", None), "__name__", None)
    units = model.outputs[0].shape[-1]
    name = loss_name(model.loss)
    mistake = _task_mistake(task, activation, units, name)
    if mistake:
        fail(f"{task_name} 문제에 맞지 않는 조합입니다.", f"{activation_wanted} 출력 + {sorted(losses)}",
             f"{activation} 출력(units={units}) + {name}", mistake)
    if name not in losses:
        fail(f"{task_name} 문제에 맞지 않는 손실 함수입니다.", sorted(losses), name,
             "이진 분류는 binary_crossentropy, 다중 분류는 categorical_crossentropy(정수 레이블이면 "
             "sparse_categorical_crossentropy), 회귀는 mse를 씁니다.")
    if activation != activation_wanted:
        fail(f"{task_name} 문제의 출력 층 활성화 함수가 맞지 않습니다.", activation_wanted, activation,
             "이진 분류는 sigmoid, 다중 분류는 softmax, 회귀는 활성화 함수 없이(linear) 씁니다.")
