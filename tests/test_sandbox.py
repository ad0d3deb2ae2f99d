"""The sandbox seam: choosing a runner (--sandbox, GRADER_SANDBOX) and what a run can see and do.

The hostile corpus (test_hostile.py) checks the sandbox end to end through `grader grade`; these
tests are the fast ones: no kernel, no TensorFlow.
"""

import json
import logging
import os
import subprocess
import sys
import tempfile
from pathlib import Path

import pytest

from grader.host import cli, sandbox
from grader.host.codes import SandboxProblem
from grader.host.sandbox import INSTALL, Bubblewrap, NoSandbox, SandboxError, resolve
from tests.conftest import ROOT


@pytest.fixture
def no_bwrap(monkeypatch):
    monkeypatch.setattr(sandbox, "probe", lambda: SandboxProblem.NOT_INSTALLED.text)
    monkeypatch.delenv(sandbox.ENVIRONMENT_VARIABLE, raising=False)


def test_none_is_always_available():
    assert isinstance(resolve("none"), NoSandbox) and resolve("none").name == "none"


def test_auto_without_bwrap_grades_unsandboxed_with_a_loud_korean_warning(no_bwrap, caplog):
    assert resolve("auto").name == "none"
    [warning] = [record.getMessage() for record in caplog.records if record.levelno == logging.WARNING]
    assert SandboxProblem.UNSANDBOXED.text in warning and INSTALL in warning


def test_bwrap_without_bwrap_is_an_error_not_a_fallback(no_bwrap):
    with pytest.raises(SandboxError, match="apt-get install bubblewrap") as raised:
        resolve("bwrap")
    assert raised.value.code is SandboxProblem.UNAVAILABLE


def test_environment_variable_turns_auto_into_bwrap(no_bwrap, monkeypatch):
    monkeypatch.setenv(sandbox.ENVIRONMENT_VARIABLE, "bwrap")
    with pytest.raises(SandboxError) as raised:
        resolve(None)
    assert raised.value.code is SandboxProblem.UNAVAILABLE


def test_cli_reports_a_missing_sandbox_clearly(no_bwrap, capsys, tmp_path):
    code = cli.main(["grade", "--sandbox", "bwrap", "--lesson", "01_layers", "--out", str(tmp_path), str(tmp_path)])
    assert code == 2 and "bubblewrap" in capsys.readouterr().err


def test_command_hides_the_checkout_and_shares_no_network():
    command = sandbox.bwrap_command(["python"], [("/opt/venv", "/opt/venv")], "/tmp/run", {"A": "1"}, 64, None, 9)
    assert {"--unshare-net", "--unshare-pid", "--unshare-user", "--die-with-parent", "--clearenv"} <= set(command)
    binds = [command[i + 1:i + 3] for i, arg in enumerate(command) if arg in ("--bind", "--ro-bind")]
    assert ["/tmp/run", sandbox.INPUTS] in binds and "--bind" not in command  # nothing writable from the host
    assert str(ROOT) not in command
    assert all(str(ROOT) not in path or ".venv" in path for path in sandbox._python_paths())


SCRIPT = r"""
import json, os, socket, sys
facts = {"uid": os.getuid(), "env": sorted(os.environ), "pids": [p for p in os.listdir("/proc") if p.isdigit()]}
for name, action in [("write_usr", lambda: open("/usr/x", "w")), ("write_inputs", lambda: open("/grading/x", "w")),
                     ("checkout", lambda: os.listdir(sys.argv[1])), ("home", lambda: os.listdir(sys.argv[2])),
                     ("network", lambda: socket.create_connection(("127.0.0.1", int(sys.argv[3])), timeout=2)),
                     ("fill_tmp", lambda: open("/tmp/fill", "wb").write(bytes(64 << 20)))]:
    try:
        facts[name] = action()
        facts[name] = facts[name] if isinstance(facts[name], list) else "allowed"
    except OSError as error:
        facts[name] = type(error).__name__ + str(error.errno)
print(json.dumps(facts))
"""


@pytest.mark.skipif(sandbox.probe() != "", reason="bubblewrap를 쓸 수 없습니다")
def test_a_run_sees_only_what_it_needs(monkeypatch):
    import errno
    import socket

    monkeypatch.setenv("GRADER_TEST_SECRET", "hunter2")
    server = socket.create_server(("127.0.0.1", 0))
    runner = Bubblewrap(tmp_mb=16)
    runner.mounts = [(path, path) for path in sandbox._python_paths()]
    with tempfile.TemporaryDirectory() as folder:
        process = runner.start([sys.executable, "-c", SCRIPT, str(ROOT), str(Path.home()),
                                str(server.getsockname()[1])], folder, {}, [], stdout=subprocess.PIPE)
        output, _ = process.communicate(timeout=60)
        runner.kill(process, "")
    server.close()
    facts = json.loads(output)
    assert facts["uid"] != 0 and len(facts["pids"]) <= 3  # own PID namespace: bwrap's init and the command
    assert "GRADER_TEST_SECRET" not in facts["env"]
    assert facts["write_usr"] == facts["write_inputs"] == f"OSError{errno.EROFS}"
    # only the Python environment, where it lives in the checkout or in the home folder
    assert facts["checkout"] in ([".venv"], [], f"FileNotFoundError{errno.ENOENT}")
    assert set(facts["home"]) <= {".pyenv", ".local"} or facts["home"] == f"FileNotFoundError{errno.ENOENT}"
    assert facts["network"] == f"ConnectionRefusedError{errno.ECONNREFUSED}"
    assert facts["fill_tmp"] == f"OSError{errno.ENOSPC}"


def test_environment_keeps_only_tuning_variables(monkeypatch):
    monkeypatch.setenv("GRADER_TEST_SECRET", "hunter2")
    assert "GRADER_TEST_SECRET" not in sandbox.PASSED_ENV
    assert os.environ["GRADER_TEST_SECRET"] == "hunter2"
