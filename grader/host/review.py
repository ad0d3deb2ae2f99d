"""Review flags for the instructor, from what the run's code did (the audit hook's evidence), not how it looks.

Each flag names what happened, with the English term, where (the exercise's answer cell, a cell the student
added, a test while it ran) and the evidence itself: "연습 1-2: grader 내부 모듈 import (imported grader
internals) — grader.hidden.answers.lesson01". Text patterns of the student's code (grader.host.suspicious) are
added after them, marked as hints.
"""

from .notebook import is_test, marker
from .verdicts import Evidence

LABELS = {
    "file": "채점 입력·채점 코드 파일 열기 (opened the run's inputs or grader files)",
    "import": "grader 내부 모듈 import (imported grader internals)",
    "compile": "문자열을 코드로 실행 (compiled code from text)",
    "patched": "라이브러리 함수 교체 (replaced library functions)",
    "network": "네트워크 사용 시도 (network access)",
    "thread": "검사 중 학생 스레드 실행 (student threads running during a test)",
    "tampered": "채점 코드 흉내 (imitated the grader's code)",
    "forged": "위조된 채점 기록 (forged grading records)",
    "late_verdict": "제 검사 밖에서 온 결과 (verdict outside its test)",
    "missing_verdict": "검사 결과 없음 (a test that ran reported no verdict)",
    "not_installed": "채점 준비 셀이 끝나지 않음 (the run's audit hook was never installed)",
}
REFUSED = {
    "process": "프로세스·신호 차단 (process or signal blocked)",
    "ctypes": "ctypes 차단 (ctypes blocked)",
    "introspection": "gc·추적·스레드 프레임 접근 차단 (introspection or tracing blocked)",
    "frames": "검사 중 프레임 접근 차단 (frame access during a test blocked)",
    "patch": "라이브러리 속성 교체 차단 (library patch blocked)",
    "memory": "프로세스 메모리 읽기 차단 (reading process memory blocked)",
    "audit": "감사 훅 추가 차단 (audit hook blocked)",
    "compile": "예약된 이름으로 코드 컴파일 차단 (compile under a reserved name blocked)",
}
MAX_FLAGS = 12
DETAIL_CHARS = 120


def where(executed, index):
    """Which cell `index` of the executed graded notebook is, in the instructor's words."""
    if not 0 <= index < len(executed.cells):
        return "실행 전체 (whole run)"
    cell = executed.cells[index]
    role = cell.get("metadata", {}).get("grader", {})
    if role.get("role") == "answer":
        return f"연습 {role.get('label')} 답 셀"
    if role.get("role") == "extra":
        return f"학생이 추가한 셀 ({index}번째 셀)"
    if is_test(cell):
        return f"검사 {marker(cell)[1] if marker(cell) else '?'} 실행 중"
    return f"주어진 셀 ({index}번째 셀)"


def _detail(item):
    parts = item.detail[1:] if item.kind == "refused" else item.detail
    text = ", ".join(str(part) for part in parts if part is not None and type(part) is not bool and part != "")
    if item.kind == "compile" and len(item.detail) > 1 and item.detail[1] is True:
        text += " — 파일을 읽은 뒤 (after reading a file)"
    return text if len(text) <= DETAIL_CHARS else text[:DETAIL_CHARS] + "…"


def _label(item):
    if item.kind == "refused":
        return REFUSED.get(str(item.detail[0]) if item.detail else "", "차단됨 (blocked)")
    return LABELS.get(item.kind, f"기타 증거 (evidence: {item.kind})")


def evidence_flags(report, executed, status):
    """One flag per kind of evidence and cell (up to three details), cells with the very same evidence merged."""
    items = list(report.evidence)
    if status == "ok" and not report.installed:
        items.append(Evidence(0, "not_installed"))
    ran_tests = [i for i, c in enumerate(executed.cells) if is_test(c) and c.get("execution_count") is not None]
    items += [Evidence(i, "missing_verdict") for i in ran_tests
              if i not in report.verdicts and status == "ok" and not _interrupted(executed.cells[i])]
    details = {}  # (label, cell) -> the details seen there, in order
    for item in items:
        details.setdefault((_label(item), item.cell), []).append(_detail(item))
    places = {}  # (label, details) -> the cells where exactly that happened
    for (label, cell), seen in details.items():
        distinct = list(dict.fromkeys(detail for detail in seen if detail))
        text = ", ".join(distinct[:3]) + (f" 외 {len(distinct) - 3}개 ({len(distinct) - 3} more)"
                                          if len(distinct) > 3 else "")
        places.setdefault((label, text), []).append(cell)
    flags = []
    for (label, text), cells in places.items():
        again = f" (외 {len(cells) - 1}곳, {len(cells) - 1} more)" if len(cells) > 1 else ""
        flags.append(f"{where(executed, cells[0])}{again}: {label}" + (f" — {text}" if text else ""))
    return flags[:MAX_FLAGS] + ([f"… 외 {len(flags) - MAX_FLAGS}건 (more)"] if len(flags) > MAX_FLAGS else [])


def _interrupted(cell):
    return any(o.get("ename") in ("KeyboardInterrupt", "MemoryError") for o in cell.get("outputs", [])
               if o.get("output_type") == "error")


def hint_flags(hints):
    """The text-pattern labels of grader.host.suspicious, marked as hints."""
    return [f"힌트(코드 모양, text pattern): {hint}" for hint in hints]
