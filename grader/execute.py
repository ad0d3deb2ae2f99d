"""Run one notebook in its own worker process and kernel, with time, memory and file limits.

The parent calls `run_isolated`; it starts `python -m grader.execute` in a new session with
resource limits (inherited by the kernel), waits at most `notebook_timeout` seconds and then
kills every process of that run: the worker's and the kernel's process groups and anything they
started (found by a token in their environment). The worker executes the notebook with nbclient
and saves it after every cell, so whatever ran before a timeout or crash is kept. The kernel
imports `grader` from a private copy written from the parent's trusted snapshot, so a submission
that rewrites the grader's files changes only its own copy (and is caught by `copy_changed`).
"""

import contextlib
import os
import resource
import signal
import subprocess
import sys
import uuid
from dataclasses import dataclass
from pathlib import Path

# jsonschema (under nbformat) imports the optional IRI checker rfc3987_syntax when installed, and that
# import alone costs ~2.5 s of CPU (python-jsonschema/jsonschema#1392). Notebook validation never uses
# it; without this line every worker process would pay it once per submission.
sys.modules.setdefault("rfc3987_syntax", None)

import nbformat  # noqa: E402

KERNEL_PID_FILE = "kernel.pid"
TRUSTED = "trusted"
MAX_OUTPUT_CHARS = 20_000
MAX_FILE_BYTES = 1 << 30


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


def _save(nb, path):
    temporary = path.with_suffix(".tmp")
    nbformat.write(nb, temporary)
    os.replace(temporary, path)


def _truncate_outputs(cell):
    """Keep a cell's saved outputs small, however much the student's code printed."""
    for output in cell.get("outputs", []):
        text = output.get("text")
        if isinstance(text, str) and len(text) > MAX_OUTPUT_CHARS:
            output["text"] = text[:MAX_OUTPUT_CHARS] + "\n... (출력이 너무 길어 잘랐습니다 / truncated)"
    del cell.get("outputs", [])[50:]


def work(source, target, cell_timeout):
    """Worker process: execute `source`, saving progress to `target` after each cell."""
    from nbclient import NotebookClient
    from nbclient.exceptions import DeadKernelError

    nb = nbformat.read(source, as_version=4)
    folder = Path(target).parent

    def kernel_started(**_):
        (folder / KERNEL_PID_FILE).write_text(str(client.km.provisioner.pid))

    client = NotebookClient(
        nb, timeout=cell_timeout, allow_errors=True, interrupt_on_timeout=True,
        kernel_name="python3", resources={"metadata": {"path": str(folder)}},
        shutdown_kernel="immediate",  # the run's processes are killed right after anyway
        on_notebook_start=kernel_started,
        on_cell_executed=lambda cell, **_: (_truncate_outputs(cell), _save(nb, Path(target))),
    )
    try:
        client.execute()
        nb.metadata["grader_execution"] = {"status": "ok"}
    except DeadKernelError as error:
        nb.metadata["grader_execution"] = {"status": "crashed", "detail": str(error)[:500]}
    _save(nb, Path(target))


def _limit_resources(megabytes):
    def apply():
        memory = megabytes * 1024 * 1024
        resource.setrlimit(resource.RLIMIT_AS, (memory, memory))
        resource.setrlimit(resource.RLIMIT_FSIZE, (MAX_FILE_BYTES, MAX_FILE_BYTES))
    return apply


def _kill_group(pid):
    with contextlib.suppress(ProcessLookupError, PermissionError):
        os.killpg(pid, signal.SIGKILL)


def _pids_with_token(token):
    marker = f"GRADER_RUN={token}".encode()
    for environ in Path("/proc").glob("[0-9]*/environ"):
        with contextlib.suppress(OSError):
            if marker in environ.read_bytes().split(b"\0"):
                yield int(environ.parent.name)


def _kill_tree(worker, folder, token):
    """Kill the worker, the kernel and every process they started, even in a new session."""
    _kill_group(worker.pid)
    kernel_pid = folder / KERNEL_PID_FILE
    if kernel_pid.exists():
        _kill_group(int(kernel_pid.read_text()))
    for pid in _pids_with_token(token):
        with contextlib.suppress(ProcessLookupError, PermissionError):
            os.kill(pid, signal.SIGKILL)


def write_private_copy(files, folder):
    """Write the trusted grader files {relative path: bytes} as folder/trusted/grader/..."""
    for relative, content in files.items():
        path = Path(folder) / TRUSTED / "grader" / relative
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_bytes(content)


def copy_changed(files, folder):
    """Relative paths of the private copy that the run changed or deleted."""
    root = Path(folder) / TRUSTED / "grader"
    return sorted(relative for relative, content in files.items()
                  if not (root / relative).is_file() or (root / relative).read_bytes() != content)


def run_isolated(nb, folder, limits, grader_files):
    """Execute `nb` in a fresh worker process inside `folder` (its working directory), with
    `grader` imported from a private copy of `grader_files` {relative path: bytes}."""
    folder = Path(folder)
    source, target = folder / "graded.ipynb", folder / "executed.ipynb"
    nbformat.write(nb, source)
    write_private_copy(grader_files, folder)
    token = uuid.uuid4().hex
    python_path = os.pathsep.join(filter(None, [str(folder / TRUSTED), os.environ.get("PYTHONPATH")]))
    env = dict(os.environ, MPLBACKEND="Agg", TF_CPP_MIN_LOG_LEVEL="3", PYTHONUNBUFFERED="1",
               PYTHONPATH=python_path, GRADER_RUN=token,
               GRADER_CHECKOUT=str(Path(__file__).resolve().parent.parent))
    command = [sys.executable, "-m", "grader.execute", str(source), str(target),
               str(limits.cell_timeout)]
    with open(folder / "worker.log", "wb") as log:
        worker = subprocess.Popen(command, cwd=folder, env=env, stdout=log, stderr=log,
                                  stdin=subprocess.DEVNULL, start_new_session=True,
                                  preexec_fn=_limit_resources(limits.memory_mb))
        try:
            worker.wait(timeout=limits.notebook_timeout)
            status, detail = None, ""
        except subprocess.TimeoutExpired:
            status = "timeout"
            detail = f"노트북 전체 실행 시간 제한 {limits.notebook_timeout}초를 넘었습니다."
        finally:
            _kill_tree(worker, folder, token)
            worker.wait()
    if not target.exists():
        executed = nb
        status = status or "crashed"
        detail = detail or _tail(folder / "worker.log")
    else:
        executed = nbformat.read(target, as_version=4)
        recorded = executed.metadata.pop("grader_execution", {})
        status = status or recorded.get("status", "crashed")
        detail = detail or recorded.get("detail", "") or (
            "" if status == "ok" else _tail(folder / "worker.log"))
    return Execution(executed, status, detail)


def _tail(path, size=600):
    text = path.read_bytes()[-size:].decode("utf-8", "replace") if path.exists() else ""
    return text.strip() or "실행 프로세스가 비정상 종료되었습니다 (worker died)."


if __name__ == "__main__":
    work(sys.argv[1], sys.argv[2], int(sys.argv[3]))
