"""Sharding, on the host side: grade one class on N machines, then merge their output folders.

`grader grade --shard K/N` grades shard (k, n): the students whose id hashes to it (`in_shard`); K/N is
given, or read from a Slurm job array or a Kubernetes Indexed Job (`shard_from_environment`).
`grader merge` copies every shard's results into one folder and rebuilds grades.csv and report.html.
"""

from __future__ import annotations

import hashlib
import os
from collections.abc import Iterable, Mapping
from pathlib import Path
from typing import NamedTuple

from .class_report import write_class_report
from .report import write_atomic, write_grades
from .results import read_result, read_results


class ShardError(ValueError):
    """A --shard value that cannot be used; the message is Korean with English terms."""


class Shard(NamedTuple):
    """Shard k of n, 1 <= k <= n."""
    k: int
    n: int


class Merged(NamedTuple):
    """What `merge` did: student results copied, rows in the rebuilt grades.csv."""
    copied: int
    rows: int


def in_shard(student: str, shard: tuple[int, int]) -> bool:
    """Whether a student belongs to shard (k, n), 1 <= k <= n: a stable hash of the id."""
    k, n = shard
    return int(hashlib.sha256(student.encode()).hexdigest(), 16) % n == k - 1


def _count(text: str, what: str) -> int:
    try:
        value = int(text)
    except (TypeError, ValueError):
        raise ShardError(f"{what}이(가) 정수가 아닙니다 (not an integer): {text!r}") from None
    return value


def _checked(k: int, n: int, source: str) -> Shard:
    if not 1 <= k <= n:
        raise ShardError(f"샤드 번호가 범위를 벗어났습니다 (shard out of range): {k}/{n} ({source}); "
                         "1 <= K <= N 이어야 합니다")
    return Shard(k, n)


def _slurm(env: Mapping[str, str]) -> Shard:
    task = _count(env["SLURM_ARRAY_TASK_ID"], "SLURM_ARRAY_TASK_ID")
    if "SLURM_ARRAY_TASK_COUNT" not in env:
        raise ShardError("SLURM_ARRAY_TASK_COUNT가 없습니다 (missing): sbatch --array=0-7 처럼 실행하세요")
    first = _count(env.get("SLURM_ARRAY_TASK_MIN", "0"), "SLURM_ARRAY_TASK_MIN")
    step = _count(env.get("SLURM_ARRAY_TASK_STEP", "1"), "SLURM_ARRAY_TASK_STEP") or 1
    count = _count(env["SLURM_ARRAY_TASK_COUNT"], "SLURM_ARRAY_TASK_COUNT")
    if (task - first) % step:
        raise ShardError(f"Slurm 배열 번호 {task}가 MIN {first}, STEP {step}와 맞지 않습니다 "
                         "(irregular --array lists are not supported: use --array=A-B)")
    return _checked((task - first) // step + 1, count, f"Slurm task {task}, min {first}, count {count}")


def shard_from_environment(spec: str | None, env: Mapping[str, str] = os.environ) -> Shard:
    """The shard from '--shard' text: 'K/N', 'auto' (Slurm array) or 'auto/N' (Kubernetes); None is 1/1."""
    spec = (spec or "1/1").strip()
    head, _, tail = spec.partition("/")
    if head != "auto":
        if not tail:
            raise ShardError(f"--shard는 K/N, auto, auto/N 형식이어야 합니다 (e.g. 2/8): {spec!r}")
        return _checked(_count(head, "K"), _count(tail, "N"), spec)
    count = _count(tail, "N") if tail else None
    if "JOB_COMPLETION_INDEX" in env and count is not None:
        index = _count(env["JOB_COMPLETION_INDEX"], "JOB_COMPLETION_INDEX")
        return _checked(index + 1, count, f"Kubernetes index {index}, completions {count}")
    if "SLURM_ARRAY_TASK_ID" in env:
        shard = _slurm(env)
        if count is not None and count != shard.n:
            raise ShardError(f"--shard auto/{count}와 SLURM_ARRAY_TASK_COUNT={shard.n}이(가) 다릅니다 "
                             "(count mismatch)")
        return shard
    if "JOB_COMPLETION_INDEX" in env:
        raise ShardError("Kubernetes Indexed Job은 개수를 알려 주지 않습니다: --shard auto/N 으로 "
                         "completions 값을 주세요 (give the count: --shard auto/N)")
    raise ShardError("--shard auto: Slurm 배열 작업(SLURM_ARRAY_TASK_ID)이나 Kubernetes Indexed Job"
                     "(JOB_COMPLETION_INDEX) 환경 변수가 없습니다 (no job array in the environment)")


def merge(shard_folders: Iterable[str | Path], out: str | Path) -> Merged:
    """Copy every student's results from shard output folders into `out`; rebuild grades.csv and report.html."""
    out = Path(out)
    (out / "notebooks").mkdir(parents=True, exist_ok=True)
    copied = 0
    for folder in map(Path, shard_folders):
        for result in sorted(folder.glob("*.json")):
            if read_result(result) is None:
                continue
            for source in (result, result.with_suffix(".html"),
                           folder / "notebooks" / f"{result.stem}.ipynb"):
                if source.exists():
                    write_atomic(out / source.relative_to(folder), source.read_text(encoding="utf-8"))
            copied += 1
    results = read_results(out)
    rows = write_grades(results, out)
    write_class_report(results, out / "report.html", lesson=", ".join(sorted({r.lesson for r in results})))
    return Merged(copied, rows)
