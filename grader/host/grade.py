"""Grade a batch of submissions: intake, assemble, execute in isolation, score, report. Never stops a batch.

The pipeline: `grader.host.intake` finds the files and names the students (roster, LMS downloads);
`grader.host.sharding` says which students this machine grades;
`grader.host.match` assembles the solution notebook with the student's answers; `grader.host.execute` runs it
in a sandbox (`grader.host.sandbox`); `grader.host.scoring` turns the executed notebook into test results;
`grader.host.report` and `grader.host.class_report` write them. The result schema lives in `grader.host.results`,
its codes in `grader.host.codes`.
"""

from __future__ import annotations

import hashlib
import logging
import tempfile
import traceback
from collections.abc import Iterable
from concurrent.futures import Future, ThreadPoolExecutor, as_completed
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING

import nbformat

from ..run.seal import new_key
from . import class_report, report, suspicious
from .codes import ReviewCode, Status
from .execute import Limits, copy_changed, kernel_files, run_isolated
from .intake.submissions import gather, write_problems_csv
from .match import assemble
from .notebook import NotebookError, answer_of, is_exercise, is_test, points, read_notebook
from .recognise import Marks, load_course_markers, recognise
from .redact import Redactor
from .release import student_notebook
from .results import Flag, Result, read_result, read_results
from .review import evidence_flags, hint_flags
from .sandbox import NoSandbox, Runner, resolve
from .scoring import failed_tests, match_notes, score, status_reason
from .sealing import hidden_sources, seal_tests, unsealed
from .sharding import in_shard
from .verdicts import read_records

if TYPE_CHECKING:
    from .course import Course, Lesson
    from .intake.roster import Student
    from .intake.submissions import Intake, Submission

PACKAGE = Path(__file__).resolve().parents[1]  # the whole grader package, in-kernel side included
log = logging.getLogger(__name__)


def package_files() -> dict[str, bytes]:
    """{relative path: bytes} of the grader package's Python files, as they are now."""
    return {str(p.relative_to(PACKAGE)): p.read_bytes() for p in sorted(PACKAGE.rglob("*.py"))}


@dataclass
class Assignment:
    """Everything shared by all submissions of one lesson."""
    lesson: str
    solution: nbformat.NotebookNode
    released: nbformat.NotebookNode
    limits: Limits
    grader_files: dict[str, bytes]  # trusted snapshot of the grader package {relative path: bytes}
    hidden: dict[str, str]  # the lesson's grader.hidden sources {module name: source}, sealed into every test cell
    version: str  # hash of the solution and the grader code: part of every fingerprint
    course_markers: dict[str, Marks]  # {lesson name: its exercise marks}, to recognise other lessons' notebooks
    redactor: Redactor  # bounds feedback and removes the lesson's answers and hidden-test code from it

    @classmethod
    def load(cls, course: Course, lesson: Lesson, limits: Limits) -> Assignment:
        path = course.solution_path(lesson)
        solution = nbformat.read(path, as_version=4)
        released = student_notebook(solution, course, lesson)
        files = package_files()
        digest = hashlib.sha256(path.read_bytes())
        for relative, content in files.items():
            digest.update(relative.encode() + content)
        digest.update(repr(limits).encode())
        hidden = hidden_sources(files, lesson.name)
        tests = [source for name, source in hidden.items() if ".answers" not in name]  # answers: as code, below
        secrets = [answer_of(cell) for cell in solution.cells if is_exercise(cell)] + tests + [
            cell.source for cell in solution.cells if is_test(cell)]
        public = [cell.source for cell in released.cells] + [
            content.decode("utf-8") for path, content in files.items() if path.startswith("checks/")]
        return cls(lesson.name, solution, released, limits, files, hidden, digest.hexdigest(),
                   load_course_markers(course), Redactor(secrets, public))

    def max_score(self) -> float:
        return sum(points(cell) for cell in self.solution.cells if is_test(cell))


def fingerprint(submission: Submission, assignment: Assignment) -> str:
    """Changes when the submission, the solution, the grader code or the limits change."""
    digest = hashlib.sha256(assignment.version.encode())
    digest.update(submission.data)
    return digest.hexdigest()


def _result(submission: Submission, assignment: Assignment, status: Status, runner: Runner) -> Result:
    return Result(submission.student, assignment.lesson, Path(submission.origin).name, "", status,
                  max_score=assignment.max_score(), sha256=submission.sha256, sandbox=runner.name,
                  name=submission.name or "")


def grade_submission(submission: Submission, assignment: Assignment, notebook_dir: Path,
                     runner: Runner | None = None) -> Result:
    """Grade one intake Submission. Every failure becomes a Result with a reason; nothing is raised."""
    runner = runner or NoSandbox()
    result = _result(submission, assignment, Status.ERROR, runner)
    try:
        result.fingerprint = fingerprint(submission, assignment)
        notebook = read_notebook(submission.data)
        foreign = recognise(notebook, assignment.lesson, assignment.course_markers)
        if foreign:
            result.status, result.reason = Status.NOT_LESSON, foreign
            result.tests = failed_tests(assignment.solution, foreign)
            return result
        assembly = assemble(assignment.solution, assignment.released, notebook)
        key = new_key()
        sealed, tests = seal_tests(assembly.notebook, key, assignment.hidden)
        checkout = package_files()
        with tempfile.TemporaryDirectory(prefix="grader-") as folder:
            execution = run_isolated(sealed, folder, assignment.limits, assignment.grader_files, key, runner)
            tampered = copy_changed(kernel_files(assignment.grader_files), folder)
        after = package_files()
        checkout_changed = [f"{PACKAGE.name}/{relative}" for relative in sorted(checkout.keys() | after.keys())
                            if checkout.get(relative) != after.get(relative)]
        run = read_records(execution.records, key, tests)
        executed = unsealed(execution.notebook, assembly.notebook)
        result.tests = score(executed, assembly, execution, assignment.limits, run)
        result.score = sum(test.points for test in result.tests)
        result.status = execution.status
        result.reason = status_reason(execution)
        result.notes = match_notes(assembly)
        result.add_review(*evidence_flags(run, executed, execution.status),
                          *hint_flags(suspicious.hints(assembly.student_sources)))
        if execution.disk_full:
            result.add_review(Flag.of(ReviewCode.DISK_FULL))
        if checkout_changed:  # another run in parallel (or the instructor) may have done it: review, not zero
            result.add_review(Flag.of(ReviewCode.CHECKOUT_CHANGED, ", ".join(checkout_changed)))
        if result.review:
            result.notes.append("강사 확인 필요 (review): " + ", ".join(result.review))
        if tampered:
            result.status, result.score = Status.TAMPERED, 0.0
            result.reason = f"{Status.TAMPERED.reason}: " + ", ".join(tampered)
        report.write_notebook(executed, notebook_dir / f"{submission.student}.ipynb")
    except NotebookError as error:
        result.status, result.reason = Status.INVALID, str(error)
        result.tests = failed_tests(assignment.solution, f"제출 파일을 노트북으로 읽을 수 없습니다: {error}")
    except Exception as error:  # a grader bug must not stop the batch either
        result.status = Status.ERROR
        result.reason = f"{Status.ERROR.reason}: {type(error).__name__}: {error}"
        result.notes.append(traceback.format_exc(limit=5))
        log.debug(f"{submission.student}: 채점기 오류 (grader error)", exc_info=True)
    return assignment.redactor.clean_result(result)


def missing_result(student: Student, assignment: Assignment) -> Result:
    """The row of a roster student who handed in nothing: 미제출, 0 points."""
    reason = Status.MISSING.reason
    return Result(student.id, assignment.lesson, "", "", Status.MISSING, reason,
                  max_score=assignment.max_score(), tests=failed_tests(assignment.solution, reason),
                  name=student.name)


def _changed_on_disk(submission: Submission) -> bool:
    """Whether a plain submission file differs now from the bytes the intake read (zip entries: never)."""
    path = Path(submission.origin)
    try:
        return path.is_file() and hashlib.sha256(path.read_bytes()).hexdigest() != submission.sha256
    except OSError:
        return True


def grade_batch(paths: Iterable[str | Path], assignment: Assignment, out: str | Path, jobs: int = 2,
                force: bool = False, progress: bool = True, shard: tuple[int, int] = (1, 1),
                sandbox: Runner | str | None = None,
                roster: list[Student] | None = None) -> tuple[list[Result], int, Intake]:
    """Grade the submissions under `paths` (files, folders, LMS zips), or only shard (k, n) of them, into `out`.

    Unchanged submissions are skipped. `roster`: students from grader.host.intake.roster.read_roster (then ids are 학번,
    files that match no one are listed in intake.csv, students without a file get a `missing` row).
    `sandbox`: a runner from grader.host.sandbox, or "auto"/"bwrap"/"none" (None: $GRADER_SANDBOX, else auto).
    Every file is read once, before any student code runs; only this process writes into `out`.
    Returns (results, number reused, intake).
    """
    from tqdm import tqdm

    runner = resolve(sandbox) if sandbox is None or isinstance(sandbox, str) else sandbox
    out = Path(out)
    (out / "notebooks").mkdir(parents=True, exist_ok=True)
    intake = gather(paths, assignment.lesson, roster)
    todo: list[Submission] = []
    results: list[Result] = []
    for submission in intake.submissions:
        if not in_shard(submission.student, shard):
            continue
        previous = read_result(out / f"{submission.student}.json")
        if (not force and previous and previous.fingerprint == fingerprint(submission, assignment)
                and previous.status != Status.ERROR and previous.sandbox == runner.name):
            log.debug(f"{submission.student}: 이전 결과 재사용 (reused, unchanged)")
            results.append(previous)
        else:
            todo.append(submission)
    skipped = len(results)
    log.debug(f"샌드박스 (sandbox): {runner.name}; 채점할 제출물 (to grade): {len(todo)}")
    if todo:
        runner.prepare(assignment.solution)
    with ThreadPoolExecutor(max_workers=max(1, jobs)) as pool:
        futures: dict[Future[Result], Submission] = {
            pool.submit(grade_submission, submission, assignment, out / "notebooks", runner): submission
            for submission in todo}
        for future in tqdm(as_completed(futures), total=len(futures), disable=not progress,
                           desc="채점 (grading)", unit="명"):
            result = future.result()
            if _changed_on_disk(futures[future]):  # grading used the bytes read first; say so
                result.add_review(Flag.of(ReviewCode.SUBMISSION_CHANGED))
            log.debug(f"{result.student}: {result.status} {result.score:g}/{result.max_score:g}")
            report.write_student(result, out)
            results.append(result)
    results += [missing_result(student, assignment) for student in intake.missing if in_shard(student.id, shard)]
    for result in results[skipped:]:  # without a sandbox: undo writes a submission made to other students' files
        report.write_student(result, out)
    write_problems_csv(intake, out / "intake.csv")
    folder_results = read_results(out)  # this run's and earlier runs' results
    report.write_grades(folder_results, out)
    class_report.write_class_report(folder_results, out / "report.html", lesson=assignment.lesson)
    return results, skipped, intake
