"""Grade a batch of submissions: assemble, execute in isolation, score. Never stops a batch."""

import hashlib
import re
import tempfile
import traceback
import unicodedata
from concurrent.futures import ThreadPoolExecutor, as_completed
from dataclasses import asdict, dataclass, field
from pathlib import Path

import nbformat

from . import report, suspicious
from .execute import Limits, copy_changed, run_isolated
from .match import assemble
from .notebook import NotebookError, grade_id, is_exercise, is_test, marker, points, read_notebook
from .release import student_notebook
from .sandbox import NoSandbox, resolve

IGNORED_FILES = {".DS_Store", "Thumbs.db", "desktop.ini"}


@dataclass
class TestResult:
    grade_id: str
    label: str
    title: str
    points: float
    max_points: float
    passed: bool
    message: str = ""


@dataclass
class Result:
    student: str
    lesson: str
    file: str
    fingerprint: str
    status: str  # ok, timeout, crashed, invalid, tampered, error
    reason: str = ""
    score: float = 0.0
    max_score: float = 0.0
    tests: list = field(default_factory=list)
    notes: list = field(default_factory=list)
    review: list = field(default_factory=list)  # suspicious code for the instructor to look at
    sha256: str = ""  # of the submission file as read (once, before any student code ran)
    sandbox: str = ""  # how it ran: "bwrap" or "none"

    def to_dict(self):
        return asdict(self)

    @classmethod
    def from_dict(cls, data):
        data = dict(data)
        data["tests"] = [TestResult(**test) for test in data.get("tests", [])]
        return cls(**data)


PACKAGE = Path(__file__).parent


def package_files():
    """{relative path: bytes} of the grader package's Python files, as they are now."""
    return {str(p.relative_to(PACKAGE)): p.read_bytes() for p in sorted(PACKAGE.rglob("*.py"))}


@dataclass
class Assignment:
    """Everything shared by all submissions of one lesson."""
    lesson: str
    solution: nbformat.NotebookNode
    released: nbformat.NotebookNode
    limits: Limits
    grader_files: dict  # trusted snapshot of the grader package {relative path: bytes}
    version: str  # hash of the solution and the grader code: part of every fingerprint

    @classmethod
    def load(cls, course, lesson, limits):
        path = course.solution_path(lesson)
        solution = nbformat.read(path, as_version=4)
        released = student_notebook(solution, course, lesson)
        files = package_files()
        digest = hashlib.sha256(path.read_bytes())
        for relative, content in files.items():
            digest.update(relative.encode() + content)
        digest.update(repr(limits).encode())
        return cls(lesson.name, solution, released, limits, files, digest.hexdigest())

    def max_score(self):
        return sum(points(cell) for cell in self.solution.cells if is_test(cell))

    def failed_tests(self, message):
        """Every test failed with the same message, for submissions that could not run."""
        return [TestResult(cell.metadata["nbgrader"]["grade_id"], marker(cell)[1], _title(cell),
                           0.0, points(cell), False, message)
                for cell in self.solution.cells if is_test(cell)]


def collect(paths):
    """Submission files under the given files and folders (hidden and OS junk files skipped)."""
    files = []
    for path in map(Path, paths):
        if path.is_dir():
            files.extend(p for p in sorted(path.rglob("*")) if p.is_file()
                         and not any(part.startswith((".", "__MACOSX")) for part in
                                     p.relative_to(path).parts)
                         and p.name not in IGNORED_FILES)
        else:
            files.append(path)
    return files


def student_id(path, lesson):
    """'2024123456_홍길동_01_layers.ipynb' -> '2024123456_홍길동' (NFC, safe as a file name).

    The lesson name and a download copy mark such as ' (1)' are dropped.
    """
    stem = re.sub(r"\s*\(\d+\)$", "", unicodedata.normalize("NFC", Path(path).stem))
    name = stem.replace(unicodedata.normalize("NFC", lesson), "")
    name = re.sub(r'[\\/:*?"<>|\x00-\x1f]', "_", name).strip(" _-.")
    return name or re.sub(r'[\\/:*?"<>|\x00-\x1f]', "_", stem) or "unnamed"


def _title(cell):
    first = cell.source.strip().splitlines()[0] if cell.source.strip() else ""
    return re.sub(r"^#\s*\[[^\]]*\]\s*", "", first)


def explain(error_output, limits):
    """A Korean sentence for an error output of a cell."""
    name, value = error_output.get("ename", ""), error_output.get("evalue", "")
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
    return f"실행 중 오류가 났습니다: {name}: {value}"


def _errors(cell):
    return [o for o in cell.get("outputs", []) if o.get("output_type") == "error"]


def score(executed, assembly, execution, limits):
    """Per-test results: a test cell passes when it ran without an error output."""
    label_of = {slot.grade_id: slot.label for slot in assembly.slots.values()}
    exercise_errors = {}
    for cell in executed.cells:
        if is_exercise(cell) and _errors(cell):  # the student's answer may have lost its marker line
            exercise_errors[label_of[grade_id(cell)]] = explain(_errors(cell)[0], limits)
    results = []
    for cell in executed.cells:
        if not is_test(cell):
            continue
        label = marker(cell)[1]
        errors = _errors(cell)
        ran = cell.get("execution_count") is not None or bool(cell.get("outputs"))
        passed = ran and not errors
        message = ""
        if not ran:
            message = "실행되지 않았습니다: " + (execution.detail or execution.status)
        elif errors:
            message = explain(errors[0], limits)
            slot = assembly.slots.get(label)
            if slot is not None and slot.found_by == "missing":
                message = slot.notes[0] + "\n" + message
            elif label in exercise_errors:
                message = f"연습 셀에서 먼저 오류가 났습니다: {exercise_errors[label]}\n{message}"
        max_points = points(cell)
        results.append(TestResult(cell.metadata["nbgrader"]["grade_id"], label, _title(cell),
                                  max_points if passed else 0.0, max_points, passed, message))
    return results


class Snapshot:
    """A submission file read once, before any student code runs; grading uses these bytes only."""

    def __init__(self, path):
        self.path, self.name, self.error = Path(path), Path(path).name, None
        try:
            with open(path, "rb") as handle:  # never opened for writing
                self.data = handle.read()
        except OSError as error:
            self.data, self.error = None, error
        self.sha256 = hashlib.sha256(self.data).hexdigest() if self.data is not None else ""

    def read_bytes(self):  # what grader.notebook.read_notebook calls
        if self.error:
            raise self.error
        return self.data

    def changed(self):
        """Whether the file on disk differs now from what was read."""
        try:
            return Snapshot(self.path).sha256 != self.sha256
        except OSError:
            return True


def fingerprint(snapshot, assignment):
    """Changes when the submission, the solution, the grader code or the limits change."""
    if snapshot.data is None:
        return ""
    digest = hashlib.sha256(assignment.version.encode())
    digest.update(snapshot.data)
    return digest.hexdigest()


def grade_submission(snapshot, student, assignment, notebook_dir, runner=None):
    """Grade one file (a Snapshot or a path). Every failure becomes a Result with a reason; nothing is raised."""
    snapshot = snapshot if isinstance(snapshot, Snapshot) else Snapshot(snapshot)
    runner = runner or NoSandbox()
    result = Result(student, assignment.lesson, snapshot.name, "", "error",
                    max_score=assignment.max_score(), sha256=snapshot.sha256, sandbox=runner.name)
    try:
        result.fingerprint = fingerprint(snapshot, assignment)
        submission = read_notebook(snapshot)
        assembly = assemble(assignment.solution, assignment.released, submission)
        checkout = package_files()
        with tempfile.TemporaryDirectory(prefix="grader-") as folder:
            execution = run_isolated(assembly.notebook, folder, assignment.limits,
                                     assignment.grader_files, runner)
            tampered = copy_changed(assignment.grader_files, folder)
        after = package_files()
        checkout_changed = [f"{PACKAGE.name}/{relative}" for relative in sorted(checkout.keys() | after.keys())
                            if checkout.get(relative) != after.get(relative)]
        result.tests = score(execution.notebook, assembly, execution, assignment.limits)
        result.score = sum(test.points for test in result.tests)
        result.status = execution.status
        result.reason = _status_reason(execution)
        result.notes = _match_notes(assembly)
        result.review = suspicious.flags(assembly.student_sources)
        if execution.disk_full:
            result.review.append("쓰기 공간이 가득 참 (disk limit reached)")
        if checkout_changed:  # another run in parallel (or the instructor) may have done it: review, not zero
            result.review.append("채점 중 grader 파일 변경 (grader checkout changed): " + ", ".join(checkout_changed))
        if result.review:
            result.notes.append("강사 확인 필요 (review): " + ", ".join(result.review))
        if tampered:
            result.status, result.score = "tampered", 0.0
            result.reason = ("채점 코드를 수정해 0점 처리했습니다 (grader files modified): "
                             + ", ".join(tampered))
        report.write_notebook(execution.notebook, notebook_dir / f"{student}.ipynb")
    except NotebookError as error:
        result.status, result.reason = "invalid", str(error)
        result.tests = assignment.failed_tests(f"제출 파일을 노트북으로 읽을 수 없습니다: {error}")
    except Exception as error:  # a grader bug must not stop the batch either
        result.status = "error"
        result.reason = f"채점기 내부 오류 (internal error): {type(error).__name__}: {error}"
        result.notes.append(traceback.format_exc(limit=5))
    return result


def _match_notes(assembly):
    by_marker = [slot.label for slot in assembly.slots.values() if slot.found_by == "marker"]
    notes = [note for slot in assembly.slots.values() for note in slot.notes] + assembly.notes
    if by_marker:
        notes.insert(0, "nbgrader 메타데이터(grade_id)가 없어 첫 줄 표식으로 찾은 연습: "
                     + ", ".join(by_marker))
    return notes


def _status_reason(execution):
    if execution.status == "ok":
        return ""
    if execution.status == "timeout":
        return execution.detail
    return "커널이 비정상 종료되었습니다 (kernel died): " + execution.detail


def _assign_ids(files, lesson):
    """Student ids per file; a second file of the same student gets a suffix (-2, -3, ...)."""
    ids, seen = [], {}
    for path in files:
        base = student_id(path, lesson)
        seen[base] = seen.get(base, 0) + 1
        ids.append(base if seen[base] == 1 else f"{base}-{seen[base]}")
    return ids


def in_shard(student, shard):
    """Whether a student belongs to shard (k, n), 1 <= k <= n: a stable hash of the id."""
    k, n = shard
    return int(hashlib.sha256(student.encode()).hexdigest(), 16) % n == k - 1


def grade_batch(files, assignment, out, jobs=2, force=False, progress=True, shard=(1, 1), sandbox=None):
    """Grade `files` (or only shard (k, n) of them) into `out`; unchanged ones are skipped.

    `sandbox`: a runner from grader.sandbox, or "auto"/"bwrap"/"none" (None: $GRADER_SANDBOX, else auto).
    Every file is read once, before any student code runs; only this process writes into `out`.
    """
    from tqdm import tqdm

    runner = sandbox if hasattr(sandbox, "start") else resolve(sandbox)
    out = Path(out)
    (out / "notebooks").mkdir(parents=True, exist_ok=True)
    todo, results, snapshots = [], [], []
    for path, student in zip(files, _assign_ids(files, assignment.lesson)):
        if not in_shard(student, shard):
            continue
        snapshot = Snapshot(path)
        snapshots.append((snapshot, student))
        previous = report.read_result(out / f"{student}.json")
        if (not force and previous and previous.get("fingerprint") == fingerprint(snapshot, assignment)
                and previous.get("status") != "error" and previous.get("sandbox") == runner.name):
            results.append(Result.from_dict(previous))
        else:
            todo.append((snapshot, student))
    skipped = len(results)
    if todo:
        runner.prepare(assignment.solution)
    with ThreadPoolExecutor(max_workers=max(1, jobs)) as pool:
        futures = [pool.submit(grade_submission, snapshot, student, assignment, out / "notebooks", runner)
                   for snapshot, student in todo]
        for future in tqdm(as_completed(futures), total=len(futures), disable=not progress,
                           desc="채점 (grading)", unit="명"):
            result = future.result()
            report.write_student(result, out)
            results.append(result)
    by_student = {result.student: result for result in results[skipped:]}
    for snapshot, student in snapshots:  # grading used the snapshot; say so when the file changed meanwhile
        if student in by_student and snapshot.changed():
            by_student[student].review.append("채점 중 제출 파일이 바뀜 (submission file changed during grading; "
                                              "graded as first read)")
    for result in results[skipped:]:  # without a sandbox: undo writes a submission made to other students' files
        report.write_student(result, out)
    report.write_grades(out)
    return results, skipped
