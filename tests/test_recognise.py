"""grader.host.recognise: a notebook that is not this lesson's is recognised before anything runs.

Uses the real lessons (lessons/*.ipynb and solutions/*.ipynb) and notebooks made here; no kernel.
"""

import copy
import pathlib
import unicodedata

import nbformat
import pytest

from grader.host.notebook import read_notebook
from grader.host.recognise import NOT_THIS_LESSON, load_course_markers, marks_of, recognise
from tests.conftest import ROOT, lesson_names

LESSONS = lesson_names()


@pytest.fixture(scope="module")
def markers(course):
    return load_course_markers(course)


def released(name):
    return read_notebook(ROOT / "lessons" / f"{name}.ipynb")


@pytest.mark.parametrize("name", LESSONS)
def test_each_lesson_is_its_own_and_names_itself_for_the_others(name, markers):
    nb = released(name)
    assert recognise(nb, name, markers) is None
    assert recognise(read_notebook(ROOT / "solutions" / f"{name}.ipynb"), name, markers) is None
    other = LESSONS[(LESSONS.index(name) + 1) % len(LESSONS)]
    reason = recognise(nb, other, markers)
    assert reason.startswith(NOT_THIS_LESSON) and f"{name} 레슨의 노트북" in reason


def test_a_02_models_notebook_handed_in_for_01_layers(markers):
    reason = recognise(released("02_models"), "01_layers", markers)
    assert reason == f"{NOT_THIS_LESSON}: 02_models 레슨의 노트북입니다 (belongs to lesson 02_models)"
    # without the course's notebooks the lesson numbers in grade_ids and markers still tell
    assert "02_models 레슨의 노트북" in recognise(released("02_models"), "01_layers", LESSONS)
    assert "02 레슨의 노트북" in recognise(released("02_models"), "01_layers")


def stripped(nb):
    """Metadata dropped (Colab, VS Code): only the visible markers remain."""
    nb = copy.deepcopy(nb)
    for cell in nb.cells:
        cell.metadata = {}
    return nb


def unmarked(nb):
    """Marker lines removed: only the nbgrader grade_ids remain."""
    nb = copy.deepcopy(nb)
    for cell in nb.cells:
        cell.source = "\n".join(line for line in cell.source.splitlines() if not line.startswith("# ["))
    return nb


@pytest.mark.parametrize("damage", [stripped, unmarked])
def test_either_identity_is_enough(damage, markers):
    nb = damage(released("01_layers"))
    assert recognise(nb, "01_layers", markers) is None
    assert recognise(nb, "01_layers", LESSONS) is None


def test_one_answered_exercise_is_enough(markers):
    nb = released("01_layers")
    first = next(i for i, c in enumerate(nb.cells) if c.metadata.get("nbgrader", {}).get("solution"))
    nb.cells = [nb.cells[first]]
    assert recognise(stripped(nb), "01_layers", markers) is None


def test_empty_and_unrelated_notebooks(markers):
    empty = nbformat.v4.new_notebook()
    assert recognise(empty, "01_layers", markers) == f"{NOT_THIS_LESSON}: 빈 노트북입니다 (empty notebook)"
    blank = nbformat.v4.new_notebook(cells=[nbformat.v4.new_code_cell(""), nbformat.v4.new_markdown_cell(" ")])
    assert "empty notebook" in recognise(blank, "01_layers", markers)
    study = nbformat.v4.new_notebook(cells=[
        nbformat.v4.new_markdown_cell("# BERT 공부\n[연습 1-1]은 여기 없음"),
        nbformat.v4.new_code_cell("from transformers import BertModel\nmodel = BertModel.from_pretrained('bert')"),
        nbformat.v4.new_code_cell("# 연습 1-2 따라 하기\nprint(1)"),
    ])
    reason = recognise(study, "01_layers", markers)
    assert reason.startswith(NOT_THIS_LESSON) and "no exercise found" in reason


def test_test_cells_without_any_exercise(markers):
    nb = released("01_layers")
    nb.cells = [c for c in nb.cells if not c.metadata.get("nbgrader", {}).get("solution")]
    assert "no exercise cell" in recognise(nb, "01_layers", markers)


def test_marks_of_a_lesson():
    marks = marks_of(released("01_layers"))
    assert "l01_ex1_dense" in marks.exercise_ids and "1-1" in marks.exercise_labels
    assert "l01_ex1_dense_test" in marks.test_ids and "l01_ex1_dense_test" not in marks.exercise_ids


def test_the_sample_class_is_named_as_before_and_every_notebook_is_recognised(tmp_path, markers):
    """The demo class (grader.host.samples): damaged but genuine notebooks are never taken for another lesson."""
    from grader.host.intake.submissions import gather
    from grader.host.notebook import NotebookError
    from grader.host.samples import sample_class, write_class

    solution = read_notebook(ROOT / "solutions" / "01_layers.ipynb")
    write_class(sample_class(solution, released("01_layers"), "01_layers", []), tmp_path)
    intake = gather([tmp_path], "01_layers")
    names = sorted(unicodedata.normalize("NFC", p.name).rsplit("_01_layers", 1)[0] for p in tmp_path.iterdir())
    assert [s.student for s in intake.submissions] == names
    unreadable = 0
    for submission in intake.submissions:
        try:
            nb = read_notebook(tmp_path / pathlib.Path(submission.origin).name)
        except NotebookError:
            unreadable += 1
            continue
        assert recognise(nb, "01_layers", markers) is None, submission.student
    assert unreadable == 4  # broken JSON, empty, pdf, not a notebook: invalid, as before
