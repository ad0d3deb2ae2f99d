"""Grading outputs: grades.csv (UTF-8 with BOM), one JSON and one Korean HTML page per student.

Every write is atomic (temporary file + rename), and grades.csv is rebuilt from all JSON
results in the folder, so results from earlier runs are never lost. Host side: runs in the instructor's process.
"""

from __future__ import annotations

import csv
import html
import io
import os
from collections.abc import Sequence
from pathlib import Path

import nbformat

from .results import Result

CSV_COLUMNS = ["student", "name", "lesson", "score", "max_score", "status", "reason", "review", "file", "sandbox",
               "sha256"]


def write_atomic(path: str | Path, text: str, encoding: str = "utf-8") -> None:
    """Write `text` to `path` atomically (temporary file + rename)."""
    path = Path(path)
    temporary = path.with_name(f".{path.name}.tmp")
    temporary.write_text(text, encoding=encoding)
    os.replace(temporary, path)


def write_notebook(nb: nbformat.NotebookNode, path: Path) -> None:
    path.parent.mkdir(parents=True, exist_ok=True)
    write_atomic(path, nbformat.writes(nb))


def write_student(result: Result, out: Path) -> None:
    write_atomic(Path(out) / f"{result.student}.json", result.to_json())
    write_atomic(Path(out) / f"{result.student}.html", feedback_html(result))


def _number(value: float) -> str:
    return f"{value:g}"


def write_grades(rows: Sequence[Result], out: str | Path) -> int:
    """grades.csv in `out` from `rows` (every result of the folder, as `read_results` gives them), by student."""
    buffer = io.StringIO()
    writer = csv.DictWriter(buffer, CSV_COLUMNS, extrasaction="ignore", lineterminator="\r\n")
    writer.writeheader()
    for result in sorted(rows, key=lambda r: r.student):
        writer.writerow({**result.to_dict(), "score": _number(result.score),
                         "max_score": _number(result.max_score), "review": "; ".join(result.review)})
    write_atomic(Path(out) / "grades.csv", buffer.getvalue(), encoding="utf-8-sig")
    return len(rows)


_STYLE = """
body{font-family:'Noto Sans KR','Malgun Gothic','Apple SD Gothic Neo',sans-serif;max-width:860px;
margin:2em auto;padding:0 1em;color:#222;line-height:1.6}
h1{font-size:1.5em}.score{font-size:2em;font-weight:bold}
table{border-collapse:collapse;width:100%}td,th{border-bottom:1px solid #ddd;padding:.5em;
vertical-align:top;text-align:left}.ok{color:#1a7f37}.fail{color:#cf222e}
pre{white-space:pre-wrap;background:#f6f8fa;padding:.6em;border-radius:4px;margin:.3em 0}
.notes li{margin:.3em 0}
"""


def feedback_html(result: Result) -> str:
    """A Korean feedback page: score, each test passed or failed with its message and hint."""
    e = html.escape
    rows = []
    for test in result.tests:
        mark = '<span class="ok">✅ 통과</span>' if test.passed else '<span class="fail">❌ 실패</span>'
        message = f"<pre>{e(test.message)}</pre>" if test.message else ""
        rows.append(f"<tr><td>연습 {e(test.label)}</td><td>{e(test.title)}{message}</td>"
                    f"<td>{mark}</td><td>{_number(test.points)} / "
                    f"{_number(test.max_points)}</td></tr>")
    notes = "".join(f"<li>{e(note)}</li>" for note in result.notes)
    reason = f"<p><strong>상태:</strong> {e(result.reason)}</p>" if result.reason else ""
    return f"""<!DOCTYPE html>
<html lang="ko"><head><meta charset="utf-8"><title>{e(result.student)} — {e(result.lesson)}</title>
<style>{_STYLE}</style></head><body>
<h1>채점 결과: {e(result.lesson)}</h1>
<p>학생: <strong>{e(result.student)}</strong> · 제출 파일: {e(result.file)} · 상태: {e(result.status.label)}</p>
<p class="score">{_number(result.score)} / {_number(result.max_score)}점</p>
{reason}
<table><tr><th>연습</th><th>내용과 피드백</th><th>결과</th><th>점수</th></tr>
{''.join(rows)}</table>
{'<h2>채점 메모</h2><ul class="notes">' + notes + '</ul>' if notes else ''}
<p><small>실패한 검사의 메시지에는 기대한 값, 실제 값, 힌트가 있습니다. 노트북에서 고친 뒤 검사 셀을 다시
실행해 확인하세요.</small></p>
</body></html>
"""
