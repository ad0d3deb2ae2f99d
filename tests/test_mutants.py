"""The mutation harness (benchmarks/mutants/): its operators, and a fast seeded sample of lessons 01-02.

The sample must be killed by the tests (or listed in benchmarks/equivalent.toml); the full
measurement is `make mutants`.
"""

import ast

import nbformat
import pytest

from benchmarks.mutants.equivalents import apply_equivalents, load_equivalents
from benchmarks.mutants.mutant import LessonResult, mutants_of, tally
from benchmarks.mutants.operators import OPERATORS
from benchmarks.mutants.runner import judge_lesson, sample, with_answer
from grader.host.notebook import answer_of
from tests.conftest import ROOT

KERNEL = {"names": ["x_train", "y_train", "x_val", "y_val", "x_test", "y_test", "partial_x_train",
                    "partial_y_train", "old"],
          "trained": ["old"], "dicts": ["inputs_dict"], "values": {"total": 6464, "rate": 0.123456, "same": 7}}

# (operator, answer, one expected mutant: its whole source after ast.unparse)
CASES = [
    ("activation", 'l = Dense(4, activation="relu")', "l = Dense(4, activation='sigmoid')"),
    ("activation", 'l = Dense(4, activation="relu")', "l = Dense(4, activation='linear')"),
    ("activation", 'l = Dense(4, "softmax")', "l = Dense(4, 'sigmoid')"),
    ("activation", "l = keras.layers.Dense(1)", "l = keras.layers.Dense(1, activation='relu')"),
    ("activation", 'a = keras.layers.Activation("sigmoid")', "a = keras.layers.Activation('softmax')"),
    ("units", "l = Dense(16)", "l = Dense(32)"),
    ("units", "l = Dense(16)", "l = Dense(17)"),
    ("use_bias", "y = Dense(16)(x)", "y = Dense(16, use_bias=False)(x)"),
    ("learning_rate", "o = SGD(learning_rate=0.1)", "o = SGD(learning_rate=1.0)"),
    ("learning_rate", "o = SGD(learning_rate=0.1)", "o = SGD(learning_rate=0.01)"),
    ("learning_rate", "learning_rate = 0.1", "learning_rate = 0.01"),
    ("learning_rate", 'm.compile(optimizer="rmsprop")',
     "m.compile(optimizer=keras.optimizers.RMSprop(learning_rate=0.01))"),
    ("learning_rate", 'm.compile(optimizer="sgd")', "m.compile(optimizer=keras.optimizers.SGD(learning_rate=0.1))"),
    ("optimizer", 'm.compile(optimizer="rmsprop")', "m.compile(optimizer='adam')"),
    ("optimizer", "o = keras.optimizers.SGD(learning_rate=0.1)", "o = keras.optimizers.Adam(learning_rate=0.1)"),
    ("from_logits", 'm.compile(loss="binary_crossentropy")',
     "m.compile(loss=keras.losses.BinaryCrossentropy(from_logits=True))"),
    ("from_logits", "m.compile(loss=keras.losses.CategoricalCrossentropy())",
     "m.compile(loss=keras.losses.CategoricalCrossentropy(from_logits=True))"),
    ("loss_family", 'm.compile(loss={"a": "mse"})', "m.compile(loss={'a': 'mae'})"),
    ("loss_family", 'd = {"b": "binary_crossentropy"}', "d = {'b': 'sparse_categorical_crossentropy'}"),
    ("loss_family", "f = keras.losses.MeanSquaredError()", "f = keras.losses.BinaryCrossentropy()"),
    ("reduction", "f = keras.losses.MeanSquaredError()", "f = keras.losses.MeanSquaredError(reduction='sum')"),
    ("reduction", "v = ops.mean(x, axis=-1)", "v = ops.sum(x, axis=-1)"),
    ("reduction", "v = np.mean(x)", "v = np.sum(x)"),
    ("epsilon", "p = ops.clip(y, 1e-07, 1 - 1e-07)", "p = ops.clip(y, 0.01, 1 - 1e-07)"),
    ("epsilon", "p = ops.clip(y, 1e-07, 1 - 1e-07)", "p = y"),
    ("input_order", "m = keras.Model(inputs=[a, b, c], outputs=o)", "m = keras.Model(inputs=[c, b, a], outputs=o)"),
    ("input_order", "m = keras.Model(inputs=[a, b, c], outputs=o)", "m = keras.Model(inputs=[b, a, c], outputs=o)"),
    ("unused_input", "a = keras.Input((8,))\nb = keras.Input((8,))\ny = f(a)",
     "a = keras.Input((8,))\nb = keras.Input((8,))\ny = f(b)"),
    ("concat_order", "y = keras.layers.Concatenate()([a, b])", "y = keras.layers.Concatenate()([b, a])"),
    ("concat_order", "y = keras.layers.concatenate([a, b])", "y = keras.layers.concatenate([b, a])"),
    ("epochs", "m.fit(x, y, epochs=5, batch_size=32)", "m.fit(x, y, epochs=6, batch_size=32)"),
    ("epochs", "m.fit(x, y, epochs=5, batch_size=32)", "m.fit(x, y, epochs=10, batch_size=32)"),
    ("epochs", "m.fit(x, y, epochs=5, batch_size=32)", "m.fit(x, y, epochs=5, batch_size=64)"),
    ("trained_model", "model = build_model()", "model = old"),
    ("trained_model", "model = keras.Sequential([])", "model = old"),
    ("train_subset", "m.fit(x_train, y_train, epochs=1)",
     "m.fit(x_train[:len(x_train) // 2], y_train[:len(y_train) // 2], epochs=1)"),
    ("train_subset", "m.fit(inputs_dict, y)",
     "m.fit({k: v[:len(v) // 2] for k, v in inputs_dict.items()}, y[:len(y) // 2])"),
    ("val_test", "m.evaluate(x_val, y_val)", "m.evaluate(x_test, y_test)"),
    ("val_test", "h = m.fit(partial_x_train, partial_y_train)", "h = m.fit(x_train, y_train)"),
    ("kfold_slices", "for i in range(k):\n    v = x[i * n:(i + 1) * n]",
     "for i in range(k):\n    v = x[i * n:(i + 1) * n + 1]"),
    ("kfold_slices", "for i in range(k):\n    v = x[i * n:(i + 1) * n]",
     "for i in range(k):\n    v = x[i * n:(i + 1) * n + n]"),
    ("kfold_slices", "for i in range(k):\n    v = x[i * n:(i + 1) * n]",
     "for i in range(k):\n    v = x[i * n + 1:(i + 1) * n]"),
    ("kfold_slices", "for i in range(k):\n    v = x[i * n:(i + 1) * n]\n    t = y[i * n:(i + 1) * n]",
     "for i in range(k):\n    v = x[i * n:(i + 1) * n + 1]\n    t = y[i * n:(i + 1) * n + 1]"),
    ("literal", "total = a * b", "total = a * b\ntotal = 6460"),
    ("literal", "rate = a / b", "rate = a / b\nrate = 0.123"),
    ("literal", "a, total = f()", "a, total = f()\ntotal = 6460"),
    ("arithmetic", "y = a + b * c", "y = a - b * c"),
    ("arithmetic", "y = a + b * c", "y = a + b / c"),
    ("comparison", "y = p > 0.5", "y = p <= 0.5"),
    ("integer", "y = f(3)", "y = f(4)"),
    ("integer", "y = f(3)", "y = f(2)"),
    ("real", "r[i, s] = 1.0", "r[i, s] = 2.0"),
    ("real", "r[i, s] = 1.0", "r[i, s] = 0.0"),
    ("extremum", "best = int(np.argmin(h))", "best = int(np.argmax(h))"),
    ("extremum", "y = np.maximum(x, 0.0)", "y = np.minimum(x, 0.0)"),
    ("axis", "y = ops.sum(x, axis=-1)", "y = ops.sum(x, axis=0)"),
    ("dropped", "m.compile(loss='mse')\nh = m.fit(x, y)", "h = m.fit(x, y)"),
    ("dropped", "for s in range(3):\n    w.assign_sub(g)", "for s in range(3):\n    pass"),
]


def made(operator, source, kernel=KERNEL):
    op = next(op for op in OPERATORS if op.__name__ == operator)
    return mutants_of(source, kernel, operators=[op])


@pytest.mark.parametrize(("operator", "source", "expected"), CASES)
def test_operator_makes_the_expected_mutant(operator, source, expected):
    sources = [m.source.strip() for m in made(operator, source)]
    assert expected in sources, sources


def test_every_operator_is_tested():
    assert {op.__name__ for op in OPERATORS} == {case[0] for case in CASES}


@pytest.mark.parametrize("operator", [op.__name__ for op in OPERATORS])
def test_mutants_differ_from_the_answer_and_from_each_other(operator):
    for source in {case[1] for case in CASES}:
        found = made(operator, source)
        normalized = ast.unparse(ast.parse(source)) + "\n"
        assert all(m.source != normalized for m in found)
        assert len({m.source for m in found}) == len(found)
        assert all(m.operator == operator and m.id and m.description for m in found)


def test_no_mutants_where_nothing_applies():
    assert made("activation", "y = f(x)") == []
    assert made("literal", "same = a + b") == []  # the literal would equal the value
    assert made("literal", "total = 6464") == []  # already a literal
    assert made("val_test", "m.evaluate(x_val)", kernel=None) == []  # needs the kernel
    assert made("concat_order", "y = np.concatenate([a, b])") == []  # data order, not wiring
    assert made("integer", "m.fit(x, y, verbose=0)") == []


def test_a_literal_mutant_is_named_by_its_target_not_its_value():
    def literal_id(values):
        [mutant] = made("literal", "total = a * b", kernel=dict(KERNEL, values=values))
        return mutant.id
    assert literal_id({"total": 6464}) == literal_id({"total": 1234.5})
    assert literal_id({"total": 6464}) != made("units", "l = Dense(16)")[0].id


def test_with_answer_keeps_the_rest_of_the_cell():
    cell = "# [연습 1-1] t\n# task\n### BEGIN SOLUTION\nx = 1\n### END SOLUTION\nprint(x)"
    assert with_answer(cell, "x = 2\n") == cell.replace("x = 1", "x = 2")


def test_with_answer_of_a_function_exercise_brings_its_own_def_line():
    cell = "# [연습 5-2] t\n# task\ndef f(x):\n    ### BEGIN SOLUTION\n    return x\n    ### END SOLUTION\nprint(f(1))"
    answer = answer_of(nbformat.v4.new_code_cell(cell))
    assert answer == "def f(x):\n    return x\n"
    mutated = with_answer(cell, answer.replace("return x", "return -x"))
    assert mutated == "# [연습 5-2] t\n# task\ndef f(x):\n    return -x\nprint(f(1))"
    compile(mutated, "<cell>", "exec")


def test_sample_is_seeded_and_keeps_order():
    items = list(range(50))
    first = sample(items, 5, 0, "a")
    assert first == sample(items, 5, 0, "a") == sorted(first) and len(first) == 5
    assert sample(items, 5, 1, "a") != first
    assert sample(items, None, 0, "a") == items


def test_unlisted_survivors_fail_and_listed_ones_are_equivalent():
    result = LessonResult("01_layers", made("units", "l = Dense(16)"))
    for mutant in result.mutants:
        mutant.exercise, mutant.lesson, mutant.verdict = "1-1", "01_layers", "survived"
    listed = {"lesson": "01_layers", "exercise": "1-1", "operator": "units", "id": result.mutants[0].id,
              "mutation": "Dense(16 → 32)", "quote": "..."}
    stale = dict(listed, id="00000000")
    warnings = apply_equivalents([result], [listed, stale])
    assert [m.verdict for m in result.mutants] == ["equivalent", "survived"]
    assert warnings and "00000000" in warnings[0]
    counts = tally(result.mutants)
    assert counts["rate"] == 0.0 and counts["equivalent"] == 1


def test_equivalent_file_is_valid():
    entries = load_equivalents()
    assert all(e["lesson"] and e["quote"].strip() for e in entries)


@pytest.mark.parametrize("lesson", ["01_layers", "02_models"])
def test_a_sample_of_mutants_is_killed(course, lesson):
    result = judge_lesson(course, course.lesson(lesson), n=3, seed=0, log=lambda line: None)
    assert result.errors == []
    apply_equivalents([result], load_equivalents(ROOT / "benchmarks" / "equivalent.toml"))
    judged = [m for m in result.mutants if m.verdict]
    assert len(judged) >= 8
    survivors = [f"{m.id} 연습 {m.exercise} {m.operator}: {m.description}\n{m.diff()}"
                 for m in judged if m.verdict == "survived"]
    assert survivors == [], "\n".join(survivors)


def test_equivalent_entries_need_a_quote_and_are_listed_once(tmp_path):
    entry = ('[[equivalent]]\nlesson = "01_layers"\nexercise = "1-1"\noperator = "units"\nid = "abcd1234"\n'
             'mutation = "Dense(16 → 32)"\nquote = "{quote}"\n')
    path = tmp_path / "equivalent.toml"
    path.write_text(entry.format(quote=""), encoding="utf-8")
    with pytest.raises(ValueError, match="quote"):
        load_equivalents(path)
    path.write_text(entry.format(quote="a") * 2, encoding="utf-8")
    with pytest.raises(ValueError, match="twice"):
        load_equivalents(path)
