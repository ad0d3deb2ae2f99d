"""Hidden tests for lesson 05 (영화 리뷰 분류: 이진 분류 문제, IMDB).

Thresholds are safe for both the real IMDB data (test accuracy ≈ 0.88) and the offline
synthetic copy (≈ 0.8, its labels carry 16% noise): test accuracy above 0.7.
"""

import math

import keras
import numpy as np

from grader import checks

LAYERS = [("Dense", 16, "relu"), ("Dense", 16, "relu"), ("Dense", 1, "sigmoid")]
PARAMS = (10_000 * 16 + 16) + (16 * 16 + 16) + (16 + 1)  # 160,305
MIN_TEST_ACCURACY = 0.7


def ex1_decode(decode_review, reverse_word_index):
    """Unseen sequences: the index offset of 3, '?' for reserved and unknown indices, single spaces."""
    __tracebackhide__ = True
    known = sorted(reverse_word_index)[:50]
    sequence = [1] + [index + 3 for index in known[:12]] + [2, 0, known[20] + 3]
    want = " ".join(reverse_word_index.get(i - 3, "?") for i in sequence)
    with checks.student_code("처음 보는 시퀀스에서 decode_review가 오류를 냅니다.", "오류 없이 문자열 반환",
                             "reverse_word_index.get(i - 3, '?')처럼 없는 인덱스는 '?'로 바꾸세요."):
        found = decode_review(sequence)
    hint = "인덱스에서 3을 뺀 값으로 찾으세요 (0, 1, 2는 예약된 인덱스)."
    if isinstance(found, str) and found.split(" ")[1:3] == want.split(" ")[1:3]:
        hint = "예약된 인덱스(0, 1, 2)와 사전에 없는 인덱스는 '?'로 바꾸고, 단어는 공백 하나로 이으세요."
    checks.answer("decode_review(처음 보는 시퀀스)", found, want, hint)


def ex2_vectorize(vectorize_sequences):
    """Multi-hot (not counts) on unseen sequences, any dimension, float array of the right shape."""
    __tracebackhide__ = True
    sequences = [[3, 3, 3, 7], [], [0, 9, 2, 9], [5]]
    want = np.zeros((4, 12), dtype="float32")
    for i, sequence in enumerate(sequences):
        want[i, sequence] = 1.0
    with checks.student_code("처음 보는 시퀀스에서 vectorize_sequences가 오류를 냅니다.", "오류 없이 배열 반환",
                             "빈 시퀀스도 처리되는지 확인하세요."):
        found = np.asarray(vectorize_sequences(sequences, dimension=12))
    checks.answer("vectorize_sequences(..., dimension=12).shape", found.shape, want.shape,
                  "배열 크기는 (len(sequences), dimension)입니다. 10000을 직접 적지 말고 dimension을 쓰세요.")
    if found.dtype.kind != "f":
        checks.fail("반환 배열의 자료형이 실수가 아닙니다.", "float32", found.dtype,
                    "np.zeros((len(sequences), dimension), dtype='float32')로 만드세요.")
    if not np.array_equal(found, want):
        hint = ("같은 단어가 여러 번 나와도 1입니다 (더하지 말고 1을 넣으세요)."
                if found.max() > 1 else "i번째 행의 [i, j]에 1을 넣으세요 (j는 시퀀스의 단어 인덱스).")
        checks.fail("멀티-핫 벡터의 값이 틀렸습니다 (1행: [3, 3, 3, 7]).", want[0].tolist(), found[0].tolist(), hint)


def ex3_model(model):
    """Exact layer table, 160,305 parameters, probabilities on unseen multi-hot reviews."""
    __tracebackhide__ = True
    checks.layers(model, LAYERS)
    checks.param_count(model, PARAMS)
    x = (np.random.default_rng(503).random((6, 10_000)) < 0.02).astype("float32")
    out = keras.ops.convert_to_numpy(model(x))
    if out.min() < 0 or out.max() > 1:
        checks.fail("출력이 확률(0~1)이 아닙니다.", "0 ≤ 출력 ≤ 1", np.round(out.ravel(), 3),
                    "마지막 층에 activation='sigmoid'를 쓰세요.")


def ex4_compile(model, x, y):
    """The model structure, rmsprop, and an accuracy metric."""
    __tracebackhide__ = True
    checks.layers(model, LAYERS)
    checks.optimizer(model, "rmsprop")
    result = model.evaluate(x, y, verbose=0, return_dict=True)
    if "accuracy" not in result:
        checks.fail("compile에 정확도 지표가 없습니다.", "metrics=['accuracy']", sorted(result),
                    "compile(..., metrics=['accuracy'])를 넣으세요.")


def ex5_train(test_acc, final_model, x_train, x_test, y_test):
    """Trained 4 epochs on the whole training set; test_acc is its test accuracy and above 0.7."""
    __tracebackhide__ = True
    checks.layers(final_model, LAYERS)
    checks.loss(final_model, "binary_crossentropy")
    history = getattr(final_model, "history", None)
    params = getattr(history, "params", None) or {}
    checks.answer("훈련한 에포크 수", params.get("epochs"), 4, "final_model.fit(..., epochs=4)로 훈련하세요.")
    checks.answer("에포크당 배치 수", params.get("steps"), math.ceil(len(x_train) / 512),
                  "검증 세트를 떼지 않은 전체 x_train, y_train을 batch_size=512로 훈련하세요.")
    result = final_model.evaluate(x_test, y_test, batch_size=512, verbose=0, return_dict=True)
    if "accuracy" not in result or not math.isclose(test_acc, result["accuracy"], abs_tol=5e-3):
        checks.fail("test_acc가 final_model의 테스트 정확도와 다릅니다.", f"{result.get('accuracy', math.nan):.4f}",
                    f"{test_acc:.4f}", "evaluate의 두 번째 원소(정확도)를 담으세요. 첫 번째 원소는 손실입니다.")
    if test_acc < MIN_TEST_ACCURACY:
        checks.fail("테스트 정확도가 너무 낮습니다.", f"{MIN_TEST_ACCURACY} 이상", f"{test_acc:.4f}",
                    "rmsprop과 binary_crossentropy로 컴파일했는지 확인하세요.")


def ex6_predict(predictions, most_positive, final_model, x_test):
    """predictions equal final_model.predict(x_test); most_positive is their argmax."""
    __tracebackhide__ = True
    want = final_model.predict(x_test, batch_size=512, verbose=0)
    found = np.asarray(predictions)
    if found.shape != want.shape or not np.allclose(found, want, atol=1e-4):
        checks.fail("predictions가 final_model.predict(x_test)와 다릅니다.", want.shape, found.shape,
                    "연습 5-5의 final_model로 테스트 세트 전체를 예측하세요.")
    expected = int(np.argmax(want[:, 0]))
    hint = "np.argmax는 가장 큰 값의 위치를 돌려줍니다."
    if most_positive == int(np.argmin(want[:, 0])):
        hint = "np.argmin은 가장 확신하는 부정 리뷰입니다. 긍정 확률이 가장 높은 것을 찾으세요."
    checks.answer("most_positive", most_positive, expected, hint)
