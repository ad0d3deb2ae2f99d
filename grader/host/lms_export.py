"""Grades back to the LMS: one file each LMS's own grade import takes as it is (`grader export`).

- canvas: the instructor's exported Canvas gradebook CSV is the template; only the lesson columns of
  matched students change. Canvas's importer (canvas-lms GradebookImporter) wants the header
  `Student, ID, [SIS User ID, SIS Login ID,] Section, <assignment> (<id>), ...` and skips rows that are
  not students ("Points Possible", "Manual Posting": no ID).
- blackboard: the Grade Center download (Work Offline > Download) is the template; the file written has
  `Username` and the lessons' `<name> [Total Pts: N Score] |<column id>` columns of that download.
  Comma files quote every field, as Blackboard's upload asks.
- moodle: a new CSV for Grades > Import > CSV file: one identifier column (ID number, email address or username),
  one grade column per lesson, optionally a one-line Korean feedback column per lesson.
- csv: 학번, 이름, 이메일, LMS_ID, one column per lesson, 합계, 만점 (for other LMSs and Excel).

Scores come from the lessons' result folders through `grader.host.gradebook.build` (a lesson without
a result counts 0, as in gradebook.csv). Students are matched through the roster columns 학번, 이메일
and LMS_ID; a student or LMS row that matches nothing, or several, is listed as a `Problem`, never
dropped or guessed, and its LMS cells stay as they were.
"""

from __future__ import annotations

import csv
import io
import re
import unicodedata
from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass, field
from enum import Enum
from pathlib import Path
from typing import NamedTuple

from .course import Course
from .csv_files import EXCEL_ENCODING, CsvForm, decode_text, text_encoding, write_csv
from .gradebook import Gradebook, build
from .codes import Status
from .intake.roster import Student, contains_token
from .results import Result


class LmsFormat(str, Enum):
    CANVAS = "canvas"
    MOODLE = "moodle"
    BLACKBOARD = "blackboard"
    CSV = "csv"


class ProblemKind(str, Enum):
    """Why a student, or a row of the LMS's file, got nothing from this export."""
    NOT_IN_LMS = "not_in_lms"
    ONLY_IN_LMS = "only_in_lms"
    AMBIGUOUS = "ambiguous"
    NO_IDENTIFIER = "no_identifier"
    NOT_ON_ROSTER = "not_on_roster"
    NOT_SUBMITTED = "not_submitted"
    NO_FEEDBACK_PAGE = "no_feedback_page"


PROBLEM_KO = {
    ProblemKind.NOT_IN_LMS: "LMS 파일에서 학생을 찾지 못했습니다 (student not in the LMS file)",
    ProblemKind.ONLY_IN_LMS: "명단·결과에 없는 LMS 행이라 그대로 둡니다 (LMS row matches no student, left unchanged)",
    ProblemKind.AMBIGUOUS: "여러 학생이나 행과 맞아 그대로 둡니다 (matches several, left unchanged)",
    ProblemKind.NO_IDENTIFIER: "LMS가 학생을 찾을 값이 명단에 없습니다 (no identifier for the LMS)",
    ProblemKind.NOT_ON_ROSTER: "명단에 없는 결과라 LMS에서 찾을 수 없습니다 (result not on the roster)",
    ProblemKind.NOT_SUBMITTED: "미제출이라 피드백 파일이 없습니다 (not submitted)",
    ProblemKind.NO_FEEDBACK_PAGE: "피드백 페이지가 없습니다 (feedback page missing)",
}


@dataclass(frozen=True)
class Problem:
    kind: ProblemKind
    who: str  # '학번 이름', or what identifies the LMS row
    detail: str = ""

    def __str__(self) -> str:
        return f"{PROBLEM_KO[self.kind]}: {self.who}" + (f" — {self.detail}" if self.detail else "")


class ExportError(ValueError):
    """An export that cannot be written as asked; the message is Korean with English terms."""


@dataclass(frozen=True)
class ExportOptions:
    """How `export` writes the file; every field has the default an instructor gets without options."""
    template: Path | None = None  # canvas: the exported gradebook CSV; blackboard: the Grade Center download
    columns: dict[str, str] = field(default_factory=dict)  # lesson -> LMS column header, where automatic matching fails
    percent: bool = False  # scores as % of each lesson's points instead of points
    feedback: bool = False  # moodle: a one-line Korean feedback column per lesson
    moodle_id: str = "idnumber"  # moodle: identify students by "idnumber" (학번), "email" or "username" (LMS_ID)
    encoding: str | None = None  # None: the template's (UTF-8 / UTF-16), else UTF-8 with BOM


@dataclass
class ExportReport:
    path: Path
    students: int  # students whose scores were written
    problems: list[Problem] = field(default_factory=list)
    warnings: list[str] = field(default_factory=list)  # Korean sentences
    problems_path: Path | None = None


MOODLE_IDS = {"idnumber": ("ID number", "id"), "email": ("Email address", "email"),  # Moodle field: (header,
              "username": ("Username", "lms_id")}  # the roster column it comes from)
_IDENTITY = {  # LMS column -> the roster fields (Student attributes) it may hold
    LmsFormat.CANVAS: {"ID": ("lms_id",), "SIS User ID": ("id",), "SIS Login ID": ("email", "lms_id", "id")},
    LmsFormat.BLACKBOARD: {"Username": ("lms_id", "email", "id"), "Student ID": ("id",)},
}
_KEY_COLUMN = {LmsFormat.CANVAS: "ID", LmsFormat.BLACKBOARD: "Username"}  # empty in rows that are not students
_DECORATION = re.compile(r"\s*(\(\d+\)|\[[^\]]*\])?\s*(\|\s*\S+)?\s*$")  # Canvas ' (123)', Blackboard ' [..] |12'
_BLACKBOARD_POINTS = re.compile(r"\[\s*Total Pts:\s*([0-9.]+)")


def number_text(value: float) -> str:
    """A score as LMSs read it: a decimal point, at most two decimals, no exponent ('7.5', '10', '87.33')."""
    return f"{round(value, 2):.2f}".rstrip("0").rstrip(".")


def column_option(pairs: Iterable[str]) -> dict[str, str]:
    """{lesson: LMS column} from `--column LESSON=COLUMN` values."""
    columns = {}
    for pair in pairs:
        lesson, sep, header = pair.partition("=")
        if not sep or not lesson.strip() or not header.strip():
            raise ExportError(f"--column은 LESSON=열 이름 형식이어야 합니다 (LESSON=COLUMN): {pair!r}")
        columns[lesson.strip()] = header.strip()
    return columns


def _nfc(text: str) -> str:
    return unicodedata.normalize("NFC", text).strip()


def _who(student: Student) -> str:
    return f"{student.id} {student.name}".strip()


def class_students(book: Gradebook, roster: list[Student] | None) -> list[Student]:
    """One Student per gradebook row: the roster's (with 이메일, LMS_ID) where the id is on it."""
    known = {student.id: student for student in roster or ()}
    return [known.get(row["student"]) or Student(row["student"], row["name"]) for row in book.rows]


def _score(book: Gradebook, student: str, lesson: str, percent: bool) -> float:
    result = book.results.get((student, lesson))
    points = float(result.score) if result else 0.0
    if not percent:
        return points
    possible = book.max_scores.get(lesson, 0.0)
    return 100 * points / possible if possible else 0.0


def feedback_line(result: Result | None) -> str:
    """One line of Korean feedback for an LMS comment: score, status, tests passed, exercises to revisit."""
    if result is None or result.status == Status.MISSING:
        return "미제출 (0점)"
    parts = [f"{number_text(float(result.score))}/{number_text(float(result.max_score))}점"]
    if result.status != Status.OK:
        parts.append(result.status.label)
    tests = result.tests
    if tests:
        parts.append(f"통과 {sum(t.passed for t in tests)}/{len(tests)}")
    failed = [t.label for t in tests if not t.passed]
    if failed:
        parts.append("다시 볼 연습: " + ", ".join(failed))
    return " · ".join(parts)


# ----------------------------------------------------------------------------- templates (Canvas, Blackboard)

@dataclass
class Template:
    """An LMS's own export, read so that it can be written back with only some cells changed."""
    rows: list[list[str]]  # the header first, cells as in the file
    encoding: str
    delimiter: str
    newline: str

    @property
    def header(self) -> list[str]:
        return [_nfc(cell) for cell in self.rows[0]]


def read_template(path: Path | str) -> Template:
    """An exported gradebook in whatever encoding and delimiter (comma, semicolon, tab) the LMS used."""
    data = Path(path).read_bytes()
    text = decode_text(data)
    lines = text.splitlines()
    if not lines:
        raise ExportError(f"템플릿 파일이 비어 있습니다 (empty template): {path}")
    delimiter = max(("\t", ";", ","), key=lambda d: len(next(csv.reader([lines[0]], delimiter=d))))
    rows = list(csv.reader(io.StringIO(text), delimiter=delimiter))
    return Template(rows, text_encoding(data), delimiter, "\r\n" if "\r\n" in text else "\n")


def _check_header(fmt: LmsFormat, template: Template, path: Path) -> None:
    header = template.header
    if fmt is LmsFormat.CANVAS and not (len(header) > 3 and "Student" in header[0] and "ID" in header[1]
                                        and "Section" in header):
        raise ExportError(f"Canvas 성적부 내보내기 파일이 아닙니다 (not a Canvas gradebook export): {path}; "
                          "첫 줄이 Student, ID, SIS User ID, SIS Login ID, Section, 과제 열… 이어야 합니다. "
                          f"찾은 열 (found): {', '.join(header[:6])}")
    if fmt is LmsFormat.BLACKBOARD and "Username" not in header:
        raise ExportError(f"Blackboard Grade Center 내려받기 파일이 아닙니다 (no 'Username' column): {path}; "
                          f"찾은 열 (found): {', '.join(header[:6])}")


def _names_lesson(header: str, lesson: str, title: str) -> bool:
    name = _DECORATION.sub("", header)
    return (contains_token(name, lesson) or contains_token(name, lesson.replace("_", " "))
            or bool(title) and _nfc(name) == _nfc(title))


def lesson_columns(header: list[str], lessons: list[str], course: Course | None, explicit: dict[str, str],
                   skip: set[int]) -> dict[str, int]:
    """{lesson: column index}: `explicit` headers first, else the one column naming the lesson or its title."""
    titles = {lesson.name: lesson.title for lesson in course.lessons} if course is not None else {}
    unknown = sorted(set(explicit) - set(lessons))
    if unknown:
        raise ExportError(f"--column의 레슨이 결과에 없습니다 (unknown lesson): {', '.join(unknown)}; "
                          f"결과의 레슨 (lessons): {', '.join(lessons)}")
    found = {}
    for lesson in lessons:
        if lesson in explicit:
            wanted = _nfc(explicit[lesson])
            matches = [i for i, name in enumerate(header) if name == wanted]
        else:
            matches = [i for i, name in enumerate(header)
                       if i not in skip and _names_lesson(name, lesson, titles.get(lesson, ""))]
        if len(matches) != 1:
            problem = ("열이 없습니다 (no column)" if not matches
                       else "열이 여러 개입니다 (several columns): " + ", ".join(header[i] for i in matches))
            raise ExportError(f"레슨 {lesson}: LMS 파일에 이 레슨의 {problem}. --column {lesson}=\"열 이름\"으로 "
                              f"정하세요 (choose the column). 열 (columns): {', '.join(header)}")
        found[lesson] = matches[0]
    shared = [header[i] for i in set(found.values()) if list(found.values()).count(i) > 1]
    if shared:
        raise ExportError(f"레슨 여러 개가 같은 열을 가리킵니다 (several lessons, one column): {', '.join(shared)}")
    return found


def _same(cell: str, value: str) -> bool:
    return bool(cell.strip() and value) and _nfc(cell).casefold() == _nfc(value).casefold()


class RowMatch(NamedTuple):
    """The template's student rows matched to students (see `match_rows`)."""
    matched: dict[int, Student]  # row index -> the one student it and only it matches
    problems: list[Problem]  # rows and students left out


def match_rows(fmt: LmsFormat, template: Template, students: list[Student]) -> RowMatch:
    """The template's student rows matched to `students` through the roster's identifiers."""
    header = template.header
    where = {header.index(column): fields for column, fields in _IDENTITY[fmt].items() if column in header}
    key = header.index(_KEY_COLUMN[fmt])
    candidates: dict[int, list[Student]] = {}
    problems: list[Problem] = []
    for index, row in enumerate(template.rows[1:], start=1):
        if key >= len(row) or not row[key].strip():
            continue  # "Points Possible", "Manual Posting" and other rows that are not students
        candidates[index] = [s for s in students if any(
            column < len(row) and _same(row[column], getattr(s, name))
            for column, names in where.items() for name in names)]
    claimed: dict[str, list[int]] = {}  # student id -> the rows that match them
    for index, found in candidates.items():
        for student in found:
            claimed.setdefault(student.id, []).append(index)
    matched: dict[int, Student] = {}
    for index, found in candidates.items():
        row = template.rows[index]
        label = " / ".join(f"{header[c]} {row[c]}" for c in sorted({key, *where}) if c < len(row) and row[c])
        if not found:
            problems.append(Problem(ProblemKind.ONLY_IN_LMS, label))
        elif len(found) > 1:
            problems.append(Problem(ProblemKind.AMBIGUOUS, label, ", ".join(map(_who, found))))
        elif len(claimed[found[0].id]) == 1:
            matched[index] = found[0]
    for student in students:
        rows = claimed.get(student.id, [])
        if not rows:
            problems.append(Problem(ProblemKind.NOT_IN_LMS, _who(student)))
        elif len(rows) > 1:
            problems.append(Problem(ProblemKind.AMBIGUOUS, _who(student), f"LMS 행 (rows) {rows}"))
    return RowMatch(matched, problems)


def _lms_points(fmt: LmsFormat, template: Template, column: int) -> float | None:
    """The points possible the LMS shows for a column: Blackboard's header, Canvas's "Points Possible" row."""
    if fmt is LmsFormat.BLACKBOARD:
        found = _BLACKBOARD_POINTS.search(template.header[column])
        return float(found.group(1)) if found else None
    key = template.header.index(_KEY_COLUMN[fmt])
    for row in template.rows[1:]:
        if key < len(row) and not row[key].strip() and column < len(row):
            try:
                return float(row[column])
            except ValueError:
                continue
    return None


def _points_warnings(fmt: LmsFormat, template: Template, columns: dict[str, int], book: Gradebook,
                     percent: bool) -> list[str]:
    warnings = []
    for lesson, column in columns.items():
        lms, ours = _lms_points(fmt, template, column), 100.0 if percent else book.max_scores.get(lesson, 0.0)
        if lms is not None and abs(lms - ours) > 1e-9:
            warnings.append(f"{lesson}: LMS 만점 {number_text(lms)}점과 내보내는 만점 {number_text(ours)}점이 "
                            "다릅니다 (points possible differ) — LMS 과제의 만점을 고치거나 --percent를 쓰세요")
    return warnings


def _encoding(options: ExportOptions, template: Template | None, warnings: list[str]) -> str:
    if options.encoding:
        return options.encoding
    if template is None:
        return EXCEL_ENCODING
    if template.encoding == "cp949":
        warnings.append("템플릿이 CP949라 UTF-8(BOM)으로 씁니다 (CP949 template written as UTF-8 with BOM; "
                        "CP949가 필요하면 --encoding cp949)")
        return EXCEL_ENCODING
    return template.encoding


class _Filled(NamedTuple):
    """An LMS's own export with the scores filled in (Canvas, Blackboard)."""
    template: Template
    rows: list[list[str]]  # the template's rows, scores filled in
    columns: dict[str, int]  # lesson -> column index
    report: ExportReport


class _Written(NamedTuple):
    """What one LMS format writes: the CSV's rows, how the file is written and the report."""
    rows: list[list[str]]
    form: CsvForm
    report: ExportReport


def _filled_template(fmt: LmsFormat, book: Gradebook, students: list[Student], course: Course | None,
                     options: ExportOptions) -> _Filled:
    """The template of `options` with the scores of matched students filled in."""
    if options.template is None:
        raise ExportError(f"{fmt.value}: --template에 LMS에서 내려받은 성적부 파일을 주세요 (template required: "
                          "Canvas 성적부 내보내기 CSV, Blackboard Grade Center 내려받기)")
    template = read_template(options.template)
    _check_header(fmt, template, options.template)
    header = template.header
    identity = {header.index(c) for c in (*_IDENTITY[fmt], "Student", "Section") if c in header}
    columns = lesson_columns(header, book.lessons, course, options.columns, identity)
    matched, problems = match_rows(fmt, template, students)
    rows = [list(row) for row in template.rows]
    for index, student in matched.items():
        row = rows[index]
        row.extend([""] * (len(header) - len(row)))
        for lesson, column in columns.items():
            row[column] = number_text(_score(book, student.id, lesson, options.percent))
    report = ExportReport(Path(), len(matched), problems, _points_warnings(fmt, template, columns, book,
                                                                           options.percent))
    return _Filled(template, rows, columns, report)


def _canvas(book: Gradebook, students: list[Student], course: Course | None, options: ExportOptions) -> _Written:
    template, rows, _, report = _filled_template(LmsFormat.CANVAS, book, students, course, options)
    form: CsvForm = {"encoding": _encoding(options, template, report.warnings), "delimiter": template.delimiter,
                     "newline": template.newline}
    return _Written(rows, form, report)


def _blackboard(book: Gradebook, students: list[Student], course: Course | None, options: ExportOptions
                ) -> _Written:
    template, rows, columns, report = _filled_template(LmsFormat.BLACKBOARD, book, students, course, options)
    keep = [template.header.index("Username"), *columns.values()]
    username = keep[0]
    picked = [rows[0]] + [row for row in rows[1:] if username < len(row) and row[username].strip()]
    form: CsvForm = {"encoding": _encoding(options, template, report.warnings), "delimiter": template.delimiter,
                     "newline": template.newline,
                     "quoting": csv.QUOTE_ALL if template.delimiter == "," else csv.QUOTE_MINIMAL}
    return _Written([[row[i] if i < len(row) else "" for i in keep] for row in picked], form, report)


def _moodle(book: Gradebook, students: list[Student], course: Course | None, options: ExportOptions) -> _Written:
    id_header, field_name = MOODLE_IDS[options.moodle_id]
    names = [options.columns.get(lesson, lesson) for lesson in book.lessons]
    header = [id_header, "이름", *names, *([f"{name} 피드백" for name in names] if options.feedback else [])]
    problems: list[Problem] = []
    by_value: dict[str, list[tuple[str, Student]]] = {}  # casefolded identifier -> (identifier, student)
    for student in students:
        value = _nfc(getattr(student, field_name))
        if not value:
            problems.append(Problem(ProblemKind.NO_IDENTIFIER, _who(student), f"{id_header} 없음 (empty)"))
        else:
            by_value.setdefault(value.casefold(), []).append((value, student))
    rows = [header]
    for found in by_value.values():
        if len(found) > 1:  # Moodle would give both rows to one user
            problems += [Problem(ProblemKind.AMBIGUOUS, _who(s), f"같은 {id_header} (same identifier) {v}")
                         for v, s in found]
            continue
        value, student = found[0]
        row = [value, student.name]
        row += [number_text(_score(book, student.id, lesson, options.percent)) for lesson in book.lessons]
        if options.feedback:
            row += [feedback_line(book.results.get((student.id, lesson))) for lesson in book.lessons]
        rows.append(row)
    return _Written(rows, {"encoding": options.encoding or EXCEL_ENCODING},
                    ExportReport(Path(), len(rows) - 1, problems))


def _plain(book: Gradebook, students: list[Student], course: Course | None, options: ExportOptions) -> _Written:
    possible = sum(book.max_scores.values())
    rows = [["학번", "이름", "이메일", "LMS_ID", *book.lessons, "합계", "만점"]]
    for student in students:
        total = sum(_score(book, student.id, lesson, False) for lesson in book.lessons)
        if options.percent:
            total = 100 * total / possible if possible else 0.0
        scores = [_score(book, student.id, lesson, options.percent) for lesson in book.lessons]
        rows.append([student.id, student.name, student.email, student.lms_id, *map(number_text, scores),
                     number_text(total), number_text(100.0 if options.percent else possible)])
    return _Written(rows, {"encoding": options.encoding or EXCEL_ENCODING}, ExportReport(Path(), len(rows) - 1))


_WRITERS: dict[LmsFormat, Callable[[Gradebook, list[Student], Course | None, ExportOptions], _Written]] = {
    LmsFormat.CANVAS: _canvas, LmsFormat.BLACKBOARD: _blackboard, LmsFormat.MOODLE: _moodle, LmsFormat.CSV: _plain}


def write_problems(problems: list[Problem], out: Path) -> Path:
    """`<out>_unmatched.csv` next to `out` (UTF-8 with BOM): kind, who, reason of every student or row left out."""
    rows = [["kind", "who", "reason"]] + [[p.kind.value, p.who, str(p)] for p in problems]
    return write_csv(out.with_name(f"{out.stem}_unmatched.csv"), rows)


def export(fmt: LmsFormat | str, result_dirs: Sequence[Path | str], out: Path | str,
           roster: list[Student] | None = None, course: Course | None = None,
           options: ExportOptions = ExportOptions()) -> ExportReport:
    """Write the grades of `result_dirs` to `out` in the format of `fmt`'s grade import; see the module doc."""
    book = build(result_dirs, course, roster)
    if not book.lessons:
        raise ExportError("결과 폴더에 학생 결과가 없습니다 (no results in the result folders): "
                          + ", ".join(map(str, result_dirs)))
    students, strangers = class_students(book, roster), []
    if roster is not None and LmsFormat(fmt) is LmsFormat.MOODLE:
        # Moodle has no file of its own to match against, and one identifier it does not know aborts the whole
        # import (grade/import/csv load_data.php): results not on the roster are listed, not written.
        on_roster = {student.id for student in roster}
        strangers = [Problem(ProblemKind.NOT_ON_ROSTER, _who(s)) for s in students if s.id not in on_roster]
        students = [s for s in students if s.id in on_roster]
    rows, form, report = _WRITERS[LmsFormat(fmt)](book, students, course, options)
    report.problems = strangers + report.problems
    out = Path(out)
    out.parent.mkdir(parents=True, exist_ok=True)
    report.path = write_csv(out, rows, **form)
    report.warnings = book.warnings + report.warnings
    report.problems_path = write_problems(report.problems, out)
    return report
