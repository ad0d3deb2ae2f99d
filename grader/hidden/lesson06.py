"""Hidden tests for lesson 06 (뉴스 기사 분류: 다중 분류 문제, Reuters).

Thresholds (safe for both the real Reuters data and the offline synthetic copy):
- initial loss of an untrained model: within 0.5 of ln(46) ≈ 3.83;
- test accuracy after training: above 0.6 and above the random-shuffle baseline
  (the sum of squared topic frequencies of the test labels, ≈ 0.19 on the real data).
"""

import math

import keras
import numpy as np

from grader import checks

NUM_CLASSES = 46
INPUT_DIM = 10_000
LAYERS = [("Dense", 64, "relu"), ("Dense", 64, "relu"), ("Dense", NUM_CLASSES, "softmax")]
PARAMS = (INPUT_DIM * 64 + 64) + (64 * 64 + 64) + (64 * NUM_CLASSES + NUM_CLASSES)  # 647,214
MIN_TEST_ACCURACY = 0.6


def _multi_hot(rng, n):
    """n random multi-hot news vectors (20 to 150 distinct words each)."""
    x = np.zeros((n, INPUT_DIM), dtype="float32")
    for row in x:
        row[rng.choice(INPUT_DIM, size=int(rng.integers(20, 150)), replace=False)] = 1.0
    return x


def _evaluate(model, x, y, what, hint):
    """model.evaluate(x, y) as a dict, or a Korean failure when it raises."""
    __tracebackhide__ = True
    try:
        return model.evaluate(x, y, batch_size=512, verbose=0, return_dict=True)
    except Exception as error:  # the student's model/loss may raise anything
        checks.fail(f"{what}로 evaluate를 실행하면 오류가 납니다.", "오류 없이 [손실, 정확도] 계산",
                    f"{type(error).__name__}: {str(error)[:200]}", hint)


def _has_accuracy(result):
    __tracebackhide__ = True
    if "accuracy" not in result:
        checks.fail("compile에 정확도 지표가 없습니다.", "metrics=['accuracy']", sorted(result),
                    "compile(..., metrics=['accuracy'])를 넣어야 훈련·평가 때 정확도가 계산됩니다.")


def ex1_to_one_hot(to_one_hot):
    """to_one_hot equals keras.utils.to_categorical on unseen labels, as a float array, any dimension."""
    __tracebackhide__ = True
    if not callable(to_one_hot):
        checks.fail("to_one_hot이 함수가 아닙니다.", "def to_one_hot(labels, dimension=46): ...",
                    type(to_one_hot).__name__, "def로 함수를 정의하세요.")
    rng = np.random.default_rng(606)
    labels = rng.integers(0, NUM_CLASSES, size=37)
    labels[:3] = [0, NUM_CLASSES - 1, 17]
    for given, dimension in ((labels, None), (np.array([2, 0, 9, 5, 9]), 10)):
        with checks.student_code(
                "처음 보는 레이블로 to_one_hot을 호출하면 오류가 납니다.", "오류 없이 배열 반환",
                "레이블 번호를 그대로 열 인덱스로 쓰고, 배열 크기는 (len(labels), dimension)로 만드세요."):
            found = to_one_hot(given) if dimension is None else to_one_hot(given, dimension=dimension)
        want = keras.utils.to_categorical(given, num_classes=dimension or NUM_CLASSES)
        found = np.asarray(found)
        call = "to_one_hot(labels)" if dimension is None else f"to_one_hot(labels, dimension={dimension})"
        if found.shape != want.shape:
            checks.fail(f"{call}의 크기가 다릅니다.", want.shape, found.shape,
                        "dimension 인자를 그대로 열 개수로 쓰세요 (46을 직접 적지 말고).")
        if found.dtype.kind != "f":
            checks.fail(f"{call}의 자료형이 실수가 아닙니다.", "float (np.zeros의 기본 자료형)", found.dtype,
                        "np.zeros((len(labels), dimension))로 만든 배열에 1.0을 채우세요.")
        for label, row, expected in zip(given, found, want):
            if not np.array_equal(row, expected):
                checks.fail(f"레이블 {label}의 원-핫 벡터가 틀렸습니다 (값이 1인 위치).",
                            np.flatnonzero(expected).tolist(), np.flatnonzero(row).tolist(),
                            "인덱스는 0부터 셉니다. results[i, label] = 1.0처럼 레이블을 그대로 열 인덱스로 쓰세요.")


def ex2_model(model):
    """Exact layer table, 647,214 parameters, softmax rows summing to 1 on unseen multi-hot inputs."""
    __tracebackhide__ = True
    checks.layers(model, LAYERS)
    checks.param_count(model, PARAMS)
    x = _multi_hot(np.random.default_rng(62), 8)
    probabilities = keras.ops.convert_to_numpy(model(x))
    if not np.allclose(probabilities.sum(axis=1), 1.0, atol=1e-4):
        checks.fail("출력이 확률 분포가 아닙니다 (각 행의 합).", "모든 행의 합이 1",
                    np.round(probabilities.sum(axis=1), 3), "마지막 층에 activation='softmax'를 쓰세요.")


def ex3_compile(model, x, y):
    """rmsprop, the model structure, and evaluate runs on one-hot labels with an accuracy metric."""
    __tracebackhide__ = True
    checks.layers(model, LAYERS)
    checks.optimizer(model, "rmsprop")
    result = _evaluate(model, x, y, "원-핫 레이블(y_train)",
                       "원-핫 레이블에는 categorical_crossentropy를 씁니다. "
                       "sparse_categorical_crossentropy는 정수 레이블용입니다.")
    _has_accuracy(result)


def ex4_sparse(model_int, x, labels):
    """The model structure, rmsprop, and evaluate runs on integer labels with an accuracy metric."""
    __tracebackhide__ = True
    checks.layers(model_int, LAYERS)
    checks.matches_task(model_int, "multiclass")
    checks.optimizer(model_int, "rmsprop")
    result = _evaluate(model_int, x, labels, "정수 레이블(train_labels)",
                       "정수 레이블에는 sparse_categorical_crossentropy를 씁니다.")
    _has_accuracy(result)


def ex5_initial_loss(initial_loss, initial_model, x_val, y_val):
    """initial_loss is within 0.5 of ln(46) and equals a fresh evaluate of the untrained initial_model."""
    __tracebackhide__ = True
    checks.layers(initial_model, LAYERS)
    checks.loss(initial_model, "categorical_crossentropy")
    expected = math.log(NUM_CLASSES)
    recomputed = _evaluate(initial_model, x_val, y_val, "검증 세트(x_val, y_val)",
                           "원-핫 레이블에는 categorical_crossentropy를 씁니다.")["loss"]
    if abs(recomputed - expected) > 0.5:
        checks.fail("initial_model이 이미 학습된 것 같습니다 (검증 손실이 ln(46)에서 멉니다).",
                    f"약 {expected:.2f}", f"{recomputed:.4f}",
                    "initial_model은 fit을 호출하지 말고 만들고 컴파일한 직후의 상태로 두세요.")
    if abs(initial_loss - expected) > 0.5:
        checks.fail("initial_loss가 학습 전 손실로 보기에는 ln(46)에서 너무 멉니다.",
                    f"약 {expected:.2f}", f"{initial_loss:.4f}",
                    "evaluate는 [손실, 정확도]를 돌려줍니다. fit 전에 구한 첫 번째 원소(손실)를 담으세요.")
    if not math.isclose(initial_loss, recomputed, abs_tol=2e-3):
        checks.fail("initial_loss가 initial_model.evaluate(x_val, y_val)의 손실과 다릅니다.",
                    f"{recomputed:.4f}", f"{initial_loss:.4f}",
                    "값을 직접 적지 말고 initial_model.evaluate(x_val, y_val, verbose=0)[0]을 담으세요.")


def ex6_train(test_acc, final_model, x_test, y_test):
    """test_acc equals final_model's test accuracy, is above 0.6 and above the random baseline."""
    __tracebackhide__ = True
    checks.is_float("test_acc", test_acc, "0.8", "evaluate는 [손실, 정확도]를 돌려줍니다. 두 번째 원소를 담으세요.")
    checks.layers(final_model, LAYERS)
    checks.loss(final_model, "categorical_crossentropy")
    recomputed = _evaluate(final_model, x_test, y_test, "테스트 세트(x_test, y_test)",
                           "원-핫 레이블에는 categorical_crossentropy를 씁니다.")
    _has_accuracy(recomputed)
    if not math.isclose(test_acc, recomputed["accuracy"], abs_tol=5e-3):
        checks.fail("test_acc가 final_model의 테스트 정확도와 다릅니다.", f"{recomputed['accuracy']:.4f}",
                    f"{test_acc:.4f}",
                    "final_model.evaluate(x_test, y_test)의 두 번째 원소(정확도)를 담으세요. "
                    "첫 번째 원소는 손실입니다.")
    frequencies = np.asarray(y_test).sum(axis=0) / len(y_test)
    baseline = float(np.sum(frequencies ** 2))
    if test_acc <= max(MIN_TEST_ACCURACY, baseline):
        checks.fail("테스트 정확도가 너무 낮습니다.",
                    f"{max(MIN_TEST_ACCURACY, baseline):.2f}보다 큰 값 (무작위 분류기: {baseline:.3f})",
                    f"{test_acc:.4f}",
                    "전체 훈련 데이터(x_train, y_train)로 epochs=9, batch_size=512만큼 훈련했는지 확인하세요.")


def ex7_predict(predicted_classes, model, x_test):
    """predicted_classes equals the argmax over classes of model.predict(x_test)."""
    __tracebackhide__ = True
    found = np.asarray(predicted_classes)
    if found.dtype.kind not in "iu":
        checks.fail("predicted_classes는 클래스 번호(정수) 배열이어야 합니다.", "정수 자료형", found.dtype,
                    "np.max는 가장 큰 확률 값을, np.argmax는 그 위치(클래스 번호)를 돌려줍니다.")
    want = np.argmax(model.predict(x_test, verbose=0), axis=1)
    if found.shape != want.shape:
        checks.fail("predicted_classes의 크기가 다릅니다.", want.shape, found.shape,
                    "샘플마다(행마다) 클래스 하나를 고르도록 axis=1로 argmax하세요.")
    wrong = np.flatnonzero(found != want)
    if wrong.size:
        first = int(wrong[0])
        checks.fail(f"{wrong.size}개 샘플의 예측 클래스가 predictions의 argmax와 다릅니다 "
                    f"(처음 다른 샘플: {first}번).", int(want[first]), int(found[first]),
                    "np.argmax(predictions, axis=1)를 그대로 쓰세요. 클래스 번호는 0부터 시작합니다.")
