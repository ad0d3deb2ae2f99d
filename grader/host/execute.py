"""Run one graded notebook in its own worker process and kernel, inside a sandbox runner.

The host side of the run boundary. `run_isolated` writes the run's inputs into its folder: the sealed graded
notebook (grader.host.sealing), spec.json (`grader.run.spec.RunSpec`, the one contract with the run) and a
private copy of the kernel-side grader code (no `grader.host`, no `grader.hidden`). It starts
`python -m grader.run.worker spec.json` through a sandbox runner (grader.host.sandbox) with the run's key in a
pipe, waits at most `notebook_timeout` seconds, then has the runner kill every process of the run. The worker
sends the notebook and the kernel's signed records after every cell, so whatever ran before a timeout or crash
is kept; grader.host.verdicts checks the records.
"""

from __future__ import annotations

import compileall
import contextlib
import io
import json
import os
import struct
import subprocess
import sys
import threading
import uuid
from collections import deque
from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING, Any, cast

# jsonschema (under nbformat) imports the optional IRI checker rfc3987_syntax when installed, and that import alone
# costs ~2.5-4 s of CPU (python-jsonschema/jsonschema#1392). Notebook validation never uses it (the worker, in
# grader.run.worker, does the same).
sys.modules.setdefault("rfc3987_syntax", None)  # type: ignore[arg-type]

import nbformat  # noqa: E402

from ..run.spec import RunSpec  # noqa: E402
from .codes import Status  # noqa: E402

if TYPE_CHECKING:
    from .sandbox import Runner

TRUSTED = "trusted"
MAX_FRAME_BYTES = 64 << 20  # one message of the worker: the notebook (outputs capped at 10 MB) and the records
HOST_ONLY = ("host/", "hidden/")  # never copied into a run: instructor code, hidden tests, reference answers


@dataclass
class Limits:
    cell_timeout: int = 120
    notebook_timeout: int = 600
    memory_mb: int = 6144


@dataclass
class Execution:
    notebook: nbformat.NotebookNode  # executed cells (cells that never ran have no outputs)
    status: Status  # OK, TIMEOUT or CRASHED
    detail: str = ""
    disk_full: bool = False  # the run's writable space (the sandbox's /tmp) was full after some cell
    records: list[list[Any]] = field(default_factory=list)  # [cell index, signed line] from the kernel's audit hook
    dropped: int = 0  # record lines the worker did not keep (over its limit)


def kernel_files(files: dict[str, bytes]) -> dict[str, bytes]:
    """The part of the grader package a run may see: {relative path: bytes} without HOST_ONLY folders."""
    return {path: content for path, content in files.items() if not path.startswith(HOST_ONLY)}


class _Results(threading.Thread):
    """Reads the worker's messages; keeps the latest notebook message and the kernel's pid."""

    def __init__(self, fd: int) -> None:
        super().__init__(daemon=True)
        self.channel = os.fdopen(fd, "rb")
        self.latest: dict[str, Any] = {}
        self.kernel_pid: int | None = None

    def run(self) -> None:
        with self.channel:
            while (head := self.channel.read(8)) and len(head) == 8:
                size = struct.unpack(">Q", head)[0]
                data = self.channel.read(size) if size <= MAX_FRAME_BYTES else b""
                if len(data) != size:
                    return
                with contextlib.suppress(ValueError, TypeError):
                    message = json.loads(data)
                    if "kernel_pid" in message:
                        self.kernel_pid = int(message["kernel_pid"])
                    elif isinstance(message.get("notebook"), dict):
                        self.latest = message


class _Tail(threading.Thread):
    """Drains the worker's stdout and stderr (and whatever inherited them), keeping the last bytes."""

    def __init__(self, stream: io.BufferedReader, size: int = 2000) -> None:
        super().__init__(daemon=True)
        self.stream = stream
        self.chunks: deque[bytes] = deque(maxlen=max(1, size // 512))

    def run(self) -> None:
        with contextlib.suppress(OSError, ValueError):
            while chunk := self.stream.read1(4096):
                self.chunks.append(chunk)

    def text(self, size: int = 600) -> str:
        return b"".join(self.chunks)[-size:].decode("utf-8", "replace").strip()


def write_private_copy(files: dict[str, bytes], folder: str | Path) -> None:
    """Write the trusted grader files {relative path: bytes} as folder/trusted/grader/..."""
    for relative, content in files.items():
        path = Path(folder) / TRUSTED / "grader" / relative
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_bytes(content)
    # compiled here, so a read-only copy is not compiled again by every kernel
    compileall.compile_dir(Path(folder) / TRUSTED, quiet=2)


def copy_changed(files: dict[str, bytes], folder: str | Path) -> list[str]:
    """Relative paths of the private copy that the run changed or deleted."""
    root = Path(folder) / TRUSTED / "grader"
    return sorted(relative for relative, content in files.items()
                  if not (root / relative).is_file() or (root / relative).read_bytes() != content)


def _key_pipe(key: bytes) -> int:
    """The read end of a pipe that holds `key` (the kernel reads it; nobody writes to it again)."""
    read_end, write_end = os.pipe()
    os.write(write_end, key)
    os.close(write_end)
    return read_end


def run_isolated(nb: nbformat.NotebookNode, folder: str | Path, limits: Limits, files: dict[str, bytes], key: bytes,
                 runner: Runner | None = None) -> Execution:
    """Execute `nb` in a fresh worker started by `runner` (grader.host.sandbox) from `folder` (the run's inputs),
    with `grader` imported from a private copy of `files` {path: bytes} and the run's `key` in a pipe."""
    from .sandbox import NoSandbox

    runner = runner or NoSandbox()
    folder = Path(folder)
    nbformat.write(nb, folder / "graded.ipynb")
    write_private_copy(kernel_files(files), folder)
    token = uuid.uuid4().hex
    read_end, write_end = os.pipe()
    key_end = _key_pipe(key)
    spec = RunSpec(result_fd=write_end, key_fd=key_end, run_token=token, cell_timeout=limits.cell_timeout,
                   memory_mb=limits.memory_mb, processes=runner.processes,
                   kernel_env={"MPLBACKEND": "Agg", "TF_CPP_MIN_LOG_LEVEL": os.environ.get("TF_CPP_MIN_LOG_LEVEL", "3"),
                               **runner.kernel_env()})
    command = [sys.executable, "-m", "grader.run.worker", str(spec.save(folder))]
    status: Status | None = None
    detail = ""
    try:
        worker = runner.start(command, folder, {"PYTHONPATH": str(folder / TRUSTED), "PYTHONUNBUFFERED": "1"},
                              [write_end, key_end], stdin=subprocess.DEVNULL, stdout=subprocess.PIPE,
                              stderr=subprocess.STDOUT)
    finally:
        os.close(write_end)
        os.close(key_end)
    results, log = _Results(read_end), _Tail(cast(io.BufferedReader, worker.stdout))  # stdout=PIPE: a buffered reader
    results.start()
    log.start()
    try:
        worker.wait(timeout=limits.notebook_timeout)
    except subprocess.TimeoutExpired:
        status = Status.TIMEOUT
        detail = f"노트북 전체 실행 시간 제한 {limits.notebook_timeout}초를 넘었습니다."
    finally:
        runner.kill(worker, token, results.kernel_pid)
        worker.wait()
    results.join(timeout=10)
    log.join(timeout=2)
    latest = dict(results.latest)
    tail = log.text() or "실행 프로세스가 비정상 종료되었습니다 (worker died)."
    if not latest:
        return Execution(nb, status or Status.CRASHED, detail or tail)
    status = status or (Status.OK if latest.get("status") == Status.OK else Status.CRASHED)
    detail = detail or str(latest.get("detail", "")) or ("" if status == Status.OK else tail)
    return Execution(nbformat.from_dict(latest["notebook"]), status, detail, bool(latest.get("disk_full")),
                     list(latest.get("records", [])), int(latest.get("dropped", 0)))
