"""Build the notebook to grade: the solution notebook with the student's answers in its slots.

Tests (public and hidden) always come from the solution. A student's answer for an exercise is
found by nbgrader grade_id, then by the visible marker line (`# [연습 1-2]`), in code, markdown
or raw cells. Student cells that are neither answers, tests nor unchanged lesson cells are kept
as extra cells after the cell they followed, so helper code a student added still runs.
"""

from __future__ import annotations

import copy
from dataclasses import dataclass, field

import nbformat
from nbformat import NotebookNode

from .notebook import EXERCISE, TEST, grade_id, is_exercise, is_test, marker
from .release import CODE_STUB, HEADER_ROLE


@dataclass
class Slot:
    """How the answer for one exercise was found: 'grade_id', 'marker' or 'missing'."""
    label: str | None  # the exercise's marker label ('1-2'); None when the solution cell has no marker
    grade_id: str | None
    found_by: str
    notes: list[str] = field(default_factory=list)


@dataclass
class Assembly:
    notebook: NotebookNode
    slots: dict[str | None, Slot]  # label -> Slot
    notes: list[str]  # notebook-wide notes in Korean
    student_sources: list[str]  # every piece of student code that will run


INSTALL = '__import__("grader.run.kernel", fromlist=["install"]).install()\n'
ROLE_INSTALL, ROLE_ANSWER, ROLE_EXTRA = "install", "answer", "extra"


def _install_cell() -> NotebookNode:
    """The graded notebook's first cell: the run's audit hook and trusted snapshot (grader.run.kernel)."""
    cell = nbformat.v4.new_code_cell(INSTALL)
    cell.metadata["grader"] = {"role": ROLE_INSTALL}
    return cell


def _student_cell(source: str, role: str, label: str | None = None) -> NotebookNode:
    """A code cell of the student's, marked so that what it does at run time can be told apart."""
    cell = nbformat.v4.new_code_cell(source)
    cell.metadata["grader"] = {"role": role, **({"label": label} if label else {})}
    return cell


def _label(cell: NotebookNode) -> str | None:
    mark = marker(cell)
    return mark[1] if mark else None


def _kind(cell: NotebookNode) -> str | None:
    mark = marker(cell)
    return mark[0] if mark else None


def _same(a: str, b: str) -> bool:
    return a.strip() == b.strip()


def _is_header(cell: NotebookNode) -> bool:
    return cell.get("metadata", {}).get("grader", {}).get("role") == HEADER_ROLE or (
        cell.source.lstrip().startswith("# [설정]"))


def _pick(candidates: list[tuple[int, NotebookNode]], label: str | None) -> tuple[int, NotebookNode]:
    """The student cell to grade among several candidates: marker agrees, code, then last."""
    return max(candidates, key=lambda c: (_label(c[1]) == label, c[1].cell_type == "code", c[0]))


def _find_answer(student_cells: list[NotebookNode], used: dict[int, int], gid: str | None,
                 label: str | None) -> tuple[int | None, Slot]:
    """(index of the student's answer cell or None, how it was found)."""
    by_id = [(j, c) for j, c in enumerate(student_cells)
             if j not in used and grade_id(c) == gid and _kind(c) != TEST]
    by_marker = [(j, c) for j, c in enumerate(student_cells)
                 if j not in used and _kind(c) == EXERCISE and _label(c) == label]
    candidates, found_by = (by_id, "grade_id") if by_id else (by_marker, "marker")
    if not candidates:
        return None, Slot(label, gid, "missing", [
            f"연습 {label}: 답 셀을 찾지 못했습니다 (grade_id와 '# [연습 {label}]' 표식 모두 없음). "
            "이 연습은 0점입니다."])
    index, cell = _pick(candidates, label)
    slot = Slot(label, gid, found_by)
    if len(candidates) > 1:
        slot.notes.append(f"연습 {label}: 같은 연습 셀이 {len(candidates)}개 있어 "
                          f"{index + 1}번째 셀을 채점했습니다.")
    if cell.cell_type != "code":
        slot.notes.append(f"연습 {label}: 셀이 {cell.cell_type} 셀로 바뀌어 있어 코드로 실행했습니다.")
    return index, slot


def _edited_tests(student_cells: list[NotebookNode], released: NotebookNode) -> list[str]:
    """Notes for student test cells whose text differs from the released lesson."""
    released_tests = {grade_id(c): c for c in released.cells if is_test(c)}
    released_tests.update({_label(c): c for c in released.cells if is_test(c)})
    notes: list[str] = []
    for cell in student_cells:
        if _kind(cell) != TEST and not is_test(cell):
            continue
        original = released_tests.get(grade_id(cell)) or released_tests.get(_label(cell))
        if original is not None and not _same(cell.source, original.source):
            notes.append(f"검사 {_label(original)}: 셀이 수정되어 있습니다. "
                         "채점에는 원본 검사를 사용했습니다.")
    return notes


def assemble(solution: NotebookNode, released: NotebookNode, student: NotebookNode) -> Assembly:
    """The graded notebook for `student`, built on `solution` (which is left unchanged)."""
    student_cells = list(student.cells)
    used: dict[int, int] = {}  # student cell index -> solution cell index
    answers: dict[int, NotebookNode] = {}  # solution cell index -> the student's answer cell
    slots: dict[str | None, Slot] = {}
    for index, cell in enumerate(solution.cells):
        if is_exercise(cell):
            label = _label(cell)
            found, slot = _find_answer(student_cells, used, grade_id(cell), label)
            slots[label] = slot
            if found is not None:
                used[found] = index
                answers[index] = student_cells[found]

    anchors = _anchors(solution, student_cells, used)
    cells = [_install_cell()]
    for index, cell in [(-1, None), *enumerate(solution.cells)]:
        if cell is not None:
            graded = copy.deepcopy(cell)
            if is_exercise(cell):
                graded.source = answers[index].source if index in answers else CODE_STUB
                graded.cell_type, graded.outputs, graded.execution_count = "code", [], None
                graded.metadata["grader"] = {"role": ROLE_ANSWER, "label": _label(cell)}
            cells.append(graded)
        cells.extend(_student_cell(extra.source, ROLE_EXTRA) for extra in anchors.get(index, []))

    graded_nb = copy.deepcopy(solution)
    graded_nb.cells = cells
    notes = _edited_tests(student_cells, released)
    extras = sum(len(v) for v in anchors.values())
    if extras:
        notes.append(f"학생이 추가하거나 고친 코드 셀 {extras}개를 원래 위치에서 함께 실행했습니다.")
    sources = [cell.source for cell in answers.values()]
    sources += [extra.source for extras_here in anchors.values() for extra in extras_here]
    return Assembly(graded_nb, slots, notes, sources)


def _anchors(solution: NotebookNode, student_cells: list[NotebookNode], used: dict[int, int]
             ) -> dict[int, list[NotebookNode]]:
    """Extra student code cells, keyed by the solution cell index they should follow.

    `used` maps the student cells taken as answers to their solution positions.
    """
    position_of_source = {c.source.strip(): i for i, c in enumerate(solution.cells)
                          if c.cell_type == "code" and not is_exercise(c) and not is_test(c)}
    position_of_label = {(_kind(c), _label(c)): i for i, c in enumerate(solution.cells)
                         if _label(c)}
    anchors: dict[int, list[NotebookNode]] = {}
    anchor = -1
    for j, cell in enumerate(student_cells):
        known = used.get(j)
        if known is None and _label(cell):
            known = position_of_label.get((_kind(cell), _label(cell)))
        if known is None:
            known = position_of_source.get(cell.source.strip())
        if known is not None:
            anchor = known
        elif (cell.cell_type == "code" and cell.source.strip()
              and not _is_header(cell) and not is_test(cell) and grade_id(cell) is None):
            anchors.setdefault(anchor, []).append(cell)
    return anchors
