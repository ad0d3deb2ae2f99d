"""How long CI takes on a clean checkout: clone this commit, run `.ci/run` there, record the time.

Usage: .venv/bin/python benchmarks/ci_time.py [--keep] [--no-record]

The clone (committed HEAD only) goes next to the repository, `../ci-time-clone`, so that `../shared/datasets`
resolves as in CI; `.ci/run` bootstraps its own `.venv` there. About 25 minutes on 2 cores: run it with nothing else
running. The section "CI 시간 (.ci/run)" of benchmarks/RESULTS.md gets the wall time, pytest's summary and its
slowest tests; the whole log stays in the clone with `--keep`.
"""

from __future__ import annotations

import argparse
import re
import shutil
import subprocess
import sys
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))
from benchmarks import results_file  # noqa: E402

LIMIT_S = 25 * 60
CLONE = results_file.ROOT.parent / "ci-time-clone"
SLOWEST = 8


def run_ci(clone: Path) -> tuple[int, float, str]:
    """(exit status, seconds, output) of `.ci/run` in a fresh clone of HEAD."""
    shutil.rmtree(clone, ignore_errors=True)
    subprocess.run(["git", "clone", "--quiet", str(results_file.ROOT), str(clone)], check=True)
    start = time.monotonic()
    with open(clone / "ci.log", "w", encoding="utf-8") as log:
        status = subprocess.run([str(clone / ".ci" / "run")], cwd=clone, stdout=log,
                                stderr=subprocess.STDOUT).returncode
    return status, time.monotonic() - start, (clone / "ci.log").read_text(encoding="utf-8", errors="replace")


def minutes(seconds: float) -> str:
    return f"{int(seconds // 60)}분 {int(seconds % 60)}초"


def summary(status: int, seconds: float, output: str) -> str:
    """The section's figures: wall time against the limit, pytest's last line, its slowest tests."""
    finals = re.findall(r"^=+ (.*\bin [\d.]+s.*?) =+$", output, re.M)
    slow = re.findall(r"^([\d.]+)s (call|setup|teardown)\s+(\S+)", output, re.M)[:SLOWEST]
    within = seconds <= LIMIT_S and status == 0
    verdict = "한도 안 (within the limit)" if within else "한도 초과 또는 실패 (over or failed)"
    lines = [f"- 새 clone의 `.ci/run` (새 `.venv` 설치 포함): **{minutes(seconds)}**, 종료 코드 {status}; "
             f"한도 {LIMIT_S // 60}분: {verdict}",
             f"- pytest: {finals[-1] if finals else '요약 줄 없음 (no pytest summary)'}"]
    rows = [(f"`{name}`", f"{float(took):.0f}") for took, _, name in slow]
    return "\n".join(lines) + "\n\n가장 오래 걸린 테스트:\n\n" + results_file.table(["테스트", "초"], rows)


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--keep", action="store_true", help="clone과 ci.log를 남김 (keep the clone)")
    results_file.add_option(parser)
    args = parser.parse_args()
    if results_file.git_commit().endswith("dirty"):
        print("커밋하지 않은 변경은 clone에 들어가지 않습니다 (uncommitted changes are not measured)")
    status, seconds, output = run_ci(CLONE)
    text = summary(status, seconds, output)
    print(text)
    if not args.no_record:
        results_file.record("CI 시간 (.ci/run)", text)
    if not args.keep:
        shutil.rmtree(CLONE, ignore_errors=True)
    return status


if __name__ == "__main__":
    sys.exit(main())
