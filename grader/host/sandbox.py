"""The sandbox around one grading run: a small seam with one runner per way of isolating it.

A runner turns the worker command (`python -m grader.run.worker spec.json`) into the command that really
starts, says what the run's kernel needs in its environment (`kernel_env`, written into the run's spec), and
later kills every process of that run. Two runners exist:

- `NoSandbox` ("none"): the worker runs as the grader's own user, in the run's scratch folder.
- `Bubblewrap` ("bwrap"): the worker and its kernel run under bubblewrap, the sandbox Flatpak uses,
  in new user (or, when the grader is root, a dedicated unprivileged uid), PID, IPC, UTS, cgroup and
  network namespaces (loopback only). They see the system read-only, the Python environment, the
  IPython startup folder, the dataset folder and a prebuilt matplotlib font cache read-only, the
  run's inputs (the assembled notebook and the private grader copy) read-only, and one private
  size-limited tmpfs as /tmp (home and working folder). The submissions folder, the output folder,
  the instructor's home and the checkout are not there at all. When the run ends its PID namespace
  goes, and every process in it with it.

A container runner (Docker/Podman) would be a third class with the same methods (the `Runner` protocol).
"""

from __future__ import annotations

import contextlib
import fcntl
import functools
import json
import logging
import os
import re
import shutil
import signal
import subprocess
import sys
import tempfile
import time
from collections.abc import Iterator, Sequence
from pathlib import Path
from typing import Any, Protocol

from nbformat import NotebookNode

from .codes import SandboxProblem

ENVIRONMENT_VARIABLE = "GRADER_SANDBOX"  # "bwrap" makes the default ("auto") insist on the sandbox
CHOICES = ("auto", "bwrap", "none")
INSTALL = "sudo apt-get install bubblewrap"
INSIDE_UID = 65534  # the uid the run sees ("nobody")
ROOT_UID_BASE, ROOT_UID_SLOTS = 60000, 1000  # grader running as root: one uid per concurrent run
INPUTS = "/grading"  # read-only: graded.ipynb, spec.json and trusted/ (the private grader copy)
HOME = "/tmp/home"
WORK = "/tmp/work"
# Environment variables a run may inherit (tuning only; everything else, secrets included, stays out).
PASSED_ENV = ("LANG", "LC_ALL", "TZ", "OMP_NUM_THREADS", "TF_NUM_INTEROP_THREADS",
              "TF_NUM_INTRAOP_THREADS", "TF_ENABLE_ONEDNN_OPTS", "KERAS_BACKEND", "TF_CPP_MIN_LOG_LEVEL")
DATASET_FILE = re.compile(r"\bdatasets\.(\w+)\.load_data\b")
log = logging.getLogger(__name__)


class SandboxError(RuntimeError):
    """A sandbox that was asked for cannot be used (`--sandbox bwrap` without bubblewrap, an unknown choice)."""

    def __init__(self, code: SandboxProblem, detail: str = "") -> None:
        super().__init__(f"{code.text}: {detail}" if detail else code.text)
        self.code = code


class Process(subprocess.Popen[bytes]):
    """A run's worker as a runner started it, with what that runner needs to kill it."""
    sandbox: dict[str, Any]  # bubblewrap's --info-fd report: its child's pid and namespaces ({} without it)
    uid_slot: contextlib.ExitStack  # bubblewrap as root: holds the run's uid until kill()


class Runner(Protocol):
    """One way of isolating a grading run (see the module docstring)."""
    name: str  # recorded in every result: "bwrap" or "none"
    processes: int  # most processes of the run's user; 0 leaves it unlimited

    def prepare(self, solution: NotebookNode) -> None: ...

    def kernel_env(self) -> dict[str, str]: ...

    def start(self, argv: list[str], folder: str | Path, env: dict[str, str], pass_fds: Sequence[int],
              **popen: Any) -> Process: ...

    def kill(self, process: Process, token: str, kernel_pid: int | None = None) -> None: ...


class NoSandbox:
    """Run the worker as the grader's user; only the resource limits and the process kills apply."""
    name = "none"
    processes = 0

    def prepare(self, solution: NotebookNode) -> None:
        pass

    def kernel_env(self) -> dict[str, str]:
        """The offline dataset folder, when the offline switch (IPYTHONDIR) is on."""
        if not os.environ.get("IPYTHONDIR"):
            return {}
        from ..datasets import default_folder

        return {"IPYTHONDIR": os.environ["IPYTHONDIR"], "COURSE_DATASETS": str(default_folder().resolve())}

    def start(self, argv: list[str], folder: str | Path, env: dict[str, str], pass_fds: Sequence[int],
              **popen: Any) -> Process:
        env = dict(env)
        if os.environ.get("PYTHONPATH"):
            env["PYTHONPATH"] += os.pathsep + os.environ["PYTHONPATH"]
        process = Process(argv, cwd=folder, env=dict(os.environ, **env), pass_fds=pass_fds, start_new_session=True,
                          **popen)
        process.sandbox = {}
        return process

    def kill(self, process: Process, token: str, kernel_pid: int | None = None) -> None:
        _kill_group(process.pid)
        if kernel_pid:
            _kill_group(kernel_pid)
        for pid in _pids_with_token(token):
            with contextlib.suppress(ProcessLookupError, PermissionError):
                os.kill(pid, signal.SIGKILL)


class Bubblewrap:
    """Run the worker and its kernel in a bubblewrap sandbox (see the module docstring)."""
    name = "bwrap"

    def __init__(self, tmp_mb: int = 1024, processes: int | None = None) -> None:
        self.tmp_mb = tmp_mb
        self.processes = processes or max(512, 16 * (os.cpu_count() or 1))
        self.mounts: list[tuple[str, str]] = []  # (host path, path inside) mounted read-only in every run
        self.env: dict[str, str] = {}  # what the kernel needs in its environment (see kernel_env)

    # -- parent side, once per batch, before any student code runs ------------------------------
    def prepare(self, solution: NotebookNode) -> None:
        """Read-only mounts every run needs: Python, startup folder, datasets, matplotlib fonts."""
        mounts: list[tuple[str, str]] = []
        env: dict[str, str] = {}
        for path in _python_paths():
            mounts.append((path, path))
        if os.environ.get("IPYTHONDIR"):  # the offline dataset switch (tests/ipython) or another profile
            # IPython needs a writable profile folder (else it silently uses a temporary one without the
            # startup files): a fresh one in the run's /tmp, with only the startup files mounted read-only.
            startup = Path(os.environ["IPYTHONDIR"]).resolve() / "profile_default" / "startup"
            if startup.is_dir():
                mounts.append((str(startup), f"{HOME}/.ipython/profile_default/startup"))
            env["IPYTHONDIR"] = f"{HOME}/.ipython"
            from ..datasets import default_folder

            datasets = str(default_folder().resolve())  # filled here by the parent, read-only inside
            mounts.append((datasets, datasets))
            env["COURSE_DATASETS"] = datasets
        else:  # real keras.datasets: fetch once here, the run reads the Keras cache read-only
            cache = _prefetch_keras_datasets(solution)
            if cache:
                mounts.append((cache, f"{HOME}/.keras/datasets"))
        fonts = _font_cache()
        if fonts:
            mounts.append((str(fonts), f"{HOME}/.config/matplotlib/{fonts.name}"))
        env["MPLCONFIGDIR"] = f"{HOME}/.config/matplotlib"
        self.mounts, self.env = mounts, env

    def kernel_env(self) -> dict[str, str]:
        """IPYTHONDIR, COURSE_DATASETS and MPLCONFIGDIR as mounted inside the sandbox (see prepare)."""
        return dict(self.env)

    # -- one run ----------------------------------------------------------------------------------
    def start(self, argv: list[str], folder: str | Path, env: dict[str, str], pass_fds: Sequence[int],
              **popen: Any) -> Process:
        """Start `argv` in a new sandbox; `folder` holds the run's inputs (mounted read-only)."""
        folder = str(Path(folder).resolve())
        env = {**{k: os.environ[k] for k in PASSED_ENV if k in os.environ}, **env, "HOME": HOME,
               "PATH": os.pathsep.join([str(Path(sys.executable).parent), "/usr/local/bin", "/usr/bin", "/bin"]),
               "PYTHONPATH": env.get("PYTHONPATH", "").replace(folder, INPUTS)}
        argv = [a.replace(folder, INPUTS) for a in argv]
        info_read, info_write = os.pipe()
        uid = None
        with contextlib.ExitStack() as stack:
            if os.geteuid() == 0:
                uid = stack.enter_context(_root_uid_slot())
                os.chown(folder, uid, uid)
                for path in Path(folder).rglob("*"):
                    os.lchown(path, uid, uid)
            command = bwrap_command(argv, self.mounts, folder, env, self.tmp_mb, uid, info_write)
            try:
                process = Process(command, cwd="/", env={"PATH": os.environ.get("PATH", "/usr/bin:/bin")},
                                  pass_fds=[*pass_fds, info_write], start_new_session=True, **popen)
            finally:
                os.close(info_write)
            process.uid_slot = stack.pop_all()  # released in kill(), once the run's processes are gone
        with os.fdopen(info_read, "rb") as info:
            data = info.read()  # bwrap writes its child's pid and namespaces, then closes the pipe
        process.sandbox = {}
        with contextlib.suppress(ValueError):
            report = json.loads(data)
            if isinstance(report, dict):
                process.sandbox = report
        return process

    def kill(self, process: Process, token: str, kernel_pid: int | None = None) -> None:
        """Kill the sandbox and wait until no process of its PID namespace is left."""
        _kill_group(process.pid)
        namespace = process.sandbox.get("pid-namespace")
        deadline = time.monotonic() + 10
        while namespace and time.monotonic() < deadline:
            left = list(_pids_in_namespace(namespace))
            if not left:
                break
            for pid in left:
                with contextlib.suppress(ProcessLookupError, PermissionError):
                    os.kill(pid, signal.SIGKILL)
            time.sleep(0.05)
        process.uid_slot.close()


def bwrap_command(argv: list[str], mounts: list[tuple[str, str]], folder: str, env: dict[str, str], tmp_mb: int,
                  uid: int | None, info_fd: int) -> list[str]:
    """The bwrap command line for one run (uid: a dedicated host uid when the grader is root)."""
    command = ["bwrap", "--unshare-pid", "--unshare-ipc", "--unshare-uts", "--unshare-net",
               "--unshare-cgroup-try", "--die-with-parent", "--new-session", "--hostname", "grader",
               "--info-fd", str(info_fd)]
    if uid is None:  # unprivileged: a user namespace maps the grader's uid to an unprivileged one inside
        command += ["--unshare-user", "--disable-userns", "--uid", str(INSIDE_UID), "--gid", str(INSIDE_UID)]
    else:  # root: bwrap mounts as root, then setpriv drops to the run's own uid without capabilities
        command += ["--cap-add", "CAP_SETUID", "--cap-add", "CAP_SETGID"]
    command += ["--ro-bind", "/usr", "/usr"]
    for top in ("/bin", "/sbin", "/lib", "/lib32", "/lib64", "/etc"):
        if os.path.islink(top):
            command += ["--symlink", os.readlink(top), top]
        elif os.path.isdir(top):
            command += ["--ro-bind", top, top]
    command += ["--proc", "/proc", "--dev", "/dev",
                "--perms", "1777", "--size", str(tmp_mb << 20), "--tmpfs", "/tmp",
                "--perms", "0755", "--dir", f"{HOME}/.config"]
    for writable in (HOME, WORK, f"{HOME}/.config/matplotlib", f"{HOME}/.keras", f"{HOME}/.ipython",
                     f"{HOME}/.ipython/profile_default"):  # the run's uid writes here
        command += ["--perms", "1777", "--dir", writable]
    made = {"/", "/usr", "/tmp", HOME, WORK, "/proc", "/dev", f"{HOME}/.config", f"{HOME}/.config/matplotlib",
            f"{HOME}/.keras", f"{HOME}/.ipython", f"{HOME}/.ipython/profile_default"}
    for source, target in [*mounts, (folder, INPUTS)]:
        for parent in reversed(Path(target).parents):  # parents bwrap would otherwise make 0700 as root
            if str(parent) not in made and not str(parent).startswith(("/usr/", "/etc/")):
                command += ["--perms", "0755", "--dir", str(parent)]
                made.add(str(parent))
        command += ["--ro-bind", source, target]
        made.add(target)
    command += ["--chdir", WORK, "--clearenv"]
    for key, value in env.items():
        command += ["--setenv", key, value]
    if uid is not None:
        command += ["--", "setpriv", f"--reuid={uid}", f"--regid={uid}", "--clear-groups",
                    "--inh-caps=-all", "--bounding-set=-all", "--no-new-privs"]
    return command + ["--", *argv]


@functools.cache
def probe() -> str:
    """'' when a bubblewrap sandbox starts here (tried once per process), else why not."""
    if not shutil.which("bwrap"):
        return SandboxProblem.NOT_INSTALLED.text
    runner = Bubblewrap(tmp_mb=8)
    runner.mounts = [(path, path) for path in _python_paths()]
    with tempfile.TemporaryDirectory(prefix="grader-probe-") as folder:
        try:
            process = runner.start([sys.executable, "-c", "import os; os.listdir('/grading')"], folder, {}, [],
                                   stdout=subprocess.PIPE, stderr=subprocess.STDOUT)
            output, _ = process.communicate(timeout=60)
            runner.kill(process, "")
        except (OSError, subprocess.SubprocessError) as error:
            return f"{SandboxProblem.CANNOT_START.text}: {error}"
    if process.returncode != 0:
        return f"{SandboxProblem.FAILS.text}: " + output.decode("utf-8", "replace").strip()[-300:]
    return ""


def resolve(choice: str | None = None) -> Runner:
    """The runner for --sandbox {auto,bwrap,none}; None means $GRADER_SANDBOX, else auto."""
    choice = choice or os.environ.get(ENVIRONMENT_VARIABLE) or "auto"
    if choice not in CHOICES:
        raise SandboxError(SandboxProblem.UNKNOWN_CHOICE, f"got {choice!r}")
    if choice == "none":
        return NoSandbox()
    problem = probe()
    if not problem:
        return Bubblewrap()
    if choice == "bwrap":
        raise SandboxError(SandboxProblem.UNAVAILABLE, f"{problem}. 설치 (install): `{INSTALL}`. "
                           "샌드박스 없이 채점하려면 (to grade without one) --sandbox none")
    log.warning("\n" + "!" * 78 + "\n"
                f"경고 (warning): {SandboxProblem.UNSANDBOXED.text} — {problem}.\n"
                "학생 코드가 채점기와 같은 권한으로 실행되어 다른 제출물·결과 폴더·네트워크에 접근할 수 있습니다 "
                "(student code runs with the grader's rights).\n"
                f"설치하세요 (install): {INSTALL}   (results record sandbox=none)\n" + "!" * 78)
    return NoSandbox()


# -- helpers ---------------------------------------------------------------------------------------
def _python_paths() -> list[str]:
    """Folders the worker's Python needs: the environment, its base installation, site-packages.
    The checkout itself and its grader/ are left out (an editable install): the run imports its own copy."""
    checkout = Path(__file__).resolve().parents[2]
    candidates = {sys.prefix, sys.exec_prefix, sys.base_prefix, sys.base_exec_prefix,
                  str(Path(sys.executable).parent)}
    candidates |= {p for p in sys.path if "site-packages" in p or "dist-packages" in p}
    paths = set()
    for candidate in candidates:
        for path in {os.path.abspath(candidate), os.path.realpath(candidate)}:
            inside = Path(path) == checkout or checkout / "grader" in [Path(path), *Path(path).parents]
            if os.path.isdir(path) and not path.startswith(("/usr/", "/etc/")) and path != "/usr" and not inside:
                paths.add(path)
    # keep outermost folders only
    return sorted(p for p in paths if not any(q != p and Path(q) in Path(p).parents for q in paths))


def _cache_folder() -> Path:
    return Path(os.environ.get("XDG_CACHE_HOME") or Path.home() / ".cache") / "grader"


def _font_cache() -> Path | None:
    """matplotlib's font list, built once outside the sandbox (a hidden home would rebuild it every run)."""
    folder = _cache_folder() / "matplotlib"
    found = sorted(folder.glob("fontlist-v*.json"))
    if not found:
        folder.mkdir(parents=True, exist_ok=True)
        subprocess.run([sys.executable, "-c", "import matplotlib.font_manager"], check=False,
                       env=dict(os.environ, MPLCONFIGDIR=str(folder), MPLBACKEND="Agg"),
                       stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
        found = sorted(folder.glob("fontlist-v*.json"))
    return found[-1] if found else None


def _prefetch_keras_datasets(solution: NotebookNode) -> str | None:
    """Download the Keras datasets the solution loads (once, outside); the Keras cache folder or None."""
    from ..datasets import FILES

    names = sorted({n for cell in solution.cells for n in DATASET_FILE.findall(cell.source) if n in FILES})
    cache = Path(os.environ.get("KERAS_HOME") or Path.home() / ".keras") / "datasets"
    missing = [n for n in names if not all((cache / f).is_file() for f in FILES[n])]
    if missing:
        code = "import keras\n" + "".join(
            f"keras.datasets.{n}.load_data()\n" + (f"keras.datasets.{n}.get_word_index()\n" if len(FILES[n]) > 1
                                                   else "") for n in missing)
        done = subprocess.run([sys.executable, "-c", code], check=False, stdout=subprocess.DEVNULL,
                              stderr=subprocess.PIPE)
        if done.returncode:
            log.warning(f"경고 (warning): {SandboxProblem.DATASETS_NOT_FETCHED.text}: {', '.join(missing)}. "
                        "샌드박스 안에는 네트워크가 없습니다 (no network in the sandbox); "
                        "오프라인 스위치(IPYTHONDIR=tests/ipython)를 쓰세요 (offline switch).")
    return str(cache) if cache.is_dir() else None


@contextlib.contextmanager
def _root_uid_slot() -> Iterator[int]:
    """A host uid no other running sandbox uses (60000-60999), held with a lock file."""
    folder = Path(tempfile.gettempdir()) / "grader-sandbox-uids"
    folder.mkdir(mode=0o700, exist_ok=True)
    for uid in range(ROOT_UID_BASE, ROOT_UID_BASE + ROOT_UID_SLOTS):
        handle = open(folder / f"{uid}.lock", "w")  # noqa: SIM115 (held until the run ends)
        try:
            fcntl.flock(handle, fcntl.LOCK_EX | fcntl.LOCK_NB)
        except OSError:
            handle.close()
            continue
        try:
            yield uid
        finally:
            handle.close()
        return
    raise SandboxError(SandboxProblem.NO_FREE_UID)


def _kill_group(pid: int) -> None:
    with contextlib.suppress(ProcessLookupError, PermissionError):
        os.killpg(pid, signal.SIGKILL)


def _pids_with_token(token: str) -> Iterator[int]:
    marker = f"GRADER_RUN={token}".encode()
    for environ in Path("/proc").glob("[0-9]*/environ"):
        with contextlib.suppress(OSError):
            if marker in environ.read_bytes().split(b"\0"):
                yield int(environ.parent.name)


def _pids_in_namespace(inode: int) -> Iterator[int]:
    """Host pids of the live processes in the PID namespace with this inode number (zombies are dead:
    the namespace's init, orphaned when bwrap exits, may wait a while for the system to reap it)."""
    wanted = f"pid:[{inode}]"
    for entry in Path("/proc").glob("[0-9]*"):
        with contextlib.suppress(OSError, IndexError):
            if (os.readlink(entry / "ns" / "pid") == wanted
                    and (entry / "stat").read_text().rsplit(")", 1)[1].split()[0] not in "ZX"):
                yield int(entry.name)
