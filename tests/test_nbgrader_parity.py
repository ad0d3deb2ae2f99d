"""The course is also a plain nbgrader course, and nbgrader scores intact submissions as we do."""

import nbformat
import pytest

from grader.host.execute import Limits
from grader.host.grade import Assignment, grade_batch
from benchmarks.nbgrader_course import autograde, make_course, submit
from grader.host.samples import filled, load_wrong_answers, sample_class
from tests.conftest import ROOT


def test_every_lesson_has_an_nbgrader_source_link(course):
    for lesson in course.lessons:
        link = ROOT / "nbgrader" / "source" / lesson.name / f"{lesson.name}.ipynb"
        assert link.is_symlink() and link.resolve() == course.solution_path(lesson).resolve()


@pytest.fixture(scope="module")
def nbgrader_scores(course, tmp_path_factory):
    """Scores from plain `nbgrader generate_assignment` + `nbgrader autograde`."""
    lesson = course.lessons[0]
    folder = make_course(course, lesson, tmp_path_factory.mktemp("nbgrader"))
    assignment = Assignment.load(course, lesson, Limits())
    wrong = load_wrong_answers(ROOT / "tests" / "corpus" / f"{lesson.name}.toml")
    every = sample_class(assignment.solution, assignment.released, lesson.name, wrong)
    intact = {name.split("_")[1]: nb for name, nb in list(every.items())[:3]}
    intact["unanswered"] = assignment.released
    intact["allwrong"] = filled(assignment.released, assignment.solution,
                                {case["exercise"]: case["code"] for case in wrong})
    # nbgrader aborts its whole batch on this one ("old metadata format"); it sorts before the
    # others, so they are graded only if autograde() leaves it out and runs nbgrader again
    duplicated = next(nb for name, nb in every.items() if "_duplicated_" in name)
    submit(folder, lesson, {**intact, "duplicated": duplicated})
    scores = autograde(folder, lesson)
    flat = tmp_path_factory.mktemp("class")
    for student, nb in intact.items():
        nbformat.write(nb, flat / f"{student}_{lesson.name}.ipynb")
    return assignment, sorted(flat.iterdir()), scores, tmp_path_factory.mktemp("ours")


def test_nbgrader_autograde_and_grader_grade_agree_on_intact_submissions(nbgrader_scores):
    assignment, paths, scores, out = nbgrader_scores
    results, _, _ = grade_batch(paths, assignment, out, jobs=2, progress=False)
    ours = {r.student: r.score for r in results}
    assert len(set(scores.values())) >= 3  # the corpus really spans different scores
    assert ours == {student: scores.get(student) for student in ours}
