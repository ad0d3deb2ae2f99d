"""The result schema of grading (host side): per-test and per-student results, their JSON and their readers.

Every other module reads and writes results through these classes; `grader.host.report` renders them. The codes
(statuses, review flags) and their text are in `grader.host.codes`.
"""

from __future__ import annotations

import json
import logging
from collections.abc import Mapping
from dataclasses import asdict, dataclass, field
from pathlib import Path
from typing import Any

from .codes import ReviewCode, Status

log = logging.getLogger(__name__)
RESULT_KEYS = {"student", "lesson", "score"}  # a JSON file without them is not a student result


@dataclass
class TestResult:
    grade_id: str
    label: str
    title: str
    points: float
    max_points: float
    passed: bool
    message: str = ""


@dataclass(frozen=True)
class Flag:
    """One review flag: its code and the line the instructor reads."""
    code: ReviewCode
    text: str

    @classmethod
    def of(cls, code: ReviewCode, detail: str = "") -> Flag:
        """The flag that reads as the code's text, then the detail after a colon."""
        return cls(code, f"{code.text}: {detail}" if detail else code.text)


@dataclass
class Result:
    student: str
    lesson: str
    file: str
    fingerprint: str
    status: Status
    reason: str = ""
    score: float = 0.0
    max_score: float = 0.0
    tests: list[TestResult] = field(default_factory=list)
    notes: list[str] = field(default_factory=list)
    review: list[str] = field(default_factory=list)  # what the instructor should look at (Flag.text)
    review_codes: list[ReviewCode] = field(default_factory=list)  # their codes, in the same order
    sha256: str = ""  # of the submission file as read (once, before any student code ran)
    sandbox: str = ""  # how it ran: "bwrap" or "none"
    name: str = ""  # the roster name, when a roster was given

    def __post_init__(self) -> None:
        self.status = Status(self.status)  # also when given as its code

    def add_review(self, *flags: Flag) -> None:
        for flag in flags:
            self.review.append(flag.text)
            self.review_codes.append(flag.code)

    def to_dict(self) -> dict[str, Any]:
        data = asdict(self)
        data["status"] = self.status.value
        data["review_codes"] = [code.value for code in self.review_codes]
        return data

    def to_json(self) -> str:
        return json.dumps(self.to_dict(), ensure_ascii=False, indent=1)

    @classmethod
    def from_dict(cls, data: Mapping[str, Any]) -> Result:
        """The Result of its JSON dict (results of an older grader have no review_codes)."""
        data = dict(data)
        data["tests"] = [TestResult(**test) for test in data.get("tests", [])]
        data["review_codes"] = [ReviewCode(code) for code in data.get("review_codes", [])]
        return cls(**data)


def read_result(path: str | Path) -> Result | None:
    """A student's result, or None when the file is missing, unreadable or not a student result."""
    try:
        data = json.loads(Path(path).read_text(encoding="utf-8"))
    except (OSError, ValueError):
        return None
    if not isinstance(data, dict) or not data.keys() >= RESULT_KEYS:
        return None
    try:
        return Result.from_dict(data)
    except (TypeError, ValueError, KeyError) as error:
        log.warning(f"{path}: 학생 결과를 읽을 수 없어 건너뜁니다 (unreadable result): {error!r}")
        return None


def read_results(folder: str | Path) -> list[Result]:
    """Every student result in a result folder, sorted by file name; other JSON files are ignored."""
    results = (read_result(path) for path in sorted(Path(folder).glob("*.json")))
    return [result for result in results if result is not None]
