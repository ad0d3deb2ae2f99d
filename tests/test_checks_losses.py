"""Loss, optimizer, training and answer checks: right answers pass, typical mistakes fail."""

import keras
import numpy as np
import pytest

from grader import checks
from tests.test_checks_models import fails, mlp


def compiled(loss, optimizer="rmsprop", **kwargs):
    model = mlp(inputs=8, **kwargs)
    model.compile(optimizer=optimizer, loss=loss)
    return model


@pytest.mark.parametrize("spelling", [
    "binary_crossentropy", keras.losses.binary_crossentropy, keras.losses.BinaryCrossentropy()])
def test_right_loss_passes_in_every_spelling(spelling):
    checks.has_loss(compiled(spelling), "binary_crossentropy")
    checks.has_loss(compiled("binary_crossentropy"), spelling)


@pytest.mark.parametrize("wrong", [
    "mse", keras.losses.mean_squared_error, keras.losses.MeanSquaredError()])
def test_wrong_loss_fails_in_every_spelling(wrong):
    fails(checks.has_loss, compiled(wrong), "binary_crossentropy",
          mentions=["손실 함수", "mean_squared_error"])


def test_forgot_compile():
    fails(checks.has_loss, mlp(), "binary_crossentropy", mentions=["컴파일하지 않았습니다"])
    fails(checks.is_compiled, mlp(), mentions=["compile"])


def test_multi_output_losses_by_name():
    from tests.test_checks_models import two_output_model

    model = two_output_model()
    model.compile(optimizer="adam", loss={"priority": keras.losses.BinaryCrossentropy(),
                                          "department": "categorical_crossentropy"})
    checks.has_loss(model, {"priority": "binary_crossentropy",
                            "department": keras.losses.categorical_crossentropy})
    fails(checks.has_loss, model, {"priority": "mse", "department": "categorical_crossentropy"})


def test_optimizer_and_learning_rate():
    model = compiled("binary_crossentropy", keras.optimizers.RMSprop(learning_rate=1e-3))
    checks.has_optimizer(model, "rmsprop", learning_rate=1e-3)
    fails(checks.has_optimizer, model, "adam", mentions=["옵티마이저"])
    fails(checks.has_optimizer, model, "RMSprop", 1e-2, mentions=["학습률", "learning_rate"])


@pytest.mark.parametrize("task, model", [
    ("binary", lambda: compiled("binary_crossentropy")),
    ("multiclass", lambda: compiled("categorical_crossentropy", out=3, out_activation="softmax")),
    ("multiclass", lambda: compiled("sparse_categorical_crossentropy", out=3,
                                    out_activation="softmax")),
    ("regression", lambda: compiled("mse", out_activation=None)),
])
def test_matches_task_accepts_the_standard_setups(task, model):
    checks.matches_task(model(), task)


@pytest.mark.parametrize("task, model, explanation", [
    ("binary", lambda: compiled("binary_crossentropy", out=2, out_activation="softmax"),
     "softmax 출력에 이진 크로스엔트로피"),
    ("multiclass", lambda: compiled("categorical_crossentropy"), "손실이 항상 0"),
    ("multiclass", lambda: compiled("binary_crossentropy", out=3, out_activation="softmax"),
     "다중 분류에 이진 크로스엔트로피"),
    ("binary", lambda: compiled("mse"), "회귀용 손실"),
    ("regression", lambda: compiled("mse"), "linear"),
])
def test_matches_task_explains_classic_mistakes(task, model, explanation):
    fails(checks.matches_task, model(), task, mentions=[explanation])


def square_error(y_true, y_pred):
    return keras.ops.mean(keras.ops.square(y_true - y_pred), axis=-1)


CASES = [(np.array([[0.0, 1.0], [1.0, 0.0]]), np.array([[0.2, 0.7], [0.9, 0.4]]))]


def test_loss_fn_matches_right_and_wrong_implementations():
    checks.loss_fn_matches(square_error, keras.losses.mean_squared_error, CASES)
    fails(checks.loss_fn_matches, lambda t, p: keras.ops.mean(keras.ops.abs(t - p), axis=-1),
          keras.losses.mean_squared_error, CASES, mentions=["손실 값"])
    fails(checks.loss_fn_matches, lambda t, p: keras.ops.mean(keras.ops.square(t - p)),
          keras.losses.mean_squared_error, CASES, mentions=["크기"])
    fails(checks.loss_fn_matches, lambda t, p: undefined_name,  # noqa: F821
          keras.losses.mean_squared_error, CASES, mentions=["NameError"])


def test_loss_fn_without_clipping_is_caught_at_exact_zero_and_one():
    def unclipped(y_true, y_pred):
        return -keras.ops.mean(y_true * keras.ops.log(y_pred)
                               + (1 - y_true) * keras.ops.log(1 - y_pred), axis=-1)

    edge = [(np.array([[1.0, 0.0]]), np.array([[0.0, 1.0]]))]
    fails(checks.loss_fn_matches, unclipped, keras.losses.binary_crossentropy, edge,
          mentions=["nan 또는 inf", "clip"])


def test_trains_lowers_loss_and_leaves_model_untouched():
    keras.utils.set_random_seed(0)
    x = np.random.rand(128, 8).astype("float32")
    y = (x.sum(axis=1) > 4).astype("float32")
    model = compiled("binary_crossentropy", keras.optimizers.Adam(learning_rate=1e-2))
    before = [w.copy() for w in model.get_weights()]
    checks.trains(model, x, y, epochs=5)
    assert all(np.array_equal(a, b) for a, b in zip(before, model.get_weights()))
    frozen = compiled("binary_crossentropy", keras.optimizers.SGD(learning_rate=0.0))
    fails(checks.trains, frozen, x, y, 2, mentions=["손실이 줄지 않았습니다"])


def test_answer_checks():
    checks.is_int("answer_params", 784 * 32 + 32)
    checks.is_int("answer_params", np.int64(3))
    fails(checks.is_int, "answer_params", 3.0, mentions=["정수"])
    fails(checks.is_int, "answer_params", "25120")
    checks.is_float("test_acc", 0.85, "0.85", "")
    checks.is_float("test_acc", np.float32(0.85), "0.85", "")
    fails(checks.is_float, "test_acc", [0.3, 0.85], "0.85", "두 번째 원소",
          mentions=["실수(float) 하나", "두 번째 원소"])
    fails(checks.is_float, "test_acc", True, "0.85", "")
    checks.is_shape("answer_shape", (None, 32), ndim=2)
    fails(checks.is_shape, "answer_shape", [None, 32], 2, mentions=["튜플"])
    fails(checks.is_shape, "answer_shape", (None, 32, 1), 2, mentions=["2개"])
    checks.equals("answer_params", 25120, 25120, "")
    fails(checks.equals, "answer_params", 25088, 25120, "편향을 더하세요", mentions=["편향을 더하세요"])
    fails(checks.equals, "answer_shape", (32,), (None, 32), "배치 축")
