"""Reading notebooks and finding exercise and test cells in them.

A cell is identified by its nbgrader `grade_id` and, as a fallback that survives tools which
drop metadata, by the visible marker on its first line: `# [연습 1-2] ...` or `# [검사 1-2] ...`.
"""

from __future__ import annotations

import json
import re
from pathlib import Path
from typing import Any, NamedTuple

import nbformat
from nbformat import NotebookNode

EXERCISE = "연습"
TEST = "검사"
_MARKER = re.compile(r"^\s*#\s*\[\s*(연습|검사)\s*(\d+)\s*-\s*(\d+)\s*\]")


class Marker(NamedTuple):
    """The visible marker on a cell's first line: `# [연습 1-2] ...` is Marker("연습", "1-2")."""
    kind: str  # EXERCISE or TEST
    label: str


class NotebookError(Exception):
    """A file that cannot be read as a notebook; the message is Korean with English terms."""


def read_notebook(source: Path | bytes) -> NotebookNode:
    """Read a notebook of any nbformat 4.x (or 3) from a path or from bytes; upgrade it to the current 4.x."""
    try:
        text = (source if isinstance(source, bytes) else source.read_bytes()).decode("utf-8-sig")
    except UnicodeDecodeError:
        raise NotebookError("UTF-8 텍스트가 아닙니다 (not a UTF-8 text file).") from None
    except OSError as error:
        raise NotebookError(f"파일을 읽을 수 없습니다 (unreadable file): {error}") from None
    if not text.strip():
        raise NotebookError("빈 파일입니다 (empty file).")
    try:
        data = json.loads(text)
    except json.JSONDecodeError as error:
        raise NotebookError(f"JSON 형식이 깨졌습니다 (invalid JSON): {error}") from None
    if not isinstance(data, dict) or "nbformat" not in data:
        raise NotebookError("주피터 노트북이 아닙니다 (not a Jupyter notebook: no 'nbformat').")
    try:
        return nbformat.reads(json.dumps(data), as_version=4)
    except Exception as error:  # nbformat raises many kinds for malformed notebooks
        raise NotebookError(f"노트북 구조가 잘못되었습니다 (malformed notebook): {error}") from None


def nbgrader_meta(cell: NotebookNode) -> dict[str, Any]:
    return cell.get("metadata", {}).get("nbgrader", {})


def grade_id(cell: NotebookNode) -> str | None:
    return nbgrader_meta(cell).get("grade_id")


def marker(cell: NotebookNode) -> Marker | None:
    """The Marker on the cell's first non-empty line, or None."""
    for line in cell.get("source", "").splitlines():
        if line.strip():
            match = _MARKER.match(line)
            return Marker(match[1], f"{match[2]}-{match[3]}") if match else None
    return None


def label_of(cell: NotebookNode) -> str:
    """The marker label ('1-2') of an exercise or test cell of a lesson notebook, where one is required."""
    mark = marker(cell)
    if mark is None:
        raise NotebookError(f"첫 줄에 '# [연습 N-M]' 표식이 없습니다 (cell without a marker): {cell.source[:60]!r}")
    return mark.label


def is_exercise(cell: NotebookNode) -> bool:
    return cell.cell_type == "code" and bool(nbgrader_meta(cell).get("solution"))


def is_test(cell: NotebookNode) -> bool:
    return cell.cell_type == "code" and bool(nbgrader_meta(cell).get("grade"))


def answer_of(cell: NotebookNode) -> str:
    """The runnable answer of an exercise cell: the code between its solution markers, and when the
    markers sit inside a given `def` (the signature stays visible to students), that `def` line too."""
    lines = cell.source.splitlines(keepends=True)
    begin, end = solution_region(lines)
    return "".join(line for line in lines[statement_start(lines, begin):end] if line.strip() != "### BEGIN SOLUTION")


def solution_region(lines: list[str]) -> tuple[int, int]:
    """Indexes of the `### BEGIN SOLUTION` and `### END SOLUTION` lines of an exercise cell's lines."""
    begin = next(i for i, line in enumerate(lines) if line.strip() == "### BEGIN SOLUTION")
    end = next(i for i, line in enumerate(lines) if line.strip() == "### END SOLUTION")
    return begin, end


def statement_start(lines: list[str], index: int) -> int:
    """Index of the top-level line (e.g. `def f(x):`) that opens the block holding lines[index]
    (index itself when that line is at the top level)."""
    while index > 0 and (not lines[index].strip() or lines[index][0].isspace()):
        index -= 1
    return index


def points(cell: NotebookNode) -> float:
    return float(nbgrader_meta(cell).get("points", 0))


def structure_problems(nb: NotebookNode) -> list[str]:
    """Authoring mistakes in a solution notebook, as Korean sentences (empty when fine)."""
    problems: list[str] = []
    seen_ids: set[str | None] = set()
    exercises: list[str] = []
    tests: list[str] = []
    for index, cell in enumerate(nb.cells, start=1):
        if not (is_exercise(cell) or is_test(cell)):
            continue
        gid, mark = grade_id(cell), marker(cell)
        kind = EXERCISE if is_exercise(cell) else TEST
        if gid in seen_ids:
            problems.append(f"{index}번 셀: grade_id '{gid}'가 중복됩니다.")
        seen_ids.add(gid)
        if not mark or mark[0] != kind:
            problems.append(f"{index}번 셀({gid}): 첫 줄에 '# [{kind} N-M] 제목' 표식이 없습니다.")
            continue
        (exercises if kind == EXERCISE else tests).append(mark[1])
        if kind == EXERCISE and "### BEGIN SOLUTION" not in cell.source:
            problems.append(f"{index}번 셀({gid}): ### BEGIN SOLUTION 영역이 없습니다.")
        if kind == TEST and points(cell) <= 0:
            problems.append(f"{index}번 셀({gid}): 배점(points)이 없습니다.")
    for label in sorted(set(exercises) ^ set(tests)):
        problems.append(f"연습 {label}: 연습 셀과 검사 셀이 짝을 이루지 않습니다.")
    for label in {x for x in exercises + tests if (exercises + tests).count(x) > 2}:
        problems.append(f"연습 {label}: 표식이 중복됩니다.")
    return problems
