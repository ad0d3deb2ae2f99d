"""Checks on a Keras model's structure: shapes, layer table, parameter counts."""

from __future__ import annotations

import math
import re
from collections.abc import Iterable, Sequence
from typing import TypeAlias

import keras

from ._report import fail

Shape: TypeAlias = tuple[int | None, ...]  # batch axis included, as None: (None, 784)
Row: TypeAlias = tuple[str, int | None, str | None]  # (class name, units, activation) of a layer
RowSpec: TypeAlias = tuple[str | None, int | None, str | None]  # a Row a task asks for; None: any

INPUT_HINT = "Sequential의 첫 번째 원소로 keras.Input(shape=...)을 넣거나 Functional API로 모델을 만드세요."


def keras_made(obj: object) -> bool:
    """Whether `obj` is an instance of one of Keras's own classes (not of a class defined in the notebook)."""
    return (type(obj).__module__ or "").startswith("keras.")


def snake_case(name: str) -> str:
    """'BinaryCrossentropy' as 'binary_crossentropy': the name Keras gives a layer or loss after its class."""
    return re.sub(r"(?<=[a-z0-9])(?=[A-Z])", "_", name).lower()


def _own_classes(objects: Iterable[object], what: str) -> None:
    __tracebackhide__ = True
    custom = sorted({type(obj).__qualname__ for obj in objects if not keras_made(obj)})
    if custom:
        fail(f"{what}에 직접 정의한 클래스가 있습니다.", "keras가 제공하는 모델·층 클래스", custom,
             "이 연습은 keras.Sequential, keras.Model(inputs, outputs)과 keras.layers의 층만으로 만듭니다.")


def is_model(model: object) -> None:
    """The object is a built keras.Model made of Keras's own model and layer classes."""
    __tracebackhide__ = True
    if not isinstance(model, keras.Model):
        fail("모델이 아닙니다.", "keras.Model 객체", type(model).__name__,
             "keras.Sequential(...) 또는 keras.Model(inputs, outputs)로 만든 객체를 변수에 담으세요.")
    _own_classes([model, *model.layers], "모델")
    if not model.built:
        fail("모델의 입력 크기가 정해지지 않아 가중치가 아직 없습니다.", "built=True", "built=False",
             INPUT_HINT)


def _shapes(tensors: Iterable[keras.KerasTensor]) -> list[Shape]:
    return [tuple(t.shape) for t in tensors]


def _compare_shapes(what: str, found: list[Shape], expected: Shape | list[Shape], hint: str) -> None:
    __tracebackhide__ = True
    found_value = found[0] if len(found) == 1 and not isinstance(expected, list) else found
    expected_value = [tuple(s) for s in expected] if isinstance(expected, list) else tuple(expected)
    if found_value != expected_value:
        fail(f"{what} 크기가 다릅니다.", expected_value, found_value, hint)


def has_input_shape(model: keras.Model, expected: Shape | list[Shape]) -> None:
    """Input shape(s), batch axis included as None: (None, 784) or a list for several inputs."""
    __tracebackhide__ = True
    is_model(model)
    _compare_shapes("입력", _shapes(model.inputs), expected,
                    "keras.Input(shape=...)의 shape에는 배치 축을 빼고 샘플 하나의 크기만 적습니다.")


def has_output_shape(model: keras.Model, expected: Shape | list[Shape]) -> None:
    """Output shape(s), batch axis included as None."""
    __tracebackhide__ = True
    is_model(model)
    _compare_shapes("출력", _shapes(model.outputs), expected,
                    "마지막 층의 units(클래스 개수 또는 출력 개수)를 확인하세요.")


def has_input_count(model: keras.Model, n: int) -> None:
    """The model has n inputs."""
    __tracebackhide__ = True
    is_model(model)
    if len(model.inputs) != n:
        fail("입력 개수가 다릅니다.", n, len(model.inputs),
             "keras.Model(inputs=[입력1, 입력2], ...)처럼 입력을 리스트로 전달하세요.")


def has_output_count(model: keras.Model, n: int) -> None:
    """The model has n outputs."""
    __tracebackhide__ = True
    is_model(model)
    if len(model.outputs) != n:
        fail("출력 개수가 다릅니다.", n, len(model.outputs),
             "keras.Model(..., outputs=[출력1, 출력2])처럼 출력을 리스트로 전달하세요.")


def layer_row(layer: keras.layers.Layer) -> Row:
    """(class name, units, activation) of one layer; None where the layer has no such setting."""
    activation = getattr(layer, "activation", None)
    return (type(layer).__name__, getattr(layer, "units", None),
            getattr(activation, "__name__", activation))


def layer_table(model: keras.Model) -> list[Row]:
    """One row per layer, input layers left out, in the order Keras lists them."""
    return [layer_row(layer) for layer in model.layers
            if not isinstance(layer, keras.layers.InputLayer)]


def _row_matches(found: Row, expected: RowSpec) -> bool:
    return all(e is None or f == e for f, e in zip(found, expected))


def is_layer(obj: object, expected: RowSpec) -> None:
    """One layer object against (class name, units, activation); None means any."""
    __tracebackhide__ = True
    if not isinstance(obj, keras.layers.Layer):
        fail("층 객체가 아닙니다.", "keras.layers.Layer", type(obj).__name__,
             "keras.layers.Dense(...)처럼 층 객체를 만들어 변수에 담으세요.")
    _own_classes([obj], "층")
    row = layer_row(obj)
    if not _row_matches(row, expected):
        fail("층 설정이 다릅니다. (클래스, units, activation)", tuple(expected), row,
             "units는 출력 차원, activation은 활성화 함수 이름입니다.")


def has_layers(model: keras.Model, expected: Sequence[RowSpec]) -> None:
    """Layer table against rows of (class name, units, activation); None means any."""
    __tracebackhide__ = True
    is_model(model)
    table = layer_table(model)
    if len(table) != len(expected):
        fail(f"층 개수가 다릅니다. (Input 제외) 기대 {len(expected)}개, 실제 {len(table)}개",
             [tuple(row) for row in expected], table,
             "빠지거나 더 들어간 층이 없는지 model.summary()로 확인하세요.")
    for index, (row, want) in enumerate(zip(table, expected)):
        if not _row_matches(row, want):
            fail(f"{index + 1}번째 층(Input 제외)이 다릅니다. (클래스, units, activation)",
                 tuple(want), row,
                 "units와 activation을 문제와 비교하세요. activation을 빼면 'linear'가 됩니다.")


def parameter_count(model: keras.Model) -> int:
    """Total parameters, counted from the weights themselves (a patched count_params can't lie)."""
    return sum(math.prod(weight.shape) for weight in model.weights)


def has_parameter_count(model: keras.Model, n: int) -> None:
    """Total number of parameters (weights + biases)."""
    __tracebackhide__ = True
    is_model(model)
    found = parameter_count(model)
    if found != n:
        fail("파라미터 개수가 다릅니다.", f"{n:,}", f"{found:,}",
             "밀집 층의 파라미터 개수는 (입력 크기 × units) + units(편향)입니다.")


def same_structure(model: keras.Model, reference: keras.Model) -> None:
    """Two models have the same inputs, outputs, layer table and parameter count."""
    __tracebackhide__ = True
    is_model(model)
    is_model(reference)
    has_input_shape(model, [tuple(s) for s in _shapes(reference.inputs)])
    has_output_shape(model, [tuple(s) for s in _shapes(reference.outputs)])
    has_layers(model, layer_table(reference))
    has_parameter_count(model, parameter_count(reference))
