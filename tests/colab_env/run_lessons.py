"""Run notebooks top to bottom in kernels of a student's environment; report every error.

Student side only: this file needs the standard library, nbformat and nbclient, so it runs in the
Colab-like venv (tests/colab_env/run.sh) as well as in the course's .venv (tests/test_publish.py).
Each kernel gets
  - an IPYTHONDIR made here whose startup file (tests/colab_env/startup/) reads keras.datasets from
    COURSE_DATASETS: the offline switch lives outside the installed package;
  - a probe, before the notebook's first cell, that `grader` comes from where the student's copy is
    (`--grader-under`), that `import grader.hidden` fails and that instructor-only modules
    (`--forbid`) are not even installed;
  - its own empty working folder, so that nothing beside the notebook shadows `grader`.

    python tests/colab_env/run_lessons.py --datasets DIR --grader-under PATH [--pythonpath DIR]
                                          [--forbid nbgrader,pytest] [--hide-editable] NOTEBOOK...
"""

import argparse
import os
import shutil
import sys
import tempfile
import time
from pathlib import Path

import nbformat
from nbclient import NotebookClient
from nbclient.exceptions import CellExecutionError

STARTUP = Path(__file__).resolve().parent / "startup"

PROBE = '''\
def _student_environment_probe():
    import importlib.util
    import os

    import grader

    where, under = os.path.realpath(grader.__file__), os.path.realpath(os.environ["EXPECT_GRADER_UNDER"])
    assert where.startswith(under + os.sep), f"grader을(를) {where}에서 불러왔습니다 ({under} 밖)"
    try:
        import grader.hidden  # noqa: F401
    except ImportError:
        pass
    else:
        raise AssertionError("학생 환경에서 grader.hidden을 불러올 수 있습니다 (hidden tests are installed)")
    installed = [name for name in os.environ.get("FORBID_MODULES", "").split(",")
                 if name and importlib.util.find_spec(name) is not None]
    assert not installed, f"강사용 모듈이 설치되어 있습니다 (instructor-only modules installed): {installed}"
    print("grader:", where)


_student_environment_probe()
del _student_environment_probe
'''


# For kernels of the course's own .venv, where `pip install -e .` put a finder on sys.meta_path
# that serves every `grader.*` module from the instructor's checkout; a student has no such thing.
HIDE_EDITABLE = """\
import sys

sys.meta_path[:] = [finder for finder in sys.meta_path
                    if not getattr(finder, "__module__", "").startswith("__editable__")]
"""


def student_ipythondir(folder, hide_editable=False):
    """An IPYTHONDIR in `folder` whose profile starts with the offline-datasets switch."""
    startup = Path(folder) / "profile_default" / "startup"
    startup.mkdir(parents=True, exist_ok=True)
    for path in sorted(STARTUP.glob("*.py")):
        shutil.copy(path, startup / path.name)
    if hide_editable:
        (startup / "00-hide-editable-installs.py").write_text(HIDE_EDITABLE, encoding="utf-8")
    return Path(folder)


def kernel_environment(ipythondir, datasets, grader_under, pythonpath=None, forbid=()):
    env = dict(os.environ, IPYTHONDIR=str(ipythondir), COURSE_DATASETS=str(datasets),
               EXPECT_GRADER_UNDER=str(grader_under), FORBID_MODULES=",".join(forbid),
               TF_CPP_MIN_LOG_LEVEL="3", MPLBACKEND="agg")
    env.pop("GRADER_CHECKOUT", None)
    if pythonpath:
        env["PYTHONPATH"] = os.pathsep.join([str(pythonpath), *filter(None, [os.environ.get("PYTHONPATH")])])
    else:
        env.pop("PYTHONPATH", None)
    return env


def _first_line(cell):
    return next((line for line in cell.source.splitlines() if line.strip()), "")[:80]


def error_outputs(nb):
    """["cell N (first line): Error: message", ...] for every error output in an executed notebook."""
    return [f"셀 {index} ({_first_line(cell)}): {output.get('ename')}: {output.get('evalue', '')[:2000]}"
            for index, cell in enumerate(nb.cells)
            for output in cell.get("outputs", []) if output.get("output_type") == "error"]


def run_notebook(path, env, timeout=900):
    """Execute a copy of the notebook with the probe first; (seconds, errors, executed notebook)."""
    nb = nbformat.read(path, as_version=4)
    nb.cells.insert(0, nbformat.v4.new_code_cell(PROBE))
    start, stopped = time.monotonic(), []
    with tempfile.TemporaryDirectory(prefix="student-cwd-") as cwd:
        client = NotebookClient(nb, timeout=timeout, kernel_name="python3", resources={"metadata": {"path": cwd}})
        try:
            client.execute(env=env)
        except CellExecutionError:
            pass  # the error output stays in the notebook and is reported below
        except Exception as error:  # a dead kernel, a timeout: the notebook's fault or the environment's
            stopped.append(f"{type(error).__name__}: {error}"[:2000])
    errors = error_outputs(nb) + stopped
    if not errors and any(cell.cell_type == "code" and cell.get("execution_count") is None for cell in nb.cells):
        errors = ["실행되지 않은 셀이 있습니다 (some cells did not run)"]
    return time.monotonic() - start, errors, nb


def run_all(notebooks, env, executed=None):
    """Run each notebook; print one line each; return {name: errors}."""
    failures = {}
    for path in notebooks:
        seconds, errors, nb = run_notebook(Path(path), env)
        print(f"{Path(path).stem}: {seconds:.1f}초 — {'통과 (ok)' if not errors else '실패 (failed)'}", flush=True)
        for error in errors:
            print(f"    {error}", flush=True)
        if executed:
            Path(executed).mkdir(parents=True, exist_ok=True)
            nbformat.write(nb, Path(executed) / Path(path).name)
        if errors:
            failures[Path(path).stem] = errors
    return failures


def main(argv=None):
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("notebooks", nargs="+")
    parser.add_argument("--datasets", required=True, help="folder with the Keras dataset files")
    parser.add_argument("--grader-under", required=True, help="the kernel's grader must come from here")
    parser.add_argument("--pythonpath", help="put this folder first on the kernel's PYTHONPATH")
    parser.add_argument("--forbid", default="", help="comma-separated modules that must not be installed")
    parser.add_argument("--executed", help="write the executed notebooks here")
    parser.add_argument("--hide-editable", action="store_true",
                        help="drop editable-install finders (the course's own `pip install -e .`) in the kernel")
    args = parser.parse_args(argv)
    with tempfile.TemporaryDirectory(prefix="student-ipython-") as folder:
        env = kernel_environment(student_ipythondir(folder, args.hide_editable), args.datasets, args.grader_under,
                                 args.pythonpath, [name for name in args.forbid.split(",") if name])
        failures = run_all(args.notebooks, env, args.executed)
    print(f"{len(args.notebooks) - len(failures)}/{len(args.notebooks)}개 노트북 통과 (notebooks passed)")
    return 1 if failures else 0


if __name__ == "__main__":
    sys.exit(main())
