"""Public checks for K-fold cross-validation (kernel side), read from the kernel's fit records.

`cross_validates` runs a student's K-fold function and traces every validation history it returns back to
the recorded `fit` that produced it: a new model per fold, trained on exactly the other folds with its own
fold as `validation_data`. `averages_folds` and `is_lowest_epoch` check the per-epoch average over the folds
and the epoch of its minimum.
"""

from __future__ import annotations

import contextlib
from collections.abc import Callable, Iterator
from typing import Any, NoReturn, cast

import numpy as np

from . import fitlog
from ._report import fail, student_code
from .answers import is_int, to_numpy
from .numeric import close
from .plain import plain
from .reference import same_model
from .training import same_compile, trained_as

MAE_KEYS = ("mae", "mean_absolute_error")


@contextlib.contextmanager
def _about(prefix: str) -> Iterator[None]:
    """Put `prefix` in front of the message of a failing check."""
    __tracebackhide__ = True
    try:
        yield
    except AssertionError as error:
        error.args = (f"{prefix}{error.args[0]}", *error.args[1:]) if error.args else (prefix,)
        raise


class _Folds:
    """The k validation slices `len(x) // k` long for (x, y) and the training data that goes with each."""

    def __init__(self, x: np.ndarray, y: np.ndarray, k: int) -> None:
        size = len(x) // k
        self.val: list[tuple[np.ndarray, np.ndarray]] = []
        self.train: list[tuple[np.ndarray, np.ndarray]] = []
        self.val_prints: list[tuple[Any, Any]] = []
        for i in range(k):
            part = slice(i * size, (i + 1) * size)
            rest = np.r_[0:i * size, (i + 1) * size:len(x)]
            self.val.append((x[part], y[part]))
            self.train.append((x[rest], y[rest]))
            self.val_prints.append((fitlog.fingerprint(x[part]), fitlog.fingerprint(y[part])))
        self.other_prints = {"인자 x 전체": fitlog.fingerprint(x)}
        self.other_prints.update({f"폴드 {i + 1}의 훈련 부분": fitlog.fingerprint(part[0])
                                  for i, part in enumerate(self.train)})

    def fold_of(self, x_print: Any, y_print: Any) -> int | None:
        for i, (vx, vy) in enumerate(self.val_prints):
            if fitlog.same_data(x_print, vx) and (y_print is None or fitlog.same_data(y_print, vy)):
                return i
        return None

    def describe(self, x_print: Any) -> str:
        for name, known in self.other_prints.items():
            if fitlog.same_data(x_print, known):
                return name
        return f"크기 {getattr(x_print, 'shape', '?')}인 다른 데이터 (함수 인자가 아닌 x_train 등)"


def _histories(histories: Any, k: int, epochs: int) -> list[list[float]]:
    """`histories` as k plain lists of `epochs` finite numbers, or a Korean failure."""
    __tracebackhide__ = True
    if not isinstance(histories, (list, tuple, np.ndarray)) or len(histories) != k:
        found = f"길이 {len(histories)}" if isinstance(histories, (list, tuple, np.ndarray)) else type(
            histories).__name__
        fail(f"k={k}일 때 반환한 값에 폴드마다 기록이 하나씩 있어야 합니다.", f"길이 {k}인 리스트", found,
             "all_mae_histories = []로 시작해 폴드마다 history.history['val_mae']를 append하고 반환하세요.")
    for number, values in enumerate(histories):
        if not isinstance(values, (list, tuple, np.ndarray)) or len(values) != epochs:
            fail(f"반환한 기록 [{number}]은(는) 에포크마다 검증 MAE 하나씩, 길이 {epochs}인 리스트여야 합니다.",
                 f"history.history['val_mae'] (num_epochs={epochs})", type(values).__name__,
                 "History 객체나 마지막 값 하나가 아니라 history.history['val_mae'] 리스트를 추가하세요.")
    numbers = np.asarray(plain(histories, "반환한 기록"), dtype="float64")
    if numbers.shape != (k, epochs) or not np.all(np.isfinite(numbers)):
        fail("반환한 기록이 에포크마다 검증 MAE 숫자 하나씩이 아닙니다.", f"숫자 {k} x {epochs}개",
             f"크기 {numbers.shape}", "history.history['val_mae'] 리스트를 그대로 추가하세요.")
    return numbers.tolist()


def _history_problem(number: int, folds: _Folds, call: fitlog.Call, key: str) -> NoReturn:
    """Why a returned list that is `key` of a recorded fit history is not a fold's validation MAE."""
    __tracebackhide__ = True
    where = f"반환한 기록 [{number}]"
    if not key.startswith("val_"):
        fail(f"{where}은(는) 훈련 데이터의 기록(history['{key}'])입니다.", "검증 폴드의 MAE 기록 (val_mae)",
             f"history['{key}']", "fit에 validation_data를 넘기고 history.history['val_mae']를 추가하세요.")
    if key[4:] not in MAE_KEYS:
        fail(f"{where}은(는) 검증 손실(MSE) 기록(history['{key}'])입니다.", "history.history['val_mae']",
             f"history['{key}']", "손실(val_loss)이 아니라 지표 MAE의 기록 val_mae를 추가하세요.")
    x_print = call.data["validation_x"]
    if folds.fold_of(x_print, None) is not None:
        fail(f"{where}: 검증 데이터는 폴드 구간이 맞지만 검증 타깃이 같은 구간이 아닙니다.",
             "targets[i * num_val_samples: (i + 1) * num_val_samples]", "다른 타깃",
             "검증 타깃도 x와 같은 구간으로 targets를 잘라 만드세요.")
    fail(f"{where}은(는) 검증 폴드가 아닌 데이터로 검증한 MAE입니다.",
         "x[i * num_val_samples: (i + 1) * num_val_samples]와 같은 구간의 targets", folds.describe(x_print),
         "폴드 i의 검증 데이터와 타깃은 함수 인자 x와 targets를 같은 구간으로 잘라 만듭니다.")


def _trace(folds: _Folds, number: int, values: list[float],
           calls: list[fitlog.Call]) -> tuple[int, Any, fitlog.Call]:
    """(fold index, model, fit call) of the fold validation MAE history that `values` is."""
    __tracebackhide__ = True
    first: tuple[fitlog.Call, str] | None = None
    for call in reversed(calls):
        for key, recorded in call.history.items():
            if not close(values, recorded, rtol=1e-6):
                continue
            fold = folds.fold_of(call.data["validation_x"], call.data["validation_y"])
            if key.startswith("val_") and key[4:] in MAE_KEYS and fold is not None:
                return fold, call.model(), call
            first = first or (call, key)
    if first is not None:
        _history_problem(number, folds, *first)
    fail(f"반환한 기록 [{number}]이(가) 이 함수가 부른 어떤 fit의 기록과도 같지 않습니다.",
         "history.history['val_mae'] (validation_data로 검증 폴드를 넘긴 fit 한 번의 기록)",
         f"{np.round(np.asarray(values, dtype=float)[:3], 3)}...",
         "fit(..., validation_data=(검증 데이터, 검증 타깃))이 돌려준 history.history['val_mae']를 그대로 추가하세요.")


def cross_validates(function: object, x: np.ndarray, targets: np.ndarray, k: int, num_epochs: int,
                    batch_size: int, build: Callable[[], Any], name: str = "k_fold_mae_histories") -> None:
    """`function(x, targets, k, num_epochs)` returns, fold by fold, the `val_mae` history of a new model built like
    `build()` and compiled the same, trained for `num_epochs` epochs of `batch_size` on exactly the other folds
    with its fold (`len(x) // k` samples, in order) as `validation_data`; folds disjoint and covering."""
    __tracebackhide__ = True
    if not callable(function):
        fail(f"{name} 함수가 없습니다.", f"def {name}(x, targets, k, num_epochs): ...", type(function).__name__,
             f"연습 셀에서 함수 {name}를 정의하세요.")
    before = len(fitlog.calls())
    with student_code(f"데이터(샘플 {len(x)}개, k={k}, num_epochs={num_epochs})에서 {name}가 오류를 냅니다.",
                      "폴드마다 검증 MAE 기록 하나씩",
                      "함수 안에서는 인자 x, targets, k, num_epochs만 쓰세요 (x_train, 4, 60 같은 값 대신)."):
        returned = function(x.copy(), targets.copy(), k, num_epochs)
    histories = _histories(returned, k, num_epochs)
    calls = [call for call in fitlog.calls()[before:] if call.method == "fit" and call.finished and call.model()]
    folds = _Folds(x, targets, k)
    traced = [_trace(folds, number, values, calls) for number, values in enumerate(histories)]
    used = [fold for fold, *_ in traced]
    if sorted(used) != list(range(k)):
        fail("검증 폴드가 겹치거나 빠졌습니다.", f"폴드 1~{k}를 한 번씩", f"검증한 폴드 {[fold + 1 for fold in used]}",
             "폴드 i의 검증 구간은 i * num_val_samples부터 (i + 1) * num_val_samples까지입니다.")
    models = {id(model) for _, model, _ in traced}
    if len(models) < k:
        fail("한 모델을 여러 폴드에서 다시 훈련했습니다.", f"모델 {k}개 (폴드마다 build_model())",
             f"서로 다른 모델 {len(models)}개", "반복문 안에서 폴드마다 build_model()을 불러 새 모델을 만드세요.")
    expected = build()
    for fold, model, call in traced:
        (val_x, val_y), (train_x, train_y) = folds.val[fold], folds.train[fold]
        with _about(f"[폴드 {fold + 1}] "):
            same_model(model, expected)
            same_compile(model, expected)
            trained_as(model, x=train_x, y=train_y, epochs=num_epochs, batch_size=batch_size,
                       validation_data=(val_x, val_y), history=call.result, name="폴드 모델")


def _curves(average: Any, histories: Any) -> tuple[np.ndarray, np.ndarray]:
    """(the per-epoch mean over the folds of `histories`, the student's `average` as a flat array)."""
    want = np.mean(np.asarray(plain(histories, "all_mae_histories"), dtype="float64"), axis=0)
    return want, to_numpy(average).ravel()


def averages_folds(average: Any, histories: Any, name: str = "average_mae_history") -> None:
    """`average` is the per-epoch mean over the folds of `histories` (a list or an array, any float type)."""
    __tracebackhide__ = True
    want, found = _curves(average, histories)
    if found.shape != want.shape:
        hint = "에포크마다(axis=0) 모든 폴드의 값을 평균하세요."
        if found.shape == (len(histories),):
            hint = "폴드마다 평균을 냈습니다 (axis=1). " + hint
        fail(f"{name}의 길이가 num_epochs가 아닙니다.", f"길이 {len(want)} (에포크마다 하나)", f"크기 {found.shape}",
             hint)
    if not close(found, want):
        fail(f"{name}이(가) 에포크별 폴드 평균과 다릅니다.", np.round(want[:3], 3), np.round(found[:3], 3),
             "i번째 원소는 모든 폴드에서 i번째 에포크 값의 평균입니다.")


def lowest_epochs(average: Any, histories: Any) -> set[int]:
    """The 1-based epochs accepted as the lowest of the fold average: argmin + 1 of the mean recomputed from
    `histories`, and of the student's own `average` when it is that mean (within tolerance)."""
    return _lowest(*_curves(average, histories))


def _lowest(want: np.ndarray, found: np.ndarray) -> set[int]:
    return {int(np.argmin(want)) + 1} | ({int(np.argmin(found)) + 1} if close(found, want) else set())


def is_lowest_epoch(best_epoch: Any, average: Any, histories: Any, name: str = "best_epoch") -> None:
    """`best_epoch` is the 1-based epoch where the per-epoch fold average of validation MAE is lowest."""
    __tracebackhide__ = True
    is_int(name, best_epoch)
    best = int(cast(int, plain(best_epoch, name)))
    want, found = _curves(average, histories)
    allowed = _lowest(want, found)
    if best in allowed:
        return
    hint = "np.argmin(average_mae_history)로 가장 낮은 값의 인덱스를 찾아 1을 더하세요."
    if best + 1 in allowed:
        hint = "인덱스는 0부터, 에포크 번호는 1부터 셉니다. " + hint
    elif best == int(np.argmax(want)) + 1:
        hint = "가장 높은 값(argmax)을 찾았습니다. MAE는 낮을수록 좋습니다. " + hint
    fail(f"{name}가 평균 검증 MAE가 가장 낮은 에포크가 아닙니다.", min(allowed), best, hint)
