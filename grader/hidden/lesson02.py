"""Hidden tests for lesson 02 (모델: 층의 네트워크).

Each model is compared with the reference the solution's own answer builds (`grader.hidden.reference`):
inputs and outputs (names, order), every layer's settings, the wiring (which input reaches which
layer, concatenation order, shared layers, nothing unused) and the behaviour with the reference's
weights put into the student's layers. Training is read from the kernel's record of `fit` calls.
"""

from __future__ import annotations

import keras

from grader import checks
from grader.checks.provenance import Namespace, answer_in
from grader.hidden import reference

# Concatenate(axis=1) and Concatenate(axis=-1) are the same on (batch, features) tensors; any other
# axis cannot even be built with these inputs, so the axis setting is left to the student.
_CONCAT_FREE = ("axis",)
CHAIN = [("Dense", 32, "relu"), ("Dense", 32, "relu"), ("Dense", 1, "sigmoid")]
TICKET_LAYERS = [("Concatenate", None, None), ("Dense", 64, "relu"), ("Dense", 1, "sigmoid"), ("Dense", 4, "softmax")]
TICKET_LOSSES = {"priority": "mean_squared_error", "department": "categorical_crossentropy"}
TICKET_METRICS = {"priority": ["mean_absolute_error"], "department": ["accuracy"]}
SIAMESE_LAYERS = [("Dense", 16, "relu"), ("Concatenate", None, None), ("Dense", 1, "sigmoid")]
RESIDUAL_SUM = ["입력 → Dense(32, relu)", "입력 → Dense(32, relu) → Dense(32, relu) → Dense(32, relu)"]


def ex1_sequential(namespace: Namespace) -> None:
    """A keras.Sequential model equal to the reference (layer settings, parameters, behaviour)."""
    __tracebackhide__ = True
    seq_model = answer_in(namespace, "seq_model", "2-1")
    checks.has_input_shape(seq_model, (None, 20))
    checks.has_output_shape(seq_model, (None, 1))
    if not isinstance(seq_model, keras.Sequential):
        checks.fail("seq_model이 Sequential 모델이 아닙니다.", "keras.Sequential([...])", type(seq_model).__name__,
                    "이 연습은 keras.Sequential에 층 리스트를 넘겨(또는 add로 하나씩) 만듭니다.")
    checks.has_layers(seq_model, CHAIN)
    checks.keeps_defaults(seq_model)
    checks.same_model(seq_model, reference("l02_ex1_sequential", namespace, "seq_model"))


def ex2_functional(namespace: Namespace) -> None:
    """A functional (not Sequential) model equal to the reference: same layers, wiring and behaviour."""
    __tracebackhide__ = True
    func_model = answer_in(namespace, "func_model", "2-2")
    checks.has_input_shape(func_model, (None, 20))
    checks.has_output_shape(func_model, (None, 1))
    if isinstance(func_model, keras.Sequential):
        checks.fail("func_model을 Sequential로 만들었습니다.", "keras.Model(inputs=..., outputs=...)", "Sequential",
                    "keras.Input으로 입력을 만들고 층을 함수처럼 호출해 연결한 뒤 keras.Model로 묶으세요.")
    checks.has_layers(func_model, CHAIN)
    checks.keeps_defaults(func_model)
    checks.same_model(func_model, reference("l02_ex2_functional", namespace, "func_model"))


def ex3_ticket(namespace: Namespace) -> None:
    """Inputs and outputs named and ordered as asked, every layer's activation, the concatenation order
    and the behaviour with the reference's weights."""
    __tracebackhide__ = True
    ticket_model = answer_in(namespace, "ticket_model", "2-3")
    checks.has_input_count(ticket_model, 3)
    checks.has_output_count(ticket_model, 2)
    checks.has_input_shape(ticket_model, [(None, 1000), (None, 1000), (None, 100)])
    checks.has_output_shape(ticket_model, [(None, 1), (None, 4)])
    checks.has_names(ticket_model, inputs=["title", "text_body", "tags"], outputs=["priority", "department"])
    checks.merges(ticket_model, "Concatenate", ["title", "text_body", "tags"])
    checks.has_layers(ticket_model, TICKET_LAYERS)
    checks.keeps_defaults(ticket_model, free=_CONCAT_FREE)
    checks.same_model(ticket_model, reference("l02_ex3_ticket", namespace, "ticket_model"), free=_CONCAT_FREE)


def ex4_multi_output(namespace: Namespace) -> None:
    """A fresh ticket model compiled as the reference (optimizer hyperparameters, per-output losses and
    metrics by meaning), trained once for 3 epochs with batch size 64 on exactly ticket_inputs/ticket_targets."""
    __tracebackhide__ = True
    multi_model = answer_in(namespace, "multi_model", "2-4",
                            "build_ticket_model()로 만든 모델을 multi_model에 담으세요.")
    multi_history = answer_in(namespace, "multi_history", "2-4",
                              "multi_history = multi_model.fit(...)처럼 결과를 담으세요.")
    checks.compiled_with(multi_model, optimizer="rmsprop", loss=TICKET_LOSSES, metrics=TICKET_METRICS)
    checks.trained_as(multi_model, x=namespace["ticket_inputs"], y=namespace["ticket_targets"], epochs=3,
                      batch_size=64, history=multi_history, single_call=True, name="multi_model")
    wanted = reference("l02_ex4_multi_output", namespace, "multi_model", train=False)
    checks.same_model(multi_model, wanted, free=_CONCAT_FREE)
    checks.same_compile(multi_model, wanted)


def ex5_shared(namespace: Namespace) -> None:
    """One Dense(16, relu) layer applied to left and to right, concatenated in that order, a sigmoid score."""
    __tracebackhide__ = True
    siamese = answer_in(namespace, "siamese", "2-5")
    checks.has_input_shape(siamese, [(None, 8), (None, 8)])
    checks.has_output_shape(siamese, (None, 1))
    checks.has_names(siamese, inputs=["left", "right"])
    dense_layers = [layer for layer in siamese.layers if isinstance(layer, keras.layers.Dense)]
    if len(dense_layers) == 3 and checks.parameter_count(siamese) == 2 * (8 * 16 + 16) + 33:
        checks.fail("밀집 층을 공유하지 않았습니다. left와 right가 서로 다른 가중치를 씁니다.", "파라미터 177개",
                    "파라미터 321개", "keras.layers.Dense(16, activation='relu')로 층을 한 번만 만들어 변수에 담고, "
                    "그 층 객체를 left와 right에 각각 호출하세요.")
    checks.has_layers(siamese, SIAMESE_LAYERS)
    checks.merges(siamese, "Concatenate", ["left → Dense(16, relu)", "right → Dense(16, relu)"])
    checks.keeps_defaults(siamese, free=_CONCAT_FREE)
    checks.same_model(siamese, reference("l02_ex5_shared", namespace, "siamese"), free=_CONCAT_FREE)


def ex6_residual(namespace: Namespace) -> None:
    """Dense(32, relu) gives x; a block of two Dense(32, relu) on x; x added to the block's output (any order,
    Add layer or `+`/keras.ops.add alike); a sigmoid score."""
    __tracebackhide__ = True
    res_model = answer_in(namespace, "res_model", "2-6")
    checks.has_input_shape(res_model, (None, 20))
    checks.has_output_shape(res_model, (None, 1))
    checks.merges(res_model, "Add", RESIDUAL_SUM, commutative=True)
    checks.is_layer(res_model.layers[-1], ("Dense", 1, "sigmoid"))
    checks.keeps_defaults(res_model)
    checks.same_model(res_model, reference("l02_ex6_residual", namespace, "res_model"))
