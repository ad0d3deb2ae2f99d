"""Checks of what a task text states, for public test cells.

Each takes the task's own words as arguments (never the reference answer): settings left at their defaults,
a function that builds a new model at each call, the names of inputs and outputs, which tensors a merge layer
takes, outputs that are probabilities, compile settings, training that follows a stated rule (the epoch count read
from one's own curve, the last part of the training data held out for validation). So a requirement the text
states fails in Colab already, not only in the hidden tests.
"""

from __future__ import annotations

import functools
from collections.abc import Collection, Sequence
from typing import Any

import keras
import numpy as np

from . import fitlog
from ._report import fail, student_code
from .losses import OWN_FUNCTION, converted_loss, is_compiled, loss_name
from .models import is_model, keras_made, layer_row
from .numeric import close
from .plain import Plain, plain
from .reference import _settings, same_layer
from .training import (DEFAULT_BATCH_SIZE, _compile_config, _loss_settings, _same_setting,
                       same_compile, same_optimizer, trained_as)

# Settings a task names for a layer; every other setting of the layer keeps its default.
GIVEN = ("units", "activation", "rate")


def uses_input(model: keras.Model) -> None:
    """No layer got `input_shape=`/`input_dim=` (Keras 3 keeps it as `_input_shape_arg` and warns): the model
    starts with keras.Input."""
    __tracebackhide__ = True
    is_model(model)
    given = [layer.name for layer in model.layers if getattr(layer, "_input_shape_arg", None) is not None]
    if given:
        fail("층에 input_shape=(또는 input_dim=)를 넘긴 코드가 그대로 남아 있습니다 (케라스 3에서는 경고가 납니다).",
             "keras.Input(shape=...)으로 시작하는 모델", f"input_shape를 받은 층 {given}",
             "층의 input_shape= 인자를 지우고 keras.Input(shape=...)을 Sequential 리스트의 첫 항목으로 넣으세요.")


def _layers(obj: object) -> list[keras.layers.Layer]:
    if isinstance(obj, keras.Model):
        is_model(obj)
        return [layer for layer in obj.layers if not isinstance(layer, keras.layers.InputLayer)]
    return [obj]


def keeps_defaults(obj: object, free: Collection[str] = ()) -> None:
    """Every setting of the layer (or of every layer of the model) other than the ones a task names (units,
    activation, rate) and `free` is the class's default: use_bias, regularizers, constraints, ..."""
    __tracebackhide__ = True
    for layer in _layers(obj):
        config = layer.get_config()
        try:
            default = type(layer)(**{key: config[key] for key in GIVEN if key in config})
        except Exception:  # a layer that needs more than the named settings: nothing to compare
            continue
        found, wanted = _settings(layer, free), _settings(default, free)
        for key in sorted(found.keys() | wanted.keys()):
            if key not in GIVEN and found.get(key) != wanted.get(key):
                fail(f"{type(layer).__name__} 층 '{layer.name}'의 설정 {key}이(가) 기본값이 아닙니다.",
                     wanted.get(key), found.get(key), "문제에 적힌 설정 외에는 층의 기본값을 그대로 두세요.")


def _name(tensor: keras.KerasTensor) -> str:
    operation = tensor._keras_history.operation
    return tensor.name if isinstance(operation, keras.layers.InputLayer) else operation.name


def has_names(model: keras.Model, inputs: Sequence[str] | None = None,
              outputs: Sequence[str] | None = None) -> None:
    """The model's inputs and/or outputs have these names, in this order."""
    __tracebackhide__ = True
    is_model(model)
    for what, tensors, wanted, argument in (("입력", model.inputs, inputs, "inputs"),
                                            ("출력", model.outputs, outputs, "outputs")):
        found = [_name(tensor) for tensor in tensors]
        if wanted is not None and found != list(wanted):
            fail(f"{what}의 이름이나 순서가 다릅니다.", list(wanted), found,
                 f"name='이름'으로 이름을 붙이고, 문제에 적힌 순서대로 keras.Model의 {argument}에 넘기세요.")


def _inbound(tensor: keras.KerasTensor) -> tuple[keras.Operation | None, tuple[keras.KerasTensor, ...]]:
    """(operation, argument tensors) that made `tensor`, or (None, ()) for a model input."""
    operation, node_index, _ = tensor._keras_history
    if isinstance(operation, keras.layers.InputLayer):
        return None, ()
    return operation, tuple(operation._inbound_nodes[node_index].arguments.keras_tensors)


def _step(operation: keras.Operation) -> str:
    """'Dense(32, relu)' for a layer with units, else its class name ('Concatenate')."""
    kind, units, activation = layer_row(operation)
    return f"{kind}({units}, {activation})" if units is not None else kind


def _path(tensor: keras.KerasTensor, model: keras.Model) -> str:
    """'left → Dense(16, relu)': where a tensor comes from, read back through one-argument layers to a model input,
    named by its name ('입력' for the only input of a model, whatever its name)."""
    steps: list[str] = []
    while True:
        operation, arguments = _inbound(tensor)
        if operation is None:
            name = "입력" if len(model.inputs) == 1 else _name(tensor)
            return " → ".join([name, *reversed(steps)])
        steps.append(_step(operation))
        if len(arguments) != 1:
            return " → ".join([f"({len(arguments)}개를 합친 값)", *reversed(steps)])
        tensor = arguments[0]


def _merges(model: keras.Model, kind: str) -> list[tuple[keras.KerasTensor, ...]]:
    """The argument tensors of every `kind` operation (e.g. 'Concatenate', 'Add') in the model, output side first."""
    found: list[tuple[keras.KerasTensor, ...]] = []
    seen: set[int] = set()
    todo = list(model.outputs)
    while todo:
        tensor = todo.pop(0)
        operation, arguments = _inbound(tensor)
        if operation is None or id(tensor) in seen:
            continue
        seen.add(id(tensor))
        if type(operation).__name__ == kind:
            found.append(arguments)
        todo.extend(arguments)
    return found


def merges(model: keras.Model, kind: str, expected: Sequence[str], commutative: bool = False) -> None:
    """The model has one `kind` merge (Concatenate, Add, ...) whose arguments come, in this order, from these
    paths ('title', 'left → Dense(16, relu)', '입력 → Dense(32, relu) → Dense(32, relu)'); any order when
    `commutative` (Add)."""
    __tracebackhide__ = True
    is_model(model)
    merges = _merges(model, kind)
    if len(merges) != 1:
        fail(f"{kind}로 합치는 곳이 하나가 아닙니다.", f"{kind} 1개", f"{kind} {len(merges)}개",
             f"문제에 적힌 텐서들을 {kind} 하나로 합치세요.")
    found = [_path(tensor, model) for tensor in merges[0]]
    wanted = list(expected)
    if (sorted(found) != sorted(wanted)) if commutative else (found != wanted):
        fail(f"{kind}에 넘긴 텐서가 다릅니다 (각 텐서가 어느 입력에서 어떤 층을 거쳐 왔는지"
             f"{'' if commutative else ', 순서대로'}).", wanted, found,
             "문제에 적힌 텐서를 적힌 순서대로 합치세요. 같은 입력을 두 번 쓰거나 다른 층의 출력을 쓰지 않았나요?")


def new_model(function: object, name: str = "build_model") -> keras.Model:
    """`function` (a model-building function of the student's, called without arguments) gives a new, untrained
    model at each call: two calls share no layer and no optimizer. Returns the first model."""
    __tracebackhide__ = True
    if not callable(function):
        fail(f"{name} 함수가 없습니다.", f"def {name}(): ...", type(function).__name__,
             f"연습 셀에서 함수 {name}()을 정의하세요.")
    with student_code(f"{name}()이 오류를 냅니다.", "keras 모델",
                      "함수 안에서 모델을 만들어 return model 하세요."):
        first, second = function(), function()
    is_model(first)
    is_model(second)
    if first is second:
        fail(f"{name}()이 부를 때마다 같은 모델을 돌려줍니다.", "부를 때마다 새 모델", "같은 객체",
             "함수 안에서 keras.Sequential(...)로 모델을 새로 만드세요.")
    shared = [layer.name for layer in first.layers if any(layer is other for other in second.layers)]
    optimizer = getattr(first, "optimizer", None)
    if shared or (optimizer is not None and optimizer is getattr(second, "optimizer", None)):
        fail(f"{name}()로 만든 두 모델이 층이나 옵티마이저를 함께 씁니다.", "부를 때마다 새 층, 새 옵티마이저",
             f"공유하는 것: {shared or ['optimizer']}",
             "층과 옵티마이저도 함수 안에서 새로 만드세요. 폴드마다 처음부터 훈련해야 합니다.")
    if fitlog.calls(first, "fit") or fitlog._iterations(first):
        fail(f"{name}()이 훈련한 모델을 돌려줍니다.", "훈련하지 않은 새 모델", "훈련한 모델",
             f"{name}()은 모델을 만들고 compile만 합니다. fit은 부르는 쪽에서 합니다.")
    return first


def outputs_probabilities(model: keras.Model, seed: int = 0) -> None:
    """On random inputs every output row is a probability distribution: no negative value, sum 1."""
    __tracebackhide__ = True
    is_model(model)
    rng = np.random.default_rng(seed)
    inputs = [rng.normal(size=(8, *tuple(t.shape)[1:])).astype("float32") for t in model.inputs]
    outputs = keras.ops.convert_to_numpy(model(inputs if len(inputs) > 1 else inputs[0], training=False))
    sums = outputs.sum(axis=-1)
    if (outputs < 0).any() or not close(sums, np.ones_like(sums)):
        fail("출력이 확률이 아닙니다 (샘플마다 0 이상이고 합이 1이어야 합니다).", "합 1.0",
             f"첫 샘플의 출력 합 {float(sums[0]):.4f}, 최솟값 {float(outputs.min()):.4f}",
             "여러 클래스의 확률을 내는 출력 층의 활성화 함수를 고르세요.")


def is_optimizer(optimizer: object, kind: str, label: str, **settings: float | tuple[float, float]) -> None:
    """`optimizer` (called `label` in messages) is a Keras `kind` optimizer ('SGD', 'Adam', ...) with these
    settings, each a value or a (low, high) range the task leaves open, and every other setting at its default."""
    __tracebackhide__ = True
    if (not isinstance(optimizer, keras.optimizers.Optimizer) or type(optimizer).__name__ != kind
            or not keras_made(optimizer)):
        fail(f"{label}의 종류가 다릅니다.", kind, type(optimizer).__name__,
             f"keras.optimizers.{kind}(learning_rate=...)처럼 옵티마이저 객체를 만드세요.")
    ranges = {key: value for key, value in settings.items() if isinstance(value, tuple)}
    for key, (low, high) in sorted(ranges.items()):
        value = optimizer.get_config().get(key)
        if not (isinstance(value, (int, float)) and not isinstance(value, bool) and low <= value <= high):
            fail(f"{label}의 {key}이(가) 문제에 적힌 범위 밖입니다.", f"{low} 이상 {high} 이하", value,
                 f"{key}=...로 범위 안의 값을 고르세요.")
    default = getattr(keras.optimizers, kind)(**{k: v for k, v in settings.items() if k not in ranges})
    same_optimizer(optimizer, default, free=tuple(ranges), label=label)


def _keras_loss(loss: object) -> object:
    """The loss as its canonical Keras name (its settings at their defaults); a function of one's own stays."""
    name = loss_name(loss)
    return loss if name is None or name.endswith(OWN_FUNCTION) else name


def compiled_with(model: keras.Model, *, optimizer: str | keras.optimizers.Optimizer, loss: object = None,
                  metrics: object = None) -> None:
    """Compiled with this optimizer (every hyperparameter as in `optimizer`: a string means the defaults),
    this loss (string/function/object alike, settings such as from_logits at their defaults; None: whichever
    loss the model has, with its settings at their defaults) and these metrics (by meaning)."""
    __tracebackhide__ = True
    is_compiled(model)
    spec = keras.models.clone_model(model)
    if isinstance(optimizer, str):
        optimizer = keras.optimizers.get(optimizer)
    if loss is None:
        loss = converted_loss(model.loss, _keras_loss)
    spec.compile(optimizer=optimizer, loss=loss, metrics=metrics)
    same_compile(model, spec)


def _recorded_name(metric: object) -> Plain:
    """The name Keras records a compiled metric under (its History key): a string as written, else the metric
    object's name or the function's name."""
    if isinstance(metric, str):
        return plain(metric)
    return plain(getattr(metric, "name", None) or getattr(metric, "__name__", type(metric).__name__))


def has_metric_names(model: keras.Model, names: Sequence[str]) -> None:
    """The model records its metrics under exactly `names` (History keys, in order), as the text states because a
    later cell reads history.history[name]: metrics=["accuracy"] gives 'accuracy', while "acc",
    BinaryAccuracy() or "binary_accuracy" measure the same but are recorded as 'acc' or 'binary_accuracy'."""
    __tracebackhide__ = True
    is_compiled(model)
    metrics = _compile_config(model)["metrics"] or []
    found = [_recorded_name(metric) for metric in (metrics if isinstance(metrics, (list, tuple)) else [metrics])]
    if found != list(names):
        keys = ", ".join(f"history.history[{name!r}]" for name in names)
        fail("지표가 기록될 이름이 문제에 적힌 것과 다릅니다.", list(names), found,
             f"뒤의 셀이 {keys}를 읽습니다. metrics={list(names)!r}처럼 문제에 적힌 문자열 그대로 쓰세요.")


def _epochs(model: keras.Model) -> int:
    return sum(call.epochs_run for call in fitlog.calls(model, "fit") if call.finished)


def _val_loss(curve: object) -> list[float] | None:
    """val_loss as recorded when its fit returned: of the History `curve`, or of the last fit of the model `curve`
    that recorded one (so a notebook variable `history` reused for another fit changes nothing)."""
    __tracebackhide__ = True
    if isinstance(curve, keras.Model):
        fits = [call for call in fitlog.calls(curve, "fit") if call.finished and call.history.get("val_loss")]
        return fits[-1].history["val_loss"] if fits else None
    return fitlog.recorded_fit(curve).history.get("val_loss")


def trained_near_best(model: keras.Model, curve: object, margin: int, name: str = "model") -> None:
    """The model was trained for a number of epochs (all its fit calls together) within `margin` of the epoch
    of lowest val_loss of `curve` (a History, or the model trained with validation data), as recorded when that
    fit returned: the student's own curve."""
    __tracebackhide__ = True
    val_loss = _val_loss(curve)
    if not val_loss:
        fail("검증 손실(val_loss) 기록이 없습니다.", "validation_data로 훈련한 기록", "val_loss 없음",
             "검증 세트로 훈련한 셀(model.fit(..., validation_data=...))을 먼저 실행하세요.")
    best, epochs = int(np.argmin(val_loss)) + 1, _epochs(model)
    if abs(epochs - best) > margin:
        fail(f"{name}을(를) 훈련한 에포크 수가 검증 곡선과 맞지 않습니다.",
             f"{max(1, best - margin)}~{best + margin} 에포크 (검증 손실이 가장 낮은 에포크 {best} ± {margin})",
             f"{epochs} 에포크",
             "그래프에서 검증 손실이 가장 낮은 에포크를 찾아 그 근처로 정하세요. fit을 여러 번 불렀다면 "
             "에포크를 모두 더한 수입니다.")


def held_out_last(model: keras.Model, *, x: np.ndarray, y: np.ndarray, fraction: float, epochs: int,
                  batch_size: int = DEFAULT_BATCH_SIZE, history: object = None, name: str = "model") -> None:
    """Trained once, from scratch, on the first (1 - fraction) of x/y and validated on the last `fraction` of
    them: with fit(..., validation_split=fraction), or with the slices passed as validation_data."""
    __tracebackhide__ = True
    calls = [call for call in fitlog.calls(model, "fit") if call.finished]
    trained = functools.partial(trained_as, model, epochs=epochs, batch_size=batch_size, history=history,
                                single_call=True, name=name)
    if any(call.arguments.get("validation_split") for call in calls):
        trained(x=x, y=y, validation_split=fraction)
        return
    kept = int(len(x) * (1 - fraction))
    if calls and calls[0].data["validation_x"] is None:
        fail(f"{name}을(를) 검증 세트 없이 훈련했습니다.", f"마지막 {fraction:.0%}를 검증 세트로",
             "validation_split도 validation_data도 없음",
             "fit(..., validation_split=비율)은 훈련 데이터의 마지막 부분을 검증 세트로 떼어 씁니다.")
    trained(x=x[:kept], y=y[:kept], validation_data=(x[kept:], y[kept:]))


def fixed_in_one_place(model: keras.Model, buggy: keras.Model, name: str = "model") -> None:
    """`model` is `buggy` with one mistake fixed: its output layer or its loss changed, not both; every other layer,
    the optimizer and the loss settings as in `buggy`."""
    __tracebackhide__ = True
    is_compiled(model)
    mine, theirs = _layers(model), _layers(buggy)
    if len(mine) != len(theirs):
        fail(f"{name}의 층 개수가 고치기 전 코드와 다릅니다.", len(theirs), len(mine),
             "실수는 출력 층이나 손실 함수 한 곳에만 있습니다. 층을 더하거나 빼지 마세요.")
    for found, wanted in zip(mine[:-1], theirs[:-1]):
        same_layer(found, wanted, f"{name}의 {type(found).__name__} 층", hint="실수가 아닌 층은 그대로 두세요.")
    same_optimizer(model.optimizer, buggy.optimizer)
    output_changed = (type(mine[-1]) is not type(theirs[-1])) or _settings(mine[-1], ()) != _settings(theirs[-1], ())
    loss_changed = _loss_settings(model.loss) != _loss_settings(buggy.loss)
    if output_changed and loss_changed:
        fail(f"{name}은(는) 출력 층과 손실 함수를 둘 다 바꿨습니다.", "둘 중 실수인 한 곳만 고친 모델",
             "출력 층과 손실 함수가 모두 바뀜", "각 코드의 실수는 출력 층이나 손실 함수 중 한 곳에만 있습니다.")
    if not output_changed and not loss_changed:
        fail(f"{name}이(가) 고치기 전 코드와 같습니다.", "실수를 고친 모델", "출력 층과 손실 함수가 그대로",
             "출력 층과 손실 함수 중 문제에 맞지 않는 쪽을 고치세요.")


def stopped_early(callback: object, model: keras.Model, history: object, *, x_val: object, y_val: object,
                  patience: int, restore_best_weights: bool, max_epochs: int, monitor: str = "val_loss",
                  label: str = "early_stopping") -> None:
    """`callback` is Keras's EarlyStopping with these settings (every other one at its default), used in the fit
    that returned `history` (at most `max_epochs`); training stopped where the rule says (`patience` epochs after
    the best value of `monitor`, as recorded); with restore_best_weights, the model ends with the best weights."""
    __tracebackhide__ = True
    if not isinstance(callback, keras.callbacks.EarlyStopping) or not keras_made(callback):
        fail(f"{label}이(가) EarlyStopping 콜백이 아닙니다.", "keras.callbacks.EarlyStopping(...)",
             type(callback).__name__, "keras.callbacks.EarlyStopping(...)으로 콜백을 만드세요.")
    wanted = keras.callbacks.EarlyStopping(monitor=monitor, patience=patience,
                                           restore_best_weights=restore_best_weights)
    hints = {"monitor": f"지켜볼 값은 '{monitor}'입니다.",
             "patience": f"{patience} 에포크를 기다리려면 patience={patience}입니다.",
             "restore_best_weights": "가장 좋았던 에포크의 가중치를 남기려면 restore_best_weights=True입니다."}
    for key in ("monitor", "patience", "restore_best_weights", "min_delta", "mode", "baseline", "start_from_epoch"):
        found, want = getattr(callback, key, None), getattr(wanted, key, None)
        if key == "mode" and found == "min" and "loss" in monitor:
            continue
        if not _same_setting(found, want):
            fail(f"{label}.{key}의 값이 틀렸습니다.", repr(want), repr(found),
                 hints.get(key, "문제에 적힌 것 외의 설정은 기본값으로 두세요."))
    recorded = fitlog.recorded_fit(history)
    used_by: Any = getattr(callback, "_model", None)  # the model of the fit the callback was used in
    if used_by is not model:
        fail(f"{label} 콜백이 이 모델의 fit에 쓰이지 않았습니다.", f"fit(..., callbacks=[{label}])", "콜백 없이 훈련",
             "만든 콜백을 callbacks=[...]로 fit에 넘기세요.")
    if recorded.params.get("epochs") != max_epochs:
        fail(f"fit의 epochs가 {max_epochs}이(가) 아닙니다.", max_epochs, recorded.params.get("epochs"),
             f"epochs={max_epochs}처럼 넉넉히 주고, 멈추는 때는 콜백이 정하게 하세요.")
    values = list(recorded.history.get(monitor, []))
    if not values:
        fail(f"훈련 기록에 {monitor}가 없습니다.", monitor, sorted(recorded.history),
             "fit에 validation_data=(x_val, y_val)를 넘기세요.")
    stop = min(int(np.argmin(values)) + 1 + patience, max_epochs)
    if len(values) != stop:
        fail("훈련이 EarlyStopping 규칙대로 멈추지 않았습니다.",
             f"{monitor}가 가장 낮은 에포크 뒤 {patience} 에포크, 즉 {stop} 에포크", f"{len(values)} 에포크",
             "fit에 validation_data와 callbacks=[...]를 넘겼는지 확인하세요.")
    if restore_best_weights and monitor == "val_loss":
        found = float(model.evaluate(x_val, y_val, batch_size=256, verbose=0, return_dict=True)["loss"])
        if not close(found, min(values)):
            fail("훈련이 끝난 모델의 검증 손실이 가장 낮았던 값과 다릅니다.", f"{min(values):.4f}", f"{found:.4f}",
                 "restore_best_weights=True이면 가장 좋았던 에포크의 가중치로 되돌립니다.")
