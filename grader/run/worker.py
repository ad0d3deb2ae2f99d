"""The worker of one grading run: executes the graded notebook in a fresh kernel, inside the sandbox.

The host starts `python -m grader.run.worker SPEC` (SPEC: the run's spec.json, see `grader.run.spec`). The worker
sets the run's limits, starts the kernel with two pipes (the run's key, which it passes on unread, and the
kernel's signed records), executes the notebook with nbclient, keeps every output within the spec's caps and,
after every cell, sends the host the notebook so far and the records, each stamped with the cell that was
running when it arrived. It holds no secret: test cells are sealed, the key only passes through, and the host
checks every record's signature. Whatever ran before a timeout or crash reaches the host.
"""

from __future__ import annotations

import contextlib
import json
import os
import resource
import select
import struct
import sys
import threading
from pathlib import Path
from typing import IO, Any

# jsonschema (under nbformat) imports the optional IRI checker rfc3987_syntax when installed, and that import
# alone costs ~2.5 s of CPU (python-jsonschema/jsonschema#1392). Notebook validation never uses it.
sys.modules.setdefault("rfc3987_syntax", None)  # type: ignore[arg-type]  # None: importing it fails at once

import nbformat  # noqa: E402
from nbclient import NotebookClient  # noqa: E402
from nbformat import NotebookNode  # noqa: E402
from nbclient.exceptions import DeadKernelError  # noqa: E402

from .spec import RunSpec  # noqa: E402

KERNEL_FDS = "GRADER_KERNEL_FDS"  # "key_fd,record_fd" in the kernel's environment (grader.run.kernel reads it)
RECORD_LINE = 4096  # longest record line kept (the kernel writes at most PIPE_BUF bytes at a time)
MAX_OUTPUTS = 50  # outputs kept per cell


def _size(output: NotebookNode) -> int:
    """Approximate size in bytes of one output as stored."""
    if output.get("output_type") == "stream":
        return len(output.get("text", "").encode("utf-8", "replace"))
    if output.get("output_type") == "error":
        return len(output.get("evalue", "")) + sum(len(line) for line in output.get("traceback", []))
    data = output.get("data", {})
    return sum(len(v) if isinstance(v, str) else len(json.dumps(v)) for v in data.values())


def _note(text: str) -> NotebookNode:
    return nbformat.v4.new_output("stream", name="stderr", text=text + "\n")


def bound_output(output: NotebookNode, limit: int) -> NotebookNode:
    """The output itself when it fits in `limit` bytes; else a cut copy (text) or a Korean note (images, data)."""
    size = _size(output)
    if size <= limit:
        return output
    kind = output.get("output_type")
    if kind == "stream":
        cut = output["text"].encode("utf-8", "replace")[:limit].decode("utf-8", "ignore")
        return nbformat.v4.new_output("stream", name=output.get("name", "stdout"),
                                      text=cut + "\n... (출력이 너무 길어 잘랐습니다 / output truncated)\n")
    if kind == "error":
        traceback: list[str] = []
        kept = 0
        for line in reversed(output.get("traceback", [])):
            if kept + len(line) > limit // 2:
                break
            traceback.insert(0, line)
            kept += len(line)
        return nbformat.v4.new_output("error", ename=str(output.get("ename", ""))[:200],
                                      evalue=str(output.get("evalue", ""))[:limit // 2], traceback=traceback)
    what = "그림" if any(key.startswith("image/") for key in output.get("data", {})) else "출력"
    return _note(f"[{what}이 너무 커서({size / 1e6:.1f} MB) 저장하지 않았습니다 "
                 f"(output of {size:,} bytes over the {limit:,}-byte limit was dropped)]")


class Records(threading.Thread):
    """Reads the kernel's record pipe, stamping each line with the cell that was running when it arrived."""

    def __init__(self, fd: int, limit: int) -> None:
        super().__init__(daemon=True)
        self.fd, self.limit, self.cell = fd, limit, -1
        self.lines: list[tuple[int, str]] = []  # (cell index, signed record line)
        self.dropped, self._partial, self._lock = 0, b"", threading.Lock()
        os.set_blocking(fd, False)

    def run(self) -> None:
        while self._read():
            select.select([self.fd], [], [], 0.2)

    def drain(self) -> None:
        """Read whatever the kernel has written so far (call when a cell has finished)."""
        self._read()

    def _read(self) -> bool:
        """Read what is available now; False once the kernel has closed its end."""
        with self._lock:
            while True:
                try:
                    chunk = os.read(self.fd, 65536)
                except BlockingIOError:
                    return True
                except OSError:
                    return False
                if not chunk:
                    return False
                self._split(chunk)

    def _split(self, chunk: bytes) -> None:
        *complete, self._partial = (self._partial + chunk).split(b"\n")
        if len(self._partial) > RECORD_LINE:  # a line that never ends is no record
            self._partial = b""
        for line in complete:
            verdict = b"'verdict'" in line[:90]  # kept beyond the limit (up to as many again): they decide scores
            if len(line) <= RECORD_LINE and len(self.lines) < self.limit * (2 if verdict else 1):
                self.lines.append((self.cell, line.decode("utf-8", "replace")))
            else:
                self.dropped += 1


class BoundedClient(NotebookClient):
    """nbclient's client with every output bounded on arrival, per output and per notebook."""

    def __init__(self, nb: NotebookNode, spec: RunSpec, **kwargs: Any) -> None:
        super().__init__(nb, **kwargs)
        self.spec, self.kept_bytes = spec, 0

    def output(self, outs: list[NotebookNode], msg: dict[str, Any], display_id: str | None,
               cell_index: int) -> NotebookNode | None:
        out = super().output(outs, msg, display_id, cell_index)
        if out is None or not outs or outs[-1] is not out:
            return out
        bounded = bound_output(out, self.spec.output_bytes)
        size = _size(bounded)
        if len(outs) > MAX_OUTPUTS or self.kept_bytes + size > self.spec.notebook_bytes:
            outs.pop()
            if not outs or outs[-1].get("text", "").find("notebook output limit") < 0:
                outs.append(_note("[노트북 전체 출력 제한을 넘어 이 셀의 나머지 출력은 저장하지 않았습니다 "
                                  "(notebook output limit reached)]"))
            return None
        outs[-1] = bounded
        self.kept_bytes += size
        return bounded


def _send(channel: IO[bytes], message: dict[str, Any]) -> None:
    data = json.dumps(message).encode()
    channel.write(struct.pack(">Q", len(data)) + data)
    channel.flush()


def _limit(spec: RunSpec) -> None:
    """The run's resource limits, inherited by the kernel and everything it starts."""
    memory = spec.memory_mb * 1024 * 1024
    resource.setrlimit(resource.RLIMIT_AS, (memory, memory))
    resource.setrlimit(resource.RLIMIT_FSIZE, (spec.file_bytes, spec.file_bytes))
    if spec.processes:  # per run: the sandbox gives the run its own uid (or user namespace) to count in
        resource.setrlimit(resource.RLIMIT_NPROC, (spec.processes, spec.processes))
    with contextlib.suppress(OSError, AttributeError):  # the kernel (same uid) may not read our memory or fds
        import ctypes

        ctypes.CDLL(None).prctl(4, 0, 0, 0, 0)  # PR_SET_DUMPABLE = 0


def work(spec_path: Path | str) -> None:
    """Execute the notebook of the run described by `spec_path`, reporting to the host after every cell."""
    spec = RunSpec.load(spec_path)
    _limit(spec)
    os.set_inheritable(spec.result_fd, False)
    channel = os.fdopen(spec.result_fd, "wb")
    record_read, record_write = os.pipe()
    records = Records(record_read, spec.records)
    records.start()
    os.environ.update(spec.kernel_env or {})
    os.environ.update({"GRADER_RUN": spec.run_token, KERNEL_FDS: f"{spec.key_fd},{record_write}"})
    nb = nbformat.read(Path(spec_path).parent / spec.notebook, as_version=4)

    full = False

    def report(**extra: object) -> None:
        nonlocal full
        with contextlib.suppress(OSError):
            space = os.statvfs(os.getcwd())
            full = full or space.f_bavail * space.f_frsize < (1 << 20)
        records.drain()
        _send(channel, {"notebook": nb, "records": records.lines, "dropped": records.dropped, "disk_full": full,
                        **extra})

    def started(**_: object) -> None:
        # a started kernel: its manager and (local) provisioner exist
        _send(channel, {"kernel_pid": client.km.provisioner.pid})  # type: ignore[union-attr]
        for fd in (spec.key_fd, record_write):  # the kernel has its own copies now
            os.close(fd)

    def cell_started(cell_index: int, **_: object) -> None:
        records.drain()
        records.cell = cell_index

    client = BoundedClient(
        nb, spec, timeout=spec.cell_timeout, allow_errors=True, interrupt_on_timeout=True,
        kernel_name="python3", resources={"metadata": {"path": os.getcwd()}},
        shutdown_kernel="immediate",  # the run's processes are killed right after anyway
        on_notebook_start=started, on_cell_execute=cell_started, on_cell_executed=lambda **_: report(),
    )
    try:
        client.execute(pass_fds=(spec.key_fd, record_write))
        report(status="ok")
    except DeadKernelError as error:
        report(status="crashed", detail=str(error)[:500])


if __name__ == "__main__":
    work(sys.argv[1])
