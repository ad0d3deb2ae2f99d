"""Compare a student's model with the reference model the solution notebook builds.

`same_model` judges as an expert reading the code would: the same inputs and outputs, every
layer configured the same, the same wiring (which input reaches which layer, in which argument
order, which layers are shared, no unused input), and the same behaviour once the reference's
weights are put into the student's layers. Layers are paired by walking both graphs from the
outputs back to the inputs, so Sequential and Functional versions of one network compare equal.
"""

from __future__ import annotations

import re
from collections.abc import Collection
from typing import Any, Literal, TypeAlias

import keras
import numpy as np

from ._report import fail
from .models import is_model, parameter_count, snake_case
from .numeric import close

# Settings that never change what a layer computes, or that the student may choose freely.
FREE_SETTINGS = {"name", "trainable", "dtype", "seed", "quantization_config"}
# Merges whose result does not depend on the order of their inputs (layers such as keras.layers.Add and
# the operations `a + b`, keras.ops.add, ... share these class names): their arguments compare as a set.
COMMUTATIVE = {"Add", "Average", "Maximum", "Minimum", "Multiply"}
# Where a tensor comes from: model input number i, or output `tensor_index` of the layer at `position` (in the
# Graph's canonical order) called on these arguments.
Node: TypeAlias = tuple[Literal["input"], int] | tuple[Literal["layer"], int, int, tuple["Node", ...]]


def _settings(layer: keras.layers.Layer, free: Collection[str]) -> dict[str, Any]:
    config = layer.get_config() if hasattr(layer, "get_config") else {}
    return {key: value for key, value in config.items()
            if key not in FREE_SETTINGS and key not in free and not key.endswith("_initializer")}


class Graph:
    """A model's layers in a canonical order and the wiring between them."""

    def __init__(self, model: keras.Model) -> None:
        self.model = model
        self.inputs = {id(tensor): index for index, tensor in enumerate(model.inputs)}
        self.layers: list[keras.layers.Layer] = []
        self.used_inputs: set[int] = set()
        self._seen: dict[int, Node] = {}
        self.outputs = [self._walk(tensor) for tensor in model.outputs]

    def _walk(self, tensor: keras.KerasTensor) -> Node:
        key = id(tensor)
        if key not in self._seen:
            self._seen[key] = self._describe(tensor)
        return self._seen[key]

    def _describe(self, tensor: keras.KerasTensor) -> Node:
        if id(tensor) in self.inputs:
            self.used_inputs.add(self.inputs[id(tensor)])
            return ("input", self.inputs[id(tensor)])
        layer, node_index, tensor_index = tensor._keras_history
        node = layer._inbound_nodes[node_index]
        arguments = tuple(self._walk(t) for t in node.arguments.keras_tensors)
        if type(layer).__name__ in COMMUTATIVE:
            arguments = tuple(sorted(arguments, key=repr))
        if not any(layer is known for known in self.layers):
            self.layers.append(layer)
        position = next(i for i, known in enumerate(self.layers) if known is layer)
        return ("layer", position, tensor_index, arguments)

    def render(self, description: Node) -> str:
        """'Dense#2(Concatenate#1(title, text_body))' for messages."""
        if description[0] == "input":
            return self.model.inputs[description[1]].name
        _, position, _, arguments = description
        inner = ", ".join(self.render(argument) for argument in arguments)
        return f"{type(self.layers[position]).__name__}#{position + 1}({inner})"


def _given_name(tensor: keras.KerasTensor) -> str | None:
    """The name the author gave an input or output, or None where Keras made one up."""
    layer = tensor._keras_history.operation
    auto = r"keras_tensor|input_layer|" + snake_case(type(layer).__name__)
    name = tensor.name if isinstance(layer, keras.layers.InputLayer) else layer.name
    return None if re.fullmatch(rf"({auto})(_\d+)?", name) else name


def output_names(model: keras.Model) -> list[str]:
    """Names of the model's outputs (the output layers' names), also for Sequential models."""
    return [_name_of(tensor) for tensor in model.outputs]


def _name_of(tensor: keras.KerasTensor) -> str:
    layer = tensor._keras_history.operation
    return tensor.name if isinstance(layer, keras.layers.InputLayer) else layer.name


def _check_ends(model: keras.Model, reference: keras.Model) -> None:
    __tracebackhide__ = True
    for what, found, wanted in (("입력", model.inputs, reference.inputs), ("출력", model.outputs, reference.outputs)):
        if len(found) != len(wanted):
            fail(f"{what} 개수가 다릅니다.", len(wanted), len(found),
                 f"keras.Model(inputs=..., outputs=...)에 넘긴 {what} 리스트를 문제와 비교하세요.")
        shapes, wanted_shapes = [tuple(t.shape) for t in found], [tuple(t.shape) for t in wanted]
        if shapes != wanted_shapes:
            fail(f"{what} 크기가 다릅니다.", wanted_shapes, shapes,
                 "keras.Input(shape=...)과 마지막 층의 units를 확인하세요. 배치 축은 None입니다.")
        names = [_given_name(t) for t in wanted]
        found_names = [_name_of(t) for t in found]
        if any(n is not None and n != f for n, f in zip(names, found_names)):
            fail(f"{what}의 이름이나 순서가 다릅니다.", names, found_names,
                 f"name='이름'으로 이름을 붙이고 문제에 적힌 순서대로 {'inputs' if what == '입력' else 'outputs'}에 "
                 "넘기세요.")


def same_layers(model: keras.Model, reference: keras.Model, free: Collection[str] = ()) -> None:
    """Every layer configured as in the reference (class, units, activation, use_bias, ...)."""
    __tracebackhide__ = True
    mine, theirs = Graph(model), Graph(reference)
    if len(mine.layers) != len(theirs.layers):
        fail(f"층 개수가 다릅니다. (Input 제외) 기대 {len(theirs.layers)}개, 실제 {len(mine.layers)}개",
             [type(layer).__name__ for layer in theirs.layers], [type(layer).__name__ for layer in mine.layers],
             "빠지거나 더 들어간 층이 없는지 model.summary()로 확인하세요.")
    for number, (found, wanted) in enumerate(zip(mine.layers, theirs.layers), start=1):
        if type(found).__name__ != type(wanted).__name__:
            fail(f"출력 쪽에서 거슬러 올라가 {number}번째로 만나는 층의 종류가 다릅니다.",
                 type(wanted).__name__, type(found).__name__, "층의 종류와 순서를 문제와 비교하세요.")
        same_layer(found, wanted, f"{type(found).__name__} 층 '{found.name}'", free,
                   hint="층을 만들 때 넘긴 인자를 문제와 비교하세요.")


def same_layer(layer: keras.layers.Layer, wanted: keras.layers.Layer, name: str, free: Collection[str] = (),
               hint: str = "문제에 적힌 설정 외에는 층의 기본값을 그대로 두세요.") -> None:
    """One layer object configured exactly as the reference layer (units, activation, use_bias, ...);
    `hint` for settings without a hint of their own."""
    __tracebackhide__ = True
    found_settings, wanted_settings = _settings(layer, free), _settings(wanted, free)
    for key in sorted(found_settings.keys() | wanted_settings.keys()):
        if found_settings.get(key) != wanted_settings.get(key):
            fail(f"{name}의 설정 {key}이(가) 다릅니다.", wanted_settings.get(key), found_settings.get(key),
                 _SETTING_HINTS.get(key, hint))


_SETTING_HINTS = {
    "units": "units는 그 층이 내보내는 특성(출력)의 개수입니다.",
    "activation": "activation을 빼면 'linear'(활성화 함수 없음)가 됩니다.",
    "use_bias": "문제에서 따로 말하지 않으면 use_bias는 기본값(True)으로 둡니다.",
}


def _nothing_unused(model: keras.Model, graph: Graph) -> None:
    __tracebackhide__ = True
    unused = [f"{i + 1}번째 입력 ({model.inputs[i].name})" for i in range(len(model.inputs))
              if i not in graph.used_inputs]
    if unused:
        fail("출력 계산에 쓰이지 않는 입력이 있습니다.", "모든 입력이 출력 계산에 쓰임", unused,
             "각 입력을 문제에 적힌 층에 연결했는지 확인하세요. 같은 입력을 두 번 쓰지 않았나요?")
    loose = [layer.name for layer in model.layers if not isinstance(layer, keras.layers.InputLayer)
             and not any(layer is used for used in graph.layers)]
    if loose:
        fail("출력까지 이어지지 않은 층이 있습니다.", "모든 층이 출력 계산에 쓰임", loose,
             "층의 출력을 다음 층에 넘겼는지 확인하세요. x = 층(x)처럼 결과를 이어 받아야 합니다.")


def same_wiring(model: keras.Model, reference: keras.Model) -> None:
    """Inputs reach the same layers in the same argument order; shared layers stay shared; nothing unused."""
    __tracebackhide__ = True
    mine, theirs = Graph(model), Graph(reference)
    _nothing_unused(model, mine)
    for number, (found, wanted) in enumerate(zip(mine.outputs, theirs.outputs), start=1):
        if found != wanted:
            fail(f"{number}번째 출력까지의 연결(wiring)이 다릅니다. (층#번호는 출력 쪽에서 만나는 순서)",
                 theirs.render(wanted), mine.render(found),
                 "어느 입력이 어느 층으로 들어가는지, concatenate에 넘기는 순서, 공유할 층을 한 번만 만들었는지 "
                 "확인하세요.")


def _random_inputs(model: keras.Model, seed: int) -> list[np.ndarray]:
    rng = np.random.default_rng(seed)
    return [rng.normal(size=(5, *tuple(t.shape)[1:])).astype("float32") for t in model.inputs]


def _outputs(model: keras.Model, inputs: list[np.ndarray]) -> list[np.ndarray]:
    result = model(inputs if len(inputs) > 1 else inputs[0], training=False)
    results = result if isinstance(result, (list, tuple)) else (
        [result[k] for k in output_names(model)] if isinstance(result, dict) else [result])
    return [keras.ops.convert_to_numpy(r) for r in results]


def same_behaviour(model: keras.Model, reference: keras.Model, seed: int = 0) -> None:
    """With the reference's weights in the student's layers, outputs agree on unseen inputs."""
    __tracebackhide__ = True
    mine, theirs = Graph(model), Graph(reference)
    # Operations written as `a + b` or keras.ops.add(a, b) sit in the graph without weights.
    pairs = [(found, wanted) for found, wanted in zip(mine.layers, theirs.layers)
             if hasattr(found, "get_weights") and hasattr(wanted, "get_weights")]
    saved = [found.get_weights() for found, _ in pairs]
    try:
        for found, wanted in pairs:
            found.set_weights(wanted.get_weights())
        inputs = _random_inputs(reference, seed)
        found_out, wanted_out = _outputs(model, inputs), _outputs(reference, inputs)
    except ValueError as error:
        fail("기준 모델의 가중치를 넣을 수 없습니다 (가중치 크기가 다름).", "같은 크기의 가중치",
             str(error)[:200], "층의 units와 입력 크기를 문제와 비교하세요.")
    finally:
        for (found, _), weights in zip(pairs, saved):
            found.set_weights(weights)
    for number, (found, wanted) in enumerate(zip(found_out, wanted_out), start=1):
        if not close(found, wanted):
            fail(f"같은 가중치를 넣어도 {number}번째 출력이 기준 모델과 다릅니다.", np.round(wanted[0], 4),
                 np.round(found[0], 4), "층의 활성화 함수와 연결 순서를 확인하세요.")


def same_model(model: keras.Model, reference: keras.Model, free: Collection[str] = ()) -> None:
    """Same inputs, outputs, layer settings, wiring, parameter count and behaviour as the reference."""
    __tracebackhide__ = True
    is_model(model)
    _check_ends(model, reference)
    _nothing_unused(model, Graph(model))
    same_layers(model, reference, free)
    same_wiring(model, reference)
    if parameter_count(model) != parameter_count(reference):
        fail("파라미터 개수가 다릅니다.", f"{parameter_count(reference):,}", f"{parameter_count(model):,}",
             "밀집 층의 파라미터 개수는 (입력 크기 × units) + units(편향)입니다.")
    same_behaviour(model, reference)
