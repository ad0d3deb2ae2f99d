"""K-fold checks (grader.checks.kfold): the folds behind a student's validation histories, the per-epoch average
and the best epoch. Each passes the task's answer and fails, in Korean, the typical mistakes."""

import keras
import numpy as np

from grader import checks
from tests.test_checks_models import fails

HISTORIES = [[3.0, 2.4, 2.0, 2.7], [3.2, 2.5, 2.1, 2.9], [2.9, 2.3, 2.2, 2.8]]


def test_averages_folds_accepts_lists_and_arrays_and_rejects_other_axes():
    average = np.mean(HISTORIES, axis=0)
    checks.averages_folds(average, HISTORIES)
    checks.averages_folds(list(average.astype("float32")), np.array(HISTORIES))
    fails(checks.averages_folds, np.mean(HISTORIES, axis=1), HISTORIES, mentions=["axis=1"])
    fails(checks.averages_folds, HISTORIES[-1], HISTORIES, mentions=["폴드 평균과 다릅니다"])


def test_is_lowest_epoch_counts_from_one():
    average = np.mean(HISTORIES, axis=0)  # lowest at index 2
    checks.is_lowest_epoch(3, average, HISTORIES)
    checks.is_lowest_epoch(np.int64(3), average, HISTORIES)
    fails(checks.is_lowest_epoch, 2, average, HISTORIES, mentions=["인덱스는 0부터"])
    fails(checks.is_lowest_epoch, 1, average, HISTORIES, mentions=["argmax"])
    fails(checks.is_lowest_epoch, 3.0, average, HISTORIES, mentions=["정수"])


def _build():
    model = keras.Sequential([keras.Input(shape=(3,)), keras.layers.Dense(1)])
    model.compile(optimizer="rmsprop", loss="mse", metrics=["mae"])
    return model


def _k_fold(x, targets, k, num_epochs, overlap=0, key="val_mae"):
    size = len(x) // k
    histories = []
    for i in range(k):
        start, stop = i * size, (i + 1 + overlap) * size
        rest = np.concatenate([x[:start], x[stop:]]), np.concatenate([targets[:start], targets[stop:]])
        history = _build().fit(*rest, validation_data=(x[start:stop], targets[start:stop]), epochs=num_epochs,
                               batch_size=4, verbose=0)
        histories.append(history.history[key])
    return histories


def test_cross_validates_traces_each_history_to_its_fold():
    rng = np.random.default_rng(0)
    x, y = rng.normal(size=(12, 3)), rng.normal(size=12)
    checks.cross_validates(_k_fold, x, y, 3, 2, 4, _build)
    fails(checks.cross_validates, lambda *args: _k_fold(*args, key="val_loss"), x, y, 3, 2, 4, _build,
          mentions=["검증 손실(MSE)"])
    fails(checks.cross_validates, lambda *args: _k_fold(*args, overlap=1), x, y, 3, 2, 4, _build,
          mentions=["검증 폴드가 아닌"])
    fails(checks.cross_validates, lambda x, y, k, n: _k_fold(x, y, k, n)[:2], x, y, 3, 2, 4, _build,
          mentions=["폴드마다 기록이 하나씩"])
