"""Each model check passes the right model and fails each typical mistake with a Korean message."""

import keras
import pytest

from grader import checks


def mlp(hidden=16, hidden_activation="relu", out=1, out_activation="sigmoid", inputs=784):
    return keras.Sequential([
        keras.Input(shape=(inputs,)),
        keras.layers.Dense(hidden, activation=hidden_activation),
        keras.layers.Dense(out, activation=out_activation),
    ])


def fails(check, *args, mentions=()):
    with pytest.raises(AssertionError) as info:
        check(*args)
    message = str(info.value)
    assert "기대한 값" in message and "실제 값" in message and "힌트" in message
    for word in mentions:
        assert word in message
    return message


RIGHT_TABLE = [("Dense", 16, "relu"), ("Dense", 1, "sigmoid")]


def test_right_model_passes_every_structure_check():
    model = mlp()
    checks.is_model(model)
    checks.has_input_shape(model, (None, 784))
    checks.has_output_shape(model, (None, 1))
    checks.has_layers(model, RIGHT_TABLE)
    checks.has_layers(model, [("Dense", None, None), ("Dense", 1, None)])
    checks.has_parameter_count(model, 784 * 16 + 16 + 16 + 1)
    checks.has_input_count(model, 1)
    checks.has_output_count(model, 1)


def test_wrong_units_fail_layers_and_params():
    model = mlp(hidden=32)
    fails(checks.has_layers, model, RIGHT_TABLE, mentions=["1번째 층", "32"])
    fails(checks.has_parameter_count, model, 784 * 16 + 16 + 16 + 1, mentions=["파라미터"])


def test_wrong_activation_fails_with_linear_hint():
    message = fails(checks.has_layers, mlp(out_activation=None), RIGHT_TABLE, mentions=["2번째 층"])
    assert "'linear'" in message


def test_missing_or_extra_layer_reports_both_tables():
    model = keras.Sequential([keras.Input(shape=(784,)), keras.layers.Dense(1, activation="sigmoid")])
    fails(checks.has_layers, model, RIGHT_TABLE, mentions=["층 개수", "기대 2개", "실제 1개"])


def test_missing_input_is_reported_as_unbuilt():
    model = keras.Sequential([keras.layers.Dense(16, activation="relu"), keras.layers.Dense(1)])
    for check, expected in [(checks.has_output_shape, (None, 1)), (checks.has_parameter_count, 17)]:
        fails(check, model, expected, mentions=["built=False", "keras.Input"])


def test_not_a_model():
    fails(checks.is_model, keras.layers.Dense(3), mentions=["모델이 아닙니다", "Dense"])


def test_wrong_shapes_fail():
    fails(checks.has_output_shape, mlp(out=10, out_activation="softmax"), (None, 1),
          mentions=["출력", "(None, 10)"])
    fails(checks.has_input_shape, mlp(inputs=100), (None, 784), mentions=["입력", "(None, 100)"])


def two_output_model():
    inputs = keras.Input(shape=(8,), name="features")
    hidden = keras.layers.Dense(4, activation="relu")(inputs)
    priority = keras.layers.Dense(1, activation="sigmoid", name="priority")(hidden)
    department = keras.layers.Dense(3, activation="softmax", name="department")(hidden)
    return keras.Model(inputs, [priority, department])


def test_multi_output_shapes_and_wrong_output_count():
    model = two_output_model()
    checks.has_output_count(model, 2)
    checks.has_output_shape(model, [(None, 1), (None, 3)])
    fails(checks.has_output_count, model, 1, mentions=["출력 개수"])
    fails(checks.has_output_shape, model, [(None, 1), (None, 4)])
    fails(checks.has_input_count, model, 2, mentions=["입력 개수"])


def test_single_layer_check():
    checks.is_layer(keras.layers.Dense(32, activation="relu"), ("Dense", 32, "relu"))
    fails(checks.is_layer, keras.layers.Dense(32), ("Dense", 32, "relu"), mentions=["linear"])
    fails(checks.is_layer, keras.layers.Dense(8, activation="relu"), ("Dense", 32, "relu"))
    fails(checks.is_layer, "Dense", ("Dense", 32, "relu"), mentions=["층 객체가 아닙니다"])


def test_same_structure_sequential_vs_functional():
    inputs = keras.Input(shape=(784,))
    hidden = keras.layers.Dense(16, activation="relu")(inputs)
    functional = keras.Model(inputs, keras.layers.Dense(1, activation="sigmoid")(hidden))
    checks.same_structure(functional, mlp())
    fails(checks.same_structure, functional, mlp(hidden=8))
