"""Score an executed notebook: a test passes when the run's audit hook signed a passing verdict for it.

The kernel's own error outputs are only text for the feedback: code in the student's kernel could suppress or
forge them, not the signed verdicts (grader.host.verdicts).
"""

from __future__ import annotations

import re
from collections.abc import Mapping
from typing import TYPE_CHECKING, Any

from nbformat import NotebookNode

from .codes import Status
from .notebook import grade_id, is_exercise, is_test, label_of, points
from .results import TestResult
from .verdicts import RunReport, Verdict

if TYPE_CHECKING:
    from .execute import Execution, Limits
    from .match import Assembly


def title(cell: NotebookNode) -> str:
    """The text after the marker on a cell's first line: '# [검사 1-2] 제목' -> '제목'."""
    first = cell.source.strip().splitlines()[0] if cell.source.strip() else ""
    return re.sub(r"^#\s*\[[^\]]*\]\s*", "", first)


def failed_tests(solution: NotebookNode, message: str) -> list[TestResult]:
    """Every test of the lesson failed with the same message, for submissions that could not run."""
    return [TestResult(cell.metadata["nbgrader"]["grade_id"], label_of(cell), title(cell), 0.0, points(cell),
                       False, message)
            for cell in solution.cells if is_test(cell)]


QUOTE_CHARS = 300  # of an error message the student's code raised


def explain(error_output: Mapping[str, Any], limits: Limits) -> str:
    """A Korean sentence for an error output of a cell."""
    name, value = str(error_output.get("ename", ""))[:100], str(error_output.get("evalue", ""))
    if name == "AssertionError":
        return value or "검사(assert)를 통과하지 못했습니다."
    if name == "NameError":
        missing = re.search(r"'(.+?)'", value)
        return (f"변수 `{missing[1] if missing else value}`가 정의되지 않았습니다. 연습 셀에서 이 이름으로 "
                "답을 만들었는지, 연습 셀이 오류 없이 실행되는지 확인하세요.")
    if name == "NotImplementedError":
        return "아직 답을 작성하지 않았습니다 (NotImplementedError)."
    if name == "KeyboardInterrupt":
        return f"셀 실행 시간 제한({limits.cell_timeout}초)을 넘어 중단되었습니다."
    if name == "MemoryError":
        return f"메모리 제한({limits.memory_mb} MB)을 넘었습니다."
    if len(value) > QUOTE_CHARS:
        value = value[:QUOTE_CHARS] + " …(잘림)"
    return f"실행 중 오류가 났습니다: {name}: {value}"


def _errors(cell: NotebookNode) -> list[NotebookNode]:
    return [o for o in cell.get("outputs", []) if o.get("output_type") == "error"]


def _failure(cell: NotebookNode, verdict: Verdict | None, limits: Limits) -> str:
    """The Korean message of a failed test: the signed verdict's, else the cell's error output."""
    errors = _errors(cell)
    if verdict is not None:
        message = verdict.message
        shown = str(errors[0].get("evalue", "")) if errors else ""
        if message.endswith("…") and shown.startswith(message[:-1]):  # the signed record holds 900 characters
            message = shown
        return explain({"ename": verdict.error, "evalue": message}, limits)
    if errors and errors[0].get("ename") in ("KeyboardInterrupt", "MemoryError"):
        return explain(errors[0], limits)
    return "검사 결과를 받지 못했습니다 (no verdict from the test)."


def score(executed: NotebookNode, assembly: Assembly, execution: Execution, limits: Limits,
          run: RunReport) -> list[TestResult]:
    """Per-test results of an executed graded notebook; `run`: the run's RunReport (grader.host.verdicts)."""
    labels = {slot.grade_id: slot.label for slot in assembly.slots.values()}
    exercise_errors: dict[str | None, str] = {}
    for cell in executed.cells:
        if is_exercise(cell) and _errors(cell):  # the student's answer may have lost its marker line
            exercise_errors[labels[grade_id(cell)]] = explain(_errors(cell)[0], limits)
    results = []
    for index, cell in enumerate(executed.cells):
        if not is_test(cell):
            continue
        label = label_of(cell)
        verdict = run.verdicts.get(index)
        ran = cell.get("execution_count") is not None or bool(cell.get("outputs")) or verdict is not None
        passed = verdict is not None and verdict.passed
        message = ""
        if not ran:
            message = "실행되지 않았습니다: " + (execution.detail or execution.status)
        elif not passed:
            message = _failure(cell, verdict, limits)
            slot = assembly.slots.get(label)
            if slot is not None and slot.found_by == "missing":
                message = slot.notes[0] + "\n" + message
            elif label in exercise_errors:
                message = f"연습 셀에서 먼저 오류가 났습니다: {exercise_errors[label]}\n{message}"
        max_points = points(cell)
        results.append(TestResult(cell.metadata["nbgrader"]["grade_id"], label, title(cell),
                                  max_points if passed else 0.0, max_points, passed, message))
    return results


def match_notes(assembly: Assembly) -> list[str]:
    """Korean notes on how the student's answers were found."""
    by_marker = [slot.label for slot in assembly.slots.values() if slot.found_by == "marker" and slot.label]
    notes = [note for slot in assembly.slots.values() for note in slot.notes] + assembly.notes
    if by_marker:
        notes.insert(0, "nbgrader 메타데이터(grade_id)가 없어 첫 줄 표식으로 찾은 연습: "
                     + ", ".join(by_marker))
    return notes


def status_reason(execution: Execution) -> str:
    """The Korean reason column for an execution that did not end normally."""
    if execution.status == Status.OK:
        return ""
    if execution.status == Status.TIMEOUT:
        return execution.detail
    return f"{Status.CRASHED.reason}: {execution.detail}"
