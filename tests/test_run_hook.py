"""The audit hook on its own, in a fresh Python process (an audit hook cannot be removed once added).

"Notebook code" here is code compiled under a fake cell-file folder; the hook refuses it what the grading run
refuses student cells, and signs evidence the host can check.
"""

import json
import os
import subprocess
import sys

from grader.host.verdicts import read_records
from grader.run.seal import new_key
from tests.conftest import ROOT

SCRIPT = r'''
import ctypes, json, os, sys
from grader.run import hook, kernel

key, record_fd = bytes.fromhex(sys.argv[1]), int(sys.argv[2])
setup = hook.Setup(key=key, record_fd=record_fd, restore=lambda: [], user_ns={}, run_code=kernel._run.__code__,
                   run_globals=vars(kernel), record_code=None, record_globals=None, originals=(),
                   notebook_prefix="/notebook-cells/", stdlib_prefixes=kernel._stdlib(), run_files=("/grading",))
sys.addaudithook(hook.make(setup))
sys.addaudithook(lambda *args: None)  # refused: the hook stays the only one

grader_code = compile("def check(student):\n    try:\n        student()\n    except ValueError:\n        pass\n",
                      "<grader:l99_ex1_test>", "exec")
cell = """
import sys
results = {}
def attempt(name, action):
    try:
        action()
        results[name] = "allowed"
    except RuntimeError:
        results[name] = "refused"
attempt("reserved_name", lambda: compile("x = 1", "<grader:fake>", "exec"))
attempt("ctypes", lambda: ctypes.string_at(id(results), 8))
attempt("memory", lambda: open("/proc/self/mem", "rb"))
def own_error():
    try:
        raise KeyError
    except KeyError as error:
        return error.__traceback__.tb_frame
attempt("own_frame", own_error)
scope = {}
exec(grader_code, scope)
KEPT = []
def student_raise():
    error = ValueError()
    KEPT.append(error)
    raise error
scope["check"](student_raise)  # the grader's code catches it: its traceback holds the grader's frame
attempt("grader_frame", lambda: KEPT[0].__traceback__.tb_frame)
sys.audit("grader.begin", "sealed", {}, [])
print(json.dumps(results))
"""
exec(compile(cell, "/notebook-cells/1.py", "exec"), {"ctypes": ctypes, "grader_code": grader_code, "json": json})
'''


def test_the_hook_refuses_notebook_code_and_signs_what_it_saw():
    key = new_key()
    read_end, write_end = os.pipe()
    done = subprocess.run([sys.executable, "-c", SCRIPT, key.hex(), str(write_end)], cwd=ROOT, pass_fds=[write_end],
                          capture_output=True, text=True, timeout=120)
    os.close(write_end)
    with os.fdopen(read_end, "rb") as records:
        lines = [[0, line] for line in records.read().decode().splitlines()]
    assert done.returncode == 0, done.stderr
    assert json.loads(done.stdout) == {"reserved_name": "refused", "ctypes": "refused", "memory": "refused",
                                       "own_frame": "allowed", "grader_frame": "refused"}
    report = read_records(lines, key, [])
    assert report.installed and not [item for item in report.evidence if item.kind == "forged"]
    seen = [(item.kind, item.detail[0]) for item in report.evidence]
    assert seen == [("refused", "audit"), ("refused", "compile"), ("refused", "ctypes"), ("refused", "memory"),
                    ("refused", "frames"), ("tampered", "begin")]
