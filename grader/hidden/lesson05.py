"""Hidden tests for lesson 05 (영화 리뷰 분류: 이진 분류 문제, IMDB).

Each test takes the notebook's namespace and compares the student's answer with the reference
(the solution's own answer, run by `grader.hidden.reference`): functions re-run on unseen inputs,
models by `checks.same_model` / `checks.same_compile` (the output layer and loss of 5-3 are the student's choice:
the text allows Dense(1, sigmoid) with the binary crossentropy only), training by the kernel's fit record
(`checks.trained_as`: a fresh model, batch 512, exactly x_train / y_train, for an epoch count within EPOCH_MARGIN
of the lowest val_loss of the student's own curve) and numbers by where they came from (`checks.evaluated`:
evaluate on the test set, not another set, not typed in).
The test cells run these inside `carry_forward`, so a wrong `vectorize_sequences` costs 5-2 only.
"""

from __future__ import annotations

import numpy as np

from grader import checks
from grader.checks.provenance import Namespace, answer_in, is_new_object
from grader.hidden import reference

LAYERS = [("Dense", 16, "relu"), ("Dense", 16, "relu"), ("Dense", 1, "sigmoid")]
PUBLIC_LAYERS = [("Dense", 16, "relu"), ("Dense", 16, "relu"), ("Dense", 1, None)]
MIN_TEST_ACCURACY = 0.7  # real IMDB ≈ 0.88, the offline synthetic copy ≈ 0.8
EPOCH_MARGIN = 2  # the task text: 검증 손실이 가장 낮은 에포크와의 차이가 2 이하


def _nonzero(row: np.ndarray) -> dict[int, float]:
    return {int(j): float(row[j]) for j in np.flatnonzero(row)[:12]}


def ex1_decode(namespace: Namespace) -> None:
    """decode_review equals the reference on the public cases and unseen sequences."""
    __tracebackhide__ = True
    decode_review = answer_in(namespace, "decode_review", "5-1")
    want_fn = reference("l05_ex1_decode", namespace, "decode_review")
    words = sorted(namespace["reverse_word_index"])
    rng = np.random.default_rng(501)
    unseen = [1] + [int(i) + 3 for i in rng.choice(words[:9000], size=15)] + [2, 0, 9999, words[20] + 3]
    cases = [list(namespace["train_data"][0]), [1, 2], unseen, [int(i) for i in rng.integers(0, 10_000, 30)], []]
    for sequence in cases:
        want = want_fn(sequence)
        with checks.student_code("decode_review가 오류를 냅니다.", "오류 없이 문자열 반환",
                                 "reverse_word_index.get(i - 3, '?')처럼 없는 인덱스는 '?'로 바꾸세요."):
            found = decode_review(sequence)
        hint = "인덱스에서 3을 뺀 값으로 찾으세요 (0, 1, 2는 예약된 인덱스)."
        if isinstance(found, str) and found.split(" ")[1:3] == want.split(" ")[1:3]:
            hint = "예약된 인덱스(0, 1, 2)와 사전에 없는 인덱스는 '?'로 바꾸고, 단어는 공백 하나로 이으세요."
        shown = sequence if len(sequence) <= 8 else f"[{', '.join(map(str, sequence[:6]))}, ...]"
        checks.equals(f"decode_review({shown})", found, want, hint)


def ex2_vectorize(namespace: Namespace) -> None:
    """Multi-hot float32 arrays equal to the reference on the public case, unseen sequences, the data and
    the default dimension."""
    __tracebackhide__ = True
    vectorize_sequences = answer_in(namespace, "vectorize_sequences", "5-2")
    want_fn = reference("l05_ex2_vectorize", namespace, "vectorize_sequences")
    cases = [([[8, 5], [1, 1, 3]], 10), ([[3, 3, 3, 7], [], [0, 9, 2, 9], [5]], 12),
             (namespace["train_data"][:40], None), ([[9999, 0, 5, 5]], None)]
    for sequences, dimension in cases:
        call = (f"vectorize_sequences(..., dimension={dimension})" if dimension
                else "vectorize_sequences(...) (dimension 기본값)")
        with checks.student_code(f"{call}가 오류를 냅니다.", "오류 없이 배열 반환",
                                 "빈 시퀀스도 처리되는지, dimension 기본값이 10000인지 확인하세요."):
            found = vectorize_sequences(sequences) if dimension is None else vectorize_sequences(
                sequences, dimension=dimension)
        want = want_fn(sequences) if dimension is None else want_fn(sequences, dimension=dimension)
        found = np.asarray(found)
        checks.equals(f"{call}.shape", found.shape, want.shape,
                      "배열 크기는 (len(sequences), dimension)입니다. 10000을 직접 적지 말고 dimension을 쓰세요.")
        if found.dtype != np.float32:
            checks.fail(f"{call}의 자료형이 float32가 아닙니다.", "float32", found.dtype,
                        "np.zeros((len(sequences), dimension), dtype='float32')로 만드세요.")
        if not np.array_equal(found, want):
            row = int(np.flatnonzero((found != want).any(axis=1))[0])
            hint = ("같은 단어가 여러 번 나와도 1입니다 (더하지 말고 1을 넣으세요)."
                    if found.max() > 1 else "i번째 행의 [i, j]에 1을 넣으세요 (j는 i번째 시퀀스에 나온 단어 인덱스).")
            checks.fail(f"{call}의 멀티-핫 벡터가 틀렸습니다 ({row + 1}번째 행의 {{위치: 값}}, 0은 생략).",
                        _nonzero(want[row]), _nonzero(found[row]), hint)


def ex3_model(namespace: Namespace) -> None:
    """The public checks (the output layer and loss the student chose fit a binary task: one probability), then the
    same model as the reference (every layer's settings, wiring, behaviour) compiled exactly as the reference:
    RMSprop with its default settings, binary crossentropy (from_logits=False), accuracy recorded as 'accuracy' (the
    plot of section 4 reads history["accuracy"])."""
    __tracebackhide__ = True
    model = answer_in(namespace, "model", "5-3")
    checks.is_model(model)
    checks.has_input_shape(model, (None, 10000))
    checks.has_output_shape(model, (None, 1))
    checks.has_layers(model, PUBLIC_LAYERS)
    checks.keeps_defaults(model)
    checks.matches_task(model, "binary")
    checks.compiled_with(model, optimizer="rmsprop", metrics=["accuracy"])
    checks.has_metric_names(model, ["accuracy"])
    checks.has_layers(model, LAYERS)
    want = reference("l05_ex3_model", namespace, "model")
    checks.same_model(model, want)
    checks.same_compile(model, want)


def ex4_train(namespace: Namespace) -> None:
    """A new model compiled as in 5-3, trained with batch 512 on exactly x_train / y_train (no validation data) for
    an epoch count the student chose from their own curve: within EPOCH_MARGIN of the lowest val_loss recorded
    when `model` was trained in section 4. test_acc is its accuracy from evaluate on the test set, as returned."""
    __tracebackhide__ = True
    final_model, test_acc = answer_in(namespace, "final_model", "5-4"), answer_in(namespace, "test_acc", "5-4")
    checks.is_model(final_model)
    checks.matches_task(final_model, "binary")
    checks.compiled_with(final_model, optimizer="rmsprop", metrics=["accuracy"])
    checks.is_float("test_acc", test_acc, "0.85",
                    "evaluate는 [손실, 정확도] 리스트를 돌려줍니다. 두 번째 원소를 담으세요.")
    is_new_object(final_model, namespace, "final_model", ["model"])
    want = reference("l05_ex3_model", namespace, "model")
    checks.same_model(final_model, want)
    checks.same_compile(final_model, want)
    checks.trained_as(final_model, x=namespace["x_train"], y=namespace["y_train"], epochs=None, batch_size=512,
                      name="final_model")
    checks.trained_near_best(final_model, namespace["model"], EPOCH_MARGIN, "final_model")
    x_test, y_test = namespace["x_test"], namespace["y_test"]
    checks.evaluated(test_acc, final_model, x_test, y_test, 1, "test_acc", "테스트 세트", exact=True)
    if test_acc < MIN_TEST_ACCURACY:
        checks.fail("테스트 정확도가 너무 낮습니다.", f"{MIN_TEST_ACCURACY} 이상", f"{test_acc:.4f}",
                    "rmsprop과 binary_crossentropy로 컴파일했는지 확인하세요.")


def ex5_predict(namespace: Namespace) -> None:
    """predictions equal final_model.predict(x_test) (tolerance rule); most_positive is an index of their
    largest value."""
    __tracebackhide__ = True
    predictions = answer_in(namespace, "predictions", "5-5")
    most_positive = answer_in(namespace, "most_positive", "5-5")
    final_model, x_test = namespace["final_model"], namespace["x_test"]
    found = checks.to_numpy(predictions)
    checks.equals("predictions.shape", found.shape, (len(x_test), 1), "predict는 (샘플 수, 1) 배열을 돌려줍니다.")
    checks.is_int("most_positive", most_positive)
    want = checks.to_numpy(final_model.predict(x_test, verbose=0))
    if not checks.close(found, want):
        row = int(np.argmax(np.abs(found - want).ravel()))
        checks.fail(f"predictions가 final_model.predict(x_test)와 다릅니다 ({row}번 샘플).",
                    round(float(want[row, 0]), 4), round(float(found[row, 0]), 4),
                    "연습 5-4의 final_model로 테스트 세트(x_test) 전체를 예측하세요.")
    best = float(found.max())  # the student's own predictions: ties and GPU rounding cannot matter
    if not 0 <= most_positive < len(found) or found[most_positive, 0] < best:
        hint = "np.argmax는 가장 큰 값의 위치를 돌려줍니다."
        if most_positive == int(np.argmin(found[:, 0])):
            hint = "np.argmin은 가장 확신하는 부정 리뷰입니다. 긍정 확률이 가장 높은 것을 찾으세요."
        checks.fail("most_positive의 값이 틀렸습니다.", f"{int(np.argmax(found[:, 0]))} (긍정 확률 {best:.4f})",
                    most_positive, hint)
