"""Hidden tests for lesson 04 (케라스 작업 흐름: compile, fit, evaluate, predict)."""

import math

import keras
import numpy as np

from grader import checks

LAYERS = [("Dense", 64, "relu"), ("Dense", 64, "relu"), ("Dense", 1, "sigmoid")]


def _evaluate(model, x, y):
    return model.evaluate(x, y, batch_size=256, verbose=0, return_dict=True)


def _fit_by(model, history, name, call):
    __tracebackhide__ = True
    if not isinstance(history, keras.callbacks.History) or history.model is not model:
        checks.fail(f"{name}가 이 모델을 학습한 기록이 아닙니다.", f"{name} = {call}", type(history).__name__,
                    "fit이 돌려주는 History 객체를 그대로 담으세요.")


def _standard_compile(model, x_val, y_val):
    """build_model() structure, rmsprop, binary crossentropy and an accuracy metric."""
    __tracebackhide__ = True
    checks.layers(model, LAYERS)
    checks.optimizer(model, "rmsprop")
    checks.loss(model, "binary_crossentropy")
    if "accuracy" not in _evaluate(model, x_val[:64], y_val[:64]):
        checks.fail("compile에 정확도 지표가 없습니다.", "metrics=['accuracy']", "지표 없음",
                    "compile(..., metrics=['accuracy'])를 넣으세요.")


def ex1_compile(model, x_val, y_val):
    """The build_model() structure compiled with rmsprop, binary crossentropy and accuracy."""
    __tracebackhide__ = True
    _standard_compile(model, x_val, y_val)


def ex2_fit(model, history, x_train):
    """30 epochs of batch 64 on the whole training set, with validation, and training loss went down."""
    __tracebackhide__ = True
    _fit_by(model, history, "history", "model.fit(...)")
    checks.layers(model, LAYERS)
    steps = math.ceil(len(x_train) / 64)
    checks.answer("history.params['steps']", history.params.get("steps"), steps,
                  "훈련 세트 전체(x_train, y_train)를 batch_size=64로 학습하세요. 검증 세트로 학습하면 안 됩니다.")
    losses = history.history["loss"]
    if not losses[-1] < losses[0] / 2:
        checks.fail("30 에포크 동안 훈련 손실이 충분히 줄지 않았습니다.", f"{losses[0] / 2:.4f}보다 작은 값",
                    f"{losses[-1]:.4f}", "새로 만든 모델을 rmsprop과 binary_crossentropy로 컴파일했는지 확인하세요.")


def ex3_best_epoch(best_epoch, history):
    """best_epoch is the 1-based epoch of the lowest val_loss in the student's own history."""
    __tracebackhide__ = True
    val_loss = history.history["val_loss"]
    expected = int(np.argmin(val_loss)) + 1
    hint = "np.argmin(history.history['val_loss'])은 0부터 세는 인덱스입니다. 에포크 번호는 여기에 1을 더합니다."
    if best_epoch == int(np.argmin(history.history["loss"])) + 1 and best_epoch != expected:
        hint = "훈련 손실('loss')이 아니라 검증 손실('val_loss')을 보세요."
    checks.answer("best_epoch", best_epoch, expected, hint)


def ex4_early_stopping(early_stopping, es_model, es_history, x_val, y_val):
    """EarlyStopping(val_loss, patience 3, restore best), training stopped early, best weights restored."""
    __tracebackhide__ = True
    for name, want, hint in (("monitor", "val_loss", "monitor='val_loss'로 검증 손실을 지켜보세요."),
                             ("patience", 3, "patience=3으로 정하세요."),
                             ("restore_best_weights", True, "restore_best_weights=True로 정하세요.")):
        checks.answer(f"early_stopping.{name}", getattr(early_stopping, name, None), want, hint)
    _standard_compile(es_model, x_val, y_val)
    _fit_by(es_model, es_history, "es_history", "es_model.fit(..., callbacks=[early_stopping])")
    if es_history.params.get("epochs") != 100:
        checks.fail("epochs가 100이 아닙니다.", 100, es_history.params.get("epochs"),
                    "epochs=100처럼 넉넉히 주고, 멈추는 때는 콜백이 정하게 하세요.")
    val_loss = es_history.history.get("val_loss", [])
    if not val_loss or len(val_loss) >= 100:
        checks.fail("학습이 일찍 멈추지 않았습니다.", "100보다 적은 에포크", len(val_loss),
                    "fit에 validation_data=(x_val, y_val)와 callbacks=[early_stopping]를 넘기세요.")
    restored = _evaluate(es_model, x_val, y_val)["loss"]
    if not math.isclose(restored, min(val_loss), rel_tol=1e-3, abs_tol=1e-3):
        checks.fail("학습이 끝난 모델의 검증 손실이 가장 낮았던 값과 다릅니다.", f"{min(val_loss):.4f}",
                    f"{restored:.4f}", "restore_best_weights=True이면 가장 좋은 에포크의 가중치로 되돌립니다.")


def ex5_evaluate(final_model, test_loss, test_acc, predicted_labels, x_test, y_test):
    """test_loss/test_acc equal a fresh evaluate; labels are the thresholded predictions; accuracy is sensible."""
    __tracebackhide__ = True
    checks.layers(final_model, LAYERS)
    checks.loss(final_model, "binary_crossentropy")
    result = _evaluate(final_model, x_test, y_test)
    for name, value, key in (("test_loss", test_loss, "loss"), ("test_acc", test_acc, "accuracy")):
        if not math.isclose(float(value), result.get(key, math.nan), abs_tol=2e-3):
            checks.fail(f"{name}가 final_model의 테스트 세트 평가 결과와 다릅니다.", f"{result.get(key, math.nan):.4f}",
                        f"{float(value):.4f}",
                        "test_loss, test_acc = final_model.evaluate(x_test, y_test)처럼 테스트 세트로 평가하세요.")
    labels = np.asarray(predicted_labels)
    if labels.dtype.kind not in "iu":
        checks.fail("predicted_labels는 정수 배열이어야 합니다.", "int32", labels.dtype,
                    "(probabilities > 0.5).astype('int32')처럼 정수로 바꾸세요.")
    want = (final_model.predict(x_test, verbose=0)[:, 0] > 0.5).astype("int32")
    if labels.shape != want.shape or not np.array_equal(labels, want):
        checks.fail("predicted_labels가 final_model의 예측(확률 > 0.5)과 다릅니다.", "predict 결과를 0.5로 나눈 값",
                    f"{int(np.sum(labels.ravel()[:len(want)] != want[:labels.size]))}개 다름",
                    "final_model.predict(x_test)의 확률이 0.5보다 크면 1, 아니면 0입니다.")
    if test_acc < 0.7:
        checks.fail("테스트 정확도가 너무 낮습니다.", "0.7 이상", f"{test_acc:.4f}",
                    "훈련 세트로 epochs=10, batch_size=64만큼 학습했는지 확인하세요.")


def ex6_fix_mistakes(binary_model, multiclass_model, regression_model):
    """Each model keeps its hidden layer, gets the right output layer, and integer labels use the sparse loss."""
    __tracebackhide__ = True
    for model, output in ((binary_model, ("Dense", 1, "sigmoid")), (multiclass_model, ("Dense", 5, "softmax")),
                          (regression_model, ("Dense", 1, "linear"))):
        checks.layers(model, [("Dense", 16, "relu"), output])
        checks.optimizer(model, "rmsprop")
    checks.loss(multiclass_model, "sparse_categorical_crossentropy")
