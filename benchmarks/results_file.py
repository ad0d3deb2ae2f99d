"""benchmarks/RESULTS.md, the one file of measurements the README quotes: a section per benchmark and variant.

A benchmark script ends with `record(title, body)`: the section headed `## title` is replaced (or added at the end)
with the date, the commit, the exact command line, the machine and the figures; every other section stays as it
is. Scripts offer `--no-record` (`add_option`) for exploratory runs; BENCHMARK_RESULTS names another file.
"""

from __future__ import annotations

import argparse
import datetime
import os
import platform
import re
import shlex
import subprocess
import sys
from collections.abc import Iterable, Sequence
from pathlib import Path
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from grader.host.course import Course

ROOT = Path(__file__).resolve().parent.parent
RESULTS = ROOT / "benchmarks" / "RESULTS.md"
HEADER = "# 벤치마크 결과 (benchmark results)\n"


def add_option(parser: argparse.ArgumentParser) -> None:
    parser.add_argument("--no-record", action="store_true",
                        help="benchmarks/RESULTS.md에 기록하지 않음 (exploratory run)")


def git_commit() -> str:
    """`git rev-parse --short HEAD`, with " dirty" when tracked files have uncommitted changes."""
    try:
        head = subprocess.run(["git", "rev-parse", "--short", "HEAD"], cwd=ROOT, capture_output=True, text=True,
                              check=True).stdout.strip()
        changed = subprocess.run(["git", "status", "--porcelain", "--untracked-files=no"], cwd=ROOT,
                                 capture_output=True, text=True, check=True).stdout.strip()
    except (OSError, subprocess.CalledProcessError):
        return "unknown"
    return f"{head} dirty" if changed else head


def machine() -> str:
    """Architecture, cores, memory and the load averages (1, 5, 15 minutes) now."""
    memory = os.sysconf("SC_PAGE_SIZE") * os.sysconf("SC_PHYS_PAGES") / 2**30
    load = " / ".join(f"{value:.1f}" for value in os.getloadavg())
    return f"{platform.machine()} {os.cpu_count()} cores, {memory:.0f} GB, load average {load}"


def command_line(argv: Sequence[str]) -> str:
    """The command as typed from the repository root: `python benchmarks/x.py ...` or `python -m package ...`."""
    script = Path(argv[0]).resolve()
    where = script.relative_to(ROOT) if script.is_relative_to(ROOT) else Path(argv[0])
    program = ["-m", ".".join(where.parent.parts)] if where.name == "__main__.py" else [str(where)]
    return shlex.join(["python", *program, *argv[1:]])


def facts() -> str:
    """Date, commit, command line and machine of this run, one line."""
    return f"{datetime.date.today()}, commit `{git_commit()}`, `{command_line(sys.argv)}`; {machine()}"


def lesson_set(names: Sequence[str], course: Course) -> str:
    """How a section names the lessons of a run: 모든 레슨, or their names."""
    return "모든 레슨" if sorted(names) == sorted(lesson.name for lesson in course.lessons) else " ".join(names)


def table(header: Sequence[str], rows: Iterable[Sequence[object]]) -> str:
    """A Markdown table (`|` in a cell escaped); every column but the first right-aligned."""
    lines = [header, ["---", *["---:"] * (len(header) - 1)], *rows]
    return "\n".join("| " + " | ".join(str(cell).replace("|", "\\|") for cell in line) + " |" for line in lines)


def replaced(text: str, title: str, section: str) -> str:
    """`text` with the section headed `## title` replaced by `section` (added at the end when there is none)."""
    parts = re.split(r"(?m)^(?=## )", text)
    heading = f"## {title}\n"
    if not any(part.startswith(heading) for part in parts):
        parts.append(heading)
    parts = [section if part.startswith(heading) else part for part in parts]
    return "\n\n".join(part.strip("\n") for part in parts if part.strip()) + "\n"


def record(title: str, body: str) -> Path:
    """Replace this benchmark's section of RESULTS.md (or of the file BENCHMARK_RESULTS names)."""
    path = Path(os.environ.get("BENCHMARK_RESULTS", RESULTS))
    text = path.read_text(encoding="utf-8") if path.exists() else HEADER
    section = f"## {title}\n\n{facts()}\n\n{body.strip()}\n"
    path.write_text(replaced(text, title, section), encoding="utf-8")
    print(f"recorded: {path} § {title}")
    return path
