"""A sample class of submissions for a lesson: correct, wrong, damaged and broken files.

Built from the released student notebook filled in the way students do, then damaged the way
real submissions are (Colab strips metadata, cells get moved, deleted, turned into markdown...).
Used by the demo, the tests and the benchmarks.
"""

from __future__ import annotations

import copy
import unicodedata
from pathlib import Path
from typing import TYPE_CHECKING, TypedDict

import nbformat
from nbformat import NotebookNode

from .course import tomllib
from .notebook import answer_of, is_exercise, label_of, marker, statement_start

if TYPE_CHECKING:
    from typing import NotRequired


class WrongAnswer(TypedDict):
    """One [[wrong]] table of tests/corpus/<lesson>.toml: a common wrong answer and how its tests must fail."""
    exercise: str  # the exercise's label, '1-2'
    why: str
    code: str
    expect: str  # text the failure message holds
    stated: NotRequired[bool]  # breaks a requirement the exercise states: the public checks fail too


def load_wrong_answers(path: Path) -> list[WrongAnswer]:
    """The wrong answers of a TOML file of [[wrong]] tables (none when there is no file)."""
    return tomllib.loads(path.read_text(encoding="utf-8"))["wrong"] if path.exists() else []


def filled(released: NotebookNode, solution: NotebookNode, answers: dict[str, str] | None = None) -> NotebookNode:
    """The released notebook with the solution's answers, or `answers` {label: code} instead."""
    nb = copy.deepcopy(released)
    given = {label_of(c): answer_of(c) for c in solution.cells if is_exercise(c)}
    given.update(answers or {})
    for cell in nb.cells:
        if is_exercise(cell):
            lines = cell.source.splitlines(keepends=True)
            stub = next(i for i, line in enumerate(lines) if line.strip() == "# 여기에 코드를 작성하세요")
            cell.source = "".join(lines[:statement_start(lines, stub)]) + given[label_of(cell)].rstrip("\n")
    return nb


def _find(nb: NotebookNode, kind: str, label: str) -> int:
    return next(i for i, c in enumerate(nb.cells) if marker(c) == (kind, label))


def _stripped(nb: NotebookNode) -> NotebookNode:
    nb = copy.deepcopy(nb)
    for cell in nb.cells:
        cell.metadata = {}
    return nb


def _moved_to_top(nb: NotebookNode, label: str) -> NotebookNode:
    nb = copy.deepcopy(nb)
    nb.cells.insert(0, nb.cells.pop(_find(nb, "연습", label)))
    return nb


def _with_helper_cell(nb: NotebookNode, label: str) -> NotebookNode:
    """A student cell defining a helper that the answer then uses."""
    nb = copy.deepcopy(nb)
    index = _find(nb, "연습", label)
    nb.cells[index].source += "\nassert helper_value == 42"
    nb.cells.insert(index, nbformat.v4.new_code_cell("helper_value = 42  # 학생이 추가한 셀"))
    nb.cells.insert(0, nbformat.v4.new_markdown_cell("제 메모입니다."))
    return nb


def _deleted(nb: NotebookNode, label: str) -> NotebookNode:
    nb = copy.deepcopy(nb)
    del nb.cells[_find(nb, "연습", label)]
    return nb


def _without_marker(nb: NotebookNode, label: str) -> NotebookNode:
    """The exercise cell with its first line (the marker) deleted; nbgrader metadata kept."""
    nb = copy.deepcopy(nb)
    cell = nb.cells[_find(nb, "연습", label)]
    cell.source = cell.source.split("\n", 1)[1]
    return nb


def _as_markdown(nb: NotebookNode, label: str) -> NotebookNode:
    nb = copy.deepcopy(nb)
    index = _find(nb, "연습", label)
    nb.cells[index] = nbformat.v4.new_markdown_cell(nb.cells[index].source,
                                                    metadata=nb.cells[index].metadata)
    return nb


def _duplicated(nb: NotebookNode, wrong_nb: NotebookNode, label: str) -> NotebookNode:
    """The exercise cell twice: first a wrong attempt, then the right one."""
    nb = copy.deepcopy(nb)
    index = _find(nb, "연습", label)
    nb.cells.insert(index, copy.deepcopy(wrong_nb.cells[index]))
    return nb


def _old_format(nb: NotebookNode) -> NotebookNode:
    nb = copy.deepcopy(nb)
    nb.nbformat_minor = 0
    for cell in nb.cells:
        cell.pop("id", None)
    return nb


def _edited_test(nb: NotebookNode, label: str) -> NotebookNode:
    nb = copy.deepcopy(nb)
    nb.cells[_find(nb, "검사", label)].source = f"# [검사 {label}]\npass"
    return nb


def _inserted_after_test(nb: NotebookNode, label: str, source: str) -> NotebookNode:
    nb = copy.deepcopy(nb)
    nb.cells.insert(_find(nb, "검사", label) + 1, nbformat.v4.new_code_cell(source))
    return nb


def sample_class(solution: NotebookNode, released: NotebookNode, lesson: str, wrong_answers: list[WrongAnswer]
                 ) -> dict[str, NotebookNode | bytes]:
    """{file name: notebook or raw bytes} for a class folder as downloaded from an LMS."""
    labels = [label_of(c) for c in solution.cells if is_exercise(c)]
    first, second = labels[0], labels[1]
    wrong = {case["exercise"]: case["code"] for case in reversed(wrong_answers)}
    right = filled(released, solution)
    wrong_first = filled(released, solution, {first: wrong.get(first, "pass")})
    wrong_second = filled(released, solution, {second: wrong.get(second, "pass")})
    stuck = "import signal, time\nsignal.signal(signal.SIGINT, signal.SIG_IGN)\ntime.sleep(10**6)"
    nfd_name = unicodedata.normalize("NFD", "2024000021_정하늘")
    return {
        f"2024000001_김민준_{lesson}.ipynb": right,
        f"2024000002_이서연_{lesson}.ipynb": wrong_first,
        f"2024000003_박지호_{lesson}.ipynb": wrong_second,
        f"2024000004_stripped_{lesson}.ipynb": _stripped(right),
        f"2024000005_reordered_{lesson}.ipynb": _moved_to_top(right, second),
        f"2024000006_extra_{lesson}.ipynb": _with_helper_cell(right, first),
        f"2024000007_deleted_{lesson}.ipynb": _deleted(right, second),
        f"2024000008_markdown_{lesson}.ipynb": _as_markdown(right, first),
        f"2024000009_duplicated_{lesson}.ipynb": _duplicated(right, wrong_first, first),
        f"2024000010_nbformat40_{lesson}.ipynb": _old_format(right),
        f"2024000011_edited_test_{lesson}.ipynb": _edited_test(wrong_first, first),
        f"2024000012_unanswered_{lesson}.ipynb": released,
        f"2024000013_crash_{lesson}.ipynb": _inserted_after_test(right, first, "import os\nos._exit(1)"),
        f"2024000014_loop_{lesson}.ipynb": filled(released, solution, {first: "while True:\n    pass"}),
        f"2024000015_stuck_{lesson}.ipynb": _inserted_after_test(right, first, stuck),
        f"2024000016_sys_exit_{lesson}.ipynb": _inserted_after_test(right, first, "import sys\nsys.exit(1)"),
        f"2024000017_broken_json_{lesson}.ipynb": b'{"cells": [ {"cell_type": "code", ',
        f"2024000018_empty_{lesson}.ipynb": b"",
        f"2024000019_report_{lesson}.pdf": b"%PDF-1.4\n\xff\xfe\x00binary",
        f"2024000020_not_notebook_{lesson}.ipynb": b'{"hello": "world"}',
        f"{nfd_name}_{lesson}.ipynb": right,
        f"2024000022_no_marker_{lesson}.ipynb": _without_marker(right, first),
    }


def write_class(files: dict[str, NotebookNode | bytes], folder: Path) -> list[Path]:
    """Write the sample class into `folder`; returns the paths written."""
    folder.mkdir(parents=True, exist_ok=True)
    paths: list[Path] = []
    for name, content in files.items():
        path = folder / name
        if isinstance(content, bytes):
            path.write_bytes(content)
        else:
            nbformat.write(content, path)
        paths.append(path)
    return paths
