"""Hidden tests for lesson 07 (주택 가격 예측: 회귀 문제, Boston housing).

Score thresholds are relative to the baseline that always predicts the mean training price
(its MAE is about 6.6 on the real data and similar on the offline synthetic copy), so they
hold for both: cross-validation and test MAE must beat 70% and 60% of that baseline.
"""

import math

import numpy as np

from grader import checks

LAYERS = [("Dense", 64, "relu"), ("Dense", 64, "relu"), ("Dense", 1, "linear")]
PARAMS = (13 * 64 + 64) + (64 * 64 + 64) + (64 + 1)  # 5,121


def _baseline_mae(targets):
    targets = np.asarray(targets, dtype="float64")
    return float(np.mean(np.abs(targets - targets.mean())))


def _is_float(value):
    return isinstance(value, (float, np.floating)) and not isinstance(value, bool)


def ex1_normalize(normalize):
    """Unseen data: both parts scaled with the training mean and standard deviation, per column."""
    __tracebackhide__ = True
    rng = np.random.default_rng(701)
    train = rng.normal(loc=[5, -20, 300], scale=[1, 10, 50], size=(12, 3))
    test = rng.normal(loc=[7, -10, 250], scale=[2, 5, 30], size=(5, 3))
    mean, std = train.mean(axis=0), train.std(axis=0)
    with checks.student_code("처음 보는 데이터에서 normalize가 오류를 냅니다.", "(정규화한 train, 정규화한 test)",
                             "return 정규화한_train, 정규화한_test처럼 두 배열을 반환하세요."):
        found_train, found_test = normalize(train, test)
    if not np.allclose(found_train, (train - mean) / std):
        checks.fail("정규화한 train이 다릅니다.", "열별 평균 0, 표준 편차 1",
                    f"열별 평균 {np.round(np.mean(found_train, axis=0), 3)}",
                    "axis=0으로 열마다 평균과 표준 편차를 구하세요 (axis를 빼면 전체 평균이 됩니다).")
    if not np.allclose(found_test, (test - mean) / std):
        hint = "test도 훈련 데이터(train)의 평균과 표준 편차로 정규화하세요."
        if np.allclose(found_test, (test - test.mean(axis=0)) / test.std(axis=0)):
            hint = "test의 평균과 표준 편차를 썼습니다. 테스트 데이터의 정보가 새어 들어가니 " + hint
        checks.fail("정규화한 test가 다릅니다.", np.round((test - mean) / std, 3)[0], np.round(found_test, 3)[0], hint)


def ex2_build_model(build_model):
    """Each call returns a new, compiled regression model: exact table, rmsprop, mse and an mae metric."""
    __tracebackhide__ = True
    first, second = build_model(), build_model()
    if first is second:
        checks.fail("build_model()이 부를 때마다 같은 모델을 돌려줍니다.", "새 모델", "같은 객체",
                    "함수 안에서 keras.Sequential(...)로 모델을 새로 만드세요.")
    checks.layers(first, LAYERS)
    checks.param_count(first, PARAMS)
    checks.loss(first, "mean_squared_error")
    checks.optimizer(first, "rmsprop")
    x = np.random.default_rng(702).normal(size=(8, 13)).astype("float32")
    result = first.evaluate(x, np.zeros(8, dtype="float32"), verbose=0, return_dict=True)
    if not {"mae", "mean_absolute_error"} & set(result):
        checks.fail("compile에 mae 지표가 없습니다.", "metrics=['mae']", sorted(result),
                    "compile(..., metrics=['mae'])를 넣으세요.")


def ex3_kfold(all_scores, x_train, train_targets, k, num_epochs):
    """k finite, different validation MAEs whose mean beats 70% of the mean-price baseline."""
    __tracebackhide__ = True
    scores = [float(score) for score in all_scores]
    if not all(math.isfinite(score) for score in scores):
        checks.fail("all_scores에 nan/inf가 있습니다.", "유한한 MAE", scores,
                    "x_train(정규화한 데이터)으로 훈련하세요.")
    if len(set(np.round(scores, 6))) < k:
        checks.fail("폴드별 점수가 서로 같습니다.", "폴드마다 다른 점수", scores,
                    "폴드마다 검증 구간 i * num_val_samples ~ (i + 1) * num_val_samples를 바꾸고 새 모델을 만드세요.")
    baseline = _baseline_mae(train_targets)
    mean = float(np.mean(scores))
    if mean > baseline:
        checks.fail("평균 검증 점수가 평균 가격만 예측하는 기준 모델보다 나쁩니다.", f"{baseline:.2f}보다 작은 MAE",
                    f"{mean:.3f}", "evaluate는 [mse, mae]를 돌려줍니다. 두 번째 원소(MAE)를 추가하세요.")
    if mean > 0.7 * baseline:
        checks.fail("평균 검증 MAE가 너무 큽니다.", f"{0.7 * baseline:.2f}보다 작은 값", f"{mean:.3f}",
                    f"폴드마다 epochs=num_epochs({num_epochs}), batch_size=16으로 훈련했는지 확인하세요.")


def ex4_final(final_model, test_mse_score, test_mae_score, x_train, x_test, test_targets):
    """40 epochs of batch 16 on all training data; the scores equal a fresh evaluate and beat the baseline."""
    __tracebackhide__ = True
    checks.layers(final_model, LAYERS)
    params = getattr(getattr(final_model, "history", None), "params", None) or {}
    checks.answer("훈련한 에포크 수", params.get("epochs"), 40, "final_model.fit(..., epochs=40)으로 훈련하세요.")
    checks.answer("에포크당 배치 수", params.get("steps"), math.ceil(len(x_train) / 16),
                  "전체 x_train, train_targets를 batch_size=16으로 훈련하세요.")
    mse, mae = final_model.evaluate(x_test, test_targets, verbose=0)[:2]
    for name, value, want in (("test_mse_score", test_mse_score, mse), ("test_mae_score", test_mae_score, mae)):
        if not _is_float(value) or not math.isclose(value, want, rel_tol=1e-3, abs_tol=1e-3):
            checks.fail(f"{name}가 final_model의 테스트 세트 평가 결과와 다릅니다.", f"{want:.4f}", repr(value),
                        "test_mse_score, test_mae_score = final_model.evaluate(x_test, test_targets)의 순서입니다.")
    baseline = _baseline_mae(test_targets)
    if mae > 0.6 * baseline:
        checks.fail("테스트 MAE가 너무 큽니다.", f"{0.6 * baseline:.2f}보다 작은 값", f"{mae:.3f}",
                    "정규화한 x_train으로 훈련하고 x_test로 평가했는지 확인하세요.")


def ex5_mae(my_mae, final_model, x_test, test_targets):
    """my_mae equals the mean absolute error of final_model's predictions, computed element-wise."""
    __tracebackhide__ = True
    predictions = final_model.predict(x_test, verbose=0)
    targets = np.asarray(test_targets, dtype="float64")
    want = float(np.mean(np.abs(predictions[:, 0] - targets)))
    hint = "np.mean(np.abs(predictions[:, 0] - test_targets))처럼 계산하세요."
    if _is_float(my_mae) and math.isclose(my_mae, float(np.mean(np.abs(predictions - targets))), rel_tol=1e-4):
        hint = "(102, 1)과 (102,)를 그대로 빼서 (102, 102) 배열이 되었습니다. predictions[:, 0]으로 1차원으로 만드세요."
    elif _is_float(my_mae) and math.isclose(my_mae, float(np.mean((predictions[:, 0] - targets) ** 2)), rel_tol=1e-4):
        hint = "제곱의 평균(MSE)을 계산했습니다. MAE는 절댓값(np.abs)의 평균입니다."
    if not _is_float(my_mae) or not math.isclose(my_mae, want, rel_tol=1e-3, abs_tol=1e-3):
        checks.fail("my_mae가 예측과 실제 가격의 평균 절대 오차와 다릅니다.", f"{want:.4f}", repr(my_mae), hint)
