"""Every lesson at Colab scale: wall time and peak memory, with the grader's fit/evaluate/predict recording on and off.

Usage: .venv/bin/python benchmarks/colab_scale.py [LESSON ...] [--pairs N] [--no-record]
       (`make colab-scale`; not in `make test`)

Data: the real Keras files found in ../shared/datasets (Boston housing today) and synthetic files of the real
sizes for the others (grader.datasets scale "real": IMDB 25,000 / 25,000 reviews, Reuters 8,982 / 2,246 articles),
in .cache/datasets-real. Each run is a fresh kernel:
  - student, recording off / on: the released lesson with the solution's answers (public checks only), as a
    student runs it in Colab. A first cell imports grader.checks (which starts the recording); in "off" it also
    puts keras.Model.fit/evaluate/predict back as they were, so the recording is the only difference (the public
    checks that read the records fail there and the run goes on: the failed cells are counted); in "on" it
    times the recording's own work (every fingerprint of the recorded calls' data). The pairs run side by side
    (off, on; then on, off; ...) and the medians are compared.
  - graded: the solution notebook with its hidden tests, as `grader grade` runs it (recording on).
Time is the notebook's own cells (kernel start and the first import excluded); memory is the kernel's peak
resident set. Targets (issue 18): the recording takes at most 5 % of a lesson's time and 10 % of its peak memory;
every lesson's peak stays under 10 GB (Colab gives about 12.7 GB). Exit status 1 when a target is missed.
The table replaces this run's section of benchmarks/RESULTS.md unless `--no-record`.
"""

import argparse
import json
import os
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

import nbformat
from nbclient import NotebookClient

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from benchmarks import results_file  # noqa: E402
from grader.datasets import default_folder  # noqa: E402
from grader.host.course import load_course  # noqa: E402
from grader.host.samples import filled  # noqa: E402

TIME_TARGET, MEMORY_TARGET, PEAK_LIMIT_GB = 0.05, 0.10, 10.0
RECORDING_ON = """from grader import checks  # starts the fit/evaluate/predict recording
import time
from grader.checks import fitlog

_fingerprint, _timer = fitlog.fingerprint, {"seconds": 0.0, "depth": 0}


def _timed_fingerprint(data):  # the recording's own work: fingerprints of every fit/evaluate/predict's data
    _timer["depth"] += 1
    started = time.perf_counter()
    try:
        return _fingerprint(data)
    finally:
        _timer["depth"] -= 1
        _timer["seconds"] += (time.perf_counter() - started) * (_timer["depth"] == 0)


fitlog.fingerprint = _timed_fingerprint
"""
RECORDING_OFF = """from grader import checks
import keras

for _method in ("fit", "evaluate", "predict"):  # the methods as they were before grader.checks wrapped them
    setattr(keras.Model, _method, getattr(keras.Model, _method).__wrapped__)
"""
MEASURE = """import json, resource
from grader.checks import fitlog
print("COLAB-SCALE" + json.dumps({"peak_kb": resource.getrusage(resource.RUSAGE_SELF).ru_maxrss,
                                  "records": len(fitlog.calls()),
                                  "recording": globals().get("_timer", {}).get("seconds", 0.0)}))
"""


def kernel_environment(folder, datasets):
    """Environment of a kernel whose keras.datasets read `datasets` (an IPython startup file in `folder`)."""
    startup = Path(folder) / "profile_default" / "startup"
    startup.mkdir(parents=True, exist_ok=True)
    (startup / "00-datasets.py").write_text(
        f"from grader.datasets import use_local_datasets\n\nuse_local_datasets({str(datasets)!r})\n", encoding="utf-8")
    return dict(os.environ, IPYTHONDIR=str(folder), TF_CPP_MIN_LOG_LEVEL="3", MPLBACKEND="agg")


def run(nb, first, env, cwd, allow_errors=False):
    """Execute `first`, the notebook's cells, then the measurement: {"seconds", "peak_kb", "records", "recording",
    "errors"} (errors: cells that failed, where `allow_errors`)."""
    nb = nbformat.from_dict(nb)
    nb.cells = [nbformat.v4.new_code_cell(first), *nb.cells, nbformat.v4.new_code_cell(MEASURE)]
    lesson_cells = range(1, len(nb.cells) - 1)
    seconds = 0.0

    def timed(cell, cell_index, **_):
        nonlocal seconds
        if cell_index in lesson_cells:
            seconds += time.perf_counter() - started[0]

    started = [0.0]
    client = NotebookClient(nb, timeout=1800, kernel_name="python3", resources={"metadata": {"path": str(cwd)}},
                            allow_errors=allow_errors,
                            on_cell_execute=lambda **_: started.__setitem__(0, time.perf_counter()),
                            on_cell_executed=timed)
    client.execute(env=env, stderr=subprocess.DEVNULL)  # TensorFlow start-up noise
    text = "".join(output.get("text", "") for output in nb.cells[-1].outputs)
    errors = sum(output.get("output_type") == "error" for cell in nb.cells for output in cell.get("outputs", []))
    return {"seconds": seconds, "errors": errors, **json.loads(text.split("COLAB-SCALE", 1)[1])}


def measure(course, lesson, env, pairs, log):
    """{"off": [runs], "on": [runs], "graded": run} for one lesson."""
    solution = nbformat.read(course.solution_path(lesson), as_version=4)
    student = filled(nbformat.read(ROOT / "lessons" / f"{lesson.name}.ipynb", as_version=4), solution)
    runs = {"off": [], "on": []}
    with tempfile.TemporaryDirectory(prefix="colab-scale-") as cwd:
        for pair in range(pairs):
            for variant in ("off", "on") if pair % 2 == 0 else ("on", "off"):
                result = run(student, RECORDING_OFF if variant == "off" else RECORDING_ON, env, cwd, variant == "off")
                runs[variant].append(result)
                log(f"  {lesson.name} student, recording {variant}: {result['seconds']:.1f} s, "
                    f"peak {result['peak_kb'] / 2**20:.2f} GB, {result['records']} records "
                    f"({result['recording']:.2f} s recording), {result['errors']} failed cells")
        graded = runs["graded"] = run(solution, "from grader import checks\n", env, cwd)
        log(f"  {lesson.name} graded: {graded['seconds']:.1f} s, peak {graded['peak_kb'] / 2**20:.2f} GB")
    problems = [f"{lesson.name}: the run without recording recorded {r['records']} calls" for r in runs["off"]
                if r["records"]]
    return runs, problems


def row(name, runs):
    """The table row and the targets it misses. The recording's share of the time is what its fingerprints took in
    the runs with recording (the wall times of single runs differ by more than 5 % from run to run)."""
    median = {v: {key: statistics.median(r[key] for r in runs[v]) for key in ("seconds", "peak_kb", "recording")}
              for v in ("off", "on")}
    time_share = median["on"]["recording"] / median["off"]["seconds"]
    memory_cost = median["on"]["peak_kb"] / median["off"]["peak_kb"] - 1
    gb = {v: median[v]["peak_kb"] / 2**20 for v in median} | {"graded": runs["graded"]["peak_kb"] / 2**20}
    missed = []
    if time_share > TIME_TARGET:
        missed.append(f"{name}: the recording takes {time_share:.1%} of the lesson's time (target {TIME_TARGET:.0%})")
    if memory_cost > MEMORY_TARGET:
        missed.append(f"{name}: the recording costs {memory_cost:+.1%} of the peak memory (target {MEMORY_TARGET:.0%})")
    if max(gb.values()) >= PEAK_LIMIT_GB:
        missed.append(f"{name}: peak memory {max(gb.values()):.1f} GB (limit {PEAK_LIMIT_GB:.0f} GB)")
    return (f"| `{name}` | {median['off']['seconds']:.1f} | {median['on']['seconds']:.1f} | "
            f"{median['on']['recording']:.2f} ({time_share:.2%}) | {gb['off']:.2f} | {gb['on']:.2f} | "
            f"{memory_cost:+.1%} | {runs['graded']['seconds']:.1f} | {gb['graded']:.2f} |"), missed


def main(argv=None):
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("lessons", nargs="*", help="lessons to run (default: all)")
    parser.add_argument("--pairs", type=int, default=1, help="student runs with recording off and on (default 1)")
    results_file.add_option(parser)
    args = parser.parse_args(argv)
    course = load_course(ROOT)
    lessons = [course.lesson(name) for name in args.lessons] if args.lessons else course.lessons
    started, facts = time.perf_counter(), results_file.facts()
    datasets = default_folder("real")
    print(f"# Colab scale ({facts}); datasets {datasets}: "
          f"{json.loads((datasets / 'sources.json').read_text(encoding='utf-8'))}", flush=True)
    rows, missed = [], []
    with tempfile.TemporaryDirectory(prefix="colab-scale-ipython-") as folder:
        env = kernel_environment(folder, datasets)
        for lesson in lessons:
            runs, problems = measure(course, lesson, env, args.pairs, lambda line: print(line, flush=True))
            line, misses = row(lesson.name, runs)
            rows.append(line)
            missed += problems + misses
    text = summary(rows, missed, args.pairs, time.perf_counter() - started)
    print(f"\n{text}")
    if not args.no_record:
        chosen = results_file.lesson_set([lesson.name for lesson in lessons], course)
        results_file.record(f"Colab 규모 (colab_scale.py, {chosen})", text)
    return 1 if missed else 0


def summary(rows, missed, pairs, seconds):
    """The table of every lesson and the targets missed, as printed and recorded."""
    lines = [f"실제 크기 데이터, 레슨별 (학생 실행: 시간·최대 메모리는 {pairs}쌍의 중앙값; 전체 {seconds:.0f}초)\n",
             "| 레슨 | 기록 끔 (초) | 기록 켬 (초) | 기록에 쓴 시간 (초, 비율) | 최대 메모리 끔 (GB) | 켬 (GB) | "
             "메모리 | 채점 실행 (초) | 채점 최대 메모리 (GB) |",
             "|---|---:|---:|---:|---:|---:|---:|---:|---:|", *rows]
    if missed:
        lines += ["", *(f"TARGET MISSED: {line}" for line in missed)]
    return "\n".join(lines)


if __name__ == "__main__":
    sys.exit(main())
