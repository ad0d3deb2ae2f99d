"""The kernel's audit hook (PEP 578): the one piece of the grading run that student code cannot remove.

`grader.run.kernel.install()` adds it before any student code runs. It
- holds the run's key and the trusted snapshot (`grader.run.snapshot`), and serves them only to the genuine grader
  code, recognised by the identity of its code object and module globals;
- opens each sealed test for `grader.run.kernel.run_test` after putting the snapshot back, puts it back again
  after every call into student code (`checks.student_code`) and at the end, and signs the verdict;
- keeps the record of fit/evaluate/predict calls (`grader.checks.fitlog`), so it cannot be forged or changed;
- records, as signed evidence, what notebook code did: files of the run or the grader copy opened, grader
  internals imported, code compiled from text, sockets, replaced library functions;
- refuses what would reach the key, the tests or the verdicts: more audit hooks, tracing and profiling, gc and
  thread-frame introspection, ctypes, processes and signals from notebook code, frame access during a test and
  to the grader's own frames after it (a kept exception's traceback), replacing attributes of library functions,
  reading process memory.

Notebook code is code compiled from a notebook cell (ipykernel's cell files), or compiled, executed or turned
into a function by notebook code. Every name the hook's functions use is bound when `make` runs, before any
student code: later patches of modules or builtins cannot change what the hook does.
"""

from __future__ import annotations

import os
import sys
import threading
import types
from typing import TYPE_CHECKING, NamedTuple

from . import seal

if TYPE_CHECKING:
    from collections.abc import Callable
    from typing import Any, NoReturn, TypedDict

    Handler = Callable[[tuple[Any, ...]], None]  # what one audit event's arguments are handed to
    Hook = Callable[[str, tuple[Any, ...]], None]

    class _State(TypedDict):
        seq: int  # records written
        box: list[bytes] | None  # where the open test's code goes (grader.run.kernel._run), None between tests
        test: str | None  # the open test's nonce
        taint: list[str]  # why the open test's verdict cannot be trusted
        files_read: bool  # notebook code has read a file

RECORD_BYTES = 4000  # one record fits in one atomic pipe write (PIPE_BUF = 4096)
FRAME_ATTRIBUTES = frozenset({"tb_frame", "f_code", "gi_frame", "gi_code", "cr_frame", "cr_code", "ag_frame",
                              "ag_code"})
PROCESS_EVENTS = ("subprocess.Popen", "os.system", "os.exec", "os.posix_spawn", "os.spawn", "os.fork", "os.forkpty",
                  "pty.spawn", "os.kill", "os.killpg", "signal.pthread_kill", "os.pidfd_open")
CTYPES_EVENTS = ("ctypes.dlopen", "ctypes.dlsym", "ctypes.dlsym/handle", "ctypes.cdata", "ctypes.cdata/buffer",
                 "ctypes.call_function", "ctypes.addressof", "ctypes.string_at", "ctypes.wstring_at",
                 "ctypes.create_string_buffer", "ctypes.create_unicode_buffer", "ctypes.set_errno")
SOCKET_EVENTS = ("socket.connect", "socket.bind", "socket.sendto", "socket.sendmsg", "socket.getaddrinfo",
                 "socket.gethostbyname", "socket.gethostbyaddr", "http.client.connect", "urllib.Request")
INTROSPECTION_EVENTS = ("gc.get_objects", "gc.get_referrers", "gc.get_referents", "sys._current_frames",
                        "sys.settrace", "sys.setprofile", "sys.monitoring.register_callback")
INTERNALS = ("grader.run", "grader.hidden", "grader.host", "grader.guard")
RESERVED_FILES = ("<grader", "<정답")  # file names of test code and reference answers
NEAR = 3  # non-stdlib frames looked at for "did notebook code ask for this?" (library helpers in between)


class Setup(NamedTuple):
    """What `make` needs, all captured by `grader.run.kernel.install` before any student code."""
    key: bytes
    record_fd: int
    restore: Callable[[], list[str]]  # grader.run.snapshot's: puts the picture back, names what it put back
    user_ns: dict[str, Any]  # the notebook's globals
    run_code: types.CodeType  # grader.run.kernel._run and its module's globals
    run_globals: dict[str, Any]
    record_code: types.CodeType  # grader.checks.fitlog._record, its globals and the Keras methods it wraps
    record_globals: dict[str, Any]
    originals: tuple[Callable[..., Any], ...]
    notebook_prefix: str  # ipykernel's cell files
    stdlib_prefixes: tuple[str, ...]
    run_files: tuple[str, ...]  # the run's inputs and grader copy


def make(setup: Setup) -> Hook:
    """The audit hook for this kernel (see the module docstring)."""
    _, unseal, sign, _ = seal.crypto()  # the functions themselves: a class attribute could be replaced
    getframe, write, get_ident, current_frames = sys._getframe, os.write, threading.get_ident, sys._current_frames
    to_repr, to_str, to_type, length, to_tuple, any_of, to_id, is_subclass = repr, str, type, len, tuple, any, \
        id, issubclass
    exact_str, encode, code_type, function_type, type_attribute = str.__str__, str.encode, types.CodeType, \
        types.FunctionType, type.__getattribute__
    refusal, os_error, value_error, text_type, bytes_type, plain_types = RuntimeError, OSError, ValueError, str, \
        bytes, (bool, int, float)
    frame_attributes, internals, reserved, near = FRAME_ATTRIBUTES, INTERNALS, RESERVED_FILES, NEAR
    holders, get_attribute = ("tb_frame", "gi_frame", "cr_frame", "ag_frame"), getattr
    grader_files = RESERVED_FILES + tuple(f"{path}/trusted/" for path in setup.run_files)
    import_system = "<frozen importlib"
    key, record_fd, restore, user_ns = setup.key, setup.record_fd, setup.restore, setup.user_ns
    run_code, run_globals, record_code, record_globals, originals = setup.run_code, setup.run_globals, \
        setup.record_code, setup.record_globals, setup.originals
    notebook_prefix, stdlib, run_files = setup.notebook_prefix, setup.stdlib_prefixes, setup.run_files
    state: _State = {"seq": 0, "box": None, "test": None, "taint": [], "files_read": False}
    used_nonces: set[str] = set()
    fits: list[tuple[Any, ...]] = []
    notebook_codes: dict[int, types.CodeType] = {}
    busy: set[int] = set()
    testing = [False]
    threads_at_start = set(current_frames())

    # Student objects reach the hook as event arguments. It never calls isinstance on them (that would ask the
    # object's own __class__) nor any method of theirs: only type(), issubclass on that type, and the C methods
    # of exact built-in types.
    def kind_of(value: object, kinds: type | tuple[type, ...]) -> bool:
        return is_subclass(to_type(value), kinds)

    # -- records ------------------------------------------------------------------------------------------
    def clip(value: Any, size: int = 900) -> Any:  # None, bool, int, float or (cut) text
        if value is None or to_type(value) in plain_types:
            return value
        text = exact_str(value) if kind_of(value, text_type) else to_str(to_type(value).__name__)
        return text if length(text) <= size else text[:size] + "…"

    def emit(kind: str, *fields: object) -> None:
        state["seq"] += 1
        body = encode(to_repr((state["seq"], kind) + to_tuple(clip(f) for f in fields)), "utf-8")
        if length(body) > RECORD_BYTES:  # 900 characters of Korean are 2,700 bytes: several long fields
            body = encode(to_repr((state["seq"], kind) + to_tuple(clip(f, 200) for f in fields)), "utf-8")
        try:  # noqa: SIM105 (contextlib would be a module lookup at run time, see the module docstring)
            write(record_fd, encode(sign(key, body), "ascii") + b" " + body + b"\n")
        except os_error:  # the student's code closed or replaced the pipe: the host gets no verdicts
            pass

    def place(frame: types.FrameType) -> str:
        return f"{clip(frame.f_code.co_name)}, {frame.f_lineno}행 (line)"

    def refuse(kind: str, detail: object, frame: types.FrameType) -> NoReturn:
        emit("refused", kind, detail, place(frame))
        raise refusal(f"채점 환경에서는 쓸 수 없는 기능입니다 (not allowed while grading): {detail}")

    # -- who is asking ------------------------------------------------------------------------------------
    def is_notebook(code: types.CodeType) -> bool:  # by identity: equal code objects of other files compare equal
        return notebook_codes.get(to_id(code)) is code or code.co_filename.startswith(notebook_prefix)

    def notebook_origin(frame: types.FrameType | None, reach: int, importing: bool = False
                        ) -> types.FrameType | None:
        """The first notebook frame among the next `reach` non-stdlib frames, or None. What the import system
        does on its own (reading and compiling a module) is not notebook code's doing, unless `importing`."""
        seen = 0
        while frame is not None and seen < reach:
            code = frame.f_code
            if is_notebook(code):
                return frame
            if code.co_filename.startswith(import_system) and not importing:
                return None
            if not code.co_filename.startswith(stdlib):
                seen += 1
            frame = frame.f_back
        return None

    def runs_notebook_code(frame: types.FrameType | None) -> bool:
        """Whether a thread's stack holds notebook code (a thread the student's code started and runs)."""
        while frame is not None:
            if is_notebook(frame.f_code):
                return True
            frame = frame.f_back
        return False

    def remember(code: types.CodeType) -> None:
        """Code made by notebook code, with the functions nested in it, counts as notebook code too."""
        todo: list[Any] = [code]
        while todo:
            item = todo.pop()
            if to_type(item) is code_type and notebook_codes.get(to_id(item)) is not item:
                notebook_codes[to_id(item)] = item
                todo.extend(item.co_consts)

    # -- the grader's own requests ------------------------------------------------------------------------
    def genuine(frame: types.FrameType, code: types.CodeType, module_globals: dict[str, Any]) -> bool:
        return frame.f_code is code and frame.f_globals is module_globals

    def begin(args: tuple[Any, ...]) -> None:
        sealed, namespace, box = args
        if not genuine(getframe(2), run_code, run_globals) or namespace is not user_ns:
            emit("tampered", "begin", "test opened by code other than the grader's")
            return
        changed = restore()
        if changed:
            emit("patched", "before the test", ", ".join(changed[:30]))
        try:
            opened = unseal(key, sealed)
        except value_error:
            emit("tampered", "begin", "sealed test damaged")
            return
        nonce = opened[:32].decode("ascii", "replace")
        if nonce in used_nonces:
            emit("tampered", "begin", "test run twice")
            return
        used_nonces.add(nonce)
        state.update({"box": box, "test": nonce, "taint": []})
        threads = [ident for ident, frame in current_frames().items()
                   if ident not in threads_at_start and runs_notebook_code(frame)]
        if threads:
            state["taint"].append(f"학생 코드가 만든 스레드 {length(threads)}개가 실행 중 (threads started by "
                                  "notebook code are running)")
            emit("thread", length(threads))
        testing[0] = True
        emit("begin", nonce)
        box.append(opened[32:])

    def end(args: tuple[Any, ...]) -> None:
        box, failure, outcome = args
        if not genuine(getframe(2), run_code, run_globals) or box is not state["box"] or state["test"] is None:
            emit("tampered", "end", "verdict from code other than the grader's")
            return
        changed = restore()
        if changed:
            state["taint"].append("검사 중에 바뀐 라이브러리 (library patched during the test): "
                                  + ", ".join(changed[:10]))
            emit("patched", "during the test", ", ".join(changed[:30]))
        if state["taint"] and failure is None:
            failure = ("AssertionError", "검사를 믿을 수 없어 통과로 보지 않습니다: " + "; ".join(state["taint"]))
            outcome.append(failure)
        emit("verdict", state["test"], failure is None, *(failure or ("", "")))
        state.update({"box": None, "test": None, "taint": []})
        testing[0] = False

    def checkpoint(_args: tuple[Any, ...]) -> None:
        changed = restore()
        if changed:
            emit("patched", "in student code", ", ".join(changed[:30]))
            if testing[0]:
                state["taint"].append("검사가 부른 학생 코드가 라이브러리를 바꿈 (library patched by student code "
                                      "called from the test): " + ", ".join(changed[:10]))

    def fit(args: tuple[Any, ...]) -> None:
        record, answer = args
        frame = getframe(2)
        if not genuine(frame, record_code, record_globals) or not any_of(
                frame.f_locals.get("original") is method for method in originals):
            emit("tampered", "fit", "fit record from code other than the grader's")
            return
        number = record[0]
        if number is None:
            answer.append(length(fits))
            fits.append(record)
        elif 0 <= number < length(fits) and fits[number][1] == record[1]:
            fits[number] = record
            answer.append(number)

    def read_fits(args: tuple[Any, ...]) -> None:
        records, hooked = args
        records.extend(fits)
        hooked.append(True)

    # -- what notebook code does --------------------------------------------------------------------------
    def protect(kind: str, reach: int) -> Handler:
        def handler(args: tuple[Any, ...]) -> None:
            origin = notebook_origin(getframe(2), reach)
            if origin is not None:
                refuse(kind, clip(args[0]) if args else "", origin)
        return handler

    def frames_in_test(args: tuple[Any, ...]) -> None:
        origin = notebook_origin(getframe(2), near) if testing[0] else None
        if origin is not None:
            refuse("frames", clip(args[1]) if length(args) > 1 else "sys._getframe", origin)

    def frame_attribute(args: tuple[Any, ...]) -> None:
        """During a test no frame for notebook code; after it, none of the grader's own frames, which an
        exception or generator the student's code kept could still hold."""
        if testing[0]:
            frames_in_test(args)
            return
        holder, name = args
        if name not in holders:
            return
        frame = get_attribute(holder, name)
        origin = notebook_origin(getframe(2), near) if frame is not None and graders(frame.f_code) else None
        if origin is not None:
            refuse("frames", clip(name), origin)

    def graders(code: types.CodeType) -> bool:
        return code.co_filename.startswith(grader_files)

    def set_attribute(args: tuple[Any, ...]) -> None:
        target = args[0]
        if kind_of(target, to_type):
            owner = type_attribute(target, "__module__")
            mine = to_type(owner) is text_type and owner == "__main__"
            name = type_attribute(target, "__qualname__")
        elif to_type(target) is function_type:
            mine, name = is_notebook(target.__code__), target.__qualname__
        else:
            return
        origin = None if mine else notebook_origin(getframe(2), near)
        if origin is not None:
            refuse("patch", f"{clip(name)}.{clip(args[1])}", origin)

    def opened(args: tuple[Any, ...]) -> None:
        path = args[0]
        if kind_of(path, bytes_type):
            path = bytes_type.decode(path, "utf-8", "replace")
        if not kind_of(path, text_type):
            return
        path, mode = exact_str(path), clip(args[1]) if length(args) > 1 else "r"
        origin = notebook_origin(getframe(2), 64)
        if origin is None:
            return
        if path.startswith("/proc/") and path.endswith(("/mem", "/map_files")):
            refuse("memory", path, origin)
        if path.startswith(run_files) or path.startswith("/proc/"):
            emit("file", path)
        elif to_type(mode) is text_type and "r" in mode:
            state["files_read"] = True

    def imported(args: tuple[Any, ...]) -> None:
        name = args[0]
        if (kind_of(name, text_type) and exact_str(name).startswith(internals)
                and notebook_origin(getframe(2), 64, importing=True) is not None):
            emit("import", exact_str(name))

    def compiled(args: tuple[Any, ...]) -> None:
        source, filename = args[0], args[1]
        origin = notebook_origin(getframe(2), 1)
        if origin is None:
            return
        if kind_of(filename, text_type) and exact_str(filename).startswith(reserved):
            refuse("compile", exact_str(filename), origin)
        preview = exact_str(source)[:120] if kind_of(source, text_type) else clip(source)
        emit("compile", preview, state["files_read"], place(origin))

    def made_code(args: tuple[Any, ...]) -> None:
        code = args[0]
        if to_type(code) is code_type and notebook_origin(getframe(2), 1) is not None:
            remember(code)

    def socket_used(args: tuple[Any, ...]) -> None:
        if notebook_origin(getframe(2), near) is not None:
            emit("network", clip(args[1] if length(args) > 1 and kind_of(args[1], (text_type, to_tuple))
                                 else args[0]))

    def new_hook(_args: tuple[Any, ...]) -> NoReturn:
        emit("refused", "audit", "sys.addaudithook", "")
        raise refusal("채점 환경에서는 감사 훅을 더할 수 없습니다 (no audit hooks while grading)")

    handlers: dict[str, Handler] = {
        "grader.begin": begin, "grader.end": end, "grader.checkpoint": checkpoint, "grader.fit": fit,
        "grader.fits": read_fits, "sys.addaudithook": new_hook, "sys._getframe": frames_in_test,
        "object.__getattr__": frame_attribute, "object.__setattr__": set_attribute,
        "object.__delattr__": set_attribute, "open": opened, "import": imported, "compile": compiled,
        "exec": made_code, "function.__new__": made_code}
    handlers.update({event: protect("process", 64) for event in PROCESS_EVENTS})
    handlers.update({event: protect("ctypes", 64) for event in CTYPES_EVENTS})
    handlers.update({event: protect("introspection", near) for event in INTROSPECTION_EVENTS})
    handlers.update({event: socket_used for event in SOCKET_EVENTS})
    find_handler, busy_add, busy_discard = handlers.get, busy.add, busy.discard

    def hook(event: str, args: tuple[Any, ...]) -> None:
        if event == "object.__getattr__":
            if args[1] not in frame_attributes:
                return
        elif event == "sys._getframe" and not testing[0]:
            return
        handler = find_handler(event)
        if handler is None:
            return
        me = get_ident()
        if me in busy:
            return
        busy_add(me)
        try:
            handler(args)
        finally:
            busy_discard(me)

    emit("installed")
    return hook
