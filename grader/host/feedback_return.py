"""Feedback pages back to the LMS: one zip (or folder) of every student's page (`grader return`).

- moodle: `<full name>_<participant id>_assignsubmission_file_/<lesson>_feedback.html`, the folder names of
  Moodle's "Download all submissions". "Upload multiple feedback files in a zip" gives each file to the
  participant whose id is the second `_` part of a folder name (mod/assign/feedback/file/importziplib.php);
  the participant id is the roster's LMS_ID. Moodle splits at `_`, so names keep none.
- canvas, blackboard, csv: `<학번>/<lesson>_feedback.html` and `feedback_files.csv` (학번, 이름, 이메일,
  LMS_ID, 파일), for attaching pages by hand or with an LMS's API.

Pages are the `<student>.html` files `grader grade` wrote; students who handed in nothing get no file.
"""

from __future__ import annotations

import os
import re
import zipfile
from dataclasses import dataclass, field
from pathlib import Path
from typing import NamedTuple

from .csv_files import encode_csv
from .intake.names import UNSAFE_CHARACTERS
from .intake.roster import Student
from .lms_export import ExportError, LmsFormat, Problem, ProblemKind, write_problems
from .codes import Status
from .results import read_results

MAPPING_NAME = "feedback_files.csv"


@dataclass
class ReturnReport:
    path: Path
    pages: int  # feedback pages written
    problems: list[Problem] = field(default_factory=list)
    problems_path: Path | None = None


def moodle_folder(student: Student) -> str:
    """The participant folder Moodle's bulk download names and its feedback zip import matches."""
    name = re.sub(r"\s+", " ", UNSAFE_CHARACTERS.sub(" ", student.name).replace("_", " ")).strip()
    return f"{name or 'student'}_{student.lms_id}_assignsubmission_file_"


class _Page(NamedTuple):
    """One feedback page to return."""
    path: str  # in the archive
    data: bytes
    student: Student


def _pages(fmt: LmsFormat, folder: Path, roster: list[Student] | None) -> tuple[list[_Page], list[Problem]]:
    """The page of every result in `folder` that has one to return, and the students left out."""
    known = {student.id: student for student in roster or ()}
    files: list[_Page] = []
    problems: list[Problem] = []
    used: set[str] = set()
    for result in read_results(folder):
        student = known.get(result.student) or Student(result.student, result.name)
        who = f"{student.id} {student.name}".strip()
        page = folder / f"{result.student}.html"
        if result.status == Status.MISSING:
            problems.append(Problem(ProblemKind.NOT_SUBMITTED, who))
            continue
        if not page.is_file():
            problems.append(Problem(ProblemKind.NO_FEEDBACK_PAGE, who, str(page)))
            continue
        if fmt is LmsFormat.MOODLE and not student.lms_id.isdigit():
            problems.append(Problem(ProblemKind.NO_IDENTIFIER, who,
                                    "명단의 LMS_ID에 Moodle 참가자 번호(숫자)가 있어야 합니다 (participant id)"))
            continue
        path = f"{moodle_folder(student) if fmt is LmsFormat.MOODLE else student.id}/{result.lesson}_feedback.html"
        if path in used:
            problems.append(Problem(ProblemKind.AMBIGUOUS, who, f"같은 파일 이름 (same file name) {path}"))
            continue
        used.add(path)
        files.append(_Page(path, page.read_bytes(), student))
    return files, problems


def _write(out: Path, entries: list[tuple[str, bytes]]) -> None:
    """Entries (archive path, bytes) into a zip when `out` ends in .zip, else into the folder `out`."""
    if out.suffix.casefold() == ".zip":
        temporary = out.with_name(f".{out.name}.tmp")
        with zipfile.ZipFile(temporary, "w", zipfile.ZIP_DEFLATED) as archive:
            for name, data in entries:
                archive.writestr(name, data)
        os.replace(temporary, out)
        return
    for name, data in entries:
        target = out / name
        target.parent.mkdir(parents=True, exist_ok=True)
        target.write_bytes(data)


def return_feedback(fmt: LmsFormat | str, result_dir: Path | str, out: Path | str,
                    roster: list[Student] | None = None) -> ReturnReport:
    """Write the feedback pages of `result_dir` to `out` (a .zip, or a folder) as `fmt` takes them back."""
    fmt, folder, out = LmsFormat(fmt), Path(result_dir), Path(out)
    if fmt is LmsFormat.MOODLE and out.suffix.casefold() != ".zip":
        raise ExportError(f"Moodle에는 zip 파일 하나를 올립니다: --out 이름.zip (Moodle takes a zip): {out}")
    if not folder.is_dir():
        raise ExportError(f"결과 폴더가 없습니다 (no result folder): {folder}")
    files, problems = _pages(fmt, folder, roster)
    out.parent.mkdir(parents=True, exist_ok=True)
    entries = [(path, data) for path, data, _ in files]
    if fmt is not LmsFormat.MOODLE:
        mapping = [["학번", "이름", "이메일", "LMS_ID", "파일"]]
        mapping += [[s.id, s.name, s.email, s.lms_id, path] for path, _, s in files]
        entries.append((MAPPING_NAME, encode_csv(mapping)))
    _write(out, entries)
    return ReturnReport(out, len(files), problems, write_problems(problems, out))
