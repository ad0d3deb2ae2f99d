"""Kernel side of a grading run: the first cell calls `install()`, every test cell calls `run_test`.

`install()` runs before any student code: it reads the run's key from the pipe the worker passed on, loads the
public checks, takes the trusted snapshot (`grader.run.snapshot`) and adds the audit hook (`grader.run.hook`).
Each test cell of the graded notebook is one line, `__grader_test__("<sealed test>", globals())`. `run_test` asks
the hook to open the sealed test (the hook puts the snapshot back first) and runs the cell's code, public checks
and hidden tests alike, as a function whose builtins import `grader.hidden` from the sealed sources, in memory,
never through `sys.modules`; then it reports the verdict through the hook, which signs it for the host. Nothing
of the test stays behind: no module, no history or linecache entry, no name in the notebook except those the
visible check code assigns, no garbage holding its code (cycles are broken, then collected).
Test code is compiled as written: `dont_inherit` keeps this module's `__future__` imports out of it.
"""

from __future__ import annotations

import ast
import builtins
import contextlib
import gc
import json
import os
import sys
import types
from pathlib import Path
from typing import TYPE_CHECKING

from . import hook, snapshot

if TYPE_CHECKING:
    from collections.abc import Callable, Iterator, Mapping, Sequence
    from typing import Any

    from .spec import SealedPayload

    Failure = tuple[str, str]  # (error type name, message) of a test that did not pass
    Namespace = dict[str, Any]  # a module's or the notebook's globals

KERNEL_FDS = "GRADER_KERNEL_FDS"  # "key_fd,record_fd", set by grader.run.worker for the kernel
TEST_FUNCTION = "__grader_test__"  # the builtin each sealed test cell calls
HIDDEN = "grader.hidden"
MESSAGE_CHARS = 3000  # longest failure message reported
TEST_FILES = ("<grader:", "<정답")  # the file names of a test's code, hidden modules and reference answers


def install() -> None:
    """Add the audit hook and the trusted snapshot (the graded notebook's first cell; once per kernel)."""
    fds = os.environ.pop(KERNEL_FDS, "")
    if not fds or hasattr(builtins, TEST_FUNCTION):
        raise RuntimeError("grader.run.kernel.install() runs once, in a kernel started by grader.run.worker")
    key_fd, record_fd = (int(fd) for fd in fds.split(","))
    key = _read_key(key_fd)
    os.set_inheritable(record_fd, False)
    _not_dumpable()
    from IPython import get_ipython
    from ipykernel.compiler import get_tmp_directory

    from grader.checks import fitlog  # importing grader.checks starts the fit records and loads every check

    setattr(builtins, TEST_FUNCTION, run_test)
    gc.freeze()  # everything so far (the libraries): the collection after every test skips it
    setup = hook.Setup(
        key=key, record_fd=record_fd, restore=snapshot.take(), user_ns=get_ipython().user_ns,
        run_code=_run.__code__, run_globals=globals(), record_code=fitlog._record.__code__,
        record_globals=vars(fitlog), originals=tuple(fitlog.ORIGINALS.values()),
        notebook_prefix=os.path.join(get_tmp_directory(), ""), stdlib_prefixes=_stdlib(),
        run_files=(str(Path(__file__).resolve().parents[3]),))
    sys.addaudithook(hook.make(setup))


def _run(sealed: str, namespace: Namespace, _audit: Callable[..., None] = sys.audit) -> Failure | None:
    """Open, run and report one test; None when it passed, else (error type name, message). (`_audit` is bound
    here, not looked up: until the hook has put the snapshot back, this module's names may have been replaced.)"""
    box: list[bytes] = []
    outcome: list[Failure] = []
    _audit("grader.begin", sealed, namespace, box)
    if not box:
        return ("RuntimeError", "채점 환경이 이 검사를 열지 못했습니다 (the sealed test could not be opened).")
    failure: Failure | None = None
    try:
        failure = _execute(json.loads(box.pop()), namespace)
    except BaseException as error:  # noqa: B036 (a timeout's KeyboardInterrupt is a failure to report too)
        failure = _describe(error)
    sys.audit("grader.end", box, failure, outcome)
    _clear_test_frames()
    gc.collect()
    return outcome[0] if outcome else failure


def _clear_test_frames() -> None:
    """Drop what still holds the frames of the test's code after it ended: the tracebacks of exceptions the
    student's code kept (one the test caught itself), and the values in frames a kept traceback object holds."""
    from grader.checks._report import forget_tracebacks

    # the C descriptor (mypy types the attribute as an instance's value)
    kept, traceback_of = gc.get_objects(), BaseException.__traceback__.__get__  # type: ignore[union-attr]
    for error in [obj for obj in kept if issubclass(type(obj), BaseException)]:
        if any(_is_test_code(frame) for frame in _traceback_frames(traceback_of(error))):
            forget_tracebacks(error)
    for traceback in [obj for obj in kept if type(obj) is types.TracebackType]:
        for frame in _traceback_frames(traceback):
            if _is_test_code(frame):
                with contextlib.suppress(RuntimeError):  # still running (the caller's own frames)
                    frame.clear()


def _traceback_frames(traceback: types.TracebackType | None) -> Iterator[types.FrameType]:
    """The frames of a traceback and the frames they were called from."""
    while traceback is not None:
        frame: types.FrameType | None = traceback.tb_frame
        while frame is not None:
            yield frame
            frame = frame.f_back
        traceback = traceback.tb_next


def _is_test_code(frame: types.FrameType) -> bool:
    return frame.f_code.co_filename.startswith(TEST_FILES)


def run_test(sealed: str, namespace: Namespace,
             _open: Callable[[str, Namespace], Failure | None] = _run) -> None:
    """Run one sealed test cell in `namespace` (the notebook's globals); its failure becomes the cell's error."""
    __tracebackhide__ = True
    failure = _open(sealed, namespace)
    if failure is not None:
        raise _error(*failure)


def _execute(test: SealedPayload, namespace: Namespace) -> Failure | None:
    """Run the test cell's code as a function of the notebook's globals; None or (type name, message)."""
    hidden = _Hidden(test["modules"], test["packages"])
    try:
        function = _as_function(test["code"], test["file"], namespace, hidden.builtins)
        try:
            values = function()
        except BaseException as error:  # noqa: B036
            return _describe(error)
        for name in test["keep"]:  # what the visible check code assigns stays, as in the student's notebook
            if name in values:
                namespace[name] = values[name]
        return None
    finally:
        hidden.close()


def _as_function(source: str, filename: str, namespace: Namespace, builtins_dict: Namespace
                 ) -> Callable[[], Namespace]:
    """`source` as the body of a function (its assignments stay local) with `builtins_dict` as its builtins."""
    template = ast.parse("def test():\n    return locals()\n")
    definition = template.body[0]
    assert isinstance(definition, ast.FunctionDef)
    definition.body[:0] = ast.parse(source, filename).body
    code = compile(template, filename, "exec", dont_inherit=True)
    body = next(constant for constant in code.co_consts if isinstance(constant, types.CodeType))
    saved = namespace["__builtins__"]
    namespace["__builtins__"] = builtins_dict  # a function takes its builtins from its globals when it is made
    try:
        return types.FunctionType(body, namespace, "test")
    finally:
        namespace["__builtins__"] = saved


class _Hidden:
    """`grader.hidden` from the sealed sources, importable only by code that has `builtins` as its builtins."""

    def __init__(self, sources: dict[str, str], packages: list[str]) -> None:
        self.sources, self.packages = sources, set(packages)
        self.modules: dict[str, types.ModuleType] = {}
        self.builtins = dict(vars(builtins), __import__=self.import_)
        self.real_import = builtins.__import__

    def import_(self, name: str, globals: Mapping[str, object] | None = None,  # noqa: A002 (import's signature)
                locals: Mapping[str, object] | None = None, fromlist: Sequence[str] = (),
                level: int = 0) -> types.ModuleType:
        if level or not (name == HIDDEN or name.startswith(HIDDEN + ".")):
            return self.real_import(name, globals, locals, fromlist, level)
        if not fromlist:
            raise ImportError(f"use `from {name} import ...` in hidden tests")
        module = self.load(name)
        for item in fromlist:
            if f"{name}.{item}" in self.sources:
                self.load(f"{name}.{item}")
        return module

    def load(self, name: str) -> types.ModuleType:
        if name not in self.modules:
            if name not in self.sources:
                raise ImportError(f"No module named {name!r}")
            parent, _, child = name.rpartition(".")
            module = types.ModuleType(name)
            module.__dict__.update(__builtins__=self.builtins, __file__=f"<grader:{name}>",
                                   __package__=name if name in self.packages else parent)
            self.modules[name] = module
            if parent in self.sources:
                setattr(self.load(parent), child, module)
            exec(compile(self.sources[name], f"<grader:{name}>", "exec", dont_inherit=True), module.__dict__)
        return self.modules[name]

    def close(self) -> None:
        """Break every reference cycle through the hidden modules, so plain reference counting frees them."""
        for module in self.modules.values():
            module.__dict__.clear()
        self.modules.clear()
        self.builtins.clear()
        self.sources = {}


def _describe(error: BaseException) -> Failure:
    """(type name, message) of an exception, without trusting its methods to behave; its tracebacks (frames of
    the test's code) are dropped first."""
    from grader.checks._report import forget_tracebacks  # (the checks import Keras: not before install())

    forget_tracebacks(error)
    try:
        message = str(error)
    except Exception:  # a student's exception whose __str__ raises
        message = ""
    return type(error).__name__, message[:MESSAGE_CHARS]


def _error(name: str, message: str) -> BaseException:
    """The exception the test cell shows: the same built-in type, else RuntimeError naming the type."""
    kind = getattr(builtins, name, None)
    if isinstance(kind, type) and issubclass(kind, BaseException):
        return kind(message)
    return RuntimeError(f"{name}: {message}")


def _read_key(fd: int) -> bytes:
    key = b""
    while len(key) < 32:
        chunk = os.read(fd, 32 - len(key))
        if not chunk:
            raise RuntimeError("the run's key pipe ended early")
        key += chunk
    os.close(fd)
    return key


def _not_dumpable() -> None:
    """Other processes of the run's user may not read this kernel's memory (the key)."""
    try:
        import ctypes

        ctypes.CDLL(None).prctl(4, 0, 0, 0, 0)  # PR_SET_DUMPABLE = 0
    except (OSError, AttributeError):
        pass


def _stdlib() -> tuple[str, ...]:
    """File name prefixes of the standard library's code (never a virtual environment's site-packages)."""
    return os.path.join(os.path.dirname(os.__file__), ""), "<frozen "
