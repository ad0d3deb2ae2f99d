"""The result schema of grading: one owner for statuses, per-test and per-student results, and their JSON.

Every other module reads and writes results through these classes; `grader.host.report` renders them.
"""

import json
from dataclasses import asdict, dataclass, field
from enum import Enum
from pathlib import Path


class Status(str, Enum):
    """What happened to one student's submission (the `status` column of grades.csv)."""
    OK = "ok"  # executed and scored
    TIMEOUT = "timeout"
    CRASHED = "crashed"  # the kernel died
    INVALID = "invalid"  # not a readable notebook
    NOT_LESSON = "not_lesson"  # a notebook, but not this lesson's: nothing executed
    TAMPERED = "tampered"  # the submission changed the grader's files: 0 points
    MISSING = "missing"  # on the roster, no submission
    ERROR = "error"  # a grader bug; graded again on the next run



STATUS_KO = {Status.OK: "채점 완료", Status.TIMEOUT: "시간 초과", Status.CRASHED: "커널 종료",
             Status.INVALID: "노트북 아님/손상", Status.NOT_LESSON: "다른 레슨의 노트북",
             Status.TAMPERED: "채점 코드 변조", Status.MISSING: "미제출", Status.ERROR: "채점기 오류"}


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
    status: str  # a Status value
    reason: str = ""
    score: float = 0.0
    max_score: float = 0.0
    tests: list = field(default_factory=list)
    notes: list = field(default_factory=list)
    review: list = field(default_factory=list)  # suspicious code for the instructor to look at
    sha256: str = ""  # of the submission file as read (once, before any student code ran)
    sandbox: str = ""  # how it ran: "bwrap" or "none"
    name: str = ""  # the roster name, when a roster was given

    def to_dict(self):
        data = asdict(self)
        data["status"] = Status(self.status).value
        return data

    def to_json(self):
        return json.dumps(self.to_dict(), ensure_ascii=False, indent=1)

    @classmethod
    def from_dict(cls, data):
        data = dict(data)
        data["tests"] = [TestResult(**test) for test in data.get("tests", [])]
        return cls(**data)


def read_result(path):
    """A student's JSON result as a dict, or None when missing or unreadable."""
    try:
        return json.loads(Path(path).read_text(encoding="utf-8"))
    except (OSError, ValueError):
        return None


def read_results(folder):
    """Every student result (dict) in a result folder, sorted by file name; other JSON files are ignored."""
    results = (read_result(path) for path in sorted(Path(folder).glob("*.json")))
    return [r for r in results if isinstance(r, dict) and {"student", "lesson", "score"} <= r.keys()]
