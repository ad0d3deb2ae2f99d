"""Compare how a model was compiled and trained with what the task fixes.

`same_compile` compares with the reference model: optimizer class and every hyperparameter
(learning rate, also inside a schedule), loss configuration (`from_logits`, reduction, ...),
metrics by meaning. `trained_as` reads the kernel's record of `fit` calls (`fitlog`): epochs,
batch size, the exact training and validation data, and that the model was fresh.
`evaluated` checks that a number came from `evaluate` on the data the task names.
"""

from __future__ import annotations

import inspect
import math
from collections.abc import Collection
from typing import Any, TypedDict, cast

import keras

from . import fitlog
from ._report import fail
from .answers import to_numpy
from .losses import is_compiled, loss_name
from .models import keras_made
from .numeric import close
from .reference import output_names

DEFAULT_BATCH_SIZE = 32
_LOSS_DEFAULTS = {"reduction": "sum_over_batch_size"}


class _CompileConfig(TypedDict):
    loss: Any
    metrics: Any
    loss_weights: Any


def _loss_settings(loss: object) -> tuple[str | None, dict[str, Any]]:
    """(canonical name, settings) of a loss given as a string, a function or a Loss object."""
    if isinstance(loss, str):
        loss = keras.losses.get(loss)
    if isinstance(loss, keras.losses.Loss):
        config = {k: v for k, v in loss.get_config().items() if k not in ("name", "fn", "dtype")}
        fn = getattr(loss, "fn", None)
        defaults = _defaults(fn) if fn is not None else {}
        return loss_name(loss), {**_LOSS_DEFAULTS, **defaults, **config}
    return loss_name(loss), {**_LOSS_DEFAULTS, **_defaults(loss)}


def _defaults(fn: object) -> dict[str, Any]:
    if not callable(fn):
        return {}
    try:
        parameters = inspect.signature(fn).parameters.values()
    except (TypeError, ValueError):
        return {}
    return {p.name: p.default for p in parameters if p.default is not inspect.Parameter.empty}


def _per_output(value: object, names: list[str]) -> dict[str, Any]:
    if isinstance(value, dict):
        return {name: value.get(name) for name in names}
    if isinstance(value, (list, tuple)) and len(names) > 1:
        return dict(zip(names, value))
    return {name: value for name in names}


_METRIC_ALIASES: dict[str | None, str] = {"acc": "accuracy", "mae": "mean_absolute_error", "mse": "mean_squared_error",
                                           "mape": "mean_absolute_percentage_error"}
_ACCURACY_FOR_LOSS: dict[str | None, str] = {"binary_crossentropy": "binary_accuracy",
                                             "categorical_crossentropy": "categorical_accuracy",
                                             "sparse_categorical_crossentropy": "sparse_categorical_accuracy"}


def _metric_name(metric: object, loss: str | None) -> str:
    """What a metric measures: 'accuracy' as a string means the accuracy that fits the loss (as Keras reads it);
    a metric object or function is named by its class or function (keras.metrics.Accuracy() is exact equality)."""
    if isinstance(metric, str):
        name = _METRIC_ALIASES.get(metric, metric)
        return _ACCURACY_FOR_LOSS.get(loss, name) if name == "accuracy" else name
    if isinstance(metric, keras.metrics.Metric):
        name = loss_name(type(metric).__name__)
    else:
        name = getattr(metric, "__name__", type(metric).__name__)
    name = _METRIC_ALIASES.get(name, name)
    return "exact_accuracy" if name == "accuracy" else name


def _metric_names(metrics: object, loss: str | None) -> set[str]:
    if metrics is None:
        return set()
    if not isinstance(metrics, (list, tuple)):
        metrics = [metrics]
    return {_metric_name(metric, loss) for metric in metrics}


def _compile_config(model: keras.Model) -> _CompileConfig:
    config = getattr(getattr(model, "_compile_config", None), "config", None) or {}
    return {"loss": config.get("loss", model.loss), "metrics": config.get("metrics"),
            "loss_weights": config.get("loss_weights")}


def _optimizer_settings(optimizer: keras.optimizers.Optimizer, free: Collection[str]) -> dict[str, Any]:
    config = optimizer.get_config()
    return {k: v for k, v in config.items() if k != "name" and k not in free}


def _same_setting(found: object, wanted: object) -> bool:
    if isinstance(found, (int, float)) and isinstance(wanted, (int, float)):
        return math.isclose(found, wanted, rel_tol=1e-6, abs_tol=1e-12)
    return found == wanted


def same_optimizer(optimizer: object, reference: keras.optimizers.Optimizer, free: Collection[str] = (),
                   label: str | None = None) -> None:
    """`optimizer` is of the reference optimizer's Keras class, with every hyperparameter (learning rate, rho,
    momentum, ...) but those in `free` as in `reference`; `label` names it in messages (e.g. "choices['SGD']")."""
    __tracebackhide__ = True
    found, wanted = type(optimizer).__name__, type(reference).__name__
    if found != wanted or not keras_made(optimizer):
        fail("옵티마이저가 다릅니다." if label is None else f"{label}의 종류가 다릅니다.", wanted, found,
             "compile(optimizer='이름') 또는 keras.optimizers.이름(learning_rate=...)으로 지정하세요.")
    found_settings = _optimizer_settings(optimizer, free)
    wanted_settings = _optimizer_settings(reference, free)
    for key in sorted(wanted_settings):
        if not _same_setting(found_settings.get(key), wanted_settings[key]):
            hint = ("학습률은 learning_rate=로 지정합니다(케라스 3에는 lr이 없습니다). 스케줄이 아니라 숫자 하나입니다."
                    if key == "learning_rate" else "문제에 적힌 값 외의 설정은 기본값으로 두세요.")
            fail(f"{'옵티마이저' if label is None else f'{label}의'} 설정 {key}이(가) 다릅니다.", wanted_settings[key],
                 found_settings.get(key), hint)


def same_compile(model: keras.Model, reference: keras.Model, free: Collection[str] = ()) -> None:
    """Optimizer, loss (with from_logits, reduction, ...) and metrics by meaning, as in the reference."""
    __tracebackhide__ = True
    is_compiled(model)
    same_optimizer(model.optimizer, reference.optimizer, free)
    names = output_names(reference)
    mine, theirs = _compile_config(model), _compile_config(reference)
    found_losses, wanted_losses = _per_output(mine["loss"], names), _per_output(theirs["loss"], names)
    loss_of = {}
    for name in names:
        found, wanted = _loss_settings(found_losses[name]), _loss_settings(wanted_losses[name])
        where = f"출력 '{name}'의 " if len(names) > 1 else ""
        if found[0] != wanted[0]:
            fail(f"{where}손실 함수가 다릅니다.", wanted[0], found[0],
                 "이진 분류는 binary_crossentropy, 다중 분류는 categorical_crossentropy"
                 "(정수 레이블이면 sparse_categorical_crossentropy), 회귀는 mse를 씁니다.")
        for key in sorted(wanted[1].keys() | found[1].keys()):
            if not _same_setting(found[1].get(key), wanted[1].get(key)):
                hint = ("출력 층에 sigmoid/softmax가 있으면 출력이 이미 확률이므로 from_logits=False(기본값)입니다."
                        if key == "from_logits" else "문제에 적힌 설정 외에는 손실 함수의 기본값을 쓰세요.")
                fail(f"{where}손실 함수의 설정 {key}이(가) 다릅니다.", wanted[1].get(key), found[1].get(key), hint)
        loss_of[name] = wanted[0]
    found_metrics, wanted_metrics = _per_output(mine["metrics"], names), _per_output(theirs["metrics"], names)
    for name in names:
        found_names = _metric_names(found_metrics[name], loss_of[name])
        wanted_names = _metric_names(wanted_metrics[name], loss_of[name])
        if found_names != wanted_names:
            fail("compile의 metrics가 다릅니다." if len(names) == 1 else f"출력 '{name}'의 metrics가 다릅니다.",
                 sorted(wanted_names), sorted(found_names),
                 "metrics=['accuracy']처럼 문제에 적힌 지표만 리스트로 넘기세요.")
    if theirs["loss_weights"] is not None and mine["loss_weights"] != theirs["loss_weights"]:
        fail("loss_weights가 다릅니다.", theirs["loss_weights"], mine["loss_weights"], "문제에 적힌 가중치를 쓰세요.")


def _data_problem(call: fitlog.Call, expected: dict[str, fitlog.Print]) -> tuple[str, object] | None:
    """(label, shapes) of the first recorded data that differs from `expected` (fingerprints by key), or None."""
    for key, label in (("x", "입력 데이터"), ("y", "타깃 데이터"), ("validation_x", "검증 입력"),
                       ("validation_y", "검증 타깃")):
        if key in expected and not fitlog.same_data(call.data[key], expected[key]):
            return label, _shapes(call.data[key])
    return None


def _shapes(found: object) -> object:
    """The shapes in a fingerprint (or a dict/tuple of them) for messages: {'title': (640, 1000), ...}."""
    if isinstance(found, dict):
        return {key: _shapes(value) for key, value in found.items()}
    if isinstance(found, tuple):
        return tuple(_shapes(value) for value in found)
    return getattr(found, "shape", found)


def trained_as(model: keras.Model, *, x: object, y: object, epochs: int | None, batch_size: int | None = None,
               validation_data: tuple[object, object] | None = None, validation_split: float | None = None,
               history: object = None, single_call: bool = False, name: str = "model") -> None:
    """The model was trained from scratch with exactly these settings and data (several fit calls allowed
    when they add up to `epochs` with the same data, unless `single_call`; `epochs=None`: any number of epochs,
    for a task that leaves it open and checks it by its own rule)."""
    __tracebackhide__ = True
    calls = [call for call in fitlog.calls(model, "fit") if call.finished]
    if not calls:
        fail(f"{name}을(를) fit으로 훈련한 기록이 없습니다.", f"{name}.fit(...) 호출", "fit 호출 없음",
             f"{name}.fit(...)을 호출해 훈련하세요. 다른 변수의 모델을 훈련하지 않았는지 확인하세요.")
    if calls[0].iterations_before:
        fail(f"{name}은(는) 이 연습 전에 이미 훈련된 모델입니다.", "새로 만든 모델", "이미 훈련된 모델",
             "모델을 새로 만들고(build_model() 등) compile한 뒤 훈련하세요.")
    total = sum(call.epochs_run for call in calls)
    if (epochs is not None and total != epochs) or (single_call and len(calls) > 1):
        fail(f"{name}을(를) 훈련한 에포크 수가 다릅니다.",
             f"새 모델을 fit 한 번으로 {epochs or '정한 수만큼'} 에포크" if single_call else f"모두 {epochs} 에포크",
             f"fit {len(calls)}번, 에포크 {[call.epochs_run for call in calls]}",
             "모델을 새로 만들어 문제에 적힌 epochs로 한 번만 훈련하세요. 앞 연습에서 훈련한 모델을 다시 쓰지 마세요.")
    given = {"x": x, "y": y}
    if validation_data is not None:
        given["validation_x"], given["validation_y"] = validation_data
    named_data = fitlog.fingerprints(given)
    for call in calls:
        problem = _data_problem(call, named_data)
        if problem:
            fail(f"{name}을(를) 문제와 다른 {problem[0]}로 훈련했습니다.", "문제에 적힌 데이터 전체",
                 f"크기 {problem[1]}인 다른 데이터", "fit에 넘긴 배열(일부만 자르지 않았는지, 검증/테스트 세트와 "
                 "섞지 않았는지)을 확인하세요.")
        if validation_data is None and call.data["validation_x"] is not None:
            fail(f"{name}을(를) 훈련할 때 validation_data를 넘겼습니다.", "validation_data 없음",
                 "validation_data 있음", "문제에 적힌 대로만 fit을 호출하세요.")
        found_batch = call.arguments.get("batch_size") or DEFAULT_BATCH_SIZE
        if batch_size is not None and found_batch != batch_size:
            fail(f"{name}을(를) 훈련한 배치 크기가 다릅니다.", batch_size, found_batch, "fit에 batch_size=를 넘기세요.")
        split = cast(float, call.arguments.get("validation_split") or 0.0)  # a number: Keras's fit returned
        if not math.isclose(split, validation_split or 0.0):
            fail("validation_split이 다릅니다.", validation_split or 0.0, split,
                 "fit(..., validation_split=비율)은 훈련 데이터의 마지막 부분을 검증 세트로 떼어 씁니다.")
    if history is not None and history is not calls[-1].result:
        fail("history가 이 모델을 훈련한 fit의 결과가 아닙니다.", f"history = {name}.fit(...)",
             type(history).__name__, "fit이 돌려주는 History 객체를 그대로 담으세요.")


def _component(result: object, index: int) -> Any:
    """Element `index` of what evaluate returned, in the list order (loss first) also for return_dict=True."""
    if isinstance(result, dict):
        keys = ["loss", *(key for key in result if key != "loss")]
        return result.get(keys[index]) if index < len(keys) else None
    if isinstance(result, (list, tuple)):
        return result[index] if index < len(result) else None
    return result if index == 0 else None


def evaluated(value: object, model: keras.Model, x: object, y: object, index: int, name: str, data_name: str,
              exact: bool = False) -> None:
    """`value` is component `index` of model.evaluate(x, y) for this trained model (not other data);
    with `exact`, the very number a recorded evaluate call on x returned (not rounded, typed in or recomputed:
    float64 equality, since a literal such as 0.887 differs from evaluate's float32 0.8870000243...)."""
    __tracebackhide__ = True
    named_data = fitlog.fingerprints({"x": x, "y": y})
    calls = [call for call in fitlog.calls(model, "evaluate") if call.finished]
    other_data = None
    for call in calls:
        component = _component(call.result, index)
        if component is None or not _same_number(value, component, exact):
            continue
        if _data_problem(call, named_data) is None:
            return
        other_data = call
    if other_data is not None:
        fail(f"{name}은(는) {data_name}가 아닌 다른 데이터로 평가한 값입니다.", f"{data_name}로 evaluate한 값",
             f"크기 {getattr(other_data.data['x'], 'shape', '?')}인 데이터로 평가한 값",
             f"evaluate에 {data_name}를 넘기세요.")
    original = keras.Model.evaluate.__wrapped__ if hasattr(keras.Model.evaluate, "__wrapped__") else None
    evaluate = original.__get__(model) if original else model.evaluate
    expected = _component(evaluate(x, y, verbose=0), index)
    if not close(value, expected):
        fail(f"{name}이(가) 이 모델을 {data_name}로 평가한 값과 다릅니다.", round(float(expected), 4), value,
             f"훈련을 마친 모델로 {data_name}를 evaluate한 결과에서 알맞은 원소를 담으세요.")
    if exact and not any(_data_problem(call, named_data) is None for call in calls):
        fail(f"{name}을(를) 구한 evaluate 호출이 없습니다.", f"{data_name}로 evaluate를 호출해 받은 값",
             "evaluate 기록 없음", "값을 직접 적거나 따로 계산하지 말고 문제에 적힌 대로 evaluate를 호출하세요.")
    if exact:
        fail(f"{name}이(가) evaluate가 돌려준 값과 정확히 같지 않습니다.", f"{data_name}로 evaluate한 값 그대로",
             repr(value), "값을 반올림하거나 직접 적지 말고 evaluate가 돌려준 리스트의 원소를 담으세요.")


def _same_number(value: object, component: float, exact: bool) -> bool:
    """`value` is `component` (float64 equality with `exact`, else within float32 rounding)."""
    if exact:
        found = to_numpy(value)
        return found.size == 1 and float(found.ravel()[0]) == float(component)
    return close(value, component, rtol=1e-6)
