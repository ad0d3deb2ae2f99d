"""Review flags for the instructor, from what the run's code did (the audit hook's evidence), not how it looks.

Host side. Each flag has a code (grader.host.codes.ReviewCode) and a line that names what happened, where (the
exercise's answer cell, a cell the student added, a test while it ran) and the evidence itself: "연습 1-2 답 셀
(answer cell): grader 내부 모듈 import (imported grader internals) — grader.hidden.answers.lesson01". Text
patterns of the student's code (grader.host.suspicious) are added after them, marked as hints.
"""

from __future__ import annotations

from typing import Any

from nbformat import NotebookNode

from .codes import ReviewCode, Status
from .notebook import is_test, marker
from .results import Flag
from .verdicts import Evidence, RunReport

EVIDENCE = {  # the audit hook's kinds of evidence (grader.run.hook) and the host's own
    "file": ReviewCode.FILE,
    "import": ReviewCode.IMPORT,
    "compile": ReviewCode.COMPILE,
    "patched": ReviewCode.PATCHED,
    "network": ReviewCode.NETWORK,
    "thread": ReviewCode.THREAD,
    "tampered": ReviewCode.TAMPERED,
    "forged": ReviewCode.FORGED,
    "late_verdict": ReviewCode.LATE_VERDICT,
    "missing_verdict": ReviewCode.MISSING_VERDICT,
    "not_installed": ReviewCode.NOT_INSTALLED,
}
REFUSED = {  # what the audit hook refused: the first detail of a "refused" record
    "process": ReviewCode.BLOCKED_PROCESS,
    "ctypes": ReviewCode.BLOCKED_CTYPES,
    "introspection": ReviewCode.BLOCKED_INTROSPECTION,
    "frames": ReviewCode.BLOCKED_FRAMES,
    "patch": ReviewCode.BLOCKED_PATCH,
    "memory": ReviewCode.BLOCKED_MEMORY,
    "audit": ReviewCode.BLOCKED_AUDIT,
    "compile": ReviewCode.BLOCKED_COMPILE,
}
MAX_FLAGS = 12
DETAIL_CHARS = 120


def where(executed: NotebookNode, index: int) -> str:
    """Which cell `index` of the executed graded notebook is, in the instructor's words."""
    if not 0 <= index < len(executed.cells):
        return "실행 전체 (whole run)"
    cell = executed.cells[index]
    role = cell.get("metadata", {}).get("grader", {})
    if role.get("role") == "answer":
        return f"연습 {role.get('label')} 답 셀 (answer cell)"
    if role.get("role") == "extra":
        return f"학생이 추가한 셀 ({index}번째 셀, added cell)"
    mark = marker(cell)
    if is_test(cell):
        return f"검사 {mark.label if mark else '?'} 실행 중 (during the test)"
    return f"주어진 셀 ({index}번째 셀, given cell)"


def _detail(item: Evidence) -> str:
    parts: tuple[Any, ...] = item.detail[1:] if item.kind == "refused" else item.detail
    if item.kind not in EVIDENCE and item.kind != "refused":
        parts = (item.kind, *parts)
    text = ", ".join(str(part) for part in parts if part is not None and type(part) is not bool and part != "")
    if item.kind == "compile" and len(item.detail) > 1 and item.detail[1] is True:
        text += " — 파일을 읽은 뒤 (after reading a file)"
    return text if len(text) <= DETAIL_CHARS else text[:DETAIL_CHARS] + "…"


def _code(item: Evidence) -> ReviewCode:
    if item.kind == "refused":
        return REFUSED.get(str(item.detail[0]) if item.detail else "", ReviewCode.BLOCKED)
    return EVIDENCE.get(item.kind, ReviewCode.OTHER_EVIDENCE)


def evidence_flags(report: RunReport, executed: NotebookNode, status: Status) -> list[Flag]:
    """One flag per kind of evidence and cell (up to three details), cells with the very same evidence merged."""
    items = list(report.evidence)
    if status == Status.OK and not report.installed:
        items.append(Evidence(0, "not_installed"))
    ran_tests = [i for i, c in enumerate(executed.cells) if is_test(c) and c.get("execution_count") is not None]
    items += [Evidence(i, "missing_verdict") for i in ran_tests
              if i not in report.verdicts and status == Status.OK and not _interrupted(executed.cells[i])]
    details: dict[tuple[ReviewCode, int], list[str]] = {}  # (code, cell) -> the details seen there, in order
    for item in items:
        details.setdefault((_code(item), item.cell), []).append(_detail(item))
    places: dict[tuple[ReviewCode, str], list[int]] = {}  # (code, details) -> the cells where exactly that happened
    for (code, cell), seen in details.items():
        distinct = list(dict.fromkeys(detail for detail in seen if detail))
        text = ", ".join(distinct[:3]) + (f" 외 {len(distinct) - 3}개 ({len(distinct) - 3} more)"
                                          if len(distinct) > 3 else "")
        places.setdefault((code, text), []).append(cell)
    flags = []
    for (code, text), cells in places.items():
        again = f" (외 {len(cells) - 1}곳, {len(cells) - 1} more)" if len(cells) > 1 else ""
        flags.append(Flag(code, f"{where(executed, cells[0])}{again}: {code.text}" + (f" — {text}" if text else "")))
    if len(flags) > MAX_FLAGS:
        more = ReviewCode.MORE
        return flags[:MAX_FLAGS] + [Flag(more, f"… {more.text}: {len(flags) - MAX_FLAGS}건")]
    return flags


def _interrupted(cell: NotebookNode) -> bool:
    return any(o.get("ename") in ("KeyboardInterrupt", "MemoryError") for o in cell.get("outputs", [])
               if o.get("output_type") == "error")


def hint_flags(hints: list[ReviewCode]) -> list[Flag]:
    """The text-pattern hints of grader.host.suspicious as flags, marked as hints."""
    return [Flag(hint, f"힌트(코드 모양, text pattern): {hint.text}") for hint in hints]
