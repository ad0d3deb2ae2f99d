"""`grader grade` on a corpus of correct, wrong, damaged and hostile submissions (one batch).

The corpus (grader.host.samples) is built from lesson 01's released notebook as students fill it in,
with wrong answers from tests/corpus/.
"""

import csv
import hashlib
import json
import unicodedata

import pytest

from grader.host.codes import Status
from grader.host.execute import Limits
from grader.host.grade import Assignment, grade_batch
from grader.host.intake.names import naming
from grader.host.notebook import is_exercise, is_test, marker, points
from grader.host.samples import load_wrong_answers, sample_class, write_class
from tests.conftest import ROOT

LIMITS = Limits(cell_timeout=20, notebook_timeout=60, memory_mb=4096)


@pytest.fixture(scope="module")
def graded(course, tmp_path_factory):
    lesson = course.lessons[0]
    assignment = Assignment.load(course, lesson, LIMITS)
    folder = tmp_path_factory.mktemp("submissions")
    wrong = load_wrong_answers(ROOT / "tests" / "corpus" / f"{lesson.name}.toml")
    write_class(sample_class(assignment.solution, assignment.released, lesson.name, wrong), folder)
    (folder / ".DS_Store").write_bytes(b"\x00junk")
    out = tmp_path_factory.mktemp("out")
    results, skipped, _ = grade_batch([folder], assignment, out, jobs=2, progress=False)
    by_student = {r.student.split("_", 1)[1].removesuffix(f"_{lesson.name}"): r for r in results}
    return assignment, folder, out, by_student, skipped


def exercise_points(assignment, label):
    return sum(points(c) for c in assignment.solution.cells if is_test(c) and marker(c)[1] == label)


def labels(assignment):
    return [marker(c)[1] for c in assignment.solution.cells if is_exercise(c)]


def failed(result):
    return {t.label for t in result.tests if not t.passed}


def test_every_file_gets_exactly_one_row_and_junk_is_skipped(graded):
    _, folder, out, results, skipped = graded
    assert skipped == 0
    assert len(results) == len(list(folder.iterdir())) - 1  # .DS_Store skipped
    with open(out / "grades.csv", encoding="utf-8") as handle:
        assert handle.read(1) == "\ufeff"  # BOM, so Excel shows Korean correctly
    with open(out / "grades.csv", encoding="utf-8-sig", newline="") as handle:
        rows = list(csv.DictReader(handle))
    assert len(rows) == len(results)
    assert {"student", "lesson", "score", "max_score", "status"} <= set(rows[0])


def test_results_record_the_sandbox_and_the_submission_hash(graded):
    _, folder, out, results, _ = graded
    for result in results.values():
        data = json.loads((out / f"{result.student}.json").read_text(encoding="utf-8"))
        assert data["sha256"] == hashlib.sha256((folder / result.file).read_bytes()).hexdigest()
        assert data["sandbox"] in ("bwrap", "none")
    with open(out / "grades.csv", encoding="utf-8-sig", newline="") as handle:
        assert {row["sandbox"] for row in csv.DictReader(handle)} == {r.sandbox for r in results.values()}


@pytest.mark.parametrize("name", ["김민준", "stripped", "reordered", "extra", "markdown",
                                  "duplicated", "nbformat40", "sys_exit", "정하늘", "no_marker"])
def test_correct_answers_get_full_marks_whatever_the_damage(graded, name):
    assignment, _, _, results, _ = graded
    result = results[name]
    assert (result.status, result.score, failed(result)) == ("ok", assignment.max_score(), set())


def test_wrong_answers_lose_exactly_their_exercise(graded):
    assignment, _, _, results, _ = graded
    first, second = labels(assignment)[:2]
    for name, label in [("이서연", first), ("박지호", second), ("edited_test", first)]:
        result = results[name]
        assert failed(result) == {label}, name
        assert result.score == assignment.max_score() - exercise_points(assignment, label)


def test_deleted_exercise_scores_zero_with_a_reason(graded):
    assignment, _, _, results, _ = graded
    second = labels(assignment)[1]
    result = results["deleted"]
    assert failed(result) == {second}
    message = next(t.message for t in result.tests if t.label == second)
    assert "찾지 못했습니다" in message


def test_damage_is_reported_in_notes(graded):
    assignment, _, _, results, _ = graded
    first = labels(assignment)[0]
    assert any("표식" in note for note in results["stripped"].notes)
    assert any("markdown" in note for note in results["markdown"].notes)
    assert any("2개" in note for note in results["duplicated"].notes)
    assert any(f"검사 {first}" in note and "원본 검사" in note for note in results["edited_test"].notes)
    assert any("추가하거나 고친 코드 셀" in note for note in results["extra"].notes)


def test_unanswered_notebook_scores_zero_and_says_why(graded):
    result = graded[3]["unanswered"]
    assert result.score == 0 and result.status == "ok"
    assert all("NotImplementedError" in t.message for t in result.tests)


def test_crash_keeps_results_of_cells_that_ran(graded):
    assignment, _, _, results, _ = graded
    first = labels(assignment)[0]
    result = results["crash"]
    assert result.status == Status.CRASHED and result.reason.startswith(Status.CRASHED.reason)
    assert result.score == exercise_points(assignment, first)


def test_infinite_loop_loses_only_its_exercise(graded):
    assignment, _, _, results, _ = graded
    first = labels(assignment)[0]
    result = results["loop"]
    assert failed(result) == {first}
    message = next(t.message for t in result.tests if t.label == first)
    assert "시간 제한" in message


def test_uninterruptible_cell_hits_the_notebook_timeout(graded):
    assignment, _, _, results, _ = graded
    result = results["stuck"]
    assert result.status == "timeout" and "60초" in result.reason
    assert result.score == exercise_points(assignment, labels(assignment)[0])


@pytest.mark.parametrize("name, reason", [
    ("broken_json", "invalid JSON"), ("empty", "empty file"), ("report", "not a UTF-8"),
    ("not_notebook", "not a Jupyter notebook")])
def test_bad_files_get_a_row_with_a_clear_reason(graded, name, reason):
    assignment, _, out, results, _ = graded
    result = results[name]
    assert result.status == "invalid" and reason in result.reason and result.score == 0
    assert len(result.tests) == len(labels(assignment))
    page = (out / f"{result.student}.html").read_text(encoding="utf-8")
    assert "노트북으로 읽을 수 없습니다" in page


def test_student_ids_come_from_file_names_in_nfc(graded):
    _, _, out, results, _ = graded
    assert results["정하늘"].student == unicodedata.normalize("NFC", "2024000021_정하늘")
    assert (out / f"{results['정하늘'].student}.json").exists()
    assert naming(("2024123456_홍길동_01_layers.ipynb",), "01_layers").label == "2024123456_홍길동"
    assert naming(("홍길동 - 01_layers (1).ipynb",), "01_layers").label == "홍길동"


def test_feedback_page_and_json_show_messages_in_korean(graded):
    _, _, out, results, _ = graded
    result = results["이서연"]
    data = json.loads((out / f"{result.student}.json").read_text(encoding="utf-8"))
    assert data["score"] == result.score and data["tests"][0]["message"]
    page = (out / f"{result.student}.html").read_text(encoding="utf-8")
    assert "❌ 실패" in page and "기대한 값" in page and "힌트" in page
    assert not list(out.glob(".*.tmp"))


def test_rerun_skips_unchanged_and_keeps_earlier_rows(graded, course):
    assignment, folder, out, results, _ = graded
    some = sorted(folder.glob("2024000001_*")) + sorted(folder.glob("2024000018_*"))
    again, skipped, _ = grade_batch(some, assignment, out, jobs=2, progress=False)
    assert skipped == len(some) == len(again)
    assert [r.score for r in again] == [results["김민준"].score, results["empty"].score]
    with open(out / "grades.csv", encoding="utf-8-sig", newline="") as handle:
        assert len(list(csv.DictReader(handle))) == len(results)
