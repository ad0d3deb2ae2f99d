"""Hidden tests for lesson 02 (모델: 층의 네트워크)."""

import math

import keras
import numpy as np

from grader import checks

BINARY_LAYERS = [("Dense", 32, "relu"), ("Dense", 32, "relu"), ("Dense", 1, "sigmoid")]
BINARY_PARAMS = (20 * 32 + 32) + (32 * 32 + 32) + (32 + 1)  # 1,761
TICKET_PARAMS = (2100 * 64 + 64) + (64 + 1) + (64 * 4 + 4)  # 134,789
TICKET_LOSSES = {"priority": "mean_squared_error", "department": "categorical_crossentropy"}


def ex1_sequential(seq_model):
    """A keras.Sequential with the exact layer table and 1,761 parameters."""
    __tracebackhide__ = True
    if not isinstance(seq_model, keras.Sequential):
        checks.fail("seq_model이 Sequential 모델이 아닙니다.", "keras.Sequential([...])", type(seq_model).__name__,
                    "이 연습은 keras.Sequential에 층 리스트를 넘겨 만듭니다.")
    checks.layers(seq_model, BINARY_LAYERS)
    checks.param_count(seq_model, BINARY_PARAMS)


def ex2_functional(func_model):
    """A functional model with the same table as 2-1 that computes exactly what the Sequential model computes."""
    __tracebackhide__ = True
    if isinstance(func_model, keras.Sequential):
        checks.fail("func_model을 Sequential로 만들었습니다.", "keras.Model(inputs=..., outputs=...)", "Sequential",
                    "keras.Input으로 입력을 만들고 층을 함수처럼 호출해 연결한 뒤 keras.Model로 묶으세요.")
    checks.layers(func_model, BINARY_LAYERS)
    checks.param_count(func_model, BINARY_PARAMS)
    reference = keras.Sequential([keras.Input(shape=(20,))] + [
        keras.layers.Dense(units, activation=activation) for _, units, activation in BINARY_LAYERS])
    reference.set_weights(func_model.get_weights())
    x = np.random.default_rng(202).normal(size=(6, 20)).astype("float32")
    if not np.allclose(checks.to_numpy(func_model(x)), checks.to_numpy(reference(x)), atol=1e-5):
        checks.fail("같은 가중치의 Sequential 모델과 출력이 다릅니다.", "같은 출력", "다른 출력",
                    "층을 Input → Dense(32) → Dense(32) → Dense(1) 순서로 한 줄로 연결했는지 확인하세요.")


def ex3_ticket(ticket_model):
    """Input and output names in order, 134,789 parameters, probabilities on unseen tickets."""
    __tracebackhide__ = True
    names = [tensor.name for tensor in ticket_model.inputs]
    checks.answer("입력 이름", names, ["title", "text_body", "tags"],
                  "keras.Input(..., name='title')처럼 이름을 붙이고 [title, text_body, tags] 순서로 넘기세요.")
    checks.answer("출력 이름", list(ticket_model.output_names), ["priority", "department"],
                  "출력 층에 name='priority', name='department'를 붙이고 이 순서로 outputs에 넘기세요.")
    checks.param_count(ticket_model, TICKET_PARAMS)
    rng = np.random.default_rng(203)
    tickets = [rng.integers(0, 2, size=(5, size)).astype("float32") for size in (1000, 1000, 100)]
    priority, department = (checks.to_numpy(out) for out in ticket_model(tickets))
    if priority.min() < 0 or priority.max() > 1:
        checks.fail("priority 출력이 0과 1 사이가 아닙니다.", "0 ≤ priority ≤ 1", np.round(priority.ravel(), 3),
                    "priority 층에 activation='sigmoid'를 쓰세요.")
    if not np.allclose(department.sum(axis=1), 1.0, atol=1e-4):
        checks.fail("department 출력이 확률 분포가 아닙니다 (각 행의 합).", "모든 행의 합이 1",
                    np.round(department.sum(axis=1), 3), "department 층에 activation='softmax'를 쓰세요.")


def ex4_multi_output(multi_model, multi_history, ticket_inputs, ticket_targets):
    """Per-output losses and metrics, 3 epochs of batch 64 on all tickets, and the total loss went down."""
    __tracebackhide__ = True
    checks.param_count(multi_model, TICKET_PARAMS)
    checks.loss(multi_model, TICKET_LOSSES)
    checks.optimizer(multi_model, "rmsprop")
    if getattr(multi_history, "model", None) is not multi_model:
        checks.fail("multi_history가 multi_model을 학습한 기록이 아닙니다.", "multi_model.fit(...)의 결과",
                    type(multi_history).__name__, "multi_history = multi_model.fit(...)처럼 결과를 담으세요.")
    steps = math.ceil(len(ticket_inputs["title"]) / 64)
    checks.answer("multi_history.params['steps']", multi_history.params.get("steps"), steps,
                  "ticket_inputs 전체를 batch_size=64로 학습하세요.")
    keys = set(multi_history.history)
    for key, hint in (("department_accuracy", "department에 ['accuracy']"),
                      ("priority_mean_absolute_error", "priority에 ['mean_absolute_error']")):
        if key not in keys:
            checks.fail(f"학습 기록에 {key}가 없습니다.", key, sorted(keys),
                        f"compile의 metrics를 출력 이름을 키로 하는 딕셔너리로 주고 {hint}를 넣으세요.")
    losses = multi_history.history["loss"]
    if not losses[-1] < losses[0]:
        checks.fail("학습하는 동안 전체 손실이 줄지 않았습니다.", "마지막 손실 < 첫 손실", np.round(losses, 4),
                    "ticket_inputs와 ticket_targets를 딕셔너리 그대로 fit에 넘기세요.")
    result = multi_model.evaluate(ticket_inputs, ticket_targets, verbose=0, return_dict=True)
    if not math.isfinite(result["loss"]):
        checks.fail("평가한 손실이 유한하지 않습니다.", "유한한 값", result["loss"], "손실 함수를 확인하세요.")


def ex5_shared(siamese):
    """One Dense(16) layer used on both inputs (177 parameters) and a sigmoid score."""
    __tracebackhide__ = True
    dense_layers = [layer for layer in siamese.layers if isinstance(layer, keras.layers.Dense)]
    shared = 8 * 16 + 16
    if checks.count_parameters(siamese) == 2 * shared + 33:
        checks.fail("밀집 층을 공유하지 않았습니다. left와 right가 서로 다른 가중치를 씁니다.", "파라미터 177개",
                    "파라미터 321개", "shared = keras.layers.Dense(16, activation='relu')로 층을 한 번만 만들고 "
                    "shared(left), shared(right)처럼 같은 객체를 두 번 호출하세요.")
    checks.param_count(siamese, shared + 33)
    checks.answer("밀집 층 개수", len(dense_layers), 2, "공유하는 Dense(16) 하나와 출력 Dense(1) 하나입니다.")
    checks.layer(dense_layers[-1], ("Dense", 1, "sigmoid"))
    x = np.random.default_rng(205).normal(size=(4, 8)).astype("float32")
    same = checks.to_numpy(siamese([x, x]))
    if same.min() < 0 or same.max() > 1:
        checks.fail("점수가 0과 1 사이가 아닙니다.", "0 ≤ 점수 ≤ 1", np.round(same.ravel(), 3),
                    "마지막 층에 activation='sigmoid'를 쓰세요.")
