"""Hidden tests for lesson 01 (층: 딥러닝의 구성 단위)."""

import math

import keras
import numpy as np

from grader import checks


def ex1_dense(layer, x, y):
    """y is relu(x @ kernel + bias) with the layer's own weights: a (20, 64) kernel and a (64,) bias."""
    __tracebackhide__ = True
    checks.layer(layer, ("Dense", 64, "relu"))
    if not layer.built:
        checks.fail("층이 아직 입력에 적용되지 않았습니다.", "y = layer(x)", "가중치가 없는 층",
                    "층을 함수처럼 호출해 x에 적용하세요.")
    checks.answer("layer.kernel.shape", tuple(layer.kernel.shape), (20, 64),
                  "x(특성 20개)에 적용해야 kernel 크기가 (20, 64)가 됩니다.")
    want = np.maximum(checks.to_numpy(x) @ checks.to_numpy(layer.kernel) + checks.to_numpy(layer.bias), 0.0)
    if np.shape(y) != want.shape or not np.allclose(checks.to_numpy(y), want, atol=1e-5):
        checks.fail("y가 layer(x)의 결과와 다릅니다.", "layer(x)", f"크기 {np.shape(y)}인 다른 값",
                    "y = layer(x)처럼 같은 층 객체를 x에 적용한 결과를 담으세요.")


def ex2_forward(dense_forward):
    """dense_forward equals a Dense(relu) layer on unseen sizes, including negative pre-activations."""
    __tracebackhide__ = True
    if not callable(dense_forward):
        checks.fail("dense_forward가 함수가 아닙니다.", "def dense_forward(inputs, kernel, bias): ...",
                    type(dense_forward).__name__, "def로 함수를 정의하세요.")
    rng = np.random.default_rng(102)
    for batch, features, units in ((3, 7, 5), (1, 4, 9), (6, 11, 1)):
        inputs = rng.normal(size=(batch, features)).astype("float32")
        reference = keras.layers.Dense(units, activation="relu", bias_initializer="random_normal")
        want = checks.to_numpy(reference(inputs))
        kernel, bias = checks.to_numpy(reference.kernel), checks.to_numpy(reference.bias)
        with checks.student_code(
                f"입력 {inputs.shape}, kernel {kernel.shape}에서 오류가 납니다.", "오류 없이 배열 반환",
                "inputs @ kernel 순서로 곱하세요. (배치, 입력) @ (입력, units) = (배치, units)입니다."):
            found = np.asarray(dense_forward(inputs, kernel, bias), dtype="float64")
        if found.shape != want.shape:
            checks.fail(f"입력 {inputs.shape}, kernel {kernel.shape}에서 결과 크기가 다릅니다.", want.shape,
                        found.shape, "결과 크기는 (배치 크기, units)입니다.")
        if not np.allclose(found, want, atol=1e-5):
            hint = ("음수가 그대로 남아 있습니다. np.maximum(z, 0)으로 relu를 적용하세요."
                    if (found < 0).any() else "편향(bias)을 더했는지, relu를 적용했는지 확인하세요.")
            checks.fail("처음 보는 입력에서 Dense 층과 값이 다릅니다.", np.round(want[0], 4),
                        np.round(found[0], 4), hint)


def ex3_predict(shape_2, params_1, params_2, params_3, total_params):
    """The predicted output shape and parameter counts of 100 → 64 → 32 → 5."""
    __tracebackhide__ = True
    checks.answer("shape_2", shape_2, (None, 32), "두 번째 Dense 층은 units=32이므로 출력 특성이 32개입니다.")
    rule = "파라미터 개수 = 입력 특성 수 × units + units(편향)입니다."
    checks.answer("params_1", params_1, 100 * 64 + 64, "첫 층의 입력 특성은 100개입니다. " + rule)
    checks.answer("params_2", params_2, 64 * 32 + 32, "두 번째 층의 입력은 앞 층의 출력 64개입니다. " + rule)
    checks.answer("params_3", params_3, 32 * 5 + 5, "세 번째 층의 입력은 앞 층의 출력 32개입니다. " + rule)
    checks.answer("total_params", total_params, 6464 + 2080 + 165, "세 층의 파라미터 개수를 모두 더하세요.")


def ex4_model(model):
    """Exact layers, 101,770 parameters, softmax rows summing to 1 on unseen inputs."""
    __tracebackhide__ = True
    checks.layers(model, [("Dense", 128, "relu"), ("Dense", 10, "softmax")])
    checks.param_count(model, 784 * 128 + 128 + 128 * 10 + 10)
    x = np.random.default_rng(104).random((5, 784)).astype("float32")
    sums = checks.to_numpy(model(x)).sum(axis=1)
    if not np.allclose(sums, 1.0, atol=1e-4):
        checks.fail("출력이 확률 분포가 아닙니다 (각 행의 합).", "모든 행의 합이 1", np.round(sums, 3),
                    "마지막 층에 activation='softmax'를 쓰세요.")


def ex5_fix(fixed, history, x_train, y_train):
    """Structure and compile settings kept, trained 5 epochs with batch size 32, loss went down."""
    __tracebackhide__ = True
    checks.layers(fixed, [("Dense", 16, "relu"), ("Dense", 1, "sigmoid")])
    checks.param_count(fixed, 20 * 16 + 16 + 16 + 1)
    checks.optimizer(fixed, "rmsprop")
    if not isinstance(history, keras.callbacks.History):
        checks.fail("history가 History 객체가 아닙니다.", "history = fixed.fit(...)", type(history).__name__,
                    "fit이 돌려주는 값을 그대로 history에 담으세요.")
    if history.model is not fixed:
        checks.fail("history가 fixed를 학습한 기록이 아닙니다.", "fixed.fit(...)의 결과", "다른 모델의 기록",
                    "고친 모델 fixed로 fit을 호출하세요.")
    steps = math.ceil(len(x_train) / 32)
    checks.answer("history.params['steps']", history.params.get("steps"), steps,
                  "fit에 batch_size=32를 넘기세요. 전체 훈련 데이터(x_train, y_train)로 학습합니다.")
    losses = history.history.get("loss", [])
    if len(losses) != 5 or not losses[-1] < losses[0]:
        checks.fail("5 에포크 동안 손실이 줄지 않았습니다.", "에포크 5개, 마지막 손실 < 첫 손실", losses,
                    "compile 설정을 바꾸지 말고 x_train, y_train으로 학습하세요.")
    accuracy = fixed.evaluate(x_train, y_train, verbose=0, return_dict=True).get("accuracy", 0.0)
    if accuracy < 0.75:
        checks.fail("학습한 모델의 훈련 정확도가 너무 낮습니다.", "0.75 이상", f"{accuracy:.3f}",
                    "epochs=5로 학습했는지, metrics=['accuracy']를 넣었는지 확인하세요.")
