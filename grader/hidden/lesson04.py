"""Hidden tests for lesson 04 (케라스 작업 흐름: compile, fit, evaluate, predict).

Every model is compared with the reference that the solution's answer to 4-1 builds (build_model()
compiled with rmsprop, binary crossentropy and accuracy, taken before its fit): layers, wiring, behaviour, optimizer
hyperparameters, loss settings (from_logits included) and metrics by meaning. Training is judged
from the kernel's fit records (fresh model, epochs, batch size, exact training/validation data,
the History returned by that fit), numbers from the evaluate records on the named data.
"""

from __future__ import annotations

import keras
import numpy as np

from grader import checks
from grader.checks.losses import Labels, Task
from grader.checks.provenance import Namespace
from grader.hidden import reference

BATCH_SIZE = 64
HISTORY_KEYS = ["accuracy", "loss", "val_accuracy", "val_loss"]


def _standard(namespace: Namespace) -> keras.Model:
    """The reference for every model of this lesson: the solution's answer to 4-1, built and compiled."""
    return reference("l04_ex1_fit", namespace, "model", train=False)


def _history_of(model: keras.Model, history: object, name: str, call: str) -> None:
    __tracebackhide__ = True
    if not isinstance(history, keras.callbacks.History) or history.model is not model:
        checks.fail(f"{name}가 이 모델을 훈련한 기록이 아닙니다.", f"{name} = {call}", type(history).__name__,
                    "fit이 돌려주는 History 객체를 그대로 담으세요.")


def _standard_model(model: object, namespace: Namespace, name: str) -> None:
    """build_model()'s network compiled like 4-1 (accuracy given as a string or an object)."""
    __tracebackhide__ = True
    if not isinstance(model, keras.Model):
        checks.fail(f"{name}이(가) 케라스 모델이 아닙니다.", "build_model()로 만든 모델", type(model).__name__,
                    f"{name} = build_model()로 새 모델을 만드세요.")
    wanted = _standard(namespace)
    checks.same_model(model, wanted)
    checks.same_compile(model, wanted)


def ex1_fit(namespace: Namespace) -> None:
    """build_model()'s network compiled with rmsprop (defaults), the loss the student chose (the text allows the
    binary crossentropy only, with its default settings) and accuracy, trained fresh in one fit of 30 epochs of
    batch 64 on the whole training set with (x_val, y_val)."""
    __tracebackhide__ = True
    model, history = namespace["model"], namespace["history"]
    checks.is_compiled(model)
    checks.matches_task(model, "binary")
    checks.compiled_with(model, optimizer="rmsprop", metrics=["accuracy"])
    _standard_model(model, namespace, "model")
    _history_of(model, history, "history", "model.fit(...)")
    checks.trained_as(model, x=namespace["x_train"], y=namespace["y_train"], epochs=30, batch_size=BATCH_SIZE,
                      validation_data=(namespace["x_val"], namespace["y_val"]), history=history, single_call=True)
    recorded = checks.fitlog.recorded_fit(history).history
    checks.equals("history.history의 키", sorted(recorded), HISTORY_KEYS,
                  "compile에 metrics=['accuracy']를, fit에 validation_data=(x_val, y_val)를 넘기세요.")
    checks.equals("기록된 에포크 수", len(recorded["loss"]), 30, "fit에 epochs=30을 넘기세요.")


def ex2_best_epoch(namespace: Namespace) -> None:
    """best_epoch is the 1-based epoch of the lowest val_loss in the history of 4-1."""
    __tracebackhide__ = True
    best_epoch, history = namespace["best_epoch"], namespace["history"]
    checks.is_int("best_epoch", best_epoch)
    recorded = checks.fitlog.recorded_fit(history).history
    val_loss = recorded["val_loss"]
    expected = int(np.argmin(val_loss)) + 1
    hint = "np.argmin(history.history['val_loss'])은 0부터 세는 인덱스입니다. 에포크 번호는 여기에 1을 더합니다."
    if best_epoch == int(np.argmin(recorded["loss"])) + 1 and best_epoch != expected:
        hint = "훈련 손실('loss')이 아니라 검증 손실('val_loss')을 보세요."
    checks.equals("best_epoch", best_epoch, expected, hint)


def ex3_validation_split(namespace: Namespace) -> None:
    """A fresh standard model, one fit of 5 epochs of batch 64 on the first 80 % of the training set validated on
    its last 20 % (the student's choice: validation_split=0.2, or the same slices as validation_data);
    last_val_loss is the last val_loss in the History of that fit."""
    __tracebackhide__ = True
    split_model, split_history = namespace["split_model"], namespace["split_history"]
    _standard_model(split_model, namespace, "split_model")
    _history_of(split_model, split_history, "split_history", "split_model.fit(...)")
    checks.held_out_last(split_model, x=namespace["x_train"], y=namespace["y_train"], fraction=0.2, epochs=5,
                         batch_size=BATCH_SIZE, history=split_history, name="split_model")
    last_val_loss = namespace["last_val_loss"]
    checks.is_float("last_val_loss", last_val_loss, "0.45",
                    "split_history.history['val_loss']는 에포크마다의 값 리스트입니다. 마지막 원소 하나를 담으세요.")
    recorded = checks.fitlog.recorded_fit(split_history, "split_history").history
    val_loss = recorded["val_loss"]
    if not checks.close(last_val_loss, val_loss[-1], rtol=1e-6):
        hint = "마지막 에포크의 값은 split_history.history['val_loss'][-1]입니다."
        if any(checks.close(last_val_loss, value, rtol=1e-6) for value in recorded["loss"]):
            hint = "훈련 손실('loss')이 아니라 검증 손실('val_loss')을 읽으세요."
        checks.fail("last_val_loss가 split_history의 마지막 검증 손실과 다릅니다.", f"{val_loss[-1]:.4f}",
                    f"{last_val_loss:.4f}", hint)


def ex4_early_stopping(namespace: Namespace) -> None:
    """An EarlyStopping callback that meets the goal the text states (val_loss, patience 3, best weights kept, other
    settings default) used in one fit of a fresh standard model (epochs=100, batch 64, (x_val, y_val)); it stopped
    where the rule says; the best weights were restored."""
    __tracebackhide__ = True
    early_stopping, es_model, es_history = (namespace[name] for name in ("early_stopping", "es_model", "es_history"))
    x_val, y_val = namespace["x_val"], namespace["y_val"]
    _standard_model(es_model, namespace, "es_model")
    _history_of(es_model, es_history, "es_history", "es_model.fit(..., callbacks=[early_stopping])")
    recorded = checks.fitlog.recorded_fit(es_history, "es_history")
    checks.trained_as(es_model, x=namespace["x_train"], y=namespace["y_train"], epochs=recorded.epochs_run,
                      batch_size=BATCH_SIZE, validation_data=(x_val, y_val), history=es_history,
                      single_call=True, name="es_model")
    checks.stopped_early(early_stopping, es_model, es_history, x_val=x_val, y_val=y_val, patience=3,
                         restore_best_weights=True, max_epochs=100)


def ex5_evaluate(namespace: Namespace) -> None:
    """A fresh standard model trained best_epoch epochs (batch 64) on the whole training set without
    validation data; test_loss/test_acc come from evaluate on the test set; labels threshold its predictions."""
    __tracebackhide__ = True
    ex2_best_epoch(namespace)  # the epochs of 4-5 are the student's own best_epoch, checked again here
    final_model, best_epoch = namespace["final_model"], namespace["best_epoch"]
    x_test, y_test = namespace["x_test"], namespace["y_test"]
    _standard_model(final_model, namespace, "final_model")
    checks.trained_as(final_model, x=namespace["x_train"], y=namespace["y_train"], epochs=best_epoch,
                      batch_size=BATCH_SIZE, name="final_model")
    for index, name in enumerate(("test_loss", "test_acc")):
        value = namespace[name]
        checks.is_float(name, value, "0.35", "test_loss, test_acc = final_model.evaluate(...)처럼 "
                                              "evaluate가 돌려준 리스트를 두 변수에 나눠 담으세요.")
        checks.evaluated(value, final_model, x_test, y_test, index, name, "테스트 세트")  # the public check
        checks.evaluated(value, final_model, x_test, y_test, index, name, "테스트 세트", exact=True)
    labels = np.asarray(namespace["predicted_labels"])
    if labels.dtype.kind not in "iu":
        checks.fail("predicted_labels는 정수 배열이어야 합니다.", "정수(int) 0/1 배열", labels.dtype,
                    "확률을 0.5와 비교한 결과(True/False)를 astype('int32')로 정수로 바꾸세요.")
    checks.equals("predicted_labels.shape", labels.shape, (len(x_test),),
                  "샘플마다 레이블 하나: predict 결과의 [:, 0] 또는 .ravel()로 1차원으로 만드세요.")
    probabilities = final_model.predict(x_test, verbose=0)[:, 0]
    want = (probabilities > 0.5).astype("int32")
    wrong = (labels != want) & (np.abs(probabilities - 0.5) > 1e-3)
    if np.any(wrong):
        checks.fail("predicted_labels가 final_model의 테스트 세트 예측(확률 > 0.5이면 1)과 다릅니다.",
                    "테스트 세트 predict 결과를 0.5로 나눈 0/1", f"1000개 중 {int(np.sum(wrong))}개 다름",
                    "final_model.predict(x_test)가 돌려준 확률이 0.5보다 크면 1, 아니면 0입니다.")


def ex6_fix_mistakes(namespace: Namespace) -> None:
    """Each model fits its task (the integer labels of the multiclass one need the sparse crossentropy), differs
    from its buggy model in one place only, and equals the reference fix: layers, wiring, behaviour, optimizer
    and loss settings (from_logits)."""
    __tracebackhide__ = True
    names = ("binary_model", "multiclass_model", "regression_model")
    wanted = reference("l04_ex6_fix_mistakes", namespace, *names)
    tasks: tuple[tuple[Task, Labels | None], ...] = (("binary", None), ("multiclass", "integer"), ("regression", None))
    for name, (task, labels), want in zip(names, tasks, wanted):
        model = namespace[name]
        checks.is_compiled(model)
        checks.matches_task(model, task, labels=labels)
        checks.fixed_in_one_place(model, namespace[f"buggy_{name.removesuffix('_model')}"], name)
        checks.same_model(model, want)
        checks.same_compile(model, want)
