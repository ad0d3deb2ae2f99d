"""Mutation harness: how many automatically made wrong answers do each lesson's tests reject?

Usage: .venv/bin/python -m benchmarks.mutants [--lesson 01_layers ...] [--exercise 1-2 ...]
           [--sample N] [--seed S] [--timeout SECONDS] [--json OUT] [--list] [--confirm N] [--no-record]

Every answer (the code between `### BEGIN SOLUTION` / `### END SOLUTION` of a solutions/ exercise
cell) is parsed with `ast`, and each operator (operators.py) makes one small change at one place: a
mutant. Judging (runner.py) is fast: one kernel per lesson runs the solution top to bottom; at each test
cell, every mutant of that exercise runs in place of the answer, then the test cell. An error in the test
cell kills the mutant (`test`), an error in the mutant itself too (`crash`), so does running past the
time limit (`timeout`). Then the solution's exercise cell and test cell run again (they must pass).

A survivor is allowed only when benchmarks/equivalent.toml lists it, with a sentence of the task
text that allows it. The exit status is 1 when any survivor is not listed (or `--confirm`
disagrees), 2 on a harness error (the solution failing its own test). `--confirm N` grades N of
the judged mutants through the real `grader grade` pipeline and checks that the verdicts agree.
The summary (report.py) replaces this run's section of benchmarks/RESULTS.md unless `--no-record`.
"""

import argparse
import json
import os
import sys
from pathlib import Path

import nbformat

from benchmarks import results_file
from benchmarks.mutants.equivalents import apply_equivalents, load_equivalents
from benchmarks.mutants.mutant import mutants_of, tally
from benchmarks.mutants.operators import NEEDS_KERNEL
from benchmarks.mutants.report import report, summary
from benchmarks.mutants.runner import confirm, judge_lesson
from grader.host.course import load_course
from grader.host.notebook import answer_of, is_exercise, marker

ROOT = Path(__file__).resolve().parents[2]


def exercises_of(course, lesson):
    """{label: answer} of a lesson's solution notebook."""
    solution = nbformat.read(course.solution_path(lesson), as_version=4)
    return {marker(c)[1]: answer_of(c) for c in solution.cells if is_exercise(c)}


def list_mutants(course, lessons, labels):
    for lesson in lessons:
        for label, answer in exercises_of(course, lesson).items():
            if labels and label not in labels:
                continue
            made = mutants_of(answer, None, lesson.name, label)
            print(f"\n## {lesson.name} 연습 {label}: {len(made)} mutants without a kernel "
                  f"(+ {', '.join(sorted(NEEDS_KERNEL))} when judged)")
            for mutant in made:
                print(f"{mutant.id}  {mutant.operator:<14} {mutant.description}")


def parse_args(argv=None):
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0],
                                     formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--lesson", nargs="+", help="lessons to judge (default: all)")
    parser.add_argument("--exercise", nargs="+", help="exercises to judge, e.g. 5-2 (default: all)")
    parser.add_argument("--sample", type=int, help="at most N mutants per exercise, chosen at random")
    parser.add_argument("--seed", type=int, default=0, help="seed of --sample and --confirm")
    parser.add_argument("--timeout", type=int, default=120, help="seconds per mutant cell (timeout = killed)")
    parser.add_argument("--json", type=Path, help="write the full result here")
    parser.add_argument("--list", action="store_true", help="list the mutants (without a kernel) and stop")
    parser.add_argument("--confirm", type=int, default=0, metavar="N",
                        help="grade N judged mutants with `grader grade` and compare the verdicts")
    results_file.add_option(parser)
    return parser.parse_args(argv)


def chosen_lessons(course, names, labels):
    """The lessons named (default: all) that have one of the exercises `labels` (when given)."""
    lessons = [course.lesson(name) for name in names] if names else list(course.lessons)
    return [lesson for lesson in lessons if not labels or labels & set(exercises_of(course, lesson))]


def judge(course, lessons, labels, args):
    """The results of every lesson, judged one after the other."""
    results = []
    for lesson in lessons:
        print(f"# {lesson.name} ...", flush=True)
        results.append(judge_lesson(course, lesson, labels, args.sample, args.seed, args.timeout,
                                    log=lambda line: print(line, flush=True)))
        print(f"# {lesson.name}: {results[-1].seconds:.1f} s", flush=True)
    return results


def write_json(path, commit, args, results, warnings, confirmation):
    path.write_text(json.dumps({"commit": commit, "sample": args.sample, "seed": args.seed, "lessons": [
        {"lesson": r.lesson, "seconds": r.seconds, "errors": r.errors, "tally": tally(
            [m for m in r.mutants if m.verdict]), "mutants": [m.to_dict() for m in r.mutants]}
        for r in results], "warnings": warnings,
        "disagreements": confirmation.disagreements if confirmation else []},
        ensure_ascii=False, indent=1), encoding="utf-8")


def title(course, lessons, labels):
    """The RESULTS.md section of a run: one per set of lessons (and of exercises, when chosen)."""
    chosen = results_file.lesson_set([lesson.name for lesson in lessons], course)
    return f"변이 테스트 (mutants, {chosen}{', 연습 ' + ' '.join(sorted(labels)) if labels else ''})"


def main(argv=None):
    os.environ.setdefault("IPYTHONDIR", str(ROOT / "tests" / "ipython"))
    os.environ.setdefault("TF_CPP_MIN_LOG_LEVEL", "3")
    args = parse_args(argv)
    course = load_course(ROOT)
    labels = set(args.exercise or [])
    lessons = chosen_lessons(course, args.lesson, labels)
    if args.list:
        list_mutants(course, lessons, labels)
        return 0
    results = judge(course, lessons, labels, args)
    warnings = apply_equivalents(results, load_equivalents())
    commit = results_file.git_commit()
    report(results, commit)
    for warning in warnings:
        print(f"WARNING: {warning}")
    confirmation = confirm(course, results, args.confirm, args.seed) if args.confirm else None
    if args.json:
        write_json(args.json, commit, args, results, warnings, confirmation)
    if not args.no_record:
        results_file.record(title(course, lessons, labels), summary(results, confirmation))
    if any(r.errors for r in results):
        return 2
    survivors = sum(m.verdict == "survived" for r in results for m in r.mutants)
    return 1 if survivors or confirmation and confirmation.disagreements else 0


if __name__ == "__main__":
    sys.exit(main())
