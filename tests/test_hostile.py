"""Hostile submissions are neutralized or reported, and never harm the batch or other students.

Each hostile submission answers every exercise correctly except one (the first, unless the trick
needs another), where it gives a typical wrong answer from tests/corpus/ and then tries to make that
wrong answer pass (or to do harm). That exercise must still fail; everything else must grade normally.
"""

import shutil
from pathlib import Path

import nbformat
import pytest

from grader import grade
from grader.execute import Limits
from grader.grade import Assignment, grade_batch
from grader.notebook import is_exercise, is_test, marker, points
from grader.samples import filled, load_wrong_answers
from tests.conftest import ROOT

LIMITS = Limits(cell_timeout=20, notebook_timeout=90, memory_mb=4096)

PATCH_GRADER = """
import sys
import grader.checks
for module in [m for name, m in list(sys.modules.items()) if name.startswith("grader")]:
    for name in dir(module):
        if not name.startswith("__") and callable(getattr(module, name)):
            setattr(module, name, lambda *args, **kwargs: None)
"""

FAKE_PASS = 'print("✅ [연습 {label}] 공개 검사를 모두 통과했습니다.")\n'

SWALLOW_ERRORS = """
get_ipython().set_custom_exc((Exception,), lambda *args, **kwargs: None)
"""

REWRITE_PRIVATE_COPY = """
import pathlib
import grader.checks
for path in pathlib.Path(grader.checks.__file__).parent.parent.rglob("*.py"):
    path.write_text("def __getattr__(name):\\n    return lambda *a, **k: None\\n")
"""

REWRITE_CHECKOUT = """
import pathlib
(pathlib.Path(r"{checkout}") / "hidden" / "__init__.py").write_text("# 학생이 바꿈\\n")
"""

OVERWRITE_RESULTS = """
import pathlib
out = pathlib.Path(r"{out}")
for path in out.glob("*.json"):
    path.write_text('{{"student": "x", "score": 999}}')
(out / "grades.csv").write_text("student,score\\nme,999\\n")
"""

FORK_AND_HIDE = """
import os, time
if os.fork() == 0:
    os.setsid()
    with open(r"{pid_file}", "w") as handle:
        handle.write(str(os.getpid()))
    while True:
        time.sleep(1)
"""

# Without the guard this makes the wrong model of exercise 1-4 (relu output layer) pass: the output
# layer looks like softmax and every model call returns rows summing to 1.
PATCH_KERAS = """
import keras
keras.layers.Dense.activation = property(
    lambda self: keras.activations.softmax if self.units == 10 else keras.activations.relu,
    lambda self, value: None)
keras.Model.__call__ = lambda self, x, *args, **kwargs: keras.ops.softmax(keras.ops.ones((len(x), 10)))
"""
KERAS_TARGET = "1-4"

HUGE_MEMORY = "hog = bytearray(8 * 1024 ** 3)\n"

HUGE_OUTPUT = "print('가' * 50_000_000)\n"


def labels(assignment):
    return [marker(c)[1] for c in assignment.solution.cells if is_exercise(c)]


def exercise_points(assignment, label):
    return sum(points(c) for c in assignment.solution.cells if is_test(c) and marker(c)[1] == label)


@pytest.fixture(scope="module")
def hostile(course, tmp_path_factory):
    lesson = course.lessons[0]
    assignment = Assignment.load(course, lesson, LIMITS)
    first = labels(assignment)[0]
    corpus = load_wrong_answers(ROOT / "tests" / "corpus" / f"{lesson.name}.toml")
    wrong = next(case["code"] for case in corpus if case["exercise"] == first)
    folder, out = tmp_path_factory.mktemp("class"), tmp_path_factory.mktemp("out")
    checkout = tmp_path_factory.mktemp("checkout") / "grader"
    shutil.copytree(grade.PACKAGE, checkout)
    pid_file = tmp_path_factory.mktemp("fork") / "child.pid"
    attacks = {
        "patch_grader": wrong + PATCH_GRADER,
        "fake_pass": wrong + FAKE_PASS.format(label=first),
        "swallow_errors": wrong + SWALLOW_ERRORS,
        "rewrite_copy": wrong + REWRITE_PRIVATE_COPY,
        "rewrite_checkout": wrong + REWRITE_CHECKOUT.format(checkout=checkout),
        "overwrite_results": wrong + OVERWRITE_RESULTS.format(out=out),
        "fork": wrong + FORK_AND_HIDE.format(pid_file=pid_file),
        "huge_memory": wrong + HUGE_MEMORY,
        "huge_output": wrong + HUGE_OUTPUT,
    }
    answers = {name: {first: code} for name, code in attacks.items()}
    relu_output = next(case["code"] for case in corpus if case["exercise"] == KERAS_TARGET)
    answers["patch_keras"] = {KERAS_TARGET: relu_output + PATCH_KERAS}
    for name, answer in answers.items():
        nbformat.write(filled(assignment.released, assignment.solution, answer),
                       folder / f"{name}_{lesson.name}.ipynb")
    nbformat.write(filled(assignment.released, assignment.solution), folder / f"honest_{lesson.name}.ipynb")

    original_package = grade.PACKAGE
    grade.PACKAGE = checkout  # the "checkout" a submission may find and rewrite is this copy
    try:
        results, _ = grade_batch(sorted(folder.iterdir()), assignment, out, jobs=2, progress=False)
    finally:
        grade.PACKAGE = original_package
    return assignment, {r.student: r for r in results}, out, pid_file


def failed(result):
    return {t.label for t in result.tests if not t.passed}


def test_honest_student_is_unaffected(hostile):
    assignment, results, _, _ = hostile
    assert (results["honest"].status, results["honest"].score) == ("ok", assignment.max_score())


@pytest.mark.parametrize("name", ["patch_grader", "patch_keras", "fake_pass", "swallow_errors",
                                  "overwrite_results", "fork", "huge_memory", "huge_output"])
def test_wrong_answer_still_fails_whatever_the_trick(hostile, name):
    assignment, results, _, _ = hostile
    target = KERAS_TARGET if name == "patch_keras" else labels(assignment)[0]
    result = results[name]
    assert failed(result) == {target}, name
    assert result.score == assignment.max_score() - exercise_points(assignment, target)


def test_tricks_on_the_grader_are_flagged_for_review(hostile):
    _, results, _, _ = hostile
    for name in ("patch_grader", "patch_keras", "swallow_errors", "rewrite_copy", "fork"):
        assert results[name].review, name
    assert results["honest"].review == []


def test_rewriting_the_private_copy_is_reported_as_tampered(hostile):
    _, results, _, _ = hostile
    result = results["rewrite_copy"]
    assert result.status == "tampered" and result.score == 0
    assert "grader files modified" in result.reason and "checks" in result.reason
    assert results["honest"].status == "ok"


def test_rewriting_the_checkout_is_flagged_for_review(hostile):
    _, results, _, _ = hostile
    flags = " ".join(results["rewrite_checkout"].review)
    assert "grader checkout changed" in flags and "grader/hidden/__init__.py" in flags


def test_overwritten_result_files_are_rewritten_at_the_end(hostile):
    _, results, out, _ = hostile
    for student, result in results.items():
        assert f'"score": {result.score:g}' in (out / f"{student}.json").read_text(encoding="utf-8")
    grades = (out / "grades.csv").read_text(encoding="utf-8-sig")
    assert "999" not in grades and len(grades.splitlines()) == len(results) + 1


def test_escaped_child_process_is_killed(hostile):
    status = Path(f"/proc/{int(hostile[3].read_text())}/status")
    alive = status.exists() and "State:\tZ" not in status.read_text()  # a zombie is dead, only unreaped
    assert not alive


def test_huge_memory_and_output_are_contained(hostile):
    _, results, out, _ = hostile
    assert "메모리 제한" in next(t.message for t in results["huge_memory"].tests if not t.passed)
    assert (out / "notebooks" / "huge_output.ipynb").stat().st_size < 2_000_000
