"""Choosing submissions, on the host side: `gather` names the student of every input file and keeps one file each.

With a roster a file belongs to the roster student its path names (`roster.match_roster`); without one
the student id is the file name with LMS and copy decorations removed (`names.naming`). Of a student's
files the newest notebook is graded; every other file, every file that names no one or several, and
every roster student without a file is listed for the instructor (intake.csv), never graded.
"""

from __future__ import annotations

import hashlib
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field, replace
from pathlib import Path
from typing import TYPE_CHECKING

from ..csv_files import write_csv
from .archives import InputFile, Problem, ZipLimits, input_files
from .names import UNSAFE_CHARACTERS, naming
from .roster import Student, match_roster

if TYPE_CHECKING:
    from ..course import Lesson

NOTEBOOK_SUFFIX = ".ipynb"
_DEFAULT_LIMITS = ZipLimits()


@dataclass
class Submission:
    student: str  # 학번 with a roster, else the cleaned file name
    name: str | None  # the roster name
    data: bytes = field(repr=False)
    origin: str = ""  # a file path, or 'archive.zip!entry'
    modified: float = 0.0  # LMS timestamp in the name, else the zip entry's or file's mtime
    sha256: str = ""


@dataclass
class Intake:
    submissions: list[Submission] = field(default_factory=list)  # one per student
    superseded: list[Problem] = field(default_factory=list)  # other files of a graded student
    unmatched: list[Problem] = field(default_factory=list)  # files that name no one or several
    refused: list[Problem] = field(default_factory=list)  # unsafe or unreadable inputs
    missing: list[Student] = field(default_factory=list)  # roster students without a file

    def problems(self) -> list[tuple[str, str, str]]:
        """(kind, origin, reason) rows for the instructor: every file not graded, and every missing student."""
        rows = [("superseded", *p) for p in self.superseded]
        rows += [("unmatched", *p) for p in self.unmatched]
        rows += [("refused", *p) for p in self.refused]
        rows += [("missing", f"{s.id} {s.name}", "제출물이 없습니다 (no submission)") for s in self.missing]
        return rows

    def summary(self) -> list[str]:
        """Korean console lines: counts, then each problem."""
        lines = [f"제출물 {len(self.submissions)}명 채점 대상 (to grade); 이전 파일 {len(self.superseded)}개 "
                 f"(superseded), 학생 불명 {len(self.unmatched)}개 (unmatched), 거부 {len(self.refused)}개 "
                 f"(refused), 미제출 {len(self.missing)}명 (missing)"]
        return lines + [f"  - [{kind}] {origin}: {reason}" for kind, origin, reason in self.problems()]


def write_problems_csv(intake: Intake, path: str | Path) -> None:
    """intake.csv (UTF-8 with BOM, for Excel): kind, origin, reason of every file not graded."""
    write_csv(path, [["kind", "origin", "reason"], *map(list, intake.problems())])


@dataclass
class _Candidates:
    """The files of one student, before one is chosen."""
    student: str  # 학번 with a roster, else the label from the file name
    name: str | None  # the roster name
    lms_key: str  # 'canvas:12345', 'moodle:…', 'blackboard:…'; '' for plain files
    files: list[InputFile] = field(default_factory=list)


def _is_notebook(file: InputFile) -> bool:
    return file.parts[-1].casefold().endswith(NOTEBOOK_SUFFIX)


def _newest_first(files: list[InputFile]) -> list[InputFile]:
    """Notebooks before other files, then the newest; ties broken by origin."""
    return sorted(files, key=lambda f: (_is_notebook(f), f.modified, f.origin), reverse=True)


def _pick(student: str, name: str | None, files: list[InputFile], intake: Intake) -> None:
    picked, *others = _newest_first(files)
    intake.submissions.append(Submission(student, name, picked.data, picked.origin, picked.modified,
                                         hashlib.sha256(picked.data).hexdigest()))
    for other in others:
        if _is_notebook(other) or not _is_notebook(picked):
            reason = f"같은 학생({student})의 더 최근 파일을 채점합니다 (superseded by newer): {picked.origin}"
        else:
            reason = (f"노트북(.ipynb)이 아니어서 같은 학생({student})의 노트북을 채점합니다 "
                      f"(not a notebook): {picked.origin}")
        intake.superseded.append(Problem(other.origin, reason))


def _safe_id(label: str) -> str:
    return UNSAFE_CHARACTERS.sub("_", label).lstrip(".") or "unnamed"


def gather(paths: Iterable[str | Path], lesson: str | Lesson, roster: Sequence[Student] | None = None,
           limits: ZipLimits = _DEFAULT_LIMITS) -> Intake:
    """Find the submissions under `paths` (files, folders, zips) and name their students.

    `lesson` is a lesson name (or a course Lesson); `roster` a list of Student (read_roster).
    """
    lesson_name = lesson if isinstance(lesson, str) else lesson.name
    intake = Intake()
    students: dict[str | tuple[str, str], _Candidates] = {}  # by 학번, or by (LMS key, label)
    for file in input_files(paths, limits, intake.refused):
        label, key, stamp = naming(file.parts, lesson_name)
        if stamp is not None:
            file = replace(file, modified=stamp)
        if roster is not None:
            found, reason = match_roster(roster, "/".join(file.parts), key.split(":", 1)[-1] or None)
            if found is None:
                intake.unmatched.append(Problem(file.origin, reason))
                continue
            group: str | tuple[str, str] = found.id
            candidates = _Candidates(found.id, found.name, key)
        elif not label:
            intake.unmatched.append(Problem(file.origin, "파일·폴더 이름에 학생을 알아볼 부분이 없습니다 "
                                                         "(no student name in the file name)"))
            continue
        else:
            group, candidates = (key, label), _Candidates(label, None, key)  # an LMS id alone could be misread
        students.setdefault(group, candidates).files.append(file)
    labels = [candidates.student for candidates in students.values()]
    for candidates in students.values():
        student = candidates.student
        if roster is None and labels.count(student) > 1 and candidates.lms_key:
            student = f"{student}_{candidates.lms_key.split(':', 1)[1]}"  # two LMS users with one display name
        _pick(_safe_id(student), candidates.name, candidates.files, intake)
    matched = {s.student for s in intake.submissions}
    intake.missing = [s for s in roster or () if s.id not in matched]
    intake.submissions.sort(key=lambda s: s.student)
    return intake
