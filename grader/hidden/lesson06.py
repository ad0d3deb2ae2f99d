"""Hidden tests for lesson 06 (뉴스 기사 분류: 다중 분류 문제, Reuters).

Each test takes the notebook's namespace and compares the student's answer with the reference
(the solution's own answer, run by `grader.hidden.reference`): `to_one_hot` re-run on unseen
labels, models by `checks.same_model` / `checks.same_compile` (the loss is the student's choice: any form
of categorical crossentropy for one-hot labels, of sparse categorical crossentropy for integer labels),
training by the kernel's fit record (`checks.trained_as`: a fresh model, batch 512, exactly x_train / y_train,
for an epoch count within EPOCH_MARGIN of the lowest val_loss of the student's own `history`) and numbers by
where they came from (`checks.evaluated`: the validation set for 6-4, the test set for 6-5).
The final accuracy must also beat the random-shuffle baseline (the sum of squared topic frequencies
of the test labels, ≈ 0.19 on the real data) and 0.6 (real data ≈ 0.8).
"""

from __future__ import annotations

import keras
import numpy as np

from grader import checks
from grader.checks import fitlog
from grader.checks.losses import Labels
from grader.checks.provenance import Namespace, answer_in, is_new_object
from grader.hidden import reference

NUM_CLASSES = 46
LAYERS = [("Dense", 64, "relu"), ("Dense", 64, "relu"), ("Dense", NUM_CLASSES, "softmax")]
MIN_TEST_ACCURACY = 0.6
EPOCH_MARGIN = 2  # the task text: best_epoch와의 차이가 2 에포크 이하


def _compiled_as(model: keras.Model, namespace: Namespace, exercise_id: str, name: str) -> None:
    """The structure of build_model() and the compile settings of the reference answer `exercise_id`."""
    __tracebackhide__ = True
    checks.is_model(model)
    want = reference(exercise_id, namespace, name)
    checks.same_model(model, want)
    checks.same_compile(model, want)


def _val_loss(namespace: Namespace) -> list[float]:
    """val_loss of the run of section 7 (`history = model.fit(...)`): the notebook's `history`, or the fit record
    of `model` when the student reused the name `history` for another fit."""
    __tracebackhide__ = True
    fits = [call for call in reversed(fitlog.calls(method="fit")) if call.finished]
    runs = [call for call in fits if call.result is namespace.get("history")]
    if "model" in namespace:
        runs += [call for call in fits if call.model() is namespace["model"]]
    for run in runs:  # the values recorded when fit returned, whatever was edited since
        if "val_loss" in run.history:
            return run.history["val_loss"]
    checks.fail("7절의 훈련 기록(검증 손실)을 찾을 수 없습니다.",
                "history = model.fit(..., validation_data=(x_val, y_val))", "검증 손실 기록 없음",
                "7절의 훈련 셀과 그래프 셀을 실행한 뒤 이 연습을 다시 실행하세요.")


def ex1_to_one_hot(namespace: Namespace) -> None:
    """to_one_hot equals the reference on the public cases and unseen labels, as a float array, any dimension."""
    __tracebackhide__ = True
    to_one_hot = answer_in(namespace, "to_one_hot", "6-1")
    if not callable(to_one_hot):
        checks.fail("to_one_hot이 함수가 아닙니다.", "def to_one_hot(labels, dimension=46): ...",
                    type(to_one_hot).__name__, "def로 함수를 정의하세요.")
    want_fn = reference("l06_ex1_to_one_hot", namespace, "to_one_hot")
    rng = np.random.default_rng(606)
    labels = rng.integers(0, NUM_CLASSES, size=37)
    labels[:3] = [0, NUM_CLASSES - 1, 17]
    cases = [(namespace["train_labels"][:5], None), ([0, 2], 3), (labels, None), (np.array([2, 0, 9, 5, 9]), 10),
             ([45, 3, 3], None)]
    for given, dimension in cases:
        call = "to_one_hot(labels)" if dimension is None else f"to_one_hot(labels, dimension={dimension})"
        with checks.student_code(
                f"{call}가 오류를 냅니다.", "오류 없이 배열 반환",
                "레이블 번호를 그대로 열 인덱스로 쓰고, 배열 크기는 (len(labels), dimension)로 만드세요."):
            found = to_one_hot(given) if dimension is None else to_one_hot(given, dimension=dimension)
        want = want_fn(given) if dimension is None else want_fn(given, dimension=dimension)
        found = np.asarray(found)
        if found.shape != want.shape:
            checks.fail(f"{call}의 크기가 다릅니다.", want.shape, found.shape,
                        "배열 크기는 (len(labels), dimension)입니다. dimension 인자를 그대로 열 개수로 쓰세요 "
                        "(46을 직접 적지 말고).")
        if found.dtype.kind != "f":
            checks.fail(f"{call}의 자료형이 실수가 아닙니다.", "float (np.zeros의 기본 자료형)", found.dtype,
                        "np.zeros((len(labels), dimension))로 만든 배열에 1.0을 채우세요.")
        for label, row, expected in zip(given, found, want):
            if not np.array_equal(row, expected):
                checks.fail(f"레이블 {label}의 원-핫 벡터가 틀렸습니다 (값이 1인 위치, {call}).",
                            np.flatnonzero(expected).tolist(), np.flatnonzero(row).tolist(),
                            "인덱스는 0부터 셉니다. results[i, label] = 1.0처럼 레이블을 그대로 열 인덱스로 쓰고, "
                            "나머지는 0으로 두세요.")


def ex2_model(namespace: Namespace) -> None:
    """The public checks, then the same model as the reference (every layer's settings, wiring, behaviour)."""
    __tracebackhide__ = True
    model = answer_in(namespace, "model", "6-2")
    checks.is_model(model)
    checks.has_input_shape(model, (None, 10000))
    checks.has_output_shape(model, (None, NUM_CLASSES))
    checks.has_layers(model, LAYERS)
    checks.same_model(model, reference("l06_ex2_model", namespace, "model"))


def ex3_compile(namespace: Namespace) -> None:
    """Two new build_model() models compiled as the reference: RMSprop (default settings), accuracy, and the loss
    the student chose for each label format: categorical crossentropy for one-hot labels (`model`), sparse
    categorical crossentropy for integer labels (`model_int`), as a string, function or Loss object; `model`
    records its accuracy as 'accuracy' (the text says so: section 7 reads history.history["accuracy"])."""
    __tracebackhide__ = True
    model, model_int = answer_in(namespace, "model", "6-3"), answer_in(namespace, "model_int", "6-3")
    label_formats: tuple[tuple[keras.Model, Labels], ...] = ((model, "one_hot"), (model_int, "integer"))
    for found, labels in label_formats:  # the public checks first
        checks.is_model(found)
        checks.matches_task(found, "multiclass", labels=labels)
        checks.compiled_with(found, optimizer="rmsprop", metrics=["accuracy"])
    checks.has_metric_names(model, ["accuracy"])
    is_new_object(model_int, namespace, "model_int", ["model"])
    for found, name, loss in ((model, "model", "categorical_crossentropy"),
                              (model_int, "model_int", "sparse_categorical_crossentropy")):
        checks.is_model(found)
        checks.matches_task(found, "multiclass")
        checks.has_loss(found, loss)
        _compiled_as(found, namespace, "l06_ex3_compile", name)
    checks.has_metric_names(model, ["accuracy"])  # section 7 plots history.history["accuracy"] of `model`


def ex4_initial_loss(namespace: Namespace) -> None:
    """A new, untrained model compiled as `model` in 6-3; initial_loss is its loss from evaluate on the
    validation set."""
    __tracebackhide__ = True
    initial_model = answer_in(namespace, "initial_model", "6-4")
    initial_loss = answer_in(namespace, "initial_loss", "6-4")
    checks.is_model(initial_model)  # the public checks first
    checks.same_model(initial_model, namespace["build_model"]())
    checks.matches_task(initial_model, "multiclass", labels="one_hot")
    checks.compiled_with(initial_model, optimizer="rmsprop", metrics=["accuracy"])
    checks.is_float("initial_loss", initial_loss, "3.8",
                    "evaluate는 [손실, 정확도] 리스트를 돌려줍니다. 첫 번째 원소를 담으세요.")
    is_new_object(initial_model, namespace, "initial_model", ["model", "model_int"])
    steps = int(checks.to_numpy(initial_model.optimizer.iterations))
    if fitlog.calls(initial_model, "fit") or steps:
        checks.fail("initial_model이 이미 훈련된 모델입니다.", "fit을 호출하지 않은 새 모델",
                    f"fit {len(fitlog.calls(initial_model, 'fit'))}번 호출 (옵티마이저 {steps}스텝)",
                    "initial_model은 fit을 호출하지 말고 만들고 컴파일한 직후의 상태로 두세요.")
    _compiled_as(initial_model, namespace, "l06_ex3_compile", "model")
    x_val, y_val = namespace["x_val"], namespace["y_val"]
    checks.evaluated(initial_loss, initial_model, x_val, y_val, 0, "initial_loss", "검증 세트", exact=True)


def ex5_train(namespace: Namespace) -> None:
    """A new model compiled as `model` in 6-3, trained with batch 512 on exactly x_train / y_train (no validation
    data) for an epoch count the student chose from their own curves: within EPOCH_MARGIN of the lowest val_loss
    in the notebook's `history`. test_acc is its accuracy from evaluate on the test set, above the baselines."""
    __tracebackhide__ = True
    final_model, test_acc = answer_in(namespace, "final_model", "6-5"), answer_in(namespace, "test_acc", "6-5")
    checks.is_model(final_model)  # the public checks first
    checks.same_model(final_model, namespace["build_model"]())
    checks.matches_task(final_model, "multiclass", labels="one_hot")
    checks.compiled_with(final_model, optimizer="rmsprop", metrics=["accuracy"])
    checks.has_loss(final_model, "categorical_crossentropy")
    checks.trained_as(final_model, x=namespace["x_train"], y=namespace["y_train"], epochs=None, batch_size=512,
                      name="final_model")
    checks.trained_near_best(final_model, namespace["model"], EPOCH_MARGIN, "final_model")
    checks.is_float("test_acc", test_acc, "0.8",
                    "evaluate는 [손실, 정확도] 리스트를 돌려줍니다. 두 번째 원소를 담으세요.")
    checks.evaluated(test_acc, final_model, namespace["x_test"], namespace["y_test"], 1, "test_acc", "테스트 세트",
                     exact=True)
    is_new_object(final_model, namespace, "final_model", ["model", "model_int", "initial_model"])
    _compiled_as(final_model, namespace, "l06_ex3_compile", "model")
    epochs = sum(call.epochs_run for call in fitlog.calls(final_model, "fit") if call.finished)
    best = int(np.argmin(_val_loss(namespace))) + 1
    if abs(epochs - best) > EPOCH_MARGIN:
        checks.fail("final_model을 훈련한 에포크 수가 검증 곡선과 맞지 않습니다.",
                    f"{max(1, best - EPOCH_MARGIN)}~{best + EPOCH_MARGIN} 에포크 (history에서 검증 손실이 가장 낮은 "
                    f"에포크 {best} ± {EPOCH_MARGIN})", f"{epochs} 에포크",
                    "7절 그래프에서 검증 손실이 가장 낮은 에포크(best_epoch)를 찾아 그 근처로 정하세요. "
                    "fit을 여러 번 불렀다면 에포크를 모두 더한 수입니다.")
    frequencies = np.asarray(namespace["y_test"]).sum(axis=0) / len(namespace["y_test"])
    baseline = float(np.sum(frequencies ** 2))
    if test_acc <= max(MIN_TEST_ACCURACY, baseline):
        checks.fail("테스트 정확도가 너무 낮습니다.",
                    f"{max(MIN_TEST_ACCURACY, baseline):.2f}보다 큰 값 (무작위 분류기: {baseline:.3f})",
                    f"{test_acc:.4f}",
                    "전체 훈련 데이터(x_train, y_train)로 정한 에포크 수만큼 batch_size=512로 훈련했는지 확인하세요.")


def ex6_predict(namespace: Namespace) -> None:
    """predicted_classes holds, for every test sample, a class of highest probability in `predictions`
    (int_model's predictions on the test set)."""
    __tracebackhide__ = True
    predicted_classes = answer_in(namespace, "predicted_classes", "6-6")
    x_test, predictions = namespace["x_test"], checks.to_numpy(namespace["predictions"])
    found = predicted_classes if isinstance(predicted_classes, (list, tuple, np.ndarray)) else (
        keras.ops.convert_to_numpy(predicted_classes))
    found = np.asarray(found)
    checks.equals("predicted_classes.shape", found.shape, (len(x_test),),
                  "샘플마다(행마다) 클래스 하나를 고르므로 크기는 (샘플 수,)입니다. axis=1로 argmax하세요.")
    if found.dtype.kind not in "iu":
        checks.fail("predicted_classes는 클래스 번호(정수) 배열이어야 합니다.", "정수 자료형", found.dtype,
                    "np.max는 가장 큰 확률 값을, np.argmax는 그 위치(클래스 번호)를 돌려줍니다.")
    if not checks.close(predictions, checks.to_numpy(namespace["int_model"].predict(x_test, verbose=0))):
        checks.fail("predictions가 int_model.predict(x_test)의 결과가 아닙니다.", "9절에서 구한 predictions 그대로",
                    "바뀐 predictions", "이 연습에서는 predictions를 다시 만들거나 바꾸지 말고 그대로 쓰세요.")
    inside = (found >= 0) & (found < predictions.shape[1])
    chosen = np.where(inside, predictions[np.arange(len(found)), np.clip(found, 0, predictions.shape[1] - 1)], -1.0)
    wrong = np.flatnonzero(chosen < predictions.max(axis=1))
    if wrong.size:
        first = int(wrong[0])
        checks.fail(f"{wrong.size}개 샘플의 예측 클래스가 predictions의 argmax와 다릅니다 "
                    f"(처음 다른 샘플: {first}번).", int(np.argmax(predictions[first])), int(found[first]),
                    "np.argmax(predictions, axis=1)처럼 행마다 확률이 가장 큰 위치를 구하세요. 클래스 번호는 0부터 "
                    "시작합니다.")
