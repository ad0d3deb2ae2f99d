"""Hidden tests for lesson 07 (주택 가격 예측: 회귀 문제, Boston housing).

Each test compares with the reference the solution notebook defines, the way an expert would:
`normalize` is re-run on unseen data (either standard deviation the task allows), `build_model`
is compared layer by layer and compile setting by compile setting with the reference (the output
layer is the student's choice among the linear ones), `k_fold_mae_histories` is re-run on small
unseen data with another k and num_epochs and re-checked from the kernel's fit records (each
returned list is the val_mae history of a new model trained on exactly the complement of its
validation slice with that slice as validation_data; folds disjoint and covering), the per-epoch
average and the best epoch are recomputed from the notebook's own histories, the final model is
trained for that many epochs on all training data and scored from the records, and the
hand-written MAE is re-run on unseen predictions of the (n, 1) shape that invites broadcasting.
"""

from __future__ import annotations

from collections.abc import Callable, Iterator
from typing import Any

import keras
import numpy as np

from grader import checks
from grader.checks import fitlog, kfold, provenance
from grader.checks.provenance import Namespace
from grader.hidden import reference

BATCH_SIZE = 16


def _array(value: object) -> np.ndarray:
    return np.asarray(keras.ops.convert_to_numpy(value))


def _is_number(value: object) -> bool:
    if isinstance(value, (bool, np.bool_)):
        return False
    try:
        array = _array(value)
    except Exception:  # not array-like at all
        return False
    return array.ndim == 0 and array.dtype.kind in "iuf" and bool(np.isfinite(array))


def _reference_model(namespace: Namespace) -> keras.Model:
    return reference("l07_ex2_build_model", namespace, "build_model")()


# 연습 7-1 -----------------------------------------------------------------------------------

def _normalized(train: np.ndarray, test: np.ndarray, ddof: int) -> tuple[np.ndarray, np.ndarray]:
    mean, std = train.mean(axis=0), train.std(axis=0, ddof=ddof)
    return (train - mean) / std, (test - mean) / std


def _normalize_cases(namespace: Namespace) -> Iterator[tuple[str, tuple[np.ndarray, np.ndarray]]]:
    rng = np.random.default_rng(701)
    yield "처음 보는 데이터", (rng.normal(loc=[5, -20, 300], scale=[1, 10, 50], size=(12, 3)),
                         rng.normal(loc=[7, -10, 250], scale=[2, 5, 30], size=(5, 3)))
    yield "처음 보는 데이터 (test 1행)", (rng.normal(loc=[0.5, 80], scale=[0.2, 30], size=(9, 2)),
                                 rng.normal(loc=[0.4, 60], scale=[0.1, 10], size=(1, 2)))
    yield "train_data, test_data", (np.array(namespace["train_data"], dtype="float64"),
                                    np.array(namespace["test_data"], dtype="float64"))


def _normalize_once(normalize: Callable[..., Any], where: str, train: np.ndarray, test: np.ndarray) -> None:
    __tracebackhide__ = True
    with checks.student_code(f"{where}에서 normalize가 오류를 냅니다.", "(정규화한 train, 정규화한 test)",
                             "return 정규화한_train, 정규화한_test처럼 두 배열을 반환하세요."):
        result = normalize(train.copy(), test.copy())
        found_train, found_test = result
        found_train, found_test = checks.to_numpy(found_train), checks.to_numpy(found_test)
    for name, found, given in (("train", found_train, train), ("test", found_test, test)):
        if found.shape != given.shape:
            checks.fail(f"{where}: 정규화한 {name}의 크기가 다릅니다.", given.shape, found.shape,
                        "정규화해도 배열의 크기는 그대로입니다. 열마다(axis=0) 평균과 표준 편차를 구하세요.")
    for ddof in (0, 1):
        want_train, want_test = _normalized(train, test, ddof)
        if checks.close(found_train, want_train) and checks.close(found_test, want_test):
            return
    if not any(checks.close(found_train, _normalized(train, test, ddof)[0]) for ddof in (0, 1)):
        hint = "열마다(axis=0) 훈련 데이터의 평균을 빼고 표준 편차로 나누세요."
        if checks.close(found_train, train - train.mean(axis=0)):
            hint = "평균만 빼고 표준 편차로 나누지 않았습니다. " + hint
        elif checks.close(found_train, (train - train.mean()) / train.std()):
            hint = "axis를 빼서 배열 전체의 평균과 표준 편차를 썼습니다. " + hint
        checks.fail(f"{where}: 정규화한 train이 다릅니다.", "열별 평균 0, 표준 편차 1",
                    f"열별 평균 {np.round(found_train.mean(axis=0), 3)}, "
                    f"표준 편차 {np.round(found_train.std(axis=0), 3)}", hint)
    hint = "test도 훈련 데이터(train)의 평균과 표준 편차로 정규화하세요 (train과 같은 표준 편차 방식으로)."
    if len(test) > 1 and checks.close(found_test, (test - test.mean(axis=0)) / test.std(axis=0)):
        hint = "test의 평균과 표준 편차를 썼습니다. 테스트 데이터의 정보가 새어 들어가니 " + hint
    elif checks.close(found_test, test - train.mean(axis=0)):
        hint = "test를 표준 편차로 나누지 않았습니다. " + hint
    want = np.round(_normalized(train, test, 0)[1][0], 3)
    checks.fail(f"{where}: 정규화한 test가 다릅니다.", f"첫 행 {want} (모집단 표준 편차 기준)",
                f"첫 행 {np.round(found_test[0], 3)}", hint)


def ex1_normalize(namespace: Namespace) -> None:
    """normalize re-run on unseen data: both parts scaled with the training mean and standard deviation
    (population or sample standard deviation, the same for both parts), column by column."""
    __tracebackhide__ = True
    normalize = namespace.get("normalize")
    if not callable(normalize):
        checks.fail("normalize 함수가 없습니다.", "def normalize(train, test): ...", type(normalize).__name__,
                    "연습 셀에서 함수 normalize(train, test)를 정의하세요.")
    for where, (train, test) in _normalize_cases(namespace):
        _normalize_once(normalize, where, train, test)
    # what the public checks restate
    x_train, _ = normalize(np.array(namespace["train_data"]), np.array(namespace["test_data"]))
    checks.equals("x_train의 열별 평균이 0인지", bool(np.allclose(np.mean(checks.to_numpy(x_train), axis=0), 0,
                                                        atol=1e-3)), True, "열마다(axis=0) 평균을 빼세요.")


# 연습 7-2 -----------------------------------------------------------------------------------

def ex2_build_model(namespace: Namespace) -> None:
    """Each call builds a new, untrained, compiled model with nothing shared (the public checks first); layers,
    wiring, behaviour and compile settings equal the reference's (Sequential or Functional, strings or objects;
    the output layer is the student's choice, and only the linear one gives a price of any value)."""
    __tracebackhide__ = True
    first = checks.new_model(namespace.get("build_model"), "build_model")
    checks.has_input_shape(first, (None, 13))
    checks.has_output_shape(first, (None, 1))
    checks.has_layers(first, [("Dense", 64, "relu"), ("Dense", 64, "relu"), ("Dense", 1, None)])
    checks.keeps_defaults(first)
    checks.matches_task(first, "regression")
    checks.compiled_with(first, optimizer="rmsprop", loss="mse", metrics=["mae"])
    expected = _reference_model(namespace)
    checks.same_model(first, expected)
    checks.same_compile(first, expected)


# 연습 7-3 -----------------------------------------------------------------------------------

def _kfold_case() -> tuple[np.ndarray, np.ndarray, int, int]:
    """Unseen data for k_fold_mae_histories: 13 features, k=3 folds of 8 samples, 2 epochs."""
    rng = np.random.default_rng(703)
    return rng.normal(size=(24, 13)), rng.uniform(5, 50, size=24), 3, 2


def ex3_kfold(namespace: Namespace) -> None:
    """k_fold_mae_histories re-run on unseen data with another k and num_epochs, checked against the fit records
    (the public check on unseen data, with the reference model): each returned list is the val_mae history of a
    new build_model() model trained on exactly the complement of its slice with validation_data = the slice;
    folds disjoint and covering."""
    __tracebackhide__ = True
    x, y, k, epochs = _kfold_case()
    kfold.cross_validates(namespace.get("k_fold_mae_histories"), x, y, k, epochs, BATCH_SIZE,
                          lambda: _reference_model(namespace))


# 연습 7-4 -----------------------------------------------------------------------------------

def ex4_average(namespace: Namespace) -> None:
    """average_mae_history is the per-epoch mean over the folds of the notebook's all_mae_histories; best_epoch is
    the 1-based epoch of its minimum (the public checks, on the notebook's own values)."""
    __tracebackhide__ = True
    histories = namespace["all_mae_histories"]
    average = provenance.answer_in(namespace, "average_mae_history", "7-4")
    kfold.averages_folds(average, histories)
    kfold.is_lowest_epoch(provenance.answer_in(namespace, "best_epoch", "7-4"), average, histories)


# 연습 7-5 -----------------------------------------------------------------------------------

def _final_epochs(namespace: Namespace) -> int:
    """best_epoch when 7-4 accepts it (carry_forward put the reference there otherwise), else argmin + 1."""
    allowed = kfold.lowest_epochs(namespace.get("average_mae_history"), namespace["all_mae_histories"])
    given: Any = namespace.get("best_epoch")
    return int(given) if _is_number(given) and int(given) in allowed else min(allowed)


def ex5_final(namespace: Namespace) -> None:
    """A new build_model() model trained for best_epoch epochs (argmin + 1 of the fold-averaged validation MAE)
    of batch 16 on exactly all the training data; both scores are the very numbers evaluate on the test set
    returned (the public checks first, with the reference model)."""
    __tracebackhide__ = True
    final_model = namespace.get("final_model")
    checks.matches_task(final_model, "regression")
    for name in ("test_mse_score", "test_mae_score"):
        checks.is_float(name, namespace.get(name), "2.5", "evaluate는 [mse, mae] 리스트를 돌려줍니다.")
    expected = _reference_model(namespace)
    checks.same_model(final_model, expected)
    checks.same_compile(final_model, expected)
    fits = [call for call in fitlog.calls(final_model, "fit") if call.finished]
    x_print = fitlog.fingerprint(namespace["x_train"])
    if len(fits) > 1 and not fitlog.same_data(fits[0].data["x"], x_print) and fitlog.same_data(fits[-1].data["x"],
                                                                                                x_print):
        checks.fail("final_model은(는) 앞에서 다른 데이터로 이미 훈련한 모델입니다 (교차 검증의 모델 등).",
                    "build_model()로 새로 만든 모델", f"먼저 크기 {getattr(fits[0].data['x'], 'shape', '?')}인 "
                    "데이터로 훈련한 모델",
                    "final_model = build_model()로 새 모델을 만들어 전체 훈련 데이터로 훈련하세요.")
    checks.trained_as(final_model, x=namespace["x_train"], y=namespace["train_targets"],
                      epochs=_final_epochs(namespace), batch_size=BATCH_SIZE, name="final_model")
    x_test, test_targets = namespace["x_test"], namespace["test_targets"]
    for index, name in enumerate(("test_mse_score", "test_mae_score")):
        checks.evaluated(namespace[name], final_model, x_test, test_targets, index, name, "테스트 세트", exact=True)


# 연습 7-6 -----------------------------------------------------------------------------------

def _mae_cases(namespace: Namespace) -> Iterator[tuple[str, np.ndarray, np.ndarray]]:
    yield "문제의 예", np.array([1.0, 2.0, 3.0]), np.array([[2.0], [1.0], [5.0]])
    rng = np.random.default_rng(706)
    for size, scale in ((7, 3.0), (37, 10.0)):
        targets = rng.uniform(5, 50, size=size)
        predictions = (targets + rng.normal(0, scale, size=size)).reshape(-1, 1).astype("float32")
        yield f"처음 보는 예측 {size}개", targets, predictions
    yield "test_targets와 predictions", np.asarray(namespace["test_targets"]), _array(namespace["predictions"])


def ex6_mae(namespace: Namespace) -> None:
    """my_mae(targets, predictions) re-run on unseen (n, 1) predictions and (n,) targets, and on the notebook's
    test_targets and predictions (final_model's predictions on x_test, given code), equals their mean absolute
    error; the task's example (the public check) first."""
    __tracebackhide__ = True
    my_mae = namespace.get("my_mae")
    if not callable(my_mae):
        checks.fail("my_mae 함수가 없습니다.", "def my_mae(targets, predictions): ...", type(my_mae).__name__,
                    "연습 셀에서 함수 my_mae(targets, predictions)를 정의하세요.")
    for where, targets, preds in _mae_cases(namespace):
        with checks.student_code(f"{where}에서 my_mae가 오류를 냅니다.", "실수 하나",
                                 "인자 순서는 (targets, predictions)이고, targets는 (n,), predictions는 (n, 1)입니다."):
            found = my_mae(targets.copy(), preds.copy())
        if not _is_number(found):
            checks.fail(f"{where}: my_mae가 실수 하나를 반환하지 않습니다.", "실수 하나 (예: 2.5)",
                        f"{type(found).__name__} {np.shape(found)}", "np.mean(...)의 결과를 반환하세요.")
        errors = preds[:, 0].astype("float64") - targets
        expected = float(np.mean(np.abs(errors)))
        if checks.close(float(found), expected):
            continue
        hint = "예측과 타깃 차이의 절댓값(np.abs)을 평균(np.mean)하세요."
        if checks.close(float(found), float(np.mean(np.abs(preds.astype("float64") - targets)))):
            hint = (f"({len(targets)}, 1)과 ({len(targets)},)를 그대로 빼서 ({len(targets)}, {len(targets)}) 배열이 "
                    "되었습니다 (브로드캐스팅). 빼기 전에 predictions[:, 0]으로 1차원으로 만드세요.")
        elif checks.close(float(found), float(np.mean(errors ** 2))):
            hint = "제곱의 평균(MSE)을 계산했습니다. MAE는 절댓값(np.abs)의 평균입니다."
        elif checks.close(float(found), float(np.mean(errors))) or checks.close(float(found), -float(np.mean(errors))):
            hint = "절댓값을 빼고 평균을 냈습니다. 양수와 음수 오차가 서로 지워집니다. " + hint
        checks.fail(f"{where}: my_mae가 평균 절대 오차와 다릅니다.", f"{expected:.4f}", f"{float(found):.4f}", hint)
