"""Hidden tests for lesson 03 (손실 함수와 옵티마이저)."""

import keras
import numpy as np

from grader import checks
from grader.checks import loss_name

_CHOICES = {
    "binary": ({"binary_crossentropy"}, "sigmoid 출력 하나와 0/1 레이블에는 binary_crossentropy를 씁니다."),
    "multiclass_onehot": ({"categorical_crossentropy"},
                          "원-핫 레이블의 다중 분류에는 categorical_crossentropy를 씁니다."),
    "multiclass_integer": ({"sparse_categorical_crossentropy"},
                           "정수 레이블에는 sparse_categorical_crossentropy를 씁니다 (레이블 형식만 다릅니다)."),
    "regression": ({"mean_squared_error", "mean_absolute_error"}, "회귀에는 mse(또는 mae)를 씁니다."),
}


def _floats(*arrays):
    return [np.asarray(a, dtype="float32") for a in arrays]


def ex1_choose(task_losses):
    """Each task maps to the standard loss (aliases such as 'mse' accepted)."""
    __tracebackhide__ = True
    for task, (accepted, hint) in _CHOICES.items():
        found = loss_name(task_losses.get(task))
        if found not in accepted:
            checks.fail(f"'{task}' 문제의 손실 함수가 알맞지 않습니다.", sorted(accepted), found, hint)


def ex2_mse(my_mse):
    """Equals keras MSE on unseen shapes, including a 3-D batch."""
    __tracebackhide__ = True
    rng = np.random.default_rng(302)
    cases = [_floats(rng.normal(size=shape), rng.normal(size=shape)) for shape in ((4, 3), (5, 1), (2, 3, 4))]
    checks.loss_fn_matches(my_mse, keras.losses.mean_squared_error, cases)


def ex3_bce(my_binary_crossentropy):
    """Equals keras binary crossentropy, including predictions of exactly 0 and 1."""
    __tracebackhide__ = True
    rng = np.random.default_rng(303)
    cases = [
        _floats(rng.integers(0, 2, size=(6, 3)), rng.uniform(0.01, 0.99, size=(6, 3))),
        _floats([[1, 0, 1, 0]], [[1, 0, 0, 1]]),  # 정확히 맞힌 값과 정확히 틀린 값 (0과 1)
        _floats([[0.0], [1.0], [1.0]], [[0.0], [1.0], [0.5]]),
    ]
    checks.loss_fn_matches(my_binary_crossentropy, keras.losses.binary_crossentropy, cases)


def ex4_cce(my_categorical_crossentropy):
    """Equals keras categorical crossentropy, including a probability of exactly 0 for the true class."""
    __tracebackhide__ = True
    rng = np.random.default_rng(304)
    logits = rng.normal(size=(5, 4))
    probabilities = np.exp(logits) / np.exp(logits).sum(axis=1, keepdims=True)
    cases = [
        _floats(np.eye(4)[rng.integers(0, 4, size=5)], probabilities),
        _floats([[0, 1, 0], [0, 0, 1]], [[0, 1, 0], [1, 0, 0]]),  # 확률 1로 맞힘, 정답에 확률 0
    ]
    checks.loss_fn_matches(my_categorical_crossentropy, keras.losses.categorical_crossentropy, cases)


def ex5_gradient_descent(w, b, loss_history, x_data, y_data):
    """100 recorded MSE values starting at mean(y²), and w, b close to the true 3 and 2."""
    __tracebackhide__ = True
    history = np.asarray([float(value) for value in loss_history])
    first = float(np.mean(np.square(y_data)))
    if not np.isclose(history[0], first, rtol=1e-3):
        checks.fail("첫 번째 손실이 w = b = 0일 때의 MSE와 다릅니다.", f"{first:.4f}", f"{history[0]:.4f}",
                    "w와 b를 0으로 시작하고, 변수를 바꾸기 전의 손실 mean((w·x + b - y)²)을 기록하세요.")
    for name, value, true in (("w", w, 3.0), ("b", b, 2.0)):
        if abs(float(value) - true) > 0.05:
            checks.fail(f"학습한 {name}가 정답에서 멉니다.", f"약 {true}", f"{float(value):.4f}",
                        "learning_rate=0.1로 100단계를 모두 실행했는지, w와 b를 둘 다 바꾸었는지 확인하세요.")
    if not np.all(np.isfinite(history)) or not history[-1] < history[0] / 10:
        checks.fail("손실이 충분히 줄지 않았습니다.", f"{history[0] / 10:.4f}보다 작은 마지막 손실",
                    f"{history[-1]:.4f}",
                    "변수는 그레이디언트의 반대 방향으로 옮깁니다: w.assign_sub(learning_rate * grad_w).")


def ex6_optimizers(sgd, rmsprop, adam):
    """Optimizer classes and learning rates as asked."""
    __tracebackhide__ = True
    for name, value, cls, rate in (("sgd", sgd, keras.optimizers.SGD, 0.1),
                                   ("rmsprop", rmsprop, keras.optimizers.RMSprop, 0.001),
                                   ("adam", adam, keras.optimizers.Adam, 0.01)):
        checks.answer(f"{name}의 종류", type(value).__name__, cls.__name__,
                      f"keras.optimizers.{cls.__name__}(learning_rate=...)로 만드세요.")
        found = float(keras.ops.convert_to_numpy(value.learning_rate))
        if not np.isclose(found, rate, rtol=1e-5):
            checks.fail(f"{name}의 학습률이 다릅니다.", rate, found,
                        "learning_rate= 인자로 학습률을 지정하세요 (lr=은 케라스 3에서 쓰지 않습니다).")
