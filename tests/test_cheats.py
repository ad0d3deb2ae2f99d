"""Submissions that try to score without the work (tests/cheats.toml), graded through the real `grader grade`
path, in the sandbox when bubblewrap is there, one batch per lesson next to an honest classmate.

Each cheat must get its verdict: it loses the exercise it cheats on, and where the toml names a flag, the
instructor's review shows that flag, made from what the code did at run time. No cheat gets full marks without
a flag. Nothing a student gets back (JSON, feedback page) holds a reference answer or hidden-test code, and a
300 MB display leaves the output folder small while the batch goes on.
"""

import html
import json
from pathlib import Path

import nbformat
import pytest

from grader.host.codes import ReviewCode
from grader.host.course import tomllib
from grader.host.execute import Limits
from grader.host.grade import Assignment, grade_batch
from grader.host.notebook import answer_of, is_exercise, is_test, marker, points
from grader.host.redact import HIDDEN, TOKEN, WINDOW
from grader.host.samples import filled
from grader.host.sandbox import resolve
from tests.conftest import ROOT

LIMITS = Limits(cell_timeout=30, notebook_timeout=180, memory_mb=4096)
CHEATS = tomllib.loads((ROOT / "tests" / "cheats.toml").read_text(encoding="utf-8"))["cheat"]
HONEST = "honest"


def _answers(assignment):
    return [answer_of(cell) for cell in assignment.solution.cells if is_exercise(cell)]


@pytest.fixture(scope="module")
def graded(course, tmp_path_factory):
    """{lesson: (assignment, {student: Result}, out folder)}: every lesson's cheats in one batch each."""
    runner = resolve()  # GRADER_SANDBOX=bwrap (CI) makes a missing sandbox an error, not a fallback
    batches = {}
    for lesson in sorted({cheat["lesson"] for cheat in CHEATS}):
        assignment = Assignment.load(course, course.lesson(lesson), LIMITS)
        folder, out = tmp_path_factory.mktemp(f"class_{lesson}"), tmp_path_factory.mktemp(f"out_{lesson}")
        nbformat.write(filled(assignment.released, assignment.solution), folder / f"{HONEST}_{lesson}.ipynb")
        for cheat in (c for c in CHEATS if c["lesson"] == lesson):
            code = cheat["code"].replace("@ANSWERS@", repr("\n".join(_answers(assignment))))
            nbformat.write(filled(assignment.released, assignment.solution, {cheat["exercise"]: code}),
                           folder / f"{cheat['name']}_{lesson}.ipynb")
        results, _, _ = grade_batch([folder], assignment, out, jobs=2, progress=False, sandbox=runner)
        batches[lesson] = (assignment, {result.student: result for result in results}, out)
    return batches


def test_there_are_enough_cheats_over_enough_lessons():
    assert len(CHEATS) >= 20 and len({cheat["lesson"] for cheat in CHEATS}) >= 3
    assert len({cheat["name"] for cheat in CHEATS}) == len(CHEATS)
    assert {cheat["flag"] for cheat in CHEATS if "flag" in cheat} <= set(ReviewCode)


def test_honest_classmates_keep_full_marks_and_no_flags(graded):
    for assignment, results, _ in graded.values():
        honest = results[HONEST]
        assert (honest.status, honest.score, honest.review) == ("ok", assignment.max_score(), []), honest.tests


@pytest.mark.parametrize("cheat", CHEATS, ids=[cheat["name"] for cheat in CHEATS])
def test_every_cheat_gets_its_verdict(graded, cheat):
    assignment, results, _ = graded[cheat["lesson"]]
    result = results[cheat["name"]]
    failed = {test.label for test in result.tests if not test.passed}
    if cheat.get("loses"):
        assert cheat["exercise"] in failed, (result.status, result.reason, result.review)
    if cheat.get("flag"):
        assert cheat["flag"] in result.review_codes, result.review
    assert result.score < assignment.max_score() or result.review


def _secret_runs(assignment, text):
    """Runs of WINDOW tokens of `text` that are the lesson's answers or hidden code (and nowhere public)."""
    runs = []
    for piece in text.split(HIDDEN):
        tokens = TOKEN.findall(piece)
        runs += [" ".join(tokens[i:i + WINDOW]) for i in range(len(tokens) - WINDOW + 1)
                 if tuple(tokens[i:i + WINDOW]) in assignment.redactor.windows]
    return runs


def _strings(data):
    if isinstance(data, dict):
        return [text for value in data.values() for text in _strings(value)]
    if isinstance(data, list):
        return [text for value in data for text in _strings(value)]
    return [data] if isinstance(data, str) else []


def test_nothing_secret_comes_back_to_students(graded):
    for assignment, results, out in graded.values():
        for student in results:
            page = html.unescape((out / f"{student}.html").read_text(encoding="utf-8"))
            texts = _strings(json.loads((out / f"{student}.json").read_text(encoding="utf-8"))) + [page]
            assert [run for text in texts for run in _secret_runs(assignment, text)] == [], student


def test_a_huge_display_is_cut_and_the_batch_goes_on(graded):
    _, results, out = graded["01_layers"]
    assert results["huge_display"].status == "ok"
    assert (out / "notebooks" / "huge_display.ipynb").stat().st_size < 11_000_000
    assert sum(path.stat().st_size for path in Path(out).rglob("*") if path.is_file()) < 20_000_000
    assert results[HONEST].score == sum(points(c) for c in graded["01_layers"][0].solution.cells
                                        if is_test(c) and marker(c))
