"""The one contract between the grader and a grading run: `RunSpec`, written as spec.json into the run's inputs.

The host (`grader.host.execute`) writes it next to the graded notebook; the worker (`python -m grader.run.worker
SPEC`) reads it and nothing else: no positional arguments, no settings through environment variables. Every
field says what it is for (`help`), the way nbgrader's traitlets and otter's AutograderConfig document theirs.
Nothing secret is in it: hidden tests travel sealed in the notebook and the key through `key_fd`.
`SealedPayload` is what each sealed test cell holds (made by `grader.host.sealing`, opened by `grader.run.kernel`).
"""

from __future__ import annotations

import json
from dataclasses import asdict, dataclass, field, fields
from pathlib import Path
from typing import Any, TypedDict

FILE_NAME = "spec.json"


class SealedPayload(TypedDict):
    """The JSON of one sealed test cell, after the 32-character nonce that names its verdict."""
    code: str  # the test cell's source: public checks around the hidden-test region
    keep: list[str]  # names the visible check code assigns: they stay in the notebook
    file: str  # the file name its code is compiled under ("<grader:GRADE_ID>")
    modules: dict[str, str]  # {module name: source} of grader.hidden the lesson's tests import
    packages: list[str]  # which of those modules are packages


def _setting(default: Any, help: str) -> Any:
    return field(default=default, metadata={"help": help})


@dataclass(frozen=True)
class RunSpec:
    """Everything one grading run is given (see each field's help)."""
    notebook: str = _setting("graded.ipynb", "The notebook to execute, relative to spec.json: the solution with the "
                                             "student's answers, test cells sealed.")
    result_fd: int = _setting(-1, "Write end of the pipe to the host: the executed notebook and the kernel's signed "
                                  "records, sent after every cell.")
    key_fd: int = _setting(-1, "Read end of the pipe holding the run's key. The worker passes it to the kernel "
                               "unread; the kernel reads it once, before any student code runs.")
    run_token: str = _setting("", "Marks every process of the run (GRADER_RUN in the kernel's environment), so the "
                                  "host can find and kill what the run leaves behind.")
    cell_timeout: int = _setting(120, "Seconds one cell may run before the kernel is interrupted.")
    memory_mb: int = _setting(6144, "Address-space limit of the worker and the kernel, in MB.")
    file_bytes: int = _setting(1 << 30, "Largest file the run may write.")
    processes: int = _setting(0, "Most processes of the run's user (RLIMIT_NPROC); 0 leaves it unlimited (a run "
                                 "without its own uid would count the grader's processes too).")
    output_bytes: int = _setting(1_000_000, "Largest single output (stream text, image, error) kept in the executed "
                                            "notebook; a larger one is replaced by a Korean note.")
    notebook_bytes: int = _setting(10_000_000, "Largest total size of the outputs kept for the whole notebook.")
    records: int = _setting(2_000, "Most records of the kernel's audit hook passed on to the host.")
    kernel_env: dict[str, str] | None = _setting(
        None, "Environment variables the kernel gets on top of the worker's: the offline dataset folder "
              "(COURSE_DATASETS), IPYTHONDIR, matplotlib's settings, ...")

    def save(self, folder: Path | str) -> Path:
        """Write spec.json into `folder` (the run's inputs) and return its path."""
        path = Path(folder) / FILE_NAME
        path.write_text(json.dumps(asdict(self), indent=1, ensure_ascii=False), encoding="utf-8")
        return path

    @classmethod
    def load(cls, path: Path | str) -> RunSpec:
        """Read spec.json; unknown keys are an error (host and worker come from the same grader copy)."""
        data = json.loads(Path(path).read_text(encoding="utf-8"))
        known = {f.name for f in fields(cls)}
        if set(data) - known:
            raise ValueError(f"spec.json: unknown settings {sorted(set(data) - known)}")
        return cls(**data)

    @classmethod
    def help(cls) -> dict[str, str]:
        """{setting: help text}, for documentation."""
        return {f.name: f.metadata["help"] for f in fields(cls)}
