"""Course gradebook: every lesson's results in one table (student × lesson), for the LMS.

Reads the per-student JSON results that `grader grade` (or `grader merge`) wrote into each result
folder, through grader.host.results.read_results, and writes gradebook.csv (UTF-8 with BOM, for Excel):
student, name, one score column per lesson (course.toml order), total, max_total, missing
(미제출: status `missing`, or no result at all for a lesson), notes (other problem statuses). Host side.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING

from .codes import Status
from .csv_files import write_csv
from .results import Result, read_results

if TYPE_CHECKING:
    from .course import Course
    from .intake.roster import Student

COLUMNS_BEFORE = ["student", "name"]
COLUMNS_AFTER = ["total", "max_total", "missing", "notes"]


@dataclass
class Gradebook:
    lessons: list[str]  # lesson names, in course order
    rows: list[dict[str, str]]  # one dict per student, keys COLUMNS_BEFORE + lessons + COLUMNS_AFTER
    warnings: list[str] = field(default_factory=list)  # Korean sentences for the console
    path: Path | None = None
    max_scores: dict[str, float] = field(default_factory=dict)  # lesson -> points possible
    results: dict[tuple[str, str], Result] = field(default_factory=dict)  # (student, lesson) -> the counted result


def _number(value: float) -> str:
    return f"{float(value):g}"


def _collect(result_dirs: Iterable[str | Path]) -> tuple[dict[tuple[str, str], Result], list[str]]:
    """{(student, lesson): result}; a real result wins over a `missing` one, a later folder over an earlier."""
    table: dict[tuple[str, str], Result] = {}
    warnings = []
    for folder in result_dirs:
        results = read_results(folder)
        if not results:
            warnings.append(f"{folder}: 학생 결과(JSON)가 없습니다 (no results in this folder)")
        for result in results:
            key = (result.student, result.lesson)
            earlier = table.get(key)
            if earlier is not None and result.status == Status.MISSING and earlier.status != Status.MISSING:
                continue
            if earlier is not None and earlier.status != Status.MISSING:
                warnings.append(f"{key[0]} / {key[1]}: 결과가 여러 폴더에 있어 {folder}의 것을 씁니다 "
                                "(duplicate result, the later folder wins)")
            table[key] = result
    return table, warnings


def _lesson_order(found: set[str], course: Course | None) -> list[str]:
    known = [lesson.name for lesson in course.lessons] if course is not None else []
    return [name for name in known if name in found] + sorted(found - set(known))


def build(result_dirs: Iterable[str | Path], course: Course | None = None,
          roster: list[Student] | None = None) -> Gradebook:
    """The Gradebook of `result_dirs`; `roster` (intake.roster.read_roster) adds names and absent students."""
    table, warnings = _collect(result_dirs)
    lessons = _lesson_order({lesson for _, lesson in table}, course)
    names = {s.id: s.name for s in roster or ()}
    students = sorted({student for student, _ in table} | set(names))
    max_of = {lesson: max(float(r.max_score) for (_, name), r in table.items() if name == lesson)
              for lesson in lessons}
    rows = []
    for student in students:
        row = {"student": student, "name": names.get(student, "")}
        total, missing, notes = 0.0, 0, []
        for lesson in lessons:
            result = table.get((student, lesson))
            score = float(result.score) if result else 0.0
            status = result.status if result else Status.MISSING
            row["name"] = row["name"] or (result.name if result else "")
            row[lesson] = _number(score)
            total += score
            missing += status == Status.MISSING
            if status not in (Status.OK, Status.MISSING):
                notes.append(f"{lesson}: {status}")
        row.update(total=_number(total), max_total=_number(sum(max_of.values())), missing=str(missing),
                   notes="; ".join(notes))
        rows.append(row)
    return Gradebook(lessons, rows, warnings, max_scores=max_of, results=table)


def gradebook(result_dirs: Iterable[str | Path], out: str | Path, course: Course | None = None,
              roster: list[Student] | None = None) -> Gradebook:
    """Write OUT/gradebook.csv (UTF-8 with BOM) for all lessons' result folders; returns the Gradebook."""
    book = build(result_dirs, course, roster)
    columns = COLUMNS_BEFORE + book.lessons + COLUMNS_AFTER
    out = Path(out)
    out.mkdir(parents=True, exist_ok=True)
    book.path = write_csv(out / "gradebook.csv", [columns, *([row[c] for c in columns] for row in book.rows)])
    return book
