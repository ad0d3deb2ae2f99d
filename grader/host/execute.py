"""Run one notebook in its own worker process and kernel, with time, memory, file and process limits.

The parent calls `run_isolated`; it starts `python -m grader.host.execute` through a sandbox runner
(grader.host.sandbox: bubblewrap by default, or none) with resource limits inherited by the kernel,
waits at most `notebook_timeout` seconds and then has the runner kill every process of that run.
The worker executes the notebook with nbclient and sends it to the parent through a pipe after
every cell, so whatever ran before a timeout or crash is kept, and nothing the run writes reaches
the parent's folders. The kernel imports `grader` from a private copy written from the parent's
trusted snapshot (read-only inside the sandbox; without it a rewrite is caught by `copy_changed`).
"""

import compileall
import contextlib
import json
import os
import resource
import struct
import subprocess
import sys
import threading
import uuid
from collections import deque
from dataclasses import dataclass
from pathlib import Path

# jsonschema (under nbformat) imports the optional IRI checker rfc3987_syntax when installed, and that
# import alone costs ~2.5 s of CPU (python-jsonschema/jsonschema#1392). Notebook validation never uses
# it; without this line every worker process would pay it once per submission.
sys.modules.setdefault("rfc3987_syntax", None)

import nbformat  # noqa: E402

TRUSTED = "trusted"
MAX_OUTPUT_CHARS = 20_000
MAX_FILE_BYTES = 1 << 30
MAX_FRAME_BYTES = 1 << 30


@dataclass
class Limits:
    cell_timeout: int = 120
    notebook_timeout: int = 600
    memory_mb: int = 6144


@dataclass
class Execution:
    notebook: nbformat.NotebookNode  # executed cells (cells that never ran have no outputs)
    status: str  # "ok", "timeout" or "crashed"
    detail: str = ""
    disk_full: bool = False  # the run's writable space (the sandbox's /tmp) was full after some cell


def _send(channel, message):
    data = json.dumps(message).encode()
    channel.write(struct.pack(">Q", len(data)) + data)
    channel.flush()


def _truncate_outputs(cell):
    """Keep a cell's saved outputs small, however much the student's code printed."""
    for output in cell.get("outputs", []):
        text = output.get("text")
        if isinstance(text, str) and len(text) > MAX_OUTPUT_CHARS:
            output["text"] = text[:MAX_OUTPUT_CHARS] + "\n... (출력이 너무 길어 잘랐습니다 / truncated)"
    del cell.get("outputs", [])[50:]


def work(source, cell_timeout, result_fd, processes):
    """Worker process: execute `source`, sending the notebook to the parent (fd) after each cell."""
    if processes:  # per run: the sandbox gives the run its own uid (or user namespace) to count in
        resource.setrlimit(resource.RLIMIT_NPROC, (processes, processes))
    with contextlib.suppress(OSError, AttributeError):  # the kernel (same uid) may not open our fds
        import ctypes

        ctypes.CDLL(None).prctl(4, 0, 0, 0, 0)  # PR_SET_DUMPABLE = 0
    os.set_inheritable(result_fd, False)
    channel = os.fdopen(result_fd, "wb")
    from nbclient import NotebookClient
    from nbclient.exceptions import DeadKernelError

    nb = nbformat.read(source, as_version=4)
    full = False

    def cell_executed(cell, **_):
        nonlocal full
        _truncate_outputs(cell)
        with contextlib.suppress(OSError):
            space = os.statvfs(os.getcwd())
            full = full or space.f_bavail * space.f_frsize < (1 << 20)
        _send(channel, {"notebook": nb, "disk_full": full})

    client = NotebookClient(
        nb, timeout=cell_timeout, allow_errors=True, interrupt_on_timeout=True,
        kernel_name="python3", resources={"metadata": {"path": os.getcwd()}},
        shutdown_kernel="immediate",  # the run's processes are killed right after anyway
        on_notebook_start=lambda **_: _send(channel, {"kernel_pid": client.km.provisioner.pid}),
        on_cell_executed=cell_executed,
    )
    try:
        client.execute()
        _send(channel, {"notebook": nb, "status": "ok", "disk_full": full})
    except DeadKernelError as error:
        _send(channel, {"notebook": nb, "status": "crashed", "detail": str(error)[:500], "disk_full": full})


def _limit_resources(megabytes):
    def apply():
        memory = megabytes * 1024 * 1024
        resource.setrlimit(resource.RLIMIT_AS, (memory, memory))
        resource.setrlimit(resource.RLIMIT_FSIZE, (MAX_FILE_BYTES, MAX_FILE_BYTES))
    return apply


class _Results(threading.Thread):
    """Reads the worker's messages; keeps the latest notebook, its status and the kernel's pid."""

    def __init__(self, fd):
        super().__init__(daemon=True)
        self.channel, self.latest, self.kernel_pid = os.fdopen(fd, "rb"), {}, None

    def run(self):
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

    def __init__(self, stream, size=2000):
        super().__init__(daemon=True)
        self.stream, self.chunks = stream, deque(maxlen=max(1, size // 512))

    def run(self):
        with contextlib.suppress(OSError, ValueError):
            while chunk := self.stream.read1(4096):
                self.chunks.append(chunk)

    def text(self, size=600):
        return b"".join(self.chunks)[-size:].decode("utf-8", "replace").strip()


def write_private_copy(files, folder):
    """Write the trusted grader files {relative path: bytes} as folder/trusted/grader/..."""
    for relative, content in files.items():
        path = Path(folder) / TRUSTED / "grader" / relative
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_bytes(content)
    # compiled here, so a read-only copy is not compiled again by every kernel
    compileall.compile_dir(Path(folder) / TRUSTED, quiet=2)


def copy_changed(files, folder):
    """Relative paths of the private copy that the run changed or deleted."""
    root = Path(folder) / TRUSTED / "grader"
    return sorted(relative for relative, content in files.items()
                  if not (root / relative).is_file() or (root / relative).read_bytes() != content)


def run_isolated(nb, folder, limits, grader_files, runner=None):
    """Execute `nb` in a fresh worker process started by `runner` (grader.host.sandbox) from `folder`
    (the run's inputs), with `grader` imported from a private copy of `grader_files` {path: bytes}."""
    from .sandbox import NoSandbox

    runner = runner or NoSandbox()
    folder = Path(folder)
    source = folder / "graded.ipynb"
    nbformat.write(nb, source)
    write_private_copy(grader_files, folder)
    token = uuid.uuid4().hex
    env = {"MPLBACKEND": "Agg", "TF_CPP_MIN_LOG_LEVEL": os.environ.get("TF_CPP_MIN_LOG_LEVEL", "3"),
           "PYTHONUNBUFFERED": "1", "PYTHONPATH": str(folder / TRUSTED), "GRADER_RUN": token,
           "GRADER_CHECKOUT": str(Path(__file__).resolve().parents[2])}
    if runner.name != "none":
        del env["GRADER_CHECKOUT"]  # the sandbox gets COURSE_DATASETS instead; the checkout is not there
    elif os.environ.get("PYTHONPATH"):
        env["PYTHONPATH"] += os.pathsep + os.environ["PYTHONPATH"]
    read_end, write_end = os.pipe()
    command = [sys.executable, "-m", "grader.host.execute", str(source), str(limits.cell_timeout),
               str(write_end), str(getattr(runner, "processes", 0))]
    status, detail = None, ""
    try:
        worker = runner.start(command, folder, env, [write_end], stdin=subprocess.DEVNULL,
                              stdout=subprocess.PIPE, stderr=subprocess.STDOUT,
                              preexec_fn=_limit_resources(limits.memory_mb))
    finally:
        os.close(write_end)
    results, log = _Results(read_end), _Tail(worker.stdout)
    results.start()
    log.start()
    try:
        worker.wait(timeout=limits.notebook_timeout)
    except subprocess.TimeoutExpired:
        status = "timeout"
        detail = f"노트북 전체 실행 시간 제한 {limits.notebook_timeout}초를 넘었습니다."
    finally:
        runner.kill(worker, token, results.kernel_pid)
        worker.wait()
    results.join(timeout=10)
    log.join(timeout=2)
    latest = dict(results.latest)
    tail = log.text() or "실행 프로세스가 비정상 종료되었습니다 (worker died)."
    if not latest:
        return Execution(nb, status or "crashed", detail or tail)
    status = status or latest.get("status", "crashed")
    detail = detail or latest.get("detail", "") or ("" if status == "ok" else tail)
    return Execution(nbformat.from_dict(latest["notebook"]), status, detail, bool(latest.get("disk_full")))


if __name__ == "__main__":
    work(sys.argv[1], int(sys.argv[2]), int(sys.argv[3]), int(sys.argv[4]))
