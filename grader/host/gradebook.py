"""Course gradebook: every lesson's results in one table (student × lesson), for the LMS.

Reads the per-student JSON results that `grader grade` (or `grader merge`) wrote into each result
folder, through grader.host.results.read_results, and writes gradebook.csv (UTF-8 with BOM, for Excel):
student, name, one score column per lesson (course.toml order), total, max_total, missing
(미제출: status `missing`, or no result at all for a lesson), notes (other problem statuses).
"""

from dataclasses import dataclass, field
from pathlib import Path

from .csv_files import write_csv
from .results import read_results

COLUMNS_BEFORE = ["student", "name"]
COLUMNS_AFTER = ["total", "max_total", "missing", "notes"]
MISSING = "missing"


@dataclass
class Gradebook:
    lessons: list  # lesson names, in course order
    rows: list  # one dict per student, keys COLUMNS_BEFORE + lessons + COLUMNS_AFTER
    warnings: list = field(default_factory=list)  # Korean sentences for the console
    path: Path | None = None
    max_scores: dict = field(default_factory=dict)  # lesson -> points possible
    results: dict = field(default_factory=dict)  # (student, lesson) -> the result dict that was counted


def _number(value):
    return f"{float(value):g}"


def _collect(result_dirs):
    """{(student, lesson): result}; a real result wins over a `missing` one, a later folder over an earlier."""
    table, warnings = {}, []
    for folder in result_dirs:
        results = read_results(folder)
        if not results:
            warnings.append(f"{folder}: 학생 결과(JSON)가 없습니다 (no results in this folder)")
        for result in results:
            key = (result["student"], result["lesson"])
            earlier = table.get(key)
            if earlier is not None and result.get("status") == MISSING and earlier.get("status") != MISSING:
                continue
            if earlier is not None and earlier.get("status") != MISSING:
                warnings.append(f"{key[0]} / {key[1]}: 결과가 여러 폴더에 있어 {folder}의 것을 씁니다 "
                                "(duplicate result, the later folder wins)")
            table[key] = result
    return table, warnings


def _lesson_order(found, course):
    known = [lesson.name for lesson in course.lessons] if course is not None else []
    return [name for name in known if name in found] + sorted(found - set(known))


def build(result_dirs, course=None, roster=None):
    """The Gradebook of `result_dirs`; `roster` (intake.roster.read_roster) adds names and absent students."""
    table, warnings = _collect(result_dirs)
    lessons = _lesson_order({lesson for _, lesson in table}, course)
    names = {s.id: s.name for s in roster or ()}
    students = sorted({student for student, _ in table} | set(names))
    max_of = {lesson: max(float(r.get("max_score", 0)) for (_, name), r in table.items() if name == lesson)
              for lesson in lessons}
    rows = []
    for student in students:
        row = {"student": student, "name": names.get(student, "")}
        total, missing, notes = 0.0, 0, []
        for lesson in lessons:
            result = table.get((student, lesson), {"status": MISSING, "score": 0})
            row["name"] = row["name"] or result.get("name", "")
            row[lesson] = _number(result["score"])
            total += float(result["score"])
            missing += result.get("status") == MISSING
            if result.get("status") not in ("ok", MISSING):
                notes.append(f"{lesson}: {result.get('status')}")
        row.update(total=_number(total), max_total=_number(sum(max_of.values())), missing=missing,
                   notes="; ".join(notes))
        rows.append(row)
    return Gradebook(lessons, rows, warnings, max_scores=max_of, results=table)


def gradebook(result_dirs, out, course=None, roster=None):
    """Write OUT/gradebook.csv (UTF-8 with BOM) for all lessons' result folders; returns the Gradebook."""
    book = build(result_dirs, course, roster)
    columns = COLUMNS_BEFORE + book.lessons + COLUMNS_AFTER
    out = Path(out)
    out.mkdir(parents=True, exist_ok=True)
    book.path = write_csv(out / "gradebook.csv", [columns, *([row[c] for c in columns] for row in book.rows)])
    return book
