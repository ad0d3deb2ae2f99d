"""Reference comparisons (same_model, same_compile, trained_as, evaluated, close) accept every
right way of writing an answer and reject each kind of wrong one with a Korean message."""

import functools

import keras
import numpy as np
import pytest

from grader import checks
from tests.test_checks_models import fails


def chain(units=32, activations=("relu", "relu", "sigmoid"), use_bias=True):
    return keras.Sequential([keras.Input(shape=(20,)),
                             keras.layers.Dense(units, activation=activations[0]),
                             keras.layers.Dense(units, activation=activations[1], use_bias=use_bias),
                             keras.layers.Dense(1, activation=activations[2])])


def chain_functional(second_from_input=False):
    inputs = keras.Input(shape=(20,))
    x = keras.layers.Dense(32, activation="relu")(inputs)
    x = keras.layers.Dense(32, activation="relu")(inputs if second_from_input else x)
    return keras.Model(inputs, keras.layers.Dense(1, activation="sigmoid")(x))


def ticket(order=(0, 1, 2), names=("title", "text_body", "tags")):
    inputs = [keras.Input(shape=(size,), name=name) for size, name in zip((10, 10, 5), names)]
    features = keras.layers.Dense(8, activation="relu")(keras.layers.concatenate([inputs[i] for i in order]))
    priority = keras.layers.Dense(1, activation="sigmoid", name="priority")(features)
    department = keras.layers.Dense(4, activation="softmax", name="department")(features)
    return keras.Model(inputs, [priority, department])


def siamese(shared=True, same_input=False):
    left, right = keras.Input(shape=(8,)), keras.Input(shape=(8,))
    first = keras.layers.Dense(16, activation="relu")
    second = first if shared else keras.layers.Dense(16, activation="relu")
    merged = keras.layers.concatenate([first(left), second(left if same_input else right)])
    return keras.Model([left, right], keras.layers.Dense(1, activation="sigmoid")(merged))


def residual(merge="layer", skip_from="x"):
    inputs = keras.Input(shape=(8,))
    x = keras.layers.Dense(8, activation="relu")(inputs)
    block = keras.layers.Dense(8, activation="relu")(x)
    skip = {"x": x, "inputs": inputs, "middle": block}[skip_from]
    block = keras.layers.Dense(8, activation="relu")(block)
    summed = {"layer": lambda: keras.layers.Add()([skip, block]), "reversed": lambda: keras.layers.add([block, skip]),
              "plus": lambda: block + skip, "ops": lambda: keras.ops.add(skip, block),
              "concatenate": lambda: keras.layers.Concatenate()([skip, block])}[merge]()
    return keras.Model(inputs, keras.layers.Dense(1, activation="sigmoid")(summed))


@pytest.mark.parametrize("merge", ["layer", "reversed", "plus", "ops"])
def test_a_sum_written_in_any_order_or_form_is_the_same_residual_connection(merge):
    checks.same_model(residual(merge), residual())
    checks.same_model(residual(), residual(merge))


def test_same_network_written_as_sequential_or_functional_passes():
    checks.same_model(chain_functional(), chain())
    checks.same_model(chain(), chain_functional())
    checks.same_model(ticket(), ticket())
    checks.same_model(siamese(), siamese())


@pytest.mark.parametrize("wrong, right, mentions", [
    (lambda: chain(activations=("relu", "sigmoid", "sigmoid")), chain, ["activation", "relu", "sigmoid"]),
    (lambda: chain(activations=("relu", "relu", "softmax")), chain, ["activation", "softmax"]),
    (lambda: chain(use_bias=False), chain, ["use_bias"]),
    (lambda: chain(units=16), chain, ["units"]),
    (lambda: chain_functional(second_from_input=True), chain, ["층 개수"]),
    (lambda: ticket(order=(1, 0, 2)), ticket, ["연결", "text_body, title, tags"]),
    (lambda: ticket(names=("text_body", "title", "tags")), ticket, ["이름이나 순서"]),
    (lambda: siamese(shared=False), siamese, ["층 개수"]),
    (lambda: siamese(same_input=True), siamese, ["쓰이지 않는 입력"]),
    (lambda: residual(skip_from="middle"), residual, ["연결"]),
    (lambda: residual(merge="plus", skip_from="inputs"), residual, ["연결"]),
    (lambda: residual(merge="concatenate"), residual, ["종류", "Add", "Concatenate"]),
])
def test_wrong_settings_or_wiring_fail(wrong, right, mentions):
    fails(checks.same_model, wrong(), right(), mentions=mentions)


def test_behaviour_compares_outputs_with_transplanted_weights_and_keeps_student_weights():
    student, reference = chain(), chain()
    before = [w.copy() for w in student.get_weights()]
    checks.same_behaviour(student, reference)
    assert all(np.array_equal(a, b) for a, b in zip(before, student.get_weights()))
    lying = keras.Sequential([keras.Input(shape=(20,)), keras.layers.Dense(32, activation="relu"),
                              keras.layers.Dense(32, activation="relu"), keras.layers.Dense(1, activation="sigmoid"),
                              keras.layers.Lambda(lambda t: 1 - t)])
    fails(checks.same_behaviour, lying, reference)


def compiled_chain(**settings):
    model = chain()
    model.compile(**settings)
    return model


REFERENCE_COMPILE = dict(optimizer="rmsprop", loss="binary_crossentropy", metrics=["accuracy"])


@pytest.mark.parametrize("settings", [
    REFERENCE_COMPILE,
    dict(optimizer=keras.optimizers.RMSprop(), loss=keras.losses.BinaryCrossentropy(),
         metrics=[keras.metrics.BinaryAccuracy()]),
    dict(optimizer=keras.optimizers.RMSprop(learning_rate=1e-3), loss=keras.losses.binary_crossentropy,
         metrics=["acc"]),
])
def test_compile_settings_written_differently_pass(settings):
    checks.same_compile(compiled_chain(**settings), compiled_chain(**REFERENCE_COMPILE))


@pytest.mark.parametrize("change, mentions", [
    (dict(optimizer=keras.optimizers.RMSprop(learning_rate=1e-2)), ["learning_rate"]),
    (dict(optimizer=keras.optimizers.RMSprop(
        learning_rate=keras.optimizers.schedules.ExponentialDecay(1e-3, 10, 0.9))), ["learning_rate"]),
    (dict(optimizer=keras.optimizers.RMSprop(rho=0.5)), ["rho"]),
    (dict(optimizer="adam"), ["옵티마이저가 다릅니다"]),
    (dict(loss=keras.losses.BinaryCrossentropy(from_logits=True)), ["from_logits"]),
    (dict(loss=keras.losses.BinaryCrossentropy(reduction="sum")), ["reduction"]),
    (dict(loss="mse"), ["손실 함수가 다릅니다"]),
    (dict(metrics=["mae"]), ["metrics"]),
])
def test_compile_differences_fail(change, mentions):
    fails(checks.same_compile, compiled_chain(**{**REFERENCE_COMPILE, **change}),
          compiled_chain(**REFERENCE_COMPILE), mentions=mentions)


@pytest.fixture
def data():
    rng = np.random.default_rng(0)
    x = rng.normal(size=(96, 20)).astype("float32")
    return x, (x[:, 0] > 0).astype("float32")


def test_training_records_pass_when_the_task_is_followed(data):
    x, y = data
    model = compiled_chain(**REFERENCE_COMPILE)
    history = model.fit(x, y, epochs=2, batch_size=16, verbose=0)
    checks.trained_as(model, x=x, y=y, epochs=2, batch_size=16, history=history, single_call=True)
    split = compiled_chain(**REFERENCE_COMPILE)
    split.fit(x.astype("float64"), y, epochs=1, batch_size=16, verbose=0)
    split.fit(x, y, epochs=1, batch_size=16, verbose=0)
    checks.trained_as(split, x=x, y=y, epochs=2, batch_size=16)
    fails(lambda: checks.trained_as(split, x=x, y=y, epochs=2, single_call=True), mentions=["fit 2번"])
    checks.trained_as(split, x=x, y=y, epochs=None, batch_size=16)  # a count the task leaves open
    fails(lambda: checks.trained_as(split, x=x, y=y, epochs=None, single_call=True), mentions=["fit 2번"])


def test_training_records_reveal_reused_models_other_data_and_settings(data):
    x, y = data
    reused = compiled_chain(**REFERENCE_COMPILE)
    reused.fit(x, y, epochs=2, verbose=0)
    reused.fit(x, y, epochs=2, verbose=0)
    fails(lambda: checks.trained_as(reused, x=x, y=y, epochs=2), mentions=["에포크"])
    half = compiled_chain(**REFERENCE_COMPILE)
    half.fit(x[:48], y[:48], epochs=2, verbose=0)
    fails(lambda: checks.trained_as(half, x=x, y=y, epochs=2), mentions=["다른 입력 데이터"])
    shifted = compiled_chain(**REFERENCE_COMPILE)
    shifted.fit(np.roll(x, 1, axis=0), y, epochs=2, verbose=0)
    fails(lambda: checks.trained_as(shifted, x=x, y=y, epochs=2), mentions=["다른 입력 데이터"])
    batch = compiled_chain(**REFERENCE_COMPILE)
    batch.fit(x, y, epochs=2, batch_size=64, verbose=0)
    fails(lambda: checks.trained_as(batch, x=x, y=y, epochs=2, batch_size=16), mentions=["배치 크기"])
    validated = compiled_chain(**REFERENCE_COMPILE)
    validated.fit(x[:64], y[:64], epochs=1, validation_data=(x[64:], y[64:]), verbose=0)
    checks.trained_as(validated, x=x[:64], y=y[:64], epochs=1, validation_data=(x[64:], y[64:]))
    fails(lambda: checks.trained_as(validated, x=x[:64], y=y[:64], epochs=1, validation_data=(x[:32], y[:32])),
          mentions=["검증 입력"])
    never = compiled_chain(**REFERENCE_COMPILE)
    fails(lambda: checks.trained_as(never, x=x, y=y, epochs=1), mentions=["기록이 없습니다"])


def test_evaluated_numbers_must_come_from_the_named_data(data):
    x, y = data
    model = compiled_chain(**REFERENCE_COMPILE)
    model.fit(x, y, epochs=1, verbose=0)
    test_loss, test_acc = model.evaluate(x[48:], y[48:], verbose=0)
    checks.evaluated(test_acc, model, x[48:], y[48:], 1, "test_acc", "테스트 세트")
    val_loss, _ = model.evaluate(x[:48], y[:48], verbose=0)
    fails(checks.evaluated, val_loss, model, x[48:], y[48:], 0, "test_loss", "테스트 세트",
          mentions=["다른 데이터로 평가한 값"])
    fails(checks.evaluated, test_loss * 1.5, model, x[48:], y[48:], 0, "test_loss", "테스트 세트",
          mentions=["평가한 값과 다릅니다"])


def test_exactly_evaluated_numbers_are_the_very_numbers_evaluate_returned(data):
    x, y = data
    exactly_evaluated = functools.partial(checks.evaluated, exact=True)
    model = compiled_chain(**REFERENCE_COMPILE)
    model.fit(x, y, epochs=1, verbose=0)
    predicted = model.predict(x[48:], verbose=0)
    computed_by_hand = float(keras.ops.mean(keras.losses.binary_crossentropy(y[48:, None], predicted)))
    fails(exactly_evaluated, computed_by_hand, model, x[48:], y[48:], 0, "test_loss", "테스트 세트",
          mentions=["evaluate 호출이 없습니다"])
    test_loss, test_acc = model.evaluate(x[48:], y[48:], verbose=0)
    for same in (test_loss, np.float32(test_loss), np.float64(test_loss), keras.ops.convert_to_tensor(test_loss)):
        exactly_evaluated(same, model, x[48:], y[48:], 0, "test_loss", "테스트 세트")
    one_float32_step_off = float(np.nextafter(np.float32(test_loss), np.float32(2)))
    for typed_in in (float(f"{test_loss:.3g}"), one_float32_step_off):
        fails(exactly_evaluated, typed_in, model, x[48:], y[48:], 0, "test_loss", "테스트 세트",
              mentions=["정확히 같지 않습니다"])


def test_close_accepts_float64_and_tf32_rounding_but_not_real_mistakes():
    rng = np.random.default_rng(1)
    x, kernel = rng.normal(size=(8, 300)), rng.normal(size=(300, 40))
    exact = np.maximum(x @ kernel, 0)
    rounded = lambda a: a.astype("float32").view("int32") + 0x1000 & -0x2000  # noqa: E731
    tf32 = np.maximum(rounded(x).view("float32").astype("float64") @ rounded(kernel).view("float32"), 0)
    assert checks.close(tf32, exact) and checks.close(exact.astype("float32"), exact)
    assert not checks.close(np.maximum(x @ kernel + 0.5, 0), exact)
    assert not checks.close(x @ kernel, exact)
    assert not checks.close(exact[:4], exact)


def test_accuracy_object_is_not_the_accuracy_string():
    """keras.metrics.Accuracy() checks exact equality of probabilities and labels: not what 'accuracy' means."""
    fails(checks.same_compile, compiled_chain(**{**REFERENCE_COMPILE, "metrics": [keras.metrics.Accuracy()]}),
          compiled_chain(**REFERENCE_COMPILE), mentions=["metrics"])
