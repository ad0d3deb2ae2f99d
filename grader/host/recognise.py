"""Is a submitted notebook this lesson's notebook? Decided before anything is executed.

A notebook belongs to a lesson when one of its cells carries an exercise of that lesson: the
nbgrader grade_id (`l01_ex2_forward`) or the visible marker (`# [연습 1-2]`), as grader.host.match
finds answers. A notebook with none (another lesson, someone's unrelated study notebook, an empty
checkpoint file) is reported with a reason and not graded.
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from typing import TYPE_CHECKING, NamedTuple

from nbformat import NotebookNode

from .notebook import TEST, grade_id, is_exercise, is_test, marker, read_notebook

if TYPE_CHECKING:
    from .course import Course, Lesson

_GRADE_ID = re.compile(r"^l(\d+)_")
_LESSON_NUMBER = re.compile(r"^(\d+)")
NOT_THIS_LESSON = "이 레슨의 노트북이 아닙니다 (not this lesson's notebook)"


@dataclass(frozen=True)
class Marks:
    """What identifies a lesson's cells: exercise and test grade_ids and marker labels ('1-2')."""
    exercise_ids: frozenset[str | None]
    exercise_labels: frozenset[str]
    test_ids: frozenset[str | None] = frozenset()
    test_labels: frozenset[str] = frozenset()


class _Hits(NamedTuple):
    """How many cells of a notebook carry an identity of one lesson."""
    exercises: int
    tests: int


def marks_of(nb: NotebookNode) -> Marks:
    """The Marks of a solution or released notebook."""
    def collect(cells: list[NotebookNode]) -> tuple[frozenset[str | None], frozenset[str]]:
        return frozenset(grade_id(c) for c in cells), frozenset(mark.label for mark in map(marker, cells) if mark)
    return Marks(*collect([c for c in nb.cells if is_exercise(c)]), *collect([c for c in nb.cells if is_test(c)]))


def load_course_markers(course: Course, folder: str = "solutions") -> dict[str, Marks]:
    """{lesson name: Marks} from the course's notebooks ('solutions' or 'lessons')."""
    paths = {lesson.name: course.root / folder / f"{lesson.name}.ipynb" for lesson in course.lessons}
    return {name: marks_of(read_notebook(path)) for name, path in paths.items() if path.exists()}


def _number(text: str) -> int | None:
    """The lesson number of a lesson name ('01_layers' -> 1), or None."""
    found = _LESSON_NUMBER.match(text)
    return int(found[1]) if found else None


def _cell_number(cell: NotebookNode) -> int | None:
    """The lesson number a cell's grade_id ('l02_...') or marker ('2-1') shows, or None."""
    by_id, mark = _GRADE_ID.match(grade_id(cell) or ""), marker(cell)
    return int(by_id[1]) if by_id else _number(mark[1]) if mark else None


def _is_test_cell(cell: NotebookNode) -> bool:
    return is_test(cell) or (marker(cell) or ("",))[0] == TEST or str(grade_id(cell)).endswith("_test")


def _hits(nb: NotebookNode, lesson: str, marks: Marks | None) -> _Hits:
    """The cells of `nb` that carry an identity of `lesson` (by its Marks, else its number)."""
    exercises = tests = 0
    for cell in nb.cells:
        gid, mark, test = grade_id(cell), marker(cell), _is_test_cell(cell)
        if marks is None:
            found = _cell_number(cell) is not None and _cell_number(cell) == _number(lesson)
        else:
            ids, labels = (marks.test_ids, marks.test_labels) if test else (marks.exercise_ids, marks.exercise_labels)
            found = gid in ids or (mark is not None and mark[1] in labels)
        tests += found and test
        exercises += found and not test
    return _Hits(exercises, tests)


def _belongs_to(nb: NotebookNode, lesson: str, course_markers: Mapping[str, Marks | None]) -> str | None:
    """The name (or number) of another lesson whose exercises `nb` carries, or None."""
    others = {name: _hits(nb, name, marks) for name, marks in course_markers.items() if name != lesson}
    best = max(others, key=lambda name: others[name], default=None)
    if best is not None and others[best].exercises:
        return best
    shown = {_cell_number(c) for c in nb.cells if not _is_test_cell(c)} - {_number(lesson)}
    numbers = sorted(number for number in shown if number is not None)
    return f"{numbers[0]:02d}" if numbers else None


def recognise(nb: NotebookNode, lesson: Lesson | str,
              course_markers: dict[str, Marks] | Iterable[Lesson | str] | None = None) -> str | None:
    """None when `nb` has an exercise of `lesson`, else a Korean reason (naming the lesson it belongs to).

    `course_markers`: {lesson name: Marks} (load_course_markers), or lesson names (then lesson numbers are used).
    """
    name = lesson if isinstance(lesson, str) else lesson.name
    marks: Mapping[str, Marks | None] = course_markers if isinstance(course_markers, dict) else {
        item if isinstance(item, str) else item.name: None for item in course_markers or ()}
    exercises, tests = _hits(nb, name, marks.get(name))
    if exercises:
        return None
    other = _belongs_to(nb, name, marks)
    if other is not None:
        return f"{NOT_THIS_LESSON}: {other} 레슨의 노트북입니다 (belongs to lesson {other})"
    if tests:
        return (f"{NOT_THIS_LESSON}: {name}의 검사 셀은 있지만 연습 셀이 하나도 없습니다 "
                "(no exercise cell of this lesson)")
    if not any(cell.get("source", "").strip() for cell in nb.cells):
        return f"{NOT_THIS_LESSON}: 빈 노트북입니다 (empty notebook)"
    return f"{NOT_THIS_LESSON}: {name}의 연습 셀(grade_id, '# [연습 N-M]' 표식)이 없습니다 (no exercise found)"
