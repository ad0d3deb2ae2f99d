"""Read what a run's kernel reported: signed verdicts of the sealed tests and evidence of what notebook code did.

Every line the audit hook (grader.run.hook) writes is `tag body`, the body a Python literal
`(sequence, kind, ...)` signed with the run's key. The worker stamps each line with the index of the cell that was
running when it arrived. A verdict counts only when it is signed, carries the nonce of its own test and arrived
while that test cell ran; anything else that claims to be a record is itself evidence of tampering.
"""

from __future__ import annotations

import ast
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any

from ..run.seal import crypto

if TYPE_CHECKING:
    from .sealing import SealedTest

VERDICT, BEGIN, INSTALLED = "verdict", "begin", "installed"


@dataclass
class Verdict:
    passed: bool
    error: str = ""  # the failure's exception type name
    message: str = ""


@dataclass
class Evidence:
    cell: int  # index in the graded notebook of the cell that was running
    kind: str  # what the hook saw: "file", "import", "compile", "patched", "refused", "tampered", ...
    detail: tuple[Any, ...] = ()


@dataclass
class RunReport:
    verdicts: dict[int, Verdict] = field(default_factory=dict)  # test cell index -> Verdict
    evidence: list[Evidence] = field(default_factory=list)
    installed: bool = False  # the hook was installed (else the run ended before its first cell)


def read_records(lines: Iterable[Sequence[Any]], key: bytes, tests: Iterable[SealedTest]) -> RunReport:
    """The RunReport of a run's record lines [[cell index, line], ...]; `tests`: its SealedTests."""
    check, report = crypto().check, RunReport()
    by_nonce = {test.nonce: test.index for test in tests}
    last, forged = 0, 0
    for cell, line in lines:
        tag, _, body = line.partition(" ")
        try:
            authentic = check(key, body.encode("utf-8"), tag)
            record = ast.literal_eval(body) if authentic else None
        except (ValueError, SyntaxError, TypeError, MemoryError, RecursionError):
            record = None
        if not isinstance(record, tuple) or len(record) < 2 or not isinstance(record[0], int) or record[0] <= last:
            forged += 1
            continue
        last, kind, detail = record[0], record[1], record[2:]
        if kind == INSTALLED:
            report.installed = True
        elif kind == VERDICT:
            _take_verdict(report, by_nonce, cell, detail)
        elif kind != BEGIN:
            report.evidence.append(Evidence(cell, str(kind), detail))
    if forged:
        report.evidence.append(Evidence(-1, "forged", (forged,)))
    return report


def _take_verdict(report: RunReport, by_nonce: dict[str, int], cell: int, detail: tuple[Any, ...]) -> None:
    nonce, passed, error, message = (detail + ("", "", "", ""))[:4]
    index = by_nonce.get(nonce)
    if index is None or index != cell or index in report.verdicts:
        report.evidence.append(Evidence(cell, "late_verdict", (str(nonce)[:32],)))
        return
    report.verdicts[index] = Verdict(passed is True, str(error), str(message))
