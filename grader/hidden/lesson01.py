"""Hidden tests for lesson 01 (층: 딥러닝의 구성 단위).

Each test compares the student's answer with the reference the solution's own answer builds
(`grader.hidden.reference`), re-runs student functions on unseen inputs and reads the kernel's
record of `fit` calls. Numbers are compared with `checks.close` (float64 and TF32 GPUs agree).
"""

from __future__ import annotations

from collections.abc import Iterator

import numpy as np

from grader import checks
from grader.checks.provenance import Namespace, answer_in
from grader.hidden import reference


def ex1_dense(namespace: Namespace) -> None:
    """kernel_shape predicts (20, 64); a Dense(64, relu) layer with default settings, applied to x; y is exactly
    layer(x)."""
    __tracebackhide__ = True
    kernel_shape = answer_in(namespace, "kernel_shape", "1-1",
                             "층을 만들기 전에 kernel의 크기를 튜플로 kernel_shape에 담으세요.")
    layer = answer_in(namespace, "layer", "1-1", "밀집 층을 만들어 layer에 담으세요.")
    y = answer_in(namespace, "y", "1-1", "y = layer(x)처럼 층을 x에 적용한 결과를 y에 담으세요.")
    x = namespace["x"]
    checks.is_shape("kernel_shape", kernel_shape, ndim=2)
    checks.is_layer(layer, ("Dense", 64, "relu"))
    checks.keeps_defaults(layer)
    checks.same_layer(layer, reference("l01_ex1_dense", namespace, "layer"), "layer")
    if not layer.built:
        checks.fail("층이 아직 입력에 적용되지 않았습니다.", "y = layer(x)", "가중치가 없는 층",
                    "층을 함수처럼 호출해 x에 적용하세요.")
    checks.equals("layer.kernel.shape", tuple(layer.kernel.shape), (20, 64),
                  "x(특성 20개)에 적용해야 kernel 크기가 (20, 64)가 됩니다.")
    checks.equals("y.shape", tuple(np.shape(y)), (8, 64), "층의 출력 크기는 (배치 크기, units)입니다.")
    if not checks.close(checks.to_numpy(y), checks.to_numpy(layer(x))):
        checks.fail("y가 layer(x)의 결과와 다릅니다.", "layer(x)", f"크기 {np.shape(y)}인 다른 값",
                    "y = layer(x)처럼 같은 층 객체를 x에 적용한 결과를 담으세요.")
    checks.equals("kernel_shape", kernel_shape, reference("l01_ex1_dense", namespace, "kernel_shape"),
                  "kernel은 (입력 특성 수, units) 크기입니다. x의 특성 수와 층의 units를 보세요.")


def _forward_cases(namespace: Namespace) -> Iterator[tuple[np.ndarray, np.ndarray, np.ndarray]]:
    """(inputs, kernel, bias) triples: the public cases, then unseen sizes with negative pre-activations."""
    dense = namespace["dense"]
    yield (namespace["inputs"], checks.to_numpy(dense.kernel).astype("float32"),
           checks.to_numpy(dense.bias).astype("float32"))
    yield (np.array([[1.0, -2.0]]), np.array([[0.5, 0.0, 1.0], [1.0, -1.0, 0.5]]), np.array([0.0, 0.0, 1.0]))
    rng = np.random.default_rng(102)
    for batch, features, units in ((3, 7, 5), (1, 4, 9), (6, 11, 1), (4, 3, 6)):
        yield (rng.normal(size=(batch, features)).astype("float32"),
               rng.normal(size=(features, units)).astype("float32"),
               rng.normal(size=(units,)).astype("float32"))


def ex2_forward(namespace: Namespace) -> None:
    """dense_forward equals the reference relu(inputs @ kernel + bias) on the public case and unseen sizes."""
    __tracebackhide__ = True
    dense_forward = answer_in(namespace, "dense_forward", "1-2",
                              "def dense_forward(inputs, kernel, bias):로 함수를 정의하세요.")
    if not callable(dense_forward):
        checks.fail("dense_forward가 함수가 아닙니다.", "def dense_forward(inputs, kernel, bias): ...",
                    type(dense_forward).__name__, "def로 함수를 정의하세요.")
    wanted_forward = reference("l01_ex2_forward", namespace, "dense_forward")
    for inputs, kernel, bias in _forward_cases(namespace):
        want = np.asarray(wanted_forward(inputs.astype("float64"), kernel.astype("float64"), bias.astype("float64")))
        with checks.student_code(
                f"입력 {inputs.shape}, kernel {kernel.shape}에서 오류가 납니다.", "오류 없이 배열 반환",
                "inputs @ kernel 순서로 곱하세요. (배치, 입력) @ (입력, units) = (배치, units)입니다."):
            found = checks.to_numpy(dense_forward(inputs.copy(), kernel.copy(), bias.copy()))
        if found.shape != want.shape:
            checks.fail(f"입력 {inputs.shape}, kernel {kernel.shape}에서 결과 크기가 다릅니다.", want.shape,
                        found.shape, "결과 크기는 (배치 크기, units)입니다.")
        if not checks.close(found, want):
            hint = ("음수가 그대로 남아 있습니다. np.maximum(z, 0)으로 relu를 적용하세요."
                    if (found < 0).any() else "편향(bias)을 더했는지, relu를 적용했는지 확인하세요.")
            checks.fail(f"입력 {inputs.shape}, kernel {kernel.shape}에서 Dense 층과 값이 다릅니다.",
                        np.round(want[0], 4), np.round(found[0], 4), hint)


def ex3_predict(namespace: Namespace) -> None:
    """The predicted output shape and parameter counts of 100 → 64 → 32 → 5."""
    __tracebackhide__ = True
    names = ["shape_2", "params_1", "params_2", "params_3", "total_params"]
    found = {name: answer_in(namespace, name, "1-3") for name in names}
    checks.is_shape("shape_2", found["shape_2"], ndim=2)
    for name in names[1:]:
        checks.is_int(name, found[name])
    wanted = dict(zip(names, reference("l01_ex3_predict", namespace, *names)))
    rule = "파라미터 개수 = 입력 특성 수 × units + units(편향)입니다."
    hints = {"shape_2": "두 번째 Dense 층은 units=32이고, 배치 축은 None입니다.",
             "params_1": "첫 층의 입력 특성은 100개입니다. " + rule,
             "params_2": "두 번째 층의 입력은 앞 층의 출력 64개입니다. " + rule,
             "params_3": "세 번째 층의 입력은 앞 층의 출력 32개입니다. " + rule,
             "total_params": "세 층의 파라미터 개수를 모두 더하세요."}
    for name in names:
        checks.equals(name, found[name], wanted[name], hints[name])


def ex4_model(namespace: Namespace) -> None:
    """The public checks (the output layer the student chose gives probabilities), then the same inputs, layers
    (settings, wiring), parameters and behaviour as the reference model: the only output layer the text allows
    is Dense(10, softmax)."""
    __tracebackhide__ = True
    model = answer_in(namespace, "model", "1-4")
    checks.has_input_shape(model, (None, 784))
    checks.has_output_shape(model, (None, 10))
    checks.has_layers(model, [("Dense", 128, "relu"), ("Dense", 10, None)])
    checks.keeps_defaults(model)
    checks.outputs_probabilities(model)
    checks.same_model(model, reference("l01_ex4_model", namespace, "model"))


def ex5_fix(namespace: Namespace) -> None:
    """The public checks (keras.Input instead of input_shape=, the buggy code's structure and compile settings,
    one fit of a fresh model on all of x_train/y_train for 5 epochs with batch size 32), then the reference's
    structure and compile settings (all optimizer hyperparameters)."""
    __tracebackhide__ = True
    fixed = answer_in(namespace, "fixed", "1-5")
    history = answer_in(namespace, "history", "1-5", "history = fixed.fit(...)처럼 fit의 결과를 담으세요.")
    checks.has_input_shape(fixed, (None, 20))
    checks.uses_input(fixed)
    checks.has_layers(fixed, [("Dense", 16, "relu"), ("Dense", 1, "sigmoid")])
    checks.keeps_defaults(fixed)
    checks.compiled_with(fixed, optimizer="rmsprop", loss="binary_crossentropy", metrics=["accuracy"])
    wanted = reference("l01_ex5_fix", namespace, "fixed", train=False)
    checks.same_model(fixed, wanted)
    checks.same_compile(fixed, wanted)
    checks.trained_as(fixed, x=namespace["x_train"], y=namespace["y_train"], epochs=5, batch_size=32,
                      history=history, single_call=True, name="fixed")
