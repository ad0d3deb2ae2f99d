"""Checks of what a task text states (grader.checks.spec), as public test cells use them: each passes every right
way of writing the stated requirement and fails, in Korean, an answer that breaks it."""

import keras
import numpy as np
import pytest

from grader import checks
from tests.test_checks_models import fails
from tests.test_checks_reference import chain, residual, siamese, ticket


def fails_with(check, *args, mentions=(), **settings):
    """`fails` for checks that take keyword settings."""
    return fails(lambda: check(*args, **settings), mentions=mentions)


def test_uses_input_rejects_input_shape_on_a_layer():
    checks.uses_input(chain())
    with pytest.warns(UserWarning):
        old = keras.Sequential([keras.layers.Dense(4, activation="relu", input_shape=(3,)), keras.layers.Dense(1)])
    fails(checks.uses_input, old, mentions=["input_shape", "keras.Input"])


def test_keeps_defaults_accepts_named_settings_and_rejects_any_other():
    checks.keeps_defaults(chain())
    checks.keeps_defaults(ticket(), free=("axis",))
    checks.keeps_defaults(keras.layers.Dense(3, activation="relu"))
    fails(checks.keeps_defaults, chain(use_bias=False), mentions=["use_bias", "기본값"])
    fails(checks.keeps_defaults, keras.layers.Dense(3, kernel_regularizer="l2"), mentions=["kernel_regularizer"])
    concatenated = keras.layers.Concatenate(axis=1)
    fails(checks.keeps_defaults, concatenated, mentions=["axis"])
    checks.keeps_defaults(concatenated, free=("axis",))


def test_has_names_in_order():
    checks.has_names(ticket(), inputs=["title", "text_body", "tags"], outputs=["priority", "department"])
    fails(checks.has_names, ticket(names=("text_body", "title", "tags")), ["title", "text_body", "tags"],
          mentions=["입력의 이름이나 순서"])
    fails(checks.has_names, ticket(), None, ["department", "priority"], mentions=["출력의 이름이나 순서"])


def test_merges_reads_where_each_argument_comes_from():
    checks.merges(ticket(), "Concatenate", ["title", "text_body", "tags"])
    fails(checks.merges, ticket(order=(1, 0, 2)), "Concatenate", ["title", "text_body", "tags"],
          mentions=["text_body", "순서"])
    model = siamese()
    sides = [f"{tensor.name} → Dense(16, relu)" for tensor in model.inputs]
    checks.merges(model, "Concatenate", sides)
    unshared = siamese(shared=False)
    checks.merges(unshared, "Concatenate", [f"{t.name} → Dense(16, relu)" for t in unshared.inputs])  # a path only
    left = keras.Input(shape=(8,), name="left")
    right = keras.Input(shape=(8,), name="right")
    shared = keras.layers.Dense(4)
    named = keras.Model([left, right], keras.layers.Concatenate()([shared(left), shared(right)]))
    checks.merges(named, "Concatenate", ["left → Dense(4, linear)", "right → Dense(4, linear)"])
    fails(checks.merges, named, "Concatenate", ["right → Dense(4, linear)", "left → Dense(4, linear)"])
    twice = keras.Model([left, right], keras.layers.Concatenate()([shared(left), shared(left)]))
    fails(checks.merges, twice, "Concatenate", ["left → Dense(4, linear)", "right → Dense(4, linear)"],
          mentions=["left → Dense(4, linear)"])


@pytest.mark.parametrize("form", ["layer", "reversed", "plus", "ops"])
def test_merges_of_a_residual_connection_in_any_form(form):
    paths = ["입력 → Dense(8, relu)", "입력 → Dense(8, relu) → Dense(8, relu) → Dense(8, relu)"]
    checks.merges(residual(form), "Add", paths, commutative=True)
    named = keras.Input(shape=(8,), name="features")  # the only input is '입력' whatever its name
    x = keras.layers.Dense(8, activation="relu")(named)
    block = keras.layers.Dense(8, activation="relu")(keras.layers.Dense(8, activation="relu")(x))
    checks.merges(keras.Model(named, x + block), "Add", paths, commutative=True)
    fails(checks.merges, residual(form, skip_from="middle"), "Add", paths, True,
          mentions=["입력 → Dense(8, relu) → Dense(8, relu)"])


def test_merges_missing_or_other_kind():
    fails(checks.merges, residual("concatenate"), "Add", ["입력 → Dense"], mentions=["Add 1개", "Add 0개"])


def test_outputs_probabilities():
    softmax = keras.Sequential([keras.Input(shape=(5,)), keras.layers.Dense(3, activation="softmax")])
    checks.outputs_probabilities(softmax)
    for activation in ("sigmoid", "relu", None):
        wrong = keras.Sequential([keras.Input(shape=(5,)), keras.layers.Dense(3, activation=activation)])
        fails(checks.outputs_probabilities, wrong, mentions=["확률"])


def compiled(model, **settings):
    model.compile(**settings)
    return model


def test_compiled_with_strings_objects_and_aliases():
    wanted = dict(optimizer="rmsprop", loss="binary_crossentropy", metrics=["accuracy"])
    checks.compiled_with(compiled(chain(), **wanted), **wanted)
    as_objects = compiled(chain(), optimizer=keras.optimizers.RMSprop(), loss=keras.losses.BinaryCrossentropy(),
                          metrics=[keras.metrics.BinaryAccuracy()])
    checks.compiled_with(as_objects, **wanted)
    checks.compiled_with(as_objects, optimizer="rmsprop", metrics=["accuracy"])  # the model's own loss
    fails_with(checks.compiled_with, compiled(chain(), **{**wanted, "optimizer": keras.optimizers.RMSprop(0.01)}),
               mentions=["learning_rate"], **wanted)


def test_compiled_with_reports_each_stated_setting():
    wanted = dict(optimizer="rmsprop", loss="binary_crossentropy", metrics=["accuracy"])
    for wrong, word in ((dict(optimizer="adam"), "옵티마이저"), (dict(loss="mse"), "손실 함수"),
                        (dict(loss=keras.losses.BinaryCrossentropy(from_logits=True)), "from_logits"),
                        (dict(metrics=["mae"]), "metrics")):
        model = compiled(chain(), **{**wanted, **wrong})
        with pytest.raises(AssertionError, match=word):
            checks.compiled_with(model, **wanted)
    logits = compiled(chain(), **{**wanted, "loss": keras.losses.BinaryCrossentropy(from_logits=True)})
    with pytest.raises(AssertionError, match="from_logits"):  # a loss left to the student keeps its defaults
        checks.compiled_with(logits, optimizer="rmsprop", metrics=["accuracy"])


def test_has_metric_names_as_history_records_them():
    for metric in ("accuracy", keras.metrics.BinaryAccuracy(name="accuracy")):
        checks.has_metric_names(compiled(chain(), optimizer="rmsprop", loss="binary_crossentropy", metrics=[metric]),
                                ["accuracy"])
    for metric in ("acc", "binary_accuracy", keras.metrics.BinaryAccuracy(), keras.metrics.binary_accuracy):
        model = compiled(chain(), optimizer="rmsprop", loss="binary_crossentropy", metrics=[metric])
        checks.compiled_with(model, optimizer="rmsprop", metrics=["accuracy"])  # the same accuracy by meaning
        with pytest.raises(AssertionError, match="지표가 기록될 이름"):
            checks.has_metric_names(model, ["accuracy"])


def test_compiled_with_one_loss_per_output():
    losses = {"priority": "mean_squared_error", "department": "categorical_crossentropy"}
    metrics = {"priority": ["mean_absolute_error"], "department": ["accuracy"]}
    model = compiled(ticket(), optimizer="rmsprop", loss={"department": keras.losses.CategoricalCrossentropy(),
                                                          "priority": "mse"}, metrics=metrics)
    checks.compiled_with(model, optimizer="rmsprop", loss=losses, metrics=metrics)
    swapped = compiled(ticket(), optimizer="rmsprop", loss={**losses, "department": "sparse_categorical_crossentropy"},
                       metrics=metrics)
    with pytest.raises(AssertionError, match="department"):
        checks.compiled_with(swapped, optimizer="rmsprop", loss=losses, metrics=metrics)


def test_new_model_builds_new_untrained_models(data):
    x, y = data

    def build(optimizer="rmsprop", layer=None):
        model = keras.Sequential([keras.Input(shape=(20,)), layer or keras.layers.Dense(1)])
        model.compile(optimizer=optimizer, loss="mse")
        return model

    first = checks.new_model(build, "build_model")
    assert isinstance(first, keras.Model) and first.compiled
    checks.new_model(lambda: keras.Sequential([keras.Input(shape=(20,)), keras.layers.Dense(1)]))  # compile: later
    kept = build()
    fails(checks.new_model, lambda: kept, mentions=["같은 모델"])
    layer = keras.layers.Dense(1)
    fails(checks.new_model, lambda: build(layer=layer), mentions=["함께 씁니다", layer.name])
    optimizer = keras.optimizers.RMSprop()
    fails(checks.new_model, lambda: build(optimizer=optimizer), mentions=["함께 씁니다", "optimizer"])

    def trained():
        model = build()
        model.fit(x, y, epochs=1, verbose=0)
        return model

    fails(checks.new_model, trained, mentions=["훈련한 모델"])
    fails(checks.new_model, None, "build_model", mentions=["build_model 함수가 없습니다"])
    fails(checks.new_model, lambda: 1 / 0, mentions=["ZeroDivisionError"])
    fails(checks.new_model, lambda: "model", mentions=["keras"])


@pytest.fixture(scope="module")
def data():
    rng = np.random.default_rng(0)
    x = rng.normal(size=(100, 20)).astype("float32")
    return x, (x[:, 0] > 0).astype("float32")


def fitted(x, y, *calls):
    model = compiled(chain(), optimizer="rmsprop", loss="binary_crossentropy")
    histories = [model.fit(x, y, verbose=0, **settings) for settings in calls]
    return model, histories[-1]


def test_trained_near_best_reads_the_recorded_curve(data):
    x, y = data
    _, history = fitted(x[:80], y[:80], dict(epochs=12, validation_data=(x[80:], y[80:])))
    best = int(np.argmin(history.history["val_loss"])) + 1
    for epochs in {max(1, best - 2), best, best + 2}:
        model, _ = fitted(x, y, dict(epochs=epochs))
        checks.trained_near_best(model, history, 2, "final_model")
    split, _ = fitted(x, y, dict(epochs=1), dict(epochs=max(best - 1, 1)))
    checks.trained_near_best(split, history, 2)  # several fit calls add up (to best, or 2 when best is 1)
    far, _ = fitted(x, y, dict(epochs=best + 3))
    fails(checks.trained_near_best, far, history, 2, "final_model", mentions=[f"{best + 3} 에포크", "final_model"])
    history.history["val_loss"] = [0.0] + [1.0] * 11  # an edited History changes nothing
    checks.trained_near_best(fitted(x, y, dict(epochs=best))[0], history, 2)
    checks.trained_near_best(fitted(x, y, dict(epochs=best))[0], history.model, 2)  # the curve of the model
    fails(checks.trained_near_best, far, history.model, 2, mentions=[f"{best + 3} 에포크"])
    no_validation = fitted(x, y, dict(epochs=2))
    fails(checks.trained_near_best, far, no_validation[1], 2, mentions=["val_loss"])
    fails(checks.trained_near_best, far, no_validation[0], 2, mentions=["val_loss"])


def test_held_out_last_accepts_validation_split_or_the_same_slices(data):
    x, y = data
    settings = dict(x=x, y=y, fraction=0.2, epochs=2, batch_size=16)
    model, history = fitted(x, y, dict(epochs=2, batch_size=16, validation_split=0.2))
    checks.held_out_last(model, history=history, name="split_model", **settings)
    model, history = fitted(x[:80], y[:80], dict(epochs=2, batch_size=16, validation_data=(x[80:], y[80:])))
    checks.held_out_last(model, history=history, **settings)
    first, _ = fitted(x[20:], y[20:], dict(epochs=2, batch_size=16, validation_data=(x[:20], y[:20])))
    fails_with(checks.held_out_last, first, mentions=["다른 입력 데이터"], **settings)
    other, _ = fitted(x, y, dict(epochs=2, batch_size=16, validation_split=0.25))
    fails_with(checks.held_out_last, other, mentions=["validation_split"], **settings)
    none, _ = fitted(x, y, dict(epochs=2, batch_size=16))
    fails_with(checks.held_out_last, none, mentions=["검증 세트 없이"], **settings)


def test_matches_task_with_stated_label_format():
    model = keras.Sequential([keras.Input(shape=(4,)), keras.layers.Dense(5, activation="softmax")])
    model.compile(optimizer="rmsprop", loss="categorical_crossentropy")
    checks.matches_task(model, "multiclass")
    checks.matches_task(model, "multiclass", labels="one_hot")
    message = fails(checks.matches_task, model, "multiclass", "integer", mentions=["정수 레이블"])
    assert "['sparse_categorical_crossentropy']" in message
    model.compile(optimizer="rmsprop", loss=keras.losses.SparseCategoricalCrossentropy())
    checks.matches_task(model, "multiclass", labels="integer")
    fails(checks.matches_task, model, "multiclass", "one_hot", mentions=["원-핫 레이블"])


def test_is_optimizer_with_a_stated_range():
    checks.is_optimizer(keras.optimizers.SGD(0.01), "SGD", "sgd", learning_rate=0.01)
    checks.is_optimizer(keras.optimizers.SGD(learning_rate=1e-2, momentum=0.0), "SGD", "sgd", learning_rate=0.01)
    for momentum in (0.5, 0.9, 0.99):
        checks.is_optimizer(keras.optimizers.SGD(0.01, momentum=momentum), "SGD", "sgd",
                            learning_rate=0.01, momentum=(0.5, 0.99))
    for wrong, words in ((keras.optimizers.SGD(0.01, momentum=0.3), ["범위 밖", "momentum"]),
                         (keras.optimizers.SGD(0.01, momentum=0.9, nesterov=True), ["nesterov"]),
                         (keras.optimizers.SGD(0.1, momentum=0.9), ["learning_rate"]),
                         (keras.optimizers.Adam(0.01), ["종류", "Adam"]), ("sgd", ["종류"])):
        fails_with(checks.is_optimizer, wrong, "SGD", "sgd", mentions=words, learning_rate=0.01,
                   momentum=(0.5, 0.99))
    schedule = keras.optimizers.schedules.ExponentialDecay(0.01, 100, 0.9)
    fails_with(checks.is_optimizer, keras.optimizers.Adam(schedule), "Adam", "adam",
               mentions=["learning_rate"], learning_rate=0.01)


def small(output=("sigmoid", 1), loss="binary_crossentropy"):
    model = keras.Sequential([keras.Input(shape=(4,)), keras.layers.Dense(3, activation="relu"),
                              keras.layers.Dense(output[1], activation=output[0])])
    return compiled(model, optimizer="rmsprop", loss=loss)


def test_fixed_in_one_place():
    buggy = small(output=("softmax", 2))
    checks.fixed_in_one_place(small(), buggy, "binary_model")
    checks.fixed_in_one_place(small(output=("softmax", 2), loss="sparse_categorical_crossentropy"), buggy)
    fails(checks.fixed_in_one_place, small(loss="mse"), buggy, "binary_model", mentions=["둘 다"])
    fails(checks.fixed_in_one_place, small(output=("softmax", 2)), buggy, mentions=["같습니다"])
    other_hidden = keras.Sequential([keras.Input(shape=(4,)), keras.layers.Dense(8, activation="relu"),
                                     keras.layers.Dense(1, activation="sigmoid")])
    fails(checks.fixed_in_one_place, compiled(other_hidden, optimizer="rmsprop", loss="binary_crossentropy"), buggy,
          mentions=["units"])
    fails(checks.fixed_in_one_place, compiled(small(), optimizer="adam", loss="binary_crossentropy"), buggy,
          mentions=["옵티마이저"])


def test_stopped_early_settings_use_stop_and_restore(data):
    x, y = data
    settings = dict(patience=2, restore_best_weights=True, max_epochs=40)

    def trained(callback, epochs=40, validation=True):
        model = compiled(chain(), optimizer=keras.optimizers.RMSprop(0.05), loss="binary_crossentropy")
        history = model.fit(x[:60], y[:60], epochs=epochs, batch_size=16, verbose=0, callbacks=[callback],
                            validation_data=(x[60:], y[60:]) if validation else None)
        return model, history

    callback = keras.callbacks.EarlyStopping(monitor="val_loss", patience=2, restore_best_weights=True, mode="min")
    model, history = trained(callback)
    checks.stopped_early(callback, model, history, x_val=x[60:], y_val=y[60:], **settings)
    fails_with(checks.stopped_early, callback, model, history, x_val=x[60:], y_val=y[60:], mentions=["epochs"],
               **{**settings, "max_epochs": 100})
    model.set_weights([w * 0.5 for w in model.get_weights()])  # not the best weights any more
    fails_with(checks.stopped_early, callback, model, history, x_val=x[60:], y_val=y[60:], mentions=["가장 낮았던"],
               **settings)
    for wrong, word in ((dict(monitor="loss"), "monitor"), (dict(restore_best_weights=False), "restore_best_weights"),
                        (dict(min_delta=0.01), "min_delta")):
        callback = keras.callbacks.EarlyStopping(**{"monitor": "val_loss", "patience": 2,
                                                    "restore_best_weights": True, **wrong})
        fails_with(checks.stopped_early, callback, *trained(callback, epochs=3), x_val=x[60:], y_val=y[60:],
                   mentions=[word], **settings)
    unused = keras.callbacks.EarlyStopping(monitor="val_loss", patience=2, restore_best_weights=True)
    model, history = trained(keras.callbacks.History(), epochs=3)
    fails_with(checks.stopped_early, unused, model, history, x_val=x[60:], y_val=y[60:],
               mentions=["쓰이지 않았습니다"], **settings)
